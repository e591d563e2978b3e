"""One function per figure of Song, Marsili & Jo 2018 (main text): Figs. 2a-d and 3a-g.

Each takes the result of :func:`deepinfo.experiments.resolution_relevance.run.run` (entropies in
bits; the planes divide by log2 M here) and an axis (or axes), and returns the axis.
"""
from __future__ import annotations

import math

import numpy as np

from ...plotting.relevance import plot_degeneracy, plot_relevance_plane
from ...stats import mean_se
from .run import KINDS, VARIANT

STYLE = {"trained": dict(marker="s", color="k", label="DBN trained"),
         "untrained": dict(marker="s", mfc="none", color="C0", label="DBN epoch 0 (untrained)"),
         "shuffled": dict(marker="o", mfc="none", color="C2", label="DBN, pixel-shuffled MNIST (Fig. 2a)"),
         "flipped": dict(marker="D", mfc="none", color="C3", label="DBN, bit-switched MNIST (Fig. S1)"),
         VARIANT: dict(marker="s", mfc="none", color="C4", label="DBN, 200 mini-batch updates per RBM"),
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
                         annotate=[True] + [False] * (len(series) - 1))
    ax.set_ylim(0, 0.62)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
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


def fig_variant(res: dict, ax=None):
    """The two readings of Text S1's "200 epochs" on the resolution-relevance plane: the trained DBN
    (``cfg.epochs`` passes) and the variant (200 mini-batch updates per RBM), with the k-means curve."""
    ax = ax or _plt().gca()
    series = ["trained", VARIANT, "kmeans"]
    styles = [{k: v for k, v in STYLE[s].items() if k != "label"} for s in series]
    labels = [f"{STYLE['trained']['label']}, {res['trained']['epochs']} passes",
              f"{STYLE[VARIANT]['label']} ({res[VARIANT]['epochs']} passes)", STYLE["kmeans"]["label"]]
    plot_relevance_plane(ax, [res[s]["H_s"] for s in series], [res[s]["H_k"] for s in series], int(res["M"]),
                         labels=labels, styles=styles, annotate=[True, True, False])
    ax.set_ylim(0, 0.62)
    ax.legend(fontsize=7, loc="upper right", frameon=False)
    return ax


def fig_stuck(res: dict, ax=None, kinds=("trained", VARIANT)):
    """Share of stuck units (on for more than 99% or fewer than 1% of the images) per layer, mean and standard
    error over realisations, for the DBNs of ``kinds`` present in ``res``."""
    ax = ax or _plt().gca()
    for kind in kinds:
        if kind not in res:
            continue
        m, se, _ = mean_se(np.asarray(res[kind]["stuck"], float), axis=0)
        L = len(m)
        ax.errorbar(np.arange(1, L + 1), m, yerr=np.nan_to_num(se), ls="-", lw=0.8, ms=5, capsize=2,
                    **STYLE[kind])
    ax.axhline(0.10, color="grey", lw=0.8, ls=":")
    ax.set(xlabel="hidden layer", ylabel="share of stuck units", xticks=np.arange(1, L + 1), ylim=(-0.02, 1.02))
    ax.legend(fontsize=7, frameon=False)
    return ax


FINITE_SIZE_TITLES = {
    "P1.power_law_in_trained_layers": "power laws: share of H3, H6, H9 tails accepted",
    "P1.zipf_critical_layer": "Zipf: beta at the critical layer",
    "P1.near_max_relevance_up_to_middle": "near the bound: largest gap H1..H6 (bits)",
    "P1.dbn_beats_kmeans_relevance": "DBN above k-means: smallest margin (bits)",
    "P1.kmeans_not_power_law": "k-means Fig. 2b partition: beta (restart 0)",
}


def fig_finite_size(points: list[dict], axes=None, fashion: list[dict] | None = None):
    """Each M-dependent claim's statistic against M (:func:`run.finite_size_result`): value with its 95%
    interval, the threshold (dotted line or band), and the status at each M as a letter
    (h holds, n does not hold, i inconclusive); MNIST in black, Fashion-MNIST (``fashion``, the same study
    on the other data set) in orange, slightly offset in M so that the two do not hide each other."""
    from .claims import FINITE_SIZE_CLAIMS

    if axes is None:
        _, axes = _plt().subplots(1, len(FINITE_SIZE_CLAIMS), figsize=(3.2 * len(FINITE_SIZE_CLAIMS), 3))
    letter = {"holds": "h", "does not hold": "n", "inconclusive": "i"}
    series = [("MNIST", points, "k", "o", 1.0)]
    if fashion:
        series.append(("Fashion-MNIST", fashion, "C1", "s", 1.06))
    allM = sorted({int(p["M"]) for _, pts, *_ in series for p in pts})
    for ax, cid in zip(np.ravel(axes), FINITE_SIZE_CLAIMS):
        thr_by_M = {}
        for name, pts, color, marker, shift in series:
            if not pts:
                continue
            Ms = np.array([p["M"] for p in pts], float)
            rows = [p["claims"][cid] for p in pts]
            v = np.array([r["value"] for r in rows], float)
            lo = np.array([r["lo"] for r in rows], float)
            hi = np.array([r["hi"] for r in rows], float)
            ok = np.isfinite(lo) & np.isfinite(hi)
            yerr = np.vstack([np.where(ok, v - lo, 0), np.where(ok, hi - v, 0)])
            ax.errorbar(Ms * shift, v, yerr=yerr, fmt=marker + "-", color=color, ms=4, lw=0.8, capsize=3,
                        label=name)
            for x, y, r in zip(Ms * shift, v, rows):
                if math.isfinite(y):
                    ax.annotate(letter[r["status"]], (x, y), textcoords="offset points", xytext=(5, 5), fontsize=8,
                                color=color)
            for M, r in zip(Ms, rows):
                thr_by_M.setdefault(int(M), r["threshold"])
        thrs = [thr_by_M[M] for M in allM if M in thr_by_M]
        band = next((t for t in thrs if isinstance(t, (list, tuple))), None)
        if band is not None:
            ax.axhspan(band[0], band[1], color="0.85", zorder=0)
        else:
            t = np.array([np.nan if x is None else float(x) for x in thrs])
            if np.isfinite(t).any():     # the threshold may move with M (the bound's height does)
                ax.plot(np.array(allM, float), t, color="grey", ls=":", lw=1.2, marker="_", ms=10)
        ax.set(xscale="log", xlabel="M (images)", title=FINITE_SIZE_TITLES[cid])
        ax.title.set_fontsize(8)
        ax.set_xticks(allM, [f"{m:,}" for m in allM], fontsize=7)
        ax.minorticks_off()
    if fashion:
        np.ravel(axes)[0].legend(fontsize=7, frameon=False)
    return axes


def finite_size_table(points: list[dict], fashion: list[dict] | None = None):
    """One row per (claim, data set, M) of :func:`run.finite_size_result`: value, 95% interval, status, reason."""
    import pandas as pd

    rows = [{"claim": cid.split(".", 1)[1], "data": name, "M": p["M"], "value": round(d["value"], 3),
             "95% interval": "-" if not math.isfinite(d["lo"]) else f"[{d['lo']:.3g}, {d['hi']:.3g}]",
             "status": d["status"], "reason": d["reason"]}
            for name, pts in (("MNIST", points), ("Fashion-MNIST", fashion or [])) for p in pts
            for cid, d in p["claims"].items()]
    return pd.DataFrame(rows).set_index(["claim", "data", "M"]).sort_index(level=0, sort_remaining=False)


def fig_schedule_study(points: list[dict], ax=None):
    """The schedule study (:func:`run.schedule_study`): share of stuck units per layer (mean and standard
    error over realisations) under each schedule, with the criterion's 0 marked (the likelihood proxy's
    levelling off is in :func:`schedule_table`)."""
    ax = ax or _plt().gca()
    styles = [dict(marker="s", color="k"), dict(marker="o", mfc="none", color="C4")]
    for p, st in zip(points, styles):
        m, se, _ = mean_se(np.asarray(p["stuck"], float), axis=0)
        L = len(m)
        ax.errorbar(np.arange(1, L + 1), m, yerr=np.nan_to_num(se), ls="-", lw=0.8, ms=5, capsize=2,
                    label=f"{p['schedule']}, {p['passes']} passes ({p['gradient_updates']:,} updates per RBM)", **st)
    top = max(0.1, 1.3 * max(float(np.max(np.asarray(p["stuck"], float))) for p in points))
    ax.axhline(0, color="grey", lw=0.8, ls=":")
    ax.set(xlabel="hidden layer", ylabel="share of stuck units", xticks=np.arange(1, L + 1), ylim=(-0.01, top))
    ax.legend(fontsize=7, frameon=False)
    return ax


def schedule_table(points: list[dict], hidden_sizes):
    """One row per schedule and layer of :func:`run.schedule_study` (``hidden_sizes``: units per layer):
    stuck units summed over the realisations, the largest relative change of the likelihood proxy over the
    last 5 passes, and how many realisations pass the criterion there."""
    import pandas as pd

    rows = []
    for p in points:
        n_stuck, change = np.asarray(p["n_stuck"], float), np.asarray(p["pll_change"], float)
        R, L = n_stuck.shape
        for l in range(L):
            ch = change[:, l]
            rows.append({"schedule": f"{p['schedule']}, {p['passes']} passes", "layer": f"H{l + 1}",
                         "stuck units": f"{int(n_stuck[:, l].sum())} of {R * int(hidden_sizes[l])}",
                         "proxy change, last 5 passes (largest)": "-" if not np.isfinite(ch).any()
                         else f"{np.nanmax(ch):.2%}",
                         "realisations passing": f"{int(np.asarray(p['passes_criterion'])[:, l].sum())} of {R}"})
    return pd.DataFrame(rows).set_index(["schedule", "layer"])
