"""Shallow vs deep networks trained on x1 x2 ... xn over [-1, 1]^n (the conjecture of section IV).

The paper conjectures that one hidden layer needs exponentially many neurons in n for the
multiplication gate, while ~log2 n layers need ~4n (section II C). This module measures, for each n,
the smallest width that reaches a fixed normalised test error after a fixed training budget: an
experiment on what gradient descent finds in that budget, not a statement about what exists.

To fit a laptop budget all widths and seeds of one (n, depth) are trained at once as a bank of
independent networks: a padded weight tensor (R, W_max, W_max) with a mask per replica that zeroes
the unused units (their gradients are exactly zero, so Adam never moves them).
"""
from __future__ import annotations

import math
import time

import numpy as np
import torch


def tree_depth(n: int) -> int:
    """Hidden layers of the product tree for n inputs: ceil(log2 n), at least 1 (Lin & Tegmark Fig. 2)."""
    return max(1, math.ceil(math.log2(n)))


def train_bank(n: int, layers: int, widths, seeds, steps: int, M_train: int, M_test: int,
               lr: float = 1e-2, data_seed: int = 0) -> dict:
    """Train R = len(widths) * len(seeds) tanh MLPs (``layers`` hidden layers of width w) on
    y = x1...xn * 3^(n/2) (unit variance), x ~ U[-1, 1]^n, full-batch Adam with a cosine schedule.

    Returns ``nmse`` (len(widths), len(seeds)): test MSE / Var(y) (i.e. 1 - R^2)."""
    g = torch.Generator().manual_seed(data_seed + 1000 * n)
    scale = 3.0 ** (n / 2)
    X = torch.rand(M_train, n, generator=g) * 2 - 1
    Y = X.prod(1) * scale
    Xt = torch.rand(M_test, n, generator=g) * 2 - 1
    Yt = Xt.prod(1) * scale
    Wm = max(widths)
    reps = [(w, s) for w in widths for s in seeds]
    R = len(reps)
    mask = torch.zeros(R, Wm)
    for r, (w, _) in enumerate(reps):
        mask[r, :w] = 1
    inits = []
    for r, (w, s) in enumerate(reps):
        gr = torch.Generator().manual_seed(10_000 * s + 17 * w + n)
        dims = [n] + [Wm] * layers + [1]
        inits.append([(torch.rand(a, b, generator=gr) * 2 - 1) / math.sqrt(fan) for a, b, fan in
                      [(dims[i], dims[i + 1], dims[i] if i == 0 else w) for i in range(layers + 1)]])
    Ws = [torch.stack([inits[r][i] for r in range(R)]).requires_grad_() for i in range(layers + 1)]
    bs = [torch.zeros(R, 1, Wm, requires_grad=True) for _ in range(layers)] + [torch.zeros(R, 1, 1, requires_grad=True)]
    m = mask[:, None, :]

    def forward(x):
        h = x.expand(R, *x.shape)
        for i in range(layers):
            h = torch.tanh(torch.bmm(h, Ws[i]) + bs[i]) * m
        return (torch.bmm(h, Ws[-1]) + bs[-1])[..., 0]  # (R, M)

    opt = torch.optim.Adam(Ws + bs, lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    for _ in range(steps):
        loss = ((forward(X) - Y) ** 2).mean(1).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    with torch.no_grad():
        nmse = ((forward(Xt) - Yt) ** 2).mean(1) / Yt.var()
    return {"nmse": nmse.reshape(len(widths), len(seeds)).numpy()}


def minimal_neurons(widths, nmse: np.ndarray, layers: int, target: float) -> dict:
    """Smallest width whose best seed reaches nmse <= target (NaN width if none does)."""
    best = nmse.min(1)
    ok = np.nonzero(best <= target)[0]
    if len(ok):
        w = widths[ok[0]]
        return {"width": w, "neurons": w * layers, "reached": True}
    return {"width": float("nan"), "neurons": float("nan"), "reached": False}


def shallow_vs_deep(ns, widths, target: float, steps: int, M_train: int, M_test: int, seeds) -> dict:
    """For each n: the best test nmse per width with 1 and with ceil(log2 n) hidden layers, and the
    smallest neuron count reaching ``target``."""
    from ..device import cpu_threads

    with cpu_threads("cpu"):
        return _shallow_vs_deep(ns, widths, target, steps, M_train, M_test, seeds)


def _shallow_vs_deep(ns, widths, target, steps, M_train, M_test, seeds) -> dict:
    t0 = time.time()
    rows = []
    for n in ns:
        row = {"n": n}
        for name, L in (("shallow", 1), ("deep", tree_depth(n))):
            if name == "deep" and L == 1:  # n = 2: the "deep" net is the shallow one
                row[name] = dict(row["shallow"])
                continue
            res = train_bank(n, L, widths, seeds, steps, M_train, M_test)
            row[name] = {"layers": L, "nmse": res["nmse"].min(1), **minimal_neurons(list(widths), res["nmse"], L, target)}
        rows.append(row)
    return {"rows": rows, "seconds": time.time() - t0, "target": target, "widths": np.array(widths)}
