"""The chapter runner fails loudly and loses nothing.

Every test here runs on tiny fake chapters in a temporary project root (``DEEPINFO_ROOT`` points the
runner at a folder holding ``_toc.yml`` and ``book/*.md``), never on the book's own chapters, and
fake chapters write their claims as plain JSON into ``deepinfo.paths.claims_dir()``. Their configs
live in a temporary ``experiments`` folder added to ``deepinfo.experiments`` with
``DEEPINFO_EXPERIMENTS_PATH``.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from deepinfo.experiments import config_fields, select_preset
from deepinfo.run import ChapterError, ParameterError, _record_timing, check_claims, execute_chapter, main

ROOT = Path(__file__).resolve().parents[1]

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# {name}

```{{code-cell}} ipython3
:tags: [parameters]

preset = "quick"
seed = 0
device = "auto"
overrides = {{}}
```
"""

# writes the claims file the way a chapter must: into deepinfo.paths.claims_dir()
CLAIMS_CELL = """
```{{code-cell}} ipython3
import json
from deepinfo import paths
from deepinfo.experiments import select_preset
from deepinfo.experiments.{name} import PRESETS

cfg = select_preset(PRESETS, preset, **overrides)
doc = {{"paper": "P9", "chapter": "{name}", "preset": preset, "seed": seed, "overrides": overrides,
       "claims": [{{"id": "P9.n", "status": "holds", "measured": cfg.n}},
                  {{"id": "P9.k", "status": "{status}", "measured": cfg.inner.k}}]}}
(paths.claims_dir() / "{name}.json").write_text(json.dumps(doc, sort_keys=True))
```
"""

EXPERIMENT = """
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Inner:
    k: int = 1
    xs: tuple = (1.0, 2.0)


@dataclass(frozen=True)
class Config:
    n: int = 3
    rate: float = 0.5
    inner: Inner = field(default_factory=Inner)


PRESETS = {"smoke": Config(), "quick": Config(n=10), "full": Config(n=100)}
"""


def code(src: str) -> str:
    return f"\n```{{code-cell}} ipython3\n{textwrap.dedent(src).strip()}\n```\n"


class Project:
    """A temporary project root with fake chapters; its own build dir."""

    def __init__(self, root: Path):
        self.root = root
        self.build = root / "_build"
        self.experiments = root / "experiments"
        (root / "book").mkdir(parents=True)
        (root / "lib" / "deepinfo").mkdir(parents=True)
        self.experiments.mkdir()
        self.names: list[str] = []

    def chapter(self, name: str, *cells: str, claims: str | None = "holds", experiment: str = EXPERIMENT,
                as_package: bool = False) -> Path:
        """A fake chapter: parameters cell, ``cells``, then (unless ``claims`` is None) a claims cell."""
        body = HEADER.format(name=name) + "".join(cells)
        if claims is not None:
            body += CLAIMS_CELL.format(name=name, status=claims)
        path = self.root / "book" / f"{name}.md"
        path.write_text(body)
        if as_package:
            (self.experiments / name).mkdir()
            (self.experiments / name / "run.py").write_text(experiment)
            (self.experiments / name / "__init__.py").write_text("from .run import Config, PRESETS  # noqa\n")
        else:
            (self.experiments / f"{name}.py").write_text(experiment)
        if name not in self.names:
            self.names.append(name)
        toc = "format: jb-book\nroot: book/intro\nchapters:\n" + "".join(f"- file: book/{n}\n" for n in self.names)
        (self.root / "_toc.yml").write_text(toc)
        (self.root / "book" / "intro.md").write_text("# Intro\n")
        return path

    def env(self) -> dict:
        return {**os.environ, "DEEPINFO_ROOT": str(self.root), "DEEPINFO_BUILD_DIR": str(self.build),
                "DEEPINFO_CACHE_DIR": str(self.build / "cache"), "DEEPINFO_EXPERIMENTS_PATH": str(self.experiments)}

    def leftovers(self) -> list[Path]:
        """Temporary files of the runner left behind (there must be none)."""
        return [p for p in self.build.rglob(".*") if p.name != ".lock" and not p.name.endswith(".lock")]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    p = Project(tmp_path / "proj")
    for k, v in p.env().items():
        if k.startswith("DEEPINFO_"):
            monkeypatch.setenv(k, v)
    monkeypatch.setenv("DEEPINFO_HEARTBEAT_S", "0")
    monkeypatch.delenv("DEEPINFO_CLAIMS_DIR", raising=False)
    return p


def line_of(path: Path, text: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if text in ln)


# ----------------------------------------------------------------------------------------------
# parameters: checked before anything executes (no kernel is started in these tests)
# ----------------------------------------------------------------------------------------------

def test_unknown_parameter_fails_before_executing(project, capsys):
    marker = project.root / "executed.txt"
    project.chapter("x", code(f"open({str(marker)!r}, 'w').write('ran')"))
    assert main(["x", "--preset", "smoke", "-p", "n_realisations=12"]) == 2
    err = capsys.readouterr().err
    assert "n_realisations" in err and "preset, seed, device, overrides" in err
    assert "nothing was executed" in err and not marker.exists()
    with pytest.raises(ParameterError, match="n_realisations"):
        execute_chapter("x", "smoke", parameters={"n_realisations": 12})
    assert not marker.exists()


def test_preset_seed_device_only_through_options(project, capsys):
    project.chapter("x")
    assert main(["x", "--preset", "quick", "-p", "preset=smoke"]) == 2
    assert "--preset smoke" in capsys.readouterr().err
    assert main(["x", "-p", "seed=3"]) == 2
    assert "--seed 3" in capsys.readouterr().err
    assert not (project.build / "timings.json").exists()


def test_unknown_override_field_fails_naming_it(project, capsys):
    project.chapter("x")
    assert main(["x", "--preset", "smoke", "--set", "n_realisations=6"]) == 2
    err = capsys.readouterr().err
    assert "n_realisations" in err and "inner.k" in err  # the bad field and the valid ones
    assert main(["x", "--preset", "smoke", "-p", 'overrides={"inner.nope": 1}']) == 2
    assert "inner.nope" in capsys.readouterr().err
    assert main(["x", "--preset", "smoke", "-p", "overrides=6"]) == 2
    assert "JSON object" in capsys.readouterr().err
    assert main(["x", "--preset", "smoke", "--set", "n=\"many\""]) == 2  # wrong type
    assert "'n'" in capsys.readouterr().err


def test_overrides_need_an_overrides_parameter(project, capsys):
    path = project.chapter("x")
    path.write_text(path.read_text().replace("overrides = {}\n", "", 1).replace("**overrides", ""))
    assert main(["x", "--set", "n=2"]) == 2
    assert "overrides = {}" in capsys.readouterr().err


def test_select_preset_dotted_and_nested_fields():
    from dataclasses import dataclass, field

    @dataclass(frozen=True)
    class Inner:
        k: int = 1
        xs: tuple = (1.0, 2.0)

    @dataclass(frozen=True)
    class Config:
        n: int = 3
        rate: float = 0.5
        inner: Inner = field(default_factory=Inner)

    presets = {"smoke": Config()}
    cfg = select_preset(presets, "smoke", **{"inner.k": 5, "rate": 1, "inner.xs": [3, 4]})
    assert cfg == Config(rate=1.0, inner=Inner(k=5, xs=(3.0, 4.0)))
    assert isinstance(cfg.rate, float) and isinstance(cfg.inner.xs, tuple)  # hashable, same cache key
    assert select_preset(presets, "smoke", inner={"k": 2}).inner == Inner(k=2)
    assert config_fields(Config()) == ["n", "rate", "inner", "inner.k", "inner.xs"]
    with pytest.raises(ValueError, match=r"inner\.nope.*valid fields: n, rate, inner, inner\.k"):
        select_preset(presets, "smoke", **{"inner.nope": 1})
    with pytest.raises(ValueError, match="'n'"):
        select_preset(presets, "smoke", n="3")
    with pytest.raises(ValueError, match="preset='medium'"):
        select_preset(presets, "medium")


def test_unknown_chapter_and_preset_are_rejected(project):
    project.chapter("x")
    with pytest.raises(ValueError, match="not an executable chapter"):
        execute_chapter("no_such_chapter", "smoke")
    with pytest.raises(ValueError, match="preset"):
        execute_chapter("x", "medium")
    with pytest.raises(SystemExit):
        main(["no_such_chapter", "--preset", "smoke"])


def test_list_prints_aligned_columns(project, capsys):
    project.chapter("x")
    project.chapter("a_much_longer_name")
    assert main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split()[0] for ln in lines] == ["chapter", "x", "a_much_longer_name"]
    assert len({ln.index("book/") for ln in lines[1:]}) == 1 and lines[0].index("source") == lines[1].index("book/")
    assert "preset, seed, device, overrides" in lines[1]


# ----------------------------------------------------------------------------------------------
# claims
# ----------------------------------------------------------------------------------------------

def _claims(directory: Path, name: str, *statuses: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.json").write_text(json.dumps(
        {"paper": "P9", "chapter": name, "preset": "smoke",
         "claims": [{"id": f"P9.{i}", "status": s} for i, s in enumerate(statuses)]}))


def test_check_claims(tmp_path):
    with pytest.raises(ChapterError, match="wrote no claims file"):
        check_claims("c", tmp_path)
    _claims(tmp_path, "c", "holds", "not evaluated")
    with pytest.raises(ChapterError, match="P9.1"):
        check_claims("c", tmp_path)
    _claims(tmp_path, "c", "holds", "maybe")
    with pytest.raises(ChapterError, match="maybe"):
        check_claims("c", tmp_path)
    _claims(tmp_path, "c", "holds", "does not hold", "inconclusive")
    assert len(check_claims("c", tmp_path)["claims"]) == 3
    with pytest.raises(ChapterError, match="preset"):
        check_claims("c", tmp_path, preset="quick")
    doc = json.loads((tmp_path / "c.json").read_text())
    (tmp_path / "c.json").write_text(json.dumps({**doc, "seed": 0, "overrides": {"n": 2}}))
    assert check_claims("c", tmp_path, preset="smoke", seed=0, overrides={"n": 2})
    with pytest.raises(ChapterError, match="seed=3"):  # a chapter that did not pass the seed on
        check_claims("c", tmp_path, seed=3)
    with pytest.raises(ChapterError, match="overrides"):
        check_claims("c", tmp_path, overrides={"n": 3})
    (tmp_path / "c.json").write_text("{not json")
    with pytest.raises(ChapterError, match="not a claims document"):
        check_claims("c", tmp_path)


# ----------------------------------------------------------------------------------------------
# execution (each test starts one to three kernels)
# ----------------------------------------------------------------------------------------------

def test_set_reaches_the_config_and_the_claims(project, capsys):
    nb_path = project.chapter("x", code("""
        import sys, warnings
        warnings.warn("cache entry /c/x (result) is unusable (checksum mismatch); recomputing")
        print("tqdm-like progress 10%", file=sys.stderr)
    """), as_package=True)
    assert main(["x", "--preset", "smoke", "--seed", "3", "--set", "n=7", "--set", "inner.k=2",
                 "-p", 'overrides={"n": 5, "rate": 1}']) == 0
    out, err = capsys.readouterr()
    assert "x: executing at preset=smoke seed=3 device=auto" in out and '"inner.k": 2' in out
    assert "UserWarning: cache entry /c/x (result) is unusable" in err  # the chapter's warning reached us
    assert "tqdm-like" not in err
    for f in (project.build / "claims" / "x.json", project.build / "claims" / "smoke" / "x.json"):
        doc = json.loads(f.read_text())
        assert doc["preset"] == "smoke" and doc["seed"] == 3
        assert doc["overrides"] == {"n": 7, "rate": 1, "inner.k": 2}  # --set wins over -p overrides
        assert [c["measured"] for c in doc["claims"]] == [7, 2]
    timings = json.loads((project.build / "timings.json").read_text())
    assert set(timings) == {"x"} and set(timings["x"]) == {"smoke"}
    import nbformat

    nb = nbformat.read(project.build / "executed" / "book" / "x.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'preset = "smoke"' in injected[0].source and "seed = 3" in injected[0].source
    assert "overrides =" in injected[0].source
    assert project.leftovers() == [] and nb_path.is_file()


def test_failures_are_reported_and_the_rest_carried_on(project, capsys):
    dies = project.chapter("dies", code("""
        import os
        os._exit(1)  # as an out-of-memory kill would
    """))
    bad = project.chapter("bad", code("""
        def helper():
            return 1 / 0

        x = 1
        y = helper()  # fails here
    """))
    project.chapter("no_claims", claims=None)
    project.chapter("unevaluated", claims="not evaluated")
    project.chapter("good")
    assert main(["--preset", "smoke"]) == 1
    out, err = capsys.readouterr()
    table = out[out.index("summary:"):]
    rows = {ln.split()[0]: ln.split()[1] for ln in table.splitlines()[2:]}
    assert rows == {"dies": "FAILED", "bad": "FAILED", "no_claims": "FAILED", "unevaluated": "FAILED", "good": "ok"}
    assert f"book/dies.md:{line_of(dies, 'import os')}" in err and "kernel died" in err
    # the failing cell by its line in the .md, its first lines, the last traceback frames
    assert f"book/bad.md:{line_of(bad, 'y = helper()')}" in err
    assert "| def helper():" in err and "ZeroDivisionError" in err and "return 1 / 0" in err
    assert "wrote no claims file no_claims.json" in err
    assert "not evaluated: ['P9.k']" in err
    assert (project.build / "claims" / "good.json").is_file()
    for name in ("dies", "bad", "no_claims", "unevaluated"):
        assert not (project.build / "claims" / f"{name}.json").exists()
        assert not (project.build / "executed" / "book" / f"{name}.ipynb").exists()
    assert (project.build / "executed" / "book" / "bad.failed.ipynb").is_file()  # kept to read the traceback
    assert set(json.loads((project.build / "timings.json").read_text())) == {"good"}  # failures record no time
    assert project.leftovers() == []


def _snapshot(project: Project, name: str) -> dict:
    fs = [project.build / "executed" / "book" / f"{name}.ipynb", project.build / "claims" / f"{name}.json",
          project.build / "claims" / "smoke" / f"{name}.json"]
    return {f: f.read_bytes() for f in fs}


def test_failed_or_interrupted_run_keeps_the_last_good_results(project, capsys):
    project.chapter("x", code("""
        import os, time
        from deepinfo import paths
        mode = os.environ.get("FAKE_MODE", "")
        (paths.claims_dir() / "x.json").write_text('{"claims": [{"id": "P9.n", "status": "not evaluated"}]}')
        if mode == "raise":
            raise RuntimeError("boom")
        if mode == "sleep":
            print("sleeping", flush=True)
            time.sleep(60)
    """))
    assert main(["x", "--preset", "smoke"]) == 0
    good = _snapshot(project, "x")
    capsys.readouterr()

    os.environ["FAKE_MODE"] = "raise"  # the kernel inherits it
    try:
        assert main(["x", "--preset", "smoke"]) == 1
    finally:
        del os.environ["FAKE_MODE"]
    assert "RuntimeError: boom" in capsys.readouterr().err
    assert _snapshot(project, "x") == good and project.leftovers() == []

    # interrupted: Ctrl-C of a runner process while a cell runs (the heartbeat shows where)
    env = {**project.env(), "FAKE_MODE": "sleep", "DEEPINFO_HEARTBEAT_S": "0.5"}
    # the runner starts with SIGINT at its default and unblocked, whatever this test process inherited or
    # an earlier test left behind (an ignored or blocked signal survives exec; in the whole suite, and only
    # there, the runner once ran its 60 s cell to the end and exited 0)
    def default_sigint():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    proc = subprocess.Popen([sys.executable, "-m", "deepinfo.run", "x", "--preset", "smoke"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=default_sigint)
    lines = []
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        lines.append(line)
        if "still running" in line and "book/x.md" in line or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGINT)
    # a runner that ignored the interrupt would let the 60 s cell finish and exit 0 (caught below)
    rest, _ = proc.communicate(timeout=180)
    log = "".join(lines) + rest
    assert proc.returncode == 130, log
    assert re.search(r"x: still running, \d+ s, cell \d+/\d+", log), log
    assert "interrupted" in log
    assert _snapshot(project, "x") == good and project.leftovers() == []


def test_a_chapter_package_works_like_a_module(project, capsys):
    project.chapter("pkg", as_package=True)
    assert main(["pkg", "--preset", "full", "--set", "inner.xs=[5, 6]"]) == 0
    doc = json.loads((project.build / "claims" / "full" / "pkg.json").read_text())
    assert doc["preset"] == "full" and [c["measured"] for c in doc["claims"]] == [100, 1]


# ----------------------------------------------------------------------------------------------
# concurrency
# ----------------------------------------------------------------------------------------------

def _hammer_timings(args):
    build, worker, n = args
    os.environ["DEEPINFO_BUILD_DIR"] = build
    for i in range(n):
        _record_timing(f"c{worker}_{i}", "smoke", float(i))


def test_concurrent_timings_are_all_kept(tmp_path, monkeypatch):
    import multiprocessing

    monkeypatch.setenv("DEEPINFO_BUILD_DIR", str(tmp_path))
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(4) as pool:
        pool.map(_hammer_timings, [(str(tmp_path), w, 250) for w in range(4)])
    data = json.loads((tmp_path / "timings.json").read_text())
    assert len(data) == 1000 and all(data[f"c{w}_{i}"]["smoke"]["seconds"] == i for w in range(4) for i in range(250))
    assert [p.name for p in tmp_path.iterdir() if p.name != "timings.json.lock"] == ["timings.json"]


def test_two_concurrent_runs_of_a_chapter_both_succeed(project):
    project.chapter("x", code("import time; time.sleep(1)"))
    cmd = [sys.executable, "-m", "deepinfo.run", "x", "--preset", "smoke", "--set", "n=4"]
    procs = [subprocess.Popen(cmd, env=project.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(2)]
    logs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], logs
    a = json.loads((project.build / "claims" / "x.json").read_text())
    b = json.loads((project.build / "claims" / "smoke" / "x.json").read_text())
    assert a == b and [c["measured"] for c in a["claims"]] == [4, 1]
    assert all("x: done in" in log for log in logs)
    assert project.leftovers() == []


# ----------------------------------------------------------------------------------------------
# the layout: chapters without the runner, make help
# ----------------------------------------------------------------------------------------------

def test_chapter_list_needs_no_runner():
    code_ = ("import sys, deepinfo.chapters as c; c.chapter_paths(); "
             "assert 'deepinfo.run' not in sys.modules and 'papermill' not in sys.modules")
    subprocess.run([sys.executable, "-c", code_], check=True, env={**os.environ, "DEEPINFO_ROOT": str(ROOT)})


def test_make_help_lists_every_target_the_readme_mentions():
    out = subprocess.run(["make", "-s", "-C", str(ROOT), "help"], capture_output=True, text=True, check=True).stdout
    listed = set(re.findall(r"^make ([\w-]+)", out, re.M))
    readme = set(re.findall(r"`make ([\w-]+)", (ROOT / "README.md").read_text()))
    phony = set(re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(), re.M).group(1).split()) - {"sysdeps"}
    assert readme <= listed and phony <= listed, (readme - listed, phony - listed)


# ----------------------------------------------------------------------------------------------
# --workers: units of work on a local Dask cluster first, then chapters side by side
# ----------------------------------------------------------------------------------------------
UNITS_EXPERIMENT = EXPERIMENT + '''
import os
from pathlib import Path

from deepinfo.cache import ResultCache
from deepinfo.compute import Unit


def fill(n: int, tag: str) -> dict:
    """The chapter's one expensive step; a file per real computation tells the test where it ran."""
    def compute():
        calls = Path(os.environ["DEEPINFO_BUILD_DIR"]) / "calls"
        calls.mkdir(parents=True, exist_ok=True)
        (calls / f"{tag}-{os.getpid()}").touch()
        return {"n": n}
    return ResultCache().get_or_compute("fake_fill", {"n": n, "tag": tag}, compute)


def units(cfg, seed=0, device="auto"):
    tag = __name__.rsplit(".", 1)[-1]
    return [Unit(tag, "fill", "fake_fill", {"n": cfg.n, "tag": tag}, fill, (cfg.n, tag))]
'''


def test_workers_compute_units_first_then_run_chapters_side_by_side(project, capsys):
    for name in ("a", "b"):
        project.chapter(name, code(f"from deepinfo.experiments.{name} import fill, PRESETS\n"
                                   f"fill(PRESETS[preset].n, {name!r})"), experiment=UNITS_EXPERIMENT)
    assert main(["--preset", "smoke", "--workers", "2"]) == 0
    calls = sorted(p.name.split("-")[0] for p in (project.build / "calls").iterdir())
    assert calls == ["a", "b"]  # each unit computed once, by a Dask worker, not again by its chapter's kernel
    out = capsys.readouterr()
    assert "2 unit(s) to compute on 2 local worker(s)" in out.out + out.err
    assert "executing 2 chapters, 2 at a time" in out.out + out.err
    for name in ("a", "b"):
        assert json.loads((project.build / "claims" / f"{name}.json").read_text())["preset"] == "smoke"
    with pytest.raises(SystemExit):
        main(["a", "--preset", "smoke", "--workers", "0"])


def test_staging_never_removes_a_folder_it_did_not_stage(project):
    from deepinfo.run import stage_book

    project.chapter("x")
    theirs = project.build / "src"
    theirs.mkdir(parents=True)
    (theirs / "notes.txt").write_text("mine")
    with pytest.raises(ChapterError, match="was not staged by the runner"):
        stage_book(project.root, partial=True)
    assert (theirs / "notes.txt").read_text() == "mine"
    (theirs / "notes.txt").unlink()
    stage = stage_book(project.root, partial=True)  # an empty folder, then its own staging: fine
    assert (stage / ".deepinfo-stage").is_file()
    assert stage_book(project.root, partial=True) == stage
