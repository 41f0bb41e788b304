"""Decision boundaries side by side, drawn from grids of predictions that the measures computed.

Training points are filled circles with a thin dark edge, test points hollow triangles; a binary
panel's background is P(class 1) and a multiclass panel's the predicted class. The background is one
image per panel (a pixel per grid point, its centre on the point), so a figure draws in a fraction of
the time of filled contours and its SVG stays small; the boundary lines and the points stay vectors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from reglab.views.style import BLACK, CLASS_COLORS, FIGURE_MAX_INCHES, INK, PROBABILITY_CMAP, RC, lighten, new_figure, slot_over, styled

__all__ = ["boundary_panels", "grid_extent"]

COLUMN = 2.75  # inches per column at full size: about 2.4 of them are the panel, the rest tick labels
COLORBAR = 0.9  # inches of a colorbar beside the grid
ROW_LABEL = 0.45  # inches of a row label left of the grid
CHAR = 0.105  # inches of an average character of a 14-pt title


def _grid_columns(n: int) -> int:
    return n if n <= 4 else math.ceil(n / math.ceil(n / 4))


def _wrap(subtitle: str, width: int) -> str:
    """Breaks a ``a · b · c`` subtitle between its parts so that no line is longer than ``width`` characters."""
    lines: list[str] = []
    for part in subtitle.split(" · "):
        if lines and len(lines[-1].split("\n")[-1]) + 3 + len(part.split("\n")[0]) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return "\n".join(lines)


def grid_extent(xx: np.ndarray, yy: np.ndarray) -> tuple[float, float, float, float]:
    """``(left, right, bottom, top)`` of an image with one pixel per point of an evenly spaced meshgrid, each
    pixel centred on its point (half a spacing beyond the outer points)."""
    x, y = np.asarray(xx, dtype=np.float64)[0], np.asarray(yy, dtype=np.float64)[:, 0]
    dx = (x[-1] - x[0]) / (2 * (x.size - 1)) if x.size > 1 else 0.5
    dy = (y[-1] - y[0]) / (2 * (y.size - 1)) if y.size > 1 else 0.5
    return (x[0] - dx, x[-1] + dx, y[0] - dy, y[-1] + dy)


def _points(ax, X, y, colors, test: bool) -> None:
    """One marker line per class (an SVG writes a line's markers as bare references to one shape, a scatter's
    each with its own style: half the bytes)."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y).astype(int)
    for k in np.unique(y):
        at = X[y == k]
        if test:
            ax.plot(at[:, 0], at[:, 1], ls="", marker="^", ms=30**0.5, mfc="none", mec=colors[k], mew=1.3, zorder=3)
        else:
            ax.plot(at[:, 0], at[:, 1], ls="", marker="o", ms=20**0.5, mfc=colors[k], mec=INK, mew=0.5, zorder=3)


def _boundary_line(ax, xx, yy, field: np.ndarray, level: float) -> None:
    if field.min() < level < field.max():  # contour warns when the level is not crossed
        ax.contour(xx, yy, field, levels=[level], colors=BLACK, linewidths=1.2)


def _panel(ax, panel: Mapping, colors: Sequence[str], binary: bool, wrap: int) -> None:
    """One boundary panel: the shading as an image, the boundary lines, the points and the title."""
    xx, yy = np.asarray(panel["xx"]), np.asarray(panel["yy"])
    image = dict(extent=grid_extent(xx, yy), origin="lower", aspect="equal", rasterized=True, zorder=0)
    if binary:
        proba = np.asarray(panel["proba"], dtype=np.float64)
        ax.imshow(proba, cmap=PROBABILITY_CMAP, vmin=0.0, vmax=1.0, interpolation="bilinear", **image)
        _boundary_line(ax, xx, yy, proba, 0.5)
    else:  # class indices: nearest, since blending two classes' indices would paint a third class between them
        label = np.asarray(panel["label"])
        shades = ListedColormap([lighten(c, 0.7) for c in colors])
        ax.imshow(label, cmap=shades, vmin=-0.5, vmax=len(colors) - 0.5, interpolation="nearest", **image)
        for k in range(len(colors)):
            _boundary_line(ax, xx, yy, (label == k).astype(float), 0.5)
    _points(ax, panel["X_train"], panel["y_train"], colors, test=False)
    if panel.get("X_test") is not None:
        _points(ax, panel["X_test"], panel["y_test"], colors, test=True)
    if panel.get("constant"):  # no boundary to draw: say so where the reader looks for it
        ax.text(0.5, 0.5, "constant output", transform=ax.transAxes, ha="center", va="center", color=INK,
                bbox={"fc": "white", "ec": "#555555", "pad": 4, "alpha": 0.9}, zorder=4)  # fmt: skip
    subtitle = panel.get("subtitle")
    ax.set_title(panel["title"] + (f"\n{_wrap(subtitle, wrap)}" if subtitle else ""))
    ax.set_aspect("equal", adjustable="box")
    ax.grid(False)


def _legend(colors: Sequence[str], names: Sequence[str], with_test: bool) -> list[Line2D]:
    handles = [Line2D([], [], ls="", marker="s", ms=9, color=c, label=name) for c, name in zip(colors, names)]
    handles.append(Line2D([], [], ls="", marker="o", ms=6, color="#888888", mec=INK, mew=0.5, label="train"))
    if with_test:
        handles.append(Line2D([], [], ls="", marker="^", ms=7, mfc="none", mec="#555555", mew=1.3, label="test"))
    handles.append(Line2D([], [], color=BLACK, lw=1.2, label="decision boundary"))
    return handles


def _legend_columns(handles: Sequence[Line2D], width: float) -> int:
    """Entries per row of the legend below a grid ``width`` inches wide: all in one row where they fit (a marker, its
    padding and the label's characters each), else two rows, so that no entry is cut off at the figure's edges."""
    need = sum(0.75 + CHAR * len(h.get_label()) for h in handles)
    return len(handles) if need <= width else math.ceil(len(handles) / 2)


def _row_label(ax, text: str) -> None:
    """A bold label left of a row, beyond its first panel's y-axis label (the layout leaves room for it)."""
    ax.annotate(text, xy=(0, 0.5), xycoords=ax.yaxis.label, xytext=(-8, 0), textcoords="offset points", rotation=90,
                ha="right", va="center", fontsize=RC["axes.titlesize"], fontweight="bold")  # fmt: skip


def _in_slot(fig, slot, handles, probability: ScalarMappable | None, label: str) -> None:
    """The legend (and the probability colorbar, lying below it) in the slot of an incomplete last row."""
    # both stay out of the layout: they fit the slot's own box and the panels' title and tick-label margins beside it
    n_cols = 1 if slot.get_subplotspec().colspan.stop - slot.get_subplotspec().colspan.start < 2 else 2
    legend = slot.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.08), ncols=n_cols, frameon=False,
                         labelspacing=0.35, handletextpad=0.5)  # fmt: skip
    legend.set_in_layout(False)
    if probability is not None:
        cax = slot.inset_axes([0.1, 0.0, 0.8, 0.075])
        cax.set_in_layout(False)
        bar = fig.colorbar(probability, cax=cax, orientation="horizontal", ticks=[0, 0.5, 1])
        bar.solids.set_rasterized(True)  # one image, not a path per colour step
        bar.set_label(label)
        bar.ax.tick_params(labelsize=RC["xtick.labelsize"])


@styled
def boundary_panels(
    panels: Sequence[Mapping],
    ncols: int | None = None,
    suptitle: str | None = None,
    class_names: Sequence[str] | None = None,
    xlabel: str = "x₁",
    ylabel: str = "x₂",
    row_labels: Sequence[str] | None = None,
    colorbar: bool = True,
) -> Figure:
    """Decision boundaries side by side, on one shared pair of axes limits, at most :data:`FIGURE_MAX_INCHES` wide.

    Each panel is ``{"title", "subtitle", "xx", "yy", "proba" | "label", "X_train", "y_train",
    "X_test", "y_test"}`` (``subtitle``, ``X_test``, ``y_test`` optional; ``xx``, ``yy`` an evenly
    spaced meshgrid). With ``proba`` (P(class 1) on the grid, binary) the background shows the
    probability, the black line is P = 0.5 and one colorbar serves all panels (none with
    ``colorbar=False``). With ``label`` instead (multiclass) the background shows the predicted class,
    black lines separate the classes, and there is no colorbar. Panels fill ``ncols`` columns row by
    row; ``row_labels`` names each row. When the last row is incomplete, the legend (and colorbar)
    fill its empty slots; otherwise the legend lies below the grid and the colorbar beside it.
    """
    if len(panels) == 0:
        raise ValueError("The 'panels' parameter must hold at least one panel. Got an empty list instead.")
    binary = all(p.get("proba") is not None for p in panels)
    labels = [a for p in panels for a in (p.get("label"), p["y_train"], p.get("y_test")) if a is not None]
    n_classes = 2 if binary else 1 + max(int(np.max(a)) for a in labels)
    names = list(class_names) if class_names is not None else [f"class {k}" for k in range(n_classes)]
    colors = CLASS_COLORS[: max(n_classes, len(names))]
    ncols = ncols or _grid_columns(len(panels))
    nrows = math.ceil(len(panels) / ncols)
    if row_labels is not None and len(row_labels) != nrows:
        raise ValueError(f"The 'row_labels' parameter must name each of the {nrows} rows. Got {len(row_labels)} labels instead.")
    hole = nrows * ncols > len(panels)
    bar_beside = binary and colorbar and not hole
    extra = (COLORBAR if bar_beside else 0.0) + (ROW_LABEL if row_labels is not None else 0.0)
    column = min(COLUMN, (FIGURE_MAX_INCHES - extra) / ncols)  # narrower columns where the full size would pass FIGURE_MAX_INCHES
    xlim = (min(np.min(p["xx"]) for p in panels), max(np.max(p["xx"]) for p in panels))
    ylim = (min(np.min(p["yy"]) for p in panels), max(np.max(p["yy"]) for p in panels))
    # equal aspect: the panel's height follows its width and the data's aspect; 1.05 in per row are titles and tick labels
    panel_height = 2.4 * column / COLUMN * min(max((ylim[1] - ylim[0]) / (xlim[1] - xlim[0]), 0.5), 1.5)
    handles = _legend(colors, names, any(p.get("X_test") is not None for p in panels))
    width = column * ncols + extra
    legend_columns = _legend_columns(handles, width)
    second_row = 0.3 if not hole and legend_columns < len(handles) else 0.0  # of the legend below the grid
    size = (width, (panel_height + 1.05) * nrows + 0.4 + second_row + (0.35 if suptitle else 0.0))
    fig, axes = new_figure(nrows, ncols, size, sharex=True, sharey=True)
    used = list(axes.flat[: len(panels)])
    for ax, panel in zip(used, panels):
        _panel(ax, panel, colors, binary, wrap=int(column / CHAR))
    for i, ax in enumerate(used):  # axis labels on the outer panels; ticks below any panel with none under it
        bottom = i + ncols >= len(panels)
        ax.xaxis.set_tick_params(labelbottom=bottom)
        ax.set_xlabel(xlabel if bottom else "")
        ax.set_ylabel(ylabel if i % ncols == 0 else "")
        if row_labels is not None and i % ncols == 0:
            _row_label(ax, row_labels[i // ncols])
    used[0].set_xlim(*xlim)
    used[0].set_ylim(*ylim)
    probability = ScalarMappable(Normalize(0.0, 1.0), PROBABILITY_CMAP) if binary and colorbar else None
    label = f"P({names[1]})" if binary else ""
    if hole:
        slot = slot_over(fig, list(axes.flat[len(panels) :]))
        slot.set(xlim=xlim, ylim=ylim, aspect="equal", adjustable="box")  # the panels' box, so the colorbar lines up with them
        _in_slot(fig, slot, handles, probability, label)
    else:
        if probability is not None:
            bar = fig.colorbar(probability, ax=used, shrink=0.85, ticks=[0, 0.25, 0.5, 0.75, 1])
            bar.solids.set_rasterized(True)
            bar.set_label(label)
            bar.ax.tick_params(labelsize=RC["ytick.labelsize"])
        fig.legend(handles=handles, loc="outside lower center", ncols=legend_columns, frameon=False)
    if suptitle:
        fig.suptitle(suptitle)
    return fig
