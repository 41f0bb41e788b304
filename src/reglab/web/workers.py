"""Worker processes that train the playground's runs, so that a server's runs use all of its cores.

A playground network is small: an epoch is thousands of tiny torch operations, each of which holds
Python's global interpreter lock for part of its time, so threads of one process cannot train side by
side on several cores (measured in bench/RESULTS.md: two training threads of one process together train
fewer epochs per second than one). Processes can. ``reglab serve`` starts up to one worker process per
core, lazily: one at start-up (warmed, so that the first run starts fast), another whenever a run comes
and every worker has one already. A run goes to the worker with the fewest runs; each worker trains its
runs in turn on one core (a :class:`~reglab.web.budget.CoreBudget` of 1: each frame's epochs hold it).

The server keeps a :class:`~reglab.web.remote.RemoteRun` per run and talks to the worker over a pipe:
the server sends ``create``, ``command`` and ``cancel``; the worker answers ``created`` (the run's data
for the page) or ``failed``, ``answer`` for each command, and sends every ``frame``, ``status`` and the
run's end (``ended``) as they come. The idle rules run in the server, where heartbeats arrive.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import secrets
import signal
import threading
from concurrent.futures import Future
from typing import Any

from reglab.errors import ReglabError
from reglab.web.models import RunRequest
from reglab.web.remote import RemoteRun
from reglab.web.session import RunGone

__all__ = ["Worker", "WorkerPool", "serve_runs"]

WATCH_S = 0.25  # how often the server looks for runs whose client has gone


class Worker:
    """One worker process, the pipe to it, and the ids of the runs it trains."""

    def __init__(self, pool: WorkerPool, number: int) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        self.pool, self.conn = pool, None
        parent, child = context.Pipe()
        self.process = context.Process(target=serve_runs, args=(child,), name=f"reglab-worker-{number}", daemon=True)
        self.process.start()
        child.close()
        self.conn, self.runs, self._send, self.ready = parent, set(), threading.Lock(), False
        self.reader = threading.Thread(target=self._read, name=f"reglab-worker-{number}-reader", daemon=True)
        self.reader.start()

    def send(self, message: tuple) -> None:
        with self._send:
            try:
                self.conn.send(message)
            except (BrokenPipeError, OSError):  # the process has ended; the reader has noticed or will
                pass

    def ask(self, run: RemoteRun, kind: str, payload: Any) -> Future:
        future: Future = Future()
        if not run.alive:
            future.set_exception(RunGone(f"Run {run.id} has ended."))
            return future
        self.send(("command", run.id, self.pool.expect(future, self), kind, payload))
        return future

    def _read(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                break
            self.pool.received(self, message)
        self.pool.lost(self)


class WorkerPool:
    """Up to ``size`` worker processes and the runs they train (see the module docstring)."""

    def __init__(self, size: int, idle_timeout: float) -> None:
        self.size, self.idle_timeout = size, idle_timeout
        self._workers: list[Worker] = []
        self._runs: dict[str, RemoteRun] = {}
        self._pending: dict[int, Future] = {}
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, name="reglab-workers-watchdog", daemon=True)

    def start(self) -> None:
        with self._lock:
            self._workers.append(Worker(self, next(self._numbers)))
        self._watchdog.start()

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            workers, self._workers = list(self._workers), []
        for worker in workers:
            worker.send(("stop",))
        for worker in workers:
            worker.process.join(5.0)
            if worker.process.is_alive():
                worker.process.terminate()

    def create(self, request: RunRequest, path: str | None, owner: str | None, features: list[str]) -> tuple[RemoteRun, dict]:
        """A new run trained by the least busy worker, and its data for the page; ReglabError when its data is refused."""
        worker = self._place()
        run = RemoteRun(worker, secrets.token_hex(8), request, owner, self.idle_timeout)
        made: Future = Future()
        with self._lock:
            self._runs[run.id] = run
            worker.runs.add(run.id)
        worker.send(("create", self.expect(future=made, worker=worker), run.id, request, path, features))
        try:
            meta = made.result(timeout=120)  # a worker still starting answers once it has warmed up
        except BaseException:
            self._forget(run)
            raise
        run.made()
        return run, meta

    def expect(self, future: Future, worker: Worker) -> int:
        """A number for a message to ``worker`` whose answer will settle ``future``."""
        with self._lock:
            asked = next(self._numbers)
            self._pending[asked] = (future, worker)
            return asked

    def counts(self) -> dict:
        """Worker processes started, and those ready (warmed up)."""
        with self._lock:
            return {"started": len(self._workers), "ready": sum(w.ready for w in self._workers)}

    # the workers' messages -----------------------------------------------------------------------

    def received(self, worker: Worker, message: tuple) -> None:
        kind = message[0]
        if kind == "ready":
            worker.ready = True
            return
        if kind in ("frame", "status", "ended"):
            run = self._runs.get(message[1])
            if run is not None:
                run.received(kind, message[2] if len(message) > 2 else None)
            if kind == "ended":
                self._forget(run)
            return
        with self._lock:
            future, _ = self._pending.pop(message[1], (None, None))
        if future is None:
            return
        ok, value = message[2], message[3]
        if ok == "ok":
            future.set_result(value)
        elif ok == "refused":
            future.set_exception(ReglabError(value))
        elif ok == "value":
            future.set_exception(ValueError(value))
        elif ok == "gone":
            future.set_exception(RunGone(value))
        else:
            future.set_exception(RuntimeError(value))

    def lost(self, worker: Worker) -> None:
        """A worker process ended (closed, or died): its runs end, and what waited on it is answered."""
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
            runs = [self._runs.get(i) for i in worker.runs]
            pending = [asked for asked, (_, to) in self._pending.items() if to is worker]
            pending = [self._pending.pop(asked)[0] for asked in pending]
        for run in runs:
            if run is not None:
                run.received("ended", None)
                self._forget(run)
        for future in pending:
            if not future.done():
                future.set_exception(RunGone("The worker process training the run has ended."))

    # placing and watching runs ---------------------------------------------------------------------

    def _place(self) -> Worker:
        with self._lock:
            if not self._workers:  # every worker has ended (one died): start afresh
                self._workers.append(Worker(self, next(self._numbers)))
            worker = min(self._workers, key=lambda w: len(w.runs))
            if worker.runs and len(self._workers) < self.size:
                worker = Worker(self, next(self._numbers))  # a new core for a new run
                self._workers.append(worker)
            return worker

    def _forget(self, run: RemoteRun | None) -> None:
        if run is None:
            return
        with self._lock:
            self._runs.pop(run.id, None)
            run.worker.runs.discard(run.id)

    def _watch(self) -> None:
        while not self._closed.wait(WATCH_S):
            with self._lock:
                runs = list(self._runs.values())
            for run in runs:
                if run.alive and run.idle():
                    run.cancel()
                if not run.alive:
                    self._forget(run)


def serve_runs(conn) -> None:
    """A worker process's life: builds and trains the runs the server sends, one core shared in turn."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the server says when to stop
    from reglab.web.budget import CoreBudget
    from reglab.web.plane import load_plane, warm_up
    from reglab.web.session import PlaygroundRun
    from reglab.web.streaming import run_data

    budget, runs, lock = CoreBudget(1), {}, threading.Lock()

    def send(message: tuple) -> None:
        with lock:
            try:
                conn.send(message)
            except (BrokenPipeError, OSError):
                pass

    def forward(run: PlaygroundRun):
        seen = [None, False]

        def listener() -> None:
            frame = run.take()
            if frame is not None:
                send(("frame", run.id, frame))
            now = (run.state, run.waiting, run.cap)
            if now != seen[0]:
                seen[0] = now
                send(("status", run.id, run.status()))
            if not run.alive and not seen[1]:
                seen[1] = True
                send(("ended", run.id))

        return listener

    def answer(asked: int, future: Future) -> tuple:
        error = future.exception()
        if error is None:
            return ("answer", asked, "ok", future.result())
        kind = "value" if isinstance(error, ValueError) else "gone" if isinstance(error, RunGone) else "error"
        return ("answer", asked, kind, str(error) if kind != "error" else f"{type(error).__name__}: {error}")

    warm_up()
    send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break
        kind = message[0]
        if kind == "stop":
            break
        if kind == "create":
            _, asked, run_id, request, path, features = message
            try:
                run = PlaygroundRun(request, load_plane(request, path), idle_timeout=math.inf, budget=budget, run_id=run_id)
            except ReglabError as exc:
                send(("answer", asked, "refused", str(exc)))
                continue
            except Exception as exc:  # the request sees it as a server error
                send(("answer", asked, "error", f"{type(exc).__name__}: {exc}"))
                continue
            runs[run_id] = run
            send(("answer", asked, "ok", run_data(run, features)))
            run.attach(forward(run))
        elif kind == "command":
            _, run_id, asked, command, payload = message
            run = runs.get(run_id)
            if run is None:
                send(("answer", asked, "gone", f"Run {run_id} has ended."))
                continue
            run.command(command, payload).add_done_callback(lambda future, asked=asked: send(answer(asked, future)))
        elif kind == "cancel":
            run = runs.pop(message[1], None)
            if run is not None:
                run.cancel()
    for run in runs.values():
        run.cancel(wait=2.0)
    conn.close()
    os._exit(0)  # no interpreter shutdown: torch's native threads would abort it ("terminate called ...")
