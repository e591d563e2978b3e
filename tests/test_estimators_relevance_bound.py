"""The maximal-relevance curve against exhaustive enumeration of the integer partitions of M."""
import numpy as np
import pytest

from deepinfo.estimators import TOLERANCE_BITS, max_relevance_curve, relevance, resolution


def partitions(n, largest=None):
    """All integer partitions of n (non-increasing parts)."""
    largest = n if largest is None else largest
    if n == 0:
        yield ()
        return
    for p in range(min(n, largest), 0, -1):
        for rest in partitions(n - p, p):
            yield (p,) + rest


def all_points(M):
    pts = []
    for part in partitions(M):
        k = np.array(part, dtype=float)
        p = k / M
        ks, m = np.unique(k, return_counts=True)
        w = ks * m / M
        pts.append((-(p * np.log2(p)).sum(), -(w * np.log2(w)).sum()))
    return np.array(pts)


@pytest.mark.parametrize("M", [1, 2, 7, 12, 16, 25, 31, 40])
def test_envelope_against_enumeration(M):
    P = all_points(M)
    H_s, H_k, parts = max_relevance_curve(M, return_partitions=True)
    assert np.all(np.diff(H_s) > 0)
    # no partition lies above the interpolated curve by more than the stated tolerance
    assert (P[:, 1] - np.interp(P[:, 0], H_s, H_k)).max() <= TOLERANCE_BITS
    # every vertex is attained exactly, by a partition of M it returns
    for hs, hk, m in zip(H_s, H_k, parts):
        assert (np.arange(1, M + 1) * m).sum() == M
        counts = np.repeat(np.arange(1, M + 1), m)
        assert resolution(counts) == pytest.approx(hs, abs=1e-12)
        assert relevance(counts) == pytest.approx(hk, abs=1e-12)
        assert np.min(np.hypot(P[:, 0] - hs, P[:, 1] - hk)) < 1e-9
    # end points: one state (0, 0) and, for M > 1, all distinct (log2 M, 0)
    assert (H_s[0], H_k[0]) == (0.0, 0.0)
    assert H_s[-1] == pytest.approx(np.log2(M)) and H_k[-1] == pytest.approx(0.0, abs=1e-12)
    assert np.all(H_k <= H_s + 1e-12)


def test_large_M_bounds_samples_and_units():
    M = 10_000
    H_s, H_k = max_relevance_curve(M)
    assert np.all(H_k <= H_s + 1e-12) and H_s[-1] == pytest.approx(np.log2(M))
    rng = np.random.default_rng(0)
    for beta in (0.5, 1.0, 2.0):  # samples with power-law frequencies lie below the curve
        k = rng.zipf(beta + 1, size=4 * M)
        k = k[np.cumsum(k) <= M]
        k = np.append(k, M - k.sum()) if k.sum() < M else k
        assert relevance(k) <= np.interp(resolution(k), H_s, H_k) + TOLERANCE_BITS
    Hs_nat, Hk_nat = max_relevance_curve(M, base=np.e)
    assert np.allclose(Hs_nat, H_s * np.log(2)) and np.allclose(Hk_nat, H_k * np.log(2))


def test_bad_M():
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="M"):
            max_relevance_curve(bad)
