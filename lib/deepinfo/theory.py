"""Lee & Jo (2022) section III as computations: the relevance-resolution Lagrangian and its maximiser.

Used by ``book/scale_invariance_ising.md`` ("Theory as computation").

A representation of M samples is summarised by its degeneracies m_k (the number of states seen
exactly k times, sum_k k m_k = M; an integer partition of M). With p(k) = k m_k / M, the
probability that a random sample sits in a state of size k:

    H(Z) = -sum_k p(k) log(k/M)                 resolution, Lee & Jo eq. (4)
    H(K) = -sum_k p(k) log p(k)                 relevance,  Lee & Jo eq. (5)
    L    = H(K) + beta H(Z)                     the Lagrangian of eq. (6) without its constant terms

Eq. (7): over real m_k the maximiser is m_k proportional to k^(-beta-1). Here the maximum is taken
over *integer* m_k exactly, by dynamic programming (:func:`maximise_lagrangian`), and checked in
the tests against brute force over all partitions of small M (:func:`brute_force_maximiser`).

Thermodynamic reading (eqs. 13-15): with E(k) = -log(k/M), U = sum_k p(k) E(k) = H(Z) is an
internal energy, S = H(K) an entropy, beta = -1/T, and F = U - T S = -T L (:func:`thermodynamics`).

All entropies in bits unless ``base`` says otherwise.
"""
from __future__ import annotations

import math
from typing import Iterator

import numpy as np

from .estimators import degeneracy, mutual_information, relevance, resolution

_DP_MAX_M = 6000  # the DP keeps an (M+1) x (M+1) int16 table of choices: 72 MB at M = 6000


# ----------------------------------------------------------------------------- the Lagrangian

def entropies_from_degeneracy(k, m_k, base: float = 2) -> tuple[float, float]:
    """(H(Z), H(K)) of degeneracies m_k at sizes k (eqs. 4-5), in units of log ``base``.

    ``k`` and ``m_k``: 1-D arrays of the same length, k >= 1, m_k >= 0 integers; M = sum k m_k.
    """
    k = np.asarray(k, dtype=np.float64)
    m_k = np.asarray(m_k, dtype=np.float64)
    if k.shape != m_k.shape or k.ndim != 1:
        raise ValueError(f"k and m_k: expected 1-D arrays of one shape, got {k.shape} and {m_k.shape}")
    if (k < 1).any() or (m_k < 0).any():
        raise ValueError("k must be >= 1 and m_k >= 0")
    sel = m_k > 0
    k, m_k = k[sel], m_k[sel]
    M = float((k * m_k).sum())
    if M <= 0:
        raise ValueError("m_k: expected at least one state (sum k m_k > 0)")
    p = k * m_k / M
    H_z = float(-(p * np.log(k / M)).sum())
    H_k = float(-(p * np.log(p)).sum())
    lb = math.log(base)
    return H_z / lb + 0.0, H_k / lb + 0.0


def lagrangian(k, m_k, beta: float, base: float = 2) -> float:
    """L = H(K) + beta H(Z) of degeneracies m_k (Lee & Jo eq. 6 at fixed M), in units of log ``base``."""
    H_z, H_k = entropies_from_degeneracy(k, m_k, base)
    return H_k + beta * H_z


# ----------------------------------------------------------------------------- exact integer maximiser

def maximise_lagrangian(M: int, beta: float, base: float = 2) -> dict:
    """The integer degeneracies m_k maximising H(K) + beta H(Z) subject to sum_k k m_k = M, exactly.

    L is a sum over k of f_k(m_k) = -(k m_k/M) log(k m_k/M) - beta (k m_k/M) log(k/M), so the
    maximum over partitions of M is a knapsack-type dynamic programme over k = 1..M with the
    budget b = samples used so far: V_k(b) = max_m [V_{k-1}(b - m k) + f_k(m)]. Exact (no
    relaxation); cost about M^2 log M / 2 element operations (M = 3000: about a second).

    Returns ``{"M", "beta", "k", "m_k" (1-D int arrays over the k with m_k > 0), "L", "H_z", "H_k"}``
    (entropies in units of log ``base``).
    """
    if not isinstance(M, (int, np.integer)) or M < 1:
        raise ValueError(f"M={M!r}: expected a positive integer number of samples")
    if M > _DP_MAX_M:
        raise ValueError(f"M={M}: the exact programme keeps an (M+1)^2 table; use M <= {_DP_MAX_M}")
    if not math.isfinite(beta):
        raise ValueError(f"beta={beta!r}: expected a finite number")
    M = int(M)
    V = np.full(M + 1, -np.inf)
    V[0] = 0.0
    choice = np.zeros((M + 1, M + 1), dtype=np.int16 if M < 32767 else np.int32)
    for k in range(1, M + 1):
        mmax = M // k
        m = np.arange(1, mmax + 1)
        x = k * m / M
        f = -x * np.log(x) - beta * x * math.log(k / M)
        new = V.copy()
        ch = choice[k]
        for j in range(mmax):
            shift = (j + 1) * k
            cand = V[:M + 1 - shift] + f[j]
            tgt = new[shift:]
            better = cand > tgt
            if better.any():
                tgt[better] = cand[better]
                ch[shift:][better] = j + 1
        V = new
    # backtrack from the full budget
    b = M
    m_k = np.zeros(M + 1, dtype=np.int64)
    for k in range(M, 0, -1):
        mk = int(choice[k, b])
        m_k[k] = mk
        b -= mk * k
    assert b == 0, "backtracking did not use the whole budget"
    ks = np.nonzero(m_k)[0]
    H_z, H_k = entropies_from_degeneracy(ks, m_k[ks], base)
    return {"M": M, "beta": float(beta), "k": ks.astype(np.int64), "m_k": m_k[ks],
            "L": H_k + beta * H_z, "H_z": H_z, "H_k": H_k}


def partitions(M: int) -> Iterator[dict[int, int]]:
    """Every integer partition of M as ``{k: m_k}`` (parts k with multiplicities m_k). p(20) = 627."""
    def rec(n: int, largest: int):
        if n == 0:
            yield {}
            return
        for k in range(min(n, largest), 0, -1):
            for m in range(n // k, 0, -1):
                for rest in rec(n - m * k, k - 1):
                    yield {k: m, **rest}
    yield from rec(M, M)


def brute_force_maximiser(M: int, beta: float, base: float = 2) -> tuple[float, dict[int, int]]:
    """max over all partitions of M of H(K) + beta H(Z), and one maximiser ``{k: m_k}`` (small M only)."""
    best, arg = -math.inf, None
    for part in partitions(M):
        k = np.array(list(part), dtype=float)
        m = np.array(list(part.values()), dtype=float)
        val = lagrangian(k, m, beta, base)
        if val > best + 1e-12:
            best, arg = val, part
    return best, arg


def continuous_maximiser(M: int, beta: float, k=None) -> tuple[np.ndarray, np.ndarray]:
    """The real-valued solution of eq. (7) on k = 1..M: m_k = M k^(-beta-1) / sum_j j^(-beta).

    (p(k) = k m_k / M proportional to k^-beta, normalised over 1 <= k <= M.) Returns ``(k, m_k)``.
    """
    kk = np.arange(1, M + 1, dtype=np.float64)
    w = kk ** (-beta)
    Zb = w.sum()
    k = kk if k is None else np.asarray(k, dtype=np.float64)
    return k, M * k ** (-beta - 1.0) / Zb


def counts_from_degeneracy(k, m_k) -> np.ndarray:
    """State frequencies k_s (one entry per state) of degeneracies m_k: ``np.repeat(k, m_k)``."""
    return np.repeat(np.asarray(k, dtype=np.int64), np.asarray(m_k, dtype=np.int64))


# ----------------------------------------------------------------------------- Fig. 8 as worked examples

def cluster_entropies(y, z, base: float = 2) -> dict:
    """The quantities of Lee & Jo's Fig. 8 for labels ``y`` and codes ``z`` (sequences of equal length M):
    cluster sizes ``k_z`` and ``k_yz`` (sorted), the degeneracy ``m_k`` ({k: m(k)}), and H(Z), H(K), H(Y,Z),
    H(Y), I(Z;Y) = H(Y) + H(Z) - H(Y,Z) (eqs. 3, 5, 10, 11) in units of log ``base`` (bits by default)."""
    y = np.asarray(y)
    z = np.asarray(z)
    _, kz = np.unique(z, return_counts=True)
    _, kyz = np.unique(np.stack([y, z], axis=1), axis=0, return_counts=True)
    _, ky = np.unique(y, return_counts=True)
    k, m = degeneracy(kz)
    return {"k_z": sorted(kz.tolist()), "k_yz": sorted(kyz.tolist()), "m_k": dict(zip(k.tolist(), m.tolist())),
            "H_z": resolution(kz, base) + 0.0, "H_k": relevance(kz, base) + 0.0, "H_yz": resolution(kyz, base) + 0.0,
            "H_y": resolution(ky, base) + 0.0, "I_zy": mutual_information(z[:, None], y[:, None], base) + 0.0}


_cluster_entropies = cluster_entropies  # the earlier private name


def fig8_scenarios(base: float = 2) -> list[dict]:
    """The three clusterings of Lee & Jo Fig. 8 on three digit images labelled 2, 3, 8.

    (a) codes change from two clusters {1, 2} to one cluster {3}: m(k) changes, H(Y,Z) does not
        (every (label, code) pair stays unique);
    (b) the data stay fixed (three images labelled 3, 2, 3) and the representation changes which
        images share a code: clusters stay of sizes {1, 2}, but the pair {2, 3} becomes the pair
        {3, 3}, so H(Y,Z) changes while m(k) does not;
    (c) pure clustering: every cluster holds one label, so H(Y,Z) = H(Z) and I(Z;Y) = H(Y).
    In every panel the labels (the data) are the same before and after; only the codes change.
    Returns one dict per panel with 'before' and 'after' (the same for c) entropies in bits.
    """
    a_before = cluster_entropies([2, 3, 8], ["A", "B", "B"], base)
    a_after = cluster_entropies([2, 3, 8], ["A", "A", "A"], base)
    b_before = cluster_entropies([3, 2, 3], ["A", "B", "B"], base)
    b_after = cluster_entropies([3, 2, 3], ["B", "A", "B"], base)
    c_pure = cluster_entropies([2, 3, 3, 8, 8, 8], ["A", "B", "B", "C", "C", "C"], base)
    return [{"panel": "a", "what": "labels (2, 3, 8); codes (A, B, B) -> (A, A, A): k_z {1,2} -> {3}",
             "before": a_before, "after": a_after},
            {"panel": "b", "what": "labels (3, 2, 3); codes (A, B, B) -> (B, A, B): k_z {1,2} fixed",
             "before": b_before, "after": b_after},
            {"panel": "c", "what": "pure clusters: one label per code", "before": c_pure, "after": c_pure}]


# ----------------------------------------------------------------------------- thermodynamics (eqs. 13-15)

def thermodynamics(counts, beta: float, base: float = 2) -> dict:
    """U, S, T, F and L of a measured representation at exponent beta (Lee & Jo eqs. 13-15).

    ``counts``: state frequencies k_s (M = sum). U = H(Z) (eq. 13, energies E(k) = -log(k/M)),
    S = H(K) (eq. 14), T = -1/beta, F = U - T S = -T L with L = S + beta U (eq. 15). In units
    of log ``base``. Note: for beta > 0 the 'temperature' is negative, and then maximising L
    maximises F (F = L / beta); with T' = 1/beta > 0 and energy -H(Z), L = S - (-U)/T' and
    maximising L minimises F' = -U - T' S.
    """
    U = resolution(counts, base)
    S = relevance(counts, base)
    if beta == 0 or not math.isfinite(beta):
        raise ValueError(f"beta={beta!r}: expected a finite non-zero exponent")
    T = -1.0 / beta
    L = S + beta * U
    return {"U": U, "S": S, "beta": float(beta), "T": T, "F": U - T * S, "L": L,
            "F_positive_T": -U - S / beta}


__all__ = ["cluster_entropies", "entropies_from_degeneracy", "lagrangian", "maximise_lagrangian", "partitions", "brute_force_maximiser",
           "continuous_maximiser", "counts_from_degeneracy", "fig8_scenarios", "thermodynamics"]
