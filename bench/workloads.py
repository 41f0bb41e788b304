"""Fixed benchmark workloads for reglab, as plain data (reglab is imported only to name the CPU).

Every benchmark trains the same MLP on the same data:

* data: ``make_moons(n_samples=500, noise=0.3, random_state=0)``, stratified 70/30 split
  (``random_state=0``), raw features (no standardisation), float32;
* model: 2 -> 128 -> 128 -> 1, ReLU, sigmoid output with binary cross-entropy (batch mean),
  Glorot-uniform kernels and zero biases (Keras defaults);
* training: Adam lr 1e-3, batch 32 (last partial batch kept, reshuffled every epoch), 300 epochs;
* penalty on the two hidden kernels only (Keras convention, no 1/2):
  ``l2``: loss += lam * sum(w**2); ``l1``: loss += lam * sum(|w|) (subgradient, via autograd).

Workloads are lists of runs ``{"penalty": "l1"|"l2"|"none", "lam": float, "seed": int}``:

* ``W1``: two models, no penalty and L2 lam=0.01 (seed 0);
* ``W2``: {l1, l2} x 8 lambdas x seeds {0, 1, 2, 3} = 64 models.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

EPOCHS = 300
BATCH = 32
LR = 1e-3
HIDDEN = (128, 128)
N_FEATURES = 2
LAYER_SIZES = (N_FEATURES, *HIDDEN, 1)

#: Measured fp32 matmul peak (GFLOP/s) on the 2-core reference machine (see PERFORMANCE.md).
PEAK_GFLOPS = 190.0

W1: list[dict] = [
    {"penalty": "none", "lam": 0.0, "seed": 0},
    {"penalty": "l2", "lam": 0.01, "seed": 0},
]

W2_PENALTIES = ("l1", "l2")
W2_LAMBDAS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
W2_SEEDS = (0, 1, 2, 3)
W2: list[dict] = [
    {"penalty": p, "lam": lam, "seed": s}
    for p, lam, s in itertools.product(W2_PENALTIES, W2_LAMBDAS, W2_SEEDS)
]

WORKLOADS: dict[str, list[dict]] = {"W1": W1, "W2": W2}


def moons_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(X_train, y_train, X_test, y_test)``: 350 / 150 moons points, float32.

    Labels are float32 0/1 vectors (shape ``[n]``), ready for binary cross-entropy.
    """
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split

    X, y = make_moons(n_samples=500, noise=0.3, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    f32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
    return f32(X_tr), f32(y_tr), f32(X_te), f32(y_te)


def flops(n_train: int, epochs: int, layer_sizes=LAYER_SIZES, n_models: int = 1) -> float:
    """Matmul FLOPs of training: forward + backward = 3 x 2 x sum(fan_in * fan_out) per sample
    per epoch, times ``n_train * epochs * n_models`` (W2: ~676 GFLOP)."""
    per_sample = sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    return 3.0 * 2.0 * per_sample * n_train * epochs * n_models


def floor_seconds(n_models: int, n_train: int = 350, epochs: int = EPOCHS,
                  peak_gflops: float = PEAK_GFLOPS) -> float:
    """FLOP floor in seconds for ``n_models`` models at ``peak_gflops`` (W2: ~3.56 s)."""
    return flops(n_train, epochs, LAYER_SIZES, n_models) / (peak_gflops * 1e9)


def measure_peak_gflops(seconds: float = 2.0, n: int = 512) -> float:
    """Time repeated ``torch.matmul`` of two ``n x n`` float32 matrices for about ``seconds``
    with the current torch thread setting; return GFLOP/s (2 n^3 FLOP per product)."""
    import torch

    a, b = torch.randn(n, n), torch.randn(n, n)
    out = torch.empty(n, n)
    for _ in range(5):  # warm-up
        torch.matmul(a, b, out=out)
    reps, t0 = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - t0) < seconds:
        for _ in range(10):
            torch.matmul(a, b, out=out)
        reps += 10
    return 2.0 * n**3 * reps / elapsed / 1e9


def cpu_model() -> str:
    """The CPU's model name (:func:`reglab.runs.threads.cpu_model`, imported only when asked)."""
    from reglab.runs.threads import cpu_model as model

    return model()


def machine_line(seconds: float = 1.0) -> dict:
    """What every benchmark prints beside its figures: the CPU model, its cores and the fp32 matmul peak measured
    now on one thread and on all of them (GFLOP/s)."""
    import os

    import torch

    before = torch.get_num_threads()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        torch.set_num_threads(1)
        one = measure_peak_gflops(seconds / 2)
        torch.set_num_threads(cores)
        every = measure_peak_gflops(seconds / 2)
    finally:
        torch.set_num_threads(before)
    return {
        "cpu": cpu_model(), "cores": cores, "torch": torch.__version__,
        "matmul_gflops_1_thread": round(one, 1), f"matmul_gflops_{cores}_threads": round(every, 1),
    }  # fmt: skip


def print_machine(seconds: float = 1.0, file=None) -> dict:
    """Prints :func:`machine_line` as one line (to stderr by default) and returns it."""
    import sys

    info = machine_line(seconds)
    peaks = ", ".join(f"{k.removeprefix('matmul_gflops_').replace('_', ' ')} {v:g}" for k, v in info.items() if k.startswith("matmul"))
    print(f"machine: {info['cpu']}, {info['cores']} cores, torch {info['torch']}; fp32 matmul peak GFLOP/s: {peaks}",
          file=file or sys.stderr, flush=True)  # fmt: skip
    return info
