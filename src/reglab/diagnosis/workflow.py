"""The workflow of a diagnosis, phase after phase: :func:`diagnose` and what it returns, :class:`Diagnosis`.

Its document is at :data:`SCHEMA_VERSION` 2 (the README's diagnose section lists the fields and what
changed from 1): ``advice`` (the decision and its sentences) leads; ``verification`` names its method, the
number of fits and the difference it could detect, and carries the task's metrics and every fit's paired
difference; ``recommendation`` has settings, and ``snippets`` code, only when the decision is to regularize.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reglab.config import DataConfig, RunConfig
from reglab.data import Split, load
from reglab.diagnosis.advice import REGULARIZE, advice
from reglab.diagnosis.choose import RULE, Choice, one_standard_error, strength
from reglab.diagnosis.detect import baseline_config, detect
from reglab.diagnosis.recommend import advised, snippets
from reglab.diagnosis.resample import check_folds, uses_fresh_sample
from reglab.diagnosis.search import Search, open_search, search
from reglab.diagnosis.settings import DIAGNOSE_MIN_TRAIN_ROWS, VERIFY_OFFSET, Schedule, Settings
from reglab.diagnosis.verify import verify
from reglab.errors import DataError, given
from reglab.measures import FitThresholds
from reglab.rules import VALIDATION_FRACTION
from reglab.runs import RunResult, json_safe

__all__ = ["SCHEMA_VERSION", "Diagnosis", "diagnose"]

SCHEMA_VERSION = 2  # of diagnose's document; 1 had no advice, one fixed test split, settings and snippets whatever the verdict


@dataclass
class Diagnosis:
    """What :func:`diagnose` found: the JSON document's fields, and the runs behind them."""

    schema_version: int
    data: dict[str, Any]
    advice: dict[str, Any]  # decision ("regularize" | "keep the baseline") and sentences built from the numbers
    settings: dict[str, Any]
    baseline: dict[str, Any]
    verdict: str
    verdict_reason: str
    search: dict[str, Any]
    recommendation: dict[str, Any]
    verification: dict[str, Any]
    snippets: dict[str, str]
    runs: dict[str, list[RunResult]] = field(default_factory=dict, repr=False)  # baseline, reference, verify_baseline, tuned

    def document(self) -> dict[str, Any]:
        """The strict-JSON document (NaN and inf as null), without the runs."""
        return json_safe({name: getattr(self, name) for name in DOCUMENT_FIELDS})


DOCUMENT_FIELDS = ("schema_version", "data", "advice", "settings", "baseline", "verdict", "verdict_reason", "search", "recommendation",
                   "verification", "snippets")  # fmt: skip


def prepared(data: DataConfig) -> tuple[DataConfig, Split]:
    """``data`` with a validation part (:data:`reglab.rules.VALIDATION_FRACTION` when none was asked for), loaded, with
    enough training rows."""
    if data.val_size == 0:
        data = data.replace(val_size=VALIDATION_FRACTION)
    split = load(data)
    if len(split.X_train) < DIAGNOSE_MIN_TRAIN_ROWS:
        rows = len(split.X_train) + len(split.X_val) + len(split.X_test)
        raise DataError(
            f"The 'dataset' parameter must give at least {DIAGNOSE_MIN_TRAIN_ROWS} training rows once the test and validation parts "
            "are held out. "
            f"Got {data.dataset!r} instead ({rows} rows, {len(split.X_train)} for training)."
        )
    return data, split


def data_summary(split: Split, data: DataConfig) -> dict[str, Any]:
    return {
        "dataset": data.dataset, "target": data.target, "task": split.task,
        "rows": {"train": len(split.X_train), "val": len(split.X_val), "test": len(split.X_test)},
        "features": split.n_features, "classes": list(split.class_names), "majority_rate": split.majority_rate,
        "split_seed": data.seed, "standardize": data.standardize, "config": data.model_dump(mode="json"),
    }  # fmt: skip


def settings_summary(settings: Settings, schedule: Schedule, base: RunConfig, batch: int) -> dict[str, Any]:
    return {
        "hidden": list(base.hidden), "activation": base.activation, "optimizer": base.optimizer, "lr": base.lr,
        "epochs": schedule.epochs, "batch_size": batch, "patience": schedule.patience, "chosen": schedule.chosen,
        "seeds": settings.seeds, "search_seeds": settings.search_seeds, "budget": settings.budget,
        "space": settings.space.describe(), "verify_seeds": list(settings.verify_seeds(base)),
        "folds": settings.folds, "repeats": settings.repeats, "fresh_rows": settings.fresh_rows,
        "confidence": settings.confidence,  # the level of every interval of the document
    }  # fmt: skip


def search_summary(study: Search, choice: Choice, settings: Settings) -> dict[str, Any]:
    """The search's document: mode, trials, the best and the chosen candidate, the rule and the history."""
    described = lambda i: {"trial": study.numbers[i], "params": study.candidates[i].params, "mean": study.candidates[i].mean,  # noqa: E731
                           "se": study.candidates[i].se, "losses": list(study.candidates[i].losses)}  # fmt: skip
    chosen_strength = list(strength(study.candidates[choice.chosen].params))
    return {"mode": study.mode, "trials": len(study.history()), "complete": len(study.candidates), "pruned": study.pruned,
            "best": described(choice.best), "chosen": {**described(choice.chosen), "strength": chosen_strength},
            "threshold": choice.threshold, "within_one_se": len(choice.within), "rule": RULE,
            "objective": f"validation data loss, mean over {settings.search_seeds} seeds", "storage": study.storage,
            "study": study.study.study_name, "history": study.history()}  # fmt: skip


def diagnose(
    data: DataConfig,
    base: RunConfig | None = None,
    settings: Settings | None = None,
    *,
    thresholds: FitThresholds | None = None,
    out: str | Path | None = None,
    device: str = "cpu",
    progress: Callable[[str], None] | None = None,
) -> Diagnosis:
    """Detect, tune, verify and recommend for the model ``base`` (its architecture, activation and
    optimiser; penalty, dropout and early stopping are what the diagnosis decides) on ``data``.

    The study is kept in ``out`` (SQLite; or ``settings.storage``), so the same call resumes it; with
    neither, in a temporary folder, removed when the call returns or fails. Nothing is written besides
    the study: see :func:`reglab.diagnosis.report.write_outputs` for the files.
    """
    given(data, "data", "diagnose", DataConfig)
    given(base, "base", "diagnose", RunConfig, optional=True, example="RunConfig(hidden=(64, 64))")
    given(settings, "settings", "diagnose", Settings, optional=True, example="Settings(budget=30)")
    given(thresholds, "thresholds", "diagnose", FitThresholds, optional=True, example="FitThresholds(gap=0.05)")
    base, settings, thresholds = base or RunConfig(), settings or Settings(), thresholds or FitThresholds()
    with study_folder(out) as folder:
        return _diagnose(data, base, settings, thresholds, folder, device, progress)


@contextmanager
def study_folder(out: str | Path | None) -> Iterator[Path]:
    """``out``; without it, a temporary folder that is removed with all it holds once the block ends."""
    if out is not None:
        yield Path(out)
        return
    with tempfile.TemporaryDirectory(prefix="reglab-diagnose-", ignore_cleanup_errors=True) as folder:
        yield Path(folder)


def _diagnose(data: DataConfig, base: RunConfig, settings: Settings, thresholds: FitThresholds, folder: Path, device: str,
              progress: Callable[[str], None] | None) -> Diagnosis:  # fmt: skip
    data, split = prepared(data)
    if not uses_fresh_sample(data):  # refused before any training
        check_folds(len(split.X_train) + len(split.X_val) + len(split.X_test), settings.folds)
    schedule = settings.schedule(len(split.X_train))
    batch = min(schedule.batch_size or len(split.X_train), len(split.X_train))
    baseline = baseline_config(base, schedule)
    searched = baseline.replace(patience=schedule.patience)
    opened = open_search(data, searched, settings, folder)
    found = detect(data, base, schedule, settings.seeds, thresholds, device=device, confidence=settings.confidence, progress=progress)
    study = search(opened, device=device, progress=progress)
    choice = one_standard_error(study.candidates)
    tuned = settings.space.config(searched, study.candidates[choice.chosen].params)
    checked = verify(data, split, baseline, tuned, settings, base.seed + VERIFY_OFFSET, device=device, confidence=settings.confidence,
                     progress=progress)  # fmt: skip
    found_advice = advice(found.verdict, found.document["gap"]["mean"], thresholds.gap, found.document["score"], checked.document,
                          settings.confidence)
    regularize = found_advice["decision"] == REGULARIZE
    return Diagnosis(
        schema_version=SCHEMA_VERSION, data=data_summary(split, data), advice=found_advice,
        settings=settings_summary(settings, schedule, base, batch), baseline=found.document, verdict=found.verdict,
        verdict_reason=found.reason, search=search_summary(study, choice, settings),
        recommendation=advised(found_advice["decision"], found_advice["reason"], tuned, batch),
        verification=checked.document,
        snippets=snippets(tuned, split.n_features, split.n_outputs, split.task, batch) if regularize else {},
        runs={"baseline": found.baseline, "reference": found.reference, "verify_baseline": checked.baseline, "tuned": checked.tuned},
    )  # fmt: skip
