"""One playground run: a :class:`~reglab.engine.StackTrainer` driven epoch by epoch in a worker thread.

The worker thread owns the trainer: nothing else touches it. Requests reach it as commands (play,
pause, step, reset, a hyperparameter change, a snapshot for export), each answered through a
``concurrent.futures.Future`` and applied between epochs, so a change of λ, penalty or learning rate
goes on from the current weights.

Frames are drawn in a second thread, from copies (:func:`reglab.web.frames.snapshot`), so that on
two cores the next epochs train while the last ones are drawn. While playing, the worker trains
``epochs_per_frame`` epochs (or, when that is None, whole epochs until :data:`FRAME_INTERVAL` is
used up), hands the snapshot over and waits until the drawer is free and the stream has taken the
last frame: a slow client slows training instead of piling frames up. Per-epoch curves accumulate
until taken, so none is lost when several epochs share a frame.

The run ends (both threads exit) when it is cancelled, or when no stream has been attached for
``idle_timeout`` seconds: a client that goes away leaves no training thread behind.
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
from reglab.measures.ceiling import data_ceiling
from reglab.regularizers import make_regularizer
from reglab.web import frames
from reglab.web.models import HyperparameterChange, RunRequest

__all__ = ["FRAME_INTERVAL", "PlaygroundRun", "RunGone"]

FRAME_INTERVAL = 1 / 30  # seconds of training per frame while playing, when epochs_per_frame is None
MAX_EPOCHS_PER_FRAME = 200


class RunGone(RuntimeError):
    """The run was cancelled or timed out; its threads have ended."""


class PlaygroundRun:
    """A run's worker and drawer threads, its commands and its latest frame (see the module docstring)."""

    def __init__(self, request: RunRequest, split: Split, *, idle_timeout: float = 30.0, threads: int | None = 1) -> None:
        self.id = secrets.token_hex(8)
        self.request, self.split = request, split
        self.configs = request.run_configs()
        self.held_out = "val" if len(split.X_val) else "test"
        y = frames.raw_target(split) if split.task == "regression" else None
        self.target_range = (float(y.min()), float(y.max())) if y is not None else (0.0, 1.0)
        target = (*self.target_range, split.y_mean, split.y_scale)
        activation, grid = self.configs[0].activation, frames.plane_grid(split)
        ceiling = data_ceiling(split.config, split.task)
        self.context = frames.FrameContext(self.id, split.task, activation, grid, target, split.majority_rate, self.held_out, ceiling)
        self.idle_timeout, self.threads = idle_timeout, threads
        self.state = "paused"  # paused | playing | finished | cancelled
        self.epoch = 0
        self.marks: list[dict] = []
        self._cond = threading.Condition()
        self._commands: list[tuple[str, Any, Future]] = []
        self._pending: frames.FrameInputs | None = None  # handed over, not yet picked up by the drawer
        self._drawing = False
        self._generation = 0
        self._frame: dict | None = None
        self._trace: list[dict] = []
        self._seq = self._taken = 0
        self._consumers = 0
        self._last_seen = time.monotonic()
        self._listeners: list = []  # callables run (from the drawer) when a frame is published
        self._worker = threading.Thread(target=self._work, name=f"reglab-run-{self.id}", daemon=True)
        self._drawer = threading.Thread(target=self._draw, name=f"reglab-run-{self.id}-frames", daemon=True)
        self._worker.start()
        self._drawer.start()
        if request.autoplay:
            self.command("play")

    @property
    def grid(self) -> frames.PlaneGrid:
        return self.context.grid

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

    def attach(self, listener) -> None:
        """A stream starts reading; ``listener()`` is called on every new frame."""
        with self._cond:
            self._consumers += 1
            self._listeners.append(listener)
            self._last_seen = time.monotonic()
        listener()

    def detach(self, listener) -> None:
        with self._cond:
            self._consumers -= 1
            self._listeners.remove(listener)
            self._last_seen = time.monotonic()

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
        return {"id": self.id, "state": self.state, "epoch": self.epoch, "epochs": self.request.epochs, "models": len(self.configs)}

    # worker ------------------------------------------------------------------------------------

    def _work(self) -> None:
        flush_subnormals()
        if self.threads is not None:
            torch.set_num_threads(self.threads)
        try:
            self._start_trainer()
            while True:
                with self._cond:
                    self._cond.wait_for(self._has_work, timeout=0.5)
                    if self.state == "cancelled" or self._idle():
                        self.state = "cancelled"
                        break
                    commands, self._commands = self._commands, []
                step = False
                for kind, payload, future in commands:
                    try:
                        future.set_result(self._apply(kind, payload))
                        step = step or kind == "step"
                    except Exception as exc:  # the requester sees it; the run goes on
                        future.set_exception(exc)
                if self.state == "playing" and self._ready() or step:
                    self._train(one_epoch=step and self.state != "playing")
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

    def _idle(self) -> bool:
        return self._consumers == 0 and time.monotonic() - self._last_seen > self.idle_timeout

    def _start_trainer(self) -> None:
        self.trainer = StackTrainer(self.configs, [self.split] * len(self.configs))
        self.epoch = 0
        with self._cond:
            self._generation += 1
            self._pending, self._trace, self.marks = None, [], []
        self._hand_over(0, 0.0, reset=True)

    def _apply(self, kind: str, payload: Any) -> Any:
        if kind == "play" and self.state != "finished":
            self.state = "playing"
        elif kind == "pause" and self.state == "playing":
            self.state = "paused"
        elif kind == "step" and self.state == "finished":
            raise ValueError("The run has finished: every model reached its last epoch or stopped early.")
        elif kind == "reset":
            self.configs = list(self.trainer.configs)
            self.state = "paused"
            self._start_trainer()
        elif kind == "change":
            return self._change(payload)
        elif kind == "snapshot":
            return self._export()
        return self.status()

    def _change(self, change: HyperparameterChange) -> dict:
        i = change.model
        if i >= len(self.configs):
            raise ValueError(f"The 'model' field must be below {len(self.configs)}, the number of compared models. Got {i} instead.")
        if i not in self.trainer.active:
            raise ValueError(f"Model {i} is not training any more (it finished or stopped early); reset to change it.")
        old = self.trainer.configs[i]
        lam = change.lam if change.lam is not None else max(old.penalty.l1, old.penalty.l2) or self.request.models[i].lam
        penalty = make_regularizer(change.penalty or old.penalty.kind, lam, lam, lam)
        self.trainer.set_hyperparameters(i, lr=change.lr, penalty=penalty, l1_method=change.l1_method)
        new = self.trainer.configs[i]
        with self._cond:
            self.marks.append({"epoch": self.epoch, "model": i, "text": f"{old.label}, lr {old.lr:g} → {new.label}, lr {new.lr:g}"})
        return {"model": i, "epoch": self.epoch, "label": new.label, "lr": new.lr}

    def _train(self, one_epoch: bool) -> None:
        """Trains one frame's epochs, then hands a snapshot to the drawer."""
        start, epochs = time.perf_counter(), 0
        wanted = 1 if one_epoch else self.request.epochs_per_frame
        for report in self.trainer.epochs():
            epochs += 1
            self.epoch = report.epoch
            self._record(report)
            if wanted is not None and epochs >= wanted or self._commands:
                break
            if wanted is None and (epochs >= MAX_EPOCHS_PER_FRAME or time.perf_counter() - start >= FRAME_INTERVAL):
                break
        if not self.trainer.active:
            self.state = "finished"
        self._hand_over(epochs, time.perf_counter() - start)

    def _record(self, report: EpochReport) -> None:
        score = "r2" if self.context.task == "regression" else "accuracy"
        row = {"epoch": report.epoch, "models": {}}
        for i, m in report.metrics.items():
            row["models"][i] = {
                "data_loss": m["data_loss"], "penalty": m["penalty"], "loss": m["loss"], "score": m[score],
                "val_data_loss": m.get("val_data_loss"), "val_score": m.get(f"val_{score}"),
            }  # fmt: skip
        with self._cond:
            self._trace.append(frames.finite(row))

    def _hand_over(self, epochs: int, train_s: float, reset: bool = False) -> None:
        inputs = frames.snapshot(self.trainer, self.context, self._generation, self.state, epochs, train_s, reset)
        with self._cond:
            self._cond.wait_for(lambda: self._pending is None or self.state == "cancelled")
            self._pending = inputs
            self._cond.notify_all()

    def _export(self) -> dict:
        """Weights and history of every model, for export."""
        weights = frames.model_weights(self.trainer)
        return {
            "epoch": self.epoch,
            "configs": [c.model_dump(mode="json", by_alias=True) for c in self.trainer.configs],
            "history": {str(i): h for i, h in self.trainer.history.items()},
            "weights": {str(i): {"kernels": [w.tolist() for w in k], "biases": [b.tolist() for b in bs]} for i, (k, bs) in weights.items()},
            "marks": list(self.marks),
        }

    # drawer ------------------------------------------------------------------------------------

    def _draw(self) -> None:
        flush_subnormals()
        if self.threads is not None:
            torch.set_num_threads(self.threads)
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

    def _notify(self) -> None:
        with self._cond:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()
