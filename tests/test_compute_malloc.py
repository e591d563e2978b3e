"""Workers allocate like the serial process: no fixed 128 KiB mmap threshold (deepinfo.compute's module note).

The mechanism is checked exactly, not timed: glibc's ``mallinfo2().hblks`` counts the chunks that
are separate mmaps, so a 1 MiB block freed and allocated again shows whether the adaptive
threshold is working (it rises past 1 MiB after the first free) or fixed (every block is an mmap).
"""
import ctypes
import os
import subprocess
import sys
import textwrap

import pytest

from deepinfo.compute import MMAP_THRESHOLD_BYTES, Unit, compute, plain_malloc

try:
    _GLIBC = sys.platform.startswith("linux") and hasattr(ctypes.CDLL("libc.so.6"), "mallinfo2")
except OSError:
    _GLIBC = False
needs_glibc = pytest.mark.skipif(not _GLIBC, reason="glibc >= 2.33 (mallinfo2) only")

PROBE = textwrap.dedent("""
    import ctypes, json, sys
    from deepinfo.compute import plain_malloc

    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                    "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    libc.malloc.restype = ctypes.c_void_p

    def is_mmapped(nbytes):
        before = libc.mallinfo2().hblks
        p = libc.malloc(nbytes)
        after = libc.mallinfo2().hblks
        libc.free(ctypes.c_void_p(p))
        return after - before

    MiB = 1 << 20
    out = {"first": is_mmapped(MiB), "again": is_mmapped(MiB)}
    out["tuned"] = plain_malloc() if sys.argv[1] == "fix" else None
    out["after"] = is_mmapped(MiB)
    out["huge"] = is_mmapped(64 * MiB)  # above the ceiling: still its own mmap
    print(json.dumps(out))
""")


def _probe(mode: str, **env) -> dict:
    import json

    base = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    r = subprocess.run([sys.executable, "-c", PROBE, mode], env={**base, **env}, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@needs_glibc
def test_a_nanny_s_trim_threshold_fixes_the_mmap_threshold_and_plain_malloc_undoes_it():
    plain = _probe("none")
    # adaptive: at most the first block is an mmap (none if an import already raised the threshold), then the heap
    assert plain["first"] in (0, 1) and (plain["again"], plain["after"]) == (0, 0)
    nanny = _probe("none", MALLOC_TRIM_THRESHOLD_="65536")  # what a Dask nanny gives its worker
    assert (nanny["first"], nanny["again"], nanny["after"]) == (1, 1, 1)  # every 1 MiB block is an mmap
    fixed = _probe("fix", MALLOC_TRIM_THRESHOLD_="65536")
    assert fixed["tuned"] is True and fixed["after"] == 0 and fixed["huge"] == 1
    assert 64 * (1 << 20) > MMAP_THRESHOLD_BYTES > (1 << 20)


@needs_glibc
def test_plain_malloc_leaves_a_plain_process_alone():
    assert _probe("fix")["tuned"] is False  # no MALLOC_ variable: nothing to undo
    assert plain_malloc(environ={}) is False


def _malloc_environment(cache_dir: str) -> None:
    """A unit that stores the MALLOC_ variables its process sees."""
    from deepinfo.cache import ResultCache

    os.environ["DEEPINFO_CACHE_DIR"] = cache_dir
    ResultCache().get_or_compute("malloc_probe", {"v": 1}, lambda: {
        "variables": {k: v for k, v in os.environ.items() if k.startswith("MALLOC_")}, "pid": os.getpid()})


def test_local_cluster_workers_and_the_caller_get_no_malloc_threshold(tmp_path, monkeypatch):
    for k in [k for k in os.environ if k.startswith("MALLOC_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("DEEPINFO_CACHE_DIR", str(tmp_path / "cache"))
    u = Unit("demo", "malloc probe", "malloc_probe", {"v": 1}, _malloc_environment, (str(tmp_path / "cache"),))
    (rec,) = compute([u], workers=1, log=lambda s: None)
    from deepinfo.cache import ResultCache

    seen = ResultCache().entry("malloc_probe", {"v": 1}).load()
    assert rec["pid"] != os.getpid() and seen["pid"] == rec["pid"]  # it ran in the worker process
    assert seen["variables"] == {}
    # the nanny writes its pre-spawn variables into its own process too; the caller must not
    # carry them into the notebook kernels it starts next
    assert not [k for k in os.environ if k.startswith("MALLOC_")]
