"""Speed of the Ising sampler (deepinfo.data.ising): the paper's Fig. 5 data, and against a plain loop.

    .venv/bin/python benchmarks/ising.py            # CPU (and CUDA when present)
    .venv/bin/python benchmarks/ising.py --quick    # 5,000 samples per T instead of 50,000

1. Target: 50,000 samples of the 10 x 10 lattice at each of T = 1.53, 2.26, 3.28 (Lee & Jo Fig. 5)
   in under 60 s on 2 CPU cores, pilot autocorrelation runs included, cache bypassed.
2. Ratio: spin updates per second of the batched checkerboard sampler against a plain
   per-spin Python Metropolis loop (one chain, sites in order, ``random.random()`` per
   proposal) on the same 10 x 10 lattice at T = 2.26, each checked against the other's
   mean energy. Ours is timed at the chain count the sampler uses for 50,000 samples.

Writes ``<build>/benchmarks/ising.json``. The machine may be shared with other jobs: read the
ratio, not the absolute times; the load average is recorded with the numbers.
"""
from __future__ import annotations

import argparse
import math
import random
import time

import torch

from deepinfo.benchmarking import Case, machine, write_results
from deepinfo.data.ising import checkerboard, energy, ising_with_info, _sweep
from deepinfo.device import cpu_threads

TEMPERATURES = (1.53, 2.26, 3.28)


def python_metropolis(L: int, T: float, sweeps: int, seed: int = 0, J: float = 1.0) -> tuple[float, float]:
    """Plain per-spin Metropolis on one L x L periodic lattice; returns (seconds, mean E/N over the sweeps)."""
    rnd = random.Random(seed)
    s = [[1] * L for _ in range(L)]
    acc = {d: math.exp(-d / T) for d in (4 * J, 8 * J)}
    E_sum = 0.0
    t = time.perf_counter()
    for _ in range(sweeps):
        for i in range(L):
            for j in range(L):
                h = s[(i + 1) % L][j] + s[i - 1][j] + s[i][(j + 1) % L] + s[i][j - 1]
                dE = 2 * J * s[i][j] * h
                if dE <= 0 or rnd.random() < acc[dE]:
                    s[i][j] = -s[i][j]
        E_sum += -J * sum(s[i][j] * (s[(i + 1) % L][j] + s[i][(j + 1) % L]) for i in range(L) for j in range(L))
    return time.perf_counter() - t, E_sum / sweeps / (L * L)


def batched_throughput(L: int, T: float, chains: int, sweeps: int, device: str, seed: int = 0) -> tuple[float, float]:
    """Seconds for ``sweeps`` checkerboard sweeps of ``chains`` chains, and mean E/N at the end."""
    dev = torch.device(device)
    gen = torch.Generator(device=dev).manual_seed(seed)
    black = checkerboard(L, dev)
    s = torch.ones(chains, L, L, device=dev)
    with cpu_threads(dev, 1):
        for _ in range(50):  # warm-up and a little equilibration
            _sweep(s, (black, ~black), T, 1.0, gen)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(sweeps):
            _sweep(s, (black, ~black), T, 1.0, gen)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        sec = time.perf_counter() - t
    return sec, float(energy(s).mean()) / (L * L)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="5,000 samples per temperature")
    args = ap.parse_args()
    n = 5_000 if args.quick else 50_000
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    started = machine()
    out: dict = {"n_per_T": n, "target_seconds": 60.0, "devices": {}}
    for device in devices:
        rows = []
        for T in TEMPERATURES:
            t = time.perf_counter()
            x, info = ising_with_info(10, T, n, seed=0, device=device, cache=False)
            sec = time.perf_counter() - t
            updates = info["n_chains"] * info["sweeps_per_chain"] * 100
            rows.append({"T": T, "seconds": sec, "tau_E": info["tau_E"], "tau_abs_m": info["tau_abs_m"],
                         "burn_in": info["burn_in"], "spacing": info["spacing"], "chains": info["n_chains"],
                         "production_spin_updates": updates})
            print(f"[{device}] T = {T}: {n} samples of 10x10 in {sec:6.1f} s (tau_E = {info['tau_E']:.2f}, "
                  f"tau_|m| = {info['tau_abs_m']:.2f} sweeps; burn-in {info['burn_in']}, spacing {info['spacing']}, "
                  f"{info['n_chains']} chains)")
        total = sum(r["seconds"] for r in rows)
        chains = rows[0]["chains"]
        py_sweeps = 200
        py_sec, py_E = python_metropolis(10, 2.26, py_sweeps)
        our_sweeps = 200
        our_sec, our_E = batched_throughput(10, 2.26, chains, our_sweeps, device)
        py_rate = py_sweeps * 100 / py_sec
        our_rate = our_sweeps * chains * 100 / our_sec
        out["devices"][device] = {
            "fig5_rows": rows, "fig5_total_seconds": total, "meets_target": bool(total < 60.0 or args.quick),
            "python_loop": {"spin_updates_per_s": py_rate, "mean_E_per_spin": py_E, "sweeps": py_sweeps},
            "ours": {"spin_updates_per_s": our_rate, "mean_E_per_spin": our_E, "chains": chains, "sweeps": our_sweeps},
            "ratio": our_rate / py_rate,
        }
        print(f"[{device}] Fig. 5 data, 3 x {n} samples: {total:.1f} s (target < 60 s for 50,000 per T on 2 cores)")
        print(f"[{device}] plain Python loop: {py_rate:,.0f} spin updates/s (<E>/N = {py_E:.3f}); "
              f"ours ({chains} chains): {our_rate:,.0f} spin updates/s (<E>/N = {our_E:.3f}); "
              f"ratio {our_rate / py_rate:,.0f}x")
    cases = []
    for device, d in out["devices"].items():
        cases.append(Case(case=f"[{device}] Fig. 5 data: 3 temperatures x {n:,} samples of 10x10", ours=d["fig5_total_seconds"],
                          target_s=60.0 if n == 50_000 else None,
                          notes="" if n == 50_000 else "--quick: 5,000 samples per temperature, no target"))
        cases.append(Case(case=f"[{device}] Metropolis spin updates at T = 2.26", ours=d["ours"]["spin_updates_per_s"],
                          unit="spin updates/s", baseline="plain Python loop over spins, one chain",
                          baseline_value=d["python_loop"]["spin_updates_per_s"]))
    path = write_results("ising", cases, what="checkerboard Metropolis sampling of the Ising model "
                         "(deepinfo.data.ising)", details=out, started=started)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
