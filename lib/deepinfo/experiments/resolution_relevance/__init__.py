"""Song, Marsili & Jo 2018, the main chapter (book/resolution_relevance.md).

* :mod:`.run`      ``Config``, ``PRESETS``, the cached runners (H_s, H_k in bits, M stored beside them) and
                   ``units`` (the preset's cached pieces, for :mod:`deepinfo.compute`)
* :mod:`.claims`   ``CLAIMS`` and the pure verdict functions, ``evaluate(result)``, ``scale(cfg, ...)``
* :mod:`.figures`  one function per figure of the paper (Figs. 2a-d, 3a-g), the Text S1 variant, the
                   stuck units, the schedule study and the finite-size study (MNIST and Fashion-MNIST)

Other chapters read the DBN through :func:`dbn_layers` (or :func:`dbn_result`): per-layer
``H_s``, ``H_k`` (R realisations x L layers) in bits, with ``M``.
"""
from .run import (DATASETS, HIDDEN_SIZES, KINDS, M_PAPER, PRESETS, RESULT_VERSION, SCHEDULES, VARIANT,  # noqa: F401
                  Config, control_data, dbn_layers, dbn_result, fig2b_k, finite_size_config, finite_size_Ms,
                  finite_size_point, finite_size_result, full_dataset, generation_result, kmeans_ks,
                  kmeans_partition, kmeans_result, load_data, partition_statistics, power_law, power_laws, run,
                  schedule_decision, schedule_study, schedule_study_point, shuffle_pixels, train_dbn, units)
from ...models.classifier import ClassifierConfig  # noqa: F401

__all__ = ["PRESETS", "Config", "ClassifierConfig", "DATASETS", "HIDDEN_SIZES", "KINDS", "M_PAPER", "RESULT_VERSION",
           "SCHEDULES", "VARIANT", "control_data", "dbn_layers", "dbn_result", "fig2b_k", "finite_size_config",
           "finite_size_Ms", "finite_size_point", "finite_size_result", "full_dataset", "generation_result",
           "kmeans_ks", "kmeans_partition", "kmeans_result", "load_data", "partition_statistics", "power_law",
           "power_laws", "run", "schedule_decision", "schedule_study", "schedule_study_point", "shuffle_pixels",
           "train_dbn", "units"]
