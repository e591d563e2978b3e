"""Units of work of the synthesis page (issue 16 item 1, issue 15 item 4): units() names exactly the cache
entries its runners fill (the ensemble's training through the information-plane chapter's own unit), and
after deepinfo.compute.compute every unit is done and the runners train nothing more."""
from __future__ import annotations

import pytest

import deepinfo.compute
import deepinfo.models.ensemble as ensemble
import deepinfo.models.feedforward as feedforward
from deepinfo.compute import Unit
from deepinfo.experiments import select_preset
from deepinfo.experiments import synthesis as syn
from deepinfo.experiments.information_plane import run as ip_run
from deepinfo.experiments.synthesis import run as sr


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPINFO_CACHE_DIR", str(tmp_path / "cache"))


def _tiny():
    return select_preset(syn.PRESETS, "smoke", **{
        "ensemble.information_plane.n_networks": 2, "ensemble.information_plane.epochs": 4,
        "ensemble.information_plane.n_snapshots": 3,
        "chain.chain.M": 600, "chain.hidden": (8, 4), "chain.epochs": 1, "chain.n_networks": 2,
        "distiller.M": 600, "distiller.hidden": (6, 3), "distiller.epochs": 1, "distiller.n_networks": 2})


def _synthesis_units(cfg, seed):
    return [u for u in syn.units(cfg, seed=seed, device="cpu") if u.chapter == "synthesis"]


def _page_units(cfg, seed):
    """The synthesis units and the information-plane training they read (not the DBN of another chapter)."""
    return [u for u in syn.units(cfg, seed=seed, device="cpu") if u.chapter in ("synthesis", "information_plane")]


def test_units_compute_then_runners_compute_nothing(monkeypatch):
    cfg = _tiny()
    us = _page_units(cfg, 1)
    assert [(u.chapter, u.cache_name) for u in us] == [
        ("information_plane", ip_run.MEASURES_CACHE), ("synthesis", "synthesis_measures"),
        ("synthesis", "synthesis_chain"), ("synthesis", "synthesis_distiller")]
    assert all(isinstance(u, Unit) for u in us) and len({u.id for u in us}) == 4
    assert not any(u.done() for u in us)
    records = deepinfo.compute.compute(us, log=lambda s: None)
    assert len(records) == 4 and all(u.done() for u in us)
    assert deepinfo.compute.compute(us, log=lambda s: None) == []  # nothing left to compute

    def no_training(*a, **k):
        raise AssertionError("a runner trained again after its unit was computed")
    monkeypatch.setattr(ensemble, "train_ensemble", no_training)
    monkeypatch.setattr(ip_run, "train_ensemble", no_training)
    monkeypatch.setattr(feedforward, "train_supervised", no_training)
    res = sr.run_ensemble(cfg.ensemble, 1, progress=False)
    sr.run_chain(cfg.chain, 1, progress=False)
    sr.run_distiller(cfg.distiller, 1, progress=False)
    assert res["turn"].shape == (6, 2)
    assert deepinfo.compute.compute(us, log=lambda s: None) == []


def test_unit_keys_are_the_runners_keys():
    cfg = _tiny()
    t, e, c, d = _page_units(cfg, 3)
    # the training is listed through the information-plane chapter's own unit of its main run
    ipc = cfg.ensemble.information_plane
    own = [u for u in ip_run.units(ipc, 3, "cpu") if u.id == t.id]
    assert len(own) == 1 and (t.cache_name, t.cache_config) == ip_run.spec_key(ip_run.main_spec(ipc, 3))
    assert t.cache_config["training"] == sr.training_key(cfg.ensemble, 3)[1]
    assert (e.cache_name, e.cache_config) == sr.ensemble_key(cfg.ensemble, 3)
    assert e.cache_config["training"] == sr.training_key(cfg.ensemble, 3)[1]  # the measures are keyed by it
    assert (c.cache_name, c.cache_config) == sr.chain_key(cfg.chain, 3)
    assert (d.cache_name, d.cache_config) == sr.distiller_key(cfg.distiller, 3)
    # another seed or size is another entry
    assert sr.ensemble_key(cfg.ensemble, 4) != sr.ensemble_key(cfg.ensemble, 3)


def test_dbn_unit_is_the_resolution_relevance_chapters_own():
    """The DBN the three-families plane reads (dbn_layers -> dbn_result, kind "trained") is listed through
    the Song et al. chapter's own units, with that chapter's key, at cfg.families_preset."""
    import importlib

    rr = importlib.import_module("deepinfo.experiments.resolution_relevance.run")

    if not hasattr(rr, "units"):
        pytest.skip("the resolution/relevance chapter lists no units")
    cfg = _tiny()
    dbn = [u for u in syn.units(cfg, seed=0, device="cpu") if u.chapter not in ("synthesis", "information_plane")]
    assert len(dbn) == 1 and dbn[0].chapter == "resolution_relevance"
    rcfg = select_preset(rr.PRESETS, cfg.families_preset)
    x, _, source = rr.load_data(rcfg, 0)
    assert (dbn[0].cache_name, dbn[0].cache_config) == rr.dbn_stats_key(rcfg, "trained", 0, source, len(x))
