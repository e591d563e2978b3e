"""Finite-size study of the Lee & Jo (2022) chapter: the claims whose outcome depends on the sample size M,
decided again at several M (the paper used 60,000 images; offline MNIST has 10,000).

Page: ``book/scale_invariance.md``, section "How the verdicts move with M" (figure ``fig-si-finite-size``).
The design follows the finite-size study of the Song et al. chapter (one cached entry per M and data set,
one :class:`deepinfo.compute.Unit` per entry, each point decided by the very verdict functions the page uses):

* MNIST at ``cfg.finite_size_M``: the Fig. 1a RBM (thresholded codes), k-means with k = the RBM's distinct
  codes (Fig. 2a), the Fig. 4 MLP after one epoch of 600 updates, and the Fig. 1c autoencoders (sigmoid and
  ReLU; on MNIST digits standing in for EMNIST when the letters are absent);
* Fashion-MNIST at ``cfg.finite_size_M_fashion`` (complete offline: 60,000 training images): the Fig. 1b MLP,
  trained on M images to 87% test accuracy or the epoch cap.

Every network is trained on the M images whose codes are counted (as in the Song et al. study), with the
page's seed and its preset's training settings; where M is the preset's own sample size the runner's cache
entry is the page's own, so that point is the page's verdict. The Fig. 4 training set excludes the test
images it holds out (at most a fifth of the offline images), so its largest M is the rest.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ...cache import ResultCache
from ...device import cpu_threads

#: claim id -> data set of the finite-size study (its statistic is plotted against M)
FINITE_SIZE_CLAIMS = {
    "P2.rbm_power_law": "mnist",
    "P2.kmeans_has_characteristic_size": "mnist",
    "P2.power_law_after_one_epoch": "mnist",
    "P2.autoencoder_power_law": "mnist",
    "P2.relu_power_law": "mnist",
    "P2.mlp_power_law_every_layer": "fashion",
}

TITLES = {
    "P2.rbm_power_law": "Fig. 1a: RBM codes (MNIST)",
    "P2.kmeans_has_characteristic_size": "Fig. 2a: k-means, k = RBM codes (MNIST)",
    "P2.power_law_after_one_epoch": "Fig. 4b: MLP after 1 epoch (MNIST)",
    "P2.autoencoder_power_law": "Fig. 1c: autoencoder, sigmoid",
    "P2.relu_power_law": "Sec. II C: autoencoder, ReLU",
    "P2.mlp_power_law_every_layer": "Fig. 1b: MLP (Fashion-MNIST)",
}

VERSION = 1  # part of every cache key of this study


def _available(dataset: str, cfg=None) -> dict:
    """Images available to each runner of the study: ``{"rbm", "ae", "epochs"}`` (MNIST; the Fig. 4 training
    set after the test images of ``cfg.epochs`` are held out) or ``{"mlp"}`` (Fashion-MNIST)."""
    from ...data import load_emnist_letters, load_fashion_mnist, load_mnist, load_or_substitute

    if dataset == "fashion":
        return {"mlp": load_fashion_mnist("train").M}
    if dataset != "mnist":
        raise ValueError(f"dataset={dataset!r}: expected 'mnist' or 'fashion'")
    from .run import EpochConfig, _epoch_data

    n = load_mnist("train").M
    ec = cfg.epochs if cfg is not None else EpochConfig()
    ep_train, _ = _epoch_data(replace(ec, M=None), 0)
    return {"rbm": n, "ae": load_or_substitute(load_emnist_letters, lambda: load_mnist("train")).M,
            "epochs": ep_train.M}


def at_M(c, M: int, n_available: int, field: str = "M"):
    """The runner config ``c`` at M images: ``c`` itself when M is its own sample size (so the cache entry is
    the page's), else ``c`` with ``M``; M above ``n_available`` is capped there (the point records the M used)."""
    own = n_available if getattr(c, field) is None else min(int(getattr(c, field)), n_available)
    M = min(int(M), int(n_available))
    return c if M == own else replace(c, **{field: M})


def point_configs(cfg, M: int, dataset: str, n: dict | None = None) -> dict:
    """The runner configs of one point of the study (see the module docstring)."""
    n = n or _available(dataset, cfg)
    if dataset == "fashion":
        return {"mlp": at_M(cfg.mlp, M, n["mlp"])}
    ae = at_M(cfg.ae, M, n["ae"])
    ep = at_M(cfg.epochs, M, n["epochs"])
    return {"rbm": at_M(cfg.rbm, M, n["rbm"]), "ae": ae, "relu_ae": replace(ae, activation="relu", binarise="mean"),
            "epochs": replace(ep, checkpoints=(0, 1))}


def finite_size_key(cfg, M: int, dataset: str, seed: int = 0, n: dict | None = None) -> tuple[str, dict]:
    """The cache entry (name, config) of one point: the entries of every runner it reads, M and the seed."""
    from .run import _entry, _rbm_entry

    pc = point_configs(cfg, M, dataset, n)
    if dataset == "fashion":
        parts = {"mlp": _entry("p2_mlp", pc["mlp"], seed=seed)[1]}
    else:
        r = pc["rbm"]
        parts = {"rbm": _rbm_entry(r, seed)[1], "ae": _entry("p2_autoencoder", pc["ae"], seed=seed)[1],
                 "relu_ae": _entry("p2_autoencoder", pc["relu_ae"], seed=seed)[1],
                 "epochs": _entry("p2_epochs", pc["epochs"], seed=seed)[1],
                 "kmeans": {"k": r.kmeans_k, "n_init": r.kmeans_n_init, "max_iter": r.kmeans_max_iter,
                            "init": r.kmeans_init}}
    return "p2_finite_size", {"dataset": dataset, "M": int(M), "seed": int(seed), **parts, "v": VERSION}


def kmeans_counts(rc, rbm: dict, seed: int = 0, device="auto") -> np.ndarray:
    """Cluster sizes of k-means on the raw pixels of the RBM's images, with the settings of
    :func:`run.run_rbm_clusters` (k from :func:`run.kmeans_k`, ``n_init`` restarts, the same random state)."""
    from sklearn.cluster import KMeans

    from ...data import load_mnist
    from .run import _subset, kmeans_k

    ds = _subset(load_mnist("train"), rc.M, seed)
    k = kmeans_k(rc, rbm)
    with cpu_threads(device):
        km = KMeans(n_clusters=k, init=rc.kmeans_init, n_init=rc.kmeans_n_init, max_iter=rc.kmeans_max_iter,
                    random_state=seed).fit(ds.x)
    return np.bincount(km.labels_, minlength=k)


def _stats(v, parts) -> dict:
    """A claim Verdict and its partitions' power-law verdicts as plain numbers and strings (cacheable)."""
    lo = hi = math.nan
    if v.value is not None and v.uncertainty is not None:
        lo, hi = v.uncertainty.interval(v.value)
    thr = v.threshold_value
    rows = []
    for label, f, M in parts:
        b_lo, b_hi = (f.beta_ci if f.beta_ci is not None else (math.nan, math.nan))
        rows.append({"label": label, "M": int(M), "beta": float(f.beta) if f.beta is not None else math.nan,
                     "lo": float(b_lo), "hi": float(b_hi), "status": str(f.status), "reason": str(f.reason)})
    return {"value": math.nan if v.value is None else float(v.value), "lo": float(lo), "hi": float(hi),
            "threshold": list(thr) if isinstance(thr, tuple) else thr, "status": v.status, "reason": v.reason,
            "detail": v.detail, "partitions": rows}


def finite_size_point(cfg, M: int, dataset: str, seed: int = 0, device="auto", progress=False) -> dict:
    """The M-dependent claims of :data:`FINITE_SIZE_CLAIMS` on ``dataset`` decided at M images, cached per
    (M, data set, seed, runner configs): ``{"M", "dataset", "seed", "claims": {claim id: stats}, "accuracy",
    "epochs"}``. ``stats`` has ``value``, ``lo``, ``hi`` (95%), ``threshold``, ``status``, ``reason``,
    ``detail`` and ``partitions`` (per layer: ``label``, ``M`` used, ``beta``, ``lo``, ``hi``, rule ``status``)."""
    from . import claims as c
    from .run import run_autoencoder, run_epochs, run_mlp, run_rbm, run_rbm_clusters

    n = _available(dataset, cfg)
    pc = point_configs(cfg, M, dataset, n)

    def compute():
        out = {}
        if dataset == "fashion":
            mlp = run_mlp(pc["mlp"], seed=seed, device=device, progress=progress)
            i05 = list(mlp["thresholds"]).index(0.5) if 0.5 in mlp["thresholds"] else 0
            v = c.evaluate_mlp(mlp)["P2.mlp_power_law_every_layer"]
            Mu = mlp["data"]["M"]
            out["P2.mlp_power_law_every_layer"] = _stats(v, [(lab, f, Mu) for lab, f in c.layer_fits(mlp["counts"][i05])])
            extra = {"accuracy": {"P2.mlp_power_law_every_layer": float(mlp["accuracy"][-1])},
                     "epochs": {"P2.mlp_power_law_every_layer": int(mlp["epoch"])}}
        else:
            rbm = run_rbm(pc["rbm"], seed=seed, device=device, progress=progress)
            if pc["rbm"] is cfg.rbm:  # the page's own M: the page's own clustering (same settings, same entry)
                km = run_rbm_clusters(cfg.rbm, seed=seed, device=device, progress=progress)["counts_kmeans"]
            else:
                km = kmeans_counts(pc["rbm"], rbm, seed, device)
            vr = c.evaluate_rbm({"counts_rbm": rbm["counts_rbm"], "counts_kmeans": km, "data": rbm["data"],
                                 "kmeans_n_init": pc["rbm"].kmeans_n_init})
            Mr = rbm["data"]["M"]
            out["P2.rbm_power_law"] = _stats(vr["P2.rbm_power_law"], [("RBM z", c.fit(rbm["counts_rbm"]), Mr)])
            out["P2.kmeans_has_characteristic_size"] = _stats(vr["P2.kmeans_has_characteristic_size"],
                                                              [("k-means", c.fit(km), Mr)])
            ep = run_epochs(pc["epochs"], seed=seed, device=device, progress=progress)
            i1 = list(ep["checkpoints"]).index(1)
            fits = c.layer_fits(ep["counts"][i1])
            Me = ep["data"]["M"]
            v1 = c.all_of(fits, "layers", scale={"data": "MNIST", "M": Me, "epochs": 1})
            out["P2.power_law_after_one_epoch"] = _stats(v1, [(lab, f, Me) for lab, f in fits])
            ae = run_autoencoder(pc["ae"], seed=seed, device=device, progress=progress)
            relu = run_autoencoder(pc["relu_ae"], seed=seed, device=device, progress=progress)
            va = c.evaluate_autoencoders(ae, relu)
            for cid, r in (("P2.autoencoder_power_law", ae), ("P2.relu_power_law", relu)):
                out[cid] = _stats(va[cid], [(lab, f, r["data"]["M"]) for lab, f in c.layer_fits(r["counts"])])
            extra = {"accuracy": {"P2.power_law_after_one_epoch": float(ep["accuracy"][i1])},
                     "epochs": {"P2.power_law_after_one_epoch": 1},
                     "substitute": {cid: str(r["data"].get("substitute_for") or "")
                                    for cid, r in (("P2.autoencoder_power_law", ae), ("P2.relu_power_law", relu))}}
        return {"M": int(M), "dataset": dataset, "seed": int(seed), "claims": out, **extra}

    return ResultCache().get_or_compute(*finite_size_key(cfg, M, dataset, seed, n), compute)


def _sizes(cfg, dataset: str) -> list[int]:
    """The study's sizes for ``dataset`` that the data hold (a size above the images available is dropped,
    except the largest, which is capped at what is there)."""
    Ms = cfg.finite_size_M if dataset == "mnist" else cfg.finite_size_M_fashion
    if not Ms:
        return []
    n = max(_available(dataset, cfg).values())
    keep = [int(m) for m in Ms if m <= n]
    if len(keep) < len(Ms) and n not in keep:
        keep.append(n)
    return keep


def finite_size_result(cfg, seed: int = 0, device="auto") -> list[dict]:
    """Every point of the study: MNIST sizes first, then Fashion-MNIST, each in increasing M."""
    return [finite_size_point(cfg, M, d, seed, device) for d in ("mnist", "fashion") for M in _sizes(cfg, d)]


def finite_size_units(cfg, seed: int = 0, device="auto", resources=()) -> list:
    """One :class:`deepinfo.compute.Unit` per point (data set, M) of the study, naming the entry it fills."""
    from ...compute import Unit

    out = []
    for d in ("mnist", "fashion"):
        sizes = _sizes(cfg, d)
        n = _available(d, cfg) if sizes else None
        for M in sizes:
            name, key = finite_size_key(cfg, M, d, seed, n)
            out.append(Unit(chapter="scale_invariance", name=f"finite size {d} M = {M} (seed {seed})",
                            cache_name=name, cache_config=key, fn=finite_size_point, args=(cfg, M, d, seed, str(device)),
                            resources=tuple(resources)))
    return out


def by_claim(points: list[dict]) -> dict:
    """``{claim id: [(M, stats, point)]}`` in increasing M, from :func:`finite_size_result`."""
    out: dict = {}
    for p in points:
        for cid, st in p["claims"].items():
            out.setdefault(cid, []).append((int(p["M"]), st, p))
    return {cid: sorted(rows, key=lambda r: r[0]) for cid, rows in out.items()}


def finite_size_sentence(points: list[dict]) -> str:
    """One sentence per claim: its status at each M, in increasing M (the M of the images counted, which for
    the Fig. 4 network is at most the images left after its test images are held out)."""
    out = []
    for cid, rows in by_claim(points).items():
        runs: list = []  # consecutive sizes with the same status
        for M, st, _ in rows:
            M = max([int(r["M"]) for r in st["partitions"]] or [M])
            if runs and runs[-1][0] == st["status"]:
                runs[-1][1].append(M)
            else:
                runs.append((st["status"], [M]))

        def sizes(Ms):
            t = [f"{m:,}" for m in Ms]
            return t[0] if len(t) == 1 else ", ".join(t[:-1]) + " and " + t[-1]

        steps = "; ".join(f"{status} at M = {sizes(Ms)}" for status, Ms in runs)
        out.append(f"{TITLES.get(cid, cid)}: {steps}.")
    return " ".join(out)


def trend(points: list[dict], cid: str) -> str:
    """'toward holds', 'away from holds', 'unchanged' or 'mixed': how the claim's status moves with M
    (ordered does not hold < inconclusive < holds), from the smallest to the largest M."""
    order = {"does not hold": 0, "inconclusive": 1, "holds": 2}
    s = [order[st["status"]] for _, st, _ in by_claim(points).get(cid, [])]
    if len(s) < 2 or len(set(s)) == 1:
        return "unchanged"
    d = np.diff(s)
    if (d >= 0).all():
        return "toward holds"
    if (d <= 0).all():
        return "away from holds"
    return "mixed"
