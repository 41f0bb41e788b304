"""What a stack's training costs on this machine, measured here: the model that balances stacks over worker processes.

A training step of a stack costs a fixed part (about twenty small ops: Python and torch's dispatch, whatever the
sizes) plus a part per multiply-accumulate of its forward pass (the backward and the optimiser scale with it).
Both depend on the CPU, its caches and its flags, so they are measured, not assumed: on first use in a process,
:func:`machine_costs` trains two small stacks on one thread for about a fifth of a second in all (a 2→4→1 model
for the fixed part, then eight 2→256→256→1 models for the part per multiply-accumulate) and keeps the result for
the process. A worker process's start (the interpreter, torch and reglab imported) is not worth measuring by
starting one: it is taken as 2.05 s, measured on the reference machine, scaled by how much slower or faster this
machine's fixed step part is than that machine's 0.4 ms (both are Python- and import-bound), within 1 to 10 s.

Only :func:`reglab.workers.worth_spreading` reads absolute seconds (is a second process worth its start?);
:func:`reglab.workers.longest_first` uses the estimates only to order stacks.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

__all__ = ["Costs", "machine_costs"]

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
    from reglab.engine.threads import threads_fixed

    split = load(DataConfig(dataset="moons", n_samples=400, val_size=0.0, test_size=0.2, seed=0))  # 320 rows: 10 steps
    with threads_fixed(1):
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
