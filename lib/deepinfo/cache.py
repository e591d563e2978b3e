"""On-disk cache of expensive results, keyed by experiment name, configuration and library version.

A result is a tree of dicts, lists and tuples whose leaves are ``torch.Tensor``,
``numpy.ndarray``, numbers, strings, booleans or ``None``. It is written with
``torch.save`` and read back with ``torch.load(..., weights_only=True)`` (no pickle
of arbitrary objects), NumPy arrays round-trip as NumPy arrays.

Layout: ``<cache_dir>/<name>/<key>/`` holds, per slot (``result``, ``checkpoint``),
``<slot>.pt`` (the payload), ``<slot>.meta.json`` and ``<slot>.lock``. The meta file is
written last and records the SHA-256 of the payload bytes that were written, so an
interrupted write leaves an entry without meta (ignored and recomputed) and a corrupted
payload fails its checksum (reported with a warning naming the entry, and recomputed): a
bad entry never crashes a chapter and is never silently reused.

Concurrency (several chapters, Dask workers or threads sharing one cache):

* every file is written to a unique temporary file in the same folder (``mkstemp``) and
  moved into place with ``os.replace`` (atomic on POSIX), payload first, meta last;
* every write and every deletion holds the slot's lock (``<slot>.lock``, a
  :class:`filelock.FileLock`), so payload and meta always change together;
* a load reads without the lock; if it finds a mismatch (possibly a writer between the
  payload and the meta) it re-reads under the lock, and only an entry that is still bad
  under the lock is reported and deleted: a valid entry written by another process is
  never deleted;
* :meth:`ResultCache.get_or_compute` computes under the lock, so when several processes
  ask for the same missing entry one computes it and the others wait, then load it.

Limits of the lock: ``FileLock`` is ``flock(2)``. It excludes processes and threads on one
machine on any local filesystem. On NFS, Linux implements ``flock`` with POSIX byte-range
locks, which work across machines only when the server's lock manager does (NFSv4, or
NFSv3 with ``lockd``/``statd`` running; mounts with ``nolock`` or ``local_lock=all`` lock
only within each machine). Where the filesystem refuses ``flock`` (``ENOSYS``) filelock
falls back to a marker file created with ``O_EXCL`` (``SoftFileLock``): exclusion holds
across machines, but a process killed while holding it leaves ``<slot>.lock`` behind and
the next process waits (``DEEPINFO_CACHE_LOCK_TIMEOUT`` seconds, default forever) until
it is removed by hand. Lock files are left in place after use (they are a few bytes).

Long runs resume through :meth:`ResultCache.checkpoint`: the run saves its partial
state under the same key every so often and, when restarted, continues from it.

Set ``DEEPINFO_NO_CACHE=1`` to bypass reading (results are still written).
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from filelock import FileLock, Timeout

from . import __version__
from . import paths
from .atomic import atomic_write

_ND = "__ndarray__"


def _canonical(obj: Any) -> Any:
    """A JSON-able canonical form of a configuration (for hashing and for meta.json)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _canonical(dataclasses.asdict(obj))
    if isinstance(obj, dict):
        return {str(k): _canonical(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return {"ndarray_sha256": hashlib.sha256(np.ascontiguousarray(obj).tobytes()).hexdigest(),
                "shape": list(obj.shape), "dtype": str(obj.dtype)}
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if isinstance(obj, torch.device):
        return str(obj)
    raise TypeError(f"cache config: cannot hash a value of type {type(obj).__name__} ({obj!r}); "
                    "use numbers, strings, lists, dicts or dataclasses")


def config_key(name: str, config: Any, version: str = __version__) -> str:
    """SHA-256 (first 20 hex digits) of the canonical JSON of (name, config, library version)."""
    blob = json.dumps({"name": name, "config": _canonical(config), "version": version},
                      sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _encode(obj: Any, where: str = "result") -> Any:
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise TypeError(f"cache: {where} is an object array, which cannot be stored safely")
        return {_ND: torch.from_numpy(np.ascontiguousarray(obj).copy())}
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        for k in obj:
            if not isinstance(k, (str, int)):
                raise TypeError(f"cache: {where} has a key of type {type(k).__name__}; use str or int keys")
        return {k: _encode(v, f"{where}[{k!r}]") for k, v in obj.items()}
    if isinstance(obj, list):
        return [_encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, tuple):
        return tuple(_encode(v, f"{where}[{i}]") for i, v in enumerate(obj))
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    raise TypeError(f"cache: {where} has type {type(obj).__name__}; store tensors, arrays, numbers, "
                    "strings and dicts/lists of them (convert objects with .state_dict() or dataclasses.asdict)")


def _decode(obj: Any) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {_ND}:
            return obj[_ND].numpy()
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_decode(v) for v in obj)
    return obj


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _atomic_write_bytes(path: Path, write: Callable[[Any], None]) -> None:
    """Write through a unique temporary file in the same folder, then ``os.replace`` it into place."""
    atomic_write(path, write)


def _lock_timeout() -> float:
    """Seconds to wait for an entry's lock (``DEEPINFO_CACHE_LOCK_TIMEOUT``; default: forever, -1)."""
    raw = os.environ.get("DEEPINFO_CACHE_LOCK_TIMEOUT", "")
    if not raw:
        return -1
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"DEEPINFO_CACHE_LOCK_TIMEOUT={raw!r}: expected a number of seconds") from None


_ABSENT, _OK, _BAD = "absent", "ok", "bad"


class CacheEntry:
    """One slot of the cache: ``<root>/<name>/<key>/<slot>.pt`` plus its ``<slot>.meta.json``.

    Writes and deletions hold ``<slot>.lock`` (see the module docstring); loads are lock-free
    unless what they read is inconsistent.
    """

    def __init__(self, directory: Path, slot: str, name: str, config: Any):
        self.directory = directory
        self.slot = slot
        self.name = name
        self.config = config
        self.payload = directory / f"{slot}.pt"
        self.meta = directory / f"{slot}.meta.json"
        self.lock_file = directory / f"{slot}.lock"
        self._lock_obj: FileLock | None = None

    def __repr__(self) -> str:
        return f"<CacheEntry {self.directory} ({self.slot})>"

    def lock(self) -> FileLock:
        """The slot's inter-process lock (re-entrant within a thread): ``with entry.lock(): ...``."""
        if self._lock_obj is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._lock_obj = FileLock(str(self.lock_file), timeout=_lock_timeout())
        return self._lock_obj

    def _acquire(self):
        """Acquire the lock; say once on stderr when another process has held it for 5 s (e.g. is computing)."""
        lk = self.lock()
        try:
            lk.acquire(timeout=5.0 if lk.timeout < 0 or lk.timeout > 5.0 else lk.timeout)
        except Timeout:
            sys.stderr.write(f"deepinfo.cache: waiting for {self.lock_file} (another process is writing "
                             f"or computing {self.name}/{self.slot})\n")
            try:
                lk.acquire()
            except Timeout:
                raise TimeoutError(f"cache entry {self.directory} ({self.slot}): lock {self.lock_file} still held "
                                   f"after {lk.timeout} s (DEEPINFO_CACHE_LOCK_TIMEOUT); if no process is using "
                                   "it, a stale marker can be deleted") from None
        return lk

    def exists(self) -> bool:
        return self.meta.is_file() and self.payload.is_file()

    def _read(self) -> tuple[str, Any]:
        """(state, value): (_OK, decoded result), (_ABSENT, None) or (_BAD, reason). Never raises for I/O."""
        try:
            meta_text = self.meta.read_text()
        except FileNotFoundError:
            return _ABSENT, None  # never written, interrupted before completion, or cleared
        except OSError as exc:
            return _BAD, f"meta file cannot be read ({exc})"
        try:
            expected = json.loads(meta_text)["sha256"]
        except Exception as exc:
            return _BAD, f"meta file is not valid ({type(exc).__name__}: {exc})"
        try:
            data = self.payload.read_bytes()
        except FileNotFoundError:
            return _BAD, "payload file is missing"
        except OSError as exc:
            return _BAD, f"payload file cannot be read ({exc})"
        if hashlib.sha256(data).hexdigest() != expected:
            return _BAD, "checksum mismatch"
        try:  # the bytes that were checked are the bytes that are loaded
            obj = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except Exception as exc:
            return _BAD, f"payload cannot be loaded safely ({type(exc).__name__}: {exc})"
        return _OK, _decode(obj)

    def _load_locked(self) -> Any | None:
        state, value = self._read()
        if state == _OK:
            return value
        if state == _BAD:  # still bad with every writer excluded: a genuinely damaged entry
            warnings.warn(f"cache entry {self.directory} ({self.slot}) is unusable ({value}); recomputing",
                          stacklevel=4)
            self._clear_locked()
        return None

    def load(self) -> Any | None:
        """The stored result, or ``None`` when absent, incomplete or corrupt (with a warning).

        Lock-free when the entry is consistent; an inconsistent read (which a concurrent writer
        can cause) is repeated under the lock before the entry is declared corrupt.
        """
        if os.environ.get("DEEPINFO_NO_CACHE") == "1":
            return None
        state, value = self._read()
        if state == _OK:
            return value
        if state == _ABSENT:
            return None
        lk = self._acquire()
        try:
            return self._load_locked()
        finally:
            lk.release()

    def _save_locked(self, result: Any, **extra_meta: Any) -> None:
        encoded = _encode(result)
        buf = io.BytesIO()
        torch.save(encoded, buf)
        data = buf.getvalue()
        meta = {"name": self.name, "slot": self.slot, "version": __version__,
                "config": _canonical(self.config), "sha256": hashlib.sha256(data).hexdigest(),
                "created": time.strftime("%Y-%m-%dT%H:%M:%S"), **extra_meta}
        meta_bytes = json.dumps(meta, indent=1).encode()
        _atomic_write_bytes(self.payload, lambda f: f.write(data))
        _atomic_write_bytes(self.meta, lambda f: f.write(meta_bytes))

    def save(self, result: Any, **extra_meta: Any) -> None:
        """Store ``result`` (payload, then meta with the payload's SHA-256), holding the slot's lock."""
        _encode(result)  # refuse unstorable values before taking the lock
        lk = self._acquire()
        try:
            self._save_locked(result, **extra_meta)
        finally:
            lk.release()

    def _clear_locked(self) -> None:
        for p in (self.meta, self.payload):  # meta first: a reader never sees meta without its payload
            try:
                p.unlink()
            except FileNotFoundError:
                pass

    def clear(self) -> None:
        """Delete the slot's payload and meta (holding the lock; the lock file stays)."""
        if not self.directory.is_dir():
            return
        lk = self._acquire()
        try:
            self._clear_locked()
        finally:
            lk.release()


class ResultCache:
    """Results keyed by ``(name, config, deepinfo.__version__)`` under ``root``.

    >>> cache = ResultCache(tmp_path)                                   # doctest: +SKIP
    >>> out = cache.get_or_compute("dbn", {"epochs": 5}, lambda: train(...))  # doctest: +SKIP
    """

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else paths.cache_dir()

    def directory(self, name: str, config: Any) -> Path:
        if not name or "/" in name or name.startswith("."):
            raise ValueError(f"cache name={name!r}: expected a plain non-empty name without '/'")
        return self.root / name / config_key(name, config)

    def entry(self, name: str, config: Any, slot: str = "result") -> CacheEntry:
        return CacheEntry(self.directory(name, config), slot, name, config)

    def get_or_compute(self, name: str, config: Any, compute: Callable[[], Any]) -> Any:
        """Return the cached result for ``(name, config)``, computing and storing it when absent.

        Safe across processes: ``compute`` runs at most once per missing entry while other
        processes asking for the same entry wait for it (the entry's lock) and then load it.

        ``compute`` runs under the book's thread policy (:func:`deepinfo.device.cpu_threads`: one
        torch and BLAS thread unless ``DEEPINFO_TORCH_THREADS`` says otherwise): a result's last
        digits depend on the number of threads its reductions use, and a cached result must be the
        same whether a notebook, a Dask worker (which starts with one BLAS thread) or a GPU box
        computed it.
        """
        entry = self.entry(name, config)
        result = entry.load()  # lock-free when the entry is there and valid
        if result is not None:
            return result
        lk = entry._acquire()  # one process computes; the others wait here, then load its result
        try:
            if os.environ.get("DEEPINFO_NO_CACHE") != "1":
                result = entry._load_locked()
                if result is not None:
                    return result
            from .device import cpu_threads

            with cpu_threads("cpu"):
                result = compute()
            entry._save_locked(result)
        finally:
            lk.release()
        return _decode(_encode(result))  # the caller sees what a later cache hit will return

    def checkpoint(self, name: str, config: Any) -> CacheEntry:
        """A slot for the partial state of a long run under the same key (resume after interruption).

        Save a state every so often with ``ckpt.save(state)``; on start, ``ckpt.load()``
        returns the last complete state or ``None``.
        """
        return self.entry(name, config, slot="checkpoint")


def cached(name: str, config: Any, compute: Callable[[], Any], root: str | Path | None = None) -> Any:
    """Shortcut for ``ResultCache(root).get_or_compute(name, config, compute)``."""
    return ResultCache(root).get_or_compute(name, config, compute)
