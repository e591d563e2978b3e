"""Equilibrium samples of the 2D Ising model, and exact enumeration of small lattices.

Used by the Ising page of the Lee & Jo (2022) chapter (``book/scale_invariance_ising.md``,
Fig. 5 of the paper: 50,000 patterns of a 10 x 10 lattice at T = 1.53, 2.26, 3.28).

Model (Lee & Jo 2022, eqs. 1-2): spins s_i in {-1, +1} on an L x L square lattice with
periodic boundaries, energy E(s) = -J sum_<ij> s_i s_j over the 2 L^2 nearest-neighbour
bonds, probability p(s) = exp(-E(s)/T) / Z (k_B = 1, T in units of J).

Sampler
-------
Metropolis with a checkerboard (red/black) update: the lattice splits into two
sublattices whose sites have all their neighbours on the other sublattice, so every
site of one colour can be updated at once, independently, given the other colour. A
*sweep* is one half-sweep per colour (one proposal per spin). A spin is flipped with
probability min(1, exp(-dE/T)), dE = 2 J s_i sum_{j nn i} s_j. Many independent chains
evolve together as one tensor ``(C, L, L)`` (on the GPU when present). L must be even
(with odd L the periodic wrap joins two sites of the same colour).

Burn-in and spacing come from the measured autocorrelation: a pilot run of
``PILOT_CHAINS`` chains records the energy and |magnetisation| every sweep; their
integrated autocorrelation times tau_E, tau_|m| (in sweeps) are estimated with Sokal's
automatic window (the smallest window w with w >= 6 tau(w)). With tau = max(tau_E, tau_|m|):

* burn-in  = max(100, ceil(20 tau)) sweeps from an ordered start,
* spacing  = max(1, ceil(2 tau)) sweeps between kept samples of one chain,

so successive kept samples of a chain are nearly independent (their variance
inflation 1 + 2 sum_t rho(t spacing) is close to 1). Chains start ordered (all +1 or
all -1, the sign chosen at random per chain): below T_c a disordered start quenches into
stripe states of a periodic lattice that Metropolis takes very long to dissolve, whereas
from an ordered start the chain relaxes in a few tau at every T. Below T_c a Metropolis
chain practically never reverses its magnetisation, so each kept sample is finally
multiplied by an independent random sign: p(s) = p(-s) exactly, so this leaves the
distribution unchanged and removes the memory of the initial sign.

Samples are cached by configuration (``deepinfo.cache``): a chapter asks for the same
(L, T, n, seed, J, device type) again and gets the stored array in milliseconds.
"""
from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch

from ..cache import ResultCache
from ..device import cpu_threads, resolve_device

ALGORITHM = "checkerboard-metropolis-v1"  # part of the cache key
PILOT_CHAINS = 128
T_C = 2.0 / math.log(1.0 + math.sqrt(2.0))  # Onsager's critical temperature for J = 1 (2.2692)


# ----------------------------------------------------------------------------- lattice helpers

def checkerboard(L: int, device: str | torch.device = "cpu") -> torch.Tensor:
    """Boolean (L, L) mask of the 'black' sublattice, (i + j) even. Its complement is 'white'."""
    i = torch.arange(L, device=device)
    return ((i[:, None] + i[None, :]) % 2 == 0)


def neighbour_sum(s: torch.Tensor) -> torch.Tensor:
    """Sum of the four nearest neighbours of every site, periodic; ``s`` (..., L, L).

    Built from shifted slices in place (about twice as fast as four ``torch.roll`` copies).
    """
    nb = torch.empty_like(s)
    nb[..., 1:, :] = s[..., :-1, :]
    nb[..., 0, :] = s[..., -1, :]
    nb[..., :-1, :] += s[..., 1:, :]
    nb[..., -1, :] += s[..., 0, :]
    nb[..., :, 1:] += s[..., :, :-1]
    nb[..., :, 0] += s[..., :, -1]
    nb[..., :, :-1] += s[..., :, 1:]
    nb[..., :, -1] += s[..., :, 0]
    return nb


def energy(s, J: float = 1.0) -> torch.Tensor | np.ndarray:
    """E(s) = -J sum_<ij> s_i s_j (each of the 2 L^2 bonds once); ``s`` (..., L, L) -> (...)."""
    if isinstance(s, np.ndarray):
        s = s.astype(np.int64)
        return -J * (s * (np.roll(s, 1, -1) + np.roll(s, 1, -2))).sum(axis=(-2, -1))
    s = s.to(torch.float32) if not s.is_floating_point() else s
    return -J * (s * (torch.roll(s, 1, -1) + torch.roll(s, 1, -2))).sum(dim=(-2, -1))


def magnetisation(s) -> torch.Tensor | np.ndarray:
    """Total magnetisation sum_i s_i; ``s`` (..., L, L) -> (...)."""
    if isinstance(s, np.ndarray):
        return s.astype(np.int64).sum(axis=(-2, -1))
    return s.to(torch.float32).sum(dim=(-2, -1))


def _check(L: int, T: float, J: float) -> None:
    if not isinstance(L, (int, np.integer)) or L < 4 or L % 2:
        raise ValueError(f"L={L!r}: expected an even integer >= 4 (the checkerboard update needs an even "
                         "periodic lattice; with L = 2 the two neighbours in a direction coincide)")
    if not (T > 0 and math.isfinite(T)):
        raise ValueError(f"T={T!r}: expected a finite positive temperature (units of J)")
    if not math.isfinite(J):
        raise ValueError(f"J={J!r}: expected a finite coupling")


def half_sweep(s: torch.Tensor, colour: torch.Tensor, T: float, J: float, gen: torch.Generator) -> torch.Tensor:
    """One Metropolis update of every site where ``colour`` (L, L) is True, in place on ``s`` (C, L, L) float32.

    dE = 2 J s_i h_i with h_i the neighbour sum; accept with probability min(1, exp(-dE/T)).
    Sites of one colour have no neighbour of the same colour, so they update independently
    given the other colour. Returns the boolean (C, L, L) tensor of accepted flips.
    """
    dE = (2.0 * J) * s * neighbour_sum(s)
    u = torch.rand(s.shape, generator=gen, device=s.device)
    flip = (u < torch.exp(-dE / T)) & colour
    s.mul_(1.0 - 2.0 * flip.to(s.dtype))
    return flip


def _sweep(s: torch.Tensor, masks: tuple[torch.Tensor, torch.Tensor], T: float, J: float,
           gen: torch.Generator, count: bool = False) -> int:
    """One sweep: both colours in turn. Returns the number of accepted flips when ``count``."""
    n = 0
    for colour in masks:
        flip = half_sweep(s, colour, T, J, gen)
        if count:
            n += int(flip.sum())
    return n


def sweep(s: torch.Tensor, T: float, J: float = 1.0, gen: torch.Generator | None = None) -> torch.Tensor:
    """One checkerboard Metropolis sweep of ``s`` (C, L, L) float32 in place; returns ``s``."""
    L = s.shape[-1]
    black = checkerboard(L, s.device)
    gen = gen or torch.Generator(device=s.device).manual_seed(0)
    _sweep(s, (black, ~black), T, J, gen)
    return s


# ----------------------------------------------------------------------------- autocorrelation

def integrated_autocorrelation_time(x: np.ndarray, c: float = 6.0) -> tuple[float, np.ndarray]:
    """Integrated autocorrelation time of a time series, in steps, with Sokal's automatic window.

    ``x`` (t,) or (t, C) for C independent chains of the same process. The normalised
    autocorrelation rho(t) is averaged over chains (FFT, deviations from the grand mean);
    tau(w) = 1/2 + sum_{t=1}^{w} rho(t), at the smallest w with w >= c tau(w). For
    uncorrelated samples tau = 1/2; the variance of a mean of n samples is 2 tau var / n.
    Returns ``(tau, rho)``.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    t = x.shape[0]
    d = x - x.mean()
    var = (d ** 2).mean()
    if var == 0 or t < 4:
        return 0.5, np.ones(1)
    nfft = 1 << (2 * t - 1).bit_length()
    f = np.fft.rfft(d, n=nfft, axis=0)
    acf = np.fft.irfft(f * np.conj(f), n=nfft, axis=0)[:t].mean(axis=1)
    acf /= np.arange(t, 0, -1)  # unbiased lag normalisation
    rho = acf / acf[0]
    taus = 0.5 + np.cumsum(rho[1:])
    w = np.arange(1, t)
    ok = np.nonzero(w >= c * taus)[0]
    tau = float(taus[ok[0]]) if ok.size else float(taus[-1])
    return max(tau, 0.5), rho


def _observables(s: torch.Tensor, J: float) -> tuple[np.ndarray, np.ndarray]:
    N = s.shape[-1] * s.shape[-2]
    return (energy(s, J) / N).cpu().numpy(), (magnetisation(s).abs() / N).cpu().numpy()


def _ordered_start(C: int, L: int, gen: torch.Generator, device) -> torch.Tensor:
    sign = torch.where(torch.rand(C, generator=gen, device=device) < 0.5, -1.0, 1.0)
    return sign[:, None, None].expand(C, L, L).contiguous()


def measure_autocorrelation(L: int, T: float, J: float = 1.0, seed: int = 0, device="auto",
                            chains: int = PILOT_CHAINS, burn: int | None = None, window: int | None = None
                            ) -> dict[str, Any]:
    """Pilot run: integrated autocorrelation times (sweeps) of the energy and |m| at (L, T).

    ``chains`` chains start ordered, run ``burn`` sweeps (default max(500, 5 L^2)), then record
    ``window`` sweeps (default 1000); the window doubles (up to 3 times) while it is shorter than
    100 tau. Returns ``{"tau_E", "tau_abs_m", "tau", "burn_pilot", "window", "rho_E", "rho_abs_m"}``.
    """
    _check(L, T, J)
    dev = resolve_device(device)
    gen = torch.Generator(device=dev).manual_seed(int(seed) + 7919)
    black = checkerboard(L, dev)
    masks = (black, ~black)
    burn = burn if burn is not None else max(500, 5 * L * L)
    window = window if window is not None else 1000
    s = _ordered_start(chains, L, gen, dev)
    for _ in range(burn):
        _sweep(s, masks, T, J, gen)
    E, A = [], []
    for attempt in range(4):
        while len(E) < window:
            _sweep(s, masks, T, J, gen)
            e, a = _observables(s, J)
            E.append(e)
            A.append(a)
        tau_E, rho_E = integrated_autocorrelation_time(np.array(E))
        tau_A, rho_A = integrated_autocorrelation_time(np.array(A))
        if window >= 100 * max(tau_E, tau_A) or attempt == 3:
            break
        window *= 2
    return {"tau_E": tau_E, "tau_abs_m": tau_A, "tau": max(tau_E, tau_A), "burn_pilot": burn,
            "window": window, "rho_E": rho_E[:200], "rho_abs_m": rho_A[:200]}


# ----------------------------------------------------------------------------- the sampler

def _sample(L: int, T: float, n: int, seed: int, J: float, device, n_chains: int | None,
            burn_in: int | None, spacing: int | None) -> dict[str, Any]:
    dev = resolve_device(device)
    t0 = time.perf_counter()
    info: dict[str, Any] = {}
    if burn_in is None or spacing is None:
        pilot = measure_autocorrelation(L, T, J, seed=seed, device=dev)
        tau = pilot["tau"]
        info.update(tau_E=pilot["tau_E"], tau_abs_m=pilot["tau_abs_m"], pilot_window=pilot["window"],
                    rho_E=pilot["rho_E"], rho_abs_m=pilot["rho_abs_m"])
        burn_in = burn_in if burn_in is not None else max(100, math.ceil(20 * tau))
        spacing = spacing if spacing is not None else max(1, math.ceil(2 * tau))
    if n_chains is None:
        n_chains = int(min(n, max(64, n // 20)))
    C = int(n_chains)
    per_chain = math.ceil(n / C)
    gen = torch.Generator(device=dev).manual_seed(int(seed))
    black = checkerboard(L, dev)
    masks = (black, ~black)
    s = _ordered_start(C, L, gen, dev)
    for _ in range(burn_in):
        _sweep(s, masks, T, J, gen)
    kept = torch.empty((per_chain, C, L, L), dtype=torch.int8, device=dev)
    flips = 0
    for j in range(per_chain):
        for _ in range(spacing):
            flips += _sweep(s, masks, T, J, gen, count=(j == 0))
        kept[j] = s.to(torch.int8)
    # sample j of chain c goes to row c * per_chain + j: each chain's samples are contiguous
    out = kept.transpose(0, 1).reshape(C * per_chain, L, L)[:n]
    sign = torch.where(torch.rand(out.shape[0], generator=gen, device=dev) < 0.5, -1, 1).to(torch.int8)
    out = (out * sign[:, None, None]).cpu().numpy()
    sweeps = burn_in + per_chain * spacing
    info.update(L=L, T=float(T), J=float(J), n=int(n), seed=int(seed), n_chains=C, samples_per_chain=per_chain,
                burn_in=int(burn_in), spacing=int(spacing), sweeps_per_chain=int(sweeps),
                acceptance=flips / (spacing * C * L * L), device=str(dev),
                seconds=time.perf_counter() - t0, algorithm=ALGORITHM)
    return {"spins": out, "info": info}


def ising_with_info(L: int, T: float, n: int, seed: int = 0, J: float = 1.0, device="auto",
                    n_chains: int | None = None, burn_in: int | None = None, spacing: int | None = None,
                    cache: bool = True) -> tuple[np.ndarray, dict[str, Any]]:
    """Like :func:`ising`, also returning the run's record: measured tau_E, tau_|m|, the burn-in and
    spacing used (sweeps), chains, acceptance rate, device and wall time (of the computing run)."""
    _check(L, T, J)
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n={n!r}: expected a positive number of samples")
    dev = resolve_device(device)

    def compute():
        with cpu_threads(dev, 1):  # small element-wise ops: one thread is faster, and robust on a busy machine
            return _sample(int(L), float(T), int(n), int(seed), float(J), dev, n_chains, burn_in, spacing)

    if not cache:
        res = compute()
    else:
        config = {"L": int(L), "T": float(T), "n": int(n), "seed": int(seed), "J": float(J), "device": dev.type,
                  "n_chains": n_chains, "burn_in": burn_in, "spacing": spacing, "algorithm": ALGORITHM}
        res = ResultCache().get_or_compute("ising", config, compute)
    return res["spins"], res["info"]


def ising(L: int, T: float, n: int, seed: int = 0, J: float = 1.0, device="auto", **kwargs) -> np.ndarray:
    """``n`` equilibrium samples of the 2D Ising model on an L x L periodic lattice at temperature T.

    Lee & Jo (2022) eqs. (1)-(2): p(s) proportional to exp(J sum_<ij> s_i s_j / T). Checkerboard
    Metropolis with many chains in one tensor; burn-in and spacing from the measured
    autocorrelation (see the module docstring). Cached by configuration.

    Parameters
    ----------
    L : even int >= 4;  T : temperature (units of J, k_B = 1);  n : number of samples
    seed : the run's seed (same seed, device type and arguments -> the same array)
    J : coupling (J > 0 ferromagnetic);  device : "auto" (CUDA when present), "cpu", "cuda"
    kwargs : ``n_chains``, ``burn_in``, ``spacing`` (override the automatic choices), ``cache``

    Returns
    -------
    np.ndarray (n, L, L) int8 with values -1 and +1. Rows of one chain are contiguous.
    """
    return ising_with_info(L, T, n, seed=seed, J=J, device=device, **kwargs)[0]


# ----------------------------------------------------------------------------- exact enumeration

def enumerate_states(L: int, J: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Energies E(s) and magnetisations M(s) of all 2^(L^2) states of the periodic L x L lattice.

    State index b has spin i = +1 when bit i of b is set (row-major sites). L^2 <= 24.
    Returns ``(E, M)``, both float64 arrays of shape (2^(L^2),).
    """
    N = L * L
    if N > 24:
        raise ValueError(f"L={L}: 2^{N} states are too many to enumerate (L^2 <= 24)")
    if L < 3:
        raise ValueError(f"L={L}: expected L >= 3 so that the periodic neighbours are distinct")
    b = np.arange(2 ** N, dtype=np.int64)
    spins = (((b[:, None] >> np.arange(N)) & 1) * 2 - 1).astype(np.int8).reshape(-1, L, L)
    return energy(spins, J).astype(np.float64), magnetisation(spins).astype(np.float64)


def state_index(spins: np.ndarray) -> np.ndarray:
    """Index b of each state in :func:`enumerate_states` order; ``spins`` (n, L, L) in {-1, +1}."""
    s = np.asarray(spins).reshape(len(spins), -1)
    return ((s > 0).astype(np.int64) << np.arange(s.shape[1])).sum(axis=1)


def exact_probabilities(L: int, T: float, J: float = 1.0) -> np.ndarray:
    """Boltzmann probabilities p(s) = exp(-E(s)/T)/Z of all 2^(L^2) states (enumeration order)."""
    E, _ = enumerate_states(L, J)
    w = np.exp(-(E - E.min()) / T)
    return w / w.sum()


def exact_observables(L: int, T: float, J: float = 1.0) -> dict[str, float]:
    """Exact thermal averages per spin by enumeration of all 2^(L^2) states.

    Returns ``{"energy": <E>/N, "abs_magnetisation": <|M|>/N, "specific_heat": (<E^2> - <E>^2)/(N T^2),
    "susceptibility": (<M^2> - <|M|>^2)/(N T)}`` (k_B = 1).
    """
    E, M = enumerate_states(L, J)
    p = np.exp(-(E - E.min()) / T)
    p /= p.sum()
    N = L * L
    e1, e2 = (p * E).sum(), (p * E ** 2).sum()
    a1, m2 = (p * np.abs(M)).sum(), (p * M ** 2).sum()
    return {"energy": e1 / N, "abs_magnetisation": a1 / N, "specific_heat": (e2 - e1 ** 2) / (N * T ** 2),
            "susceptibility": (m2 - a1 ** 2) / (N * T)}


def onsager_magnetisation(T: float, J: float = 1.0) -> float:
    """Spontaneous magnetisation of the infinite lattice, (1 - sinh(2J/T)^-4)^(1/8) below T_c, else 0."""
    x = math.sinh(2.0 * J / T)
    return (1.0 - x ** -4) ** 0.125 if x > 1 else 0.0


__all__ = ["ising", "ising_with_info", "checkerboard", "neighbour_sum", "energy", "magnetisation", "sweep",
           "integrated_autocorrelation_time", "measure_autocorrelation", "enumerate_states", "state_index",
           "exact_probabilities", "exact_observables", "onsager_magnetisation", "T_C"]
