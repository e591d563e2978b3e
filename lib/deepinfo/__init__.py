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
