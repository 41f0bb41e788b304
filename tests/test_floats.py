"""reglab never computes on subnormal floats (see :mod:`reglab.engine.floats`), in any thread or process that trains.

Each test starts from a thread that does not flush (:func:`keep_subnormals`, as a program that never called reglab),
runs reglab's own code in the context under test, and looks there at a product that would be subnormal, or at
weights and Adam moments that were subnormal before reglab flushed them. A control beside the L2 test shows that
the same training without the flag does leave subnormal values, so that the tests can fail.
"""

from __future__ import annotations

import json
import threading
import warnings

import numpy as np
import pytest
import torch

import reglab.engine.trainer as trainer_module
from reglab.config import DataConfig, RunConfig
from reglab.data import load
from reglab.engine import StackTrainer
from reglab.engine.floats import SUBNORMAL_BELOW, flush_subnormals, flushes, keep_subnormals, subnormal_count
from reglab.regularizers import L2
from reglab.runs import Run, plan_stacks, train_runs

# L2(λ = 1) with Adam shrinks the weights of unused units geometrically: without flushing, 200 epochs on 500 moons
# points leave about 1,900 of the 4,288 hidden kernel values of a 64×64 network subnormal (and Adam's first moments);
# flushed, the same weights end between 1e-38 and 1e-36, normal numbers, with every smaller result written as zero
SHRINKING = RunConfig(hidden=(64, 64), penalty=L2(lam=1.0), epochs=200)
MOONS = DataConfig(dataset="moons", n_samples=500)
TINY = 1e-20  # its square, 1e-40, is subnormal in float32


def product_subnormals(threads: int = 2) -> int:
    """Subnormal entries of a product computed with ``threads`` intra-op threads (big enough to be split among them)."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        a = torch.full((1 << 20,), TINY)
        return subnormal_count(a * a)
    finally:
        torch.set_num_threads(before)


def float64_subnormals(arrays) -> int:
    """Values of float32 weights (handed back as float64) that were subnormal in float32."""
    return sum(int(np.sum((np.abs(a) > 0) & (np.abs(a) < SUBNORMAL_BELOW[torch.float32]))) for a in arrays)


def tiny(arrays) -> int:
    """Values below 1e-30 in magnitude, zeros included: where flushed training holds what would have gone subnormal."""
    return sum(int(np.sum(np.abs(a) < 1e-30)) for a in arrays)


@pytest.fixture
def unflushed():
    """This thread and its OpenMP pool as in a program that never flushed; flushed again afterwards."""
    product_subnormals()  # the pool exists before reglab looks at it, as in a program that computed first
    keep_subnormals()
    assert not flushes() and product_subnormals() > 0
    yield
    flush_subnormals()


def test_flushing_reaches_every_thread_of_an_existing_pool(unflushed):
    assert flush_subnormals() is True
    assert flushes() and product_subnormals(threads=2) == 0 and product_subnormals(threads=1) == 0
    grown = max(4, torch.get_num_threads() + 2)  # pool threads created later inherit the flag
    assert product_subnormals(threads=grown) == 0


def test_threads_started_after_flushing_inherit_it(unflushed):
    flush_subnormals()
    seen = []
    thread = threading.Thread(target=lambda: seen.append((flushes(), product_subnormals())))
    thread.start()
    thread.join()
    assert seen == [(True, 0)]


def test_keeping_subnormals_is_undone_by_the_next_flush(unflushed):
    assert product_subnormals() > 0
    flush_subnormals()
    assert product_subnormals() == 0


def test_long_l2_training_leaves_no_subnormal_weight_or_adam_moment(unflushed):
    trainer = StackTrainer([SHRINKING], [load(MOONS)])
    for _ in trainer.epochs():
        pass
    assert trainer.active == [] and trainer.outcomes[0].status == "completed"
    assert float64_subnormals(trainer.outcomes[0].kernels + trainer.outcomes[0].biases) == 0
    optimizer = trainer.optimizer
    assert subnormal_count(optimizer.moment1) == 0 and subnormal_count(optimizer.moment2) == 0
    assert tiny(trainer.outcomes[0].kernels) > 500  # the weights did reach the edge of the range


def test_control_without_flushing_the_same_training_leaves_subnormals(unflushed, monkeypatch):
    """The setting of the test above does make subnormal numbers: the test would fail if reglab did not flush."""
    monkeypatch.setattr(trainer_module, "flush_subnormals", lambda: True)
    trainer = StackTrainer([SHRINKING], [load(MOONS)])
    for _ in trainer.epochs():
        pass
    assert float64_subnormals(trainer.outcomes[0].kernels) > 500
    assert subnormal_count(trainer.optimizer.moment1) > 500


def test_a_spawned_worker_process_flushes(unflushed, monkeypatch):
    """Two stacks of L2(1) on two processes: the one the spawned worker trained has no subnormal weight either."""
    monkeypatch.setattr("reglab.runs.costs.SPAWN_SECONDS", 0.0)
    runs = [Run(SHRINKING.replace(hidden=h), MOONS) for h in [(64, 64), (64, 63)]]
    seen = set()

    def on_epoch(g, report):
        import multiprocessing

        seen.update(child.name for child in multiprocessing.active_children())

    results = train_runs(runs, plan_stacks(runs), workers=2, on_epoch=on_epoch)
    assert seen == {"reglab-worker-1"}  # the second process did train one of the two stacks
    assert all(r.status == "completed" for r in results)
    assert [float64_subnormals(r.kernels + r.biases) for r in results] == [0, 0]
    assert all(tiny(r.kernels) > 500 for r in results)


def test_the_playground_server_threads_flush(unflushed):
    """A run trained by the server's worker thread (started from a request thread) streams no subnormal weight."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from reglab.web import create_app

    body = {"hidden": [64, 64], "batch_size": 32, "epochs": 200, "data": {"n_samples": 500}, "autoplay": True,
            "models": [{"penalty": "l2", "lam": 1.0}]}  # fmt: skip
    with TestClient(create_app(idle_timeout=30.0, warm=False)) as client:
        meta = client.post("/api/runs", json=body).json()
        with client.stream("GET", f"/api/runs/{meta['id']}/stream") as response:
            for line in response.iter_lines():
                if line.startswith("data: ") and json.loads(line[len("data: "):])["state"] == "finished":
                    break
            exported = client.get(f"/api/runs/{meta['id']}/export").json()
    weights = exported["weights"]["0"]
    kernels = [np.asarray(k) for k in weights["kernels"]]
    assert exported["epoch"] == 200
    assert float64_subnormals(kernels + [np.asarray(b) for b in weights["biases"]]) == 0
    assert tiny(kernels) > 500


def test_a_tune_worker_trains_flushed(unflushed, tmp_path, monkeypatch):
    """Every epoch that a tuning worker trains runs with the flag set in its thread and pool."""
    from reglab.tuning import SearchSpace, tune

    seen = []
    epoch = StackTrainer._run_epoch

    def spy(self, *args, **kwargs):
        seen.append(product_subnormals())
        return epoch(self, *args, **kwargs)

    monkeypatch.setattr(StackTrainer, "_run_epoch", spy)
    space = SearchSpace(("l2",), 1e-4, 1e-1, 0.0, 0.3)
    tune(DataConfig(n_samples=80, val_size=0.3), RunConfig(hidden=(8, 8), epochs=4), space, trials=2, batch=2,
         storage=tmp_path, report_every=10_000)  # fmt: skip
    assert len(seen) >= 4 and set(seen) == {0}
