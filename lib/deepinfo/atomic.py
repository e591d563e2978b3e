"""Atomic writes: the one way the library writes a file others may read at the same time.

Every file (cache payloads and metadata, claims, timings, generated pages, the README tables)
is written to a unique temporary file in the destination's folder (``mkstemp``) and moved into
place with ``os.replace``: a reader sees the old file or the new one, never a partial one, and
two writers never share a temporary file. A failed write leaves the destination untouched and
removes its temporary file.

``mkstemp`` creates files readable by their owner only; the file moved into place gets the mode
an ordinary ``open`` would give it (``0o666`` less the process umask), so a cache or build on a
shared filesystem stays readable by the group that shares it.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any, Callable

_umask = os.umask(0)
os.umask(_umask)
#: the mode of a file this module writes (what ``open(path, "w")`` would give under this umask)
FILE_MODE = 0o666 & ~_umask


def atomic_write(path: str | Path, write: Callable[[IO[bytes]], None], *, fsync: bool = True) -> Path:
    """Write ``path`` by calling ``write(binary_file)`` on a temporary file, then ``os.replace`` it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            if fsync:
                os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str, *, fsync: bool = True) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")), fsync=fsync)


def atomic_write_json(path: str | Path, doc: Any, *, indent: int | None = 1, sort_keys: bool = False) -> Path:
    """Write ``doc`` as strict JSON (no NaN) to ``path`` atomically."""
    return atomic_write_text(path, json.dumps(doc, indent=indent, sort_keys=sort_keys, allow_nan=False))
