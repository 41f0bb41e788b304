"""What a playground request may ask for: validated pydantic models with the server's limits.

Every request body is one of these models; a value out of bounds, and NaN or ±Infinity in any number
field, is refused by FastAPI with 422 and a message naming the field (see
:func:`reglab.web.app.create_app`). No request names a file path: an uploaded CSV is referred to by
the id the server gave it.

The names a request may give (activations, optimizers, penalty kinds, L1 methods, datasets) are those of
:mod:`reglab.rules` and :mod:`reglab.regularizers`, and a field that mirrors a config field carries that
field's description as its help; :func:`vocabulary` hands the same lists, and the λ convention in words
(:data:`reglab.regularizers.CONVENTION`), to the page, which builds its choices from them. :data:`LIMITS`
are the playground's own bounds, tighter than the rules': a page draws every frame, and one server trains
many runs at once.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reglab import regularizers
from reglab.config import DataConfig, RunConfig
from reglab.regularizers import CONVENTION, PENALTY_KINDS, make_regularizer
from reglab.rules import ACTIVATIONS, GENERATORS, L1_METHODS, MAX_EPOCHS, OPTIMIZERS, VALIDATION_FRACTION
from reglab.web.plane import INPUTS, PLAIN

__all__ = [
    "CONVERSIONS", "LIMITS", "PLAYGROUND_DATASETS", "UPLOAD", "Control", "DataSpec", "HyperparameterChange", "ModelSpec",
    "RunRequest", "TrainingChange", "vocabulary",
]  # fmt: skip

PATIENCE_WITHOUT_VALIDATION = "The 'patience' field needs validation data: set data.val_size > 0. Got val_size=0 instead."
UPLOAD = "upload"  # the dataset of an uploaded CSV (its id in DataSpec.upload)
# every generator draws 2-D points, which the plane shows as they are; the real datasets have more features than
# a plane can show, so the playground offers the generators and an uploaded 2-D CSV
PLAYGROUND_DATASETS = (*GENERATORS, UPLOAD)
CONVERSIONS = "; ".join(regularizers.CONVERSIONS[k] for k in ("playground", "pytorch", "sklearn"))  # the λ of other tools
LIMITS = {
    "neurons": 1024,  # per hidden layer
    "layers": 8,  # hidden layers
    "samples": 5000,  # points drawn by a generator
    "min_rows": 20,  # the fewest points a run trains on: drawn by a generator, or rows of an uploaded CSV
    "epochs_cap": 10000,  # the largest epochs cap a run may set (without one it trains until paused)
    "epochs_per_frame": 200,  # the most epochs one frame trains, asked for or not (a frame's picture must come in time)
    "models": 6,  # configurations compared side by side
    "lam": 100.0,  # λ of a model
    "lr": 10.0,  # learning rate
    "dropout": 0.9,
    "weight_decay": 1.0,
    "patience": 1000,  # epochs of early stopping's patience
    "seed": 2**31 - 1,  # of the data and of the models (reglab.rules.MAX_SEED is larger)
    "upload_bytes": 256 * 1024,  # size of an uploaded CSV
    "upload_rows": 5000,
    "runs": 64,  # runs alive at once on one server (memory; they share the cores in turn, see reglab.web.budget)
}
Dataset = Literal[PLAYGROUND_DATASETS]
Input = Literal[tuple(INPUTS)]  # TF Playground's input features (reglab.web.plane)
Activation = Literal[ACTIVATIONS]
Optimizer = Literal[OPTIMIZERS]
PenaltyKind = Literal[PENALTY_KINDS]
L1Method = Literal[L1_METHODS]


def vocabulary() -> dict:
    """The names a request may give and the words the page states, each from its home: the page builds its
    choices and its convention note from these (``GET /api/vocabulary``)."""
    return {
        "datasets": list(PLAYGROUND_DATASETS), "activations": list(ACTIVATIONS), "optimizers": list(OPTIMIZERS),
        "penalties": list(PENALTY_KINDS), "l1_methods": list(L1_METHODS), "inputs": INPUTS,
        "convention": f"{CONVENTION}. {CONVERSIONS}.",
    }  # fmt: skip


def _run(name: str) -> str:
    """The help of RunConfig's field ``name``, which a request field mirrors (the config's description is its one home)."""
    return RunConfig.model_fields[name].description


def _data(name: str) -> str:
    """The help of DataConfig's field ``name``, which a request field mirrors."""
    return DataConfig.model_fields[name].description


class _Request(BaseModel):
    # NaN and ±Infinity (JSON's NaN, Infinity, or 1e999 read as a float) are refused in every number field
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class DataSpec(_Request):
    """The data of a run: a 2-D generator or an uploaded CSV, its split and its seed."""

    dataset: Dataset = Field("moons", description="a 2-D generator, or 'upload': the uploaded CSV named by 'upload'")
    upload: str | None = Field(None, pattern=r"^[0-9a-f]{16}$", description="id returned by POST /api/uploads")
    noise: float = Field(0.25, ge=0.0, le=2.0, description=_data("noise"))
    n_samples: int = Field(500, ge=LIMITS["min_rows"], le=LIMITS["samples"], description=_data("n_samples"))
    n_classes: int = Field(3, ge=2, le=6, description=_data("n_classes"))
    test_size: float = Field(0.3, ge=0.05, le=0.8, description=_data("test_size"))
    val_size: float = Field(VALIDATION_FRACTION, ge=0.0, le=0.5, description=_data("val_size"))
    seed: int = Field(0, ge=0, le=LIMITS["seed"], description=_data("seed"))

    @model_validator(mode="after")
    def _upload_named(self) -> DataSpec:
        if (self.dataset == UPLOAD) != (self.upload is not None):
            raise ValueError(
                "The 'upload' field must be the id of an uploaded CSV exactly when dataset is 'upload'. "
                f"Got dataset={self.dataset!r} and upload={self.upload!r} instead."
            )
        return self

    def data_config(self, path: str | None = None) -> DataConfig:
        """The :class:`DataConfig` of this data; ``path`` is the stored upload's file, if any."""
        common = {"test_size": self.test_size, "val_size": self.val_size, "seed": self.seed, "standardize": True}
        if self.dataset == UPLOAD:
            return DataConfig(dataset=str(path), target="label", **common)
        return DataConfig(dataset=self.dataset, n_samples=self.n_samples, noise=self.noise, n_classes=self.n_classes, **common)


class ModelSpec(_Request):
    """One compared configuration: what may differ between the models of one stack."""

    penalty: PenaltyKind = Field("none", description="kind of penalty on the hidden kernels, of strength lam")
    lam: float = Field(0.01, ge=0.0, le=LIMITS["lam"], description="λ of L1 or L2, and both coefficients of L1L2")
    l1_method: L1Method = Field("proximal", description=_run("l1_method"))
    regularize_output: bool = Field(False, description=_run("regularize_output"))
    weight_decay: float = Field(0.0, ge=0.0, le=LIMITS["weight_decay"], description="decoupled, w ← w − lr·wd·w")
    dropout: float = Field(0.0, ge=0.0, le=LIMITS["dropout"], description=_run("dropout"))
    lr: float = Field(0.01, gt=0.0, le=LIMITS["lr"], description=_run("lr"))
    patience: int | None = Field(None, ge=1, le=LIMITS["patience"], description=_run("patience"))


class RunRequest(_Request):
    """A playground run: data, the shared architecture and schedule, and 1 to 6 compared models."""

    data: DataSpec = DataSpec()
    hidden: list[Annotated[int, Field(ge=1, le=LIMITS["neurons"])]] = Field(
        [8, 8], min_length=1, max_length=LIMITS["layers"], description=_run("hidden")
    )
    inputs: list[Input] = Field(list(PLAIN), min_length=1, max_length=len(INPUTS), description="input features, computed from x₁, x₂")
    activation: Activation = Field("relu", description=_run("activation"))
    optimizer: Optimizer = Field("adam", description=_run("optimizer"))
    batch_size: int = Field(32, ge=1, le=LIMITS["samples"], description="training rows per step")
    epochs: int | None = Field(
        None, ge=1, le=LIMITS["epochs_cap"], description="the epochs cap: pauses at every multiple of it; None: trains until paused"
    )
    models: list[ModelSpec] = Field([ModelSpec()], min_length=1, max_length=LIMITS["models"])
    seed: int = Field(0, ge=0, le=LIMITS["seed"], description=_run("seed"))  # of every model
    epochs_per_frame: int | None = Field(
        None, ge=1, le=LIMITS["epochs_per_frame"], description="epochs trained per frame; None: as many as fit in a frame's time"
    )
    autoplay: bool = Field(False, description="start training as soon as the run is created")

    @model_validator(mode="after")
    def _validation_data(self) -> RunRequest:
        if any(m.patience for m in self.models) and self.data.val_size == 0:
            raise ValueError(PATIENCE_WITHOUT_VALIDATION)
        if len(set(self.inputs)) != len(self.inputs):
            raise ValueError(f"The 'inputs' field must name each input feature once. Got {self.inputs} instead.")
        return self

    def input_features(self) -> tuple[str, ...]:
        """The input features in the network's order (that of :data:`reglab.web.plane.INPUTS`)."""
        return tuple(name for name in INPUTS if name in self.inputs)

    def run_configs(self) -> list[RunConfig]:
        """One :class:`RunConfig` per compared model, all with the same seed (same init and batches). The
        trainer's epochs are the most a run may train (:data:`reglab.rules.MAX_EPOCHS`): the run pauses
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
    """A change to one model; it goes on from its current weights (a model that stopped trains again). A field
    left out (None) stays as it is."""

    model: int = Field(ge=0, lt=LIMITS["models"], description="index in the run's models")
    penalty: PenaltyKind | None = Field(None, description=ModelSpec.model_fields["penalty"].description)
    lam: float | None = Field(None, ge=0.0, le=LIMITS["lam"], description=ModelSpec.model_fields["lam"].description)
    l1_method: L1Method | None = Field(None, description=_run("l1_method"))
    lr: float | None = Field(None, gt=0.0, le=LIMITS["lr"], description=_run("lr"))


class TrainingChange(_Request):
    """A change to the settings every model shares; training goes on from the current weights. A field
    left out (None) stays as it is; for patience, epochs and epochs_per_frame 0 means off."""

    optimizer: Optimizer | None = Field(None, description=_run("optimizer"))
    batch_size: int | None = Field(None, ge=1, le=LIMITS["samples"], description="training rows per step")
    dropout: float | None = Field(None, ge=0.0, le=LIMITS["dropout"], description=_run("dropout"))
    weight_decay: float | None = Field(
        None, ge=0.0, le=LIMITS["weight_decay"], description=ModelSpec.model_fields["weight_decay"].description
    )
    regularize_output: bool | None = Field(None, description=_run("regularize_output"))
    patience: int | None = Field(None, ge=0, le=LIMITS["patience"], description="early stopping on validation data loss; 0: off")
    epochs: int | None = Field(None, ge=0, le=LIMITS["epochs_cap"], description="the epochs cap; 0: none")
    epochs_per_frame: int | None = Field(
        None, ge=0, le=LIMITS["epochs_per_frame"], description="epochs trained per frame; 0: as many as fit in a frame's time"
    )
