"""Information-plane coordinates (I(X;T), I(T;Y)) of a layer T: binning and a KDE bound.

Setting (Shwartz-Ziv & Tishby 2017, section 3.2): the P inputs x are the rows of
``activations`` and are equally likely, p(x) = 1/P; the label rule p(y|x) is known; the
layer T = t(x) is a deterministic function of x. Then

* I(X;T) = H(T) - H(T|X) = H(T), the entropy of the discretised layer;
* I(T;Y) = sum_{t,y} p(t,y) log[p(t,y) / (p(t) p(y))] with p(t,y) = sum_{x: t(x)=t} p(x) p(y|x),
  i.e. the Markov chain Y -> X -> T.

All values in bits unless ``base`` says otherwise.

Batched computation. The chapter needs these numbers for ~50 networks x 7 layers x 200
epochs, so every function takes a batch ``(B, P, N)`` of snapshots of one layer and computes
all B pairs with a handful of tensor operations (no Python loop over snapshots):

1. each unit is turned into a bin index in [0, L);
2. the N indices of a pattern become one exact int64 key by Horner's rule
   ``key = key * L + idx_j``; whenever the next step could overflow 2**62 the keys are first
   replaced by their dense rank within the snapshot (< P), so the key stays exact for any N;
3. keys are sorted along P; a new state starts wherever the sorted key changes;
4. the state sizes k_t give H(T) = log P - (1/P) sum_t k_t log k_t, and segment sums
   (``index_add_``) of p(y|x) over the patterns of each state give p(t, y).

Everything runs in torch on the device of ``activations`` (CPU or CUDA), in float64.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from scipy.special import xlogy

from ._validate import check_bool, check_int, check_real

_KEY_LIMIT = 2 ** 62


# ---------------------------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------------------------
def _as_tensor(x, name: str, device=None) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        t = x.detach()
    else:
        try:
            arr = np.asarray(x)
        except Exception as exc:  # ragged lists and the like
            raise ValueError(f"{name}: cannot be read as an array ({exc})") from None
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            raise ValueError(f"{name}: expected a numeric array, got dtype={arr.dtype}")
        t = torch.from_numpy(np.ascontiguousarray(arr))
    if device is not None:
        t = t.to(device)
    if t.is_complex():
        raise ValueError(f"{name}: complex values are not supported")
    return t


def _check_activations(activations) -> tuple[torch.Tensor, bool]:
    """(B, P, N) float64 tensor and whether the input was batched."""
    a = _as_tensor(activations, "activations")
    if a.ndim not in (2, 3):
        raise ValueError("activations: expected shape (P, N) for one layer or (B, P, N) for a batch, "
                         f"got shape {tuple(a.shape)}")
    batched = a.ndim == 3
    if not batched:
        a = a[None]
    if a.shape[0] == 0 or a.shape[1] == 0 or a.shape[2] == 0:
        raise ValueError(f"activations: is empty (shape {tuple(a.shape)}); expected B, P, N >= 1")
    a = a.to(torch.float64)
    if not torch.isfinite(a).all():
        raise ValueError("activations: contains NaN or inf")
    return a, batched


def _check_p_y_given_x(p_y_given_x, B: int, P: int, device) -> torch.Tensor:
    """p(y|x) as a float64 tensor of shape (B or 1, P, n_y), rows summing to 1, on ``device``.

    The checks are those of :func:`_np_p_y_given_x` (the rule is small: P x n_y values).
    """
    return torch.from_numpy(_np_p_y_given_x(p_y_given_x, B, P)).to(device)


def _check_base(base) -> float:
    try:
        b = float(base)
    except (TypeError, ValueError):
        raise ValueError(f"base={base!r}: expected a number > 1 (2 for bits, e for nats)") from None
    if not (b > 1) or not math.isfinite(b):
        raise ValueError(f"base={base!r}: expected a number > 1 (2 for bits, e for nats)")
    return b


def _check_binning(n_bins, lo, hi, bin_width, adaptive):
    """Validated (n_bins, lo, hi, bin_width, adaptive); each error names its argument."""
    adaptive = check_bool(adaptive, "adaptive")
    if bin_width is not None:
        return n_bins, lo, hi, check_real(bin_width, "bin_width", 0.0, low_open=True), adaptive
    n_bins = check_int(n_bins, "n_bins", 1)
    if not adaptive:
        lo = check_real(lo, "lo")
        hi = check_real(hi, "hi")
        if not hi > lo:
            raise ValueError(f"lo={lo!r}, hi={hi!r}: expected finite bounds with lo < hi")
    return n_bins, lo, hi, bin_width, adaptive


# ---------------------------------------------------------------------------------------------
# discretisation and exact state keys
# ---------------------------------------------------------------------------------------------
def bin_indices(activations, n_bins: int = 30, lo: float = -1.0, hi: float = 1.0, *,
                bin_width: float | None = None, adaptive: bool = False) -> tuple[torch.Tensor, int]:
    """Bin index of every unit: ``(idx, L)`` with ``idx`` int64 of the input's shape, in [0, L).

    * default: n_bins equal bins on [lo, hi]; ``idx = floor((a - lo) / (hi - lo) * n_bins)``,
      values outside [lo, hi] clipped into the end bins (Shwartz-Ziv & Tishby 2017 sec. 3.2:
      30 bins on [-1, 1] for tanh-like units).
    * ``adaptive=True``: the same n_bins equal bins, but on [min, max] of each snapshot (each
      element of the batch, over all its patterns and units).
    * ``bin_width=w``: a fixed grid anchored at 0, ``idx = floor(a / w)`` (Saxe et al. 2018,
      ``simplebinmi``), as many bins as the activations span; n_bins, lo, hi are ignored.
    """
    n_bins, lo, hi, bin_width, adaptive = _check_binning(n_bins, lo, hi, bin_width, adaptive)
    a, batched = _check_activations(activations)
    if bin_width is not None:
        w = float(bin_width)
        if not (w > 0) or not math.isfinite(w):
            raise ValueError(f"bin_width={bin_width!r}: expected a finite number > 0")
        idx = torch.floor(a / w)
        idx = idx - idx.amin(dim=(1, 2), keepdim=True)
        L = int(idx.max().item()) + 1
        if L > 2 ** 31:
            raise ValueError(f"bin_width={bin_width!r}: too small for the activations' range ({L} bins)")
        idx = idx.to(torch.int64)
    else:
        if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
            raise ValueError(f"n_bins={n_bins!r}: expected an integer >= 1")
        n_bins = int(n_bins)
        if adaptive:
            lo_t = a.amin(dim=(1, 2), keepdim=True)
            hi_t = a.amax(dim=(1, 2), keepdim=True)
        else:
            lo, hi = float(lo), float(hi)
            if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
                raise ValueError(f"lo={lo!r}, hi={hi!r}: expected finite bounds with lo < hi")
            lo_t = torch.tensor(lo, dtype=a.dtype, device=a.device)
            hi_t = torch.tensor(hi, dtype=a.dtype, device=a.device)
        width = (hi_t - lo_t) / n_bins
        width = torch.where(width > 0, width, torch.ones_like(width))  # a constant snapshot: one bin
        idx = torch.floor((a - lo_t) / width).clamp_(0, n_bins - 1).to(torch.int64)
        L = n_bins
    return (idx if batched else idx[0]), L


def _dense_rank(keys: torch.Tensor) -> torch.Tensor:
    """Replace the int64 keys of each row of (B, P) by their dense rank in that row (< P)."""
    sorted_keys, order = torch.sort(keys, dim=1)
    new = torch.ones_like(sorted_keys, dtype=torch.int64)
    new[:, 0] = 0
    new[:, 1:] = (sorted_keys[:, 1:] != sorted_keys[:, :-1]).to(torch.int64)
    rank = torch.cumsum(new, dim=1)
    return torch.empty_like(rank).scatter_(1, order, rank)


def pattern_keys(idx: torch.Tensor, L: int) -> torch.Tensor:
    """One exact int64 key per pattern from its N bin indices: (B, P, N) in [0, L) -> (B, P).

    Two patterns of the same snapshot get the same key iff all their indices agree. Horner's
    rule in base L; when the next digit could overflow 2**62 the keys are first replaced by
    their dense rank within the snapshot, so any N works (the key is then not a mixed-radix
    number any more, but still exact).
    """
    if not isinstance(idx, torch.Tensor) or idx.ndim != 3 or idx.dtype != torch.int64:
        got = f"{idx.dtype} tensor of shape {tuple(idx.shape)}" if isinstance(idx, torch.Tensor) else type(idx).__name__
        raise ValueError(f"idx: expected an int64 tensor of shape (B, P, N) (from bin_indices), got {got}")
    L = check_int(L, "L", 1)
    if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= L):
        raise ValueError(f"idx: bin indices must lie in [0, L) = [0, {L}); got [{int(idx.min())}, {int(idx.max())}]")
    B, P, N = idx.shape
    keys = torch.zeros((B, P), dtype=torch.int64, device=idx.device)
    bound = 1  # keys < bound
    for j in range(N):
        if bound * L >= _KEY_LIMIT:
            keys = _dense_rank(keys)
            bound = P
        keys = keys * L + idx[:, :, j]
        bound *= L
    return keys


def _plane_from_keys(keys: torch.Tensor, p_yx: torch.Tensor, base: float) -> tuple[np.ndarray, np.ndarray]:
    """I(X;T), I(T;Y) for each row of keys (B, P) with p(y|x) (B or 1, P, n_y); natural log then base."""
    B, P = keys.shape
    n_y = p_yx.shape[2]
    sorted_keys, order = torch.sort(keys, dim=1)
    new = torch.ones((B, P), dtype=torch.bool, device=keys.device)
    new[:, 1:] = sorted_keys[:, 1:] != sorted_keys[:, :-1]
    flat_new = new.reshape(-1)
    seg = torch.cumsum(flat_new.to(torch.int64), 0) - 1          # state id of each sorted pattern
    n_seg = int(seg[-1].item()) + 1
    starts = torch.nonzero(flat_new).squeeze(1)
    seg_batch = torch.div(starts, P, rounding_mode="floor")       # which snapshot each state is in
    k = torch.bincount(seg, minlength=n_seg).to(torch.float64)   # state sizes k_t
    logP = math.log(P)
    # H(T) = log P - (1/P) sum_t k_t log k_t
    klogk = torch.zeros(B, dtype=torch.float64, device=keys.device).index_add_(0, seg_batch, k * torch.log(k))
    H_T = logP - klogk / P
    # p(t, y) * P = sum over the patterns of t of p(y|x)
    if p_yx.shape[0] == 1:
        p_sorted = p_yx[0][order]                                 # (B, P, n_y)
    else:
        p_sorted = torch.gather(p_yx, 1, order[:, :, None].expand(B, P, n_y))
    S = torch.zeros((n_seg, n_y), dtype=torch.float64, device=keys.device)
    S.index_add_(0, seg, p_sorted.reshape(-1, n_y))
    p_y = p_yx.mean(dim=1)                                        # (B or 1, n_y)
    p_y = p_y.expand(B, n_y)[seg_batch]                          # (n_seg, n_y)
    # I(T;Y) = sum_{t,y} p(t,y) log[p(t,y) / (p(t) p(y))],  p(t,y) = S/P, p(t) = k/P
    ratio = S / (k[:, None] * p_y)
    terms = torch.where(S > 0, S * torch.log(torch.where(S > 0, ratio, torch.ones_like(ratio))),
                        torch.zeros_like(S)).sum(1) / P
    I_Y = torch.zeros(B, dtype=torch.float64, device=keys.device).index_add_(0, seg_batch, terms)
    scale = 1.0 / math.log(base)
    I_X = (H_T * scale).clamp_min(0.0).cpu().numpy()
    I_Y = (I_Y * scale).clamp_min(0.0).cpu().numpy()
    return I_X, I_Y


# ---------------------------------------------------------------------------------------------
# NumPy path (CPU): sort one composite int64 per pattern, (state key << pbits) | pattern index
# ---------------------------------------------------------------------------------------------
def _np_activations(activations):
    """(B, P, N) ndarray (any float dtype), batched flag; CUDA tensors return None (torch path)."""
    if isinstance(activations, torch.Tensor):
        if activations.is_cuda:
            return None, None
        arr = activations.detach().numpy()
    else:
        try:
            arr = np.asarray(activations)
        except Exception as exc:
            raise ValueError(f"activations: cannot be read as an array ({exc})") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise ValueError(f"activations: expected a numeric array, got dtype={arr.dtype}")
    if arr.ndim not in (2, 3):
        raise ValueError("activations: expected shape (P, N) for one layer or (B, P, N) for a batch, "
                         f"got shape {arr.shape}")
    batched = arr.ndim == 3
    if not batched:
        arr = arr[None]
    if 0 in arr.shape:
        raise ValueError(f"activations: is empty (shape {arr.shape}); expected B, P, N >= 1")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError("activations: contains NaN or inf")
    return arr, batched


def _np_p_y_given_x(p_y_given_x, B: int, P: int) -> np.ndarray:
    """p(y|x) as float64 (B or 1, P, n_y); the checks of :func:`_check_p_y_given_x`, in NumPy."""
    if isinstance(p_y_given_x, torch.Tensor):
        if p_y_given_x.is_cuda:
            p_y_given_x = p_y_given_x.cpu()
        p_y_given_x = p_y_given_x.detach().numpy()
    try:
        p = np.asarray(p_y_given_x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"p_y_given_x: cannot be read as an array of probabilities ({exc})") from None
    shape = p.shape
    binary = p.ndim == 1
    if binary:
        p = np.stack([1.0 - p, p], axis=-1)
    if p.ndim == 2:
        p = p[None]
    if p.ndim != 3:
        raise ValueError(f"p_y_given_x: expected shape (P,) = p(y=1|x), (P, n_y) or (B, P, n_y), got shape {shape}")
    if p.shape[1] != P:
        raise ValueError(f"p_y_given_x: has {p.shape[1]} rows but activations have P = {P} patterns")
    if p.shape[0] not in (1, B):
        raise ValueError(f"p_y_given_x: batch size {p.shape[0]} does not match activations (B = {B})")
    if p.shape[2] == 0:
        raise ValueError("p_y_given_x: has no label columns")
    if not np.isfinite(p).all():
        raise ValueError("p_y_given_x: contains NaN or inf")
    if (p < -1e-12).any() or (p > 1 + 1e-12).any():
        raise ValueError("p_y_given_x: probabilities must lie in [0, 1]")
    if not binary and np.abs(p.sum(-1) - 1.0).max() > 1e-6:
        raise ValueError("p_y_given_x: each row p(.|x) must sum to 1")
    return np.clip(p, 0.0, 1.0)


def _np_bins(a: np.ndarray, n_bins, lo, hi, bin_width, adaptive) -> tuple[np.ndarray, int]:
    """Float64 array of bin indices (exact small integers) of a (B, P, N) batch, and L."""
    if bin_width is not None:
        x = a.astype(np.float64)  # a copy we can work in
        w = float(bin_width)
        if not (w > 0) or not math.isfinite(w):
            raise ValueError(f"bin_width={bin_width!r}: expected a finite number > 0")
        x /= w
        np.floor(x, out=x)
        x -= x.min(axis=(1, 2), keepdims=True)
        L = int(x.max()) + 1
        if L > 2 ** 31:
            raise ValueError(f"bin_width={bin_width!r}: too small for the activations' range ({L} bins)")
        return x, L
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins={n_bins!r}: expected an integer >= 1")
    n_bins = int(n_bins)
    if adaptive:
        lo_a = a.min(axis=(1, 2), keepdims=True).astype(np.float64)
        width = (a.max(axis=(1, 2), keepdims=True).astype(np.float64) - lo_a) / n_bins
        width[width <= 0] = 1.0  # a constant snapshot: one bin
    else:
        lo, hi = float(lo), float(hi)
        if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
            raise ValueError(f"lo={lo!r}, hi={hi!r}: expected finite bounds with lo < hi")
        lo_a, width = lo, (hi - lo) / n_bins
    x = np.subtract(a, lo_a, dtype=np.float64)  # float64 copy: (a - lo) / w, w = (hi - lo) / n_bins
    x /= width
    np.floor(x, out=x)
    np.clip(x, 0, n_bins - 1, out=x)
    return x, n_bins


def _np_dense_rank(keys: np.ndarray) -> np.ndarray:
    order = np.argsort(keys, axis=1)
    s = np.take_along_axis(keys, order, axis=1)
    new = np.empty(s.shape, dtype=np.int64)
    new[:, 0] = 0
    np.not_equal(s[:, 1:], s[:, :-1], out=new[:, 1:])
    rank = np.cumsum(new, axis=1)
    out = np.empty_like(rank)
    np.put_along_axis(out, order, rank, axis=1)
    return out


def _np_keys(x: np.ndarray, L: int, limit: int) -> np.ndarray:
    """Exact int64 key < limit per pattern from float64 bin indices (B, P, N) in [0, L)."""
    B, P, N = x.shape
    L = max(int(L), 1)
    limit = min(limit, 2 ** 53)  # Horner's rule runs in float64: exact below 2**53
    if N * math.log2(L) < 60 and L ** N <= limit:  # all digits at once: sum_j idx_j L^(N-1-j), exact in float64
        w = float(L) ** np.arange(N - 1, -1, -1, dtype=np.float64)
        # einsum, not @: no BLAS threads inside the worker threads of _run_chunks
        return np.einsum("ij,j->i", x.reshape(B * P, N), w).reshape(B, P).astype(np.int64)
    keys = x[:, :, 0].copy()
    bound = L
    for j in range(1, N):
        if bound * L >= limit:
            keys = _np_dense_rank(keys.astype(np.int64)).astype(np.float64)
            bound = P
        keys *= L
        keys += x[:, :, j]
        bound *= L
    return keys.astype(np.int64)


def _np_plane_from_keys(keys: np.ndarray, p_yx: np.ndarray, pbits: int, log_base: float):
    B, P = keys.shape
    n_y = p_yx.shape[2]
    small = int(keys.max()) < (1 << (31 - pbits))  # composite fits int32: a sort of half the bytes
    dt = np.int32 if small else np.int64
    ck = keys.astype(dt) << pbits
    ck |= np.arange(P, dtype=dt)
    ck.sort(axis=1)
    order = ck & ((1 << pbits) - 1)
    ck >>= pbits                                              # sorted state keys
    new = np.empty((B, P), dtype=bool)
    new[:, 0] = True
    np.not_equal(ck[:, 1:], ck[:, :-1], out=new[:, 1:])
    starts = np.flatnonzero(new)                              # first pattern of each state
    k = np.diff(np.append(starts, B * P)).astype(np.float64)  # state sizes k_t
    seg_b = starts // P                                       # snapshot of each state
    klogk = np.bincount(seg_b, weights=k * np.log(k), minlength=B)  # k >= 1
    H_T = math.log(P) - klogk / P
    # P * p(t, y) = S[t, y] = sum over the patterns x of state t of p(y|x)
    if n_y == 2:                                              # binary label: one segment sum
        q = p_yx[:, :, 1]
        qs = (q[0][order] if q.shape[0] == 1 else np.take_along_axis(q, order, axis=1)).ravel()
        S1 = np.add.reduceat(qs, starts)
        S0 = k - S1
        np.clip(S0, 0.0, None, out=S0)
        slogs = S1 * np.log(np.maximum(S1, 1e-300))  # 0 log 0 = 0
        slogs += S0 * np.log(np.maximum(S0, 1e-300))
    else:
        ps = (p_yx[0][order] if p_yx.shape[0] == 1 else
              np.take_along_axis(p_yx, order[:, :, None], axis=1)).reshape(-1, n_y)
        S = np.add.reduceat(ps, starts, axis=0)
        slogs = xlogy(S, S).sum(axis=1)
    # I(T;Y) = H(Y) - H(Y|T),  P H(Y|T) = sum_t k_t log k_t - sum_{t,y} S_ty log S_ty
    p_y = p_yx.mean(axis=1)                                    # (B or 1, n_y)
    H_Y = -xlogy(p_y, p_y).sum(axis=1)
    I_Y = H_Y - (klogk - np.bincount(seg_b, weights=slogs, minlength=B)) / P
    return np.clip(H_T / log_base, 0.0, None), np.clip(I_Y / log_base, 0.0, None)


def _np_plane(x: np.ndarray, L: int, p_yx: np.ndarray, log_base: float):
    B, P, _ = x.shape
    pbits = max(1, int(P - 1).bit_length())
    keys = _np_keys(x, L, 2 ** (62 - pbits))
    return _np_plane_from_keys(keys, p_yx, pbits, log_base)


_CHUNK_PATTERNS = 2 ** 20  # snapshots are processed in chunks of at most about this many patterns
_POOL: tuple | None = None  # ((threads, pid), ThreadPoolExecutor)


def _n_threads() -> int:
    """Worker threads for the NumPy path: the CPUs we may use, capped by torch's thread setting."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(n, torch.get_num_threads()))


def _run_chunks(work, B: int, P: int) -> None:
    """Call work(start, end) over chunks of the B snapshots; chunks run in threads (NumPy's sort
    and ufuncs release the GIL), so a batch uses every core it is allowed."""
    global _POOL
    threads = _n_threads()
    n_parts = max(-(-B * P // _CHUNK_PATTERNS), min(threads, B))
    bounds = np.linspace(0, B, n_parts + 1).round().astype(int)
    spans = [(int(s), int(e)) for s, e in zip(bounds[:-1], bounds[1:]) if e > s]
    if threads == 1 or len(spans) == 1:
        for s, e in spans:
            work(s, e)
        return
    if _POOL is None or _POOL[0] != (threads, os.getpid()):  # a forked child must not reuse the parent's pool
        _POOL = ((threads, os.getpid()), ThreadPoolExecutor(max_workers=threads, thread_name_prefix="deepinfo-ip"))
    for f in [_POOL[1].submit(work, s, e) for s, e in spans]:
        f.result()


def binned_information_plane(activations, p_y_given_x, n_bins: int = 30, lo: float = -1.0, hi: float = 1.0,
                             *, bin_width: float | None = None, adaptive: bool = False, base: float = 2):
    """Binned information-plane coordinates (I(X;T), I(T;Y)) of a layer, Shwartz-Ziv & Tishby 2017 sec. 3.2.

    Each unit is discretised, the layer is one variable T (the tuple of its N bin indices), the
    P input patterns are equally likely, p(x) = 1/P, and the label follows the known rule
    p(y|x) (their eq. 10). Because T is a deterministic function of X,

        I(X;T) = H(T) = -sum_t (k_t/P) log(k_t/P),            k_t = #patterns in state t,
        I(T;Y) = sum_{t,y} p(t,y) log[p(t,y) / (p(t) p(y))],  p(t,y) = (1/P) sum_{x in t} p(y|x),

    (their eqs. 5-6 bound both along the layers: H(X) >= I(X;T_1) >= ..., I(X;Y) >= I(T_1;Y) >= ...).

    Parameters
    ----------
    activations : array or tensor, shape (P, N) for one layer, or (B, P, N) for B snapshots
        (networks x epochs) of the same layer, computed in one vectorised pass. Rows are the
        P input patterns, in the same order as ``p_y_given_x``. CPU or CUDA.
    p_y_given_x : shape (P,) = p(y=1|x) for a binary label, or (P, n_y) with rows summing to 1,
        or (B, P, n_y) for a different rule per snapshot.
    n_bins, lo, hi : n_bins equal bins on [lo, hi] (paper: 30 bins on [-1, 1]); values outside
        are clipped into the end bins.
    bin_width : fixed bin width anchored at 0 (Saxe et al. 2018); overrides n_bins/lo/hi.
    adaptive : use [min, max] of each snapshot as [lo, hi] (for unbounded units such as ReLU).
    base : logarithm base (2: bits).

    Returns
    -------
    (I_X, I_Y) : two floats for a (P, N) input; two float64 arrays of shape (B,) for (B, P, N).

    What the binning choice does to compression (Saxe et al., ICLR 2018):
    the estimate is the entropy of a quantisation, not of the (continuous, deterministic,
    hence infinite-information) layer. With **fixed bounds** [lo, hi] (the paper's choice for
    tanh) I_X falls when units saturate into the end bins, or when activations shrink into fewer
    bins; for an unbounded ReLU layer fixed bounds clip every large value into one bin, which
    manufactures "compression". A **fixed bin width** counts how many cells of a fixed grid the
    patterns occupy: growing weights spread activations over more cells, so ReLU layers show
    little or no compression while saturating tanh layers still do (the central observation of
    Saxe et al.). **Adaptive bounds** rescale the grid to each snapshot's range: the estimate
    becomes invariant to an overall scale of the layer and measures only the shape of the
    activation distribution; a few large outliers stretch the range and crowd the other
    patterns into few bins, which again lowers I_X. Fewer/larger bins lower both coordinates
    (I_X <= log2 of the number of occupied cells); with many bins every pattern is distinct and
    I_X = log2 P, I_Y = I(X;Y) for every layer, and nothing can be seen.
    """
    b = _check_base(base)
    n_bins, lo, hi, bin_width, adaptive = _check_binning(n_bins, lo, hi, bin_width, adaptive)
    arr, batched = _np_activations(activations)
    if arr is None:  # CUDA tensor: the same algorithm in torch, on its device
        a, batched = _check_activations(activations)
        B, P, _ = a.shape
        p_yx = _check_p_y_given_x(p_y_given_x, B, P, a.device)
        idx, L = bin_indices(a, n_bins, lo, hi, bin_width=bin_width, adaptive=adaptive)
        I_X, I_Y = _plane_from_keys(pattern_keys(idx, L), p_yx, b)
    else:
        B, P, _ = arr.shape
        p_yx = _np_p_y_given_x(p_y_given_x, B, P)
        I_X, I_Y = np.empty(B), np.empty(B)

        def work(s, e):
            x, L = _np_bins(arr[s:e], n_bins, lo, hi, bin_width, adaptive)
            pc = p_yx if p_yx.shape[0] == 1 else p_yx[s:e]
            I_X[s:e], I_Y[s:e] = _np_plane(x, L, pc, math.log(b))

        _run_chunks(work, B, P)
    if batched:
        return I_X, I_Y
    return float(I_X[0]), float(I_Y[0])


def discrete_information_plane(states, p_y_given_x, base: float = 2):
    """(I(X;T), I(T;Y)) for an already discrete layer ``states`` (P, N) or (B, P, N) of integers.

    Same formulas as :func:`binned_information_plane`, without binning (e.g. binarised units).
    """
    b = _check_base(base)
    s = _as_tensor(states, "states")
    if s.ndim not in (2, 3):
        raise ValueError(f"states: expected shape (P, N) or (B, P, N), got shape {tuple(s.shape)}")
    batched = s.ndim == 3
    if not batched:
        s = s[None]
    if s.numel() == 0:
        raise ValueError(f"states: is empty (shape {tuple(s.shape)})")
    if s.is_floating_point():
        if not torch.isfinite(s).all():
            raise ValueError("states: contains NaN or inf")
        if not (s == torch.round(s)).all():
            raise ValueError("states: expected integer values (discrete states)")
    s = s.to(torch.int64)
    s = s - s.amin(dim=(1, 2), keepdim=True)
    L = int(s.max().item()) + 1
    B, P, _ = s.shape
    p_yx = _check_p_y_given_x(p_y_given_x, B, P, s.device)
    I_X, I_Y = _plane_from_keys(pattern_keys(s, L), p_yx, b)
    if batched:
        return I_X, I_Y
    return float(I_X[0]), float(I_Y[0])


# ---------------------------------------------------------------------------------------------
# Kolchinsky-Tracey pairwise-distance (KDE) upper bound
# ---------------------------------------------------------------------------------------------
#: entries of one tile of the KDE's distance computation (2 MiB of float64: stays in cache)
_KDE_TILE = 2 ** 18


def kde_information_plane(activations, p_y_given_x, noise_var: float, *, base: float = 2,
                          max_batch_elements: int = 2 ** 25):
    """Pairwise-distance upper bound on (I(X;T), I(T;Y)) for T = h(X) + Gaussian noise (Saxe et al. 2018).

    Kolchinsky & Tracey (2017) bound the entropy of a mixture of P Gaussians N(t_j, s^2 I)
    with weights c_j by H <= H_comp - sum_i c_i log sum_j c_j exp(-D_ij), where
    D_ij = ||t_i - t_j||^2 / (2 s^2) is the KL divergence between components and
    H_comp = (N/2) log(2 pi e s^2). With T = h(X) + noise, noise_var = s^2 and uniform inputs
    the component entropy cancels in the differences (Saxe et al., ICLR 2018, ``kde.py``):

        I(X;T) <= -(1/P) sum_i log[(1/P) sum_j exp(-D_ij)]                         (<= log P)
        I(T;Y) ~= that - sum_y p(y) [ -sum_i w^y_i log sum_j w^y_j exp(-D_ij) ],   w^y_j = p(x_j|y)

    For hard labels w^y is uniform over the patterns of class y, exactly Saxe et al.'s code;
    p(x|y) = p(y|x) / (P p(y)) generalises it to soft rules. The I(T;Y) value is a difference of
    two upper bounds (as in Saxe et al.), not itself a bound. In bits by default.

    Parameters
    ----------
    activations : (P, N) or (B, P, N) array/tensor (CPU or CUDA).
    p_y_given_x : (P,) = p(y=1|x), (P, n_y) or (B, P, n_y).
    noise_var : s^2 > 0, the variance of the added Gaussian noise (Saxe et al. used 1e-1).
    max_batch_elements : the distances are computed in tiles of (networks x rows x P) entries, at
        most this many (and at most 2^18, a cache-sized tile; memory: 8 bytes each).

    Returns (I_X, I_Y): floats for (P, N) input, float64 arrays of shape (B,) for (B, P, N).
    """
    b = _check_base(base)
    a, batched = _check_activations(activations)
    try:
        var = float(noise_var)
    except (TypeError, ValueError):
        raise ValueError(f"noise_var={noise_var!r}: expected a number > 0") from None
    if not (var > 0) or not math.isfinite(var):
        raise ValueError(f"noise_var={noise_var!r}: expected a finite number > 0")
    max_batch_elements = check_int(max_batch_elements, "max_batch_elements", 1)
    B, P, _ = a.shape
    p_yx = _check_p_y_given_x(p_y_given_x, B, P, a.device)
    # tiles of nb networks x rows patterns x P patterns: at most max_batch_elements entries, and at most
    # _KDE_TILE (cache-sized) so that the few passes over a tile stay in cache (3x faster than whole
    # P x P matrices at P = 2048). Rows are independent: each tile adds its rows' terms to the sums.
    tile = min(int(max_batch_elements), _KDE_TILE)
    rows = min(P, max(1, tile // P))
    chunk = max(1, tile // (rows * P))
    I_X = np.empty(B)
    I_Y = np.empty(B)
    logP = math.log(P)
    for start in range(0, B, chunk):
        x = a[start:start + chunk]                                             # (b, P, N)
        nb = x.shape[0]
        sq = (x * x).sum(-1)                                                   # (b, P)
        xt = x.transpose(1, 2)
        pyx = p_yx if p_yx.shape[0] == 1 else p_yx[start:start + chunk]
        pyx = pyx.expand(nb, P, pyx.shape[2])
        p_y = pyx.mean(dim=1)                                                  # (b, n_y)
        w = pyx / (P * p_y[:, None, :]).clamp_min(1e-300)                      # p(x_j|y), (b, P, n_y)
        log_s = torch.zeros(nb, dtype=a.dtype, device=a.device)                # sum_i log sum_j E_ij
        wlog_g = torch.zeros(nb, w.shape[2], dtype=a.dtype, device=a.device)  # sum_i w_i log sum_j w_j E_ij
        for r0 in range(0, P, rows):
            r1 = min(P, r0 + rows)
            d = torch.baddbmm(sq[:, None, :], x[:, r0:r1], xt, alpha=-2.0)
            d = d.add_(sq[:, r0:r1, None]).clamp_min_(0.0)                   # ||t_i - t_j||^2, (b, r, P)
            # E_ij = exp(-D_ij), in place. No max-shift is needed: D_ij >= 0 and D_ii = 0, so E_ij <= 1
            # (no overflow) and every row sum is >= E_ii = 1 (no underflow of log sum_j).
            E = d.mul_(-0.5 / var).exp_()
            log_s += E.sum(dim=2).log().sum(dim=1)
            # sum_j w^y_j E_ij for every class at once; for w^y_i > 0 it is >= w^y_i E_ii = w^y_i > 0
            g = torch.bmm(E, w)                                                # (b, r, n_y)
            wr = w[:, r0:r1]
            wlog_g += torch.where(wr > 0, wr * g.clamp_min(1e-300).log(), torch.zeros_like(wr)).sum(dim=1)
        # H(T) bound minus component entropy: -(1/P) sum_i [log sum_j E_ij - log P]
        h_t = logP - log_s / P                                                 # (b,)
        h_ty = torch.where(p_y > 0, -p_y * wlog_g, torch.zeros_like(wlog_g)).sum(dim=1)
        sl = slice(start, start + x.shape[0])
        I_X[sl] = (h_t / math.log(b)).clamp_min(0.0).cpu().numpy()
        I_Y[sl] = ((h_t - h_ty) / math.log(b)).clamp_min(0.0).cpu().numpy()
    if batched:
        return I_X, I_Y
    return float(I_X[0]), float(I_Y[0])


__all__ = ["binned_information_plane", "discrete_information_plane", "kde_information_plane",
           "bin_indices", "pattern_keys"]
