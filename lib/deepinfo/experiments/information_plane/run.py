"""Chapter 3 runs: Shwartz-Ziv & Tishby (2017), the information plane and the two phases of SGD.

Presets (the only place the sizes live) and cached runners returning plain dicts. Every run
trains a whole ensemble at once with :func:`deepinfo.models.ensemble.train_ensemble` and reduces
the layers to information-plane coordinates while training (the measures are part of the cache
key; measuring after training is issue 15).

Result of every runner (S snapshots, L layers, K networks; see :data:`RESULT_UNITS`)
    ``epochs`` (S,); ``I_X[measure]``, ``I_Y[measure]`` (S, L, K) **in bits**; ``grad_mean``,
    ``grad_std`` (S, L, K) Frobenius norms of the mini-batch gradient mean and std divided by the
    weight norm (dimensionless); ``weight_norm`` (S, L, K); ``train_acc``, ``test_acc``,
    ``rule_acc`` (S, K) accuracies in [0, 1]; ``final`` weights; ``seconds``; ``units``.

Runners
-------
run_ensemble(ens, rule_name, measures)   one cached ensemble run
run_main / run_fractions / run_depth / run_committee / run_relu   the runs behind each figure
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from ...cache import ResultCache
from ...data.spherical import Rule, committee_rule, spherical_rule
from ...device import cpu_threads
from ...models.ensemble import EnsembleConfig, train_ensemble

#: the unit of every field of a run's result (added on return; the cached entry is unchanged)
RESULT_UNITS = {"I_X": "bits", "I_Y": "bits", "grad_mean": "1 (norm divided by ||W||_F)",
                "grad_std": "1 (norm divided by ||W||_F)", "weight_norm": "1 (Frobenius norm)",
                "train_acc": "fraction", "test_acc": "fraction", "rule_acc": "fraction",
                "loss": "nats per pattern", "epochs": "epochs", "seconds": "s"}


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


PRESETS = {
    "smoke": Config(n_networks=4, epochs=200, n_snapshots=25, fig7_fractions=(0.05, 0.45, 0.85),
                    depth_networks=3, depth_epochs=150, committee_epochs=200, relu_networks=3,
                    relu_epochs=200, relu_snapshots=10, kde_patterns=512, ib_betas=30, ib_networks=3,
                    ib_max_states=400),
    "quick": Config(n_networks=16, epochs=1_500, n_snapshots=60,
                    fig7_fractions=(0.03, 0.05, 0.10, 0.25, 0.45, 0.85), depth_networks=6,
                    depth_epochs=1_000, committee_epochs=1_000, relu_networks=8, relu_epochs=1_500,
                    relu_snapshots=25, kde_patterns=1024, ib_betas=60, ib_networks=6),
    "full": Config(),
}


def rule_for(name: str) -> Rule:
    """The rule by name: "spherical" (paper eq. 10) or "committee" (Fig. 8)."""
    if name == "spherical":
        return spherical_rule()
    if name == "committee":
        return committee_rule()
    raise ValueError(f"rule={name!r}: expected 'spherical' or 'committee'")


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
        elif name == "kde":
            P = len(rule.X)
            sub = np.sort(np.random.default_rng(seed).choice(P, size=min(kde_patterns, P), replace=False))
            sub_t = torch.as_tensor(sub)

            def kde(T, pyx, sub=sub, sub_t=sub_t):
                return est.kde_information_plane(T[:, sub_t], np.asarray(pyx)[sub], kde_noise_var)
            out[name] = kde
        else:
            raise ValueError(f"measure {name!r}: expected 'binN', 'adaptiveN' or 'kde'")
    return out


def run_ensemble(ens: EnsembleConfig, rule_name: str = "spherical", measures: tuple = ("bin30",), *,
                 kde_noise_var: float = 0.1, kde_patterns: int = 4096, device="cpu",
                 cache: ResultCache | None = None, progress: bool = True, desc: str = "") -> dict:
    """One ensemble run, cached by (ensemble config, rule, measures); resumable through a checkpoint.

    Returns the trainer's dict (module docstring: I_X, I_Y in bits) with ``units`` added.
    """
    cache = cache or ResultCache()
    key = {"ensemble": dataclasses.asdict(ens), "rule": rule_name, "measures": list(measures)}
    if "kde" in measures:
        key.update(kde_noise_var=kde_noise_var, kde_patterns=kde_patterns)
    rule = rule_for(rule_name)

    def compute():
        fns = make_measures(measures, rule, kde_noise_var, kde_patterns, seed=ens.seed)
        with cpu_threads(device):  # one thread: the matrices are tiny (the book's thread policy)
            return train_ensemble(ens, rule.X, rule.p_y_given_x, fns, device=device,
                                  checkpoint=cache.checkpoint("information_plane_ensemble", key),
                                  progress=progress, desc=desc or rule_name)
    out = dict(cache.get_or_compute("information_plane_ensemble", key, compute))
    out["units"] = dict(RESULT_UNITS)
    return out


def ensemble_config(cfg: Config, seed: int = 0, **kw) -> EnsembleConfig:
    """The :class:`EnsembleConfig` of the main run of ``cfg`` (fields replaced by ``kw``)."""
    base = dict(n_networks=cfg.n_networks, epochs=cfg.epochs, n_snapshots=cfg.n_snapshots,
                optimizer=cfg.optimizer, lr=cfg.lr, batch_size=cfg.batch_size,
                train_fraction=cfg.main_fraction, seed=seed)
    base.update(kw)
    return EnsembleConfig(**base)


def run_main(cfg: Config, seed: int = 0, device="cpu", cache=None, progress=True) -> dict:
    """The main run (Figs. 2, 3 right, 4, 6 and the binning study): tanh, 85%, bins ``cfg.bins``."""
    spec = tuple(f"bin{n}" for n in sorted(set(cfg.bins) | {30}))
    return run_ensemble(ensemble_config(cfg, seed), "spherical", spec, device=device, cache=cache,
                        progress=progress, desc="main")


def run_fractions(cfg: Config, fractions, seed: int = 0, device="cpu", cache=None, progress=True) -> dict:
    """Training share -> run (Figs. 3 and 7); the main share reuses the main run."""
    out = {}
    for f in fractions:
        if abs(f - cfg.main_fraction) < 1e-12:
            out[f] = run_main(cfg, seed, device, cache, progress)
        else:
            out[f] = run_ensemble(ensemble_config(cfg, seed, train_fraction=f), "spherical", ("bin30",),
                                  device=device, cache=cache, progress=progress, desc=f"{f:.0%} of patterns")
    return out


def run_depth(cfg: Config, seed: int = 0, device="cpu", cache=None, progress=True) -> dict:
    """Number of hidden layers (1..len(depth_widths)) -> run (Fig. 5)."""
    out = {}
    for d in range(1, len(cfg.depth_widths) + 1):
        ens = ensemble_config(cfg, seed, hidden=tuple(cfg.depth_widths[:d]), n_networks=cfg.depth_networks,
                              epochs=cfg.depth_epochs, train_fraction=cfg.depth_fraction)
        out[d] = run_ensemble(ens, "spherical", ("bin30",), device=device, cache=cache, progress=progress,
                              desc=f"{d} hidden")
    return out


def run_committee(cfg: Config, seed: int = 0, device="cpu", cache=None, progress=True) -> dict:
    """The committee-machine rule with the main architecture (Fig. 8)."""
    return run_ensemble(ensemble_config(cfg, seed, epochs=cfg.committee_epochs), "committee", ("bin30",),
                        device=device, cache=cache, progress=progress, desc="committee")


def run_relu(cfg: Config, seed: int = 0, device="cpu", cache=None, progress=True) -> dict:
    """ReLU hidden layers, measured with adaptive 30-bin binning and with the KDE bound (Saxe et al.)."""
    ens = ensemble_config(cfg, seed, activation="relu", n_networks=cfg.relu_networks, epochs=cfg.relu_epochs,
                          n_snapshots=cfg.relu_snapshots)
    return run_ensemble(ens, "spherical", ("adaptive30", "kde", "bin30"), kde_noise_var=cfg.kde_noise_var,
                        kde_patterns=cfg.kde_patterns, device=device, cache=cache, progress=progress, desc="relu")
