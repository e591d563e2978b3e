"""Feed-forward networks whose hidden layers are read out as codes (Lee & Jo 2022; Song et al. Fig. S5).

``MLP(sizes, activation)`` returns the output logits and, on request, the activations of every
hidden layer, which chapters binarise (e.g. sigmoid activations at 0.5) into discrete states.
``train_supervised`` is the one supervised training loop of the library (cross-entropy,
Adam or SGD, mini-batches, seeded, tqdm progress, optional per-epoch callback).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from tqdm import tqdm  # text bars: no ipywidgets needed in kernels

from ..device import resolve_device

ACTIVATIONS: dict[str, Callable[[], torch.nn.Module]] = {
    "sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "identity": torch.nn.Identity,
}


def activation(name: str) -> torch.nn.Module:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation={name!r}: expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]()


class MLP(torch.nn.Module):
    """Fully connected network ``sizes[0] - sizes[1] - ... - sizes[-1]``.

    Hidden layers use ``activation``; the last layer is linear (logits). ``forward(x,
    return_hidden=True)`` also returns the list of hidden activations z_1..z_{L-1}, each (B, n_l).
    """

    def __init__(self, sizes: list[int], activation: str = "sigmoid"):
        super().__init__()
        if len(sizes) < 2 or any(int(n) < 1 for n in sizes):
            raise ValueError(f"sizes={sizes!r}: expected at least two positive layer widths")
        self.sizes = [int(n) for n in sizes]
        self.activation_name = activation
        self.linears = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(self.sizes[:-1], self.sizes[1:]))
        self.act = globals()["activation"](activation)

    def forward(self, x: torch.Tensor, return_hidden: bool = False):
        hidden = []
        for lin in self.linears[:-1]:
            x = self.act(lin(x))
            hidden.append(x)
        out = self.linears[-1](x)
        return (out, hidden) if return_hidden else out

    @torch.no_grad()
    def hidden(self, x: torch.Tensor, batch_size: int = 4096) -> list[torch.Tensor]:
        """Hidden activations of every layer for all rows of ``x``, each (M, n_l), in evaluation mode."""
        was = self.training
        self.eval()
        chunks = [self(x[i:i + batch_size], return_hidden=True)[1] for i in range(0, len(x), batch_size)]
        self.train(was)
        return [torch.cat([c[l] for c in chunks]) for l in range(len(chunks[0]))]


@dataclass(frozen=True)
class SupervisedTraining:
    epochs: int = 10
    batch_size: int = 100
    lr: float = 1e-3
    optimizer: str = "adam"  # adam | sgd


@torch.no_grad()
def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 4096) -> float:
    """Fraction of rows whose arg-max output equals the label."""
    was = model.training
    model.eval()
    correct = sum((model(x[i:i + batch_size]).argmax(-1) == y[i:i + batch_size]).sum().item()
                  for i in range(0, len(x), batch_size))
    model.train(was)
    return correct / len(x)


class Autoencoder(torch.nn.Module):
    """Dense autoencoder ``x -> z_1 -> ... -> z_L -> x_hat`` (Lee & Jo 2022 Fig. 1c, 5).

    ``encoder_sizes`` = [D, n_1, ..., n_L]; the decoder mirrors it. Hidden layers use
    ``activation``; the reconstruction uses ``out_activation`` (sigmoid for data in [0, 1]).
    ``forward(x, return_hidden=True)`` also returns the encoder's hidden activations [z_1..z_L].
    """

    def __init__(self, encoder_sizes: list[int], activation: str = "sigmoid", out_activation: str = "sigmoid"):
        super().__init__()
        if len(encoder_sizes) < 2:
            raise ValueError(f"encoder_sizes={encoder_sizes!r}: expected [D, n_1, ...] with at least one code layer")
        sizes = [int(n) for n in encoder_sizes]
        self.encoder_sizes = sizes
        self.enc = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        rev = sizes[::-1]
        self.dec = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(rev[:-1], rev[1:]))
        self.act = globals()["activation"](activation)
        self.out_act = globals()["activation"](out_activation)

    def forward(self, x: torch.Tensor, return_hidden: bool = False):
        hidden = []
        for lin in self.enc:
            x = self.act(lin(x))
            hidden.append(x)
        for lin in self.dec[:-1]:
            x = self.act(lin(x))
        out = self.out_act(self.dec[-1](x))
        return (out, hidden) if return_hidden else out

    hidden = MLP.hidden


def _fit(model: torch.nn.Module, x: torch.Tensor, target: torch.Tensor, loss_fn, cfg: SupervisedTraining,
         seed: int, device, progress, callback) -> torch.nn.Module:
    dev = resolve_device(device)
    model.to(dev)
    x = torch.as_tensor(x, dtype=torch.float32).to(dev)
    target = torch.as_tensor(target).to(dev)
    if x.shape[0] != target.shape[0]:
        raise ValueError(f"x and its target: expected the same number of rows, got {x.shape[0]} and {target.shape[0]}")
    if cfg.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    elif cfg.optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    else:
        raise ValueError(f"optimizer={cfg.optimizer!r}: expected 'adam' or 'sgd'")
    gen = torch.Generator(device=dev).manual_seed(seed)
    if callback is not None and callback(0, model):
        return model
    epochs = range(1, cfg.epochs + 1)
    if progress:
        epochs = tqdm(epochs, desc=progress if isinstance(progress, str) else "training", unit="epoch", leave=False)
    for epoch in epochs:
        order = torch.randperm(len(x), generator=gen, device=dev)
        for i in range(0, len(x), cfg.batch_size):
            idx = order[i:i + cfg.batch_size]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[idx]), target[idx]).backward()
            opt.step()
        if callback is not None and callback(epoch, model):
            break
    return model


def train_supervised(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: SupervisedTraining,
                     seed: int = 0, device: str | torch.device = "auto", progress: bool | str = True,
                     callback: Callable[[int, torch.nn.Module], bool | None] | None = None) -> torch.nn.Module:
    """Train a classifier with cross-entropy on (x (M, D), y (M,) int64).

    ``callback(epoch, model)`` runs once before training (epoch 0) and after every epoch; if it
    returns True training stops (e.g. when a target test accuracy is reached).
    """
    y = torch.as_tensor(y, dtype=torch.long)
    return _fit(model, x, y, torch.nn.CrossEntropyLoss(), cfg, seed, device, progress, callback)


def train_autoencoder(model: torch.nn.Module, x: torch.Tensor, cfg: SupervisedTraining, seed: int = 0,
                      device: str | torch.device = "auto", progress: bool | str = True, loss: str = "bce",
                      callback: Callable[[int, torch.nn.Module], bool | None] | None = None) -> torch.nn.Module:
    """Train ``model`` to reconstruct ``x`` (M, D) in [0, 1]; ``loss`` is 'bce' or 'mse'."""
    losses = {"bce": torch.nn.BCELoss(), "mse": torch.nn.MSELoss()}
    if loss not in losses:
        raise ValueError(f"loss={loss!r}: expected 'bce' or 'mse'")
    x = torch.as_tensor(x, dtype=torch.float32)
    return _fit(model, x, x, losses[loss], cfg, seed, device, progress, callback)
