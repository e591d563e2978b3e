"""The CPU float policy of the cached computations: subnormals flushed inside the block only."""
import torch

from deepinfo.device import flush_denormals


def _subnormal_product() -> float:
    x = torch.tensor([1e-39], dtype=torch.float32)  # below float32's smallest normal, 1.18e-38
    return float((x * 1.0)[0])


def test_flush_denormals_flushes_inside_and_restores_after():
    assert _subnormal_product() > 0  # IEEE default: subnormals kept
    with flush_denormals():
        assert _subnormal_product() == 0.0
        assert float((torch.tensor([1e-30]) * 1.0)[0]) > 0  # normal numbers untouched
    assert _subnormal_product() > 0
    with flush_denormals(enabled=False):
        assert _subnormal_product() > 0
