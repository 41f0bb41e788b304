"""The one judge of fit: a verdict and the sentence that gives its reason, from a pair of scores.

:func:`judge` is asked by everything that shows a verdict: a run's result (:class:`reglab.runs.RunResult`), the
playground's frames and diagnose's detect step. It takes the task as a dataset gives it (binary, multiclass,
regression: :data:`reglab.rules.TASKS`) or as a kind (classification, regression), drops the majority rate of a
regression, and applies the point rule of :mod:`reglab.measures.fit` or, when the points behind each accuracy are
known (``train_n``, ``held_out_n``), the rule with their uncertainty of :mod:`reglab.measures.fit_intervals`. A
non-finite score (a diverged run) has no verdict and is refused with ValueError: a caller that shows diverged runs
says so in :data:`DIVERGED_REASON`'s words.
"""

from __future__ import annotations

from dataclasses import dataclass

from reglab.measures import fit
from reglab.measures.fit import KINDS, FitThresholds, kind_of
from reglab.measures.fit_intervals import explain_evidence, fit_evidence
from reglab.rules import LEVEL

__all__ = ["DIVERGED_REASON", "Judgement", "explain", "judge", "verdict"]

DIVERGED_REASON = "The loss became NaN or infinite: lower the learning rate or λ."


@dataclass(frozen=True)
class Judgement:
    """A verdict (one of :data:`reglab.measures.fit.VERDICTS`, or :data:`reglab.measures.fit.UNDECIDED`) and the
    sentence with the numbers behind it."""

    verdict: str
    reason: str


def judge(
    train_score: float,
    held_out_score: float,
    task: str,
    majority_rate: float | None = None,
    thresholds: FitThresholds | None = None,
    held_out_name: str = "validation",
    *,
    ceiling: float | None = None,
    train_n: int | None = None,
    held_out_n: int | None = None,
    confidence: float = LEVEL,
) -> Judgement:
    """The verdict of ``train_score`` against ``held_out_score`` (see the module docstring) and its reason.

    ``held_out_score`` must come from data that chose nothing (not the validation set that picked the epoch by early
    stopping). ``ceiling`` is the best score the data allows on new data (the Bayes accuracy of a 2-D generator, or
    what a high-capacity reference reaches on held-out data), or None."""
    kind = task if task in KINDS else kind_of(task)
    majority = None if kind == "regression" else majority_rate
    limits = thresholds or FitThresholds()
    if train_n is not None or held_out_n is not None:
        evidence = fit_evidence(train_score, held_out_score, kind, majority, limits, ceiling=ceiling, train_n=train_n,
                                held_out_n=held_out_n, confidence=confidence)  # fmt: skip
        return Judgement(evidence["verdict"], explain_evidence(evidence, held_out_name, limits))
    found = fit.verdict(train_score, held_out_score, kind, majority, limits, ceiling=ceiling)
    return Judgement(found, fit.explain(train_score, held_out_score, kind, majority, limits, held_out_name, ceiling=ceiling))


def verdict(train_score: float, held_out_score: float, task: str, majority_rate: float | None = None,
            thresholds: FitThresholds | None = None, **kwargs) -> str:  # fmt: skip
    """The verdict of :func:`judge` alone."""
    return judge(train_score, held_out_score, task, majority_rate, thresholds, **kwargs).verdict


def explain(train_score: float, held_out_score: float, task: str, majority_rate: float | None = None,
            thresholds: FitThresholds | None = None, held_out_name: str = "validation", **kwargs) -> str:  # fmt: skip
    """The reason of :func:`judge` alone: one sentence with the verdict and the numbers behind it, e.g. "Train accuracy
    0.97 vs validation 0.86: a gap of 0.11 > 0.05, so the model is overfitting." """
    return judge(train_score, held_out_score, task, majority_rate, thresholds, held_out_name, **kwargs).reason
