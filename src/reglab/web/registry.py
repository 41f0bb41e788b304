"""The runs one playground server keeps alive, who owns each, and the cap on how many, under one lock.

A page owns at most one run. It makes a random owner token when it loads and sends it with every
request; a new run of the same owner replaces the old one in the same step under the lock that files
it, so that however many requests one page sends together, it never holds two runs. A run made
without an owner (a script using the API) is its own owner.

A new run takes a place first (:meth:`RunRegistry.reserve`): the count of alive runs and of places
being filled is checked and raised in one step under the lock, so that however many requests arrive
together, and however long each then spends loading its data and building its run, no more than
``limit`` runs are ever alive (each holds its data, its stack and two threads: the limit bounds the
server's memory; how fast each trains is :mod:`reglab.web.budget`'s business). A request that is
refused has built nothing and ended nothing; a place whose run could not be built (bad data, an unknown
upload) is given back. A place whose owner asked for yet another run while it was being filled is
superseded: it stops counting, its run is ended as soon as it is built, and the newest request wins.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from reglab.web.session import PlaygroundRun

__all__ = ["RunLimitReached", "RunRegistry", "Superseded"]


class RunLimitReached(RuntimeError):
    """Every place is taken: ``limit`` runs are alive or being built."""


class Superseded(RuntimeError):
    """The owner asked for a newer run while this one was being built; it was ended."""


class Place:
    """A place reserved for one run while it is built; :meth:`fill` files the run in it."""

    def __init__(self, registry: RunRegistry, owner: str | None) -> None:
        self._registry, self.owner = registry, owner
        self.filled = self.superseded = False

    def fill(self, run: PlaygroundRun) -> None:
        """Files ``run``; Superseded (after ending the run) when its owner asked for a newer one meanwhile."""
        registry = self._registry
        with registry._lock:
            self.filled = True
            if not self.superseded:
                registry._reserved -= 1
                registry._runs[run.id] = run
                if self.owner is not None:
                    registry._owners[self.owner] = run
        if self.superseded:
            run.cancel()
            raise Superseded("This page asked for a newer run while this one was being made; the newer one is kept.")


class RunRegistry:
    """Runs by id and by owner, at most ``limit`` of them alive or being built (see the module docstring)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._runs: dict[str, PlaygroundRun] = {}
        self._owners: dict[str, PlaygroundRun | Place] = {}  # each owner's run, or the place of the run being made
        self._reserved = 0  # places taken by runs still being built
        self._lock = threading.Lock()

    @contextmanager
    def reserve(self, owner: str | None = None) -> Iterator[Place]:
        """A place for one run of ``owner``, given back on leaving unless the run was filed in it with
        ``place.fill(run)``. The owner's previous run is ended (and forgotten) in the same step; a place of
        the owner still being filled is superseded. RunLimitReached when every place is taken."""
        replaced = None
        with self._lock:
            self._forget_ended()
            previous = self._owners.get(owner) if owner is not None else None
            freed = 0 if previous is None else 1  # the owner's run, or the place of the one being made, gives way
            if len(self._runs) + self._reserved - freed >= self.limit:
                raise RunLimitReached(
                    f"This server keeps at most {self.limit} runs alive at once (each holds memory), and every place is "
                    "taken; close a playground tab or try again later."
                )
            if isinstance(previous, Place):
                previous.superseded = True  # it no longer counts: its run is ended as soon as it is built
                self._reserved -= 1
            elif previous is not None:
                replaced = self._runs.pop(previous.id, None)
            self._reserved += 1
            place = Place(self, owner)
            if owner is not None:
                self._owners[owner] = place
        if replaced is not None:
            replaced.cancel()  # its threads end within moments; its place is free already
        try:
            yield place
        finally:
            if not place.filled:
                with self._lock:
                    self._reserved -= 0 if place.superseded else 1
                    if owner is not None and self._owners.get(owner) is place:
                        del self._owners[owner]

    def find(self, run_id: str) -> PlaygroundRun | None:
        """The run of ``run_id`` while it is alive; None once it has ended (it is then forgotten)."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is not None and not run.alive:
                self._forget(run)
                run = None
            return run

    def remove(self, run_id: str) -> PlaygroundRun | None:
        """Forgets the run of ``run_id`` and returns it (None when there is none); the caller ends it."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is not None:
                self._forget(run)
            return run

    def alive(self) -> list[PlaygroundRun]:
        """The runs that have not ended, in the order they started."""
        with self._lock:
            return [run for run in self._runs.values() if run.alive]

    def owners(self) -> int:
        """Distinct owners of the alive runs (a run made without an owner counts as its own)."""
        with self._lock:
            return len({run.owner or run.id for run in self._runs.values() if run.alive})

    def remove_all(self) -> list[PlaygroundRun]:
        """Forgets every run and returns them, for the server's shutdown to end."""
        with self._lock:
            runs, self._runs, self._owners = list(self._runs.values()), {}, {}
            return runs

    def _forget(self, run: PlaygroundRun) -> None:
        del self._runs[run.id]
        if run.owner is not None and self._owners.get(run.owner) is run:
            del self._owners[run.owner]

    def _forget_ended(self) -> None:
        for run in [run for run in self._runs.values() if not run.alive]:
            self._forget(run)
