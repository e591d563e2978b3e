"""Unit tests for deepinfo.cheap (chapter cheap_learning, Lin & Tegmark 2016): each number is
checked against a closed form, an exact enumeration or a symmetry, never against a stored run."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from deepinfo.cheap import bayes, counting, flattening, gates, hierarchy, rg, shallow_deep


# ------------------------------------------------------------------------------ gates

@pytest.mark.parametrize("name", ["softplus", "sigmoid", "tanh", "swish", "exp"])
def test_gate_error_is_order_lambda_squared_with_predicted_constant(name):
    s = gates.ACTIVATIONS[name]
    b = 0.0 if abs(gates.derivatives(s, 0.0, 2)[2]) > 1e-8 else gates.best_bias(s)
    C = gates.error_coefficient(s, b)
    lams = [1e-3, 3e-3, 1e-2]
    errs = [gates.gate_max_error(s, b, lam, grid=41) for lam in lams]
    for lam, e in zip(lams, errs):
        assert e <= C * lam ** 2 * 1.02 + 1e-12
        assert e >= C * lam ** 2 * 0.98
    assert abs(gates.loglog_slope(lams, errs) - 2) < 0.02


def test_gate_is_a_2_4_1_module_and_needs_curvature():
    g = gates.MultiplicationGate(torch.nn.functional.softplus, 0.0, 0.01)
    assert isinstance(g, torch.nn.Module)
    assert (g.hidden.in_features, g.hidden.out_features, g.out.out_features) == (2, 4, 1)
    with pytest.raises(ValueError):
        gates.MultiplicationGate(torch.sigmoid, 0.0, 0.01)  # sigma''(0) = 0
    with pytest.raises(ValueError):
        gates.MultiplicationGate(torch.tanh, 0.0, 0.01)


def test_best_bias_closed_forms():
    assert abs(gates.best_bias(torch.sigmoid) - math.log(2 + math.sqrt(3))) < 2e-4
    assert abs(gates.best_bias(torch.tanh) - math.atanh(1 / math.sqrt(3))) < 2e-4
    # softplus: sigma''(0) = 1/4, sigma''''(0) = -1/8  ->  coefficient (1/8) / (3/4) = 1/6
    assert abs(gates.error_coefficient(torch.nn.functional.softplus, 0.0) - 1 / 6) < 1e-12
    # tanh at artanh(1/sqrt 3): tanh''''/tanh'' = -4  ->  4/3
    assert abs(gates.error_coefficient(torch.tanh, math.atanh(1 / math.sqrt(3))) - 4 / 3) < 1e-9


@pytest.mark.parametrize("n", [2, 4, 8, 16, 32])
def test_product_tree_neurons_layers_and_accuracy(n):
    r = gates.product_tree_error(n, 1e-3, 500, np.random.default_rng(n))
    assert r["neurons"] == 4 * (n - 1)
    assert r["layers"] == int(math.log2(n))
    # each gate's relative error is <= 2 C lambda^2 (C = 1/6 for softplus); n - 1 gates on the way
    assert r["max_error"] <= (n - 1) * 2 / 6 * 1e-6 * 1.1 + 1e-9


def test_product_tree_rejects_non_power_of_two():
    with pytest.raises(ValueError):
        gates.ProductTree(6)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("beta", [5.0, 23.0, 46.0])
def test_bit_product_error_is_sigmoid_of_half_beta(k, beta):
    assert abs(gates.bit_product_max_error(k, beta) - 1 / (1 + math.exp(beta / 2))) < 1e-15


def test_beta_for_digits():
    D = 10
    b = gates.beta_for_digits(D)
    assert gates.bit_product_max_error(3, b) <= 10.0 ** -D * (1 + 1e-5)  # 1 - sigma rounds at 1e-16
    assert gates.bit_product_max_error(3, b - 0.01) > 10.0 ** -D
    assert gates.bit_product_max_error(3, D * math.log(10)) > 10.0 ** -(D / 2 + 0.1)  # ~5 digits only


def test_mobius_coefficients_reconstruct_any_function():
    rng = np.random.default_rng(0)
    for n in range(1, 7):
        f = rng.normal(size=2 ** n)
        h = gates.mobius_coefficients(f, n)
        y = gates.all_bits(n).numpy()
        S = gates.all_bits(n).numpy()  # subset indicators in the same order
        mono = np.prod(np.where(S[None, :, :] > 0, y[:, None, :], 1.0), axis=2)  # (2^n inputs, 2^n subsets)
        assert np.allclose(mono @ h, f, atol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_bit_function_net_exact_on_all_inputs(n):
    rng = np.random.default_rng(n)
    prob = gates.random_bit_posterior(n, 3, rng)
    y = gates.all_bits(n)
    net = gates.BitFunctionNet(prob["H"], n, beta=80.0, mu=prob["mu"], softmax=True)
    hnet = gates.BitFunctionNet(prob["H"], n, beta=80.0)
    with torch.no_grad():
        assert float((net(y) - torch.tensor(prob["posterior"])).abs().max()) < 1e-10
        err_H = float((hnet(y) - torch.tensor(prob["H"])).abs().max())
    assert err_H <= hnet.error_bound() + 1e-10
    assert hnet.hidden.out_features == 2 ** n - 1


# ------------------------------------------------------------------------------ Bayes, Appendix A

def test_bayes_softmax_equals_posterior():
    c = bayes.gaussian_classes(4, 3, np.random.default_rng(1))
    net = bayes.BayesSoftmaxNet(c["means"], c["covs"], c["priors"])
    y = np.random.default_rng(2).normal(0, 2, (500, 3))
    with torch.no_grad():
        p = net(torch.tensor(y)).numpy()
    assert np.abs(p - bayes.exact_posterior(y, c["means"], c["covs"], c["priors"])).max() < 1e-10


def test_quadratic_hamiltonian_is_minus_log_density():
    from scipy.stats import multivariate_normal
    c = bayes.gaussian_classes(2, 2, np.random.default_rng(3))
    q = bayes.quadratic_hamiltonian(c["means"], c["covs"])
    y = np.array([0.3, -1.2])
    for k in range(2):
        H = q["h"][k] + q["g"][k] @ y + y @ q["Q"][k] @ y
        assert abs(H + multivariate_normal(c["means"][k], c["covs"][k]).logpdf(y)) < 1e-10


@pytest.mark.parametrize("field", [-0.5, 0.0, 0.7])
def test_appendix_a_counterexample(field):
    r = bayes.partition_counterexample(6, np.random.default_rng(4), field=field)
    assert abs(r["Z_tot"] - r["Z"]) / r["Z"] < 1e-13
    expected = np.exp(-(r["H"] - field * np.arange(6) + r["K"]))
    assert np.allclose(r["p_tilde"], expected / expected.sum(), atol=1e-14)  # eq. 32
    assert r["tv"] > 0


# ------------------------------------------------------------------------------ counting

def test_monomial_count_closed_form():
    for n in range(1, 7):
        for d in range(6):
            assert len(counting.monomials(n, d)) == counting.n_terms(n, d) == math.factorial(n + d) // (
                math.factorial(n) * math.factorial(d))


@pytest.mark.parametrize("n", [3, 5, 8, 13])
def test_microphone_counts_closed_forms(n):
    r = counting.microphone_counts(n, 2)
    assert r["general"] == (n + 1) * (n + 2) // 2
    assert r["local"] == 3 * n + 1 and r["symmetric"] == 4
    r = counting.microphone_counts(n, 2, degrees=(2,))
    assert r["local"] == 2 * n and r["symmetric"] == 2
    r = counting.microphone_counts(n, 2, degrees=(1, 2))
    assert r["local"] == 3 * n and r["symmetric"] == 3


# ------------------------------------------------------------------------------ hierarchy

def test_chain_mi_is_non_increasing_and_plugin_matches_exact():
    ch = hierarchy.random_chain([3, 5, 5, 5], np.random.default_rng(5))
    r = hierarchy.dpi_along_chain(ch["p0"], ch["Ms"], 50_000, np.random.default_rng(6))
    assert abs(r["exact"][0] - math.log2(3)) < 1e-12  # I(x0; x0) = H(x0), uniform prior
    assert np.all(np.diff(r["exact"]) <= 1e-12)
    assert np.abs(r["plugin"] - r["exact"]).max() < 0.02


def test_chain_config_is_the_shared_home():
    from deepinfo.experiments.cheap_learning import PRESETS
    assert all(isinstance(c.chain, hierarchy.ChainConfig) for c in PRESETS.values())
    assert [f for f in hierarchy.ChainConfig.__dataclass_fields__] == ["sizes", "concentration", "M", "n_bits_chain"]


def test_stepwise_inversion_on_noisy_copy_chain():
    n = 4
    flips = np.random.default_rng(7).uniform(0.05, 0.3, (n, n))
    ch = hierarchy.noisy_copy_chain(n, flips)
    for M in ch["Ms"]:
        assert np.allclose(M.sum(0), 1)
    r = hierarchy.stepwise_inversion(ch["p0"], ch["Ms"])
    assert r["n_classes"] == [2 ** (i + 1) for i in range(n)] + [2 ** (n + 1)]
    assert all(r["functional"])
    assert r["max_composition_error"] < 1e-12
    assert abs(r["I_x0_xn"] - r["I_x0_T0"]) < 1e-12
    # T_i is "the first i+1 bits of x_n": a class never mixes different prefixes
    for i, lab in enumerate(r["labels"]):
        prefix = np.arange(2 ** (n + 1)) >> (n - i)
        assert len(set(zip(lab, prefix))) == 2 ** (i + 1)


# ------------------------------------------------------------------------------ flattening

@pytest.mark.parametrize("n", [2, 4, 8, 32, 256])
def test_fft_factorisation_equals_dft(n):
    r = flattening.fft_flattening(n)
    assert r["max_error"] < 1e-10 * max(1, n)
    assert np.allclose(flattening.dft_matrix(n) @ np.arange(n), np.fft.fft(np.arange(n)))
    assert r["deep_synapses"] == 2 * n * int(math.log2(n))
    assert r["flat_synapses"] == n * n
    assert r["C_s"] == n / (2 * math.log2(n))


def test_butterflies_have_two_nonzeros_per_row():
    for B in flattening.butterfly_factors(16)[1:]:
        assert set(np.diff(B.indptr)) == {2}


@pytest.mark.parametrize("n,k", [(32, 1), (64, 4), (100, 10)])
def test_low_rank_cost(n, k):
    r = flattening.low_rank_flattening(n, k, np.random.default_rng(n + k))
    assert r["rank"] == k and r["deep_synapses"] == 2 * n * k and r["flat_synapses"] == n * n
    assert r["C_s"] == n / (2 * k)


def test_eq27_limits_and_simulation():
    assert abs(flattening.eq27(10 ** 6, 0.01) - 50) < 1e-9  # saturates 1/2p for n >> 1/p^2
    assert abs(flattening.eq27(10, 0.01) - 10 * 0.01 / 2) < 1e-3  # n p^2 << 1: C_s ~ n p / 2
    # exact: P(F_ij = 0) = (1 - p^2)^n, so mean nnz(AB) over draws ~ n^2 [1 - (1-p^2)^n]
    r = flattening.sparse_flattening(200, 0.1, 30, np.random.default_rng(8))
    assert abs(r["C_s_ratio_of_means"] - flattening.eq27(200, 0.1)) / flattening.eq27(200, 0.1) < 0.03


# ------------------------------------------------------------------------------ RG

def test_sampled_spectrum_matches_hamiltonian():
    x = (0.5, 1.0, 0.5)
    y = rg.sample_fields(x, 32, 400, np.random.default_rng(9))
    E, _ = rg.estimate_energy(y)
    Etrue = rg.energy(x, rg.k2_grid(32))
    assert np.median(np.abs(E / Etrue - 1)) < 0.05


@pytest.mark.parametrize("b", [2, 4])
def test_fourier_decimation_is_eq24_exactly(b):
    x = (0.3, 1.0, 0.7)
    L = 64
    # noiseless check: decimate a field whose spectrum we know mode by mode
    y = rg.sample_fields(x, L, 1, np.random.default_rng(10))
    Y = np.fft.fft2(y[0])
    Yc = np.fft.fft2(rg.fourier_decimate(y, b)[0])
    idx = np.fft.fftfreq(L // b, d=b / L).astype(int) % L
    keep = np.arange(L // b) != L // b // 2  # the coarse Nyquist line is made real (half of +-pi/b kept)
    assert np.allclose(Yc[keep][:, keep], (Y[idx][:, idx] / b ** 2)[keep][:, keep])
    # E'(k') = N'/(2 P') with P'(k') = P(k'/b)/b^4 is b^2 E(k'/b): a polynomial with x_i b^(2-2i)
    k2c = rg.k2_grid(L // b)
    E_coarse = (L // b) ** 2 / (2 * (L * L / (2 * rg.energy(x, k2c / b ** 2))) / b ** 4)
    assert np.allclose(E_coarse, rg.energy([xi * b ** (2 - 2 * i) for i, xi in enumerate(x)], k2c))
    coef = rg.fit_couplings(E_coarse, k2c, np.pi / 2)
    assert np.allclose(coef, [xi * b ** (2 - 2 * i) for i, xi in enumerate(x)], rtol=1e-8)


def test_exact_block_spectrum_matches_simulation_and_keeps_x0():
    x, L, b = (0.2, 1.0, 1.0), 64, 4
    Eex = rg.exact_block_energy(x, L, b)
    assert abs(Eex[0, 0] - b ** 2 * x[0]) < 1e-12 * Eex[0, 0]  # the k' = 0 mode: x0' = b^2 x0 exactly
    y = rg.block_average(rg.sample_fields(x, L, 300, np.random.default_rng(11)), b)
    E, _ = rg.estimate_energy(y)
    assert np.median(np.abs(E / Eex - 1)) < 0.05


def test_block_average_convention_scales_field():
    y = np.random.default_rng(12).normal(size=(2, 8, 8))
    assert np.allclose(rg.block_average(y, 2, c=4.0), 4 * rg.block_average(y, 2))
    assert np.allclose(rg.block_average(y, 2).mean(), y.mean())


# ------------------------------------------------------------------------------ shallow vs deep

def test_bank_shapes_tree_depth_and_minimal_neurons():
    r = shallow_deep.train_bank(2, 1, [2, 8], [0], steps=20, M_train=64, M_test=64)
    assert r["nmse"].shape == (2, 1) and np.all(np.isfinite(r["nmse"]))
    assert shallow_deep.tree_depth(2) == 1 and shallow_deep.tree_depth(5) == 3 and shallow_deep.tree_depth(8) == 3
    m = shallow_deep.minimal_neurons([2, 4, 8], np.array([[0.5], [0.04], [0.01]]), 2, 0.05)
    assert m == {"width": 4, "neurons": 8, "reached": True}


def test_unpadded_bank_trains_the_same_networks_as_the_padded_reference():
    """train_bank (each width at its own size) against train_bank_padded (one bank padded to the widest,
    unused units masked): the same initial draws and, masked units having exactly zero gradient, the same
    Adam trajectories up to rounding; several widths, seeds and a 2-hidden-layer net."""
    args = dict(n=3, layers=2, widths=[2, 4, 8], seeds=[0, 1], steps=40, M_train=128, M_test=256)
    new, ref = shallow_deep.train_bank(**args)["nmse"], shallow_deep.train_bank_padded(**args)["nmse"]
    assert new.shape == ref.shape == (3, 2)
    assert np.allclose(new, ref, rtol=1e-4, atol=1e-7)
    assert np.ptp(ref) > 1e-2  # the replicas differ, so a mix-up of widths or seeds would show
    # the order of the widths does not matter (same largest width, so the same draws): replicas are independent
    shuffled = shallow_deep.train_bank(**{**args, "widths": [8, 2, 4]})["nmse"]
    assert np.allclose(shuffled[[1, 2, 0]], new, rtol=1e-4, atol=1e-7)


def test_sparse_flattening_reports_the_standard_error_of_the_mean():
    r = flattening.sparse_flattening(20, 0.1, 30, np.random.default_rng(3))
    assert r["flat_se"] > 0 and r["flat_z"] == pytest.approx((r["flat_mean"] - r["flat_expected"]) / r["flat_se"])
    assert r["flat_expected"] == pytest.approx(400 * (1 - 0.99 ** 20))


def test_bayes_gate_net_converges_as_lambda_squared():
    c = bayes.gaussian_classes(3, 2, np.random.default_rng(13))
    y = torch.tensor(np.random.default_rng(14).uniform(-1, 1, (200, 2)))
    exact = bayes.BayesSoftmaxNet(c["means"], c["covs"], c["priors"])(y).detach()
    errs = [float((bayes.BayesGateNet(c["means"], c["covs"], c["priors"], lam=lam)(y).detach() - exact).abs().max())
            for lam in (1e-2, 1e-3)]
    assert 50 < errs[0] / errs[1] < 200  # O(lambda^2): a factor ~100 per decade


def test_rg_flow_recovers_couplings_within_errors():
    x = (0.5, 1.0, 0.5)
    out = rg.rg_flow(x, 32, 40, [1, 2], np.pi / 2, np.random.default_rng(15), groups=5)
    assert out["block"].shape == (2, 3) and np.all(out["block_se"] > 0)
    # b = 1: both methods are the identity; the estimate is within 4 jackknife errors of the truth
    assert np.all(np.abs(out["block"][0] - np.array(x)) < 4 * out["block_se"][0] + 1e-9)
    assert np.allclose(out["decim_exact"][1], [x[0] * 4, x[1], x[2] / 4])
