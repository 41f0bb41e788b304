"""Scores on a large fresh sample of the generator (reglab.measures.population), against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_squared_error, r2_score

from reglab.config import DataConfig, RunConfig
from reglab.data import load
from reglab.measures.ceiling import bayes_accuracy
from reglab.measures.population import fresh_sample, fresh_seed, population_scores
from reglab.runs import train


def forward(X, kernels, biases):
    """The MLP's raw output, written out with NumPy (ReLU hidden layers)."""
    h = X
    for w, b in zip(kernels[:-1], biases[:-1]):
        h = np.maximum(h @ w + b, 0.0)
    return h @ kernels[-1] + biases[-1]


@pytest.mark.parametrize("name, noise, classes", [("moons", 0.3, 2), ("xor", 0.15, 2), ("circles", 0.1, 2), ("blobs", 0.5, 3)])
def test_the_bayes_rule_on_the_fresh_sample_scores_the_bayes_accuracy(name, noise, classes):
    X, y, bayes = fresh_sample(name, noise, classes, 0)
    assert X.shape == (20_000, 2) and set(np.unique(y)) == set(range(classes))
    expected = bayes_accuracy(name, noise, classes, 0)
    assert abs(np.mean(bayes == y) - expected) < 3 * np.sqrt(expected * (1 - expected) / len(y)) + 0.002


def test_the_fresh_sample_shares_no_point_with_training():
    data = DataConfig(dataset="moons", n_samples=200, seed=3)
    split = load(data)
    X, _, _ = fresh_sample("moons", 0.3, 3, 3)
    seen = {tuple(np.round(p, 12)) for p in np.vstack([split.X_train, split.X_test]) * split.x_scale + split.x_mean}
    assert not seen & {tuple(np.round(p, 12)) for p in X}
    assert not np.array_equal(fresh_sample("moons", 0.3, 3, 4)[0], X)  # each data seed its own sample
    assert all(fresh_seed(s) >= 2**31 for s in (0, 9_999, 2**31 - 1)) and fresh_seed(2**32 - 1) == 2**31 - 1


@pytest.mark.parametrize("dataset", ["moons", "blobs"])
def test_a_models_population_scores_match_an_independent_computation(dataset):
    data = DataConfig(dataset=dataset, n_samples=120, seed=1)
    result = train(RunConfig(hidden=(8,), epochs=20), data)
    split = load(data)
    scores = population_scores(data, result.task, result.kernels, result.biases, "relu", split.transform)
    X, y, bayes = fresh_sample(dataset, 0.3, 3, 1)
    z = forward(split.transform(X), result.kernels, result.biases)
    if result.task == "binary":
        p = 1 / (1 + np.exp(-z[:, 0]))
        expected_loss, labels = log_loss(y, p), (p >= 0.5).astype(int)
    else:
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        expected_loss, labels = log_loss(y, p), p.argmax(axis=1)
    assert scores["n"] == 20_000
    assert scores["accuracy"] == pytest.approx(np.mean(labels == y), abs=1e-12)
    assert scores["data_loss"] == pytest.approx(expected_loss, rel=1e-9)
    assert scores["bayes_accuracy"] == np.mean(bayes == y)
    # the lecture scores in float32, the precision the model trained in: its metrics are float64's to float32 rounding
    single = population_scores(data, result.task, result.kernels, result.biases, "relu", split.transform, dtype=np.float32)
    assert single["data_loss"] == pytest.approx(scores["data_loss"], rel=1e-5)
    close = np.abs(z[:, 0]) > 1e-4 if result.task == "binary" else np.ones(len(y), bool)  # points on the 0.5 line may flip
    assert abs(single["accuracy"] - scores["accuracy"]) <= (np.sum(~close) + 1) / scores["n"]


def test_regression_scores_in_the_targets_units():
    data = DataConfig(dataset="regression", n_samples=120, noise=0.2)
    result = train(RunConfig(hidden=(8,), epochs=20), data)
    split = load(data)
    scores = population_scores(data, "regression", result.kernels, result.biases, "relu", split.transform,
                               target_scale=(split.y_mean, split.y_scale))  # fmt: skip
    X, y, bayes = fresh_sample("regression", 0.2, 3, 0)
    predicted = forward(split.transform(X), result.kernels, result.biases)[:, 0] * split.y_scale + split.y_mean
    assert scores["r2"] == pytest.approx(r2_score(y, predicted), rel=1e-9)
    assert scores["rmse"] == pytest.approx(np.sqrt(mean_squared_error(y, predicted)), rel=1e-9)
    assert scores["bayes_r2"] == pytest.approx(r2_score(y, bayes), rel=1e-9)


def test_data_that_cannot_be_drawn_again_has_no_population_score():
    result = train(RunConfig(hidden=(4,), epochs=2), DataConfig(dataset="breast_cancer"))
    assert population_scores(result.data, result.task, result.kernels, result.biases, "relu") is None
