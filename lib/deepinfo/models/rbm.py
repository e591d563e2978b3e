"""Restricted Boltzmann machines and deep belief networks, batched over realisations.

One RBM implementation serves both Song, Marsili & Jo 2018 (the DBN of Text S1) and
Lee & Jo 2022 (Fig. 1a, 2). Every tensor carries a leading realisation axis ``R`` so that
an ensemble of independent RBMs (the paper's 12 realisations) trains as one batched
computation (``torch.bmm``), which is what makes the full preset fit on one GPU.

Energy (Song et al. eq. 4; Text S1):   E(v, h) = - v^T W h - b_v^T v - b_h^T h
Conditionals:  P(h_j = 1 | v) = sigmoid((v^T W)_j + b_h_j),  P(v_i = 1 | h) = sigmoid((W h)_i + b_v_i)

Shapes: ``W`` (R, n_v, n_h), ``b_v`` (R, n_v), ``b_h`` (R, n_h); a batch ``v`` is (R, B, n_v),
and a plain (B, n_v) batch is broadcast to every realisation.

Training is persistent contrastive divergence (PCD-1, Tieleman 2008) as in Text S1: the
visible layer carries real-valued mean activities in [0, 1], hidden units are sampled
binary; the negative phase continues persistent chains across mini-batches.

Generation (Song et al. Fig. 3): :func:`generate` runs Gibbs chains between a hidden layer H_l
and the layer below from random H_l states, all chains of all realisations as one batch, and
propagates the result down to the visible layer.

Training diagnostics (issue 14, item 4): :func:`stuck_units` (hidden units on for more than 99% or
fewer than 1% of the samples, for any RBM or DBN layer) and :func:`pseudo_log_likelihood`, the
likelihood proxy the trainer records per epoch when given ``monitor`` data (``rbm.history``), with
:func:`levelled_off` to read it. :func:`exact_log_likelihood` enumerates small models (tests).

Training schedule: chosen in advance on this criterion
-----------------------------------------------------
(Written before the study ``benchmarks/rbm_schedule.py`` was run; the study only applies it.)
The 784-30 RBM of Lee & Jo 2022 Fig. 1a, trained on the 10,000 offline MNIST images
(``deepinfo.data.load_mnist()``, all of them, as in the chapter), one realisation per seed,
passes for a seed when, at the end of training,

1. **no stuck hidden unit**: no unit of the binary codes ``P(h=1|v) > 0.5`` of the 10,000 images
   is on for more than 99% or for fewer than 1% of them (:func:`stuck_units`, lo=0.01, hi=0.99); and
2. **the proxy has levelled off**: the pseudo-log-likelihood on the 1,000-image monitor set
   changed by less than 1% of its value over the last 5 epochs, ``|L_E - L_(E-5)| / |L_E| < 0.01``
   (:func:`levelled_off`, window=5, tol=0.01).

A schedule is accepted when all five seeds 0-4 pass; among the accepted ones the cheapest is
chosen: the fewest gradient updates (epochs x M / batch_size), ties broken by measured seconds.
The number of distinct codes, the power law and any match with the authors' numbers are reported
but play no part in the choice. The chosen schedule is :data:`RECOMMENDED_SCHEDULE`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from tqdm import tqdm  # text bars: no ipywidgets needed in kernels

from ..device import resolve_device


class RBM(torch.nn.Module):
    """``R`` independent RBMs with ``n_visible`` visible and ``n_hidden`` binary hidden units.

    Parameters
    ----------
    n_visible, n_hidden : layer sizes
    n_realisations : R, independent copies trained together (default 1)
    init_std : standard deviation of the initial Gaussian weights (biases start at 0)
    generator : torch.Generator for the initial weights (reproducibility)
    """

    def __init__(self, n_visible: int, n_hidden: int, n_realisations: int = 1, init_std: float = 0.01,
                 generator: torch.Generator | None = None, device: str | torch.device = "cpu",
                 dtype: torch.dtype = torch.float32):
        super().__init__()
        for name, val in (("n_visible", n_visible), ("n_hidden", n_hidden), ("n_realisations", n_realisations)):
            if not isinstance(val, (int, np.integer)) or val < 1:
                raise ValueError(f"{name}={val!r}: expected a positive integer")
        dev = resolve_device(device)
        W = torch.randn(n_realisations, n_visible, n_hidden, generator=generator, dtype=dtype) * init_std
        self.W = torch.nn.Parameter(W.to(dev), requires_grad=False)
        self.b_v = torch.nn.Parameter(torch.zeros(n_realisations, n_visible, dtype=dtype, device=dev),
                                      requires_grad=False)
        self.b_h = torch.nn.Parameter(torch.zeros(n_realisations, n_hidden, dtype=dtype, device=dev),
                                      requires_grad=False)

    @property
    def n_visible(self) -> int:
        return self.W.shape[1]

    @property
    def n_hidden(self) -> int:
        return self.W.shape[2]

    @property
    def R(self) -> int:
        return self.W.shape[0]

    def _batch(self, x: torch.Tensor, width: int, name: str) -> torch.Tensor:
        x = torch.as_tensor(x, dtype=self.W.dtype, device=self.W.device)
        if x.ndim == 2:
            x = x.unsqueeze(0).expand(self.R, -1, -1)
        if x.ndim != 3 or x.shape[0] != self.R or x.shape[2] != width:
            raise ValueError(f"{name}: expected shape (B, {width}) or ({self.R}, B, {width}), got {tuple(x.shape)}")
        return x

    def p_h(self, v: torch.Tensor) -> torch.Tensor:
        """P(h = 1 | v), shape (R, B, n_h)."""
        v = self._batch(v, self.n_visible, "v")
        return torch.sigmoid(torch.baddbmm(self.b_h.unsqueeze(1), v, self.W))

    def p_v(self, h: torch.Tensor) -> torch.Tensor:
        """P(v = 1 | h), the visible mean activities, shape (R, B, n_v)."""
        h = self._batch(h, self.n_hidden, "h")
        return torch.sigmoid(torch.baddbmm(self.b_v.unsqueeze(1), h, self.W.transpose(1, 2)))

    def sample_h(self, v: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        p = self.p_h(v)
        return torch.bernoulli(p, generator=generator)

    def sample_v(self, h: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        p = self.p_v(h)
        return torch.bernoulli(p, generator=generator)

    def free_energy(self, v: torch.Tensor) -> torch.Tensor:
        """F(v) = -b_v.v - sum_j softplus((v W)_j + b_h_j), shape (R, B); P(v) ∝ exp(-F(v))."""
        v = self._batch(v, self.n_visible, "v")
        lin = torch.baddbmm(self.b_h.unsqueeze(1), v, self.W)
        return -(v * self.b_v.unsqueeze(1)).sum(-1) - torch.nn.functional.softplus(lin).sum(-1)

    def codes(self, v: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
        """Deterministic hidden states: P(h=1|v) > threshold (zero-temperature limit, Text S1); uint8 (R, B, n_h)."""
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold={threshold}: expected a value in (0, 1)")
        return (self.p_h(v) > threshold).to(torch.uint8)

    @torch.no_grad()
    def positive_phase(self, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Batch averages (<v P(h=1|v)^T>, <v>, <P(h=1|v)>), shapes (R, n_v, n_h), (R, n_v), (R, n_h).

        For data ``v`` this is the data term of the log-likelihood gradient (Text S1 eq. S2-S4):
        sum_h v h^T P(h|v) = v P(h=1|v)^T, exact, with no sampling.
        """
        v = self._batch(v, self.n_visible, "v")
        ph = self.p_h(v)
        return torch.bmm(v.transpose(1, 2), ph) / v.shape[1], v.mean(1), ph.mean(1)

    @torch.no_grad()
    def pcd_step(self, v_data: torch.Tensor, v_chain: torch.Tensor, lr: float,
                 generator: torch.Generator | None = None, weight_decay: float = 0.0) -> torch.Tensor:
        """One PCD-1 parameter update; returns the advanced chains (R, B_chain, n_v).

        Positive phase:  <v h>_data with h replaced by P(h=1|v_data) (:meth:`positive_phase`).
        Negative phase:  from the persistent chain v_chain, sample h ~ P(h|v_chain), set the
        chain to the visible means v' = P(v=1|h), and use <v' P(h=1|v')>.
        Update (Text S1 eq. S1-S5):  W += lr (<v h>_data - <v h>_chain) - lr * weight_decay * W
        """
        pos_W, pos_v, pos_h = self.positive_phase(v_data)
        h = self.sample_h(v_chain, generator)
        v_new = self.p_v(h)
        neg_W, neg_v, neg_h = self.positive_phase(v_new)
        self.W.add_(lr * (pos_W - neg_W))
        if weight_decay:
            self.W.add_(-lr * weight_decay * self.W)
        self.b_v.add_(lr * (pos_v - neg_v))
        self.b_h.add_(lr * (pos_h - neg_h))
        return v_new


@dataclass(frozen=True)
class RBMTraining:
    """Hyper-parameters of PCD-1 training (Song et al. Text S1 defaults)."""

    epochs: int = 200
    batch_size: int = 100
    lr: float = 0.1
    weight_decay: float = 0.0
    init_std: float = 0.01


def train_rbm(data: torch.Tensor, n_hidden: int, cfg: RBMTraining = RBMTraining(), n_realisations: int = 1,
              seed: int = 0, device: str | torch.device = "auto", progress: bool | str = True,
              rbm: RBM | None = None) -> RBM:
    """Train ``R`` RBMs with PCD-1; each realisation has its own initial weights, its own
    mini-batch order and its own persistent chains.

    ``data``: (M, n_v) in [0, 1], shared by the realisations, or (R, M, n_v), one data set per
    realisation (a DBN's upper layers learn the activities of their own realisation below).
    An epoch is one pass over the M samples in mini-batches of ``cfg.batch_size``.
    ``rbm`` continues training a given machine (its shape must match). Returns the RBM.
    """
    dev = resolve_device(device)
    x = torch.as_tensor(data, dtype=torch.float32).to(dev)
    if x.ndim not in (2, 3):
        raise ValueError(f"data: expected shape (M, n_visible) or (R, M, n_visible), got {tuple(x.shape)}")
    if not torch.isfinite(x).all() or x.min() < 0 or x.max() > 1:
        raise ValueError("data: expected finite values in [0, 1] (visible mean activities)")
    if x.ndim == 3:
        n_realisations = x.shape[0]
    M, n_v = x.shape[-2], x.shape[-1]
    if cfg.batch_size < 1 or cfg.batch_size > M:
        raise ValueError(f"batch_size={cfg.batch_size}: expected 1 <= batch_size <= M = {M}")
    gen = torch.Generator(device=dev).manual_seed(seed)
    if rbm is None:
        rbm = RBM(n_v, n_hidden, n_realisations, init_std=cfg.init_std,
                  generator=torch.Generator().manual_seed(seed), device=dev)
    R = rbm.R
    rows = torch.arange(R, device=dev)[:, None]
    chains = torch.rand(R, cfg.batch_size, n_v, generator=gen, device=dev)
    n_batches = M // cfg.batch_size
    epochs = range(cfg.epochs)
    if progress:
        epochs = tqdm(epochs, desc=progress if isinstance(progress, str) else f"RBM {n_v}-{n_hidden}",
                      unit="epoch", leave=False)
    for _ in epochs:
        order = torch.argsort(torch.rand(R, M, generator=gen, device=dev), dim=1)
        for b in range(n_batches):
            idx = order[:, b * cfg.batch_size:(b + 1) * cfg.batch_size]
            batch = x[idx] if x.ndim == 2 else x[rows, idx]
            chains = rbm.pcd_step(batch, chains, cfg.lr, gen, cfg.weight_decay)
    return rbm


class DBN:
    """A greedy layer-wise stack of RBMs (Hinton et al. 2006), e.g. 784-500-250-...-5 (Song et al. Fig. 1).

    ``layers[l]`` is the RBM between H_l (its hidden units) and H_{l-1} (its visible units, H_0 = V).
    """

    def __init__(self, layers: list[RBM]):
        self.layers = list(layers)

    @property
    def sizes(self) -> list[int]:
        return [self.layers[0].n_visible] + [l.n_hidden for l in self.layers]

    @property
    def R(self) -> int:
        return self.layers[0].R

    def state(self) -> dict:
        """Plain tensors for the result cache: ``{"W": [...], "b_v": [...], "b_h": [...]}`` on the CPU."""
        return {k: [getattr(r, k).detach().cpu().clone() for r in self.layers] for k in ("W", "b_v", "b_h")}

    @classmethod
    def from_state(cls, state: dict, device: str | torch.device = "cpu") -> "DBN":
        """Rebuild a DBN from :meth:`state` (e.g. a cached result)."""
        dev = resolve_device(device)
        layers = []
        for W, b_v, b_h in zip(state["W"], state["b_v"], state["b_h"]):
            W = torch.as_tensor(W)
            rbm = RBM(W.shape[1], W.shape[2], W.shape[0], device=dev, dtype=W.dtype)
            rbm.W.copy_(W.to(dev))
            rbm.b_v.copy_(torch.as_tensor(b_v).to(dev))
            rbm.b_h.copy_(torch.as_tensor(b_h).to(dev))
            layers.append(rbm)
        return cls(layers)

    @classmethod
    def train(cls, data: torch.Tensor, hidden_sizes: list[int], cfg: RBMTraining = RBMTraining(),
              n_realisations: int = 1, seed: int = 0, device: str | torch.device = "auto",
              progress: bool = True, resume: "DBN | None" = None,
              on_layer: "Callable[[DBN], None] | None" = None) -> "DBN":
        """Greedy training: RBM l learns the mean activities P(h_{l-1}=1|...) of the layer below.

        ``resume``: a DBN holding the first layers already trained (e.g. from a checkpoint); they
        are kept and training continues with the next layer. ``on_layer(dbn)`` is called after each
        newly trained layer with the stack so far (to save a checkpoint). Layer l uses the seed
        ``seed + 1000 l``, so a resumed run equals an uninterrupted one.
        """
        dev = resolve_device(device)
        x = torch.as_tensor(data, dtype=torch.float32).to(dev)
        layers, inp = [], x
        done = [] if resume is None else [_moved(r, dev) for r in resume.layers]
        if len(done) > len(hidden_sizes) or any(r.n_hidden != n for r, n in zip(done, hidden_sizes)):
            raise ValueError(f"resume: layer sizes {[r.n_hidden for r in done]} do not match {list(hidden_sizes)}")
        for l, n_h in enumerate(hidden_sizes, start=1):
            if l <= len(done):
                rbm = done[l - 1]
            else:
                rbm = train_rbm(inp, n_h, cfg, n_realisations, seed + 1000 * l, dev,
                                progress=f"H{l} ({inp.shape[-1]}-{n_h})" if progress else False)
            layers.append(rbm)
            if l > len(done) and on_layer is not None:
                on_layer(cls(list(layers)))
            if l < len(hidden_sizes):
                with torch.no_grad():
                    inp = rbm.p_h(inp)  # (R, M, n_h): each realisation feeds its own next layer
        return cls(layers)

    @torch.no_grad()
    def codes(self, data: torch.Tensor, threshold: float = 0.5) -> list[torch.Tensor]:
        """Binary states of every hidden layer, [H1, ..., HL], each uint8 (R, M, n_l).

        Each layer thresholds P(h=1|v) at ``threshold`` given the binarised states of the layer
        below (zero-temperature propagation, Text S1).
        """
        out, inp = [], torch.as_tensor(data, dtype=torch.float32).to(self.layers[0].W.device)
        for rbm in self.layers:
            h = rbm.codes(inp, threshold)
            out.append(h)
            inp = h.to(torch.float32)
        return out

    @torch.no_grad()
    def mean_activities(self, data: torch.Tensor) -> list[torch.Tensor]:
        """P(h_l = 1 | ...) of every hidden layer, propagating mean activities upward; each (R, M, n_l)."""
        out, inp = [], torch.as_tensor(data, dtype=torch.float32).to(self.layers[0].W.device)
        for rbm in self.layers:
            inp = rbm.p_h(inp)
            out.append(inp)
        return out


_DOWN = ("sample", "mean", "threshold")


def _binary(x: torch.Tensor, down: str, generator: torch.Generator | None) -> torch.Tensor:
    """Turn mean activities of a hidden layer into the binary input of the RBM below it."""
    if down == "sample":
        return torch.bernoulli(x, generator=generator)
    if down == "threshold":
        return (x > 0.5).to(x.dtype)
    return x


@torch.no_grad()
def generate(dbn: DBN, layer: int, n_samples: int, n_sweeps: int, seed: int = 0,
             device: str | torch.device | None = None, down: str = "sample", chunk: int | None = None,
             progress: bool | str = False) -> torch.Tensor:
    """Generate visible patterns from hidden layer ``H_layer`` of every realisation (Song et al. Fig. 3).

    Procedure (Song et al., main text before Fig. 3; Text S1):

    1. ``n_samples`` independent chains per realisation, started from uniformly random binary
       states of ``H_layer`` (each unit on with probability 1/2); all ``R * n_samples`` chains
       run at once as one batched computation.
    2. ``n_sweeps`` Gibbs sweeps in the RBM between ``H_layer`` (hidden) and ``H_(layer-1)``
       (visible): ``v = P(v=1|h)`` (mean activities, as in PCD training), ``h ~ P(h=1|v)``.
    3. The final visible means of that RBM are propagated down to ``V``: each lower RBM turns
       its binary hidden state into the visible means ``P(v=1|h)``; the mean activities
       arriving from above are made binary by ``down``: ``"sample"`` (Bernoulli, the
       stochastic DBN), ``"threshold"`` (at 0.5, the zero-temperature rule of the codes) or
       ``"mean"`` (mean-field, no binarisation).

    ``layer`` counts from 1 (``H_1``) to ``len(dbn.layers)``; ``n_sweeps = 0`` skips step 2
    (the random initial states go straight down). ``chunk`` caps the chains run at once per
    realisation (memory); the random stream, and so the samples, depend on it, so keep it
    fixed when comparing runs. Deterministic for a given ``seed``, ``chunk`` and device.

    Returns the visible mean activities in [0, 1], shape (R, n_samples, n_visible), on the CPU.
    """
    L = len(dbn.layers)
    if not isinstance(layer, (int, np.integer)) or not 1 <= layer <= L:
        raise ValueError(f"layer={layer!r}: expected an integer 1..{L} (H_1..H_{L})")
    if not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples={n_samples!r}: expected a positive integer")
    if not isinstance(n_sweeps, (int, np.integer)) or n_sweeps < 0:
        raise ValueError(f"n_sweeps={n_sweeps!r}: expected a non-negative integer")
    if down not in _DOWN:
        raise ValueError(f"down={down!r}: expected one of {_DOWN}")
    dev = dbn.layers[0].W.device if device is None else resolve_device(device)
    if any(r.W.device != dev for r in dbn.layers):
        dbn = DBN([_moved(r, dev) for r in dbn.layers])
    top = dbn.layers[layer - 1]
    R, n_top = top.R, top.n_hidden
    gen = torch.Generator(device=dev).manual_seed(int(seed))
    chunk = int(n_samples if chunk is None else max(1, min(chunk, n_samples)))
    out = []
    sweeps_desc = progress if isinstance(progress, str) else f"Gibbs H{layer}"
    for start in range(0, n_samples, chunk):
        n = min(chunk, n_samples - start)
        h = torch.bernoulli(torch.full((R, n, n_top), 0.5, device=dev, dtype=top.W.dtype), generator=gen)
        sweeps = range(n_sweeps)
        if progress:
            sweeps = tqdm(sweeps, desc=sweeps_desc, unit="sweep", leave=False)
        v = top.p_v(h)
        for _ in sweeps:
            h = top.sample_h(v, gen)
            v = top.p_v(h)
        for rbm in reversed(dbn.layers[:layer - 1]):
            v = rbm.p_v(_binary(v, down, gen))
        out.append(v.cpu())
    return torch.cat(out, dim=1)


def _moved(rbm: RBM, dev: torch.device) -> RBM:
    new = RBM(rbm.n_visible, rbm.n_hidden, rbm.R, device=dev, dtype=rbm.W.dtype)
    new.load_state_dict({k: v.to(dev) for k, v in rbm.state_dict().items()})
    return new
