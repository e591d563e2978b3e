"""Uncertainty of measured values: one home for the standard error and the bootstrap interval.

Every number a claim reports comes from a handful of realisations, networks, seeds or
samples; these are the two ways the book states its spread:

* :func:`mean_se`: the mean and its standard error ``s / sqrt(n)`` (``s`` with ``ddof=1``)
  over ``n`` independent realisations along ``axis``, ignoring NaN entries;
* :func:`bootstrap_interval`: a percentile bootstrap interval of any statistic of
  independent samples (Efron & Tibshirani 1993, ch. 13), seeded, so the same input gives the
  same interval;
* :func:`wilson_interval`: the Wilson score interval of a proportion (in how many of n networks
  something happened), which stays inside [0, 1] and is honest for small n;
* :func:`difference_se`: the difference of two independent estimates and its standard error,
  the two standard errors combined in quadrature.

Both return plain floats/arrays; :class:`deepinfo.claims.Uncertainty` carries them into a claim
together with what they were taken over.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np


def mean_se(x, axis: int = 0) -> tuple[np.ndarray | float, np.ndarray | float, np.ndarray | int]:
    """Mean, standard error of the mean and number of finite values along ``axis``.

    ``se = std(x, ddof=1) / sqrt(n)`` over the finite entries; with ``n = 1`` the standard
    error is NaN (one realisation says nothing about the spread), never 0.

    Parameters
    ----------
    x : array_like of shape (..., n, ...) with the realisations along ``axis``
    axis : the axis of realisations

    Returns
    -------
    (mean, se, n), each of ``x``'s shape without ``axis`` (scalars for 1-D input).
    """
    a = np.asarray(x, dtype=float)
    if a.ndim == 0:
        raise ValueError(f"x: expected an array of realisations, got the scalar {float(a)!r}")
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(f"axis={axis}: x has {a.ndim} dimension(s)")
    ok = np.isfinite(a)
    n = ok.sum(axis=axis)
    if np.any(n == 0):
        raise ValueError("x: a slice along `axis` has no finite value; cannot take its mean")
    filled = np.where(ok, a, 0.0)
    mean = filled.sum(axis=axis) / n
    dev = np.where(ok, a - np.expand_dims(mean, axis), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (dev ** 2).sum(axis=axis) / (n - 1)
        se = np.where(n > 1, np.sqrt(var / n), np.nan)
    if a.ndim == 1:
        return float(mean), float(se), int(n)
    return mean, se, n


def bootstrap_interval(samples, statistic: Callable[[np.ndarray], float] = np.mean, *, n_boot: int = 2000,
                       level: float = 0.95, rng: int | np.random.Generator = 0) -> tuple[float, float, float]:
    """Percentile bootstrap interval of ``statistic`` over independent ``samples``.

    Resamples the first axis of ``samples`` with replacement ``n_boot`` times and returns
    ``(estimate, lo, hi)``: the statistic of the data and the ``(1-level)/2`` and
    ``(1+level)/2`` quantiles of the resampled statistics.

    Parameters
    ----------
    samples : array_like of shape (n, ...), n >= 2 independent samples along axis 0
    statistic : maps an array of shape (n, ...) to a float
    n_boot : number of bootstrap resamples (>= 100)
    level : coverage of the interval, in (0, 1)
    rng : seed or generator (the interval is reproducible for a fixed seed)
    """
    a = np.asarray(samples)
    if a.ndim == 0 or len(a) < 2:
        raise ValueError(f"samples: need at least 2 independent samples along axis 0, got shape {a.shape}")
    if not (isinstance(n_boot, (int, np.integer)) and n_boot >= 100):
        raise ValueError(f"n_boot={n_boot!r}: expected an integer >= 100")
    if not 0.0 < float(level) < 1.0:
        raise ValueError(f"level={level!r}: expected a coverage in (0, 1), e.g. 0.95")
    g = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    est = float(statistic(a))
    idx = g.integers(0, len(a), size=(int(n_boot), len(a)))
    boot = np.array([float(statistic(a[i])) for i in idx])
    boot = boot[np.isfinite(boot)]
    if boot.size < n_boot // 2:
        raise ValueError("statistic: more than half of the bootstrap resamples gave a non-finite value")
    lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return est, float(lo), float(hi)


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``successes / n`` (95% for the default z).

    ``(centre -/+ half) / (1 + z^2/n)`` with ``centre = p + z^2/(2n)`` and
    ``half = z sqrt(p(1-p)/n + z^2/(4n^2))`` (Wilson 1927); ``(0, 1)`` when ``n = 0``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n={n!r}: expected a number of trials >= 0")
    if isinstance(successes, bool) or not isinstance(successes, (int, np.integer)) or not 0 <= successes <= n:
        raise ValueError(f"successes={successes!r}: expected an integer in [0, n={n}]")
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def difference_se(a: float, se_a: float, b: float, se_b: float) -> tuple[float, float]:
    """``(a - b, sqrt(se_a^2 + se_b^2))``: the difference of two independent estimates and its standard error.

    The variances of independent estimates add, so the standard errors combine in quadrature. A standard
    error that is not finite (NaN: one realisation, no spread) makes the difference's NaN too, never 0.
    """
    a, se_a, b, se_b = float(a), float(se_a), float(b), float(se_b)
    se = math.sqrt(se_a ** 2 + se_b ** 2) if math.isfinite(se_a) and math.isfinite(se_b) else math.nan
    return a - b, se
