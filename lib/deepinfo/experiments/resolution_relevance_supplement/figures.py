"""One function per supplementary figure of Song, Marsili & Jo 2018 (Figs. S1-S6).

Inputs are the runners' results (entropies in bits, M stored beside them); the planes divide by
log2 M at plot time through :func:`deepinfo.plotting.relevance.plot_relevance_plane`.
"""
from __future__ import annotations

import numpy as np

from ...plotting import image_grid
from ...plotting.relevance import plot_degeneracy, plot_relevance_plane
from ...stats import mean_se
from .run import feature_images

S1_STYLES = {("mnist", "epoch 0"): dict(color="C0", mfc="none", marker="s"),
             ("mnist", "trained"): dict(color="0.4", marker="s"),
             ("mnist_flipped", "epoch 0"): dict(color="C2", mfc="none", marker="o"),
             ("mnist_flipped", "trained"): dict(color="C2", marker="o")}


def _sd(a):
    a = np.asarray(a, float)
    return a.std(0) if a.shape[0] > 1 else np.zeros(a.shape[1])


def _plane(ax, results: list[dict], labels, styles, line=True, annotate=False, bound=True):
    """Layers of several DBN results (mean over realisations, bars: standard deviation, as in Fig. S1)."""
    plot_relevance_plane(ax, [np.asarray(r["H_s"], float).mean(0) for r in results],
                         [np.asarray(r["H_k"], float).mean(0) for r in results], [int(r["M"]) for r in results],
                         labels=labels, styles=styles, xerr=[_sd(r["H_s"]) for r in results],
                         yerr=[_sd(r["H_k"]) for r in results], line=line, annotate=annotate, bound=bound)
    ax.set_ylim(0, 0.62)
    return ax


def figS1(s1: dict, axes):
    """Fig. S1: the standard DBN on MNIST and bit-flipped MNIST before and after training on the plane
    (axes[0]); the degeneracy m_k of the trained DBN on flipped data, odd (axes[1]) and even (axes[2]) layers."""
    keys = list(s1)
    _plane(axes[0], [s1[k] for k in keys], [f"{'MNIST' if k[0] == 'mnist' else 'flipped'}, {k[1]}" for k in keys],
           [S1_STYLES[k] for k in keys])
    flip = s1[("mnist_flipped", "trained")]
    for ax, layers, name in ((axes[1], range(0, 10, 2), "odd"), (axes[2], range(1, 10, 2), "even")):
        layers = [l for l in layers if l < len(flip["counts"])]
        plot_degeneracy(ax, [flip["counts"][l][0] for l in layers], [f"H{l + 1}" for l in layers])
        ax.set_title(f"flipped MNIST, trained: {name} layers", fontsize=9)
    return axes


def figS2(s2: dict, g2: dict, axes):
    """Fig. S2: (a) every network's layers on the plane; (b) generation ability of every layer against its
    resolution (mean and standard error over realisations)."""
    names = list(s2)
    single = [n.startswith("single") for n in names]
    styles = [dict(color=f"C{i}", marker="D" if s else "s") for i, s in enumerate(single)]
    _plane(axes[0], [s2[n] for n in names], names, styles, line=[not s for s in single])
    for i, n in enumerate(names):
        hs = np.asarray(s2[n]["H_s"], float).mean(0) / np.log2(s2[n]["M"])
        a = np.asarray(g2[n]["ability"], float)
        m, se, _ = mean_se(a, axis=0) if a.shape[0] > 1 else (a[0], np.zeros(a.shape[1]), 1)
        axes[1].errorbar(hs, m, yerr=np.nan_to_num(se), color=f"C{i}", marker="D" if single[i] else "s", ms=5,
                         capsize=2, ls="none" if single[i] else "-", label=n)
    axes[1].set(xlabel=r"$H[s]/\log M$", ylabel=r"generation ability $1/D(P\|Q)$")
    axes[1].legend(fontsize=7, frameon=False)
    return axes


def figS3(letters, s3: dict, g3: dict, beta: np.ndarray, axes, seed: int = 0):
    """Fig. S3: (a) 56 training images; (b) the layers on the plane; (c) generation ability per layer (mean,
    standard error over realisations), annotated with the layer's fitted beta (NaN where no accepted power
    law) and, in brackets, the paper's graphical beta from the slope of the bound at the layer's H[s]."""
    from ...estimators import bound_slope_beta

    image_grid(letters.subset(56, seed=seed).x, letters.image_shape, nrow=4, ax=axes[0])
    _plane(axes[1], [s3], ["DBN layers"], [dict(color="k", marker="s")], annotate=True)
    a = np.asarray(g3["ability"], float)
    m, se, _ = mean_se(a, axis=0) if a.shape[0] > 1 else (a[0], np.zeros(a.shape[1]), 1)
    layers = np.arange(1, a.shape[1] + 1)
    axes[2].errorbar(layers, m, yerr=np.nan_to_num(se), marker="s", capsize=2, color="k")
    beta = np.asarray(beta, float)
    ok = np.isfinite(beta).any(axis=0)
    b = np.full(beta.shape[1], np.nan)
    if ok.any():
        b[ok] = np.nanmean(beta[:, ok], axis=0)
    M = int(s3["M"])
    slope = bound_slope_beta(np.clip(np.asarray(s3["H_s"], float).mean(0), 0, np.log2(M)), M)
    for l, x, y in zip(layers, b, slope):
        axes[2].annotate(f"β={x:.2f} ({y:.2f})", (l, m[l - 1]), fontsize=6, rotation=60, xytext=(0, 6),
                         textcoords="offset points")
    axes[2].set(xlabel="hidden layer", ylabel=r"generation ability $1/D(P\|Q)$")
    return axes


def figS4ab(s4: dict, axes, others=()):
    """Fig. S4a-b: the 50-unit RBM on the plane as the connectivity (a) or activity (b) penalty grows; ``others``
    (further realisations' :func:`.run.sparse_rbm_result`) are drawn as open grey points."""
    for ax, kind, sym in ((axes[0], "connectivity", "λ_c"), (axes[1], "activity", "λ_a")):
        for o in others:
            lo = np.log2(o["M"])
            ax.plot([r["H_s"] / lo for r in o[kind]], [r["H_k"] / lo for r in o[kind]], "o", mfc="none",
                    color="0.6", ms=5, zorder=1)
        rows = s4[kind]
        plot_relevance_plane(ax, np.array([r["H_s"] for r in rows]), np.array([r["H_k"] for r in rows]),
                             int(s4["M"]), labels=f"RBM, {sym}", styles=[dict(color="C1", marker="o")],
                             legend=False)
        lm = np.log2(s4["M"])
        for r in rows:
            ax.annotate(f"{r['lambda']:g}", (r["H_s"] / lm, r["H_k"] / lm), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
        ax.set_title(f"sparse {kind} ({sym})", fontsize=9)
        ax.set_ylim(0, 0.62)
    return axes


def figS4cde(s4: dict, axes):
    """Fig. S4c-e: features W_j of 49 hidden units (rescaled to [0, 1]) under increasing activity penalty."""
    rows = s4["activity"]
    for ax, r in zip(axes, [rows[0], rows[len(rows) // 2], rows[-1]]):
        image_grid(feature_images(r["features"]), (28, 28), nrow=7, ax=ax, cmap="gray")
        ax.set_title(f"λ_a = {r['lambda']:g}", fontsize=9)
    return axes


S5_NAMES = {"mlp_sigmoid": "MLP (sigmoid)", "mlp_relu": "MLP (ReLU)", "cnn": "CNN (sigmoid hidden layer)"}


def figS5(s5: dict, s5s: dict, axes, others=()):
    """Fig. S5, rows MLP (sigmoid), MLP (ReLU), CNN; columns m_k per width, the plane, accuracy against N_H
    (realisation ``s5``), majority-label error against beta (widths whose tail the power-law rule accepts; the
    further realisations' :func:`.run.s5_summary` in ``others`` as open points)."""
    for i, kind in enumerate(S5_NAMES):
        rows = s5s[kind]["rows"]
        plot_degeneracy(axes[i, 0], [raw["counts"] for raw in s5[kind]],
                        [f"$N_H$={raw['n_hidden']}" for raw in s5[kind]])
        axes[i, 0].set_title(S5_NAMES[kind], fontsize=9)
        plot_relevance_plane(axes[i, 1], np.array([r["H_s"] for r in rows]), np.array([r["H_k"] for r in rows]),
                             int(s5["M"]), labels=S5_NAMES[kind], legend=False)
        nh = [r["n_hidden"] for r in rows]
        axes[i, 2].semilogx(nh, [r["acc_train"] for r in rows], "o-", label="train")
        axes[i, 2].semilogx(nh, [r["acc_test"] for r in rows], "s--", label="test")
        axes[i, 2].set(xlabel="$N_H$", ylabel="accuracy")
        axes[i, 2].legend(fontsize=7, frameon=False)
        for j, summ in enumerate([s5s, *others]):
            fitted = [r for r in summ[kind]["rows"] if r["power_law"].status == "holds"]
            axes[i, 3].errorbar([r["beta"] for r in fitted], [r["error"] for r in fitted],
                                xerr=[r["beta_err"] for r in fitted], fmt="o", capsize=2, color="C0",
                                mfc="C0" if j == 0 else "none", label="realisation 0" if j == 0 else None)
        axes[i, 3].axvline(1, color="k", ls=":", lw=1)
        axes[i, 3].set(xlabel="β", ylabel="majority-label error")
    return axes


def figS6af(s6: dict, axes, n_z=(1, 5, 500)):
    """Fig. S6a-f: images generated with N_z in ``n_z`` (top) and their label frequencies Q against P (bottom)."""
    pick = [r for r in s6["rows"] if r["n_z"] in n_z]
    for j, r in enumerate(pick):
        image_grid(r["images"], (28, 28), nrow=4, ax=axes[0, j])
        axes[0, j].set_title(f"$N_z$ = {r['n_z']}", fontsize=9)
        axes[1, j].bar(range(10), r["Q"], color="C0")
        axes[1, j].step(np.arange(11) - 0.5, np.append(s6["P"], s6["P"][-1]), "k:", where="post")
        axes[1, j].set(xticks=range(10), xlabel="label", ylabel="Q(label)")
    return axes


def figS6g(opt: dict, ax):
    """Fig. S6g: generation ability against N_z. ``opt`` from :func:`.run.vae_optima`: the mean and standard
    error over VAE realisations (black) and each realisation (grey); from :func:`.run.vae_optimum`: one VAE per
    N_z with the standard error over groups of generated images."""
    if "mean" in opt and opt.get("R", 1) > 1:
        for a in opt["abilities"]:
            ax.plot(opt["n_z"], a, color="0.7", lw=1, marker=".")
        ax.errorbar(opt["n_z"], opt["mean"], yerr=np.nan_to_num(opt["se"]), marker="s", capsize=2, color="k")
    else:
        ab = np.asarray(opt["abilities"], float).reshape(-1, len(opt["n_z"]))[0]
        er = np.asarray(opt["errs"], float).reshape(-1, len(opt["n_z"]))[0]
        ax.errorbar(opt["n_z"], ab, yerr=np.nan_to_num(er), marker="s", capsize=2, color="k")
    ax.set(xscale="log", xlabel="$N_z$", ylabel=r"generation ability $1/D(P\|Q)$")
    return ax


def tail_shape_table(s5s: dict, M: int):
    """Fig. S5's power-law verdict and tail shape for every model and width, with the paper's graphical beta
    (minus the slope of the maximal-relevance curve for ``M`` samples at the width's H[s]), as a DataFrame."""
    import pandas as pd

    from ...estimators import bound_slope_beta
    from ...plotting.relevance import tail_shape_row

    rows = [tail_shape_row(r["power_law"], model=S5_NAMES[kind], N_H=r["n_hidden"],
                           **{"beta (bound slope)": round(float(bound_slope_beta(min(r["H_s"], np.log2(M)), int(M))), 2)})
            for kind in S5_NAMES for r in s5s[kind]["rows"]]
    return pd.DataFrame(rows).set_index(["model", "N_H"])


def audit_table(verdicts: dict):
    """The supplement's statements (:data:`.claims.AUDIT`) and where each is decided, as a DataFrame: this
    page's claim with its recorded status (``verdicts``: claim id -> Verdict), a claim of the main page, or
    the reason it is not tested here."""
    import pandas as pd

    from .claims import AUDIT

    rows = []
    for source, statement, where, why in AUDIT:
        if where.startswith("main:"):
            decided, status = f"{where[5:]} (main page)", "see the main page"
        elif where:
            v = verdicts.get(where)
            decided, status = where, (v.status if v is not None else "not evaluated")
        else:
            decided, status = "not tested here", why
        rows.append({"source": source, "statement": statement, "decided by": decided, "status / why": status})
    return pd.DataFrame(rows)


def s4_table(runs: list):
    """Fig. S4's settings as a DataFrame: per penalty and lambda, H[s], H[k] (bits) and the mean hidden
    activity, each as mean +/- standard error over the RBM realisations ``runs`` (one value for one run)."""
    import pandas as pd

    def cell(values, digits):
        v = np.asarray(values, float)
        if v.size < 2:
            return f"{v[0]:.{digits}f}"
        m, se, _ = mean_se(v)
        return f"{m:.{digits}f} ± {se:.{digits}f}"

    rows = []
    for kind in ("connectivity", "activity"):
        for j, row in enumerate(runs[0][kind]):
            per = [run[kind][j] for run in runs]
            rows.append({"penalty": kind, "lambda": row["lambda"], "H[s] (bits)": cell([r["H_s"] for r in per], 2),
                         "H[k] (bits)": cell([r["H_k"] for r in per], 2),
                         "mean activity": cell([r["activity"] for r in per], 3)})
    return pd.DataFrame(rows).set_index(["penalty", "lambda"])
