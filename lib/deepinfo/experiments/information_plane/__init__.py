"""Chapter 3: Shwartz-Ziv & Tishby (2017), the information plane and the two phases of SGD.

* :mod:`.run`      ``Config``, ``PRESETS``, the cached runners (I_X, I_Y in bits) and ``units``
* :mod:`.analysis` per-network statistics (smoothed compression, SNR transition, DPI, IB curve)
* :mod:`.claims`   the declared claims (``CLAIMS``), ``scale`` and the ``verdict_*`` functions
* :mod:`.figures`  one function per figure of the paper

The chapter page is ``book/information_plane.md``; the runner imports this package and reads
``PRESETS`` to check ``--set``/``-p overrides`` keys against ``Config``'s fields.
"""
from . import analysis, claims, figures, run
from .analysis import deep_layers, ib_analysis, mean_plane, snr_transition
from .run import (PRESETS, RESULT_UNITS, Config, all_specs, ensemble_config, make_measures, rule_for,
                  run_committee, run_controls, run_depth, run_ensemble, run_fractions, run_main, run_relu,
                  run_soft, run_spec, run_training, saturated_share, units)

__all__ = ["PRESETS", "Config", "RESULT_UNITS", "analysis", "claims", "figures", "run", "rule_for",
           "make_measures", "run_ensemble", "ensemble_config", "run_main", "run_fractions", "run_depth",
           "run_committee", "run_relu", "run_controls", "run_soft", "run_training", "run_spec", "all_specs", "units",
           "saturated_share", "ib_analysis", "mean_plane", "snr_transition", "deep_layers"]
