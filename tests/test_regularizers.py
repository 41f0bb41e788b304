import json
import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from reglab.config import RunConfig, config_error
from reglab.regularizers import (
    L1,
    L1L2,
    L2,
    NoPenalty,
    Regularizer,
    make_regularizer,
    penalized_parameters,
    penalty_gradient,
    penalty_value,
    soft_threshold,
)

RNG = np.random.default_rng(0)
KERNELS = [RNG.normal(size=(2, 5)), RNG.normal(size=(5, 4)), RNG.normal(size=(4, 1))]


@pytest.mark.parametrize(
    "penalty, expected",
    [
        (L1(lam=0.1), lambda ws: 0.1 * sum(np.abs(w).sum() for w in ws)),
        (L2(lam=0.1), lambda ws: 0.1 * sum((w**2).sum() for w in ws)),
        (L1L2(l1=0.2, l2=0.05), lambda ws: sum(0.2 * np.abs(w).sum() + 0.05 * (w**2).sum() for w in ws)),
        (NoPenalty(), lambda ws: 0.0),
    ],
)
def test_penalty_value_matches_keras_formula(penalty, expected):
    flags = penalized_parameters(3)
    assert penalty_value(KERNELS, penalty, flags) == pytest.approx(expected(KERNELS[:2]), rel=1e-12)


def test_penalty_gradient_matches_finite_differences():
    w = RNG.normal(size=(3, 4))
    penalty = L1L2(l1=0.3, l2=0.7)
    eps = 1e-6
    numeric = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        up, down = w.copy(), w.copy()
        up[idx] += eps
        down[idx] -= eps
        numeric[idx] = (penalty_value([up], penalty, [True]) - penalty_value([down], penalty, [True])) / (2 * eps)
    np.testing.assert_allclose(penalty_gradient(w, penalty), numeric, rtol=1e-6, atol=1e-8)


def test_penalized_parameters_hidden_only_by_default():
    assert penalized_parameters(3) == [True, True, False]
    assert penalized_parameters(3, regularize_output=True) == [True, True, True]
    assert penalized_parameters(1) == [False]


def test_soft_threshold_gives_exact_zeros():
    w = np.array([-0.3, -0.05, 0.0, 0.02, 0.5])
    shrunk = soft_threshold(w, 0.1)
    np.testing.assert_allclose(shrunk, [-0.2, 0.0, 0.0, 0.0, 0.4], rtol=1e-15)
    assert np.count_nonzero(shrunk == 0.0) == 3


@pytest.mark.parametrize("penalty", [NoPenalty(), L1(lam=0.1), L2(lam=1e-4), L1L2(l1=0.01, l2=0.02)])
def test_config_round_trip(penalty):
    adapter = TypeAdapter(Regularizer)
    text = json.dumps(adapter.dump_python(penalty, mode="json", by_alias=True))
    assert adapter.validate_python(json.loads(text)) == penalty
    config = RunConfig(penalty=penalty)
    assert RunConfig.model_validate_json(config.model_dump_json(by_alias=True)) == config


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: L2(lam=-0.1), "The 'lam' parameter of L2 must be a finite float >= 0. Got -0.1 instead."),
        (lambda: L1(lam=math.nan), "The 'lam' parameter of L1 must be a finite float >= 0. Got nan instead."),
        (lambda: L2(lam="x"), "The 'lam' parameter of L2 must be a finite float >= 0. Got 'x' instead."),
        (lambda: L1L2(l1=0.1, l2=math.inf), "The 'l2' parameter of L1L2 must be a finite float >= 0. Got inf instead."),
    ],
)
def test_invalid_strength_is_refused(build, message):
    with pytest.raises(ValidationError) as info:
        build()
    assert config_error(info.value) == message


def test_make_regularizer():
    assert make_regularizer("l2", 0.5) == L2(lam=0.5)
    assert make_regularizer("l1l2", 0.5) == L1L2(l1=0.5, l2=0.5)
    assert make_regularizer("l1l2", l1=0.1, l2=0.2) == L1L2(l1=0.1, l2=0.2)
    assert make_regularizer("none") == NoPenalty()
    with pytest.raises(ValueError) as info:
        make_regularizer("l3", 0.1)
    assert str(info.value) == "The 'penalty' parameter must be one of none, l1, l2, l1l2. Got 'l3' instead."
