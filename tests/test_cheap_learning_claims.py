"""The verdict functions of the Lin & Tegmark chapter (deepinfo.experiments.cheap_learning.claims), each on
small synthetic results whose answer is known: one that must hold, one that must not, and one that must be
inconclusive where that applies. No training, no sampling."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deepinfo.claims import ClaimRecorder, Verdict
from deepinfo.experiments import select_preset
from deepinfo.experiments.cheap_learning import PRESETS, claims as c

PAGE = Path(__file__).resolve().parents[1] / "book" / "cheap_learning.md"


def status(verdicts: dict, cid: str) -> str:
    v = verdicts[cid]
    assert isinstance(v, Verdict)
    return v.status


# ------------------------------------------------------------------ declarations and the page

def test_claims_are_declared_once_with_reasons_and_the_right_kinds():
    ids = [s.id for s in c.CLAIMS]
    assert len(ids) == len(set(ids)) == 18
    kinds = {s.id: s.kind for s in c.CLAIMS}
    # identities and counts checked on exact values cannot fail: sanity, never counted
    sanity = {"P4.bayes_is_softmax", "P4.rg_fourier_decimation_eq24", "P4.dpi_along_chain",
              "P4.fft_flattening_cost", "P4.low_rank_flattening_cost", "P4.strassen_seven_products",
              "P4.shallow_needs_more_neurons"}
    assert {i for i, k in kinds.items() if k == "sanity"} == sanity
    # constructive checks that could fail stay findings of the paper
    for cid in ("P4.multiplication_gate_four_neurons", "P4.bit_product_digits",
                "P4.bits_function_three_layers_exact", "P4.partition_function_counterexample",
                "P4.rg_irrelevant_couplings_decay", "P4.clique_cover_bound", "P4.max_entropy_low_order",
                "P4.shallow_product_network"):
        assert kinds[cid] == "paper", cid
    assert sum(k == "paper" for k in kinds.values()) == 11
    # the minimality check states what it tests, not the theorem it cites
    spec = next(s for s in c.CLAIMS if s.id == "P4.shallow_needs_more_neurons")
    assert "no removable neuron" in spec.statement and "Rolnick & Tegmark" in spec.statement
    assert not spec.statement.startswith("One hidden layer needs exponentially")
    rec = ClaimRecorder("P4", "cheap_learning", "smoke")
    rec.save = lambda: None  # declare without writing a claims file
    rec.declare_all(c.CLAIMS)  # validates prefixes and duplicates
    assert all(s.threshold_reason.strip() and s.threshold.strip() for s in c.CLAIMS)
    page = PAGE.read_text()
    labels = set(re.findall(r"name: (fig-p4-[\w-]+)", page))
    assert {s.figure for s in c.CLAIMS if s.figure} <= labels


def test_page_has_no_claim_logic_and_the_four_parameters():
    page = PAGE.read_text()
    assert not re.search(r"record\(.*holds *= *.*[<>=]", page)
    cell = re.search(r"```\{code-cell\} ipython3\n:tags: \[parameters\]\n\n(.*?)```", page, re.S).group(1)
    names = [t.targets[0].id for t in ast.parse(cell).body]
    assert names == ["preset", "seed", "device", "overrides"]
    assert "select_preset(PRESETS, preset, **overrides)" in page


def test_scale_names_the_sizes_and_overrides_reach_it():
    cfg = select_preset(PRESETS, "smoke", **{"shallow_deep.steps": 7, "rg.S": 11})
    s = c.scale(cfg)
    assert "7 full-batch Adam steps" in s["shallow_deep (illustration, no claim)"] and "S = 11 fields" in s["rg"]
    assert "no real data set" in s["data"]


# ------------------------------------------------------------------ section II

def test_bayes():
    assert status(c.evaluate_bayes({"max_abs_err": 3e-15, "K": 3}), "P4.bayes_is_softmax") == "holds"
    assert status(c.evaluate_bayes({"max_abs_err": 1e-3, "K": 3}), "P4.bayes_is_softmax") == "does not hold"


def _sweep(slopes, err_small=1e-6):
    lams = np.array([1e-3, 1e-2, 1e-1])
    return {"lambdas": lams, "fit_max": 0.1,
            "activations": {f"a{i}": {"slope": s, "err": np.array([err_small, 1e-4, 1e-2])} for i, s in enumerate(slopes)}}


def test_gate():
    cid = "P4.multiplication_gate_four_neurons"
    v = c.evaluate_gate(_sweep([2.0, 1.98, 2.03]))[cid]
    assert v.status == "holds" and v.value == pytest.approx(2.03) and v.uncertainty.exact
    assert status(c.evaluate_gate(_sweep([2.0, 1.0])), cid) == "does not hold"  # one activation converges as lambda
    assert status(c.evaluate_gate(_sweep([2.0, 2.0], err_small=1e-2)), cid) == "does not hold"  # error does not vanish
    assert status(c.evaluate_gate(_sweep([2.0, float("nan")])), cid) == "inconclusive"


def test_tree():
    cid = "P4.product_tree_linear_neurons"
    n = np.array([2, 4, 8])
    good = pd.DataFrame({"n": n, "neurons": 4 * (n - 1), "layers": np.log2(n).astype(int), "max_error": [1e-6] * 3})
    v = c.evaluate_tree(good)[cid]
    assert v.status == "holds" and v.value == pytest.approx(28 / 32)
    assert status(c.evaluate_tree(good.assign(neurons=n ** 2)), cid) == "does not hold"  # quadratic, not ~4n
    assert status(c.evaluate_tree(good.assign(max_error=[1e-6, 1e-6, 1e-2])), cid) == "does not hold"


def test_bit_product():
    cid = "P4.bit_product_digits"
    base = {"D": 10, "beta_paper": 23.03, "beta_needed": 46.05}
    assert status(c.evaluate_bit_product({**base, "digits_at_paper": 10.2}), cid) == "holds"
    v = c.evaluate_bit_product({**base, "digits_at_paper": 5.0})[cid]
    assert v.status == "does not hold" and v.value == 5.0 and v.threshold_value == 10.0


def test_bits_function():
    cid = "P4.bits_function_three_layers_exact"
    t = pd.DataFrame({"n": [2, 3], "max |p_net - p(x|y)|": [1e-16, 2e-15]})
    assert status(c.evaluate_bits_function(t), cid) == "holds"
    assert status(c.evaluate_bits_function(t.assign(**{"max |p_net - p(x|y)|": [1e-16, 1e-3]})), cid) == "does not hold"


# ------------------------------------------------------------------ section III A-D

def _chain(exact, functional=(True, True), err=1e-16, I=(0.3, 0.3)):
    return {"M": 1000, "n_bits_chain": 3, "dpi": {"exact": np.array(exact), "plugin": np.array(exact) + 0.01},
            "inversion": {"functional": list(functional), "max_composition_error": err, "I_x0_xn": I[0], "I_x0_T0": I[1]}}


def test_dpi_and_stepwise_inversion():
    ok = c.evaluate_chain(_chain([2.0, 1.0, 0.5, 0.5]))
    assert status(ok, "P4.dpi_along_chain") == "holds" and status(ok, "P4.stepwise_inversion") == "holds"
    assert status(c.evaluate_chain(_chain([2.0, 1.0, 1.2])), "P4.dpi_along_chain") == "does not hold"
    assert status(c.evaluate_chain(_chain([2, 1], functional=(True, False))), "P4.stepwise_inversion") == "does not hold"
    assert status(c.evaluate_chain(_chain([2, 1], err=1e-3)), "P4.stepwise_inversion") == "does not hold"
    assert status(c.evaluate_chain(_chain([2, 1], I=(0.3, 0.2))), "P4.stepwise_inversion") == "does not hold"


# ------------------------------------------------------------------ section III G

def _sparse(mean, se, E, n=(10, 100), p=(0.1, 0.1)):
    return pd.DataFrame({"n": n, "p": p, "flat_mean": mean, "flat_se": se, "flat_expected": E})


def test_sparse_mean_within_its_standard_error_holds():
    v = c.evaluate_sparse(_sparse([101.0, 1002.0], [2.0, 5.0], [100.0, 1000.0]), draws=20)
    assert v.status == "holds" and v.value == pytest.approx(0.01) and v.uncertainty.se == pytest.approx(0.02)


def test_sparse_mean_far_from_eq27_does_not_hold():
    # 5 standard errors off at the second point: the formula's expectation is wrong there
    v = c.evaluate_sparse(_sparse([101.0, 1025.0], [2.0, 5.0], [100.0, 1000.0]), draws=20)
    assert v.status == "does not hold" and v.value == pytest.approx(0.025)


def test_sparse_small_counts_untested_and_constant_counts_use_half_a_count():
    # the first point expects 0.1 x 20 = 2 non-zeros over all draws: not tested, however far off
    assert c.evaluate_sparse(_sparse([3.0, 1000.0], [0.5, 5.0], [0.1, 1000.0]), 20).status == "holds"
    # saturated point: every draw gave n^2 exactly (se = 0); a deviation below a count is no deviation
    assert c.evaluate_sparse(_sparse([1.0, 90000.0], [0.3, 0.0], [1.0, 90000.0 - 1e-8]), 20).status == "holds"
    assert c.evaluate_sparse(_sparse([1.0, 90000.0], [0.3, 0.0], [1.0, 89990.0]), 20).status == "does not hold"


def test_sparse_inconclusive_without_testable_points_or_spread():
    assert c.evaluate_sparse(_sparse([0.0, 0.1], [0.0, 0.1], [0.01, 0.1]), 20).status == "inconclusive"
    v = c.evaluate_sparse(_sparse([101.0, 1002.0], [float("nan")] * 2, [100.0, 1000.0]), draws=1)
    assert v.status == "inconclusive" and "standard error" in v.reason


def _flattening(fft_err=1e-13, deep=None, lr_cs=None):
    n = np.array([2, 4, 8])
    fft = pd.DataFrame({"n": n, "max_error": [fft_err] * 3, "deep_synapses": 2 * n * np.log2(n) if deep is None else deep,
                        "flat_synapses": n ** 2, "C_s": n / (2 * np.log2(n))})
    lr = pd.DataFrame({"n": [64, 64], "k": [1, 2], "C_s": [32.0, 16.0] if lr_cs is None else lr_cs,
                       "C_s_theory": [32.0, 16.0], "rank": [1, 2]})
    return {"fft": fft, "low_rank": lr, "sparse": _sparse([101.0, 1002.0], [2.0, 5.0], [100.0, 1000.0]), "draws": 20}


def test_fft_and_low_rank():
    ok = c.evaluate_flattening(_flattening())
    assert all(v.status == "holds" for v in ok.values()) and len(ok) == 3
    assert ok["P4.fft_flattening_cost"].value == pytest.approx(8 / 6)
    assert status(c.evaluate_flattening(_flattening(fft_err=1e-3)), "P4.fft_flattening_cost") == "does not hold"
    assert status(c.evaluate_flattening(_flattening(deep=np.array([4, 16, 64]))), "P4.fft_flattening_cost") == "does not hold"
    assert status(c.evaluate_flattening(_flattening(lr_cs=[32.0, 15.0])), "P4.low_rank_flattening_cost") == "does not hold"


# ------------------------------------------------------------------ section III E

def _crit(dev_rows, decim_off=0.0):
    """A synthetic critical flow: deviations r(b) - r* per start over b = 1..32, Fourier decimation off by
    ``decim_off`` (relative)."""
    b = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0])
    dev = np.array([np.asarray(d(b) if callable(d) else d, float) for d in dev_rows])
    return {"b": b, "x2_starts": np.array([1.0, 0.0][:len(dev)]), "dev": dev, "r": dev + 0.088, "r_star": 0.088,
            "Lc": 16, "decim_ratio": np.full((len(dev), len(b), 2), 1.0 + decim_off)}


def test_rg_is_decided_on_the_deviation_from_the_fixed_point():
    cid = "P4.rg_irrelevant_couplings_decay"
    v = c.evaluate_rg(_crit([lambda b: 0.9 * b ** -2.0, lambda b: -0.09 * b ** -2.0]))[cid]
    assert v.status == "holds" and v.value == pytest.approx(-2.0) and v.uncertainty.exact
    # eq. 24 with a subleading b^-4 correction still holds
    assert status(c.evaluate_rg(_crit([lambda b: 0.8 * b ** -2.0 + 0.1 * b ** -4.0])), cid) == "holds"
    # a deviation that shrinks only like 1/b, or one start that does: does not hold
    v = c.evaluate_rg(_crit([lambda b: 0.9 * b ** -1.0]))[cid]
    assert v.status == "does not hold" and v.value == pytest.approx(-1.0)
    assert status(c.evaluate_rg(_crit([lambda b: 0.9 * b ** -2.0, lambda b: -0.09 * b ** -1.0])), cid) == "does not hold"
    # the earlier test's mistake: x2' itself flowing to a non-zero fixed point (deviation from 0 does not vanish)
    assert status(c.evaluate_rg(_crit([lambda b: 0.088 + 0.9 * b ** -2.0])), cid) == "does not hold"
    # a deviation that changes sign: no power law
    assert status(c.evaluate_rg(_crit([[0.9, 0.2, -0.01, 0.01, 0.001, 0.0001]])), cid) == "inconclusive"


def test_fourier_decimation_is_exact_sanity():
    cid = "P4.rg_fourier_decimation_eq24"
    assert status(c.evaluate_rg(_crit([lambda b: b ** -2.0])), cid) == "holds"
    assert status(c.evaluate_rg(_crit([lambda b: b ** -2.0], decim_off=1e-6)), cid) == "does not hold"


# ------------------------------------------------------------------ appendix A

def test_counterexample():
    cid = "P4.partition_function_counterexample"
    ce = {"n_states": 4, "Z": np.array([2.0, 3.0]), "Z_tot": np.array([2.0, 3.0]), "tv": np.array([0.2, 0.3]),
          "at_zero": {"Z": 2.0, "Z_tot": 2.0, "tv": 0.25}}
    assert status(c.evaluate_counterexample(ce), cid) == "holds"
    assert status(c.evaluate_counterexample({**ce, "Z_tot": np.array([2.0, 3.1])}), cid) == "does not hold"
    assert status(c.evaluate_counterexample({**ce, "tv": np.array([0.2, 1e-6])}), cid) == "does not hold"


# ------------------------------------------------------------------ the conjecture, by constructions

def _sp(slope=2.0, coef_ratio=1.0, zeros=0):
    ns, lams = np.array([2, 3, 4]), np.array([0.1, 0.05, 0.025])
    coef = np.array([0.06, 0.68, 0.96])
    err = coef[:, None] * lams[None, :] ** slope * 0.025 ** (2 - slope) * coef_ratio
    mini = [{"n": int(n), "orthogonal": True, "zeros": zeros, "solution_is_prod_s": zeros == 0} for n in ns]
    return {"ns": ns, "lambdas": lams, "err": err, "coef": coef, "minimality": mini}


def test_shallow_product_network():
    cid = "P4.shallow_product_network"
    v = c.evaluate_shallow_product(_sp())[cid]
    assert v.status == "holds" and v.value == pytest.approx(2.0)
    assert status(c.evaluate_shallow_product(_sp(slope=1.0)), cid) == "does not hold"  # error only O(lambda)
    assert status(c.evaluate_shallow_product(_sp(coef_ratio=1.5)), cid) == "does not hold"  # wrong constant


def test_shallow_needs_more_neurons_is_decided_by_the_exact_minimality():
    cid = "P4.shallow_needs_more_neurons"
    v = c.evaluate_shallow_product(_sp())[cid]
    assert v.status == "holds" and v.uncertainty.exact and v.value == pytest.approx(2 ** 4 / 12)
    assert status(c.evaluate_shallow_product(_sp(zeros=1)), cid) == "does not hold"  # a droppable neuron


def test_shallow_deep_summary_is_an_illustration_only():
    assert not any("shallow_deep" in s.id for s in c.CLAIMS if s.id != "P4.shallow_needs_more_neurons")
    rows = [{"n": 3, "shallow": {"layers": 1, "neurons": 32.0, "reached": True},
             "deep": {"layers": 2, "neurons": 16.0, "reached": True}}]
    assert "= 2.00" in c.shallow_deep_summary({"rows": rows, "target": 0.05, "widths": np.array([2, 64])})
    rows[0]["deep"] = {"layers": 2, "neurons": np.nan, "reached": False}
    assert "never reached" in c.shallow_deep_summary({"rows": rows, "target": 0.05, "widths": np.array([2, 64])})


# ------------------------------------------------------------------ clique cover, maximum entropy, Strassen

def _cliques(neurons=(16, 27), bound=(32, 72), err=1e-15):
    return pd.DataFrame({"model": ["ring", "grid"], "neurons": list(neurons), "bound N_c 2^S_c": list(bound),
                         "max_error": [err, err]})


def test_clique_cover_bound():
    cid = "P4.clique_cover_bound"
    v = c.evaluate_cliques(_cliques())[cid]
    assert v.status == "holds" and v.value == pytest.approx(0.5)
    assert status(c.evaluate_cliques(_cliques(neurons=(40, 27))), cid) == "does not hold"  # above the bound
    assert status(c.evaluate_cliques(_cliques(err=1e-3)), cid) == "does not hold"  # does not compute H


def _me(q_high=1e-13, p_high=0.5, moment_error=1e-16):
    return {"n": 4, "order": 2, "p_by_order": [0.4, 0.6, p_high, p_high], "q_by_order": [0.4, 0.5, q_high, q_high],
            "moment_error": moment_error, "H_p_bits": 3.4, "H_q_bits": 3.6}


def test_max_entropy():
    cid = "P4.max_entropy_low_order"
    assert status(c.evaluate_max_entropy(_me()), cid) == "holds"
    assert status(c.evaluate_max_entropy(_me(q_high=0.01)), cid) == "does not hold"  # q keeps a 3-body term
    assert status(c.evaluate_max_entropy(_me(moment_error=1e-3)), cid) == "does not hold"
    assert status(c.evaluate_max_entropy(_me(p_high=1e-5)), cid) == "inconclusive"  # could not have failed


def _st(exact=True, mult=(7, 49), err=1e-16):
    return {"exact": exact, "rank": 7, "naive_rank": 8, "synapses": 36, "naive_synapses": 24,
            "rows": [{"n": 2, "multiplications": mult[0], "7^k": 7, "naive n^3": 8, "max relative error": err},
                     {"n": 4, "multiplications": mult[1], "7^k": 49, "naive n^3": 64, "max relative error": err}]}


def test_strassen():
    cid = "P4.strassen_seven_products"
    assert status(c.evaluate_strassen(_st()), cid) == "holds"
    assert status(c.evaluate_strassen(_st(exact=False)), cid) == "does not hold"
    assert status(c.evaluate_strassen(_st(mult=(7, 64))), cid) == "does not hold"
    assert status(c.evaluate_strassen(_st(err=1e-6)), cid) == "does not hold"
