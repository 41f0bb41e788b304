"""Frozen, validated configurations shared by the engine, the CLI and saved results.

A sweep derives each run from a base config by replacing fields (:meth:`RunConfig.replace`), the way
scikit-learn's ``validation_curve`` clones an estimator and sets one parameter. Runs share no state.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reglab.regularizers import NoPenalty, Regularizer

__all__ = [
    "ACTIVATIONS", "DataConfig", "OPTIMIZERS", "RunConfig", "SCHEMA_VERSION", "STATUSES", "TASKS", "TASK_CHOICES", "config_error",
]  # fmt: skip

SCHEMA_VERSION = 1
ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu")  # after every hidden layer
OPTIMIZERS = ("sgd", "adam", "adamw")
TASKS = ("binary", "multiclass", "regression")  # what a dataset asks of the model (its output and loss)
TASK_CHOICES = ("auto", "classification", "regression")  # what a user may state; auto: from the target
STATUSES = ("completed", "early_stopped", "pruned", "diverged")  # how a run ended
ADAMW_DEFAULT_DECAY = 0.01  # PyTorch's AdamW default, used when optimizer="adamw" and weight_decay is unset


def _finite(name: str, value: Any, minimum: float | None = None, below: float | None = None) -> float:
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    if ok and minimum is not None:
        ok = value >= minimum
    if ok and below is not None:
        ok = value < below
    if not ok:
        bounds = []
        if minimum is not None:
            bounds.append(f">= {minimum:g}")
        if below is not None:
            bounds.append(f"< {below:g}")
        expected = "a finite float" + (" " + " and ".join(bounds) if bounds else "")
        raise ValueError(f"The '{name}' parameter must be {expected}. Got {value!r} instead.")
    return float(value)


def _positive_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"The '{name}' parameter must be an int >= {minimum}. Got {value!r} instead.")
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def replace(self, **changes: Any):
        """A new validated config with ``changes`` applied (the original is untouched)."""
        return type(self).model_validate({**self.model_dump(by_alias=True), **changes})


class RunConfig(_Frozen):
    """One training run: architecture, penalty, optimiser, schedule and seed.

    The training objective of a batch is ``mean_batch(data_loss) + penalty(kernels)`` with the
    penalty's Keras convention (see :mod:`reglab.regularizers`). Decoupled weight decay is applied
    after the gradient step as ``w ← w − lr·weight_decay·w`` on the same kernels as the penalty.
    """

    hidden: tuple[int, ...] = (128, 128)  # widths of the hidden layers, input to output
    activation: Literal["relu", "tanh", "sigmoid", "gelu"] = "relu"  # after every hidden layer
    penalty: Regularizer = Field(default_factory=NoPenalty)  # added to the batch-mean data loss
    l1_method: Literal["proximal", "subgradient"] = "proximal"  # how the L1 part is applied
    regularize_output: bool = False  # also penalise the output kernel (biases never)
    dropout: float = 0.0  # rate of inverted dropout after each hidden activation, in [0, 1)
    weight_decay: float | None = None  # decoupled decay; None: 0.01 for adamw, 0 otherwise
    optimizer: Literal["sgd", "adam", "adamw"] = "adam"
    lr: float = 1e-3  # learning rate
    momentum: float = 0.0  # SGD momentum (heavy ball), ignored by Adam
    epochs: int = 300  # passes over the training set
    batch_size: int | None = 32  # None: full batch
    patience: int | None = None  # early stopping on validation data loss; None: off
    min_delta: float = 0.0  # smallest decrease of validation loss that counts as improvement
    input_noise: float = 0.0  # std of Gaussian jitter added to training inputs, fresh each epoch
    seed: int = 0  # initialisation, batch order, dropout masks and jitter

    @field_validator("hidden", mode="before")
    @classmethod
    def _hidden(cls, v: Any) -> tuple[int, ...]:
        original = v
        if isinstance(v, str):
            v = [p.strip() for p in v.split(",") if p.strip()]
        items = list(v) if isinstance(v, (list, tuple)) else [v]
        out = []
        for item in items:
            try:
                width = int(item)
                if isinstance(item, float) and width != item:
                    raise ValueError
            except (TypeError, ValueError):
                width = None
            if width is None or isinstance(item, bool) or not 1 <= width <= 65536:
                raise ValueError(
                    f"The 'hidden' parameter must be widths >= 1, such as 128,128. Got {original!r} instead."
                )
            out.append(width)
        if not 1 <= len(out) <= 16:
            raise ValueError(f"The 'hidden' parameter must have 1 to 16 layers. Got {len(out)} instead.")
        return tuple(out)

    @field_validator("dropout", mode="before")
    @classmethod
    def _dropout(cls, v: Any) -> float:
        return _finite("dropout", v, 0.0, 1.0)

    @field_validator("weight_decay", mode="before")
    @classmethod
    def _decay(cls, v: Any) -> float | None:
        return None if v is None else _finite("weight_decay", v, 0.0)

    @field_validator("lr", mode="before")
    @classmethod
    def _lr(cls, v: Any) -> float:
        try:
            value = _finite("lr", v, 0.0)
        except ValueError:
            value = 0.0
        if value == 0.0:
            raise ValueError(f"The 'lr' parameter must be a finite float > 0. Got {v!r} instead.")
        return value

    @field_validator("momentum", mode="before")
    @classmethod
    def _momentum(cls, v: Any) -> float:
        return _finite("momentum", v, 0.0, 1.0)

    @field_validator("min_delta", "input_noise", mode="before")
    @classmethod
    def _nonneg(cls, v: Any, info) -> float:
        return _finite(info.field_name, v, 0.0)

    @field_validator("epochs", mode="before")
    @classmethod
    def _epochs(cls, v: Any) -> int:
        return _positive_int("epochs", v)

    @field_validator("batch_size", "patience", mode="before")
    @classmethod
    def _optional_int(cls, v: Any, info) -> int | None:
        return None if v is None else _positive_int(info.field_name, v)

    @field_validator("seed", mode="before")
    @classmethod
    def _seed(cls, v: Any) -> int:
        return _positive_int("seed", v, 0)

    @property
    def decay(self) -> float:
        """The decoupled weight decay actually applied."""
        if self.weight_decay is not None:
            return self.weight_decay
        return ADAMW_DEFAULT_DECAY if self.optimizer == "adamw" else 0.0

    @property
    def label(self) -> str:
        """A short human label: penalty, λ, dropout and width, for tables and legends."""
        p = self.penalty
        if p.kind == "none":
            text = "none"
        elif p.kind == "l1l2":
            text = f"l1l2(l1={p.l1:g}, l2={p.l2:g})"
        else:
            text = f"{p.kind}(λ={p.lam:g})"
        if self.dropout:
            text += f", dropout={self.dropout:g}"
        if self.decay:
            text += f", wd={self.decay:g}"
        return text


class DataConfig(_Frozen):
    """Where the data comes from and how it is split and scaled."""

    dataset: str = "moons"  # a built-in name or a path to a CSV file
    n_samples: int = 500  # points drawn by a 2-D generator (ignored by real data)
    noise: float = 0.3  # noise level of a 2-D generator
    n_classes: int = 3  # classes of the 'blobs' generator
    target: str | None = None  # target column of a CSV file
    task: Literal["auto", "classification", "regression"] = "auto"  # auto: from the target's type
    test_size: float = 0.3  # fraction of all rows held out for test
    val_size: float = 0.0  # fraction of the training part held out for validation
    standardize: bool = True  # scale features with statistics of the training part only
    seed: int = 0  # data generation and split

    @field_validator("n_samples", mode="before")
    @classmethod
    def _n(cls, v: Any) -> int:
        return _positive_int("n_samples", v, 4)

    @field_validator("n_classes", mode="before")
    @classmethod
    def _k(cls, v: Any) -> int:
        return _positive_int("n_classes", v, 2)

    @field_validator("noise", mode="before")
    @classmethod
    def _noise(cls, v: Any) -> float:
        return _finite("noise", v, 0.0)

    @field_validator("test_size", mode="before")
    @classmethod
    def _test(cls, v: Any) -> float:
        value = _finite("test_size", v, 0.0, 1.0)
        if value == 0.0:
            raise ValueError(f"The 'test_size' parameter must be a float in (0, 1). Got {v!r} instead.")
        return value

    @field_validator("val_size", mode="before")
    @classmethod
    def _val(cls, v: Any) -> float:
        return _finite("val_size", v, 0.0, 1.0)

    @field_validator("seed", mode="before")
    @classmethod
    def _seed(cls, v: Any) -> int:
        return _positive_int("seed", v, 0)

    @model_validator(mode="after")
    def _dataset(self) -> DataConfig:
        if not self.dataset.strip():
            raise ValueError("The 'dataset' parameter must be a dataset name or a CSV path. Got '' instead.")
        return self


def config_error(exc: ValidationError) -> str:
    """The first error of a pydantic ValidationError as one readable line."""
    err = exc.errors()[0]
    msg = str(err.get("msg", exc))
    prefix = "Value error, "
    if msg.startswith(prefix):
        return msg[len(prefix):]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return f"The '{where}' parameter is invalid: {msg}. Got {err.get('input')!r} instead."
