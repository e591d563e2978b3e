"""Verdict helpers shared by chapters: the power-law rule as claims, a claim over seeds, a layer's rank test.

The book decides every power-law statement with one rule, :func:`deepinfo.estimators.power_law_verdict`
(a :class:`~deepinfo.estimators.PowerLawVerdict` with status ``"holds"``, ``"fails"`` or
``"inconclusive"``). A chapter's claim is a :class:`deepinfo.claims.Verdict` (``"holds"``,
``"does not hold"``, ``"inconclusive"``). This module turns one into the other, so that every
chapter reads the rule the same way:

* :func:`fit` - the rule on a partition's state counts k_s, memoised (a page fits the same layer in
  a figure, a table and a claim);
* :func:`power_law_claim` - one partition: status mapped by :data:`STATUS_OF` (``invert=True`` for
  a claim that says "not a power law"), value beta with :func:`beta_uncertainty`;
* :func:`all_of` - several partitions (layers, realisations, thresholds) must all be power laws:
  holds if all hold, does not hold if one fails, inconclusive otherwise; with ``value_from`` the
  same rule combines claim verdicts (parts of one claim) and reports one part's value;
* :func:`in_every_seed` - one claim decided in every training seed's network: the same three-way rule
  over the seeds, valued by the share of seeds that hold with its Wilson interval;
* :func:`on_substitute` - a verdict measured on a substitute data set becomes inconclusive;
* :func:`fit_line` - the one-line description of a fit used in claim details and prose;
* :func:`said` - a status as the verb of a sentence;
* :func:`critical_layers`, :func:`generation_at_critical` - Song et al. (2018)'s critical layer
  (largest H[s] + H[k]) and the claim that it generates best, shared by the main and the
  supplementary page;
* :func:`layer_rank_test` (with :func:`rank_permutation_p`) - one layer per realisation scores best
  among the layers: an exact permutation test on its rank over realisations (Song et al. 2018, Fig. 3g,
  with the critical layer and the generation ability).

The two verdicts that need no power law (:func:`in_every_seed` on claim verdicts, :func:`layer_rank_test`
on plain arrays) return claim verdicts too. Used by the Lee & Jo (2022) chapters (``scale_invariance``,
``scale_invariance_ising``) and the Song et al. (2018) chapters (``resolution_relevance``,
``resolution_relevance_supplement``); any chapter may import it instead of another chapter's private helpers.
"""
from __future__ import annotations

import hashlib
import math
from typing import Iterable

import numpy as np

from .claims import Uncertainty, Verdict, compare, inconclusive

#: power_law_verdict's status -> the claim model's status
STATUS_OF = {"holds": "holds", "fails": "does not hold", "inconclusive": "inconclusive"}

#: the threshold text of a claim decided by the power-law rule
PL_THRESHOLD = ("power_law_verdict holds: a tail of at least 5 distinct k spanning at least one decade that beats an "
                "exponential (p < 0.01), with no characteristic scale found and beta pinned to a bootstrap interval "
                "narrower than 1")
#: ... and why that threshold (the rule's calibration)
PL_REASON = ("the book's one power-law rule (deepinfo.estimators.power_law_verdict), calibrated before any chapter "
             "data on exact maximal-relevance partitions, ideal k^(-beta-1) profiles and Zipf samples (must hold) and "
             "on geometric and equal-size clusters (must fail); it asks what the paper means by a power law: "
             "heavy-tailed and scale-free, against a characteristic cluster size")


def said(status: str) -> str:
    """A status as the verb of a sentence: 'holds', 'does not hold', 'is inconclusive'."""
    return "is inconclusive" if status == "inconclusive" else status


_FITS: dict[str, object] = {}


def fit(counts):
    """:func:`~deepinfo.estimators.power_law_verdict` of the state counts ``counts`` (k_s, one entry per
    state; zeros dropped), bootstrap seed 0, memoised on the sorted counts."""
    from .estimators import power_law_verdict

    c = np.sort(np.asarray(counts, dtype=np.int64).ravel())
    c = c[c > 0]
    key = hashlib.sha1(c.tobytes()).hexdigest()
    if key not in _FITS:
        _FITS[key] = power_law_verdict(c, rng=0)
    return _FITS[key]


def _finite(x) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _short(reason: str, n: int = 110) -> str:
    return reason if len(reason) <= n else reason[:n - 3] + "..."


def fit_line(label: str, v) -> str:
    """One line per partition: 'z1: holds, beta = 0.83 [0.80, 0.87], tail k = 3..812 (412 states, 2.4 decades)'.

    The status is the claim model's (:data:`STATUS_OF`); the bracket is the bootstrap 95% interval of beta
    when there is one."""
    lo, hi = v.beta_ci
    b = (f"beta = {v.beta:.2f}" + (f" [{lo:.2f}, {hi:.2f}]" if _finite(lo) and _finite(hi) else "")
         if _finite(v.beta) else "no beta")
    return (f"{label}: {STATUS_OF[v.status]}, {b}, tail k = {v.k_min}..{v.k_max} ({v.n_tail} states, "
            f"{v.decades:.1f} decades)")


def beta_uncertainty(v, what: str = "one network") -> Uncertainty:
    """The uncertainty of a verdict's beta: its bootstrap 95% interval over the tail's states when finite,
    else its Fisher standard error (nan when there is none). ``what`` names the partition's source."""
    lo, hi = v.beta_ci
    if _finite(lo) and _finite(hi):
        return Uncertainty(f"bootstrap 95% interval of beta over the {v.n_tail} tail states ({what})",
                           lo=float(lo), hi=float(hi), level=0.95, n=int(v.n_tail))
    se = float(v.beta_se) if _finite(v.beta_se) else math.nan
    return Uncertainty(f"Fisher standard error of beta over the {v.n_tail} tail states ({what})", se=se,
                       n=int(v.n_tail))


def power_law_claim(v, label: str = "", *, invert: bool = False, what: str = "one network", scale=None,
                    decided_without_beta: bool = False) -> Verdict:
    """A claim Verdict from one PowerLawVerdict ``v``.

    Status: ``STATUS_OF[v.status]``; with ``invert`` (the claim is "not a power law") holds and does not
    hold swap, inconclusive stays. Value: beta with :func:`beta_uncertainty`. No finite beta gives an
    inconclusive verdict without a value, unless ``decided_without_beta``: then a verdict the rule decided
    (holds or fails) keeps its (inverted) status, with the number of distinct k ``v.n_distinct_k`` as an
    exact value (the Song et al. pages' reading: the rule's decision stands even without an exponent).
    The detail is :func:`fit_line` plus the rule's reason; the rule's full record is in
    ``extra["power_law"]``.
    """
    status = STATUS_OF[v.status]
    if invert and status != "inconclusive":
        status = "does not hold" if status == "holds" else "holds"
    detail = fit_line(label or "m(k)", v) + f"; {v.reason}"
    kw = dict(scale=dict(scale or {}), extra={"power_law": v.as_dict()})
    if not _finite(v.beta):
        if decided_without_beta and status != "inconclusive":
            return Verdict(status, float(v.n_distinct_k), Uncertainty.of_exact("power_law_verdict (no exponent)"),
                           detail, **kw)
        return inconclusive(_short(v.reason), None, None, detail, **kw)
    unc = beta_uncertainty(v, what)
    if status == "inconclusive":
        return inconclusive(_short(v.reason), float(v.beta), unc, detail, **kw)
    return Verdict(status, float(v.beta), unc, detail, **kw)


def all_of(items: Iterable, unit: str = "layers", scale=None, *, value_from: int | None = None) -> Verdict:
    """Every partition in ``items`` (a list of ``(label, PowerLawVerdict)``) is a power law.

    holds: all hold; does not hold: at least one fails; inconclusive: none fails but some are
    inconclusive (the reason names them). Value: the number that hold, with the interval
    [holds, holds + inconclusive]; threshold: the number of partitions.

    With ``value_from`` (an index into ``items``), ``items`` are ``(label, Verdict)`` pairs of claim
    verdicts, the parts of one claim that must all hold, combined by the same three-way rule (a part
    that does not hold decides; else an inconclusive part makes the whole inconclusive, the reason naming
    each such part with its own reason). The combined verdict reports the value, uncertainty and
    threshold of ``items[value_from]`` (the quantity the claim states); its detail joins the parts'
    details, ``"label: detail"``; ``unit`` is not used.
    """
    items = list(items)
    if not items:
        raise ValueError("all_of: no partitions to judge")
    if value_from is not None:
        return _all_parts_hold(items, value_from, scale)
    n = len(items)
    st = [STATUS_OF[v.status] for _, v in items]
    nh, nf = st.count("holds"), st.count("does not hold")
    ni = n - nh - nf
    unc = Uncertainty(f"count of {n} per-{unit.rstrip('s')} power-law verdicts (interval: those that hold, "
                      f"up to those that hold or are inconclusive)", lo=float(nh), hi=float(nh + ni), n=n)
    detail = f"{nh}/{n} {unit} scale-free; " + "; ".join(fit_line(lab, v) for lab, v in items)
    kw = dict(threshold_value=float(n), scale=dict(scale or {}),
              extra={"per_partition": {lab: v.as_dict() for lab, v in items}})
    def why():
        which = [f"{lab}: {_short(v.reason, 80)}" for (lab, v), s in zip(items, st) if s == "inconclusive"]
        return f"{ni} of {n} {unit} inconclusive ({'; '.join(which)})"

    return _three_way(st, why, float(nh), unc, detail, **kw)


def _three_way(statuses, why, value, unc, detail, **kw) -> Verdict:
    """The book's rule for a claim made of parts that must all hold: a part that does not hold decides
    (does not hold); else an inconclusive part makes the claim inconclusive, with the reason ``why()``;
    holds when every part holds. ``statuses``: the parts' claim statuses."""
    if "does not hold" in statuses:
        return Verdict("does not hold", value, unc, detail, **kw)
    if "inconclusive" in statuses:
        return inconclusive(why(), value, unc, detail, **kw)
    return Verdict("holds", value, unc, detail, **kw)


def _all_parts_hold(parts: list, value_from: int, scale=None) -> Verdict:
    """:func:`all_of` on claim verdicts ``parts`` (``(label, Verdict)``), reporting ``parts[value_from]``."""
    if not all(isinstance(v, Verdict) for _, v in parts):
        raise TypeError("all_of(value_from=...): expected (label, deepinfo.claims.Verdict) pairs")
    statuses = [v.status for _, v in parts]
    detail = "; ".join(f"{lab}: {v.detail}" for lab, v in parts)
    v0 = parts[value_from][1]
    kw = dict(threshold_value=v0.threshold_value, scale=dict(scale or {}))
    return _three_way(statuses, lambda: "; ".join(f"{lab}: {v.reason}" for lab, v in parts if v.status == "inconclusive"),
                      v0.value, v0.uncertainty, detail, **kw)


def in_every_seed(parts, scale=None) -> Verdict:
    """One claim decided on every seed's network: ``parts`` is ``[(seed, Verdict)]``, one verdict per seed.

    Status: the three-way rule of :func:`all_of` over the seeds (a seed whose verdict does not hold decides;
    else an inconclusive seed makes the claim inconclusive; holds when every seed holds), so the claim is
    stated at the paper's strength for each network trained. Value: the share of seeds whose verdict holds,
    with its Wilson 95% interval over the seeds (:func:`deepinfo.stats.wilson_interval`); threshold 1 (every
    seed). The detail lists each seed's status and detail; ``scale["seeds"]`` the seeds (added to ``scale``);
    ``extra["per_seed"]`` keeps each seed's status, value and reason.

    Used by the Lee & Jo (2022) chapter (``scale_invariance``): the paper shows one network, the book asks
    every training seed of the preset.
    """
    from .stats import wilson_interval

    parts = [(int(s), v) for s, v in parts]
    if not parts:
        raise ValueError("in_every_seed: no seeds")
    n = len(parts)
    st = [v.status for _, v in parts]
    nh = st.count("holds")
    lo, hi = wilson_interval(nh, n)
    unc = Uncertainty(f"Wilson 95% interval of the share of {n} seeds whose network passes", lo=lo, hi=hi,
                      level=0.95, n=n)
    detail = (f"{nh}/{n} seeds hold; " + "; ".join(f"seed {s}: {v.status} ({v.detail})" for s, v in parts))
    kw = dict(threshold_value=1.0, scale={**dict(scale or {}), "seeds": [s for s, _ in parts]},
              extra={"per_seed": {str(s): {"status": v.status, "value": v.value, "reason": v.reason}
                                   for s, v in parts}})
    return _three_way(st, lambda: "; ".join(f"seed {s}: {_short(v.reason, 90)}" for s, v in parts
                                            if v.status == "inconclusive"), nh / n, unc, detail, **kw)


def on_substitute(verdict: Verdict, data: dict) -> Verdict:
    """A verdict measured on a substitute data set becomes inconclusive (value, detail and evidence kept).

    ``data``: a data description with ``dataset`` and ``substitute_for`` (empty when the real data set
    was used, in which case ``verdict`` is returned unchanged)."""
    if not data.get("substitute_for"):
        return verdict
    return inconclusive(f"substitute data: {data.get('dataset')} stands in for {str(data['substitute_for']).split(' (')[0]} "
                        f"(on the substitute: {verdict.status})", verdict.value, verdict.uncertainty,
                        verdict.detail, threshold_value=verdict.threshold_value,
                        scale={**verdict.scale, "substitute": True}, extra=verdict.extra)


def layer_fits(counts, labels=None) -> list:
    """``[(label, PowerLawVerdict)]`` for the layers' state counts ``counts`` (labels z1, z2, ... by default)."""
    labels = labels or [f"z{l}" for l in range(1, len(counts) + 1)]
    return [(lab, fit(c)) for lab, c in zip(labels, counts)]


# ------------------------------------------------------------ Song et al. (2018): the critical layer
def _layers_array(a, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"{name}: expected an array (R realisations, L layers), got shape {a.shape}")
    return a


def critical_layers(H_s, H_k) -> np.ndarray:
    """Per realisation, the layer (1-based) of largest H[s] + H[k] (Song et al. 2018's critical layer).

    H_s, H_k: (R realisations, L layers) in bits -> (R,) ints."""
    return np.argmax(_layers_array(H_s, "H_s") + _layers_array(H_k, "H_k"), axis=1) + 1


def generation_at_critical(H_s, H_k, ability, over: str = "DBN realisations") -> Verdict:
    """The critical layer generates best (Song et al. 2018, Fig. 3g; Fig. S3c on the letters).

    Per realisation r, the margin ``ability[r, l_r] - max over l != l_r of ability[r, l]`` with l_r the
    layer of largest H[s] + H[k] (:func:`critical_layers`); H_s, H_k (R, L) in bits, ability (R, L) the
    generation ability 1/D(P||Q) in 1/bits. The mean margin, with its standard error over the R
    realisations (``over`` names them), is compared with 0 (:func:`deepinfo.claims.compare`, ``>``): one
    realisation has no spread and is inconclusive.
    """
    a = _layers_array(ability, "ability")
    lc = critical_layers(H_s, H_k)
    margins, best = [], []
    for r, l in enumerate(lc):
        others = np.delete(a[r], l - 1)
        margins.append(float(a[r, l - 1] - np.nanmax(others)))
        best.append(int(np.nanargmax(a[r])) + 1)
    mean = float(np.nanmean(np.asarray(margins, dtype=float)))
    return compare(mean, Uncertainty.from_samples(np.asarray(margins, dtype=float), over=over), 0.0, ">",
                   detail="critical layer " + ", ".join(f"H{l}" for l in lc) + "; best generation at "
                          + ", ".join(f"H{l}" for l in best) + f"; margin of the critical layer over the best "
                          f"other layer {mean:+.3g} (1/bits)")


# --------------------------------------------------- one layer's rank among the layers, over realisations
def _mid_ranks(a) -> np.ndarray:
    """Ranks (1 = largest) of the entries of ``a`` (L,), ties sharing their mean rank; NaN ranks last."""
    from scipy.stats import rankdata

    a = np.asarray(a, dtype=float)
    return rankdata(-np.where(np.isfinite(a), a, -np.inf), method="average")


def rank_permutation_p(ranks_per_realisation, observed: float) -> float:
    """Exact one-sided p-value P(T <= observed) of T = sum over realisations of the rank of a layer drawn
    uniformly at random in each realisation, independently.

    ``ranks_per_realisation``: R arrays of the L ranks (mid-ranks, multiples of 1/2) of one realisation's
    layers; ``observed``: the observed sum of ranks. The null distribution is the convolution of the R
    uniform distributions over each realisation's ranks (exact, no sampling)."""
    dist = {0: 1.0}
    for ranks in ranks_per_realisation:
        twice = np.rint(2 * np.asarray(ranks, dtype=float)).astype(int)
        step = {}
        for t, pt in dist.items():
            for x in twice:
                step[t + int(x)] = step.get(t + int(x), 0.0) + pt / len(twice)
        dist = step
    obs = int(np.rint(2 * observed))
    return float(min(1.0, sum(pt for t, pt in dist.items() if t <= obs)))


def layer_rank_test(layers, scores, alpha: float = 0.05, *, name: str = "chosen", score: str = "score",
                    verb: str = "scores", units: str = "", over: str = "realisations") -> Verdict:
    """One layer per realisation scores best among the layers: an exact permutation test on its rank.

    ``layers``: (R,) the tested layer l_r of each realisation (1-based; layers are named H1..HL);
    ``scores``: (R, L) a score per realisation and layer, larger is better (NaN ranks last). rank_r is l_r's
    rank among the L layers (1 = best, ties share their mean rank). Null hypothesis: l_r is a layer drawn at
    random in each realisation, independent of the scores; the statistic T = sum_r rank_r then has the exact
    distribution of :func:`rank_permutation_p`, p = P(T <= T_obs). The margin
    m_r = scores[r, l_r] - max over l != l_r of scores[r, l] (mean, standard error over the realisations)
    says whether another layer scores better beyond the noise.

    does not hold   the margin's 95% interval lies below 0 (another layer scores significantly better);
    holds           otherwise, if p < ``alpha``;
    inconclusive    otherwise (p >= alpha: the rank is not distinguishable from a random layer's, or the R
                    realisations cannot reach p < alpha at all: the smallest attainable p is about L^-R).

    The value is the mean rank of l_r (a random layer averages (L + 1) / 2) with its standard error over the
    realisations (``over`` names them); ``extra`` holds ``p_value``, ``p_min`` (the smallest attainable),
    ``alpha``, ``ranks``, the tested layers under ``name``, ``best`` (each realisation's best layer),
    ``margin`` and ``margin_se``. ``name`` ("<name> layer"), ``score`` (what is ranked), ``verb`` ("no other
    layer <verb> significantly better") and ``units`` (of the scores) word the detail and the reason.

    Song, Marsili & Jo (2018), Fig. 3g: with l_r the critical layer (:func:`critical_layers`) and the scores
    the generation ability 1/D(P||Q) in 1/bits, this decides "the critical layer generates best"
    (``name="critical", score="generation ability", verb="generates", units="1/bits"``).
    """
    a = _layers_array(scores, "scores")
    R, L = a.shape
    lc = np.asarray(layers).astype(int).ravel()
    if lc.shape != (R,):
        raise ValueError(f"layers: expected one layer per realisation ({R},), got shape {np.shape(layers)}")
    if R and (lc.min() < 1 or lc.max() > L):
        raise ValueError(f"layers: expected layer numbers 1..{L} (1 = the first of the {L} scored layers), "
                         f"got {lc.tolist()}")
    if name in ("p_value", "p_min", "alpha", "ranks", "best", "margin", "margin_se"):
        raise ValueError(f"name: {name!r} would overwrite the verdict's own entry extra[{name!r}]; choose another")

    def unc(x):
        return Uncertainty.from_samples(np.asarray(x, dtype=float), over=over)

    def mean(x):
        return float(np.nanmean(np.asarray(x, dtype=float)))

    ranks_all = [_mid_ranks(a[r]) for r in range(R)]
    ranks = np.array([ranks_all[r][l - 1] for r, l in enumerate(lc)], dtype=float)
    best = [int(np.nanargmax(np.where(np.isfinite(a[r]), a[r], -np.inf))) + 1 for r in range(R)]
    p = rank_permutation_p(ranks_all, float(ranks.sum()))
    p_min = rank_permutation_p(ranks_all, float(sum(r.min() for r in ranks_all)))
    margins = np.array([a[r, l - 1] - np.nanmax(np.delete(a[r], l - 1)) for r, l in enumerate(lc)], dtype=float)
    m_unc = unc(margins)
    m_lo, m_hi = m_unc.interval(mean(margins))
    u = unc(ranks)
    per = f" ({units})" if units else ""
    detail = (f"{name} layer " + ", ".join(f"H{l}" for l in lc) + f"; its rank in {score} "
              + ", ".join(f"{x:g}" for x in ranks) + f" of {L} (1 = best; best at "
              + ", ".join(f"H{l}" for l in best) + f"); mean rank {ranks.mean():.2f} against {(L + 1) / 2:g} for "
              f"a random layer; permutation p = {p:.3g} (alpha {alpha}, smallest attainable {p_min:.2g}); margin "
              f"over the best other layer {mean(margins):+.3g}{per}, 95% interval "
              f"[{m_lo:+.3g}, {m_hi:+.3g}]")
    extra = {"p_value": p, "p_min": p_min, "alpha": alpha, "ranks": ranks.tolist(), name: lc.tolist(),
             "best": best, "margin": mean(margins), "margin_se": m_unc.se}
    if np.isfinite(m_hi) and m_hi < 0:
        return Verdict("does not hold", float(ranks.mean()), u, detail, extra=extra)
    if p < alpha:
        return Verdict("holds", float(ranks.mean()), u, detail, extra=extra)
    if p_min >= alpha:
        why = f"{R} realisation(s) of {L} layers cannot reach p < {alpha} (smallest attainable p = {p_min:.2g})"
    else:
        why = (f"the {name} layer's rank is not distinguishable from a random layer's (p = {p:.2g} >= {alpha}) "
               f"and no other layer {verb} significantly better")
    return inconclusive(why, float(ranks.mean()), u, detail, extra=extra)


__all__ = ["STATUS_OF", "PL_THRESHOLD", "PL_REASON", "said", "fit", "fit_line", "beta_uncertainty",
           "power_law_claim", "all_of", "in_every_seed", "on_substitute", "layer_fits", "critical_layers",
           "generation_at_critical", "rank_permutation_p", "layer_rank_test"]
