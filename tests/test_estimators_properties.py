"""Property tests (hypothesis) and closed forms for the counting estimators; bad input everywhere."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from deepinfo.estimators import (binned_information_plane, entropy, generation_ability, hidden_state_error,
                                 information_bottleneck_curve, kde_information_plane, max_relevance_curve,
                                 mutual_information, powerlaw_beta, relevance, resolution, state_counts)

FAST = settings(max_examples=40, deadline=None)

samples = hnp.arrays(np.int64, st.tuples(st.integers(1, 60), st.integers(1, 3)), elements=st.integers(0, 3))


def h2(q):
    return -(q * np.log2(q) + (1 - q) * np.log2(1 - q))


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------
@FAST
@given(samples, st.integers(0, 2 ** 32 - 1))
def test_mi_invariant_under_relabelling(x, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=(x.shape[0], 1))
    perm = rng.permutation(4) + 10               # a bijection of the values of every column
    assert mutual_information(perm[x], y) == pytest.approx(mutual_information(x, y), abs=1e-9)
    assert mutual_information(x, y) == pytest.approx(mutual_information(y, x), abs=1e-9)


@FAST
@given(samples, st.integers(0, 2 ** 32 - 1))
def test_data_processing_inequality(x, seed):
    rng = np.random.default_rng(seed)
    y = (x.sum(1, keepdims=True) + rng.integers(0, 2, size=(x.shape[0], 1))) % 3
    t1 = x[:, :1] * 4 + (x[:, -1:] > 1)          # deterministic maps X -> T1 -> T2 -> T3
    t2 = t1 % 5
    t3 = (t2 > 2).astype(int)
    chain = [x, t1, t2, t3]
    I_X = [mutual_information(x, t) for t in chain]
    I_Y = [mutual_information(y, t) for t in chain]
    assert all(a >= b - 1e-9 for a, b in zip(I_X, I_X[1:]))
    assert all(a >= b - 1e-9 for a, b in zip(I_Y, I_Y[1:]))
    # for a deterministic T = f(X), I(X;T) = H(T)
    assert I_X[2] == pytest.approx(entropy(t2), abs=1e-9)


@FAST
@given(hnp.arrays(np.int64, st.integers(1, 50), elements=st.integers(1, 30)))
def test_relevance_between_zero_and_resolution(counts):
    H_s, H_k = resolution(counts), relevance(counts)
    assert -1e-12 <= H_k <= H_s + 1e-12 <= np.log2(counts.sum()) + 2e-12


@FAST
@given(samples, st.integers(0, 2 ** 32 - 1))
def test_numpy_and_torch_agree(x, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=x.shape[0])
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    assert sorted(state_counts(xt)) == sorted(state_counts(x))
    assert mutual_information(xt, yt) == pytest.approx(mutual_information(x, y), abs=1e-12)
    assert hidden_state_error(xt, yt) == pytest.approx(hidden_state_error(x, y), abs=1e-12)
    a = np.tanh(x.astype(np.float32) - 1.5)
    p1 = rng.uniform(size=x.shape[0])
    assert np.allclose(binned_information_plane(torch.from_numpy(a), torch.from_numpy(p1), n_bins=5),
                       binned_information_plane(a, p1, n_bins=5), atol=1e-12)


# ---------------------------------------------------------------------------------------------
# closed forms
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 5, 16])
def test_uniform_states(n):
    x = np.repeat(np.arange(n), 7)[:, None]
    assert resolution(state_counts(x)) == pytest.approx(np.log2(n), abs=1e-12)
    assert relevance(state_counts(x)) == pytest.approx(0.0, abs=1e-12)   # every k equals 7
    assert resolution(state_counts(x), base=np.e) == pytest.approx(np.log(n), abs=1e-12)


def test_one_state_and_all_distinct():
    M = 50
    assert resolution([M]) == 0.0 and relevance([M]) == 0.0
    assert resolution(np.ones(M, int)) == pytest.approx(np.log2(M)) and relevance(np.ones(M, int)) == 0.0


def test_independent_identical_and_binary_symmetric_channel():
    # exactly independent: every pair of a 3 x 5 grid, equally often
    a, b = np.meshgrid(np.arange(3), np.arange(5))
    assert mutual_information(a.ravel(), b.ravel()) == pytest.approx(0.0, abs=1e-12)
    x = np.repeat(np.arange(8), 3)
    assert mutual_information(x, x) == pytest.approx(3.0)
    assert mutual_information(x, x * 7 + 1) == pytest.approx(3.0)
    # binary symmetric channel with exactly eps = 1/8 of each input flipped: I = 1 - h(eps)
    x = np.repeat([0, 1], 800)
    flip = np.tile(np.r_[np.ones(100), np.zeros(700)], 2).astype(int)
    assert mutual_information(x, x ^ flip) == pytest.approx(1 - h2(1 / 8), abs=1e-12)


# ---------------------------------------------------------------------------------------------
# bad input: a ValueError that names the argument, never a silent NaN
# ---------------------------------------------------------------------------------------------
BAD = [
    (lambda: resolution([1.0, np.nan]), "counts"),
    (lambda: relevance([1, np.inf]), "counts"),
    (lambda: resolution([]), "counts"),
    (lambda: resolution([[1, 2]]), "counts"),
    (lambda: relevance([3, -1]), "counts"),
    (lambda: state_counts(np.zeros((0, 3))), "codes"),
    (lambda: state_counts(np.zeros((2, 2, 2))), "codes"),
    (lambda: state_counts(np.array([[0.0], [np.nan]])), "codes"),
    (lambda: mutual_information(np.array([1.0, np.inf]), np.array([0, 1])), "a"),
    (lambda: mutual_information(np.zeros(2), np.zeros((2, 2, 2))), "b"),
    (lambda: powerlaw_beta([1, 2, np.nan]), "counts"),
    (lambda: powerlaw_beta([2, -1]), "counts"),
    (lambda: binned_information_plane(np.zeros((3, 2)), np.full(3, 0.5), n_bins=0), "n_bins"),
    (lambda: binned_information_plane(np.zeros((3, 2)), np.full((3, 2), 0.4)), "p_y_given_x"),
    (lambda: binned_information_plane(np.array([[np.inf, 0.0]]), np.full(1, 0.5)), "activations"),
    (lambda: binned_information_plane(np.zeros((2, 2, 2, 2)), np.full(2, 0.5)), "activations"),
    (lambda: kde_information_plane(np.zeros((3, 2)), np.full(3, np.nan), noise_var=0.1), "p_y_given_x"),
    (lambda: information_bottleneck_curve(np.full((2, 2), 0.2), [1.0]), "pxy"),
    (lambda: information_bottleneck_curve(np.full((2, 2), 0.25), [np.nan]), "betas"),
    (lambda: max_relevance_curve(0), "M"),
    (lambda: generation_ability([0, 1], []), "q_labels"),
    (lambda: hidden_state_error(np.zeros((2, 1)), np.zeros((2, 2))), "labels"),
]


@pytest.mark.parametrize("call, name", BAD)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()
