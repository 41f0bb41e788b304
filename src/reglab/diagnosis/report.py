"""The diagnosis's files: ``results.json`` and a self-contained ``report.html`` (figures embedded as PNG,
no network), drawn from the document of :class:`reglab.diagnosis.Diagnosis` alone (nothing trains here).

The page leads with the advice (the decision and its sentences), the metrics of both models and the
verification's paired differences; the phases follow. Figures: the paired differences of the verified
test loss (one dot per fit, coloured by repeat, with their mean and its corrected interval), the
baseline's mean loss curves, the search's validation data loss against λ (one colour per penalty kind,
each point a trial with its standard error over seeds, the chosen one ringed) and its history (each
trial's loss in order, the best so far as a line).

Every interval is at the level the diagnosis ran with (its settings' ``confidence``; :data:`reglab.rules.LEVEL` for a
document that does not say), and the page says so in its words.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.figure import Figure

from reglab.diagnosis.choose import described
from reglab.diagnosis.metrics import LABELS
from reglab.regularizers import PENALTY_KINDS
from reglab.rules import LEVEL
from reglab.views.curves import loss_curves
from reglab.views.style import BLACK, PALETTE, new_figure, styled, to_png_bytes

__all__ = ["differences_figure", "history_figure", "lambda_figure", "level_of", "write_outputs"]


@styled
def lambda_figure(search: dict[str, Any]) -> Figure:
    """Validation data loss (mean over seeds ± one standard error) against λ, per penalty kind."""
    fig, axes = new_figure(1, 1, (6.4, 4.2))
    ax = axes[0, 0]
    rows = [t for t in search["history"] if t["state"] == "complete" and t["value"] is not None and "lam" in t["params"]]
    for i, kind in enumerate(k for k in PENALTY_KINDS if any(t["params"]["penalty"] == k for t in rows)):
        mine = [t for t in rows if t["params"]["penalty"] == kind]
        lam = np.array([t["params"]["lam"] for t in mine])
        mean = np.array([t["value"] for t in mine])
        se = np.array([np.std(t["losses"], ddof=1) / np.sqrt(len(t["losses"])) if len(t["losses"]) > 1 else 0.0 for t in mine])
        ax.errorbar(lam, mean, yerr=se, fmt="o", ms=4, color=PALETTE[i % len(PALETTE)], lw=1, label=kind, alpha=0.85)
    chosen = search["chosen"]
    if "lam" in chosen["params"]:
        ax.plot(chosen["params"]["lam"], chosen["mean"], "o", ms=13, mfc="none", mec=BLACK, mew=1.6, label="chosen (1-SE rule)")
    ax.axhline(search["threshold"], color="#555555", lw=1, ls=":", label="best + 1 SE")
    ax.set_xscale("log")
    ax.set(xlabel="λ (log scale)", ylabel="validation data loss (mean over seeds)", title="Search: validation loss against λ")
    ax.legend(frameon=False)
    return fig


@styled
def history_figure(search: dict[str, Any]) -> Figure:
    """Each complete trial's validation data loss in trial order, and the best so far (pruned trials have none)."""
    fig, axes = new_figure(1, 1, (6.4, 3.6))
    ax = axes[0, 0]
    complete = [t for t in search["history"] if t["state"] == "complete" and t["value"] is not None and np.isfinite(t["value"])]
    ax.plot([t["number"] for t in complete], [t["value"] for t in complete], "o", ms=5, color=PALETTE[0], label="complete")
    if complete:
        best = np.minimum.accumulate([t["value"] for t in complete])
        ax.step([t["number"] for t in complete], best, where="post", color=PALETTE[1], lw=1.6, label="best so far")
    ax.set(xlabel="trial", ylabel="validation data loss", title=f"Search history ({search['mode']})")
    ax.legend(frameon=False)
    return fig


@styled
def differences_figure(verification: dict[str, Any], level: float = LEVEL) -> Figure:
    """Each fit's paired difference tuned − baseline of the verified test loss (one dot per fit, one colour per
    repeat), zero, and their mean with its interval at ``level`` (corrected for overlapping training sets on k-fold)."""
    fig, axes = new_figure(1, 1, (8.4, 3.6))
    ax = axes[0, 0]
    rows, loss = verification["per_fit"], verification["loss"]
    repeats = sorted({r.get("repeat", 1) for r in rows})
    for i, repeat in enumerate(repeats):
        mine = [r for r in rows if r.get("repeat", 1) == repeat]
        label = f"repeat {repeat}" if len(repeats) > 1 else "fit (seed)"
        ax.plot([r["fit"] for r in mine], [r["difference"] for r in mine], "o", ms=7, color=PALETTE[i % len(PALETTE)], label=label)
    ax.axhline(0.0, color=BLACK, lw=1.0)
    low, high = loss["ci95"]
    if low is not None and high is not None:
        ax.axhspan(low, high, color=PALETTE[2], alpha=0.18, lw=0, label=f"{level:.0%} interval of the mean")
    ax.axhline(loss["difference"], color=PALETTE[2], lw=1.8, label=f"mean {loss['difference']:+.4f}")
    name = LABELS[verification["quantity"]]
    ax.set(xlabel="fit", ylabel=f"tuned − baseline test {name}", title="Verify: paired differences (below 0: tuned better)")
    ax.set_xticks([r["fit"] for r in rows])
    ax.legend(frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def level_of(doc: dict[str, Any]) -> float:
    """The level of the document's intervals: its settings' ``confidence``, or :data:`reglab.rules.LEVEL` when it does
    not say (a document written before it did, when every diagnosis ran at that level)."""
    return doc["settings"].get("confidence", LEVEL)


def figures(doc: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The page's figures by name, each ``{"caption", "data"}`` (base64 PNG)."""
    base, ver, level = doc["baseline"], doc["verification"], level_of(doc)
    turned = base["turned_upward_epoch"]
    curves = [{"label": "baseline (mean over seeds)", "train": base["curve"]["train"], "val": base["curve"]["val"], "best_epoch": turned}]
    method = ver["method"]
    drawn = {
        "differences": (f"Each fit's difference of test {LABELS[ver['quantity']]}, tuned − baseline ({method['name']}, {method['pairs']} "
                        f"fits), their mean and its {level:.0%} interval ({method['test']}).", differences_figure(ver, level)),
        "curves": ("Baseline: training (solid) and validation (dashed) data loss per epoch; dotted: where validation turned upward.",
                   loss_curves(curves, "Detect: the unregularized baseline")),
    }  # fmt: skip
    if any("lam" in t["params"] for t in doc["search"]["history"]):
        caption = "Each searched configuration's validation data loss, mean ± one standard error over seeds."
        drawn["lambda"] = (caption, lambda_figure(doc["search"]))
    drawn["history"] = ("Every finished trial in the order it was asked, and the best so far.", history_figure(doc["search"]))
    encoded = lambda fig: base64.b64encode(to_png_bytes(fig)).decode("ascii")  # noqa: E731
    return {name: {"caption": caption, "data": encoded(fig)} for name, (caption, fig) in drawn.items()}


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = lambda v, d=3: "n/a" if v is None else f"{v:.{d}f}"
    env.filters["g"] = lambda v: "n/a" if v is None else f"{v:.3g}"
    env.filters["signed"] = lambda v, d=4: "n/a" if v is None else f"{v:+.{d}f}"
    env.globals["labels"] = LABELS
    env.filters["params"] = described
    env.filters["sentence"] = lambda text: text[:1].upper() + text[1:]  # jinja's capitalize lowers the rest: "Nadeau" stays
    return env


def write_outputs(doc: dict[str, Any], folder: str | Path) -> tuple[Path, Path]:
    """Writes ``folder/results.json`` and ``folder/report.html``; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    results = folder / "results.json"
    results.write_text(json.dumps(doc, allow_nan=False, indent=2) + "\n", encoding="utf-8")
    page = environment().get_template("report.html.j2").render(doc=doc, figures=figures(doc), level=f"{level_of(doc):.0%}")
    report = folder / "report.html"
    report.write_text(page, encoding="utf-8")
    return results, report
