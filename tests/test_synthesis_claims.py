"""Every verdict function of the synthesis page on synthetic results with known answers.

Each claim gets an input where it must hold, one where it must not, and (where it applies)
one that must be inconclusive. No training: the results are small arrays built here.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from deepinfo.claims import KINDS
from deepinfo.estimators import TOLERANCE_BITS, max_relevance_curve
from deepinfo.experiments import synthesis as syn
from deepinfo.experiments.synthesis import claims as sc, run as sr


# ------------------------------------------------------------------------------- the specs
def test_specs_are_declared_honestly():
    ids = [c.id for c in sc.CLAIMS]
    assert len(ids) == len(set(ids)) and all(i.startswith("S.") for i in ids)
    assert all(c.kind in KINDS for c in sc.CLAIMS)
    kinds = {c.id: c.kind for c in sc.CLAIMS}
    assert kinds["S.ix_equals_resolution"] == "sanity"
    assert kinds["S.all_layers_below_max_relevance"] == "sanity"
    assert kinds["S.chain_layers_obey_dpi"] == "estimator"
    for c in sc.CLAIMS:
        if c.kind == "conjecture":  # the synthesis' own statements: said to be conjectures, with their sources
            assert "conjecture" in c.statement and ("sec." in c.statement or "Fig." in c.statement), c.id
            assert c.figure and c.threshold_reason


def test_evaluate_covers_every_declared_claim():
    res, te, cmp = _ensemble(rise=0.5)
    got = {**sc.evaluate_ensemble(res, te, cmp),
           **sc.evaluate_chain(_chain([0.95, 0.93, 0.96]), _distiller([0.95, 0.96], [0.9, 0.95]))}
    assert set(got) == set(sc.SPECS)


def test_scale_names_the_setting():
    from deepinfo.experiments.information_plane.run import PRESETS as IP_PRESETS

    s = sc.scale(syn.PRESETS["quick"], seed=3)
    ip = IP_PRESETS["quick"]  # the ensemble is the information-plane chapter's main run at its quick preset
    assert (s["networks"], s["epochs"], s["snapshots"]) == (ip.n_networks, ip.epochs, ip.n_snapshots)
    assert (s["optimizer"], s["lr"], s["train_fraction"]) == (ip.optimizer, ip.lr, ip.main_fraction)
    assert "information-plane" in s["ensemble"] and "quick" in s["ensemble"]
    assert s["M"] == 4096 and s["chain_M"] == 20_000 and s["seed"] == 3
    assert "substitute" not in s["data"] and "generated" in s["data"]


def test_wilson_interval_exact_values():
    z = 1.959963984540054
    lo, hi = sc.wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx((z * z / 20 + z * math.sqrt(z * z / 400)) / (1 + z * z / 10))
    lo, hi = sc.wilson_interval(10, 10)
    assert hi == pytest.approx(1.0) and lo == pytest.approx(1 - sc.wilson_interval(0, 10)[1])
    assert sc.wilson_interval(0, 0) == (0.0, 1.0)


# --------------------------------------------------------------------------- the identities
def test_identity_verdict():
    a = np.random.default_rng(0).uniform(0, 12, size=(4, 6, 3))
    assert sc.identity_verdict(a, a.copy()).status == "holds"
    assert sc.identity_verdict(a, a + 1e-3).status == "does not hold"


def test_below_bound_verdict():
    M = 100
    hs, hk = max_relevance_curve(M)
    # points on and under the curve
    assert sc.below_bound_verdict(hs, np.asarray(hk) - 0.1 * np.asarray(hk), M).status == "holds"
    assert sc.below_bound_verdict(hs, hk, M).status == "holds"
    # a point well above it: H[k] = H[s] = 0.9 log2 M is impossible (the curve is far lower there)
    top = 0.9 * math.log2(M)
    v = sc.below_bound_verdict([top], [top], M)
    assert v.status == "does not hold" and v.value > TOLERANCE_BITS


# ------------------------------------------------------------------------ compression claims
def _te(L=3, K=6, dHk=0.5, noise=0.01, beta_turn=2.0, beta_end=1.1, status=1, drop=1.0, seed=0):
    """(L, K) turn/end arrays: layer 0 does not compress, the others drop by ``drop`` bits."""
    g = np.random.default_rng(seed)
    I_turn = np.full((L, K), 8.0)
    I_end = I_turn.copy()
    I_end[1:] -= drop
    H_turn = np.full((L, K), 2.0)
    H_end = H_turn + dHk + noise * g.standard_normal((L, K))
    H_end[0] = H_turn[0]
    return {"I_X_turn": I_turn, "I_X_end": I_end, "H_k_turn": H_turn, "H_k_end": H_end,
            "beta_turn": np.full((L, K), beta_turn), "beta_end": np.full((L, K), beta_end) + 0.01 * g.standard_normal((L, K)),
            "pl_status_turn": np.full((L, K), status), "pl_status_end": np.full((L, K), status)}


def test_compressing_layers():
    te = _te()
    assert list(sc.compressing_layers(te["I_X_turn"], te["I_X_end"])) == [False, True, True]
    te = _te(drop=0.05)
    assert not sc.compressing_layers(te["I_X_turn"], te["I_X_end"]).any()


def test_compression_raises_relevance():
    cid = "S.compression_raises_relevance"
    assert sc.compression_verdicts(_te(dHk=0.5))[cid].status == "holds"
    assert sc.compression_verdicts(_te(dHk=-0.5))[cid].status == "does not hold"
    te = _te(dHk=0.0, noise=0.0)  # networks alternate +1 and -1 bit: mean 0, interval straddles 0
    te["H_k_end"][1:, ::2] += 1.0
    te["H_k_end"][1:, 1::2] -= 1.0
    assert sc.compression_verdicts(te)[cid].status == "inconclusive"
    v = sc.compression_verdicts(_te(drop=0.05))[cid]  # nothing compresses
    assert v.status == "inconclusive" and "compression phase" in v.reason
    v = sc.compression_verdicts(_te(K=1))[cid]  # one network: no spread
    assert v.status == "inconclusive"


def test_compression_moves_beta_toward_one():
    cid = "S.compression_moves_beta_toward_one"
    assert sc.compression_verdicts(_te(beta_turn=2.0, beta_end=1.1))[cid].status == "holds"
    assert sc.compression_verdicts(_te(beta_turn=1.1, beta_end=2.5))[cid].status == "does not hold"
    # m_k is not a power law (verdict fails) at the turn and the end: beta says nothing
    v = sc.compression_verdicts(_te(status=0))[cid]
    assert v.status == "inconclusive" and "power law" in v.reason
    # half the networks move toward one, half away, by the same amount: the interval straddles 0
    te = _te(K=8)
    te["beta_end"][:, ::2] = 2.9
    assert sc.compression_verdicts(te)[cid].status == "inconclusive"


# ----------------------------------------------------------------------- IB and relevance
def _ib(L=4, K=10, agree=10, I_X=6.0):
    """(L, K) arrays: hidden layers 1..L-1 and an output. In the first ``agree`` networks the layer
    of largest H_sum (layer 2) is also the closest to the bound; in the others layer 1 is closest.
    The output has the largest H_sum and zero gap but must not take part."""
    gap = np.full((L, K), 0.5)
    H_sum = np.full((L, K), 5.0)
    H_sum[1] = 9.0
    gap[1, :agree] = 0.01
    gap[0, agree:] = 0.01
    H_sum[-1], gap[-1] = 20.0, 0.0
    return gap, H_sum, np.full((L, K), I_X)


def test_ib_agreement_ignores_output_and_unmerged_layers():
    gap, H_sum, I_X = _ib(agree=10)
    a = sc.ib_agreement(gap, H_sum, I_X, 4096)
    assert (a["most_relevant"] == 2).all() and (a["closest"] == 2).all() and a["agree"].all()
    I_X[1] = 12.0  # layer 2 keeps every pattern apart: out
    a = sc.ib_agreement(gap, H_sum, I_X, 4096)
    assert (a["most_relevant"] != 2).all()


def test_ib_verdict():
    assert sc.ib_verdict(*_ib(agree=10), 4096).status == "holds"
    assert sc.ib_verdict(*_ib(agree=0), 4096).status == "does not hold"
    assert sc.ib_verdict(*_ib(agree=5), 4096).status == "inconclusive"
    v = sc.ib_verdict(*_ib(I_X=12.0), 4096)  # no hidden layer merges patterns
    assert v.status == "inconclusive" and "merge" in v.reason


# --------------------------------------------------------------------------------- ensemble
def _ensemble(rise=0.5, S=4, L=6, K=5):
    """A synthetic run: I_X = H_s (identity), H_k = 0 (below the bound), layers 2.. compress at snapshot 1."""
    g = np.random.default_rng(1)
    I_X = np.full((S, L, K), 11.0)
    I_X[1, 1:] = 11.5
    I_X[2:, 1:] = 10.0
    H_k = np.full((S, L, K), 1.0)
    H_k[2:, 1:] += rise + 0.01 * g.standard_normal((S - 2, L - 1, K))
    res = {"I_X": I_X, "I_Y": np.full((S, L, K), 0.9), "H_s": I_X.copy(), "H_k": H_k,
           "epochs": np.arange(S), "P": 4096, "turn": sr.compression_turn(I_X),
           **{f"{q}_{w}": np.full((L, K), v) for q, v in (("beta", np.nan), ("pl_status", -1.0))
              for w in ("turn", "end")}}
    te = sr.turn_and_end(res)
    gap, H_sum, I_Xf = _ib(L=L, K=K, agree=K)
    return res, te, {"gap": gap, "H_sum": H_sum, "I_X": I_Xf}


def test_evaluate_ensemble_known_run():
    res, te, cmp = _ensemble(rise=0.5)
    v = sc.evaluate_ensemble(res, te, cmp)
    assert v["S.ix_equals_resolution"].status == "holds"
    assert v["S.all_layers_below_max_relevance"].status == "holds"
    assert v["S.compression_raises_relevance"].status == "holds"
    assert v["S.compression_moves_beta_toward_one"].status == "inconclusive"  # no power-law tails
    assert v["S.most_relevant_layer_closest_to_ib"].status == "holds"
    res, te, cmp = _ensemble(rise=-0.5)
    assert sc.evaluate_ensemble(res, te, cmp)["S.compression_raises_relevance"].status == "does not hold"


# ------------------------------------------------------------------------------------ chain
def _chain(kept_last, bias=0.01, I_n=1.0, rises=False):
    R = len(kept_last)
    I = np.array([[I_n + bias, I_n * 0.98 + bias, k * I_n + bias] for k in kept_last])
    if rises:
        I[:, 1] = I[:, 0] - 0.3  # a dip, then a rise of ~0.3 bits to the last layer
    return {"I_T_X0": I, "I_T_X0_shuffled": np.full((R, 3), bias), "I_chain": np.array([2.0, 1.5, I_n]),
            "test_acc": np.full(R, 0.5), "bayes_acc": 0.55, "M": 20_000}


def test_kept_fraction_is_bias_corrected():
    assert sc.kept_fraction(_chain([0.9, 0.7])) == pytest.approx([0.9, 0.7])


def test_chain_keep_verdict():
    cid = "S.chain_network_keeps_label_information"
    assert sc.evaluate_chain(_chain([0.95, 0.93, 0.96]))[cid].status == "holds"
    assert sc.evaluate_chain(_chain([0.5, 0.52, 0.48]))[cid].status == "does not hold"
    assert sc.evaluate_chain(_chain([0.6, 1.0, 0.8]))[cid].status == "inconclusive"
    v = sc.evaluate_chain(_chain([0.95]))[cid]
    assert v.status == "inconclusive" and "one network" in v.reason


def test_chain_dpi_verdict():
    cid = "S.chain_layers_obey_dpi"
    v = sc.evaluate_chain(_chain([0.9, 0.9]))[cid]
    assert v.status == "holds" and v.value <= 0
    v = sc.evaluate_chain(_chain([0.9, 0.9], rises=True))[cid]
    assert v.status == "does not hold" and v.value > 0


def _distiller(keep, discard, I=0.34, H_xn=5.0, H_T0=1.0, bias=0.005):
    """Networks whose last layer keeps ``keep`` of I(x_n; x_0) and discards ``discard`` of H(x_n) - H(T_0)."""
    keep, discard = np.asarray(keep, float), np.asarray(discard, float)
    R = len(keep)
    H_last = H_xn - discard * (H_xn - H_T0)
    return {"I_T_X0": np.stack([np.full(R, I + bias), keep * I + bias], 1),
            "I_T_X0_shuffled": np.full((R, 2), bias), "H_s": np.stack([np.full(R, H_xn), H_last], 1),
            "I_xn_x0": I, "I_T0_x0": I, "H_xn": H_xn, "H_T0": H_T0, "n_classes_T0": 2, "M": 20_000}


def test_distiller_fractions_exact():
    keep, discard = sc.distiller_fractions(_distiller([0.9, 0.6], [0.25, 1.0]))
    assert keep == pytest.approx([0.9, 0.6]) and discard == pytest.approx([0.25, 1.0])


def test_distiller_verdict():
    assert sc.distiller_verdict(_distiller([0.95, 0.96, 0.97], [0.9, 0.92, 0.95])).status == "holds"
    # keeps everything but discards nothing (a copy of x_n): not a distiller
    assert sc.distiller_verdict(_distiller([0.99, 0.99, 0.99], [0.0, 0.01, 0.02])).status == "does not hold"
    # discards everything, including x_0's information (a constant layer): not a distiller
    assert sc.distiller_verdict(_distiller([0.0, 0.01, 0.02], [1.0, 1.0, 1.0])).status == "does not hold"
    v = sc.distiller_verdict(_distiller([0.95, 0.96, 0.97], [0.1, 0.5, 0.9]))  # discard straddles 0.5
    assert v.status == "inconclusive" and v.reason.startswith("discard")
    v = sc.distiller_verdict(_distiller([0.95], [0.9]))
    assert v.status == "inconclusive" and "one network" in v.reason
