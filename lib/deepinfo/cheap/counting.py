"""Counting the parameters of polynomial Hamiltonians (paper eq. 9 and section II D).

Monomials are enumerated explicitly (multisets of variable indices), so the numbers are computed
and can be checked against the closed forms: (n+d)!/(n!d!) terms of degree <= d in n variables.
"""
from __future__ import annotations

import itertools
import math


def monomials(n: int, d: int) -> list[tuple[int, ...]]:
    """All monomials of degree <= d in n variables, as sorted index tuples (() is the constant)."""
    return [m for k in range(d + 1) for m in itertools.combinations_with_replacement(range(n), k)]


def n_terms(n: int, d: int) -> int:
    """Closed form (n + d)! / (n! d!) of eq. 9."""
    return math.comb(n + d, d)


def _cyc(i: int, j: int, n: int) -> int:
    return min((i - j) % n, (j - i) % n)


def local(m: tuple[int, ...], n: int, periodic: bool = True) -> bool:
    """A monomial is nearest-neighbour local if all its variables lie within distance 1 of each other."""
    dist = (lambda i, j: _cyc(i, j, n)) if periodic else (lambda i, j: abs(i - j))
    return all(dist(i, j) <= 1 for i, j in itertools.combinations(set(m), 2)) and len(set(m)) <= 2


def translation_orbits(ms: list[tuple[int, ...]], n: int) -> int:
    """Number of orbits of the monomials under the cyclic shift i -> i + 1 mod n (one coupling per orbit)."""
    seen, orbits = set(), 0
    for m in ms:
        if m in seen:
            continue
        orbits += 1
        for s in range(n):
            seen.add(tuple(sorted((i + s) % n for i in m)))
    return orbits


def microphone_counts(n: int, d: int = 2, degrees: tuple[int, ...] | None = None, periodic: bool = True) -> dict:
    """The section II D 3 example, computed: n pressures y_1..y_n, Hamiltonian of degree d.

    general: all monomials (degree <= d); local: only nearest-neighbour monomials; symmetric: local
    and translation invariant (one coupling per orbit of the cyclic shift; needs ``periodic``).
    ``degrees`` keeps only monomials of those degrees (default: all of 0..d; e.g. (1, 2) drops the
    constant h, fixed by normalisation; (2,) keeps the quadratic couplings only)."""
    ms = monomials(n, d)
    if degrees is not None:
        ms = [m for m in ms if len(m) in degrees]
    loc = [m for m in ms if local(m, n, periodic)]
    out = {"n": n, "general": len(ms), "local": len(loc)}
    out["symmetric"] = translation_orbits(loc, n) if periodic else float("nan")
    return out
