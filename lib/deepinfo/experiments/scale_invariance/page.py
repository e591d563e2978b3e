"""The sentences of the Lee & Jo (2022) page: what ``book/scale_invariance.md`` glues into its prose.

The page decides nothing here. Its verdicts come from :mod:`.claims` (recorded there); these functions only
format the results of :mod:`.run` and those verdicts into the short strings the prose shows with
``{glue:text}`` (counts per seed, statuses as verbs, the first clause of a verdict's detail). Each ``*_text``
function takes the run dicts and the page's verdicts ``V`` (``{claim id: Verdict}``) and returns
``{glue name: text}`` for one cell of the page (the docstring says what each name holds); :func:`glue_all`
glues such a dict. Nothing here carries a unit: counts are numbers of states, layers or seeds, shares are
fractions of the images.

Conventions: a per-seed list is joined with ", " in the order of the runs (the page's training seeds);
"a of n" counts partitions (layers, (threshold, layer) pairs) whose power-law verdict
(:func:`deepinfo.verdicts.fit`, the book's rule :func:`deepinfo.estimators.power_law_verdict`) holds;
statuses are said as verbs by :func:`deepinfo.verdicts.said` ('holds', 'does not hold', 'is inconclusive').
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from ...verdicts import fit, said


# ------------------------------------------------------------------------------------- pieces
def glue_all(texts: Mapping[str, str]) -> None:
    """``myst_nb.glue(name, text, display=False)`` for every item of ``texts`` (a ``*_text`` result)."""
    from myst_nb import glue

    for name, text in texts.items():
        glue(name, text, display=False)


def joined(values: Iterable, fmt: str = "{}") -> str:
    """``values`` formatted with ``fmt`` and joined by ", ": ``joined([1966, 1951], "{:,}")`` is '1,966, 1,951'."""
    return ", ".join(fmt.format(x) for x in values)


def first_clause(detail: str) -> str:
    """The first clause of a verdict's detail (up to the first '; '), the number its sentence states."""
    return detail.split("; ")[0]


def n_holding(counts_list) -> int:
    """#{partitions whose power-law verdict holds} over ``counts_list`` (state counts k_s of each partition)."""
    return sum(fit(k).status == "holds" for k in counts_list)


def seeds_ok(v) -> str:
    """'2 of 3 seeds' from a claim decided in every training seed: such a verdict's ``value`` is the share of
    seeds that hold and ``scale["seeds"]`` lists the seeds, so the count is round(value * n_seeds)."""
    n = len(v.scale["seeds"])
    return f"{round(v.value * n)} of {n} seeds"


def layers_ok(runs) -> str:
    """'3, 2, 3 of 3': per run (seed), the hidden layers of ``run["counts"]`` that are scale-free, of the
    number of layers of the first run."""
    return f"{joined(n_holding(r['counts']) for r in runs)} of {len(runs[0]['counts'])}"


def status_texts(V: Mapping, names: Mapping[str, str]) -> dict:
    """``{glue name: said(V[claim id].status)}`` for ``names`` = ``{glue name: claim id}``."""
    return {name: said(V[cid].status) for name, cid in names.items()}


# ------------------------------------------------------------------------------------- the page's cells
def rbm_text(rbm: dict, V: Mapping) -> dict:
    """Fig. 1a and 2a (one RBM and k-means with k = its distinct codes, :func:`.run.run_rbm_clusters`).

    p2_rbm_states, p2_rbm_M: distinct RBM codes and images M (thousands separated); p2_rbm_status,
    p2_km_status: the two claims as verbs; p2_rbm_reason, p2_km_reason: the power-law rule's reason on the RBM
    codes and on the k-means sizes; p2_km_largest, p2_rbm_largest: the largest k_s of each partition;
    p2_km_mean: images per k-means cluster on average, M / k (one decimal)."""
    M = rbm["data"]["M"]
    return {
        "p2_rbm_states": f"{rbm['n_states']:,}",
        "p2_rbm_M": f"{M:,}",
        "p2_rbm_status": said(V["P2.rbm_power_law"].status),
        "p2_rbm_reason": fit(rbm["counts_rbm"]).reason,
        "p2_km_status": said(V["P2.kmeans_has_characteristic_size"].status),
        "p2_km_reason": fit(rbm["counts_kmeans"]).reason,
        "p2_km_largest": f"{int(np.max(rbm['counts_kmeans']))}",
        "p2_rbm_largest": f"{int(np.max(rbm['counts_rbm']))}",
        "p2_km_mean": f"{M / rbm['kmeans_k']:.1f}",
    }


def full_claim_text(info: Mapping | None, claim_id: str, what: str = "recorded detail") -> str:
    """One claim's verdict at the full preset, from a snapshot document (:func:`deepinfo.snapshot.snapshot_info`),
    as the prose says it: 'does not hold (commit 7bbdbd84; <what>: k-means, k = 6441: ...)' with the status as a
    verb and the first clause of the recorded detail, introduced by ``what`` (what that detail reports); 'not known: no full-preset snapshot of this chapter yet' without a
    snapshot, a not-run record or the claim in it; '(the chapter's code has changed since)' added when stale."""
    if not info or not info.get("ran", True):
        return "not known: no full-preset snapshot of this chapter yet"
    claims = (info.get("claims_file") or {}).get("claims", [])
    c = next((c for c in claims if c.get("id") == claim_id), None)
    if c is None:
        return f"not known: the full-preset snapshot does not record {claim_id}"
    commit = str((info.get("provenance") or {}).get("commit", "?"))[:8]
    stale = "; the chapter's code has changed since" if info.get("stale") else ""
    return f"{said(c['status'])} (commit {commit}{stale}; {what}: {first_clause(str(c.get('detail', '')))})"


def rbm_schedule_text(schedule: str, recommended: Mapping, plain_rbms) -> dict:
    """The RBM's training schedule and the stuck units of the same machines trained with plain SGD.

    p2_rbm_schedule: 'RECOMMENDED_SCHEDULE: epochs = 20, ...' (``recommended``, the library's
    ``RECOMMENDED_SCHEDULE``) when ``schedule`` is "recommended" and one is chosen, else 'no schedule chosen
    yet: plain SGD'; p2_plain_stuck: the stuck hidden units of each plain-SGD seed."""
    if schedule == "recommended" and recommended:
        sched = "RECOMMENDED_SCHEDULE: " + ", ".join(f"{k} = {v}" for k, v in recommended.items())
    else:
        sched = "no schedule chosen yet: plain SGD"
    return {"p2_rbm_schedule": sched, "p2_plain_stuck": joined(r["stuck"]["n_stuck"] for r in plain_rbms)}


def rbm_seeds_text(rbms, V: Mapping) -> dict:
    """Fig. 1a over RBM seeds (:func:`.run.run_rbm_seeds`).

    p2_rbm_seeds_n: the number of seeds; p2_rbm_seeds_states, p2_rbm_seeds_sampled: distinct thresholded and
    sampled codes per seed; p2_rbm_stuck: stuck hidden units per seed; the three claims as verbs;
    p2_rbm_seeds_reason: the seed claim's reason, or when it has none the first clause of its detail
    ('3/3 seeds scale-free')."""
    v = V["P2.rbm_power_law_seeds"]
    return {
        "p2_rbm_seeds_n": f"{len(rbms)}",
        "p2_rbm_seeds_states": joined((r["n_states"] for r in rbms), "{:,}"),
        "p2_rbm_seeds_sampled": joined((r["n_states_sampled"] for r in rbms), "{:,}"),
        "p2_rbm_stuck": joined(r["stuck"]["n_stuck"] for r in rbms),
        **status_texts(V, {"p2_rbm_seeds_status": "P2.rbm_power_law_seeds",
                           "p2_rbm_sampled_status": "P2.rbm_sampled_power_law",
                           "p2_rbm_stuck_status": "P2.rbm_no_stuck_units"}),
        "p2_rbm_seeds_reason": v.reason or first_clause(v.detail),
    }


def mlp_text(mlps, V: Mapping) -> dict:
    """Fig. 1b, one MLP run per training seed (:func:`.run.run_mlp`).

    p2_mlp_epoch: the epoch each seed stopped at; p2_mlp_acc: its last test accuracy in per cent (one
    decimal); p2_mlp_ok: 'a of n seeds' in which every layer is scale-free; p2_mlp_status: that claim."""
    return {
        "p2_mlp_epoch": joined(r["epoch"] for r in mlps),
        "p2_mlp_acc": joined((100 * r["accuracy"][-1] for r in mlps), "{:.1f}%"),
        "p2_mlp_ok": seeds_ok(V["P2.mlp_power_law_every_layer"]),
        "p2_mlp_status": said(V["P2.mlp_power_law_every_layer"].status),
    }


def data_text(data: dict, prefix: str, wanted: str) -> dict:
    """The data-set box of a section that may run on a substitute (``data``: a run's ``"data"`` dict).

    <prefix>_data: 'MNIST, M = 3,000 (source)'; <prefix>_is_sub: whether the substitute for ``wanted`` (the
    paper's data set, e.g. 'EMNIST') is in use on this build."""
    return {
        f"{prefix}_data": f"{data['dataset']}, M = {data['M']:,} ({data['source']})",
        f"{prefix}_is_sub": "the substitute is in use on this build" if data["substitute_for"]
        else f"{wanted} was found; no substitute is in use",
    }


def autoencoder_text(aes, relu_aes, V: Mapping) -> dict:
    """Fig. 1c and the ReLU check: p2_ae_ok, p2_relu_ok ('a, b of 3' scale-free layers per seed,
    :func:`layers_ok`) and the two claims as verbs."""
    return {"p2_ae_ok": layers_ok(aes), "p2_relu_ok": layers_ok(relu_aes),
            **status_texts(V, {"p2_ae_status": "P2.autoencoder_power_law", "p2_relu_status": "P2.relu_power_law"})}


def fashion_text(fae, V: Mapping) -> dict:
    """The autoencoder on Fashion-MNIST: p2_fae_ok (scale-free layers per seed) and its claim as a verb."""
    return {"p2_fae_ok": layers_ok(fae), "p2_fae_status": said(V["P2.autoencoder_fashion_power_law"].status)}


def conv_text(convs, aes, V: Mapping) -> dict:
    """Fig. 3 against the dense autoencoder of Fig. 1c, per seed.

    p2_conv_single, p2_ae_single: per seed the share of images alone in their state, the mean over layers
    of #{s : k_s = 1} / M (:func:`.claims.singleton_share`, two decimals); p2_conv_ok: scale-free
    convolutional layers per seed (the counts only); p2_conv_status: the claim."""
    from .claims import singleton_share

    return {
        "p2_conv_single": joined((singleton_share(r["counts"]) for r in convs), "{:.2f}"),
        "p2_ae_single": joined((singleton_share(r["counts"]) for r in aes), "{:.2f}"),
        "p2_conv_ok": joined(n_holding(r["counts"]) for r in convs),
        "p2_conv_status": said(V["P2.conv_autoencoder_weaker_power_law"].status),
    }


def epochs_text(eps, V: Mapping) -> dict:
    """Fig. 4 (one :func:`.run.run_epochs` run per training seed: ``checkpoints``, ``accuracy``, ``counts``
    per checkpoint and layer), the untrained seeds and the widening layer.

    p2_any_why: the reason of P2.power_law_at_any_accuracy when it is inconclusive, else 'a of n seeds
    scale-free at every trained checkpoint'; p2_ep_acc: test accuracy at the trained checkpoints (epoch >= 1,
    two decimals), seeds separated by '; '; p2_ep0_seed, p2_ep0_states: the first seed and the distinct states
    of each layer at its first checkpoint (before training); p2_ep1_ok: scale-free layers after one epoch per
    seed, 'a, b of L' (L the layers), or 'none' when some run lacks the epoch-1 checkpoint; p2_shallow,
    p2_collapse_detail: the first clause of the two untrained claims' details; p2_wide: the widening claim's
    detail; p2_updates: updates per epoch; the five claims as verbs."""
    ep = eps[0]
    v_any = V["P2.power_law_at_any_accuracy"]
    if all(1 in r["checkpoints"] for r in eps):
        at1 = [r["counts"][list(r["checkpoints"]).index(1)] for r in eps]
        ep1_ok = f"{joined(n_holding(cs) for cs in at1)} of {len(at1[0])}"
    else:
        ep1_ok = "none"
    return {
        "p2_any_why": v_any.reason if v_any.status == "inconclusive"
        else seeds_ok(v_any) + " scale-free at every trained checkpoint",
        "p2_any_status": said(v_any.status),
        "p2_ep_acc": "; ".join(joined((a for e, a in zip(r["checkpoints"], r["accuracy"]) if e >= 1), "{:.2f}")
                               for r in eps),
        "p2_ep0_seed": f"{ep['seed']}",
        "p2_ep0_states": joined(len(k) for k in ep["counts"][0]),
        "p2_ep1_ok": ep1_ok,
        "p2_shallow": first_clause(V["P2.untrained_shallow_layer_sometimes"].detail),
        "p2_wide": V["P2.widening_codes_unique"].detail,
        "p2_collapse_detail": first_clause(V["P2.untrained_deep_layers_collapse"].detail),
        "p2_updates": f"{ep['updates_per_epoch']}",
        **status_texts(V, {"p2_shallow_status": "P2.untrained_shallow_layer_sometimes",
                           "p2_wide_status": "P2.widening_codes_unique",
                           "p2_ep1_status": "P2.power_law_after_one_epoch",
                           "p2_collapse_status": "P2.untrained_deep_layers_collapse"}),
    }


def threshold_text(mlps, V: Mapping) -> dict:
    """The threshold study: p2_thr_ok, per seed the (threshold, layer) pairs of ``run["counts"]`` (one list of
    layer counts per threshold) that are scale-free, 'a, b of T x L'; p2_thr_status: the claim."""
    n = len(mlps[0]["thresholds"]) * len(mlps[0]["counts"][0])
    per_seed = [n_holding(k for counts in r["counts"] for k in counts) for r in mlps]
    return {"p2_thr_ok": f"{joined(per_seed)} of {n}", "p2_thr_status": said(V["P2.threshold_insensitive"].status)}


def seeds_text(runs, max_epochs: int, V: Mapping) -> dict:
    """The seed study: p2_robust_M (its images), p2_robust_epochs (its epoch cap ``max_epochs``), the first
    clause of the details of P2.seed_insensitive and P2.beta_depends_on_layer and the two claims as verbs."""
    return {
        "p2_robust_M": f"{runs[0]['data']['M']:,}",
        "p2_robust_epochs": f"{max_epochs}",
        "p2_seed_detail": first_clause(V["P2.seed_insensitive"].detail),
        "p2_seed_status": said(V["P2.seed_insensitive"].status),
        "p2_layer_detail": first_clause(V["P2.beta_depends_on_layer"].detail),
        "p2_layer_status": said(V["P2.beta_depends_on_layer"].status),
    }


def architectures_text(archs: Mapping, V: Mapping) -> dict:
    """The architecture study (``{sizes: [MLP run per seed]}``, each size tuple input, hidden..., output).

    p2_arch_ok: per seed the hidden layers of all architectures (threshold 0.5, ``counts[0]``) that are
    scale-free, of sum over architectures of (len(sizes) - 2) hidden layers; p2_arch_status: the claim."""
    n = sum(len(a) - 2 for a in archs)
    n_seeds = min(len(rs) for rs in archs.values())
    per_seed = [n_holding(k for rs in archs.values() for k in rs[i]["counts"][0]) for i in range(n_seeds)]
    return {"p2_arch_ok": f"{joined(per_seed)} of {n}", "p2_arch_status": said(V["P2.architecture_robust"].status)}


def beta_seed_groups(mlps, aes, relu_aes, convs, eps) -> dict:
    """The partitions of the exponent-over-seeds figure (``figures.fig_beta_seeds``): ``{group: [layer counts
    per seed]}`` for Fig. 1b (threshold 0.5), Fig. 1c, ReLU, Fig. 3 and Fig. 4 after 1 and after the last
    checkpoint's epochs (a seed without that checkpoint gives an empty list)."""
    def at_epoch(r, e):
        cps = list(r["checkpoints"])
        return r["counts"][cps.index(e)] if e in cps else []

    last = max(eps[0]["checkpoints"])
    return {
        "Fig. 1b": [r["counts"][list(r["thresholds"]).index(0.5)] for r in mlps],
        "Fig. 1c": [r["counts"] for r in aes],
        "ReLU": [r["counts"] for r in relu_aes],
        "Fig. 3": [r["counts"] for r in convs],
        "Fig. 4, epoch 1": [at_epoch(r, 1) for r in eps],
        f"Fig. 4, epoch {last}": [at_epoch(r, last) for r in eps],
    }


def finite_size_text(points) -> dict:
    """The finite-size study (:func:`.finite_size.finite_size_result`, points with ``dataset``, ``M``).

    p2_finite_M: the sizes per data set, 'MNIST: M = 1,000, 2,000; Fashion-MNIST: M = 2,500' (a data set with
    no point is left out); p2_finite_sentence: :func:`.finite_size.finite_size_sentence`."""
    from .finite_size import finite_size_sentence

    names = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}
    sizes = "; ".join(f"{name}: M = " + joined((p["M"] for p in points if p["dataset"] == d), "{:,}")
                      for d, name in names.items() if any(p["dataset"] == d for p in points))
    return {"p2_finite_M": sizes, "p2_finite_sentence": finite_size_sentence(points)}


def trained_counts(rbm, mlps, aes, relu_aes, fae, convs, eps, runs, archs) -> list:
    """Every partition of a trained network on the page, in the page's order: the RBM's codes, each MLP's layers
    at threshold 0.5, every layer of the dense (sigmoid, ReLU, Fashion-MNIST) and convolutional autoencoders,
    the Fig. 4 layers at every checkpoint but the first (untrained), the seed study's and the architecture
    study's layers (threshold 0.5, ``counts[0]``). Returns the state counts, one array per partition."""
    return [
        rbm["counts_rbm"],
        *[k for r in mlps for k in r["counts"][list(r["thresholds"]).index(0.5)]],
        *[k for r in [*aes, *relu_aes, *fae, *convs] for k in r["counts"]],
        *[k for r in eps for cs in r["counts"][1:] for k in cs],
        *[k for r in runs for k in r["counts"][0]],
        *[k for rs in archs.values() for r in rs for k in r["counts"][0]],
    ]


def tails_text(tails: Mapping) -> dict:
    """``{p2_tails_<key>: str(value)}`` for the counts of ``figures.tail_summary`` (n, holds, fails,
    inconclusive, beats_exponential, strict_rejects, cutoff)."""
    keys = ("n", "holds", "fails", "inconclusive", "beats_exponential", "strict_rejects", "cutoff")
    return {f"p2_tails_{key}": f"{tails[key]}" for key in keys}


def summary_text(claims, seconds: float, n_seeds: int) -> dict:
    """The summary's lists from a :class:`deepinfo.claims.ClaimRecorder` ``claims`` (``specs``, ``status``).

    p2_held, p2_failed, p2_open: the ids of the paper's claims (kind "paper") that hold, do not hold, are
    inconclusive, in declaration order, ', '-joined, or 'none'; p2_other: every other claim as
    'id (kind): status', '; '-joined, or 'none'; p2_minutes: ``seconds`` / 60 (one decimal); p2_n_tseeds:
    ``n_seeds``."""
    paper = [i for i, spec in claims.specs.items() if spec.kind == "paper"]

    def having(status):
        return ", ".join(i for i in paper if claims.status(i) == status) or "none"

    other = [i for i, spec in claims.specs.items() if spec.kind != "paper"]
    return {
        "p2_held": having("holds"),
        "p2_failed": having("does not hold"),
        "p2_open": having("inconclusive"),
        "p2_other": "; ".join(f"{i} ({claims.specs[i].kind}): {claims.status(i)}" for i in other) or "none",
        "p2_minutes": f"{seconds / 60:.1f}",
        "p2_n_tseeds": f"{n_seeds}",
    }
