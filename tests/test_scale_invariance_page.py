"""The sentences of the Lee & Jo page (deepinfo.experiments.scale_invariance.page), on hand-built inputs.

Every expected string is written out by hand. Where a count depends on the power-law rule, the partitions
are ones whose verdict is known from their construction (as in tests/test_power_law_verdict.py): an ideal
profile m_k = round(3000 k^-2) holds (beta = 1), geometric sizes fail (a characteristic scale), and
every state seen once is inconclusive (nothing to fit); the first test checks that the rule agrees.
"""
from __future__ import annotations

import numpy as np
import pytest

from deepinfo.claims import ClaimRecorder, ClaimSpec, Uncertainty, Verdict, inconclusive
from deepinfo.estimators import power_law_verdict
from deepinfo.experiments.scale_invariance import page

_k = np.arange(1, 2001)
HOLDS = np.repeat(_k, np.round(3000 * _k ** -2.0).astype(int))   # scale-free by construction
FAILS = np.random.default_rng(1).geometric(0.3, 3000)              # characteristic scale ~3
OPEN = np.ones(400, dtype=int)                                     # every state seen once: inconclusive
EXACT = Uncertainty.of_exact("hand-built")


def held(value=1.0, seeds=(0, 1), detail="", **kw):
    return Verdict("holds", value, EXACT, detail, scale={"seeds": list(seeds)}, **kw)


def failed(value=0.0, seeds=(0, 1), detail=""):
    return Verdict("does not hold", value, EXACT, detail, scale={"seeds": list(seeds)})


def unsure(reason="too few seeds", detail=""):
    return inconclusive(reason, 0.5, EXACT, detail, scale={"seeds": [0, 1]})


def test_the_hand_built_partitions_have_the_verdicts_the_tests_assume():
    assert [power_law_verdict(k, rng=0).status for k in (HOLDS, FAILS, OPEN)] == ["holds", "fails", "inconclusive"]


def test_pieces():
    assert page.joined([1966, 1951, 12], "{:,}") == "1,966, 1,951, 12"
    assert page.joined([]) == ""
    assert page.first_clause("3/3 seeds hold; seed 0: holds (x; y)") == "3/3 seeds hold"
    assert page.first_clause("no semicolon") == "no semicolon"
    assert page.n_holding([HOLDS, FAILS, OPEN, HOLDS]) == 2
    # share of seeds x number of seeds
    assert page.seeds_ok(held(1.0, seeds=(0, 1, 2))) == "3 of 3 seeds"
    assert page.seeds_ok(failed(2 / 3, seeds=(0, 1, 2))) == "2 of 3 seeds"
    assert page.seeds_ok(failed(0.0, seeds=(4, 5))) == "0 of 2 seeds"
    # seed 0: only z1 holds; seed 1: all three
    runs = [{"counts": [HOLDS, FAILS, OPEN]}, {"counts": [HOLDS, HOLDS, HOLDS]}]
    assert page.layers_ok(runs) == "1, 3 of 3"
    V = {"a": held(), "b": failed(), "c": unsure()}
    assert page.status_texts(V, {"x": "a", "y": "b", "z": "c"}) == {
        "x": "holds", "y": "does not hold", "z": "is inconclusive"}


def test_glue_all_glues_every_item_without_display(monkeypatch):
    import myst_nb

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, text, display=True: calls.append((name, text, display)))
    page.glue_all({"p2_a": "1", "p2_b": "two"})
    assert calls == [("p2_a", "1", False), ("p2_b", "two", False)]


def test_rbm_text():
    km = np.array([7, 2, 2, 1])
    rbm = {"data": {"M": 3000}, "n_states": 2000, "counts_rbm": HOLDS, "counts_kmeans": km, "kmeans_k": 2000}
    V = {"P2.rbm_power_law": held(), "P2.kmeans_has_characteristic_size": unsure()}
    t = page.rbm_text(rbm, V)
    # largest RBM state: m_k = round(3000 / k^2) >= 1 iff k <= sqrt(6000) = 77.5, so k = 77; mean 3000 / 2000
    assert {k: t[k] for k in ("p2_rbm_states", "p2_rbm_M", "p2_rbm_status", "p2_km_status", "p2_km_largest",
                              "p2_rbm_largest", "p2_km_mean")} == {
        "p2_rbm_states": "2,000", "p2_rbm_M": "3,000", "p2_rbm_status": "holds", "p2_km_status": "is inconclusive",
        "p2_km_largest": "7", "p2_rbm_largest": "77", "p2_km_mean": "1.5"}
    # the reasons are the rule's own, on each partition
    assert t["p2_rbm_reason"] == power_law_verdict(HOLDS, rng=0).reason and t["p2_rbm_reason"].startswith("scale-free")
    assert t["p2_km_reason"] == power_law_verdict(km, rng=0).reason


def test_rbm_schedule_and_seeds_text():
    plain = [{"stuck": {"n_stuck": n}} for n in (29, 0, 12)]
    t = page.rbm_schedule_text("recommended", {"epochs": 20, "lr": 0.1, "lr_schedule": "linear"}, plain)
    assert t == {"p2_rbm_schedule": "RECOMMENDED_SCHEDULE: epochs = 20, lr = 0.1, lr_schedule = linear",
                 "p2_plain_stuck": "29, 0, 12"}
    for schedule, chosen in (("plain", {"epochs": 20}), ("recommended", {})):
        assert page.rbm_schedule_text(schedule, chosen, plain)["p2_rbm_schedule"] == "no schedule chosen yet: plain SGD"

    rbms = [{"n_states": 1966, "n_states_sampled": 2321, "stuck": {"n_stuck": 0}},
            {"n_states": 12, "n_states_sampled": 1005, "stuck": {"n_stuck": 3}}]
    V = {"P2.rbm_power_law_seeds": held(detail="2/2 seeds scale-free; seed 0: ..."),
         "P2.rbm_sampled_power_law": failed(), "P2.rbm_no_stuck_units": unsure()}
    assert page.rbm_seeds_text(rbms, V) == {
        "p2_rbm_seeds_n": "2", "p2_rbm_seeds_states": "1,966, 12", "p2_rbm_seeds_sampled": "2,321, 1,005",
        "p2_rbm_stuck": "0, 3", "p2_rbm_seeds_status": "holds", "p2_rbm_sampled_status": "does not hold",
        "p2_rbm_stuck_status": "is inconclusive", "p2_rbm_seeds_reason": "2/2 seeds scale-free"}
    # an inconclusive seed claim says its reason, not its detail
    V["P2.rbm_power_law_seeds"] = unsure("seed 1: a tail shorter than a decade", detail="1/2 seeds; ...")
    assert page.rbm_seeds_text(rbms, V)["p2_rbm_seeds_reason"] == "seed 1: a tail shorter than a decade"


def test_mlp_and_data_text():
    mlps = [{"epoch": 4, "accuracy": [0.5, 0.764]}, {"epoch": 12, "accuracy": [0.87]}]
    V = {"P2.mlp_power_law_every_layer": failed(0.5)}
    assert page.mlp_text(mlps, V) == {"p2_mlp_epoch": "4, 12", "p2_mlp_acc": "76.4%, 87.0%",
                                      "p2_mlp_ok": "1 of 2 seeds", "p2_mlp_status": "does not hold"}
    sub = {"dataset": "MNIST", "M": 3000, "source": "npz", "substitute_for": "emnist letters"}
    assert page.data_text(sub, "p2_ae", "EMNIST") == {
        "p2_ae_data": "MNIST, M = 3,000 (npz)", "p2_ae_is_sub": "the substitute is in use on this build"}
    real = {"dataset": "CIFAR-10", "M": 50000, "source": "files", "substitute_for": ""}
    assert page.data_text(real, "p2_conv", "CIFAR-10") == {
        "p2_conv_data": "CIFAR-10, M = 50,000 (files)", "p2_conv_is_sub": "CIFAR-10 was found; no substitute is in use"}


def test_autoencoder_fashion_and_conv_text():
    aes = [{"counts": [HOLDS, HOLDS, FAILS]}, {"counts": [OPEN, HOLDS, HOLDS]}]
    relu = [{"counts": [HOLDS, HOLDS, HOLDS]}, {"counts": [FAILS, FAILS, OPEN]}]
    V = {"P2.autoencoder_power_law": unsure(), "P2.relu_power_law": failed(),
         "P2.autoencoder_fashion_power_law": held(), "P2.conv_autoencoder_weaker_power_law": unsure()}
    assert page.autoencoder_text(aes, relu, V) == {"p2_ae_ok": "2, 2 of 3", "p2_relu_ok": "3, 0 of 3",
                                                   "p2_ae_status": "is inconclusive", "p2_relu_status": "does not hold"}
    assert page.fashion_text(relu, V) == {"p2_fae_ok": "3, 0 of 3", "p2_fae_status": "holds"}
    # singleton shares, mean over layers of #{k_s = 1} / M:
    # conv seed 0: layer [1, 1, 2] 2/4, layer [4] 0/4 -> 0.25; seed 1: [1, 1, 1, 1] 4/4 -> 1.00
    # dense: [1, 3] 1/4, [2, 2] 0/4, [1, 1, 2] 2/4 -> 0.25
    convs = [{"counts": [[1, 1, 2], [4]]}, {"counts": [[1, 1, 1, 1]]}]
    dense = [{"counts": [[1, 3], [2, 2], [1, 1, 2]]}]
    t = page.conv_text(convs, dense, V)
    assert t == {"p2_conv_single": "0.25, 1.00", "p2_ae_single": "0.25", "p2_conv_ok": "0, 0",
                 "p2_conv_status": "is inconclusive"}
    assert page.conv_text([{"counts": [HOLDS, FAILS, HOLDS]}, {"counts": [OPEN]}], dense, V)["p2_conv_ok"] == "2, 0"


def _ep(seed, checkpoints, accuracy, counts, updates=600):
    return {"seed": seed, "checkpoints": checkpoints, "accuracy": accuracy, "counts": counts,
            "updates_per_epoch": updates}


def test_epochs_text():
    untrained = [np.ones(2000, dtype=int), np.ones(27, dtype=int), np.ones(2, dtype=int)]
    eps = [_ep(3, [0, 1, 10], [0.1, 0.5, 0.876], [untrained, [HOLDS, HOLDS, FAILS], [HOLDS] * 3]),
           _ep(4, [0, 1, 10], [0.2, 0.6, 0.9], [untrained, [HOLDS] * 3, [HOLDS] * 3])]
    V = {"P2.power_law_at_any_accuracy": unsure("the run has checkpoints [0, 1, 10], not 1, 10 and 100"),
         "P2.untrained_shallow_layer_sometimes": unsure("no seed", detail="0/2 untrained seeds scale-free; seed 3 z1"),
         "P2.widening_codes_unique": held(detail="codes 2000, 2000; images 2000"),
         "P2.power_law_after_one_epoch": failed(0.5),
         "P2.untrained_deep_layers_collapse": failed(detail="largest deep-layer mean H[s] 3.51 bits; z1: ...")}
    assert page.epochs_text(eps, V) == {
        "p2_any_why": "the run has checkpoints [0, 1, 10], not 1, 10 and 100", "p2_any_status": "is inconclusive",
        "p2_ep_acc": "0.50, 0.88; 0.60, 0.90", "p2_ep0_seed": "3", "p2_ep0_states": "2000, 27, 2",
        "p2_ep1_ok": "2, 3 of 3", "p2_shallow": "0/2 untrained seeds scale-free",
        "p2_wide": "codes 2000, 2000; images 2000", "p2_collapse_detail": "largest deep-layer mean H[s] 3.51 bits",
        "p2_updates": "600", "p2_shallow_status": "is inconclusive", "p2_wide_status": "holds",
        "p2_ep1_status": "does not hold", "p2_collapse_status": "does not hold"}
    # a claim that is decided says how many seeds pass instead of a reason
    V["P2.power_law_at_any_accuracy"] = failed(0.5)
    assert page.epochs_text(eps, V)["p2_any_why"] == "1 of 2 seeds scale-free at every trained checkpoint"
    # a run without the epoch-1 checkpoint
    eps[1] = _ep(4, [0, 10], [0.2, 0.9], [untrained, [HOLDS] * 3])
    t = page.epochs_text(eps, V)
    assert t["p2_ep1_ok"] == "none" and t["p2_ep_acc"] == "0.50, 0.88; 0.90"


def test_threshold_seeds_and_architectures_text():
    # two thresholds x two layers: seed 0 has 3 pairs that hold, seed 1 has 1
    mlps = [{"thresholds": [0.3, 0.5], "counts": [[HOLDS, FAILS], [HOLDS, HOLDS]]},
            {"thresholds": [0.3, 0.5], "counts": [[OPEN, FAILS], [FAILS, HOLDS]]}]
    V = {"P2.threshold_insensitive": failed(0.0), "P2.architecture_robust": held(),
         "P2.seed_insensitive": unsure(detail="largest cv 0.242 (95% [0.108, 7.7]) vs < 0.2; z1: ..."),
         "P2.beta_depends_on_layer": held(0.535, detail="beta(z1) - beta(z3) = 0.535; z1: ...")}
    assert page.threshold_text(mlps, V) == {"p2_thr_ok": "3, 1 of 4", "p2_thr_status": "does not hold"}

    runs = [{"data": {"M": 5000}}]
    assert page.seeds_text(runs, 3, V) == {
        "p2_robust_M": "5,000", "p2_robust_epochs": "3", "p2_seed_detail": "largest cv 0.242 (95% [0.108, 7.7]) vs < 0.2",
        "p2_seed_status": "is inconclusive", "p2_layer_detail": "beta(z1) - beta(z3) = 0.535", "p2_layer_status": "holds"}

    # 1 + 2 hidden layers; seed 0: HOLDS | HOLDS, FAILS -> 2; seed 1: FAILS | OPEN, HOLDS -> 1
    archs = {(784, 70, 10): [{"counts": [[HOLDS]]}, {"counts": [[FAILS]]}],
             (784, 50, 30, 10): [{"counts": [[HOLDS, FAILS]]}, {"counts": [[OPEN, HOLDS]]}]}
    assert page.architectures_text(archs, V) == {"p2_arch_ok": "2, 1 of 3", "p2_arch_status": "holds"}


def test_beta_seed_groups():
    a, b, c, d = ([i] for i in range(4))
    mlps = [{"thresholds": [0.3, 0.5, 0.7], "counts": [a, b, c]}]
    eps = [_ep(0, [0, 1, 100], [0, 0, 0], ["e0", "e1", "e100"]), _ep(1, [0, 100], [0, 0], ["f0", "f100"])]
    g = page.beta_seed_groups(mlps, [{"counts": c}], [{"counts": d}], [{"counts": a}], eps)
    assert g == {"Fig. 1b": [b], "Fig. 1c": [c], "ReLU": [d], "Fig. 3": [a],
                 "Fig. 4, epoch 1": ["e1", []], "Fig. 4, epoch 100": ["e100", "f100"]}


def test_finite_size_text():
    def point(d, M, status="holds"):
        cid = "P2.rbm_power_law" if d == "mnist" else "P2.mlp_power_law_every_layer"
        return {"dataset": d, "M": M, "claims": {cid: {"status": status, "partitions": []}}}

    pts = [point("mnist", 1000, "inconclusive"), point("mnist", 2000), point("mnist", 3000),
           point("fashion", 2500), point("fashion", 60000)]
    assert page.finite_size_text(pts) == {
        "p2_finite_M": "MNIST: M = 1,000, 2,000, 3,000; Fashion-MNIST: M = 2,500, 60,000",
        "p2_finite_sentence": "Fig. 1a: RBM codes (MNIST): inconclusive at M = 1,000; holds at M = 2,000 and 3,000. "
                              "Fig. 1b: MLP (Fashion-MNIST): holds at M = 2,500 and 60,000."}
    # a data set with no point is left out
    assert page.finite_size_text(pts[3:])["p2_finite_M"] == "Fashion-MNIST: M = 2,500, 60,000"


def test_trained_counts_takes_each_trained_partition_once_in_order():
    rbm = {"counts_rbm": "rbm"}
    mlps = [{"thresholds": [0.5, 0.7], "counts": [["m0z1", "m0z2"], ["x", "x"]]},
            {"thresholds": [0.3, 0.5], "counts": [["x", "x"], ["m1z1", "m1z2"]]}]
    one = [{"counts": ["ae"]}]
    eps = [{"counts": [["untrained"], ["e1"], ["e10a", "e10b"]]}]
    runs = [{"counts": [["s"], ["x"]]}]
    archs = {(1, 2, 3): [{"counts": [["a0"], ["x"]]}, {"counts": [["a1"]]}]}
    got = page.trained_counts(rbm, mlps, one, [{"counts": ["relu"]}], [{"counts": ["fae"]}],
                              [{"counts": ["conv1", "conv2"]}], eps, runs, archs)
    assert got == ["rbm", "m0z1", "m0z2", "m1z1", "m1z2", "ae", "relu", "fae", "conv1", "conv2", "e1", "e10a",
                   "e10b", "s", "a0", "a1"]


def test_tails_text():
    tails = {"n": 69, "holds": 60, "fails": 0, "inconclusive": 9, "beats_exponential": 61, "strict_rejects": 1,
             "cutoff": 1}
    assert page.tails_text(tails) == {f"p2_tails_{k}": str(v) for k, v in tails.items()}
    with pytest.raises(KeyError):
        page.tails_text({"n": 1})


def _spec(cid, kind):
    return ClaimSpec(cid, kind, "a statement", "a value", "a threshold", "a reason")


def test_summary_text(tmp_path):
    rec = ClaimRecorder("P2", chapter="t", preset="smoke", directory=tmp_path)
    rec.declare_all([_spec("P2.b", "paper"), _spec("P2.a", "paper"), _spec("P2.c", "paper"),
                     _spec("P2.est", "estimator"), _spec("P2.d", "paper")])
    rec.record_all({"P2.b": held(), "P2.a": failed(), "P2.c": held(), "P2.est": unsure()})
    # declaration order; P2.d is not evaluated and is in no list
    assert page.summary_text(rec, 90.0, 2) == {
        "p2_held": "P2.b, P2.c", "p2_failed": "P2.a", "p2_open": "none",
        "p2_other": "P2.est (estimator): inconclusive", "p2_minutes": "1.5", "p2_n_tseeds": "2"}
    rec = ClaimRecorder("P2", chapter="u", preset="smoke", directory=tmp_path)
    rec.declare(_spec("P2.x", "paper"))
    rec.record("P2.x", unsure())
    t = page.summary_text(rec, 0.0, 1)
    assert (t["p2_held"], t["p2_failed"], t["p2_open"], t["p2_other"]) == ("none", "none", "P2.x", "none")


def test_full_claim_text_reads_the_claim_from_a_snapshot_document():
    from deepinfo.experiments.scale_invariance import page as pg

    claims = {"claims": [{"id": "P2.x", "status": "does not hold", "detail": "k-means, k = 5: holds, beta = 1.6; rest"},
                         {"id": "P2.y", "status": "holds", "detail": "one"}]}
    info = {"ran": True, "claims_file": claims, "provenance": {"commit": "0123456789ab"}, "stale": False}
    assert pg.full_claim_text(info, "P2.x", "the rule") == (
        "does not hold (commit 01234567; the rule: k-means, k = 5: holds, beta = 1.6)")
    assert pg.full_claim_text(info, "P2.y") == "holds (commit 01234567; recorded detail: one)"
    assert pg.full_claim_text({**info, "stale": True}, "P2.y") == (
        "holds (commit 01234567; the chapter's code has changed since; recorded detail: one)")
    assert pg.full_claim_text(info, "P2.z") == "not known: the full-preset snapshot does not record P2.z"
    assert pg.full_claim_text(None, "P2.x").startswith("not known: no full-preset snapshot")
    assert pg.full_claim_text({"ran": False, "reason": "GPU"}, "P2.x").startswith("not known: no full-preset")
