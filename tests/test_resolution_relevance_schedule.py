"""The training-schedule study and the Fashion-MNIST finite-size points of Song et al.'s main page: the
decision rule on synthetic outcomes, the criterion's bookkeeping against an independent computation, cache
keys, and units that leave the page nothing to compute."""
from __future__ import annotations

import importlib
from dataclasses import replace

import numpy as np
import pytest
import torch

from deepinfo.compute import compute
from deepinfo.experiments import resolution_relevance as rr
from deepinfo.models.rbm import DBN, RECOMMENDED_SCHEDULE, RBMTraining, relative_change, stuck_units

run_mod = importlib.import_module("deepinfo.experiments.resolution_relevance.run")

TINY = rr.Config(n_data=200, epochs=1, n_realisations=2, kmeans_log2_k=(10, 12, 14), kmeans_max_iter=1,
                 n_generate=4, n_sweeps=1, classifier=rr.ClassifierConfig(epochs=1, channels=(4, 8), n_hidden=16),
                 hidden_sizes=(6, 4, 3), kmeans_restarts=2, variant_updates=None, finite_size_M=(100,),
                 finite_size_fashion_M=(100,), schedule_study=(("plain", 1), ("recommended", 5)))


def point(accepted: bool, updates: int, schedule: str) -> dict:
    return {"accepted": accepted, "gradient_updates": updates, "schedule": schedule}


# ------------------------------------------------------------------------------ the decision rule
def test_decision_adopts_only_an_accepted_recommended_schedule():
    d = rr.schedule_decision([point(False, 500, "plain"), point(True, 2000, "recommended")])
    assert d["adopt"] and d["chosen"] == 1
    d = rr.schedule_decision([point(True, 500, "plain"), point(True, 2000, "recommended")])
    assert not d["adopt"] and d["chosen"] == 0                        # both pass: the cheaper is kept
    d = rr.schedule_decision([point(True, 2000, "plain"), point(True, 500, "recommended")])
    assert d["adopt"] and d["chosen"] == 1
    for cur in (True, False):                                          # the recommended one fails
        d = rr.schedule_decision([point(cur, 500, "plain"), point(False, 2000, "recommended")])
        assert not d["adopt"] and d["chosen"] == 0
    with pytest.raises(ValueError):
        rr.schedule_decision([point(True, 1, "plain")])


# ----------------------------------------------------------------------------------- the configs
def test_recommended_schedule_is_the_librarys_at_the_presets_passes():
    cs = run_mod.study_config(TINY, "recommended", 7)
    assert cs.rbm == RBMTraining(**{**RECOMMENDED_SCHEDULE, "epochs": 7, "batch_size": TINY.batch_size})
    assert TINY.rbm == RBMTraining(epochs=1, batch_size=100, lr=0.1)
    with pytest.raises(ValueError):
        replace(TINY, schedule="fast")
    with pytest.raises(ValueError):
        replace(TINY, dataset="cifar")


def test_plain_training_keys_are_unchanged_and_the_schedule_changes_them():
    plain = run_mod._train_key(TINY, "trained", 0, "src")
    assert "training" not in plain                                     # caches made before the study stay valid
    rec = run_mod._train_key(replace(TINY, schedule="recommended"), "trained", 0, "src")
    assert rec["training"]["lr_schedule"] == "linear" and rec != plain
    assert "training" not in run_mod._train_key(replace(TINY, schedule="recommended"), "untrained", 0, "src")


# ----------------------------------------------------------------------------------- the study
def test_study_point_applies_the_criterion_as_an_independent_computation_does():
    p = rr.schedule_study_point(TINY, "recommended", 5, seed=0, device="cpu")
    R, L = TINY.n_realisations, len(TINY.hidden_sizes)
    for key in ("n_stuck", "stuck", "pll_change", "levelled", "passes_criterion"):
        assert np.asarray(p[key]).shape == (R, L)
    assert p["gradient_updates"] == 5 * (200 // TINY.batch_size)
    # independently: the same DBN with the proxy recorded after every pass, and stuck units counted directly
    x, _, _ = rr.load_data(replace(TINY, schedule="recommended", epochs=5), 0)
    cs = run_mod.study_config(TINY, "recommended", 5)
    dbn = DBN.train(torch.as_tensor(x), list(cs.hidden_sizes), cs.rbm, R, 0, "cpu", progress=False,
                    monitor=run_mod.STUDY_MONITOR, monitor_every=1)
    codes = [c.numpy() for c in dbn.codes(torch.as_tensor(x), cs.threshold)]
    for l in range(L):
        change = relative_change(dbn.layers[l].history["pll_nats"], 5)
        np.testing.assert_allclose(p["pll_change"][:, l], change, rtol=1e-6)
        for r in range(R):
            assert p["n_stuck"][r, l] == stuck_units(codes[l][r])["n_stuck"]
    ok = (np.asarray(p["n_stuck"]) == 0) & (np.asarray(p["pll_change"]) < 0.01)
    assert (np.asarray(p["passes_criterion"]) == ok).all() and p["accepted"] == bool(ok.all())


def test_fewer_passes_than_the_window_never_level_off():
    p = rr.schedule_study_point(TINY, "plain", 1, seed=0, device="cpu")
    assert not np.asarray(p["levelled"]).any() and not p["accepted"]
    assert np.isnan(np.asarray(p["pll_change"])).all()


# --------------------------------------------------------------------------- units and Fashion-MNIST
def test_units_cover_the_study_and_fashion_and_the_page_then_computes_nothing(monkeypatch):
    units = rr.units(TINY, seed=7, device="cpu")      # seed 7: no entry shared with the other tests' seed 0
    names = [u.name for u in units]
    assert sum(n.startswith("schedule study") for n in names) == 2
    assert not any(u.done() for u in units)
    assert "finite size M = 100 (Fashion-MNIST)" in names and "finite size M = 100" in names
    compute(units, log=lambda s: None)
    assert all(u.done() for u in units)

    def boom(*a, **k):
        raise AssertionError("recomputed after the units were computed")

    import sklearn.cluster

    monkeypatch.setattr(DBN, "train", staticmethod(boom))
    monkeypatch.setattr(run_mod, "generate", boom)
    monkeypatch.setattr(sklearn.cluster.MiniBatchKMeans, "fit_predict", boom)
    res = rr.run(TINY, 7, "cpu", progress=False)
    assert [p["dataset"] for p in res["finite_size_fashion"]] == ["fashion"]
    assert "Fashion-MNIST" in res["finite_size_fashion"][0]["source"]
    assert [p["schedule"] for p in res["schedule_study"]] == ["plain", "recommended"]


# ------------------------------------------------------------------------------- the page's sentences
def study_point(schedule: str, passes: int, n_stuck, levelled) -> dict:
    n_stuck, levelled = np.asarray(n_stuck, float), np.asarray(levelled, bool)
    ok = (n_stuck == 0) & levelled
    return {"schedule": schedule, "passes": passes, "gradient_updates": passes * 100, "n_stuck": n_stuck,
            "levelled": levelled, "passes_criterion": ok, "accepted": bool(ok.all())}


def test_schedule_sentence_counts_and_flags_a_preset_that_does_not_follow_the_decision():
    from deepinfo.experiments.resolution_relevance import claims as c

    cur = study_point("plain", 5, [[3, 0], [0, 0]], [[False, False], [True, False]])
    rec = study_point("recommended", 20, [[0, 0], [0, 0]], [[True, True], [True, True]])
    d = rr.schedule_decision([cur, rec])
    text = c.schedule_sentence([cur, rec], d, replace(TINY, schedule="recommended", epochs=20))
    assert "1 of 4 (layer, realisation) pairs pass" in text and "3 stuck units in all, in 1 pairs" in text
    assert "4 of 4" in text and "adopts the recommended schedule" in text and "The chapter trains with it" in text
    text = c.schedule_sentence([cur, rec], d, replace(TINY, epochs=5))
    assert "which is not the schedule the criterion chose" in text


def test_fashion_sentence_says_where_60000_runs():
    from deepinfo.experiments.resolution_relevance import claims as c

    text = c.fashion_sentence([{"M": 2500}, {"M": 10000}], TINY)
    assert "M = 2,500, 10,000" in text and "`full` preset only" in text
    assert "includes the paper's M = 60,000" in c.fashion_sentence([{"M": 60000}], TINY)
    assert c.fashion_sentence([], TINY).startswith("This preset runs no")
