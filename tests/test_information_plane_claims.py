"""Every verdict of the information-plane chapter on synthetic runs whose answer is known.

A synthetic run has the fields the verdicts read (``epochs``, ``I_X``/``I_Y`` per measure in bits,
``grad_mean``/``grad_std``) built from closed-form paths: a rise of I(T;Y) to a turn epoch, then a
fall of I(X;T) by a set number of bits, and a gradient SNR that drops below 1 at a set epoch.
No training.
"""
import numpy as np
import pytest

from deepinfo.claims import ClaimRecorder
from deepinfo.experiments.information_plane import claims as c
from deepinfo.experiments.information_plane import analysis as an

HOLDS, FAILS, INC = "holds", "does not hold", "inconclusive"


def epochs(E=10_000, S=60):
    """0 and S-1 log-spaced epochs up to E (unique integers), like the trainer's snapshots."""
    return np.unique(np.concatenate([[0], np.round(np.logspace(0, np.log10(E), S - 1))])).astype(int)


def make_run(ep, *, L=6, K=8, turn=300.0, drop=2.0, fall_decades=None, rise=0.9, loss=0.0, transition=300.0,
             noise=0.0, spread_turn=0.0, spread_drop=0.0, layer_turns=None, measures=("bin30",), seed=0):
    """A run whose layers fit until ``turn`` (I_Y rises linearly in log epoch to ``rise`` bits), then
    compress: I_X falls by ``drop`` bits, over ``fall_decades`` decades after the turn (None: until the
    last epoch), and I_Y falls by ``loss`` bits with it. Layer l starts at 10 - l bits. Per network the
    turn is scaled by 10^(spread_turn * z) and the drop shifted by spread_drop * z (z from -1 to 1).
    The gradient SNR is 10 before ``transition`` and 0.3 after (None: 10 throughout)."""
    rng = np.random.default_rng(seed)
    ep = np.asarray(ep)
    t = np.log10(np.maximum(ep, 1))[:, None, None]
    S, tmax = len(ep), t.max()
    z = np.linspace(-1, 1, K)[None, None, :] if K > 1 else np.zeros((1, 1, 1))
    if layer_turns is not None:
        tt = np.log10(np.asarray(layer_turns, float))[None, :, None] + spread_turn * z
    else:
        tt = np.log10(turn) + spread_turn * z + np.zeros((1, L, 1))
    d = drop + spread_drop * z
    span = (tmax - tt) if fall_decades is None else fall_decades
    up = np.clip(t / tt, 0, 1)
    down = np.clip((t - tt) / span, 0, 1)
    base = 10.0 - np.arange(L)[None, :, None]
    I_X = base + 0.5 * up - d * down + noise * rng.standard_normal((S, L, K))
    I_Y = rise * up - loss * down + np.zeros((S, L, K)) + noise * rng.standard_normal((S, L, K))
    snr = np.full((S, L, K), 10.0)
    if transition is not None:
        snr = np.where(ep[:, None, None] < transition, 10.0, 0.3) * np.ones((S, L, K))
    gs = np.full((S, L, K), 1e-2)
    gm = snr * gs
    gm[0] = gs[0] = np.nan
    return {"epochs": ep, "I_X": {m: I_X.copy() for m in measures}, "I_Y": {m: I_Y.copy() for m in measures},
            "grad_mean": gm, "grad_std": gs}


# ---------------------------------------------------------------------------------------------
def test_claims_declare_and_kinds(tmp_path):
    rec = ClaimRecorder("P3", chapter="t", preset="smoke", directory=tmp_path)
    rec.declare_all(c.CLAIMS)
    kinds = {s.id: s.kind for s in c.CLAIMS}
    assert kinds["P3.dpi_order_holds"] == "estimator"
    assert kinds["P3.compression_depends_on_binning"] == "critique"
    assert kinds["P3.relu_does_not_compress"] == "critique"
    assert kinds["P3.sgd_compresses_too"] == kinds["P3.gd_compresses_without_noise"] == "critique"
    assert kinds["P3.rule_information"] == "sanity"
    assert c.PAPER_PHASE_RATIO == pytest.approx((10_000 - 350) / 350)


def test_smooth_and_end_average_exact():
    x = np.arange(10, dtype=float)
    np.testing.assert_allclose(an.smooth(x, 5), [1, 1.5, 2, 3, 4, 5, 6, 7, 7.5, 8])
    assert an.n_end(60) == 6 and an.n_end(11) == 3 and an.n_end(2) == 2


def test_calibration_flat_noisy_series_is_not_compression():
    """The 0.1-bit threshold: a flat series with 0.05 bits of noise per snapshot must not compress."""
    run = make_run(epochs(1500, 60), K=16, drop=0.0, rise=0.9, noise=0.05, seed=3)
    run["I_X"]["bin30"][:] = 5.0 + 0.05 * np.random.default_rng(4).standard_normal(run["I_X"]["bin30"].shape)
    p = c.phase_statistics(run)
    assert 0 < p["drop_bits"].mean() < c.MIN_DROP_BITS / 2  # the smoothed peak's bias stays well below 0.1
    assert c.verdict_two_phases(run).status == FAILS


def test_rule():
    assert c.verdict_rule(0.9900, 0.5).status == HOLDS
    assert c.verdict_rule(0.80, 0.5).status == FAILS
    assert c.verdict_rule(0.99, 0.7).status == FAILS


def test_dpi():
    run = make_run(epochs(1000))
    assert c.verdict_dpi(run).status == HOLDS and c.verdict_dpi(run).value == 0.0
    bad = make_run(epochs(1000))
    bad["I_X"]["bin30"][5, 3] = bad["I_X"]["bin30"][5, 2] + 0.5  # layer 4 above layer 3 by 0.5 bits, every network
    v = c.verdict_dpi(bad)
    assert v.status == FAILS and v.value == pytest.approx(0.5)
    mixed = make_run(epochs(1000), K=4)
    mixed["I_X"]["bin30"][5, 3] = mixed["I_X"]["bin30"][5, 2] + np.array([0.05, 0.15, 0.05, 0.15])
    assert c.verdict_dpi(mixed).status == INC


def test_two_phases():
    assert c.verdict_two_phases(make_run(epochs(), drop=2.0)).status == HOLDS
    assert c.verdict_two_phases(make_run(epochs(), drop=0.0)).status == FAILS
    # drops spread from -0.1 to 0.3 bits around 0.1: the interval straddles the threshold
    v = c.verdict_two_phases(make_run(epochs(), drop=0.1, spread_drop=0.2))
    assert v.status == INC and "straddles" in v.reason


def test_phase_ratio():
    # turn at 100 of 10^4 epochs: ratio 99 > 10 (the moving average moves the peak of this asymmetric
    # bump up to one snapshot earlier, to epoch 85: ratio 117)
    v = c.verdict_phase_ratio(make_run(epochs(10_000), turn=100))
    assert v.status == HOLDS and 99 <= v.value <= 120
    # turn at 2000 of 10^4, compression over within 0.2 decades: ratio 4, nothing censored
    v = c.verdict_phase_ratio(make_run(epochs(10_000), turn=2000, fall_decades=0.2))
    assert v.status == FAILS
    # a 1000-epoch run, turn at 300, still compressing at the end: a lower bound only
    v = c.verdict_phase_ratio(make_run(epochs(1000), turn=300))
    assert v.status == INC and "lower bound" in v.reason
    # no compression at all: no compression phase to be long
    assert c.verdict_phase_ratio(make_run(epochs(10_000), turn=100, drop=0.0)).status == FAILS


def test_snr_epoch():
    v = c.verdict_snr_epoch(make_run(epochs(10_000), transition=350))
    assert v.status == HOLDS and 250 < v.value < 450
    assert c.verdict_snr_epoch(make_run(epochs(10_000), transition=40)).status == FAILS
    assert c.verdict_snr_epoch(make_run(epochs(10_000), transition=None)).status == FAILS
    assert c.verdict_snr_epoch(make_run(epochs(200), transition=None)).status == INC


def test_transition_turn():
    assert c.verdict_transition_turn(make_run(epochs(), turn=300, transition=300)).status == HOLDS
    assert c.verdict_transition_turn(make_run(epochs(), turn=20, transition=2000)).status == FAILS
    assert c.verdict_transition_turn(make_run(epochs(), transition=None)).status == INC


def _depth_runs(e1, eD, E):
    """Two architectures whose output I_Y reaches 0.9 bits at e1 and eD epochs (None: never)."""
    runs = {}
    for d, e in ((1, e1), (6, eD)):
        r = make_run(epochs(E), L=d + 1, turn=e if e else 10 * E, rise=0.9)
        if e is None:
            r["I_Y"]["bin30"] *= 0.5  # never reaches 90% of the best final value
        runs[d] = r
    return runs


def test_depth():
    v = c.verdict_depth(_depth_runs(5000, 100, 10_000))
    assert v.status == HOLDS and v.value > 10
    assert c.verdict_depth(_depth_runs(200, 100, 10_000)).status == FAILS
    v = c.verdict_depth(_depth_runs(None, 300, 1000))
    assert v.status == INC and "lower bound" in v.reason
    assert c.verdict_depth(_depth_runs(100, None, 1000)).status == INC


def test_deep_first():
    down = make_run(epochs(), layer_turns=[3000, 2000, 1000, 500, 200, 100])
    assert c.verdict_deep_first(down).status == HOLDS
    up = make_run(epochs(), layer_turns=[100, 200, 500, 1000, 2000, 3000])
    assert c.verdict_deep_first(up).status == FAILS
    assert c.verdict_deep_first(make_run(epochs(), drop=0.0)).status == INC


def _bsc_curve():
    """The IB curve of a binary symmetric channel with flip 0.1 over 4 inputs (curved bound)."""
    from deepinfo.estimators import information_bottleneck_curve
    pxy = np.array([[0.9, 0.1], [0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]) / 4
    return information_bottleneck_curve(pxy, np.logspace(0, 2, 40))


def _ib(curve, idx, dx=0.0, beta_factor=1.0, K=6, jitter=0.0):
    """Layers placed at curve points ``idx`` shifted right by ``dx`` bits (+ jitter per network), beta* =
    beta_factor x the point's beta; the vertical gap read as in ib_analysis."""
    z = np.linspace(-1, 1, K)[None, :]
    I_X = np.asarray(curve.I_X)[idx][:, None] + dx + jitter * z
    I_Y = np.asarray(curve.I_Y)[idx][:, None] + 0 * z
    pos = an.ib_position(curve, I_X, I_Y)
    b = np.asarray(curve.betas)[idx][:, None] * beta_factor + 0 * z
    return {"hgap": pos["hgap"], "slope": pos["slope"], "beta_star": b, "gap": np.zeros_like(I_X)}


def test_near_bound_fails_off_the_bound_and_holds_on_it():
    curve = _bsc_curve()
    idx = [8, 14, 20, 26]
    on = c.verdict_near_bound(_ib(curve, idx))
    assert on.status == HOLDS and on.value == pytest.approx(0.0, abs=0.02)
    off = c.verdict_near_bound(_ib(curve, idx, dx=2.0))  # the same I(T;Y) for 2 more bits of I(X;T)
    assert off.status == FAILS and off.value == pytest.approx(2.0, abs=0.05)
    wrong_beta = c.verdict_near_bound(_ib(curve, idx, beta_factor=5.0))  # on the curve, beta* not 1/slope
    assert wrong_beta.status == FAILS
    straddle = c.verdict_near_bound(_ib(curve, idx, dx=0.6, jitter=0.6))
    assert straddle.status == INC and "straddles" in straddle.reason
    nofit = _ib(curve, idx)
    nofit["beta_star"] = np.full_like(nofit["beta_star"], np.nan)
    assert c.verdict_near_bound(nofit).status == INC


def test_beta_star():
    K = 6
    dec = np.tile(np.array([50.0, 20, 10, 5, 2, 1])[:, None], (1, K))
    assert c.verdict_beta_star({"beta_star": dec}).status == HOLDS
    assert c.verdict_beta_star({"beta_star": dec[::-1].copy()}).status == FAILS
    assert c.verdict_beta_star({"beta_star": np.full((6, K), np.nan)}).status == INC


def test_small_sample():
    small = make_run(epochs(), loss=0.3, fall_decades=0.5)  # the loss is complete well before the end
    large = make_run(epochs(), loss=0.0, fall_decades=0.5)
    v = c.verdict_small_sample(small, large, 0.05, 0.85)
    # smoothing rounds the kink at the peak (lower peak), so the measured loss is a little under 0.3 bits
    assert v.status == HOLDS and 0.2 < v.value <= 0.3
    assert c.verdict_small_sample(large, large, 0.05, 0.85).status == FAILS
    noisy = make_run(epochs(), loss=0.0, noise=0.1, K=4, seed=1)
    v = c.verdict_small_sample(noisy, large, 0.05, 0.85)
    assert v.status == INC


def test_committee():
    assert c.verdict_committee(make_run(epochs(), transition=300)).status == HOLDS
    assert c.verdict_committee(make_run(epochs(), transition=None)).status == FAILS
    assert c.verdict_committee(make_run(epochs(), transition=300, drop=0.1, spread_drop=0.2)).status == INC


def test_relu_kde():
    # critique: holds when the ReLU layers do NOT compress
    flat = make_run(epochs(), drop=0.0, measures=("kde",))
    assert c.verdict_relu_kde(flat).status == HOLDS
    assert c.verdict_relu_kde(make_run(epochs(), drop=2.0, measures=("kde",))).status == FAILS
    assert c.verdict_relu_kde(make_run(epochs(), drop=0.1, spread_drop=0.2, measures=("kde",))).status == INC


def _binned(drops):
    run = make_run(epochs(), drop=0.0, measures=())
    for n, d in zip((10, 30, 100), drops):
        r = make_run(epochs(), drop=d)
        run["I_X"][f"bin{n}"], run["I_Y"][f"bin{n}"] = r["I_X"]["bin30"], r["I_Y"]["bin30"]
    return run


def test_binning():
    v = c.verdict_binning(_binned((0.5, 1.0, 2.0)), n_boot=200)
    assert v.status == HOLDS and v.value == pytest.approx(4.0, rel=0.05)
    assert c.verdict_binning(_binned((1.0, 1.0, 1.0)), n_boot=200).status == FAILS
    v = c.verdict_binning(_binned((0.0, 0.0, 0.0)), n_boot=200)
    assert v.status == INC and "no bin count" in v.reason


def test_verdict_text():
    v = c.verdict_rule(0.99, 0.5)
    assert c.verdict_text(v).startswith("holds (0.99")
    assert "straddles" in c.verdict_text(c.verdict_compresses(make_run(epochs(1500, 40), drop=0.1, spread_drop=0.5,
                                                                      turn=100)))


def test_fit_epoch_of_a_step():
    """I_Y steps from 0 to 1 bit at snapshot 10: the 5-snapshot average is 0.8 at snapshot 11 and 1 at 12."""
    ep = np.arange(30) * 10
    I = np.zeros((30, 2, 3))
    I[10:] = 1.0
    c_ = an.compression({"epochs": ep, "I_X": {"bin30": 5 + I}, "I_Y": {"bin30": I}})
    assert np.all(c_["fit_epoch"] == 120)


# ---------------------------------------------------------------------------------------------
# the Saxe et al. controls (issue 15 item 3)
def _with_saturation(run, coupling, noise=0.0, seed=0):
    """Add values["sat30"] and weight_norm: after each layer's turn the saturated share moves by
    ``coupling`` x (the layer's I(X;T) fall so far), plus noise; weights grow with the saturation."""
    rng = np.random.default_rng(seed)
    I_X = run["I_X"]["bin30"]
    peak = np.maximum.accumulate(I_X, axis=0)
    fall = peak - I_X  # >= 0, grows after the turn by the network's drop
    sat = 0.2 + coupling * fall / 10 + noise * rng.standard_normal(I_X.shape)
    run["values"] = {"sat30": np.clip(sat, 0, 1)}
    run["weight_norm"] = 3.0 * np.exp(np.clip(sat, 0, 1))
    return run


def test_compresses_under_gd_known_answers():
    ep = epochs(1500, 40)
    assert c.verdict_compresses(make_run(ep, drop=1.0, spread_drop=0.2, turn=100)).status == HOLDS
    assert c.verdict_compresses(make_run(ep, drop=0.0, spread_drop=0.01, turn=100)).status == FAILS
    assert c.verdict_compresses(make_run(ep, drop=0.1, spread_drop=0.5, turn=100)).status == INC


def test_sgd_compresses_too_known_answers():
    """P3.sgd_compresses_too is decided by the same verdict function and threshold as the GD control."""
    spec = next(s for s in c.CLAIMS if s.id == "P3.sgd_compresses_too")
    assert spec.kind == "critique" and spec.figure == "fig-p3-saxe" and str(c.MIN_DROP_BITS) in spec.threshold
    ep = epochs(1500, 40)
    # must hold: every network's deeper layers fall by about 1 bit after the turn
    v = c.verdict_compresses(make_run(ep, drop=1.0, spread_drop=0.2, turn=100, seed=1))
    assert v.status == HOLDS and v.value > c.MIN_DROP_BITS
    # must not: a control whose layers do not fall after the turn
    v = c.verdict_compresses(make_run(ep, drop=0.0, spread_drop=0.01, turn=100, seed=1))
    assert v.status == FAILS and v.value < c.MIN_DROP_BITS
    # an interval straddling the threshold decides nothing
    assert c.verdict_compresses(make_run(ep, drop=0.1, spread_drop=0.5, turn=100, seed=1)).status == INC


def test_full_batch_shares_known_answers():
    ep = epochs(1500, 40)
    yes, no = make_run(ep, drop=1.0, spread_drop=0.2, turn=100), make_run(ep, drop=0.0, spread_drop=0.01, turn=100)
    assert c.verdict_full_batch_shares({0.03: yes, 0.05: yes, 0.85: no}, 512).status == HOLDS  # 0.85 is not full-batch
    assert c.verdict_full_batch_shares({0.03: yes, 0.05: no, 0.85: yes}, 512).status == FAILS
    v = c.verdict_full_batch_shares({0.45: yes, 0.85: yes}, 512)
    assert v.status == INC and "one batch" in v.reason


def test_saturation_known_answers():
    ep = epochs(1500, 40)
    runs = lambda coupling, noise=0.0: {n: _with_saturation(make_run(ep, K=6, drop=1.0 + i, spread_drop=0.8, turn=100,
                                                                     seed=i), coupling, noise, seed=i)
                                        for i, n in enumerate(("adam", "sgd", "gd"))}
    v = c.verdict_saturation(runs(1.0))
    assert v.status == HOLDS and v.value == pytest.approx(1.0) and "weight norms grow" in v.detail
    assert c.verdict_saturation(runs(-1.0)).status == FAILS
    assert c.verdict_saturation(runs(0.0, noise=0.05)).status == INC  # saturation unrelated to the drop
    assert c.verdict_saturation({"gd": runs(1.0)["gd"]}, n_boot=200).status == HOLDS  # 6 networks still decide
