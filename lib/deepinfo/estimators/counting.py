"""Frequencies of discrete states, the resolution H[s] and the relevance H[k].

Notation (Song, Marsili & Jo 2018; Lee & Jo 2022): a representation maps each of the
M samples to a state s; ``k_s`` is the number of samples in state s (its frequency),
``m_k`` the number of states observed exactly k times (the degeneracy), so
``sum_k k m_k = M``.

* resolution  H[s] = - sum_s (k_s / M) log(k_s / M)            Song et al. eq. (1); Lee & Jo eq. (3)-(4)
* relevance   H[k] = - sum_k (k m_k / M) log(k m_k / M)        Song et al. eq. (2); Lee & Jo eq. (5)

Both in bits unless ``base`` says otherwise. ``0 <= H[k] <= H[s] <= log M``: k_s is a
function of s. All distinct (k_s = 1): H[s] = log M, H[k] = 0. One state: both 0.
"""
from __future__ import annotations

import numpy as np
import torch

from ._validate import as_numpy, check_base, check_counts, check_samples


def _rows_as_keys(codes: np.ndarray) -> np.ndarray:
    """One hashable scalar per row: packed int64 for <= 63 bits, else a fixed-width void view."""
    M, N = codes.shape
    binary = codes.dtype == np.bool_ or (codes.dtype.kind in "iu" and codes.size and
                                         codes.min() >= 0 and codes.max() <= 1)
    if codes.dtype.kind == "f":
        if binary := bool(np.isin(codes, (0.0, 1.0)).all()):
            codes = codes.astype(np.uint8)
    if binary:
        if N <= 63:
            weights = (np.int64(1) << np.arange(N, dtype=np.int64))
            return codes.astype(np.int64) @ weights
        packed = np.packbits(codes.astype(np.uint8), axis=1)
        return np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    if codes.dtype.kind == "f":
        # real-valued states (e.g. binned activations stored as floats): compare exactly, +0 == -0
        codes = codes + 0.0
    arr = np.ascontiguousarray(codes)
    return arr.view(np.dtype((np.void, arr.dtype.itemsize * N))).ravel()


def state_ids(codes) -> tuple[np.ndarray, int]:
    """Label each row of ``codes`` (M, N) by the index of its distinct state.

    Returns ``(ids, n_states)`` with ``ids`` of shape (M,), int64 in [0, n_states).
    """
    arr = check_samples(codes, "codes")
    if arr.shape[1] == 0:
        return np.zeros(arr.shape[0], dtype=np.int64), 1
    keys = _rows_as_keys(arr)
    _, ids = np.unique(keys, return_inverse=True)
    ids = ids.reshape(-1).astype(np.int64)
    return ids, int(ids.max()) + 1


def state_counts(codes) -> np.ndarray:
    """Frequencies k_s of the distinct rows of ``codes`` (Song et al. eq. 7).

    Parameters
    ----------
    codes : array or tensor, shape (M, N)
        One row per sample: binary hidden states, integer bin indices, any discrete values.
        Binary rows are bit-packed (no Python tuple per row), so N may be thousands of bits
        and M millions. A CUDA tensor is reduced on its device with ``torch.unique``.

    Returns
    -------
    np.ndarray, shape (n_states,), int64, summing to M (order unspecified).
    """
    if isinstance(codes, torch.Tensor) and codes.is_cuda:
        if codes.ndim == 1:
            codes = codes[:, None]
        if codes.ndim != 2 or codes.shape[0] == 0:
            raise ValueError(f"codes: expected shape (M, N) with M >= 1, got {tuple(codes.shape)}")
        if codes.is_floating_point() and not torch.isfinite(codes).all():
            raise ValueError("codes: contains NaN or inf")
        _, counts = torch.unique(codes, dim=0, return_counts=True)
        return counts.cpu().numpy().astype(np.int64)
    arr = check_samples(codes, "codes")
    if arr.shape[1] == 0:
        return np.array([arr.shape[0]], dtype=np.int64)
    keys = _rows_as_keys(arr)
    if keys.dtype == np.int64 and arr.shape[1] <= 22:  # binary codes of <= 22 bits: count by table
        c = np.bincount(keys)
        return c[c > 0].astype(np.int64)
    return np.unique(keys, return_counts=True)[1].astype(np.int64)


def degeneracy(counts) -> tuple[np.ndarray, np.ndarray]:
    """The degeneracy m_k: arrays ``(k, m_k)`` for the frequencies k that occur, k ascending."""
    c = check_counts(counts)
    c = c[c > 0]
    k, m_k = np.unique(c, return_counts=True)
    return k.astype(np.int64), m_k.astype(np.int64)


def resolution(counts, base: float = 2) -> float:
    """Resolution H[s] = -sum_s (k_s/M) log(k_s/M), Song et al. eq. (1), in units of log ``base``.

    ``counts``: 1-D frequencies k_s (from :func:`state_counts`). Returns a float in [0, log M].
    """
    c = check_counts(counts)
    b = check_base(base)
    c = c[c > 0].astype(np.float64)
    p = c / c.sum()
    return float(-(p * np.log(p)).sum() / np.log(b)) + 0.0  # + 0.0: no -0.0 for a single state


def relevance(counts, base: float = 2) -> float:
    """Relevance H[k] = -sum_k (k m_k/M) log(k m_k/M), Song et al. eq. (2), in units of log ``base``.

    The entropy of the frequency of the state a random sample falls in. 0 <= H[k] <= H[s].
    """
    k, m_k = degeneracy(counts)
    b = check_base(base)
    w = (k * m_k).astype(np.float64)
    p = w / w.sum()
    return float(-(p * np.log(p)).sum() / np.log(b)) + 0.0  # + 0.0: no -0.0 for a single state


def entropy(x, base: float = 2) -> float:
    """Plug-in entropy H(X) of the rows of ``x`` (M, N): the resolution of their state counts."""
    check_base(base)
    if not (isinstance(x, torch.Tensor) and x.is_cuda):
        x = check_samples(x, "x")  # errors name this function's argument
    return resolution(state_counts(x), base=base)


def mutual_information(a, b, base: float = 2) -> float:
    """Plug-in mutual information I(A;B) = H(A) + H(B) - H(A,B) between aligned samples.

    ``a`` (M, N_a) and ``b`` (M, N_b): rows are samples, columns any discrete values; each
    row is one value of the variable. In units of log ``base`` (bits by default).
    """
    A = check_samples(a, "a")
    B = check_samples(b, "b")
    if A.shape[0] != B.shape[0]:
        raise ValueError(f"a and b: expected the same number of samples (rows), got {A.shape[0]} and {B.shape[0]}")
    ia, na = state_ids(A)
    ib, nb = state_ids(B)
    joint = ia * nb + ib
    ha = resolution(np.bincount(ia), base)
    hb = resolution(np.bincount(ib), base)
    hab = resolution(np.unique(joint, return_counts=True)[1], base)
    return max(0.0, ha + hb - hab)


def mutual_information_table(p_xy, base: float = 2) -> float:
    """Exact I(X;Y) = sum_xy p(x,y) log[p(x,y) / (p(x) p(y))] of a joint probability table.

    The one home for the mutual information of a known joint distribution (Lin & Tegmark 2016
    eq. 22; the IB solver's I(X;Y); the synthesis chain). ``p_xy`` is a 2-D array of shape
    (|X|, |Y|) of non-negative entries summing to 1 (to within 1e-6; it is renormalised). In
    units of log ``base`` (bits by default); 0 <= I <= min(H(X), H(Y)).
    """
    p = as_numpy(p_xy, "p_xy")
    if p.dtype.kind not in "biuf":
        raise ValueError(f"p_xy: expected numeric probabilities, got dtype {p.dtype}")
    p = p.astype(np.float64)
    if p.ndim != 2 or p.size == 0:
        raise ValueError(f"p_xy: expected a non-empty 2-D joint table (|X|, |Y|), got shape {p.shape}")
    if not np.isfinite(p).all() or (p < 0).any():
        raise ValueError("p_xy: entries must be finite and non-negative probabilities")
    total = p.sum()
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"p_xy: probabilities must sum to 1 (they sum to {total:.6g})")
    b = check_base(base)
    p = p / total
    px = p.sum(1, keepdims=True)
    py = p.sum(0, keepdims=True)
    nz = p > 0
    mi = float((p[nz] * np.log(p[nz] / (px @ py)[nz])).sum()) / np.log(b)
    return max(0.0, mi)


__all__ = ["state_ids", "state_counts", "degeneracy", "resolution", "relevance", "entropy",
           "mutual_information", "mutual_information_table"]
