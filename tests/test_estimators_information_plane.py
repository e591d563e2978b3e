"""Binned and KDE information-plane estimators against closed forms and a plain-Python reference."""
from collections import defaultdict

import numpy as np
import pytest
import torch

from deepinfo.estimators import binned_information_plane, discrete_information_plane, kde_information_plane
from deepinfo.estimators import information_plane as ip


def reference_plane(states, p_y):
    """I(X;T), I(T;Y) in bits from a dict over tuple rows; states (P, N) discrete, p_y (P, n_y)."""
    P = len(states)
    k = defaultdict(float)
    S = defaultdict(lambda: np.zeros(p_y.shape[1]))
    for row, py in zip(map(tuple, states), p_y):
        k[row] += 1
        S[row] = S[row] + py
    pt = np.array([k[t] / P for t in k])
    H_T = -(pt * np.log2(pt)).sum()
    p_y_marg = p_y.mean(0)
    I_Y = 0.0
    for t in k:
        for y in range(p_y.shape[1]):
            pty = S[t][y] / P
            if pty > 0:
                I_Y += pty * np.log2(pty / (k[t] / P * p_y_marg[y]))
    return H_T, I_Y


def fixed_bins(a, n_bins, lo, hi):
    return np.clip(np.floor((a - lo) / ((hi - lo) / n_bins)), 0, n_bins - 1).astype(int)


def two_col(p1):
    return np.stack([1 - p1, p1], axis=1)


@pytest.fixture
def snapshots():
    rng = np.random.default_rng(1)
    P = 256
    a = np.tanh(rng.normal(scale=1.5, size=(6, P, 4)))
    p1 = rng.uniform(size=P)
    return a, p1


@pytest.mark.parametrize("n_bins", [1, 2, 3, 7, 30])
def test_fixed_bins_match_reference(snapshots, n_bins):
    a, p1 = snapshots
    I_X, I_Y = binned_information_plane(a, p1, n_bins=n_bins)
    assert I_X.shape == I_Y.shape == (len(a),)
    for b in range(len(a)):
        ref = reference_plane(fixed_bins(a[b], n_bins, -1.0, 1.0), two_col(p1))
        assert (I_X[b], I_Y[b]) == pytest.approx(ref, abs=1e-10)
        assert binned_information_plane(a[b], p1, n_bins=n_bins) == pytest.approx(ref, abs=1e-10)


def test_bin_width_and_adaptive_match_reference(snapshots):
    a, p1 = snapshots
    a = 3 * np.maximum(a, 0) + 0.01  # ReLU-like, beyond [-1, 1]
    w = 0.3
    I_X, I_Y = binned_information_plane(a, p1, bin_width=w)
    I_Xa, I_Ya = binned_information_plane(a, p1, n_bins=5, adaptive=True)
    for b in range(len(a)):
        assert (I_X[b], I_Y[b]) == pytest.approx(
            reference_plane(np.floor(a[b] / w).astype(int), two_col(p1)), abs=1e-10)
        assert (I_Xa[b], I_Ya[b]) == pytest.approx(
            reference_plane(fixed_bins(a[b], 5, a[b].min(), a[b].max()), two_col(p1)), abs=1e-10)


def test_adaptive_bins_are_scale_invariant(snapshots):
    a, p1 = snapshots
    # multiplying by 4 is exact in floating point, so every bin index is unchanged
    assert np.allclose(binned_information_plane(4 * a, p1, n_bins=6, adaptive=True),
                       binned_information_plane(a, p1, n_bins=6, adaptive=True), atol=1e-12)


def test_many_labels_and_per_snapshot_rules(snapshots):
    a, _ = snapshots
    rng = np.random.default_rng(2)
    B, P, _ = a.shape
    p = rng.dirichlet(np.ones(3), size=(B, P))
    I_X, I_Y = binned_information_plane(a, p, n_bins=4)
    for b in range(B):
        assert (I_X[b], I_Y[b]) == pytest.approx(reference_plane(fixed_bins(a[b], 4, -1, 1), p[b]), abs=1e-10)


def test_wide_layers_use_exact_keys():
    # 30**40 overflows int64: the key is rebuilt by dense ranks; states must still be exact
    rng = np.random.default_rng(3)
    P, N = 300, 40
    base = rng.uniform(-1, 1, size=(20, N))
    a = base[rng.integers(0, 20, size=P)][None].repeat(2, axis=0)
    a[1, :, 7] = 0.0  # second snapshot: a column that carries nothing
    p1 = rng.uniform(size=P)
    I_X, I_Y = binned_information_plane(a, p1)
    for b in range(2):
        assert (I_X[b], I_Y[b]) == pytest.approx(reference_plane(fixed_bins(a[b], 30, -1, 1), two_col(p1)),
                                                  abs=1e-10)


def test_closed_forms():
    P = 64
    x = ((np.arange(P)[:, None] >> np.arange(6)) & 1).astype(float)
    p1 = 1 / (1 + np.exp(-(x @ np.linspace(-2, 2, 6))))
    # all patterns distinct: I_X = log2 P and I_Y = I(X;Y) = H(Y) - mean_x h2(p(y|x))
    h2 = lambda q: -(q * np.log2(q) + (1 - q) * np.log2(1 - q))  # noqa: E731
    I_X, I_Y = binned_information_plane(x - 0.5, p1, n_bins=2)
    assert I_X == pytest.approx(np.log2(P)) and I_Y == pytest.approx(h2(p1.mean()) - h2(p1).mean())
    # a constant layer carries nothing
    assert binned_information_plane(np.zeros((P, 3)), p1) == pytest.approx((0.0, 0.0), abs=1e-12)
    # a layer that copies a balanced deterministic label: one bit each
    y = x[:, 0]
    assert binned_information_plane(np.stack([y, y], 1) - 0.5, y, n_bins=2) == pytest.approx((1.0, 1.0))
    # nats
    assert binned_information_plane(x - 0.5, p1, n_bins=2, base=np.e)[0] == pytest.approx(np.log(P))


def test_numpy_torch_float32_agree(snapshots):
    a, p1 = snapshots
    a32 = a.astype(np.float32)
    ref = binned_information_plane(a32, p1)
    assert np.allclose(binned_information_plane(torch.from_numpy(a32), torch.from_numpy(p1)), ref, atol=1e-12)
    # the torch implementation (used for CUDA tensors), run here on CPU
    idx, L = ip.bin_indices(torch.from_numpy(a32), 30, -1.0, 1.0)
    p = ip._check_p_y_given_x(p1, a.shape[0], a.shape[1], "cpu")
    I_X, I_Y = ip._plane_from_keys(ip.pattern_keys(idx, L), p, 2.0)
    assert np.allclose(I_X, ref[0], atol=1e-10) and np.allclose(I_Y, ref[1], atol=1e-10)
    # the torch dense-rank path for wide layers
    wide = torch.from_numpy(np.tile(a32, (1, 1, 12)))
    idx, L = ip.bin_indices(wide, 30, -1.0, 1.0)
    I_X, I_Y = ip._plane_from_keys(ip.pattern_keys(idx, L), p, 2.0)
    assert np.allclose((I_X, I_Y), binned_information_plane(wide, p1), atol=1e-10)


def test_discrete_states():
    rng = np.random.default_rng(4)
    s = rng.integers(-2, 3, size=(3, 100, 2))
    p1 = rng.uniform(size=100)
    I_X, I_Y = discrete_information_plane(s, p1)
    for b in range(3):
        assert (I_X[b], I_Y[b]) == pytest.approx(reference_plane(s[b], two_col(p1)), abs=1e-10)


@pytest.mark.parametrize("kwargs, p, msg", [
    (dict(activations=np.full((4, 2), np.nan)), np.full(4, 0.5), "activations"),
    (dict(activations=np.zeros((0, 2))), np.zeros(0), "activations"),
    (dict(activations=np.zeros(4)), np.full(4, 0.5), "activations"),
    (dict(activations=np.zeros((4, 2)), n_bins=0), np.full(4, 0.5), "n_bins"),
    (dict(activations=np.zeros((4, 2)), lo=1.0, hi=-1.0), np.full(4, 0.5), "lo"),
    (dict(activations=np.zeros((4, 2)), bin_width=-1.0), np.full(4, 0.5), "bin_width"),
    (dict(activations=np.zeros((4, 2))), np.full(3, 0.5), "p_y_given_x"),
    (dict(activations=np.zeros((4, 2))), np.full(4, 1.5), "p_y_given_x"),
    (dict(activations=np.zeros((4, 2))), np.full((4, 2), 0.3), "p_y_given_x"),
    (dict(activations=np.zeros((4, 2))), np.array([0.5, np.inf, 0.5, 0.5]), "p_y_given_x"),
])
def test_bad_input_raises(kwargs, p, msg):
    with pytest.raises(ValueError, match=msg):
        binned_information_plane(p_y_given_x=p, **kwargs)


# ---------------------------------------------------------------------------------------------
# KDE (Kolchinsky-Tracey) bound
# ---------------------------------------------------------------------------------------------
def kde_reference(t, p, var):
    """Plain double loop over the formulas of the docstring, in bits."""
    P = len(t)
    D = np.array([[np.sum((t[i] - t[j]) ** 2) / (2 * var) for j in range(P)] for i in range(P)])
    h_t = -np.mean([np.log(np.mean(np.exp(-D[i]))) for i in range(P)])
    p_y = p.mean(0)
    h_ty = 0.0
    for y in range(p.shape[1]):
        w = p[:, y] / (P * p_y[y])
        h_ty += p_y[y] * -sum(w[i] * np.log(np.sum(w * np.exp(-D[i]))) for i in range(P) if w[i] > 0)
    return h_t / np.log(2), (h_t - h_ty) / np.log(2)


def test_kde_matches_reference_and_limits():
    rng = np.random.default_rng(5)
    P = 40
    t = rng.normal(size=(3, P, 3))
    p1 = rng.uniform(size=P)
    I_X, I_Y = kde_information_plane(t, p1, noise_var=0.5, max_batch_elements=P * P)  # one per chunk
    for b in range(3):
        assert (I_X[b], I_Y[b]) == pytest.approx(kde_reference(t[b], two_col(p1), 0.5), rel=1e-9)
    # tiles of 3 rows (P = 40 is not a multiple) and one network at a time give the same numbers
    I_Xt, I_Yt = kde_information_plane(t, p1, noise_var=0.5, max_batch_elements=3 * P)
    assert np.allclose(I_Xt, I_X, rtol=1e-12) and np.allclose(I_Yt, I_Y, rtol=1e-12)
    # hard labels (w = 0 on the other class) through small tiles, against the double loop
    yh = (rng.uniform(size=P) < 0.3).astype(float)
    assert kde_information_plane(t[1], yh, noise_var=0.2, max_batch_elements=7 * P) == pytest.approx(
        kde_reference(t[1], two_col(yh), 0.2), rel=1e-9)
    # tiny noise: every pattern resolved, I_X = log2 P; hard balanced labels give I_Y = H(Y) = 1 bit
    y = (np.arange(P) % 2).astype(float)
    assert kde_information_plane(t[0], y, noise_var=1e-6) == pytest.approx((np.log2(P), 1.0), abs=1e-9)
    # identical patterns: nothing is transmitted
    assert kde_information_plane(np.ones((P, 2)), y, noise_var=0.1) == pytest.approx((0.0, 0.0), abs=1e-12)
    with pytest.raises(ValueError, match="noise_var"):
        kde_information_plane(t[0], y, noise_var=0.0)
