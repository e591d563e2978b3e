"""A record of each quantitative claim of a paper, as a chapter checks it.

A chapter declares its paper's claims up front, then records each one where the
evidence is computed::

    claims = ClaimRecorder("P1", chapter="resolution_relevance", preset=preset)
    claims.declare("P1.zipf_critical_layer",
                   statement="The layer of maximal H[s]+H[k] has beta closest to 1",
                   paper_value="H6, beta about 1")
    ...
    claims.record("P1.zipf_critical_layer", measured=beta_star, holds=abs(beta_star - 1) < ...,
                  detail="H5, beta = 1.08 +/- 0.05")

Every change is written at once to ``<build>/claims/<chapter>.json``, so the
reproduction report and the tests read what the executed chapter found. A declared
claim with no record shows as *not evaluated*; ``measured`` must be a finite number
(a count, a distance, an exponent, 0/1 for a yes/no finding); whether the claim
``holds`` is reported, never forced.
"""
from __future__ import annotations

import html
import json
import math
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import paths

_ID = re.compile(r"^(P[1-9]|S)\.[A-Za-z0-9_]+$")
STATUSES = ("holds", "does not hold", "not evaluated")


@dataclass
class Claim:
    id: str
    statement: str
    paper_value: str
    figure: str = ""
    measured: float | None = None
    holds: bool | None = None
    detail: str = ""
    preset: str = ""
    setting: str = ""
    recorded_at: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.measured is None or self.holds is None:
            return "not evaluated"
        return "holds" if self.holds else "does not hold"


class ClaimRecorder:
    """Declares and records the claims of one paper as its chapter executes.

    Parameters
    ----------
    paper : str      the prefix of this paper's claim ids, e.g. ``"P1"`` (``"S"`` for the synthesis)
    chapter : str    the chapter's file stem; names the JSON file
    preset : str     the preset the chapter runs at (``smoke``, ``quick``, ``full``)
    setting : str    data size, epochs, realisations: what a reader needs to weigh the result
    directory :      where to write (default ``<build>/claims``)
    """

    def __init__(self, paper: str, chapter: str, preset: str, setting: str = "",
                 directory: str | Path | None = None):
        if not re.fullmatch(r"P[1-9]|S", paper):
            raise ValueError(f"paper={paper!r}: expected 'P1'..'P9' or 'S'")
        if preset not in ("smoke", "quick", "full"):
            raise ValueError(f"preset={preset!r}: expected 'smoke', 'quick' or 'full'")
        self.paper, self.chapter, self.preset, self.setting = paper, chapter, preset, setting
        self.path = Path(directory) if directory is not None else paths.claims_dir()
        self.path = self.path / f"{chapter}.json"
        self.claims: dict[str, Claim] = {}

    def declare(self, id: str, statement: str, paper_value: str, figure: str = "") -> None:
        if not _ID.match(id) or not id.startswith(self.paper + "."):
            raise ValueError(f"claim id={id!r}: expected '{self.paper}.<name>' (letters, digits, underscores)")
        if id in self.claims:
            raise ValueError(f"claim id={id!r} is declared twice")
        self.claims[id] = Claim(id=id, statement=statement, paper_value=paper_value, figure=figure,
                                preset=self.preset, setting=self.setting)
        self.save()

    def record(self, id: str, measured: float, holds: bool, detail: str = "", **extra: Any) -> None:
        """Record the measured value of a declared claim and whether the paper's statement holds.

        Returns None, so a chapter cell that ends with a record shows nothing; the recorded
        claim is ``recorder.claims[id]``.
        """
        if id not in self.claims:
            raise KeyError(f"claim id={id!r} was not declared; declared: {sorted(self.claims)}")
        try:
            value = float(measured)
        except (TypeError, ValueError):
            raise ValueError(f"claim {id}: measured={measured!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"claim {id}: measured={measured!r} is not finite; a claim needs a finite value")
        if not isinstance(holds, (bool,)) and type(holds).__name__ != "bool_":
            raise ValueError(f"claim {id}: holds={holds!r} must be a bool")
        c = self.claims[id]
        c.measured, c.holds, c.detail = value, bool(holds), detail
        c.recorded_at = time.strftime("%Y-%m-%dT%H:%M:%S")
        c.extra = {k: _jsonable(v) for k, v in extra.items()}
        self.save()

    def unevaluated(self) -> list[str]:
        return [c.id for c in self.claims.values() if c.status == "not evaluated"]

    def save(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"paper": self.paper, "chapter": self.chapter, "preset": self.preset, "setting": self.setting,
               "claims": [dict(asdict(c), status=c.status) for c in self.claims.values()]}
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(doc, indent=1))
        tmp.replace(self.path)
        return self.path

    def rows(self) -> list[dict]:
        return [{"claim": c.id, "paper": c.paper_value, "ours": c.detail or _fmt(c.measured),
                 "status": c.status} for c in self.claims.values()]

    def _repr_html_(self) -> str:
        colour = {"holds": "#1a7f37", "does not hold": "#b35900", "not evaluated": "#cf222e"}
        out = ["<table class='claims'><thead><tr><th>claim</th><th>paper</th><th>ours "
               f"({html.escape(self.preset)})</th><th>status</th></tr></thead><tbody>"]
        for c in self.claims.values():
            out.append(f"<tr><td><code>{html.escape(c.id)}</code><br/><small>{html.escape(c.statement)}</small></td>"
                       f"<td>{html.escape(c.paper_value)}</td><td>{html.escape(c.detail or _fmt(c.measured))}</td>"
                       f"<td style='color:{colour[c.status]}'><b>{c.status}</b></td></tr>")
        out.append("</tbody></table>")
        return "".join(out)

    def __repr__(self) -> str:
        lines = [f"{c.id:45s} {c.status:14s} {c.detail or _fmt(c.measured)}" for c in self.claims.values()]
        return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.4g}"


def _jsonable(v: Any) -> Any:
    try:
        json.dumps(v)
        return v
    except TypeError:
        if hasattr(v, "tolist"):
            return v.tolist()
        return repr(v)


def load_claims(directory: str | Path | None = None) -> dict[str, dict]:
    """All claim files under ``directory`` (default ``<build>/claims``), keyed by chapter."""
    d = Path(directory) if directory is not None else paths.claims_dir()
    return {p.stem: json.loads(p.read_text()) for p in sorted(d.glob("*.json"))}
