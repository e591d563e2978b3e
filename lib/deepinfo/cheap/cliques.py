"""Two of the paper's statements that it argues in words (section II D), as computations.

Clique-cover bound. A Hamiltonian over bits that is a sum of terms H_c(y_c) over N_c cliques of at most
S_c bits is a polynomial whose monomials are subsets of cliques (eq. 12 applied clique by clique), so
the network of eq. 12-13 (one sigmoid bit product per monomial, a linear read-out) needs at most
N_c 2^S_c neurons instead of 2^n. :func:`clique_network` builds that network from the Hamiltonian's
values alone (Mobius inversion over all 2^n states finds which monomials are present) and counts.

Maximum entropy. Among all distributions with given first and second moments of +-1 spins, the one of
largest entropy is a Boltzmann distribution whose Hamiltonian has only first- and second-order terms
(Jaynes 1957). :func:`max_entropy` solves the problem over the whole probability simplex, with no
parametric form assumed, and :func:`walsh_coefficients` reads off the order of -ln q.
"""
from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import minimize

from .gates import mobius_coefficients


def states01(n: int) -> np.ndarray:
    """All 2^n bit strings (2^n, n), row j = binary digits of j, MSB first (the order of gates.all_bits)."""
    return np.array(list(itertools.product([0, 1], repeat=n)), dtype=float)


def ring_cliques(n: int, size: int = 2) -> list[tuple[int, ...]]:
    """The n cliques {i, i+1, ..., i+size-1} (mod n) of a ring."""
    return [tuple((i + d) % n for d in range(size)) for i in range(n)]


def grid_cliques(L: int) -> list[tuple[int, ...]]:
    """The 2 L^2 nearest-neighbour edges of a periodic L x L grid (site r * L + c)."""
    out = []
    for r in range(L):
        for c in range(L):
            out += [(r * L + c, r * L + (c + 1) % L), (r * L + c, ((r + 1) % L) * L + c)]
    return out


def clique_hamiltonian(n: int, cliques, rng: np.random.Generator) -> np.ndarray:
    """H(y) = sum_c H_c(y_c) on all 2^n states, each H_c a table of 2^|c| standard normal values."""
    Y = states01(n).astype(int)
    H = np.zeros(2 ** n)
    for c in cliques:
        table = rng.normal(size=2 ** len(c))
        idx = sum(Y[:, i] << (len(c) - 1 - k) for k, i in enumerate(c))
        H += table[idx]
    return H


def clique_network(H: np.ndarray, n: int, beta: float = 80.0, tol: float = 1e-9) -> dict:
    """The eq. 12-13 network for H with only the monomials that are present (|h_S| > tol max|h|).

    Hidden neuron per monomial S: sigmoid(beta (sum_{i in S} y_i - |S| + 1/2)); output sum_S h_S h + h_empty.
    Returns ``neurons``, ``max_order`` (largest |S| present), ``max_error`` over all 2^n states and the
    guaranteed ``bound`` sum_S |h_S| sigmoid(-beta/2)."""
    h = mobius_coefficients(H, n)
    keep = np.abs(h) > tol * np.abs(h).max()
    keep[0] = False  # the constant is the output bias
    subsets = states01(n)[keep]  # indicators of the kept S (same index convention as mobius_coefficients)
    k = subsets.sum(1)
    Y = states01(n)
    z = beta * (Y @ subsets.T - k + 0.5)
    hidden = 0.5 * (1 + np.tanh(z / 2))  # the logistic function, stable for large |z|
    out = hidden @ h[keep] + h[0]
    bound = float(np.abs(h[keep]).sum() / (1 + np.exp(beta / 2)))
    return {"neurons": int(keep.sum()), "max_order": int(k.max()) if len(k) else 0,
            "max_error": float(np.abs(out - H).max()), "bound": bound, "generic": 2 ** n - 1}


def clique_cover_count(n: int, cliques, rng: np.random.Generator, beta: float = 80.0) -> dict:
    """Build the network for a random Hamiltonian on ``cliques`` and compare its size with N_c 2^S_c."""
    H = clique_hamiltonian(n, cliques, rng)
    net = clique_network(H, n, beta)
    Sc = max(len(c) for c in cliques)
    return {"n": n, "N_c": len(cliques), "S_c": Sc, "bound N_c 2^S_c": len(cliques) * 2 ** Sc, **net}


# ------------------------------------------------------------------ maximum entropy

def spins(n: int) -> np.ndarray:
    """All 2^n spin configurations in {-1, +1}^n (2^n, n), same order as :func:`states01`."""
    return 2 * states01(n) - 1


def walsh_coefficients(f: np.ndarray, n: int) -> dict:
    """f(s) = sum_S J_S prod_{i in S} s_i for +-1 spins: J_S = 2^-n sum_s f(s) prod_S s_i.
    Returns {S (tuple of indices): J_S} for every subset S."""
    X = spins(n)
    return {S: float(np.mean(f * X[:, list(S)].prod(1))) for k in range(n + 1)
            for S in itertools.combinations(range(n), k)}


def moment_features(n: int, order: int = 2) -> tuple[np.ndarray, list]:
    """Feature matrix A (m, 2^n): the products prod_{i in S} s_i for 1 <= |S| <= order, and the S."""
    X = spins(n)
    subsets = [S for k in range(1, order + 1) for S in itertools.combinations(range(n), k)]
    return np.array([X[:, list(S)].prod(1) for S in subsets]), subsets


def max_entropy(moments: np.ndarray, n: int, order: int = 2) -> np.ndarray:
    """argmax_q H(q) over the probability simplex of 2^n states subject to E_q[prod_S s] = moments for
    1 <= |S| <= order. Solved as a constrained problem in the 2^n probabilities themselves (SLSQP), so
    no exponential form is assumed; returns q (2^n,)."""
    A, _ = moment_features(n, order)
    N = 2 ** n
    cons = [{"type": "eq", "fun": lambda q: A @ q - moments, "jac": lambda q: A},
            {"type": "eq", "fun": lambda q: np.array([q.sum() - 1.0]), "jac": lambda q: np.ones((1, N))}]

    def negent(q):
        q = np.maximum(q, 1e-300)
        return float(np.sum(q * np.log(q)))

    def grad(q):
        return np.log(np.maximum(q, 1e-300)) + 1.0

    res = minimize(negent, np.full(N, 1.0 / N), jac=grad, constraints=cons, method="SLSQP",
                   bounds=[(1e-15, 1.0)] * N, options={"ftol": 1e-16, "maxiter": 2000})
    return res.x / res.x.sum()


def max_entropy_check(n: int, rng: np.random.Generator, order: int = 2) -> dict:
    """A random distribution p on n spins (Dirichlet(1), so its -ln p has terms of every order), its
    moments up to ``order``, the maximum-entropy q with those moments, and the Walsh coefficients of
    -ln p and -ln q by order (max |J_S| over |S| = k, k = 1..n)."""
    p = rng.dirichlet(np.ones(2 ** n))
    A, _ = moment_features(n, order)
    q = max_entropy(A @ p, n, order)
    Jp, Jq = walsh_coefficients(-np.log(p), n), walsh_coefficients(-np.log(q), n)
    by_order = lambda J: [max(abs(v) for S, v in J.items() if len(S) == k) for k in range(1, n + 1)]
    ent = lambda r: float(-np.sum(r * np.log(r)) / np.log(2))
    return {"n": n, "order": order, "p": p, "q": q, "p_by_order": by_order(Jp), "q_by_order": by_order(Jq),
            "moment_error": float(np.abs(A @ q - A @ p).max()), "H_p_bits": ent(p), "H_q_bits": ent(q)}
