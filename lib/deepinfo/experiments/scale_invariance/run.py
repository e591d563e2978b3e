"""Presets and runners of the chapter on Lee & Jo 2022, "Scale-invariant representation of machine learning".

Chapter: ``book/scale_invariance.md`` (Figs. 1a-c, 2a-c, 3, 4 and the robustness studies the
paper states without figures). The Ising data and the theory section live on the child page
``book/scale_invariance_ising.md`` (package ``deepinfo.experiments.scale_invariance_ising``).

Every runner trains one model, binarises its internal layers and returns the state frequencies
k_s of each layer (``counts``, integers summing to M; see :func:`deepinfo.estimators.state_counts`)
in a plain dict, cached by (runner, config, seed, result version) with
:class:`deepinfo.cache.ResultCache`. Entropies are not stored: H[s], H[k] (bits) follow from the
counts (:func:`deepinfo.estimators.resolution`, :func:`~deepinfo.estimators.relevance`). Whether a
layer's degeneracy m(k) = #{s : k_s = k} is a power law m(k) ~ k^(-beta-1) (Lee & Jo eqs. 4, 7) is
decided in :mod:`.claims` by :func:`deepinfo.estimators.power_law_verdict`, never here.

Every trained network except the Fig. 1a RBM (``rbm_seeds``) is trained from each seed of
:meth:`Config.training_seeds` (the page's seed, then ``train_seeds``), each cached on its own
(:func:`over_seeds`); the claims are decided in every seed. The finite-size study (the claims whose
outcome depends on M, at ``finite_size_M`` and ``finite_size_M_fashion``) is :mod:`.finite_size`.

Binarisation rules (stated on the page):

* sigmoid layers: z_i -> 1 if z_i > threshold (0.5 unless a threshold study says otherwise);
* ReLU layers: z_i -> 1 if z_i exceeds the mean activation of its layer (over units and
  samples), the rule of the authors' public code (github.com/Sungyeop/Powerlaw_ML);
* RBM: h_j -> 1 if P(h_j = 1 | v) > 0.5 (the deterministic, zero-temperature code).

Torch and BLAS run under :func:`deepinfo.device.cpu_threads` (``DEEPINFO_TORCH_THREADS``, default 1).
"""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from ...cache import ResultCache
from ...device import cpu_threads

RESULT_VERSION = 2  # part of every cache key: bump when what a runner returns changes

# ------------------------------------------------------------------------------------------ configs


@dataclass(frozen=True)
class RBMClusterConfig:
    """Fig. 1a and 2a-c: an RBM on MNIST against k-means with ``kmeans_k`` clusters."""

    M: int | None = 10_000          # MNIST training images (None: every image on this machine)
    n_hidden: int = 30              # hidden units (the authors' public code uses 30)
    epochs: int = 20                # PCD-1 epochs, mini-batches of 100, learning rate 0.1
    lr: float = 0.1
    schedule: str = "recommended"   # 'recommended': deepinfo.models.rbm.RECOMMENDED_SCHEDULE when it is set
                                    # (then epochs and lr above are not used); 'plain': epochs, lr, plain SGD
    kmeans_k: int | None = None     # clusters of k-means on the raw pixels; None: the number of distinct
                                    # RBM codes of the same seed (the paper's rule, Fig. 2a)
    kmeans_n_init: int = 3          # k-means restarts (the best of them by inertia is kept)
    kmeans_max_iter: int = 100
    kmeans_init: str = "k-means++"  # or 'random' (k data points), about 4 times cheaper for k ~ 1000
    tsne_n: int = 1500              # subsample embedded by t-SNE (Fig. 2b, 2c)
    stochastic_seed: int = 12345    # generator of the stochastic codes h ~ P(h|v) (the authors' code)


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
    activation: str = "sigmoid"     # hidden units; 'relu' for the paper's ReLU check (Sec. II C)
    binarise: str = "threshold"     # 'threshold' (sigmoid) or 'mean' (ReLU: above the layer's mean)


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
    updates_per_epoch: int | None = 600  # an 'epoch' of Fig. 4 = this many mini-batch updates (the paper's
                                         # 60,000 images / 100), cycling through fresh permutations of
                                         # the training images; None: one pass over them


@dataclass(frozen=True)
class Config:
    rbm: RBMClusterConfig = field(default_factory=RBMClusterConfig)
    mlp: MLPConfig = field(default_factory=MLPConfig)
    seeds: tuple = (0, 1, 2, 3, 4)
    rbm_seeds: tuple = (0, 1, 2, 3, 4)  # RBM trainings: the seed spread of Fig. 1a and the stuck-unit check
    architectures: tuple = ((784, 35, 25, 18, 10), (784, 140, 100, 70, 10), (784, 70, 35, 10),
                            (784, 100, 70, 50, 35, 10))
    robust_M: int | None = None     # training images of the seed/ReLU/architecture runs (None: as mlp.M)
    robust_max_epochs: int | None = None  # epoch cap of those runs (None: as mlp.max_epochs)
    ae: AutoencoderConfig = field(default_factory=AutoencoderConfig)
    conv: ConvConfig = field(default_factory=ConvConfig)
    epochs: EpochConfig = field(default_factory=EpochConfig)
    train_seeds: tuple = (0, 1, 2)  # seeds of every other training-dependent figure (Figs. 1b, 1c, 3, 4, ReLU,
                                    # threshold and architecture studies): each claim is decided in every seed
    finite_size_M: tuple = ()       # MNIST sample sizes of the finite-size study (finite_size.py); () for none
    finite_size_M_fashion: tuple = ()  # Fashion-MNIST sizes of the same study (the Fig. 1b MLP; 60,000 = all)

    def training_seeds(self, seed: int = 0) -> tuple:
        """The page's seed, then ``train_seeds``: the networks every training-dependent claim is decided on."""
        return tuple(dict.fromkeys([int(seed), *map(int, self.train_seeds)]))

    def relu_ae(self) -> AutoencoderConfig:
        """The Fig. 1c autoencoder with ReLU hidden units, binarised above the layer mean (Sec. II C)."""
        return replace(self.ae, activation="relu", binarise="mean")

    def robust_mlp(self, **changes) -> MLPConfig:
        """The MLP config of a robustness run (thresholds 0.5 only unless told otherwise)."""
        base = replace(self.mlp, M=self.robust_M if self.robust_M is not None else self.mlp.M, thresholds=(0.5,),
                       max_epochs=self.robust_max_epochs or self.mlp.max_epochs)
        return replace(base, **changes)


PRESETS = {
    "smoke": Config(
        rbm=RBMClusterConfig(M=3_000, epochs=30, kmeans_max_iter=20, kmeans_init="random", tsne_n=400),
        mlp=MLPConfig(M=10_000, M_test=2_000, max_epochs=4),
        seeds=(0, 1),
        architectures=((784, 35, 25, 18, 10), (784, 100, 70, 50, 35, 10)),
        robust_M=5_000,
        robust_max_epochs=3,
        ae=AutoencoderConfig(M=3_000, epochs=4),
        conv=ConvConfig(M=2_000, epochs=2),
        epochs=EpochConfig(M=2_000, M_test=1_000, updates_per_epoch=None),
        rbm_seeds=(0, 1, 2),
        train_seeds=(0, 1),
        finite_size_M=(1_000, 2_000, 3_000),
        finite_size_M_fashion=(2_500, 5_000, 10_000),
    ),
    "quick": Config(
        rbm=RBMClusterConfig(M=10_000, epochs=20, kmeans_max_iter=20, kmeans_init="random", tsne_n=1000),
        mlp=MLPConfig(M=None, max_epochs=30),
        architectures=((784, 35, 25, 18, 10), (784, 100, 70, 50, 35, 10)),
        robust_M=20_000,
        robust_max_epochs=6,
        ae=AutoencoderConfig(M=10_000, epochs=10),
        conv=ConvConfig(M=10_000, epochs=5),
        epochs=EpochConfig(M=None, M_test=2_000),  # 100 epochs of 600 updates: about 90 s on one idle core
        finite_size_M=(2_500, 5_000, 10_000),
        finite_size_M_fashion=(2_500, 5_000, 10_000, 60_000),
    ),
    "full": Config(
        rbm=RBMClusterConfig(M=None, epochs=100, kmeans_n_init=10, kmeans_max_iter=300, tsne_n=5000),
        mlp=MLPConfig(M=None, max_epochs=100),
        robust_M=None,
        ae=AutoencoderConfig(M=30_000, epochs=30),
        conv=ConvConfig(M=None, epochs=30),
        epochs=EpochConfig(M=None, M_test=10_000),
        train_seeds=(0, 1, 2, 3, 4),
        finite_size_M=(2_500, 5_000, 10_000, 60_000),  # 60,000 only where data/mnist/ has the full files
        finite_size_M_fashion=(2_500, 5_000, 10_000, 20_000, 60_000),
    ),
}

# ----------------------------------------------------------------------------------- helpers


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
    from ...estimators import state_counts

    return [state_counts(binarise(z, rule, threshold)) for z in layers]


def _subset(ds, M, seed=0):
    return ds.subset(M, seed=seed) if M is not None else ds


def _cache() -> ResultCache:
    return ResultCache()


def _describe(ds) -> dict:
    return {"dataset": ds.name, "M": ds.M, "source": ds.source, "substitute_for": ds.substitute_for or "",
            "describe": ds.describe()}


# ----------------------------------------------------------------------------------- runners


def rbm_training(cfg: RBMClusterConfig):
    """The :class:`~deepinfo.models.RBMTraining` of Fig. 1a: ``RECOMMENDED_SCHEDULE`` (chosen in
    :mod:`deepinfo.models.rbm` on a criterion stated before its study: no stuck unit, a levelled-off
    likelihood proxy, seeds 0-4) when ``cfg.schedule == 'recommended'`` and the schedule is set; else
    PCD-1 with plain SGD for ``cfg.epochs`` epochs at ``cfg.lr``, mini-batches of 100."""
    from ...models import RBMTraining
    from ...models.rbm import RECOMMENDED_SCHEDULE

    if cfg.schedule not in ("recommended", "plain"):
        raise ValueError(f"schedule={cfg.schedule!r}: expected 'recommended' or 'plain'")
    if cfg.schedule == "recommended" and RECOMMENDED_SCHEDULE:
        return RBMTraining(**{"batch_size": 100, **RECOMMENDED_SCHEDULE})
    return RBMTraining(epochs=cfg.epochs, batch_size=100, lr=cfg.lr)


def _entry(name: str, cfg, **ids) -> tuple[str, dict]:
    """The cache entry ``(cache_name, cache_config)`` of a runner: shared by the runner and its unit."""
    return name, {"cfg": cfg, **ids, "v": RESULT_VERSION}


def _rbm_entry(cfg: RBMClusterConfig, seed: int) -> tuple[str, dict]:
    """The RBM training's entry: only the fields that change the trained machine and its codes."""
    tr = rbm_training(cfg)
    return "p2_rbm", {"M": cfg.M, "n_hidden": cfg.n_hidden, "training": dataclasses.asdict(tr),
                      "stochastic_seed": cfg.stochastic_seed, "seed": int(seed), "v": RESULT_VERSION}


def run_rbm(cfg: RBMClusterConfig, seed: int = 0, device="auto", progress=False) -> dict:
    """Fig. 1a for one seed: train the 784-``n_hidden`` RBM on MNIST and read its codes two ways.

    * thresholded (``codes``, ``counts_rbm``): h_j = 1 if P(h_j = 1 | v) > 0.5, the zero-temperature code;
    * stochastic (``counts_sampled``): h_j ~ Bernoulli(P(h_j = 1 | v)) once per image (generator seeded
      with ``cfg.stochastic_seed + seed``), the code of the authors' public program.

    Also ``stuck`` (:func:`deepinfo.models.rbm.stuck_units` of the thresholded codes: units on for more
    than 99% or fewer than 1% of the images), ``n_states``, ``recon_error`` (mean squared error of one
    deterministic up-down pass), ``training`` (the schedule used), ``updates``, ``seconds``, ``data``.
    """
    def compute():
        from ...data import load_mnist
        from ...estimators import state_counts
        from ...models import train_rbm
        from ...models.rbm import stuck_units

        ds = _subset(load_mnist("train"), cfg.M, seed)
        x = torch.as_tensor(ds.x)
        tr = rbm_training(cfg)
        t0 = time.time()
        with cpu_threads(device):
            rbm = train_rbm(x, cfg.n_hidden, tr, 1, seed=seed, device=device, progress=progress)
            with torch.no_grad():
                p = rbm.p_h(x.to(rbm.W.device))[0].cpu()
                codes = (p > 0.5).to(torch.uint8).numpy()
                g = torch.Generator().manual_seed(int(cfg.stochastic_seed) + int(seed))
                sampled = torch.bernoulli(p, generator=g).to(torch.uint8).numpy()
                recon = rbm.p_v(codes.astype(np.float32)[None])[0].cpu().numpy()
        st = stuck_units(codes)
        return {"codes": codes, "counts_rbm": state_counts(codes), "counts_sampled": state_counts(sampled),
                "n_states": int(state_counts(codes).size), "n_states_sampled": int(state_counts(sampled).size),
                "stuck": {"n_units": st["n_units"], "n_stuck": st["n_stuck"], "on": st["on"], "off": st["off"],
                          "mean_activation": np.asarray(st["mean_activation"])},
                "recon_error": float(((recon - ds.x) ** 2).mean()), "examples": ds.x[:8],
                "examples_recon": recon[:8], "training": dataclasses.asdict(tr),
                "updates": int(tr.epochs * math.ceil(ds.M / tr.batch_size)), "seed": int(seed),
                "seconds": time.time() - t0, "data": _describe(ds)}

    return _cache().get_or_compute(*_rbm_entry(cfg, seed), compute)


def run_rbm_seeds(cfg: Config, device="auto", progress=False, schedule: str | None = None) -> list[dict]:
    """:func:`run_rbm` for every seed of ``cfg.rbm_seeds`` (each cached on its own); ``schedule``
    ('plain' or 'recommended') replaces ``cfg.rbm.schedule`` (the page shows 'plain' beside the chosen one)."""
    rc = cfg.rbm if schedule is None else replace(cfg.rbm, schedule=schedule)
    return [run_rbm(rc, seed=s, device=device, progress=progress) for s in cfg.rbm_seeds]


def kmeans_k(cfg: RBMClusterConfig, rbm: dict) -> int:
    """The number of k-means clusters: ``cfg.kmeans_k``, or (None) the RBM's number of distinct codes."""
    return int(cfg.kmeans_k) if cfg.kmeans_k is not None else int(rbm["n_states"])


def run_rbm_clusters(cfg: RBMClusterConfig, seed: int = 0, device="auto", progress=False) -> dict:
    """Fig. 1a and 2a-c: RBM codes (:func:`run_rbm`) vs k-means clusters on MNIST, and two t-SNE maps.

    k-means has :func:`kmeans_k` clusters (by default as many as the RBM has distinct codes, the paper's
    rule) and ``cfg.kmeans_n_init`` restarts, the best by inertia kept. Returns the fields of
    :func:`run_rbm` (without ``codes``) and ``counts_kmeans``, ``kmeans_k``, ``kmeans_n_init``,
    ``kmeans_iterations``, the t-SNE coordinates ``tsne_z`` (n, 2) of the RBM codes and ``tsne_x`` (n, 2) of
    the images of a subsample ``tsne_index``, with its RBM state ids ``state_ids`` and k-means labels
    ``kmeans_labels``, and timings in seconds.
    """
    def compute():
        from sklearn.cluster import KMeans
        from sklearn.manifold import TSNE

        from ...data import load_mnist
        from ...estimators import state_ids

        base = run_rbm(cfg, seed, device, progress)
        ds = _subset(load_mnist("train"), cfg.M, seed)
        codes = base["codes"]
        k = kmeans_k(cfg, base)
        with cpu_threads(device):
            ids, _ = state_ids(codes)
            t0 = time.time()
            km = KMeans(n_clusters=k, init=cfg.kmeans_init, n_init=cfg.kmeans_n_init, max_iter=cfg.kmeans_max_iter,
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
        out = {key: v for key, v in base.items() if key != "codes"}
        out.update({"counts_kmeans": np.bincount(km.labels_, minlength=k), "kmeans_k": k,
                    "kmeans_n_init": int(cfg.kmeans_n_init), "tsne_z": tz, "tsne_x": tx, "tsne_index": sub,
                    "state_ids": ids[sub], "kmeans_labels": km.labels_[sub].astype(np.int64),
                    "kmeans_iterations": int(km.n_iter_),
                    "seconds": {"rbm": base["seconds"], "kmeans": t_km, "tsne": t_tsne}})
        return out

    return _cache().get_or_compute(*_clusters_entry(cfg, seed), compute)


def _clusters_entry(cfg: RBMClusterConfig, seed: int) -> tuple[str, dict]:
    """The clustering's entry: its config and the entry of the RBM it reads (so a new schedule is a new entry)."""
    return _entry("p2_rbm_clusters", cfg, seed=seed, rbm=_rbm_entry(cfg, seed)[1])


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
        from ...data import load_fashion_mnist
        from ...models import MLP, SupervisedTraining, accuracy, train_supervised

        tr = _subset(load_fashion_mnist("train"), cfg.M, seed)
        te = _subset(load_fashion_mnist("test"), cfg.M_test, seed)
        x_te, y_te = torch.as_tensor(te.x), torch.as_tensor(te.y)
        acc: list[float] = []

        def stop(epoch, model):
            a = accuracy(model, x_te.to(next(model.parameters()).device), y_te.to(next(model.parameters()).device))
            acc.append(a)
            return epoch > 0 and a >= cfg.target_accuracy

        t0 = time.time()
        with cpu_threads(device):
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

    return _cache().get_or_compute(*_entry("p2_mlp", cfg, seed=seed), compute)


def run_autoencoder(cfg: AutoencoderConfig, seed: int = 0, device="auto", progress=False) -> dict:
    """Fig. 1c: dense autoencoder on EMNIST letters, or on MNIST digits standing in for them.

    ``cfg.activation`` sets the hidden units (sigmoid; 'relu' for the paper's ReLU check, binarised
    with ``cfg.binarise = 'mean'``); the reconstruction layer is always a sigmoid.

    Returns ``counts`` for z1, z2 (bottleneck), z3 (decoder's hidden layer), ``layer_sizes``,
    ``mse`` (reconstruction error on the training images), a few ``examples`` and ``examples_recon``.
    """
    def compute():
        from ...data import load_emnist_letters, load_mnist, load_or_substitute

        ds = _subset(load_or_substitute(load_emnist_letters, lambda: load_mnist("train")), cfg.M, seed)
        return _train_autoencoder(cfg, ds, seed, device, progress)

    return _cache().get_or_compute(*_entry("p2_autoencoder", cfg, seed=seed), compute)


def run_autoencoder_fashion(cfg: AutoencoderConfig, seed: int = 0, device="auto", progress=False) -> dict:
    """The Fig. 1c autoencoder trained on Fashion-MNIST (the paper: 'power laws on the above Fashion-MNIST
    data, data not shown', Sec. II C); same returns as :func:`run_autoencoder`."""
    def compute():
        from ...data import load_fashion_mnist

        return _train_autoencoder(cfg, _subset(load_fashion_mnist("train"), cfg.M, seed), seed, device, progress)

    return _cache().get_or_compute(*_entry("p2_autoencoder_fashion", cfg, seed=seed), compute)


def _train_autoencoder(cfg: AutoencoderConfig, ds, seed: int, device, progress) -> dict:
    """Train the dense autoencoder of ``cfg`` on ``ds`` and count its three hidden layers' binarised codes."""
    from ...models import Autoencoder, SupervisedTraining, train_autoencoder

    x = torch.as_tensor(ds.x)
    t0 = time.time()
    with cpu_threads(device):
        torch.manual_seed(seed)
        model = Autoencoder(list(cfg.sizes), cfg.activation, "sigmoid")
        train_autoencoder(model, x, SupervisedTraining(cfg.epochs, cfg.batch_size, cfg.lr, "adam"), seed=seed,
                          device=device, progress=progress, loss="mse")
        dev = next(model.parameters()).device
        z1, z2 = [h.cpu() for h in model.hidden(x.to(dev))]
        z3 = _z3_of_autoencoder(model, z2)
        with torch.no_grad():
            recon = torch.cat([model(x[i:i + 4096].to(dev)).cpu() for i in range(0, len(x), 4096)]).numpy()
    return {"counts": layer_counts([z1, z2, z3], cfg.binarise, cfg.threshold), "activation": cfg.activation,
            "binarise": cfg.binarise, "layer_sizes": [cfg.sizes[1], cfg.sizes[2], cfg.sizes[1]],
            "mse": float(((recon - ds.x) ** 2).mean()), "examples": ds.x[:8], "examples_recon": recon[:8],
            "image_shape": list(ds.image_shape), "seconds": time.time() - t0, "data": _describe(ds)}


def run_widening(cfg: EpochConfig, seeds, width: int = 1000, device="cpu") -> dict:
    """Sec. II C's widening case: an untrained sigmoid layer 784-``width`` (wider than its input) on the Fig. 4
    training images, one initialisation per seed (``torch.manual_seed(seed)``). Returns ``seeds``,
    ``n_codes`` (distinct binarised codes per seed), ``n_images`` (distinct images), ``M``, ``width``."""
    seeds = [int(s) for s in seeds]

    def compute():
        from ...estimators import state_counts
        from ...models import MLP

        tr, _ = _epoch_data(cfg, seeds[0])
        x = torch.as_tensor(tr.x)
        n_images = int(state_counts((tr.x * 255).round().astype(np.int64)).size)
        n_codes = []
        with cpu_threads(device):
            for s in seeds:
                torch.manual_seed(s)
                model = MLP([int(tr.x.shape[1]), int(width), 10], "sigmoid")
                with torch.no_grad():
                    n_codes.append(int(layer_counts(model.hidden(x), "threshold", cfg.threshold)[0].size))
        return {"seeds": seeds, "n_codes": n_codes, "n_images": n_images, "M": int(tr.M), "width": int(width)}

    return _cache().get_or_compute(*_entry("p2_widening", cfg, seeds=seeds, width=int(width)), compute)


def run_conv_autoencoder(cfg: ConvConfig, seed: int = 0, device="auto", progress=False) -> dict:
    """Fig. 3: convolutional autoencoder on CIFAR-10, or on Fashion-MNIST standing in for it.

    Returns ``counts`` of the three internal layers, ``layer_shapes`` (c, h, w), ``mse``, examples.
    """
    def compute():
        from ...data import load_cifar10, load_fashion_mnist, load_or_substitute
        from ...models import SupervisedTraining, train_autoencoder
        from ...models.conv import ConvAutoencoder

        ds = _subset(load_or_substitute(load_cifar10, lambda: load_fashion_mnist("train")), cfg.M, seed)
        x = torch.as_tensor(ds.x)
        t0 = time.time()
        with cpu_threads(device):
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

    return _cache().get_or_compute(*_entry("p2_conv_autoencoder", cfg, seed=seed), compute)


def _epoch_data(cfg: EpochConfig, seed: int):
    """(train, test) of Fig. 4: MNIST's test split when present, else images held out of the offline subset."""
    from ...data import DatasetMissing, load_mnist, split_holdout

    full = load_mnist("train")
    try:  # the real test split when the full MNIST files are present
        tr, te = full, _subset(load_mnist("test"), cfg.M_test, seed)
    except DatasetMissing:  # else hold out part of the offline images (at most a fifth)
        tr, te = split_holdout(full, min(cfg.M_test, full.M // 5), seed=seed)
    return _subset(tr, cfg.M, seed), te


def run_epochs(cfg: EpochConfig, seed: int = 0, device="auto", progress=False) -> dict:
    """Fig. 4: MLP on MNIST; hidden layers of the training images counted at each checkpoint epoch.

    An epoch is ``cfg.updates_per_epoch`` mini-batch updates (the paper's 600: 60,000 images in batches
    of 100), drawn from consecutive random permutations of the training images (so with fewer images
    an epoch is more than one pass); ``None`` makes it one pass. The codes counted at a checkpoint
    are those of the training images themselves.

    Returns ``checkpoints``, ``counts`` (list over checkpoints of lists over layers), ``accuracy``
    (held-out test accuracy at each checkpoint), ``updates_per_epoch`` (mini-batch updates per epoch),
    ``passes_per_epoch`` (passes over the training images per epoch), ``seconds``, ``data``.
    """
    def compute():
        from ...models import MLP, SupervisedTraining, accuracy, train_supervised

        tr, te = _epoch_data(cfg, seed)
        x_tr = torch.as_tensor(tr.x)
        n_per = (cfg.updates_per_epoch * cfg.batch_size if cfg.updates_per_epoch else tr.M)
        g = np.random.default_rng(seed + 7919)
        reps = int(math.ceil(n_per / tr.M))
        order = np.concatenate([g.permutation(tr.M) for _ in range(reps)])[:n_per]
        x_fit, y_fit = tr.x[order], np.asarray(tr.y)[order]
        x_te, y_te = torch.as_tensor(te.x), torch.as_tensor(te.y)
        snaps: dict[int, tuple] = {}

        def snapshot(epoch, model):
            if epoch in cfg.checkpoints:
                dev = next(model.parameters()).device
                snaps[epoch] = (layer_counts(model.hidden(x_tr.to(dev)), "threshold", cfg.threshold),
                                accuracy(model, x_te.to(dev), y_te.to(dev)))
            return epoch >= max(cfg.checkpoints)

        t0 = time.time()
        with cpu_threads(device):
            torch.manual_seed(seed)
            model = MLP(list(cfg.sizes), "sigmoid")
            train_supervised(model, x_fit, y_fit, SupervisedTraining(max(cfg.checkpoints), cfg.batch_size, cfg.lr, "adam"),
                             seed=seed, device=device, progress=progress, callback=snapshot)
        cps = sorted(snaps)
        return {"checkpoints": cps, "counts": [snaps[e][0] for e in cps], "accuracy": [snaps[e][1] for e in cps],
                "layer_sizes": list(cfg.sizes[1:-1]), "updates_per_epoch": int(math.ceil(n_per / cfg.batch_size)),
                "passes_per_epoch": float(n_per / tr.M),
                "seconds": time.time() - t0, "data": _describe(tr), "test": _describe(te)}

    return _cache().get_or_compute(*_entry("p2_epochs", cfg, seed=seed), compute)


def run_untrained(cfg: EpochConfig, seeds, device="cpu") -> dict:
    """Fig. 4a over several initialisations: the untrained MLP's hidden layers on the training images.

    For each seed the network is initialised exactly as in :func:`run_epochs` (``torch.manual_seed(seed)``,
    then the MLP), so seed s gives :func:`run_epochs`'s epoch-0 counts. Cheap (one forward pass per seed).
    Returns ``seeds``, ``counts`` (list over seeds of lists over layers), ``M``, ``layer_sizes``.
    """
    seeds = [int(s) for s in seeds]

    def compute():
        from ...models import MLP

        out = []
        M = None
        with cpu_threads(device):
            for s in seeds:
                tr, _ = _epoch_data(cfg, s)
                torch.manual_seed(s)
                model = MLP(list(cfg.sizes), "sigmoid")
                with torch.no_grad():
                    out.append(layer_counts(model.hidden(torch.as_tensor(tr.x)), "threshold", cfg.threshold))
                M = tr.M
        return {"seeds": seeds, "counts": out, "M": int(M), "layer_sizes": list(cfg.sizes[1:-1])}

    return _cache().get_or_compute(*_entry("p2_untrained", cfg, seeds=seeds), compute)


def units(cfg: Config, seed: int = 0, device: str = "auto") -> list:
    """The chapter's expensive cached pieces as :class:`deepinfo.compute.Unit` s, each naming the very cache
    entry its runner fills (:func:`_entry`, :func:`_rbm_entry`): the RBM trainings (``cfg.rbm_seeds`` and
    ``seed``), the RBM-vs-k-means clustering with its t-SNE maps, the Fig. 1b MLP, the seed-study and
    architecture MLPs, the sigmoid and ReLU autoencoders, the convolutional autoencoder, the Fig. 4 epoch
    study and the untrained networks. Every unit runs on ``device`` (CUDA units ask for a GPU)."""
    from ...compute import Unit
    from ...device import resolve_device

    res = (("GPU", 1),) if resolve_device(device).type == "cuda" else ()
    dev = str(device)
    out: list = []

    def add(name, entry, fn, *args, **kw):
        out.append(Unit(chapter="scale_invariance", name=name, cache_name=entry[0], cache_config=entry[1], fn=fn,
                        args=args, kwargs=kw, resources=res))

    for s in dict.fromkeys([*cfg.rbm_seeds, seed]):
        add(f"RBM 784-{cfg.rbm.n_hidden} (seed {s})", _rbm_entry(cfg.rbm, s), run_rbm, cfg.rbm, s, dev)
    plain = replace(cfg.rbm, schedule="plain")
    if _rbm_entry(plain, seed) != _rbm_entry(cfg.rbm, seed):  # the plain-SGD baseline the page shows beside it
        for s in cfg.rbm_seeds:
            add(f"RBM 784-{cfg.rbm.n_hidden}, plain SGD (seed {s})", _rbm_entry(plain, s), run_rbm, plain, s, dev)
    add(f"RBM vs k-means and t-SNE (seed {seed})", _clusters_entry(cfg.rbm, seed), run_rbm_clusters,
        cfg.rbm, seed, dev)
    tseeds = cfg.training_seeds(seed)
    for s in tseeds:
        add(f"Fig. 1b MLP (seed {s})", _entry("p2_mlp", cfg.mlp, seed=s), run_mlp, cfg.mlp, s, dev)
    for s in cfg.seeds:
        add(f"seed-study MLP (seed {s})", _entry("p2_mlp", cfg.robust_mlp(), seed=s), run_mlp, cfg.robust_mlp(), s, dev)
    for a in cfg.architectures:
        m = cfg.robust_mlp(sizes=tuple(a))
        for s in tseeds:
            add(f"MLP {'-'.join(map(str, a))} (seed {s})", _entry("p2_mlp", m, seed=s), run_mlp, m, s, dev)
    for s in tseeds:
        add(f"autoencoder, sigmoid (seed {s})", _entry("p2_autoencoder", cfg.ae, seed=s), run_autoencoder, cfg.ae,
            s, dev)
        add(f"autoencoder, ReLU (seed {s})", _entry("p2_autoencoder", cfg.relu_ae(), seed=s), run_autoencoder,
            cfg.relu_ae(), s, dev)
        add(f"convolutional autoencoder (seed {s})", _entry("p2_conv_autoencoder", cfg.conv, seed=s),
            run_conv_autoencoder, cfg.conv, s, dev)
        add(f"Fig. 4 epoch study (seed {s})", _entry("p2_epochs", cfg.epochs, seed=s), run_epochs, cfg.epochs, s,
            dev)
    for s in tseeds:
        add(f"autoencoder on Fashion-MNIST (seed {s})", _entry("p2_autoencoder_fashion", cfg.ae, seed=s),
            run_autoencoder_fashion, cfg.ae, s, dev)
    seeds = [int(s) for s in cfg.seeds]
    out.append(Unit(name=f"widening layer (seeds {seeds})", chapter="scale_invariance", cache_name="p2_widening",
                    cache_config=_entry("p2_widening", cfg.epochs, seeds=seeds, width=1000)[1], fn=run_widening,
                    args=(cfg.epochs, seeds)))
    out.append(Unit(chapter="scale_invariance", name=f"untrained MLPs (seeds {seeds})",
                    cache_name="p2_untrained", cache_config=_entry("p2_untrained", cfg.epochs, seeds=seeds)[1],
                    fn=run_untrained, args=(cfg.epochs, seeds)))
    from .finite_size import finite_size_units

    out.extend(finite_size_units(cfg, seed, dev, res))
    return out


def over_seeds(runner, cfg, seeds, device="auto", progress=False) -> list[dict]:
    """``runner(cfg, seed=s, device=device)`` for each seed (each cached on its own), every result with its
    ``seed`` added (the cached entry itself is unchanged)."""
    return [{**runner(cfg, seed=int(s), device=device, progress=progress), "seed": int(s)} for s in seeds]


def as_config_dict(cfg) -> dict:
    """The preset as a plain nested dict (for display)."""
    return dataclasses.asdict(cfg)
