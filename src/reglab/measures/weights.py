"""Per-layer weight statistics and dead ReLU units, in NumPy.

For one kernel ``w`` with ``n`` entries:

- ``l1 = Σ|w|`` and ``sum_sq = Σw²`` are the quantities the penalties ``L1(λ)`` and ``L2(λ)``
  multiply by λ (Keras convention, no ½, no 1/n); ``l2 = sqrt(Σw²)`` is the Euclidean (Frobenius)
  norm of the kernel.
- ``q1, median, q3`` are ``np.percentile(w, [25, 50, 75])`` (linear interpolation); the whiskers
  are Tukey's, as matplotlib's boxplot draws them: the most extreme entries inside
  ``[q1 − 1.5·IQR, q3 + 1.5·IQR]`` with ``IQR = q3 − q1``.
- ``exact_zero`` is the fraction of entries equal to 0.0: what proximal L1's soft threshold produces, and,
  under any penalty, a weight that shrank below float32's smallest normal number (:data:`FLOAT32_TINY`,
  1.2e-38), which training flushes to zero (:mod:`reglab.engine.floats`); L2, decay and subgradient L1
  never set a weight to zero themselves, so their exact zeros are flushed ones.
  ``near_zero`` the fraction with ``|w| < near_zero`` (1e-3 by default), exact zeros included
  (where subgradient L1 leaves weights hovering).

A hidden unit is dead on a data set when its post-ReLU activation is exactly zero for every sample.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from reglab.measures.forward import forward_pass

__all__ = ["FLOAT32_TINY", "dead_relu_units", "dead_units", "hidden_activations", "layer_stats", "weight_stats"]

FLOAT32_TINY = float(np.finfo(np.float32).tiny)  # smallest normal float32: a smaller result is flushed to zero in training


def weight_stats(w: np.ndarray, near_zero: float = 1e-3) -> dict:
    """Summary statistics of one kernel (any shape, flattened), as plain Python numbers."""
    x = np.asarray(w, dtype=np.float64).ravel()
    if x.size == 0:
        raise ValueError(
            "The 'w' parameter must be a non-empty array of weights. Got an empty array instead."
        )
    if not (math.isfinite(near_zero) and near_zero >= 0):
        raise ValueError(f"The 'near_zero' parameter must be a finite float >= 0. Got {near_zero!r} instead.")
    q1, median, q3 = np.percentile(x, [25, 50, 75])
    iqr = q3 - q1
    inside_high = x[x <= q3 + 1.5 * iqr]
    inside_low = x[x >= q1 - 1.5 * iqr]
    # matplotlib's cbook.boxplot_stats falls back to the quartile when no point lies inside
    whisker_high = q3 if inside_high.size == 0 or inside_high.max() < q3 else inside_high.max()
    whisker_low = q1 if inside_low.size == 0 or inside_low.min() > q1 else inside_low.min()
    sum_sq = float(np.sum(x * x))
    return {
        "min": float(x.min()),
        "max": float(x.max()),
        "mean": float(x.mean()),
        "std": float(x.std()),
        "q1": float(q1),
        "median": float(median),
        "q3": float(q3),
        "whisker_low": float(whisker_low),
        "whisker_high": float(whisker_high),
        "l1": float(np.sum(np.abs(x))),
        "sum_sq": sum_sq,
        "l2": math.sqrt(sum_sq),
        "n": int(x.size),
        "exact_zero": float(np.mean(x == 0.0)),
        "near_zero": float(np.mean(np.abs(x) < near_zero)),
    }


def dead_units(activations: np.ndarray) -> float:
    """Fraction of columns of an ``[n_samples, n_units]`` activation matrix that are 0 for every sample."""
    a = np.asarray(activations)
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(
            "The 'activations' parameter must be a 2-D [n_samples, n_units] array with at least one "
            f"sample and one unit. Got shape {a.shape} instead."
        )
    return float(np.mean(np.all(a == 0, axis=0)))


def hidden_activations(
    X: np.ndarray,
    kernels: Sequence[np.ndarray],
    biases: Sequence[np.ndarray] | None = None,
    activation: str = "relu",
) -> list[np.ndarray]:
    """Post-activation outputs ``h_i = act(h_{i-1} @ W_i + b_i)`` of every hidden layer (not the output).

    ``kernels[i]`` has shape ``[fan_in, fan_out]``, ``biases[i]`` shape ``[fan_out]`` (zeros if None);
    dropout is off, as at evaluation (:func:`reglab.measures.forward.forward_pass`).
    """
    if biases is None:
        biases = [np.zeros(np.shape(kernel)[1]) for kernel in kernels]
    return forward_pass(X, kernels, biases, activation).hidden


def dead_relu_units(
    X: np.ndarray,
    kernels: Sequence[np.ndarray],
    biases: Sequence[np.ndarray] | None = None,
    activation: str = "relu",
) -> list[float]:
    """Dead fraction of each hidden layer on inputs ``X``; 0.0 per layer for tanh, sigmoid and gelu,
    whose units never output an exact zero on every sample."""
    hidden = hidden_activations(X, kernels, biases, activation)
    if activation != "relu":
        return [0.0] * len(hidden)
    return [dead_units(h) for h in hidden]


def layer_stats(
    kernels: Sequence[np.ndarray],
    biases: Sequence[np.ndarray] | None = None,
    X: np.ndarray | None = None,
    activation: str = "relu",
) -> list[dict]:
    """One dict per layer: index, name (``hidden 1`` … ``output``), shape, :func:`weight_stats` of the
    kernel and ``dead_units`` (fraction on ``X``; None for the output layer or when ``X`` is None)."""
    dead = dead_relu_units(X, kernels, biases, activation) if X is not None else [None] * (len(kernels) - 1)
    rows = []
    for i, kernel in enumerate(kernels):
        is_output = i == len(kernels) - 1
        rows.append({
            "layer": i,
            "name": "output" if is_output else f"hidden {i + 1}",
            "shape": [int(s) for s in np.shape(kernel)],
            **weight_stats(kernel),
            "dead_units": None if is_output else dead[i],
        })
    return rows
