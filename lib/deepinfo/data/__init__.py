"""Datasets: offline-first image loaders and generated data (Ising model, spherical rule).

See :mod:`deepinfo.data.images` for where each dataset's files are looked for.
"""
from .images import (KNOWN_IDX_FILES, DatasetError, DatasetMissing, ImageDataset, RestrictedUnpickler,  # noqa: F401
                     load_cifar10, load_emnist_letters, load_fashion_mnist, load_mnist, load_ocr_letters,
                     load_or_substitute, read_idx, split_holdout)
from .spherical import committee_rule, icosahedral_group, spherical_rule  # noqa: F401
from .ising import ising  # noqa: F401

__all__ = ["DatasetError", "DatasetMissing", "ImageDataset", "KNOWN_IDX_FILES", "RestrictedUnpickler",
           "load_cifar10", "load_emnist_letters",
           "load_fashion_mnist", "load_mnist", "load_ocr_letters", "load_or_substitute", "read_idx",
           "split_holdout"]
