"""Discrete power-law MLE and Vuong comparison, on exact samples with known exponent."""
import math

import numpy as np
import pytest
from scipy import special

from deepinfo.estimators import PowerLawFit, powerlaw_beta, powerlaw_compare


def zipf_tail(rng, alpha, n, k_min=1):
    """n exact draws from P(k) = k^-alpha / zeta(alpha, k_min), k >= k_min (rejection from numpy's zipf)."""
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        k = rng.zipf(alpha, size=4 * n)
        out = np.concatenate([out, k[k >= k_min]])
    return out[:n]


@pytest.mark.parametrize("beta", [0.4, 0.7, 1.0, 1.5, 2.0])
def test_known_exponent_within_errors(beta):
    rng = np.random.default_rng(int(beta * 100))
    errs = []
    for n in (1000, 16000):
        fit = powerlaw_beta(zipf_tail(rng, beta + 1, n), k_min=1)
        assert isinstance(fit, PowerLawFit) and fit.alpha == pytest.approx(fit.beta + 1)
        assert fit.n_tail == n and fit.k_min == 1
        assert abs(fit.beta - beta) < 4 * fit.beta_err
        errs.append(fit.beta_err)
    # standard error ~ 1/sqrt(n): 16x the data, 4x smaller error
    assert errs[1] == pytest.approx(errs[0] / 4, rel=0.15)


def test_mle_solves_score_equation_and_error_is_fisher():
    rng = np.random.default_rng(7)
    k = zipf_tail(rng, 2.5, 3000, k_min=3)
    fit = powerlaw_beta(k, k_min=3)
    # score: d/dalpha log zeta(alpha, k_min) = -mean(ln k) at the MLE; derivative by brute-force sum
    K = np.arange(3, 2_000_000, dtype=np.float64)
    w = K ** -fit.alpha
    Z = w.sum() + special.zeta(fit.alpha, K[-1] + 1)
    mean_ln = (w * np.log(K)).sum() / Z
    var_ln = (w * np.log(K) ** 2).sum() / Z - mean_ln ** 2
    assert mean_ln == pytest.approx(np.log(k).mean(), rel=1e-4)
    assert fit.beta_err == pytest.approx(1 / math.sqrt(k.size * var_ln), rel=1e-3)


def test_ks_distance_matches_brute_force():
    rng = np.random.default_rng(8)
    k = zipf_tail(rng, 2.2, 500, k_min=2)
    fit = powerlaw_beta(k, k_min=2)
    grid = np.arange(2, k.max() + 2)
    F_emp = np.searchsorted(np.sort(k), grid, side="right") / k.size
    F = 1 - special.zeta(fit.alpha, grid + 1.0) / special.zeta(fit.alpha, 2.0)
    assert fit.ks_distance == pytest.approx(np.abs(F_emp - F).max(), rel=1e-9)


def test_k_min_found_by_ks():
    rng = np.random.default_rng(9)
    tail = zipf_tail(rng, 2.0, 4000, k_min=10)          # beta = 1 above k = 10
    body = rng.integers(1, 10, size=4000)               # flat below it: not a power law
    fit = powerlaw_beta(np.concatenate([body, tail]))
    assert 8 <= fit.k_min <= 14
    assert abs(fit.beta - 1.0) < 4 * fit.beta_err
    assert "KS" in fit.method


def test_degenerate_and_bad_input():
    fit = powerlaw_beta(np.ones(50, dtype=int))          # all states seen once: no spread
    assert fit.beta == math.inf and fit.n_tail == 50
    with pytest.raises(ValueError, match="k_min"):
        powerlaw_beta([1, 2, 3], k_min=0)
    with pytest.raises(ValueError, match="k_min"):
        powerlaw_beta([1, 2, 3], k_min=10)
    with pytest.raises(ValueError, match="counts"):
        powerlaw_beta([1, -2, 3])
    with pytest.raises(ValueError, match="counts"):
        powerlaw_beta([])
    with pytest.raises(ValueError, match="alternative"):
        powerlaw_compare([1, 2, 3], alternative="cauchy")


def test_vuong_picks_the_true_family():
    rng = np.random.default_rng(10)
    pl = zipf_tail(rng, 2.0, 4000)
    R, p = powerlaw_compare(pl, "exponential", k_min=1)
    assert R > 0 and p < 1e-3
    geo = rng.geometric(0.1, size=4000)
    R, p = powerlaw_compare(geo, "exponential", k_min=1)
    assert R < 0 and p < 1e-3
    logn = np.round(np.exp(rng.normal(2.0, 0.6, size=4000))).astype(int)
    R, p = powerlaw_compare(logn[logn > 0], "lognormal", k_min=1)
    assert R < 0 and p < 1e-3


def test_every_argument_is_checked_by_name():
    """Issue 11 item 6: each public argument of powerlaw.py rejects bad input with its name."""
    with pytest.raises(ValueError, match="min_tail"):
        powerlaw_beta([1, 2, 3, 4], min_tail=0)
    for bad in (-1, 2.5, True):
        with pytest.raises(ValueError, match="min_tail"):
            powerlaw_beta([1, 2, 3, 4], min_tail=bad)
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="k_min"):
            powerlaw_beta([1, 2, 3], k_min=bad)
    for bad in ([[1, 2]], [1.5], [0, 0], "abc"):
        with pytest.raises(ValueError, match="counts"):
            powerlaw_beta(bad)
        with pytest.raises(ValueError, match="counts"):
            powerlaw_compare(bad)
    with pytest.raises(ValueError, match="k_min"):
        powerlaw_compare([1, 2, 3], k_min=0)
    with pytest.raises(ValueError, match="counts"):
        powerlaw_compare(np.ones(20, dtype=int), "exponential")   # no spread of frequencies
