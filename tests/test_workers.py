"""Stacks spread over worker processes: the same results as one process, resumable, and a dead worker said.

Each spread here spawns one worker process (≈ 2 s of imports); the runs are tiny.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal

import numpy as np
import pytest
import torch

from reglab.cli.folders import foreign_files
from reglab.config import DataConfig, RunConfig
from reglab.regularizers import L1, L2
from reglab.runs import Run, plan_stacks, train_runs
from reglab.runs.checkpoint import checkpoint_files
from reglab.runs.costs import estimated_seconds, threaded_first, worth_spreading
from reglab.runs.plan import StackJob
from reglab.runs.spread import WorkerError

MOONS = DataConfig(dataset="moons", n_samples=80, noise=0.2)


@pytest.fixture(autouse=True)
def spread_even_tiny_stacks(monkeypatch):
    """These stacks train in well under a worker's start: spread them anyway, which is what is tested."""
    monkeypatch.setattr("reglab.runs.costs.SPAWN_SECONDS", 0.0)


def runs() -> list[Run]:
    """Five stacks: four architectures in float32, and one of them again in float64."""
    out = []
    for hidden in [(4,), (6,), (8, 4), (5, 5)]:
        for seed, penalty in enumerate([L2(lam=0.01), L1(lam=0.001)]):
            out.append(Run(RunConfig(hidden=hidden, epochs=30, batch_size=16, seed=seed, penalty=penalty), MOONS.replace(seed=seed)))
    return out + [Run(RunConfig(hidden=(3,), epochs=30, batch_size=16, seed=7), MOONS)]


DTYPES = [torch.float32] * 8 + [torch.float64]


def same(a, b) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert (x.config, x.status, x.epochs_run) == (y.config, y.status, y.epochs_run)
        assert x.train == y.train and x.val == y.val and x.test == y.test and x.history == y.history
        assert all(np.array_equal(u, v) for u, v in zip(x.kernels + x.biases, y.kernels + y.biases))


@pytest.fixture(scope="module")
def straight():
    return train_runs(runs(), dtype=DTYPES)


def test_two_workers_give_the_results_of_one_and_report_every_stack(straight):
    plan = plan_stacks(runs(), DTYPES)
    assert len(plan.groups) == 5 and plan.dtypes[-1] == torch.float64
    epochs: dict[int, list[int]] = {}
    stacks: list[tuple[int, float | None]] = []
    workers_seen = set()

    def on_epoch(g, report):
        epochs.setdefault(g, []).append(report.epoch)
        workers_seen.update(child.name for child in multiprocessing.active_children())

    spread = train_runs(runs(), plan, workers=2, on_epoch=on_epoch, on_stack=lambda g, s: stacks.append((g, s)))
    same(spread, straight)
    assert workers_seen == {"reglab-worker-1"} and not multiprocessing.active_children()  # a second process trained, and ended
    assert spread[-1].kernels[0].dtype == np.float64
    assert epochs == {g: list(range(1, 31)) for g in range(5)}  # every epoch of every stack, in order
    assert sorted(g for g, _ in stacks) == list(range(5)) and all(s is not None and s > 0 for _, s in stacks)


def test_an_interrupted_spread_resumes_to_the_same_results_with_any_number_of_workers(tmp_path, straight):
    path = tmp_path / "checkpoint.pt"
    seen: list[int] = []

    def interrupt(g, report):
        seen.append(g)
        if len(set(seen)) >= 3:  # stacks of both workers have begun
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_runs(runs(), dtype=DTYPES, workers=2, checkpoint=path, on_epoch=interrupt)
    files = checkpoint_files(path)
    assert [f.name for f in files] == ["checkpoint.pt", "checkpoint.pt.worker1"]  # each worker saved its own
    assert not multiprocessing.active_children()  # and the worker ended
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in files:
        shutil.copy(f, copy / f.name)
    restored: list[float | None] = []
    same(train_runs(runs(), dtype=DTYPES, workers=2, checkpoint=path, on_stack=lambda g, s: restored.append(s)), straight)
    assert checkpoint_files(path) == []
    same(train_runs(runs(), dtype=DTYPES, checkpoint=copy / "checkpoint.pt", keep_checkpoint=True), straight)
    assert checkpoint_files(copy / "checkpoint.pt") == [copy / "checkpoint.pt"]  # everything in one file, kept


def test_a_killed_worker_is_an_error_that_says_so_and_the_rest_resumes(tmp_path, straight):
    path = tmp_path / "checkpoint.pt"

    def kill_the_worker(g, report):
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGKILL)

    with pytest.raises(WorkerError, match=r"Training worker 1 ended without its results \(exit code -9"):
        train_runs(runs(), dtype=DTYPES, workers=2, checkpoint=path, on_epoch=kill_the_worker)
    same(train_runs(runs(), dtype=DTYPES, workers=2, checkpoint=path), straight)


def job(models: int, hidden: tuple[int, ...]) -> StackJob:
    split = plan_stacks([Run(RunConfig(hidden=hidden), MOONS)]).splits[0]
    return StackJob(0, list(range(models)), [RunConfig(hidden=hidden, batch_size=32, epochs=10)] * models, [split] * models)


def test_big_stacks_train_threaded_first_on_free_cores_and_everything_spreads_on_a_busy_machine():
    big, small = job(150, (128, 128)), job(5, (128, 128))  # 150·32·(2·128 + 128·128 + 128) ≈ 81 M multiply-adds per step, 5: 2.7 M
    assert threaded_first([small, big], cores=2) == ([big], [small])
    assert threaded_first([small, big], cores=1) == ([], [small, big])


def test_a_second_process_only_when_its_share_of_the_work_pays_for_its_start(monkeypatch):
    small = job(5, (128, 128))  # 10 epochs of 5 models: well under a second
    monkeypatch.setattr("reglab.runs.costs.SPAWN_SECONDS", 2.0)
    assert not worth_spreading([small, small], 2)
    monkeypatch.setattr("reglab.runs.costs.SPAWN_SECONDS", estimated_seconds(small) / 2)
    assert worth_spreading([small, small], 2) and not worth_spreading([small], 2) and not worth_spreading([small, small], 1)


def test_checkpoint_files_are_the_callers_then_the_workers_in_order(tmp_path):
    path = tmp_path / "checkpoint.pt"
    for name in ["checkpoint.pt.worker10", "checkpoint.pt.worker2", "checkpoint.pt.worker2.tmp", "checkpoint.pt.workers", "other.pt"]:
        (tmp_path / name).write_bytes(b"")
    assert checkpoint_files(path) == [tmp_path / "checkpoint.pt.worker2", tmp_path / "checkpoint.pt.worker10"]
    path.write_bytes(b"")
    assert checkpoint_files(path)[0] == path
    assert foreign_files(tmp_path) == ["checkpoint.pt.workers", "other.pt"]  # a worker's files belong to the demo


def test_the_cost_model_is_this_machines_measurement(monkeypatch):
    """Estimates come from the costs measured in this process: a hand-worked job under given costs, and sane measures."""
    from reglab.runs.costs import Costs, machine_costs

    measured = machine_costs()
    assert 0 < measured.step < 0.1 and 0 < measured.mac < 1e-6 and 1.0 <= measured.spawn <= 10.0
    assert machine_costs() is measured  # measured once per process
    monkeypatch.setattr("reglab.runs.costs.machine_costs", lambda: Costs(step=1e-3, mac=1e-9, spawn=2.0))
    small = job(5, (128, 128))
    steps = 10 * -(-len(small.splits[0].X_train) // 32)  # 10 epochs of batches of 32
    macs = 5 * 32 * (2 * 128 + 128 * 128 + 128)
    assert estimated_seconds(small) == pytest.approx(steps * (1e-3 + 1e-9 * macs))


def test_a_script_without_a_main_guard_is_told_why_its_worker_failed(tmp_path):
    """Worker processes are spawned and import the calling script: one that calls train_runs(..., workers=2) at its
    top level makes each worker try to spawn again while starting. The error says so, rather than blaming memory."""
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text(
        "import reglab.runs.costs\n"
        "from reglab import DataConfig, RunConfig, grid, train_runs\n"
        "reglab.runs.costs.SPAWN_SECONDS = 0.0\n"
        "runs = grid(RunConfig(hidden=(4,), epochs=50), DataConfig(n_samples=80), seeds=range(2), hidden=[(4,), (6,), (8,)])\n"
        "train_runs(runs, workers=2)\n"
    )
    env = {**os.environ, "REGLAB_THREADS": "1", "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert "failed while starting" in last and "if __name__ == \"__main__\":" in last, done.stderr[-2000:]
