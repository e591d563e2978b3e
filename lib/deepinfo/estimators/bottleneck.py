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
lower the curve at large beta, never raise it. Each iteration is one exponential per (x, t) and
two thin matrix products, and Anderson acceleration (safeguarded by the free energy, which a
plain step never increases) cuts the iterations where the plain map crawls (large beta, many
clusters): 4096 distinct rows, |Y| = 2, 100 betas take ~8 s of CPU instead of ~70 s, and land
closer to the converged fixed points than the plain iteration stopped by the same rule
(``benchmarks/estimators.py``; tests/test_ib_optimality.py).

A layer against the bound (Fig. 6, sec. 3.8): :func:`encoder_information` (its point),
:func:`ib_horizontal_gap` (excess I(X;T) at its I(T;Y)), :func:`layer_beta_star` (eq. 12) beside
:func:`ib_curve_slope` (1/beta of the curve at that point), :func:`ib_self_consistency_residual`
(eq. 9); :func:`ib_broken_line_distance` says how far a curve is from min(I_X, I(X;Y)).
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


_TINY = 1e-300  # floor of probabilities under a logarithm


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


def _iterate(px, pyx, neg_h, ptx, beta, tol, max_iter, memory):
    """Iterate eq. (9) from p(t|x) = ptx until the free energy F = -sum_x p(x) log Z(x; beta)
    (nats) changes by less than ``tol`` between two accepted steps. Returns (ptx, pt, pyt, n_iter).

    The iteration is a map G on theta = log p(t, y) (n_t |Y| numbers): from p(t) and p(y|t),
    the encoder p(t|x) = p(t) exp(-beta D_KL[p(y|x) || p(y|t)]) / Z(x; beta), then
    p(t, y) = sum_x p(t|x) p(x, y). F(theta) = -E_x log Z(x; beta) is the IB functional
    I(X;T) + beta E D_KL minimised over the encoder at fixed (p(t), p(y|t)); one plain step
    G never increases it, so F is a Lyapunov function whose minima are the IB fixed points.

    Speed. (1) One evaluation of G costs one exponential per (x, t) and two thin matrix products:
    the logits log p(t) - beta D_KL = [p(y|x), sum_y p(y|x) log p(y|x), 1] @ [beta log p(y|t);
    -beta; log p(t)] never rebuild the KL matrix from its terms, and 1/Z(x) is folded into the
    (|X|, |Y|) factor of p(t, y), so the (|X|, n_t) encoder is normalised once, at the end.
    (2) Anderson acceleration (type II, the last ``memory`` steps; Walker & Ni 2011) of G on
    theta, safeguarded by F: an extrapolated point is kept only if its F is not above the last
    accepted one, else the memory is cleared and the plain step G(theta) taken. The fixed points
    are those of G; near the large-beta end the plain map drifts cluster boundaries by tiny
    steps (thousands of iterations), which the extrapolation shortens by an order of magnitude.
    ``memory = 0`` gives the plain iteration (``anderson`` of :func:`information_bottleneck_curve`).
    """
    n_x, n_y = pyx.shape
    pxy = pyx * px[:, None]
    ptx, pt, pyt = _encoder_stats(px, pyx, ptx, pxy)
    A = np.empty((n_x, n_y + 2))
    A[:, :n_y] = pyx
    A[:, n_y] = neg_h
    A[:, n_y + 1] = 1.0
    theta = np.log(np.maximum(pt[:, None] * pyt, _TINY))  # (n_t, |Y|)
    bufs = [np.empty((n_x, pt.size)), np.empty((n_x, pt.size))]
    acc = None  # last accepted evaluation: (log G(theta), F(theta), E, z, clusters kept, G(theta))
    plain = True  # the point to evaluate is a plain step (always accepted)
    hist_th, hist_g = [], []
    F_prev = math.inf
    it = 0
    for it in range(1, max_iter + 1):
        # --- evaluate G at theta ---
        n_t = theta.shape[0]
        if bufs[0].shape[1] != n_t:
            bufs = [np.empty((n_x, n_t)), np.empty((n_x, n_t))]
        E = bufs[0] if acc is None or acc[2] is not bufs[0] else bufs[1]
        top = theta.max(axis=1)
        log_pt = top + np.log(np.exp(theta - top[:, None]).sum(axis=1))  # log sum_y p(t, y), unnormalised
        B = np.empty((n_y + 2, n_t))
        B[:n_y] = beta * (theta - log_pt[:, None]).T
        B[n_y] = -beta
        top = log_pt.max()
        B[n_y + 1] = log_pt - (top + math.log(np.exp(log_pt - top).sum()))
        np.matmul(A, B, out=E)  # logits <= 0 (up to round-off): log p(t) <= 0, KL >= 0
        np.maximum(E, -700.0, out=E)  # e^-700 ~ 1e-304: no subnormal (slow) exponentials; negligible beside z >= 1e-200
        np.exp(E, out=E)
        z = E.sum(axis=1)
        low = z < 1e-200  # rows whose every term underflows: redo them with the row maximum taken out
        if low.any():
            logits = A[low] @ B
            top = logits.max(axis=1, keepdims=True)
            E[low] = np.exp(logits - top)
            z[low] = E[low].sum(axis=1)
            log_z = np.log(np.maximum(z, 1e-300))
            log_z[low] = np.log(z[low]) + top[:, 0]
        else:
            log_z = np.log(z)
        F = -float(px @ log_z)
        pty = E.T @ (pxy / z[:, None])  # p(t, y) of the normalised encoder E / z
        # --- accept or reject ---
        if not plain and F > acc[1] + 1e-13 * max(1.0, abs(acc[1])):
            # the extrapolated point is worse than the last accepted one: plain step from there
            hist_th.clear()
            hist_g.clear()
            theta, plain = acc[0], True
            continue
        g = np.log(np.maximum(pty, _TINY))
        keep = pty.sum(axis=1) > 1e-14
        acc = (g, F, E, z, keep, pty)
        if abs(F_prev - F) < tol:
            break
        F_prev = F
        if not keep.all():  # a cluster emptied: drop it and restart the extrapolation
            theta, plain = g[keep], True
            hist_th.clear()
            hist_g.clear()
            continue
        # --- next point: Anderson extrapolation of the accepted steps ---
        hist_th.append(theta.ravel())
        hist_g.append(g.ravel())
        if len(hist_th) > memory + 1:
            del hist_th[0], hist_g[0]
        if len(hist_th) >= 2:
            th, gg = np.array(hist_th), np.array(hist_g)
            res = gg - th
            dR, dG = np.diff(res, axis=0), np.diff(gg, axis=0)  # (m, n_t |Y|)
            # least squares min |res[-1] - dR^T gamma| by the (m, m) normal equations, lightly regularised
            M = dR @ dR.T
            M[np.diag_indices_from(M)] += 1e-12 * (np.trace(M) + 1e-300)
            try:
                gamma = np.linalg.solve(M, dR @ res[-1])
            except np.linalg.LinAlgError:
                gamma = np.zeros(len(dR))
            theta = (gg[-1] - gamma @ dG).reshape(g.shape)
            plain = False
            if not np.isfinite(theta).all():
                theta, plain = g, True
                hist_th.clear()
                hist_g.clear()
        else:
            theta, plain = g, True
    g, F, E, z, keep, pty = acc
    E = E[:, keep] / z[:, None]
    pty = pty[keep]
    pt = pty.sum(axis=1)
    return E, pt, pty / pt[:, None], it


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
                                  seed: int = 0, base: float = 2, anderson: int = 5) -> IBCurve:
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
    anderson : integer >= 0, steps remembered by the Anderson extrapolation of the iteration
        (safeguarded by the free energy, see ``_iterate``); 0: the plain iteration of eq. (9). Both
        converge to the same fixed points; the extrapolation needs several times fewer
        iterations where the plain map crawls (large beta, many clusters).

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
    anderson = check_int(anderson, "anderson", 0)
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
        ptx, pt, pyt, it = _iterate(px, pyx, neg_h, ptx, beta, tol, max_iter, anderson)
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
    return _beta_star(ptx, px, pyx, pyt, pt, beta_max)


# ---------------------------------------------------------------------------------------------
# IB optimality of a given encoder (a layer): Shwartz-Ziv & Tishby (2017) sec. 3.8, Fig. 6, eqs. 9, 12


def _check_layer(p_t_given_x, p_x, p_y_given_x):
    """Validate (p(t|x), p(x), p(y|x)); return them as float64 with the clusters of p(t) = 0 dropped."""
    px = check_vector(p_x, "p_x", "probabilities")
    if (px < 0).any() or abs(px.sum() - 1.0) > 1e-6:
        raise ValueError(f"p_x: expected non-negative probabilities summing to 1 (they sum to {px.sum():.6g})")
    ptx = check_prob_rows(p_t_given_x, "p_t_given_x")
    pyx = check_prob_rows(p_y_given_x, "p_y_given_x")
    if ptx.shape[0] != px.size:
        raise ValueError(f"p_t_given_x: has {ptx.shape[0]} rows but p_x has |X| = {px.size} entries")
    if pyx.shape[0] != px.size:
        raise ValueError(f"p_y_given_x: has {pyx.shape[0]} rows but p_x has |X| = {px.size} entries")
    px = px / px.sum()
    pt = px @ ptx
    used = pt > 0
    return ptx[:, used], px, pyx, pt[used]


def _decoder(ptx, px, pyx, pt):
    """p(y|t) = sum_x p(y|x) p(x) p(t|x) / p(t), eq. (9) third line: (n_t, |Y|)."""
    pyt = ptx.T @ (pyx * px[:, None]) / pt[:, None]
    return pyt / pyt.sum(1, keepdims=True)


def _ib_log_encoder(pyx, pyt, pt, beta):
    """log p_beta^IB(t|x) of eq. (9) from a decoder p(y|t) and marginal p(t): (|X|, n_t), nats."""
    D = np.minimum(_kl_matrix(pyx, pyt, xlogy(pyx, pyx).sum(1)), 1e6)
    logits = np.log(np.maximum(pt, _TINY))[None, :] - beta * D
    return logits - logsumexp(logits, axis=1, keepdims=True)


def _mean_kl_to_ib(ptx, px, pyx, pyt, pt, beta):
    """E_x D_KL[p(t|x) || p_beta^IB(t|x)] in nats (the objective of eq. 12)."""
    log_q = _ib_log_encoder(pyx, pyt, pt, beta)
    kl = xlogy(ptx, ptx).sum(1) - np.where(ptx > 0, ptx * log_q, 0.0).sum(1)
    return float(px @ kl)


def _beta_star(ptx, px, pyx, pyt, pt, beta_max):
    def objective(beta):
        return _mean_kl_to_ib(ptx, px, pyx, pyt, pt, beta)

    res = optimize.minimize_scalar(lambda lb: objective(math.expm1(lb)), bounds=(0.0, math.log1p(beta_max)),
                                   method="bounded", options=dict(xatol=1e-10))
    beta = math.expm1(res.x)
    return float(beta) if objective(beta) <= objective(0.0) else 0.0


def encoder_information(p_t_given_x, p_x, p_y_given_x, *, base: float = 2) -> tuple[float, float]:
    """The information-plane point (I(X;T), I(T;Y)) of an encoder p(t|x), Markov chain Y - X - T.

    I(X;T) = sum_{x,t} p(x) p(t|x) log[p(t|x) / p(t)] and I(T;Y) = sum_{t,y} p(t, y) log[p(t, y) /
    (p(t) p(y))], with p(t) = sum_x p(x) p(t|x) and p(t, y) = sum_x p(t|x) p(x) p(y|x)
    (Shwartz-Ziv & Tishby 2017, Fig. 1 and eq. 9). Units: bits for ``base = 2``.

    p_t_given_x : (|X|, n_t) rows summing to 1; p_x : (|X|,) probabilities summing to 1;
    p_y_given_x : (|X|, |Y|) rows summing to 1. Returns (I_X, I_Y), floats.
    """
    b = check_base(base)
    ptx, px, pyx, pt = _check_layer(p_t_given_x, p_x, p_y_given_x)
    pyt = _decoder(ptx, px, pyx, pt)
    I_X, I_Y = _information(px, ptx, pt, pyt, px @ pyx)
    return I_X / math.log(b), I_Y / math.log(b)


def layer_beta_star(p_t_given_x, p_x, p_y_given_x, *, beta_max: float = 1e4) -> float:
    """beta* of a layer's encoder, Shwartz-Ziv & Tishby (2017) eq. (12).

        beta* = argmin_beta E_x D_KL[p(t|x) || p_beta^IB(t|x)],
        p_beta^IB(t|x) = p(t) exp(-beta D_KL[p(y|x) || p(y|t)]) / Z(x; beta)        (eq. 9)

    built from the layer's own marginal p(t) = sum_x p(x) p(t|x) and decoder p(y|t) =
    sum_x p(y|x) p(x) p(t|x) / p(t) (the paper: "using the i-th layer decoder p_i(y|t) through
    eq. 9"). Same as :func:`ib_optimal_beta` with the decoder computed from the Markov chain
    Y - X - T. For an IB solution at beta the minimum is 0 and attained at beta* = beta, where the
    slope of the IB curve is d I_Y / d I_X = 1/beta* (:func:`ib_curve_slope`); the minimum value
    is :func:`ib_self_consistency_residual` at beta*. The objective is convex in beta (log Z is a
    log-sum-exp of functions linear in beta); the search runs over [0, ``beta_max``].

    p_t_given_x : (|X|, n_t) rows summing to 1 (clusters with p(t) = 0 are ignored);
    p_x : (|X|,) probabilities summing to 1; p_y_given_x : (|X|, |Y|) rows summing to 1;
    beta_max : finite number > 0. Returns beta* (dimensionless; bits per bit); NaN for an
    encoder with a single used cluster (every beta fits it: T carries nothing).
    """
    beta_max = check_real(beta_max, "beta_max", 0.0, low_open=True)
    ptx, px, pyx, pt = _check_layer(p_t_given_x, p_x, p_y_given_x)
    if pt.size < 2:
        return float("nan")
    return _beta_star(ptx, px, pyx, _decoder(ptx, px, pyx, pt), pt, beta_max)


def ib_self_consistency_residual(p_t_given_x, p_x, p_y_given_x, beta, *, base: float = 2) -> float:
    """How far an encoder is from solving the IB self-consistent equations at ``beta`` (eq. 9), in bits.

        residual = E_x D_KL[p(t|x) || p_beta^IB(t|x)],
        p_beta^IB(t|x) = p(t) exp(-beta D_KL[p(y|x) || p(y|t)]) / Z(x; beta),

    with p(t) = sum_x p(x) p(t|x) and p(y|t) = sum_x p(y|x) p(x) p(t|x) / p(t) taken from the
    encoder itself (the second and third lines of eq. 9 then hold by construction, the first is
    tested). 0 exactly when p(t|x) is a fixed point of eq. 9 at this beta (an IB solution, up to
    the solver's tolerance); an arbitrary encoder gives a residual of the order of its own
    entropy H(T|X) or of the information it wastes. Minimised over beta it is the eq. (12)
    objective at :func:`layer_beta_star`.

    p_t_given_x : (|X|, n_t) rows summing to 1; p_x : (|X|,) probabilities summing to 1;
    p_y_given_x : (|X|, |Y|) rows summing to 1; beta : finite number >= 0; base : log base
    (2: bits). Returns a float >= 0.
    """
    b = check_base(base)
    beta = check_real(beta, "beta", 0.0)
    ptx, px, pyx, pt = _check_layer(p_t_given_x, p_x, p_y_given_x)
    return max(_mean_kl_to_ib(ptx, px, pyx, _decoder(ptx, px, pyx, pt), pt, beta), 0.0) / math.log(b)


# ---------------------------------------------------------------------------------------------
# The IB curve as a bound: horizontal gap, slope, distance from the broken line min(I_X, I(X;Y))


def _curve_points(curve, need_betas: bool = False):
    """(I_X, I_Y, betas or None) of an IBCurve or of a pair (I_X, I_Y) of 1-D arrays (bits)."""
    if isinstance(curve, IBCurve):
        cx, cy, bt = np.asarray(curve.I_X, float), np.asarray(curve.I_Y, float), np.asarray(curve.betas, float)
    elif need_betas:
        raise ValueError(f"curve: expected an IBCurve (its betas give the slope), got {type(curve).__name__}")
    elif isinstance(curve, (tuple, list)) and len(curve) == 2:
        cx = check_vector(curve[0], "curve", "I_X values (bits)")
        cy = check_vector(curve[1], "curve", "I_Y values (bits)")
        bt = None
    else:
        raise ValueError(f"curve: expected an IBCurve or a pair (I_X, I_Y) of 1-D arrays, got {type(curve).__name__}")
    if cx.shape != cy.shape or cx.ndim != 1 or cx.size == 0:
        raise ValueError(f"curve: I_X and I_Y must be non-empty 1-D arrays of one length, got {cx.shape}, {cy.shape}")
    if not (np.isfinite(cx).all() and np.isfinite(cy).all()):
        raise ValueError("curve: contains NaN or inf")
    if (cx < -1e-9).any() or (cy < -1e-9).any():
        raise ValueError("curve: mutual informations must be >= 0")
    return np.maximum(cx, 0.0), np.maximum(cy, 0.0), bt


def _upper_hull(cx, cy):
    """Vertices of the least concave majorant of the points and the origin, increasing in I_X and I_Y.

    The achievable region of the information plane is convex (time sharing), so this hull is a
    valid estimate of the IB curve that a poorly converged point cannot dent. Vertices after the
    highest I_Y are dropped (the curve is flat there)."""
    pts = sorted(set(zip(np.r_[0.0, cx].tolist(), np.r_[0.0, cy].tolist())))
    hull: list[tuple[float, float]] = []
    for p in pts:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) >= 0:  # hull[-1] on or below the chord
                hull.pop()
            else:
                break
        hull.append(p)
    hx, hy = np.array(hull).T
    top = int(np.argmax(hy))
    return hx[:top + 1], hy[:top + 1]


def _check_bits(values, name: str) -> np.ndarray:
    """An array (any shape) of finite mutual informations >= 0 (bits), float64."""
    arr = as_numpy(values, name)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected numbers (bits), got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or inf")
    if (arr < -1e-9).any():
        raise ValueError(f"{name}: mutual informations must be >= 0")
    return np.maximum(arr, 0.0)


def _check_plane_values(I_X, I_Y):
    ix, iy = _check_bits(I_X, "I_X"), _check_bits(I_Y, "I_Y")
    if ix.shape != iy.shape:
        raise ValueError(f"I_Y: shape {iy.shape} differs from the shape {ix.shape} of I_X")
    return ix, iy


def _inverse_curve(iy, hx, hy):
    """I_X^IB(I_Y): the smallest I(X;T) of the (hull of the) curve reaching I(T;Y) = I_Y; nan above the curve."""
    out = np.interp(iy, hy, hx)
    return np.where(iy > hy[-1] + 1e-9, np.nan, out)


def ib_horizontal_gap(I_X, I_Y, curve):
    """A layer's excess I(X;T) over the IB curve at its I(T;Y), in bits (Shwartz-Ziv & Tishby 2017, Fig. 6).

        gap = I_X - I_X^IB(I_Y),   I_X^IB(I_Y) = min { I(X;T) : I(T;Y) >= I_Y } on the IB curve,

    the inverse of the information curve (eq. 8's optimum over beta), read off the least concave
    majorant of the curve's points and the origin and interpolated linearly. On the bound the gap
    is 0 (slightly negative between the curve's points: chords lie below the concave curve, by
    less than the curve's resolution); a layer that spends more I(X;T) than needed for its
    I(T;Y) has a positive gap. Unlike the vertical gap I_Y^IB(I_X) - I_Y it does not vanish on
    the flat part of the curve: a nearly deterministic rule makes every point with I_X >~ H(Y)
    vertically close to the bound, but only points near the knee horizontally close.

    I_X, I_Y : arrays of one shape (any; e.g. (layers, networks)), the layers' points in bits.
    curve : an :class:`IBCurve` (from :func:`information_bottleneck_curve`, same base) or a pair
        (I_X, I_Y) of 1-D arrays of curve points in bits.
    Returns an array of I_X's shape (a float for scalars), bits; NaN where I_Y lies above the
    highest point of the curve (more relevant information than the curve reaches: extend its
    betas, or the estimate is biased).
    """
    ix, iy = _check_plane_values(I_X, I_Y)
    hx, hy = _upper_hull(*_curve_points(curve)[:2])
    gap = ix - _inverse_curve(iy, hx, hy)
    return float(gap) if gap.ndim == 0 else gap


def ib_curve_slope(curve, *, I_X=None, I_Y=None):
    """Slope d I_Y / d I_X of the IB curve at a point, = 1/beta there (Shwartz-Ziv & Tishby 2017, sec. 2.3 and 3.8).

    On the information curve the point of the Lagrange multiplier beta (eq. 8) has slope 1/beta:
    "the slope of the curve, beta^-1, matches their estimated optimal beta_i^*" (Fig. 6), so a
    layer on the bound has layer_beta_star(...) ~ 1 / ib_curve_slope(...) at its point. The
    slope is exactly 1/beta_i at the curve's i-th point; between points log(beta) is interpolated
    linearly in I_X (the slope decreases monotonically along the concave curve). Give the point
    by ``I_X`` (the curve point of that I(X;T)) or by ``I_Y`` (the curve point reaching that
    I(T;Y): the horizontal projection of a layer, see :func:`ib_horizontal_gap`), not both.

    curve : an :class:`IBCurve` (its betas are needed). I_X or I_Y : arrays (any shape) in bits.
    Returns an array of that shape (a float for a scalar): the slope, dimensionless (bits per
    bit), in (0, 1/beta_min]; NaN outside the range of I_X the curve covers.
    """
    if (I_X is None) == (I_Y is None):
        raise ValueError("I_X, I_Y: give exactly one of them (the point of the curve)")
    cx, cy, bt = _curve_points(curve, need_betas=True)
    order = np.argsort(bt, kind="stable")
    cx, cy, bt = np.maximum.accumulate(cx[order]), cy[order], bt[order]
    if I_X is not None:
        q = _check_bits(I_X, "I_X")
    else:
        hx, hy = _upper_hull(cx, cy)
        q = _inverse_curve(_check_bits(I_Y, "I_Y"), hx, hy)
    # one point per distinct I_X: the largest beta of a run of equal I_X (the right end of a plateau)
    last = np.r_[np.diff(cx) > 1e-12, True]
    x, lb = cx[last], np.log(bt[last])
    with np.errstate(invalid="ignore"):
        slope = np.exp(-np.interp(q, x, lb))
        slope = np.where((q < x[0] - 1e-9) | (q > x[-1] + 1e-9) | np.isnan(q), np.nan, slope)
    return float(slope) if slope.ndim == 0 else slope


def ib_broken_line_distance(curve, I_XY=None) -> float:
    """How far the IB curve is from the broken line min(I_X, I(X;Y)), in bits.

        d = max over I_X of [min(I_X, I(X;Y)) - I_Y^IB(I_X)] = I(X;Y) - I_Y^IB(I_X = I(X;Y)).

    The broken line is the curve of a deterministic rule (I(X;Y) = H(Y): every bit of I(X;T) up to
    H(Y) can be relevant). min(I_X, I_XY) - I_Y^IB grows while the slope of the curve is below 1
    and shrinks beyond I_X = I(X;Y), so the maximum sits at the kink. d = 0 for a deterministic
    rule; a nearly deterministic rule (the paper's, I(X;Y) = 0.99 bits with H(Y) ~ 1 bit) has a
    small d, so there "on the bound" in the vertical sense says little beyond I_X ~ 1 bit; a
    noisier rule has a clearly curved bound. Example (binary symmetric channel, flip eps):
    d = h(2 eps (1 - eps)) - h(eps).

    curve : an :class:`IBCurve` or a pair (I_X, I_Y) of 1-D arrays (bits), read through its least
        concave majorant (chords: d is overestimated by at most the curve's resolution).
    I_XY : I(X;Y) in bits (finite >= 0); default ``curve.I_XY`` (required for a pair).
    Returns d >= 0 in bits (a float); NaN if the curve stops before I_X = I(X;Y).
    """
    cx, cy, _ = _curve_points(curve)
    if I_XY is None:
        if not isinstance(curve, IBCurve):
            raise ValueError("I_XY: required when curve is a pair (I_X, I_Y) of arrays")
        I_XY = curve.I_XY
    I_XY = check_real(I_XY, "I_XY", 0.0)
    if cx.max() < I_XY - 1e-9:
        return float("nan")
    hx, hy = _upper_hull(cx, cy)
    grid = np.r_[hx[hx <= I_XY], I_XY]  # the hull's vertices and the kink: the maximum of a piecewise-linear gap
    d = np.minimum(grid, I_XY) - np.interp(grid, hx, hy)
    return max(float(d.max()), 0.0)


__all__ = ["IBCurve", "information_bottleneck_curve", "ib_optimal_beta", "ib_encoder", "encoder_information",
           "layer_beta_star", "ib_self_consistency_residual", "ib_horizontal_gap", "ib_curve_slope",
           "ib_broken_line_distance"]
