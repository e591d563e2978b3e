"""Every verdict function of the supplementary page (Figs. S2, S5, S6) on synthetic results with known answers."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from deepinfo.claims import KINDS
from deepinfo.experiments.resolution_relevance_supplement import PRESETS
from deepinfo.experiments.resolution_relevance_supplement import claims as c

HOLDS, FAILS, UNSURE = "holds", "does not hold", "inconclusive"


def test_claims_are_well_formed_and_their_figures_exist_on_the_page():
    ids = [s.id for s in c.CLAIMS]
    assert len(ids) == len(set(ids)) and all(s.kind in KINDS for s in c.CLAIMS)
    page = (Path(__file__).parents[1] / "book" / "resolution_relevance_supplement.md").read_text()
    assert {s.figure for s in c.CLAIMS} <= set(re.findall(r"name: (fig-p1-[\w-]+)", page))
    assert not re.search(r"record\(.*holds *= *.*[<>=]", page)
    for cid in ids:
        assert f'claims.record("{cid}"' in page


def test_deep_narrowing_generates_best():
    good = {c.DEEP: (5.0, 0.2, 6), "shallow": (2.0, 0.3, 2), "single RBM (30)": (1.0, 0.1, 1)}
    assert c.deep_narrowing_generates_best(good).status == HOLDS
    bad = dict(good, shallow=(9.0, 0.3, 2))
    v = c.deep_narrowing_generates_best(bad)
    assert v.status == FAILS and v.value == pytest.approx(-4.0)
    close = dict(good, shallow=(4.8, 0.3, 2))                     # 0.2 +/- 0.36 x 1.96: straddles 0
    assert c.deep_narrowing_generates_best(close).status == UNSURE
    one = {c.DEEP: (5.0, float("nan"), 6), "shallow": (2.0, float("nan"), 2)}
    assert c.deep_narrowing_generates_best(one).status == UNSURE  # one realisation: no spread
    with pytest.raises(ValueError):
        c.deep_narrowing_generates_best({"shallow": (1.0, 0.1, 1)})


def test_other_networks_lower_relevance():
    deep = np.array([[3.0, 6.0, 4.0], [3.2, 6.2, 4.1]])
    low = np.array([[2.0, 3.0], [2.1, 3.1]])
    assert c.other_networks_lower_relevance({c.DEEP: deep, "shallow": low, "single": low[:, :1]}).status == HOLDS
    assert c.other_networks_lower_relevance({c.DEEP: low, "shallow": deep}).status == FAILS
    noisy = np.array([[5.0, 6.5], [5.0, 5.7]])                    # peaks 6.5, 5.7 around the deep 6.1
    assert c.other_networks_lower_relevance({c.DEEP: deep, "shallow": noisy}).status == UNSURE


def pl(status, beta=1.0):
    from deepinfo.estimators import PowerLawVerdict

    return PowerLawVerdict(status=status, reason=f"the rule says {status}", beta=beta, beta_se=0.05,
                           beta_ci=(beta - 0.1, beta + 0.1), k_min=2, k_max=400, n_states=900, n_tail=250,
                           n_distinct_k=12, decades=2.3, evidence={})


def test_discriminative_power_laws():
    three = lambda a, b, d: {"MLP (sigmoid)": (50, pl(a)), "MLP (ReLU)": (20, pl(b)), "CNN": (10, pl(d))}  # noqa: E731
    v = c.discriminative_power_laws(three("holds", "holds", "holds"))
    assert v.status == HOLDS and v.value == 3 and v.threshold_value == 3 and "N_H = 20" in v.detail
    v = c.discriminative_power_laws(three("holds", "fails", "inconclusive"))
    assert v.status == FAILS and v.value == 1                    # one failure decides; one model holds
    v = c.discriminative_power_laws(three("holds", "inconclusive", "holds"))
    assert v.status == UNSURE and "MLP (ReLU)" in v.reason and v.value == 2
    v = c.discriminative_power_laws(three("fails", "fails", "fails"))
    assert v.status == FAILS and v.value == 0


def test_sparse_rbm_power_laws_tests_each_penalty_at_its_largest_H_s_plus_H_k():
    rng = np.random.default_rng(0)
    zipf = np.maximum(1, (2000 / np.arange(1, 2001)).astype(int))     # k_s ~ 1/s: m_k ~ k^-2, beta = 1
    geometric = rng.geometric(0.2, 3000)                               # a characteristic scale
    row = lambda lam, hs, hk, counts: {"lambda": lam, "H_s": hs, "H_k": hk, "counts": counts}  # noqa: E731
    s4 = {"connectivity": [row(0.0, 9.0, 9.0, geometric), row(0.1, 8.0, 4.0, zipf), row(1.0, 2.0, 1.0, geometric)],
          "activity": [row(0.0, 9.0, 9.0, geometric), row(0.1, 3.0, 1.0, geometric), row(0.5, 7.0, 4.0, zipf)]}
    v = c.sparse_rbm_power_laws(s4)
    assert v.status == HOLDS and v.value == 2 and v.threshold_value == 2    # lambda = 0 rows never enter
    assert "connectivity, lambda = 0.1" in v.detail and "activity, lambda = 0.5" in v.detail
    s4["activity"][2]["counts"] = geometric
    v = c.sparse_rbm_power_laws(s4)
    assert v.status == FAILS and v.value == 1
    with pytest.raises(ValueError):
        c.sparse_rbm_power_laws({"connectivity": [row(0.0, 1, 1, zipf)], "activity": []})


def test_discriminative_power_laws_on_the_real_rule():
    from deepinfo.estimators import power_law_verdict

    rng = np.random.default_rng(0)
    geometric = power_law_verdict(rng.geometric(0.2, 3000))       # a characteristic scale: the rule fails it
    v = c.discriminative_power_laws({"a": (5, geometric)})
    assert v.status == FAILS


def test_vae_optimal_latent_dimension():
    n_z = [1, 2, 5, 10, 500]
    err = np.full(5, 0.1)
    assert c.vae_optimal_latent_dimension(n_z, [0.5, 1.0, 3.0, 2.0, 0.8], err).status == HOLDS
    v = c.vae_optimal_latent_dimension(n_z, [0.5, 1.0, 1.2, 2.0, 4.0], err)
    assert v.status == FAILS and v.value == pytest.approx(-2.0)
    assert c.vae_optimal_latent_dimension(n_z, [0.5, 1.0, 1.1, 0.9, 1.0], err).status == UNSURE
    with pytest.raises(ValueError):
        c.vae_optimal_latent_dimension([1, 500], [1.0, 2.0], [0.1, 0.1])
    with pytest.raises(ValueError):
        c.vae_optimal_latent_dimension([5, 1, 500], [1.0, 2.0, 0.5], [0.1] * 3)


def test_scale_names_every_experiment():
    sc = c.scale(PRESETS["quick"])
    assert {"S1_S2", "S3", "S4", "S5", "S6", "setting"} <= set(sc)
    assert sc["S5"]["realisations"] == PRESETS["quick"].s5.n_realisations >= 2
    assert sc["S6"]["realisations"] == PRESETS["quick"].s6.n_realisations >= 2


def test_untrained_middle_layers():
    from deepinfo.estimators import max_relevance_curve

    M, L = 1024, 10
    cs, ck = max_relevance_curve(M)
    H_s = np.tile(np.array([10, 10, 9.8, 6.0, 4.0, 1.0, 0.5, 0, 0, 0], float), (3, 1))   # H4, H5 in the band
    on_curve = np.interp(H_s, cs, ck)
    holds = [["holds"] * L for _ in range(3)]
    v = c.untrained_middle_layers(H_s, on_curve, M, holds)
    assert v.status == "holds" and "H4, H5" in v.detail
    assert c.untrained_middle_layers(H_s, on_curve * 0.3, M, holds).status == "does not hold"   # far below
    fails = [["fails"] * L for _ in range(3)]
    assert c.untrained_middle_layers(H_s, on_curve, M, fails).status == "does not hold"
    some = [["holds"] * 4 + ["inconclusive"] + ["holds"] * 5 for _ in range(3)]
    assert c.untrained_middle_layers(H_s, on_curve, M, some).status == "inconclusive"
    ends = np.tile(np.array([10, 10, 9.9, 9.5, 1, 0.5, 0.2, 0, 0, 0], float), (3, 1))
    v = c.untrained_middle_layers(ends, np.interp(ends, cs, ck), M, holds)
    assert v.status == "inconclusive" and "no untrained layer" in v.reason
    one = c.untrained_middle_layers(H_s[:1], on_curve[:1], M, holds[:1])    # one realisation cannot decide
    assert one.status == "inconclusive"


def test_letters_critical_generates_best_is_undecided_on_a_substitute():
    R, L = 3, 10
    H_s = np.tile(np.linspace(10, 1, L), (R, 1))
    H_k = np.tile(-2 * np.abs(np.arange(L) - 5.0) + 12, (R, 1))     # H[s] + H[k] largest at H6 (index 5)
    crit = int(np.argmax(H_s[0] + H_k[0]))
    assert crit == 5
    good = np.ones((R, L))
    good[:, crit] = 3.0
    bad = np.ones((R, L))
    bad[:, 0] = 3.0
    assert c.letters_critical_generates_best(H_s, H_k, good, "OCR letters", False).status == "holds"
    assert c.letters_critical_generates_best(H_s, H_k, bad, "OCR letters", False).status == "does not hold"
    v = c.letters_critical_generates_best(H_s, H_k, good, "Fashion-MNIST 16x8", True)
    assert v.status == "inconclusive" and "substitute" in v.reason and "holds" in v.reason and v.value > 0
    noisy = np.ones((R, L))
    noisy[:, crit] = [3.0, 0.0, 1.0]
    assert c.letters_critical_generates_best(H_s, H_k, noisy, "OCR letters", False).status == "inconclusive"


def test_sparse_rbm_power_laws():
    rng = np.random.default_rng(0)
    zipf = np.unique(rng.zipf(2.0, 20000), return_counts=True)[1]        # a power law the rule accepts
    geo = rng.geometric(0.05, 3000)                                        # an exponential tail
    ones = np.ones(500, dtype=int)                                         # every image alone: no tail

    def s4(conn, act):
        rows = lambda best: [{"lambda": 0.0, "H_s": 99.0, "H_k": 99.0, "counts": zipf},   # lambda = 0 is ignored
                             {"lambda": 0.1, "H_s": 5.0, "H_k": 2.0, "counts": best},
                             {"lambda": 10.0, "H_s": 0.5, "H_k": 0.1, "counts": geo}]
        return {"connectivity": rows(conn), "activity": rows(act)}

    assert c.sparse_rbm_power_laws(s4(zipf, zipf)).status == "holds"
    assert c.sparse_rbm_power_laws(s4(zipf, geo)).status == "does not hold"
    assert c.sparse_rbm_power_laws(s4(zipf, ones)).status == "inconclusive"


def test_other_networks_power_laws():
    rng = np.random.default_rng(0)
    zipf = np.unique(rng.zipf(2.0, 20000), return_counts=True)[1]        # a power law the rule accepts
    geo = rng.geometric(0.05, 3000)                                        # an exponential tail

    def net(best_counts):           # 2 realisations, 3 layers; layer 2 (index 1) has the largest H[s] + H[k]
        return {"H_s": np.array([[9.0, 6.0, 1.0]] * 2), "H_k": np.array([[1.0, 5.0, 0.5]] * 2),
                "counts": [[geo, geo], [best_counts, best_counts], [geo, geo]]}

    s2 = {c.DEEP: net(geo), "shallow": net(zipf), "single RBM (30)": net(zipf)}
    v = c.other_networks_power_laws(s2)                                    # the deep network is not judged
    assert v.status == HOLDS and v.value == 4 and "shallow H2 r1" in v.detail
    s2["single RBM (30)"] = net(geo)
    assert c.other_networks_power_laws(s2).status == FAILS
    with pytest.raises(ValueError):
        c.other_networks_power_laws({c.DEEP: net(zipf)})


def test_letters_chance_part_needs_more_hits_than_chance():
    R, L = 2, 10
    H_s = np.tile(np.linspace(10, 1, L), (R, 1))
    H_k = np.tile(-2 * np.abs(np.arange(L) - 5.0) + 12, (R, 1))            # critical layer H6
    a = np.ones((R, L))
    a[:, 5] = [3.0, 3.0]
    v = c.letters_critical_generates_best(H_s, H_k, a, "OCR letters", False)
    assert v.status == HOLDS and "chance p = 0.01" in v.detail             # 2 of 2 hits: p = 0.1^2
    a[1, 5], a[1, 0] = 3.0, 3.5                                            # second realisation best at H1
    v = c.letters_critical_generates_best(H_s, H_k, a, "OCR letters", False)
    assert v.status != HOLDS
