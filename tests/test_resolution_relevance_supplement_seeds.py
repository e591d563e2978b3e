"""Seed-level realisations of the S4-S6 networks: their seeds and cache keys, and the verdicts that read them
(P1.vae_optimal_latent_dimension over VAE realisations, P1.strong_sparsity_lowers_entropies), calibrated on
synthetic inputs with known answers: a clear positive, a clear counter-example and a measured null."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from deepinfo.experiments.resolution_relevance_supplement import PRESETS
from deepinfo.experiments.resolution_relevance_supplement import claims as c
from deepinfo.experiments.resolution_relevance_supplement import run as rs_run

HOLDS, FAILS, UNSURE = "holds", "does not hold", "inconclusive"
N_Z = [1, 2, 5, 10, 20, 50, 500]


def test_realisation_seeds_and_keys():
    assert rs_run.realisation_seed(7, 0) == 7 and rs_run.realisation_seed(7, 2) == 2007
    with pytest.raises(ValueError):
        rs_run.realisation_seed(0, -1)
    cfg = PRESETS["quick"]
    for key in (rs_run.discriminative_key, rs_run.sparse_rbm_key):
        sub = cfg.s5 if key is rs_run.discriminative_key else cfg.s4
        k0, k1 = key(sub, 0, 0)[1], key(sub, 0, 1)[1]
        assert "n_realisations" not in k0["cfg"] and "realisation" not in k0 and k1["realisation"] == 1
        more = replace(sub, n_realisations=sub.n_realisations + 4)      # asking for more keeps each realisation
        assert key(more, 0, 1) == key(sub, 0, 1)
    v0 = rs_run.vae_key(cfg.s6, cfg.classifier, 0)[1]
    assert set(v0) == {"cfg", "classifier", "seed"}                      # realisation 0: the one-VAE entry


def test_every_realisation_is_a_unit_and_smoke_stays_small():
    for name, cfg in PRESETS.items():
        names = [u.name for u in rs_run.units(cfg, 0, "cpu")]
        for base, n in (("S4 sparse RBMs", cfg.s4.n_realisations), ("S6 VAEs", cfg.s6.n_realisations),
                        ("S5 classifiers (MLP sigmoid, MLP ReLU, CNN)", cfg.s5.n_realisations)):
            assert sum(x.startswith(base) for x in names) == n >= 2      # every preset has a spread
        assert len(names) == len(set(names))
    assert max(PRESETS["smoke"].s4.n_realisations, PRESETS["smoke"].s5.n_realisations,
               PRESETS["smoke"].s6.n_realisations) == 2


def test_vae_optima_stack_realisations():
    runs = [{"rows": [{"n_z": n, "ability": a + r, "ability_groups": np.array([a + r - .1, a + r + .1])}
                      for n, a in ((1, 0.1), (5, 2.0), (500, 0.5))]} for r in (0.0, 0.2)]
    o = rs_run.vae_optima(runs)
    assert o["abilities"].shape == (2, 3) and o["R"] == 2 and o["best"] == 1
    assert np.allclose(o["mean"], [0.2, 2.1, 0.6]) and np.allclose(o["se"], 0.1)   # sd 0.1414 / sqrt 2
    one = rs_run.vae_optima(runs[:1])
    assert np.isnan(one["se"]).all() and one["R"] == 1


def test_vae_optimum_over_realisations_positive_and_counter_example():
    rng = np.random.default_rng(0)
    peak = np.array([0.3, 1.0, 3.0, 2.0, 1.5, 1.0, 0.5])
    ab = peak + 0.1 * rng.standard_normal((3, 7))
    err = np.full((3, 7), 0.05)
    v = c.vae_optimal_latent_dimension(N_Z, ab, err)
    assert v.status == HOLDS and "N_z = 5" in v.detail and v.uncertainty.n == 3 and v.uncertainty.level == 0.95
    rising = np.linspace(0.3, 3.0, 7) + 0.1 * rng.standard_normal((3, 7))         # best at the largest N_z
    assert c.vae_optimal_latent_dimension(N_Z, rising, err).status == FAILS
    one = c.vae_optimal_latent_dimension(N_Z, ab[:1], err[:1], 10)                 # one VAE: group errors
    assert one.status == HOLDS and "groups" in one.uncertainty.method


def test_vae_optimum_rarely_passes_a_flat_profile():
    """Null: every N_z has the same ability; choosing the best interior N_z on the mean biases the margin up,
    the Student-t interval over 3 realisations must still keep false passes at or under 5%."""
    rng = np.random.default_rng(3)
    err = np.full((3, 7), 0.05)
    passed = sum(c.vae_optimal_latent_dimension(N_Z, rng.normal(1.0, 0.2, (3, 7)), err).status == HOLDS
                 for _ in range(1000))
    assert passed / 1000 <= 0.05


def s4_run(drop_s, drop_k, rng, noise=0.1):
    def rows():
        out = [{"lambda": 0.0, "H_s": 9.0, "H_k": 5.0}]
        for lam, f in ((0.1, 0.5), (1.0, 1.0)):
            out.append({"lambda": lam, "H_s": 9.0 - f * drop_s + noise * rng.standard_normal(),
                        "H_k": 5.0 - f * drop_k + noise * rng.standard_normal()})
        return out
    return {"connectivity": rows(), "activity": rows()}


def test_strong_sparsity_lowers_entropies():
    rng = np.random.default_rng(0)
    v = c.strong_sparsity_lowers_entropies([s4_run(4.0, 2.0, rng) for _ in range(3)])
    assert v.status == HOLDS and v.value == pytest.approx(2.0, abs=0.2)          # the smallest drop: H[k]
    up = c.strong_sparsity_lowers_entropies([s4_run(4.0, -1.0, rng) for _ in range(3)])
    assert up.status == FAILS                                                     # H[k] rises: one part fails
    flat = [s4_run(0.0, 0.0, rng, noise=0.0) for _ in range(3)]
    assert c.strong_sparsity_lowers_entropies(flat).status == FAILS              # no drop at all
    one = c.strong_sparsity_lowers_entropies([s4_run(4.0, 2.0, rng)])
    assert one.status == UNSURE                                                   # one RBM: no spread
    with pytest.raises(ValueError):
        c.strong_sparsity_lowers_entropies([{"connectivity": [{"lambda": 0.1, "H_s": 1, "H_k": 1}],
                                             "activity": []}])
