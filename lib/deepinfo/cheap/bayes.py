"""Bayes' theorem as a softmax (paper eq. 1-8) and the Appendix A counterexample (eq. 28-32).

Notation: H_x(y) = -ln p(y|x) (the Hamiltonian of class x, eq. 2), mu_x = -ln p(x), and
p(x|y) = softmax(-H(y) - mu)_x (eq. 8). Natural logarithms throughout.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

DTYPE = torch.float64


def gaussian_classes(K: int, d: int, rng: np.random.Generator) -> dict:
    """K class-conditional Gaussians in d dimensions: means (K, d), covariances (K, d, d), priors (K,)."""
    means = rng.normal(0, 1.5, (K, d))
    A = rng.normal(0, 1, (K, d, d)) / np.sqrt(d)
    covs = A @ np.transpose(A, (0, 2, 1)) + 0.3 * np.eye(d)
    priors = rng.dirichlet(np.ones(K) * 2)
    return {"means": means, "covs": covs, "priors": priors}


def quadratic_hamiltonian(means, covs) -> dict:
    """Coefficients of H_x(y) = h_x + g_x . y + y^T Q_x y for Gaussians (eq. 9 truncated at d = 2):
    Q = Sigma^-1 / 2, g = -Sigma^-1 m, h = m^T Sigma^-1 m / 2 + ln det(2 pi Sigma) / 2."""
    P = np.linalg.inv(covs)
    Q = P / 2
    g = -np.einsum("kij,kj->ki", P, means)
    h = 0.5 * np.einsum("ki,kij,kj->k", means, P, means) + 0.5 * np.linalg.slogdet(2 * np.pi * covs)[1]
    return {"Q": Q, "g": g, "h": h}


class BayesSoftmaxNet(nn.Module):
    """y (..., d) -> p(x|y) (..., K): a layer of the d(d+1)/2 + d monomials y_i y_j (i <= j) and y_i,
    a linear layer giving H(y) (eq. 9 with d = 2), and a softmax whose bias is -mu (eq. 8).
    The monomials are computed exactly here; section II C replaces each product by a 4-neuron gate."""

    def __init__(self, means, covs, priors):
        super().__init__()
        K, d = np.shape(means)
        c = quadratic_hamiltonian(np.asarray(means), np.asarray(covs))
        self.pairs = [(i, j) for i in range(d) for j in range(i, d)]
        W = np.zeros((K, len(self.pairs) + d))
        for a, (i, j) in enumerate(self.pairs):
            W[:, a] = c["Q"][:, i, j] * (1 if i == j else 2)
        W[:, len(self.pairs):] = c["g"]
        self.H = nn.Linear(W.shape[1], K).to(DTYPE)
        with torch.no_grad():
            self.H.weight.copy_(torch.tensor(W))
            self.H.bias.copy_(torch.tensor(c["h"]))
        self.register_buffer("mu", torch.tensor(-np.log(np.asarray(priors)), dtype=DTYPE))

    def features(self, y: torch.Tensor) -> torch.Tensor:
        quad = torch.stack([y[..., i] * y[..., j] for i, j in self.pairs], -1)
        return torch.cat([quad, y], -1)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return torch.softmax(-self.H(self.features(y)) - self.mu, dim=-1)


def exact_posterior(y: np.ndarray, means, covs, priors) -> np.ndarray:
    """p(x|y) (M, K) by eq. 1 with scipy's Gaussian densities (no Hamiltonians, no softmax)."""
    from scipy.stats import multivariate_normal

    lik = np.stack([multivariate_normal(m, C).pdf(y) for m, C in zip(means, covs)], -1)
    joint = lik * np.asarray(priors)
    return joint / joint.sum(-1, keepdims=True)


# ------------------------------------------------------------------ Appendix A (eq. 28-32)

def partition_counterexample(n_states: int, rng: np.random.Generator, field: float = 0.0,
                             s: np.ndarray | None = None, H=None, K=None) -> dict:
    """Appendix A: H(y) and a non-constant K(y) on ``n_states`` states; the joint Hamiltonian
    H(y, y') = H(y) + H(y') + K(y) + ln Z~ (eq. 30), Z~ = sum_y exp(-H - K). With ``field`` x and
    observable s(y), H_x(y) = H(y) - x s(y) and Z~ evaluated at the same x.
    Returns Z, Z_tot, p(y), the marginal p~(y) (eq. 32) and their total variation distance."""
    H = rng.normal(0, 1, n_states) if H is None else np.asarray(H, float)
    K = rng.normal(0, 1, n_states) if K is None else np.asarray(K, float)
    s = np.arange(n_states, dtype=float) if s is None else np.asarray(s, float)
    Hx = H - field * s
    Zt = np.exp(-(Hx + K)).sum()
    Hjoint = Hx[:, None] + Hx[None, :] + K[:, None] + np.log(Zt)
    Z = np.exp(-Hx).sum()
    Ztot = np.exp(-Hjoint).sum()
    p = np.exp(-Hx) / Z
    ptilde = np.exp(-Hjoint).sum(1) / Ztot
    return {"H": H, "K": K, "Z": Z, "Z_tot": Ztot, "p": p, "p_tilde": ptilde,
            "tv": 0.5 * np.abs(p - ptilde).sum()}


class BayesGateNet(BayesSoftmaxNet):
    """The same classifier with every monomial y_i y_j computed by a 2-4-1 multiplication gate
    (section II C): a hidden layer of 4 d(d+1)/2 activation neurons (plus the d linear inputs) feeds
    the Hamiltonian layer. Its error vanishes as O(lambda^2) (the gate's error, eq. 11)."""

    def __init__(self, means, covs, priors, sigma=torch.nn.functional.softplus, b: float = 0.0, lam: float = 1e-2):
        super().__init__(means, covs, priors)
        from .gates import MultiplicationGate

        self.gate = MultiplicationGate(sigma, b, lam)

    def features(self, y: torch.Tensor) -> torch.Tensor:
        pairs = torch.stack([torch.stack([y[..., i], y[..., j]], -1) for i, j in self.pairs], -2)  # (..., P, 2)
        quad = self.gate(pairs)[..., 0]
        return torch.cat([quad, y], -1)
