"""Strassen's algorithm (1969) as a sparse factorisation of 2 x 2 matrix multiplication (section III G).

A bilinear map C = A B of 2 x 2 matrices (entries vectorised row-major: a11, a12, a21, a22) is a tensor
T[i, j, k] (C_k = sum_ij T_ijk a_i b_j). A rank-R factorisation T = sum_r U[r, i] V[r, j] W[k, r] is a
three-layer network: two linear layers (U a, V b), R multiplications (one gate each, section II C) and a
linear read-out W. The schoolbook algorithm has R = 8; Strassen's has R = 7, and applied recursively to
n x n blocks (n = 2^k) 7^k multiplications instead of 8^k, i.e. n^log2(7) = n^2.807.
"""
from __future__ import annotations

import numpy as np

# Strassen's seven products M_r = (U[r] . a) (V[r] . b), and C = W M
U = np.array([[1, 0, 0, 1], [0, 0, 1, 1], [1, 0, 0, 0], [0, 0, 0, 1], [1, 1, 0, 0], [-1, 0, 1, 0], [0, 1, 0, -1]])
V = np.array([[1, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, -1], [-1, 0, 1, 0], [0, 0, 0, 1], [1, 1, 0, 0], [0, 0, 1, 1]])
W = np.array([[1, 0, 0, 1, -1, 0, 1], [0, 0, 1, 0, 1, 0, 0], [0, 1, 0, 1, 0, 0, 0], [1, -1, 1, 0, 0, 1, 0]])


def matmul_tensor() -> np.ndarray:
    """T[i, j, k] = 1 where a_i b_j contributes to c_k for 2 x 2 matrices (integers, shape (4, 4, 4))."""
    T = np.zeros((4, 4, 4), dtype=np.int64)
    for r in range(2):
        for c in range(2):
            for m in range(2):
                T[2 * r + m, 2 * m + c, 2 * r + c] = 1
    return T


def naive_factors() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The schoolbook rank-8 factorisation (one product a_(r m) b_(m c) per term)."""
    Un, Vn, Wn = np.zeros((8, 4), int), np.zeros((8, 4), int), np.zeros((4, 8), int)
    t = 0
    for r in range(2):
        for c in range(2):
            for m in range(2):
                Un[t, 2 * r + m] = Vn[t, 2 * m + c] = Wn[2 * r + c, t] = 1
                t += 1
    return Un, Vn, Wn


def reconstruct(U_, V_, W_) -> np.ndarray:
    """sum_r U[r, i] V[r, j] W[k, r] (integers)."""
    return np.einsum("ri,rj,kr->ijk", U_, V_, W_)


def strassen(A: np.ndarray, B: np.ndarray, counter: list | None = None) -> np.ndarray:
    """A B for n x n matrices, n a power of two, by Strassen's recursion down to 1 x 1 blocks;
    ``counter[0]`` is increased by one per scalar multiplication."""
    n = A.shape[0]
    if n == 1:
        if counter is not None:
            counter[0] += 1
        return A * B
    h = n // 2
    a = [A[:h, :h], A[:h, h:], A[h:, :h], A[h:, h:]]
    b = [B[:h, :h], B[:h, h:], B[h:, :h], B[h:, h:]]
    M = [strassen(sum(U[r, i] * a[i] for i in range(4) if U[r, i]), sum(V[r, j] * b[j] for j in range(4) if V[r, j]),
                  counter) for r in range(7)]
    c = [sum(W[k, r] * M[r] for r in range(7) if W[k, r]) for k in range(4)]
    return np.block([[c[0], c[1]], [c[2], c[3]]])


def strassen_check(ks, draws: int, rng: np.random.Generator) -> dict:
    """The exact tensor identity, synapse counts, and the recursion on random n x n matrices (n = 2^k):
    max relative error |strassen - A B| / (|A| |B|) over ``draws`` draws and the multiplication count."""
    T = matmul_tensor()
    Un, Vn, Wn = naive_factors()
    rows = []
    for k in ks:
        n = 2 ** k
        errs, counts = [], []
        for _ in range(draws):
            A, B = rng.normal(size=(n, n)), rng.normal(size=(n, n))
            cnt = [0]
            C = strassen(A, B, cnt)
            errs.append(float(np.abs(C - A @ B).max() / (np.abs(A).max() * np.abs(B).max() * n)))
            counts.append(cnt[0])
        rows.append({"n": n, "multiplications": int(counts[0]), "7^k": 7 ** k, "naive n^3": n ** 3,
                     "max relative error": max(errs)})
    return {"exact": bool((reconstruct(U, V, W) == T).all()), "naive_exact": bool((reconstruct(Un, Vn, Wn) == T).all()),
            "rank": U.shape[0], "naive_rank": Un.shape[0],
            "synapses": int(np.count_nonzero(U) + np.count_nonzero(V) + np.count_nonzero(W)),
            "naive_synapses": int(np.count_nonzero(Un) + np.count_nonzero(Vn) + np.count_nonzero(Wn)),
            "rows": rows, "draws": draws}
