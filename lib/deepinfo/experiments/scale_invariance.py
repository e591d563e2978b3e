"""Presets and runners of the chapter on Lee & Jo 2022, "Scale-invariant representation of machine learning".

Chapter: ``book/scale_invariance.md`` (Figs. 1a-c, 2a-c, 3, 4 and the robustness studies the
paper states without figures). The Ising data and the theory section live on the child page
``book/scale_invariance_ising.md`` and are not run here.

Every runner trains one model, binarises its internal layers and returns the state frequencies
k_s of each layer (``counts``; see :func:`deepinfo.estimators.state_counts`) in a plain dict,
cached by (runner, config, seed) with :class:`deepinfo.cache.ResultCache`. The degeneracy
m(k) = #{s : k_s = k} (Lee & Jo eq. 4) and its power-law exponent, m(k) ~ k^(-beta-1)
(eq. 7), are computed from those counts on the page (:func:`powerlaw_evidence`).

Binarisation rules (stated on the page):

* sigmoid layers: z_i -> 1 if z_i > threshold (0.5 unless a threshold study says otherwise);
* ReLU layers: z_i -> 1 if z_i exceeds the mean activation of its layer (over units and
  samples), the rule of the authors' public code (github.com/Sungyeop/Powerlaw_ML);
* RBM: h_j -> 1 if P(h_j = 1 | v) > 0.5 (the deterministic, zero-temperature code).

Torch and BLAS run on ``DEEPINFO_TORCH_THREADS`` threads (default 1): the networks are small, and on a
shared 2-core machine two spinning threads were measured 25 times slower per step than one.
"""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from ..cache import ResultCache
from ..device import resolve_device

# ------------------------------------------------------------------------------------------ configs


@dataclass(frozen=True)
class RBMClusterConfig:
    """Fig. 1a and 2a-c: an RBM on MNIST against k-means with ``kmeans_k`` clusters."""

    M: int | None = 10_000          # MNIST training images (None: every image on this machine)
    n_hidden: int = 30              # hidden units (the authors' public code uses 30)
    epochs: int = 20                # PCD-1 epochs, mini-batches of 100, learning rate 0.1
    lr: float = 0.1
    kmeans_k: int = 1024            # clusters of k-means on the raw pixels
    kmeans_max_iter: int = 100
    kmeans_init: str = "k-means++"  # or 'random' (k data points), about 4 times cheaper for k ~ 1000
    tsne_n: int = 1500              # subsample embedded by t-SNE (Fig. 2b, 2c)


@dataclass(frozen=True)
class MLPConfig:
    """Fig. 1b and the robustness studies: MLP on Fashion-MNIST trained to a test accuracy."""

    sizes: tuple = (784, 70, 50, 35, 10)
    activation: str = "sigmoid"
    binarise: str = "threshold"     # 'threshold' (sigmoid) or 'mean' (ReLU: above the layer's mean)
    thresholds: tuple = (0.3, 0.4, 0.5, 0.6, 0.7)
    M: int | None = None            # training images (None: all 60,000)
    M_test: int | None = None       # test images for the stopping rule (None: all 10,000)
    target_accuracy: float = 0.87
    max_epochs: int = 30
    lr: float = 0.005               # Adam, mini-batches of 100 (as in the authors' code)
    batch_size: int = 100


@dataclass(frozen=True)
class AutoencoderConfig:
    """Fig. 1c: dense autoencoder x -> z1 -> z2 -> z3 -> x_hat (z2 the bottleneck, z3 the decoder's layer)."""

    sizes: tuple = (784, 50, 30)    # encoder [D, n1, n2]; the decoder mirrors it (n2 -> n1 -> D)
    M: int | None = 10_000
    epochs: int = 10
    lr: float = 0.005
    batch_size: int = 100
    threshold: float = 0.5


@dataclass(frozen=True)
class ConvConfig:
    """Fig. 3: convolutional autoencoder, three stride-2 sigmoid layers."""

    channels: tuple = (8, 4, 4)
    M: int | None = 10_000
    epochs: int = 5
    lr: float = 0.005
    batch_size: int = 100
    threshold: float = 0.5


@dataclass(frozen=True)
class EpochConfig:
    """Fig. 4: MLP on MNIST, layers read out at the given epochs (0 = untrained)."""

    sizes: tuple = (784, 70, 50, 35, 10)
    M_test: int = 2_000             # test images: MNIST's test split if present, else held out (<= M / 5)
    M: int | None = None            # training images after the hold-out (None: all the rest)
    checkpoints: tuple = (0, 1, 10, 100)
    lr: float = 0.005
    batch_size: int = 100
    threshold: float = 0.5


@dataclass(frozen=True)
class Config:
    rbm: RBMClusterConfig = field(default_factory=RBMClusterConfig)
    mlp: MLPConfig = field(default_factory=MLPConfig)
    seeds: tuple = (0, 1, 2, 3, 4)
    architectures: tuple = ((784, 35, 25, 18, 10), (784, 140, 100, 70, 10), (784, 70, 35, 10),
                            (784, 100, 70, 50, 35, 10))
    robust_M: int | None = None     # training images of the seed/ReLU/architecture runs (None: as mlp.M)
    robust_max_epochs: int | None = None  # epoch cap of those runs (None: as mlp.max_epochs)
    ae: AutoencoderConfig = field(default_factory=AutoencoderConfig)
    conv: ConvConfig = field(default_factory=ConvConfig)
    epochs: EpochConfig = field(default_factory=EpochConfig)

    def robust_mlp(self, **changes) -> MLPConfig:
        """The MLP config of a robustness run (thresholds 0.5 only unless told otherwise)."""
        base = replace(self.mlp, M=self.robust_M if self.robust_M is not None else self.mlp.M, thresholds=(0.5,),
                       max_epochs=self.robust_max_epochs or self.mlp.max_epochs)
        return replace(base, **changes)


PRESETS = {
    "smoke": Config(
        rbm=RBMClusterConfig(M=3_000, epochs=30, kmeans_k=256, kmeans_max_iter=50, kmeans_init="random", tsne_n=400),
        mlp=MLPConfig(M=10_000, M_test=2_000, max_epochs=4),
        seeds=(0, 1),
        architectures=((784, 35, 25, 18, 10), (784, 100, 70, 50, 35, 10)),
        robust_M=5_000,
        robust_max_epochs=3,
        ae=AutoencoderConfig(M=3_000, epochs=4),
        conv=ConvConfig(M=2_000, epochs=2),
        epochs=EpochConfig(M=2_000, M_test=1_000),
    ),
    "quick": Config(
        rbm=RBMClusterConfig(M=10_000, epochs=20, kmeans_k=1024, kmeans_init="random", tsne_n=1000),
        mlp=MLPConfig(M=None, max_epochs=30),
        architectures=((784, 35, 25, 18, 10), (784, 100, 70, 50, 35, 10)),
        robust_M=20_000,
        robust_max_epochs=6,
        ae=AutoencoderConfig(M=10_000, epochs=10),
        conv=ConvConfig(M=10_000, epochs=5),
        epochs=EpochConfig(M=None, M_test=2_000),
    ),
    "full": Config(
        rbm=RBMClusterConfig(M=None, epochs=100, kmeans_k=2048, kmeans_max_iter=300, tsne_n=5000),
        mlp=MLPConfig(M=None, max_epochs=100),
        robust_M=None,
        ae=AutoencoderConfig(M=30_000, epochs=30),
        conv=ConvConfig(M=None, epochs=30),
        epochs=EpochConfig(M=None, M_test=10_000),
    ),
}

#: Minimum number of distinct states in the fitted tail before a power law is called supported.
MIN_TAIL_STATES = 20
#: Significance level of the likelihood-ratio comparisons against the alternatives.
LR_SIGNIFICANCE = 0.1


# ----------------------------------------------------------------------------------- helpers


def torch_threads(n: int | None = None):
    """torch and BLAS/OpenMP (scikit-learn) on ``n`` CPU threads: :func:`deepinfo.device.cpu_threads`."""
    from ..device import cpu_threads

    return cpu_threads("cpu", n)


def binarise(z: torch.Tensor | np.ndarray, rule: str = "threshold", threshold: float = 0.5) -> np.ndarray:
    """Binary codes of one layer's activations ``z`` (M, n): uint8 (M, n).

    ``rule='threshold'``: z_i > threshold. ``rule='mean'``: z_i > mean of z over all units and
    samples (the ReLU rule of the authors' code). Equality counts as 0 in both.
    """
    z = z.detach().cpu().numpy() if isinstance(z, torch.Tensor) else np.asarray(z)
    if z.ndim != 2:
        raise ValueError(f"z: expected activations of shape (M, n), got {z.shape}")
    if rule == "threshold":
        t = float(threshold)
    elif rule == "mean":
        t = float(z.mean())
    else:
        raise ValueError(f"rule={rule!r}: expected 'threshold' or 'mean'")
    return (z > t).astype(np.uint8)


def layer_counts(layers, rule: str = "threshold", threshold: float = 0.5) -> list[np.ndarray]:
    """State frequencies k_s of each binarised layer: a list of int64 arrays, each summing to M."""
    from ..estimators import state_counts

    return [state_counts(binarise(z, rule, threshold)) for z in layers]


def powerlaw_evidence(counts) -> dict:
    """Power-law fit of m(k) ~ k^(-beta-1) (Lee & Jo eq. 7) and its comparison with alternatives.

    Returns a plain dict: ``beta``, ``beta_err``, ``alpha`` (= beta + 1), ``k_min``, ``n_states``,
    ``n_tail``, ``ks`` from :func:`deepinfo.estimators.powerlaw_beta`; ``R_lognormal``, ``p_lognormal``,
    ``R_exponential``, ``p_exponential`` from :func:`deepinfo.estimators.powerlaw_compare`
    (R > 0 favours the power law); and ``supported``, the page's rule for "a power law":

    * at least ``MIN_TAIL_STATES`` distinct states in the fitted tail k >= k_min, and
    * the power law beats the exponential (R > 0 with p < ``LR_SIGNIFICANCE``), and
    * the log-normal is not significantly better (not R < 0 with p < ``LR_SIGNIFICANCE``).

    Degenerate counts (a single state, or every state seen once) give ``supported=False``,
    NaN exponents and ``reason`` saying why.
    """
    from ..estimators import powerlaw_beta, powerlaw_compare

    c = np.asarray(counts, dtype=np.int64)
    c = c[c > 0]
    out = {"n_states": int(c.size), "M": int(c.sum()), "singleton_fraction": float((c == 1).sum() / c.sum()),
           "beta": math.nan, "beta_err": math.nan, "alpha": math.nan, "k_min": math.nan, "n_tail": 0,
           "ks": math.nan, "R_lognormal": math.nan, "p_lognormal": math.nan, "R_exponential": math.nan,
           "p_exponential": math.nan, "supported": False, "reason": ""}
    if c.size < 2 or c.max() == 1:
        out["reason"] = "one state only" if c.size < 2 else "every state seen once (k_s = 1)"
        return out
    try:
        fit = powerlaw_beta(c)
        R_ln, p_ln = powerlaw_compare(c, alternative="lognormal")
        R_ex, p_ex = powerlaw_compare(c, alternative="exponential")
    except ValueError as exc:
        out["reason"] = f"fit failed: {exc}"
        return out
    out.update(beta=float(fit.beta), beta_err=float(fit.beta_err), alpha=float(fit.alpha), k_min=float(fit.k_min),
               n_tail=int(fit.n_tail), ks=float(fit.ks_distance), R_lognormal=float(R_ln), p_lognormal=float(p_ln),
               R_exponential=float(R_ex), p_exponential=float(p_ex))
    reasons = []
    if fit.n_tail < MIN_TAIL_STATES:
        reasons.append(f"only {fit.n_tail} states in the tail (< {MIN_TAIL_STATES})")
    if not (R_ex > 0 and p_ex < LR_SIGNIFICANCE):
        reasons.append(f"not better than an exponential (R = {R_ex:.2f}, p = {p_ex:.2g})")
    if R_ln < 0 and p_ln < LR_SIGNIFICANCE:
        reasons.append(f"a log-normal fits better (R = {R_ln:.2f}, p = {p_ln:.2g})")
    out["supported"] = not reasons
    out["reason"] = "; ".join(reasons) if reasons else "power law supported"
    return out


def seed_summary(betas, errs, cv_max: float = 0.2, z_min: float = 2.0) -> dict:
    """Seed-to-seed spread of beta per layer, and whether beta differs between layers.

    ``betas``, ``errs``: (S seeds, L layers) fitted exponents and their standard errors (non-finite
    entries, failed fits, are left out of a layer's statistics and reported).

    * per layer: mean, standard deviation across seeds (ddof = 1; 0 for one seed) and the
      coefficient of variation cv = std / |mean|; ``seed_insensitive`` when every layer has at least
      two finite fits and cv < ``cv_max``; ``max_cv`` the largest cv (0 when none is defined);
    * between layers: the uncertainty of a layer's mean is se = sqrt(std^2 / S + mean(err^2));
      z_ij = |mean_i - mean_j| / sqrt(se_i^2 + se_j^2); ``layer_dependent`` when max z > ``z_min``.

    Returns a dict with ``mean``, ``std``, ``cv``, ``se`` (lists over layers), ``max_cv``, ``max_z``,
    ``pair`` (the layers, 1-based, of max z), the two verdicts and their ``text``/``layer_text``.
    """
    b = np.asarray(betas, dtype=float)
    e = np.asarray(errs, dtype=float)
    if b.ndim != 2 or b.shape != e.shape:
        raise ValueError(f"betas and errs: expected equal shapes (S, L), got {b.shape} and {e.shape}")
    L = b.shape[1]
    mean, std, cv, se, n_ok = [], [], [], [], []
    for l in range(L):
        ok = np.isfinite(b[:, l]) & np.isfinite(e[:, l])
        n = int(ok.sum())
        n_ok.append(n)
        m = float(b[ok, l].mean()) if n else math.nan
        sd = float(b[ok, l].std(ddof=1)) if n > 1 else 0.0
        mean.append(m)
        std.append(sd)
        cv.append(sd / abs(m) if n > 1 and m != 0 else math.nan)
        se.append(math.sqrt(sd ** 2 / n + float((e[ok, l] ** 2).mean())) if n else math.nan)
    finite_cv = [c for c in cv if math.isfinite(c)]
    max_cv = max(finite_cv) if finite_cv else 0.0
    seed_ok = len(finite_cv) == L and max_cv < cv_max
    max_z, pair = 0.0, (0, 0)
    for i in range(L):
        for j in range(i + 1, L):
            if math.isfinite(mean[i]) and math.isfinite(mean[j]):
                z = abs(mean[i] - mean[j]) / math.hypot(se[i], se[j])
                if z > max_z:
                    max_z, pair = z, (i + 1, j + 1)
    per = "; ".join(f"z{l + 1}: beta = {mean[l]:.2f} +/- {std[l]:.2f} across {n_ok[l]} seed(s)" for l in range(L))
    failed = [f"z{l + 1}" for l in range(L) if n_ok[l] < b.shape[0]]
    text = per + f"; largest cv {max_cv:.2f} (insensitive if < {cv_max} in every layer)" + (
        f"; failed fits in {', '.join(failed)}" if failed else "")
    layer_text = (f"largest difference between layers z{pair[0]} and z{pair[1]}: {max_z:.1f} combined standard "
                  f"errors (layer-dependent if > {z_min}); " + per)
    return {"mean": mean, "std": std, "cv": cv, "se": se, "max_cv": float(max_cv), "max_z": float(max_z),
            "pair": pair, "seed_insensitive": bool(seed_ok), "layer_dependent": bool(max_z > z_min),
            "text": text, "layer_text": layer_text}


def beta_label(ev: dict) -> str:
    """'beta = 0.83 +/- 0.05' (or the reason there is no exponent)."""
    if not math.isfinite(ev["beta"]):
        return f"no fit ({ev['reason']})"
    return f"β = {ev['beta']:.2f} ± {ev['beta_err']:.2f}"


def _subset(ds, M, seed=0):
    return ds.subset(M, seed=seed) if M is not None else ds


def _cache() -> ResultCache:
    return ResultCache()


def _describe(ds) -> dict:
    return {"dataset": ds.name, "M": ds.M, "source": ds.source, "substitute_for": ds.substitute_for or "",
            "describe": ds.describe()}


# ----------------------------------------------------------------------------------- runners


def run_rbm_clusters(cfg: RBMClusterConfig, seed: int = 0, device="auto", progress=False) -> dict:
    """Fig. 1a and 2a-c: RBM codes vs k-means clusters on MNIST, and two t-SNE maps.

    Returns ``counts_rbm`` and ``counts_kmeans`` (state / cluster sizes), ``n_states``, the t-SNE
    coordinates ``tsne_z`` (n, 2) of the RBM codes and ``tsne_x`` (n, 2) of the images of a
    subsample ``tsne_index``, with its RBM state ids ``state_ids`` and k-means labels ``kmeans_labels``,
    ``recon_error`` (mean squared error of one deterministic up-down pass) and timings in seconds.
    """
    def compute():
        from sklearn.cluster import KMeans
        from sklearn.manifold import TSNE

        from ..data import load_mnist
        from ..estimators import state_counts, state_ids
        from ..models import RBMTraining, train_rbm

        ds = _subset(load_mnist("train"), cfg.M, seed)
        x = torch.as_tensor(ds.x)
        t0 = time.time()
        with torch_threads():
            rbm = train_rbm(x, cfg.n_hidden, RBMTraining(epochs=cfg.epochs, batch_size=100, lr=cfg.lr), 1,
                            seed=seed, device=device, progress=progress)
            with torch.no_grad():
                codes = rbm.codes(x, 0.5)[0].cpu().numpy()
                recon = rbm.p_v(codes.astype(np.float32)[None])[0].cpu().numpy()
            t_rbm = time.time() - t0
            ids, n_states = state_ids(codes)
            t0 = time.time()
            km = KMeans(n_clusters=cfg.kmeans_k, init=cfg.kmeans_init, n_init=1, max_iter=cfg.kmeans_max_iter,
                        random_state=seed).fit(ds.x)
            t_km = time.time() - t0
            rng = np.random.default_rng(seed)
            sub = np.sort(rng.choice(ds.M, size=min(cfg.tsne_n, ds.M), replace=False))
            t0 = time.time()
            perplexity = min(30.0, (len(sub) - 1) / 3)
            tz = TSNE(2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(
                codes[sub].astype(np.float32) + 1e-3 * rng.standard_normal((len(sub), codes.shape[1])))
            tx = TSNE(2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(ds.x[sub])
            t_tsne = time.time() - t0
        return {"counts_rbm": state_counts(codes), "counts_kmeans": np.bincount(km.labels_, minlength=cfg.kmeans_k),
                "n_states": int(n_states), "tsne_z": tz, "tsne_x": tx, "tsne_index": sub,
                "state_ids": ids[sub], "kmeans_labels": km.labels_[sub].astype(np.int64),
                "kmeans_iterations": int(km.n_iter_), "recon_error": float(((recon - ds.x) ** 2).mean()),
                "examples": ds.x[:8], "examples_recon": recon[:8],
                "seconds": {"rbm": t_rbm, "kmeans": t_km, "tsne": t_tsne}, "data": _describe(ds)}

    return _cache().get_or_compute("p2_rbm_clusters", {"cfg": cfg, "seed": seed}, compute)


def _z3_of_autoencoder(model, z2: torch.Tensor) -> torch.Tensor:
    """The decoder's first hidden layer z3 = act(W z2 + b) of a symmetric dense autoencoder."""
    with torch.no_grad():
        return model.act(model.dec[0](z2.to(next(model.parameters()).device))).cpu()


def run_mlp(cfg: MLPConfig, seed: int = 0, device="auto", progress=False) -> dict:
    """Fig. 1b (and the robustness runs): MLP on Fashion-MNIST until the test accuracy reaches the target.

    Training stops after the first epoch whose test accuracy is >= ``cfg.target_accuracy`` (or at
    ``cfg.max_epochs``). The hidden layers of the training images are then binarised (each
    threshold of ``cfg.thresholds``, or the layer-mean rule) and counted.

    Returns ``epoch`` (epochs trained), ``reached`` (bool), ``accuracy`` (per epoch, from epoch 0),
    ``counts`` (list over thresholds of lists over layers), ``thresholds``, ``seconds``, ``data``.
    """
    def compute():
        from ..data import load_fashion_mnist
        from ..models import MLP, SupervisedTraining, accuracy, train_supervised

        tr = _subset(load_fashion_mnist("train"), cfg.M, seed)
        te = _subset(load_fashion_mnist("test"), cfg.M_test, seed)
        x_te, y_te = torch.as_tensor(te.x), torch.as_tensor(te.y)
        acc: list[float] = []

        def stop(epoch, model):
            a = accuracy(model, x_te.to(next(model.parameters()).device), y_te.to(next(model.parameters()).device))
            acc.append(a)
            return epoch > 0 and a >= cfg.target_accuracy

        t0 = time.time()
        with torch_threads():
            torch.manual_seed(seed)
            model = MLP(list(cfg.sizes), cfg.activation)
            train_supervised(model, tr.x, tr.y, SupervisedTraining(cfg.max_epochs, cfg.batch_size, cfg.lr, "adam"),
                             seed=seed, device=device, progress=progress, callback=stop)
            hidden = model.hidden(torch.as_tensor(tr.x).to(next(model.parameters()).device))
            if cfg.binarise == "mean":
                counts = [layer_counts(hidden, "mean")]
                thresholds = [float("nan")]
            else:
                counts = [layer_counts(hidden, "threshold", t) for t in cfg.thresholds]
                thresholds = list(cfg.thresholds)
        return {"epoch": len(acc) - 1, "reached": bool(acc[-1] >= cfg.target_accuracy), "accuracy": acc,
                "counts": counts, "thresholds": thresholds, "seconds": time.time() - t0,
                "layer_sizes": list(cfg.sizes[1:-1]), "data": _describe(tr), "test": _describe(te)}

    return _cache().get_or_compute("p2_mlp", {"cfg": cfg, "seed": seed}, compute)


def run_autoencoder(cfg: AutoencoderConfig, seed: int = 0, device="auto", progress=False) -> dict:
    """Fig. 1c: dense autoencoder on EMNIST letters, or on MNIST digits standing in for them.

    Returns ``counts`` for z1, z2 (bottleneck), z3 (decoder's hidden layer), ``layer_sizes``,
    ``mse`` (reconstruction error on the training images), a few ``examples`` and ``examples_recon``.
    """
    def compute():
        from ..data import load_emnist_letters, load_mnist, load_or_substitute
        from ..models import Autoencoder, SupervisedTraining, train_autoencoder

        ds = _subset(load_or_substitute(load_emnist_letters, lambda: load_mnist("train")), cfg.M, seed)
        x = torch.as_tensor(ds.x)
        t0 = time.time()
        with torch_threads():
            torch.manual_seed(seed)
            model = Autoencoder(list(cfg.sizes), "sigmoid", "sigmoid")
            train_autoencoder(model, x, SupervisedTraining(cfg.epochs, cfg.batch_size, cfg.lr, "adam"), seed=seed,
                              device=device, progress=progress, loss="mse")
            dev = next(model.parameters()).device
            z1, z2 = [h.cpu() for h in model.hidden(x.to(dev))]
            z3 = _z3_of_autoencoder(model, z2)
            with torch.no_grad():
                recon = torch.cat([model(x[i:i + 4096].to(dev)).cpu() for i in range(0, len(x), 4096)]).numpy()
        return {"counts": layer_counts([z1, z2, z3], "threshold", cfg.threshold),
                "layer_sizes": [cfg.sizes[1], cfg.sizes[2], cfg.sizes[1]], "mse": float(((recon - ds.x) ** 2).mean()),
                "examples": ds.x[:8], "examples_recon": recon[:8], "image_shape": list(ds.image_shape),
                "seconds": time.time() - t0, "data": _describe(ds)}

    return _cache().get_or_compute("p2_autoencoder", {"cfg": cfg, "seed": seed}, compute)


def run_conv_autoencoder(cfg: ConvConfig, seed: int = 0, device="auto", progress=False) -> dict:
    """Fig. 3: convolutional autoencoder on CIFAR-10, or on Fashion-MNIST standing in for it.

    Returns ``counts`` of the three internal layers, ``layer_shapes`` (c, h, w), ``mse``, examples.
    """
    def compute():
        from ..data import load_cifar10, load_fashion_mnist, load_or_substitute
        from ..models import SupervisedTraining, train_autoencoder
        from ..models.conv import ConvAutoencoder

        ds = _subset(load_or_substitute(load_cifar10, lambda: load_fashion_mnist("train")), cfg.M, seed)
        x = torch.as_tensor(ds.x)
        t0 = time.time()
        with torch_threads():
            torch.manual_seed(seed)
            model = ConvAutoencoder(tuple(ds.image_shape), tuple(cfg.channels), "sigmoid")
            train_autoencoder(model, x, SupervisedTraining(cfg.epochs, cfg.batch_size, cfg.lr, "adam"), seed=seed,
                              device=device, progress=progress, loss="mse")
            hidden = model.hidden(x)
            dev = next(model.parameters()).device
            with torch.no_grad():
                recon = torch.cat([model(x[i:i + 1024].to(dev)).cpu() for i in range(0, len(x), 1024)]).numpy()
        return {"counts": layer_counts(hidden, "threshold", cfg.threshold),
                "layer_shapes": [list(s) for s in model.layer_shapes], "mse": float(((recon - ds.x) ** 2).mean()),
                "examples": ds.x[:8], "examples_recon": recon[:8], "image_shape": list(ds.image_shape),
                "seconds": time.time() - t0, "data": _describe(ds)}

    return _cache().get_or_compute("p2_conv_autoencoder", {"cfg": cfg, "seed": seed}, compute)


def run_epochs(cfg: EpochConfig, seed: int = 0, device="auto", progress=False) -> dict:
    """Fig. 4: MLP on MNIST; hidden layers of the training images counted at each checkpoint epoch.

    Returns ``checkpoints``, ``counts`` (list over checkpoints of lists over layers), ``accuracy``
    (held-out test accuracy at each checkpoint), ``seconds``, ``data``.
    """
    def compute():
        from ..data import DatasetMissing, load_mnist, split_holdout
        from ..models import MLP, SupervisedTraining, accuracy, train_supervised

        full = load_mnist("train")
        try:  # the real test split when the full MNIST files are present
            tr, te = full, _subset(load_mnist("test"), cfg.M_test, seed)
        except DatasetMissing:  # else hold out part of the offline images (at most a fifth)
            tr, te = split_holdout(full, min(cfg.M_test, full.M // 5), seed=seed)
        tr = _subset(tr, cfg.M, seed)
        x_tr = torch.as_tensor(tr.x)
        x_te, y_te = torch.as_tensor(te.x), torch.as_tensor(te.y)
        snaps: dict[int, tuple] = {}

        def snapshot(epoch, model):
            if epoch in cfg.checkpoints:
                dev = next(model.parameters()).device
                snaps[epoch] = (layer_counts(model.hidden(x_tr.to(dev)), "threshold", cfg.threshold),
                                accuracy(model, x_te.to(dev), y_te.to(dev)))
            return epoch >= max(cfg.checkpoints)

        t0 = time.time()
        with torch_threads():
            torch.manual_seed(seed)
            model = MLP(list(cfg.sizes), "sigmoid")
            train_supervised(model, tr.x, tr.y, SupervisedTraining(max(cfg.checkpoints), cfg.batch_size, cfg.lr, "adam"),
                             seed=seed, device=device, progress=progress, callback=snapshot)
        cps = sorted(snaps)
        return {"checkpoints": cps, "counts": [snaps[e][0] for e in cps], "accuracy": [snaps[e][1] for e in cps],
                "layer_sizes": list(cfg.sizes[1:-1]), "seconds": time.time() - t0, "data": _describe(tr),
                "test": _describe(te)}

    return _cache().get_or_compute("p2_epochs", {"cfg": cfg, "seed": seed}, compute)


# ------------------------------------------------------------------------------------------ plots


def binned_degeneracy(counts, bins_per_decade: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """m(k) averaged over logarithmic bins of k: (k_centre, m_bar) for the non-empty bins.

    A bin [a, b) holding n states contributes m_bar = n / (number of integers in [a, b)), the mean
    degeneracy per integer k, comparable with the expected m(k) of a fitted law; k_centre is the
    geometric mean of the bin's first and last integer. Sum over bins of m_bar * width = n_states.
    """
    c = np.asarray(counts, dtype=np.int64)
    c = c[c > 0]
    if c.size == 0:
        raise ValueError("counts: expected at least one state with k_s > 0")
    n_dec = max(np.log10(c.max() + 1), 1e-9)
    edges = np.unique(np.floor(np.logspace(0, n_dec, max(2, int(np.ceil(n_dec * bins_per_decade)) + 1))).astype(np.int64))
    edges[-1] = c.max() + 1
    n, _ = np.histogram(c, bins=edges)
    width = np.diff(edges)
    keep = n > 0
    centre = np.sqrt(edges[:-1] * (edges[1:] - 1))
    return centre[keep], (n / width)[keep]


def plot_degeneracy(ax, counts_list, labels, evidence=None, markers=("^", "s", "o", "D", "v"), colors=None,
                    fit_lines: bool = True):
    """Log-log m(k) against k for each layer, with the fitted k^(-beta-1) over k >= k_min.

    Small open markers: the raw m(k) (one point per observed k; m(k) >= 1 by construction).
    Filled markers: m(k) averaged over logarithmic bins of k (:func:`binned_degeneracy`), which
    can fall below 1 where most k are not observed. The line is the expected degeneracy of the
    discrete power law fitted to the tail, m(k) = n_tail k^(-alpha) / zeta(alpha, k_min), from k_min
    to the largest k.
    """
    from scipy.special import zeta

    from ..estimators import degeneracy

    evidence = evidence or [None] * len(counts_list)
    colors = colors or [f"C{i}" for i in range(len(counts_list))]
    for i, (c, lab, ev) in enumerate(zip(counts_list, labels, evidence)):
        k, m_k = degeneracy(np.asarray(c))
        text = lab if ev is None else f"{lab}: {beta_label(ev)}"
        mk = markers[i % len(markers)]
        ax.loglog(k, m_k, mk, ms=2.5, color=colors[i], alpha=0.35, mfc="none", mew=0.6)
        kb, mb = binned_degeneracy(c)
        ax.loglog(kb, mb, mk, ms=4.5, color=colors[i], label=text)
        if fit_lines and ev is not None and math.isfinite(ev["alpha"]) and ev["alpha"] > 1:
            kk = np.unique(np.geomspace(ev["k_min"], max(k.max(), ev["k_min"]), 50).round())
            ax.loglog(kk, ev["n_tail"] * kk ** -ev["alpha"] / zeta(ev["alpha"], ev["k_min"]), "-", color=colors[i],
                      lw=1.2)
    ax.set_xlabel("frequency $k$")
    ax.set_ylabel("degeneracy $m(k)$")
    ax.legend(fontsize=7, frameon=False)
    return ax


def scatter_partition(ax, xy, labels, title: str, seed: int = 0, max_colours: int = 20):
    """t-SNE map coloured by partition (RBM state or k-means cluster): a shuffled cyclic palette."""
    import matplotlib.pyplot as plt

    uniq, inv = np.unique(labels, return_inverse=True)
    perm = np.random.default_rng(seed).permutation(len(uniq))
    cmap = plt.get_cmap("tab20", max_colours)
    ax.scatter(xy[:, 0], xy[:, 1], c=cmap(perm[inv] % max_colours), s=4, lw=0)
    ax.set_title(f"{title}\n({len(uniq)} groups among {len(labels)} points)", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def as_config_dict(cfg) -> dict:
    """The preset as a plain nested dict (for display)."""
    return dataclasses.asdict(cfg)


def _device(device):
    return resolve_device(device)
