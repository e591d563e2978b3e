"""Information-theoretic estimators shared by all chapters (bits unless ``base`` says otherwise).

Resolution and relevance (Song, Marsili & Jo 2018; Lee & Jo 2022):
    state_counts, degeneracy, resolution (H[s]), relevance (H[k])
Mutual information:
    entropy, mutual_information (from samples), mutual_information_table (exact, of a joint table)
Information plane (Shwartz-Ziv & Tishby 2017 sec. 3.2; Saxe et al. 2018):
    binned_information_plane, discrete_information_plane, kde_information_plane
Power laws m_k ~ k^(-beta-1) (Clauset, Shalizi & Newman 2009):
    power_law_verdict -> PowerLawVerdict (the one decision rule), bound_slope_beta (the papers' slope estimate),
    powerlaw_beta -> PowerLawFit, powerlaw_compare (display)
Maximal relevance at given resolution (Song et al. 2018 Fig. 2a):
    max_relevance_curve, TOLERANCE_BITS, relevance_gap (H_k^max(H_s) - H_k)
Information bottleneck (Shwartz-Ziv & Tishby 2017 eqs. 9, 12):
    information_bottleneck_curve -> IBCurve, ib_optimal_beta, ib_encoder; a layer against the bound:
    encoder_information, layer_beta_star (eq. 12), ib_self_consistency_residual (eq. 9),
    ib_horizontal_gap, ib_curve_slope (1/beta), ib_broken_line_distance
Labels (Song et al. 2018 eq. 9, Fig. 2d):
    generation_ability, hidden_state_error, label_distribution
"""
from .counting import (degeneracy, entropy, mutual_information, mutual_information_table, relevance,  # noqa: F401
                       resolution, state_counts, state_ids)
from .information_plane import (binned_information_plane, discrete_information_plane,  # noqa: F401
                                kde_information_plane)
from .powerlaw import (PowerLawFit, PowerLawVerdict, bound_slope_beta, power_law_verdict,  # noqa: F401
                       powerlaw_beta, powerlaw_compare)
from .relevance_bound import TOLERANCE_BITS, max_relevance_curve, relevance_gap  # noqa: F401
from .bottleneck import IBCurve, ib_encoder, ib_optimal_beta, information_bottleneck_curve  # noqa: F401
from .bottleneck import (encoder_information, ib_broken_line_distance, ib_curve_slope,  # noqa: F401
                         ib_horizontal_gap, ib_self_consistency_residual, layer_beta_star)
from .labels import generation_ability, hidden_state_error, label_distribution  # noqa: F401

__all__ = ["state_ids", "state_counts", "degeneracy", "resolution", "relevance", "entropy", "mutual_information",
           "mutual_information_table", "relevance_gap",
           "binned_information_plane", "discrete_information_plane", "kde_information_plane",
           "PowerLawFit", "powerlaw_beta", "powerlaw_compare", "PowerLawVerdict", "power_law_verdict",
           "bound_slope_beta", "max_relevance_curve", "TOLERANCE_BITS",
           "IBCurve", "information_bottleneck_curve", "ib_optimal_beta", "ib_encoder",
           "encoder_information", "layer_beta_star", "ib_self_consistency_residual", "ib_horizontal_gap",
           "ib_curve_slope", "ib_broken_line_distance",
           "generation_ability", "hidden_state_error", "label_distribution"]
