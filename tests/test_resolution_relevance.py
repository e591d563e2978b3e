"""Exact checks of the helpers behind the resolution-relevance chapter (Song et al. 2018)."""
from __future__ import annotations

import numpy as np
import pytest

from deepinfo.experiments import resolution_relevance as rr


TINY = rr.Config(n_data=200, epochs=1, n_realisations=2, kmeans_log2_k=(2,), kmeans_max_iter=1, n_generate=4,
                 n_sweeps=1, classifier=rr.ClassifierConfig(epochs=1), hidden_sizes=(6, 4, 3))


def test_shuffle_pixels_permutes_each_row_independently():
    x = np.tile(np.arange(20, dtype=np.float32), (50, 1))
    s = rr.shuffle_pixels(x, seed=0)
    assert np.array_equal(np.sort(s, axis=1), x)  # same pixels in every image
    assert len({tuple(r) for r in s}) > 45  # different permutations per image


def test_partition_statistics_hand_example_in_bits():
    # ten samples in states of sizes 4, 2, 2, 1, 1; eq. (1)-(2) in bits
    labels = np.array([0, 0, 0, 0, 1, 1, 2, 2, 3, 4])
    y = np.array([0, 0, 0, 1, 1, 1, 2, 3, 4, 4])
    st = rr.partition_statistics(labels, y)
    p_s = np.array([4, 2, 2, 1, 1]) / 10
    p_k = np.array([0.2, 0.4, 0.4])
    assert st["H_s"] == pytest.approx(-(p_s * np.log2(p_s)).sum())
    assert st["H_k"] == pytest.approx(-(p_k * np.log2(p_k)).sum())
    assert sorted(st["counts"].tolist()) == [1, 1, 2, 2, 4] and st["n_states"] == 5
    assert st["error"] == pytest.approx(2 / 10)  # one image in state 0, one in state 2 disagree with the majority


def test_kmeans_k_scales_with_M_at_the_papers_images_per_cluster():
    cfg = rr.PRESETS["full"]
    assert rr.kmeans_ks(cfg, 60000) == [2 ** j for j in range(2, 15)]          # the paper's grid at its M
    assert rr.fig2b_k(cfg, 60000) == 4096
    ks = rr.kmeans_ks(cfg, 10000)
    assert ks[0] == 3 and ks[-1] == round(2 ** 14 / 6) and rr.fig2b_k(cfg, 10000) == 683 and 683 in ks
    for M in (2000, 10000, 60000):   # mean cluster size at Fig. 2b's k: the paper's 60,000 / 4,096 = 14.6
        assert M / rr.fig2b_k(cfg, M) == pytest.approx(60000 / 4096, rel=0.01)
    assert all(2 <= k <= 1000 for k in rr.kmeans_ks(cfg, 2000))


def test_variant_passes_match_200_updates():
    cfg = rr.PRESETS["quick"]
    assert cfg.epochs_of("updates", 10000) == 2 and cfg.epochs_of("updates", 20000) == 1
    assert cfg.epochs_of("untrained", 10000) == 0 and cfg.epochs_of("trained", 10000) == cfg.epochs
    assert cfg.epochs_of("updates", 60000) == 1     # a third of a pass is not possible: one whole pass


def test_control_data():
    x = np.random.default_rng(0).random((30, 16)).astype(np.float32)
    assert np.array_equal(rr.control_data(x, "trained"), x)
    assert np.array_equal(np.sort(rr.control_data(x, "shuffled"), 1), np.sort(x, 1))
    b = (x > 0.5).astype(np.float32)
    f = rr.control_data(b, "flipped")
    assert set(np.unique(np.abs(f - b))) <= {0.0, 1.0} and 0.35 < np.abs(f - b).mean() < 0.65


def test_power_laws_shapes_and_the_bound_slope_beside_the_fit():
    rng = np.random.default_rng(0)
    zipf = np.unique(rng.zipf(2.0, 5000), return_counts=True)[1]      # beta = 1 rank-frequency sample
    geo = rng.geometric(0.3, 400)
    from deepinfo.estimators import relevance, resolution

    stats = {"M": 5000, "H_s": np.array([[resolution(zipf), resolution(geo)]]),
             "counts": [[zipf], [geo]]}                                 # counts[l][r]
    pl = rr.power_laws(stats)
    assert pl["beta"].shape == (1, 2) and pl["bound_beta"].shape == (1, 2)
    assert pl["verdicts"][0][1].status == "fails"
    km = rr.power_laws({"M": 5000, "H_s": np.array([resolution(zipf)]), "counts": [zipf]})
    assert km["beta"].shape == (1,) and np.isfinite(km["bound_beta"]).all()
    assert relevance(zipf) > 0


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
    from deepinfo.device import cpu_threads

    with cpu_threads("cpu"):  # one thread: the shared test machine is oversubscribed
        m = train(imgs.reshape(200, -1), y, ClassifierConfig(epochs=3, channels=(4, 8), n_hidden=16, lr=1e-2),
                  seed=0, device="cpu", progress=False)
    assert error(m, imgs.reshape(200, -1), y) == 0.0


def test_dbn_training_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    """Interrupt training after the first layer; the rerun continues from the checkpoint and gives
    the same DBN as an uninterrupted run."""
    import torch

    import importlib

    rr_run = importlib.import_module("deepinfo.experiments.resolution_relevance.run")  # the module, not run()
    import deepinfo.models.rbm as rbm_mod
    from deepinfo.cache import ResultCache

    cfg = TINY
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
    key = rr_run._train_key(cfg, "trained", 0, rr.load_data(cfg, 0)[2])
    assert len(cache.checkpoint("rr_dbn", key).load()["W"]) == 1  # layer 1 was saved
    resumed = rr.train_dbn(cfg, "trained", 0, "cpu", cache, progress=False)
    assert all(torch.equal(a.W, b.W) for a, b in zip(clean.layers, resumed.layers))
    assert cache.checkpoint("rr_dbn", key).load() is None  # cleared once the result is stored


def test_dbn_layers_are_in_bits_with_M(tmp_path):
    """The public per-layer result other chapters read: H_s, H_k (R, L) in bits, M beside them."""
    from deepinfo.cache import ResultCache

    out = rr.dbn_layers(TINY, "trained", 0, "cpu", ResultCache(tmp_path))
    assert out["H_s"].shape == (2, 3) and out["H_k"].shape == (2, 3) and out["M"] == 200
    assert (out["H_s"] <= np.log2(200) + 1e-9).all() and out["H_s"].max() > 1.0   # bits, not fractions of log M
    assert (np.diff(out["H_s"], axis=1) <= 1e-9).all()


# ----------------------------------------------------------------------- deepinfo.plotting.relevance
def test_binned_degeneracy_conserves_the_number_of_states():
    from deepinfo.plotting.relevance import binned_degeneracy

    counts = np.random.default_rng(1).zipf(2.0, 3000)
    k, m = binned_degeneracy(counts, bins_per_decade=4)
    edges_width = None  # the sum over bins of m_bar * width equals the number of states
    c = counts[counts > 0]
    n_dec = np.log10(c.max() + 1)
    edges = np.unique(np.floor(np.logspace(0, n_dec, max(2, int(np.ceil(n_dec * 4)) + 1))).astype(int))
    edges[-1] = c.max() + 1
    n, _ = np.histogram(c, bins=edges)
    assert np.isclose((m * np.diff(edges)[n > 0]).sum(), len(c)) and edges_width is None
    assert (np.diff(k) > 0).all()


def test_power_law_line_carries_the_tail_states():
    from scipy.special import zeta

    from deepinfo.plotting.relevance import power_law_line

    ks, m = power_law_line({"beta": 1.0, "k_min": 2, "n_tail": 100}, k_max=1e6, n=200)
    assert m[0] == pytest.approx(100 * 2.0 ** -2 / zeta(2.0, 2))
    assert power_law_line({"beta": float("nan"), "k_min": 1, "n_tail": 5}, 10) is None


def test_relevance_plane_normalises_bits_by_log2_M_at_plot_time():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from deepinfo.plotting.relevance import plot_degeneracy, plot_relevance_plane

    fig, ax = plt.subplots()
    H_s = np.array([[10.0, 5.0], [10.0, 7.0]])   # bits, two realisations
    H_k = np.array([[1.0, 3.0], [1.0, 3.0]])
    plot_relevance_plane(ax, H_s, H_k, 1024, labels="layers", bound=True)
    bound_line, = [l for l in ax.lines if l.get_label() == "max. relevance"]
    assert np.isclose(np.max(bound_line.get_xdata()), 1.0)       # log2 M / log2 M
    cont, = [c for c in ax.containers if c.get_label() == "layers"]
    pts = cont.lines[0]                                         # the mean over realisations
    assert np.allclose(pts.get_xdata(), [1.0, 0.6]) and np.allclose(pts.get_ydata(), [0.1, 0.3])
    ax2 = plt.subplots()[1]
    plot_relevance_plane(ax2, [np.array([4.0])], [np.array([2.0])], [16], normalise=False, bound=False)
    assert np.allclose(ax2.containers[0].lines[0].get_xdata(), [4.0])
    ax3 = plt.subplots()[1]
    plot_degeneracy(ax3, [np.array([1, 1, 2, 5]), np.array([3, 3])], ["a", "b"], fits=[None, None], binned=True)
    with pytest.raises(ValueError):
        plot_degeneracy(ax3, [np.array([1, 2])], ["a", "b"])
    plt.close("all")


def test_tail_shape_row_reads_the_verdict():
    from deepinfo.estimators import power_law_verdict
    from deepinfo.plotting.relevance import tail_shape_row

    v = power_law_verdict(np.random.default_rng(0).geometric(0.2, 2000))
    row = tail_shape_row(v, partition="geo")
    assert row["partition"] == "geo" and row["status"] == v.status == "fails"
    assert row["n_tail"] == v.n_tail and row["vs exponential"].startswith(v.evidence["exponential"]["favoured"])
    assert tail_shape_row(power_law_verdict(np.ones(50, int)))["vs cutoff"] == "-"   # no tail: no comparisons
