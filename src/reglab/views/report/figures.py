"""The figures of the lecture report, drawn from a section's saved data (no training here)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from matplotlib.figure import Figure

from reglab.views.boundaries import boundary_panels
from reglab.views.curves import capacity_curve, interval_bars, loss_curves, validation_curve
from reglab.views.distributions import sparsity_bars, weight_distributions
from reglab.views.report.codec import unpack

__all__ = ["section_figures"]

Drawn = Iterator[tuple[str, Figure, str]]  # (file stem, figure, caption)


def _bands(stats: list[dict | None], bounds: tuple[float, float] | None = (0.0, 1.0)) -> dict:
    """Per-point summaries → one series ``{"mean", "low", "high"}`` (NaN where missing).

    Intervals of a bounded score (accuracy) are clipped to its range for drawing: a t-interval over
    two seeds can reach past 1, which no accuracy can.
    """
    pick = lambda key: np.array([np.nan if s is None else s[key] for s in stats], dtype=float)  # noqa: E731
    low, high = pick("ci_low"), pick("ci_high")
    if bounds is not None:
        low, high = np.clip(low, *bounds), np.clip(high, *bounds)
    return {"mean": pick("mean").tolist(), "low": low.tolist(), "high": high.tolist()}


def _boundaries(data: dict, suptitle: str, ncols: int | None = None) -> Figure:
    x, y = unpack(data["x"]), unpack(data["y"])
    xx, yy = np.meshgrid(x, y)
    panels = []
    for p in data["panels"]:
        panels.append(
            {
                "title": p["title"],
                "subtitle": p["subtitle"],
                "xx": xx,
                "yy": yy,
                **({"proba": unpack(p["proba"]).astype(np.float64)} if "proba" in p else {"label": unpack(p["label"]).astype(np.int64)}),
                "X_train": unpack(p["X_train"]).astype(np.float64),
                "y_train": unpack(p["y_train"]).astype(np.int64),
                "X_test": unpack(p["X_test"]).astype(np.float64),
                "y_test": unpack(p["y_test"]).astype(np.int64),
            }
        )
    return boundary_panels(panels, ncols=ncols, suptitle=suptitle)


def capacity(f: dict) -> Drawn:
    yield "capacity_boundaries", _boundaries(f["boundaries"], "Decision boundaries by hidden width (one layer, no penalty)"), (
        "Seed 0 of each width: background is P(class 1), the black line P = 0.5; filled points train, hollow points test."
    )
    c = f["capacity"]
    fig = capacity_curve(c["widths"], _bands(c["train"]), _bands(c["test"]), "Train vs test accuracy by width (95% bands over seeds)")
    yield "capacity_scores", fig, "Mean accuracy over seeds with 95% intervals; the space between the lines is the generalization gap."


def l2(f: dict) -> Drawn:
    yield "l2_boundaries", _boundaries(f["boundaries"], "2→128→128→1 on moons: without vs with L2 (λ = 0.01)"), "Seed 0 of each model."
    yield "l2_curves", loss_curves(f["curves"], "Training (solid) and validation (dashed) data loss"), (
        "Data loss only (the penalty is not included), so both models are on the same scale."
    )


def weights(f: dict) -> Drawn:
    first = {k: unpack(v) for k, v in f["first_layer"].items()}
    yield "weights_first_layer", weight_distributions(first, "First-layer weights: box plot, histogram and density"), (
        "Seed 0 of each model; the lecture's figure shows the same three views."
    )
    for i, name in enumerate(["hidden 1", "hidden 2", "output"]):
        layer = {k: unpack(v[i]) for k, v in f["layers"].items() if i < len(v)}
        if layer and i > 0:
            yield f"weights_layer{i + 1}", weight_distributions(layer, f"{name.capitalize()} layer weights"), f"Layer {name}, seed 0."


def choosing_lambda(f: dict) -> Drawn:
    yield "lambda_boundaries", _boundaries(f["boundaries"], "Decision boundaries as λ grows (L2 on hidden kernels)"), "Seed 0 for each λ."
    c = f["curve"]
    xlabel = "λ (L2, Keras convention)"
    parts = (("train", "train"), ("validation", "val"), ("test", "test"))
    series = [dict(label=label, **_bands(c[key])) for label, key in parts]
    fig = validation_curve(c["lams"], series, xlabel, "accuracy", "Validation curve: accuracy against λ", chosen=c["chosen"])
    yield "lambda_accuracy", fig, "Means over seeds with 95% bands; the dashed line marks the λ with the lowest validation loss."
    losses = (("train", "train_loss"), ("validation", "val_loss"), ("test", "test_loss"))
    series = [dict(label=label, **_bands(c[key], None)) for label, key in losses]
    title = "Validation curve: data loss against λ"
    fig = validation_curve(c["lams"], series, xlabel, "data loss (cross-entropy)", title, chosen=c["chosen"])
    yield "lambda_loss", fig, "The data part of the loss; the penalty is excluded so every λ is on the same scale."


def penalties(f: dict) -> Drawn:
    hist = {k: unpack(v) for k, v in f["histograms"].items()}
    yield "penalties_weights", weight_distributions(hist, "Second hidden layer weights by penalty"), "Seed 0 of each penalty."
    sp = f["sparsity"]
    labels = list(sp)
    exact, near = [sp[k]["exact"] for k in labels], [sp[k]["near"] for k in labels]
    yield "penalties_sparsity", sparsity_bars(labels, exact, near, "Exact zeros vs near zeros in the hidden kernels"), (
        "Mean fraction over seeds. Proximal L1 reaches exact zeros; the subgradient only gets near them."
    )


def decay(f: dict) -> Drawn:
    yield "decay_curves", loss_curves(f["curves"], "Training data loss: L2 penalty vs decoupled weight decay"), (
        "SGD + L2(λ/2) and SGD + decay λ draw the same curve; Adam + L2 and AdamW do not."
    )


def dropout(f: dict) -> Drawn:
    b = f["bars"]
    band = _bands(b["test"])
    title = "Test accuracy of dropout × L2 × early stopping"
    fig = interval_bars(b["labels"], band["mean"], band["low"], band["high"], "test accuracy", title)
    yield "dropout_scores", fig, "Means over seeds with 95% intervals."
    if f["curves"]:
        yield "dropout_curves", loss_curves(f["curves"], "Early stopping: validation loss, stop and best epochs marked"), (
            "Seed 0 of each configuration with early stopping; the weights of the best epoch are restored."
        )


def more_data(f: dict) -> Drawn:
    yield "data_boundaries", _boundaries(f["boundaries"], "More data, input jitter and L2 compared"), "Seed 0 of each setting."


def datasets(f: dict) -> Drawn:
    for name, data in f["boundaries"].items():
        yield f"datasets_{name}", _boundaries(data, f"{name}: λ = 0.001, 0.01, 0.1"), f"{name}, seed 0."


DRAWERS = {
    "capacity": capacity,
    "l2": l2,
    "weights": weights,
    "lambda": choosing_lambda,
    "penalties": penalties,
    "decay": decay,
    "dropout": dropout,
    "data": more_data,
    "datasets": datasets,
}


def section_figures(section: dict) -> Drawn:
    """Yields ``(stem, figure, caption)`` for every figure of a section of the lecture document."""
    yield from DRAWERS[section["key"]](section["figures"])
