"""The whole book from an empty cache, serial against ``--workers 2`` (issue 16, item 4: at least 1.7x on 2 cores).

    .venv/bin/python benchmarks/book_parallel.py                 # prints this note and exits (see below)
    nice -n 10 .venv/bin/python benchmarks/book_parallel.py --run                    # every chapter at quick
    .venv/bin/python benchmarks/book_parallel.py --run --preset smoke --chapters cheap_learning scale_invariance_ising
    .venv/bin/python benchmarks/book_parallel.py --run --pairs 2   # serial, workers, workers, serial (ABBA)

Why it does nothing without ``--run``: ``make benchmarks`` runs every ``benchmarks/*.py`` with no
arguments, and ``make book`` runs ``make benchmarks`` first; one invocation of this script executes
the whole book twice from an empty cache (tens of minutes at quick on 2 cores), which those targets
must not start by accident. Without ``--run`` it prints what it would do and exits with status 0.

What one pair is
    serial      ``python -m deepinfo.run CHAPTER... --preset P`` without ``--workers``: one process
                executes the chapters one after another, each computing its units inside its cells;
    workers N   ``python -m deepinfo.run CHAPTER... --preset P --workers N``: a Dask ``LocalCluster``
                of N single-threaded processes computes every chapter's units, then N chapters
                execute at a time (``deepinfo.run``/``deepinfo.compute``).
Each run gets its own fresh build folder (``DEEPINFO_BUILD_DIR``, with ``DEEPINFO_CACHE_DIR`` =
``<that folder>/cache``, ``DEEPINFO_CLAIMS_DIR`` unset) under a folder this script creates,
``<build>/bench_book/<timestamp>/`` by default (``--dir`` names another parent). The user's
``_build/cache``, ``_build/claims``, ``_build/executed`` and ``_build/timings.json`` are never read
or written. The wall time of a run is the runner process's, start to exit (kernel starts, the
cluster's start and the papermill overhead included: what a person waits for).

Order (``--order``, default ``alternate``): pair 1 runs serial first, pair 2 workers first, and so
on (ABBA over two pairs), so that a load on the machine that drifts linearly over the benchmark
favours neither run; with one pair that is serial first. Before the first run a warm-up process
imports the stack (torch, papermill, distributed, deepinfo) so that the first run does not alone
pay for reading the libraries from a cold disk cache. The 1-, 5- and 15-minute load averages
before and after every run are printed: a machine shared with other jobs (load above its cores)
cannot give the parallel run its 2 cores, and the ratio then says so rather than the engine.

Same numbers however scheduled: after both runs of a pair the claims files
``<run build>/claims/<chapter>.json`` are compared field by field (claims matched by id; floats
exactly, NaN equal to NaN; only ``recorded_at``, the time a claim was recorded, may differ). Any
difference is printed, the case is marked as missed and the script exits with status 1.

Results, in the common format (:mod:`deepinfo.benchmarking`): ours = the ``--workers`` run's wall
seconds, baseline = the serial run's, ratio = serial / workers (the mean over pairs of each; with
two or more pairs the per-pair ratios and their mean with its standard error are in ``details``).
The target (>= 1.7x) applies to the benchmark as the issue states it, every chapter at quick with
2 workers; only that case is written to ``<build>/benchmarks/book_parallel.json`` (the
performance page renders every file there). Any other setting (a smoke check, a subset of
chapters) has no target and is written to ``<run folder>/benchmarks/book_parallel.json`` only.

By default the run folders' build folders (executed notebooks, cache) are removed at the end; the
logs (``logs/``), a copy of every claims file (``claims/<run>/``) and the results stay. ``--keep``
keeps the build folders; they are kept anyway when a run failed or the claims differ. Nothing this
script did not create is ever removed.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ORDERS = ("alternate", "serial-first", "workers-first")
TARGET_RATIO = 1.7  # issue 16, item 4: the whole book at quick on 2 cores, --workers 2 against serial
TARGET_PRESET, TARGET_WORKERS = "quick", 2
IGNORED_KEYS = frozenset({"recorded_at"})  # when a claim was recorded: the one field allowed to differ
MARKER = ".book_parallel"  # written into every folder this script creates; only such folders are removed
WARM_UP = "import torch, numpy, scipy, sklearn, matplotlib, papermill, nbclient, jupytext, distributed, deepinfo"
ECHO = ("executing", "done in", "FAILED", "ERROR", "summary", "unit(s) to compute", "nothing to compute")


@dataclass
class Run:
    """One execution of the book: what ran, where, how long, and what it wrote."""

    label: str                 # "serial" or "workers 2"
    pair: int                  # 1-based
    build: Path
    argv: list[str]
    rc: int | None = None
    wall_s: float | None = None
    cpu_s: float | None = None  # user + system seconds of the runner and every process it waited for
    load_start: tuple = ()
    load_end: tuple = ()
    chapter_s: dict = field(default_factory=dict)   # the runner's timings.json at this preset
    unit_s: dict = field(default_factory=dict)      # units-<preset>.json: chapter -> summed unit seconds
    n_units: int = 0
    claims: dict = field(default_factory=dict)      # chapter -> claims document
    log: Path | None = None

    @property
    def slug(self) -> str:
        return f"pair{self.pair}-{self.label.replace(' ', '')}"

    def summary(self) -> dict:
        return {"label": self.label, "pair": self.pair, "argv": self.argv, "rc": self.rc, "wall_s": self.wall_s,
                "cpu_s": self.cpu_s, "cores_busy": (self.cpu_s / self.wall_s) if self.cpu_s and self.wall_s else None,
                "load_average_start": list(self.load_start), "load_average_end": list(self.load_end),
                "chapter_seconds": self.chapter_s, "unit_seconds_by_chapter": self.unit_s, "n_units": self.n_units,
                "log": str(self.log) if self.log else None}


# --------------------------------------------------------------------------------------------
# comparing the claims of two runs
# --------------------------------------------------------------------------------------------

def _diff(a, b, where: str, out: list[str], limit: int) -> None:
    if len(out) >= limit:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k in IGNORED_KEYS:
                continue
            if k not in a or k not in b:
                out.append(f"{where}.{k}: only in the {'serial' if k in a else 'workers'} run")
            else:
                _diff(a[k], b[k], f"{where}.{k}", out, limit)
        return
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{where}: {len(a)} items (serial) != {len(b)} (workers)")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, f"{where}[{i}]", out, limit)
        return
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return
    if type(a) is not type(b) or a != b:
        out.append(f"{where}: {a!r} (serial) != {b!r} (workers)")


def compare_claims(serial: dict, workers: dict, limit: int = 50) -> list[str]:
    """Every difference between two runs' claims, as readable lines; ``[]`` when they agree.

    ``serial`` and ``workers`` map chapter -> claims document (``<build>/claims/<chapter>.json``).
    Claims are matched by ``id``; values are compared exactly (floats bit for bit, NaN equal to
    NaN); ``recorded_at`` is ignored. A chapter or claim present in one run only is a difference.
    At most ``limit`` lines per chapter.
    """
    out: list[str] = []
    for ch in sorted(set(serial) | set(workers)):
        if ch not in serial or ch not in workers:
            out.append(f"{ch}: claims file only in the {'serial' if ch in serial else 'workers'} run")
            continue
        a, b = serial[ch], workers[ch]
        lines: list[str] = []
        if a.get("package_sha256") != b.get("package_sha256"):
            lines.append(f"{ch}: package_sha256 differs: the chapter's code changed between the two runs")
        ca = {c.get("id"): c for c in a.get("claims", [])}
        cb = {c.get("id"): c for c in b.get("claims", [])}
        if [c.get("id") for c in a.get("claims", [])] != [c.get("id") for c in b.get("claims", [])]:
            only_a, only_b = sorted(set(ca) - set(cb), key=str), sorted(set(cb) - set(ca), key=str)
            lines.append(f"{ch}: claim ids differ (only serial: {only_a}, only workers: {only_b}, or another order)")
        for cid in [i for i in ca if i in cb]:
            _diff(ca[cid], cb[cid], f"{ch}: claim {cid}", lines, limit)
        rest_a = {k: v for k, v in a.items() if k not in ("claims", "package_sha256")}
        rest_b = {k: v for k, v in b.items() if k not in ("claims", "package_sha256")}
        _diff(rest_a, rest_b, f"{ch}: document", lines, limit)
        out += lines[:limit]
    return out


# --------------------------------------------------------------------------------------------
# running the book
# --------------------------------------------------------------------------------------------

def _loadavg() -> tuple:
    return tuple(round(x, 2) for x in os.getloadavg())


def _execute(argv: list[str], env: dict, cwd: Path, log: Path, echo) -> tuple[int, float, float]:
    """Run ``argv``; every line goes to ``log``, the ones a person follows to ``echo``.

    Returns ``(exit status, wall seconds, CPU seconds)``; the CPU seconds are the user and system
    time of the process and every descendant it (and they) waited for.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(log, "w") as f:
        # its own process group, so that an interrupted benchmark stops the runner's kernels and workers too
        proc = subprocess.Popen(argv, env=env, cwd=str(cwd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, bufsize=1, start_new_session=True)
        try:
            for line in proc.stdout:
                f.write(line)
                echo(line.rstrip("\n"))
            rc = proc.wait()
        except BaseException:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            proc.wait()
            raise
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return rc, wall, cpu


def _warm_up(python: str, cwd: Path) -> float:
    """Import the stack once so that the first timed run does not alone read it from a cold disk cache."""
    t0 = time.perf_counter()
    subprocess.run([python, "-c", WARM_UP], cwd=str(cwd), check=True, capture_output=True)
    return time.perf_counter() - t0


def _read_json(f: Path) -> dict:
    try:
        return json.loads(f.read_text())
    except (OSError, ValueError):
        return {}


def run_book(run: Run, root: Path, stamp: Path, chapters: list[str], preset: str, verbose: bool) -> Run:
    """Execute ``run.argv`` in ``run.build`` (created fresh here) and collect its times and claims."""
    run.build.mkdir(parents=False, exist_ok=False)
    (run.build / MARKER).write_text("created by benchmarks/book_parallel.py; removed by it unless --keep\n")
    env = dict(os.environ)
    env.pop("DEEPINFO_CLAIMS_DIR", None)
    env.update({"DEEPINFO_ROOT": str(root), "DEEPINFO_BUILD_DIR": str(run.build),
                "DEEPINFO_CACHE_DIR": str(run.build / "cache")})
    run.log = stamp / "logs" / f"{run.slug}.log"
    run.log.parent.mkdir(exist_ok=True)

    def echo(line: str) -> None:
        if verbose or any(s in line for s in ECHO):
            print(f"  [{run.label}] {line}", flush=True)

    print(f"pair {run.pair}, {run.label}: {' '.join(run.argv[1:])}  (build {run.build}; log {run.log})", flush=True)
    run.load_start = _loadavg()
    run.rc, run.wall_s, run.cpu_s = _execute(run.argv, env, root, run.log, echo)
    run.load_end = _loadavg()
    timings = _read_json(run.build / "timings.json")
    run.chapter_s = {ch: timings.get(ch, {}).get(preset, {}).get("seconds") for ch in chapters}
    units = _read_json(run.build / f"units-{preset}.json")
    run.n_units = len(units)
    for rec in units.values():
        run.unit_s[rec.get("chapter", "?")] = run.unit_s.get(rec.get("chapter", "?"), 0.0) + rec.get("seconds", 0.0)
    copy = stamp / "claims" / run.slug
    copy.mkdir(parents=True, exist_ok=True)
    for ch in chapters:
        f = run.build / "claims" / f"{ch}.json"
        if f.is_file():
            run.claims[ch] = json.loads(f.read_text())
            shutil.copy2(f, copy / f.name)
    print(f"pair {run.pair}, {run.label}: exit {run.rc}, {run.wall_s:.1f} s wall, {run.cpu_s:.1f} CPU s "
          f"({run.cpu_s / run.wall_s:.2f} cores busy); load average {run.load_start} -> {run.load_end}", flush=True)
    return run


def plan(pairs: int, order: str) -> list[list[str]]:
    """The order of the two runs in each pair: ``[["serial", "workers"], ...]``."""
    first_serial = {"serial-first": lambda i: True, "workers-first": lambda i: False,
                    "alternate": lambda i: i % 2 == 0}[order]
    return [["serial", "workers"] if first_serial(i) else ["workers", "serial"] for i in range(pairs)]


def _git(root: Path, *args: str) -> str | None:
    try:
        r = subprocess.run(["git", *args], cwd=str(root), capture_output=True, text=True, timeout=30)
        return r.stdout.strip() if r.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def _remove_build(build: Path, stamp: Path) -> None:
    """Remove a build folder this script created (a direct child of ``stamp`` holding the marker)."""
    if build.parent == stamp and (build / MARKER).is_file() and (stamp / MARKER).is_file():
        shutil.rmtree(build)


def _mean_se(x: list[float]) -> tuple[float, float]:
    from deepinfo.stats import mean_se

    m, se, _ = mean_se(x)
    return float(m), float(se)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 epilog="Exit status: 0 when every run succeeded and the claims agree (the speed "
                                        "target met or not), 1 when a run failed or the claims differ, 2 for bad "
                                        "arguments.")
    ap.add_argument("--run", action="store_true", help="actually run (without it: print what it does and exit 0)")
    ap.add_argument("--preset", default="quick", help="smoke, quick or full (default quick)")
    ap.add_argument("--chapters", nargs="+", default=None, metavar="CHAPTER", help="a subset (default: every chapter)")
    ap.add_argument("--workers", type=int, default=TARGET_WORKERS, help="worker processes of the parallel run (2)")
    ap.add_argument("--order", choices=ORDERS, default="alternate",
                    help="which run of a pair goes first: alternate (pair 1 serial first, pair 2 workers first, ...), "
                         "serial-first or workers-first")
    ap.add_argument("--pairs", type=int, default=1, help="serial/workers pairs to run (2 or more: a spread)")
    ap.add_argument("--dir", type=Path, default=None,
                    help="parent of the run folder (default <build>/bench_book); a new <timestamp> folder is made in it")
    ap.add_argument("--keep", action="store_true", help="keep the runs' build folders (executed notebooks, cache)")
    ap.add_argument("-v", "--verbose", action="store_true", help="echo every line of the runners, not only progress")
    args = ap.parse_args(argv)
    if not args.run:
        print("benchmarks/book_parallel.py: not run. It executes the whole book twice from an empty cache (serial, "
              f"then --workers {TARGET_WORKERS}; tens of minutes at quick), so `make benchmarks` does not start it. "
              "Run it by hand with --run, on an otherwise idle machine: "
              "nice -n 10 .venv/bin/python benchmarks/book_parallel.py --run  (--help for the options)", flush=True)
        return 0
    if args.workers < 2:
        ap.error(f"--workers {args.workers}: the parallel run needs at least 2 worker processes")
    if args.pairs < 1:
        ap.error(f"--pairs {args.pairs}: expected at least 1")

    from deepinfo import paths
    from deepinfo.benchmarking import Case, machine, print_case, write_results
    from deepinfo.chapters import chapter_paths
    from deepinfo.experiments import PRESET_NAMES

    if args.preset not in PRESET_NAMES:
        ap.error(f"--preset {args.preset!r}: expected one of {PRESET_NAMES}")
    root = paths.project_root()
    known = list(chapter_paths(root))
    chapters = args.chapters or known
    unknown = [c for c in chapters if c not in known]
    if unknown:
        ap.error(f"unknown chapter(s) {unknown}; expected some of {known}")
    chapters = list(dict.fromkeys(chapters))
    parent = (args.dir or paths.build_dir() / "bench_book").resolve()
    parent.mkdir(parents=True, exist_ok=True)
    stamp = parent / time.strftime("%Y%m%dT%H%M%S")
    if stamp.exists():
        stamp = parent / f"{stamp.name}-{os.getpid()}"
    stamp.mkdir(exist_ok=False)  # never a folder that exists: everything under it is this script's
    (stamp / MARKER).write_text("created by benchmarks/book_parallel.py\n")

    is_target = args.preset == TARGET_PRESET and chapters == known and args.workers == TARGET_WORKERS
    started = machine()
    commit, dirty_start = _git(root, "rev-parse", "HEAD"), _git(root, "status", "--porcelain", "--", "lib", "book")
    print(f"book_parallel: {len(chapters)} chapter(s) at preset {args.preset} ({', '.join(chapters)}); "
          f"serial against --workers {args.workers}; {args.pairs} pair(s), order {args.order}; "
          f"{os.cpu_count()} CPUs, load average {_loadavg()}; run folder {stamp}", flush=True)
    warm = _warm_up(sys.executable, root)
    print(f"warm-up (import the stack once): {warm:.1f} s", flush=True)

    base = [sys.executable, "-m", "deepinfo.run", *chapters, "--preset", args.preset]
    runs: list[Run] = []
    pairs: list[dict] = []
    failed = False
    for i, order in enumerate(plan(args.pairs, args.order), 1):
        done = {}
        for which in order:
            label = "serial" if which == "serial" else f"workers {args.workers}"
            r = Run(label=label, pair=i, build=stamp / f"pair{i}-{label.replace(' ', '')}",
                    argv=base if which == "serial" else [*base, "--workers", str(args.workers)])
            run_book(r, root, stamp, chapters, args.preset, args.verbose)
            runs.append(r)
            done[which] = r
        s, w = done["serial"], done["workers"]
        ok = s.rc == 0 and w.rc == 0
        diffs = compare_claims(s.claims, w.claims) if ok else []
        failed |= not ok or bool(diffs)
        pairs.append({"pair": i, "order": order, "ok": ok, "ratio": (s.wall_s / w.wall_s) if ok else None,
                      "claims_identical": ok and not diffs, "claim_differences": diffs})
        if not ok:
            print(f"pair {i}: a run FAILED (serial exit {s.rc}, workers exit {w.rc}); see the logs", flush=True)
        elif diffs:
            print(f"pair {i}: the claims DIFFER between the serial and the workers run ({len(diffs)} line(s)):",
                  flush=True)
            for d in diffs:
                print(f"  {d}", flush=True)
        else:
            print(f"pair {i}: claims identical for all {len(s.claims)} chapter(s); ratio {s.wall_s / w.wall_s:.2f}x",
                  flush=True)

    dirty_end = _git(root, "status", "--porcelain", "--", "lib", "book")
    print(f"\n{'chapter':34s} " + " ".join(f"{r.slug:>16s}" for r in runs) + "   (chapter wall s, timings.json)")
    for ch in chapters:
        cells = [f"{r.chapter_s.get(ch):16.1f}" if r.chapter_s.get(ch) is not None else f"{'-':>16s}" for r in runs]
        print(f"{ch:34s} " + " ".join(cells))
    print(f"{'run wall s':34s} " + " ".join(f"{r.wall_s:16.1f}" for r in runs))
    print(f"{'cores busy (CPU s / wall s)':34s} " + " ".join(f"{r.cpu_s / r.wall_s:16.2f}" for r in runs))
    print("(the workers runs' chapter times exclude their units, computed before on the cluster: "
          + ", ".join(f"{r.slug} {r.n_units} units, {sum(r.unit_s.values()):.1f} s summed" for r in runs
                      if r.label != "serial") + ")\n", flush=True)

    good = [p for p in pairs if p["ok"]]
    details = {"preset": args.preset, "chapters": chapters, "workers": args.workers, "order": args.order,
               "pairs": pairs, "runs": [r.summary() for r in runs], "run_folder": str(stamp),
               "warm_up_s": warm, "cpus": os.cpu_count(), "commit": commit,
               "tree_changed_during_run": sorted(set((dirty_start or "").splitlines())
                                                  ^ set((dirty_end or "").splitlines())),
               "lib_book_dirty_at_start": bool(dirty_start)}
    if len(good) >= 2:
        m, se = _mean_se([p["ratio"] for p in good])
        details["ratio_mean_se"] = {"mean": m, "se": se, "n": len(good)}
    if good:
        sw = [r.wall_s for r in runs if r.label == "serial" and pairs[r.pair - 1]["ok"]]
        ww = [r.wall_s for r in runs if r.label != "serial" and pairs[r.pair - 1]["ok"]]
        identical = all(p["claims_identical"] for p in good)
        loads = ", ".join(f"{r.slug} {r.load_start[0]}->{r.load_end[0]}" for r in runs)
        spread = (f"per-pair ratios {[round(p['ratio'], 2) for p in good]}, mean {m:.2f} +- {se:.2f} (se)"
                  if len(good) >= 2 else "one pair: no spread measured")
        notes = (f"{len(chapters)} chapter(s), empty cache each run; claims identical: "
                 f"{'yes' if identical else 'NO'}; {spread}; {os.cpu_count()} CPUs, 1-min load {loads}")
        if not is_target:
            notes += f"; not the issue's setting (every chapter, quick, {TARGET_WORKERS} workers): no target"
        what = "whole book" if chapters == known else f"{len(chapters)} chapter(s)"
        case = Case(case=f"{what} at {args.preset} from an empty cache, --workers {args.workers} against serial",
                    ours=sum(ww) / len(ww), unit="s",
                    baseline="serial: python -m deepinfo.run --preset " + args.preset + " (no --workers)",
                    baseline_value=sum(sw) / len(sw), target_ratio=TARGET_RATIO if is_target else None,
                    met=False if not identical else None, notes=notes)
        print_case(case)
        if is_target:
            path = write_results("book_parallel", [case], what=__doc__.splitlines()[0], details=details,
                                 started=started)
        else:  # not the benchmark the performance page shows: into the run folder only
            saved = os.environ.get("DEEPINFO_BUILD_DIR")
            os.environ["DEEPINFO_BUILD_DIR"] = str(stamp)
            try:
                path = write_results("book_parallel", [case], what=__doc__.splitlines()[0], details=details,
                                     started=started)
            finally:
                if saved is None:
                    os.environ.pop("DEEPINFO_BUILD_DIR", None)
                else:
                    os.environ["DEEPINFO_BUILD_DIR"] = saved
        print(f"wrote {path}", flush=True)
    if details["tree_changed_during_run"]:
        changed = details["tree_changed_during_run"]
        print(f"WARNING: {len(changed)} file(s) of lib/ or book/ changed state while the benchmark ran (git status; "
              f"e.g. {', '.join(changed[:5])}): if they touch these chapters, the runs may not have executed the same "
              "code (the claims' package_sha256 says so per chapter)", flush=True)
    if args.keep or failed:
        why = "--keep" if args.keep else "a run failed or the claims differ"
        print(f"build folders kept ({why}): " + ", ".join(str(r.build) for r in runs), flush=True)
    else:
        for r in runs:
            _remove_build(r.build, stamp)
        print(f"build folders removed; logs and claims copies kept in {stamp}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
