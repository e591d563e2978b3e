"""The chapter runner: execute chapters with papermill at a preset, then render the book.

    python -m deepinfo.run                         # every chapter at the quick preset
    python -m deepinfo.run information_plane --preset smoke
    python -m deepinfo.run resolution_relevance --preset full --device cuda -p n_realisations=12
    python -m deepinfo.run --build-book            # execute every chapter, then jupyter-book build

Chapters are the jupytext MyST files listed in ``_toc.yml`` that carry a kernelspec.
Each is converted with jupytext in memory (papermill cannot read ``.md``), executed
with papermill (parameters injected into the cell tagged ``parameters``), and written
to ``_build/executed/book/<chapter>.ipynb``. After each chapter the runner checks
that every claim the chapter declared was evaluated and records the wall time in
``_build/timings.json``. A chapter that raises or leaves a claim unevaluated makes the
runner exit non-zero; no chapter is ever skipped silently.

The book is rendered from the executed notebooks: ``_build/src`` mirrors the sources
with executed ``.ipynb`` in place of each chapter's ``.md`` and is built with
``jupyter-book build -W -n --keep-going`` into ``_build/html``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import paths
from .chapters import chapter_paths, is_chapter, toc_files  # noqa: F401  (re-exported)
from .experiments import PRESET_NAMES

PRESETS = PRESET_NAMES  # kept for older callers; the names live in deepinfo.experiments


class ChapterError(RuntimeError):
    """A chapter raised, or left a declared claim unevaluated."""


def _record_timing(name: str, preset: str, seconds: float) -> None:
    f = paths.build_dir() / "timings.json"
    data = json.loads(f.read_text()) if f.is_file() else {}
    data.setdefault(name, {})[preset] = {"seconds": round(seconds, 1),
                                         "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
                                         "cpus": os.cpu_count()}
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(json.dumps(data, indent=1, sort_keys=True))


def check_claims(name: str) -> dict:
    """Raise ChapterError unless every claim the chapter declared was evaluated."""
    f = paths.claims_dir() / f"{name}.json"
    if not f.is_file():
        return {}
    doc = json.loads(f.read_text())
    missing = [c["id"] for c in doc["claims"] if c["status"] == "not evaluated"]
    if missing:
        raise ChapterError(f"chapter {name}: {len(missing)} declared claim(s) not evaluated: {missing}")
    return doc


def execute_chapter(name: str, preset: str = "quick", seed: int = 0, device: str = "auto",
                    parameters: dict | None = None, out_dir: Path | None = None,
                    check: bool = True) -> Path:
    """Execute one chapter through papermill and return the executed notebook's path."""
    import jupytext
    import papermill

    chapters = chapter_paths()
    if name not in chapters:
        raise ValueError(f"chapter {name!r} is not an executable chapter of _toc.yml; "
                         f"expected one of {sorted(chapters)}")
    if preset not in PRESETS:
        raise ValueError(f"preset={preset!r}: expected one of {PRESETS}")
    src = chapters[name]
    out_dir = out_dir or paths.build_dir() / "executed" / src.parent.name
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{name}.ipynb"
    params = {"preset": preset, "seed": seed, "device": device, **(parameters or {})}
    os.environ.setdefault("DEEPINFO_ROOT", str(paths.project_root()))
    os.environ.setdefault("TQDM_MININTERVAL", "10")  # progress bars: a line every 10 s, not every step
    claims_file = paths.claims_dir() / f"{name}.json"
    if claims_file.exists():
        claims_file.unlink()  # never report claims of an earlier run as this run's
    nb = jupytext.read(src)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ChapterError(f"chapter {name} ({src}): expected exactly one cell tagged 'parameters', found {len(tagged)}")
    t0 = time.perf_counter()
    print(f"[deepinfo.run] {name}: executing at preset={preset} seed={seed} device={device}", flush=True)
    # the kernel must keep its inline backend: a non-interactive MPLBACKEND inherited from the
    # caller (tests set Agg) would drop every figure from the executed notebook
    saved_backend = os.environ.pop("MPLBACKEND", None)
    try:
        papermill.execute_notebook(nb, str(out), parameters=params, cwd=str(src.parent),
                                   kernel_name="python3", language="python", progress_bar=False, log_output=False)
    except papermill.PapermillExecutionError as exc:
        raise ChapterError(f"chapter {name} raised in cell {exc.exec_count}: {exc.ename}: {exc.evalue}\n"
                           f"executed notebook with the traceback: {out}") from None
    finally:
        if saved_backend is not None:
            os.environ["MPLBACKEND"] = saved_backend
    seconds = time.perf_counter() - t0
    _record_timing(name, preset, seconds)
    print(f"[deepinfo.run] {name}: done in {seconds:.1f} s -> {out}", flush=True)
    if check:
        doc = check_claims(name)
        if doc:  # keep the latest claims of each preset (the report shows full-preset results when present)
            keep = paths.claims_dir() / preset / f"{name}.json"
            keep.parent.mkdir(parents=True, exist_ok=True)
            keep.write_text(json.dumps(doc, indent=1))
    return out


def stage_book(root: Path | None = None, executed: Path | None = None, partial: bool = False) -> Path:
    """Mirror the book sources into ``_build/src`` with executed notebooks in place of chapters.

    ``partial=True`` (development only, ``--partial``) stages a chapter that has no executed
    notebook as a page that says so in a warning box, instead of failing.
    """
    root = root or paths.project_root()
    executed = executed or paths.build_dir() / "executed"
    stage = paths.build_dir() / "src"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for f in ("_config.yml", "_toc.yml", "_static"):
        if (root / f).exists():
            (stage / f).symlink_to(root / f)
    chapters = chapter_paths(root)
    for src in (root / "book").rglob("*"):
        rel = src.relative_to(root)
        dst = stage / rel
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix == ".md" and src.stem in chapters and chapters[src.stem] == src:
            nb = executed / rel.with_suffix(".ipynb")
            if not nb.is_file() and partial:
                print(f"[deepinfo.run] WARNING: {src.stem} was not executed; staged as a placeholder (--partial)",
                      file=sys.stderr, flush=True)
                dst.write_text(f"# {src.stem}\n\n```{{warning}}\nThis chapter was not executed in this "
                               "development build (--partial).\n```\n")
                continue
            if not nb.is_file():
                raise ChapterError(f"chapter {src.stem} has no executed notebook at {nb}; run the chapters first")
            _stage_notebook(nb, dst.with_suffix(".ipynb"))
        elif src.suffix != ".ipynb":
            dst.symlink_to(src)
    return stage


def jupyter_book_command() -> list[str]:
    """The ``jupyter-book`` console script of this interpreter's environment."""
    exe = Path(sys.executable).parent / "jupyter-book"
    if exe.is_file():
        return [str(exe)]
    found = shutil.which("jupyter-book")
    if found is None:
        raise ChapterError("jupyter-book is not installed in this environment: run `make setup`")
    return [found]


def _stage_notebook(src: Path, dst: Path) -> None:
    """Copy an executed chapter for rendering. The page shows papermill's injected cell (the values
    this build used) and hides the chapter's own parameters cell (its defaults) with ``remove-cell``."""
    import nbformat

    nb = nbformat.read(src, as_version=4)
    if any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells):
        for c in nb.cells:
            tags = c.metadata.get("tags", [])
            if "parameters" in tags and "remove-cell" not in tags:
                c.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, dst)


def build_book(root: Path | None = None, partial: bool = False) -> Path:
    """Render the staged book with ``jupyter-book build -W -n --keep-going`` into ``_build/html``."""
    from . import classroom, report

    root = root or paths.project_root()
    stage = stage_book(root, partial=partial)
    # pages generated from what the build produced (claims, timings, benchmark results)
    report.write_report(stage / "book" / "report.md")
    report.write_performance_page(stage / "book" / "performance.md")
    classroom.write_instructor_page(stage / "book" / "instructor.md")
    # jupyter-book writes <path-output>/_build/html
    cmd = [*jupyter_book_command(), "build", str(stage), "--path-output", str(paths.build_dir().parent),
           "-W", "-n", "--keep-going", "--builder", "html"]
    print("[deepinfo.run]", " ".join(cmd), flush=True)
    rc = subprocess.call(cmd, cwd=str(root))
    if rc != 0:
        raise ChapterError(f"jupyter-book build failed with exit code {rc}")
    index = paths.build_dir() / "html" / "index.html"
    print(f"[deepinfo.run] book rendered: {index}", flush=True)
    return index


def _parse_param(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"-p {text!r}: expected NAME=VALUE")
    k, v = text.split("=", 1)
    try:
        return k, json.loads(v)
    except json.JSONDecodeError:
        return k, v


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m deepinfo.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("chapters", nargs="*", help="chapter file stems (default: every chapter in _toc.yml)")
    ap.add_argument("--preset", default="quick", choices=PRESETS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    ap.add_argument("-p", "--param", action="append", type=_parse_param, default=[],
                    help="extra chapter parameter NAME=VALUE (JSON values), as papermill -p")
    ap.add_argument("--build-book", action="store_true", help="after executing, render the book into _build/html")
    ap.add_argument("--no-execute", action="store_true", help="with --build-book: render from the last executed notebooks")
    ap.add_argument("--partial", action="store_true",
                    help="development: with --build-book, stage unexecuted chapters as placeholder pages")
    ap.add_argument("--list", action="store_true", help="list the executable chapters and exit")
    args = ap.parse_args(argv)
    chapters = chapter_paths()
    if args.list:
        for k, v in chapters.items():
            print(f"{k:28s} {v.relative_to(paths.project_root())}")
        return 0
    names = args.chapters or list(chapters)
    unknown = [n for n in names if n not in chapters]
    if unknown:
        ap.error(f"unknown chapter(s) {unknown}; expected some of {list(chapters)}")
    failures = []
    if not args.no_execute:
        for name in names:
            try:
                execute_chapter(name, args.preset, args.seed, args.device, dict(args.param))
            except ChapterError as exc:
                print(f"[deepinfo.run] FAILED {exc}", file=sys.stderr, flush=True)
                failures.append(name)
    if failures:
        print(f"[deepinfo.run] {len(failures)} chapter(s) failed: {failures}", file=sys.stderr)
        return 1
    if args.build_book:
        try:
            build_book(partial=args.partial)
        except ChapterError as exc:
            print(f"[deepinfo.run] FAILED {exc}", file=sys.stderr, flush=True)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
