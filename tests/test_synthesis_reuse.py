"""The synthesis page reuses the information-plane chapter's main ensemble (issue 15 item 4).

* the synthesis reads the very cache entry (name and key) the information-plane runner fills, at the
  information-plane preset of the same name, and trains nothing when that entry exists;
* the synthesis measures computed afterwards from the stored snapshots equal, bit for bit, the same
  measures applied on the fly during a training of the same config (a tiny one).
"""
from __future__ import annotations

import numpy as np
import pytest

import deepinfo
from deepinfo.cache import ResultCache
from deepinfo.experiments import select_preset
from deepinfo.experiments import synthesis as syn
from deepinfo.experiments.information_plane import run as ip_run
from deepinfo.experiments.synthesis import run as sr
from deepinfo.models.ensemble import train_ensemble


def _tiny_ip():
    return select_preset(ip_run.PRESETS, "smoke", n_networks=2, epochs=6, n_snapshots=4)


@pytest.mark.parametrize("preset", ["smoke", "quick", "full"])
def test_same_training_entry_as_the_information_plane_runner(preset):
    cfg = syn.PRESETS[preset]
    ipc = ip_run.PRESETS[preset]
    for seed in (0, 2):
        want = ip_run.training_key(ip_run.ensemble_config(ipc, seed), "spherical")
        assert sr.training_key(cfg.ensemble, seed) == want  # same name, same key
        assert sr.ensemble_key(cfg.ensemble, seed)[1]["training"] == want[1]
        # the information-plane page's main run ends in its measures entry, keyed by this same training
        assert ip_run.spec_key(ip_run.main_spec(ipc, seed))[1]["training"] == want[1]


def test_synthesis_reads_the_training_the_information_plane_runner_filled(tmp_path, monkeypatch):
    ipc = _tiny_ip()
    cache = ResultCache(tmp_path)
    main = ip_run.run_main(ipc, 0, device="cpu", cache=cache, progress=False)  # what the other page runs

    def no_training(*a, **k):
        raise AssertionError("the synthesis trained its own ensemble")
    monkeypatch.setattr(ip_run, "train_ensemble", no_training)
    res = sr.run_ensemble(sr.EnsembleRun(ipc), 0, device="cpu", progress=False, cache=cache)
    assert cache.entry(*sr.training_key(sr.EnsembleRun(ipc), 0)).exists()
    for a, b in zip(res["snapshots"]["W"], main["snapshots"]["W"]):
        assert np.array_equal(a, b)
    # the synthesis' binned plane is the information-plane chapter's 30-bin measure of the same training
    assert np.array_equal(res["I_X"], main["I_X"]["bin30"]) and np.array_equal(res["I_Y"], main["I_Y"]["bin30"])
    assert np.array_equal(res["rule_acc"], main["rule_acc"])


def test_measures_from_stored_snapshots_equal_on_the_fly(tmp_path):
    ipc = _tiny_ip()
    cfg = sr.EnsembleRun(ipc, n_bins=30)
    res = sr.run_ensemble(cfg, 1, device="cpu", progress=False, cache=ResultCache(tmp_path))

    def verdicts(T, _):  # the power-law verdict of every network, on the fly, as a pair of (K,) arrays
        r = sr.layer_relevance(T, 30, power_law=True)
        return r["beta"], r["pl_status"]

    rule = ip_run.rule_for("spherical")
    with deepinfo.cpu_threads("cpu"):
        fly = train_ensemble(sr.training_config(cfg, 1), rule.X, rule.p_y_given_x,
                             {**sr.synthesis_measures(30), "pl": verdicts}, progress=False)
    assert np.array_equal(res["epochs"], fly["epochs"])
    assert np.array_equal(res["I_X"], fly["I_X"]["plane"]) and np.array_equal(res["I_Y"], fly["I_Y"]["plane"])
    assert np.array_equal(res["H_s"], fly["I_X"]["relevance"]) and np.array_equal(res["H_k"], fly["I_Y"]["relevance"])
    turn = sr.compression_turn(fly["I_X"]["plane"])
    assert np.array_equal(res["turn"], turn)
    end = np.full_like(turn, len(fly["epochs"]) - 1)
    for w, snap in (("turn", turn), ("end", end)):
        for key, got in (("beta", res[f"beta_{w}"]), ("pl_status", res[f"pl_status_{w}"])):
            want = sr.at_snapshot(fly["I_X" if key == "beta" else "I_Y"]["pl"], snap)
            assert np.array_equal(got, want, equal_nan=True), (w, key)
