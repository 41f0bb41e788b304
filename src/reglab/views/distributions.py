"""How weights are distributed: box plots, histograms and kernel densities per model, histograms of
log10|w| with a bar for the exact zeros, and sparsity bars.

Every function takes plain NumPy arrays, lists and dicts and returns a
:class:`matplotlib.figure.Figure` (see :mod:`reglab.views.style` for saving it).
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
from scipy import stats

from reglab.views.style import BLACK, BLUE, PALETTE, SKY_BLUE, lighten, new_figure, styled

__all__ = ["magnitude_histograms", "sparsity_bars", "weight_distributions"]

# matplotlib 3.10 replaced boxplot's vert=False, which now warns, by orientation="horizontal"
_HORIZONTAL = (
    {"orientation": "horizontal"} if "orientation" in inspect.signature(Axes.boxplot).parameters else {"vert": False}
)

Density = Callable[[np.ndarray], np.ndarray]


def kernel_density(values: np.ndarray, fallback: float) -> tuple[float, Density]:
    """Gaussian kernel density of ``values``: ``(h, f)`` with ``f(x) = (1/n)·Σ φ((x − v_i)/h)/h``.

    ``h`` is Scott's bandwidth ``s·n^(-1/5)``, ``s`` the sample standard deviation (ddof 1), and ``f``
    is ``scipy.stats.gaussian_kde(values)``. Values with no spread (one value, or all equal, e.g. all
    pruned to 0) have no Scott's bandwidth: ``h`` is then ``fallback`` and ``f`` the one Gaussian
    ``φ((x − v)/h)/h`` that every kernel is.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size > 1 and values.std() > 0:
        kde = stats.gaussian_kde(values)
        return float(np.sqrt(kde.covariance[0, 0])), kde
    return fallback, lambda x: stats.norm.pdf(x, loc=values[0], scale=fallback)


def _boxes(ax, labels: Sequence[str], values: Sequence[np.ndarray], colors: Sequence[str]) -> None:
    positions = np.arange(len(labels), 0, -1)  # first model on top
    boxes = ax.boxplot(values, positions=positions, widths=0.55, patch_artist=True, **_HORIZONTAL,
                       medianprops={"color": BLACK, "lw": 1.5},
                       flierprops={"marker": "o", "ms": 3, "alpha": 0.5, "mec": "none"})
    for patch, flier, color in zip(boxes["boxes"], boxes["fliers"], colors):
        patch.set(facecolor=lighten(color, 0.55), edgecolor=color)
        flier.set_markerfacecolor(color)
    ax.set_yticks(positions, [f"{k}\n[{v.min():.2f}, {v.max():.2f}]" for k, v in zip(labels, values)])
    ax.set_title("box plots (whiskers 1.5 IQR; [min, max] under each label)", loc="left")


@styled
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
    fig, axes = new_figure(3, 1, (7.2, 5.8 + 0.45 * len(labels)), sharex=True,
                           gridspec_kw={"height_ratios": [0.5 + 0.35 * len(labels), 1.6, 1.6]})
    box_ax, hist_ax, kde_ax = axes[:, 0]
    _boxes(box_ax, labels, values, colors)
    edges = np.linspace(low, high, bins + 1) if high > low else np.linspace(low - 0.5, high + 0.5, bins + 1)
    densities = [kernel_density(v, fallback=1e-2 * span) for v in values]
    # at least 4 grid points per bandwidth, so that the narrowest density is drawn, not aliased
    narrowest = min(h for h, _ in densities)
    grid = np.linspace(low - 0.05 * span, high + 0.05 * span, int(np.clip(4.4 * span / narrowest, 600, 8000)))
    for label, v, (_, density_of), color in zip(labels, values, densities, colors):
        hist_ax.hist(v, bins=edges, weights=np.full(v.size, 1.0 / v.size), histtype="step", lw=1.5,
                     color=color, label=label)
        density = density_of(grid)
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


def share_text(v: float) -> str:
    """A share as the bars print it: "0%" only for nothing at all, "<0.1%" for a few, one decimal below 10%."""
    if v == 0:
        return "0%"
    if v < 0.001:
        return "<0.1%"
    return f"{100 * v:.{0 if v >= 0.1 else 1}f}%"


@styled
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
    fig, axes = new_figure(1, 1, (min(9.4, max(6.4, 1.8 * len(labels) + 2.4)), 5.0))
    ax = axes[0, 0]
    for offset, values, color, name in ((-0.2, exact_zero, BLUE, "exactly 0"),
                                        (0.2, near_zero, SKY_BLUE, f"|w| < {threshold:g} (zeros included)")):
        bars = ax.bar(x + offset, values, width=0.4, color=color, label=name)
        ax.bar_label(bars, labels=[share_text(v) for v in values], padding=2)
    ax.set_xticks(x, [textwrap.fill(label, 16) for label in labels])  # long labels wrap, never overlap
    ax.set_ylim(0.0, 1.12)  # room for a label above a full bar; the axis itself stops at 100%
    ax.set_yticks(np.linspace(0.0, 1.0, 6))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(ylabel="fraction of weights", title=title)
    ax.grid(False, axis="x")
    fig.legend(frameon=False, loc="outside lower center", ncols=2)
    return fig


FLOOR_LOG10 = -10  # |w| below 1e-10 is nothing a float32 model uses: shown in the first bin, "≤1e-10"
REFERENCE_STYLES = ("--", "-.", ":")


@styled
def magnitude_histograms(
    panels: Mapping[str, Mapping[str, np.ndarray]],
    title: str,
    references: Mapping[str, Mapping[str, float]] | None = None,
    bins: int = 40,
    zeros: str = "exactly 0",
) -> Figure:
    """One row of panels (``panel title → {model label → weights}``): per model, the fraction of its
    weights per bin of ``log10|w|`` (step histogram, ``bins`` shared bins over all non-zero weights of
    the figure), and beside it, left of a break, one bar per model for the fraction that is *exactly*
    0 (which has no logarithm: a KDE or a linear histogram hides it in a spike).

    ``references`` (``panel title → {name → |w|}``) draws dashed reference ticks, e.g. the largest
    |w| of the ranges the lecture quotes. ``zeros`` says what the bars count (the x label's second line), e.g.
    "bars: exactly 0 (flushed underflow)"; each bar carries its percentage.
    """
    if not panels or any(len(models) == 0 for models in panels.values()):
        raise ValueError("The 'panels' parameter must map titles to at least one model each. Got an empty mapping instead.")
    arrays = {p: {k: np.abs(np.asarray(v, dtype=np.float64).ravel()) for k, v in m.items()} for p, m in panels.items()}
    nonzero = np.concatenate([v[v > 0] for m in arrays.values() for v in m.values()] + [np.array([1e-8, 1.0])])
    low, high = max(np.log10(nonzero.min()), FLOOR_LOG10), np.log10(nonzero.max())
    edges = np.linspace(np.floor(low), np.ceil(high), bins + 1)  # the first bin also holds every |w| below it
    step = edges[1] - edges[0]
    n = len(panels)
    ncols = 3 if n % 3 == 0 else 2 if n % 2 == 0 else n  # full rows: no empty panel
    nrows = n // ncols
    fig, axes = new_figure(nrows, ncols, (9.4, 1.2 + 3.6 * nrows), sharey=True, sharex=True)
    for ax, (name, models) in zip(axes.flat, arrays.items()):
        width = 0.8 * 3 * step / max(1, len(models))
        zero_at = edges[0] - 8 * step  # far enough from the floor bin that their tick labels do not touch
        for i, (label, v) in enumerate(models.items()):
            color = PALETTE[i % len(PALETTE)]
            logs = np.maximum(np.log10(v[v > 0]), edges[0])
            ax.hist(logs, bins=edges, weights=np.full(logs.size, 1.0 / v.size), histtype="step", lw=2.0, color=color, label=label)
            share = float(np.mean(v == 0))
            bar = ax.bar(zero_at + (i - (len(models) - 1) / 2) * width, share, width=width, color=color, alpha=0.85)
            if share >= 0.01:  # a visible bar carries its share; an empty one says nothing to label
                ax.bar_label(bar, labels=[f"{share:.0%}"], padding=2, rotation=90)
        ax.axvline(edges[0] - 3 * step, color="#999999", lw=1, ls=(0, (2, 2)))
        every = max(1, int(np.ceil((edges[-1] - edges[0]) / (12 / ncols))))
        ticks = [t for t in range(int(edges[-1]), int(edges[0]), -every) if t - int(edges[0]) >= every / 2][::-1]
        ticks = [int(edges[0])] + ticks  # the floor bin is always labelled: it holds every |w| below it
        labels = [f"≤1e{t}" if t == int(edges[0]) else f"1e{t}" for t in ticks]
        ax.set_xticks([zero_at] + ticks, ["0"] + labels)
        for k, (ref, value) in enumerate((references or {}).get(name, {}).items()):
            ax.axvline(np.log10(value), color=BLACK, lw=1.2, ls=REFERENCE_STYLES[k % len(REFERENCE_STYLES)], label=ref)
        ax.set_title(textwrap.fill(name, 28))
    for ax in axes[-1]:
        ax.set_xlabel("|w| (log scale)")
    for ax in axes[:, 0]:
        ax.set_ylabel("fraction")
    if any(len(m) > 1 for m in arrays.values()) or references:
        handles, names = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, names, frameon=False, loc="outside lower center", ncols=2)
    fig.suptitle(f"{title}\nbars left of the break: {zeros}")
    return fig
