"""The one NumPy forward pass (reglab.measures.forward) against the engine's torch pass, hand-worked values, and
the activations: every implementation keyed by name covers exactly reglab.rules.ACTIVATIONS."""

import math

import numpy as np
import pytest
import torch

from reglab.config import DataConfig, RunConfig
from reglab.data import load
from reglab.engine import StackedMLP, StackTrainer, ops
from reglab.measures.forward import ACTIVATION_FUNCTIONS, activate, forward_pass, output_link
from reglab.rules import ACTIVATIONS, TASKS

MOONS = DataConfig(dataset="moons", n_samples=60, noise=0.2, val_size=0.25)
BLOBS = DataConfig(dataset="blobs", n_samples=60, n_classes=3, noise=0.5)
REGRESSION = DataConfig(dataset="regression", n_samples=60, noise=0.1)
SHAPES = [(3, 1), (2, 5, 1), (3, 4, 2, 3)]  # no hidden layer; one; two, with three outputs


def test_every_activation_has_exactly_one_form_of_each_kind():
    assert tuple(ACTIVATION_FUNCTIONS) == ACTIVATIONS  # NumPy, for trained weights
    assert tuple(ops.ACTIVATION_FORWARD) == ACTIVATIONS  # torch, the engine's forward
    assert tuple(ops.ACTIVATION_BACKWARD) == ACTIVATIONS  # torch, the engine's derivatives


def test_activations_by_hand():
    z = np.array([[-1.0, 0.0, 1.0]])
    phi = 0.8413447460685429  # Φ(1)
    expected = {
        "relu": [[0.0, 0.0, 1.0]],
        "tanh": [[-math.tanh(1.0), 0.0, math.tanh(1.0)]],
        "sigmoid": [[1 / (1 + math.e), 0.5, 1 / (1 + math.exp(-1.0))]],
        "gelu": [[-(1 - phi), 0.0, phi]],
        "linear": [[-1.0, 0.0, 1.0]],
    }
    assert set(expected) == set(ACTIVATIONS)
    for name in ACTIVATIONS:
        np.testing.assert_allclose(activate(name, z), expected[name], rtol=1e-15, atol=1e-16)


def test_unknown_names_are_refused_with_the_choices():
    with pytest.raises(ValueError) as err:
        activate("elu", np.zeros(1))
    assert str(err.value) == "The 'activation' parameter must be one of relu, tanh, sigmoid, gelu, linear. Got 'elu' instead."
    with pytest.raises(ValueError) as err:
        forward_pass(np.zeros((1, 1)), [np.ones((1, 1))], [np.zeros(1)], "relu", "ranking")
    assert str(err.value) == f"The 'task' parameter must be one of {', '.join(TASKS)}. Got 'ranking' instead."
    with pytest.raises(ValueError) as err:
        forward_pass(np.zeros((1, 1)), [np.ones((1, 1))], [], "relu")
    assert str(err.value) == (
        "The 'kernels' and 'biases' parameters must be non-empty lists of equal length. Got 1 kernels and 0 biases instead."
    )


def test_a_network_worked_by_hand():
    """2 → 2 (tanh) → 1: h = tanh([1, −2]) for x = (1, 2); z = 2·h₁ + 5·h₂ − 1."""
    kernels = [np.array([[1.0, 0.0], [0.0, -1.0]]), np.array([[2.0], [5.0]])]
    biases = [np.zeros(2), np.array([-1.0])]
    result = forward_pass(np.array([[1.0, 2.0]]), kernels, biases, "tanh", "binary")
    np.testing.assert_allclose(result.hidden[0], [[math.tanh(1.0), math.tanh(-2.0)]], rtol=1e-15)
    z = 2 * math.tanh(1.0) + 5 * math.tanh(-2.0) - 1
    assert result.logits.tolist() == [[pytest.approx(z, rel=1e-15)]]
    assert result.outputs.tolist() == [pytest.approx(1 / (1 + math.exp(-z)), rel=1e-15)]
    plain = forward_pass(np.array([[1.0, 2.0]]), kernels, biases, "tanh")  # no task: no output link
    assert plain.outputs is plain.logits and plain.logits.tolist() == result.logits.tolist()


def test_output_links():
    z = np.array([[0.0, math.log(3.0)], [2.0, 2.0]])
    np.testing.assert_allclose(output_link("multiclass", z), [[0.25, 0.75], [0.5, 0.5]], rtol=1e-15)
    np.testing.assert_allclose(output_link("binary", z[:, :1]), [0.5, 1 / (1 + math.exp(-2.0))], rtol=1e-15)
    assert output_link("regression", z[:, :1]).tolist() == [0.0, 2.0]
    assert output_link("regression", z) is z


@pytest.mark.parametrize("private", [True, False], ids=["private", "fallback"])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_engine_activations_against_numpy_and_finite_differences(name, private, monkeypatch):
    if private and not (ops.GELU_OUT and ops.GRAD_INPUT):
        pytest.skip("this torch lacks the private operations")
    if not private:
        monkeypatch.setattr(ops, "GELU_OUT", False)
        monkeypatch.setattr(ops, "GRAD_INPUT", False)
    x = torch.linspace(-3.0, 3.0, 24, dtype=torch.float64).add_(0.01).view(2, 3, 4)  # away from ReLU's kink
    pre = x.clone()
    out = torch.empty_like(x) if name == "gelu" else pre  # as the engine's workspace: in place but for GELU
    ops.activation_(name, pre, out)
    np.testing.assert_allclose(out.numpy(), ACTIVATION_FUNCTIONS[name](x.numpy()), rtol=1e-12, atol=1e-15)
    grad = torch.linspace(0.5, 2.0, 24, dtype=torch.float64).view(2, 3, 4)
    result = torch.empty_like(x)
    ops.activation_backward_(name, grad, out, x if name == "gelu" else out, result)
    step = 1e-6
    numeric = (ACTIVATION_FUNCTIONS[name](x.numpy() + step) - ACTIVATION_FUNCTIONS[name](x.numpy() - step)) / (2 * step)
    np.testing.assert_allclose(result.numpy(), grad.numpy() * numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("sizes", SHAPES, ids=str)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_engines_forward_is_the_numpy_forward(activation, sizes):
    """A float64 stack of three models with random weights and biases: outputs, hidden layers and links to 1e-12."""
    stack = StackedMLP(sizes, 3, activation, dtype=torch.float64)
    generator = torch.Generator().manual_seed(len(sizes))
    stack.params.copy_(torch.randn(stack.params.shape, generator=generator, dtype=torch.float64))
    x = torch.randn(3, 7, sizes[0], generator=generator, dtype=torch.float64)
    ws = stack.workspace(7, dropout=False)
    out = stack.forward(x, ws)
    task = "binary" if sizes[-1] == 1 else "multiclass"
    link = torch.sigmoid(out[:, :, 0]) if task == "binary" else torch.softmax(out, dim=2)
    for m in range(3):
        kernels, biases = stack.model_arrays(m)
        result = forward_pass(x[m].numpy(), kernels, biases, activation, task)
        np.testing.assert_allclose(result.logits, out[m].numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(result.outputs, link[m].numpy(), rtol=1e-12, atol=1e-12)
        assert len(result.hidden) == len(ws.act)
        for mine, engine in zip(result.hidden, ws.act):
            np.testing.assert_allclose(mine, engine[m].numpy(), rtol=1e-12, atol=1e-12)
    assert float(out.abs().max()) > 0.1  # outputs that say something, not zeros compared with zeros


@pytest.mark.parametrize("activation, data", [(a, (MOONS, BLOBS, REGRESSION)[k % 3]) for k, a in enumerate(ACTIVATIONS)])
def test_a_trained_stack_scores_as_the_numpy_forward_predicts(activation, data):
    """Two epochs (of five) of three runs in float64; then the trainer's forward and scores against the NumPy pass on its weights."""
    split = load(data)
    configs = [RunConfig(hidden=(5, 4), epochs=5, batch_size=16, activation=activation, lr=0.05, seed=s) for s in range(3)]
    trainer = StackTrainer(configs, [split] * 3, dtype=torch.float64)
    for _ in zip(range(2), trainer.epochs()):
        pass
    x = torch.from_numpy(split.X_train.astype(np.float64))
    out = trainer.stack.forward(x.expand(3, -1, -1).contiguous())
    scores = trainer.evaluate("train")
    for m in range(3):
        kernels, biases = trainer.stack.model_arrays(m)
        assert max(float(np.abs(b).max()) for b in biases) > 0  # trained: the biases moved from zero
        result = forward_pass(split.X_train, kernels, biases, activation, split.task)
        np.testing.assert_allclose(result.logits, out[m].numpy(), rtol=1e-12, atol=1e-12)
        if split.task == "regression":
            mse = np.mean((result.outputs - split.y_train) ** 2)
            assert float(scores["data_loss"][m]) == pytest.approx(mse, rel=1e-12)
        else:
            labels = (result.outputs >= 0.5).astype(int) if split.task == "binary" else result.outputs.argmax(axis=1)
            assert float(scores["accuracy"][m]) == np.mean(labels == split.y_train)
