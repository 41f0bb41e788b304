"""Decision boundaries side by side, drawn from grids of predictions that the measures computed.

Training points are filled circles with a thin dark edge, test points hollow triangles; a binary
panel's background is P(class 1) and a multiclass panel's the predicted class.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from reglab.views.style import BLACK, CLASS_COLORS, INK, PROBABILITY_CMAP, RC, lighten, new_figure, styled

__all__ = ["boundary_panels"]


def _grid_columns(n: int) -> int:
    return n if n <= 4 else math.ceil(n / math.ceil(n / 4))


def _wrap(subtitle: str, width: int = 38) -> str:
    """Breaks a ``a · b · c`` subtitle between its parts so that it fits above one panel."""
    lines: list[str] = []
    for part in subtitle.split(" · "):
        if lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return "\n".join(lines)


def _points(ax, X, y, colors, test: bool) -> None:
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y).astype(int)
    c = [colors[k] for k in y]
    if test:
        ax.scatter(X[:, 0], X[:, 1], s=30, marker="^", facecolors="none", edgecolors=c, linewidths=1.3, zorder=3)
    else:
        ax.scatter(X[:, 0], X[:, 1], s=20, c=c, edgecolors=INK, linewidths=0.5, zorder=3)


def _boundary_line(ax, xx, yy, field: np.ndarray, level: float) -> None:
    if field.min() < level < field.max():  # contour warns when the level is not crossed
        ax.contour(xx, yy, field, levels=[level], colors=BLACK, linewidths=1.2)


def _panel(ax, panel: Mapping, colors: Sequence[str], binary: bool):
    """One boundary panel; returns the probability shading (for the colorbar) or None."""
    xx, yy = np.asarray(panel["xx"]), np.asarray(panel["yy"])
    shading = None
    if binary:
        proba = np.asarray(panel["proba"], dtype=np.float64)
        shading = ax.contourf(xx, yy, proba, levels=np.linspace(0.0, 1.0, 41), cmap=PROBABILITY_CMAP,
                              vmin=0.0, vmax=1.0)
        _boundary_line(ax, xx, yy, proba, 0.5)
    else:
        label = np.asarray(panel["label"])
        ax.contourf(xx, yy, label, levels=np.arange(len(colors) + 1) - 0.5, colors=[lighten(c, 0.7) for c in colors])
        for k in range(len(colors)):
            _boundary_line(ax, xx, yy, (label == k).astype(float), 0.5)
    _points(ax, panel["X_train"], panel["y_train"], colors, test=False)
    if panel.get("X_test") is not None:
        _points(ax, panel["X_test"], panel["y_test"], colors, test=True)
    subtitle = panel.get("subtitle")
    ax.set_title(panel["title"] + (f"\n{_wrap(subtitle)}" if subtitle else ""))
    ax.set_aspect("equal", adjustable="box")
    ax.grid(False)
    return shading


def _legend(colors: Sequence[str], names: Sequence[str], with_test: bool) -> list[Line2D]:
    handles = [Line2D([], [], ls="", marker="s", ms=9, color=c, label=name) for c, name in zip(colors, names)]
    handles.append(Line2D([], [], ls="", marker="o", ms=6, color="#888888", mec=INK, mew=0.5, label="train"))
    if with_test:
        handles.append(Line2D([], [], ls="", marker="^", ms=7, mfc="none", mec="#555555", mew=1.3, label="test"))
    handles.append(Line2D([], [], color=BLACK, lw=1.2, label="decision boundary"))
    return handles


@styled
def boundary_panels(
    panels: Sequence[Mapping],
    ncols: int | None = None,
    suptitle: str | None = None,
    class_names: Sequence[str] | None = None,
    xlabel: str = "x₁",
    ylabel: str = "x₂",
) -> Figure:
    """Decision boundaries side by side, on one shared pair of axes limits.

    Each panel is ``{"title", "subtitle", "xx", "yy", "proba" | "label", "X_train", "y_train",
    "X_test", "y_test"}`` (``subtitle``, ``X_test``, ``y_test`` optional). With ``proba``
    (P(class 1) on the grid, binary) the background shows the probability, the black line is
    P = 0.5 and one colorbar serves all panels. With ``label`` instead (multiclass) the background
    shows the predicted class, black lines separate the classes, and there is no colorbar.
    """
    if len(panels) == 0:
        raise ValueError("The 'panels' parameter must hold at least one panel. Got an empty list instead.")
    binary = all(p.get("proba") is not None for p in panels)
    n_classes = 2 if binary else 1 + max(
        int(np.max(a)) for p in panels for a in (p["label"], p["y_train"], p.get("y_test")) if a is not None
    )
    names = list(class_names) if class_names is not None else [f"class {k}" for k in range(n_classes)]
    colors = CLASS_COLORS[: max(n_classes, len(names))]
    ncols = ncols or _grid_columns(len(panels))
    nrows = math.ceil(len(panels) / ncols)
    xlim = (min(np.min(p["xx"]) for p in panels), max(np.max(p["xx"]) for p in panels))
    ylim = (min(np.min(p["yy"]) for p in panels), max(np.max(p["yy"]) for p in panels))
    # equal aspect: about 2.4 of each panel's 2.75 inches are axes, the rest tick labels; three panels and the
    # colorbar stay under 9.4 inches, which the report shows at its own size (text at projector size)
    panel_height = 2.4 * min(max((ylim[1] - ylim[0]) / (xlim[1] - xlim[0]), 0.5), 1.5)
    width = 2.75 * ncols + (0.9 if binary else 0.0)
    fig, axes = new_figure(nrows, ncols, (width, (panel_height + 1.05) * nrows + 0.4 + (0.35 if suptitle else 0.0)),
                           sharex=True, sharey=True)
    used = list(axes.flat[: len(panels)])
    shadings = [_panel(ax, panel, colors, binary) for ax, panel in zip(used, panels)]
    for i, ax in enumerate(used):  # axis labels on the outer panels; ticks below any panel with none under it
        bottom = i + ncols >= len(panels)
        ax.xaxis.set_tick_params(labelbottom=bottom)
        ax.set_xlabel(xlabel if bottom else "")
        ax.set_ylabel(ylabel if i % ncols == 0 else "")
    for ax in axes.flat[len(panels):]:
        fig.delaxes(ax)
    used[0].set_xlim(*xlim)
    used[0].set_ylim(*ylim)
    if binary:
        bar = fig.colorbar(shadings[0], ax=used, shrink=0.85, ticks=[0, 0.25, 0.5, 0.75, 1])
        bar.set_label(f"P({names[1]})")
        bar.ax.tick_params(labelsize=RC["ytick.labelsize"])
    handles = _legend(colors, names, any(p.get("X_test") is not None for p in panels))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    if suptitle:
        fig.suptitle(suptitle)
    return fig
