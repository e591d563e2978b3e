"""Variational autoencoder of Song, Marsili & Jo 2018, Fig. S6 (Kingma & Welling 2014).

Architecture (Fig. S6 caption): 784-500(ReLU)-500(tanh)-N_z-500(tanh)-500(ReLU)-784(sigmoid).
The encoder outputs the mean ``mu`` and log-variance ``logvar`` of a diagonal Gaussian
q(z|x) = N(mu, diag(exp(logvar))); the decoder maps z to Bernoulli means p(x=1|z) in (0, 1).

Loss per sample: the negative evidence lower bound (ELBO), in nats,

    -ELBO(x) = BCE(x, x_hat) + KL(q(z|x) || N(0, I))
    BCE(x, x_hat) = - sum_i [x_i log x_hat_i + (1 - x_i) log(1 - x_hat_i)]
    KL = 1/2 sum_j (mu_j^2 + sigma_j^2 - log sigma_j^2 - 1)          (Kingma & Welling, App. B)

Training reuses the library's one supervised loop (:func:`deepinfo.models.feedforward._fit`);
generation draws z ~ N(0, I) and returns the decoder means, shape (n, 784).
"""
from __future__ import annotations

import torch

from ..device import resolve_device
from .feedforward import SupervisedTraining, _fit


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, diag exp(logvar)) || N(0, I)) in nats, summed over the last axis; shape ``mu.shape[:-1]``."""
    return 0.5 * (mu.pow(2) + logvar.exp() - logvar - 1.0).sum(-1)


def bernoulli_nll(x: torch.Tensor, x_hat: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """-sum_i [x_i log x_hat_i + (1 - x_i) log(1 - x_hat_i)] in nats, summed over the last axis."""
    x_hat = x_hat.clamp(eps, 1.0 - eps)
    return -(x * x_hat.log() + (1.0 - x) * (1.0 - x_hat).log()).sum(-1)


class VAE(torch.nn.Module):
    """The Fig. S6 VAE with ``n_z`` latent variables and input width ``n_in`` (784 for MNIST).

    ``forward(x)`` returns ``(x_hat, mu, logvar)``: reconstructions (B, n_in) from one
    reparameterised sample z = mu + sigma * eps, and the encoder's Gaussian (B, n_z) each.
    """

    def __init__(self, n_z: int, n_in: int = 784, n_hidden: int = 500):
        super().__init__()
        if int(n_z) < 1 or int(n_in) < 1 or int(n_hidden) < 1:
            raise ValueError(f"n_z={n_z}, n_in={n_in}, n_hidden={n_hidden}: expected positive integers")
        self.n_z, self.n_in = int(n_z), int(n_in)
        h = int(n_hidden)
        self.encoder = torch.nn.Sequential(torch.nn.Linear(n_in, h), torch.nn.ReLU(),
                                           torch.nn.Linear(h, h), torch.nn.Tanh())
        self.to_mu = torch.nn.Linear(h, self.n_z)
        self.to_logvar = torch.nn.Linear(h, self.n_z)
        self.decoder = torch.nn.Sequential(torch.nn.Linear(self.n_z, h), torch.nn.Tanh(),
                                           torch.nn.Linear(h, h), torch.nn.ReLU(),
                                           torch.nn.Linear(h, n_in), torch.nn.Sigmoid())

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        e = self.encoder(x)
        return self.to_mu(e), self.to_logvar(e)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor):
        mu, logvar = self.encode(x)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        return self.decode(z), mu, logvar

    @torch.no_grad()
    def generate(self, n: int, seed: int = 0) -> torch.Tensor:
        """``n`` images: decoder means at z ~ N(0, I) (seeded), shape (n, n_in)."""
        dev = next(self.parameters()).device
        g = torch.Generator(device=dev).manual_seed(seed)
        z = torch.randn(n, self.n_z, generator=g, device=dev)
        was = self.training
        self.eval()
        out = self.decode(z)
        self.train(was)
        return out


def negative_elbo(output, x: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of BCE(x, x_hat) + KL(q(z|x) || N(0, I)), nats per sample.

    ``output`` is what :meth:`VAE.forward` returns, ``(x_hat, mu, logvar)``.
    """
    x_hat, mu, logvar = output
    return (bernoulli_nll(x, x_hat) + gaussian_kl(mu, logvar)).mean()


def train_vae(model: VAE, x: torch.Tensor, cfg: SupervisedTraining, seed: int = 0,
              device: str | torch.device = "auto", progress: bool | str = True) -> VAE:
    """Fit ``model`` to ``x`` (M, n_in) in [0, 1] by minimising the negative ELBO (Adam by default).

    The reparameterisation noise uses torch's global generator, seeded here with ``seed``,
    so training is reproducible for a given seed on a given device.
    """
    dev = resolve_device(device)
    torch.manual_seed(seed)
    x = torch.as_tensor(x, dtype=torch.float32)
    if x.ndim != 2 or x.shape[1] != model.n_in:
        raise ValueError(f"x: expected shape (M, {model.n_in}), got {tuple(x.shape)}")
    if x.min() < 0 or x.max() > 1:
        raise ValueError("x: expected values in [0, 1] (Bernoulli means)")
    return _fit(model, x, x, negative_elbo, cfg, seed, dev, progress, None)
