"""Stacks spread over worker processes: this process and spawned ones, each with its share of the cores.

:func:`train_spread` gives the stacks of one call to several workers, each with its share of the cores as a fixed
thread count (:func:`reglab.runs.costs.threaded_first` says which stacks are worth it). Measured on 2 cores: small
stacks (steps of a few hundred microseconds of Python and dispatch, which a second thread barely speeds up) train
1.39× faster in two processes than in one; two big stacks in two processes contend for memory and gain nothing over
threads; beside a busy process each worker slows down by its share, where two threads of one process wait on each
other (see :mod:`reglab.runs.threads`).

Every worker takes the next stack of one shared list whenever it is free, the longest (estimated) first
(:func:`reglab.runs.costs.longest_first`): the last to start are the short ones, so the workers end close together
whatever the estimate's error. A stack trains the same in any worker (one fixed thread count), so the results do
not depend on which worker took it. Each worker keeps its own checkpoint file
(:func:`reglab.runs.checkpoint.worker_path`), holding what that worker finished and the state of its stack in
training; a resumed call reads every file of the path, with any number of workers, and a stack resumes in whichever
worker takes it.

A worker process stops like the command: Ctrl-C or SIGTERM saves its state and it ends (a second signal during the
save is ignored); it dies with this process (``PR_SET_PDEATHSIG``), after saving.
"""

from __future__ import annotations

import io
import os
import pickle
import queue as queues
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch

from reglab.config import RunConfig
from reglab.engine import EpochReport, Outcome, flush_subnormals
from reglab.errors import ReglabError
from reglab.runs.checkpoint import Ledger, Saver, read_checkpoint, worker_path
from reglab.runs.checkpoint import _ledger as ledger_of
from reglab.runs.costs import longest_first
from reglab.runs.local import OnEpoch, OnStack, train_stacks
from reglab.runs.plan import StackJob
from reglab.runs.threads import set_threads, threads_fixed

__all__ = ["WorkerError", "train_spread"]

class WorkerError(ReglabError):
    """A worker process ended without its results (killed, or out of memory)."""


def _claimed(jobs: Sequence[StackJob], counter, taken: list[StackJob]) -> Iterator[StackJob]:
    """The jobs this worker takes, one at a time, from the list all workers share (``counter``: the next free one)."""
    while True:
        with counter.get_lock():
            k = counter.value
            counter.value = k + 1
        if k >= len(jobs):
            return
        taken.append(jobs[k])
        yield jobs[k]


@dataclass
class _Order:
    """What a worker process is asked to do."""

    worker: int
    parent: int  # the pid it must outlive no more
    jobs: list[StackJob]  # every job, in the order workers take them
    device: str
    threads: int
    checkpoint: str | None
    fingerprint: list
    every: float
    epochs: bool  # send every epoch's report
    states: bytes  # torch.save of the saved states of stacks in training, by group


def train_spread(
    jobs: Sequence[StackJob],
    ledger: Ledger,
    states: dict[int, dict],
    *,
    workers: int,
    threads: int,
    fingerprint: list,
    checkpoint: str | Path | None = None,
    every: float = 30.0,
    device: str = "cpu",
    on_epoch: OnEpoch | None = None,
    on_stack: OnStack | None = None,
) -> dict[int, tuple[Outcome, RunConfig]]:
    """Trains ``jobs`` on ``workers`` workers (this process and spawned ones) of ``threads`` threads each. Each worker
    takes the next job of one shared list, longest estimated first (:func:`longest_first`), whenever it is free.
    This process's finished runs go into ``ledger`` (the one of its own checkpoint file); the outcome and config of
    every run the other workers trained are returned, by run index. Their reports reach ``on_epoch`` and
    ``on_stack`` here, between this process's epochs and while it waits for them."""
    import multiprocessing

    shared = longest_first(jobs)
    context = multiprocessing.get_context("spawn")
    counter = context.Value("i", 0)
    inbox = context.Queue()
    buffer = io.BytesIO()
    torch.save(states, buffer)
    children = {}
    for k in range(1, workers):
        path = None if checkpoint is None else str(worker_path(checkpoint, k))
        order = _Order(k, os.getpid(), shared, device, threads, path, fingerprint, every, on_epoch is not None, buffer.getvalue())
        children[k] = context.Process(target=_work, args=(order, counter, inbox), name=f"reglab-worker-{k}", daemon=True)
    results: dict[int, tuple[Outcome, RunConfig]] = {}
    waiting = set(children)
    post = _Postman(inbox, children, waiting, results, on_epoch, on_stack)
    saver = Saver.to(checkpoint, fingerprint, ledger, every)
    own: list[StackJob] = []

    def mine(g: int, report: EpochReport) -> None:
        post.collect(block=False)
        if on_epoch is not None:
            on_epoch(g, report)

    try:
        with _no_sigint():  # until a worker sets its own handler, Ctrl-C must not stop it half-imported
            for child in children.values():
                child.start()
        with threads_fixed(threads):
            train_stacks(_claimed(shared, counter, own), ledger, states, device=device, on_epoch=mine, on_stack=on_stack, saver=saver)
        if saver is not None and own:
            saver(None, None)
        while waiting:
            post.collect(block=True)
    except BaseException:
        post.stop()
        raise
    finally:
        for child in children.values():
            if child.pid is not None:
                child.join(timeout=5)
                if child.exitcode is None:
                    child.kill()
        inbox.close()
    return results


@contextmanager
def _no_sigint() -> Iterator[None]:
    """SIGINT ignored in the block (from the main thread only), so that processes started in it inherit that."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _Postman:
    """The parent's side of the workers' queue: forwards reports, gathers results, notices a dead worker."""

    def __init__(self, inbox, children, waiting: set[int], results: dict, on_epoch, on_stack) -> None:
        self.inbox, self.children, self.waiting, self.results = inbox, children, waiting, results
        self.on_epoch, self.on_stack = on_epoch, on_stack
        self.last = 0.0
        self.started: set[int] = set()  # workers that reached their own code (imports and the script are behind them)

    def collect(self, block: bool) -> None:
        """Handles the messages waiting (without ``block``: at most every 50 ms), or waits for the next one."""
        now = time.monotonic()
        if not block and now - self.last < 0.05:
            return
        self.last = now
        while True:
            try:
                message = self.inbox.get(timeout=0.5) if block else self.inbox.get_nowait()
            except queues.Empty:
                if block:
                    self._check_alive()
                    if self.waiting:
                        continue
                return
            self._handle(message)
            block = False

    def _handle(self, message: tuple) -> None:
        kind, worker, *rest = message
        if kind == "started":
            self.started.add(worker)
        elif kind == "epoch" and self.on_epoch is not None:
            self.on_epoch(*rest)
        elif kind == "stack" and self.on_stack is not None:
            self.on_stack(*rest)
        elif kind == "done":
            self.results.update(rest[0])
            self.waiting.discard(worker)
        elif kind == "stopped":
            self.waiting.discard(worker)
            raise KeyboardInterrupt
        elif kind == "error":
            self.waiting.discard(worker)
            raise rest[0]

    def _check_alive(self) -> None:
        for k in list(self.waiting):
            code = self.children[k].exitcode
            if code is not None:
                time.sleep(0.1)  # its last message may still be in the pipe
                try:
                    while True:
                        self._handle(self.inbox.get_nowait())
                except queues.Empty:
                    pass
                if k in self.waiting:
                    self.waiting.discard(k)
                    if k not in self.started and code > 0:
                        raise WorkerError(
                            f"Training worker {k} failed while starting (exit code {code}; its error is printed above). A script "
                            "that calls train_runs(..., workers=N) must call it under 'if __name__ == \"__main__\":', as each "
                            "worker process imports the script."
                        )
                    raise WorkerError(
                        f"Training worker {k} ended without its results (exit code {code}: killed, or out of memory); "
                        "run the same command again to resume from the checkpoint."
                    )

    def stop(self) -> None:
        """Asks every worker still at work to save and stop (SIGINT), and waits up to a minute for them."""
        for k in self.waiting:
            child = self.children[k]
            if child.pid is not None and child.exitcode is None:
                try:
                    os.kill(child.pid, signal.SIGINT)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 60
        while self.waiting and time.monotonic() < deadline:
            try:
                kind, worker, *_ = self.inbox.get(timeout=0.2)
            except queues.Empty:
                self.waiting -= {k for k in self.waiting if self.children[k].exitcode is not None}
                continue
            if kind in ("done", "stopped", "error"):
                self.waiting.discard(worker)


def _stop_once(signum, frame) -> None:
    """The first SIGINT or SIGTERM stops the worker as Ctrl-C would; later ones are ignored while it saves."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _die_with(parent: int) -> None:
    """SIGTERM to this process when its parent dies (Linux); stops at once if the parent is already gone."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        raise KeyboardInterrupt


def _work(order: _Order, counter, outbox) -> None:
    """A worker process: trains its stacks with its own checkpoint file and sends reports and results."""
    signal.signal(signal.SIGINT, _stop_once)
    signal.signal(signal.SIGTERM, _stop_once)
    k = order.worker
    outbox.put(("started", k))
    try:
        _die_with(order.parent)
        flush_subnormals()
        set_threads(order.threads)
        states = torch.load(io.BytesIO(order.states), weights_only=True)
        ledger = ledger_of(read_checkpoint(order.checkpoint, order.fingerprint)) if order.checkpoint else Ledger()
        saver = Saver.to(order.checkpoint, order.fingerprint, ledger, order.every)
        on_epoch = (lambda g, report: outbox.put(("epoch", k, g, report))) if order.epochs else None
        taken: list[StackJob] = []
        train_stacks(
            _claimed(order.jobs, counter, taken), ledger, states, device=order.device, on_epoch=on_epoch,
            on_stack=lambda g, s: outbox.put(("stack", k, g, s)), saver=saver,
        )  # fmt: skip
        if saver is not None and taken:
            saver(None, None)  # whole: the parent may stop before it saves what this worker sends
        mine = {i: (ledger.done[i], ledger.configs[i]) for job in taken for i in job.members}
        outbox.put(("done", k, mine))
    except KeyboardInterrupt:
        outbox.put(("stopped", k))
    except BaseException as exc:  # sent to the parent, which raises it
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__} in training worker {k}: {exc}")
        outbox.put(("error", k, exc))
    finally:
        outbox.close()
        outbox.join_thread()
