"""Exact checks of the helpers behind the resolution-relevance chapter (Song et al. 2018)."""
from __future__ import annotations

import numpy as np
import pytest

from deepinfo.experiments import resolution_relevance as rr


def test_shuffle_pixels_permutes_each_row_independently():
    x = np.tile(np.arange(20, dtype=np.float32), (50, 1))
    s = rr.shuffle_pixels(x, seed=0)
    assert np.array_equal(np.sort(s, axis=1), x)  # same pixels in every image
    assert len({tuple(r) for r in s}) > 45  # different permutations per image


def test_partition_statistics_hand_example():
    # ten samples in states of sizes 4, 2, 2, 1, 1; eq. (1)-(2) in units of log M (M = 10)
    labels = np.array([0, 0, 0, 0, 1, 1, 2, 2, 3, 4])
    st = rr.partition_statistics(labels)
    p_s = np.array([4, 2, 2, 1, 1]) / 10
    p_k = np.array([0.2, 0.4, 0.4])
    assert st["H_s"] == pytest.approx(-(p_s * np.log(p_s)).sum() / np.log(10))
    assert st["H_k"] == pytest.approx(-(p_k * np.log(p_k)).sum() / np.log(10))
    assert np.isnan(st["beta"])  # five states: too few for a power-law fit


def test_kmeans_cap_and_mean_se():
    cfg = rr.PRESETS["full"]
    assert rr.kmeans_ks(cfg, 60000)[-1] == 2 ** 14 and rr.kmeans_ks(cfg, 10000)[-1] == 2 ** 12
    m, se = rr.mean_se(np.array([[1.0, np.nan, np.inf], [3.0, 2.0, np.nan]]))
    assert m[0] == 2 and se[0] == pytest.approx(np.std([1, 3], ddof=1) / np.sqrt(2))
    assert m[1] == 2 and se[1] == 0 and np.isnan(m[2]) and np.isnan(se[2])


def test_classifier_shapes_and_learning_a_trivial_rule():
    import torch

    from deepinfo.models.classifier import ClassifierConfig, DigitCNN, error, predict, predict_proba, train

    model = DigitCNN(28, (4, 8), 16, 10)
    x = torch.rand(2, 5, 784)
    p = predict_proba(model, x)
    assert p.shape == (2, 5, 10) and np.allclose(p.sum(-1), 1, atol=1e-5)
    assert predict(model, x).shape == (2, 5) and predict(model, x).dtype == np.int64
    # two classes told apart by which half of the image is lit: a CNN must get them all right
    rng = np.random.default_rng(0)
    imgs = np.zeros((200, 28, 28), dtype=np.float32)
    y = rng.integers(0, 2, 200)
    imgs[y == 0, :14] = 1
    imgs[y == 1, 14:] = 1
    with rr.cpu_threads("cpu"):  # one thread: the shared test machine is oversubscribed
        m = train(imgs.reshape(200, -1), y, ClassifierConfig(epochs=3, channels=(4, 8), n_hidden=16, lr=1e-2),
                  seed=0, device="cpu", progress=False)
    assert error(m, imgs.reshape(200, -1), y) == 0.0


def test_dbn_training_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    """Interrupt training after the first layer; the rerun continues from the checkpoint and gives
    the same DBN as an uninterrupted run."""
    import torch

    import deepinfo.models.rbm as rbm_mod
    from deepinfo.cache import ResultCache

    cfg = rr.Config(n_data=200, epochs=1, n_realisations=2, kmeans_log2_k=(2,), kmeans_max_iter=1, n_generate=4,
                    n_sweeps=1, classifier=rr.ClassifierConfig(epochs=1), hidden_sizes=(6, 4, 3))
    clean = rr.train_dbn(cfg, "trained", 0, "cpu", ResultCache(tmp_path / "a"), progress=False)

    real, calls = rbm_mod.train_rbm, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("simulated interruption in layer 2")
        return real(*args, **kwargs)

    cache = ResultCache(tmp_path / "b")
    monkeypatch.setattr(rbm_mod, "train_rbm", flaky)
    with pytest.raises(KeyboardInterrupt):
        rr.train_dbn(cfg, "trained", 0, "cpu", cache, progress=False)
    monkeypatch.setattr(rbm_mod, "train_rbm", real)
    key = rr._train_key(cfg, "trained", 0, rr.load_data(cfg, 0)[2])
    assert len(cache.checkpoint("rr_dbn", key).load()["W"]) == 1  # layer 1 was saved
    resumed = rr.train_dbn(cfg, "trained", 0, "cpu", cache, progress=False)
    assert all(torch.equal(a.W, b.W) for a, b in zip(clean.layers, resumed.layers))
    assert cache.checkpoint("rr_dbn", key).load() is None  # cleared once the result is stored
