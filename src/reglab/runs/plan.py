"""From a list of runs to the stacks that train them: which runs share a stack, their data, and whether it fits.

Runs that share an architecture, an optimiser family, a batch plan and data shapes train together as one stack
(:class:`reglab.engine.StackTrainer`, grouped by :func:`reglab.engine.stack_key`); a sweep of 64 configurations is
usually one stack. :func:`plan_stacks` decides the stacks once, and the same plan serves progress bars and
training; :meth:`StackPlan.jobs` lists what is left to train. Memory is checked before anything is built
(:mod:`reglab.runs.memory`).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from reglab.config import DataConfig, RunConfig
from reglab.data import Split, load
from reglab.engine import stack_key
from reglab.errors import given
from reglab.runs import memory
from reglab.runs.memory import stack_size

__all__ = ["Run", "StackJob", "StackPlan", "affordable_workers", "check_runs_memory", "grid", "group_runs", "plan_stacks"]


@dataclass(frozen=True)
class Run:
    """One run: a model configuration and the data it trains on."""

    config: RunConfig
    data: DataConfig = field(default_factory=DataConfig)


@dataclass
class StackJob:
    """One stack to train: its group number in the plan, the indices of its runs, their configs and data."""

    group: int
    members: list[int]
    configs: list[RunConfig]
    splits: list[Split]
    dtype: torch.dtype = torch.float32


@dataclass(frozen=True)
class StackPlan:
    """How a list of runs trains: which runs share a stack, the data of each run, each stack's epochs and precision."""

    groups: list[list[int]]  # run indices of each stack, stacks in order of first appearance
    splits: list[Split]  # one per run; runs with equal data configs share one Split object
    epochs: list[int]  # epochs of each stack (a stack may end sooner when all its runs stop early)
    dtypes: list[torch.dtype] = field(default_factory=list)  # of each stack; empty: float32 for all

    def dtype_of(self, g: int) -> torch.dtype:
        return self.dtypes[g] if self.dtypes else torch.float32

    def jobs(self, runs: Sequence[Run], skip: Iterable[int] = ()) -> list[StackJob]:
        """The stacks to train, in order: every group with a run not in ``skip`` (the runs already finished)."""
        skip = set(skip)
        return [
            StackJob(g, members, [runs[i].config for i in members], [self.splits[i] for i in members], self.dtype_of(g))
            for g, members in enumerate(self.groups)
            if not all(i in skip for i in members)
        ]


def plan_stacks(runs: Sequence[Run], dtype: torch.dtype | Sequence[torch.dtype] = torch.float32) -> StackPlan:
    """Loads each distinct data config once and groups the runs by :func:`reglab.engine.stack_key` and
    ``dtype`` (one for all runs, or one per run: runs of another precision never share a stack)."""
    dtypes = _per_run(dtype, len(runs))
    loaded: dict[DataConfig, Split] = {}
    for run in runs:
        if run.data not in loaded:
            loaded[run.data] = load(run.data)
    splits = [loaded[run.data] for run in runs]
    groups: dict[Hashable, list[int]] = {}
    for i, (run, split) in enumerate(zip(runs, splits)):
        groups.setdefault((stack_key(run.config, split), dtypes[i]), []).append(i)
    members = list(groups.values())
    epochs = [runs[g[0]].config.epochs for g in members]
    return StackPlan(groups=members, splits=splits, epochs=epochs, dtypes=[dtypes[g[0]] for g in members])


def _per_run(dtype: torch.dtype | Sequence[torch.dtype], n: int) -> list[torch.dtype]:
    if isinstance(dtype, torch.dtype):
        return [dtype] * n
    dtypes = list(dtype)
    if len(dtypes) != n:
        raise ValueError(f"dtype must be one torch.dtype or one per run ({n}). Got {len(dtypes)} instead.")
    return dtypes


def group_runs(runs: Sequence[Run]) -> list[list[int]]:
    """Indices of the runs that can train as one stack, groups in order of first appearance."""
    return plan_stacks(runs).groups


def grid(
    base: RunConfig, data: DataConfig | None = None, seeds: Iterable[int] = (0,), split_per_seed: bool = True, **axes: Sequence[Any]
) -> list[Run]:
    """The product of ``axes`` (config field -> values) × ``seeds``, each run derived from ``base``.

    With ``split_per_seed`` each seed also draws its own data and split (``data.seed``), so
    intervals over seeds cover both the initialisation and the sample; otherwise the data is fixed.
    """
    given(base, "base", "grid", RunConfig)
    given(data, "data", "grid", DataConfig, optional=True)
    data = data or DataConfig()
    names = list(axes)
    seeds = list(seeds)
    for seed in {min(seeds, default=0), max(seeds, default=0)}:  # the seeds' range, validated by the configs' own rule
        base.replace(seed=seed), data.replace(seed=seed)
    datas = {seed: data.model_copy(update={"seed": seed}) if split_per_seed else data for seed in seeds}
    runs = []
    for values in itertools.product(*(axes[n] for n in names)):
        point = base.replace(**dict(zip(names, values)))  # validated once per grid point; seeds are copied in
        for seed in seeds:
            runs.append(Run(point.model_copy(update={"seed": seed}), datas[seed]))
    return runs


def check_runs_memory(runs: Sequence[Run], plan: StackPlan, device: str, checkpoint: bool) -> None:
    """Refuses the runs (:class:`reglab.runs.memory.MemoryLimitError`) when their largest stack would
    not fit in the memory available on ``device`` (see :mod:`reglab.runs.memory`)."""
    sizes = [stack_size(job.configs, job.splits, job.dtype) for job in plan.jobs(runs)]
    memory.check_memory(sizes, memory.available_bytes(device), checkpoint=checkpoint)


def affordable_workers(workers: int, jobs: Sequence[StackJob], device: str, checkpoint: bool) -> int:
    """At most ``workers``, and no more than the largest stacks, trained at once, fit in the memory available."""
    available = memory.available_bytes(device)
    if workers <= 1 or available is None:
        return max(workers, 1)
    need = sorted((memory.stack_bytes(stack_size(j.configs, j.splits, j.dtype), checkpoint) for j in jobs), reverse=True)
    while workers > 1 and sum(need[:workers]) > available:
        workers -= 1
    return workers


def precision_mark(plan: StackPlan, n: int) -> list:
    """What the fingerprint adds for runs not in float32 (nothing when all are: older checkpoints stay valid)."""
    per_run = ["float32"] * n
    for members, dtype in zip(plan.groups, plan.dtypes):
        for i in members:
            per_run[i] = str(dtype).removeprefix("torch.")
    return [] if set(per_run) <= {"float32"} else [("dtypes", ",".join(per_run))]
