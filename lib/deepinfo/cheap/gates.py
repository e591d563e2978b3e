"""Multiplication with a few neurons (paper section II C, eq. 10-13, Fig. 2).

The 2-4-1 gate: with inputs (u, v), hidden pre-activations b + lambda*(+-(u+v)), b + lambda*(+-(u-v))
and output weights (1, 1, -1, -1) / (4 sigma''(b) lambda^2),

    m(u, v) = [s(b+l(u+v)) + s(b-l(u+v)) - s(b+l(u-v)) - s(b-l(u-v))] / (4 s''(b) l^2)

Taylor-expanding around b, the odd orders cancel by symmetry and

    m(u, v) = uv [1 + lambda^2 s''''(b) / (6 s''(b)) (u^2 + v^2)] + O(lambda^4),

so on [-1, 1]^2 the maximal error is |s''''(b)| / (3 |s''(b)|) lambda^2 + O(lambda^4) (reached at
|u| = |v| = 1). The paper's eq. 11 writes the same gate with 8 sigma_2 = 4 sigma''(0) and the scale
put on the layers (A1 -> lambda A1, A2 -> A2 / lambda^2); our lambda is the paper's lambda.
"""
from __future__ import annotations

import itertools
import math
from typing import Callable

import numpy as np
import torch
from torch import nn

DTYPE = torch.float64


def swish(x):
    return x * torch.sigmoid(x)


ACTIVATIONS: dict[str, Callable] = {
    "softplus": torch.nn.functional.softplus,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "swish": swish,
    "exp": torch.exp,
}


def derivatives(sigma: Callable, b: float, order: int = 4) -> list[float]:
    """[sigma(b), sigma'(b), ..., sigma^(order)(b)] by repeated automatic differentiation (float64)."""
    with torch.enable_grad():
        x = torch.tensor(float(b), dtype=DTYPE, requires_grad=True)
        y = sigma(x)
        out = [float(y.detach())]
        for _ in range(order):
            (y,) = torch.autograd.grad(y, x, create_graph=True)
            out.append(float(y.detach()))
    return out


def best_bias(sigma: Callable, lo: float = 0.0, hi: float = 4.0, grid: int = 40001) -> float:
    """The operating point b in [lo, hi] that maximises |sigma''(b)| (a zero of sigma''').

    For the logistic sigmoid and tanh, sigma''(0) = 0 (they are odd about their centre), so the
    gate needs a bias: this returns ln(2 + sqrt(3)) ~ 1.317 for the sigmoid and artanh(1/sqrt(3))
    ~ 0.658 for tanh. Any b with sigma''(b) != 0 works; this one makes the output weights smallest.
    """
    with torch.enable_grad():
        x = torch.linspace(lo, hi, grid, dtype=DTYPE, requires_grad=True)
        y = sigma(x)
        (d1,) = torch.autograd.grad(y.sum(), x, create_graph=True)
        (d2,) = torch.autograd.grad(d1.sum(), x)
    return float(x[torch.argmax(d2.abs())].detach())


def error_coefficient(sigma: Callable, b: float) -> float:
    """lim_{lambda->0} max_{[-1,1]^2} |m - uv| / lambda^2 = |sigma''''(b)| / (3 |sigma''(b)|)."""
    d = derivatives(sigma, b, 4)
    return abs(d[4]) / (3 * abs(d[2]))


class MultiplicationGate(nn.Module):
    """The 2-4-1 network of eq. 11 with set weights: input (..., 2) -> output (..., 1) ~ u*v.

    ``sigma``: any smooth activation with sigma''(b) != 0; ``b``: the hidden bias (operating
    point); ``lam``: the input scale lambda (error O(lambda^2)).
    """

    def __init__(self, sigma: Callable = torch.nn.functional.softplus, b: float = 0.0, lam: float = 0.01):
        super().__init__()
        d2 = derivatives(sigma, b, 2)[2]
        if abs(d2) < 1e-12:
            raise ValueError(f"sigma''({b}) = {d2:.3g}: the gate needs a non-zero second derivative; "
                             "shift the operating point with the bias b")
        self.sigma, self.b, self.lam = sigma, float(b), float(lam)
        self.hidden = nn.Linear(2, 4).to(DTYPE)
        self.out = nn.Linear(4, 1).to(DTYPE)
        with torch.no_grad():
            self.hidden.weight.copy_(lam * torch.tensor([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=DTYPE))
            self.hidden.bias.fill_(b)
            self.out.weight.copy_(torch.tensor([[1, 1, -1, -1]], dtype=DTYPE) / (4 * d2 * lam ** 2))
            self.out.bias.zero_()  # the four sigma(b) terms cancel

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.sigma(self.hidden(x)))


def gate_max_error(sigma: Callable, b: float, lam: float, grid: int = 101) -> float:
    """max over a grid of [-1, 1]^2 of |m(u, v) - uv| for the gate with scale ``lam``."""
    g = torch.linspace(-1, 1, grid, dtype=DTYPE)
    U, V = torch.meshgrid(g, g, indexing="ij")
    x = torch.stack([U.ravel(), V.ravel()], 1)
    with torch.no_grad():
        m = MultiplicationGate(sigma, b, lam)(x)[:, 0]
    return float((m - x[:, 0] * x[:, 1]).abs().max())


def loglog_slope(x, y) -> float:
    """Least-squares slope of log y against log x."""
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


class ProductTree(nn.Module):
    """x1 x2 ... xn (n a power of 2) with a binary tree of 2-4-1 gates: log2(n) hidden layers of
    4n/2, 4n/4, ..., 4 neurons, 4(n-1) neurons in all. Input (..., n) -> output (..., 1).
    Each hidden layer is one ``nn.Linear`` with a block-diagonal weight; the linear read-out of
    one level's gates is folded into the next level's input weights (as a real network would).
    """

    def __init__(self, n: int, sigma: Callable = torch.nn.functional.softplus, b: float = 0.0, lam: float = 1e-3):
        super().__init__()
        if n < 2 or n & (n - 1):
            raise ValueError(f"n={n}: expected a power of 2 >= 2")
        self.n, self.sigma = n, sigma
        gate = MultiplicationGate(sigma, b, lam)
        W1, b1 = gate.hidden.weight.detach(), gate.hidden.bias.detach()
        W2 = gate.out.weight.detach()  # (1, 4)
        self.layers = nn.ModuleList()
        width_in, first = n, True
        while width_in > 1:
            g = width_in // 2
            # previous layer's outputs are 4*(2g) hidden neurons, read out in pairs of gates
            lin = nn.Linear(width_in if first else 4 * width_in, 4 * g).to(DTYPE)
            with torch.no_grad():
                Win = torch.block_diag(*[W1] * g)  # (4g, 2g): acts on the gate outputs
                if not first:
                    Win = Win @ torch.block_diag(*[W2] * width_in)  # compose with read-out (2g, 8g)
                lin.weight.copy_(Win)
                lin.bias.copy_(b1.repeat(g))
            self.layers.append(lin)
            width_in, first = g, False
        self.readout = nn.Linear(4, 1).to(DTYPE)
        with torch.no_grad():
            self.readout.weight.copy_(W2)
            self.readout.bias.zero_()

    @property
    def hidden_neurons(self) -> int:
        return sum(layer.out_features for layer in self.layers)

    @property
    def depth(self) -> int:
        return len(self.layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = self.sigma(layer(x))
        return self.readout(x)


def product_tree_error(n: int, lam: float, M: int, rng: np.random.Generator,
                       sigma: Callable = torch.nn.functional.softplus, b: float = 0.0) -> dict:
    """Max |tree(x) - prod x| over M uniform points of [-1,1]^n plus the corners (+-1, ..., +-1)
    (at most 2^10 of them, where the gates' relative errors add up most)."""
    net = ProductTree(n, sigma, b, lam)
    x = rng.uniform(-1, 1, (M, n))
    corners = rng.choice([-1.0, 1.0], size=(min(2 ** n, 1024), n))
    x = torch.tensor(np.vstack([x, corners]), dtype=DTYPE)
    with torch.no_grad():
        err = (net(x)[:, 0] - x.prod(1)).abs()
    return {"n": n, "neurons": net.hidden_neurons, "layers": net.depth, "max_error": float(err.max()),
            "mean_error": float(err.mean())}


# ----------------------------------------------------------------------------- bits (eq. 12-13)

def bit_product(y: torch.Tensor, beta: float) -> torch.Tensor:
    """One sigmoid neuron for prod_i y_i of bits y (..., k) (eq. 13): sigma(-beta (k - 1/2 - sum y))."""
    k = y.shape[-1]
    return torch.sigmoid(-beta * (k - 0.5 - y.sum(-1)))


def bit_product_max_error(k: int, beta: float) -> float:
    """Exact max over the 2^k bit strings of |eq. 13 - prod y| (enumeration); equals sigma(-beta/2)."""
    y = all_bits(k)
    return float((bit_product(y, beta) - y.prod(-1)).abs().max())


def beta_for_digits(D: float) -> float:
    """Smallest beta with max error sigma(-beta/2) <= 10^-D: beta = 2 ln(10^D - 1) ~ 2 D ln 10."""
    return 2 * math.log(10.0 ** D - 1)


def all_bits(n: int) -> torch.Tensor:
    """All 2^n bit strings as a (2^n, n) float64 tensor, row j = binary digits of j (MSB first)."""
    return torch.tensor(list(itertools.product([0.0, 1.0], repeat=n)), dtype=DTYPE)


def mobius_coefficients(f: np.ndarray, n: int) -> np.ndarray:
    """Coefficients h_S of eq. 12, f(y) = sum_S h_S prod_{i in S} y_i, for f given on all 2^n
    strings (index = bits MSB first, shape (2^n, ...)). Subset S is encoded by the same index
    (bit set = variable in S). h_S = sum_{T subset S} (-1)^{|S|-|T|} f(T) (Mobius inversion), O(n 2^n)."""
    h = np.array(f, dtype=np.float64, copy=True)
    for i in range(n):
        bit = 1 << (n - 1 - i)
        idx = np.arange(2 ** n)
        has = (idx & bit) != 0
        h[has] = h[has] - h[idx[has] ^ bit]
    return h


class BitFunctionNet(nn.Module):
    """Any function of n bits as a 3-layer network (eq. 12 + eq. 8): input layer y (n bits),
    a hidden layer of 2^n - 1 sigmoid neurons (one bit product per non-empty subset S, eq. 13),
    and an output layer taking the linear combination sum_S h_S prod_S y (the constant h_empty is
    the output bias); with ``softmax=True`` the output is softmax(-H - mu) over K classes.

    ``H``: (2^n, K) the values H_x(y) on all bit strings (row index = bits MSB first).
    """

    def __init__(self, H: np.ndarray, n: int, beta: float = 80.0, mu: np.ndarray | None = None,
                 softmax: bool = False):
        super().__init__()
        H = np.asarray(H, dtype=np.float64).reshape(2 ** n, -1)
        h = mobius_coefficients(H, n)  # (2^n, K)
        subsets = all_bits(n)[1:]  # (2^n - 1, n) indicator of S
        k = subsets.sum(1)
        self.hidden = nn.Linear(n, 2 ** n - 1).to(DTYPE)
        self.out = nn.Linear(2 ** n - 1, H.shape[1]).to(DTYPE)
        with torch.no_grad():
            self.hidden.weight.copy_(beta * subsets)
            self.hidden.bias.copy_(-beta * (k - 0.5))
            self.out.weight.copy_(torch.tensor(h[1:].T))
            self.out.bias.copy_(torch.tensor(h[0]))
        self.mu = None if mu is None else torch.tensor(np.asarray(mu, float), dtype=DTYPE)
        self.softmax, self.n, self.beta = softmax, n, beta

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        H = self.out(torch.sigmoid(self.hidden(y)))
        if not self.softmax:
            return H
        return torch.softmax(-H - (0 if self.mu is None else self.mu), dim=-1)

    def error_bound(self) -> float:
        """|net - H| <= sum_S |h_S| sigma(-beta/2) on every bit string (each neuron is off by at most that)."""
        return float(self.out.weight.detach().abs().sum(1).max()) * float(torch.sigmoid(torch.tensor(-self.beta / 2, dtype=DTYPE)))


def random_bit_posterior(n: int, K: int, rng: np.random.Generator) -> dict:
    """A random classification problem on n bits: p(y|x) (2^n, K) from a Dirichlet(1), priors p(x).
    Returns H = -ln p(y|x), mu = -ln p(x) and the exact posterior p(x|y) (2^n, K) by Bayes' rule."""
    lik = rng.dirichlet(np.ones(2 ** n), size=K).T  # (2^n, K), columns sum to 1
    prior = rng.dirichlet(np.ones(K))
    joint = lik * prior
    return {"H": -np.log(lik), "mu": -np.log(prior), "posterior": joint / joint.sum(1, keepdims=True)}
