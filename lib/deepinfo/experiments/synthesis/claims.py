"""The synthesis page's claims: declared before any run, decided by pure functions of its results.

The synthesis is this book's own chapter: it connects Song, Marsili & Jo (2018), Shwartz-Ziv &
Tishby (2017) and Lin & Tegmark (2016), so most of its statements are *this book's conjectures*,
not claims of any paper. They are declared with kind ``conjecture`` (tested like a paper claim,
counted apart from every paper's claims), each statement saying so plainly and naming the paper
sections it is built on; identities are ``sanity``, checks of the estimators ``estimator``.

Every threshold below was fixed before the page was run at any preset (most are the previous
version's, now read through an interval over networks); none may move after seeing an outcome.
"""
from __future__ import annotations


import numpy as np

from ...stats import wilson_interval
from ...claims import ClaimSpec, Uncertainty, Verdict, compare, exact_check, inconclusive
from ...estimators import TOLERANCE_BITS, relevance_gap

#: |I(X;T) - H[s]| allowed by the identity (bits): float64 sums over 4096 terms err by ~1e-13
IDENTITY_TOL_BITS = 1e-9
#: a layer "compresses" when its network-mean I(X;T) falls by more than this from its peak to the end (bits)
COMPRESSION_MIN_DROP_BITS = 0.1
#: a layer "merges patterns" (takes part in the IB comparison) when I(X;T) < log2 P - this (bits)
MERGES_MARGIN_BITS = 0.1
#: share of networks whose most relevant layer must be the one closest to the IB bound
AGREEMENT_THRESHOLD = 0.5
#: share of I(x_n; x_0) the last hidden layer must keep (bias-corrected)
KEEP_THRESHOLD = 0.8
#: share of the irrelevant resolution H(x_n) - H(T_0) the last hidden layer must discard
DISCARD_THRESHOLD = 0.5

_CONJ = "This book's conjecture, not a statement of either paper"

CLAIMS = [
    ClaimSpec(
        id="S.ix_equals_resolution", kind="sanity",
        statement="For a deterministic binned layer and P equally likely inputs, I(X;T) from the "
                  "information-plane estimator (Shwartz-Ziv & Tishby sec. 3.2) equals the resolution H[s] "
                  "(Song et al. eq. 1) of the same binned states: H(T|X) = 0, so I(X;T) = H(T) = H[s]",
        paper_value="an identity (difference 0 up to rounding)",
        threshold=f"max |I(X;T) - H[s]| < {IDENTITY_TOL_BITS:g} bits over every layer, network and snapshot",
        threshold_reason="an identity of exact arithmetic, computed by two code paths; 1e-9 bits is far above "
                         "the float64 rounding of sums over 4096 terms and far below any real difference",
        figure="fig-s-identity"),
    ClaimSpec(
        id="S.all_layers_below_max_relevance", kind="sanity",
        statement="No layer of any network, at any snapshot, lies above the maximal-relevance curve of "
                  "Song et al. (Fig. 2a) for M = P = 4096 samples: the curve is a maximum over all "
                  "partitions of M, so this holds by construction and checks the two estimators together",
        paper_value="holds by construction",
        threshold=f"largest excess H[k] - H_k^max(H[s]) <= {TOLERANCE_BITS} bits (estimators.TOLERANCE_BITS)",
        threshold_reason="the library's interpolated curve is tested to lie at most TOLERANCE_BITS below any "
                         "partition's point (linear interpolation between the curve's vertices)",
        figure="fig-s-paths"),
    ClaimSpec(
        id="S.compression_raises_relevance", kind="conjecture",
        statement=f"{_CONJ}, built on Song et al. (introduction and eq. 8: efficient representations maximise "
                  "the relevance H[k] at their resolution) and Shwartz-Ziv & Tishby (sec. 3.4: the compression "
                  "phase makes the layers' representations efficient): during the compression phase the "
                  "relevance H[k] of the compressing layers rises",
        paper_value="not stated by either paper: a question this book asks",
        threshold="per network, the mean over compressing layers of H[k](end) - H[k](turn) (bits); the 95% "
                  "interval of its mean over networks lies above 0. A layer compresses when its network-mean "
                  f"I(X;T) falls by more than {COMPRESSION_MIN_DROP_BITS} bit from its peak (the turn) to the end",
        threshold_reason="the conjecture is a sign, so the threshold is 0 with the spread over networks; "
                         "0.1 bit for 'compresses' was this page's rule before any interval was used, fixed "
                         "before any run",
        figure="fig-s-paths",
        test_differs="neither paper measures H[k] during training; the turn is the snapshot of largest "
                     "I(X;T) of each layer and network, a proxy for the paper's phase boundary (SNR transition)"),
    ClaimSpec(
        id="S.compression_moves_beta_toward_one", kind="conjecture",
        statement=f"{_CONJ}, built on Song et al. (results, discussion of Fig. 3g: layers with beta near 1, "
                  "Zipf's law, trade resolution for relevance at the same price) and Shwartz-Ziv & Tishby "
                  "(sec. 3.4): during the compression phase the power-law exponent beta of the compressing "
                  "layers' m_k moves toward beta = 1",
        paper_value="not stated by either paper: a question this book asks",
        threshold="per network, the mean over compressing layers whose m_k is a power law at both the turn and "
                  "the end (power_law_verdict holds) of |beta(turn) - 1| - |beta(end) - 1|; the 95% interval of "
                  "its mean over networks lies above 0 (at least two networks with such a layer)",
        threshold_reason="the conjecture is a direction, so the threshold is 0 with the spread over networks; "
                         "beta is read only where the book's one power-law rule says m_k is a power law, since "
                         "the exponent of a non-power-law says nothing about Zipf's law",
        figure="fig-s-paths",
        test_differs="Song et al. compare beta across the layers of trained DBNs, not along training"),
    ClaimSpec(
        id="S.most_relevant_layer_closest_to_ib", kind="conjecture",
        statement=f"{_CONJ}, built on Song et al. (results, Fig. 3g: the layer of largest H[s] + H[k] is the "
                  "best generator) and Shwartz-Ziv & Tishby (sec. 3.8: converged layers lie on or close to the "
                  "IB bound): among the hidden layers that merge patterns, the layer of largest H[s] + H[k] is "
                  "the one closest to the information-bottleneck bound",
        paper_value="not stated by either paper: a question this book asks",
        threshold=f"in more than {AGREEMENT_THRESHOLD:.0%} of the networks (Wilson 95% interval of the share "
                  "above 0.5) the two layers coincide; candidates per network: hidden layers with "
                  f"I(X;T) < log2 P - {MERGES_MARGIN_BITS} bits, networks with at least two candidates",
        threshold_reason="the conjecture names one layer for each network, so it must hold in most of them; "
                         "a layer that keeps every pattern apart sits at the end of the IB curve whatever it "
                         "learned and cannot take part",
        figure="fig-s-ib",
        test_differs="the gap to the IB bound is vertical (I_Y^IB(I_X) - I_Y); Shwartz-Ziv & Tishby test the IB "
                     "self-consistent equations (eq. 9, 12), not distances"),
    ClaimSpec(
        id="S.chain_network_keeps_label_information", kind="conjecture",
        statement=f"{_CONJ}, built on Lin & Tegmark (sec. III C, Theorem 2: a Markov hierarchy can be inverted "
                  "step by step without losing information about x_0; sec. III D: near-sufficient statistics "
                  "keep most of it): a narrowing network trained on the last level x_n keeps, in its last "
                  "hidden layer, most of I(x_n; x_0)",
        paper_value=f"not stated as such: at least {KEEP_THRESHOLD:.0%} of I(x_n; x_0) (our reading of 'most')",
        threshold=f"bias-corrected I(T_last; x_0) / I(x_n; x_0) > {KEEP_THRESHOLD}, 95% interval over networks",
        threshold_reason="Lin & Tegmark ask distillers to keep 'most of the relevant information'; 80% was fixed "
                         "as that reading before any run",
        figure="fig-s-chain",
        test_differs="Theorem 2 proves that lossless inverting functions exist; we test whether SGD training "
                     "finds a network close to them, with random channels (whose minimal sufficient statistic "
                     "is x_n itself) and the plug-in estimator minus its shuffled-label bias"),
    ClaimSpec(
        id="S.chain_network_distils_sufficient_statistic", kind="conjecture",
        statement=f"{_CONJ}, built on Lin & Tegmark (sec. III C, Theorem 2 and Fig. 3: the minimal sufficient "
                  "statistic as an information distiller that keeps what x_n says about x_0 and discards the "
                  "rest): on a noisy-copy chain whose minimal sufficient statistic T_0(x_n) has 2 classes, the "
                  "last hidden layer of a trained narrowing network keeps most of I(x_n; x_0) and discards most "
                  "of the irrelevant rest of x_n",
        paper_value="not stated as such: keep at least 80% of I(x_n; x_0), discard more than half of "
                    "H(x_n) - H(T_0)",
        threshold=f"both, with 95% intervals over networks: bias-corrected I(T_last; x_0) / I(x_n; x_0) > "
                  f"{KEEP_THRESHOLD}, and (H(x_n) - H[s](T_last)) / (H(x_n) - H(T_0)) > {DISCARD_THRESHOLD}; "
                  "holds if both hold, does not hold if either does not",
        threshold_reason="80% is this page's reading of 'most' (as for the random chain); above one half the "
                         "layer's resolution is nearer the minimal sufficient statistic's than x_n's; both "
                         "fixed before any run",
        figure="fig-s-chain",
        test_differs="Theorem 2 proves that the minimal sufficient statistics exist and compose; we ask whether "
                     "SGD training finds one, measured on binned layers (30 bins) over the M samples"),
    ClaimSpec(
        id="S.chain_layers_obey_dpi", kind="estimator",
        statement="The plug-in estimate of I(T_l; x_0) never grows from one hidden layer to the next by more "
                  "than its own bias (the true information obeys the data processing inequality exactly; "
                  "binned layers need not be functions of the binned layer below)",
        paper_value="holds for the true information of any feed-forward network",
        threshold="in every network, largest rise I(T_l+1; x_0) - I(T_l; x_0) <= the largest shuffled-label "
                  "bias of its layers",
        threshold_reason="the bias of the plug-in estimator, measured on the same samples, is the scale below "
                         "which a rise is indistinguishable from estimation error",
        figure="fig-s-chain"),
]

SPECS = {c.id: c for c in CLAIMS}


def information_plane_preset(cfg) -> str:
    """The name of the information-plane chapter's preset whose main run the synthesis reuses
    (``cfg.ensemble.information_plane``), or "custom" when it was changed from every preset."""
    from ..information_plane.run import PRESETS as IP_PRESETS

    return next((n for n, c in IP_PRESETS.items() if c == cfg.ensemble.information_plane), "custom")


def scale(cfg, seed: int = 0) -> dict:
    """What a reader needs to weigh the page's results (the recorder's ``scale``).

    The ensemble is the information-plane chapter's main run (``cfg.ensemble.information_plane``): its
    networks, epochs, snapshots, optimiser, learning rate, batch size and training share are reported here.
    """
    e, c = cfg.ensemble, cfg.chain
    ip = e.information_plane
    return {"data": "12-bit spherical rule of Shwartz-Ziv & Tishby (generated, all P = 4096 patterns); "
                    f"random Markov chain {'-'.join(map(str, c.chain.sizes))} of Lin & Tegmark's form and a "
                    f"{cfg.distiller.n_steps}-step noisy-copy bit chain (both generated)",
            "ensemble": f"the information-plane chapter's main run (preset {information_plane_preset(cfg)}), reused",
            "M": 4096, "networks": ip.n_networks, "epochs": ip.epochs, "snapshots": ip.n_snapshots,
            "optimizer": ip.optimizer, "lr": ip.lr, "batch_size": ip.batch_size, "train_fraction": ip.main_fraction,
            "bins": e.n_bins, "chain_M": c.chain.M, "chain_networks": c.n_networks, "chain_epochs": c.epochs,
            "distiller_M": cfg.distiller.M, "distiller_networks": cfg.distiller.n_networks, "seed": int(seed)}


# ------------------------------------------------------------------------------------ helpers
def _per_network(values: np.ndarray, over: str = "networks") -> tuple[float, Uncertainty]:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(v.mean()), Uncertainty.from_samples(v, over=over)


# ------------------------------------------------------------------------------ the ensemble
def identity_verdict(I_X, H_s) -> Verdict:
    """S.ix_equals_resolution from I_X and H_s of the same states (any equal shapes, bits)."""
    I_X, H_s = np.asarray(I_X, dtype=float), np.asarray(H_s, dtype=float)
    gap = float(np.nanmax(np.abs(I_X - H_s)))
    return exact_check(gap < IDENTITY_TOL_BITS, gap, f"max |I(X;T) - H[s]| = {gap:.1e} bits over "
                       f"{I_X.size} layer snapshots", method="exact: the same binned states counted twice",
                       threshold_value=IDENTITY_TOL_BITS)


def below_bound_verdict(H_s, H_k, M: int, curve=None) -> Verdict:
    """S.all_layers_below_max_relevance: largest excess over the maximal-relevance curve for M samples (bits)."""
    gap = relevance_gap(np.asarray(H_s, dtype=float).ravel(), np.asarray(H_k, dtype=float).ravel(), int(M),
                        curve=curve)
    excess = float(-gap.min())
    return exact_check(excess <= TOLERANCE_BITS, excess,
                       f"largest excess over the curve {excess:.2g} bits over {gap.size} points "
                       f"(tolerance {TOLERANCE_BITS} bits)", method="exact: the bound of every partition of M",
                       threshold_value=TOLERANCE_BITS)


def compressing_layers(I_X_turn, I_X_end, min_drop: float = COMPRESSION_MIN_DROP_BITS) -> np.ndarray:
    """(L,) bool: layers whose network-mean I(X;T) falls by more than ``min_drop`` bits from turn to end."""
    drop = np.nanmean(np.asarray(I_X_turn, float) - np.asarray(I_X_end, float), axis=1)
    return drop > min_drop


def compression_verdicts(te: dict, min_drop: float = COMPRESSION_MIN_DROP_BITS) -> dict[str, Verdict]:
    """S.compression_raises_relevance and S.compression_moves_beta_toward_one.

    ``te``: (L, K) arrays at each layer's turn and at the end (:func:`..run.turn_and_end`): ``I_X_turn``,
    ``I_X_end``, ``H_k_turn``, ``H_k_end`` (bits), ``beta_turn``, ``beta_end``, ``pl_status_turn``,
    ``pl_status_end`` (1 = power law holds).
    """
    comp = compressing_layers(te["I_X_turn"], te["I_X_end"], min_drop)
    n_comp = int(comp.sum())
    out = {}
    if n_comp == 0:
        why = (f"no layer's mean I(X;T) fell by more than {min_drop} bit after its peak: this preset's "
               "training did not reach a compression phase")
        return {"S.compression_raises_relevance": inconclusive(why, detail="0 compressing layers"),
                "S.compression_moves_beta_toward_one": inconclusive(why, detail="0 compressing layers")}
    dHk = np.asarray(te["H_k_end"], float)[comp] - np.asarray(te["H_k_turn"], float)[comp]  # (C, K)
    per_net = np.nanmean(dHk, axis=0)
    rises = int((dHk > 0).sum())
    if np.isfinite(per_net).sum() < 2:
        out["S.compression_raises_relevance"] = inconclusive("fewer than two networks: no spread to decide with",
                                                             detail=f"{n_comp} compressing layers")
    else:
        m, unc = _per_network(per_net)
        out["S.compression_raises_relevance"] = compare(
            m, unc, 0.0, ">", detail=f"H[k] changed by {m:+.3f} +/- {unc.se:.3f} bits (mean over networks of the "
                                     f"mean over {n_comp} compressing layers); rose in {rises} of {dHk.size} "
                                     "layer-network pairs")
    b_t, b_e = np.asarray(te["beta_turn"], float)[comp], np.asarray(te["beta_end"], float)[comp]
    ok = ((np.asarray(te["pl_status_turn"])[comp] == 1) & (np.asarray(te["pl_status_end"])[comp] == 1)
          & np.isfinite(b_t) & np.isfinite(b_e))
    toward = np.where(ok, np.abs(b_t - 1) - np.abs(b_e - 1), np.nan)
    with np.errstate(all="ignore"):
        per_net_b = np.array([np.nanmean(col) if np.isfinite(col).any() else np.nan for col in toward.T])
    n_net = int(np.isfinite(per_net_b).sum())
    if n_net < 2:
        out["S.compression_moves_beta_toward_one"] = inconclusive(
            f"only {n_net} network(s) have a compressing layer whose m_k is a power law (power_law_verdict "
            "holds) at both the turn and the end: too few to read a direction of beta",
            detail=f"{int(ok.sum())} usable layer-network pairs of {ok.size}")
    else:
        m, unc = _per_network(per_net_b)
        out["S.compression_moves_beta_toward_one"] = compare(
            m, unc, 0.0, ">", detail=f"|beta - 1| fell by {m:+.3f} +/- {unc.se:.3f} (mean over {n_net} networks; "
                                     f"{int(ok.sum())} layer-network pairs with a power law at both ends)",
            scale={"networks_used": n_net})
    return out


def ib_agreement(gap, H_sum, I_X, P: int, margin: float = MERGES_MARGIN_BITS) -> dict:
    """Per network: the most relevant and the closest-to-IB layer among the candidates.

    gap, H_sum, I_X : (L, K) at the end of training (bits); the last layer (the output) never takes
    part, nor a layer with I(X;T) >= log2 P - margin. Returns ``most_relevant``, ``closest`` (K,)
    1-based layers (0 when the network has fewer than two candidates), ``agree`` (K,) bool and
    ``n_candidates`` (K,).
    """
    gap, H_sum, I_X = (np.asarray(a, dtype=float) for a in (gap, H_sum, I_X))
    L, K = gap.shape
    cand = (np.arange(L)[:, None] < L - 1) & (I_X < np.log2(P) - margin) & np.isfinite(gap) & np.isfinite(H_sum)
    most, close = np.zeros(K, int), np.zeros(K, int)
    for k in range(K):
        idx = np.flatnonzero(cand[:, k])
        if idx.size >= 2:
            most[k] = idx[np.argmax(H_sum[idx, k])] + 1
            close[k] = idx[np.argmin(gap[idx, k])] + 1
    return {"most_relevant": most, "closest": close, "agree": (most == close) & (most > 0),
            "n_candidates": cand.sum(0)}


def ib_verdict(gap, H_sum, I_X, P: int) -> Verdict:
    """S.most_relevant_layer_closest_to_ib from (L, K) arrays at the end of training."""
    a = ib_agreement(gap, H_sum, I_X, P)
    used = a["most_relevant"] > 0
    n, s = int(used.sum()), int(a["agree"].sum())
    if n < 2:
        return inconclusive(f"only {n} network(s) have two or more hidden layers that merge patterns "
                            f"(I(X;T) < log2 P - {MERGES_MARGIN_BITS} bits): nothing to compare",
                            detail=f"{n} usable networks")
    lo, hi = wilson_interval(s, n)
    unc = Uncertainty(method=f"Wilson 95% interval over {n} networks", lo=lo, hi=hi, level=0.95, n=n)
    pairs = ", ".join(f"T{m}/T{c}" for m, c in zip(a["most_relevant"][used], a["closest"][used]))
    return compare(s / n, unc, AGREEMENT_THRESHOLD, ">",
                   detail=f"same layer in {s} of {n} networks (most relevant / closest to the IB bound: {pairs})")


def evaluate_ensemble(res: dict, te: dict, cmp: dict) -> dict[str, Verdict]:
    """The five ensemble claims from the run (:func:`..run.run_ensemble`), its turn/end summary
    (:func:`..run.turn_and_end`) and its IB comparison (:func:`..run.ib_comparison`)."""
    out = {"S.ix_equals_resolution": identity_verdict(res["I_X"], res["H_s"]),
           "S.all_layers_below_max_relevance": below_bound_verdict(res["H_s"], res["H_k"], int(res["P"]))}
    out.update(compression_verdicts(te))
    out["S.most_relevant_layer_closest_to_ib"] = ib_verdict(cmp["gap"], cmp["H_sum"], cmp["I_X"], int(res["P"]))
    return out


# ---------------------------------------------------------------------------------- the chain
def kept_fraction(chain: dict) -> np.ndarray:
    """(R,) bias-corrected share of I(x_n; x_0) in each network's last hidden layer."""
    I = np.asarray(chain["I_T_X0"], float)[:, -1] - np.asarray(chain["I_T_X0_shuffled"], float)[:, -1]
    return I / float(np.asarray(chain["I_chain"])[-1])


def chain_keep_verdict(chain: dict) -> Verdict:
    """S.chain_network_keeps_label_information from :func:`..run.run_chain`'s result."""
    kept = kept_fraction(chain)
    sc = {"M": int(chain["M"]), "networks": int(len(kept))}
    if len(kept) < 2:
        return inconclusive("one network: no spread over networks to decide with", value=float(kept.mean()),
                            uncertainty=Uncertainty("one network", se=float("nan"), n=1), scale=sc)
    m, unc = _per_network(kept)
    acc = np.asarray(chain["test_acc"], float)
    return compare(m, unc, KEEP_THRESHOLD, ">", scale=sc,
                   detail=f"last layer keeps {m:.0%} +/- {unc.se:.0%} of I(x_n;x_0) = {chain['I_chain'][-1]:.3f} "
                          f"bits (bias-corrected, {len(kept)} networks); accuracy {acc.mean():.3f} vs Bayes "
                          f"{chain['bayes_acc']:.3f}")


def chain_dpi_verdict(chain: dict) -> Verdict:
    """S.chain_layers_obey_dpi: the largest layer-to-layer rise minus the bias, worst network (bits)."""
    I = np.asarray(chain["I_T_X0"], float)
    bias = np.asarray(chain["I_T_X0_shuffled"], float)
    rise = np.diff(I, axis=1).max(axis=1) if I.shape[1] > 1 else np.zeros(len(I))
    excess = rise - bias.max(axis=1)
    worst = int(np.argmax(excess))
    return exact_check(bool((excess <= 0).all()), float(excess[worst]),
                       f"largest rise from one layer to the next {rise[worst]:+.3f} bits against a plug-in bias of "
                       f"{bias[worst].max():.3f} bits (network {worst + 1} of {len(I)})",
                       method="plug-in estimates on the M samples; tolerance the shuffled-label bias",
                       threshold_value=0.0, scale={"M": int(chain["M"]), "networks": int(len(I))})


def distiller_fractions(d: dict) -> tuple[np.ndarray, np.ndarray]:
    """(keep, discard), each (R,): the bias-corrected share of I(x_n; x_0) in each network's last hidden
    layer, and the share of H(x_n) - H(T_0) it discards, (H(x_n) - H[s]) / (H(x_n) - H(T_0))."""
    I = np.asarray(d["I_T_X0"], float)[:, -1] - np.asarray(d["I_T_X0_shuffled"], float)[:, -1]
    keep = I / float(d["I_xn_x0"])
    discard = (float(d["H_xn"]) - np.asarray(d["H_s"], float)[:, -1]) / (float(d["H_xn"]) - float(d["H_T0"]))
    return keep, discard


def distiller_verdict(d: dict) -> Verdict:
    """S.chain_network_distils_sufficient_statistic from :func:`..run.run_distiller`'s result.

    Both parts are read with :func:`deepinfo.claims.compare`; the claim holds when both hold, does not
    hold when either does not, and is inconclusive otherwise (with the undecided part's reason).
    """
    keep, discard = distiller_fractions(d)
    sc_ = {"M": int(d["M"]), "networks": int(len(keep))}
    if len(keep) < 2:
        return inconclusive("one network: no spread over networks to decide with", value=float(discard.mean()),
                            uncertainty=Uncertainty("one network", se=float("nan"), n=1), scale=sc_)
    mk, uk = _per_network(keep)
    md, ud = _per_network(discard)
    vk = compare(mk, uk, KEEP_THRESHOLD, ">")
    vd = compare(md, ud, DISCARD_THRESHOLD, ">")
    detail = (f"last layer keeps {mk:.0%} +/- {uk.se:.0%} of I(x_n;x_0) = {float(d['I_xn_x0']):.3f} bits and "
              f"discards {md:.0%} +/- {ud.se:.0%} of H(x_n) - H(T_0) = {float(d['H_xn']) - float(d['H_T0']):.2f} "
              f"bits ({len(keep)} networks)")
    extra = {"keep": mk, "keep_se": uk.se, "keep_status": vk.status}
    if vk.status == "holds" and vd.status == "holds":
        return Verdict("holds", md, ud, detail, threshold_value=DISCARD_THRESHOLD, scale=sc_, extra=extra)
    if "does not hold" in (vk.status, vd.status):
        return Verdict("does not hold", md, ud, detail, threshold_value=DISCARD_THRESHOLD, scale=sc_, extra=extra)
    part = "keep" if vk.status == "inconclusive" else "discard"
    return inconclusive(f"{part}: {(vk if part == 'keep' else vd).reason}", md, ud, detail,
                        threshold_value=DISCARD_THRESHOLD, scale=sc_, extra=extra)


def evaluate_chain(chain: dict, distiller: dict | None = None) -> dict[str, Verdict]:
    """The chain claims from :func:`..run.run_chain` (and :func:`..run.run_distiller` when given)."""
    out = {"S.chain_network_keeps_label_information": chain_keep_verdict(chain),
           "S.chain_layers_obey_dpi": chain_dpi_verdict(chain)}
    if distiller is not None:
        out["S.chain_network_distils_sufficient_statistic"] = distiller_verdict(distiller)
    return out
