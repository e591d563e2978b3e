"""On-disk cache of expensive results, keyed by experiment name, configuration and library version.

A result is a tree of dicts, lists and tuples whose leaves are ``torch.Tensor``,
``numpy.ndarray``, numbers, strings, booleans or ``None``. It is written with
``torch.save`` and read back with ``torch.load(..., weights_only=True)`` (no pickle
of arbitrary objects), NumPy arrays round-trip as NumPy arrays.

Layout: ``<cache_dir>/<name>/<key>/`` holds ``payload.pt`` and ``meta.json``. The
meta file is written last (atomic rename) and records the SHA-256 of the payload, so
an interrupted write leaves an entry without meta (ignored and recomputed) and a
corrupted payload fails its checksum (reported and recomputed): a bad entry never
crashes a chapter and is never silently reused.

Long runs resume through :meth:`ResultCache.checkpoint`: the run saves its partial
state under the same key every so often and, when restarted, continues from it.

Set ``DEEPINFO_NO_CACHE=1`` to bypass reading (results are still written).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from . import __version__
from . import paths

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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class CacheEntry:
    """One slot of the cache: ``<root>/<name>/<key>/<slot>.pt`` plus its ``<slot>.meta.json``."""

    def __init__(self, directory: Path, slot: str, name: str, config: Any):
        self.directory = directory
        self.slot = slot
        self.name = name
        self.config = config
        self.payload = directory / f"{slot}.pt"
        self.meta = directory / f"{slot}.meta.json"

    def exists(self) -> bool:
        return self.meta.is_file() and self.payload.is_file()

    def load(self) -> Any | None:
        """The stored result, or ``None`` when absent, incomplete or corrupt (with a warning)."""
        if os.environ.get("DEEPINFO_NO_CACHE") == "1":
            return None
        if not self.meta.is_file():
            return None  # never written, or interrupted before completion
        try:
            meta = json.loads(self.meta.read_text())
            if not self.payload.is_file():
                raise ValueError("payload file is missing")
            if _sha256(self.payload) != meta["sha256"]:
                raise ValueError("checksum mismatch")
            obj = torch.load(self.payload, map_location="cpu", weights_only=True)
        except Exception as exc:  # corrupt entry: report, discard, recompute
            warnings.warn(f"cache entry {self.directory} ({self.slot}) is unusable ({exc}); recomputing",
                          stacklevel=3)
            self.clear()
            return None
        return _decode(obj)

    def save(self, result: Any, **extra_meta: Any) -> None:
        encoded = _encode(result)
        _atomic_write_bytes(self.payload, lambda f: torch.save(encoded, f))
        meta = {"name": self.name, "slot": self.slot, "version": __version__,
                "config": _canonical(self.config), "sha256": _sha256(self.payload),
                "created": time.strftime("%Y-%m-%dT%H:%M:%S"), **extra_meta}
        _atomic_write_bytes(self.meta, lambda f: f.write(json.dumps(meta, indent=1).encode()))

    def clear(self) -> None:
        for p in (self.meta, self.payload):
            if p.exists():
                p.unlink()


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
        """Return the cached result for ``(name, config)``, computing and storing it when absent."""
        entry = self.entry(name, config)
        result = entry.load()
        if result is None:
            result = compute()
            entry.save(result)
            result = _decode(_encode(result))  # the caller sees what a later cache hit will return
        return result

    def checkpoint(self, name: str, config: Any) -> CacheEntry:
        """A slot for the partial state of a long run under the same key (resume after interruption).

        Save a state every so often with ``ckpt.save(state)``; on start, ``ckpt.load()``
        returns the last complete state or ``None``.
        """
        return self.entry(name, config, slot="checkpoint")


def cached(name: str, config: Any, compute: Callable[[], Any], root: str | Path | None = None) -> Any:
    """Shortcut for ``ResultCache(root).get_or_compute(name, config, compute)``."""
    return ResultCache(root).get_or_compute(name, config, compute)
