"""The figure rules of the lecture report: what a figure draws, it labels; what it labels, it draws; no squeezed axis,
no percentage past 100%, no yellow on white, no superscript exponent, and a constant model says so."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb

from reglab.views.boundaries import boundary_panels
from reglab.views.curves import validation_curve
from reglab.views.distributions import magnitude_histograms
from reglab.views.panels import curve_panels, score_panels
from reglab.views.style import CLASS_COLORS, PALETTE, YELLOW


def drawn(fig):
    FigureCanvasAgg(fig).draw()
    return fig


def inside(fig, artist) -> bool:
    box, canvas = artist.get_window_extent(), fig.bbox
    return box.x0 >= canvas.x0 - 1 and box.y0 >= canvas.y0 - 1 and box.x1 <= canvas.x1 + 1 and box.y1 <= canvas.y1 + 1


def test_no_yellow_line_on_white():
    assert YELLOW not in PALETTE and YELLOW not in CLASS_COLORS
    assert all(sum(to_rgb(c)) < 2.4 for c in PALETTE)  # every series colour darker than a pale tint


def test_a_constant_model_says_so_on_its_panel():
    xx, yy = np.meshgrid(np.linspace(-1, 1, 20), np.linspace(-1, 1, 20))
    X = np.random.default_rng(0).uniform(-1, 1, size=(10, 2))
    panel = {"title": "λ = 1", "xx": xx, "yy": yy, "proba": np.full(xx.shape, 0.52), "X_train": X, "y_train": (X[:, 0] > 0).astype(int)}
    constant = drawn(boundary_panels([{**panel, "constant": True}]))
    assert [t.get_text() for t in constant.axes[0].texts] == ["constant output"]
    assert [t.get_text() for t in drawn(boundary_panels([panel])).axes[0].texts] == []


def test_early_stopping_panels_mark_the_best_epoch_and_keep_title_and_legend_on_the_canvas():
    val = np.r_[np.linspace(1, 0.4, 50), np.linspace(0.4, 0.6, 30)]
    curves = [{"label": f"dropout 0.3 + L2 λ = 0.01 + early stopping {i}", "train": np.linspace(1, 0.1, 80), "val": val,
               "stop_epoch": 80, "best_epoch": 50} for i in range(2)]  # fmt: skip
    fig = drawn(curve_panels(curves, "Early stopping: training and validation data loss"))
    keys = [t.get_text() for t in fig.legends[0].get_texts()]
    assert keys == ["training", "validation (15-epoch mean)", "stop epoch", "best epoch (restored)"]
    stars = [line for ax in fig.axes for line in ax.get_lines() if line.get_marker() == "*"]
    assert [float(s.get_xdata()[0]) for s in stars] == [50.0, 50.0]
    assert inside(fig, fig._suptitle) and inside(fig, fig.legends[0])


def test_lambda_axes_print_their_values_not_superscripts_and_keep_the_legend_off_the_bands():
    x = [0.0, 1e-3, 1e-2, 0.1, 1.0]
    mean = np.array([0.85, 0.88, 0.90, 0.84, 0.5])
    series = [{"label": "test", "mean": mean, "low": mean - 0.01, "high": mean + 0.01}]
    fig = drawn(validation_curve(x, series, "λ", "accuracy", "t", chosen=0.01, references={"chance": 0.5, "Bayes ceiling": 0.915}))
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["0", "0.001", "0.01", "0.1", "1"] and not any("$" in t for t in labels)
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1  # beside the axes, over no band
    assert [t.get_text() for t in ax.get_legend().get_texts()][-2:] == ["chance 0.500", "Bayes ceiling 0.915"]


def test_a_far_reference_line_does_not_squeeze_the_accuracies_and_is_not_in_the_legend():
    x = [0.001, 0.01, 0.1]
    lines = {"L1": {"a": [0.90, 0.89, 0.88]}, "L2": {"a": [0.91, 0.90, 0.89]}}
    fig = drawn(score_panels(["a"], x, lines, "t", "λ", references={"a": {"chance": 0.3, "Bayes ceiling": 0.92}}))
    ax = fig.axes[0]
    assert ax.get_ylim()[0] > 0.8  # chance at 0.3 left out, so the lines are not a flat strip
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["L1", "L2", "Bayes ceiling"]


def test_the_magnitude_bars_say_what_they_count_and_carry_their_share():
    rng = np.random.default_rng(0)
    w = rng.normal(size=400)
    w[:100] = 0.0
    fig = drawn(magnitude_histograms({"hidden 1": {"L2": w, "none": np.abs(w) + 1}}, "t", zeros="exactly 0 (flushed underflow)"))
    ax = fig.axes[0]
    assert fig.get_suptitle() == "t\nbars left of the break: exactly 0 (flushed underflow)"
    assert [t.get_text() for t in ax.texts] == ["25%"]  # the empty bar of "none" is not labelled
    assert ax.get_xticklabels()[1].get_text().startswith("≤1e")  # the floor bin says it holds everything below
    assert inside(fig, fig.legends[0])
