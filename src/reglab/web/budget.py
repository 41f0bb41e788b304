"""The server's cores, shared by its runs in turn: a budget of training threads.

The budget holds ``cores`` slots, one per core the server may use. A run's worker takes slots before
it trains a frame's epochs (a few tens of milliseconds) and gives them back before the frame is handed
on to its drawer, which builds it with one thread beside the training ones. Each slot is one torch
thread: the holder sets its own thread's count to the slots it got (torch keeps that count per thread),
so the threads training at once never exceed the cores.

Turns are round-robin: whoever asks queues at the back, and the head of the queue gets a slot as soon
as one is free, so 30 runs on 16 cores all progress, each at about 16/30 of its speed alone, and none
waits more than a round. A lone asker (nobody behind it in the queue) gets as many free slots as it
wants, so that one run on a quiet machine trains with every core; while others wait, each turn is one
slot. A waiter wakes within :data:`POLL_S` to check whether it should give up (its run was paused or
ended), so that a queue never holds a run that no longer wants to train.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

__all__ = ["POLL_S", "CoreBudget"]

POLL_S = 0.05  # a waiter checks this often whether it should give up


class CoreBudget:
    """``cores`` slots handed out in turn (see the module docstring)."""

    def __init__(self, cores: int) -> None:
        if cores < 1:
            raise ValueError(f"The 'cores' parameter must be an int >= 1. Got {cores!r} instead.")
        self.cores = cores
        self._free = cores
        self._queue: deque[object] = deque()
        self._cond = threading.Condition()

    def acquire(self, want: int = 1, give_up: Callable[[], bool] = lambda: False, on_wait: Callable[[], None] | None = None) -> int:
        """Waits for this caller's turn and returns the slots it got (1 to ``want``); 0 when ``give_up()``
        became true while it waited. ``on_wait()`` is called once, outside the lock, if it has to wait."""
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            granted = self._grant(ticket, want)
        if granted:
            return granted
        if on_wait is not None:
            on_wait()
        with self._cond:
            while True:
                granted = self._grant(ticket, want)
                if granted:
                    return granted
                if give_up():
                    self._queue.remove(ticket)
                    self._cond.notify_all()
                    return 0
                self._cond.wait(POLL_S)

    def release(self, slots: int) -> None:
        """Gives back ``slots`` taken with :meth:`acquire`."""
        with self._cond:
            self._free += slots
            assert self._free <= self.cores, "more slots given back than were taken"
            self._cond.notify_all()

    @property
    def waiting(self) -> int:
        """Askers in the queue now."""
        with self._cond:
            return len(self._queue)

    def _grant(self, ticket: object, want: int) -> int:
        if self._queue[0] is not ticket or self._free == 0:
            return 0
        slots = min(max(1, want), self._free) if len(self._queue) == 1 else 1
        self._free -= slots
        self._queue.popleft()
        self._cond.notify_all()
        return slots
