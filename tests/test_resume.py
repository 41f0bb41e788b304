"""Whatever stops a run, running it again gives the uninterrupted run's numbers bit for bit.

In-process: a KeyboardInterrupt raised inside an optimiser step (mid-epoch, the worst moment) for
several steps, then the same call again. In subprocesses: ``reglab sweep`` stopped with SIGINT,
SIGTERM and SIGKILL once its first stack is done (a progress line on stderr), then run again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reglab.config import DataConfig, RunConfig
from reglab.engine.optim import StackOptimizer
from reglab.runs import Run, train_runs

MOONS = DataConfig(n_samples=80, val_size=0.25)


def runs() -> list[Run]:
    """Two stacks; early stopping, dropout and jitter so that every kind of saved state matters."""
    configs = [RunConfig(hidden=(8,), epochs=12, lr=0.05, seed=s, patience=4, dropout=0.1) for s in range(2)]
    configs += [RunConfig(hidden=(4, 4), epochs=12, lr=0.05, seed=s, input_noise=0.1, optimizer="sgd", momentum=0.9) for s in range(2)]
    return [Run(c, MOONS) for c in configs]


def same(a, b) -> None:
    for x, y in zip(a, b, strict=True):
        assert (x.status, x.epochs_run, x.best_epoch, x.history, x.train, x.val, x.test) == (
            y.status, y.epochs_run, y.best_epoch, y.history, y.train, y.val, y.test,
        )  # fmt: skip
        for mine, theirs in zip(x.kernels + x.biases, y.kernels + y.biases, strict=True):
            np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("at_step", [1, 7, 20, 41])
def test_interrupt_inside_an_epoch_resumes_bit_for_bit(tmp_path, monkeypatch, at_step):
    straight = train_runs(runs())
    path = tmp_path / "checkpoint.pt"
    step, count = StackOptimizer.step, [0]

    def interrupted_step(self, stack, coefficients):
        count[0] += 1
        step(self, stack, coefficients)
        if count[0] == at_step:  # after the update, before the epoch ends: a half-done epoch
            raise KeyboardInterrupt

    monkeypatch.setattr(StackOptimizer, "step", interrupted_step)
    with pytest.raises(KeyboardInterrupt):
        train_runs(runs(), checkpoint=path)
    assert path.exists()
    monkeypatch.setattr(StackOptimizer, "step", step)
    same(train_runs(runs(), checkpoint=path), straight)
    assert not path.exists()


def test_a_kept_checkpoint_returns_the_finished_runs_without_training(tmp_path):
    path = tmp_path / "checkpoint.pt"
    first = train_runs(runs()[:2], checkpoint=path, keep_checkpoint=True)
    seen = []
    again = train_runs(runs()[:2], checkpoint=path, keep_checkpoint=True, on_epoch=lambda g, r: seen.append(r.epoch))
    assert seen == [] and path.exists()
    same(again, first)


# subprocesses --------------------------------------------------------------------------------

SWEEP = ["sweep", "--n-samples", "80", "--hidden", "8;16,16", "--epochs", "1500", "--seeds", "2", "--lr", "0.01", "--json"]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "REGLAB_THREADS": "1"}


def interruptible() -> None:
    """In the child before exec: Ctrl-C's default. A shell that starts a job in the background (CI
    runners do) sets SIGINT to ignored, children inherit that, and Python then never raises
    KeyboardInterrupt: the test would be about the runner, not about reglab."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def reglab(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reglab", *args], capture_output=True, text=True, env=ENV, timeout=timeout)


def stopped(out: Path, how: signal.Signals) -> subprocess.CompletedProcess:
    """``reglab sweep --out out`` sent ``how`` once its first stack is done (its checkpoint written)."""
    proc = subprocess.Popen([sys.executable, "-m", "reglab", *SWEEP, "--out", str(out)], stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=ENV, preexec_fn=interruptible)  # fmt: skip
    try:
        for line in proc.stderr:
            if line.startswith("reglab: stack 1/2 done"):
                proc.send_signal(how)
                break
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("straight")
    proc = reglab(*SWEEP, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), dict(np.load(out / "weights.npz"))


@pytest.mark.parametrize(
    "how, code, message",
    [
        (signal.SIGINT, 130, "reglab: interrupted; run the same command again to resume from {out}/checkpoint.pt\n"),
        (signal.SIGTERM, 143, "reglab: interrupted; run the same command again to resume from {out}/checkpoint.pt\n"),
        (signal.SIGKILL, -9, None),
    ],
)
def test_a_stopped_sweep_run_again_equals_the_uninterrupted_one(tmp_path, uninterrupted, how, code, message):
    out = tmp_path / "sweep"
    proc = stopped(out, how)
    assert proc.returncode == code, proc.stderr
    if message is not None:
        assert proc.stdout == "" and proc.stderr.splitlines(keepends=True)[-1] == message.format(out=out)
        assert "Traceback" not in proc.stderr
    assert (out / "checkpoint.pt").exists()
    again = reglab(*SWEEP, "--out", str(out))
    assert again.returncode == 0, again.stderr
    document, weights = uninterrupted
    assert json.loads(again.stdout) == document
    resumed = dict(np.load(out / "weights.npz"))
    assert resumed.keys() == weights.keys() and all(np.array_equal(resumed[k], weights[k]) for k in weights)
    assert not (out / "checkpoint.pt").exists()


def test_ctrl_c_without_out_says_nothing_was_saved():
    command = [sys.executable, "-m", "reglab", *SWEEP]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=ENV, preexec_fn=interruptible)
    try:
        for line in proc.stderr:
            if line.startswith("reglab: stack 1/2 done"):
                proc.send_signal(signal.SIGINT)
                break
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert (proc.returncode, stdout) == (130, "")
    assert stderr == "reglab: interrupted; nothing was saved: run 'reglab sweep' with --out DIR to make it resumable\n"


# the demo ------------------------------------------------------------------------------------


def tiny(quick=False, seeds=None, seed=0):
    import dataclasses

    from reglab.lecture.plan import settings_for

    return dataclasses.replace(
        settings_for(quick=True, seeds=1, seed=seed), epochs=3, lam_grid=(0.0, 1.0), lam_shown=(0.0, 1.0), widths=(1, 4),
        resolution=8, patience=2,
    )  # fmt: skip


def demo(capsys, out: Path) -> tuple[int, str]:
    from reglab.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", str(out), "--no-svg", "--json"])
    return exit_info.value.code, capsys.readouterr().err


def numbers(out: Path) -> dict:
    doc = json.loads((out / "results.json").read_text())
    doc.pop("timing")
    doc.pop("provenance")  # its command line and its checksum, which covers the timing
    return doc


def test_an_interrupted_demo_run_again_equals_the_uninterrupted_one(tmp_path, capsys, monkeypatch):
    import reglab.lecture
    import reglab.views.report

    monkeypatch.setattr(reglab.lecture, "settings_for", tiny)
    assert demo(capsys, tmp_path / "straight")[0] == 0
    step, count = StackOptimizer.step, [0]

    def interrupted_step(self, stack, coefficients):
        count[0] += 1
        step(self, stack, coefficients)
        if count[0] == 5:
            raise KeyboardInterrupt

    monkeypatch.setattr(StackOptimizer, "step", interrupted_step)
    out = tmp_path / "stopped"
    code, err = demo(capsys, out)
    assert code == 130 and err.endswith(f"reglab: interrupted; run the same command again to resume from {out / 'checkpoint.pt'}\n")
    monkeypatch.setattr(StackOptimizer, "step", step)
    write_report = reglab.views.report.write_report

    def interrupted_drawing(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(reglab.views.report, "write_report", interrupted_drawing)
    code, err = demo(capsys, out)
    drawing = f"reglab: interrupted while drawing; {out / 'results.json'} is complete: run the same command again to draw the figures\n"
    assert code == 130 and err.endswith(drawing)
    monkeypatch.setattr(reglab.views.report, "write_report", write_report)
    assert numbers(out) == numbers(tmp_path / "straight")  # complete before the drawing was stopped
    code, err = demo(capsys, out)
    assert code == 0 and "reusing" in err and "training" not in err.replace("without training", "")
    assert numbers(out) == numbers(tmp_path / "straight") and not (out / "checkpoint.pt").exists()


def test_the_demo_spread_over_two_processes_equals_one_process(tmp_path, capsys, monkeypatch):
    import reglab.lecture

    monkeypatch.setattr(reglab.lecture, "settings_for", tiny)
    monkeypatch.setattr("reglab.runs.threads._fixed", None)  # --threads below sets it: put back after the test
    monkeypatch.setattr("reglab.runs.costs.SPAWN_SECONDS", 0.0)  # the tiny demo's stacks are spread although a start costs more
    import reglab.runs.training

    spread, calls = reglab.runs.training.train_spread, []
    monkeypatch.setattr(reglab.runs.training, "train_spread", lambda jobs, *a, **k: calls.append(len(jobs)) or spread(jobs, *a, **k))
    assert demo(capsys, tmp_path / "one")[0] == 0  # OMP_NUM_THREADS=1 under the tests: one process
    from reglab.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", str(tmp_path / "two"), "--no-svg", "--json", "--threads", "2"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 0, err
    assert len(calls) == 1 and calls[0] >= 2  # the stacks were spread (here: all of them, being small)
    assert numbers(tmp_path / "two") == numbers(tmp_path / "one")
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == ["figures", "report.html", "results.json"]
