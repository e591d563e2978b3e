"""The reproduction report, the chapter summary box and the README tables, from claims files the claim model writes."""
import json

import pytest

from deepinfo.claims import ClaimRecorder, ClaimSpec, Uncertainty, compare, exact_check, inconclusive, load_claims
from deepinfo.report import (MissingInputs, counts, main, render, summary_box, update_readme, write_report)


def spec(id, kind="paper", **kw):
    return ClaimSpec(id=id, kind=kind, statement=kw.pop("statement", f"statement of {id}"), paper_value="H8",
                     threshold="x > 0.5", threshold_reason="the paper's wording", **kw)


def chapter(tmp_path, preset="quick"):
    rec = ClaimRecorder("P1", chapter="resolution_relevance", preset=preset, seed=2, scale={"data": "MNIST (real)",
                        "M": 10000, "realisations": 3}, directory=tmp_path)
    rec.declare_all([spec("P1.first"), spec("P1.second", test_differs="we use a bootstrap"), spec("P1.third"),
                     spec("P1.objection", "critique"), spec("P1.instrument", "estimator"),
                     spec("P1.identity", "sanity")])
    se = Uncertainty.from_samples([0.9, 1.0, 1.1], "DBN realisations")
    rec.record("P1.first", compare(0.1, se, 0.5))                    # does not hold
    rec.record("P1.second", compare(1.0, se, 0.5))                   # holds
    rec.record("P1.third", inconclusive("tail of 3 distinct frequencies"))
    rec.record("P1.objection", exact_check(True, 1.0, "binning matters"))
    rec.record("P1.instrument", exact_check(True, 0.0, "DPI"))
    rec.record("P1.identity", exact_check(True, 0.0, "I(X;T) = H[s]"))
    return rec


def test_counts_only_paper_claims(tmp_path):
    doc = chapter(tmp_path).to_dict()
    assert counts(doc) == {"holds": 1, "does not hold": 1, "inconclusive": 1, "not evaluated": 0}
    assert counts(doc, "sanity") == {"holds": 1, "does not hold": 0, "inconclusive": 0, "not evaluated": 0}


def test_report_groups_by_status_and_kind(tmp_path):
    chapter(tmp_path)
    page = render(load_claims(tmp_path))
    assert "(report-p1)=" in page and "1 holds, 1 does not hold, 1 inconclusive (of 3)" in page
    paper_table = page.split("**Published objections")[0]
    # grouped by status: holds before does not hold before inconclusive, whatever the declared order
    assert paper_table.index("`P1.second`") < paper_table.index("`P1.first`") < paper_table.index("`P1.third`")
    assert "tail of 3 distinct frequencies" in paper_table and "<b>differs from the paper</b>: we use a bootstrap" in page
    assert "+/- 0.05774 (standard error over 3 DBN realisations)" in page
    assert "P1.objection" in page.split("**Published objections")[1].split("**Checks of our")[0]
    sanity = page.split("Sanity checks")[1]
    assert ":class: dropdown" in sanity and "P1.identity" in sanity and "P1.identity" not in paper_table
    assert "data: MNIST (real); M: 10000; realisations: 3" in page  # the page's scale, stated once
    assert "at epochs: 5" not in page


def test_report_shows_full_beside_quick_and_draws_the_summary_figure(tmp_path):
    chapter(tmp_path)
    (tmp_path / "full").mkdir()
    full = chapter(tmp_path / "full", preset="full")
    full.record("P1.first", compare(0.9, Uncertainty("se", se=0.01), 0.5))  # at full it holds
    out = write_report(tmp_path / "site" / "report.md", directory=tmp_path)
    page = out.read_text()
    assert "| full preset |" in page and "At full: **2 hold, 1 inconclusive (of 3)**" in page
    assert "_generated/report_summary.png" in page and (tmp_path / "site" / "_generated" / "report_summary.png").is_file()


def test_summary_box_agrees_with_the_claims(tmp_path):
    doc = chapter(tmp_path).to_dict()
    box = summary_box(doc)
    assert box.startswith("```{admonition} At a glance") and box.rstrip().endswith("```")
    assert "1 holds, 1 does not hold, 1 inconclusive (of 3)" in box and "No full-preset result yet" in box
    assert "1 critique, 1 estimator, 1 sanity" in box and "1 claim(s) tested differently" in box
    assert "{ref}`the reproduction report <report-p1>`" in box and "M: 10000" in box


def test_readme_is_not_rewritten_without_its_inputs(tmp_path, capsys, monkeypatch):
    readme = tmp_path / "README.md"
    text = "# R\n<!-- timings-table -->\nold timings\n<!-- /timings-table -->\n" \
           "<!-- performance-table -->\n96 lines of tables\n<!-- /performance-table -->\n"
    readme.write_text(text)
    build = tmp_path / "_build"
    with pytest.raises(MissingInputs, match="benchmarks"):
        update_readme(readme, build)
    assert readme.read_text() == text
    monkeypatch.setenv("DEEPINFO_BUILD_DIR", str(build))  # the command line reads this build: nothing in it yet
    assert main([str(readme)]) == 2 and "not rewriting" in capsys.readouterr().err
    assert readme.read_text() == text
    (build / "benchmarks").mkdir(parents=True)
    (build / "benchmarks" / "x.json").write_text(json.dumps({"cases": [{"case": "a", "ratio": 3.0}]}))
    (build / "timings.json").write_text(json.dumps({"c": {"quick": {"seconds": 60, "when": "2026-12-01T00:00",
                                                                    "cpus": 2}}}))
    update_readme(readme, build)
    new = readme.read_text()
    assert "old timings" not in new and "96 lines" not in new and "| `c` | - | 60 s | - |" in new
    assert not list(tmp_path.glob(".README.md.*"))


def test_performance_page_is_a_table_per_benchmark(build_dir):
    from deepinfo.benchmarking import Case, write_results
    from deepinfo.report import performance_page, write_performance_page

    write_results("demo", [Case("counts", ours=0.5, baseline="Counter of row tuples", baseline_value=5.0,
                                target_s=0.2, target_ratio=10),
                           Case("rate", ours=300.0, unit="samples/s", baseline="a loop", baseline_value=100.0,
                                target_ratio=2.0)], what="a demonstration")
    (build_dir / "benchmarks" / "old.json").write_text(json.dumps({"paper_scale": {"x": 1}}))
    page = performance_page()
    assert "| case | ours | baseline | ratio | target | met |" in page
    # 0.5 s misses <= 0.2 s although the ratio meets >= 10x: the case is missed
    assert "| counts | 0.5 s | 5 s<br><small>Counter of row tuples</small> | 10.0x | <= 0.2 s, >= 10x the baseline |" \
           in page and ">missed<" in page
    assert "| rate | 300 samples/s | 100 samples/s<br><small>a loop</small> | 3.0x |" in page and ">met<" in page
    assert "not in the benchmark format" in page and "paper_scale" not in page  # never a raw JSON key path
    out = write_performance_page(build_dir / "site" / "performance.md")
    assert "_generated/performance_ratios.png" in out.read_text()
    assert (build_dir / "site" / "_generated" / "performance_ratios.png").is_file()


def test_snapshot_with_provenance_and_the_stale_flag(tmp_path, build_dir, monkeypatch):
    from deepinfo import snapshot

    monkeypatch.setenv("DEEPINFO_DATA_DIR", str(tmp_path / "data"))
    full_dir = build_dir / "claims" / "full"
    rec = ClaimRecorder("P4", chapter="cheap_learning", preset="full", directory=full_dir)
    rec.declare(spec("P4.a"))
    rec.record("P4.a", exact_check(True, 1.0, "x"))
    path = snapshot.write_snapshot("cheap_learning", command="python -m deepinfo.run cheap_learning --preset full")
    doc = json.loads(path.read_text())
    assert path == tmp_path / "data" / "results" / "full" / "cheap_learning.json"
    prov = doc["provenance"]
    assert prov["package_sha256"] == snapshot.package_hash("cheap_learning") and prov["machine"]["cpus"] >= 1
    assert not snapshot.is_stale(doc)
    assert snapshot.is_stale({**doc, "provenance": {**prov, "package_sha256": "0" * 64}})
    from deepinfo.report import full_results, snapshot_note

    got = full_results(tmp_path / "no-claims-here")["cheap_learning"]
    assert got["claims"][0]["status"] == "holds" and got["_snapshot"]["stale"] is False
    assert "{warning}" in snapshot_note({**prov, "stale": True}) and "{warning}" not in snapshot_note(prov)
    with pytest.raises(FileNotFoundError, match="--preset full"):
        snapshot.make_snapshot("synthesis")


def test_staged_chapter_opens_with_its_summary_box(build_dir, tmp_path):
    import nbformat

    from deepinfo import paths
    from deepinfo.run import _stage_notebook

    rec = ClaimRecorder("P3", chapter="boxdemo", preset="smoke", scale={"M": 4096}, directory=paths.claims_dir())
    rec.declare(spec("P3.a"))
    rec.record("P3.a", exact_check(False, 0.0, "no"))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A title\n\nIntro text."),
                                         nbformat.v4.new_code_cell("x = 1")])
    src, dst = tmp_path / "boxdemo.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    _stage_notebook(src, dst)
    first = nbformat.read(dst, as_version=4).cells[0].source
    assert first.startswith("# A title\n\n```{admonition} At a glance") and first.rstrip().endswith("Intro text.")
    assert "0 holds" not in first and "1 does not hold (of 1)" in first


def test_conjectures_are_counted_apart_and_bars_never_mix_presets(tmp_path):
    from deepinfo.report import summary_figure

    s = ClaimRecorder("S", chapter="synthesis", preset="quick", directory=tmp_path)
    s.declare_all([spec("S.link", "conjecture"), spec("S.id", "sanity")])
    s.record("S.link", exact_check(True, 1.0, "x"))
    s.record("S.id", exact_check(True, 0.0, "x"))
    doc = s.to_dict()
    box = summary_box(doc)
    assert "This book's conjectures" in box and "1 holds (of 1)" in box and "The paper's claims" not in box
    page = render({"synthesis": doc})
    assert "Conjectures at the quick preset: **1 holds (of 1)**" in page and "This book's conjectures" in page
    a = chapter(tmp_path / "a")  # P1 at quick
    b = ClaimRecorder("P1", chapter="resolution_relevance_supplement", preset="smoke", directory=tmp_path / "b")
    b.declare(spec("P1.s"))
    b.record("P1.s", exact_check(True, 1.0, "x"))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    captured = {}
    real = plt.subplots

    def spy(*args, **kw):
        fig, ax = real(*args, **kw)
        captured["ax"] = ax
        return fig, ax

    plt.subplots = spy
    try:
        summary_figure({"x": a.to_dict(), "y": b.to_dict()}, None, tmp_path / "fig.png")
    finally:
        plt.subplots = real
    labels = [t.get_text() for t in captured["ax"].get_yticklabels()]
    assert any("resolution_relevance (quick)" in t for t in labels)
    assert any("resolution_relevance_supplement (smoke)" in t for t in labels)


def test_a_stale_full_run_is_flagged_and_never_hides_a_snapshot(tmp_path, monkeypatch):
    from deepinfo.report import full_results

    d = tmp_path / "claims"
    rec = ClaimRecorder("P4", chapter="cheap_learning", preset="full", directory=d / "full")
    rec.declare(spec("P4.a"))
    rec.record("P4.a", exact_check(True, 1.0, "x"))  # written without a package hash: stale
    monkeypatch.setenv("DEEPINFO_DATA_DIR", str(tmp_path / "nodata"))
    got = full_results(d)["cheap_learning"]
    assert got["_stale"] is True
    assert "(**stale**" in summary_box(chapter(tmp_path / "q").to_dict(), got)


def test_run_times_count_the_units_computed_before_the_notebook(tmp_path):
    from deepinfo.report import run_time_text, timings_table, unit_seconds

    (tmp_path / "timings.json").write_text(json.dumps({"c": {"quick": {"seconds": 12.0, "when": "2026-12-01T09", "cpus": 2}}}))
    (tmp_path / "units-quick.json").write_text(json.dumps({"c/a/1": {"chapter": "c", "seconds": 60.0},
                                                           "c/b/2": {"chapter": "c", "seconds": 30.0}}))
    assert unit_seconds(tmp_path) == {"c": {"quick": 90.0}}
    assert run_time_text(12.0, 90.0) == "12 s + 1.5 min of units" and run_time_text(12.0, None) == "12 s"
    assert "| `c` | - | 12 s + 1.5 min of units | - |" in timings_table(tmp_path / "timings.json")


def test_report_links_the_finite_size_figure(tmp_path):
    from deepinfo.report import FINITE_SIZE_FIGURES

    chapter(tmp_path)
    page = render(load_claims(tmp_path))
    assert f"{{numref}}`{FINITE_SIZE_FIGURES['resolution_relevance']}`" in page
    # every linked label is defined on its chapter's page
    from pathlib import Path

    book = Path(__file__).resolve().parents[1] / "book"
    for ch, label in FINITE_SIZE_FIGURES.items():
        assert f"name: {label}" in (book / f"{ch}.md").read_text(), (ch, label)
