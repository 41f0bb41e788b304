"""Recommend: the chosen settings in reglab's convention, and as code for Keras, PyTorch and scikit-learn.

reglab's convention is Keras's: ``L2(λ)`` adds ``λ·Σw²`` and ``L1(λ)`` adds ``λ·Σ|w|`` to the batch-mean
data loss, over the hidden kernels only (never a bias, nor the output kernel unless asked). So:

* Keras: ``kernel_regularizer=regularizers.l2(λ)`` on each hidden ``Dense``, ``Dropout(rate)`` after it;
* PyTorch: the same penalty added to the loss over the hidden kernels; for L2 equivalently
  ``weight_decay = 2λ`` in ``torch.optim.Adam``/``SGD`` (coupled L2: it adds ``2λw`` to the gradient) on
  a parameter group of those kernels alone, biases and output in a group with ``weight_decay = 0``;
* scikit-learn: ``alpha = 2λ·batch_size`` (its penalty is ``alpha/(2·batch)·Σw²``), which also penalises
  the output layer; it has no L1 and no dropout.

The PyTorch and scikit-learn snippets run as printed given NumPy arrays ``X_train, y_train, X_val,
y_val`` (standardised features; class indices, or numbers for regression); the Keras one needs Keras 3.
"""

from __future__ import annotations

from typing import Any

from reglab.config import RunConfig
from reglab.diagnosis.advice import REGULARIZE
from reglab.regularizers import CONVENTION, LAMBDA_KINDS, sklearn_alpha_of, weight_decay_of
from reglab.rules import VALIDATION_FRACTION

__all__ = ["advised", "recommendation", "snippets"]

# each of reglab.rules.ACTIVATIONS and OPTIMIZERS in the other libraries' words (a test holds the keys to those names)
TORCH_ACTIVATIONS = {"relu": "nn.ReLU()", "tanh": "nn.Tanh()", "sigmoid": "nn.Sigmoid()", "gelu": "nn.GELU()", "linear": "nn.Identity()"}
SKLEARN_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic", "gelu": "relu", "linear": "identity"}  # no GELU there
KERAS_OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}
TORCH_OPTIMIZERS = {"sgd": "torch.optim.SGD", "adam": "torch.optim.Adam", "adamw": "torch.optim.AdamW"}


def recommendation(config: RunConfig, batch_size: int) -> dict[str, Any]:
    """The chosen settings in reglab's convention, with the conversions to other libraries."""
    p = config.penalty
    strengths = {"l1": p.l1, "l2": p.l2} if p.kind == "l1l2" else ({"lam": p.lam} if p.kind in LAMBDA_KINDS else {})
    return {
        "penalty": p.kind, **strengths, "dropout": config.dropout,
        "early_stopping": None if config.patience is None else {"patience": config.patience, "restore_best_weights": True},
        "where": ("the hidden kernels and the output kernel" if config.regularize_output else "the hidden kernels only") + "; never a bias",
        "convention": CONVENTION,
        "pytorch_weight_decay": weight_decay_of(p.l2) if p.l2 else None,
        "sklearn_alpha": sklearn_alpha_of(p.l2, batch_size) if p.l2 else 0.0,
        "reglab": f"--penalty {p.kind}" + "".join(f" --{k} {v:g}" for k, v in strengths.items()) + f" --dropout {config.dropout:g}"
        + (f" --patience {config.patience}" if config.patience else ""),
    }  # fmt: skip


def advised(decision: str, reason: str, config: RunConfig, batch_size: int) -> dict[str, Any]:
    """The recommendation: the decision and its reason, with the settings only when the decision is to regularize."""
    if decision != REGULARIZE:
        return {"decision": decision, "reason": reason}
    return {"decision": decision, "reason": reason, **recommendation(config, batch_size)}


def keras(config: RunConfig, n_features: int, n_outputs: int, task: str, batch_size: int) -> str:
    p = config.penalty
    regularizer = "None" if p.kind == "none" else f"regularizers.l1_l2(l1={p.l1:g}, l2={p.l2:g})" if p.kind == "l1l2" \
        else f"regularizers.{p.kind}({p.lam:g})"
    layers = [f"    keras.Input(shape=({n_features},)),"]
    for width in config.hidden:
        layers.append(f'    layers.Dense({width}, activation="{config.activation}", kernel_regularizer={regularizer}),')
        if config.dropout:
            layers.append(f"    layers.Dropout({config.dropout:g}),")
    output, loss = {"binary": ("1, activation=\"sigmoid\"", "binary_crossentropy"), "multiclass": (f"{n_outputs}, activation=\"softmax\"",
                    "sparse_categorical_crossentropy"), "regression": ("1", "mse")}[task]  # fmt: skip
    layers.append(f"    layers.Dense({output}),  # the output layer is not penalised")
    stop = f"[keras.callbacks.EarlyStopping(patience={config.patience}, restore_best_weights=True)]" if config.patience else "[]"
    return "\n".join([
        "import keras", "from keras import layers, regularizers", "", "model = keras.Sequential([", *layers, "])",
        f'model.compile(optimizer=keras.optimizers.{KERAS_OPTIMIZERS[config.optimizer]}'
        f'(learning_rate={config.lr:g}), loss="{loss}")',
        f"model.fit(X_train, y_train, validation_data=(X_val, y_val), epochs={config.epochs}, batch_size={batch_size}, callbacks={stop})",
    ])  # fmt: skip


def pytorch(config: RunConfig, n_features: int, n_outputs: int, task: str, batch_size: int) -> str:
    p = config.penalty
    body = []
    sizes = (n_features, *config.hidden)
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        body.append(f"    nn.Linear({fan_in}, {fan_out}), {TORCH_ACTIVATIONS[config.activation]},")
        if config.dropout:
            body.append(f"    nn.Dropout({config.dropout:g}),")
    body.append(f"    nn.Linear({sizes[-1]}, {n_outputs}),")
    loss = {"binary": "nn.BCEWithLogitsLoss()", "multiclass": "nn.CrossEntropyLoss()", "regression": "nn.MSELoss()"}[task]
    target = "torch.long" if task == "multiclass" else "torch.float32"
    shape = "" if task == "multiclass" else ".reshape(-1, 1)"
    optimizer = TORCH_OPTIMIZERS[config.optimizer]
    momentum = f", momentum={config.momentum:g}" if config.optimizer == "sgd" and config.momentum else ""
    penalised = "model[:-1]" if not config.regularize_output else "model"
    patience = config.patience or config.epochs
    return "\n".join([
        "import copy", "", "import torch", "from torch import nn", "", "torch.manual_seed(0)",
        "X, Xv = (torch.as_tensor(a, dtype=torch.float32) for a in (X_train, X_val))",
        f"y, yv = (torch.as_tensor(a, dtype={target}){shape} for a in (y_train, y_val))",
        "model = nn.Sequential(", *body, ")",
        f"kernels = [m.weight for m in {penalised} if isinstance(m, nn.Linear)]  # penalised: hidden kernels, never biases",
        f"L1, L2 = {p.l1!r}, {p.l2!r}  # reglab/Keras convention, added to the batch-mean loss",
        "# for L2 alone, the same as weight_decay = 2·L2 on a parameter group of `kernels` (biases and output: 0)",
        f"loss_fn = {loss}",
        f"optimizer = {optimizer}(model.parameters(), lr={config.lr:g}{momentum}"
        + (f", weight_decay={config.decay:g})" if config.optimizer == "adamw" else ")"),
        "best, best_state, waited = float(\"inf\"), copy.deepcopy(model.state_dict()), 0",
        f"for epoch in range({config.epochs}):",
        "    model.train()",
        f"    for rows in torch.randperm(len(X)).split({batch_size}):",
        "        penalty = sum(L1 * w.abs().sum() + L2 * (w * w).sum() for w in kernels)",
        "        loss = loss_fn(model(X[rows]), y[rows]) + penalty",
        "        optimizer.zero_grad()", "        loss.backward()", "        optimizer.step()",
        "    model.eval()", "    with torch.no_grad():", "        val_loss = loss_fn(model(Xv), yv).item()",
        "    if val_loss < best:", "        best, best_state, waited = val_loss, copy.deepcopy(model.state_dict()), 0",
        "    else:", "        waited += 1",
        f"        if waited >= {patience}:  # early stopping: restore the best epoch's weights", "            break",
        "model.load_state_dict(best_state)",
    ])  # fmt: skip


def sklearn(config: RunConfig, task: str, batch_size: int) -> str:
    p = config.penalty
    estimator = "MLPRegressor" if task == "regression" else "MLPClassifier"
    solver = "sgd" if config.optimizer == "sgd" else "adam"
    notes = ["# alpha = 2·λ·batch_size (scikit-learn adds alpha/(2·batch)·Σw²); it also penalises the output layer"]
    if p.l1:
        notes.append("# scikit-learn has no L1 penalty: only the L2 part is carried over")
    if config.dropout:
        notes.append(f"# scikit-learn has no dropout: the rate {config.dropout:g} is left out")
    if config.activation == "gelu":
        notes.append("# scikit-learn has no GELU: relu instead")
    stopping = (f"early_stopping=True, validation_fraction={VALIDATION_FRACTION:g}, n_iter_no_change={config.patience}, "
                if config.patience else "")  # fmt: skip
    return "\n".join([
        f"from sklearn.neural_network import {estimator}", "", *notes,
        f"model = {estimator}(hidden_layer_sizes={tuple(config.hidden)!r}, activation=\"{SKLEARN_ACTIVATIONS[config.activation]}\", "
        f"solver=\"{solver}\", alpha={sklearn_alpha_of(p.l2, batch_size):g}, batch_size={batch_size}, learning_rate_init={config.lr:g}, "
        f"max_iter={config.epochs}, {stopping}random_state=0)",
        "model.fit(X_train, y_train)",
    ])  # fmt: skip


def snippets(config: RunConfig, n_features: int, n_outputs: int, task: str, batch_size: int) -> dict[str, str]:
    """Ready-to-paste code for ``config`` on data of ``n_features`` columns (see the module docstring)."""
    return {
        "keras": keras(config, n_features, n_outputs, task, batch_size),
        "pytorch": pytorch(config, n_features, n_outputs, task, batch_size),
        "sklearn": sklearn(config, task, batch_size),
    }
