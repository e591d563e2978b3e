"""Input checks shared by the estimators: clear ValueErrors that name the argument."""
from __future__ import annotations

import numpy as np
import torch


def as_numpy(x, name: str) -> np.ndarray:
    """A NumPy view/copy of an array-like or tensor (CPU), with no silent NaN."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name}: cannot be read as an array ({exc})") from None
    if arr.dtype == object:
        raise ValueError(f"{name}: expected a numeric array, got dtype=object")
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or inf")


def check_counts(counts, name: str = "counts") -> np.ndarray:
    """Validate a 1-D array of state frequencies k_s: non-negative integers, not all zero."""
    c = as_numpy(counts, name)
    if c.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of state frequencies k_s, got shape {c.shape}")
    if c.size == 0:
        raise ValueError(f"{name}: is empty; expected at least one state")
    check_finite(c, name)
    if c.dtype.kind == "f":
        if not np.all(c == np.round(c)):
            raise ValueError(f"{name}: frequencies k_s must be whole numbers")
        c = c.astype(np.int64)
    elif c.dtype.kind not in "iub":
        raise ValueError(f"{name}: expected integer frequencies, got dtype {c.dtype}")
    c = c.astype(np.int64)
    if (c < 0).any():
        raise ValueError(f"{name}: contains negative frequencies")
    if c.sum() == 0:
        raise ValueError(f"{name}: all frequencies are zero; expected M = sum(k_s) > 0")
    return c


def check_base(base) -> float:
    try:
        b = float(base)
    except (TypeError, ValueError):
        raise ValueError(f"base={base!r}: expected a number > 1 (2 for bits, e for nats)") from None
    if not b > 1 or not np.isfinite(b):
        raise ValueError(f"base={base!r}: expected a number > 1 (2 for bits, e for nats)")
    return b


def check_samples(x, name: str, min_rows: int = 1) -> np.ndarray:
    """A 2-D (M, N) array of samples (a 1-D array is one column)."""
    arr = as_numpy(x, name)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected shape (M, N) with rows as samples, got shape {arr.shape}")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name}: has {arr.shape[0]} rows; expected at least {min_rows}")
    check_finite(arr, name)
    return arr
