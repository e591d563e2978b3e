"""Label statistics of Song, Marsili & Jo (2018): generation ability (eq. 9) and the classification
error of a hidden layer's states (Fig. 2d, Fig. 3g)."""
from __future__ import annotations

import math

import numpy as np

from ._validate import as_numpy, check_base, check_finite, check_int, check_real
from .counting import state_ids


def _labels(x, name: str) -> np.ndarray:
    arr = as_numpy(x, name)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of labels, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: is empty")
    check_finite(arr, name)
    if arr.dtype.kind == "f":
        if not np.all(arr == np.round(arr)):
            raise ValueError(f"{name}: expected integer class labels")
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iub":
        raise ValueError(f"{name}: expected integer class labels, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if (arr < 0).any():
        raise ValueError(f"{name}: labels must be integers >= 0")
    return arr


def label_distribution(labels, n_classes: int | None = None, pseudo_count: float = 0.0) -> np.ndarray:
    """Smoothed label frequencies (n_c + a) / (n + a C) over the classes 0..C-1, shape (C,)."""
    y = _labels(labels, "labels")
    C = int(y.max()) + 1 if n_classes is None else check_int(n_classes, "n_classes", 1)
    if y.max() >= C:
        raise ValueError(f"n_classes={n_classes}: smaller than the largest label + 1 ({y.max() + 1})")
    a = check_real(pseudo_count, "pseudo_count", 0.0)
    n_c = np.bincount(y, minlength=C).astype(np.float64)
    return (n_c + a) / (y.size + a * C)


def generation_ability(p_labels, q_labels, *, n_classes: int | None = None, pseudo_count: float = 0.5,
                       base: float = 2) -> float:
    """Generation ability 1 / D_KL(P || Q), Song, Marsili & Jo (2018) eq. (9).

    D_KL(P || Q) = sum_label P(label) log[P(label) / Q(label)], with P the label distribution of
    the training samples and Q that of the generated samples (labels assigned by a classifier).

    Parameters
    ----------
    p_labels : (M_P,) integer labels of the training samples; P is their empirical distribution.
    q_labels : (M_Q,) integer labels of the generated samples.
    n_classes : number of classes C (labels 0..C-1); default: largest label in either + 1.
    pseudo_count : the rule for labels Q never produced. Q is estimated with additive
        smoothing, Q(l) = (n_l + a) / (M_Q + a C), a = ``pseudo_count`` (default 1/2, the
        Jeffreys prior), so an unproduced label costs a finite, sample-size aware penalty instead
        of making D infinite. With a = 0 and a missing label that P has, D = inf and the
        ability is 0. P itself is not smoothed: labels absent from P contribute nothing.
    base : logarithm base of D (2: bits), so the ability is in 1/bits.

    Returns
    -------
    float in [0, inf]: inf when Q equals P exactly.
    """
    p_y = _labels(p_labels, "p_labels")
    q_y = _labels(q_labels, "q_labels")
    b = check_base(base)
    C = max(int(p_y.max()), int(q_y.max())) + 1 if n_classes is None else check_int(n_classes, "n_classes", 1)
    if max(int(p_y.max()), int(q_y.max())) >= C:
        raise ValueError(f"n_classes={n_classes}: smaller than the largest label + 1")
    P = label_distribution(p_y, C, 0.0)
    Q = label_distribution(q_y, C, pseudo_count)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(P > 0, P * (np.log(P) - np.log(Q)), 0.0)
    D = float(terms.sum()) / math.log(b)
    if D == math.inf:
        return 0.0
    D = max(D, 0.0)
    return math.inf if D == 0.0 else 1.0 / D


def hidden_state_error(codes, labels) -> float:
    """Fraction of samples whose state's majority label differs from their own (Song et al. Fig. 2d).

    For each distinct state s (row of ``codes``) with k_s samples, n_{s,l} of label l:
    error = sum_s (k_s - max_l n_{s,l}) / M. Ties between majority labels do not matter (the
    count is the same whichever is chosen). 0 when the labels are a function of the state.

    Parameters
    ----------
    codes : (M, N) discrete states (binary or integer), numpy or torch.
    labels : (M,) the true label of each sample (any discrete values).

    Returns a float in [0, 1 - 1/C].
    """
    sid, n_states = state_ids(codes)
    lab = as_numpy(labels, "labels")
    if lab.ndim != 1:
        raise ValueError(f"labels: expected a 1-D array, got shape {lab.shape}")
    check_finite(lab, "labels")
    if lab.shape[0] != sid.shape[0]:
        raise ValueError("codes and labels: expected the same number of samples, "
                         f"got {sid.shape[0]} and {lab.shape[0]}")
    _, lid = np.unique(lab, return_inverse=True)
    lid = lid.ravel().astype(np.int64)
    n_lab = int(lid.max()) + 1
    pair, n_pair = np.unique(sid * n_lab + lid, return_counts=True)  # sorted by state, then label
    pair_state = pair // n_lab
    starts = np.flatnonzero(np.r_[True, pair_state[1:] != pair_state[:-1]])
    majority = np.maximum.reduceat(n_pair, starts).sum()
    return float(1.0 - majority / sid.shape[0])


__all__ = ["generation_ability", "hidden_state_error", "label_distribution"]
