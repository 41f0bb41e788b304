"""The pruner's questions for a whole batch at one rung, answered from one read of the study.

``trial.should_prune()`` reads the whole study for every trial that asks (Optuna's pruners compare a
trial with every other trial's record at the same rung), so a batch of B trials at a rung costs B
full reads; on a shared database that is most of a short study's time. :class:`RungView` reads the
study once, after the batch has reported, and lets the study's own pruner answer each trial in turn
against that copy. What the pruner writes (successive halving records each trial's value at the
rung it completed) goes to the storage as usual and into the copy, so trial k of the batch sees the
records of trials 1 … k − 1, exactly as k sequential ``should_prune`` calls would. Records that
other workers write between the read and the last answer are seen at the next rung instead.
"""

from __future__ import annotations

import copy
from collections.abc import Container
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

__all__ = ["RungView"]


class _WriteThrough:
    """The storage as the pruner uses it: system attributes written to the storage at once, and to the
    view's copies when the question is answered (:meth:`settle`). A pruner reads the study before it
    writes, so within one answer it never sees its own record; the next trial's answer does."""

    def __init__(self, storage: optuna.storages.BaseStorage, trials: dict[int, FrozenTrial]) -> None:
        self._storage, self._trials = storage, trials
        self._pending: list[tuple[int, str, Any]] = []

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._storage.set_trial_system_attr(trial_id, key, value)
        self._pending.append((trial_id, key, value))

    def settle(self) -> None:
        for trial_id, key, value in self._pending:
            if trial_id in self._trials:
                self._trials[trial_id].system_attrs[key] = value
        self._pending.clear()

    def __getattr__(self, name: str) -> Any:  # anything else the pruner might read goes to the real storage
        return getattr(self._storage, name)


class RungView:
    """A study read once, for the pruner's questions of one batch at one rung (see the module docstring)."""

    def __init__(self, study: optuna.Study) -> None:
        # a failed trial's rung records are left out: it was interrupted (or its worker died), it is re-asked and its
        # retry reports again; counting both would let an interruption change what is pruned
        self._trials = [_own_copy(t) for t in study.get_trials(deepcopy=False) if t.state != TrialState.FAIL]
        self._by_id = {t._trial_id: t for t in self._trials}
        self._storage = _WriteThrough(study._storage, self._by_id)  # what a pruner reads of a study: these four
        self.pruner, self.direction, self.directions = study.pruner, study.direction, study.directions

    def get_trials(self, deepcopy: bool = True, states: Container[TrialState] | None = None) -> list[FrozenTrial]:
        trials = [t for t in self._trials if states is None or t.state in states]
        return copy.deepcopy(trials) if deepcopy else trials

    def should_prune(self, trial: optuna.Trial) -> bool:
        """The study's pruner on ``trial`` as this view holds it (its reports included)."""
        try:
            return self.pruner.prune(self, self._by_id[trial._trial_id])
        finally:
            self._storage.settle()


def _own_copy(trial: FrozenTrial) -> FrozenTrial:
    """A shallow copy whose system attributes and intermediate values can change without touching the study's cache."""
    mine = copy.copy(trial)
    mine.system_attrs = dict(trial.system_attrs)
    mine.intermediate_values = dict(trial.intermediate_values)
    return mine
