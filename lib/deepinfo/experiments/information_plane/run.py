"""Chapter 3 runs: Shwartz-Ziv & Tishby (2017), the information plane and the two phases of SGD.

Presets (the only place the sizes live) and cached runners returning plain dicts. Every run
trains a whole ensemble at once with :func:`deepinfo.models.ensemble.train_ensemble`.

**Train once, measure many.** The training is cached by its configuration alone (ensemble
config and rule: :func:`training_key`), with the weights of every network at every snapshot
epoch (``keep_snapshots=True``; 11.8 MB at the paper's scale). The information measures are
applied afterwards by :func:`deepinfo.models.ensemble.measure_snapshots` and cached apart
(:func:`measures_key`), so another bin count, the KDE bound or the share of saturated units
never retrains.

Result of every runner (S snapshots, L layers, K networks; see :data:`RESULT_UNITS`)
    ``epochs`` (S,); ``I_X[measure]``, ``I_Y[measure]`` (S, L, K) **in bits**; ``values[measure]``
    (S, L, K) for the other measures (``sat30``: share of units in the two end bins of 30 on
    [-1, 1]); ``grad_mean``, ``grad_std`` (S, L, K) Frobenius norms of the mini-batch gradient
    mean and std divided by the weight norm (dimensionless); ``weight_norm`` (S, L, K);
    ``train_acc``, ``test_acc``, ``rule_acc`` (S, K) accuracies in [0, 1]; ``final`` weights;
    ``snapshots`` (weights per snapshot); ``seconds``; ``units``. The main run also carries the exact
    cross-check (:data:`EXACT_MEASURES`): ``I_X["q4exact"]``, ``I_Y["q4exact"]`` are the exact values of
    each layer read out on 4 levels (:func:`quantise`, :func:`exact_quantised_plane`), ``"q4binN"`` the
    binned estimator (N bins on [-1, 1]) applied to the same read-out.

Runners
-------
run_training(ens, rule_name)             one cached training (the unit of work)
run_ensemble(ens, rule_name, measures)   that training, measured (cached apart)
run_main / run_fractions / run_depth / run_committee / run_relu / run_controls   the runs behind each figure
units(cfg, seed, device)                 every ensemble of a preset as :class:`deepinfo.compute.Unit` s
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import torch

from ...cache import ResultCache
from ...compute import Unit
from ...data.spherical import Rule, committee_rule, spherical_rule
from ...device import cpu_threads, flush_denormals, resolve_device
from ...models.ensemble import EnsembleConfig, measure_snapshots, train_ensemble

#: bump when the format of a cached training or measure result changes
#: (v3: trained and measured with subnormal floats flushed to zero, :func:`deepinfo.device.flush_denormals`)
RESULT_VERSION = 3
TRAINING_CACHE = "information_plane_training"
MEASURES_CACHE = "information_plane_measures"
#: a tanh unit counts as saturated when it falls in one of the two end bins of 30 on [-1, 1]
SATURATION_BINS = 30
#: I(X;Y) of the stochastic variant of the rule whose IB bound is clearly curved (bits)
SOFT_RULE_BITS = 0.8
#: levels of the quantised read-out of each layer for the exact cross-check (issue 15 item 5)
QUANT_LEVELS = 4
#: measures of the exact cross-check on the main run: the exact values of the 4-level layer, and the binned
#: estimator on it with bins aligned to the levels (4), with the chapter's 30 bins, and misaligned (3 bins
#: on [-1, 1] put the two middle levels, -1/4 and +1/4, into one bin)
EXACT_MEASURES = ("q4exact", "q4bin4", "q4bin30", "q4bin3")

#: the unit of every field of a run's result (added on return; the cached entry is unchanged)
RESULT_UNITS = {"I_X": "bits", "I_Y": "bits", "grad_mean": "1 (norm divided by ||W||_F)",
                "grad_std": "1 (norm divided by ||W||_F)", "weight_norm": "1 (Frobenius norm)",
                "train_acc": "fraction", "test_acc": "fraction", "rule_acc": "fraction",
                "loss": "nats per pattern", "epochs": "epochs", "seconds": "s",
                "values.sat30": "fraction of units in the two end bins of 30 on [-1, 1]"}


@dataclass(frozen=True)
class Config:
    """Sizes of every experiment of the chapter (one frozen dataclass per preset).

    n_networks, epochs, n_snapshots : the ensemble (paper: 50, 10^4, ~200)
    optimizer, lr, batch_size : "adam", 4e-4, 512 as in the original code
    main_fraction : training share of the main run (Figs. 2, 4, 6; paper 85%)
    fig3_fractions, fig7_fractions : training shares of Figs. 3 and 7
    depth_fraction, depth_widths, depth_networks, depth_epochs : Fig. 5 (80%, widths 12-10-8-6-4-2)
    bins : bin counts compared in the binning study (30 is the paper's)
    committee_epochs : Fig. 8
    relu_networks, relu_epochs, relu_snapshots, kde_noise_var, kde_patterns : the ReLU/KDE study
    ib_betas, ib_networks, ib_max_states : the IB curve and the beta* fits of Fig. 6
    control_networks, control_epochs, control_lr : the Saxe et al. controls, tanh networks trained by
        plain SGD (batches of ``batch_size``) and by full-batch gradient descent, same step size
    The seed is the chapter's ``seed`` parameter, passed to the runners.
    """
    n_networks: int = 50
    epochs: int = 10_000
    n_snapshots: int = 200
    optimizer: str = "adam"
    lr: float = 4e-4
    batch_size: int = 512
    main_fraction: float = 0.85
    fig3_fractions: tuple = (0.05, 0.45, 0.85)
    fig7_fractions: tuple = (0.03, 0.05, 0.10, 0.25, 0.45, 0.65, 0.85)
    depth_fraction: float = 0.80
    depth_widths: tuple = (12, 10, 8, 6, 4, 2)
    depth_networks: int = 50
    depth_epochs: int = 10_000
    bins: tuple = (10, 30, 100)
    committee_epochs: int = 10_000
    relu_networks: int = 50
    relu_epochs: int = 10_000
    relu_snapshots: int = 60
    kde_noise_var: float = 0.1
    kde_patterns: int = 2048
    ib_betas: int = 120
    ib_networks: int = 10
    ib_max_states: int = 600
    control_networks: int = 50
    control_epochs: int = 10_000
    control_lr: float = 0.5


PRESETS = {
    "smoke": Config(n_networks=4, epochs=200, n_snapshots=25, fig7_fractions=(0.05, 0.45, 0.85),
                    depth_networks=3, depth_epochs=150, committee_epochs=200, relu_networks=3,
                    relu_epochs=200, relu_snapshots=10, kde_patterns=512, ib_betas=30, ib_networks=3,
                    ib_max_states=400, control_networks=3, control_epochs=200),
    "quick": Config(n_networks=16, epochs=1_500, n_snapshots=60,
                    fig7_fractions=(0.03, 0.05, 0.10, 0.25, 0.45, 0.85), depth_networks=6,
                    depth_epochs=1_000, committee_epochs=1_000, relu_networks=8, relu_epochs=1_500,
                    relu_snapshots=25, kde_patterns=1024, ib_betas=60, ib_networks=6,
                    control_networks=8, control_epochs=1_500),
    "full": Config(),
}


def rule_for(name: str) -> Rule:
    """The rule by name: "spherical" (paper eq. 10, I(X;Y) = 0.99 bits), "spherical_0.8" (the same f with
    gamma set for I(X;Y) = 0.8 bits: a curved IB bound) or "committee" (Fig. 8)."""
    if name == "spherical":
        return spherical_rule()
    if name == "spherical_0.8":
        return spherical_rule(target_I=SOFT_RULE_BITS)
    if name == "committee":
        return committee_rule()
    raise ValueError(f"rule={name!r}: expected 'spherical', 'spherical_0.8' or 'committee'")


def make_measures(spec: tuple, rule: Rule, kde_noise_var: float = 0.1, kde_patterns: int = 4096, seed: int = 0):
    """name -> callable(activations (K, P, N), p(y|x)) -> (I_X (K,), I_Y (K,)) in bits, for each entry of ``spec``.

    "binN": N equal bins on [-1, 1] (the paper); "adaptiveN": N equal bins on each snapshot's
    [min, max] (for unbounded ReLU units); "kde": the KDE upper bound of Saxe et al. (2018) with
    noise variance ``kde_noise_var`` on ``kde_patterns`` patterns (a fixed random subset).
    """
    from ... import estimators as est

    out = {}
    for name in spec:
        if name.startswith("bin"):
            n = int(name[3:])
            out[name] = (lambda n: lambda T, pyx: est.binned_information_plane(T, pyx, n_bins=n, lo=-1.0, hi=1.0))(n)
        elif name.startswith("adaptive"):
            n = int(name[8:])
            out[name] = (lambda n: lambda T, pyx: est.binned_information_plane(T, pyx, n_bins=n, adaptive=True))(n)
        elif name.startswith("sat"):
            n = int(name[3:])
            out[name] = (lambda n: lambda T, pyx: saturated_share(T, n))(n)
        elif name.startswith("q"):
            n_levels, what = _parse_quantised(name)
            if what == "exact":
                out[name] = (lambda q: lambda T, pyx: exact_quantised_plane(quantise(T, q), pyx, q))(n_levels)
            else:
                out[name] = (lambda q, n: lambda T, pyx: est.binned_information_plane(
                    quantise(T, q), pyx, n_bins=n, lo=-1.0, hi=1.0))(n_levels, what)
        elif name == "kde":
            P = len(rule.X)
            sub = np.sort(np.random.default_rng(seed).choice(P, size=min(kde_patterns, P), replace=False))
            sub_t = torch.as_tensor(sub)

            def kde(T, pyx, sub=sub, sub_t=sub_t):
                return est.kde_information_plane(T[:, sub_t], np.asarray(pyx)[sub], kde_noise_var)
            out[name] = kde
        else:
            raise ValueError(f"measure {name!r}: expected 'binN', 'adaptiveN', 'satN', 'qLexact', 'qLbinN' or 'kde'")
    return out


def _parse_quantised(name: str):
    """"q4exact" -> (4, "exact"); "q4bin30" -> (4, 30)."""
    import re

    m = re.fullmatch(r"q(\d+)(exact|bin(\d+))", name)
    if not m or int(m.group(1)) < 2:
        raise ValueError(f"measure {name!r}: expected 'qLexact' or 'qLbinN' with L >= 2 levels")
    return int(m.group(1)), ("exact" if m.group(2) == "exact" else int(m.group(3)))


def quantise(T, n_levels: int = QUANT_LEVELS) -> np.ndarray:
    """Quantised read-out of a tanh layer: each unit rounded to the centre of its cell of ``n_levels`` equal cells of [-1, 1].

    q(a) = -1 + (2 / L) (j + 1/2), j = clip(floor((a + 1) L / 2), 0, L - 1); for L = 4 the levels are
    -3/4, -1/4, 1/4, 3/4 (exact in binary floating point). T (K, P, N) or (P, N), array or tensor; float64 ndarray
    of the same shape. A deterministic function of the layer, hence of x: it has at most L^N states.
    """
    a = T.detach().cpu().numpy() if isinstance(T, torch.Tensor) else np.asarray(T)
    L = int(n_levels)
    j = np.clip(np.floor((a.astype(np.float64) + 1.0) * (L / 2.0)), 0, L - 1)
    return -1.0 + (2.0 / L) * (j + 0.5)


def exact_quantised_plane(Tq, p_y_given_x, n_levels: int = QUANT_LEVELS) -> tuple[np.ndarray, np.ndarray]:
    """Exact (I(X;T), I(T;Y)) in bits of a quantised layer, by enumerating its states (no binning code).

    Tq (K, P, N) or (P, N) with values on the levels of :func:`quantise`; p(x) = 1/P (the P patterns are
    the whole input space), T = t(x) deterministic, so I(X;T) = H(T) = -sum_t p(t) log2 p(t) with
    p(t) = #{x: t(x) = t} / P, and I(T;Y) = sum_{t,y} p(t,y) log2[p(t,y) / (p(t) p(y))] with
    p(t,y) = (1/P) sum_{x: t(x)=t} p(y|x) (the Markov chain Y - X - T). The states are the distinct rows
    of level indices (``np.unique``), independent of :func:`deepinfo.estimators.binned_information_plane`.
    Returns two (K,) arrays (floats for a (P, N) input).
    """
    q = np.asarray(Tq, dtype=np.float64)
    single = q.ndim == 2
    q = q[None] if single else q
    K, P, N = q.shape
    L = int(n_levels)
    j = np.rint((q + 1.0) * (L / 2.0) - 0.5).astype(np.int64)      # level index 0..L-1
    if not np.allclose(-1.0 + (2.0 / L) * (j + 0.5), q, rtol=0, atol=1e-12) or j.min() < 0 or j.max() >= L:
        raise ValueError(f"Tq: values must lie on the {L} levels of quantise()")
    pyx = np.asarray(p_y_given_x, dtype=np.float64)
    if pyx.ndim == 1:
        pyx = np.stack([1.0 - pyx, pyx], axis=1)
    p_y = pyx.mean(axis=0)
    I_X, I_Y = np.empty(K), np.empty(K)
    # one integer per state: the base-L number of its level indices (the rows themselves when L^N overflows)
    rows = j @ (L ** np.arange(N - 1, -1, -1, dtype=np.int64)) if N * math.log2(L) < 62 else None
    for k in range(K):
        _, inv, counts = (np.unique(rows[k], return_inverse=True, return_counts=True) if rows is not None else
                          np.unique(j[k], axis=0, return_inverse=True, return_counts=True))
        inv = inv.reshape(-1)
        p_t = counts / P
        p_ty = np.stack([np.bincount(inv, weights=pyx[:, y], minlength=len(counts)) for y in range(pyx.shape[1])],
                        axis=1) / P
        I_X[k] = -np.sum(p_t * np.log2(p_t))
        nz = p_ty > 0
        I_Y[k] = np.sum(p_ty[nz] * np.log2(p_ty[nz] / (p_t[:, None] * p_y[None, :])[nz]))
    return (float(I_X[0]), float(I_Y[0])) if single else (I_X, I_Y)


def saturated_share(T, n_bins: int = SATURATION_BINS) -> np.ndarray:
    """(K,) share of the units x patterns of a layer T (K, P, N) in the two end bins of ``n_bins`` on [-1, 1]."""
    T = torch.as_tensor(T)
    return (T.abs() > 1.0 - 2.0 / n_bins).double().mean(dim=(1, 2)).cpu().numpy()


def training_key(ens: EnsembleConfig, rule_name: str = "spherical") -> tuple[str, dict]:
    """The cache entry ``(name, config)`` of one training: the ensemble config and the rule, nothing else."""
    return TRAINING_CACHE, {"ensemble": dataclasses.asdict(ens), "rule": rule_name, "result_version": RESULT_VERSION}


def measures_key(ens: EnsembleConfig, rule_name: str = "spherical", measures: tuple = ("bin30",), *,
                 kde_noise_var: float = 0.1, kde_patterns: int = 4096) -> tuple[str, dict]:
    """The cache entry of the measures of one training (the training's key plus the measures)."""
    key = {"training": training_key(ens, rule_name)[1], "measures": list(measures)}
    if "kde" in measures:
        key.update(kde_noise_var=kde_noise_var, kde_patterns=kde_patterns)
    return MEASURES_CACHE, key


def _device(device):
    return resolve_device(device) if isinstance(device, str) else device


def run_training(ens: EnsembleConfig, rule_name: str = "spherical", *, device="cpu",
                 cache: ResultCache | None = None, progress: bool = True, desc: str = "") -> dict:
    """One cached training with the weights kept at every snapshot (resumable through a checkpoint).

    Returns the trainer's dict (:func:`deepinfo.models.ensemble.train_ensemble`, no measures) with
    ``snapshots``; cached under :func:`training_key`.
    """
    cache = cache or ResultCache()
    name, key = training_key(ens, rule_name)
    rule = rule_for(rule_name)
    device = _device(device)

    def compute():
        # one thread: the matrices are tiny (the book's thread policy); subnormals flushed (7.8x faster)
        with cpu_threads(device), flush_denormals():
            return train_ensemble(ens, rule.X, rule.p_y_given_x, {}, device=device, keep_snapshots=True,
                                  checkpoint=cache.checkpoint(name, key), progress=progress,
                                  desc=desc or rule_name)
    return dict(cache.get_or_compute(name, key, compute))


def run_ensemble(ens: EnsembleConfig, rule_name: str = "spherical", measures: tuple = ("bin30",), *,
                 kde_noise_var: float = 0.1, kde_patterns: int = 4096, device="cpu",
                 cache: ResultCache | None = None, progress: bool = True, desc: str = "") -> dict:
    """One ensemble run: the cached training (:func:`run_training`) measured afterwards with ``measures``.

    The measures are cached under :func:`measures_key`; a new measure or bin count reuses the
    training. Returns the training dict with ``I_X``, ``I_Y`` (bits) and ``values`` added, and ``units``.
    """
    cache = cache or ResultCache()
    name, key = measures_key(ens, rule_name, measures, kde_noise_var=kde_noise_var, kde_patterns=kde_patterns)
    device = _device(device)
    train = run_training(ens, rule_name, device=device, cache=cache, progress=progress, desc=desc)
    rule = rule_for(rule_name)

    def compute():
        fns = make_measures(measures, rule, kde_noise_var, kde_patterns, seed=ens.seed)
        with cpu_threads(device), flush_denormals():
            m = measure_snapshots(train["snapshots"], rule.X, rule.p_y_given_x, fns, ens.activation,
                                  device=device)
        return {"I_X": m["I_X"], "I_Y": m["I_Y"], "values": m["values"]}
    meas = cache.get_or_compute(name, key, compute)
    out = dict(train)
    out.update(I_X=dict(meas["I_X"]), I_Y=dict(meas["I_Y"]), values=dict(meas["values"]), units=dict(RESULT_UNITS))
    return out


def ensemble_config(cfg: Config, seed: int = 0, **kw) -> EnsembleConfig:
    """The :class:`EnsembleConfig` of the main run of ``cfg`` (fields replaced by ``kw``)."""
    base = dict(n_networks=cfg.n_networks, epochs=cfg.epochs, n_snapshots=cfg.n_snapshots,
                optimizer=cfg.optimizer, lr=cfg.lr, batch_size=cfg.batch_size,
                train_fraction=cfg.main_fraction, seed=seed)
    base.update(kw)
    return EnsembleConfig(**base)


#: measures of the tanh runs whose saturation is read (main, training shares, controls)
TANH_MEASURES = ("bin30", "sat30")
#: batch size that makes an epoch one full-batch step (>= the 4096 patterns)
FULL_BATCH = 4096


def _spec(ens: EnsembleConfig, rule_name: str, measures: tuple, desc: str, **kw) -> dict:
    return {"ens": ens, "rule_name": rule_name, "measures": tuple(measures), "desc": desc, **kw}


def main_spec(cfg: Config, seed: int = 0) -> dict:
    """The main run: tanh, ``cfg.main_fraction``, bins ``cfg.bins`` (and 30), the saturated share and the exact
    cross-check of the 4-level read-out (:data:`EXACT_MEASURES`)."""
    spec = tuple(f"bin{n}" for n in sorted(set(cfg.bins) | {30})) + ("sat30",) + EXACT_MEASURES
    return _spec(ensemble_config(cfg, seed), "spherical", spec, "main")


def soft_spec(cfg: Config, seed: int = 0) -> dict:
    """The main run on the 0.8-bit variant of the rule (curved IB bound; Fig. 6 re-tested)."""
    return _spec(ensemble_config(cfg, seed), "spherical_0.8", ("bin30",), "0.8-bit rule")


def fraction_spec(cfg: Config, f: float, seed: int = 0) -> dict:
    """A training share other than the main one (Figs. 3 and 7)."""
    return _spec(ensemble_config(cfg, seed, train_fraction=f), "spherical", TANH_MEASURES, f"{f:.0%} of patterns")


def depth_spec(cfg: Config, d: int, seed: int = 0) -> dict:
    """``d`` hidden layers of widths ``cfg.depth_widths[:d]`` (Fig. 5)."""
    ens = ensemble_config(cfg, seed, hidden=tuple(cfg.depth_widths[:d]), n_networks=cfg.depth_networks,
                          epochs=cfg.depth_epochs, train_fraction=cfg.depth_fraction)
    return _spec(ens, "spherical", ("bin30",), f"{d} hidden")


def committee_spec(cfg: Config, seed: int = 0) -> dict:
    return _spec(ensemble_config(cfg, seed, epochs=cfg.committee_epochs), "committee", ("bin30",), "committee")


def relu_spec(cfg: Config, seed: int = 0) -> dict:
    ens = ensemble_config(cfg, seed, activation="relu", n_networks=cfg.relu_networks, epochs=cfg.relu_epochs,
                          n_snapshots=cfg.relu_snapshots)
    return _spec(ens, "spherical", ("adaptive30", "kde", "bin30"), "relu", kde_noise_var=cfg.kde_noise_var,
                 kde_patterns=cfg.kde_patterns)


def control_spec(cfg: Config, kind: str, seed: int = 0) -> dict:
    """A Saxe et al. control: ``kind`` "sgd" (plain SGD, batches of ``cfg.batch_size``) or "gd" (full-batch
    gradient descent: one step per epoch on the whole training set, no gradient noise), step ``cfg.control_lr``."""
    if kind not in ("sgd", "gd"):
        raise ValueError(f"control kind={kind!r}: expected 'sgd' or 'gd'")
    ens = ensemble_config(cfg, seed, optimizer="sgd", lr=cfg.control_lr, n_networks=cfg.control_networks,
                          epochs=cfg.control_epochs, batch_size=FULL_BATCH if kind == "gd" else cfg.batch_size)
    return _spec(ens, "spherical", TANH_MEASURES, "full-batch GD" if kind == "gd" else "plain SGD")


def all_specs(cfg: Config, seed: int = 0) -> dict:
    """name -> spec of every ensemble the preset trains (the page's runs, and the units of work)."""
    out = {"main": main_spec(cfg, seed), "main 0.8-bit rule": soft_spec(cfg, seed)}
    for f in sorted(set(cfg.fig3_fractions) | set(cfg.fig7_fractions)):
        if abs(f - cfg.main_fraction) >= 1e-12:
            out[f"share {f:g}"] = fraction_spec(cfg, f, seed)
    for d in range(1, len(cfg.depth_widths) + 1):
        out[f"depth {d}"] = depth_spec(cfg, d, seed)
    out["committee"] = committee_spec(cfg, seed)
    out["relu"] = relu_spec(cfg, seed)
    out["control sgd"] = control_spec(cfg, "sgd", seed)
    out["control gd"] = control_spec(cfg, "gd", seed)
    return out


def spec_key(spec: dict) -> tuple[str, dict]:
    """The cache entry a spec's run ends in (its measures entry): the one key helper of runners and units."""
    return measures_key(spec["ens"], spec["rule_name"], spec["measures"],
                        **{k: spec[k] for k in ("kde_noise_var", "kde_patterns") if k in spec})


def run_spec(spec: dict, device="cpu", cache=None, progress=True) -> dict:
    """Run (or load) the ensemble of ``spec``: the module-level function behind every unit of work."""
    kw = {k: v for k, v in spec.items() if k not in ("ens", "rule_name", "measures")}
    return run_ensemble(spec["ens"], spec["rule_name"], spec["measures"], device=device, cache=cache,
                        progress=progress, **kw)


def units(cfg: Config, seed: int = 0, device: str = "auto") -> list[Unit]:
    """Every ensemble of the preset as a unit of work (:mod:`deepinfo.compute`): main run, training shares,
    depths, committee, ReLU and the two Saxe et al. controls. Each unit trains (cached by the training
    config) and measures (cached by training config + measures); its entry is the measures entry, the
    one the page's runner reads. Units on CUDA ask for the Dask resource GPU=1."""
    gpu = str(device).startswith("cuda")
    return [Unit(chapter="information_plane", name=f"{name} ensemble ({s['ens'].n_networks} networks, "
                 f"{s['ens'].epochs:,} epochs)", cache_name=spec_key(s)[0], cache_config=spec_key(s)[1],
                 fn=run_spec, args=(s,), kwargs={"device": device, "progress": False},
                 resources=(("GPU", 1),) if gpu else ())
            for name, s in sorted(all_specs(cfg, seed).items(), key=lambda kv: kv[0] not in LONGEST_FIRST)]


#: the units started first (longest processing time first, so that the workers finish together): the
#: ReLU study (the KDE bound on P^2 pattern pairs) and the main run (ten measures per snapshot)
LONGEST_FIRST = ("relu", "main")


def run_main(cfg: Config, seed: int = 0, device="cpu", cache=None, progress=True) -> dict:
    """The main run (Figs. 2, 3 right, 4, 6 and the binning study): tanh, 85%, bins ``cfg.bins``."""
    return run_spec(main_spec(cfg, seed), device, cache, progress)


def run_soft(cfg: Config, seed: int = 0, device="cpu", cache=None, progress=True) -> dict:
    """The main architecture on the 0.8-bit rule (``rule_for("spherical_0.8")``)."""
    return run_spec(soft_spec(cfg, seed), device, cache, progress)


def run_fractions(cfg: Config, fractions, seed: int = 0, device="cpu", cache=None, progress=True) -> dict:
    """Training share -> run (Figs. 3 and 7); the main share reuses the main run."""
    return {f: run_main(cfg, seed, device, cache, progress) if abs(f - cfg.main_fraction) < 1e-12
            else run_spec(fraction_spec(cfg, f, seed), device, cache, progress) for f in fractions}


def run_depth(cfg: Config, seed: int = 0, device="cpu", cache=None, progress=True) -> dict:
    """Number of hidden layers (1..len(depth_widths)) -> run (Fig. 5)."""
    return {d: run_spec(depth_spec(cfg, d, seed), device, cache, progress)
            for d in range(1, len(cfg.depth_widths) + 1)}


def run_committee(cfg: Config, seed: int = 0, device="cpu", cache=None, progress=True) -> dict:
    """The committee-machine rule with the main architecture (Fig. 8)."""
    return run_spec(committee_spec(cfg, seed), device, cache, progress)


def run_relu(cfg: Config, seed: int = 0, device="cpu", cache=None, progress=True) -> dict:
    """ReLU hidden layers, measured with adaptive 30-bin binning and with the KDE bound (Saxe et al.)."""
    return run_spec(relu_spec(cfg, seed), device, cache, progress)


def run_controls(cfg: Config, seed: int = 0, device="cpu", cache=None, progress=True) -> dict:
    """The Saxe et al. controls: {"sgd": plain SGD run, "gd": full-batch gradient descent run} (tanh, bins 30)."""
    return {k: run_spec(control_spec(cfg, k, seed), device, cache, progress) for k in ("sgd", "gd")}
