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
    """Progress of stacks trained one after another, fed by ``on_epoch(stack_index, report)``.

    A stack counts as finished when a later stack reports its first epoch, or when the block ends
    without an error; a stack whose runs all stopped early therefore finishes too. A stack that
    reports no epoch at all was restored from a checkpoint.
    """

    def __init__(self, stacks: Sequence[Stack], title: str):
        self.stacks, self.title = list(stacks), title
        self.finished = 0  # stacks 0 .. finished-1 are done
        self.last_epoch: dict[int, int] = {}
        self.bars: Any = None

    def __enter__(self) -> Callable[[int, Any], None]:
        note(self.title)
        self.since = time.perf_counter()
        if on_terminal():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            self.bars = Progress(*columns, console=Console(stderr=True))
            self.bars.__enter__()
            self.tasks = [self.bars.add_task(self.describe(i), total=s.epochs) for i, s in enumerate(self.stacks)]
        return self.on_epoch

    def __exit__(self, kind, error, trace) -> None:
        if error is None:
            self.finish_until(len(self.stacks))
        if self.bars is not None:
            self.bars.__exit__(kind, error, trace)

    def describe(self, i: int) -> str:
        s = self.stacks[i]
        return f"stack {i + 1}/{len(self.stacks)} · {plural(s.models, s.noun)}" + (f" · {s.serves}" if s.serves else "")

    def on_epoch(self, stack: int, report: Any) -> None:
        self.finish_until(stack)
        self.last_epoch[stack] = report.epoch
        if self.bars is not None:
            self.bars.update(self.tasks[stack], completed=report.epoch)

    def finish_until(self, stop: int) -> None:
        """Marks stacks ``finished .. stop-1`` done: the bar full, or one line each."""
        for i in range(self.finished, stop):
            now, s = time.perf_counter(), self.stacks[i]
            if self.bars is not None:
                self.bars.update(self.tasks[i], completed=s.epochs)
            else:
                ran = self.last_epoch.get(i)
                if ran is None:
                    what = "restored from the checkpoint"
                else:
                    epochs = f"{ran} of {s.epochs} epochs" if ran < s.epochs else plural(s.epochs, "epoch")
                    what = f"{plural(s.models, s.noun)} x {epochs} in {now - self.since:.1f} s"
                note(f"stack {i + 1}/{len(self.stacks)} done: {what}" + (f" ({s.serves})" if s.serves else ""))
            self.since = now
        self.finished = max(self.finished, stop)


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
