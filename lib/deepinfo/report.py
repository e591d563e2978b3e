"""The reproduction report and each chapter's summary box, generated from the claims the chapters wrote.

Called by ``python -m deepinfo.run --build-book`` to write ``book/report.md`` (and its summary
figure) into the staged book sources; never written by hand. Per paper: the paper's claims
with status, measured value and uncertainty, threshold and scale, grouped by status; the
published objections (``critique``) and the checks of our instruments (``estimator``) in
tables of their own; the ``sanity`` checks in a collapsed list. When a full-preset result
exists (``<claims>/full/*.json`` from a full run, or the committed snapshot
``data/results/full/<chapter>.json``) it stands beside this build's result.

:func:`summary_box` is the box at the top of each paper chapter, built from the same files,
so that the box, the page and the report cannot disagree.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from . import paths
from .atomic import atomic_write_text
from .claims import NOT_EVALUATED, STATUSES, load_claims
from .claims import format_number as _num

#: per paper: name, bibtex key, main chapter, and two lines on what the paper claims
PAPERS = {
    "P1": ("Song, Marsili & Jo 2018", "song2018resolution", "resolution_relevance",
           "Trained deep belief networks trade resolution H[s] for relevance H[k] along their depth; the "
           "layer that balances them best has a power-law, Zipf-like distribution of its states and "
           "generates the data best."),
    "P2": ("Lee & Jo 2022", "lee2022scale", "scale_invariance",
           "Binarised representations of trained networks (RBMs, MLPs, autoencoders) have power-law "
           "degeneracies m_k ~ k^(-beta-1), a scale invariance that maximal relevance at fixed resolution "
           "explains and that Ising data at high temperature also show."),
    "P3": ("Shwartz-Ziv & Tishby 2017", "shwartzziv2017opening", "information_plane",
           "In the information plane, SGD first fits (I(T;Y) rises) and then compresses (I(X;T) falls); "
           "the phases follow the gradients' signal-to-noise ratio, and the layers end near the "
           "information-bottleneck bound."),
    "P4": ("Lin & Tegmark 2016", "lin2017deep", "cheap_learning",
           "Physical data have low-order, local, symmetric Hamiltonians that small networks build exactly "
           "(a product of two numbers in four neurons); hierarchical generation makes depth cheap and "
           "flattening costly."),
    "S": ("Synthesis", "", "synthesis",
          "This book's links between the papers: resolution and relevance of layers against the "
          "information plane and the IB bound."),
}
#: the order statuses are listed in, and their colours
STATUS_ORDER = (*STATUSES, NOT_EVALUATED)
COLOURS = {"holds": "#1a7f37", "does not hold": "#b35900", "inconclusive": "#57606a", NOT_EVALUATED: "#cf222e"}
#: per chapter: the label of its finite-size figure (each M-dependent claim's statistic against the
#: sample size M), linked from the report so a reader sees which way a verdict moves toward the paper's M
FINITE_SIZE_FIGURES = {"resolution_relevance": "fig-p1-finite-size", "scale_invariance": "fig-si-finite-size"}

KIND_TITLES = {"critique": "Published objections (critique: *holds* means the objection stands)",
               "estimator": "Checks of our instruments (estimator)",
               "conjecture": "This book's conjectures linking the papers (conjecture: counted apart from the papers' claims)"}


def headline_kind(doc: dict) -> str:
    """The kind a page's counts are about: the paper's claims, or on the synthesis page this book's conjectures."""
    return "conjecture" if doc.get("paper") == "S" else "paper"


#: the tables of a generated page need the page's width: that page alone drops the on-page contents column
WIDE_PAGE = ["```{raw} html", "<style>.bd-sidebar-secondary{display:none}"
             ".bd-main .bd-content .bd-article-container{max-width:100%}</style>", "```", ""]


def _cell(text) -> str:
    """Text safe in a table cell: no column breaks, and H[k](end) is not read as a link."""
    return (str(text).replace("|", "\\|").replace("\n", " ").replace("[", "\\[").replace("]", "\\]"))


def _status_html(status: str, reason: str = "") -> str:
    s = f'<span style="color:{COLOURS.get(status, "#000")}"><b>{status}</b></span>'
    return s + (f"<br><small>{_cell(reason)}</small>" if reason else "")


def _uncertainty_text(c: dict) -> str:
    u = c.get("uncertainty") or {}
    if not u:
        return ""
    if u.get("exact"):
        return "exact"
    if u.get("lo") is not None and u.get("hi") is not None:
        lvl = f"{100 * u['level']:.0f}% " if u.get("level") else ""
        core = f"{lvl}[{_num(u['lo'])}, {_num(u['hi'])}]"
    elif u.get("se") is None:
        core = "spread unknown"
    else:
        core = f"+/- {_num(u['se'])}"
    return f"{core} ({u.get('method', '')})" if u.get("method") else core


def ours(c: dict) -> str:
    """The measured value with its uncertainty, and the chapter's one-line detail."""
    if c.get("status", NOT_EVALUATED) == NOT_EVALUATED:
        return "-"
    v = "-" if c.get("value") is None else _num(c["value"])
    unc = _uncertainty_text(c)
    head = f"{v} {unc}".strip()
    detail = c.get("detail", "")
    return _cell(head) + (f"<br><small>{_cell(detail)}</small>" if detail and detail != head else "")


def scale_text(scale: dict | None, skip: tuple = ("preset",)) -> str:
    """``key: value`` pairs of a scale dict, e.g. ``data: MNIST (real); M: 10000; realisations: 5``."""
    return "; ".join(f"{k}: {v}" for k, v in (scale or {}).items() if k not in skip)


def counts(doc: dict, kind: str = "paper") -> dict[str, int]:
    """Claims of ``kind`` in a chapter's claims file, counted by status."""
    out = {s: 0 for s in STATUS_ORDER}
    for c in doc.get("claims", []):
        if c.get("kind", "paper") == kind:
            out[c.get("status", NOT_EVALUATED)] = out.get(c.get("status", NOT_EVALUATED), 0) + 1
    return out


_PLURAL = {"holds": "hold", "does not hold": "do not hold"}


def counts_text(n: dict[str, int]) -> str:
    """``4 hold, 5 do not hold, 2 inconclusive (of 11)``."""
    total = sum(n.values())
    parts = [f"{n[s]} {s if n[s] == 1 else _PLURAL.get(s, s)}" for s in STATUS_ORDER if n.get(s)]
    return f"{', '.join(parts) or 'none'} (of {total})"


def _sorted(claims: list[dict]) -> list[dict]:
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    return sorted(claims, key=lambda c: rank.get(c.get("status"), 99))  # stable: declared order within a status


def _own_scale(c: dict, page_scale: dict | None) -> dict:
    """What a claim's scale adds to its page's (the page's scale is stated once above the table)."""
    page_scale = page_scale or {}
    return {k: v for k, v in (c.get("scale") or {}).items() if k != "preset" and page_scale.get(k) != v}


def _table(claims: list[dict], full: dict | None, page_scale: dict | None = None) -> list[str]:
    """One table per kind: claim (with its threshold, the reason for it, and how our test differs),
    the paper's value, ours with its uncertainty, the status with its reason (and the full preset's)."""
    full_by_id = {c["id"]: c for c in (full or {}).get("claims", [])}
    cols = ["claim and test", "the paper", "ours", "status"]
    if full is not None:
        cols.append("full preset")
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for c in _sorted(claims):
        fig = f" ({{numref}}`{c['figure']}`)" if c.get("figure") else ""
        test = (f"<br><small><b>test</b>: {_cell(c.get('threshold', ''))} ({_cell(c.get('threshold_reason', ''))})"
                + (f"; <b>differs from the paper</b>: {_cell(c['test_differs'])}" if c.get("test_differs") else "")
                + "</small>")
        extra = _own_scale(c, page_scale)
        at = f"<br><small>at {_cell(scale_text(extra))}</small>" if extra else ""
        row = [f"`{c['id']}`{fig}<br>{_cell(c['statement'])}{test}", _cell(c.get("paper_value", "")),
               ours(c) + at, _status_html(c.get("status", NOT_EVALUATED), c.get("reason", ""))]
        if full is not None:
            f = full_by_id.get(c["id"])
            row.append("not in the snapshot" if f is None else
                       f"{ours(f)}<br>{_status_html(f.get('status', NOT_EVALUATED), f.get('reason', ''))}")
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _sanity_list(claims: list[dict]) -> list[str]:
    if not claims:
        return []
    out = ["```{admonition} Sanity checks (true by construction: shown, not counted)", ":class: dropdown", ""]
    for c in claims:
        out.append(f"- `{c['id']}`: {_cell(c['statement'])} **{c.get('status', NOT_EVALUATED)}**; "
                   f"ours: {ours(c).replace('<br>', ' ')}")
    return out + ["```", ""]


def full_results(claims_directory: Path | None = None, snapshot: Path | None = None) -> dict[str, dict]:
    """Full-preset claims: the committed snapshot ``data/results/full/*.json``, overridden by a full run
    of this build (``<claims>/full/*.json``) unless that run was made by other code than the chapter's
    current package (its ``package_sha256`` differs, or is missing) while a snapshot exists. Each
    result carries ``_stale`` (a run) or ``_snapshot["stale"]`` (a snapshot)."""
    out: dict[str, dict] = {}
    snap = snapshot if snapshot is not None else paths.data_dir() / "results" / "full"
    if snap.is_dir():
        from .snapshot import is_stale

        for p in sorted(snap.glob("*.json")):
            doc = json.loads(p.read_text())
            if doc.get("ran", True) is False:  # a not-run record: what did not run at full here, and why
                out[p.stem] = {"chapter": p.stem, "claims": [], "_not_run": {
                    **doc.get("provenance", {}), "reason": doc.get("reason", ""), "units": doc.get("units", []),
                    "stale": is_stale(doc), "file": str(p)}}
                continue
            claims = dict(doc.get("claims_file", doc))  # a snapshot wraps the claims file with its provenance
            if "provenance" in doc:
                claims["_snapshot"] = {**doc["provenance"], "stale": is_stale(doc), "file": str(p)}
            out[p.stem] = claims
    d = (claims_directory if claims_directory is not None else paths.claims_dir()) / "full"
    if d.is_dir():
        from .snapshot import package_hash

        for chapter, doc in load_claims(d).items():
            h = doc.get("package_sha256")
            try:
                doc["_stale"] = h is None or h != package_hash(chapter)
            except ValueError:
                doc["_stale"] = True
            # a stale run never hides a current snapshot, but it does replace a not-run record
            if not doc["_stale"] or chapter not in out or out[chapter].get("_not_run"):
                out[chapter] = doc
    return out


def not_run_note(rec: dict) -> str:
    """One line on a full preset that did not run here: why, and how many of its units are computed."""
    units = rec.get("units", [])
    done = sum(1 for u in units if u.get("computed"))
    return (f"**Not run at the full preset** on this project's machine ({str(rec.get('date', '?'))[:10]}): "
            f"{_cell(rec.get('reason', ''))} Of its {len(units)} units of work, {done} are computed; "
            "README, 'Running at paper scale', says how to run them on a GPU or a cluster.")


def snapshot_note(prov: dict) -> str:
    """One line on where a full-preset snapshot came from, and a warning when the code has changed since."""
    m = prov.get("machine", {})
    wall, cmd_wall = prov.get("wall_seconds"), prov.get("command_wall_seconds")
    units = prov.get("units_wall_seconds_total")
    times = ([f"{cmd_wall / 60:.1f} min end to end"] if cmd_wall else []) + \
        ([f"notebook {wall / 60:.1f} min"] if wall else []) + \
        ([f"units of work {units / 60:.1f} min summed over workers"] if units else [])
    line = (f"Full-preset results from the committed snapshot (commit `{str(prov.get('commit', '?'))[:12]}`, "
            f"{str(prov.get('date', '?'))[:10]}, {m.get('cpus', '?')} CPU cores, {m.get('gpu') or 'no GPU'}"
            + (f"; {', '.join(times)}" if times else "") + f"; `{prov.get('command', '')}`).")
    if prov.get("stale"):
        line = ("```{warning}\nThe chapter's experiment code has changed since this snapshot was taken (its package "
                "hash differs): the full-preset numbers below were computed by other code. Regenerate it (README, "
                "'Running at paper scale').\n```\n\n" + line)
    return line


def summary_figure(claims: dict[str, dict], full: dict[str, dict] | None, path: str | Path) -> Path:
    """Horizontal bars: per paper, its paper claims by status at this build's preset (and at full)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = []  # one bar per page and preset: never a sum over pages run at different presets
    for prefix, (name, *_rest) in PAPERS.items():
        for source, fallback in ((claims, None), (full or {}, "full")):
            for doc in (d for d in source.values() if d.get("paper") == prefix):
                kind = headline_kind(doc)
                n = counts(doc, kind)
                if sum(n.values()):
                    stale = " stale" if (doc.get("_snapshot") or {}).get("stale") or doc.get("_stale") else ""
                    rows.append((f"{name}: {doc['chapter']} ({fallback or doc.get('preset', '?')}{stale})", n))
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * max(len(rows), 1) + 1.0))
    for i, (label, n) in enumerate(rows[::-1]):
        left = 0
        for s in STATUS_ORDER:
            if n[s]:
                ax.barh(i, n[s], left=left, color=COLOURS[s], label=s)
                ax.text(left + n[s] / 2, i, str(n[s]), ha="center", va="center", color="white", fontsize=9)
                left += n[s]
    ax.set_yticks(range(len(rows)), [r[0] for r in rows[::-1]])
    ax.set_xlabel("claims by status (synthesis: its conjectures)")
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles))
    if uniq:
        ax.legend(uniq.values(), uniq.keys(), loc="lower right", fontsize=8, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def render(claims: dict[str, dict], full: dict[str, dict] | None = None, figure: str | None = None) -> str:
    """The report page (MyST markdown) from claims files keyed by chapter."""
    out = ["# Reproduction report", "",
           "Every row below was written by an executed chapter when it decided one of its claims "
           "(`_build/claims/*.json`); this page is generated from those files during `make book`. "
           "A claim has a *kind*: **paper** (the paper's statement, at its own strength), **critique** (a "
           "published objection; *holds* means the objection stands), **estimator** (a check of our "
           "instrument), **sanity** (true by construction: shown, never counted) or **conjecture** (the "
           "synthesis page's own links between the papers, counted apart). Each has one of three "
           "outcomes: *holds*, *does not hold*, or *inconclusive*, with the reason (an interval that straddles "
           "the threshold, a tail too short to decide, a run too short for the effect). Values carry their "
           "uncertainty over realisations, networks, seeds or samples, as stated; rows are grouped by status.", ""]
    out += WIDE_PAGE
    if figure:
        out += ["```{figure} " + figure, ":name: fig-report-summary", ":width: 90%", "",
                "The paper claims of each chapter by status, at this build's preset"
                + (" and at the full preset (committed snapshot or full run)" if full else "") + ".", "```", ""]
    n_docs = 0
    for prefix, (name, key, chapter, claim) in PAPERS.items():
        docs = [d for d in claims.values() if d.get("paper") == prefix]
        if not docs:
            continue
        n_docs += len(docs)
        out += [f"(report-{prefix.lower()})=", f"## {name}", ""]
        if key:
            out += [f"{{cite:t}}`{key}`: {claim}", ""]
        for doc in docs:
            f = (full or {}).get(doc["chapter"])
            out += [f"### Page {{doc}}`{doc['chapter']}`", ""]
            if doc["chapter"] in FINITE_SIZE_FIGURES:
                out += ["How the claims that depend on the sample size move with it, toward the paper's M: "
                        f"{{numref}}`{FINITE_SIZE_FIGURES[doc['chapter']]}`.", ""]
            if f and f.get("_not_run"):
                out += [not_run_note(f["_not_run"]), ""]
                f = None
            if f and f.get("_snapshot"):
                out += [snapshot_note(f["_snapshot"]), ""]
            elif f and f.get("_stale"):
                out += ["```{warning}\nThe full-preset results of this page in this build's claims folder were "
                        "computed by another version of the chapter's code (or record no package hash): read "
                        "them as stale.\n```", ""]
            hk = headline_kind(doc)
            what = "Paper claims" if hk == "paper" else "Conjectures"
            out += [f"{what} at the {doc['preset']} preset: **{counts_text(counts(doc, hk))}**."
                    + (f" At full: **{counts_text(counts(f, hk))}**." if f else "")
                    + f" Seed {doc.get('seed', 0)}" + (f", overrides {json.dumps(doc['overrides'])}"
                                                       if doc.get("overrides") else "")
                    + f". Scale: {_cell(scale_text(doc.get('scale')) or '-')}.", ""]
            by_kind = {k: [c for c in doc["claims"] if c.get("kind", "paper") == k]
                       for k in ("paper", "conjecture", "critique", "estimator", "sanity")}
            if by_kind["paper"]:
                out += _table(by_kind["paper"], f, doc.get("scale")) + [""]
            for k in ("conjecture", "critique", "estimator"):
                if by_kind[k]:
                    out += [f"**{KIND_TITLES[k]}**", ""] + _table(by_kind[k], f, doc.get("scale")) + [""]
            out += _sanity_list(by_kind["sanity"])
    if not n_docs:
        out += ["No chapter has recorded claims yet."]
    return "\n".join(out) + "\n"


def summary_box(doc: dict, full: dict | None = None) -> str:
    """The box at the top of a paper chapter (MyST markdown), from its claims file.

    What the paper claims, what this page reproduces and at which scale, the counts of its paper
    claims by status (at this build's preset and, when a full-preset result exists, at full, with
    a warning when that result was computed by other code), how many are tested differently from
    the paper's own method, and a link to the report's rows. On the synthesis page the counts are
    of this book's conjectures.
    """
    prefix = doc.get("paper", "")
    name, _, _, claim = PAPERS.get(prefix, (prefix, "", "", ""))
    hk = headline_kind(doc)
    n = counts(doc, hk)
    other = {k: sum(counts(doc, k).values()) for k in ("critique", "estimator", "sanity") if k != hk}
    differs = sum(1 for c in doc.get("claims", []) if c.get("test_differs"))
    preset = doc.get("preset", "?")
    if full and full.get("_not_run"):
        at_full = f" Not run at `full` here: {_cell(full['_not_run'].get('reason', ''))}"
    elif full:
        stale = (full.get("_snapshot") or {}).get("stale") or full.get("_stale")
        at_full = (f" At `full`: {counts_text(counts(full, hk))}"
                   + (" (**stale**: computed by an earlier version of this chapter's code)" if stale else "") + ".")
    else:
        at_full = " No full-preset result yet."
    what = "**The paper's claims**" if hk == "paper" else "**This book's conjectures**"
    head = f"**The paper** ({name}). {claim}" if hk == "paper" else f"**The chapter**. {claim}"
    lines = ["```{admonition} At a glance", ":class: tip", "", head, "",
             f"**Reproduced here** at the `{preset}` preset, seed {doc.get('seed', 0)}: "
             f"{_cell(scale_text(doc.get('scale')) or 'see the settings below')}.", "",
             f"{what} at `{preset}`: {counts_text(n)}.{at_full}", ""]
    extra = ", ".join(f"{v} {k}" for k, v in other.items() if v)
    if extra or differs:
        lines += [f"**Also on this page**: {extra or 'no other checks'}"
                  + (f"; {differs} claim(s) tested differently from the paper's own method (said beside each)"
                     if differs else "") + ".", ""]
    lines += [f"Every row: {{ref}}`the reproduction report <report-{prefix.lower()}>`.", "```"]
    return "\n".join(lines)


_atomic_write_text = atomic_write_text  # (one home: deepinfo.atomic)


def _replace_generated(path: Path) -> Path:
    """A generated page in the staged sources replaces the symlink to the placeholder, never the placeholder."""
    if path.is_symlink():
        path.unlink()
    return path


def write_report(path: str | Path, directory: str | Path | None = None) -> Path:
    """Write the report page to ``path`` (and its summary figure beside it) from the claims in ``directory``."""
    d = Path(directory) if directory is not None else paths.claims_dir()
    claims = load_claims(d)
    full = full_results(d) or None
    path = _replace_generated(Path(path))
    fig = None
    if claims:
        fig_path = summary_figure(claims, full, path.parent / "_generated" / "report_summary.png")
        fig = os.path.relpath(fig_path, path.parent)
    return _atomic_write_text(path, render(claims, full, figure=fig))


# ------------------------------------------------------------------------- performance page
def _value(v, unit: str = "") -> str:
    if v is None:
        return "-"
    if unit.endswith("/s"):
        return f"{v:,.0f} {unit}"
    if unit == "s":
        return f"{v / 60:.1f} min" if v >= 600 else f"{v:.3g} s"
    return f"{v:.4g} {unit}".strip()


def _met(m) -> str:
    return {True: '<span style="color:#1a7f37"><b>met</b></span>',
            False: '<span style="color:#cf222e"><b>missed</b></span>'}.get(m, "no target")


def benchmark_results(directory: str | Path | None = None) -> list[dict]:
    """The benchmark results in the common format (:mod:`deepinfo.benchmarking`), one dict per file.

    A file in another format, or one that does not parse, is returned as ``{"benchmark": name, "error": ...}``.
    """
    d = Path(directory) if directory is not None else paths.build_dir() / "benchmarks"
    out = []
    for f in sorted(d.glob("*.json")) if d.is_dir() else []:
        try:
            doc = json.loads(f.read_text())
        except json.JSONDecodeError as exc:
            out.append({"benchmark": f.stem, "error": f"`{f.name}` could not be read ({exc})"})
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list) or \
                not all(isinstance(c, dict) and "case" in c and "ours" in c for c in doc["cases"]):
            out.append({"benchmark": f.stem, "error": f"`{f.name}` is not in the benchmark format of "
                                                      "deepinfo.benchmarking (re-run `make benchmarks`)"})
            continue
        out.append({"benchmark": f.stem, **doc})
    return out


def benchmark_table(doc: dict) -> list[str]:
    """One table a person reads: case, ours, baseline (named), ratio, target, met."""
    if "error" in doc:
        return [doc["error"], ""]
    lines = ["| case | ours | baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    for c in doc["cases"]:
        unit = c.get("unit", "s")
        base = f"{_value(c.get('baseline_value'), unit)}<br><small>{_cell(c.get('baseline', ''))}</small>" \
            if c.get("baseline") else "-"
        ratio = f"{c['ratio']:.1f}x" if c.get("ratio") is not None else "-"
        notes = f"<br><small>{_cell(c['notes'])}</small>" if c.get("notes") else ""
        lines.append(f"| {_cell(c['case'])}{notes} | {_value(c.get('ours'), unit)} | {base} | {ratio} | "
                     f"{_cell(c.get('target') or '-')} | {_met(c.get('met'))} |")
    m = doc.get("machine", {})
    lines += ["", f"*Machine*: {m.get('cpus', '?')} CPU cores, {m.get('gpu') or 'no GPU'}, load average "
                  f"{m.get('load_average_start', '?')} at the start and {m.get('load_average_end', '?')} at the end; "
                  f"measured {m.get('when', '?')}.", ""]
    return lines


def ratio_figure(docs: list[dict], path: str | Path) -> Path | None:
    """Bars of the measured ratio (ours against the baseline) per case, with the target ratio marked."""
    rows = [(d["benchmark"], c) for d in docs if "error" not in d for c in d["cases"] if c.get("ratio")]
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 0.38 * len(rows) + 1.2))
    for i, (bench, c) in enumerate(rows[::-1]):
        colour = {True: "#1a7f37", False: "#cf222e"}.get(c.get("met"), "#57606a")
        ax.barh(i, c["ratio"], color=colour)
        if c.get("target_ratio"):
            ax.plot([c["target_ratio"]] * 2, [i - 0.4, i + 0.4], color="black", lw=2)
    ax.set_xscale("log")
    ax.axvline(1.0, color="0.6", lw=0.8, ls=":")
    labels = [f"{b}: {c['case'][:55]}" for b, c in rows[::-1]]
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.set_xlabel("ours vs the named baseline (times better; tick = target)")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def performance_page(directory: str | Path | None = None, figure: str | None = None) -> str:
    """The performance page from the JSON files the benchmark scripts wrote (``_build/benchmarks``)."""
    docs = benchmark_results(directory)
    out = ["# Performance", "",
           "Every number on this page was written by a script in `benchmarks/` (`make benchmarks`) into "
           "`_build/benchmarks/*.json` and is rendered here by the build, not typed. Each script times our code and "
           "a named baseline on the same input in the same run; the ratio says how many times better ours is. "
           "Machines are shared and noisy: read ratios rather than absolute times.", ""]
    out += WIDE_PAGE
    if not docs:
        out += ["```{note}", "No benchmark results were found in this build. Run `make benchmarks`, then `make book`.",
                "```", ""]
    if figure:
        out += ["```{figure} " + figure, ":name: fig-performance-ratios", ":width: 90%", "",
                "Measured ratio against the baseline for each case (log scale); green: the case's target is met, "
                "red: missed, grey: no target; a black tick marks a target ratio.", "```", ""]
    for doc in docs:
        out += [f"## {doc['benchmark']}", ""]
        if doc.get("what"):
            out += [_cell(doc["what"][:1].upper() + doc["what"][1:]) + ".", ""]
        out += benchmark_table(doc)
    return "\n".join(out) + "\n"


def write_performance_page(path: str | Path) -> Path:
    path = _replace_generated(Path(path))
    fig = ratio_figure(benchmark_results(), path.parent / "_generated" / "performance_ratios.png")
    return _atomic_write_text(path, performance_page(figure=None if fig is None else
                                                     os.path.relpath(fig, path.parent)))


def readme_performance(directory: str | Path) -> str:
    """The README's performance tables: the same tables as the book's performance page."""
    out = []
    for doc in benchmark_results(directory):
        out += [f"**{doc['benchmark']}**", ""] + benchmark_table(doc)
    return "\n".join(out).strip()


# ------------------------------------------------------------------------------- README tables
def unit_seconds(build: str | Path | None = None) -> dict[str, dict[str, float]]:
    """Wall seconds of the units of work computed per chapter and preset (``<build>/units-<preset>.json``),
    summed over units (CPU-side work; on N workers the wall clock is about that divided by N)."""
    b = Path(build) if build is not None else paths.build_dir()
    out: dict[str, dict[str, float]] = {}
    for f in sorted(b.glob("units-*.json")):
        preset = f.stem.split("-", 1)[1]
        for rec in json.loads(f.read_text()).values():
            ch = out.setdefault(rec.get("chapter", "?"), {})
            ch[preset] = ch.get(preset, 0.0) + float(rec.get("seconds", 0.0))
    return out


def run_time_text(notebook_s: float | None, units_s: float | None) -> str:
    """``12 s + 1.5 min of units``: the notebook's wall time and its units' summed time, when measured."""
    if notebook_s is None:
        return "-"

    def t(x: float) -> str:
        return f"{x:.0f} s" if x < 90 else f"{x / 60:.1f} min"

    return t(notebook_s) + (f" + {t(units_s)} of units" if units_s else "")


def timings_table(timings_file: str | Path | None = None) -> str:
    """Markdown table of measured chapter run times per preset: the notebook's wall time (``timings.json``)
    and, when the chapter's units of work were computed first (``--workers``), their summed time."""
    f = Path(timings_file) if timings_file is not None else paths.build_dir() / "timings.json"
    data = json.loads(f.read_text()) if Path(f).is_file() else {}
    units = unit_seconds(Path(f).parent)
    lines = ["| chapter | smoke | quick | full |", "|---|---|---|---|"]
    for name, t in data.items():
        cells = [run_time_text(t[p]["seconds"], units.get(name, {}).get(p)) if p in t else "-"
                 for p in ("smoke", "quick", "full")]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    when = sorted({v.get("when", "?")[:10] for t in data.values() for v in t.values()})
    cpus = sorted({str(v.get("cpus", "?")) for t in data.values() for v in t.values()})
    lines.append("")
    lines.append(f"Measured by `deepinfo.run` on {', '.join(when) or '-'} with {', '.join(cpus) or '-'} CPU cores, "
                 "no GPU: the notebook's wall time, plus the summed time of the units of work computed before it "
                 "(on the build's worker processes; a serial run computes them inside the notebook).")
    return "\n".join(lines)


class MissingInputs(RuntimeError):
    """A generated section's inputs are absent: the file it would rewrite is left as it is."""


def update_readme(readme: str | Path, build: str | Path | None = None) -> Path:
    """Replace the README's generated sections (between HTML comment markers) with measured tables.

    Refuses (``MissingInputs``, the README untouched) when the runner's ``timings.json`` or the
    benchmark results ``<build>/benchmarks/*.json`` are absent, or when a marker pair is missing:
    a section is never replaced by an empty table. The new README is written through a temporary
    file and a rename.
    """
    readme = Path(readme)
    build = Path(build) if build is not None else paths.build_dir()
    if not readme.is_file():
        raise MissingInputs(f"{readme}: no such file (expected the project's README.md)")
    missing = []
    if not (build / "timings.json").is_file():
        missing.append(f"{build / 'timings.json'} (run the chapters: make chapters)")
    bench = build / "benchmarks"
    if not (bench.is_dir() and any(bench.glob("*.json"))):
        missing.append(f"{bench}/*.json (run the benchmarks: make benchmarks)")
    if missing:
        raise MissingInputs("not rewriting " + str(readme) + ": its inputs are missing: " + "; ".join(missing))
    text = readme.read_text()
    sections = (("timings-table", timings_table(build / "timings.json")),
                ("performance-table", readme_performance(bench)))
    for tag, body in sections:
        start, end = f"<!-- {tag} -->", f"<!-- /{tag} -->"
        if text.count(start) != 1 or text.count(end) != 1:
            raise MissingInputs(f"not rewriting {readme}: expected one '{start}' ... '{end}' pair")
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{body}\n{end}{tail}"
    return _atomic_write_text(readme, text)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m deepinfo.report",
                                 description="Rewrite the README's generated tables from this build's measurements.")
    ap.add_argument("readme", nargs="?", default=str(paths.project_root() / "README.md"))
    args = ap.parse_args(argv)
    try:
        out = update_readme(args.readme)
    except MissingInputs as exc:
        print(f"[deepinfo.report] {exc}", file=sys.stderr)
        return 2
    print(f"[deepinfo.report] updated {out}")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
