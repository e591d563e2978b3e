"""Figures and summaries for ``book/cheap_learning.md`` that are too long for a chapter cell."""
from __future__ import annotations

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt

from . import flattening


def flattening_figure(fft: pd.DataFrame, lr: pd.DataFrame, sp: pd.DataFrame):
    """Three panels: FFT synapse counts and C_s; low-rank C_s vs n/2k; sparse C_s vs eq. 27 and 1/2p."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    ax = axes[0]
    ax.loglog(fft.n, fft.deep_synapses, "o-", label="butterflies, $2n\\log_2 n$")
    ax.loglog(fft.n, fft.flat_synapses, "s-", label="DFT matrix, $n^2$")
    ax.loglog(fft.n, fft.C_s, "^-", label="$C_s$")
    ax.set_xscale("log", base=2)
    ax.set(xlabel="n", ylabel="synapses / cost")
    ax.legend(fontsize=7)
    ax = axes[1]
    for n, grp in lr.groupby("n"):
        ax.loglog(grp.k, grp.C_s, "o", label=f"n = {n}")
        ax.loglog(grp.k, grp.C_s_theory, "k-", lw=0.6)
    ax.axhline(1, color="grey", lw=0.6)
    ax.set_xscale("log", base=2)
    ax.set(xlabel="rank k", ylabel="$C_s$")
    ax.legend(fontsize=7)
    ax = axes[2]
    nn = np.geomspace(5, 400, 100)
    for i, (p, grp) in enumerate(sp.groupby("p")):
        ax.errorbar(grp.n, grp.C_s_mean, grp.C_s_std, fmt="o", color=f"C{i}", ms=3, alpha=0.5)
        ax.plot(grp.n, grp.C_s_ratio_of_means, "x", color=f"C{i}", ms=6, label=f"p = {p}")
        ax.plot(nn, flattening.eq27(nn, p), "-", color=f"C{i}", lw=0.8)
        ax.axhline(1 / (2 * p), color=f"C{i}", ls=":", lw=0.8)
    ax.set(xlabel="n", ylabel="$C_s$", xscale="log", yscale="log")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def shallow_deep_table(sd: dict) -> pd.DataFrame:
    """One row per (n, shallow/deep): layers, smallest neuron count reaching the target, reached."""
    rows = []
    for row in sd["rows"]:
        for name in ("shallow", "deep"):
            r = row[name]
            rows.append({"n": row["n"], "net": name, "layers": r["layers"], "min neurons": r["neurons"],
                         "reached": bool(r["reached"])})
    return pd.DataFrame(rows)


def shallow_deep_figure(sd: dict, widths, title: str):
    """Left: best test 1 - R^2 vs hidden neurons per n (solid shallow, dashed deep); right: the
    smallest neuron count reaching the target vs n (open markers at the top: not reached)."""
    widths = np.asarray(widths)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for j, row in enumerate(sd["rows"]):
        for name, ls in (("shallow", "-"), ("deep", "--")):
            r = row[name]
            axes[0].loglog(widths * r["layers"], np.maximum(r["nmse"], 1e-4), ls, marker="o", ms=3, color=f"C{j}",
                           label=f"n = {row['n']}" if name == "shallow" else None)
    axes[0].axhline(sd["target"], color="k", ls=":", lw=0.8)
    axes[0].set_xscale("log", base=2)
    axes[0].set(xlabel="hidden neurons", ylabel="test $1-R^2$")
    axes[0].legend(fontsize=7)
    res = shallow_deep_table(sd)
    top = widths.max() * res.layers.max() * 1.5
    for k, (name, mk) in enumerate((("shallow", "o"), ("deep", "s"))):
        r = res[res.net == name]
        axes[1].semilogy(r.n, np.where(r.reached, r["min neurons"], np.nan), mk + "-", color=f"C{k}", label=name)
        miss = ~r.reached.to_numpy()
        axes[1].semilogy(r.n[miss], [top] * miss.sum(), mk, mfc="none", color=f"C{k}")
    axes[1].set_xticks(sorted(res.n.unique()))
    axes[1].set(xlabel="n", ylabel="min hidden neurons to reach target")
    axes[1].legend()
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def shallow_deep_verdict(res: pd.DataFrame, max_width: int) -> tuple[float, bool, str]:
    """(measured, holds, detail) for P4.shallow_needs_more_neurons.

    Among n >= 3 where the deep net reached the target, take the largest n*; measured = shallow /
    deep minimal neurons there (a lower bound, using the largest width tried, if the shallow net never
    reached). holds if the shallow net needed more neurons (or never reached) at every such n."""
    piv = res.pivot(index="n", columns="net", values="min neurons")
    reach = res.pivot(index="n", columns="net", values="reached")
    cands = [n for n in piv.index if n >= 3 and reach.loc[n, "deep"]]
    if not cands:
        return 0.0, False, "deep never reached the target for n >= 3 within the budget: no comparison possible"
    n_star = max(cands)
    shallow_n = piv.loc[n_star, "shallow"] if reach.loc[n_star, "shallow"] else max_width
    ratio = float(shallow_n / piv.loc[n_star, "deep"])
    more = all((not reach.loc[n, "shallow"]) or piv.loc[n, "shallow"] > piv.loc[n, "deep"] for n in cands)
    lower = "" if reach.loc[n_star, "shallow"] else " (a lower bound: the shallow net never reached)"
    detail = (f"n = {n_star}: shallow/deep minimal neurons = {ratio:.2f}{lower}; shallow needs more at every "
              f"n >= 3 where the deep net reached: {more}")
    return ratio, bool(more and ratio > 1), detail
