"""Scores on the population: a large fresh sample of the generator a model was trained on.

A test split of a few dozen points measures the split's luck more than the model (60 test points: one point is
0.017 of accuracy, and three seeds of one easy split can all sit above the Bayes ceiling). reglab's 2-D generators
draw as many new points as wanted, so for data from a generator a model is also scored on a fresh sample of
:data:`POPULATION_SIZE` points (20,000: the standard error of an accuracy there is at most 0.0035), drawn from the
same generator and noise with the seed :func:`fresh_seed` of the data's (``(seed + 2³¹) mod 2³²``: never the data's
own, and for every seed below 2³¹, which sweeps of up to 10,000 seeds from any start below 2³¹ − 10,000 use, a
seed no training split of them draws). The small held-out parts keep the jobs a method gives them (early stopping, choosing λ).

The Bayes rule is scored on the same points: for classification ``argmax_k p_k(x)`` with the generator's class
densities (:func:`reglab.measures.ceiling.class_densities`), for the 'regression' generator the noise-free function
``E[y | x] = sin(2·x₀) + ½·x₁²``. It is the best any model can do *on this very sample*, the yardstick to read a
model's score against (the Bayes ceiling itself is its expectation over samples).

Metrics: accuracy and the mean cross-entropy (natural log; binary: of P(class 1), multiclass: of the softmax) for
classification; R² and RMSE in the target's units for regression. Predictions come from the model's weights in
float64 by default (:func:`reglab.measures.forward.forward_pass`, as :func:`reglab.measures.boundary.predict_proba`;
float32 on request), inputs scaled as in training (``transform``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np

from reglab.config import DataConfig
from reglab.measures.ceiling import CEILING_DATASETS, blob_centres, class_densities
from reglab.measures.forward import forward_pass

__all__ = ["POPULATION_DATASETS", "POPULATION_SIZE", "fresh_sample", "fresh_seed", "population_scores"]

POPULATION_SIZE = 20_000  # points of the fresh sample
HALF_SEEDS = 2**31  # the fresh sample of data seed s is drawn with seed (s + HALF_SEEDS) mod 2**32 (see fresh_seed)
POPULATION_DATASETS = (*CEILING_DATASETS, "regression")  # generators whose population reglab can score on
_EPS = 1e-12  # probabilities are clipped to [ε, 1 − ε] in the cross-entropy, as scikit-learn's log_loss does


def fresh_seed(seed: int) -> int:
    """The seed of data seed ``seed``'s fresh sample: the other half of the 32-bit seeds."""
    return (seed + HALF_SEEDS) % 2**32


@functools.lru_cache(maxsize=16)
def fresh_sample(name: str, noise: float, n_classes: int, seed: int, n: int = POPULATION_SIZE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, y, bayes)``: ``n`` raw points of generator ``name`` drawn with seed :func:`fresh_seed` of ``seed``, their labels
    (targets), and the Bayes rule's prediction at each point. Cached: every model of a data seed shares its sample.

    blobs draws its centres from the data seed: its fresh points lie around the centres of seed ``seed`` (classes
    equally likely, the generator's spread), drawn from the fresh seed."""
    from reglab.data import make_dataset

    if name == "blobs":
        rng = np.random.default_rng(fresh_seed(seed))
        y = rng.integers(0, n_classes, n)
        X = blob_centres(n_classes, seed)[y] + (1.0 + 3.0 * noise) * rng.standard_normal((n, 2))
    else:
        X, y = make_dataset(name, n, noise, fresh_seed(seed), n_classes)
    if name == "regression":
        bayes = np.sin(2.0 * X[:, 0]) + 0.5 * X[:, 1] ** 2
    elif noise > 0:
        bayes = np.argmax(class_densities(name, X, noise, n_classes, seed), axis=1)
    else:
        bayes = y.copy()  # without noise the generators' classes are separable: the Bayes rule is always right
    for a in (X, y, bayes):
        a.setflags(write=False)
    return X, y, bayes


def population_scores(
    data: DataConfig,
    task: str,
    kernels: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    activation: str,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
    *,
    target_scale: tuple[float, float] = (0.0, 1.0),
    n: int = POPULATION_SIZE,
    dtype: type = np.float64,
) -> dict[str, float] | None:
    """The model's scores on the fresh sample of ``data``'s generator, beside the Bayes rule's on the same points;
    None when the data is not from a generator reglab can draw again (a CSV file, a shipped dataset).

    ``transform`` maps raw inputs to the model's (the training split's standardisation; None: raw);
    ``target_scale`` is ``(y_mean, y_scale)`` of a regression split, so that predictions return to the target's units.
    Classification gives ``n, accuracy, data_loss, bayes_accuracy``; regression ``n, r2, rmse, data_loss, bayes_r2``
    (``data_loss``: the mean square error in scaled units, as training reports it).

    ``dtype`` is the precision of the network's layers (the outputs become probabilities in float64 either way):
    ``np.float32``, the precision the model trained in, is the cheaper (the lecture scores hundreds of models);
    its metrics differ from float64's by about 1e-7, and a point changes class only where P(class 1) is 0.5 to
    within that."""
    if data.dataset not in POPULATION_DATASETS or (data.dataset == "regression") != (task == "regression"):
        return None
    X, y, bayes = fresh_sample(data.dataset, float(data.noise), int(data.n_classes), int(data.seed), int(n))
    inputs = transform(X) if transform is not None else X
    out = forward_pass(inputs, kernels, biases, activation, task, dtype=dtype).outputs
    if task == "regression":
        y_mean, y_scale = target_scale
        predicted = out * y_scale + y_mean
        return {"n": n, **_regression(y, predicted, y_mean, y_scale), "bayes_r2": _r2(y, bayes)}
    if task == "binary":
        p = np.clip(out, _EPS, 1 - _EPS)
        loss = -np.mean(y * np.log(p) + (1 - y) * np.log1p(-p))
        labels = (out >= 0.5).astype(np.int64)
    else:
        p = np.clip(out[np.arange(len(y)), y], _EPS, 1.0)
        loss = -np.mean(np.log(p))
        labels = np.argmax(out, axis=1)
    return {"n": n, "accuracy": float(np.mean(labels == y)), "data_loss": float(loss), "bayes_accuracy": float(np.mean(bayes == y))}


def _r2(y: np.ndarray, predicted: np.ndarray) -> float:
    total = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - float(np.sum((y - predicted) ** 2)) / total if total > 0 else math.nan


def _regression(y: np.ndarray, predicted: np.ndarray, y_mean: float, y_scale: float) -> dict[str, float]:
    residual = y - predicted
    rmse = float(np.sqrt(np.mean(residual**2)))
    return {"r2": _r2(y, predicted), "rmse": rmse, "data_loss": float(np.mean((residual / y_scale) ** 2))}
