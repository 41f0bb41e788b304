"""Statistics over seeds and fits: means with Student-t confidence intervals, paired t-tests, the corrected
resampled t-test of repeated splits and the smallest difference a test can detect (scipy.stats).

For values ``x_1 … x_n``: ``mean = Σx/n``, ``std`` the sample standard deviation (ddof = 1, 0 when
n = 1) and the interval of the mean at level ``c`` (by default :data:`reglab.rules.LEVEL`, the level of
every interval reglab states) ``mean ± t_{(1+c)/2, n−1} · std / sqrt(n)``, with the quantile from
``scipy.stats.t.ppf``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from reglab.rules import ALPHA, LEVEL, POWER

__all__ = ["corrected_resampled_test", "detectable_difference", "paired_test", "summarize"]


def _check_confidence(confidence: float) -> float:
    ok = not isinstance(confidence, bool) and isinstance(confidence, (int, float)) and 0.0 < confidence < 1.0
    if not ok:
        raise ValueError(f"The 'confidence' parameter must be a float in (0, 1). Got {confidence!r} instead.")
    return float(confidence)


def summarize(values: Sequence[float], confidence: float = LEVEL) -> dict:
    """``n, mean, std`` (ddof = 1) and the Student-t interval ``ci_low, ci_high`` of the mean.

    With n = 1, ``std`` is 0 and the interval collapses to the mean. NaN or inf values (diverged
    runs) raise ValueError: the caller decides how to report them.
    """
    confidence = _check_confidence(confidence)
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size == 0:
        raise ValueError(
            "The 'values' parameter must hold at least one number. Got an empty sequence instead."
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(
            "The 'values' parameter must hold finite numbers; leave diverged runs out. "
            f"Got {x.tolist()!r} instead."
        )
    n, mean = int(x.size), float(x.mean())
    std = float(x.std(ddof=1)) if n > 1 else 0.0
    half = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1)) * std / math.sqrt(n) if n > 1 else 0.0
    return {"n": n, "mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half}


def paired_test(a: Sequence[float], b: Sequence[float], confidence: float = LEVEL) -> dict:
    """Paired t-test of ``d = a − b`` (e.g. the same seeds with and without a penalty).

    ``t = mean(d) / (std(d) / sqrt(n))`` with ddof = 1, two-sided ``p = 2 · P(T_{n−1} > |t|)``
    (``scipy.stats.t.sf``), the numbers of ``scipy.stats.ttest_rel(a, b)``; ``ci_low, ci_high`` is
    the Student-t interval of ``mean_diff`` (:func:`summarize` of ``d``); ``wins``/``ties``/``losses``
    count pairs with ``a > b``, ``a == b``, ``a < b``. With n < 2, ``t`` and ``p_value`` are None.
    When all differences are equal, t is ±inf (p = 0) or, if they are all zero, 0 (p = 1).

    ``ttest_rel`` itself is not called: for differences equal up to rounding (accuracies of two
    models on one test set often are) it warns of catastrophic cancellation, and gives NaN for
    exactly equal ones; the formula above gives a huge t and p ≈ 0 without a warning.
    """
    x, y = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    if x.size != y.size:
        raise ValueError(
            f"The 'a' and 'b' parameters must have the same length. Got {x.size} and {y.size} instead."
        )
    summary = summarize(x - y, confidence)
    n, mean, std = summary["n"], summary["mean"], summary["std"]
    t = p_value = None
    if n >= 2:
        if std > 0:
            t = mean / (std / math.sqrt(n))
        else:
            t = 0.0 if mean == 0 else math.copysign(math.inf, mean)
        p_value = min(1.0, 2.0 * float(stats.t.sf(abs(t), n - 1)))
    return {
        "n": n,
        "mean_diff": mean,
        "ci_low": summary["ci_low"],
        "ci_high": summary["ci_high"],
        "t": t,
        "p_value": p_value,
        "wins": int(np.sum(x > y)),
        "ties": int(np.sum(x == y)),
        "losses": int(np.sum(x < y)),
    }


def corrected_resampled_test(a: Sequence[float], b: Sequence[float], n_train: int, n_test: int, confidence: float = LEVEL) -> dict:
    """Nadeau and Bengio's corrected resampled t-test of ``d = a − b`` over ``J`` fits whose training sets overlap.

    Fit ``j`` trains both models on the same ``n_train`` rows and scores them on the same ``n_test``
    other rows (a fold of repeated k-fold cross-validation, or a random split), giving ``d_j``. Because the
    training sets overlap, the ``d_j`` are correlated and ``var(d)/J`` understates the variance of their
    mean; Nadeau and Bengio (*Inference for the Generalization Error*, Machine Learning 52, 2003) correct
    it by the ratio of test to training rows::

        d̄ = Σ d_j / J,   s² = Σ (d_j − d̄)² / (J − 1),   se = sqrt((1/J + n_test/n_train) · s²)
        t = d̄ / se,   J − 1 degrees of freedom,   p = 2 · P(T_{J−1} > |t|)

    and the interval ``d̄ ± t_{(1+c)/2, J−1} · se``. With ``n_test = 0`` the correction vanishes and this
    is :func:`paired_test` (fits on one fixed training set, differing by their seeds only).
    ``detectable`` is :func:`detectable_difference` of ``se``. With J < 2, ``t``, ``p_value``, the
    interval's half-width and ``detectable`` are None; all ``d_j`` equal gives t = ±inf (0 when they are 0).
    """
    if not (isinstance(n_train, int) and n_train > 0 and isinstance(n_test, int) and n_test >= 0):
        raise ValueError(f"The 'n_train' and 'n_test' parameters must be ints > 0 and >= 0. Got {n_train!r} and {n_test!r} instead.")
    test = paired_test(a, b, confidence)
    n, mean = test["n"], test["mean_diff"]
    d = np.asarray(a, dtype=np.float64).ravel() - np.asarray(b, dtype=np.float64).ravel()
    correction = n_test / n_train
    result = {**test, "se": None, "df": n - 1, "correction": correction, "detectable": None}
    if n < 2:
        return result
    se = math.sqrt((1.0 / n + correction) * float(d.var(ddof=1)))
    t = mean / se if se > 0 else (0.0 if mean == 0 else math.copysign(math.inf, mean))
    half = float(stats.t.ppf(0.5 + _check_confidence(confidence) / 2.0, n - 1)) * se
    p_value = min(1.0, 2.0 * float(stats.t.sf(abs(t), n - 1)))
    return {**result, "se": se, "t": t, "p_value": p_value, "ci_low": mean - half, "ci_high": mean + half,
            "detectable": detectable_difference(se, n - 1)}  # fmt: skip


def detectable_difference(se: float, df: float = math.inf, alpha: float = ALPHA, power: float = POWER, *, smallest_p: float = 0.0) -> float:
    """The smallest true mean difference that a two-sided test of level ``alpha``, whose mean difference has standard
    error ``se``, detects with probability ``power``: ``(q_{1−α/2} + q_power) · se`` (the normal approximation of the
    power), with ``q`` the quantiles of Student's t with ``df`` degrees of freedom, or of the normal distribution when
    ``df`` is infinite (the default). At 5% and 80%: 2.80 standard errors with the normal quantiles; 3.15 with 9
    degrees of freedom.

    Its two uses: a t-test over ``J`` fits (``df = J − 1``, ``se`` as the test computes it, corrected or not:
    :func:`corrected_resampled_test`), and the sign-flip test over ``n`` seeds, which assumes no t distribution
    (normal quantiles, ``se = sd/√n``, ``smallest_p`` of :func:`reglab.measures.inference.smallest_p`). A test that
    cannot give a p-value below ``alpha`` at all (``smallest_p >= alpha``: five seeds of sign flips at 0.05) detects
    nothing: inf.
    """
    if not (0.0 < alpha < 1.0 and 0.0 < power < 1.0 and df >= 1 and math.isfinite(se) and se >= 0 and 0.0 <= smallest_p <= 1.0):
        raise ValueError(
            "detectable_difference needs a finite se >= 0, df >= 1, alpha and power in (0, 1) and smallest_p in [0, 1]. "
            f"Got se={se!r}, df={df!r}, alpha={alpha!r}, power={power!r}, smallest_p={smallest_p!r} instead."
        )
    if smallest_p >= alpha:
        return math.inf
    quantile = stats.norm.ppf if math.isinf(df) else lambda q: stats.t.ppf(q, df)
    return float(quantile(1.0 - alpha / 2.0) + quantile(power)) * se
