"""The fit verdict: is a model underfitting, overfitting or a good fit?

Scores are accuracy for classification and R² for regression, on the training set and on held-out
data *that chose nothing*: a validation set that early stopping used to pick the epoch is optimistic
for that model, so :class:`reglab.runs.RunResult` passes the test set then (and the validation set
otherwise). Three numbers decide:

- ``generalization_gap = train_score − held_out_score``;
- the ``ceiling``: the best score the data allows on new data. For reglab's 2-D generators it is
  their Bayes accuracy, computed from the generators' known class densities
  (:func:`reglab.measures.ceiling.bayes_accuracy`: moons at noise 0.3 allows about 0.915); for other
  data, the held-out score a high-capacity reference reaches on the same splits (``reglab diagnose``
  trains one). It may be unknown (None);
- ``skill`` of the training score, used only when no ceiling is known: for classification the
  chance-corrected accuracy ``(accuracy − majority_rate) / (1 − majority_rate)``, 0 for always
  predicting the majority class and 1 for perfect; for regression R² itself.

The rule, with the default :class:`FitThresholds` (gap 0.05, underfit_margin 0.03, underfit_skill 0.1):

1. ``underfitting`` if the model does not fit its own training data as well as the data allows:
   with a ceiling, ``train_score < ceiling − underfit_margin``; with none, ``skill(train) <
   underfit_skill``, i.e. the model has learned next to nothing beyond the trivial predictor. Without
   a ceiling a modest score is *not* underfitting: on noisy data it may be all there is to learn
   (a survey table where the best of several models reaches 0.67 accuracy is not underfit at 0.67);
2. otherwise ``overfitting`` if ``gap > gap``: it fits the training data much better than new data;
3. otherwise ``good fit``.

Underfitting is judged on the training score because it is what the lecture means ("high training
error"): a straight boundary on moons at noise 0.3 (training accuracy 0.82–0.89 against a ceiling of
0.915) is underfitting even though its gap is small, while a model that fits what the data allows
trains at or above the ceiling (a training score is optimistic). The margin of 0.03 is about one
binomial standard error of a training accuracy on the lecture's 105 training points
(√(0.915·0.085/105) ≈ 0.027): a single run is one draw, and with 35–60 held-out points one point
is 2–3 percentage points of gap, so reports give the verdict over seeds as "k of n seeds"
(:func:`verdict_counts`) and compare configurations with paired tests, not with verdicts.

**With the uncertainty of the scores** (``train_n`` and ``held_out_n`` given, accuracies only; the lecture report
judges every run this way): each accuracy gets its binomial interval at ``confidence`` (Agresti–Coull: ``p̃ = (k +
z²/2)/(n + z²)``, half-width ``z·√(p̃(1 − p̃)/(n + z²))``, sensible at 0 and 1), the gap the half-width
``√(h_train² + h_held²)`` (independent samples). ``underfitting`` only when the training score's interval lies wholly
below the floor (``ceiling − underfit_margin``, or without a ceiling the accuracy of skill ``underfit_skill``);
``overfitting`` only when the gap's interval lies wholly above ``gap``; ``good fit`` only when both intervals lie
wholly on the good side; otherwise :data:`UNDECIDED` ("cannot tell"), with the factor by which both sample sizes
would have to grow for the intervals to clear (:mod:`reglab.measures.fit_intervals`, which also applies the same
rule to the means over seeds, with Student-t intervals, and says how many seeds would tell). A run of the Bayes rule
itself, at the lecture's split sizes, is then called over- or underfitting in well under 5% of seeds (a test
simulates it); the plain rule calls it so in about a quarter.

Comparisons allow 1e-9 of rounding, so that decimal boundaries land as written (``0.75 − 0.70`` is
a gap of exactly 0.05, not 0.05000000000000004). NaN or inf scores, from a diverged run, raise
ValueError: callers report diverged runs themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reglab.config import TASK_CHOICES, TASKS

__all__ = [
    "FitThresholds", "KINDS", "UNDECIDED", "VERDICTS", "explain", "generalization_gap", "kind_of", "skill", "verdict", "verdict_counts",
]  # fmt: skip

VERDICTS = ("overfitting", "good fit", "underfitting")
UNDECIDED = "cannot tell"  # the verdict with uncertainty when the intervals do not clear the thresholds
KINDS = tuple(choice for choice in TASK_CHOICES if choice != "auto")  # what a score means: accuracy or R²
_ROUNDING = 1e-9  # slack in the threshold comparisons, far below any score's resolution


def _is_finite_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


@dataclass(frozen=True)
class FitThresholds:
    """Thresholds of the fit verdict (see the module docstring for the rule)."""

    gap: float = 0.05  # largest train − held-out score still counted as generalizing
    underfit_skill: float = 0.1  # no ceiling known: smallest training skill that counts as having learned something
    underfit_margin: float = 0.03  # ceiling known: largest shortfall of the training score below it that still fits

    def __post_init__(self) -> None:
        if not (_is_finite_number(self.gap) and self.gap >= 0):
            raise ValueError(f"The 'gap' threshold must be a finite float >= 0. Got {self.gap!r} instead.")
        if not (_is_finite_number(self.underfit_skill) and 0 <= self.underfit_skill <= 1):
            raise ValueError(
                "The 'underfit_skill' threshold must be a finite float in [0, 1]. "
                f"Got {self.underfit_skill!r} instead."
            )
        if not (_is_finite_number(self.underfit_margin) and 0 <= self.underfit_margin <= 1):
            raise ValueError(
                "The 'underfit_margin' threshold must be a finite float in [0, 1]. "
                f"Got {self.underfit_margin!r} instead."
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


def _short_of(train_score: float, task: str, majority_rate: float | None, thresholds: FitThresholds, ceiling: float | None) -> bool:
    """Underfitting's test (rule 1 of the module docstring)."""
    if ceiling is not None:
        return _check_score("ceiling", ceiling) - train_score > thresholds.underfit_margin + _ROUNDING
    return skill(train_score, task, majority_rate) < thresholds.underfit_skill - _ROUNDING


def verdict(
    train_score: float,
    held_out_score: float,
    task: str,
    majority_rate: float | None = None,
    thresholds: FitThresholds = FitThresholds(),
    *,
    ceiling: float | None = None,
) -> str:
    """One of :data:`VERDICTS`, by the rule of the module docstring (the point rule; :func:`reglab.measures.judging.judge`
    adds the rule with uncertainty and the reason).

    ``held_out_score`` must come from data that chose nothing (not the validation set that picked the
    epoch by early stopping). ``ceiling`` is the best score the data allows on new data (the Bayes
    accuracy of a 2-D generator, or what a high-capacity reference reaches on held-out data), or None.
    """
    gap = generalization_gap(train_score, held_out_score)
    if _short_of(train_score, task, majority_rate, thresholds, ceiling):
        return "underfitting"
    if gap > thresholds.gap + _ROUNDING:
        return "overfitting"
    return "good fit"


def verdict_counts(verdicts: list[str | None]) -> str:
    """Verdicts over seeds as "k of n seeds" phrases, most frequent first, e.g. "underfitting in 4 of 5
    seeds, good fit in 1 of 5 seeds"; None entries (diverged runs) count as "diverged"."""
    n = len(verdicts)
    if n == 0:
        return "no runs"
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v or "diverged"] = counts.get(v or "diverged", 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{v} in {k} of {n} seed{'s' if n > 1 else ''}" for v, k in ordered)


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
    *,
    ceiling: float | None = None,
) -> str:
    """One sentence giving the point rule's verdict and the numbers behind it, e.g. "Train accuracy 0.97 vs
    validation 0.86: a gap of 0.11 > 0.05, so the model is overfitting.\""""
    result = verdict(train_score, held_out_score, task, majority_rate, thresholds, ceiling=ceiling)
    metric = "accuracy" if task == "classification" else "R²"
    scores = f"Train {metric} {train_score:.2f} vs {held_out_name} {held_out_score:.2f}"
    gap = generalization_gap(train_score, held_out_score)
    if ceiling is not None:
        floor = ceiling - thresholds.underfit_margin
        bound = f"{floor:.3f} (ceiling {ceiling:.3f} − {thresholds.underfit_margin:g})"
        if result == "underfitting":
            return f"{scores}: train {metric} {_past(train_score, floor, above=False)} < {bound}, so the model is underfitting."
        fits = f"train {metric} {train_score:.2f} >= {bound}"
    else:
        train_skill = skill(train_score, task, majority_rate)
        skill_name = "chance-corrected skill" if task == "classification" else "skill"
        if result == "underfitting":
            shown = _past(train_skill, thresholds.underfit_skill, above=False)
            majority = f" (majority class {majority_rate:.2f})" if task == "classification" else ""
            return f"{scores}: train {skill_name} {shown}{majority} < {thresholds.underfit_skill:g}, so the model is underfitting."
        fits = f"train {skill_name} {train_skill:.2f} >= {thresholds.underfit_skill:g}"
    if result == "overfitting":
        shown = _past(gap, thresholds.gap, above=True)
        return f"{scores}: a gap of {shown} > {thresholds.gap:g}, so the model is overfitting."
    return f"{scores}: {fits} and a gap of {gap:.2f} <= {thresholds.gap:g}, so the model is a good fit."
