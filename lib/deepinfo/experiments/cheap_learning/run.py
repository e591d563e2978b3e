"""Presets and runners for ``book/cheap_learning.md`` (Lin & Tegmark 2016, "Why does deep and cheap
learning work so well?").

Only the shallow-vs-deep training and the Gaussian-field sampling scale with the preset (and are
cached); the constructions are exact computations that take seconds at every preset. Every runner
returns a plain dict (or a :class:`pandas.DataFrame` for tables); the claims are decided from these
results by :mod:`.claims`, the figures drawn by :mod:`.figures`. :func:`units` lists the cached runners
as :class:`deepinfo.compute.Unit` s (``python -m deepinfo.compute cheap_learning --preset P``); each unit and
its runner take the cache entry from one helper (``_sd_key``, ``_rg_key``), so they cannot drift apart.

:func:`units` lists one training bank per n (largest first) and the sampling, so a preset's banks
spread over workers. Cost: see the chapter's "What runs long" and the README's timings table (measured
per preset); the banks train each width at its own size (:mod:`deepinfo.cheap.shallow_deep`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch

from ...cache import ResultCache
from ...compute import Unit
from ...cheap import bayes, cliques, counting, flattening, gates, hierarchy, rg, shallow_deep, shallow_product, strassen
from ...cheap.hierarchy import ChainConfig

#: cache formats of the two cached runners, one each (bumping one leaves the other's entries valid)
SD_VERSION = 3  # 3: one entry per n, widths trained unpadded (the same networks, other rounding)
RG_VERSION = 2


@dataclass(frozen=True)
class ShallowDeepConfig:
    """The trained shallow-vs-deep illustration (:mod:`deepinfo.cheap.shallow_deep`)."""

    ns: tuple = (2, 3, 4)
    widths: tuple = (2, 4, 8, 16, 32)
    seeds: tuple = (0,)
    steps: int = 200
    M_train: int = 256
    M_test: int = 1024
    target: float = 0.05  # normalised test MSE (1 - R^2) that counts as "reached"


@dataclass(frozen=True)
class RGConfig:
    """The Gaussian random field of eq. 23 and its coarse-graining (:mod:`deepinfo.cheap.rg`)."""

    x: tuple = (0.1, 1.0, 1.0)  # (x0, x1, x2) of eq. 23, fixed before any run
    L: int = 128
    S: int = 50
    bs: tuple = (1, 2, 4, 8)
    kmax: float = float(np.pi / 2)  # fit range |k'| <= kmax in coarse lattice units


@dataclass(frozen=True)
class Config:
    """Everything the chapter runs. Nested fields are overridden dotted (``shallow_deep.steps``)."""

    shallow_deep: ShallowDeepConfig = ShallowDeepConfig()
    rg: RGConfig = RGConfig()
    chain: ChainConfig = ChainConfig()
    lambdas: tuple = tuple(float(v) for v in np.logspace(-3, 0, 13))
    gate_fit_max: float = 0.1  # the gate's error exponent is fitted for lambda <= this
    tree_ns: tuple = (2, 4, 8, 16, 32, 64)
    tree_lambda: float = 1e-3
    tree_points: int = 2000
    bit_digits: int = 10  # the paper's D = 10 decimal places
    bit_ns: tuple = (2, 3, 4, 5, 6, 7, 8)
    bit_beta: float = 80.0
    sparse_ns: tuple = (10, 30, 100, 300)
    sparse_ps: tuple = (0.01, 0.03, 0.1, 0.3)
    sparse_draws: int = 20
    n_mic: int = 16
    # the exact block map at the critical point x0 = 0 (starts (0, 1, x2) for x2 in rg_x2_starts)
    rg_bs: tuple = (1, 2, 4, 8, 16, 32)
    rg_Lc: int = 64
    rg_x2_starts: tuple = (1.0, 0.0)
    # the one-hidden-layer product network with 2^n neurons
    product_ns: tuple = (2, 3, 4, 5, 6)
    product_lambdas: tuple = (0.1, 0.05, 0.025)
    product_b: float = 1.0
    product_points: int = 2000
    # clique cover, maximum entropy, Strassen
    maxent_n: int = 4
    strassen_ks: tuple = (1, 2, 3, 4)
    strassen_draws: int = 5


PRESETS = {
    "smoke": Config(),
    "quick": Config(shallow_deep=ShallowDeepConfig(ns=(2, 3, 4, 5, 6), widths=(2, 4, 8, 16, 32, 64),
                                                   seeds=(0,), steps=600, M_train=512, M_test=2048),
                    rg=RGConfig(L=256, S=200)),
    "full": Config(shallow_deep=ShallowDeepConfig(ns=(2, 3, 4, 5, 6, 7, 8), widths=(2, 4, 8, 16, 32, 64, 128, 256),
                                                  seeds=(0, 1), steps=3000, M_train=2048, M_test=8192),
                   rg=RGConfig(L=512, S=1000), sparse_draws=100),
}


# ------------------------------------------------------------------ cached runners (scale with the preset)

def _sd_key(cfg: ShallowDeepConfig, n: int) -> tuple[str, dict]:
    """The cache entry (name, config) of the shallow-vs-deep bank for one n: shared by the runner and its
    unit. Its config is ``cfg`` with ``ns = (n,)``, so adding an n to a preset leaves the others cached."""
    return "cheap_shallow_deep", {"cfg": replace(cfg, ns=(n,)), "v": SD_VERSION}


def _rg_key(cfg: RGConfig, seed: int) -> tuple[str, dict]:
    """The cache entry (name, config) of the Gaussian-field sampling: shared by the runner and its unit."""
    return "cheap_rg", {"cfg": cfg, "seed": seed, "v": RG_VERSION}


def run_shallow_deep(cfg: ShallowDeepConfig, cache: ResultCache | None = None) -> dict:
    """:func:`deepinfo.cheap.shallow_deep.shallow_vs_deep` at ``cfg``, one cache entry per n
    (:func:`run_shallow_deep_n`). ``rows[j]["shallow"|"deep"]`` holds ``layers``, ``nmse`` (best normalised
    test MSE 1 - R^2 per width, dimensionless), ``neurons`` (smallest hidden-neuron count reaching
    ``target``; NaN if none) and ``reached``; ``seconds`` is the summed training time of the entries."""
    parts = [run_shallow_deep_n(cfg, n, cache) for n in cfg.ns]
    return {"rows": [p["rows"][0] for p in parts], "seconds": float(sum(p["seconds"] for p in parts)),
            "target": cfg.target, "widths": np.array(cfg.widths)}


def run_shallow_deep_n(cfg: ShallowDeepConfig, n: int, cache: ResultCache | None = None) -> dict:
    """The bank of one n of :func:`run_shallow_deep`, cached: ``shallow_vs_deep`` with ``ns = (n,)``."""
    cache = cache or ResultCache()
    return cache.get_or_compute(*_sd_key(cfg, n), lambda: shallow_deep.shallow_vs_deep(
        (n,), cfg.widths, cfg.target, cfg.steps, cfg.M_train, cfg.M_test, cfg.seeds))


def run_rg(cfg: RGConfig, seed: int, cache: ResultCache | None = None) -> dict:
    """:func:`deepinfo.cheap.rg.rg_flow` at ``cfg``, cached: couplings (len(bs), 3) after coarse-graining,
    sampled (``block``, ``decim``, with jackknife standard errors ``*_se`` over batches of fields) and
    exact (``block_exact``: the aliased block-averaged spectrum; ``decim_exact``: eq. 24)."""
    cache = cache or ResultCache()
    return cache.get_or_compute(*_rg_key(cfg, seed), lambda: rg.rg_flow(
        cfg.x, cfg.L, cfg.S, list(cfg.bs), cfg.kmax, np.random.default_rng(seed)))


def units(cfg: Config, seed: int = 0, device: str = "auto") -> list[Unit]:
    """The chapter's expensive cached pieces (:mod:`deepinfo.compute`): one shallow-vs-deep training bank
    per n, largest n first (the deepest and slowest banks start first on a cluster), and the
    Gaussian-field sampling. Everything else is an exact computation of seconds, run by the page.
    All run on the CPU (``device`` is accepted for the common signature; none asks for a GPU)."""
    sd = cfg.shallow_deep
    out = []
    for n in sorted(sd.ns, reverse=True):
        name, config = _sd_key(sd, n)
        out.append(Unit(chapter="cheap_learning", name=f"shallow-vs-deep bank, n = {n}", cache_name=name,
                        cache_config=config, fn=run_shallow_deep_n, args=(sd, n)))
    rg_name, rg_cfg = _rg_key(cfg.rg, seed)
    out.append(Unit(chapter="cheap_learning", name=f"Gaussian-field sampling (seed {seed})", cache_name=rg_name,
                    cache_config=rg_cfg, fn=run_rg, args=(cfg.rg, seed)))
    return out


# ------------------------------------------------------------------ exact constructions (seconds)

def run_bayes(seed: int, K: int = 3, grid: int = 121) -> dict:
    """Eq. 1-8: the softmax network's posterior against Bayes' rule for K random 2-D Gaussian classes
    on a grid x grid square [-5, 5]^2, and the network whose monomials are 2-4-1 gates (lambda 0.1,
    0.01, 0.001) on 2000 points of [-1, 1]^2. Probabilities are dimensionless."""
    classes = bayes.gaussian_classes(K=K, d=2, rng=np.random.default_rng(seed))
    net = bayes.BayesSoftmaxNet(classes["means"], classes["covs"], classes["priors"])
    g = np.linspace(-5, 5, grid)
    Y = np.stack(np.meshgrid(g, g, indexing="xy"), -1).reshape(-1, 2)
    with torch.no_grad():
        p_net = net(torch.tensor(Y)).numpy()
    p_bayes = bayes.exact_posterior(Y, classes["means"], classes["covs"], classes["priors"])
    y_unit = torch.tensor(np.random.default_rng(seed).uniform(-1, 1, (2000, 2)))
    with torch.no_grad():
        p_exact = net(y_unit)
        gate_rows = [{"lambda": lam, "hidden neurons": 4 * len(net.pairs),
                      "max |p_gates - p_Bayes|": float((bayes.BayesGateNet(classes["means"], classes["covs"],
                                                        classes["priors"], lam=lam)(y_unit) - p_exact).abs().max())}
                     for lam in (1e-1, 1e-2, 1e-3)]
    return {"grid": g, "means": classes["means"], "p_net": p_net, "p_bayes": p_bayes, "K": K,
            "max_abs_err": float(np.abs(p_net - p_bayes).max()), "gates": pd.DataFrame(gate_rows)}


def run_gate_sweep(cfg: Config, activations=("softplus", "sigmoid", "tanh", "swish")) -> dict:
    """Eq. 10-11: max error of the 2-4-1 gate on a 101 x 101 grid of [-1,1]^2 against lambda, per
    activation: the operating point ``b``, the errors ``err`` (len(lambdas),), the predicted coefficient
    ``coef`` = |s''''(b)| / (3 |s''(b)|) and the log-log ``slope`` fitted for lambda <= gate_fit_max."""
    lams = np.asarray(cfg.lambdas, float)
    small = lams <= cfg.gate_fit_max
    out = {"lambdas": lams, "fit_max": cfg.gate_fit_max, "activations": {}}
    for name in activations:
        s = gates.ACTIVATIONS[name]
        b = 0.0 if abs(gates.derivatives(s, 0.0, 2)[2]) > 1e-8 else gates.best_bias(s)
        err = np.array([gates.gate_max_error(s, b, lam) for lam in lams])
        out["activations"][name] = {"b": b, "err": err, "coef": gates.error_coefficient(s, b),
                                    "slope": gates.loglog_slope(lams[small], err[small])}
    return out


def run_product_tree(cfg: Config, seed: int) -> pd.DataFrame:
    """Section II C: the product tree for each n in ``tree_ns``: ``neurons``, ``layers``, ``max_error`` and
    ``mean_error`` over ``tree_points`` uniform points of [-1, 1]^n plus up to 1024 corners."""
    return pd.DataFrame([gates.product_tree_error(n, cfg.tree_lambda, cfg.tree_points, np.random.default_rng(seed + n))
                         for n in cfg.tree_ns])


def run_bit_product(cfg: Config) -> dict:
    """Eq. 13: the exact max error of the one-neuron product of k = 3 bits against beta (enumeration), the
    paper's beta = D ln 10 and the digits it gives (-log10 of the error), and the beta needed for D digits."""
    D = cfg.bit_digits
    betas = np.linspace(1, 60, 60)
    beta_paper = D * np.log(10)
    return {"betas": betas, "errs": np.array([gates.bit_product_max_error(3, b) for b in betas]), "D": D,
            "beta_paper": float(beta_paper), "beta_needed": gates.beta_for_digits(D),
            "digits_at_paper": float(-np.log10(gates.bit_product_max_error(3, beta_paper)))}


def run_bits_function(cfg: Config, seed: int) -> pd.DataFrame:
    """Eq. 12: random 4-class posteriors on n bits built as a 3-layer network (2^n - 1 sigmoid products,
    a linear layer, a softmax), compared with Bayes' rule on all 2^n inputs."""
    rows = []
    for n in cfg.bit_ns:
        prob = gates.random_bit_posterior(n, K=4, rng=np.random.default_rng(seed + n))
        net = gates.BitFunctionNet(prob["H"], n, beta=cfg.bit_beta, mu=prob["mu"], softmax=True)
        hnet = gates.BitFunctionNet(prob["H"], n, beta=cfg.bit_beta)
        with torch.no_grad():
            y = gates.all_bits(n)
            err_p = float((net(y) - torch.tensor(prob["posterior"])).abs().max())
            err_H = float((hnet(y) - torch.tensor(prob["H"])).abs().max())
        rows.append({"n": n, "inputs 2^n": 2 ** n, "hidden neurons": 2 ** n - 1,
                     "max |H_net - H|": err_H, "bound": hnet.error_bound(), "max |p_net - p(x|y)|": err_p})
    return pd.DataFrame(rows)


def run_counting(cfg: Config) -> pd.DataFrame:
    """Section II D 3: parameter counts of the microphone example (n = n_mic, d = 2) for three conventions."""
    n = cfg.n_mic
    conv = {"all terms incl. constant h": None, "without h (normalisation)": (1, 2), "quadratic couplings only": (2,)}
    mic = pd.DataFrame([{"convention": k, **counting.microphone_counts(n, 2, degrees=v)} for k, v in conv.items()])
    mic["paper"] = ["(n+1)(n+2)/2 = %d" % ((n + 1) * (n + 2) // 2), "-> 2n = %d" % (2 * n), "-> 3"]
    return mic.rename(columns={"general": "generic d = 2", "local": "+ locality", "symmetric": "+ translation"})


def run_chain(cfg: ChainConfig, seed: int) -> dict:
    """Section III A-D. ``dpi``: I(x0; x_i) in bits, exact and plug-in (M samples), for a random Dirichlet
    chain of ``sizes``; ``inversion``: Theorem 2 on the noisy-copy chain of ``n_bits_chain`` steps;
    ``random_classes``: the classes of the minimal sufficient statistics of the random chain (all
    distinct: random channels make every T_i the identity); ``plugin_bias_bits``: the first-order
    plug-in bias (K_0 - 1)(K_n - 1) / (2 M ln 2) at the last level."""
    chain = hierarchy.random_chain(list(cfg.sizes), np.random.default_rng(seed), cfg.concentration)
    dpi = hierarchy.dpi_along_chain(chain["p0"], chain["Ms"], cfg.M, np.random.default_rng(seed + 1))
    nb = cfg.n_bits_chain
    flips = np.random.default_rng(seed + 2).uniform(0.05, 0.3, (nb, nb))
    bitchain = hierarchy.noisy_copy_chain(nb, flips)
    inv = hierarchy.stepwise_inversion(bitchain["p0"], bitchain["Ms"])
    rand_inv = hierarchy.stepwise_inversion(chain["p0"], chain["Ms"])
    return {"sizes": tuple(cfg.sizes), "M": cfg.M, "dpi": dpi, "n_bits_chain": nb, "inversion": inv,
            "random_classes": rand_inv["n_classes"][:-1],
            "plugin_bias_bits": (cfg.sizes[0] - 1) * (cfg.sizes[-1] - 1) / (2 * cfg.M * np.log(2))}


def run_flattening(cfg: Config, seed: int) -> dict:
    """Section III G (eq. 25-27): tables ``fft`` (butterflies vs DFT), ``low_rank`` (B C vs n/2k) and
    ``sparse`` (random 0/1 products: per (n, p) the mean and standard error over ``sparse_draws`` draws
    of nnz(AB), ``flat_mean``/``flat_se``, beside the exact expectation ``flat_expected``)."""
    fft = pd.DataFrame([flattening.fft_flattening(2 ** j) for j in range(1, 10)])
    lr = pd.DataFrame([flattening.low_rank_flattening(n, k, np.random.default_rng(seed + n + k))
                       for n in (64, 128, 256) for k in (1, 2, 4, 8, 16, 32)])
    srng = np.random.default_rng(seed + 3)
    sp = pd.DataFrame([flattening.sparse_flattening(n, p, cfg.sparse_draws, srng)
                       for p in cfg.sparse_ps for n in cfg.sparse_ns])
    return {"fft": fft, "low_rank": lr, "sparse": sp, "draws": cfg.sparse_draws}


def run_counterexample(seed: int, n_states: int = 8, n_fields: int = 21) -> dict:
    """Appendix A (eq. 28-32) on ``n_states`` states with random H and K: at x = 0 (``at_zero``) and for
    ``n_fields`` external fields x in [-1, 1] (``scan``): Z, Z_tot, p, p~ and TV(p, p~)."""
    arng = np.random.default_rng(seed + 4)
    H0, K0 = arng.normal(0, 1, n_states), arng.normal(0, 1, n_states)
    ce = bayes.partition_counterexample(n_states, arng, H=H0, K=K0)
    fields = np.linspace(-1, 1, n_fields)
    scan = [bayes.partition_counterexample(n_states, arng, field=f, H=H0, K=K0) for f in fields]
    return {"at_zero": ce, "fields": fields, "Z": np.array([r["Z"] for r in scan]),
            "Z_tot": np.array([r["Z_tot"] for r in scan]), "tv": np.array([r["tv"] for r in scan]),
            "n_states": n_states}


def shallow_deep_table(sd: dict) -> pd.DataFrame:
    """One row per (n, shallow/deep) of :func:`run_shallow_deep`: ``layers``, ``min neurons`` (smallest
    hidden-neuron count reaching the target; NaN if none) and ``reached``."""
    rows = []
    for row in sd["rows"]:
        for name in ("shallow", "deep"):
            r = row[name]
            rows.append({"n": row["n"], "net": name, "layers": r["layers"], "min neurons": r["neurons"],
                         "reached": bool(r["reached"])})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ issue 15: the statements as constructions

def run_rg_critical(cfg: Config) -> dict:
    """:func:`deepinfo.cheap.rg.critical_flow`: the exact block-average flow of x2'/x1' from the critical
    starts (0, 1, x2), its fixed point r* and the deviations r(b) - r*; Fourier decimation beside it."""
    return rg.critical_flow(cfg.rg_x2_starts, cfg.rg_bs, cfg.rg_Lc, cfg.rg.kmax)


def run_shallow_product(cfg: Config, seed: int) -> dict:
    """The 2^n-neuron one-hidden-layer product network (softplus at b = ``product_b``) for each n: ``err``
    (len(ns), len(lambdas)), the max error over ``product_points`` uniform points of [-1, 1]^n and all
    corners; ``coef`` the predicted max error / lambda^2; ``minimality`` the exact Walsh-matrix check;
    ``table`` neurons of one hidden layer (2^n) against the product tree (4(n - 1), for n a power of 2)."""
    ns, lams = list(cfg.product_ns), list(cfg.product_lambdas)
    err = np.array([[shallow_product.max_error(n, lam, cfg.product_points, np.random.default_rng(seed + n),
                                               cfg.product_b) for lam in lams] for n in ns])
    coef = np.array([shallow_product.ShallowProductNet(n, lams[-1], cfg.product_b).coef for n in ns])
    mini = [shallow_product.minimality(n) for n in ns]
    table = pd.DataFrame([{"n": n, "one hidden layer: 2^n": 2 ** n,
                           "tree: 4(n-1)": 4 * (n - 1) if n & (n - 1) == 0 else None,
                           "tree layers: log2 n": int(np.log2(n)) if n & (n - 1) == 0 else None}
                          for n in (2, 4, 8, 16, 32, 64)])
    return {"ns": np.array(ns), "lambdas": np.array(lams), "b": cfg.product_b, "err": err, "coef": coef,
            "minimality": mini, "table": table}


def run_cliques(cfg: Config, seed: int) -> pd.DataFrame:
    """The clique-cover count for random Hamiltonians on an 8-spin ring (pairs), a periodic 3 x 3 grid (pairs)
    and an 8-spin ring of triangles {i, i+1, i+2}: neurons of the network built, N_c 2^S_c, 2^n - 1, error."""
    rng = np.random.default_rng(seed + 5)
    cases = {"ring of 8, pairs": (8, cliques.ring_cliques(8, 2)), "3 x 3 grid, pairs": (9, cliques.grid_cliques(3)),
             "ring of 8, triples": (8, cliques.ring_cliques(8, 3))}
    return pd.DataFrame([{"model": k, **cliques.clique_cover_count(n, c, rng)} for k, (n, c) in cases.items()])


def run_max_entropy(cfg: Config, seed: int) -> dict:
    """:func:`deepinfo.cheap.cliques.max_entropy_check` on ``maxent_n`` spins with moments up to order 2.

    Under the book's thread policy (one BLAS thread): the constrained solver's last digits depend on
    the number of BLAS threads, and the same seed and preset must give the same numbers wherever
    the chapter runs (a Dask run leaves its process with one BLAS thread)."""
    from ...device import cpu_threads

    with cpu_threads("cpu"):
        return cliques.max_entropy_check(cfg.maxent_n, np.random.default_rng(seed + 6), order=2)


def run_strassen(cfg: Config, seed: int) -> dict:
    """:func:`deepinfo.cheap.strassen.strassen_check` for n = 2^k, k in ``strassen_ks``."""
    return strassen.strassen_check(cfg.strassen_ks, cfg.strassen_draws, np.random.default_rng(seed + 7))
