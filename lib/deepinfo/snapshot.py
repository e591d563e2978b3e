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

Beside the claims, a chapter may keep the arrays behind its headline figure
(:func:`save_headline_arrays`, called by the page at every preset into ``<build>/headline/<preset>/``);
the snapshot copies the full preset's ones to ``data/results/full/<chapter>.npz`` (a few MB at
most), and the page draws them beside its own figure (:func:`headline_arrays`).

A chapter whose full preset cannot run on the machine at hand gets a *not-run record* instead
(``--not-run REASON``): why, and which of its full preset's units of work are computed in this
cache; the report and the page's summary box show it, so a reader sees what ran and what did not.

    python -m deepinfo.snapshot resolution_relevance --not-run "200-epoch DBNs x 12: GPU (about 2.7 h on 2 CPU cores)"
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
        # the snapshots' own folder does not count: re-taking one rewrites the files beside it
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":(exclude)data/results/full"], cwd=paths.project_root(),
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


#: the largest headline file a snapshot accepts (the snapshot lives in git)
MAX_HEADLINE_BYTES = 4 * 2 ** 20


def headline_path(chapter: str, preset: str) -> Path:
    """Where a page at ``preset`` keeps its headline arrays: ``<build>/headline/<preset>/<chapter>.npz``."""
    return paths.build_dir() / "headline" / preset / f"{chapter}.npz"


def save_headline_arrays(chapter: str, preset: str, arrays: dict) -> Path:
    """Keep the arrays behind the chapter's headline figure (name -> array; float64 stored as float32).

    Written atomically to :func:`headline_path`; the snapshot of a full run copies them into git.
    """
    import io

    import numpy as np

    if not arrays or not all(isinstance(k, str) and k.isidentifier() for k in arrays):
        raise ValueError(f"arrays: expected a non-empty dict of identifier -> array, got keys {list(arrays)!r}")
    out = {}
    for k, v in arrays.items():
        a = np.asarray(v)
        out[k] = a.astype(np.float32) if a.dtype == np.float64 else a
    buf = io.BytesIO()
    np.savez_compressed(buf, **out)
    if buf.tell() > MAX_HEADLINE_BYTES:
        raise ValueError(f"headline arrays of {chapter}: {buf.tell() / 2 ** 20:.1f} MiB, more than the "
                         f"{MAX_HEADLINE_BYTES / 2 ** 20:.0f} MiB a snapshot may add to the repository")
    from .atomic import atomic_write

    return atomic_write(headline_path(chapter, preset), lambda f: f.write(buf.getvalue()))


def headline_arrays(chapter: str) -> dict | None:
    """The committed full-preset headline arrays of ``chapter`` (``data/results/full/<chapter>.npz``), or None."""
    import numpy as np

    doc = snapshot_dir() / f"{chapter}.json"
    f = snapshot_dir() / f"{chapter}.npz"
    # only the arrays the current snapshot names: a leftover file of an earlier run is never drawn
    if not (f.is_file() and doc.is_file() and json.loads(doc.read_text()).get("headline") == f.name):
        return None
    with np.load(f, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def snapshot_info(chapter: str) -> dict | None:
    """The committed snapshot document of ``chapter`` (with ``stale``), or None when there is none."""
    f = snapshot_dir() / f"{chapter}.json"
    if not f.is_file():
        return None
    doc = json.loads(f.read_text())
    return {**doc, "stale": is_stale(doc)}


def make_not_run(chapter: str, reason: str, seed: int = 0) -> dict:
    """The record of a full preset that did not run here: ``reason``, and each unit of work of the
    full preset with whether its cache entry is computed (``deepinfo.compute.chapter_units``)."""
    from .compute import chapter_units

    if not str(reason).strip():
        raise ValueError("reason: say why the full preset did not run (e.g. what it needs and its cost)")
    us = chapter_units(chapter, "full", seed=seed, device="cpu")
    return {"chapter": chapter, "ran": False, "reason": str(reason).strip(),
            "units": [{"name": u.name, "chapter": u.chapter, "computed": bool(u.done())} for u in us],
            "provenance": {"commit": _git_commit(), "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
                           "machine": machine(), "package_sha256": package_hash(chapter)}}


def write_not_run(chapter: str, reason: str) -> Path:
    """Write the not-run record; refuses to replace the snapshot of an actual full run."""
    from .atomic import atomic_write_json

    f = snapshot_dir() / f"{chapter}.json"
    if f.is_file() and json.loads(f.read_text()).get("ran", True):
        raise ValueError(f"{f}: holds the snapshot of a full run; a not-run record never replaces it "
                         "(remove it by hand if the run is truly obsolete)")
    return atomic_write_json(f, make_not_run(chapter, reason))


def make_snapshot(chapter: str, claims_file: Path | None = None, command: str = "",
                  command_wall_seconds: float | None = None) -> dict:
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
                           "command_wall_seconds": command_wall_seconds,
                           "package_sha256": package_hash(chapter)},
            "ran": True}


def write_snapshot(chapter: str, **kw) -> Path:
    """Write ``data/results/full/<chapter>.json`` (and the full run's headline arrays as ``<chapter>.npz``)."""
    import shutil

    from .atomic import atomic_write, atomic_write_json

    doc = make_snapshot(chapter, **kw)
    head = headline_path(chapter, "full")
    if head.is_file():
        doc["headline"] = f"{chapter}.npz"
        with head.open("rb") as src:
            atomic_write(snapshot_dir() / f"{chapter}.npz", lambda f: shutil.copyfileobj(src, f))
    return atomic_write_json(snapshot_dir() / f"{chapter}.json", doc)


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
    ap.add_argument("--wall-seconds", type=float, default=None,
                    help="that command's end-to-end wall time, measured by the caller (e.g. with `time`)")
    ap.add_argument("--not-run", metavar="REASON", default=None,
                    help="record that the full preset did not run here, and why (with the units computed so far)")
    args = ap.parse_args(argv)
    if args.wall_seconds is not None and not (args.wall_seconds > 0):
        ap.error(f"--wall-seconds {args.wall_seconds}: expected a positive number of seconds")
    rc = 0
    for ch in args.chapters:
        try:
            if args.not_run is not None:
                print(f"[deepinfo.snapshot] wrote {write_not_run(ch, args.not_run)}")
            else:
                print(f"[deepinfo.snapshot] wrote "
                      f"{write_snapshot(ch, command=args.command, command_wall_seconds=args.wall_seconds)}")
        except (FileNotFoundError, ValueError) as exc:
            print(f"[deepinfo.snapshot] {exc}", file=sys.stderr)
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
