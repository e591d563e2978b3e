"""Song, Marsili & Jo 2018, Figs. 2a-d and 3a-g (book/resolution_relevance.md): presets and runners.

Presets (the only place the sizes live) and runners returning plain dicts of arrays and
numbers, cached by configuration (:class:`deepinfo.cache.ResultCache`); DBN training saves
a checkpoint after every layer, so an interrupted run resumes where it stopped.

* :func:`dbn_result`         statistics of every layer of a DBN trained on MNIST ("trained"), left at
                             its random initial weights ("untrained", the paper's epoch 0), or trained
                             on MNIST with the pixels of every image permuted ("shuffled"). The public
                             entry point for other chapters (the synthesis reads it): ``H_s``, ``H_k``
                             (R, L) in BITS, ``M``, ``source``.
* :func:`partition_statistics`  H[s], H[k] in bits, the state counts and the majority-label error
* :func:`kmeans_result`      the same statistics for k-means partitions, k scaled with M (:func:`kmeans_ks`),
                             each k fitted from several random initialisations (one cached entry per k)
* :func:`generation_result`  digits generated from every layer, their classifier labels and the
                             generation ability 1/D(P||Q) (eq. 9)
* :func:`power_laws`         :func:`deepinfo.estimators.power_law_verdict` of every layer (the one
                             power-law rule) and the paper's graphical beta (:func:`bound_slope_beta`)
* :func:`finite_size_point`  the M-dependent claims' statistics at a smaller M (one cached entry per M)
* :func:`schedule_study`     the DBN trained under the chapter's schedule and under the library's
                             ``RECOMMENDED_SCHEDULE``, judged by the criterion stated below (one entry per schedule)
* :func:`run`                all of the above for one preset
* :func:`units`              the expensive cached pieces of a preset, for :mod:`deepinfo.compute`

Training schedule study (issue 14): the criterion, written before the study was run
----------------------------------------------------------------------------------
``deepinfo.models.rbm.RECOMMENDED_SCHEDULE`` was chosen on the 784-30 RBM of Lee & Jo, not on this
chapter's DBN. :func:`schedule_study` trains the chapter's DBN (same M, realisations and seed) under
each schedule of ``Config.schedule_study`` and applies the criterion of :mod:`deepinfo.models.rbm`
unchanged, to every layer of every realisation:

1. **no stuck hidden unit**: no unit of the layer's binary codes (the chapter's read-out, threshold 0.5,
   on the M training images) is on for more than 99% or for fewer than 1% of them (``stuck_units``,
   lo=0.01, hi=0.99); and
2. **the proxy has levelled off**: the layer's pseudo-log-likelihood on 500 evenly spaced samples of its
   own input changed by less than 1% of its value over the last 5 epochs (``levelled_off``, window=5,
   tol=0.01); fewer than 5 passes cannot level off by this rule, exactly 5 compare with the
   untrained start.

A schedule is accepted when every (layer, realisation) passes. Decision (:func:`schedule_decision`):
the chapter adopts the recommended schedule when it is accepted and the current one is not; when both
are accepted it keeps the one with fewer gradient updates; when the recommended one is not accepted it
keeps the current schedule and shows the comparison. Distinct codes, H[k], power laws and generation
play no part in the decision.

Units: H[s], H[k] are in bits everywhere in results and caches (Song et al. eqs. 1-2 with log2);
the figures divide by log2 M at plot time, with M stored beside them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
from tqdm import tqdm  # text bars: no ipywidgets needed in kernels

from ...cache import ResultCache
from ...compute import Unit
from ...data import flip_pixels, shuffle_pixels
from ...device import cpu_threads, resolve_device
from ...estimators import relevance, resolution, state_counts
from ...models.classifier import ClassifierConfig
from ...models.rbm import DBN, RBMTraining, generate

HIDDEN_SIZES = (500, 250, 120, 60, 30, 25, 20, 15, 10, 5)  # Song et al. Fig. 1: H1..H10 (V = 784)
#: trained on MNIST; epoch 0; trained on pixel-shuffled MNIST (Fig. 2a); trained on bit-switched MNIST (Fig. S1)
KINDS = ("trained", "untrained", "shuffled", "flipped")
#: the literal reading of Text S1: 200 mini-batch updates per RBM (:attr:`Config.variant_updates`)
VARIANT = "updates"
#: the training schedules a preset can use (:attr:`Config.schedule`)
SCHEDULES = ("plain", "recommended")
#: the image sets a preset can load (:attr:`Config.dataset`): the paper's MNIST, and Fashion-MNIST for the
#: finite-size study (complete offline, so it reaches the paper's M = 60,000)
DATASETS = ("mnist", "fashion")
M_PAPER = 60000        # Song et al.: M = 60,000 MNIST images
PAPER_FIG2B_K = 4096   # Fig. 2b's k-means partition, k = 2^12: 60,000 / 4,096 = 14.6 images per cluster


@dataclass(frozen=True)
class Config:
    """One preset of the chapter.

    n_data : MNIST training images used (None: all that are available; 10,000 offline, 60,000 with the IDX files)
    epochs : PCD-1 passes over the data per RBM (our reading of the paper's "200 epochs", see the chapter)
    n_realisations : independent DBNs trained together (batched), the paper's 12
    kmeans_log2_k : the paper's k-means grid k = 2^j (j in this tuple) at M = 60,000, scaled to our M so that
        every partition keeps the paper's images per cluster: k = round(2^j M / 60,000) (:func:`kmeans_ks`)
    kmeans_max_iter : passes of MiniBatchKMeans over the data
    kmeans_restarts : independent k-means fits per k (random states seed, seed + 1, ...), all kept
    variant_updates : mini-batch updates per RBM of the literal-Text-S1 variant (None: not run)
    schedule : "plain" (Text S1: constant lr, zero initial biases) or "recommended" (the lr decay and the
        visible-bias initialisation of ``deepinfo.models.rbm.RECOMMENDED_SCHEDULE``, for ``epochs`` passes)
    schedule_study : (schedule, passes) pairs of :func:`schedule_study`, the chapter's current one first;
        () for no study
    finite_size_M : sample sizes of the finite-size study (:func:`finite_size_point`); () for none
    finite_size_fashion_M : the same study on Fashion-MNIST (complete offline, 60,000 images); () for none
    dataset : "mnist" (the paper's) or "fashion" (Fashion-MNIST, the finite-size study only)
    n_generate, n_sweeps : chains per realisation and Gibbs sweeps of the generation (paper: 60,000, 10,000)
    generation_chunk : chains run at once per realisation (memory)
    """

    n_data: int | None
    epochs: int
    n_realisations: int
    kmeans_log2_k: tuple
    kmeans_max_iter: int
    n_generate: int
    n_sweeps: int
    classifier: ClassifierConfig
    hidden_sizes: tuple = HIDDEN_SIZES
    batch_size: int = 100
    lr: float = 0.1
    threshold: float = 0.5
    generation_chunk: int = 2000
    generation_down: str = "sample"
    fig2b_layers: tuple = (3, 6, 9)
    fig2b_kmeans_k: int = 4096
    fig3_layers: tuple = (2, 6, 10)
    kmeans_restarts: int = 1
    variant_updates: int | None = None
    finite_size_M: tuple = ()
    schedule: str = "plain"
    schedule_study: tuple = ()
    finite_size_fashion_M: tuple = ()
    dataset: str = "mnist"

    def __post_init__(self):
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset={self.dataset!r}: expected one of {DATASETS}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule={self.schedule!r}: expected one of {SCHEDULES}")
        for pair in self.schedule_study:
            if len(pair) != 2 or pair[0] not in SCHEDULES or int(pair[1]) < 1:
                raise ValueError(f"schedule_study: expected (schedule, passes) pairs, got {pair!r}")

    @property
    def rbm(self) -> RBMTraining:
        """The PCD-1 training of every RBM of the stack (:attr:`schedule`, ``epochs`` passes)."""
        if self.schedule == "recommended":
            from ...models.rbm import RECOMMENDED_SCHEDULE

            return RBMTraining(**{**RECOMMENDED_SCHEDULE, "epochs": self.epochs, "batch_size": self.batch_size})
        return RBMTraining(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr)

    def epochs_of(self, kind: str, M: int) -> int:
        """PCD-1 passes per RBM for ``kind``: 0 untrained; for the variant, the whole passes closest to
        ``variant_updates`` mini-batch updates of ``batch_size`` images (at least one pass); else ``epochs``."""
        if kind == "untrained":
            return 0
        if kind == VARIANT:
            if not self.variant_updates:
                raise ValueError("this preset runs no literal-Text-S1 variant (variant_updates is None)")
            return max(1, round(self.variant_updates * self.batch_size / int(M)))
        return self.epochs


PRESETS = {
    "smoke": Config(n_data=2000, epochs=2, n_realisations=2, kmeans_log2_k=tuple(range(2, 15)), kmeans_max_iter=3,
                    n_generate=200, n_sweeps=20,
                    classifier=ClassifierConfig(epochs=1, channels=(8, 16), n_hidden=64),
                    kmeans_restarts=2, variant_updates=200, finite_size_M=(500, 1000, 2000),
                    finite_size_fashion_M=(500,),
                    schedule_study=(("plain", 2), ("recommended", 4))),
    "quick": Config(n_data=None, epochs=5, n_realisations=3, kmeans_log2_k=tuple(range(2, 15)),
                    kmeans_max_iter=5, n_generate=500, n_sweeps=100,
                    classifier=ClassifierConfig(epochs=4, channels=(8, 16), n_hidden=64),
                    kmeans_restarts=3, variant_updates=200, finite_size_M=(2500, 5000, 10000),
                    finite_size_fashion_M=(2500, 5000, 10000),
                    schedule_study=(("plain", 5), ("recommended", 20))),
    "full": Config(n_data=None, epochs=200, n_realisations=12, kmeans_log2_k=tuple(range(2, 15)), kmeans_max_iter=10,
                   n_generate=10000, n_sweeps=10000,
                   classifier=ClassifierConfig(epochs=15, channels=(32, 64), n_hidden=256),
                   kmeans_restarts=5, variant_updates=200, finite_size_M=(2500, 5000, 10000, 60000),
                   finite_size_fashion_M=(2500, 5000, 10000, 60000)),
}


RESULT_VERSION = 2  # v2: H_s, H_k in bits (v1 divided by log M), state counts stored, no power-law fit cached
KMEANS_VERSION = 3  # v3: one entry per k with every restart, k scaled with M

# ----------------------------------------------------------------------------------------- data
def load_data(cfg: Config, seed: int = 0):
    """The training images of this preset (MNIST, or Fashion-MNIST when ``cfg.dataset == "fashion"``):
    (x (M, 784) float32 in [0, 1], y (M,), description)."""
    ds = full_dataset(cfg.dataset).subset(cfg.n_data, seed=seed)
    return ds.x, ds.y, ds.describe()


def full_dataset(dataset: str = "mnist"):
    """Every training image of ``dataset`` on this machine (:data:`DATASETS`), as an ImageDataset."""
    from ...data import load_fashion_mnist, load_mnist

    if dataset not in DATASETS:
        raise ValueError(f"dataset={dataset!r}: expected one of {DATASETS}")
    return load_mnist("train") if dataset == "mnist" else load_fashion_mnist("train")


def control_data(x: np.ndarray, kind: str, seed: int = 0) -> np.ndarray:
    """The images a DBN of ``kind`` is trained on and read out with: pixel-shuffled (Fig. 2a), bit-switched
    (Fig. S1: each pixel replaced by 1 - x with probability 1/2), or ``x`` itself
    (:func:`deepinfo.data.shuffle_pixels`, :func:`deepinfo.data.flip_pixels`)."""
    if kind == "shuffled":
        return shuffle_pixels(x, seed + 1)
    if kind == "flipped":
        return flip_pixels(x, 0.5, seed=seed + 1)
    return x


# ---------------------------------------------------------------------------------- statistics
def partition_statistics(labels_or_codes: np.ndarray, y: np.ndarray | None = None) -> dict:
    """Statistics of one partition of the M samples (codes (M, n) or cluster ids (M,)).

    ``H_s`` = H[s] and ``H_k`` = H[k] in BITS (Song et al. eqs. 1-2), ``n_states``, ``counts``
    (the state frequencies k_s, int64) and, given labels ``y``, ``error``: the majority-label error
    (Fig. 2d, :func:`deepinfo.estimators.hidden_state_error`).
    """
    from ...estimators import hidden_state_error

    codes = np.asarray(labels_or_codes)
    if codes.ndim == 1:
        codes = codes[:, None]
    counts = state_counts(codes)
    out = dict(H_s=resolution(counts), H_k=relevance(counts), n_states=float(len(counts)),
               counts=np.asarray(counts, dtype=np.int64))
    if y is not None:
        out["error"] = float(hidden_state_error(codes, y))
    return out


def layer_statistics(codes: list, y: np.ndarray) -> dict:
    """Per-layer, per-realisation statistics of a DBN's codes [H1..HL], each (R, M, n_l).

    Returns ``H_s``, ``H_k`` (bits), ``n_states``, ``error`` as arrays of shape (R, L) and
    ``counts[l][r]`` the state counts of layer l + 1 in realisation r.
    """
    L, R = len(codes), codes[0].shape[0]
    rows = [[partition_statistics(np.asarray(codes[l][r]), y) for l in range(L)] for r in range(R)]
    out = {key: np.array([[rows[r][l][key] for l in range(L)] for r in range(R)], dtype=float)
           for key in ("H_s", "H_k", "n_states", "error")}
    out["counts"] = [[rows[r][l]["counts"] for r in range(R)] for l in range(L)]
    return out


# ---------------------------------------------------------------------------------------- DBNs
def _train_key(cfg: Config, kind: str, seed: int, source: str, M: int | None = None) -> dict:
    """The training key of a DBN of ``kind`` (``M`` is needed for the variant only, whose passes depend on it)."""
    epochs = cfg.epochs_of(kind, M) if kind == VARIANT else (0 if kind == "untrained" else cfg.epochs)
    key = {"kind": kind, "seed": seed, "source": source, "n_data": cfg.n_data, "hidden_sizes": list(cfg.hidden_sizes),
           "epochs": epochs, "R": cfg.n_realisations, "batch_size": cfg.batch_size, "lr": cfg.lr}
    if kind == VARIANT:
        key["updates"] = cfg.variant_updates
    if cfg.schedule != "plain" and kind != "untrained":   # plain keys as before the schedule study
        key["training"] = asdict(replace(cfg.rbm, epochs=epochs))
    return key


def dbn_stats_key(cfg: Config, kind: str, seed: int, source: str, M: int) -> tuple[str, dict]:
    """The cache entry (name, config) :func:`dbn_result` fills: shared by the runner and its unit."""
    return "rr_dbn_stats", dict(_train_key(cfg, kind, seed, source, M), threshold=cfg.threshold, v=RESULT_VERSION,
                                stats_v=3)   # stats v3: stuck-unit shares stored


def train_dbn(cfg: Config, kind: str, seed: int = 0, device="auto", cache: ResultCache | None = None,
              progress: bool = True) -> DBN:
    """The DBN of ``kind`` ("trained", "untrained", "shuffled"), trained once per config and cached.

    The untrained DBN has the same initial weights as the trained one (the paper's epoch 0).
    A checkpoint is saved after every layer; an interrupted run resumes from it.
    """
    if kind not in (*KINDS, VARIANT):
        raise ValueError(f"kind={kind!r}: expected one of {(*KINDS, VARIANT)}")
    dev = resolve_device(device)
    cache = cache or ResultCache()
    x, _, source = load_data(cfg, seed)
    M = len(x)
    x = control_data(x, kind, seed)
    key = _train_key(cfg, kind, seed, source, M)
    rbm_cfg = replace(cfg.rbm, epochs=cfg.epochs_of(kind, M))
    ckpt = cache.checkpoint("rr_dbn", key)

    def compute():
        state = ckpt.load()
        resume = DBN.from_state(state, dev) if state else None
        dbn = DBN.train(torch.as_tensor(x), list(cfg.hidden_sizes), rbm_cfg, cfg.n_realisations, seed, dev,
                        progress=progress, resume=resume, on_layer=lambda d: ckpt.save(d.state()))
        ckpt.clear()
        return dbn.state()

    with cpu_threads(dev):
        return DBN.from_state(cache.get_or_compute("rr_dbn", key, compute), dev)


def dbn_result(cfg: Config, kind: str, seed: int = 0, device="auto", cache: ResultCache | None = None,
               progress: bool = True) -> dict:
    """Statistics of every layer of the DBN of ``kind`` on the data it was trained on (untrained: MNIST).

    ``kind``: one of :data:`KINDS` or :data:`VARIANT` (trained for ``cfg.variant_updates`` mini-batch updates).
    Keys: those of :func:`layer_statistics` (``H_s``, ``H_k`` in bits, ``n_states``, ``error``, each
    (R, L); ``counts[l][r]``), ``stuck`` (R, L) the share of each layer's units that are stuck (on for more
    than 99% or fewer than 1% of the images, :func:`deepinfo.models.rbm.stuck_units`), plus ``M`` (images),
    ``source``, ``kind`` and ``epochs`` (passes per RBM).
    """
    from ...models.rbm import stuck_units

    cache = cache or ResultCache()
    dev = resolve_device(device)
    x, y, source = load_data(cfg, seed)

    def compute():
        dbn = train_dbn(cfg, kind, seed, dev, cache, progress)
        codes = [c.cpu().numpy() for c in dbn.codes(torch.as_tensor(control_data(x, kind, seed)), cfg.threshold)]
        out = layer_statistics(codes, y)
        out["stuck"] = np.array([[stuck_units(c[r])["share"] for c in codes] for r in range(codes[0].shape[0])])
        out.update(M=len(x), source=source, kind=kind, epochs=cfg.epochs_of(kind, len(x)))
        return out

    return cache.get_or_compute(*dbn_stats_key(cfg, kind, seed, source, len(x)), compute)


def dbn_layers(cfg: Config, kind: str = "trained", seed: int = 0, device="auto", cache: ResultCache | None = None,
               progress: bool = False) -> dict:
    """Per-layer resolution and relevance of the DBN of ``kind``, for other chapters (the synthesis).

    Returns ``H_s``, ``H_k``: arrays (R, L) in BITS (realisations x layers H1..HL), ``M`` (the number of
    images, so that a figure can divide by log2 M), ``source`` (the data set's description),
    ``hidden_sizes`` and ``n_realisations``.
    """
    res = dbn_result(cfg, kind, seed, device, cache, progress)
    return {"H_s": np.asarray(res["H_s"]), "H_k": np.asarray(res["H_k"]), "M": int(res["M"]),
            "source": res["source"], "hidden_sizes": tuple(cfg.hidden_sizes), "n_realisations": cfg.n_realisations}


# ------------------------------------------------------------------------------------- k-means
def kmeans_ks(cfg: Config, M: int) -> list[int]:
    """The k-means partitions for M images, at the paper's images per cluster.

    The paper runs k = 2^j (j = 2..14) on M = 60,000 images; we keep each partition's mean cluster size
    60,000 / 2^j by scaling k with M: k = round(2^j M / 60,000) for j in ``cfg.kmeans_log2_k``, plus the
    Fig. 2b partition :func:`fig2b_k` (the paper's 2^12, 14.6 images per cluster), keeping 2 <= k <= M / 2;
    sorted, without repeats.
    """
    ks = {int(round(2 ** j * M / M_PAPER)) for j in cfg.kmeans_log2_k} | {fig2b_k(cfg, M)}
    return sorted(k for k in ks if 2 <= k <= M // 2)


def fig2b_k(cfg: Config, M: int) -> int:
    """The k of Fig. 2b's k-means partition at M images: ``cfg.fig2b_kmeans_k`` scaled by M / 60,000 (the
    paper's 4,096 clusters of 60,000 images: 14.6 images per cluster), at least 2."""
    return max(2, int(round(cfg.fig2b_kmeans_k * M / M_PAPER)))


def kmeans_key(cfg: Config, k: int, seed: int, source: str) -> tuple[str, dict]:
    """The cache entry (name, config) :func:`kmeans_partition` fills: shared by the runner and its unit."""
    return "rr_kmeans_fit", {"k": int(k), "restarts": cfg.kmeans_restarts, "max_iter": cfg.kmeans_max_iter,
                             "seed": seed, "source": source, "n_data": cfg.n_data, "v": KMEANS_VERSION}


def kmeans_partition(cfg: Config, k: int, seed: int = 0, cache: ResultCache | None = None) -> dict:
    """``cfg.kmeans_restarts`` k-means partitions of the images into k clusters (scikit-learn MiniBatchKMeans,
    batch 1024, k-means++ initialisation for k <= 256, random above; restart r uses random state seed + r).

    Returns ``H_s``, ``H_k`` (bits), ``n_states``, ``error``, each (restarts,), and ``counts[r]`` the cluster
    sizes of restart r.
    """
    from sklearn.cluster import MiniBatchKMeans

    cache = cache or ResultCache()
    x, y, source = load_data(cfg, seed)

    def compute():
        rows = []
        for r in range(cfg.kmeans_restarts):
            km = MiniBatchKMeans(n_clusters=k, batch_size=1024, max_iter=cfg.kmeans_max_iter, n_init=1,
                                 init="k-means++" if k <= 256 else "random", random_state=seed + r,
                                 init_size=max(3 * 1024, 2 * k) if k <= len(x) // 2 else None)
            rows.append(partition_statistics(km.fit_predict(x), y))
        out = {key_: np.array([r[key_] for r in rows], dtype=float) for key_ in ("H_s", "H_k", "n_states", "error")}
        out["counts"] = [r["counts"] for r in rows]
        return out

    with cpu_threads("cpu"):
        return cache.get_or_compute(*kmeans_key(cfg, k, seed, source), compute)


def kmeans_result(cfg: Config, seed: int = 0, cache: ResultCache | None = None, progress: bool = True) -> dict:
    """Every k-means partition of :func:`kmeans_ks` (:func:`kmeans_partition`, cached per k).

    Arrays over ``k``: ``H_s``, ``H_k`` (bits, mean over the restarts), ``n_states``, ``error``; ``H_s_restarts``,
    ``H_k_restarts`` (n_k, restarts); ``counts[i]`` the cluster sizes of ``k[i]`` in restart 0 and
    ``counts_restarts[i][r]`` those of every restart; ``M``; ``restarts``; ``fig2b_k`` (:func:`fig2b_k`)."""
    cache = cache or ResultCache()
    x, _, _ = load_data(cfg, seed)
    ks = kmeans_ks(cfg, len(x))
    parts = [kmeans_partition(cfg, k, seed, cache) for k in (tqdm(ks, desc="k-means", leave=False) if progress else ks)]
    out = {key_: np.array([p[key_].mean() for p in parts]) for key_ in ("H_s", "H_k", "n_states", "error")}
    out.update(H_s_restarts=np.stack([p["H_s"] for p in parts]), H_k_restarts=np.stack([p["H_k"] for p in parts]),
               k=np.array(ks), counts=[p["counts"][0] for p in parts], counts_restarts=[p["counts"] for p in parts],
               M=len(x), restarts=cfg.kmeans_restarts, fig2b_k=fig2b_k(cfg, len(x)))
    return out


# ---------------------------------------------------------------------------------- generation
def _generation_ability(p_labels: np.ndarray, q_labels: np.ndarray) -> float:
    """1 / D(P||Q) of the label distributions (eq. 9), in 1/bits, over the ten digits."""
    from ...estimators import generation_ability

    return float(generation_ability(p_labels, q_labels, n_classes=10))


def generation_key(cfg: Config, seed: int, source: str) -> tuple[str, dict]:
    """The cache entry (name, config) :func:`generation_result` fills: shared by the runner and its unit."""
    return "rr_generation", dict(_train_key(cfg, "trained", seed, source), n_generate=cfg.n_generate,
                                 n_sweeps=cfg.n_sweeps, chunk=cfg.generation_chunk, down=cfg.generation_down,
                                 classifier=asdict(cfg.classifier), fig3=list(cfg.fig3_layers))


def generation_result(cfg: Config, seed: int = 0, device="auto", cache: ResultCache | None = None,
                      progress: bool = True, n_images: int = 40) -> dict:
    """Digits generated from every hidden layer of the trained DBN, labelled by the classifier.

    Returns ``labels`` (R, L, n_generate) the classifier's labels of the generated samples,
    ``label_freq`` (R, L, 10) their frequencies Q, ``train_freq`` (10,) the frequencies P of the
    training labels, ``ability`` (R, L) = 1/D(P||Q) in 1/bits (eq. 9, computed from the cached
    labels by :func:`deepinfo.estimators.generation_ability`), ``images[l]`` (n_images, 784) from
    realisation 0 for the layers of Fig. 3a-c, and ``classifier``, the classifier's measured error.
    """
    from ...models.classifier import predict, trained_classifier

    cache = cache or ResultCache()
    dev = resolve_device(device)
    x, y, source = load_data(cfg, seed)

    def compute():
        dbn = train_dbn(cfg, "trained", seed, dev, cache, progress)
        clf, info = trained_classifier(cfg.classifier, seed=seed, device=dev, cache=cache, progress=progress)
        L, R = len(dbn.layers), dbn.R
        labels = np.zeros((R, L, cfg.n_generate), dtype=np.int64)
        images = {}
        for l in (tqdm(range(1, L + 1), desc="generation", leave=False) if progress else range(1, L + 1)):
            v = generate(dbn, l, cfg.n_generate, cfg.n_sweeps, seed=seed + 17 * l, device=dev,
                         down=cfg.generation_down, chunk=cfg.generation_chunk)
            labels[:, l - 1] = predict(clf, v)  # (R, n)
            if l in cfg.fig3_layers:
                images[int(l)] = v[0, :n_images].numpy()
        return dict(labels=labels, images=images, classifier=info)

    with cpu_threads(dev):
        out = dict(cache.get_or_compute(*generation_key(cfg, seed, source), compute))
    labels = out["labels"]
    R, L, _ = labels.shape
    out["label_freq"] = np.stack([[np.bincount(labels[r, l], minlength=10)[:10] / labels.shape[2] for l in range(L)]
                                  for r in range(R)])
    out["train_freq"] = np.bincount(y, minlength=10) / len(y)
    out["ability"] = np.array([[_generation_ability(y, labels[r, l]) for l in range(L)] for r in range(R)])
    return out


# ---------------------------------------------------------------------------------- power laws
def power_law(counts, seed: int = 0):
    """The one power-law rule of the book on one partition's state counts:
    :func:`deepinfo.estimators.power_law_verdict` (seeded bootstrap)."""
    from ...estimators import power_law_verdict

    return power_law_verdict(np.asarray(counts), rng=seed)


def power_laws(stats: dict, seed: int = 0) -> dict:
    """Power-law verdicts of every partition of a DBN (``counts[l][r]``) or k-means (``counts[i]``) result.

    Returns ``verdicts`` (nested like ``counts``), ``beta``, ``beta_se`` (the fitted exponent of
    m_k ~ k^(-beta-1) and its error; NaN where no fit) and ``bound_beta``: the paper's graphical
    estimate, minus the slope of the maximal-relevance curve at the partition's H[s]
    (:func:`deepinfo.estimators.bound_slope_beta`), all shaped like ``stats["H_s"]``.
    """
    from ...estimators import bound_slope_beta

    M = int(stats["M"])
    H_s = np.asarray(stats["H_s"], dtype=float)
    if H_s.ndim == 2:   # DBN: (R, L), counts[l][r]
        R, L = H_s.shape
        verdicts = [[power_law(stats["counts"][l][r], seed) for l in range(L)] for r in range(R)]
    else:               # k-means: (n_k,), counts[i]
        verdicts = [power_law(c, seed) for c in stats["counts"]]
    flat = np.array(verdicts, dtype=object)
    beta = np.vectorize(lambda v: v.beta, otypes=[float])(flat)
    beta_se = np.vectorize(lambda v: v.beta_se, otypes=[float])(flat)
    bound_beta = np.asarray(bound_slope_beta(np.clip(H_s, 0, np.log2(M)), M), dtype=float)
    return {"verdicts": verdicts, "beta": beta, "beta_se": beta_se, "bound_beta": bound_beta}


# ------------------------------------------------------------------------------ finite size
def finite_size_config(cfg: Config, M: int, n_available: int) -> Config:
    """The preset at M images: ``cfg`` itself when M is its own sample size, else ``n_data = M``.
    Raises if M exceeds the ``n_available`` images."""
    own = n_available if cfg.n_data is None else min(cfg.n_data, n_available)
    if M > n_available:
        raise ValueError(f"finite size M = {M}: only {n_available} images are available")
    return cfg if M == own else replace(cfg, n_data=int(M))


def finite_size_key(cfg: Config, M: int, seed: int, source: str) -> tuple[str, dict]:
    """The cache entry (name, config) :func:`finite_size_point` fills: shared by the runner and its unit."""
    return "rr_finite_size", dict(_train_key(cfg, "trained", seed, source), M=int(M), threshold=cfg.threshold,
                                  kmeans=kmeans_key(cfg, 0, seed, source)[1], ks=kmeans_ks(cfg, int(M)), v=1)


def finite_size_point(cfg: Config, M: int, seed: int = 0, device="auto", cache: ResultCache | None = None,
                      progress: bool = False, dataset: str = "mnist") -> dict:
    """The statistics of the M-dependent claims at M images of ``dataset`` (the trained DBN and the k-means
    partitions of :func:`finite_size_config`), cached per (data set, M): ``{claim id: {"value", "lo", "hi",
    "status", "reason"}}`` (:func:`claims.finite_size_statistics`), plus ``M``, ``dataset`` and ``source``."""
    from . import claims

    cache = cache or ResultCache()
    base = replace(cfg, dataset=dataset)
    cm = finite_size_config(base, M, full_dataset(dataset).M)
    _, _, source = load_data(cm, seed)

    def compute():
        tr = dict(dbn_result(cm, "trained", seed, device, cache, progress))
        tr["power_law"] = power_laws(tr, seed)
        km = dict(kmeans_result(cm, seed, cache, progress))
        km["power_law"] = power_laws(km, seed)
        km["fig2b_verdicts"] = fig2b_restart_verdicts(km, seed)
        out = claims.finite_size_statistics({"trained": tr, "kmeans": km, "M": int(tr["M"])})
        return {"claims": out, "M": int(tr["M"]), "source": source}

    out = dict(cache.get_or_compute(*finite_size_key(cm, M, seed, source), compute))
    out["dataset"] = dataset
    return out


def finite_size_Ms(cfg: Config, dataset: str = "mnist") -> list[int]:
    """The M of the finite-size study on ``dataset`` that the data on this machine hold (in order)."""
    Ms = cfg.finite_size_M if dataset == "mnist" else cfg.finite_size_fashion_M
    n = full_dataset(dataset).M
    return [int(M) for M in Ms if M <= n]


def finite_size_result(cfg: Config, seed: int = 0, device="auto", cache: ResultCache | None = None,
                       progress: bool = False, dataset: str = "mnist") -> list[dict]:
    """:func:`finite_size_point` for every M of :func:`finite_size_Ms` (in that order)."""
    return [finite_size_point(cfg, M, seed, device, cache, progress, dataset) for M in finite_size_Ms(cfg, dataset)]


def fig2b_restart_verdicts(km: dict, seed: int = 0) -> list:
    """:func:`power_law` of the Fig. 2b k-means partition in every restart of a :func:`kmeans_result`."""
    i = int(np.flatnonzero(np.asarray(km["k"]) == km["fig2b_k"])[0])
    return [power_law(c, seed) for c in km["counts_restarts"][i]]


# ------------------------------------------------------------------------------ schedule study
STUDY_MONITOR, STUDY_WINDOW, STUDY_TOL, STUCK_LO, STUCK_HI = 500, 5, 0.01, 0.01, 0.99  # the criterion (above)


def study_config(cfg: Config, schedule: str, passes: int) -> Config:
    """The preset trained under ``schedule`` for ``passes`` passes per RBM (everything else as ``cfg``)."""
    return replace(cfg, schedule=schedule, epochs=int(passes), schedule_study=())


def schedule_study_key(cfg: Config, schedule: str, passes: int, seed: int, source: str) -> tuple[str, dict]:
    """The cache entry (name, config) :func:`schedule_study_point` fills: shared by the runner and its unit."""
    cs = study_config(cfg, schedule, passes)
    return "rr_schedule_study", dict(_train_key(cs, "trained", seed, source), schedule=schedule,
                                     training=asdict(cs.rbm), threshold=cfg.threshold, monitor=STUDY_MONITOR,
                                     window=STUDY_WINDOW, tol=STUDY_TOL, lo=STUCK_LO, hi=STUCK_HI, v=1)


def schedule_study_point(cfg: Config, schedule: str, passes: int, seed: int = 0, device="auto",
                         cache: ResultCache | None = None, progress: bool = False) -> dict:
    """The chapter's DBN trained under ``schedule`` for ``passes`` passes per RBM, with the likelihood proxy
    recorded after every pass, judged by the criterion of the module docstring.

    Returns, each (R, L) over realisations and layers: ``n_stuck`` and ``stuck`` (count and share of stuck
    units in the binary codes), ``pll_change`` (relative change of the pseudo-log-likelihood over the last
    ``STUDY_WINDOW`` passes; NaN when there are fewer), ``levelled`` and ``passes_criterion`` (bools); and
    ``pll_nats`` [layer] (records, R: before training and after every pass, or every 5th pass when the
    passes are a multiple of 5), ``accepted`` (every layer and realisation passes),
    ``gradient_updates`` (per RBM), ``seconds`` (training, without the proxy), ``schedule``, ``passes``,
    ``training`` (the RBMTraining fields), ``M``. Distinct codes per (R, L) are stored as ``n_states``
    for the record only. The trained stack is also stored as the chapter's DBN of that schedule
    (:func:`train_dbn`'s cache entry), so adopting it costs no second training.
    """
    import time

    from ...models.rbm import levelled_off, relative_change, stuck_units

    cache = cache or ResultCache()
    dev = resolve_device(device)
    cs = study_config(cfg, schedule, passes)
    x, _, source = load_data(cs, seed)
    M = len(x)

    def compute():
        # the criterion compares the proxy after the last pass with 5 passes earlier: recording every 5th
        # pass gives the same two numbers (monitoring draws no random numbers) at a fifth of the cost
        every = STUDY_WINDOW if int(passes) % STUDY_WINDOW == 0 else 1
        window = STUDY_WINDOW // every
        t0 = time.perf_counter()
        dbn = DBN.train(torch.as_tensor(x), list(cs.hidden_sizes), cs.rbm, cs.n_realisations, seed, dev,
                        progress=progress, monitor=STUDY_MONITOR, monitor_every=every)
        seconds = time.perf_counter() - t0 - sum(l.history["monitor_seconds"] for l in dbn.layers)
        cache.get_or_compute("rr_dbn", _train_key(cs, "trained", seed, source, M), dbn.state)
        codes = [c.cpu().numpy() for c in dbn.codes(torch.as_tensor(x), cs.threshold)]
        R, L = codes[0].shape[0], len(codes)
        n_stuck = np.array([[stuck_units(codes[l][r], STUCK_LO, STUCK_HI)["n_stuck"] for l in range(L)]
                            for r in range(R)], dtype=float)
        sizes = np.array(cs.hidden_sizes, dtype=float)
        pll = [np.asarray(l.history["pll_nats"], dtype=float) for l in dbn.layers]       # (passes + 1, R)
        change = np.stack([np.atleast_1d(relative_change(p, window)) for p in pll], axis=1)  # (R, L)
        level = np.stack([np.atleast_1d(levelled_off(p, window, STUDY_TOL)) for p in pll], axis=1)
        if int(passes) < STUDY_WINDOW:     # fewer passes than the window: the proxy cannot have levelled off
            change, level = np.full_like(change, np.nan), np.zeros_like(level)
        ok = (n_stuck == 0) & level
        n_states = np.array([[len(state_counts(codes[l][r])) for l in range(L)] for r in range(R)], dtype=float)
        return dict(n_stuck=n_stuck, stuck=n_stuck / sizes[None, :], pll_change=change, levelled=level,
                    passes_criterion=ok, accepted=bool(ok.all()), pll_nats=pll, n_states=n_states,
                    gradient_updates=int(passes) * (M // cs.batch_size), seconds=float(seconds),
                    schedule=schedule, passes=int(passes), training=asdict(cs.rbm), M=M)

    with cpu_threads(dev):
        return cache.get_or_compute(*schedule_study_key(cfg, schedule, passes, seed, source), compute)


def schedule_study(cfg: Config, seed: int = 0, device="auto", cache: ResultCache | None = None,
                   progress: bool = False) -> list[dict]:
    """:func:`schedule_study_point` for every (schedule, passes) of ``cfg.schedule_study`` (current first)."""
    return [schedule_study_point(cfg, s, n, seed, device, cache, progress) for s, n in cfg.schedule_study]


def schedule_decision(points: list[dict]) -> dict:
    """The decision rule of the module docstring on :func:`schedule_study`'s points (current first, then
    the recommended one): ``{"adopt": bool, "chosen": index, "reason": str}``."""
    if len(points) != 2:
        raise ValueError(f"schedule_decision: expected the current and the recommended schedule, got {len(points)}")
    cur, rec = points
    if rec["accepted"] and not cur["accepted"]:
        return {"adopt": True, "chosen": 1, "reason": "the recommended schedule passes the criterion in every "
                "layer and realisation and the current one does not"}
    if rec["accepted"] and cur["accepted"]:
        cheaper = 1 if rec["gradient_updates"] < cur["gradient_updates"] else 0
        return {"adopt": bool(cheaper), "chosen": cheaper, "reason": "both schedules pass the criterion; the one "
                "with fewer gradient updates is kept"}
    return {"adopt": False, "chosen": 0, "reason": "the recommended schedule does not pass the criterion in every "
            "layer and realisation" + ("" if not cur["accepted"] else ", and the current one does")}


# ----------------------------------------------------------------------------------------- all
def run(cfg: Config, seed: int = 0, device="auto", cache: ResultCache | None = None, progress: bool = True) -> dict:
    """Everything the chapter plots and decides.

    ``trained``/``untrained``/``shuffled`` (:func:`dbn_result`, each with ``power_law`` =
    :func:`power_laws` of its layers), ``kmeans`` (:func:`kmeans_result`, with ``power_law``),
    ``generation`` (:func:`generation_result`), ``finite_size`` (:func:`finite_size_result`), ``updates``
    (the literal-Text-S1 variant, when the preset runs it), ``M`` (images), ``source``, and ``bound`` = (H_s, H_k)
    of the maximal-relevance curve for M, in bits. All entropies are in bits.
    """
    from ...estimators import max_relevance_curve

    cache = cache or ResultCache()
    kinds = (*KINDS, VARIANT) if cfg.variant_updates else KINDS
    out = {kind: dict(dbn_result(cfg, kind, seed, device, cache, progress)) for kind in kinds}
    out["kmeans"] = dict(kmeans_result(cfg, seed, cache, progress))
    for key in (*kinds, "kmeans"):
        out[key]["power_law"] = power_laws(out[key], seed)
    out["kmeans"]["fig2b_verdicts"] = fig2b_restart_verdicts(out["kmeans"], seed)
    out["generation"] = generation_result(cfg, seed, device, cache, progress)
    out["finite_size"] = finite_size_result(cfg, seed, device, cache, progress=False)
    out["finite_size_fashion"] = finite_size_result(cfg, seed, device, cache, progress=False, dataset="fashion")
    out["schedule_study"] = schedule_study(cfg, seed, device, cache)
    M = int(out["trained"]["M"])
    H_s, H_k = max_relevance_curve(M)
    out.update(bound=(np.asarray(H_s), np.asarray(H_k)), M=M, source=out["trained"]["source"])
    return out


# ----------------------------------------------------------------------------------- units
def units(cfg: Config, seed: int = 0, device: str = "auto") -> list[Unit]:
    """The expensive cached pieces of the preset (:mod:`deepinfo.compute`): one DBN per kind (its R
    realisations train together as one batched computation), the variant when the preset runs it, one
    k-means entry per k (all restarts), the generation runs (with the digit classifier they need) and one
    finite-size point per M. Each unit's ``(cache_name, cache_config)`` comes from the key helper its runner
    uses. DBNs and generation ask for a GPU (``resources``); k-means runs on the CPU."""
    x, _, source = load_data(cfg, seed)
    M = len(x)
    gpu = (("GPU", 1),)
    out = []
    for kind in ((*KINDS, VARIANT) if cfg.variant_updates else KINDS):
        name, key = dbn_stats_key(cfg, kind, seed, source, M)
        out.append(Unit(chapter="resolution_relevance", name=f"DBN {kind} ({cfg.n_realisations} realisations, M = {M})",
                        cache_name=name, cache_config=key, fn=dbn_result, args=(cfg, kind, seed, device),
                        kwargs={"progress": False}, resources=gpu))
    for k in kmeans_ks(cfg, M):
        name, key = kmeans_key(cfg, k, seed, source)
        out.append(Unit(chapter="resolution_relevance", name=f"k-means k = {k} ({cfg.kmeans_restarts} restarts)",
                        cache_name=name, cache_config=key, fn=kmeans_partition, args=(cfg, k, seed)))
    name, key = generation_key(cfg, seed, source)
    out.append(Unit(chapter="resolution_relevance", name="generation from every layer", cache_name=name,
                    cache_config=key, fn=generation_result, args=(cfg, seed, device), kwargs={"progress": False},
                    resources=gpu))
    for dataset in DATASETS:
        base = replace(cfg, dataset=dataset)
        n_available = full_dataset(dataset).M
        for Mf in finite_size_Ms(cfg, dataset):
            cm = finite_size_config(base, Mf, n_available)
            name, key = finite_size_key(cm, Mf, seed, load_data(cm, seed)[2])
            what = "" if dataset == "mnist" else " (Fashion-MNIST)"
            out.append(Unit(chapter="resolution_relevance", name=f"finite size M = {Mf}{what}", cache_name=name,
                            cache_config=key, fn=finite_size_point, args=(cfg, Mf, seed, device),
                            kwargs={"dataset": dataset}, resources=gpu))
    for sched, passes in cfg.schedule_study:
        name, key = schedule_study_key(cfg, sched, passes, seed, source)
        out.append(Unit(chapter="resolution_relevance", name=f"schedule study: {sched}, {passes} passes",
                        cache_name=name, cache_config=key, fn=schedule_study_point,
                        args=(cfg, sched, passes, seed, device), resources=gpu))
    return out
