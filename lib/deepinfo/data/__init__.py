"""Datasets: offline-first image loaders, generated data (Ising model, spherical rule) and structureless
controls (:mod:`deepinfo.data.perturb`: pixel shuffling and bit flipping).

See :mod:`deepinfo.data.images` for where each dataset's files are looked for.
"""
from .images import (KNOWN_IDX_FILES, DatasetError, DatasetMissing, ImageDataset, RestrictedUnpickler,  # noqa: F401
                     load_cifar10, load_emnist_letters, load_fashion_mnist, load_mnist, load_ocr_letters,
                     load_or_substitute, read_idx, split_holdout)
from .spherical import committee_rule, icosahedral_group, spherical_rule  # noqa: F401
from .ising import ising  # noqa: F401
from .perturb import flip_pixels, shuffle_pixels  # noqa: F401

__all__ = ["DatasetError", "DatasetMissing", "ImageDataset", "KNOWN_IDX_FILES", "RestrictedUnpickler",
           "load_cifar10", "load_emnist_letters",
           "load_fashion_mnist", "load_mnist", "load_ocr_letters", "load_or_substitute", "read_idx",
           "split_holdout", "flip_pixels", "shuffle_pixels"]
