"""What one streamed frame shows, computed with torch from a :class:`~reglab.engine.StackTrainer`.

A frame holds, for every compared model: its weights (``params``, when the page draws the boundaries
itself, see :data:`reglab.web.plane.PAGE_MACS`) or its decision boundary on a grid of the data's plane
(``boundary``, up to 100 × 100 points, when the server draws them), accuracy or R² on the training and
held-out data (current weights, dropout off), exact-zero (``w == 0``) and near-zero (``|w| < 1e-3``)
kernel weights, per-layer weight histograms with bins shared by all models (so their shapes compare),
box-plot quartiles, and the fit verdict with its one-sentence reason (:func:`reglab.measures.judging.judge`).
The per-epoch losses in parts (data loss, penalty, total) are added by :mod:`reglab.web.session` as the
frame's ``trace``.

The trainer is read in one place, :func:`snapshot` (through :func:`model_weights`, the only reader
of the live stack), by the thread that trains; :func:`build_frame` draws from that copy elsewhere.
The encodings of weights and boundaries are :mod:`reglab.web.plane`'s.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from reglab.data import Split
from reglab.engine import EpochReport, StackTrainer
from reglab.measures.ceiling import data_ceiling
from reglab.measures.judging import DIVERGED_REASON, judge
from reglab.web.models import RunRequest
from reglab.web.plane import GRID, PAGE_MACS, PlaneGrid, boundary_images, encoded_weights, grid_size, macs_per_point, plane_grid, raw_target

__all__ = [
    "NEAR_ZERO", "FrameContext", "FrameInputs", "build_frame", "finite", "fit_verdict", "frame_context", "model_weights", "snapshot",
    "trace_row", "weight_views",
]  # fmt: skip

NEAR_ZERO = 1e-3  # |w| below this counts as near zero (exact zeros included)
BINS = 41  # histogram bins per layer, symmetric around 0 (the middle bin holds 0)


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
        stacked = torch.stack([weights[i][0][layer].reshape(-1) for i in ids]).numpy()
        ordered = torch.from_numpy(np.sort(stacked, axis=1)).to(torch.float64)  # [M, n]; NumPy's sort: 15× torch's here
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
    """The verdict and its one-sentence reason (:func:`reglab.measures.judging.judge`, judged against
    ``ceiling``, the Bayes accuracy of a 2-D generator, when known); a diverged (non-finite) score has none."""
    if not (math.isfinite(train_score) and math.isfinite(held_out_score)):
        return {"verdict": "diverged", "reason": DIVERGED_REASON}
    found = judge(train_score, held_out_score, task, majority_rate, held_out_name=held_out_name, ceiling=ceiling)
    return {"verdict": found.verdict, "reason": found.reason}


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
    page_draws: bool = False  # the page draws the boundaries from the weights a frame carries; else the server draws them
    sizes: tuple[int, ...] = ()  # the network's layer sizes: input features, hidden layers, outputs


def frame_context(run_id: str, request: RunRequest, split: Split, features: Split) -> FrameContext:
    """What every frame of a run shares, from its request, its raw 2-D data ``split`` and the input features
    its models train on (``features``, :func:`reglab.web.plane.input_split`)."""
    lo, hi = 0.0, 1.0
    if split.task == "regression":
        y = raw_target(split)
        lo, hi = float(y.min()), float(y.max())
    target = (lo, hi, split.y_mean, split.y_scale)
    sizes = (features.n_features, *request.hidden, split.n_outputs)
    page_draws = len(request.models) * GRID**2 * macs_per_point(sizes) <= PAGE_MACS
    n = GRID if page_draws else grid_size(len(request.models), sizes)
    grid = plane_grid(split, features, n=n, inputs=request.input_features())
    held_out, ceiling = "val" if len(split.X_val) else "test", data_ceiling(split.config, split.task)
    return FrameContext(run_id, split.task, request.activation, grid, target, split.majority_rate, held_out, ceiling, page_draws, sizes)


def trace_row(report: EpochReport, task: str) -> dict:
    """One epoch's losses in parts and scores of every model that trained in it, for the charts."""
    score = "r2" if task == "regression" else "accuracy"
    models = {}
    for i, m in report.metrics.items():
        models[i] = {
            "data_loss": m["data_loss"], "penalty": m["penalty"], "loss": m["loss"], "score": m[score],
            "val_data_loss": m.get("val_data_loss"), "val_score": m.get(f"val_{score}"),
        }  # fmt: skip
    return finite({"epoch": report.epoch, "models": models})


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
    if context.page_draws:
        pictures = {i: {"params": encoded_weights(*w)} for i, w in inputs.weights.items()}
    else:
        images = boundary_images(inputs.weights, context.activation, context.task, context.grid, context.target)
        pictures = {i: {"boundary": image} for i, image in images.items()}
    views = weight_views(inputs.weights)
    held_name = "validation" if context.held_out == "val" else "test"
    models = []
    for i, label in enumerate(inputs.labels):
        train, held = inputs.scores[i]
        fit = fit_verdict(context.task, train, held, context.majority_rate, held_name, context.ceiling)
        models.append({
            "index": i, "label": label, "lr": inputs.lrs[i], "status": inputs.statuses[i],
            "train_score": train, "held_out_score": held, **fit, **views["zeros"][i], **pictures[i],
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
