"""Units of work of the resolution-relevance chapter and its supplement (deepinfo.compute, issue 16 item 1):
every unit fills exactly the cache entry its runner reads, and after computing them the pages' runners
compute nothing."""
from __future__ import annotations

import importlib
from dataclasses import replace


from deepinfo.compute import Unit, compute
from deepinfo.experiments import resolution_relevance as rr
from deepinfo.experiments import resolution_relevance_supplement as rs

TINY = rr.Config(n_data=200, epochs=1, n_realisations=2, kmeans_log2_k=(10, 12, 14), kmeans_max_iter=1,
                 n_generate=4, n_sweeps=1, classifier=rr.ClassifierConfig(epochs=1, channels=(4, 8), n_hidden=16),
                 hidden_sizes=(6, 4, 3), kmeans_restarts=2, variant_updates=200, finite_size_M=(100, 200))


def _forbid(monkeypatch):
    """Make every expensive computation of both chapters raise."""
    import sklearn.cluster

    def boom(*a, **k):
        raise AssertionError("recomputed after the units were computed")

    from deepinfo.models import classifier, feedforward, rbm, vae

    monkeypatch.setattr(rbm.DBN, "train", staticmethod(boom))
    monkeypatch.setattr(rbm, "generate", boom)
    monkeypatch.setattr(importlib.import_module("deepinfo.experiments.resolution_relevance.run"), "generate", boom)
    monkeypatch.setattr(sklearn.cluster.MiniBatchKMeans, "fit_predict", boom)
    monkeypatch.setattr(classifier, "train", boom)
    monkeypatch.setattr(feedforward, "train_supervised", boom)
    monkeypatch.setattr(vae, "train_vae", boom)
    monkeypatch.setattr(importlib.import_module("deepinfo.experiments.resolution_relevance_supplement.run"),
                        "train_sparse_rbm", boom)


def test_main_units_fill_their_entries_and_the_page_then_computes_nothing(monkeypatch):
    units = rr.units(TINY, seed=0, device="cpu")
    assert all(isinstance(u, Unit) for u in units)
    names = [u.name for u in units]
    assert sum(n.startswith("DBN ") for n in names) == len(rr.KINDS) + 1          # every kind and the variant
    assert sum(n.startswith("k-means") for n in names) == len(rr.kmeans_ks(TINY, 200))
    assert sum(n.startswith("finite size") for n in names) == 2
    assert len({u.id for u in units}) == len(units)
    assert not any(u.done() for u in units)
    done = compute(units, log=lambda s: None)
    assert len(done) == len(units) and all(u.done() for u in units)
    assert compute(units, log=lambda s: None) == []
    _forbid(monkeypatch)
    res = rr.run(TINY, 0, "cpu", progress=False)      # the page's computations: nothing left to compute
    assert set(res) >= {*rr.KINDS, rr.VARIANT, "kmeans", "generation", "finite_size"}
    assert [p["M"] for p in res["finite_size"]] == [100, 200]


def test_units_and_runners_agree_on_a_changed_config():
    # the key helpers are shared, so a unit of a changed config names a different entry
    a = {u.name: u.id for u in rr.units(TINY, 0, "cpu")}
    b = {u.name: u.id for u in rr.units(replace(TINY, lr=0.05), 0, "cpu")}
    assert a.keys() == b.keys()
    assert all(a[n] != b[n] for n in a if n.startswith(("DBN trained", "generation", "finite size")))
    assert all(a[n] == b[n] for n in a if n.startswith("k-means"))   # k-means does not depend on the DBN


SUPP_TINY = replace(
    rs.PRESETS["smoke"],
    s1=rs.S1Config(M=120, epochs=1, n_realisations=2),
    s2=rs.S2Config(architectures=(("deep, narrowing", (6, 4, 3)), ("deep, not narrowing", (5, 5, 5)),
                                  ("shallow, narrowing", (6, 3))), rbm_sizes=(4,),
                   generation=rs.GenerationSpec(4, 1)),
    s3=rs.S3Config(M=120, epochs=1, n_realisations=2, generation=rs.GenerationSpec(4, 1), labeller_epochs=1,
                   labeller_M=200, n_test=50),
    s4=rs.S4Config(M=120, epochs=1, n_hidden=5, lambda_c=(0.0,), lambda_a=(0.0, 1.0)),
    s5=rs.S5Config(M_train=120, M_test=40, n_hidden=(3,), epochs=1, cnn_channels=(2, 4)),
    s6=rs.S6Config(M=120, n_z=(1, 2), epochs=1, n_generated=30, n_groups=3),
    classifier=rr.ClassifierConfig(epochs=1, channels=(4, 8), n_hidden=16))


def test_supplement_units_fill_their_entries_and_the_page_then_computes_nothing(monkeypatch):
    units = rs.units(SUPP_TINY, seed=0, device="cpu")
    assert all(isinstance(u, Unit) for u in units) and len({u.id for u in units}) == len(units)
    compute(units, log=lambda s: None)
    assert all(u.done() for u in units)
    _forbid(monkeypatch)
    rs.page_results(SUPP_TINY, 0, "cpu")                # every runner the page calls
