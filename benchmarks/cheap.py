"""Speed of the shallow-vs-deep training banks of the Lin & Tegmark chapter (deepinfo.cheap.shallow_deep).

    .venv/bin/python benchmarks/cheap.py              # the full preset's widest bank, 20 steps
    .venv/bin/python benchmarks/cheap.py --steps 100

One case, ours against a named baseline on the same input in the same run: ``train_bank`` (every
width trained at its own size) against ``train_bank_padded`` (the earlier implementation: one bank
padded to the widest width, unused units masked), on the full preset's bank with three hidden
layers (n = 8, widths 2 to 256, two seeds, 2,048 training and 8,192 test points), for ``--steps``
Adam steps (the chapter runs 3,000; the time per step does not depend on the step). One torch
thread, as in a worker, after one warm-up step of each. The two must give the same test errors (they train the same networks): the
largest relative difference is printed and a difference above 1e-4 fails the script. No target:
the case shows what the unpadded bank buys at the full preset, where the padded one spent most of
its time multiplying the zeros of the narrow widths (the FLOP ratio is 8 * 256^2 / sum(w^2) = 6.0
for the hidden-to-hidden products).

Writes ``<build>/benchmarks/cheap.json``. The machine may be shared with other jobs: read the
ratio, not the absolute times; the load average is recorded with the numbers.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from deepinfo.benchmarking import Case, machine, print_case, write_results
from deepinfo.cheap.shallow_deep import train_bank, train_bank_padded, tree_depth
from deepinfo.device import cpu_threads
from deepinfo.experiments.cheap_learning import PRESETS


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=20, help="Adam steps per bank (default 20)")
    args = ap.parse_args()
    sd = PRESETS["full"].shallow_deep
    n = max(sd.ns)
    kw = dict(n=n, layers=tree_depth(n), widths=list(sd.widths), seeds=list(sd.seeds), steps=args.steps,
              M_train=sd.M_train, M_test=sd.M_test)
    started = machine()
    with cpu_threads("cpu", 1):
        for f in (train_bank, train_bank_padded):  # warm-up: torch's first calls of each kernel shape
            f(**{**kw, "steps": 1, "M_test": 64})
        t = time.perf_counter()
        ours = train_bank(**kw)["nmse"]
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        ref = train_bank_padded(**kw)["nmse"]
        t_ref = time.perf_counter() - t
    diff = float(np.max(np.abs(ours / ref - 1)))
    case = Case(case=f"shallow-vs-deep bank n = {n}, {kw['layers']} hidden layers, widths {sd.widths[0]}-{sd.widths[-1]}, "
                     f"{len(sd.seeds)} seeds, {args.steps} steps on {sd.M_train:,} points",
                ours=t_ours, baseline="the same bank padded to the widest width (train_bank_padded)",
                baseline_value=t_ref, notes=f"largest relative difference of the test errors {diff:.1e}")
    print_case(case)
    path = write_results("cheap", [case], what="shallow-vs-deep training banks (deepinfo.cheap.shallow_deep)",
                         details={"bank": {k: v for k, v in kw.items()}, "max_rel_diff": diff}, started=started)
    print(f"wrote {path}")
    if diff > 1e-4:
        print(f"the two banks disagree: relative difference {diff:.2e} > 1e-4", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
