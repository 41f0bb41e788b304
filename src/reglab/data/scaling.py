"""Standardising with the training part's statistics, within what float64 and float32 can hold.

A feature is scaled as ``(x − mean) / std`` with the mean and the population standard deviation
(``ddof=0``) of the training part; a constant column keeps scale 1. A column whose largest |value|
``m`` in the training part is so large that its ``n`` squared deviations could overflow float64
(``n·(2m)² > max``) or so small that they would sink below float64's normal numbers
(``m < sqrt(tiny)/eps``) is divided by ``m`` first. Standardising does not change under that division
(``(x/m − mean(x/m)) / std(x/m)`` is the same number), so nothing is lost and every statistic stays
finite and exact to rounding; refusing the column instead would only make the user do the same
division by hand. Such a column gets a note, and its ``mean`` and ``scale`` are still reported in its
own units (``m·mean(x/m)``, ``m·std(x/m)``).

reglab trains and scores in float32. What float32 cannot hold is refused with the column and the
value: a regression target or (with ``standardize`` off) a feature whose largest |value| lies outside
float32's normal range, and a validation or test value that is still beyond float32 once standardised.
A target is refused rather than rescaled because its own units are what the scores are in: the RMSE
(``sqrt(MSE)·y_scale``) and the raw predictions are float32 numbers, which would be inf or 0.
A regression target that does not vary, in the file or on the training rows, is refused too: its
R² is undefined and its scale would be 0.
"""

from __future__ import annotations

import numpy as np

from reglab.errors import DataError

__all__ = ["F32_MAX", "F32_TINY", "check_feature_range", "check_target", "check_training_target", "standardise", "target_scaling"]

F32_MAX = float(np.finfo(np.float32).max)  # 3.4e+38
F32_TINY = float(np.finfo(np.float32).tiny)  # 1.18e-38, the smallest normal float32
F64 = np.finfo(np.float64)
PARTS = ("training", "validation", "test")


def _largest(values: np.ndarray) -> np.ndarray:
    """Largest |value| of each column, missing cells aside (0 for a column with none)."""
    sizes = np.abs(values)
    return np.max(np.where(np.isnan(sizes), 0.0, sizes), axis=0, initial=0.0)


def _beyond_float64(size: np.ndarray, n: int) -> np.ndarray:
    """Columns whose largest |value| lets the sum of squared deviations overflow or underflow float64."""
    return (size > np.sqrt(F64.max / (4 * max(n, 1)))) | ((size > 0) & (size < np.sqrt(F64.tiny) / F64.eps))


def _float32_range(subject: str, size: float, use: str) -> str:
    """The start of a refusal of values of largest |value| ``size`` that float32 cannot hold."""
    if size > 1:
        return f"{subject} holds values up to {size:.3g} in size; expected at most {F32_MAX:.2g} (float32's range, {use})"
    return f"{subject} holds no value larger than {size:.3g} in size; expected at least {F32_TINY:.3g} (float32's range, {use})"


def check_feature_range(X: np.ndarray, names, what: str) -> None:
    """Without standardising, each feature column's largest nonzero |value| must be a normal float32."""
    for name, size in zip(names, _largest(X).tolist()):
        if size > F32_MAX or 0 < size < F32_TINY:
            start = _float32_range(f"Column '{name}' of {what}", size, "in which reglab trains")
            raise DataError(f"{start} with --no-standardize: --standardize, or rescale the column.")


def check_target(y: np.ndarray, target: str, what: str, task: str) -> None:
    """A regression target must vary, and its largest |value| must be a normal float32."""
    if task != "regression":
        return
    if y.min() == y.max():
        raise DataError(
            f"Target column '{target}' of {what} holds one value ({float(y[0])!r}) on every row; expected values that vary, to predict."
        )
    size = float(_largest(y))
    if size > F32_MAX or size < F32_TINY:
        start = _float32_range(f"Target column '{target}' of {what}", size, "in which reglab trains and scores")
        raise DataError(f"{start}: rescale the column, such as to other units.")


def check_training_target(y_train: np.ndarray, target: str, what: str, task: str) -> None:
    """A regression target must vary on the training rows too (a split can leave them all equal)."""
    if task == "regression" and y_train.min() == y_train.max():
        raise DataError(
            f"Target column '{target}' of {what} holds one value ({float(y_train[0])!r}) on all {len(y_train)} training rows "
            "of the split; expected values that vary there: add rows, or another seed, test_size or val_size."
        )


def _check_standardised(raw: list[np.ndarray], scaled: list[np.ndarray], names, what: str) -> None:
    """A value still beyond float32 once standardised lies far outside the training part: name it."""
    for part, before, after in zip(PARTS, raw, scaled):
        beyond = np.abs(after) > F32_MAX
        if beyond.any():
            row, j = (int(k[0]) for k in np.nonzero(beyond))
            raise DataError(
                f"Column '{names[j]}' of {what} holds {before[row, j]:.3g} in the {part} part, which is {abs(after[row, j]):.3g} "
                f"standard deviations of the training part from its mean, beyond float32's range ({F32_MAX:.2g}); expected "
                f"values near the training part's: rescale the column (such as by its logarithm), or --drop {names[j]}."
            )


def standardise(parts: list[np.ndarray], names, what: str):
    """``(parts, mean, scale, notes)``: ``parts`` (training, validation, test; float64 ``[n, d]``, no
    NaN) standardised with the training part's statistics, by this module's rule."""
    train = parts[0]
    size = _largest(train)
    rescaled = _beyond_float64(size, len(train)) & (train.max(axis=0) > train.min(axis=0))
    divisor = np.where(rescaled, size, 1.0)
    unit = train / divisor
    mean = unit.mean(axis=0)
    # a constant column keeps scale 1 (its float std can be a tiny nonzero rounding error)
    scale = np.where(unit.max(axis=0) == unit.min(axis=0), 1.0, unit.std(axis=0))
    scaled = [(part / divisor - mean) / scale for part in parts]
    _check_standardised(parts, scaled, names, what)
    notes = [
        f"standardised column '{names[j]}' after dividing it by its largest |value| ({size[j]:.3g}): "
        f"its mean and standard deviation would {'overflow' if size[j] > 1 else 'underflow'} float64 otherwise"
        for j in np.flatnonzero(rescaled)
    ]
    return scaled, mean * divisor, scale * divisor, notes


def target_scaling(y_train: np.ndarray) -> tuple[float, float]:
    """``(y_mean, y_scale)`` of a regression target: the training part's mean and population std."""
    y_scale = float(y_train.std()) if y_train.max() > y_train.min() else 1.0
    return float(y_train.mean()), y_scale
