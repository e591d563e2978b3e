"""Claims of the Lee & Jo (2022) Ising and theory page, and the pure functions that decide them.

Power-law statements use the book's one rule through the library's adapters
(:mod:`deepinfo.verdicts`: ``fit``, ``all_of``), which wrap
:func:`deepinfo.estimators.power_law_verdict`. Fig. 5 is repeated over ``Config.n_seeds``
realisations (new patterns and a new network each); values over them carry
:meth:`Uncertainty.from_samples`. The identities of Sec. III (Fig. 8, eqs. 13-15) are ``sanity``
checks: true by construction, shown, never counted as findings.
"""
from __future__ import annotations

import math

import numpy as np

from ...claims import ClaimSpec, Uncertainty, Verdict, compare, exact_check, inconclusive
from ...theory import counts_from_degeneracy, thermodynamics
from ...verdicts import PL_REASON, PL_THRESHOLD, STATUS_OF, all_of, fit, fit_line, said  # noqa: F401

#: P2.ising_low_T_inherits_input_degeneracy: 'trivially reflected' = most code coincidences are identical inputs
SHARE_MIN = 0.5
#: ... and the premise: at least this share of the low-T samples repeat another sample
REPEATED_MIN = 0.5
#: identities are checked to this many bits (floating-point rounding of sums of a few thousand terms)
IDENTITY_TOL = 1e-9

CLAIMS = [
    ClaimSpec("P2.ising_low_T_inherits_input_degeneracy", "paper",
              "At low temperature (T = 1.53) many Ising patterns are identical, and the codes' degeneracy m(k_z) "
              "merely reflects those duplicates.",
              "m(k_z) trivially reflects m(k_x) at T = 1.53 (Fig. 5)",
              f"mean over realisations of the share of code coincidences that are identical inputs, "
              f"sum_x k_x(k_x-1) / sum_z k_z(k_z-1), above {SHARE_MIN} with its whole 95% interval; the premise "
              f"(at least {REPEATED_MIN:.0%} of the samples repeated) must hold, else inconclusive",
              "'trivially reflected' read as: most pairs of samples that share a code share it because they are "
              "the same pattern; one half is the point where duplicates stop being the main cause",
              figure="fig-p2i-5",
              test_differs="Under our reading 'trivially reflected' means the duplicates explain most of the "
                           "grouping in z (share > 0.5); the paper compares the two plots by eye. The paper gives "
                           "neither the hidden width nor the training length (ours: in the setting line)."),
    ClaimSpec("P2.ising_high_T_codes_power_law", "paper",
              "At high temperature (T = 3.28) the input patterns are all distinct, yet the codes of a shallow "
              "autoencoder have a power-law m(k_z).",
              "power law of m(k_z) above the critical temperature (Fig. 5)",
              PL_THRESHOLD + ", in every realisation (new patterns and a new network each)", PL_REASON,
              figure="fig-p2i-5",
              test_differs="The paper reads the power law off one plot; we fit each realisation's codes by maximum "
                           "likelihood and test them against a characteristic scale (power_law_verdict). Hidden "
                           "width 20 is our choice (the paper does not give it); the page shows other widths."),
    ClaimSpec("P2.lagrangian_maximiser_is_power_law", "paper",
              "The degeneracy that maximises H(K) + beta H(Z) at fixed M (eqs. 6-7) is the power law "
              "m(k) ~ k^(-beta-1).",
              "m(k) ~ k^(-beta-1) (eq. 7)",
              "for every beta of the preset, power_law_verdict holds on the exact integer maximiser and its "
              "bootstrap 95% interval of beta contains the true beta",
              "the same calibrated rule as for the networks, applied to the exact optimum (no sampling noise in "
              "the partition itself); containing the true beta is the exponent part of eq. 7",
              figure="fig-p2i-eq7",
              test_differs="The paper solves the continuous problem; we maximise over integer partitions of M "
                           "exactly (a degeneracy is a count), which forces a cut-off at large k."),
    ClaimSpec("P2.fig8_hyz_not_explicit_in_mk", "sanity",
              "Fig. 8a-b: the cluster sizes m(k) can change while H(Y,Z) stays fixed, and H(Y,Z) can change while "
              "m(k) stays fixed.",
              "the two scenarios of Fig. 8a and 8b",
              "exact equality and inequality of the entropies of the worked examples (to 1e-9 bits)",
              "an identity of the constructed examples: shown to make the argument concrete, not a finding; eqs. 9-12 "
              "are a heuristic argument that these examples illustrate but do not prove",
              test_differs="Three images per example, built to show the two scenarios; the examples change the "
                           "codes, never the labels (the data)."),
    ClaimSpec("P2.pure_clustering_accuracy_is_HY", "sanity",
              "Fig. 8c: with pure clusters H(Y,Z) = H(Z), so the accuracy I(Z;Y) = H(Y) no longer depends on m(k).",
              "I(Z;Y) = H(Y) for pure clustering",
              "exact equality of the worked example's entropies (to 1e-9 bits)",
              "an identity (H(Y|Z) = 0 when every cluster holds one label): shown, never counted"),
    ClaimSpec("P2.thermodynamic_reading_is_identity", "sanity",
              "Eqs. 13-15: with U = H(Z), S = H(K) and T = -1/beta, the free energy F = U - T S equals -T (H(K) + "
              "beta H(Z)) for the measured codes.",
              "F = U - TS = -T L (eq. 15)",
              "|F + T L| below 1e-9 bits for every measured code and input layer with a fitted beta",
              "an algebraic identity: the thermodynamic names rename the resolution and the relevance",
              figure="fig-p2i-plane"),
]


def scale(cfg) -> dict:
    """Setting of the page: Ising lattice and samples, autoencoder, realisations; theory M."""
    ic = cfg.ising
    return {"data": f"Ising {ic.L}x{ic.L} (generated, Metropolis), T = {list(ic.temperatures)}",
            "M": int(ic.n_samples), "autoencoder": f"{ic.L * ic.L}-{ic.n_hidden}-{ic.L * ic.L}, {ic.epochs} epochs",
            "realisations": int(cfg.n_seeds), "theory M": int(cfg.theory.M), "theory betas": list(cfg.theory.betas)}


def _at(run: dict, which: str) -> dict:
    Ts = [r["T"] for r in run["runs"]]
    return run["runs"][int(np.argmin(Ts) if which == "low" else np.argmax(Ts))]


def evaluate_low_T(realisations) -> dict:
    """P2.ising_low_T_inherits_input_degeneracy from the :func:`run_fig5` results of each realisation."""
    lows = [_at(r, "low") for r in realisations]
    share = np.array([r["coincidence_share"] for r in lows], dtype=float)
    rep = np.array([r["repeated_input_fraction"] for r in lows], dtype=float)
    n = len(lows)
    sc = {"T": lows[0]["T"], "M": lows[0].get("M"), "realisations": n}
    detail = (f"T = {lows[0]['T']}: share of code coincidences that are identical inputs "
              + ", ".join(f"{x:.3f}" for x in share) + "; repeated inputs " + ", ".join(f"{x:.0%}" for x in rep)
              + "; input states -> codes " + ", ".join(f"{r['counts_x'].size} -> {r['counts_z'].size}" for r in lows))
    unc = Uncertainty.from_samples(share, "realisations (patterns and network)")
    if rep.mean() < REPEATED_MIN:
        return {"P2.ising_low_T_inherits_input_degeneracy": inconclusive(
            f"the premise is absent: only {rep.mean():.0%} of the low-T samples repeat another sample",
            float(share.mean()), unc, detail, scale=sc)}
    return {"P2.ising_low_T_inherits_input_degeneracy": compare(float(share.mean()), unc, SHARE_MIN, ">",
                                                                 detail=detail, scale=sc)}


def evaluate_high_T(realisations, seeds=None) -> dict:
    """P2.ising_high_T_codes_power_law: the codes at the highest T are a power law in every realisation."""
    his = [_at(r, "high") for r in realisations]
    seeds = list(seeds) if seeds is not None else list(range(len(his)))
    items = [(f"seed {s}", fit(r["counts_z"])) for s, r in zip(seeds, his)]
    return {"P2.ising_high_T_codes_power_law": all_of(items, "realisations",
                                                      scale={"T": his[0]["T"], "M": his[0].get("M"),
                                                             "realisations": len(his)})}


def theory_fits(th: dict) -> list:
    """[(beta, PowerLawVerdict of the exact integer maximiser at that beta)]."""
    return [(float(case["beta"]), fit(counts_from_degeneracy(case["k"], case["m_k"]))) for case in th["cases"]]


def evaluate_theory(th: dict) -> dict:
    """P2.lagrangian_maximiser_is_power_law from :func:`run_theory`'s exact maximisers."""
    fits = theory_fits(th)
    lines, worst, shape = [], None, []
    for beta, v in fits:
        lo, hi = v.beta_ci
        agrees = bool(np.isfinite([lo, hi]).all() and lo <= beta <= hi)
        shape.append((STATUS_OF[v.status], agrees))
        lines.append(fit_line(f"beta = {beta:g}", v) + ("" if agrees else " (true beta outside the interval)"))
        dev = abs(v.beta - beta) if math.isfinite(v.beta) else math.inf
        if worst is None or dev > worst[0]:
            worst = (dev, beta, v)
    detail = f"M = {th['M']}; " + "; ".join(lines)
    sc = {"M": int(th["M"]), "betas": [b for b, _ in fits]}
    dev, beta, v = worst
    if not math.isfinite(dev):
        return {"P2.lagrangian_maximiser_is_power_law": inconclusive(
            f"no exponent could be fitted at beta = {beta:g}: {v.reason}", detail=detail, scale=sc)}
    lo, hi = v.beta_ci
    unc = (Uncertainty("bootstrap 95% interval of the fitted beta over the maximiser's states, minus the true beta "
                       f"(at the worst beta, {beta:g})", lo=float(lo - beta), hi=float(hi - beta), level=0.95,
                       n=int(v.n_tail)) if np.isfinite([lo, hi]).all()
           else Uncertainty("no bootstrap interval", se=math.nan))
    kw = dict(threshold_value=0.0, scale=sc, extra={"per_beta": {f"{b:g}": f.as_dict() for b, f in fits}})
    value = float(v.beta - beta)
    if any(s == "does not hold" for s, _ in shape) or any(s != "inconclusive" and not a for s, a in shape):
        return {"P2.lagrangian_maximiser_is_power_law": Verdict("does not hold", value, unc, detail, **kw)}
    if any(s == "inconclusive" for s, _ in shape):
        return {"P2.lagrangian_maximiser_is_power_law": inconclusive(
            "the power-law rule is inconclusive for the maximiser at some beta", value, unc, detail, **kw)}
    return {"P2.lagrangian_maximiser_is_power_law": Verdict("holds", value, unc, detail, **kw)}


def evaluate_fig8(scenarios) -> dict:
    """The two sanity checks of Fig. 8 from :func:`deepinfo.theory.fig8_scenarios`."""
    a, b, c = scenarios
    da = abs(a["before"]["H_yz"] - a["after"]["H_yz"])
    db = abs(b["before"]["H_yz"] - b["after"]["H_yz"])
    ok = (a["before"]["m_k"] != a["after"]["m_k"] and da < IDENTITY_TOL
          and b["before"]["m_k"] == b["after"]["m_k"] and db > IDENTITY_TOL)
    pure = c["before"]
    dc = abs(pure["I_zy"] - pure["H_y"])
    return {"P2.fig8_hyz_not_explicit_in_mk": exact_check(
                ok, da, f"(a) m(k) {a['before']['m_k']} -> {a['after']['m_k']}, |change of H(Y,Z)| = {da:.2g} bits; "
                        f"(b) m(k) {b['before']['m_k']} fixed, |change of H(Y,Z)| = {db:.3f} bits",
                method="exact entropies of the worked examples"),
            "P2.pure_clustering_accuracy_is_HY": exact_check(
                dc < IDENTITY_TOL and abs(pure["H_yz"] - pure["H_z"]) < IDENTITY_TOL, dc,
                f"(c) I(Z;Y) = {pure['I_zy']:.4f}, H(Y) = {pure['H_y']:.4f}, H(Y,Z) = {pure['H_yz']:.4f}, "
                f"H(Z) = {pure['H_z']:.4f} bits", method="exact entropies of the worked example")}


def evaluate_thermodynamics(realisation: dict) -> dict:
    """P2.thermodynamic_reading_is_identity on one realisation's inputs and codes (each with its fitted beta)."""
    worst, n = 0.0, 0
    for r in realisation["runs"]:
        for name in ("x", "z"):
            b = fit(r[f"counts_{name}"]).beta
            if not math.isfinite(b) or b == 0:
                continue
            d = thermodynamics(r[f"counts_{name}"], b)
            worst = max(worst, abs(d["F"] + d["T"] * d["L"]))
            n += 1
    if n == 0:
        return {"P2.thermodynamic_reading_is_identity": inconclusive("no layer has a fitted beta")}
    return {"P2.thermodynamic_reading_is_identity": exact_check(
        worst < IDENTITY_TOL, worst, f"largest |F + T L| = {worst:.2g} bits over {n} layers",
        method="floating-point evaluation of an identity")}
