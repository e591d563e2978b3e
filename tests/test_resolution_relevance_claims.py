"""Every verdict function of the resolution-relevance chapter on synthetic results with known answers."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from deepinfo.claims import KINDS, Verdict
from deepinfo.estimators import max_relevance_curve
from deepinfo.experiments.resolution_relevance import claims as c

HOLDS, FAILS, UNSURE = "holds", "does not hold", "inconclusive"
L = 10


def layers_peaking_at(peak: int, R: int = 3, L: int = L) -> np.ndarray:
    """(R, L) values rising to ``peak`` (1-based) and falling after it."""
    x = -np.abs(np.arange(1, L + 1) - peak).astype(float)
    return np.tile(x, (R, 1)) + 10.0


# ----------------------------------------------------------------------------------- the list
def test_claims_are_well_formed_and_their_figures_exist_on_the_page():
    ids = [s.id for s in c.CLAIMS]
    assert len(ids) == len(set(ids))
    assert all(s.kind in KINDS for s in c.CLAIMS)
    kinds = {s.id: s.kind for s in c.CLAIMS}
    assert kinds["P1.resolution_decreases_with_depth"] == "sanity"
    assert kinds["P1.error_grows_with_depth"] == "sanity"
    assert sum(k == "paper" for k in kinds.values()) == 13
    assert kinds["P1.trained_layers_not_stuck"] == "estimator"
    page = (Path(__file__).parents[1] / "book" / "resolution_relevance.md").read_text()
    labels = set(re.findall(r"name: (fig-p1-[\w-]+)", page))
    assert {s.figure for s in c.CLAIMS} <= labels
    assert not re.search(r"record\(.*holds *= *.*[<>=]", page)


# ----------------------------------------------------------------------------------- sanity
def test_resolution_falls_is_exact():
    H = np.tile(np.linspace(12, 1, L), (2, 1))
    v = c.resolution_falls(H)
    assert v.status == HOLDS and v.uncertainty.exact
    H[1, 4] = H[1, 3] + 0.5
    v = c.resolution_falls(H)
    assert v.status == FAILS and v.value == pytest.approx(0.5)


def test_error_grows_is_exact():
    e = np.tile(np.linspace(0, 0.8, L), (2, 1))
    assert c.error_grows(e).status == HOLDS
    e[0, 5] = e[0, 4] - 0.1
    v = c.error_grows(e)
    assert v.status == FAILS and v.value == pytest.approx(0.1)


# ------------------------------------------------------------------------------------- Fig. 2a
def test_relevance_peak_against_the_papers_H8():
    assert c.relevance_peak(layers_peaking_at(8)).status == HOLDS
    v = c.relevance_peak(layers_peaking_at(2))
    assert v.status == FAILS and v.value == 2
    mixed = np.stack([layers_peaking_at(p, R=1)[0] for p in (6, 8, 10)])  # mean 8, se 1.15: straddles [7, 9]
    assert c.relevance_peak(mixed).status == UNSURE
    one = c.relevance_peak(layers_peaking_at(8, R=1))  # a single realisation has no spread
    assert one.status == UNSURE and "one realisation" in one.reason


def test_near_bound_on_and_far_below_the_curve():
    M = 1000
    cs, ck = max_relevance_curve(M)
    idx = np.linspace(len(cs) - 1, len(cs) // 3, 6).astype(int)      # six vertices of the curve, high H[s] first
    on = np.tile(cs[idx], (2, 1)), np.tile(ck[idx], (2, 1))
    v = c.near_bound(*on, M, curve=(cs, ck))
    assert v.status == HOLDS and abs(v.value) < 1e-9
    below = on[0], np.zeros_like(on[1])
    assert c.near_bound(*below, M, curve=(cs, ck)).status == FAILS
    mixed_hk = np.stack([ck[idx], np.zeros(6)])                      # one realisation on, one far below
    assert c.near_bound(on[0], mixed_hk, M, curve=(cs, ck)).status == UNSURE
    assert c.near_bound(*on, M).status == HOLDS                      # computes the curve itself


def test_above_kmeans():
    km_s, km_k = np.linspace(2, 10, 5), np.array([1.0, 1.5, 2.0, 1.5, 1.0])
    H_s = np.tile(np.linspace(11, 1, L), (3, 1))
    base = np.interp(H_s, km_s, km_k)
    assert c.above_kmeans(H_s, base + 1.0, km_s, km_k).status == HOLDS
    assert c.above_kmeans(H_s, base - 1.0, km_s, km_k).status == FAILS
    mixed = base + np.array([[1.0], [-1.0], [0.2]])
    assert c.above_kmeans(H_s, mixed, km_s, km_k).status == UNSURE
    out_of_range = c.above_kmeans(np.full((3, L), 20.0), np.ones((3, L)), km_s, km_k)
    assert out_of_range.status == UNSURE and out_of_range.value is None


def test_controls_at_extremes():
    M = 1024                                                        # log2 M = 10 bits
    ends = np.tile([10, 10, 9.9, 9.5, 1, 0.5, 0.2, 0, 0, 0], (3, 1)).astype(float)
    middle = np.full((3, L), 5.0)
    assert c.controls_at_extremes(ends, ends, M).status == HOLDS
    assert c.controls_at_extremes(ends, middle, M).status == FAILS
    shaky = np.stack([middle[0], ends[0], ends[0]])                  # share 1, 0, 0: mean 1/3 +/- 0.65
    assert c.controls_at_extremes(ends, shaky, M).status == UNSURE


def test_bitswitched_at_extremes():
    M = 1024
    ends = np.tile([10, 10, 9.9, 9.5, 1, 0.5, 0.2, 0, 0, 0], (3, 1)).astype(float)
    middle = np.full((3, L), 5.0)
    assert c.bitswitched_at_extremes(ends, M).status == HOLDS
    assert c.bitswitched_at_extremes(middle, M).status == FAILS
    assert c.bitswitched_at_extremes(np.stack([middle[0], ends[0], ends[0]]), M).status == UNSURE
    assert c.bitswitched_at_extremes(ends[:1], M).status == UNSURE      # one realisation cannot decide


def test_stuck_layers():
    none = np.zeros((3, L))
    assert c.stuck_layers(none).status == HOLDS
    many = none.copy()
    many[:, 9] = 0.4                                                 # 2 of the 5 units of H10 stuck
    v = c.stuck_layers(many)
    assert v.status == FAILS and v.value == pytest.approx(0.4) and "H10" in v.detail
    shaky = none.copy()
    shaky[:, 4] = [0.0, 0.0, 0.3]                                    # mean 0.1 +/- 0.2: straddles 10%
    assert c.stuck_layers(shaky).status == UNSURE


def test_kmeans_not_power_law_over_restarts():
    pl = _plv
    assert c.kmeans_not_power_law_restarts([pl("fails")] * 3, 683).status == HOLDS
    v = c.kmeans_not_power_law_restarts([pl("fails", 1.5), pl("fails", 2.0)], 683)
    assert v.value == 1.5 and "2 restarts" in v.detail                # the value is restart 0's beta
    assert c.kmeans_not_power_law_restarts([pl("fails"), pl("holds"), pl("fails")], 683).status == FAILS
    v = c.kmeans_not_power_law_restarts([pl("fails"), pl("inconclusive"), pl("fails")], 683)
    assert v.status == UNSURE and "restart 1" in v.reason
    assert c.kmeans_not_power_law_restarts([pl("holds")], 683).status == FAILS


# --------------------------------------------------------------------------------- power laws
def test_trained_power_laws():
    grid = [["inconclusive"] * 2 + ["holds"] * 7 + ["inconclusive"] for _ in range(3)]
    v = c.trained_power_laws(grid)
    assert v.status == HOLDS and v.value == 1.0
    bad = [row[:] for row in grid]
    bad[0][5] = bad[1][5] = "fails"                                  # H6 fails in 2 of 3 realisations
    assert c.trained_power_laws(bad).status == FAILS
    unsure = [row[:] for row in grid]
    unsure[2][8] = "inconclusive"                                    # H9 undecided in one realisation
    assert c.trained_power_laws(unsure).status == UNSURE
    minority = [row[:] for row in grid]
    minority[1][2] = "fails"                                         # H3 fails in 1 of 3: not decided
    assert c.trained_power_laws(minority).status == UNSURE
    verdict_objects = [[SimpleNamespace(status=s) for s in row] for row in grid]
    assert c.trained_power_laws(verdict_objects).status == HOLDS
    with pytest.raises(ValueError):
        c.trained_power_laws([["maybe"] * L])


def test_beta_falls():
    usable = np.ones((3, L), bool)
    falling = np.tile(np.linspace(3, 0.3, L), (3, 1))
    assert c.beta_falls(falling, usable).status == HOLDS
    assert c.beta_falls(falling[:, ::-1], usable).status == FAILS
    mixed = np.stack([falling[0], falling[0][::-1], falling[0]])     # rho = -1, +1, -1
    assert c.beta_falls(mixed, usable).status == UNSURE
    few = np.zeros((3, L), bool)
    few[:, :2] = True
    v = c.beta_falls(falling, few)
    assert v.status == UNSURE and v.value is None
    with_nan = falling.copy()
    with_nan[:, 0] = np.nan                                          # NaN betas are ignored, not fatal
    assert c.beta_falls(with_nan, usable).status == HOLDS


def _plv(status, beta=1.0):
    from deepinfo.estimators import PowerLawVerdict

    return PowerLawVerdict(status=status, reason=f"rule says {status}", beta=beta, beta_se=0.1,
                           beta_ci=(beta - 0.2, beta + 0.2), k_min=2, k_max=300, n_states=800, n_tail=200,
                           n_distinct_k=7, decades=2.2, evidence={})


def test_kmeans_not_power_law_reads_the_rule_the_other_way():
    v = c.kmeans_not_power_law(_plv("fails"), 4096)
    assert v.status == HOLDS and v.value == 1.0
    assert v.uncertainty.interval(v.value) == pytest.approx((0.8, 1.2))          # beta's bootstrap interval
    assert c.kmeans_not_power_law(_plv("holds"), 4096).status == FAILS
    v = c.kmeans_not_power_law(_plv("inconclusive"), 4096)
    assert v.status == UNSURE and "rule says" in v.reason
    assert c.kmeans_not_power_law(_plv("inconclusive", float("nan")), 4096).status == UNSURE
    v = c.kmeans_not_power_law(_plv("fails", float("nan")), 4096)              # decided without an exponent
    assert v.status == HOLDS and v.value == 7 and v.uncertainty.exact
    with pytest.raises(ValueError):
        c.kmeans_not_power_law(SimpleNamespace(status="maybe"), 4096)


def test_kmeans_not_power_law_on_the_real_rule():
    from deepinfo.estimators import power_law_verdict

    rng = np.random.default_rng(0)
    geometric = rng.geometric(0.2, 3000)                             # a characteristic scale
    assert c.kmeans_not_power_law(power_law_verdict(geometric), 256).status == HOLDS
    ones = np.ones(500, int)                                         # every state seen once
    assert c.kmeans_not_power_law(power_law_verdict(ones), 256).status == UNSURE


def test_zipf_at_critical():
    H_s = np.tile(np.linspace(10, 1, L), (3, 1))
    H_k = np.tile(np.zeros(L), (3, 1))
    H_k[:, 2] = 5.0                                                  # largest H[s] + H[k] at H3
    beta = np.tile(np.linspace(3, 0.3, L), (3, 1))
    beta[:, 2] = 1.0
    assert c.zipf_at_critical(H_s, H_k, beta).status == HOLDS
    beta2 = beta.copy()
    beta2[:, 2] = 2.0
    assert c.zipf_at_critical(H_s, H_k, beta2).status == FAILS
    beta3 = beta.copy()
    beta3[:, 2] = [0.7, 1.3, 1.0]                                    # mean 1, interval [0.66, 1.34]
    assert c.zipf_at_critical(H_s, H_k, beta3).status == UNSURE
    beta4 = beta.copy()
    beta4[:, 2] = np.nan                                             # no accepted power law there
    v = c.zipf_at_critical(H_s, H_k, beta4, bound_beta=beta)
    assert v.status == UNSURE and v.value is None
    assert list(c.critical_layers(H_s, H_k)) == [3, 3, 3]


def test_generation_at_critical():
    H_s = np.tile(np.linspace(10, 1, L), (3, 1))
    H_k = np.zeros((3, L))
    H_k[:, 5] = 8.0                                                  # critical layer H6
    ab = np.tile(np.linspace(1, 2, L), (3, 1))
    good = ab.copy()
    good[:, 5] = 5.0
    assert c.generation_at_critical(H_s, H_k, good).status == HOLDS
    assert c.generation_at_critical(H_s, H_k, ab).status == FAILS    # H10 generates best
    mixed = good.copy()
    mixed[1, 5] = 0.0
    assert c.generation_at_critical(H_s, H_k, mixed).status == UNSURE


def test_trained_cover_middle_against_both_controls():
    M = 1024                                                         # log2 M = 10: the band is 2.5..7.5 bits
    spread = np.tile(np.linspace(10, 0.5, L), (3, 1))                # 5 of 10 layers in the band
    ends = np.tile([10, 10, 9.9, 9.5, 1, 0.5, 0.2, 0, 0, 0], (3, 1)).astype(float)   # none in the band
    v = c.trained_cover_middle(spread, ends, ends, M)
    assert v.status == HOLDS and v.value == pytest.approx(0.5)
    assert c.trained_cover_middle(ends, ends, spread, M).status == FAILS         # the shuffled one spreads more
    same = c.trained_cover_middle(spread, spread, ends, M)                       # no better than untrained
    assert same.status == FAILS and same.value == pytest.approx(0.0)
    noisy = spread.copy()
    noisy[1:] = ends[1:]                                             # two realisations of three without middle
    assert c.trained_cover_middle(noisy, ends, ends, M).status == UNSURE


def test_untrained_more_error_is_the_sign_of_the_paired_difference():
    tr = np.tile(np.linspace(0, 0.8, L), (3, 1))
    un = tr + np.array([[0.1], [0.12], [0.08]])
    v = c.untrained_more_error(tr, un)
    assert v.status == HOLDS and v.value == pytest.approx(0.1)
    assert c.untrained_more_error(un, tr).status == FAILS
    mixed = tr + np.array([[0.1], [-0.1], [0.02]])
    assert c.untrained_more_error(tr, mixed).status == UNSURE


def test_error_small_then_large():
    e = np.tile(np.r_[np.zeros(6) + 0.02, [0.2, 0.4, 0.5, 0.7]], (3, 1))
    assert c.error_small_then_large(e).status == HOLDS
    late = e.copy()
    late[:, 5] = 0.4                                                 # H6 not small
    assert c.error_small_then_large(late).status == FAILS
    shaky = e.copy()
    shaky[:, -1] = [0.1, 0.5, 0.35]                                  # H10 mean 0.32, interval straddles 0.3
    v = c.error_small_then_large(shaky)
    assert v.status == UNSURE and "H10" in v.reason


def test_all_of():
    ok = Verdict("holds", 1.0, c._unc([1.0, 1.0]))
    bad = Verdict("does not hold", 2.0, c._unc([2.0, 2.0]))
    maybe = c.inconclusive("why not", 3.0, c._unc([1.0, 5.0]))
    assert c.all_of([("a", ok), ("b", ok)], value_from=0).status == HOLDS
    assert c.all_of([("a", ok), ("b", bad), ("c", maybe)], value_from=1).value == 2.0
    assert c.all_of([("a", ok), ("b", bad), ("c", maybe)], value_from=0).status == FAILS
    v = c.all_of([("a", ok), ("c", maybe)], value_from=0)
    assert v.status == UNSURE and "c: why not" in v.reason


# ------------------------------------------------------------------------------------ wiring
def synthetic_result(R: int = 3) -> dict:
    """A result shaped like run(): a DBN that does everything the paper says, a k-means with no power law."""
    M = 1024
    cs, ck = max_relevance_curve(M)
    H_s = np.tile(np.linspace(10, 0.5, L), (R, 1))
    H_k = np.interp(H_s, cs, ck)
    H_k[:, 7] += 0.0                                                 # on the curve everywhere
    beta = np.tile(np.linspace(2.5, 0.3, L), (R, 1))
    crit = int(np.argmax(H_s[0] + H_k[0]))
    beta[:, crit] = 1.0
    pl_status = [["holds"] * L for _ in range(R)]
    verdicts = [[SimpleNamespace(status=s, beta=beta[r, l], beta_se=0.05, evidence={}, k_min=1, n_tail=100,
                                 n_distinct_k=20, decades=2.0, reason="") for l, s in enumerate(row)]
                for r, row in enumerate(pl_status)]
    err = np.tile(np.r_[np.zeros(6), [0.2, 0.4, 0.5, 0.7]], (R, 1))
    ab = np.ones((R, L))
    ab[:, crit] = 3.0
    ends = np.tile([10, 10, 9.9, 9.5, 1, 0.5, 0.2, 0, 0, 0], (R, 1)).astype(float)
    km = {"H_s": np.array([2.0, 5.0, 9.0]), "H_k": np.array([0.2, 0.5, 0.3]), "k": np.array([4, 64, 512]),
          "fig2b_k": 512, "power_law": {"verdicts": [None, None, _plv("fails", 0.1)]}}
    km["fig2b_verdicts"] = [km["power_law"]["verdicts"][2]] * 3
    return {"M": M, "bound": (cs, ck),
            "trained": {"H_s": H_s, "H_k": H_k, "error": err,
                        "power_law": {"verdicts": verdicts, "beta": beta, "bound_beta": beta},
                        "stuck": np.zeros((R, L))},
            "untrained": {"H_s": ends, "error": np.tile(np.r_[np.zeros(4), np.full(6, 0.9)], (R, 1))},
            "shuffled": {"H_s": ends}, "flipped": {"H_s": ends}, "kmeans": km,
            "generation": {"ability": ab}}


def test_evaluate_decides_every_declared_claim():
    res = synthetic_result()
    out = c.evaluate(res)
    assert set(out) == set(c.IDS)
    assert all(isinstance(v, Verdict) for v in out.values())
    expected_fail = {"P1.relevance_peaks_at_intermediate_layer"}    # H[k] on the curve peaks at mid H[s], not H8
    for cid, v in out.items():
        if cid in expected_fail:
            continue
        assert v.status == HOLDS, (cid, v.status, v.detail, v.reason)


def test_outcome_sentence_counts_paper_claims_only():
    specs = {s.id: s for s in c.CLAIMS}
    ok = Verdict("holds", 1.0, c._unc([1.0, 1.0]))
    verdicts = {i: ok for i in specs}
    text = c.outcome_sentence(specs, verdicts)
    assert "Of the paper's 13 claims tested here, 13 hold, 0 do not hold and 0 are inconclusive." in text
    assert "2 of the 2 sanity checks pass." in text


def test_finite_size_statistics_are_the_verdicts_of_the_m_dependent_claims():
    res = synthetic_result()
    fs = c.finite_size_statistics(res)
    ev = c.evaluate(res)
    assert set(fs) == set(c.FINITE_SIZE_CLAIMS) <= set(c.IDS)
    for cid, d in fs.items():
        assert d["status"] == ev[cid].status and d["value"] == pytest.approx(ev[cid].value)
        assert set(d) == {"value", "lo", "hi", "threshold", "status", "reason", "detail"}


def test_evaluate_variant_reads_the_variant_not_the_trained_dbn():
    res = synthetic_result()
    res["updates"] = dict(res["trained"], stuck=np.full((3, L), 0.5))
    out = c.evaluate_variant(res)
    assert out["P1.trained_layers_not_stuck"].status == FAILS
    assert out["P1.near_max_relevance_up_to_middle"].status == HOLDS


def test_power_law_claims_report_beta_tail_size_and_decades():
    """The report shows, for a power-law claim, beta with its interval, the tail's size and its decades."""
    import numpy as np

    from deepinfo.estimators import power_law_verdict
    from deepinfo.experiments.resolution_relevance import claims as c

    k = np.arange(1, 2001)
    v = power_law_verdict(np.repeat(k, np.round(2e4 * k ** -2.0).astype(int)))
    layers = max(c.POWER_LAW_LAYERS)
    out = c.trained_power_laws([[v] * layers, [v] * layers])
    assert out.status == "holds" and "beta = " in out.detail and "states" in out.detail and "decades" in out.detail
    assert set(out.extra["per_partition"]) == {f"H{l} realisation {r}" for r in (0, 1) for l in c.POWER_LAW_LAYERS}
