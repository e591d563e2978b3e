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
    lines = ["| claim | the paper | ours | status |", "|---|---|---|---|"]
    for c in doc["claims"]:
        ours = c["detail"] or ("-" if c["measured"] is None else f"{c['measured']:.4g}")
        fig = f" ({{numref}}`{c['figure']}`)" if c.get("figure") else ""
        lines.append(f"| `{c['id']}`{fig}<br>{_cell(c['statement'])} | {_cell(c['paper_value'])} | {_cell(ours)} | "
                     f"{_STATUS_HTML[c['status']]} |")
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
        out += [f"## {name}", ""]
        if key:
            out += [f"Claims of {{cite:t}}`{key}`.", ""]
        for doc in docs:
            out += [f"**{summary(doc)}** (page {{doc}}`{doc['chapter']}`). Setting: {_cell(doc.get('setting', ''))}.",
                    ""]
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


# ------------------------------------------------------------------------- performance page
TARGETS = {
    "estimators": "state counts + H[s] + H[k] on 60,000 x 500-bit codes <= 0.2 s and >= 10x a Counter of row tuples; "
                  "binned information plane, 4,096 patterns x 7 layers x 50 networks x 100 epochs <= 10 s; "
                  "IB curve |X| = 4,096, |Y| = 2, 100 betas <= 30 s",
    "rbm": "quick preset of the resolution/relevance chapter within 8 min; full preset within 1 h on one GPU",
    "ising": "50,000 samples of 10x10 at each of three temperatures < 60 s",
    "information_plane": "paper-scale run (50 networks, 10^4 epochs) within 10 min, peak memory < 2 GB, "
                         ">= 20x a plain loop over separate nn.Modules",
}


def _flatten(obj, prefix: str = ""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(obj, list) and obj and all(isinstance(v, dict) for v in obj):
        for i, v in enumerate(obj):
            label = v.get("case") or v.get("name") or str(i)
            yield from _flatten({k: x for k, x in v.items() if k not in ("case", "name")}, f"{prefix}[{label}]")
    else:
        yield prefix, obj


def _fmt_value(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return _cell(json.dumps(v) if isinstance(v, (list, dict)) else str(v))


# the quantities the README's compact table keeps (the book's performance page shows everything)
README_KEYS = {"ours_s", "baseline_s", "ratio", "target_s", "paper_scale_seconds", "full_seconds", "peak_memory_mb",
               "peak_rss_mb", "ours_seconds", "loop_seconds", "fig5_total_seconds", "target_seconds",
               "spin_updates_per_s", "ours_samples_per_s", "loop_samples_per_s", "speedup", "seconds", "cpus"}


def performance_page(directory: str | Path | None = None, keys: set | None = None) -> str:
    """The performance page from the JSON files the benchmark scripts wrote (``_build/benchmarks``)."""
    d = Path(directory) if directory is not None else paths.build_dir() / "benchmarks"
    out = ["# Performance", "",
           "Every number on this page was written by a script in `benchmarks/` (`make benchmarks`) into "
           "`_build/benchmarks/*.json` and is rendered here by the build, not typed. Each script times our code and "
           "a baseline on the same input in the same run, and reports the ratio. Machines are shared and noisy: "
           "read ratios rather than absolute times.", ""]
    files = sorted(d.glob("*.json")) if d.is_dir() else []
    if not files:
        out += ["```{note}", "No benchmark results were found in this build. Run `make benchmarks`, then `make book`.",
                "```", ""]
    for f in files:
        try:
            data = json.loads(f.read_text())
        except json.JSONDecodeError as exc:
            out += [f"## {f.stem}", "", f"`{f.name}` could not be read ({exc}).", ""]
            continue
        out += [f"## {f.stem}", ""]
        if f.stem in TARGETS:
            out += [f"Target: {TARGETS[f.stem]}.", ""]
        out += ["| quantity | value |", "|---|---|"]
        out += [f"| `{_cell(k)}` | {_fmt_value(v)} |" for k, v in _flatten(data)
                if keys is None or k.split(".")[-1] in keys]
        out.append("")
    return "\n".join(out) + "\n"


def write_performance_page(path: str | Path) -> Path:
    path = Path(path)
    if path.is_symlink():
        path.unlink()
    path.write_text(performance_page())
    return path


# ------------------------------------------------------------------------------- README tables
def timings_table(timings_file: str | Path | None = None) -> str:
    """Markdown table of measured chapter run times per preset (from the runner's ``timings.json``)."""
    f = Path(timings_file) if timings_file is not None else paths.build_dir() / "timings.json"
    data = json.loads(f.read_text()) if Path(f).is_file() else {}
    lines = ["| chapter | smoke | quick | full |", "|---|---|---|---|"]
    for name, t in data.items():
        cells = [f"{t[p]['seconds'] / 60:.1f} min" if p in t else "-" for p in ("smoke", "quick", "full")]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    when = sorted({v["when"][:10] for t in data.values() for v in t.values()})
    cpus = sorted({str(v["cpus"]) for t in data.values() for v in t.values()})
    lines.append("")
    lines.append(f"Measured by `deepinfo.run` on {', '.join(when) or '-'} with {', '.join(cpus) or '-'} CPU cores, no GPU.")
    return "\n".join(lines)


def update_readme(readme: str | Path) -> None:
    """Replace the README's generated sections (between HTML comment markers) with measured tables."""
    readme = Path(readme)
    text = readme.read_text()
    for tag, body in (("timings-table", timings_table()),
                      ("performance-table", "\n".join(performance_page(keys=README_KEYS).splitlines()[4:]).strip()
                       .replace("## ", "### "))):
        start, end = f"<!-- {tag} -->", f"<!-- /{tag} -->"
        if start in text and end in text:
            head, rest = text.split(start, 1)
            _, tail = rest.split(end, 1)
            text = f"{head}{start}\n{body}\n{end}{tail}"
    readme.write_text(text)


if __name__ == "__main__":
    import sys

    update_readme(sys.argv[1] if len(sys.argv) > 1 else paths.project_root() / "README.md")
