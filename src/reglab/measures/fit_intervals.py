"""The fit verdict with the uncertainty of its scores: binomial intervals for one run, Student-t intervals over seeds.

The rule (see :mod:`reglab.measures.fit` for the plain one): ``underfitting`` only when the training score's interval
lies wholly below the floor (``ceiling − underfit_margin``; without a ceiling, the accuracy whose chance-corrected skill
is ``underfit_skill``, or R² = ``underfit_skill``); ``overfitting`` only when the gap's interval lies wholly above the
``gap`` threshold; ``good fit`` only when both intervals lie wholly on the good side; otherwise :data:`UNDECIDED`
("cannot tell"), with the size that would tell: the factor ``k`` by which the samples must grow for the half-widths,
shrinking as ``1/√k``, to clear the threshold they straddle (``k = (half-width / distance)²``), infinite when a score
sits exactly on its threshold.

- One run (:func:`fit_evidence`): an accuracy ``p`` on ``n`` points has the Agresti–Coull interval
  ``p̃ ± z·√(p̃(1 − p̃)/(n + z²))`` with ``p̃ = (p·n + z²/2)/(n + z²)`` (sensible at 0 and 1, clipped to [0, 1]); the gap
  ``train − held-out`` the half-width ``√(h_train² + h_held²)`` of two independent samples.
- A configuration over seeds (:func:`verdict_over_seeds`): the Student-t intervals of the mean training score and of
  the mean gap (:func:`reglab.measures.stats.summarize`); the size that would tell is counted in seeds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy import stats

from reglab.measures.fit import _ROUNDING, UNDECIDED, FitThresholds, _check_score, _is_finite_number, generalization_gap, kind_of, skill
from reglab.measures.stats import summarize
from reglab.rules import LEVEL

__all__ = ["explain_evidence", "fit_evidence", "verdict_over_seeds"]

DEFAULT = FitThresholds()


def _kind(task: str) -> str:
    """``classification`` or ``regression``, from either a kind or a task of :data:`reglab.config.TASKS`."""
    return task if task in ("classification", "regression") else kind_of(task)


def _floor(task: str, majority_rate: float | None, thresholds: FitThresholds, ceiling: float | None) -> float:
    """The training accuracy below which a model underfits: ``ceiling − underfit_margin``, or without a ceiling the
    accuracy whose chance-corrected skill is ``underfit_skill``."""
    if ceiling is not None:
        return _check_score("ceiling", ceiling) - thresholds.underfit_margin
    if task == "regression":
        return thresholds.underfit_skill
    skill(0.5, task, majority_rate)  # validates the task and the majority rate
    return majority_rate + thresholds.underfit_skill * (1.0 - majority_rate)


def _scale(half: float, distance: float) -> float:
    """How many times the sample must grow for an interval of half-width ``half`` to clear a threshold ``distance`` away."""
    return math.inf if distance <= _ROUNDING else max(1.0, (half / distance) ** 2)


def _decide(train: Sequence[float], gap: Sequence[float], floor: float, limit: float) -> tuple[str, float]:
    """The verdict from the intervals ``(value, low, high)`` of the training score (against ``floor``) and of the gap
    (against ``limit``), and the factor by which every sample would have to grow to decide it (1 when decided)."""
    if train[2] < floor - _ROUNDING:
        return "underfitting", 1.0
    if gap[1] > limit + _ROUNDING:
        return "overfitting", 1.0
    train_clear, gap_clear = train[1] >= floor - _ROUNDING, gap[2] <= limit + _ROUNDING
    if train_clear and gap_clear:
        return "good fit", 1.0
    k_train = _scale((train[2] - train[1]) / 2, abs((train[1] + train[2]) / 2 - floor))
    k_gap = _scale((gap[2] - gap[1]) / 2, abs((gap[1] + gap[2]) / 2 - limit))
    if train[0] < floor:  # on the short side: a narrower training interval alone would call it underfitting
        return UNDECIDED, k_train
    if gap[0] > limit:
        return UNDECIDED, k_gap
    return UNDECIDED, max(1.0 if train_clear else k_train, 1.0 if gap_clear else k_gap)


def _binomial(score: float, n: int, z: float) -> tuple[float, float]:
    """The Agresti–Coull interval ``(low, high)`` of an accuracy ``score`` on ``n`` points, clipped to [0, 1]."""
    n_tilde = n + z * z
    p = (score * n + z * z / 2) / n_tilde
    half = z * math.sqrt(p * (1 - p) / n_tilde)
    return max(0.0, p - half), min(1.0, p + half)


def _z(confidence: float) -> float:
    if not (_is_finite_number(confidence) and 0 < confidence < 1):
        raise ValueError(f"The 'confidence' parameter must be a float in (0, 1). Got {confidence!r} instead.")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def fit_evidence(
    train_score: float,
    held_out_score: float,
    task: str,
    majority_rate: float | None = None,
    thresholds: FitThresholds = DEFAULT,
    *,
    ceiling: float | None = None,
    train_n: int,
    held_out_n: int,
    confidence: float = LEVEL,
) -> dict:
    """The verdict of two accuracies with their binomial intervals (the module docstring's second rule):
    ``{"verdict", "train": [score, low, high], "gap": [gap, low, high], "floor", "scale", "sizes"}``, where ``scale`` is
    the factor by which both samples would have to grow to decide (1 when decided, inf when a score sits exactly on
    its threshold) and ``sizes`` those grown sizes (None when decided or never)."""
    if task != "classification":
        raise ValueError(
            f"The 'task' parameter must be 'classification' when sample sizes are given (binomial intervals). Got {task!r} instead."
        )
    for name, n in (("train_n", train_n), ("held_out_n", held_out_n)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"The '{name}' parameter must be an int >= 1 (the points behind the accuracy). Got {n!r} instead.")
    gap, z = generalization_gap(train_score, held_out_score), _z(confidence)
    (t_low, t_high), (h_low, h_high) = _binomial(train_score, train_n, z), _binomial(held_out_score, held_out_n, z)
    gap_half = math.hypot((t_high - t_low) / 2, (h_high - h_low) / 2)
    train, gaps = [train_score, t_low, t_high], [gap, gap - gap_half, gap + gap_half]
    floor = _floor(task, majority_rate, thresholds, ceiling)
    result, scale = _decide(train, gaps, floor, thresholds.gap)
    sizes = None if scale in (1.0, math.inf) else [math.ceil(scale * train_n), math.ceil(scale * held_out_n)]
    return {"verdict": result, "train": train, "gap": gaps, "floor": floor, "scale": scale, "sizes": sizes}


def verdict_over_seeds(
    train_scores: Sequence[float],
    held_out_scores: Sequence[float],
    task: str,
    majority_rate: float | None = None,
    thresholds: FitThresholds = DEFAULT,
    *,
    ceiling: float | None = None,
    confidence: float = LEVEL,
) -> dict:
    """The verdict of a configuration from its seeds: the rule of :func:`fit_evidence` applied to the mean training
    score and the mean gap, each with its Student-t interval over seeds. ``{"verdict", "train", "gap"`` (summaries of
    :func:`reglab.measures.stats.summarize`), ``"floor", "seeds"}``: ``seeds`` is how many seeds would decide (None
    when decided or never). With one seed the intervals are unknown: :data:`UNDECIDED`."""
    train, held_out = [_check_score("train_score", v) for v in train_scores], list(held_out_scores)
    if len(train) != len(held_out) or not train:
        raise ValueError(f"The score lists must have the same length >= 1. Got {len(train)} and {len(held_out)} instead.")
    gaps = [generalization_gap(t, h) for t, h in zip(train, held_out)]
    t, g = summarize(train, confidence), summarize(gaps, confidence)
    floor = _floor(_kind(task), majority_rate, thresholds, ceiling)
    if len(gaps) < 2:
        return {"verdict": UNDECIDED, "train": t, "gap": g, "floor": floor, "seeds": None}
    interval = lambda x: (x["mean"], x["ci_low"], x["ci_high"])  # noqa: E731
    result, scale = _decide(interval(t), interval(g), floor, thresholds.gap)
    seeds = None if scale in (1.0, math.inf) else math.ceil(scale * len(gaps))
    return {"verdict": result, "train": t, "gap": g, "floor": floor, "seeds": seeds}


def _interval(values: Sequence[float]) -> str:
    value, low, high = values
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


def explain_evidence(evidence: dict, held_out_name: str, thresholds: FitThresholds = DEFAULT) -> str:
    """One sentence from :func:`fit_evidence`: the two intervals, the verdict, and for "cannot tell" the sizes that would
    tell, e.g. "Train accuracy 0.971 [0.917, 0.993] vs population: gap 0.112 [0.058, 0.166] > 0.05, so the model is
    overfitting." """
    train, gap, floor = evidence["train"], evidence["gap"], evidence["floor"]
    head = f"Train accuracy {_interval(train)} vs {held_out_name}: gap {_interval(gap)}"
    result = evidence["verdict"]
    if result == "underfitting":
        return f"{head}; the training interval lies below {floor:.3f}, so the model is underfitting."
    if result == "overfitting":
        return f"{head} > {thresholds.gap:g}, so the model is overfitting."
    if result == "good fit":
        return f"{head} <= {thresholds.gap:g} and training >= {floor:.3f}, so the model is a good fit."
    if evidence["sizes"] is None:
        return f"{head}: a score sits on its threshold ({thresholds.gap:g} for the gap, {floor:.3f} for training): no sample size tells."
    n_train, n_held = evidence["sizes"]
    return (
        f"{head}: the intervals straddle {thresholds.gap:g} (gap) or {floor:.3f} (training), so this sample cannot tell; "
        f"about {evidence['scale']:.1f}× the points ({n_train:,} training, {n_held:,} held out) would."
    )
