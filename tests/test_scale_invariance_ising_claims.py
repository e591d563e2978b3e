"""Verdict functions of the Lee & Jo Ising and theory page (deepinfo.experiments.scale_invariance_ising.claims),
on synthetic results with known answers (no sampling, no training)."""
from __future__ import annotations

import numpy as np
import pytest

from deepinfo import theory
from deepinfo.claims import KINDS
from deepinfo.experiments.scale_invariance_ising import claims as c


def ideal(beta: float = 1.0, C: float = 3000.0, k_max: int = 2000) -> np.ndarray:
    k = np.arange(1, k_max + 1)
    return np.repeat(k, np.round(C * k ** (-beta - 1.0)).astype(int))


GEOM = np.random.default_rng(1).geometric(0.3, 3000)
ONES = np.ones(400, dtype=int)


def _real(share=0.9, rep=0.8, counts_z_hot=None):
    lo = {"T": 1.53, "coincidence_share": share, "repeated_input_fraction": rep, "counts_x": np.array([50, 30, 1, 1]),
          "counts_z": np.array([80, 2]), "M": 82}
    hi = {"T": 3.28, "coincidence_share": 0.0, "repeated_input_fraction": 0.0, "counts_x": ONES,
          "counts_z": ideal() if counts_z_hot is None else counts_z_hot, "M": 400}
    return {"runs": [lo, hi], "T_c": 2.269}


def test_claims_declared_with_kinds_and_readings():
    ids = [s.id for s in c.CLAIMS]
    assert len(set(ids)) == len(ids) and all(s.kind in KINDS for s in c.CLAIMS)
    kinds = {s.id: s.kind for s in c.CLAIMS}
    assert kinds["P2.fig8_hyz_not_explicit_in_mk"] == "sanity" and kinds["P2.lagrangian_maximiser_is_power_law"] == "paper"
    low = next(s for s in c.CLAIMS if s.id == "P2.ising_low_T_inherits_input_degeneracy")
    assert "reading" in low.test_differs


def test_evaluate_low_T():
    v = c.evaluate_low_T([_real(0.90), _real(0.92), _real(0.88)])["P2.ising_low_T_inherits_input_degeneracy"]
    assert v.status == "holds" and v.value == pytest.approx(0.90)
    v = c.evaluate_low_T([_real(0.10), _real(0.12), _real(0.11)])["P2.ising_low_T_inherits_input_degeneracy"]
    assert v.status == "does not hold"
    v = c.evaluate_low_T([_real(0.9, rep=0.1)] * 3)["P2.ising_low_T_inherits_input_degeneracy"]
    assert v.status == "inconclusive" and "premise" in v.reason
    v = c.evaluate_low_T([_real(0.9)])["P2.ising_low_T_inherits_input_degeneracy"]
    assert v.status == "inconclusive"                                  # one realisation: no spread


def test_evaluate_high_T():
    assert c.evaluate_high_T([_real(), _real()])["P2.ising_high_T_codes_power_law"].status == "holds"
    v = c.evaluate_high_T([_real(), _real(counts_z_hot=GEOM)], seeds=[3, 4])["P2.ising_high_T_codes_power_law"]
    assert v.status == "does not hold" and "seed 4" in v.detail
    v = c.evaluate_high_T([_real(counts_z_hot=ONES)])["P2.ising_high_T_codes_power_law"]
    assert v.status == "inconclusive"


def _case(beta, counts):
    k, m = np.unique(counts, return_counts=True)
    return {"beta": beta, "k": k, "m_k": m}


def test_evaluate_theory():
    th = {"M": 3000, "cases": [_case(1.0, ideal(1.0)), _case(1.5, ideal(1.5))]}
    v = c.evaluate_theory(th)["P2.lagrangian_maximiser_is_power_law"]
    assert v.status == "holds"
    lo, hi = v.uncertainty.interval(v.value)
    assert lo <= 0.0 <= hi                                              # the true beta lies in the interval
    # the right shape with the wrong exponent: beta = 0.5 claimed, the profile has beta = 1
    th = {"M": 3000, "cases": [_case(0.5, ideal(1.0))]}
    assert c.evaluate_theory(th)["P2.lagrangian_maximiser_is_power_law"].status == "does not hold"
    th = {"M": 3000, "cases": [_case(1.0, ideal(1.0)), _case(1.0, GEOM)]}
    assert c.evaluate_theory(th)["P2.lagrangian_maximiser_is_power_law"].status == "does not hold"
    th = {"M": 400, "cases": [_case(1.0, np.r_[ONES, 2, 2, 3])]}
    assert c.evaluate_theory(th)["P2.lagrangian_maximiser_is_power_law"].status == "inconclusive"


def test_evaluate_fig8_on_the_library_examples_and_a_broken_one():
    v = c.evaluate_fig8(theory.fig8_scenarios())
    assert v["P2.fig8_hyz_not_explicit_in_mk"].status == "holds"
    assert v["P2.pure_clustering_accuracy_is_HY"].status == "holds"
    a, b, cc = theory.fig8_scenarios()
    broken_b = {**b, "after": b["before"]}                              # H(Y,Z) no longer changes in (b)
    impure = {**cc, "before": {**cc["before"], "I_zy": cc["before"]["I_zy"] - 0.5}}
    v = c.evaluate_fig8([a, broken_b, impure])
    assert v["P2.fig8_hyz_not_explicit_in_mk"].status == "does not hold"
    assert v["P2.pure_clustering_accuracy_is_HY"].status == "does not hold"


def test_evaluate_thermodynamics(monkeypatch):
    real = {"runs": [{"T": 3.28, "counts_x": ideal(0.8), "counts_z": ideal(1.2)}]}
    v = c.evaluate_thermodynamics(real)["P2.thermodynamic_reading_is_identity"]
    assert v.status == "holds" and v.value < 1e-9
    assert c.evaluate_thermodynamics({"runs": [{"counts_x": ONES, "counts_z": ONES}]})[
        "P2.thermodynamic_reading_is_identity"].status == "inconclusive"
    # a broken thermodynamics (F off by one bit) must be caught
    good = c.thermodynamics
    monkeypatch.setattr(c, "thermodynamics", lambda counts, beta: {**good(counts, beta), "F": good(counts, beta)["F"] + 1})
    assert c.evaluate_thermodynamics(real)["P2.thermodynamic_reading_is_identity"].status == "does not hold"


def test_scale_and_presets():
    from deepinfo.experiments import select_preset
    from deepinfo.experiments.scale_invariance_ising import PRESETS

    cfg = select_preset(PRESETS, "quick", n_seeds=4)
    s = c.scale(cfg)
    assert s["realisations"] == 4 and s["M"] == cfg.ising.n_samples and s["theory M"] == cfg.theory.M
    assert [PRESETS[p].n_seeds for p in ("smoke", "quick", "full")] == [2, 3, 5]
