"""Speed and memory of the information-plane ensemble trainer (deepinfo.models.ensemble), issue 6.

    .venv/bin/python benchmarks/information_plane.py              # a fraction of the paper-scale run, extrapolated
    .venv/bin/python benchmarks/information_plane.py --full       # the whole paper-scale run (minutes)
    .venv/bin/python benchmarks/information_plane.py --epochs 300 # a different fraction

1. Paper scale: 50 networks 12-10-7-5-4-3-2 (tanh, Adam lr 4e-4, batch 512, 85% of the 4096
   patterns), 10^4 epochs, I(X;T) and I(T;Y) with 30 bins for every layer of every network at the
   ~200 log-spaced snapshot epochs, gradient statistics at the same epochs. Without ``--full`` the
   first ``--epochs`` epochs are run with the same snapshot schedule; the full time is
   extrapolated as 10^4 x (training seconds per epoch) + (number of snapshots) x (seconds per
   snapshot), both measured. Peak memory is the process's peak resident set size (memory does
   not grow with epochs: nothing is stored per epoch except the snapshot numbers).
2. Ratio at a reduced scale: the same 50 networks trained one after another as plain
   ``nn.Module``s with ``torch.optim.Adam`` (same epochs, same batches, the same snapshots with
   the same estimator, called per network and layer, and the same gradient statistics) against
   the ensemble trainer, in two cases measured interleaved in the same run (``--repeats``
   times, medians): with the 30-bin estimator applied at every snapshot (the on-the-fly path:
   the estimator's own time, the same for both, weighs heavily with 3 snapshots in 20 epochs),
   and training only, where a snapshot keeps the weights for measures afterwards
   (``keep_snapshots=True`` / ``measure_snapshots``) and the loop copies each network's weights.
   Each interleaved pair gives a ratio; their range is printed beside the median (the spread
   of a shared machine). The estimator's own time is counted in both (the same function: per
   network and layer in the loop, per layer on all networks at once in the ensemble), and
   loop time / our estimator time bounds the first case's ratio whatever the trainer does.

Targets (2 CPU cores): paper scale within 10 minutes, peak memory under 2 GB, at least 20x the
plain loop. Writes ``<build>/benchmarks/information_plane.json``. The machine may be shared:
the load average is recorded with the numbers; read the ratio, not the absolute times.
"""
from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import torch

from deepinfo.benchmarking import Case, print_case, write_results
from deepinfo.data.spherical import spherical_rule
from deepinfo.estimators import binned_information_plane
from deepinfo.models.ensemble import EnsembleConfig, epoch_permutations, snapshot_epochs, train_ensemble


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed_measures():
    """The 30-bin measure, with its own time accumulated (to split training and estimation)."""
    spent = {"seconds": 0.0, "calls": 0}

    def bin30(T, pyx):
        t = time.perf_counter()
        out = binned_information_plane(T, pyx, n_bins=30)
        spent["seconds"] += time.perf_counter() - t
        spent["calls"] += 1
        return out
    return {"bin30": bin30}, spent


def paper_scale(epochs: int, full: bool) -> dict:
    rule = spherical_rule()
    cfg_full = EnsembleConfig()  # 50 networks, 10^4 epochs, 200 snapshots
    sched = snapshot_epochs(cfg_full.epochs, cfg_full.n_snapshots)
    E = cfg_full.epochs if full else epochs
    cfg = EnsembleConfig(epochs=E)
    measures, spent = timed_measures()
    snaps = sched[sched <= E]
    t, c = time.perf_counter(), time.process_time()
    out = train_ensemble(cfg, rule.X, rule.p_y_given_x, measures, snapshots=snaps, progress=False)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    n_layers = len(cfg.sizes) - 1
    n_snap_done = len(snaps)
    # a snapshot = forward of all patterns, accuracies, gradient statistics and the estimator calls
    per_snapshot = out["snapshot_seconds"] / max(n_snap_done, 1)
    per_epoch = (wall - out["snapshot_seconds"]) / E
    estimate = cfg_full.epochs * per_epoch + len(sched) * per_snapshot
    cpu_estimate = estimate * cpu / wall  # the same split, scaled to the CPU time the process got
    return {"epochs_run": int(E), "snapshots_run": int(n_snap_done), "snapshots_full": int(len(sched)),
            "wall_seconds": wall, "estimation_seconds": spent["seconds"], "train_seconds_per_epoch": per_epoch,
            "seconds_per_snapshot": per_snapshot, "snapshot_seconds": out["snapshot_seconds"], "full_seconds": wall if full else estimate,
            "extrapolated": not full, "cpu_seconds": cpu, "full_cpu_seconds": cpu if full else cpu_estimate, "layers": n_layers, "networks": cfg.n_networks,
            "final_rule_accuracy": float(np.mean(out["rule_acc"][-1]))}


def plain_loop(epochs: int, snaps, rule, cfg: EnsembleConfig, train_idx, y_train, init, measure: bool = True,
               spent: dict | None = None) -> float:
    """50 separate nn.Modules trained one after another, with the same snapshots, per network.

    With ``measure`` a snapshot applies the 30-bin estimator to every layer (the on-the-fly
    path); without, it keeps a copy of the network's weights and its predictions on all
    patterns (what ``train_ensemble(..., keep_snapshots=True)`` keeps for later measures).
    ``spent``: an optional dict whose "seconds" accumulates the estimator's own time."""
    spent = {"seconds": 0.0} if spent is None else spent

    def estimate(T, pyx, n_bins):  # the 30-bin estimator, its own time counted
        t = time.perf_counter()
        out = binned_information_plane(T, pyx, n_bins=n_bins)
        spent["seconds"] += time.perf_counter() - t
        return out
    X = torch.as_tensor(rule.X)
    t0 = time.perf_counter()
    gen = torch.Generator().manual_seed(cfg.seed)
    K, n = train_idx.shape
    perms = [epoch_permutations(K, n, gen) for _ in range(epochs)]
    for k in range(K):
        mods = []
        for l, (W, b) in enumerate(zip(*init)):
            lin = torch.nn.Linear(W.shape[1], W.shape[2])
            with torch.no_grad():
                lin.weight.copy_(W[k].T)
                lin.bias.copy_(b[k, 0])
            mods += [lin] + ([torch.nn.Tanh()] if l < len(init[0]) - 1 else [])
        net = torch.nn.Sequential(*mods)
        lins = [m for m in net if isinstance(m, torch.nn.Linear)]
        opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)

        kept = []

        def snapshot():
            if not measure:
                with torch.no_grad():
                    kept.append(([p.detach().clone() for p in net.parameters()], net(X).argmax(-1)))
                return
            with torch.no_grad():
                h = X
                for m in net:
                    h = m(h)
                    if isinstance(m, torch.nn.Tanh):
                        estimate(h, rule.p_y_given_x, n_bins=30)
                estimate(torch.softmax(h, -1), rule.p_y_given_x, n_bins=30)
        if 0 in snaps:
            snapshot()
        for e in range(1, epochs + 1):
            order, yk = train_idx[k, perms[e - 1][k]], y_train[k, perms[e - 1][k]]
            rec = e in snaps
            g1 = [torch.zeros_like(m.weight) for m in lins]
            g2 = [torch.zeros_like(m.weight) for m in lins]
            nb = 0
            for s in range(0, n, cfg.batch_size):
                opt.zero_grad()
                loss = torch.nn.functional.cross_entropy(net(X[order[s:s + cfg.batch_size]]), yk[s:s + cfg.batch_size])
                loss.backward()
                if rec:
                    for a, b2, m in zip(g1, g2, lins):
                        a += m.weight.grad
                        b2 += m.weight.grad ** 2
                    nb += 1
                opt.step()
            if rec:
                for a, b2, m in zip(g1, g2, lins):
                    wn = m.weight.norm()
                    _ = ((a / nb).norm() / wn, ((b2 / nb - (a / nb) ** 2).clamp(min=0).sqrt().norm() / wn))
                snapshot()
    return time.perf_counter() - t0


def ratio(epochs: int, repeats: int = 2) -> dict:
    """Ensemble against the plain loop, same epochs, batches and snapshots, interleaved ``repeats`` times.

    Two cases: "measured" (the 30-bin estimator applied at every snapshot, on the fly, in both)
    and "training" (snapshots keep the weights for later measures: ``keep_snapshots=True`` against
    a loop that copies each network's weights; no estimator in either). Medians over repeats.
    """
    rule = spherical_rule()
    cfg = EnsembleConfig(epochs=epochs)
    snaps = [0, epochs // 2, epochs]
    g = torch.Generator().manual_seed(cfg.seed)
    from deepinfo.models.ensemble import init_weights, sample_labels, training_subsets
    init = init_weights(cfg.sizes, cfg.n_networks, g)
    idx = training_subsets(cfg.n_networks, 4096, int(round(cfg.train_fraction * 4096)), g)
    y = sample_labels(torch.as_tensor(rule.p_y_given_x[:, 1]), idx, g)
    measures, spent_ours = timed_measures()
    spent_loop = {"seconds": 0.0}

    def timed(f):
        t, c = time.perf_counter(), time.process_time()
        f()
        return time.perf_counter() - t, time.process_time() - c

    runs = {k: [] for k in ("ours", "loop", "ours_train", "loop_train")}
    est = {"ours": [], "loop": []}  # the estimator's own wall seconds in each "measured" run
    for _ in range(repeats):
        e0 = spent_ours["seconds"]
        runs["ours"].append(timed(lambda: train_ensemble(cfg, rule.X, rule.p_y_given_x, measures, init=init,
                                                         data=(idx, y), snapshots=snaps, progress=False)))
        est["ours"].append(spent_ours["seconds"] - e0)
        e0 = spent_loop["seconds"]
        runs["loop"].append(timed(lambda: plain_loop(epochs, set(snaps), rule, cfg, idx, y, init, spent=spent_loop)))
        est["loop"].append(spent_loop["seconds"] - e0)
        runs["ours_train"].append(timed(lambda: train_ensemble(cfg, rule.X, rule.p_y_given_x, None, init=init,
                                                               data=(idx, y), snapshots=snaps, keep_snapshots=True,
                                                               progress=False)))
        runs["loop_train"].append(timed(lambda: plain_loop(epochs, set(snaps), rule, cfg, idx, y, init,
                                                           measure=False)))
    med = {k: (float(np.median([w for w, _ in v])), float(np.median([c for _, c in v]))) for k, v in runs.items()}
    out = {"epochs": epochs, "snapshots": snaps, "networks": cfg.n_networks, "repeats": repeats,
           "all_runs_wall_cpu_seconds": runs, "estimator_wall_seconds": est}
    for case, (a, b) in {"": ("ours", "loop"), "_train": ("ours_train", "loop_train")}.items():
        (ow, oc), (lw, lc) = med[a], med[b]
        # the ratio of each interleaved pair: its spread is the uncertainty of the median ratio
        pairs = [l[0] / o[0] for o, l in zip(runs[a], runs[b])]
        out.update({f"ours_seconds{case}": ow, f"loop_seconds{case}": lw, f"ratio{case}": lw / ow,
                    f"ours_cpu_seconds{case}": oc, f"loop_cpu_seconds{case}": lc, f"ratio_cpu{case}": lc / oc,
                    f"ratio_pairs{case}": pairs, f"ratio_range{case}": [min(pairs), max(pairs)]})
    # the estimator is the same code in both (called per network and layer in the loop, per layer on all
    # networks at once in the ensemble): with it, the ratio cannot exceed loop time / our estimator time
    e_ours, e_loop = float(np.median(est["ours"])), float(np.median(est["loop"]))
    out.update(estimator_seconds_ours=e_ours, estimator_seconds_loop=e_loop,
               ratio_ceiling=out["loop_seconds"] / e_ours if e_ours > 0 else float("inf"))
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="run all 10^4 epochs instead of extrapolating")
    ap.add_argument("--epochs", type=int, default=500, help="epochs of the paper-scale fraction (default 500)")
    ap.add_argument("--ratio-epochs", type=int, default=20, help="epochs of the reduced-scale comparison")
    ap.add_argument("--repeats", type=int, default=2, help="interleaved repetitions of the reduced-scale comparison")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest for these tiny matrices)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    load0 = os.getloadavg()
    ps = paper_scale(args.epochs, args.full)
    print(f"paper scale (50 networks x 10^4 epochs, {ps['snapshots_full']} snapshots x {ps['layers']} layers): "
          f"{'measured' if args.full else 'extrapolated from ' + str(ps['epochs_run']) + ' epochs'} "
          f"{ps['full_seconds']:.0f} s = {ps['full_seconds'] / 60:.1f} min "
          f"(training {ps['train_seconds_per_epoch'] * 1e3:.1f} ms/epoch, {ps['seconds_per_snapshot']:.2f} s/snapshot); "
          f"CPU time of this process {ps['full_cpu_seconds']:.0f} s = {ps['full_cpu_seconds'] / 60:.1f} min")
    print(f"peak memory (resident set): {_peak_rss_mb():.0f} MB")
    r = ratio(args.ratio_epochs, args.repeats)
    for case, what in (("", "with the 30-bin estimator at every snapshot"),
                       ("_train", "training only, snapshots keep the weights")):
        print(f"reduced scale ({r['networks']} networks, {r['epochs']} epochs, snapshots {r['snapshots']}, {what}, "
              f"median of {r['repeats']}): ensemble {r['ours_seconds' + case]:.2f} s, plain loop of nn.Modules "
              f"{r['loop_seconds' + case]:.1f} s, ratio {r['ratio' + case]:.1f}x (CPU time: "
              f"{r['ours_cpu_seconds' + case]:.2f} s vs {r['loop_cpu_seconds' + case]:.1f} s, {r['ratio_cpu' + case]:.1f}x); "
              f"ratio of each interleaved pair {r['ratio_range' + case][0]:.1f}x to {r['ratio_range' + case][1]:.1f}x")
    print(f"the 30-bin estimator's own time in the measured case: ensemble {r['estimator_seconds_ours']:.2f} s, "
          f"plain loop {r['estimator_seconds_loop']:.2f} s: with it the ratio is at most "
          f"{r['ratio_ceiling']:.1f}x even if training cost nothing")
    load1 = os.getloadavg()
    print(f"load average at start/end: {load0[0]:.1f} / {load1[0]:.1f} on {os.cpu_count()} CPUs "
          "(a shared machine inflates the absolute times)")
    result = {"paper_scale": ps, "peak_rss_mb": _peak_rss_mb(), "ratio": r, "threads": args.threads,
              "loadavg_start": load0, "loadavg_end": load1, "cpus": os.cpu_count(),
              "targets": {"paper_scale_seconds": 600, "peak_memory_mb": 2048, "ratio": 20}}
    how = "measured" if args.full else f"extrapolated from {ps['epochs_run']} epochs"
    cases = [Case(case=f"paper scale: 50 networks x 10^4 epochs, training + binned information plane ({how})",
                  ours=ps["full_seconds"], target_s=600.0),
             Case(case="peak memory (resident set) of that run", ours=_peak_rss_mb(), unit="MB", target_s=2048.0),
             Case(case=f"ensemble training + 30-bin estimator at {len(r['snapshots'])} snapshots, {r['networks']} "
                       f"networks x {r['epochs']} epochs", ours=r["ours_seconds"],
                  baseline=f"plain loop over {r['networks']} separate nn.Modules", baseline_value=r["loop_seconds"],
                  target_ratio=20.0, notes=f"CPU-time ratio {r['ratio_cpu']:.1f}x; median of {r['repeats']} "
                  f"(pairs {r['ratio_range'][0]:.1f}x to {r['ratio_range'][1]:.1f}x); the estimator's own "
                  f"{r['estimator_seconds_ours']:.2f} s caps the ratio at {r['ratio_ceiling']:.1f}x; load "
                  f"{load0[0]:.1f} / {load1[0]:.1f}"),
             Case(case=f"ensemble training, snapshots keep the weights (measures afterwards), {r['networks']} "
                       f"networks x {r['epochs']} epochs", ours=r["ours_seconds_train"],
                  baseline=f"plain loop over {r['networks']} separate nn.Modules copying their weights",
                  baseline_value=r["loop_seconds_train"], target_ratio=20.0,
                  notes=f"CPU-time ratio {r['ratio_cpu_train']:.1f}x; median of {r['repeats']} (pairs "
                  f"{r['ratio_range_train'][0]:.1f}x to {r['ratio_range_train'][1]:.1f}x); load "
                  f"{load0[0]:.1f} / {load1[0]:.1f}")]
    for c in cases:
        print_case(c)
    out = write_results("information_plane", cases, what="the information-plane ensemble trainer "
                        "(deepinfo.models.ensemble) at the paper's scale", details=result)
    print(f"wrote {out}")
    return result


if __name__ == "__main__":
    main()
