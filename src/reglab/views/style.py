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
from io import BytesIO
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure

__all__ = [
    "BLACK",
    "BLUE",
    "BLUISH_GREEN",
    "CLASS_COLORS",
    "DPI",
    "GRID",
    "INK",
    "ORANGE",
    "PALETTE",
    "PROBABILITY_CMAP",
    "RC",
    "REDDISH_PURPLE",
    "SKY_BLUE",
    "VERMILLION",
    "YELLOW",
    "lighten",
    "new_figure",
    "save",
    "styled",
    "to_png_bytes",
]

# Okabe–Ito
BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN = "#000000", "#E69F00", "#56B4E9", "#009E73"
YELLOW, BLUE, VERMILLION, REDDISH_PURPLE = "#F0E442", "#0072B2", "#D55E00", "#CC79A7"
PALETTE = (BLUE, VERMILLION, BLUISH_GREEN, REDDISH_PURPLE, ORANGE, SKY_BLUE, BLACK, YELLOW)  # series order
CLASS_COLORS = (BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, VERMILLION, SKY_BLUE, YELLOW, BLACK)
DPI = 110
INK, GRID = "#222222", "#DDDDDD"  # marker edges and text; grid lines
# at DPI 110, a figure up to 9.4 in wide shows at its own size on the report's 1032-px column: 13 pt
# there is 13·110/96 ≈ 15 pt on screen, legible from the back of a room
RC = {"font.size": 13, "axes.titlesize": 14, "axes.labelsize": 13, "legend.fontsize": 13,
      "xtick.labelsize": 13, "ytick.labelsize": 13, "figure.titlesize": 15, "axes.edgecolor": "#555555"}


def lighten(color: str, amount: float) -> tuple[float, float, float]:
    """``color`` mixed with white; ``amount`` 0 keeps the colour, 1 gives white."""
    return tuple(c + (1.0 - c) * amount for c in to_rgb(color))


PROBABILITY_CMAP = LinearSegmentedColormap.from_list(
    "reglab_probability", [lighten(BLUE, 0.6), (1.0, 1.0, 1.0), lighten(ORANGE, 0.55)]
)


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


def save(fig: Figure, path_without_suffix: str | Path, svg: bool = True) -> list[Path]:
    """Writes ``<path>.png`` (and ``<path>.svg``), creating folders; returns the paths written.

    The suffix is appended, never substituted, so ``lam_0.01`` gives ``lam_0.01.png``.
    """
    base = Path(path_without_suffix)
    base.parent.mkdir(parents=True, exist_ok=True)
    paths = [base.with_name(base.name + ".png")] + ([base.with_name(base.name + ".svg")] if svg else [])
    for path in paths:
        fig.savefig(path, dpi=DPI, metadata={"Date": None} if path.suffix == ".svg" else None)
    return paths


def to_png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes, for embedding in a self-contained HTML report."""
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
