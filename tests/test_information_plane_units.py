"""Units of work (issue 16) and train once, measure many (issue 15 item 4) of the information-plane chapter.

units() names exactly the cache entries its runners read; after deepinfo.compute.compute every unit is
done and the page's runners train and measure nothing more; another bin count reuses the cached training.
"""
from __future__ import annotations

import numpy as np
import pytest

import deepinfo.compute
from deepinfo.compute import Unit
from deepinfo.experiments import select_preset
from deepinfo.experiments.information_plane import PRESETS, run, units


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPINFO_CACHE_DIR", str(tmp_path / "cache"))


def _tiny():
    return select_preset(PRESETS, "smoke", n_networks=2, epochs=6, n_snapshots=3, fig3_fractions=(0.05, 0.85),
                         fig7_fractions=(0.05, 0.85), depth_widths=(4, 3), depth_networks=2, depth_epochs=4,
                         committee_epochs=4, relu_networks=2, relu_epochs=4, relu_snapshots=3, kde_patterns=64,
                         control_networks=2, control_epochs=4)


def _count(monkeypatch):
    calls = {"train": 0, "measure": 0}
    real_t, real_m = run.train_ensemble, run.measure_snapshots

    def train(*a, **k):
        calls["train"] += 1
        return real_t(*a, **k)

    def measure(*a, **k):
        calls["measure"] += 1
        return real_m(*a, **k)
    monkeypatch.setattr(run, "train_ensemble", train)
    monkeypatch.setattr(run, "measure_snapshots", measure)
    return calls


def test_units_compute_then_runners_compute_nothing(monkeypatch):
    cfg = _tiny()
    us = units(cfg, seed=1, device="cpu")
    names = [u.name.split(" ensemble")[0] for u in us]
    # every ensemble once; the longest (LONGEST_FIRST) first, the rest in the page's order
    assert names == ["main", "relu", "main 0.8-bit rule", "share 0.05", "depth 1", "depth 2", "committee",
                     "control sgd", "control gd"]
    assert all(isinstance(u, Unit) and u.chapter == "information_plane" for u in us)
    assert len({u.id for u in us}) == len(us) and not any(u.done() for u in us)
    calls = _count(monkeypatch)
    records = deepinfo.compute.compute(us, log=lambda s: None)
    assert len(records) == len(us) and calls == {"train": len(us), "measure": len(us)}
    assert all(u.done() for u in us)
    # the page's calls hit exactly the entries the units filled
    main = run.run_main(cfg, 1, progress=False)
    run.run_fractions(cfg, (0.05, 0.85), 1, progress=False)
    run.run_depth(cfg, 1, progress=False)
    run.run_committee(cfg, 1, progress=False)
    relu = run.run_relu(cfg, 1, progress=False)
    ctl = run.run_controls(cfg, 1, progress=False)
    assert calls == {"train": len(us), "measure": len(us)}
    assert deepinfo.compute.compute(units(cfg, seed=1, device="cpu"), log=lambda s: None) == []
    S = len(main["epochs"])
    assert main["I_X"]["bin30"].shape == (S, 6, 2) and main["values"]["sat30"].shape == (S, 6, 2)
    assert set(relu["I_X"]) == {"adaptive30", "kde", "bin30"}
    assert ctl["gd"]["config"]["batch_size"] >= 4096 and ctl["sgd"]["config"]["optimizer"] == "sgd"


def test_unit_keys_follow_the_config_and_the_seed():
    cfg = _tiny()
    a, b = units(cfg, seed=0), units(cfg, seed=1)
    assert all(x.id != y.id for x, y in zip(a, b))
    other = select_preset(PRESETS, "smoke", **{**{f: getattr(cfg, f) for f in ("n_networks", "epochs")},
                                               "control_lr": 0.1})
    ids = {u.name.split(" ensemble")[0]: u.id for u in units(other)}
    base = {u.name.split(" ensemble")[0]: u.id for u in units(select_preset(
        PRESETS, "smoke", n_networks=cfg.n_networks, epochs=cfg.epochs))}
    assert ids["main"] == base["main"] and ids["control gd"] != base["control gd"]


def test_another_bin_count_reuses_the_cached_training(monkeypatch):
    cfg = _tiny()
    calls = _count(monkeypatch)
    ens = run.ensemble_config(cfg, 0)
    r30 = run.run_ensemble(ens, "spherical", ("bin30",), progress=False)
    r10 = run.run_ensemble(ens, "spherical", ("bin10", "bin100", "sat30"), progress=False)
    assert calls == {"train": 1, "measure": 2}
    # and measuring afterwards gives what measuring during training gives
    rule = run.rule_for("spherical")
    live = run.train_ensemble(ens, rule.X, rule.p_y_given_x, run.make_measures(("bin10",), rule), progress=False)
    assert np.array_equal(live["I_X"]["bin10"], r10["I_X"]["bin10"])
    assert np.array_equal(r30["epochs"], r10["epochs"])
    assert run.training_key(ens)[1] == run.measures_key(ens, "spherical", ("bin10",))[1]["training"]


def test_saturated_share_counts_the_end_bins():
    T = np.array([[[0.0, 0.95], [-0.99, 0.5]]])  # one network, 2 patterns, 2 units; |t| > 1 - 2/30 = 0.933
    assert run.saturated_share(T, 30) == pytest.approx([0.5])
    assert run.saturated_share(T, 4) == pytest.approx([0.5])  # |t| > 0.5: 0.95 and -0.99 (0.5 is not > 0.5)
