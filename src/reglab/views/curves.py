"""Curves and intervals: loss per epoch, score against λ or width, and means with 95% intervals.

Every function takes plain NumPy arrays, lists and dicts and returns a
:class:`matplotlib.figure.Figure` (see :mod:`reglab.views.style` for saving it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

from reglab.views.style import BLACK, BLUE, PALETTE, VERMILLION, new_figure, styled

__all__ = ["capacity_curve", "interval_bars", "loss_curves", "validation_curve"]


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
) -> Figure:
    """Mean score against a parameter with shaded 95% intervals, one line per series
    (``{"label", "mean", "low", "high"}``; ``low``/``high`` optional). With ``log_x`` and a 0
    among ``x`` (no penalty) the axis is symlog, linear up to the smallest non-zero value, so
    that 0 sits at the left of a logarithmic axis. ``chosen`` is marked by a dashed line."""
    x = np.asarray(x, dtype=np.float64)
    fig, axes = new_figure(1, 1, (6.4, 4.2))
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


@styled
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
    fig, axes = new_figure(1, 1, (6.4, 4.2))
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
) -> Figure:
    """Point-range chart: each mean as a dot with its 95% interval as a vertical line, the value
    written beside it; an optional dotted horizontal ``reference`` line."""
    means, lows, highs = (np.asarray(a, dtype=np.float64) for a in (means, lows, highs))
    colors = list(colors) if colors is not None else [PALETTE[i % len(PALETTE)] for i in range(len(labels))]
    fig, axes = new_figure(1, 1, (max(4.2, 1.0 * len(labels) + 2.0), 4.0))
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
