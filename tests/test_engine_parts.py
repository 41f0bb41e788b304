"""The engine's parts on their own: private torch operations against their fallbacks, coefficients worked out
by hand, the penalty against NumPy, the one stacking rule, and sweep plans."""

import numpy as np
import pytest
import torch

from reglab.config import DataConfig, RunConfig
from reglab.data import load
from reglab.engine import StackTrainer, ops, stack_key
from reglab.engine.coefficients import Coefficients
from reglab.engine.objective import penalty_value
from reglab.errors import ConfigError
from reglab.measures import dead_relu_units
from reglab.regularizers import L1, L1L2, L2, NoPenalty, penalized_parameters
from reglab.regularizers import penalty_value as numpy_penalty_value
from reglab.rules import ACTIVATIONS
from reglab.runs import Run, group_runs, plan_stacks, train_runs

MOONS = DataConfig(dataset="moons", n_samples=80, noise=0.2, val_size=0.25)
REGRESSION = DataConfig(dataset="regression", n_samples=80, noise=0.1)
PRIVATE = ops.FUSED_ADAM and ops.GELU_OUT and ops.GRAD_INPUT


def small(**kw):
    return RunConfig(**{"hidden": (6, 5), "epochs": 3, "batch_size": 16, **kw})


def trained_weights(activation: str, data: DataConfig) -> list[np.ndarray]:
    """Every weight after a few epochs of Adam in float64: three learning rates in one stack, then one alone."""
    penalties = [(L2(lam=0.01), "proximal"), (L1(lam=0.01), "proximal"), (L1L2(l1=0.01, l2=0.02), "subgradient")]
    configs = [small(activation=activation, lr=0.01 * (s + 1), penalty=p, l1_method=m, seed=s) for s, (p, m) in enumerate(penalties)]
    split = load(data)
    outcomes = list(StackTrainer(configs, [split] * 3, dtype=torch.float64).run().values())
    outcomes += list(StackTrainer([small(activation=activation, dropout=0.2)], [split], dtype=torch.float64).run().values())
    return [w for o in outcomes for w in o.kernels + o.biases]


@pytest.mark.skipif(not PRIVATE, reason="this torch lacks the private operations: only the fallbacks exist")
@pytest.mark.parametrize("activation, data", [(a, (MOONS, REGRESSION)[k % 2]) for k, a in enumerate(ACTIVATIONS)])
def test_plain_torch_fallbacks_train_like_the_private_operations(activation, data, monkeypatch):
    private = trained_weights(activation, data)
    for flag in ("FUSED_ADAM", "GELU_OUT", "GRAD_INPUT"):
        monkeypatch.setattr(ops, flag, False)
    fallback = trained_weights(activation, data)
    assert max(float(np.abs(a).max()) for a in private) > 0.1  # weights that moved, not an empty comparison
    for a, b in zip(private, fallback, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


def test_coefficients_by_hand():
    configs = [
        RunConfig(hidden=(4, 3), optimizer="sgd", lr=0.1, momentum=0.9, penalty=L1L2(l1=0.2, l2=0.3), weight_decay=0.5, dropout=0.25),
        RunConfig(
            hidden=(4, 3), optimizer="sgd", lr=0.2, penalty=L1(lam=0.4), l1_method="subgradient", regularize_output=True, input_noise=0.1
        ),
    ]
    c = Coefficients.from_configs(configs, 3, torch.float64, "cpu")
    values = lambda columns: np.array([t.view(-1).tolist() for t in columns])  # noqa: E731
    # layers: two hidden kernels, then the output kernel (penalised for the second model only)
    np.testing.assert_allclose(values(c.l2x2), [[0.6, 0.0], [0.6, 0.0], [0.0, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(values(c.l1_sub), [[0.0, 0.4], [0.0, 0.4], [0.0, 0.4]], rtol=1e-15)
    np.testing.assert_allclose(values(c.l1_prox), [[0.02, 0.0], [0.02, 0.0], [0.0, 0.0]], rtol=1e-15)  # lr·l1, proximal only
    np.testing.assert_allclose(values(c.decay), [[0.95, 1.0], [0.95, 1.0], [1.0, 1.0]], rtol=1e-15)  # 1 − lr·wd on penalised kernels
    np.testing.assert_allclose(values(c.l1), [[0.2, 0.4], [0.2, 0.4], [0.0, 0.4]], rtol=1e-15)
    np.testing.assert_allclose(values(c.l2), [[0.3, 0.0], [0.3, 0.0], [0.0, 0.0]], rtol=1e-15)
    assert c.lr.view(-1).tolist() == [0.1, 0.2] and c.uniform_lr is None
    assert c.drop_scale.view(-1).tolist() == pytest.approx([4 / 3, 1.0]) and c.momentum.view(-1).tolist() == [0.9, 0.0]
    assert (c.dropout, c.noise) == ((0.25, 0.0), (0.0, 0.1))
    assert (c.any_l1_prox, c.any_decay, c.any_l2) == ((True, True, False), (True, True, False), (True, True, False))
    assert c.any_dropout and c.any_noise and c.any_momentum
    same_lr = Coefficients.from_configs([small(lr=0.003), small(lr=0.003)], 3, torch.float32, "cpu")
    assert same_lr.uniform_lr == float(torch.tensor(0.003, dtype=torch.float32))  # the rate the stack's dtype holds


def test_penalty_value_matches_numpy():
    configs = [small(penalty=p, regularize_output=(k == 2), seed=k) for k, p in enumerate([NoPenalty(), L2(lam=0.3), L1L2(l1=0.1, l2=0.4)])]
    trainer = StackTrainer(configs, [load(MOONS)] * 3, dtype=torch.float64)
    got = penalty_value(trainer.stack.kernels, trainer.coefficients).tolist()
    for k, config in enumerate(configs):
        kernels_k = trainer.stack.model_arrays(k)[0]
        expected = numpy_penalty_value(kernels_k, config.penalty, penalized_parameters(3, config.regularize_output))
        assert got[k] == pytest.approx(expected, rel=1e-12, abs=0.0)
    assert got[0] == 0.0 and got[2] > got[1] > 0


def test_one_rule_groups_runs_and_checks_stacks():
    # same training rows (80), different test rows: the data cannot share a stack's concatenated test part
    short_test = DataConfig(dataset="moons", n_samples=100, test_size=0.2)
    long_test = DataConfig(dataset="moons", n_samples=160, test_size=0.5)
    configs = [small(), small(optimizer="adamw", seed=1), small(), small(optimizer="sgd")]
    runs = [Run(c, d) for c, d in zip(configs, [short_test, short_test, long_test, short_test])]
    plan = plan_stacks(runs)
    assert plan.splits[0].X_train.shape == plan.splits[2].X_train.shape
    assert plan.groups == group_runs(runs) == [[0, 1], [2], [3]]
    assert stack_key(runs[0].config, plan.splits[0]) == stack_key(runs[1].config, plan.splits[1])
    with pytest.raises(ValueError) as info:
        StackTrainer([runs[0].config, runs[2].config], [plan.splits[0], plan.splits[2]])
    assert str(info.value) == "All runs of a stack must share architecture, optimizer family, epochs, batch size and data shapes."


def test_patience_needs_validation_data():
    with pytest.raises(ConfigError) as info:
        StackTrainer([small(patience=3)], [load(DataConfig(dataset="moons", n_samples=80))])
    assert str(info.value) == "The 'patience' parameter (3) needs validation data: set val_size > 0. Got val_size=0.0 instead."


def test_plan_loads_each_data_once_and_results_keep_their_split(monkeypatch):
    runs = [Run(small(seed=s), MOONS) for s in range(2)] + [Run(small(hidden=(4,), epochs=2), REGRESSION)]
    plan = plan_stacks(runs)
    assert plan.groups == [[0, 1], [2]] and plan.epochs == [3, 2]
    assert plan.splits[0] is plan.splits[1] is load(MOONS)
    seen = []
    results = train_runs(runs, plan, on_epoch=lambda g, report: seen.append((g, report.epoch)))
    assert seen == [(0, 1), (0, 2), (0, 3), (1, 1), (1, 2)]
    assert results[0].split is plan.splits[0] and results[2].split is plan.splits[2]
    monkeypatch.setattr("reglab.runs.results.load", lambda data: pytest.fail("to_dict loaded the data again"))
    doc = results[0].to_dict()
    expected = dead_relu_units(plan.splits[0].X_train, results[0].kernels, results[0].biases, "relu")
    assert [w["dead_units"] for w in doc["weights"]] == [*expected, None]
    assert repr(results[0]).count("X_train") == 0  # the split stays out of a result's repr


def test_active_lists_training_runs_and_cannot_be_changed_from_outside():
    trainer = StackTrainer([small(seed=s) for s in range(3)], [load(MOONS)] * 3)
    trainer.active.append(7)
    assert trainer.active == [0, 1, 2]
    next(trainer.epochs())
    trainer.prune(1)
    assert trainer.active == [0, 2] and trainer.positions([2]).tolist() == [1]
    with pytest.raises(ValueError) as info:
        trainer.prune(1)
    assert str(info.value) == "Run 1 is not training (finished or unknown); active runs: [0, 2]."
