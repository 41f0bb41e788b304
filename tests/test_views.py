"""Tests of reglab.views (style, boundaries, curves, distributions): each figure's axes, labels, shared
scales and data, the kernel density, and the PNG/SVG output.
Warnings are errors (pyproject), so a layout or contour warning fails the test that draws it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from reglab.views.boundaries import boundary_panels
from reglab.views.curves import capacity_curve, interval_bars, loss_curves, validation_curve
from reglab.views.distributions import kernel_density, sparsity_bars, weight_distributions
from reglab.views.style import save, to_png_bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def binary_panel(title: str, shift: float, rng: np.random.Generator) -> dict:
    xx, yy = np.meshgrid(np.linspace(-1.0 + shift, 2.0 + shift, 40), np.linspace(-1.0, 1.5, 34))
    X = rng.uniform([-1.0, -1.0], [2.0, 1.5], size=(30, 2))
    y = (X[:, 0] > 0.5).astype(int)
    return {
        "title": title,
        "subtitle": "train 0.97 · test 0.86 · 2 regions",
        "xx": xx,
        "yy": yy,
        "proba": 1.0 / (1.0 + np.exp(-4.0 * (xx - 0.5))),
        "X_train": X[:20],
        "y_train": y[:20],
        "X_test": X[20:],
        "y_test": y[20:],
    }


def rendered(fig: Figure) -> Figure:
    to_png_bytes(fig)  # draws, so that layout and any draw-time warning happen inside the test
    return fig


# boundaries ---------------------------------------------------------------------------------------


def test_binary_boundaries_share_limits_and_one_colorbar():
    rng = np.random.default_rng(0)
    panels = [binary_panel(f"model {i}", 0.1 * i, rng) for i in range(3)]
    fig = rendered(boundary_panels(panels, suptitle="three models"))
    assert isinstance(fig, Figure) and isinstance(fig.canvas, FigureCanvasAgg)
    *panel_axes, colorbar = fig.axes
    assert len(panel_axes) == 3 and colorbar.get_ylabel() == "P(class 1)"
    for ax in panel_axes:
        assert ax.get_xlim() == pytest.approx((-1.0, 2.2))  # the union of the three grids
        assert ax.get_ylim() == pytest.approx((-1.0, 1.5))
        assert ax.get_xlabel() == "x₁"
    assert panel_axes[0].get_ylabel() == "x₂" and panel_axes[1].get_ylabel() == ""
    assert panel_axes[0].get_title() == "model 0\ntrain 0.97 · test 0.86\n2 regions"  # no line wider than its panel
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["class 0", "class 1", "train", "test", "decision boundary"]
    assert fig.get_suptitle() == "three models"


def test_multiclass_boundaries_label_the_panel_above_an_empty_slot():
    rng = np.random.default_rng(1)
    xx, yy = np.meshgrid(np.linspace(0, 1, 30), np.linspace(0, 1, 30))
    label = np.where(xx < 0.3, 0, np.where(yy < 0.5, 1, 2))
    X = rng.uniform(0, 1, size=(40, 2))
    panels = [
        {"title": f"model {i}", "xx": xx, "yy": yy, "label": label, "X_train": X, "y_train": rng.integers(0, 3, 40)} for i in range(5)
    ]
    fig = rendered(boundary_panels(panels, class_names=["a", "b", "c"]))
    *shown, slot = fig.axes  # 3 + 2 panels, the legend in the sixth slot, no colorbar
    assert len(shown) == 5 and not slot.axison and not slot.child_axes and not fig.legends
    assert [ax.get_xlabel() for ax in shown] == ["", "", "x₁", "x₁", "x₁"]
    assert [ax.get_ylabel() for ax in shown] == ["x₂", "", "", "x₂", ""]
    assert [t.get_text() for t in slot.get_legend().get_texts()] == ["a", "b", "c", "train", "decision boundary"]


def test_a_boundary_that_is_nowhere_crossed_draws_without_warning():
    panel = binary_panel("sure of class 1", 0.0, np.random.default_rng(2))
    panel["proba"] = np.full_like(panel["xx"], 0.9)
    rendered(boundary_panels([panel]))


# curves -------------------------------------------------------------------------------------------


def test_loss_curves_draw_train_solid_validation_dashed_in_one_colour():
    epochs = np.arange(1, 31)
    curves = [
        {"label": "no penalty", "train": 1 / epochs, "val": 1 / epochs + 0.2, "stop_epoch": 30, "best_epoch": 12},
        {"label": "L2", "train": 2 / epochs, "val": None, "stop_epoch": None, "best_epoch": None},
    ]
    fig = rendered(loss_curves(curves, "losses", log_y=True))
    (ax,) = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("epoch", "data loss (cross-entropy)", "losses")
    assert ax.get_yscale() == "log"
    train, val, best, stop, train_2 = ax.get_lines()
    assert (train.get_linestyle(), val.get_linestyle(), best.get_linestyle()) == ("-", "--", ":")
    assert train.get_color() == val.get_color() == best.get_color() != train_2.get_color()
    assert list(train.get_xdata()) == list(epochs)  # epochs count from 1
    assert list(best.get_xdata()) == [12, 12]
    assert (stop.get_xdata()[0], stop.get_ydata()[0]) == pytest.approx((30, 1 / 30 + 0.2))
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["no penalty", "L2"]


def test_validation_curve_puts_zero_on_a_symlog_axis_and_marks_the_choice():
    x = [0.0, 1e-4, 1e-3, 1e-2]
    series = [{"label": "validation", "mean": [0.8, 0.82, 0.85, 0.7], "low": [0.78, 0.8, 0.83, 0.65], "high": [0.82, 0.84, 0.87, 0.75]}]
    fig = rendered(validation_curve(x, series, "λ", "accuracy", "sweep", chosen=1e-3))
    (ax,) = fig.axes
    assert ax.get_xscale() == "symlog"
    assert ax.xaxis.get_transform().linthresh == 1e-4
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("λ", "accuracy")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["validation", "chosen: 0.001"]
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 1  # the 95% band
    assert validation_curve(x[1:], [{"label": "a", "mean": [1, 2, 3]}], "λ", "y", "t").axes[0].get_xscale() == "log"
    assert validation_curve(x, [{"label": "a", "mean": [1, 2, 3, 4]}], "λ", "y", "t", log_x=False).axes[0].get_xscale() == "linear"


def test_capacity_curve_labels_the_widths_on_a_log_axis_with_bands():
    widths = [1, 4, 16, 64]
    test = {"mean": [0.7, 0.8, 0.85, 0.8], "low": [0.6, 0.75, 0.8, 0.7], "high": [0.8, 0.85, 0.9, 0.9]}
    fig = rendered(capacity_curve(widths, [0.7, 0.85, 0.95, 1.0], test, "capacity"))
    (ax,) = fig.axes
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "4", "16", "64"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("hidden units per layer", "accuracy")
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 1  # only test has a band


# weights and comparisons --------------------------------------------------------------------------


def test_weight_distributions_share_one_x_axis_and_annotate_ranges():
    rng = np.random.default_rng(3)
    weights = {"no penalty": rng.normal(0, 1, 500), "L2": rng.normal(0, 0.2, 500), "L1": np.zeros(300)}
    fig = rendered(weight_distributions(weights, "weights"))
    boxes, hists, kdes = fig.axes
    assert boxes.get_xlim() == hists.get_xlim() == kdes.get_xlim()
    assert kdes.get_xlabel() == "weight value"
    assert (hists.get_ylabel(), kdes.get_ylabel()) == ("fraction of weights", "density")
    expected = [f"{k}\n[{w.min():.2f}, {w.max():.2f}]" for k, w in weights.items()]
    assert [t.get_text() for t in boxes.get_yticklabels()] == expected
    assert list(boxes.get_yticks()) == [3, 2, 1]  # first model on top
    assert expected[2] == "L1\n[0.00, 0.00]"
    assert [t.get_text() for t in hists.get_legend().get_texts()] == ["no penalty", "L2", "L1"]


def test_kernel_density_is_the_mean_of_gaussians_of_scotts_bandwidth():
    values = np.random.default_rng(4).normal(0.3, 0.5, 2000)
    grid = np.linspace(-2, 2, 401)
    h, density = kernel_density(values, fallback=1.0)
    assert h == pytest.approx(values.std(ddof=1) * values.size**-0.2, rel=1e-12)
    z = (grid[:, None] - values[None, :]) / h
    by_hand = np.exp(-0.5 * z * z).sum(axis=1) / (values.size * h * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(density(grid), by_hand, rtol=1e-10)


@pytest.mark.parametrize("values", [np.zeros(10), np.full(5, 0.25), np.array([-1.5])])
def test_kernel_density_of_weights_without_spread_is_one_gaussian_of_the_fallback_width(values):
    grid = np.linspace(-5, 5, 2001)
    h, density = kernel_density(values, fallback=0.5)
    expected = np.exp(-0.5 * ((grid - values[0]) / 0.5) ** 2) / (0.5 * np.sqrt(2 * np.pi))
    assert h == 0.5
    np.testing.assert_allclose(density(grid), expected, rtol=1e-12)
    assert np.sum(density(grid)) * (grid[1] - grid[0]) == pytest.approx(1.0, abs=1e-3)  # a density


def test_weight_distributions_of_all_equal_weights_draw_without_warning():
    fig = rendered(weight_distributions({"pruned": np.zeros(50), "one weight": np.array([0.4])}, "degenerate"))
    kdes = fig.axes[2]
    peak = max(line.get_ydata().max() for line in kdes.get_lines() if len(line.get_xdata()) > 2)
    assert peak == pytest.approx(1 / (0.004 * np.sqrt(2 * np.pi)), rel=1e-2)  # fallback: 1% of the 0.4 range


def test_interval_bars_draw_the_intervals_given():
    fig = rendered(
        interval_bars(
            ["a", "b"], [0.8, 0.9], [0.75, 0.85], [0.82, 0.97], "test accuracy", "compare", reference=0.8, reference_label="no penalty"
        )
    )
    (ax,) = fig.axes
    bars = [c for c in ax.collections if c.get_segments()]
    assert [tuple(np.asarray(b.get_segments()[0])[:, 1]) for b in bars] == [(0.75, 0.82), (0.85, 0.97)]
    assert ax.get_ylabel() == "test accuracy"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["no penalty"]


def test_interval_bars_with_long_labels_lie_on_rows_with_the_first_on_top():
    labels = ["dropout 0 · L2 0 · no early stop", "dropout 0.3 · L2 0.01 · early stop"]
    (ax,) = rendered(interval_bars(labels, [0.8, 0.9], [0.75, 0.85], [0.82, 0.97], "test accuracy", "compare")).axes
    bars = [c for c in ax.collections if c.get_segments()]
    assert [tuple(np.asarray(b.get_segments()[0])[:, 0]) for b in bars] == [(0.75, 0.82), (0.85, 0.97)]  # along x
    assert [t.get_text() for t in ax.get_yticklabels()] == labels and ax.get_xlabel() == "test accuracy"
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # row 0 on top


@pytest.mark.parametrize("stop", [None, 40])
def test_curve_panels_key_the_stop_line_only_when_one_is_drawn(stop):
    from reglab.views.panels import curve_panels

    curves = [{"label": "a", "train": np.linspace(1, 0.1, 60), "val": np.linspace(1, 0.3, 60), "stop_epoch": stop, "best_epoch": None}]
    fig = rendered(curve_panels(curves, "title"))
    keys = [t.get_text() for t in fig.legends[0].get_texts()]
    assert ("stop epoch" in keys) == (stop is not None)


def test_sparsity_bars_heights_are_the_fractions():
    fig = rendered(sparsity_bars(["no penalty", "L1"], [0.0, 0.6], [0.01, 0.62], "sparsity"))
    (ax,) = fig.axes
    exact, near = ax.containers
    assert [p.get_height() for p in exact] == [0.0, 0.6]
    assert [p.get_height() for p in near] == [0.01, 0.62]
    assert ax.get_ylabel() == "fraction of weights"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["exactly 0", "|w| < 0.001 (zeros included)"]  # below, off the bars
    assert max(float(t.get_text().rstrip("%")) for t in ax.get_yticklabels() if t.get_text()) == 100  # no axis past 100%


# output -------------------------------------------------------------------------------------------


def test_png_bytes_and_saved_files(tmp_path):
    fig = sparsity_bars(["a"], [0.1], [0.2], "t")
    assert to_png_bytes(fig).startswith(PNG_SIGNATURE)
    paths = save(fig, tmp_path / "figures" / "lam_0.01")
    assert [p.name for p in paths] == ["lam_0.01.png", "lam_0.01.svg"]
    assert paths[0].read_bytes().startswith(PNG_SIGNATURE)
    assert b"<svg" in paths[1].read_bytes()[:1000]
    assert save(fig, tmp_path / "only_png", svg=False) == [tmp_path / "only_png.png"]


# the report page and its array encoding ------------------------------------------------------------


def test_codec_round_trip_is_exact_for_the_chosen_dtype_and_plain_base64():
    import base64

    from reglab.views.report.codec import pack, unpack

    a = np.array([[0.5, -1.25, 3.0], [1e-3, 0.0, 2.0]])
    packed = pack(a, "float16")
    assert packed["dtype"] == "float16" and packed["shape"] == [2, 3]
    np.testing.assert_array_equal(unpack(packed), a.astype(np.float16))
    plain = np.frombuffer(base64.b64decode(packed["base64"]), dtype="<f2").reshape(2, 3)  # without reglab
    np.testing.assert_array_equal(plain, a.astype(np.float16))
    assert unpack(pack([1, -2, 3], "int8")).tolist() == [1, -2, 3]


def test_the_page_states_the_settings_and_thresholds_of_the_document(tmp_path):
    import dataclasses

    from reglab.lecture import CONVERSIONS, settings_for
    from reglab.lecture.sheet import conversion
    from reglab.views.report import write_report

    settings = dataclasses.replace(settings_for(quick=True), seeds=3, seed=7, test_size=0.4, val_size=0.2, hidden=(16,), batch_size=8)
    doc = {
        "schema_version": 1, "kind": "reglab-lecture", "settings": dataclasses.asdict(settings), "model": {"layers": [2, 16, 1]},
        "thresholds": {"gap": 0.07, "underfit_skill": 0.55, "underfit_margin": 0.04}, "confidence": 0.9, "convention": CONVERSIONS,
        "sections": [], "timing": {"n_runs": 3, "train_seconds": 1.5},
        "ceiling": {"dataset": "moons", "noise": 0.25, "bayes_accuracy": 0.9312}, "claims": [], "checklist": [], "workflow": [],
        "population": {"n": 5000, "seed": "s", "point": 0.0002, "largest_se": 0.0071}, "claims_rule": "rule",
        "inference": {"test": "the test", "correction": "Holm", "alpha": 0.05, "power": 0.8, "smallest_p": 0.25,
                      "example": {"sd": 0.01, "family": 5, "effect": 0.05}},
        "teacher": {"conversion": conversion(0.02, 8, 50), "next": ["more seeds"]},
    }  # fmt: skip
    text = " ".join(write_report(doc, tmp_path).read_text().split())
    for shown in (
        "3 seeds per configuration",
        "Means come with 90% intervals",
        "40% test, 20% of the rest",
        "2 → 16 → 1, ReLU",
        "Adam, learning rate 0.003, batch 8, 150 epochs",
        "7 … 9:",
        "lies wholly more than 0.04 below the Bayes ceiling",
        "lies wholly above 0.07;",
        "moons at noise 0.25 is 0.931",
        "on 5,000 fresh points",
        "one point is 0.0002 of accuracy",
        "λ = 0.02 of the lecture in every convention",
        "MLPClassifier(alpha=0.32, batch_size=8)",
    ):
        assert shown in text, shown


def test_the_template_types_no_setting_as_a_literal():
    import re

    from reglab.views import report

    template = (Path(report.__file__).parent / "template.html.j2").read_text()
    body = re.sub(r"<style>.*?</style>|<meta[^>]*>", "", template, flags=re.S)  # page styling is not a setting
    numbers = set(re.findall(r"[\w-]*\d[\w.-]*", body))
    assert numbers <= {"h1", "h2", "base64", "float32"}, numbers
