"""One playground run: a :class:`~reglab.engine.StackTrainer` driven frame by frame in a worker thread.

The worker thread owns the trainer: nothing else touches it. Requests reach it as commands (play,
pause, step, reset, a model's change, a change of the shared training settings, a snapshot for export),
each answered through a ``concurrent.futures.Future`` and applied between epochs, so that every change
goes on from the current weights (:mod:`reglab.web.changes`) and is marked on the charts.

Training runs on until paused. With an epochs cap the run pauses ("finished") at every multiple of it;
a run also finishes when every model has stopped early or diverged. Play on a finished run goes on: to
the next multiple of the cap, and with the models that stopped early taking up training again.

The worker trains a frame's epochs holding slots of the server's :class:`~reglab.web.budget.CoreBudget`,
one torch thread per slot, and says so while it waits for its turn (``waiting``, streamed as a status
event). The budget is the playground's one thread policy: the engine sets no thread count of its own,
and the governor of :mod:`reglab.runs.threads`, which the command line's drivers tick, is never ticked
here (in a worker process the budget has one slot, so each run trains on one thread). While playing it
trains ``epochs_per_frame`` epochs (or, when that is None, whole epochs until :data:`FRAME_INTERVAL` is
used up, at most ``LIMITS["epochs_per_frame"]``), hands a snapshot to the drawer thread and waits until
the drawer is free and the stream has taken the last frame: a slow client slows training instead of
piling frames up. Per-epoch curves accumulate until taken, so none is lost when several epochs share a
frame. The drawer builds frames from copies (:func:`reglab.web.frames.snapshot`) with one thread of its
own, so the next epochs train while the last ones are drawn.

The run ends (both threads exit) when it is cancelled, or when its client has gone for
``idle_timeout`` seconds: for a page's run (one with an owner), when the page has sent no heartbeat
(it sends them only while it is visible, so a hidden tab's run ends even with its stream open); for
a run made without an owner, when no stream has been attached for that long.
"""

from __future__ import annotations

import secrets
import threading
import time
from concurrent.futures import Future
from typing import Any

import torch

from reglab.data import Split
from reglab.engine import EpochReport, StackTrainer, flush_subnormals
from reglab.web import frames, plane
from reglab.web.budget import CoreBudget
from reglab.web.commands import RunCommands
from reglab.web.models import LIMITS, RunRequest
from reglab.web.presence import Presence

__all__ = ["FRAME_INTERVAL", "PlaygroundRun", "RunGone"]

FRAME_INTERVAL = 1 / 30  # seconds of training per frame while playing, when epochs_per_frame is None


class RunGone(RuntimeError):
    """The run was cancelled or timed out; its threads have ended."""


class PlaygroundRun(RunCommands, Presence):
    """A run's worker and drawer threads, its commands and its latest frame (see the module docstring)."""

    def __init__(
        self, request: RunRequest, split: Split, *, idle_timeout: float = 30.0, budget: CoreBudget | None = None,
        owner: str | None = None, run_id: str | None = None,
    ) -> None:  # fmt: skip
        self._watched(owner, idle_timeout)
        self.id = run_id or secrets.token_hex(8)
        self.request, self.split = request, split
        self.inputs = request.input_features()
        self.features = plane.input_split(split, self.inputs)  # what the models train on
        self.configs = request.run_configs()
        self.context = frames.frame_context(self.id, request, split, self.features)
        self.budget = budget or CoreBudget(1)
        self.state = "paused"  # paused | playing | finished | cancelled
        self.epoch = 0
        self.cap, self.epochs_per_frame = request.epochs, request.epochs_per_frame  # None: no cap; as fast as it goes
        self.lams = [m.lam for m in request.models]  # each model's λ as last set (kept while its penalty is none)
        self.marks: list[dict] = []
        self.waiting = False  # waiting for a free core
        self._commands: list[tuple[str, Any, Future]] = []
        self._pending: frames.FrameInputs | None = None  # handed over, not yet picked up by the drawer
        self._generation = 0
        self._frame: dict | None = None
        self._trace: list[dict] = []
        self._seq = self._taken = 0
        self._worker = threading.Thread(target=self._work, name=f"reglab-run-{self.id}", daemon=True)
        self._drawer = threading.Thread(target=self._draw, name=f"reglab-run-{self.id}-frames", daemon=True)
        self._worker.start()
        self._drawer.start()
        if request.autoplay:
            self.command("play")

    @property
    def grid(self) -> plane.PlaneGrid:
        return self.context.grid

    @property
    def held_out(self) -> str:
        return self.context.held_out

    # requests (any thread) ---------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        """False once the run is cancelled (its threads end within moments)."""
        return self.state != "cancelled"

    def command(self, kind: str, payload: Any = None) -> Future:
        """Queues a command for the worker; the future holds its result (or the error it raised)."""
        future: Future = Future()
        with self._cond:
            if self.state == "cancelled":
                future.set_exception(RunGone(f"Run {self.id} has ended."))
                return future
            self._heard = time.monotonic()
            self._commands.append((kind, payload, future))
            self._cond.notify_all()
        return future

    def cancel(self, wait: float | None = None) -> None:
        """Ends the run; with ``wait``, joins its threads for at most that many seconds each."""
        with self._cond:
            self.state = "cancelled"
            self._cond.notify_all()
        if wait is not None:
            for thread in (self._worker, self._drawer):
                if thread is not threading.current_thread():
                    thread.join(wait)

    def take(self) -> dict | None:
        """The latest frame with every curve point since the last take, or None when nothing is new."""
        with self._cond:
            self._last_seen = time.monotonic()
            if self._frame is None or self._taken == self._seq:
                return None
            frame = {**self._frame, "trace": self._trace, "marks": list(self.marks)}
            self._trace = []
            self._taken = self._seq
            self._cond.notify_all()
            return frame

    def status(self) -> dict:
        return {
            "id": self.id, "state": self.state, "epoch": self.epoch, "epochs": self.cap, "models": len(self.configs),
            "waiting": self.waiting,
        }  # fmt: skip

    # worker ------------------------------------------------------------------------------------

    def _work(self) -> None:
        flush_subnormals()
        torch.get_num_threads()  # torch's count of this thread starts here; each frame's training sets it
        try:
            self._start_trainer()
            while True:
                with self._cond:
                    self._cond.wait_for(self._has_work, timeout=0.5)
                    if self.state == "cancelled" or self._gone():
                        self.state = "cancelled"
                        break
                    commands, self._commands = self._commands, []
                step, marks = False, len(self.marks)
                for kind, payload, future in commands:
                    try:
                        future.set_result(self._apply(kind, payload))
                        step = step or kind == "step"
                    except Exception as exc:  # the requester sees it; the run goes on
                        future.set_exception(exc)
                if self.state == "playing" and self._ready() or step:
                    self._train(one_epoch=step and self.state != "playing")
                elif len(self.marks) != marks or any(kind == "settings" for kind, _, _ in commands):
                    self._hand_over(self._snapshot(0, 0.0))  # a change while nothing trains: shown at once
        finally:
            with self._cond:
                self.state = "cancelled"
                for _, _, future in self._commands:
                    future.set_exception(RunGone(f"Run {self.id} has ended."))
                self._commands = []
                self._cond.notify_all()
            self._notify()

    def _ready(self) -> bool:
        """The drawer has picked up the last snapshot and the stream has taken every published frame."""
        return self._pending is None and self._taken == self._seq

    def _has_work(self) -> bool:
        return bool(self._commands) or self.state == "playing" and self._ready() or self.state == "cancelled"

    def _start_trainer(self) -> None:
        self.trainer = StackTrainer(self.configs, [self.features] * len(self.configs))
        self.epoch = 0
        with self._cond:
            self._generation += 1
            self._pending, self._trace, self.marks = None, [], []
        self._hand_over(self._snapshot(0, 0.0, reset=True))

    def _train(self, one_epoch: bool) -> None:
        """Trains one frame's epochs with the cores the budget gives, then hands a snapshot to the drawer."""
        give_up = lambda: self.state == "cancelled" or not one_epoch and bool(self._commands)  # noqa: E731
        slots = self.budget.acquire(self.budget.cores, give_up, on_wait=lambda: self._set_waiting(True))
        self._set_waiting(False)
        if not slots:
            return  # a command came while it waited: it is applied first
        try:
            torch.set_num_threads(slots)
            inputs = self._train_epochs(one_epoch)
        finally:
            self.budget.release(slots)
        self._hand_over(inputs)

    def _train_epochs(self, one_epoch: bool) -> frames.FrameInputs:
        start, epochs = time.perf_counter(), 0
        wanted = 1 if one_epoch else self.epochs_per_frame
        stop_at = None if self.cap is None else (self.epoch // self.cap + 1) * self.cap
        for report in self.trainer.epochs():
            epochs += 1
            self.epoch = report.epoch
            self._record(report)
            if wanted is not None and epochs >= wanted or self._commands or stop_at is not None and self.epoch >= stop_at:
                break
            if wanted is None and (epochs >= LIMITS["epochs_per_frame"] or time.perf_counter() - start >= FRAME_INTERVAL):
                break
        if not self.trainer.active or self.state == "playing" and stop_at is not None and self.epoch >= stop_at:
            self.state = "finished"
        return self._snapshot(epochs, time.perf_counter() - start)

    def _snapshot(self, epochs: int, train_s: float, reset: bool = False) -> frames.FrameInputs:
        return frames.snapshot(self.trainer, self.context, self._generation, self.state, epochs, train_s, reset)

    def _record(self, report: EpochReport) -> None:
        row = frames.trace_row(report, self.context.task)
        with self._cond:
            self._trace.append(row)

    def _hand_over(self, inputs: frames.FrameInputs) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._pending is None or self.state == "cancelled")
            self._pending = inputs
            self._cond.notify_all()

    def _mark(self, model: int | None, text: str) -> None:
        with self._cond:
            self.marks.append({"epoch": self.epoch, "model": model, "text": text})

    def _set_waiting(self, waiting: bool) -> None:
        with self._cond:
            changed, self.waiting = self.waiting != waiting, waiting
        if changed:
            self._notify()

    # drawer ------------------------------------------------------------------------------------

    def _draw(self) -> None:
        flush_subnormals()
        torch.get_num_threads()
        torch.set_num_threads(1)  # beside the training threads of the budget: drawing pipelines with training
        ended = lambda: self.state == "cancelled" and not self._worker.is_alive()  # noqa: E731
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or ended(), timeout=0.5)
                if self._pending is None:
                    if ended():
                        return
                    continue
                inputs, self._pending = self._pending, None
                self._cond.notify_all()
            frame = frames.build_frame(inputs, self.context)
            with self._cond:
                if inputs.generation == self._generation:
                    self._frame = frame
                    self._seq += 1
                    self._cond.notify_all()
            self._notify()
