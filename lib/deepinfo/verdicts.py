"""Power-law verdicts as claims: one home for the adapters between the power-law rule and the claim model.

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
  holds if all hold, does not hold if one fails, inconclusive otherwise;
* :func:`on_substitute` - a verdict measured on a substitute data set becomes inconclusive;
* :func:`fit_line` - the one-line description of a fit used in claim details and prose;
* :func:`said` - a status as the verb of a sentence.

Used by the Lee & Jo (2022) chapters (``scale_invariance``, ``scale_invariance_ising``); any chapter
may import it instead of another chapter's private helpers.
"""
from __future__ import annotations

import hashlib
import math
from typing import Iterable

import numpy as np

from .claims import Uncertainty, Verdict, inconclusive

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


def power_law_claim(v, label: str = "", *, invert: bool = False, what: str = "one network", scale=None) -> Verdict:
    """A claim Verdict from one PowerLawVerdict ``v``.

    Status: ``STATUS_OF[v.status]``; with ``invert`` (the claim is "not a power law") holds and does not
    hold swap, inconclusive stays. Value: beta with :func:`beta_uncertainty`; no finite beta gives an
    inconclusive verdict without a value. The detail is :func:`fit_line` plus the rule's reason; the
    rule's full record is in ``extra["power_law"]``.
    """
    status = STATUS_OF[v.status]
    if invert and status != "inconclusive":
        status = "does not hold" if status == "holds" else "holds"
    detail = fit_line(label or "m(k)", v) + f"; {v.reason}"
    kw = dict(scale=dict(scale or {}), extra={"power_law": v.as_dict()})
    if not _finite(v.beta):
        return inconclusive(_short(v.reason), None, None, detail, **kw)
    unc = beta_uncertainty(v, what)
    if status == "inconclusive":
        return inconclusive(_short(v.reason), float(v.beta), unc, detail, **kw)
    return Verdict(status, float(v.beta), unc, detail, **kw)


def all_of(items: Iterable, unit: str = "layers", scale=None) -> Verdict:
    """Every partition in ``items`` (a list of ``(label, PowerLawVerdict)``) is a power law.

    holds: all hold; does not hold: at least one fails; inconclusive: none fails but some are
    inconclusive (the reason names them). Value: the number that hold, with the interval
    [holds, holds + inconclusive]; threshold: the number of partitions.
    """
    items = list(items)
    if not items:
        raise ValueError("all_of: no partitions to judge")
    n = len(items)
    st = [STATUS_OF[v.status] for _, v in items]
    nh, nf = st.count("holds"), st.count("does not hold")
    ni = n - nh - nf
    unc = Uncertainty(f"count of {n} per-{unit.rstrip('s')} power-law verdicts (interval: those that hold, "
                      f"up to those that hold or are inconclusive)", lo=float(nh), hi=float(nh + ni), n=n)
    detail = f"{nh}/{n} {unit} scale-free; " + "; ".join(fit_line(lab, v) for lab, v in items)
    kw = dict(threshold_value=float(n), scale=dict(scale or {}),
              extra={"per_partition": {lab: v.as_dict() for lab, v in items}})
    if nf:
        return Verdict("does not hold", float(nh), unc, detail, **kw)
    if ni:
        which = [f"{lab}: {_short(v.reason, 80)}" for (lab, v), s in zip(items, st) if s == "inconclusive"]
        return inconclusive(f"{ni} of {n} {unit} inconclusive ({'; '.join(which)})", float(nh), unc, detail, **kw)
    return Verdict("holds", float(nh), unc, detail, **kw)


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


__all__ = ["STATUS_OF", "PL_THRESHOLD", "PL_REASON", "said", "fit", "fit_line", "beta_uncertainty",
           "power_law_claim", "all_of", "on_substitute", "layer_fits"]
