"""benchmarks/book_parallel.py without executing the book: its claims comparison on documents with known
differences, and its orchestration with the runner replaced by a fake that writes claims (seconds, no kernel)."""
import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ["cheap_learning", "scale_invariance_ising"]


@pytest.fixture(scope="module")
def bp():
    spec = importlib.util.spec_from_file_location("book_parallel", ROOT / "benchmarks" / "book_parallel.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["book_parallel"] = mod  # dataclasses resolve their annotations through sys.modules
    spec.loader.exec_module(mod)
    yield mod
    sys.modules.pop("book_parallel", None)


def _doc(chapter, value=0.25, recorded_at="2026-01-01T00:00:00", extra_claim=False, sha="abc"):
    claims = [{"id": "A.one", "status": "holds", "value": value, "recorded_at": recorded_at,
               "uncertainty": {"se": 0.01, "lo": None}},
              {"id": "A.two", "status": "inconclusive", "value": math.nan, "recorded_at": recorded_at}]
    if extra_claim:
        claims.append({"id": "A.three", "status": "holds", "value": 1.0})
    return {"chapter": chapter, "preset": "smoke", "seed": 0, "claims": claims, "package_sha256": sha}


def test_identical_claims_and_recording_times_agree(bp):
    a = {"c": _doc("c", recorded_at="2026-01-01T00:00:00")}
    b = {"c": _doc("c", recorded_at="2026-06-30T12:34:56")}  # recorded later: allowed
    assert bp.compare_claims(a, b) == []  # NaN values in both: equal


def test_a_changed_value_is_reported_with_chapter_claim_and_both_values(bp):
    a, b = {"c": _doc("c", value=0.25)}, {"c": _doc("c", value=0.25 + 1e-15)}
    d = bp.compare_claims(a, b)
    assert len(d) == 1 and "c: claim A.one.value" in d[0] and "0.25 (serial)" in d[0]


def test_nested_uncertainty_int_float_and_nan_against_number_differ(bp):
    b = _doc("c")
    b["claims"][0]["uncertainty"]["se"] = 0.02
    b["claims"][1]["value"] = 0.0
    b["seed"] = 0.0  # same number, other type: JSON of the same code would not change it
    d = bp.compare_claims({"c": _doc("c")}, {"c": b})
    assert len(d) == 3
    assert any("A.one.uncertainty.se" in x for x in d) and any("A.two.value" in x for x in d)
    assert any("document.seed" in x for x in d)


def test_missing_chapter_claim_and_code_change_are_reported(bp):
    d = bp.compare_claims({"c": _doc("c"), "e": _doc("e")}, {"c": _doc("c", extra_claim=True, sha="xyz")})
    assert any(x.startswith("e: claims file only in the serial run") for x in d)
    assert any("claim ids differ" in x and "A.three" in x for x in d)
    assert any("package_sha256 differs" in x for x in d)


def test_plan_alternates_abba_and_honours_a_fixed_order(bp):
    assert bp.plan(3, "alternate") == [["serial", "workers"], ["workers", "serial"], ["serial", "workers"]]
    assert bp.plan(2, "serial-first") == [["serial", "workers"]] * 2
    assert bp.plan(1, "workers-first") == [["workers", "serial"]]


def test_without_run_it_exits_at_once_and_creates_nothing(bp, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DEEPINFO_BUILD_DIR", str(tmp_path / "_build"))
    assert bp.main([]) == 0
    assert "--run" in capsys.readouterr().out
    assert not (tmp_path / "_build").exists()


class FakeRunner:
    """Stands in for ``python -m deepinfo.run``: writes the claims and timings a runner would, returns set times."""

    def __init__(self, walls, differ=False, fail=None):
        self.walls, self.differ, self.fail, self.calls = dict(walls), differ, fail, []

    def __call__(self, argv, env, cwd, log, echo):
        workers = "--workers" in argv
        self.calls.append({"argv": argv, "env": env})
        build = Path(env["DEEPINFO_BUILD_DIR"])
        assert env["DEEPINFO_CACHE_DIR"] == str(build / "cache") and "DEEPINFO_CLAIMS_DIR" not in env
        assert sorted(p.name for p in build.iterdir()) == [".book_parallel"]  # a fresh folder
        (build / "cache").mkdir()
        (build / "claims").mkdir()
        chapters = argv[argv.index("deepinfo.run") + 1: argv.index("--preset")]
        for ch in chapters:
            value = 0.5 if (workers and self.differ) else 0.25
            (build / "claims" / f"{ch}.json").write_text(json.dumps(_doc(ch, value=value)))
        (build / "timings.json").write_text(json.dumps({ch: {"smoke": {"seconds": 1.0}} for ch in chapters}))
        log.write_text("fake\n")
        key = "workers" if workers else "serial"
        return (1 if self.fail == key else 0), self.walls[key], self.walls[key] * (1.9 if workers else 1.0)


def _main(bp, tmp_path, monkeypatch, fake, *extra):
    user_build = tmp_path / "user_build"
    monkeypatch.setenv("DEEPINFO_BUILD_DIR", str(user_build))
    monkeypatch.setattr(bp, "_execute", fake)
    monkeypatch.setattr(bp, "_warm_up", lambda python, cwd: 0.0)
    rc = bp.main(["--run", "--preset", "smoke", "--chapters", *CHAPTERS, "--dir", str(tmp_path / "bench"), *extra])
    stamps = list((tmp_path / "bench").iterdir())
    assert len(stamps) == 1
    return rc, stamps[0], user_build


def test_two_runs_in_fresh_folders_ratio_and_cleanup(bp, tmp_path, monkeypatch, capsys):
    fake = FakeRunner({"serial": 100.0, "workers": 40.0})
    rc, stamp, user_build = _main(bp, tmp_path, monkeypatch, fake)
    assert rc == 0
    serial, workers = fake.calls  # one pair, alternate: serial first
    assert "--workers" not in serial["argv"] and workers["argv"][-2:] == ["--workers", "2"]
    builds = {c["env"]["DEEPINFO_BUILD_DIR"] for c in fake.calls}
    assert len(builds) == 2 and all(Path(b).parent == stamp for b in builds)
    assert not any(Path(b).exists() for b in builds)  # removed without --keep
    assert (stamp / "logs").is_dir() and len(list((stamp / "claims").rglob("*.json"))) == 4
    # not the setting (smoke, a subset): results in the run folder, none in the user's build
    res = json.loads((stamp / "benchmarks" / "book_parallel.json").read_text())
    case = res["cases"][0]
    assert case["ours"] == 40.0 and case["baseline_value"] == 100.0 and case["ratio"] == pytest.approx(2.5)
    assert case["met"] is None and case["target_ratio"] is None
    assert not (user_build / "benchmarks").exists() and not (user_build / "cache").exists()
    assert "ratio 2.5x" in capsys.readouterr().out


def test_keep_keeps_the_build_folders_and_two_pairs_give_a_spread(bp, tmp_path, monkeypatch):
    fake = FakeRunner({"serial": 90.0, "workers": 60.0})
    rc, stamp, _ = _main(bp, tmp_path, monkeypatch, fake, "--keep", "--pairs", "2")
    assert rc == 0
    kinds = ["--workers" in c["argv"] for c in fake.calls]
    assert kinds == [False, True, True, False]  # ABBA
    assert all(Path(c["env"]["DEEPINFO_BUILD_DIR"]).is_dir() for c in fake.calls)
    res = json.loads((stamp / "benchmarks" / "book_parallel.json").read_text())
    assert res["details"]["ratio_mean_se"] == {"mean": pytest.approx(1.5), "se": pytest.approx(0.0), "n": 2}


def test_different_claims_fail_and_keep_the_folders(bp, tmp_path, monkeypatch, capsys):
    fake = FakeRunner({"serial": 100.0, "workers": 40.0}, differ=True)
    rc, stamp, _ = _main(bp, tmp_path, monkeypatch, fake)
    out = capsys.readouterr().out
    assert rc == 1 and "DIFFER" in out and "A.one.value: 0.25 (serial) != 0.5 (workers)" in out
    assert json.loads((stamp / "benchmarks" / "book_parallel.json").read_text())["cases"][0]["met"] is False
    assert all(Path(c["env"]["DEEPINFO_BUILD_DIR"]).is_dir() for c in fake.calls)


def test_a_failed_run_writes_no_result_and_exits_1(bp, tmp_path, monkeypatch):
    fake = FakeRunner({"serial": 100.0, "workers": 40.0}, fail="workers")
    rc, stamp, _ = _main(bp, tmp_path, monkeypatch, fake)
    assert rc == 1 and not (stamp / "benchmarks").exists()


def test_bad_arguments_exit_2(bp, tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPINFO_BUILD_DIR", str(tmp_path / "_build"))
    for bad in (["--preset", "huge"], ["--chapters", "no_such_chapter"], ["--workers", "1"], ["--pairs", "0"]):
        with pytest.raises(SystemExit) as e:
            bp.main(["--run", "--dir", str(tmp_path / "bench"), *bad])
        assert e.value.code == 2
    assert not (tmp_path / "bench").exists() and not (tmp_path / "_build").exists()
