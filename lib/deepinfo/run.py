"""The chapter runner: execute chapters with papermill at a preset, then render the book.

    python -m deepinfo.run                         # every chapter at the quick preset
    python -m deepinfo.run information_plane --preset smoke
    python -m deepinfo.run resolution_relevance --preset full --device cuda --set n_realisations=12
    python -m deepinfo.run cheap_learning -p overrides='{"shallow_deep.steps": 50}'
    python -m deepinfo.run --build-book            # execute every chapter, then jupyter-book build

Chapters are the jupytext MyST files listed in ``_toc.yml`` that carry a kernelspec
(:mod:`deepinfo.chapters`). Each is converted with jupytext in memory (papermill cannot read
``.md``) and executed with papermill, the runner's parameters injected after the cell tagged
``parameters``.

Parameters are checked before anything runs: ``-p NAME=VALUE`` must name a variable assigned in
the chapter's parameters cell (``preset``, ``seed`` and ``device`` are set with ``--preset``,
``--seed``, ``--device`` only, so the banner, ``timings.json`` and the claims folder always say
what ran). Config fields are changed through the chapter's ``overrides`` parameter, given as
``-p overrides='{"field": value}'`` or ``--set field=value`` (repeatable, JSON values, nested
fields dotted); each field must be a field of the preset's config in
``deepinfo.experiments.<chapter>``.

Nothing good is lost to a failed or concurrent run: the chapter executes into a temporary
notebook beside ``_build/executed/book/<chapter>.ipynb`` and writes its claims into a private
folder (``DEEPINFO_CLAIMS_DIR``); both are moved into place with ``os.replace`` only when the
chapter finished and every claim it declared was evaluated (``_build/claims/<chapter>.json`` and
``_build/claims/<preset>/<chapter>.json``). The wall time goes to ``_build/timings.json`` (locked,
written atomically). A chapter that raises, whose kernel dies, that writes no claims file or leaves
a claim unevaluated is a failure: the runner reports it (the ``.md`` line of a failing cell, its
first lines and the last traceback frames), carries on with the other chapters, prints a summary
table and exits non-zero. Warnings a chapter prints to stderr are repeated on the terminal, and a
heartbeat line every ``DEEPINFO_HEARTBEAT_S`` seconds (default 30) shows long chapters alive.

The book is rendered from the executed notebooks: ``_build/src`` mirrors the sources
with executed ``.ipynb`` in place of each chapter's ``.md`` and is built with
``jupyter-book build -W -n --keep-going`` into ``_build/html``.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .atomic import FILE_MODE, atomic_write_text as _atomic_write_text
from .chapters import chapter_paths, is_chapter, toc_files  # noqa: F401  (re-exported)
from .experiments import PRESET_NAMES, select_preset

PRESETS = PRESET_NAMES  # kept for older callers; the names live in deepinfo.experiments
RUNNER_PARAMETERS = ("preset", "seed", "device")  # set with --preset/--seed/--device, never -p
EVALUATED = ("holds", "does not hold", "inconclusive")
NOT_EVALUATED = "not evaluated"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class ChapterError(RuntimeError):
    """A chapter raised, its kernel died, or it wrote no claims or left a declared claim unevaluated."""


class ParameterError(ChapterError, ValueError):
    """A parameter or config override the chapter does not have (found before anything executes)."""


def _say(msg: str, err: bool = False) -> None:
    print(f"[deepinfo.run] {msg}", file=sys.stderr if err else sys.stdout, flush=True)


# --------------------------------------------------------------------------------------------
# the chapter source: its parameters and where each code cell sits in the .md
# --------------------------------------------------------------------------------------------

def _parameters_cell(nb, src: Path):
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ChapterError(f"{src}: expected exactly one cell tagged 'parameters', found {len(tagged)}")
    return tagged[0]


def assigned_names(source: str) -> list[str]:
    """The variables a cell assigns at top level, in order (``a = 1``, ``b: int = 2``, ``c, d = ...``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: fall back to the lines that look like assignments
        return list(dict.fromkeys(re.findall(r"^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)", source, re.M)))
    out: list[str] = []

    def targets(t):
        if isinstance(t, ast.Name):
            out.append(t.id)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                targets(e)

    for node in tree.body:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                targets(t)
        elif isinstance(node, ast.AnnAssign):
            targets(node.target)
    return list(dict.fromkeys(out))


def chapter_parameters(name: str) -> list[str]:
    """The names the chapter's ``parameters`` cell assigns (what ``-p`` may set)."""
    import jupytext

    src = _chapter_source(name)
    return assigned_names(_parameters_cell(jupytext.read(src), src).source)


def code_cell_lines(md_text: str) -> list[int]:
    """1-based line of each top-level ```` ```{code-cell} ```` fence of a MyST notebook, in order."""
    out: list[int] = []
    fence: str | None = None
    for i, line in enumerate(md_text.splitlines(), 1):
        stripped = line.strip()
        m = re.match(r"^(`{3,}|~{3,})(.*)$", stripped)
        if fence is None:
            if m:
                fence = m.group(1)
                if m.group(2).strip().startswith("{code-cell}"):
                    out.append(i)
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2).strip():
            fence = None
    return out


@dataclass
class _SourceMap:
    """Where the cells of a jupytext notebook are in its ``.md`` (keyed by cell id)."""
    path: Path
    lines: dict[str, int] = field(default_factory=dict)   # cell id -> line of the cell's first source line
    index: dict[str, int] = field(default_factory=dict)   # cell id -> position among the code cells (1-based)
    n_code: int = 0

    @classmethod
    def build(cls, nb, src: Path) -> _SourceMap:
        text = src.read_text()
        md_lines = text.splitlines()
        fences = code_cell_lines(text)
        code = [c for c in nb.cells if c.cell_type == "code"]
        sm = cls(path=src, n_code=len(code))
        for k, cell in enumerate(code):
            sm.index[cell.get("id", "")] = k + 1
            if len(fences) != len(code):
                continue  # could not pair cells with fences: report positions only
            line = fences[k]
            first = cell.source.splitlines()[0] if cell.source.strip() else None
            if first is not None:  # skip the fence's option lines (:tags: or a --- yaml block)
                for j in range(fences[k], min(len(md_lines), fences[k] + 200)):
                    if md_lines[j] == first:
                        line = j + 1
                        break
            sm.lines[cell.get("id", "")] = line
        return sm

    def where(self, cell, line_in_cell: int | None = None) -> str:
        cid = cell.get("id", "") if cell is not None else ""
        rel = _rel(self.path)
        if cid not in self.index:
            return f"{rel} (papermill's injected parameters cell)" if cell is not None else str(rel)
        pos = f"code cell {self.index[cid]}/{self.n_code}"
        if cid not in self.lines:
            return f"{rel}, {pos}"
        line = self.lines[cid] + (line_in_cell - 1 if line_in_cell else 0)
        return f"{rel}:{line} ({pos}, starting at line {self.lines[cid]})"


def _rel(p: Path) -> Path:
    try:
        return p.resolve().relative_to(paths.project_root())
    except ValueError:
        return p


def _chapter_source(name: str) -> Path:
    chapters = chapter_paths()
    if name not in chapters:
        raise ValueError(f"chapter {name!r} is not an executable chapter of _toc.yml; "
                         f"expected one of {sorted(chapters)}")
    return chapters[name]


# --------------------------------------------------------------------------------------------
# parameters and config overrides, checked before anything executes
# --------------------------------------------------------------------------------------------

def experiment_presets(name: str):
    """``PRESETS`` of ``deepinfo.experiments.<name>`` (a module or a package re-exporting it)."""
    from . import experiments

    experiments.extend_path()
    modname = f"deepinfo.experiments.{name}"
    try:
        mod = importlib.import_module(modname)
    except ModuleNotFoundError as exc:
        if exc.name and (modname == exc.name or modname.startswith(exc.name + ".")):
            raise ParameterError(f"chapter {name}: config overrides need {modname} (a module or package "
                                 "defining PRESETS), which does not exist") from None
        raise
    if not hasattr(mod, "PRESETS"):
        raise ParameterError(f"chapter {name}: {modname} defines no PRESETS, so its config cannot be overridden")
    return mod.PRESETS


def check_parameters(name: str, preset: str = "quick", parameters: dict | None = None,
                     overrides: dict | None = None) -> tuple[dict, dict]:
    """Validate ``-p`` parameters and config overrides of a chapter; return ``(parameters, overrides)``
    as they will be injected (``overrides`` merged from ``parameters["overrides"]`` and the argument).

    Raises :class:`ParameterError` naming the bad name and the valid ones, before anything executes.
    """
    if preset not in PRESET_NAMES:
        raise ParameterError(f"preset={preset!r}: expected one of {PRESET_NAMES}")
    valid = chapter_parameters(name)
    params = dict(parameters or {})
    runner = [k for k in params if k in RUNNER_PARAMETERS]
    if runner:
        raise ParameterError(f"chapter {name}: -p {', '.join(runner)} is not accepted; set "
                             + ", ".join(f"--{k} {params[k]}" for k in runner)
                             + " instead (so the banner, timings and claims folder say what ran)")
    missing = [k for k in RUNNER_PARAMETERS if k not in valid]
    if missing:
        raise ParameterError(f"chapter {name}: its parameters cell must assign {', '.join(RUNNER_PARAMETERS)}; "
                             f"missing {missing}")
    unknown = [k for k in params if k not in valid]
    if unknown:
        raise ParameterError(f"chapter {name} has no parameter(s) {unknown}; its parameters cell assigns "
                             f"{', '.join(valid)} (config fields go through --set FIELD=VALUE or "
                             "-p overrides='{\"FIELD\": VALUE}')")
    merged = params.pop("overrides", None)
    if merged is None:
        merged = {}
    if not isinstance(merged, dict):
        raise ParameterError(f"chapter {name}: -p overrides must be a JSON object of config fields, "
                             f"e.g. -p overrides='{{\"n_realisations\": 6}}'; got {merged!r}")
    merged = {**merged, **(overrides or {})}
    if merged:
        if "overrides" not in valid:
            raise ParameterError(f"chapter {name}: its parameters cell has no `overrides = {{}}`, so config "
                                 f"fields {sorted(merged)} cannot reach it; parameters: {', '.join(valid)}")
        try:
            select_preset(experiment_presets(name), preset, **merged)
        except ValueError as exc:
            if isinstance(exc, ParameterError):
                raise
            raise ParameterError(f"chapter {name} at preset {preset}: {exc}") from None
    if "overrides" in valid:
        params["overrides"] = merged
    return params, merged


# --------------------------------------------------------------------------------------------
# claims and timings
# --------------------------------------------------------------------------------------------

def check_claims(name: str, directory: Path | None = None, preset: str | None = None,
                 seed: int | None = None, overrides: dict | None = None) -> dict:
    """The chapter's claims document; raise ChapterError when the chapter wrote none, or left a
    declared claim unevaluated, or a status is not one of ``holds``, ``does not hold``, ``inconclusive``,
    or the document records a preset, seed or overrides other than the ones given (what ran)."""
    f = Path(directory or paths.claims_dir()) / f"{name}.json"
    if not f.is_file():
        raise ChapterError(f"chapter {name} wrote no claims file {name}.json: every executable chapter must "
                           "declare its claims and save them into deepinfo.paths.claims_dir() "
                           f"(deepinfo.claims.ClaimRecorder; looked in {f.parent})")
    try:
        doc = json.loads(f.read_text())
        claims = doc["claims"]
        statuses = [(c["id"], c["status"]) for c in claims]
    except (ValueError, KeyError, TypeError) as exc:
        raise ChapterError(f"chapter {name}: claims file {f} is not a claims document "
                           f"({type(exc).__name__}: {exc})") from None
    missing = [i for i, s in statuses if s == NOT_EVALUATED]
    if missing:
        raise ChapterError(f"chapter {name}: {len(missing)} declared claim(s) not evaluated: {missing}")
    bad = [(i, s) for i, s in statuses if s not in EVALUATED]
    if bad:
        raise ChapterError(f"chapter {name}: claim status(es) {bad} are not one of {EVALUATED}")
    ran = {"preset": preset, "seed": seed, "overrides": overrides}
    for key, value in ran.items():
        if value is None or key not in doc:
            continue
        recorded = (doc[key] or {}) if key == "overrides" else doc[key]  # no overrides: {} or null
        same = json.dumps(recorded, sort_keys=True) == json.dumps(value, sort_keys=True)
        if not same:
            raise ChapterError(f"chapter {name} ran with {key}={value!r} but its claims file records "
                               f"{key}={recorded!r}: pass the parameters cell's {key} to the ClaimRecorder")
    return doc


def _record_timing(name: str, preset: str, seconds: float) -> None:
    """Add one chapter's wall time to ``timings.json`` (file-locked read-modify-write, atomic write)."""
    from filelock import FileLock

    f = paths.build_dir() / "timings.json"
    f.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(f) + ".lock"):
        data = {}
        if f.is_file():
            try:
                data = json.loads(f.read_text())
            except ValueError as exc:
                keep = f.with_name(f"timings.corrupt-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.json")
                os.replace(f, keep)
                _say(f"WARNING: {f} was not valid JSON ({exc}); kept as {keep}, starting a new one", err=True)
        data.setdefault(name, {})[preset] = {"seconds": round(seconds, 1),
                                             "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
                                             "cpus": os.cpu_count()}
        _atomic_write_text(f, json.dumps(data, indent=1, sort_keys=True))


# --------------------------------------------------------------------------------------------
# execution
# --------------------------------------------------------------------------------------------

@dataclass
class _Progress:
    name: str
    source: _SourceMap
    n_cells: int
    t0: float = field(default_factory=time.perf_counter)
    cell: object = None
    cell_index: int = -1

    def on_cell_execute(self, cell=None, cell_index=None, **_):
        self.cell, self.cell_index = cell, cell_index

    def line(self) -> str:
        elapsed = f"{self.name}: still running, {time.perf_counter() - self.t0:.0f} s"
        if self.cell is None:
            return f"{elapsed}, starting the kernel"
        return f"{elapsed}, cell {self.cell_index + 1}/{self.n_cells}, {self.source.where(self.cell)}"


@contextlib.contextmanager
def _heartbeat(progress: _Progress):
    interval = float(os.environ.get("DEEPINFO_HEARTBEAT_S", "30"))
    stop = threading.Event()

    def beat():
        while not stop.wait(interval):
            _say(progress.line())

    t = threading.Thread(target=beat, name=f"deepinfo-heartbeat-{progress.name}", daemon=True)
    if interval > 0:
        t.start()
    try:
        yield
    finally:
        stop.set()
        if t.is_alive():
            t.join(timeout=5)


@contextlib.contextmanager
def _kernel_environment(claims_tmp: Path):
    """Environment the kernel inherits: the project, this run's private claims folder, inline figures."""
    saved = {k: os.environ.get(k) for k in ("DEEPINFO_ROOT", "DEEPINFO_CLAIMS_DIR", "TQDM_MININTERVAL", "MPLBACKEND")}
    os.environ.setdefault("DEEPINFO_ROOT", str(paths.project_root()))
    os.environ["DEEPINFO_CLAIMS_DIR"] = str(claims_tmp)
    os.environ.setdefault("TQDM_MININTERVAL", "10")  # progress bars: a line every 10 s, not every step
    # the kernel must keep its inline backend: a non-interactive MPLBACKEND inherited from the
    # caller (tests set Agg) would drop every figure from the executed notebook
    os.environ.pop("MPLBACKEND", None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _ipc_kernel_manager(socket_dir: Path):
    """A kernel manager on the IPC transport (Unix sockets in ``socket_dir``, private to this run):
    no plain-text TCP, so no IPKernelApp warning about it. Left to itself, jupyter_client names IPC
    sockets ``kernel-ipc-N`` in the working directory, where two concurrent runs collide."""
    from jupyter_client.manager import AsyncKernelManager

    if os.name != "posix":
        return AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kw):
            kw.setdefault("transport", "ipc")
            kw.setdefault("ip", str(socket_dir / "kernel"))
            super().__init__(**kw)

    return IPCKernelManager


def _read_notebook(path: Path):
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4) if path.is_file() and path.stat().st_size else None
    except Exception:  # a partial notebook of a dead kernel: nothing to scan
        return None


def _report_warnings(name: str, nb) -> list[str]:
    """Repeat on the terminal every stderr line of the executed notebook that mentions a warning."""
    found: list[str] = []
    for c in (nb.cells if nb is not None else []):
        for o in c.get("outputs", []) if c.cell_type == "code" else []:
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                for line in _ANSI.sub("", o.get("text", "")).splitlines():
                    if re.search(r"warning\b", line, re.I):
                        found.append(line.strip())
    for line in dict.fromkeys(found):
        _say(f"{name}: {line}", err=True)
    return found


def _describe_failure(name: str, exc: BaseException, progress: _Progress, kept: Path | None) -> str:
    """The message of a failed chapter: where in the .md, the cell's first lines, the last frames."""
    import papermill

    cell = progress.cell
    after = f"\n  the failed run's notebook: {kept}" if kept else ""
    if isinstance(exc, papermill.PapermillExecutionError):
        tb = _ANSI.sub("", "\n".join(exc.traceback or []))
        m = re.search(rf"Cell In\[{exc.exec_count}\], line (\d+)", tb) if exc.exec_count else None
        where = progress.source.where(cell, int(m.group(1)) if m else None)
        first = "\n".join(f"    | {ln}" for ln in (exc.source or "").splitlines()[:5])
        frames = "\n".join(f"    {ln}" for ln in [ln for ln in tb.splitlines() if ln.strip()][-12:])
        return (f"chapter {name} raised at {where}: {exc.ename}: {exc.evalue}\n  the cell begins:\n{first}\n"
                f"  last traceback lines:\n{frames}{after}")
    where = progress.source.where(cell) if cell is not None else "kernel start-up"
    from nbclient.exceptions import DeadKernelError

    if isinstance(exc, DeadKernelError):
        return (f"chapter {name}: the kernel died while running {where} (killed by the system, e.g. out of "
                f"memory, or it exited): {exc}{after}")
    return f"chapter {name} failed at {where}: {type(exc).__name__}: {exc}{after}"


def execute_chapter(name: str, preset: str = "quick", seed: int = 0, device: str = "auto",
                    parameters: dict | None = None, out_dir: Path | None = None,
                    check: bool = True, overrides: dict | None = None) -> Path:
    """Execute one chapter through papermill and return the executed notebook's path.

    ``parameters`` are names of the chapter's parameters cell (not preset/seed/device, which are
    arguments); ``overrides`` are config fields (merged over ``parameters["overrides"]``). Both are
    validated before anything runs (:class:`ParameterError`). The executed notebook and the claims
    replace the previous ones only when the chapter succeeded and, with ``check``, wrote a claims
    file whose every claim was evaluated; otherwise :class:`ChapterError` and the previous ones stay.
    """
    import jupytext
    import papermill

    src = _chapter_source(name)
    params, overrides = check_parameters(name, preset, parameters, overrides)
    params = {"preset": preset, "seed": seed, "device": device, **params}
    out_dir = Path(out_dir or paths.build_dir() / "executed" / src.parent.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{name}.ipynb"
    failed_nb = out_dir / f"{name}.failed.ipynb"
    claims_final = paths.claims_dir()
    claims_final.mkdir(parents=True, exist_ok=True)

    nb = jupytext.read(src)
    _parameters_cell(nb, src)
    progress = _Progress(name, _SourceMap.build(nb, src), n_cells=len(nb.cells) + 1)  # + papermill's cell
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".ipynb", dir=out_dir)
    os.close(fd)
    os.chmod(tmp_name, FILE_MODE)  # the executed notebook is moved into place: readable as any file written
    tmp_nb = Path(tmp_name)
    claims_tmp = Path(tempfile.mkdtemp(prefix=f".run-{name}-", dir=claims_final))
    sockets = Path(tempfile.mkdtemp(prefix="deepinfo-kernel-"))  # short: a socket path has < 108 bytes
    extra = f" overrides={json.dumps(overrides, sort_keys=True)}" if overrides else ""
    _say(f"{name}: executing at preset={preset} seed={seed} device={device}{extra}")
    ok = False
    t0 = time.perf_counter()
    try:
        try:
            with _kernel_environment(claims_tmp), _heartbeat(progress):
                papermill.execute_notebook(nb, str(tmp_nb), parameters=params, cwd=str(src.parent),
                                           kernel_name="python3", language="python", progress_bar=False,
                                           log_output=False, on_cell_execute=progress.on_cell_execute,
                                           kernel_manager_class=_ipc_kernel_manager(sockets))
        except Exception as exc:
            executed = _read_notebook(tmp_nb)
            _report_warnings(name, executed)
            kept = None
            if executed is not None:
                os.replace(tmp_nb, failed_nb)
                kept = failed_nb
            raise ChapterError(_describe_failure(name, exc, progress, kept)) from None
        seconds = time.perf_counter() - t0
        _report_warnings(name, _read_notebook(tmp_nb))
        doc = None
        if check or (claims_tmp / f"{name}.json").is_file():
            doc = check_claims(name, claims_tmp, preset=preset, seed=seed, overrides=overrides)
        others = sorted(p.name for p in claims_tmp.iterdir() if p.name != f"{name}.json")
        if others:
            _say(f"WARNING: {name} wrote {others} into its claims folder; only {name}.json is kept", err=True)
        os.replace(tmp_nb, out)
        failed_nb.unlink(missing_ok=True)
        if doc is not None:
            # keep the latest claims of each preset too (the report shows full-preset results when present),
            # with the hash of the code that produced them, so a later build can tell them stale
            try:
                from .snapshot import package_hash

                doc = {**doc, "package_sha256": package_hash(name)}
            except ValueError:  # a chapter without an experiment package (a test's fake chapter)
                pass
            _atomic_write_text(claims_final / preset / f"{name}.json", json.dumps(doc, indent=1))
            _atomic_write_text(claims_final / f"{name}.json", json.dumps(doc, indent=1))
            (claims_tmp / f"{name}.json").unlink(missing_ok=True)
        _record_timing(name, preset, seconds)
        ok = True
        _say(f"{name}: done in {seconds:.1f} s -> {out}")
        return out
    finally:
        tmp_nb.unlink(missing_ok=True)
        shutil.rmtree(claims_tmp, ignore_errors=True)
        shutil.rmtree(sockets, ignore_errors=True)
        if not ok and out.is_file():
            _say(f"{name}: the last good notebook {out} and its claims are kept", err=True)


def stage_book(root: Path | None = None, executed: Path | None = None, partial: bool = False) -> Path:
    """Mirror the book sources into ``_build/src`` with executed notebooks in place of chapters.

    ``partial=True`` (development only, ``--partial``) stages a chapter that has no executed
    notebook as a page that says so in a warning box, instead of failing.
    """
    root = root or paths.project_root()
    executed = executed or paths.build_dir() / "executed"
    stage = paths.build_dir() / "src"
    marker = stage / ".deepinfo-stage"  # only a folder this function staged before is ever removed
    if stage.exists():
        if any(stage.iterdir()) and not marker.is_file():
            raise ChapterError(f"{stage} exists, is not empty and was not staged by the runner (no {marker.name}): "
                               "nothing was removed; point DEEPINFO_BUILD_DIR at a build folder of this project")
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    marker.write_text("Staged by python -m deepinfo.run --build-book; replaced at every build.\n")
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
    this build used) and hides the chapter's own parameters cell (its defaults) with ``remove-cell``;
    under the page's title it gets its summary box (:func:`deepinfo.report.summary_box`), generated
    from the claims file the same execution wrote, so box and page cannot disagree."""
    import nbformat

    nb = nbformat.read(src, as_version=4)
    if any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells):
        for c in nb.cells:
            tags = c.metadata.get("tags", [])
            if "parameters" in tags and "remove-cell" not in tags:
                c.metadata["tags"] = [*tags, "remove-cell"]
    box = _summary_box(src.stem)
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if box and first is not None and first.source.lstrip().startswith("# "):
        title, _, rest = first.source.lstrip().partition("\n")
        first.source = f"{title}\n\n{box}\n\n{rest.lstrip()}"
    nbformat.write(nb, dst)


def _summary_box(chapter: str) -> str:
    """The chapter's summary box from ``<claims>/<chapter>.json`` (and a full snapshot), or "" without claims."""
    from . import report

    f = paths.claims_dir() / f"{chapter}.json"
    if not f.is_file():
        return ""
    doc = json.loads(f.read_text())
    return report.summary_box(doc, report.full_results().get(chapter))


def build_book(root: Path | None = None, partial: bool = False) -> Path:
    """Render the staged book with ``jupyter-book build -W -n --keep-going`` into ``_build/html``."""
    from . import classroom, report

    root = root or paths.project_root()
    stage = stage_book(root, partial=partial)
    # pages generated from what the build produced (claims, timings, benchmark results)
    report.write_report(stage / "book" / "report.md")
    report.write_performance_page(stage / "book" / "performance.md")
    classroom.write_instructor_page(stage / "book" / "instructor.md")
    # jupyter-book writes <path-output>/_build/html: for a build dir not named _build (DEEPINFO_BUILD_DIR=/tmp/x)
    # the output goes under it (/tmp/x/_build/html), never into a folder shared with other builds (/tmp/_build)
    build = paths.build_dir()
    out_root = build.parent if build.name == "_build" else build
    cmd = [*jupyter_book_command(), "build", str(stage), "--path-output", str(out_root),
           "-W", "-n", "--keep-going", "--builder", "html"]
    print("[deepinfo.run]", " ".join(cmd), flush=True)
    rc = subprocess.call(cmd, cwd=str(root))
    if rc != 0:
        raise ChapterError(f"jupyter-book build failed with exit code {rc}")
    index = out_root / "_build" / "html" / "index.html"
    print(f"[deepinfo.run] book rendered: {index}", flush=True)
    return index


def _parse_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _parse_param(text: str) -> tuple[str, object]:
    k, sep, v = text.partition("=")
    if not sep or not k.strip():
        raise argparse.ArgumentTypeError(f"-p {text!r}: expected NAME=VALUE (a parameter of the chapter's "
                                         "parameters cell; JSON values)")
    return k.strip(), _parse_value(v)


def _parse_set(text: str) -> tuple[str, object]:
    k, sep, v = text.partition("=")
    if not sep or not k.strip():
        raise argparse.ArgumentTypeError(f"--set {text!r}: expected FIELD=VALUE (a field of the chapter's "
                                         "config, nested fields dotted: shallow_deep.steps=50; JSON values)")
    return k.strip(), _parse_value(v)


@dataclass
class Outcome:
    name: str
    status: str          # "ok", "FAILED", "interrupted", "not run"
    seconds: float = 0.0
    message: str = ""


def print_summary(outcomes: list[Outcome], file=None) -> None:
    """The table the runner ends with: chapter, status, seconds, and the first line of each failure."""
    file = file or sys.stdout
    w = max([len("chapter"), *(len(o.name) for o in outcomes)])
    print(f"[deepinfo.run] summary: {sum(o.status == 'ok' for o in outcomes)} of {len(outcomes)} chapter(s) ok",
          file=file)
    print(f"  {'chapter':<{w}}  {'status':<11}  {'seconds':>8}  detail", file=file)
    for o in outcomes:
        detail = o.message.splitlines()[0] if o.message else ""
        print(f"  {o.name:<{w}}  {o.status:<11}  {o.seconds:>8.1f}  {detail}", file=file)
    file.flush()


def _list_chapters() -> None:
    rows = [("chapter", "source", "parameters (-p)")]
    for k, v in chapter_paths().items():
        try:
            params = ", ".join(chapter_parameters(k))
        except Exception as exc:  # a chapter being edited: say so, list the rest
            params = f"(cannot read: {type(exc).__name__}: {exc})"
        rows.append((k, str(_rel(v)), params))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    for r in rows:
        print(f"{r[0]:<{w0}}  {r[1]:<{w1}}  {r[2]}".rstrip())


def _precompute(names: list[str], args, overrides: dict) -> None:
    """Compute the selected chapters' units of work on Dask before executing them (``--workers``/``--scheduler``).

    A chapter that lists no units computes inside its cells as before; a unit that fails is
    reported, and its chapter computes it itself (and reports its own failure if it fails again).
    """
    from . import compute as engine

    units = []
    for name in names:
        try:
            units += engine.chapter_units(name, args.preset, args.seed, args.device, overrides)
        except ValueError as exc:
            _say(f"{name}: nothing to precompute ({exc})")
    if not units:
        return
    try:
        done = engine.compute(units, workers=args.workers, scheduler=args.scheduler, gpu_resources=args.gpu_resources)
        engine.record_unit_times(done, args.preset)
    except RuntimeError as exc:
        _say(f"WARNING {exc}; the chapters will compute what is missing themselves", err=True)


def _child_argv(args) -> list[str]:
    """The options a child runner of one chapter gets (everything but the chapter list and the engine)."""
    out = ["--preset", args.preset, "--seed", str(args.seed), "--device", args.device]
    for k, v in args.param:
        out += ["-p", f"{k}={json.dumps(v)}"]
    for k, v in args.sets:
        out += ["--set", f"{k}={json.dumps(v)}"]
    return out


def _execute_in_parallel(names: list[str], args, argv_rest: list[str]) -> list["Outcome"]:
    """Execute the chapters ``args.workers`` at a time, each by its own runner process.

    Concurrent runs are safe (temporary notebooks, private claims folders, locked timings and
    cache entries); each child prints its own lines and its summary, this one the whole summary.
    """
    from concurrent.futures import ThreadPoolExecutor

    def one(name: str) -> "Outcome":
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, "-m", "deepinfo.run", name, *argv_rest])
        status = "ok" if rc == 0 else "FAILED"
        return Outcome(name, status, time.perf_counter() - t0, "" if rc == 0 else f"exit code {rc} (see above)")

    _say(f"executing {len(names)} chapters, {args.workers} at a time")
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        return list(pool.map(one, names))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m deepinfo.run", description=__doc__.split("\n\n")[0],
        epilog="Exit status: 0 when every chapter succeeded, 1 when any failed (summary table printed), "
               "2 for bad arguments or parameters (nothing executed), 130 when interrupted.")
    ap.add_argument("chapters", nargs="*", help="chapter file stems (default: every chapter in _toc.yml)")
    ap.add_argument("--preset", default="quick", choices=PRESET_NAMES)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    ap.add_argument("-p", "--param", action="append", type=_parse_param, default=[], metavar="NAME=VALUE",
                    help="a parameter of the chapter's parameters cell (JSON values), as papermill -p; "
                         "not preset/seed/device (use --preset/--seed/--device); "
                         "config fields: -p overrides='{\"FIELD\": VALUE}'")
    ap.add_argument("--set", dest="sets", action="append", type=_parse_set, default=[], metavar="FIELD=VALUE",
                    help="override one field of the preset's config (repeatable; JSON values; nested "
                         "fields dotted, e.g. --set shallow_deep.steps=50); merged over -p overrides")
    ap.add_argument("--build-book", action="store_true", help="after executing, render the book into _build/html")
    ap.add_argument("--no-execute", action="store_true", help="with --build-book: render from the last executed notebooks")
    ap.add_argument("--partial", action="store_true",
                    help="development: with --build-book, stage unexecuted chapters as placeholder pages")
    ap.add_argument("--list", action="store_true", help="list the executable chapters and their parameters, and exit")
    ap.add_argument("--workers", type=int, default=None, metavar="N",
                    help="compute the chapters' units of work on a local Dask cluster of N processes first "
                         "(deepinfo.compute), then execute N chapters at a time")
    ap.add_argument("--scheduler", default=None, metavar="ADDR",
                    help="compute the units on an existing Dask cluster (tcp://HOST:PORT) first")
    ap.add_argument("--gpu-resources", action="store_true", help="with --scheduler: units that want CUDA ask for GPU=1")
    args = ap.parse_args(argv)
    try:
        chapters = chapter_paths()
    except FileNotFoundError as exc:
        ap.error(str(exc))
    if args.list:
        _list_chapters()
        return 0
    names = args.chapters or list(chapters)
    unknown = [n for n in names if n not in chapters]
    if unknown:
        ap.error(f"unknown chapter(s) {unknown}; expected some of {list(chapters)}")
    params, sets = dict(args.param), dict(args.sets)
    if not args.no_execute:
        bad = []  # every chapter's parameters are checked before any chapter runs
        for name in names:
            try:
                check_parameters(name, args.preset, params, sets)
            except ChapterError as exc:
                bad.append(str(exc))
        if bad:
            for msg in bad:
                _say(f"ERROR {msg}", err=True)
            _say("nothing was executed", err=True)
            return 2
        if args.workers is not None and args.workers < 1:
            ap.error(f"--workers {args.workers}: expected a number of worker processes >= 1")
        if args.workers or args.scheduler:
            _precompute(names, args, {**dict(params.get("overrides") or {}), **sets})
        if args.workers and args.workers > 1 and len(names) > 1:
            outcomes = _execute_in_parallel(names, args, argv_rest=_child_argv(args))
            print_summary(outcomes)
            if any(o.status != "ok" for o in outcomes):
                return 1
            names = []  # executed by the child runners
        outcomes: list[Outcome] = []
        try:
            for name in names:
                t0 = time.perf_counter()
                try:
                    execute_chapter(name, args.preset, args.seed, args.device, params, overrides=sets)
                    outcomes.append(Outcome(name, "ok", time.perf_counter() - t0))
                except ChapterError as exc:
                    _say(f"FAILED {exc}", err=True)
                    outcomes.append(Outcome(name, "FAILED", time.perf_counter() - t0, str(exc)))
                except Exception as exc:  # a bug or an unreadable chapter: report it, run the others
                    import traceback

                    traceback.print_exc()
                    msg = f"chapter {name}: {type(exc).__name__}: {exc}"
                    _say(f"FAILED {msg}", err=True)
                    outcomes.append(Outcome(name, "FAILED", time.perf_counter() - t0, msg))
        except KeyboardInterrupt:
            done = {o.name for o in outcomes}
            outcomes.append(Outcome(next(n for n in names if n not in done), "interrupted",
                                    message="interrupted; its previous notebook and claims are kept"))
            outcomes += [Outcome(n, "not run") for n in names if n not in {o.name for o in outcomes}]
            print_summary(outcomes)
            return 130
        if names:
            print_summary(outcomes)
        if any(o.status != "ok" for o in outcomes):
            return 1
    if args.build_book:
        try:
            build_book(partial=args.partial)
        except ChapterError as exc:
            _say(f"FAILED {exc}", err=True)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
