"""What a command says on stderr while it works, never on stdout.

On a terminal: rich progress bars (one per stack) and a spinner for steps of unknown length. Elsewhere
(a log file, a pipe, CI): one plain line when a stack or a step finishes, saying what finished and how
long it took, such as ``reglab: stack 2/3 done: 40 runs x 300 epochs in 8.4 s``; a log then shows
where the time went without the bars' carriage returns.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


def note(message: str) -> None:
    sys.stderr.write(f"reglab: {message}\n")


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def on_terminal() -> bool:
    return sys.stderr.isatty()


@dataclass(frozen=True)
class Stack:
    """One stack to train: how many models, for how many epochs at most, and what it serves."""

    models: int
    epochs: int
    serves: str = ""  # e.g. "capacity, with and without l2" (shown after the counts)
    noun: str = "run"


class StackProgress:
    """Progress of stacks, fed by ``progress(stack_index, report)`` after each epoch (``progress`` the object
    the block gets) and ``progress.stack_done(stack_index, seconds)`` when a stack has finished (``seconds``
    None: restored from a checkpoint). Stacks may train at once in several workers: each is finished when it
    says so, and plain lines come in the order the stacks finish; a block that ends without an error
    finishes the rest.
    """

    def __init__(self, stacks: Sequence[Stack], title: str):
        self.stacks, self.title = list(stacks), title
        self.finished: set[int] = set()
        self.last_epoch: dict[int, int] = {}
        self.bars: Any = None

    def __enter__(self) -> StackProgress:
        note(self.title)
        if on_terminal():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            self.bars = Progress(*columns, console=Console(stderr=True))
            self.bars.__enter__()
            self.tasks = [self.bars.add_task(self.describe(i), total=s.epochs, start=False) for i, s in enumerate(self.stacks)]
        return self

    def __exit__(self, kind, error, trace) -> None:
        if error is None:
            for i in range(len(self.stacks)):
                self.stack_done(i, None)
        if self.bars is not None:
            self.bars.__exit__(kind, error, trace)

    def describe(self, i: int) -> str:
        s = self.stacks[i]
        return f"stack {i + 1}/{len(self.stacks)} · {plural(s.models, s.noun)}" + (f" · {s.serves}" if s.serves else "")

    def __call__(self, stack: int, report: Any) -> None:
        """After an epoch of stack ``stack``."""
        if self.bars is not None and stack not in self.last_epoch:
            self.bars.start_task(self.tasks[stack])
        self.last_epoch[stack] = report.epoch
        if self.bars is not None:
            self.bars.update(self.tasks[stack], completed=report.epoch)

    on_epoch = __call__

    def stack_done(self, stack: int, seconds: float | None) -> None:
        """Marks stack ``stack`` done: its bar full, or one line."""
        if stack in self.finished:
            return
        self.finished.add(stack)
        s = self.stacks[stack]
        if self.bars is not None:
            self.bars.update(self.tasks[stack], completed=s.epochs)
            return
        ran = self.last_epoch.get(stack)
        if ran is None:
            what = "restored from the checkpoint"
        else:
            epochs = f"{ran} of {s.epochs} epochs" if ran < s.epochs else plural(s.epochs, "epoch")
            what = f"{plural(s.models, s.noun)} x {epochs}" + ("" if seconds is None else f" in {seconds:.1f} s")
        note(f"stack {stack + 1}/{len(self.stacks)} done: {what}" + (f" ({s.serves})" if s.serves else ""))


@contextmanager
def step(doing: str, unit: str) -> Iterator[Callable[[str], None]]:
    """A step of unknown length, such as drawing figures: yields ``advance(name)``, called once per
    item done. A spinner naming the last item on a terminal; elsewhere one line when the step ends:
    ``reglab: drawing figures done: 23 figures in 4.1 s``."""
    start, count = time.perf_counter(), [0]
    if on_terminal():
        from rich.console import Console

        with Console(stderr=True).status(doing) as status:

            def advance(name: str) -> None:
                count[0] += 1
                status.update(f"{doing} · {name}")

            yield advance
        return

    def advance(name: str) -> None:
        count[0] += 1

    yield advance
    note(f"{doing} done: {plural(count[0], unit)} in {time.perf_counter() - start:.1f} s")
