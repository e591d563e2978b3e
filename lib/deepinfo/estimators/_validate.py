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
    if arr.dtype.kind == "c":
        raise ValueError(f"{name}: complex values are not supported; expected discrete (real or integer) values")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected shape (M, N) with rows as samples, got shape {arr.shape}")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name}: has {arr.shape[0]} rows; expected at least {min_rows}")
    check_finite(arr, name)
    return arr


def _bounds(minimum, maximum, low_open: bool = False, high_open: bool = False) -> str:
    parts = []
    if minimum is not None:
        parts.append(f"{'>' if low_open else '>='} {minimum}")
    if maximum is not None:
        parts.append(f"{'<' if high_open else '<='} {maximum}")
    return (" " + " and ".join(parts)) if parts else ""


def check_int(value, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer (not a bool, not a float such as 2.5) within [minimum, maximum]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}={value!r}: expected an integer{_bounds(minimum, maximum)}")
    v = int(value)
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        raise ValueError(f"{name}={value!r}: expected an integer{_bounds(minimum, maximum)}")
    return v


def check_real(value, name: str, minimum: float | None = None, maximum: float | None = None, *,
               low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number (not a bool or a string) within the given bounds (open where asked)."""
    what = f"a finite number{_bounds(minimum, maximum, low_open, high_open)}"
    if isinstance(value, (bool, np.bool_, str, bytes)) or isinstance(value, torch.Tensor) and value.numel() != 1:
        raise ValueError(f"{name}={value!r}: expected {what}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r}: expected {what}") from None
    if not np.isfinite(v):
        raise ValueError(f"{name}={value!r}: expected {what}")
    if minimum is not None and (v < minimum or (low_open and v == minimum)):
        raise ValueError(f"{name}={value!r}: expected {what}")
    if maximum is not None and (v > maximum or (high_open and v == maximum)):
        raise ValueError(f"{name}={value!r}: expected {what}")
    return v


def check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}={value!r}: expected True or False")
    return bool(value)


def check_vector(values, name: str, what: str = "numbers") -> np.ndarray:
    """A non-empty 1-D float64 array of finite real numbers (a nested list or a scalar is refused)."""
    arr = as_numpy(values, name)
    if arr.ndim != 1:
        got = "a scalar" if arr.ndim == 0 else f"shape {arr.shape}"
        raise ValueError(f"{name}: expected a 1-D sequence of {what}, got {got}")
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{name}: expected a 1-D sequence of {what}, got dtype {arr.dtype}")
    if arr.size == 0:
        raise ValueError(f"{name}: is empty; expected a 1-D sequence of {what}")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or inf; expected finite {what}")
    return arr


def check_prob_rows(p, name: str, shape: tuple | None = None) -> np.ndarray:
    """A non-empty 2-D float64 array whose rows are probability distributions (summing to 1 within 1e-6)."""
    arr = as_numpy(p, name)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty 2-D array of probabilities, got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected numeric probabilities, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or inf")
    if (arr < 0).any() or not np.allclose(arr.sum(1), 1.0, atol=1e-6):
        raise ValueError(f"{name}: rows must be probability distributions (non-negative, summing to 1)")
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name}: expected shape {tuple(shape)}, got {arr.shape}")
    return arr
