"""Renormalisation of a Gaussian random field (paper section III E, eq. 23-24).

Convention (stated once, used everywhere). The field y lives on an L x L periodic lattice of unit
spacing; derivatives are spectral (exact on the lattice's Fourier modes), so with the DFT
y~_k = sum_r y_r exp(-i k.r), k = 2 pi (m1, m2) / L, |k|^2 = k1^2 + k2^2, eq. 23 becomes

    H_x(y) = sum_r [x0 y^2 + x1 (grad y)^2 + x2 (lap y)^2] = (1/N) sum_k E(k) |y~_k|^2,
    E(k) = x0 + x1 |k|^2 + x2 |k|^4,          N = L^2,

and p(y) ~ exp(-H) gives <|y~_k|^2> = N / (2 E(k)). A coupling estimate is the polynomial fit of
E(k) = N / (2 <|y~_k|^2>) in |k|^2 at small |k|.

Coarse-graining by b: each b x b block becomes one pixel whose value is c times the block average
(c = 1: the block average; c = b^2: the block sum; c = 1/b^2: the average divided by b^2 once
more), and the coarse lattice is again given unit spacing (lengths shrink by b). At small k' the
coarse couplings are x_i' = b^(2 - 2i) x_i / c^2: eq. 24 is the case c = 1 (average, no extra
rescaling of the field). Block averaging also filters and aliases the short-wavelength modes, so
it generates k'^2, k'^4 terms of its own; Fourier decimation (keep |k_mu| < pi/b, then relabel)
does not, and gives eq. 24 exactly at every k'.
"""
from __future__ import annotations

import numpy as np


def k2_grid(L: int) -> np.ndarray:
    k = 2 * np.pi * np.fft.fftfreq(L)
    return k[:, None] ** 2 + k[None, :] ** 2


def energy(x, k2: np.ndarray) -> np.ndarray:
    """E(k) = sum_i x_i |k|^(2i)."""
    return sum(xi * k2 ** i for i, xi in enumerate(x))


def sample_fields(x, L: int, S: int, rng: np.random.Generator) -> np.ndarray:
    """S fields (S, L, L) with p(y) ~ exp(-H_x(y)): y = C^(1/2) w, white noise w, C = (2Q)^-1, via FFT."""
    E = energy(x, k2_grid(L))
    w = rng.normal(size=(S, L, L))
    return np.fft.ifft2(np.fft.fft2(w) / np.sqrt(2 * E)).real


def block_average(y: np.ndarray, b: int, c: float = 1.0) -> np.ndarray:
    """(S, L, L) -> (S, L/b, L/b): c times the mean of each b x b block."""
    S, L, _ = y.shape
    return c * y.reshape(S, L // b, b, L // b, b).mean((2, 4))


def fourier_decimate(y: np.ndarray, b: int) -> np.ndarray:
    """(S, L, L) -> (S, L/b, L/b): keep the modes |k_mu| < pi/b (y'~_k' = y~_(k'/b) / b^2), inverse FFT.
    The coarse Nyquist line k'_mu = -pi keeps only one of the two fine modes +-pi/b and is made real
    by taking the real part (it lies outside any fit range |k'| <= pi/2)."""
    S, L, _ = y.shape
    Lc = L // b
    idx = np.fft.fftfreq(Lc, d=1.0 / Lc).astype(int) % L  # fine indices of the kept modes
    Y = np.fft.fft2(y)[:, idx][:, :, idx] / b ** 2
    return np.fft.ifft2(Y).real


def exact_block_energy(x, L: int, b: int, c: float = 1.0) -> np.ndarray:
    """E'(k') = N' / (2 P'(k')) of the block-averaged field, exactly: P'(k') = c^2 b^-4 sum over the
    b^2 aliases k of k' of |kappa(k)|^2 N / (2 E(k)), kappa(k) = prod_mu sin(b k_mu/2) / (b sin(k_mu/2))."""
    kk = 2 * np.pi * np.fft.fftfreq(L)
    with np.errstate(invalid="ignore", divide="ignore"):
        kap = np.where(np.abs(kk) < 1e-15, 1.0, np.sin(b * kk / 2) / (b * np.sin(kk / 2)))
    K2 = (kap[:, None] * kap[None, :]) ** 2
    N, Lc = L * L, L // b
    P = K2 * N / (2 * energy(x, k2_grid(L)))
    Pc = c ** 2 * P.reshape(b, Lc, b, Lc).sum((0, 2)) / b ** 4
    return Lc * Lc / (2 * Pc)


def fit_couplings(E: np.ndarray, k2: np.ndarray, kmax: float, order: int = 2, weights=None) -> np.ndarray:
    """Least-squares (x0, ..., x_order) of E(k) ~ sum_i x_i |k|^(2i) over modes with 0 < ... |k| <= kmax."""
    sel = k2 <= kmax ** 2
    A = np.stack([k2[sel] ** i for i in range(order + 1)], 1)
    w = np.ones(sel.sum()) if weights is None else np.sqrt(weights[sel])
    # relative residuals (A coef - E) / E, weighted: Var(E_hat) ~ E^2 / (number of samples of the mode)
    coef, *_ = np.linalg.lstsq(A * (w / E[sel])[:, None], w, rcond=None)
    return coef


def estimate_energy(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E_hat(k) = N / (2 mean_s |y~_k|^2) over the S fields, with the number of samples per mode.
    Modes with the same |k|^2 are pooled first (isotropy), which keeps E_hat nearly unbiased."""
    S, L, _ = y.shape
    P = (np.abs(np.fft.fft2(y)) ** 2).mean(0)
    k2 = k2_grid(L)
    key = np.round(k2, 10)
    uniq, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
    Pbin = np.bincount(inv.ravel(), weights=P.ravel()) / cnt
    E = (L * L) / (2 * Pbin[inv].reshape(L, L))
    return E, (cnt[inv].reshape(L, L) * S).astype(float)


def _fit_power(P: np.ndarray, kmax: float) -> np.ndarray:
    """Couplings from a mean power spectrum P (Lc, Lc): modes pooled by |k|^2, E = N'/(2 P), weighted fit."""
    Lc = P.shape[0]
    k2 = k2_grid(Lc)
    _, inv, cnt = np.unique(np.round(k2, 10), return_inverse=True, return_counts=True)
    inv = inv.reshape(Lc, Lc)
    Pbin = (np.bincount(inv.ravel(), weights=P.ravel()) / cnt)[inv]
    return fit_couplings(Lc * Lc / (2 * Pbin), k2, kmax, weights=cnt[inv].astype(float))


def rg_flow(x, L: int, S: int, bs, kmax: float, rng: np.random.Generator, groups: int = 10) -> dict:
    """Sample S fields, coarse-grain by each b in ``bs`` (block average and Fourier decimation),
    and fit (x0', x1', x2') from the power spectrum with |k'| <= kmax (coarse units).

    The fields are drawn in ``groups`` equal batches; ``block_se``/``decim_se`` are jackknife
    standard errors (leave one batch out). ``block_exact`` fits the exact aliased spectrum of the
    block average; ``decim_exact`` is eq. 24. Arrays (len(bs), 3)."""
    groups = max(2, min(groups, S))
    sizes = [S // groups + (1 if g < S % groups else 0) for g in range(groups)]
    acc = {(kind, b): [] for b in bs for kind in ("block", "decim")}
    for s in sizes:
        y = sample_fields(x, L, s, rng)
        for b in bs:
            for kind, f in (("block", block_average), ("decim", fourier_decimate)):
                yc = y if b == 1 else f(y, b)
                acc[(kind, b)].append((np.abs(np.fft.fft2(yc)) ** 2).sum(0))
    out = {"b": np.array(bs, float), "x": np.array(x, float), "kmax": kmax, "L": L, "S": S, "groups": groups}
    for kind in ("block", "decim"):
        est, se = [], []
        for b in bs:
            parts = np.array(acc[(kind, b)])  # (groups, Lc, Lc) sums of |y~|^2
            total = parts.sum(0)
            est.append(_fit_power(total / S, kmax))
            jk = np.array([_fit_power((total - parts[g]) / (S - sizes[g]), kmax) for g in range(groups)])
            se.append(np.sqrt((groups - 1) / groups * ((jk - jk.mean(0)) ** 2).sum(0)))
        out[kind], out[kind + "_se"] = np.array(est), np.array(se)
    out["block_exact"] = np.array([fit_couplings(exact_block_energy(x, L, b), k2_grid(L // b), kmax) for b in bs])
    out["decim_exact"] = np.array([[xi * b ** (2 - 2 * i) for i, xi in enumerate(x)] for b in bs])
    return out


# ------------------------------------------------------------------ the block map at the critical point

def fit_massless(E: np.ndarray, k2: np.ndarray, kmax: float) -> np.ndarray:
    """(x1, x2) of E(k) ~ x1 |k|^2 + x2 |k|^4 over the modes 0 < |k| <= kmax, relative residuals.

    At the critical point x0 = 0 the block map keeps E'(0) = 0 exactly (the k' = 0 mode of the
    block average is the k = 0 mode of the fine field), so the mass term is not fitted."""
    sel = (k2 > 0) & (k2 <= kmax ** 2)
    A = np.stack([k2[sel], k2[sel] ** 2], 1) / E[sel][:, None]
    coef, *_ = np.linalg.lstsq(A, np.ones(sel.sum()), rcond=None)
    return coef


def block_fixed_point_energy(Lc: int, x1: float = 1.0, nmax: int = 60) -> np.ndarray:
    """E*(k') on the Lc x Lc coarse lattice: the b -> infinity limit of :func:`exact_block_energy` at
    the critical point x0 = 0 (the block-average fixed point of the massless Gaussian field).

    With k = (k' + 2 pi n) / b the aliases of k', the sum of :func:`exact_block_energy` tends to
    E*(k') = x1 / sum_n [prod_mu sinc^2((k'_mu + 2 pi n_mu) / 2)] / |k' + 2 pi n|^2 (x2 and every
    higher coupling drop out as b^-2 and faster). The sum is truncated at |n_mu| <= nmax (relative
    tail ~ nmax^-3). E*(0) = 0."""
    k = 2 * np.pi * np.fft.fftfreq(Lc)
    n = np.arange(-nmax, nmax + 1)
    q = k[:, None] + 2 * np.pi * n[None, :]  # (Lc, 2 nmax + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(np.abs(q) < 1e-15, 1.0, (np.sin(q / 2) / (q / 2)) ** 2)
    total = np.zeros((Lc, Lc))
    q2 = q ** 2
    for j in range(len(n)):  # alias n_1 = n[j]
        denom = q2[:, j][:, None, None] + q2[None, :, :]  # (Lc, Lc, 2 nmax + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            term = s[:, j][:, None, None] * s[None, :, :] / denom
        term[~np.isfinite(term)] = 0.0  # the k' = 0, n = 0 term: E*(0) = 0 is set below
        total += term.sum(2)
    with np.errstate(divide="ignore"):
        E = x1 / total
    E[0, 0] = 0.0
    return E


def critical_flow(x2_starts, bs, Lc: int, kmax: float, x1: float = 1.0) -> dict:
    """The exact block-average flow of the ratio r = x2'/x1' at the critical point x0 = 0.

    For each start (0, x1, x2) and each b, the fine lattice is L = Lc b, the block-averaged spectrum
    is exact (:func:`exact_block_energy`) and (x1', x2') are fitted by :func:`fit_massless` on the
    Lc x Lc coarse lattice for |k'| <= kmax. ``r_star`` is the same fit of the fixed point
    :func:`block_fixed_point_energy`; ``dev[s, j] = r(b_j) - r_star`` is the deviation from it,
    which eq. 24 (x2 relative to x1 scales as b^-2) says shrinks as b^-2.
    ``decim_ratio[s, j]``: the same fit after Fourier decimation of the exact spectrum (E'(k') =
    b^2 E(k'/b)), divided by eq. 24's b^(2-2i): exactly 1 for both couplings."""
    bs = [int(b) for b in bs]
    k2c = k2_grid(Lc)
    Estar = block_fixed_point_energy(Lc, x1)
    c_star = fit_massless(Estar, k2c, kmax)
    r_star = float(c_star[1] / c_star[0])
    r = np.zeros((len(x2_starts), len(bs)))
    x1p = np.zeros_like(r)
    decim = np.zeros((len(x2_starts), len(bs), 2))
    for s, x2 in enumerate(x2_starts):
        x = (0.0, x1, float(x2))
        for j, b in enumerate(bs):
            with np.errstate(divide="ignore"):  # E(0) = 0 at the critical point: P(0) = inf, E'(0) = 0
                E = exact_block_energy(x, Lc * b, b) if b > 1 else energy(x, k2c)
            c = fit_massless(E, k2c, kmax)
            r[s, j], x1p[s, j] = c[1] / c[0], c[0]
            Ed = b ** 2 * energy(x, k2c / b ** 2)  # Fourier decimation, exactly
            cd = fit_massless(Ed, k2c, kmax)
            decim[s, j] = cd / np.array([x1, x2 * b ** -2.0]) if x2 != 0 else [cd[0] / x1, np.nan]
    return {"b": np.array(bs, float), "x2_starts": np.array(x2_starts, float), "x1": x1, "Lc": Lc, "kmax": kmax,
            "r": r, "x1_prime": x1p, "r_star": r_star, "x1_star": float(c_star[0]), "dev": r - r_star,
            "decim_ratio": decim}
