"""Train once, measure many: stored snapshot weights reproduce on-the-fly measures exactly, and new
measures on them never retrain; the fast trainer is reproducible and its backward equals autograd."""
import numpy as np
import pytest
import torch

import deepinfo.models.ensemble as ens
from deepinfo.cache import ResultCache
from deepinfo.estimators import binned_information_plane
from deepinfo.models.ensemble import (EnsembleConfig, init_weights, loss_and_grads, measure_snapshots, snapshot_nbytes,
                                     train_ensemble)


def _rule(P=256, seed=0):
    """P patterns of 12 bits (the first P of the 4096) and a random rule p(y|x) (P, 2)."""
    g = torch.Generator().manual_seed(seed)
    X = ((torch.arange(P)[:, None] >> torch.arange(12)[None, :]) & 1).float().numpy()
    p1 = torch.rand(P, generator=g, dtype=torch.float64).numpy()
    return X, np.stack([1 - p1, p1], 1)


def _cfg(**kw):
    base = dict(hidden=(6, 4, 3), n_networks=4, train_fraction=0.75, epochs=8, n_snapshots=4, lr=1e-2,
                batch_size=48, seed=3)
    return EnsembleConfig(**{**base, **kw})


def _bins(n):
    return lambda T, pyx: binned_information_plane(T, pyx, n_bins=n)


def _adaptive(T, pyx):
    return binned_information_plane(T, pyx, n_bins=20, adaptive=True)


def _mean_sq(T, pyx):
    """A measure that is not an information pair: mean squared activation per network."""
    return (T.double() ** 2).mean((1, 2)).numpy()


def _stats(T, pyx):
    """A dict-valued measure (like the H[s], H[k] statistics): two numbers per network."""
    return {"max": T.amax((1, 2)).double().numpy(), "min": T.amin((1, 2)).double().numpy()}


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_measures_afterwards_equal_measures_on_the_fly(activation):
    torch.set_num_threads(1)
    X, pyx = _rule()
    cfg = _cfg(activation=activation)
    on_the_fly = {"bin30": _bins(30), "bin10": _bins(10), "adaptive": _adaptive}
    res = train_ensemble(cfg, X, pyx, on_the_fly, keep_snapshots=True, progress=False)
    snaps = res["snapshots"]
    S, L, K = len(res["epochs"]), len(cfg.hidden) + 1, cfg.n_networks
    assert snaps["activation"] == activation and np.array_equal(snaps["epochs"], res["epochs"])
    assert [w.shape for w in snaps["W"]] == [(S, K, a, b) for a, b in zip(cfg.sizes[:-1], cfg.sizes[1:])]
    assert all(w.dtype == np.float32 for w in [*snaps["W"], *snaps["b"]])
    # the last snapshot is the final state
    for l in range(L):
        assert np.array_equal(snaps["W"][l][-1], res["final"]["W"][l])
        assert np.array_equal(snaps["b"][l][-1], res["final"]["b"][l])
    after = measure_snapshots(snaps, X, pyx, on_the_fly)
    for name in on_the_fly:
        assert after["I_X"][name].shape == (S, L, K)
        np.testing.assert_array_equal(after["I_X"][name], res["I_X"][name])  # exactly: same float ops
        np.testing.assert_array_equal(after["I_Y"][name], res["I_Y"][name])
    # the information values are not trivial (they change along training and across layers)
    assert np.ptp(res["I_X"]["bin30"]) > 0.1


def test_second_measure_reuses_the_cached_training(tmp_path, monkeypatch):
    """Training is cached by its configuration alone; any number of measures afterwards, no training call."""
    torch.set_num_threads(1)
    X, pyx = _rule()
    cfg = _cfg()
    calls = {"n": 0}
    real = ens.train_ensemble

    def counting(*a, **kw):
        calls["n"] += 1
        return real(*a, **kw)
    monkeypatch.setattr(ens, "train_ensemble", counting)
    cache = ResultCache(tmp_path)

    def trained():
        return cache.get_or_compute("ensemble_snapshots", {"ensemble": cfg},
                                    lambda: ens.train_ensemble(cfg, X, pyx, keep_snapshots=True, progress=False))

    first = measure_snapshots(trained()["snapshots"], X, pyx, {"bin30": _bins(30)})
    second = measure_snapshots(trained()["snapshots"], X, pyx, {"bin100": _bins(100), "bin10": _bins(10),
                                                                "mean_sq": _mean_sq, "stats": _stats})
    assert calls["n"] == 1  # the second measure (and the second request) did not train
    # a fresh on-the-fly training with the new measure gives the same numbers as the cached snapshots
    ref = real(cfg, X, pyx, {"bin100": _bins(100)}, progress=False)
    np.testing.assert_array_equal(second["I_X"]["bin100"], ref["I_X"]["bin100"])
    np.testing.assert_array_equal(second["I_Y"]["bin100"], ref["I_Y"]["bin100"])
    S, L, K = len(ref["epochs"]), len(cfg.hidden) + 1, cfg.n_networks
    assert first["I_X"]["bin30"].shape == (S, L, K)
    assert second["values"]["mean_sq"].shape == (S, L, K)
    assert set(second["values"]["stats"]) == {"max", "min"} and second["values"]["stats"]["max"].shape == (S, L, K)
    # fewer bins cannot resolve more states: I_X(10 bins) <= I_X(100 bins) for every layer and snapshot
    assert np.all(second["I_X"]["bin10"] <= second["I_X"]["bin100"] + 1e-9)
    # tanh layers lie in [-1, 1]; the softmax output in [0, 1]
    assert np.all(second["values"]["stats"]["max"][:, :-1] <= 1) and np.all(second["values"]["stats"]["min"][:, -1] >= 0)


def test_measure_some_layers_only():
    X, pyx = _rule()
    res = train_ensemble(_cfg(epochs=2), X, pyx, keep_snapshots=True, progress=False)
    out = measure_snapshots(res["snapshots"], X, pyx, {"bin30": _bins(30)}, layers=[0, -1])
    assert np.isfinite(out["I_X"]["bin30"][:, [0, -1]]).all() and np.isnan(out["I_X"]["bin30"][:, 1:-1]).all()


def test_snapshot_storage_size():
    # the paper's setting: 201 snapshots x 50 networks x 294 parameters (12-10-7-5-4-3-2) x 4 bytes
    paper = EnsembleConfig()
    n_par = 12 * 10 + 10 + 10 * 7 + 7 + 7 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2
    S = len(ens.snapshot_epochs(paper.epochs, paper.n_snapshots))
    assert n_par == 294 and S == 201
    assert snapshot_nbytes(paper) == 4 * S * 50 * n_par == 11_818_800  # 11.8 MB
    # the stored arrays have exactly that size
    X, pyx = _rule()
    cfg = _cfg(epochs=5)
    res = train_ensemble(cfg, X, pyx, keep_snapshots=True, progress=False)
    s = res["snapshots"]
    assert sum(a.nbytes for a in [*s["W"], *s["b"]]) == snapshot_nbytes(cfg)
    assert "snapshots" not in train_ensemble(cfg, X, pyx, progress=False)  # only on request


def test_bit_for_bit_reproducible():
    X, pyx = _rule()
    cfg = _cfg()
    a = train_ensemble(cfg, X, pyx, {"bin30": _bins(30)}, keep_snapshots=True, progress=False)
    b = train_ensemble(cfg, X, pyx, {"bin30": _bins(30)}, keep_snapshots=True, progress=False)
    for key in ("W", "b"):
        for x, y in zip(a["snapshots"][key], b["snapshots"][key]):
            assert np.array_equal(x, y)
    for key in ("grad_mean", "grad_std", "loss", "train_acc", "weight_norm"):
        assert np.array_equal(a[key], b[key], equal_nan=True)
    assert np.array_equal(a["I_X"]["bin30"], b["I_X"]["bin30"])
    c = train_ensemble(_cfg(seed=4), X, pyx, progress=False)  # another seed: other weights
    assert not np.array_equal(a["final"]["W"][0], c["final"]["W"][0])


def test_resume_keeps_the_snapshots(tmp_path):
    X, pyx = _rule()
    cfg = _cfg(epochs=8)
    snaps = [0, 2, 5, 8]
    ref = train_ensemble(cfg, X, pyx, keep_snapshots=True, snapshots=snaps, progress=False)
    ck = ResultCache(tmp_path).checkpoint("t", {"a": 1})
    short = EnsembleConfig(**{**cfg.__dict__, "epochs": 4})
    train_ensemble(short, X, pyx, keep_snapshots=True, snapshots=snaps, progress=False, checkpoint=ck,
                   checkpoint_seconds=-1, _keep_checkpoint=True)
    res = train_ensemble(cfg, X, pyx, keep_snapshots=True, snapshots=snaps, progress=False, checkpoint=ck)
    for x, y in zip(ref["snapshots"]["W"], res["snapshots"]["W"]):
        np.testing.assert_array_equal(x, y)


def _autograd(Ws, bs, x, y, act):
    P = [t.clone().requires_grad_() for t in [*Ws, *bs]]
    L = len(Ws)
    h = x
    for l in range(L):
        z = torch.baddbmm(P[L + l], h, P[l])
        h = (torch.tanh(z) if act == "tanh" else torch.relu(z)) if l < L - 1 else z
    K, B = y.shape
    ref = torch.nn.functional.cross_entropy(h.reshape(K * B, -1), y.reshape(-1), reduction="none").reshape(K, B).mean(1)
    return ref.detach(), torch.autograd.grad(ref.sum(), P)


@pytest.mark.parametrize("n_out", [2, 3])
@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_backward_equals_autograd(n_out, act):
    """The hand-written backward (two-class shortcut and the general softmax) against autograd, float64."""
    g = torch.Generator().manual_seed(1)
    Ws, bs = init_weights((12, 9, 5, 4, n_out), 3, g, dtype=torch.float64)
    bs = [b + 0.1 * torch.randn(b.shape, generator=g, dtype=torch.float64) for b in bs]
    x = torch.randint(0, 2, (3, 37, 12), generator=g).double()
    y = torch.randint(0, n_out, (3, 37), generator=g)
    loss, grads = loss_and_grads(Ws, bs, x, y, act)
    ref_loss, ref = _autograd(Ws, bs, x, y, act)
    torch.testing.assert_close(loss, ref_loss)
    for a, b in zip(grads, ref):
        torch.testing.assert_close(a, b)


def test_backward_workspace_reuse_and_batch_sizes():
    """The trainer's reused buffers (one set per batch size) give the same gradients as fresh ones."""
    g = torch.Generator().manual_seed(2)
    Ws, bs = init_weights((12, 10, 7, 2), 4, g)
    flat = ens.FlatParams(Ws, bs)
    ws = {}
    for B in (16, 5, 16):
        x = torch.randint(0, 2, (4, B, 12), generator=g).float()
        y = torch.randint(0, 2, (4, B), generator=g)
        ens._backprop(flat.Ws, flat.bs, x.transpose(1, 2), ens._targets(y, 2, torch.float32), "tanh",
                      flat.dWs, flat.dbs, ws)
        _, fresh = loss_and_grads(Ws, bs, x, y, "tanh")
        for a, b in zip([*flat.dWs, *flat.dbs], fresh):
            assert torch.equal(a, b)
    assert set(k for k in ws if k != "views") == {16, 5}
