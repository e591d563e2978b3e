"""The claim model: how the book decides, and records, every claim it checks.

A chapter's package declares its claims in ``claims.py`` as :class:`ClaimSpec` objects and
decides each one with a pure function ``result -> Verdict``; the chapter page only records
the verdicts::

    from deepinfo.claims import ClaimRecorder
    from deepinfo.experiments.resolution_relevance import claims as c

    rec = ClaimRecorder("P1", chapter="resolution_relevance", preset=preset, seed=seed,
                        overrides=overrides, scale=c.scale(cfg, data))
    rec.declare_all(c.CLAIMS)
    rec.record_all(c.evaluate(result))        # {claim id: Verdict}

Kinds (:data:`KINDS`)
    ``paper``      a statement of the paper, tested at its own strength (not stronger, not weaker);
    ``critique``   a published objection (e.g. Saxe et al. 2018): *holds* means the objection stands;
    ``sanity``     true by construction or an identity: shown beside the findings, never counted;
    ``estimator``  a check of our instrument (DPI of binned values, two estimators agreeing);
    ``conjecture`` this book's own statement linking the papers (the synthesis chapter): tested like a
                   paper claim, counted apart from every paper's claims.

Statuses (:data:`STATUSES`)
    ``holds``, ``does not hold``, ``inconclusive`` (with a one-line ``reason``: tail too short,
    interval straddles the threshold, the effect needs more epochs than this preset ran, a
    substitute data set, ...). A declared claim that was never recorded is ``not evaluated``,
    and the chapter runner fails the run on it.

Every verdict carries its measured ``value`` with an :class:`Uncertainty` (a standard error
or an interval, and what it was taken over), the threshold it was compared with, and the
scale it was measured at (preset, data set, M, epochs, realisations). The decision helpers
:func:`compare` and :func:`within` turn an interval and a threshold into the three-way status,
so that the same evidence can never be read two ways in two chapters.

Every change is written at once, atomically (a unique temporary file and ``os.replace``),
to ``<claims dir>/<chapter>.json`` (:func:`deepinfo.paths.claims_dir`).
"""
from __future__ import annotations

import html
import json
import math
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import paths
from .atomic import atomic_write_json
from .experiments import PRESET_NAMES

KINDS = ("paper", "critique", "sanity", "estimator", "conjecture")
STATUSES = ("holds", "does not hold", "inconclusive")
NOT_EVALUATED = "not evaluated"
_ID = re.compile(r"^(P[1-9]|S)\.[A-Za-z0-9_]+$")

#: z of a two-sided 95% normal interval: the default width of ``value +/- z * se``
Z95 = 1.959963984540054


def _finite(x: Any, name: str) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={x!r} is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"{name}={x!r} is not finite")
    return v


@dataclass(frozen=True)
class Uncertainty:
    """The spread of a measured value, and what it was taken over.

    Give either a standard error ``se`` or an interval ``(lo, hi)`` at ``level``; ``method``
    says how it was obtained ("standard error over 5 realisations", "bootstrap 95% interval
    over states", "exact enumeration"), ``n`` how many independent units stand behind it.
    ``se = nan`` is allowed and honest for a single realisation: the decision helpers then
    call a verdict inconclusive unless the value is exact.
    """

    method: str
    se: float | None = None
    lo: float | None = None
    hi: float | None = None
    level: float | None = None
    n: int | None = None
    exact: bool = False

    def __post_init__(self):
        if not isinstance(self.method, str) or not self.method.strip():
            raise ValueError("Uncertainty.method: say how the uncertainty was obtained "
                             "(e.g. 'standard error over 5 realisations')")
        if self.exact:
            return
        if self.se is None and (self.lo is None or self.hi is None):
            raise ValueError(f"Uncertainty({self.method!r}): give se, or both lo and hi (or exact=True)")
        if self.se is not None and not (math.isnan(float(self.se)) or float(self.se) >= 0):
            raise ValueError(f"Uncertainty.se={self.se!r}: a standard error is >= 0 (or nan)")
        if self.lo is not None and self.hi is not None and float(self.lo) > float(self.hi):
            raise ValueError(f"Uncertainty: lo={self.lo} > hi={self.hi}")
        if self.level is not None and not 0 < float(self.level) < 1:
            raise ValueError(f"Uncertainty.level={self.level!r}: expected a coverage in (0, 1)")

    @classmethod
    def of_exact(cls, method: str = "exact computation") -> "Uncertainty":
        """A value with no sampling error (an identity, an enumeration, a closed form)."""
        return cls(method=method, se=0.0, exact=True)

    @classmethod
    def from_samples(cls, values, over: str) -> "Uncertainty":
        """Standard error of the mean of ``values``, taken over ``over`` (e.g. 'realisations')."""
        from .stats import mean_se

        _, se, n = mean_se(values)
        return cls(method=f"standard error over {n} {over}", se=se, n=n)

    def interval(self, value: float, z: float = Z95) -> tuple[float, float]:
        """``(lo, hi)``: the stored interval, else ``value +/- z se`` (nan when se is nan)."""
        if self.exact:
            return value, value
        if self.lo is not None and self.hi is not None:
            return float(self.lo), float(self.hi)
        se = float(self.se)
        return value - z * se, value + z * se

    def text(self, value: float) -> str:
        if self.exact:
            return "exact"
        if self.lo is not None and self.hi is not None:
            lvl = f"{100 * self.level:.0f}% " if self.level else ""
            return f"{lvl}[{format_number(self.lo)}, {format_number(self.hi)}]"
        return f"+/- {format_number(self.se)}"


@dataclass(frozen=True)
class ClaimSpec:
    """A claim as a chapter declares it, before any data is seen.

    ``threshold`` states the test in words ("beta within 1 +/- 0.2", "gap > 0 bits") and
    ``threshold_reason`` why it is that number (the paper's words, a physical scale, a
    calibration); ``test_differs`` says where our test differs from the paper's own method.
    """

    id: str
    kind: str
    statement: str
    paper_value: str
    threshold: str
    threshold_reason: str
    figure: str = ""
    test_differs: str = ""

    def __post_init__(self):
        if not _ID.match(self.id):
            raise ValueError(f"claim id={self.id!r}: expected 'P1'..'P9' or 'S', a dot, then letters, digits, '_'")
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: kind={self.kind!r}; expected one of {KINDS}")
        for name in ("statement", "paper_value", "threshold", "threshold_reason"):
            if not str(getattr(self, name)).strip():
                raise ValueError(f"claim {self.id}: {name} is empty; every claim states it")


@dataclass
class Verdict:
    """The outcome of one claim: status, measured value with its uncertainty, and why.

    ``reason`` is required when the status is ``inconclusive``; ``value`` may be None only then
    (nothing could be measured). ``threshold_value`` is the number ``value`` was compared with,
    when there is one. ``scale`` adds to (and overrides) the recorder's scale for this claim.
    """

    status: str
    value: float | None
    uncertainty: Uncertainty | None
    detail: str = ""
    reason: str = ""
    threshold_value: float | tuple | None = None
    scale: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"Verdict.status={self.status!r}: expected one of {STATUSES}")
        if self.status == "inconclusive" and not str(self.reason).strip():
            raise ValueError("Verdict: an inconclusive verdict needs a one-line reason")
        if self.value is None:
            if self.status != "inconclusive":
                raise ValueError(f"Verdict: status {self.status!r} needs a measured value")
        else:
            self.value = _finite(self.value, "Verdict.value")
            if self.uncertainty is None:
                raise ValueError("Verdict: a measured value needs its Uncertainty "
                                 "(Uncertainty.of_exact() for identities and enumerations)")

    @property
    def holds(self) -> bool | None:
        return {"holds": True, "does not hold": False}.get(self.status)


def inconclusive(reason: str, value: float | None = None, uncertainty: Uncertainty | None = None,
                 detail: str = "", **kw) -> Verdict:
    """A verdict that cannot be reached, with the reason (and the value, if one was measured)."""
    return Verdict("inconclusive", value, uncertainty, detail=detail, reason=reason, **kw)


def compare(value: float, uncertainty: Uncertainty, threshold: float, side: str = ">", *,
            z: float = Z95, detail: str = "", **kw) -> Verdict:
    """Three-way test of ``value <side> threshold`` with the value's interval.

    holds          the whole interval ``[lo, hi]`` lies on ``side`` of the threshold;
    does not hold  the whole interval lies on the other side (or on the threshold);
    inconclusive   the interval straddles the threshold, or the uncertainty is unknown (nan).

    ``side`` is ``">"`` or ``"<"``. The interval is the uncertainty's own ``(lo, hi)`` when
    it has one, else ``value +/- z se`` (z = 1.96 by default: a 95% normal interval).
    """
    if side not in (">", "<"):
        raise ValueError(f"side={side!r}: expected '>' or '<'")
    value, threshold = _finite(value, "value"), _finite(threshold, "threshold")
    lo, hi = uncertainty.interval(value, z)
    shown = f"{format_number(value)} {uncertainty.text(value)} vs {side} {format_number(threshold)}"
    detail = detail or shown
    if math.isnan(lo) or math.isnan(hi):
        return inconclusive(f"no uncertainty ({uncertainty.method}): one realisation cannot decide "
                            f"{shown}", value, uncertainty, detail, threshold_value=threshold, **kw)
    if uncertainty.exact:
        lo = hi = value
    ok = lo > threshold if side == ">" else hi < threshold
    bad = hi <= threshold if side == ">" else lo >= threshold
    if ok:
        return Verdict("holds", value, uncertainty, detail, threshold_value=threshold, **kw)
    if bad:
        return Verdict("does not hold", value, uncertainty, detail, threshold_value=threshold, **kw)
    return inconclusive(f"the interval [{format_number(lo)}, {format_number(hi)}] straddles the threshold {format_number(threshold)}",
                        value, uncertainty, detail, threshold_value=threshold, **kw)


def within(value: float, uncertainty: Uncertainty, lo: float, hi: float, *, z: float = Z95,
           detail: str = "", **kw) -> Verdict:
    """Three-way test of ``lo <= value <= hi`` with the value's interval ``[a, b]``.

    holds          ``[a, b]`` lies inside ``[lo, hi]``;
    does not hold  ``[a, b]`` lies entirely outside ``[lo, hi]``;
    inconclusive   the intervals overlap only in part (or the uncertainty is unknown).
    """
    value, lo, hi = _finite(value, "value"), _finite(lo, "lo"), _finite(hi, "hi")
    if lo > hi:
        raise ValueError(f"within: lo={lo} > hi={hi}")
    a, b = uncertainty.interval(value, z)
    shown = f"{format_number(value)} {uncertainty.text(value)} vs [{format_number(lo)}, {format_number(hi)}]"
    detail = detail or shown
    if uncertainty.exact:
        a = b = value
    if math.isnan(a) or math.isnan(b):
        return inconclusive(f"no uncertainty ({uncertainty.method}): one realisation cannot decide {shown}",
                            value, uncertainty, detail, threshold_value=(lo, hi), **kw)
    if lo <= a and b <= hi:
        return Verdict("holds", value, uncertainty, detail, threshold_value=(lo, hi), **kw)
    if b < lo or a > hi:
        return Verdict("does not hold", value, uncertainty, detail, threshold_value=(lo, hi), **kw)
    return inconclusive(f"the interval [{format_number(a)}, {format_number(b)}] overlaps the range [{format_number(lo)}, {format_number(hi)}] "
                        "only in part", value, uncertainty, detail, threshold_value=(lo, hi), **kw)


def exact_check(ok: bool, value: float, detail: str, method: str = "exact computation", **kw) -> Verdict:
    """A yes/no finding from an exact computation (identity, enumeration, closed form)."""
    return Verdict("holds" if bool(ok) else "does not hold", value, Uncertainty.of_exact(method), detail, **kw)


class ClaimRecorder:
    """Declares and records the claims of one chapter as it executes.

    Parameters
    ----------
    paper : str      this paper's claim-id prefix, ``"P1"``..``"P9"`` (``"S"`` for the synthesis)
    chapter : str    the chapter's file stem; names the JSON file
    preset : str     ``smoke``, ``quick`` or ``full``
    scale : dict     what a reader needs to weigh the results: ``data`` (name, and whether it is
                     real or a substitute), ``M``, epochs or updates, realisations, ...
    seed : int       the chapter's seed
    overrides : dict the config fields changed from the preset (``-p overrides``/``--set``)
    directory :      where to write (default :func:`deepinfo.paths.claims_dir`)
    """

    def __init__(self, paper: str, chapter: str, preset: str, scale: Mapping[str, Any] | None = None, *,
                 seed: int = 0, overrides: Mapping[str, Any] | None = None,
                 directory: str | Path | None = None):
        if not re.fullmatch(r"P[1-9]|S", str(paper)):
            raise ValueError(f"paper={paper!r}: expected 'P1'..'P9' or 'S'")
        if preset not in PRESET_NAMES:
            raise ValueError(f"preset={preset!r}: expected one of {PRESET_NAMES}")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError(f"seed={seed!r}: expected an integer")
        self.paper, self.chapter, self.preset, self.seed = paper, chapter, preset, seed
        self.scale = {"preset": preset, **_jsonable(dict(scale or {}))}
        self.overrides = _jsonable(dict(overrides or {}))
        self.path = (Path(directory) if directory is not None else paths.claims_dir()) / f"{chapter}.json"
        self.specs: dict[str, ClaimSpec] = {}
        self.verdicts: dict[str, Verdict] = {}
        self.recorded_at: dict[str, str] = {}

    # -- declaring -----------------------------------------------------------------------------
    def declare(self, spec: ClaimSpec) -> None:
        if not isinstance(spec, ClaimSpec):
            raise TypeError(f"declare: expected a ClaimSpec, got {type(spec).__name__}")
        if not spec.id.startswith(self.paper + "."):
            raise ValueError(f"claim id={spec.id!r}: this recorder is for paper {self.paper!r}")
        if spec.id in self.specs:
            raise ValueError(f"claim id={spec.id!r} is declared twice")
        self.specs[spec.id] = spec
        self.save()

    def declare_all(self, specs: Iterable[ClaimSpec]) -> None:
        for s in specs:
            self.declare(s)

    # -- recording -----------------------------------------------------------------------------
    def record(self, id: str, verdict: Verdict) -> None:
        """Record the verdict of a declared claim. Returns None (a cell ending with it shows nothing)."""
        if id not in self.specs:
            raise KeyError(f"claim id={id!r} was not declared; declared: {sorted(self.specs)}")
        if not isinstance(verdict, Verdict):
            raise TypeError(f"claim {id}: expected a Verdict (see deepinfo.claims.compare), "
                            f"got {type(verdict).__name__}")
        self.verdicts[id] = verdict
        self.recorded_at[id] = time.strftime("%Y-%m-%dT%H:%M:%S")
        self.save()

    def record_all(self, verdicts: Mapping[str, Verdict]) -> None:
        for k, v in verdicts.items():
            self.record(k, v)

    def status(self, id: str) -> str:
        v = self.verdicts.get(id)
        return NOT_EVALUATED if v is None else v.status

    def unevaluated(self) -> list[str]:
        return [i for i in self.specs if i not in self.verdicts]

    # -- output --------------------------------------------------------------------------------
    def claim_dict(self, id: str) -> dict:
        s, v = self.specs[id], self.verdicts.get(id)
        d = asdict(s)
        d.update(status=self.status(id), value=None, uncertainty=None, reason="", detail="",
                 threshold_value=None, scale=dict(self.scale), recorded_at=self.recorded_at.get(id, ""),
                 extra={})
        if v is not None:
            d.update(value=v.value, uncertainty=None if v.uncertainty is None else _jsonable(asdict(v.uncertainty)),
                     reason=v.reason, detail=v.detail, threshold_value=_jsonable(v.threshold_value),
                     scale={**self.scale, **_jsonable(v.scale)}, extra=_jsonable(v.extra))
        return d

    def to_dict(self) -> dict:
        return {"paper": self.paper, "chapter": self.chapter, "preset": self.preset, "seed": self.seed,
                "overrides": self.overrides, "scale": self.scale,
                "claims": [self.claim_dict(i) for i in self.specs]}

    def save(self) -> Path:
        return atomic_write_json(self.path, self.to_dict())

    def counts(self, kind: str = "paper") -> dict[str, int]:
        """How many claims of ``kind`` hold, do not hold, are inconclusive or were not evaluated."""
        out = {s: 0 for s in (*STATUSES, NOT_EVALUATED)}
        for i, s in self.specs.items():
            if s.kind == kind:
                out[self.status(i)] += 1
        return out

    def _repr_html_(self) -> str:
        colour = {"holds": "#1a7f37", "does not hold": "#b35900", "inconclusive": "#6e7781",
                  NOT_EVALUATED: "#cf222e"}
        out = [f"<table class='claims'><thead><tr><th>claim</th><th>kind</th><th>paper</th>"
               f"<th>ours ({html.escape(self.preset)})</th><th>status</th></tr></thead><tbody>"]
        for i, s in self.specs.items():
            d = self.claim_dict(i)
            ours = d["detail"] or format_number(d["value"])
            why = f"<br/><small>{html.escape(d['reason'])}</small>" if d["reason"] else ""
            out.append(f"<tr><td><code>{html.escape(i)}</code><br/><small>{html.escape(s.statement)}</small></td>"
                       f"<td>{s.kind}</td><td>{html.escape(s.paper_value)}</td><td>{html.escape(ours)}</td>"
                       f"<td style='color:{colour[d['status']]}'><b>{d['status']}</b>{why}</td></tr>")
        out.append("</tbody></table>")
        return "".join(out)

    def __repr__(self) -> str:
        return "\n".join(f"{i:45s} {self.specs[i].kind:9s} {self.status(i):14s} "
                         f"{self.claim_dict(i)['detail']}" for i in self.specs)


def format_number(x: Any) -> str:
    """A measured number as the claims and the report show it: 4 significant digits, '-' for none."""
    if x is None:
        return "-"
    try:
        return f"{float(x):.4g}"
    except (TypeError, ValueError):
        return str(x)


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if hasattr(v, "tolist"):  # numpy scalars and arrays: their Python values, then the same rules
        return _jsonable(v.tolist())
    if isinstance(v, float) and not math.isfinite(v):
        return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return repr(v)


def load_claims(directory: str | Path | None = None) -> dict[str, dict]:
    """All claim files directly under ``directory`` (default ``<build>/claims``), keyed by chapter."""
    d = Path(directory) if directory is not None else paths.claims_dir()
    return {p.stem: json.loads(p.read_text()) for p in sorted(d.glob("*.json"))}
