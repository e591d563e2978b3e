"""K small fully connected networks trained at once, with information-plane snapshots on the fly.

Shwartz-Ziv & Tishby (2017), section 3: 50 networks 12-10-7-5-4-3-2 (tanh hidden layers,
a 2-way softmax output, cross-entropy), each with its own initial weights and its own
random training subset of the 4096 patterns, trained for 10^4 epochs; at about 200
log-spaced epochs every layer T of every network is placed in the information plane
(I(X;T), I(T;Y)) and the mini-batch gradients of every layer are summarised.

Design (everything for all K networks in one set of tensors):

* layer l has a weight tensor ``W[l]`` of shape (K, n_in, n_out) and a bias (K, 1, n_out);
  a forward pass is one ``torch.baddbmm`` per layer, h (K, batch, n_in) -> (K, batch, n_out);
* the loss is the sum over networks of each network's mean cross-entropy, so the gradient
  of network k's weights is exactly the gradient it would get if trained alone; Adam and
  SGD act elementwise, hence the ensemble equals K independent trainings (tested);
* each network has its own permutation of its own training subset every epoch (all subsets
  have the same size, so mini-batches line up across networks);
* at a snapshot epoch the activations of all 4096 patterns are computed for every layer
  (K, 4096, n_l) and reduced at once to information values by the ``measures`` callables;
  nothing but those numbers is kept;
* during the epoch before a snapshot the gradients of every mini-batch are accumulated
  (sum and sum of squares), giving per layer and network the Frobenius norms of the mean
  and of the standard deviation over mini-batches, divided by the weight norm (paper Fig. 4);
* a checkpoint (weights, optimiser moments, RNG state, records so far) is written through
  :meth:`deepinfo.cache.ResultCache.checkpoint` every ``checkpoint_seconds``; a restarted
  run continues from it and produces the same result.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import torch

Measure = Callable[[torch.Tensor, np.ndarray], tuple]  # (K, P, N) activations, p(y|x) (P, 2) -> (I_X (K,), I_Y (K,))


@dataclass(frozen=True)
class EnsembleConfig:
    """One ensemble run. Defaults are the paper's setting with the original code's optimiser.

    hidden : widths of the hidden layers (the input has 12 units, the output 2)
    activation : "tanh" (paper) or "relu" (Saxe et al. 2018)
    n_networks : K, networks trained at once, each with its own initialisation and training subset
    train_fraction : share of the 4096 patterns each network trains on (labels sampled from p(y|x))
    epochs, n_snapshots : training length; snapshots at about n_snapshots log-spaced epochs (plus epoch 0)
    optimizer : "adam" (original code, lr 4e-4) or "sgd" (plain mini-batch SGD as in the paper's text)
    lr, batch_size : step size and mini-batch size
    seed : seeds initial weights, training subsets, sampled labels and mini-batch order
    """
    hidden: tuple = (10, 7, 5, 4, 3)
    activation: str = "tanh"
    n_networks: int = 50
    train_fraction: float = 0.85
    epochs: int = 10_000
    n_snapshots: int = 200
    optimizer: str = "adam"
    lr: float = 4e-4
    batch_size: int = 512
    seed: int = 0
    n_inputs: int = 12
    n_outputs: int = 2

    def __post_init__(self):
        if self.activation not in ("tanh", "relu"):
            raise ValueError(f"activation={self.activation!r}: expected 'tanh' or 'relu'")
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer={self.optimizer!r}: expected 'adam' or 'sgd'")
        if not 0 < self.train_fraction <= 1:
            raise ValueError(f"train_fraction={self.train_fraction}: expected a value in (0, 1]")

    @property
    def sizes(self) -> tuple:
        return (self.n_inputs, *self.hidden, self.n_outputs)


def snapshot_epochs(epochs: int, n_snapshots: int) -> np.ndarray:
    """Epoch 0 and ``n_snapshots`` distinct, roughly log-spaced epochs in [1, epochs] (ending at ``epochs``).

    Rounding a geometric grid to integers merges its first points, so the grid is refined until
    it has ``n_snapshots`` distinct epochs (or all of them, when ``epochs <= n_snapshots``).
    """
    n = min(n_snapshots, epochs)
    m = n
    while True:
        e = np.unique(np.round(np.geomspace(1, max(epochs, 1), m)).astype(int))
        if len(e) >= n or m > 100 * n:
            break
        m += max(1, (n - len(e)) // 2)
    if len(e) > n:  # keep the last one, thin the rest evenly
        keep = np.unique(np.round(np.linspace(0, len(e) - 1, n)).astype(int))
        e = e[keep]
    return np.unique(np.concatenate([[0], e, [epochs]])).astype(np.int64)


def init_weights(sizes: Sequence[int], K: int, generator: torch.Generator, dtype=torch.float32):
    """Initial weights: W ~ N(0, 1/n_in) (K, n_in, n_out), biases 0 (K, 1, n_out)."""
    Ws, bs = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        Ws.append(torch.randn(K, n_in, n_out, generator=generator, dtype=dtype) / math.sqrt(n_in))
        bs.append(torch.zeros(K, 1, n_out, dtype=dtype))
    return Ws, bs


def _act(z: torch.Tensor, activation: str) -> torch.Tensor:
    # tanh(z) = 2 sigmoid(2z) - 1: the same function, about twice as fast as torch.tanh on CPU
    return torch.sigmoid(2 * z).mul_(2).sub_(1) if activation == "tanh" else torch.relu(z)


def forward(Ws, bs, x: torch.Tensor, activation: str = "tanh", keep: bool = False):
    """Logits (K, B, 2) of the K networks for inputs x (K, B, n_in) or (B, n_in) shared by all.

    With ``keep`` also the list of layer outputs (K, B, n_l): hidden activations, then the
    softmax output. Internally the batch is the last axis, z^T = W^T h^T + b^T, which makes the
    tiny batched matrix products several times faster on CPU.
    """
    K = Ws[0].shape[0]
    hT = (x.transpose(-1, -2) if x.dim() == 3 else x.T.expand(K, *x.T.shape))
    layers = []
    L = len(Ws)
    for l in range(L):
        z = torch.baddbmm(bs[l].transpose(1, 2), Ws[l].transpose(1, 2), hT)
        if l < L - 1:
            hT = _act(z, activation)
            if keep:
                layers.append(hT.transpose(1, 2))
        else:
            hT = z
    logits = hT.transpose(1, 2)
    if keep:
        layers.append(torch.softmax(logits, dim=-1))
        return logits, layers
    return logits


def loss_and_grads(Ws, bs, x: torch.Tensor, y: torch.Tensor, activation: str = "tanh", *,
                   transposed: bool = False):
    """Mean cross-entropy per network and its gradients by explicit back-propagation (no autograd).

    x (K, B, n_in) (or (K, n_in, B) with ``transposed``), y (K, B) int64. For each network k,
    loss_k = -(1/B) sum_b log softmax(z_L)[y_b]; the gradients of sum_k loss_k w.r.t. W[l]
    (K, n_in, n_out) and b[l] (K, 1, n_out) are those of each network alone.
    Returns (loss (K,), [dW_1..dW_L, db_1..db_L]).
    """
    hT = x if transposed else x.transpose(1, 2)  # (K, n_in, B)
    hs = [hT]
    L = len(Ws)
    for l in range(L):
        if l < L - 1 and activation == "tanh":  # tanh(z) = 2 sigmoid(2z) - 1, 2z from one fused product
            hT = torch.baddbmm(bs[l].transpose(1, 2), Ws[l].transpose(1, 2), hT, beta=2.0, alpha=2.0)
            hT = hT.sigmoid_().mul_(2.0).sub_(1.0)
            hs.append(hT)
            continue
        z = torch.baddbmm(bs[l].transpose(1, 2), Ws[l].transpose(1, 2), hT)  # (K, n_out, B)
        if l < L - 1:
            hT = torch.relu(z)
            hs.append(hT)
        else:
            hT = z
    B = hT.shape[2]
    logp = torch.log_softmax(hT, dim=1)  # (K, 2, B)
    onehot = torch.nn.functional.one_hot(y, hT.shape[1]).transpose(1, 2).to(hT.dtype)
    loss = -(logp * onehot).sum(1).mean(-1)
    dz = (logp.exp() - onehot) / B  # d loss_k / d z_L, (K, n_out, B)
    dWs, dbs = [None] * L, [None] * L
    for l in range(L - 1, -1, -1):
        dWs[l] = torch.bmm(hs[l], dz.transpose(1, 2))  # (K, n_in, n_out)
        dbs[l] = dz.sum(2).unsqueeze(1)
        if l > 0:
            dh = torch.bmm(Ws[l], dz)  # (K, n_in, B)
            if activation == "tanh":
                dz = torch.addcmul(dh, dh * hs[l], hs[l], value=-1.0)  # dh (1 - h^2)
            else:
                dz = dh * (hs[l] > 0)
    return loss, [*dWs, *dbs]


class _Adam:
    """Adam on a list of tensors, the same arithmetic as ``torch.optim.Adam`` (elementwise per network)."""

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.b1, self.b2, self.eps = params, lr, betas[0], betas[1], eps
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]
        self.t = 0

    @torch.no_grad()
    def step(self, grads):
        self.t += 1
        bc1 = 1 - self.b1 ** self.t
        bc2 = 1 - self.b2 ** self.t
        torch._foreach_lerp_(self.m, grads, 1 - self.b1)
        torch._foreach_mul_(self.v, self.b2)
        torch._foreach_addcmul_(self.v, grads, grads, 1 - self.b2)
        denom = torch._foreach_sqrt(self.v)
        torch._foreach_div_(denom, math.sqrt(bc2))
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(self.params, self.m, denom, -self.lr / bc1)

    def state(self):
        return {"m": [t.clone() for t in self.m], "v": [t.clone() for t in self.v], "t": self.t}

    def load(self, s):
        for a, b in zip(self.m, s["m"]):
            a.copy_(b)
        for a, b in zip(self.v, s["v"]):
            a.copy_(b)
        self.t = int(s["t"])


class _SGD:
    def __init__(self, params, lr):
        self.params, self.lr = params, lr

    @torch.no_grad()
    def step(self, grads):
        torch._foreach_add_(self.params, grads, alpha=-self.lr)

    def state(self):
        return {}

    def load(self, s):
        pass


def training_subsets(K: int, n_patterns: int, n_train: int, generator: torch.Generator) -> torch.Tensor:
    """Per network a random subset of ``n_train`` pattern indices, (K, n_train) int64, sorted."""
    order = torch.argsort(torch.rand(K, n_patterns, generator=generator), dim=1)
    return order[:, :n_train].sort(dim=1).values


def epoch_permutations(K: int, n: int, generator: torch.Generator) -> torch.Tensor:
    """An independent random order of the n training positions for each of the K networks, (K, n)."""
    return torch.stack([torch.randperm(n, generator=generator) for _ in range(K)])


def sample_labels(p1: torch.Tensor, idx: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Labels y ~ p(y=1|x) for the patterns ``idx`` (K, n), drawn independently per network."""
    return (torch.rand(idx.shape, generator=generator, dtype=torch.float64) < p1[idx]).long()


def train_ensemble(cfg: EnsembleConfig, X: np.ndarray, p_y_given_x: np.ndarray,
                   measures: Mapping[str, Measure] | None = None, *, device: str | torch.device = "cpu",
                   checkpoint=None, checkpoint_seconds: float = 60.0, progress: bool = True,
                   init: tuple | None = None, data: tuple | None = None, snapshots: Sequence[int] | None = None,
                   desc: str = "ensemble", _keep_checkpoint: bool = False) -> dict:
    """Train ``cfg.n_networks`` networks at once and record their information-plane snapshots.

    Parameters
    ----------
    cfg : EnsembleConfig
    X : (P, 12) all input patterns (P = 4096), p_y_given_x : (P, 2) the rule
    measures : name -> callable(activations (K, P, N_l), p_y_given_x) -> (I_X (K,), I_Y (K,)) in bits;
        each is applied to every layer at every snapshot (e.g. 30-bin, 100-bin, KDE)
    device : where to train; checkpoint : a :class:`deepinfo.cache.CacheEntry` (or None)
    init : optional (Ws, bs) initial weights, data : optional (train_idx (K, n), y_train (K, n)),
        snapshots : optional snapshot epochs (tests use these to compare with single networks)

    Returns a dict of NumPy arrays (S snapshots, L = len(hidden) + 1 layers, K networks):
    ``epochs`` (S,), ``I_X[name]``/``I_Y[name]`` (S, L, K), ``grad_mean``/``grad_std`` (S, L, K)
    (Frobenius norms of the mean and std over the mini-batches of that epoch, divided by
    ||W||_F; NaN at epoch 0), ``weight_norm`` (S, L, K), ``train_acc``/``test_acc``/``rule_acc``
    (S, K) (test: expected accuracy under p(y|x) on the patterns outside the training set; rule:
    the same over all patterns), ``loss`` (S, K), ``train_idx`` (K, n_train), ``final`` weights,
    ``seconds`` (wall time), ``snapshot_seconds`` (the part spent in snapshots, this session).
    """
    dev = torch.device(device)
    measures = dict(measures or {})
    K, sizes = cfg.n_networks, cfg.sizes
    P = len(X)
    n_train = max(1, int(round(cfg.train_fraction * P)))
    gen = torch.Generator().manual_seed(cfg.seed)
    if init is None:
        Ws, bs = init_weights(sizes, K, gen)
    else:
        Ws, bs = [w.clone().float() for w in init[0]], [b.clone().float() for b in init[1]]
    p1 = torch.as_tensor(np.asarray(p_y_given_x)[:, 1], dtype=torch.float64)
    if data is None:
        train_idx = training_subsets(K, P, n_train, gen)
        y_train = sample_labels(p1, train_idx, gen)
    else:
        train_idx, y_train = (torch.as_tensor(d).long() for d in data)
        n_train = train_idx.shape[1]
    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=dev)
    pyx = torch.as_tensor(np.asarray(p_y_given_x), dtype=torch.float32, device=dev)
    in_train = torch.zeros(K, P, dtype=torch.bool)
    in_train.scatter_(1, train_idx, True)
    in_train = in_train.to(dev)
    train_idx_d, y_train_d = train_idx.to(dev), y_train.to(dev)
    Ws = [w.to(dev) for w in Ws]
    bs = [b.to(dev) for b in bs]
    params = [*Ws, *bs]
    opt = _Adam(params, cfg.lr) if cfg.optimizer == "adam" else _SGD(params, cfg.lr)

    snaps = np.asarray(snapshot_epochs(cfg.epochs, cfg.n_snapshots) if snapshots is None else snapshots)
    S, L = len(snaps), len(sizes) - 1
    rec = {"I_X": {m: np.full((S, L, K), np.nan) for m in measures},
           "I_Y": {m: np.full((S, L, K), np.nan) for m in measures},
           "grad_mean": np.full((S, L, K), np.nan), "grad_std": np.full((S, L, K), np.nan),
           "weight_norm": np.full((S, L, K), np.nan), "train_acc": np.full((S, K), np.nan),
           "test_acc": np.full((S, K), np.nan), "rule_acc": np.full((S, K), np.nan),
           "loss": np.full((S, K), np.nan)}
    start_epoch, seconds = 0, 0.0
    if checkpoint is not None:
        state = checkpoint.load()
        if state is not None:
            with torch.no_grad():
                for p, v in zip(params, state["params"]):
                    p.copy_(v)
            opt.load(state["opt"])
            gen.set_state(state["gen"])
            rec, start_epoch, seconds = state["rec"], int(state["epoch"]), float(state["seconds"])

    snap_time = [0.0]

    def snapshot(s: int, grad_sums=None, n_batches: int = 0):
        t_snap = time.perf_counter()
        _snapshot(s, grad_sums, n_batches)
        snap_time[0] += time.perf_counter() - t_snap

    def _snapshot(s: int, grad_sums=None, n_batches: int = 0):
        with torch.no_grad():
            logits, layers = forward(Ws, bs, Xt, cfg.activation, keep=True)
            pred = logits.argmax(-1)  # (K, P)
            acc_x = pyx[:, 1][None, :] * pred + pyx[:, 0][None, :] * (1 - pred)  # p(y = prediction | x)
            ytr_pred = torch.gather(pred, 1, train_idx_d)
            rec["train_acc"][s] = (ytr_pred == y_train_d).float().mean(1).cpu().numpy()
            test = ~in_train
            rec["test_acc"][s] = ((acc_x * test).sum(1) / test.sum(1).clamp(min=1)).cpu().numpy()
            rec["rule_acc"][s] = acc_x.mean(1).cpu().numpy()
            logp = torch.log_softmax(torch.gather(logits, 1, train_idx_d[..., None].expand(-1, -1, 2)), -1)
            rec["loss"][s] = (-torch.gather(logp, 2, y_train_d[..., None]).squeeze(-1).mean(1)).cpu().numpy()
            for l in range(L):
                wn = Ws[l].detach().flatten(1).norm(dim=1)
                rec["weight_norm"][s, l] = wn.cpu().numpy()
                if grad_sums is not None and n_batches > 0:
                    g1, g2 = grad_sums[0][l] / n_batches, grad_sums[1][l] / n_batches
                    var = (g2 - g1 ** 2).clamp(min=0)
                    rec["grad_mean"][s, l] = (g1.flatten(1).norm(dim=1) / wn).cpu().numpy()
                    rec["grad_std"][s, l] = (var.sqrt().flatten(1).norm(dim=1) / wn).cpu().numpy()
            for name, fn in measures.items():
                for l, T in enumerate(layers):
                    I_X, I_Y = fn(T, p_y_given_x)
                    rec["I_X"][name][s, l] = np.asarray(I_X, dtype=float).reshape(K)
                    rec["I_Y"][name][s, l] = np.asarray(I_Y, dtype=float).reshape(K)

    snap_index = {int(e): i for i, e in enumerate(snaps)}
    if start_epoch == 0 and 0 in snap_index:
        snapshot(snap_index[0])
    n_batches = math.ceil(n_train / cfg.batch_size)
    bar = None
    if progress:
        from tqdm import tqdm  # text bars: no ipywidgets needed in kernels
        bar = tqdm(total=cfg.epochs, initial=start_epoch, desc=desc, mininterval=2.0, leave=False)
    t0, last_ckpt = time.perf_counter(), time.perf_counter()
    for epoch in range(start_epoch + 1, cfg.epochs + 1):
        record = epoch in snap_index
        perm = epoch_permutations(K, n_train, gen).to(dev)
        x_epoch = Xt[torch.gather(train_idx_d, 1, perm)]  # (K, n_train, 12), this epoch's order
        y_order = torch.gather(y_train_d, 1, perm)
        if record:
            sums = ([torch.zeros_like(w) for w in Ws], [torch.zeros_like(w) for w in Ws])
        for b in range(n_batches):
            sl = slice(b * cfg.batch_size, (b + 1) * cfg.batch_size)
            xb = x_epoch[:, sl].transpose(1, 2).contiguous()  # (K, 12, B)
            yb = y_order[:, sl]
            _, grads = loss_and_grads(Ws, bs, xb, yb, cfg.activation, transposed=True)
            opt.step(grads)
            if record:
                with torch.no_grad():
                    torch._foreach_add_(sums[0], grads[:L])
                    torch._foreach_addcmul_(sums[1], grads[:L], grads[:L])
        if record:
            snapshot(snap_index[epoch], sums, n_batches)
        if bar is not None:
            bar.update(1)
        if checkpoint is not None and time.perf_counter() - last_ckpt > checkpoint_seconds and (
                epoch < cfg.epochs or _keep_checkpoint):
            checkpoint.save({"params": [p.detach().cpu() for p in params], "opt": opt.state(),
                             "gen": gen.get_state(), "rec": rec, "epoch": epoch,
                             "seconds": seconds + time.perf_counter() - t0})
            last_ckpt = time.perf_counter()
    if bar is not None:
        bar.close()
    seconds += time.perf_counter() - t0
    out = dict(rec)
    out.update(epochs=snaps.astype(np.int64), train_idx=train_idx.numpy(), y_train=y_train.numpy(),
               final={"W": [w.detach().cpu().numpy() for w in Ws], "b": [b.detach().cpu().numpy() for b in bs]},
               seconds=float(seconds), snapshot_seconds=float(snap_time[0]), config=asdict(cfg),
               layer_sizes=list(sizes[1:]))
    if checkpoint is not None and not _keep_checkpoint:
        checkpoint.clear()
    return out
