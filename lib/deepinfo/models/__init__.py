"""Models shared by the chapters (GPU when present, CPU otherwise).

rbm          RBM (batched over realisations, PCD-1) and DBN (greedy stack), Song et al. 2018; Lee & Jo 2022
feedforward  MLP with readable hidden layers and the one supervised training loop
"""
from .feedforward import (MLP, Autoencoder, SupervisedTraining, accuracy, train_autoencoder,  # noqa: F401
                          train_supervised)
from .rbm import DBN, RBM, RBMTraining, generate, train_rbm  # noqa: F401
