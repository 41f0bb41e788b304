"""What a stack's training costs on this machine, measured here: the model that balances stacks over worker processes.

A training step of a stack costs a fixed part (about twenty small ops: Python and torch's dispatch, whatever the
sizes) plus a part per multiply-accumulate of its forward pass (the backward and the optimiser scale with it).
Both depend on the CPU, its caches and its flags, so they are measured, not assumed: on first use in a process,
:func:`machine_costs` trains two small stacks on one thread for about a fifth of a second in all (a 2→4→1 model
for the fixed part, then eight 2→256→256→1 models for the part per multiply-accumulate) and keeps the result for
the process. A worker process's start (the interpreter, torch and reglab imported) is not worth measuring by
starting one: it is taken as 2.05 s, measured on the reference machine, scaled by how much slower or faster this
machine's fixed step part is than that machine's 0.4 ms (both are Python- and import-bound), within 1 to 10 s.

Only :func:`worth_spreading` reads absolute seconds (is a second process worth its start?); :func:`longest_first`
uses the estimates only to order stacks, and :func:`threaded_first` the multiply-accumulates only.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from reglab.runs.memory import StackSize, stack_size
from reglab.runs.plan import StackJob

__all__ = [
    "SPAWN_SECONDS", "THREADED_MACS", "Costs", "estimated_seconds", "longest_first", "machine_costs", "step_macs", "threaded_first",
    "worth_spreading",
]  # fmt: skip

REFERENCE_STEP = 4e-4  # the fixed part of a step on the reference machine (2-core Zen 4), seconds
REFERENCE_SPAWN = 2.05  # a worker process's start there, seconds


@dataclass(frozen=True)
class Costs:
    """Seconds of training on one core of this machine."""

    step: float  # the fixed part of one training step
    mac: float  # per multiply-accumulate of the forward pass, backward and optimiser included (float32)
    spawn: float  # a worker process's start

    def seconds(self, steps: int, macs_per_step: float) -> float:
        """Estimated seconds of ``steps`` steps of ``macs_per_step`` multiply-accumulates each (float32)."""
        return steps * (self.step + self.mac * macs_per_step)


@functools.cache
def machine_costs() -> Costs:
    """This machine's :class:`Costs`, measured on first use in this process (see the module docstring)."""
    from reglab.config import DataConfig, RunConfig
    from reglab.data import load
    from reglab.runs.threads import GOVERNOR, threads_fixed

    split = load(DataConfig(dataset="moons", n_samples=400, val_size=0.0, test_size=0.2, seed=0))  # 320 rows: 10 steps
    with threads_fixed(1):
        GOVERNOR.tick()
        small = _seconds_per_step(RunConfig(hidden=(4,), epochs=9, batch_size=32), 1, split)
        big = _seconds_per_step(RunConfig(hidden=(256, 256), epochs=3, batch_size=32), 8, split)
    macs = 8 * 32 * (2 * 256 + 256 * 256 + 256)
    step = max(small, 1e-6)
    mac = max(big - step, 0.0) / macs or 1e-12
    spawn = min(10.0, max(1.0, REFERENCE_SPAWN * step / REFERENCE_STEP))
    return Costs(step=step, mac=mac, spawn=spawn)


def _seconds_per_step(config, n_models: int, split) -> float:
    """Median seconds per step over the epochs after the first (which warms the buffers up)."""
    from reglab.engine import StackTrainer

    trainer = StackTrainer([config.replace(seed=s) for s in range(n_models)], [split] * n_models)
    steps = -(-len(split.X_train) // config.batch_size)
    times = []
    last = None
    for _ in trainer.epochs():
        now = time.perf_counter()
        if last is not None:
            times.append((now - last) / steps)
        last = now
    times.sort()
    return times[len(times) // 2]


def estimated_seconds(job: StackJob) -> float:
    """Rough seconds of training ``job`` on one core of this machine (:func:`machine_costs`), float64
    counted twice the multiply-accumulates."""
    size = stack_size(job.configs, job.splits, job.dtype)
    steps = job.configs[0].epochs * math.ceil(size.rows["train"] / size.batch)
    return machine_costs().seconds(steps, _macs(size) * size.element / 4)


SPAWN_SECONDS: float | None = None  # a worker process's start; None: this machine's estimate (machine_costs)


def worth_spreading(jobs: Sequence[StackJob], workers: int) -> bool:
    """Whether ``workers`` processes are worth their start: each one's share of the estimated work must be at least
    twice a worker's start (measured: the quick demo's 3 s of small stacks took 3.9 s on two processes, 3.1 s on one)."""
    if workers <= 1 or len(jobs) <= 1:
        return False
    spawn = machine_costs().spawn if SPAWN_SECONDS is None else SPAWN_SECONDS
    return sum(estimated_seconds(j) for j in jobs) / workers >= 2 * spawn


THREADED_MACS = 15e6  # multiply-accumulates per step from which a stack gains from threads more than from a second process


def step_macs(job: StackJob) -> float:
    """Multiply-accumulates of one training step's forward pass over the whole stack."""
    return _macs(stack_size(job.configs, job.splits, job.dtype))


def _macs(size: StackSize) -> float:
    return size.n_models * size.batch * sum(a * b for a, b in zip(size.sizes, size.sizes[1:]))


def threaded_first(jobs: Sequence[StackJob], cores: int) -> tuple[list[StackJob], list[StackJob]]:
    """The jobs to train first in this process with several threads, and the jobs to spread over processes.

    With ``cores`` ≥ 2 free, a stack of at least :data:`THREADED_MACS` per step trains threaded: its GEMMs
    scale with threads (1.5× on two cores), while two such stacks in two processes contend for memory
    (1.34× slower each, measured on 2 cores) and gain nothing. Small stacks are Python- and dispatch-bound:
    a second thread barely helps them, a second process doubles them. With fewer free cores (a busy
    machine) every stack is spread: processes of one thread each take their share of the cores where
    threads of one process would wait on each other."""
    if cores < 2:
        return [], list(jobs)
    big = [step_macs(j) >= THREADED_MACS for j in jobs]
    return [j for j, b in zip(jobs, big) if b], [j for j, b in zip(jobs, big) if not b]


def longest_first(jobs: Sequence[StackJob]) -> list[StackJob]:
    """The order in which workers take the jobs: longest estimated first (ties in job order), so that the
    last stacks to start are the short ones and the workers end close together."""
    costs = [estimated_seconds(j) for j in jobs]
    return [jobs[j] for j in sorted(range(len(jobs)), key=lambda j: (-costs[j], j))]
