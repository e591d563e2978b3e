"""Figures of the Lee & Jo (2022) main chapter: one function per paper figure, and the tail-shape table.

Degeneracy plots use the book's shared :func:`deepinfo.plotting.relevance.plot_degeneracy`
(log-binned m(k) over the raw points, the fitted power law of each layer's
:class:`~deepinfo.estimators.PowerLawVerdict` drawn over its tail). Each function returns the figure.
"""
from __future__ import annotations

import math

import numpy as np

from ...estimators.powerlaw import VERDICT_P
from ...plotting.relevance import bound_beta, plot_degeneracy, tail_table  # noqa: F401
from ...verdicts import STATUS_OF, fit, layer_fits
from .claims import seed_betas

Z_LABELS = ["$z^1$", "$z^2$", "$z^3$", "$z^4$", "$z^5$"]


def _plt():
    import matplotlib.pyplot as plt

    return plt


def _degeneracy(ax, counts, labels, title=None, **kw):
    fits = [fit(c) for c in counts]
    plot_degeneracy(ax, list(counts), labels, fits, binned=True, **kw)
    if title:
        ax.set_title(title, fontsize=7)
    return fits


# ------------------------------------------------------------------------------- tail shape
# bound_beta and tail_table live in the library (deepinfo.plotting.relevance); re-exported for the page
def tail_summary(verdicts) -> dict:
    """Counts over PowerLawVerdicts: how many hold/fail/are inconclusive, beat an exponential, and how many an
    exact power law over the whole tail would lose (a log-normal bend or an exponential cutoff fits better)."""
    vs = list(verdicts)

    def fav(v, key):
        return (v.evidence or {}).get(key, {}).get("favoured")

    def beats(v):  # the rule's own test: R > 0 and the nested p (else Vuong's p) below VERDICT_P
        e = (v.evidence or {}).get("exponential", {})
        return bool(e) and e["R"] > 0 and e.get("p_nested", e["p"]) < VERDICT_P

    return {"n": len(vs), "holds": sum(v.status == "holds" for v in vs), "fails": sum(v.status == "fails" for v in vs),
            "inconclusive": sum(v.status == "inconclusive" for v in vs),
            "beats_exponential": sum(beats(v) for v in vs),
            "strict_rejects": sum(fav(v, "lognormal") == "lognormal" or fav(v, "cutoff") == "cutoff" for v in vs),
            "cutoff": sum(fav(v, "cutoff") == "cutoff" for v in vs)}


# ------------------------------------------------------------------------------- figures
def fig_1a(rbm: dict, setting: str):
    """Fig. 1a: m(k) of the RBM's binarised hidden states."""
    fig, ax = _plt().subplots(figsize=(4.6, 3.6))
    _degeneracy(ax, [rbm["counts_rbm"]], ["RBM $z$"], setting, markers=("o",))
    return fig


def fig_rbm_seeds(rbms, setting: str):
    """Fig. 1a over RBM seeds: m(k) of (a) the thresholded codes P(h|v) > 0.5 and (b) the stochastic codes
    h ~ P(h|v) of each seed's RBM, log-binned, with each seed's fitted power law and verdict."""
    fig, axes = _plt().subplots(1, 2, figsize=(10, 3.8), sharey=True)
    labels = [f"seed {r['seed']} ({r['stuck']['n_stuck']} stuck)" for r in rbms]
    _degeneracy(axes[0], [r["counts_rbm"] for r in rbms], labels, f"(a) thresholded codes, {setting}")
    _degeneracy(axes[1], [r["counts_sampled"] for r in rbms], [f"seed {r['seed']}" for r in rbms],
                f"(b) sampled codes h ~ P(h|v), {setting}")
    for ax in axes:
        ax.legend(fontsize=6, frameon=False)
    fig.tight_layout()
    return fig


def rbm_seed_rows(rbms) -> list[dict]:
    """One row per RBM seed: distinct codes (thresholded, sampled), stuck units, reconstruction error, updates."""
    return [{"seed": r["seed"], "distinct codes (P > 0.5)": r["n_states"], "distinct codes (sampled)": r["n_states_sampled"],
             "stuck units": f"{r['stuck']['n_stuck']} of {r['stuck']['n_units']}",
             "verdict (P > 0.5)": STATUS_OF[fit(r["counts_rbm"]).status],
             "verdict (sampled)": STATUS_OF[fit(r["counts_sampled"]).status],
             "reconstruction MSE": round(r["recon_error"], 4), "updates": r["updates"],
             "seconds": round(r["seconds"], 1)} for r in rbms]


def scatter_partition(ax, xy, labels, title: str, seed: int = 0, max_colours: int = 20):
    """t-SNE map coloured by partition (RBM state or k-means cluster): a shuffled cyclic palette."""
    plt = _plt()
    uniq, inv = np.unique(labels, return_inverse=True)
    perm = np.random.default_rng(seed).permutation(len(uniq))
    cmap = plt.get_cmap("tab20", max_colours)
    ax.scatter(xy[:, 0], xy[:, 1], c=cmap(perm[inv] % max_colours), s=4, lw=0)
    ax.set_title(f"{title}\n({len(uniq)} groups among {len(labels)} points)", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def fig_2(rbm: dict, kmeans_k: int, setting: str, seed: int = 0):  # kmeans_k: rbm["kmeans_k"]
    """Fig. 2: (a) RBM states against k-means clusters, (b, c) t-SNE maps coloured by partition."""
    fig, axes = _plt().subplots(1, 3, figsize=(12, 4.4))
    _degeneracy(axes[0], [rbm["counts_rbm"], rbm["counts_kmeans"]], ["RBM", f"k-means, k = {kmeans_k}"],
                f"(a) {setting}", markers=("o", "s"), colors=["C0", "C3"])
    scatter_partition(axes[1], rbm["tsne_z"], rbm["state_ids"], "(b) t-SNE of RBM codes, by state", seed)
    scatter_partition(axes[2], rbm["tsne_x"], rbm["kmeans_labels"], "(c) t-SNE of images, by k-means cluster", seed)
    fig.tight_layout()
    return fig


def fig_1b(mlp: dict, setting: str):
    """Fig. 1b: m(k) of the MLP's three hidden layers, binarised at 0.5."""
    i05 = list(mlp["thresholds"]).index(0.5)
    fig, ax = _plt().subplots(figsize=(4.8, 3.8))
    _degeneracy(ax, mlp["counts"][i05], Z_LABELS[:3], setting)
    return fig


def fig_autoencoder(ae: dict, setting: str, labels=None):
    """Fig. 1c (and the ReLU check): m(k) of the autoencoder's layers, and images with reconstructions."""
    from ...plotting import image_grid

    fig, axes = _plt().subplots(1, 2, figsize=(9, 3.6), gridspec_kw={"width_ratios": [1.2, 1]})
    _degeneracy(axes[0], ae["counts"], labels or Z_LABELS[:3], setting)
    image_grid(np.concatenate([ae["examples"], ae["examples_recon"]]), tuple(ae["image_shape"]), nrow=2, ax=axes[1])
    return fig


def fig_3(conv: dict, setting: str):
    """Fig. 3: m(k) of the convolutional autoencoder's three layers, and images with reconstructions."""
    units = [int(np.prod(s)) for s in conv["layer_shapes"]]
    return fig_autoencoder(conv, setting, [f"$z^{l}$ ({u} units)" for l, u in enumerate(units, 1)])


def fig_4(ep: dict, setting: str):
    """Fig. 4: m(k) of the MNIST MLP's layers at each checkpoint epoch."""
    n = len(ep["checkpoints"])
    rows = math.ceil(n / 2)
    fig, axes = _plt().subplots(rows, 2, figsize=(9, 3.4 * rows), sharex=True, sharey=True)
    for i, (ax, e, acc, counts) in enumerate(zip(np.ravel(axes), ep["checkpoints"], ep["accuracy"], ep["counts"])):
        _degeneracy(ax, counts, Z_LABELS[:3], f"({chr(97 + i)}) epoch {e}: test acc. {acc:.2f}, {setting}")
    fig.tight_layout()
    return fig


def fig_threshold(mlp: dict, setting: str):
    """Threshold study: fitted beta of each layer against the binarisation threshold (filled: the verdict holds)."""
    fig, ax = _plt().subplots(figsize=(4.6, 3.4))
    th = np.array(mlp["thresholds"], dtype=float)
    for l in range(len(mlp["counts"][0])):
        vs = [fit(counts[l]) for counts in mlp["counts"]]
        b = np.array([v.beta for v in vs])
        lo = np.array([v.beta_ci[0] for v in vs])
        hi = np.array([v.beta_ci[1] for v in vs])
        err = np.nan_to_num(np.vstack([b - lo, hi - b]))
        ok = np.array([v.status == "holds" for v in vs])
        ax.errorbar(th, b, err, color=f"C{l}", lw=1, capsize=2, label=Z_LABELS[l])
        ax.plot(th[ok], b[ok], "o", color=f"C{l}")
        ax.plot(th[~ok], b[~ok], "o", color=f"C{l}", mfc="white")
    ax.set_xlabel("binarisation threshold")
    ax.set_ylabel(r"$\beta$")
    ax.set_title(setting, fontsize=7)
    ax.legend(frameon=False, fontsize=8)
    return fig


def fig_seeds(runs, seeds, setting: str):
    """Seed study: fitted beta of each layer, one point per seed (bars: bootstrap intervals over states)."""
    fig, ax = _plt().subplots(figsize=(4.6, 3.4))
    b = seed_betas(runs)
    L = b.shape[1]
    for i, (s, r) in enumerate(zip(seeds, runs)):
        vs = [fit(c) for c in r["counts"][0]]
        lo = np.array([v.beta_ci[0] for v in vs])
        hi = np.array([v.beta_ci[1] for v in vs])
        err = np.nan_to_num(np.vstack([b[i] - lo, hi - b[i]]))
        ax.errorbar(np.arange(1, L + 1) + 0.06 * (i - len(seeds) / 2), b[i], err, fmt="o", ms=4, capsize=2,
                    label=f"seed {s}")
    ax.set_xticks(range(1, L + 1), Z_LABELS[:L])
    ax.set_ylabel(r"$\beta$")
    ax.set_title(setting, fontsize=7)
    ax.legend(frameon=False, fontsize=7)
    return fig


def fig_arch(archs: dict):
    """Architecture study: m(k) of every hidden layer of each narrowing network."""
    n = len(archs)
    fig, axes = _plt().subplots(1, n, figsize=(3.3 * n, 3.3), sharey=True, squeeze=False)
    for ax, (a, r) in zip(axes[0], archs.items()):
        _degeneracy(ax, r["counts"][0], Z_LABELS[:len(a) - 2],
                    f"{'-'.join(map(str, a))}\nM = {r['data']['M']:,}, {r['epoch']} epochs, "
                    f"acc. {r['accuracy'][-1]:.2f}")
        ax.legend(fontsize=5, frameon=False)
    fig.tight_layout()
    return fig


__all__ = ["bound_beta", "tail_table", "tail_summary", "fig_1a", "fig_rbm_seeds", "rbm_seed_rows", "fig_2", "fig_1b", "fig_autoencoder", "fig_3", "fig_4",
           "fig_threshold", "fig_seeds", "fig_arch", "scatter_partition", "layer_fits"]
