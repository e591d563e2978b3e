"""The finite-size study of the Lee & Jo chapter (deepinfo.experiments.scale_invariance.finite_size).

Configuration logic against exact expectations (the page's own M is the page's own cache entry, one entry per
M), the cached statistics on synthetic verdicts whose answer is known, and the figure and table on them.
No training.
"""
from __future__ import annotations

import math
from dataclasses import replace

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from deepinfo.experiments.scale_invariance import PRESETS, claims as c, figures as figs  # noqa: E402
from deepinfo.experiments.scale_invariance import finite_size as fs  # noqa: E402
from deepinfo.experiments.scale_invariance.run import _entry, _rbm_entry  # noqa: E402

from test_scale_invariance_claims import GEOM, REAL, ideal  # noqa: E402

N_MNIST = {"rbm": 10_000, "ae": 10_000, "epochs": 8_000}
N_FASHION = {"mlp": 60_000}


def test_at_M_returns_the_page_config_at_its_own_size():
    cfg = PRESETS["quick"]
    assert fs.at_M(cfg.rbm, 10_000, 10_000) is cfg.rbm                  # M = 10,000 is the page's own
    assert fs.at_M(cfg.rbm, 2_500, 10_000).M == 2_500
    assert fs.at_M(cfg.mlp, 60_000, 60_000) is cfg.mlp                  # M = None: all 60,000
    assert fs.at_M(cfg.epochs, 10_000, 8_000) is cfg.epochs             # capped at what is there
    assert fs.at_M(cfg.epochs, 5_000, 8_000).M == 5_000


def test_point_configs_and_keys():
    cfg = PRESETS["quick"]
    pc = fs.point_configs(cfg, 10_000, "mnist", N_MNIST)
    assert _rbm_entry(pc["rbm"], 0) == _rbm_entry(cfg.rbm, 0)          # the page's RBM entry is reused
    assert pc["ae"] is cfg.ae and pc["relu_ae"] == cfg.relu_ae()
    assert pc["epochs"].checkpoints == (0, 1) and pc["epochs"].M is None
    assert fs.point_configs(cfg, 60_000, "fashion", N_FASHION)["mlp"] is cfg.mlp
    keys = {(d, M): fs.finite_size_key(cfg, M, d, 0, N_MNIST if d == "mnist" else N_FASHION)
            for d, M in [("mnist", 2_500), ("mnist", 5_000), ("mnist", 10_000), ("fashion", 2_500)]}
    assert len({str(k) for k in keys.values()}) == 4 and all(k[0] == "p2_finite_size" for k in keys.values())
    assert keys[("fashion", 2_500)][1]["mlp"] == _entry("p2_mlp", replace(cfg.mlp, M=2_500), seed=0)[1]
    assert fs.finite_size_key(cfg, 2_500, "mnist", 1, N_MNIST) != keys[("mnist", 2_500)]  # the seed is in it
    with pytest.raises(ValueError):
        fs._available("cifar")


def test_every_finite_size_claim_is_declared_and_titled():
    ids = {s.id for s in c.CLAIMS}
    assert set(fs.FINITE_SIZE_CLAIMS) <= ids and set(fs.TITLES) == set(fs.FINITE_SIZE_CLAIMS)


def _point(M, layers, km, dataset="mnist"):
    """A point as finite_size_point returns it, built from synthetic counts with known verdicts."""
    out = {}
    if dataset == "mnist":
        v = c.evaluate_rbm({"counts_rbm": layers[0], "counts_kmeans": km, "data": {**REAL, "M": M}})
        out["P2.rbm_power_law"] = fs._stats(v["P2.rbm_power_law"], [("RBM z", c.fit(layers[0]), M)])
        out["P2.kmeans_has_characteristic_size"] = fs._stats(v["P2.kmeans_has_characteristic_size"],
                                                             [("k-means", c.fit(km), M)])
    else:
        fits = c.layer_fits(layers)
        out["P2.mlp_power_law_every_layer"] = fs._stats(c.all_of(fits), [(lab, f, M) for lab, f in fits])
    return {"M": M, "dataset": dataset, "seed": 0, "claims": out, "accuracy": {}}


def test_statistics_sentence_trend_figure_and_table():
    pts = [_point(2_500, [GEOM], ideal()), _point(10_000, [ideal(1.0)], GEOM),
           _point(5_000, [ideal(0.6), ideal(1.0), ideal(1.4)], None, "fashion"),
           _point(2_500, [GEOM, ideal(1.0), ideal(1.4)], None, "fashion")]
    st = pts[1]["claims"]["P2.rbm_power_law"]
    assert st["status"] == "holds" and st["lo"] <= 1.0 <= st["hi"]          # the true beta is in the interval
    assert st["partitions"][0]["beta"] == pytest.approx(c.fit(ideal(1.0)).beta)
    assert pts[0]["claims"]["P2.rbm_power_law"]["status"] == "does not hold"
    rows = fs.by_claim(pts)
    assert [M for M, _, _ in rows["P2.mlp_power_law_every_layer"]] == [2_500, 5_000]   # sorted by M
    assert fs.trend(pts, "P2.rbm_power_law") == "toward holds"
    assert fs.trend(pts, "P2.kmeans_has_characteristic_size") == "toward holds"   # ideal -> GEOM: 'not a PL' holds
    assert fs.trend(pts, "P2.mlp_power_law_every_layer") == "toward holds"
    assert fs.trend(pts, "P2.nothing") == "unchanged"
    s = fs.finite_size_sentence(pts)
    assert "does not hold at M = 2,500; holds at M = 10,000" in s
    assert "holds at M = 2,500 and 10,000" in fs.finite_size_sentence(
        [_point(2_500, [ideal(1.0)], GEOM), _point(10_000, [ideal(1.0)], GEOM)])
    fig = figs.fig_finite_size(pts)
    assert len([a for a in fig.axes if a.get_visible()]) == 3
    t = figs.finite_size_table(pts)
    assert len(t) == 6 and set(t["status"]) <= {"holds", "does not hold", "inconclusive"}
    assert math.isnan(fs._stats(c.inconclusive("none"), [])["value"])


def test_units_one_per_point():
    cfg = PRESETS["smoke"]
    us = fs.finite_size_units(cfg, 0, "cpu")
    assert [u.name.split(" (")[0] for u in us] == [f"finite size {d} M = {M}" for d, Ms in
                                                    (("mnist", cfg.finite_size_M),
                                                     ("fashion", cfg.finite_size_M_fashion)) for M in Ms]
    assert len({u.id for u in us}) == len(us)
    assert fs.finite_size_units(replace(cfg, finite_size_M=(), finite_size_M_fashion=()), 0) == []
