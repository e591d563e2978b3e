"""The two figures of the resolution-relevance analysis, one home for every chapter.

* :func:`plot_degeneracy`: the degeneracy m_k (number of states seen exactly k times) against
  the frequency k on log-log axes (Song, Marsili & Jo 2018 Fig. 2b; Lee & Jo 2022 Figs. 1-4),
  optionally with the fitted power law m_k ~ k^(-beta-1) of a
  :class:`deepinfo.estimators.PowerLawVerdict` drawn over its tail k >= k_min, and optionally
  averaged over logarithmic bins of k (:func:`binned_degeneracy`).
* :func:`plot_relevance_plane`: relevance H[k] against resolution H[s] (Song et al. Fig. 2a,
  Lee & Jo Fig. 5), with the maximal-relevance curve of
  :func:`deepinfo.estimators.max_relevance_curve` for the same M. Results store H_s, H_k in
  BITS with M beside them; the division by log2 M (the papers' axes) happens here, at plot time,
  when ``normalise=True``.
* :func:`tail_table` (with :func:`bound_beta`): the shape of each fitted tail as a display table.

Both take an axis and return it; neither needs a display.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Sequence

import numpy as np

MARKERS = ("o", "s", "^", "D", "v", "P", "X")


# ----------------------------------------------------------------------------------- helpers
def _get(fit: Any, name: str, default=math.nan):
    """A field of a PowerLawVerdict (or of its ``as_dict()``, or of an older fit dict)."""
    if fit is None:
        return default
    if isinstance(fit, dict):
        v = fit.get(name, default)
    else:
        v = getattr(fit, name, default)
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def binned_degeneracy(counts, bins_per_decade: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """m_k averaged over logarithmic bins of k: (k_centre, m_bar), both 1-D.

    ``counts`` are the state counts k_s (one entry per observed state). In a bin of integer
    frequencies [a, b) holding n states, m_bar = n / (b - a), the mean degeneracy per integer k
    (comparable with the expected m_k of a fitted law, and below 1 where most k in the bin are
    unobserved); k_centre = sqrt(a (b - 1)). Sum over bins of m_bar * (b - a) = number of states.
    """
    c = np.asarray(counts, dtype=np.int64).ravel()
    c = c[c > 0]
    if c.size == 0:
        raise ValueError("counts: expected at least one state with k_s > 0")
    if not (isinstance(bins_per_decade, (int, np.integer)) and bins_per_decade >= 1):
        raise ValueError(f"bins_per_decade={bins_per_decade!r}: expected an integer >= 1")
    n_dec = max(np.log10(c.max() + 1), 1e-9)
    edges = np.unique(np.floor(np.logspace(0, n_dec, max(2, int(np.ceil(n_dec * bins_per_decade)) + 1)))
                      .astype(np.int64))
    edges[-1] = c.max() + 1
    n, _ = np.histogram(c, bins=edges)
    width = np.diff(edges)
    keep = n > 0
    centre = np.sqrt(edges[:-1] * (edges[1:] - 1))
    return centre[keep], (n / width)[keep]


def power_law_line(fit: Any, k_max: float, n: int = 50) -> tuple[np.ndarray, np.ndarray] | None:
    """(k, expected m_k) of the discrete power law of ``fit`` over k_min <= k <= k_max, or None.

    Expected degeneracy of the tail: m_k = n_tail k^(-beta-1) / zeta(beta + 1, k_min), so that
    the line carries the tail's number of states (sum over k >= k_min = n_tail).
    """
    from scipy.special import zeta

    beta, k_min, n_tail = _get(fit, "beta"), _get(fit, "k_min"), _get(fit, "n_tail")
    if not (math.isfinite(beta) and beta > 0 and math.isfinite(k_min) and k_min >= 1
            and math.isfinite(n_tail) and n_tail > 0):
        return None
    ks = np.unique(np.geomspace(k_min, max(float(k_max), k_min), n).round())
    return ks, n_tail * ks ** (-beta - 1.0) / zeta(beta + 1.0, k_min)


def fit_label(fit: Any) -> str:
    """A short legend text for a fit: 'beta = 1.02 +/- 0.05 (holds)'; '' when there is no beta."""
    beta, se = _get(fit, "beta"), _get(fit, "beta_se")
    if not math.isfinite(beta):
        status = getattr(fit, "status", None) if not isinstance(fit, dict) else fit.get("status")
        return f"no fit ({status})" if status else ""
    out = rf"$\beta$ = {beta:.2f}" + (f" ± {se:.2f}" if math.isfinite(se) else "")
    status = getattr(fit, "status", None) if not isinstance(fit, dict) else fit.get("status")
    return out + (f" ({status})" if status else "")


def tail_shape_row(verdict: Any, **first) -> dict:
    """One display row of a :class:`~deepinfo.estimators.PowerLawVerdict`: status, beta, the tail's extent
    and, per alternative (exponential, log-normal, power law with cutoff), which one the likelihood-ratio
    test favours with its R and p (for the exponential also the nested-test p that the rule decides by).
    ``first``: leading columns (e.g. ``partition="H3"``, ``**{"beta (bound slope)": 1.2}``)."""
    ev = getattr(verdict, "evidence", None) or {}

    def fav(name):
        e = ev.get(name)
        if not e:
            return "-"
        text = f"{e.get('favoured', '?')} (R = {float(e['R']):.3g}, p = {float(e['p']):.2g}"
        if "p_nested" in e:
            text += f"; nested p = {float(e['p_nested']):.2g}"
        return text + ")"

    return {**first, "status": verdict.status, "beta (MLE)": round(float(verdict.beta), 2),
            "beta_se": round(float(verdict.beta_se), 2), "k_min": int(verdict.k_min), "n_tail": int(verdict.n_tail),
            "distinct k": int(verdict.n_distinct_k), "decades": round(float(verdict.decades), 2),
            "vs exponential": fav("exponential"), "vs log-normal": fav("lognormal"), "vs cutoff": fav("cutoff")}


def bound_beta(counts) -> float:
    """beta read off the maximal-relevance curve at the partition's resolution (the papers' graphical estimate,
    :func:`deepinfo.estimators.bound_slope_beta`): the multiplier of H(Z) in Lee & Jo eq. 6 at which the optimum
    has this resolution. ``counts``: the partition's state counts k_s; nan for fewer than two states."""
    from ..estimators import bound_slope_beta, resolution

    c = np.asarray(counts)
    c = c[c > 0]
    return float(bound_slope_beta(resolution(c), int(c.sum()))) if c.size > 1 else float("nan")


def tail_table(items, counts=None):
    """A pandas DataFrame, one row per partition ``(label, PowerLawVerdict)``: the claim-model status
    (:data:`deepinfo.verdicts.STATUS_OF`), beta with its bootstrap 95% interval, the tail, and the shape
    comparisons of ``verdict.evidence``: against an exponential (R > 0 favours the power law; Vuong's p,
    and the nested p the rule uses), and whether a log-normal bend or an exponential cut-off (at the scale
    given) fits the tail significantly better than a straight power law. With ``counts`` (the partitions'
    state counts, in the order of ``items``) a column gives beta from the slope of the maximal-relevance
    curve at each partition's resolution (:func:`bound_beta`)."""
    import pandas as pd

    from ..verdicts import STATUS_OF

    items = list(items)
    slopes = [bound_beta(k) for k in counts] if counts is not None else None
    rows = []
    for i, (lab, v) in enumerate(items):
        ev = v.evidence or {}
        e, ln, ct = ev.get("exponential", {}), ev.get("lognormal", {}), ev.get("cutoff", {})
        lo, hi = v.beta_ci
        rows.append({"partition": lab, "verdict": STATUS_OF[v.status], "beta": v.beta,
                     "95% interval": f"[{lo:.2f}, {hi:.2f}]" if np.isfinite([lo, hi]).all() else "-",
                     "tail k": f"{v.k_min}..{v.k_max}", "tail states": v.n_tail, "distinct k": v.n_distinct_k,
                     "decades": round(v.decades, 2),
                     "vs exponential: R (Vuong p; nested p)":
                         f"{e['R']:.3g} ({e['p']:.2g}; {e['p_nested']:.2g})" if "p_nested" in e else
                         (f"{e['R']:.3g} ({e['p']:.2g})" if e else "-"),
                     "log-normal bend": ln.get("favoured", "-"),
                     "cutoff": (f"yes, k ~ {ct['scale']:.3g}" if ct.get("favoured") == "cutoff" else
                                ct.get("favoured", "-"))})
        if slopes is not None:
            rows[-1]["beta from bound slope"] = slopes[i]
    return pd.DataFrame(rows).set_index("partition")


# ----------------------------------------------------------------------------- degeneracy
def _is_one_partition(c) -> bool:
    if isinstance(c, np.ndarray):
        return c.dtype != object and c.ndim == 1
    return isinstance(c, (list, tuple)) and len(c) > 0 and all(np.isscalar(v) for v in c)


def plot_degeneracy(ax, counts_or_list, labels: Sequence[str] | str | None = None, fits=None, binned: bool = False,
                    *, markers: Sequence[str] = MARKERS, colors: Sequence[str] | None = None, ms: float = 4.0,
                    raw_alpha: float = 0.35, fit_in_label: bool = True, legend: bool = True, **kw):
    """Log-log m_k against k for one or several partitions, with optional fitted power laws.

    Parameters
    ----------
    ax : matplotlib axis
    counts_or_list : the state counts k_s of one partition (1-D array), or a list of them
    labels : legend text per partition (a string for a single one)
    fits : None, or one :class:`~deepinfo.estimators.PowerLawVerdict` (or its ``as_dict()``)
        per partition (None entries allowed): its power law m_k = n_tail k^(-beta-1) /
        zeta(beta+1, k_min) is drawn over k >= k_min, and ``beta +/- beta_se (status)`` is added
        to the legend when ``fit_in_label``
    binned : False: one marker per observed k (m_k >= 1). True: the raw points small and faint,
        plus m_k averaged over logarithmic bins of k (:func:`binned_degeneracy`) as larger markers
    markers, colors, ms : marker per partition, colour per partition (default C0, C1, ...), size
    kw : passed to the marker plot (e.g. ``mfc="none"``)
    """
    from ..estimators import degeneracy

    single = _is_one_partition(counts_or_list)
    series = [np.asarray(counts_or_list)] if single else [np.asarray(c) for c in counts_or_list]
    if isinstance(labels, str):
        labels = [labels]
    labels = list(labels) if labels is not None else [None] * len(series)
    if fits is None:
        fits = [None] * len(series)
    elif single and not isinstance(fits, (list, tuple)):
        fits = [fits]
    fits = list(fits)
    if len(labels) != len(series) or len(fits) != len(series):
        raise ValueError(f"plot_degeneracy: {len(series)} partitions, {len(labels)} labels, {len(fits)} fits")
    colors = list(colors) if colors is not None else [f"C{i}" for i in range(len(series))]
    for i, (c, lab, fit) in enumerate(zip(series, labels, fits)):
        k, m_k = degeneracy(c)
        mk, col = markers[i % len(markers)], colors[i % len(colors)]
        text = lab
        if fit is not None and fit_in_label and fit_label(fit):
            text = f"{lab}: {fit_label(fit)}" if lab else fit_label(fit)
        if binned:
            ax.loglog(k, m_k, mk, ms=ms * 0.6, color=col, alpha=raw_alpha, mfc="none", mew=0.6)
            kb, mb = binned_degeneracy(c)
            ax.loglog(kb, mb, mk, ms=ms, color=col, label=text, **kw)
        else:
            ax.loglog(k, m_k, mk, ms=ms, color=col, label=text, **{"mfc": "none", **kw})
        line = power_law_line(fit, k.max()) if fit is not None else None
        if line is not None:
            ax.loglog(*line, "-", color=col, lw=1.0, alpha=0.85)
    ax.set_xlabel("frequency $k$")
    ax.set_ylabel("degeneracy $m_k$")
    if not binned:
        ax.set_ylim(bottom=0.5)
    if legend and (any(labels) or any(f is not None for f in fits)):
        ax.legend(fontsize=7, frameon=False)
    return ax


# ------------------------------------------------------------------------- relevance plane
@functools.lru_cache(maxsize=32)
def bound_bits(M: int) -> tuple[np.ndarray, np.ndarray]:
    """(H_s, H_k) vertices of the maximal-relevance curve for M samples, in bits (cached per M)."""
    from ..estimators import max_relevance_curve

    hs, hk = max_relevance_curve(int(M))
    return np.asarray(hs, dtype=float), np.asarray(hk, dtype=float)


def _as_series(a) -> list[np.ndarray]:
    if isinstance(a, np.ndarray) and a.dtype != object:
        return [a]
    if isinstance(a, (list, tuple)) and len(a) and np.isscalar(a[0]):
        return [np.asarray(a, dtype=float)]
    return [np.asarray(x, dtype=float) for x in a]


def plot_relevance_plane(ax, H_s, H_k, M, labels: Sequence[str] | str | None = None, normalise: bool = True,
                         bound: bool = True, *, xerr=None, yerr=None, annotate: bool | Sequence = False,
                         line: bool | Sequence[bool] = True, styles: Sequence[dict] | None = None,
                         bound_label: str = "max. relevance", bound_style: dict | None = None,
                         legend: bool = True, set_limits: bool = True, **kw):
    """Relevance H[k] against resolution H[s], with the maximal-relevance bound.

    Parameters
    ----------
    ax : matplotlib axis
    H_s, H_k : resolution and relevance IN BITS. One series: a 1-D array (one point per layer or
        partition), or a 2-D array (R, L) of R realisations, plotted as the mean over axis 0 with
        standard-error bars (:func:`deepinfo.stats.mean_se`). Several series: a list of such arrays.
    M : the number of samples behind each series (an int, or one per series)
    labels : legend text per series
    normalise : divide both axes by log2 M of each series (the papers' axes, in [0, 1]); else bits
    bound : draw the maximal-relevance curve (:func:`deepinfo.estimators.max_relevance_curve`) once
        per distinct M, dotted
    xerr, yerr : error bars in bits per series (overrides the standard error of 2-D input)
    annotate : True labels the points of every series 1, 2, ... (layers); a list of bools per series
    line : join the points of a series with a line (a bool, or one per series)
    styles : one dict of matplotlib keywords per series (marker, color, mfc, ...)
    kw : passed to every series' errorbar call
    """
    from ..stats import mean_se

    xs, ys = _as_series(H_s), _as_series(H_k)
    n = len(xs)
    if len(ys) != n:
        raise ValueError(f"plot_relevance_plane: {len(xs)} H_s series but {len(ys)} H_k series")
    Ms = list(M) if isinstance(M, (list, tuple, np.ndarray)) else [M] * n
    if len(Ms) != n:
        raise ValueError(f"plot_relevance_plane: {n} series but {len(Ms)} values of M")
    Ms = [int(m) for m in Ms]
    if isinstance(labels, str):
        labels = [labels]
    labels = list(labels) if labels is not None else [None] * n
    styles = list(styles) if styles is not None else [{} for _ in range(n)]
    lines = list(line) if isinstance(line, (list, tuple)) else [bool(line)] * n
    ann = list(annotate) if isinstance(annotate, (list, tuple)) else [bool(annotate)] * n
    xerrs = xerr if isinstance(xerr, list) else [xerr] * n
    yerrs = yerr if isinstance(yerr, list) else [yerr] * n
    if bound:
        for j, m in enumerate(sorted(set(Ms))):
            bs, bk = bound_bits(m)
            scale = np.log2(m) if normalise else 1.0
            lab = bound_label if len(set(Ms)) == 1 else f"{bound_label}, M = {m:,}"
            ax.plot(bs / scale, bk / scale, **{"ls": ":", "color": "k", "lw": 1.1, "label": lab,
                                                **(bound_style or {})})
    for i in range(n):
        x, y = xs[i], ys[i]
        if x.shape != y.shape:
            raise ValueError(f"series {i}: H_s shape {x.shape} differs from H_k shape {y.shape}")
        xe, ye = xerrs[i], yerrs[i]
        if x.ndim == 2:
            (x, xse, _), (y, yse, _) = mean_se(x, axis=0), mean_se(y, axis=0)
            xe = xse if xe is None else xe
            ye = yse if ye is None else ye
        scale = np.log2(Ms[i]) if normalise else 1.0
        x, y = np.asarray(x, float) / scale, np.asarray(y, float) / scale
        xe = None if xe is None else np.nan_to_num(np.asarray(xe, float) / scale)
        ye = None if ye is None else np.nan_to_num(np.asarray(ye, float) / scale)
        style = {"marker": MARKERS[i % len(MARKERS)], "ms": 5, "capsize": 2, "lw": 0.8, **kw, **styles[i]}
        style.setdefault("ls", "-" if lines[i] else "none")
        ax.errorbar(x, y, xerr=xe, yerr=ye, label=labels[i], **style)
        if ann[i]:
            col = style.get("color")
            for l, (a, b) in enumerate(zip(np.atleast_1d(x), np.atleast_1d(y)), start=1):
                if math.isfinite(a) and math.isfinite(b):
                    ax.annotate(str(l), (a, b), textcoords="offset points", xytext=(3, 3), fontsize=6, color=col)
    if normalise:
        ax.set_xlabel(r"resolution $H[s]/\log M$")
        ax.set_ylabel(r"relevance $H[k]/\log M$")
        if set_limits:
            ax.set_xlim(0, 1.02)
            ax.set_ylim(0, None)
    else:
        ax.set_xlabel("resolution $H[s]$ (bits)")
        ax.set_ylabel("relevance $H[k]$ (bits)")
    if legend and (any(labels) or bound):
        ax.legend(fontsize=7, frameon=False)
    return ax


__all__ = ["binned_degeneracy", "bound_beta", "bound_bits", "fit_label", "plot_degeneracy", "plot_relevance_plane",
           "power_law_line", "tail_shape_row", "tail_table"]
