"""The metrics a task calls for, measured on the rows a fit held out, and the notes they call for.

Classification (binary and multiclass):

* ``log_loss``: the mean cross-entropy ``−(1/n)·Σ log p(y_i)`` in nats, the data loss reglab trains on
  and the quantity the verification tests (taken from the engine's test data loss);
* ``accuracy``; ``balanced_accuracy``, the mean over the classes present of each class's recall (0.5 for
  a model that always answers one class of two, whatever their shares);
* ``roc_auc``: the area under the ROC curve of ``P(class 1)`` (binary), or the mean over the classes
  present of each class against the rest (multiclass, macro one-vs-rest); None when only one class is present;
* ``majority_rate``: the accuracy of always answering the training part's most frequent class.

Regression: ``mse`` (the data loss, in the units of the diagnosis's standardised target), ``r2`` and
``rmse`` in the target's own units.

Notes: a model whose accuracy is within noise of the majority rate (the paired test of its accuracy
against the majority rate, over the fits, does not put it above), and a strongly skewed regression
target (|sample skewness| > :data:`SKEWED`), with what to try.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reglab.measures.forward import forward_pass
from reglab.runs import RunResult

__all__ = ["CLASSIFICATION", "REGRESSION", "SKEWED", "fit_metrics", "majority_note", "metric_names", "skew_note", "skewness"]

CLASSIFICATION = ("log_loss", "accuracy", "balanced_accuracy", "roc_auc")
REGRESSION = ("mse", "r2", "rmse")
LABELS = {"log_loss": "log loss", "accuracy": "accuracy", "balanced_accuracy": "balanced accuracy", "roc_auc": "ROC AUC",
          "mse": "MSE (standardised target)", "r2": "R²", "rmse": "RMSE (target units)", "majority_rate": "majority rate"}  # fmt: skip
SKEWED = 1.0  # |skewness| above this: strongly skewed (a common rule of thumb)


def metric_names(task: str) -> tuple[str, ...]:
    return REGRESSION if task == "regression" else CLASSIFICATION


def balanced_accuracy(y: np.ndarray, predicted: np.ndarray) -> float:
    """Mean over the classes present in ``y`` of the share of their rows predicted right."""
    return float(np.mean([np.mean(predicted[y == c] == c) for c in np.unique(y)]))


def roc_auc(y: np.ndarray, scores: np.ndarray) -> float | None:
    """Binary: the AUC of ``scores`` ``[n]``; multiclass: macro one-vs-rest over the classes present (both sides)."""
    from sklearn.metrics import roc_auc_score

    if scores.ndim == 1:
        return float(roc_auc_score(y, scores)) if len(np.unique(y)) == 2 else None
    areas = [roc_auc_score(y == c, scores[:, c]) for c in range(scores.shape[1]) if 0 < np.sum(y == c) < len(y)]
    return float(np.mean(areas)) if areas else None


def classification_metrics(result: RunResult) -> dict[str, Any]:
    split = result.split
    y = np.asarray(split.y_test)
    model = forward_pass(split.X_test, result.kernels, result.biases, result.config.activation, result.task)
    z = model.logits
    if result.task == "binary":
        predicted, scores = (z[:, 0] > 0).astype(np.int64), z[:, 0]  # the logit ranks as P(class 1) does
    else:
        predicted, scores = z.argmax(axis=1), model.outputs
    majority = int(np.bincount(split.y_train).argmax())
    return {"log_loss": result.test["data_loss"], "accuracy": float(np.mean(predicted == y)),
            "balanced_accuracy": balanced_accuracy(y, predicted), "roc_auc": roc_auc(y, scores),
            "majority_rate": float(np.mean(y == majority))}  # fmt: skip


def fit_metrics(result: RunResult, loss_unit: float = 1.0) -> dict[str, Any]:
    """The task's metrics of one trained run on its split's test part; ``loss_unit`` converts a regression
    data loss to the common units (``(y_scale of the fit / y_scale of the diagnosis)²``)."""
    if result.task != "regression":
        return classification_metrics(result)
    return {"mse": result.test["data_loss"] * loss_unit, "r2": result.test["r2"], "rmse": result.test["rmse"]}


def skewness(y: np.ndarray) -> float:
    """The sample skewness ``m3 / m2^1.5`` (biased moments, scipy.stats.skew's default)."""
    from scipy import stats

    return float(stats.skew(np.asarray(y, dtype=np.float64)))


def skew_note(y: np.ndarray, target: str) -> str | None:
    """A sentence when a regression target is strongly skewed, with the transform to try; None otherwise."""
    g = skewness(y)
    if abs(g) <= SKEWED:
        return None
    low = float(np.min(y))
    if g > 0 and low > 0:
        fix = f"predicting log({target}) and exponentiating the predictions (all values are positive)"
    elif g > 0 and low >= 0:
        fix = f"predicting log(1 + {target}) and transforming back (the smallest value is 0)"
    else:
        fix = f"a signed log transform sign(y)·log(1 + |y|) of {target}, or a Yeo-Johnson transform, and transforming back"
    side = "right (a long tail of large values)" if g > 0 else "left (a long tail of small values)"
    return (f"The target '{target}' is strongly skewed to the {side}: skewness {g:.2f} (|skewness| > {SKEWED:g}); its largest errors "
            f"dominate the squared loss, R² and RMSE. Try {fix}; reglab did not transform it.")  # fmt: skip


def majority_note(arm: str, accuracy: float, majority: float, test: dict[str, Any], balanced: float | None,
                  auc: float | None) -> str | None:  # fmt: skip
    """A sentence when ``arm``'s accuracy is not shown above the majority rate (``test``: the comparison of its accuracy
    with the majority rate over the fits, as :func:`reglab.diagnosis.verify.compare` gives it)."""
    if test["significant"] and test["difference"] > 0:
        return None
    others = "; ".join(f"{name} {value:.3f}" for name, value in (("balanced accuracy", balanced), ("ROC AUC", auc)) if value is not None)
    return (f"The {arm} model's accuracy {accuracy:.3f} is within noise of the majority rate {majority:.3f} (always answering the most "
            f"frequent class; difference {test['difference']:+.3f}, p = {_p(test['p_value'])}): accuracy tells little here"
            + (f"; {others}." if others else "."))  # fmt: skip


def _p(p: float | None) -> str:
    return "n/a" if p is None else f"{p:.2g}"

