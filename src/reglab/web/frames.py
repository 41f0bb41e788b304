"""What one streamed frame shows, computed with torch from a :class:`~reglab.engine.StackTrainer`.

A frame holds, for every compared model: the decision boundary on a 100 × 100 grid of the data's
plane, accuracy or R² on the training and held-out data (current weights, dropout off), exact-zero
(``w == 0``) and near-zero (``|w| < 1e-3``) kernel weights, per-layer weight histograms with bins
shared by all models (so their shapes compare), box-plot quartiles, and the fit verdict with its
one-sentence reason (:func:`reglab.measures.fit.explain`). The per-epoch losses in parts (data loss,
penalty, total) are added by :mod:`reglab.web.session` as the frame's ``trace``.

The trainer is read in one place, :func:`snapshot` (through :func:`model_weights`, the only reader
of the live stack), by the thread that trains; :func:`build_frame` draws from that copy elsewhere.

Boundary values travel as bytes (base64): for binary tasks ``round(255·P(class 1))``; for
multiclass the predicted class and ``round(255·max probability)``; for regression
``round(255·(ŷ − lo)/(hi − lo))`` clipped, with ``[lo, hi]`` the training targets' range in raw units.
"""

from __future__ import annotations

import base64
import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from reglab.data import Split
from reglab.engine import StackTrainer
from reglab.measures.fit import explain, kind_of, verdict

__all__ = [
    "GRID", "NEAR_ZERO", "FrameContext", "FrameInputs", "PlaneGrid", "boundary_images", "build_frame", "finite", "fit_verdict",
    "model_weights", "plane_grid", "raw_points", "raw_target", "snapshot", "weight_views",
]  # fmt: skip

GRID = 100  # grid points per side of the boundary heatmap
NEAR_ZERO = 1e-3  # |w| below this counts as near zero (exact zeros included)
BINS = 41  # histogram bins per layer, symmetric around 0 (the middle bin holds 0)
_ACT = {"gelu": torch.nn.functional.gelu}
_ACT_ = {"relu": torch.relu_, "tanh": torch.tanh_, "sigmoid": torch.sigmoid_}  # in place, no temporary


@dataclass(frozen=True)
class PlaneGrid:
    """A square ``GRID × GRID`` grid over the data's plane: raw extent and the model inputs."""

    x_range: tuple[float, float]  # raw coordinates of the first and last column
    y_range: tuple[float, float]  # raw coordinates of the first and last row (row 0 at the bottom)
    inputs: torch.Tensor  # [GRID², 2] scaled as the training data, row-major from the bottom row
    buffers: dict = field(default_factory=dict, compare=False)  # hidden activations, reused frame after frame

    def buffer(self, layer: int, shape: tuple[int, ...]) -> torch.Tensor:
        """The activation buffer of hidden ``layer`` (allocated once per shape: no page faults per frame)."""
        if layer not in self.buffers or self.buffers[layer].shape != shape:
            self.buffers[layer] = torch.empty(shape, dtype=self.inputs.dtype)
        return self.buffers[layer]


def raw_points(split: Split, part: str) -> np.ndarray:
    """The raw (unscaled) features of one part of the split."""
    X = getattr(split, f"X_{part}").astype(np.float64)
    return X * split.x_scale + split.x_mean if split.x_mean is not None else X


def plane_grid(split: Split, n: int = GRID, margin: float = 0.08) -> PlaneGrid:
    """A square box around every point of the split, padded by ``margin`` of its side."""
    points = np.concatenate([raw_points(split, p) for p in ("train", "val", "test")])
    low, high = points.min(axis=0), points.max(axis=0)
    side = float(max(high - low)) or 1.0
    half = side * (0.5 + margin)
    cx, cy = (low + high) / 2
    xs = np.linspace(cx - half, cx + half, n)
    ys = np.linspace(cy - half, cy + half, n)
    xx, yy = np.meshgrid(xs, ys)
    inputs = split.transform(np.column_stack([xx.ravel(), yy.ravel()]))
    return PlaneGrid((float(xs[0]), float(xs[-1])), (float(ys[0]), float(ys[-1])), torch.from_numpy(inputs))


def model_weights(trainer: StackTrainer) -> dict[int, tuple[list[torch.Tensor], list[torch.Tensor]]]:
    """Every run's current kernels and biases, by run index.

    The one place that reads the trainer's live stack (``trainer.stack``, ``trainer.active``); runs
    that left the stack are read from their outcome. Tensors are copies, safe to keep.
    """
    weights = {}
    for k, i in enumerate(trainer.active):
        weights[i] = ([w[k].detach().clone() for w in trainer.stack.kernels], [b[k].detach().clone() for b in trainer.stack.biases])
    for i, outcome in trainer.outcomes.items():
        as_t = lambda a: torch.from_numpy(np.asarray(a, dtype=np.float32))  # noqa: E731
        weights[i] = ([as_t(w) for w in outcome.kernels], [as_t(b) for b in outcome.biases])
    return dict(sorted(weights.items()))


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
            h = _ACT[activation](h) if activation == "gelu" else _ACT_[activation](h)
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


def _interpolate(ordered: torch.Tensor, q: float) -> torch.Tensor:
    """Percentile ``q`` of each row of sorted ``ordered`` ``[M, n]`` by linear interpolation (NumPy's default)."""
    pos = q * (ordered.shape[1] - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, ordered.shape[1] - 1)
    return ordered[:, lo] + (pos - lo) * (ordered[:, hi] - ordered[:, lo])


def _count_below(ordered: torch.Tensor, value: float, inclusive: bool) -> torch.Tensor:
    """How many entries of each sorted row are ``< value`` (``<= value`` when inclusive)."""
    probe = torch.full((ordered.shape[0], 1), value, dtype=ordered.dtype)
    return torch.searchsorted(ordered, probe, right=inclusive)[:, 0]


def weight_views(weights: dict) -> dict:
    """Per-layer histograms on shared bins, box-plot numbers, and zero counts of every model.

    Bins of layer ``l`` span ``[-m, m]`` with ``m`` the largest ``|w|`` of that layer over all models,
    in :data:`BINS` equal bins (a weight on an inner edge falls in the bin above it). Boxes are
    ``[whisker_low, q1, median, q3, whisker_high]``: linear-interpolation percentiles and Tukey's
    whiskers (the most extreme weights within 1.5 IQR of the quartiles). Everything is read from one
    sort of each layer's weights.
    """
    ids = list(weights)
    n_layers = len(next(iter(weights.values()))[0])
    layers, exact, near = [], torch.zeros(len(ids), dtype=torch.int64), torch.zeros(len(ids), dtype=torch.int64)
    for layer in range(n_layers):
        ordered = torch.stack([weights[i][0][layer].reshape(-1) for i in ids]).to(torch.float64).sort(dim=1).values  # [M, n]
        m = float(ordered.abs().max()) or 1.0
        edges = torch.linspace(-m, m, BINS + 1, dtype=torch.float64)
        at = torch.searchsorted(ordered, edges[1:-1].expand(len(ids), -1).contiguous())
        bounds = torch.cat([torch.zeros(len(ids), 1, dtype=torch.int64), at, torch.full((len(ids), 1), ordered.shape[1])], dim=1)
        q1, median, q3 = (_interpolate(ordered, q) for q in (0.25, 0.5, 0.75))
        iqr = q3 - q1
        low = torch.searchsorted(ordered, (q1 - 1.5 * iqr).unsqueeze(1)).clamp(max=ordered.shape[1] - 1)
        high = (torch.searchsorted(ordered, (q3 + 1.5 * iqr).unsqueeze(1), right=True) - 1).clamp(min=0)
        whisker_low = torch.minimum(ordered.gather(1, low)[:, 0], q1)
        whisker_high = torch.maximum(ordered.gather(1, high)[:, 0], q3)
        boxes = torch.stack([whisker_low, q1, median, q3, whisker_high], dim=1)
        layers.append({"edges": [-m, m], "counts": bounds.diff(dim=1).tolist(), "boxes": boxes.tolist()})
        exact += _count_below(ordered, 0.0, True) - _count_below(ordered, 0.0, False)  # w == 0
        near += _count_below(ordered, NEAR_ZERO, False) - _count_below(ordered, -NEAR_ZERO, True)  # -1e-3 < w < 1e-3
    total = sum(weights[ids[0]][0][layer].numel() for layer in range(n_layers))
    zeros = {i: {"weights": total, "exact_zero": int(exact[k]), "near_zero": int(near[k])} for k, i in enumerate(ids)}
    return {"layers": layers, "zeros": zeros}


def fit_verdict(
    task: str, train_score: float, held_out_score: float, majority_rate: float, held_out_name: str, ceiling: float | None = None
) -> dict:
    """The verdict and its one-sentence reason (the rule of :mod:`reglab.measures.fit`, judged against
    ``ceiling``, the Bayes accuracy of a 2-D generator, when known); a diverged (non-finite) score has none."""
    if not (math.isfinite(train_score) and math.isfinite(held_out_score)):
        return {"verdict": "diverged", "reason": "The loss became NaN or infinite: lower the learning rate or λ."}
    kind = kind_of(task)
    rate = None if kind == "regression" else majority_rate
    return {
        "verdict": verdict(train_score, held_out_score, kind, rate, ceiling=ceiling),
        "reason": explain(train_score, held_out_score, kind, rate, held_out_name=held_out_name, ceiling=ceiling),
    }


def raw_target(split: Split) -> np.ndarray:
    """The training targets in raw units (regression)."""
    return split.y_train.astype(np.float64) * split.y_scale + split.y_mean


@dataclass(frozen=True)
class FrameContext:
    """What every frame of one run shares: the grid, the task and how the held-out part is named."""

    run_id: str
    task: str
    activation: str
    grid: PlaneGrid
    target: tuple[float, float, float, float]  # (lo, hi, y_mean, y_scale), see boundary_images
    majority_rate: float
    held_out: str  # "val" or "test"
    ceiling: float | None = None  # the data's Bayes accuracy (2-D generators), for the verdict


@dataclass
class FrameInputs:
    """A snapshot of the trainer taken between epochs by the thread that owns it; frames are drawn from it."""

    generation: int  # frames of an older trainer (before a reset) are dropped
    state: str  # the run's state when the snapshot was taken: paused, playing or finished
    epoch: int
    reset: bool
    weights: dict  # run index -> (kernels, biases), copies
    scores: dict  # run index -> (train score, held-out score) on the current weights, dropout off
    labels: list[str]
    lrs: list[float]
    statuses: dict  # run index -> "training" or how the run ended
    epochs: int  # epochs trained since the last snapshot
    train_s: float


def snapshot(
    trainer: StackTrainer, context: FrameContext, generation: int, state: str, epochs: int, train_s: float, reset: bool
) -> FrameInputs:
    """Everything a frame needs from ``trainer``, copied (call it from the thread that trains)."""
    key = "r2" if context.task == "regression" else "accuracy"
    scores = {}
    if trainer.active:
        train, held = trainer.evaluate("train")[key].tolist(), trainer.evaluate(context.held_out)[key].tolist()
        scores = {i: (train[k], held[k]) for k, i in enumerate(trainer.active)}
    for i, outcome in trainer.outcomes.items():
        scores[i] = (outcome.train.get(key, math.nan), getattr(outcome, context.held_out).get(key, math.nan))
    statuses = {i: trainer.outcomes[i].status if i in trainer.outcomes else "training" for i in range(len(trainer.configs))}
    return FrameInputs(
        generation, state, trainer.epoch, reset, model_weights(trainer), scores, [c.label for c in trainer.configs],
        [c.lr for c in trainer.configs], statuses, epochs, train_s,
    )  # fmt: skip


def build_frame(inputs: FrameInputs, context: FrameContext) -> dict:
    """The frame of the module docstring (JSON-ready; NaN and infinities become None)."""
    start = time.perf_counter()
    images = boundary_images(inputs.weights, context.activation, context.task, context.grid, context.target)
    views = weight_views(inputs.weights)
    held_name = "validation" if context.held_out == "val" else "test"
    models = []
    for i, label in enumerate(inputs.labels):
        train, held = inputs.scores[i]
        fit = fit_verdict(context.task, train, held, context.majority_rate, held_name, context.ceiling)
        models.append({
            "index": i, "label": label, "lr": inputs.lrs[i], "status": inputs.statuses[i],
            "train_score": train, "held_out_score": held, **fit, **views["zeros"][i], "boundary": images[i],
        })  # fmt: skip
    timing = {"epochs": inputs.epochs, "train_ms": 1000 * inputs.train_s, "frame_ms": 1000 * (time.perf_counter() - start)}
    head = {"run": context.run_id, "epoch": inputs.epoch, "state": inputs.state, "reset": inputs.reset}
    return finite({**head, "models": models, "layers": views["layers"], "timing": timing})


def finite(value):
    """JSON has no NaN or infinity: they become None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value
