"""Claims of the Lee & Jo (2022) main chapter and the pure functions that decide them.

Every power-law statement is decided by the book's one rule, :func:`deepinfo.estimators.power_law_verdict`
(scale-free versus a characteristic scale, calibrated before it saw any chapter's data); its
``"fails"`` is this book's ``"does not hold"``. The library's adapters (:mod:`deepinfo.verdicts`:
``fit``, ``power_law_claim``, ``all_of``, ``on_substitute``, ...) turn one or several such verdicts into
a claim :class:`~deepinfo.claims.Verdict`; they are re-exported here for the page. Values over seeds carry :meth:`Uncertainty.from_samples`; a power-law
exponent carries the bootstrap interval over the tail's states.

Each ``evaluate_*`` function takes the plain result dicts of :mod:`.run` (or synthetic dicts with the
same keys: ``counts``, ``data``, ...) and returns ``{claim id: Verdict}``.
"""
from __future__ import annotations

import math

import numpy as np

from ...claims import ClaimSpec, Uncertainty, Verdict, compare, exact_check, inconclusive, within

from ...verdicts import (PL_REASON, PL_THRESHOLD, STATUS_OF, _finite, _short, all_of, beta_uncertainty,  # noqa: F401
                         fit, fit_line, in_every_seed, layer_fits, on_substitute, power_law_claim, said)

PL_DIFFERS = ("The paper reads power laws off log-log plots; we fit the tail by maximum likelihood and test it "
              "against a characteristic scale (power_law_verdict).")

#: P2.seed_insensitive: largest coefficient of variation of beta across seeds
SEED_CV_MAX = 0.2
#: P2.beta_depends_on_layer: a difference of exponents below this is 'the same beta'
BETA_SAME = 0.1
#: P2.untrained_deep_layers_collapse: 'a few trivial states' = resolution below this (bits)
FEW_STATES_BITS = 2.0
#: P2.rbm_no_stuck_units: a unit on for more than STUCK_HI or fewer than STUCK_LO of the images is stuck
STUCK_LO, STUCK_HI = 0.01, 0.99
#: P2.widening_codes_unique: width of the widening layer (wider than the 784 pixels)
WIDE = 1000

SEEDS_DIFFER = (" The paper shows one network; we decide the claim in every training seed of the preset (3 at "
                "quick, 2 at smoke, 5 at full) and it holds only if it holds in each; the value is the share of seeds "
                "that pass, with its Wilson interval.")

CLAIMS = [
    ClaimSpec("P2.rbm_power_law", "paper",
              "The binarised hidden states of an RBM trained on MNIST have a power-law degeneracy m(k) ~ k^(-beta-1).",
              "power law (Fig. 1a); about 2,000 distinct states of 60,000 images", PL_THRESHOLD, PL_REASON,
              figure="fig-p2-1a",
              test_differs=PL_DIFFERS + " The code is the deterministic P(h|v) > 0.5 (the authors' code samples h); "
                                        "one network; offline MNIST has 10,000 images, not 60,000 (the finite-size "
                                        "study, fig-si-finite-size, shows the verdict at smaller M)."),
    ClaimSpec("P2.rbm_power_law_seeds", "paper",
              "The RBM's power law of Fig. 1a is not a property of one lucky initialisation: the thresholded codes "
              "of every RBM seed have a power-law m(k).",
              "power law (Fig. 1a); one network shown",
              PL_THRESHOLD + ", in every RBM seed of the preset (at least 3)", PL_REASON, figure="fig-p2-1a-seeds",
              test_differs=PL_DIFFERS + " The paper shows one network; we train the RBM from several seeds with the "
                                        "same schedule and ask the rule of each."),
    ClaimSpec("P2.rbm_sampled_power_law", "paper",
              "With the authors' stochastic codes (each h_j sampled once from P(h_j|v)) the RBM's m(k) is a power law "
              "too, in every RBM seed.",
              "power law (Fig. 1a), codes sampled as in the authors' program",
              PL_THRESHOLD + ", in every RBM seed of the preset", PL_REASON, figure="fig-p2-1a-seeds",
              test_differs=PL_DIFFERS + " The same trained machines as the thresholded claim; one sample of h per "
                                        "image (a fixed generator seed)."),
    ClaimSpec("P2.rbm_no_stuck_units", "estimator",
              "Every RBM behind Fig. 1a is trained: no hidden unit is stuck on or off.",
              "the authors' RBM on the same 10,000 images: no stuck unit (issue 14)",
              f"holds: in every RBM seed no unit of the thresholded codes is on for more than {STUCK_HI:.0%} or "
              f"fewer than {STUCK_LO:.0%} of the images; does not hold: some seed has a stuck unit",
              "the first criterion of the RBM schedule study (deepinfo.models.rbm, stated before the study ran): a "
              "unit that never changes carries no information and shrinks the code's effective width",
              figure="fig-p2-1a-seeds",
              test_differs="A check of our training, not of the paper; counted exactly on each seed's codes."),
    ClaimSpec("P2.kmeans_has_characteristic_size", "paper",
              "k-means clusters of the same images have a characteristic size, not a power law.",
              "single-peaked ('unipolar') size distribution, k = 2048 (Fig. 2a)",
              "power_law_verdict fails on the cluster sizes (an exponential, or a log-normal peaked inside the tail, "
              "describes them: a characteristic scale); holds there means the claim does not hold",
              PL_REASON, figure="fig-p2-2",
              test_differs="As in the paper, k equals the number of distinct RBM codes (the paper: k = 2048 for its "
                           "~2,000 states of 60,000 images; ours: the codes of the same seed on 10,000 images at "
                           "quick), the best of several k-means restarts (n_init; the page gives it); one RBM seed."),
    ClaimSpec("P2.mlp_power_law_every_layer", "paper",
              "Every binarised hidden layer (z1, z2, z3) of a 784-70-50-35-10 sigmoid MLP trained on Fashion-MNIST "
              "to 87% test accuracy has a power-law m(k).",
              "power laws in z1, z2, z3 (Fig. 1b)", "power_law_verdict holds in all three layers of every training "
              "seed's network; any layer that fails makes the claim fail", PL_REASON, figure="fig-p2-1b",
              test_differs=PL_DIFFERS + " Training stops at the first epoch reaching 87% (or the preset's "
                                        "epoch cap, which the page reports)." + SEEDS_DIFFER),
    ClaimSpec("P2.beta_depends_on_layer", "paper",
              "The exponent beta differs between the hidden layers of the Fig. 1b network (it depends on the "
              "layer's width).", "beta depends on the dimension of z^mu (Fig. 1b)",
              f"beta(z1) - beta(z3) over seeds: holds if its 95% interval excludes 0, does not hold if the interval "
              f"lies within +/- {BETA_SAME}, inconclusive otherwise",
              f"z1 (70 units) against z3 (35 units) is the widest contrast of widths, fixed in advance so that no pair "
              f"is chosen after seeing the data; {BETA_SAME} is about the smallest difference of slopes one can read "
              f"off log-log plots spanning two decades", figure="fig-p2-seeds",
              test_differs="The paper compares the slopes of one network by eye; we use the maximum-likelihood beta "
                           "of each layer (whether or not the layer passes the power-law rule) over the seed-study "
                           "networks, which use fewer images and epochs than Fig. 1b."),
    ClaimSpec("P2.threshold_insensitive", "paper",
              "The power laws of the Fig. 1b network survive binarisation thresholds other than 0.5.",
              "existence of power laws insensitive to the binarisation threshold (stated, no figure)",
              "power_law_verdict holds for every (threshold, layer) pair, thresholds 0.3 to 0.7, in every "
              "training seed", PL_REASON, figure="fig-p2-threshold",
              test_differs="The paper does not say which thresholds it tried; we use 0.3, 0.4, 0.5, 0.6 and 0.7 on "
                           "the Fig. 1b networks." + SEEDS_DIFFER),
    ClaimSpec("P2.seed_insensitive", "paper",
              "The exponents beta do not depend on the random initialisation of the network.",
              "power-law exponents did not depend on the initialisation (stated, no figure)",
              f"largest coefficient of variation of beta across seeds, over the three layers, below {SEED_CV_MAX} "
              f"with its whole 95% interval (chi-square interval of the standard deviation)",
              f"a {SEED_CV_MAX:.0%} seed-to-seed spread is about the precision of a slope read off a log-log plot; "
              f"fixed before any run", figure="fig-p2-seeds",
              test_differs="The paper gives no number or figure; we compare the maximum-likelihood beta of each "
                           "layer (whether or not it passes the power-law rule); our seed runs use fewer images and a "
                           "shorter epoch cap than Fig. 1b (the page gives both)."),
    ClaimSpec("P2.architecture_robust", "paper",
              "The power laws persist in narrowing sigmoid MLPs of other depths and widths.",
              "conclusion robust to depth and width of narrowing networks (stated, no figure)",
              "power_law_verdict holds in every hidden layer of every architecture tried, in every training seed",
              PL_REASON, figure="fig-p2-arch",
              test_differs="The paper does not list its architectures; we try those of the preset with the "
                           "seed-study training budget." + SEEDS_DIFFER),
    ClaimSpec("P2.autoencoder_power_law", "paper",
              "Every hidden layer (z1, z2, z3) of a deep dense autoencoder trained on EMNIST lowercase letters has a "
              "power-law m(k).", "power laws in z1, z2, z3 with different exponents (Fig. 1c)",
              "power_law_verdict holds in all three layers; on a substitute data set the claim is inconclusive (the "
              "substitute's result is kept in the detail)", PL_REASON, figure="fig-p2-1c",
              test_differs=PL_DIFFERS + " Widths 784-50-30-50-784 from the authors' code; without the EMNIST files "
                                        "MNIST digits stand in; with them, upper and lower case are merged."
                           + SEEDS_DIFFER),
    ClaimSpec("P2.relu_power_law", "paper",
              "With ReLU instead of sigmoid hidden units, the dense autoencoder's layers keep their power laws.",
              "power laws remain evident with ReLU (Sec. II C, data not shown)",
              "power_law_verdict holds in all three ReLU layers, binarised above the layer's mean activation; "
              "inconclusive on a substitute data set", PL_REASON, figure="fig-p2-relu",
              test_differs="The paper does not say how it binarised ReLU units; we use the rule of the authors' code "
                           "(on when above the layer's mean activation). The paper states this for autoencoders (an "
                           "earlier version of this page tested it on the MLP)." + SEEDS_DIFFER),
    ClaimSpec("P2.conv_autoencoder_weaker_power_law", "paper",
              "A convolutional autoencoder on CIFAR-10 shows power laws too, less prominent than the dense "
              "networks', because its high-dimensional codes undersample the data.",
              "power laws, less prominent (Fig. 3)",
              "holds: at least one convolutional layer passes power_law_verdict and the share of images in states "
              "of their own (mean over layers) exceeds the dense autoencoder's; does not hold: no layer passes and "
              "none is inconclusive, or the share does not exceed the dense one; inconclusive on a substitute",
              "the paper names undersampling as the cause, and the share of singleton states is its direct measure",
              figure="fig-p2-3",
              test_differs="Under our reading 'less prominent' means more undersampled (more images alone in their "
                           "state); the paper gives no measure. Our network: three stride-2 sigmoid convolutions "
                           "(8, 4, 4 maps); without CIFAR-10, Fashion-MNIST stands in." + SEEDS_DIFFER),
    ClaimSpec("P2.power_law_after_one_epoch", "paper",
              "After a single epoch of training, the hidden layers of the MNIST MLP already show power laws.",
              "power laws begin to show after 1 epoch (Fig. 4b)",
              "power_law_verdict holds in all three layers after one epoch", PL_REASON, figure="fig-p2-4",
              test_differs="Under our reading 'begins to show power-law scaling' means every layer passes the "
                           "power-law rule after one epoch. The paper's epoch is 600 updates (60,000 images in batches "
                           "of 100); ours is matched in gradient updates (600 at quick and full), so with the offline "
                           "images it is several passes over fewer images (the page gives both)." + SEEDS_DIFFER),
    ClaimSpec("P2.power_law_at_any_accuracy", "paper",
              "Throughout training (Fig. 4b-d: after 1, 10 and 100 epochs, at rising accuracy) every hidden layer of "
              "the MNIST MLP has a power-law m(k).",
              "power laws at any given learning accuracy during the epochs (Sec. III C, Fig. 4)",
              "power_law_verdict holds for every (checkpoint, layer) pair of the trained checkpoints (epoch >= 1); "
              "inconclusive if the run lacks the epoch-10 or epoch-100 checkpoint", PL_REASON, figure="fig-p2-4",
              test_differs="Under our reading 'at any given learning accuracy' means at every trained checkpoint "
                           "of Fig. 4 (epochs 1, 10, 100), each layer judged by the power-law rule; epochs of 600 "
                           "updates as in the epoch claim." + SEEDS_DIFFER),
    ClaimSpec("P2.autoencoder_fashion_power_law", "paper",
              "The binarised hidden layers of the dense autoencoder trained on Fashion-MNIST have power-law m(k) "
              "too.", "power laws on Fashion-MNIST (Sec. II C, data not shown)",
              "power_law_verdict holds in all three layers (z1, z2, z3) of every training seed's autoencoder",
              PL_REASON, figure="fig-p2-ae-fashion",
              test_differs=PL_DIFFERS + " The Fig. 1c network and training on the Fashion-MNIST training images "
                                        "(complete offline); the paper gives no figure or setting." + SEEDS_DIFFER),
    ClaimSpec("P2.widening_codes_unique", "paper",
              "A widening layer (more units than inputs) maps different images to different codes, so every "
              "k_z = 1.", "k_z = 1 for widening networks (Sec. II C)",
              f"holds: in every seed the binarised codes of a 784-{WIDE} sigmoid layer are as many as the distinct "
              f"images (counted exactly); does not hold: two distinct images share a code in some seed",
              "an exact count: the statement is that no two different inputs share a code",
              figure="fig-p2-4",
              test_differs="The paper states it without a network; we use an untrained 784-1000 sigmoid layer "
                           "(PyTorch's default initialisation, the seeds of the seed study) on the Fig. 4 training "
                           "images; a trained widening network is not run."),
    ClaimSpec("P2.untrained_shallow_layer_sometimes", "paper",
              "Before training, the shallow layer z1 sometimes shows a power law, depending on the initialisation.",
              "z1 of the untrained network 'sometimes displays a power-law scaling' (Fig. 4a)",
              "holds: power_law_verdict holds on z1 of at least one untrained seed; inconclusive: it holds in none "
              "(only PyTorch's default initialisation scheme is tried, and 'sometimes' cannot be refuted by one "
              "scheme); the claim cannot be refuted here",
              "'sometimes' at the paper's strength: one initialisation with a scale-free z1 suffices",
              figure="fig-p2-4",
              test_differs="Under our reading 'sometimes' means in at least one of the seed-study initialisations "
                           "under PyTorch's default scheme; the paper varied the scheme itself."),
    ClaimSpec("P2.untrained_deep_layers_collapse", "paper",
              "Before training, the deep layers z2 and z3 of the MLP fall onto a few trivial states.",
              "deep z^mu (mu > 1) converge into a few trivial representations at epoch 0 (Fig. 4a)",
              f"the larger of the mean resolutions H[s] of z2 and z3 of the untrained network, over seeds, below "
              f"{FEW_STATES_BITS:g} bits with its whole 95% interval",
              f"'a few' states: at most about four equally used codes ({FEW_STATES_BITS:g} bits), against about 13 "
              f"bits when every image has its own code; fixed before any run", figure="fig-p2-4",
              test_differs="The paper shows one initialisation and notes that the outcome depends on the scheme; we "
                           "use PyTorch's default initialisation over the seeds of the seed study."),
]


def _data_scale(data: dict, **more) -> dict:
    return {"data": data.get("dataset", ""), "M": data.get("M"), "substitute": bool(data.get("substitute_for")),
            **more}


def _as_runs(x) -> list:
    """A run dict, or a list of them (one per seed), as a list."""
    return [x] if isinstance(x, dict) else list(x)


def _per_seed(fn, runs, *others) -> dict:
    """``{claim id: in_every_seed(...)}`` from ``fn(run, *other runs of the same seed)`` on each seed."""
    runs = _as_runs(runs)
    others = [_as_runs(o) for o in others]
    per = [fn(r, *[o[i] for o in others]) for i, r in enumerate(runs)]
    seeds = [r.get("seed", i) for i, r in enumerate(runs)]
    return {cid: in_every_seed([(s, p[cid]) for s, p in zip(seeds, per)], scale=per[0][cid].scale)
            for cid in per[0]}


# ------------------------------------------------------------------------------------- scale
def scale(cfg) -> dict:
    """What a reader needs to weigh the chapter's results (per-claim data and M are in each verdict)."""
    def m(x):
        return "all" if x is None else int(x)

    from ...models.rbm import RECOMMENDED_SCHEDULE
    from .run import rbm_training

    tr = rbm_training(cfg.rbm)
    sched = "RECOMMENDED_SCHEDULE" if cfg.rbm.schedule == "recommended" and RECOMMENDED_SCHEDULE else "plain SGD"
    km = "the number of distinct RBM codes" if cfg.rbm.kmeans_k is None else str(cfg.rbm.kmeans_k)
    return {"rbm": f"MNIST M = {m(cfg.rbm.M)}, RBM 784-{cfg.rbm.n_hidden}, {tr.epochs} PCD epochs at lr {tr.lr:g} "
                   f"({sched}), "
                   f"seeds {list(cfg.rbm_seeds)}; k-means k = {km}, best of {cfg.rbm.kmeans_n_init} restarts",
            "mlp": f"Fashion-MNIST M = {m(cfg.mlp.M)}, stop at {cfg.mlp.target_accuracy:.0%} or {cfg.mlp.max_epochs} "
                   f"epochs",
            "robustness runs": f"M = {m(cfg.robust_M)}, at most {cfg.robust_max_epochs} epochs, seeds {list(cfg.seeds)}",
            "autoencoders": f"M = {m(cfg.ae.M)}, {cfg.ae.epochs} epochs (dense); M = {m(cfg.conv.M)}, "
                            f"{cfg.conv.epochs} epochs (conv)",
            "epochs study": f"MNIST M = {m(cfg.epochs.M)}, checkpoints {list(cfg.epochs.checkpoints)}, "
                            f"{cfg.epochs.updates_per_epoch or 'one pass of'} updates per epoch",
            "networks per claim": f"training seeds {list(cfg.training_seeds(0))} for every trained network but the "
                                  f"RBM of Fig. 1a (seeds {list(cfg.rbm_seeds)}) and k-means (the first RBM seed)",
            "finite-size study": f"MNIST M = {list(cfg.finite_size_M)}, Fashion-MNIST M = "
                                 f"{list(cfg.finite_size_M_fashion)}, one seed per M"}


# ------------------------------------------------------------------------------------- verdicts
def evaluate_rbm(rbm: dict) -> dict:
    """P2.rbm_power_law and P2.kmeans_has_characteristic_size from ``counts_rbm``, ``counts_kmeans``, ``data``."""
    sc = _data_scale(rbm.get("data", {}), networks=1)
    km = np.asarray(rbm["counts_kmeans"])
    return {"P2.rbm_power_law": power_law_claim(fit(rbm["counts_rbm"]), "RBM z", scale=sc),
            "P2.kmeans_has_characteristic_size": power_law_claim(
                fit(km), f"k-means, k = {km.size}", invert=True, what="one k-means clustering",
                scale={**sc, "kmeans_k": int(km.size), "kmeans_n_init": rbm.get("kmeans_n_init")})}


def evaluate_rbm_seeds(rbms) -> dict:
    """P2.rbm_power_law_seeds, P2.rbm_sampled_power_law and P2.rbm_no_stuck_units from :func:`run_rbm` results
    (one per seed: ``seed``, ``counts_rbm``, ``counts_sampled``, ``stuck`` with ``n_units`` and ``n_stuck``)."""
    rbms = list(rbms)
    if not rbms:
        raise ValueError("evaluate_rbm_seeds: no RBM runs")
    seeds = [r.get("seed", i) for i, r in enumerate(rbms)]
    sc = _data_scale(rbms[0].get("data", {}), seeds=seeds, updates=rbms[0].get("updates"))
    out = {}
    for cid, key in (("P2.rbm_power_law_seeds", "counts_rbm"), ("P2.rbm_sampled_power_law", "counts_sampled")):
        v = all_of([(f"seed {s}", fit(r[key])) for s, r in zip(seeds, rbms)], "seeds", scale=sc)
        if len(rbms) < 3 and v.status == "holds":
            v = inconclusive(f"only {len(rbms)} seed(s): the claim asks for at least 3", v.value, v.uncertainty,
                             v.detail, threshold_value=v.threshold_value, scale=sc, extra=v.extra)
        out[cid] = v
    n_stuck = [int(r["stuck"]["n_stuck"]) for r in rbms]
    n_units = int(rbms[0]["stuck"]["n_units"])
    detail = (f"stuck units (of {n_units}) per seed: " + ", ".join(f"seed {s}: {n}" for s, n in zip(seeds, n_stuck))
              + "; distinct codes " + ", ".join(f"{r['n_states']}" for r in rbms))
    out["P2.rbm_no_stuck_units"] = exact_check(sum(n_stuck) == 0, float(sum(n_stuck)), detail,
                                               method="stuck units counted exactly on each seed's codes",
                                               threshold_value=0.0, scale=sc)
    return out


def evaluate_mlp(mlp) -> dict:
    """P2.mlp_power_law_every_layer (threshold 0.5) and P2.threshold_insensitive (every threshold).

    ``mlp``: one run dict (the verdicts of that network), or a list of runs, one per seed (each claim then
    :func:`~deepinfo.verdicts.in_every_seed`: it must hold in every seed's network)."""
    if not isinstance(mlp, dict):
        return _per_seed(evaluate_mlp, mlp)
    th = list(mlp["thresholds"])
    sc = _data_scale(mlp.get("data", {}), epochs=mlp.get("epoch"), networks=1,
                     target_reached=bool(mlp.get("reached", True)))
    i05 = th.index(0.5) if 0.5 in th else 0
    every = all_of(layer_fits(mlp["counts"][i05]), "layers", scale=sc)
    pairs = [(f"z{l}@{t:g}", fit(c)) for t, counts in zip(th, mlp["counts"]) for l, c in enumerate(counts, 1)]
    return {"P2.mlp_power_law_every_layer": every,
            "P2.threshold_insensitive": all_of(pairs, "(threshold, layer) pairs", scale={**sc, "thresholds": th})}


def seed_betas(runs) -> np.ndarray:
    """(S, L) MLE exponents beta of the threshold-0.5 layers of each seed's MLP run (NaN where no fit)."""
    return np.array([[fit(c).beta for c in r["counts"][0]] for r in runs], dtype=float)


def _chi2_sd_interval(sd: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Interval for a normal standard deviation from its sample value ``sd`` over ``n`` values."""
    from scipy.stats import chi2

    a = (1 - level) / 2
    return sd * math.sqrt((n - 1) / chi2.ppf(1 - a, n - 1)), sd * math.sqrt((n - 1) / chi2.ppf(a, n - 1))


def evaluate_seeds(runs) -> dict:
    """P2.seed_insensitive and P2.beta_depends_on_layer from the seed study's MLP runs (a list, one per seed)."""
    runs = list(runs)
    b = seed_betas(runs)
    S, L = b.shape
    sc = {**_data_scale(runs[0].get("data", {})), "seeds": S, "epochs": [r.get("epoch") for r in runs]}
    per = "; ".join(f"z{l + 1}: beta = " + ", ".join(f"{x:.2f}" for x in b[:, l]) for l in range(L))
    out = {}
    # seed-to-seed spread
    cvs, los, his, short = [], [], [], []
    for l in range(L):
        x = b[np.isfinite(b[:, l]), l]
        if x.size < 2 or x.mean() == 0:
            short.append(f"z{l + 1}")
            continue
        sd = float(x.std(ddof=1))
        lo, hi = _chi2_sd_interval(sd, x.size)
        m = abs(float(x.mean()))
        cvs.append(sd / m)
        los.append(lo / m)
        his.append(hi / m)
    if short:
        out["P2.seed_insensitive"] = inconclusive(f"fewer than two seeds with a fitted beta in {', '.join(short)}",
                                                  detail=per, scale=sc)
    else:
        unc = Uncertainty(f"95% chi-square interval of the standard deviation over {S} seeds, divided by |mean|; "
                          f"the largest over layers", lo=max(los), hi=max(his), level=0.95, n=S)
        out["P2.seed_insensitive"] = compare(max(cvs), unc, SEED_CV_MAX, "<", scale=sc,
                                             detail=f"largest cv of beta across seeds {max(cvs):.3f} (95% "
                                                    f"[{max(los):.3f}, {max(his):.3f}]) vs < {SEED_CV_MAX}; {per}")
    # z1 against z3
    d = b[:, 0] - b[:, L - 1]
    d = d[np.isfinite(d)]
    if d.size < 2:
        out["P2.beta_depends_on_layer"] = inconclusive(f"only {d.size} seed(s) with both exponents fitted: no "
                                                       f"spread over seeds", detail=per, scale=sc)
    else:
        mean = float(d.mean())
        unc = Uncertainty.from_samples(d, "seeds")
        text = f"beta(z1) - beta(z{L}) = {mean:.3f} +/- {unc.se:.3f} (SE over {d.size} seeds); {per}"
        apart = compare(abs(mean), unc, 0.0, ">", detail=text, scale=sc)
        if apart.status == "holds":
            out["P2.beta_depends_on_layer"] = Verdict("holds", mean, unc, text, threshold_value=0.0, scale=sc)
        else:
            same = within(mean, unc, -BETA_SAME, BETA_SAME, detail=text, scale=sc)
            if same.status == "holds":
                out["P2.beta_depends_on_layer"] = Verdict("does not hold", mean, unc, text,
                                                          threshold_value=(-BETA_SAME, BETA_SAME), scale=sc)
            else:
                out["P2.beta_depends_on_layer"] = inconclusive(
                    f"the 95% interval of the difference includes 0 but is not within +/- {BETA_SAME}", mean, unc,
                    text, threshold_value=0.0, scale=sc)
    return out


def evaluate_architectures(archs: dict) -> dict:
    """P2.architecture_robust from ``{sizes tuple: MLP run}`` (threshold 0.5 counts of each), or from
    ``{sizes tuple: [MLP run per seed]}`` (every architecture in every seed:
    :func:`~deepinfo.verdicts.in_every_seed` over the seeds of the per-seed verdict on all architectures)."""
    if any(not isinstance(r, dict) for r in archs.values()):
        runs = {a: _as_runs(r) for a, r in archs.items()}
        n = min(len(r) for r in runs.values())
        per = [evaluate_architectures({a: r[i] for a, r in runs.items()})["P2.architecture_robust"] for i in range(n)]
        seeds = [next(iter(runs.values()))[i].get("seed", i) for i in range(n)]
        return {"P2.architecture_robust": in_every_seed(list(zip(seeds, per)), scale=per[0].scale)}
    items = [(f"{'-'.join(map(str, a))} z{l}", fit(c)) for a, r in archs.items() for l, c in enumerate(r["counts"][0], 1)]
    first = next(iter(archs.values()))
    sc = {**_data_scale(first.get("data", {})), "architectures": ["-".join(map(str, a)) for a in archs], "networks": 1}
    return {"P2.architecture_robust": all_of(items, "layers", scale=sc)}


def evaluate_autoencoders(ae, relu_ae) -> dict:
    """P2.autoencoder_power_law (sigmoid) and P2.relu_power_law (ReLU) from the two dense autoencoder runs
    (or two lists of runs, one per seed, paired by position: :func:`~deepinfo.verdicts.in_every_seed`)."""
    if not isinstance(ae, dict):
        return _per_seed(evaluate_autoencoders, ae, relu_ae)
    out = {}
    for cid, r in (("P2.autoencoder_power_law", ae), ("P2.relu_power_law", relu_ae)):
        data = r.get("data", {})
        v = all_of(layer_fits(r["counts"]), "layers", scale=_data_scale(data, networks=1))
        out[cid] = on_substitute(v, data)
    return out


def evaluate_autoencoder_fashion(aes) -> dict:
    """P2.autoencoder_fashion_power_law from the Fashion-MNIST autoencoder run (or a list of runs, one per seed)."""
    if not isinstance(aes, dict):
        return _per_seed(evaluate_autoencoder_fashion, aes)
    return {"P2.autoencoder_fashion_power_law": all_of(layer_fits(aes["counts"]), "layers",
                                                       scale=_data_scale(aes.get("data", {}), networks=1))}


def evaluate_widening(wide: dict) -> dict:
    """P2.widening_codes_unique from :func:`run.run_widening` (``n_codes`` per seed, ``n_images``)."""
    n = [int(x) for x in wide["n_codes"]]
    worst = min(n)
    detail = (f"distinct codes of the 784-{wide['width']} layer per seed: {', '.join(map(str, n))}; distinct "
              f"images {wide['n_images']} of M = {wide['M']}")
    return {"P2.widening_codes_unique": exact_check(worst == int(wide["n_images"]), float(worst), detail,
                                                    method="codes and images counted exactly",
                                                    threshold_value=float(wide["n_images"]),
                                                    scale={"data": "MNIST", "M": wide["M"], "seeds": len(n)})}


def evaluate_untrained_shallow(untrained: dict) -> dict:
    """P2.untrained_shallow_layer_sometimes from :func:`run.run_untrained` (z1 of every seed)."""
    seeds = list(untrained.get("seeds", range(len(untrained["counts"]))))
    fits = [(f"seed {s} z1", fit(c[0])) for s, c in zip(seeds, untrained["counts"])]
    n_ok = sum(v.status == "holds" for _, v in fits)
    unc = Uncertainty.of_exact(f"count of the {len(fits)} seeds whose untrained z1 passes the power-law rule")
    detail = f"{n_ok}/{len(fits)} untrained seeds have a scale-free z1; " + "; ".join(fit_line(l, v) for l, v in fits)
    sc = {"data": "MNIST", "M": untrained.get("M"), "seeds": len(fits)}
    if n_ok:
        return {"P2.untrained_shallow_layer_sometimes": Verdict("holds", float(n_ok), unc, detail,
                                                                threshold_value=1.0, scale=sc)}
    return {"P2.untrained_shallow_layer_sometimes": inconclusive(
        "no untrained seed has a scale-free z1 under PyTorch's default initialisation; other schemes are not tried",
        0.0, unc, detail, threshold_value=1.0, scale=sc)}


def singleton_share(counts_list) -> float:
    """Mean over layers of the share of samples alone in their state: #{s : k_s = 1} / M."""
    return float(np.mean([(np.asarray(c) == 1).sum() / np.asarray(c).sum() for c in counts_list]))


def evaluate_conv(conv, ae) -> dict:
    """P2.conv_autoencoder_weaker_power_law from the convolutional and the dense autoencoder runs (or two
    lists of runs, one per seed, paired by position: :func:`~deepinfo.verdicts.in_every_seed`)."""
    if not isinstance(conv, dict):
        return _per_seed(evaluate_conv, conv, ae)
    items = layer_fits(conv["counts"])
    st = [STATUS_OF[v.status] for _, v in items]
    f_conv, f_ae = singleton_share(conv["counts"]), singleton_share(ae["counts"])
    data = conv.get("data", {})
    sc = _data_scale(data, networks=1)
    unc = Uncertainty.of_exact("shares counted exactly from the two networks' codes (one network each)")
    detail = (f"singleton share {f_conv:.3f} (conv) vs {f_ae:.3f} (dense); {st.count('holds')}/3 conv layers "
              f"scale-free; " + "; ".join(fit_line(lab, v) for lab, v in items))
    extra = {"per_partition": {lab: v.as_dict() for lab, v in items}}
    kw = dict(threshold_value=f_ae, scale=sc, extra=extra)
    if f_conv <= f_ae or (st.count("holds") == 0 and st.count("inconclusive") == 0):
        v = Verdict("does not hold", f_conv - f_ae, unc, detail, **kw)
    elif st.count("holds") >= 1:
        v = Verdict("holds", f_conv - f_ae, unc, detail, **kw)
    else:
        v = inconclusive("no convolutional layer passes the power-law rule and some are inconclusive",
                         f_conv - f_ae, unc, detail, **kw)
    return {"P2.conv_autoencoder_weaker_power_law": on_substitute(v, data)}


def evaluate_epochs(ep, untrained: dict) -> dict:
    """P2.power_law_after_one_epoch and P2.power_law_at_any_accuracy (Fig. 4 run, or a list of runs, one per
    seed: :func:`~deepinfo.verdicts.in_every_seed`), and P2.untrained_deep_layers_collapse (untrained seeds)."""
    from ...estimators import resolution

    if not isinstance(ep, dict):
        out = _per_seed(lambda r: {k: v for k, v in evaluate_epochs(r, untrained).items()
                                   if k != "P2.untrained_deep_layers_collapse"}, ep)
        out["P2.untrained_deep_layers_collapse"] = evaluate_epochs(_as_runs(ep)[0], untrained)[
            "P2.untrained_deep_layers_collapse"]
        return out
    cps = list(ep["checkpoints"])
    sc = {**_data_scale(ep.get("data", {})), "updates_per_epoch": ep.get("updates_per_epoch"), "networks": 1}
    out = {}
    if 1 in cps:
        out["P2.power_law_after_one_epoch"] = all_of(layer_fits(ep["counts"][cps.index(1)]), "layers",
                                                     scale={**sc, "epochs": 1})
    else:
        out["P2.power_law_after_one_epoch"] = inconclusive("the run has no checkpoint at epoch 1", scale=sc)
    trained = [e for e in cps if e >= 1]
    items = [(f"epoch {e} z{l}", fit(k)) for e in trained for l, k in enumerate(ep["counts"][cps.index(e)], 1)]
    if not {10, 100} <= set(cps):
        out["P2.power_law_at_any_accuracy"] = inconclusive(
            f"the run has checkpoints {cps}, not the paper's epochs 1, 10 and 100", scale=sc)
    else:
        acc = ", ".join(f"epoch {e}: {a:.3f}" for e, a in zip(cps, ep.get("accuracy", [])) if e >= 1)
        v = all_of(items, "(epoch, layer) pairs", scale={**sc, "epochs": trained})
        v.detail = f"test accuracy {acc}; " + v.detail
        out["P2.power_law_at_any_accuracy"] = v
    H = np.array([[resolution(c) for c in counts] for counts in untrained["counts"]], dtype=float)  # (S, L) bits
    S = H.shape[0]
    deep = list(range(1, H.shape[1]))
    means = [float(H[:, l].mean()) for l in deep]
    worst = deep[int(np.argmax(means))]
    unc = Uncertainty.from_samples(H[:, worst], "initialisations (seeds)")
    per = "; ".join(f"z{l + 1}: H[s] = " + ", ".join(f"{x:.2f}" for x in H[:, l]) + " bits" for l in range(H.shape[1]))
    out["P2.untrained_deep_layers_collapse"] = compare(
        max(means), unc, FEW_STATES_BITS, "<",
        detail=f"largest deep-layer mean H[s] at initialisation: z{worst + 1}, {max(means):.2f} bits over {S} "
               f"seeds (vs < {FEW_STATES_BITS:g}); {per}",
        scale={"data": "MNIST", "M": untrained.get("M"), "seeds": S})
    return out


# ------------------------------------------------------------------------------------- audit
#: every figure, equation and stated result of Lee & Jo (2022), with the claims that decide it (ids of this page
#: or of the Ising page) or, with no id, why it is not decided here. The page shows it as a table.
AUDIT = [
    ("Fig. 1a: the RBM's codes have a power-law m(k)",
     ("P2.rbm_power_law", "P2.rbm_power_law_seeds", "P2.rbm_sampled_power_law", "P2.rbm_no_stuck_units"),
     "fig-p2-1a, fig-p2-1a-seeds, fig-si-finite-size"),
    ("Fig. 2a: k-means clusters have a characteristic size", ("P2.kmeans_has_characteristic_size",),
     "fig-p2-2, fig-si-finite-size"),
    ("Fig. 2b-c: t-SNE maps of codes and clusters", (),
     "fig-p2-2; an illustration: t-SNE distorts sizes and distances, so no claim rests on it"),
    ("Sec. II A: a power law helps to group typical data and isolate outliers", (),
     "a suggestion the paper does not test; no measurement here could decide it"),
    ("Fig. 1b: every hidden layer of the MLP at 87% is a power law", ("P2.mlp_power_law_every_layer",),
     "fig-p2-1b, fig-si-finite-size"),
    ("Fig. 1b: beta depends on the layer's width", ("P2.beta_depends_on_layer",), "fig-p2-seeds"),
    ("Sec. II B: insensitive to the binarisation threshold", ("P2.threshold_insensitive",), "fig-p2-threshold"),
    ("Sec. II B: exponents independent of the initialisation", ("P2.seed_insensitive",), "fig-p2-seeds"),
    ("Sec. II B: robust to depth and width of narrowing networks", ("P2.architecture_robust",), "fig-p2-arch"),
    ("Sec. II C: widening networks give k_z = 1", ("P2.widening_codes_unique",), "Fig. 4 section"),
    ("Sec. II C: autoencoder on Fashion-MNIST (data not shown)", ("P2.autoencoder_fashion_power_law",),
     "fig-p2-ae-fashion"),
    ("Fig. 1c: every autoencoder layer (EMNIST letters) is a power law", ("P2.autoencoder_power_law",),
     "fig-p2-1c, fig-si-finite-size"),
    ("Fig. 1c: the autoencoder's layers have different exponents", (),
     "fig-p2-beta-seeds shows them; decided for the Fig. 1b network only (P2.beta_depends_on_layer): on the "
     "substitute data set a claim would be inconclusive anyway"),
    ("Sec. II C: ReLU units keep the power laws", ("P2.relu_power_law",), "fig-p2-relu, fig-si-finite-size"),
    ("Fig. 3: the convolutional autoencoder's power laws are weaker (undersampling)",
     ("P2.conv_autoencoder_weaker_power_law",), "fig-p2-3"),
    ("Fig. 4a: untrained deep layers collapse onto a few codes", ("P2.untrained_deep_layers_collapse",), "fig-p2-4"),
    ("Fig. 4a: the untrained z1 sometimes shows a power law", ("P2.untrained_shallow_layer_sometimes",), "fig-p2-4"),
    ("Fig. 4b: power laws after one epoch", ("P2.power_law_after_one_epoch",), "fig-p2-4, fig-si-finite-size"),
    ("Fig. 4c-d, Sec. III C: power laws at any accuracy (epochs 1, 10, 100)", ("P2.power_law_at_any_accuracy",),
     "fig-p2-4"),
    ("Fig. 5: Ising patterns, low T inherits the duplicates, high T codes a power law",
     ("P2.ising_low_T_inherits_input_degeneracy", "P2.ising_high_T_codes_power_law"), "next page, fig-p2i-5"),
    ("Eqs. 3-5: resolution H(Z) and relevance H(K)", (),
     "definitions; computed by deepinfo.estimators and tested against exact answers, nothing to decide"),
    ("Eqs. 6-7: the maximiser of H(K) + beta H(Z) is m(k) ~ k^(-beta-1)", ("P2.lagrangian_maximiser_is_power_law",),
     "next page, fig-p2i-eq7"),
    ("Sec. III B: the power-law code makes the RBM's p(x) close to the data", (),
     "stated without evidence; comparing the likelihood of RBMs whose codes do and do not follow a power law "
     "would need a controlled family of RBMs this page does not train"),
    ("Fig. 6: two clusterings at the same accuracy", (), "a schematic of the question eqs. 6-9 answer"),
    ("Eqs. 8-12, Fig. 7: the supervised objective and the d-separation argument", (),
     "a heuristic argument, not a derivation: the next page says so and shows what its examples do and do not show"),
    ("Fig. 8a-b: m(k) and H(Y,Z) can change independently", ("P2.fig8_hyz_not_explicit_in_mk",), "next page (sanity)"),
    ("Fig. 8c: pure clusters give I(Z;Y) = H(Y)", ("P2.pure_clustering_accuracy_is_HY",), "next page (sanity)"),
    ("Eqs. 13-15: the thermodynamic reading", ("P2.thermodynamic_reading_is_identity",), "next page (sanity)"),
    ("Sec. IV: a 'second law of machine-learning thermodynamics'", (),
     "a conjecture the paper leaves to future work on other architectures; not testable here"),
]


def audit_rows(verdicts: dict, specs: dict) -> list[dict]:
    """One row per :data:`AUDIT` entry: the paper's item, its claims with kind and status (``verdicts``: this
    page's {id: Verdict}; ids of the Ising page read 'next page'), the value with its uncertainty, M and seeds."""
    from ...claims import format_number

    rows = []
    for item, ids, where in AUDIT:
        if not ids:
            rows.append({"paper": item, "claim": "-", "kind": "-", "status": "not tested", "value": "-",
                         "M": "-", "seeds": "-", "where / why": where})
        for cid in ids:
            v = verdicts.get(cid)
            spec = specs.get(cid)
            if v is None:
                rows.append({"paper": item, "claim": cid, "kind": "see next page" if spec is None else spec.kind,
                             "status": "next page" if cid not in specs else "not recorded", "value": "-",
                             "M": "-", "seeds": "-", "where / why": where})
                continue
            val = "-" if v.value is None else format_number(v.value)
            if v.value is not None and v.uncertainty is not None:
                val = f"{val} {v.uncertainty.text(v.value)}"
            sc = v.scale or {}
            seeds = sc.get("seeds", sc.get("networks", "-"))
            rows.append({"paper": item, "claim": cid, "kind": spec.kind, "status": v.status, "value": val,
                         "M": sc.get("M", "-"), "seeds": seeds if not isinstance(seeds, list) else len(seeds),
                         "where / why": where})
    return rows
