"""reglab against PyTorch's own optimisers and losses: the conversions stated in the docs hold.

Full-batch training, so that both sides see the same batches; float64 so that what remains is rounding.
"""

import numpy as np
import pytest
import torch

from reglab.config import DataConfig, RunConfig
from reglab.data import load
from reglab.engine import StackTrainer
from reglab.regularizers import L1, L2, NoPenalty

DATA = DataConfig(dataset="moons", n_samples=60, noise=0.2)
STEPS = 15


def reference(config: RunConfig, optimizer, trainer: StackTrainer, penalty_in_loss: bool) -> list[np.ndarray]:
    """The same MLP as torch.nn, from reglab's initial weights, trained with ``optimizer(groups)``.

    The penalty goes into the loss, or (``penalty_in_loss=False``) is left to the optimiser's own
    ``weight_decay`` on the hidden kernels' group.
    """
    (kernels, biases) = trainer.stack.model_arrays(0)
    layers = [torch.nn.Linear(k.shape[0], k.shape[1]).double() for k in kernels]
    for layer, k, b in zip(layers, kernels, biases):
        layer.weight.data = torch.tensor(k.T)
        layer.bias.data = torch.tensor(b)
    split = load(DATA)
    X, y = torch.tensor(split.X_train, dtype=torch.float64), torch.tensor(split.y_train, dtype=torch.float64)
    hidden = [layer.weight for layer in layers[:-1]]
    others = [layers[-1].weight] + [layer.bias for layer in layers]
    opt = optimizer([{"params": hidden}, {"params": others, "weight_decay": 0.0}])
    for _ in range(STEPS):
        opt.zero_grad()
        a = X
        for layer in layers[:-1]:
            a = torch.relu(layer(a))
        loss = torch.nn.functional.binary_cross_entropy_with_logits(layers[-1](a)[:, 0], y)
        p = config.penalty if penalty_in_loss else NoPenalty()
        loss = loss + sum(p.l1 * w.abs().sum() + p.l2 * (w**2).sum() for w in hidden)
        loss.backward()
        opt.step()
    return [layer.weight.detach().numpy().T for layer in layers]


CASES = [
    # reglab config, the PyTorch optimiser that must give the same weights, penalty in PyTorch's loss
    # L2(λ) is PyTorch SGD's weight_decay = 2λ, with and without momentum
    (dict(optimizer="sgd", lr=0.3, penalty=L2(lam=0.02)), lambda g: torch.optim.SGD(g, lr=0.3, weight_decay=0.04), False),
    (
        dict(optimizer="sgd", lr=0.3, momentum=0.9, penalty=L2(lam=0.02)),
        lambda g: torch.optim.SGD(g, lr=0.3, momentum=0.9, weight_decay=0.04),
        False,
    ),
    (dict(optimizer="adam", lr=0.01, penalty=L2(lam=0.02)), lambda g: torch.optim.Adam(g, lr=0.01), True),
    (dict(optimizer="adam", lr=0.01, penalty=L1(lam=0.01), l1_method="subgradient"), lambda g: torch.optim.Adam(g, lr=0.01), True),
    (dict(optimizer="adamw", lr=0.01, weight_decay=0.1), lambda g: torch.optim.AdamW(g, lr=0.01, weight_decay=0.1), True),
    (dict(optimizer="adam", lr=0.01, penalty=NoPenalty()), lambda g: torch.optim.Adam(g, lr=0.01), True),
]


@pytest.mark.parametrize("changes, optimizer, penalty_in_loss", CASES)
def test_same_weights_as_pytorch(changes, optimizer, penalty_in_loss):
    config = RunConfig(hidden=(6, 5), epochs=STEPS, batch_size=None, **changes)
    trainer = StackTrainer([config], [load(DATA)], dtype=torch.float64)
    expected = reference(config, optimizer, trainer, penalty_in_loss)
    got = trainer.run()[0].kernels
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_sklearn_alpha_is_two_lambda_batch_size():
    """scikit-learn's MLP adds alpha/(2·batch)·Σw² over *all* kernels, the output's included:
    alpha = 2λ·batch_size equals reglab's L2(λ) with --regularize-output."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    lam, lr = 0.01, 0.2
    config = RunConfig(hidden=(6, 5), optimizer="sgd", lr=lr, epochs=STEPS, batch_size=None, penalty=L2(lam=lam), regularize_output=True)
    trainer = StackTrainer([config], [load(DATA)], dtype=torch.float64)
    kernels, biases = trainer.stack.model_arrays(0)
    split = load(DATA)
    n = len(split.X_train)
    clf = MLPClassifier(hidden_layer_sizes=(6, 5), solver="sgd", alpha=2 * lam * n, batch_size=n, learning_rate_init=lr,
                        momentum=0.0, shuffle=False, max_iter=1, random_state=0)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.partial_fit(split.X_train, split.y_train, classes=[0, 1])
        clf.coefs_ = [k.copy() for k in kernels]
        clf.intercepts_ = [b.copy() for b in biases]
        clf._optimizer.params = clf.coefs_ + clf.intercepts_
        clf._optimizer.velocities = [np.zeros_like(p) for p in clf._optimizer.params]
        for _ in range(STEPS):
            clf.partial_fit(split.X_train, split.y_train)
    for a, b in zip(trainer.run()[0].kernels, clf.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
