"""Device selection and seeding shared by every chapter."""
from __future__ import annotations

import contextlib
import os
import random

import numpy as np
import torch

_VALID = ("auto", "cpu", "cuda")


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """Return a ``torch.device``: ``"auto"`` picks CUDA when present, else the CPU.

    Raises ``ValueError`` for an unknown name and for ``"cuda"`` on a machine without CUDA,
    rather than silently running somewhere else.
    """
    if isinstance(device, torch.device):
        return device
    if not isinstance(device, str) or device.split(":")[0] not in _VALID:
        raise ValueError(f"device={device!r}: expected one of 'auto', 'cpu', 'cuda' or 'cuda:N'")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was asked for, but torch sees no CUDA device; use 'auto' or 'cpu'")
    return torch.device(device)


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python, NumPy and torch (CPU and CUDA); return a NumPy Generator for the caller.

    The same seed and preset give the same numbers on the same machine (CPU kernels are
    deterministic; on CUDA some reductions are not bit-exact, see the README).
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r}: expected a non-negative integer")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    torch.manual_seed(int(seed))
    return np.random.default_rng(int(seed))


@contextlib.contextmanager
def cpu_threads(device: str | torch.device = "auto", n: int | None = None):
    """Run the block with ``n`` torch intra-op threads and ``n`` BLAS/OpenMP threads (scikit-learn)
    on the CPU; default ``$DEEPINFO_TORCH_THREADS`` or 1. Previous settings are restored on exit.

    The book's networks are small (batches of 100-512, layers of 2-500 units); for such
    matrices two spinning threads were several times slower than one on a 2-core machine,
    and 10-25x slower on a loaded one, so one thread per process is the default. On CUDA
    only the BLAS limit applies.
    """
    from threadpoolctl import threadpool_limits

    dev = resolve_device(device)
    n = max(1, int(n if n is not None else os.environ.get("DEEPINFO_TORCH_THREADS", "1")))
    old = torch.get_num_threads()
    with threadpool_limits(n):
        if dev.type == "cpu":
            torch.set_num_threads(n)
        try:
            yield
        finally:
            torch.set_num_threads(old)


@contextlib.contextmanager
def flush_denormals(enabled: bool = True):
    """Run the block with subnormal floats flushed to zero on the CPU (``torch.set_flush_denormal``);
    the previous setting is restored on exit (torch cannot read it back, so "off" is assumed before).

    Why: long tanh trainings drive gradients, and Adam's second moments of them, below the
    smallest normal float (1e-38 in float32); the CPU then takes a slow path for every such
    number. On the information plane's 50 networks 12-12-10-2 (Adam, 1,500 epochs) one core
    trained 7.8x faster with subnormals flushed (56 s against 436 s on the same loaded machine).
    A flushed value is below 1e-38 of the parameters it updates, so the trained networks change by
    far less than any quantity the book reports, but not bit for bit: a cache whose results
    depend on it records it in its key (``information_plane`` ``RESULT_VERSION`` 3).
    """
    if not enabled:
        yield
        return
    ok = torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if ok:
            torch.set_flush_denormal(False)
