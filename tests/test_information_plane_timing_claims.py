"""Known answers for the timing claims of the information-plane chapter (Figs. 4, 5, 7 and eq. 11).

Synthetic runs from ``tests/test_information_plane_claims.make_run``: closed-form paths whose compression
time, drop, transition epoch, log-SNR spread and weight norms are set by hand. No training.
"""
import numpy as np
import pytest

from deepinfo.experiments.information_plane import analysis as an
from deepinfo.experiments.information_plane import claims as c
from test_information_plane_claims import FAILS, HOLDS, INC, epochs, make_run


def _cat(runs):
    """Networks of several synthetic runs side by side (same epochs)."""
    out = {"epochs": runs[0]["epochs"]}
    for f in ("I_X", "I_Y"):
        out[f] = {m: np.concatenate([r[f][m] for r in runs], axis=2) for m in runs[0][f]}
    for f in ("grad_mean", "grad_std", "weight_norm"):
        if f in runs[0]:
            out[f] = np.concatenate([r[f] for r in runs], axis=2)
    return out


def _layers(x, L):
    return np.asarray(x, float).reshape(1, L, 1) if np.ndim(x) == 1 else np.asarray(x, float)


def test_compression_epochs_exact():
    """I_X falls linearly in log epoch over 1 decade after a turn at 100: 90% of the drop at 10^2.9 epochs."""
    ep = np.unique(np.round(np.logspace(0, 4, 400))).astype(int)
    r = make_run(ep, L=2, K=2, turn=100, fall_decades=1.0)
    ce = an.compression_epochs(r, min_drop=0.1)
    assert np.all(ce["reached"])
    np.testing.assert_allclose(ce["epochs"], 10 ** 2.9 - 100, rtol=0.03)
    none = an.compression_epochs(make_run(ep, L=2, K=2, drop=0.0))
    assert np.all(np.isnan(none["epochs"]))


def test_censored_median():
    cm = an.censored_median([100, 200, np.nan, 300, np.nan], 1000, n_boot=200)
    assert cm["median"] == 300 and cm["n_censored"] == 2 and not cm["median_censored"] and cm["hi_censored"]
    cm = an.censored_median([100, np.nan, np.nan], 1000, n_boot=200)
    assert cm["median"] == 1000 and cm["median_censored"]


def test_snr_epoch_counts_censored_networks():
    ep = epochs(10_000)
    # 5 of 8 networks at 350, 3 without a transition: the mean of the found ones would pass, the censored
    # bootstrap reaches the last epoch at its upper end
    mixed = _cat([make_run(ep, K=5, transition=350), make_run(ep, K=3, transition=None)])
    v = c.verdict_snr_epoch(mixed, n_boot=500)
    assert v.status == INC and v.value == pytest.approx(350, rel=0.2) and v.uncertainty.hi == ep[-1]
    assert "3 censored" in v.uncertainty.method
    assert c.verdict_snr_epoch(make_run(ep, K=8, transition=350), n_boot=500).status == HOLDS
    late = _cat([make_run(ep, K=6, transition=3000), make_run(ep, K=2, transition=None)])
    assert c.verdict_snr_epoch(late, n_boot=500).status == FAILS  # censoring only moves it later


def test_one_layer_unfinished():
    E = 10_000
    still = make_run(epochs(E), L=2, turn=300)  # falls until the last epoch
    settled = make_run(epochs(E), L=7, turn=100, fall_decades=0.5)
    v = c.verdict_one_layer_unfinished({1: still, 6: settled})
    assert v.status == HOLDS and v.value > c.MIN_DROP_BITS
    assert c.verdict_one_layer_unfinished({1: make_run(epochs(E), L=2, turn=100, fall_decades=0.5),
                                           6: settled}).status == FAILS
    v = c.verdict_one_layer_unfinished({1: make_run(epochs(1000), L=2, turn=100),
                                        6: make_run(epochs(1000), L=7, turn=100)})
    assert v.status == INC and "not settled" in v.reason


def _depth_with_falls(falls_per_depth, K=6, E=10_000, jitter=None, seed=0):
    """depth -> run whose layer l falls over falls[l] decades after a turn at 100 (plus per-network jitter)."""
    rng = np.random.default_rng(seed)
    runs = {}
    for d, falls in falls_per_depth.items():
        L = len(falls)
        f = _layers(falls, L) * np.ones((1, L, K))
        if jitter:
            f = f * 10 ** (jitter * rng.standard_normal((1, L, K)))
        runs[d] = make_run(epochs(E, 120), L=L, K=K, turn=100, fall_decades=f)
    return runs


def test_faster_from_compressed_layer():
    down = _depth_with_falls({1: [1.5, 1.2], 3: [1.5, 1.0, 0.6, 0.3]})
    v = c.verdict_faster_from_compressed(down)
    assert v.status == HOLDS and v.value < 0
    up = _depth_with_falls({1: [0.3, 0.6], 3: [0.3, 0.6, 1.0, 1.5]})
    assert c.verdict_faster_from_compressed(up).status == FAILS
    flat = _depth_with_falls({3: [0.8, 0.8, 0.8, 0.8]}, jitter=0.3, seed=2)
    assert c.verdict_faster_from_compressed(flat).status == INC
    assert c.verdict_faster_from_compressed({3: make_run(epochs(), L=4, drop=0.0)}).status == INC


def _eq11_runs(slope_sign, K=6):
    """Layers dropping by 0.5..3 bits whose compression lasts 10^f epochs with f rising (slope_sign > 0) or
    falling (< 0) with the drop; slope_sign 0: rising in half of the networks, falling in the other half."""
    runs = {}
    sign = np.full(K, float(slope_sign)) if slope_sign else np.where(np.arange(K) % 2 == 0, 1.0, -1.0)
    for d in (2, 4):
        L = d + 1
        drops = np.linspace(0.5, 3.0, L)[None, :, None] * np.ones((1, L, K))
        f = np.where(sign[None, None, :] > 0, 0.3 + 0.4 * drops / 3, 0.3 + 0.4 * (3.5 - drops) / 3)
        runs[d] = make_run(epochs(10_000, 120), L=L, K=K, turn=100, drop=drops, fall_decades=f)
    return runs


def test_eq11():
    v = c.verdict_eq11(_eq11_runs(+1), n_boot=300)
    assert v.status == HOLDS and v.value > 0
    assert c.verdict_eq11(_eq11_runs(-1), n_boot=300).status == FAILS
    # rising in half of the networks, falling in the others: no relation over networks
    assert c.verdict_eq11(_eq11_runs(0), n_boot=300).status == INC
    assert c.verdict_eq11({2: make_run(epochs(), L=3, drop=0.0)}).status == INC


def test_more_data():
    ep = epochs(1500, 40)
    mk = lambda d: make_run(ep, K=6, drop=d, spread_drop=0.1, turn=100)
    assert c.verdict_more_data({0.05: mk(0.5), 0.45: mk(1.0), 0.85: mk(2.0)}, n_boot=300).status == HOLDS
    assert c.verdict_more_data({0.05: mk(2.0), 0.45: mk(1.0), 0.85: mk(0.5)}, n_boot=300).status == FAILS
    rng = np.random.default_rng(1)
    noisy = {f: make_run(ep, K=6, drop=1.0, spread_drop=0.0, turn=100) for f in (0.05, 0.45, 0.85)}
    for r in noisy.values():
        r["I_X"]["bin30"][-10:] -= 0.5 * rng.random(r["I_X"]["bin30"].shape[1:])  # drops scattered at random
    assert c.verdict_more_data(noisy, n_boot=300).status == INC


def _with_snr_layers(run, before, after, transition=300.0):
    """Layer l has SNR 10 * 10^(before * l) before the transition and 0.3 * 10^(-after * l) after."""
    ep = np.asarray(run["epochs"])
    S, L, K = run["grad_std"].shape
    l = np.arange(L)[None, :, None]
    snr = np.where(ep[:, None, None] < transition, 10 * 10 ** (before * l), 0.3 * 10 ** (-after * l)) * np.ones((S, L, K))
    gm = snr * run["grad_std"]
    gm[0] = np.nan
    run["grad_mean"] = gm
    return run


def test_snr_equalises():
    ep = epochs(10_000)
    assert c.verdict_snr_equalises(_with_snr_layers(make_run(ep), 0.3, 0.02)).status == HOLDS
    assert c.verdict_snr_equalises(_with_snr_layers(make_run(ep), 0.02, 0.3)).status == FAILS
    assert c.verdict_snr_equalises(make_run(ep, transition=None)).status == INC
    # spread unchanged on average, different in each network: straddles 1
    K = 8
    mixed = _cat([_with_snr_layers(make_run(ep, K=1), 0.1, 0.1 * 10 ** z) for z in np.linspace(-0.5, 0.5, K)])
    assert c.verdict_snr_equalises(mixed).status == INC


def _with_norms(run, growth, spread=0.0):
    """weight_norm 1 up to each run's turn at 100, then times ``growth`` x 10^(spread z) by the end (log epochs)."""
    ep = np.asarray(run["epochs"], float)
    S, L, K = run["I_X"]["bin30"].shape
    z = np.linspace(-1, 1, K)[None, None, :]
    frac = np.clip(np.log10(np.maximum(ep, 1) / 100) / np.log10(ep[-1] / 100), 0, 1)[:, None, None]
    run["weight_norm"] = (growth * 10 ** (spread * z)) ** frac * np.ones((S, L, K))
    return run


def test_weight_growth():
    ep = epochs(10_000)
    v = c.verdict_weight_growth(_with_norms(make_run(ep, turn=100), 3.0))
    assert v.status == HOLDS and 2.0 < v.value <= 3.0
    assert c.verdict_weight_growth(_with_norms(make_run(ep, turn=100), 0.5)).status == FAILS
    assert c.verdict_weight_growth(_with_norms(make_run(ep, turn=100), 1.0, spread=0.3)).status == INC


def test_new_claims_declared():
    ids = {s.id: s for s in c.CLAIMS}
    for i in ("P3.one_hidden_layer_does_not_finish", "P3.compression_faster_from_compressed_layer",
              "P3.more_data_more_compression", "P3.compression_epochs_grow_exponentially",
              "P3.log_snr_equalises_across_layers", "P3.weight_norms_grow_in_compression"):
        assert ids[i].kind == "paper" and ids[i].threshold_reason
