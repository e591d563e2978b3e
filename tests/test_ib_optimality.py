"""IB optimality of a layer (Shwartz-Ziv & Tishby 2017, eqs. 9, 12, Fig. 6): checks that can fail.

Exact answers: encoders taken from the IB solver lie on the curve (horizontal gap ~ 0, eq. 9
residual ~ 0, beta* = beta, slope 1/beta); a layer that adds an irrelevant copy bit to an IB
encoder keeps I(T;Y) and spends exactly one more bit of I(X;T) (gap = 1 bit, residual = 1 bit);
the binary symmetric channel has a closed-form curve, slope and distance from the broken line.
"""
import numpy as np
import pytest
from scipy.optimize import brentq

from deepinfo.data.spherical import spherical_rule
from deepinfo.estimators import (encoder_information, ib_broken_line_distance, ib_curve_slope,
                                 ib_horizontal_gap, ib_optimal_beta, ib_self_consistency_residual,
                                 information_bottleneck_curve, layer_beta_star)


def h2(q):
    q = np.clip(q, 1e-300, 1)
    return -(q * np.log2(q) + (1 - q) * np.log2(np.clip(1 - q, 1e-300, 1)))


@pytest.fixture(scope="module")
def problem():
    """A random p(x, y) with |X| = 10, |Y| = 3, its curve on one beta grid and, on the grid of the
    midpoints, encoders the curve never saw."""
    rng = np.random.default_rng(0)
    pxy = rng.dirichlet(np.full(3, 0.7), size=10) * rng.dirichlet(np.ones(10))[:, None]
    betas = np.geomspace(0.5, 200, 60)
    curve = information_bottleneck_curve(pxy, betas)
    other = information_bottleneck_curve(pxy, np.sqrt(betas[:-1] * betas[1:]))
    return pxy, pxy.sum(1), pxy / pxy.sum(1, keepdims=True), curve, other


SOLVER_POINTS = (25, 30, 35, 45, 55)  # indices into ``other``: 3 to 9 clusters


@pytest.mark.parametrize("i", SOLVER_POINTS)
def test_solver_encoder_is_on_the_bound(problem, i):
    pxy, px, pyx, curve, other = problem
    enc, beta = other.encoders[i], other.betas[i]
    assert enc.shape[1] >= 2
    I_X, I_Y = encoder_information(enc, px, pyx)
    assert (I_X, I_Y) == pytest.approx((other.I_X[i], other.I_Y[i]), abs=1e-10)
    # on the bound: the horizontal gap is the chord error of the curve's grid (<= 0, small)
    gap = ib_horizontal_gap(I_X, I_Y, curve)
    assert -3e-3 < gap < 1e-9
    # eq. 9 holds: the residual is at the solver's tolerance
    assert ib_self_consistency_residual(enc, px, pyx, beta) < 1e-6
    assert ib_self_consistency_residual(enc, px, pyx, beta / 2) > 1e-4  # and fails at another beta
    # eq. 12: beta* is the solver's beta, and the curve's slope there is 1/beta*
    b_star = layer_beta_star(enc, px, pyx)
    assert b_star == pytest.approx(beta, rel=1e-3)
    assert ib_optimal_beta(enc, other.decoders[i], pxy) == pytest.approx(b_star, rel=1e-6)
    assert ib_curve_slope(curve, I_X=I_X) * b_star == pytest.approx(1.0, abs=0.02)
    assert ib_curve_slope(curve, I_Y=I_Y) * b_star == pytest.approx(1.0, abs=0.02)


def test_slope_is_one_over_beta_at_the_curve_points(problem):
    _, _, _, curve, _ = problem
    ok = np.r_[np.diff(curve.I_X) > 1e-6, False] & (curve.I_X > 1e-6)
    assert ok.sum() > 20
    slope = ib_curve_slope(curve, I_X=curve.I_X[ok])
    assert slope.shape == (ok.sum(),)
    assert np.allclose(slope, 1 / curve.betas[ok], rtol=1e-9)
    assert np.all(np.diff(slope) <= 0)  # concave curve: the slope decreases along it
    assert np.isnan(ib_curve_slope(curve, I_X=curve.I_X.max() + 0.1))
    assert np.isnan(ib_curve_slope(curve, I_Y=curve.I_XY + 0.1))


@pytest.mark.parametrize("i", SOLVER_POINTS[1:])
def test_a_layer_with_an_irrelevant_copy_bit_is_one_bit_off_the_bound(problem, i):
    # Duplicate every input (x, c), c in {0, 1}, with p(x, c, y) = p(x, y) / 2: the curve is the same.
    # The layer T' = (T, c) keeps I(T;Y) but spends one more bit: I(X;T') = I(X;T) + 1 exactly, and
    # its encoder separates inputs with equal p(y|x), which eq. 9 never does: the residual is
    # E_x KL[1[c] p(t|x) || p(t|x) / 2] = 1 bit. beta* is unchanged: eq. 12 alone cannot see it.
    pxy, px, pyx, curve, other = problem
    enc, beta = other.encoders[i], other.betas[i]
    n_x, n_t = enc.shape
    px2, pyx2 = np.r_[px, px] / 2, np.r_[pyx, pyx]
    layer = np.zeros((2 * n_x, 2 * n_t))
    layer[:n_x, :n_t] = enc
    layer[n_x:, n_t:] = enc
    I_X, I_Y = encoder_information(enc, px, pyx)
    I_X2, I_Y2 = encoder_information(layer, px2, pyx2)
    assert I_Y2 == pytest.approx(I_Y, abs=1e-12) and I_X2 == pytest.approx(I_X + 1, abs=1e-12)
    assert ib_horizontal_gap(I_X2, I_Y2, curve) == pytest.approx(1.0, abs=3e-3)
    assert ib_self_consistency_residual(layer, px2, pyx2, beta) == pytest.approx(1.0, abs=1e-6)
    assert layer_beta_star(layer, px2, pyx2) == pytest.approx(beta, rel=1e-3)
    # the IB encoder itself, on the duplicated inputs, is still on the bound
    same = np.r_[enc, enc]
    assert ib_horizontal_gap(*encoder_information(same, px2, pyx2), curve) < 1e-9
    assert ib_self_consistency_residual(same, px2, pyx2, beta) < 1e-6


@pytest.mark.parametrize("i", SOLVER_POINTS[1:])
def test_noisy_and_random_layers_are_off_the_bound(problem, i):
    pxy, px, pyx, curve, other = problem
    enc, beta = other.encoders[i], other.betas[i]
    noisy = 0.8 * enc + 0.2 / enc.shape[1]
    rand = np.random.default_rng(i).dirichlet(np.ones(enc.shape[1]), size=enc.shape[0])
    base = ib_self_consistency_residual(enc, px, pyx, beta)
    for layer in (noisy, rand):
        I_X, I_Y = encoder_information(layer, px, pyx)
        assert ib_horizontal_gap(I_X, I_Y, curve) > 0.1
        assert ib_self_consistency_residual(layer, px, pyx, beta) > max(0.1, 1e4 * base)
        b = layer_beta_star(layer, px, pyx)  # even at its own best beta, eq. 9 fails
        assert ib_self_consistency_residual(layer, px, pyx, b) > 0.01


def test_arrays_in_arrays_out(problem):
    _, _, _, curve, _ = problem
    I_X = np.array([[0.5, 1.0, 2.0], [2.5, 3.0, 3.5]])
    I_Y = np.full_like(I_X, 0.2)
    gap = ib_horizontal_gap(I_X, I_Y, curve)
    assert gap.shape == (2, 3) and np.all(np.diff(gap.ravel()) > 0)
    assert np.allclose(gap, ib_horizontal_gap(I_X, I_Y, (curve.I_X, curve.I_Y)))
    assert isinstance(ib_horizontal_gap(1.0, 0.2, curve), float)
    assert np.isnan(ib_horizontal_gap(3.0, curve.I_XY + 0.01, curve))  # above the curve: no answer


@pytest.mark.parametrize("eps", [0.1, 0.25])
def test_binary_symmetric_channel_gap_slope_and_distance(eps):
    # Mrs Gerber's lemma: I_X = 1 - h(q), I_Y = 1 - h(r), r = eps + q (1 - 2 eps), q in [0, 1/2];
    # dI_Y/dI_X = (1 - 2 eps) log((1 - r)/r) / log((1 - q)/q); at I_X = I(X;Y) = 1 - h(eps), q = eps.
    pxy = np.array([[1 - eps, eps], [eps, 1 - eps]]) / 2
    beta_c = 1 / (1 - 2 * eps) ** 2
    curve = information_bottleneck_curve(pxy, np.geomspace(0.5, 300, 130) * beta_c)
    qs = np.array([0.05, 0.15, 0.3, 0.4])
    r = eps + qs * (1 - 2 * eps)
    I_X, I_Y = 1 - h2(qs), 1 - h2(r)
    exact_slope = (1 - 2 * eps) * np.log((1 - r) / r) / np.log((1 - qs) / qs)
    assert np.allclose(ib_curve_slope(curve, I_X=I_X), exact_slope, rtol=0.01)
    assert np.allclose(ib_horizontal_gap(I_X, I_Y, curve), 0, atol=2e-3)
    # below the curve (70% of its I_Y): gap = I_X - (the exact inverse of the curve)
    I_Y_low = 0.7 * I_Y
    r_low = np.array([brentq(lambda v: 1 - h2(v) - y, 1e-12, 0.5) for y in I_Y_low])
    inverse = 1 - h2((r_low - eps) / (1 - 2 * eps))
    assert np.allclose(ib_horizontal_gap(I_X, I_Y_low, curve), I_X - inverse, atol=2e-3)
    assert ib_broken_line_distance(curve) == pytest.approx(h2(2 * eps * (1 - eps)) - h2(eps), abs=1e-3)


def test_deterministic_rule_is_the_broken_line():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, size=12)
    pxy = np.zeros((12, 3))
    pxy[np.arange(12), y] = rng.dirichlet(np.ones(12))
    curve = information_bottleneck_curve(pxy, np.geomspace(0.2, 50, 30))
    assert ib_broken_line_distance(curve) == pytest.approx(0.0, abs=1e-6)
    assert np.isnan(ib_broken_line_distance((curve.I_X[:3], curve.I_Y[:3]), I_XY=curve.I_XY))


def _merged_pxy(rule):
    cls = np.unique(np.round(rule.p_y_given_x[:, 1], 12), return_inverse=True)[1].ravel()
    pxy = np.zeros((cls.max() + 1, 2))
    np.add.at(pxy, cls, rule.pxy)
    return pxy


def test_the_paper_rule_is_nearly_a_broken_line_and_a_noisier_one_is_not():
    # I(X;Y) = 0.99 bits with H(Y) ~ 1 bit: the bound is within ~0.01 bits of min(I_X, I(X;Y));
    # the same 12-bit rule at I(X;Y) = 0.8 bits is curved, about 0.2 bits below the kink.
    betas = np.geomspace(0.3, 1000, 60)
    d = {}
    for target in (0.99, 0.8):
        rule = spherical_rule(target_I=target)
        curve = information_bottleneck_curve(_merged_pxy(rule), betas)
        assert curve.I_XY == pytest.approx(target, abs=1e-6)
        d[target] = ib_broken_line_distance(curve)
    assert 0 < d[0.99] < 0.03
    assert d[0.8] > 0.15 and d[0.8] > 5 * d[0.99]


def test_accelerated_solver_matches_the_plain_iteration_run_to_convergence():
    # the Anderson-accelerated iteration has the fixed points of the plain one: run both to
    # convergence and they agree; at the default tolerance the accelerated curve is at least as
    # close to the converged one as the plain iteration stopped by the same rule (the old solver)
    rng = np.random.default_rng(3)
    pxy = rng.dirichlet(np.full(2, 0.5), size=20) * rng.dirichlet(np.ones(20))[:, None]
    betas = np.geomspace(1, 300, 20)
    conv = information_bottleneck_curve(pxy, betas, anderson=0, tol=1e-12, max_iter=5000)
    tight = information_bottleneck_curve(pxy, betas, tol=1e-12, max_iter=5000)
    fast = information_bottleneck_curve(pxy, betas)
    plain = information_bottleneck_curve(pxy, betas, anderson=0)

    def dev(c):  # max |I_Y - converged| and max |functional I_X / beta - I_Y - converged|, bits
        L = lambda r: r.I_X / betas - r.I_Y  # noqa: E731
        return np.abs(c.I_Y - conv.I_Y).max(), np.abs(L(c) - L(conv)).max()

    assert dev(tight)[0] < 5e-5 and dev(tight)[1] < 1e-8
    assert tight.n_iter.sum() < conv.n_iter.sum() / 2 and fast.n_iter.sum() < plain.n_iter.sum() / 1.5
    assert dev(fast)[0] <= dev(plain)[0] and dev(fast)[1] <= dev(plain)[1]
    assert dev(fast)[0] < 1e-3 and dev(fast)[1] < 1e-6
    px, pyx = pxy.sum(1), pxy / pxy.sum(1, keepdims=True)
    for enc, beta in zip(fast.encoders[::4], betas[::4]):  # the stopping rule leaves eq. 9 satisfied
        assert ib_self_consistency_residual(enc, px, pyx, beta) < 1e-6


GOOD = dict(p_t_given_x=np.full((2, 2), 0.5), p_x=np.full(2, 0.5), p_y_given_x=np.eye(2))


@pytest.mark.parametrize("fn", [encoder_information, layer_beta_star,
                                lambda **kw: ib_self_consistency_residual(**kw, beta=1.0)])
@pytest.mark.parametrize("change, msg", [
    (dict(p_x=np.array([0.6, 0.6])), "p_x"),
    (dict(p_x=np.full(3, 1 / 3)), "p_t_given_x"),
    (dict(p_x=np.array([[0.5, 0.5]])), "p_x"),
    (dict(p_t_given_x=np.full((2, 2), 0.4)), "p_t_given_x"),
    (dict(p_t_given_x=np.array([[np.nan, 1.0], [0.5, 0.5]])), "p_t_given_x"),
    (dict(p_y_given_x=np.full((3, 2), 0.5)), "p_y_given_x"),
    (dict(p_y_given_x=np.array([[1.5, -0.5], [0.5, 0.5]])), "p_y_given_x"),
])
def test_layer_functions_bad_input(fn, change, msg):
    with pytest.raises(ValueError, match=msg):
        fn(**{**GOOD, **change})


def test_scalar_arguments_bad_input(problem):
    _, px, pyx, curve, other = problem
    enc = other.encoders[30]
    for beta in (-1.0, np.inf, "1", None):
        with pytest.raises(ValueError, match="beta"):
            ib_self_consistency_residual(enc, px, pyx, beta)
    with pytest.raises(ValueError, match="beta_max"):
        layer_beta_star(enc, px, pyx, beta_max=0.0)
    with pytest.raises(ValueError, match="base"):
        encoder_information(enc, px, pyx, base=1)
    with pytest.raises(ValueError, match="base"):
        ib_self_consistency_residual(enc, px, pyx, 1.0, base=0.5)


@pytest.mark.parametrize("call, msg", [
    (lambda c: ib_horizontal_gap([1.0, 2.0], [0.1], c), "I_Y"),
    (lambda c: ib_horizontal_gap(np.nan, 0.1, c), "I_X"),
    (lambda c: ib_horizontal_gap(1.0, -0.5, c), "I_Y"),
    (lambda c: ib_horizontal_gap(1.0, "a", c), "I_Y"),
    (lambda c: ib_horizontal_gap(1.0, 0.1, "curve"), "curve"),
    (lambda c: ib_horizontal_gap(1.0, 0.1, (c.I_X, c.I_Y[:-1])), "curve"),
    (lambda c: ib_horizontal_gap(1.0, 0.1, (c.I_X, np.full_like(c.I_Y, np.inf))), "curve"),
    (lambda c: ib_curve_slope(c), "I_X, I_Y"),
    (lambda c: ib_curve_slope(c, I_X=1.0, I_Y=0.1), "I_X, I_Y"),
    (lambda c: ib_curve_slope((c.I_X, c.I_Y), I_X=1.0), "curve"),
    (lambda c: ib_curve_slope(c, I_X=[np.inf]), "I_X"),
    (lambda c: ib_curve_slope(c, I_Y=-1.0), "I_Y"),
    (lambda c: ib_broken_line_distance((c.I_X, c.I_Y)), "I_XY"),
    (lambda c: ib_broken_line_distance(c, I_XY=-0.1), "I_XY"),
    (lambda c: ib_broken_line_distance(c, I_XY=np.nan), "I_XY"),
    (lambda c: ib_broken_line_distance([1.0, 2.0, 3.0]), "curve"),
])
def test_curve_functions_bad_input(problem, call, msg):
    with pytest.raises(ValueError, match=msg):
        call(problem[3])
