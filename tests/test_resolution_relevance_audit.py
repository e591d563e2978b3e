"""The page's audit of Song et al.'s main text: every claim of the page is listed, every listed claim exists
where the audit says it is decided, and the statements not tested say why."""
from __future__ import annotations

import importlib
import re

from deepinfo.claims import Verdict
from deepinfo.experiments.resolution_relevance import claims as c


def ids_of(page: str) -> set[str]:
    mod = importlib.import_module(f"deepinfo.experiments.{page}.claims")
    return {s.id for s in mod.CLAIMS}


def test_every_claim_of_the_page_is_in_the_audit():
    listed = {cid for _, _, cid, page, _ in c.AUDIT if cid is not None and page is None}
    assert listed == set(c.IDS)


def test_every_audited_claim_exists_where_the_audit_says():
    for _, _, cid, page, note in c.AUDIT:
        if cid is None:
            assert note.strip(), "a statement that is not tested says why"
            continue
        known = set(c.IDS) if page is None else ids_of(page)
        assert cid in known, (cid, page)
        for extra in re.findall(r"P\d\.[a-z_]+", note):                # claims named in the note
            assert extra in known, (extra, page)


def test_audit_rows_carry_this_pages_status():
    ok = Verdict("holds", 1.0, c._unc([1.0, 1.0]))
    rows = c.audit_rows({i: ok for i in c.IDS})
    assert len(rows) == len(c.AUDIT)
    mine = [r for r in rows if r["decided by"] in c.IDS]
    assert mine and all(r["status here"] == "holds" for r in mine)
    assert all(r["status here"].startswith("on ") for r in rows if "(" in r["decided by"])
    assert all(r["status here"] == "-" for r in rows if r["decided by"] == "not tested")
