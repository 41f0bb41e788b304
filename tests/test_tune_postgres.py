"""Several workers on one study in a real PostgreSQL: a throw-away cluster on 127.0.0.1, started by
``scripts/postgres.sh`` for this module and stopped at its end. Without PostgreSQL (and no apt to
install it) the tests are skipped, except under ``CI=true`` where that is a failure.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import optuna
import pytest

from reglab.config import DataConfig, RunConfig
from reglab.regularizers import L2
from reglab.runs import grid, train_runs
from reglab.runs.seeds import summarize_sweep
from reglab.tuning.shared_sweep import collect

ROOT = Path(__file__).resolve().parents[1]
FINISHED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
RUN_CLI = "import sys, reglab.cli.tuning; from reglab.cli import main; main(sys.argv[1:])"
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def postgres() -> str:
    started = subprocess.run(["bash", str(ROOT / "scripts/postgres.sh"), "start"], capture_output=True, text=True, timeout=600)
    if started.returncode != 0:
        why = f"PostgreSQL could not be started: {started.stderr.strip()[-500:]}"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    url, folder = started.stdout.split()
    yield url
    subprocess.run(["bash", str(ROOT / "scripts/postgres.sh"), "stop", folder], capture_output=True, timeout=120)


def tune_worker(url: str, study: str, trials: int, epochs: int = 40, report_every: int = 10) -> subprocess.Popen:
    command = [sys.executable, "-c", RUN_CLI, "tune", "--n-samples", "80", "--hidden", "8,8", "--epochs", str(epochs),
               "--trials", str(trials), "--batch", "3", "--report-every", str(report_every), "--storage", url, "--study", study,
               "--heartbeat", "1", "--json"]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)


def trials_of(url: str, study: str, states=None) -> list[optuna.trial.FrozenTrial]:
    """The study's trials, read through a storage closed afterwards."""
    storage = optuna.storages.RDBStorage(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        return optuna.load_study(study_name=study, storage=storage).get_trials(states=states)
    finally:
        storage.engine.dispose()


def check_no_trial_ran_twice(trials: list[optuna.trial.FrozenTrial]) -> None:
    """Every finished trial has its own parameters, and a failed trial was re-asked at most once."""
    ended = [t for t in trials if t.state in FINISHED]
    params = [tuple(sorted(t.params.items())) for t in ended]
    assert len(set(params)) == len(params)
    retried = [t.system_attrs["failed_trial"] for t in ended if "failed_trial" in t.system_attrs]
    assert len(set(retried)) == len(retried)
    assert all(trials[n].state == optuna.trial.TrialState.FAIL for n in retried)


def test_two_workers_share_a_study_to_exactly_n_trials(postgres):
    study = f"two-{uuid.uuid4().hex[:8]}"
    # trials long enough (≈ 1 s a batch) that one worker cannot finish all ten while the other is still starting
    workers = [tune_worker(postgres, study, 10, epochs=1000, report_every=100) for _ in range(2)]
    outputs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [err for _, err in outputs]
    trials = trials_of(postgres, study)
    ended = [t for t in trials if t.state in FINISHED]
    assert len(ended) == 10
    assert {t.user_attrs["worker"].rsplit(":", 1)[1] for t in ended} == {str(w.pid) for w in workers}  # both trained
    check_no_trial_ran_twice(trials)
    document = json.loads(outputs[0][0])
    assert document["storage"] == postgres and document["finished"] == 10


def test_a_killed_worker_leaves_the_study_usable(postgres):
    study = f"kill-{uuid.uuid4().hex[:8]}"
    # long trials, never pruned: the victim is sure to be caught with trials running
    victim, survivor = (tune_worker(postgres, study, 12, epochs=1500, report_every=1500) for _ in range(2))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        victim.send_signal(signal.SIGSTOP)  # frozen, so its trials cannot end between the look and the kill
        try:
            trials = trials_of(postgres, study)
        except KeyError:
            trials = []
        mine = [t for t in trials if t.user_attrs.get("worker", "").endswith(f":{victim.pid}")]
        running = [t for t in mine if t.state == optuna.trial.TrialState.RUNNING]
        if running and any(t.state in FINISHED for t in trials):
            break
        victim.send_signal(signal.SIGCONT)
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    killed = [t.number for t in running]
    assert killed, "the victim was never seen with a running trial"
    _, err = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, err
    trials = trials_of(postgres, study)
    assert len([t for t in trials if t.state in FINISHED]) == 12
    for number in killed:
        assert trials[number].state == optuna.trial.TrialState.FAIL
        assert any(t.system_attrs.get("failed_trial") == number and t.state in FINISHED for t in trials)
    check_no_trial_ran_twice(trials)


SWEEP = """
import sys
from reglab.config import DataConfig, RunConfig
from reglab.regularizers import L2
from reglab.runs import grid
from reglab.tuning.shared_sweep import work
runs = grid(RunConfig(hidden=(8, 8), epochs=10), DataConfig(n_samples=80, val_size=0.3), range(2),
            penalty=[L2(lam=v).model_dump() for v in (1e-3, 1e-2, 1e-1)], dropout=[0.0, 0.2])
print(work(runs, sys.argv[1], sys.argv[2], batch=2, heartbeat=1))
"""


def test_a_shared_grid_sweep_is_divided_between_workers_and_collected(postgres):
    study = f"grid-{uuid.uuid4().hex[:8]}"
    command = [sys.executable, "-c", SWEEP, postgres, study]
    workers = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=ENV) for _ in range(2)]
    trained = [int(w.communicate(timeout=300)[0]) for w in workers]
    assert [w.returncode for w in workers] == [0, 0]
    assert sum(trained) == 6 and min(trained) >= 1
    complete = trials_of(postgres, study, (optuna.trial.TrialState.COMPLETE,))
    assert sorted(t.params["configuration"] for t in complete) == list(range(6))  # each trained once
    runs = grid(RunConfig(hidden=(8, 8), epochs=10), DataConfig(n_samples=80, val_size=0.3), range(2),
                penalty=[L2(lam=v).model_dump() for v in (1e-3, 1e-2, 1e-1)], dropout=[0.0, 0.2])  # fmt: skip
    document = collect(runs, postgres, study)
    assert document["missing"] == [] and len(document["runs"]) == 12
    local = summarize_sweep(train_runs(runs))
    assert [s["label"] for s in document["summary"]] == [s["label"] for s in local]
    for shared, alone in zip(document["summary"], local):
        assert shared["n_seeds"] == 2
        assert shared["test_accuracy"]["mean"] == pytest.approx(alone["test_accuracy"]["mean"], abs=1e-6)
