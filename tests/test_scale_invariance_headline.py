"""The Lee & Jo page's full-preset headline (Fig. 1 a-c from a snapshot): the arrays a snapshot keeps give
back exactly the state counts the page's own figures draw, layer by layer, and the figure decides each
layer with the same power-law rule as the page."""
import numpy as np

from deepinfo.experiments.scale_invariance import figures
from deepinfo.verdicts import fit


def _runs(rng):
    rbm = {"counts_rbm": rng.zipf(2.0, 400)}
    mlp = {"thresholds": [0.3, 0.5, 0.7],
           "counts": [[rng.integers(1, 5, 9)] * 3, [rng.zipf(2.0, 300), rng.zipf(2.0, 200), rng.zipf(2.0, 100)],
                      [rng.integers(1, 5, 9)] * 3]}
    ae = {"counts": [rng.zipf(2.0, 150), rng.zipf(2.0, 80)],
          "data": {"dataset": "MNIST", "substitute_for": "emnist letters (not on this machine: ...)"}}
    return rbm, mlp, ae


def test_headline_arrays_round_trip_to_the_counts_the_page_draws():
    rbm, mlp, ae = _runs(np.random.default_rng(4))
    other = {"thresholds": [0.5], "counts": [[np.ones(3, int)] * 3]}  # a second seed: not kept
    arrays = figures.headline_arrays(rbm, [mlp, other], [ae])
    back = figures.headline_counts(arrays)
    assert [len(back[k]) for k in ("rbm", "mlp", "ae")] == [1, 3, 2]
    assert np.array_equal(back["rbm"][0], np.sort(rbm["counts_rbm"]))
    for l in range(3):  # the threshold 0.5 row of the first seed, not the 0.3 or 0.7 rows
        assert np.array_equal(back["mlp"][l], np.sort(mlp["counts"][1][l]))
    assert all(np.array_equal(b, np.sort(a)) for a, b in zip(ae["counts"], back["ae"]))
    assert all(a.dtype == np.int64 for k, a in arrays.items() if k.startswith("counts_"))
    # the data each network saw, a substitute named as such; a run without a data record gives ""
    assert str(arrays["data_ae"]) == "MNIST for emnist letters" and str(arrays["data_rbm"]) == ""
    # sorting does not change a verdict: the rule sees a partition, not an order
    assert fit(back["ae"][0]).beta == fit(ae["counts"][0]).beta


def test_snapshot_figure_names_the_run_and_each_layer_verdict():
    rbm, mlp, ae = _runs(np.random.default_rng(5))
    arrays = figures.headline_arrays(rbm, mlp, ae)
    fig = figures.fig_1_snapshot(arrays, {"provenance": {"commit": "0123456789", "date": "2026-12-01T10:00"},
                                          "stale": False})
    title = fig._suptitle.get_text()
    assert "01234567" in title and "2026-12-01" in title and "STALE" not in title
    axes = fig.axes
    assert len(axes) == 3 and f"M = {int(rbm['counts_rbm'].sum()):,}" in axes[0].get_title()
    assert "autoencoder, MNIST for emnist letters, M = " in axes[2].get_title()
    legend = [t.get_text() for t in axes[1].get_legend().get_texts()]
    assert len(legend) == 3
    for l in range(3):  # each layer's legend carries its own fitted exponent and the rule's status
        v = fit(mlp["counts"][1][l])
        assert f"{v.beta:.2f}" in legend[l] and f"({v.status})" in legend[l]
    assert figures.fig_1_snapshot(None).axes[0].texts  # no snapshot: a panel that says so
