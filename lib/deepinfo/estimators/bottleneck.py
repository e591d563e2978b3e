"""The information bottleneck (IB) curve of a discrete p(x, y), and the beta* of a layer.

Shwartz-Ziv & Tishby (2017) eq. (8): min over p(t|x) of I(X;T) - beta I(T;Y). Its stationary
points satisfy the self-consistent equations (their eq. 9; Tishby, Pereira & Bialek 1999):

    p(t|x) = p(t) / Z(x; beta) * exp(-beta D_KL[p(y|x) || p(y|t)])
    p(t)   = sum_x p(t|x) p(x)
    p(y|t) = sum_x p(y|x) p(x|t)

iterated (Blahut-Arimoto style) to a fixed point. The curve (I(X;T), I(T;Y)) over beta is the
information curve: monotone, concave, from (0, 0) at beta <= 1/(largest relevant slope) to
(I(X;Y) at most H(X)) as beta -> infinity, with slope 1/beta.

Deterministic annealing (Rose 1998; Slonim's IB thesis): betas are visited in increasing order,
the fixed point at one beta starts the next; before each beta every cluster t is split into
two slightly perturbed copies (while the cardinality cap allows), and after convergence copies
that did not separate (|p(y|t) - p(y|t')| < ``merge_tol``) are merged again and empty clusters
dropped. Clusters thus appear at the phase transitions of the IB. A second sweep in
decreasing beta restarts each beta from the solution at the next larger beta and keeps, at
each beta, whichever fixed point has the lower IB functional I(X;T) - beta I(T;Y), so that a
split found late also repairs the points before it: the curve follows the upper envelope
rather than a poor local fixed point.

Speed: inputs x with identical rows p(y|x) are merged before iterating (exact: the IB encoder
depends on x only through p(y|x), and T is then independent of X given that row, so I(X;T) is
unchanged); the encoders are expanded back to all of X at the end. The cardinality of T is
capped by ``max_clusters`` (default 64): a cap below the number of distinct rows can only
lower the curve at large beta, never raise it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize
from scipy.special import logsumexp, xlogy

from ._validate import (as_numpy, check_base, check_finite, check_int, check_prob_rows, check_real,
                        check_vector)


@dataclass(frozen=True)
class IBCurve:
    """Result of :func:`information_bottleneck_curve` (bits unless ``base`` said otherwise).

    betas : (n_beta,) the Lagrange multipliers, increasing.
    I_X, I_Y : (n_beta,) I(X;T) and I(T;Y) of the annealed fixed point at each beta.
    encoders : list of n_beta arrays p(t|x), each (|X|, n_t) with n_t <= max_clusters.
    decoders : list of n_beta arrays p(y|t), each (n_t, |Y|).
    H_X, I_XY : the bounds H(X) and I(X;Y).
    n_iter : (n_beta,) iterations used at each beta.
    """
    betas: np.ndarray
    I_X: np.ndarray
    I_Y: np.ndarray
    encoders: list = field(repr=False)
    decoders: list = field(repr=False)
    H_X: float = 0.0
    I_XY: float = 0.0
    n_iter: np.ndarray = field(default=None, repr=False)


def _check_pxy(pxy) -> np.ndarray:
    p = as_numpy(pxy, "pxy")
    if p.dtype.kind not in "biuf":
        raise ValueError(f"pxy: expected numeric probabilities, got dtype {p.dtype}")
    p = p.astype(np.float64)
    if p.ndim != 2:
        raise ValueError(f"pxy: expected a 2-D joint distribution p(x, y) of shape (|X|, |Y|), got shape {p.shape}")
    if p.size == 0:
        raise ValueError("pxy: is empty")
    check_finite(p, "pxy")
    if (p < 0).any():
        raise ValueError("pxy: contains negative probabilities")
    if abs(p.sum() - 1.0) > 1e-6:
        raise ValueError(f"pxy: probabilities must sum to 1 (they sum to {p.sum():.6g})")
    return p / p.sum()


def _mi(pxy: np.ndarray) -> float:
    """I(X;Y) in nats of a joint table."""
    px = pxy.sum(1, keepdims=True)
    py = pxy.sum(0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.where(pxy > 0, pxy * np.log(pxy / (px * py)), 0.0).sum())


def _kl_matrix(pyx: np.ndarray, pyt: np.ndarray, neg_h: np.ndarray) -> np.ndarray:
    """D[x, t] = KL[p(y|x) || p(y|t)] = sum_y p(y|x) log p(y|x) - sum_y p(y|x) log p(y|t)."""
    log_pyt = np.log(np.maximum(pyt, 1e-300))
    return neg_h[:, None] - pyx @ log_pyt.T


def _encoder_stats(px, pyx, ptx, pxy=None):
    pt = px @ ptx
    keep = pt > 1e-14
    if not keep.all():
        ptx, pt = ptx[:, keep], pt[keep]
    pxy = pyx * px[:, None] if pxy is None else pxy
    pyt = (ptx.T @ pxy) / pt[:, None]
    return ptx, pt, pyt


def _iterate(px, pyx, neg_h, ptx, beta, tol, max_iter):
    """Iterate eq. (9) from p(t|x) = ptx until the free energy F = -sum_x p(x) log Z(x; beta)
    (nats; the value of I(X;T) + beta E[D_KL] after each encoder update, which these alternating
    updates never increase) changes by less than ``tol``. Returns (ptx, pt, pyt, n_iter)."""
    pxy = pyx * px[:, None]
    ptx, pt, pyt = _encoder_stats(px, pyx, ptx, pxy)
    F_old = math.inf
    for it in range(1, max_iter + 1):
        logits = np.log(pt)[None, :] - beta * _kl_matrix(pyx, pyt, neg_h)  # <= 0: log p(t) <= 0, KL >= 0
        new = np.exp(logits)
        z = new.sum(axis=1)
        log_z = np.log(np.maximum(z, 1e-300))
        low = z < 1e-200  # rows whose every term underflows: redo them with the row maximum taken out
        if low.any():
            top = logits[low].max(axis=1, keepdims=True)
            new[low] = np.exp(logits[low] - top)
            z[low] = new[low].sum(axis=1)
            log_z[low] = np.log(z[low]) + top[:, 0]
        new /= z[:, None]
        F = -float(px @ log_z)
        ptx, pt, pyt = _encoder_stats(px, pyx, new, pxy)
        if abs(F_old - F) < tol:
            break
        F_old = F
    return ptx, pt, pyt, it


def _merge(ptx, pt, pyt, merge_tol):
    """Merge clusters whose decoders p(y|t) coincide within merge_tol (greedy, by p(t))."""
    order = np.argsort(-pt)
    groups: list[list[int]] = []
    reps: list[np.ndarray] = []
    for t in order:
        for g, r in zip(groups, reps):
            if np.abs(pyt[t] - r).max() < merge_tol:
                g.append(t)
                break
        else:
            groups.append([t])
            reps.append(pyt[t])
    if len(groups) == ptx.shape[1]:
        return ptx
    return np.stack([ptx[:, g].sum(1) for g in groups], axis=1)


def _information(px, ptx, pt, pyt, py):
    """(I(X;T), I(T;Y)) in nats."""
    with np.errstate(divide="ignore", invalid="ignore"):
        I_X = float(np.where(ptx > 0, px[:, None] * ptx * np.log(ptx / pt[None, :]), 0.0).sum())
    pty = pt[:, None] * pyt
    I_Y = float(xlogy(pty, pty).sum() - xlogy(pt, pt).sum() - xlogy(py, py).sum())
    return max(I_X, 0.0), max(I_Y, 0.0)


def information_bottleneck_curve(pxy, betas, *, max_clusters: int = 64, tol: float = 1e-8,
                                  max_iter: int = 500, merge_tol: float = 1e-4, perturbation: float = 0.05,
                                  seed: int = 0, base: float = 2) -> IBCurve:
    """IB information curve of a discrete joint p(x, y) by annealing the self-consistent equations.

    Shwartz-Ziv & Tishby (2017) eq. (9) (the IB equations of Tishby, Pereira & Bialek 1999) for
    each beta, deterministic annealing from small to large beta (see the module docstring).

    Parameters
    ----------
    pxy : (|X|, |Y|) array, the joint distribution (non-negative, summing to 1). For the
        paper's setting p(x) = 1/4096 and pxy = p(y|x) / 4096.
    betas : 1-D sequence of finite positive numbers (sorted internally); a nested list or a
        scalar is refused (wrap one beta as ``[beta]``).
    max_clusters : integer >= 1, cap on |T|; the curve is exact up to the cap (a lower cap can
        only lower it at large beta).
    tol, max_iter : the iteration stops when the free energy -E_x log Z(x) changes by < tol nats
        (tol finite >= 0) or after max_iter (integer >= 1) iterations.
    merge_tol, perturbation, seed : annealing: clusters closer than merge_tol (finite >= 0) in
        p(y|t) merge; a split multiplies p(t|x) by 1 +- perturbation * u(x), perturbation in
        [0, 1), u uniform in [-1, 1] from ``seed`` (integer >= 0).
    base : logarithm base of I_X, I_Y (number > 1; 2: bits).

    Returns
    -------
    IBCurve with betas, I_X, I_Y (bits), encoders p(t|x) of shape (|X|, n_t), decoders p(y|t),
    H_X = H(X) and I_XY = I(X;Y): 0 <= I_Y <= min(I_X, I_XY) and I_X <= H_X.
    """
    p = _check_pxy(pxy)
    b = check_base(base)
    bt = check_vector(betas, "betas", "positive numbers")
    if (bt <= 0).any():
        raise ValueError(f"betas: must be positive; got {bt[bt <= 0][:5].tolist()}")
    max_clusters = check_int(max_clusters, "max_clusters", 1)
    max_iter = check_int(max_iter, "max_iter", 1)
    tol = check_real(tol, "tol", 0.0)
    merge_tol = check_real(merge_tol, "merge_tol", 0.0)
    perturbation = check_real(perturbation, "perturbation", 0.0, 1.0, high_open=True)
    seed = check_int(seed, "seed", 0)
    bt = np.sort(bt)
    rng = np.random.default_rng(seed)
    # drop inputs of zero probability; merge inputs with identical p(y|x) (exact, see module doc)
    px_full = p.sum(1)
    support = np.flatnonzero(px_full > 0)
    pyx_full = np.zeros_like(p)
    pyx_full[support] = p[support] / px_full[support, None]
    rows, inv = np.unique(np.round(pyx_full[support], 12), axis=0, return_inverse=True)
    inv = inv.ravel()
    px = np.bincount(inv, weights=px_full[support])
    pyx = np.zeros((px.size, p.shape[1]))
    np.add.at(pyx, inv, p[support])
    pyx /= px[:, None]
    neg_h = xlogy(pyx, pyx).sum(1)
    py = p.sum(0)
    H_X = -float(xlogy(px_full, px_full).sum())
    I_XY = _mi(p)
    cap = int(min(max_clusters, px.size))

    def solve(ptx, beta):
        ptx, pt, pyt, it = _iterate(px, pyx, neg_h, ptx, beta, tol, max_iter)
        ptx = _merge(ptx, pt, pyt, merge_tol)
        ptx, pt, pyt = _encoder_stats(px, pyx, ptx)
        return ptx, pyt, _information(px, ptx, pt, pyt, py), it

    # forward sweep: increasing beta, clusters split before each beta
    fwd = []
    ptx = np.ones((px.size, 1))
    for beta in bt:
        n_t = ptx.shape[1]
        if n_t < cap:  # split clusters (as many as the cap allows) into perturbed twins
            n_split = min(n_t, cap - n_t)
            u = rng.uniform(-1.0, 1.0, size=(px.size, n_split))
            a = ptx[:, :n_split]
            ptx = np.concatenate([a * (1 + perturbation * u) / 2, ptx[:, n_split:], a * (1 - perturbation * u) / 2],
                                 axis=1)
        ptx, pyt, info, it = solve(ptx, beta)
        fwd.append((ptx, pyt, info, it))
    # backward sweep: decreasing beta from the forward solution at the next beta; at each beta
    # keep the fixed point with the lower IB functional I(X;T) - beta I(T;Y)
    best = list(fwd)
    for i in range(len(bt) - 2, -1, -1):
        ptx, pyt, info, it = solve(best[i + 1][0], bt[i])
        f_new = info[0] - bt[i] * info[1]
        f_old = best[i][2][0] - bt[i] * best[i][2][1]
        if f_new < f_old - 1e-12:
            best[i] = (ptx, pyt, info, best[i][3] + it)
    out_IX, out_IY, encoders, decoders, iters = [], [], [], [], []
    for ptx, pyt, (I_X, I_Y), it in best:
        out_IX.append(I_X / math.log(b))
        out_IY.append(I_Y / math.log(b))
        enc = np.zeros((p.shape[0], ptx.shape[1]))
        enc[support] = ptx[inv]
        enc[px_full == 0] = px @ ptx  # unused inputs: any encoder; p(t) keeps the tables normalised
        encoders.append(enc)
        decoders.append(pyt)
        iters.append(it)
    return IBCurve(betas=bt, I_X=np.array(out_IX), I_Y=np.array(out_IY), encoders=encoders,
                   decoders=decoders, H_X=H_X / math.log(b), I_XY=I_XY / math.log(b),
                   n_iter=np.array(iters))


def ib_encoder(p_y_given_t, p_t, pxy, beta: float) -> np.ndarray:
    """The IB encoder of eq. (9) for a given decoder p(y|t) and marginal p(t): (|X|, n_t).

    p_y_given_t : (n_t, |Y|) rows summing to 1; p_t : (n_t,) non-negative, summing to 1;
    pxy : (|X|, |Y|) joint distribution; beta : finite number >= 0.
    """
    p = _check_pxy(pxy)
    px = p.sum(1)
    pyx = np.where(px[:, None] > 0, p / np.maximum(px, 1e-300)[:, None], 1.0 / p.shape[1])
    pyt = check_prob_rows(p_y_given_t, "p_y_given_t")
    if pyt.shape[1] != p.shape[1]:
        raise ValueError(f"p_y_given_t: has {pyt.shape[1]} label columns but pxy has |Y| = {p.shape[1]}")
    pt = check_vector(p_t, "p_t", "probabilities")
    if pt.shape[0] != pyt.shape[0]:
        raise ValueError(f"p_t: has {pt.shape[0]} entries but p_y_given_t has n_t = {pyt.shape[0]} rows")
    if (pt < 0).any() or abs(pt.sum() - 1.0) > 1e-6:
        raise ValueError("p_t: expected non-negative probabilities summing to 1")
    beta = check_real(beta, "beta", 0.0)
    D = _kl_matrix(pyx, pyt, xlogy(pyx, pyx).sum(1))
    logits = np.log(np.maximum(pt, 1e-300))[None, :] - beta * D
    return np.exp(logits - logsumexp(logits, axis=1, keepdims=True))


def ib_optimal_beta(p_t_given_x, p_y_given_t, pxy, *, beta_max: float = 1e4) -> float:
    """beta* = argmin_beta E_x D_KL[p(t|x) || p_beta^IB(t|x)], Shwartz-Ziv & Tishby (2017) eq. (12).

    p_beta^IB(t|x) = p(t) exp(-beta D_KL[p(y|x) || p(y|t)]) / Z(x; beta) is the IB encoder of
    eq. (9) built from the layer's own decoder p(y|t) and marginal p(t) = sum_x p(x) p(t|x).

    Parameters
    ----------
    p_t_given_x : (|X|, n_t) the layer's encoder (rows sum to 1), e.g. from binned activations.
    p_y_given_t : (n_t, |Y|) the layer's decoder (rows sum to 1).
    pxy : (|X|, |Y|) the joint distribution of inputs and labels.
    beta_max : finite number > 0, upper end of the search (the objective is convex in beta:
        log Z is a log-sum-exp of functions linear in beta).

    Returns beta* (dimensionless; the slope of the information curve there is 1/beta*).
    """
    p = _check_pxy(pxy)
    beta_max = check_real(beta_max, "beta_max", 0.0, low_open=True)
    ptx = check_prob_rows(p_t_given_x, "p_t_given_x")
    pyt = check_prob_rows(p_y_given_t, "p_y_given_t")
    if ptx.shape[0] != p.shape[0]:
        raise ValueError(f"p_t_given_x: has {ptx.shape[0]} rows but pxy has |X| = {p.shape[0]}")
    if pyt.shape != (ptx.shape[1], p.shape[1]):
        raise ValueError(f"p_y_given_t: expected shape {(ptx.shape[1], p.shape[1])}, got {pyt.shape}")
    px = p.sum(1)
    pt = px @ ptx
    pyx = np.where(px[:, None] > 0, p / np.maximum(px, 1e-300)[:, None], 1.0 / p.shape[1])
    D = _kl_matrix(pyx, pyt, xlogy(pyx, pyx).sum(1))
    D = np.minimum(D, 1e6)
    log_pt = np.log(np.maximum(pt, 1e-300))
    ent = xlogy(ptx, ptx).sum(1)  # sum_t p(t|x) log p(t|x)

    def objective(beta):
        logits = log_pt[None, :] - beta * D
        log_q = logits - logsumexp(logits, axis=1, keepdims=True)
        cross = np.where(ptx > 0, ptx * log_q, 0.0).sum(1)
        return float(px @ (ent - cross))

    res = optimize.minimize_scalar(lambda lb: objective(math.expm1(lb)), bounds=(0.0, math.log1p(beta_max)),
                                   method="bounded", options=dict(xatol=1e-10))
    beta = math.expm1(res.x)
    return float(beta) if objective(beta) <= objective(0.0) else 0.0


__all__ = ["IBCurve", "information_bottleneck_curve", "ib_optimal_beta", "ib_encoder"]
