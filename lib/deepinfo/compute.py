"""Units of work: compute the cached results a chapter's preset needs, serially or on a Dask cluster.

    python -m deepinfo.compute information_plane --preset full --workers 2   # a local cluster of 2 processes
    python -m deepinfo.compute --preset quick --scheduler tcp://HOST:8786      # every chapter, an existing cluster
    python -m deepinfo.compute scale_invariance --preset quick --list          # what is cached, what is missing

A chapter's package (``deepinfo.experiments.<chapter>``) lists the expensive, independent
pieces of its preset as :class:`Unit`\\ s (``units(cfg, seed=..., device=...)``): one DBN
realisation, one 50-network ensemble, one Ising temperature. Each unit names the cache entry it
fills and the module-level function that fills it; it needs torch, numpy, scipy and
scikit-learn only, so a GPU machine or a cluster worker needs no notebook stack. Executing the
chapter afterwards finds every unit in the cache and only analyses and draws.

Engines
    serial (default)    one unit after another in this process;
    ``--workers N``     a ``distributed.LocalCluster`` of N processes with one thread each,
                        listening on 127.0.0.1 only;
    ``--scheduler ADDR`` an existing cluster (``dask scheduler`` / ``dask worker``, or
                        SLURM/PBS through ``dask-jobqueue``). Its workers must see the same cache
                        directory (same machine, or a shared filesystem: ``DEEPINFO_CACHE_DIR``
                        is passed to them); units that want CUDA ask for the resource ``GPU=1``
                        when ``--gpu-resources`` is given (start GPU workers with
                        ``dask worker ADDR --resources GPU=1``).

Results do not depend on the schedule: a unit's seed comes from its config, never from the
order of execution, and the cache writes are atomic and locked per entry
(:mod:`deepinfo.cache`), so a worker that dies mid-unit leaves nothing half-written and the
unit is computed again (Dask retries it on another worker). An interrupted sweep resumes:
only the missing units are computed.

Memory allocation on workers
    A Dask nanny starts its worker process with ``MALLOC_TRIM_THRESHOLD_=65536``
    (``distributed.nanny.pre-spawn-environ``). Setting any of glibc's malloc thresholds switches
    off its adaptive mmap threshold, which then stays at 128 KiB: every tensor larger than that
    (a 500 x 784 weight matrix, a batch of activations) is a fresh ``mmap`` whose pages the
    kernel faults in and zeroes, and ``munmap``-ed when freed. A DBN unit took 23.5 s instead
    of 15.3 s in a plain process (1.5x; the whole book's units cost 1.5x the serial run's CPU).
    The local cluster is therefore started without that variable (its workers allocate exactly
    like the serial process), and a unit that finds one of the thresholds set in its
    environment (a worker of another cluster) raises the mmap threshold to glibc's own adaptive
    ceiling first (:func:`plain_malloc`). Neither changes a number, only where memory comes from.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from . import paths
from .cache import ResultCache, config_key

_ENV = ("DEEPINFO_ROOT", "DEEPINFO_BUILD_DIR", "DEEPINFO_CACHE_DIR", "DEEPINFO_DATA_DIR", "DEEPINFO_TORCH_THREADS",
        "DEEPINFO_EXPERIMENTS_PATH")


@dataclass(frozen=True)
class Unit:
    """One independent, cached piece of a chapter's preset.

    ``fn(*args, **kwargs)`` computes the result and stores it in the cache entry
    ``(cache_name, cache_config)`` (it is normally the chapter's own cached runner, which returns
    at once when the entry exists). ``fn`` must be a module-level function and the arguments
    picklable, so that a worker process can run it. ``resources`` are Dask resources the unit
    wants (``(("GPU", 1),)``), honoured only when asked for (``--gpu-resources``).
    """

    chapter: str
    name: str
    cache_name: str
    cache_config: Any
    fn: Callable[..., Any]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    resources: tuple = ()

    @property
    def id(self) -> str:
        """A stable identifier: chapter, cache name and the entry's key."""
        return f"{self.chapter}/{self.cache_name}/{config_key(self.cache_name, self.cache_config)}"

    def done(self, cache: ResultCache | None = None) -> bool:
        """Whether the unit's cache entry is complete (written and checksummed)."""
        return (cache or ResultCache()).entry(self.cache_name, self.cache_config).exists()

    def __hash__(self):  # kwargs is a dict: hash by identity of the entry
        return hash(self.id)


def chapter_units(chapter: str, preset: str, seed: int = 0, device: str = "auto",
                  overrides: dict | None = None) -> list[Unit]:
    """The units of ``chapter`` at ``preset`` (``deepinfo.experiments.<chapter>.units``).

    Raises ``ValueError`` naming the chapter when it has no experiment package or lists no units.
    """
    from .experiments import extend_path, select_preset

    extend_path()
    try:
        mod = importlib.import_module(f"deepinfo.experiments.{chapter}")
    except ModuleNotFoundError as exc:
        raise ValueError(f"chapter {chapter!r}: no package deepinfo.experiments.{chapter} ({exc})") from None
    if not hasattr(mod, "units"):
        raise ValueError(f"chapter {chapter!r}: deepinfo.experiments.{chapter} defines no units(cfg, seed, device)")
    cfg = select_preset(mod.PRESETS, preset, **(overrides or {}))
    out = list(mod.units(cfg, seed=seed, device=device))
    for u in out:
        if not isinstance(u, Unit):
            raise TypeError(f"chapter {chapter!r}: units() returned {type(u).__name__}, expected deepinfo.compute.Unit")
    return out


# glibc's ceiling for its adaptive mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX, 32 MiB),
# and the trim threshold it sets beside it (twice the mmap threshold): what a plain process
# converges to once it has freed a few large tensors.
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 2 * MMAP_THRESHOLD_BYTES
_MALLOC_VARIABLES = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_")
_malloc_tuned = False


def plain_malloc(environ: dict | None = None) -> bool:
    """Undo a fixed, small glibc mmap threshold in this process; return whether it did.

    Acts only where ``environ`` (default ``os.environ``) sets one of ``MALLOC_TRIM_THRESHOLD_``,
    ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TOP_PAD_`` (a Dask nanny's worker sets the first; see
    the module note) and glibc's ``mallopt`` exists: it then sets the mmap threshold to
    :data:`MMAP_THRESHOLD_BYTES` and the trim threshold to :data:`TRIM_THRESHOLD_BYTES`, the values
    a process without those variables adapts to. Once per process; elsewhere (no variable, not
    glibc) it does nothing and returns False.
    """
    global _malloc_tuned
    environ = os.environ if environ is None else environ
    if _malloc_tuned or not any(k in environ for k in _MALLOC_VARIABLES) or not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl, ...): nothing to undo
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    ok = mallopt(m_mmap_threshold, MMAP_THRESHOLD_BYTES) == 1 and mallopt(m_trim_threshold, TRIM_THRESHOLD_BYTES) == 1
    _malloc_tuned = bool(ok)
    return _malloc_tuned


def _run_unit(unit: Unit, env: dict) -> dict:
    """Run one unit in this process (a worker or the caller) and say how long it took."""
    os.environ.update(env)
    plain_malloc()
    from .experiments import extend_path

    extend_path()  # a worker imports the unit's module from the same experiment folders as the caller
    t0 = time.perf_counter()
    unit.fn(*unit.args, **unit.kwargs)
    seconds = time.perf_counter() - t0
    if not unit.done():
        raise RuntimeError(f"unit {unit.name} ({unit.id}) ran but its cache entry {unit.cache_name} is missing: "
                           "units() and the runner disagree on the cache key")
    return {"id": unit.id, "chapter": unit.chapter, "name": unit.name, "seconds": seconds, "pid": os.getpid(),
            "when": time.strftime("%Y-%m-%dT%H:%M:%S")}


def _env() -> dict:
    env = {k: os.environ[k] for k in _ENV if k in os.environ}
    env["DEEPINFO_CACHE_DIR"] = str(paths.cache_dir())  # absolute: workers may start elsewhere
    env["DEEPINFO_ROOT"] = str(paths.project_root())
    return env


def record_unit_times(records: list[dict], preset: str) -> None:
    """Add the wall time of each computed unit to ``<build>/units-<preset>.json`` (locked, atomic).

    The full-scale snapshot reads them (``deepinfo.snapshot``): its provenance says how long each
    unit took, and where.
    """
    import json

    from filelock import FileLock

    from .atomic import atomic_write_json

    if not records:
        return
    f = paths.build_dir() / f"units-{preset}.json"
    f.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(f) + ".lock"):
        data = json.loads(f.read_text()) if f.is_file() else {}
        for r in records:
            data[r["id"]] = {k: v for k, v in r.items() if k != "id"}
        atomic_write_json(f, data, sort_keys=True)


def unique(units: Iterable[Unit]) -> list[Unit]:
    """Units without repeats (two chapters may need the same entry), in order."""
    seen, out = set(), []
    for u in units:
        if u.id not in seen:
            seen.add(u.id)
            out.append(u)
    return out


def compute(units: Iterable[Unit], *, workers: int | None = None, scheduler: str | None = None,
            gpu_resources: bool = False, retries: int = 2, log: Callable[[str], None] | None = None) -> list[dict]:
    """Compute the missing ``units``; return one record per computed unit (id, seconds, pid).

    Serial without ``workers`` and ``scheduler``; a ``LocalCluster`` of ``workers`` single-threaded
    processes on 127.0.0.1; or the cluster at ``scheduler``. A unit whose worker dies is retried
    (``retries`` times) on another worker. Raises ``RuntimeError`` naming every unit that failed.
    """
    log = log or (lambda s: print(s, flush=True))
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise ValueError(f"workers={workers!r}: expected a number of worker processes >= 1")
    if workers is not None and scheduler is not None:
        raise ValueError("give workers (a local cluster) or scheduler (an existing one), not both")
    todo = [u for u in unique(units) if not u.done()]
    if not todo:
        log("[deepinfo.compute] every unit is in the cache; nothing to compute")
        return []
    env = _env()
    log(f"[deepinfo.compute] {len(todo)} unit(s) to compute"
        + (f" on {workers} local worker(s)" if workers else f" on {scheduler}" if scheduler else " serially"))
    t0 = time.perf_counter()
    done: list[dict] = []
    if workers is None and scheduler is None:
        for i, u in enumerate(todo, 1):
            rec = _run_unit(u, env)
            done.append(rec)
            log(f"[deepinfo.compute] {i}/{len(todo)} {u.chapter}: {u.name} in {rec['seconds']:.1f} s")
        return done
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        import dask

        # no MALLOC_TRIM_THRESHOLD_ in the workers' environment (module note): they allocate like
        # the serial process; None removes a pre-spawn variable (distributed.nanny._get_env_variables)
        with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None, env=env)
        client = Client(cluster)
    else:
        client = Client(scheduler, timeout="30s")
    failed = []
    try:
        futures = {client.submit(_run_unit, u, env, key=f"unit-{u.id}", pure=False, retries=retries,
                                 resources=dict(u.resources) if (gpu_resources and u.resources) else None): u
                   for u in todo}
        for i, fut in enumerate(as_completed(futures), 1):
            u = futures[fut]
            try:
                rec = fut.result()
            except Exception as exc:  # reported with the others at the end; the sweep goes on
                failed.append(f"{u.chapter}: {u.name} ({type(exc).__name__}: {exc})")
                log(f"[deepinfo.compute] {i}/{len(todo)} FAILED {u.chapter}: {u.name}: {exc}")
                continue
            done.append(rec)
            log(f"[deepinfo.compute] {i}/{len(todo)} {u.chapter}: {u.name} in {rec['seconds']:.1f} s "
                f"(worker pid {rec['pid']}, {time.perf_counter() - t0:.0f} s elapsed)")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    if failed:
        raise RuntimeError(f"{len(failed)} unit(s) failed: " + "; ".join(failed))
    return done


def main(argv: list[str] | None = None) -> int:
    from .chapters import chapter_paths
    from .experiments import PRESET_NAMES

    ap = argparse.ArgumentParser(prog="python -m deepinfo.compute", description=__doc__.split("\n\n")[0])
    ap.add_argument("chapters", nargs="*", help="chapter file stems (default: every chapter that lists units)")
    ap.add_argument("--preset", default="quick", choices=PRESET_NAMES)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    ap.add_argument("--workers", type=int, default=None, help="start a local Dask cluster of N processes")
    ap.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler, tcp://HOST:PORT")
    ap.add_argument("--gpu-resources", action="store_true", help="units that want CUDA ask the cluster for GPU=1")
    ap.add_argument("--list", action="store_true", help="list the units and whether each is cached; compute nothing")
    args = ap.parse_args(argv)
    known = list(chapter_paths())
    names = args.chapters or known
    unknown = [n for n in names if n not in known]
    if unknown:
        ap.error(f"unknown chapter(s) {unknown}; expected some of {known}")
    units = []
    for n in names:
        try:
            units += chapter_units(n, args.preset, args.seed, args.device)
        except ValueError as exc:
            if args.chapters:
                ap.error(str(exc))
            print(f"[deepinfo.compute] skipping: {exc}", file=sys.stderr)
    units = unique(units)
    if args.list:
        for u in units:
            print(f"{'cached ' if u.done() else 'missing'}  {u.chapter:32s} {u.name}")
        return 0
    try:
        done = compute(units, workers=args.workers, scheduler=args.scheduler, gpu_resources=args.gpu_resources)
        record_unit_times(done, args.preset)
    except RuntimeError as exc:
        print(f"[deepinfo.compute] {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # run as ``python -m deepinfo.compute``: this file is then ``__main__``, and its Unit is not the class the
    # chapters import from deepinfo.compute; hand over to the imported module
    from deepinfo.compute import main as _main

    sys.exit(_main())
