"""Chapter 3 claims: Shwartz-Ziv & Tishby (2017), declared before any run and decided by pure functions.

Each ``verdict_*`` function takes run results (plain dicts, see :mod:`.run`; I_X, I_Y in bits)
and returns a :class:`deepinfo.claims.Verdict`; :data:`CLAIMS` states each claim, its kind, the
paper's value, the threshold and why. Every measured value carries its spread over the
ensemble's networks. Thresholds were fixed from the paper's words before the chapter's quick
run and are not tuned to it.
"""
from __future__ import annotations

import math

import numpy as np

from ...claims import ClaimSpec, Uncertainty, Verdict, Z95, compare, exact_check, inconclusive, within
from ...stats import bootstrap_interval, mean_se
from . import analysis as an

# ---------------------------------------------------------------------------------------------
# thresholds (each with its reason in CLAIMS)
# ---------------------------------------------------------------------------------------------
#: a layer "compresses" when its smoothed I_X falls by more than this from its peak (bits)
MIN_DROP_BITS = 0.1
#: "fitting first": share of the I_Y rise a layer has made when its I_X turns
FIT_SHARE = 0.5
#: the DPI violations of the binned estimate must stay below the smallest compression we read (bits)
DPI_TOL_BITS = MIN_DROP_BITS
#: the paper's epochs: SNR transition (Fig. 4 grey line) and training length (Figs. 2, 3)
PAPER_TRANSITION_EPOCH = 350
PAPER_EPOCHS = 10_000
#: compression/fitting duration read from the paper: (10^4 - 350) / 350
PAPER_PHASE_RATIO = (PAPER_EPOCHS - PAPER_TRANSITION_EPOCH) / PAPER_TRANSITION_EPOCH
#: "much longer" / "dramatically": at least an order of magnitude
MUCH_LONGER_RATIO = 10.0
#: the SNR transition "~350 epochs": within a factor of 2
TRANSITION_RANGE = (PAPER_TRANSITION_EPOCH / 2, PAPER_TRANSITION_EPOCH * 2)
#: "the same number of epochs as the left bend": transition / turn within a factor of 2
TURN_MATCH_RANGE = (0.5, 2.0)
#: "on or very close to the IB bound": vertical gap below 5% of I(X;Y) = 0.99 bits (reported, not decisive)
NEAR_BOUND_BITS = 0.05
#: ... and horizontally: excess I(X;T) below 5% of the I_X axis, H(X) = 12 bits
NEAR_BOUND_H_BITS = 0.05 * 12
#: eq. 12: a layer's beta* matches 1/slope of the curve at its point within a factor 2
BETA_SLOPE_FACTOR = 2.0
#: "significantly reduced the label information": at least 5% of I(X;Y)
SMALL_SAMPLE_LOSS_BITS = 0.05
#: "the compression depends on the binning": the drop changes by at least a factor 2 across bin counts
BINNING_FACTOR = 2.0
#: denominator floor of the binning ratio (bits): a drop below this counts as no compression
BINNING_FLOOR_BITS = 0.01
#: the rule's mutual information, set by construction (paper sec. 3.1)
RULE_I_XY_BITS = 0.99

#: exact cross-check: binned with aligned bins vs enumerated exact values, largest |difference| (bits); float64 sums
#: of <= 4096 terms of at most 12 bits round at ~4096 * 2.2e-16 * 12 ~ 1e-11 bits
EXACT_TOL_BITS = 1e-9

SAXE = "Saxe et al. (2018)"
#: "compression tracks saturation": a positive rank correlation (the weakest form of the mechanism)
SATURATION_RHO = 0.0

CLAIMS = [
    ClaimSpec(
        "P3.rule_information", "sanity",
        "The rule of eq. (10) carries I(X;Y) = 0.99 bits with p(y=1) close to 1/2",
        "I(X;Y) ~ 0.99 bits, p(y=1) ~ 0.5 (sec. 3.1)",
        "|I(X;Y) - 0.99| < 0.001 bits and |p(y=1) - 0.5| < 0.05, computed exactly over the 4096 patterns",
        "true by construction: the gain gamma is solved for I(X;Y) = 0.99 bits and theta splits the patterns "
        "evenly; shown so the reader sees the rule is the paper's"),
    ClaimSpec(
        "P3.dpi_order_holds", "estimator",
        "The binned information values keep the data-processing order of eqs. (5)-(6) along the layers, up "
        "to violations smaller than the compression we read",
        "eqs. (5)-(6) hold for the true values",
        f"largest DPI violation per network (bits, over snapshots, layer pairs and both coordinates), mean over "
        f"networks < {DPI_TOL_BITS} bits",
        "the binned layer l+1 is a function of the unbinned layer l, not of its binned version, so the estimate may "
        "break the DPI by a little; the violation must stay below the smallest compression we count "
        f"(MIN_DROP_BITS = {MIN_DROP_BITS}) for the compression findings to be read off this instrument",
        figure="fig-p3-2",
        test_differs="The paper asserts the DPI chains for the true information; we measure how far the binned "
                     "estimate departs from them."),
    ClaimSpec(
        "P3.fitting_then_compression", "paper",
        "During training the layers first increase I(T;Y) (fitting) and later decrease I(X;T) (compression)",
        "two phases visible in all cases (sec. 3.4, Fig. 3)",
        f"deeper half of the layers, per network: >= {FIT_SHARE:.0%} of the I(T;Y) rise made when the smoothed "
        f"I(X;T) peaks, and then a drop > {MIN_DROP_BITS} bits (peak of the smoothed series minus the end-averaged "
        "value); both 95% intervals over networks on the right side",
        f"'first' means most of the rise (more than half) before the turn; {MIN_DROP_BITS} bits is far below "
        "the several bits of Fig. 3 and above the upward bias of the peak of a smoothed noisy series "
        "(calibrated in tests/test_information_plane_claims.py)",
        figure="fig-p3-3",
        test_differs="The paper reads the phases off ensemble-mean paths; we decide them per network on the deeper "
                     "half of the layers (the first hidden layers keep nearly all 12 bits and barely move)."),
    ClaimSpec(
        "P3.compression_phase_longer", "paper",
        "The compression phase is much longer than the fitting phase",
        f"fitting: a few hundred epochs (transition ~{PAPER_TRANSITION_EPOCH}, Fig. 4); compression: the rest of "
        f"{PAPER_EPOCHS:,} epochs (Figs. 2-3), a ratio of about {PAPER_PHASE_RATIO:.0f}",
        f"(last epoch - turn epoch) / turn epoch, geometric mean over networks, 95% interval > {MUCH_LONGER_RATIO:g}",
        f"the paper's numbers give (10^4 - 350)/350 = {PAPER_PHASE_RATIO:.0f}: the grey line of Fig. 4 at about "
        "350 epochs and training to 10^4 epochs with the layers still moving in Fig. 3; 'much longer' is read as at "
        "least an order of magnitude (below the paper's 28, so a turn up to ~900 epochs at 10^4 still passes). A run "
        "shorter than 10^4 epochs that is still compressing at its end only gives a lower bound: inconclusive "
        "when that bound is below 10",
        figure="fig-p3-3",
        test_differs="The compression phase is taken to last from the turn to the last epoch, as in the paper's "
                     "figures; the turn is the peak of each network's smoothed I(X;T) (deeper layers), not the SNR "
                     "line."),
    ClaimSpec(
        "P3.snr_transition_found", "paper",
        "The gradient SNR goes from drift (mean norm above the std) to diffusion (below) at about 350 epochs",
        f"transition at ~{PAPER_TRANSITION_EPOCH} epochs (Fig. 4, grey line)",
        f"per network, the first epoch after which the layer-averaged log SNR stays below 0 (for at least two snapshots), a network without one "
        f"counted as censored at the last epoch; median over networks with a bootstrap 95% interval (censored "
        f"values at the last epoch) inside [{TRANSITION_RANGE[0]:.0f}, {TRANSITION_RANGE[1]:.0f}] epochs; more "
        "than half of the networks must have a transition",
        "'~350' read off a log-scale axis: a factor of 2 either way (0.3 decades) is the precision of that reading. "
        "Leaving out the networks without a transition would bias the epoch down (their transition is later than "
        "the run); the median is exact while fewer than half are censored, and an upper end of the interval on a "
        "censored value is only a lower bound (inconclusive unless the interval is already outside the range)",
        figure="fig-p3-4",
        test_differs="The paper marks the transition by eye on the ensemble curves; we detect it per network with a "
                     "fixed rule. Our runs use Adam (the original code), the paper's text says SGD."),
    ClaimSpec(
        "P3.transition_matches_plane_turn", "paper",
        "The SNR transition happens at the same epoch as the turn (left bend) of the layers in the information plane",
        "same number of epochs (sec. 3.5)",
        f"per network, SNR transition epoch / turn epoch of the deeper layers (median over layers); geometric mean "
        f"over networks, 95% interval inside [{TURN_MATCH_RANGE[0]}, {TURN_MATCH_RANGE[1]}]",
        "'the same number of epochs' on the paper's log-epoch axes: a factor of 2 either way",
        figure="fig-p3-4"),
    ClaimSpec(
        "P3.more_layers_fewer_epochs", "paper",
        "Adding hidden layers dramatically reduces the number of epochs needed to generalise",
        "1 hidden layer: good I(T;Y) not reached within 10^4 epochs; 6 hidden layers: within 400 (Fig. 5)",
        f"epochs until the output layer's smoothed I(T;Y) reaches 90% of the best final value: 1 hidden layer / "
        f"deepest, ratio of geometric means over networks, 95% interval > {MUCH_LONGER_RATIO:g}",
        "the paper's 'dramatically' is more than 10^4 vs 400 epochs (> 25x); read as at least an order of magnitude. "
        "When the one-layer networks never reach the target, their epochs are a lower bound (the run's length): "
        "inconclusive if that bound is below 10x",
        figure="fig-p3-5b",
        test_differs="The paper compares the colours of the paths by eye; we time a 90% target per network."),
    ClaimSpec(
        "P3.deep_layers_compress_first", "paper",
        "In the diffusion phase the deeper layers compress first",
        "top layers compress first and pull the lower ones (sec. 3.6, item 3)",
        f"per network, Spearman rho(layer, turn epoch) over its layers that compress by > {MIN_DROP_BITS} bits "
        "(at least 3 layers); mean over networks, 95% interval < 0",
        "'first' is an order in time: a negative rank correlation between depth and turn epoch",
        figure="fig-p3-3",
        test_differs="The paper states it for the architectures of Fig. 5; we test it on the main run "
                     "(the depth runs are issue 15)."),
    ClaimSpec(
        "P3.layers_near_ib_bound", "paper",
        "The converged layers lie on or very close to the IB bound, and each layer's fitted beta* (eq. 12) "
        "matches the slope of the bound at its point",
        "remarkably close; 'the slope of the curve, beta^-1, matches their estimated optimal beta_i^*' (Fig. 6)",
        f"at the last epoch, per network: the horizontal gap I_X - I_X^IB(I_Y) (excess input information over "
        f"the optimum for the layer's I(T;Y)), mean over layers, mean over networks with 95% interval < "
        f"{NEAR_BOUND_H_BITS:.1f} bits; and over the layers with a beta* fit, |log10(beta* x slope)| (slope of the "
        f"curve at the layer's horizontal projection, = 1/beta there), mean over networks with 95% interval < "
        f"log10({BETA_SLOPE_FACTOR:g})",
        f"the paper gives no number; {NEAR_BOUND_H_BITS:.1f} bits is 5% of the I_X axis (H(X) = 12 bits), as the "
        "vertical 0.05 bits was 5% of I(X;Y); a factor 2 in beta is the precision of reading a slope off a "
        "log-scale figure. The vertical gap is reported beside it: for this nearly deterministic rule the bound "
        "is almost the broken line min(I_X, H(Y)) and the vertical gap only asks I(T;Y) > 0.94 bits",
        figure="fig-p3-6",
        test_differs="beta* is fitted only for layers with at most ib_max_states binned states, on the first "
                     "ib_networks networks; the layer's I(X;T) is the binned one."),
    ClaimSpec(
        "P3.layers_near_curved_ib_bound", "paper",
        "The same statement on a noisier rule (the same f, gamma set for I(X;Y) = 0.8 bits) whose IB bound is "
        "clearly curved",
        "the paper's rule is meant to have a curved bound (Fig. 6)",
        "the P3.layers_near_ib_bound test on the main architecture trained on the 0.8-bit rule",
        "the same thresholds: the claim should not depend on how deterministic the rule is",
        figure="fig-p3-6soft",
        test_differs="Not the paper's rule: the paper's 0.99-bit rule makes the bound nearly a broken line, so the "
                     "test is repeated where the curved part is wide."),
    ClaimSpec(
        "P3.beta_star_decreases_with_depth", "paper",
        "The fitted IB multiplier beta* decreases with depth",
        "decreasing beta as we move to deeper layers (sec. 3.8)",
        "per network, Spearman rho(layer, beta*) over the layers with a beta* fit; mean over networks, "
        "95% interval < 0",
        "'decreasing' is an order along the layers: a negative rank correlation",
        figure="fig-p3-6",
        test_differs="beta* is fitted only for layers with at most ib_max_states binned states, on the first "
                     "ib_networks networks (more states: nearly invertible, beta* at the top of the range)."),
    ClaimSpec(
        "P3.small_sample_loses_label_information", "paper",
        "With a small training set the compression phase loses label information; with a large one it mostly does not",
        "5%: I(T;Y) falls during compression; 85%: it mostly rises (sec. 3.4, Fig. 3)",
        f"deeper layers, per network: peak of the smoothed I(T;Y) minus its end mean; small share: 95% interval "
        f"> {SMALL_SAMPLE_LOSS_BITS} bits, and above the large share's loss (difference interval > 0)",
        f"'significantly reduced' read as at least 5% of I(X;Y) ({SMALL_SAMPLE_LOSS_BITS} bits), and more than "
        "with the large sample",
        figure="fig-p3-3"),
    ClaimSpec(
        "P3.committee_machine_same_phases", "paper",
        "A non-symmetric committee-machine rule shows the same two phases in the plane and in the gradients",
        "very similar paths and SGD phases (sec. 4, Fig. 8)",
        "the P3.fitting_then_compression test on the committee run, and an SNR transition in more than half of "
        "the networks (share, 95% interval > 0.5)",
        "the same thresholds as for the spherical rule: the claim is that nothing changes",
        figure="fig-p3-8"),
    ClaimSpec(
        "P3.relu_does_not_compress", "critique",
        f"{SAXE}: networks with ReLU hidden units do not compress; I(X;T), estimated with the KDE bound, does not "
        "fall after its peak",
        "the paper has no ReLU claim (it expects compression in general); Saxe et al. find none with ReLU",
        f"deeper ReLU hidden layers, per network: KDE drop of the smoothed I(X;T) from its peak to the end mean; "
        f"holds when the 95% interval over networks is below {MIN_DROP_BITS} bits",
        f"the same {MIN_DROP_BITS}-bit compression threshold as for the tanh runs, so the two read alike",
        figure="fig-p3-relu",
        test_differs="Saxe et al. trained with their own code and noise variance; we use the chapter's ensemble and "
                     "kde_noise_var on a fixed subset of patterns."),
    ClaimSpec(
        "P3.compression_depends_on_binning", "critique",
        f"{SAXE}: the compression seen in the binned information plane depends on the binning",
        "the paper uses 30 bins only; Saxe et al.: binning-dependent",
        f"mean drop of the deeper tanh layers with 10, 30 and 100 bins: largest / smallest (floor "
        f"{BINNING_FLOOR_BITS} bits), bootstrap 95% interval over networks > {BINNING_FACTOR:g}, with at least one "
        f"bin count compressing by > {MIN_DROP_BITS} bits",
        "a factor 2 between bin counts is a change of kind, not of detail; with no compression at any bin count "
        "there is nothing for the binning to change (inconclusive)",
        figure="fig-p3-bins"),
    ClaimSpec(
        "P3.gd_compresses_without_noise", "critique",
        f"{SAXE}: compression does not need the noise of stochastic gradients; tanh networks trained by "
        "full-batch gradient descent compress too",
        "the paper attributes compression to the diffusion (noise) phase of SGD; Saxe et al. find it under "
        "batch gradient descent as well",
        f"full-batch gradient descent (one step per epoch on the whole training set), deeper half of the layers, "
        f"per network: drop of the smoothed I(X;T) from its peak to the end mean; holds when the 95% interval "
        f"over networks is above {MIN_DROP_BITS} bits (30 bins, the paper's estimator)",
        f"the same {MIN_DROP_BITS}-bit threshold that defines compression in P3.fitting_then_compression, so "
        "'compresses' means the same thing with and without noise",
        figure="fig-p3-saxe",
        test_differs="Saxe et al. used their own networks and step sizes; ours are the chapter's tanh ensemble with "
                     "plain gradient steps of control_lr (the same per-step rate for the plain-SGD run)."),
    ClaimSpec(
        "P3.sgd_compresses_too", "critique",
        f"{SAXE}: plain SGD (no Adam) compresses too; the compression of the binned tanh layers is not a "
        "property of the paper's optimiser",
        "the paper trains with Adam only and ties compression to the noise of its mini-batch gradients; Saxe "
        "et al. report compression of tanh networks under plain SGD and under batch gradient descent alike",
        f"plain SGD (mini-batches of batch_size, plain gradient steps of control_lr), deeper half of the layers, "
        f"per network: drop of the smoothed I(X;T) from its peak to the end mean; holds when the 95% interval "
        f"over networks is above {MIN_DROP_BITS} bits (30 bins, the paper's estimator)",
        f"the same verdict function and {MIN_DROP_BITS}-bit threshold as P3.gd_compresses_without_noise (and "
        "P3.fitting_then_compression), so the two controls differ only in the batch and 'compresses' means "
        "the same thing for both",
        figure="fig-p3-saxe",
        test_differs="Saxe et al. used their own networks and step sizes; ours are the chapter's tanh ensemble "
                     "with the per-step rate of the full-batch control, so SGD and GD differ only in the batch."),
    ClaimSpec(
        "P3.full_batch_small_share_compresses", "critique",
        f"{SAXE}, read on the paper's own runs: with fewer training patterns than a batch (5% and 3% of 4096 "
        "with batches of 512) every epoch is one full-batch Adam step, without mini-batch noise, and the "
        "layers still compress",
        "the paper shows compression at 5% (Fig. 3) and attributes it to SGD noise",
        f"every training share with at most batch_size patterns: per network drop of the smoothed I(X;T) of "
        f"the deeper layers; each share's 95% interval over networks above {MIN_DROP_BITS} bits",
        f"the {MIN_DROP_BITS}-bit compression threshold of the main test; no full-batch share at the preset: "
        "inconclusive",
        figure="fig-p3-saxe",
        test_differs="The optimiser here is Adam, whose step is deterministic given the full batch; it tests "
                     "'no gradient noise', not 'plain gradient descent'."),
    ClaimSpec(
        "P3.compression_tracks_saturation", "critique",
        f"{SAXE}: binned compression of tanh layers comes with saturation: the networks and layers that "
        "compress more are those whose units move more into the end bins",
        "not in the paper (compression as forgetting); Saxe et al.: saturation as the weights grow",
        "over the networks of the Adam, plain-SGD and full-batch GD runs pooled, for the deeper hidden layers: "
        "Spearman rho between the change of the share of saturated units (in the two end bins of 30 on [-1, 1]) "
        f"from the turn to the end and the I(X;T) drop; bootstrap 95% interval over networks > {SATURATION_RHO:g}",
        "'comes with' read as a positive rank association, the weakest form of the mechanism; saturated means "
        "in an end bin of the estimator's own grid, so the statistic is defined by the instrument and not tuned",
        figure="fig-p3-saxe",
        test_differs="Saxe et al. argue from the shape of tanh and from single runs; we correlate across networks. "
                     "The growth of the weight norms after the turn is reported beside it, not tested."),
]

#: Fig. 5 item 2: "shorter" compression than the predecessor layer: log10 ratio below 0
FASTER_LOG_RATIO = 0.0
#: eq. 11: epochs ~ exp(Delta I_X / D) with D unknown: any positive slope of ln(epochs) on Delta I_X
EQ11_SLOPE = 0.0
#: Fig. 7: "better compress ... with larger training samples": a positive rank association
MORE_DATA_RHO = 0.0
#: Fig. 4: log SNR "approach a constant for all the layers": the spread across layers shrinks (ratio < 1)
SNR_SPREAD_RATIO = 1.0
#: Fig. 4 / sec. 3.5: the weight norms "significantly increase": end / start of compression > 1
WEIGHT_GROWTH_RATIO = 1.0
#: bootstrap resamples of the new verdicts
N_BOOT = 2000

CLAIMS += [
    ClaimSpec(
        "P3.one_hidden_layer_does_not_finish", "paper",
        "With one hidden layer the network has not finished compressing by the end of training, while the "
        "deepest network has",
        "1 hidden layer: no good I(T;Y) after 10^4 epochs; 5-6 hidden layers reach their end points early "
        "(sec. 3.6, items 1-2, Fig. 5)",
        f"depth runs, deeper half of the layers, per network: the late drop (smoothed I(X;T) at half the run minus "
        f"the end mean, bits). One hidden layer: 95% interval over networks > {MIN_DROP_BITS} bits (still "
        f"compressing in the second half); deepest network: drop > {MIN_DROP_BITS} bits and late drop < "
        f"{MIN_DROP_BITS} bits (compressed and settled)",
        f"'finished' means the layers no longer move by more than the {MIN_DROP_BITS}-bit compression threshold of "
        "P3.fitting_then_compression over the second half of the run. A run shorter than 10^4 epochs in which the "
        "deepest network is still compressing cannot say whether it would settle: inconclusive",
        figure="fig-p3-5c",
        test_differs="The paper reads it off the colours of Fig. 5; we measure the late drop per network."),
    ClaimSpec(
        "P3.compression_faster_from_compressed_layer", "paper",
        "A layer compresses faster when the layer below it has already compressed",
        "the compression phase of each layer is shorter when it starts from a previous compressed layer "
        "(sec. 3.6, item 2)",
        f"depth runs with >= 2 hidden layers, per network: over consecutive layers (l-1, l) that both compress by "
        f"> {MIN_DROP_BITS} bits, the mean of log10(t_l / t_(l-1)), t = epochs from the layer's turn until its "
        f"smoothed I(X;T) has made {an.COMPRESSION_DONE:.0%} of its drop; mean over networks of all depth runs, "
        f"95% interval < {FASTER_LOG_RATIO:g}",
        "'shorter' with no number in the paper: the layer's compression time below its predecessor's (a log ratio "
        f"below 0); {an.COMPRESSION_DONE:.0%} of the drop times the compression without waiting for the noisy "
        "end of the tail",
        figure="fig-p3-5c",
        test_differs="The paper compares 4 with 5 and 6 hidden layers by the colour of the end points; we time "
                     "every compressing layer against the one below it."),
    ClaimSpec(
        "P3.more_data_more_compression", "paper",
        "With more training data the deeper layers compress the irrelevant input information more",
        "'for the deeper layers the network learns ... better compress the irrelevant information in X' with "
        "larger samples (sec. 3.9, Fig. 7)",
        f"main architecture at every Fig. 7 training share, deeper half of the layers, per network: drop of the "
        f"smoothed I(X;T) (bits); Spearman rho(share, drop) over the pooled networks, bootstrap 95% interval over "
        f"networks > {MORE_DATA_RHO:g}",
        "'better compress' with larger samples: an increasing relation, tested by its sign (rank correlation), "
        "as the paper gives no size",
        figure="fig-p3-5c",
        test_differs="The paper shows converged positions; we use the compression statistic of the other "
                     "claims (the drop from the peak)."),
    ClaimSpec(
        "P3.compression_epochs_grow_exponentially", "paper",
        "The number of epochs a layer needs to compress grows exponentially with how much it compresses, "
        "epochs ~ exp(Delta I_X / D)",
        "a compression Delta I_X by diffusion takes of order exp(Delta I_X / D) epochs (sec. 3.7, eq. 11)",
        f"depth runs, every layer that compresses by > {MIN_DROP_BITS} bits: least-squares slope of ln(epochs "
        f"to {an.COMPRESSION_DONE:.0%} of the drop) on Delta I_X (bits), pooled over layers and networks; "
        f"bootstrap 95% interval over networks > {EQ11_SLOPE:g} per bit",
        "the paper's relation has an unknown diffusion constant D > 0, so every positive slope 1/D is consistent "
        "with it and only the sign is tested; the slope in nats per bit is reported",
        figure="fig-p3-5c",
        test_differs="The paper argues eq. 11 from diffusion and does not measure it; an exponential law is "
                     "tested as a linear fit of log epochs, which a power law with a small exponent could "
                     "also pass."),
    ClaimSpec(
        "P3.log_snr_equalises_across_layers", "paper",
        "After the drift-to-diffusion transition the gradient log SNR becomes nearly the same in every layer",
        "'the gradients log(SNR) ... approach a constant for all the layers' (Fig. 4)",
        f"main run, per network with an SNR transition: standard deviation over layers of log10 SNR, mean over the "
        f"last snapshots over its mean before the transition; geometric mean over networks, 95% interval < "
        f"{SNR_SPREAD_RATIO:g}; more than half of the networks must have a transition",
        "'approach a constant for all the layers' read as the layers drawing together: the spread across layers "
        "shrinks from the drift phase to the end",
        figure="fig-p3-4",
        test_differs="The paper reads it off Fig. 4 by eye."),
    ClaimSpec(
        "P3.weight_norms_grow_in_compression", "paper",
        "The weight norms grow during the compression phase (no norm reduction)",
        "the L2 norms of the weights 'significantly increase during the optimization'; 'no ... norm reduction' "
        "(sec. 3.4-3.5, Fig. 4)",
        f"main run, per network: ||W_l|| at the end (mean of the last snapshots) over ||W_l|| at the start of the "
        f"compression phase (median turn of the deeper layers), geometric mean over layers; geometric mean over "
        f"networks, 95% interval > {WEIGHT_GROWTH_RATIO:g}",
        "the paper gives no number: growth (a ratio above 1) during the compression phase, the weakest reading of "
        "'increase' and of 'no norm reduction'",
        figure="fig-p3-saxe"),
    ClaimSpec(
        "P3.binning_exact_on_quantised_layers", "estimator",
        "On a layer read out on 4 levels (a finite set of states), the binned estimator with bins aligned to the "
        "levels gives the exact I(X;T) and I(T;Y)",
        "not in the paper; in the spirit of Lorenzen, Igel & Nielsen (2022), exact information of quantised networks",
        f"main run, every snapshot, layer and network: largest |binned (4 bins on [-1, 1]) - exact (enumerated "
        f"states)| over both coordinates < {EXACT_TOL_BITS:g} bits; the chapter's 30 bins on the same read-out and "
        "on the continuous layer are reported beside it",
        "float precision: both sides are float64 sums of at most 4096 terms of at most 12 bits, rounding at about "
        "1e-11 bits; a binning that merges two levels changes a state count and so H(T) by orders of magnitude more",
        figure="fig-p3-exact",
        test_differs="The network is trained unquantised (the main run); the 4-level read-out of each stored "
                     "snapshot is quantised afterwards, so no new training is needed. Lorenzen et al. train "
                     "quantised networks."),
]

CLAIM_IDS = [c.id for c in CLAIMS]


def scale(cfg, seed: int = 0) -> dict:
    """What a reader needs to weigh the results: data, patterns, networks, epochs, optimiser."""
    return {"data": "12-bit spherical rule of eq. (10), generated (exact p(x,y)), 4096 patterns",
            "M": 4096, "networks": cfg.n_networks, "epochs": cfg.epochs, "snapshots": cfg.n_snapshots,
            "optimizer": f"{cfg.optimizer} lr {cfg.lr:g}, batch {cfg.batch_size}",
            "train_fraction": cfg.main_fraction, "paper": "50 networks, 10^4 epochs", "seed": seed}


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def all_of(verdicts, value: float, uncertainty: Uncertainty, detail: str, **kw) -> Verdict:
    """One verdict from several conditions, given as ``[(name, Verdict), ...]``: does not hold if any
    fails, inconclusive if any is (the reasons named by condition), else holds."""
    statuses = [v.status for _, v in verdicts]
    if "does not hold" in statuses:
        return Verdict("does not hold", value, uncertainty, detail, **kw)
    if "inconclusive" in statuses:
        reason = "; ".join(f"{name}: {v.reason}" for name, v in verdicts if v.status == "inconclusive")
        return inconclusive(reason, value, uncertainty, detail, **kw)
    return Verdict("holds", value, uncertainty, detail, **kw)


def over_networks(values, what: str = "networks") -> tuple[float, Uncertainty]:
    """Mean of per-network values and its standard error over the networks (NaN entries ignored)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), Uncertainty("no network gave a value", se=float("nan"), n=0)
    return float(np.mean(v)), Uncertainty.from_samples(v, over=what) if v.size > 1 else \
        Uncertainty(f"one of the {what}", se=float("nan"), n=1)


def geometric(values, what: str = "networks") -> tuple[float, Uncertainty]:
    """Geometric mean of positive per-network values with the 95% interval 10^(mean log10 +/- 1.96 se)."""
    v = np.log10(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), Uncertainty("no network gave a value", se=float("nan"), n=0)
    m, se, n = (float(v[0]), float("nan"), 1) if v.size == 1 else mean_se(v)
    lo, hi = (10 ** (m - Z95 * se), 10 ** (m + Z95 * se)) if math.isfinite(se) else (float("nan"), float("nan"))
    return 10 ** m, Uncertainty(f"95% interval of the geometric mean over {n} {what} (normal on log10)",
                                lo=lo, hi=hi, level=0.95, n=n)


def _fmt(value, unc: Uncertainty) -> str:
    value = 0.0 if abs(value) < 1e-9 else value
    lo, hi = unc.interval(value)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{value:.3g} (no spread: {unc.method})"
    return f"{value:.3g} {unc.text(value)}"


def verdict_text(v: Verdict) -> str:
    """One line for the prose: status, value with its uncertainty, and the reason when inconclusive."""
    out = v.status
    if v.value is not None and v.uncertainty is not None:
        out += f" ({_fmt(v.value, v.uncertainty)})"
    if v.status == "inconclusive":
        out += f": {v.reason}"
    return out


# ---------------------------------------------------------------------------------------------
# verdicts
# ---------------------------------------------------------------------------------------------
def verdict_rule(I_XY: float, p_y1: float) -> Verdict:
    """P3.rule_information (sanity): the rule's exact I(X;Y) and p(y=1)."""
    ok = abs(I_XY - RULE_I_XY_BITS) < 1e-3 and abs(p_y1 - 0.5) < 0.05
    return exact_check(ok, I_XY, f"I(X;Y) = {I_XY:.4f} bits, p(y=1) = {p_y1:.3f} (exact over 4096 patterns)",
                       method="exact sum over all patterns")


def verdict_dpi(res: dict, measure: str = "bin30") -> Verdict:
    """P3.dpi_order_holds (estimator): mean over networks of the largest DPI violation (bits) < DPI_TOL_BITS."""
    v = an.dpi_violations(res, measure)
    value, unc = over_networks(v["worst_per_network_bits"])
    detail = (f"largest violation per network {_fmt(value, unc)} bits (worst {v['worst_bits']:.3g}); "
              f"{v['share']:.2%} of {v['n_pairs']:,} (snapshot, network, layer pair) comparisons increase with depth "
              f"(I_X: {v['share_X']:.2%}, I_Y: {v['share_Y']:.2%})")
    return compare(value, unc, DPI_TOL_BITS, "<", detail=detail, extra={"share": v["share"]})


def phase_statistics(res: dict, measure: str = "bin30") -> dict:
    """Per network (K,), averaged over the deeper layers: share at turn, drop, late drop (bits), turn epoch."""
    c = an.compression(res, measure)
    deep = an.deep_layers(c["drop_bits"].shape[0])
    return {"deep": deep, "share": an.deep_average(c["share_at_turn"], deep),
            "drop_bits": an.deep_average(c["drop_bits"], deep),
            "late_drop_bits": an.deep_average(c["late_drop_bits"], deep),
            "turn_epoch": np.median(c["turn_epoch"][deep], axis=0), "compression": c}


def verdict_two_phases(res: dict, measure: str = "bin30") -> Verdict:
    """P3.fitting_then_compression: share of the I_Y rise at the turn > FIT_SHARE and drop > MIN_DROP_BITS."""
    p = phase_statistics(res, measure)
    s, us = over_networks(p["share"])
    d, ud = over_networks(p["drop_bits"])
    layers = ", ".join(str(l + 1) for l in p["deep"])
    detail = (f"layers {layers}: {_fmt(s, us)} of the I(T;Y) rise made at the turn (median epoch "
              f"{np.median(p['turn_epoch']):.0f}), then I(X;T) falls by {_fmt(d, ud)} bits")
    return all_of([("share of the I(T;Y) rise at the turn", compare(s, us, FIT_SHARE, ">")),
                   ("I(X;T) drop (bits)", compare(d, ud, MIN_DROP_BITS, ">"))], d, ud, detail,
                  threshold_value=MIN_DROP_BITS, extra={"share_at_turn": s})


def verdict_phase_ratio(res: dict, measure: str = "bin30", paper_epochs: int = PAPER_EPOCHS) -> Verdict:
    """P3.compression_phase_longer: (last epoch - turn) / turn, geometric mean over networks, > MUCH_LONGER_RATIO."""
    p = phase_statistics(res, measure)
    E = float(np.asarray(res["epochs"])[-1])
    d, ud = over_networks(p["drop_bits"])
    compresses = compare(d, ud, MIN_DROP_BITS, ">")
    ratio = (E - p["turn_epoch"]) / np.maximum(p["turn_epoch"], 1.0)
    value, unc = geometric(np.maximum(ratio, 1e-3))
    detail = (f"turn at epoch {np.median(p['turn_epoch']):.0f} (median over networks), last epoch {E:.0f}: "
              f"compression lasts {_fmt(value, unc)} times the fitting phase (paper ~{PAPER_PHASE_RATIO:.0f})")
    if compresses.status != "holds":
        if compresses.status == "does not hold":
            return Verdict("does not hold", value, unc, detail + f"; but I(X;T) falls by only {_fmt(d, ud)} bits: "
                           "no compression phase", threshold_value=MUCH_LONGER_RATIO)
        return inconclusive(f"the compression itself is not established ({compresses.reason})", value, unc, detail,
                            threshold_value=MUCH_LONGER_RATIO)
    v = compare(value, unc, MUCH_LONGER_RATIO, ">", detail=detail)
    if v.status != "holds" and E < paper_epochs:
        late, ul = over_networks(p["late_drop_bits"])
        if compare(late, ul, 0.0, ">").status == "holds":
            return inconclusive(f"the run ends at epoch {E:.0f} < {paper_epochs:,} with the layers still compressing "
                                f"(I(X;T) falls by {late:.2f} bits in the second half): the ratio is a lower bound",
                                value, unc, detail, threshold_value=MUCH_LONGER_RATIO)
    return v


def verdict_snr_epoch(res: dict, n_boot: int = N_BOOT) -> Verdict:
    """P3.snr_transition_found: per-network transition epochs, networks without one censored at the last
    epoch; the median with a bootstrap interval over networks within TRANSITION_RANGE."""
    snr = an.snr_transition(res)
    per = snr["epoch_per_network"]
    E = float(np.asarray(res["epochs"])[-1])
    found = np.isfinite(per)
    cm = an.censored_median(per, E, n_boot=n_boot)
    value = cm["median"]
    unc = Uncertainty(f"bootstrap 95% interval of the median over {cm['n']} networks ({cm['n_censored']} censored at "
                      f"epoch {E:.0f})", lo=cm["lo"], hi=cm["hi"], level=0.95, n=cm["n"]) if cm["n"] > 1 else \
        Uncertainty("one network", se=float("nan"), n=1)
    gm = geometric(per[found])[0] if found.any() else float("nan")
    detail = (f"{found.sum()} of {len(per)} networks have a transition; "
              + (f"median epoch {_fmt(value, unc)} with the others censored at {E:.0f} (paper ~{PAPER_TRANSITION_EPOCH}; "
                 f"geometric mean of the found ones alone {gm:.0f})" if found.any() else "none found"))
    if found.sum() * 2 <= len(per):
        if E < TRANSITION_RANGE[1]:
            return inconclusive(f"the run ends at epoch {E:.0f}, before the end of the paper's range "
                                f"({TRANSITION_RANGE[1]:.0f}), and most networks show no transition yet",
                                value if found.any() else None, unc if found.any() else None, detail,
                                threshold_value=TRANSITION_RANGE)
        share, us = over_networks(found.astype(float))
        return Verdict("does not hold", share, us, detail + f" within {E:.0f} epochs", threshold_value=0.5)
    v = within(value, unc, *TRANSITION_RANGE, detail=detail)
    if v.status != "inconclusive" and cm["hi_censored"] and not cm["lo"] > TRANSITION_RANGE[1]:
        return inconclusive(f"the upper end of the interval ({cm['hi']:.0f}) is a censored network: the true upper end "
                            "may be later", value, unc, detail, threshold_value=TRANSITION_RANGE)
    return v


def verdict_transition_turn(res: dict, measure: str = "bin30") -> Verdict:
    """P3.transition_matches_plane_turn: per-network transition / turn, geometric mean within TURN_MATCH_RANGE."""
    snr = an.snr_transition(res)
    p = phase_statistics(res, measure)
    per = snr["epoch_per_network"]
    ok = np.isfinite(per)
    if ok.sum() < 2:
        return inconclusive(f"an SNR transition in {ok.sum()} network(s) only: nothing to compare with the turn",
                            detail=f"turn of the deeper layers at epoch {np.median(p['turn_epoch']):.0f} (median)")
    value, unc = geometric(per[ok] / np.maximum(p["turn_epoch"][ok], 1.0))
    detail = (f"transition / turn = {_fmt(value, unc)} over {ok.sum()} networks (transition median epoch "
              f"{np.median(per[ok]):.0f}, turn median epoch {np.median(p['turn_epoch'][ok]):.0f})")
    return within(value, unc, *TURN_MATCH_RANGE, detail=detail)


def verdict_depth(runs: dict, measure: str = "bin30", paper_epochs: int = PAPER_EPOCHS) -> Verdict:
    """P3.more_layers_fewer_epochs: epochs to generalise, 1 hidden layer / deepest, > MUCH_LONGER_RATIO."""
    g = an.epochs_to_generalise(runs, measure=measure)
    depths = sorted(g["per_network"])
    d1, dD = depths[0], depths[-1]
    (e1, h1), (eD, hD) = g["per_network"][d1], g["per_network"][dD]
    l1, lD = np.log10(np.maximum(e1, 1.0)), np.log10(np.maximum(eD, 1.0))
    m1, s1, _ = mean_se(l1) if len(l1) > 1 else (float(l1[0]), float("nan"), 1)
    mD, sD, _ = mean_se(lD) if len(lD) > 1 else (float(lD[0]), float("nan"), 1)
    m, se = m1 - mD, math.sqrt(s1 ** 2 + sD ** 2)
    value = 10 ** m
    unc = Uncertainty(f"95% interval of the ratio of geometric means over {len(e1)} + {len(eD)} networks "
                      "(normal on log10)", lo=10 ** (m - Z95 * se) if math.isfinite(se) else float("nan"),
                      hi=10 ** (m + Z95 * se) if math.isfinite(se) else float("nan"), level=0.95,
                      n=len(e1) + len(eD))
    E = float(np.asarray(runs[d1]["epochs"])[-1])
    detail = (f"epochs to reach {g['target']:.2f} bits at the output: " + ", ".join(
        f"{d}: {g['epochs'][d][0]:.0f}{'' if g['epochs'][d][1] else '+'}" for d in depths)
        + f" (ensemble means; + never reached); 1 / {dD} hidden layers = {_fmt(value, unc)} "
        f"({h1.sum()}/{len(h1)} and {hD.sum()}/{len(hD)} networks reached the target)")
    if hD.sum() * 2 <= len(hD):
        return inconclusive(f"most {dD}-layer networks do not reach the target within {E:.0f} epochs", value, unc,
                            detail, threshold_value=MUCH_LONGER_RATIO)
    v = compare(value, unc, MUCH_LONGER_RATIO, ">", detail=detail)
    if v.status != "holds" and (~h1).any() and E < paper_epochs:
        return inconclusive(f"{(~h1).sum()} of {len(h1)} one-layer networks do not reach the target within "
                            f"{E:.0f} < {paper_epochs:,} epochs: the ratio is a lower bound", value, unc, detail,
                            threshold_value=MUCH_LONGER_RATIO)
    return v


def verdict_deep_first(res: dict, measure: str = "bin30", min_layers: int = 3) -> Verdict:
    """P3.deep_layers_compress_first: per network rho(layer, turn epoch) over compressing layers, mean < 0."""
    c = an.compression(res, measure)
    L, K = c["drop_bits"].shape
    rhos = []
    for k in range(K):
        comp = [l for l in range(L) if c["drop_bits"][l, k] > MIN_DROP_BITS]
        if len(comp) >= min_layers:
            rhos.append(an.spearman(comp, c["turn_epoch"][comp, k]))
    rhos = np.array([r for r in rhos if np.isfinite(r)])
    if len(rhos) < 2:
        return inconclusive(f"only {len(rhos)} network(s) with >= {min_layers} layers compressing by "
                            f"> {MIN_DROP_BITS} bits", detail=f"{K} networks, {L} layers")
    value, unc = over_networks(rhos)
    detail = (f"Spearman rho(layer, turn epoch) = {_fmt(value, unc)} over {len(rhos)} networks (median turn epoch by "
              "layer: " + ", ".join(f"{l + 1}: {np.median(c['turn_epoch'][l]):.0f}" for l in range(L)) + ")")
    return compare(value, unc, 0.0, "<", detail=detail)


def verdict_near_bound(ib: dict) -> Verdict:
    """P3.layers_near_ib_bound: horizontal gap < NEAR_BOUND_H_BITS and eq. 12 |log10(beta* slope)| < log10(2).

    ``ib``: :func:`analysis.ib_analysis` (``hgap``, ``gap``, ``slope``, ``beta_star`` (L, K), bits)."""
    h = np.asarray(ib["hgap"], float)  # (L, K)
    ok = np.isfinite(h)
    hv, hu = over_networks(np.array([h[ok[:, k], k].mean() if ok[:, k].any() else np.nan for k in range(h.shape[1])]))
    gap = np.asarray(ib["gap"], float)
    b, sl = np.asarray(ib["beta_star"], float), np.asarray(ib["slope"], float)
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = np.abs(np.log10(b * sl))  # 0 when beta* = 1/slope
    fit = np.isfinite(dev)
    per = np.array([dev[fit[:, k], k].mean() for k in range(dev.shape[1]) if fit[:, k].any()])
    layer_h = np.nanmean(np.where(ok, h, np.nan), axis=1)
    detail = (f"horizontal gap {_fmt(hv, hu)} bits (by layer: " + ", ".join(f"{x:.2f}" for x in layer_h)
              + f"); vertical gap {gap.mean():.3f} bits")
    parts = [("horizontal gap (bits)", compare(hv, hu, NEAR_BOUND_H_BITS, "<"))]
    if len(per):
        dv, du = over_networks(per)
        detail += (f"; eq. 12: |log10(beta* x slope)| = {_fmt(dv, du)} over {fit.sum()} fitted layers of "
                   f"{len(per)} networks")
        parts.append(("eq. 12 beta* vs 1/slope", compare(dv, du, math.log10(BETA_SLOPE_FACTOR), "<")))
    else:
        parts.append(("eq. 12 beta* vs 1/slope", inconclusive("no layer with a beta* fit (too many binned states)")))
    return all_of(parts, hv, hu, detail, threshold_value=NEAR_BOUND_H_BITS,
                  extra={"vertical_gap_bits": float(gap.mean())})


def verdict_beta_star(ib: dict) -> Verdict:
    """P3.beta_star_decreases_with_depth: per network rho(layer, beta*) over fitted layers, mean < 0."""
    b = np.asarray(ib["beta_star"], float)  # (L, K)
    rhos = []
    for k in range(b.shape[1]):
        ok = np.nonzero(np.isfinite(b[:, k]))[0]
        if len(ok) >= 2:
            rhos.append(an.spearman(ok, b[ok, k]))
    rhos = np.array([r for r in rhos if np.isfinite(r)])
    if len(rhos) < 2:
        return inconclusive(f"beta* fitted for >= 2 layers in {len(rhos)} network(s) only (layers with more binned "
                            "states than ib_max_states are not fitted)", detail="")
    value, unc = over_networks(rhos)
    med = np.nanmedian(np.where(np.isfinite(b), b, np.nan), axis=1) if np.isfinite(b).any() else []
    detail = (f"Spearman rho(layer, beta*) = {_fmt(value, unc)} over {len(rhos)} networks; median beta* by layer: "
              + ", ".join(f"{l + 1}: {x:.3g}" for l, x in enumerate(med) if np.isfinite(x)))
    return compare(value, unc, 0.0, "<", detail=detail)


def verdict_small_sample(small: dict, large: dict, f_small: float, f_large: float, measure: str = "bin30") -> Verdict:
    """P3.small_sample_loses_label_information: I_Y loss (bits) at the small share > SMALL_SAMPLE_LOSS_BITS and > large."""
    cs, cl = an.compression(small, measure), an.compression(large, measure)
    ls = an.deep_average(cs["I_Y_loss_bits"], an.deep_layers(cs["I_Y_loss_bits"].shape[0]))
    ll = an.deep_average(cl["I_Y_loss_bits"], an.deep_layers(cl["I_Y_loss_bits"].shape[0]))
    vs, us = over_networks(ls)
    vl, ul = over_networks(ll)
    diff_se = math.sqrt(float(us.se) ** 2 + float(ul.se) ** 2)
    ud = Uncertainty("standard error of a difference of two ensemble means", se=diff_se)
    detail = (f"deeper layers lose {_fmt(vs, us)} bits of I(T;Y) from its peak with {f_small:.0%} of the patterns, "
              f"{_fmt(vl, ul)} bits with {f_large:.0%}")
    return all_of([("loss at the small share (bits)", compare(vs, us, SMALL_SAMPLE_LOSS_BITS, ">")),
                   ("small minus large loss (bits)", compare(vs - vl, ud, 0.0, ">"))], vs, us, detail,
                  threshold_value=SMALL_SAMPLE_LOSS_BITS, extra={"loss_large_bits": vl})


def verdict_committee(res: dict, measure: str = "bin30") -> Verdict:
    """P3.committee_machine_same_phases: the two-phase test and an SNR transition in > half the networks."""
    phases = verdict_two_phases(res, measure)
    per = an.snr_transition(res)["epoch_per_network"]
    share, us = over_networks(np.isfinite(per).astype(float))
    if np.all(np.isfinite(per)) or not np.isfinite(per).any():
        us = Uncertainty(f"every one of {len(per)} networks agrees", se=0.0, n=len(per))
    trans = compare(share, us, 0.5, ">")
    return all_of([("two phases", phases), ("share of networks with an SNR transition", trans)],
                  phases.value, phases.uncertainty,
                  phases.detail + f"; SNR transition in {np.isfinite(per).sum()} of {len(per)} networks",
                  threshold_value=MIN_DROP_BITS, extra={"transition_share": share})


def verdict_relu_kde(res: dict) -> Verdict:
    """P3.relu_does_not_compress (critique, holds = no compression): KDE drop of deep hidden layers < MIN_DROP_BITS."""
    c = an.compression(res, "kde")
    L = c["drop_bits"].shape[0]
    hidden_deep = [l for l in an.deep_layers(L) if l < L - 1]
    drops = an.deep_average(c["drop_bits"], hidden_deep)
    value, unc = over_networks(drops)
    detail = (f"ReLU hidden layers {', '.join(str(l + 1) for l in hidden_deep)}: the smoothed KDE I(X;T) falls by "
              f"{_fmt(value, unc)} bits from its peak (by layer: "
              + ", ".join(f"{c['drop_bits'][l].mean():.2f}" for l in hidden_deep) + ")")
    return compare(value, unc, MIN_DROP_BITS, "<", detail=detail)


def verdict_binning(res: dict, bins=(10, 30, 100), n_boot: int = 2000) -> Verdict:
    """P3.compression_depends_on_binning (critique): largest / smallest mean drop over bin counts > BINNING_FACTOR."""
    drops = []
    for n in bins:
        c = an.compression(res, f"bin{n}")
        drops.append(an.deep_average(c["drop_bits"], an.deep_layers(c["drop_bits"].shape[0])))
    drops = np.stack(drops, axis=1)  # (K, n_bins)

    def ratio(a):
        m = a.mean(axis=0)
        return float(m.max() / max(m.min(), BINNING_FLOOR_BITS))

    means = drops.mean(axis=0)
    detail = ("mean drop of the deeper layers: " + ", ".join(f"{n} bins {d:.2f} bits" for n, d in zip(bins, means)))
    if len(drops) < 2:
        return inconclusive("one network: no interval over networks", ratio(drops), Uncertainty("one network",
                            se=float("nan"), n=1), detail, threshold_value=BINNING_FACTOR)
    est, lo, hi = bootstrap_interval(drops, ratio, n_boot=n_boot, rng=0)
    unc = Uncertainty(f"bootstrap 95% interval over {len(drops)} networks", lo=lo, hi=hi, level=0.95, n=len(drops))
    detail += f" (largest / smallest {est:.2f})"
    j = int(np.argmax(means))
    best, ub = over_networks(drops[:, j])
    some = compare(best, ub, MIN_DROP_BITS, ">")
    if some.status == "does not hold":
        return inconclusive(f"no bin count shows compression > {MIN_DROP_BITS} bits: nothing for the binning to change",
                            est, unc, detail, threshold_value=BINNING_FACTOR)
    return all_of([("largest drop (bits)", some), ("largest / smallest drop", compare(est, unc, BINNING_FACTOR, ">"))],
                  est, unc, detail, threshold_value=BINNING_FACTOR)


def exact_gaps(res: dict, exact: str = "q4exact", measures=("q4bin4", "q4bin30", "q4bin3", "bin30")) -> dict:
    """measure -> {"I_X", "I_Y"}: (S, L, K) differences binned - exact (bits) for each measure present in ``res``."""
    out = {}
    for m in measures:
        if m in res["I_X"]:
            out[m] = {c: np.asarray(res[c][m], float) - np.asarray(res[c][exact], float) for c in ("I_X", "I_Y")}
    return out


def verdict_exact_binning(res: dict, measure: str = "q4bin4", exact: str = "q4exact",
                          tol: float = EXACT_TOL_BITS) -> Verdict:
    """P3.binning_exact_on_quantised_layers (estimator): max |res[measure] - res[exact]| over snapshots, layers,
    networks and both coordinates < ``tol`` bits (exact check: no sampling, the values are enumerations)."""
    gaps = exact_gaps(res, exact, tuple(dict.fromkeys((measure, "q4bin30", "q4bin3", "bin30"))))
    g = gaps[measure]
    both = np.concatenate([np.ravel(g["I_X"]), np.ravel(g["I_Y"])])
    both = both[np.isfinite(both)]
    if both.size == 0:
        return inconclusive("no measured layer", None, None, threshold_value=tol)
    value = float(np.max(np.abs(both)))
    parts = [f"{measure}: largest |binned - exact| {value:.1e} bits"]
    for m, name in (("q4bin30", "30 bins on the 4-level read-out"), ("q4bin3", "3 bins (misaligned)"),
                    ("bin30", "30 bins on the continuous layer")):
        if m in gaps and m != measure:
            dx, dy = gaps[m]["I_X"][-1], gaps[m]["I_Y"][-1]  # final snapshot, (L, K)
            parts.append(f"{name}: final I_X - exact {np.nanmean(dx):+.3g} bits (mean over layers and networks; "
                         f"largest |.| {np.nanmax(np.abs(dx)):.3g}), I_Y - exact {np.nanmean(dy):+.3g} bits")
    return exact_check(value < tol, value, "; ".join(parts),
                       method="exact enumeration of the quantised states of all 4096 patterns", threshold_value=tol)


def verdict_compresses(res: dict, measure: str = "bin30") -> Verdict:
    """P3.gd_compresses_without_noise and P3.sgd_compresses_too (critiques, holds = the control compresses):
    drop of the deeper layers' I(X;T) > MIN_DROP_BITS."""
    p = phase_statistics(res, measure)
    d, ud = over_networks(p["drop_bits"])
    detail = (f"layers {', '.join(str(l + 1) for l in p['deep'])}: I(X;T) falls by {_fmt(d, ud)} bits after the "
              f"turn (median epoch {np.median(p['turn_epoch']):.0f}) over {len(p['drop_bits'])} networks")
    return compare(d, ud, MIN_DROP_BITS, ">", detail=detail)


def verdict_full_batch_shares(fractions: dict, batch_size: int, n_patterns: int = 4096,
                              measure: str = "bin30") -> Verdict:
    """P3.full_batch_small_share_compresses (critique): every share with <= batch_size patterns compresses."""
    full = sorted(f for f in fractions if max(1, int(round(f * n_patterns))) <= batch_size)
    if not full:
        return inconclusive(f"no training share at this preset has at most {batch_size} patterns (one batch)")
    parts, texts = [], []
    for f in full:
        v = verdict_compresses(fractions[f], measure)
        parts.append((f"{f:.0%} of the patterns", v))
        texts.append(f"{f:.0%} ({int(round(f * n_patterns))} patterns): {_fmt(v.value, v.uncertainty)} bits")
    worst = min(parts, key=lambda nv: nv[1].value)[1]
    return all_of(parts, worst.value, worst.uncertainty, "full-batch shares, I(X;T) drop of the deeper layers: "
                  + "; ".join(texts), threshold_value=MIN_DROP_BITS)


def verdict_saturation(runs: dict, measure: str = "bin30", n_boot: int = 2000) -> Verdict:
    """P3.compression_tracks_saturation (critique): Spearman rho(saturation change, drop) over pooled networks > 0.

    ``runs``: name -> run with ``values["sat30"]`` and ``weight_norm`` (e.g. Adam, SGD, GD).
    """
    rows = []
    for name, r in runs.items():
        sc = an.saturation_change(r, measure)
        L = sc["drop_bits"].shape[0] + 1
        deep = [l for l in an.deep_layers(L) if l < L - 1]
        for k in range(sc["drop_bits"].shape[1]):
            rows.append((an.deep_average(sc["sat_change"], deep)[k], an.deep_average(sc["drop_bits"], deep)[k],
                         float(np.exp(np.mean(np.log(sc["norm_ratio"][deep, k]))))))
    a = np.array(rows)
    if len(a) < 4:
        return inconclusive(f"{len(a)} networks: too few for a rank correlation")
    rho = an.spearman(a[:, 0], a[:, 1])
    rho_w = an.spearman(np.log(a[:, 2]), a[:, 1])
    detail = (f"rho(saturation change, I(X;T) drop) = {rho:.2f} over {len(a)} networks of "
              f"{', '.join(runs)}; mean change of the saturated share {a[:, 0].mean():+.3f}, mean drop "
              f"{a[:, 1].mean():.2f} bits; weight norms grow {np.exp(np.log(a[:, 2]).mean()):.2f}x after the turn "
              f"(rho with the drop {rho_w:.2f})")
    if not np.isfinite(rho):
        return inconclusive("the rank correlation is undefined (constant saturation or drop)", detail=detail)

    def stat(x):
        r = an.spearman(x[:, 0], x[:, 1])
        return r if np.isfinite(r) else 0.0
    est, lo, hi = bootstrap_interval(a[:, :2], stat, n_boot=n_boot, rng=0)
    unc = Uncertainty(f"bootstrap 95% interval over {len(a)} networks", lo=lo, hi=hi, level=0.95, n=len(a))
    return compare(rho, unc, SATURATION_RHO, ">", detail=detail, extra={"rho_weight_norm": rho_w})


def _late_drop(res: dict, measure: str) -> tuple:
    p = phase_statistics(res, measure)
    return over_networks(p["late_drop_bits"]), over_networks(p["drop_bits"])


def verdict_one_layer_unfinished(runs: dict, measure: str = "bin30", paper_epochs: int = PAPER_EPOCHS) -> Verdict:
    """P3.one_hidden_layer_does_not_finish: late drop (bits) of 1 hidden layer > MIN_DROP_BITS; the deepest
    network compressed (drop > MIN_DROP_BITS) and settled (late drop < MIN_DROP_BITS).

    ``runs``: number of hidden layers -> run (:func:`.run.run_depth`)."""
    depths = sorted(runs)
    d1, dD = depths[0], depths[-1]
    (l1, u1), _ = _late_drop(runs[d1], measure)
    (lD, uD), (dropD, udD) = _late_drop(runs[dD], measure)
    E = float(np.asarray(runs[dD]["epochs"])[-1])
    lates = {d: _late_drop(runs[d], measure)[0][0] for d in depths}
    detail = ("late drop (half-run minus end, deeper layers): " + ", ".join(f"{d}: {x:.2f}" for d, x in lates.items())
              + f" bits; 1 hidden layer {_fmt(l1, u1)}, {dD} hidden layers {_fmt(lD, uD)} bits after a drop of "
              f"{_fmt(dropD, udD)} bits")
    deep = all_of([("deepest network compresses (bits)", compare(dropD, udD, MIN_DROP_BITS, ">")),
                   ("deepest network settled: late drop (bits)", compare(lD, uD, MIN_DROP_BITS, "<"))],
                  lD, uD, "")
    if deep.status != "holds" and E < paper_epochs:
        deep = inconclusive(f"the {dD}-layer networks have not settled by epoch {E:.0f} < {paper_epochs:,} "
                            f"({deep.reason or 'late drop or drop on the wrong side'})")
    return all_of([("one hidden layer still compressing: late drop (bits)", compare(l1, u1, MIN_DROP_BITS, ">")),
                   ("deepest network", deep)], l1, u1, detail, threshold_value=MIN_DROP_BITS,
                  extra={"late_drop_deepest_bits": lD})


def verdict_faster_from_compressed(runs: dict, measure: str = "bin30") -> Verdict:
    """P3.compression_faster_from_compressed_layer: mean over networks of log10(t_l / t_(l-1)) < 0.

    ``runs``: number of hidden layers -> run; networks of all runs with >= 2 hidden layers pooled."""
    per, pairs = [], 0
    for d, r in sorted(runs.items()):
        if d < 2:
            continue
        t = an.compression_epochs(r, measure, MIN_DROP_BITS)["epochs"]  # (L, K)
        for k in range(t.shape[1]):
            lr = [math.log10(t[l, k] / t[l - 1, k]) for l in range(1, t.shape[0])
                  if np.isfinite(t[l, k]) and np.isfinite(t[l - 1, k])]
            if lr:
                per.append(float(np.mean(lr)))
                pairs += len(lr)
    if len(per) < 2:
        return inconclusive(f"{len(per)} network(s) with two consecutive compressing layers")
    value, unc = over_networks(per)
    detail = (f"log10(compression time / predecessor's) = {_fmt(value, unc)} over {len(per)} networks "
              f"({pairs} layer pairs); a layer takes {10 ** value:.2g} times its predecessor's time")
    return compare(value, unc, FASTER_LOG_RATIO, "<", detail=detail)


def verdict_more_data(fractions: dict, measure: str = "bin30", n_boot: int = N_BOOT) -> Verdict:
    """P3.more_data_more_compression: Spearman rho(training share, drop of the deeper layers) over networks > 0.

    ``fractions``: training share -> run (the Fig. 7 shares)."""
    rows, texts = [], []
    for f in sorted(fractions):
        d = phase_statistics(fractions[f], measure)["drop_bits"]
        rows += [(f, x) for x in d]
        m, u = over_networks(d)
        texts.append(f"{f:.0%}: {_fmt(m, u)}")
    a = np.array(rows)
    detail = "drop of the deeper layers (bits) by training share: " + "; ".join(texts)
    if len(fractions) < 2 or len(a) < 4:
        return inconclusive("fewer than two training shares or four networks", detail=detail)
    rho = an.spearman(a[:, 0], a[:, 1])
    if not np.isfinite(rho):
        return inconclusive("the rank correlation is undefined (constant drop)", detail=detail)

    def stat(x):
        r = an.spearman(x[:, 0], x[:, 1])
        return r if np.isfinite(r) else 0.0
    _, lo, hi = bootstrap_interval(a, stat, n_boot=n_boot, rng=0)
    unc = Uncertainty(f"bootstrap 95% interval over {len(a)} networks", lo=lo, hi=hi, level=0.95, n=len(a))
    return compare(rho, unc, MORE_DATA_RHO, ">", detail=f"rho(share, drop) = {rho:.2f}; " + detail)


def eq11_points(runs: dict, measure: str = "bin30") -> dict:
    """Every compressing layer of ``runs`` (depth -> run): ``drop_bits`` (Delta I_X), ``epochs`` (to
    COMPRESSION_DONE of the drop) and ``network`` (an id per (run, network)), 1-D arrays."""
    x, y, g = [], [], []
    for i, (d, r) in enumerate(sorted(runs.items())):
        ce = an.compression_epochs(r, measure, MIN_DROP_BITS)
        L, K = ce["epochs"].shape
        for k in range(K):
            for l in range(L):
                if np.isfinite(ce["epochs"][l, k]):
                    x.append(ce["drop_bits"][l, k]); y.append(ce["epochs"][l, k]); g.append(i * 10_000 + k)
    return {"drop_bits": np.array(x, float), "epochs": np.array(y, float), "network": np.array(g)}


def _slope(x, y) -> float:
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 2 or np.ptp(x) == 0:
        return float("nan")
    xc = x - x.mean()
    return float((xc * (y - y.mean())).sum() / (xc ** 2).sum())


def verdict_eq11(runs: dict, measure: str = "bin30", n_boot: int = N_BOOT) -> Verdict:
    """P3.compression_epochs_grow_exponentially: slope of ln(epochs) on Delta I_X (bits) > 0, bootstrap over networks."""
    pts = eq11_points(runs, measure)
    nets = np.unique(pts["network"])
    if len(nets) < 3 or len(pts["drop_bits"]) < 5:
        return inconclusive(f"{len(pts['drop_bits'])} compressing layers in {len(nets)} networks: too few for a fit")
    lny = np.log(pts["epochs"])
    b = _slope(pts["drop_bits"], lny)
    if not np.isfinite(b):
        return inconclusive("every compressing layer drops by the same amount: no slope")
    rng = np.random.default_rng(0)
    groups = [np.nonzero(pts["network"] == n)[0] for n in nets]
    boots = []
    for _ in range(n_boot):
        idx = np.concatenate([groups[j] for j in rng.integers(0, len(groups), len(groups))])
        s_ = _slope(pts["drop_bits"][idx], lny[idx])
        if np.isfinite(s_):
            boots.append(s_)
    lo, hi = np.quantile(boots, [0.025, 0.975])
    unc = Uncertainty(f"bootstrap 95% interval over {len(nets)} networks ({len(lny)} layers)", lo=float(lo),
                      hi=float(hi), level=0.95, n=len(nets))
    detail = (f"ln(epochs to compress) = a + {_fmt(b, unc)} x Delta I_X (bits) over {len(lny)} compressing layers "
              f"(Delta I_X from {pts['drop_bits'].min():.2f} to {pts['drop_bits'].max():.2f} bits; epochs from "
              f"{pts['epochs'].min():.0f} to {pts['epochs'].max():.0f}); D = 1/slope = "
              + (f"{1 / b:.2g} bits" if b > 0 else "undefined (slope <= 0)"))
    return compare(b, unc, EQ11_SLOPE, ">", detail=detail)


def verdict_snr_equalises(res: dict) -> Verdict:
    """P3.log_snr_equalises_across_layers: spread of log10 SNR over layers, end / drift, geometric mean < 1."""
    sp = an.log_snr_spread(res)
    found = np.isfinite(sp["transition"])
    ok = np.isfinite(sp["ratio"]) & (sp["ratio"] > 0)
    if found.sum() * 2 <= len(found):
        return inconclusive(f"an SNR transition in {found.sum()} of {len(found)} networks only: no diffusion phase "
                            "to read the spread in")
    if ok.sum() < 2:
        return inconclusive(f"{ok.sum()} network(s) with snapshots before and after the transition")
    value, unc = geometric(sp["ratio"][ok])
    detail = (f"spread of log10 SNR across layers {np.nanmean(sp['drift'][ok]):.2f} decades before the transition, "
              f"{np.nanmean(sp['end'][ok]):.2f} at the end: ratio {_fmt(value, unc)} over {ok.sum()} networks")
    return compare(value, unc, SNR_SPREAD_RATIO, "<", detail=detail)


def verdict_weight_growth(res: dict, measure: str = "bin30") -> Verdict:
    """P3.weight_norms_grow_in_compression: ||W|| end / start of compression, geometric mean over networks > 1."""
    g = an.norm_growth(res, measure)
    r = np.exp(np.mean(np.log(np.maximum(g["ratio"], 1e-12)), axis=0))  # (K,)
    value, unc = geometric(r)
    by_layer = np.exp(np.mean(np.log(np.maximum(g["ratio"], 1e-12)), axis=1))
    detail = (f"weight norms grow {_fmt(value, unc)}x from epoch {np.median(g['start_epoch']):.0f} (median start of "
              "compression) to the end (by layer: " + ", ".join(f"{x:.2f}" for x in by_layer) + ")")
    return compare(value, unc, WEIGHT_GROWTH_RATIO, ">", detail=detail)


def evaluate_main(main: dict, measure: str = "bin30") -> dict:
    """Verdicts decided on the main run alone (Figs. 2-4)."""
    return {"P3.dpi_order_holds": verdict_dpi(main, measure),
            "P3.fitting_then_compression": verdict_two_phases(main, measure),
            "P3.compression_phase_longer": verdict_phase_ratio(main, measure),
            "P3.snr_transition_found": verdict_snr_epoch(main),
            "P3.transition_matches_plane_turn": verdict_transition_turn(main, measure),
            "P3.deep_layers_compress_first": verdict_deep_first(main, measure),
            "P3.log_snr_equalises_across_layers": verdict_snr_equalises(main),
            "P3.weight_norms_grow_in_compression": verdict_weight_growth(main, measure)}


def evaluate_depth(depth: dict, measure: str = "bin30") -> dict:
    """Verdicts decided on the depth runs (Fig. 5, eq. 11): number of hidden layers -> run."""
    return {"P3.more_layers_fewer_epochs": verdict_depth(depth, measure),
            "P3.one_hidden_layer_does_not_finish": verdict_one_layer_unfinished(depth, measure),
            "P3.compression_faster_from_compressed_layer": verdict_faster_from_compressed(depth, measure),
            "P3.compression_epochs_grow_exponentially": verdict_eq11(depth, measure)}
