"""How many threads the engine's small batched GEMMs use, so that training holds up on a busy machine.

The matrices of a stack are small (a few hundred rows per batch), so each intra-op parallel region
lasts microseconds and its OpenMP threads meet at a barrier thousands of times per second. When
another process holds a core, a thread that waits for it stalls the whole region: measured on a
2-core machine, a 64-model sweep took 2.8× its quiet time beside one CPU-bound process with two
threads, and two reglab processes at once took 2.8× as long as one after the other. One thread
does not collapse, but on an idle machine it is about 1.4× slower than two.

The policy, applied between epochs by :class:`ThreadGovernor`:

* threads = the cores this process may run on, minus the cores that *other* processes kept busy
  since the last look (rounded up, so a neighbour that uses 0.3 of a core already costs one),
  and at least 1. "Busy" comes from ``/proc/stat`` (all processes) minus this process's own CPU
  time; elsewhere from the 1-minute load average.
* It looks again at most once per ``interval`` seconds (a read of ``/proc/stat``, microseconds),
  so a neighbour that starts or stops mid-sweep is followed within a second or so, and two reglab
  workers started together settle on one thread each after their first look.
* A fixed count wins over the policy: :func:`set_threads` (the CLI's ``--threads``), else the
  environment variable ``REGLAB_THREADS``, else an ``OMP_NUM_THREADS`` that the user set.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from reglab.errors import ConfigError

__all__ = ["GOVERNOR", "ThreadGovernor", "available_cores", "cpu_model", "fixed_threads", "set_threads", "threads_fixed"]

_fixed: int | None = None


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``; elsewhere what :mod:`platform` says), printed beside every time reglab
    states: a time holds for one CPU only (Intel cores, for one, compute subnormal floats through a slow path)."""
    import platform

    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def _parse(value: str, where: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise ConfigError(f"The '{where}' setting must be an int >= 1 (threads for training). Got {value!r} instead.")
    return n


def set_threads(n: int | None) -> None:
    """Fixes the thread count (``None``: back to the automatic policy, or the environment's)."""
    global _fixed
    if n is not None:
        n = _parse(str(n), "threads")
    _fixed = n


@contextmanager
def threads_fixed(n: int) -> Iterator[None]:
    """Fixes the thread count to ``n`` inside the block (a worker's share of the cores), then puts back what was set."""
    before = _fixed
    set_threads(n)
    try:
        yield
    finally:
        set_threads(before)


def fixed_threads() -> int | None:
    """The fixed thread count in force, if any: :func:`set_threads`, ``REGLAB_THREADS``, ``OMP_NUM_THREADS``."""
    if _fixed is not None:
        return _fixed
    for name in ("REGLAB_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "").strip()
        if value:
            return _parse(value, name)
    return None


def _busy_seconds() -> float | None:
    """CPU seconds spent by every process of the machine since boot (``/proc/stat``), or None."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    ticks = [int(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


class ThreadGovernor:
    """Sets torch's intra-op thread count from the load that other processes put on the machine."""

    FIRST_LOOK = 0.1  # seconds of the first look's window

    def __init__(self, interval: float = 1.0, cores: int | None = None) -> None:
        self.interval = interval  # seconds between two looks at the machine
        self.cores = cores or available_cores()
        self.threads: int | None = None  # the count set last
        self._last: tuple[float, float, float] | None = None  # (wall, machine busy, own cpu)

    def tick(self, force: bool = False) -> int:
        """Between epochs: looks again when ``interval`` has passed, and sets the thread count."""
        fixed = fixed_threads()
        if fixed is not None:
            return self._apply(fixed)
        if self._last is None:
            return self._apply(self.free_cores())
        now = time.monotonic()
        if not force and now - self._last[0] < self.interval:
            return self.threads or 1
        return self._apply(self._choose(now))

    def free_cores(self) -> int:
        """The cores this process may use now (at least 1), from a fresh short look at the machine: a first
        window of :attr:`FIRST_LOOK` seconds, since the load average it would otherwise fall back on lags by a minute."""
        self.others()
        time.sleep(self.FIRST_LOOK)
        return self._choose(time.monotonic())

    def others(self, now: float | None = None) -> float:
        """Cores kept busy by other processes since the last look (the load average at first)."""
        now = time.monotonic() if now is None else now
        busy, own = _busy_seconds(), time.process_time()
        last, self._last = self._last, (now, busy if busy is not None else math.nan, own)
        if busy is None or last is None or math.isnan(last[1]) or now - last[0] < 0.05:
            return self._load_average_others()
        elapsed = now - last[0]
        return max(0.0, ((busy - last[1]) - (own - last[2])) / elapsed)

    def _load_average_others(self) -> float:
        try:
            load = os.getloadavg()[0]
        except OSError:
            return 0.0
        # the 1-minute average includes this process: discount the threads it runs now
        return max(0.0, load - (self.threads or 0))

    def _choose(self, now: float) -> int:
        return max(1, self.cores - math.ceil(self.others(now) - 0.25))

    def _apply(self, n: int) -> int:
        if n != self.threads:
            import torch

            torch.set_num_threads(n)
            self.threads = n
        return n


GOVERNOR = ThreadGovernor()
"""The process's governor: what drives a trainer (:mod:`reglab.runs.local`, the tuner) calls ``GOVERNOR.tick()`` between epochs."""
