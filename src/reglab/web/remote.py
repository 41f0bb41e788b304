"""A run that trains in a worker process, as the server's request handlers see it (:mod:`reglab.web.workers`).

:class:`RemoteRun` answers as a :class:`~reglab.web.session.PlaygroundRun` does (state, status, commands,
heartbeats, streams), and keeps what the worker sends: the latest frame, with every curve point since
the stream last took one (frames that came between two takes are merged, as the page paints only the
latest), the run's state and whether it waits for a free core. The idle rules are the same and are
kept here, where the page's heartbeats arrive; the worker process only trains.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from typing import Any, Protocol

from reglab.web.models import RunRequest
from reglab.web.presence import Presence

__all__ = ["RemoteRun", "WorkerLine"]


class WorkerLine(Protocol):
    """The server's line to the worker process that trains a run (:class:`reglab.web.workers.Worker`)."""

    def ask(self, run: RemoteRun, kind: str, payload: Any) -> Future: ...

    def send(self, message: tuple) -> None: ...


class RemoteRun(Presence):
    """The server's side of a run trained by ``worker`` (see the module docstring)."""

    def __init__(self, worker: WorkerLine, run_id: str, request: RunRequest, owner: str | None, idle_timeout: float) -> None:
        self._watched(owner, idle_timeout)
        self.id, self.request, self.worker = run_id, request, worker
        self.state, self.epoch, self.waiting = "paused", 0, False
        self.cap, self.models = request.epochs, len(request.models)
        self._frame: dict | None = None
        self._trace: list[dict] = []
        self._fresh = False
        self.built = False  # the worker has made it (the idle clock starts then)

    @property
    def alive(self) -> bool:
        return self.state != "cancelled"

    def status(self) -> dict:
        return {"id": self.id, "state": self.state, "epoch": self.epoch, "epochs": self.cap, "models": self.models, "waiting": self.waiting}

    def command(self, kind: str, payload: Any = None) -> Future:
        """Sends a command to the worker; the future holds its answer (or the error it raised)."""
        self.heard()
        return self.worker.ask(self, kind, payload)

    def cancel(self, wait: float | None = None) -> None:
        """Ends the run here at once and in its worker soon (``wait`` is accepted for the same calls as a local run)."""
        with self._cond:
            if self.state == "cancelled":
                return
            self.state = "cancelled"
        self.worker.send(("cancel", self.id))
        self._notify()

    def take(self) -> dict | None:
        """The latest frame with every curve point since the last take, or None when nothing is new."""
        with self._cond:
            self._last_seen = time.monotonic()
            if not self._fresh:
                return None
            frame = {**self._frame, "trace": self._trace}
            self._trace, self._fresh = [], False
            return frame

    def made(self) -> None:
        """The worker has built the run: its client's time starts now."""
        with self._cond:
            self.built, self._last_seen, self._heard = True, time.monotonic(), time.monotonic()

    def idle(self) -> bool:
        """Gone for ``idle_timeout``: no heartbeat from its page, or (without an owner) no stream attached."""
        with self._cond:
            return self.built and self._gone()

    # from the worker ---------------------------------------------------------------------------

    def received(self, kind: str, body: Any) -> None:
        """A frame, a status or the end of the run, sent by the worker."""
        with self._cond:
            if kind == "frame":
                reset = body["reset"] or (self._fresh and self._frame["reset"])
                if body["reset"]:
                    self._trace = []
                self._trace += body["trace"]
                self._frame, self._fresh = {**body, "reset": reset}, True
                self.epoch = body["epoch"]
            elif kind == "status" and self.state != "cancelled":
                self.state, self.epoch, self.waiting, self.cap = body["state"], body["epoch"], body["waiting"], body["epochs"]
            elif kind == "ended":
                self.state = "cancelled"
        self._notify()
