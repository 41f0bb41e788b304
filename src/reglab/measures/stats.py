"""Statistics over seeds: means with Student-t confidence intervals and paired t-tests, NumPy only.

For values ``x_1 … x_n``: ``mean = Σx/n``, ``std`` the sample standard deviation (ddof = 1, 0 when
n = 1) and the 95% interval of the mean ``mean ± t_{0.975, n−1} · std / sqrt(n)``.

The Student t distribution with ν degrees of freedom is computed from the regularised incomplete
beta function: for t ≥ 0, ``P(T > t) = ½ · I_x(ν/2, ½)`` with ``x = ν / (ν + t²)``. ``I_x`` is
evaluated by its continued fraction (modified Lentz), and quantiles by bisection on that tail, so
results agree with scipy.stats.t to about 1e-12 for ν ≤ 1000 (1e-9 beyond, where
``lgamma(ν/2)`` loses digits) without depending on scipy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["paired_test", "summarize", "t_cdf", "t_quantile", "t_sf"]

_EPS = 1e-15
_TINY = 1e-300


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    # Numerical Recipes' betacf, the even/odd terms of the continued fraction for I_x(a, b)
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, 100_000):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            result *= c * d
        if abs(c * d - 1.0) < _EPS:
            return result
    raise ArithmeticError(f"The incomplete beta continued fraction did not converge for a={a}, b={b}, x={x}.")


def _betainc(a: float, b: float, x: float, y: float) -> float:
    """Regularised incomplete beta ``I_x(a, b) = B(x; a, b) / B(a, b)``, given ``y = 1 − x`` computed
    without cancellation (t near 0 puts x within rounding of 1)."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, y) / b


def _check_df(df: float) -> float:
    if isinstance(df, bool) or not isinstance(df, (int, float, np.integer, np.floating)) or not df > 0:
        raise ValueError(f"The 'df' parameter must be a float > 0. Got {df!r} instead.")
    return float(df)


def t_sf(t: float, df: float) -> float:
    """Upper tail ``P(T > t)`` of Student's t with ``df`` degrees of freedom."""
    df = _check_df(df)
    if math.isnan(t):
        return math.nan
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t), t * t / (df + t * t))
    return tail if t >= 0 else 1.0 - tail


def t_cdf(t: float, df: float) -> float:
    """``P(T ≤ t)`` of Student's t with ``df`` degrees of freedom."""
    return 1.0 - t_sf(t, df)


def t_quantile(p: float, df: float) -> float:
    """The ``t`` with ``P(T ≤ t) = p`` (e.g. ``t_quantile(0.975, 4) = 2.7764451``)."""
    df = _check_df(df)
    if not 0.0 < p < 1.0:
        raise ValueError(f"The 'p' parameter must be a probability in (0, 1). Got {p!r} instead.")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    tail = 1.0 - p
    low, high = 0.0, 1.0
    while t_sf(high, df) > tail:  # grow the bracket; the tail falls with t
        low, high = high, 2.0 * high
    for _ in range(200):
        mid = 0.5 * (low + high)
        if mid in (low, high):
            break
        low, high = (mid, high) if t_sf(mid, df) > tail else (low, mid)
    return 0.5 * (low + high)


def summarize(values: Sequence[float], confidence: float = 0.95) -> dict:
    """``n, mean, std`` (ddof = 1) and the Student-t interval ``ci_low, ci_high`` of the mean.

    With n = 1, ``std`` is 0 and the interval collapses to the mean. NaN or inf values (diverged
    runs) raise ValueError: the caller decides how to report them.
    """
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
    half = t_quantile(0.5 + confidence / 2.0, n - 1) * std / math.sqrt(n) if n > 1 else 0.0
    return {"n": n, "mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half}


def paired_test(a: Sequence[float], b: Sequence[float], confidence: float = 0.95) -> dict:
    """Paired t-test of ``d = a − b`` (e.g. the same seeds with and without a penalty).

    ``t = mean(d) / (std(d) / sqrt(n))`` with ddof = 1, two-sided ``p = 2 · P(T_{n−1} > |t|)``;
    ``ci_low, ci_high`` is the Student-t interval of ``mean_diff``; ``wins``/``ties``/``losses``
    count pairs with ``a > b``, ``a == b``, ``a < b``. With n < 2, ``t`` and ``p_value`` are None.
    When all differences are equal, t is ±inf (p = 0) or, if they are all zero, 0 (p = 1).
    """
    x, y = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    if x.size != y.size:
        raise ValueError(
            f"The 'a' and 'b' parameters must have the same length. Got {x.size} and {y.size} instead."
        )
    d = x - y
    summary = summarize(d, confidence)
    n, mean, std = summary["n"], summary["mean"], summary["std"]
    t = p_value = None
    if n >= 2:
        if std > 0:
            t = mean / (std / math.sqrt(n))
        else:
            t = 0.0 if mean == 0 else math.copysign(math.inf, mean)
        p_value = min(1.0, 2.0 * t_sf(abs(t), n - 1))
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
