"""The claim model: three-way decisions with uncertainty, claim kinds, and the JSON every chapter writes."""
import json
import math
import multiprocessing as mp

import numpy as np
import pytest

from deepinfo.claims import (KINDS, STATUSES, ClaimRecorder, ClaimSpec, Uncertainty, Verdict, compare,
                             exact_check, inconclusive, load_claims, within)
from deepinfo.estimators import mutual_information_table, relevance_gap
from deepinfo.stats import bootstrap_interval, mean_se


def spec(id="P1.a", kind="paper", **kw):
    base = dict(statement="s", paper_value="v", threshold="x > 0", threshold_reason="the paper says positive")
    return ClaimSpec(id=id, kind=kind, **{**base, **kw})


# -- decisions: each rule is calibrated on inputs whose answer is known --------------------------------------------
@pytest.mark.parametrize("value,se,side,thr,expected", [
    (1.0, 0.1, ">", 0.5, "holds"),           # interval [0.80, 1.20] above 0.5
    (0.2, 0.1, ">", 0.5, "does not hold"),   # interval [0.00, 0.40] below 0.5
    (0.5, 0.1, ">", 0.5, "inconclusive"),    # straddles
    (0.2, 0.1, "<", 0.5, "holds"),
    (1.0, 0.1, "<", 0.5, "does not hold"),
    (0.45, 0.1, "<", 0.5, "inconclusive"),
])
def test_compare_three_ways(value, se, side, thr, expected):
    v = compare(value, Uncertainty("standard error over 5 realisations", se=se, n=5), thr, side)
    assert v.status == expected
    assert v.threshold_value == thr
    if expected == "inconclusive":
        assert "straddles" in v.reason


def test_compare_with_unknown_spread_is_inconclusive_unless_exact():
    one = Uncertainty.from_samples([0.9], over="realisations")  # a single realisation: se is nan
    assert math.isnan(one.se)
    assert compare(0.9, one, 0.5).status == "inconclusive"
    assert compare(0.9, Uncertainty.of_exact("enumeration"), 0.5).status == "holds"
    assert compare(0.5, Uncertainty.of_exact("enumeration"), 0.5).status == "does not hold"  # not strictly above
    assert compare(0.4, Uncertainty.of_exact("closed form"), 0.5, "<").status == "holds"


def test_compare_uses_a_stored_interval():
    u = Uncertainty("bootstrap over states", lo=0.55, hi=2.0, level=0.95)
    assert compare(1.0, u, 0.5).status == "holds"
    assert compare(1.0, u, 0.6).status == "inconclusive"


@pytest.mark.parametrize("value,se,expected", [(1.0, 0.05, "holds"), (2.0, 0.1, "does not hold"),
                                               (1.18, 0.05, "inconclusive")])
def test_within(value, se, expected):
    assert within(value, Uncertainty("se over seeds", se=se), 0.8, 1.2).status == expected


def test_exact_check_and_inconclusive():
    assert exact_check(True, 0.0, "identity").status == "holds"
    assert exact_check(False, 1.0, "identity").status == "does not hold"
    v = inconclusive("tail of 3 distinct frequencies")
    assert v.status == "inconclusive" and v.value is None and v.holds is None


def test_verdicts_refuse_what_a_reader_could_not_trust():
    with pytest.raises(ValueError, match="reason"):
        Verdict("inconclusive", 1.0, Uncertainty.of_exact())
    with pytest.raises(ValueError, match="status"):
        Verdict("maybe", 1.0, Uncertainty.of_exact())
    with pytest.raises(ValueError, match="Uncertainty"):
        Verdict("holds", 1.0, None)
    with pytest.raises(ValueError, match="finite"):
        Verdict("holds", math.nan, Uncertainty.of_exact())
    with pytest.raises(ValueError, match="measured value"):
        Verdict("holds", None, None)
    with pytest.raises(ValueError, match="method"):
        Uncertainty("", se=0.1)
    with pytest.raises(ValueError, match="se, or both lo and hi"):
        Uncertainty("se over seeds")


def test_specs_name_their_kind_and_reason():
    assert KINDS == ("paper", "critique", "sanity", "estimator", "conjecture")
    with pytest.raises(ValueError, match="kind"):
        spec(kind="finding")
    with pytest.raises(ValueError, match="threshold_reason"):
        spec(threshold_reason=" ")
    with pytest.raises(ValueError, match="claim id"):
        spec(id="X.bad")


# -- the recorder and its JSON ------------------------------------------------------------------------------------
def test_recorder_writes_every_field_the_report_needs(tmp_path):
    rec = ClaimRecorder("P1", chapter="demo", preset="smoke", seed=3, overrides={"n_realisations": 2},
                        scale={"data": "MNIST (real)", "M": 100}, directory=tmp_path)
    rec.declare_all([spec("P1.a"), spec("P1.b", kind="sanity"), spec("P1.c", kind="critique")])
    assert rec.unevaluated() == ["P1.a", "P1.b", "P1.c"]
    rec.record("P1.a", compare(1.0, Uncertainty.from_samples([0.9, 1.0, 1.1], "realisations"), 0.5,
                               scale={"epochs": 5}))
    rec.record("P1.b", inconclusive("needs more epochs than this preset ran", 0.3, Uncertainty("se", se=np.nan)))
    doc = json.loads((tmp_path / "demo.json").read_text())  # strict JSON: a nan would not parse in other readers
    assert doc["seed"] == 3 and doc["overrides"] == {"n_realisations": 2} and doc["preset"] == "smoke"
    a, b, c = doc["claims"]
    for key in ("kind", "status", "reason", "uncertainty", "threshold", "threshold_reason", "scale", "value"):
        assert key in a
    assert a["status"] == "holds" and a["kind"] == "paper" and a["uncertainty"]["n"] == 3
    assert a["scale"] == {"preset": "smoke", "data": "MNIST (real)", "M": 100, "epochs": 5}
    assert b["status"] == "inconclusive" and b["reason"].startswith("needs more") and b["uncertainty"]["se"] is None
    assert c["status"] == "not evaluated"
    assert rec.counts("paper") == {"holds": 1, "does not hold": 0, "inconclusive": 0, "not evaluated": 0}
    assert load_claims(tmp_path)["demo"]["chapter"] == "demo"
    assert "P1.c" in repr(rec) and "inconclusive" in rec._repr_html_()


def test_recorder_refuses_bad_input(tmp_path):
    rec = ClaimRecorder("P3", chapter="demo", preset="full", directory=tmp_path)
    with pytest.raises(ValueError, match="paper 'P3'"):
        rec.declare(spec("P1.wrong_paper"))
    rec.declare(spec("P3.a"))
    with pytest.raises(ValueError, match="twice"):
        rec.declare(spec("P3.a"))
    with pytest.raises(KeyError, match="not declared"):
        rec.record("P3.never", exact_check(True, 1.0, "x"))
    with pytest.raises(TypeError, match="Verdict"):
        rec.record("P3.a", {"holds": True})
    with pytest.raises(ValueError, match="preset"):
        ClaimRecorder("P3", chapter="demo", preset="huge", directory=tmp_path)
    with pytest.raises(ValueError, match="seed"):
        ClaimRecorder("P3", chapter="demo", preset="full", seed="0", directory=tmp_path)


def _hammer(args):
    directory, worker = args
    rec = ClaimRecorder("P2", chapter="shared", preset="smoke", seed=worker, directory=directory)
    rec.declare_all([spec(f"P2.c{i}") for i in range(5)])
    for i in range(5):
        rec.record(f"P2.c{i}", exact_check(True, float(i), "x"))
    return worker


def test_two_processes_writing_one_claims_file_never_leave_it_broken(tmp_path):
    with mp.get_context("spawn").Pool(2) as pool:
        assert sorted(pool.map(_hammer, [(str(tmp_path), w) for w in range(4)])) == [0, 1, 2, 3]
    doc = json.loads((tmp_path / "shared.json").read_text())
    assert [c["status"] for c in doc["claims"]] == ["holds"] * 5
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


# -- the shared quantities ----------------------------------------------------------------------------------------
def test_mean_se_against_the_formula():
    x = np.array([1.0, 2.0, 4.0])
    m, se, n = mean_se(x)
    assert m == pytest.approx(7 / 3) and n == 3
    assert se == pytest.approx(np.sqrt(((x - 7 / 3) ** 2).sum() / 2 / 3))
    m2, se2, n2 = mean_se(np.array([[1.0, np.nan], [3.0, 5.0]]), axis=0)
    assert list(m2) == [2.0, 5.0] and list(n2) == [2, 1] and math.isnan(se2[1])
    with pytest.raises(ValueError, match="axis"):
        mean_se(x, axis=2)


def test_bootstrap_interval_covers_the_mean_and_is_reproducible():
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, 1.0, size=400)
    est, lo, hi = bootstrap_interval(x, rng=5)
    assert lo < est < hi and lo < 3.0 < hi
    assert (hi - lo) == pytest.approx(2 * 1.96 / np.sqrt(400), rel=0.25)  # normal theory width
    assert bootstrap_interval(x, rng=5) == (est, lo, hi)
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_interval(x, n_boot=10)
    with pytest.raises(ValueError, match="samples"):
        bootstrap_interval([1.0])


def test_mutual_information_table_exact_cases():
    assert mutual_information_table(np.eye(4) / 4) == pytest.approx(2.0)            # a copy of 2 bits
    assert mutual_information_table(np.full((3, 5), 1 / 15)) == pytest.approx(0.0)  # independent
    eps = 0.1  # binary symmetric channel, uniform input: 1 - h(eps)
    bsc = 0.5 * np.array([[1 - eps, eps], [eps, 1 - eps]])
    h = -(eps * np.log2(eps) + (1 - eps) * np.log2(1 - eps))
    assert mutual_information_table(bsc) == pytest.approx(1 - h)
    assert mutual_information_table(np.eye(2) / 2, base=np.e) == pytest.approx(np.log(2))
    with pytest.raises(ValueError, match="p_xy"):
        mutual_information_table(np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="sum to 1"):
        mutual_information_table(np.eye(2))


def test_relevance_gap_on_and_below_the_bound():
    from deepinfo.estimators import max_relevance_curve

    M = 64
    hs, hk = max_relevance_curve(M)
    assert np.allclose(relevance_gap(hs, hk, M, curve=(hs, hk)), 0.0)        # the vertices themselves
    assert relevance_gap([np.log2(M)], [0.0], M)[0] == pytest.approx(0.0)    # every sample distinct
    mid = len(hs) // 2
    assert relevance_gap([hs[mid]], [hk[mid] - 0.25], M)[0] == pytest.approx(0.25)
    with pytest.raises(ValueError, match="normalised by log M"):
        relevance_gap([7.0], [0.0], M)  # above log2 64 = 6 bits


def test_statuses_are_the_three_outcomes():
    assert STATUSES == ("holds", "does not hold", "inconclusive")


def test_wilson_interval_known_values():
    from deepinfo.stats import wilson_interval

    lo, hi = wilson_interval(5, 10)  # symmetric about 1/2
    assert lo == pytest.approx(1 - hi) and lo == pytest.approx(0.2366, abs=1e-4)  # Wilson 1927 / standard tables
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(11, 10)


def test_atomic_writes_leave_no_temporary_file_and_follow_the_umask(tmp_path):
    import os
    import stat

    from deepinfo.atomic import FILE_MODE, atomic_write, atomic_write_json

    p = atomic_write_json(tmp_path / "a" / "doc.json", {"x": 1})
    assert json.loads(p.read_text()) == {"x": 1}
    assert stat.S_IMODE(os.stat(p).st_mode) == FILE_MODE  # not mkstemp's owner-only 0600
    with pytest.raises(ValueError):  # strict JSON: a NaN is refused, and the old file stays
        atomic_write_json(p, {"x": float("nan")})
    with pytest.raises(RuntimeError):
        atomic_write(p, lambda f: (f.write(b"partial"), (_ for _ in ()).throw(RuntimeError("disk full"))))
    assert json.loads(p.read_text()) == {"x": 1} and sorted(x.name for x in p.parent.iterdir()) == ["doc.json"]


def test_numpy_values_in_a_verdict_reach_strict_json(tmp_path):
    rec = ClaimRecorder("P1", chapter="np", preset="smoke", directory=tmp_path)
    rec.declare(spec("P1.a"))
    rec.record("P1.a", exact_check(True, np.float64(1.0), "x", extra={"nan": np.float64("nan"), "arr": np.ones(2)}))
    doc = json.loads((tmp_path / "np.json").read_text())
    assert doc["claims"][0]["extra"] == {"nan": None, "arr": [1.0, 1.0]}
