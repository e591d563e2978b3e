"""Small RBMs whose every state can be enumerated: the shared cases of the RBM tests."""
import itertools

import torch

from deepinfo.models.rbm import RBM


def tiny_rbm(n_v: int, n_h: int, R: int = 2, seed: int = 0, scale: float = 1.0) -> RBM:
    """R realisations of an n_v x n_h RBM in float64 with N(0, scale^2) weights and biases."""
    g = torch.Generator().manual_seed(seed)
    rbm = RBM(n_v, n_h, R, dtype=torch.float64)
    rbm.W.copy_(torch.randn(R, n_v, n_h, generator=g, dtype=torch.float64) * scale)
    rbm.b_v.copy_(torch.randn(R, n_v, generator=g, dtype=torch.float64) * scale)
    rbm.b_h.copy_(torch.randn(R, n_h, generator=g, dtype=torch.float64) * scale)
    return rbm


def all_states(n: int) -> torch.Tensor:
    """Every binary vector of length n, (2^n, n) float64."""
    return torch.tensor(list(itertools.product([0.0, 1.0], repeat=n)), dtype=torch.float64)
