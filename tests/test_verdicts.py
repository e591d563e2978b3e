"""deepinfo.verdicts: the adapters between the power-law rule and the claim model, on known answers.

Synthetic PowerLawVerdicts (built by hand, so the rule's own outcome is fixed) check the mapping of
statuses, the inversion, all_of's three outcomes and the substitute rule; one ideal power-law profile
and one geometric sample check that fit() runs the rule itself.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from deepinfo import verdicts as vd
from deepinfo.estimators import PowerLawVerdict


def plv(status: str, beta: float = 1.0, ci=(0.9, 1.1), reason: str = "synthetic") -> PowerLawVerdict:
    return PowerLawVerdict(status=status, reason=reason, beta=beta, beta_se=0.05, beta_ci=ci, k_min=2, k_max=500,
                           n_states=1000, n_tail=300, n_distinct_k=40, decades=2.4, evidence={})


HOLDS, FAILS, INCONC = plv("holds"), plv("fails", 3.0, (2.5, 3.5)), plv("inconclusive", reason="tail too short")
NOBETA = plv("inconclusive", math.nan, (math.nan, math.nan), "fewer than 5 distinct k")
REAL = {"dataset": "MNIST", "M": 10_000, "substitute_for": ""}
SUB = {"dataset": "MNIST", "M": 10_000, "substitute_for": "emnist letters (not on this machine: ...)"}


@pytest.mark.parametrize("v, status", [(HOLDS, "holds"), (FAILS, "does not hold"), (INCONC, "inconclusive")])
def test_power_law_claim_maps_the_rules_status(v, status):
    out = vd.power_law_claim(v, "z1")
    assert out.status == status and out.value == v.beta
    lo, hi = out.uncertainty.interval(out.value)
    assert (lo, hi) == v.beta_ci and "bootstrap" in out.uncertainty.method
    assert out.detail.startswith("z1: " + status) and out.extra["power_law"]["status"] == v.status


def test_invert_swaps_holds_and_fails_and_keeps_inconclusive():
    assert vd.power_law_claim(HOLDS, invert=True).status == "does not hold"
    assert vd.power_law_claim(FAILS, invert=True).status == "holds"
    v = vd.power_law_claim(INCONC, invert=True)
    assert v.status == "inconclusive" and v.reason == "tail too short"


def test_no_beta_is_inconclusive_without_a_value():
    v = vd.power_law_claim(NOBETA)
    assert v.status == "inconclusive" and v.value is None and "distinct k" in v.reason


def test_beta_uncertainty_falls_back_to_fisher_se():
    u = vd.beta_uncertainty(plv("holds", 1.0, (math.nan, math.nan)))
    assert u.se == 0.05 and "Fisher" in u.method and u.n == 300


def test_all_of_three_outcomes():
    v = vd.all_of([("a", HOLDS), ("b", HOLDS)])
    assert v.status == "holds" and v.value == 2 and v.threshold_value == 2
    v = vd.all_of([("a", HOLDS), ("b", INCONC), ("c", FAILS)])
    assert v.status == "does not hold" and v.value == 1          # one failure decides
    v = vd.all_of([("a", HOLDS), ("b", INCONC)], "realisations")
    assert v.status == "inconclusive" and "1 of 2 realisations" in v.reason and "b:" in v.reason
    assert v.uncertainty.interval(v.value) == (1.0, 2.0)          # [holds, holds + inconclusive]
    with pytest.raises(ValueError):
        vd.all_of([])


def test_on_substitute_makes_inconclusive_and_keeps_the_evidence():
    v = vd.all_of([("a", HOLDS)])
    assert vd.on_substitute(v, REAL) is v
    s = vd.on_substitute(v, SUB)
    assert s.status == "inconclusive" and "substitute data" in s.reason and "emnist letters" in s.reason
    assert "(on the substitute: holds)" in s.reason and s.value == v.value and s.scale["substitute"] is True
    assert vd.on_substitute(vd.all_of([("a", FAILS)]), SUB).status == "inconclusive"


def test_fit_line_and_said():
    assert vd.fit_line("z1", HOLDS) == "z1: holds, beta = 1.00 [0.90, 1.10], tail k = 2..500 (300 states, 2.4 decades)"
    assert "no beta" in vd.fit_line("z", NOBETA)
    assert vd.said("inconclusive") == "is inconclusive" and vd.said("holds") == "holds"
    assert vd.said("does not hold") == "does not hold"


def test_fit_runs_the_rule_and_memoises():
    k = np.arange(1, 2001)
    ideal = np.repeat(k, np.round(3000.0 * k ** -2.0).astype(int))   # m_k = 3000 k^-2: beta = 1
    a = vd.fit(ideal)
    assert a.status == "holds" and abs(a.beta - 1.0) < 0.1
    assert vd.fit(ideal[::-1]) is a                                   # memoised on the sorted counts
    assert vd.fit(np.random.default_rng(1).geometric(0.3, 3000)).status == "fails"
    labs = vd.layer_fits([ideal, ideal])
    assert [lab for lab, _ in labs] == ["z1", "z2"] and labs[0][1] is a


def test_decided_without_beta_keeps_the_rules_decision():
    fails_nobeta = plv("fails", math.nan, (math.nan, math.nan), "a characteristic scale")
    assert vd.power_law_claim(fails_nobeta).status == "inconclusive"            # the default: no exponent
    v = vd.power_law_claim(fails_nobeta, invert=True, decided_without_beta=True)
    assert v.status == "holds" and v.value == 40 and v.uncertainty.exact       # n_distinct_k, exact
    v = vd.power_law_claim(NOBETA, decided_without_beta=True)                  # undecided stays undecided
    assert v.status == "inconclusive" and v.value is None


def test_all_of_on_claim_verdicts_reports_one_part():
    from deepinfo.claims import Uncertainty, Verdict, inconclusive

    u = Uncertainty("synthetic", se=0.1)
    ok, bad = Verdict("holds", 1.0, u, "first", threshold_value=0.5), Verdict("does not hold", 2.0, u, "second")
    maybe = inconclusive("why not", 3.0, u, "third")
    v = vd.all_of([("a", ok), ("b", ok)], value_from=0)
    assert v.status == "holds" and v.value == 1.0 and v.threshold_value == 0.5 and v.detail == "a: first; b: first"
    v = vd.all_of([("a", ok), ("b", bad), ("c", maybe)], value_from=1)
    assert v.status == "does not hold" and v.value == 2.0 and v.threshold_value is None
    v = vd.all_of([("a", ok), ("c", maybe)], value_from=0)
    assert v.status == "inconclusive" and v.reason == "c: why not" and v.value == 1.0
    with pytest.raises(TypeError):
        vd.all_of([("a", HOLDS)], value_from=0)                                # PowerLawVerdicts need no value_from


def test_critical_layers_and_generation_at_critical_known_margins():
    H_s = np.array([[8.0, 6.0, 3.0, 1.0], [8.0, 6.0, 3.0, 1.0], [8.0, 6.0, 3.0, 1.0]])
    H_k = np.array([[0.0, 3.0, 2.0, 0.5], [0.0, 3.0, 2.0, 0.5], [0.0, 1.0, 6.0, 0.5]])
    assert list(vd.critical_layers(H_s, H_k)) == [2, 2, 3]                     # sums 8, 9, 5, 1.5 and 8, 7, 9, 1.5
    ab = np.array([[1.0, 3.0, 2.0, 0.0], [1.0, 2.5, 2.0, 0.0], [1.0, 0.5, 2.0, 0.0]])
    v = vd.generation_at_critical(H_s, H_k, ab)
    margins = np.array([1.0, 0.5, 1.0])                                         # 3 - 2, 2.5 - 2, 2 - 1
    assert v.value == pytest.approx(margins.mean())
    assert v.uncertainty.se == pytest.approx(margins.std(ddof=1) / math.sqrt(3)) and v.uncertainty.n == 3
    assert v.status == "holds" and v.threshold_value == 0.0 and "DBN realisations" in v.uncertainty.method
    v = vd.generation_at_critical(H_s, H_k, ab[:, ::-1])                       # the first layer generates best
    assert v.status == "does not hold" and v.value < 0
    assert vd.generation_at_critical(H_s[:1], H_k[:1], ab[:1]).status == "inconclusive"   # one realisation
    with pytest.raises(ValueError):
        vd.generation_at_critical(H_s[0], H_k[0], ab[0])
