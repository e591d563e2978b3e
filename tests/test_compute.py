"""Units of work computed serially, on a LocalCluster, and on a scheduler + workers this test starts (127.0.0.1 only)."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from deepinfo.cache import ResultCache
from deepinfo.compute import Unit, compute, unique

HERE = Path(__file__).resolve().parent  # worker processes import this module's unit function by name from here


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPINFO_CACHE_DIR", str(tmp_path / "cache"))  # each test starts from an empty cache


def _work(seed: int, calls_dir: str, die_once: str = "") -> None:
    """A unit: seeded numbers into the cache; one file per call; optionally kill its worker the first time."""
    def compute_it():
        Path(calls_dir, f"{seed}-{os.getpid()}-{time.monotonic_ns()}").touch()
        if die_once and not Path(die_once).exists():
            Path(die_once).touch()
            os._exit(1)  # the worker process dies mid-unit, before anything is written
        return {"x": np.random.default_rng(seed).normal(size=1000)}

    ResultCache().get_or_compute("demo_unit", {"seed": seed}, compute_it)


def units(n, calls_dir, die_once=""):
    return [Unit("demo", f"seed {s}", "demo_unit", {"seed": s}, _work, (s, str(calls_dir), die_once))
            for s in range(n)]


def calls(calls_dir) -> list[int]:
    return sorted(int(p.name.split("-")[0]) for p in Path(calls_dir).iterdir())


def payloads(n):
    return [ResultCache().entry("demo_unit", {"seed": s}).load()["x"] for s in range(n)]


def test_serial_then_nothing_left(tmp_path):
    (tmp_path / "calls").mkdir()
    us = units(3, tmp_path / "calls")
    assert unique(us + us) == us
    assert len(compute(us, log=lambda s: None)) == 3
    assert all(u.done() for u in us) and calls(tmp_path / "calls") == [0, 1, 2]
    assert compute(us, log=lambda s: None) == []  # everything cached: nothing recomputed
    assert calls(tmp_path / "calls") == [0, 1, 2]


def test_interrupted_sweep_resumes_with_only_the_missing_units(tmp_path):
    (tmp_path / "calls").mkdir()
    us = units(4, tmp_path / "calls")
    compute(us[:2], log=lambda s: None)  # as if the sweep had stopped after two units
    compute(us, log=lambda s: None)
    assert calls(tmp_path / "calls") == [0, 1, 2, 3]  # each computed exactly once


def test_local_cluster_gives_the_serial_payloads(tmp_path, monkeypatch):
    (tmp_path / "calls").mkdir()
    monkeypatch.setenv("DEEPINFO_CACHE_DIR", str(tmp_path / "serial"))
    compute(units(4, tmp_path / "calls"), log=lambda s: None)
    serial = payloads(4)
    monkeypatch.setenv("DEEPINFO_CACHE_DIR", str(tmp_path / "dask"))
    done = compute(units(4, tmp_path / "calls"), workers=2, log=lambda s: None)
    assert len(done) == 4 and len({d["pid"] for d in done} - {os.getpid()}) >= 1  # ran in worker processes
    for a, b in zip(serial, payloads(4)):
        np.testing.assert_array_equal(a, b)


def test_a_worker_killed_mid_unit_is_retried_and_the_entry_is_valid(tmp_path):
    (tmp_path / "calls").mkdir()
    marker = tmp_path / "died"
    us = units(3, tmp_path / "calls", die_once=str(marker))
    compute(us, workers=2, log=lambda s: None)
    assert marker.exists()  # one worker did die
    assert all(u.done() for u in us)
    for s, x in enumerate(payloads(3)):
        np.testing.assert_array_equal(x, np.random.default_rng(s).normal(size=1000))


def _malloc_state():
    import deepinfo.compute

    return os.environ.get("MALLOC_TRIM_THRESHOLD_"), deepinfo.compute._malloc_tuned


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_external_scheduler_and_workers_on_loopback(tmp_path):
    (tmp_path / "calls").mkdir()
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    bindir = Path(sys.executable).parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    procs = [subprocess.Popen([str(bindir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([str(bindir / "dask"), "worker", addr, "--nthreads", "1", "--nworkers", "1",
                                           "--host", "127.0.0.1", "--no-dashboard"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(addr, timeout="60s") as c:  # wait (bounded) for both workers to join
            c.wait_for_workers(2, timeout=60)
        done = compute(units(3, tmp_path / "calls"), scheduler=addr, log=lambda s: None)
        assert len(done) == 3 and os.getpid() not in {d["pid"] for d in done}
        with Client(addr, timeout="60s") as c:  # the nanny's MALLOC_TRIM_THRESHOLD_ was undone in each worker
            tuned = c.run(_malloc_state)
        assert tuned and all(v == ("65536", True) for v in tuned.values()), tuned
        for s, x in enumerate(payloads(3)):
            np.testing.assert_array_equal(x, np.random.default_rng(s).normal(size=1000))
    finally:
        for p in procs[::-1]:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="workers"):
        compute([], workers=0)
    with pytest.raises(ValueError, match="not both"):
        compute(units(1, "/nonexistent"), workers=2, scheduler="tcp://127.0.0.1:1")


def test_command_line_lists_a_chapters_units():
    r = subprocess.run([sys.executable, "-m", "deepinfo.compute", "cheap_learning", "--preset", "smoke", "--list"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [ln for ln in r.stdout.splitlines() if ln.strip()]
    assert rows and all(ln.split()[0] in ("cached", "missing") and "cheap_learning" in ln for ln in rows)
