"""From a list of runs to a list of results: :func:`train_runs` and :func:`train`, read as their stages.

1. plan: the stacks (:func:`reglab.runs.plan.plan_stacks`) and the memory they need;
2. resume: what the checkpoint files of earlier calls hold (:mod:`reglab.runs.checkpoint`);
3. share: the stacks left to train, here (threaded) or over worker processes (:mod:`reglab.runs.costs`);
4. train: in this process (:mod:`reglab.runs.local`) and in the workers (:mod:`reglab.runs.spread`);
5. collect: one :class:`reglab.runs.results.RunResult` per run, in the order of the runs; the checkpoint files go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import torch
from pydantic import BaseModel

from reglab.config import DataConfig, RunConfig
from reglab.engine import EpochReport, Outcome
from reglab.errors import ConfigError, given, received
from reglab.runs.checkpoint import Ledger, Saver, checkpoint_files, read_saved, runs_fingerprint
from reglab.runs.costs import threaded_first, worth_spreading
from reglab.runs.local import train_stacks
from reglab.runs.plan import Run, StackJob, StackPlan, affordable_workers, check_runs_memory, plan_stacks, precision_mark
from reglab.runs.results import RunResult, result_of
from reglab.runs.spread import train_spread
from reglab.runs.threads import GOVERNOR, available_cores, fixed_threads

__all__ = ["runs_given", "train", "train_runs"]


def train_runs(
    runs: Sequence[Run],
    plan: StackPlan | None = None,
    *,
    device: str = "cpu",
    dtype: torch.dtype | Sequence[torch.dtype] | None = None,
    on_epoch: Callable[[int, EpochReport], None] | None = None,
    on_stack: Callable[[int, float | None], None] | None = None,
    checkpoint: str | Path | None = None,
    checkpoint_every: float = 30.0,
    keep_checkpoint: bool = False,
    check_memory: bool = True,
    workers: int = 1,
) -> list[RunResult]:
    """Trains every run, stacked by group, and returns one result per run in the same order.

    ``plan`` is :func:`plan_stacks` of ``runs`` (made here when not given, with ``dtype``: float32 by
    default, one dtype for all runs or one per run). ``on_epoch(group_index, report)`` is called after
    each epoch of each stack, groups numbered as in ``plan.groups``; ``on_stack(group_index, seconds)``
    when a stack has finished (``seconds`` None for the stacks a checkpoint already holds).

    With ``workers`` > 1 the stacks are spread over that many processes (this one and spawned ones,
    :mod:`reglab.runs.spread`), each with an equal share of the cores (``--threads`` or the cores this
    process may use) as its fixed thread count; the results are the same as with one worker. A script that
    asks for workers must start from ``if __name__ == "__main__":`` (worker processes are spawned and import it).

    Before anything is built, each stack's memory is estimated (:mod:`reglab.runs.memory`) and the
    runs are refused with :class:`reglab.runs.memory.MemoryLimitError` when the largest stack would
    not fit in the memory available on ``device`` (``check_memory=False`` skips this); workers that
    would together need more than is available are fewer.

    With ``checkpoint`` (a file path) the state is saved between epochs every ``checkpoint_every``
    seconds, after a stack (unless the last save is more recent than ten times its own cost), and on
    KeyboardInterrupt: then the state after a *completed* epoch (the latest, or one at most
    :data:`reglab.runs.local.SNAPSHOT_EVERY` seconds older when the interrupt arrives inside an epoch) is written,
    never a half-done epoch's, so calling again with the same runs and path gives bit for bit the results of an
    uninterrupted call. Each worker has its own file (``checkpoint``, ``checkpoint.worker1``, …;
    :func:`reglab.runs.checkpoint.checkpoint_files`). The files are removed once every run has finished, unless
    ``keep_checkpoint`` (a caller with later steps keeps them: then everything is in ``checkpoint`` and the next
    call returns the saved results without training). A file that is not a readable checkpoint of these runs is
    refused with :class:`reglab.errors.DataError`.
    """
    runs = runs_given(runs, "train_runs")
    plan = _plan(runs, plan, dtype)
    if check_memory:
        check_runs_memory(runs, plan, device, checkpoint is not None)
    fingerprint = runs_fingerprint(runs) + precision_mark(plan, len(runs))
    ledgers, states = read_saved(checkpoint, fingerprint)
    done = {i: o for saved in ledgers.values() for i, o in saved.done.items()}
    configs = {i: c for saved in ledgers.values() for i, c in saved.configs.items()}
    jobs = plan.jobs(runs, skip=done)
    if on_stack is not None:
        for g in sorted(set(range(len(plan.groups))) - {job.group for job in jobs}):
            on_stack(g, None)
    workers = min(workers, len(jobs))
    if check_memory:
        workers = affordable_workers(workers, jobs, device, checkpoint is not None)
    here, spread = _share(jobs, workers)
    ledger = ledgers.get(Path(checkpoint), Ledger()) if checkpoint is not None else Ledger()  # this process's file
    saver = Saver.to(checkpoint, fingerprint, ledger, checkpoint_every)
    train_stacks(here, ledger, states, device=device, on_epoch=on_epoch, on_stack=on_stack, saver=saver)
    if spread:
        workers = min(workers, len(spread))
        threads = max(1, (fixed_threads() or available_cores()) // workers)
        trained = train_spread(
            spread, ledger, states, workers=workers, threads=threads, fingerprint=fingerprint, checkpoint=checkpoint,
            every=checkpoint_every, device=device, on_epoch=on_epoch, on_stack=on_stack,
        )  # fmt: skip
        for i, (outcome, config) in trained.items():
            done[i], configs[i] = outcome, config
    done.update(ledger.done)
    configs.update(ledger.configs)
    if checkpoint is not None:
        _tidy(checkpoint, fingerprint, ledger, done, configs, keep=keep_checkpoint, trained=bool(jobs), every=checkpoint_every)
    return [result_of(configs[i], runs[i].data, plan.splits[i], done[i]) for i in range(len(runs))]


def _plan(runs: list[Run], plan: StackPlan | None, dtype: torch.dtype | Sequence[torch.dtype] | None) -> StackPlan:
    if plan is None:
        return plan_stacks(runs, torch.float32 if dtype is None else dtype)
    if dtype is not None:
        raise ValueError("Give the dtype to plan_stacks(runs, dtype) when a plan is given.")
    if len(plan.splits) != len(runs):
        raise ValueError(f"The plan is for {len(plan.splits)} runs but {len(runs)} runs were given: make it with plan_stacks(runs).")
    return plan


def _share(jobs: list[StackJob], workers: int) -> tuple[list[StackJob], list[StackJob]]:
    """The jobs to train in this process, and those to spread over ``workers`` processes (none when not worth it)."""
    if workers <= 1:
        return jobs, []
    here, spread = threaded_first(jobs, fixed_threads() or GOVERNOR.free_cores())
    return (here, spread) if worth_spreading(spread, workers) else (jobs, [])


def _tidy(
    checkpoint: str | Path, fingerprint: list, ledger: Ledger, done: dict[int, Outcome], configs: dict[int, RunConfig],
    *, keep: bool, trained: bool, every: float,
) -> None:  # fmt: skip
    """Removes the checkpoint files once every run has finished; with ``keep``, first gathers everything in the
    caller's own file, so that the next call trains nothing."""
    others = [p for p in checkpoint_files(checkpoint) if p != Path(checkpoint)]
    if keep and (trained or others):
        ledger.done.update(done)
        ledger.configs.update(configs)
        Saver.to(checkpoint, fingerprint, ledger, every)(None, None)
    for path in others + ([] if keep else [Path(checkpoint)]):
        path.unlink(missing_ok=True)


def runs_given(runs: Any, owner: str) -> list[Run]:
    """``runs`` as a list; a ConfigError unless it is a list (or other iterable) of Run objects."""
    if isinstance(runs, (str, bytes, dict, Run, BaseModel)) or not isinstance(runs, Iterable):
        raise ConfigError(f"The 'runs' parameter of {owner} must be a list of Run (e.g. reglab.grid(RunConfig(), DataConfig(), "
                          f"seeds=range(3))). Got {received(runs)} instead.")  # fmt: skip
    runs = list(runs)
    wrong = next((i for i, run in enumerate(runs) if not isinstance(run, Run)), None)
    if wrong is not None:
        raise ConfigError(f"The 'runs' parameter of {owner} must hold only Run objects (e.g. Run(RunConfig(), DataConfig())). "
                          f"Got {received(runs[wrong])} at index {wrong} instead.")  # fmt: skip
    return runs


def train(config: RunConfig | None = None, data: DataConfig | None = None, **kwargs: Any) -> RunResult:
    """Trains one run and returns its result (keyword arguments go to :func:`train_runs`)."""
    given(config, "config", "train", RunConfig, optional=True)
    given(data, "data", "train", DataConfig, optional=True)
    return train_runs([Run(config or RunConfig(), data or DataConfig())], **kwargs)[0]
