"""Synthesis runs: resolution and relevance meet the information plane (the book's own chapter).

For a deterministic layer T of a network fed P equally likely inputs, the binned layer is a
function of X, so I(X;T) = H(T) = H[s], the resolution of Song et al. (eq. 1) computed on the
frequencies k_s of the layer's binned states over the P = 4096 patterns.

**The ensemble is the information-plane chapter's.** :func:`run_ensemble` does not train: it
takes the main training of the information-plane chapter (Shwartz-Ziv & Tishby's networks
12-10-7-5-4-3-2, tanh, that chapter's optimiser, learning rate, batch and training share) at
the preset ``cfg.information_plane`` through that chapter's public runner
:func:`deepinfo.experiments.information_plane.run.run_training`, so the cache entry is the one
the information-plane page fills (:func:`training_key`) and a book build trains it once. From the
weights it keeps at every snapshot, :func:`deepinfo.models.ensemble.measure_snapshots` recomputes
the activations and the synthesis measures are applied afterwards (exactly as they would be on the
fly): the information-plane coordinates and the resolution and relevance of the same binned
states at every snapshot, and the power-law verdict, the one expensive measure, only where the
claims and figures read it, at each layer's compression turn and at the end (:func:`power_law_at`).
These measures are cached apart (:func:`ensemble_key`: the training's key plus the bins), so a new
measure never retrains. :func:`run_chain` trains narrowing networks on the last level of a Lin &
Tegmark hierarchical Markov chain.

Units: every entropy and mutual information in the results is in BITS (``H_s``, ``H_k``,
``I_X``, ``I_Y``, ``I_chain``, ``I_T_X0``, gaps), with the number of samples ``M`` (or ``P``)
stored beside it. Dividing by log2 M, the axes of Song et al. Fig. 2a, happens at plot time
(:mod:`deepinfo.plotting.relevance`), never in a result.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from ...cache import ResultCache
from ...cheap.hierarchy import ChainConfig
from ...compute import Unit
from ...device import cpu_threads, resolve_device
from ...estimators import power_law_verdict, relevance, relevance_gap, resolution, state_counts
from ...estimators.information_plane import bin_indices, binned_information_plane
from ...models.ensemble import measure_snapshots
# the information-plane chapter's public runner module (its presets, main-run config, training runner, units)
from ..information_plane import run as ip_run

# bumped whenever what a runner returns changes, so older cache entries are not reused
# (3: power-law verdicts instead of a bare fit; several chain networks; results in bits only;
#  4: power-law verdicts at the turn and the end only, snapshot weights kept; no verdicts on the chain.
#  The ensemble's results then moved to a new entry, "synthesis_measures": the measures of the
#  information-plane chapter's main training, keyed by that training; the chain entries are unchanged)
RESULT_VERSION = 4
ENSEMBLE_CACHE, CHAIN_CACHE, DISTILLER_CACHE = "synthesis_measures", "synthesis_chain", "synthesis_distiller"
#: the rule of the reused training (the information-plane chapter's name for the 12-bit rule of eq. 10)
RULE = "spherical"

#: the information-plane network 12-10-7-5-4-3-2 (Shwartz-Ziv & Tishby sec. 3.1): hidden layers and output
LAYER_NAMES = ("T1 (10)", "T2 (7)", "T3 (5)", "T4 (4)", "T5 (3)", "Y (2)")

#: status codes of :func:`deepinfo.estimators.power_law_verdict` as stored in results
STATUS_CODE = {"holds": 1.0, "fails": 0.0, "inconclusive": -1.0}


@dataclass(frozen=True)
class EnsembleRun:
    """The ensemble behind the synthesis: the information-plane chapter's main run, measured here.

    information_plane : the information-plane chapter's :class:`~deepinfo.experiments.information_plane.run.Config`
        (one of its ``PRESETS``) whose main training is reused, i.e.
        ``ensemble_config(information_plane, seed)``: networks 12-10-7-5-4-3-2, tanh, ``n_networks``,
        ``epochs``, ``n_snapshots``, ``optimizer``, ``lr``, ``batch_size`` and ``main_fraction`` as that
        chapter sets them (override e.g. ``ensemble.information_plane.n_networks``)
    n_bins : equal bins on [-1, 1] per unit (Shwartz-Ziv & Tishby sec. 3.2: 30)
    ib_betas : Lagrange multipliers of the IB curve of the rule (log-spaced in [10^-0.5, 10^3])
    """

    information_plane: ip_run.Config = field(default_factory=lambda: ip_run.PRESETS["full"])
    n_bins: int = 30
    ib_betas: int = 100


@dataclass(frozen=True)
class ChainRun:
    """Narrowing tanh networks trained on the last level of a Lin & Tegmark chain (sec. III A-D).

    chain : the chain (:class:`deepinfo.cheap.hierarchy.ChainConfig`): states per level, Dirichlet
        concentration of the channels, M samples
    hidden : widths of the hidden layers; the input is x_n in binary, the output x_0
    epochs, n_networks : training length; independent networks (seeds seed, seed + 1, ...)
    n_bins : equal bins on [-1, 1] per unit when the layers' states are counted
    """

    chain: ChainConfig = field(default_factory=lambda: ChainConfig(sizes=(4, 16, 64, 256), concentration=0.05,
                                                                   M=20_000))
    hidden: tuple = (32, 16, 8, 4)
    epochs: int = 30
    n_networks: int = 3
    n_bins: int = 30


@dataclass(frozen=True)
class DistillerRun:
    """Narrowing networks trained on a chain whose minimal sufficient statistic is much smaller than x_n.

    The noisy-copy bit chain of :func:`deepinfo.cheap.hierarchy.noisy_copy_chain` (Lin & Tegmark
    sec. III C, Theorem 2): x_0 is one fair bit; each of ``n_steps`` steps copies every bit through
    a binary symmetric channel of flip probability ``flip`` and appends a fresh fair bit, so x_n has
    n_steps + 1 bits but only the descendant of x_0's bit is informative: the minimal sufficient
    statistic T_0(x_n) of P(x_0 | x_n) has 2 classes. ``M`` samples; networks of ``hidden`` tanh
    layers see x_n in binary and predict x_0; ``epochs``, ``n_networks``, ``n_bins`` as in :class:`ChainRun`.
    """

    n_steps: int = 4
    flip: float = 0.05
    M: int = 20_000
    hidden: tuple = (16, 8, 4)
    epochs: int = 20
    n_networks: int = 3
    n_bins: int = 30


@dataclass(frozen=True)
class Config:
    """Everything the synthesis page runs (``-p overrides '{"chain.n_networks": 2}'``).

    ensemble : the information-plane chapter's main run reused and the synthesis measures applied to it
        (:class:`EnsembleRun`; each preset holds that chapter's preset of the same name)

    families_preset : the preset of the resolution/relevance and scale-invariance chapters whose
        cached runs the three-families plane reads (the page's own preset by default)
    """

    ensemble: EnsembleRun = field(default_factory=EnsembleRun)
    chain: ChainRun = field(default_factory=ChainRun)
    distiller: DistillerRun = field(default_factory=DistillerRun)
    families_preset: str = "quick"


def _chain(M: int) -> ChainConfig:
    return ChainConfig(sizes=(4, 16, 64, 256), concentration=0.05, M=M)


PRESETS = {
    "smoke": Config(EnsembleRun(ip_run.PRESETS["smoke"], ib_betas=40),
                    ChainRun(chain=_chain(4000), epochs=5, n_networks=2),
                    DistillerRun(M=4000, epochs=5, n_networks=2), families_preset="smoke"),
    "quick": Config(EnsembleRun(ip_run.PRESETS["quick"], ib_betas=100),
                    ChainRun(chain=_chain(20_000), epochs=30, n_networks=3),
                    DistillerRun(M=20_000, epochs=20, n_networks=3), families_preset="quick"),
    "full": Config(EnsembleRun(ip_run.PRESETS["full"], ib_betas=100),
                   ChainRun(chain=_chain(100_000), epochs=100, n_networks=5),
                   DistillerRun(M=100_000, epochs=50, n_networks=5), families_preset="full"),
}


# ------------------------------------------------------------------------- per-layer measures
def power_law_codes(activations: torch.Tensor, n_bins: int = 30, networks=None,
                    n_boot: int | None = None) -> dict[str, np.ndarray]:
    """The power-law verdict of one layer's m_k (:func:`deepinfo.estimators.power_law_verdict`), per network.

    activations : (K, P, N), binned like :func:`layer_relevance`; ``networks`` : the indices j of the
    networks to decide (default all; the others stay NaN), each with ``rng=j`` so that a network's
    verdict does not depend on which others are decided. Returns arrays (K,): ``beta``, ``beta_se``
    and ``pl_status`` (:data:`STATUS_CODE`: 1 holds, 0 fails, -1 inconclusive).
    """
    idx, _ = bin_indices(activations, n_bins, -1.0, 1.0)
    K = idx.shape[0]
    out = {k: np.full(K, np.nan) for k in ("beta", "beta_se", "pl_status")}
    kw = {} if n_boot is None else {"n_boot": n_boot}
    for j in (range(K) if networks is None else networks):
        v = power_law_verdict(state_counts(idx[int(j)]), rng=int(j), **kw)
        out["beta"][j], out["beta_se"][j], out["pl_status"][j] = v.beta, v.beta_se, STATUS_CODE[v.status]
    return out


def layer_relevance(activations: torch.Tensor, n_bins: int = 30, power_law: bool = True,
                    n_boot: int | None = None) -> dict[str, np.ndarray]:
    """Resolution H[s], relevance H[k] (bits) and the power-law verdict of one layer, per network.

    activations : (K, P, N) activations of K networks for the same P equally likely patterns.
    Units are binned like the information plane (n_bins equal bins on [-1, 1]); a state is the
    tuple of bin indices; k_s counts the patterns in state s (Song et al. eq. 7). Returns arrays
    of shape (K,): ``H_s``, ``H_k`` (bits, eqs. 1-2 with log2), and with ``power_law`` the verdict
    of :func:`power_law_codes` (``beta``, ``beta_se``, ``pl_status``; NaN without it).
    """
    idx, _ = bin_indices(activations, n_bins, -1.0, 1.0)
    K = idx.shape[0]
    out = {k: np.full(K, np.nan) for k in ("H_s", "H_k", "beta", "beta_se", "pl_status")}
    for j in range(K):
        counts = state_counts(idx[j])
        out["H_s"][j] = resolution(counts)
        out["H_k"][j] = relevance(counts)
    if power_law:
        out.update(power_law_codes(activations, n_bins, n_boot=n_boot))
    return out


def power_law_at(snapshots: dict, X: np.ndarray, p_y_given_x: np.ndarray, snap: np.ndarray, n_bins: int = 30,
                 device: str | torch.device = "cpu", n_boot: int | None = None) -> dict[str, np.ndarray]:
    """The power-law verdict of every layer l and network k at ITS snapshot ``snap[l, k]`` only.

    snapshots : the kept weights of :func:`deepinfo.models.ensemble.train_ensemble` (``keep_snapshots``);
    snap : (L, K) snapshot indices (e.g. each layer's compression turn). The activations are recomputed by
    :func:`deepinfo.models.ensemble.measure_snapshots` (exactly those of training), one snapshot and layer
    at a time, and :func:`power_law_codes` decides only the networks that need that snapshot: L x K
    verdicts instead of S x L x K. Returns (L, K) arrays ``beta``, ``beta_se``, ``pl_status``.
    """
    snap = np.asarray(snap, dtype=int)
    L, K = snap.shape
    out = {k: np.full((L, K), np.nan) for k in ("beta", "beta_se", "pl_status")}
    for s in np.unique(snap):
        one = {"epochs": np.asarray(snapshots["epochs"])[[s]], "activation": snapshots.get("activation", "tanh"),
               "W": [np.asarray(w)[[s]] for w in snapshots["W"]], "b": [np.asarray(b)[[s]] for b in snapshots["b"]]}
        for l in range(L):
            nets = np.flatnonzero(snap[l] == s)
            if nets.size == 0:
                continue
            m = measure_snapshots(one, X, p_y_given_x, {"pl": lambda T, _: power_law_codes(T, n_bins, nets, n_boot)},
                                  layers=[l], device=device)["values"]["pl"]
            for k in out:
                out[k][l, nets] = m[k][0, l, nets]
    return out


def training_config(cfg: EnsembleRun, seed: int):
    """The :class:`deepinfo.models.ensemble.EnsembleConfig` of the reused training: the information-plane
    chapter's main run at ``cfg.information_plane`` (its ``ensemble_config``), seed ``seed``."""
    return ip_run.ensemble_config(cfg.information_plane, int(seed))


def training_key(cfg: EnsembleRun, seed: int) -> tuple[str, dict]:
    """The cache entry ``(name, config)`` of the reused training: the information-plane chapter's own
    :func:`~deepinfo.experiments.information_plane.run.training_key` of its main run (the same entry)."""
    return ip_run.training_key(training_config(cfg, seed), RULE)


def ensemble_key(cfg: EnsembleRun, seed: int) -> tuple[str, dict]:
    """The cache entry ``(name, config)`` of the synthesis measures of :func:`run_ensemble` (the training's
    key, the bins and this module's result version): shared by the runner and its unit."""
    return ENSEMBLE_CACHE, {"training": training_key(cfg, seed)[1], "n_bins": int(cfg.n_bins),
                            "result_version": RESULT_VERSION}


def chain_key(cfg: ChainRun, seed: int) -> tuple[str, dict]:
    """The cache entry ``(name, config)`` of :func:`run_chain`: shared by the runner and its unit."""
    return CHAIN_CACHE, dict(asdict(cfg), seed=int(seed), result_version=RESULT_VERSION)


def distiller_key(cfg: DistillerRun, seed: int) -> tuple[str, dict]:
    """The cache entry ``(name, config)`` of :func:`run_distiller`: shared by the runner and its unit."""
    return DISTILLER_CACHE, dict(asdict(cfg), seed=int(seed), result_version=RESULT_VERSION)


def synthesis_measures(n_bins: int = 30) -> dict:
    """The per-snapshot measures of the synthesis, name -> fn(T (K, P, N), p(y|x)) for
    :func:`deepinfo.models.ensemble.measure_snapshots` (or ``train_ensemble``): ``plane`` the binned
    (I_X, I_Y) in bits and ``relevance`` (H_s, H_k) in bits of the same binned states (n_bins on [-1, 1])."""
    def plane(acts, pyx):
        return binned_information_plane(acts, pyx, n_bins, -1.0, 1.0)

    def resolution_relevance(acts, pyx):
        r = layer_relevance(acts, n_bins, power_law=False)
        return r["H_s"], r["H_k"]

    return {"plane": plane, "relevance": resolution_relevance}


def run_ensemble(cfg: EnsembleRun, seed: int = 0, device: str | torch.device = "cpu", progress: bool = True,
                 cache: ResultCache | None = None) -> dict:
    """The information-plane chapter's main training, measured: (I_X, I_Y) and (H_s, H_k) of every layer
    at every snapshot, and the power-law verdict of every layer at its compression turn and at the end.

    The training is that chapter's, read (or, when that page has not run yet, trained once) through its
    public runner :func:`deepinfo.experiments.information_plane.run.run_training` under
    :func:`training_key`; nothing is trained here. The measures are computed from its stored snapshot
    weights by :func:`deepinfo.models.ensemble.measure_snapshots` (:func:`synthesis_measures`,
    :func:`power_law_at`) and cached under :func:`ensemble_key`.

    Returns a dict: arrays of shape (S, L, K) (S snapshots, L layers, K networks) ``I_X``, ``I_Y``,
    ``H_s``, ``H_k`` (bits); ``epochs`` (S,); ``rule_acc`` (S, K); ``turn`` (L, K) the snapshot of each
    layer's largest I(X;T) (:func:`compression_turn`); (L, K) ``beta_turn``, ``beta_se_turn``,
    ``pl_status_turn`` and the same ``*_end`` at the last snapshot (:data:`STATUS_CODE`,
    :func:`power_law_at`); the rule's ``pxy`` (P, 2); ``P`` (= M of the resolution-relevance picture,
    4096); and from the training ``final`` weights, the ``snapshots`` weights and its ``config``.
    """
    cache = cache or ResultCache()
    name, key = ensemble_key(cfg, seed)
    device = resolve_device(device) if isinstance(device, str) else device
    train = ip_run.run_training(training_config(cfg, seed), RULE, device=device, cache=cache, progress=progress,
                                desc="information-plane main ensemble")
    rule = ip_run.rule_for(RULE)

    def compute():
        with cpu_threads(device):
            m = measure_snapshots(train["snapshots"], rule.X, rule.p_y_given_x, synthesis_measures(cfg.n_bins),
                                  device=device)
            I_X = m["I_X"]["plane"]
            turn = compression_turn(I_X)
            out = {"epochs": np.asarray(train["epochs"]), "I_X": I_X, "I_Y": m["I_Y"]["plane"],
                   "H_s": m["I_X"]["relevance"], "H_k": m["I_Y"]["relevance"], "turn": turn,
                   "rule_acc": np.asarray(train["rule_acc"]), "pxy": rule.pxy, "P": int(len(rule.X))}
            for w, snap in (("turn", turn), ("end", np.full_like(turn, len(out["epochs"]) - 1))):
                pl = power_law_at(train["snapshots"], rule.X, rule.p_y_given_x, snap, cfg.n_bins, device)
                out.update({f"{k}_{w}": v for k, v in pl.items()})
        return out

    out = dict(cache.get_or_compute(name, key, compute))
    out.update(final=train["final"], snapshots=train["snapshots"], config=train.get("config"))
    return out


# ----------------------------------------------------------------------------------- analysis
def compression_turn(I_X: np.ndarray) -> np.ndarray:
    """Snapshot index of the largest I(X;T) of each layer and network, (L, K): where compression starts.

    I_X : (S, L, K) in bits. Ties go to the earliest snapshot.
    """
    return np.nanargmax(np.asarray(I_X, dtype=float), axis=0)


def at_snapshot(arr: np.ndarray, snap: np.ndarray) -> np.ndarray:
    """arr (S, L, K) read at snapshot snap (L, K) -> (L, K)."""
    L, K = snap.shape
    return np.asarray(arr)[snap, np.arange(L)[:, None], np.arange(K)[None, :]]


def turn_and_end(res: dict) -> dict:
    """Every layer and network at its compression turn (largest I(X;T)) and at the end of training.

    Returns (L, K) arrays ``<q>_turn`` and ``<q>_end`` for q in I_X, H_s, H_k (bits), beta, pl_status
    (the verdicts :func:`run_ensemble` computed at exactly these snapshots), ``gap_turn``/``gap_end``
    (bits below the maximal-relevance curve for M = P, :func:`deepinfo.estimators.relevance_gap`) and
    ``turn_epoch`` (L, K).
    """
    turn = compression_turn(res["I_X"])
    if not np.array_equal(turn, np.asarray(res["turn"])):
        raise ValueError("res['turn'] is not the snapshot of largest I(X;T): the power-law verdicts were "
                         "computed at other snapshots than the ones read here")
    end = np.full_like(turn, len(res["epochs"]) - 1)
    out = {}
    for q in ("I_X", "H_s", "H_k"):
        out[f"{q}_turn"], out[f"{q}_end"] = at_snapshot(res[q], turn), at_snapshot(res[q], end)
    for q in ("beta", "pl_status"):
        out[f"{q}_turn"], out[f"{q}_end"] = np.asarray(res[f"{q}_turn"]), np.asarray(res[f"{q}_end"])
    P = int(res["P"])
    for w in ("turn", "end"):
        out[f"gap_{w}"] = relevance_gap(out[f"H_s_{w}"], out[f"H_k_{w}"], P)
    out["turn_epoch"] = np.asarray(res["epochs"])[turn]
    return out


def ib_bound(pxy: np.ndarray, n_betas: int = 100) -> dict:
    """The information-bottleneck curve of a rule's p(x, y) (Shwartz-Ziv & Tishby eq. 9, Fig. 6).

    Patterns with the same p(y|x) are merged first (this leaves the curve unchanged and makes it
    cheap); the curve is annealed with :func:`deepinfo.estimators.information_bottleneck_curve`
    over ``n_betas`` log-spaced beta in [10^-0.5, 10^3], sorted by I_X and made non-decreasing.
    Returns ``curve_I_X``, ``curve_I_Y`` (bits) and the rule's ``I_XY``.
    """
    from ...estimators import information_bottleneck_curve, mutual_information_table

    pxy = np.asarray(pxy, dtype=float)
    pyx1 = pxy[:, 1] / pxy.sum(1)
    cls = np.unique(np.round(pyx1, 12), return_inverse=True)[1].reshape(-1)
    merged = np.zeros((cls.max() + 1, pxy.shape[1]))
    np.add.at(merged, cls, pxy)
    curve = information_bottleneck_curve(merged, np.logspace(-0.5, 3, n_betas))
    cx, cy = np.asarray(curve.I_X, dtype=float), np.asarray(curve.I_Y, dtype=float)
    order = np.argsort(cx, kind="stable")
    return {"curve_I_X": cx[order], "curve_I_Y": np.maximum.accumulate(cy[order]),
            "I_XY": mutual_information_table(pxy)}


def ib_gap(I_X, I_Y, bound: dict) -> np.ndarray:
    """Vertical gap below the IB curve, I_Y^IB(I_X) - I_Y in bits (the curve interpolated at I_X;
    beyond its last point the curve is flat at max(I_Y^IB, I(X;Y)))."""
    cx, cy = bound["curve_I_X"], bound["curve_I_Y"]
    I_X = np.asarray(I_X, dtype=float)
    return np.interp(I_X, cx, cy, right=max(float(cy.max()), float(bound["I_XY"]))) - np.asarray(I_Y, dtype=float)


def ib_comparison(res: dict, cfg: EnsembleRun) -> dict:
    """The converged layers against the IB bound of the rule, beside each layer's H[s] + H[k].

    Returns (L, K) arrays at the last snapshot: ``gap`` (bits below the IB curve), ``H_sum``
    (H[s] + H[k], bits), ``I_X``, ``I_Y``; and the ``bound`` of :func:`ib_bound`.
    """
    bound = ib_bound(res["pxy"], cfg.ib_betas)
    I_X, I_Y = res["I_X"][-1], res["I_Y"][-1]
    return {"gap": ib_gap(I_X, I_Y, bound), "H_sum": res["H_s"][-1] + res["H_k"][-1], "I_X": I_X, "I_Y": I_Y,
            "bound": bound, "P": int(res["P"])}


# ----------------------------------------------------------------- Lin & Tegmark's chain as data
def _entropy_bits(p) -> float:
    """H = -sum p log2 p of a probability vector (bits)."""
    p = np.asarray(p, dtype=float)
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def run_chain(cfg: ChainRun, seed: int = 0, device: str | torch.device = "cpu", progress: bool = True,
              cache: ResultCache | None = None) -> dict:
    """Train ``cfg.n_networks`` narrowing tanh networks on x_n (binary code) -> x_0 and measure every layer.

    Returns the exact ``I_chain`` (n+1,) = I(x_i; x_0) and ``H_chain`` (n+1,) = H(x_i) for every
    level i (bits, :func:`deepinfo.estimators.mutual_information_table`), ``bayes_acc`` (accuracy of
    argmax_x0 p(x_0 | x_n)), and for every network r and hidden layer T_l (units binned in n_bins
    equal bins on [-1, 1], states counted over the M samples) arrays of shape (R, L): the plug-in
    ``I_T_X0`` = I(T_l; x_0) and the same against shuffled labels ``I_T_X0_shuffled`` (the plug-in
    bias: a finite sample makes independent variables look dependent), ``H_s``, ``H_k`` (bits);
    ``test_acc`` (R,); ``M``. (No power-law verdict: no claim or figure reads one on the chain.)
    """
    from ...cheap.hierarchy import marginals_joint_with_x0, random_chain, sample_chain
    from ...estimators import mutual_information, mutual_information_table
    from ...models.feedforward import MLP, SupervisedTraining, accuracy, train_supervised

    cache = cache or ResultCache()
    ch = cfg.chain

    def compute():
        rng = np.random.default_rng(seed)
        chain = random_chain(list(ch.sizes), rng, ch.concentration)
        joints = marginals_joint_with_x0(chain["p0"], chain["Ms"])
        I_chain = np.array([mutual_information_table(J) for J in joints])
        H_chain = np.array([_entropy_bits(J.sum(0)) for J in joints])
        bayes_acc = float(joints[-1].max(axis=0).sum())  # predict argmax_x0 p(x0 | x_n)
        xs = sample_chain(chain["p0"], chain["Ms"], ch.M, rng)
        n_bits = int(np.ceil(np.log2(ch.sizes[-1])))
        x_in = ((xs[:, -1:] >> np.arange(n_bits)) & 1).astype(np.float32)
        y = xs[:, 0].astype(np.int64)
        n_test = ch.M // 5
        y_shuffled = np.random.default_rng(seed + 1).permutation(y)  # plug-in bias baseline
        rows = {k: [] for k in ("I_T_X0", "I_T_X0_shuffled", "H_s", "H_k")}
        test_acc = []
        for r in range(cfg.n_networks):
            torch.manual_seed(seed + r)
            model = MLP([n_bits, *cfg.hidden, ch.sizes[0]], activation="tanh")
            model = train_supervised(model, x_in[n_test:], y[n_test:], SupervisedTraining(epochs=cfg.epochs, lr=1e-2),
                                     seed=seed + r, device=device,
                                     progress=f"chain network {r + 1}/{cfg.n_networks}" if progress else False)
            xt = torch.as_tensor(x_in, device=next(model.parameters()).device)
            acts = model.hidden(xt)
            test_acc.append(accuracy(model, xt[:n_test], torch.as_tensor(y[:n_test], device=xt.device)))
            row = {k: [] for k in rows}
            for a in acts:
                lr_ = layer_relevance(a.detach().cpu()[None], cfg.n_bins, power_law=False)
                idx, _ = bin_indices(a.detach().cpu(), cfg.n_bins, -1.0, 1.0)
                row["I_T_X0"].append(mutual_information(idx.numpy(), y))
                row["I_T_X0_shuffled"].append(mutual_information(idx.numpy(), y_shuffled))
                for k in ("H_s", "H_k"):
                    row[k].append(float(lr_[k][0]))
            for k in rows:
                rows[k].append(row[k])
        return {"I_chain": I_chain, "H_chain": H_chain, "bayes_acc": bayes_acc, "test_acc": np.asarray(test_acc),
                "M": int(ch.M), **{k: np.asarray(v, dtype=float) for k, v in rows.items()}}

    with cpu_threads(device):
        return cache.get_or_compute(*chain_key(cfg, seed), compute)


def run_distiller(cfg: DistillerRun, seed: int = 0, device: str | torch.device = "cpu", progress: bool = True,
                  cache: ResultCache | None = None) -> dict:
    """Train ``cfg.n_networks`` narrowing tanh networks on x_n -> x_0 of the noisy-copy chain and
    compare each hidden layer with x_n and with the minimal sufficient statistic T_0(x_n).

    Returns, in bits: the exact ``I_xn_x0`` = I(x_n; x_0) and ``I_T0_x0`` = I(T_0(x_n); x_0) (equal:
    T_0 is sufficient), ``n_classes_T0``; plug-in over the M samples ``H_xn`` = H(x_n) and ``H_T0`` =
    H(T_0(x_n)); per network r and hidden layer l, arrays (R, L): ``H_s`` (resolution of the binned
    layer), ``I_T_X0`` (plug-in I(T_l; x_0)), ``I_T_X0_shuffled`` (the same against shuffled x_0: the
    plug-in bias); ``test_acc`` (R,), ``bayes_acc``, ``M``.
    """
    from ...cheap.hierarchy import (marginals_joint_with_x0, minimal_sufficient_labels, noisy_copy_chain,
                                    posterior_given_last, sample_chain)
    from ...estimators import mutual_information, mutual_information_table
    from ...models.feedforward import MLP, SupervisedTraining, accuracy, train_supervised

    cache = cache or ResultCache()

    def compute():
        rng = np.random.default_rng(seed)
        n = cfg.n_steps
        ch = noisy_copy_chain(n, np.full((n, n), cfg.flip))
        J = marginals_joint_with_x0(ch["p0"], ch["Ms"])[-1]  # (2, 2^(n+1))
        T0 = minimal_sufficient_labels(posterior_given_last(ch["p0"], ch["Ms"], 0))
        JT = np.zeros((J.shape[0], int(T0.max()) + 1))
        np.add.at(JT.T, T0, J.T)
        xs = sample_chain(ch["p0"], ch["Ms"], cfg.M, rng)
        n_bits = n + 1
        x_in = ((xs[:, -1:] >> np.arange(n_bits)[::-1]) & 1).astype(np.float32)
        y = xs[:, 0].astype(np.int64)
        n_test = cfg.M // 5
        y_shuffled = np.random.default_rng(seed + 1).permutation(y)
        rows = {k: [] for k in ("H_s", "I_T_X0", "I_T_X0_shuffled")}
        test_acc = []
        for r in range(cfg.n_networks):
            torch.manual_seed(seed + r)
            model = MLP([n_bits, *cfg.hidden, 2], activation="tanh")
            model = train_supervised(model, x_in[n_test:], y[n_test:], SupervisedTraining(epochs=cfg.epochs, lr=1e-2),
                                     seed=seed + r, device=device,
                                     progress=f"distiller network {r + 1}/{cfg.n_networks}" if progress else False)
            xt = torch.as_tensor(x_in, device=next(model.parameters()).device)
            test_acc.append(accuracy(model, xt[:n_test], torch.as_tensor(y[:n_test], device=xt.device)))
            row = {k: [] for k in rows}
            for a in model.hidden(xt):
                idx, _ = bin_indices(a.detach().cpu(), cfg.n_bins, -1.0, 1.0)
                row["H_s"].append(resolution(state_counts(idx.numpy())))
                row["I_T_X0"].append(mutual_information(idx.numpy(), y))
                row["I_T_X0_shuffled"].append(mutual_information(idx.numpy(), y_shuffled))
            for k in rows:
                rows[k].append(row[k])
        return {"I_xn_x0": mutual_information_table(J), "I_T0_x0": mutual_information_table(JT),
                "n_classes_T0": int(T0.max()) + 1, "H_xn": resolution(state_counts(xs[:, -1:])),
                "H_T0": resolution(state_counts(T0[xs[:, -1]][:, None])), "bayes_acc": float(J.max(axis=0).sum()),
                "test_acc": np.asarray(test_acc), "M": int(cfg.M), **{k: np.asarray(v, dtype=float) for k, v in rows.items()}}

    with cpu_threads(device):
        return cache.get_or_compute(*distiller_key(cfg, seed), compute)


# ------------------------------------------------------------------ three families on one plane
def family(H_s, H_k, M: int) -> dict:
    """One family of layers on the H[s]-H[k] plane: ``H_s``, ``H_k`` in BITS, ``M`` and ``gap`` (bits).

    H_s, H_k : (L,) one value per layer, or (R, L) realisations (averaged over axis 0 here). They
    must be in bits (resolution and relevance with log2), NOT divided by log2 M: the division
    happens at plot time. ``gap`` = :func:`deepinfo.estimators.relevance_gap` of the bits values.
    """
    hs, hk = np.asarray(H_s, dtype=float), np.asarray(H_k, dtype=float)
    if hs.ndim == 2:
        hs, hk = np.nanmean(hs, 0), np.nanmean(hk, 0)
    M = int(M)
    return {"H_s": hs, "H_k": hk, "M": M, "gap": relevance_gap(hs, hk, M)}


def normalised(fam: dict) -> dict:
    """The papers' axes (Song et al. Fig. 2a): ``H_s``, ``H_k`` and ``gap`` of a :func:`family`
    divided ONCE by log2 M (values in [0, 1])."""
    logM = np.log2(fam["M"])
    return {"H_s": fam["H_s"] / logM, "H_k": fam["H_k"] / logM, "gap": fam["gap"] / logM, "M": fam["M"]}


def dbn_family(dbn: dict) -> dict:
    """The DBN of Song et al. from the resolution/relevance chapter's public runner
    (:func:`deepinfo.experiments.resolution_relevance.run.dbn_layers`: H_s, H_k (R, L) in bits, M).

    Raises ``ValueError`` when every H_s is at most 1 while log2 M is large: a DBN's first layers sit
    near log2 M bits, so such values were divided by log M upstream (the unit bug of issue 12).
    """
    hs = np.asarray(dbn["H_s"], dtype=float)
    if np.nanmax(hs) <= 1.0 + 1e-9 and np.log2(int(dbn["M"])) > 4:
        raise ValueError(f"DBN H_s all <= 1 with M = {int(dbn['M'])}: these look divided by log M; "
                         "the synthesis expects resolution and relevance in bits")
    return family(hs, dbn["H_k"], int(dbn["M"]))


def counts_family(counts: list) -> dict:
    """A family from each layer's state counts k_s (all over the same M samples)."""
    M = int(np.sum(counts[0]))
    return family([resolution(c) for c in counts], [relevance(c) for c in counts], M)


def ensemble_family(res: dict) -> dict:
    """The information-plane networks at the end of training (network mean), M = P patterns."""
    return family(res["H_s"][-1].T, res["H_k"][-1].T, int(res["P"]))


def three_families(res: dict, preset: str, seed: int = 0, device="auto") -> dict:
    """Layers of three kinds of network on one H[s]-H[k] plane, each with its own M (bits in, bits out).

    * the DBN of Song et al. (MNIST; the resolution/relevance chapter's run at this preset),
    * the supervised MLP 784-70-50-35-10 of Lee & Jo (Fashion-MNIST, units thresholded at 0.5;
      the scale-invariance chapter's run at this preset),
    * the information-plane networks at the end of training (30 bins, P = 4096 patterns).

    The runs are the chapters' own cached results, through their public runners (computed here if
    the chapters did not run first). Returns {family name: :func:`family`}; normalise with
    :func:`normalised` or at plot time.
    """
    from .. import select_preset
    # the chapters' public runners, by module path (a package may export a function named ``run``)
    from ..resolution_relevance.run import PRESETS as RR_PRESETS, dbn_layers
    from ..scale_invariance.run import PRESETS as SI_PRESETS, run_mlp

    out = {}
    dbn = dbn_layers(select_preset(RR_PRESETS, preset), "trained", seed, device, progress=False)
    out["DBN (Song et al., MNIST)"] = dbn_family(dbn)
    mlp = run_mlp(select_preset(SI_PRESETS, preset).mlp, seed, device)
    t = list(mlp["thresholds"]).index(0.5) if 0.5 in list(mlp["thresholds"]) else 0
    out["MLP (Lee & Jo, Fashion-MNIST)"] = counts_family(mlp["counts"][t])
    out["IP networks (Shwartz-Ziv & Tishby)"] = ensemble_family(res)
    return out


def compression_table(te: dict, min_drop: float = 0.1) -> dict[str, np.ndarray]:
    """Per layer (L,), from :func:`turn_and_end`: the median ``turn_epoch``, network means of
    ``drop_I_X`` (turn - end), ``change_H_k`` (end - turn), ``gap_turn``, ``gap_end`` (bits), the
    median ``beta_turn``/``beta_end`` over networks whose m_k is a power law there (NaN if none),
    and ``compresses`` (mean drop > ``min_drop`` bits)."""
    import warnings

    def med_beta(w):
        b = np.where(np.asarray(te[f"pl_status_{w}"]) == 1, np.asarray(te[f"beta_{w}"], float), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmedian(b, axis=1)

    drop = np.nanmean(te["I_X_turn"] - te["I_X_end"], axis=1)
    return {"turn_epoch": np.median(te["turn_epoch"], axis=1), "drop_I_X": drop,
            "change_H_k": np.nanmean(te["H_k_end"] - te["H_k_turn"], axis=1),
            "beta_turn": med_beta("turn"), "beta_end": med_beta("end"),
            "gap_turn": np.nanmean(te["gap_turn"], axis=1), "gap_end": np.nanmean(te["gap_end"], axis=1),
            "compresses": drop > min_drop}


# ----------------------------------------------------------------------------------- units
def _dbn_units(preset: str, seed: int, device: str) -> list[Unit]:
    """The trained-DBN unit of the resolution/relevance chapter at ``preset`` (the entry :func:`three_families`
    reads through its public runner ``dbn_layers``), taken from that chapter's own ``units`` so that its key
    is the chapter's; none when the chapter lists no units."""
    import importlib

    from .. import select_preset

    rr = importlib.import_module("deepinfo.experiments.resolution_relevance.run")  # the module, not a `run` function
    if not hasattr(rr, "units"):
        return []
    return [u for u in rr.units(select_preset(rr.PRESETS, preset), seed, device)
            if u.fn is rr.dbn_result and len(u.args) > 1 and u.args[1] == "trained"]


def training_units(cfg: EnsembleRun, seed: int, device: str) -> list[Unit]:
    """The unit that fills the reused training: the information-plane chapter's own unit of its main run
    (from that chapter's ``units``, so the id and key are its own and a sweep over both chapters computes it
    once). It is found by its key, the chapter's ``spec_key(main_spec(...))``; should the chapter stop listing
    it, a unit of the training entry itself (:func:`training_key`, filled by its ``run_training``)."""
    ipc = cfg.information_plane
    want = ip_run.spec_key(ip_run.main_spec(ipc, seed))
    own = [u for u in ip_run.units(ipc, seed, device) if (u.cache_name, u.cache_config) == want]
    if own:
        return own[:1]
    name, key = training_key(cfg, seed)
    ens = training_config(cfg, seed)
    return [Unit(chapter="information_plane", name=f"main training ({ens.n_networks} networks, {ens.epochs:,} epochs)",
                 cache_name=name, cache_config=key, fn=ip_run.run_training, args=(ens, RULE),
                 kwargs={"device": device, "progress": False})]


def units(cfg: Config, seed: int = 0, device: str = "auto") -> list[Unit]:
    """The page's expensive cached pieces (:mod:`deepinfo.compute`): the information-plane chapter's main
    training (that chapter's own unit, :func:`training_units`), the synthesis measures of it (H[s], H[k],
    the binned plane and the power-law verdicts, :func:`ensemble_key`), the random chain and the noisy-copy
    chain (each ``(cache_name, cache_config)`` from the key helper its runner uses), and the trained DBN of
    the resolution/relevance chapter at ``cfg.families_preset`` (that chapter's own unit). The measures
    follow the training in the list; the chain runs train tiny networks on the CPU, as the page does. (The
    scale-invariance MLP of the three-families plane is not listed: that chapter lists no units.)"""
    e, c, d = cfg.ensemble, cfg.chain, cfg.distiller
    ens = training_config(e, seed)
    out = training_units(e, seed, device)
    out += [Unit(chapter="synthesis", name=f"synthesis measures of the information-plane main run "
                 f"({ens.n_networks} networks, {ens.epochs:,} epochs, {e.n_bins} bins)",
                 cache_name=ensemble_key(e, seed)[0], cache_config=ensemble_key(e, seed)[1], fn=run_ensemble,
                 args=(e, seed, device), kwargs={"progress": False}),
            Unit(chapter="synthesis", name=f"random chain, {c.n_networks} networks, M = {c.chain.M}",
                 cache_name=chain_key(c, seed)[0], cache_config=chain_key(c, seed)[1], fn=run_chain,
                 args=(c, seed, "cpu"), kwargs={"progress": False}),
            Unit(chapter="synthesis", name=f"noisy-copy chain, {d.n_networks} networks, M = {d.M}",
                 cache_name=distiller_key(d, seed)[0], cache_config=distiller_key(d, seed)[1], fn=run_distiller,
                 args=(d, seed, "cpu"), kwargs={"progress": False})]
    return out + _dbn_units(cfg.families_preset, seed, device)
