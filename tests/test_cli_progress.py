"""Progress on stderr when it is not a terminal: one plain line per finished stack or step.

Under pytest stderr is captured, so it is not a TTY: these tests see exactly what a log file gets.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from reglab.cli.progress import Stack, StackProgress, step

TINY = ["--epochs", "3", "--n-samples", "60", "--hidden", "8"]
SECONDS = r"\d+\.\d s"


def epoch(n: int) -> SimpleNamespace:
    return SimpleNamespace(epoch=n)


def test_scripted_stacks_give_one_line_each_as_they_finish(capsys):
    stacks = [Stack(models=2, epochs=5), Stack(models=1, epochs=4, serves="capacity", noun="model"), Stack(models=3, epochs=2)]
    with StackProgress(stacks, "training 6 runs in 3 stacks") as progress:
        progress.stack_done(1, None)  # restored from a checkpoint: no epoch reported
        for n in range(1, 4):  # stack 1 stops early, at epoch 3 of 5, while stack 3 trains in another worker
            progress(0, epoch(n))
            if n == 1:
                progress(2, epoch(1))
        progress.stack_done(2, 0.25)
        progress.stack_done(0, 1.5)
        progress.stack_done(0, 9.0)  # said twice: one line
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "reglab: training 6 runs in 3 stacks",
        "reglab: stack 2/3 done: restored from the checkpoint (capacity)",
        "reglab: stack 3/3 done: 3 runs x 1 of 2 epochs in 0.2 s",
        "reglab: stack 1/3 done: 2 runs x 3 of 5 epochs in 1.5 s",
    ]


def test_an_interrupted_block_reports_only_the_stacks_that_finished(capsys):
    with pytest.raises(KeyboardInterrupt):
        with StackProgress([Stack(1, 2), Stack(1, 2)], "training 2 runs in 2 stacks") as progress:
            progress(0, epoch(2))
            progress.stack_done(0, 0.5)
            progress(1, epoch(1))
            raise KeyboardInterrupt
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["reglab: training 2 runs in 2 stacks", "reglab: stack 1/2 done: 1 run x 2 epochs in 0.5 s"]


def test_a_block_that_ends_well_finishes_the_stacks_never_said_done(capsys):
    with StackProgress([Stack(1, 2), Stack(1, 2)], "training 2 runs in 2 stacks") as progress:
        progress(0, epoch(2))
        progress.stack_done(0, 0.5)
        progress(1, epoch(2))
    lines = capsys.readouterr().err.splitlines()
    assert lines[1:] == ["reglab: stack 1/2 done: 1 run x 2 epochs in 0.5 s", "reglab: stack 2/2 done: 1 run x 2 epochs"]


def test_a_step_says_what_it_did_when_it_ends(capsys):
    with step("drawing figures", "figure") as advance:
        for name in ("a", "b", "c"):
            advance(name)
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(rf"reglab: drawing figures done: 3 figures in {SECONDS}", line)


def test_train_and_sweep_print_one_line_per_stack(cli):
    code, out, err = cli("train", *TINY, "--json")
    assert code == 0
    assert [re.sub(SECONDS, "T", x) for x in err.splitlines()] == [
        "reglab: training 1 run in 1 stack",
        "reglab: stack 1/1 done: 1 run x 3 epochs in T",
    ]
    code, out, err = cli("sweep", *TINY, "--hidden", "8;4", "--seeds", "2", "--json")
    assert code == 0  # two architectures: two stacks of two seeds
    assert [re.sub(SECONDS, "T", x) for x in err.splitlines()] == [
        "reglab: training 4 runs in 2 stacks",
        "reglab: stack 1/2 done: 2 runs x 3 epochs in T",
        "reglab: stack 2/2 done: 2 runs x 3 epochs in T",
    ]


def test_threads_option_reaches_the_engine(monkeypatch, cli):
    asked = []
    monkeypatch.setattr("reglab.runs.threads.set_threads", asked.append)
    assert cli("train", *TINY, "--threads", "1", "--json")[0] == 0
    assert cli("sweep", *TINY, "--json")[0] == 0
    assert asked == [1, None]  # None: the automatic policy
