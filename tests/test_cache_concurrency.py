"""Several processes (and threads) on one cache entry: no exception, no false corruption, one compute.

Before the entry lock, two processes saving and loading one entry gave false checksum
mismatches on about half of the loads, deleted each other's valid entries, and let
FileNotFoundError escape ``load()`` (issue 11). Workers run under ``spawn`` (a fresh
interpreter each, as Dask's process workers are) and report back what they saw.
"""
import multiprocessing as mp
import os
import threading
import time
import warnings

import numpy as np
import pytest

from deepinfo.cache import ResultCache

CTX = mp.get_context("spawn")
CONFIG = {"experiment": "hammer", "n": 3}


def _value(writer: int, step: int) -> dict:
    """A self-consistent result: a load of any mixture of two writes would fail ``_consistent``."""
    v = np.arange(2000, dtype=np.float64) * (writer + 1) + step
    return {"writer": writer, "step": step, "v": v, "sum": float(v.sum())}


def _consistent(r: dict) -> bool:
    return (set(r) == {"writer", "step", "v", "sum"}
            and np.array_equal(r["v"], np.arange(2000, dtype=np.float64) * (r["writer"] + 1) + r["step"])
            and r["sum"] == float(r["v"].sum()))


def _compute_once_worker(root, counter, start, out):
    """get_or_compute of one entry; compute appends a line to ``counter`` (O_APPEND) and is slow."""
    def compute():
        with open(counter, "a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(1.0)  # long enough that the other processes arrive while it runs
        return _value(0, 0)

    start.wait()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            r = ResultCache(root).get_or_compute("exp", CONFIG, compute)
            out.put(("ok", _consistent(r) and r["step"] == 0, [str(w.message) for w in caught]))
        except BaseException as exc:  # reported, so that the test names it
            out.put(("error", f"{type(exc).__name__}: {exc}", [str(w.message) for w in caught]))


def _hammer_worker(root, role, index, n_ops, start, out):
    """Writers alternate save/clear/save; readers load in a loop. Reports loads, hits, bad values, warnings."""
    entry = ResultCache(root).entry("exp", CONFIG)
    loads = hits = bad = 0
    start.wait()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for step in range(n_ops):
                if role == "writer":
                    entry.save(_value(index, step))
                    if step % 7 == 3:
                        entry.clear()
                        entry.save(_value(index, step))
                else:
                    r = entry.load()
                    loads += 1
                    if r is not None:
                        hits += 1
                        bad += not _consistent(r)
            out.put(("ok", role, loads, hits, bad, [str(w.message) for w in caught]))
        except BaseException as exc:
            out.put(("error", role, f"{type(exc).__name__}: {exc}", 0, 0, [str(w.message) for w in caught]))


def _run(target, args_list, timeout=240):
    start = CTX.Event()
    out = CTX.Queue()
    procs = [CTX.Process(target=target, args=(*a, start, out)) for a in args_list]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return results


def test_get_or_compute_computes_once_across_processes(tmp_path):
    counter = tmp_path / "computed.txt"
    results = _run(_compute_once_worker, [(str(tmp_path / "cache"), str(counter))] * 3)
    assert [r[0] for r in results] == ["ok"] * 3, results
    assert all(r[1] for r in results)                      # every process got the computed value
    assert all(r[2] == [] for r in results), results      # no corruption warning anywhere
    assert len(counter.read_text().splitlines()) == 1      # computed exactly once across processes
    entry = ResultCache(tmp_path / "cache").entry("exp", CONFIG)
    assert _consistent(entry.load())


def test_concurrent_save_clear_load_gives_no_false_corruption(tmp_path):
    root = str(tmp_path / "cache")
    n_ops = 60
    results = _run(_hammer_worker, [(root, "writer", 0, n_ops), (root, "writer", 1, n_ops),
                                    (root, "reader", 0, 4 * n_ops), (root, "reader", 1, 4 * n_ops)])
    errors = [r for r in results if r[0] != "ok"]
    assert not errors, errors                              # no FileNotFoundError (or anything) escaped
    assert all(r[5] == [] for r in results), [r[5] for r in results]  # not one false "unusable" warning
    readers = [r for r in results if r[1] == "reader"]
    assert sum(r[4] for r in readers) == 0                 # no load returned a mixture of two writes
    assert sum(r[2] for r in readers) == 8 * n_ops
    entry = ResultCache(root).entry("exp", CONFIG)
    final = entry.load()                                   # the last write is in place and valid
    assert final is not None and _consistent(final) and final["step"] == n_ops - 1


def test_threads_compute_once(tmp_path):
    cache_root = tmp_path / "cache"
    calls = []
    lock = threading.Lock()

    def compute():
        with lock:
            calls.append(threading.get_ident())
        time.sleep(0.3)
        return _value(1, 2)

    got = []
    threads = [threading.Thread(target=lambda: got.append(ResultCache(cache_root).get_or_compute("exp", CONFIG,
                                                                                             compute)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(got) == 4 and all(_consistent(r) and r["step"] == 2 for r in got)


def test_load_during_write_waits_for_the_writer_instead_of_deleting(tmp_path):
    """A reader that sees new meta over an old payload (a writer between its two renames) re-reads
    under the lock, which the writer holds, and then gets the new, valid entry."""
    cache = ResultCache(tmp_path)
    entry = cache.entry("exp", CONFIG)
    entry.save(_value(0, 0))
    old_payload = entry.payload.read_bytes()
    entry2 = cache.entry("exp", CONFIG)
    lk = entry2.lock()
    result = []
    t = threading.Thread(target=lambda: result.append(entry.load()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lk.acquire()                                       # "another writer" holds the lock ...
        entry2._save_locked(_value(1, 1))
        new_payload = entry.payload.read_bytes()
        entry.payload.write_bytes(old_payload)             # ... and is between its payload and its meta
        t.start()
        time.sleep(0.3)
        assert t.is_alive()                                # the reader waits for the lock
        entry.payload.write_bytes(new_payload)             # the writer finishes ...
        lk.release()                                       # ... and releases
        t.join(timeout=10)
    assert not caught and result and _consistent(result[0]) and result[0]["step"] == 1
    assert entry.exists()


@pytest.mark.parametrize("damage", ["flip", "truncate", "meta"])
def test_real_corruption_is_still_reported_once_and_recomputed(tmp_path, damage):
    cache = ResultCache(tmp_path)
    cache.get_or_compute("exp", CONFIG, lambda: _value(0, 0))
    entry = cache.entry("exp", CONFIG)
    if damage == "flip":
        data = bytearray(entry.payload.read_bytes())
        data[len(data) // 2] ^= 0xFF
        entry.payload.write_bytes(bytes(data))
    elif damage == "truncate":
        entry.payload.write_bytes(entry.payload.read_bytes()[:100])
    else:
        entry.meta.write_text("{not json")
    with pytest.warns(UserWarning, match=str(entry.directory).replace("\\", "\\\\")) as rec:
        out = cache.get_or_compute("exp", CONFIG, lambda: _value(1, 5))
    assert len([w for w in rec if "unusable" in str(w.message)]) == 1
    assert out["step"] == 5 and _consistent(cache.entry("exp", CONFIG).load())
