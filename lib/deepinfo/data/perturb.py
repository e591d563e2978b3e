"""Structureless controls: images with part of their structure destroyed on purpose.

Song, Marsili & Jo (2018) compare a DBN trained on MNIST with DBNs trained on data that look like
MNIST pixel by pixel but carry less of its structure; both controls take ``x`` of shape (M, D)
(M images, D pixels, values in [0, 1]) and return a new array of the same shape:

* :func:`shuffle_pixels` (Fig. 2a, "shuffled MNIST"): each image's pixels permuted by a permutation
  of its own. It destroys the spatial structure (which pixel neighbours which, strokes, the
  correlations between pixel positions shared by the images of a digit) and keeps each image's
  pixel histogram (its ink, its grey levels) exactly.
* :func:`flip_pixels` (Fig. S1, "bit-switched" data): each pixel independently replaced by 1 - x with
  probability p. At p = 1/2 a black-and-white pixel becomes a fair coin whatever the image was, so
  every structure is gone, the spatial one, the class one and each image's own ink: the images are
  independent uniform bits.

Both are seeded (:func:`numpy.random.default_rng`): the same seed gives the same control data.
"""
from __future__ import annotations

import numpy as np


def shuffle_pixels(x: np.ndarray, seed: int = 0) -> np.ndarray:
    """Each row's pixels permuted by its own random permutation (Fig. 2a "shuffled MNIST").

    x: (M, D) images as rows -> (M, D), same dtype; row i is a permutation of x[i], drawn independently
    for every row, so each image keeps its pixel histogram and loses its spatial arrangement."""
    return np.random.default_rng(seed).permuted(np.asarray(x), axis=1)


def flip_pixels(x: np.ndarray, p: float = 0.5, seed: int = 0) -> np.ndarray:
    """Structureless data for Fig. S1: each pixel independently replaced by 1 - x with probability ``p``.

    With p = 1/2 a black-and-white pixel becomes a fair coin whatever the image was, so the
    flipped set keeps the pixel grey levels but no spatial or class structure. x (M, D) in [0, 1]
    -> (M, D) float32.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p={p}: expected a probability")
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=np.float32)
    return np.where(rng.random(x.shape) < p, 1.0 - x, x).astype(np.float32)


__all__ = ["flip_pixels", "shuffle_pixels"]
