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


def _degeneracy(ax, counts, labels, title=None, others=(), **kw):
    """m(k) of the partitions ``counts`` (log-binned, with fitted power laws); ``others``: the same partitions
    in other seeds' networks (a list, one list of counts per seed), drawn as thin lines of the same colours
    so that the spread over seeds is seen behind the shown network."""
    from ...plotting.relevance import binned_degeneracy

    fits = [fit(c) for c in counts]
    colors = kw.get("colors") or [f"C{i}" for i in range(len(fits))]
    for other in others:
        for i, c in enumerate(other):
            kb, mb = binned_degeneracy(np.asarray(c))
            ax.loglog(kb, mb, "-", color=colors[i % len(colors)], lw=0.7, alpha=0.45)
    plot_degeneracy(ax, list(counts), labels, fits, binned=True, **kw)
    if title:
        ax.set_title(title, fontsize=7)
    return fits


def seeds_note(runs) -> str:
    """'seed 0 shown; thin lines: seeds 1, 2' for a list of runs (each with ``seed``), '' for one run."""
    runs = list(runs)
    if len(runs) < 2:
        return ""
    rest = [str(r["seed"]) for r in runs[1:]]
    return f"seed {runs[0]['seed']} shown; thin lines: seed{'s' if len(rest) > 1 else ''} {', '.join(rest)}"


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


def _first_and_rest(runs):
    runs = [runs] if isinstance(runs, dict) else list(runs)
    return runs[0], runs[1:]


def _with_note(setting: str, runs) -> str:
    note = seeds_note([runs] if isinstance(runs, dict) else runs)
    return f"{setting}\n{note}" if note else setting


def fig_1b(mlps, setting: str):
    """Fig. 1b: m(k) of the MLP's three hidden layers, binarised at 0.5 (``mlps``: one run, or one per seed:
    the first drawn, the others as thin lines)."""
    mlp, rest = _first_and_rest(mlps)
    i05 = list(mlp["thresholds"]).index(0.5)
    fig, ax = _plt().subplots(figsize=(4.8, 3.8))
    _degeneracy(ax, mlp["counts"][i05], Z_LABELS[:3], _with_note(setting, mlps),
                others=[r["counts"][list(r["thresholds"]).index(0.5)] for r in rest])
    return fig


def fig_autoencoder(aes, setting: str, labels=None):
    """Fig. 1c (and the ReLU check): m(k) of the autoencoder's layers, and images with reconstructions
    (``aes``: one run, or one per seed: the first drawn, the others as thin lines)."""
    from ...plotting import image_grid

    ae, rest = _first_and_rest(aes)
    fig, axes = _plt().subplots(1, 2, figsize=(9, 3.6), gridspec_kw={"width_ratios": [1.2, 1]})
    _degeneracy(axes[0], ae["counts"], labels or Z_LABELS[:3], _with_note(setting, aes),
                others=[r["counts"] for r in rest])
    image_grid(np.concatenate([ae["examples"], ae["examples_recon"]]), tuple(ae["image_shape"]), nrow=2, ax=axes[1])
    return fig


def fig_3(convs, setting: str):
    """Fig. 3: m(k) of the convolutional autoencoder's three layers, and images with reconstructions."""
    conv, _ = _first_and_rest(convs)
    units = [int(np.prod(s)) for s in conv["layer_shapes"]]
    return fig_autoencoder(convs, setting, [f"$z^{l}$ ({u} units)" for l, u in enumerate(units, 1)])


def fig_4(eps, setting: str):
    """Fig. 4: m(k) of the MNIST MLP's layers at each checkpoint epoch (``eps``: one run, or one per seed: the
    first drawn, the others as thin lines; the titles give the test accuracy of each seed)."""
    ep, rest = _first_and_rest(eps)
    n = len(ep["checkpoints"])
    rows = math.ceil(n / 2)
    fig, axes = _plt().subplots(rows, 2, figsize=(9, 3.4 * rows), sharex=True, sharey=True)
    for i, (ax, e, acc, counts) in enumerate(zip(np.ravel(axes), ep["checkpoints"], ep["accuracy"], ep["counts"])):
        accs = ", ".join(f"{a:.2f}" for a in [acc, *[r["accuracy"][i] for r in rest]])
        _degeneracy(ax, counts, Z_LABELS[:3], f"({chr(97 + i)}) epoch {e}: test acc. {accs}, {setting}",
                    others=[r["counts"][i] for r in rest])
    if rest:
        fig.suptitle(seeds_note([ep, *rest]), fontsize=8)
    fig.tight_layout()
    return fig


def fig_beta_seeds(groups: dict, title: str = ""):
    """The spread over seeds of each claim's fitted exponents: ``groups`` maps a panel label (e.g. 'Fig. 1b')
    to a list over seeds of lists over layers of state counts. One point per (seed, layer) (filled: the
    power-law rule holds), bars the bootstrap 95% interval over the tail's states, and the mean over seeds
    with its standard error (black)."""
    from ...stats import mean_se

    n = len(groups)
    fig, axes = _plt().subplots(1, n, figsize=(2.6 * n, 2.9), squeeze=False)
    for ax, (label, per_seed) in zip(axes[0], groups.items()):
        S = len(per_seed)
        L = max(len(x) for x in per_seed)
        B = np.full((S, L), np.nan)
        for i, layers in enumerate(per_seed):
            for l, c in enumerate(layers):
                v = fit(c)
                x = l + 1 + 0.12 * (i - (S - 1) / 2)
                b = v.beta if v.beta is not None and np.isfinite(v.beta) else np.nan
                B[i, l] = b
                if not np.isfinite(b):
                    continue
                lo, hi = v.beta_ci if v.beta_ci is not None else (b, b)
                err = np.nan_to_num([[b - lo], [hi - b]])
                ax.errorbar([x], [b], err, fmt="o", ms=3.5, color=f"C{l}", capsize=1.5, lw=0.8,
                            mfc=f"C{l}" if v.status == "holds" else "white")
        for l in range(L):
            x = B[np.isfinite(B[:, l]), l]
            if x.size:
                m, se, _ = mean_se(x)
                ax.errorbar([l + 1.35], [m], [[np.nan_to_num(se)], [np.nan_to_num(se)]], fmt="s", ms=4,
                            color="k", capsize=2, lw=1)
        ax.set_xticks(range(1, L + 1), Z_LABELS[:L])
        if not np.isfinite(B).any():
            ax.text(0.5, 0.5, "no layer has a fitted tail", transform=ax.transAxes, ha="center", fontsize=7)
        ax.set_title(f"{label} ({S} seeds)", fontsize=8)
        ax.set_ylabel(r"$\beta$")
    if title:
        fig.suptitle(title, fontsize=8)
    fig.tight_layout()
    return fig


def fig_finite_size(points: list, axes=None):
    """The finite-size study (:func:`finite_size.finite_size_result`): for each claim of
    :data:`finite_size.FINITE_SIZE_CLAIMS`, the fitted beta of every partition it judges (layer, RBM code,
    k-means clusters) against the M it was counted on, with its bootstrap 95% interval (filled: the rule holds
    for that partition, open: it fails or is inconclusive), and the claim's status at each M as a letter at
    the top (h holds, n does not hold, i inconclusive; for the k-means claim h means 'not a power law')."""
    from .finite_size import TITLES, by_claim

    rows = by_claim(points)
    cids = [c for c in TITLES if c in rows]
    if axes is None:
        ncol = 3
        _, axes = _plt().subplots(math.ceil(len(cids) / ncol), ncol, figsize=(11, 3.1 * math.ceil(len(cids) / ncol)),
                                  squeeze=False)
    axes = np.ravel(axes)
    letter = {"holds": "h", "does not hold": "n", "inconclusive": "i"}
    for ax, cid in zip(axes, cids):
        labels = list(dict.fromkeys(r["label"] for _, st, _ in rows[cid] for r in st["partitions"]))
        for j, lab in enumerate(labels):
            pts = [(r["M"], r) for _, st, _ in rows[cid] for r in st["partitions"] if r["label"] == lab]
            Ms = np.array([m for m, _ in pts], float) * (1 + 0.04 * (j - (len(labels) - 1) / 2))
            b = np.array([r["beta"] for _, r in pts], float)
            lo = np.array([r["lo"] for _, r in pts], float)
            hi = np.array([r["hi"] for _, r in pts], float)
            ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(b)
            err = np.vstack([np.where(ok, b - lo, 0), np.where(ok, hi - b, 0)])
            col = "C3" if "k-means" in lab else f"C{j}"
            ax.errorbar(Ms, b, err, fmt="-", color=col, lw=0.8, capsize=2, label=lab)
            held = np.array([r["status"] == "holds" for _, r in pts])
            ax.plot(Ms[held], b[held], "o", color=col, ms=4.5)
            ax.plot(Ms[~held], b[~held], "o", color=col, ms=4.5, mfc="white")
        Mticks = [max([int(r["M"]) for r in st["partitions"]] or [M]) for M, st, _ in rows[cid]]  # M counted
        for M, (_, st, _) in zip(Mticks, rows[cid]):
            ax.annotate(letter[st["status"]], (M, 1.0), xycoords=("data", "axes fraction"), xytext=(0, -10),
                        textcoords="offset points", ha="center", fontsize=8, weight="bold")
        ax.margins(y=0.18)
        ax.set(xscale="log", xlabel="M (images counted)", ylabel=r"$\beta$")
        ax.set_xticks(Mticks, [f"{m:,}" for m in Mticks], fontsize=6)
        ax.minorticks_off()
        ax.set_title(TITLES[cid], fontsize=8)
        ax.legend(fontsize=6, frameon=False, loc="lower right")
    for ax in axes[len(cids):]:
        ax.set_visible(False)
    ax.figure.tight_layout()
    return ax.figure


def finite_size_table(points: list):
    """One row per (claim, M) of the finite-size study: status, value with its 95% interval, each partition's
    beta and rule status, the test accuracy where the claim has a trained classifier, and the reason."""
    import pandas as pd

    from .finite_size import TITLES, by_claim

    out = []
    for cid, rows in by_claim(points).items():
        for M, st, p in rows:
            parts = "; ".join(f"{r['label']}: {r['beta']:.2f} ({STATUS_OF[r['status']]}, M = {r['M']:,})"
                              if np.isfinite(r["beta"]) else f"{r['label']}: - ({STATUS_OF[r['status']]})"
                              for r in st["partitions"])
            acc = p.get("accuracy", {}).get(cid)
            out.append({"claim": TITLES.get(cid, cid), "M": M, "status": st["status"],
                        "value": "-" if not np.isfinite(st["value"]) else f"{st['value']:.3g}",
                        "95% interval": "-" if not np.isfinite(st["lo"]) else f"[{st['lo']:.3g}, {st['hi']:.3g}]",
                        "beta per partition": parts, "test acc.": "-" if acc is None else f"{acc:.3f}",
                        "reason": st["reason"]})
    return pd.DataFrame(out).set_index(["claim", "M"])


def fig_threshold(mlps, setting: str):
    """Threshold study: fitted beta of each layer against the binarisation threshold (filled: the verdict holds);
    ``mlps``: one run, or one per seed (the first with markers and intervals, the others as thin lines)."""
    mlp, rest = _first_and_rest(mlps)
    fig, ax = _plt().subplots(figsize=(4.6, 3.4))
    th = np.array(mlp["thresholds"], dtype=float)
    for r in rest:
        for l in range(len(r["counts"][0])):
            ax.plot(th, [fit(counts[l]).beta for counts in r["counts"]], "-", color=f"C{l}", lw=0.7, alpha=0.45)
    setting = _with_note(setting, mlps)
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
    """Architecture study: m(k) of every hidden layer of each narrowing network (``{sizes: run}`` or
    ``{sizes: [run per seed]}``: the first seed drawn, the others as thin lines)."""
    n = len(archs)
    fig, axes = _plt().subplots(1, n, figsize=(3.3 * n, 3.3), sharey=True, squeeze=False)
    for ax, (a, runs) in zip(axes[0], archs.items()):
        r, rest = _first_and_rest(runs)
        accs = ", ".join(f"{x['accuracy'][-1]:.2f}" for x in [r, *rest])
        _degeneracy(ax, r["counts"][0], Z_LABELS[:len(a) - 2],
                    f"{'-'.join(map(str, a))}\nM = {r['data']['M']:,}, {r['epoch']} epochs, "
                    f"acc. {accs}", others=[x["counts"][0] for x in rest])
        ax.legend(fontsize=5, frameon=False)
    fig.tight_layout()
    return fig


__all__ = ["bound_beta", "tail_table", "tail_summary", "fig_1a", "fig_rbm_seeds", "rbm_seed_rows", "fig_2", "fig_1b", "fig_autoencoder", "fig_3", "fig_4",
           "fig_threshold", "fig_seeds", "fig_arch", "fig_beta_seeds", "fig_finite_size", "finite_size_table",
           "seeds_note", "scatter_partition", "layer_fits"]


# ------------------------------------------------------------------------------- the full-preset snapshot
HEADLINE_PANELS = (("rbm", "(a) RBM"), ("mlp", "(b) MLP"), ("ae", "(c) autoencoder"))


def data_label(run: dict) -> str:
    """The data set a run trained on, as a panel title says it: ``"MNIST"``, or
    ``"MNIST for emnist letters"`` when it stood in for the paper's data (``run["data"]``; ``""`` if absent)."""
    d = run.get("data") or {}
    name = str(d.get("dataset", ""))
    sub = str(d.get("substitute_for") or "").split(" (")[0]
    return f"{name} for {sub}" if name and sub else name


def headline_arrays(rbm: dict, mlps, aes) -> dict:
    """The arrays behind Fig. 1 (a-c), the page's headline, as a full-preset snapshot keeps them: the state
    counts (number of samples in each distinct binarised state, sorted) of the RBM's codes
    ``counts_rbm_0``, of each hidden layer l of the MLP at threshold 0.5 ``counts_mlp_<l>`` and of each
    layer of the autoencoder ``counts_ae_<l>`` (first seed of ``mlps`` and ``aes``; one run or a list),
    and the data each trained on, ``data_rbm``, ``data_mlp``, ``data_ae`` (:func:`data_label`, 0-d strings)."""
    mlp, _ = _first_and_rest(mlps)
    ae, _ = _first_and_rest(aes)
    i05 = list(mlp["thresholds"]).index(0.5)
    layers = {"rbm": [rbm["counts_rbm"]], "mlp": list(mlp["counts"][i05]), "ae": list(ae["counts"])}
    out = {f"counts_{key}_{l}": np.sort(np.asarray(c, dtype=np.int64))
           for key, cs in layers.items() for l, c in enumerate(cs)}
    for key, run in (("rbm", rbm), ("mlp", mlp), ("ae", ae)):
        out[f"data_{key}"] = np.array(data_label(run))
    return out


def headline_counts(arrays: dict) -> dict:
    """The inverse of :func:`headline_arrays`: ``{"rbm" | "mlp" | "ae": [counts of layer 0, 1, ...]}``."""
    out = {key: [] for key, _ in HEADLINE_PANELS}
    for key in out:
        l = 0
        while f"counts_{key}_{l}" in arrays:
            out[key].append(np.asarray(arrays[f"counts_{key}_{l}"]))
            l += 1
    return out


def fig_1_snapshot(arrays: dict | None, info: dict | None = None):
    """Fig. 1 (a-c) at the full preset from a snapshot's :func:`headline_arrays` (``None``: a panel that says
    there is no snapshot yet): m(k) of each network's layers with the fitted power laws and the rule's
    verdicts, as in the figures above; ``info`` (the snapshot document) goes into the title."""
    from ...plotting import no_snapshot_figure, snapshot_suptitle

    if arrays is None:
        return no_snapshot_figure()
    counts = headline_counts(arrays)
    fig, axes = _plt().subplots(1, 3, figsize=(12, 3.8))
    for ax, (key, title) in zip(axes, HEADLINE_PANELS):
        cs = counts[key]
        labels = ["RBM $z$"] if key == "rbm" else Z_LABELS[:len(cs)]
        M = int(cs[0].sum()) if cs else 0
        data = str(arrays[f"data_{key}"]) if f"data_{key}" in arrays else ""
        _degeneracy(ax, cs, labels, f"{title}, {data + ', ' if data else ''}M = {M:,}")
        ax.legend(fontsize=6, frameon=False)
    snapshot_suptitle(fig, info, "Fig. 1, first seed")
    return fig
