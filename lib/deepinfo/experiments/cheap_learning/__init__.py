"""Chapter package of ``book/cheap_learning.md`` (Lin & Tegmark 2016, "Why does deep and cheap learning
work so well?"): :mod:`.run` (configs, presets, runners), :mod:`.claims` (declared claims and the
functions that decide them), :mod:`.figures` (one function per figure)."""
from . import claims, figures, run  # noqa: F401
from .run import (PRESETS, Config, RGConfig, ShallowDeepConfig, run_bayes, run_bit_product,  # noqa: F401
                  run_bits_function, run_chain, run_counterexample, run_counting, run_flattening, run_gate_sweep,
                  run_product_tree, run_rg, run_shallow_deep, run_shallow_deep_n, shallow_deep_table, units)
from .run import run_cliques, run_max_entropy, run_rg_critical, run_shallow_product, run_strassen  # noqa: F401
from ...cheap.hierarchy import ChainConfig  # noqa: F401

__all__ = ["PRESETS", "Config", "ChainConfig", "RGConfig", "ShallowDeepConfig", "claims", "figures", "run", "units"]
