"""Frozen, validated configurations shared by the engine, the CLI, the web API and saved results.

Their numbers obey the rules of :mod:`reglab.rules` (re-exported here for older imports). A sweep derives each run
from a base config by replacing fields (:meth:`RunConfig.replace`), the way scikit-learn's ``validation_curve``
clones an estimator and sets one parameter. Runs share no state.
"""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reglab.errors import ConfigError
from reglab.regularizers import NoPenalty, Regularizer
from reglab.rules import (
    ACTIVATIONS,
    COUNT,
    DATASETS,
    EPOCHS,
    L1_METHODS,
    MAX_DEPTH,
    MAX_EPOCHS,
    MAX_SEED,
    MAX_SEEDS,
    MAX_WIDTH,
    MISSING_RULES,
    N_CLASSES,
    N_SAMPLES,
    NON_NEGATIVE,
    OPEN_RATE,
    OPTIMIZERS,
    POSITIVE,
    RATE,
    SEED,
    SEEDS,
    STATUSES,
    TASK_CHOICES,
    TASKS,
    UNIT,
    WIDTH,
    WIDTHS,
    Activation,
    Interval,
    L1Method,
    MissingRule,
    Optimizer,
    TaskChoice,
    Widths,
)  # fmt: skip

__all__ = [
    "ACTIVATIONS", "ADAMW_DEFAULT_DECAY", "COUNT", "DataConfig", "EPOCHS", "Interval", "L1_METHODS", "MAX_DEPTH", "MAX_EPOCHS",
    "MAX_SEED", "MAX_SEEDS", "MAX_WIDTH", "MISSING_RULES", "NON_NEGATIVE", "OPEN_RATE", "OPTIMIZERS", "POSITIVE", "RATE",
    "RunConfig", "SCHEMA_VERSION", "SEED", "SEEDS", "STATUSES", "TASKS", "TASK_CHOICES", "UNIT", "WIDTH", "WIDTHS", "Widths",
    "config_error",
]  # fmt: skip

SCHEMA_VERSION = 1
ADAMW_DEFAULT_DECAY = 0.01  # PyTorch's AdamW default, used when optimizer="adamw" and weight_decay is unset

NonNegative, Positive, Rate, OpenRate = (r.annotated() for r in (NON_NEGATIVE, POSITIVE, RATE, OPEN_RATE))
Count, Epochs, Seed, NSamples, NClasses = (r.annotated() for r in (COUNT, EPOCHS, SEED, N_SAMPLES, N_CLASSES))


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def replace(self, **changes: Any):
        """A new validated config with ``changes`` applied (the original is untouched)."""
        return type(self).model_validate({**self.model_dump(by_alias=True), **changes})


PENALTY_EXAMPLES = {  # what a penalty given by its kind alone should have been: object and dict
    "none": ("NoPenalty()", "{'kind': 'none'}"),
    "l1": ("L1(lam=0.01)", "{'kind': 'l1', 'lam': 0.01}"),
    "l2": ("L2(lam=0.01)", "{'kind': 'l2', 'lam': 0.01}"),
    "l1l2": ("L1L2(l1=0.01, l2=0.01)", "{'kind': 'l1l2', 'l1': 0.01, 'l2': 0.01}"),
}


class RunConfig(_Frozen):
    """One training run: architecture, penalty, optimiser, schedule and seed.

    The training objective of a batch is ``mean_batch(data_loss) + penalty(kernels)`` with the
    penalty's Keras convention (see :mod:`reglab.regularizers`). Decoupled weight decay is applied
    after the gradient step as ``w ← w − lr·weight_decay·w`` on the same kernels as the penalty.
    """

    hidden: tuple[int, ...] = Field((128, 128), description="widths of the hidden layers, input to output")
    activation: Activation = Field("relu", description="activation after every hidden layer (linear: none)")
    penalty: Regularizer = Field(default_factory=NoPenalty, description="penalty on the hidden kernels, added to the batch-mean data loss")
    l1_method: L1Method = Field(
        "proximal", description="how the L1 part is applied: proximal (soft-threshold after each step) or subgradient (as Keras)"
    )
    regularize_output: bool = Field(False, description="also penalise the output kernel (biases never)")
    dropout: Rate = Field(0.0, description="rate of inverted dropout after each hidden activation")
    weight_decay: Optional[NonNegative] = Field(None, description=f"decoupled decay; None: {ADAMW_DEFAULT_DECAY:g} for adamw, 0 otherwise")
    optimizer: Optimizer = Field("adam", description="optimizer; adamw decays the weights decoupled from the gradient")
    lr: Positive = Field(1e-3, description="learning rate")
    momentum: Rate = Field(0.0, description="SGD momentum (heavy ball); 0 with Adam and AdamW, which keep their own moments")
    epochs: Epochs = Field(300, description="passes over the training set")
    batch_size: Optional[Count] = Field(32, description="training rows per step; None: full batch")
    patience: Optional[Count] = Field(None, description="early stopping on validation data loss; None: off")
    min_delta: NonNegative = Field(0.0, description="smallest decrease of validation loss that counts as improvement")
    input_noise: NonNegative = Field(0.0, description="std of Gaussian jitter added to training inputs, fresh each epoch")
    seed: Seed = Field(0, description="initialisation, batch order, dropout masks and jitter")

    @field_validator("hidden", mode="before")
    @classmethod
    def _hidden(cls, v: Any) -> tuple[int, ...]:
        return WIDTHS.check("hidden", v)

    @field_validator("penalty", mode="before")
    @classmethod
    def _penalty(cls, v: Any) -> Any:
        """A kind alone ('l2') is refused, not read with a default λ: the strength is the number that matters."""
        if isinstance(v, str):
            example, as_dict = PENALTY_EXAMPLES.get(v, PENALTY_EXAMPLES["l2"])
            raise ConfigError(
                f"The 'penalty' parameter must be a penalty object such as {example} (from reglab.regularizers) or a dict {as_dict}. "
                f"Got str {v!r} instead."
            )
        return v

    @model_validator(mode="after")
    def _momentum(self) -> RunConfig:
        if self.momentum and self.optimizer != "sgd":
            raise ConfigError(
                f"The 'momentum' parameter must be 0 with optimizer '{self.optimizer}' (momentum is SGD's; "
                f"Adam and AdamW keep their own moment estimates). Got {self.momentum!r} instead."
            )
        return self

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

    dataset: str = Field("moons", description="a built-in name or a path to a CSV file")
    n_samples: NSamples = Field(500, description="points drawn by a 2-D generator (ignored by real data)")
    noise: NonNegative = Field(0.3, description="noise level of a 2-D generator")
    n_classes: NClasses = Field(3, description="classes of the 'blobs' generator")
    target: str | None = Field(None, description="target column of a CSV file")
    missing: MissingRule = Field("error", description="missing cells of a CSV file: refuse, drop their rows, or impute from training rows")
    drop: tuple[str, ...] = Field((), description="columns of a CSV file to leave out")
    task: TaskChoice = Field("auto", description="classification or regression; auto: from the target's type")
    test_size: OpenRate = Field(0.3, description="fraction of all rows held out for test")
    val_size: Rate = Field(0.0, description="fraction of the training part held out for validation")
    standardize: bool = Field(True, description="scale features with statistics of the training part only")
    seed: Seed = Field(0, description="data generation and split")

    @model_validator(mode="after")
    def _dataset(self) -> DataConfig:
        if not self.dataset.strip():
            raise ConfigError(f"The 'dataset' parameter must be a dataset name or a CSV path. Got {self.dataset!r} instead.")
        if self.dataset in DATASETS:
            for name, unset in (("target", None), ("missing", "error"), ("drop", ())):
                if getattr(self, name) != unset:
                    raise ConfigError(
                        f"The '{name}' parameter must be {unset!r} for built-in dataset '{self.dataset}' "
                        f"(it applies to CSV files only). Got {getattr(self, name)!r} instead."
                    )
        return self


def config_error(exc: ValidationError) -> str:
    """The first error of a pydantic ValidationError as one line: the parameter, what it must be and
    what it got. A rule's own message is kept; pydantic's other errors are put in the same template."""
    err = exc.errors()[0]
    msg = str(err.get("msg", exc))
    prefix = "Value error, "
    if msg.startswith(prefix):
        return msg[len(prefix):]
    where = ".".join(str(p) for p in err.get("loc", ()))
    if err.get("type") == "literal_error":
        choices = ", ".join(str(c).strip("'") for c in str(err["ctx"]["expected"]).replace(" or ", ", ").split(", "))
        return f"The '{where}' parameter must be one of {choices}. Got {err.get('input')!r} instead."
    return f"The '{where}' parameter is invalid: {msg}. Got {err.get('input')!r} instead."
