"""The power-law exponent beta of the degeneracy m_k ~ k^(-beta-1), by discrete maximum likelihood.

Song, Marsili & Jo (2018, Fig. 2b-c, eq. 8) and Lee & Jo (2022, eq. 7) find that the number
m_k of states observed exactly k times follows m_k ~ k^(-beta-1). Read as a distribution of
the state frequencies k_s (one observation per state s), this is a discrete power law

    P(k) = k^(-alpha) / zeta(alpha, k_min),    k >= k_min,    alpha = beta + 1,

with zeta the Hurwitz zeta function. We fit it as Clauset, Shalizi & Newman (2009, SIAM Rev.
51:661) recommend, instead of a least-squares line through log m_k vs log k (biased, no error):

* alpha maximises the log-likelihood  l(alpha) = -n log zeta(alpha, k_min) - alpha sum_i ln k_i
  over the n states with k_i >= k_min (their eq. 3.5; l is concave, the maximum unique);
* its standard error is 1 / sqrt(n I(alpha)), I(alpha) = d^2/dalpha^2 log zeta(alpha, k_min)
  = Var[ln k] under the fitted law (their eq. 3.6, the Fisher information);
* if k_min is not given, it is the candidate (each distinct k with at least ``min_tail`` states
  at or above it) that minimises the Kolmogorov-Smirnov distance between the empirical and the
  fitted CDF of the tail (their section 3.3);
* :func:`powerlaw_compare` compares the power law with an exponential or a log-normal tail by
  Vuong's normalised log-likelihood ratio test (their section 5.1).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from ._validate import check_counts

_MAX_CANDIDATES = 120  # k_min candidates scanned: all of the 60 smallest distinct k, 60 log-spaced above
_ALPHA_MAX = 20.0  # beta <= 19; keeps zeta(alpha, k_min) far from underflow for any k_min < 1e15


@dataclass(frozen=True)
class PowerLawFit:
    """Result of :func:`powerlaw_beta`.

    beta, beta_err : exponent of m_k ~ k^(-beta-1) and its standard error (alpha = beta + 1).
        ``inf`` when every tail state has the same k (no spread: the likelihood grows without bound).
    alpha : exponent of P(k) ~ k^(-alpha) of the state frequencies.
    k_min : smallest frequency included in the fit.
    n_states : number of states in ``counts`` (k_s > 0); n_tail : those with k_s >= k_min.
    ks_distance : Kolmogorov-Smirnov distance between the tail's empirical and fitted CDFs.
    method : how the fit was made, in words.
    """
    beta: float
    beta_err: float
    alpha: float
    k_min: int
    n_states: int
    n_tail: int
    ks_distance: float
    method: str


def _log_zeta(alpha, q):
    return np.log(special.zeta(alpha, q))


def _mle_alpha(n: int, sum_log_k: float, k_min: int) -> float:
    """argmax_alpha of -n log zeta(alpha, k_min) - alpha sum ln k (concave), on (1, _ALPHA_MAX]."""
    mean_log = sum_log_k / n

    def score(a):  # d/dalpha of l / n
        h = min(1e-6 * a, (a - 1.0) * 1e-3)
        return -(_log_zeta(a + h, k_min) - _log_zeta(a - h, k_min)) / (2 * h) - mean_log

    lo, hi = 1.0 + 1e-9, _ALPHA_MAX
    # the score falls from +inf (alpha -> 1) to mean(ln k_min) - mean(ln k) <= 0
    if score(hi) >= 0:
        return hi
    # bracket away from the singularity at alpha = 1
    lo = 1.0 + 1e-6
    while score(lo) < 0 and lo > 1.0 + 1e-15:
        lo = 1.0 + (lo - 1.0) / 10
    if score(lo) < 0:
        return lo
    return optimize.brentq(score, lo, hi, xtol=1e-12, rtol=1e-12)


def _fisher(alpha: float, k_min: int) -> float:
    """d^2/dalpha^2 log zeta(alpha, k_min) = Var[ln k] under P(k) = k^-alpha / zeta(alpha, k_min)."""
    h = min(1e-4 * alpha, (alpha - 1.0) * 1e-2)
    f0 = _log_zeta(alpha, k_min)
    return float((_log_zeta(alpha + h, k_min) - 2 * f0 + _log_zeta(alpha - h, k_min)) / h ** 2)


def _ks(tail_sorted: np.ndarray, alpha: float, k_min: int) -> float:
    """sup_k |F_emp(k) - F(k)| over all integers k >= k_min (F steps only at integers)."""
    u, c = np.unique(tail_sorted, return_counts=True)
    n = tail_sorted.size
    F_emp = np.cumsum(c) / n
    z0 = special.zeta(alpha, k_min)
    F_at_u = 1.0 - special.zeta(alpha, u + 1.0) / z0               # P(K <= u)
    d = np.abs(F_emp - F_at_u).max()
    # just before each next observed value the empirical CDF is still F_emp(u_i)
    if u.size > 1:
        F_before = 1.0 - special.zeta(alpha, u[1:] * 1.0) / z0       # P(K <= u_{i+1} - 1)
        d = max(d, np.abs(F_before - F_emp[:-1]).max())
    if u[0] > k_min:                                                # below the first observed value
        d = max(d, 1.0 - special.zeta(alpha, u[0] * 1.0) / z0)
    return float(d)


def _positive_counts(counts) -> np.ndarray:
    c = check_counts(counts)
    return np.sort(c[c > 0])


def powerlaw_beta(counts, k_min: int | None = None, *, min_tail: int = 10) -> PowerLawFit:
    """Exponent beta of m_k ~ k^(-beta-1) (Song et al. 2018 Fig. 2c; Lee & Jo 2022 eq. 7) by discrete MLE.

    Parameters
    ----------
    counts : 1-D integer array (n_states,), the state frequencies k_s (from :func:`state_counts`).
        Zero entries are ignored.
    k_min : fit only k_s >= k_min; ``None`` chooses it by KS minimisation (Clauset et al. 2009 sec. 3.3)
        among the distinct k_s that leave at least ``min_tail`` states in the tail (all states if
        there are fewer); with more than 120 such values, the 60 smallest and 60 log-spaced others.

    Returns
    -------
    PowerLawFit with beta = alpha - 1 (dimensionless) and its standard error
    1 / sqrt(n_tail * Var[ln k]) (Clauset et al. eq. 3.6, evaluated at the fitted alpha).
    The error is statistical only; it ignores the choice of k_min.
    """
    k = _positive_counts(counts)
    n_states = k.size
    log_k = np.log(k)
    cum_log = np.concatenate([[0.0], np.cumsum(log_k[::-1])])[::-1]  # cum_log[i] = sum(log_k[i:])
    if k_min is not None:
        if isinstance(k_min, bool) or not isinstance(k_min, (int, np.integer)) or k_min < 1:
            raise ValueError(f"k_min={k_min!r}: expected an integer >= 1")
        if not (k >= k_min).any():
            raise ValueError(f"k_min={k_min}: no state has k_s >= k_min (largest k_s is {k.max()})")
        candidates = [int(k_min)]
        how = f"k_min = {int(k_min)} given"
    else:
        distinct = np.unique(k)
        n_at_or_above = n_states - np.searchsorted(k, distinct, side="left")
        ok = distinct[n_at_or_above >= min(min_tail, n_states)]
        if ok.size > _MAX_CANDIDATES:  # every small k, then a log-spaced subset of the rest
            head = ok[:_MAX_CANDIDATES // 2]
            rest = ok[_MAX_CANDIDATES // 2:]
            pick = np.unique(np.round(np.geomspace(1, rest.size, _MAX_CANDIDATES // 2)).astype(int) - 1)
            ok = np.concatenate([head, rest[pick]])
        candidates = [int(v) for v in ok]
        how = "k_min by KS minimisation (Clauset et al. 2009 sec. 3.3)"
    best = None        # (ks distance, alpha, k_min, n_tail) of the best non-degenerate candidate
    degenerate = None  # (k_min, n_tail) of the first candidate whose tail has a single value of k
    for km in candidates:
        i = int(np.searchsorted(k, km, side="left"))
        tail = k[i:]
        if tail[0] == tail[-1]:  # no spread: the likelihood grows without bound as alpha -> inf
            degenerate = degenerate or (km, tail.size)
            continue
        alpha = _mle_alpha(tail.size, cum_log[i], km)
        d = _ks(tail, alpha, km)
        if best is None or d < best[0]:
            best = (d, alpha, km, tail.size)
    method = f"discrete power-law MLE (Clauset, Shalizi & Newman 2009 eqs. 3.5-3.6); {how}"
    if best is None:
        km, n = degenerate
        return PowerLawFit(math.inf, math.inf, math.inf, int(km), int(n_states), int(n), 0.0,
                           method + "; degenerate: all tail frequencies equal")
    d, alpha, km, n = best
    err = 1.0 / math.sqrt(n * _fisher(alpha, km))
    return PowerLawFit(float(alpha - 1.0), float(err), float(alpha), int(km), int(n_states), int(n),
                       float(d), method)


# ---------------------------------------------------------------------------------------------
# likelihood-ratio comparison with alternative tails
# ---------------------------------------------------------------------------------------------
def _log_diff_ndtr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log(Phi(b) - Phi(a)) for a < b, accurate in both tails."""
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    out = np.empty(a.shape)
    upper = a > 0  # both in the upper tail: use Phi(-a) - Phi(-b)
    la, lb = special.log_ndtr(-a[upper]), special.log_ndtr(-b[upper])
    out[upper] = la + np.log1p(-np.exp(np.minimum(lb - la, 0.0)))
    lo_a, lo_b = special.log_ndtr(a[~upper]), special.log_ndtr(b[~upper])
    out[~upper] = lo_b + np.log1p(-np.exp(np.minimum(lo_a - lo_b, 0.0)))
    return out


def _lognormal_loglik(params, tail: np.ndarray, k_min: int) -> np.ndarray:
    """Per-state log P(k) for a log-normal binned onto the integers k >= k_min."""
    mu, log_sigma = params
    sigma = math.exp(log_sigma)
    z = lambda x: (np.log(x) - mu) / sigma  # noqa: E731
    num = _log_diff_ndtr(z(tail - 0.5), z(tail + 0.5))
    norm = special.log_ndtr(-z(np.array([k_min - 0.5])))[0]  # log P(k >= k_min - 0.5)
    return num - norm


def powerlaw_compare(counts, alternative: str = "lognormal", k_min: int | None = None) -> tuple[float, float]:
    """Vuong's log-likelihood-ratio test of the power law against ``alternative`` (Clauset et al. 2009 sec. 5.1).

    Both distributions are fitted by maximum likelihood to the same tail k_s >= k_min (k_min
    from :func:`powerlaw_beta` when None):

    * ``"exponential"``: P(k) = (1 - e^-lam) e^(-lam (k - k_min)) (geometric), closed-form MLE;
    * ``"lognormal"``: a log-normal (mu, sigma) of k binned onto the integers,
      P(k) ∝ Phi(z(k + 1/2)) - Phi(z(k - 1/2)), z(x) = (ln x - mu) / sigma, normalised on k >= k_min.

    Returns ``(R, p)``: R = sum_i [ln P_pl(k_i) - ln P_alt(k_i)] (nats; positive favours the
    power law) and the two-sided p-value p = erfc(|R| / (sqrt(2 n) sigma_l)) of the hypothesis
    that both fit equally well, sigma_l the standard deviation of the per-state differences.
    A small p means the sign of R is meaningful.
    """
    if alternative not in ("lognormal", "exponential"):
        raise ValueError(f"alternative={alternative!r}: expected 'lognormal' or 'exponential'")
    fit = powerlaw_beta(counts, k_min)
    k = _positive_counts(counts)
    tail = k[k >= fit.k_min].astype(np.float64)
    n = tail.size
    if not math.isfinite(fit.alpha) or n < 2:
        raise ValueError("counts: the tail has no spread of frequencies; the comparison is undefined")
    km = fit.k_min
    l_pl = -fit.alpha * np.log(tail) - _log_zeta(fit.alpha, km)
    if alternative == "exponential":
        m = float((tail - km).mean())
        lam = math.log1p(1.0 / m)
        l_alt = math.log(-math.expm1(-lam)) - lam * (tail - km)
    else:
        start = np.array([np.log(tail).mean(), math.log(max(np.log(tail).std(), 0.1))])
        # the likelihood depends on the tail only through its distinct frequencies and their
        # multiplicities m_k: optimise over those (tens of values instead of 10^4 states)
        vals, inverse, mult = np.unique(tail, return_inverse=True, return_counts=True)
        res = optimize.minimize(lambda p: -(mult * _lognormal_loglik(p, vals, km)).sum(), start,
                                method="Nelder-Mead", options=dict(xatol=1e-8, fatol=1e-10, maxiter=4000))
        l_alt = _lognormal_loglik(res.x, vals, km)[inverse.reshape(-1)]
    diff = l_pl - l_alt
    R = float(diff.sum())
    sd = float(diff.std())
    p = 1.0 if sd == 0 else float(special.erfc(abs(R) / (math.sqrt(2 * n) * sd)))
    return R, p


__all__ = ["PowerLawFit", "powerlaw_beta", "powerlaw_compare"]
