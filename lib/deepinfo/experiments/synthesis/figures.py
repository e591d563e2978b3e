"""The synthesis page's figures, one function per figure (the page's labels in brackets).

Every input is in bits, as the runners return it; the only normalisation by log2 M is done by
:func:`deepinfo.plotting.relevance.plot_relevance_plane` at plot time (the three-families plane).
"""
from __future__ import annotations

import numpy as np

from ...plotting.information_plane import layer_colors, plot_final_layers
from ...plotting.relevance import plot_relevance_plane
from .run import LAYER_NAMES


def _name(l: int) -> str:
    return LAYER_NAMES[l] if l < len(LAYER_NAMES) else f"layer {l + 1}"


def plot_identity(res: dict, ax=None):
    """[fig-s-identity] I(X;T) from the information-plane estimator against H[s] of the same binned states."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    ax.scatter(np.asarray(res["H_s"]).ravel(), np.asarray(res["I_X"]).ravel(), s=4, alpha=0.3)
    top = np.log2(res["P"])
    ax.plot([0, top], [0, top], "k--", lw=0.8, label="I(X;T) = H[s]")
    ax.set(xlabel="resolution H[s] (bits)", ylabel="I(X;T), binned (bits)")
    ax.legend(frameon=False)
    return ax


def plot_relevance_paths(res: dict, axes=None):
    """[fig-s-paths] Left: every layer's path in the H[s]-H[k] plane (network mean, bits) under the
    maximal-relevance curve for M = P; squares mark the end. Right: beta of every layer at its
    compression turn (circle, at the median turn epoch) and at the end (square), the median over the
    networks whose m_k is a power law there by ``power_law_verdict`` (the snapshots the claim reads)."""
    import warnings

    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 4))
    H_s, H_k = np.asarray(res["H_s"], float), np.asarray(res["H_k"], float)
    S, L, K = H_s.shape
    cols = layer_colors(L)
    P = int(res["P"])
    plot_relevance_plane(axes[0], [np.nanmean(H_s[:, l], 1) for l in range(L)],
                         [np.nanmean(H_k[:, l], 1) for l in range(L)], [P] * L,
                         labels=[_name(l) for l in range(L)], normalise=False,
                         styles=[{"color": c, "marker": "o", "ms": 2} for c in cols], bound_label=f"max. relevance, M = {P:,}")
    for l, c in enumerate(cols):
        axes[0].plot(np.nanmean(H_s[-1, l]), np.nanmean(H_k[-1, l]), "s", color=c, ms=6)
    epochs = np.maximum(np.asarray(res["epochs"]), 1)
    turn_epoch = epochs[np.asarray(res["turn"])]  # (L, K)

    def med(w, l):
        b = np.where(np.asarray(res[f"pl_status_{w}"])[l] == 1, np.asarray(res[f"beta_{w}"], float)[l], np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return float(np.nanmedian(b))

    for l, c in enumerate(cols):
        x = [float(np.median(turn_epoch[l])), float(epochs[-1])]
        axes[1].plot(x, [med("turn", l), med("end", l)], "-", color=c, label=_name(l))
        axes[1].plot(x[0], med("turn", l), "o", color=c)
        axes[1].plot(x[1], med("end", l), "s", color=c)
    axes[1].axhline(1.0, color="k", lw=0.8, ls="--")
    axes[1].set(xscale="log", xlabel="epoch (median turn; end)", ylabel=r"$\beta$ (median over networks with a power law)",
                ylim=(0, 4))
    return axes


def plot_three_families(fams: dict, ax=None):
    """[fig-s-families] Layers of several families on one H[s]-H[k] plane, each family divided by
    log2 of its own M here, at plot time (``fams``: name -> :func:`..run.family`, bits)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    names = list(fams)
    plot_relevance_plane(ax, [fams[n]["H_s"] for n in names], [fams[n]["H_k"] for n in names],
                         [fams[n]["M"] for n in names], labels=[f"{n}, M = {fams[n]['M']:,}" for n in names],
                         normalise=True, annotate=True,
                         styles=[{"color": f"C{i}"} for i in range(len(names))],
                         bound_style={"lw": 0.8})
    return ax


def plot_ib(cmp: dict, axes=None):
    """[fig-s-ib] Left: the IB bound of the rule and the converged layers (mean +/- se over networks).
    Right: per layer, the gap below the bound (bars) beside H[s] + H[k] (line), both in bits."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    b = cmp["bound"]
    # the curve is flat beyond its last point, up to H(X) = log2 P (as :func:`..run.ib_gap` reads it)
    top = max(float(np.log2(cmp.get("P", 4096))), float(b["curve_I_X"].max()))
    curve = (np.r_[b["curve_I_X"], top], np.r_[b["curve_I_Y"], max(float(b["curve_I_Y"].max()), float(b["I_XY"]))])
    plot_final_layers(cmp["I_X"], cmp["I_Y"], axes[0], curve=curve)
    axes[0].legend(frameon=False, fontsize=7)
    gap, H_sum = np.nanmean(cmp["gap"], 1), np.nanmean(cmp["H_sum"], 1)
    x = np.arange(len(gap))
    axes[1].bar(x, gap, color="C0", alpha=0.6)
    axes[1].set(xticks=x, xticklabels=[_name(l).split()[0] for l in x], ylabel="gap below the IB bound (bits)")
    twin = axes[1].twinx()
    twin.plot(x, H_sum, "o-", color="C3")
    twin.set_ylabel("H[s] + H[k] (bits)", color="C3")
    return axes


def plot_chain(chain: dict, ax=None):
    """[fig-s-chain] I(x_i; x_0) along the chain's levels (exact) and I(T_l; x_0) along the hidden
    layers (plug-in, mean over networks), with the plug-in bias against shuffled x_0."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    I_chain = np.asarray(chain["I_chain"], float)
    I_T = np.nanmean(np.asarray(chain["I_T_X0"], float), 0)
    bias = np.nanmean(np.asarray(chain["I_T_X0_shuffled"], float), 0)
    n, L = len(I_chain), len(I_T)
    ax.plot(range(n), I_chain, "o-", label="chain level $x_i$ (exact)")
    xs = np.arange(n - 1, n + L)
    ax.plot(xs, [I_chain[-1], *I_T], "s-", label="network layer $T_l$ (plug-in, mean over networks)")
    ax.plot(xs[1:], bias, "x:", color="gray", label="plug-in bias (shuffled $x_0$)")
    ax.set_xticks(list(range(n)) + list(xs[1:]))
    ax.set_xticklabels([f"$x_{i}$" for i in range(n)] + [f"$T_{l + 1}$" for l in range(L)])
    ax.set(ylabel="information about $x_0$ (bits)")
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_distiller(d: dict, ax=None):
    """[fig-s-chain, right] For each hidden layer of the networks trained on the noisy-copy chain: the
    bias-corrected share of I(x_n; x_0) it keeps and the share of the irrelevant H(x_n) - H(T_0) it
    discards (mean +/- standard error over networks), with the claim's thresholds dashed."""
    import matplotlib.pyplot as plt
    from ...stats import mean_se

    ax = ax or plt.gca()
    I = np.asarray(d["I_T_X0"], float) - np.asarray(d["I_T_X0_shuffled"], float)
    keep = I / float(d["I_xn_x0"])
    discard = (float(d["H_xn"]) - np.asarray(d["H_s"], float)) / (float(d["H_xn"]) - float(d["H_T0"]))
    x = np.arange(1, keep.shape[1] + 1)
    for vals, lab, col, thr in ((keep, "keeps of $I(x_n;x_0)$", "C0", 0.8),
                                (discard, "discards of $H(x_n) - H(T_0)$", "C1", 0.5)):
        if len(vals) > 1:
            m, se, _ = mean_se(vals, axis=0)
        else:
            m, se = vals[0], np.zeros(vals.shape[1])
        ax.errorbar(x, m, yerr=np.nan_to_num(se), fmt="o-", color=col, capsize=2, label=lab)
        ax.axhline(thr, color=col, ls="--", lw=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels([f"$T_{l}$" for l in x])
    ax.set(ylabel="share (bits / bits)", ylim=(-0.05, 1.1),
           title=f"noisy-copy chain: $T_0(x_n)$ has {d['n_classes_T0']} classes")
    ax.legend(frameon=False, fontsize=8, loc="center left")
    return ax
