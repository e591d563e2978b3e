"""Closed-form checks of state counting, resolution and relevance."""
import numpy as np
import pytest
import torch

from deepinfo.estimators import degeneracy, mutual_information, relevance, resolution, state_counts


def test_all_distinct_and_one_state():
    M = 64
    codes = np.array([[int(b) for b in f"{i:06b}"] for i in range(M)])
    c = state_counts(codes)
    assert sorted(c) == [1] * M
    assert resolution(c) == pytest.approx(np.log2(M)) and relevance(c) == pytest.approx(0.0)
    one = state_counts(np.zeros((M, 6), dtype=np.uint8))
    assert one.tolist() == [M] and resolution(one) == 0.0 and relevance(one) == 0.0


def test_hand_example():
    # 10 samples: states a a a b b c d e e e -> k = (3, 2, 1, 1, 3)
    labels = np.array(list("aaabbcdeee"))
    codes = np.frombuffer("".join(labels).encode(), dtype=np.uint8)[:, None]
    c = np.sort(state_counts(codes))
    assert c.tolist() == [1, 1, 2, 3, 3]
    k, m_k = degeneracy(c)
    assert k.tolist() == [1, 2, 3] and m_k.tolist() == [2, 1, 2]
    p_s = np.array([3, 2, 1, 1, 3]) / 10
    assert resolution(c) == pytest.approx(-(p_s * np.log2(p_s)).sum())
    p_k = np.array([2, 2, 6]) / 10
    assert relevance(c) == pytest.approx(-(p_k * np.log2(p_k)).sum())


@pytest.mark.parametrize("N", [5, 63, 64, 500, 3000])
def test_wide_binary_codes_match_unique_rows(N):
    rng = np.random.default_rng(N)
    base = rng.integers(0, 2, size=(37, N), dtype=np.uint8)
    codes = base[rng.integers(0, 37, size=2000)]
    expected = np.unique(codes, axis=0, return_counts=True)[1]
    assert sorted(state_counts(codes)) == sorted(expected)
    assert sorted(state_counts(torch.from_numpy(codes))) == sorted(expected)


def test_mutual_information_closed_forms():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, size=(4000, 1))
    assert mutual_information(x, x) == pytest.approx(resolution(state_counts(x)))
    # exactly independent: all pairs of a 4 x 4 grid, equally often
    a, b = np.meshgrid(np.arange(4), np.arange(4))
    assert mutual_information(a.ravel(), b.ravel()) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("bad, msg", [(np.array([1, -1]), "negative"), (np.array([]), "empty"),
                                      (np.array([[1, 2]]), "1-D"), (np.array([1.0, np.nan]), "NaN"),
                                      (np.array([0, 0]), "zero")])
def test_bad_counts_raise(bad, msg):
    with pytest.raises(ValueError, match=msg):
        resolution(bad)


def test_bad_base_and_shapes():
    with pytest.raises(ValueError, match="base"):
        resolution([1, 2], base=1)
    with pytest.raises(ValueError, match="codes"):
        state_counts(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="same number of samples"):
        mutual_information(np.zeros(3), np.zeros(4))
