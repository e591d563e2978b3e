"""Synthesis: resolution and relevance meet the information plane (the book's own chapter).

For a deterministic layer T of a network fed equally likely inputs, the binned layer is a
function of X, so I(X;T) = H(T) = H[s], the resolution of Song et al. (eq. 1) computed on the
frequencies k_s of the layer's binned states over the P = 4096 patterns. This module trains
the information-plane ensembles of Shwartz-Ziv & Tishby (through
:func:`deepinfo.models.ensemble.train_ensemble`) and records, at every snapshot and for every
layer of every network, the information-plane coordinates *and* the resolution, relevance
and power-law exponent of the same binned states, so both pictures are read off one run.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from ..cache import ResultCache
from ..device import cpu_threads
from ..estimators import powerlaw_beta, relevance, resolution, state_counts
from ..estimators.information_plane import bin_indices, binned_information_plane
from . import PRESET_NAMES  # noqa: F401  (documented preset names)


@dataclass(frozen=True)
class SynthesisConfig:
    """The ensemble run behind the synthesis chapter (the paper's network 12-10-7-5-4-3-2, tanh)."""

    n_networks: int = 50
    epochs: int = 10_000
    n_snapshots: int = 200
    train_fraction: float = 0.85
    n_bins: int = 30
    seed: int = 0


# bumped whenever what a runner returns changes, so older cache entries are not reused
RESULT_VERSION = 2

PRESETS = {
    "smoke": SynthesisConfig(n_networks=4, epochs=150, n_snapshots=12),
    "quick": SynthesisConfig(n_networks=12, epochs=2500, n_snapshots=50),
    "full": SynthesisConfig(n_networks=50, epochs=10_000, n_snapshots=200),
}


def layer_relevance(activations: torch.Tensor, n_bins: int = 30, fit: bool = True) -> dict[str, np.ndarray]:
    """Resolution H[s], relevance H[k] (bits) and beta of the binned states of one layer, per network.

    activations : (K, P, N) activations of K networks for the same P equally likely patterns.
    Units are binned like the information plane (n_bins equal bins on [-1, 1]); a state is the
    tuple of bin indices; k_s counts the patterns in state s. Returns arrays of shape (K,):
    ``H_s``, ``H_k``, and with ``fit`` ``beta`` and ``beta_err`` (NaN when the tail has too few states).
    """
    idx, _ = bin_indices(activations, n_bins, -1.0, 1.0)
    K = idx.shape[0]
    out = {k: np.full(K, np.nan) for k in ("H_s", "H_k", "beta", "beta_err")}
    for j in range(K):
        counts = state_counts(idx[j])
        out["H_s"][j] = resolution(counts)
        out["H_k"][j] = relevance(counts)
        if not fit:
            continue
        try:
            fit = powerlaw_beta(counts)
        except ValueError:  # too few distinct frequencies for a tail fit
            continue
        if np.isfinite(fit.beta) and np.isfinite(fit.beta_err):  # all states distinct: no exponent
            out["beta"][j], out["beta_err"][j] = fit.beta, fit.beta_err
    return out


def run_ensemble(cfg: SynthesisConfig, device: str | torch.device = "cpu", progress: bool = True,
                 cache: ResultCache | None = None) -> dict:
    """Train the ensemble once, recording (I_X, I_Y) and (H_s, H_k, beta) of every layer at every snapshot.

    Returns a dict of arrays with shapes (S, L, K) (S snapshots, L layers, K networks) for
    ``I_X``, ``I_Y``, ``H_s``, ``H_k``, ``beta``, ``beta_err``; ``epochs`` (S,); ``rule_acc`` (S, K);
    and the rule's ``pxy`` (P, 2). Cached by configuration.
    """
    from ..data.spherical import spherical_rule
    from ..models.ensemble import EnsembleConfig, train_ensemble

    cache = cache or ResultCache()
    key = dict(asdict(cfg), result_version=RESULT_VERSION)

    def compute():
        rule = spherical_rule()
        ecfg = EnsembleConfig(n_networks=cfg.n_networks, epochs=cfg.epochs, n_snapshots=cfg.n_snapshots,
                              train_fraction=cfg.train_fraction, seed=cfg.seed)

        def plane(acts, pyx):
            return binned_information_plane(acts, pyx, cfg.n_bins, -1.0, 1.0)

        # the trainer's measures return two arrays each; resolution/relevance and the power-law
        # fit are two measures so that a resumed run keeps every value in its checkpoint
        def resolution_relevance(acts, pyx):
            r = layer_relevance(acts, cfg.n_bins, fit=False)
            return r["H_s"], r["H_k"]

        def power_law(acts, pyx):
            r = layer_relevance(acts, cfg.n_bins, fit=True)
            return r["beta"], r["beta_err"]

        rec = train_ensemble(ecfg, rule.X, rule.p_y_given_x,
                             {"plane": plane, "relevance": resolution_relevance, "beta": power_law},
                             device=device, progress=progress, desc="synthesis ensemble",
                             checkpoint=cache.checkpoint("synthesis_ensemble", key))
        return {"epochs": np.asarray(rec["epochs"]), "I_X": rec["I_X"]["plane"], "I_Y": rec["I_Y"]["plane"],
                "H_s": rec["I_X"]["relevance"], "H_k": rec["I_Y"]["relevance"],
                "beta": rec["I_X"]["beta"], "beta_err": rec["I_Y"]["beta"],
                "rule_acc": rec["rule_acc"], "pxy": rule.pxy, "P": int(len(rule.X)), "final": rec["final"]}

    with cpu_threads(device):
        return cache.get_or_compute("synthesis_ensemble", key, compute)


# ----------------------------------------------------------------------------------- analysis
def identity_gap(res: dict) -> float:
    """max |I(X;T) - H[s]| over snapshots, layers and networks, in bits (0 up to rounding)."""
    return float(np.nanmax(np.abs(res["I_X"] - res["H_s"])))


def compression_turn(res: dict) -> np.ndarray:
    """Snapshot index of the largest I(X;T) of each layer and network, (L, K): where compression starts."""
    return np.nanargmax(res["I_X"], axis=0)


def _at(arr: np.ndarray, snap: np.ndarray) -> np.ndarray:
    """arr (S, L, K) read at snapshot snap (L, K) -> (L, K)."""
    L, K = snap.shape
    return arr[snap, np.arange(L)[:, None], np.arange(K)[None, :]]


def relevance_bound_gap(H_s: np.ndarray, H_k: np.ndarray, P: int) -> np.ndarray:
    """H_k^max(H_s) - H_k: how far (bits) a point sits below the max-relevance curve for M = P samples."""
    from ..estimators import max_relevance_curve

    hs, hk = max_relevance_curve(P)
    order = np.argsort(hs)
    return np.interp(H_s, np.asarray(hs)[order], np.asarray(hk)[order]) - H_k


def compression_summary(res: dict, min_drop: float = 0.1) -> dict:
    """What the compression phase does to resolution, relevance and beta, layer by layer.

    For every layer and network the *turn* is the snapshot of largest I(X;T); a layer
    *compresses* when its network-average I(X;T) falls by more than ``min_drop`` bits from the
    turn to the end. Returns per-layer arrays (L,), averaged over networks: ``drop_I_X``,
    ``change_H_k`` (end - turn), ``beta_turn``, ``beta_end``, ``gap_turn``, ``gap_end`` (distance
    below the max-relevance curve) and the boolean ``compresses``.
    """
    turn = compression_turn(res)
    end = np.full_like(turn, len(res["epochs"]) - 1)
    out = {"drop_I_X": np.nanmean(_at(res["I_X"], turn) - _at(res["I_X"], end), axis=1),
           "change_H_k": np.nanmean(_at(res["H_k"], end) - _at(res["H_k"], turn), axis=1),
           "beta_turn": np.nanmean(_at(res["beta"], turn), axis=1),
           "beta_end": np.nanmean(_at(res["beta"], end), axis=1),
           "turn_epoch": np.median(np.asarray(res["epochs"])[turn], axis=1)}
    P = int(res["P"])
    out["gap_turn"] = np.nanmean(relevance_bound_gap(_at(res["H_s"], turn), _at(res["H_k"], turn), P), axis=1)
    out["gap_end"] = np.nanmean(relevance_bound_gap(_at(res["H_s"], end), _at(res["H_k"], end), P), axis=1)
    out["compresses"] = out["drop_I_X"] > min_drop
    return out


# ----------------------------------------------------------------- Lin & Tegmark's chain as data
@dataclass(frozen=True)
class ChainConfig:
    """A hierarchical Markov chain x0 -> x1 -> ... -> xn (Lin & Tegmark sec. III) used as a data set.

    ``sizes`` are the numbers of states per level; the network sees x_n written in binary
    (log2 sizes[-1] bits) and is trained to predict x_0 through the narrowing ``hidden`` layers.
    """

    sizes: tuple = (4, 16, 64, 256)
    concentration: float = 0.05
    M: int = 20_000
    hidden: tuple = (32, 16, 8, 4)
    epochs: int = 30
    n_bins: int = 30
    seed: int = 0


CHAIN_PRESETS = {
    "smoke": ChainConfig(M=4000, epochs=5),
    "quick": ChainConfig(M=20_000, epochs=30),
    "full": ChainConfig(M=100_000, epochs=100),
}


def run_chain(cfg: ChainConfig, device: str | torch.device = "cpu", progress: bool = True,
              cache: ResultCache | None = None) -> dict:
    """Train a narrowing tanh network on x_n (binary code) -> x_0 and measure every layer.

    Returns the exact ``I_chain`` = I(X_i; X_0) for every level i (bits), and for every hidden layer
    T_l (units binned in n_bins equal bins on [-1, 1], states counted over the M samples): the
    plug-in ``I_T_X0`` = I(T_l; X_0) and the same against shuffled labels ``I_T_X0_shuffled`` (the
    plug-in bias: a finite sample makes independent variables look dependent), ``H_s``, ``H_k`` and ``beta``; plus the test accuracy and the
    Bayes-optimal accuracy of predicting x_0 from x_n.
    """
    from ..cheap.hierarchy import marginals_joint_with_x0, mi_bits, random_chain, sample_chain
    from ..estimators import mutual_information
    from ..models.feedforward import MLP, SupervisedTraining, accuracy, train_supervised

    cache = cache or ResultCache()

    def compute():
        rng = np.random.default_rng(cfg.seed)
        chain = random_chain(list(cfg.sizes), rng, cfg.concentration)
        joints = marginals_joint_with_x0(chain["p0"], chain["Ms"])
        I_chain = np.array([mi_bits(J) for J in joints])
        bayes_acc = float(joints[-1].max(axis=0).sum())  # predict argmax_x0 p(x0 | x_n)
        xs = sample_chain(chain["p0"], chain["Ms"], cfg.M, rng)
        n_bits = int(np.ceil(np.log2(cfg.sizes[-1])))
        x_in = ((xs[:, -1:] >> np.arange(n_bits)) & 1).astype(np.float32)
        y = xs[:, 0].astype(np.int64)
        n_test = cfg.M // 5
        model = MLP([n_bits, *cfg.hidden, cfg.sizes[0]], activation="tanh")
        torch.manual_seed(cfg.seed)
        model = train_supervised(model, x_in[n_test:], y[n_test:], SupervisedTraining(epochs=cfg.epochs, lr=1e-2),
                                 seed=cfg.seed, device=device, progress="chain network" if progress else False)
        xt = torch.as_tensor(x_in, device=next(model.parameters()).device)
        acts = model.hidden(xt)
        test_acc = accuracy(model, xt[:n_test], torch.as_tensor(y[:n_test], device=xt.device))
        rows = {k: [] for k in ("I_T_X0", "I_T_X0_shuffled", "H_s", "H_k", "beta", "beta_err")}
        y_shuffled = np.random.default_rng(cfg.seed + 1).permutation(y)  # plug-in bias baseline
        for a in acts:
            r = layer_relevance(a.cpu()[None], cfg.n_bins)
            idx, _ = bin_indices(a.cpu(), cfg.n_bins, -1.0, 1.0)
            rows["I_T_X0"].append(mutual_information(idx.numpy(), y))
            rows["I_T_X0_shuffled"].append(mutual_information(idx.numpy(), y_shuffled))
            for k in ("H_s", "H_k", "beta", "beta_err"):
                rows[k].append(float(r[k][0]))
        return {"I_chain": I_chain, "H_chain": np.array([-(J.sum(0)[J.sum(0) > 0] * np.log2(J.sum(0)[J.sum(0) > 0])).sum()
                                                        for J in joints]),
                "bayes_acc": bayes_acc, "test_acc": float(test_acc), "M": cfg.M,
                **{k: np.asarray(v) for k, v in rows.items()}}

    with cpu_threads(device):
        return cache.get_or_compute("synthesis_chain", dict(asdict(cfg), result_version=RESULT_VERSION), compute)


def ib_comparison(res: dict, preset: str) -> dict:
    """The converged layers against the IB bound of the rule (via the information-plane chapter's
    :func:`deepinfo.experiments.information_plane.ib_analysis`), beside each layer's H[s] + H[k].

    Returns per-layer means over networks (L,): ``gap`` (bits below the IB curve), ``H_sum``
    (H[s] + H[k] at the end of training), and the 1-based layers ``closest_to_bound`` and
    ``most_relevant``.
    """
    from ..data.spherical import spherical_rule
    from . import information_plane as ip
    from . import select_preset

    shim = {"I_X": {"bin30": res["I_X"]}, "I_Y": {"bin30": res["I_Y"]}, "final": res["final"]}
    ib = ip.ib_analysis(shim, spherical_rule(), select_preset(ip.PRESETS, preset))
    gap = np.nanmean(ib["gap"], axis=1)
    H_sum = np.nanmean(res["H_s"][-1] + res["H_k"][-1], axis=1)
    # candidates: hidden layers (not the output) that do not keep every pattern apart; a layer
    # with I(X;T) = H(X) sits at the bound's end point whatever it learned
    I_X = np.nanmean(res["I_X"][-1], axis=1)
    candidate = np.arange(len(gap)) < len(gap) - 1
    candidate &= I_X < np.log2(res["P"]) - 0.1
    idx = np.flatnonzero(candidate)
    return {"gap": gap, "H_sum": H_sum, "ib": ib, "candidates": idx + 1,
            "closest_to_bound": int(idx[np.nanargmin(gap[idx])]) + 1 if idx.size else 0,
            "most_relevant": int(idx[np.nanargmax(H_sum[idx])]) + 1 if idx.size else 0}


def three_families(res: dict, preset: str, seed: int = 0, device="auto") -> dict:
    """Layers of three kinds of network on one H[s]-H[k] plane, each normalised by its log M.

    * the DBN of Song et al. (trained on MNIST; the resolution/relevance chapter's run at this preset),
    * the supervised MLP 784-70-50-35-10 of Lee & Jo (Fashion-MNIST, units thresholded at 0.5;
      the scale-invariance chapter's run at this preset),
    * the information-plane networks at the end of training (30 bins, P = 4096 patterns).

    The runs are the chapters' own cached results (computed here if the chapters did not run first).
    Returns, per family, ``H_s`` and ``H_k`` in units of log M (one value per layer), ``M`` and ``gap``:
    the distance below that M's maximal-relevance curve, also in units of log M.
    """
    from ..estimators import max_relevance_curve
    from . import resolution_relevance as rr
    from . import scale_invariance as si
    from . import select_preset

    out = {}
    dbn = rr.dbn_result(select_preset(rr.PRESETS, preset), "trained", seed, device, progress=False)
    M = int(dbn["M"])
    out["DBN (Song et al., MNIST)"] = {"H_s": np.nanmean(dbn["H_s"], 0), "H_k": np.nanmean(dbn["H_k"], 0), "M": M}
    mlp = si.run_mlp(select_preset(si.PRESETS, preset).mlp, seed, device)
    t = list(mlp["thresholds"]).index(0.5) if 0.5 in list(mlp["thresholds"]) else 0
    counts = mlp["counts"][t]
    out["MLP (Lee & Jo, Fashion-MNIST)"] = {"H_s": np.array([resolution(c) for c in counts]),
                                             "H_k": np.array([relevance(c) for c in counts]),
                                             "M": int(np.sum(counts[0]))}
    out["IP networks (Shwartz-Ziv & Tishby)"] = {"H_s": np.nanmean(res["H_s"][-1], 1),
                                                 "H_k": np.nanmean(res["H_k"][-1], 1), "M": int(res["P"])}
    for fam in out.values():
        hs, hk = max_relevance_curve(fam["M"])
        order = np.argsort(hs)
        logM = np.log2(fam["M"])
        fam["gap"] = (np.interp(fam["H_s"], np.asarray(hs)[order], np.asarray(hk)[order]) - fam["H_k"]) / logM
        fam["H_s"], fam["H_k"] = fam["H_s"] / logM, fam["H_k"] / logM
        fam["curve"] = (np.asarray(hs) / logM, np.asarray(hk) / logM)
    return out


def plot_three_families(fams: dict, ax=None):
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    for i, (name, f) in enumerate(fams.items()):
        ax.plot(*f["curve"], ":", color=f"C{i}", lw=0.8)
        ax.plot(f["H_s"], f["H_k"], "o-", color=f"C{i}", ms=4, label=f"{name}, M = {f['M']:,}")
        for l, (x, y) in enumerate(zip(f["H_s"], f["H_k"]), 1):
            ax.annotate(str(l), (x, y), fontsize=6, xytext=(2, 2), textcoords="offset points", color=f"C{i}")
    ax.set(xlabel="H[s] / log M", ylabel="H[k] / log M", xlim=(0, 1.02), ylim=(0, None))
    ax.legend(frameon=False, fontsize=7)
    return ax


# ------------------------------------------------------------------------------------- figures
LAYER_NAMES = ("T1 (10)", "T2 (7)", "T3 (5)", "T4 (4)", "T5 (3)", "Y (2)")


def plot_identity(res: dict, ax=None):
    """I(X;T) from the information-plane estimator against H[s] of the same binned states."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    ax.scatter(res["H_s"].ravel(), res["I_X"].ravel(), s=4, alpha=0.3)
    top = np.log2(res["P"])
    ax.plot([0, top], [0, top], "k--", lw=0.8, label="I(X;T) = H[s]")
    ax.set(xlabel="resolution H[s] (bits)", ylabel="I(X;T), 30 bins (bits)")
    ax.legend(frameon=False)
    return ax


def plot_relevance_paths(res: dict, axes=None):
    """Left: every layer's path in the H[s]-H[k] plane (network mean), with the max-relevance curve.
    Right: the fitted beta of every layer against epoch (network median)."""
    import matplotlib.pyplot as plt
    from ..estimators import max_relevance_curve

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 4))
    hs, hk = max_relevance_curve(int(res["P"]))
    axes[0].plot(hs, hk, "k:", lw=1, label="max relevance")
    epochs = np.maximum(np.asarray(res["epochs"]), 1)
    colors = plt.cm.viridis(np.linspace(0, 0.9, res["H_s"].shape[1]))
    for l, c in enumerate(colors):
        axes[0].plot(np.nanmean(res["H_s"][:, l], 1), np.nanmean(res["H_k"][:, l], 1), "-o", ms=2, color=c,
                     label=LAYER_NAMES[l] if l < len(LAYER_NAMES) else f"layer {l + 1}")
        axes[0].plot(np.nanmean(res["H_s"][-1, l]), np.nanmean(res["H_k"][-1, l]), "s", color=c, ms=6)
        with np.errstate(all="ignore"):
            axes[1].plot(epochs, np.nanmedian(res["beta"][:, l], 1), "-", color=c)
    axes[0].set(xlabel="H[s] (bits)", ylabel="H[k] (bits)")
    axes[0].legend(frameon=False, fontsize=7)
    axes[1].axhline(1.0, color="k", lw=0.8, ls="--")
    axes[1].set(xscale="log", xlabel="epoch", ylabel=r"$\beta$ (median over networks)", ylim=(0, 5))
    return axes


def plot_chain(res: dict, ax=None):
    """I(X_i;X_0) along the chain's levels (exact) and I(T_l;X_0) along the network's layers (plug-in)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    n = len(res["I_chain"])
    ax.plot(range(n), res["I_chain"], "o-", label="chain level $x_i$ (exact)")
    L = len(res["I_T_X0"])
    xs = np.arange(n - 1, n - 1 + L + 1)
    ax.plot(xs, [res["I_chain"][-1], *res["I_T_X0"]], "s-", label="network layer $T_l$ (plug-in)")
    ax.plot(xs[1:], res["I_T_X0_shuffled"], "x:", color="gray", label="plug-in bias (shuffled $x_0$)")
    ax.set_xticks(list(range(n)) + list(xs[1:]))
    ax.set_xticklabels([f"$x_{i}$" for i in range(n)] + [f"$T_{l + 1}$" for l in range(L)])
    ax.set(ylabel="information about $x_0$ (bits)")
    ax.legend(frameon=False, fontsize=8)
    return ax
