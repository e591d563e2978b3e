import json

import numpy as np
import pytest
import torch

from deepinfo.cache import ResultCache, config_key


def test_key_depends_on_config_name_and_version_only():
    a = config_key("x", {"epochs": 5, "lr": 0.1})
    assert a == config_key("x", {"lr": 0.1, "epochs": 5})          # key order is irrelevant
    assert a != config_key("x", {"epochs": 6, "lr": 0.1})
    assert a != config_key("y", {"epochs": 5, "lr": 0.1})
    assert a != config_key("x", {"epochs": 5, "lr": 0.1}, version="999")


def test_roundtrip_keeps_types(tmp_path):
    cache = ResultCache(tmp_path)
    calls = []

    def compute():
        calls.append(1)
        return {"w": torch.arange(6.0).reshape(2, 3), "h": np.array([[1, 0], [0, 1]], dtype=np.uint8),
                "curve": [0.5, 0.25], "name": "dbn", "n": 3, "nested": {"t": (1, 2)}, "none": None}

    first = cache.get_or_compute("exp", {"a": 1}, compute)
    second = cache.get_or_compute("exp", {"a": 1}, compute)
    assert len(calls) == 1
    for out in (first, second):
        assert isinstance(out["w"], torch.Tensor) and torch.equal(out["w"], torch.arange(6.0).reshape(2, 3))
        assert isinstance(out["h"], np.ndarray) and out["h"].dtype == np.uint8
        assert out["curve"] == [0.5, 0.25] and out["name"] == "dbn" and out["nested"]["t"] == (1, 2)


def test_corrupt_payload_is_detected_and_recomputed(tmp_path):
    cache = ResultCache(tmp_path)
    cache.get_or_compute("exp", {"a": 1}, lambda: {"v": np.arange(10)})
    entry = cache.entry("exp", {"a": 1})
    data = bytearray(entry.payload.read_bytes())
    data[len(data) // 2] ^= 0xFF
    entry.payload.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match="unusable"):
        out = cache.get_or_compute("exp", {"a": 1}, lambda: {"v": np.arange(3)})
    assert out["v"].tolist() == [0, 1, 2]


def test_partial_entry_without_meta_is_ignored(tmp_path):
    cache = ResultCache(tmp_path)
    entry = cache.entry("exp", {"a": 2})
    entry.directory.mkdir(parents=True)
    entry.payload.write_bytes(b"half written")          # interrupted before meta.json was written
    assert entry.load() is None
    assert cache.get_or_compute("exp", {"a": 2}, lambda: {"v": 1})["v"] == 1
    assert json.loads(entry.meta.read_text())["config"] == {"a": 2}


def test_checkpoint_resumes(tmp_path):
    cache = ResultCache(tmp_path)
    ckpt = cache.checkpoint("train", {"epochs": 10})
    assert ckpt.load() is None
    ckpt.save({"epoch": 4, "w": torch.ones(3)})
    again = cache.checkpoint("train", {"epochs": 10}).load()
    assert again["epoch"] == 4 and torch.equal(again["w"], torch.ones(3))


def test_unstorable_values_raise_clearly(tmp_path):
    with pytest.raises(TypeError, match="result\\['f'\\]"):
        ResultCache(tmp_path).get_or_compute("exp", {}, lambda: {"f": object()})
    with pytest.raises(ValueError, match="name"):
        ResultCache(tmp_path).entry("a/b", {})


class _Planted:
    """Unpickling this runs a shell command: what a hostile payload would carry."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return (os.system, (f"touch {self.marker}",))


def test_planted_pickle_with_a_valid_checksum_is_refused_without_running(tmp_path):
    import hashlib
    import pickle

    cache = ResultCache(tmp_path / "cache")
    cache.get_or_compute("exp", {"a": 3}, lambda: {"v": 1})
    entry = cache.entry("exp", {"a": 3})
    marker = tmp_path / "ran"
    hostile = pickle.dumps({"v": _Planted(marker)}, protocol=2)
    entry.payload.write_bytes(hostile)
    meta = json.loads(entry.meta.read_text())
    meta["sha256"] = hashlib.sha256(hostile).hexdigest()   # the attacker fixes the checksum too
    entry.meta.write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match=rf"{entry.directory.name}.*unusable.*loaded safely"):
        out = cache.get_or_compute("exp", {"a": 3}, lambda: {"v": 2})
    assert out == {"v": 2} and not marker.exists()


def test_load_of_a_cleared_or_half_deleted_entry_never_raises(tmp_path):
    cache = ResultCache(tmp_path)
    entry = cache.entry("exp", {"a": 4})
    assert entry.load() is None and not entry.directory.exists()   # absent: no folder, no lock file made
    entry.save({"v": 1})
    entry.payload.unlink()                                           # meta without payload
    with pytest.warns(UserWarning, match="payload file is missing"):
        assert entry.load() is None
    assert not entry.meta.exists()
    entry.clear()                                                    # clearing twice is fine
    assert entry.load() is None
