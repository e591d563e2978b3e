"""The batched ensemble trainer equals K independent trainings; its gradient statistics are exact."""
import numpy as np
import pytest
import torch

from deepinfo.models.ensemble import (EnsembleConfig, epoch_permutations, init_weights, loss_and_grads, snapshot_epochs,
                                     train_ensemble)


def _data(K=3, P=64, n=40, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = ((torch.arange(P)[:, None] >> torch.arange(12)[None, :]) & 1).float().numpy()
    p1 = torch.rand(P, generator=g, dtype=torch.float64).numpy()
    pyx = np.stack([1 - p1, p1], 1)
    idx = torch.stack([torch.randperm(P, generator=g)[:n].sort().values for _ in range(K)])
    y = torch.randint(0, 2, (K, n), generator=g)
    return X, pyx, idx, y


def _single(cfg, W0, b0, X, idx, y, epochs):
    """Network k trained alone as a plain nn.Module with torch.optim, visiting batches in the ensemble's order."""
    act = torch.nn.Tanh if cfg.activation == "tanh" else torch.nn.ReLU
    K = W0[0].shape[0]
    nets = []
    for k in range(K):
        mods = []
        for l, (W, b) in enumerate(zip(W0, b0)):
            lin = torch.nn.Linear(W.shape[1], W.shape[2])
            with torch.no_grad():
                lin.weight.copy_(W[k].T)
                lin.bias.copy_(b[k, 0])
            mods += [lin] + ([act()] if l < len(W0) - 1 else [])
        nets.append(torch.nn.Sequential(*mods))
    opts = [torch.optim.Adam(n.parameters(), lr=cfg.lr) if cfg.optimizer == "adam"
            else torch.optim.SGD(n.parameters(), lr=cfg.lr) for n in nets]
    gen = torch.Generator().manual_seed(cfg.seed)  # the ensemble draws its epoch orders from this
    Xt = torch.as_tensor(X)
    n = idx.shape[1]
    for _ in range(epochs):
        perm = epoch_permutations(K, n, gen)
        for k in range(K):
            order, yk = idx[k, perm[k]], y[k, perm[k]]
            for s in range(0, n, cfg.batch_size):
                opts[k].zero_grad()
                loss = torch.nn.functional.cross_entropy(nets[k](Xt[order[s:s + cfg.batch_size]]),
                                                         yk[s:s + cfg.batch_size])
                loss.backward()
                opts[k].step()
    return nets


@pytest.mark.parametrize("optimizer,activation,lr", [("adam", "tanh", 1e-2), ("sgd", "relu", 0.1)])
def test_ensemble_equals_independent_trainings(optimizer, activation, lr):
    torch.set_num_threads(1)
    X, pyx, idx, y = _data()
    cfg = EnsembleConfig(hidden=(10, 7, 5), activation=activation, n_networks=3, train_fraction=40 / 64,
                         epochs=6, optimizer=optimizer, lr=lr, batch_size=16, seed=5)
    W0, b0 = init_weights(cfg.sizes, 3, torch.Generator().manual_seed(1))
    out = train_ensemble(cfg, X, pyx, init=(W0, b0), data=(idx, y), snapshots=[0, 6], progress=False)
    nets = _single(cfg, W0, b0, X, idx, y, cfg.epochs)
    for k, net in enumerate(nets):
        lins = [m for m in net if isinstance(m, torch.nn.Linear)]
        for l, lin in enumerate(lins):
            np.testing.assert_allclose(out["final"]["W"][l][k], lin.weight.detach().numpy().T, atol=2e-5, rtol=1e-4)
            np.testing.assert_allclose(out["final"]["b"][l][k, 0], lin.bias.detach().numpy(), atol=2e-5, rtol=1e-4)
    # the weights did move (the comparison is not trivial)
    assert not np.allclose(out["final"]["W"][0], W0[0].numpy(), atol=1e-3)


def test_explicit_backprop_matches_autograd():
    g = torch.Generator().manual_seed(0)
    for act in ("tanh", "relu"):
        Ws, bs = init_weights((12, 10, 7, 5, 4, 3, 2), 4, g, dtype=torch.float64)
        x = torch.randint(0, 2, (4, 33, 12), generator=g).double()
        y = torch.randint(0, 2, (4, 33), generator=g)
        loss, grads = loss_and_grads(Ws, bs, x, y, act)
        P = [t.clone().requires_grad_() for t in [*Ws, *bs]]
        L = len(Ws)
        h = x
        for l in range(L):
            z = torch.baddbmm(P[L + l], h, P[l])
            h = (torch.tanh(z) if act == "tanh" else torch.relu(z)) if l < L - 1 else z
        ref = torch.nn.functional.cross_entropy(h.reshape(-1, 2), y.reshape(-1), reduction="none").reshape(4, 33).mean(1)
        for a, b in zip(grads, torch.autograd.grad(ref.sum(), P)):
            torch.testing.assert_close(a, b)
        torch.testing.assert_close(loss, ref.detach())


def test_gradient_statistics_tiny_case():
    """Mean and std over the mini-batches of one epoch, by direct per-batch autograd (weights fixed: lr = 0)."""
    X, pyx, idx, y = _data(K=2, n=12)
    cfg = EnsembleConfig(hidden=(3,), n_networks=2, epochs=1, optimizer="sgd", lr=0.0, batch_size=4, seed=2)
    W0, b0 = init_weights(cfg.sizes, 2, torch.Generator().manual_seed(3))
    out = train_ensemble(cfg, X, pyx, init=(W0, b0), data=(idx, y), snapshots=[0, 1], progress=False)
    gen = torch.Generator().manual_seed(cfg.seed)
    perm = epoch_permutations(2, 12, gen)
    for k in range(2):
        order, yk = idx[k, perm[k]], y[k, perm[k]]
        per_batch = [[], []]
        for s in range(0, 12, 4):
            W = [w[k].clone().double().requires_grad_() for w in W0]
            b = [v[k, 0].clone().double() for v in b0]
            h = torch.as_tensor(X[order[s:s + 4]]).double()
            h = torch.tanh(h @ W[0] + b[0])
            z = h @ W[1] + b[1]
            loss = torch.nn.functional.cross_entropy(z, yk[s:s + 4])
            for l, gr in enumerate(torch.autograd.grad(loss, W)):
                per_batch[l].append(gr.numpy())
        for l in range(2):
            G = np.stack(per_batch[l])
            wn = np.linalg.norm(W0[l][k].numpy())
            np.testing.assert_allclose(out["grad_mean"][1, l, k], np.linalg.norm(G.mean(0)) / wn, rtol=1e-4)
            np.testing.assert_allclose(out["grad_std"][1, l, k], np.linalg.norm(G.std(0)) / wn, rtol=1e-3)
    assert np.isnan(out["grad_mean"][0]).all()


def test_snapshot_epochs_and_resume(tmp_path):
    e = snapshot_epochs(10_000, 200)
    assert e[0] == 0 and e[-1] == 10_000 and np.all(np.diff(e) > 0) and 150 <= len(e) <= 201
    from deepinfo.cache import ResultCache
    X, pyx, idx, y = _data()
    cfg = EnsembleConfig(hidden=(5, 3), n_networks=3, epochs=8, batch_size=16, lr=1e-2, seed=1)
    W0, b0 = init_weights(cfg.sizes, 3, torch.Generator().manual_seed(1))
    ref = train_ensemble(cfg, X, pyx, init=(W0, b0), data=(idx, y), snapshots=[0, 2, 8], progress=False)
    ck = ResultCache(tmp_path).checkpoint("t", {"a": 1})
    # stop after 4 epochs (a checkpoint written every epoch), then resume to 8
    short = EnsembleConfig(**{**cfg.__dict__, "epochs": 4})
    train_ensemble(short, X, pyx, init=(W0, b0), data=(idx, y), snapshots=[0, 2, 8], progress=False,
                   checkpoint=ck, checkpoint_seconds=-1, _keep_checkpoint=True)
    assert ck.load() is not None
    res = train_ensemble(cfg, X, pyx, init=(W0, b0), data=(idx, y), snapshots=[0, 2, 8], progress=False,
                         checkpoint=ck)
    for a, b in zip(ref["final"]["W"], res["final"]["W"]):
        np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_allclose(ref["grad_mean"][1:], res["grad_mean"][1:], rtol=1e-5)


def _fake_run():
    """A synthetic ensemble record with a known turn, transition and DPI violations."""
    ep = np.array([0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])
    S, L, K = len(ep), 4, 3
    t = np.log10(np.maximum(ep, 1))[:, None, None] * np.ones((S, L, K))
    I_Y = np.minimum(t / 1.0, 1.0) * 0.9  # full rise by epoch 10
    I_X = 8 - np.arange(L)[None, :, None] + np.minimum(t, 1.3) - np.maximum(t - 1.3, 0) * 2.0  # peak at epoch 20
    snr = np.where(ep[:, None, None] < 100, 10.0, 0.3) * np.ones((S, L, K))
    gm = snr * 1e-2
    gs = np.full((S, L, K), 1e-2)
    gm[0] = gs[0] = np.nan
    return {"epochs": ep, "I_X": {"bin30": I_X}, "I_Y": {"bin30": I_Y}, "grad_mean": gm, "grad_std": gs}


def test_phase_and_transition_detection():
    from deepinfo.experiments.information_plane import analysis as an, claims as c
    res = _fake_run()
    assert an.snr_transition(res)["epoch"] == 100
    assert list(an.snr_transition(res)["epoch_per_network"]) == [100, 100, 100]
    p = c.phase_statistics(res)
    # the raw peak is at epoch 20; the 5-snapshot moving average (log10 epochs 0.3..1.7 around epoch 10:
    # offsets .3, .7, 1, 1.3, .5 -> mean .76; around epoch 20: .7, 1, 1.3, .5, -.1 -> .68) peaks at epoch 10
    assert p["deep"] == [2, 3] and np.all(p["turn_epoch"] == 10)
    # smoothed I_Y = 0.9 min(log10 e, 1): 0.9 * 0.8 at epoch 10, 0.9 * 0.1 at epoch 0 (edge: 3 snapshots), max 0.9
    y10, y0 = 0.9 * (np.log10(2) + np.log10(5) + 3) / 5, 0.9 * np.log10(2) / 3
    assert p["share"] == pytest.approx(np.full(3, (y10 - y0) / (0.9 - y0)))
    # smoothed peak minus the mean of the last 3 snapshots (n_end(11) = 3)
    def off(e):  # the fake's I_X offset above 8 - layer at epoch e
        t = np.log10(e)
        return np.minimum(t, 1.3) - 2 * np.maximum(t - 1.3, 0)
    xs = 8 - 2 + off(np.array([2, 5, 10, 20, 50])).mean()
    assert p["drop_bits"][0] == pytest.approx(xs - (8 - 2 + off(np.array([200, 500, 1000])).mean()))
    assert an.dpi_violations(res)["share"] == 0.0
    res["I_Y"]["bin30"][5, 2, 0] += 1.0  # layer 3 above layer 2 once
    v = an.dpi_violations(res)
    assert v["share"] == pytest.approx(1 / (len(res["epochs"]) * 3 * 3))
    assert v["worst_per_network_bits"][1] == 0.0 and v["worst_per_network_bits"][0] == pytest.approx(1.0)


@pytest.mark.parametrize("optimizer,activation", [("adam", "relu"), ("sgd", "tanh")])
def test_ensemble_equals_independent_trainings_three_classes(optimizer, activation):
    """The general softmax path (n_outputs != 2) of the fast trainer against nn.Module networks, uneven last batch."""
    torch.set_num_threads(1)
    X, pyx, idx, _ = _data(K=4, n=45, seed=3)
    y = torch.randint(0, 3, (4, 45), generator=torch.Generator().manual_seed(4))
    cfg = EnsembleConfig(hidden=(8, 5), activation=activation, n_networks=4, n_outputs=3, epochs=5,
                         optimizer=optimizer, lr=1e-2 if optimizer == "adam" else 0.1, batch_size=16, seed=6)
    W0, b0 = init_weights(cfg.sizes, 4, torch.Generator().manual_seed(2))
    out = train_ensemble(cfg, X, pyx, init=(W0, b0), data=(idx, y), snapshots=[0, 5], progress=False)
    for k, net in enumerate(_single(cfg, W0, b0, X, idx, y, cfg.epochs)):
        for l, lin in enumerate(m for m in net if isinstance(m, torch.nn.Linear)):
            np.testing.assert_allclose(out["final"]["W"][l][k], lin.weight.detach().numpy().T, atol=2e-5, rtol=1e-4)
            np.testing.assert_allclose(out["final"]["b"][l][k, 0], lin.bias.detach().numpy(), atol=2e-5, rtol=1e-4)
    assert not np.allclose(out["final"]["W"][0], W0[0].numpy(), atol=1e-3)
