"""Song, Marsili & Jo 2018, supplementary figures S1-S6 (book/resolution_relevance_supplement.md).

* :mod:`.run`      the configs (``SupplementConfig``, ``PRESETS``) and cached runners (H_s, H_k in bits, with M)
* :mod:`.claims`   ``CLAIMS`` (S1-S6), their verdict functions and ``AUDIT`` (every supplementary statement
                   and where it is decided)
* :mod:`.figures`  one function per supplementary figure
* ``units``, ``page_results``: the preset's cached pieces for :mod:`deepinfo.compute`
"""
from .run import (CLASSIFIERS, LETTER_SIZES, MNIST_SIZES, PRESETS, DBNSpec, GenerationSpec, S1Config,  # noqa: F401
                  beta_error_rows, discriminative_runs, realisation_seed, sparse_rbm_runs, vae_optima, vae_runs,
                  S2Config, S3Config, S4Config, S5Config, S6Config, SupplementConfig, activity_penalty_step,
                  best_generation, cnn_with_hidden, dataset, dbn_result, discriminative_result, feature_images,
                  flip_pixels, generation_result, hidden_codes, layer_statistics, letters_dataset,
                  power_law_by_layer, s1_results, s2_specs, s5_split, s5_summary, sparse_rbm_result,
                  train_sparse_rbm, vae_optimum, vae_result, page_results, s3_spec, units)

Config = SupplementConfig

__all__ = ["PRESETS", "Config", "SupplementConfig", "CLASSIFIERS", "LETTER_SIZES", "MNIST_SIZES", "DBNSpec",
           "GenerationSpec", "dbn_result", "generation_result", "discriminative_result", "sparse_rbm_result",
           "vae_result", "s1_results", "s2_specs", "s5_split", "s5_summary", "vae_optimum", "best_generation",
           "power_law_by_layer", "flip_pixels", "letters_dataset", "dataset", "feature_images", "units",
           "page_results", "s3_spec", "realisation_seed", "sparse_rbm_runs", "discriminative_runs", "vae_runs",
           "vae_optima", "beta_error_rows"]
