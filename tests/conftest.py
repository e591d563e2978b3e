"""Shared fixtures. Tests never write into the project's own _build: each session gets a fresh build dir."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory) -> Path:
    """A fresh build directory (claims, cache, executed notebooks) for this test session."""
    d = tmp_path_factory.mktemp("build") / "_build"
    d.mkdir()
    return d


@pytest.fixture(autouse=True)
def _isolated_build(build_dir, monkeypatch):
    monkeypatch.setenv("DEEPINFO_ROOT", str(ROOT))
    monkeypatch.setenv("DEEPINFO_BUILD_DIR", str(build_dir))
    monkeypatch.setenv("DEEPINFO_CACHE_DIR", str(build_dir / "cache"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    os.environ.pop("DEEPINFO_NO_CACHE", None)
    yield
