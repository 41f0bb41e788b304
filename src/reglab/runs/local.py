"""Stacks trained one after another in this process, with checkpoints between epochs and on Ctrl-C.

:func:`train_stacks` trains a list of :class:`reglab.runs.plan.StackJob` in order (see :func:`reglab.runs.train_runs`
for what is saved when); it drives each :class:`reglab.engine.StackTrainer` epoch by epoch and, between epochs, lets
the thread governor (:mod:`reglab.runs.threads`) follow the machine's load: the policy lives here, the engine only
computes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from reglab.engine import EpochReport, StackTrainer
from reglab.runs.checkpoint import Ledger, Saver
from reglab.runs.plan import StackJob
from reglab.runs.threads import GOVERNOR

__all__ = ["SNAPSHOT_EVERY", "OnEpoch", "OnStack", "train_stack", "train_stacks"]

SNAPSHOT_EVERY = 0.5  # seconds of training an interruption may cost: the state is copied at most this often

OnEpoch = Callable[[int, EpochReport], None]

OnStack = Callable[[int, "float | None"], None]  # (stack, seconds it trained; None when restored from a checkpoint)


def train_stacks(
    jobs: Iterable[StackJob],
    ledger: Ledger,
    states: dict[int, dict],
    *,
    device: str = "cpu",
    on_epoch: OnEpoch | None = None,
    on_stack: OnStack | None = None,
    saver: Saver | None = None,
) -> bool:
    """Trains ``jobs`` one after another, resuming a stack from ``states`` when it holds its group; each
    finished run goes into ``ledger``. Returns whether anything trained. On KeyboardInterrupt the latest
    consistent state is saved (inside a stack by :func:`train_stack`, between stacks here) and it is raised again."""
    trained = False
    inside = False
    try:
        for job in jobs:
            start = time.perf_counter()
            trainer = StackTrainer(job.configs, job.splits, device=device, dtype=job.dtype)
            if job.group in states:
                trainer.load_state_dict(states[job.group])
            inside = True
            train_stack(trainer, job.group, on_epoch, saver)
            inside = False
            trained = True
            for k, i in enumerate(job.members):
                ledger.done[i] = trainer.outcomes[k]
                ledger.configs[i] = trainer.configs[k]
            seconds = time.perf_counter() - start
            if saver is not None and saver.worth():
                saver(None, None)
            if on_stack is not None:  # after the save: a stack said done is on disk when it was worth it
                on_stack(job.group, seconds)
    except KeyboardInterrupt:
        if saver is not None and not inside:
            saver(None, None)
        raise
    return trained


def train_stack(trainer: StackTrainer, g: int, on_epoch: OnEpoch | None, saver: Saver | None) -> None:
    """Trains one stack; with ``saver``, checkpoints between epochs when it is due and writes the latest
    consistent state on KeyboardInterrupt: the state now when the interrupt arrives between epochs (in
    ``on_epoch``), else the last snapshot. Snapshots are taken between epochs at most every
    :data:`SNAPSHOT_EVERY` seconds (a copy of the weights and moments costs about a tenth of a small
    epoch) and before each save; a resumed run retrains from the snapshot's epoch to the same numbers."""
    taken = time.monotonic()
    snapshot = trainer.snapshot() if saver is not None else None
    between = False  # True while the trainer rests between two epochs
    GOVERNOR.tick()  # the thread count follows the machine's load (reglab.runs.threads), looked at between epochs
    try:
        for report in trainer.epochs():
            GOVERNOR.tick()
            between = True
            if on_epoch is not None:
                on_epoch(g, report)
            if saver is not None:
                now = time.monotonic()
                if now - taken >= SNAPSHOT_EVERY or saver.due():
                    snapshot, taken = trainer.snapshot(), now
                if saver.due():
                    saver(g, snapshot.state_dict())
            between = False
    except KeyboardInterrupt:
        if saver is not None:
            saver(g, (trainer.snapshot() if between else snapshot).state_dict())
        raise
