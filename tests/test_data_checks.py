"""Damaged, swapped or hostile data files are refused with a DatasetError that names the file (issue 11)."""
import gzip
import hashlib
import pickle
import shutil
import struct

import numpy as np
import pytest

from deepinfo.data import DatasetError, load_cifar10, load_emnist_letters, load_fashion_mnist, load_mnist, read_idx
from deepinfo.data import images
from deepinfo.data.images import DEBIAN_FASHION_DIR, KNOWN_IDX_FILES, KnownIdx, RestrictedUnpickler

needs_debian = pytest.mark.skipif(not DEBIAN_FASHION_DIR.is_dir(),
                                  reason="Debian's dataset-fashion-mnist is not installed")


def _idx_bytes(arr) -> bytes:
    arr = np.asarray(arr)
    return struct.pack(">BBBB", 0, 0, 8, arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape) + \
        arr.astype(np.uint8).tobytes()


def _write(path, arr, gz=True):
    data = _idx_bytes(arr)
    path.write_bytes(gzip.compress(data) if gz else data)
    return data


def _pair(tmp_path, x, y, prefix="train", gz=True):
    _write(tmp_path / f"{prefix}-images-idx3-ubyte{'.gz' if gz else ''}", x, gz)
    _write(tmp_path / f"{prefix}-labels-idx1-ubyte{'.gz' if gz else ''}", y, gz)


RNG = np.random.default_rng(0)
X5 = RNG.integers(0, 256, size=(5, 28, 28))
Y5 = np.array([0, 1, 2, 3, 9])


# ------------------------------------------------------------------------------------------- IDX layout
def test_header_cut_to_10_bytes_names_the_file(tmp_path):
    """Before: struct.error with no file name."""
    f = tmp_path / "train-images-idx3-ubyte"
    f.write_bytes(_idx_bytes(X5)[:10])
    with pytest.raises(DatasetError, match=rf"{f.name}.*header cut short.*16-byte header.*10 bytes"):
        read_idx(f)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(Y5))
    with pytest.raises(DatasetError, match="yann.lecun.com"):       # and says how to get the right file
        load_mnist("train", data_dir=tmp_path)


@pytest.mark.parametrize("head, found", [(b"\x00\x00\x0d\x03", "float"), (b"PK\x03\x04", "not an IDX file"),
                                         (b"\x00\x00", "only 2 bytes")])
def test_bad_magic_number_says_what_was_found(tmp_path, head, found):
    f = tmp_path / "x-idx"
    f.write_bytes(head + (b"\x00" * 20 if len(head) == 4 else b""))
    with pytest.raises(DatasetError, match=rf"x-idx.*{found}"):
        read_idx(f)


def test_corrupt_gzip_stream_names_the_file(tmp_path):
    f = tmp_path / "train-images-idx3-ubyte.gz"
    data = bytearray(gzip.compress(_idx_bytes(X5)))
    data[len(data) // 2] ^= 0xFF
    f.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=rf"{f.name}.*cannot be read"):
        read_idx(f)


def test_swapped_image_and_label_files_are_refused(tmp_path):
    """Before: x of shape (5, 1) loaded silently."""
    _write(tmp_path / "train-images-idx3-ubyte.gz", Y5)
    _write(tmp_path / "train-labels-idx1-ubyte.gz", X5)
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte\.gz: expected an image file.*swapped"):
        load_mnist("train", data_dir=tmp_path)


def test_32x32_images_are_refused(tmp_path):
    _pair(tmp_path, RNG.integers(0, 256, size=(5, 32, 32)), Y5)
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte\.gz: expected 28x28 MNIST images, found 32x32"):
        load_mnist("train", data_dir=tmp_path)


def test_label_of_200_is_refused(tmp_path):
    _pair(tmp_path, X5, np.array([0, 1, 200, 3, 4]))
    with pytest.raises(DatasetError, match=r"train-labels-idx1-ubyte\.gz: expected MNIST labels 0-9, found 1 .*200"):
        load_mnist("train", data_dir=tmp_path)


def test_image_and_label_counts_must_agree(tmp_path):
    _pair(tmp_path, X5, Y5[:4])
    with pytest.raises(DatasetError, match=r"5 images but .*train-labels-idx1-ubyte\.gz has 4 labels"):
        load_mnist("train", data_dir=tmp_path)


def test_emnist_letter_labels_are_1_to_26(tmp_path):
    _pair(tmp_path, X5, np.array([1, 2, 26, 0, 5]), prefix="emnist-letters-train")
    with pytest.raises(DatasetError, match=r"expected EMNIST letters labels 1-26.*values 0"):
        load_emnist_letters("train", data_dir=tmp_path)
    _pair(tmp_path, X5, np.array([1, 2, 26, 3, 5]), prefix="emnist-letters-train")
    assert load_emnist_letters("train", data_dir=tmp_path).y.tolist() == [0, 1, 25, 2, 4]


def test_a_user_subset_gets_layout_checks_and_says_it_has_no_checksum(tmp_path):
    _pair(tmp_path, X5, Y5, gz=False)
    ds = load_mnist("train", data_dir=tmp_path)
    assert ds.M == 5 and "no checksum" in ds.source


# ------------------------------------------------------------------------------------------- checksums
def test_flipped_pixel_byte_in_a_known_file_is_refused(tmp_path, monkeypatch):
    """A file with a standard name and the standard item count must match the recorded SHA-256."""
    good_x = _idx_bytes(X5)
    good_y = _idx_bytes(Y5)
    table = {"MNIST": {"train-images-idx3-ubyte": KnownIdx(5, hashlib.sha256(good_x).hexdigest()),
                       "train-labels-idx1-ubyte": KnownIdx(5, hashlib.sha256(good_y).hexdigest())}}
    monkeypatch.setattr(images, "KNOWN_IDX_FILES", table)
    _pair(tmp_path, X5, Y5)
    ds = load_mnist("train", data_dir=tmp_path)
    assert ds.M == 5 and "checksum" not in ds.source                 # both verified
    bad = bytearray(good_x)
    bad[16 + 300] ^= 0xFF                                            # one pixel byte
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(bytes(bad)))
    with pytest.raises(DatasetError, match=rf"train-images-idx3-ubyte\.gz: claims to be the standard MNIST file.*"
                                           rf"{hashlib.sha256(bad).hexdigest()}.*expected "
                                           rf"{hashlib.sha256(good_x).hexdigest()}.*yann\.lecun\.com"):
        load_mnist("train", data_dir=tmp_path)
    monkeypatch.setenv("DEEPINFO_SKIP_DATA_CHECKSUMS", "1")        # the documented escape hatch
    assert load_mnist("train", data_dir=tmp_path).M == 5


def test_recorded_checksums_are_well_formed():
    for dataset, files in KNOWN_IDX_FILES.items():
        assert set(files) == {f"{s}-{k}" for s in ("train", "t10k") for k in ("images-idx3-ubyte", "labels-idx1-ubyte")}
        for stem, k in files.items():
            assert k.n_items == (60_000 if stem.startswith("train") else 10_000)
            assert len(k.sha256) == 64 and int(k.sha256, 16) >= 0 and len(k.gz_md5) == 32


@needs_debian
def test_debian_fashion_files_match_the_recorded_checksums():
    for stem, known in KNOWN_IDX_FILES["Fashion-MNIST"].items():
        gz = (DEBIAN_FASHION_DIR / f"{stem}.gz").read_bytes()
        assert hashlib.sha256(gzip.decompress(gz)).hexdigest() == known.sha256
        assert hashlib.sha256(gz).hexdigest() == known.gz_sha256 and len(gz) == known.gz_bytes
    ds = load_fashion_mnist("test")
    assert ds.M == 10_000 and ds.source == f"IDX files in {DEBIAN_FASHION_DIR}"     # verified, no caveat


@needs_debian
def test_fashion_recompressed_or_uncompressed_passes_but_one_flipped_byte_fails(tmp_path):
    raw_x = gzip.decompress((DEBIAN_FASHION_DIR / "t10k-images-idx3-ubyte.gz").read_bytes())
    shutil.copy(DEBIAN_FASHION_DIR / "t10k-labels-idx1-ubyte.gz", tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(raw_x)                      # uncompressed copy
    assert load_fashion_mnist("test", data_dir=tmp_path).M == 10_000
    bad = bytearray(raw_x)
    bad[16 + 5 * 784 + 400] ^= 0x01
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(bytes(bad))
    with pytest.raises(DatasetError, match=r"t10k-images-idx3-ubyte: claims to be the standard Fashion-MNIST.*"
                                           r"dataset-fashion-mnist"):
        load_fashion_mnist("test", data_dir=tmp_path)


# ------------------------------------------------------------------------------------------- CIFAR
def _batch(n=4, **drop):
    b = {b"batch_label": b"testing batch 1 of 1", b"labels": list(range(n)),
         b"data": np.arange(n * 3072, dtype=np.int64).astype(np.uint8).reshape(n, 3072),
         b"filenames": [b"f%d.png" % i for i in range(n)]}
    for k in drop:
        b.pop(k.encode())
    return b


def test_cifar_official_style_batch_loads(tmp_path):
    d = tmp_path / "cifar-10-batches-py"
    d.mkdir()
    p2 = pickle.dumps(_batch(), protocol=2)
    # the official batches were written by Python 2 / NumPy 1: numpy.core.multiarray, no _codecs
    (d / "test_batch").write_bytes(p2.replace(b"numpy._core.multiarray", b"numpy.core.multiarray"))
    ds = load_cifar10("test", data_dir=tmp_path)
    assert ds.M == 4 and ds.y.tolist() == [0, 1, 2, 3] and ds.x.shape == (4, 3072)
    assert np.allclose(ds.x[0].reshape(32, 32, 3)[0, 0] * 255, [0, 1024 % 256, 2048 % 256])


class _Planted:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return (os.system, (f"touch {self.marker}",))


def test_cifar_planted_object_is_refused_without_running(tmp_path):
    """Before: pickle.load ran os.system from a file in data/cifar10."""
    marker = tmp_path / "ran"
    batch = _batch()
    batch[b"labels"] = _Planted(marker)
    (tmp_path / "test_batch").write_bytes(pickle.dumps(batch, protocol=2))
    with pytest.raises(DatasetError, match=r"test_batch: not a CIFAR-10 python batch \(refused .*system"):
        load_cifar10("test", data_dir=tmp_path)
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError, match="builtins.eval"):
        import io
        RestrictedUnpickler(io.BytesIO(b"cbuiltins\neval\n(S'1'\ntR.")).load()


@pytest.mark.parametrize("key", ["data", "labels"])
def test_cifar_missing_key_names_file_and_key(tmp_path, key):
    """Before: KeyError: b'data'."""
    (tmp_path / "test_batch").write_bytes(pickle.dumps(_batch(**{key: True}), protocol=2))
    with pytest.raises(DatasetError, match=rf"test_batch: the CIFAR-10 batch has no key '{key}'"):
        load_cifar10("test", data_dir=tmp_path)


def test_cifar_wrong_shapes_and_labels(tmp_path):
    b = _batch()
    b[b"labels"] = [0, 1, 2, 12]
    (tmp_path / "test_batch").write_bytes(pickle.dumps(b))
    with pytest.raises(DatasetError, match="labels 0-9, found values from 0 to 12"):
        load_cifar10("test", data_dir=tmp_path)
    b = _batch()
    b[b"data"] = b[b"data"][:, :1024]
    (tmp_path / "test_batch").write_bytes(pickle.dumps(b))
    with pytest.raises(DatasetError, match=r"shape \(N, 3072\).*\(4, 1024\)"):
        load_cifar10("test", data_dir=tmp_path)
    (tmp_path / "test_batch").write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(DatasetError, match="found a list"):
        load_cifar10("test", data_dir=tmp_path)


# ------------------------------------------------------------------------------------------- OCR letters
def _ocr_line(i, letter, pixels=None):
    px = pixels if pixels is not None else ["1" if (i + j) % 3 == 0 else "0" for j in range(128)]
    return "\t".join([str(i), letter, "-1", "1", str(i), "0", *px]) + "\t\n"


def test_ocr_letters_load_and_uppercase_is_refused(tmp_path):
    from deepinfo.data import load_ocr_letters
    f = tmp_path / "letter.data"
    f.write_text(_ocr_line(1, "a") + _ocr_line(2, "z"))
    ds = load_ocr_letters(data_dir=tmp_path)
    assert ds.y.tolist() == [0, 25] and ds.x.shape == (2, 128)
    f.write_text(_ocr_line(1, "a") + _ocr_line(2, "A"))             # before: label -32
    with pytest.raises(DatasetError, match=r"letter\.data, line 2: expected a lowercase letter a-z.*'A'"):
        load_ocr_letters(data_dir=tmp_path)
    f.write_text(_ocr_line(1, "b", ["2"] * 128))
    with pytest.raises(DatasetError, match=r"line 1: expected binary pixels"):
        load_ocr_letters(data_dir=tmp_path)
