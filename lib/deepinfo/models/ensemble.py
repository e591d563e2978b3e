"""K small fully connected networks trained at once; information-plane snapshots on the fly or afterwards.

Shwartz-Ziv & Tishby (2017), section 3: 50 networks 12-10-7-5-4-3-2 (tanh hidden layers,
a 2-way softmax output, cross-entropy), each with its own initial weights and its own
random training subset of the 4096 patterns, trained for 10^4 epochs; at about 200
log-spaced epochs every layer T of every network is placed in the information plane
(I(X;T), I(T;Y)) and the mini-batch gradients of every layer are summarised.

Design (everything for all K networks in one set of tensors):

* layer l has a weight tensor ``W[l]`` of shape (K, n_in, n_out) and a bias (K, 1, n_out);
  all of them are views of ONE flat float32 buffer (and the gradients of one flat gradient
  buffer), so an optimiser step is a handful of elementwise operations on ~K x 300 numbers;
* a forward pass is one ``torch.baddbmm`` per layer in the transposed layout (batch last),
  z^T (K, n_out, B) = W^T h^T + b^T, followed by an in-place tanh (or ReLU);
* the loss is the sum over networks of each network's mean cross-entropy, so the gradient
  of network k's weights is exactly the gradient it would get if trained alone; Adam and
  SGD act elementwise, hence the ensemble equals K independent trainings (tested against
  ``nn.Module`` + ``torch.optim`` networks). The backward pass is written by hand (tested
  against autograd): with two classes, softmax(z)_1 = sigmoid(z_1 - z_0), so
  dloss/dz_L = (+-1) (sigmoid(z_1 - z_0) - y) / B, and dz_l = dh_l (1 - h_l^2) for tanh;
* each network has its own permutation of its own training subset every epoch (all subsets
  have the same size, so mini-batches line up across networks); every buffer of the loop
  (the mini-batch inputs, the activations and their gradients, the epoch's order) is
  allocated once and reused, so a step allocates nothing and syncs nothing (no ``.item()``);
* at a snapshot epoch the activations of all 4096 patterns are computed for every layer
  (K, 4096, n_l) and, when ``measures`` are given, reduced at once to information values;
* **train once, measure many**: with ``keep_snapshots=True`` the weights and biases of all K
  networks at every snapshot epoch are returned (float32; the paper's 201 snapshots x 50
  networks x 294 parameters are 11.8 MB, where the activations would be 201 x 50 x 4096 x 31
  floats = 5.1 GB), and :func:`measure_snapshots` recomputes the activations from them and
  applies any measure afterwards (other bin counts, KDE, H[s]/H[k] statistics...), exactly
  as the same measure applied during training; a cache of the training can then be keyed by
  the training configuration alone;
* during the epoch before a snapshot the gradients of every mini-batch are accumulated
  (sum and sum of squares), giving per layer and network the Frobenius norms of the mean
  and of the standard deviation over mini-batches, divided by the weight norm (paper Fig. 4);
* a checkpoint (weights, optimiser moments, RNG state, records so far) is written through
  :meth:`deepinfo.cache.ResultCache.checkpoint` every ``checkpoint_seconds``; a restarted
  run continues from it and produces the same result.

Everything is float32 and deterministic: a fixed seed and schedule give bit-identical results.

Where the time goes (one thread, 50 networks, batches of 512): a step is ~50 torch kernels on
(50, n_l, 512) arrays, the batched products, tanh and its derivative taking most of it, the
Python around them ~5%; per epoch the 50 ``randperm`` draws take ~6%. A snapshot without
measures computes the logits of all patterns but not the softmax output layer (only measures
read it). Results committed at paper scale fix the bits, so layouts and kernels stay as they
are. Checked against the previous trainer on every chapter configuration, some changes do not
move a bit and others do: splitting a step into groups of networks keeps every bit when a group
holds a multiple of 32 / gcd(B, 32) networks (the output sigmoid rounds its last n mod 32
elements on a scalar path), but it was slower here (Python per group outweighs the cache gained);
gathering a mini-batch batch-first (rows of X) and computing the loss's log-softmax on the
training patterns only change the last bits.
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


def _act_(z: torch.Tensor, activation: str) -> torch.Tensor:
    """The hidden activation applied in place: tanh (paper) or ReLU (Saxe et al. 2018)."""
    return z.tanh_() if activation == "tanh" else z.relu_()


def forward(Ws, bs, x: torch.Tensor, activation: str = "tanh", keep: bool = False, ws: dict | None = None):
    """Logits (K, B, n_out) of the K networks for inputs x (K, B, n_in) or (B, n_in) shared by all.

    With ``keep`` also the list of layer outputs (K, B, n_l): hidden activations, then the
    softmax output. Internally the batch is the last axis, z^T = W^T h^T + b^T, which makes the
    tiny batched matrix products several times faster on CPU (the returned arrays are
    transposed views of that layout). This is the one function that computes the snapshot
    activations, during training and in :func:`measure_snapshots`. ``ws``: an optional dict of
    reused output buffers (the results are then views of them, valid until the next call with
    the same ``ws``): a snapshot of 50 networks x 4096 patterns then allocates nothing.
    """
    K = Ws[0].shape[0]
    hT = (x.transpose(-1, -2) if x.dim() == 3 else x.T.expand(K, *x.T.shape))
    B = hT.shape[2]
    layers = []
    L = len(Ws)
    buf = None
    if ws is not None:
        key = ("forward", K, B, tuple(w.shape[2] for w in Ws), Ws[0].dtype)
        buf = ws.get(key)
        if buf is None:
            buf = ws[key] = [torch.empty(K, w.shape[2], B, dtype=w.dtype, device=w.device) for w in Ws] + [
                torch.empty(K, Ws[-1].shape[2], B, dtype=Ws[-1].dtype, device=Ws[-1].device)]
    for l in range(L):
        z = torch.baddbmm(bs[l].transpose(1, 2), Ws[l].transpose(1, 2), hT,
                          **({} if buf is None else {"out": buf[l]}))
        if l < L - 1:
            hT = _act_(z, activation)
            if keep:
                layers.append(hT.transpose(1, 2))
        else:
            hT = z
    logits = hT.transpose(1, 2)
    if keep:
        layers.append(torch.softmax(hT, dim=1, **({} if buf is None else {"out": buf[L]})).transpose(1, 2))
        return logits, layers
    return logits


def _backprop(Ws, bs, hT: torch.Tensor, target: torch.Tensor, activation: str, dWs, dbs,
              ws: dict | None = None) -> torch.Tensor:
    """One forward and backward pass of the K networks; the gradients are written into dWs/dbs.

    hT (K, n_in, B): the inputs, batch last (any strides with a unit stride in one matrix axis).
    target: with two outputs the labels as floats (K, 1, B) (1.0 for class 1), otherwise the
    one-hot labels (K, n_out, B). dWs[l] (K, n_in, n_out), dbs[l] (K, 1, n_out): contiguous
    output buffers (views of the flat gradient buffer during training). ``ws``: an optional
    dict that keeps the intermediate buffers between calls (the trainer's workspace, one set per
    batch size), so a step allocates nothing.

    Gradient of sum_k loss_k, loss_k = -(1/B) sum_b log softmax(z_L)[y_b] (cross-entropy):

      two classes: d = z_1 - z_0, p_1 = sigmoid(d), e = (p_1 - y) / B, dz_L = (-e, +e);
      otherwise:   dz_L = (softmax(z_L) - onehot(y)) / B;
      dW_l = h_{l-1} dz_l^T, db_l = sum_b dz_l, dh_{l-1} = W_l dz_l,
      dz_{l-1} = dh_{l-1} (1 - h_{l-1}^2) (tanh) or dh_{l-1} [h_{l-1} > 0] (ReLU).

    Returns the output pre-activation: d (K, 1, B) with two classes, z_L (K, n_out, B) otherwise.
    """
    K, _, B = hT.shape
    L = len(Ws)
    if ws is None:
        ws = {}
    v = ws.get("views")
    if v is None:  # views of the parameters and gradients (valid as long as Ws, bs, dWs, dbs are these tensors)
        WL, bL, dWL, dbL = Ws[-1], bs[-1], dWs[-1], dbs[-1]
        v = ws["views"] = {
            "two": WL.shape[2] == 2, "WT": [w.transpose(1, 2) for w in Ws], "bT": [b.transpose(1, 2) for b in bs],
            "db": [d.view(K, -1) for d in dbs], "W1": WL[:, :, 1:2], "W0": WL[:, :, 0:1],
            "b1": bL[:, :, 1:2], "b0": bL[:, :, 0:1], "dW1": dWL[:, :, 1:2], "dW0": dWL[:, :, 0:1],
            "db1": dbL[:, :, 1:2], "db0": dbL[:, :, 0:1], "wd": torch.empty_like(WL[:, :, :1]),
            "bd": torch.empty_like(bL[:, :, :1]), "g": torch.empty_like(WL[:, :, :1]),
            "se": torch.empty_like(bL[:, :, :1])}
    two = v["two"]
    buf = ws.get(B)
    if buf is None:  # h_l, dh_l = dz_l buffers per hidden layer, the output's and the last layer's temporaries
        mk = lambda *s: torch.empty(*s, dtype=Ws[0].dtype, device=Ws[0].device)
        n = [w.shape[2] for w in Ws]
        buf = ws[B] = {"h": [mk(K, n[l], B) for l in range(L - 1)], "dh": [mk(K, n[l], B) for l in range(L - 1)],
                       "out": mk(K, 1 if two else n[-1], B), "e": mk(K, 1 if two else n[-1], B)}
    hs = [hT]
    WT, bT = v["WT"], v["bT"]
    hbuf, dhbuf = buf["h"], buf["dh"]
    for l in range(L - 1):
        hT = _act_(torch.baddbmm(bT[l], WT[l], hT, out=hbuf[l]), activation)
        hs.append(hT)
    dh = dhbuf[L - 2] if L > 1 else None
    if two:
        wd = torch.sub(v["W1"], v["W0"], out=v["wd"])  # (K, n_in, 1)
        bd = torch.sub(v["b1"], v["b0"], out=v["bd"])  # (K, 1, 1)
        out = torch.baddbmm(bd, wd.transpose(1, 2), hT, out=buf["out"])  # d = z_1 - z_0, (K, 1, B)
        e = torch.sigmoid(out, out=buf["e"]).sub_(target).div_(B)
        g = torch.bmm(hT, e.transpose(1, 2), out=v["g"])  # (K, n_in, 1)
        v["dW1"].copy_(g)
        torch.neg(g, out=v["dW0"])
        se = torch.sum(e, 2, keepdim=True, out=v["se"])  # (K, 1, 1)
        v["db1"].copy_(se)
        torch.neg(se, out=v["db0"])
        if dh is not None:
            torch.mul(wd, e, out=dh)  # W_L dz_L = (w_1 - w_0) e, (K, n_in, B)
    else:
        out = torch.baddbmm(bT[-1], WT[-1], hT, out=buf["out"])  # (K, n_out, B)
        dz = torch.softmax(out, dim=1).sub_(target).div_(B)
        torch.bmm(hT, dz.transpose(1, 2), out=dWs[-1])
        torch.sum(dz, 2, out=v["db"][-1])
        if dh is not None:
            torch.bmm(Ws[-1], dz, out=dh)
    tanh = activation == "tanh"
    for l in range(L - 2, -1, -1):  # hidden layer l: input hs[l], output hs[l + 1]; dz_l overwrites dh_l
        dz = dhbuf[l]
        if tanh:  # dh (1 - h^2), one fused pass
            torch.ops.aten.tanh_backward.grad_input(dz, hs[l + 1], grad_input=dz)
        else:  # dh [h > 0]
            torch.ops.aten.threshold_backward.grad_input(dz, hs[l + 1], 0, grad_input=dz)
        torch.bmm(hs[l], dz.transpose(1, 2), out=dWs[l])
        torch.sum(dz, 2, out=v["db"][l])
        if l > 0:
            torch.bmm(Ws[l], dz, out=dhbuf[l - 1])
    return out


def _targets(y: torch.Tensor, n_out: int, dtype) -> torch.Tensor:
    """Labels y (K, B) int64 in the layout :func:`_backprop` expects."""
    if n_out == 2:
        return y.to(dtype).unsqueeze(1)
    return torch.nn.functional.one_hot(y, n_out).transpose(1, 2).to(dtype)


def loss_and_grads(Ws, bs, x: torch.Tensor, y: torch.Tensor, activation: str = "tanh", *,
                   transposed: bool = False):
    """Mean cross-entropy per network and its gradients by explicit back-propagation (no autograd).

    x (K, B, n_in) (or (K, n_in, B) with ``transposed``), y (K, B) int64. For each network k,
    loss_k = -(1/B) sum_b log softmax(z_L)[y_b]; the gradients of sum_k loss_k w.r.t. W[l]
    (K, n_in, n_out) and b[l] (K, 1, n_out) are those of each network alone (the same
    :func:`_backprop` the trainer runs, into freshly allocated buffers).
    Returns (loss (K,), [dW_1..dW_L, db_1..db_L]).
    """
    hT = x if transposed else x.transpose(1, 2)  # (K, n_in, B)
    n_out = Ws[-1].shape[2]
    target = _targets(y, n_out, Ws[0].dtype)
    dWs = [torch.empty_like(w, memory_format=torch.contiguous_format) for w in Ws]
    dbs = [torch.empty_like(b, memory_format=torch.contiguous_format) for b in bs]
    with torch.no_grad():
        out = _backprop(Ws, bs, hT, target, activation, dWs, dbs)
        if n_out == 2:  # -log sigmoid(+-d) = softplus(d) - y d
            loss = (torch.nn.functional.softplus(out) - target * out).mean((1, 2))
        else:
            loss = -(torch.log_softmax(out, dim=1) * target).sum(1).mean(-1)
    return loss, [*dWs, *dbs]


class FlatParams:
    """The weights W[l] (K, n_in, n_out) and biases b[l] (K, 1, n_out) of K networks as views of
    one flat buffer, in the order [W_1..W_L, b_1..b_L]; the gradients likewise (``grad``)."""

    def __init__(self, Ws, bs, device=None):
        shapes = [tuple(t.shape) for t in (*Ws, *bs)]
        sizes = [math.prod(s) for s in shapes]
        dev = Ws[0].device if device is None else device
        self.data = torch.empty(sum(sizes), dtype=torch.float32, device=dev)
        self.grad = torch.zeros_like(self.data)
        self.params = self._views(self.data, shapes, sizes)
        self.grads = self._views(self.grad, shapes, sizes)
        self.shapes, self.sizes = shapes, sizes
        L = len(Ws)
        with torch.no_grad():
            for p, v in zip(self.params, (*Ws, *bs)):
                p.copy_(v)
        self.Ws, self.bs = self.params[:L], self.params[L:]
        self.dWs, self.dbs = self.grads[:L], self.grads[L:]

    @staticmethod
    def _views(buf, shapes, sizes):
        out, o = [], 0
        for s, n in zip(shapes, sizes):
            out.append(buf[o:o + n].view(s))
            o += n
        return out

    def views_of(self, buf: torch.Tensor):
        """Per-parameter views of another buffer with this layout (e.g. gradient sums)."""
        return self._views(buf, self.shapes, self.sizes)


def _flat_state(x) -> torch.Tensor:
    """An optimiser moment from a checkpoint: a flat tensor, or (older checkpoints) a list per parameter."""
    return torch.cat([t.reshape(-1) for t in x]) if isinstance(x, (list, tuple)) else x


class _Adam:
    """Adam on a flat buffer, the same arithmetic as ``torch.optim.Adam`` (elementwise per network):

    m <- m + (1 - b1)(g - m), v <- b2 v + (1 - b2) g^2,
    p <- p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps).
    """

    def __init__(self, flat: FlatParams, lr, betas=(0.9, 0.999), eps=1e-8):
        self.p, self.g = flat.data, flat.grad
        self.lr, self.b1, self.b2, self.eps = lr, betas[0], betas[1], eps
        self.m = torch.zeros_like(self.p)
        self.v = torch.zeros_like(self.p)
        self.denom = torch.empty_like(self.p)
        self.t = 0

    @torch.no_grad()
    def step(self):
        self.t += 1
        bc1 = 1 - self.b1 ** self.t
        bc2 = 1 - self.b2 ** self.t
        self.m.lerp_(self.g, 1 - self.b1)
        self.v.mul_(self.b2).addcmul_(self.g, self.g, value=1 - self.b2)
        torch.sqrt(self.v, out=self.denom).div_(math.sqrt(bc2)).add_(self.eps)
        self.p.addcdiv_(self.m, self.denom, value=-self.lr / bc1)

    def state(self):
        return {"m": self.m.clone(), "v": self.v.clone(), "t": self.t}

    def load(self, s):
        self.m.copy_(_flat_state(s["m"]))
        self.v.copy_(_flat_state(s["v"]))
        self.t = int(s["t"])


class _SGD:
    """Plain SGD on a flat buffer: p <- p - lr g (``torch.optim.SGD`` without momentum)."""

    def __init__(self, flat: FlatParams, lr):
        self.p, self.g, self.lr = flat.data, flat.grad, lr

    @torch.no_grad()
    def step(self):
        self.p.add_(self.g, alpha=-self.lr)

    def state(self):
        return {}

    def load(self, s):
        pass


def training_subsets(K: int, n_patterns: int, n_train: int, generator: torch.Generator) -> torch.Tensor:
    """Per network a random subset of ``n_train`` pattern indices, (K, n_train) int64, sorted."""
    order = torch.argsort(torch.rand(K, n_patterns, generator=generator), dim=1)
    return order[:, :n_train].sort(dim=1).values


def epoch_permutations(K: int, n: int, generator: torch.Generator, out: torch.Tensor | None = None) -> torch.Tensor:
    """An independent random order of the n training positions for each of the K networks, (K, n).

    ``out``: an optional (K, n) int64 buffer to fill (the same numbers as without it)."""
    if out is None:
        return torch.stack([torch.randperm(n, generator=generator) for _ in range(K)])
    for k in range(K):
        torch.randperm(n, generator=generator, out=out[k])
    return out


def sample_labels(p1: torch.Tensor, idx: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Labels y ~ p(y=1|x) for the patterns ``idx`` (K, n), drawn independently per network."""
    return (torch.rand(idx.shape, generator=generator, dtype=torch.float64) < p1[idx]).long()


def _as_params(Ws, bs, device) -> tuple:
    """Fresh float32 copies (contiguous, allocated by torch) of weights given as arrays or tensors.

    The on-the-fly snapshots and :func:`measure_snapshots` both compute activations from such
    copies, so the two see the same numbers in the same memory layout (same float ops).
    """
    dev = torch.device(device)
    cp = lambda a: torch.as_tensor(a).to(device=dev, dtype=torch.float32).clone(memory_format=torch.contiguous_format)
    return [cp(w) for w in Ws], [cp(b) for b in bs]


def snapshot_nbytes(cfg: EnsembleConfig, n_snapshots: int | None = None) -> int:
    """Bytes of the weights kept by ``keep_snapshots=True``: S x K x (number of parameters) x 4 (float32).

    S = len(snapshot_epochs(cfg.epochs, cfg.n_snapshots)) unless ``n_snapshots`` is given; the
    paper's setting (201 snapshots, 50 networks 12-10-7-5-4-3-2, 294 parameters each) is 11.8 MB.
    """
    S = len(snapshot_epochs(cfg.epochs, cfg.n_snapshots)) if n_snapshots is None else int(n_snapshots)
    n_par = sum(a * b + b for a, b in zip(cfg.sizes[:-1], cfg.sizes[1:]))
    return 4 * S * cfg.n_networks * n_par


def train_ensemble(cfg: EnsembleConfig, X: np.ndarray, p_y_given_x: np.ndarray,
                   measures: Mapping[str, Measure] | None = None, *, device: str | torch.device = "cpu",
                   checkpoint=None, checkpoint_seconds: float = 60.0, progress: bool = True,
                   init: tuple | None = None, data: tuple | None = None, snapshots: Sequence[int] | None = None,
                   keep_snapshots: bool = False, desc: str = "ensemble", _keep_checkpoint: bool = False) -> dict:
    """Train ``cfg.n_networks`` networks at once and record their information-plane snapshots.

    Parameters
    ----------
    cfg : EnsembleConfig
    X : (P, 12) all input patterns (P = 4096), p_y_given_x : (P, 2) the rule
    measures : name -> callable(activations (K, P, N_l), p_y_given_x) -> (I_X (K,), I_Y (K,)) in bits;
        each is applied to every layer at every snapshot (e.g. 30-bin, 100-bin, KDE). May be
        empty: with ``keep_snapshots`` the measures are better applied afterwards by
        :func:`measure_snapshots`, so that the training is cached by its configuration alone.
    device : where to train; checkpoint : a :class:`deepinfo.cache.CacheEntry` (or None)
    init : optional (Ws, bs) initial weights, data : optional (train_idx (K, n), y_train (K, n)),
        snapshots : optional snapshot epochs (tests use these to compare with single networks)
    keep_snapshots : also return ``snapshots`` = {"epochs" (S,), "W": [(S, K, n_in, n_out) per layer],
        "b": [(S, K, 1, n_out) per layer], "activation"}, float32, the weights at every snapshot
        epoch (``snapshot_nbytes(cfg)`` bytes: 11.8 MB at the paper's setting), the input of
        :func:`measure_snapshots`.

    Returns a dict of NumPy arrays (S snapshots, L = len(hidden) + 1 layers, K networks):
    ``epochs`` (S,), ``I_X[name]``/``I_Y[name]`` (S, L, K), ``grad_mean``/``grad_std`` (S, L, K)
    (Frobenius norms of the mean and std over the mini-batches of that epoch, divided by
    ||W||_F; NaN at epoch 0), ``weight_norm`` (S, L, K), ``train_acc``/``test_acc``/``rule_acc``
    (S, K) (test: expected accuracy under p(y|x) on the patterns outside the training set; rule:
    the same over all patterns), ``loss`` (S, K), ``train_idx`` (K, n_train), ``final`` weights,
    ``seconds`` (wall time), ``snapshot_seconds`` (the part spent in snapshots, this session),
    and with ``keep_snapshots`` the ``snapshots`` above.
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
    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=dev).clone()
    n_in, n_out = Xt.shape[1], sizes[-1]
    pyx = torch.as_tensor(np.asarray(p_y_given_x), dtype=torch.float32, device=dev)
    in_train = torch.zeros(K, P, dtype=torch.bool)
    in_train.scatter_(1, train_idx, True)
    in_train = in_train.to(dev)
    train_idx_d, y_train_d = train_idx.to(dev), y_train.to(dev)
    flat = FlatParams([w.to(dev) for w in Ws], [b.to(dev) for b in bs], device=dev)
    Ws, bs, params = flat.Ws, flat.bs, flat.params
    opt = _Adam(flat, cfg.lr) if cfg.optimizer == "adam" else _SGD(flat, cfg.lr)

    snaps = np.asarray(snapshot_epochs(cfg.epochs, cfg.n_snapshots) if snapshots is None else snapshots)
    S, L = len(snaps), len(sizes) - 1
    rec = {"I_X": {m: np.full((S, L, K), np.nan) for m in measures},
           "I_Y": {m: np.full((S, L, K), np.nan) for m in measures},
           "grad_mean": np.full((S, L, K), np.nan), "grad_std": np.full((S, L, K), np.nan),
           "weight_norm": np.full((S, L, K), np.nan), "train_acc": np.full((S, K), np.nan),
           "test_acc": np.full((S, K), np.nan), "rule_acc": np.full((S, K), np.nan),
           "loss": np.full((S, K), np.nan)}
    if keep_snapshots:
        rec["snapshots"] = {"epochs": snaps.astype(np.int64), "activation": cfg.activation,
                            "W": [np.full((S, *w.shape), np.nan, dtype=np.float32) for w in Ws],
                            "b": [np.full((S, *b.shape), np.nan, dtype=np.float32) for b in bs]}
    start_epoch, seconds = 0, 0.0
    if checkpoint is not None:
        state = checkpoint.load()
        if state is not None and (not keep_snapshots or "snapshots" in state["rec"]):
            with torch.no_grad():
                for p, v in zip(params, state["params"]):
                    p.copy_(v)
            opt.load(state["opt"])
            gen.set_state(state["gen"])
            rec, start_epoch, seconds = state["rec"], int(state["epoch"]), float(state["seconds"])
            if not keep_snapshots:
                rec.pop("snapshots", None)

    snap_time = [0.0]
    pyx1, pyx0 = pyx[:, 1][None, :], pyx[:, 0][None, :]  # (1, P)
    test_mask = (~in_train).float()  # (K, P): 1.0 on the patterns outside network k's training set
    n_test = (~in_train).sum(1).clamp(min=1)  # (K,)
    W_sums, snap_ws = None, {}

    def snapshot(s: int, grad_sums=None, n_batches: int = 0):
        t_snap = time.perf_counter()
        _snapshot(s, grad_sums, n_batches)
        snap_time[0] += time.perf_counter() - t_snap

    def _snapshot(s: int, grad_sums=None, n_batches: int = 0):
        with torch.no_grad():
            if keep_snapshots:
                for l in range(L):
                    rec["snapshots"]["W"][l][s] = Ws[l].cpu().numpy()
                    rec["snapshots"]["b"][l][s] = bs[l].cpu().numpy()
            # the activations from fresh copies of the weights, as measure_snapshots computes them
            # (the softmax output layer only when a measure reads the layers)
            fwd = forward(*_as_params(Ws, bs, dev), Xt, cfg.activation, keep=bool(measures), ws=snap_ws)
            logits, layers = fwd if measures else (fwd, [])
            zT = logits.transpose(1, 2)  # (K, n_out, P), the contiguous layout
            if n_out == 2:  # argmax of two logits (ties to class 0, as argmax)
                pred = zT[:, 1] > zT[:, 0]
                # p(y = prediction | x); the same numbers as p1 pred + p0 (1 - pred) (exact: a product by 0 or 1)
                acc_x = torch.where(pred, pyx1, pyx0)
            else:
                pred = zT.argmax(1)  # (K, P)
                acc_x = pyx1 * pred + pyx0 * (1 - pred)
            ytr_pred = torch.gather(pred, 1, train_idx_d)
            rec["train_acc"][s] = (ytr_pred == y_train_d).float().mean(1).cpu().numpy()
            rec["test_acc"][s] = ((acc_x * test_mask).sum(1) / n_test).cpu().numpy()
            rec["rule_acc"][s] = acc_x.mean(1).cpu().numpy()
            logp = torch.gather(torch.log_softmax(zT, 1), 2, train_idx_d[:, None, :].expand(-1, n_out, -1))
            rec["loss"][s] = (-torch.gather(logp, 1, y_train_d[:, None, :]).squeeze(1).mean(1)).cpu().numpy()
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
    bounds = [(b * cfg.batch_size, min((b + 1) * cfg.batch_size, n_train)) for b in range(n_batches)]
    bar = None
    if progress:
        from tqdm import tqdm  # text bars: no ipywidgets needed in kernels
        bar = tqdm(total=cfg.epochs, initial=start_epoch, desc=desc, mininterval=2.0, leave=False)
    # every buffer of the loop is allocated once: the step, its inputs, this epoch's order and labels
    sums, workspace = None, {}
    XT = Xt.T.contiguous()  # (n_in, P): a mini-batch is gathered straight into the batch-last layout
    x_bufs = {hi - lo: torch.empty(n_in, K * (hi - lo), dtype=torch.float32, device=dev) for lo, hi in bounds}
    i_bufs = {hi - lo: torch.empty(K, hi - lo, dtype=torch.long, device=dev) for lo, hi in bounds}
    perm_cpu = torch.empty(K, n_train, dtype=torch.long)
    perm = perm_cpu if dev.type == "cpu" else torch.empty(K, n_train, dtype=torch.long, device=dev)
    t_all = _targets(y_train_d, n_out, torch.float32)  # (K, 1 or n_out, n_train), training-set order
    t_epoch = torch.empty_like(t_all)
    t0, last_ckpt = time.perf_counter(), time.perf_counter()
    with torch.no_grad():
        for epoch in range(start_epoch + 1, cfg.epochs + 1):
            record = epoch in snap_index
            epoch_permutations(K, n_train, gen, out=perm_cpu)
            if perm is not perm_cpu:
                perm.copy_(perm_cpu)
            torch.gather(t_all, 2, perm[:, None, :].expand_as(t_all), out=t_epoch)  # labels in this epoch's order
            if record:
                if sums is None:
                    sums = (torch.zeros_like(flat.grad), torch.zeros_like(flat.grad))
                    W_sums = (flat.views_of(sums[0])[:L], flat.views_of(sums[1])[:L])
                else:
                    sums[0].zero_()
                    sums[1].zero_()
            for lo, hi in bounds:
                xb, ib = x_bufs[hi - lo], i_bufs[hi - lo]  # the mini-batch's pattern indices (K, B) and inputs
                torch.gather(train_idx_d, 1, perm[:, lo:hi], out=ib)
                torch.index_select(XT, 1, ib.view(-1), out=xb)  # (n_in, K B), viewed as (K, n_in, B) below
                _backprop(Ws, bs, xb.view(n_in, K, hi - lo).permute(1, 0, 2), t_epoch[:, :, lo:hi], cfg.activation,
                          flat.dWs, flat.dbs, workspace)
                if record:
                    sums[0].add_(flat.grad)
                    sums[1].addcmul_(flat.grad, flat.grad)
                opt.step()
            if record:
                snapshot(snap_index[epoch], W_sums, n_batches)
            if bar is not None:
                bar.update(1)
            if checkpoint is not None and time.perf_counter() - last_ckpt > checkpoint_seconds and (
                    epoch < cfg.epochs or _keep_checkpoint):
                checkpoint.save({"params": [p.detach().cpu().clone() for p in params], "opt": opt.state(),
                                 "gen": gen.get_state(), "rec": rec, "epoch": epoch,
                                 "seconds": seconds + time.perf_counter() - t0})
                last_ckpt = time.perf_counter()
    if bar is not None:
        bar.close()
    seconds += time.perf_counter() - t0
    out = dict(rec)
    out.update(epochs=snaps.astype(np.int64), train_idx=train_idx.numpy(), y_train=y_train.numpy(),
               final={"W": [w.detach().cpu().numpy().copy() for w in Ws],
                      "b": [b.detach().cpu().numpy().copy() for b in bs]},
               seconds=float(seconds), snapshot_seconds=float(snap_time[0]), config=asdict(cfg),
               layer_sizes=list(sizes[1:]))
    if checkpoint is not None and not _keep_checkpoint:
        checkpoint.clear()
    return out


def measure_snapshots(snapshots: Mapping, X: np.ndarray, p_y_given_x: np.ndarray, measures: Mapping[str, Callable],
                      activation: str | None = None, *, layers: Sequence[int] | None = None,
                      device: str | torch.device = "cpu", progress: bool = False, desc: str = "measures") -> dict:
    """Apply information measures afterwards to the weights kept by ``train_ensemble(..., keep_snapshots=True)``.

    For every snapshot s the activations of all P patterns are recomputed from the stored
    weights, T_l = tanh(W_l^T T_{l-1} + b_l) (or ReLU; T_0 = X; the output layer is the softmax),
    by the same :func:`forward` the trainer uses, and every measure is applied to every layer:
    ``fn(T (K, P, N_l), p_y_given_x)``. One snapshot is in memory at a time (K x P x sum_l N_l
    floats: 25 MB for 50 networks, 4096 patterns, 31 units, in reused buffers: a measure must
    return numbers, not keep T), so memory does not grow with S. Cost: one forward pass (a few
    ms) per snapshot plus the measures' own time.
    Applied to the same snapshots, a measure gives exactly (bit for bit) what it gives when
    passed to :func:`train_ensemble` as an on-the-fly measure.

    Parameters
    ----------
    snapshots : the ``snapshots`` entry of a :func:`train_ensemble` result: "epochs" (S,),
        "W" [(S, K, n_in, n_out)], "b" [(S, K, 1, n_out)], optionally "activation"
    X : (P, n_in) the input patterns, p_y_given_x : (P, n_y) the rule, as given to the training
    measures : name -> fn(T, p_y_given_x) returning (I_X (K,), I_Y (K,)) in bits (information
        plane), or a dict of per-network arrays (e.g. {"H_s": (K,), "H_k": (K,)}), or one array
        (K, ...) per call
    activation : "tanh" or "relu"; default: the snapshots' own, else "tanh"
    layers : indices of the layers to measure (default all L); the others stay NaN

    Returns {"epochs" (S,), "I_X": {name: (S, L, K)}, "I_Y": {name: (S, L, K)}, "values": {name: ...}}:
    pair-valued measures fill I_X/I_Y (the layout of :func:`train_ensemble`'s result), dict-valued
    ones ``values[name][key]`` (S, L, K, ...), array-valued ones ``values[name]`` (S, L, K, ...).
    """
    act = activation or snapshots.get("activation", "tanh")
    Wsn, bsn = snapshots["W"], snapshots["b"]
    epochs = np.asarray(snapshots["epochs"], dtype=np.int64)
    S, L, K = len(epochs), len(Wsn), Wsn[0].shape[1]
    layer_ids = list(range(L)) if layers is None else [int(l) % L for l in layers]
    dev = torch.device(device)
    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=dev).clone()
    out = {"epochs": epochs, "I_X": {}, "I_Y": {}, "values": {}}
    ws = {}  # reused activation buffers, as in the trainer's snapshots

    def put(store, key, s, l, v):
        v = np.asarray(v, dtype=float).reshape(K, -1)
        if key not in store:
            store[key] = np.full((S, L, K, v.shape[1]), np.nan)
        store[key][s, l] = v

    it = range(S)
    if progress:
        from tqdm import tqdm
        it = tqdm(it, desc=desc, mininterval=2.0, leave=False)
    with torch.no_grad():
        for s in it:
            Ws, bs = _as_params([W[s] for W in Wsn], [b[s] for b in bsn], dev)
            _, acts = forward(Ws, bs, Xt, act, keep=True, ws=ws)
            for name, fn in measures.items():
                for l in layer_ids:
                    r = fn(acts[l], p_y_given_x)
                    if isinstance(r, Mapping):
                        vals = out["values"].setdefault(name, {})
                        for key, v in r.items():
                            put(vals, key, s, l, v)
                    elif isinstance(r, tuple) and len(r) == 2:
                        put(out["I_X"], name, s, l, r[0])
                        put(out["I_Y"], name, s, l, r[1])
                    else:
                        put(out["values"], name, s, l, r)

    def squeeze(d):  # (S, L, K, 1) -> (S, L, K) for per-network scalars
        for k, v in d.items():
            if isinstance(v, dict):
                squeeze(v)
            elif v.shape[3] == 1:
                d[k] = v[..., 0]
    squeeze(out["I_X"]), squeeze(out["I_Y"]), squeeze(out["values"])
    return out
