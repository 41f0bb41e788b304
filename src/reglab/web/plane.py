"""The data's plane: its raw points, the input features computed from them, the boundary grid, and the
network's outputs over that grid (the server's forward pass; the page has the same one in forward.js).

Input features are TensorFlow Playground's: x₁, x₂, x₁², x₂², x₁x₂, sin x₁ and sin x₂, computed from the
raw 2-D points (before standardising), then standardised with the training part's mean and population
standard deviation (:func:`reglab.data.scaling.standardise`). The boundary grid goes through the same
steps, so a network sees the grid as it saw its training points. With the plain inputs (x₁, x₂) the
split is the one :func:`reglab.data.load` gives, as ``reglab train`` would use it.

Boundary values travel as bytes (base64): for binary tasks ``round(255·P(class 1))``; for multiclass
the predicted class and ``round(255·max probability)``; for regression ``round(255·(ŷ − lo)/(hi − lo))``
clipped, with ``[lo, hi]`` the training targets' range in raw units. Weights travel as base64 float32,
little-endian, kernel ``[fan_in, fan_out]`` row-major then bias, layer after layer.
"""

from __future__ import annotations

import base64
import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import torch

from reglab.data import Split
from reglab.data.scaling import standardise
from reglab.engine.ops import activation_
from reglab.errors import ReglabError

__all__ = [
    "GRID", "INPUTS", "PAGE_MACS", "SERVER_MACS", "PlaneGrid", "boundary_images", "encoded_weights", "feature_columns", "grid_size",
    "input_split", "load_plane", "macs_per_point", "plane_grid", "raw_points", "raw_target", "warm_up",
]  # fmt: skip

GRID = 100  # grid points per side of the boundary heatmap
MIN_GRID = 40  # the coarsest grid the server draws a large network's boundary on
SERVER_MACS = 400_000_000  # multiply-adds per frame above which the server draws on a coarser grid (bench/RESULTS.md)
PAGE_MACS = 5_000_000  # multiply-adds per frame up to which the page draws the boundaries (~10 ms in Chromium; bench/RESULTS.md)
INPUTS = {"x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²", "x1x2": "x₁x₂", "sinx1": "sin x₁", "sinx2": "sin x₂"}
PLAIN = ("x1", "x2")
_FEATURES = {
    "x1": lambda a, b: a, "x2": lambda a, b: b, "x1sq": lambda a, b: a * a, "x2sq": lambda a, b: b * b,
    "x1x2": lambda a, b: a * b, "sinx1": lambda a, b: np.sin(a), "sinx2": lambda a, b: np.sin(b),
}  # fmt: skip


@dataclass(frozen=True)
class PlaneGrid:
    """A square ``GRID × GRID`` grid over the data's plane: raw extent and the model inputs."""

    x_range: tuple[float, float]  # raw coordinates of the first and last column
    y_range: tuple[float, float]  # raw coordinates of the first and last row (row 0 at the bottom)
    inputs: torch.Tensor  # [GRID², features] scaled as the training data, row-major from the bottom row
    buffers: dict = field(default_factory=dict, compare=False)  # hidden activations, reused frame after frame

    def buffer(self, layer: int, shape: tuple[int, ...]) -> torch.Tensor:
        """The activation buffer of hidden ``layer`` (allocated once per shape: no page faults per frame)."""
        if layer not in self.buffers or self.buffers[layer].shape != shape:
            self.buffers[layer] = torch.empty(shape, dtype=self.inputs.dtype)
        return self.buffers[layer]


def warm_up() -> None:
    """Imports scikit-learn and draws a dataset once, so that the first run starts fast (the server's process and
    every worker process do it on start)."""
    from reglab.config import DataConfig
    from reglab.data import load

    load(DataConfig())


def load_plane(request, path: str | None) -> Split:
    """The raw 2-D data of a run request (``path``: its uploaded CSV's file), scaled as :func:`reglab.data.load`
    scales it; ReglabError for data that is not 2-D."""
    from reglab.data import load

    split = load(request.data.data_config(path))
    if split.n_features != 2:
        raise ReglabError(f"The playground draws 2-D data only. Got {split.n_features} features instead.")
    return split


def raw_points(split: Split, part: str) -> np.ndarray:
    """The raw (unscaled) features of one part of the split."""
    X = getattr(split, f"X_{part}").astype(np.float64)
    return X * split.x_scale + split.x_mean if split.x_mean is not None else X


def raw_target(split: Split) -> np.ndarray:
    """The training targets in raw units (regression)."""
    return split.y_train.astype(np.float64) * split.y_scale + split.y_mean


def feature_columns(points: np.ndarray, inputs: tuple[str, ...]) -> np.ndarray:
    """The input features ``inputs`` (names of :data:`INPUTS`) of raw 2-D ``points`` ``[n, 2]``, float64 ``[n, len(inputs)]``."""
    a, b = points[:, 0], points[:, 1]
    return np.column_stack([_FEATURES[name](a, b) for name in inputs])


def input_split(split: Split, inputs: tuple[str, ...]) -> Split:
    """``split`` with the input features ``inputs`` as its columns, standardised with its training part's
    statistics (the split itself for the plain inputs x₁, x₂)."""
    if tuple(inputs) == PLAIN:
        return split
    parts = [feature_columns(raw_points(split, part), inputs) for part in ("train", "val", "test")]
    scaled, mean, scale, _ = standardise(parts, [INPUTS[name] for name in inputs], "the input features")
    train, val, test = (x.astype(np.float32) for x in scaled)
    names = tuple(INPUTS[name] for name in inputs)
    return dataclasses.replace(split, X_train=train, X_val=val, X_test=test, feature_names=names, x_mean=mean, x_scale=scale)


def plane_grid(split: Split, features: Split | None = None, n: int = GRID, margin: float = 0.08, inputs=PLAIN) -> PlaneGrid:
    """A square box around every point of ``split`` (the raw 2-D data), padded by ``margin`` of its side;
    its points as the network sees them: input features ``inputs``, scaled as ``features`` (their split)."""
    points = np.concatenate([raw_points(split, p) for p in ("train", "val", "test")])
    low, high = points.min(axis=0), points.max(axis=0)
    side = float(max(high - low)) or 1.0
    half = side * (0.5 + margin)
    cx, cy = (low + high) / 2
    xs = np.linspace(cx - half, cx + half, n)
    ys = np.linspace(cy - half, cy + half, n)
    xx, yy = np.meshgrid(xs, ys)
    raw = np.column_stack([xx.ravel(), yy.ravel()])
    model_inputs = (features or split).transform(feature_columns(raw, tuple(inputs)))
    return PlaneGrid((float(xs[0]), float(xs[-1])), (float(ys[0]), float(ys[-1])), torch.from_numpy(model_inputs))


def macs_per_point(sizes: tuple[int, ...]) -> int:
    """Multiply-adds of one network's forward pass for one input point (``sizes``: inputs, hidden..., outputs)."""
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def grid_size(models: int, sizes: tuple[int, ...]) -> int:
    """Grid points per side of the boundaries the server draws for ``models`` networks of ``sizes``: :data:`GRID`,
    or fewer (down to :data:`MIN_GRID`) when drawing them all would take over :data:`SERVER_MACS` multiply-adds,
    so that a frame of five 128-wide networks is drawn in about the time its epochs train (the page
    scales the picture up smoothly either way)."""
    return max(MIN_GRID, min(GRID, math.isqrt(SERVER_MACS // (models * macs_per_point(sizes)))))


def encoded_weights(kernels: list[torch.Tensor], biases: list[torch.Tensor]) -> str:
    """One model's weights as base64 float32 (see the module docstring)."""
    flat = [t.detach().to(torch.float32).reshape(-1) for pair in zip(kernels, biases) for t in pair]
    return base64.b64encode(torch.cat(flat).numpy().astype("<f4").tobytes()).decode("ascii")


def _outputs(weights: list[tuple[list[torch.Tensor], list[torch.Tensor]]], activation: str, grid: PlaneGrid) -> torch.Tensor:
    """Network outputs ``[M, K, G]`` of every model on the grid (dropout off), into buffers kept on the grid.

    The output layer is computed as ``Wᵀ·hᵀ`` (``[M, K, H] × [M, H, G]``), the fast layout for K = 1.
    """
    n_layers, m = len(weights[0][0]), len(weights)
    h = grid.inputs.unsqueeze(0).expand(m, -1, -1)
    with torch.no_grad():
        for layer in range(n_layers):
            w = torch.stack([k[layer] for k, _ in weights])
            b = torch.stack([bs[layer] for _, bs in weights]).unsqueeze(1)
            if layer == n_layers - 1:
                return torch.baddbmm(b.transpose(1, 2), w.transpose(1, 2), h.transpose(1, 2))
            h = torch.baddbmm(b, h, w, out=grid.buffer(layer, (m, h.shape[1], w.shape[2])))
            activation_(activation, h, h)  # the engine's activation, in place: no temporary per frame
    raise AssertionError("unreachable: a network has an output layer")


def _bytes(values: torch.Tensor) -> str:
    return base64.b64encode(values.round().clamp(0, 255).to(torch.uint8).numpy().tobytes()).decode("ascii")


def boundary_images(weights: dict, activation: str, task: str, grid: PlaneGrid, target: tuple[float, ...]) -> dict[int, dict]:
    """Each model's boundary as base64 bytes (see the module docstring), by run index.

    ``target`` is ``(lo, hi, y_mean, y_scale)`` for regression: the colour range in raw units and
    the split's target scaling (raw ŷ = output·y_scale + y_mean); ignored by classification.
    """
    out = _outputs(list(weights.values()), activation, grid)
    images = {}
    for k, i in enumerate(weights):
        z = out[k].T
        if task == "binary":
            images[i] = {"p": _bytes(torch.sigmoid(z[:, 0]) * 255)}
        elif task == "multiclass":
            p = torch.softmax(z, dim=1)
            conf, label = p.max(dim=1)
            images[i] = {"label": _bytes(label.float()), "conf": _bytes(conf * 255)}
        else:
            lo, hi, mean, scale = target
            y = z[:, 0] * scale + mean
            images[i] = {"value": _bytes((y - lo) / max(hi - lo, 1e-12) * 255)}
    return images
