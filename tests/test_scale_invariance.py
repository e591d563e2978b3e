"""Runners and helpers of the Lee & Jo 2022 chapter (deepinfo.experiments.scale_invariance), against exact answers."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from deepinfo.experiments import scale_invariance as si
from deepinfo.experiments.scale_invariance import run as si_run


def test_binarise_threshold_and_mean_rules():
    z = np.array([[0.1, 0.5, 0.9], [0.6, 0.4, 0.5]])
    np.testing.assert_array_equal(si.binarise(z, "threshold", 0.5), [[0, 0, 1], [1, 0, 0]])  # equality is off
    np.testing.assert_array_equal(si.binarise(z, "threshold", 0.3), [[0, 1, 1], [1, 1, 1]])
    # the layer mean is 0.5 exactly: the mean rule equals the 0.5 threshold here
    np.testing.assert_array_equal(si.binarise(z, "mean"), si.binarise(z, "threshold", 0.5))
    relu = torch.tensor([[0.0, 3.0], [1.0, 0.0]])  # mean 1.0: only the 3.0 is above it
    np.testing.assert_array_equal(si.binarise(relu, "mean"), [[0, 1], [0, 0]])
    with pytest.raises(ValueError):
        si.binarise(z, "median")
    with pytest.raises(ValueError):
        si.binarise(z[0], "threshold")


def test_layer_counts_are_state_frequencies():
    z1 = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.7, 0.3]])  # codes 10, 10, 01, 10
    z2 = np.array([[0.9], [0.1], [0.2], [0.3]])                      # codes 1, 0, 0, 0
    c1, c2 = si.layer_counts([z1, z2])
    assert sorted(c1.tolist()) == [1, 3]
    assert sorted(c2.tolist()) == [1, 3]
    assert c1.sum() == c2.sum() == 4


def test_z3_is_the_decoders_hidden_layer():
    from deepinfo.models import Autoencoder

    torch.manual_seed(0)
    ae = Autoencoder([12, 5, 3], "sigmoid", "sigmoid")
    x = torch.rand(4, 12)
    z1, z2 = ae.hidden(x)
    z3 = si_run._z3_of_autoencoder(ae, z2)
    expected = torch.sigmoid(ae.dec[0](z2))
    torch.testing.assert_close(z3, expected.detach())
    torch.testing.assert_close(ae.dec[-1](z3).sigmoid(), ae(x).detach())  # z3 feeds the output layer


def test_presets_have_the_paper_settings():
    for name, cfg in si.PRESETS.items():
        assert cfg.mlp.sizes == (784, 70, 50, 35, 10) and cfg.mlp.target_accuracy == 0.87, name
        assert cfg.epochs.checkpoints == (0, 1, 10, 100), name
        assert cfg.mlp.thresholds == (0.3, 0.4, 0.5, 0.6, 0.7), name
    assert len(si.PRESETS["full"].seeds) == 5
    for name in ("quick", "full"):  # the paper's rules: k = the RBM's distinct codes, 600 updates per epoch
        cfg = si.PRESETS[name]
        assert cfg.rbm.kmeans_k is None and cfg.rbm.kmeans_n_init >= 3 and cfg.epochs.updates_per_epoch == 600
        assert tuple(cfg.rbm_seeds) == (0, 1, 2, 3, 4)
    assert si.kmeans_k(si.RBMClusterConfig(), {"n_states": 4321}) == 4321
    assert si.kmeans_k(si.RBMClusterConfig(kmeans_k=7), {"n_states": 4321}) == 7


def test_run_mlp_counts_partition_the_training_images():
    # tiny run: every (threshold, layer) partition must account for each training image exactly once
    cfg = si.MLPConfig(sizes=(784, 12, 8, 10), M=300, M_test=200, max_epochs=1, thresholds=(0.3, 0.5))
    r = si.run_mlp(cfg, seed=0, device="cpu")
    assert r["thresholds"] == [0.3, 0.5] and r["data"]["M"] == 300
    assert len(r["counts"]) == 2 and all(len(c) == 2 for c in r["counts"])
    assert all(int(np.sum(c)) == 300 for per_t in r["counts"] for c in per_t)
    assert 0 <= r["epoch"] <= 1 and len(r["accuracy"]) == r["epoch"] + 1
    relu = si.run_mlp(si.MLPConfig(sizes=(784, 12, 10), activation="relu", binarise="mean", M=300, M_test=200,
                                   max_epochs=1), seed=0, device="cpu")
    assert len(relu["counts"]) == 1 and int(np.sum(relu["counts"][0][0])) == 300


def test_presets_relu_autoencoder_and_overrides():
    from deepinfo.experiments import select_preset

    cfg = select_preset(si.PRESETS, "smoke", **{"ae.epochs": 1, "seeds": [0, 1, 2]})
    assert cfg.ae.epochs == 1 and cfg.seeds == (0, 1, 2)
    relu = cfg.relu_ae()
    assert relu.activation == "relu" and relu.binarise == "mean" and relu.sizes == cfg.ae.sizes
    with pytest.raises(ValueError, match="unknown config field"):
        select_preset(si.PRESETS, "smoke", no_such_field=1)


def test_untrained_counts_equal_the_epoch_zero_readout():
    cfg = si.EpochConfig(sizes=(784, 12, 8, 6, 10), M=300, M_test=100, checkpoints=(0, 1), updates_per_epoch=None)
    ep = si.run_epochs(cfg, seed=3, device="cpu")
    un = si.run_untrained(cfg, [3, 4])
    assert un["seeds"] == [3, 4] and un["M"] == 300 and len(un["counts"]) == 2
    for a, b in zip(ep["counts"][0], un["counts"][0]):      # the same initialisation as run_epochs at epoch 0
        np.testing.assert_array_equal(np.sort(a), np.sort(b))
    assert all(int(np.sum(k)) == 300 for per_seed in un["counts"] for k in per_seed)
    assert ep["updates_per_epoch"] == 3                      # 300 images in batches of 100
    matched = si.run_epochs(replace(cfg, updates_per_epoch=7), seed=3, device="cpu")
    assert matched["updates_per_epoch"] == 7 and matched["passes_per_epoch"] == 7 * 100 / 300
    for a, b in zip(matched["counts"][0], un["counts"][0]):  # epoch 0 is still the untrained network
        np.testing.assert_array_equal(np.sort(a), np.sort(b))
