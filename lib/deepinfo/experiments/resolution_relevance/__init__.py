"""Song, Marsili & Jo 2018, the main chapter (book/resolution_relevance.md).

* :mod:`.run`      ``Config``, ``PRESETS``, the cached runners (H_s, H_k in bits, M stored beside them)
* :mod:`.claims`   ``CLAIMS`` and the pure verdict functions, ``evaluate(result)``, ``scale(cfg, ...)``
* :mod:`.figures`  one function per figure of the paper (Figs. 2a-d, 3a-g)

Other chapters read the DBN through :func:`dbn_layers` (or :func:`dbn_result`): per-layer
``H_s``, ``H_k`` (R realisations x L layers) in bits, with ``M``.
"""
from .run import (HIDDEN_SIZES, KINDS, PRESETS, RESULT_VERSION, Config, dbn_layers, dbn_result,  # noqa: F401
                  generation_result, kmeans_ks, kmeans_result, load_data, partition_statistics, power_law,
                  power_laws, run, shuffle_pixels, train_dbn)
from ...models.classifier import ClassifierConfig  # noqa: F401

__all__ = ["PRESETS", "Config", "ClassifierConfig", "HIDDEN_SIZES", "KINDS", "RESULT_VERSION", "dbn_layers",
           "dbn_result", "generation_result", "kmeans_ks", "kmeans_result", "load_data", "partition_statistics",
           "power_law", "power_laws", "run", "shuffle_pixels", "train_dbn"]
