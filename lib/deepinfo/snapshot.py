"""The committed full-scale results: ``data/results/full/<chapter>.json``, with their provenance.

    python -m deepinfo.run scale_invariance_ising --preset full      # executes the chapter at full
    python -m deepinfo.snapshot scale_invariance_ising               # freezes its claims into data/results/full/

A snapshot holds the chapter's claims as recorded at the full preset (kind, status, value,
uncertainty, threshold, scale) and where they came from: the git commit, the date, the
machine (cores, GPU), the wall time the runner measured for the notebook and for each unit of
work (``<build>/units-full.json``), the exact command, and a SHA-256 of
the chapter's experiment package (:func:`package_hash`). The report shows each claim's result
of this build beside the snapshot's and flags a snapshot whose package hash no longer matches
the code (:func:`is_stale`): its numbers were computed by other code.

The snapshot is written through a temporary file and a rename into ``data/results/full/``, a
folder of the project; an existing snapshot of the chapter is replaced only by a newer full run.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from . import paths


def package_dir(chapter: str) -> Path:
    """The chapter's experiment package (or module) under ``lib/deepinfo/experiments``."""
    base = Path(__file__).resolve().parent / "experiments"
    if (base / chapter).is_dir():
        return base / chapter
    if (base / f"{chapter}.py").is_file():
        return base / f"{chapter}.py"
    raise ValueError(f"chapter {chapter!r}: no experiment package lib/deepinfo/experiments/{chapter}/")


def package_hash(chapter: str) -> str:
    """SHA-256 over the chapter package's ``.py`` files (relative names and contents, sorted)."""
    p = package_dir(chapter)
    files = sorted(p.rglob("*.py")) if p.is_dir() else [p]
    h = hashlib.sha256()
    for f in files:
        h.update(str(f.relative_to(p.parent)).encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def snapshot_dir() -> Path:
    return paths.data_dir() / "results" / "full"


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=paths.project_root(), capture_output=True, text=True,
                             timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=paths.project_root(),
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("+uncommitted changes" if dirty else "") if out.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine() -> dict:
    out = {"cpus": os.cpu_count(), "platform": platform.platform(), "gpu": None}
    try:
        import torch

        if torch.cuda.is_available():
            out["gpu"] = torch.cuda.get_device_name(0)
    except Exception:  # pragma: no cover
        pass
    return out


def make_snapshot(chapter: str, claims_file: Path | None = None, command: str = "") -> dict:
    """The snapshot document of ``chapter`` from its full-preset claims file (default ``<claims>/full/``)."""
    f = claims_file or paths.claims_dir() / "full" / f"{chapter}.json"
    if not f.is_file():
        raise FileNotFoundError(f"{f}: no full-preset claims of {chapter}; run "
                                f"`python -m deepinfo.run {chapter} --preset full` first")
    doc = json.loads(f.read_text())
    if doc.get("preset") != "full":
        raise ValueError(f"{f}: recorded at preset {doc.get('preset')!r}, not 'full'")
    timings = paths.build_dir() / "timings.json"
    t = json.loads(timings.read_text()).get(chapter, {}).get("full", {}) if timings.is_file() else {}
    uf = paths.build_dir() / "units-full.json"
    units = {k: v for k, v in (json.loads(uf.read_text()) if uf.is_file() else {}).items()
             if v.get("chapter") == chapter}
    return {"chapter": chapter, "claims_file": doc,
            "provenance": {"commit": _git_commit(), "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
                           "machine": machine(), "wall_seconds": t.get("seconds"), "executed_at": t.get("when"),
                           "unit_seconds": {v["name"]: round(v["seconds"], 2) for v in units.values()},
                           "units_wall_seconds_total": round(sum(v["seconds"] for v in units.values()), 1),
                           "command": command or f"python -m deepinfo.run {chapter} --preset full",
                           "package_sha256": package_hash(chapter)}}


def write_snapshot(chapter: str, **kw) -> Path:
    from .atomic import atomic_write_json

    return atomic_write_json(snapshot_dir() / f"{chapter}.json", make_snapshot(chapter, **kw))


def is_stale(snapshot: dict) -> bool:
    """True when the chapter's experiment package changed since the snapshot was taken."""
    try:
        return snapshot.get("provenance", {}).get("package_sha256") != package_hash(snapshot["chapter"])
    except (KeyError, ValueError):
        return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m deepinfo.snapshot", description=__doc__.split("\n\n")[0])
    ap.add_argument("chapters", nargs="+")
    ap.add_argument("--command", default="", help="the exact command that produced the full run (recorded)")
    args = ap.parse_args(argv)
    rc = 0
    for ch in args.chapters:
        try:
            print(f"[deepinfo.snapshot] wrote {write_snapshot(ch, command=args.command)}")
        except (FileNotFoundError, ValueError) as exc:
            print(f"[deepinfo.snapshot] {exc}", file=sys.stderr)
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
