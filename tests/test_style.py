"""Code a reader sees fits the page and is formatted (ruff at 88 columns); the library, tests and benchmarks
are lint-clean (ruff's pyflakes rules: undefined and unused names; configured in pyproject.toml)."""
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

from deepinfo.chapters import chapter_paths

ROOT = Path(__file__).resolve().parents[1]
PAGE_WIDTH = 88  # characters of a code line the book's theme shows at a laptop width without clipping


def ruff() -> str:
    exe = Path(sys.executable).parent / "ruff"
    found = str(exe) if exe.is_file() else shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed: run `make setup` (it is pinned in requirements.txt)")
    return found


@pytest.mark.parametrize("name", list(chapter_paths()))
def test_no_code_line_of_a_chapter_is_wider_than_the_page(name):
    nb = jupytext.read(chapter_paths()[name])
    long = [(i, line) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for line in c.source.splitlines() if len(line) > PAGE_WIDTH]
    assert not long, f"{name}: {len(long)} code line(s) over {PAGE_WIDTH} characters, e.g. {long[0][1]!r}"


@pytest.mark.parametrize("name", list(chapter_paths()))
def test_chapter_code_cells_are_formatted(name):
    from deepinfo.chapter_format import format_chapter

    path = chapter_paths()[name]
    new, skipped = format_chapter(path)
    assert new == path.read_text(), f"{name}: run `.venv/bin/python -m deepinfo.chapter_format {name}` (make format)"
    assert not skipped, f"{name}: cells ruff cannot parse: {skipped}"


def test_library_has_no_undefined_or_unused_names():
    r = subprocess.run([ruff(), "check", "lib", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:]
