"""The supplement's audit (claims.AUDIT): every claim of the page is listed, every untested statement says
why, claims said to be decided on the main page exist there, and the page shows the table."""
from __future__ import annotations

from pathlib import Path

from deepinfo.claims import Uncertainty, Verdict
from deepinfo.experiments.resolution_relevance import claims as main_claims
from deepinfo.experiments.resolution_relevance_supplement import claims as c
from deepinfo.experiments.resolution_relevance_supplement import figures


def test_every_claim_is_in_the_audit_and_every_gap_says_why():
    where = [w for _, _, w, _ in c.AUDIT]
    assert set(c.IDS) <= set(where)
    main_ids = {s.id for s in main_claims.CLAIMS}
    for source, statement, w, why in c.AUDIT:
        assert source.strip() and statement.strip()
        if w.startswith("main:"):
            assert w[5:] in main_ids
        elif w:
            assert w in c.IDS and not why
        else:
            assert len(why) > 20                       # a sentence, not a placeholder
    sources = " ".join(s for s, _, _, _ in c.AUDIT)
    for fig in ("Text S1", "Fig. S1", "Fig. S2", "Fig. S3", "Fig. S4", "Fig. S5", "Fig. S6"):
        assert fig in sources


def test_audit_table_reads_the_recorded_statuses():
    v = Verdict("holds", 1.0, Uncertainty.of_exact())
    t = figures.audit_table({"P1.low_beta_large_error": v})
    row = t[t["decided by"] == "P1.low_beta_large_error"].iloc[0]
    assert row["status / why"] == "holds"
    assert (t[t["decided by"] == "P1.sparse_rbm_power_laws"]["status / why"] == "not evaluated").all()
    assert len(t) == len(c.AUDIT)
    page = (Path(__file__).parents[1] / "book" / "resolution_relevance_supplement.md").read_text()
    assert "figures.audit_table(" in page
