"""The figures of the lecture report, drawn from a section's saved data (no training here).

Each drawing takes a section's ``figures`` data and yields ``(file stem, figure, caption)``. A section of
the results names its drawing (``section["drawing"]``, one of :data:`DRAWINGS`), so the page is drawn
again from ``results.json`` alone. A caption that states a finding builds it from the numbers saved with the
figure, so that other numbers give another caption; without them (a ``results.json`` of an earlier version) it
states none.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from matplotlib.figure import Figure

from reglab.measures.population import POPULATION_SIZE
from reglab.measures.weights import FLOAT32_TINY
from reglab.views.boundaries import boundary_panels
from reglab.views.curves import (
    LEVEL_TEXT,
    capacity_curve,
    interval_bars,
    loss_curves,
    paired_slopes,
    validation_curve,
)
from reglab.views.distributions import magnitude_histograms, sparsity_bars, weight_distributions
from reglab.views.panels import curve_panels, score_panels
from reglab.views.report.captions import decay_caption, evolution_caption, output_caption, sparsity_caption
from reglab.views.report.codec import unpack
from reglab.views.style import FIGURE_MAX_INCHES, legend_into_empty_slots

__all__ = [
    "DRAWINGS", "capacity", "choosing_lambda", "datasets", "decay", "dropout", "for_the_page", "l2", "more_data", "penalties",
    "section_figures", "weights",
]  # fmt: skip

Drawn = Iterator[tuple[str, Figure, str]]  # (file stem, figure, caption)
FRESH = f"{POPULATION_SIZE:,} fresh points"  # what every test score of the lecture is measured on
SMOOTHING = 15  # epochs of the moving average of the curve panels


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


def _panels(data: dict, subtitle=lambda text: text.replace(" · ", "\n", 1)) -> list[dict]:
    """Saved boundary grids → panels of :func:`~reglab.views.boundaries.boundary_panels`; ``subtitle`` shapes each
    saved subtitle (``train … · test … · n regions``), by default train on its own line."""
    x, y = unpack(data["x"]), unpack(data["y"])
    xx, yy = np.meshgrid(x, y)
    panels = []
    for p in data["panels"]:
        panels.append(
            {
                "title": p["title"],
                "subtitle": subtitle(p["subtitle"]),
                "xx": xx,
                "yy": yy,
                **({"proba": unpack(p["proba"]).astype(np.float64)} if "proba" in p else {"label": unpack(p["label"]).astype(np.int64)}),
                "X_train": unpack(p["X_train"]).astype(np.float64),
                "y_train": unpack(p["y_train"]).astype(np.int64),
                "X_test": unpack(p["X_test"]).astype(np.float64),
                "y_test": unpack(p["y_test"]).astype(np.int64),
                "constant": bool(p.get("constant")),
            }
        )
    return panels


def _boundaries(data: dict, suptitle: str, ncols: int | None = None) -> Figure:
    panels = _panels(data)
    return boundary_panels(panels, ncols=ncols or min(3, len(panels)), suptitle=suptitle)  # ≤ 3 a row: legible when shown


def _evolution(data: dict) -> Figure:
    """The strip: one row per model, one column per epoch, titled with the epoch and the run's train and test accuracy."""
    panels = _panels(data, subtitle=lambda text: " · ".join(text.split(" · ")[:2]))  # the regions' count would crowd the title
    title = "The boundary during training: " + " vs ".join(data["rows"])
    return boundary_panels(panels, ncols=len(data["epochs"]), suptitle=title, row_labels=data["rows"], colorbar=False)


def capacity(f: dict) -> Drawn:
    yield (
        "capacity_boundaries",
        _boundaries(f["boundaries"], "Decision boundaries by hidden width (one layer, no penalty)"),
        "Seed 0 of each width: background is P(class 1), the black line P = 0.5; filled points train, hollow points test.",
    )
    c = f["capacity"]
    title = f"Train vs test accuracy by width ({LEVEL_TEXT} bands over seeds)"
    fig = capacity_curve(c["widths"], _bands(c["train"]), _bands(c["test"]), title, references=c.get("references"))
    yield (
        "capacity_scores",
        fig,
        (
            f"Mean accuracy over seeds with {LEVEL_TEXT} intervals; test accuracy on {FRESH} of the generator, so the space "
            "between the lines is the table's gap (train − test). Dotted: chance (the majority class), drawn when it does not "
            "squeeze the data; dash-dotted: the Bayes ceiling, the expected accuracy of the best possible rule (on one finite "
            "sample a model can land above it by chance)."
        ),
    )


def l2(f: dict) -> Drawn:
    yield "l2_boundaries", _boundaries(f["boundaries"], "2→128→128→1 on moons: without vs with L2 (λ = 0.01)"), "Seed 0 of each model."
    strip = f.get("evolution")
    if strip is not None:
        yield "l2_evolution", _evolution(strip), evolution_caption(strip)
    yield (
        "l2_curves",
        loss_curves(f["curves"], "Training (solid) and validation (dashed) data loss"),
        "Data loss only (the penalty is not included), so both models are on the same scale.",
    )


def weights(f: dict) -> Drawn:
    first = {k: unpack(v) for k, v in f["first_layer"].items()}
    yield (
        "weights_first_layer",
        weight_distributions(first, "First-layer weights: box plot, histogram and density"),
        "Seed 0 of each model; the lecture's figure shows the same three views.",
    )
    output_std = f.get("output_std")
    if output_std is not None:
        title = "Output-layer weight std, per seed"
        fig = paired_slopes(list(f["layers"])[:2], output_std, title, "std of output weights")
        yield (
            "weights_output",
            fig,
            output_caption(output_std),
        )
    depth = max(len(v) for v in f["layers"].values())
    names = [f"hidden {i + 1}" for i in range(depth - 1)] + ["output"]
    panels = {name: {k: unpack(v[i]) for k, v in f["layers"].items() if i < len(v)} for i, name in enumerate(names)}
    references = {names[0]: f["references"]} if f.get("references") else None
    zeros = "exactly 0 (flushed underflow)"
    yield (
        "weights_magnitudes",
        magnitude_histograms(panels, "|w| by layer, on a log scale", references, zeros=zeros),
        (
            "Seed 0. Each panel is one layer; each line is one model's share of weights per bin of log10|w|, and the first bin "
            "holds every |w| below its edge. The bars left of the break are the share of weights exactly 0: none of these "
            "models has an L1 term, so an exact zero can only be a weight that shrank below float32's smallest normal number "
            f"({FLOAT32_TINY:.1e}) and was flushed to zero, never one the penalty set. The dashed ticks on the first panel are the largest "
            "|w| of the ranges the lecture quotes. Only hidden kernels are penalised, except in the model that penalises the "
            "output layer too: compare the output panel."
        ),
    )


def choosing_lambda(f: dict) -> Drawn:
    yield "lambda_boundaries", _boundaries(f["boundaries"], "Decision boundaries as λ grows (L2 on hidden kernels)"), "Seed 0 for each λ."
    c = f["curve"]
    xlabel = "λ (L2, Keras convention)"
    parts = (("train", "train"), ("validation", "val"), ("test", "test"))
    series = [dict(label=label, **_bands(c[key])) for label, key in parts]
    title = "Validation curve: accuracy against λ"
    fig = validation_curve(c["lams"], series, xlabel, "accuracy", title, chosen=c["chosen"], references=c.get("references"))
    yield (
        "lambda_accuracy",
        fig,
        (
            f"Means over seeds with {LEVEL_TEXT} bands; test on {FRESH}. The dashed line marks the λ with the lowest mean "
            "validation loss; dotted: chance, dash-dotted: the Bayes ceiling (each drawn when it does not squeeze the data)."
        ),
    )
    losses = (("train", "train_loss"), ("validation", "val_loss"), ("test", "test_loss"))
    series = [dict(label=label, **_bands(c[key], None)) for label, key in losses]
    title = "Validation curve: data loss against λ"
    fig = validation_curve(c["lams"], series, xlabel, "data loss (cross-entropy)", title, chosen=c["chosen"])
    yield "lambda_loss", fig, "The data part of the loss; the penalty is excluded so every λ is on the same scale."


def penalties(f: dict) -> Drawn:
    hist = {k: unpack(v) for k, v in f["histograms"].items()}
    panels = {label: {label: values} for label, values in hist.items()}
    yield (
        "penalties_weights",
        magnitude_histograms(panels, "Second hidden layer |w| by penalty (log scale)", zeros="exactly 0"),
        "Seed 0 of each penalty. The bar left of the break is the share of weights exactly 0: set by the proximal L1 step's "
        f"soft threshold (L1 and elastic net here), or, under L2 or the subgradient step, weights that shrank below {FLOAT32_TINY:.1e} "
        "and were flushed to zero; the line is every other weight by |w|.",
    )
    sp = f["sparsity"]
    labels = list(sp)
    exact, near = [sp[k]["exact"] for k in labels], [sp[k]["near"] for k in labels]
    yield (
        "penalties_sparsity",
        sparsity_bars(labels, exact, near, "Exact zeros vs near zeros in the hidden kernels"),
        sparsity_caption(sp, f.get("steps")),
    )


def decay(f: dict) -> Drawn:
    title = "Training (solid) and validation (dashed) data loss, one model per panel"
    yield (
        "decay_curves",
        curve_panels(f["curves"], title, window=SMOOTHING),
        decay_caption(f.get("pairs", []), SMOOTHING),
    )


def dropout(f: dict) -> Drawn:
    b = f["bars"]
    band = _bands(b["test"])
    title = "Test accuracy of dropout × L2 × early stopping"
    fig = interval_bars(b["labels"], band["mean"], band["low"], band["high"], "test accuracy", title, references=b.get("references"))
    yield (
        "dropout_scores",
        fig,
        f"Means over seeds with {LEVEL_TEXT} intervals, on {FRESH}; chance and the Bayes ceiling, each drawn when it does not "
        "squeeze the intervals, are named in the legend.",
    )
    if f["curves"]:
        title = "Early stopping: training and validation data loss"
        yield (
            "dropout_curves",
            curve_panels(f["curves"], title, window=SMOOTHING),
            (
                f"Seed 0 of each configuration with early stopping, smoothed over {SMOOTHING} epochs; training stops at the dotted "
                "line and the weights of the best validation epoch (the star) are restored."
            ),
        )


def more_data(f: dict) -> Drawn:
    yield "data_boundaries", _boundaries(f["boundaries"], "More data, input jitter and L2 compared"), "Seed 0 of each setting."


def datasets(f: dict) -> Drawn:
    g = f["grid"]
    title = "Test accuracy against λ: L1 vs L2, by dataset"
    yield (
        "datasets_grid",
        score_panels(g["datasets"], g["lams"], g["lines"], title, "λ", references=g["references"]),
        (
            f"Mean test accuracy over seeds ({FRESH} per seed) of every cell of the exercise; dotted: chance, "
            f"dash-dotted: each dataset's Bayes ceiling. The table below gives the {LEVEL_TEXT} intervals and the Bayes rule on the "
            "same points."
        ),
    )
    for name, data in f["boundaries"].items():
        yield f"datasets_{name}", _boundaries(data, f"{name}: L2 with λ = 0.001, 0.01, 0.1"), f"{name}, seed 0."


DRAWINGS = {f.__name__: f for f in (capacity, l2, weights, choosing_lambda, penalties, decay, dropout, more_data, datasets)}


def for_the_page(fig: Figure) -> Figure:
    """Fits a figure to the report, which shows every figure at its own size: at most ``FIGURE_MAX_INCHES`` wide (a wider
    one is narrowed), and a grid whose last row has hidden slots gets its legend there instead of a hole."""
    legend_into_empty_slots(fig)
    if fig.get_figwidth() > FIGURE_MAX_INCHES:
        fig.set_figwidth(FIGURE_MAX_INCHES)
    return fig


def section_figures(section: dict) -> Drawn:
    """Yields ``(stem, figure, caption)`` for every figure of a section of the lecture document, drawn by the
    drawing the section names and fitted to the page (:func:`for_the_page`)."""
    for stem, fig, caption in DRAWINGS[section["drawing"]](section["figures"]):
        yield stem, for_the_page(fig), caption
