"""Chapter 3 analysis: per-network statistics of the information-plane runs (all in bits).

Every statistic a claim uses is computed **per network** so that its spread over the ensemble
can be stated (:mod:`deepinfo.experiments.information_plane.claims`). Series are smoothed before
a maximum is taken: the "peak minus final" compression of a raw noisy series is the maximum of
noise and biased upward; here the peak is that of a centred moving average over
:data:`SMOOTH_SNAPSHOTS` snapshots and the final value is the mean of the last
:data:`END_FRACTION` of the snapshots (end-averaged).

Shapes: S snapshots, L layers, K networks; a run ``res`` holds ``epochs`` (S,) and
``I_X[measure]``, ``I_Y[measure]`` (S, L, K) in bits (see :mod:`.run`).
"""
from __future__ import annotations

import numpy as np
import torch

from ...data.spherical import Rule
from ...models.ensemble import forward

#: width (in snapshots) of the centred moving average applied before taking a peak
SMOOTH_SNAPSHOTS = 5
#: share of the last snapshots averaged for a "final" value (at least 3 snapshots)
END_FRACTION = 0.1


def deep_layers(L: int) -> list:
    """0-based indices of the deeper half of the layers (for 6 layers: layers 4, 5, 6)."""
    return list(range(L // 2, L))


def mean_plane(res: dict, measure: str = "bin30") -> tuple[np.ndarray, np.ndarray]:
    """Ensemble means of I_X and I_Y, each (S, L) in bits."""
    return np.nanmean(res["I_X"][measure], axis=2), np.nanmean(res["I_Y"][measure], axis=2)


def smooth(x: np.ndarray, window: int = SMOOTH_SNAPSHOTS) -> np.ndarray:
    """Centred moving average along axis 0 over ``window`` snapshots (edges: the available ones)."""
    x = np.asarray(x, dtype=float)
    if window <= 1 or len(x) < 2:
        return x.copy()
    h = window // 2
    c = np.cumsum(np.concatenate([np.zeros((1,) + x.shape[1:]), x]), axis=0)
    i = np.arange(len(x))
    lo, hi = np.maximum(i - h, 0), np.minimum(i + h + 1, len(x))
    shape = (-1,) + (1,) * (x.ndim - 1)
    return (c[hi] - c[lo]) / (hi - lo).reshape(shape)


def n_end(S: int) -> int:
    """Number of final snapshots averaged into a run's end value."""
    return int(min(S, max(3, round(END_FRACTION * S))))


def compression(res: dict, measure: str = "bin30") -> dict:
    """Per layer and network (L, K): the compression statistics of one run, in bits.

    ``turn_epoch`` : epoch of the peak of the smoothed I_X (epoch >= 1)
    ``peak_bits``  : that peak; ``final_bits``: mean I_X over the last :func:`n_end` snapshots
    ``drop_bits``  : peak - final (compression; >= 0 up to the smoothing)
    ``late_drop_bits`` : smoothed I_X at the snapshot nearest half the run's epochs minus final
                     (> 0: the layer was still compressing in the second half)
    ``share_at_turn`` : share of the smoothed I_Y rise (max - initial) reached at the turn
    ``I_Y_loss_bits`` : peak of the smoothed I_Y minus its end mean (label information lost)
    ``fit_epoch``  : first epoch at which the smoothed I_Y has made 90% of its rise
    """
    I_X = np.asarray(res["I_X"][measure], dtype=float)
    I_Y = np.asarray(res["I_Y"][measure], dtype=float)
    ep = np.asarray(res["epochs"])
    S, L, K = I_X.shape
    xs, ys = smooth(I_X), smooth(I_Y)
    t = np.nonzero(ep >= 1)[0]
    turn = t[np.argmax(xs[t], axis=0)]  # (L, K) snapshot index
    li, ki = np.meshgrid(np.arange(L), np.arange(K), indexing="ij")
    peak = xs[turn, li, ki]
    e = n_end(S)
    final = I_X[-e:].mean(0)
    half = int(np.argmin(abs(ep - ep[-1] / 2)))
    rise = ys.max(0) - ys[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(rise > 1e-12, (ys[turn, li, ki] - ys[0]) / rise, 1.0)
    fit = np.argmax(ys >= ys[0] + 0.9 * rise, axis=0)  # (L, K): first snapshot at 90% of the rise
    return {"turn_epoch": ep[turn].astype(float), "fit_epoch": ep[fit].astype(float), "peak_bits": peak, "final_bits": final,
            "drop_bits": peak - final, "late_drop_bits": xs[half] - final, "share_at_turn": share,
            "I_Y_loss_bits": ys.max(0) - I_Y[-e:].mean(0)}


def saturation_change(res: dict, measure: str = "bin30", sat: str = "sat30") -> dict:
    """Per hidden layer and network (L-1, K): what happened to saturation and weights after the turn.

    ``sat_change`` : share of saturated units (``res["values"][sat]``) averaged over the last
    :func:`n_end` snapshots minus its value at the layer's turn (peak of the smoothed I_X of
    ``measure``); ``norm_ratio`` : ||W_l|| at the end over ||W_l|| at the turn (``weight_norm``);
    ``drop_bits`` : the layer's I_X drop (:func:`compression`). The output layer (softmax) is left out.
    """
    c = compression(res, measure)
    ep = np.asarray(res["epochs"])
    turn_idx = np.searchsorted(ep, c["turn_epoch"])  # (L, K) snapshot index of each turn
    satv = np.asarray(res["values"][sat], dtype=float)  # (S, L, K)
    wn = np.asarray(res["weight_norm"], dtype=float)
    S, L, K = satv.shape
    e = n_end(S)
    li, ki = np.meshgrid(np.arange(L), np.arange(K), indexing="ij")
    sat_change = satv[-e:].mean(0) - satv[turn_idx, li, ki]
    norm_ratio = wn[-e:].mean(0) / np.maximum(wn[turn_idx, li, ki], 1e-12)
    h = slice(0, L - 1)
    return {"sat_change": sat_change[h], "norm_ratio": norm_ratio[h], "drop_bits": c["drop_bits"][h],
            "sat_final": satv[-e:].mean(0)[h]}


def deep_average(stat: np.ndarray, layers) -> np.ndarray:
    """(K,) the mean over ``layers`` of a (L, K) statistic."""
    return np.mean(np.asarray(stat, dtype=float)[list(layers)], axis=0)


def log_snr(res: dict) -> tuple[np.ndarray, np.ndarray]:
    """Epochs (S',) and log10(||mean grad|| / ||std grad||) (S', L, K) at the snapshots with gradients."""
    gm, gs = np.asarray(res["grad_mean"], float), np.asarray(res["grad_std"], float)
    ok = np.isfinite(gm).all(axis=(1, 2)) & np.isfinite(gs).all(axis=(1, 2)) & (gs > 0).all(axis=(1, 2)) \
        & (gm > 0).all(axis=(1, 2))
    return np.asarray(res["epochs"])[ok], np.log10(gm[ok] / gs[ok])


def transition_epoch(epochs: np.ndarray, series: np.ndarray, min_below: int = 2) -> float:
    """First epoch from which ``series`` stays below 0 to the end, for at least ``min_below`` snapshots
    (NaN: never, below from the start, or only the last snapshot(s) below)."""
    below = np.asarray(series) < 0
    if not below.any() or below[0] or not below[-1]:
        return float("nan")
    last_above = int(np.max(np.nonzero(~below)[0]))
    if len(below) - (last_above + 1) < min_below:
        return float("nan")
    return float(epochs[last_above + 1])


def snr_transition(res: dict) -> dict:
    """The drift-to-diffusion transition from the gradient statistics (paper Fig. 4).

    SNR_l(epoch) = ||mean grad|| / ||std grad|| per layer and network. For each network the
    transition is the first snapshot epoch after which its layer-averaged log10 SNR stays below 0
    (mean smaller than the fluctuations) to the end of training (``epoch_per_network`` (K,),
    NaN where there is none); ``epoch`` is the same rule on the ensemble's layer-averaged mean
    curve (for the figure). ``mean``/``std``: geometric means over networks (S', L).
    """
    ep, ls = log_snr(res)
    per_net = ls.mean(axis=1)  # (S', K)
    per = np.array([transition_epoch(ep, per_net[:, k]) for k in range(per_net.shape[1])])
    avg = per_net.mean(axis=1)
    gm, gs = np.asarray(res["grad_mean"], float), np.asarray(res["grad_std"], float)
    ok = np.isin(np.asarray(res["epochs"]), ep)
    return {"epoch": transition_epoch(ep, avg), "epoch_per_network": per, "epochs": ep,
            "log_snr": ls.mean(axis=2), "avg_log_snr": avg,
            "mean": np.exp(np.mean(np.log(gm[ok]), axis=2)), "std": np.exp(np.mean(np.log(gs[ok]), axis=2))}


def dpi_violations(res: dict, measure: str = "bin30", tol: float = 1e-9) -> dict:
    """How far the binned values break the DPI order of eqs. (5)-(6) (bits).

    For every (snapshot, network, consecutive layer pair) the increase of I_X or I_Y from layer l
    to l+1 (a violation when > ``tol``). Returns the share of violating comparisons and, per
    network, the largest violation in bits over snapshots, pairs and both coordinates
    (``worst_per_network_bits`` (K,), 0 when none).
    """
    I_X, I_Y = np.asarray(res["I_X"][measure], float), np.asarray(res["I_Y"][measure], float)
    dx, dy = np.diff(I_X, axis=1), np.diff(I_Y, axis=1)  # (S, L-1, K)
    vx, vy = dx > tol, dy > tol
    worst = np.maximum(np.maximum(dx, dy).max(axis=(0, 1)), 0.0)
    return {"share": float((vx | vy).mean()), "n_pairs": int(vx.size), "share_X": float(vx.mean()),
            "share_Y": float(vy.mean()), "worst_bits": float(worst.max()), "worst_per_network_bits": worst}


def first_reach(epochs: np.ndarray, series: np.ndarray, target: float) -> tuple[float, bool]:
    """First epoch at which ``series`` (S,) reaches ``target``; (last epoch, False) when it never does."""
    hit = np.nonzero(np.asarray(series) >= target)[0]
    return (float(epochs[hit[0]]), True) if len(hit) else (float(epochs[-1]), False)


def epochs_to_generalise(runs: dict, frac: float = 0.9, measure: str = "bin30") -> dict:
    """Per architecture and network, the first snapshot epoch at which the output layer's I_Y
    (smoothed over snapshots) reaches ``frac`` of the best final ensemble-mean output I_Y over all
    architectures; censored at the last epoch.

    Returns ``target`` (bits), ``epochs`` {depth: (ensemble-mean epoch, reached)} for the figure,
    ``per_network`` {depth: (epochs (K,), reached (K,) bool)} and ``final_I_Y`` {depth: bits}.
    """
    finals = {d: mean_plane(r, measure)[1][-n_end(len(r["epochs"])):, -1].mean() for d, r in runs.items()}
    target = frac * max(finals.values())
    out, per = {}, {}
    for d, r in runs.items():
        ep = np.asarray(r["epochs"])
        out[d] = first_reach(ep, smooth(mean_plane(r, measure)[1][:, -1]), target)
        Y = smooth(np.asarray(r["I_Y"][measure], float)[:, -1, :])  # (S, K)
        hits = [first_reach(ep, Y[:, k], target) for k in range(Y.shape[1])]
        per[d] = (np.array([h[0] for h in hits]), np.array([h[1] for h in hits]))
    return {"target": float(target), "epochs": out, "per_network": per, "final_I_Y": finals}


def spearman(a, b) -> float:
    """Spearman rank correlation of two sequences (ties by average rank); NaN when undefined."""
    from scipy.stats import spearmanr

    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or np.all(a == a[0]) or np.all(b == b[0]):
        return float("nan")
    return float(spearmanr(a, b).statistic)


# ---------------------------------------------------------------------------------------------
# Fig. 6: the IB curve and the converged layers
# ---------------------------------------------------------------------------------------------
def final_layer_states(res: dict, rule: Rule, n_bins: int = 30, activation: str = "tanh") -> list:
    """State id of every pattern in every binned final layer: list over layers of (K, P) int arrays."""
    from ...estimators import state_ids

    W = [torch.as_tensor(w) for w in res["final"]["W"]]
    b = [torch.as_tensor(v) for v in res["final"]["b"]]
    with torch.no_grad():
        _, layers = forward(W, b, torch.as_tensor(rule.X, dtype=torch.float32), activation, keep=True)
    out = []
    for T in layers:
        idx = np.clip(np.floor((T.numpy().astype(np.float64) + 1.0) / 2.0 * n_bins), 0, n_bins - 1).astype(np.int64)
        out.append(np.stack([state_ids(idx[k])[0] for k in range(idx.shape[0])]))
    return out


def merged_encoder(t: np.ndarray, rule: Rule):
    """A deterministic layer t(x) as an IB problem with equivalent inputs merged.

    Inputs with the same p(y|x) and the same state t have the same term in eq. (12) and the
    same effect on p(t) and p(y|t), so they are merged (weights summed). Returns
    (p_t_given_x (R, n_t) one-hot, p_y_given_t (n_t, 2), pxy (R, 2)) with R <= 4096 rows.
    """
    cls = np.unique(np.round(rule.p_y_given_x[:, 1], 12), return_inverse=True)[1].reshape(-1)
    n_t = int(t.max()) + 1
    key = cls.astype(np.int64) * n_t + t
    uk, rows = np.unique(key, return_inverse=True)
    rows = rows.reshape(-1)
    pxy = np.zeros((len(uk), 2))
    np.add.at(pxy, rows, rule.pxy)
    ptx = np.zeros((len(uk), n_t))
    ptx[np.arange(len(uk)), uk % n_t] = 1.0
    pty = np.zeros((n_t, 2))
    np.add.at(pty, t, rule.pxy)
    return ptx, pty / pty.sum(1, keepdims=True), pxy


def ib_curve_full(rule: Rule, n_betas: int):
    """The annealed IB curve (:class:`deepinfo.estimators.IBCurve`, bits) of the rule's p(x, y), patterns
    with the same p(y|x) merged first (this leaves the curve unchanged, Tishby et al. 1999, and makes it cheap)."""
    from ...estimators import information_bottleneck_curve as curve_fn

    cls = np.unique(np.round(rule.p_y_given_x[:, 1], 12), return_inverse=True)[1].reshape(-1)
    pxy_merged = np.zeros((cls.max() + 1, 2))
    np.add.at(pxy_merged, cls, rule.pxy)
    return curve_fn(pxy_merged, np.logspace(-0.5, 3, n_betas))


def ib_curve(rule: Rule, n_betas: int, curve=None) -> tuple[np.ndarray, np.ndarray]:
    """The IB curve (I_X, I_Y) in bits of the rule's p(x, y), sorted by I_X, I_Y made monotone."""
    curve = ib_curve_full(rule, n_betas) if curve is None else curve
    cI_X, cI_Y = np.asarray(curve.I_X, dtype=float), np.asarray(curve.I_Y, dtype=float)
    order = np.argsort(cI_X, kind="stable")
    return cI_X[order], np.maximum.accumulate(cI_Y[order])


def ib_position(curve, I_X, I_Y) -> dict:
    """Where layers (I_X, I_Y arrays of one shape, bits) sit relative to an IB curve (:class:`IBCurve`).

    ``hgap``: I_X - I_X^IB(I_Y) in bits (:func:`deepinfo.estimators.bottleneck.ib_horizontal_gap`);
    ``slope``: dI_Y/dI_X = 1/beta of the curve at the layer's horizontal projection
    (:func:`deepinfo.estimators.bottleneck.ib_curve_slope`). A binned layer's I(T;Y) above the
    highest point of the curve (by the curve's resolution) is clipped to it for the inverse.
    """
    from ...estimators.bottleneck import ib_curve_slope, ib_horizontal_gap

    I_X, I_Y = np.asarray(I_X, float), np.minimum(np.asarray(I_Y, float), float(np.max(curve.I_Y)))
    return {"hgap": np.asarray(ib_horizontal_gap(I_X, I_Y, curve), float),
            "slope": np.asarray(ib_curve_slope(curve, I_Y=I_Y), float)}


def ib_analysis(res: dict, rule: Rule, cfg, measure: str = "bin30") -> dict:
    """The IB curve of the rule's p(x, y) and the converged layers beside it (paper Fig. 6, eq. 12).

    For every final layer and network, (L, K): the vertical gap ``gap`` = I_Y^IB(I_X) - I_Y in bits
    (the curve interpolated at the layer's I_X); the horizontal gap ``hgap`` = I_X - I_X^IB(I_Y) in
    bits (:func:`deepinfo.estimators.ib_horizontal_gap`: the excess input information over the
    optimum for the layer's I(T;Y)); ``slope`` of the curve at the layer's horizontal projection
    (:func:`deepinfo.estimators.ib_curve_slope`, = 1/beta there); and, for the first ``cfg.ib_networks``
    networks and the layers with at most ``cfg.ib_max_states`` binned states, ``beta_star`` from
    ``ib_optimal_beta`` (NaN otherwise: a layer with thousands of states is nearly invertible and
    beta* sits at the top of the search range). ``cfg`` needs ``ib_betas``, ``ib_networks`` and
    ``ib_max_states``.
    """
    from ...estimators import ib_optimal_beta as beta_fn
    from ...estimators.bottleneck import ib_self_consistency_residual

    curve = ib_curve_full(rule, cfg.ib_betas)
    cI_X, cI_Y = ib_curve(rule, cfg.ib_betas, curve)
    I_X = np.asarray(res["I_X"][measure][-1], float)  # (L, K)
    I_Y = np.asarray(res["I_Y"][measure][-1], float)
    bound = np.interp(I_X, cI_X, cI_Y, right=max(cI_Y.max(), rule.I_XY))
    states = final_layer_states(res, rule)
    beta_star = np.full(I_X.shape, np.nan)
    residual = np.full(I_X.shape, np.nan)
    n_states = np.array([[int(t[k].max()) + 1 for k in range(t.shape[0])] for t in states])
    for l, t in enumerate(states):
        for k in range(min(cfg.ib_networks, t.shape[0])):
            if n_states[l, k] <= cfg.ib_max_states:
                ptx, pyt, pxy = merged_encoder(t[k], rule)
                beta_star[l, k] = float(beta_fn(ptx, pyt, pxy))
                px = pxy.sum(1)
                residual[l, k] = ib_self_consistency_residual(ptx, px, pxy / px[:, None], beta_star[l, k])
    pos = ib_position(curve, I_X, I_Y)
    return {"curve_I_X": cI_X, "curve_I_Y": cI_Y, "I_X": I_X, "I_Y": I_Y, "gap": bound - I_Y,
            "hgap": pos["hgap"], "slope": pos["slope"],
            "beta_star": beta_star, "residual_bits": residual, "n_states": n_states, "I_XY": rule.I_XY,
            "H_X": 12.0, "units": "bits"}


# ---------------------------------------------------------------------------------------------
# Figs. 4, 5, 7 and eq. 11: timing of compression, censored transitions, log-SNR spread, weight norms
# ---------------------------------------------------------------------------------------------
#: a layer has "compressed" when its smoothed I_X has made this share of its drop (peak - final)
COMPRESSION_DONE = 0.9


def compression_epochs(res: dict, measure: str = "bin30", min_drop: float = 0.1,
                       done: float = COMPRESSION_DONE) -> dict:
    """Per layer and network (L, K): how long each layer takes to compress (paper sec. 3.6-3.7, eq. 11).

    ``epochs``: the first snapshot epoch after the turn at which the smoothed I_X has fallen by
    ``done`` of its drop (peak - end mean, :func:`compression`), minus the turn epoch (at least 1
    epoch); NaN where the drop is at most ``min_drop`` bits (no compression to time).
    ``drop_bits``: Delta I_X of eq. 11, the drop itself (bits); ``turn_epoch``; ``reached``: whether
    the ``done`` share was reached before the last snapshot (else the epochs are the run's length, a
    lower bound).
    """
    c = compression(res, measure)
    ep = np.asarray(res["epochs"], dtype=float)
    xs = smooth(np.asarray(res["I_X"][measure], dtype=float))
    L, K = c["drop_bits"].shape
    out = np.full((L, K), np.nan)
    reached = np.zeros((L, K), dtype=bool)
    for l in range(L):
        for k in range(K):
            d = c["drop_bits"][l, k]
            if not d > min_drop:
                continue
            t0 = int(np.searchsorted(ep, c["turn_epoch"][l, k]))
            hit = np.nonzero(xs[t0:, l, k] <= c["peak_bits"][l, k] - done * d)[0]
            j = t0 + int(hit[0]) if len(hit) else len(ep) - 1
            reached[l, k] = bool(len(hit)) and j < len(ep) - 1
            out[l, k] = max(ep[j] - c["turn_epoch"][l, k], 1.0)
    return {"epochs": out, "drop_bits": c["drop_bits"], "turn_epoch": c["turn_epoch"], "reached": reached}


def censored_median(values, censor_at: float, n_boot: int = 2000, rng: int = 0) -> dict:
    """Median of per-network event epochs where NaN means "no event by ``censor_at``" (right-censored).

    Censored networks count at ``censor_at`` (their true epoch is later), so the median is exact
    while fewer than half are censored, and a lower bound otherwise. The 95% interval is a
    percentile bootstrap over networks with the same rule. Returns ``median``, ``lo``, ``hi``,
    ``n``, ``n_censored``, ``median_censored`` (the median sits on a censored value) and
    ``hi_censored`` (the interval's upper end does: the true upper end may be later).
    """
    v = np.asarray(values, dtype=float)
    cens = ~np.isfinite(v)
    x = np.where(cens, float(censor_at), v)
    med = float(np.median(x))
    if len(x) >= 2:
        from ...stats import bootstrap_interval

        _, lo, hi = bootstrap_interval(x, np.median, n_boot=n_boot, rng=rng)
    else:
        lo = hi = float("nan")
    return {"median": med, "lo": float(lo), "hi": float(hi), "n": int(len(x)), "n_censored": int(cens.sum()),
            "median_censored": bool(cens.sum() * 2 >= len(x)), "hi_censored": bool(cens.any() and hi >= censor_at)}


def log_snr_spread(res: dict) -> dict:
    """Per network (K,): the spread of log10 SNR across layers before and after its SNR transition.

    ``drift``: mean over the gradient snapshots before the network's transition
    (:func:`snr_transition`) of the standard deviation over layers of log10(||mean grad|| / ||std grad||)
    (decades); ``end``: the same over the last :func:`n_end` gradient snapshots; ``ratio`` = end / drift.
    NaN for networks without a transition or with fewer than 2 snapshots before it.
    """
    ep, ls = log_snr(res)
    per = snr_transition(res)["epoch_per_network"]
    sd = ls.std(axis=1)  # (S', K) decades
    e = n_end(len(ep))
    K = sd.shape[1]
    drift, end = np.full(K, np.nan), np.full(K, np.nan)
    for k in range(K):
        if not np.isfinite(per[k]):
            continue
        before = ep < per[k]
        if before.sum() < 2:
            continue
        drift[k] = sd[before, k].mean()
        end[k] = sd[-e:, k].mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = end / drift
    return {"drift": drift, "end": end, "ratio": ratio, "transition": per}


def norm_growth(res: dict, measure: str = "bin30") -> dict:
    """Per layer and network (L, K): ||W_l|| averaged over the last :func:`n_end` snapshots over ||W_l|| at
    the start of the compression phase, the network's median turn of the deeper layers (``start_epoch`` (K,)).
    ``weight_norm`` (S, L, K) is the Frobenius norm of each layer's weights."""
    c = compression(res, measure)
    deep = deep_layers(c["turn_epoch"].shape[0])
    start = np.median(c["turn_epoch"][deep], axis=0)  # (K,)
    ep = np.asarray(res["epochs"], dtype=float)
    wn = np.asarray(res["weight_norm"], dtype=float)
    idx = np.minimum(np.searchsorted(ep, start), len(ep) - 1)
    e = n_end(len(ep))
    at = wn[idx, :, np.arange(wn.shape[2])].T  # (L, K)
    return {"ratio": wn[-e:].mean(0) / np.maximum(at, 1e-12), "start_epoch": start}
