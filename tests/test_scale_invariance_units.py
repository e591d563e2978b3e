"""Units of work of the two Lee & Jo pages: computing them fills exactly the entries the runners read.

On tiny configurations: after ``deepinfo.compute.compute(units(cfg))`` every unit is ``done()``, and
calling every runner the pages call afterwards computes nothing (a compute function that raises is
handed to the cache).
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from deepinfo import cache as cache_mod
from deepinfo.compute import Unit, compute


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPINFO_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _no_more_compute(monkeypatch):
    original = cache_mod.ResultCache.get_or_compute

    def strict(self, name, config, fn, *a, **kw):
        def refuse():
            raise AssertionError(f"runner computed {name} although its unit had run")
        return original(self, name, config, refuse, *a, **kw)

    monkeypatch.setattr(cache_mod.ResultCache, "get_or_compute", strict)


def tiny_main():
    from deepinfo.experiments import scale_invariance as si

    c = si.PRESETS["smoke"]
    return replace(c, rbm=replace(c.rbm, M=300, epochs=1, kmeans_max_iter=5, kmeans_n_init=1,
                                  tsne_n=40),
                   mlp=replace(c.mlp, M=300, M_test=100, max_epochs=1), seeds=(0, 1), rbm_seeds=(0, 1),
                   architectures=((784, 12, 8, 10),), robust_M=300, robust_max_epochs=1,
                   ae=replace(c.ae, M=200, epochs=1), conv=replace(c.conv, M=100, epochs=1),
                   epochs=replace(c.epochs, M=200, M_test=50, checkpoints=(0, 1), updates_per_epoch=3),
                   train_seeds=(0, 1), finite_size_M=(150, 300), finite_size_M_fashion=(300,))


def test_main_page_units_fill_what_the_runners_read(empty_cache, monkeypatch):
    from deepinfo.experiments import scale_invariance as si

    cfg = tiny_main()
    units = si.units(cfg, seed=0, device="cpu")
    assert units and all(isinstance(u, Unit) for u in units)
    assert len({u.id for u in units}) == len(units)
    compute(units, log=lambda s: None)
    assert all(u.done() for u in units)
    _no_more_compute(monkeypatch)
    si.run_rbm_clusters(cfg.rbm, seed=0, device="cpu")
    si.run_rbm_seeds(cfg, device="cpu")
    si.run_rbm_seeds(cfg, device="cpu", schedule="plain")
    ts = cfg.training_seeds(0)
    assert ts == (0, 1)
    si.over_seeds(si.run_mlp, cfg.mlp, ts, device="cpu")
    [si.run_mlp(cfg.robust_mlp(), seed=s, device="cpu") for s in cfg.seeds]
    [si.over_seeds(si.run_mlp, cfg.robust_mlp(sizes=tuple(a)), ts, device="cpu") for a in cfg.architectures]
    si.over_seeds(si.run_autoencoder, cfg.ae, ts, device="cpu")
    si.over_seeds(si.run_autoencoder, cfg.relu_ae(), ts, device="cpu")
    si.over_seeds(si.run_autoencoder_fashion, cfg.ae, ts, device="cpu")
    si.over_seeds(si.run_conv_autoencoder, cfg.conv, ts, device="cpu")
    eps = si.over_seeds(si.run_epochs, cfg.epochs, ts, device="cpu")
    si.run_untrained(cfg.epochs, cfg.seeds)
    si.run_widening(cfg.epochs, cfg.seeds)
    points = si.finite_size.finite_size_result(cfg, seed=0, device="cpu")
    assert [(p["dataset"], p["M"]) for p in points] == [("mnist", 150), ("mnist", 300), ("fashion", 300)]
    assert [e["seed"] for e in eps] == [0, 1]
    assert eps[0]["updates_per_epoch"] == 3 and eps[0]["checkpoints"] == [0, 1]


def test_the_clustering_entry_follows_the_rbm_training():
    from deepinfo.experiments.scale_invariance import run as si_run

    rc = tiny_main().rbm
    plain = replace(rc, schedule="plain")
    differ = si_run.rbm_training(rc) != si_run.rbm_training(plain)   # False until RECOMMENDED_SCHEDULE is set
    assert (si_run._rbm_entry(rc, 0) != si_run._rbm_entry(plain, 0)) == differ
    # a different training (schedule, epochs) is a different clustering entry, the same one is the same
    assert si_run._clusters_entry(plain, 0) != si_run._clusters_entry(replace(plain, epochs=2), 0)
    assert si_run._clusters_entry(plain, 0) == si_run._clusters_entry(replace(plain), 0)


def test_ising_page_units_fill_what_the_runners_read(empty_cache, monkeypatch):
    from deepinfo.experiments import scale_invariance_ising as si2

    c = si2.PRESETS["smoke"]
    cfg = replace(c, ising=replace(c.ising, n_samples=200, epochs=1, temperatures=(2.26, 3.28)),
                  theory=replace(c.theory, M=60, betas=(1.0,)), widths=(4, 8), n_seeds=2)
    units = si2.units(cfg, seed=0, device="cpu")
    assert sum(u.cache_name == "ising" for u in units) == 4      # samples per realisation and temperature
    compute(units, log=lambda s: None)
    assert all(u.done() for u in units)
    _no_more_compute(monkeypatch)
    si2.run_fig5_seeds(cfg, seed=0, device="cpu")
    si2.run_width_sweep(cfg, seed=0, device="cpu")
    si2.run_theory(cfg)
