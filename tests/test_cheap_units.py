"""Units of work of the Lin & Tegmark chapter (issue 16): units() names exactly the cache entries its runners
fill; after deepinfo.compute.compute every unit is done and calling the runners again computes nothing."""
from __future__ import annotations

import pytest

import deepinfo.compute
from deepinfo.compute import Unit
from deepinfo.experiments import select_preset
from deepinfo.experiments.cheap_learning import PRESETS, run, units


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPINFO_CACHE_DIR", str(tmp_path / "cache"))


def _tiny():
    return select_preset(PRESETS, "smoke", **{"shallow_deep.ns": (2, 3), "shallow_deep.widths": (2, 4),
                                              "shallow_deep.steps": 3, "shallow_deep.M_train": 16,
                                              "shallow_deep.M_test": 16, "rg.L": 16, "rg.S": 4, "rg.bs": (1, 2)})


def test_units_compute_then_runners_compute_nothing(monkeypatch):
    cfg = _tiny()
    us = units(cfg, seed=3)
    assert len(us) == 3 and all(isinstance(u, Unit) and u.chapter == "cheap_learning" for u in us)
    assert [u.name for u in us[:2]] == ["shallow-vs-deep bank, n = 3", "shallow-vs-deep bank, n = 2"]
    assert not any(u.done() for u in us)
    calls = {"sd": 0, "rg": 0}
    real_sd, real_rg = run.shallow_deep.shallow_vs_deep, run.rg.rg_flow

    def sd(*a, **k):
        calls["sd"] += 1
        return real_sd(*a, **k)

    def flow(*a, **k):
        calls["rg"] += 1
        return real_rg(*a, **k)

    monkeypatch.setattr(run.shallow_deep, "shallow_vs_deep", sd)
    monkeypatch.setattr(run.rg, "rg_flow", flow)
    records = deepinfo.compute.compute(us, log=lambda s: None)
    assert len(records) == 3 and calls == {"sd": 2, "rg": 1}  # one bank per n
    assert all(u.done() for u in us)
    sd_all = run.run_shallow_deep(cfg.shallow_deep)
    run.run_rg(cfg.rg, 3)
    assert calls == {"sd": 2, "rg": 1}  # the page's calls hit the entries the units filled
    assert [r["n"] for r in sd_all["rows"]] == [2, 3]  # assembled in the config's order of n
    assert deepinfo.compute.compute(units(cfg, seed=3), log=lambda s: None) == []


def test_unit_keys_follow_the_config_and_the_seed():
    cfg = _tiny()
    a, b = units(cfg, seed=0), units(cfg, seed=1)
    assert a[0].id == b[0].id and a[-1].id != b[-1].id  # training does not depend on the page seed; fields do
    other = select_preset(PRESETS, "smoke", **{"rg.S": 5, "rg.L": 16, "rg.bs": (1, 2)})
    assert units(other)[-1].id != a[-1].id
    more = select_preset(PRESETS, "smoke", **{"shallow_deep.ns": (2, 3, 4), "shallow_deep.widths": (2, 4),
                                              "shallow_deep.steps": 3, "shallow_deep.M_train": 16,
                                              "shallow_deep.M_test": 16})
    # adding an n leaves the other banks' entries as they were; a changed training field changes them all
    assert {u.id for u in units(more)[:3]} > {u.id for u in a[:2]}
    longer = select_preset(PRESETS, "smoke", **{"shallow_deep.ns": (2, 3), "shallow_deep.widths": (2, 4),
                                                "shallow_deep.steps": 4, "shallow_deep.M_train": 16,
                                                "shallow_deep.M_test": 16})
    assert not {u.id for u in units(longer)[:2]} & {u.id for u in a[:2]}


def test_chapter_units_finds_them():
    us = deepinfo.compute.chapter_units("cheap_learning", "smoke")
    ns = PRESETS["smoke"].shallow_deep.ns
    assert [u.name.split(" (")[0] for u in us] == [f"shallow-vs-deep bank, n = {n}" for n in sorted(ns, reverse=True)] + \
        ["Gaussian-field sampling"]


def test_headline_arrays_rebuild_the_shallow_deep_result(tmp_path, monkeypatch):
    """The full-preset snapshot keeps only arrays (float64 stored as float32): rebuilding the result from
    the saved file gives the same table (smallest widths recomputed from the stored best errors) and
    the same errors to float32 precision."""
    import numpy as np
    from deepinfo import snapshot
    from deepinfo.experiments.cheap_learning import figures

    monkeypatch.setenv("DEEPINFO_BUILD_DIR", str(tmp_path / "build"))
    cfg = _tiny()
    sd = run.run_shallow_deep(cfg.shallow_deep)
    path = snapshot.save_headline_arrays("cheap_learning", "full", figures.headline_arrays(sd, cfg.shallow_deep))
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    assert arrays["nmse_shallow"].shape == (2, 2) and list(arrays["ns"]) == [2, 3]
    assert arrays["nmse_shallow"].dtype == np.float32
    back = figures.shallow_deep_from_arrays(arrays)
    assert run.shallow_deep_table(back).equals(run.shallow_deep_table(sd))
    for a, b in zip(back["rows"], sd["rows"]):
        for name in ("shallow", "deep"):
            assert np.allclose(a[name]["nmse"], b[name]["nmse"], rtol=1e-6, atol=0)
    # a target that only the first width reaches moves the smallest width there, as minimal_neurons says
    arrays2 = {**arrays, "nmse_shallow": np.array([[0.01, 0.5], [0.5, 0.5]]), "target": np.array(0.05)}
    t = run.shallow_deep_table(figures.shallow_deep_from_arrays(arrays2)).set_index(["n", "net"])
    assert t.loc[(2, "shallow"), "min neurons"] == 2 and not t.loc[(3, "shallow"), "reached"]
    fig = figures.fig_shallow_deep_snapshot(arrays, {"provenance": {"commit": "abc", "date": "2026"}, "stale": True})
    assert "STALE" in fig._suptitle.get_text()
