"""Information-plane figures shared by the chapters: layer paths and ensemble snapshots.

The information plane of Shwartz-Ziv & Tishby (2017) places every layer ``T`` of a network at
``(I(X;T), I(T;Y))``, both in **bits**. These helpers take plain arrays, so any chapter can use
them (the information-plane chapter, the synthesis page):

* :func:`plot_paths`      one path per layer over training, coloured by epoch (paper Figs. 3, 5, 8);
* :func:`plot_snapshots`  every layer of every network at a few epochs (paper Fig. 2);
* :func:`plot_final_layers`  converged layers with their spread over networks, optionally a bound
  curve beside them (paper Figs. 6 and 7);
* :func:`layer_colors`    the layer palette used by all three.

Array shapes: ``S`` snapshots, ``L`` layers, ``K`` networks. ``I_X``/``I_Y`` of shape (S, L) are
ensemble means; of shape (S, L, K) per network (the helpers average over the last axis where
they need means). No display is needed (matplotlib, any backend).
"""
from __future__ import annotations

import numpy as np

XLABEL = "$I(X;T)$ (bits)"
YLABEL = "$I(T;Y)$ (bits)"


def layer_colors(L: int):
    """``L`` colours from the viridis map, layer 1 (closest to the input) darkest."""
    import matplotlib.pyplot as plt

    return plt.cm.viridis(np.linspace(0.0, 0.9, L))


def _means(a) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim == 3:
        return np.nanmean(a, axis=2)
    if a.ndim != 2:
        raise ValueError(f"expected (S, L) means or (S, L, K) values in bits, got shape {a.shape}")
    return a


def plot_paths(I_X, I_Y, epochs, ax=None, *, mark_epoch=None, mark_label="", title: str = "",
               cmap: str = "plasma", s: float = 10):
    """Paper Figs. 3, 5, 8: the path of each layer in the information plane over training.

    Parameters
    ----------
    I_X, I_Y : (S, L) ensemble means or (S, L, K) per network (averaged here), bits
    epochs : (S,) the snapshot epochs; colours are log-scaled (epoch 0 is drawn as epoch 1)
    mark_epoch : optional epoch whose snapshot is circled in green (e.g. the SNR transition)
    Returns the scatter artist of the last layer (for a shared colour bar).
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    ax = ax or plt.gca()
    I_X, I_Y = _means(I_X), _means(I_Y)
    ep_raw = np.asarray(epochs)
    ep = np.maximum(ep_raw, 1)
    norm = LogNorm(1, max(ep.max(), 2))
    sc = None
    for l in range(I_X.shape[1]):
        ax.plot(I_X[:, l], I_Y[:, l], color="0.8", lw=0.8, zorder=1)
        sc = ax.scatter(I_X[:, l], I_Y[:, l], c=ep, cmap=cmap, norm=norm, s=s, zorder=2)
    if mark_epoch is not None and np.isfinite(mark_epoch):
        i = int(np.argmin(abs(ep_raw - mark_epoch)))
        ax.scatter(I_X[i], I_Y[i], marker="o", facecolor="none", edgecolor="green", s=60, lw=1.5,
                   zorder=3, label=mark_label or f"epoch {ep_raw[i]}")
        ax.legend(fontsize=7, loc="lower right")
    ax.set_xlabel(XLABEL)
    ax.set_ylabel(YLABEL)
    if title:
        ax.set_title(title)
    return sc


def plot_snapshots(I_X, I_Y, epochs, at=(0, 400, None), axes=None, *, alpha: float = 0.8):
    """Paper Fig. 2: every layer (colour) of every network at the snapshots nearest to ``at``.

    Parameters
    ----------
    I_X, I_Y : (S, L, K) per network, bits
    epochs : (S,) snapshot epochs; ``at`` entries of None mean the last snapshot
    axes : one axis per entry of ``at`` (created when None)
    """
    import matplotlib.pyplot as plt

    I_X, I_Y = np.asarray(I_X, dtype=float), np.asarray(I_Y, dtype=float)
    if I_X.ndim != 3 or I_X.shape != I_Y.shape:
        raise ValueError(f"plot_snapshots: expected I_X, I_Y of one shape (S, L, K), got {I_X.shape}, {I_Y.shape}")
    if axes is None:
        _, axes = plt.subplots(1, len(at), figsize=(10, 3.3), sharex=True, sharey=True)
    ep = np.asarray(epochs)
    L = I_X.shape[1]
    cols = layer_colors(L)
    for ax, e in zip(np.ravel(axes), at):
        i = len(ep) - 1 if e is None else int(np.argmin(abs(ep - e)))
        for l in range(L):
            ax.scatter(I_X[i, l], I_Y[i, l], s=12, color=cols[l], label=f"layer {l + 1}", alpha=alpha,
                       edgecolor="none")
        ax.set_title(f"epoch {ep[i]}")
        ax.set_xlabel(XLABEL)
    axes = np.ravel(axes)
    axes[0].set_ylabel(YLABEL)
    axes[-1].legend(fontsize=7, loc="lower right")
    return axes


def plot_final_layers(I_X, I_Y, ax=None, *, curve=None, curve_label: str = "IB bound",
                      labels=None, color=None, connect: bool = False, label: str = ""):
    """Paper Figs. 6 and 7: converged layers, mean +/- standard error over networks.

    Parameters
    ----------
    I_X, I_Y : (L, K) the layers of K networks at one epoch, bits
    curve : optional (curve_I_X, curve_I_Y), e.g. the IB curve of the rule, drawn as a line
    labels : optional list of L strings written next to the layers (e.g. beta*)
    color : one colour for every layer (Fig. 7 lines) instead of the layer palette
    connect : join the layers by a line (Fig. 7)
    """
    import matplotlib.pyplot as plt
    from ..stats import mean_se

    ax = ax or plt.gca()
    if curve is not None:
        ax.plot(curve[0], curve[1], color="C0", lw=2, label=curve_label)
    I_X, I_Y = np.asarray(I_X, dtype=float), np.asarray(I_Y, dtype=float)
    mx, ex, _ = mean_se(I_X, axis=1) if I_X.shape[1] > 1 else (I_X[:, 0], np.zeros(len(I_X)), 1)
    my, ey, _ = mean_se(I_Y, axis=1) if I_Y.shape[1] > 1 else (I_Y[:, 0], np.zeros(len(I_Y)), 1)
    ex, ey = np.nan_to_num(ex), np.nan_to_num(ey)
    L = len(mx)
    cols = [color] * L if color is not None else layer_colors(L)
    if connect:
        ax.plot(mx, my, "-", color="0.5" if color is None else color, lw=1, label=label or None)
    for l in range(L):
        ax.errorbar(mx[l], my[l], xerr=ex[l], yerr=ey[l], fmt="o", color=cols[l], ms=5,
                    label=(f"layer {l + 1}" if color is None else None))
        if labels is not None and labels[l]:
            ax.annotate(labels[l], (mx[l], my[l]), textcoords="offset points", xytext=(4, -12), fontsize=7)
    ax.set_xlabel(XLABEL)
    ax.set_ylabel(YLABEL)
    return ax
