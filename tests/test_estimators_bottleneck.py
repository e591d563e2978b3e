"""The information bottleneck curve against closed forms and the properties of the optimal curve."""
import numpy as np
import pytest
from scipy.optimize import brentq

from deepinfo.estimators import ib_optimal_beta, information_bottleneck_curve


def h2(q):
    q = np.clip(q, 1e-300, 1)
    return -(q * np.log2(q) + (1 - q) * np.log2(np.clip(1 - q, 1e-300, 1)))


def h2_inv(v):
    return 0.0 if v <= 1e-12 else brentq(lambda q: h2(q) - v, 1e-15, 0.5)


@pytest.mark.parametrize("eps", [0.1, 0.25])
def test_binary_symmetric_channel_closed_form(eps):
    # X uniform bit, Y = X flipped with probability eps. The IB curve is (Mrs. Gerber's lemma)
    # I_Y = 1 - h(eps * q + (1 - eps)(1 - q) ...) = 1 - h(q (1 - eps) + (1 - q) eps), q = h^-1(1 - I_X),
    # and T stays trivial below beta_c = 1 / (1 - 2 eps)^2.
    pxy = np.array([[1 - eps, eps], [eps, 1 - eps]]) / 2
    beta_c = 1 / (1 - 2 * eps) ** 2
    betas = np.concatenate([np.linspace(0.3, 0.95, 5) * beta_c, np.geomspace(1.05, 30, 25) * beta_c])
    r = information_bottleneck_curve(pxy, betas)
    for b, ix, iy in zip(r.betas, r.I_X, r.I_Y):
        if b < beta_c:
            assert ix == pytest.approx(0, abs=1e-6) and iy == pytest.approx(0, abs=1e-6)
        else:
            q = h2_inv(1 - min(ix, 1.0))
            assert iy == pytest.approx(1 - h2(q * (1 - eps) + (1 - q) * eps), abs=1e-5)
    assert r.I_X[-1] == pytest.approx(1.0, abs=1e-3) and r.I_Y[-1] == pytest.approx(1 - h2(eps), abs=1e-4)
    assert r.I_XY == pytest.approx(1 - h2(eps)) and r.H_X == pytest.approx(1.0)


@pytest.fixture(scope="module")
def random_curve():
    rng = np.random.default_rng(0)
    pxy = rng.dirichlet(np.full(3, 0.7), size=10) * rng.dirichlet(np.ones(10))[:, None]
    betas = np.geomspace(0.5, 200, 50)
    return pxy, information_bottleneck_curve(pxy, betas)


def test_curve_is_monotone_concave_and_bounded(random_curve):
    pxy, r = random_curve
    assert np.all(np.diff(r.I_X) >= -1e-7) and np.all(np.diff(r.I_Y) >= -1e-7)
    assert np.all(r.I_Y <= np.minimum(r.I_X, r.I_XY) + 1e-9) and np.all(r.I_X <= r.H_X + 1e-9)
    # the slope of the optimal curve at the point of beta is 1/beta: every chord between consecutive
    # points has a slope between 1/beta_{i+1} and 1/beta_i (this is also concavity)
    dX, dY = np.diff(r.I_X), np.diff(r.I_Y)
    ok = dX > 1e-4
    slope = dY[ok] / dX[ok]
    assert ok.sum() > 10
    assert np.all(slope <= 1 / r.betas[:-1][ok] + 1e-3) and np.all(slope >= 1 / r.betas[1:][ok] - 1e-3)
    assert np.all(np.diff(slope) <= 1e-3)
    # end points: nothing at small beta; all of I(X;Y) at large beta
    assert r.I_X[0] == pytest.approx(0, abs=1e-6) and r.I_Y[-1] == pytest.approx(r.I_XY, abs=2e-3)


def test_encoders_are_consistent(random_curve):
    pxy, r = random_curve
    px = pxy.sum(1)
    for enc, dec, ix, iy in zip(r.encoders[::7], r.decoders[::7], r.I_X[::7], r.I_Y[::7]):
        assert enc.shape[0] == 10 and enc.shape[1] <= 10 and np.allclose(enc.sum(1), 1)
        pt = px @ enc
        ptx = px[:, None] * enc
        with np.errstate(divide="ignore", invalid="ignore"):
            I_X = np.nansum(ptx * np.log2(enc / pt))
        pty = enc.T @ pxy
        assert np.allclose(dec, pty / pt[:, None])
        I_Y = np.nansum(pty * np.log2(pty / (pt[:, None] * pxy.sum(0))))
        assert (ix, iy) == pytest.approx((I_X, I_Y), abs=1e-9)


def test_optimal_beta_recovers_fixed_points(random_curve):
    pxy, r = random_curve
    for i in (20, 30, 40):
        if r.encoders[i].shape[1] > 1:
            assert ib_optimal_beta(r.encoders[i], r.decoders[i], pxy) == pytest.approx(r.betas[i], rel=1e-3)


def test_duplicate_inputs_do_not_change_the_curve(random_curve):
    pxy, r = random_curve
    dup = np.concatenate([pxy, pxy[:3]], axis=0)
    dup[:3] /= 2
    dup[-3:] /= 2
    r2 = information_bottleneck_curve(dup, r.betas)
    assert np.allclose(r2.I_X, r.I_X, atol=1e-9) and np.allclose(r2.I_Y, r.I_Y, atol=1e-9)
    assert r2.encoders[-1].shape[0] == 13


def test_deterministic_label_collapses_to_min():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, size=12)
    pxy = np.zeros((12, 3))
    pxy[np.arange(12), y] = rng.dirichlet(np.ones(12))
    H_Y = -(pxy.sum(0) * np.log2(pxy.sum(0))).sum()
    r = information_bottleneck_curve(pxy, np.geomspace(0.2, 50, 30))
    assert np.allclose(r.I_Y, np.minimum(r.I_X, H_Y), atol=1e-6)
    assert r.I_Y[-1] == pytest.approx(H_Y, abs=1e-6) and r.I_XY == pytest.approx(H_Y)


@pytest.mark.parametrize("pxy, betas, msg", [
    (np.full((2, 2), 0.3), [1.0], "sum to 1"),
    (np.array([[0.5, -0.1], [0.3, 0.3]]), [1.0], "negative"),
    (np.array([[0.5, np.nan], [0.25, 0.25]]), [1.0], "NaN"),
    (np.full(4, 0.25), [1.0], "2-D"),
    (np.full((2, 2), 0.25), [0.0, 1.0], "betas"),
    (np.full((2, 2), 0.25), [], "betas"),
])
def test_bad_input(pxy, betas, msg):
    with pytest.raises(ValueError, match=msg):
        information_bottleneck_curve(pxy, betas)


def test_huge_beta_rows_that_underflow_stay_normalised():
    # the middle input is far (in KL) from both clusters: at beta = 1e6 every exp() underflows
    pxy = np.array([[0.9, 0.1], [0.5, 0.5], [0.1, 0.9]]) / 3
    r = information_bottleneck_curve(pxy, [1e6], max_clusters=2)
    enc = r.encoders[0]
    assert np.all(np.isfinite(enc)) and np.allclose(enc.sum(1), 1)
    assert np.all(np.isfinite([r.I_X[0], r.I_Y[0]])) and r.I_Y[0] <= r.I_XY + 1e-12
    # hard assignment of the middle input to one side: I_X = H(1/3, 2/3), I_Y from the 2-cluster table
    pt = np.array([1, 2]) / 3
    assert r.I_X[0] == pytest.approx(-(pt * np.log2(pt)).sum(), abs=1e-6)
