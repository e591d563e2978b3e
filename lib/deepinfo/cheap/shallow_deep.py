"""Shallow vs deep networks trained on x1 x2 ... xn over [-1, 1]^n (the conjecture of section IV).

The paper conjectures that one hidden layer needs exponentially many neurons in n for the
multiplication gate, while ~log2 n layers need ~4n (section II C). This module measures, for each n,
the smallest width that reaches a fixed normalised test error after a fixed training budget: an
experiment on what gradient descent finds in that budget, not a statement about what exists.

To fit a laptop budget all seeds of one (n, depth, width) are trained at once as a bank of
independent networks (batched matrix products over the replica axis; the loss is the sum of the
replicas' losses, so Adam, which is elementwise, moves each replica as if it were alone). Widths are
trained one after another at their own size: an earlier version padded every width to the largest
and masked the unused units, which computes the same networks (masked units have exactly zero
gradient) but spent most of its time on the zeros: at the full preset (widths 2 to 256, three
hidden layers) the hidden-to-hidden products of the padded bank cost 8 * 256^2 / sum(w^2) = 6.0
times as many operations (``benchmarks/cheap.py`` times both on that bank). The initial weights are
still drawn at the padded shape and sliced, so both versions start from the same numbers
(``tests/test_cheap.py`` checks that they train to the same errors).
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
    """Train len(widths) * len(seeds) tanh MLPs (``layers`` hidden layers of width w) on
    y = x1...xn * 3^(n/2) (unit variance), x ~ U[-1, 1]^n, full-batch Adam with a cosine schedule.

    Replica (w, s) starts from weights drawn by a generator seeded ``10000 s + 17 w + n`` at the padded
    shape (every hidden layer max(widths) wide) and sliced to width w: uniform on [-1, 1] / sqrt(fan in).
    Returns ``nmse`` (len(widths), len(seeds)): test MSE / Var(y) (i.e. 1 - R^2), dimensionless."""
    X, Y, Xt, Yt = _product_data(n, M_train, M_test, data_seed)
    Wm = max(widths)
    nmse = np.empty((len(widths), len(seeds)))
    for i, w in enumerate(widths):
        inits = [_initial_weights(n, layers, w, Wm, s) for s in seeds]
        nmse[i] = _train_width(X, Y, Xt, Yt, inits, steps, lr)
    return {"nmse": nmse}


def _product_data(n: int, M_train: int, M_test: int, data_seed: int):
    """Training and test sets of y = x1...xn * 3^(n/2) (unit variance), x ~ U[-1, 1]^n: X (M_train, n),
    Y (M_train,), Xt (M_test, n), Yt (M_test,), from a generator seeded ``data_seed + 1000 n``."""
    g = torch.Generator().manual_seed(data_seed + 1000 * n)
    scale = 3.0 ** (n / 2)
    X = torch.rand(M_train, n, generator=g) * 2 - 1
    Xt = torch.rand(M_test, n, generator=g) * 2 - 1
    return X, X.prod(1) * scale, Xt, Xt.prod(1) * scale


def _initial_weights(n: int, layers: int, w: int, Wm: int, seed: int, padded: bool = False) -> list[torch.Tensor]:
    """The layer matrices of one replica of width ``w``: drawn at the padded shape (hidden width ``Wm``,
    the bank's largest width) in the order input, hidden..., output, then sliced to ``w``. The draws
    depend on ``Wm``: adding a wider width to a preset changes every width's starting weights (and,
    through the config, every cache entry of the bank). ``padded``: the matrices at the padded shape,
    unsliced (:func:`train_bank_padded`)."""
    gr = torch.Generator().manual_seed(10_000 * seed + 17 * w + n)
    dims = [n] + [Wm] * layers + [1]
    full = [(torch.rand(a, b, generator=gr) * 2 - 1) / math.sqrt(fan) for a, b, fan in
            [(dims[i], dims[i + 1], dims[i] if i == 0 else w) for i in range(layers + 1)]]
    if padded:
        return full
    return [M[: (n if i == 0 else w), : (1 if i == layers else w)].contiguous() for i, M in enumerate(full)]


def _train_width(X, Y, Xt, Yt, inits: list[list[torch.Tensor]], steps: int, lr: float,
                 mask: torch.Tensor | None = None) -> np.ndarray:
    """Full-batch Adam (cosine schedule) on a bank of R = len(inits) same-width replicas; the test
    MSE / Var(Yt) of each, shape (R,). ``mask`` (R, 1, w): multiplies every hidden layer's output
    (the padded reference's unused units; ``None``: every unit is used)."""
    R, layers = len(inits), len(inits[0]) - 1
    w = inits[0][0].shape[1]
    Ws = [torch.stack([inits[r][i] for r in range(R)]).requires_grad_() for i in range(layers + 1)]
    bs = [torch.zeros(R, 1, w, requires_grad=True) for _ in range(layers)] + [torch.zeros(R, 1, 1, requires_grad=True)]

    def forward(x):
        h = x.expand(R, *x.shape)
        for i in range(layers):
            h = torch.tanh(torch.baddbmm(bs[i], h, Ws[i]))
            if mask is not None:
                h = h * mask
        return torch.baddbmm(bs[-1], h, Ws[-1])[..., 0]  # (R, M)

    opt = torch.optim.Adam(Ws + bs, lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    for _ in range(steps):
        loss = ((forward(X) - Y) ** 2).mean(1).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    with torch.no_grad():
        return (((forward(Xt) - Yt) ** 2).mean(1) / Yt.var()).numpy()


def train_bank_padded(n: int, layers: int, widths, seeds, steps: int, M_train: int, M_test: int,
                      lr: float = 1e-2, data_seed: int = 0) -> dict:
    """The reference for :func:`train_bank` (the earlier implementation, kept for its test and
    ``benchmarks/cheap.py``): the same networks trained as one padded bank, every hidden layer
    max(widths) wide with a mask per replica that zeroes its unused units. Same returns."""
    X, Y, Xt, Yt = _product_data(n, M_train, M_test, data_seed)
    Wm = max(widths)
    reps = [(w, s) for w in widths for s in seeds]
    mask = torch.zeros(len(reps), 1, Wm)
    for r, (w, _) in enumerate(reps):
        mask[r, 0, :w] = 1
    inits = [_initial_weights(n, layers, w, Wm, s, padded=True) for w, s in reps]
    nmse = _train_width(X, Y, Xt, Yt, inits, steps, lr, mask=mask)
    return {"nmse": nmse.reshape(len(widths), len(seeds))}


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
    smallest neuron count reaching ``target`` (:func:`shallow_vs_deep_row` for each n)."""
    t0 = time.time()
    rows = [shallow_vs_deep_row(n, widths, target, steps, M_train, M_test, seeds) for n in ns]
    return {"rows": rows, "seconds": time.time() - t0, "target": target, "widths": np.array(widths)}


def shallow_vs_deep_row(n: int, widths, target: float, steps: int, M_train: int, M_test: int, seeds) -> dict:
    """One n of :func:`shallow_vs_deep`: ``{"n", "shallow", "deep"}``, each net a dict of ``layers``,
    ``nmse`` (best over seeds, per width), ``width``, ``neurons`` and ``reached``. For n = 2 the deep net
    is the shallow one (ceil(log2 2) = 1 hidden layer)."""
    from ..device import cpu_threads

    row = {"n": n}
    with cpu_threads("cpu"):
        for name, L in (("shallow", 1), ("deep", tree_depth(n))):
            if name == "deep" and L == 1:
                row[name] = dict(row["shallow"])
                continue
            res = train_bank(n, L, widths, seeds, steps, M_train, M_test)
            row[name] = {"layers": L, "nmse": res["nmse"].min(1), **minimal_neurons(list(widths), res["nmse"], L, target)}
    return row
