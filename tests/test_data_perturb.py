"""deepinfo.data.perturb: the structureless controls of Song et al. (2018), on exact and statistical answers."""
import numpy as np
import pytest

from deepinfo.data import flip_pixels, shuffle_pixels


def test_flipping_at_one_half_gives_independent_uniform_bits():
    M, D = 40_000, 6
    x = np.zeros((M, D), np.float32)
    x[: M // 2, :3] = 1.0                                    # structure: two classes, correlated pixels
    y = flip_pixels(x, 0.5, seed=1)
    assert set(np.unique(y)) <= {0.0, 1.0}
    se = 0.5 / np.sqrt(M)
    assert np.all(np.abs(y.mean(0) - 0.5) < 5 * se)          # each bit a fair coin
    assert np.all(np.abs(y[: M // 2].mean(0) - 0.5) < 5 * se * np.sqrt(2))   # whatever the image was
    patterns = (y @ (2 ** np.arange(D))).astype(int)         # all 2^D patterns equally likely: independence
    counts = np.bincount(patterns, minlength=2 ** D)
    expected = M / 2 ** D
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 63 + 5 * np.sqrt(2 * 63)                   # chi-square with 63 degrees of freedom, 5 sigma


def test_flip_limits_and_seed():
    x = np.random.default_rng(0).random((20, 5)).astype(np.float32)
    assert np.array_equal(flip_pixels(x, 0.0), x) and np.allclose(flip_pixels(x, 1.0), 1.0 - x)
    assert np.array_equal(flip_pixels(x, 0.5, seed=2), flip_pixels(x, 0.5, seed=2))
    with pytest.raises(ValueError):
        flip_pixels(x, -0.1)


def test_shuffling_keeps_each_images_pixel_histogram_and_moves_the_pixels():
    rng = np.random.default_rng(0)
    x = (rng.random((300, 49)) < np.linspace(0.05, 0.9, 300)[:, None]).astype(np.float32)   # varied ink
    x[:, 0] = np.arange(300) / 300.0                                                        # and grey levels
    s = shuffle_pixels(x, seed=3)
    assert s.shape == x.shape and s.dtype == x.dtype
    assert np.array_equal(np.sort(s, axis=1), np.sort(x, axis=1))          # each row: the same multiset of values
    assert not np.array_equal(s, x)
    grey = np.arange(1, 300)                                               # rows whose pixel 0 is a unique grey
    stayed = (s[grey, 0] == x[grey, 0]).sum()                              # expected 299 / 49 = 6.1
    assert stayed < 20                                                     # a permutation of its own per row
    assert np.array_equal(s, shuffle_pixels(x, seed=3))
