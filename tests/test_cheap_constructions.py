"""The issue-15 constructions of the Lin & Tegmark chapter against exact answers: the block-average fixed
point of the massless Gaussian field, the 2^n-neuron product network (its error constant derived by hand),
the Walsh-matrix minimality, the clique-cover counts, maximum entropy, and Strassen's factorisation."""
from __future__ import annotations

import math

import numpy as np
import pytest

from deepinfo.cheap import cliques, rg, shallow_product as sp, strassen


# ------------------------------------------------------------------ RG at the critical point

def test_block_map_of_a_massless_field_tends_to_the_fixed_point():
    Lc, kmax = 16, np.pi / 2
    Estar = rg.block_fixed_point_energy(Lc)
    k2 = rg.k2_grid(Lc)
    # at small k' the fixed point is a massless field: E* ~ |k'|^2 (x1* close to x1; the sinc window adds k^4)
    assert Estar[0, 0] == 0 and Estar[0, 1] / k2[0, 1] == pytest.approx(1.0, rel=0.02)
    # the finite-b lattice block map converges to it; the gap shrinks roughly as b^-2
    gaps = []
    for b in (4, 8, 16):
        with np.errstate(divide="ignore"):
            E = rg.exact_block_energy((0.0, 1.0, 0.0), Lc * b, b)
        sel = (k2 > 0) & (k2 <= kmax ** 2)
        gaps.append(np.abs(E[sel] / Estar[sel] - 1).max())
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 2e-3
    assert gaps[1] / gaps[2] == pytest.approx(4.0, rel=0.2)


def test_fit_massless_recovers_a_polynomial_exactly():
    k2 = rg.k2_grid(16)
    assert rg.fit_massless(0.7 * k2 + 0.3 * k2 ** 2, k2, np.pi / 2) == pytest.approx([0.7, 0.3], abs=1e-12)


def test_critical_flow_reaches_one_fixed_point_from_two_starts():
    f = rg.critical_flow((1.0, 0.0), (1, 2, 4, 8, 16), 16, np.pi / 2)
    assert f["r"][0, 0] == pytest.approx(1.0, abs=1e-10) and abs(f["r"][1, 0]) < 1e-10  # b = 1: the start itself
    assert np.abs(f["dev"][:, -1]).max() < 0.01 * np.abs(f["dev"][:, 0]).max()
    assert np.sign(f["dev"][0]).tolist() == [1] * 5 and np.sign(f["dev"][1, 1:]).tolist() == [-1] * 4
    assert np.allclose(f["decim_ratio"][0], 1.0, atol=1e-10)  # Fourier decimation: eq. 24 exactly


# ------------------------------------------------------------------ one hidden layer, 2^n neurons

def test_softplus_derivatives_match_closed_forms():
    d = sp.softplus_derivatives(0.0, 4)
    assert d == pytest.approx([np.log(2), 0.5, 0.25, 0.0, -0.125], abs=1e-15)


def test_sign_sums_vanish_below_order_n_exactly():
    """sum_s prod(s) (s.x)^k = 0 for k < n and k = n + 1, n! 2^n prod x for k = n (integer polynomial identity,
    checked on integer points)."""
    for n in (2, 3, 4):
        S = sp.sign_patterns(n)
        x = np.arange(1, n + 1)
        for k in range(n + 3):
            val = int((S.prod(1) * (S @ x) ** k).sum())
            if k < n or k == n + 1:
                assert val == 0
            elif k == n:
                assert val == math.factorial(n) * 2 ** n * int(np.prod(x))
            else:  # k = n + 2: (n+2)!/6 2^n prod x sum x^2
                assert val == math.factorial(n + 2) // 6 * 2 ** n * int(np.prod(x)) * int((x ** 2).sum())


@pytest.mark.parametrize("n", [2, 3, 5])
def test_shallow_product_error_has_the_predicted_constant(n):
    lam = 0.02
    net = sp.ShallowProductNet(n, lam)
    assert net.neurons == 2 ** n
    corner = np.ones((1, n))
    assert abs(net(corner)[0] - 1) / lam ** 2 == pytest.approx(net.coef, rel=0.02)


def test_n2_is_the_four_neuron_gate():
    net = sp.ShallowProductNet(2, 0.01, b=0.0)  # softplus at 0: sigma'' = 1/4, sigma'''' = -1/8
    x = np.array([[0.3, -0.7], [1.0, 1.0]])
    assert net(x) == pytest.approx(x.prod(1), abs=1e-4)
    assert net.coef == pytest.approx(2 * 0.5 / 6)


def test_walsh_matrix_minimality():
    for n in (1, 2, 3, 4):
        m = sp.minimality(n)
        assert m["orthogonal"] and m["rank"] == 2 ** n and m["zeros"] == 0 and m["solution_is_prod_s"]


def test_dropping_any_neuron_breaks_the_cancellation():
    """With one sign pattern removed, no output weights cancel every lower square-free coefficient while keeping
    x1...xn (least squares leaves a residual of exactly 1/2^n per the orthogonality)."""
    n = 3
    W = sp.walsh_matrix(n).astype(float)
    target = np.zeros(2 ** n)
    target[-1] = 1.0
    for drop in range(2 ** n):
        Wd = np.delete(W, drop, axis=1)
        a, *_ = np.linalg.lstsq(Wd, target, rcond=None)
        assert np.linalg.norm(Wd @ a - target) ** 2 == pytest.approx(1 / 2 ** n)


# ------------------------------------------------------------------ clique cover, maximum entropy

def test_clique_counts_are_exact():
    assert len(cliques.ring_cliques(8)) == 8 and len(cliques.grid_cliques(3)) == 18
    rng = np.random.default_rng(1)
    r = cliques.clique_cover_count(6, cliques.ring_cliques(6), rng)
    # generic pair potentials on a ring: every pair and every single spin survive: 6 + 6 monomials
    assert r["neurons"] == 12 and r["bound N_c 2^S_c"] == 24 and r["max_order"] == 2 and r["max_error"] < 1e-12


def test_mobius_finds_a_planted_hamiltonian():
    n = 5
    Y = cliques.states01(n)
    H = 2.0 * Y[:, 0] * Y[:, 1] - 1.5 * Y[:, 3] + 0.5  # two monomials and a constant
    net = cliques.clique_network(H, n)
    assert net["neurons"] == 2 and net["max_order"] == 2 and net["max_error"] < 1e-12


def test_walsh_coefficients_of_a_pairwise_energy():
    n = 3
    X = cliques.spins(n)
    f = 0.3 * X[:, 0] - 0.7 * X[:, 1] * X[:, 2] + 1.0
    J = cliques.walsh_coefficients(f, n)
    assert J[()] == pytest.approx(1.0) and J[(0,)] == pytest.approx(0.3) and J[(1, 2)] == pytest.approx(-0.7)
    assert max(abs(v) for S, v in J.items() if S not in [(), (0,), (1, 2)]) < 1e-15


def test_max_entropy_of_independent_moments_is_the_product_distribution():
    """Moments of independent spins (means m_i, E[s_i s_j] = m_i m_j): the maximum-entropy q is the product."""
    n, m = 3, np.array([0.2, -0.4, 0.6])
    X = cliques.spins(n)
    prod = np.prod((1 + X * m) / 2, axis=1)
    A, _ = cliques.moment_features(n)
    q = cliques.max_entropy(A @ prod, n)
    assert np.abs(q - prod).max() < 1e-7


# ------------------------------------------------------------------ Strassen

def test_strassen_tensor_and_counts():
    T = strassen.matmul_tensor()
    assert T.sum() == 8 and (strassen.reconstruct(strassen.U, strassen.V, strassen.W) == T).all()
    assert (strassen.reconstruct(*strassen.naive_factors()) == T).all()
    A, B = np.arange(16.0).reshape(4, 4), np.eye(4)[::-1]
    cnt = [0]
    assert (strassen.strassen(A, B, cnt) == A @ B).all() and cnt[0] == 49


def test_no_rank_six_factorisation_is_this_one():
    """Dropping any of the seven products breaks the identity (each is needed)."""
    T = strassen.matmul_tensor()
    for r in range(7):
        keep = [i for i in range(7) if i != r]
        assert not (strassen.reconstruct(strassen.U[keep], strassen.V[keep], strassen.W[:, keep]) == T).all()
