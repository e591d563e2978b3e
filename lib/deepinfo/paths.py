"""Where the project keeps its build products, cache and data.

Every location can be overridden with an environment variable, which is how the
chapter runner points executed chapters at the right build directory:

``DEEPINFO_ROOT``       project root (default: the nearest parent holding ``_toc.yml``)
``DEEPINFO_BUILD_DIR``  build products (default ``<root>/_build``)
``DEEPINFO_CACHE_DIR``  result cache (default ``<build>/cache``)
``DEEPINFO_DATA_DIR``   datasets (default ``<root>/data``)
``DEEPINFO_CLAIMS_DIR`` where chapters write their claims (default ``<build>/claims``); the runner
                        points each executing chapter at a private folder of its own and moves the
                        claims into ``<build>/claims`` only when the chapter succeeded
"""
from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The project root: ``$DEEPINFO_ROOT``, else the nearest parent with ``_toc.yml``.

    Looks first above the current directory (a chapter executes inside ``book/``),
    then above the installed package (an editable install lives in ``lib/``).
    """
    env = os.environ.get("DEEPINFO_ROOT")
    if env:
        return Path(env).resolve()
    for start in (Path.cwd(), _PACKAGE_DIR):
        for p in (start, *start.parents):
            if (p / "_toc.yml").is_file() and (p / "lib" / "deepinfo").is_dir():
                return p
    return Path.cwd()


def build_dir() -> Path:
    env = os.environ.get("DEEPINFO_BUILD_DIR")
    return Path(env).resolve() if env else project_root() / "_build"


def cache_dir() -> Path:
    env = os.environ.get("DEEPINFO_CACHE_DIR")
    return Path(env).resolve() if env else build_dir() / "cache"


def data_dir() -> Path:
    env = os.environ.get("DEEPINFO_DATA_DIR")
    return Path(env).resolve() if env else project_root() / "data"


def claims_dir() -> Path:
    env = os.environ.get("DEEPINFO_CLAIMS_DIR")
    return Path(env).resolve() if env else build_dir() / "claims"
