"""How runs end (:class:`Outcome`) and how a stack's training is saved and resumed.

A trainer's state is a plain dict of Python values and tensors, loadable with
``torch.load(..., weights_only=True)``::

    epoch, step_count, active    epochs done, optimiser steps done, run indices still training
    configs                      every run's config as JSON-ready dicts (hyperparameters may have changed)
    params, moment1, moment2     flat buffers of the active models (moment2 None for SGD)
    best                         flat buffer of each early-stopped model's best weights, or None
    generators, stoppers         every run's RNG state; early-stopping states by run index
    history, outcomes            per-run metric histories; finished runs, as :func:`outcome_state`

Resuming from it continues bit for bit as if training had never stopped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch

from reglab.config import RunConfig
from reglab.engine.early_stopping import EarlyStopping
from reglab.engine.stack import StackedMLP

__all__ = [
    "Outcome", "RestoredState", "Snapshot", "Trainer", "finished_outcomes", "outcome_from_state", "outcome_state", "read_state",
    "reported", "shortest_float32",
]  # fmt: skip


@dataclass
class Outcome:
    """How one run ended, with its final weights and metrics."""

    status: str  # "completed" | "early_stopped" | "pruned" | "diverged"
    epochs_run: int
    best_epoch: int | None  # epoch whose weights were kept (early stopping), else None
    diverged_epoch: int | None
    train: dict[str, float]
    val: dict[str, float]
    test: dict[str, float]
    kernels: list[np.ndarray]  # [fan_in, fan_out] per layer, float64
    biases: list[np.ndarray]
    history: dict[str, list[float]]


def finished_outcomes(
    ids: Sequence[int],
    status: str,
    epoch: int,
    stack: StackedMLP,
    parts: dict[str, dict[str, torch.Tensor]],
    restored: Sequence[int],
    stoppers: dict[int, EarlyStopping],
    history: dict[int, dict[str, list[float]]],
) -> dict[int, Outcome]:
    """Outcomes of runs ``ids``, model ``k`` of ``stack`` being run ``ids[k]``; a diverged run's metrics are NaN.

    ``parts`` maps a split part to per-model metric tensors; ``restored`` lists the positions whose
    best early-stopping weights were put back (only they report a ``best_epoch``).
    """
    values = {part: {name: reported(v) for name, v in metrics.items()} for part, metrics in parts.items()}
    if status == "diverged":  # a diverged model has no metrics: its numbers would read as a real (chance) score
        values = {part: {name: [math.nan] * len(v) for name, v in metrics.items()} for part, metrics in values.items()}
    outcomes = {}
    for k, i in enumerate(ids):
        kernels, biases = stack.model_arrays(k)
        stopper = stoppers.get(i)
        outcomes[i] = Outcome(
            status=status,
            epochs_run=epoch,
            best_epoch=stopper.best_epoch if stopper is not None and k in restored else None,
            diverged_epoch=epoch if status == "diverged" else None,
            train={n: v[k] for n, v in values.get("train", {}).items()},
            val={n: v[k] for n, v in values.get("val", {}).items()},
            test={n: v[k] for n, v in values.get("test", {}).items()},
            kernels=kernels,
            biases=biases,
            history=history[i],
        )
    return outcomes


def reported(values: torch.Tensor) -> list:
    """Metric values as Python floats, rounded honestly: a float32 value becomes the float64 of its shortest float32
    repr (an accuracy of 49/50 computed in float32 is 0.98, not 0.9800000190734863), which reads back as the same
    float32 and keeps every order and tie; a float64 value stays as it is. Nested lists for a 2-D tensor."""
    array = values.detach().to("cpu").numpy()
    return (shortest_float32(array) if array.dtype == np.float32 else array.astype(np.float64)).tolist()


_TENS = 10.0 ** np.arange(23)  # the powers of ten a float64 holds exactly


def shortest_float32(values: np.ndarray) -> np.ndarray:
    """The float64 of each float32's shortest round-trip decimal (what ``str`` of a NumPy float32 prints), vectorised.

    For k = 7, 8, 9 significant digits, the decimal ``n·10^-s`` nearest the value is formed with one correctly
    rounded float64 operation (``n / 10^s`` or ``n · 10^-s``, exact powers up to 10^22), so it is the float64 nearest
    that decimal; the first k whose decimal reads back as the same float32 is kept. Starting at 7 loses nothing: a
    float32 lies within 6e-8 (relative) of its shortest decimal, closer than half a unit of the 7th digit, so when
    the shortest has 7 digits or fewer the nearest 7-digit decimal is that one, with zeros after it (0.98 is
    0.980000 is the same float64). Values beyond the range of exact powers (below 1e-14 or above 1e22), and any left
    over, go through NumPy's own shortest repr: the same result, several times slower."""
    shape = values.shape
    a = np.asarray(values, dtype=np.float32).ravel()
    x = a.astype(np.float64)
    out = x.copy()
    todo = np.isfinite(x) & (x != 0)
    magnitude = np.zeros_like(x)
    magnitude[todo] = np.floor(np.log10(np.abs(x[todo])))
    far = todo & ((magnitude < -14) | (magnitude > 22))  # 10^s for s = digits − 1 − magnitude must be exact
    todo &= ~far
    for digits in (7, 8, 9):
        idx = np.flatnonzero(todo)
        if idx.size == 0:
            break
        s = (digits - 1 - magnitude[idx]).astype(np.int64)
        v, scale, up = x[idx], _TENS[np.abs(s)], s >= 0
        n = np.where(up, np.round(v * scale), np.round(v / scale))
        y = np.where(up, n / scale, n * scale)
        hit = y.astype(np.float32) == a[idx]
        out[idx[hit]] = y[hit]
        todo[idx[hit]] = False
    rest = np.flatnonzero(todo | far)
    if rest.size:
        out[rest] = a[rest].astype(str).astype(np.float64)  # NumPy's str of a float32 is its shortest round-trip repr
    return out.reshape(shape)


def pack_history(history: dict[str, list[float]]) -> dict[str, torch.Tensor]:
    """A run's metric histories as float64 tensors: exact for Python floats (NaN included), and pickled as one
    block each instead of one object per value (a thousand-epoch stack's checkpoint is written in milliseconds)."""
    return {k: torch.tensor(v, dtype=torch.float64) for k, v in history.items()}


def unpack_history(history: dict) -> dict[str, list[float]]:
    """The inverse of :func:`pack_history`; lists (checkpoints of earlier versions) are taken as they are."""
    return {k: v.tolist() if isinstance(v, torch.Tensor) else list(v) for k, v in history.items()}


def outcome_state(o: Outcome) -> dict:
    """An outcome as plain values and tensors (arrays and histories become tensors for ``torch.save``)."""
    d = dict(o.__dict__)
    d["kernels"] = [torch.from_numpy(k) for k in o.kernels]
    d["biases"] = [torch.from_numpy(b) for b in o.biases]
    d["history"] = pack_history(o.history)
    return d


def outcome_from_state(d: dict) -> Outcome:
    """The inverse of :func:`outcome_state`."""
    d = dict(d)
    d["kernels"] = [k.numpy() for k in d["kernels"]]
    d["biases"] = [b.numpy() for b in d["biases"]]
    d["history"] = unpack_history(d["history"])
    return Outcome(**d)


class Trainer(Protocol):
    """What a state is read from: :class:`reglab.engine.StackTrainer` (named here by its parts, as the trainer
    imports this module)."""

    epoch: int
    active: list[int]
    configs: list[RunConfig]
    stack: StackedMLP
    optimizer: Any
    best: torch.Tensor | None
    generators: list[torch.Generator]
    stoppers: dict[int, EarlyStopping]
    history: dict[int, dict[str, list[float]]]
    outcomes: dict[int, Outcome]


class Snapshot:
    """A trainer's state at one moment between epochs, kept for a later :meth:`state_dict`.

    Tensors are copied now; histories are kept as their lengths, and cut back to them when the state
    is written, as a history only grows. Finished runs' outcomes never change once made. Taking one
    costs a copy of the parameters, moments and best weights: about one optimiser step's memory traffic.
    """

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        optimizer = trainer.optimizer.state_dict()
        self.epoch, self.step_count, self.active = trainer.epoch, optimizer["step_count"], trainer.active
        self.configs = list(trainer.configs)
        self.params, self.moment1, self.moment2 = trainer.stack.params.clone(), optimizer["moment1"], optimizer["moment2"]
        self.best = None if trainer.best is None else trainer.best.clone()
        self.generators = [g.get_state() for g in trainer.generators]
        self.stoppers = {i: s.state_dict() for i, s in trainer.stoppers.items()}
        self.lengths = {i: {k: len(v) for k, v in h.items()} for i, h in trainer.history.items()}
        self.outcomes = dict(trainer.outcomes)

    def state_dict(self) -> dict:
        """The trainer's state (see the module docstring) at the moment the snapshot was taken: the one layout of a saved state."""
        history = self.trainer.history
        return {
            "epoch": self.epoch,
            "step_count": self.step_count,
            "active": list(self.active),
            "configs": [c.model_dump(mode="json", by_alias=True) for c in self.configs],
            "params": self.params,
            "moment1": self.moment1,
            "moment2": self.moment2,
            "best": self.best,
            "generators": self.generators,
            "stoppers": self.stoppers,
            "history": {i: pack_history({k: history[i][k][:n] for k, n in lengths.items()}) for i, lengths in self.lengths.items()},
            "outcomes": {i: outcome_state(o) for i, o in self.outcomes.items()},
        }


@dataclass(frozen=True)
class RestoredState:
    """A saved state read back, in the trainer's own types (run indices as ints)."""

    epoch: int
    active: list[int]
    configs: list[RunConfig]
    params: torch.Tensor
    optimizer: dict  # as StackOptimizer.state_dict()
    best: torch.Tensor | None
    generators: list[torch.Tensor]
    stoppers: dict[int, dict]
    history: dict[int, dict[str, list[float]]]
    outcomes: dict[int, Outcome]


def read_state(state: dict, n_runs: int) -> RestoredState:
    """Reads a :meth:`Snapshot.state_dict` back; ``n_runs`` is the number of runs of the trainer it goes to."""
    if len(state["configs"]) != n_runs:
        raise ValueError(f"The state holds {len(state['configs'])} runs but this trainer has {n_runs}.")
    return RestoredState(
        epoch=state["epoch"],
        active=list(state["active"]),
        configs=[RunConfig.model_validate(c) for c in state["configs"]],
        params=state["params"],
        optimizer={k: state[k] for k in ("step_count", "moment1", "moment2")},
        best=state["best"],
        generators=list(state["generators"]),
        stoppers={int(i): s for i, s in state["stoppers"].items()},
        history={int(i): unpack_history(h) for i, h in state["history"].items()},
        outcomes={int(i): outcome_from_state(o) for i, o in state["outcomes"].items()},
    )
