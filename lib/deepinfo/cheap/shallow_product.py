"""The product x1 x2 ... xn with one hidden layer: the 2^n-neuron construction and why fewer fail.

Rolnick & Tegmark (2018), the journal companion of Lin & Tegmark, prove that a network with one
hidden layer and a smooth activation needs 2^n neurons to approximate the product of n inputs,
while the tree of multiplication gates of section II C needs 4(n - 1) neurons in log2 n layers.

Construction. All 2^n hidden neurons share one operating point b and read the inputs through a sign
pattern s in {-1, +1}^n: h_s = sigma(b + lambda s.x). The output is

    f(x) = sum_s (prod_i s_i) h_s / (2^n lambda^n sigma^(n)(b)).

Expanding sigma in powers of lambda s.x, sum_s (prod s)(s.x)^k vanishes unless every x_i appears
an odd number of times: zero for k < n and k = n + 1, n! 2^n x1...xn for k = n, and
(n + 2)!/6 2^n x1...xn sum_i x_i^2 for k = n + 2. Hence

    f(x) = x1...xn [1 + lambda^2 sigma^(n+2)(b) / (6 sigma^(n)(b)) sum_i x_i^2] + O(lambda^4),

and the worst error on [-1, 1]^n is n |sigma^(n+2)(b) / sigma^(n)(b)| lambda^2 / 6 (at the corners).
For n = 2 it is the 2-4-1 gate of eq. 10-11.

Lower bound, checked exactly on the construction's own weights: the Taylor coefficient of the
square-free monomial x_S in f is proportional to sum_s a_s prod_{i in S} s_i, i.e. the Walsh-Hadamard
matrix W (2^n x 2^n, W W^T = 2^n I) applied to the output weights a. Cancelling every x_S with
S != {1..n} while keeping x1...xn has the unique solution a_s ~ prod s_i, which has no zero entry:
no neuron of the construction can be dropped.
"""
from __future__ import annotations

import itertools
import math

import numpy as np


def softplus_derivatives(b: float, order: int) -> np.ndarray:
    """[sigma(b), sigma'(b), ..., sigma^(order)(b)] of softplus, exactly: sigma' is the logistic s and
    every further derivative is a polynomial in s (d/dx P(s) = P'(s) s (1 - s))."""
    s = 1.0 / (1.0 + math.exp(-b))
    out = [math.log1p(math.exp(b))]
    P = np.polynomial.Polynomial([0.0, 1.0])  # sigma' = s
    ds = np.polynomial.Polynomial([0.0, 1.0, -1.0])  # s (1 - s)
    for _ in range(order):
        out.append(float(P(s)))
        P = P.deriv() * ds
    return np.array(out)


def softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def sign_patterns(n: int) -> np.ndarray:
    """All 2^n sign vectors s in {-1, +1}^n as an int array (2^n, n)."""
    return np.array(list(itertools.product([-1, 1], repeat=n)), dtype=np.int64)


class ShallowProductNet:
    """One hidden layer of 2^n softplus neurons computing x1...xn (see the module docstring).

    ``W1`` (2^n, n) = lambda s, ``b1`` (2^n,) = b, ``w2`` (2^n,) = prod(s) / (2^n lambda^n sigma^(n)(b)).
    Float64 numpy; ``neurons`` = 2^n."""

    def __init__(self, n: int, lam: float, b: float = 1.0):
        d = softplus_derivatives(b, n + 2)
        if abs(d[n]) < 1e-6:
            raise ValueError(f"sigma^({n})({b}) = {d[n]:.2g}: choose an operating point where it is non-zero")
        S = sign_patterns(n)
        self.n, self.lam, self.b, self.neurons = n, lam, b, 2 ** n
        self.W1 = lam * S.astype(float)
        self.b1 = np.full(2 ** n, float(b))
        self.w2 = S.prod(1) / (2 ** n * lam ** n * d[n])
        self.coef = abs(d[n + 2] / d[n]) * n / 6.0  # predicted max error / lambda^2 on [-1, 1]^n

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return softplus(x @ self.W1.T + self.b1) @ self.w2


def max_error(n: int, lam: float, M: int, rng: np.random.Generator, b: float = 1.0) -> float:
    """max |f(x) - x1...xn| over M uniform points of [-1, 1]^n and all 2^n corners."""
    net = ShallowProductNet(n, lam, b)
    x = np.vstack([rng.uniform(-1, 1, (M, n)), sign_patterns(n).astype(float)])
    return float(np.abs(net(x) - x.prod(1)).max())


def walsh_matrix(n: int) -> np.ndarray:
    """W[S, s] = prod_{i in S} s_i (integers), rows: subsets S (bit i of the row index = i in S)."""
    S = sign_patterns(n)
    rows = [[int(np.prod([s[i] for i in range(n) if (m >> i) & 1])) for s in S] for m in range(2 ** n)]
    return np.array(rows, dtype=np.int64)


def minimality(n: int) -> dict:
    """Exact (integer) check that no neuron of the construction can be dropped.

    The square-free Taylor coefficients of sum_s a_s sigma(b + lambda s.x) are
    sigma^(|S|)(b) lambda^|S| (W a)_S / ... ; requiring (W a)_S = 0 for S != full and != 0 for S = full
    has, since W W^T = 2^n I, the unique solution a = W^T e_full / 2^n = prod(s) / 2^n. Returns
    ``orthogonal`` (W W^T == 2^n I exactly), ``solution`` (the integer vector 2^n a), ``zeros`` (how many
    entries of it vanish: the neurons that could be dropped) and ``rank`` of W."""
    W = walsh_matrix(n)
    orth = bool((W @ W.T == (2 ** n) * np.eye(2 ** n, dtype=np.int64)).all())
    full = np.zeros(2 ** n, dtype=np.int64)
    full[-1] = 1
    sol = W.T @ full  # 2^n a
    return {"n": n, "neurons": 2 ** n, "orthogonal": orth, "rank": int(np.linalg.matrix_rank(W.astype(float))),
            "zeros": int((sol == 0).sum()), "solution_is_prod_s": bool((sol == sign_patterns(n).prod(1)).all())}
