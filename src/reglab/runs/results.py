"""What a run gives back: :class:`RunResult`, plain data, and its JSON document.

A result holds the run's config and data, its final metrics per part of the split (and on a fresh sample of the
generator when it was scored there, :mod:`reglab.measures.population`), its history, weights and status. Judging it
(the verdict and its reason) is :func:`reglab.measures.fit.judge`'s work; the result only hands it the numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from reglab.config import SCHEMA_VERSION, DataConfig, RunConfig
from reglab.data import Split, load
from reglab.engine import DIVERGED_HINT, Outcome
from reglab.measures import FitThresholds, Judgement, generalization_gap, judge, layer_stats
from reglab.measures.ceiling import data_ceiling

__all__ = ["RunResult", "json_safe", "result_of"]


@dataclass
class RunResult:
    """The outcome of one run: final metrics per split part, history, weights and status."""

    config: RunConfig
    data: DataConfig
    task: str  # "binary" | "multiclass" | "regression"
    status: str  # "completed" | "early_stopped" | "pruned" | "diverged"
    epochs_run: int
    best_epoch: int | None
    diverged_epoch: int | None
    train: dict[str, float]
    val: dict[str, float]
    test: dict[str, float]
    history: dict[str, list[float]]
    kernels: list[np.ndarray]  # [fan_in, fan_out], float64
    biases: list[np.ndarray]
    majority_rate: float  # share of the most frequent training class (NaN for regression)
    split: Split | None = field(default=None, compare=False, repr=False)  # the data it trained on
    # scores on a large fresh sample of the data's generator (reglab.measures.population), when it was scored there
    population: dict[str, float] | None = field(default=None, compare=False, repr=False)

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    @property
    def stopped_early(self) -> bool:
        return self.status == "early_stopped"

    @property
    def score_name(self) -> str:
        """The headline score: ``accuracy`` for classification, ``r2`` for regression."""
        return "r2" if self.task == "regression" else "accuracy"

    @property
    def held_out(self) -> tuple[str, dict[str, float]]:
        """The part that judges fit, one that chose nothing: the fresh sample of the generator when the run was scored
        on it (:attr:`population`), else the validation set when there is one and early stopping did not use it to
        pick the epoch, else the test set."""
        if self.population is not None:
            return ("population", self.population)
        if self.val and self.config.patience is None:
            return ("validation", self.val)
        return ("test", self.test)

    @property
    def gap(self) -> float:
        """Generalization gap: train score − held-out score (validation, else test)."""
        return generalization_gap(self.train[self.score_name], self.held_out[1][self.score_name])

    def judgement(self, thresholds: FitThresholds | None = None) -> Judgement | None:
        """The verdict and its reason (:func:`reglab.measures.judge`), judged on :attr:`held_out` against the Bayes
        accuracy of the data when it comes from a 2-D generator (:func:`reglab.measures.ceiling.data_ceiling`); a
        classifier scored on its population is judged with the uncertainty of both accuracies, and may be "cannot
        tell". None if diverged."""
        if self.diverged:
            return None
        name, held_out = self.held_out
        score = self.score_name
        sizes = {}
        if self.population is not None and self.task != "regression":
            split = self.split if self.split is not None else load(self.data)
            sizes = {"train_n": len(split.X_train), "held_out_n": int(self.population["n"])}
        return judge(self.train[score], held_out[score], self.task, self.majority_rate, thresholds, name,
                     ceiling=data_ceiling(self.data, self.task), **sizes)  # fmt: skip

    def verdict(self, thresholds: FitThresholds | None = None) -> str | None:
        """``overfitting``, ``underfitting``, ``good fit`` or ``cannot tell`` (:meth:`judgement`); None if diverged."""
        found = self.judgement(thresholds)
        return None if found is None else found.verdict

    def explain(self, thresholds: FitThresholds | None = None) -> str | None:
        """The verdict as one sentence with the numbers behind it (:meth:`judgement`); None if diverged."""
        found = self.judgement(thresholds)
        return None if found is None else found.reason

    def weight_stats(self, X: np.ndarray | None = None) -> list[dict[str, Any]]:
        """Per-layer weight statistics (and dead units on ``X`` when given)."""
        return layer_stats(self.kernels, self.biases, X=X, activation=self.config.activation)

    def to_dict(self, thresholds: FitThresholds | None = None, X: np.ndarray | None = None) -> dict[str, Any]:
        """The JSON document of one run (``reglab train --json``); NaN and inf become null.

        Dead units are counted on ``X``, by default the run's own training features. ``rows`` gives
        the rows of each part, ``classes`` the class count (0 for regression); a diverged run's
        metrics are null, and ``best_epoch`` is set only when early stopping restored that epoch.
        """
        split = self.split if self.split is not None else load(self.data)
        judgement = self.judgement(thresholds)
        if X is None and not self.diverged:
            X = split.X_train
        doc = {
            "schema_version": SCHEMA_VERSION,
            "config": self.config.model_dump(mode="json", by_alias=True),
            "data": self.data.model_dump(mode="json"),
            "task": self.task,
            "classes": split.n_classes,
            "rows": {"train": len(split.X_train), "validation": len(split.X_val), "test": len(split.X_test)},
            "train": self.train,
            "val": self.val,
            "test": self.test,
            "population": self.population,
            "gap": None if self.diverged else self.gap,
            "epochs_run": self.epochs_run,
            "best_epoch": self.best_epoch,
            "stopped_early": self.stopped_early,
            "diverged": self.diverged,
            "diverged_epoch": self.diverged_epoch,
            "hint": DIVERGED_HINT if self.diverged else None,
            "status": self.status,
            "verdict": None if judgement is None else judgement.verdict,
            "verdict_reason": None if judgement is None else judgement.reason,
            "weights": self.weight_stats(X) if not self.diverged else [],
            "history": self.history,
        }
        return json_safe(doc)


def json_safe(value: Any) -> Any:
    """Replaces NaN and infinities by None, recursively, so the document is strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


def result_of(config: RunConfig, data: DataConfig, split: Split, outcome: Outcome) -> RunResult:
    """The result of a run trained on ``split`` from the engine's ``outcome`` (whose fields it keeps as they are)."""
    ended = {f.name: getattr(outcome, f.name) for f in fields(outcome)}
    return RunResult(config=config, data=data, task=split.task, majority_rate=split.majority_rate, split=split, **ended)
