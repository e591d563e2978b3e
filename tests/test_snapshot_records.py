"""Full-preset snapshots beyond the claims: headline arrays, and the record of a full preset that did not run."""
import json

import numpy as np
import pytest

from deepinfo import snapshot
from deepinfo.claims import ClaimRecorder, ClaimSpec, exact_check
from deepinfo.report import full_results, render, summary_box


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPINFO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _full_claims(build_dir):
    rec = ClaimRecorder("P4", chapter="cheap_learning", preset="full", directory=build_dir / "claims" / "full")
    rec.declare(ClaimSpec(id="P4.a", kind="paper", statement="s", paper_value="v", threshold="t",
                          threshold_reason="r"))
    rec.record("P4.a", exact_check(True, 1.0, "x"))


def test_headline_arrays_round_trip_into_the_snapshot(build_dir, data_dir):
    x = np.linspace(0.0, 1.0, 7)
    path = snapshot.save_headline_arrays("cheap_learning", "full", {"x": x, "n": np.arange(3)})
    assert path == build_dir / "headline" / "full" / "cheap_learning.npz"
    assert snapshot.headline_arrays("cheap_learning") is None  # nothing committed yet
    _full_claims(build_dir)
    doc = json.loads(snapshot.write_snapshot("cheap_learning", command_wall_seconds=12.5).read_text())
    assert doc["headline"] == "cheap_learning.npz" and doc["ran"] is True
    assert doc["provenance"]["command_wall_seconds"] == 12.5
    got = snapshot.headline_arrays("cheap_learning")
    assert got["x"].dtype == np.float32 and np.allclose(got["x"], x) and got["n"].tolist() == [0, 1, 2]
    # a later snapshot of a run without headline arrays: the earlier file is no longer drawn
    snapshot.headline_path("cheap_learning", "full").unlink()
    assert "headline" not in json.loads(snapshot.write_snapshot("cheap_learning").read_text())
    assert (data_dir / "results" / "full" / "cheap_learning.npz").is_file()
    assert snapshot.headline_arrays("cheap_learning") is None
    with pytest.raises(ValueError, match="identifier"):
        snapshot.save_headline_arrays("cheap_learning", "full", {"not a name": x})
    with pytest.raises(ValueError, match="MiB"):  # incompressible arrays over the limit are refused
        big = np.random.default_rng(0).random(snapshot.MAX_HEADLINE_BYTES // 2)
        snapshot.save_headline_arrays("cheap_learning", "full", {"big": big})


def test_not_run_record_lists_units_and_never_replaces_a_run(build_dir, data_dir):
    path = snapshot.write_not_run("cheap_learning", "needs a GPU (test)")
    doc = json.loads(path.read_text())
    assert doc["ran"] is False and doc["reason"] == "needs a GPU (test)"
    assert len(doc["units"]) >= 1 and not any(u["computed"] for u in doc["units"])  # an empty cache
    assert doc["provenance"]["package_sha256"] == snapshot.package_hash("cheap_learning")
    with pytest.raises(ValueError, match="reason"):
        snapshot.make_not_run("cheap_learning", "  ")
    full = full_results(build_dir / "no-claims")
    assert full["cheap_learning"]["_not_run"]["reason"] == "needs a GPU (test)"
    # the page's summary box and the report say so, with the count of units computed
    rec = ClaimRecorder("P4", chapter="cheap_learning", preset="quick", directory=build_dir / "claims")
    rec.declare(ClaimSpec(id="P4.a", kind="paper", statement="s", paper_value="v", threshold="t",
                          threshold_reason="r"))
    rec.record("P4.a", exact_check(True, 1.0, "x"))
    box = summary_box(rec.to_dict(), full["cheap_learning"])
    assert "Not run at `full` here: needs a GPU (test)" in box
    page = render({"cheap_learning": rec.to_dict()}, full)
    assert "**Not run at the full preset**" in page and f"Of its {len(doc['units'])} units of work, 0 are" in page
    assert "full preset |" not in page  # no full column of empty cells
    # a real full run's snapshot replaces the record; a record never replaces a run
    _full_claims(build_dir)
    snapshot.write_snapshot("cheap_learning")
    with pytest.raises(ValueError, match="never replaces"):
        snapshot.write_not_run("cheap_learning", "again")
    assert snapshot.main(["cheap_learning", "--not-run", "again"]) == 1
