"""PCD-1 throughput of a 784-500 RBM (batch 100), batched realisations vs a per-realisation loop.

    .venv/bin/python benchmarks/rbm.py                 # CPU (and CUDA when present)
    .venv/bin/python benchmarks/rbm.py --chapter-time  # also time the chapter at the quick preset
                                                       # (otherwise: the runner's last recorded time)

Ours: ``RBM(784, 500, R).pcd_step`` updating R realisations in one batched step (``torch.bmm``).
Baseline, same input, same run: R separate one-realisation RBMs updated one after another
(the naive way to train an ensemble). Throughput is training samples per second summed over
realisations (R * 100 per step). On the CPU both are measured with 1 and 2 intra-op threads:
on a shared machine two spinning threads can be much slower than one. Writes
``<build>/benchmarks/rbm.json``. The machine may be shared: read the ratios, not the times.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import torch

from deepinfo import paths
from deepinfo.benchmarking import Case, machine, write_results
from deepinfo.models.rbm import RBM


def _time(step, n_steps: int, sync) -> float:
    for _ in range(3):
        step()
    sync()
    t = time.perf_counter()
    for _ in range(n_steps):
        step()
    sync()
    return (time.perf_counter() - t) / n_steps


def throughput(device: str, R: int, n_steps: int, batch: int = 100) -> dict:
    dev = torch.device(device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    g = torch.Generator(device=dev).manual_seed(0)
    data = torch.rand(R, batch, 784, device=dev, generator=g)
    ours = RBM(784, 500, R, device=dev)
    chains = [torch.rand(R, batch, 784, device=dev, generator=g)]

    def step_ours():
        chains[0] = ours.pcd_step(data, chains[0], 0.1, g)

    singles = [RBM(784, 500, 1, device=dev) for _ in range(R)]
    single_chains = [torch.rand(1, batch, 784, device=dev, generator=g) for _ in range(R)]

    def step_loop():
        for r in range(R):
            single_chains[r] = singles[r].pcd_step(data[r:r + 1], single_chains[r], 0.1, g)

    t_ours, t_loop = _time(step_ours, n_steps, sync), _time(step_loop, n_steps, sync)
    return {"case": f"{device} R={R} threads={torch.get_num_threads() if dev.type == 'cpu' else '-'}",
            "ours_samples_per_s": R * batch / t_ours, "loop_samples_per_s": R * batch / t_loop,
            "speedup": t_loop / t_ours, "ours_ms_per_step": 1e3 * t_ours, "loop_ms_per_step": 1e3 * t_loop}


def chapter_time(preset: str = "quick") -> dict:
    """Wall time of ``python -m deepinfo.run resolution_relevance --preset quick`` with an empty cache."""
    build = Path(os.environ.get("DEEPINFO_BENCH_BUILD", "/tmp/deepinfo_bench_rr")) / "_build"
    env = dict(os.environ, DEEPINFO_BUILD_DIR=str(build), DEEPINFO_CACHE_DIR=str(build / "cache"))
    t = time.perf_counter()
    rc = subprocess.call([sys.executable, "-m", "deepinfo.run", "resolution_relevance", "--preset", preset], env=env)
    return {"case": f"chapter resolution_relevance {preset}", "seconds": time.perf_counter() - t, "exit_code": rc,
            "target_seconds": 480 if preset == "quick" else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10, help="timed PCD steps per measurement")
    ap.add_argument("--chapter-time", action="store_true", help="also run the chapter at the quick preset")
    args = ap.parse_args()
    started = machine()
    rows = []
    old = torch.get_num_threads()
    for threads in sorted({1, min(2, os.cpu_count() or 1)}):
        torch.set_num_threads(threads)
        for R in (1, 4, 12):
            rows.append(throughput("cpu", R, args.steps))
            print(rows[-1], flush=True)
    torch.set_num_threads(old)
    if torch.cuda.is_available():
        for R in (1, 12):
            rows.append(throughput("cuda", R, 10 * args.steps))
            print(rows[-1], flush=True)
    out = {"what": "PCD-1 training throughput, 784-500 RBM, batch 100 (samples/s over all realisations); "
                   "ours = one batched step for R realisations, baseline = loop over R single RBMs",
           "results": rows}
    if args.chapter_time:
        out["chapter"] = chapter_time("quick")
    else:  # the last time the runner executed the chapter at the quick preset, if it did
        f = paths.build_dir() / "timings.json"
        t = json.loads(f.read_text()).get("resolution_relevance", {}).get("quick") if f.is_file() else None
        out["chapter"] = ({"case": "chapter resolution_relevance quick (runner's timings.json)", "seconds": t["seconds"],
                           "when": t["when"], "target_seconds": 480} if t else
                          {"case": "chapter resolution_relevance quick", "seconds": None,
                           "note": "not measured: run with --chapter-time or execute the chapter first"})
    print(out["chapter"], flush=True)
    cases = [Case(case=f"PCD-1 step, {r['case']}", ours=r["ours_samples_per_s"], unit="samples/s",
                  baseline="loop over R single-realisation RBMs", baseline_value=r["loop_samples_per_s"])
             for r in rows]
    ch = out["chapter"]
    cases.append(Case(case=ch["case"], ours=ch["seconds"], target_s=ch.get("target_seconds"),
                      notes=ch.get("note", "")))
    path = write_results("rbm", cases, what=out["what"], details=out, started=started)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
