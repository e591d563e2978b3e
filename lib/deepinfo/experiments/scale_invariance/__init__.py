"""Lee & Jo 2022, "Scale-invariant representation of machine learning": the main chapter's experiments.

Page: ``book/scale_invariance.md``. ``run`` holds the configs, presets and cached runners,
``claims`` the declared claims and their verdict functions, ``figures`` one function per figure.
"""
from . import claims, figures  # noqa: F401
from .run import (PRESETS, AutoencoderConfig, Config, ConvConfig, EpochConfig, MLPConfig,  # noqa: F401
                  RBMClusterConfig, as_config_dict, binarise, layer_counts, run_autoencoder, run_conv_autoencoder,
                  run_epochs, run_mlp, run_rbm_clusters, run_untrained)

__all__ = ["PRESETS", "Config", "RBMClusterConfig", "MLPConfig", "AutoencoderConfig", "ConvConfig", "EpochConfig",
           "binarise", "layer_counts", "run_rbm_clusters", "run_mlp", "run_autoencoder", "run_conv_autoencoder",
           "run_epochs", "run_untrained", "as_config_dict", "claims", "figures"]
