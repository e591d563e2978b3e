"""Verdict functions of the Lee & Jo main chapter (deepinfo.experiments.scale_invariance.claims).

Every function is called on small synthetic results whose answer is known: ideal power-law profiles
m_k = round(C k^(-beta-1)) (scale-free by construction), geometric sizes and near-equal random
cluster sizes (a characteristic scale), and every state seen once (nothing to fit). No training.
"""
from __future__ import annotations

import numpy as np
import pytest

from deepinfo.claims import KINDS, ClaimRecorder
from deepinfo.experiments.scale_invariance import claims as c


def ideal(beta: float = 1.0, C: float = 3000.0, k_max: int = 2000) -> np.ndarray:
    """State counts of the profile m_k = round(C k^(-beta-1)): a power law with the cut-off integers force."""
    k = np.arange(1, k_max + 1)
    return np.repeat(k, np.round(C * k ** (-beta - 1.0)).astype(int))


GEOM = np.random.default_rng(1).geometric(0.3, 3000)                              # characteristic scale ~3
EQUAL = np.bincount(np.random.default_rng(0).integers(0, 1024, 10_000), minlength=1024)  # sizes ~ Poisson(9.8)
ONES = np.ones(400, dtype=int)                                                     # every state seen once
REAL = {"dataset": "MNIST", "M": 10_000, "substitute_for": ""}
SUB = {"dataset": "MNIST", "M": 10_000, "substitute_for": "emnist letters (not on this machine: ...)"}


def test_calibration_inputs_behave_as_assumed():
    assert c.fit(ideal()).status == "holds"
    assert c.fit(GEOM).status == "fails" and c.fit(EQUAL).status == "fails"
    assert c.fit(ONES).status == "inconclusive"


def test_claims_are_declared_once_with_known_kinds(tmp_path):
    ids = [s.id for s in c.CLAIMS]
    assert len(ids) == len(set(ids)) and all(s.kind in KINDS for s in c.CLAIMS)
    rec = ClaimRecorder("P2", chapter="t", preset="smoke", directory=tmp_path)
    rec.declare_all(c.CLAIMS)
    # every claim read "under our reading" says the reading
    for s in c.CLAIMS:
        if "reading" in s.threshold_reason or "reading" in s.statement:
            assert "reading" in s.test_differs, s.id


def test_power_law_claim_maps_and_inverts_the_rule():
    v = c.power_law_claim(c.fit(ideal()))
    assert v.status == "holds" and abs(v.value - 1.0) < 0.05
    lo, hi = v.uncertainty.interval(v.value)
    assert lo <= 1.0 <= hi and v.extra["power_law"]["status"] == "holds"
    assert c.power_law_claim(c.fit(GEOM)).status == "does not hold"
    assert c.power_law_claim(c.fit(GEOM), invert=True).status == "holds"
    assert c.power_law_claim(c.fit(ideal()), invert=True).status == "does not hold"
    v = c.power_law_claim(c.fit(ONES), invert=True)
    assert v.status == "inconclusive" and v.reason


def test_all_of_counts_and_three_way_status():
    good, bad, none = c.fit(ideal()), c.fit(GEOM), c.fit(ONES)
    v = c.all_of([("a", good), ("b", good)])
    assert v.status == "holds" and v.value == 2 and v.uncertainty.interval(v.value) == (2.0, 2.0)
    v = c.all_of([("a", good), ("b", bad), ("c", none)])
    assert v.status == "does not hold" and v.value == 1 and v.uncertainty.interval(v.value) == (1.0, 2.0)
    v = c.all_of([("a", good), ("c", none)])
    assert v.status == "inconclusive" and "c:" in v.reason
    with pytest.raises(ValueError):
        c.all_of([])


def test_evaluate_rbm():
    v = c.evaluate_rbm({"counts_rbm": ideal(), "counts_kmeans": EQUAL, "data": REAL})
    assert v["P2.rbm_power_law"].status == "holds"
    assert v["P2.kmeans_has_characteristic_size"].status == "holds"
    v = c.evaluate_rbm({"counts_rbm": GEOM, "counts_kmeans": ideal(), "data": REAL})
    assert v["P2.rbm_power_law"].status == "does not hold"
    assert v["P2.kmeans_has_characteristic_size"].status == "does not hold"
    v = c.evaluate_rbm({"counts_rbm": ONES, "counts_kmeans": np.full(100, 10), "data": REAL})
    assert v["P2.rbm_power_law"].status == "inconclusive"
    assert v["P2.kmeans_has_characteristic_size"].status == "inconclusive"  # all sizes equal: no shape to read


def _mlp(counts_by_threshold, thresholds):
    return {"thresholds": thresholds, "counts": counts_by_threshold, "data": REAL, "epoch": 3, "reached": True}


def test_evaluate_mlp():
    pl = [ideal(0.6), ideal(1.0), ideal(1.4)]
    v = c.evaluate_mlp(_mlp([pl, pl], [0.3, 0.5]))
    assert v["P2.mlp_power_law_every_layer"].status == "holds" and v["P2.threshold_insensitive"].status == "holds"
    assert v["P2.threshold_insensitive"].value == 6
    v = c.evaluate_mlp(_mlp([[GEOM, pl[1], pl[2]], pl], [0.3, 0.5]))
    assert v["P2.mlp_power_law_every_layer"].status == "holds"        # the 0.5 layers are fine
    assert v["P2.threshold_insensitive"].status == "does not hold"    # one threshold breaks it
    v = c.evaluate_mlp(_mlp([pl, [ONES, pl[1], pl[2]]], [0.3, 0.5]))
    assert v["P2.mlp_power_law_every_layer"].status == "inconclusive"
    assert v["P2.threshold_insensitive"].status == "inconclusive"


def _runs(per_seed):
    return [{"counts": [layers], "data": REAL, "epoch": 2} for layers in per_seed]


def test_evaluate_seeds_exact_spreads():
    # the same layer profiles in every seed: zero spread, and beta(z1) = 0.5 vs beta(z3) = 1.5
    v = c.evaluate_seeds(_runs([[ideal(0.5), ideal(1.0), ideal(1.5)]] * 3))
    assert v["P2.seed_insensitive"].status == "holds" and v["P2.seed_insensitive"].value == pytest.approx(0.0, abs=1e-12)
    d = v["P2.beta_depends_on_layer"]
    assert d.status == "holds" and d.value == pytest.approx(c.fit(ideal(0.5)).beta - c.fit(ideal(1.5)).beta)
    # every layer the same profile: the difference is exactly 0 -> within +/- 0.1 -> does not hold
    v = c.evaluate_seeds(_runs([[ideal(1.0)] * 3] * 3))
    assert v["P2.beta_depends_on_layer"].status == "does not hold"
    # beta 0.5 in one seed, 1.5 in the other (layer z1): cv = 0.71, whole interval above 0.2
    v = c.evaluate_seeds(_runs([[ideal(0.5), ideal(1.0), ideal(1.0)], [ideal(1.5), ideal(1.0), ideal(1.0)]]))
    assert v["P2.seed_insensitive"].status == "does not hold"
    assert v["P2.seed_insensitive"].value == pytest.approx(0.707, abs=0.05)
    # one seed: no spread over seeds at all
    v = c.evaluate_seeds(_runs([[ideal(0.5), ideal(1.0), ideal(1.5)]]))
    assert v["P2.seed_insensitive"].status == "inconclusive" and v["P2.beta_depends_on_layer"].status == "inconclusive"


def test_evaluate_architectures():
    arch = {(784, 35, 10): {"counts": [[ideal(1.0)]], "data": REAL, "epoch": 1, "accuracy": [0.9]},
            (784, 70, 35, 10): {"counts": [[ideal(0.8), ideal(1.2)]], "data": REAL, "epoch": 1, "accuracy": [0.9]}}
    assert c.evaluate_architectures(arch)["P2.architecture_robust"].status == "holds"
    arch[(784, 35, 10)] = {"counts": [[GEOM]], "data": REAL}
    assert c.evaluate_architectures(arch)["P2.architecture_robust"].status == "does not hold"
    arch[(784, 35, 10)] = {"counts": [[ONES]], "data": REAL}
    assert c.evaluate_architectures(arch)["P2.architecture_robust"].status == "inconclusive"


def test_evaluate_autoencoders_and_substitutes():
    good = {"counts": [ideal(0.7), ideal(1.0), ideal(0.7)], "data": REAL}
    bad = {"counts": [ideal(0.7), GEOM, ideal(0.7)], "data": REAL}
    v = c.evaluate_autoencoders(good, bad)
    assert v["P2.autoencoder_power_law"].status == "holds" and v["P2.relu_power_law"].status == "does not hold"
    v = c.evaluate_autoencoders({**good, "data": SUB}, {**bad, "data": SUB})
    for cid in ("P2.autoencoder_power_law", "P2.relu_power_law"):
        assert v[cid].status == "inconclusive" and "substitute" in v[cid].reason
    assert "on the substitute: holds" in v["P2.autoencoder_power_law"].reason


def test_singleton_share_exact():
    assert c.singleton_share([np.array([1, 1, 2])]) == pytest.approx(0.5)
    assert c.singleton_share([np.array([1, 3]), np.array([2, 2])]) == pytest.approx(0.125)


def test_evaluate_conv():
    conv = {"counts": [ideal(1.0), ideal(1.0), ideal(1.0)], "data": REAL}
    dense = {"counts": [2 * ideal(1.0)] * 3}                      # no state seen once: share 0
    v = c.evaluate_conv(conv, dense)["P2.conv_autoencoder_weaker_power_law"]
    assert v.status == "holds" and v.value == pytest.approx(c.singleton_share(conv["counts"]))
    v = c.evaluate_conv(conv, conv)["P2.conv_autoencoder_weaker_power_law"]   # no more undersampled
    assert v.status == "does not hold"
    v = c.evaluate_conv({"counts": [ONES] * 3, "data": REAL}, dense)["P2.conv_autoencoder_weaker_power_law"]
    assert v.status == "inconclusive"                             # undersampled, but no tail to judge
    v = c.evaluate_conv({**conv, "data": SUB}, dense)["P2.conv_autoencoder_weaker_power_law"]
    assert v.status == "inconclusive" and "substitute" in v.reason


def test_evaluate_epochs():
    one_state = np.array([1000])                                  # H[s] = 0 bits exactly
    distinct = np.ones(1024, dtype=int)                          # H[s] = 10 bits exactly
    ep = {"checkpoints": [0, 1], "counts": [[ONES] * 3, [ideal(0.8), ideal(1.0), ideal(1.2)]], "data": REAL,
          "updates_per_epoch": 80}
    collapsed = {"counts": [[distinct, one_state, one_state]] * 3, "M": 1000}
    v = c.evaluate_epochs(ep, collapsed)
    assert v["P2.power_law_after_one_epoch"].status == "holds"
    assert v["P2.untrained_deep_layers_collapse"].status == "holds"
    assert v["P2.untrained_deep_layers_collapse"].value == 0.0
    spread = {"counts": [[distinct, one_state, distinct]] * 3, "M": 1024}
    v = c.evaluate_epochs({**ep, "counts": [[ONES] * 3, [GEOM] * 3]}, spread)
    assert v["P2.power_law_after_one_epoch"].status == "does not hold"
    assert v["P2.untrained_deep_layers_collapse"].status == "does not hold"
    assert v["P2.untrained_deep_layers_collapse"].value == pytest.approx(10.0)
    v = c.evaluate_epochs({**ep, "checkpoints": [0, 10]}, {"counts": [[distinct, one_state, one_state]], "M": 1})
    assert v["P2.power_law_after_one_epoch"].status == "inconclusive"       # no epoch-1 checkpoint
    assert v["P2.untrained_deep_layers_collapse"].status == "inconclusive"  # one seed: no spread


def test_scale_names_the_setting():
    from deepinfo.experiments import select_preset
    from deepinfo.experiments.scale_invariance import PRESETS

    s = c.scale(select_preset(PRESETS, "quick"))
    assert "MNIST M = 10000" in s["rbm"] and "seeds" in s["robustness runs"]


def test_tail_table_rows_and_bound_slope_column():
    from deepinfo.experiments.scale_invariance import figures as figs
    from deepinfo.theory import counts_from_degeneracy, maximise_lagrangian

    t = figs.tail_table([("pl", c.fit(ideal())), ("geom", c.fit(GEOM))])
    assert list(t.index) == ["pl", "geom"] and list(t["verdict"]) == ["holds", "does not hold"]
    assert "beta from bound slope" not in t.columns
    # the exact maximiser of H(K) + beta H(Z) lies on the maximal-relevance curve: its slope there is beta
    d = maximise_lagrangian(1000, 1.0)
    counts = counts_from_degeneracy(d["k"], d["m_k"])
    t = figs.tail_table([("max", c.fit(counts))], counts=[counts])
    assert abs(t["beta from bound slope"].iloc[0] - 1.0) < 0.1
    s = figs.tail_summary([c.fit(ideal()), c.fit(GEOM), c.fit(ONES)])
    assert (s["n"], s["holds"], s["fails"], s["inconclusive"]) == (3, 1, 1, 1) and s["beats_exponential"] == 1


def _rbm(seed, counts, sampled=None, n_stuck=0):
    return {"seed": seed, "counts_rbm": counts, "counts_sampled": counts if sampled is None else sampled,
            "n_states": int(np.size(counts)), "stuck": {"n_units": 30, "n_stuck": n_stuck}, "data": REAL,
            "updates": 2000}


def test_rbm_seed_claims_three_ways():
    good = [_rbm(s, ideal()) for s in range(3)]
    v = c.evaluate_rbm_seeds(good)
    assert v["P2.rbm_power_law_seeds"].status == "holds" and v["P2.rbm_sampled_power_law"].status == "holds"
    assert v["P2.rbm_no_stuck_units"].status == "holds" and v["P2.rbm_no_stuck_units"].value == 0
    bad = good[:2] + [_rbm(2, GEOM, sampled=ONES, n_stuck=4)]
    v = c.evaluate_rbm_seeds(bad)
    assert v["P2.rbm_power_law_seeds"].status == "does not hold"        # one seed with a characteristic scale
    assert v["P2.rbm_sampled_power_law"].status == "inconclusive"       # one seed with nothing to fit
    assert v["P2.rbm_no_stuck_units"].status == "does not hold" and v["P2.rbm_no_stuck_units"].value == 4
    v = c.evaluate_rbm_seeds(good[:2])                                   # two seeds cannot carry the claim
    assert v["P2.rbm_power_law_seeds"].status == "inconclusive" and "at least 3" in v["P2.rbm_power_law_seeds"].reason


def test_power_law_at_any_accuracy_three_ways():
    un = {"counts": [[np.ones(1024, dtype=int), np.array([1000]), np.array([1000])]] * 3, "M": 1000}
    pl = [ideal(0.8), ideal(1.0), ideal(1.2)]
    ep = {"checkpoints": [0, 1, 10, 100], "counts": [[ONES] * 3, pl, pl, pl], "accuracy": [0.1, 0.8, 0.9, 0.95],
          "data": REAL, "updates_per_epoch": 600}
    v = c.evaluate_epochs(ep, un)["P2.power_law_at_any_accuracy"]
    assert v.status == "holds" and v.value == 9 and "epoch 100: 0.950" in v.detail
    v = c.evaluate_epochs({**ep, "counts": [[ONES] * 3, pl, pl, [GEOM] + pl[1:]]}, un)["P2.power_law_at_any_accuracy"]
    assert v.status == "does not hold" and v.value == 8                # one layer at epoch 100 has a scale
    v = c.evaluate_epochs({**ep, "counts": [[ONES] * 3, pl, [ONES] + pl[1:], pl]}, un)["P2.power_law_at_any_accuracy"]
    assert v.status == "inconclusive"                                   # one layer with nothing to fit
    v = c.evaluate_epochs({**ep, "checkpoints": [0, 1], "counts": ep["counts"][:2]}, un)
    assert v["P2.power_law_at_any_accuracy"].status == "inconclusive"   # no epoch-10/100 checkpoints
