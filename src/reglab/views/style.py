"""reglab's look for figures: the palette, font sizes, a new figure on an Agg canvas, and PNG/SVG output.

Figures are built as ``Figure`` objects with an Agg canvas, never through pyplot: no GUI, no global
backend switch for a notebook that imports reglab, and no pyplot registry of open figures to close
or to leak.

Colours are Okabe and Ito's palette, which stays distinct under the common colour-vision
deficiencies: class 0 is blue and class 1 orange, and probability maps fade from light blue
through white (P = 0.5) to light orange.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure

__all__ = [
    "BLACK",
    "BLUE",
    "BLUISH_GREEN",
    "CLASS_COLORS",
    "DPI",
    "FIGURE_MAX_INCHES",
    "GREY",
    "GRID",
    "INK",
    "ORANGE",
    "PALETTE",
    "PROBABILITY_CMAP",
    "RC",
    "REDDISH_PURPLE",
    "SKY_BLUE",
    "SVG_IMAGE_DPI",
    "VERMILLION",
    "YELLOW",
    "legend_into_empty_slots",
    "lighten",
    "new_figure",
    "save",
    "settle_layout",
    "slot_over",
    "styled",
    "to_png_bytes",
]

# Okabe–Ito
BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN = "#000000", "#E69F00", "#56B4E9", "#009E73"
YELLOW, BLUE, VERMILLION, REDDISH_PURPLE = "#F0E442", "#0072B2", "#D55E00", "#CC79A7"
GREY = "#7F7F7F"  # in place of Okabe–Ito's yellow, which is too faint on white for a line or a small marker
PALETTE = (BLUE, VERMILLION, BLUISH_GREEN, REDDISH_PURPLE, ORANGE, SKY_BLUE, BLACK, GREY)  # series order
CLASS_COLORS = (BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, VERMILLION, SKY_BLUE, GREY, BLACK)
DPI = 110
INK, GRID = "#222222", "#DDDDDD"  # marker edges and text; grid lines
# at DPI 110, a figure up to FIGURE_MAX_INCHES wide shows at its own size on the report's 1032-px column:
# 13 pt there is 13·110/96 ≈ 15 pt on screen, legible from the back of a room
FIGURE_MAX_INCHES = 9.4
# pixels per inch of the images inside an SVG: the shadings are smooth, so a viewer's scaling of a coarser image
# looks the same, at under half the bytes of DPI's
SVG_IMAGE_DPI = 72
RC = {
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "legend.fontsize": 13,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "figure.titlesize": 15,
    "axes.edgecolor": "#555555",
}


def lighten(color: str, amount: float) -> tuple[float, float, float]:
    """``color`` mixed with white; ``amount`` 0 keeps the colour, 1 gives white."""
    return tuple(c + (1.0 - c) * amount for c in to_rgb(color))


PROBABILITY_CMAP = LinearSegmentedColormap.from_list("reglab_probability", [lighten(BLUE, 0.6), (1.0, 1.0, 1.0), lighten(ORANGE, 0.55)])


def styled(function):
    """Builds the figure under reglab's font sizes (:data:`RC`)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(RC):
            return function(*args, **kwargs)

    return wrapper


def new_figure(nrows: int, ncols: int, size: tuple[float, float], **subplots) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure of ``size`` inches on an Agg canvas and its ``[nrows, ncols]`` axes,
    each without top and right spines and with a light grid behind the data."""
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplots)
    for ax in axes.flat:
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(True, color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(color="#555555", labelsize=RC["xtick.labelsize"])
    return fig, axes


def slot_over(fig: Figure, axes: Sequence[Axes]) -> Axes:
    """Removes ``axes`` (the unused slots of a grid, a rectangle such as the end of an incomplete last row) and
    returns one frameless axes over their place, to hold a legend or a colorbar: a grid with a hole looks
    unfinished on a slide, and the space below the grid is saved."""
    specs = [ax.get_subplotspec() for ax in axes]
    rows = range(min(s.rowspan.start for s in specs), max(s.rowspan.stop for s in specs))
    cols = range(min(s.colspan.start for s in specs), max(s.colspan.stop for s in specs))
    assert len(rows) * len(cols) == len(specs), "the slots must form a rectangle"
    for ax in axes:
        fig.delaxes(ax)
    slot = fig.add_subplot(specs[0].get_gridspec()[rows.start : rows.stop, cols.start : cols.stop])
    slot.axis("off")
    return slot


def legend_into_empty_slots(fig: Figure) -> Axes | None:
    """Moves a figure's one legend into the slots of its hidden axes (:func:`slot_over`); returns the slot, or
    None (nothing changed) when no axes is hidden or the figure has no single legend."""
    hidden = [ax for ax in fig.axes if not ax.get_visible()]
    if not hidden or len(fig.legends) != 1:
        return None
    (legend,) = fig.legends
    handles, labels, title = legend.legend_handles, [t.get_text() for t in legend.get_texts()], legend.get_title().get_text()
    legend.remove()
    slot = slot_over(fig, hidden)
    slot.legend(handles, labels, title=title or None, loc="center", frameon=False, fontsize=RC["legend.fontsize"],
                title_fontsize=RC["legend.fontsize"])  # fmt: skip
    return slot


def settle_layout(fig: Figure) -> Figure:
    """Runs the figure's layout engine once and then removes it, keeping the positions it found.

    With a layout engine, every ``savefig`` lays the figure out again in a draw of its own before the
    real one (about half of a save's time for a grid of panels); after this call, the PNG and the SVG
    of one figure share one layout and each is drawn once. Axes added afterwards are not laid out, so
    this comes last, just before saving.
    """
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine(None)  # None, not "none": a placeholder engine would still cost the extra draw
    return fig


def save(fig: Figure, path_without_suffix: str | Path, svg: bool = True) -> list[Path]:
    """Writes ``<path>.png`` (and ``<path>.svg``) on one layout (:func:`settle_layout`), creating folders;
    returns the paths written.

    The suffix is appended, never substituted, so ``lam_0.01`` gives ``lam_0.01.png``. In an SVG everything is
    vector but the images (a boundary's shading, a colorbar's ramp), embedded at :data:`SVG_IMAGE_DPI`; its
    text is text (``svg.fonttype`` none), so a slide can edit a title, and the file is smaller and faster to write.
    """
    base = Path(path_without_suffix)
    base.parent.mkdir(parents=True, exist_ok=True)
    png = base.with_name(base.name + ".png")
    settle_layout(fig)
    fig.savefig(png, dpi=DPI)
    if not svg:
        return [png]
    vector = base.with_name(base.name + ".svg")
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(vector, dpi=SVG_IMAGE_DPI, metadata={"Date": None})
    return [png, vector]


def to_png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes, for embedding in a self-contained HTML report."""
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
