"""The runs one playground server trains, and the limit on how many train at once, held under one lock.

A new run takes a place first (:meth:`RunRegistry.reserve`): the count of training runs and of places
being filled is checked and raised in one step under the lock, so that however many requests arrive
together, and however long each then spends loading its data and building its run, no more than
``limit`` runs ever train. A request that is refused has built nothing; a place whose run could not
be built (bad data, an unknown upload) is given back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from reglab.web.session import PlaygroundRun

__all__ = ["RunLimitReached", "RunRegistry"]


class RunLimitReached(RuntimeError):
    """Every place is taken: ``limit`` runs train or are being built."""


class Place:
    """A place reserved for one run while it is built; :meth:`fill` files the run in it."""

    def __init__(self, registry: RunRegistry) -> None:
        self._registry = registry
        self.filled = False

    def fill(self, run: PlaygroundRun) -> None:
        with self._registry._lock:
            self._registry._runs[run.id] = run
            self._registry._reserved -= 1
            self.filled = True


class RunRegistry:
    """Runs by id, at most ``limit`` of them training or being built at once (see the module docstring)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._runs: dict[str, PlaygroundRun] = {}
        self._reserved = 0  # places taken by runs still being built
        self._lock = threading.Lock()

    @contextmanager
    def reserve(self) -> Iterator[Place]:
        """A place for one run, given back on leaving unless the run was filed in it with ``place.fill(run)``;
        RunLimitReached when every place is taken."""
        with self._lock:
            self._forget_ended()
            if len(self._runs) + self._reserved >= self.limit:
                raise RunLimitReached(f"At most {self.limit} runs may train at once on this server; stop one first.")
            self._reserved += 1
        place = Place(self)
        try:
            yield place
        finally:
            if not place.filled:
                with self._lock:
                    self._reserved -= 1

    def find(self, run_id: str) -> PlaygroundRun | None:
        """The run of ``run_id`` while it is alive; None once it has ended (it is then forgotten)."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is not None and not run.alive:
                del self._runs[run_id]
                run = None
            return run

    def remove(self, run_id: str) -> PlaygroundRun | None:
        """Forgets the run of ``run_id`` and returns it (None when there is none); the caller ends it."""
        with self._lock:
            return self._runs.pop(run_id, None)

    def alive(self) -> list[PlaygroundRun]:
        """The runs that have not ended, in the order they started."""
        with self._lock:
            return [run for run in self._runs.values() if run.alive]

    def remove_all(self) -> list[PlaygroundRun]:
        """Forgets every run and returns them, for the server's shutdown to end."""
        with self._lock:
            runs, self._runs = list(self._runs.values()), {}
            return runs

    def _forget_ended(self) -> None:
        for run_id in [i for i, run in self._runs.items() if not run.alive]:
            del self._runs[run_id]
