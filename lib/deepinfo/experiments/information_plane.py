"""Chapter 3: Shwartz-Ziv & Tishby (2017), the information plane and the two phases of SGD.

Presets (the only place the sizes live) and cached runners returning plain dicts. Every
run trains a whole ensemble at once with :func:`deepinfo.models.ensemble.train_ensemble`
and reduces the layers to information-plane coordinates while training.

Runners
-------
run_ensemble(cfg, kind, ...)   one cached ensemble run (kind: "main", fraction, depth, committee, relu)
run_main / run_fractions / run_depth / run_committee / run_relu   the runs behind each figure
ib_analysis(main, rule, cfg)   the IB curve of the rule, the converged layers and their beta* (Fig. 6)

Analysis helpers (all on ensemble means unless said otherwise): ``phase_epochs``,
``snr_transition``, ``dpi_violations``, ``compression``; figure helpers ``plot_*``.
"""
from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass, field

import numpy as np
import torch

from ..cache import ResultCache
from ..data.spherical import Rule, committee_rule, spherical_rule
from ..models.ensemble import EnsembleConfig, forward, train_ensemble


@dataclass(frozen=True)
class Config:
    """Sizes of every experiment of the chapter (one frozen dataclass per preset).

    n_networks, epochs, n_snapshots : the ensemble (paper: 50, 10^4, ~200)
    optimizer, lr, batch_size : "adam", 4e-4, 512 as in the original code
    main_fraction : training share of the main run (Figs. 2, 4, 6; paper 85%)
    fig3_fractions, fig7_fractions : training shares of Figs. 3 and 7
    depth_fraction, depth_widths, depth_epochs : Fig. 5 (80%, widths 12-10-8-6-4-2)
    bins : bin counts compared in the binning study (30 is the paper's)
    committee_epochs : Fig. 8
    relu_networks, relu_epochs, relu_snapshots, kde_noise_var, kde_patterns : the ReLU/KDE study
    ib_betas : number of beta values on the IB curve
    """
    n_networks: int = 50
    epochs: int = 10_000
    n_snapshots: int = 200
    optimizer: str = "adam"
    lr: float = 4e-4
    batch_size: int = 512
    main_fraction: float = 0.85
    fig3_fractions: tuple = (0.05, 0.45, 0.85)
    fig7_fractions: tuple = (0.03, 0.05, 0.10, 0.25, 0.45, 0.65, 0.85)
    depth_fraction: float = 0.80
    depth_widths: tuple = (12, 10, 8, 6, 4, 2)
    depth_networks: int = 50
    depth_epochs: int = 10_000
    bins: tuple = (10, 30, 100)
    committee_epochs: int = 10_000
    relu_networks: int = 50
    relu_epochs: int = 10_000
    relu_snapshots: int = 60
    kde_noise_var: float = 0.1
    kde_patterns: int = 4096
    ib_betas: int = 120
    seed: int = 0


PRESETS = {
    "smoke": Config(n_networks=6, epochs=300, n_snapshots=30, fig3_fractions=(0.05, 0.45, 0.85),
                    fig7_fractions=(0.05, 0.45, 0.85), depth_networks=4, depth_epochs=300,
                    committee_epochs=300, relu_networks=4, relu_epochs=300, relu_snapshots=12,
                    kde_patterns=512, ib_betas=40),
    "quick": Config(n_networks=16, epochs=2_000, n_snapshots=60,
                    fig7_fractions=(0.03, 0.05, 0.10, 0.25, 0.45, 0.85), depth_networks=8,
                    depth_epochs=1_500, committee_epochs=2_000, relu_networks=8, relu_epochs=2_000,
                    relu_snapshots=25, kde_patterns=1024, ib_betas=80),
    "full": Config(),
}


def rule_for(name: str) -> Rule:
    """The rule by name: "spherical" (paper eq. 10) or "committee" (Fig. 8)."""
    if name == "spherical":
        return spherical_rule()
    if name == "committee":
        return committee_rule()
    raise ValueError(f"rule={name!r}: expected 'spherical' or 'committee'")


def make_measures(spec: tuple, rule: Rule, kde_noise_var: float = 0.1, kde_patterns: int = 4096, seed: int = 0):
    """name -> callable(activations (K, P, N), p(y|x)) -> (I_X (K,), I_Y (K,)) for each entry of ``spec``.

    "binN": N equal bins on [-1, 1] (the paper); "adaptiveN": N equal bins on each snapshot's
    [min, max] (for unbounded ReLU units); "kde": the KDE upper bound of Saxe et al. (2018) with
    noise variance ``kde_noise_var`` on ``kde_patterns`` patterns (a fixed random subset).
    """
    from .. import estimators as est

    out = {}
    for name in spec:
        if name.startswith("bin"):
            n = int(name[3:])
            out[name] = (lambda n: lambda T, pyx: est.binned_information_plane(T, pyx, n_bins=n, lo=-1.0, hi=1.0))(n)
        elif name.startswith("adaptive"):
            n = int(name[8:])
            out[name] = (lambda n: lambda T, pyx: est.binned_information_plane(T, pyx, n_bins=n, adaptive=True))(n)
        elif name == "kde":
            P = len(rule.X)
            sub = np.sort(np.random.default_rng(seed).choice(P, size=min(kde_patterns, P), replace=False))
            sub_t = torch.as_tensor(sub)

            def kde(T, pyx, sub=sub, sub_t=sub_t):
                return est.kde_information_plane(T[:, sub_t], np.asarray(pyx)[sub], kde_noise_var)
            out[name] = kde
        else:
            raise ValueError(f"measure {name!r}: expected 'binN', 'adaptiveN' or 'kde'")
    return out


@contextlib.contextmanager
def _threads(n: int = 1):
    """Tiny batched matrices run fastest on one thread (and a shared machine punishes two)."""
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def run_ensemble(ens: EnsembleConfig, rule_name: str = "spherical", measures: tuple = ("bin30",), *,
                 kde_noise_var: float = 0.1, kde_patterns: int = 4096, device="cpu",
                 cache: ResultCache | None = None, progress: bool = True, desc: str = "") -> dict:
    """One ensemble run, cached by (ensemble config, rule, measures); resumable through a checkpoint."""
    cache = cache or ResultCache()
    key = {"ensemble": dataclasses.asdict(ens), "rule": rule_name, "measures": list(measures)}
    if "kde" in measures:
        key.update(kde_noise_var=kde_noise_var, kde_patterns=kde_patterns)
    rule = rule_for(rule_name)

    def compute():
        fns = make_measures(measures, rule, kde_noise_var, kde_patterns, seed=ens.seed)
        with _threads(1):
            return train_ensemble(ens, rule.X, rule.p_y_given_x, fns, device=device,
                                  checkpoint=cache.checkpoint("information_plane_ensemble", key),
                                  progress=progress, desc=desc or rule_name)
    return cache.get_or_compute("information_plane_ensemble", key, compute)


def _ens(cfg: Config, **kw) -> EnsembleConfig:
    base = dict(n_networks=cfg.n_networks, epochs=cfg.epochs, n_snapshots=cfg.n_snapshots,
                optimizer=cfg.optimizer, lr=cfg.lr, batch_size=cfg.batch_size,
                train_fraction=cfg.main_fraction, seed=cfg.seed)
    base.update(kw)
    return EnsembleConfig(**base)


def run_main(cfg: Config, device="cpu", cache=None) -> dict:
    """The main run (Figs. 2, 3 right, 4, 6 and the binning study): tanh, 85%, bins ``cfg.bins``."""
    spec = tuple(f"bin{n}" for n in sorted(set(cfg.bins) | {30}))
    return run_ensemble(_ens(cfg), "spherical", spec, device=device, cache=cache, desc="main")


def run_fractions(cfg: Config, fractions, device="cpu", cache=None) -> dict:
    """Training share -> run (Figs. 3 and 7); the main share reuses the main run."""
    out = {}
    for f in fractions:
        if abs(f - cfg.main_fraction) < 1e-12:
            out[f] = run_main(cfg, device, cache)
        else:
            out[f] = run_ensemble(_ens(cfg, train_fraction=f), "spherical", ("bin30",), device=device,
                                  cache=cache, desc=f"{f:.0%} of patterns")
    return out


def run_depth(cfg: Config, device="cpu", cache=None) -> dict:
    """Number of hidden layers (1..len(depth_widths)) -> run (Fig. 5)."""
    out = {}
    for d in range(1, len(cfg.depth_widths) + 1):
        ens = _ens(cfg, hidden=tuple(cfg.depth_widths[:d]), n_networks=cfg.depth_networks,
                   epochs=cfg.depth_epochs, train_fraction=cfg.depth_fraction)
        out[d] = run_ensemble(ens, "spherical", ("bin30",), device=device, cache=cache, desc=f"{d} hidden")
    return out


def run_committee(cfg: Config, device="cpu", cache=None) -> dict:
    """The committee-machine rule with the main architecture (Fig. 8)."""
    return run_ensemble(_ens(cfg, epochs=cfg.committee_epochs), "committee", ("bin30",), device=device,
                        cache=cache, desc="committee")


def run_relu(cfg: Config, device="cpu", cache=None) -> dict:
    """ReLU hidden layers, measured with adaptive 30-bin binning and with the KDE bound (Saxe et al.)."""
    ens = _ens(cfg, activation="relu", n_networks=cfg.relu_networks, epochs=cfg.relu_epochs,
               n_snapshots=cfg.relu_snapshots)
    return run_ensemble(ens, "spherical", ("adaptive30", "kde", "bin30"), kde_noise_var=cfg.kde_noise_var,
                        kde_patterns=cfg.kde_patterns, device=device, cache=cache, desc="relu")


# ---------------------------------------------------------------------------------------------
# analysis
# ---------------------------------------------------------------------------------------------
def mean_plane(res: dict, measure: str = "bin30") -> tuple[np.ndarray, np.ndarray]:
    """Ensemble means of I_X and I_Y, each (S, L) in bits."""
    return np.nanmean(res["I_X"][measure], axis=2), np.nanmean(res["I_Y"][measure], axis=2)


def compression(res: dict, measure: str = "bin30") -> dict:
    """Per layer: peak of the mean I_X after epoch 0, its epoch, the final I_X and the drop (bits).

    Also the epoch at which the mean I_Y first reaches 90% of its total rise (the fitting time).
    """
    I_X, I_Y = mean_plane(res, measure)
    ep = res["epochs"]
    t = ep >= 1
    peak_i = np.argmax(I_X[t], axis=0)
    peak = I_X[t][peak_i, np.arange(I_X.shape[1])]
    final = I_X[-1]
    rise = I_Y.max(0) - I_Y[0]
    fit_i = np.array([np.argmax(I_Y[:, l] >= I_Y[0, l] + 0.9 * rise[l]) for l in range(I_Y.shape[1])])
    return {"peak_epoch": ep[t][peak_i], "peak": peak, "final": final, "drop": peak - final,
            "fit_epoch": ep[fit_i], "I_Y_peak": I_Y.max(0), "I_Y_final": I_Y[-1],
            "I_Y_loss": I_Y.max(0) - I_Y[-1]}


def snr_transition(res: dict) -> dict:
    """The drift-to-diffusion transition from the gradient statistics (paper Fig. 4).

    SNR_l(epoch) = ||mean grad|| / ||std grad|| per layer (geometric mean over networks);
    the transition is the first snapshot epoch after which the layer-averaged log SNR stays
    below 0 (mean smaller than the fluctuations) for the rest of training. Returns the
    epoch (NaN when no such crossing) and the curves.
    """
    gm, gs = res["grad_mean"], res["grad_std"]
    ok = np.isfinite(gm).all(axis=(1, 2)) & np.isfinite(gs).all(axis=(1, 2)) & (gs > 0).all(axis=(1, 2))
    ep = res["epochs"][ok]
    log_snr = np.mean(np.log10(gm[ok] / gs[ok]), axis=2)  # (S', L)
    avg = log_snr.mean(axis=1)
    below = avg < 0
    epoch = float("nan")
    if below.any() and not below[0]:
        # first index from which every later value is below 0
        last_above = np.max(np.nonzero(~below)[0])
        if last_above + 1 < len(avg):
            epoch = float(ep[last_above + 1])
    return {"epoch": epoch, "epochs": ep, "log_snr": log_snr, "avg_log_snr": avg,
            "mean": np.exp(np.mean(np.log(gm[ok]), axis=2)), "std": np.exp(np.mean(np.log(gs[ok]), axis=2))}


def dpi_violations(res: dict, measure: str = "bin30", tol: float = 1e-9) -> dict:
    """Share of (snapshot, network, consecutive layer pair) where I_X or I_Y increases with depth."""
    I_X, I_Y = res["I_X"][measure], res["I_Y"][measure]
    vx = np.diff(I_X, axis=1) > tol
    vy = np.diff(I_Y, axis=1) > tol
    n = vx.size
    worst = float(max(np.diff(I_X, axis=1).max(), np.diff(I_Y, axis=1).max()))
    return {"share": float((vx | vy).sum() / n), "n_pairs": int(n), "share_X": float(vx.mean()),
            "share_Y": float(vy.mean()), "worst": worst}


def layer_encoders(res: dict, rule: Rule, n_bins: int = 30, activation: str = "tanh"):
    """Per network and layer, the binned final layer as p(t|x) (one-hot over its states) and p(y|t).

    Returns a list over networks of lists over layers of (p_t_given_x (P, n_t), p_y_given_t (n_t, 2)).
    """
    W = [torch.as_tensor(w) for w in res["final"]["W"]]
    b = [torch.as_tensor(v) for v in res["final"]["b"]]
    with torch.no_grad():
        _, layers = forward(W, b, torch.as_tensor(rule.X, dtype=torch.float32), activation, keep=True)
    P = len(rule.X)
    out = []
    for k in range(W[0].shape[0]):
        per = []
        for T in layers:
            a = T[k].numpy()
            idx = np.clip(np.floor((a + 1.0) / 2.0 * n_bins), 0, n_bins - 1).astype(np.int64)
            _, ids = np.unique(idx, axis=0, return_inverse=True)
            ids = ids.reshape(-1)
            n_t = ids.max() + 1
            p_t_given_x = np.zeros((P, n_t))
            p_t_given_x[np.arange(P), ids] = 1.0
            pty = np.zeros((n_t, 2))
            np.add.at(pty, ids, rule.pxy)
            per.append((p_t_given_x, pty / pty.sum(1, keepdims=True)))
        out.append(per)
    return out


def ib_analysis(res: dict, rule: Rule, cfg: Config, measure: str = "bin30") -> dict:
    """The IB curve of the rule's p(x, y) and the converged layers beside it (paper Fig. 6, eq. 12).

    Patterns with the same p(y|x) are merged first (this leaves the IB curve unchanged and
    makes it cheap). For every final layer: the vertical gap I_Y^IB(I_X) - I_Y in bits (the
    curve interpolated at the layer's I_X) and beta* from ``ib_optimal_beta``.
    """
    from .. import estimators as est

    p1 = rule.p_y_given_x[:, 1]
    _, inv = np.unique(np.round(p1, 12), return_inverse=True)
    inv = inv.reshape(-1)
    pxy_merged = np.zeros((inv.max() + 1, 2))
    np.add.at(pxy_merged, inv, rule.pxy)
    betas = np.logspace(-0.5, 3, cfg.ib_betas)
    curve = est.information_bottleneck_curve(pxy_merged, betas)
    cI_X, cI_Y = np.asarray(curve.I_X, dtype=float), np.asarray(curve.I_Y, dtype=float)
    order = np.argsort(cI_X)
    cI_X, cI_Y = cI_X[order], np.maximum.accumulate(cI_Y[order])
    I_X = res["I_X"][measure][-1]  # (L, K)
    I_Y = res["I_Y"][measure][-1]
    bound = np.interp(I_X, cI_X, cI_Y, right=rule.I_XY)
    gap = bound - I_Y
    encs = layer_encoders(res, rule)
    beta_star = np.full(I_X.shape, np.nan)
    for k, per in enumerate(encs):
        for l, (ptx, pyt) in enumerate(per):
            beta_star[l, k] = float(est.ib_optimal_beta(ptx, pyt, rule.pxy))
    return {"curve_I_X": cI_X, "curve_I_Y": cI_Y, "I_X": I_X, "I_Y": I_Y, "gap": gap,
            "beta_star": beta_star, "I_XY": rule.I_XY}


def spearman(a, b) -> float:
    """Spearman rank correlation of two sequences (ties by average rank)."""
    from scipy.stats import spearmanr

    r = spearmanr(np.asarray(a, float), np.asarray(b, float)).statistic
    return float(r) if np.isfinite(r) else 0.0


def epochs_to_generalise(runs: dict, frac: float = 0.9, measure: str = "bin30") -> dict:
    """Per architecture, the first snapshot epoch at which the output layer's mean I_Y reaches
    ``frac`` of the best final output I_Y over all architectures (censored at the last epoch)."""
    finals = {d: mean_plane(r, measure)[1][-1, -1] for d, r in runs.items()}
    target = frac * max(finals.values())
    out = {}
    for d, r in runs.items():
        I_Y = mean_plane(r, measure)[1][:, -1]
        hit = np.nonzero(I_Y >= target)[0]
        out[d] = (float(r["epochs"][hit[0]]) if len(hit) else float(r["epochs"][-1]), bool(len(hit)))
    return {"target": float(target), "epochs": out, "final_I_Y": finals}


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------
def _layer_colors(L):
    import matplotlib.pyplot as plt
    return plt.cm.viridis(np.linspace(0.0, 0.9, L))


def plot_snapshots(res: dict, epochs=(0, 400, None), measure: str = "bin30", axes=None):
    """Fig. 2: every layer of every network in the plane at the snapshots nearest to ``epochs``."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, len(epochs), figsize=(10, 3.3), sharex=True, sharey=True)
    ep = res["epochs"]
    L = res["I_X"][measure].shape[1]
    cols = _layer_colors(L)
    for ax, e in zip(axes, epochs):
        s = len(ep) - 1 if e is None else int(np.argmin(abs(ep - e)))
        for l in range(L):
            ax.scatter(res["I_X"][measure][s, l], res["I_Y"][measure][s, l], s=12, color=cols[l],
                       label=f"layer {l + 1}", alpha=0.8, edgecolor="none")
        ax.set_title(f"epoch {ep[s]}")
        ax.set_xlabel("$I(X;T)$ (bits)")
    axes[0].set_ylabel("$I(T;Y)$ (bits)")
    axes[-1].legend(fontsize=7, loc="lower right")
    return axes


def plot_trajectories(res: dict, ax=None, measure: str = "bin30", mark_epoch=None, title=""):
    """Fig. 3: ensemble-mean path of each layer, coloured by log epoch; the transition epoch marked."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    ax = ax or plt.gca()
    I_X, I_Y = mean_plane(res, measure)
    ep = np.maximum(res["epochs"], 1)
    norm = LogNorm(1, ep.max())
    for l in range(I_X.shape[1]):
        ax.plot(I_X[:, l], I_Y[:, l], color="0.8", lw=0.8, zorder=1)
        sc = ax.scatter(I_X[:, l], I_Y[:, l], c=ep, cmap="plasma", norm=norm, s=10, zorder=2)
    if mark_epoch is not None and np.isfinite(mark_epoch):
        s = int(np.argmin(abs(res["epochs"] - mark_epoch)))
        ax.scatter(I_X[s], I_Y[s], marker="o", facecolor="none", edgecolor="green", s=60, lw=1.5,
                   zorder=3, label=f"SNR transition (epoch {res['epochs'][s]})")
        ax.legend(fontsize=7, loc="lower right")
    ax.set_xlabel("$I(X;T)$ (bits)")
    ax.set_ylabel("$I(T;Y)$ (bits)")
    ax.set_title(title)
    return sc


def plot_gradients(res: dict, snr: dict, ax=None):
    """Fig. 4: per layer the normalised norms of the gradient mean (solid) and std (dashed), log-log."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    L = snr["mean"].shape[1]
    cols = _layer_colors(L)
    for l in range(L):
        ax.loglog(snr["epochs"], snr["mean"][:, l], color=cols[l], lw=1.3, label=f"layer {l + 1}")
        ax.loglog(snr["epochs"], snr["std"][:, l], color=cols[l], lw=1.0, ls="--")
    if np.isfinite(snr["epoch"]):
        ax.axvline(snr["epoch"], color="0.5", lw=2, alpha=0.6)
    ax.set_xlabel("epoch")
    ax.set_ylabel("norm / $\\|W\\|$")
    ax.legend(fontsize=7, ncol=2, title="solid: mean, dashed: std", title_fontsize=7)
    return ax
