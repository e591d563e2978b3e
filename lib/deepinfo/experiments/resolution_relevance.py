"""Song, Marsili & Jo 2018, Figs. 2a-d and 3a-g (book/resolution_relevance.md).

Presets (the only place the sizes live) and runners returning plain dicts of arrays and
numbers, cached by configuration (:class:`deepinfo.cache.ResultCache`); DBN training saves
a checkpoint after every layer, so an interrupted run resumes where it stopped.

* :func:`dbn_result`         a DBN trained on MNIST ("trained"), left at its random initial
                             weights ("untrained", the paper's epoch 0), or trained on MNIST
                             with the pixels of every image permuted ("shuffled"); returns its
                             parameters and the statistics of every layer's codes
* :func:`layer_statistics`   H[s], H[k] (in units of log M), beta, goodness of fit, majority-label error
* :func:`kmeans_result`      the same statistics for k-means partitions, k = 2^2 .. 2^14 capped at M/2
* :func:`generation_result`  digits generated from every layer, their classifier labels and the
                             generation ability 1/D(P||Q) (eq. 9)
* :func:`run`                all of the above for one preset

Units: H[s], H[k] are divided by log M (Fig. 2a's axes), i.e. computed in base M.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
from tqdm import tqdm  # text bars: no ipywidgets needed in kernels

from ..cache import ResultCache
from ..device import resolve_device
from ..estimators import degeneracy, relevance, resolution, state_counts
from ..models.classifier import ClassifierConfig
from ..models.rbm import DBN, RBMTraining, generate

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


MIN_TAIL = 10  # fewer states than this in the fitted tail: no beta is reported (NaN)


# one thread for torch and scikit-learn by default: see deepinfo.device.cpu_threads
from ..device import cpu_threads  # noqa: E402,F401  (re-exported for the supplement page)


# ----------------------------------------------------------------------------------------- data
def load_data(cfg: Config, seed: int = 0):
    """The MNIST training images of this preset: (x (M, 784) float32 in [0, 1], y (M,), description)."""
    from ..data import load_mnist

    ds = load_mnist("train").subset(cfg.n_data, seed=seed)
    return ds.x, ds.y, ds.describe()


def shuffle_pixels(x: np.ndarray, seed: int = 0) -> np.ndarray:
    """Each row's pixels permuted by its own random permutation (Fig. 2a "shuffled MNIST")."""
    return np.random.default_rng(seed).permuted(np.asarray(x), axis=1)


# ---------------------------------------------------------------------------------- statistics
def _fit_power_law(counts: np.ndarray) -> dict:
    """beta of m_k ~ k^(-beta-1) with its error and Vuong tests against lognormal and exponential tails."""
    from ..estimators import powerlaw_beta, powerlaw_compare

    out = dict(beta=math.nan, beta_err=math.nan, k_min=math.nan, n_tail=0.0, ks=math.nan,
               R_lognormal=math.nan, p_lognormal=math.nan, R_exponential=math.nan, p_exponential=math.nan)
    if counts.max() < 2 or len(counts) < MIN_TAIL:  # no frequency spread, or too few states to fit
        return out
    fit = powerlaw_beta(counts, min_tail=MIN_TAIL)
    if not math.isfinite(fit.beta) or fit.n_tail < MIN_TAIL:
        return out
    out.update(beta=fit.beta, beta_err=fit.beta_err, k_min=fit.k_min, n_tail=fit.n_tail, ks=fit.ks_distance)
    for alt in ("lognormal", "exponential"):
        try:
            R, p = powerlaw_compare(counts, alternative=alt, k_min=fit.k_min)
        except ValueError:
            continue
        out[f"R_{alt}"], out[f"p_{alt}"] = R, p
    return out


def partition_statistics(labels_or_codes: np.ndarray, y: np.ndarray | None = None) -> dict:
    """Statistics of one partition of the M samples (codes (M, n) or cluster ids (M,)).

    H_s = H[s] / log M and H_k = H[k] / log M (Song et al. eqs. 1-2), the power-law fit of m_k,
    and, given labels ``y``, the majority-label classification error (Fig. 2d).
    """
    codes = np.asarray(labels_or_codes)
    if codes.ndim == 1:
        codes = codes[:, None]
    counts = state_counts(codes)
    M = int(counts.sum())
    out = dict(H_s=resolution(counts, base=M), H_k=relevance(counts, base=M), n_states=float(len(counts)))
    out.update(_fit_power_law(counts))
    if y is not None:
        out["error"] = _hidden_state_error(codes, y)
    return out


def _hidden_state_error(codes: np.ndarray, y: np.ndarray) -> float:
    """Majority-label error of the partition (Song et al. Fig. 2d)."""
    from ..estimators import hidden_state_error

    return float(hidden_state_error(codes, y))


def layer_statistics(codes: list, y: np.ndarray, keep_degeneracy: tuple = ()) -> dict:
    """Per-layer, per-realisation statistics of a DBN's codes [H1..HL], each (R, M, n_l).

    Returns arrays of shape (R, L) under the keys of :func:`partition_statistics`, plus
    ``degeneracy[l] = (k, m_k)`` of realisation 0 for the layers in ``keep_degeneracy``.
    """
    L, R = len(codes), codes[0].shape[0]
    rows = [[partition_statistics(np.asarray(codes[l][r]), y) for l in range(L)] for r in range(R)]
    out = {key: np.array([[rows[r][l][key] for l in range(L)] for r in range(R)], dtype=float) for key in rows[0][0]}
    out["degeneracy"] = {int(l): [a for a in degeneracy(state_counts(np.asarray(codes[l - 1][0])))]
                         for l in keep_degeneracy if 1 <= l <= L}
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

    Keys: those of :func:`layer_statistics`, each (R, L), plus ``M`` and ``source``.
    """
    cache = cache or ResultCache()
    dev = resolve_device(device)
    x, y, source = load_data(cfg, seed)
    key = dict(_train_key(cfg, kind, seed, source), threshold=cfg.threshold, fig2b=list(cfg.fig2b_layers))

    def compute():
        dbn = train_dbn(cfg, kind, seed, dev, cache, progress)
        data = shuffle_pixels(x, seed + 1) if kind == "shuffled" else x
        codes = [c.cpu().numpy() for c in dbn.codes(torch.as_tensor(data), cfg.threshold)]
        out = layer_statistics(codes, y, cfg.fig2b_layers)
        out.update(M=len(x), source=source)
        return out

    return cache.get_or_compute("rr_dbn_stats", key, compute)


# ------------------------------------------------------------------------------------- k-means
def kmeans_ks(cfg: Config, M: int) -> list[int]:
    """k = 2^j for j in ``cfg.kmeans_log2_k`` with k <= M / 2 (at least two samples per cluster on average)."""
    return [2 ** j for j in cfg.kmeans_log2_k if 2 ** j <= M // 2]


def kmeans_result(cfg: Config, seed: int = 0, cache: ResultCache | None = None, progress: bool = True) -> dict:
    """k-means partitions of the images (scikit-learn MiniBatchKMeans, batch 1024, k-means++ init
    for k <= 256, random init above), each k one partition: arrays over ``k`` of the statistics of
    :func:`partition_statistics`, and the degeneracy of the k closest to ``cfg.fig2b_kmeans_k``."""
    from sklearn.cluster import MiniBatchKMeans

    cache = cache or ResultCache()
    x, y, source = load_data(cfg, seed)
    ks = kmeans_ks(cfg, len(x))
    key = {"ks": ks, "max_iter": cfg.kmeans_max_iter, "seed": seed, "source": source, "n_data": cfg.n_data}

    def compute():
        rows, degs = [], {}
        k2b = min(ks, key=lambda k: abs(math.log2(k) - math.log2(cfg.fig2b_kmeans_k)))
        for k in (tqdm(ks, desc="k-means", leave=False) if progress else ks):
            km = MiniBatchKMeans(n_clusters=k, batch_size=1024, max_iter=cfg.kmeans_max_iter, n_init=1,
                                 init="k-means++" if k <= 256 else "random", random_state=seed,
                                 init_size=max(3 * 1024, 2 * k) if k <= len(x) // 2 else None)
            lab = km.fit_predict(x)
            rows.append(partition_statistics(lab, y))
            if k == k2b:
                degs[int(k)] = [a for a in degeneracy(state_counts(lab[:, None]))]
        out = {key_: np.array([r[key_] for r in rows], dtype=float) for key_ in rows[0]}
        out.update(k=np.array(ks), degeneracy=degs, M=len(x))
        return out

    with cpu_threads("cpu"):
        return cache.get_or_compute("rr_kmeans", key, compute)


# ---------------------------------------------------------------------------------- generation
def _generation_ability(p_labels: np.ndarray, q_labels: np.ndarray) -> float:
    """1 / D(P||Q) of the label distributions (eq. 9), in 1/bits, over the ten digits."""
    from ..estimators import generation_ability

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
    from ..models.classifier import predict, trained_classifier

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


# ----------------------------------------------------------------------------------------- all
def run(cfg: Config, seed: int = 0, device="auto", cache: ResultCache | None = None, progress: bool = True) -> dict:
    """Everything the chapter plots: ``trained``/``untrained``/``shuffled`` (:func:`dbn_result`),
    ``kmeans``, ``generation``, the max-relevance curve ``bound`` = (H_s, H_k) / log M, ``M``, ``source``."""
    from ..estimators import max_relevance_curve

    cache = cache or ResultCache()
    out = {kind: dbn_result(cfg, kind, seed, device, cache, progress) for kind in KINDS}
    out["kmeans"] = kmeans_result(cfg, seed, cache, progress)
    out["generation"] = generation_result(cfg, seed, device, cache, progress)
    M = int(out["trained"]["M"])
    H_s, H_k = max_relevance_curve(M, base=M)
    out.update(bound=(np.asarray(H_s), np.asarray(H_k)), M=M, source=out["trained"]["source"])
    return out


def mean_se(a: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean over realisations and its standard error, ignoring NaN (SE = std / sqrt(n); 0 for n = 1,
    NaN where no realisation has a value)."""
    a = np.where(np.isfinite(np.asarray(a, dtype=float)), a, np.nan)
    n = np.sum(np.isfinite(a), axis=axis)
    s = np.nansum(a, axis=axis)
    m = np.where(n > 0, s / np.maximum(n, 1), np.nan)
    dev = np.nansum((a - np.expand_dims(m, axis)) ** 2, axis=axis)
    se = np.where(n > 1, np.sqrt(dev / np.maximum(n - 1, 1) / np.maximum(n, 1)), np.where(n == 1, 0.0, np.nan))
    return m, se


# --------------------------------------------------------------------------- claims and figures
CLAIMS = [  # id, statement, the paper's value, figure label on the chapter page
    ("P1.resolution_decreases_with_depth", "H[s] decreases from layer to layer", "monotonic, H1 to H10", "fig-p1-2a"),
    ("P1.relevance_peaks_at_intermediate_layer", "H[k] is largest at an intermediate layer", "H8", "fig-p1-2a"),
    ("P1.near_max_relevance_up_to_middle", "Layers up to the middle lie close to the max-relevance curve",
     "up to H6, almost on the curve", "fig-p1-2a"),
    ("P1.dbn_beats_kmeans_relevance", "At equal H[s], DBN layers have higher H[k] than k-means",
     "significantly higher", "fig-p1-2a"),
    ("P1.power_law_in_trained_layers", "m_k follows a power law in the trained layers",
     "always (H3, H6, H9 shown)", "fig-p1-2b"),
    ("P1.beta_decreases_with_depth", "beta falls with depth in the trained DBN", "monotonic decrease", "fig-p1-2c"),
    ("P1.kmeans_not_power_law", "k-means clusters do not have power-law m_k", "no power law (k = 2^12)",
     "fig-p1-2b"),
    ("P1.untrained_and_shuffled_at_extremes",
     "Untrained and shuffled-data DBNs put most layers at low or high resolution", "mostly at the ends",
     "fig-p1-2a"),
    ("P1.zipf_critical_layer", "The layer of maximal H[s]+H[k] has beta closest to 1", "H6, beta about 1",
     "fig-p1-2c"),
    ("P1.best_generation_at_critical_layer", "The critical layer generates best (largest 1/KL)", "H6", "fig-p1-3g"),
    ("P1.error_grows_in_deep_layers", "The majority-label error grows in deep layers",
     "small up to the middle, large at H10", "fig-p1-2d"),
]

# Thresholds of the claims, fixed before any run (see the chapter for the reasons):
NEAR_MAX_GAP = 0.05        # "near the bound": within 5% of log M of the max-relevance curve
NEAR_MAX_LAYERS = 6        # the paper's "up to H6"
MIDDLE_BAND = (0.25, 0.75)  # intermediate resolution, in units of log M
P_SIGNIFICANT = 0.1        # Vuong test: a sign of R counts when p < 0.1 (Clauset et al. 2009 use 0.1)
POWER_LAW_FRACTION = 0.8   # "always a power law": at least 80% of the fitted (layer, realisation) pairs
SPEARMAN_P = 0.05          # one-sided p of a monotonic trend over the layers
LAYER_TOLERANCE = 1        # "at the critical layer": within one layer of it


def layer_means(stats: dict, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean over realisations and standard error of ``stats[key]`` (R, L) -> two (L,) arrays."""
    return mean_se(stats[key], axis=0)


def _interp_bound(bound, H_s):
    xs, ys = np.asarray(bound[0], float), np.asarray(bound[1], float)
    return np.interp(H_s, xs, ys)


def critical_layer(stats: dict) -> int:
    """The layer (1-based) of maximal H[s] + H[k] (mean over realisations)."""
    return int(np.nanargmax(layer_means(stats, "H_s")[0] + layer_means(stats, "H_k")[0])) + 1


def _spearman(x, y, alternative: str):
    from scipy.stats import spearmanr

    ok = np.isfinite(y)
    if ok.sum() < 3:
        return math.nan, math.nan, int(ok.sum())
    res = spearmanr(np.asarray(x)[ok], np.asarray(y)[ok], alternative=alternative)
    return float(res.statistic), float(res.pvalue), int(ok.sum())


def _power_law_passes(stats, i) -> np.ndarray:
    """Per fitted (realisation, layer) or k: power law beats the exponential tail (R > 0, p < 0.1) and
    is not beaten by the log-normal one (not R < 0 with p < 0.1)."""
    R_e, p_e = stats["R_exponential"][i], stats["p_exponential"][i]
    R_l, p_l = stats["R_lognormal"][i], stats["p_lognormal"][i]
    return (R_e > 0) & (p_e < P_SIGNIFICANT) & ~((R_l < 0) & (p_l < P_SIGNIFICANT))


def evaluate_claims(res: dict) -> dict:
    """Every claim of this chapter from the results of :func:`run`: id -> dict(measured, holds, detail).

    The criteria (and the thresholds above) are stated on the chapter page next to each figure.
    """
    tr, un, sh, km, gen = res["trained"], res["untrained"], res["shuffled"], res["kmeans"], res["generation"]
    L = tr["H_s"].shape[1]
    layers = np.arange(1, L + 1)
    Hs, _ = layer_means(tr, "H_s")
    Hk, _ = layer_means(tr, "H_k")
    out = {}

    d = np.diff(Hs)
    out["P1.resolution_decreases_with_depth"] = dict(
        measured=float(d.max()), holds=bool(d.max() <= 1e-12),
        detail=f"largest change of H[s]/log M from one layer to the next: {d.max():+.3f} "
               f"(H1 {Hs[0]:.2f} -> H{L} {Hs[-1]:.2f})")

    l_k = int(np.argmax(Hk)) + 1
    out["P1.relevance_peaks_at_intermediate_layer"] = dict(
        measured=l_k, holds=bool(1 < l_k < L), detail=f"H[k] largest at H{l_k} ({Hk[l_k - 1]:.2f} log M)")

    n_mid = min(NEAR_MAX_LAYERS, L)
    gaps = np.array([[_interp_bound(res["bound"], tr["H_s"][r, l]) - tr["H_k"][r, l] for l in range(L)]
                     for r in range(tr["H_s"].shape[0])])
    g, _ = mean_se(gaps)
    worst = float(g[:n_mid].max())
    out["P1.near_max_relevance_up_to_middle"] = dict(
        measured=worst, holds=bool(worst <= NEAR_MAX_GAP),
        detail=f"distance below the bound, H1-H{n_mid}: " + ", ".join(f"{v:.3f}" for v in g[:n_mid])
               + f" (log M); largest {worst:.3f} vs threshold {NEAR_MAX_GAP}")

    order = np.argsort(km["H_s"])
    ks_Hs, ks_Hk = km["H_s"][order], km["H_k"][order]
    inside = (Hs >= ks_Hs.min()) & (Hs <= ks_Hs.max())
    diff = Hk[inside] - np.interp(Hs[inside], ks_Hs, ks_Hk)
    if inside.any():
        out["P1.dbn_beats_kmeans_relevance"] = dict(
            measured=float(diff.min()), holds=bool(diff.min() > 0),
            detail=f"{int((diff > 0).sum())} of {int(inside.sum())} DBN layers within the k-means range of H[s] lie "
                   f"above the k-means curve; smallest margin {diff.min():+.3f} log M")
    else:
        out["P1.dbn_beats_kmeans_relevance"] = dict(measured=0.0, holds=False,
                                                    detail="no DBN layer within the k-means range of H[s]")

    fitted = np.isfinite(tr["beta"]) & np.isfinite(tr["R_exponential"])
    passes = _power_law_passes(tr, fitted)
    frac = float(passes.mean()) if passes.size else 0.0
    out["P1.power_law_in_trained_layers"] = dict(
        measured=frac, holds=bool(passes.size > 0 and frac >= POWER_LAW_FRACTION),
        detail=f"{int(passes.sum())} of {passes.size} fitted (layer, realisation) tails favour the power law over "
               f"the exponential and are not rejected against the log-normal (Vuong p < {P_SIGNIFICANT}); "
               f"{int((~fitted).sum())} layer fits impossible (fewer than {MIN_TAIL} states)")

    b, b_se = layer_means(tr, "beta")
    rho, p, n = _spearman(layers, b, "less")
    out["P1.beta_decreases_with_depth"] = dict(
        measured=rho if math.isfinite(rho) else float(n), holds=bool(math.isfinite(rho) and rho < 0 and p < SPEARMAN_P),
        detail=(f"Spearman rho(layer, beta) = {rho:.2f} over {n} layers with a fit (one-sided p = {p:.3f})"
                if math.isfinite(rho) else f"only {n} layers have a power-law fit"))

    kk = int(list(km["degeneracy"])[0]) if km["degeneracy"] else int(km["k"][-1])
    i = int(np.where(km["k"] == kk)[0][0])
    rej = [(a, km[f"R_{a}"][i], km[f"p_{a}"][i]) for a in ("lognormal", "exponential")]
    rejected = any(math.isfinite(Rv) and Rv < 0 and pv < P_SIGNIFICANT for _, Rv, pv in rej)
    out["P1.kmeans_not_power_law"] = dict(
        measured=float(km["R_lognormal"][i]) if math.isfinite(km["R_lognormal"][i]) else 0.0, holds=bool(rejected),
        detail=f"k-means k = {kk}: " + "; ".join(f"R vs {a} = {Rv:+.2f} (p = {pv:.2f})" for a, Rv, pv in rej)
               + f"; beta = {km['beta'][i]:.2f}, tail of {int(km['n_tail'][i])} clusters")

    def middle(stats):
        h = layer_means(stats, "H_s")[0]
        return float(((h >= MIDDLE_BAND[0]) & (h <= MIDDLE_BAND[1])).mean())

    f_un, f_sh, f_tr = middle(un), middle(sh), middle(tr)
    f_ctrl = max(f_un, f_sh)
    out["P1.untrained_and_shuffled_at_extremes"] = dict(
        measured=1 - f_ctrl, holds=bool(f_ctrl < 0.5 and f_ctrl < f_tr),
        detail=f"layers at intermediate resolution ({MIDDLE_BAND[0]}-{MIDDLE_BAND[1]} log M): untrained "
               f"{middle(un):.0%}, shuffled {middle(sh):.0%}, trained {f_tr:.0%}")

    lc = critical_layer(tr)
    dist = np.abs(b - 1)
    if math.isfinite(b[lc - 1]):
        closest = int(np.nanargmin(dist)) + 1
        ok = dist[lc - 1] <= np.nanmin(dist) + 2 * b_se[lc - 1]
        out["P1.zipf_critical_layer"] = dict(
            measured=float(b[lc - 1]), holds=bool(ok),
            detail=f"max H[s]+H[k] at H{lc}, beta = {b[lc - 1]:.2f} +/- {b_se[lc - 1]:.2f}; beta closest to 1 at "
                   f"H{closest} ({b[closest - 1]:.2f})")
    else:
        out["P1.zipf_critical_layer"] = dict(measured=float(lc), holds=False,
                                             detail=f"max H[s]+H[k] at H{lc}, which has no power-law fit")

    ab, _ = mean_se(gen["ability"])
    if np.isfinite(ab).any():
        lg = int(np.nanargmax(ab)) + 1
        out["P1.best_generation_at_critical_layer"] = dict(
            measured=lg, holds=bool(abs(lg - lc) <= LAYER_TOLERANCE),
            detail=f"best generation ability at H{lg} (1/KL = {ab[lg - 1]:.1f}); critical layer H{lc}")

    e, _ = layer_means(tr, "error")
    if np.isfinite(e).any():
        rho, p, n = _spearman(layers, e, "greater")
        out["P1.error_grows_in_deep_layers"] = dict(
            measured=rho if math.isfinite(rho) else 0.0, holds=bool(math.isfinite(rho) and rho > 0 and p < SPEARMAN_P),
            detail=f"Spearman rho(layer, error) = {rho:.2f} (one-sided p = {p:.3f}); error H1 {e[0]:.3f}, "
                   f"H{lc} {e[lc - 1]:.3f}, H{L} {e[-1]:.3f}")
    return out


STYLE = {"trained": dict(marker="s", color="k", label="DBN trained"),
         "untrained": dict(marker="s", mfc="none", color="C0", label="DBN epoch 0"),
         "shuffled": dict(marker="o", mfc="none", color="C2", label="DBN, shuffled MNIST"),
         "kmeans": dict(marker="^", color="C1", label="k-means")}


def plot_plane(res: dict, ax=None):
    """Fig. 2a: H[k] vs H[s] (units of log M) for every layer, k-means and the bound."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    ax.plot(*res["bound"], ":", color="k", lw=1.2, label="max relevance")
    for kind in KINDS:
        (x, xe), (y, ye) = layer_means(res[kind], "H_s"), layer_means(res[kind], "H_k")
        ax.errorbar(x, y, xerr=xe, yerr=ye, ls="-", lw=0.8, ms=5, **STYLE[kind])
        if kind == "trained":
            for l, (a, b_) in enumerate(zip(x, y), start=1):
                ax.annotate(f"H{l}", (a, b_), textcoords="offset points", xytext=(3, 4), fontsize=7)
    km = res["kmeans"]
    ax.plot(km["H_s"], km["H_k"], ls="-", lw=0.8, ms=5, **STYLE["kmeans"])
    ax.set(xlabel=r"resolution $H[s]/\log M$", ylabel=r"relevance $H[k]/\log M$", xlim=(0, 1.02), ylim=(0, 0.6))
    ax.legend(fontsize=7, loc="upper right")
    return ax


def plot_degeneracy(res: dict, ax=None):
    """Fig. 2b: m_k vs k for the layers of ``fig2b_layers`` (realisation 0) and one k-means partition,
    each with its fitted power law m_k ∝ k^(-beta-1) drawn over the fitted tail."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    tr, km = res["trained"], res["kmeans"]
    markers = {0: "o", 1: "s", 2: "v"}
    for i, (l, (k, m)) in enumerate(sorted(tr["degeneracy"].items())):
        line = ax.loglog(k, m, markers.get(i, "o"), mfc="none", color=("C0", "C2", "C4", "C5")[i % 4], ms=4,
                         label=f"H{l}")[0]
        _fit_line(ax, k, m, tr["beta"][0, l - 1], tr["k_min"][0, l - 1], line.get_color())
    for kk, (k, m) in km["degeneracy"].items():
        i = int(np.where(km["k"] == int(kk))[0][0])
        ax.loglog(k, m, "^", color="C1", ms=4, label=f"k-means, k = {kk}")
        _fit_line(ax, k, m, km["beta"][i], km["k_min"][i], "C1")
    ax.set(xlabel="frequency $k$", ylabel="degeneracy $m_k$")
    ax.set_ylim(bottom=0.5)
    ax.legend(fontsize=7)
    return ax


def _fit_line(ax, k, m, beta, k_min, color):
    if not (math.isfinite(beta) and math.isfinite(k_min)):
        return
    k, m = np.asarray(k, float), np.asarray(m, float)
    tail = k >= k_min
    xs = np.geomspace(k_min, k.max(), 30)
    # normalise so that the line carries the tail's number of states: sum_{k>=k_min} c k^(-beta-1) = n_tail
    from scipy.special import zeta

    c = m[tail].sum() / zeta(beta + 1, k_min)
    ax.loglog(xs, c * xs ** (-beta - 1), "-", color=color, lw=0.8, alpha=0.8)


def plot_beta(res: dict, ax=None):
    """Fig. 2c: beta per layer (mean +/- standard error over realisations), trained and untrained."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    for kind in ("trained", "untrained"):
        b, se = layer_means(res[kind], "beta")
        L = len(b)
        ax.errorbar(np.arange(1, L + 1), b, yerr=se, ls="-", lw=0.8, ms=5, capsize=2, **STYLE[kind])
    ax.axhline(1, color="grey", lw=0.8, ls="--")
    ax.set(xlabel="hidden layer", ylabel=r"$\beta$ in $m_k \propto k^{-\beta-1}$", yscale="log",
           xticks=np.arange(1, L + 1))
    ax.legend(fontsize=7)
    return ax


def plot_error(res: dict, ax=None):
    """Fig. 2d: majority-label classification error of each layer's hidden states."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    for kind in ("trained", "untrained"):
        e, se = layer_means(res[kind], "error")
        L = len(e)
        ax.errorbar(np.arange(1, L + 1), e, yerr=se, ls="-", lw=0.8, ms=5, capsize=2, **STYLE[kind])
    ax.set(xlabel="hidden layer", ylabel="classification error", xticks=np.arange(1, L + 1))
    ax.legend(fontsize=7)
    return ax


def plot_label_frequencies(res: dict, layer: int, ax=None):
    """Fig. 3d-f: label frequencies Q of the digits generated from ``layer`` (mean +/- SE over realisations)
    against the training distribution P (dotted)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    gen = res["generation"]
    q, se = mean_se(gen["label_freq"][:, layer - 1, :])
    ax.bar(np.arange(10), q, yerr=se, color="0.6", capsize=2)
    ax.plot(np.arange(10), gen["train_freq"], "k:", marker="_", lw=1.2)
    ax.set(xlabel="label", ylabel="frequency" if ax.get_subplotspec().colspan.start == 0 else "", xticks=range(10),
           title=f"H{layer}", ylim=(0, max(0.35, float(np.nanmax(q + se)) * 1.1)))
    return ax


def plot_generation_vs_beta(res: dict, ax=None):
    """Fig. 3g: generation ability 1/D(P||Q) (left axis) and classification error (right axis) vs beta."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    tr, gen = res["trained"], res["generation"]
    b, _ = layer_means(tr, "beta")
    a, a_se = mean_se(gen["ability"])
    e, e_se = layer_means(tr, "error")
    ax.errorbar(b, a, yerr=a_se, fmt="s", color="k", ms=5, capsize=2, label="generation ability")
    for l, (x, y) in enumerate(zip(b, a), start=1):
        if math.isfinite(x) and math.isfinite(y):
            ax.annotate(str(l), (x, y), textcoords="offset points", xytext=(4, 3), fontsize=7)
    ax.set(xlabel=r"$\beta$", ylabel=r"generation ability $1/D(P\|Q)$", xscale="log")
    ax.axvline(1, color="grey", lw=0.8, ls="--")
    ax2 = ax.twinx()
    ax2.errorbar(b, e, yerr=e_se, fmt="o", color="C0", mfc="none", ms=5, capsize=2, label="classification error")
    ax2.set_ylabel("classification error", color="C0")
    ax2.spines["right"].set_visible(True)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper right")
    return ax
