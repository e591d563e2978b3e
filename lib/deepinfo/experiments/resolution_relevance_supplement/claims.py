"""The claims of Song, Marsili & Jo 2018's supplementary figures S1, S2, S5 and S6, and their verdict functions.

Thresholds were fixed before the page's quick run was looked at; every function is pure (plain
arrays and dicts in, a :class:`deepinfo.claims.Verdict` out). Power laws are decided only by
:func:`deepinfo.estimators.power_law_verdict` ("fails" becomes "does not hold"), read by the shared
adapters of :mod:`deepinfo.verdicts` (``all_of``), which also hold the main page's critical-layer
generation test (``generation_at_critical``); differences of two estimates take their standard error
from :func:`deepinfo.stats.difference_se`.
"""
from __future__ import annotations

import math

import numpy as np

from ...claims import ClaimSpec, Uncertainty, Verdict, compare, inconclusive
from ...stats import difference_se, mean_se
from ...verdicts import all_of, generation_at_critical

DEEP = "deep, narrowing"
MIDDLE_BAND = (0.25, 0.75)    # intermediate resolution, in units of log M (as on the main page)
NEAR_BOUND_FRACTION = 0.10    # "high H[k]": gap below the bound under 10% of its peak (as on the main page)


def _c(id, kind, statement, paper_value, threshold, threshold_reason, figure, test_differs=""):
    return ClaimSpec(id=id, kind=kind, statement=statement, paper_value=paper_value, threshold=threshold,
                     threshold_reason=threshold_reason, figure=figure, test_differs=test_differs)


CLAIMS = [
    _c("P1.untrained_middle_layers_relevant", "paper",
       "Layers of the untrained DBN that happen to sit at intermediate resolution have a high relevance and "
       "power-law m_k",
       "high H[k] and power laws at intermediate H[s] before learning (main text on Fig. 2a, Fig. S1)",
       f"over the epoch-0 MNIST layers with H[s]/log M in {MIDDLE_BAND}: the largest gap below the "
       f"maximal-relevance curve (per realisation, mean with its 95% interval) < {NEAR_BOUND_FRACTION:.0%} of the "
       "curve's peak, and power_law_verdict holds for every such layer (does not hold if it fails for most)",
       "the same band and the same 'near the bound' scale as the main page's claims, and the book's one "
       "power-law rule; inconclusive when no untrained layer falls in the band",
       "fig-p1-s1",
       "the paper remarks on this in passing; we test every layer the band catches"),
    _c("P1.letters_critical_layer_generates_best", "paper",
       "On the OCR letters, the layer of largest H[s] + H[k] (the critical layer) generates best",
       "the critical layer (beta = 1) has the highest generation ability (Fig. S3c)",
       "per realisation, 1/D at the layer of largest H[s] + H[k] minus the best 1/D of any other layer; the mean, "
       "with its 95% interval, > 0; inconclusive whatever the interval when the data are a substitute",
       "the main page's test of Fig. 3g applied to the second data set; a substitute for the letters cannot "
       "confirm or refute a statement about the letters, so it is shown with its value and left undecided",
       "fig-p1-s3",
       "offline the letters are replaced by Fashion-MNIST at 16x8 binary pixels, labelled by our own MLP"),
    _c("P1.sparse_rbm_power_laws", "paper",
       "RBMs with sparse connectivity or sparse activity keep power-law m_k",
       "power laws under both penalties (Fig. S4a-b, Discussion)",
       "power_law_verdict holds at the most informative penalised setting (lambda > 0 of largest H[s] + H[k]) "
       "of each penalty; does not hold if it fails for either",
       "the book's one power-law rule, at the setting whose tail can be judged (the strongest penalties "
       "collapse the code, which the paper says too)",
       "fig-p1-s4ab",
       "one RBM per penalty (the paper shows one too); the lowered H[s], H[k] at the strongest penalty is shown, "
       "not tested, for want of realisations. Only one setting per penalty is tested, the penalised one (lambda "
       "> 0) of largest H[s] + H[k]: its code is the richest, so its tail is the one the rule can judge and the "
       "one most likely to pass, while the paper states power laws for sparse RBMs generally; the other "
       "penalised settings are shown in Fig. S4a-b, not tested"),
    _c("P1.deep_narrowing_generates_best", "paper",
       "A deep, gradually narrowing DBN generates better (higher 1/D(P||Q)) than deep non-narrowing, shallow "
       "or single-RBM networks",
       "deep narrowing best; the others poor (Fig. S2b)",
       "best-layer 1/D of the deep narrowing DBN minus the best-layer 1/D of its strongest rival > 0, with the "
       "95% interval of the difference (standard errors over realisations combined)",
       "'necessary to achieve high generation ability' means it beats every other architecture; the interval "
       "says whether the margin is more than realisation noise",
       "fig-p1-s2",
       "fewer realisations, chains and sweeps than the paper; the rival is chosen after the run (the best "
       "of the others), which makes the test harder, not easier"),
    _c("P1.other_networks_lower_relevance", "paper",
       "Deep non-narrowing, shallow and single-RBM networks reach lower relevance H[k] than the deep "
       "narrowing DBN",
       "H[k] stays low compared with deep narrowing (Fig. S2a)",
       "largest H[k] over the layers of the deep narrowing DBN minus that of each other network > 0 bits "
       "(the smallest such margin, 95% interval from the realisations)",
       "the paper's wording compares the networks' relevance; the highest layer is each network's best case",
       "fig-p1-s2",
       "all networks see the same M images, so H[k] is compared in bits"),
    _c("P1.discriminative_power_laws", "paper",
       "Binarised hidden states of MLPs (sigmoid, ReLU) and a CNN have power-law m_k",
       "power laws in all three (Fig. S5a-c)",
       "power_law_verdict holds at the most informative width (largest H[s] + H[k]) of each of the three models",
       "the book's one calibrated power-law rule; the most informative width is the one whose tail can be "
       "judged (very narrow or very wide layers leave no tail)",
       "fig-p1-s5",
       "the paper shows m_k for several N_H by eye; we decide one width per model with a likelihood test. The "
       "tested width is each model's N_H of largest H[s] + H[k]: its representation is the most informative, so "
       "its tail is the one the rule can judge and the one most likely to pass, while the paper states power "
       "laws for these networks generally; the other widths are shown in Fig. S5 and its table, not tested"),
    _c("P1.vae_optimal_latent_dimension", "paper",
       "A VAE's generation ability peaks at an intermediate latent dimension N_z",
       "an optimal intermediate N_z; poor at N_z = 1 and 500 (Fig. S6g)",
       "best 1/D over the interior N_z minus the better of the two ends > 0, with its 95% interval "
       "(standard errors over groups of generated images combined)",
       "'an optimal dimension' means an interior maximum that beats both ends by more than the sampling "
       "noise of the generated labels",
       "fig-p1-s6g",
       "one VAE per N_z: the spread is over groups of generated images, not over trained VAEs"),
]

IDS = [c.id for c in CLAIMS]


def _difference(a: float, se_a: float, b: float, se_b: float, over: str, n: int | None = None) -> tuple[float, Uncertainty]:
    """``a - b`` with its :func:`deepinfo.stats.difference_se` as an Uncertainty taken over ``over``."""
    gap, se = difference_se(a, se_a, b, se_b)
    return gap, Uncertainty(method=f"standard errors over {over} combined in quadrature", se=se, n=n)


def deep_narrowing_generates_best(best: dict) -> Verdict:
    """``best[name] = (mean ability of the best layer, its standard error, that layer)`` per network; the deep
    narrowing DBN (key ``DEEP``) against the strongest other network."""
    if DEEP not in best or len(best) < 2:
        raise ValueError(f"best: expected {DEEP!r} and at least one other network, got {sorted(best)}")
    deep = best[DEEP]
    others = {n: b for n, b in best.items() if n != DEEP}
    rival = max(others, key=lambda n: others[n][0])
    gap, unc = _difference(deep[0], deep[1], others[rival][0], others[rival][1], "realisations")
    return compare(gap, unc, 0.0, ">",
                   detail=f"best 1/D: deep narrowing {deep[0]:.3g} +/- {deep[1]:.2g} (H{deep[2]}) vs {rival} "
                          f"{others[rival][0]:.3g} +/- {others[rival][1]:.2g} (H{others[rival][2]}); "
                          f"difference {gap:+.3g}")


def other_networks_lower_relevance(H_k: dict) -> Verdict:
    """``H_k[name]``: (R, L) relevance in bits of each network's layers; the deep narrowing DBN's largest H[k]
    against each other network's, the smallest margin decides."""
    if DEEP not in H_k or len(H_k) < 2:
        raise ValueError(f"H_k: expected {DEEP!r} and at least one other network, got {sorted(H_k)}")

    def peak(a):
        a = np.atleast_2d(np.asarray(a, dtype=float))
        per = a.max(axis=1)                              # each realisation's highest layer
        m, se, n = mean_se(per) if len(per) > 1 else (float(per[0]), float("nan"), 1)
        return m, se, n

    d = peak(H_k[DEEP])
    margins = {n: _difference(d[0], d[1], *peak(a)[:2], "realisations") for n, a in H_k.items() if n != DEEP}
    worst = min(margins, key=lambda n: margins[n][0])
    gap, unc = margins[worst]
    return compare(gap, unc, 0.0, ">",
                   detail=f"largest H[k]: deep narrowing {d[0]:.2f} bits; margin over " + ", ".join(
                       f"{n} {m[0]:+.2f}" for n, m in margins.items()) + f" bits; smallest: {worst}")


def discriminative_power_laws(per_model: dict) -> Verdict:
    """``per_model[name] = (N_H, PowerLawVerdict)`` at each model's most informative width; all must hold
    (:func:`deepinfo.verdicts.all_of`: the value is the number of models whose verdict holds)."""
    return all_of([(f"{n} (N_H = {n_h})", v) for n, (n_h, v) in per_model.items()], "models")


def sparse_rbm_power_laws(s4: dict, seed: int = 0) -> Verdict:
    """S4: for each penalty (``s4["connectivity"]``, ``s4["activity"]``: rows with ``lambda``, ``H_s``, ``H_k``,
    ``counts``), the power-law verdict of the penalised row (lambda > 0) of largest H[s] + H[k]; both must hold
    (:func:`deepinfo.verdicts.all_of`: the value is the number of penalties whose verdict holds)."""
    from ...estimators import power_law_verdict

    parts = []
    for kind in ("connectivity", "activity"):
        rows = [r for r in s4[kind] if float(r["lambda"]) > 0]
        if not rows:
            raise ValueError(f"S4 {kind}: no penalised setting (lambda > 0)")
        best = max(rows, key=lambda r: float(r["H_s"]) + float(r["H_k"]))
        parts.append((f"{kind}, lambda = {float(best['lambda']):g}",
                      power_law_verdict(np.asarray(best["counts"]), rng=seed)))
    return all_of(parts, "penalties")


def vae_optimal_latent_dimension(n_z, abilities, errs, n_groups: int | None = None) -> Verdict:
    """Best interior 1/D minus the better end, with the group standard errors combined (n_z sorted ascending)."""
    n_z, ab, er = list(n_z), np.asarray(abilities, float), np.asarray(errs, float)
    if len(ab) < 3:
        raise ValueError("need at least three latent dimensions (two ends and an interior one)")
    if list(n_z) != sorted(n_z):
        raise ValueError(f"n_z={n_z}: expected ascending latent dimensions")
    i = 1 + int(np.argmax(ab[1:-1]))
    j = 0 if ab[0] >= ab[-1] else len(ab) - 1
    gap, unc = _difference(ab[i], er[i], ab[j], er[j], "groups of generated images", n_groups)
    return compare(gap, unc, 0.0, ">",
                   detail=f"best interior N_z = {n_z[i]} (1/D = {ab[i]:.3g} +/- {er[i]:.2g}); better end N_z = "
                          f"{n_z[j]} ({ab[j]:.3g} +/- {er[j]:.2g}); margin {gap:+.3g}; overall best N_z = "
                          f"{n_z[int(np.argmax(ab))]}")


def untrained_middle_layers(H_s, H_k, M: int, statuses) -> Verdict:
    """S1: the epoch-0 layers at intermediate resolution. ``H_s``, ``H_k`` (R, L) in bits, ``statuses`` (R, L)
    the power-law verdict statuses ("holds", "fails", "inconclusive"). Both parts must hold: the largest gap
    below the bound among the band's layers of each realisation (compared with ``NEAR_BOUND_FRACTION`` of the
    bound's peak), and the power laws of those layers (holds if all hold, does not hold if most fail)."""
    from ...estimators import max_relevance_curve, relevance_gap

    H_s, H_k = np.asarray(H_s, float), np.asarray(H_k, float)
    st = np.asarray(statuses, dtype=object)
    logM = math.log2(M)
    band = (H_s / logM >= MIDDLE_BAND[0]) & (H_s / logM <= MIDDLE_BAND[1])
    if not band.any():
        return inconclusive(f"no untrained layer has H[s]/log M in {MIDDLE_BAND}",
                            detail="H[s]/log M of the untrained layers: "
                                   + ", ".join(f"{v:.2f}" for v in (H_s / logM).mean(0)))
    curve = max_relevance_curve(int(M))
    gaps = relevance_gap(H_s, H_k, int(M), curve=curve)
    worst = [float(gaps[r][band[r]].max()) for r in range(H_s.shape[0]) if band[r].any()]
    thr = NEAR_BOUND_FRACTION * float(np.max(curve[1]))
    layers = sorted({int(l) + 1 for l in np.flatnonzero(band.any(0))})
    gap_v = compare(float(np.mean(worst)), Uncertainty.from_samples(worst, over="DBN realisations with a band layer"),
                    thr, "<", detail=f"largest gap {np.mean(worst):.2f} bits vs < {thr:.2f} bits")
    sel = st[band]
    n_hold, n_fail = int((sel == "holds").sum()), int((sel == "fails").sum())
    pl_detail = f"power laws: {n_hold} of {sel.size} band layers hold, {n_fail} fail"
    if n_fail > sel.size / 2:
        pl_v = Verdict("does not hold", n_hold / sel.size, Uncertainty.of_exact("count of verdicts"), pl_detail)
    elif n_hold == sel.size:
        pl_v = Verdict("holds", 1.0, Uncertainty.of_exact("count of verdicts"), pl_detail)
    else:
        pl_v = inconclusive("not every band layer is decided a power law", n_hold / sel.size,
                            Uncertainty.of_exact("count of verdicts"), pl_detail)
    out = all_of([("near the bound", gap_v), ("power laws", pl_v)], value_from=0)   # the gap, threshold thr
    out.detail = "untrained layers in the band: " + ", ".join(f"H{l}" for l in layers) + "; " + out.detail
    return out


def letters_critical_generates_best(H_s, H_k, ability, data: str, is_substitute: bool) -> Verdict:
    """S3: the main page's critical-layer generation test (:func:`deepinfo.verdicts.generation_at_critical`,
    H_s, H_k, ability (R, L)) on the letters DBN; on a substitute data set the verdict is kept as the value and
    detail but the status is inconclusive."""
    v = generation_at_critical(H_s, H_k, ability)
    if not is_substitute:
        return v
    what = v.status if v.status != "inconclusive" else f"inconclusive ({v.reason})"
    return inconclusive(f"measured on a substitute for the OCR letters ({data}); there it is: {what}", v.value,
                        v.uncertainty, v.detail, threshold_value=v.threshold_value)


def scale(cfg) -> dict:
    """The sizes of every experiment of the page (the data set descriptions are added per claim)."""
    return {"S1_S2": {"M": cfg.s1.M, "epochs": cfg.s1.epochs, "realisations": cfg.s1.n_realisations,
                      "generation": f"{cfg.s2.generation.n_samples} chains x {cfg.s2.generation.n_sweeps} sweeps"},
            "S3": {"M": cfg.s3.M, "epochs": cfg.s3.epochs, "realisations": cfg.s3.n_realisations},
            "S4": {"M": cfg.s4.M, "epochs": cfg.s4.epochs, "realisations": 1},
            "S5": {"M_train": cfg.s5.M_train, "M_test": cfg.s5.M_test, "epochs": cfg.s5.epochs, "realisations": 1,
                   "n_hidden": list(cfg.s5.n_hidden)},
            "S6": {"M": cfg.s6.M, "epochs": cfg.s6.epochs, "n_generated": cfg.s6.n_generated,
                   "groups": cfg.s6.n_groups, "realisations": 1},
            "setting": cfg.setting,
            "paper": "M = 60,000 MNIST images, 200 'epochs', 12 realisations"}
