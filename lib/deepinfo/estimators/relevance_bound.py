"""The maximal relevance H[k] at given resolution H[s] (the dotted line of Song et al. 2018 Fig. 2a).

A sample of M observations split into states is an integer partition of M, described by the
degeneracies m_k (number of states seen k times, sum_k k m_k = M). In terms of m_k

    H[s] = log M - sum_k (k m_k / M) log k                  (Song et al. eq. 1; linear in m_k)
    H[k] = -sum_k (k m_k / M) log(k m_k / M)                (Song et al. eq. 2; concave in m_k)

Method (:func:`max_relevance_curve`). Maximising H[k] + beta H[s] under sum_k k m_k = M
(Song et al. eq. 8) is separable in k once the constraint gets a multiplier lambda: each m_k
maximises the concave phi_k(m) = -(km/M) log(km/M) - (beta log k + lambda) km/M on its own,
whose real maximiser is the power law m_k = C k^(-beta-1), C = (M/e) e^-lambda. We keep
integers exactly: each m_k is whichever of floor and ceil of C k^(-beta-1) gives the larger
phi_k (phi_k is concave, so that is the integer optimum), lambda is bisected so that
sum_k k m_k <= M is as large as possible, and the remaining R = M - sum_k k m_k samples form one
more state of size R. This is done for a grid of beta (and the two neighbouring lambdas), and
completed by the partitions into distinct parts (H[k] = H[s], the left branch of the curve),
by 'one state' (0, 0) and by 'all distinct' (log M, 0). For M <= 2000 a short greedy local
search then tries, for each candidate, splitting one state in two or merging two states.
The curve returned is the upper concave hull of all these exact integer partitions: every
vertex is attained by a partition (returned with ``return_partitions=True``), and the tests
check against exhaustive enumeration for M <= 40 that no partition lies above the linearly
interpolated curve by more than ``TOLERANCE_BITS`` (the largest excess seen is 0.012 bits, at
M = 16; for most M the curve is the exact hull). For large M the relative integer effects
shrink, but there the curve is a construction, not a proof: it is a lower bound on the true
envelope that is tight to within the tolerance where it could be checked.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ._validate import as_numpy, check_base, check_bool, check_int

TOLERANCE_BITS = 0.02  # tested bound on how far any partition may lie above the curve (seen: <= 0.012 bits, M <= 40)
_LOCAL_SEARCH_MAX_M = 2000
_N_BETA_CHECKED = 60  # the grid density at which TOLERANCE_BITS was checked (the default)


def _entropies(k: np.ndarray, m_k: np.ndarray, M: int) -> tuple[float, float]:
    """(H[s], H[k]) in nats for degeneracies m_k at sizes k (m_k > 0)."""
    sel = m_k > 0
    k, m_k = k[sel].astype(np.float64), m_k[sel].astype(np.float64)
    w = k * m_k / M
    H_s = math.log(M) - float((w * np.log(k)).sum())
    H_k = -float((w * np.log(w)).sum())
    return H_s, H_k


def _lagrange_partition(M: int, beta: float, lam: float, k: np.ndarray, logk: np.ndarray):
    """Integer m_k maximising sum_k phi_k(m_k) separately (before the remainder is placed).

    Only k < k* = exp((log M - lambda) / (1 + beta)) can have m_k > 0 (for larger k both
    C k^(-beta-1) < 1 and phi_k(1) < 0), so the work is restricted to those k.
    """
    logC = math.log(M) - 1.0 - lam
    k_star = (math.log(M) - lam) / (1.0 + beta)
    n = M if k_star >= math.log(M) else max(1, min(M, int(math.exp(k_star)) + 2))
    full = np.zeros(M)
    k, logk = k[:n], logk[:n]
    m_c = np.exp(np.minimum(logC - (beta + 1.0) * logk, 700.0))
    lo = np.floor(m_c)
    hi = lo + 1.0

    def phi(m):
        w = k * m / M
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(m > 0, -w * np.log(np.where(m > 0, w, 1.0)) - (beta * logk + lam) * w, 0.0)

    full[:n] = np.where(phi(hi) > phi(lo), hi, lo)
    return full


def _partition_for(M: int, beta: float, k: np.ndarray, logk: np.ndarray) -> list[np.ndarray]:
    """m_k (length M, index k-1) for the lambdas that bracket sum k m_k = M."""
    def total(lam):
        return float((k * _lagrange_partition(M, beta, lam, k, logk)).sum())

    lo, hi = -60.0, 60.0  # total is non-increasing in lambda
    if total(hi) > M:
        return []
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        if total(mid) > M:
            lo = mid
        else:
            hi = mid
    out = []
    for lam in (hi, lo):
        m = _lagrange_partition(M, beta, lam, k, logk)
        s = int((k * m).sum())
        if s > M:
            continue
        R = M - s
        if R > 0:
            m = m.copy()
            m[R - 1] += 1
        out.append(m.astype(np.int64))
    return out


def _distinct_parts(M: int, n: int) -> np.ndarray:
    """Sizes a, a+1, ..., a+n-1 (+1 on the largest r) summing to M: n distinct states."""
    a, r = divmod(M - n * (n - 1) // 2, n)
    sizes = np.arange(a, a + n, dtype=np.int64)
    if r:
        sizes[-r:] += 1
    m = np.zeros(M, dtype=np.int64)
    np.add.at(m, sizes - 1, 1)
    return m


def _local_search(m: np.ndarray, M: int, beta: float, k: np.ndarray, steps: int = 3) -> np.ndarray:
    """Greedy moves that keep sum k m_k = M: split a -> (b, a - b) or merge (a, b) -> a + b, for beta fixed."""
    best = m.copy()

    def score(mm):
        hs, hk = _entropies(k, mm, M)
        return hk + beta * hs

    f_best = score(best)
    for _ in range(steps):
        improved = False
        occupied = np.flatnonzero(best) + 1
        cand_sizes = occupied[:60] if occupied.size > 60 else occupied
        for a in cand_sizes:
            # split one state of size a into (b, a - b) for a few b
            for b in {1, a // 2, max(1, a // 3)}:
                if b < 1 or b >= a:
                    continue
                mm = best.copy()
                mm[a - 1] -= 1
                mm[b - 1] += 1
                mm[a - b - 1] += 1
                f = score(mm)
                if f > f_best + 1e-12:
                    best, f_best, improved = mm, f, True
                    break
            # merge a state of size a with one of size b (b <= a) when both exist
            for b in cand_sizes[:10]:
                if b > a or a + b > M or best[a - 1] < 1 or best[b - 1] < (2 if a == b else 1):
                    continue
                mm = best.copy()
                mm[a - 1] -= 1
                mm[b - 1] -= 1
                mm[a + b - 1] += 1
                f = score(mm)
                if f > f_best + 1e-12:
                    best, f_best, improved = mm, f, True
                    break
        if not improved:
            break
    return best


def _upper_hull(points: np.ndarray) -> np.ndarray:
    """Upper concave hull (monotone chain) of 2-D points, sorted by x."""
    pts = np.unique(points, axis=0)
    hull: list[np.ndarray] = []
    for p in pts:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) >= 0:  # not a right turn
                hull.pop()
            else:
                break
        hull.append(p)
    return np.array(hull)


def max_relevance_curve(M: int, base: float = 2, *, n_beta: int = 60, return_partitions: bool = False):
    """Upper envelope of the relevance H[k] against the resolution H[s] over all partitions of M samples.

    The dotted line of Song, Marsili & Jo (2018) Fig. 2a (and Fig. S3b); H[s], H[k] from their
    eqs. (1)-(2); the Lagrangian of their eq. (8) gives the power laws m_k ~ k^(-beta-1) used to
    construct it (see the module docstring for the exact integer construction).

    Parameters
    ----------
    M : number of samples, an integer >= 1.
    base : logarithm base of the result (a number > 1; 2: bits). Song et al. plot H / log M:
        divide by log_base(M).
    n_beta : number of exponents beta in the grid (between -0.9 and 8, denser near 0..2), an
        integer >= 1. The tolerance below was checked at the default 60; a coarser grid gives
        a lower curve (at M = 50, n_beta <= 3 lies up to 0.54 bits below it) and warns.
    return_partitions : True or False; also return, for every vertex, the degeneracy array m
        (m[k-1] = m_k).

    Returns
    -------
    (H_s, H_k) : 1-D float arrays of the same length, H_s increasing from 0 to log M, the
    vertices of the curve (interpolate linearly between them); with ``return_partitions`` a third
    element, the list of m_k arrays attaining each vertex. Any partition of M lies at most
    ``TOLERANCE_BITS`` bits above the interpolated curve (checked exhaustively for M <= 40).
    """
    if isinstance(M, bool) or not isinstance(M, (int, np.integer)) or M < 1:
        raise ValueError(f"M={M!r}: expected an integer number of samples >= 1")
    b = check_base(base)
    n_beta = check_int(n_beta, "n_beta", 1)
    return_partitions = check_bool(return_partitions, "return_partitions")
    if n_beta < _N_BETA_CHECKED:
        warnings.warn(f"max_relevance_curve: n_beta={n_beta} is coarser than the grid ({_N_BETA_CHECKED}) at which "
                      f"TOLERANCE_BITS = {TOLERANCE_BITS} was checked; the curve may lie lower than the true "
                      "envelope by more than that", UserWarning, stacklevel=2)
    M = int(M)
    k = np.arange(1, M + 1, dtype=np.float64)
    logk = np.log(k)
    parts: list[np.ndarray] = []
    one = np.zeros(M, dtype=np.int64)
    one[M - 1] = 1
    parts.append(one)
    if M > 1:
        alld = np.zeros(M, dtype=np.int64)
        alld[0] = M
        parts.append(alld)
    n_max = int((math.isqrt(8 * M + 1) - 1) // 2)  # largest n with n(n+1)/2 <= M
    for n in np.unique(np.round(np.geomspace(1, max(n_max, 1), min(n_max, 200))).astype(int)):
        parts.append(_distinct_parts(M, int(n)))
    betas = np.unique(np.concatenate([np.linspace(-0.9, 0.0, n_beta // 6 + 1),
                                      np.linspace(0.0, 2.5, n_beta // 2 + 1),
                                      np.geomspace(2.5, 8.0, n_beta // 3 + 1)]))
    lagr = []
    for beta in betas:
        for m in _partition_for(M, float(beta), k, logk):
            lagr.append((float(beta), m))
    if M <= _LOCAL_SEARCH_MAX_M:  # the moves are cheap only for moderate M
        lagr = [(beta, _local_search(m, M, beta, k)) for beta, m in lagr]
    parts += [m for _, m in lagr]
    pts = np.array([_entropies(k, m, M) for m in parts])
    hull = _upper_hull(pts)
    H_s, H_k = hull[:, 0] / math.log(b), hull[:, 1] / math.log(b)
    if not return_partitions:
        return H_s, H_k
    lookup = {tuple(np.round(p, 12)): m for p, m in zip(pts, parts)}
    return H_s, H_k, [lookup[tuple(np.round(h, 12))] for h in hull]


def relevance_gap(H_s, H_k, M: int, base: float = 2, *, curve: tuple | None = None) -> np.ndarray:
    """Gap below the maximal-relevance curve: ``H_k^max(H_s) - H_k``, in units of log ``base``.

    The one home for "how far below the bound" (Song, Marsili & Jo 2018 Fig. 2a): the curve of
    :func:`max_relevance_curve` for ``M`` samples, linearly interpolated at each ``H_s``. Any
    partition of M lies at most :data:`TOLERANCE_BITS` above the interpolated curve, so a gap
    above ``-TOLERANCE_BITS`` is consistent with a point on or below the bound.

    Parameters
    ----------
    H_s, H_k : array_like of the same shape, resolution and relevance in units of log ``base``
        (bits by default; NOT divided by log M).
    M : the number of samples behind them.
    curve : optional precomputed ``(H_s, H_k)`` of ``max_relevance_curve(M, base)`` (saves time).

    Returns
    -------
    ndarray of the shape of ``H_s``; divide by ``log_base(M)`` for the papers' normalised axes.
    """
    arrays = []
    for value, name in ((H_s, "H_s"), (H_k, "H_k")):
        arr = as_numpy(value, name)
        if arr.dtype.kind not in "iuf":
            raise ValueError(f"{name}: expected real entropies (numbers), got dtype {arr.dtype}")
        arr = arr.astype(np.float64)  # empty is allowed: an empty gap array comes back
        if not np.isfinite(arr).all():
            raise ValueError(f"{name}: expected finite entropies (contains NaN or inf)")
        arrays.append(arr)
    hs, hk = arrays
    if hs.shape != hk.shape:
        raise ValueError(f"H_s and H_k: expected the same shape, got {hs.shape} and {hk.shape}")
    if isinstance(M, bool) or not isinstance(M, (int, np.integer)) or M < 1:
        raise ValueError(f"M={M!r}: expected an integer number of samples >= 1")
    check_base(base)
    if curve is None:
        cs, ck = max_relevance_curve(M, base)
    else:
        try:
            cs, ck = (as_numpy(c, "curve").astype(np.float64) for c in curve)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"curve: expected the pair (H_s, H_k) returned by max_relevance_curve ({exc})") from None
        if cs.ndim != 1 or cs.shape != ck.shape or cs.size < 1 or not (np.isfinite(cs).all() and np.isfinite(ck).all()) \
                or (np.diff(cs) <= 0).any():
            raise ValueError("curve: expected the pair (H_s, H_k) returned by max_relevance_curve: two finite 1-D "
                             "arrays of the same length, H_s increasing")
    top = float(cs.max())
    if (hs > top + 1e-9).any() or (hs < -1e-9).any():
        raise ValueError(f"H_s: values must lie in [0, log M] = [0, {top:.6g}] for M={M}; got "
                         f"[{hs.min():.6g}, {hs.max():.6g}] (are they normalised by log M, or in other units?)")
    return np.interp(hs, cs, ck) - hk


__all__ = ["max_relevance_curve", "TOLERANCE_BITS", "relevance_gap"]
