"""The runner fails loudly: a raising chapter or an unevaluated claim is an error, never a skip."""
import json

import pytest

from deepinfo import paths
from deepinfo.claims import ClaimRecorder
from deepinfo.run import ChapterError, check_claims, execute_chapter, main


def test_unevaluated_claim_fails(build_dir):
    rec = ClaimRecorder("P1", chapter="fake_chapter", preset="smoke")
    rec.declare("P1.left_out", "s", "v")
    with pytest.raises(ChapterError, match="P1.left_out"):
        check_claims("fake_chapter")
    rec.record("P1.left_out", 1.0, False)
    assert check_claims("fake_chapter")["claims"][0]["status"] == "does not hold"


def test_unknown_chapter_and_preset_are_rejected():
    with pytest.raises(ValueError, match="not an executable chapter"):
        execute_chapter("no_such_chapter", "smoke")
    with pytest.raises(ValueError, match="preset"):
        execute_chapter("cheap_learning", "medium")
    with pytest.raises(SystemExit):
        main(["no_such_chapter", "--preset", "smoke"])


def test_raising_chapter_is_reported(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    (root / "book").mkdir(parents=True)
    (root / "lib" / "deepinfo").mkdir(parents=True)
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/bad\n")
    (root / "book" / "bad.md").write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "    format_version: 0.13\nkernelspec:\n  display_name: Python 3\n"
        "  language: python\n  name: python3\n---\n\n# Bad\n\n```{code-cell} ipython3\n:tags: [parameters]\n\n"
        "preset = 'quick'\nseed = 0\ndevice = 'auto'\n```\n\n```{code-cell} ipython3\nraise RuntimeError('boom')\n```\n")
    monkeypatch.setenv("DEEPINFO_ROOT", str(root))
    with pytest.raises(ChapterError, match="boom"):
        execute_chapter("bad", "smoke")
    assert main(["--preset", "smoke"]) == 1
    timings = paths.build_dir() / "timings.json"
    assert not timings.exists() or "bad" not in json.loads(timings.read_text())  # a failed run records no time
