"""Library pieces of the supplementary page (Song et al. 2018, Figs. S1, S4, S6): exact checks."""
import numpy as np
import pytest
import torch

import importlib

from deepinfo.experiments import resolution_relevance_supplement as rs

rs_run = importlib.import_module("deepinfo.experiments.resolution_relevance_supplement.run")
from deepinfo.models.rbm import RBM


def test_flip_pixels_limits_and_values():
    x = np.random.default_rng(0).random((50, 30)).astype(np.float32)
    assert np.array_equal(rs.flip_pixels(x, 0.0), x)
    assert np.allclose(rs.flip_pixels(x, 1.0), 1.0 - x)
    y = rs.flip_pixels(x, 0.5, seed=3)
    assert np.all((np.isclose(y, x)) | (np.isclose(y, 1.0 - x)))
    assert np.array_equal(y, rs.flip_pixels(x, 0.5, seed=3))
    with pytest.raises(ValueError):
        rs.flip_pixels(x, 1.5)


def test_activity_penalty_step_is_the_gradient_of_the_penalty():
    torch.manual_seed(0)
    rbm = RBM(6, 4, n_realisations=2, init_std=0.5)
    rbm.b_h.data.normal_()
    v = torch.rand(2, 7, 6, dtype=torch.float32)
    lam, p, lr = 0.7, 0.1, 0.05
    W = rbm.W.detach().clone().requires_grad_(True)
    b = rbm.b_h.detach().clone().requires_grad_(True)
    q = torch.sigmoid(torch.baddbmm(b.unsqueeze(1), v, W)).mean(1)
    (lam * ((p - q) ** 2).sum()).backward()
    W0, b0 = rbm.W.detach().clone(), rbm.b_h.detach().clone()
    rs_run.activity_penalty_step(rbm, v, lam, p, lr)
    assert torch.allclose(rbm.W - W0, -lr * W.grad, atol=1e-7)
    assert torch.allclose(rbm.b_h - b0, -lr * b.grad, atol=1e-7)


def test_abilities_match_the_closed_form():
    y = np.repeat(np.arange(4), 5)                       # P uniform over 4 labels
    q = np.array([[0, 1, 2, 3] * 3, [0, 0, 1, 1, 2, 2, 3, 3, 0, 1, 2, 3]])
    ab, Q = rs_run._abilities(y, q, 4)
    assert np.isinf(ab).all() and np.allclose(Q, 0.25)  # Q = P exactly: D = 0
    q = np.array([[0, 0, 0, 1, 2, 3, 0, 1]])              # Q = (1/2, 1/4, 1/8, 1/8) with pseudo-count 0
    ab, Q = rs_run._abilities(y, q, 4)
    assert np.allclose(Q[0], [0.5, 0.25, 0.125, 0.125])
    # generation_ability smooths Q by a pseudo-count of 1/2: Q = (n + 1/2) / (8 + 2)
    Qs = (np.array([4, 2, 1, 1]) + 0.5) / 10
    assert ab[0] == pytest.approx(1.0 / np.sum(0.25 * np.log2(0.25 / Qs)), rel=1e-12)


def test_feature_images_are_rescaled_to_unit_interval():
    W = np.array([[1.0, 3.0, 2.0], [-1.0, -1.0, -1.0]])
    F = rs.feature_images(W, n=2)
    assert np.allclose(F[0], [0.0, 1.0, 0.5]) and np.allclose(F[1], 0.0)


def test_vae_optimum_collects_abilities_and_group_errors():
    res = {"rows": [{"n_z": n, "ability": a, "ability_groups": np.array([a - 0.1, a + 0.1])}
                    for n, a in ((1, 0.1), (5, 2.0), (500, 0.5))]}
    opt = rs.vae_optimum(res)
    assert opt["n_z"] == [1, 5, 500] and opt["best"] == 1
    assert np.allclose(opt["abilities"], [0.1, 2.0, 0.5]) and np.allclose(opt["errs"], 0.1)


def test_full_preset_runs_offline_with_10000_images():
    """Issue 14: the full preset asked for 50,000 + 10,000 images for Fig. S5; offline MNIST has 10,000."""
    full = rs.PRESETS["full"].s5
    M_train, M_test = rs.s5_split(full, 10000)
    assert M_train + M_test == 10000 and M_test == round(10000 * full.M_test / (full.M_train + full.M_test))
    assert rs.s5_split(full, 60000) == (full.M_train, full.M_test)      # with the IDX files: the paper's split
    assert rs.s5_split(rs.PRESETS["quick"].s5, 10000) == (2000, 1000)    # presets that fit are unchanged
    with pytest.raises(ValueError):
        rs.s5_split(full, 2)
    assert "10,000" in rs.PRESETS["full"].setting and "paper's scale" not in rs.PRESETS["full"].setting


def test_classifiers_match_the_main_page():
    """Both pages must label generated digits with the same (cached) classifier."""
    from deepinfo.experiments.resolution_relevance import PRESETS as MAIN

    for name, cfg in rs.PRESETS.items():
        assert cfg.classifier == MAIN[name].classifier == rs.CLASSIFIERS[name]


def test_power_law_by_layer_uses_the_one_rule():
    rng = np.random.default_rng(0)
    zipf = np.unique(rng.zipf(2.0, 5000), return_counts=True)[1]
    geo = rng.geometric(0.3, 400)
    out = rs.power_law_by_layer({"counts": [[zipf, zipf], [geo, geo]]})   # counts[l][r]: 2 layers, 2 realisations
    assert out["beta"].shape == (2, 2)
    assert [v.status for v in out["verdicts"][0]] == [out["verdicts"][0][0].status, "fails"]
    assert np.isnan(out["beta"][:, 1]).all()                              # no exponent where the rule fails


def test_presets_cover_the_paper_latent_dimensions():
    for cfg in rs.PRESETS.values():
        assert {1, 2, 5, 10, 20, 50, 500} <= set(cfg.s6.n_z)
        assert cfg.s4.n_hidden == 50
    assert rs.LETTER_SIZES == (320, 160, 120, 100, 95, 90, 85, 80, 75, 70)


def test_full_preset_data_steps_run_offline(monkeypatch):
    """Issue 14: every data step of the full preset must accept the offline data (MNIST: 10,000 images where
    60,000 are asked for; the letters' 44,800 + 3,632 from a smaller stand-in), without training anything."""
    from deepinfo.data import ImageDataset, load_mnist

    full = rs.PRESETS["full"]
    n_mnist = load_mnist("train").M
    for name in ("mnist", "mnist_flipped"):
        x, y, _ = rs.dataset(name, full.s1.M)
        assert len(x) == len(y) == min(full.s1.M, n_mnist)
    M_train, M_test = rs.s5_split(full.s5, n_mnist)
    assert M_train + M_test <= n_mnist and M_test >= 2
    rng = np.random.default_rng(0)
    small = ImageDataset(name="letters stand-in", x=(rng.random((5000, 128)) > 0.5).astype(np.float32),
                         y=rng.integers(0, 26, 5000), image_shape=(16, 8), source="synthetic", split="train")
    monkeypatch.setattr(rs_run, "letters_dataset", lambda seed=0: small)
    x, y, _ = rs.dataset("letters", full.s3.M)
    assert len(x) == 5000
    ds, tr, te = rs_run.letters_labeller_split(full.s3.n_test, 0, full.s3.labeller_M)
    assert te.M == full.s3.n_test and tr.M + te.M == ds.M == 5000
