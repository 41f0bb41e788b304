"""What a training command was asked, as typed, frozen values: its options as their readers
(:mod:`reglab.cli.parsing`) gave them, before the checks that join several options and the data
(:mod:`reglab.cli.building`).

Each object is filled from a command's parameters by name (``of``: typer's ``ctx.params``), so that
``train``, ``sweep``, ``tune`` and ``diagnose`` hand on the same objects for the options they share.
None marks an option that was not given, where its default depends on other options or on the data
(``--val-size``, ``--batch-size``, ``--lam``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from reglab.cli.options import DEFAULT_SEEDS
from reglab.cli.parsing import BatchSize

T = TypeVar("T")


def picked(cls: type[T], params: Mapping[str, Any]) -> T:
    """A dataclass of the parameters that name its fields."""
    return cls(**{field.name: params[field.name] for field in fields(cls)})


@dataclass(frozen=True)
class DataOptions:
    """The data options of every training command."""

    dataset: str
    target: str | None
    task: str
    n_samples: int
    noise: float
    n_classes: int
    test_size: float
    val_size: float | None  # None: not given (each command has its rule)
    standardize: bool
    missing: str
    drop: tuple[str, ...] | None  # None: not given

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> DataOptions:
        return picked(cls, params)


@dataclass(frozen=True)
class TrainingOptions:
    """The options of the RunConfig fields that no command varies."""

    activation: str
    l1_method: str
    regularize_output: bool
    optimizer: str
    momentum: float
    epochs: int
    batch_size: BatchSize | None  # None: not given (the config's default, cut to the training rows)
    patience: int | None  # None: no early stopping
    min_delta: float
    input_noise: float

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> TrainingOptions:
        return picked(cls, params)


AXES = ("hidden", "penalty", "lam", "l1", "l2", "dropout", "lr", "weight_decay")  # the options that a sweep varies


@dataclass(frozen=True)
class GridOptions:
    """What ``train`` or ``sweep`` was asked: the values of the options that a sweep varies as tuples
    (one value each for train; None: not given), the seeds, where to train and how to judge."""

    data: DataOptions
    training: TrainingOptions
    seed: int
    hidden: tuple[tuple[int, ...], ...]
    penalty: tuple[str, ...]
    lam: tuple[float, ...] | None
    l1: tuple[float, ...] | None
    l2: tuple[float, ...] | None
    dropout: tuple[float, ...]
    lr: tuple[float, ...]
    weight_decay: tuple[float, ...] | None
    seeds: int  # per configuration: --seed … --seed + seeds − 1
    fixed_split: bool  # every seed trains on the data and split of --seed
    device: str
    threads: int | None  # None: automatic
    gap_threshold: float | None  # the verdict's thresholds; None: FitThresholds's default
    underfit_skill: float | None
    underfit_margin: float | None

    @classmethod
    def of(cls, params: Mapping[str, Any], sweep: bool) -> GridOptions:
        """``sweep``'s parameters, or ``train``'s, whose single values become tuples of one (one seed, its own split)."""
        axes = {name: params[name] if sweep or params[name] is None else (params[name],) for name in AXES}
        seeds = {name: params[name] for name in ("seeds", "fixed_split")} if sweep else {"seeds": DEFAULT_SEEDS, "fixed_split": False}
        rest = {name: params[name] for name in ("seed", "device", "threads", "gap_threshold", "underfit_skill", "underfit_margin")}
        return cls(data=DataOptions.of(params), training=TrainingOptions.of(params), **axes, **seeds, **rest)
