import json
import math

import pytest

from deepinfo.claims import ClaimRecorder, load_claims
from deepinfo.report import render


def test_declare_record_and_file(tmp_path):
    rec = ClaimRecorder("P1", chapter="demo", preset="smoke", setting="M = 100", directory=tmp_path)
    rec.declare("P1.a_claim", "something holds", "yes")
    rec.declare("P1.b_claim", "something else", "3.0")
    assert rec.unevaluated() == ["P1.a_claim", "P1.b_claim"]
    rec.record("P1.a_claim", measured=1.0, holds=True, detail="it does")
    doc = json.loads((tmp_path / "demo.json").read_text())
    assert [c["status"] for c in doc["claims"]] == ["holds", "not evaluated"]
    assert load_claims(tmp_path)["demo"]["setting"] == "M = 100"
    page = render(load_claims(tmp_path))
    assert "not evaluated" in page and "1 of 2 claims hold at the smoke preset" in page


@pytest.mark.parametrize("bad", [math.nan, math.inf, None, "x"])
def test_measured_must_be_finite(tmp_path, bad):
    rec = ClaimRecorder("P2", chapter="demo", preset="quick", directory=tmp_path)
    rec.declare("P2.c", "s", "v")
    with pytest.raises(ValueError, match="P2.c"):
        rec.record("P2.c", measured=bad, holds=True)


def test_bad_ids_and_undeclared(tmp_path):
    rec = ClaimRecorder("P3", chapter="demo", preset="full", directory=tmp_path)
    with pytest.raises(ValueError, match="P3"):
        rec.declare("P1.wrong_paper", "s", "v")
    with pytest.raises(KeyError):
        rec.record("P3.never_declared", 1.0, True)
    with pytest.raises(ValueError, match="preset"):
        ClaimRecorder("P3", chapter="demo", preset="huge", directory=tmp_path)
