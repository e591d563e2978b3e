"""The spherical rule of Shwartz-Ziv & Tishby (2017, sec. 3.1) and the committee machine: exact checks."""
import numpy as np
import pytest

from deepinfo.data.spherical import (all_patterns, committee_rule, icosahedral_group, icosahedron, legendre,
                                     orbits, power_spectrum, rotation_subgroup, spherical_rule)


@pytest.fixture(scope="module")
def group():
    return icosahedral_group()


def test_icosahedron_geometry():
    U = icosahedron()
    G = U @ U.T
    assert U.shape == (12, 3) and np.allclose(np.diag(G), 1)
    # each vertex has 5 neighbours at cos = 1/sqrt(5), 5 at -1/sqrt(5) and one antipode
    for row in G:
        vals = np.sort(np.round(row, 9))
        assert np.allclose(vals, [-1] + [-1 / 5 ** 0.5] * 5 + [1 / 5 ** 0.5] * 5 + [1])


def test_group_has_120_distinct_symmetries(group):
    U = icosahedron()
    G = U @ U.T
    assert group.shape == (120, 12)
    assert len({tuple(g) for g in group}) == 120
    for g in group:  # every element preserves all dot products u_i . u_j
        assert np.allclose(G[np.ix_(g, g)], G)
    as_set = {tuple(g) for g in group}
    for g in group[::7]:  # closed under composition
        for h in group[::11]:
            assert tuple(g[h]) in as_set


def test_rule_invariant_on_every_orbit(group):
    rule = spherical_rule()
    lab = orbits(rule.X, group)
    n_orbits = len(np.unique(lab))
    # Burnside: number of orbits = mean over the group of 2^(number of cycles)
    def cycles(p):
        seen, c = set(), 0
        for i in range(len(p)):
            if i not in seen:
                c += 1
                while i not in seen:
                    seen.add(i)
                    i = p[i]
        return c
    assert n_orbits == sum(2 ** cycles(g) for g in group) // len(group)
    rot = rotation_subgroup(group)
    assert len(rot) == 60
    n_rot = len(np.unique(orbits(rule.X, rot)))
    assert n_rot == sum(2 ** cycles(g) for g in rot) // len(rot)
    print(f"\n{n_orbits} orbits of the 4096 patterns under the 120 symmetries, {n_rot} under the 60 rotations")
    for o in np.unique(lab):
        p = rule.p_y_given_x[lab == o, 1]
        assert np.ptp(p) < 1e-12, f"p(y|x) varies on orbit {o}"
    # and directly: permuting the pattern by any symmetry leaves p(y|x) unchanged
    w = 1 << np.arange(12)
    X = rule.X.astype(np.int64)
    for g in group:
        assert np.allclose(rule.p_y_given_x[X[:, g] @ w], rule.p_y_given_x, atol=1e-12)


def test_power_spectrum_addition_theorem():
    # P_0 = (sum_i x_i)^2 / (4 pi); sum over all l of (4pi/(2l+1)) L_l(1) weights: check l=0, l=1
    X = all_patterns()
    P = power_spectrum(X, lmax=2)
    assert np.allclose(P[:, 0], X.sum(1) ** 2 / (4 * np.pi))
    U = icosahedron()
    m = X @ U
    assert np.allclose(P[:, 1], 3 / (4 * np.pi) * (m ** 2).sum(1))
    assert np.allclose(legendre(2, np.array([0.5])), [(3 * 0.25 - 1) / 2])


def _mi_direct(pyx):
    pxy = pyx / len(pyx)
    py = pxy.sum(0)
    px = pxy.sum(1, keepdims=True)
    nz = pxy > 0
    return float((pxy[nz] * np.log2(pxy[nz] / (px * py)[nz])).sum())


def test_information_exact():
    rule = spherical_rule()
    assert rule.X.shape == (4096, 12) and np.allclose(rule.p_y_given_x.sum(1), 1)
    assert abs(rule.I_XY - _mi_direct(rule.p_y_given_x)) < 1e-12
    assert abs(rule.I_XY - 0.99) < 1e-6
    assert abs(rule.p_y_given_x[:, 1].mean() - 0.5) < 0.05
    det = spherical_rule(deterministic=True)
    assert set(np.unique(det.p_y_given_x)) <= {0.0, 1.0}
    assert abs(det.I_XY - det.H_Y) < 1e-12 and abs(det.I_XY - _mi_direct(det.p_y_given_x)) < 1e-12


def test_committee_rule():
    c = committee_rule()
    assert abs(c.p_y_given_x[:, 1].mean() - 0.5) < 1e-12  # f(-s) = -f(s)
    assert abs(c.I_XY - 0.99) < 1e-6 and abs(c.I_XY - _mi_direct(c.p_y_given_x)) < 1e-12
    lab = orbits(c.X, icosahedral_group())
    varies = sum(np.ptp(c.p_y_given_x[lab == o, 1]) > 1e-9 for o in np.unique(lab))
    assert varies > 0  # not symmetric


def test_noisier_rule_is_the_same_cut_with_less_information(group):
    # target_I changes only the gain: the same f, theta and cut 1[f > theta], hence the same symmetry
    from deepinfo.data.spherical import NOISY_TARGET_I

    paper, noisy = spherical_rule(), spherical_rule(target_I=NOISY_TARGET_I)
    assert NOISY_TARGET_I == 0.8
    assert abs(noisy.I_XY - 0.8) < 1e-6 and abs(noisy.I_XY - _mi_direct(noisy.p_y_given_x)) < 1e-12
    assert np.array_equal(noisy.f, paper.f) and noisy.theta == paper.theta and noisy.gamma < paper.gamma
    assert np.array_equal(noisy.p_y_given_x[:, 1] > 0.5, paper.p_y_given_x[:, 1] > 0.5)
    assert abs(noisy.p_y_given_x[:, 1].mean() - 0.5) < 0.05
    lab = orbits(noisy.X, group)
    for o in np.unique(lab)[::5]:
        assert np.ptp(noisy.p_y_given_x[lab == o, 1]) < 1e-12
    # nearly deterministic at 0.99 bits, clearly stochastic at 0.8 bits
    soft = lambda r: float((np.minimum(r.p_y_given_x[:, 1], r.p_y_given_x[:, 0]) > 0.01).mean())  # noqa: E731
    assert soft(paper) < 0.1 < 0.2 < soft(noisy)
    # I(X;Y) grows with target_I, up to the deterministic cut's H(1[f > theta])
    I = [spherical_rule(target_I=t).I_XY for t in (0.5, 0.8, 0.9, 0.99)]
    assert np.allclose(I, [0.5, 0.8, 0.9, 0.99], atol=1e-6)


@pytest.mark.parametrize("kwargs, msg", [
    (dict(target_I=0.0), "target_I"),
    (dict(target_I=1.0), "target_I"),
    (dict(target_I=np.nan), "target_I"),
    (dict(target_I="0.8"), "target_I"),
    (dict(target_I=None), "target_I"),
    (dict(deterministic=1), "deterministic"),
    (dict(coeffs={}), "coeffs"),
    (dict(coeffs={0: 1.0}), "coeffs"),
    (dict(coeffs={1.5: 1.0}), "coeffs"),
    (dict(coeffs={1: np.inf}), "coeffs"),
    (dict(coeffs={1: 0.0, 2: 0.0}), "coeffs"),
    (dict(coeffs=[1.0, 2.0]), "coeffs"),
])
def test_spherical_rule_bad_input(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        spherical_rule(**kwargs)


@pytest.mark.parametrize("kwargs, msg", [
    (dict(n_members=2), "n_members"),
    (dict(n_members=0), "n_members"),
    (dict(n_members=3.0), "n_members"),
    (dict(seed=-1), "seed"),
    (dict(target_I=1.5), "target_I"),
    (dict(deterministic="yes"), "deterministic"),
])
def test_committee_rule_bad_input(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        committee_rule(**kwargs)
