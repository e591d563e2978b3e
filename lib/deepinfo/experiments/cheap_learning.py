"""Presets and runners for ``book/cheap_learning.md`` (Lin & Tegmark 2016, "Why does deep and cheap
learning work so well?"). Only the shallow-vs-deep training and the RG sampling scale with the
preset; the constructions are exact computations that take seconds at every preset.

Measured on the shared 2-core machine (load average ~12, so wall times are inflated 3-4x over CPU
time): cold smoke ~67 s (26 s CPU), cold quick ~213 s (59 s CPU), chapter execution only. ``full`` has not been run; by operation
count its training banks (n up to 8, widths up to 256, 2 seeds, 3000 full-batch steps on 2048
points; the four banks with 3 hidden layers dominate at ~80 TFLOP each) need about two hours on 2
free CPU cores and minutes on a GPU (the RG sampling at L = 512, S = 1000 adds a few minutes).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..cache import ResultCache
from ..cheap import gates, hierarchy, rg, shallow_deep
from ..cheap.hierarchy import ChainConfig


@dataclass(frozen=True)
class ShallowDeepConfig:
    ns: tuple = (2, 3, 4)
    widths: tuple = (2, 4, 8, 16, 32)
    seeds: tuple = (0,)
    steps: int = 200
    M_train: int = 256
    M_test: int = 1024
    target: float = 0.05  # normalised test MSE (1 - R^2) that counts as "reached"


@dataclass(frozen=True)
class RGConfig:
    x: tuple = (0.1, 1.0, 1.0)  # (x0, x1, x2) of eq. 23, fixed before any run
    L: int = 128
    S: int = 50
    bs: tuple = (1, 2, 4, 8)
    kmax: float = float(np.pi / 2)  # fit range |k'| <= kmax in coarse lattice units


@dataclass(frozen=True)
class Config:
    shallow_deep: ShallowDeepConfig = ShallowDeepConfig()
    rg: RGConfig = RGConfig()
    chain: ChainConfig = ChainConfig()
    lambdas: tuple = tuple(float(v) for v in np.logspace(-3, 0, 13))
    tree_ns: tuple = (2, 4, 8, 16, 32, 64)
    tree_lambda: float = 1e-3
    bit_ns: tuple = (2, 3, 4, 5, 6, 7, 8)
    sparse_draws: int = 20


PRESETS = {
    "smoke": Config(),
    "quick": Config(shallow_deep=ShallowDeepConfig(ns=(2, 3, 4, 5, 6), widths=(2, 4, 8, 16, 32, 64),
                                                   seeds=(0,), steps=600, M_train=512, M_test=2048),
                    rg=RGConfig(L=256, S=200)),
    "full": Config(shallow_deep=ShallowDeepConfig(ns=(2, 3, 4, 5, 6, 7, 8), widths=(2, 4, 8, 16, 32, 64, 128, 256),
                                                  seeds=(0, 1), steps=3000, M_train=2048, M_test=8192),
                   rg=RGConfig(L=512, S=1000), sparse_draws=100),
}


def run_shallow_deep(cfg: ShallowDeepConfig, cache: ResultCache | None = None) -> dict:
    cache = cache or ResultCache()
    return cache.get_or_compute("cheap_shallow_deep", {"cfg": cfg, "v": 2}, lambda: shallow_deep.shallow_vs_deep(
        cfg.ns, cfg.widths, cfg.target, cfg.steps, cfg.M_train, cfg.M_test, cfg.seeds))


def run_rg(cfg: RGConfig, seed: int, cache: ResultCache | None = None) -> dict:
    cache = cache or ResultCache()
    # "v": bump when rg_flow's output changes (the cache key holds config and library version only)
    return cache.get_or_compute("cheap_rg", {"cfg": cfg, "seed": seed, "v": 2}, lambda: rg.rg_flow(
        cfg.x, cfg.L, cfg.S, list(cfg.bs), cfg.kmax, np.random.default_rng(seed)))


def run_gate_sweep(lambdas, activations=("softplus", "sigmoid", "tanh", "swish")) -> dict:
    """Max error of the 2-4-1 gate on [-1,1]^2 vs lambda, with the operating point b used and the
    predicted coefficient |s''''(b)| / (3 |s''(b)|)."""
    out = {}
    for name in activations:
        s = gates.ACTIVATIONS[name]
        b = 0.0 if abs(gates.derivatives(s, 0.0, 2)[2]) > 1e-8 else gates.best_bias(s)
        err = np.array([gates.gate_max_error(s, b, lam) for lam in lambdas])
        out[name] = {"b": b, "err": err, "coef": gates.error_coefficient(s, b)}
    return out
