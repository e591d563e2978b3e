"""A chapter computed on a local Dask cluster gives the same claims and cache payloads as the serial run.

The chapter runs twice at the smoke preset, each time from an empty build: serially (every unit
computed inside the notebook), and with ``--workers 2`` (the units computed first by two Dask
worker processes on 127.0.0.1, the notebook then only reading the cache).
"""
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

CHAPTER = "cheap_learning"  # the lightest chapter that lists units of work


def _run(build: Path, *extra) -> dict:
    env = {**os.environ, "DEEPINFO_BUILD_DIR": str(build), "DEEPINFO_CACHE_DIR": str(build / "cache")}
    env.pop("DEEPINFO_CLAIMS_DIR", None)
    r = subprocess.run([sys.executable, "-m", "deepinfo.run", CHAPTER, "--preset", "smoke", *extra], env=env,
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return {"log": r.stdout + r.stderr, "claims": json.loads((build / "claims" / f"{CHAPTER}.json").read_text())}


def _payloads(cache: Path) -> dict:
    out = {}
    for meta in cache.rglob("*.meta.json"):
        name = meta.relative_to(cache).parts[0]
        m = json.loads(meta.read_text())
        out[(name, meta.parent.name, m["slot"])] = torch.load(meta.with_name(m["slot"] + ".pt"), weights_only=True)
    return out


def _same(a, b) -> bool:
    """Exactly equal trees of tensors, numbers and strings (NaN equals NaN); a wall time a result
    records about itself (a key ending in ``seconds``) is the one thing allowed to differ."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype and \
            bool(torch.equal(torch.nan_to_num(a, nan=0.5), torch.nan_to_num(b, nan=0.5)))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(
            _same(a[k], b[k]) for k in a if not str(k).endswith("seconds"))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return a == b


def _strip(claims: dict) -> dict:
    return {**claims, "claims": [{k: v for k, v in c.items() if k != "recorded_at"} for c in claims["claims"]]}


@pytest.mark.chapter
def test_local_cluster_and_serial_runs_agree(tmp_path):
    mod = importlib.import_module(f"deepinfo.experiments.{CHAPTER}")
    assert hasattr(mod, "units"), f"{CHAPTER} lists no units of work"
    serial = _run(tmp_path / "serial" / "_build")
    dask = _run(tmp_path / "dask" / "_build", "--workers", "2")
    assert "unit(s) to compute on 2 local worker(s)" in dask["log"]
    assert _strip(serial["claims"]) == _strip(dask["claims"])
    a, b = _payloads(tmp_path / "serial" / "_build" / "cache"), _payloads(tmp_path / "dask" / "_build" / "cache")
    assert a.keys() == b.keys() and a
    differ = [k for k in a if not _same(a[k], b[k])]
    assert not differ, f"cache entries differ between the serial and the Dask run: {differ}"
