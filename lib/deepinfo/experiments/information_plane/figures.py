"""Chapter 3 figures: one function per figure of Shwartz-Ziv & Tishby (2017), plus the Saxe et al. checks.

Each function draws on the axes it is given (or a new figure) and returns the figure. The
information-plane drawing itself is the shared :mod:`deepinfo.plotting.information_plane`.
"""
from __future__ import annotations

import numpy as np

from ...plotting import information_plane as pip
from . import analysis as an


def _fig(axes, nrows, ncols, figsize, **kw):
    import matplotlib.pyplot as plt

    if axes is None:
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize, **kw)
    else:
        fig = np.ravel(axes)[0].figure
    return fig, axes


def fig2(main: dict, axes=None, at=(0, 400, None), measure: str = "bin30"):
    """Paper Fig. 2: every layer of every network at the initial weights, ~epoch 400 and the end."""
    fig, axes = _fig(axes, 1, len(at), (10, 3.3), sharex=True, sharey=True)
    pip.plot_snapshots(main["I_X"][measure], main["I_Y"][measure], main["epochs"], at=at, axes=axes)
    fig.tight_layout()
    return fig


def fig3(fractions: dict, shares, axes=None, measure: str = "bin30"):
    """Paper Fig. 3: ensemble-mean layer paths for each training share, SNR transition circled."""
    fig, axes = _fig(axes, 1, len(shares), (11, 3.5), sharey=True)
    sc = None
    for ax, f in zip(np.ravel(axes), shares):
        r = fractions[f]
        e = an.snr_transition(r)["epoch"]
        sc = pip.plot_paths(r["I_X"][measure], r["I_Y"][measure], r["epochs"], ax=ax, mark_epoch=e,
                            mark_label=f"SNR transition (epoch {e:.0f})" if np.isfinite(e) else "",
                            title=f"{f:.0%} of the patterns")
    fig.colorbar(sc, ax=axes, label="epoch")
    return fig


def fig4(res: dict, ax=None):
    """Paper Fig. 4: per layer the normalised norms of the gradient mean (solid) and std (dashed), log-log."""
    fig, ax = _fig(ax, 1, 1, (6, 4))
    snr = an.snr_transition(res)
    L = snr["mean"].shape[1]
    cols = pip.layer_colors(L)
    for l in range(L):
        ax.loglog(snr["epochs"], snr["mean"][:, l], color=cols[l], lw=1.3, label=f"layer {l + 1}")
        ax.loglog(snr["epochs"], snr["std"][:, l], color=cols[l], lw=1.0, ls="--")
    if np.isfinite(snr["epoch"]):
        ax.axvline(snr["epoch"], color="0.5", lw=2, alpha=0.6)
    ax.set_xlabel("epoch")
    ax.set_ylabel("norm / $\\|W\\|$")
    ax.legend(fontsize=7, ncol=2, title="solid: mean, dashed: std", title_fontsize=7)
    return fig


def fig5(depth: dict, axes=None, measure: str = "bin30"):
    """Paper Fig. 5: one information plane per architecture (1..6 hidden layers), paths coloured by epoch."""
    fig, axes = _fig(axes, 2, 3, (11, 6.5), sharex=True, sharey=True)
    sc = None
    for ax, (d, r) in zip(np.ravel(axes), depth.items()):
        sc = pip.plot_paths(r["I_X"][measure], r["I_Y"][measure], r["epochs"], ax=ax,
                            title=f"{d} hidden layer{'s' if d > 1 else ''}")
        ax.label_outer()
    fig.colorbar(sc, ax=axes, label="epoch")
    return fig


def fig5b(depth: dict, ax=None, measure: str = "bin30"):
    """Fig. 5 quantified: epochs to generalise per architecture (ensemble mean; hollow: never reached)."""
    fig, ax = _fig(ax, 1, 1, (4.5, 3.2))
    g = an.epochs_to_generalise(depth, measure=measure)
    for d in sorted(g["epochs"]):
        e, hit = g["epochs"][d]
        per, reached = g["per_network"][d]
        ax.plot(np.full(len(per), d) + np.linspace(-0.15, 0.15, len(per)), per, ".", color="0.6", ms=4)
        ax.plot(d, e, "o", color="C0", mfc="C0" if hit else "none")
    ax.set_yscale("log")
    ax.set_xlabel("hidden layers")
    ax.set_ylabel("epochs to generalise")
    return fig


def fig6(ib: dict, ax=None):
    """Paper Fig. 6: the IB curve of the rule and the converged layers (mean +/- s.e.), median beta* labels."""
    fig, ax = _fig(ax, 1, 1, (6, 4))
    b = np.asarray(ib["beta_star"], float)
    labels = [f"$\\beta^*$={np.nanmedian(b[l]):.2g}" if np.isfinite(b[l]).any() else "" for l in range(len(b))]
    pip.plot_final_layers(ib["I_X"], ib["I_Y"], ax=ax, curve=(ib["curve_I_X"], ib["curve_I_Y"]),
                          curve_label="IB bound of $p(x,y)$", labels=labels)
    ax.axhline(ib["I_XY"], color="0.6", ls=":", lw=1)
    ax.set_xlim(0, 12.5)
    ax.legend(fontsize=7, loc="lower right")
    return fig


def fig7(fractions: dict, shares, ib: dict, ax=None, measure: str = "bin30"):
    """Paper Fig. 7: converged layers for each training share (one line per share), the IB bound dashed."""
    import matplotlib.pyplot as plt

    fig, ax = _fig(ax, 1, 1, (6, 4))
    cols = plt.cm.cividis(np.linspace(0, 0.9, len(shares)))
    for c, f in zip(cols, shares):
        r = fractions[f]
        pip.plot_final_layers(np.asarray(r["I_X"][measure])[-1], np.asarray(r["I_Y"][measure])[-1], ax=ax,
                              color=c, connect=True, label=f"{f:.0%}")
    ax.plot(ib["curve_I_X"], ib["curve_I_Y"], color="C0", lw=1, ls="--", label="IB bound")
    ax.legend(fontsize=7, title="training share", title_fontsize=7)
    return fig


def fig8(committee: dict, axes=None, measure: str = "bin30"):
    """Paper Fig. 8: committee-machine rule, layer paths (left) and gradient statistics (right)."""
    fig, axes = _fig(axes, 1, 2, (11, 3.8))
    a, b = np.ravel(axes)
    e = an.snr_transition(committee)["epoch"]
    sc = pip.plot_paths(committee["I_X"][measure], committee["I_Y"][measure], committee["epochs"], ax=a,
                        mark_epoch=e, mark_label=f"SNR transition (epoch {e:.0f})" if np.isfinite(e) else "",
                        title="committee machine")
    fig.colorbar(sc, ax=a, label="epoch")
    fig4(committee, ax=b)
    fig.tight_layout()
    return fig


def fig_relu(relu: dict, axes=None):
    """Beyond the paper (Saxe et al.): ReLU paths with adaptive 30-bin binning (left) and the KDE bound (right)."""
    fig, axes = _fig(axes, 1, 2, (11, 3.8))
    sc = None
    for ax, m, t in zip(np.ravel(axes), ("adaptive30", "kde"), ("ReLU, adaptive bins", "ReLU, KDE bound")):
        sc = pip.plot_paths(relu["I_X"][m], relu["I_Y"][m], relu["epochs"], ax=ax, title=t)
    fig.colorbar(sc, ax=axes, label="epoch")
    return fig


def fig_bins(main: dict, bins, axes=None):
    """Beyond the paper (Saxe et al.): I(X;T) of each tanh layer against epoch with 10, 30, 100 bins."""
    fig, axes = _fig(axes, 1, len(bins), (11, 3.3), sharey=True)
    axes = np.ravel(axes)
    for ax, n in zip(axes, bins):
        I_X, _ = an.mean_plane(main, f"bin{n}")
        for l, c in enumerate(pip.layer_colors(I_X.shape[1])):
            ax.semilogx(np.maximum(main["epochs"], 1), I_X[:, l], color=c, label=f"layer {l + 1}")
        ax.set_title(f"{n} bins")
        ax.set_xlabel("epoch")
    axes[0].set_ylabel("$I(X;T)$ (bits)")
    axes[-1].legend(fontsize=7)
    return fig


def fig_saxe(runs: dict, axes=None, measure: str = "bin30", sat: str = "sat30"):
    """Beyond the paper (Saxe et al.): for each run (columns: e.g. Adam, plain SGD, full-batch GD, a share
    smaller than one batch) the ensemble-mean I(X;T) of each layer (top), the share of its units in
    the end bins (middle; hidden layers) and its weight norm (bottom), against epoch."""
    fig, axes = _fig(axes, 3, len(runs), (3.1 * len(runs), 7.5), sharex=True, sharey="row")
    axes = np.asarray(axes).reshape(3, len(runs))
    for j, (name, r) in enumerate(runs.items()):
        ep = np.maximum(np.asarray(r["epochs"]), 1)
        I_X, _ = an.mean_plane(r, measure)
        L = I_X.shape[1]
        cols = pip.layer_colors(L)
        s = np.nanmean(np.asarray(r["values"][sat], float), axis=2)
        w = np.nanmean(np.asarray(r["weight_norm"], float), axis=2)
        for l in range(L):
            axes[0, j].semilogx(ep, I_X[:, l], color=cols[l], label=f"layer {l + 1}")
            if l < L - 1:
                axes[1, j].semilogx(ep, s[:, l], color=cols[l])
            axes[2, j].semilogx(ep, w[:, l], color=cols[l])
        axes[0, j].set_title(name, fontsize=9)
        axes[2, j].set_xlabel("epoch")
    axes[0, 0].set_ylabel("$I(X;T)$ (bits)")
    axes[1, 0].set_ylabel("saturated share")
    axes[2, 0].set_ylabel("$\\|W_l\\|_F$")
    axes[0, -1].legend(fontsize=6)
    fig.tight_layout()
    return fig


def fig5c(depth: dict, fractions: dict, shares, axes=None, measure: str = "bin30"):
    """Fig. 5, 7 and eq. 11 quantified: (a) median compression time of each layer by architecture; (b) eq. 11,
    ln(compression epochs) against the drop Delta I_X of every compressing layer of the depth runs, with the
    least-squares line; (c) drop of the deeper layers against the training share (mean +/- s.e. over networks)."""
    from . import claims as cl

    fig, axes = _fig(axes, 1, 3, (12, 3.4))
    a, b, c = np.ravel(axes)
    for d, r in sorted(depth.items()):
        t = an.compression_epochs(r, measure, cl.MIN_DROP_BITS)["epochs"]
        med = np.array([np.nanmedian(row) if np.isfinite(row).any() else np.nan for row in t])
        a.plot(np.arange(1, len(med) + 1), med, "o-", ms=3, label=f"{d} hidden")
    a.set_yscale("log")
    a.set_xlabel("layer")
    a.set_ylabel(f"epochs to {an.COMPRESSION_DONE:.0%} of the drop")
    a.legend(fontsize=6)
    pts = cl.eq11_points(depth, measure)
    if len(pts["drop_bits"]):
        b.plot(pts["drop_bits"], np.log(pts["epochs"]), ".", color="0.4", ms=4)
        s = cl._slope(pts["drop_bits"], np.log(pts["epochs"]))
        if np.isfinite(s):
            x = np.linspace(pts["drop_bits"].min(), pts["drop_bits"].max(), 2)
            y0 = np.log(pts["epochs"]).mean() - s * pts["drop_bits"].mean()
            b.plot(x, y0 + s * x, color="C3", label=f"slope {s:.2f} per bit")
            b.legend(fontsize=7)
    b.set_xlabel(r"$\Delta I_X$ (bits)")
    b.set_ylabel("ln(epochs to compress)")
    m, e = [], []
    for f in shares:
        dr = cl.phase_statistics(fractions[f], measure)["drop_bits"]
        m.append(dr.mean())
        e.append(dr.std(ddof=1) / np.sqrt(len(dr)) if len(dr) > 1 else 0.0)
    c.errorbar(shares, m, yerr=e, fmt="o-", ms=4, capsize=2)
    c.set_xscale("log")
    c.set_xlabel("training share")
    c.set_ylabel("drop of the deeper layers (bits)")
    fig.tight_layout()
    return fig


def fig_exact(main: dict, axes=None, exact: str = "q4exact", aligned: str = "q4bin4", default: str = "bin30"):
    """Beyond the paper (Lorenzen et al. 2022): exact I(X;T), I(T;Y) of each layer read out on 4 levels (lines),
    the binned estimator with bins aligned to the levels on the same read-out (circles) and the chapter's
    30 bins on the continuous layer (dashed); ensemble means against epoch, bits."""
    fig, axes = _fig(axes, 1, 2, (11, 3.4))
    ep = np.maximum(main["epochs"], 1)
    for ax, c in zip(np.ravel(axes), ("I_X", "I_Y")):
        ex, al, df = (np.nanmean(main[c][m], axis=2) for m in (exact, aligned, default))
        for l, col in enumerate(pip.layer_colors(ex.shape[1])):
            ax.semilogx(ep, ex[:, l], color=col, lw=1.5, label=f"layer {l + 1}")
            ax.semilogx(ep[::3], al[::3, l], "o", mfc="none", color=col, ms=4)
            ax.semilogx(ep, df[:, l], "--", color=col, lw=0.8)
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"${'I(X;T)' if c == 'I_X' else 'I(T;Y)'}$ (bits)")
    ax0 = np.ravel(axes)[0]
    ax0.plot([], [], "k-", label="exact, 4 levels")
    ax0.plot([], [], "ko", mfc="none", label="4 aligned bins, 4 levels")
    ax0.plot([], [], "k--", label="30 bins, continuous layer")
    ax0.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    return fig


def headline_arrays(main: dict, measure: str = "bin30") -> dict:
    """The arrays behind Fig. 2, the page's headline: ``I_X``, ``I_Y`` (S, L, K) in bits per snapshot,
    layer and network, and ``epochs`` (S,); what a full-preset snapshot keeps
    (:func:`deepinfo.snapshot.save_headline_arrays`)."""
    return {"epochs": np.asarray(main["epochs"]), "I_X": np.asarray(main["I_X"][measure]),
            "I_Y": np.asarray(main["I_Y"][measure])}


def fig2_snapshot(arrays: dict | None, info: dict | None = None, axes=None):
    """Fig. 2 at the full preset, drawn from a snapshot's :func:`headline_arrays` (``None``: a panel
    that says there is no snapshot yet). ``info``: the snapshot document (its ``stale`` flag and
    provenance go into the title)."""
    from ...plotting import no_snapshot_figure, snapshot_suptitle

    if arrays is None:
        return no_snapshot_figure()
    res = {"I_X": {"bin30": arrays["I_X"]}, "I_Y": {"bin30": arrays["I_Y"]}, "epochs": arrays["epochs"]}
    fig = fig2(res)
    S, L, K = np.shape(arrays["I_X"])
    snapshot_suptitle(fig, info, f"{K} networks, {int(arrays['epochs'][-1]):,} epochs, {S} snapshots")
    return fig
