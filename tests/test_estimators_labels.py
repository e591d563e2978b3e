"""Generation ability (Song et al. eq. 9) and hidden-state classification error, by hand."""
import math

import numpy as np
import pytest
import torch

from deepinfo.estimators import generation_ability, hidden_state_error, label_distribution


def test_generation_ability_by_hand():
    p = np.repeat(np.arange(4), 25)                     # P uniform over 4 labels
    q = np.repeat(np.arange(4), [40, 30, 20, 10])       # Q = (.4, .3, .2, .1)
    Q = (np.array([40, 30, 20, 10]) + 0.5) / 102
    D = (0.25 * np.log2(0.25 / Q)).sum()
    assert generation_ability(p, q) == pytest.approx(1 / D)
    D0 = (0.25 * np.log2(0.25 / np.array([0.4, 0.3, 0.2, 0.1]))).sum()
    assert generation_ability(p, q, pseudo_count=0) == pytest.approx(1 / D0)
    assert generation_ability(p, q, pseudo_count=0, base=np.e) == pytest.approx(1 / (D0 * np.log(2)))
    # Q identical to P: D = 0, ability infinite
    assert generation_ability(p, p, pseudo_count=0) == math.inf


def test_labels_never_generated():
    p = np.repeat(np.arange(3), 10)
    q = np.zeros(20, dtype=int)                        # only label 0 produced
    Q = np.array([20.5, 0.5, 0.5]) / 21.5
    assert generation_ability(p, q) == pytest.approx(1 / (np.log2(1 / 3 / Q) / 3).sum())
    assert generation_ability(p, q, pseudo_count=0) == 0.0   # D = inf without smoothing
    # a label only Q produced costs nothing in D(P||Q) beyond the mass it takes from Q
    assert np.isfinite(generation_ability(np.zeros(5, int), np.array([0, 0, 1]), pseudo_count=0))
    assert label_distribution([0, 0, 2], pseudo_count=1).tolist() == pytest.approx([3 / 6, 1 / 6, 2 / 6])


def test_hidden_state_error_by_hand():
    # states a a a b b c ; labels 0 0 1 | 1 1 | 2 -> one sample (the 1 in state a) misgrouped
    codes = np.array([[0, 0], [0, 0], [0, 0], [0, 1], [0, 1], [1, 1]])
    labels = np.array([0, 0, 1, 1, 1, 2])
    assert hidden_state_error(codes, labels) == pytest.approx(1 / 6)
    assert hidden_state_error(torch.from_numpy(codes), torch.from_numpy(labels)) == pytest.approx(1 / 6)
    # labels a function of the state: no error; all samples distinct: no error
    assert hidden_state_error(codes, codes[:, 0] * 2 + codes[:, 1]) == 0.0
    assert hidden_state_error(np.arange(6)[:, None], labels) == 0.0
    # one state: the error is everything but the majority class
    y = np.repeat(np.arange(3), [5, 3, 2])
    assert hidden_state_error(np.zeros((10, 3)), y) == pytest.approx(0.5)
    # a tie inside a state counts the same whichever label is called the majority
    assert hidden_state_error(np.zeros((4, 1)), np.array([0, 0, 1, 1])) == pytest.approx(0.5)


def test_label_functions_reject_bad_input():
    with pytest.raises(ValueError, match="p_labels"):
        generation_ability([], [0, 1])
    with pytest.raises(ValueError, match="q_labels"):
        generation_ability([0, 1], [0.5, 1])
    with pytest.raises(ValueError, match="q_labels"):
        generation_ability([0, 1], [-1, 1])
    with pytest.raises(ValueError, match="pseudo_count"):
        generation_ability([0, 1], [0, 1], pseudo_count=-1)
    with pytest.raises(ValueError, match="same number of samples"):
        hidden_state_error(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="labels"):
        hidden_state_error(np.zeros((2, 2)), np.array([0.0, np.nan]))
