"""Models shared by the chapters (GPU when present, CPU otherwise).

rbm          RBM (batched over realisations, PCD-1), DBN (greedy stack) and generation; Song et al. 2018, Lee & Jo 2022;
             stuck_units, pseudo_log_likelihood, levelled_off and RECOMMENDED_SCHEDULE (seeds 0-4 all train)
feedforward  MLP and dense autoencoder with readable hidden layers, and the one training loop
classifier   small CNN digit classifier that labels generated images (Song et al. Fig. 3)
conv         convolutional autoencoder with readable internal layers (Lee & Jo Fig. 3)
vae          the variational autoencoder of Song et al. Fig. S6
ensemble     K small networks trained at once with information-plane snapshots (Shwartz-Ziv & Tishby)
"""
from .feedforward import (MLP, Autoencoder, SupervisedTraining, accuracy, train_autoencoder,  # noqa: F401
                          train_supervised)
from .rbm import (DBN, RBM, RECOMMENDED_SCHEDULE, RBMTraining, generate, levelled_off, pseudo_log_likelihood,  # noqa: F401
                  stuck_units, train_rbm)
from .vae import VAE  # noqa: F401
