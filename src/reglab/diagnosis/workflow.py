"""The workflow of a diagnosis, phase after phase: :func:`diagnose` and what it returns, :class:`Diagnosis`."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reglab.config import SCHEMA_VERSION, DataConfig, RunConfig
from reglab.data import Split, load
from reglab.diagnosis.choose import RULE, one_standard_error, strength
from reglab.diagnosis.detect import baseline_config, detect
from reglab.diagnosis.recommend import recommendation, snippets
from reglab.diagnosis.search import open_search, search
from reglab.diagnosis.settings import MIN_TRAIN_ROWS, Schedule, Settings
from reglab.diagnosis.verify import verify
from reglab.errors import DataError
from reglab.measures import FitThresholds
from reglab.runs import RunResult, given, json_safe

__all__ = ["Diagnosis", "diagnose"]


@dataclass
class Diagnosis:
    """What :func:`diagnose` found: the JSON document's fields, and the runs behind them."""

    schema_version: int
    data: dict[str, Any]
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


DOCUMENT_FIELDS = ("schema_version", "data", "settings", "baseline", "verdict", "verdict_reason", "search", "recommendation",
                   "verification", "snippets")  # fmt: skip


def prepared(data: DataConfig) -> tuple[DataConfig, Split]:
    """``data`` with a validation part (0.2 when none was asked for), loaded, with enough training rows."""
    if data.val_size == 0:
        data = data.replace(val_size=0.2)
    split = load(data)
    if len(split.X_train) < MIN_TRAIN_ROWS:
        rows = len(split.X_train) + len(split.X_val) + len(split.X_test)
        raise DataError(
            f"The 'dataset' parameter must give at least {MIN_TRAIN_ROWS} training rows once the test and validation parts are held out. "
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
    }  # fmt: skip


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
    schedule = settings.schedule(len(split.X_train))
    batch = min(schedule.batch_size or len(split.X_train), len(split.X_train))
    baseline = baseline_config(base, schedule)
    searched = baseline.replace(patience=schedule.patience)
    opened = open_search(data, searched, settings, folder)
    found = detect(data, base, schedule, settings.seeds, thresholds, device=device, confidence=settings.confidence, progress=progress)
    study = search(opened, device=device, progress=progress)
    choice = one_standard_error(study.candidates)
    chosen_strength = list(strength(study.candidates[choice.chosen].params))
    tuned = settings.space.config(searched, study.candidates[choice.chosen].params)
    checked = verify(data, baseline, tuned, settings.verify_seeds(base), device=device, confidence=settings.confidence, progress=progress)
    described = lambda i: {"trial": study.numbers[i], "params": study.candidates[i].params, "mean": study.candidates[i].mean,  # noqa: E731
                           "se": study.candidates[i].se, "losses": list(study.candidates[i].losses)}  # fmt: skip
    return Diagnosis(
        schema_version=SCHEMA_VERSION, data=data_summary(split, data), settings=settings_summary(settings, schedule, base, batch),
        baseline=found.document, verdict=found.verdict, verdict_reason=found.reason,
        search={"mode": study.mode, "trials": len(study.history()), "complete": len(study.candidates), "pruned": study.pruned,
                "best": described(choice.best), "chosen": {**described(choice.chosen), "strength": chosen_strength},
                "threshold": choice.threshold, "within_one_se": len(choice.within), "rule": RULE,
                "objective": f"validation data loss, mean over {settings.search_seeds} seeds", "storage": study.storage,
                "study": study.study.study_name, "history": study.history()},
        recommendation=recommendation(tuned, batch),
        verification=checked.document,
        snippets=snippets(tuned, split.n_features, split.n_outputs, split.task, batch),
        runs={"baseline": found.baseline, "reference": found.reference, "verify_baseline": checked.baseline, "tuned": checked.tuned},
    )  # fmt: skip
