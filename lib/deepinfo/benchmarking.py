"""One result format for the scripts in ``benchmarks/``: ours, a named baseline, the ratio, the target, met or not.

Every benchmark script times our code and a baseline on the same input in the same run and
writes ``<build>/benchmarks/<name>.json`` through :func:`write_results`::

    {"benchmark": "estimators", "schema": 2, "what": "...", "machine": {...},
     "cases": [{"case": ..., "ours": ..., "baseline": ..., "baseline_value": ..., "unit": "s",
                "ratio": ..., "target": "<= 10 s", "met": true, "notes": ...}, ...],
     "details": {...}}

The book's performance page and the README tables are rendered from these files by
:mod:`deepinfo.report`; nothing is typed by hand.
"""
from __future__ import annotations

import math
import os
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from . import paths

SCHEMA = 2


@dataclass
class Case:
    """One measured case.

    ``ours`` and ``baseline_value`` are in ``unit`` (``"s"`` for wall seconds, or a rate such as
    ``"samples/s"``); ``ratio`` is how many times better ours is (``baseline/ours`` for times,
    ``ours/baseline`` for rates: :meth:`timed` and :meth:`rate` compute it). ``target`` states the
    target in words; ``target_s`` (``ours`` at most this, in ``unit``) and ``target_ratio``
    (``ratio`` at least this) make it checkable: ``met`` is computed from them, ``None`` when the
    case has no target.
    """

    case: str
    ours: float | None
    unit: str = "s"
    baseline: str = ""
    baseline_value: float | None = None
    ratio: float | None = None
    target: str = ""
    target_s: float | None = None
    target_ratio: float | None = None
    met: bool | None = None
    notes: str = ""

    def __post_init__(self):
        if not self.case:
            raise ValueError("Case.case: say what was measured")
        if self.ratio is None and self.ours and self.baseline_value:
            rate = "/s" in self.unit
            self.ratio = (self.ours / self.baseline_value) if rate else (self.baseline_value / self.ours)
        checks = []
        if self.target_s is not None and self.ours is not None:
            checks.append(self.ours <= self.target_s)
        if self.target_ratio is not None and self.ratio is not None:
            checks.append(self.ratio >= self.target_ratio)
        if self.met is None and checks:
            self.met = all(checks)
        if not self.target:
            parts = []
            if self.target_s is not None:
                parts.append(f"<= {self.target_s:g} {self.unit}")
            if self.target_ratio is not None:
                parts.append(f">= {self.target_ratio:g}x the baseline")
            self.target = ", ".join(parts)


def machine() -> dict:
    """The machine in one dict: cores, platform, load average now, GPU if any, torch threads."""
    out = {"cpus": os.cpu_count(), "platform": platform.platform(), "load_average": round(os.getloadavg()[0], 2)}
    try:
        import torch

        out["torch_threads"] = torch.get_num_threads()
        out["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except Exception:  # pragma: no cover - torch is a dependency; keep the benchmark running without it
        out["gpu"] = None
    return out


def write_results(name: str, cases: list[Case], what: str = "", details: dict | None = None,
                  started: dict | None = None) -> Path:
    """Write ``<build>/benchmarks/<name>.json`` atomically; ``started`` is :func:`machine` at the start."""
    from .atomic import atomic_write_json

    end = machine()
    doc = {"benchmark": name, "schema": SCHEMA, "what": what,
           "machine": {**end, "load_average_start": (started or end)["load_average"],
                       "load_average_end": end["load_average"], "when": time.strftime("%Y-%m-%dT%H:%M:%S")},
           "cases": [_clean(asdict(c)) for c in cases], "details": _clean(details or {})}
    return atomic_write_json(paths.build_dir() / "benchmarks" / f"{name}.json", doc)


def _clean(v):
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item"):
        return _clean(v.item())
    return v


def print_case(c: Case) -> None:
    """One line per case on the terminal, the same numbers the page shows."""
    base = f"; baseline ({c.baseline}) {c.baseline_value:.4g} {c.unit}" if c.baseline_value is not None else ""
    ratio = f"; ratio {c.ratio:.1f}x" if c.ratio is not None else ""
    met = {True: "met", False: "MISSED", None: "no target"}[c.met]
    print(f"{c.case}: ours {c.ours:.4g} {c.unit}{base}{ratio}; target {c.target or '-'}: {met}", flush=True)
