"""What a notebook user meets first: the package's names, the numbers a result holds, and statistics over seeds."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

import reglab
from reglab import DataConfig, RunConfig
from reglab.engine.state import reported
from reglab.errors import ConfigError


def test_dir_lists_the_public_names_only():
    names = dir(reglab)
    assert set(reglab.__all__) <= set(names)
    assert not [n for n in names if n not in reglab.__all__ and n != "__version__"], "a helper leaks into dir(reglab)"
    assert "importlib" not in names


def test_a_float32_metric_is_its_shortest_float32_repr():
    values = torch.tensor([49 / 50, 5 / 6, 1 / 3, 0.0, 1.0, math.nan, math.inf, 3e-7], dtype=torch.float32)
    got = reported(values)
    for value, float32 in zip(got, values.numpy()):
        assert isinstance(value, float)
        if math.isfinite(float32):
            assert value == float(str(float32))  # NumPy's shortest round-trip repr of the float32
            assert np.float32(value) == float32  # reads back as the same float32
    assert got[:2] == [0.98, 0.8333333]
    assert math.isnan(got[5]) and got[6] == math.inf
    assert reported(torch.tensor([0.1, 1 / 3], dtype=torch.float64)) == [0.1, 1 / 3]  # float64 untouched
    assert reported(torch.tensor([[0.5, 0.25]], dtype=torch.float32)) == [[0.5, 0.25]]


def test_a_float32_metric_order_is_kept():
    rng = np.random.default_rng(0)
    values = np.sort(rng.random(2000).astype(np.float32))
    got = np.asarray(reported(torch.from_numpy(values)))
    assert np.all(np.diff(got) >= 0)
    assert np.array_equal(np.diff(got) == 0, np.diff(values) == 0)


@pytest.fixture(scope="module")
def results():
    return reglab.train_runs(reglab.grid(RunConfig(hidden=(4,), epochs=3), DataConfig(n_samples=60), seeds=range(3)))


def test_results_reach_json_without_float32_artefacts(results):
    doc = results[0].to_dict()
    accuracy = doc["test"]["accuracy"]
    n_test = doc["rows"]["test"]
    assert accuracy == float(str(np.float32(round(accuracy * n_test) / n_test)))  # k/n as its float32's shortest repr
    assert len(json.dumps(accuracy)) <= 11  # e.g. 0.3888889, never 0.3888888955116272


def test_summarize_takes_what_train_runs_returns(results):
    summary = reglab.summarize(results)
    assert len(summary) == 1 and summary[0]["n_seeds"] == 3
    accuracies = [r.test["accuracy"] for r in results]
    assert summary[0]["test_accuracy"]["mean"] == pytest.approx(np.mean(accuracies))
    assert reglab.summarize(accuracies)["mean"] == pytest.approx(np.mean(accuracies))
    as_array = reglab.summarize(np.asarray(accuracies, dtype=np.float32))  # an array of NumPy scalars, as measures takes
    assert as_array["n"] == 3 and as_array["mean"] == pytest.approx(np.mean(accuracies), abs=1e-6)


@pytest.mark.parametrize("bad", ["moons", [], [0.5, "x"], 3, [True, False], {"a": 0.5}])
def test_summarize_refuses_what_it_cannot_take(bad):
    with pytest.raises(ConfigError, match="'values' parameter of summarize must be a list of RunResult .* or a list of numbers"):
        reglab.summarize(bad)


def test_the_conversions_of_lambda_follow_their_definitions():
    """PyTorch SGD's weight_decay wd adds wd·w to the gradient, L2(λ) adds 2λ·w: wd = 2λ. scikit-learn adds
    alpha/(2·batch)·Σw² per batch: alpha = 2λ·batch. The lecture's (λ'/2n)·Σw² = λ·Σw²: λ' = 2n·λ."""
    from reglab.regularizers import lecture_lambda_of, sklearn_alpha_of, weight_decay_of

    lam, batch, n = 0.01, 32, 350
    w = np.array([0.5, -2.0, 3.0])
    assert weight_decay_of(lam) * w == pytest.approx(2 * lam * w)  # the gradient of λ·Σw²
    assert sklearn_alpha_of(lam, batch) / (2 * batch) * np.sum(w**2) == pytest.approx(lam * np.sum(w**2))
    assert lecture_lambda_of(lam, n) / (2 * n) * np.sum(w**2) == pytest.approx(lam * np.sum(w**2))


def test_the_shortest_repr_agrees_with_numpys_on_every_magnitude():
    from reglab.engine.state import shortest_float32

    rng = np.random.default_rng(1)
    values = np.concatenate([
        rng.random(20000), rng.standard_normal(20000) * 10.0 ** rng.integers(-44, 38, 20000),
        np.arange(1, 2000) / np.arange(2000, 3999), [0.0, -0.0, np.inf, -np.inf, 1e-45, 3.4e38, 1 / 3, 2 / 3, 0.1],
    ]).astype(np.float32)  # fmt: skip
    expected = values.astype(str).astype(np.float64)  # NumPy's shortest round-trip repr of each float32
    assert np.array_equal(shortest_float32(values), expected)
    assert np.array_equal(shortest_float32(values.reshape(-1, 2)), expected.reshape(-1, 2))
    nan = shortest_float32(np.array([np.nan], dtype=np.float32))
    assert np.isnan(nan).all()
