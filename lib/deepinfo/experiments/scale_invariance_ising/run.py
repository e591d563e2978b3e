"""Presets and runners of the Ising and theory page of the Lee & Jo (2022) chapter.

Page: ``book/scale_invariance_ising.md``.

* :func:`run_fig5` - Fig. 5: Ising patterns (10 x 10, T = 1.53, 2.26, 3.28) through a shallow
  sigmoid autoencoder x -> z -> x_hat; frequencies k_x of the input patterns and k_z of the codes
  binarised at 0.4, and their resolution and relevance in bits. :func:`run_fig5_seeds` repeats it
  for ``Config.n_seeds`` realisations (new patterns and a new network each).
* :func:`run_width_sweep` - the same at the highest T for several bottleneck widths (sensitivity).
* :func:`run_theory` - eqs. 6-7: the exact integer maximiser of H(K) + beta H(Z) at several beta,
  the continuous solution, and the pure-clustering case beta = 0.

Runners return plain dicts (arrays, numbers) and are cached by configuration and ``RESULT_VERSION``.
Whether counts are a power law is decided in :mod:`.claims` by the book's one rule,
:func:`deepinfo.estimators.power_law_verdict`, never here.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from ...cache import ResultCache
from ...data.ising import T_C, ising_with_info
from ...device import cpu_threads, resolve_device
from ...estimators import relevance, resolution, state_counts
from ...models.feedforward import Autoencoder, SupervisedTraining, train_autoencoder
from ...theory import continuous_maximiser, maximise_lagrangian


RESULT_VERSION = 3  # part of the cache keys: bump when what the runners return changes (3: no fits stored)


@dataclass(frozen=True)
class IsingConfig:
    """Fig. 5. The paper: L = 10, 50,000 samples per T, one hidden layer, codes binarised at 0.4."""
    L: int = 10
    temperatures: tuple = (1.53, 2.26, 3.28)
    n_samples: int = 50_000
    n_hidden: int = 20           # bottleneck width (the paper does not give it; our choice, stated on the page)
    epochs: int = 10
    batch_size: int = 100
    lr: float = 0.005
    loss: str = "mse"            # as in the authors' autoencoder code
    threshold: float = 0.4


@dataclass(frozen=True)
class TheoryConfig:
    """Eqs. 6-7: exact integer maximiser of H(K) + beta H(Z) at M samples."""
    M: int = 5000
    betas: tuple = (0.5, 1.0, 1.5)


@dataclass(frozen=True)
class Config:
    ising: IsingConfig = field(default_factory=IsingConfig)
    theory: TheoryConfig = field(default_factory=TheoryConfig)
    widths: tuple = (5, 10, 20, 40)  # bottleneck widths of the sensitivity check at the highest T
    n_seeds: int = 3                 # realisations of Fig. 5 (seeds seed, seed + 1, ...): patterns and network


PRESETS = {
    "smoke": Config(IsingConfig(n_samples=5_000, epochs=3), TheoryConfig(M=1500), n_seeds=2),
    "quick": Config(IsingConfig(n_samples=20_000, epochs=10), TheoryConfig(M=4000), n_seeds=3),
    "full": Config(IsingConfig(n_samples=50_000, epochs=10), TheoryConfig(M=6000), n_seeds=5),
}


def coincidence_share(counts_x, counts_z) -> float:
    """Share of the code's coincidences explained by identical inputs: sum_x k_x(k_x-1) / sum_z k_z(k_z-1).

    The denominator counts the pairs of distinct samples that get the same code; since z is a
    function of x it is at least the numerator, the pairs that are the same input pattern. The
    ratio is 1 when codes merge only identical patterns and near 0 when codes group distinct ones.
    Returns 0 when no two samples share a code.
    """
    cx = np.asarray(counts_x, dtype=np.float64)
    cz = np.asarray(counts_z, dtype=np.float64)
    den = (cz * (cz - 1)).sum()
    return float((cx * (cx - 1)).sum() / den) if den > 0 else 0.0


def _fig5_one(cfg: IsingConfig, T: float, seed: int, dev: torch.device, progress) -> dict:
    t0 = time.perf_counter()
    spins, info = ising_with_info(cfg.L, T, cfg.n_samples, seed=seed, device=dev)
    t_sample = time.perf_counter() - t0
    x = torch.as_tensor((spins.reshape(len(spins), -1) + 1) // 2, dtype=torch.float32)  # {-1,+1} -> {0,1}
    counts_x = state_counts(x.numpy().astype(np.uint8))
    torch.manual_seed(seed)
    model = Autoencoder([cfg.L * cfg.L, cfg.n_hidden], activation="sigmoid", out_activation="sigmoid")
    t1 = time.perf_counter()
    with cpu_threads(dev, 1):
        train_autoencoder(model, x, SupervisedTraining(cfg.epochs, cfg.batch_size, cfg.lr, "adam"), seed=seed,
                          device=dev, progress=progress and f"autoencoder T={T}", loss=cfg.loss)
        z = model.hidden(x.to(dev))[0].cpu()
        x_hat = torch.cat([model(x[i:i + 8192].to(dev)).cpu() for i in range(0, len(x), 8192)])
    t_train = time.perf_counter() - t1
    codes = (z > cfg.threshold).numpy().astype(np.uint8)
    counts_z = state_counts(codes)
    pixel_acc = float(((x_hat > 0.5).float() == x).float().mean())
    exact_recon = float(((x_hat > 0.5).float() == x).all(dim=1).float().mean())
    m = spins.reshape(len(spins), -1).astype(np.float64).mean(axis=1)
    return {
        "T": float(T), "counts_x": counts_x, "counts_z": counts_z,
        "H_s_x": resolution(counts_x), "H_k_x": relevance(counts_x),
        "H_s_z": resolution(counts_z), "H_k_z": relevance(counts_z), "M": int(counts_x.sum()),
        "repeated_input_fraction": float(counts_x[counts_x > 1].sum() / counts_x.sum()),
        "coincidence_share": coincidence_share(counts_x, counts_z),
        "pixel_accuracy": pixel_acc, "exact_reconstruction": exact_recon,
        "mean_abs_m": float(np.abs(m).mean()), "examples": spins[:: max(1, len(spins) // 8)][:8].copy(),
        "sampler": {k: v for k, v in info.items() if not k.startswith("rho")},
        "rho_abs_m": info.get("rho_abs_m", np.ones(1)),
        "seconds_sampling": t_sample, "seconds_training": t_train,
    }


def run_fig5(cfg: Config | IsingConfig, seed: int = 0, device="auto", progress=False) -> dict:
    """Fig. 5 at every temperature of ``cfg``; ``{"runs": [per-T dict], "T_c": Onsager's T_c, "config"}``."""
    icfg = cfg.ising if isinstance(cfg, Config) else cfg
    dev = resolve_device(device)

    def compute():
        return {"runs": [_fig5_one(icfg, T, seed, dev, progress) for T in icfg.temperatures], "T_c": T_C,
                "config": asdict(icfg)}

    return ResultCache().get_or_compute(*_fig5_entry(icfg, seed, dev), compute)


# ------------------------------------------------------------------ cache entries (one helper per runner)

def _fig5_entry(icfg: IsingConfig, seed: int, dev) -> tuple[str, dict]:
    """The cache entry ``(cache_name, cache_config)`` of :func:`run_fig5`: shared by the runner and its unit."""
    return "scale_invariance_ising_fig5", {"config": asdict(icfg), "seed": int(seed), "device": dev.type,
                                           "version": RESULT_VERSION}


def _widths_entry(cfg: "Config", T: float, seed: int, dev) -> tuple[str, dict]:
    """The cache entry of :func:`run_width_sweep`."""
    return "scale_invariance_ising_widths", {"config": asdict(cfg.ising), "widths": list(cfg.widths), "T": float(T),
                                             "seed": int(seed), "device": dev.type, "version": RESULT_VERSION}


def _theory_entry(tcfg: TheoryConfig) -> tuple[str, dict]:
    """The cache entry of :func:`run_theory`."""
    return "scale_invariance_ising_theory", {**asdict(tcfg), "version": RESULT_VERSION}


def _samples_entry(icfg: IsingConfig, T: float, seed: int, dev) -> tuple[str, dict]:
    """The cache entry :func:`deepinfo.data.ising.ising_with_info` fills for one temperature of Fig. 5 (its
    default sampler settings, J = 1), as that function builds it."""
    from ...data.ising import ALGORITHM

    return "ising", {"L": int(icfg.L), "T": float(T), "n": int(icfg.n_samples), "seed": int(seed), "J": 1.0,
                     "device": dev.type, "n_chains": None, "burn_in": None, "spacing": None, "algorithm": ALGORITHM}


def _ising_samples(icfg: IsingConfig, T: float, seed: int, device="auto") -> None:
    """Fill the cache entry of one temperature's samples (what :func:`_fig5_one` asks for)."""
    ising_with_info(icfg.L, T, icfg.n_samples, seed=seed, device=resolve_device(device))


def units(cfg: "Config", seed: int = 0, device: str = "auto") -> list:
    """The page's expensive cached pieces as :class:`deepinfo.compute.Unit` s, each with the cache entry its
    runner fills: the Ising samples per realisation and temperature, Fig. 5 per realisation (the autoencoders),
    the width sweep at the highest T and the exact maximisers of the theory section."""
    from ...compute import Unit

    dev = resolve_device(device)
    res = (("GPU", 1),) if dev.type == "cuda" else ()
    icfg, out = cfg.ising, []

    def add(name, entry, fn, *args):
        out.append(Unit(chapter="scale_invariance_ising", name=name, cache_name=entry[0], cache_config=entry[1],
                        fn=fn, args=args, resources=res))

    for i in range(int(cfg.n_seeds)):
        for T in icfg.temperatures:
            add(f"Ising samples T = {T} (seed {seed + i})", _samples_entry(icfg, T, seed + i, dev), _ising_samples,
                icfg, float(T), seed + i, str(device))
    for i in range(int(cfg.n_seeds)):
        add(f"Fig. 5 autoencoders (seed {seed + i})", _fig5_entry(icfg, seed + i, dev), run_fig5, icfg, seed + i,
            str(device))
    T = float(max(icfg.temperatures))
    add(f"width sweep T = {T} (seed {seed})", _widths_entry(cfg, T, seed, dev), run_width_sweep, cfg, seed,
        str(device))
    add("exact maximisers of eq. 6", _theory_entry(cfg.theory), run_theory, cfg.theory)
    return out


def run_fig5_seeds(cfg: Config, seed: int = 0, device="auto", progress=False) -> list[dict]:
    """:func:`run_fig5` for the ``cfg.n_seeds`` realisations seed, seed + 1, ... (each cached on its own)."""
    return [run_fig5(cfg, seed=seed + i, device=device, progress=progress) for i in range(int(cfg.n_seeds))]


def run_width_sweep(cfg: Config, seed: int = 0, device="auto", T: float | None = None) -> dict:
    """Fig. 5's autoencoder at one temperature (default the highest) for each bottleneck width in ``cfg.widths``.

    Not a claim: a sensitivity check, since the paper does not give the width. The Ising samples
    are the cached ones of :func:`run_fig5`. Returns ``{"T", "rows": [{"n_hidden", "counts_z",
    "H_s_z", "H_k_z" (bits), "pixel_accuracy"}]}``.
    """
    from dataclasses import replace

    icfg = cfg.ising
    T = float(T if T is not None else max(icfg.temperatures))
    dev = resolve_device(device)

    def compute():
        rows = []
        for w in cfg.widths:
            r = _fig5_one(replace(icfg, n_hidden=int(w)), T, seed, dev, False)
            rows.append({"n_hidden": int(w), "counts_z": r["counts_z"], "H_s_z": r["H_s_z"],
                         "H_k_z": r["H_k_z"], "pixel_accuracy": r["pixel_accuracy"]})
        return {"T": T, "rows": rows}

    return ResultCache().get_or_compute(*_widths_entry(cfg, T, seed, dev), compute)


def run_theory(cfg: Config | TheoryConfig) -> dict:
    """Eq. 6-7: for each beta the exact integer maximiser and the continuous solution; plus beta = 0.

    Returns ``{"M", "cases": [{"beta", "k", "m_k", "L", "H_z", "H_k" (bits), "k_cont", "m_cont",
    "seconds"}], "pure": the beta = 0 case}``.
    """
    tcfg = cfg.theory if isinstance(cfg, Config) else cfg

    def compute():
        cases = []
        for beta in tcfg.betas:
            t0 = time.perf_counter()
            d = maximise_lagrangian(tcfg.M, beta)
            k_c, m_c = continuous_maximiser(tcfg.M, beta)
            cases.append({**d, "k_cont": k_c, "m_cont": m_c, "seconds": time.perf_counter() - t0})
        pure = maximise_lagrangian(tcfg.M, 0.0)
        return {"M": tcfg.M, "cases": cases, "pure": pure}

    return ResultCache().get_or_compute(*_theory_entry(tcfg), compute)
