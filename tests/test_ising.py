"""The Ising sampler (deepinfo.data.ising) against exact enumeration of the 4 x 4 lattice (2^16 states).

Statistical checks use honest error bars: independent chains are grouped and the error of
each estimate is the jackknife error over chain groups (the samples of one chain are
correlated; different chains are independent). A check passes when the estimate lies within
4 standard errors of the exact value (two-sided p of about 6e-5 per check).
"""
import math

import numpy as np
import pytest
import torch

from deepinfo.data import ising as ising_fn
from deepinfo.data.ising import (checkerboard, energy, enumerate_states, exact_observables, exact_probabilities,
                                 half_sweep, integrated_autocorrelation_time, ising_with_info, magnetisation,
                                 neighbour_sum, state_index, sweep)

Z = 4.0  # tolerance in standard errors


def _jackknife(groups_E: list[np.ndarray], groups_A: list[np.ndarray], T: float, N: int):
    """Jackknife estimates and errors of <E>/N, <|M|>/N and C = var(E)/(N T^2) over groups of chains."""
    def stats(E, A):
        return np.array([E.mean() / N, A.mean() / N, E.var() / (N * T * T)])

    full = stats(np.concatenate(groups_E), np.concatenate(groups_A))
    G = len(groups_E)
    loo = np.array([stats(np.concatenate(groups_E[:g] + groups_E[g + 1:]),
                          np.concatenate(groups_A[:g] + groups_A[g + 1:])) for g in range(G)])
    err = np.sqrt((G - 1) / G * ((loo - loo.mean(axis=0)) ** 2).sum(axis=0))
    return full, err


def test_enumeration_counts_the_known_levels():
    E, M = enumerate_states(4)
    assert E.shape == (2 ** 16,)
    assert E.min() == -32 and (E == -32).sum() == 2            # two ground states, E = -2 J N
    assert (E == -24).sum() == 2 * 16                            # one flipped spin costs 8 J
    assert (E == -20).sum() == 2 * 32                            # two adjacent flipped spins cost 12 J
    assert E.sum() == 0 and M.sum() == 0                         # E and M average to 0 over all states
    p = exact_probabilities(4, 2.0)
    assert math.isclose(p.sum(), 1.0) and p.argmax() in (0, 2 ** 16 - 1)
    # T -> infinity: <E> -> 0, C -> (number of bonds) / (N T^2) * J^2 to leading order
    hot = exact_observables(4, 1e4)
    assert abs(hot["energy"]) < 1e-3 and math.isclose(hot["specific_heat"] * 1e8, 2.0, rel_tol=1e-3)


def test_state_index_roundtrip():
    rng = np.random.default_rng(1)
    s = rng.choice(np.array([-1, 1], dtype=np.int8), size=(50, 4, 4))
    E, M = enumerate_states(4)
    b = state_index(s)
    np.testing.assert_array_equal(E[b], energy(s))
    np.testing.assert_array_equal(M[b], magnetisation(s))


def test_neighbour_sum_equals_rolled_copies():
    s = torch.where(torch.rand(5, 6, 6, generator=torch.Generator().manual_seed(0)) < 0.5, -1.0, 1.0)
    ref = torch.roll(s, 1, -1) + torch.roll(s, -1, -1) + torch.roll(s, 1, -2) + torch.roll(s, -1, -2)
    assert torch.equal(neighbour_sum(s), ref)
    assert float(neighbour_sum(torch.ones(4, 4)).min()) == 4.0


@pytest.mark.parametrize("L", [4, 6, 10])
def test_checkerboard_has_no_same_colour_neighbours(L):
    black = checkerboard(L).to(torch.float32)
    assert int(black.sum()) == L * L // 2
    assert float((black * neighbour_sum(black)).sum()) == 0.0     # no black site touches a black site


def test_half_sweep_changes_only_its_colour():
    g = torch.Generator().manual_seed(0)
    s = torch.where(torch.rand(200, 6, 6, generator=g) < 0.5, -1.0, 1.0)
    before = s.clone()
    black = checkerboard(6)
    flips = half_sweep(s, black, T=5.0, J=1.0, gen=g)
    assert flips.any()
    assert torch.equal(s[:, ~black], before[:, ~black])
    assert torch.equal(s != before, flips)


@pytest.mark.parametrize("T", [1.0, 2.5])
def test_flip_probability_is_metropolis(T):
    """A fixed configuration copied into many chains: each black site flips with min(1, exp(-2 J s h / T))."""
    rng = np.random.default_rng(3)
    conf = torch.tensor(rng.choice([-1.0, 1.0], size=(4, 4)), dtype=torch.float32)
    C = 40000
    s = conf.expand(C, 4, 4).clone()
    black = checkerboard(4)
    half_sweep(s, black, T=T, J=1.0, gen=torch.Generator().manual_seed(5))
    freq = (s != conf).double().mean(dim=0)
    p = torch.clamp(torch.exp(-2.0 * conf * neighbour_sum(conf[None])[0] / T), max=1.0).double() * black
    se = torch.sqrt(p * (1 - p) / C) + 1e-12
    assert torch.all((freq - p).abs() <= Z * se + 1e-12), (freq, p)


def test_one_sweep_keeps_the_boltzmann_distribution():
    """Exact samples of p(s) at T = 2.2 stay exact after one sweep (stationarity of the kernel)."""
    T, n = 2.2, 200_000
    p = exact_probabilities(4, T)
    rng = np.random.default_rng(7)
    b = rng.choice(p.size, size=n, p=p)
    s = torch.tensor(((b[:, None] >> np.arange(16)) & 1) * 2 - 1, dtype=torch.float32).reshape(n, 4, 4)
    sweep(s, T, gen=torch.Generator().manual_seed(11))
    ex = exact_observables(4, T)
    E = energy(s).numpy() / 16
    A = magnetisation(s).abs().numpy() / 16
    assert abs(E.mean() - ex["energy"]) < Z * E.std() / math.sqrt(n)
    assert abs(A.mean() - ex["abs_magnetisation"]) < Z * A.std() / math.sqrt(n)


@pytest.mark.parametrize("T", [1.5, 2.27, 3.0, 4.0])
def test_sampler_matches_exact_enumeration(T):
    """<E>/N, <|M|>/N and the specific heat of 40,000 samples (400 chains) agree with enumeration."""
    C, per = 400, 100
    x, info = ising_with_info(4, T, C * per, seed=1, device="cpu", n_chains=C, cache=False)
    assert info["burn_in"] >= 100 and info["spacing"] >= 1
    E = energy(x).astype(float)
    A = np.abs(magnetisation(x)).astype(float)
    G = 40  # groups of 10 chains; rows of a chain are contiguous
    gE = list(E.reshape(G, -1))
    gA = list(A.reshape(G, -1))
    est, err = _jackknife(gE, gA, T, 16)
    ex = exact_observables(4, T)
    exact = np.array([ex["energy"], ex["abs_magnetisation"], ex["specific_heat"]])
    assert np.all(err > 0)
    assert np.all(np.abs(est - exact) <= Z * err), dict(T=T, estimate=est, exact=exact, stderr=err)


def test_spins_shape_dtype_and_symmetry():
    x = ising_fn(4, 1.2, 3000, seed=2, device="cpu", cache=False)
    assert x.shape == (3000, 4, 4) and x.dtype == np.int8
    assert set(np.unique(x)) == {-1, 1}
    m = magnetisation(x)
    # each kept sample gets an independent random global sign, so sign(M) is a fair coin per sample
    frac = (m > 0).mean()
    assert abs(frac - 0.5) < Z * 0.5 / math.sqrt(len(m))


def test_same_seed_same_samples_different_seed_different():
    a = ising_fn(6, 2.3, 500, seed=4, device="cpu", cache=False)
    b = ising_fn(6, 2.3, 500, seed=4, device="cpu", cache=False)
    c = ising_fn(6, 2.3, 500, seed=5, device="cpu", cache=False)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_cache_returns_the_same_array():
    a = ising_fn(4, 2.0, 300, seed=0, device="cpu")
    b = ising_fn(4, 2.0, 300, seed=0, device="cpu")
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("L", [5, 2, 0])
def test_bad_lattice_sizes_are_refused(L):
    with pytest.raises(ValueError, match="even"):
        ising_fn(L, 2.0, 10, device="cpu", cache=False)


def test_autocorrelation_time_of_ar1():
    """AR(1) x_t = phi x_{t-1} + noise has rho(t) = phi^t and tau_int = (1 + phi) / (2 (1 - phi))."""
    rng = np.random.default_rng(0)
    phi, t, C = 0.8, 4000, 32
    x = np.zeros((t, C))
    eps = rng.normal(size=(t, C))
    for i in range(1, t):
        x[i] = phi * x[i - 1] + eps[i]
    tau, rho = integrated_autocorrelation_time(x[200:])
    exact = (1 + phi) / (2 * (1 - phi))
    assert abs(tau - exact) < 0.1 * exact
    assert abs(rho[1] - phi) < 0.02
