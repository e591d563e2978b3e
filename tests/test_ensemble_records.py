"""The ensemble's per-snapshot records (accuracies, loss) equal an independent computation from the kept weights.

For each snapshot and network the kept weights are loaded into a plain ``nn.Sequential`` and the
records are recomputed by their definitions: train accuracy = share of the network's training
patterns whose sampled label is the prediction; test accuracy = mean over the patterns outside
its training set of p(y = prediction | x); rule accuracy = the same over all patterns; loss = the
mean cross-entropy on its training set with its sampled labels.
"""
import numpy as np
import pytest
import torch

from deepinfo.estimators import binned_information_plane
from deepinfo.models.ensemble import EnsembleConfig, train_ensemble


def _rule(P=256, n_y=2, seed=0):
    g = np.random.default_rng(seed)
    X = ((np.arange(P)[:, None] >> np.arange(12)[None, :]) & 1).astype(np.float32)
    return X, g.dirichlet(np.ones(n_y), size=P)


def _net(Ws, bs, k, activation):
    act = torch.nn.Tanh if activation == "tanh" else torch.nn.ReLU
    mods = []
    for l, (W, b) in enumerate(zip(Ws, bs)):
        lin = torch.nn.Linear(W.shape[1], W.shape[2])
        with torch.no_grad():
            lin.weight.copy_(torch.as_tensor(W[k]).T)
            lin.bias.copy_(torch.as_tensor(b[k, 0]))
        mods += [lin] + ([act()] if l < len(Ws) - 1 else [])
    return torch.nn.Sequential(*mods)


@pytest.mark.parametrize("n_y,activation", [(2, "tanh"), (2, "relu"), (3, "tanh")])
def test_records_equal_a_plain_module_recomputation(n_y, activation):
    torch.set_num_threads(1)
    X, pyx = _rule(n_y=n_y)
    cfg = EnsembleConfig(hidden=(6, 4), activation=activation, n_networks=3, train_fraction=0.6, epochs=6,
                         n_snapshots=3, lr=2e-2, batch_size=40, seed=4, n_outputs=n_y)
    out = train_ensemble(cfg, X, pyx, None, keep_snapshots=True, progress=False)
    snaps, idx, y = out["snapshots"], out["train_idx"], out["y_train"]
    Xt = torch.as_tensor(X)
    checked = 0
    for s in range(len(snaps["epochs"])):
        for k in range(cfg.n_networks):
            with torch.no_grad():
                z = _net([W[s] for W in snaps["W"]], [b[s] for b in snaps["b"]], k, activation)(Xt)
            z2 = z.double().numpy()
            gap = np.diff(np.sort(z2, 1)[:, -2:], axis=1)[:, 0]
            # no near-tie, so the predictions are unambiguous; exact ties (the all-zero pattern with zero
            # biases at epoch 0) go to the first class in both, as argmax does
            assert np.all((gap == 0) | (gap > 1e-5))
            pred = z2.argmax(1)
            if n_y == 2:
                acc_x = pyx[np.arange(len(X)), pred]  # p(y = prediction | x)
            else:  # the trainer's read-out for more classes: p1 pred + p0 (1 - pred)
                acc_x = pyx[:, 1] * pred + pyx[:, 0] * (1 - pred)
            test = np.ones(len(X), bool)
            test[idx[k]] = False
            np.testing.assert_allclose(out["train_acc"][s, k], np.mean(pred[idx[k]] == y[k]), atol=1e-12)
            np.testing.assert_allclose(out["test_acc"][s, k], acc_x[test].mean(), rtol=1e-5)
            np.testing.assert_allclose(out["rule_acc"][s, k], acc_x.mean(), rtol=1e-5)
            ce = torch.nn.functional.cross_entropy(torch.as_tensor(z2[idx[k]]), torch.as_tensor(y[k]))
            np.testing.assert_allclose(out["loss"][s, k], float(ce), rtol=1e-5)
            checked += 1
    assert checked == len(snaps["epochs"]) * cfg.n_networks
    # the weights moved and the records changed: the comparison is not of a constant
    assert not np.allclose(snaps["W"][0][0], snaps["W"][0][-1])
    assert not np.allclose(out["loss"][0], out["loss"][-1])


def test_records_do_not_depend_on_whether_layers_are_measured():
    """Without measures the snapshot skips the output softmax; every record is still the same number."""
    torch.set_num_threads(1)
    X, pyx = _rule()
    cfg = EnsembleConfig(hidden=(6, 4), n_networks=3, train_fraction=0.6, epochs=5, n_snapshots=3, lr=2e-2,
                         batch_size=40, seed=1)
    bare = train_ensemble(cfg, X, pyx, None, keep_snapshots=True, progress=False)
    measured = train_ensemble(cfg, X, pyx, {"bin30": lambda T, p: binned_information_plane(T, p, n_bins=30)},
                              keep_snapshots=True, progress=False)
    for key in ("train_acc", "test_acc", "rule_acc", "loss", "grad_mean", "grad_std", "weight_norm"):
        assert np.array_equal(bare[key], measured[key], equal_nan=True), key
    for a, b in zip(bare["snapshots"]["W"], measured["snapshots"]["W"]):
        assert np.array_equal(a, b)
    assert np.isfinite(measured["I_X"]["bin30"]).all() and not bare["I_X"]
