"""The Fig. S6 VAE: ELBO terms against closed forms and numerical integration, shapes, determinism."""
import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from deepinfo.models.feedforward import SupervisedTraining
from deepinfo.models.vae import VAE, bernoulli_nll, gaussian_kl, negative_elbo, train_vae


def test_gaussian_kl_is_zero_for_the_prior():
    assert gaussian_kl(torch.zeros(3, 4), torch.zeros(3, 4)).abs().max().item() == 0.0


@pytest.mark.parametrize("mu, sigma", [(0.7, 1.0), (-1.3, 0.4), (0.0, 2.5)])
def test_gaussian_kl_matches_numerical_integration(mu, sigma):
    q, p = stats.norm(mu, sigma), stats.norm(0.0, 1.0)
    lo, hi = mu - 12 * sigma, mu + 12 * sigma
    kl_num, _ = integrate.quad(lambda z: q.pdf(z) * (q.logpdf(z) - p.logpdf(z)), lo, hi, limit=200)
    kl = gaussian_kl(torch.tensor([[mu]], dtype=torch.float64),
                     torch.tensor([[2 * math.log(sigma)]], dtype=torch.float64)).item()
    assert kl == pytest.approx(kl_num, rel=1e-8, abs=1e-10)


def test_gaussian_kl_sums_over_independent_dimensions():
    mu = torch.tensor([[0.5, -1.0]], dtype=torch.float64)
    logvar = torch.tensor([[0.3, -0.2]], dtype=torch.float64)
    total = gaussian_kl(mu, logvar).item()
    parts = sum(gaussian_kl(mu[:, j:j + 1], logvar[:, j:j + 1]).item() for j in range(2))
    assert total == pytest.approx(parts, rel=1e-12)


def test_bernoulli_nll_known_cases():
    x = torch.tensor([[1.0, 0.0, 1.0]])
    x_hat = torch.tensor([[0.5, 0.5, 0.5]])
    assert bernoulli_nll(x, x_hat).item() == pytest.approx(3 * math.log(2), rel=1e-6)
    # a real-valued target x in [0, 1]: the cross-entropy is minimised at x_hat = x with value 3 * H(0.25)
    x = torch.full((1, 3), 0.25, dtype=torch.float64)
    h = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert bernoulli_nll(x, x.clone()).item() == pytest.approx(3 * h, rel=1e-9)


def test_negative_elbo_is_the_sum_of_its_terms():
    x = torch.rand(5, 6, generator=torch.Generator().manual_seed(1))
    x_hat = torch.rand(5, 6, generator=torch.Generator().manual_seed(2)) * 0.9 + 0.05
    mu, logvar = torch.randn(5, 2), torch.randn(5, 2)
    want = (bernoulli_nll(x, x_hat) + gaussian_kl(mu, logvar)).mean()
    assert negative_elbo((x_hat, mu, logvar), x).item() == pytest.approx(want.item(), rel=1e-6)


def test_shapes_and_range():
    torch.manual_seed(0)
    vae = VAE(n_z=3, n_in=20, n_hidden=8)
    x_hat, mu, logvar = vae(torch.rand(7, 20))
    assert x_hat.shape == (7, 20) and mu.shape == (7, 3) and logvar.shape == (7, 3)
    assert ((x_hat > 0) & (x_hat < 1)).all()
    g = vae.generate(11, seed=4)
    assert g.shape == (11, 20)
    assert torch.equal(g, vae.generate(11, seed=4))
    with pytest.raises(ValueError):
        VAE(n_z=0)


def test_training_is_deterministic_and_lowers_the_loss():
    x = (torch.rand(200, 16, generator=torch.Generator().manual_seed(0)) > 0.5).float()
    cfg = SupervisedTraining(epochs=3, batch_size=50, lr=1e-2)

    def fit():
        torch.manual_seed(123)  # same initial weights
        return train_vae(VAE(2, n_in=16, n_hidden=12), x, cfg, seed=5, device="cpu", progress=False)

    a, b = fit(), fit()
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    torch.manual_seed(123)
    untrained = VAE(2, n_in=16, n_hidden=12)
    torch.manual_seed(9)
    before = negative_elbo(untrained(x), x).item()
    torch.manual_seed(9)
    after = negative_elbo(a(x), x).item()
    assert after < before
    with pytest.raises(ValueError):
        train_vae(VAE(2, n_in=16), np.zeros((3, 5)), cfg, device="cpu", progress=False)
