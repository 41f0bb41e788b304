"""The forward pass of a trained MLP in NumPy, dropout off: the one every measure of a model's outputs reads.

A model is given as arrays: ``kernels[i]`` of shape ``[fan_in, fan_out]`` and ``biases[i]`` of shape
``[fan_out]``. Hidden layer ``i`` computes ``h_i = act(h_{i-1} @ W_i + b_i)`` with ``h_0 = X``; the last
layer is linear, ``z = h_{L-1} @ W_L + b_L``, and the task's output link turns ``z`` into the model's
output:

* ``binary``: one logit, ``P(class 1) = sigmoid(z)``, computed as ``½·(1 + tanh(z/2))`` so that it never
  overflows; shape ``[n]``.
* ``multiclass``: K logits, ``softmax(z)`` after subtracting each row's largest logit; shape ``[n, K]``.
* ``regression``: ``z`` itself, ``[n]`` for one output (``[n, k]`` for k outputs).

The activations are those of :data:`reglab.rules.ACTIVATIONS`, in the forms of :data:`ACTIVATION_FUNCTIONS`
(GELU exact, ``z·Φ(z)``, as the engine's). The engine computes the same pass in torch for training
(:mod:`reglab.engine.stack`); a test holds the two equal to 1e-12 in float64.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from reglab.rules import ACTIVATIONS, TASKS

__all__ = ["ACTIVATION_FUNCTIONS", "ForwardPass", "activate", "forward_pass", "output_link"]

# the NumPy form of each activation of reglab.rules.ACTIVATIONS (a test holds that the names agree)
ACTIVATION_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),  # overflow-free form of 1 / (1 + e^-z)
    "gelu": lambda z: 0.5 * z * (1.0 + special.erf(z / math.sqrt(2.0))),  # exact GELU, z·Φ(z)
    "linear": lambda z: z,  # no activation: the network is linear in its inputs
}


@dataclass(frozen=True)
class ForwardPass:
    """One forward pass: what every layer gave."""

    hidden: list[np.ndarray]  # each hidden layer's activations h_i, [n, fan_out], in the layers' dtype
    logits: np.ndarray  # the output layer's z, [n, K], float64 (logits for classification, predictions for regression)
    outputs: np.ndarray  # z through the task's output link (see the module docstring); z itself when no task is given


def _check_activation(name: str) -> None:
    if name not in ACTIVATIONS:
        raise ValueError(f"The 'activation' parameter must be one of {', '.join(ACTIVATIONS)}. Got {name!r} instead.")


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """The activation ``name`` (one of :data:`reglab.rules.ACTIVATIONS`) of pre-activations ``z``, element-wise."""
    _check_activation(name)
    return ACTIVATION_FUNCTIONS[name](z)


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise ValueError(f"The 'task' parameter must be one of {', '.join(TASKS)}. Got {task!r} instead.")


def output_link(task: str, z: np.ndarray) -> np.ndarray:
    """The model's output from its output layer's ``z`` ``[n, K]`` for ``task`` (see the module docstring)."""
    _check_task(task)
    k = z.shape[1]
    if task == "binary":
        if k != 1:
            raise ValueError(f"A binary model must have 1 output logit. Got {k} outputs instead; use task='multiclass'.")
        return 0.5 * (1.0 + np.tanh(0.5 * z[:, 0]))
    if task == "multiclass":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z[:, 0] if k == 1 else z


def forward_pass(
    X: np.ndarray,
    kernels: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activation: str,
    task: str | None = None,
    *,
    dtype: type = np.float64,
) -> ForwardPass:
    """The model on inputs ``X`` ``[n, fan_in]``: its hidden activations, output layer and output.

    The layers are computed in ``dtype`` (``np.float32`` is the cheaper, at float32's rounding, about 1e-7
    relative); ``logits`` and ``outputs`` are float64 either way. ``task`` None leaves out the output link.
    """
    if task is not None:
        _check_task(task)
    if len(kernels) == 0 or len(kernels) != len(biases):
        raise ValueError(
            "The 'kernels' and 'biases' parameters must be non-empty lists of equal length. "
            f"Got {len(kernels)} kernels and {len(biases)} biases instead."
        )
    _check_activation(activation)
    act = ACTIVATION_FUNCTIONS[activation]
    h = np.asarray(X, dtype=dtype)
    hidden = []
    for kernel, bias in zip(kernels[:-1], biases[:-1]):
        h = act(h @ np.asarray(kernel, dtype=dtype) + np.asarray(bias, dtype=dtype))
        hidden.append(h)
    z = (h @ np.asarray(kernels[-1], dtype=dtype) + np.asarray(biases[-1], dtype=dtype)).astype(np.float64, copy=False)
    return ForwardPass(hidden, z, z if task is None else output_link(task, z))
