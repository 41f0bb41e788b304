"""Stacks trained one after another in this process, or spread over worker processes.

:func:`train_stacks` trains a list of :class:`StackJob` in order, checkpointing as it goes (see
:func:`reglab.runs.train_runs` for what is saved when). :func:`train_spread` gives the stacks of one
call to several workers: this process and spawned ones, each with its share of the cores as a fixed
thread count; :func:`threaded_first` says which stacks are worth it. Measured on 2 cores: small stacks
(steps of a few hundred microseconds of Python and dispatch, which a second thread barely speeds up)
train 1.39× faster in two processes than in one; two big stacks in two processes contend for memory and
gain nothing over threads; beside a busy process each worker slows down by its share, where two
threads of one process wait on each other (see :mod:`reglab.engine.threads`).

Every worker takes the next stack of one shared list whenever it is free, the longest (estimated)
first: the last to start are the short ones, so the workers end close together whatever the
estimate's error. A stack trains the same in any worker (one fixed thread count), so the results do
not depend on which worker took it. Each worker keeps its own checkpoint file (:func:`worker_path`:
the caller's path for this process, ``path.worker1``, … for the others), holding what that worker
finished and the state of its stack in training; a resumed call reads every file of the path
(:func:`read_saved`), with any number of workers, and a stack resumes in whichever worker takes it.

A worker process stops like the command: Ctrl-C or SIGTERM saves its state and it ends (a second
signal during the save is ignored); it dies with this process (``PR_SET_PDEATHSIG``), after saving.
"""

from __future__ import annotations

import functools
import io
import math
import os
import pickle
import queue as queues
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import torch

from reglab.checkpoints import read_checkpoint, write_checkpoint
from reglab.config import RunConfig
from reglab.costs import machine_costs
from reglab.data import Split
from reglab.engine import EpochReport, Outcome, StackTrainer, flush_subnormals
from reglab.engine.memory import StackSize, stack_size
from reglab.engine.state import outcome_from_state
from reglab.engine.threads import threads_fixed
from reglab.errors import ReglabError

__all__ = [
    "SNAPSHOT_EVERY", "Ledger", "StackJob", "WorkerError", "checkpoint_files", "estimated_seconds", "longest_first", "read_saved",
    "step_macs", "threaded_first", "train_spread", "train_stacks", "worker_of", "worker_path", "worth_spreading",
]  # fmt: skip

SNAPSHOT_EVERY = 0.5  # seconds of training an interruption may cost: the state is copied at most this often

OnEpoch = Callable[[int, EpochReport], None]
OnStack = Callable[[int, "float | None"], None]  # (stack, seconds it trained; None when restored from a checkpoint)


class WorkerError(ReglabError):
    """A worker process ended without its results (killed, or out of memory)."""


@dataclass
class StackJob:
    """One stack to train: its group number in the plan, the indices of its runs, their configs and data."""

    group: int
    members: list[int]
    configs: list[RunConfig]
    splits: list[Split]
    dtype: torch.dtype = torch.float32


@dataclass
class Ledger:
    """What one checkpoint file holds: outcomes and configs of finished runs (by run index)."""

    done: dict[int, Outcome] = field(default_factory=dict)
    configs: dict[int, RunConfig] = field(default_factory=dict)


def worker_path(checkpoint: str | Path, worker: int) -> Path:
    """The checkpoint file of ``worker``: the caller's path for worker 0 (this process), ``path.worker<k>`` else."""
    return Path(checkpoint) if worker == 0 else Path(f"{checkpoint}.worker{worker}")


def worker_of(name: str, checkpoint_name: str) -> int | None:
    """The worker whose checkpoint file is called ``name`` (0 for ``checkpoint_name`` itself), else None."""
    if name == checkpoint_name:
        return 0
    number = name.removeprefix(f"{checkpoint_name}.worker")
    return int(number) if number != name and number.isdigit() else None


def checkpoint_files(checkpoint: str | Path) -> list[Path]:
    """The existing checkpoint files of ``checkpoint``: its own, then the workers' in order."""
    path = Path(checkpoint)
    found = [(worker_of(p.name, path.name), p) for p in path.parent.glob(f"{path.name}*") if p.is_file()]
    return [p for k, p in sorted((k, p) for k, p in found if k is not None)]


def read_saved(checkpoint: str | Path | None, fingerprint: list) -> tuple[dict[Path, Ledger], dict[int, dict]]:
    """Every checkpoint file of ``checkpoint`` (each refused as :func:`reglab.checkpoints.read_checkpoint` says):
    what each holds, and the saved states of stacks in training by group (the furthest when two files hold one)."""
    ledgers: dict[Path, Ledger] = {}
    states: dict[int, dict] = {}
    for path in [] if checkpoint is None else checkpoint_files(checkpoint):
        saved = read_checkpoint(path, fingerprint)
        ledgers[path] = _ledger(saved)
        group, state = saved.get("group"), saved.get("state")
        if state is not None and (group not in states or state["epoch"] > states[group]["epoch"]):
            states[group] = state
    return ledgers, states


def _ledger(saved: dict) -> Ledger:
    return Ledger(
        {int(i): outcome_from_state(o) for i, o in saved.get("done", {}).items()},
        {int(i): RunConfig.model_validate(c) for i, c in saved.get("configs", {}).items()},
    )


class Saver:
    """Writes the checkpoint (finished runs, and the state of the stack in training or None) and remembers when.

    :meth:`due` once ``every`` seconds have passed since the last write; :meth:`worth` after a stack: when
    nothing was written yet, or when the training since the last write took ten times what that write did
    (a finished stack is kept at a cost of at most a tenth of the training; many tiny stacks share a write).
    """

    def __init__(self, write: Callable[[int | None, dict | None], None], every: float) -> None:
        self.write, self.every = write, every
        self.last, self.cost, self.writes = time.monotonic(), 0.0, 0

    @classmethod
    def to(cls, path: str | Path | None, fingerprint: list, ledger: Ledger, every: float) -> Saver | None:
        """A saver of ``ledger`` to ``path`` (None without a path)."""
        if path is None:
            return None
        return cls(functools.partial(write_checkpoint, path, fingerprint, ledger.done, ledger.configs), every)

    def due(self) -> bool:
        return time.monotonic() - self.last > self.every

    def worth(self) -> bool:
        return self.writes == 0 or self.due() or time.monotonic() - self.last > 10 * self.cost

    def __call__(self, group: int | None, state: dict | None) -> None:
        start = time.monotonic()
        self.write(group, state)
        self.last = time.monotonic()
        self.cost, self.writes = self.last - start, self.writes + 1


def train_stacks(
    jobs: Sequence[StackJob],
    ledger: Ledger,
    states: dict[int, dict],
    *,
    device: str = "cpu",
    on_epoch: OnEpoch | None = None,
    on_stack: OnStack | None = None,
    saver: Saver | None = None,
) -> bool:
    """Trains ``jobs`` one after another, resuming a stack from ``states`` when it holds its group; each
    finished run goes into ``ledger``. Returns whether anything trained. On KeyboardInterrupt the latest
    consistent state is saved (inside a stack by :func:`train_stack`, between stacks here) and it is raised again."""
    trained = False
    inside = False
    try:
        for job in jobs:
            start = time.perf_counter()
            trainer = StackTrainer(job.configs, job.splits, device=device, dtype=job.dtype)
            if job.group in states:
                trainer.load_state_dict(states[job.group])
            inside = True
            train_stack(trainer, job.group, on_epoch, saver)
            inside = False
            trained = True
            for k, i in enumerate(job.members):
                ledger.done[i] = trainer.outcomes[k]
                ledger.configs[i] = trainer.configs[k]
            seconds = time.perf_counter() - start
            if saver is not None and saver.worth():
                saver(None, None)
            if on_stack is not None:  # after the save: a stack said done is on disk when it was worth it
                on_stack(job.group, seconds)
    except KeyboardInterrupt:
        if saver is not None and not inside:
            saver(None, None)
        raise
    return trained


def train_stack(trainer: StackTrainer, g: int, on_epoch: OnEpoch | None, saver: Saver | None) -> None:
    """Trains one stack; with ``saver``, checkpoints between epochs when it is due and writes the latest
    consistent state on KeyboardInterrupt: the state now when the interrupt arrives between epochs (in
    ``on_epoch``), else the last snapshot. Snapshots are taken between epochs at most every
    :data:`SNAPSHOT_EVERY` seconds (a copy of the weights and moments costs about a tenth of a small
    epoch) and before each save; a resumed run retrains from the snapshot's epoch to the same numbers."""
    taken = time.monotonic()
    snapshot = trainer.snapshot() if saver is not None else None
    between = False  # True while the trainer rests between two epochs
    try:
        for report in trainer.epochs():
            between = True
            if on_epoch is not None:
                on_epoch(g, report)
            if saver is not None:
                now = time.monotonic()
                if now - taken >= SNAPSHOT_EVERY or saver.due():
                    snapshot, taken = trainer.snapshot(), now
                if saver.due():
                    saver(g, snapshot.state_dict())
            between = False
    except KeyboardInterrupt:
        if saver is not None:
            saver(g, (trainer.snapshot() if between else snapshot).state_dict())
        raise


def estimated_seconds(job: StackJob) -> float:
    """Rough seconds of training ``job`` on one core of this machine (:func:`reglab.costs.machine_costs`), float64
    counted twice the multiply-accumulates."""
    size = stack_size(job.configs, job.splits, job.dtype)
    steps = job.configs[0].epochs * math.ceil(size.rows["train"] / size.batch)
    return machine_costs().seconds(steps, _macs(size) * size.element / 4)


SPAWN_SECONDS: float | None = None  # a worker process's start; None: this machine's estimate (reglab.costs)


def worth_spreading(jobs: Sequence[StackJob], workers: int) -> bool:
    """Whether ``workers`` processes are worth their start: each one's share of the estimated work must be at least
    twice a worker's start (measured: the quick demo's 3 s of small stacks took 3.9 s on two processes, 3.1 s on one)."""
    if workers <= 1 or len(jobs) <= 1:
        return False
    spawn = machine_costs().spawn if SPAWN_SECONDS is None else SPAWN_SECONDS
    return sum(estimated_seconds(j) for j in jobs) / workers >= 2 * spawn


THREADED_MACS = 15e6  # multiply-accumulates per step from which a stack gains from threads more than from a second process


def step_macs(job: StackJob) -> float:
    """Multiply-accumulates of one training step's forward pass over the whole stack."""
    return _macs(stack_size(job.configs, job.splits, job.dtype))


def _macs(size: StackSize) -> float:
    return size.n_models * size.batch * sum(a * b for a, b in zip(size.sizes, size.sizes[1:]))


def threaded_first(jobs: Sequence[StackJob], cores: int) -> tuple[list[StackJob], list[StackJob]]:
    """The jobs to train first in this process with several threads, and the jobs to spread over processes.

    With ``cores`` ≥ 2 free, a stack of at least :data:`THREADED_MACS` per step trains threaded: its GEMMs
    scale with threads (1.5× on two cores), while two such stacks in two processes contend for memory
    (1.34× slower each, measured on 2 cores) and gain nothing. Small stacks are Python- and dispatch-bound:
    a second thread barely helps them, a second process doubles them. With fewer free cores (a busy
    machine) every stack is spread: processes of one thread each take their share of the cores where
    threads of one process would wait on each other."""
    if cores < 2:
        return [], list(jobs)
    big = [step_macs(j) >= THREADED_MACS for j in jobs]
    return [j for j, b in zip(jobs, big) if b], [j for j, b in zip(jobs, big) if not b]


def longest_first(jobs: Sequence[StackJob]) -> list[StackJob]:
    """The order in which workers take the jobs: longest estimated first (ties in job order), so that the
    last stacks to start are the short ones and the workers end close together."""
    costs = [estimated_seconds(j) for j in jobs]
    return [jobs[j] for j in sorted(range(len(jobs)), key=lambda j: (-costs[j], j))]


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
        if kind == "epoch" and self.on_epoch is not None:
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
    try:
        _die_with(order.parent)
        flush_subnormals()
        from reglab.engine.threads import set_threads

        set_threads(order.threads)
        states = torch.load(io.BytesIO(order.states), weights_only=True)
        ledger = _ledger(read_checkpoint(order.checkpoint, order.fingerprint)) if order.checkpoint else Ledger()
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
