"""The report's figures: every drawing fits the page with no empty slot, the shading image is the probability grid,
the boundary's evolution strip, one layout per figure, and drawing in several processes changes nothing but the time."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from PIL import Image

from reglab.lecture import run_lecture, settings_for
from reglab.views.boundaries import boundary_panels, grid_extent
from reglab.views.report import write_report
from reglab.views.report.figures import DRAWINGS, section_figures
from reglab.views.style import CLASS_COLORS, DPI, FIGURE_MAX_INCHES, PROBABILITY_CMAP, lighten, save

SNAPSHOTS = (2, 3)  # below the 4 epochs of TINY: the strip's columns are epochs 2, 3 and 4


@pytest.fixture(scope="module")
def lecture():
    tiny = dataclasses.replace(
        settings_for(quick=True, seeds=1), epochs=4, lam_grid=(0.0, 0.01, 1.0), lam_shown=(0.0, 1.0), widths=(1, 4), resolution=16,
        patience=2, exercise_epochs=4, snapshots=SNAPSHOTS,
    )  # fmt: skip
    return run_lecture(tiny)


@pytest.fixture(scope="module")
def drawn(lecture):
    """``[(section key, stem, figure)]`` of the whole lecture, in the page's order."""
    return [(s["key"], stem, fig) for s in lecture["sections"] for stem, fig, _ in section_figures(s)]


def subset(doc: dict, *keys: str) -> dict:
    return {**doc, "sections": [s for s in doc["sections"] if s["key"] in keys]}


def is_filled(ax) -> bool:
    """An axes that shows data, or the slot that holds the legend (and colorbar) of an incomplete grid."""
    data = ax.images or ax.lines or ax.collections or ax.patches or ax.containers
    legend_slot = not ax.axison and ax.get_legend() is not None
    return ax.get_visible() and bool(data or legend_slot or hasattr(ax, "_colorbar"))


def stems_of(page) -> list[str]:
    return re.findall(r'<img src="data:image/png;base64,[^"]*" alt="([^"]+)"', page.read_text())


def probability_panel(title: str, xx, yy, proba, rng) -> dict:
    X = rng.uniform([xx.min(), yy.min()], [xx.max(), yy.max()], size=(12, 2))
    return {"title": title, "xx": xx, "yy": yy, "proba": proba, "X_train": X, "y_train": (X[:, 0] > 0).astype(int)}


# every figure of the page --------------------------------------------------------------------------


def test_every_drawing_fits_the_page_with_no_empty_slot(lecture, drawn):
    assert {s["drawing"] for s in lecture["sections"]} == set(DRAWINGS)
    for _, stem, fig in drawn:
        assert fig.get_figwidth() <= FIGURE_MAX_INCHES + 1e-9, stem
        assert all(is_filled(ax) for ax in fig.axes), (stem, [ax.get_title() for ax in fig.axes if not is_filled(ax)])


def test_a_grid_of_curves_puts_its_legend_into_the_hidden_slots():
    curves = [{"label": f"model {i}", "train": np.linspace(1, 0.2, 20), "val": np.linspace(1, 0.4, 20)} for i in range(7)]
    section = {"drawing": "decay", "figures": {"curves": curves}}
    ((stem, fig, _),) = section_figures(section)  # 7 panels on 3 columns: two slots of the last row are free
    slots = [ax for ax in fig.axes if not ax.axison]
    assert len(fig.axes) == 8 and len(slots) == 1 and not fig.legends
    assert [t.get_text() for t in slots[0].get_legend().get_texts()] == ["training", "validation (15-epoch mean)"]
    span = slots[0].get_subplotspec()
    assert (span.rowspan, span.colspan) == (range(2, 3), range(1, 3))


def test_the_evolution_strip_shows_both_models_at_every_snapshot(lecture, drawn):
    section = next(s for s in lecture["sections"] if s["key"] == "l2")
    strip = section["figures"]["evolution"]
    epochs = [*SNAPSHOTS, 4]
    assert strip["epochs"] == epochs and strip["rows"] == ["no penalty", "L2 λ = 0.01"]
    assert [arm["key"] for arm in section["grid"]["arms"]] == ["none", "l2", "none-e2", "none-e3", "l2-e2", "l2-e3"]
    assert [arm["seeds"] for arm in section["grid"]["arms"][2:]] == [1, 1, 1, 1]
    assert [arm["config"]["epochs"] for arm in section["grid"]["arms"][2:]] == [2, 3, 2, 3]
    assert len(section["numbers"]["arms"]) == len(section["table"]["rows"]) == 2  # the snapshots are figures, not rows
    assert strip["loss_difference"] < 1e-5  # retrained to epoch e: the long run's first e epochs, to rounding
    stems = [stem for key, stem, _ in drawn if key == "l2"]
    assert stems == ["l2_boundaries", "l2_evolution", "l2_curves"]
    fig = next(fig for _, stem, fig in drawn if stem == "l2_evolution")
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2 * len(epochs) and fig.get_figwidth() <= FIGURE_MAX_INCHES
    assert [ax.get_title().split("\n")[0] for ax in panels] == [f"epoch {e}" for e in epochs] * 2
    rows = [t.get_text() for ax in panels for t in ax.texts if t.get_text() != "constant output"]
    assert rows == ["no penalty", "L2 λ = 0.01"]  # one label per row, on its first panel
    assert all(ax.get_xlim() == panels[0].get_xlim() and ax.get_ylim() == panels[0].get_ylim() for ax in panels)
    assert len(fig.axes) == len(panels)  # and no colorbar: the figure above it has one


def test_the_strip_is_left_out_when_no_snapshot_is_below_the_training_length(lecture):
    from reglab.lecture.overfitting import evolution, l2_pair_arms, snapshot_epochs
    from reglab.lecture.plan import Arm, Arms

    short = dataclasses.replace(settings_for(quick=True), epochs=4, snapshots=(4, 10))
    assert snapshot_epochs(short) == [] and [a.key for a in l2_pair_arms(short)] == ["none", "l2"]
    assert snapshot_epochs(settings_for()) == [10, 50, 200] and snapshot_epochs(settings_for(quick=True)) == [5, 30]
    pair_only = Arms([(Arm("none", "no penalty"), []), (Arm("l2", "L2"), [])])
    assert evolution(pair_only, settings_for(quick=True)) is None
    section = next(s for s in lecture["sections"] if s["key"] == "l2")
    without = {k: v for k, v in section["figures"].items() if k != "evolution"}  # results.json of an earlier version
    assert [stem for stem, _, _ in DRAWINGS["l2"](without)] == ["l2_boundaries", "l2_curves"]


# captions --------------------------------------------------------------------------------------


def captions(section: dict, **figures) -> dict[str, str]:
    """A section's captions by stem, drawn from its saved figure data with ``figures`` put in place of some of it."""
    return {stem: caption for stem, _, caption in DRAWINGS[section["drawing"]]({**section["figures"], **figures})}


def test_the_decay_caption_says_which_pairs_end_at_the_same_weights_from_the_numbers_saved(lecture):
    from reglab.lecture.decay import ROUNDING

    section = next(s for s in lecture["sections"] if s["key"] == "decay")
    numbers = section["numbers"]
    sgd, adam = section["figures"]["pairs"]
    assert (sgd["max_difference"], adam["max_difference"]) == (numbers["sgd_max_difference"], numbers["adam_max_difference"])
    assert sgd["models"] == ["SGD + L2 λ = 0.005", "SGD + decay 0.01"] and sgd["rounding"] == adam["rounding"] == ROUNDING
    head = "Seed 0 of each optimizer and regularizer, smoothed over 15 epochs (the faint line is the raw validation loss)."
    measured = {**sgd, "max_difference": 3e-16}, {**adam, "max_difference": 0.42}
    contrary = {**sgd, "max_difference": 0.05}, {**adam, "max_difference": 2e-10}  # as if Adam + L2 were AdamW, and SGD not
    assert captions(section, pairs=list(measured))["decay_curves"] == (
        f"{head} SGD + L2 λ = 0.005 and SGD + decay 0.01 end at the same weights (to 3e-16), so they draw the same curves. "
        f"{adam['models'][0]} and {adam['models'][1]} end at different weights (up to 0.42 apart)."
    )
    assert captions(section, pairs=list(contrary))["decay_curves"] == (
        f"{head} SGD + L2 λ = 0.005 and SGD + decay 0.01 end at different weights (up to 0.05 apart). "
        f"{adam['models'][0]} and {adam['models'][1]} end at the same weights (to 2e-10), so they draw the same curves."
    )
    assert captions(section, pairs=[])["decay_curves"] == head  # results.json of an earlier version: no finding stated


def test_the_sparsity_caption_reads_the_zeros_of_l1s_two_steps_from_the_bars(lecture):
    section = next(s for s in lecture["sections"] if s["key"] == "penalties")
    steps = section["figures"]["steps"]
    assert steps == {"proximal": "L1 λ = 0.001 (proximal)", "subgradient": "L1 λ = 0.001 (subgradient, Keras's step)"}
    bars = section["figures"]["sparsity"]
    found = {**bars, steps["proximal"]: {"exact": 0.62, "near": 0.7}, steps["subgradient"]: {"exact": 0.0, "near": 0.31}}
    contrary = {**bars, steps["proximal"]: {"exact": 0.0, "near": 0.2}, steps["subgradient"]: {"exact": 0.45, "near": 0.5}}
    assert captions(section, sparsity=found)["penalties_sparsity"] == (
        "Mean fraction over seeds. The proximal L1 step sets 62% of the hidden weights exactly to zero, the subgradient step 0% "
        "(and 31% near zero)."
    )
    assert captions(section, sparsity=contrary)["penalties_sparsity"] == (
        "Mean fraction over seeds. The proximal L1 step sets 0% of the hidden weights exactly to zero, the subgradient step 45% "
        "(and 50% near zero)."
    )
    assert captions(section, steps=None)["penalties_sparsity"] == "Mean fraction over seeds."


def test_the_output_layer_caption_counts_the_seeds_on_which_its_std_rose(lecture):
    section = next(s for s in lecture["sections"] if s["key"] == "weights")
    text = "One line per seed (vermillion where it rises). The output layer is not penalised; with L2 on the hidden kernels its std "
    assert captions(section, output_std=[[0.5, 0.6, 0.7], [0.9, 0.8, 0.6]])["weights_output"] == text + "rises on 2 of 3 seeds."
    assert captions(section, output_std=[[0.9, 0.8, 0.7], [0.5, 0.6, float("nan")]])["weights_output"] == text + "rises on 0 of 2 seeds."


def test_no_caption_or_label_types_the_confidence_level():
    """The level of the intervals is :data:`reglab.rules.LEVEL`'s, written from it: no drawing, page or diagnosis types it."""
    from pathlib import Path

    import reglab

    root = Path(reglab.__file__).parent
    homes = [root / "views", root / "lecture", root / "diagnosis", root / "runs" / "seeds.py", root / "measures" / "stats.py",
             root / "measures" / "inference.py", root / "measures" / "fit_intervals.py", root / "measures" / "ceiling.py"]  # fmt: skip
    files = [f for home in homes for f in ([home] if home.is_file() else sorted(home.rglob("*"))) if f.suffix in (".py", ".j2")]
    typed = [f"{f.relative_to(root)}:{i}" for f in files for i, line in enumerate(f.read_text().splitlines(), 1)
             if re.search(r"\b0\.95\b|\b95 ?%", line)]  # fmt: skip
    assert len(files) > 40 and typed == []


# the shading --------------------------------------------------------------------------------------


def test_the_shading_image_is_the_probability_grid_with_a_pixel_centred_on_each_point():
    xx, yy = np.meshgrid(np.linspace(-1.0, 2.0, 7), np.linspace(0.0, 1.0, 5))
    proba = 1.0 / (1.0 + np.exp(-3.0 * (xx - 0.4) + yy))
    fig = boundary_panels([probability_panel("p", xx, yy, proba, np.random.default_rng(0))])
    (image,) = fig.axes[0].images
    np.testing.assert_array_equal(image.get_array(), proba)
    left, right, bottom, top = image.get_extent()
    assert (left, right, bottom, top) == pytest.approx(grid_extent(xx, yy))
    assert grid_extent(xx, yy) == pytest.approx((-1.25, 2.25, -0.125, 1.125))  # half a spacing (0.5, 0.25) beyond the grid
    rows, cols = proba.shape
    centres_x = left + (np.arange(cols) + 0.5) * (right - left) / cols
    centres_y = bottom + (np.arange(rows) + 0.5) * (top - bottom) / rows  # origin lower: row 0 at the bottom
    np.testing.assert_allclose(centres_x, xx[0])
    np.testing.assert_allclose(centres_y, yy[:, 0])
    np.testing.assert_allclose(image.to_rgba(image.get_array()), PROBABILITY_CMAP(proba))
    assert image.get_rasterized() and image.get_interpolation() == "bilinear"
    assert fig.axes[0].get_xlim() == (-1.0, 2.0)  # the grid's range, not the image's half-pixel margin


def test_a_class_map_keeps_each_class_colour_with_no_blending():
    xx, yy = np.meshgrid(np.linspace(0.0, 1.0, 6), np.linspace(0.0, 1.0, 4))
    label = np.where(xx < 0.3, 0, np.where(yy < 0.5, 1, 2))
    panel = {"title": "three", "xx": xx, "yy": yy, "label": label, "X_train": np.zeros((3, 2)), "y_train": np.array([0, 1, 2])}
    (image,) = boundary_panels([panel]).axes[0].images
    np.testing.assert_array_equal(image.get_array(), label)
    expected = np.array([(*lighten(CLASS_COLORS[k], 0.7), 1.0) for k in label.ravel()]).reshape(*label.shape, 4)
    np.testing.assert_allclose(image.to_rgba(image.get_array()), expected)
    assert image.get_interpolation() == "nearest"


def test_five_binary_panels_fill_the_sixth_slot_with_the_legend_and_colorbar():
    xx, yy = np.meshgrid(np.linspace(-1.0, 1.0, 9), np.linspace(-1.0, 1.0, 9))
    rng = np.random.default_rng(1)
    panels = [probability_panel(f"λ={i}", xx, yy, 1.0 / (1.0 + np.exp(-i * xx)), rng) for i in range(5)]
    fig = boundary_panels(panels, ncols=3)
    *shown, slot = fig.axes
    assert len(shown) == 5 and not slot.axison and not fig.legends and fig.get_figwidth() <= FIGURE_MAX_INCHES
    assert [t.get_text() for t in slot.get_legend().get_texts()] == ["class 0", "class 1", "train", "decision boundary"]
    (bar,) = slot.child_axes
    assert bar._colorbar.orientation == "horizontal" and bar.get_xlabel() == "P(class 1)"
    span = slot.get_subplotspec()
    assert (span.rowspan, span.colspan) == (range(1, 2), range(2, 3))


# saving -------------------------------------------------------------------------------------------


def test_one_layout_serves_both_files_and_draws_the_png_it_always_drew(tmp_path):
    xx, yy = np.meshgrid(np.linspace(-1.0, 1.0, 9), np.linspace(-1.0, 1.0, 9))

    def make():
        rng = np.random.default_rng(2)
        return boundary_panels([probability_panel(f"m{i}", xx, yy, (xx + 1) / 2, rng) for i in range(2)], suptitle="t")

    laid_out_at_save = make()
    laid_out_at_save.savefig(tmp_path / "before.png", dpi=DPI)  # constrained layout inside savefig, as before
    settled = make()
    png, svg = save(settled, tmp_path / "after")
    assert settled.get_layout_engine() is None and b"<svg" in svg.read_bytes()[:1000]
    before, after = (np.asarray(Image.open(p).convert("RGB"), dtype=int) for p in (tmp_path / "before.png", png))
    assert before.shape == after.shape
    np.testing.assert_array_equal(before, after)  # the same picture


def test_the_report_writes_a_png_and_an_svg_of_every_figure_from_two_processes(lecture, drawn, tmp_path):
    seen = []
    page = write_report(lecture, tmp_path, workers=2, on_figure=seen.append)
    stems = [stem for _, stem, _ in drawn]
    assert stems_of(page) == stems and sorted(seen) == sorted(stems)
    for stem in stems:
        assert (tmp_path / "figures" / f"{stem}.png").stat().st_size > 0 and (tmp_path / "figures" / f"{stem}.svg").stat().st_size > 0


def test_two_processes_draw_the_same_page_as_one(lecture, tmp_path):
    doc = subset(lecture, "capacity", "l2", "decay")
    one, two = [], []
    page_one = write_report(doc, tmp_path / "one", workers=1, on_figure=one.append)
    page_two = write_report(doc, tmp_path / "two", workers=2, on_figure=two.append)
    assert one == stems_of(page_one) == stems_of(page_two) and sorted(two) == sorted(one)
    assert page_one.read_text() == page_two.read_text()  # the same PNGs, in the same order
    assert write_report(subset(lecture, "decay"), tmp_path / "png", svg=False).exists()
    assert not list((tmp_path / "png" / "figures").glob("*.svg"))


def test_a_failure_in_a_drawing_process_is_raised_in_the_caller(lecture, tmp_path):
    doc = subset(lecture, "capacity", "decay")
    broken = {**doc["sections"][1], "figures": {}}  # the decay drawing reads figures["curves"]
    with pytest.raises(KeyError, match="curves"):
        write_report({**doc, "sections": [doc["sections"][0], broken]}, tmp_path, workers=2)
    with pytest.raises(ValueError, match=r"^The 'workers' parameter must be an int >= 1\. Got 0 instead\.$"):
        write_report(doc, tmp_path, workers=0)


@pytest.mark.parametrize("cores, others, fixed, workers", [(2, 0.0, None, 2), (2, 0.9, None, 2), (1, 0.0, None, 1), (4, 0.0, None, 2),
                                                           (2, 0.0, "1", 1)])  # fmt: skip
def test_the_demo_draws_in_two_processes_on_two_cores_busy_or_not(cores, others, fixed, workers, monkeypatch, tmp_path):
    """Drawing processes do not wait on each other: beside a busy process two still take their share of the cores."""
    from reglab.cli import lecture as command
    from reglab.runs import threads
    from reglab.views import report

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("REGLAB_THREADS", fixed) if fixed else monkeypatch.delenv("REGLAB_THREADS", raising=False)
    monkeypatch.setattr(threads, "available_cores", lambda: cores)
    monkeypatch.setattr(threads.GOVERNOR, "others", lambda now=None: others)
    asked = {}
    monkeypatch.setattr(report, "write_report", lambda doc, folder, **kwargs: asked.update(kwargs) or folder / "report.html")
    command._draw({"sections": []}, tmp_path, svg=True)
    assert asked["workers"] == workers
