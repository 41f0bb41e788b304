"""Figures for reports and slides, drawn with matplotlib's Agg renderer.

Every function takes plain NumPy arrays, lists and dicts and returns a
:class:`matplotlib.figure.Figure`; :func:`save` writes it as PNG (and SVG) and :func:`to_png_bytes`
gives the PNG for embedding. Figures are built as ``Figure`` objects with an Agg canvas, never
through pyplot: no GUI, no global backend switch for a notebook that imports reglab, and no
pyplot registry of open figures to close or to leak.

Colours are Okabe and Ito's palette, which stays distinct under the common colour-vision
deficiencies: class 0 is blue and class 1 orange, and probability maps fade from light blue
through white (P = 0.5) to light orange. Training points are filled circles with a thin dark edge,
test points hollow triangles.
"""

from __future__ import annotations

import functools
import inspect
import math
import textwrap
from collections.abc import Mapping, Sequence
from io import BytesIO
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator, PercentFormatter

__all__ = [
    "BLACK",
    "BLUE",
    "BLUISH_GREEN",
    "CLASS_COLORS",
    "DPI",
    "ORANGE",
    "PALETTE",
    "PROBABILITY_CMAP",
    "REDDISH_PURPLE",
    "SKY_BLUE",
    "VERMILLION",
    "YELLOW",
    "boundary_panels",
    "capacity_curve",
    "interval_bars",
    "loss_curves",
    "save",
    "sparsity_bars",
    "to_png_bytes",
    "validation_curve",
    "weight_distributions",
]

# Okabe–Ito
BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN = "#000000", "#E69F00", "#56B4E9", "#009E73"
YELLOW, BLUE, VERMILLION, REDDISH_PURPLE = "#F0E442", "#0072B2", "#D55E00", "#CC79A7"
PALETTE = (BLUE, VERMILLION, BLUISH_GREEN, REDDISH_PURPLE, ORANGE, SKY_BLUE, BLACK, YELLOW)  # series order
CLASS_COLORS = (BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, VERMILLION, SKY_BLUE, YELLOW, BLACK)
DPI = 110
_INK, _GRID = "#222222", "#DDDDDD"
_RC = {"font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
       "xtick.labelsize": 8, "ytick.labelsize": 8, "figure.titlesize": 12, "axes.edgecolor": "#555555"}
# matplotlib 3.10 replaced boxplot's vert=False, which now warns, by orientation="horizontal"
_HORIZONTAL = (
    {"orientation": "horizontal"} if "orientation" in inspect.signature(Axes.boxplot).parameters else {"vert": False}
)


def _light(color: str, amount: float) -> tuple[float, float, float]:
    """``color`` mixed with white; ``amount`` 0 keeps the colour, 1 gives white."""
    return tuple(c + (1.0 - c) * amount for c in to_rgb(color))


PROBABILITY_CMAP = LinearSegmentedColormap.from_list(
    "reglab_probability", [_light(BLUE, 0.6), (1.0, 1.0, 1.0), _light(ORANGE, 0.55)]
)


def _styled(function):
    """Builds the figure under reglab's font sizes."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(_RC):
            return function(*args, **kwargs)
    return wrapper


def _figure(nrows: int, ncols: int, size: tuple[float, float], **subplots) -> tuple[Figure, np.ndarray]:
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplots)
    for ax in axes.flat:
        _style(ax)
    return fig, axes


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, color=_GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(color="#555555", labelsize=_RC["xtick.labelsize"])


def _band(value) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """``(mean, low, high)`` of a plain sequence (no band) or of a ``{mean, low, high}`` dict."""
    if isinstance(value, Mapping):
        return tuple(np.asarray(value[k], dtype=np.float64) for k in ("mean", "low", "high"))
    return np.asarray(value, dtype=np.float64), None, None


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


# decision boundaries ------------------------------------------------------------------------------


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
        ax.scatter(X[:, 0], X[:, 1], s=20, c=c, edgecolors=_INK, linewidths=0.5, zorder=3)


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
        ax.contourf(xx, yy, label, levels=np.arange(len(colors) + 1) - 0.5, colors=[_light(c, 0.7) for c in colors])
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


def _boundary_legend(colors: Sequence[str], names: Sequence[str], with_test: bool) -> list[Line2D]:
    handles = [Line2D([], [], ls="", marker="s", ms=9, color=c, label=name) for c, name in zip(colors, names)]
    handles.append(Line2D([], [], ls="", marker="o", ms=6, color="#888888", mec=_INK, mew=0.5, label="train"))
    if with_test:
        handles.append(Line2D([], [], ls="", marker="^", ms=7, mfc="none", mec="#555555", mew=1.3, label="test"))
    handles.append(Line2D([], [], color=BLACK, lw=1.2, label="decision boundary"))
    return handles


@_styled
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
    # equal aspect: about 2.85 of each panel's 3.2 inches are axes, the rest tick labels
    panel_height = 2.85 * min(max((ylim[1] - ylim[0]) / (xlim[1] - xlim[0]), 0.5), 1.5)
    width = 3.2 * ncols + (0.9 if binary else 0.0)
    fig, axes = _figure(nrows, ncols, (width, (panel_height + 1.05) * nrows + 0.4 + (0.35 if suptitle else 0.0)),
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
        bar.ax.tick_params(labelsize=_RC["ytick.labelsize"])
    handles = _boundary_legend(colors, names, any(p.get("X_test") is not None for p in panels))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


# training curves ----------------------------------------------------------------------------------


@_styled
def loss_curves(
    curves: Sequence[Mapping],
    title: str,
    ylabel: str = "data loss (cross-entropy)",
    xlabel: str = "epoch",
    log_y: bool = False,
) -> Figure:
    """Training (solid) and validation (dashed) loss per epoch, one colour per model.

    Each curve is ``{"label", "train", "val" (or None), "stop_epoch", "best_epoch"}``; ``train[i]``
    is epoch ``i + 1`` (1-based, as reglab counts). A dotted vertical line marks the best epoch
    (whose weights early stopping restores) and a cross the epoch training stopped at.
    """
    fig, axes = _figure(1, 1, (7.2, 4.2))
    ax = axes[0, 0]
    for i, curve in enumerate(curves):
        color = PALETTE[i % len(PALETTE)]
        train = np.asarray(curve["train"], dtype=np.float64)
        val = None if curve.get("val") is None else np.asarray(curve["val"], dtype=np.float64)
        ax.plot(np.arange(1, train.size + 1), train, color=color, lw=1.6, label=curve["label"])
        if val is not None:
            ax.plot(np.arange(1, val.size + 1), val, color=color, lw=1.6, ls="--")
        if curve.get("best_epoch") is not None:
            ax.axvline(curve["best_epoch"], color=color, lw=1.2, ls=":")
        stop, shown = curve.get("stop_epoch"), val if val is not None else train
        if stop is not None and 1 <= stop <= shown.size:
            ax.plot(stop, shown[stop - 1], marker="x", ms=8, mew=2, color=color, ls="")
    if log_y:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    fig.legend(handles=[
        Line2D([], [], color=PALETTE[i % len(PALETTE)], lw=2, label=c["label"]) for i, c in enumerate(curves)
    ], loc="outside right upper", title="model", frameon=False)
    fig.legend(handles=[
        Line2D([], [], color="#555555", lw=1.6, label="training"),
        Line2D([], [], color="#555555", lw=1.6, ls="--", label="validation"),
        Line2D([], [], color="#555555", lw=1.2, ls=":", label="best epoch"),
        Line2D([], [], color="#555555", marker="x", mew=2, ls="", label="stopped"),
    ], loc="outside right lower", frameon=False)
    return fig


# weights ------------------------------------------------------------------------------------------


def _scott_bandwidth(values: np.ndarray, fallback: float) -> float:
    """Scott's rule ``h = s·n^(-1/5)``, ``s`` the sample standard deviation (ddof 1, as
    scipy.stats.gaussian_kde); ``fallback`` when ``s`` is 0 (all weights equal, e.g. all pruned)."""
    s = values.std(ddof=1) if values.size > 1 else 0.0
    return s * values.size ** (-0.2) if s > 0 else fallback


def _kde(values: np.ndarray, grid: np.ndarray, h: float) -> np.ndarray:
    """Gaussian kernel density ``(1/n)·Σ φ((x − v_i)/h)/h`` of ``values`` on ``grid``."""
    density = np.zeros_like(grid)
    chunk = max(1, 2_000_000 // grid.size)  # keeps the [grid, weights] matrix near 16 MB
    for start in range(0, values.size, chunk):
        z = (grid[:, None] - values[None, start:start + chunk]) / h
        density += np.exp(-0.5 * z * z).sum(axis=1)
    return density / (values.size * h * math.sqrt(2.0 * math.pi))


def _boxes(ax, labels: Sequence[str], values: Sequence[np.ndarray], colors: Sequence[str]) -> None:
    positions = np.arange(len(labels), 0, -1)  # first model on top
    boxes = ax.boxplot(values, positions=positions, widths=0.55, patch_artist=True, **_HORIZONTAL,
                       medianprops={"color": BLACK, "lw": 1.5},
                       flierprops={"marker": "o", "ms": 3, "alpha": 0.5, "mec": "none"})
    for patch, flier, color in zip(boxes["boxes"], boxes["fliers"], colors):
        patch.set(facecolor=_light(color, 0.55), edgecolor=color)
        flier.set_markerfacecolor(color)
    ax.set_yticks(positions, [f"{k}\n[{v.min():.2f}, {v.max():.2f}]" for k, v in zip(labels, values)])
    ax.set_title("box plots (whiskers 1.5 IQR; [min, max] under each label)", loc="left")


@_styled
def weight_distributions(weights: Mapping[str, np.ndarray], title: str, xlabel: str = "weight value",
                         bins: int = 60) -> Figure:
    """Box plots, histograms and kernel densities of weights per model, on one shared x-axis.

    Boxes are Tukey's (whiskers at the most extreme weights within 1.5 IQR of the quartiles); each
    box's label gives the model's [min, max]. Histograms share ``bins`` equal bins over all
    weights and show the fraction of each model's weights per bin. Densities are Gaussian KDEs
    with Scott's bandwidth (1% of the shared range for a model whose weights are all equal).
    """
    if len(weights) == 0:
        raise ValueError(
            "The 'weights' parameter must map at least one label to weights. Got an empty mapping instead."
        )
    labels = list(weights)
    values = [np.asarray(weights[k], dtype=np.float64).ravel() for k in labels]
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(labels))]
    low, high = min(v.min() for v in values), max(v.max() for v in values)
    span = (high - low) or 1.0
    fig, axes = _figure(3, 1, (7.2, 5.8 + 0.45 * len(labels)), sharex=True,
                        gridspec_kw={"height_ratios": [0.5 + 0.35 * len(labels), 1.6, 1.6]})
    box_ax, hist_ax, kde_ax = axes[:, 0]
    _boxes(box_ax, labels, values, colors)
    edges = np.linspace(low, high, bins + 1) if high > low else np.linspace(low - 0.5, high + 0.5, bins + 1)
    bandwidths = [_scott_bandwidth(v, fallback=1e-2 * span) for v in values]
    # at least 4 grid points per bandwidth, so that the narrowest density is drawn, not aliased
    grid = np.linspace(low - 0.05 * span, high + 0.05 * span, int(np.clip(4.4 * span / min(bandwidths), 600, 8000)))
    for label, v, h, color in zip(labels, values, bandwidths, colors):
        hist_ax.hist(v, bins=edges, weights=np.full(v.size, 1.0 / v.size), histtype="step", lw=1.5,
                     color=color, label=label)
        density = _kde(v, grid, h)
        kde_ax.plot(grid, density, color=color, lw=1.6, label=label)
        kde_ax.fill_between(grid, density, color=color, alpha=0.12, lw=0)
    hist_ax.set_title(f"histograms ({bins} shared bins)", loc="left")
    hist_ax.set_ylabel("fraction of weights")
    hist_ax.legend(frameon=False)
    kde_ax.set_title("Gaussian kernel density (Scott's bandwidth)", loc="left")
    kde_ax.set(ylabel="density", xlabel=xlabel)
    kde_ax.set_ylim(bottom=0.0)
    for ax in (hist_ax, kde_ax):
        ax.axvline(0.0, color="#777777", lw=0.8, ls=":")
    fig.suptitle(title)
    return fig


# sweeps and comparisons ---------------------------------------------------------------------------


@_styled
def validation_curve(
    x: Sequence[float],
    series: Sequence[Mapping],
    xlabel: str,
    ylabel: str,
    title: str,
    chosen: float | None = None,
    log_x: bool = True,
) -> Figure:
    """Mean score against a parameter with shaded 95% intervals, one line per series
    (``{"label", "mean", "low", "high"}``; ``low``/``high`` optional). With ``log_x`` and a 0
    among ``x`` (no penalty) the axis is symlog, linear up to the smallest non-zero value, so
    that 0 sits at the left of a logarithmic axis. ``chosen`` is marked by a dashed line."""
    x = np.asarray(x, dtype=np.float64)
    fig, axes = _figure(1, 1, (6.4, 4.2))
    ax = axes[0, 0]
    for i, s in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        ax.plot(x, s["mean"], color=color, lw=1.8, marker="o", ms=4, label=s["label"])
        if s.get("low") is not None:
            ax.fill_between(x, s["low"], s["high"], color=color, alpha=0.18, lw=0)
    if log_x and np.any(x > 0):
        if np.any(x <= 0):
            ax.set_xscale("symlog", linthresh=float(np.min(x[x > 0])), linscale=0.6)
        else:
            ax.set_xscale("log")
    if chosen is not None:
        ax.axvline(chosen, color=BLACK, lw=1.1, ls="--", label=f"chosen: {chosen:g}")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(frameon=False, title="shaded: 95% interval" if any(s.get("low") is not None for s in series) else None)
    return fig


@_styled
def interval_bars(
    labels: Sequence[str],
    means: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    ylabel: str,
    title: str,
    colors: Sequence[str] | None = None,
    reference: float | None = None,
    reference_label: str = "reference",
) -> Figure:
    """Point-range chart: each mean as a dot with its 95% interval as a vertical line, the value
    written beside it; an optional dotted horizontal ``reference`` line."""
    means, lows, highs = (np.asarray(a, dtype=np.float64) for a in (means, lows, highs))
    colors = list(colors) if colors is not None else [PALETTE[i % len(PALETTE)] for i in range(len(labels))]
    fig, axes = _figure(1, 1, (max(4.2, 1.0 * len(labels) + 2.0), 4.0))
    ax = axes[0, 0]
    for i, (m, lo, hi, color) in enumerate(zip(means, lows, highs, colors)):
        ax.errorbar(i, m, yerr=[[m - lo], [hi - m]], fmt="o", color=color, ms=7, lw=2, capsize=5)
        ax.annotate(f"{m:#.3g}", (i, m), xytext=(9, 0), textcoords="offset points", va="center",
                    bbox={"fc": "white", "ec": "none", "pad": 1, "alpha": 0.8})
    if reference is not None:
        ax.axhline(reference, color="#555555", lw=1.0, ls=":", label=reference_label)
        ax.legend(frameon=False)
    long = max((len(s) for s in labels), default=0) > 10
    ax.set_xticks(np.arange(len(labels)), labels, rotation=20 if long else 0, ha="right" if long else "center")
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set(ylabel=ylabel, title=title + "\n(dot: mean, bar: 95% interval)")
    ax.grid(False, axis="x")
    return fig


@_styled
def sparsity_bars(
    labels: Sequence[str],
    exact_zero: Sequence[float],
    near_zero: Sequence[float],
    title: str,
    threshold: float = 1e-3,
) -> Figure:
    """Grouped bars per model: the fraction of weights exactly 0 and the fraction with
    ``|w| < threshold`` (which includes the exact zeros, as ``weight_stats`` counts them)."""
    x = np.arange(len(labels))
    fig, axes = _figure(1, 1, (max(4.2, 1.2 * len(labels) + 2.0), 4.0))
    ax = axes[0, 0]
    for offset, values, color, name in ((-0.2, exact_zero, BLUE, "exactly 0"),
                                        (0.2, near_zero, SKY_BLUE, f"|w| < {threshold:g} (zeros included)")):
        bars = ax.bar(x + offset, values, width=0.4, color=color, label=name)
        ax.bar_label(bars, labels=[f"{100 * v:.{0 if v == 0 or v >= 0.1 else 1}f}%" for v in values],
                     padding=2, fontsize=8)
    ax.set_xticks(x, [textwrap.fill(label, 16) for label in labels])  # long labels wrap, never overlap
    ax.set_ylim(0.0, 1.12)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(ylabel="fraction of weights", title=title)
    ax.grid(False, axis="x")
    ax.legend(frameon=False, loc="upper left", ncols=2)
    return fig


@_styled
def capacity_curve(
    widths: Sequence[int],
    train,
    test,
    title: str,
    ylabel: str = "accuracy",
    xlabel: str = "hidden units per layer",
) -> Figure:
    """Training and test score against hidden width, on a log x-axis labelled at the widths.
    ``train`` and ``test`` are sequences of scores or ``{"mean", "low", "high"}`` dicts (95% bands)."""
    widths = np.asarray(widths, dtype=np.float64)
    fig, axes = _figure(1, 1, (6.4, 4.2))
    ax = axes[0, 0]
    for value, color, marker, name in ((train, BLUE, "o", "training"), (test, VERMILLION, "s", "test")):
        mean, low, high = _band(value)
        ax.plot(widths, mean, color=color, marker=marker, ms=5, lw=1.8, label=name)
        if low is not None:
            ax.fill_between(widths, low, high, color=color, alpha=0.18, lw=0)
    ax.set_xscale("log")
    ax.set_xticks(widths, [f"{w:g}" for w in widths])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    banded = isinstance(train, Mapping) or isinstance(test, Mapping)
    ax.legend(frameon=False, title="shaded: 95% interval" if banded else None)
    return fig
