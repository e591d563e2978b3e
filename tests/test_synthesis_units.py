"""Units of work of the synthesis page (issue 16 item 1): units() names exactly the cache entries its
runners fill, and after deepinfo.compute.compute every unit is done and the runners train nothing more."""
from __future__ import annotations

import pytest

import deepinfo.compute
import deepinfo.models.ensemble as ensemble
import deepinfo.models.feedforward as feedforward
from deepinfo.compute import Unit
from deepinfo.experiments import select_preset
from deepinfo.experiments import synthesis as syn
from deepinfo.experiments.synthesis import run as sr


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPINFO_CACHE_DIR", str(tmp_path / "cache"))


def _tiny():
    return select_preset(syn.PRESETS, "smoke", **{
        "ensemble.n_networks": 2, "ensemble.epochs": 4, "ensemble.n_snapshots": 3,
        "chain.chain.M": 600, "chain.hidden": (8, 4), "chain.epochs": 1, "chain.n_networks": 2,
        "distiller.M": 600, "distiller.hidden": (6, 3), "distiller.epochs": 1, "distiller.n_networks": 2})


def _synthesis_units(cfg, seed):
    return [u for u in syn.units(cfg, seed=seed, device="cpu") if u.chapter == "synthesis"]


def test_units_compute_then_runners_compute_nothing(monkeypatch):
    cfg = _tiny()
    us = _synthesis_units(cfg, 1)
    assert [u.cache_name for u in us] == ["synthesis_ensemble", "synthesis_chain", "synthesis_distiller"]
    assert all(isinstance(u, Unit) for u in us) and len({u.id for u in us}) == 3
    assert not any(u.done() for u in us)
    records = deepinfo.compute.compute(us, log=lambda s: None)
    assert len(records) == 3 and all(u.done() for u in us)

    def no_training(*a, **k):
        raise AssertionError("a runner trained again after its unit was computed")
    monkeypatch.setattr(ensemble, "train_ensemble", no_training)
    monkeypatch.setattr(feedforward, "train_supervised", no_training)
    res = sr.run_ensemble(cfg.ensemble, 1, progress=False)
    sr.run_chain(cfg.chain, 1, progress=False)
    sr.run_distiller(cfg.distiller, 1, progress=False)
    assert res["turn"].shape == (6, 2)
    assert deepinfo.compute.compute(us, log=lambda s: None) == []


def test_unit_keys_are_the_runners_keys():
    cfg = _tiny()
    e, c, d = _synthesis_units(cfg, 3)
    assert (e.cache_name, e.cache_config) == sr.ensemble_key(cfg.ensemble, 3)
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
    dbn = [u for u in syn.units(cfg, seed=0, device="cpu") if u.chapter != "synthesis"]
    assert len(dbn) == 1 and dbn[0].chapter == "resolution_relevance"
    rcfg = select_preset(rr.PRESETS, cfg.families_preset)
    x, _, source = rr.load_data(rcfg, 0)
    assert (dbn[0].cache_name, dbn[0].cache_config) == rr.dbn_stats_key(rcfg, "trained", 0, source, len(x))
