"""Curves and intervals: loss per epoch, score against λ or width, and means with their confidence intervals.

Every interval drawn is at :data:`reglab.rules.LEVEL`; legends and titles say so in its words (:data:`LEVEL_TEXT`).

Every function takes plain NumPy arrays, lists and dicts and returns a
:class:`matplotlib.figure.Figure` (see :mod:`reglab.views.style` for saving it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

from reglab.rules import LEVEL
from reglab.views.style import BLACK, BLUE, PALETTE, VERMILLION, new_figure, styled

__all__ = [
    "LEVEL_TEXT", "capacity_curve", "interval_bars", "log_ticks", "loss_curves", "paired_slopes", "references_drawn", "smooth",
    "validation_curve",
]  # fmt: skip

LEVEL_TEXT = f"{LEVEL:.0%}"  # the level of every interval drawn, as a figure writes it: a whole percent
REFERENCE_STYLES = (("#555555", ":"), ("#555555", "-."))  # chance, then the Bayes ceiling


def references_drawn(ax, references: Mapping[str, float] | None, data: Sequence[float] = ()) -> list[Line2D]:
    """Horizontal reference lines (e.g. {"chance": 0.5, "Bayes ceiling": 0.915}), labelled for the legend; returns the
    handles of those drawn. Given the ``data`` plotted, a line far below or above it (more than half the data's span away)
    is left out, so that it does not squeeze the data into a strip: the caption names it instead."""
    values = np.asarray([v for v in np.ravel(np.asarray(data, dtype=np.float64)) if np.isfinite(v)])
    low, high = (values.min(), values.max()) if values.size else (-np.inf, np.inf)
    reach = 0.5 * max(high - low, 0.02) if values.size else np.inf
    drawn = []
    for (name, value), (color, style) in zip((references or {}).items(), REFERENCE_STYLES * 4):
        if low - reach <= value <= high + reach:
            drawn.append(ax.axhline(value, color=color, lw=1.3, ls=style, label=f"{name} {value:.3f}"))
    return drawn


def log_ticks(ax, x: np.ndarray) -> None:
    """Tick labels at the values themselves ("0.001", not 10⁻³): a superscript would print below the page's 14 pt."""
    ax.set_xticks(list(x), [f"{v:g}" for v in x])
    ax.xaxis.set_minor_locator(NullLocator())


def smooth(values: Sequence[float], window: int) -> np.ndarray:
    """Centred moving average over ``window`` epochs (shrunk at the ends, so the length is kept)."""
    y = np.asarray(values, dtype=np.float64)
    if window <= 1 or y.size < 3:
        return y
    kernel = np.ones(min(window, y.size))
    return np.convolve(y, kernel, mode="same") / np.convolve(np.ones_like(y), kernel, mode="same")


def _band(value) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """``(mean, low, high)`` of a plain sequence (no band) or of a ``{mean, low, high}`` dict."""
    if isinstance(value, Mapping):
        return tuple(np.asarray(value[k], dtype=np.float64) for k in ("mean", "low", "high"))
    return np.asarray(value, dtype=np.float64), None, None


@styled
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
    fig, axes = new_figure(1, 1, (7.2, 4.2))
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


@styled
def validation_curve(
    x: Sequence[float],
    series: Sequence[Mapping],
    xlabel: str,
    ylabel: str,
    title: str,
    chosen: float | None = None,
    log_x: bool = True,
    references: Mapping[str, float] | None = None,
) -> Figure:
    """Mean score against a parameter with shaded intervals (at :data:`LEVEL_TEXT`), one line per series
    (``{"label", "mean", "low", "high"}``; ``low``/``high`` optional). With ``log_x`` and a 0
    among ``x`` (no penalty) the axis is symlog, linear up to the smallest non-zero value, so
    that 0 sits at the left of a logarithmic axis. ``chosen`` is marked by a dashed line, ``references``
    (name → value, e.g. chance and the Bayes ceiling) by horizontal lines."""
    x = np.asarray(x, dtype=np.float64)
    fig, axes = new_figure(1, 1, (8.4, 4.4))
    ax = axes[0, 0]
    plotted = []
    for i, s in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        ax.plot(x, s["mean"], color=color, lw=1.8, marker="o", ms=4, label=s["label"])
        plotted += list(s["mean"])
        if s.get("low") is not None:
            ax.fill_between(x, s["low"], s["high"], color=color, alpha=0.18, lw=0)
            plotted += list(s["low"]) + list(s["high"])
    if log_x and np.any(x > 0):
        if np.any(x <= 0):
            ax.set_xscale("symlog", linthresh=float(np.min(x[x > 0])), linscale=0.6)
        else:
            ax.set_xscale("log")
        log_ticks(ax, x)
    if chosen is not None:
        ax.axvline(chosen, color=BLACK, lw=1.1, ls="--", label=f"chosen: {chosen:g}")
    references_drawn(ax, references, plotted)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    banded = any(s.get("low") is not None for s in series)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), title=f"shaded: {LEVEL_TEXT}\ninterval" if banded else None)
    return fig


@styled
def capacity_curve(
    widths: Sequence[int],
    train,
    test,
    title: str,
    ylabel: str = "accuracy",
    xlabel: str = "hidden units per layer",
    references: Mapping[str, float] | None = None,
) -> Figure:
    """Training and test score against hidden width, on a log x-axis labelled at the widths.
    ``train`` and ``test`` are sequences of scores or ``{"mean", "low", "high"}`` dicts (bands at :data:`LEVEL_TEXT`);
    ``references`` (name → value) are drawn as horizontal lines."""
    widths = np.asarray(widths, dtype=np.float64)
    fig, axes = new_figure(1, 1, (8.4, 4.2))
    ax = axes[0, 0]
    for value, color, marker, name in ((train, BLUE, "o", "training"), (test, VERMILLION, "s", "test")):
        mean, low, high = _band(value)
        ax.plot(widths, mean, color=color, marker=marker, ms=5, lw=1.8, label=name)
        if low is not None:
            ax.fill_between(widths, low, high, color=color, alpha=0.18, lw=0)
    ax.set_xscale("log")
    log_ticks(ax, widths)
    references_drawn(ax, references, [v for value in (train, test) for part in _band(value) if part is not None for v in part])
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    banded = isinstance(train, Mapping) or isinstance(test, Mapping)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), title=f"shaded: {LEVEL_TEXT}\ninterval" if banded else None)
    return fig


@styled
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
    references: Mapping[str, float] | None = None,
) -> Figure:
    """Point-range chart: each mean as a dot with its interval (at :data:`LEVEL_TEXT`) as a line, the value written beside
    it; an optional dotted ``reference`` line. Short labels stand under vertical intervals; long ones
    (over 10 characters) label the rows of horizontal intervals, where they read without tilting the head."""
    means, lows, highs = (np.asarray(a, dtype=np.float64) for a in (means, lows, highs))
    colors = list(colors) if colors is not None else [PALETTE[i % len(PALETTE)] for i in range(len(labels))]
    rows = max((len(s) for s in labels), default=0) > 10
    size = (8.6, 0.55 * len(labels) + 1.9) if rows else (max(4.2, 1.0 * len(labels) + 2.0), 4.0)
    fig, axes = new_figure(1, 1, size)
    ax = axes[0, 0]
    for i, (m, lo, hi, color) in enumerate(zip(means, lows, highs, colors)):
        if rows:
            ax.errorbar(m, i, xerr=[[m - lo], [hi - m]], fmt="o", color=color, ms=7, lw=2, capsize=5)
            ax.annotate(f"{m:#.3g}", (m, i), xytext=(0, 7), textcoords="offset points", ha="center", va="bottom",
                        bbox={"fc": "white", "ec": "none", "pad": 1, "alpha": 0.8})
        else:
            ax.errorbar(i, m, yerr=[[m - lo], [hi - m]], fmt="o", color=color, ms=7, lw=2, capsize=5)
            ax.annotate(f"{m:#.3g}", (i, m), xytext=(9, 0), textcoords="offset points", va="center",
                        bbox={"fc": "white", "ec": "none", "pad": 1, "alpha": 0.8})
    if reference is not None:
        (ax.axvline if rows else ax.axhline)(reference, color="#555555", lw=1.0, ls=":", label=reference_label)
    drawn, span = [], max(float(np.nanmax(highs) - np.nanmin(lows)), 0.02)
    for (name, value), (color, style) in zip((references or {}).items(), REFERENCE_STYLES):
        if np.nanmin(lows) - 0.5 * span <= value <= np.nanmax(highs) + 0.5 * span:  # not one that squeezes the intervals
            drawn.append((ax.axvline if rows else ax.axhline)(value, color=color, lw=1.3, ls=style, label=f"{name} {value:.3f}"))
    if reference is not None or drawn:
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if rows:
        ax.set_yticks(np.arange(len(labels)), labels)
        ax.set_ylim(len(labels) - 0.4, -0.7)  # the first label on top, room above each dot for its value
        ax.set(xlabel=ylabel, title=title + f"\n(dot: mean, bar: {LEVEL_TEXT} interval)")
        ax.grid(False, axis="y")
    else:
        ax.set_xticks(np.arange(len(labels)), labels)
        ax.set_xlim(-0.6, len(labels) - 0.4)
        ax.set(ylabel=ylabel, title=title + f"\n(dot: mean, bar: {LEVEL_TEXT} interval)")
        ax.grid(False, axis="x")
    return fig


@styled
def paired_slopes(labels: Sequence[str], values: Sequence[Sequence[float]], title: str, ylabel: str) -> Figure:
    """One line per seed from its value under ``labels[0]`` to its value under ``labels[1]`` (paired),
    so that "in every seed" can be read off; ``values[k][i]`` is seed i under label k."""
    if len(labels) != 2 or len(values) != 2 or len(values[0]) != len(values[1]):
        raise ValueError(f"The 'values' parameter must hold two equal-length series for two labels. Got {len(values)} series instead.")
    fig, axes = new_figure(1, 1, (6.4, 4.6))
    ax = axes[0, 0]
    a, b = np.asarray(values[0], dtype=float), np.asarray(values[1], dtype=float)
    for i, (x, y) in enumerate(zip(a, b)):
        ax.plot([0, 1], [x, y], "-o", color=VERMILLION if y > x else BLUE, lw=2, ms=7, label="seed" if i == 0 else None)
    ax.set_xticks([0, 1], list(labels))
    ax.set_xlim(-0.3, 1.3)
    ax.set(ylabel=ylabel, title=title)
    return fig


