"""Helpers of the Lee & Jo 2022 chapter (deepinfo.experiments.scale_invariance), against exact answers."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from deepinfo.experiments import scale_invariance as si


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


def test_powerlaw_evidence_degenerate_inputs():
    ev = si.powerlaw_evidence(np.ones(50, dtype=int))
    assert not ev["supported"] and ev["reason"].startswith("every state seen once")
    assert ev["singleton_fraction"] == 1.0 and ev["n_states"] == 50 and ev["M"] == 50
    ev = si.powerlaw_evidence(np.array([100]))
    assert not ev["supported"] and ev["reason"] == "one state only" and math.isnan(ev["beta"])


def _quantile_sample(sf, n: int, k_max: int = 10**6) -> np.ndarray:
    """n frequencies at the mid-quantiles (i - 1/2)/n of a law on k = 1, 2, ... with survival sf(k) = P(K >= k)."""
    k = np.arange(1, k_max + 1)
    cdf = 1.0 - sf(k + 1)                                   # P(K <= k)
    q = (np.arange(n) + 0.5) / n
    return k[np.searchsorted(cdf, q)]


def test_powerlaw_evidence_tells_a_power_law_from_a_characteristic_size():
    from scipy.special import zeta

    # the exact discrete power law P(k) = k^-2 / zeta(2) (beta = 1), read at 3,000 mid-quantiles
    pl = _quantile_sample(lambda k: zeta(2.0, k) / zeta(2.0, 1), 3000)
    ev = si.powerlaw_evidence(pl)
    assert ev["supported"], ev["reason"]
    assert abs(ev["beta"] - 1.0) < 0.1
    # a geometric law P(K >= k) = 2^-(k-1): a characteristic size; the power law must fail
    ex = _quantile_sample(lambda k: 2.0 ** -(k - 1.0), 3000, k_max=200)
    ev = si.powerlaw_evidence(ex)
    assert not ev["supported"]


def test_seed_summary_exact_values():
    betas = np.array([[1.0, 2.0, 2.0], [1.0, 2.0, 2.0]])
    errs = np.full((2, 3), 0.1)
    s = si.seed_summary(betas, errs)
    assert s["std"] == [0.0, 0.0, 0.0] and s["max_cv"] == 0.0 and s["seed_insensitive"]
    # se = sqrt(0 + 0.01) = 0.1 per layer; |1 - 2| / sqrt(0.02) = 7.071...
    assert s["max_z"] == pytest.approx(1 / math.sqrt(0.02))
    assert s["pair"] == (1, 2) and s["layer_dependent"]
    # spread across seeds: betas 1 and 3 -> mean 2, std (ddof 1) sqrt(2), cv 0.707 -> not insensitive
    s = si.seed_summary(np.array([[1.0], [3.0]]), np.array([[0.0], [0.0]]))
    assert s["cv"][0] == pytest.approx(math.sqrt(2) / 2) and not s["seed_insensitive"]
    assert s["max_z"] == 0.0 and not s["layer_dependent"]
    # a failed fit (inf) is left out and reported
    s = si.seed_summary(np.array([[1.0, math.inf], [1.2, 2.0]]), np.full((2, 2), 0.1))
    assert not s["seed_insensitive"] and "failed fits in z2" in s["text"]


def test_z3_is_the_decoders_hidden_layer():
    from deepinfo.models import Autoencoder

    torch.manual_seed(0)
    ae = Autoencoder([12, 5, 3], "sigmoid", "sigmoid")
    x = torch.rand(4, 12)
    z1, z2 = ae.hidden(x)
    z3 = si._z3_of_autoencoder(ae, z2)
    expected = torch.sigmoid(ae.dec[0](z2))
    torch.testing.assert_close(z3, expected.detach())
    torch.testing.assert_close(ae.dec[-1](z3).sigmoid(), ae(x).detach())  # z3 feeds the output layer


def test_torch_threads_restores_setting():
    before = torch.get_num_threads()
    with si.torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_presets_have_the_paper_settings():
    for name, cfg in si.PRESETS.items():
        assert cfg.mlp.sizes == (784, 70, 50, 35, 10) and cfg.mlp.target_accuracy == 0.87, name
        assert cfg.epochs.checkpoints == (0, 1, 10, 100), name
        assert cfg.mlp.thresholds == (0.3, 0.4, 0.5, 0.6, 0.7), name
    assert si.PRESETS["full"].rbm.kmeans_k == 2048 and len(si.PRESETS["full"].seeds) == 5


def test_binned_degeneracy_conserves_states_and_matches_flat_m():
    # m(k) = 3 for every k = 1..100: each bin's average per integer is exactly 3
    counts = np.repeat(np.arange(1, 101), 3)
    k, m_bar = si.binned_degeneracy(counts)
    np.testing.assert_allclose(m_bar, 3.0)
    assert np.all(np.diff(k) > 0) and k[0] >= 1 and k[-1] <= 100
    # a single state: one bin, m_bar = 1 / width of that bin
    k, m_bar = si.binned_degeneracy(np.array([7]))
    assert len(k) == 1 and 0 < m_bar[0] <= 1


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
