"""The claims of Song, Marsili & Jo 2018's supplementary texts and figures S1-S6, and their verdict functions.

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
from ...verdicts import all_of, critical_layers, generation_at_critical

DEEP = "deep, narrowing"
MIDDLE_BAND = (0.25, 0.75)    # intermediate resolution, in units of log M (as on the main page)
NEAR_BOUND_FRACTION = 0.10    # "high H[k]": gap below the bound under 10% of its peak (as on the main page)
ERROR_SMALL = 0.10            # a "small" majority-label error, as on the main page (a ninth of chance, 0.9)
BETA_CRITICAL = 1.0           # Zipf's law: the paper's dividing exponent
ALPHA = 0.05                  # significance level of the chance test of S3 (the usual 5%, fixed in advance)


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
       "(a) per realisation, 1/D at the layer of largest H[s] + H[k] minus the best 1/D of any other layer; the "
       "mean, with its 95% interval, > 0; and (b) the best layer is the critical one in more realisations than "
       f"chance allows: exact binomial p < {ALPHA} under the null that the best layer is drawn uniformly among "
       "the L layers; inconclusive whatever the outcome when the data are a substitute",
       "(a) is the book's shared margin test of Fig. 3g (deepinfo.verdicts.generation_at_critical) applied to "
       "the second data set; (b) guards against a pass by "
       "chance, at the usual 5% level fixed in advance (with L = 10 layers, p = 0.1^R when every realisation "
       "hits, so two realisations can reach it and one cannot); a substitute for the letters cannot confirm or "
       "refute a statement about the letters, so it is shown with its value and left undecided",
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
       "one RBM per penalty is judged, realisation 0 (the paper shows one too); the lowered H[s], H[k] at the "
       "strongest penalty is the claim P1.strong_sparsity_lowers_entropies. Only one setting per penalty is tested, the penalised one (lambda "
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
       "the paper shows m_k for several N_H by eye; we decide one width per model, in realisation 0, with a "
       "likelihood test. The "
       "tested width is each model's N_H of largest H[s] + H[k]: its representation is the most informative, so "
       "its tail is the one the rule can judge and the one most likely to pass, while the paper states power "
       "laws for these networks generally; the other widths are shown in Fig. S5 and its table, not tested"),
    _c("P1.vae_optimal_latent_dimension", "paper",
       "A VAE's generation ability peaks at an intermediate latent dimension N_z",
       "an optimal intermediate N_z; poor at N_z = 1 and 500 (Fig. S6g)",
       "1/D at the best interior N_z minus 1/D at the better of the two ends (both chosen on the mean over "
       "realisations), per realisation; the mean, with its 95% Student-t interval over VAE realisations, > 0",
       "'an optimal dimension' means an interior maximum that beats both ends by more than the spread between "
       "trained VAEs; with the t interval a flat profile (no optimum) passes in under 5% of cases despite "
       "choosing the best interior N_z (calibrated in tests/test_resolution_relevance_supplement_seeds.py)",
       "fig-p1-s6g",
       "one VAE per N_z and realisation; the N_z compared are chosen on the mean over realisations and the "
       "difference is taken per realisation (with one realisation: the spread over groups of generated images)"),
    _c("P1.low_beta_large_error", "paper",
       "In the classifiers of Fig. S5, binarised hidden layers whose m_k has beta < 1 have a significant "
       "classification error (majority-label error of their states), larger than the layers with beta >= 1",
       "significant classification error for layers with beta < 1 (Discussion, Fig. S5j-l)",
       f"over the (model, N_H) layers whose tail the power-law rule accepts, per realisation: (a) the mean "
       f"majority-label error of the layers with beta < {BETA_CRITICAL:g} > {ERROR_SMALL} and (b) that mean minus "
       f"the mean error of the layers with beta >= {BETA_CRITICAL:g} > 0; both as the mean over realisations "
       "with its 95% Student-t interval (R - 1 degrees of freedom); the value is (a)",
       f"the paper gives no number for 'significant': (a) uses the main page's scale of a small error "
       f"({ERROR_SMALL}, a ninth of chance for ten balanced digits), (b) is the weakest reading under which beta = "
       "1 separates good from bad layers; the t interval keeps the false-positive rate of (b) under 2.5% for "
       "errors unrelated to beta (calibrated in tests/test_resolution_relevance_supplement_beta_error.py)",
       "fig-p1-s5",
       "the paper reads the link off Fig. S5j-l by eye; we pool the three models' widths (a single model rarely "
       "has accepted layers on both sides of beta = 1) and use only layers with an accepted power law. The "
       "majority-label error cannot fall when states merge, and beta < 1 goes with coarse partitions, so the "
       "link is expected from resolution alone; the test does not separate the two"),
    _c("P1.other_networks_power_laws", "paper",
       "Deep non-narrowing, shallow and single-RBM networks still show power-law-like m_k",
       "power-law-like frequency distributions in the other networks (Discussion, Fig. S2)",
       "power_law_verdict holds at each other network's layer of largest mean H[s] + H[k], in every realisation; "
       "does not hold if it fails for any",
       "the book's one power-law rule at the layer whose tail can be judged, as for Figs. S4 and S5",
       "fig-p1-s2",
       "the paper shows these m_k only in passing; one layer per network is tested, the most informative one, "
       "which is the one most likely to pass"),
    _c("P1.strong_sparsity_lowers_entropies", "paper",
       "Too strong a sparsity penalty lowers both H[s] and H[k]",
       "too strong sparsity leads to small H[s] and H[k] (Discussion, Fig. S4a-b)",
       "for each penalty (connectivity, activity) and each of H[s], H[k]: the value at lambda = 0 minus the value "
       "at the strongest lambda > 0 bits, mean over RBM realisations with its 95% Student-t interval; all four "
       "must hold; the value is the smallest of the four mean drops",
       "'small' compared with the unpenalised RBM, in bits, beyond the spread over realisations",
       "fig-p1-s4ab",
       "the paper's strongest penalties are not stated; ours are the largest lambda of each preset"),
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


def _t_uncertainty(samples, over: str) -> Uncertainty:
    """The mean's 95% Student-t interval over ``samples`` (finite entries, n - 1 degrees of freedom), with its
    standard error: for the handful of realisations of this page, where mean +/- 1.96 SE is too narrow
    (with n = 3 it covers about 81%, not 95%). n = 1 gives se = nan (no spread, undecidable)."""
    from scipy import stats as st

    a = np.asarray(samples, dtype=float)
    a = a[np.isfinite(a)]
    if a.size < 2:
        return Uncertainty(method=f"one {over.rstrip('s')}: no spread", se=float("nan"), n=int(a.size))
    m, se, n = mean_se(a)
    half = float(st.t.ppf(0.975, n - 1)) * se
    return Uncertainty(method=f"95% Student-t interval over {n} {over} ({n - 1} degrees of freedom)", se=se,
                       lo=m - half, hi=m + half, level=0.95, n=n)


def vae_optimal_latent_dimension(n_z, abilities, errs, n_groups: int | None = None) -> Verdict:
    """Best interior 1/D minus the better end (``n_z`` sorted ascending).

    ``abilities`` (R, Z) over R >= 2 VAE realisations (seeds): the interior N_z and the end are chosen on
    the mean over realisations, the difference is taken per realisation and compared with 0 by its 95%
    Student-t interval over realisations (``errs`` (R, Z), the group standard errors, enter the detail only).
    ``abilities`` (Z,) or (1, Z), one VAE per N_z: the group standard errors ``errs`` are combined instead.
    """
    n_z = list(n_z)
    ab, er = np.asarray(abilities, float), np.asarray(errs, float)
    if ab.ndim == 2 and ab.shape[0] == 1:
        ab, er = ab[0], er[0]
    if ab.shape[-1] < 3:
        raise ValueError("need at least three latent dimensions (two ends and an interior one)")
    if n_z != sorted(n_z) or len(n_z) != ab.shape[-1]:
        raise ValueError(f"n_z={n_z}: expected {ab.shape[-1]} ascending latent dimensions")
    if ab.ndim == 1:
        i = 1 + int(np.argmax(ab[1:-1]))
        j = 0 if ab[0] >= ab[-1] else len(ab) - 1
        gap, unc = _difference(ab[i], er[i], ab[j], er[j], "groups of generated images (one VAE per N_z)", n_groups)
        return compare(gap, unc, 0.0, ">",
                       detail=f"best interior N_z = {n_z[i]} (1/D = {ab[i]:.3g} +/- {er[i]:.2g}); better end N_z = "
                              f"{n_z[j]} ({ab[j]:.3g} +/- {er[j]:.2g}); margin {gap:+.3g}; overall best N_z = "
                              f"{n_z[int(np.argmax(ab))]}")
    R = ab.shape[0]
    m, se, _ = mean_se(ab, axis=0)
    i = 1 + int(np.argmax(m[1:-1]))
    j = 0 if m[0] >= m[-1] else ab.shape[1] - 1
    d = ab[:, i] - ab[:, j]
    unc = _t_uncertainty(d, "VAE realisations")
    best_r = ", ".join(str(n_z[int(b)]) for b in np.argmax(ab, axis=1))
    return compare(float(np.mean(d)), unc, 0.0, ">",
                   detail=f"over {R} VAE realisations: best interior N_z = {n_z[i]} (1/D = {m[i]:.3g} +/- {se[i]:.2g}); "
                          f"better end N_z = {n_z[j]} ({m[j]:.3g} +/- {se[j]:.2g}); margin per realisation "
                          + ", ".join(f"{x:+.3g}" for x in d) + f", mean {np.mean(d):+.3g}; best N_z per "
                          f"realisation: {best_r}")


def low_beta_large_error(layers, over: str = "classifier realisations") -> Verdict:
    """S5: layers with beta < 1 have a significant majority-label error, larger than those with beta >= 1.

    ``layers[r]``: the rows ``(label, beta, error)`` of realisation r, one per (model, N_H); ``beta`` is the
    fitted exponent where the power-law rule accepts the tail, NaN elsewhere (those rows are left out);
    ``error`` the majority-label error in [0, 1). Per realisation: e_lo, the mean error of the rows with
    beta < ``BETA_CRITICAL``, and e_lo - e_hi, the difference with the rows with beta >= ``BETA_CRITICAL``
    (realisations lacking either side are left out). Both parts must hold (:func:`all_of`): mean e_lo >
    ``ERROR_SMALL`` and mean difference > 0, each by its 95% Student-t interval over realisations.
    The value is mean e_lo.
    """
    e_lo, diff, sides = [], [], []
    for rows in layers:
        fitted = [(float(b), float(e)) for _, b, e in rows if np.isfinite(float(b))]
        lo = [e for b, e in fitted if b < BETA_CRITICAL]
        hi = [e for b, e in fitted if b >= BETA_CRITICAL]
        sides.append((len(lo), len(hi)))
        if lo and hi:
            e_lo.append(float(np.mean(lo)))
            diff.append(float(np.mean(lo) - np.mean(hi)))
    count = "; ".join(f"r{r}: {a} below, {b} above" for r, (a, b) in enumerate(sides))
    if not diff:
        missing = "beta < 1" if all(a == 0 for a, _ in sides) else "beta >= 1" if all(b == 0 for _, b in sides) \
            else "layers on both sides of beta = 1"
        return inconclusive(f"no realisation has an accepted power law with {missing}",
                            detail=f"layers with an accepted power law, beta = 1: {count}")
    a = compare(float(np.mean(e_lo)), _t_uncertainty(e_lo, over), ERROR_SMALL, ">",
                detail=f"mean error of the beta < 1 layers {np.mean(e_lo):.3f} vs > {ERROR_SMALL}")
    b = compare(float(np.mean(diff)), _t_uncertainty(diff, over), 0.0, ">",
                detail="minus the beta >= 1 layers' error, per realisation " + ", ".join(f"{x:+.3f}" for x in diff))
    out = all_of([("significant error", a), ("larger than beta >= 1", b)], value_from=0)
    out.detail += f" (layers with an accepted power law, beta = 1: {count})"
    return out


def best_layer_chance(H_s, H_k, ability, alpha: float = ALPHA) -> Verdict:
    """S3 part (b): is the best-generating layer the critical one more often than chance?

    H_s, H_k, ability: (R, L). Per realisation the best layer (largest 1/D) is compared with the critical
    layer (largest H[s] + H[k], :func:`deepinfo.verdicts.critical_layers`); with h hits out of R, the exact
    p-value under the null "the best layer is uniform over the L layers, independently per realisation" is
    P(Binomial(R, 1/L) >= h). holds: p < ``alpha``; does not hold: h = 0 (the critical layer never
    generates best); inconclusive otherwise (more hits than none, but not more than chance allows).
    The value is p, exact given h (a binomial tail).
    """
    from scipy import stats as st

    a = np.asarray(ability, dtype=float)
    if a.ndim != 2 or a.shape[1] < 2:
        raise ValueError(f"ability: expected (realisations, layers >= 2), got shape {a.shape}")
    lc = critical_layers(H_s, H_k)
    best = np.nanargmax(np.where(np.isnan(a), -np.inf, a), axis=1) + 1
    R, L = a.shape
    hits = int(np.sum(best == lc))
    p = float(st.binom.sf(hits - 1, R, 1.0 / L)) if hits else 1.0
    unc = Uncertainty.of_exact(f"exact binomial tail P(Binomial({R}, 1/{L}) >= {hits})")
    detail = (f"best layer = critical layer in {hits} of {R} realisations; chance p = {p:.3g} "
              f"(null: best layer uniform over {L} layers; level {alpha})")
    if p < alpha:
        return Verdict("holds", p, unc, detail, threshold_value=alpha)
    if hits == 0:
        return Verdict("does not hold", p, unc, detail, threshold_value=alpha)
    return inconclusive(f"p = {p:.3g} >= {alpha}: {hits} of {R} hits is within chance", p, unc, detail,
                        threshold_value=alpha)


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
    """S3: (a) the main page's critical-layer generation test (:func:`deepinfo.verdicts.generation_at_critical`,
    H_s, H_k, ability (R, L)) on the letters DBN and (b) :func:`best_layer_chance`; both must hold
    (:func:`all_of`, value: the margin of (a)). On a substitute data set the verdict is kept as the value and
    detail but the status is inconclusive."""
    v = all_of([("margin", generation_at_critical(H_s, H_k, ability)),
                ("chance", best_layer_chance(H_s, H_k, ability))], value_from=0)
    if not is_substitute:
        return v
    what = v.status if v.status != "inconclusive" else f"inconclusive ({v.reason})"
    return inconclusive(f"measured on a substitute for the OCR letters ({data}); there it is: {what}", v.value,
                        v.uncertainty, v.detail, threshold_value=v.threshold_value)


def other_networks_power_laws(s2: dict, seed: int = 0) -> Verdict:
    """S2: ``s2[name]`` the :func:`..run.dbn_result` of each network (``H_s``, ``H_k`` (R, L), ``counts[l][r]``);
    for every network but ``DEEP``, the power-law verdict of its layer of largest mean H[s] + H[k] in every
    realisation, all must hold (:func:`deepinfo.verdicts.all_of`: the value is the number that hold)."""
    from ...estimators import power_law_verdict

    parts = []
    for name, res in s2.items():
        if name == DEEP:
            continue
        tot = (np.asarray(res["H_s"], float) + np.asarray(res["H_k"], float)).mean(0)
        l = int(np.argmax(tot))
        for r, counts in enumerate(res["counts"][l]):
            parts.append((f"{name} H{l + 1} r{r}", power_law_verdict(np.asarray(counts), rng=seed)))
    if not parts:
        raise ValueError(f"s2: expected networks other than {DEEP!r}, got {sorted(s2)}")
    return all_of(parts, "layers")


def strong_sparsity_lowers_entropies(s4_runs) -> Verdict:
    """S4: ``s4_runs``, one :func:`..run.sparse_rbm_result` per RBM realisation (rows ``lambda``, ``H_s``,
    ``H_k`` in bits for ``connectivity`` and ``activity``). For each penalty and each entropy, the drop from
    lambda = 0 to the largest lambda per realisation, compared with 0 by its 95% Student-t interval over
    realisations; all four must hold; the value is the smallest mean drop (bits)."""
    parts = []
    for kind in ("connectivity", "activity"):
        for h in ("H_s", "H_k"):
            drops = []
            for run in s4_runs:
                rows = sorted(run[kind], key=lambda r: float(r["lambda"]))
                if float(rows[0]["lambda"]) != 0.0 or len(rows) < 2:
                    raise ValueError(f"S4 {kind}: expected lambda = 0 and a penalised setting")
                drops.append(float(rows[0][h]) - float(rows[-1][h]))
            lam = max(float(r["lambda"]) for r in s4_runs[0][kind])
            parts.append((f"{kind} {h.replace('_', '[')}] (lambda 0 -> {lam:g})",
                          compare(float(np.mean(drops)), _t_uncertainty(drops, "RBM realisations"), 0.0, ">",
                                  detail="drop " + ", ".join(f"{d:+.2f}" for d in drops) + " bits")))
    worst = int(np.argmin([v.value for _, v in parts]))
    return all_of(parts, value_from=worst)


def scale(cfg) -> dict:
    """The sizes of every experiment of the page (the data set descriptions are added per claim)."""
    return {"S1_S2": {"M": cfg.s1.M, "epochs": cfg.s1.epochs, "realisations": cfg.s1.n_realisations,
                      "generation": f"{cfg.s2.generation.n_samples} chains x {cfg.s2.generation.n_sweeps} sweeps"},
            "S3": {"M": cfg.s3.M, "epochs": cfg.s3.epochs, "realisations": cfg.s3.n_realisations},
            "S4": {"M": cfg.s4.M, "epochs": cfg.s4.epochs, "realisations": cfg.s4.n_realisations},
            "S5": {"M_train": cfg.s5.M_train, "M_test": cfg.s5.M_test, "epochs": cfg.s5.epochs,
                   "realisations": cfg.s5.n_realisations, "n_hidden": list(cfg.s5.n_hidden)},
            "S6": {"M": cfg.s6.M, "epochs": cfg.s6.epochs, "n_generated": cfg.s6.n_generated,
                   "groups": cfg.s6.n_groups, "realisations": cfg.s6.n_realisations},
            "setting": cfg.setting,
            "paper": "M = 60,000 MNIST images, 200 'epochs', 12 realisations"}


# ------------------------------------------------------------------------------------------- audit
MAIN_PAGE = "resolution_relevance"

#: Every statement of Texts S1-S6 (the supplement's one text, Text S1, and the figure captions with the main
#: text's remarks on them) and every supplementary figure panel: ``(source, statement, where, why)``. ``where``
#: is a claim id of this page, ``"main:<id>"`` for a claim decided on the main page, or ``""`` when the
#: statement is not tested here, ``why`` then saying why (tests/test_resolution_relevance_supplement_audit.py
#: checks that every claim of this page appears and that every untested row says why).
AUDIT = [
    ("Text S1", "Training recipe: PCD-1 on mini-batches of 100, learning rate 0.1, 200 'epochs' of one update "
     "each, codes P(h|v) thresholded at 1/2", "",
     "a method, not a finding: deepinfo.models.rbm follows it; our sizes are in each setting line, and the main "
     "page runs the 200-update reading beside the 200-pass one"),
    ("Text S1", "After learning most hidden activities are near 0 or 1, so thresholded and sampled codes differ "
     "little; before learning they can differ", "",
     "not tested on this page, which uses thresholded codes throughout; a sampled-code variant belongs to the "
     "main page's pipeline"),
    ("Text S1, Fig. S3c", "On the OCR letters the critical layer (beta = 1) generates best",
     "P1.letters_critical_layer_generates_best", ""),
    ("Text S1", "The letters classifier reproduces the letters' frequencies closely", "",
     "the OCR letters are not on this machine; the substitute's labeller error is in the Fig. S3 setting line"),
    ("Fig. S1, main text", "Untrained layers at intermediate H[s] have a high H[k] and power-law m_k",
     "P1.untrained_middle_layers_relevant", ""),
    ("Fig. S1, Discussion", "On structureless (bit-switched) data the layers sit at high or low resolution",
     "main:P1.bitswitched_at_extremes", ""),
    ("Fig. S1", "Learning on MNIST shrinks the spread of H[s] and H[k] over the 12 realisations", "",
     "the presets train 2 DBN realisations (12 at full): a standard deviation from two values has one degree "
     "of freedom, too few to compare two spreads; the bars of Fig. S1 show it"),
    ("Fig. S2b, Discussion", "Deep, gradually narrowing DBNs generate best; deep non-narrowing, shallow and "
     "single-RBM networks generate poorly", "P1.deep_narrowing_generates_best", ""),
    ("Fig. S2, Discussion", "Those other networks still show power-law-like m_k", "P1.other_networks_power_laws", ""),
    ("Fig. S2a, Discussion", "Their H[k] stays lower than the deep narrowing DBN's",
     "P1.other_networks_lower_relevance", ""),
    ("Fig. S2, main text", "In every deep narrowing architecture the critical layer generates best", "",
     "one deep narrowing architecture here; the main page decides it for the standard DBN "
     "(P1.best_generation_at_critical_layer)"),
    ("Fig. S3a-b", "Letter images; the letters DBN's layers on the plane with the bound", "",
     "panels without a statement of their own: shown in Fig. S3 on the substitute"),
    ("Fig. S4a-b, Discussion", "Sparse connectivity or activity keeps power-law m_k", "P1.sparse_rbm_power_laws", ""),
    ("Fig. S4a-b, Discussion", "Too strong sparsity lowers both H[s] and H[k]",
     "P1.strong_sparsity_lowers_entropies", ""),
    ("Fig. S4c-e", "Features W_j of the sparse-activity RBM", "", "a panel without a statement: shown in Fig. S4c-e"),
    ("Fig. S5a-f, Discussion", "Binarised hidden states of MLPs (sigmoid, ReLU) and a CNN have power-law m_k",
     "P1.discriminative_power_laws", ""),
    ("Fig. S5j-l, Discussion", "Layers with beta < 1 have a significant classification error",
     "P1.low_beta_large_error", ""),
    ("Fig. S5g-i", "Training and test accuracy against N_H", "",
     "the paper states no claim about them: shown in Fig. S5g-i"),
    ("Fig. S6g, Discussion", "A VAE has an optimal (intermediate) latent dimension for generation",
     "P1.vae_optimal_latent_dimension", ""),
    ("Fig. S6a-f", "Generated digits and their label frequencies for N_z = 1, 5, 500", "",
     "panels without a statement of their own: shown in Fig. S6a-f"),
]
