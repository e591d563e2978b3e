"""The claims of Song, Marsili & Jo 2018 (main text, Figs. 2-3) and the pure functions that decide them.

Each ``ClaimSpec`` in :data:`CLAIMS` states the claim at the paper's strength, the threshold in
words and why it is that number; they were fixed before the chapter's quick run was looked at.
Every verdict function takes plain arrays (shapes in the docstrings; entropies in BITS) and returns
a :class:`deepinfo.claims.Verdict`; :func:`evaluate` applies them all to the result of
:func:`deepinfo.experiments.resolution_relevance.run.run`.

Uncertainty: a value measured on every DBN realisation carries its standard error over the
realisations (:meth:`Uncertainty.from_samples`); with a single realisation the decision helpers
make it inconclusive. Power-law statements use :func:`deepinfo.estimators.power_law_verdict`
only (its "fails" is our "does not hold"), read by the shared adapters of :mod:`deepinfo.verdicts`
(``power_law_claim``, ``all_of``), which also hold the margin form of the critical-layer generation
test (``generation_at_critical``) that the supplementary page applies to the letters. This page decides
"the critical layer generates best" by an exact permutation test on the critical layer's rank
(:func:`deepinfo.verdicts.layer_rank_test` on :func:`~deepinfo.verdicts.critical_layers` and the generation
ability, calibrated in ``tests/test_verdicts_rank_and_seeds.py``).
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from ...claims import ClaimSpec, Uncertainty, Verdict, compare, exact_check, inconclusive, within
from ...verdicts import (all_of, critical_layers, fit_line, generation_at_critical, layer_rank_test,  # noqa: F401
                         power_law_claim)

OVER = "DBN realisations"

# thresholds, fixed before any run (the reasons are in the ClaimSpecs below)
PAPER_PEAK_LAYER = 8          # "H[k] increases up to the eighth hidden layer H8 and then decreases"
PEAK_WINDOW = 1               # +/- one layer around H8
NEAR_BOUND_LAYERS = 6         # "almost saturates the maximal theoretical value up to layer H6"
NEAR_BOUND_FRACTION = 0.10    # "almost saturates": gap below 10% of the highest relevance any partition reaches
MIDDLE_BAND = (0.25, 0.75)    # intermediate resolution, in units of log M
CONTROL_MIDDLE_MAX = 0.5      # "most of the layers" at the ends: fewer than half in the middle band
POWER_LAW_LAYERS = (3, 6, 9)  # the layers of Fig. 2b
ZIPF_RANGE = (0.8, 1.25)      # beta ~ 1: within a factor 1.25 of 1, symmetric on Fig. 2c's log axis
ERROR_SMALL = 0.10            # "small" majority-label error up to the middle layer (H6)
ERROR_LARGE = 0.30            # "large" error at the deepest layer
MIDDLE_LAYER = 6              # H6, the paper's critical layer and "the middle"
STUCK_MAX = 0.10              # estimator: share of stuck units in any trained layer below 10%
ALPHA = 0.05                  # significance of the critical-layer rank test (reason in its ClaimSpec)


def _c(id, kind, statement, paper_value, threshold, threshold_reason, figure, test_differs=""):
    return ClaimSpec(id=id, kind=kind, statement=statement, paper_value=paper_value, threshold=threshold,
                     threshold_reason=threshold_reason, figure=figure, test_differs=test_differs)


CLAIMS = [
    _c("P1.resolution_decreases_with_depth", "sanity",
       "H[s] never increases from one layer to the next",
       "monotonic decrease H1 to H10 (Fig. 2a)",
       "largest layer-to-layer increase of H[s] <= 0 bits in every realisation",
       "each layer's code is a deterministic function of the code below, which can merge states but never "
       "split one: true by construction, shown as a check of the pipeline, not counted as a finding",
       "fig-p1-2a"),
    _c("P1.error_grows_with_depth", "sanity",
       "The majority-label error never decreases from one layer to the next",
       "error grows in deep layers (Fig. 2d)",
       "largest layer-to-layer decrease of the error <= 0 in every realisation",
       "merging states can only add images that disagree with their state's majority label: true by "
       "construction for nested partitions, not a finding",
       "fig-p1-2d"),
    _c("P1.relevance_peaks_at_intermediate_layer", "paper",
       "H[k] rises with depth up to an intermediate layer, H8 in the paper, and falls after it",
       "H8 of 10 (Fig. 2a)",
       f"the layer of largest H[k], mean over realisations with its 95% interval, inside "
       f"H{PAPER_PEAK_LAYER - PEAK_WINDOW}..H{PAPER_PEAK_LAYER + PEAK_WINDOW}",
       "the paper names H8; one layer either side because the deep layers differ by only 5 units and "
       "a layer index is the coarsest unit the claim has",
       "fig-p1-2a",
       "the paper reads the peak off the ensemble-average curve; we take the peak layer of each realisation "
       "and its spread"),
    _c("P1.near_max_relevance_up_to_middle", "paper",
       f"Up to H{NEAR_BOUND_LAYERS} the layers almost reach the maximal relevance at their resolution",
       "H1..H6 almost on the bound (Fig. 2a)",
       f"largest gap below the maximal-relevance curve over H1..H{NEAR_BOUND_LAYERS} (mean over realisations, "
       f"95% interval) < {NEAR_BOUND_FRACTION:.0%} of the curve's highest relevance",
       "'almost saturates' read as within 10% of the highest relevance any partition of M samples can "
       "reach (about 0.05 log M); the scale is the bound's own height, not a number tuned to our run",
       "fig-p1-2a"),
    _c("P1.dbn_beats_kmeans_relevance", "paper",
       "At equal H[s], DBN layers have higher H[k] than k-means partitions",
       "significantly higher (Fig. 2a)",
       "smallest margin H[k]_DBN - H[k]_k-means (k-means interpolated at the layer's H[s], over the layers "
       "inside the k-means range of H[s]) > 0 bits, with its 95% interval over realisations",
       "'significantly higher' read as: every comparable layer above, and the margin's interval clear of 0",
       "fig-p1-2a",
       "the k-means curve is the mean over its restarts at each k (k scaled with M); the interval is that of "
       "the DBN realisations"),
    _c("P1.bitswitched_at_extremes", "paper",
       "A DBN trained on bit-switched images (Fig. S1's structureless data) puts most layers at low or high "
       "resolution",
       "DL finds features only at high or low resolution in structureless data (Discussion, Fig. S1)",
       f"share of layers with H[s]/log M in {MIDDLE_BAND} < {CONTROL_MIDDLE_MAX} (mean over realisations, "
       "95% interval)",
       "the same reading and band as for Fig. 2a's controls, applied to the paper's other structureless data",
       "fig-p1-2a",
       "the paper shows this control on Fig. S1 only; we train it at the main page's M and passes so that it "
       "sits on the same plane as Fig. 2a's"),
    _c("P1.untrained_and_shuffled_at_extremes", "paper",
       "Untrained DBNs and DBNs trained on shuffled images put most layers at low or high resolution",
       "mostly at the two ends (Fig. 2a)",
       f"share of layers with H[s]/log M in {MIDDLE_BAND} < {CONTROL_MIDDLE_MAX} for both controls "
       "(mean over realisations, 95% interval)",
       "'most of the layers concentrate on the low or the high end' means fewer than half in the middle; "
       "the band is the middle half of the resolution axis",
       "fig-p1-2a"),
    _c("P1.trained_layers_cover_middle", "paper",
       "Learning spreads the layers over the resolution axis: a trained DBN has more layers at intermediate "
       "resolution than the untrained DBN and than the DBN trained on shuffled images",
       "trained layers span the resolution scale, the controls crowd its ends (Introduction, Fig. 2a)",
       f"per realisation, the share of trained layers with H[s]/log M in {MIDDLE_BAND} minus that of each "
       "control (same realisation index); the smaller of the two mean differences, with its 95% interval, > 0",
       "the paper contrasts the trained layers 'covering as densely as possible' the relevant H[s] with the "
       "controls at the ends; the band is the one of the controls' claim, and more layers in it than each "
       "control is the weakest reading that still separates training from its absence",
       "fig-p1-2a",
       "the paper shows it on Fig. 2a; the realisations are paired by index (the untrained DBN has the trained "
       "one's initial weights)"),
    _c("P1.untrained_grouping_erroneous", "paper",
       "Before learning the grouping is erroneous: the untrained DBN's layers have a larger majority-label "
       "error than the trained DBN's",
       "the epoch-0 grouping is erroneous (Fig. 2d)",
       "per realisation, the untrained minus the trained error averaged over the ten layers; the mean, with "
       "its 95% interval, > 0",
       "'erroneous' has no scale in the paper; Fig. 2d shows it against the trained curve, so the test is the "
       "sign of the difference of the two curves, averaged over the layers the figure shows",
       "fig-p1-2d",
       "realisations paired by index (same initial weights); a layer that keeps every image apart has error 0 "
       "trained or not, so such layers dilute the average without deciding it"),
    _c("P1.power_law_in_trained_layers", "paper",
       "m_k of the trained layers follows a power law m_k ~ k^(-beta-1) (H3, H6, H9 shown)",
       "always a power law (Fig. 2b)",
       "power_law_verdict holds for H3, H6 and H9 in every realisation; does not hold if it fails for a "
       "majority of realisations of any of them",
       "the book's one calibrated power-law rule (scale-free over >= 1 decade, clearly heavier than an "
       "exponential); the layers are those the paper shows",
       "fig-p1-2b",
       "the paper judges the log-log plot by eye; we apply a likelihood test with bootstrap"),
    _c("P1.beta_decreases_with_depth", "paper",
       "The exponent beta decreases gradually with depth",
       "decreasing H1 to H10 (Fig. 2c)",
       "Spearman rho(layer, beta) over the layers with a power law, mean over realisations with its 95% "
       "interval, < 0",
       "a monotonic trend is what 'gradually decreasing' asserts; rho < 0 is its sign",
       "fig-p1-2c",
       "only layers whose power_law_verdict holds enter (a beta fitted to an exponential tail means nothing)"),
    _c("P1.kmeans_not_power_law", "paper",
       "k-means partitions do not have power-law m_k",
       "no power law at k = 2^12 (Fig. 2b)",
       "power_law_verdict of the k-means partition of Fig. 2b fails in every k-means restart (does not hold "
       "if it holds in any)",
       "the same rule as for the DBN layers, read the other way; every restart, so that a lucky "
       "initialisation cannot decide it",
       "fig-p1-2b",
       "k scaled with M to the paper's 14.6 images per cluster (k = 4,096 M / 60,000)"),
    _c("P1.zipf_critical_layer", "paper",
       "The layer of largest H[s] + H[k] has a Zipf-like m_k, beta close to 1",
       "H6, beta ~ 1 (Figs. 2c, 3g)",
       f"fitted beta at each realisation's layer of largest H[s] + H[k], mean with its 95% interval, inside "
       f"[{ZIPF_RANGE[0]}, {ZIPF_RANGE[1]}]",
       "beta ~ 1 read as within a factor 1.25 of 1, symmetric on the log axis the paper plots beta on; "
       "tighter would exceed what a slope read off a log-log plot supports",
       "fig-p1-2c",
       "the paper reads beta off the fitted line of Fig. 2b and the slope of the bound; we use the maximum-"
       "likelihood beta and show the bound-slope beta beside it"),
    _c("P1.best_generation_at_critical_layer", "paper",
       "The layer of largest H[s] + H[k] generates best (largest 1/D(P||Q))",
       "H6 generates best (Fig. 3g)",
       f"exact permutation test over realisations: the sum over realisations of the critical layer's rank in "
       f"generation ability (1 = best) against its null distribution, the critical layer being a layer drawn "
       f"at random in each realisation; holds if p < {ALPHA}, does not hold if another layer generates "
       f"significantly better (the margin of the critical layer over the best other layer, mean over "
       f"realisations, has its 95% interval below 0), inconclusive otherwise",
       f"the null is what a window of +/- 1 layer could not exclude (3 of 10 layers pass it by chance); "
       f"{ALPHA} is the conventional level for one pre-stated one-sided test, and the claim is tested once, so "
       f"no correction for multiple tests applies; 'best' is the paper's word, so a layer that generates "
       f"better beyond the noise contradicts it even when the critical layer ranks high",
       "fig-p1-3g",
       "the paper reads the best layer off the ensemble-average curve; we rank the layers in each realisation "
       "(ties share their mean rank), and with R realisations no p below 10^-R is attainable, so too few "
       "realisations give inconclusive; our generation uses far fewer chains and sweeps than the paper's "
       "60,000 x 10,000"),
    _c("P1.error_small_up_to_middle_large_at_deepest", "paper",
       f"The majority-label error is small up to H{MIDDLE_LAYER} and large at the deepest layer",
       "low at H6, large at H10 (Figs. 2d, 3g)",
       f"error at H{MIDDLE_LAYER} < {ERROR_SMALL} and error at the deepest layer > {ERROR_LARGE} "
       "(means over realisations, 95% intervals)",
       "on the scale of chance (0.9 for ten balanced digits): 'small' is below a ninth of it, 'large' above "
       "a third of it",
       "fig-p1-2d"),
    _c("P1.trained_layers_not_stuck", "estimator",
       "No layer of the trained DBN has many stuck units (on for more than 99% or fewer than 1% of the images)",
       "not reported by the paper (issue 14's training diagnostic)",
       f"largest share of stuck units over the layers (mean over realisations, 95% interval) < {STUCK_MAX:.0%}",
       "a stuck unit carries no information about the image; issue 14 found 13-73% of the units stuck in "
       "under-trained RBMs and none in well-trained ones, and 10% separates the two",
       "fig-p1-stuck"),
]

IDS = [c.id for c in CLAIMS]

#: Every figure and numbered statement of the paper's main text (Figs. 1-3; the main text has no Fig. 4),
#: and where it is decided: a claim of this page, of the supplement's page or of another chapter, or the
#: reason it is not tested. ``page`` is a document name of the book; ``claim`` None means not tested.
SUPPLEMENT, THEORY = "resolution_relevance_supplement", "scale_invariance_ising"
AUDIT = [
    ("Fig. 1", "a DBN maps inputs to hidden states; deeper layers merge the states of shallower ones",
     "P1.resolution_decreases_with_depth", None, "a schematic; its one checkable consequence is the sanity check"),
    ("Eqs. 1-2, 7", "H[s] and H[k] from the state frequencies k_s and their degeneracies m_k", None, None,
     "definitions: the estimators are checked against enumeration in the library's tests and in exercise "
     "ex-p1-toy"),
    ("Fig. 2a", "H[s] decreases monotonically with depth", "P1.resolution_decreases_with_depth", None, ""),
    ("Fig. 2a", "H[k] increases up to H8, then decreases", "P1.relevance_peaks_at_intermediate_layer", None, ""),
    ("Fig. 2a", "H[k] almost saturates the maximal relevance up to H6", "P1.near_max_relevance_up_to_middle",
     None, ""),
    ("Fig. 2a", "H[k] significantly higher than k-means", "P1.dbn_beats_kmeans_relevance", None, ""),
    ("Fig. 2a, Introduction", "trained layers span the resolution scale", "P1.trained_layers_cover_middle", None,
     ""),
    ("Fig. 2a", "before learning, and on shuffled data, most layers sit at the low or high end",
     "P1.untrained_and_shuffled_at_extremes", None, ""),
    ("Fig. S1, Discussion", "the same for the bit-switched structureless data", "P1.bitswitched_at_extremes",
     None, ""),
    ("Fig. 2d", "the grouping before learning is erroneous", "P1.untrained_grouping_erroneous", None, ""),
    ("Fig. 2a, S1", "untrained layers that happen to sit at intermediate H[s] have high H[k] and power laws",
     "P1.untrained_middle_layers_relevant", SUPPLEMENT, ""),
    ("Fig. 2a", "on shuffled data the few intermediate layers are far from the bound", None, None,
     "not tested: the controls' claim already finds few shuffled layers in the middle band, so a gap there "
     "would rest on one or two layers per realisation"),
    ("Fig. 2b", "m_k of the trained layers follows a power law (H3, H6, H9)", "P1.power_law_in_trained_layers",
     None, ""),
    ("Fig. 2c", "the exponent beta decreases gradually with depth", "P1.beta_decreases_with_depth", None, ""),
    ("Eq. 8", "the maximiser of H[k] at fixed H[s] has m_k ~ k^(-beta-1), beta minus the slope of the bound",
     "P2.lagrangian_maximiser_is_power_law", THEORY,
     "the same Lagrangian as Lee & Jo's eqs. 6-7, decided on the exact maximiser there; here the bound is "
     "computed exactly and its slope is shown beside the fitted beta (Fig. 2c)"),
    ("Fig. 2b", "k-means partitions have no power-law m_k", "P1.kmeans_not_power_law", None, ""),
    ("Figs. 2c, 3g", "the layer of largest H[s] + H[k] has beta close to 1 (Zipf's law)", "P1.zipf_critical_layer",
     None, ""),
    ("Fig. 3a-c", "H2 generates heterogeneous digits, H10 stereotyped ones", None, None,
     "a visual statement, shown in Fig. 3a-c; its measurable part, how far each layer's label frequencies are "
     "from the training ones, is the generation ability of the next rows"),
    ("Fig. 3d-f, 3g", "the critical layer generates best (largest 1/D(P||Q))", "P1.best_generation_at_critical_layer",
     None, ""),
    ("Figs. 2d, 3g", "the classification error is low up to the critical layer and large in the deepest",
     "P1.error_small_up_to_middle_large_at_deepest", None, ""),
    ("Fig. 2d", "the error grows with depth", "P1.error_grows_with_depth", None, ""),
    ("Fig. S2, Results", "other deep narrowing architectures: the critical layer generates best; deep narrowing "
     "is needed for high generation ability", "P1.deep_narrowing_generates_best", SUPPLEMENT, ""),
    ("Fig. S3, Results", "OCR letters: the critical layer generates best", "P1.letters_critical_layer_generates_best",
     SUPPLEMENT, ""),
    ("Fig. S2, Discussion", "non-narrowing and shallow networks keep power-law-like m_k but lower H[k]",
     "P1.other_networks_lower_relevance", SUPPLEMENT, "and P1.other_networks_power_laws"),
    ("Fig. S4, Discussion", "sparse networks keep power laws; strong sparsity lowers H[s] and H[k]",
     "P1.sparse_rbm_power_laws", SUPPLEMENT, "and P1.strong_sparsity_lowers_entropies"),
    ("Fig. S5, Discussion", "binarised MLP and CNN hidden states have power-law m_k", "P1.discriminative_power_laws",
     SUPPLEMENT, ""),
    ("Fig. S5, Discussion", "layers with beta < 1 have a significant classification error", "P1.low_beta_large_error",
     SUPPLEMENT, ""),
    ("Fig. S6, Discussion", "a VAE has an optimal latent dimension for generation", "P1.vae_optimal_latent_dimension",
     SUPPLEMENT, ""),
    ("Note [9]", "P(h|v) is sharply peaked, so a hidden state can be read as a single code", None, None,
     "not tested on this page: it is the premise of the thresholded read-out (Text S1), which every claim "
     "here uses; its effect on the codes is exercise ex-p1-threshold"),
    ("Text S1", "every RBM of the stack is trained (our check, not the paper's statement)",
     "P1.trained_layers_not_stuck", None, "an estimator check of the instrument (stuck units), not counted"),
    ("Discussion", "Zipf's law in nature and the statistical-physics reading of beta", None, None,
     "interpretation, not a measurable statement"),
]


# ------------------------------------------------------------------------------------- helpers
def _arr2(a, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"{name}: expected an array (R realisations, L layers), got shape {a.shape}")
    return a


def _unc(samples) -> Uncertainty:
    return Uncertainty.from_samples(np.asarray(samples, dtype=float), over=OVER)


def _mean(samples) -> float:
    return float(np.nanmean(np.asarray(samples, dtype=float)))


# -------------------------------------------------------------------------------------- sanity
def resolution_falls(H_s) -> Verdict:
    """Sanity: H[s] (R, L) in bits never increases with depth (exact; 1e-9 bits of rounding allowed)."""
    H_s = _arr2(H_s, "H_s")
    worst = float(np.diff(H_s, axis=1).max()) if H_s.shape[1] > 1 else 0.0
    return exact_check(worst <= 1e-9, worst, f"largest increase of H[s] from one layer to the next: {worst:+.3g} bits "
                                             f"(H1 {H_s[:, 0].mean():.2f} -> H{H_s.shape[1]} {H_s[:, -1].mean():.2f} bits)",
                       method="exact (every realisation and layer)", threshold_value=0.0)


def error_grows(error) -> Verdict:
    """Sanity: the majority-label error (R, L) never decreases with depth (exact)."""
    e = _arr2(error, "error")
    worst = float((-np.diff(e, axis=1)).max()) + 0.0 if e.shape[1] > 1 else 0.0  # + 0.0: no -0
    return exact_check(worst <= 1e-12, worst, f"largest decrease of the error from one layer to the next: "
                                              f"{worst:+.3g} (H1 {e[:, 0].mean():.3f} -> H{e.shape[1]} "
                                              f"{e[:, -1].mean():.3f})",
                       method="exact (every realisation and layer)", threshold_value=0.0)


# -------------------------------------------------------------------------------- Fig. 2a claims
def relevance_peak(H_k) -> Verdict:
    """The layer of largest H[k] per realisation (H_k (R, L)), its mean compared with the paper's H8 +/- 1."""
    H_k = _arr2(H_k, "H_k")
    peaks = np.argmax(H_k, axis=1) + 1
    val = _mean(peaks)
    lo, hi = PAPER_PEAK_LAYER - PEAK_WINDOW, PAPER_PEAK_LAYER + PEAK_WINDOW
    return within(val, _unc(peaks), lo, hi,
                  detail="H[k] largest at " + ", ".join(f"H{p}" for p in peaks) + f" (realisations); mean {val:.2f} "
                         f"vs the paper's H{PAPER_PEAK_LAYER} (window H{lo}..H{hi})")


def near_bound(H_s, H_k, M: int, n_layers: int = NEAR_BOUND_LAYERS, curve=None) -> Verdict:
    """Largest gap below the maximal-relevance curve over H1..H``n_layers``, per realisation (bits), compared
    with ``NEAR_BOUND_FRACTION`` of the curve's highest relevance. H_s, H_k (R, L) in bits."""
    from ...estimators import max_relevance_curve, relevance_gap

    H_s, H_k = _arr2(H_s, "H_s"), _arr2(H_k, "H_k")
    curve = curve if curve is not None else max_relevance_curve(int(M))
    n = min(n_layers, H_s.shape[1])
    gaps = relevance_gap(H_s[:, :n], H_k[:, :n], int(M), curve=curve)        # (R, n) bits
    worst = gaps.max(axis=1)
    thr = NEAR_BOUND_FRACTION * float(np.max(curve[1]))
    logM = math.log2(M)
    g = gaps.mean(axis=0)
    return compare(_mean(worst), _unc(worst), thr, "<",
                   detail=f"gap below the bound H1..H{n}: " + ", ".join(f"{v / logM:.3f}" for v in g)
                          + f" log M; largest {_mean(worst):.2f} bits vs < {thr:.2f} bits "
                            f"({NEAR_BOUND_FRACTION:.0%} of the bound's peak {np.max(curve[1]):.2f} bits)",
                   scale={"M": int(M)})


def above_kmeans(H_s, H_k, km_H_s, km_H_k) -> Verdict:
    """Smallest margin of the DBN layers (H_s, H_k (R, L), bits) over the k-means curve (km_H_s, km_H_k (n_k,),
    bits, interpolated at the layer's H[s]) among layers inside the k-means range of H[s], per realisation."""
    H_s, H_k = _arr2(H_s, "H_s"), _arr2(H_k, "H_k")
    ks, kk = np.asarray(km_H_s, float), np.asarray(km_H_k, float)
    order = np.argsort(ks)
    ks, kk = ks[order], kk[order]
    margins, n_in = [], []
    for r in range(H_s.shape[0]):
        inside = (H_s[r] >= ks.min()) & (H_s[r] <= ks.max())
        n_in.append(int(inside.sum()))
        if inside.any():
            margins.append(float((H_k[r, inside] - np.interp(H_s[r, inside], ks, kk)).min()))
    if not margins:
        return inconclusive("no DBN layer has a resolution inside the range the k-means partitions cover",
                            detail=f"k-means H[s] from {ks.min():.2f} to {ks.max():.2f} bits")
    return compare(_mean(margins), _unc(margins), 0.0, ">",
                   detail=f"smallest margin over k-means at equal H[s]: {_mean(margins):+.2f} bits "
                          f"({min(n_in)}-{max(n_in)} layers per realisation inside the k-means range)")


def controls_at_extremes(H_s_untrained, H_s_shuffled, M: int) -> Verdict:
    """Share of layers at intermediate resolution (H_s/log2 M in ``MIDDLE_BAND``) per realisation, for the
    untrained and the shuffled-data DBN (each (R, L) bits); both must be below ``CONTROL_MIDDLE_MAX``."""
    logM = math.log2(M)
    parts = []
    for name, H in (("untrained", H_s_untrained), ("shuffled", H_s_shuffled)):
        h = _arr2(H, name) / logM
        frac = ((h >= MIDDLE_BAND[0]) & (h <= MIDDLE_BAND[1])).mean(axis=1)
        parts.append((name, compare(_mean(frac), _unc(frac), CONTROL_MIDDLE_MAX, "<",
                                    detail=f"{_mean(frac):.0%} of layers in the middle band")))
    worst = int(np.argmax([p[1].value for p in parts]))
    return all_of(parts, value_from=worst)


def bitswitched_at_extremes(H_s_flipped, M: int) -> Verdict:
    """Share of the bit-switched DBN's layers (H_s (R, L), bits) at intermediate resolution, per realisation,
    compared with ``CONTROL_MIDDLE_MAX``."""
    h = _arr2(H_s_flipped, "H_s_flipped") / math.log2(M)
    frac = ((h >= MIDDLE_BAND[0]) & (h <= MIDDLE_BAND[1])).mean(axis=1)
    return compare(_mean(frac), _unc(frac), CONTROL_MIDDLE_MAX, "<",
                   detail=f"{_mean(frac):.0%} of the bit-switched DBN's layers in the middle band")


def trained_cover_middle(H_s_trained, H_s_untrained, H_s_shuffled, M: int) -> Verdict:
    """Share of layers in ``MIDDLE_BAND`` (H_s/log2 M) of the trained DBN minus that of each control, per
    realisation (all (R, L) bits, paired by realisation index); the smaller mean difference decides (> 0)."""
    logM = math.log2(M)

    def share(H, name):
        h = _arr2(H, name) / logM
        return ((h >= MIDDLE_BAND[0]) & (h <= MIDDLE_BAND[1])).mean(axis=1)

    tr = share(H_s_trained, "H_s_trained")
    parts = []
    for name, H in (("untrained", H_s_untrained), ("shuffled", H_s_shuffled)):
        d = tr - share(H, name)
        parts.append((f"vs {name}", compare(_mean(d), _unc(d), 0.0, ">",
                                            detail=f"{_mean(tr):.0%} of the trained layers in the middle band, "
                                                   f"{_mean(tr) - _mean(d):.0%} of the {name} DBN's")))
    worst = int(np.argmin([p[1].value for p in parts]))
    return all_of(parts, value_from=worst)


def untrained_more_error(error_trained, error_untrained) -> Verdict:
    """Per realisation, the untrained minus the trained majority-label error averaged over the layers (each
    (R, L), paired by realisation index); the mean compared with 0 (> 0)."""
    et, eu = _arr2(error_trained, "error_trained"), _arr2(error_untrained, "error_untrained")
    d = (eu - et).mean(axis=1)
    return compare(_mean(d), _unc(d), 0.0, ">",
                   detail=f"mean error over the layers: untrained {eu.mean():.3f}, trained {et.mean():.3f}; "
                          f"difference {_mean(d):+.3f}")


def stuck_layers(stuck) -> Verdict:
    """Share of stuck units per layer and realisation (``stuck`` (R, L)); the layer with the largest mean
    share decides, compared with ``STUCK_MAX``."""
    st = _arr2(stuck, "stuck")
    m = st.mean(axis=0)
    worst = int(np.argmax(m))
    return compare(float(m[worst]), _unc(st[:, worst]), STUCK_MAX, "<",
                   detail="stuck share per layer " + ", ".join(f"H{l + 1} {v:.0%}" for l, v in enumerate(m))
                          + f"; largest at H{worst + 1}")


# -------------------------------------------------------------------------------- power laws
def _status_of(v) -> str:
    s = v if isinstance(v, str) else getattr(v, "status", None) if not isinstance(v, dict) else v.get("status")
    if s not in ("holds", "fails", "inconclusive"):
        raise ValueError(f"power-law status {s!r}: expected holds, fails or inconclusive")
    return s


def trained_power_laws(verdicts, layers: Iterable[int] = POWER_LAW_LAYERS) -> Verdict:
    """Power laws in the shown trained layers. ``verdicts[r][l]``: the power_law_verdict (or its status) of
    realisation r, layer l + 1. A layer holds if it holds in every realisation and fails if it fails in a
    majority of them; the claim holds if every shown layer holds, does not hold if any fails."""
    R = len(verdicts)
    layers = [l for l in layers if l <= len(verdicts[0])]
    st = np.array([[_status_of(verdicts[r][l - 1]) for l in layers] for r in range(R)])   # (R, n)
    held = (st == "holds")
    per_real = held.mean(axis=1)
    unc = Uncertainty.from_samples(per_real, over=OVER) if R > 1 else Uncertainty(
        method="one realisation; each layer's verdict carries its own bootstrap", se=float("nan"), n=1)
    lines = [f"H{l}: " + "/".join(st[:, j]) for j, l in enumerate(layers)]
    detail = f"{int(held.sum())} of {held.size} (layer, realisation) tails are power laws; " + "; ".join(lines)
    fits = {f"H{l} realisation {r}": verdicts[r][l - 1] for r in range(R) for l in layers
            if hasattr(verdicts[r][l - 1], "as_dict")}
    extra = {"per_partition": {k: v.as_dict() for k, v in fits.items()}} if fits else {}
    if fits:  # beta with its interval, tail size and decades of each shown layer (realisation 0)
        detail += "; realisation 0: " + "; ".join(fit_line(f"H{l}", verdicts[0][l - 1]) for l in layers
                                                   if hasattr(verdicts[0][l - 1], "as_dict"))
    failing = [l for j, l in enumerate(layers) if (st[:, j] == "fails").sum() > R / 2]
    value = float(per_real.mean())
    if failing:
        return Verdict("does not hold", value, unc, detail + "; fails in most realisations: "
                       + ", ".join(f"H{l}" for l in failing), threshold_value=1.0, extra=extra)
    if held.all():
        return Verdict("holds", value, unc, detail, threshold_value=1.0, extra=extra)
    undecided = [f"H{l}" for j, l in enumerate(layers) if not held[:, j].all()]
    return inconclusive("not every realisation of " + ", ".join(undecided) + " is decided a power law "
                        "(inconclusive tails, or a minority failing)", value, unc, detail, threshold_value=1.0,
                        extra=extra)


def beta_falls(beta, usable) -> Verdict:
    """Spearman rho(layer, beta) per realisation over the layers where ``usable`` (R, L) is True (their
    power-law verdict holds); needs 3 such layers in a realisation. beta (R, L)."""
    from scipy.stats import spearmanr

    beta = _arr2(beta, "beta")
    ok = np.asarray(usable, dtype=bool) & np.isfinite(beta)
    rhos, used = [], []
    for r in range(beta.shape[0]):
        layers = np.flatnonzero(ok[r]) + 1
        used.append(len(layers))
        if len(layers) >= 3:
            rhos.append(float(spearmanr(layers, beta[r, layers - 1]).statistic))
    if not rhos:
        return inconclusive(f"fewer than 3 layers with a power law in every realisation (layers per realisation: "
                            f"{used})", detail=f"layers with a power law per realisation: {used}")
    return compare(_mean(rhos), _unc(rhos), 0.0, "<",
                   detail=f"Spearman rho(layer, beta) = {_mean(rhos):+.2f} over {min(used)}-{max(used)} layers with "
                          f"a power law per realisation")


def kmeans_not_power_law(verdict, k: int) -> Verdict:
    """The power-law verdict of the k-means partition of Fig. 2b read the other way: fails -> holds
    (:func:`deepinfo.verdicts.power_law_claim` with ``invert``; a decision without an exponent stands,
    valued by the number of distinct k)."""
    _status_of(verdict)
    return power_law_claim(verdict, f"k-means, k = {k}", invert=True, what="one k-means restart",
                           decided_without_beta=True)


def kmeans_not_power_law_restarts(verdicts, k: int) -> Verdict:
    """:func:`kmeans_not_power_law` of the Fig. 2b partition in every k-means restart (``verdicts``, one per
    restart), combined by :func:`deepinfo.verdicts.all_of` (the value is restart 0's beta): does not hold if
    any restart has a power law, inconclusive if any is undecided, holds if every restart fails the
    power-law rule."""
    parts = [(f"restart {r}", kmeans_not_power_law(v, k)) for r, v in enumerate(verdicts)]
    if len(parts) == 1:
        return parts[0][1]
    out = all_of(parts, value_from=0)
    out.detail = f"k-means, k = {k}, {len(parts)} restarts: " + "; ".join(
        f"{n}: {'no power law' if v.status == 'holds' else 'power law' if v.status == 'does not hold' else 'undecided'}"
        for n, v in parts) + (f"; {fit_line('restart 0', verdicts[0])}" if hasattr(verdicts[0], "as_dict") else "")
    return out


def zipf_at_critical(H_s, H_k, beta, bound_beta=None) -> Verdict:
    """Fitted beta at each realisation's layer of largest H[s] + H[k] (H_s, H_k, beta: (R, L)); the mean
    compared with ``ZIPF_RANGE``. NaN betas (no fit, or a tail the power-law rule does not accept: the
    caller masks those) are dropped; none left: inconclusive."""
    beta = _arr2(beta, "beta")
    lc = critical_layers(H_s, H_k)
    b = np.array([beta[r, l - 1] for r, l in enumerate(lc)])
    closest = np.nanargmin(np.where(np.isfinite(beta), np.abs(np.log(np.abs(beta) + 1e-300)), np.inf), axis=1) + 1
    extra = ""
    if bound_beta is not None:
        bb = np.array([np.asarray(bound_beta)[r, l - 1] for r, l in enumerate(lc)])
        extra = f"; bound-slope beta there {np.nanmean(bb):.2f}"
    detail = ("critical layer " + ", ".join(f"H{l}" for l in lc) + "; fitted beta there "
              + ", ".join(f"{x:.2f}" for x in b) + extra + "; beta closest to 1 at "
              + ", ".join(f"H{l}" for l in closest))
    if not np.isfinite(b).any():
        return inconclusive("the critical layer's m_k is not accepted as a power law in any realisation, so it "
                            "has no exponent to compare with 1", detail=detail)
    b = b[np.isfinite(b)]
    return within(_mean(b), _unc(b), *ZIPF_RANGE, detail=detail)


def error_small_then_large(error, middle: int = MIDDLE_LAYER) -> Verdict:
    """Error (R, L) at H``middle`` below ``ERROR_SMALL`` and at the deepest layer above ``ERROR_LARGE``."""
    e = _arr2(error, "error")
    m, d = e[:, middle - 1], e[:, -1]
    return all_of([(f"H{middle}", compare(_mean(m), _unc(m), ERROR_SMALL, "<", detail=f"error {_mean(m):.3f}")),
                   (f"H{e.shape[1]}", compare(_mean(d), _unc(d), ERROR_LARGE, ">", detail=f"error {_mean(d):.3f}"))],
                  value_from=0)


# ------------------------------------------------------------------------------------- all
def tail_table(res: dict, layers: Iterable[int] | None = None) -> list[dict]:
    """One row per trained layer (realisation 0) and for the Fig. 2b k-means partition: the power-law
    verdict, fitted and bound-slope beta, and the shape of the tail (evidence of the verdict)."""
    tr, km = res["trained"], res["kmeans"]
    L = np.asarray(tr["H_s"]).shape[1]
    rows = []

    def row(name, v, bb):
        from ...plotting.relevance import tail_shape_row

        rows.append(tail_shape_row(v, partition=name, **{"beta (bound slope)": round(float(bb), 2)}))

    for l in (layers or range(1, L + 1)):
        row(f"H{l}", tr["power_law"]["verdicts"][0][l - 1], tr["power_law"]["bound_beta"][0, l - 1])
    i = int(np.flatnonzero(np.asarray(km["k"]) == km["fig2b_k"])[0])
    row(f"k-means k = {km['fig2b_k']}", km["power_law"]["verdicts"][i], km["power_law"]["bound_beta"][i])
    return rows


def evaluate(res: dict) -> dict:
    """Every claim of :data:`CLAIMS` from the result of :func:`...resolution_relevance.run.run`: {id: Verdict}."""
    tr, un, sh, km, gen = res["trained"], res["untrained"], res["shuffled"], res["kmeans"], res["generation"]
    M = int(res["M"])
    pl = tr["power_law"]
    status = np.array([[v.status for v in row] for row in pl["verdicts"]])
    return {
        "P1.resolution_decreases_with_depth": resolution_falls(tr["H_s"]),
        "P1.error_grows_with_depth": error_grows(tr["error"]),
        "P1.relevance_peaks_at_intermediate_layer": relevance_peak(tr["H_k"]),
        "P1.near_max_relevance_up_to_middle": near_bound(tr["H_s"], tr["H_k"], M, curve=res.get("bound")),
        "P1.dbn_beats_kmeans_relevance": above_kmeans(tr["H_s"], tr["H_k"], km["H_s"], km["H_k"]),
        "P1.untrained_and_shuffled_at_extremes": controls_at_extremes(un["H_s"], sh["H_s"], M),
        "P1.bitswitched_at_extremes": bitswitched_at_extremes(res["flipped"]["H_s"], M),
        "P1.trained_layers_cover_middle": trained_cover_middle(tr["H_s"], un["H_s"], sh["H_s"], M),
        "P1.untrained_grouping_erroneous": untrained_more_error(tr["error"], un["error"]),
        "P1.trained_layers_not_stuck": stuck_layers(tr["stuck"]),
        "P1.power_law_in_trained_layers": trained_power_laws(pl["verdicts"]),
        "P1.beta_decreases_with_depth": beta_falls(pl["beta"], status == "holds"),
        "P1.kmeans_not_power_law": kmeans_not_power_law_restarts(km["fig2b_verdicts"], int(km["fig2b_k"])),
        "P1.zipf_critical_layer": zipf_at_critical(tr["H_s"], tr["H_k"], np.where(status == "holds", pl["beta"], np.nan),
                                                   pl["bound_beta"]),
        "P1.best_generation_at_critical_layer": layer_rank_test(
            critical_layers(tr["H_s"], tr["H_k"]), gen["ability"], ALPHA, name="critical", score="generation ability",
            verb="generates", units="1/bits", over=OVER),
        "P1.error_small_up_to_middle_large_at_deepest": error_small_then_large(tr["error"]),
    }


#: the claims whose outcome depends on M, studied at several M (:func:`finite_size_statistics`)
FINITE_SIZE_CLAIMS = ("P1.power_law_in_trained_layers", "P1.zipf_critical_layer", "P1.near_max_relevance_up_to_middle",
                      "P1.dbn_beats_kmeans_relevance", "P1.kmeans_not_power_law")


def _m_dependent(res: dict) -> dict:
    """The verdicts of :data:`FINITE_SIZE_CLAIMS` from a result with ``trained`` (with ``power_law``),
    ``kmeans`` (with ``fig2b_verdicts``) and ``M``."""
    tr, km, M = res["trained"], res["kmeans"], int(res["M"])
    pl = tr["power_law"]
    status = np.array([[v.status for v in row] for row in pl["verdicts"]])
    return {
        "P1.power_law_in_trained_layers": trained_power_laws(pl["verdicts"]),
        "P1.zipf_critical_layer": zipf_at_critical(tr["H_s"], tr["H_k"], np.where(status == "holds", pl["beta"], np.nan),
                                                   pl["bound_beta"]),
        "P1.near_max_relevance_up_to_middle": near_bound(tr["H_s"], tr["H_k"], M),
        "P1.dbn_beats_kmeans_relevance": above_kmeans(tr["H_s"], tr["H_k"], km["H_s"], km["H_k"]),
        "P1.kmeans_not_power_law": kmeans_not_power_law_restarts(km["fig2b_verdicts"], int(km["fig2b_k"])),
    }


def finite_size_statistics(res: dict) -> dict:
    """Per claim of :data:`FINITE_SIZE_CLAIMS`: ``value`` with its 95% interval ``lo``, ``hi`` (NaN where the
    verdict has no value or no uncertainty), ``threshold`` (a number, a (lo, hi) pair or None), ``status``,
    ``reason`` and ``detail``: plain numbers and strings, so that they cache."""
    out = {}
    for cid, v in _m_dependent(res).items():
        lo = hi = math.nan
        if v.value is not None and v.uncertainty is not None:
            lo, hi = v.uncertainty.interval(v.value)
        thr = v.threshold_value
        out[cid] = {"value": math.nan if v.value is None else float(v.value), "lo": float(lo), "hi": float(hi),
                    "threshold": list(thr) if isinstance(thr, tuple) else thr, "status": v.status,
                    "reason": v.reason, "detail": v.detail}
    return out


def finite_size_sentence(points: list[dict]) -> str:
    """One sentence per claim of the finite-size study: its value and status at each M, in order of M."""
    out = []
    for cid in FINITE_SIZE_CLAIMS:
        steps = [f"{p['claims'][cid]['value']:.3g} ({p['claims'][cid]['status']}) at M = {p['M']:,}" for p in points]
        out.append(f"{cid.split('.', 1)[1].replace('_', ' ')}: " + ", ".join(steps) + ".")
    return " ".join(out)


def evaluate_variant(res: dict, kind: str = "updates") -> dict:
    """The Fig. 2a-c claims decided on the DBN of ``kind`` (the literal-Text-S1 variant) in place of the trained
    one: {claim id: Verdict}. Shown beside the recorded verdicts, not recorded."""
    v, km, M = res[kind], res["kmeans"], int(res["M"])
    pl = v["power_law"]
    status = np.array([[x.status for x in row] for row in pl["verdicts"]])
    return {
        "P1.relevance_peaks_at_intermediate_layer": relevance_peak(v["H_k"]),
        "P1.near_max_relevance_up_to_middle": near_bound(v["H_s"], v["H_k"], M, curve=res.get("bound")),
        "P1.dbn_beats_kmeans_relevance": above_kmeans(v["H_s"], v["H_k"], km["H_s"], km["H_k"]),
        "P1.power_law_in_trained_layers": trained_power_laws(pl["verdicts"]),
        "P1.zipf_critical_layer": zipf_at_critical(v["H_s"], v["H_k"], np.where(status == "holds", pl["beta"], np.nan),
                                                   pl["bound_beta"]),
        "P1.trained_layers_not_stuck": stuck_layers(v["stuck"]),
    }


def outcome_sentence(specs: dict, verdicts: dict) -> str:
    """One sentence for the page's opening: how the paper's claims came out, naming each (sanity checks apart)."""
    paper = [i for i, s in specs.items() if s.kind == "paper" and i in verdicts]
    by = {st: [i.split(".", 1)[1].replace("_", " ") for i in paper if verdicts[i].status == st]
          for st in ("holds", "does not hold", "inconclusive")}
    n_sanity = sum(1 for i, s in specs.items() if s.kind == "sanity" and i in verdicts and verdicts[i].holds)
    parts = [f"Of the paper's {len(paper)} claims tested here, {len(by['holds'])} hold, {len(by['does not hold'])} "
             f"do not hold and {len(by['inconclusive'])} are inconclusive."]
    for st, name in (("holds", "Holding"), ("does not hold", "Not holding"), ("inconclusive", "Inconclusive")):
        if by[st]:
            parts.append(f"{name}: {', '.join(by[st])}.")
    parts.append(f"{n_sanity} of the {sum(1 for s in specs.values() if s.kind == 'sanity')} sanity checks pass.")
    return " ".join(parts)


def _kmeans_ks(cfg, M: int) -> list[int]:
    from .run import kmeans_ks

    return kmeans_ks(cfg, M)


def scale(cfg, M: int, source: str, classifier: dict | None = None) -> dict:
    """What a reader needs to weigh the verdicts: data (real or substitute), M, passes, realisations, ..."""
    out = {"data": source, "data_is_substitute": "substitute" in str(source).lower(), "M": int(M),
           "rbm_passes_per_layer": cfg.epochs, "gradient_updates_per_layer": cfg.epochs * (int(M) // cfg.batch_size),
           "realisations": cfg.n_realisations, "hidden_sizes": list(cfg.hidden_sizes),
           "kmeans_k": _kmeans_ks(cfg, int(M)), "kmeans_restarts": cfg.kmeans_restarts,
           "kmeans_rule": "k = round(2^j M / 60,000), the paper's images per cluster; Fig. 2b k = 4,096 M / 60,000",
           "generation": f"{cfg.n_generate} chains x {cfg.n_sweeps} Gibbs sweeps per layer and realisation",
           "paper": "M = 60,000 MNIST images, 200 'epochs', 12 realisations, 60,000 chains x 10,000 sweeps"}
    if classifier:
        out["classifier_test_error"] = classifier.get("test_error")
    return out


def audit_rows(verdicts: dict, other_claims: dict | None = None) -> list[dict]:
    """The rows of :data:`AUDIT` for the page's table: the paper's figure and statement, where it is decided
    (claim id and page, or "not tested"), its kind and, for this page's claims, the status in ``verdicts``.
    ``other_claims``: {claim id: kind} of the claims decided on other pages (their status is on that page)."""
    kinds = {s.id: s.kind for s in CLAIMS}
    kinds.update(other_claims or {})
    rows = []
    for fig, statement, cid, page, note in AUDIT:
        if cid is None:
            where, kind, status = "not tested", "-", "-"
        elif page is None:
            where, kind, status = cid, kinds.get(cid, "?"), verdicts[cid].status if cid in verdicts else "not evaluated"
        else:
            where, kind, status = f"{cid} ({page})", kinds.get(cid, "?"), f"on {page}"
        rows.append({"paper": fig, "statement": statement, "decided by": where, "kind": kind, "status here": status,
                     "note": note})
    return rows


def schedule_sentence(points: list[dict], decision: dict, cfg) -> str:
    """The schedule study in words for the page: per schedule, the (layer, realisation) pairs passing the
    criterion, the stuck units and the layers whose proxy levelled off; the decision with its reason, and
    the schedule the preset actually trains with (flagged if it disagrees with the decision)."""
    parts = []
    for p in points:
        ok, n_stuck, lev = (np.asarray(p[k]) for k in ("passes_criterion", "n_stuck", "levelled"))
        parts.append(f"under the {p['schedule']} schedule ({p['passes']} passes, {p['gradient_updates']:,} "
                     f"updates per RBM) {int(ok.sum())} of {ok.size} (layer, realisation) pairs pass the criterion: "
                     f"{int(n_stuck.sum())} stuck units in all, in {int((n_stuck > 0).sum())} pairs, and the proxy "
                     f"levelled off in {int(lev.sum())} pairs")
    chosen = points[decision["chosen"]]
    out = ("At this preset, " + "; ".join(parts) + f". The criterion {'adopts' if decision['adopt'] else 'keeps'} "
           f"the {chosen['schedule']} schedule: {decision['reason']}.")
    follows = cfg.schedule == chosen["schedule"] and int(cfg.epochs) == int(chosen["passes"])
    out += (f" The chapter trains with it ({cfg.schedule}, {cfg.epochs} passes)." if follows else
            f" The preset trains with the {cfg.schedule} schedule for {cfg.epochs} passes, which is not the "
            "schedule the criterion chose.")
    return out


def fashion_sentence(points: list[dict], cfg) -> str:
    """Which M the Fashion-MNIST finite-size study ran at this preset, and where M = 60,000 runs."""
    from .run import M_PAPER, PRESETS

    Ms = [int(p["M"]) for p in points]
    if not Ms:
        return "This preset runs no Fashion-MNIST points."
    out = "At this preset it runs at M = " + ", ".join(f"{m:,}" for m in Ms) + "."
    if M_PAPER in Ms:
        return out + " That includes the paper's M = 60,000."
    full = [int(m) for m in PRESETS["full"].finite_size_fashion_M]
    if M_PAPER in full:
        return out + (" M = 60,000 is part of the `full` preset only: a DBN and the k-means partitions of "
                      "60,000 images take too long for the two CPU cores the `quick` build runs on.")
    return out + " No preset runs M = 60,000."
