"""Figure helpers shared by the chapters (matplotlib, no display needed)."""
from __future__ import annotations

import matplotlib

if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
    pass

import matplotlib.pyplot as plt  # noqa: E402


def style() -> None:
    """The book's figure style: small, legible, colour-blind-safe palette."""
    import seaborn as sns

    sns.set_theme(context="notebook", style="ticks", palette="colorblind", font_scale=0.9)
    plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 150, "axes.spines.top": False,
                         "axes.spines.right": False, "figure.figsize": (5.5, 3.8)})


def image_grid(images, shape, nrow: int, ax=None, cmap: str = "gray_r", pad: int = 1):
    """Tile ``images`` (n, H*W[*C]) into a grid with ``nrow`` rows on ``ax``; returns the axis."""
    import numpy as np

    imgs = np.asarray(images, dtype=float).reshape(len(images), *shape)
    n = len(imgs)
    ncol = int(np.ceil(n / nrow))
    H, W = shape[:2]
    C = shape[2] if len(shape) == 3 else None
    canvas = np.ones((nrow * (H + pad) - pad, ncol * (W + pad) - pad) + ((C,) if C else ()))
    canvas *= imgs.max() if cmap == "gray" else imgs.min() if n else 0
    for i, im in enumerate(imgs):
        r, c = divmod(i, ncol)
        canvas[r * (H + pad):r * (H + pad) + H, c * (W + pad):c * (W + pad) + W] = im
    ax = ax or plt.gca()
    ax.imshow(canvas, cmap=None if C else cmap, interpolation="nearest")
    ax.set_axis_off()
    return ax


def no_snapshot_figure():
    """The panel a page draws where its full-preset snapshot (``data/results/full/``) does not exist yet."""
    fig, ax = plt.subplots(figsize=(10, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, "No full-preset snapshot of this chapter in data/results/full/ yet "
            "(README: 'Running at paper scale').", ha="center", va="center")
    return fig


def snapshot_suptitle(fig, info: dict | None, what: str = "") -> None:
    """Title a figure drawn from a full-preset snapshot: ``what`` was drawn, the snapshot's commit and
    date, and a red warning when the chapter's code has changed since (``info["stale"]``)."""
    prov = (info or {}).get("provenance", {})
    title = (f"full preset, from the committed snapshot{': ' + what if what else ''} "
             f"(commit {str(prov.get('commit', '?'))[:8]}, {str(prov.get('date', '?'))[:10]})")
    stale = bool((info or {}).get("stale"))
    if stale:
        title += "\nSTALE: the chapter's code has changed since this snapshot"
    fig.suptitle(title, fontsize=9, color="#cf222e" if stale else "black")
    fig.tight_layout()
