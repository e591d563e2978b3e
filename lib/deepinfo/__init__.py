"""deepinfo: the shared library of the executable book on the information theory of deep learning.

Chapters import this package (``import deepinfo``) and stay thin: the models,
estimators, experiment runners, presets, result cache and claim records live here,
with tests in ``tests/``.

Subpackages
-----------
data         offline-first dataset loaders and generators (MNIST, Fashion-MNIST, Ising, spherical rule)
models       RBM/DBN, MLPs, autoencoders, batched ensembles (CPU or CUDA)
estimators   resolution H[s], relevance H[k], power laws, mutual information, information bottleneck
experiments  one module per chapter: presets and runners returning plain result objects
plotting     shared figure helpers
claims       records each paper claim as a chapter checks it
cache        on-disk cache of expensive results keyed by configuration and library version
"""

__version__ = "0.1.0"

from .device import cpu_threads, resolve_device, seed_everything  # noqa: E402,F401
from . import paths  # noqa: E402,F401

__all__ = ["__version__", "cpu_threads", "resolve_device", "seed_everything", "paths"]

_SUBMODULES = {"cache", "cheap", "claims", "classroom", "data", "estimators", "experiments", "models", "plotting",
               "report", "run", "theory"}


def __getattr__(name: str):
    """Import subpackages on first use (``deepinfo.plotting.style()`` works after ``import deepinfo``)."""
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'deepinfo' has no attribute {name!r}")
