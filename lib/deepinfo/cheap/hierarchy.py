"""Hierarchical generative processes (paper section III A-D, eq. 15-22, Theorem 2, Corollary 2).

A chain x0 -> x1 -> ... -> xn is given by its prior p0 (K0,) and column-stochastic matrices
M_i (K_i, K_{i-1}) with M_i[a, b] = p(x_i = a | x_{i-1} = b) (eq. 15-16). Exact quantities are
computed from these matrices; the plug-in estimates use ``deepinfo.estimators`` on samples.
Mutual informations in bits, exact ones by :func:`deepinfo.estimators.mutual_information_table`
(the one home for the MI of a joint table).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..estimators import mutual_information_table


@dataclass(frozen=True)
class ChainConfig:
    """The configuration of a hierarchical Markov chain x0 -> x1 -> ... -> xn (paper sec. III A-D).

    The one home of the chain's configuration, used by the Lin & Tegmark chapter and the synthesis.

    sizes          states per level (K_0, K_1, ..., K_n); the channels M_i are (K_i, K_{i-1})
    concentration  Dirichlet concentration of each column of M_i (:func:`random_chain`); small
                   values give nearly deterministic channels, large ones nearly uniform
    M              samples drawn from the chain (plug-in estimates, training data)
    n_bits_chain   steps of the noisy-copy chain of Theorem 2 (:func:`noisy_copy_chain`): level i
                   carries i + 1 bits
    """

    sizes: tuple = (4, 8, 8, 8, 8, 8)
    concentration: float = 0.5
    M: int = 20_000
    n_bits_chain: int = 4


def random_chain(sizes: list[int], rng: np.random.Generator, concentration: float = 0.5) -> dict:
    """Random channels: each column of M_i drawn from Dirichlet(concentration); p0 uniform."""
    Ms = [rng.dirichlet(np.full(sizes[i + 1], concentration), size=sizes[i]).T for i in range(len(sizes) - 1)]
    return {"p0": np.full(sizes[0], 1.0 / sizes[0]), "Ms": Ms}


def marginals_joint_with_x0(p0, Ms) -> list[np.ndarray]:
    """[p(x0, x_i)] for i = 0..n, each (K0, K_i) (exact, by eq. 16 applied to each row of diag(p0))."""
    J = np.diag(p0)
    out = [J]
    for M in Ms:
        J = J @ M.T
        out.append(J)
    return out


def sample_chain(p0, Ms, M: int, rng: np.random.Generator) -> np.ndarray:
    """M samples of the chain, (M, n+1) integer states."""
    x = rng.choice(len(p0), size=M, p=p0)
    out = [x]
    for T in Ms:
        cdf = np.cumsum(T[:, x], axis=0)  # (K_i, M)
        u = rng.random(M)
        x = np.minimum((u[None, :] > cdf).sum(0), T.shape[0] - 1)
        out.append(x)
    return np.stack(out, 1)


def dpi_along_chain(p0, Ms, M: int, rng: np.random.Generator) -> dict:
    """I(x0; x_i) for i = 0..n, exact and plug-in (``deepinfo.estimators.mutual_information``)."""
    from deepinfo.estimators import mutual_information

    exact = [mutual_information_table(J) for J in marginals_joint_with_x0(p0, Ms)]
    s = sample_chain(p0, Ms, M, rng)
    plugin = [mutual_information(s[:, :1], s[:, i:i + 1]) for i in range(s.shape[1])]
    return {"exact": np.array(exact), "plugin": np.array(plugin), "M": M}


# ------------------------------------------------------------ Theorem 2: stepwise inversion

def noisy_copy_chain(n: int, flips: np.ndarray) -> dict:
    """A chain of bit strings in which level i carries i+1 bits: x0 = (a0); x_{i+1} copies each bit
    of x_i through a binary symmetric channel (flip probability flips[i, j]) and appends a fresh
    fair bit a_{i+1}, which carries no information about the levels above. Returns p0 and the
    matrices M_i (2^{i+2}, 2^{i+1}); state index = bits MSB first (the oldest bit first).
    ``flips`` (n, n): only flips[i, :i+1] is used."""
    Ms = []
    for i in range(n):
        k = i + 1  # bits at level i
        Kin, Kout = 2 ** k, 2 ** (k + 1)
        T = np.zeros((Kout, Kin))
        for a in range(Kin):
            for c in range(Kout):
                prob = 0.5  # fresh last bit
                for j in range(k):
                    bj = (a >> (k - 1 - j)) & 1
                    cj = (c >> (k - j)) & 1
                    prob *= (1 - flips[i, j]) if bj == cj else flips[i, j]
                T[c, a] = prob
        Ms.append(T)
    return {"p0": np.array([0.5, 0.5]), "Ms": Ms}


def posterior_given_last(p0, Ms, i: int) -> np.ndarray:
    """P(x_i | x_n) as a (K_i, K_n) matrix (columns = observed x_n), exact."""
    p = [np.asarray(p0, float)]
    for M in Ms:
        p.append(M @ p[-1])
    L = np.eye(len(p[i]))  # P(x_n | x_i) built by composing the channels after level i
    for M in Ms[i:]:
        L = M @ L  # (K_n, K_i)
    joint = L * p[i][None, :]  # (K_n, K_i)
    return (joint / joint.sum(1, keepdims=True)).T


def minimal_sufficient_labels(post: np.ndarray, decimals: int = 10) -> np.ndarray:
    """The minimal sufficient statistic T(x_n) of P(x_i | x_n): x_n values with the same posterior
    column get the same label (labels 0..m-1 in order of first appearance)."""
    keys = [tuple(np.round(post[:, j], decimals)) for j in range(post.shape[1])]
    table: dict = {}
    return np.array([table.setdefault(k, len(table)) for k in keys])


def stepwise_inversion(p0, Ms) -> dict:
    """Theorem 2 and Corollary 2, checked exactly.

    For each level i, T_i = minimal sufficient statistic of P(x_i | x_n). Checks that T_i is a
    function of T_{i+1} (every T_{i+1} class maps into one T_i class: f_i exists) and builds the
    lookup tables f_i; then composes f_0 o f_1 o ... o f_{n-1} o T_{n-1} and compares the result
    with the exact P(x0 | x_n). Also I(x0; x_n) vs I(x0; T_0(x_n)) (sufficiency, eq. 21 with "=")."""
    n = len(Ms)
    posts = [posterior_given_last(p0, Ms, i) for i in range(n)]
    T = [minimal_sufficient_labels(P) for P in posts]
    functional, f = [], []
    for i in range(n - 1):
        table = {}
        ok = True
        for a, b in zip(T[i + 1], T[i]):
            ok &= table.setdefault(int(a), int(b)) == int(b)
        functional.append(bool(ok))
        f.append(table)
    # compose: start from T_{n-1}(x_n), apply f_{n-2}, ..., f_0, then f0(T0) = P(x0 | T0)
    lab = T[n - 1].copy()
    for i in range(n - 2, -1, -1):
        lab = np.array([f[i][int(a)] for a in lab])
    post0 = posts[0]
    P_given_T0 = {int(t): post0[:, j] for j, t in enumerate(T[0])}
    composed = np.stack([P_given_T0[int(t)] for t in lab], 1)
    # sufficiency in bits: joint of x0 with x_n and with T0(x_n)
    J = marginals_joint_with_x0(p0, Ms)[-1]  # (K0, K_n)
    JT = np.zeros((J.shape[0], T[0].max() + 1))
    for j, t in enumerate(T[0]):
        JT[:, t] += J[:, j]
    return {"n_classes": [int(t.max() + 1) for t in T] + [Ms[-1].shape[0]], "functional": functional,
            "max_composition_error": float(np.abs(composed - post0).max()),
            "I_x0_xn": mutual_information_table(J), "I_x0_T0": mutual_information_table(JT), "labels": T}
