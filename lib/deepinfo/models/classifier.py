"""A small convolutional digit classifier that labels generated images (Song et al. 2018, Fig. 3d-f, S6).

Song et al. label the digits their DBN generates with a discriminative machine of 1.6% test
error and compare the label frequencies with the training set's (eq. 9). We use a LeNet-like
CNN: conv 5x5 (c1) - ReLU - max-pool 2 - conv 5x5 (c2) - ReLU - max-pool 2 - dense (n_hidden,
ReLU) - dense 10, trained with the library's one supervised loop
(:func:`deepinfo.models.feedforward.train_supervised`, cross-entropy, Adam).

Data: with the MNIST IDX files present it trains on the 60,000 training images and reports
its error on the 10,000 test images; offline (10,000 real training images, no test split) it
holds out ``n_test`` of them (:func:`deepinfo.data.split_holdout`), trains on the rest and
reports the error on the held-out part. Either way the measured error is returned, so a page
can state it.

>>> model, info = trained_classifier(ClassifierConfig(epochs=3))   # doctest: +SKIP
>>> labels = predict(model, images)          # images (n, 784) in [0, 1]  -> (n,) int64
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from ..device import resolve_device
from .feedforward import SupervisedTraining, train_supervised


class DigitCNN(torch.nn.Module):
    """CNN for square grey images given as rows ``x`` (B, side*side) in [0, 1]; returns logits (B, n_classes)."""

    def __init__(self, side: int = 28, channels: tuple[int, int] = (16, 32), n_hidden: int = 128,
                 n_classes: int = 10):
        super().__init__()
        c1, c2 = (int(c) for c in channels)
        self.side = int(side)
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, c1, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(c1, c2, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2))
        flat = c2 * (self.side // 4) ** 2
        self.head = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(flat, n_hidden), torch.nn.ReLU(),
                                        torch.nn.Linear(n_hidden, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(-1, 1, self.side, self.side)
        return self.head(self.features(x))


@dataclass(frozen=True)
class ClassifierConfig:
    """Training of the digit classifier. ``n_test`` images are held out when there is no test split."""

    epochs: int = 6
    batch_size: int = 100
    lr: float = 1e-3
    channels: tuple[int, int] = (16, 32)
    n_hidden: int = 128
    n_test: int = 2000


def train(x, y, cfg: ClassifierConfig = ClassifierConfig(), seed: int = 0, device: str | torch.device = "auto",
          progress: bool | str = "digit classifier") -> DigitCNN:
    """Train a :class:`DigitCNN` on ``x`` (M, 784) in [0, 1] and labels ``y`` (M,); returns the model (eval mode)."""
    x = torch.as_tensor(np.asarray(x), dtype=torch.float32)
    y = torch.as_tensor(np.asarray(y), dtype=torch.long)
    side = int(round(x.shape[1] ** 0.5))
    if side * side != x.shape[1]:
        raise ValueError(f"x: expected rows of square images, got width {x.shape[1]}")
    torch.manual_seed(seed)  # initial weights
    model = DigitCNN(side, cfg.channels, cfg.n_hidden, int(y.max()) + 1)
    train_supervised(model, x, y, SupervisedTraining(cfg.epochs, cfg.batch_size, cfg.lr, "adam"),
                     seed=seed, device=device, progress=progress)
    return model.eval()


@torch.no_grad()
def predict_proba(model: torch.nn.Module, x, batch_size: int = 2048) -> np.ndarray:
    """Class probabilities (n, n_classes) for images ``x`` (n, 784) or (..., n, 784) flattened over leading axes."""
    x = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x, dtype=torch.float32)
    lead = x.shape[:-1]
    x = x.reshape(-1, x.shape[-1])
    dev = next(model.parameters()).device
    was = model.training
    model.eval()
    out = [torch.softmax(model(x[i:i + batch_size].to(dev)), -1).cpu() for i in range(0, len(x), batch_size)]
    model.train(was)
    p = torch.cat(out) if out else torch.zeros(0, 10)
    return p.reshape(*lead, p.shape[-1]).numpy()


def predict(model: torch.nn.Module, x, batch_size: int = 2048) -> np.ndarray:
    """Predicted labels, int64 of shape ``x.shape[:-1]`` (e.g. (R, n) for generated samples (R, n, 784))."""
    return predict_proba(model, x, batch_size).argmax(-1).astype(np.int64)


def error(model: torch.nn.Module, x, y) -> float:
    """Fraction of misclassified rows."""
    return float((predict(model, x) != np.asarray(y)).mean())


def trained_classifier(cfg: ClassifierConfig = ClassifierConfig(), seed: int = 0,
                       device: str | torch.device = "auto", cache=None, progress: bool | str = "digit classifier"):
    """The MNIST digit classifier, trained once per (config, seed, data) and cached.

    Returns ``(model, info)``; ``info`` is a dict with ``test_error``, ``n_train``, ``n_test``,
    ``test_split`` ("MNIST test set" or a description of the held-out part) and ``source``.
    ``cache`` is a :class:`deepinfo.cache.ResultCache` (default: the book's cache).
    """
    from ..cache import ResultCache
    from ..data import DatasetMissing, load_mnist, split_holdout

    dev = resolve_device(device)
    train_ds = load_mnist("train")
    try:
        test_ds = load_mnist("test")
    except DatasetMissing:
        train_ds, test_ds = split_holdout(train_ds, cfg.n_test, seed=seed)
    key = {"classifier": asdict(cfg), "seed": seed, "train": train_ds.describe(), "test": test_ds.describe()}

    def compute():
        model = train(train_ds.x, train_ds.y, cfg, seed, dev, progress)
        return {"state": {k: v.cpu() for k, v in model.state_dict().items()},
                "test_error": error(model, test_ds.x, test_ds.y), "n_train": train_ds.M, "n_test": test_ds.M,
                "test_split": f"{test_ds.name} {test_ds.split}", "source": train_ds.describe()}

    from ..device import cpu_threads

    with cpu_threads(dev):
        res = (cache or ResultCache()).get_or_compute("digit_classifier", key, compute)
    model = DigitCNN(28, cfg.channels, cfg.n_hidden, 10)
    model.load_state_dict(res["state"])
    model.to(dev).eval()
    return model, {k: v for k, v in res.items() if k != "state"}
