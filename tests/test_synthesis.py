"""The synthesis runners and helpers against exact answers (deepinfo.experiments.synthesis.run, .figures).

Identities on small cases: I(X;T) of a deterministic binned map equals H[T]; a point of the
maximal-relevance curve has gap 0; the DBN points of the three-families plane are divided by
log2 M exactly once (the old page divided already-normalised values again).
"""
from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

from deepinfo.cache import ResultCache  # noqa: E402
from deepinfo.estimators import max_relevance_curve, relevance, relevance_gap, resolution  # noqa: E402
from deepinfo.estimators.information_plane import binned_information_plane  # noqa: E402
from deepinfo.experiments import select_preset  # noqa: E402
from deepinfo.experiments import synthesis as syn  # noqa: E402
from deepinfo.experiments.information_plane import run as ip_run  # noqa: E402
from deepinfo.experiments.synthesis import figures as sf, run as sr  # noqa: E402


def _centres(bins):
    """Activations at the centres of the given bins of 30 equal bins on [-1, 1]."""
    return -1.0 + (np.asarray(bins, dtype=float) + 0.5) * 2.0 / 30


def _two_networks():
    """(K=2, P=16, N=1): network 0 puts every pattern in its own bin, network 1 puts 12 patterns
    in one bin and 4 in another."""
    a0 = _centres(np.arange(16))
    a1 = _centres([3] * 12 + [20] * 4)
    return torch.tensor(np.stack([a0, a1])[:, :, None], dtype=torch.float32)


def test_layer_relevance_exact_entropies():
    r = sr.layer_relevance(_two_networks(), 30, power_law=False)
    h = -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))
    assert r["H_s"] == pytest.approx([4.0, h], abs=1e-12)
    # network 0: every k_s = 1, m_1 = 16, H[k] = 0; network 1: k in {12, 4}, each once, H[k] = H[s]
    assert r["H_k"] == pytest.approx([0.0, h], abs=1e-12)
    assert np.isnan(r["beta"]).all()  # power_law=False computes no verdict


def test_ix_of_a_deterministic_map_is_its_entropy():
    acts = _two_networks()
    pyx = np.tile([0.5, 0.5], (16, 1))
    I_X, _ = binned_information_plane(acts, pyx, 30, -1.0, 1.0)
    r = sr.layer_relevance(acts, 30, power_law=False)
    assert np.asarray(I_X) == pytest.approx(r["H_s"], abs=1e-12)


def test_layer_relevance_power_law_codes():
    r = sr.layer_relevance(_two_networks(), 30, power_law=True, n_boot=0)
    assert set(r["pl_status"]) <= set(sr.STATUS_CODE.values())
    assert (r["pl_status"] == sr.STATUS_CODE["inconclusive"]).all()  # 1 or 2 distinct frequencies: no shape


def test_gap_of_curve_vertices_is_zero():
    M = 200
    hs, hk, parts = max_relevance_curve(M, return_partitions=True)
    for m in parts[:: max(1, len(parts) // 8)]:
        counts = np.repeat(np.arange(1, len(m) + 1), np.asarray(m, dtype=int))
        f = sr.family([resolution(counts)], [relevance(counts)], M)
        assert f["gap"][0] == pytest.approx(0.0, abs=1e-9)


def test_dbn_family_is_normalised_once():
    """A synthetic DBN result in bits lands at H/log2 M on the normalised axis; its gap is the bits gap."""
    M = 10_000
    logM = math.log2(M)
    H_s = np.array([[12.0, 9.0, 6.0, 3.0], [12.4, 9.2, 5.8, 3.2]])  # (R, L) bits
    H_k = np.array([[2.0, 3.5, 3.0, 1.5], [2.2, 3.3, 3.2, 1.7]])
    fam = sr.dbn_family({"H_s": H_s, "H_k": H_k, "M": M})
    assert fam["H_s"] == pytest.approx(H_s.mean(0)) and fam["H_k"] == pytest.approx(H_k.mean(0))
    assert fam["gap"] == pytest.approx(relevance_gap(H_s.mean(0), H_k.mean(0), M))
    norm = sr.normalised(fam)
    assert norm["H_s"] == pytest.approx(H_s.mean(0) / logM)
    assert norm["H_k"] == pytest.approx(H_k.mean(0) / logM)
    assert norm["gap"] == pytest.approx(relevance_gap(H_s.mean(0), H_k.mean(0), M) / logM)
    # the old double normalisation would have put the first layer at 12.2 / log2(M)^2 ~ 0.069
    assert norm["H_s"][0] > 0.9
    # values already divided by log M are refused, not divided again
    with pytest.raises(ValueError, match="divided by log M"):
        sr.dbn_family({"H_s": H_s / logM, "H_k": H_k / logM, "M": M})


def test_three_families_figure_divides_by_log_m_once():
    import matplotlib.pyplot as plt

    fams = {"A": sr.family([12.0, 8.0, 4.0], [1.0, 3.0, 2.0], 10_000),
            "B": sr.family([10.0, 6.0], [2.0, 2.5], 4096)}
    fig, ax = plt.subplots()
    sf.plot_three_families(fams, ax)
    xs = [np.asarray(line.get_xdata(), dtype=float) for line in ax.lines]
    ys = [np.asarray(line.get_ydata(), dtype=float) for line in ax.lines]
    for f in fams.values():
        want_x, want_y = f["H_s"] / math.log2(f["M"]), f["H_k"] / math.log2(f["M"])
        assert any(x.shape == want_x.shape and np.allclose(x, want_x) and np.allclose(y, want_y)
                   for x, y in zip(xs, ys)), "family points not at H / log2 M"
    assert max(float(np.nanmax(x)) for x in xs) <= 1.02
    plt.close(fig)


def test_counts_family_and_ensemble_family():
    counts = [np.array([5, 3, 1, 1]), np.array([8, 2])]
    f = sr.counts_family(counts)
    assert f["M"] == 10
    assert f["H_s"] == pytest.approx([resolution(c) for c in counts])
    S, L, K = 3, 2, 4
    res = {"H_s": np.full((S, L, K), 5.0), "H_k": np.full((S, L, K), 1.0), "P": 4096}
    res["H_s"][-1, 1] = 7.0
    e = sr.ensemble_family(res)
    assert e["H_s"] == pytest.approx([5.0, 7.0]) and e["M"] == 4096


def test_turn_and_end_reads_the_peak():
    S, L, K = 5, 2, 3
    I_X = np.zeros((S, L, K))
    I_X[2, 0, :] = 4.0  # layer 0 peaks at snapshot 2
    I_X[0, 1, :] = 3.0  # layer 1 at snapshot 0
    H = np.arange(S, dtype=float)[:, None, None] * np.ones((S, L, K))
    res = {"I_X": I_X, "H_s": np.full((S, L, K), 6.0), "H_k": H, "turn": np.array([[2] * K, [0] * K]),
           "beta_turn": np.full((L, K), 2.0), "beta_end": np.full((L, K), 1.0),
           "pl_status_turn": np.ones((L, K)), "pl_status_end": np.ones((L, K)),
           "epochs": np.array([0, 1, 10, 100, 1000]), "P": 4096}
    te = sr.turn_and_end(res)
    assert (te["H_k_turn"][0] == 2).all() and (te["H_k_turn"][1] == 0).all() and (te["H_k_end"] == 4).all()
    assert (te["turn_epoch"][0] == 10).all() and (te["turn_epoch"][1] == 0).all()
    assert (te["beta_turn"] == 2.0).all() and (te["beta_end"] == 1.0).all()
    assert te["gap_end"] == pytest.approx(relevance_gap(np.full((L, K), 6.0), np.full((L, K), 4.0), 4096))
    tab = sr.compression_table(te, 0.1)
    assert tab["drop_I_X"] == pytest.approx([4.0, 3.0]) and tab["compresses"].all()
    assert tab["change_H_k"] == pytest.approx([2.0, 4.0])
    # verdicts computed at other snapshots than the turn are refused
    with pytest.raises(ValueError, match="largest I"):
        sr.turn_and_end(dict(res, turn=np.zeros((L, K), int)))


def test_ib_bound_of_a_deterministic_rule():
    # 8 equally likely patterns, y = 1 for half of them: I(X;Y) = H(Y) = 1 bit
    pyx1 = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=float)
    pxy = np.stack([1 - pyx1, pyx1], 1) / 8
    b = sr.ib_bound(pxy, 30)
    assert b["I_XY"] == pytest.approx(1.0, abs=1e-12)
    assert b["curve_I_Y"].max() == pytest.approx(1.0, abs=1e-3)
    assert np.all(np.diff(b["curve_I_Y"]) >= 0)
    # a layer at I_X = 3 bits (every pattern apart) sits on the bound with I_Y = 1; half a bit lower, gap 0.5
    assert sr.ib_gap([3.0, 3.0], [1.0, 0.5], b) == pytest.approx([0.0, 0.5], abs=1e-3)


def test_run_ensemble_identity_and_units(tmp_path):
    ipc = select_preset(ip_run.PRESETS, "smoke", n_networks=2, epochs=3, n_snapshots=2)
    cfg = sr.EnsembleRun(ipc, ib_betas=10)
    res = syn.run_ensemble(cfg, seed=0, progress=False, cache=ResultCache(tmp_path))
    S, L, K = res["I_X"].shape
    assert (L, K) == (6, 2) and res["P"] == 4096
    assert np.max(np.abs(res["I_X"] - res["H_s"])) < 1e-9  # I(X;T) = H[s]
    assert (res["H_s"] <= 12 + 1e-9).all() and (res["H_k"] >= 0).all()  # bits, not divided by log M
    assert np.array_equal(res["turn"], sr.compression_turn(res["I_X"]))
    for w in ("turn", "end"):
        assert res[f"pl_status_{w}"].shape == (L, K)
        assert set(np.unique(res[f"pl_status_{w}"])) <= set(sr.STATUS_CODE.values())
    assert "beta" not in res and "pl_status" not in res  # no verdict at every snapshot
    assert len(res["snapshots"]["epochs"]) == S and res["final"]["W"][0].shape[0] == K  # the training's weights


def test_power_law_at_equals_the_verdict_of_every_snapshot():
    """The verdicts at chosen snapshots are those layer_relevance gives on the same snapshot's activations."""
    from deepinfo.data.spherical import spherical_rule
    from deepinfo.models.ensemble import EnsembleConfig, measure_snapshots, train_ensemble

    rule = spherical_rule()
    rec = train_ensemble(EnsembleConfig(n_networks=3, epochs=40, n_snapshots=4, seed=1), rule.X, rule.p_y_given_x,
                         {}, progress=False, keep_snapshots=True)
    S = len(rec["snapshots"]["epochs"])
    L = len(rec["snapshots"]["W"])
    snap = np.array([[(l + k) % S for k in range(3)] for l in range(L)])
    got = sr.power_law_at(rec["snapshots"], rule.X, rule.p_y_given_x, snap, 30)
    full = measure_snapshots(rec["snapshots"], rule.X, rule.p_y_given_x,
                             {"r": lambda T, _: sr.layer_relevance(T, 30, power_law=True)})["values"]["r"]
    for key in ("beta", "beta_se", "pl_status"):
        want = sr.at_snapshot(full[key], snap)
        assert np.array_equal(np.isnan(got[key]), np.isnan(want))
        assert np.allclose(got[key][~np.isnan(want)], want[~np.isnan(want)])


def test_run_chain_exact_levels(tmp_path):
    cfg = sr.ChainRun(chain=sr._chain(600), hidden=(8, 4), epochs=1, n_networks=2)
    ch = syn.run_chain(cfg, seed=0, progress=False, cache=ResultCache(tmp_path))
    assert ch["I_chain"][0] == pytest.approx(2.0)  # I(x0; x0) = H(x0), 4 equally likely states
    assert ch["H_chain"][0] == pytest.approx(2.0)
    assert np.all(np.diff(ch["I_chain"]) <= 1e-12)  # exact data processing inequality along the chain
    assert ch["I_T_X0"].shape == (2, 2) and ch["M"] == 600 and "beta" not in ch
    assert (ch["I_T_X0"] >= 0).all() and (ch["I_T_X0"] <= 2.0 + 1e-9).all()


def test_run_distiller_exact_chain(tmp_path):
    cfg = sr.DistillerRun(n_steps=3, flip=0.1, M=800, hidden=(6, 3), epochs=1, n_networks=2)
    d = syn.run_distiller(cfg, seed=0, progress=False, cache=ResultCache(tmp_path))
    # x_0's bit reaches x_n through 3 binary symmetric channels: flip (1 - (1 - 2f)^3) / 2
    e = (1 - (1 - 2 * 0.1) ** 3) / 2
    assert d["I_xn_x0"] == pytest.approx(1 + e * math.log2(e) + (1 - e) * math.log2(1 - e), abs=1e-12)
    assert d["I_T0_x0"] == pytest.approx(d["I_xn_x0"], abs=1e-12)  # T_0 is sufficient
    assert d["n_classes_T0"] == 2 and d["bayes_acc"] == pytest.approx(1 - e)
    assert d["H_T0"] <= 1.0 + 1e-12 and d["H_xn"] <= 4.0 + 1e-12  # plug-in over 800 samples of 2 and 16 states
    assert d["H_s"].shape == (2, 2) and (d["H_s"] <= d["H_xn"] + 1e-9).all()  # a layer is a function of x_n


def test_presets_and_overrides():
    for name in ("smoke", "quick", "full"):
        assert isinstance(syn.PRESETS[name], syn.Config)
    for name in ("smoke", "quick", "full"):  # each preset reuses the information-plane preset of its name
        assert syn.PRESETS[name].ensemble.information_plane == ip_run.PRESETS[name]
    cfg = select_preset(syn.PRESETS, "smoke", **{"ensemble.information_plane.n_networks": 3, "chain.chain.M": 1000})
    assert cfg.ensemble.information_plane.n_networks == 3 and cfg.chain.chain.M == 1000
    assert sr.training_config(cfg.ensemble, 0).n_networks == 3
    with pytest.raises(ValueError, match="n_realisations"):
        select_preset(syn.PRESETS, "smoke", n_realisations=3)
