"""deepinfo.verdicts: the rank test of one layer among layers (layer_rank_test, rank_permutation_p) and the
every-seed rule (in_every_seed), calibrated on synthetic inputs with known answers.

The rank test's null distribution is checked against closed forms and against enumerating every draw; its
three outcomes on generation abilities whose best layer is fixed by construction (the Song et al. 2018
Fig. 3g reading: the critical layer generates best). The every-seed rule on hand-made claim verdicts, its
value's interval against the Wilson closed form.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from deepinfo import verdicts as vd
from deepinfo.claims import Uncertainty, Verdict, inconclusive
from deepinfo.stats import wilson_interval

HOLDS, FAILS, UNSURE = "holds", "does not hold", "inconclusive"
L = 10


def critical_at(layer: int, R: int) -> tuple[np.ndarray, np.ndarray]:
    """(H_s, H_k), each (R, L) bits, whose layer of largest H[s] + H[k] is ``layer`` (1-based) everywhere."""
    H_s = np.tile(np.linspace(10.0, 1.0, L), (R, 1))
    H_k = np.zeros((R, L))
    H_k[:, layer - 1] = 20.0
    return H_s, H_k


def rank_test(H_s, H_k, ability):
    """The rank test as the Song et al. page asks it: the critical layer, ranked by generation ability."""
    return vd.layer_rank_test(vd.critical_layers(H_s, H_k), ability, name="critical", score="generation ability",
                              verb="generates", units="1/bits")


def brute_force_p(ranks_per_realisation, observed: float) -> float:
    """P(sum of one uniformly drawn rank per realisation <= observed), by enumerating every draw."""
    draws = list(itertools.product(*[list(r) for r in ranks_per_realisation]))
    return sum(sum(d) <= observed + 1e-9 for d in draws) / len(draws)


# ------------------------------------------------------------------------ the null distribution
def test_permutation_p_closed_forms():
    ranks = [np.arange(1, L + 1)] * 3
    assert vd.rank_permutation_p(ranks, 3) == pytest.approx(L ** -3)          # rank 1 in every realisation
    assert vd.rank_permutation_p(ranks, 3 * L) == pytest.approx(1.0)
    assert vd.rank_permutation_p([np.arange(1, L + 1)], 4) == pytest.approx(4 / L)   # one realisation: k / L
    # two realisations: #{(a, b) in 1..10^2: a + b <= 5} = 10
    assert vd.rank_permutation_p([np.arange(1, L + 1)] * 2, 5) == pytest.approx(10 / 100)


def test_permutation_p_equals_enumeration_with_ties():
    rng = np.random.default_rng(0)
    for _ in range(20):
        R = int(rng.integers(1, 4))
        abilities = rng.integers(0, 4, size=(R, 6)).astype(float)           # many ties
        ranks = [vd._mid_ranks(a) for a in abilities]
        obs = float(sum(rng.choice(r) for r in ranks))
        assert vd.rank_permutation_p(ranks, obs) == pytest.approx(brute_force_p(ranks, obs))


def test_mid_ranks():
    assert list(vd._mid_ranks(np.array([3.0, 1.0, 2.0]))) == [1, 3, 2]
    assert list(vd._mid_ranks(np.array([2.0, 2.0, 1.0]))) == [1.5, 1.5, 3]
    assert list(vd._mid_ranks(np.array([np.nan, 1.0]))) == [2, 1]          # no value ranks last


# -------------------------------------------------------------------------------- calibration
def test_critical_layer_best_in_every_realisation_holds():
    H_s, H_k = critical_at(6, R=3)
    ab = np.tile(np.linspace(1.0, 2.0, L), (3, 1))
    ab[:, 5] = 5.0                                                        # H6 best everywhere
    v = rank_test(H_s, H_k, ab)
    assert v.status == HOLDS
    assert v.extra["p_value"] == pytest.approx(1e-3) and v.value == 1.0
    assert v.extra["ranks"] == [1.0, 1.0, 1.0]


def test_best_layer_random_is_not_significant():
    """Abilities drawn independently of the layers: the critical layer is a random layer. The test must
    reject the null at most alpha of the time, and with enough realisations say it does not hold."""
    H_s, H_k = critical_at(6, R=3)
    rng = np.random.default_rng(1)
    statuses = [rank_test(H_s, H_k, rng.random((3, L))).status for _ in range(400)]
    false_pos = statuses.count(HOLDS) / len(statuses)
    assert false_pos <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 400)              # at most alpha, up to 3 sigma
    H_s, H_k = critical_at(6, R=12)
    v = rank_test(H_s, H_k, rng.random((12, L)))
    assert v.status == FAILS                         # another layer is the better one, beyond the noise
    assert v.extra["p_value"] > 0.05


def test_critical_layer_in_the_middle_of_the_ranking_does_not_hold():
    H_s, H_k = critical_at(4, R=3)
    ab = np.tile(np.linspace(2.0, 1.0, L), (3, 1)) + np.array([[0.0], [0.01], [0.02]])  # H1 best, H4 4th
    v = rank_test(H_s, H_k, ab)
    assert v.status == FAILS and v.value == 4.0


def test_second_best_every_time_contradicts_best_even_when_significant():
    H_s, H_k = critical_at(6, R=4)
    ab = np.tile(np.linspace(1.0, 2.0, L), (4, 1))
    ab[:, 5] = 4.0
    ab[:, 7] = 5.0 + np.array([0.0, 0.1, 0.2, 0.3])                      # H8 better, beyond the noise
    v = rank_test(H_s, H_k, ab)
    assert v.extra["p_value"] < 0.05 and v.status == FAILS


def test_near_ties_at_the_top_hold():
    """Best in two realisations, a close second in the third: significant, and no layer better beyond noise."""
    H_s, H_k = critical_at(6, R=3)
    ab = np.tile(np.linspace(1.0, 2.0, L), (3, 1))
    ab[:, 5] = [5.0, 5.0, 4.9]
    ab[2, 6] = 5.0
    v = rank_test(H_s, H_k, ab)
    assert v.status == HOLDS and v.extra["p_value"] == pytest.approx(4 / 1000)


def test_too_few_realisations_are_inconclusive():
    H_s, H_k = critical_at(6, R=1)
    ab = np.linspace(1.0, 2.0, L)[None, :].copy()
    ab[0, 5] = 5.0                                                        # best, but one realisation
    v = rank_test(H_s, H_k, ab)
    assert v.status == UNSURE and v.extra["p_min"] == pytest.approx(0.1) and "cannot reach" in v.reason


def test_rank_test_words_and_records_the_tested_layer():
    """The wording arguments name the layer, the score and its units; the tested layers are kept under
    ``name``; a layer per realisation is required."""
    H_s, H_k = critical_at(6, R=3)
    ab = np.tile(np.linspace(1.0, 2.0, L), (3, 1))
    ab[:, 5] = 5.0
    v = rank_test(H_s, H_k, ab)
    assert v.detail.startswith("critical layer H6, H6, H6; its rank in generation ability 1, 1, 1 of 10")
    assert "(1/bits)" in v.detail and v.extra["critical"] == [6, 6, 6] and v.extra["best"] == [6, 6, 6]
    g = vd.layer_rank_test([6, 6, 6], ab)                                 # the generic wording
    assert g.status == v.status and g.value == v.value and g.extra["chosen"] == [6, 6, 6]
    assert g.detail.startswith("chosen layer H6, H6, H6; its rank in score ") and "(" not in g.detail.split("margin")[1]
    assert "standard error over 3 realisations" in g.uncertainty.method
    # a random layer in one realisation among enough: not distinguishable, nothing better beyond the noise
    u = vd.layer_rank_test([1, 10, 5], np.tile(np.arange(L, 0, -1.0), (3, 1)) + np.array([[0.0], [0.0], [0.5]]))
    assert u.status == UNSURE and "the chosen layer's rank is not distinguishable" in u.reason
    assert "no other layer scores significantly better" in u.reason
    with pytest.raises(ValueError):
        vd.layer_rank_test([6, 6], ab)


# ------------------------------------------------------------------------------- every seed
def _v(status):
    if status == "inconclusive":
        return inconclusive("too few states", 1.0, Uncertainty.of_exact())
    return Verdict(status, 1.0, Uncertainty.of_exact(), "d")


def test_in_every_seed_three_way_rule_and_wilson_value():
    v = vd.in_every_seed([(0, _v("holds")), (1, _v("holds")), (2, _v("holds"))])
    assert v.status == "holds" and v.value == 1.0 and v.threshold_value == 1.0
    lo, hi = v.uncertainty.interval(v.value)
    assert (lo, hi) == pytest.approx(wilson_interval(3, 3))
    # closed form of the Wilson lower bound at 3/3: n / (n + z^2)
    assert lo == pytest.approx(3 / (3 + 1.959963984540054 ** 2))
    v = vd.in_every_seed([(0, _v("holds")), (1, _v("does not hold")), (2, _v("inconclusive"))])
    assert v.status == "does not hold" and v.value == pytest.approx(1 / 3)
    v = vd.in_every_seed([(0, _v("holds")), (3, _v("inconclusive"))])
    assert v.status == "inconclusive" and "seed 3" in v.reason and v.value == 0.5
    assert v.scale["seeds"] == [0, 3] and set(v.extra["per_seed"]) == {"0", "3"}
    with pytest.raises(ValueError):
        vd.in_every_seed([])


def test_layer_rank_test_refuses_layers_outside_the_scored_range_and_reserved_names():
    scores = np.array([[3.0, 2.0, 1.0], [1.0, 3.0, 2.0]])
    for bad in ([0, 1], [1, 4]):  # layer 0 would silently index the last layer
        with pytest.raises(ValueError, match="layers: expected layer numbers 1..3"):
            vd.layer_rank_test(bad, scores)
    with pytest.raises(ValueError, match="name: 'ranks'"):
        vd.layer_rank_test([1, 2], scores, name="ranks")
    assert vd.layer_rank_test([1, 2], scores).extra["chosen"] == [1, 2]
