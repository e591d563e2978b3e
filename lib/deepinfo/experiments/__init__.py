"""Experiment runners, one package (or module) per chapter, and the numbers behind each preset.

Each chapter's ``deepinfo.experiments.<chapter>`` defines ``PRESETS = {"smoke": ..., "quick": ...,
"full": ...}`` (sample sizes, epochs, repetitions: the only place those numbers live), one frozen
dataclass config per preset, and runner functions that take a config, use the result cache, and
return plain result objects.

* ``smoke``: the whole ``make test`` (install included) within 20 minutes on 2 CPU cores
* ``quick``: the default book build, the whole book within 30 minutes on 2 CPU cores,
  large enough for the qualitative claims to show
* ``full``: the papers' scales (a GPU is recommended)

``PRESET_NAMES`` is the one list of preset names (the runner's ``--preset`` choices).

Extra folders holding experiment packages can be added with ``DEEPINFO_EXPERIMENTS_PATH``
(``os.pathsep``-separated); they are searched after this package's own folder (the runner's
tests use it for fake chapters).
"""
from __future__ import annotations

import dataclasses
import os
from typing import Any, Mapping, TypeVar

T = TypeVar("T")
PRESET_NAMES = ("smoke", "quick", "full")



def extend_path() -> list[str]:
    """Add the folders of ``DEEPINFO_EXPERIMENTS_PATH`` to this package's search path (done at
    import; the runner calls it again before importing a chapter's experiments)."""
    for extra in filter(None, os.environ.get("DEEPINFO_EXPERIMENTS_PATH", "").split(os.pathsep)):
        if extra not in __path__:
            __path__.append(extra)
    return list(__path__)


extend_path()


def config_fields(cfg: Any, prefix: str = "") -> list[str]:
    """Every field of a dataclass config, nested dataclass fields given dotted (``shallow_deep.steps``).

    A field holding a dataclass is listed both by its own name and by each of its fields.
    """
    out: list[str] = []
    for f in dataclasses.fields(cfg):
        name = prefix + f.name
        out.append(name)
        value = getattr(cfg, f.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            out.extend(config_fields(value, name + "."))
    return out


def _coerce(key: str, old: Any, new: Any) -> Any:
    """``new`` in the type of ``old`` where JSON cannot say it (lists for tuples, ints for floats)."""
    if old is None or new is None:
        return new
    if isinstance(old, tuple) and isinstance(new, (list, tuple)):
        like = old[0] if old and all(type(v) is type(old[0]) for v in old) else None
        return tuple(_coerce(key, like, v) for v in new)
    if isinstance(old, bool) or isinstance(new, bool):
        if isinstance(old, bool) and isinstance(new, bool):
            return new
        raise ValueError(f"config field {key!r}: expected {type(old).__name__} (like {old!r}), got {new!r}")
    if isinstance(old, float) and isinstance(new, int):
        return float(new)
    if isinstance(old, (int, float, str, tuple)) and not isinstance(new, type(old)):
        raise ValueError(f"config field {key!r}: expected {type(old).__name__} (like {old!r}), got {new!r}")
    return new


def apply_overrides(cfg: T, overrides: Mapping[str, Any]) -> T:
    """``cfg`` with fields replaced: keys are field names, dotted for nested dataclasses
    (``{"shallow_deep.steps": 50}``); a dict given for a nested dataclass field overrides its fields.

    Raises ``ValueError`` naming an unknown field and listing the valid ones.
    """
    if not overrides:
        return cfg
    if not dataclasses.is_dataclass(cfg) or isinstance(cfg, type):
        raise ValueError(f"overrides {sorted(overrides)} need a dataclass config; got {type(cfg).__name__}")
    valid = config_fields(cfg)
    unknown = [k for k in overrides if k not in valid]
    if unknown:
        raise ValueError(f"unknown config field(s) {unknown} for {type(cfg).__name__}; "
                         f"valid fields: {', '.join(valid)}")
    direct: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for key, value in overrides.items():
        head, _, rest = key.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            old = getattr(cfg, head)
            if dataclasses.is_dataclass(old) and isinstance(value, Mapping):
                nested.setdefault(head, {}).update(value)
            else:
                direct[head] = _coerce(key, old, value)
    for head, sub in nested.items():
        if head in direct:
            raise ValueError(f"config field {head!r} is overridden both whole and by its fields {sorted(sub)}")
        try:
            direct[head] = apply_overrides(getattr(cfg, head), sub)
        except ValueError as exc:
            raise ValueError(f"in config field {head!r}: {exc}") from None
    return dataclasses.replace(cfg, **direct)


def select_preset(presets: Mapping[str, T], preset: str, **overrides) -> T:
    """The config of ``preset``, with fields replaced by ``overrides`` (see :func:`apply_overrides`;
    nested dataclass fields dotted: ``select_preset(PRESETS, "smoke", **{"shallow_deep.steps": 50})``).

    Raises ``ValueError`` naming the preset and the valid ones, or the unknown field and the valid ones.
    """
    if preset not in presets:
        raise ValueError(f"preset={preset!r}: expected one of {list(presets)}")
    return apply_overrides(presets[preset], overrides)
