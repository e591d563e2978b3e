"""Synthesis: resolution and relevance meet the information plane (the book's own chapter).

``run``: configs (:class:`Config`, :data:`PRESETS`) and the cached runners, results in bits (the ensemble is
the information-plane chapter's main training, reused through its public runner and measured here);
``claims``: the declared claims and their pure verdict functions; ``figures``: one function per figure.
"""
from .run import (LAYER_NAMES, PRESETS, RESULT_VERSION, ChainRun, Config, DistillerRun, EnsembleRun,  # noqa: F401
                  compression_table, ib_comparison, power_law_at, run_chain, run_distiller, run_ensemble,
                  three_families, training_config, training_key, turn_and_end, units)

__all__ = ["PRESETS", "Config", "EnsembleRun", "ChainRun", "LAYER_NAMES", "RESULT_VERSION", "run_ensemble",
           "DistillerRun", "run_chain", "run_distiller", "turn_and_end", "compression_table", "ib_comparison", "three_families",
           "power_law_at", "training_config", "training_key", "units"]
