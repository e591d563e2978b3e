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

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import torch

from ..cache import ResultCache
from ..device import cpu_threads
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
    kde_patterns: int = 2048
    ib_betas: int = 120
    ib_networks: int = 10
    ib_max_states: int = 600
    seed: int = 0


PRESETS = {
    "smoke": Config(n_networks=4, epochs=200, n_snapshots=25, fig7_fractions=(0.05, 0.45, 0.85),
                    depth_networks=3, depth_epochs=150, committee_epochs=200, relu_networks=3,
                    relu_epochs=200, relu_snapshots=10, kde_patterns=512, ib_betas=30, ib_networks=3,
                    ib_max_states=400),
    "quick": Config(n_networks=16, epochs=1_500, n_snapshots=60,
                    fig7_fractions=(0.03, 0.05, 0.10, 0.25, 0.45, 0.85), depth_networks=6,
                    depth_epochs=1_000, committee_epochs=1_000, relu_networks=8, relu_epochs=1_500,
                    relu_snapshots=25, kde_patterns=1024, ib_betas=60, ib_networks=6),
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
        with cpu_threads(device):  # one thread: the matrices are tiny (the book's thread policy)
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


def run_main(cfg: Config, device="cpu", cache=None, progress=True) -> dict:
    """The main run (Figs. 2, 3 right, 4, 6 and the binning study): tanh, 85%, bins ``cfg.bins``."""
    spec = tuple(f"bin{n}" for n in sorted(set(cfg.bins) | {30}))
    return run_ensemble(_ens(cfg), "spherical", spec, device=device, cache=cache, progress=progress, desc="main")


def run_fractions(cfg: Config, fractions, device="cpu", cache=None, progress=True) -> dict:
    """Training share -> run (Figs. 3 and 7); the main share reuses the main run."""
    out = {}
    for f in fractions:
        if abs(f - cfg.main_fraction) < 1e-12:
            out[f] = run_main(cfg, device, cache, progress)
        else:
            out[f] = run_ensemble(_ens(cfg, train_fraction=f), "spherical", ("bin30",), device=device,
                                  cache=cache, progress=progress, desc=f"{f:.0%} of patterns")
    return out


def run_depth(cfg: Config, device="cpu", cache=None, progress=True) -> dict:
    """Number of hidden layers (1..len(depth_widths)) -> run (Fig. 5)."""
    out = {}
    for d in range(1, len(cfg.depth_widths) + 1):
        ens = _ens(cfg, hidden=tuple(cfg.depth_widths[:d]), n_networks=cfg.depth_networks,
                   epochs=cfg.depth_epochs, train_fraction=cfg.depth_fraction)
        out[d] = run_ensemble(ens, "spherical", ("bin30",), device=device, cache=cache, progress=progress, desc=f"{d} hidden")
    return out


def run_committee(cfg: Config, device="cpu", cache=None, progress=True) -> dict:
    """The committee-machine rule with the main architecture (Fig. 8)."""
    return run_ensemble(_ens(cfg, epochs=cfg.committee_epochs), "committee", ("bin30",), device=device,
                        cache=cache, progress=progress, desc="committee")


def run_relu(cfg: Config, device="cpu", cache=None, progress=True) -> dict:
    """ReLU hidden layers, measured with adaptive 30-bin binning and with the KDE bound (Saxe et al.)."""
    ens = _ens(cfg, activation="relu", n_networks=cfg.relu_networks, epochs=cfg.relu_epochs,
               n_snapshots=cfg.relu_snapshots)
    return run_ensemble(ens, "spherical", ("adaptive30", "kde", "bin30"), kde_noise_var=cfg.kde_noise_var,
                        kde_patterns=cfg.kde_patterns, device=device, cache=cache, progress=progress, desc="relu")


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


def final_layer_states(res: dict, rule: Rule, n_bins: int = 30, activation: str = "tanh") -> list:
    """State id of every pattern in every binned final layer: list over layers of (K, P) int arrays."""
    from ..estimators import state_ids

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


def ib_analysis(res: dict, rule: Rule, cfg: Config, measure: str = "bin30") -> dict:
    """The IB curve of the rule's p(x, y) and the converged layers beside it (paper Fig. 6, eq. 12).

    Patterns with the same p(y|x) are merged first (this leaves the IB curve unchanged and
    makes it cheap). For every final layer: the vertical gap I_Y^IB(I_X) - I_Y in bits (the
    curve interpolated at the layer's I_X) and, for the first ``cfg.ib_networks`` networks and
    the layers with at most ``cfg.ib_max_states`` binned states, beta* from ``ib_optimal_beta``
    (NaN otherwise: a layer with thousands of states is nearly invertible and beta* sits at the
    top of the search range).
    """
    from ..estimators import ib_optimal_beta as beta_fn, information_bottleneck_curve as curve_fn

    cls = np.unique(np.round(rule.p_y_given_x[:, 1], 12), return_inverse=True)[1].reshape(-1)
    pxy_merged = np.zeros((cls.max() + 1, 2))
    np.add.at(pxy_merged, cls, rule.pxy)
    betas = np.logspace(-0.5, 3, cfg.ib_betas)
    curve = curve_fn(pxy_merged, betas)
    cI_X, cI_Y = np.asarray(curve.I_X, dtype=float), np.asarray(curve.I_Y, dtype=float)
    order = np.argsort(cI_X, kind="stable")
    cI_X, cI_Y = cI_X[order], np.maximum.accumulate(cI_Y[order])
    I_X = res["I_X"][measure][-1]  # (L, K)
    I_Y = res["I_Y"][measure][-1]
    bound = np.interp(I_X, cI_X, cI_Y, right=max(cI_Y.max(), rule.I_XY))
    states = final_layer_states(res, rule)
    beta_star = np.full(I_X.shape, np.nan)
    n_states = np.array([[int(t[k].max()) + 1 for k in range(t.shape[0])] for t in states])
    for l, t in enumerate(states):
        for k in range(min(cfg.ib_networks, t.shape[0])):
            if n_states[l, k] <= cfg.ib_max_states:
                ptx, pyt, pxy = merged_encoder(t[k], rule)
                beta_star[l, k] = float(beta_fn(ptx, pyt, pxy))
    return {"curve_I_X": cI_X, "curve_I_Y": cI_Y, "I_X": I_X, "I_Y": I_Y, "gap": bound - I_Y,
            "beta_star": beta_star, "n_states": n_states, "I_XY": rule.I_XY}


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


def plot_depth(runs: dict, axes, measure: str = "bin30"):
    """Fig. 5: one information plane per architecture, layer paths coloured by epoch."""
    sc = None
    for ax, (d, r) in zip(axes, runs.items()):
        sc = plot_trajectories(r, ax=ax, measure=measure, title=f"{d} hidden layer{'s' if d > 1 else ''}")
        ax.label_outer()
    return sc


def plot_ib(ib: dict, ax=None):
    """Fig. 6: the IB curve of the rule and the converged layers (mean +/- s.e. over networks), beta* labels."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    ax.plot(ib["curve_I_X"], ib["curve_I_Y"], color="C0", lw=2, label="IB bound of $p(x,y)$")
    ax.axhline(ib["I_XY"], color="0.6", ls=":", lw=1)
    L, K = ib["I_X"].shape
    cols = _layer_colors(L)
    for l in range(L):
        mx, my = ib["I_X"][l].mean(), ib["I_Y"][l].mean()
        ex, ey = ib["I_X"][l].std() / np.sqrt(K), ib["I_Y"][l].std() / np.sqrt(K)
        ax.errorbar(mx, my, xerr=ex, yerr=ey, fmt="o", color=cols[l], ms=6, label=f"layer {l + 1}")
        b = ib["beta_star"][l]
        if np.isfinite(b).any():
            ax.annotate(f"$\\beta^*$={np.nanmedian(b):.2g}", (mx, my), textcoords="offset points",
                        xytext=(4, -12), fontsize=7)
    ax.set_xlabel("$I(X;T)$ (bits)")
    ax.set_ylabel("$I(T;Y)$ (bits)")
    ax.legend(fontsize=7, loc="lower right")
    return ax


# ---------------------------------------------------------------------------------------------
# the paper's claims: (id, statement, paper's value, figure label of the chapter)
# ---------------------------------------------------------------------------------------------
CLAIMS = [
    ("P3.dpi_order_holds", "Layers are ordered by the data processing inequality at every snapshot "
     "(a check of the estimator)", "eqs. 5-6 hold by construction", "fig-p3-2"),
    ("P3.fitting_then_compression", "I(T;Y) rises first, then I(X;T) falls for the deeper layers",
     "two phases in every run", "fig-p3-3"),
    ("P3.compression_phase_longer", "The compression phase lasts much longer than the fitting phase",
     "fitting: a few hundred epochs; compression: the rest of 10^4", "fig-p3-3"),
    ("P3.snr_transition_found", "The gradient SNR drops from drift (mean > std) to diffusion (mean < std)",
     "transition at about 350 epochs", "fig-p3-4"),
    ("P3.transition_matches_plane_turn", "The SNR transition happens when the layers turn in the plane "
     "(within a factor of 2)", "same epoch", "fig-p3-4"),
    ("P3.more_layers_fewer_epochs", "More hidden layers need fewer epochs to generalise",
     "1 layer: not within 10^4 epochs; 6 layers: within 400", "fig-p3-5b"),
    ("P3.deep_layers_compress_first", "Deeper layers start compressing first",
     "top layers compress first and pull the lower ones", "fig-p3-5"),
    ("P3.layers_near_ib_bound", "Converged layers lie on or very close to the IB bound",
     "remarkably close", "fig-p3-6"),
    ("P3.beta_star_decreases_with_depth", "The fitted IB multiplier beta* decreases with depth",
     "decreasing beta along the layers", "fig-p3-6"),
    ("P3.small_sample_loses_label_information", "With a small training set, compression loses label information",
     "5%: I_Y falls during compression; 85%: it rises", "fig-p3-3"),
    ("P3.committee_machine_same_phases", "A non-symmetric committee-machine rule shows the same two phases",
     "very similar paths and SGD phases", "fig-p3-8"),
    ("P3.relu_compression_with_kde", "ReLU networks compress too, measured with the KDE bound",
     "compression is general (Saxe et al. expect none)", "fig-p3-relu"),
    ("P3.compression_depends_on_binning", "The measured compression changes with the number of bins "
     "by at least a factor of 2", "30 bins only (Saxe et al.: binning-dependent)", "fig-p3-bins"),
]


def declare_claims(recorder) -> None:
    """Declare every claim of :data:`CLAIMS` on a :class:`deepinfo.claims.ClaimRecorder`."""
    for cid, statement, paper, fig in CLAIMS:
        recorder.declare(cid, statement=statement, paper_value=paper, figure=fig)


# ---------------------------------------------------------------------------------------------
# claims: each helper returns {"measured": float, "holds": bool, "detail": str}
# ---------------------------------------------------------------------------------------------
MIN_DROP_BITS = 0.1       # a layer "compresses" when its mean I_X falls by at least this much from its peak
NEAR_BOUND_BITS = 0.05    # "on or very close to the IB bound": mean vertical gap at most this many bits
SMALL_SAMPLE_LOSS_BITS = 0.05


def deep_layers(L: int) -> list:
    """0-based indices of the deeper half of the layers (for 6 layers: layers 4, 5, 6)."""
    return list(range(L // 2, L))


def two_phases(res: dict, measure: str = "bin30") -> dict:
    """Fitting then compression for the deeper layers (paper sec. 3.4).

    For each deeper layer: the turn epoch (the mean I_X is largest), the share of the total
    rise of the mean I_Y reached by then, and the drop of I_X from the peak to the end.
    ``holds``: on average the layers had made at least half of their I_Y rise before turning and
    their I_X then fell by at least MIN_DROP_BITS.
    """
    c = compression(res, measure)
    I_X, I_Y = mean_plane(res, measure)
    ep = res["epochs"]
    deep = deep_layers(I_X.shape[1])
    shares, turns = [], []
    for l in deep:
        s = int(np.nonzero(ep == c["peak_epoch"][l])[0][0])
        rise = I_Y[:, l].max() - I_Y[0, l]
        shares.append((I_Y[s, l] - I_Y[0, l]) / rise if rise > 1e-12 else 1.0)
        turns.append(c["peak_epoch"][l])
    share, drop = float(np.mean(shares)), float(np.mean(c["drop"][deep]))
    t_turn = float(np.median(turns))
    return {"share_at_turn": share, "drop": drop, "t_turn": t_turn, "turns": np.array(turns),
            "drops": c["drop"][deep], "holds": bool(share >= 0.5 and drop >= MIN_DROP_BITS),
            "phase_ratio": float((ep[-1] - t_turn) / max(t_turn, 1.0)), "deep": deep}


def claim_dpi(res: dict, measure: str = "bin30") -> dict:
    v = dpi_violations(res, measure)
    return {"measured": v["share"], "holds": v["share"] == 0.0,
            "detail": f"{v['share']:.2%} of {v['n_pairs']:,} (snapshot, network, layer pair) comparisons increase "
                      f"with depth (I_X: {v['share_X']:.2%}, I_Y: {v['share_Y']:.2%}; largest {v['worst']:.3g} bits)"}


def claim_fitting_then_compression(res: dict, measure: str = "bin30") -> dict:
    p = two_phases(res, measure)
    layers = ", ".join(str(l + 1) for l in p["deep"])
    return {"measured": p["drop"], "holds": p["holds"],
            "detail": f"layers {layers}: {p['share_at_turn']:.0%} of the I_Y rise done when I_X turns "
                      f"(median epoch {p['t_turn']:.0f}), then I_X falls by {p['drop']:.2f} bits on average"}


def claim_compression_longer(res: dict, measure: str = "bin30") -> dict:
    p = two_phases(res, measure)
    return {"measured": p["phase_ratio"], "holds": bool(p["phase_ratio"] > 1 and p["drop"] >= MIN_DROP_BITS),
            "detail": f"compression from epoch {p['t_turn']:.0f} to {res['epochs'][-1]}: "
                      f"{p['phase_ratio']:.1f} times as many epochs as the fitting phase"}


def claim_snr(res: dict, measure: str = "bin30") -> tuple[dict, dict]:
    """P3.snr_transition_found and P3.transition_matches_plane_turn (within a factor of 2)."""
    snr = snr_transition(res)
    p = two_phases(res, measure)
    e = snr["epoch"]
    if not np.isfinite(e):
        found = {"measured": 0.0, "holds": False,
                 "detail": f"layer-averaged gradient SNR never settles below 1 within {res['epochs'][-1]} epochs"}
        match = {"measured": 0.0, "holds": False, "detail": "no transition to compare with the turn "
                 f"of the deeper layers (median epoch {p['t_turn']:.0f})"}
        return found, match
    ratio = e / max(p["t_turn"], 1.0)
    found = {"measured": e, "holds": True, "detail": f"gradient SNR falls below 1 for good at epoch {e:.0f}"}
    match = {"measured": ratio, "holds": bool(0.5 <= ratio <= 2.0),
             "detail": f"transition at epoch {e:.0f}, deeper layers turn at epoch {p['t_turn']:.0f} (ratio {ratio:.2f})"}
    return found, match


def claim_depth(runs: dict, measure: str = "bin30") -> dict:
    g = epochs_to_generalise(runs, measure=measure)
    depths = sorted(g["epochs"])
    ep = [g["epochs"][d][0] for d in depths]
    rho = spearman(depths, ep)
    censored = [d for d in depths if not g["epochs"][d][1]]
    return {"measured": rho, "holds": bool(rho < 0 and ep[-1] < ep[0]),
            "detail": f"Spearman rho(depth, epochs) = {rho:.2f}; epochs to reach {g['target']:.2f} bits at the output: "
                      + ", ".join(f"{d}: {e:.0f}{'+' if d in censored else ''}" for d, e in zip(depths, ep))}


def claim_deep_first(res: dict, measure: str = "bin30") -> dict:
    c = compression(res, measure)
    comp = [l for l in range(len(c["drop"])) if c["drop"][l] >= MIN_DROP_BITS]
    if len(comp) < 2:
        return {"measured": 0.0, "holds": False, "detail": f"only {len(comp)} layer(s) compress by >= {MIN_DROP_BITS} bits"}
    rho = spearman(comp, c["peak_epoch"][comp])
    return {"measured": rho, "holds": bool(rho < 0),
            "detail": f"Spearman rho(layer, turn epoch) = {rho:.2f} over the compressing layers "
                      + ", ".join(f"{l + 1}: {c['peak_epoch'][l]}" for l in comp)}


def claim_ib(ib: dict) -> tuple[dict, dict]:
    gap = float(np.mean(ib["gap"]))
    near = {"measured": gap, "holds": bool(gap <= NEAR_BOUND_BITS),
            "detail": f"mean vertical distance {gap:.3f} bits (largest layer mean {ib['gap'].mean(1).max():.3f})"}
    b = np.nanmedian(ib["beta_star"], axis=1) if np.isfinite(ib["beta_star"]).any() else np.full(len(ib["gap"]), np.nan)
    ok = np.nonzero(np.isfinite(b))[0]
    if len(ok) < 2:
        dec = {"measured": 0.0, "holds": False, "detail": f"beta* computed for {len(ok)} layer(s) only"}
    else:
        rho = spearman(ok, b[ok])
        dec = {"measured": rho, "holds": bool(rho < 0),
               "detail": "median beta* by layer: " + ", ".join(f"{l + 1}: {b[l]:.3g}" for l in ok)
                         + f" (Spearman rho {rho:.2f}; layers with more than the state cap not computed)"}
    return near, dec


def claim_small_sample(small: dict, large: dict, f_small: float, f_large: float, measure: str = "bin30") -> dict:
    cs, cl = compression(small, measure), compression(large, measure)
    deep = deep_layers(len(cs["I_Y_loss"]))
    ls, ll = float(np.mean(cs["I_Y_loss"][deep])), float(np.mean(cl["I_Y_loss"][deep]))
    return {"measured": ls, "holds": bool(ls >= SMALL_SAMPLE_LOSS_BITS and ls > ll),
            "detail": f"deeper layers lose {ls:.3f} bits of I_Y from their peak with {f_small:.0%} of the patterns, "
                      f"{ll:.3f} bits with {f_large:.0%}"}


def claim_committee(res: dict, measure: str = "bin30") -> dict:
    p = two_phases(res, measure)
    snr = snr_transition(res)
    ok = p["holds"] and np.isfinite(snr["epoch"])
    return {"measured": p["drop"], "holds": bool(ok),
            "detail": f"{p['share_at_turn']:.0%} of the I_Y rise before the turn, I_X drop {p['drop']:.2f} bits, "
                      + (f"SNR transition at epoch {snr['epoch']:.0f}" if np.isfinite(snr["epoch"]) else "no SNR transition")}


def claim_relu_kde(res: dict) -> dict:
    c = compression(res, "kde")
    L = len(c["drop"])
    hidden_deep = [l for l in deep_layers(L) if l < L - 1]
    drop = float(np.mean(c["drop"][hidden_deep]))
    return {"measured": drop, "holds": bool(drop >= MIN_DROP_BITS),
            "detail": f"ReLU hidden layers {', '.join(str(l + 1) for l in hidden_deep)}: KDE I_X falls by {drop:.2f} bits "
                      f"from its peak on average (drops {', '.join(f'{d:.2f}' for d in c['drop'][hidden_deep])})"}


def claim_binning(res: dict, bins=(10, 30, 100)) -> dict:
    drops = {}
    for n in bins:
        c = compression(res, f"bin{n}")
        drops[n] = float(np.mean(c["drop"][deep_layers(len(c['drop']))]))
    vals = np.array(list(drops.values()))
    ratio = float(vals.max() / max(vals.min(), 1e-3))
    return {"measured": ratio, "holds": bool(ratio >= 2.0),
            "detail": "mean I_X drop of the deeper layers: " + ", ".join(f"{n} bins {d:.2f} bits" for n, d in drops.items())
                      + f" (largest/smallest {ratio:.1f})"}
