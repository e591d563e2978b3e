"""Supplementary figures S1-S6 of Song, Marsili & Jo 2018 (book/resolution_relevance_supplement.md): runners.

Presets (the only place the sizes live) and runners that return plain dicts (arrays,
numbers, lists), cached by configuration with :class:`deepinfo.cache.ResultCache`:

* :func:`dbn_result`          a DBN (or single RBM) trained on MNIST, bit-flipped MNIST (S1) or the
                              letters data set / its substitute (S3): H[s], H[k] and counts per layer
* :func:`generation_result`   generation ability (Song et al. eq. 9) of every layer of a DBN (S2, S3)
* :func:`sparse_rbm_result`   a 50-unit RBM with L2 penalties on weights or on activities (S4)
* :func:`discriminative_result`  binarised hidden layers of MLPs and a CNN vs N_H (S5)
* :func:`vae_result`          VAE generation ability vs the latent dimension N_z (S6)
* :func:`units`               the preset's expensive cached pieces for :mod:`deepinfo.compute` (one per DBN,
                              generation run, S4/S5/S6 bank); :func:`page_results` calls every runner the page calls

Resolution H[s] and relevance H[k] are in bits (Song et al. eq. 1-2), stored with M; figures divide by
log2 M at plot time. Power laws are decided by :func:`deepinfo.estimators.power_law_verdict` (see
:func:`power_law_by_layer`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from ...cache import ResultCache
from ...compute import Unit
from ...data import flip_pixels
from ...device import cpu_threads, resolve_device
from ...estimators import relevance, resolution, state_counts
from ...models.classifier import ClassifierConfig
from ...stats import mean_se

MNIST_SIZES = (500, 250, 120, 60, 30, 25, 20, 15, 10, 5)          # Song et al. Fig. 1 (H1..H10)
LETTER_SIZES = (320, 160, 120, 100, 95, 90, 85, 80, 75, 70)        # Fig. S3 caption (V = 128)


# ------------------------------------------------------------------------------------ configs
@dataclass(frozen=True)
class DBNSpec:
    """One DBN run: data set, sample size M, hidden layer sizes, PCD-1 epochs, realisations R."""

    data: str                 # "mnist" | "mnist_flipped" | "letters"
    M: int
    hidden_sizes: tuple
    epochs: int
    n_realisations: int
    lr: float = 0.1
    batch_size: int = 100


@dataclass(frozen=True)
class GenerationSpec:
    """Generation from each hidden layer: chains per realisation and Gibbs sweeps between H_l and H_(l-1)."""

    n_samples: int
    n_sweeps: int


@dataclass(frozen=True)
class S1Config:
    M: int
    epochs: int
    n_realisations: int
    flip_probability: float = 0.5


@dataclass(frozen=True)
class S2Config:
    architectures: tuple      # ((name, hidden_sizes), ...); the first is the deep narrowing one
    rbm_sizes: tuple          # single RBMs (one hidden layer each)
    generation: GenerationSpec


@dataclass(frozen=True)
class S3Config:
    M: int
    epochs: int
    n_realisations: int
    generation: GenerationSpec
    labeller_epochs: int
    labeller_M: int | None = None   # images the letters labeller learns from (None: all)
    n_test: int = 1000


@dataclass(frozen=True)
class S4Config:
    M: int
    epochs: int
    n_hidden: int = 50
    lambda_c: tuple = (0.0, 0.001, 0.01, 0.1)
    lambda_a: tuple = (0.0, 0.1, 1.0, 10.0)
    target: float = 0.05      # target mean activity p of the sparse-activity penalty
    n_realisations: int = 1   # RBMs per setting, seeds from realisation_seed (not part of a realisation's key)


@dataclass(frozen=True)
class S5Config:
    M_train: int
    M_test: int
    n_hidden: tuple
    epochs: int
    batch_size: int = 100
    lr: float = 1e-3
    cnn_channels: tuple = (8, 16)
    n_realisations: int = 1   # networks per (model, N_H), seeds from realisation_seed (not in a realisation's key)


@dataclass(frozen=True)
class S6Config:
    M: int
    n_z: tuple
    epochs: int
    n_generated: int
    n_groups: int = 10        # generated samples split into groups for a standard error
    batch_size: int = 100
    lr: float = 1e-3
    n_realisations: int = 1   # VAEs per N_z, seeds from realisation_seed (not part of a realisation's key)


def realisation_seed(seed: int, realisation: int) -> int:
    """The training seed of realisation ``realisation`` of the S4-S6 networks: ``seed + 1000 r``. Realisation
    0 trains with ``seed`` itself (so its cache entry is the one-realisation entry of earlier versions); the
    data subset is drawn with ``seed`` for every realisation, so realisations differ in initialisation, batch
    order and generated samples, not in the images they learn."""
    if realisation < 0:
        raise ValueError(f"realisation={realisation}: expected >= 0")
    return int(seed) + 1000 * int(realisation)


def _realisation_key(cfg, seed: int, realisation: int, **more) -> dict:
    """The cache config of one realisation: the experiment's config without ``n_realisations`` (how many
    realisations a preset asks for does not change any one of them), the seed, and the realisation index
    when it is not 0."""
    c = asdict(cfg)
    c.pop("n_realisations", None)
    key = {"cfg": c, **more, "seed": seed}
    if realisation:
        key["realisation"] = int(realisation)
    return key


@dataclass(frozen=True)
class SupplementConfig:
    """Everything one preset of the supplementary page runs."""

    s1: S1Config
    s2: S2Config
    s3: S3Config
    s4: S4Config
    s5: S5Config
    s6: S6Config
    classifier: ClassifierConfig = ClassifierConfig()
    setting: str = ""


# The digit classifier of each preset: the same configs as the main page's (book/resolution_relevance.md),
# so both pages label generated digits with one cached model (tests/test_resolution_relevance_supplement.py
# checks that they agree).
CLASSIFIERS = {
    "smoke": ClassifierConfig(epochs=1, channels=(8, 16), n_hidden=64),
    "quick": ClassifierConfig(epochs=4, channels=(8, 16), n_hidden=64),
    "full": ClassifierConfig(epochs=15, channels=(32, 64), n_hidden=256),
}


def _s2(rbm_sizes, n_samples, n_sweeps, not_narrow=(100,) * 10, shallow=(250, 30, 5)):
    return S2Config(architectures=(("deep, narrowing", MNIST_SIZES), ("deep, not narrowing", tuple(not_narrow)),
                                   ("shallow, narrowing", tuple(shallow))),
                    rbm_sizes=tuple(rbm_sizes), generation=GenerationSpec(n_samples, n_sweeps))


PRESETS = {
    "smoke": SupplementConfig(
        s1=S1Config(M=500, epochs=1, n_realisations=2),
        s2=_s2((30,), n_samples=100, n_sweeps=10),
        s3=S3Config(M=500, epochs=1, n_realisations=2, generation=GenerationSpec(100, 10), labeller_epochs=1,
                    labeller_M=2000, n_test=500),
        s4=S4Config(M=500, epochs=1, lambda_c=(0.0, 0.1), lambda_a=(0.0, 1.0, 10.0), n_realisations=2),
        s5=S5Config(M_train=500, M_test=300, n_hidden=(5, 50), epochs=1, n_realisations=2),
        s6=S6Config(M=500, n_z=(1, 2, 5, 10, 20, 50, 500), epochs=1, n_generated=300, n_groups=3,
                    n_realisations=2),
        classifier=CLASSIFIERS["smoke"],
        setting="smoke: M = 500 images, 1 epoch, 2 realisations of everything (a plumbing check, not evidence)"),
    "quick": SupplementConfig(
        s1=S1Config(M=2000, epochs=5, n_realisations=2),
        s2=_s2((120, 30, 10), n_samples=300, n_sweeps=100),
        s3=S3Config(M=3000, epochs=5, n_realisations=2, generation=GenerationSpec(300, 100), labeller_epochs=3,
                    labeller_M=10000),
        s4=S4Config(M=2000, epochs=5, n_realisations=3),
        s5=S5Config(M_train=2000, M_test=1000, n_hidden=(5, 10, 20, 50, 100, 500), epochs=2, n_realisations=3),
        s6=S6Config(M=2000, n_z=(1, 2, 5, 10, 20, 50, 500), epochs=4, n_generated=2000, n_realisations=3),
        classifier=CLASSIFIERS["quick"],
        setting="quick: M = 2,000-3,000 images, 2-5 epochs, 2 DBN realisations, 3 of each S4-S6 network"),
    "full": SupplementConfig(
        s1=S1Config(M=60000, epochs=200, n_realisations=12),
        s2=_s2((500, 120, 30, 10), n_samples=10000, n_sweeps=10000, not_narrow=(500,) * 10,
               shallow=(500, 30, 5)),
        s3=S3Config(M=44800, epochs=200, n_realisations=12, generation=GenerationSpec(10000, 10000),
                    labeller_epochs=20, labeller_M=None, n_test=3632),
        s4=S4Config(M=60000, epochs=200, n_realisations=5),
        s5=S5Config(M_train=50000, M_test=10000, n_hidden=(5, 10, 20, 50, 100, 200, 500, 1000), epochs=20,
                    cnn_channels=(32, 64), n_realisations=5),
        s6=S6Config(M=60000, n_z=(1, 2, 5, 10, 20, 50, 100, 500), epochs=100, n_generated=10000,
                    n_realisations=5),
        classifier=CLASSIFIERS["full"],
        setting="full: the paper's sizes where the data allow: M = 60,000 requested, but offline MNIST has "
                "10,000 images (60,000 with the IDX files in data/mnist/); 200 epochs, 12 DBN realisations, "
                "5 of each S4-S6 network"),
}


# --------------------------------------------------------------------------------------- data
def letters_dataset(seed: int = 0):
    """The OCR lowercase letters (16x8 binary) when present, else a labelled substitute.

    Substitute: Fashion-MNIST (a different data set from the digits of the main chapter), each
    28x28 image area-averaged to 16x8 and binarised at 0.5, so that it has the letters' shape
    (N = 128 binary pixels). Falls back to MNIST treated the same way if Fashion-MNIST is absent.
    """
    from dataclasses import replace

    from ...data import DatasetMissing, load_fashion_mnist, load_mnist, load_ocr_letters, load_or_substitute

    def substitute():
        try:
            ds = load_fashion_mnist("train")
        except DatasetMissing:
            ds = load_mnist("train")
        small = torch.nn.functional.adaptive_avg_pool2d(torch.as_tensor(ds.x).reshape(-1, 1, 28, 28), (16, 8))
        x = (small.reshape(len(ds.x), 128) > 0.5).numpy().astype(np.float32)
        return replace(ds, name=f"{ds.name} 16x8", x=x, image_shape=(16, 8),
                       source=f"{ds.source}; area-averaged to 16x8 and binarised at 0.5")

    return load_or_substitute(load_ocr_letters, substitute)


def dataset(name: str, M: int, seed: int = 0):
    """(x (M, D) float32 in [0, 1], y (M,) int64, description) for a DBN run."""
    from ...data import load_mnist

    if name in ("mnist", "mnist_flipped"):
        ds = load_mnist("train").subset(M, seed=seed)
        x = ds.x if name == "mnist" else flip_pixels(ds.x, 0.5, seed=seed + 1)
        what = ds.describe() if name == "mnist" else "bit-flipped " + ds.describe()
        return x, ds.y, what
    if name == "letters":
        ds = letters_dataset(seed).subset(M, seed=seed)
        return ds.x, ds.y, ds.describe()
    raise ValueError(f"data={name!r}: expected 'mnist', 'mnist_flipped' or 'letters'")


# ---------------------------------------------------------------------------- representations
def layer_statistics(codes: list, M: int) -> dict:
    """H[s], H[k] (bits) and state counts for codes [layer] (R, M, n_l) -> arrays (R, L) and counts[l][r]."""
    R, L = codes[0].shape[0], len(codes)
    H_s, H_k = np.zeros((R, L)), np.zeros((R, L))
    counts = []
    for l, c in enumerate(codes):
        per = []
        for r in range(R):
            k = state_counts(c[r])
            H_s[r, l], H_k[r, l] = resolution(k), relevance(k)
            per.append(k)
        counts.append(per)
    return {"H_s": H_s, "H_k": H_k, "counts": counts, "log2M": float(np.log2(M))}


def dbn_result(spec: DBNSpec, seed: int = 0, device="auto", cache: ResultCache | None = None) -> dict:
    """Train a DBN (``spec.epochs = 0``: the untrained one) and describe every hidden layer.

    Returns ``{"state", "H_s" (R, L), "H_k" (R, L), "counts" [l][r], "log2M", "data", "M", "sizes"}``.
    """
    from ...models.rbm import DBN, RBMTraining

    dev = resolve_device(device)

    def compute():
        x, _, what = dataset(spec.data, spec.M, seed)
        dbn = DBN.train(x, list(spec.hidden_sizes), RBMTraining(epochs=spec.epochs, batch_size=spec.batch_size,
                                                                 lr=spec.lr),
                        n_realisations=spec.n_realisations, seed=seed, device=dev, progress=False)
        out = layer_statistics([c.cpu().numpy() for c in dbn.codes(torch.as_tensor(x))], len(x))
        out.update(state=dbn.state(), data=what, M=int(len(x)), sizes=[int(x.shape[1]), *spec.hidden_sizes])
        return out

    with cpu_threads(dev):
        return (cache or ResultCache()).get_or_compute(*dbn_key(spec, seed), compute)


def dbn_key(spec: DBNSpec, seed: int) -> tuple[str, dict]:
    """The cache entry (name, config) :func:`dbn_result` fills: shared by the runner and its unit."""
    return "rr_supp_dbn", {"spec": asdict(spec), "seed": seed}


def generation_key(spec: DBNSpec, gen: GenerationSpec, labeller: str, labeller_cfg, seed: int, n_test: int,
                   labeller_M: int | None) -> tuple[str, dict]:
    """The cache entry (name, config) :func:`generation_result` fills: shared by the runner and its unit. The
    labeller enters through its configuration (v3; v2 keyed on its measured error, known only after training)."""
    lab = asdict(labeller_cfg) if labeller == "digits" else {"epochs": int(labeller_cfg), "n_test": int(n_test),
                                                             "M": labeller_M}
    return "rr_supp_generation_v3", {"spec": asdict(spec), "gen": asdict(gen), "labeller": labeller,
                                     "labeller_cfg": lab, "seed": seed}


def power_law_by_layer(res: dict, seed: int = 0) -> dict:
    """:func:`deepinfo.estimators.power_law_verdict` of every layer and realisation of a :func:`dbn_result`:
    ``verdicts[r][l]``, and ``beta`` (R, L) the fitted exponent (NaN where the rule does not accept a power law)."""
    from ...estimators import power_law_verdict

    L, R = len(res["counts"]), len(res["counts"][0])
    verdicts = [[power_law_verdict(np.asarray(res["counts"][l][r]), rng=seed) for l in range(L)] for r in range(R)]
    beta = np.array([[v.beta if v.status == "holds" else np.nan for v in row] for row in verdicts], dtype=float)
    return {"verdicts": verdicts, "beta": beta}


# ------------------------------------------------------------------------------- generation
def _labeller_digits(classifier: ClassifierConfig, seed: int, device, cache: ResultCache | None = None):
    from ...models.classifier import predict, trained_classifier

    model, info = trained_classifier(classifier, seed=seed, device=device, cache=cache, progress=False)
    return (lambda x: predict(model, x)), info


def letters_labeller_split(n_test: int, seed: int = 0, M: int | None = None):
    """(data set, training part, held-out part) of the letters labeller: ``M + n_test`` images of
    :func:`letters_dataset` (all when ``M`` is None), ``n_test`` of them held out."""
    from ...data import split_holdout

    ds = letters_dataset(seed)
    ds = ds.subset(None if M is None else M + n_test, seed=seed + 7)
    tr, te = split_holdout(ds, n_test, seed=seed)
    return ds, tr, te


def _labeller_letters(epochs: int, n_test: int, seed: int, device, cache: ResultCache | None,
                      M: int | None = None):
    """An MLP 128-256-10 (ReLU) trained on the letters data set (or its substitute); returns (predict, info)."""
    from ...models.feedforward import MLP, SupervisedTraining, train_supervised

    dev = resolve_device(device)
    ds, tr, te = letters_labeller_split(n_test, seed, M)
    n_classes = int(ds.y.max()) + 1

    def compute():
        torch.manual_seed(seed)
        model = MLP([ds.x.shape[1], 256, n_classes], "relu")
        train_supervised(model, tr.x, tr.y, SupervisedTraining(epochs, 100, 1e-3), seed=seed, device=dev,
                         progress=False)
        model.eval()
        with torch.no_grad():
            pred = model(torch.as_tensor(te.x).to(dev)).argmax(-1).cpu().numpy()
        return {"state": {k: v.cpu() for k, v in model.state_dict().items()},
                "test_error": float((pred != te.y).mean()), "n_train": tr.M, "n_test": te.M}

    res = (cache or ResultCache()).get_or_compute(
        "rr_supp_letter_labeller", {"epochs": epochs, "n_test": n_test, "M": M, "seed": seed, "data": ds.describe()}, compute)
    model = MLP([ds.x.shape[1], 256, n_classes], "relu")
    model.load_state_dict(res["state"])
    model.to(dev).eval()

    @torch.no_grad()
    def label(x):
        x = torch.as_tensor(np.asarray(x), dtype=torch.float32)
        lead = x.shape[:-1]
        out = model(x.reshape(-1, x.shape[-1]).to(dev)).argmax(-1).cpu().numpy()
        return out.reshape(lead)

    return label, {k: v for k, v in res.items() if k != "state"}


def _abilities(y: np.ndarray, q_labels: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """1/D(P||Q) (:func:`deepinfo.estimators.generation_ability`, its default rule for unproduced labels)
    and the raw label frequencies Q for generated labels ``q_labels`` (..., n); shapes (...) and (..., C)."""
    from ...estimators import generation_ability, label_distribution

    lead = q_labels.shape[:-1]
    flat = q_labels.reshape(-1, q_labels.shape[-1])
    ab = np.array([generation_ability(y, q, n_classes=n_classes) for q in flat]).reshape(lead)
    Q = np.stack([label_distribution(q, n_classes) for q in flat]).reshape(*lead, n_classes)
    return ab, Q


def generation_result(spec: DBNSpec, gen: GenerationSpec, labeller: str, labeller_cfg, seed: int = 0,
                      device="auto", cache: ResultCache | None = None, n_test: int = 1000,
                      labeller_M: int | None = None) -> dict:
    """Generation ability 1/D(P||Q) (Song et al. eq. 9) of every hidden layer of the DBN of ``spec``.

    P is the label distribution of the training data, Q that of the generated samples labelled by
    the digit CNN (``labeller="digits"``, ``labeller_cfg`` a ClassifierConfig) or the letters MLP
    (``"letters"``, ``labeller_cfg`` its number of epochs). Returns
    ``{"ability" (R, L), "Q" (R, L, n_classes), "P" (n_classes,), "labeller": info, "images" [l] (n_show, D)}``.
    The cache keeps the generated samples' labels; the abilities are computed from them on each call.
    """
    from ...estimators import label_distribution
    from ...models.rbm import DBN, generate

    dev = resolve_device(device)
    cache = cache or ResultCache()
    res = dbn_result(spec, seed, dev, cache)
    if labeller == "digits":
        label, info = _labeller_digits(labeller_cfg, seed, dev, cache)
    else:
        label, info = _labeller_letters(labeller_cfg, n_test, seed, dev, cache, labeller_M)

    def compute():
        dbn = DBN.from_state(res["state"], dev)
        labels, images = [], []
        for l in range(1, len(dbn.layers) + 1):
            v = generate(dbn, l, gen.n_samples, gen.n_sweeps, seed=seed + l, device=dev)   # (R, n, D)
            labels.append(label(v.numpy()))                                              # (R, n)
            images.append(v[0, :20].numpy())
        return {"q_labels": np.stack(labels, axis=1), "images": images}                  # (R, L, n)

    with cpu_threads(dev):
        out = dict(cache.get_or_compute(*generation_key(spec, gen, labeller, labeller_cfg, seed, n_test, labeller_M),
                                        compute))
    _, y, _ = dataset(spec.data, spec.M, seed)
    n_classes = int(y.max()) + 1
    out["ability"], out["Q"] = _abilities(y, np.asarray(out["q_labels"]), n_classes)
    out["P"] = label_distribution(y, n_classes)
    out["labeller"] = info
    return out


# ------------------------------------------------------------------------------ S4: sparse RBM
def train_sparse_rbm(x, n_hidden: int, epochs: int, lambda_c: float = 0.0, lambda_a: float = 0.0,
                     target: float = 0.05, lr: float = 0.1, batch_size: int = 100, seed: int = 0, device="auto"):
    """PCD-1 training of one RBM with the two L2 penalties of Fig. S4 (Lee, Ekanadham & Ng 2008).

    Cost (per sample): C = -log L + lambda_c sum_ij W_ij^2 + lambda_a sum_j (p - q_j)^2 with
    q_j = <P(h_j = 1 | v)>_batch the mean activity of hidden unit j. Each mini-batch takes the
    PCD-1 step of :meth:`deepinfo.models.rbm.RBM.pcd_step` (weight decay 2 lambda_c, the gradient
    of the first penalty) and then the gradient step of the activity penalty,
    dC/dq_j = -2 lambda_a (p - q_j), dq_j/dW_ij = <v_i s_j>, dq_j/db_j = <s_j>, s = q (1 - q).
    """
    from ...models.rbm import RBM

    dev = resolve_device(device)
    x = torch.as_tensor(np.asarray(x), dtype=torch.float32).to(dev)
    M, n_v = x.shape
    gen = torch.Generator(device=dev).manual_seed(seed)
    rbm = RBM(n_v, n_hidden, 1, generator=torch.Generator().manual_seed(seed), device=dev)
    chains = torch.rand(1, batch_size, n_v, generator=gen, device=dev)
    for _ in range(epochs):
        order = torch.randperm(M, generator=gen, device=dev)
        for b in range(M // batch_size):
            batch = x[order[b * batch_size:(b + 1) * batch_size]].unsqueeze(0)
            chains = rbm.pcd_step(batch, chains, lr, gen, weight_decay=2.0 * lambda_c)
            if lambda_a:
                activity_penalty_step(rbm, batch, lambda_a, target, lr)
    return rbm


@torch.no_grad()
def activity_penalty_step(rbm, batch: torch.Tensor, lambda_a: float, target: float, lr: float) -> None:
    """One gradient-descent step on lambda_a sum_j (p - q_j)^2, q_j = <P(h_j = 1 | v)> over ``batch`` (R, B, n_v).

    dC/dW_ij = -2 lambda_a (p - q_j) <v_i s_j>,  dC/db_j = -2 lambda_a (p - q_j) <s_j>,  s = q (1 - q).
    """
    p = rbm.p_h(batch)                                         # (R, B, n_h)
    g = 2.0 * lambda_a * (target - p.mean(1))                  # -dC/dq, (R, n_h)
    s = p * (1.0 - p)
    rbm.W.add_(lr * g.unsqueeze(1) * torch.bmm(batch.transpose(1, 2), s) / batch.shape[1])
    rbm.b_h.add_(lr * g * s.mean(1))


def sparse_rbm_result(cfg: S4Config, seed: int = 0, device="auto", cache: ResultCache | None = None,
                      realisation: int = 0) -> dict:
    """Fig. S4: for each lambda_c (lambda_a = 0) and each lambda_a (lambda_c = 0): H[s], H[k], counts,
    mean hidden activity and the features W_j (n_hidden, 784); one RBM per setting, trained with
    :func:`realisation_seed` ``(seed, realisation)`` on the images drawn with ``seed``."""
    dev = resolve_device(device)
    ts = realisation_seed(seed, realisation)

    def compute():
        x, _, what = dataset("mnist", cfg.M, seed)
        out = {"data": what, "M": int(len(x)), "log2M": float(np.log2(len(x)))}
        for kind, values in (("connectivity", cfg.lambda_c), ("activity", cfg.lambda_a)):
            rows = []
            for lam in values:
                kw = {"lambda_c": lam} if kind == "connectivity" else {"lambda_a": lam, "target": cfg.target}
                rbm = train_sparse_rbm(x, cfg.n_hidden, cfg.epochs, seed=ts, device=dev, **kw)
                codes = rbm.codes(torch.as_tensor(x).to(dev))[0].cpu().numpy()
                k = state_counts(codes)
                rows.append({"lambda": float(lam), "H_s": resolution(k), "H_k": relevance(k), "counts": k,
                             "activity": float(rbm.p_h(torch.as_tensor(x).to(dev)).mean()),
                             "features": rbm.W[0].T.cpu().numpy()})
            out[kind] = rows
        return out

    with cpu_threads(dev):
        return (cache or ResultCache()).get_or_compute(*sparse_rbm_key(cfg, seed, realisation), compute)


def sparse_rbm_key(cfg: S4Config, seed: int, realisation: int = 0) -> tuple[str, dict]:
    """The cache entry (name, config) :func:`sparse_rbm_result` fills: shared by the runner and its unit."""
    return "rr_supp_sparse_rbm", _realisation_key(cfg, seed, realisation)


def sparse_rbm_runs(cfg: S4Config, seed: int = 0, device="auto", cache: ResultCache | None = None) -> list:
    """:func:`sparse_rbm_result` of every realisation ``0 .. cfg.n_realisations - 1``."""
    return [sparse_rbm_result(cfg, seed, device, cache, r) for r in range(cfg.n_realisations)]


# ---------------------------------------------------------------------- S5: discriminative models
def cnn_with_hidden(n_hidden: int, channels: tuple) -> torch.nn.Module:
    """The book's digit CNN (:class:`deepinfo.models.classifier.DigitCNN`) with a sigmoid hidden layer of N_H units."""
    from ...models.classifier import DigitCNN

    model = DigitCNN(28, tuple(channels), n_hidden, 10)
    model.head[2] = torch.nn.Sigmoid()   # Fig. S5c: the fully connected hidden layer is sigmoidal
    return model


@torch.no_grad()
def hidden_codes(model: torch.nn.Module, kind: str, x: torch.Tensor) -> np.ndarray:
    """Binarised activities of the (last) hidden layer, uint8 (M, N_H).

    Rule: sigmoid units are on when their activity exceeds 1/2 (the RBM's zero-temperature
    rule); ReLU units are on when their activity is positive (the unit fires at all).
    """
    model.eval()
    if kind == "cnn":
        z = torch.cat([model.head[:3](model.features(x[i:i + 1000].reshape(-1, 1, 28, 28)))
                       for i in range(0, len(x), 1000)])
        return (z > 0.5).to(torch.uint8).cpu().numpy()
    z = model.hidden(x)[-1]
    thr = 0.5 if kind == "mlp_sigmoid" else 0.0
    return (z > thr).to(torch.uint8).cpu().numpy()


def s5_split(cfg: S5Config, n_available: int) -> tuple[int, int]:
    """(M_train, M_test) of Fig. S5 for ``n_available`` images: the configured sizes when they fit, else the
    available images split in the configured proportion (offline MNIST has 10,000 images, so the full
    preset's 50,000 + 10,000 becomes 8,333 + 1,667). Raises if fewer than 2 images would be held out."""
    want = cfg.M_train + cfg.M_test
    if want <= n_available:
        return int(cfg.M_train), int(cfg.M_test)
    M_test = int(round(n_available * cfg.M_test / want))
    if M_test < 2 or n_available - M_test < 2:
        raise ValueError(f"S5: {n_available} images cannot be split into training and test sets")
    return int(n_available - M_test), M_test


def discriminative_result(cfg: S5Config, seed: int = 0, device="auto", cache: ResultCache | None = None,
                          realisation: int = 0) -> dict:
    """Fig. S5: for MLP (sigmoid), MLP (ReLU) and CNN, per N_H: train/test accuracy, H[s], H[k] and counts
    of the binarised hidden states of the M_train training images. The images and their split are drawn with
    ``seed``; the networks train with :func:`realisation_seed` ``(seed, realisation)``."""
    from ...data import load_mnist, split_holdout
    from ...models.feedforward import MLP, SupervisedTraining, accuracy, train_supervised

    dev = resolve_device(device)
    ts = realisation_seed(seed, realisation)

    def compute():
        full = load_mnist("train")
        M_train, M_test = s5_split(cfg, full.M)
        ds = full.subset(M_train + M_test, seed=seed)
        tr, te = split_holdout(ds, M_test, seed=seed)
        xtr, ytr = torch.as_tensor(tr.x).to(dev), torch.as_tensor(tr.y).to(dev)
        xte, yte = torch.as_tensor(te.x).to(dev), torch.as_tensor(te.y).to(dev)
        out = {"M": tr.M, "M_test": te.M, "log2M": float(np.log2(tr.M)), "labels": tr.y}
        for kind in ("mlp_sigmoid", "mlp_relu", "cnn"):
            rows = []
            for n_h in cfg.n_hidden:
                torch.manual_seed(ts)
                model = (cnn_with_hidden(n_h, cfg.cnn_channels) if kind == "cnn" else
                         MLP([784, n_h, 10], "sigmoid" if kind == "mlp_sigmoid" else "relu"))
                train_supervised(model, xtr, ytr, SupervisedTraining(cfg.epochs, cfg.batch_size, cfg.lr, "adam"),
                                 seed=ts, device=dev, progress=False)
                codes = hidden_codes(model, kind, xtr)
                k = state_counts(codes)
                rows.append({"n_hidden": int(n_h), "acc_train": accuracy(model, xtr, ytr),
                             "acc_test": accuracy(model, xte, yte), "H_s": resolution(k), "H_k": relevance(k),
                             "counts": k, "codes": codes})
            out[kind] = rows
        return out

    with cpu_threads(dev):
        return (cache or ResultCache()).get_or_compute(*discriminative_key(cfg, seed, realisation), compute)


def discriminative_key(cfg: S5Config, seed: int, realisation: int = 0) -> tuple[str, dict]:
    """The cache entry (name, config) :func:`discriminative_result` fills: shared by the runner and its unit."""
    return "rr_supp_discriminative", _realisation_key(cfg, seed, realisation)


def discriminative_runs(cfg: S5Config, seed: int = 0, device="auto", cache: ResultCache | None = None) -> list:
    """:func:`discriminative_result` of every realisation ``0 .. cfg.n_realisations - 1``."""
    return [discriminative_result(cfg, seed, device, cache, r) for r in range(cfg.n_realisations)]


# ------------------------------------------------------------------------------------ S6: VAE
def vae_result(cfg: S6Config, classifier: ClassifierConfig, seed: int = 0, device="auto",
               cache: ResultCache | None = None, realisation: int = 0) -> dict:
    """Fig. S6: for each N_z a VAE trained on M MNIST images generates ``n_generated`` digits, labelled by the
    digit CNN. Returns per N_z the generation ability (mean and standard error over ``n_groups`` groups
    of generated samples), Q(label), the final training loss and 20 generated images. The cache keeps
    the generated samples' labels; the abilities are computed from them on each call. The training images
    are drawn with ``seed``; the VAEs train (and generate) with :func:`realisation_seed` ``(seed, realisation)``;
    the labeller is the one digit classifier of ``seed``."""
    from ...estimators import label_distribution
    from ...models.feedforward import SupervisedTraining
    from ...models.vae import VAE, negative_elbo, train_vae

    dev = resolve_device(device)
    ts = realisation_seed(seed, realisation)
    label, info = _labeller_digits(classifier, seed, dev, cache)

    def compute():
        x, y, what = dataset("mnist", cfg.M, seed)
        xt = torch.as_tensor(x)
        rows = []
        for n_z in cfg.n_z:
            torch.manual_seed(ts)
            vae = VAE(n_z)
            train_vae(vae, xt, SupervisedTraining(cfg.epochs, cfg.batch_size, cfg.lr, "adam"), seed=ts,
                      device=dev, progress=False)
            with torch.no_grad():
                torch.manual_seed(ts)
                loss = float(negative_elbo(vae(xt[:2000].to(dev)), xt[:2000].to(dev)))
            g = vae.generate(cfg.n_generated, seed=ts + 1).cpu().numpy()
            rows.append({"n_z": int(n_z), "q_labels": label(g), "neg_elbo": loss, "images": g[:20]})
        return {"data": what, "M": int(len(x)), "rows": rows}

    with cpu_threads(dev):
        out = dict((cache or ResultCache()).get_or_compute(*vae_key(cfg, classifier, seed, realisation), compute))
    _, y, _ = dataset("mnist", cfg.M, seed)
    rows = []
    for row in out["rows"]:
        q = np.asarray(row["q_labels"])
        groups = np.stack(np.array_split(q[:len(q) - len(q) % cfg.n_groups], cfg.n_groups))
        ab_groups, _ = _abilities(y, groups, 10)
        ab, Q = _abilities(y, q[None], 10)
        rows.append(dict(row, ability_groups=ab_groups, ability=float(ab[0]), Q=Q[0]))
    out.update(rows=rows, P=label_distribution(y, 10), labeller=info)
    return out


def vae_key(cfg: S6Config, classifier: ClassifierConfig, seed: int, realisation: int = 0) -> tuple[str, dict]:
    """The cache entry (name, config) :func:`vae_result` fills: shared by the runner and its unit (v3: the
    labeller enters through its configuration, not its measured error)."""
    return "rr_supp_vae_v3", _realisation_key(cfg, seed, realisation, classifier=asdict(classifier))


def vae_runs(cfg: S6Config, classifier: ClassifierConfig, seed: int = 0, device="auto",
             cache: ResultCache | None = None) -> list:
    """:func:`vae_result` of every realisation ``0 .. cfg.n_realisations - 1``."""
    return [vae_result(cfg, classifier, seed, device, cache, r) for r in range(cfg.n_realisations)]


# ------------------------------------------------------------------------- one call per figure
def s1_results(cfg: S1Config, seed: int = 0, device="auto", cache: ResultCache | None = None) -> dict:
    """Fig. S1: the standard DBN on MNIST and on bit-flipped MNIST, at epoch 0 and after ``cfg.epochs``."""
    out = {}
    for data in ("mnist", "mnist_flipped"):
        for epochs, when in ((0, "epoch 0"), (cfg.epochs, "trained")):
            spec = DBNSpec(data, cfg.M, MNIST_SIZES, epochs, cfg.n_realisations)
            out[(data, when)] = dbn_result(spec, seed, device, cache)
    return out


def s2_specs(cfg: S2Config, s1: S1Config) -> dict:
    """The DBNs of Fig. S2 (same data, epochs and realisations as Fig. S1), keyed by a display name."""
    specs = {name: DBNSpec("mnist", s1.M, tuple(sizes), s1.epochs, s1.n_realisations)
             for name, sizes in cfg.architectures}
    for n in cfg.rbm_sizes:
        specs[f"single RBM ({n})"] = DBNSpec("mnist", s1.M, (int(n),), s1.epochs, s1.n_realisations)
    return specs


def best_generation(gen: dict) -> tuple[float, float, int]:
    """(mean ability of the best layer, its standard error over realisations, that layer (1-based))."""
    a = np.asarray(gen["ability"], dtype=float)          # (R, L)
    mean = a.mean(0)
    l = int(np.argmax(mean))
    se = mean_se(a[:, l])[1] if a.shape[0] > 1 else float("nan")
    return float(mean[l]), float(se), l + 1


def s5_summary(res: dict) -> dict:
    """Per model kind and N_H: the power-law verdict (``power_law``, :func:`power_law_verdict`), its beta and
    beta_err (Fisher standard error), the majority-label error of the binarised hidden states; and ``best``,
    the N_H of maximal H[s] + H[k] (the most informative representation) per kind."""
    from ...estimators import hidden_state_error, power_law_verdict

    out = {}
    for kind in ("mlp_sigmoid", "mlp_relu", "cnn"):
        rows = []
        for row in res[kind]:
            v = power_law_verdict(np.asarray(row["counts"]), rng=0)
            rows.append(dict(power_law=v, beta=v.beta, beta_err=v.beta_se, n_hidden=row["n_hidden"],
                             H_s=row["H_s"], H_k=row["H_k"],
                             error=float(hidden_state_error(row["codes"], res["labels"])),
                             acc_train=row["acc_train"], acc_test=row["acc_test"]))
        best = int(np.argmax([r["H_s"] + r["H_k"] for r in rows]))
        out[kind] = {"rows": rows, "best": best}
    return out


def vae_optimum(res: dict) -> dict:
    """Generation ability per N_z with its standard error over groups of generated images: ``abilities``,
    ``errs``, ``n_z`` (list), ``best`` (index of the largest ability)."""
    ab = np.array([r["ability"] for r in res["rows"]])
    err = np.array([mean_se(r["ability_groups"])[1] for r in res["rows"]])
    return {"abilities": ab, "errs": err, "n_z": [r["n_z"] for r in res["rows"]], "best": int(np.argmax(ab))}


def vae_optima(runs: list) -> dict:
    """:func:`vae_optimum` of every realisation stacked: ``abilities``, ``errs`` (R, Z) (errs: standard error
    over groups of generated images), ``n_z``; ``mean``, ``se`` (Z,) over realisations (se NaN for one),
    ``best`` (index of the largest mean) and ``R``."""
    opts = [vae_optimum(r) for r in runs]
    if not opts or any(o["n_z"] != opts[0]["n_z"] for o in opts):
        raise ValueError("vae_optima: expected realisations of the same N_z")
    ab, er = np.stack([o["abilities"] for o in opts]), np.stack([o["errs"] for o in opts])
    if len(opts) > 1:
        mean, se, _ = mean_se(ab, axis=0)
    else:
        mean, se = ab[0], np.full(ab.shape[1], np.nan)
    return {"abilities": ab, "errs": er, "n_z": opts[0]["n_z"], "mean": np.asarray(mean), "se": np.asarray(se),
            "best": int(np.argmax(mean)), "R": len(opts)}


def beta_error_rows(summary: dict) -> list:
    """The rows ``(label, beta, error)`` of one realisation's :func:`s5_summary`, one per (model, N_H), for
    :func:`.claims.low_beta_large_error`: beta is the fitted exponent where the power-law rule holds, else NaN."""
    return [(f"{kind} N_H={r['n_hidden']}", float(r["beta"]) if r["power_law"].status == "holds" else float("nan"),
             float(r["error"])) for kind in ("mlp_sigmoid", "mlp_relu", "cnn") for r in summary[kind]["rows"]]


def feature_images(W: np.ndarray, n: int = 49) -> np.ndarray:
    """The first ``n`` features W_j (rows of W^T, (n_hidden, D)), each rescaled to [0, 1] (Fig. S4c-e)."""
    F = np.asarray(W, dtype=float)[:n]
    lo, hi = F.min(1, keepdims=True), F.max(1, keepdims=True)
    return (F - lo) / np.where(hi > lo, hi - lo, 1.0)


# ----------------------------------------------------------------------------------- units
def s3_spec(cfg: SupplementConfig) -> DBNSpec:
    """The letters DBN of Fig. S3."""
    return DBNSpec("letters", cfg.s3.M, LETTER_SIZES, cfg.s3.epochs, cfg.s3.n_realisations)


def _jobs(cfg: SupplementConfig, seed: int, device: str) -> list[tuple]:
    """(name, (cache_name, cache_config), fn, args, kwargs, wants_gpu) of every expensive runner the page calls."""
    jobs = []
    for data in ("mnist", "mnist_flipped"):
        for epochs, when in ((0, "epoch 0"), (cfg.s1.epochs, "trained")):
            spec = DBNSpec(data, cfg.s1.M, MNIST_SIZES, epochs, cfg.s1.n_realisations)
            jobs.append((f"S1 DBN {data}, {when}", dbn_key(spec, seed), dbn_result, (spec, seed, device), {}, True))
    for name, spec in s2_specs(cfg.s2, cfg.s1).items():
        jobs.append((f"S2 DBN {name}", dbn_key(spec, seed), dbn_result, (spec, seed, device), {}, True))
        jobs.append((f"S2 generation {name}", generation_key(spec, cfg.s2.generation, "digits", cfg.classifier, seed,
                                                             1000, None),
                     generation_result, (spec, cfg.s2.generation, "digits", cfg.classifier, seed, device), {}, True))
    s3 = s3_spec(cfg)
    jobs.append(("S3 DBN letters", dbn_key(s3, seed), dbn_result, (s3, seed, device), {}, True))
    jobs.append(("S3 generation letters",
                 generation_key(s3, cfg.s3.generation, "letters", cfg.s3.labeller_epochs, seed, cfg.s3.n_test,
                                cfg.s3.labeller_M),
                 generation_result, (s3, cfg.s3.generation, "letters", cfg.s3.labeller_epochs, seed, device),
                 {"n_test": cfg.s3.n_test, "labeller_M": cfg.s3.labeller_M}, True))
    for r in range(cfg.s4.n_realisations):
        jobs.append((_named("S4 sparse RBMs", r), sparse_rbm_key(cfg.s4, seed, r), sparse_rbm_result,
                     (cfg.s4, seed, device), {"realisation": r}, True))
    for r in range(cfg.s5.n_realisations):
        jobs.append((_named("S5 classifiers (MLP sigmoid, MLP ReLU, CNN)", r), discriminative_key(cfg.s5, seed, r),
                     discriminative_result, (cfg.s5, seed, device), {"realisation": r}, True))
    for r in range(cfg.s6.n_realisations):
        jobs.append((_named("S6 VAEs", r), vae_key(cfg.s6, cfg.classifier, seed, r), vae_result,
                     (cfg.s6, cfg.classifier, seed, device), {"realisation": r}, True))
    return jobs


def _named(name: str, realisation: int) -> str:
    """A unit's name: realisation 0 keeps the one-realisation name, the others say which they are."""
    return name if realisation == 0 else f"{name}, realisation {realisation}"


def units(cfg: SupplementConfig, seed: int = 0, device: str = "auto") -> list[Unit]:
    """The expensive cached pieces of the preset (:mod:`deepinfo.compute`): every DBN of Figs. S1-S3 (its
    realisations train together as one batched computation), every generation run of Figs. S2-S3 (with the
    labeller it needs), the sparse RBMs of S4, the classifiers of S5 and the VAEs of S6. Each unit's
    ``(cache_name, cache_config)`` comes from the key helper its runner uses."""
    return [Unit(chapter="resolution_relevance_supplement", name=name, cache_name=key[0], cache_config=key[1], fn=fn,
                 args=args, kwargs=kwargs, resources=(("GPU", 1),) if gpu else ())
            for name, key, fn, args, kwargs, gpu in _jobs(cfg, seed, device)]


def page_results(cfg: SupplementConfig, seed: int = 0, device: str = "auto", cache: ResultCache | None = None) -> dict:
    """Every runner the page calls, by unit name (after :func:`units` are computed this only reads the cache)."""
    out = {}
    for name, _, fn, args, kwargs, _ in _jobs(cfg, seed, device):
        out[name] = fn(*args, **dict(kwargs, cache=cache))
    return out
