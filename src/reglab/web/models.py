"""What a playground request may ask for: validated pydantic models with the server's limits.

Every request body is one of these models; a value out of bounds, and NaN or ±Infinity in any number
field, is refused by FastAPI with 422 and a message naming the field (see
:func:`reglab.web.app.create_app`). No request names a file path: an uploaded CSV is referred to by
the id the server gave it.

The penalty follows reglab's (Keras's) convention: ``L2(λ)`` adds ``λ·Σw²`` to the batch-mean data
loss, ``L1(λ)`` adds ``λ·Σ|w|``; TensorFlow Playground's rate, PyTorch SGD's ``weight_decay`` are
``2λ`` and scikit-learn's ``alpha`` is ``2λ·batch_size``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reglab.config import MAX_EPOCHS, DataConfig, RunConfig
from reglab.regularizers import make_regularizer
from reglab.web.plane import INPUTS

__all__ = [
    "DATASETS", "LIMITS", "Control", "DataSpec", "HyperparameterChange", "ModelSpec", "RunRequest", "TrainingChange",
]  # fmt: skip

DATASETS = ("moons", "circles", "xor", "spirals", "blobs", "regression", "upload")
LIMITS = {
    "neurons": 1024,  # per hidden layer
    "layers": 8,  # hidden layers
    "samples": 5000,  # points drawn by a generator
    "epochs": 10000,  # the largest epochs cap a run may set (without one it trains until paused)
    "models": 6,  # configurations compared side by side
    "upload_bytes": 256 * 1024,  # size of an uploaded CSV
    "upload_rows": 5000,
    "runs": 64,  # runs alive at once on one server (memory; they share the cores in turn, see reglab.web.budget)
}
Input = Literal["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]  # TF Playground's input features (reglab.web.plane)


class _Request(BaseModel):
    # NaN and ±Infinity (JSON's NaN, Infinity, or 1e999 read as a float) are refused in every number field
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class DataSpec(_Request):
    """The data of a run: a 2-D generator or an uploaded CSV, its split and its seed."""

    dataset: Literal["moons", "circles", "xor", "spirals", "blobs", "regression", "upload"] = "moons"
    upload: str | None = Field(None, pattern=r"^[0-9a-f]{16}$")  # id returned by POST /api/uploads
    noise: float = Field(0.25, ge=0.0, le=2.0)  # std of the generator's noise
    n_samples: int = Field(500, ge=20, le=LIMITS["samples"])  # points drawn by the generator
    n_classes: int = Field(3, ge=2, le=6)  # classes of 'blobs'
    test_size: float = Field(0.3, ge=0.05, le=0.8)  # share of all points held out for test
    val_size: float = Field(0.2, ge=0.0, le=0.5)  # share of the training part held out for validation
    seed: int = Field(0, ge=0, le=2**31 - 1)  # data generation and split

    @model_validator(mode="after")
    def _upload_named(self) -> DataSpec:
        if (self.dataset == "upload") != (self.upload is not None):
            raise ValueError(
                "The 'upload' field must be the id of an uploaded CSV exactly when dataset is 'upload'. "
                f"Got dataset={self.dataset!r} and upload={self.upload!r} instead."
            )
        return self

    def data_config(self, path: str | None = None) -> DataConfig:
        """The :class:`DataConfig` of this data; ``path`` is the stored upload's file, if any."""
        common = {"test_size": self.test_size, "val_size": self.val_size, "seed": self.seed, "standardize": True}
        if self.dataset == "upload":
            return DataConfig(dataset=str(path), target="label", **common)
        return DataConfig(dataset=self.dataset, n_samples=self.n_samples, noise=self.noise, n_classes=self.n_classes, **common)


class ModelSpec(_Request):
    """One compared configuration: what may differ between the models of one stack."""

    penalty: Literal["none", "l1", "l2", "l1l2"] = "none"
    lam: float = Field(0.01, ge=0.0, le=100.0)  # λ of L1 or L2, and both coefficients of L1L2
    l1_method: Literal["proximal", "subgradient"] = "proximal"
    regularize_output: bool = False  # also penalise the output kernel (biases never)
    weight_decay: float = Field(0.0, ge=0.0, le=1.0)  # decoupled, w ← w − lr·wd·w
    dropout: float = Field(0.0, ge=0.0, le=0.9)
    lr: float = Field(0.01, gt=0.0, le=10.0)
    patience: int | None = Field(None, ge=1, le=1000)  # early stopping on validation loss; None: off


class RunRequest(_Request):
    """A playground run: data, the shared architecture and schedule, and 1 to 6 compared models."""

    data: DataSpec = DataSpec()
    hidden: list[Annotated[int, Field(ge=1, le=LIMITS["neurons"])]] = Field([8, 8], min_length=1, max_length=LIMITS["layers"])
    inputs: list[Input] = Field(["x1", "x2"], min_length=1, max_length=len(INPUTS))  # input features, computed from x₁, x₂
    activation: Literal["relu", "tanh", "sigmoid", "gelu", "linear"] = "relu"
    optimizer: Literal["sgd", "adam", "adamw"] = "adam"
    batch_size: int = Field(32, ge=1, le=LIMITS["samples"])
    epochs: int | None = Field(None, ge=1, le=LIMITS["epochs"])  # pauses at every multiple of it; None: trains until paused
    models: list[ModelSpec] = Field([ModelSpec()], min_length=1, max_length=LIMITS["models"])
    seed: int = Field(0, ge=0, le=2**31 - 1)  # initialisation, batch order and dropout masks of every model
    epochs_per_frame: int | None = Field(None, ge=1, le=200)  # None: as many as fit in a frame's time
    autoplay: bool = False  # start training as soon as the run is created

    @model_validator(mode="after")
    def _validation_data(self) -> RunRequest:
        if any(m.patience for m in self.models) and self.data.val_size == 0:
            raise ValueError("The 'patience' field needs validation data: set data.val_size > 0. Got val_size=0 instead.")
        if len(set(self.inputs)) != len(self.inputs):
            raise ValueError(f"The 'inputs' field must name each input feature once. Got {self.inputs} instead.")
        return self

    def input_features(self) -> tuple[str, ...]:
        """The input features in the network's order (that of :data:`reglab.web.plane.INPUTS`)."""
        return tuple(name for name in INPUTS if name in self.inputs)

    def run_configs(self) -> list[RunConfig]:
        """One :class:`RunConfig` per compared model, all with the same seed (same init and batches). The
        trainer's epochs are the most a run may train (:data:`reglab.config.MAX_EPOCHS`): the run pauses
        at its cap (:mod:`reglab.web.session`), and goes on when asked."""
        return [
            RunConfig(
                hidden=tuple(self.hidden), activation=self.activation, optimizer=self.optimizer,
                batch_size=self.batch_size, epochs=MAX_EPOCHS, seed=self.seed,
                penalty=make_regularizer(m.penalty, m.lam, m.lam, m.lam), l1_method=m.l1_method,
                regularize_output=m.regularize_output, weight_decay=m.weight_decay, dropout=m.dropout,
                lr=m.lr, patience=m.patience,
            )  # fmt: skip
            for m in self.models
        ]


class Control(_Request):
    """Play, pause, one epoch, or back to the initial weights."""

    action: Literal["play", "pause", "step", "reset"]


class HyperparameterChange(_Request):
    """A change to one model; it goes on from its current weights (a model that stopped trains again)."""

    model: int = Field(ge=0, lt=LIMITS["models"])  # index in the run's models
    penalty: Literal["none", "l1", "l2", "l1l2"] | None = None
    lam: float | None = Field(None, ge=0.0, le=100.0)
    l1_method: Literal["proximal", "subgradient"] | None = None
    lr: float | None = Field(None, gt=0.0, le=10.0)


class TrainingChange(_Request):
    """A change to the settings every model shares; training goes on from the current weights. A field
    left out (None) stays as it is; for patience, epochs and epochs_per_frame 0 means off."""

    optimizer: Literal["sgd", "adam", "adamw"] | None = None
    batch_size: int | None = Field(None, ge=1, le=LIMITS["samples"])
    dropout: float | None = Field(None, ge=0.0, le=0.9)
    weight_decay: float | None = Field(None, ge=0.0, le=1.0)
    regularize_output: bool | None = None
    patience: int | None = Field(None, ge=0, le=1000)  # 0: early stopping off
    epochs: int | None = Field(None, ge=0, le=LIMITS["epochs"])  # the epochs cap; 0: none
    epochs_per_frame: int | None = Field(None, ge=0, le=200)  # 0: as many as fit in a frame's time
