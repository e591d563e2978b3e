"""The classroom edition: exercises, solutions, and the student copy of the book.

Exercises use sphinx-exercise directives in the chapters' MyST source::

    ```{exercise} Title              ```{solution} ex-label           ```{solution-start} ex-label
    :label: ex-label                 :class: dropdown                 ...code cells allowed...
    ...                              ...                              ```{solution-end}
    ```                              ```                              ```

``python -m deepinfo.classroom --out DIR`` (``make student``) writes a copy of the book with
every solution removed, after checking that every exercise has a solution in the
instructor version. It writes only into a folder it owns: a new or empty ``DIR``, or one it
wrote before (it holds the marker file :data:`MARKER`); a non-empty folder it did not create,
or one that contains the project, is refused and left untouched. The edition is written
into a temporary sibling folder and moved into place, so a failure leaves the old edition. :func:`write_instructor_page` renders the instructor page from the
chapters' exercises and the run times the runner measured.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from . import paths
from .chapters import chapter_paths

#: the file that marks a folder as a student edition written by this module (safe to replace)
MARKER = ".deepinfo-student-edition"


class UnsafeOutput(ValueError):
    """The output folder is not one this module may write into."""

_FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z-]+)\}\s*(?P<arg>.*)$")


def _blocks(text: str):
    """Yield (name, arg, body_lines, start, end) for each top-level directive fence in ``text``."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m["fence"]
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != fence:
            j += 1
        yield m["name"], m["arg"].strip(), lines[i + 1:j], i, min(j, len(lines) - 1)
        i = j + 1


def _label(body: list[str]) -> str | None:
    for line in body:
        m = re.match(r"^:label:\s*(\S+)", line)
        if m:
            return m[1]
    return None


def exercises(text: str) -> list[str]:
    """Labels of the ``{exercise}`` directives in a MyST text (an exercise without a label is an error)."""
    out = []
    for name, arg, body, start, _ in _blocks(text):
        if name in ("exercise", "exercise-start"):
            label = _label(body)
            if label is None:
                raise ValueError(f"exercise at line {start + 1} ({arg!r}) has no :label:, so no solution can refer to it")
            out.append(label)
    return out


_MINUTES = re.compile(r"(?:about|~)?\s*(\d+)\s*min", re.I)
_PRESET = re.compile(r"\b(smoke|quick|full)\b")


def exercise_info(text: str) -> list[dict]:
    """Each exercise of a MyST text: label, title, estimated minutes and preset when its text states them.

    The time and preset are read from the exercise's own words (e.g. "About 15 minutes at the smoke
    preset"); ``None`` where the exercise does not say.
    """
    out = []
    for name, arg, body, start, _ in _blocks(text):
        if name not in ("exercise", "exercise-start"):
            continue
        label = _label(body)
        if label is None:
            raise ValueError(f"exercise at line {start + 1} ({arg!r}) has no :label:, so no solution can refer to it")
        words = " ".join(line for line in body if not line.startswith(":"))
        m, pr = _MINUTES.search(words), _PRESET.search(words)
        out.append({"label": label, "title": arg or label, "minutes": int(m[1]) if m else None,
                    "preset": pr[1] if pr else None, "code": "```{code-cell}" in "\n".join(body) or "def " in words})
    return out


#: tags of the cells of a code exercise (see :func:`code_exercises`)
STUB, SOLUTION, CHECK = "exercise-stub", "solution", "exercise-check"
_PRIVATE = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\._[A-Za-z]")


def code_exercises(text: str) -> list[dict]:
    """The code exercises of a jupytext MyST chapter, in order.

    A code exercise is an ``{exercise}`` directive followed by

    1. a code cell tagged ``exercise-stub``: the function(s) the student writes, whose body is ``...``
       and ``raise NotImplementedError`` (defining it runs; calling it raises);
    2. a ``{solution-start} <label>`` ... ``{solution-end}`` range holding a code cell tagged
       ``solution`` that defines the same names (the student edition drops this range);
    3. a code cell tagged ``exercise-check`` that calls the names and checks the answer (in the
       instructor book it checks the solution, so CI executes every solution; in the student
       edition it raises until the stub is filled in).

    Returns, per exercise: ``label``, ``stub`` and ``solution`` (the names each defines),
    ``check`` (whether a check cell follows), ``stub_raises`` and ``private`` (private names,
    ``obj._x``, used by its code: exercises use the public API only).
    """
    import ast

    import jupytext

    nb = jupytext.reads(text, fmt="md:myst")
    out: list[dict] = []
    current = None
    in_solution = False
    for c in nb.cells:
        tags = c.metadata.get("tags", [])
        if c.cell_type == "markdown":
            for name, arg, body, *_ in _blocks(c.source):
                if name in ("exercise", "exercise-start"):
                    current = {"label": _label(body), "title": arg, "stub": [], "solution": [], "check": False,
                               "stub_raises": False, "private": []}
                    out.append(current)
                elif name == "solution-start":
                    in_solution = current is not None and arg.split()[0] == current["label"]
                elif name == "solution-end":
                    in_solution = False
            continue
        if current is None:
            continue

        def defined(src: str) -> list[str]:
            try:
                tree = ast.parse(src)
            except SyntaxError:
                return []
            return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]

        if STUB in tags:
            current["stub"] += defined(c.source)
            current["stub_raises"] = "raise NotImplementedError" in c.source
        elif SOLUTION in tags and in_solution:
            current["solution"] += defined(c.source)
        elif CHECK in tags:
            current["check"] = True
        else:
            continue
        current["private"] += _PRIVATE.findall(c.source)
    return [e for e in out if e["stub"] or e["solution"] or e["check"]]


def code_exercise_problems(text: str) -> list[str]:
    """What is wrong with the code exercises of a chapter (empty when every one is complete)."""
    problems = []
    for e in code_exercises(text):
        where = f"exercise {e['label']}"
        if not e["stub"]:
            problems.append(f"{where}: no code cell tagged '{STUB}' defining what the student writes")
        if not e["stub_raises"]:
            problems.append(f"{where}: the stub does not `raise NotImplementedError`")
        missing = sorted(set(e["stub"]) - set(e["solution"]))
        if missing:
            problems.append(f"{where}: the solution (a '{SOLUTION}' cell inside solution-start/end) does not define "
                            f"{missing}")
        if not e["check"]:
            problems.append(f"{where}: no code cell tagged '{CHECK}' that runs and checks the answer")
        if e["private"]:
            problems.append(f"{where}: uses private names {sorted(set(e['private']))}; exercises use the public API")
    return problems


def solutions(text: str) -> list[str]:
    """The exercise labels that ``{solution}`` / ``{solution-start}`` directives refer to."""
    return [arg.split()[0] for name, arg, *_ in _blocks(text) if name in ("solution", "solution-start") and arg]


def missing_solutions(text: str) -> list[str]:
    sols = set(solutions(text))
    return [e for e in exercises(text) if e not in sols]


def strip_solutions(text: str) -> str:
    """``text`` without its solutions (single directives and solution-start/end ranges)."""
    lines = text.splitlines()
    drop = set()
    open_start = None
    for name, arg, body, start, end in _blocks(text):
        if name == "solution":
            drop.update(range(start, end + 1))
        elif name == "solution-start":
            open_start = start
        elif name == "solution-end" and open_start is not None:
            drop.update(range(open_start, end + 1))
            open_start = None
    if open_start is not None:
        raise ValueError(f"solution-start at line {open_start + 1} has no solution-end")
    kept = [l for i, l in enumerate(lines) if i not in drop]
    return "\n".join(kept) + ("\n" if text.endswith("\n") else "")


def chapter_sources(root: Path | None = None) -> dict[str, Path]:
    root = root or paths.project_root()
    return {p.stem: p for p in sorted((root / "book").glob("*.md"))}


def check_output_folder(out: Path, root: Path | None = None) -> None:
    """Raise :class:`UnsafeOutput` unless ``out`` is new, empty, or a student edition written here before."""
    root = (root or paths.project_root()).resolve()
    target = out.resolve()
    if target == root or root.is_relative_to(target):
        raise UnsafeOutput(f"--out {out}: this folder contains the project ({root}); choose a new folder, "
                           "e.g. _build/student")
    if (root / "book").resolve() in (target, *target.parents):
        raise UnsafeOutput(f"--out {out}: inside the book's sources; choose a new folder, e.g. _build/student")
    if target.exists() and not target.is_dir():
        raise UnsafeOutput(f"--out {out}: exists and is not a folder; choose a new folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise UnsafeOutput(f"--out {out}: the folder is not empty and was not written by `make student` (no {MARKER} "
                           "file in it); nothing was changed. Choose a new or empty folder.")


def write_student_edition(out: Path, root: Path | None = None) -> list[Path]:
    """Copy the book to ``out`` with every solution removed; raise if an exercise lacks a solution.

    ``out`` must be new, empty, or an earlier student edition (see :func:`check_output_folder`).
    """
    root = root or paths.project_root()
    out = Path(out)
    check_output_folder(out, root)
    problems = {name: missing_solutions(p.read_text()) for name, p in chapter_sources(root).items()}
    problems = {k: v for k, v in problems.items() if v}
    if problems:
        raise ValueError(f"exercises without a solution in the instructor version: {problems}")
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.new-"))
    try:
        (stage / MARKER).write_text("Written by `python -m deepinfo.classroom` (make student); safe to replace.\n")
        written = []
        for f in ("_config.yml", "_toc.yml"):
            shutil.copy2(root / f, stage / f)
        for src in (root / "book").rglob("*"):
            rel = src.relative_to(root)
            if src.is_dir():
                continue
            dst = stage / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.suffix == ".md":
                dst.write_text(strip_solutions(src.read_text()))
                written.append(out / rel)
            else:
                shutil.copy2(src, dst)
        (stage / "README.md").write_text("# Student edition\n\nThe book's chapters with the exercise solutions "
                                         "removed (generated by `make student`). Execute a chapter with the "
                                         "project's runner.\n")
        old = None
        if out.exists():  # an earlier edition (checked above): move it aside, then remove it
            old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
            os.replace(out, old / "edition")
        os.replace(stage, out)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return written


def _title(text: str, fallback: str) -> str:
    m = re.search(r"^# (.+)$", text, flags=re.M)
    return m[1].strip() if m else fallback


def instructor_page(root: Path | None = None, timings_file: Path | None = None) -> str:
    """The instructor page: exercises per chapter and measured run times per preset."""
    root = root or paths.project_root()
    timings_file = timings_file or paths.build_dir() / "timings.json"
    timings = json.loads(timings_file.read_text()) if timings_file.is_file() else {}
    out = ["# For instructors", "",
           "This page is generated by the build from the chapters' exercises and from the run times the "
           "chapter runner measured on the build machine (`_build/timings.json`). A student edition of the "
           "book, with every solution removed, is written by `make student` into `_build/student/`.", "",
           "## Run time of each chapter", "",
           "| chapter | smoke | quick | full |", "|---|---|---|---|"]
    from .report import run_time_text, unit_seconds

    units = unit_seconds(timings_file.parent)
    chapters = chapter_paths(root)
    for name in chapters:
        t = timings.get(name, {})
        cells = [f"{run_time_text(t[p]['seconds'], units.get(name, {}).get(p))} ({t[p]['cpus']} CPUs)" if p in t
                 else "not measured" for p in ("smoke", "quick", "full")]
        out.append(f"| {{doc}}`{name}` | " + " | ".join(cells) + " |")
    out += ["", "## Exercises", "",
            "Each exercise with its chapter, the time it takes a student (as the exercise states it) and the "
            "preset it needs. Solutions are in the dropdowns of each chapter; `make student` removes them.", "",
            "| exercise | chapter | time | preset |", "|---|---|---|---|"]
    for name, p in chapters.items():
        text = p.read_text()
        _ensure_label = exercises(text)  # noqa: F841  (raises on an exercise without a label)
        for e in exercise_info(text):
            minutes = f"{e['minutes']} min" if e["minutes"] else "not stated"
            out.append(f"| {e['title']} | {{doc}}`{name}` | {minutes} | {e['preset'] or 'any'} |")
    quick = {n: timings.get(n, {}).get("quick", {}).get("seconds") for n in chapters}
    fits = [n for n, s in quick.items() if s is not None and s < 15 * 60]
    out += ["", "## A 90-minute class on laptops without GPUs", "",
            "Run the chapters at the `smoke` preset live (each takes minutes; see the table) and show the "
            "`quick` results from a book built beforehand with `make book`. Chapters whose quick preset took "
            "under 15 minutes on the build machine can also be re-run in class at `quick`: "
            + (", ".join(f"{{doc}}`{n}`" for n in fits) if fits else "(none measured yet)") + ".",
            "A plan: 10 minutes on the notation (resolution, relevance, the information plane); 25 minutes on one "
            "chapter's exercises at `smoke`; 25 minutes comparing with the reproduction report; 20 minutes on a "
            "changed parameter (a threshold, a bottleneck width, a seed) and what moves; 10 minutes of discussion.",
            ""]
    return "\n".join(out)


def write_instructor_page(path: str | Path) -> Path:
    path = Path(path)
    if path.is_symlink():
        path.unlink()
    path.write_text(instructor_page())
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m deepinfo.classroom")
    ap.add_argument("--out", type=Path, default=None, help="where to write the student edition (default _build/student)")
    args = ap.parse_args(argv)
    out = args.out or paths.build_dir() / "student"
    try:
        written = write_student_edition(out)
    except UnsafeOutput as exc:
        print(f"[deepinfo.classroom] refused: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"[deepinfo.classroom] {exc}", file=sys.stderr)
        return 1
    print(f"[deepinfo.classroom] student edition: {len(written)} pages without solutions in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
