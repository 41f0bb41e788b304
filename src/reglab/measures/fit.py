"""The fit verdict: is a model underfitting, overfitting or a good fit?

Scores are accuracy for classification and R² for regression, on the training set and on held-out
data (validation or test). Two numbers decide:

- ``skill`` of the training score: for classification the chance-corrected accuracy
  ``(accuracy − majority_rate) / (1 − majority_rate)``, 0 for always predicting the majority class
  and 1 for perfect; for regression R² itself (0 for predicting the mean, 1 for perfect).
- ``generalization_gap = train_score − held_out_score``.

The rule, with the default :class:`FitThresholds` (gap 0.05, underfit_skill 0.6):

1. ``underfitting`` if ``skill(train) < underfit_skill``: the model does not even fit its
   training data;
2. otherwise ``overfitting`` if ``gap > gap``: it fits the training data much better than new data;
3. otherwise ``good fit``.

Both comparisons allow 1e-9 of rounding, so that decimal boundaries land as written
(``0.75 − 0.70`` is a gap of exactly 0.05, not 0.05000000000000004). NaN or inf scores, from a
diverged run, raise ValueError: callers report diverged runs themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reglab.config import TASK_CHOICES, TASKS

__all__ = ["FitThresholds", "KINDS", "VERDICTS", "explain", "generalization_gap", "kind_of", "skill", "verdict"]

VERDICTS = ("overfitting", "good fit", "underfitting")
KINDS = tuple(choice for choice in TASK_CHOICES if choice != "auto")  # what a score means: accuracy or R²
_ROUNDING = 1e-9  # slack in the threshold comparisons, far below any score's resolution


def _is_finite_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


@dataclass(frozen=True)
class FitThresholds:
    """Thresholds of the fit verdict (see the module docstring for the rule)."""

    gap: float = 0.05  # largest train − held-out score still counted as generalizing
    underfit_skill: float = 0.6  # smallest training skill that counts as fitting the data (no ceiling known)
    underfit_margin: float = 0.05  # largest shortfall of the training score below the ceiling that still fits

    def __post_init__(self) -> None:
        if not (_is_finite_number(self.gap) and self.gap >= 0):
            raise ValueError(f"The 'gap' threshold must be a finite float >= 0. Got {self.gap!r} instead.")
        if not (_is_finite_number(self.underfit_skill) and 0 <= self.underfit_skill <= 1):
            raise ValueError(
                "The 'underfit_skill' threshold must be a finite float in [0, 1]. "
                f"Got {self.underfit_skill!r} instead."
            )


def kind_of(task: str) -> str:
    """The kind of a task of :data:`reglab.config.TASKS`: ``regression`` for regression, ``classification``
    for binary and multiclass."""
    if task not in TASKS:
        raise ValueError(f"The 'task' parameter must be one of {', '.join(TASKS)}. Got {task!r} instead.")
    return "regression" if task == "regression" else "classification"


def _check_score(name: str, value: object) -> float:
    if not _is_finite_number(value):
        raise ValueError(
            f"The '{name}' parameter must be a finite float (a diverged run has no verdict). "
            f"Got {value!r} instead."
        )
    return float(value)


def skill(score: float, task: str, majority_rate: float | None = None) -> float:
    """Chance-corrected accuracy ``(score − majority_rate) / (1 − majority_rate)`` for classification,
    R² (``score`` itself) for regression."""
    score = _check_score("score", score)
    if task == "regression":
        return score
    if task != "classification":
        raise ValueError(f"The 'task' parameter must be one of {', '.join(KINDS)}. Got {task!r} instead.")
    if not (_is_finite_number(majority_rate) and 0 <= majority_rate < 1):
        raise ValueError(
            "The 'majority_rate' parameter must be a finite float in [0, 1) for classification "
            f"(the share of the most frequent class). Got {majority_rate!r} instead."
        )
    return (score - majority_rate) / (1.0 - majority_rate)


def generalization_gap(train_score: float, held_out_score: float) -> float:
    """``train_score − held_out_score`` (accuracy or R²); positive when the model does better on its
    training data."""
    return _check_score("train_score", train_score) - _check_score("held_out_score", held_out_score)


def verdict(
    train_score: float,
    held_out_score: float,
    task: str,
    majority_rate: float | None = None,
    thresholds: FitThresholds = FitThresholds(),
    *,
    ceiling: float | None = None,
) -> str:
    """One of :data:`VERDICTS`, by the rule of the module docstring.

    ``ceiling`` is the best score the data allows on new data (the Bayes accuracy of a 2-D generator,
    or what a high-capacity reference reaches on held-out data); with it, underfitting means a training
    score more than ``thresholds.underfit_margin`` below the ceiling.
    """
    gap = generalization_gap(train_score, held_out_score)
    if ceiling is not None:
        short = _check_score("ceiling", ceiling) - train_score > thresholds.underfit_margin + _ROUNDING
    else:
        short = skill(train_score, task, majority_rate) < thresholds.underfit_skill - _ROUNDING
    if short:
        return "underfitting"
    if gap > thresholds.gap + _ROUNDING:
        return "overfitting"
    return "good fit"


def _past(value: float, bound: float, above: bool) -> str:
    # two decimals, or as many more as it takes for a value past a threshold not to print equal to it
    for digits in range(2, 11):
        text = f"{value:.{digits}f}"
        if (float(text) > bound) if above else (float(text) < bound):
            return text
    return repr(value)


def explain(
    train_score: float,
    held_out_score: float,
    task: str,
    majority_rate: float | None = None,
    thresholds: FitThresholds = FitThresholds(),
    held_out_name: str = "validation",
) -> str:
    """One sentence giving the verdict and the numbers behind it, e.g. "Train accuracy 0.97 vs
    validation 0.86: a gap of 0.11 > 0.05, so the model is overfitting." """
    result = verdict(train_score, held_out_score, task, majority_rate, thresholds)
    metric = "accuracy" if task == "classification" else "R²"
    scores = f"Train {metric} {train_score:.2f} vs {held_out_name} {held_out_score:.2f}"
    train_skill = skill(train_score, task, majority_rate)
    skill_name = "chance-corrected skill" if task == "classification" else "skill"
    if result == "underfitting":
        shown = _past(train_skill, thresholds.underfit_skill, above=False)
        majority = f" (majority class {majority_rate:.2f})" if task == "classification" else ""
        bound = f"{thresholds.underfit_skill:g}"
        return f"{scores}: train {skill_name} {shown}{majority} < {bound}, so the model is underfitting."
    gap = generalization_gap(train_score, held_out_score)
    if result == "overfitting":
        shown = _past(gap, thresholds.gap, above=True)
        return f"{scores}: a gap of {shown} > {thresholds.gap:g}, so the model is overfitting."
    return (
        f"{scores}: train {skill_name} {train_skill:.2f} >= {thresholds.underfit_skill:g} and a gap of "
        f"{gap:.2f} <= {thresholds.gap:g}, so the model is a good fit."
    )
