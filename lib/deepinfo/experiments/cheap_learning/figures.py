"""One function per figure of ``book/cheap_learning.md`` (Lin & Tegmark 2016); each returns the figure
(or table) and draws nothing else. Captions, with the paper's figure or equation numbers, are in the chapter."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...cheap import flattening, gates
from .run import shallow_deep_table


def fig_bayes(res: dict):
    """Eq. 1-8: the network's posterior of class 1 (left) and |network - Bayes| (right) on the grid."""
    g, n = res["grid"], len(res["grid"])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    im = axes[0].pcolormesh(g, g, res["p_net"][:, 1].reshape(n, n), cmap="viridis", shading="auto")
    axes[0].scatter(*np.asarray(res["means"]).T, c="w", edgecolor="k", s=40)
    fig.colorbar(im, ax=axes[0], label="p(x = 1 | y), network")
    diff = np.abs(res["p_net"] - res["p_bayes"]).max(1).reshape(n, n) + 1e-20
    im = axes[1].pcolormesh(g, g, diff, cmap="magma", norm=plt.matplotlib.colors.LogNorm(vmin=1e-18, vmax=1e-12),
                            shading="auto")
    fig.colorbar(im, ax=axes[1], label="max over x of |network - Bayes|")
    for ax in axes:
        ax.set(xlabel="$y_1$", ylabel="$y_2$", aspect="equal")
    fig.tight_layout()
    return fig


def fig_gate(sweep: dict):
    """Fig. 2 (left), eq. 10-11: max gate error against lambda per activation, with the predicted C lambda^2."""
    lams = sweep["lambdas"]
    fig, ax = plt.subplots()
    for name, r in sweep["activations"].items():
        line, = ax.loglog(lams, r["err"], "o-", ms=3, label=f"{name} (b = {r['b']:.3f}), slope {r['slope']:.2f}")
        ax.loglog(lams, r["coef"] * lams ** 2, "--", color=line.get_color(), lw=0.8)
    ax.set(xlabel=r"input scale $\lambda$", ylabel=r"max $|m(u,v) - uv|$ on $[-1,1]^2$")
    ax.legend(fontsize=7)
    return fig


def fig_tree(tree: pd.DataFrame):
    """Section II C: hidden neurons of the product tree against n (with 4n), and its error."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    axes[0].loglog(tree.n, tree.neurons, "o-", label="product tree")
    axes[0].loglog(tree.n, 4 * tree.n, "k--", lw=0.8, label="4n")
    axes[0].set(xlabel="n inputs", ylabel="hidden neurons")
    axes[1].loglog(tree.n, tree.max_error, "o-", label="max error")
    axes[1].loglog(tree.n, tree.mean_error, "s-", label="mean error")
    axes[1].set(xlabel="n inputs", ylabel="error")
    for ax in axes:
        ax.set_xscale("log", base=2)
        ax.legend()
    fig.tight_layout()
    return fig


def fig_bits(bp: dict):
    """Fig. 2 (right), eq. 13: exact max error of the bit product against beta, with sigma(-beta/2)."""
    betas, D = bp["betas"], bp["D"]
    fig, ax = plt.subplots()
    ax.semilogy(betas, bp["errs"], "o", ms=3, label="enumeration, k = 3")
    ax.semilogy(betas, 1 / (1 + np.exp(betas / 2)), "k-", lw=0.8, label=r"$\sigma(-\beta/2)$")
    ax.axvline(bp["beta_paper"], color="C1", ls="--", label=rf"$D\ln 10 = {bp['beta_paper']:.1f}$")
    ax.axvline(bp["beta_needed"], color="C2", ls="--", label=rf"needed for $10^{{-{D}}}$: {bp['beta_needed']:.1f}")
    ax.axhline(10.0 ** -D, color="grey", lw=0.6)
    ax.set(xlabel=r"$\beta$", ylabel="max error over all bit strings")
    ax.legend(fontsize=8)
    return fig


def fig_dpi(ch: dict):
    """Section III A-D: I(x0; x_i) in bits along the chain, exact and plug-in."""
    dpi = ch["dpi"]
    lev = np.arange(len(ch["sizes"]))
    fig, ax = plt.subplots()
    ax.semilogy(lev, dpi["exact"], "o-", label="exact")
    ax.semilogy(lev, dpi["plugin"], "s--", label=f"plug-in, M = {ch['M']:,}")
    ax.set(xlabel="level i", ylabel=r"$I(x_0; x_i)$ (bits)", title=f"states per level {list(ch['sizes'])}")
    ax.legend()
    return fig


def fig_flattening(fl: dict):
    """Section III G: FFT synapse counts and C_s; low-rank C_s vs n/2k; sparse C_s vs eq. 27 and 1/2p."""
    fft, lr, sp = fl["fft"], fl["low_rank"], fl["sparse"]
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


def fig_rg(flow: dict):
    """Eq. 23-24: |x_i'(b)| / x_i, block average (sampled and exact) and Fourier decimation, against b^(2-2i)."""
    b, x = flow["b"], flow["x"]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for i, ax in enumerate(axes):
        ax.loglog(b, b ** (2.0 - 2 * i), color="grey", lw=3, alpha=0.5, label="eq. 24")
        ax.loglog(b, np.abs(flow["block_exact"][:, i]) / x[i], "C0-", label="block, exact")
        ax.errorbar(b * 0.97, np.abs(flow["block"][:, i]) / x[i], flow["block_se"][:, i] / x[i], fmt="C0o", ms=4,
                    label="block, sampled")
        ax.errorbar(b * 1.03, np.abs(flow["decim"][:, i]) / x[i], flow["decim_se"][:, i] / x[i], fmt="C1s",
                    mfc="none", ms=4, label="decimation, sampled")
        ax.set_yscale("log")
        ax.set_xscale("log", base=2)
        ax.set(xlabel="b", title=f"$|x_{i}'| / x_{i}$")
    axes[0].legend(fontsize=7)
    fig.suptitle(f"L = {flow['L']}, S = {flow['S']} fields", fontsize=9)
    fig.tight_layout()
    return fig


def _slope(b, v) -> float:
    v = np.asarray(v, float)
    return gates.loglog_slope(b, v) if (v > 0).all() else float("nan")


def rg_tables(flow: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ratios x_i'(b)/x_i per method with fitted exponents (blank where a noisy estimate is negative),
    and the exponent of x0' under the three field conventions c = 1, b^2, 1/b^2."""
    b, x = flow["b"], flow["x"]
    table = pd.DataFrame(
        [{"coupling": f"x{i}", "method": m, **{f"b = {int(bb)}": flow[k][j, i] / x[i] for j, bb in enumerate(b)},
          "fitted exponent": _slope(b, flow[k][:, i])}
         for i in range(3) for m, k in (("eq. 24", "decim_exact"), ("block, exact", "block_exact"),
                                        ("block, sampled", "block"), ("decimation, sampled", "decim"))])
    x0_block = flow["block"][:, 0]
    conventions = pd.DataFrame({
        "field value of a coarse pixel": ["block average (c = 1)", "block sum (c = b^2)", "average / b^2 (c = 1/b^2)"],
        "predicted exponent of x0'": [2, -2, 6],
        "measured exponent of x0'": [_slope(b, x0_block / c ** 2) for c in (np.ones_like(b), b ** 2, b ** -2.0)],
    })
    return table, conventions


def fig_appendix(ce: dict):
    """Appendix A (eq. 28-32): p and p~ at x = 0; Z and Z_tot against the field x, with TV(p, p~)."""
    z0, fields, n = ce["at_zero"], ce["fields"], ce["n_states"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    axes[0].bar(np.arange(n) - 0.2, z0["p"], 0.4, label="p(y)")
    axes[0].bar(np.arange(n) + 0.2, z0["p_tilde"], 0.4, label="marginal p~(y)")
    axes[0].set(xlabel="state y", ylabel="probability", title=f"Z = {z0['Z']:.6f}, Z_tot = {z0['Z_tot']:.6f}")
    axes[0].legend()
    axes[1].plot(fields, ce["Z"], "o", label="Z")
    axes[1].plot(fields, ce["Z_tot"], "-", label="Z_tot")
    ax2 = axes[1].twinx()
    ax2.plot(fields, ce["tv"], "C2--", label="TV(p, p~)")
    ax2.set_ylabel("total variation", color="C2")
    axes[1].set(xlabel="field x", ylabel="partition function")
    axes[1].legend(loc="upper center")
    fig.tight_layout()
    return fig


def fig_shallow_deep(sd: dict, widths, title: str):
    """Section IV's conjecture as an experiment. Left: best test 1 - R^2 against hidden neurons per n (solid
    shallow, dashed deep); right: the smallest neuron count reaching the target against n (open markers at
    the top: not reached)."""
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


def headline_arrays(sd: dict, cfg) -> dict:
    """The arrays behind the shallow-vs-deep figure, the one result of this page that grows with the
    preset (what a full-preset snapshot keeps): ``ns`` (N,), ``widths`` (W,), ``layers_shallow`` and
    ``layers_deep`` (N,), ``nmse_shallow`` and ``nmse_deep`` (N, W) (best test 1 - R^2 over seeds per
    width, dimensionless), the ``target`` and the training budget ``steps``, ``M_train``, ``seeds``
    (``cfg``: the :class:`~.run.ShallowDeepConfig` that ran)."""
    rows = sd["rows"]
    out = {"ns": np.array([r["n"] for r in rows]), "widths": np.asarray(sd["widths"]),
           "target": np.array(float(sd["target"])), "steps": np.array(cfg.steps),
           "M_train": np.array(cfg.M_train), "seeds": np.array(cfg.seeds)}
    for name in ("shallow", "deep"):
        out[f"layers_{name}"] = np.array([r[name]["layers"] for r in rows])
        out[f"nmse_{name}"] = np.stack([np.asarray(r[name]["nmse"], float) for r in rows])
    return out


def shallow_deep_from_arrays(arrays: dict) -> dict:
    """The inverse of :func:`headline_arrays`: the ``run_shallow_deep`` result (rows with ``layers``,
    ``nmse``, ``width``, ``neurons``, ``reached``) rebuilt from the arrays, the smallest widths recomputed
    from the stored best errors by :func:`deepinfo.cheap.shallow_deep.minimal_neurons`."""
    from ...cheap.shallow_deep import minimal_neurons

    widths = [int(w) for w in arrays["widths"]]
    target = float(arrays["target"])
    rows = []
    for i, n in enumerate(arrays["ns"]):
        row = {"n": int(n)}
        for name in ("shallow", "deep"):
            L, nmse = int(arrays[f"layers_{name}"][i]), np.asarray(arrays[f"nmse_{name}"][i], float)
            row[name] = {"layers": L, "nmse": nmse, **minimal_neurons(widths, nmse[:, None], L, target)}
        rows.append(row)
    return {"rows": rows, "target": target, "widths": np.array(widths)}


def fig_shallow_deep_snapshot(arrays: dict | None, info: dict | None = None):
    """:func:`fig_shallow_deep` at the full preset from a snapshot's :func:`headline_arrays` (``None``: a
    panel that says there is no snapshot yet); ``info`` (the snapshot document) goes into the title."""
    from ...plotting import no_snapshot_figure, snapshot_suptitle

    if arrays is None:
        return no_snapshot_figure()
    sd = shallow_deep_from_arrays(arrays)
    fig = fig_shallow_deep(sd, sd["widths"], "")
    snapshot_suptitle(fig, info, f"{int(arrays['steps'])} full-batch Adam steps, {int(arrays['M_train'])} "
                                 f"training points, seeds {[int(s) for s in arrays['seeds']]}")
    return fig


def fig_rg_critical(crit: dict):
    """The exact block map at the critical point: r(b) = x2'/x1' from each start flowing to r*, and the
    deviation |r(b) - r*| against b with eq. 24's b^-2."""
    b, dev = crit["b"], np.asarray(crit["dev"])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for s, x2 in enumerate(crit["x2_starts"]):
        axes[0].semilogx(b, crit["r"][s], "o-", base=2, label=f"start x2/x1 = {x2:g}")
        axes[1].loglog(b, np.abs(dev[s]), "o-", base=2, label=f"start x2/x1 = {x2:g}")
    axes[0].axhline(crit["r_star"], color="k", ls=":", label=f"fixed point r* = {crit['r_star']:.3f}")
    axes[0].set(xlabel="b", ylabel="$r = x_2'/x_1'$")
    ref = np.abs(dev[0, 0]) * b ** -2.0
    axes[1].loglog(b, ref, color="grey", lw=3, alpha=0.5, base=2, label="eq. 24: $b^{-2}$")
    axes[1].set(xlabel="b", ylabel="$|r(b) - r^*|$")
    for ax in axes:
        ax.legend(fontsize=7)
    fig.suptitle(f"exact block average at x0 = 0, coarse lattice {crit['Lc']} x {crit['Lc']}, |k'| <= pi/2", fontsize=9)
    fig.tight_layout()
    return fig


def fig_shallow_product(sp: dict):
    """Left: max error of the 2^n-neuron product network against lambda, with the predicted coef lambda^2.
    Right: neurons of one hidden layer (2^n) against the product tree (4(n - 1)) on a log scale."""
    lams = np.asarray(sp["lambdas"])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    fine = np.geomspace(lams.min(), lams.max(), 20)
    for i, n in enumerate(sp["ns"]):
        axes[0].loglog(lams, sp["err"][i], "o", color=f"C{i}", label=f"n = {n}")
        axes[0].loglog(fine, sp["coef"][i] * fine ** 2, "--", color=f"C{i}", lw=0.8)
    axes[0].set(xlabel="$\\lambda$", ylabel="max error on $[-1,1]^n$")
    axes[0].legend(fontsize=7)
    t = sp["table"]
    axes[1].semilogy(t["n"], t["one hidden layer: 2^n"], "o-", label="one hidden layer: $2^n$")
    axes[1].semilogy(t["n"], t["tree: 4(n-1)"], "s-", label="tree, $\\log_2 n$ layers: $4(n-1)$")
    axes[1].set(xlabel="n", ylabel="hidden neurons", xscale="log")
    axes[1].set_xscale("log", base=2)
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def fig_cliques(tab: pd.DataFrame, me: dict):
    """Left: neurons of the clique networks against N_c 2^S_c and 2^n - 1. Right: the largest |coupling| of
    -ln p (data) and -ln q (maximum entropy with the same first and second moments) per order."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    x = np.arange(len(tab))
    for k, (col, lab) in enumerate((("neurons", "network built"), ("bound N_c 2^S_c", "$N_c 2^{S_c}$"),
                                    ("generic", "$2^n - 1$"))):
        axes[0].bar(x + (k - 1) * 0.27, tab[col], 0.27, label=lab)
    axes[0].set_xticks(x, tab["model"], fontsize=7)
    axes[0].set(ylabel="hidden neurons", yscale="log")
    axes[0].legend(fontsize=7)
    orders = np.arange(1, me["n"] + 1)
    axes[1].semilogy(orders, me["p_by_order"], "o-", label="data p")
    axes[1].semilogy(orders, np.maximum(me["q_by_order"], 1e-17), "s-", label="max-entropy q")
    axes[1].axvline(me["order"] + 0.5, color="grey", ls=":")
    axes[1].set(xlabel="order |S| of the coupling", ylabel="max $|J_S|$ of $-\\ln$ p", xticks=orders)
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    return fig
