"""Claims of the Lee & Jo chapter decided over training seeds, and the claims added by the audit.

Known answers only: ideal power-law profiles (scale-free by construction), geometric sizes (a characteristic
scale), every state seen once (nothing to fit). The every-seed rule itself (deepinfo.verdicts.in_every_seed)
is calibrated in ``tests/test_verdicts_rank_and_seeds.py``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from deepinfo.claims import Uncertainty, Verdict
from deepinfo.experiments.scale_invariance import claims as c

from test_scale_invariance_claims import GEOM, ONES, REAL, SUB, ideal


def _mlp(layers, seed):
    return {"thresholds": [0.5], "counts": [layers], "data": REAL, "epoch": 3, "reached": True, "seed": seed}


def test_evaluate_mlp_over_seeds_holds_only_if_every_seed_holds():
    pl = [ideal(0.6), ideal(1.0), ideal(1.4)]
    v = c.evaluate_mlp([_mlp(pl, 0), _mlp(pl, 1), _mlp(pl, 2)])
    assert v["P2.mlp_power_law_every_layer"].status == "holds" and v["P2.mlp_power_law_every_layer"].value == 1.0
    v = c.evaluate_mlp([_mlp(pl, 0), _mlp([GEOM, pl[1], pl[2]], 1), _mlp(pl, 2)])
    assert v["P2.mlp_power_law_every_layer"].status == "does not hold"
    assert v["P2.mlp_power_law_every_layer"].value == pytest.approx(2 / 3)
    assert v["P2.threshold_insensitive"].status == "does not hold"
    # a single dict still gives the one network's verdict (value: layers that hold)
    assert c.evaluate_mlp(_mlp(pl, 0))["P2.mlp_power_law_every_layer"].value == 3


def test_evaluate_autoencoders_and_conv_over_seeds():
    pl = [ideal(0.6), ideal(1.0), ideal(1.4)]
    real = [{"counts": pl, "data": REAL, "seed": s} for s in (0, 1, 2)]
    sub = [{"counts": pl, "data": SUB, "seed": s} for s in (0, 1, 2)]
    v = c.evaluate_autoencoders(real, real)
    assert v["P2.autoencoder_power_law"].status == "holds" and v["P2.relu_power_law"].status == "holds"
    v = c.evaluate_autoencoders(sub, real)
    assert v["P2.autoencoder_power_law"].status == "inconclusive" and v["P2.relu_power_law"].status == "holds"
    # conv: all states singletons except the power-law layers -> more singletons than the dense AE in every seed
    conv = [{"counts": [ideal(2.0), ideal(2.0), ideal(2.0)], "data": REAL, "seed": s} for s in (0, 1, 2)]
    dense = [{"counts": [ideal(0.5)] * 3, "data": REAL, "seed": s} for s in (0, 1, 2)]
    assert c.singleton_share(conv[0]["counts"]) > c.singleton_share(dense[0]["counts"])
    assert c.evaluate_conv(conv, dense)["P2.conv_autoencoder_weaker_power_law"].status == "holds"
    assert c.evaluate_conv(dense, conv)["P2.conv_autoencoder_weaker_power_law"].status == "does not hold"


def test_evaluate_epochs_over_seeds_and_untrained_shallow():
    pl = [ideal(0.6), ideal(1.0), ideal(1.4)]
    ep = [{"checkpoints": [0, 1, 10, 100], "counts": [[ONES] * 3, pl, pl, pl], "accuracy": [0.1, 0.9, 0.95, 0.97],
           "data": REAL, "seed": s} for s in (0, 1, 2)]
    few = np.array([9000, 1000])
    untrained = {"seeds": [0, 1, 2], "counts": [[ideal(1.0), few, few]] * 3, "M": 10_000}
    v = c.evaluate_epochs(ep, untrained)
    assert v["P2.power_law_after_one_epoch"].status == "holds" and v["P2.power_law_at_any_accuracy"].status == "holds"
    assert v["P2.untrained_deep_layers_collapse"].status == "holds"
    ep[1]["counts"][3] = [GEOM, pl[1], pl[2]]
    v = c.evaluate_epochs(ep, untrained)
    assert v["P2.power_law_after_one_epoch"].status == "holds"
    assert v["P2.power_law_at_any_accuracy"].status == "does not hold"
    s = c.evaluate_untrained_shallow(untrained)["P2.untrained_shallow_layer_sometimes"]
    assert s.status == "holds" and s.value == 3
    none = {"seeds": [0, 1], "counts": [[GEOM, few, few], [ONES, few, few]], "M": 3000}
    s = c.evaluate_untrained_shallow(none)["P2.untrained_shallow_layer_sometimes"]
    assert s.status == "inconclusive" and s.value == 0   # 'sometimes' cannot be refuted by one scheme


def test_evaluate_architectures_over_seeds():
    pl = [ideal(0.6), ideal(1.0), ideal(1.4)]
    archs = {(784, 3, 10): [_mlp(pl, 0), _mlp(pl, 1)], (784, 4, 10): [_mlp(pl, 0), _mlp(pl, 1)]}
    v = c.evaluate_architectures(archs)["P2.architecture_robust"]
    assert v.status == "holds" and v.value == 1.0 and v.scale["seeds"] == [0, 1]
    archs[(784, 4, 10)][1] = _mlp([GEOM, pl[1], pl[2]], 1)
    v = c.evaluate_architectures(archs)["P2.architecture_robust"]
    assert v.status == "does not hold" and v.value == 0.5


def test_autoencoder_fashion_and_widening():
    pl = [ideal(0.6), ideal(1.0), ideal(1.4)]
    runs = [{"counts": pl, "data": REAL, "seed": s} for s in (0, 1, 2)]
    assert c.evaluate_autoencoder_fashion(runs)["P2.autoencoder_fashion_power_law"].status == "holds"
    runs[2] = {"counts": [GEOM, pl[1], pl[2]], "data": REAL, "seed": 2}
    assert c.evaluate_autoencoder_fashion(runs)["P2.autoencoder_fashion_power_law"].status == "does not hold"
    w = c.evaluate_widening({"n_codes": [500, 500], "n_images": 500, "M": 500, "width": 1000})
    assert w["P2.widening_codes_unique"].status == "holds" and w["P2.widening_codes_unique"].value == 500
    w = c.evaluate_widening({"n_codes": [500, 499], "n_images": 500, "M": 500, "width": 1000})
    assert w["P2.widening_codes_unique"].status == "does not hold"


def test_audit_lists_every_claim_of_the_page_and_says_why_for_the_rest():
    listed = {cid for _, ids, _ in c.AUDIT for cid in ids}
    page = {s.id for s in c.CLAIMS}
    assert page <= listed, page - listed            # every claim of this page is placed in the audit
    assert all(where.strip() for _, ids, where in c.AUDIT if not ids)   # an untested item says why
    for fig in range(1, 9):                         # every figure of the paper appears
        assert any(f"Fig. {fig}" in item for item, _, _ in c.AUDIT), fig
    specs = {s.id: s for s in c.CLAIMS}
    v = {"P2.rbm_power_law": Verdict("holds", 1.2, Uncertainty("bootstrap", lo=1.0, hi=1.4), "d",
                                     scale={"M": 10_000, "networks": 1})}
    rows = c.audit_rows(v, specs)
    r = next(r for r in rows if r["claim"] == "P2.rbm_power_law")
    assert r["status"] == "holds" and r["M"] == 10_000 and "1.2" in r["value"]
    assert next(r for r in rows if r["claim"] == "P2.lagrangian_maximiser_is_power_law")["status"] == "next page"
    assert next(r for r in rows if r["claim"] == "P2.kmeans_has_characteristic_size")["status"] == "not recorded"
    assert math.isfinite(len(rows)) and len(rows) >= len(c.AUDIT)
