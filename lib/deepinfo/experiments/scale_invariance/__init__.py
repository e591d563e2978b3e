"""Lee & Jo 2022, "Scale-invariant representation of machine learning": the main chapter's experiments.

Page: ``book/scale_invariance.md``. ``run`` holds the configs, presets and cached runners,
``claims`` the declared claims and their verdict functions, ``figures`` one function per figure.
"""
from . import claims, figures, finite_size  # noqa: F401
from .run import (PRESETS, AutoencoderConfig, Config, ConvConfig, EpochConfig, MLPConfig,  # noqa: F401
                  RBMClusterConfig, as_config_dict, binarise, kmeans_k, layer_counts, rbm_training, run_autoencoder,
                  run_autoencoder_fashion, run_widening,
                  run_conv_autoencoder, run_epochs, over_seeds, run_mlp, run_rbm, run_rbm_clusters, run_rbm_seeds, run_untrained,
                  units)

__all__ = ["PRESETS", "Config", "RBMClusterConfig", "MLPConfig", "AutoencoderConfig", "ConvConfig", "EpochConfig",
           "binarise", "layer_counts", "rbm_training", "kmeans_k", "run_rbm", "run_rbm_seeds", "run_rbm_clusters", "run_mlp", "run_autoencoder", "run_autoencoder_fashion", "run_widening", "run_conv_autoencoder",
           "run_epochs", "run_untrained", "over_seeds", "units", "as_config_dict", "claims", "figures", "finite_size"]
