"""Exact cross-check of the binning estimator (issue 15 item 5): a layer read out on 4 levels has a finite set of
states, so I(X;T) = H(T) and I(T;Y) are exact by enumeration; binning with bins aligned to the levels must give
them to float precision, a binning that merges two levels must not. Hand-built layers with answers by hand."""
from __future__ import annotations

import math

import numpy as np
import pytest

from deepinfo.estimators import binned_information_plane
from deepinfo.experiments.information_plane import claims, run
from deepinfo.models.ensemble import measure_snapshots


def h2(p):
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


# 8 equally likely patterns, 2 units on the levels -3/4, -1/4, 1/4, 3/4; states A = {x0, x1}, B = {x2, x3},
# C = {x4}, D = {x5}, E = {x6, x7}; y is a function of the state (y = 1 on A, C, E), p(y=1) = 5/8
A, B, C, D, E = (-.75, -.75), (-.25, -.75), (.25, .75), (.75, .75), (.25, -.75)
LAYER = np.array([A, A, B, B, C, D, E, E])
P_Y1 = np.array([1, 1, 0, 0, 1, 0, 1, 1], dtype=float)
#: H(T) with state sizes 2, 2, 1, 1, 2 of 8: 3 (1/4) 2 + 2 (1/8) 3 = 2.25 bits; T determines Y: I(T;Y) = H(Y)
EXACT = (2.25, h2(5 / 8))
#: 3 bins on [-1, 1] put -1/4 and 1/4 in one bin: B and E merge (sizes 2, 4, 1, 1: 1.75 bits), and the merged
#: state holds two y = 0 and two y = 1 patterns: H(Y|T) = (1/2) 1 bit
MERGED = (1.75, h2(5 / 8) - 0.5)


def test_quantise_rounds_to_the_cell_centres():
    a = np.array([-1.0, -0.6, -0.1, 0.0, 0.49, 0.5, 0.99, 1.0])
    assert run.quantise(a).tolist() == [-.75, -.75, -.25, .25, .25, .75, .75, .75]
    assert run.quantise(a, 2).tolist() == [-.5, -.5, -.5, .5, .5, .5, .5, .5]


def test_exact_enumeration_matches_the_hand_computation():
    I_X, I_Y = run.exact_quantised_plane(LAYER, P_Y1)
    assert I_X == pytest.approx(EXACT[0], abs=1e-13) and I_Y == pytest.approx(EXACT[1], abs=1e-13)
    # a batch of two networks, and labels independent of x (I(T;Y) = 0)
    bx, by = run.exact_quantised_plane(np.stack([LAYER, LAYER[::-1]]), np.full(8, 0.5))
    assert np.allclose(bx, 2.25, atol=1e-13) and np.allclose(by, 0.0, atol=1e-13)
    with pytest.raises(ValueError, match="levels"):
        run.exact_quantised_plane(LAYER + 0.1, P_Y1)


def test_aligned_binning_is_exact_and_merging_binning_is_not():
    assert binned_information_plane(LAYER, P_Y1, n_bins=4) == pytest.approx(EXACT, abs=1e-12)
    assert binned_information_plane(LAYER, P_Y1, n_bins=30) == pytest.approx(EXACT, abs=1e-12)  # no bin holds 2 levels
    assert binned_information_plane(LAYER, P_Y1, n_bins=3) == pytest.approx(MERGED, abs=1e-12)


def _result(T, pyx, measures=run.EXACT_MEASURES + ("bin30",)):
    """A result dict of one snapshot, one layer, one network from the chapter's own measures."""
    fns = run.make_measures(measures, run.rule_for("spherical"))
    out = {"I_X": {}, "I_Y": {}}
    for name, fn in fns.items():
        x, y = fn(T[None], pyx)
        out["I_X"][name], out["I_Y"][name] = np.reshape(x, (1, 1, 1)), np.reshape(y, (1, 1, 1))
    return out


def test_verdict_holds_when_aligned_and_fails_when_misaligned():
    # continuous activations whose 4-level read-out is the hand-built layer
    T = LAYER + np.random.default_rng(0).uniform(-0.2, 0.2, LAYER.shape)
    res = _result(T, P_Y1)
    assert res["I_X"]["q4exact"][0, 0, 0] == pytest.approx(EXACT[0], abs=1e-13)
    v = claims.verdict_exact_binning(res)
    assert v.status == "holds" and v.value < claims.EXACT_TOL_BITS and v.uncertainty.exact
    assert "misaligned" in v.detail and "continuous" in v.detail
    bad = claims.verdict_exact_binning(res, measure="q4bin3")
    assert bad.status == "does not hold" and bad.value == pytest.approx(0.5, abs=1e-12)


def test_verdict_holds_on_a_random_ensemble_of_the_rule():
    rule = run.rule_for("spherical")
    rng = np.random.default_rng(1)
    S, K, sizes = 2, 2, (12, 5, 3, 2)
    snaps = {"epochs": np.arange(S), "W": [rng.normal(0, 1.5, (S, K, a, b)).astype(np.float32)
                                           for a, b in zip(sizes[:-1], sizes[1:])],
             "b": [rng.normal(0, 0.5, (S, K, 1, b)).astype(np.float32) for b in sizes[1:]]}
    fns = run.make_measures(run.EXACT_MEASURES + ("bin30",), rule)
    m = measure_snapshots(snaps, rule.X, rule.p_y_given_x, fns, "tanh")
    v = claims.verdict_exact_binning(m)
    assert v.status == "holds", v.detail
    assert np.all(m["I_X"]["q4exact"] <= np.log2(4096) + 1e-12)
    assert np.all(m["I_X"]["q4bin3"] <= m["I_X"]["q4exact"] + 1e-12)  # merging states never adds information


def test_quantised_measure_names_are_checked():
    with pytest.raises(ValueError, match="qLexact"):
        run.make_measures(("q1exact",), run.rule_for("spherical"))
    with pytest.raises(ValueError, match="qLexact"):
        run.make_measures(("qfoo",), run.rule_for("spherical"))
