"""Speed of the estimators (deepinfo.estimators) against the obvious baseline, same input, same run.

    .venv/bin/python benchmarks/estimators.py           # all cases
    .venv/bin/python benchmarks/estimators.py --quick   # smaller baselines (extrapolated)

1. state_counts + resolution + relevance on M = 60,000 binary codes of 500 bits and of 10 bits,
   against collections.Counter over row tuples (then the same two formulas). Targets: <= 0.2 s,
   >= 10x faster.
2. binned_information_plane for 4,096 patterns x 7 layers (widths 10-7-5-4-3-2-2, the paper's
   12-10-7-5-4-3-2 network plus a 2-unit output) x 50 networks x 100 epochs, one batched call
   per (epoch, layer) (50 snapshots each). Target <= 10 s. Baseline: a loop over networks and
   layers doing what the paper's and Saxe et al.'s code do per snapshot (digitise, np.unique over
   rows, bincount); it is timed on a subset of the epochs and scaled to all of them.
3. information_bottleneck_curve for |X| = 4096, |Y| = 2, 100 betas: the paper's spherical rule
   (many inputs share p(y|x), which the solver merges exactly) and a generic rule whose 4096
   rows are all distinct (the worst case). Target <= 30 s. Baseline: the textbook IB iteration
   (Tishby et al. 1999) with |T| = |X| clusters from a random start at each beta, no annealing,
   no merging, run for our mean number of iterations per beta; timed for 10 iterations at a
   few betas and scaled to 100 betas. Our solver's iteration is a fused thin-matrix update with
   Anderson acceleration (``anderson=5``); the load average before and after the case is recorded
   beside its times.
4. kde_information_plane (the Kolchinsky-Tracey bound of Saxe et al.) on 50 ReLU layers of 12 units
   over 2,048 patterns, the paper-scale ReLU study's size per (snapshot, layer). Baseline: the
   whole-matrix formulation of Saxe et al.'s ``kde.py`` (a logsumexp over each 2,048 x 2,048
   distance matrix, once for H(T) and once per class), which this library used before; the two
   results are compared. Target: <= 1.25 s per (snapshot, layer), so that the 60 snapshots x 8
   layers of the full ReLU study take at most 10 minutes on one core.

Writes ``<build>/benchmarks/estimators.json``. The machine may be shared with other jobs (load
average recorded): absolute wall times are inflated under load, read the ratios; CPU times
(``time.process_time``, all threads of this process) are printed beside them as a load-independent
measure of the work done.
"""
from __future__ import annotations

import argparse
import math
import os
import time
from collections import Counter

import numpy as np
import torch

from deepinfo.benchmarking import Case, machine, print_case, write_results
from deepinfo.estimators import binned_information_plane, information_bottleneck_curve, kde_information_plane, \
    relevance, resolution, state_counts

WIDTHS = (10, 7, 5, 4, 3, 2, 2)


class Clock:
    """Accumulates wall time and CPU time (this process, all threads) of the timed blocks."""

    def __init__(self):
        self.wall = 0.0
        self.cpu = 0.0

    def __enter__(self):
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall += time.perf_counter() - self._w
        self.cpu += time.process_time() - self._c


def timed(fn, repeat: int = 1):
    """(best wall seconds, CPU seconds of that run, result) over ``repeat`` runs."""
    best, out = (math.inf, math.inf), None
    for _ in range(repeat):
        with Clock() as c:
            out = fn()
        best = min(best, (c.wall, c.cpu))
    return best[0], best[1], out


# ---------------------------------------------------------------------------------------------
def codes_with_repeats(M: int, N: int, seed: int = 0) -> np.ndarray:
    """M binary codes of N bits with power-law state frequencies (like a trained layer)."""
    rng = np.random.default_rng(seed)
    n_proto = min(2 ** N, 20_000)
    protos = rng.integers(0, 2, size=(n_proto, N), dtype=np.uint8)
    if N <= 16:
        protos = ((np.arange(n_proto)[:, None] >> np.arange(N)) & 1).astype(np.uint8)
    which = np.minimum(rng.zipf(1.8, size=M) - 1, n_proto - 1)
    return protos[rng.permutation(n_proto)[which]]


def counter_baseline(codes: np.ndarray) -> tuple[float, float]:
    c = Counter(map(tuple, codes.tolist()))
    k = np.array(list(c.values()))
    p = k / k.sum()
    H_s = -(p * np.log2(p)).sum()
    kk, m = np.unique(k, return_counts=True)
    w = kk * m / k.sum()
    return float(H_s), float(-(w * np.log2(w)).sum())


def bench_counts(N: int) -> dict:
    codes = codes_with_repeats(60_000, N)
    ours_t, ours_c, ours = timed(lambda: (lambda c: (resolution(c), relevance(c)))(state_counts(codes)), repeat=5)
    base_t, base_c, base = timed(lambda: counter_baseline(codes), repeat=2)
    assert np.allclose(ours, base), (ours, base)
    return {"case": f"state_counts+resolution+relevance, M=60000, N={N} bits", "ours_s": ours_t,
            "ours_cpu_s": ours_c, "baseline": "collections.Counter over row tuples", "baseline_s": base_t,
            "baseline_cpu_s": base_c, "ratio": base_t / ours_t,
            "target_s": 0.2, "target_ratio": 10.0, "H_s": ours[0], "H_k": ours[1]}


# ---------------------------------------------------------------------------------------------
def per_snapshot_baseline(a: np.ndarray, p1: np.ndarray, n_bins: int = 30) -> tuple[float, float]:
    """One snapshot (P, N) the plain way: digitise, unique rows, bincount (as the original codes do)."""
    P = a.shape[0]
    bins = np.linspace(-1, 1, n_bins + 1)
    idx = np.clip(np.digitize(a, bins) - 1, 0, n_bins - 1)
    _, inv, k = np.unique(idx, axis=0, return_inverse=True, return_counts=True)
    inv = inv.ravel()
    pt = k / P
    H_T = -(pt * np.log2(pt)).sum()
    S1 = np.bincount(inv, weights=p1) / P
    S0 = pt - S1
    py1 = p1.mean()
    I_Y = 0.0
    for S, py in ((S0, 1 - py1), (S1, py1)):
        m = S > 0
        I_Y += (S[m] * np.log2(S[m] / (pt[m] * py))).sum()
    return H_T, I_Y


def bench_information_plane(n_epochs: int, n_nets: int, baseline_epochs: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    P = 4096
    p1 = rng.uniform(size=P)
    # one weight matrix per network and layer; epochs scale the pre-activations (saturation grows)
    X = ((np.arange(P)[:, None] >> np.arange(12)) & 1).astype(np.float32) * 2 - 1
    Ws, prev = [], 12
    for w in WIDTHS:
        Ws.append(rng.normal(size=(n_nets, prev, w)).astype(np.float32) / np.sqrt(prev))
        prev = w

    def layers(epoch):
        h = np.broadcast_to(X, (n_nets, P, 12))
        gain = np.float32(0.5 + 3.0 * epoch / max(n_epochs - 1, 1))
        out = []
        for W in Ws:
            h = np.tanh(gain * (h @ W))
            out.append(np.ascontiguousarray(h))
        return out

    # activations are generated outside the timed region
    ours, base = Clock(), Clock()
    max_diff = 0.0
    for epoch in range(n_epochs):
        acts = layers(epoch)
        for a in acts:
            with ours:
                I_X, I_Y = binned_information_plane(a, p1)
            if epoch < baseline_epochs:
                with base:
                    ref = [per_snapshot_baseline(a[b], p1) for b in range(n_nets)]
                ref = np.array(ref)
                max_diff = max(max_diff, np.abs(ref[:, 0] - I_X).max(), np.abs(ref[:, 1] - I_Y).max())
    scale = n_epochs / baseline_epochs
    return {"case": f"binned_information_plane, P=4096, {len(WIDTHS)} layers x {n_nets} networks x {n_epochs} epochs",
            "ours_s": ours.wall, "ours_cpu_s": ours.cpu,
            "baseline": "loop over networks and layers: digitize + np.unique(rows) + bincount",
            "baseline_s": base.wall * scale, "baseline_cpu_s": base.cpu * scale,
            "baseline_measured_epochs": baseline_epochs,
            "ratio": base.wall * scale / ours.wall, "target_s": 10.0, "max_abs_difference_bits": max_diff,
            "snapshots": n_epochs * n_nets * len(WIDTHS)}


# ---------------------------------------------------------------------------------------------
def logsumexp_kde(x: torch.Tensor, pyx: torch.Tensor, var: float) -> tuple[np.ndarray, np.ndarray]:
    """Saxe et al.'s formulation on whole (B, P, P) matrices: logsumexp for H(T), then per class (bits)."""
    B, P, _ = x.shape
    sq = (x * x).sum(-1)
    neg = -(sq[:, :, None] + sq[:, None, :] - 2.0 * x @ x.transpose(1, 2)).clamp_min(0.0) / (2.0 * var)
    h_t = -(torch.logsumexp(neg, dim=2) - math.log(P)).mean(dim=1)
    h_ty = torch.zeros_like(h_t)
    for y in range(pyx.shape[1]):
        p_y = pyx[:, y].mean()
        w = pyx[:, y] / (P * p_y)
        lse = torch.logsumexp(neg + torch.log(w.clamp_min(1e-300))[None, None, :], dim=2)
        h_ty = h_ty + p_y * -(w[None, :] * lse).sum(1)
    return (h_t / math.log(2)).numpy(), ((h_t - h_ty) / math.log(2)).numpy()


def bench_kde(n_nets: int = 50, P: int = 2048, N: int = 12, repeats: int = 2, seed: int = 0) -> dict:
    g = torch.Generator().manual_seed(seed)
    x = torch.relu(torch.randn(n_nets, P, N, generator=g, dtype=torch.float64))
    p1 = torch.rand(P, generator=g, dtype=torch.float64)
    pyx = torch.stack([1 - p1, p1], 1)
    ours, base = Clock(), Clock()
    for _ in range(repeats):
        with ours:
            I_X, I_Y = kde_information_plane(x, p1.numpy(), 0.1)
        with base:
            rX, rY = logsumexp_kde(x, pyx, 0.1)
    diff = float(max(np.abs(I_X - rX).max(), np.abs(I_Y - rY).max()))
    return {"case": f"kde_information_plane, {n_nets} ReLU layers x {P} patterns x {N} units (one snapshot)",
            "ours_s": ours.wall / repeats, "ours_cpu_s": ours.cpu / repeats,
            "baseline": "whole-matrix logsumexp per class (Saxe et al.'s kde.py formulation)",
            "baseline_s": base.wall / repeats, "baseline_cpu_s": base.cpu / repeats,
            "ratio": base.wall / ours.wall, "target_s": 1.25, "max_abs_difference_bits": diff}


def textbook_ib(pxy: np.ndarray, beta: float, n_iter: int, seed: int = 0) -> None:
    """Tishby et al. (1999) iteration with |T| = |X| from a random encoder, fixed iteration count."""
    rng = np.random.default_rng(seed)
    px = pxy.sum(1)
    pyx = pxy / px[:, None]
    ptx = rng.dirichlet(np.ones(len(px)), size=len(px))
    for _ in range(n_iter):
        pt = px @ ptx
        pyt = (ptx * px[:, None]).T @ pyx / np.maximum(pt, 1e-300)[:, None]
        D = (pyx * np.log(np.maximum(pyx, 1e-300))).sum(1)[:, None] - pyx @ np.log(np.maximum(pyt, 1e-300)).T
        logits = np.log(np.maximum(pt, 1e-300))[None] - beta * D
        logits -= logits.max(1, keepdims=True)
        ptx = np.exp(logits)
        ptx /= ptx.sum(1, keepdims=True)


def bench_ib(baseline_betas: int) -> list[dict]:
    from deepinfo.data import spherical_rule
    P = 4096
    rng = np.random.default_rng(0)
    X = ((np.arange(P)[:, None] >> np.arange(12)) & 1)
    f = X @ rng.normal(size=12)
    q = 1 / (1 + np.exp(-3 * (f - np.median(f))))
    cases = [("spherical rule of the paper (eq. 10)", spherical_rule().pxy),
             ("generic rule, 4096 distinct p(y|x) (worst case)", np.stack([1 - q, q], 1) / P)]
    betas = np.geomspace(0.1, 1000, 100)
    out = []
    for name, pxy in cases:
        load_before = round(os.getloadavg()[0], 2)
        ours_t, ours_c, r = timed(lambda: information_bottleneck_curve(pxy, betas))
        n_distinct = len(np.unique(np.round(pxy / pxy.sum(1, keepdims=True), 12), axis=0))
        iters = max(1, int(np.mean(r.n_iter)))
        n_meas = min(iters, 10)
        with Clock() as base:
            for beta in betas[:: max(1, len(betas) // baseline_betas)][:baseline_betas]:
                textbook_ib(pxy, beta, n_meas)
        scale = len(betas) / baseline_betas * iters / n_meas
        out.append({"case": f"information_bottleneck_curve, |X|=4096, |Y|=2, 100 betas: {name}",
                    "ours_s": ours_t, "ours_cpu_s": ours_c,
                    "baseline": "textbook IB iteration, |T|=|X|, random start per beta, "
                                f"{iters} iterations per beta (our mean)",
                    "baseline_s": base.wall * scale, "baseline_cpu_s": base.cpu * scale,
                    "baseline_measured_betas": baseline_betas,
                    "ratio": base.wall / ours_t * scale, "target_s": 30.0, "distinct_rows": n_distinct,
                    "I_XY_bits": r.I_XY, "I_Y_at_largest_beta": float(r.I_Y[-1]),
                    "max_clusters_used": int(max(e.shape[1] for e in r.encoders)),
                    "iterations": int(r.n_iter.sum()),
                    "load_average": [load_before, round(os.getloadavg()[0], 2)]})
    return out


def as_case(c: dict) -> Case:
    """The common result format (deepinfo.benchmarking) of one case; every field stays in the details."""
    return Case(case=c["case"], ours=c["ours_s"], unit="s", baseline=c["baseline"], baseline_value=c["baseline_s"],
                ratio=c["ratio"], target_s=c.get("target_s"), target_ratio=c.get("target_ratio"),
                notes=f"CPU time: ours {c['ours_cpu_s']:.3g} s, baseline {c['baseline_cpu_s']:.3g} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer baseline epochs/betas (extrapolated)")
    args = ap.parse_args()
    started = machine()
    print(f"load average at start: {started['load_average']}")
    raw = [bench_counts(N) for N in (500, 10)]
    raw.append(bench_information_plane(100, 50, baseline_epochs=1 if args.quick else 3))
    raw += bench_ib(baseline_betas=1 if args.quick else 2)
    raw.append(bench_kde(repeats=1))
    cases = [as_case(c) for c in raw]
    for c in cases:
        print_case(c)
    path = write_results("estimators", cases, what="estimators of deepinfo.estimators against the obvious baseline "
                         "on the same input", details={"cases": raw}, started=started)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
