"""RBM, DBN and generation checked against exact answers: enumeration of every state of tiny
models, closed forms for zero couplings, and the equivalence of batched and single realisations."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from rbm_cases import all_states, tiny_rbm

from deepinfo.models.rbm import DBN, RBM, RBMTraining, generate, train_rbm

torch.set_default_dtype(torch.float32)


def _tiny(n_v=3, n_h=2, R=2, seed=0, scale=1.0) -> RBM:
    return tiny_rbm(n_v, n_h, R, seed, scale)


_states = all_states


def _joint(rbm: RBM, r: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """All (v, h) with P(v, h) = exp(-E)/Z by enumeration, E = -v.W.h - b_v.v - b_h.h (eq. 3)."""
    V, H = _states(rbm.n_visible), _states(rbm.n_hidden)
    E = -(V @ rbm.W[r] @ H.T) - (V @ rbm.b_v[r])[:, None] - (H @ rbm.b_h[r])[None, :]
    P = torch.exp(-E)
    return V, H, P / P.sum()


def test_conditionals_match_enumeration():
    rbm = _tiny(4, 3, R=2)
    for r in range(2):
        V, H, P = _joint(rbm, r)
        # P(h_j = 1 | v) = sum_{h: h_j = 1} P(v, h) / sum_h P(v, h)
        ph_exact = (P @ H) / P.sum(1, keepdim=True)
        pv_exact = (P.T @ V) / P.sum(0)[:, None]
        assert torch.allclose(rbm.p_h(V.unsqueeze(0).expand(2, -1, -1))[r], ph_exact, atol=1e-12)
        assert torch.allclose(rbm.p_v(H.unsqueeze(0).expand(2, -1, -1))[r], pv_exact, atol=1e-12)


def test_free_energy_matches_enumeration():
    rbm = _tiny(4, 3, R=2)
    V = _states(4)
    F = rbm.free_energy(V)  # broadcast to both realisations
    for r in range(2):
        _, H, _ = _joint(rbm, r)
        E = -(V @ rbm.W[r] @ H.T) - (V @ rbm.b_v[r])[:, None] - (H @ rbm.b_h[r])[None, :]
        assert torch.allclose(F[r], -torch.logsumexp(-E, dim=1), atol=1e-10)


def _exact_loglik_grad(rbm: RBM, r: int, data: torch.Tensor) -> torch.Tensor:
    """d/dW of (1/M) sum_mu log P(v_mu), by autograd through the enumerated partition function."""
    W = rbm.W[r].clone().requires_grad_(True)
    V, H = _states(rbm.n_visible), _states(rbm.n_hidden)

    def minus_E(v, h):
        return v @ W @ h.T + (v @ rbm.b_v[r])[:, None] + (h @ rbm.b_h[r])[None, :]

    logZ = torch.logsumexp(minus_E(V, H).reshape(-1), 0)
    ll = torch.logsumexp(minus_E(data, H), dim=1).mean() - logZ
    (g,) = torch.autograd.grad(ll, W)
    return g


def test_positive_phase_is_the_exact_data_term_of_the_likelihood_gradient():
    """The likelihood gradient (eq. S2) splits into a data term sum_h v h P(h|v) and a model term;
    the update's positive phase must equal the data term and, with the model term taken from
    enumeration, reproduce the exact gradient."""
    rbm = _tiny(3, 2, R=2, seed=1)
    data = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0], [1.0, 1.0, 1.0]], dtype=torch.float64)
    for r in range(2):
        V, H, P = _joint(rbm, r)
        pos = rbm.positive_phase(data)[0][r]  # (n_v, n_h)
        ph = P / P.sum(1, keepdim=True)  # P(h|v) for every v (rows)
        idx = [int("".join(str(int(b)) for b in row), 2) for row in data]
        pos_exact = sum(torch.outer(data[i], ph[j] @ H) for i, j in enumerate(idx)) / len(data)
        assert torch.allclose(pos, pos_exact, atol=1e-12)
        model_term = V.T @ P @ H  # sum_{v,h} v h^T P(v, h)
        assert torch.allclose(pos - model_term, _exact_loglik_grad(rbm, r, data), atol=1e-10)


def test_pcd_update_matches_brute_force_expectation_over_hidden_states():
    """E[dW] of one PCD-1 step = <v h>_data - sum_h P(h|v_c) v'(h) P(h'=1|v'(h)), v'(h) = P(v=1|h):
    the expectation over every hidden state of the chain, by enumeration. The update averages
    many identical chains; the tolerance is 6 standard errors, computed by the same enumeration."""
    rbm = _tiny(3, 2, R=2, seed=2)
    data = torch.rand(2, 5, 3, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    v_c = torch.tensor([0.2, 0.9, 0.5], dtype=torch.float64)
    n_chains = 40000
    chains = v_c.expand(2, n_chains, 3).clone()
    W0, bv0, bh0, lr = rbm.W.clone(), rbm.b_v.clone(), rbm.b_h.clone(), 0.5
    pos = rbm.positive_phase(data)[0]
    rbm.pcd_step(data, chains, lr, torch.Generator().manual_seed(4))
    dW = (rbm.W - W0) / lr
    rbm.W.copy_(W0), rbm.b_v.copy_(bv0), rbm.b_h.copy_(bh0)
    H = _states(2)
    for r in range(2):
        ph_c = rbm.p_h(v_c[None].expand(2, 1, 3))[r, 0]
        w = torch.prod(torch.where(H == 1, ph_c, 1 - ph_c), dim=1)  # P(h | v_c) for each h
        v1 = rbm.p_v(H.unsqueeze(0).expand(2, -1, -1))[r]  # (4, n_v)
        s = torch.einsum("hi,hj->hij", v1, rbm.p_h(v1.unsqueeze(0).expand(2, -1, -1))[r])
        neg = (w[:, None, None] * s).sum(0)
        sd = torch.sqrt((w[:, None, None] * (s - neg) ** 2).sum(0))
        expected = pos[r] - neg
        assert torch.all((dW[r] - expected).abs() <= 6 * sd / math.sqrt(n_chains) + 1e-12)


def test_batched_realisations_equal_single_runs():
    x = torch.rand(200, 6, generator=torch.Generator().manual_seed(0))
    cfg = RBMTraining(epochs=2, batch_size=20)
    both = train_rbm(x, 4, cfg, n_realisations=2, seed=5, device="cpu", progress=False)
    # realisation r of a batched machine: same conditionals as a one-realisation RBM with its parameters
    for r in range(2):
        one = RBM(6, 4, 1)
        one.W.copy_(both.W[r:r + 1]); one.b_v.copy_(both.b_v[r:r + 1]); one.b_h.copy_(both.b_h[r:r + 1])
        assert torch.allclose(one.p_h(x)[0], both.p_h(x)[r], atol=1e-6)
    assert not torch.allclose(both.W[0], both.W[1])  # independent realisations


def _dbn(sizes=(5, 4, 3), R=2, seed=0) -> DBN:
    g = torch.Generator().manual_seed(seed)
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        rbm = RBM(a, b, R)
        rbm.W.copy_(torch.randn(R, a, b, generator=g))
        rbm.b_v.copy_(torch.randn(R, a, generator=g))
        rbm.b_h.copy_(torch.randn(R, b, generator=g))
        layers.append(rbm)
    return DBN(layers)


def test_dbn_codes_threshold_the_layer_below():
    dbn = _dbn()
    x = torch.rand(50, 5, generator=torch.Generator().manual_seed(1))
    codes = dbn.codes(x)
    assert [tuple(c.shape) for c in codes] == [(2, 50, 4), (2, 50, 3)] and codes[0].dtype == torch.uint8
    for r in range(2):
        a1 = x @ dbn.layers[0].W[r] + dbn.layers[0].b_h[r]
        h1 = (a1 > 0).float()  # sigmoid(a) > 0.5  <=>  a > 0
        h2 = ((h1 @ dbn.layers[1].W[r] + dbn.layers[1].b_h[r]) > 0).float()
        assert torch.equal(codes[0][r].float(), h1) and torch.equal(codes[1][r].float(), h2)


def test_dbn_state_round_trip():
    dbn = _dbn()
    back = DBN.from_state(dbn.state())
    assert back.sizes == dbn.sizes and all(torch.equal(a.W, b.W) for a, b in zip(dbn.layers, back.layers))


def test_generate_shapes_determinism_and_range():
    dbn = _dbn((6, 5, 4, 3), R=3)
    for layer in (1, 2, 3):
        g = generate(dbn, layer, n_samples=7, n_sweeps=4, seed=11)
        assert g.shape == (3, 7, 6) and g.min() >= 0 and g.max() <= 1
        assert torch.equal(g, generate(dbn, layer, n_samples=7, n_sweeps=4, seed=11))
    assert not torch.equal(generate(dbn, 3, 7, 4, seed=1), generate(dbn, 3, 7, 4, seed=2))
    with pytest.raises(ValueError):
        generate(dbn, 0, 5, 1)
    with pytest.raises(ValueError):
        generate(dbn, 4, 5, 1)


def test_generate_closed_form_with_zero_couplings():
    """With W_top = 0 the chain cannot move H_(l-1) away from sigmoid(b_v), whatever the sweeps;
    mean-field propagation down then gives V = sigmoid(W_1 sigmoid(b_v2) + b_v1) exactly."""
    dbn = _dbn((6, 5, 4), R=2)
    top = dbn.layers[1]
    top.W.zero_()
    g = generate(dbn, 2, n_samples=3, n_sweeps=5, seed=0, down="mean")
    h1 = torch.sigmoid(top.b_v)  # (R, 5)
    v = torch.sigmoid(torch.einsum("rij,rj->ri", dbn.layers[0].W, h1) + dbn.layers[0].b_v)
    assert torch.allclose(g, v[:, None, :].expand(-1, 3, -1), atol=1e-6)
    one = _dbn((6, 5), R=2)
    one.layers[0].W.zero_()
    assert torch.allclose(generate(one, 1, 4, 3, seed=0), torch.sigmoid(one.layers[0].b_v)[:, None].expand(-1, 4, -1))


def test_generate_stationary_distribution_of_the_chain():
    """Between a binary hidden layer and mean-valued visible units the chain h -> v = P(v|h) -> h'
    is a Markov chain on the 2^n_h hidden states; its stationary law (by enumeration of the
    transition matrix) must match the empirical law of many chains after many sweeps."""
    dbn = _dbn((3, 2), R=1, seed=4)
    rbm = dbn.layers[0]
    H = _states(2).float()
    V = rbm.p_v(H[None])[0]  # visible means for each hidden state
    PH = rbm.p_h(V[None])[0]  # P(h'_j=1 | v(h))
    T = torch.prod(torch.where(H[None, :, :] == 1, PH[:, None, :], 1 - PH[:, None, :]), dim=2)  # T[h, h']
    evals, evecs = np.linalg.eig(T.double().numpy().T)
    pi = np.real(evecs[:, np.argmin(np.abs(evals - 1))])
    pi = pi / pi.sum()
    n = 20000
    g = generate(dbn, 1, n_samples=n, n_sweeps=30, seed=3)[0]  # (n, 3): one of the 4 rows of V
    idx = torch.cdist(g, V).argmin(1)
    freq = np.bincount(idx.numpy(), minlength=4) / n
    assert np.all(np.abs(freq - pi) <= 6 * np.sqrt(pi * (1 - pi) / n) + 1e-9)
