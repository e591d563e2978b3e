"""The book's chapter list: one place, imported by the runner, the classroom and the report.

A chapter is a jupytext MyST file listed in ``_toc.yml`` that carries a kernelspec.
This module reads files only (``yaml``); it imports nothing else of the library, so any
module can use it without an import cycle.
"""
from __future__ import annotations

from pathlib import Path

from . import paths

__all__ = ["chapter_paths", "is_chapter", "toc_files"]


def toc_files(root: Path | None = None) -> list[str]:
    """The files listed in ``_toc.yml`` (without extension), in order."""
    import yaml

    root = root or paths.project_root()
    toc_path = root / "_toc.yml"
    if not toc_path.is_file():
        raise FileNotFoundError(f"{toc_path}: no _toc.yml; set DEEPINFO_ROOT to the project root (the folder holding _toc.yml)")
    toc = yaml.safe_load(toc_path.read_text())
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    out.append(str(node[key]))
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    return out


def is_chapter(path: Path) -> bool:
    """A jupytext MyST file with a kernelspec is an executable chapter."""
    head = path.read_text().split("\n---", 2)[0] if path.suffix == ".md" else ""
    return "kernelspec:" in head


def chapter_paths(root: Path | None = None) -> dict[str, Path]:
    """Executable chapters in toc order, keyed by file stem."""
    root = root or paths.project_root()
    out: dict[str, Path] = {}
    for entry in toc_files(root):
        p = root / (entry if entry.endswith(".md") else entry + ".md")
        if p.is_file() and is_chapter(p):
            out[p.stem] = p
    return out
