"""Decision boundaries of a trained model on a 2-D grid, and how complex they are, in NumPy.

A model is given as arrays: ``kernels[i]`` of shape ``[fan_in, fan_out]``, ``biases[i]`` of shape
``[fan_out]``, the hidden activation (applied after every layer but the last) and the task, which fixes
the output: ``binary`` one logit → sigmoid, ``multiclass`` K logits → softmax, ``regression`` linear
(the forward pass of :mod:`reglab.measures.forward`).

Grids are ``np.meshgrid(x, y)`` arrays (``xy`` indexing: ``xx`` varies along axis 1, ``yy`` along
axis 0) with constant spacings ``dx`` and ``dy``, in raw data units. Each grid point stands for
a ``dx × dy`` pixel centred on it.

Boundary length (:func:`boundary_length`) is a Cauchy–Crofton estimate from the predicted labels
alone. For a curve C and a direction at angle θ, let ``P(θ) = ∫_C |sin(φ(s) − θ)| ds`` (φ the
tangent angle), the total length of C seen across lines of direction θ. Crofton's formula is
``length(C) = ½ ∫_0^π P(θ) dθ``. On the grid, ``P`` is measured for the 8 lattice offsets
``u = (p·dx, q·dy)`` with ``(p, q)`` in (1,0), (2,1), (1,1), (1,2), (0,1), (−1,2), (−1,1), (−2,1):
a curve element ``ds`` separates ``|u|·|sin(φ − θ_u)|·ds / (dx·dy)`` pairs of grid points
``(z, z + u)`` in expectation, so ``P(θ_u) ≈ N_u · dx·dy / |u|`` where ``N_u`` counts the pairs
with different labels. The integral over θ is the quadrature ``Σ_u w_u · P(θ_u)`` whose weight
``w_u`` is half the angular width (radians) of the arc of directions closer to ``θ_u`` than to any
other of the 8. For a straight line this reads between 0.985 and 1.013 times its true length
whatever its orientation (square cells: 0.986 for axis-aligned and 45° lines, 1.013 near 13°), and
a circle of many pixels' radius within about 1%. A boundary that recrosses itself within one offset
(features one or two pixels wide) is under-read.
Only the axis offsets (1,0) and (0,1) count as ``changes`` in :func:`boundary_complexity`: each
is one edge between 4-adjacent pixels with different labels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import ndimage

from reglab.measures.forward import forward_pass

__all__ = [
    "boundary_complexity",
    "boundary_grid",
    "boundary_length",
    "grid_predictions",
    "predict_proba",
]

# lattice offsets (columns, rows) of the Crofton estimate, in order of angle on [0, π)
_OFFSETS = ((1, 0), (2, 1), (1, 1), (1, 2), (0, 1), (-1, 2), (-1, 1), (-2, 1))


def predict_proba(
    X: np.ndarray,
    kernels: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activation: str,
    task: str,
) -> np.ndarray:
    """Model outputs on model inputs ``X`` [n, d]: binary ``P(class 1)`` [n]; multiclass softmax
    probabilities [n, K]; regression the raw output [n] (or [n, k] for k > 1 outputs).

    The sigmoid is computed as ``½·(1 + tanh(z/2))`` and the softmax after subtracting each row's
    maximum logit, so neither overflows for large logits.
    """
    return forward_pass(X, kernels, biases, activation, task).outputs


def boundary_grid(X: np.ndarray, resolution: int = 150, margin: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Meshgrid ``(xx, yy)`` with square cells covering the points ``X`` [n, 2] (raw coordinates).

    The bounding box of ``X`` is padded on every side by ``margin × max(x range, y range)``; the
    longer side then gets ``resolution`` points, and the shorter side as many points of the same
    spacing as it takes to cover it, centred on the points. Shapes are ``[n_y, n_x]``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0 or not np.all(np.isfinite(X)):
        raise ValueError(
            f"The 'X' parameter must be a finite [n, 2] array with n >= 1. Got shape {X.shape} instead."
        )
    if not (isinstance(resolution, (int, np.integer)) and resolution >= 2):
        raise ValueError(f"The 'resolution' parameter must be an integer >= 2. Got {resolution!r} instead.")
    if not (math.isfinite(margin) and margin >= 0):
        raise ValueError(f"The 'margin' parameter must be a finite float >= 0. Got {margin!r} instead.")
    low, high = X.min(axis=0), X.max(axis=0)
    span = float(np.max(high - low))
    if span == 0.0:  # all points in one place: a unit box around it
        low, high, span = low - 0.5, high + 0.5, 1.0
    pad = margin * span
    step = (span + 2 * pad) / (resolution - 1)
    axes = []
    for lo, hi in zip(low, high):
        n = int(math.ceil((hi - lo + 2 * pad) / step - 1e-9)) + 1
        centre = 0.5 * (lo + hi)
        axes.append(centre + step * (np.arange(n) - 0.5 * (n - 1)))
    return np.meshgrid(axes[0], axes[1])


def grid_predictions(
    xx: np.ndarray,
    yy: np.ndarray,
    kernels: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activation: str,
    task: str,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict:
    """The model on every grid point: ``{"proba": ..., "label": ...}``.

    ``transform`` maps raw coordinates [m, 2] to model inputs (e.g. ``Split.transform``; identity
    when None). ``proba`` is ``P(class 1)`` with shape ``xx.shape`` for binary, the class
    probabilities ``[*xx.shape, K]`` for multiclass and the raw output ``xx.shape`` for regression.
    ``label`` is the predicted class as int ``xx.shape`` (``P(class 1) >= 0.5`` for binary, the
    argmax for multiclass) and None for regression.
    """
    xx, yy = np.asarray(xx, dtype=np.float64), np.asarray(yy, dtype=np.float64)
    if xx.shape != yy.shape or xx.ndim != 2:
        raise ValueError(
            "The 'xx' and 'yy' parameters must be 2-D arrays of the same shape. "
            f"Got shapes {xx.shape} and {yy.shape} instead."
        )
    points = np.column_stack([xx.ravel(), yy.ravel()])
    if transform is not None:
        points = np.asarray(transform(points), dtype=np.float64)
    p = predict_proba(points, kernels, biases, activation, task)
    if task == "multiclass":
        return {"proba": p.reshape(*xx.shape, -1), "label": p.argmax(axis=1).reshape(xx.shape)}
    proba = p.reshape(xx.shape) if p.ndim == 1 else p.reshape(*xx.shape, -1)
    label = (proba >= 0.5).astype(np.int64) if task == "binary" else None
    return {"proba": proba, "label": label}


def _spacing(labels: np.ndarray, xx: np.ndarray, yy: np.ndarray) -> tuple[np.ndarray, float, float]:
    labels, xx, yy = np.asarray(labels), np.asarray(xx, dtype=np.float64), np.asarray(yy, dtype=np.float64)
    if not (labels.ndim == 2 and labels.shape == xx.shape == yy.shape and min(labels.shape) >= 3):
        raise ValueError(
            "The 'labels', 'xx' and 'yy' parameters must be 2-D arrays of one shape, at least 3 × 3. "
            f"Got shapes {labels.shape}, {xx.shape} and {yy.shape} instead."
        )
    dx, dy = abs(xx[0, 1] - xx[0, 0]), abs(yy[1, 0] - yy[0, 0])
    if not (dx > 0 and dy > 0):
        raise ValueError(
            "The 'xx' and 'yy' parameters must be a meshgrid in 'xy' indexing (xx varying along "
            f"columns, yy along rows) with positive spacing. Got dx = {dx} and dy = {dy} instead."
        )
    return labels, float(dx), float(dy)


def _differing_pairs(labels: np.ndarray, p: int, q: int) -> int:
    """Number of grid points z with ``labels[z] != labels[z + (q rows, p columns)]``."""
    rows, cols = labels.shape
    c0, c1 = max(0, -p), cols - max(0, p)
    a = labels[: rows - q, c0:c1]
    b = labels[q:, c0 + p : c1 + p]
    return int(np.count_nonzero(a != b))


def boundary_length(labels: np.ndarray, xx: np.ndarray, yy: np.ndarray) -> float:
    """Length of the decision boundary (where ``labels`` changes) in data units, by the 8-direction
    Cauchy–Crofton estimate of the module docstring; 0.0 when every label is the same."""
    labels, dx, dy = _spacing(labels, xx, yy)
    angles = np.array([math.atan2(q * dy, p * dx) % math.pi for p, q in _OFFSETS])
    order = np.argsort(angles)
    ordered = angles[order]
    # arc of directions nearest each angle, on the circle of directions of period π
    previous, following = np.roll(ordered, 1), np.roll(ordered, -1)
    previous[0] -= math.pi
    following[-1] += math.pi
    weights = np.empty_like(angles)
    weights[order] = 0.5 * (following - previous) / 2.0
    length = 0.0
    for (p, q), w in zip(_OFFSETS, weights):
        length += w * _differing_pairs(labels, p, q) * dx * dy / math.hypot(p * dx, q * dy)
    return float(length)


def _count_regions(labels: np.ndarray) -> int:
    """Connected regions of equal labels, 4-connectivity: the components of each label's mask, by
    ``scipy.ndimage.label`` with its default cross-shaped structure (diagonal pixels do not touch)."""
    return sum(ndimage.label(labels == value)[1] for value in np.unique(labels))


def boundary_complexity(labels: np.ndarray, xx: np.ndarray, yy: np.ndarray) -> dict:
    """How complex a decision boundary is: ``{"length", "changes", "regions"}``.

    ``length`` is :func:`boundary_length`; ``changes`` the number of 4-adjacent pairs of grid points
    with different labels; ``regions`` the number of 4-connected regions of equal labels (a clean
    two-moons boundary splits the grid into 2; every island a model draws around a point adds one).
    """
    labels, _, _ = _spacing(labels, xx, yy)
    changes = _differing_pairs(labels, 1, 0) + _differing_pairs(labels, 0, 1)
    return {
        "length": boundary_length(labels, xx, yy),
        "changes": int(changes),
        "regions": _count_regions(labels),
    }
