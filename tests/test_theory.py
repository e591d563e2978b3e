"""deepinfo.theory (Lee & Jo 2022 sec. III): exact integer maximiser vs brute force, closed forms, Fig. 8."""
import math

import numpy as np
import pytest

from deepinfo.theory import (brute_force_maximiser, continuous_maximiser, counts_from_degeneracy,
                             entropies_from_degeneracy, fig8_scenarios, lagrangian, maximise_lagrangian, partitions,
                             thermodynamics)


@pytest.mark.parametrize("M,p_M", [(1, 1), (5, 7), (10, 42), (20, 627)])
def test_partition_numbers(M, p_M):
    parts = list(partitions(M))
    assert len(parts) == p_M
    assert all(sum(k * m for k, m in p.items()) == M for p in parts)


def test_entropy_extremes():
    M = 16
    assert entropies_from_degeneracy([1], [M]) == pytest.approx((4.0, 0.0))      # all distinct: log2 M, 0
    assert entropies_from_degeneracy([M], [1]) == pytest.approx((0.0, 0.0))      # one state
    # counts (2, 1, 1): H(Z) = 1.5 bits; p(k=2) = p(k=1) = 1/2 -> H(K) = 1 bit
    assert entropies_from_degeneracy([1, 2], [2, 1]) == pytest.approx((1.5, 1.0))


@pytest.mark.parametrize("beta", [-0.5, 0.0, 0.3, 1.0, 1.7, 3.0])
@pytest.mark.parametrize("M", [1, 2, 7, 13, 18])
def test_dynamic_programme_equals_brute_force(M, beta):
    d = maximise_lagrangian(M, beta)
    best, arg = brute_force_maximiser(M, beta)
    assert int((d["k"] * d["m_k"]).sum()) == M
    assert d["L"] == pytest.approx(best, abs=1e-10)
    assert lagrangian(d["k"], d["m_k"], beta) == pytest.approx(d["L"], abs=1e-12)


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 2.0])
def test_continuous_solution_closed_form_and_bound(beta):
    """Real m_k = M k^(-beta-1)/Z_beta gives L = log Z_beta + beta log M (nats), an upper bound for integers."""
    M = 300
    k, m = continuous_maximiser(M, beta)
    assert (k * m).sum() == pytest.approx(M)
    Zb = (np.arange(1, M + 1) ** -float(beta)).sum()
    exact = (math.log(Zb) + beta * math.log(M)) / math.log(2)
    assert lagrangian(k, m, beta) == pytest.approx(exact, rel=1e-10)
    assert maximise_lagrangian(M, beta)["L"] <= exact + 1e-9
    # stationarity: any small feasible perturbation (sum_k k v_k = 0) lowers L
    rng = np.random.default_rng(0)
    for _ in range(5):
        d = 1e-3 * m * rng.uniform(-1, 1, size=M)
        d -= k * (k @ d) / (k @ k)              # keep M = sum_k k m_k
        assert abs(k @ d) < 1e-9 and np.all(m + d > 0)
        assert lagrangian(k, m + d, beta) <= exact + 1e-12


def test_integer_maximiser_bulk_follows_eq7():
    """Where the real solution has many states (m_k >= 20), the integer optimum matches it within rounding."""
    M, beta = 3000, 1.0
    d = maximise_lagrangian(M, beta)
    m_int = dict(zip(d["k"].tolist(), d["m_k"].tolist()))
    # the integer optimum fixes its own normalisation C = m_1; each m_k is C k^(-beta-1) up to rounding
    C = m_int[1]
    assert C > 100
    for k in range(2, 8):
        assert abs(m_int[k] - C * k ** (-beta - 1)) <= 2.0


def test_counts_from_degeneracy():
    np.testing.assert_array_equal(counts_from_degeneracy([1, 3], [2, 1]), [1, 1, 3])


def test_fig8_scenarios():
    a, b, c = fig8_scenarios()
    # (a) m(k) changes, H(Y,Z) does not (three distinct (label, code) pairs before and after)
    assert a["before"]["m_k"] != a["after"]["m_k"]
    assert a["before"]["H_yz"] == pytest.approx(math.log2(3)) == pytest.approx(a["after"]["H_yz"])
    # (b) same data (labels), new codes: m(k) is the same, H(Y,Z) drops from log2 3 to H(1/3, 2/3)
    assert b["before"]["m_k"] == b["after"]["m_k"]
    h = -(1 / 3) * math.log2(1 / 3) - (2 / 3) * math.log2(2 / 3)
    assert b["before"]["H_yz"] == pytest.approx(math.log2(3))
    assert b["after"]["H_yz"] == pytest.approx(h)
    assert b["before"]["H_y"] == pytest.approx(h) == pytest.approx(b["after"]["H_y"])   # the data did not change
    # I(Z;Y) = H(Y) + H(Z) - H(Y,Z): it rises by log2 3 - H(1/3, 2/3) when the pair becomes pure
    assert b["after"]["I_zy"] - b["before"]["I_zy"] == pytest.approx(math.log2(3) - h)
    # (c) pure clusters: H(Y,Z) = H(Z) and I(Z;Y) = H(Y)
    pure = c["before"]
    assert pure["H_yz"] == pytest.approx(pure["H_z"])
    assert pure["I_zy"] == pytest.approx(pure["H_y"])


def test_thermodynamic_identities():
    counts = np.array([5, 3, 3, 1, 1, 1, 1])
    th = thermodynamics(counts, beta=0.8)
    Hz, Hk = entropies_from_degeneracy([1, 3, 5], [4, 2, 1])
    assert th["U"] == pytest.approx(Hz) and th["S"] == pytest.approx(Hk)
    assert th["T"] == pytest.approx(-1 / 0.8)
    assert th["F"] == pytest.approx(-th["T"] * th["L"])        # eq. 15: F = U - T S = -T L
    assert th["L"] == pytest.approx(lagrangian([1, 3, 5], [4, 2, 1], 0.8))
    with pytest.raises(ValueError):
        thermodynamics(counts, beta=0.0)


def test_coincidence_share_closed_forms():
    from deepinfo.experiments.scale_invariance_ising.run import coincidence_share

    assert coincidence_share([3, 1], [3, 1]) == 1.0             # codes merge only identical inputs
    assert coincidence_share([1, 1, 1, 1], [2, 2]) == 0.0       # codes group distinct inputs only
    # inputs (2, 1, 1) -> codes (3, 1): 2 identical ordered pairs of 6 code-sharing pairs
    assert coincidence_share([2, 1, 1], [3, 1]) == pytest.approx(2 / 6)
    assert coincidence_share([1, 1], [1, 1]) == 0.0             # no shared codes at all


def test_cluster_entropies_known_answers():
    from deepinfo.theory import cluster_entropies

    labels = [1, 1, 2, 2, 3, 3]
    pure = cluster_entropies(labels, list("AABBCC"))           # three pure clusters of two
    assert pure["m_k"] == {2: 3} and pure["H_yz"] == pytest.approx(math.log2(3))
    assert pure["I_zy"] == pytest.approx(pure["H_y"]) == pytest.approx(math.log2(3))
    mixed = cluster_entropies(labels, list("ABABCC"))          # same m(k), mixed labels
    assert mixed["m_k"] == {2: 3} and mixed["H_yz"] == pytest.approx(4 / 6 * math.log2(6) + 1 / 3 * math.log2(3))
    a, b = cluster_entropies(labels, list("ABCDEF")), cluster_entropies(labels, list("ABACBC"))
    assert a["H_yz"] == pytest.approx(b["H_yz"]) == pytest.approx(math.log2(6)) and a["m_k"] != b["m_k"]
