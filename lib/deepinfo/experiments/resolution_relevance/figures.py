"""One function per figure of Song, Marsili & Jo 2018 (main text): Figs. 2a-d and 3a-g.

Each takes the result of :func:`deepinfo.experiments.resolution_relevance.run.run` (entropies in
bits; the planes divide by log2 M here) and an axis (or axes), and returns the axis.
"""
from __future__ import annotations

import math

import numpy as np

from ...plotting.relevance import plot_degeneracy, plot_relevance_plane
from ...stats import mean_se
from .run import KINDS

STYLE = {"trained": dict(marker="s", color="k", label="DBN trained"),
         "untrained": dict(marker="s", mfc="none", color="C0", label="DBN epoch 0 (untrained)"),
         "shuffled": dict(marker="o", mfc="none", color="C2", label="DBN, pixel-shuffled MNIST"),
         "kmeans": dict(marker="^", color="C1", label="k-means")}


def _plt():
    import matplotlib.pyplot as plt

    return plt


def fig2a(res: dict, ax=None):
    """Fig. 2a: H[k] against H[s] (divided by log2 M) for every layer of the three DBNs (mean and standard
    error over realisations), the k-means partitions and the maximal-relevance curve."""
    ax = ax or _plt().gca()
    series = [*KINDS, "kmeans"]
    styles = [{k: v for k, v in STYLE[s].items() if k != "label"} for s in series]
    plot_relevance_plane(ax, [res[s]["H_s"] for s in series], [res[s]["H_k"] for s in series], int(res["M"]),
                         labels=[STYLE[s]["label"] for s in series], styles=styles,
                         annotate=[True, False, False, False])
    ax.set_ylim(0, 0.62)
    ax.legend(fontsize=7, loc="upper right", frameon=False)
    return ax


def fig2b(res: dict, layers=(3, 6, 9), ax=None):
    """Fig. 2b: m_k against k for trained layers ``layers`` (realisation 0) and the Fig. 2b k-means partition,
    each with the power law of its :func:`power_law_verdict` over the fitted tail."""
    ax = ax or _plt().gca()
    tr, km = res["trained"], res["kmeans"]
    i = int(np.flatnonzero(np.asarray(km["k"]) == km["fig2b_k"])[0])
    counts = [tr["counts"][l - 1][0] for l in layers] + [km["counts"][i]]
    fits = [tr["power_law"]["verdicts"][0][l - 1] for l in layers] + [km["power_law"]["verdicts"][i]]
    labels = [f"H{l}" for l in layers] + [f"k-means, k = {km['fig2b_k']}"]
    colors = ["k", "C4", "C2", "C1"][:len(layers)] + ["C1"] if len(layers) < 4 else None
    plot_degeneracy(ax, counts, labels, fits, markers=("o", "s", "v", "^"), colors=colors)
    return ax


def fig2c(res: dict, ax=None):
    """Fig. 2c: beta per layer, trained and untrained (mean and standard error over realisations of the
    maximum-likelihood beta, drawn where the layer's power-law verdict holds in at least one realisation),
    and the paper's graphical estimate (minus the slope of the bound at the layer's H[s], dashed)."""
    ax = ax or _plt().gca()
    for kind in ("trained", "untrained"):
        pl = res[kind]["power_law"]
        st = np.array([[v.status for v in row] for row in pl["verdicts"]])
        b = np.where(st == "holds", pl["beta"], np.nan)
        L = b.shape[1]
        keep = np.isfinite(b).any(axis=0)
        m = np.full(L, np.nan)
        se = np.zeros(L)
        if keep.any():
            mm, ss, _ = mean_se(b[:, keep], axis=0)
            m[keep], se[keep] = mm, np.nan_to_num(ss)
        ax.errorbar(np.arange(1, L + 1), m, yerr=se, ls="-", lw=0.8, ms=5, capsize=2, **STYLE[kind])
        bb, _, _ = mean_se(pl["bound_beta"], axis=0)
        ax.plot(np.arange(1, L + 1), bb, ls="--", lw=0.8, color=STYLE[kind]["color"],
                label=f"{STYLE[kind]['label']}: bound slope")
    ax.axhline(1, color="grey", lw=0.8, ls=":")
    ax.set(xlabel="hidden layer", ylabel=r"$\beta$ in $m_k \propto k^{-\beta-1}$", yscale="log",
           xticks=np.arange(1, L + 1))
    ax.legend(fontsize=7, frameon=False)
    return ax


def fig2d(res: dict, ax=None):
    """Fig. 2d: majority-label classification error of each layer's hidden states (mean, standard error)."""
    ax = ax or _plt().gca()
    for kind in ("trained", "untrained"):
        e, se, _ = mean_se(res[kind]["error"], axis=0)
        L = len(e)
        ax.errorbar(np.arange(1, L + 1), e, yerr=np.nan_to_num(se), ls="-", lw=0.8, ms=5, capsize=2, **STYLE[kind])
    ax.set(xlabel="hidden layer", ylabel="classification error", xticks=np.arange(1, L + 1))
    ax.legend(fontsize=7, frameon=False)
    return ax


def fig3abc(res: dict, layers=(2, 6, 10), axes=None, n_show: int = 40):
    """Fig. 3a-c: digits generated from ``layers`` (realisation 0)."""
    from ...plotting import image_grid

    if axes is None:
        _, axes = _plt().subplots(1, len(layers), figsize=(12, 3.2))
    for ax, l in zip(axes, layers):
        image_grid(res["generation"]["images"][l][:n_show], (28, 28), nrow=5, ax=ax)
        ax.set_title(f"generated from H{l}")
    return axes


def fig3def(res: dict, layers=(2, 6, 10), axes=None):
    """Fig. 3d-f: label frequencies Q of the digits generated from ``layers`` (mean, standard error over
    realisations) against the training distribution P (dotted)."""
    if axes is None:
        _, axes = _plt().subplots(1, len(layers), figsize=(12, 3), sharey=True)
    gen = res["generation"]
    for j, (ax, l) in enumerate(zip(axes, layers)):
        q, se, _ = mean_se(gen["label_freq"][:, l - 1, :], axis=0)
        se = np.nan_to_num(se)
        ax.bar(np.arange(10), q, yerr=se, color="0.6", capsize=2)
        ax.plot(np.arange(10), gen["train_freq"], "k:", marker="_", lw=1.2)
        ax.set(xlabel="label", ylabel="frequency" if j == 0 else "", xticks=range(10), title=f"H{l}",
               ylim=(0, max(0.35, float(np.nanmax(q + se)) * 1.1)))
    return axes


def fig3g(res: dict, ax=None):
    """Fig. 3g: generation ability 1/D(P||Q) (left axis) and classification error (right axis) against the
    layer's fitted beta (mean over realisations; layers without a fit in any realisation are not drawn)."""
    ax = ax or _plt().gca()
    tr, gen = res["trained"], res["generation"]
    beta = np.asarray(tr["power_law"]["beta"], float)
    ok = np.isfinite(beta).any(axis=0)
    b = np.full(beta.shape[1], np.nan)
    if ok.any():
        b[ok] = mean_se(beta[:, ok], axis=0)[0]
    a, a_se, _ = mean_se(gen["ability"], axis=0)
    e, e_se, _ = mean_se(tr["error"], axis=0)
    ax.errorbar(b, a, yerr=np.nan_to_num(a_se), fmt="s", color="k", ms=5, capsize=2, label="generation ability")
    for l, (x, y) in enumerate(zip(b, a), start=1):
        if math.isfinite(x) and math.isfinite(y):
            ax.annotate(str(l), (x, y), textcoords="offset points", xytext=(4, 3), fontsize=7)
    ax.set(xlabel=r"$\beta$ (maximum likelihood)", ylabel=r"generation ability $1/D(P\|Q)$", xscale="log")
    ax.axvline(1, color="grey", lw=0.8, ls="--")
    ax2 = ax.twinx()
    ax2.errorbar(b, e, yerr=np.nan_to_num(e_se), fmt="o", color="C0", mfc="none", ms=5, capsize=2,
                 label="classification error")
    ax2.set_ylabel("classification error", color="C0")
    ax2.spines["right"].set_visible(True)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper right", frameon=False)
    return ax


def tail_shape_table(rows: list[dict]):
    """The tail-shape rows of :func:`claims.tail_table` as a pandas DataFrame for display."""
    import pandas as pd

    return pd.DataFrame(rows).set_index("partition")
