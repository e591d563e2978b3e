"""The reproduction report: one table per paper, generated from the claims the executed chapters wrote.

Called by ``python -m deepinfo.run --build-book`` to write ``book/report.md`` into the
staged book sources; never written by hand. A claim declared but not evaluated shows
as *not evaluated*, in red.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import paths
from .claims import load_claims

PAPERS = {
    "P1": ("Song, Marsili & Jo 2018", "song2018resolution", "resolution_relevance"),
    "P2": ("Lee & Jo 2022", "lee2022scale", "scale_invariance"),
    "P3": ("Shwartz-Ziv & Tishby 2017", "shwartzziv2017opening", "information_plane"),
    "P4": ("Lin & Tegmark 2016", "lin2017deep", "cheap_learning"),
    "S": ("Synthesis", "", "synthesis"),
}
_STATUS_HTML = {"holds": '<span style="color:#1a7f37">holds</span>',
                "does not hold": '<span style="color:#b35900">does not hold</span>',
                "not evaluated": '<span style="color:#cf222e"><b>not evaluated</b></span>'}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(doc: dict) -> list[str]:
    lines = ["| claim | the paper | ours | preset, setting | status |", "|---|---|---|---|---|"]
    for c in doc["claims"]:
        ours = c["detail"] or ("-" if c["measured"] is None else f"{c['measured']:.4g}")
        fig = f" ({{ref}}`{c['figure']}`)" if c.get("figure") else ""
        lines.append(f"| `{c['id']}`{fig}<br>{_cell(c['statement'])} | {_cell(c['paper_value'])} | {_cell(ours)} | "
                     f"{c['preset']}; {_cell(doc.get('setting', ''))} | {_STATUS_HTML[c['status']]} |")
    return lines


def summary(doc: dict) -> str:
    n = len(doc["claims"])
    holds = sum(c["status"] == "holds" for c in doc["claims"])
    missing = sum(c["status"] == "not evaluated" for c in doc["claims"])
    s = f"{holds} of {n} claims hold at the {doc['preset']} preset"
    return s + (f"; {missing} not evaluated" if missing else "")


def render(claims: dict[str, dict], full: dict[str, dict] | None = None) -> str:
    out = ["# Reproduction report", "",
           "Every row below was written by an executed chapter when it checked one of its paper's claims "
           "(`_build/claims/*.json`); this page is generated from those files during `make book`. "
           "*Holds* means the paper's statement was confirmed at the scale we ran; *does not hold* is an "
           "honest negative at that scale (the chapter explains why); *not evaluated* marks a declared claim "
           "that the chapter did not reach.", ""]
    for prefix, (name, key, chapter) in PAPERS.items():
        docs = [d for d in claims.values() if d["paper"] == prefix]
        if not docs:
            continue
        cite = f" {{cite:p}}`{key}`" if key else ""
        out += [f"## {name}{cite}", ""]
        for doc in docs:
            out += [f"**{summary(doc)}** (chapter {{doc}}`{doc['chapter']}`).", ""]
            if full and doc["chapter"] in full:
                out += [f"At the full preset: **{summary(full[doc['chapter']])}**.", ""]
            out += _table(doc) + [""]
    if len(out) == 7:
        out += ["No chapter has recorded claims yet."]
    return "\n".join(out) + "\n"


def write_report(path: str | Path, directory: str | Path | None = None) -> Path:
    """Write the report page to ``path`` from the claims files in ``directory``."""
    d = Path(directory) if directory is not None else paths.claims_dir()
    claims = load_claims(d)
    full = load_claims(d / "full") if (d / "full").is_dir() else None
    path = Path(path)
    if path.is_symlink():
        path.unlink()
    path.write_text(render(claims, full))
    return path
