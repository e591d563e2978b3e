"""Training diagnostics and schedules of deepinfo.models.rbm (issue 14, item 4), checked against exact
answers: stuck units on constructed codes, the pseudo-log-likelihood and the log-likelihood by
enumeration of tiny RBMs, the momentum update against plain updates, and the new training options
at their defaults against a frozen copy of the original trainer."""
from __future__ import annotations


import numpy as np
import pytest
import torch
from rbm_cases import all_states, tiny_rbm

from deepinfo.models.rbm import (DBN, RBM, RECOMMENDED_SCHEDULE, RBMTraining, exact_log_likelihood, levelled_off,
                                 pseudo_log_likelihood, reconstruction_error, relative_change, stuck_units, train_rbm)


def _tiny(n_v=6, n_h=3, R=2, seed=0, scale=1.0) -> RBM:
    return tiny_rbm(n_v, n_h, R, seed, scale)


_states = all_states


def _log_p_joint_enumerated(rbm: RBM, r: int) -> torch.Tensor:
    """log P(v) of every visible state (rows of _states(n_v)), from the full joint exp(-E(v, h)) / Z."""
    V, H = _states(rbm.n_visible), _states(rbm.n_hidden)
    minus_E = V @ rbm.W[r] @ H.T + (V @ rbm.b_v[r])[:, None] + (H @ rbm.b_h[r])[None, :]
    log_pv = torch.logsumexp(minus_E, dim=1)
    return log_pv - torch.logsumexp(log_pv, 0)


# --------------------------------------------------------------------------------------------- stuck units

def test_stuck_units_on_exact_codes():
    M = 200
    on_counts = [200, 199, 198, 1, 2, 0, 100]  # shares 1, .995, .99, .005, .01, 0, .5
    codes = np.zeros((M, len(on_counts)), dtype=np.uint8)
    for j, c in enumerate(on_counts):
        codes[:c, j] = 1
    s = stuck_units(codes)
    # strict: above 0.99 or below 0.01; 0.99 and 0.01 themselves are not stuck
    assert s["on"] == [0, 1] and s["off"] == [3, 5] and s["indices"] == [0, 1, 3, 5]
    assert s["n_stuck"] == 4 and s["n_units"] == 7 and s["share"] == pytest.approx(4 / 7)
    assert np.allclose(s["mean_activation"], np.array(on_counts) / M)
    assert stuck_units(torch.as_tensor(codes))["indices"] == [0, 1, 3, 5]  # torch input, same answer
    loose = stuck_units(codes, lo=0.2, hi=0.8)
    assert loose["indices"] == [0, 1, 2, 3, 4, 5]


def test_stuck_units_on_probabilities_and_realisations():
    p = np.array([[0.999, 0.5, 0.001], [0.995, 0.2, 0.004]])  # means .997, .35, .0025
    s = stuck_units(p)
    assert s["on"] == [0] and s["off"] == [2] and s["share"] == pytest.approx(2 / 3)
    both = stuck_units(np.stack([p, np.full((2, 3), 0.5)]))
    assert both["n_stuck"] == [2, 0] and both["indices"] == [[0, 2], []] and both["share"] == pytest.approx(2 / 6)
    with pytest.raises(ValueError):
        stuck_units(np.array([[1.5, 0.0]]))
    with pytest.raises(ValueError):
        stuck_units(np.zeros(4))
    with pytest.raises(ValueError):
        stuck_units(p, lo=0.6, hi=0.4)


def test_dbn_stuck_units_per_layer():
    W1 = torch.zeros(1, 4, 3)
    rbm1 = RBM(4, 3, 1)
    rbm1.W.copy_(W1)
    rbm1.b_h.copy_(torch.tensor([[10.0, -10.0, 0.0]]))  # unit 0 always on, unit 1 always off
    rbm1.W[0, 0, 2] = 20.0
    rbm1.b_h[0, 2] = -10.0  # unit 2 copies visible unit 0
    rbm2 = RBM(3, 2, 1)
    rbm2.b_h.copy_(torch.tensor([[-10.0, 0.0]]))
    rbm2.W[0, 2, 1] = 20.0
    rbm2.b_h[0, 1] = -10.0  # copies H1 unit 2
    x = torch.zeros(10, 4)
    x[:5, 0] = 1.0
    out = DBN([rbm1, rbm2]).stuck_units(x)
    assert out[0]["on"] == [[0]] and out[0]["off"] == [[1]] and out[1]["indices"] == [[0]]
    assert DBN([rbm1, rbm2]).stuck_units(x, use="mean")[0]["indices"] == [[0, 1]]


# ------------------------------------------------------------------------------------ the likelihood proxy

def test_pll_equals_enumeration_on_binary_data():
    """log P(v_i | v_-i) = log P(v) - log(P(v) + P(v with bit i flipped)), from the enumerated joint."""
    rbm = _tiny(6, 3, R=2, seed=1)
    V = _states(6)
    pll = pseudo_log_likelihood(rbm, V)  # mean over all 64 states
    for r in range(2):
        lp = _log_p_joint_enumerated(rbm, r)
        total = 0.0
        for k in range(64):
            for i in range(6):
                k_flip = k ^ (1 << (5 - i))  # rows of _states are big-endian bit patterns
                total += float(lp[k] - torch.logaddexp(lp[k], lp[k_flip]))
        assert pll[r].item() == pytest.approx(total / 64, abs=1e-10)


def test_pll_on_mean_activities_is_the_cross_entropy_of_the_conditionals():
    rbm = _tiny(6, 3, R=1, seed=2)
    v = torch.rand(5, 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    expected = 0.0
    for row in v:
        for i in range(6):
            v0, v1 = row.clone(), row.clone()
            v0[i], v1[i] = 0.0, 1.0
            p1 = torch.sigmoid(rbm.free_energy(v0[None])[0, 0] - rbm.free_energy(v1[None])[0, 0])
            expected += float(row[i] * torch.log(p1) + (1 - row[i]) * torch.log(1 - p1))
    assert pseudo_log_likelihood(rbm, v)[0].item() == pytest.approx(expected / 5, abs=1e-10)
    assert pseudo_log_likelihood(rbm, v, chunk=2)[0].item() == pytest.approx(expected / 5, abs=1e-10)


def test_exact_log_likelihood_matches_the_full_joint():
    for n_v, n_h in ((6, 3), (4, 7)):  # enumerate the hidden layer, then the visible one
        rbm = _tiny(n_v, n_h, R=2, seed=3)
        Vn = _states(n_v)
        ll = exact_log_likelihood(rbm, Vn)
        for r in range(2):
            assert ll[r].item() == pytest.approx(float(_log_p_joint_enumerated(rbm, r).mean()), abs=1e-10)
        # probabilities sum to one
        log_p = -rbm.free_energy(Vn) - (-rbm.free_energy(Vn)).logsumexp(1, keepdim=True)
        assert torch.allclose(torch.logsumexp(log_p, 1), torch.zeros(2, dtype=torch.float64))
    with pytest.raises(ValueError):
        exact_log_likelihood(RBM(30, 25), torch.zeros(1, 30))


def test_pll_equals_log_likelihood_without_couplings():
    """W = 0: the units are independent, P(v_i | v_-i) = P(v_i), and PLL = log P(v) exactly."""
    rbm = _tiny(6, 3, R=2, seed=4)
    rbm.W.zero_()
    v = _states(6)[::3]
    assert torch.allclose(pseudo_log_likelihood(rbm, v), exact_log_likelihood(rbm, v), atol=1e-10)


def _data_6(M=400, seed=0) -> torch.Tensor:
    """Two noisy prototypes of 6 bits: a structured binary data set for the tiny RBM."""
    g = torch.Generator().manual_seed(seed)
    proto = torch.tensor([[1, 1, 1, 0, 0, 0], [0, 0, 1, 1, 1, 1]], dtype=torch.float64)
    which = torch.randint(0, 2, (M,), generator=g)
    flip = torch.rand(M, 6, generator=g, dtype=torch.float64) < 0.1
    return torch.where(flip, 1 - proto[which], proto[which])


def test_pll_moves_with_the_exact_log_likelihood_under_exact_gradient_ascent():
    """Gradient ascent on the exact log-likelihood (autograd through the enumerated Z): the exact
    log-likelihood rises, and the proxy rises with it (rank correlation over the path)."""
    data = _data_6()
    rbm = _tiny(6, 3, R=1, seed=5, scale=0.01)
    params = [rbm.W, rbm.b_v, rbm.b_h]
    ll_path, pll_path = [], []
    for step in range(60):
        ll_path.append(exact_log_likelihood(rbm, data)[0].item())
        pll_path.append(pseudo_log_likelihood(rbm, data)[0].item())
        with torch.enable_grad():
            ps = [p.detach().clone().requires_grad_(True) for p in params]
            minus_F = lambda v: (v @ ps[1][0]) + torch.nn.functional.softplus(v @ ps[0][0] + ps[2][0]).sum(-1)
            V = _states(6)
            ll = minus_F(data).mean() - torch.logsumexp(minus_F(V), 0)
            grads = torch.autograd.grad(ll, ps)
        for p, g in zip(params, grads):
            p.add_(0.5 * g)
    ll_path, pll_path = np.array(ll_path), np.array(pll_path)
    assert np.all(np.diff(ll_path) > -1e-9) and ll_path[-1] - ll_path[0] > 0.5
    rank = lambda a: np.argsort(np.argsort(a))
    rho = np.corrcoef(rank(ll_path), rank(pll_path))[0, 1]
    assert pll_path[-1] > pll_path[0] + 0.5 and rho > 0.9


def test_trainer_history_records_the_proxy_and_moves_with_the_likelihood():
    """PCD training of a tiny RBM with monitor data: the recorded history is the proxy of the
    machine after each epoch, and from start to end it rises with the exact log-likelihood."""
    data = _data_6(seed=1).float()
    cfg = RBMTraining(epochs=30, batch_size=20, lr=0.1)
    start = train_rbm(data, 3, RBMTraining(epochs=0), 1, seed=2, device="cpu", progress=False)
    rbm = train_rbm(data, 3, cfg, 1, seed=2, device="cpu", progress=False, monitor=data)
    h = rbm.history
    assert h["epoch"].tolist() == list(range(31)) and h["pll_nats"].shape == (31, 1) and h["recon_mse"].shape == (31, 1)
    assert h["pll_nats"][-1, 0] == pytest.approx(pseudo_log_likelihood(rbm, data)[0].item(), rel=1e-6)
    assert h["pll_nats"][0, 0] == pytest.approx(pseudo_log_likelihood(start, data)[0].item(), rel=1e-6)
    assert h["recon_mse"][-1, 0] == pytest.approx(reconstruction_error(rbm, data)[0].item(), rel=1e-6)
    ll0, ll1 = exact_log_likelihood(start, data)[0].item(), exact_log_likelihood(rbm, data)[0].item()
    assert ll1 > ll0 + 0.5 and h["pll_nats"][-1, 0] > h["pll_nats"][0, 0] + 0.5
    # an int monitor: that many evenly spaced samples of the data
    r2 = train_rbm(data, 3, RBMTraining(epochs=2, batch_size=20), 1, seed=2, device="cpu", progress=False, monitor=5)
    idx = torch.linspace(0, len(data) - 1, 5).round().long()
    assert r2.history["pll_nats"][-1, 0] == pytest.approx(pseudo_log_likelihood(r2, data[idx])[0].item(), rel=1e-6)


def test_levelled_off_on_exact_series():
    flat = [100.0, 50.0, -10.0, -10.05, -10.06, -10.07, -10.08, -10.09]  # last 5: -10.09 vs -10.0 -> 0.9%
    assert levelled_off(flat, window=5, tol=0.01) is True
    assert relative_change(flat, 5) == pytest.approx(0.09 / 10.09)
    assert levelled_off(flat, window=5, tol=0.005) is False
    assert levelled_off([-10.0] * 5, window=5) is False  # too short to say
    two = np.array([[-10.0, -10.0]] * 6 + [[-10.0, -12.0]])
    assert levelled_off(two, window=5).tolist() == [True, False]


# ------------------------------------------------------------------------------ schedules and old defaults

def _train_rbm_original(data, n_hidden, cfg, n_realisations=1, seed=0):
    """The trainer as it was before the schedule options (commit 46873f7), inlined: the reference."""
    x = torch.as_tensor(data, dtype=torch.float32)
    if x.ndim == 3:
        n_realisations = x.shape[0]
    M, n_v = x.shape[-2], x.shape[-1]
    gen = torch.Generator().manual_seed(seed)
    rbm = RBM(n_v, n_hidden, n_realisations, init_std=cfg.init_std, generator=torch.Generator().manual_seed(seed))
    R = rbm.R
    rows = torch.arange(R)[:, None]
    chains = torch.rand(R, cfg.batch_size, n_v, generator=gen)
    for _ in range(cfg.epochs):
        order = torch.argsort(torch.rand(R, M, generator=gen), dim=1)
        for b in range(M // cfg.batch_size):
            idx = order[:, b * cfg.batch_size:(b + 1) * cfg.batch_size]
            batch = x[idx] if x.ndim == 2 else x[rows, idx]
            with torch.no_grad():
                pos_W, pos_v, pos_h = rbm.positive_phase(batch)
                h = torch.bernoulli(rbm.p_h(chains), generator=gen)
                v_new = rbm.p_v(h)
                neg_W, neg_v, neg_h = rbm.positive_phase(v_new)
                rbm.W.add_(cfg.lr * (pos_W - neg_W))
                if cfg.weight_decay:
                    rbm.W.add_(-cfg.lr * cfg.weight_decay * rbm.W)
                rbm.b_v.add_(cfg.lr * (pos_v - neg_v))
                rbm.b_h.add_(cfg.lr * (pos_h - neg_h))
            chains = v_new
    return rbm


@pytest.mark.parametrize("shape,cfg", [
    ((150, 8), RBMTraining(epochs=3, batch_size=25, lr=0.1)),
    ((150, 8), RBMTraining(epochs=2, batch_size=30, lr=0.05, weight_decay=1e-3, init_std=0.1)),
    ((2, 120, 8), RBMTraining(epochs=2, batch_size=20)),
])
def test_defaults_reproduce_the_original_trainer_exactly(shape, cfg):
    x = torch.rand(*shape, generator=torch.Generator().manual_seed(7))
    ref = _train_rbm_original(x, 5, cfg, 2, seed=3)
    explicit = RBMTraining(**{**cfg.__dict__, "momentum": 0.0, "initial_momentum": None, "lr_schedule": "constant",
                              "visible_bias_init": "zero", "hidden_bias_init": 0.0})
    for c, monitor in ((cfg, None), (explicit, None), (cfg, 10)):
        new = train_rbm(x, 5, c, 2, seed=3, device="cpu", progress=False, monitor=monitor)
        for k in ("W", "b_v", "b_h"):
            assert torch.equal(getattr(new, k), getattr(ref, k)), k


def test_momentum_update_against_plain_updates():
    """With velocity u: step 1 is the plain step (u = lr g1); step 2 adds lr g2 + m u1."""
    data = torch.rand(2, 10, 6, generator=torch.Generator().manual_seed(0))
    a, b = RBM(6, 4, 2, init_std=0.3, generator=torch.Generator().manual_seed(1)), RBM(6, 4, 2)
    b.load_state_dict(a.state_dict())
    chains = torch.rand(2, 10, 6, generator=torch.Generator().manual_seed(2))
    u, m, lr = a.zero_velocity(), 0.7, 0.2
    ca = a.pcd_step(data, chains, lr, torch.Generator().manual_seed(3), velocity=u, momentum=m)
    cb = b.pcd_step(data, chains, lr, torch.Generator().manual_seed(3))
    assert torch.equal(ca, cb) and all(torch.equal(getattr(a, k), getattr(b, k)) for k in ("W", "b_v", "b_h"))
    u1 = {k: v.clone() for k, v in u.items()}
    a.pcd_step(data, ca, lr, torch.Generator().manual_seed(4), velocity=u, momentum=m)
    b.pcd_step(data, cb, lr, torch.Generator().manual_seed(4))
    for k in ("W", "b_v", "b_h"):
        assert torch.allclose(getattr(a, k), getattr(b, k) + m * u1[k], atol=1e-6)


def test_schedule_options():
    cfg = RBMTraining(epochs=10, lr=0.1, lr_schedule="linear", lr_final=0.01, momentum=0.9, initial_momentum=0.5,
                      momentum_epochs=3)
    assert cfg.lr_at(0) == pytest.approx(0.1) and cfg.lr_at(5) == pytest.approx(0.055) and cfg.lr_at(9) > 0.01
    assert [cfg.momentum_at(e) for e in (0, 2, 3, 9)] == [0.5, 0.5, 0.9, 0.9]
    assert RBMTraining().lr_at(7) == 0.1 and RBMTraining().momentum_at(0) == 0.0 and not RBMTraining().uses_momentum
    x = torch.rand(100, 5, generator=torch.Generator().manual_seed(0)) * 0.5
    x[:, 0] = 0.0  # a pixel never on: its bias is clipped at logit(1e-3)
    r = train_rbm(x, 3, RBMTraining(epochs=0, visible_bias_init="data", hidden_bias_init=-4.0), 2, device="cpu",
                  progress=False)
    p = x.mean(0).clamp(1e-3, 1 - 1e-3)
    assert torch.allclose(r.b_v, torch.log(p / (1 - p)).expand(2, -1)) and torch.all(r.b_h == -4.0)
    with pytest.raises(ValueError):
        RBMTraining(visible_bias_init="mean")
    with pytest.raises(ValueError):
        RBMTraining(lr_schedule="cosine")
    with pytest.raises(ValueError):
        RBMTraining(momentum=1.0)


def test_dbn_train_monitors_every_layer():
    x = torch.rand(60, 6, generator=torch.Generator().manual_seed(0))
    dbn = DBN.train(x, [4, 3], RBMTraining(epochs=2, batch_size=20), 2, seed=0, device="cpu", progress=False,
                    monitor=10)
    assert [l.history["pll_nats"].shape for l in dbn.layers] == [(3, 2), (3, 2)]
    sparse = train_rbm(x, 4, RBMTraining(epochs=7, batch_size=20), 1, device="cpu", progress=False, monitor=10,
                       monitor_every=3)
    assert sparse.history["epoch"].tolist() == [0, 3, 6, 7]
    dense = train_rbm(x, 4, RBMTraining(epochs=7, batch_size=20), 1, device="cpu", progress=False, monitor=10)
    assert np.array_equal(dense.history["pll_nats"][[0, 3, 6, 7]], sparse.history["pll_nats"])


def test_recommended_schedule_is_a_valid_config():
    cfg = RBMTraining(**RECOMMENDED_SCHEDULE)
    assert cfg.epochs >= 1 and cfg.batch_size == 100
