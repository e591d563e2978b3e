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
