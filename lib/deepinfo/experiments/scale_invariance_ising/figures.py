"""Figures of the Lee & Jo (2022) Ising and theory page: one function per figure (each returns it)."""
from __future__ import annotations

import numpy as np

from ...plotting.relevance import fit_label, plot_relevance_plane, power_law_line, tail_table  # noqa: F401
from ...verdicts import fit

COLOURS = ["C0", "C1", "C3"]


def _plt():
    import matplotlib.pyplot as plt

    return plt


def fig_5(realisation: dict, L: int):
    """Fig. 5: example patterns (top) and m(k) of the inputs and of the codes (bottom), one column per T."""
    from ...estimators import degeneracy
    from ...plotting import image_grid

    runs = realisation["runs"]
    fig, axes = _plt().subplots(2, len(runs), figsize=(10, 6.8), gridspec_kw={"height_ratios": [1, 1.8]},
                                squeeze=False)
    for j, r in enumerate(runs):
        T = r["T"]
        image_grid((r["examples"] > 0).reshape(len(r["examples"]), -1), (L, L), nrow=2, ax=axes[0, j], cmap="gray_r")
        axes[0, j].set_title(f"T = {T}" + ("  (≈ T_c)" if abs(T - realisation["T_c"]) < 0.05 else ""))
        ax = axes[1, j]
        kx, mx = degeneracy(r["counts_x"])
        kz, mz = degeneracy(r["counts_z"])
        col = COLOURS[j % len(COLOURS)]
        ax.loglog(kx, mx, "s", color="0.6", ms=4, label="inputs $x$")
        f = fit(r["counts_z"])
        ax.loglog(kz, mz, "o", color=col, ms=4, mfc="none", label="codes $z$: " + fit_label(f))
        line = power_law_line(f, kz.max())
        if line is not None:
            ax.loglog(*line, "-", color=col, lw=1)
        ax.set(xlabel="$k$", ylabel="$m(k)$" if j == 0 else None, ylim=(0.5, None),
               xlim=(0.7, max(20, 2 * max(kx.max(), kz.max()))))
        ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def fig_widths(ws: dict):
    """Sensitivity of Fig. 5 (highest T) to the bottleneck width: m(k_z) per width, with each verdict."""
    from ...estimators import degeneracy

    fig, ax = _plt().subplots(figsize=(5.8, 4))
    for j, row in enumerate(ws["rows"]):
        k, m = degeneracy(row["counts_z"])
        ax.loglog(k, m, "o-", ms=3.5, lw=0.6, mfc="none", color=f"C{j}",
                  label=f"{row['n_hidden']} units: " + (fit_label(fit(row["counts_z"])) or "no fit"))
    ax.set(xlabel="$k_z$", ylabel="$m(k_z)$", title=f"T = {ws['T']}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def fig_eq7(th: dict):
    """Eq. 7 over integers: the exact maximiser for each beta (left) and the pure-clustering case beta = 0 (right)."""
    fig, (a1, a2) = _plt().subplots(1, 2, figsize=(10, 3.9))
    for j, case in enumerate(th["cases"]):
        a1.loglog(case["k"], case["m_k"], "o", ms=3.5, color=f"C{j}", label=fr"$\beta$ = {case['beta']}")
        kk = np.arange(1, case["k"].max() + 1)
        a1.loglog(kk, case["m_k"][0] * kk ** (-case["beta"] - 1.0), "-", lw=1, color=f"C{j}")
    a1.set(xlabel="$k$", ylabel="$m(k)$", ylim=(0.5, None), title=f"maximiser of $H(K)+\\beta H(Z)$, M = {th['M']}")
    a1.legend(fontsize=8)
    p = th["pure"]
    a2.semilogx(p["k"], p["k"] * p["m_k"], "o", ms=3.5, color="C4", label="integer maximiser")
    a2.semilogx(p["k"], p["k"], ":", color="0.5", lw=1, label="one cluster of size $k$")
    a2.legend(fontsize=8)
    a2.set(xlabel="$k$", ylabel="$k\\,m(k)$", ylim=(0, None), title=r"$\beta = 0$: maximise $H(K)$ alone")
    fig.tight_layout()
    return fig


def fig_plane(realisation: dict):
    """The measured inputs and codes of Fig. 5 in the resolution-relevance plane, in bits, with the bound."""
    runs = realisation["runs"]
    M = int(runs[0]["counts_x"].sum())
    fig, ax = _plt().subplots(figsize=(5.8, 4.2))
    hs = [np.array([r["H_s_x"], r["H_s_z"]]) for r in runs]
    hk = [np.array([r["H_k_x"], r["H_k_z"]]) for r in runs]
    styles = [{"color": COLOURS[j % 3], "marker": "o", "mfc": "none"} for j in range(len(runs))]
    plot_relevance_plane(ax, hs, hk, M, [f"T = {r['T']}: x -> z" for r in runs], normalise=False, styles=styles,
                         annotate=False, bound_label=f"maximal H(K), M = {M}")
    for j, r in enumerate(runs):  # filled square: the inputs
        ax.plot(r["H_s_x"], r["H_k_x"], "s", ms=7, color=COLOURS[j % 3])
    fig.tight_layout()
    return fig


def gap_rows(realisation: dict) -> list[dict]:
    """Per temperature and layer: H(Z), H(K) and the gap below the maximal-relevance curve (bits)."""
    from ...estimators import relevance_gap

    rows = []
    for r in realisation["runs"]:
        M = int(r["counts_x"].sum())
        for name in ("x", "z"):
            hs, hk = r[f"H_s_{name}"] + 0.0, r[f"H_k_{name}"] + 0.0
            rows.append({"T": r["T"], "layer": name, "H(Z)": hs, "H(K)": hk,
                         "gap (bits)": float(np.asarray(relevance_gap(hs, hk, M)))})
    return rows


def headline_arrays(realisation: dict) -> dict:
    """The arrays behind Fig. 5's bottom row, the page's headline: for each temperature ``T`` (n_T,),
    the state counts of the inputs ``counts_x_<j>`` and of the binarised codes ``counts_z_<j>`` (each the
    number of samples of each distinct state, sorted; what a full-preset snapshot keeps)."""
    out = {"T": np.array([r["T"] for r in realisation["runs"]], dtype=float),
           "T_c": np.array(realisation["T_c"], dtype=float)}
    for j, r in enumerate(realisation["runs"]):
        out[f"counts_x_{j}"] = np.sort(np.asarray(r["counts_x"], dtype=np.int64))
        out[f"counts_z_{j}"] = np.sort(np.asarray(r["counts_z"], dtype=np.int64))
    return out


def fig_5_snapshot(arrays: dict | None, info: dict | None = None):
    """Fig. 5's bottom row at the full preset, from a snapshot's :func:`headline_arrays` (``None``: a
    panel that says there is no snapshot yet); ``info`` (the snapshot document) goes into the title."""
    from ...estimators import degeneracy
    from ...plotting import no_snapshot_figure, snapshot_suptitle

    if arrays is None:
        return no_snapshot_figure()
    plt = _plt()
    temps = arrays["T"]
    fig, axes = plt.subplots(1, len(temps), figsize=(10, 3.6), squeeze=False)
    for j, T in enumerate(temps):
        ax = axes[0, j]
        kx, mx = degeneracy(arrays[f"counts_x_{j}"])
        kz, mz = degeneracy(arrays[f"counts_z_{j}"])
        col = COLOURS[j % len(COLOURS)]
        ax.loglog(kx, mx, "s", color="0.6", ms=4, label="inputs $x$")
        f = fit(arrays[f"counts_z_{j}"])
        ax.loglog(kz, mz, "o", color=col, ms=4, mfc="none", label="codes $z$: " + fit_label(f))
        line = power_law_line(f, kz.max())
        if line is not None:
            ax.loglog(*line, "-", color=col, lw=1)
        near = abs(T - float(arrays["T_c"])) < 0.05
        ax.set(xlabel="$k$", ylabel="$m(k)$" if j == 0 else None, ylim=(0.5, None),
               title=f"T = {T:g}" + ("  (≈ T_c)" if near else "") + f", M = {int(arrays[f'counts_z_{j}'].sum()):,}")
        ax.legend(fontsize=7, loc="upper right")
    snapshot_suptitle(fig, info)
    return fig
