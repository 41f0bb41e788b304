"""Detect: is the user's unregularized model overfitting, underfitting or a good fit?

The baseline (the user's architecture, no penalty, no dropout, no early stopping, the whole epoch
cap) trains on ``seeds`` model seeds over one fixed split. Its validation part chooses nothing, so the
train − validation gap is an honest measure of overfitting; its interval (at the diagnosis's confidence level,
:data:`reglab.rules.LEVEL` unless its settings say otherwise) is over seeds.

Underfitting is judged against what the data allows, the *ceiling*: the Bayes accuracy for reglab's
2-D generators (:func:`reglab.measures.ceiling.bayes_accuracy`, from the known class densities), and
otherwise the mean validation score of a reference of higher capacity trained longer (hidden widths
``max(2·w, 128)``, twice the epochs, early stopping) on the same split. The verdict is
:func:`reglab.measures.verdict` with that ceiling, the rule of ``reglab train``, ``sweep`` and the
lecture: on the seed means, and per seed ("k of n seeds" agree).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from reglab.config import DataConfig, RunConfig
from reglab.data import GENERATORS
from reglab.diagnosis.settings import Schedule, reference_hidden
from reglab.measures import FitThresholds, judge, summarize
from reglab.rules import LEVEL
from reglab.runs import Run, RunResult, train_runs

__all__ = ["Detection", "baseline_config", "ceiling_of", "detect", "turning_epoch"]

RISE = 1.05  # the validation loss "turned upward" when it ends 5% above its minimum


@dataclass
class Detection:
    """The baseline's and the reference's runs, the ceiling and the verdict."""

    baseline: list[RunResult]
    reference: list[RunResult]
    ceiling: dict[str, Any]  # value, source ("bayes" | "reference"), bayes, reference
    verdict: str
    reason: str
    agreeing: int  # seeds whose own verdict is the verdict
    document: dict[str, Any]


def baseline_config(base: RunConfig, schedule: Schedule) -> RunConfig:
    """The user's model unregularized: no penalty, no dropout, no decay, no early stopping."""
    return base.replace(
        penalty={"kind": "none"}, dropout=0.0, weight_decay=0.0 if base.optimizer == "adamw" else base.weight_decay,
        patience=None, epochs=schedule.epochs, batch_size=schedule.batch_size,
    )  # fmt: skip


def turning_epoch(val_losses: np.ndarray) -> int | None:
    """The epoch (1-based) of the minimum of the mean validation loss, when the loss then ended at least
    5% above it; None when it did not turn upward."""
    curve = np.asarray(val_losses, dtype=np.float64)
    if curve.size < 2 or not np.all(np.isfinite(curve)):
        return None
    low = int(np.argmin(curve))
    return low + 1 if low < curve.size - 1 and curve[-1] > RISE * curve[low] else None


def bayes_ceiling(data: DataConfig, task: str) -> float | None:
    """The Bayes accuracy of a 2-D generator, or None (real data, regression, or no such measure)."""
    if data.dataset not in GENERATORS or task == "regression":
        return None
    try:  # the Bayes accuracies of the generators; without that module the reference alone is the ceiling
        from reglab.measures.ceiling import CEILING_DATASETS, bayes_accuracy
    except ImportError:
        return None
    if data.dataset not in CEILING_DATASETS:
        return None
    return bayes_accuracy(data.dataset, data.noise, data.n_classes, data.seed)


def ceiling_of(data: DataConfig, reference: list[RunResult], confidence: float = LEVEL) -> dict[str, Any]:
    """The best score the data allows on new data: the Bayes accuracy when known, else the reference's
    mean validation score (its interval over seeds beside it)."""
    ok = [r for r in reference if not r.diverged]
    score = reference[0].score_name
    summary = summarize([r.val[score] for r in ok], confidence) if ok else None
    bayes = bayes_ceiling(data, reference[0].task)
    value = bayes if bayes is not None else (summary["mean"] if summary else None)
    source = "bayes" if bayes is not None else ("reference" if summary else None)
    return {"value": value, "source": source, "bayes": bayes, "reference": summary, "reference_hidden": list(reference[0].config.hidden)}


def judged(train: float, val: float, result: RunResult, thresholds: FitThresholds, ceiling: float | None) -> tuple[str, str]:
    """The verdict and its sentence for one pair of scores (:func:`reglab.measures.judge`)."""
    found = judge(train, val, result.task, result.majority_rate, thresholds, "validation", ceiling=ceiling)
    return found.verdict, found.reason


def side(results: list[RunResult], part: str, key: str, confidence: float) -> dict[str, Any]:
    return summarize([getattr(r, part)[key] for r in results], confidence)


def detect(
    data: DataConfig,
    base: RunConfig,
    schedule: Schedule,
    seeds: int,
    thresholds: FitThresholds,
    *,
    device: str = "cpu",
    confidence: float = LEVEL,
    progress: Callable[[str], None] | None = None,
) -> Detection:
    """Trains the baseline on ``seeds`` seeds and the reference on ``min(seeds, 3)``; see the module docstring."""
    baseline = baseline_config(base, schedule)
    reference = baseline.replace(hidden=reference_hidden(base.hidden), epochs=2 * schedule.epochs, patience=schedule.patience or 10)
    first = base.seed
    runs = [Run(baseline.replace(seed=s), data) for s in range(first, first + seeds)]
    runs += [Run(reference.replace(seed=s), data) for s in range(first, first + min(seeds, 3))]
    if progress:
        progress(f"detect: training the baseline on {seeds} seeds and a reference {list(reference.hidden)} on {min(seeds, 3)}")
    results = train_runs(runs, device=device)
    base_runs, ref_runs = results[:seeds], results[seeds:]
    ok = [r for r in base_runs if not r.diverged]
    if not ok:
        from reglab.errors import DataError

        raise DataError(f"The baseline diverged on every seed of '{data.dataset}'; expected a trainable model: lower --lr or standardise.")
    ceiling = ceiling_of(data, ref_runs, confidence)
    score = ok[0].score_name
    train, val = side(ok, "train", score, confidence), side(ok, "val", score, confidence)
    found, reason = judged(train["mean"], val["mean"], ok[0], thresholds, ceiling["value"])
    per_seed = [judged(r.train[score], r.val[score], r, thresholds, ceiling["value"])[0] for r in ok]
    agreeing = sum(v == found for v in per_seed)
    curve = np.mean([r.history["val_data_loss"] for r in ok], axis=0)
    turned = turning_epoch(curve)
    document = {
        "config": baseline.model_dump(mode="json", by_alias=True, exclude={"seed"}),
        "seeds": [r.config.seed for r in base_runs],
        "diverged": sum(r.diverged for r in base_runs),
        "score": score,
        "train": train,
        "val": val,
        "train_loss": side(ok, "train", "data_loss", confidence),
        "val_loss": side(ok, "val", "data_loss", confidence),
        "gap": summarize([r.gap for r in ok], confidence),
        "turned_upward_epoch": turned,
        "per_seed": [{"seed": r.config.seed, "train": r.train[score], "val": r.val[score], "verdict": v} for r, v in zip(ok, per_seed)],
        "seeds_agreeing": f"{agreeing} of {len(ok)} seeds",
        "ceiling": ceiling,
        "curve": {"train": np.mean([r.history["data_loss"] for r in ok], axis=0).tolist(), "val": curve.tolist()},
    }
    return Detection(base_runs, ref_runs, ceiling, found, reason, agreeing, document)
