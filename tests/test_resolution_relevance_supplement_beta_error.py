"""S5's link between beta < 1 and a large classification error (claim P1.low_beta_large_error), and S3's chance
test of the critical layer (part (b) of P1.letters_critical_layer_generates_best), on synthetic inputs with
known answers: a clear positive, a clear counter-example, and nulls whose false-positive rate is measured."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from deepinfo.experiments.resolution_relevance import claims as main_claims
from deepinfo.experiments.resolution_relevance_supplement import claims as c
from deepinfo.experiments.resolution_relevance_supplement import run as rs_run

HOLDS, FAILS, UNSURE = "holds", "does not hold", "inconclusive"
NAN = float("nan")


def realisation(rng, low_err, high_err, noise=0.02):
    """Six layers: three with beta < 1 (error ~ low_err), three with beta >= 1 (error ~ high_err), two
    without an accepted power law (NaN beta, huge error that must be ignored)."""
    rows = [(f"lo{i}", b, float(np.clip(low_err + noise * rng.standard_normal(), 0, 0.9)))
            for i, b in enumerate((0.5, 0.7, 0.9))]
    rows += [(f"hi{i}", b, float(np.clip(high_err + noise * rng.standard_normal(), 0, 0.9)))
             for i, b in enumerate((1.0, 1.3, 2.0))]
    return rows + [("none0", NAN, 0.9), ("none1", NAN, 0.0)]


def test_the_error_scale_is_the_main_pages():
    assert c.ERROR_SMALL == main_claims.ERROR_SMALL


def test_low_beta_large_error_positive_and_counter_example():
    rng = np.random.default_rng(0)
    good = [realisation(rng, 0.5, 0.05) for _ in range(3)]
    v = c.low_beta_large_error(good)
    assert v.status == HOLDS and v.value == pytest.approx(0.5, abs=0.03)      # value: mean error below beta = 1
    assert v.uncertainty.level == 0.95 and v.uncertainty.n == 3 and "Student-t" in v.uncertainty.method
    reversed_ = [realisation(rng, 0.05, 0.5) for _ in range(3)]
    assert c.low_beta_large_error(reversed_).status == FAILS                   # small error below beta = 1
    both_large = [realisation(rng, 0.5, 0.6) for _ in range(3)]                # large, but not above beta >= 1
    assert c.low_beta_large_error(both_large).status == FAILS


def test_low_beta_large_error_ignores_layers_without_a_power_law():
    rows = [[("a", 0.5, 0.4), ("b", 1.5, 0.02), ("c", NAN, 0.0)], [("a", 0.6, 0.42), ("b", 1.4, 0.03), ("c", NAN, 0.0)],
            [("a", 0.7, 0.38), ("b", 1.2, 0.01), ("c", NAN, 0.0)]]
    v = c.low_beta_large_error(rows)
    assert v.value == pytest.approx(0.40)
    m, se = np.mean([0.4, 0.42, 0.38]), np.std([0.4, 0.42, 0.38], ddof=1) / np.sqrt(3)
    half = stats.t.ppf(0.975, 2) * se                                          # the t interval, by hand
    assert v.uncertainty.lo == pytest.approx(m - half) and v.uncertainty.hi == pytest.approx(m + half)


def test_low_beta_large_error_is_inconclusive_without_both_sides_or_spread():
    only_high = [[("a", 1.5, 0.1), ("b", NAN, 0.5)]] * 3
    v = c.low_beta_large_error(only_high)
    assert v.status == UNSURE and "beta < 1" in v.reason and v.value is None
    only_low = [[("a", 0.5, 0.4)]] * 3
    assert "beta >= 1" in c.low_beta_large_error(only_low).reason
    one = [[("a", 0.5, 0.4), ("b", 1.5, 0.02)]]
    assert c.low_beta_large_error(one).status == UNSURE                        # one realisation: no spread


def test_low_beta_large_error_rarely_passes_when_error_is_unrelated_to_beta():
    """Null: every layer's error drawn from the same distribution whatever its beta. The comparison part must
    pass in at most 5% of 400 synthetic experiments of 3 realisations (the t interval's one-sided 2.5%)."""
    rng = np.random.default_rng(1)
    passed = 0
    for _ in range(400):
        layers = [[(f"l{i}", b, float(rng.uniform(0.2, 0.6))) for i, b in enumerate((0.5, 0.8, 1.2, 1.6, 2.4))]
                  for _ in range(3)]
        passed += c.low_beta_large_error(layers).status == HOLDS
    assert passed / 400 <= 0.05


def test_beta_error_rows_take_beta_only_where_the_rule_holds():
    from deepinfo.estimators import PowerLawVerdict

    def pl(status, beta):
        return PowerLawVerdict(status=status, reason="", beta=beta, beta_se=0.1, beta_ci=(beta - .2, beta + .2),
                               k_min=1, k_max=10, n_states=10, n_tail=10, n_distinct_k=5, decades=1, evidence={})

    summ = {k: {"rows": [{"n_hidden": 5, "power_law": pl("holds", 0.7), "beta": 0.7, "error": 0.3},
                         {"n_hidden": 50, "power_law": pl("fails", 1.7), "beta": 1.7, "error": 0.01}], "best": 0}
            for k in ("mlp_sigmoid", "mlp_relu", "cnn")}
    rows = rs_run.beta_error_rows(summ)
    assert len(rows) == 6 and rows[0] == ("mlp_sigmoid N_H=5", 0.7, 0.3)
    assert np.isnan(rows[1][1]) and rows[1][2] == 0.01


# ------------------------------------------------------------------------------ S3: chance of the best layer
def test_best_layer_chance_exact_p_values():
    R, L = 3, 10
    H_s = np.tile(np.linspace(10, 1, L), (R, 1))
    H_k = np.tile(-2 * np.abs(np.arange(L) - 5.0) + 12, (R, 1))              # critical layer H6 everywhere
    always = np.ones((R, L))
    always[:, 5] = 2.0
    v = c.best_layer_chance(H_s, H_k, always)
    assert v.status == HOLDS and v.value == pytest.approx(0.1 ** 3) and v.uncertainty.exact
    never = np.ones((R, L))
    never[:, 0] = 2.0
    v = c.best_layer_chance(H_s, H_k, never)
    assert v.status == FAILS and v.value == 1.0
    once = never.copy()
    once[0] = always[0]
    v = c.best_layer_chance(H_s, H_k, once)                                    # 1 of 3: p = 1 - 0.9^3
    assert v.status == UNSURE and v.value == pytest.approx(1 - 0.9 ** 3)
    two = c.best_layer_chance(H_s[:2], H_k[:2], always[:2])                    # both of 2 realisations: p = 0.01
    assert two.status == HOLDS and two.value == pytest.approx(0.01)
    assert c.best_layer_chance(H_s[:1], H_k[:1], always[:1]).status == UNSURE  # one hit of one: p = 0.1


def test_best_layer_chance_is_rarely_significant_for_a_random_best_layer():
    """Null: the ability of every layer is noise, so the best layer is uniform; significant in <= 5%."""
    rng = np.random.default_rng(2)
    R, L = 5, 10
    H_s = np.tile(np.linspace(10, 1, L), (R, 1))
    H_k = np.tile(-2 * np.abs(np.arange(L) - 5.0) + 12, (R, 1))
    sig = sum(c.best_layer_chance(H_s, H_k, rng.random((R, L))).status == HOLDS for _ in range(1000))
    assert sig / 1000 <= 0.05
