"""Every chapter of the book executes through papermill at the smoke preset and evaluates all its claims."""
import dataclasses
import json
import re

import nbformat
import pytest

from deepinfo import paths
from deepinfo.claims import KINDS, STATUSES
from deepinfo.chapters import chapter_paths, toc_files
from deepinfo.experiments import PRESET_NAMES
from deepinfo.run import chapter_parameters, check_claims, execute_chapter, experiment_presets

CHAPTERS = list(chapter_paths())


def test_toc_lists_the_four_papers():
    assert {"resolution_relevance", "scale_invariance", "information_plane", "cheap_learning"} <= set(CHAPTERS)
    for entry in toc_files():
        assert (paths.project_root() / f"{entry}.md").is_file(), f"_toc.yml lists {entry}, which has no .md"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_has_one_parameters_cell(name):
    import jupytext

    nb = jupytext.read(chapter_paths()[name])
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name}: expected exactly one cell tagged 'parameters', found {len(tagged)}"
    for p in ("preset", "seed", "device", "overrides"):
        assert f"{p} =" in tagged[0].source, f"{name}: the parameters cell does not set {p}"
    # what the runner accepts for -p: the names the cell assigns
    assert {"preset", "seed", "device", "overrides"} <= set(chapter_parameters(name))


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_config_can_be_overridden(name):
    """--set FIELD=VALUE reaches deepinfo.experiments.<chapter>: PRESETS holds a dataclass per preset."""
    presets = experiment_presets(name)
    assert set(PRESET_NAMES) <= set(presets), f"{name}: PRESETS lacks {set(PRESET_NAMES) - set(presets)}"
    for preset in PRESET_NAMES:
        assert dataclasses.is_dataclass(presets[preset]), f"{name}: PRESETS[{preset!r}] is not a dataclass"


# a line that glues page values or records claims: glue(...), page.glue_all(...), claims.record(...),
# rec.record_all(...)
GLUE_OR_RECORD = r"^((\w+\.)?glue(_all)?\(|\w+\.record(_all)?\()"


def test_plumbing_lines_are_recognised():
    for ln in ("glue('x', 1)", "page.glue_all(page.rbm_text(rbm, V))", "claims.record(c)", "rec.record_all(cs)"):
        assert re.match(GLUE_OR_RECORD, ln), ln
    for ln in ("fig = figures.fig_1(rbm)", "glued = 3", "plt.show()"):
        assert not re.match(GLUE_OR_RECORD, ln), ln


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_claim_is_decided_in_a_chapter_and_plumbing_cells_are_hidden(name):
    """Decisions live in the chapter's claims module (with tests); cells that only record or glue are hidden."""
    import jupytext

    nb = jupytext.read(chapter_paths()[name])
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        src = c.source
        assert not re.search(r"\.record\(.*\b(holds|status)\s*=", src), f"{name}: a claim decided in the page:\n{src}"
        lines = [ln.strip() for ln in src.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        plumbing = lines and all(re.match(GLUE_OR_RECORD + r"|^(\)|\]|\}|[\w\"',\s.=()\[\]{}:%+-]*\)$)", ln)
                                    for ln in lines) and any(re.match(GLUE_OR_RECORD, ln) for ln in lines)
        if plumbing:
            tags = c.metadata.get("tags", [])
            assert {"remove-input", "remove-cell", "hide-input"} & set(tags), \
                f"{name}: a cell that only records or glues is shown on the page (tag it remove-input):\n{src[:300]}"


@pytest.mark.chapter
@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_executes_at_smoke(name, build_dir):
    out = execute_chapter(name, preset="smoke", seed=0, device="auto")
    nb = nbformat.read(out, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "preset = \"smoke\"" in injected[0].source
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    for c in nb.cells:  # a cell that declares a figure must have produced an image
        if c.cell_type == "code" and "figure" in c.metadata.get("mystnb", {}):
            label = c.metadata["mystnb"]["figure"].get("name")
            assert any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
                       for o in c.outputs), f"{name}: figure cell {label} produced no image"
    doc = check_claims(name)  # raises if a declared claim was left unevaluated
    assert doc["claims"], f"{name}: the claims file declares no claim"
    for c in doc["claims"]:  # the claim model's fields, as the report reads them
        where = f"{name}: {c['id']}"
        assert c["kind"] in KINDS and c["status"] in STATUSES, where
        assert c["scale"]["preset"] == "smoke", where
        assert c["threshold"].strip() and c["threshold_reason"].strip(), where
        if c["status"] == "inconclusive":
            assert c["reason"].strip(), f"{where}: inconclusive without a reason"
        else:
            assert c["value"] is not None and c["uncertainty"], f"{where}: a decided claim needs value and uncertainty"
    timings = json.loads((build_dir / "timings.json").read_text())
    assert timings[name]["smoke"]["seconds"] > 0
