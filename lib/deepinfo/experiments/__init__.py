"""Experiment runners, one module per chapter, and the numbers behind each preset.

Each chapter module defines ``PRESETS = {"smoke": ..., "quick": ..., "full": ...}``
(sample sizes, epochs, repetitions: the only place those numbers live) and runner
functions that take a config, use the result cache, and return plain result objects.

* ``smoke``: the whole ``make test`` (install included) within 20 minutes on 2 CPU cores
* ``quick``: the default book build, the whole book within 30 minutes on 2 CPU cores,
  large enough for the qualitative claims to show
* ``full``: the papers' scales (a GPU is recommended)
"""
from __future__ import annotations

from typing import Mapping, TypeVar

T = TypeVar("T")
PRESET_NAMES = ("smoke", "quick", "full")


def select_preset(presets: Mapping[str, T], preset: str, **overrides) -> T:
    """The config of ``preset``, with fields replaced by ``overrides`` (dataclass configs).

    Raises ``ValueError`` naming the preset and the valid ones.
    """
    if preset not in presets:
        raise ValueError(f"preset={preset!r}: expected one of {list(presets)}")
    cfg = presets[preset]
    if overrides:
        import dataclasses

        unknown = [k for k in overrides if k not in {f.name for f in dataclasses.fields(cfg)}]
        if unknown:
            raise ValueError(f"unknown config field(s) {unknown} for {type(cfg).__name__}")
        cfg = dataclasses.replace(cfg, **overrides)
    return cfg
