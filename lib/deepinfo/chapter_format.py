"""Format the code cells of the jupytext MyST chapters with ruff, at the width the book's page shows.

    python -m deepinfo.chapter_format            # rewrite book/*.md chapters in place (make format)
    python -m deepinfo.chapter_format --check    # exit 1 and name the cells that would change

Only the code of each ``{code-cell}`` is touched: its option lines (``:tags: [...]``) and its
YAML header (figure captions and names) are kept byte for byte, and so is every markdown line.
A cell ruff cannot parse (an IPython magic, say) is left as it is and named. The line length is
:data:`PAGE_WIDTH`, the width of a code line the rendered page shows at 1280 px without
clipping (checked by ``tests/test_render.py``).
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .atomic import atomic_write_text

PAGE_WIDTH = 88
_OPEN = re.compile(r"^(`{3,})\{code-cell\}")


def _ruff() -> str:
    exe = Path(sys.executable).parent / "ruff"
    found = str(exe) if exe.is_file() else shutil.which("ruff")
    if found is None:
        raise RuntimeError("ruff is not installed: run `make setup` (it is pinned in requirements.txt)")
    return found


def format_code(code: str, width: int = PAGE_WIDTH) -> str | None:
    """``code`` formatted by ruff at ``width``, or None when ruff cannot parse it."""
    r = subprocess.run([_ruff(), "format", "--isolated", "--line-length", str(width), "--stdin-filename",
                        "cell.py", "-"], input=code, capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else None


def _cells(lines: list[str]):
    """Yield (first, last) line indices of each code cell's code (exclusive of fences and options)."""
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group(1)
        j = i + 1
        if j < len(lines) and lines[j].strip() == "---":  # a YAML header
            j += 1
            while j < len(lines) and lines[j].strip() != "---":
                j += 1
            j += 1
        while j < len(lines) and lines[j].startswith(":") and not lines[j].startswith("::"):
            j += 1  # option lines
        while j < len(lines) and not lines[j].strip() and lines[j].rstrip() != fence:
            j += 1  # the blank lines between the options and the code stay as they are
        k = j
        while k < len(lines) and lines[k].rstrip() != fence:
            k += 1
        yield j, k
        i = k + 1


def format_chapter(path: Path, width: int = PAGE_WIDTH) -> tuple[str, list[str]]:
    """The chapter's text with formatted code cells, and the cells ruff could not parse (by line)."""
    text = path.read_text()
    lines = text.split("\n")
    skipped, out, last = [], [], 0
    for a, b in _cells(lines):
        code = "\n".join(lines[a:b])
        if not code.strip():
            continue
        new = format_code(code + "\n", width)
        if new is None:
            skipped.append(f"{path}:{a + 1}")
            continue
        out += lines[last:a] + new.rstrip("\n").split("\n")
        last = b
    out += lines[last:]
    return "\n".join(out), skipped


def main(argv: list[str] | None = None) -> int:
    from .chapters import chapter_paths

    ap = argparse.ArgumentParser(prog="python -m deepinfo.chapter_format", description=__doc__.split("\n\n")[0])
    ap.add_argument("chapters", nargs="*", help="chapter file stems (default: every chapter)")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a chapter would change")
    args = ap.parse_args(argv)
    chapters = chapter_paths()
    names = args.chapters or list(chapters)
    changed = []
    for n in names:
        if n not in chapters:
            ap.error(f"unknown chapter {n!r}; expected some of {list(chapters)}")
        p = chapters[n]
        new, skipped = format_chapter(p)
        for s in skipped:
            print(f"[deepinfo.chapter_format] not formatted (ruff cannot parse it): {s}", file=sys.stderr)
        if new != p.read_text():
            changed.append(n)
            if not args.check:
                atomic_write_text(p, new)
    verb = "would reformat" if args.check else "reformatted"
    print(f"[deepinfo.chapter_format] {verb} {len(changed)} chapter(s): {', '.join(changed) or '-'}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
