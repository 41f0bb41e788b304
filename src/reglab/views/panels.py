"""Small multiples: one panel per model or per dataset, sharing their axes (loss curves, scores against λ).

Every function takes plain NumPy arrays, lists and dicts and returns a :class:`matplotlib.figure.Figure` (see
:mod:`reglab.views.style` for saving it).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from reglab.views.curves import log_ticks, references_drawn, smooth
from reglab.views.style import BLACK, BLUE, PALETTE, VERMILLION, new_figure, styled

__all__ = ["curve_panels", "score_panels"]


def _grid(n: int, ncols: int, panel: tuple[float, float]):
    nrows = -(-n // ncols)
    fig, axes = new_figure(nrows, ncols, (panel[0] * ncols, panel[1] * nrows + 0.8), sharex=True, sharey=True)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    for ax in axes.ravel()[max(0, n - ncols):n]:  # the lowest panel of each column shows its x ticks
        ax.xaxis.set_tick_params(labelbottom=True)
    return fig, axes.ravel()


@styled
def curve_panels(curves: Sequence[Mapping], title: str, ylabel: str = "data loss", window: int = 15, ncols: int = 3) -> Figure:
    """One small panel per model: training (solid) and validation (dashed) loss per epoch, each smoothed by a
    centred ``window``-epoch moving average (:func:`smooth`), the faint raw validation loss behind, and a
    vertical line at the stop epoch. Curves are ``{"label", "train", "val" (or None), "stop_epoch", "best_epoch"}``."""
    ncols = 2 if len(curves) == 4 else min(ncols, len(curves))  # 2 × 2 rather than 3 + 1
    fig, axes = _grid(len(curves), ncols, (3.1, 2.9))  # ≤ 9.4 in wide: shown at its own size
    for ax, c in zip(axes, curves):
        train = np.asarray(c["train"], dtype=np.float64)
        epochs = np.arange(1, train.size + 1)
        ax.plot(epochs, smooth(train, window), color=BLUE, lw=1.8)
        if c.get("val") is not None:
            val = np.asarray(c["val"], dtype=np.float64)
            ax.plot(epochs[: val.size], val, color=VERMILLION, lw=0.8, alpha=0.3)
            ax.plot(epochs[: val.size], smooth(val, window), color=VERMILLION, lw=1.8, ls="--")
        stop = c.get("stop_epoch")
        if stop is not None:
            ax.axvline(stop, color=BLACK, lw=1.3, ls=":")
        best = c.get("best_epoch")
        if best is not None and c.get("val") is not None and 1 <= best <= len(c["val"]):
            ax.plot(best, smooth(np.asarray(c["val"], dtype=np.float64), window)[best - 1], marker="*", ms=13, color=BLACK, ls="")
        ax.set_title(textwrap.fill(c["label"].replace(" · ", ", "), 24))
    for ax in axes[max(0, len(curves) - ncols):len(curves)]:
        ax.set_xlabel("epoch")
    for ax in axes[: len(curves) : ncols]:
        ax.set_ylabel(ylabel)
    handles = [
        Line2D([], [], color=BLUE, lw=1.8, label="training"),
        Line2D([], [], color=VERMILLION, lw=1.8, ls="--", label=f"validation ({window}-epoch mean)"),
    ]
    if any(c.get("stop_epoch") is not None for c in curves):  # a key for a line that is drawn
        handles.append(Line2D([], [], color=BLACK, lw=1.3, ls=":", label="stop epoch"))
    if any(c.get("best_epoch") is not None and c.get("val") is not None for c in curves):
        handles.append(Line2D([], [], color=BLACK, marker="*", ms=11, ls="", label="best epoch (restored)"))
    fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False)
    fig.suptitle(textwrap.fill(title, 8 * len(axes[:ncols]) + 12))
    return fig


@styled
def score_panels(
    panels: Sequence[str], x: Sequence[float], lines: Mapping[str, Mapping[str, Sequence[float]]], title: str,
    xlabel: str, ylabel: str = "test accuracy", references: Mapping[str, Mapping[str, float]] | None = None, ncols: int = 2,
) -> Figure:
    """Small multiples of a score against ``x`` (log axis): one panel per name in ``panels``; ``lines[label][panel]``
    is one line's values; ``references[panel]`` (name → value) are horizontal lines of that panel."""
    fig, axes = _grid(len(panels), min(ncols, len(panels)), (4.6, 3.4))
    drawn: dict[str, Line2D] = {}
    for ax, panel in zip(axes, panels):
        for i, (label, values) in enumerate(lines.items()):
            ax.plot(x, values[panel], color=PALETTE[i % len(PALETTE)], marker="o", ms=5, lw=1.8, label=label)
        data = [v for values in lines.values() for v in values[panel]]
        for line in references_drawn(ax, (references or {}).get(panel), data):
            drawn.setdefault(line.get_label().rsplit(" ", 1)[0], line)
        ax.set_xscale("log")
        log_ticks(ax, np.asarray(x, dtype=np.float64))
        ax.set(title=panel, xlabel=xlabel)
    axes[0].set_ylabel(ylabel)
    handles = [Line2D([], [], color=PALETTE[i % len(PALETTE)], marker="o", lw=1.8, label=label) for i, label in enumerate(lines)]
    handles += [Line2D([], [], color=line.get_color(), lw=1.3, ls=line.get_linestyle(), label=name) for name, line in drawn.items()]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(4, len(handles)), frameon=False)
    for ax in axes[:-min(ncols, len(panels))]:
        ax.set_xlabel("")
    fig.suptitle(title)
    return fig
