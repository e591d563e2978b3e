"""Linear no-flattening theorems (paper section III F-G, eq. 25-27).

A linear network is a product of matrices; its synapse count N_s is the number of non-zero
entries of its weight matrices, and the flattening cost is C_s = N_s(flat) / N_s(deep) (eq. 26
with ell = epsilon = 0).
"""
from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sps


def dft_matrix(n: int) -> np.ndarray:
    """F[j, k] = exp(-2 pi i j k / n) (numpy.fft.fft convention), (n, n) complex."""
    j = np.arange(n)
    return np.exp(-2j * np.pi * np.outer(j, j) / n)


def bit_reversal(n: int) -> sps.csr_matrix:
    """Permutation matrix P with (P x)[j] = x[bitreverse(j)], (n, n), sparse."""
    L = int(math.log2(n))
    idx = [int(format(j, f"0{L}b")[::-1], 2) if L else 0 for j in range(n)]
    return sps.csr_matrix((np.ones(n), (np.arange(n), idx)), shape=(n, n))


def butterfly_factors(n: int) -> list[sps.csr_matrix]:
    """The radix-2 Cooley-Tukey FFT as sparse matrices: F_n = B_L ... B_2 B_1 P (L = log2 n).

    Stage s (block size m = 2^s) combines pairs (x_top, x_bot) of length-m/2 DFTs as
    (x_top + w^k x_bot, x_top - w^k x_bot), w = exp(-2 pi i / m): each B_s has exactly 2 non-zeros
    per row. Returns [P, B_1, ..., B_L] (scipy.sparse CSR) in the order they act."""
    if n < 1 or n & (n - 1):
        raise ValueError(f"n={n}: expected a power of 2")
    L = int(math.log2(n))
    out = [bit_reversal(n)]
    for s in range(1, L + 1):
        m = 2 ** s
        h = m // 2
        w = np.exp(-2j * np.pi * np.arange(h) / m)
        top = (np.arange(0, n, m)[:, None] + np.arange(h)[None, :]).ravel()
        bot = top + h
        wk = np.tile(w, n // m)
        rows = np.concatenate([top, top, bot, bot])
        cols = np.concatenate([top, bot, top, bot])
        vals = np.concatenate([np.ones_like(wk), wk, np.ones_like(wk), -wk])
        out.append(sps.csr_matrix((vals, (rows, cols)), shape=(n, n)))
    return out


def fft_flattening(n: int) -> dict:
    """Deep (butterflies) vs flat (DFT matrix) synapse counts and the factorisation error.

    Deep: the log2(n) butterfly layers have 2n log2 n synapses (the bit reversal is a relabelling
    of inputs, n more if counted as a layer). Flat: n^2 (no DFT entry is zero)."""
    fs = butterfly_factors(n)
    prod = np.eye(n, dtype=complex)
    for B in fs:
        prod = B @ prod  # sparse @ dense: 2n^2 operations per factor
    F = dft_matrix(n)
    deep = int(sum(np.count_nonzero(np.abs(B.data) > 1e-14) for B in fs[1:]))
    flat = int(np.count_nonzero(np.abs(F) > 1e-14))
    return {"n": n, "max_error": float(np.abs(prod - F).max()), "deep_synapses": deep,
            "deep_with_permutation": deep + n, "flat_synapses": flat, "C_s": flat / deep}


def low_rank_flattening(n: int, k: int, rng: np.random.Generator) -> dict:
    """A = B C with B (n, k) and C (k, n) Gaussian: deep (one hidden layer of k neurons) has 2nk
    synapses, flat has nnz(A) = n^2 (almost surely); closed form C_s = n / 2k."""
    B = rng.normal(size=(n, k))
    C = rng.normal(size=(k, n))
    A = B @ C
    deep = int(np.count_nonzero(B) + np.count_nonzero(C))
    flat = int(np.count_nonzero(np.abs(A) > 1e-12))
    return {"n": n, "k": k, "deep_synapses": deep, "flat_synapses": flat, "C_s": flat / deep,
            "C_s_theory": n / (2 * k), "rank": int(np.linalg.matrix_rank(A))}


def eq27(n: int, p: float) -> float:
    """C_s = [1 - (1 - p^2)^n] / (2p) (eq. 27): expected nnz(AB) over the expected 2 n^2 p synapses."""
    return (1 - (1 - p * p) ** n) / (2 * p)


def sparse_flattening(n: int, p: float, draws: int, rng: np.random.Generator) -> dict:
    """Random 0/1 matrices A, B (n, n), entries 1 with probability p.

    ``C_s_ratio_of_means`` = mean nnz(AB) / mean (nnz A + nnz B) over the draws is the quantity eq. 27
    computes (expected flat synapses over expected deep synapses 2 n^2 p). ``C_s_mean`` (std) is the
    per-draw ratio, averaged over draws with at least one synapse; it differs when 2 n^2 p is small.
    ``flat_se``: the standard error of mean nnz(AB) over the draws (NaN for one draw); ``flat_z``:
    (mean nnz(AB) - n^2 [1 - (1 - p^2)^n]) / ``flat_se`` (0 when every draw gave the same count)."""
    cs = []
    for _ in range(draws):
        A = (rng.random((n, n)) < p).astype(np.float64)
        B = (rng.random((n, n)) < p).astype(np.float64)
        deep = A.sum() + B.sum()
        cs.append((np.count_nonzero(A @ B), deep))  # float products of 0/1 are exact integers
    flat, deep = np.array(cs, dtype=float).T
    ok = deep > 0
    ratio = flat[ok] / deep[ok]
    E_flat = n * n * (1 - (1 - p * p) ** n)  # exact expectation of nnz(AB)
    se = flat.std(ddof=1) / np.sqrt(draws) if draws > 1 else float("nan")
    return {"n": n, "p": p, "C_s_mean": float(ratio.mean()), "C_s_std": float(ratio.std(ddof=1)) if ok.sum() > 1 else 0.0,
            "C_s_ratio_of_means": float(flat.mean() / deep.mean()), "expected_synapses": 2 * n * n * p,
            "flat_mean": float(flat.mean()), "flat_se": float(se), "flat_expected": float(E_flat),
            "flat_z": float((flat.mean() - E_flat) / se) if se > 0 else 0.0,
            "draws": int(draws), "eq27": eq27(n, p), "bound": 1 / (2 * p)}


def matmul_exponents() -> dict:
    """Exponents quoted in section III G: naive n^3 synapses for the flat map M -> N M, Strassen
    n^(log2 7), Le Gall's omega = 2.3728639; the flattening cost is at least n^(3 - omega)."""
    omega = {"naive": 3.0, "Strassen 1969": math.log2(7), "Le Gall 2014": 2.3728639}
    return {k: {"omega": w, "flattening_exponent": 3.0 - w} for k, w in omega.items()}
