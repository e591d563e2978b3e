"""Every argument of every public estimator in counting, relevance_bound, bottleneck, information_plane
and labels, given bad values: a ValueError whose message names the argument (issue 11 item 6).

The table is checked for completeness against the functions' signatures
(``test_every_argument_is_covered``), so a new argument without a bad-input case fails here.
"""
import inspect
import warnings

import numpy as np
import pytest
import torch

from deepinfo.estimators import bottleneck, counting, information_plane, labels, relevance_bound

NAN, INF = float("nan"), float("inf")
COUNTS = [3, 1, 1]
CODES = np.array([[0, 1], [1, 1], [0, 1]])
PXY = np.array([[0.4, 0.1], [0.1, 0.4]])
ACT = np.linspace(-1, 1, 8).reshape(4, 2)
PYX = np.array([0.0, 1.0, 0.0, 1.0])
PTX = np.eye(2)
PYT = np.array([[0.8, 0.2], [0.2, 0.8]])
IDX = torch.zeros((1, 4, 2), dtype=torch.int64)

# the values every argument of a numeric kind is tried with (where meaningful)
BASES = [1, 0, -2, 1.0, "a", None, INF, NAN, [2]]
COUNT_ARRAYS = [[], [[1, 2]], [1.0, NAN], [1, INF], [3, -1], [0, 0], [1.5, 2], ["a", "b"], None, 5]
SAMPLES = [None, np.zeros((0, 2)), np.zeros((2, 2, 2)), [[0.0, NAN]], [[INF]], np.array([[1j]]), [[1], [1, 2]]]

FUNCS = {
    "state_ids": (counting.state_ids, dict(codes=CODES)),
    "state_counts": (counting.state_counts, dict(codes=CODES)),
    "degeneracy": (counting.degeneracy, dict(counts=COUNTS)),
    "resolution": (counting.resolution, dict(counts=COUNTS)),
    "relevance": (counting.relevance, dict(counts=COUNTS)),
    "entropy": (counting.entropy, dict(x=CODES)),
    "mutual_information": (counting.mutual_information, dict(a=CODES, b=CODES[:, :1])),
    "mutual_information_table": (counting.mutual_information_table, dict(p_xy=PXY)),
    "max_relevance_curve": (relevance_bound.max_relevance_curve, dict(M=6)),
    "relevance_gap": (relevance_bound.relevance_gap, dict(H_s=[0.5], H_k=[0.2], M=6)),
    "information_bottleneck_curve": (bottleneck.information_bottleneck_curve, dict(pxy=PXY, betas=[1.0, 4.0])),
    "ib_encoder": (bottleneck.ib_encoder, dict(p_y_given_t=PYT, p_t=[0.5, 0.5], pxy=PXY, beta=2.0)),
    "ib_optimal_beta": (bottleneck.ib_optimal_beta, dict(p_t_given_x=PTX, p_y_given_t=PYT, pxy=PXY)),
    "bin_indices": (information_plane.bin_indices, dict(activations=ACT)),
    "pattern_keys": (information_plane.pattern_keys, dict(idx=IDX, L=2)),
    "binned_information_plane": (information_plane.binned_information_plane, dict(activations=ACT, p_y_given_x=PYX)),
    "discrete_information_plane": (information_plane.discrete_information_plane,
                                   dict(states=np.array([[0], [1], [0], [2]]), p_y_given_x=PYX)),
    "kde_information_plane": (information_plane.kde_information_plane,
                              dict(activations=ACT, p_y_given_x=PYX, noise_var=0.1)),
    "label_distribution": (labels.label_distribution, dict(labels=[0, 1, 1])),
    "generation_ability": (labels.generation_ability, dict(p_labels=[0, 1, 1], q_labels=[0, 1])),
    "hidden_state_error": (labels.hidden_state_error, dict(codes=CODES, labels=[0, 1, 0])),
}

BAD_PXY = ["a", [[0.5, 0.6]], [[NAN, 1.0]], [[-0.1, 1.1]], [], [0.5, 0.5], None]
BAD_PROB_ROWS = [[0.5, 0.5], [[0.5, 0.6], [0.5, 0.5]], [[NAN, 1.0], [0.5, 0.5]], [[-0.5, 1.5], [0.5, 0.5]],
                 "a", None, np.zeros((0, 2))]
BAD_LABELS = [[[0, 1]], [], [0.5], [-1], [0.0, NAN], ["a"], None]
BAD_ACTIVATIONS = [np.zeros((1, 4, 2, 1)), np.zeros((0, 2)), np.zeros((4, 0)), [[NAN, 0.0]] * 4, [["a", "b"]] * 4,
                   None, np.array([[1j, 0]] * 4)]
BAD_PYX = [np.full(3, 0.5), np.full((4, 2), 0.4), np.array([NAN, 1, 0, 1]), np.array([-0.5, 1, 0, 1]),
           np.zeros((4, 0)), "a", np.full((2, 4, 2), 0.5)]

BAD = {
    "state_ids": {"codes": SAMPLES},
    "state_counts": {"codes": SAMPLES},
    "degeneracy": {"counts": COUNT_ARRAYS},
    "resolution": {"counts": COUNT_ARRAYS, "base": BASES},
    "relevance": {"counts": COUNT_ARRAYS, "base": BASES},
    "entropy": {"x": SAMPLES, "base": BASES},
    "mutual_information": {"a": SAMPLES, "b": SAMPLES + [CODES[:2]], "base": BASES},
    "mutual_information_table": {"p_xy": BAD_PXY, "base": BASES},
    "max_relevance_curve": {"M": [0, -1, 2.5, "10", True, None], "base": BASES,
                            "n_beta": [0, -3, 2.5, "60", True, None], "return_partitions": ["yes", 1, None]},
    "relevance_gap": {"H_s": ["a", [NAN], [-1.0], [10.0], None], "H_k": [[0.1, 0.2], [INF], ["a"], []],
                      "M": [0, 2.5, "6", True], "base": BASES,
                      "curve": [(1, 2, 3), ([0, 1], [0]), ([1.0, 0.0], [0, 0]), ([NAN], [0]), "ab", 5]},
    "information_bottleneck_curve": {
        "pxy": BAD_PXY, "betas": [[[1, 2]], ["a"], [], [NAN], [-1.0], [0.0], 5.0, [True], None],
        "max_clusters": [0, -1, 2.5, "4", True, None], "tol": [-1.0, NAN, "a", None],
        "max_iter": [0, -1, 1.5, "10", None], "merge_tol": [-1.0, INF, "a"],
        "perturbation": [-0.1, 1.0, NAN, "a"], "seed": [-1, 1.5, "a"], "base": BASES,
        "anderson": [-1, 1.5, "5", True, None]},
    "ib_encoder": {"p_y_given_t": BAD_PROB_ROWS + [np.ones((2, 3)) / 3], "p_t": [[0.5], [-0.5, 1.5], [0.2, 0.2], [[0.5, 0.5]], [NAN, 1],
                                                         "a", None],
                   "pxy": BAD_PXY, "beta": [NAN, -1.0, "a", None, INF]},
    "ib_optimal_beta": {"p_t_given_x": BAD_PROB_ROWS + [np.eye(3)], "p_y_given_t": BAD_PROB_ROWS + [np.ones((2, 3)) / 3],
                        "pxy": BAD_PXY, "beta_max": [0, -1.0, NAN, INF, "a", None]},
    "bin_indices": {"activations": BAD_ACTIVATIONS, "n_bins": [0, 2.5, True, "30", None],
                    "lo": ["a", NAN, None, 2.0], "hi": ["a", INF, None, -2.0],
                    "bin_width": [0.0, -1.0, NAN, "a"], "adaptive": ["yes", 1, None]},
    "pattern_keys": {"idx": [np.zeros((1, 4, 2), dtype=np.int64), torch.zeros((1, 4, 2)),
                             torch.zeros((4, 2), dtype=torch.int64), torch.full((1, 4, 2), 5, dtype=torch.int64),
                             torch.full((1, 4, 2), -1, dtype=torch.int64)],
                     "L": [0, 2.5, "2", None]},
    "binned_information_plane": {"activations": BAD_ACTIVATIONS, "p_y_given_x": BAD_PYX,
                                 "n_bins": [0, 2.5, True, "30", None], "lo": ["a", NAN, None, 2.0],
                                 "hi": ["a", INF, None, -2.0], "bin_width": [0.0, -1.0, NAN, "a"],
                                 "adaptive": ["yes", 1, None], "base": BASES},
    "discrete_information_plane": {"states": [np.array([[0.5], [1], [0], [2]]), np.zeros((1, 4, 1, 1)),
                                              np.zeros((0, 1)), np.array([[NAN], [1], [0], [2]]), None, [["a"]] * 4],
                                   "p_y_given_x": BAD_PYX, "base": BASES},
    "kde_information_plane": {"activations": BAD_ACTIVATIONS, "p_y_given_x": BAD_PYX,
                              "noise_var": [0.0, -1.0, NAN, INF, "a", None], "base": BASES,
                              "max_batch_elements": [0, -5, 2.5, "a", None]},
    "label_distribution": {"labels": BAD_LABELS, "n_classes": [0, 1, 2.5, "3", True],
                           "pseudo_count": [-1.0, NAN, INF, "a", None]},
    "generation_ability": {"p_labels": BAD_LABELS, "q_labels": BAD_LABELS, "n_classes": [0, 1, 2.5, "3"],
                           "pseudo_count": [-1.0, NAN, "a", None], "base": BASES},
    "hidden_state_error": {"codes": SAMPLES, "labels": [[[0, 1, 0]], [0.0, NAN, 1.0], [0, 1], None]},
}

CASES = [(f, arg, i, v) for f, args in BAD.items() for arg, values in args.items() for i, v in enumerate(values)]


@pytest.mark.parametrize("func, arg, i, value", CASES, ids=[f"{f}-{a}-{i}" for f, a, i, _ in CASES])
def test_bad_value_is_a_value_error_naming_the_argument(func, arg, i, value):
    fn, good = FUNCS[func]
    kwargs = dict(good, **{arg: value})
    pattern = r"\blo\b.*\bhi\b" if arg in ("lo", "hi") and isinstance(value, float) and np.isfinite(value) \
        else rf"(?<![\w.]){arg}\b"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=pattern):
            fn(**kwargs)


@pytest.mark.parametrize("func", list(FUNCS))
def test_good_inputs_of_the_table_are_accepted(func):
    fn, good = FUNCS[func]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn(**good)


@pytest.mark.parametrize("func", list(FUNCS))
def test_every_argument_is_covered(func):
    fn, _ = FUNCS[func]
    params = set(inspect.signature(fn).parameters)
    assert params == set(BAD[func]), f"{func}: arguments without bad-input cases: {params - set(BAD[func])}"


def test_the_functions_of_the_table_are_the_public_ones():
    """Every function of the table is public (in its module's __all__); public functions added since
    the table was written are named in a warning (add them to FUNCS and BAD)."""
    public = set()
    for mod in (counting, relevance_bound, bottleneck, information_plane, labels):
        public |= {n for n in mod.__all__ if inspect.isfunction(getattr(mod, n))}
    assert set(FUNCS) <= public
    missing = sorted(public - set(FUNCS))
    if missing:
        warnings.warn(f"public estimators without bad-input cases in this table: {missing}")


# ---------------------------------------------------------------------------------------------
# the reported failures, each reproduced exactly
# ---------------------------------------------------------------------------------------------
def test_ib_max_iter_zero_is_a_value_error_not_unbound_local():
    with pytest.raises(ValueError, match=r"max_iter=0: expected an integer >= 1"):
        bottleneck.information_bottleneck_curve(PXY, [1.0], max_iter=0)
    curve = bottleneck.information_bottleneck_curve(PXY, [1.0, 8.0], max_iter=1)   # the smallest valid value
    assert curve.I_X.shape == (2,) and np.all(curve.n_iter >= 1)


def test_ib_betas_nested_or_text_name_the_argument():
    with pytest.raises(ValueError, match=r"betas: expected a 1-D sequence .* got shape \(1, 2\)"):
        bottleneck.information_bottleneck_curve(PXY, [[1, 2]])
    with pytest.raises(ValueError, match=r"betas: expected a 1-D sequence .* dtype <U1"):
        bottleneck.information_bottleneck_curve(PXY, ["a"])
    with pytest.raises(ValueError, match=r"betas: .* got a scalar"):
        bottleneck.information_bottleneck_curve(PXY, 2.0)


def test_ib_identity_channel_at_large_beta_gives_I_XY():
    """Exact: for a deterministic p(y|x) with distinct rows, beta -> inf gives I(T;Y) = I(X;Y) = H(Y)."""
    pxy = np.array([[0.5, 0.0], [0.0, 0.5]])
    c = bottleneck.information_bottleneck_curve(pxy, [1e3], max_iter=1)
    assert c.I_XY == pytest.approx(1.0) and c.I_Y[0] <= c.I_XY + 1e-12


def test_max_relevance_n_beta_zero_is_refused_and_a_coarse_grid_warns():
    with pytest.raises(ValueError, match=r"n_beta=0: expected an integer >= 1"):
        relevance_bound.max_relevance_curve(50, n_beta=0)
    with pytest.warns(UserWarning, match=r"n_beta=3 is coarser"):
        coarse = relevance_bound.max_relevance_curve(50, n_beta=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fine = relevance_bound.max_relevance_curve(50)                      # the default: no warning
    grid = np.linspace(0, np.log2(50), 200)
    # the coarse curve is a valid lower construction, never above the default one
    assert np.all(np.interp(grid, *coarse) <= np.interp(grid, *fine) + 1e-12)


def test_entropy_errors_name_x():
    with pytest.raises(ValueError, match=r"^x: "):
        counting.entropy(np.zeros((0, 2)))


def test_relevance_gap_of_no_points_is_empty():
    assert relevance_bound.relevance_gap([], [], 6).shape == (0,)
