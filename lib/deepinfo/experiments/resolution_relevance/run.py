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
* :func:`kmeans_result`      the same statistics for k-means partitions, k = 2^2 .. 2^14 capped at M/2
* :func:`generation_result`  digits generated from every layer, their classifier labels and the
                             generation ability 1/D(P||Q) (eq. 9)
* :func:`power_laws`         :func:`deepinfo.estimators.power_law_verdict` of every layer (the one
                             power-law rule) and the paper's graphical beta (:func:`bound_slope_beta`)
* :func:`run`                all of the above for one preset

Units: H[s], H[k] are in bits everywhere in results and caches (Song et al. eqs. 1-2 with log2);
the figures divide by log2 M at plot time, with M stored beside them.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
from tqdm import tqdm  # text bars: no ipywidgets needed in kernels

from ...cache import ResultCache
from ...device import cpu_threads, resolve_device
from ...estimators import relevance, resolution, state_counts
from ...models.classifier import ClassifierConfig
from ...models.rbm import DBN, RBMTraining, generate

HIDDEN_SIZES = (500, 250, 120, 60, 30, 25, 20, 15, 10, 5)  # Song et al. Fig. 1: H1..H10 (V = 784)
KINDS = ("trained", "untrained", "shuffled")


@dataclass(frozen=True)
class Config:
    """One preset of the chapter.

    n_data : MNIST training images used (None: all that are available; 10,000 offline, 60,000 with the IDX files)
    epochs : PCD-1 passes over the data per RBM (our reading of the paper's "200 epochs", see the chapter)
    n_realisations : independent DBNs trained together (batched), the paper's 12
    kmeans_log2_k : k-means partitions k = 2^j for j in this tuple, keeping k <= M / 2
    kmeans_max_iter : passes of MiniBatchKMeans over the data
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

    @property
    def rbm(self) -> RBMTraining:
        return RBMTraining(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr)


PRESETS = {
    "smoke": Config(n_data=2000, epochs=2, n_realisations=2, kmeans_log2_k=(2, 4, 6, 8), kmeans_max_iter=3,
                    n_generate=200, n_sweeps=20,
                    classifier=ClassifierConfig(epochs=1, channels=(8, 16), n_hidden=64)),
    "quick": Config(n_data=None, epochs=5, n_realisations=3, kmeans_log2_k=(2, 4, 6, 8, 10, 12), kmeans_max_iter=5,
                    n_generate=500, n_sweeps=100,
                    classifier=ClassifierConfig(epochs=4, channels=(8, 16), n_hidden=64)),
    "full": Config(n_data=None, epochs=200, n_realisations=12, kmeans_log2_k=tuple(range(2, 15)), kmeans_max_iter=10,
                   n_generate=10000, n_sweeps=10000,
                   classifier=ClassifierConfig(epochs=15, channels=(32, 64), n_hidden=256)),
}


RESULT_VERSION = 2  # v2: H_s, H_k in bits (v1 divided by log M), state counts stored, no power-law fit cached

# ----------------------------------------------------------------------------------------- data
def load_data(cfg: Config, seed: int = 0):
    """The MNIST training images of this preset: (x (M, 784) float32 in [0, 1], y (M,), description)."""
    from ...data import load_mnist

    ds = load_mnist("train").subset(cfg.n_data, seed=seed)
    return ds.x, ds.y, ds.describe()


def shuffle_pixels(x: np.ndarray, seed: int = 0) -> np.ndarray:
    """Each row's pixels permuted by its own random permutation (Fig. 2a "shuffled MNIST")."""
    return np.random.default_rng(seed).permuted(np.asarray(x), axis=1)


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
def _train_key(cfg: Config, kind: str, seed: int, source: str) -> dict:
    return {"kind": kind, "seed": seed, "source": source, "n_data": cfg.n_data, "hidden_sizes": list(cfg.hidden_sizes),
            "epochs": 0 if kind == "untrained" else cfg.epochs, "R": cfg.n_realisations,
            "batch_size": cfg.batch_size, "lr": cfg.lr}


def train_dbn(cfg: Config, kind: str, seed: int = 0, device="auto", cache: ResultCache | None = None,
              progress: bool = True) -> DBN:
    """The DBN of ``kind`` ("trained", "untrained", "shuffled"), trained once per config and cached.

    The untrained DBN has the same initial weights as the trained one (the paper's epoch 0).
    A checkpoint is saved after every layer; an interrupted run resumes from it.
    """
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r}: expected one of {KINDS}")
    dev = resolve_device(device)
    cache = cache or ResultCache()
    x, _, source = load_data(cfg, seed)
    if kind == "shuffled":
        x = shuffle_pixels(x, seed + 1)
    key = _train_key(cfg, kind, seed, source)
    rbm_cfg = replace(cfg.rbm, epochs=0) if kind == "untrained" else cfg.rbm
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

    Keys: those of :func:`layer_statistics` (``H_s``, ``H_k`` in bits, ``n_states``, ``error``, each
    (R, L); ``counts[l][r]``), plus ``M`` (images), ``source`` and ``kind``.
    """
    cache = cache or ResultCache()
    dev = resolve_device(device)
    x, y, source = load_data(cfg, seed)
    key = dict(_train_key(cfg, kind, seed, source), threshold=cfg.threshold, v=RESULT_VERSION)

    def compute():
        dbn = train_dbn(cfg, kind, seed, dev, cache, progress)
        data = shuffle_pixels(x, seed + 1) if kind == "shuffled" else x
        codes = [c.cpu().numpy() for c in dbn.codes(torch.as_tensor(data), cfg.threshold)]
        out = layer_statistics(codes, y)
        out.update(M=len(x), source=source, kind=kind)
        return out

    return cache.get_or_compute("rr_dbn_stats", key, compute)


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
    """k = 2^j for j in ``cfg.kmeans_log2_k`` with k <= M / 2 (at least two samples per cluster on average)."""
    return [2 ** j for j in cfg.kmeans_log2_k if 2 ** j <= M // 2]


def kmeans_result(cfg: Config, seed: int = 0, cache: ResultCache | None = None, progress: bool = True) -> dict:
    """k-means partitions of the images (scikit-learn MiniBatchKMeans, batch 1024, k-means++ init
    for k <= 256, random init above, one initialisation), each k one partition: arrays over ``k``
    of ``H_s``, ``H_k`` (bits), ``n_states``, ``error``; ``counts[i]`` the cluster sizes of ``k[i]``;
    ``M``; ``fig2b_k``, the k closest to ``cfg.fig2b_kmeans_k`` (the partition of Fig. 2b)."""
    from sklearn.cluster import MiniBatchKMeans

    cache = cache or ResultCache()
    x, y, source = load_data(cfg, seed)
    ks = kmeans_ks(cfg, len(x))
    key = {"ks": ks, "max_iter": cfg.kmeans_max_iter, "seed": seed, "source": source, "n_data": cfg.n_data,
           "v": RESULT_VERSION}

    def compute():
        rows = []
        k2b = min(ks, key=lambda k: abs(math.log2(k) - math.log2(cfg.fig2b_kmeans_k)))
        for k in (tqdm(ks, desc="k-means", leave=False) if progress else ks):
            km = MiniBatchKMeans(n_clusters=k, batch_size=1024, max_iter=cfg.kmeans_max_iter, n_init=1,
                                 init="k-means++" if k <= 256 else "random", random_state=seed,
                                 init_size=max(3 * 1024, 2 * k) if k <= len(x) // 2 else None)
            lab = km.fit_predict(x)
            rows.append(partition_statistics(lab, y))
        out = {key_: np.array([r[key_] for r in rows], dtype=float) for key_ in ("H_s", "H_k", "n_states", "error")}
        out.update(k=np.array(ks), counts=[r["counts"] for r in rows], M=len(x), fig2b_k=int(k2b))
        return out

    with cpu_threads("cpu"):
        return cache.get_or_compute("rr_kmeans", key, compute)


# ---------------------------------------------------------------------------------- generation
def _generation_ability(p_labels: np.ndarray, q_labels: np.ndarray) -> float:
    """1 / D(P||Q) of the label distributions (eq. 9), in 1/bits, over the ten digits."""
    from ...estimators import generation_ability

    return float(generation_ability(p_labels, q_labels, n_classes=10))


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
    key = dict(_train_key(cfg, "trained", seed, source), n_generate=cfg.n_generate, n_sweeps=cfg.n_sweeps,
               chunk=cfg.generation_chunk, down=cfg.generation_down, classifier=asdict(cfg.classifier),
               fig3=list(cfg.fig3_layers))

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
        out = dict(cache.get_or_compute("rr_generation", key, compute))
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


# ----------------------------------------------------------------------------------------- all
def run(cfg: Config, seed: int = 0, device="auto", cache: ResultCache | None = None, progress: bool = True) -> dict:
    """Everything the chapter plots and decides.

    ``trained``/``untrained``/``shuffled`` (:func:`dbn_result`, each with ``power_law`` =
    :func:`power_laws` of its layers), ``kmeans`` (:func:`kmeans_result`, with ``power_law``),
    ``generation`` (:func:`generation_result`), ``M`` (images), ``source``, and ``bound`` = (H_s, H_k)
    of the maximal-relevance curve for M, in bits. All entropies are in bits.
    """
    from ...estimators import max_relevance_curve

    cache = cache or ResultCache()
    out = {kind: dict(dbn_result(cfg, kind, seed, device, cache, progress)) for kind in KINDS}
    out["kmeans"] = dict(kmeans_result(cfg, seed, cache, progress))
    for key in (*KINDS, "kmeans"):
        out[key]["power_law"] = power_laws(out[key], seed)
    out["generation"] = generation_result(cfg, seed, device, cache, progress)
    M = int(out["trained"]["M"])
    H_s, H_k = max_relevance_curve(M)
    out.update(bound=(np.asarray(H_s), np.asarray(H_k)), M=M, source=out["trained"]["source"])
    return out
