"""Tests of ``reglab tune`` and :mod:`reglab.tuning` on SQLite: what is told to Optuna is what was
trained, pruning frees the stack, a study killed with SIGKILL resumes to exactly N finished trials, and
every bad input is one line with exit code 2. PostgreSQL and several workers: ``test_tune_postgres.py``.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time

import optuna
import pytest
import sqlalchemy

import reglab.cli.tuning  # noqa: F401  (registers ``tune`` on the app)
from reglab.cli import execute
from reglab.config import DataConfig, RunConfig
from reglab.errors import OptionError
from reglab.runs import train
from reglab.tuning import SearchSpace, tune
from reglab.tuning.space import parse_lam_range
from reglab.tuning.storage import masked

DATA = DataConfig(n_samples=80, val_size=0.3)
BASE = RunConfig(hidden=(8, 8), epochs=12)
SPACE = SearchSpace(("l1", "l2", "l1l2"), 1e-4, 1e-1, 0.0, 0.3)
TINY = ["--n-samples", "80", "--hidden", "8,8", "--epochs", "12"]
RUN_CLI = "import sys, reglab.cli.tuning; from reglab.cli import main; main(sys.argv[1:])"


def finished(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return study.get_trials(states=(optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED))


def test_told_values_are_those_of_the_parameters_trained_alone(tmp_path):
    """Each trial's value is the seed-mean validation loss of its parameters trained alone (no pruning)."""
    result = tune(DATA, BASE, SPACE, trials=4, batch=4, seeds=2, storage=tmp_path, report_every=10_000)
    trials = finished(result.study)
    assert len(trials) == 4 and all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    for trial in trials:
        alone = [train(SPACE.config(BASE, trial.params).replace(seed=s), DATA.replace(seed=s)).val["data_loss"] for s in (0, 1)]
        assert trial.user_attrs["per_seed"]["val_data_loss"] == pytest.approx(alone, rel=1e-4)
        assert trial.value == pytest.approx(sum(alone) / 2, rel=1e-4)
        config = trial.user_attrs["config"]
        assert config["penalty"]["kind"] == trial.params["penalty"] and config["dropout"] == trial.params["dropout"]
    best = min(trials, key=lambda t: t.value)
    assert result.best_config == SPACE.config(BASE, best.params)


def test_pruned_trials_leave_the_stack_at_a_check(tmp_path):
    """Successive halving from epoch 2 (rungs at epochs 2 and 6): pruned trials stop at a rung, before the
    last epoch, having reported one value per rung they reached."""
    result = tune(DATA, BASE, SPACE, trials=9, batch=9, storage=tmp_path, report_every=2, sampler="random", sampler_seed=0)
    trials = finished(result.study)
    pruned = [t for t in trials if t.state == optuna.trial.TrialState.PRUNED]
    assert len(trials) == 9 and pruned
    for trial in pruned:
        epochs = trial.user_attrs["summary"]["epochs_run"]
        assert epochs in (2, 6)
        assert sorted(trial.intermediate_values) == [e for e in (2, 6) if e <= epochs]
        assert trial.user_attrs["per_seed"]["status"] == ["pruned"]
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert all(t.user_attrs["summary"]["epochs_run"] == BASE.epochs for t in complete)


def test_one_read_per_rung_answers_as_each_trial_asking_in_turn(tmp_path):
    """RungView's answers and the records the pruner writes equal those of sequential ``should_prune``
    calls, over three rungs of successive halving, pruned trials told PRUNED as they go."""
    import random

    from reglab.tuning.pruning import RungView

    rng = random.Random(0)
    values = [[rng.random() for _ in range(3)] for _ in range(16)]

    def run(name: str, one_read: bool):
        pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=10, reduction_factor=3)
        study = optuna.create_study(storage=f"sqlite:///{tmp_path / name}.db", pruner=pruner)
        trials, alive, decisions = [study.ask() for _ in range(16)], set(range(16)), []
        for rung, epoch in enumerate((10, 30, 90)):
            for k in sorted(alive):
                trials[k].report(values[k][rung], epoch)
            view = RungView(study) if one_read else None
            for k in sorted(alive):
                stop = view.should_prune(trials[k]) if one_read else trials[k].should_prune()
                decisions.append((epoch, k, stop))
                if stop:
                    alive.discard(k)
                    study.tell(trials[k], state=optuna.trial.TrialState.PRUNED)
        return decisions, [t.system_attrs for t in study.get_trials()]

    sequential, batched = run("sequential", False), run("batched", True)
    assert batched == sequential
    assert 0 < sum(stop for _, _, stop in sequential[0]) < 16  # some pruned, some not: the comparison means something


def _open_at_the_gate(url: str, gate, out) -> None:
    from reglab.tuning.storage import open_storage, open_study

    gate.wait()
    try:
        study = open_study(open_storage(url, heartbeat=10), "race", {"objective": "x"}, optuna.samplers.RandomSampler())
        out.put(study._study_id)
    except BaseException as exc:  # noqa: BLE001 - every failure is reported by the assertion
        out.put(repr(exc))


def test_workers_creating_one_sqlite_study_at_the_same_instant_all_get_it(tmp_path):
    """Tables, version row and study created by four processes at once (SQLite reports the lost race as
    "table … already exists"): every one opens the same study, none fails."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    gate, out = context.Barrier(4), context.Queue()
    url = f"sqlite:///{tmp_path / 'study.db'}"
    workers = [context.Process(target=_open_at_the_gate, args=(url, gate, out)) for _ in range(4)]
    for w in workers:
        w.start()
    got = [out.get(timeout=120) for _ in workers]
    for w in workers:
        w.join()
    assert len(set(got)) == 1 and isinstance(got[0], int), got


def test_grid_sampler_visits_each_point_once(tmp_path):
    space = SearchSpace(("l2",), 1e-3, 1e-1, 0.0, 0.0)
    result = tune(DATA, BASE, space, trials=5, batch=3, sampler="grid", storage=tmp_path, report_every=10_000)
    lams = sorted(t.params["lam"] for t in finished(result.study))
    assert lams == pytest.approx([1e-3 * 10 ** (k / 2) for k in range(5)])


def study_in(folder) -> optuna.Study:
    return optuna.load_study(study_name="reglab-tune", storage=f"sqlite:///{folder}/study.db")


def killable(folder) -> bool:
    """True once the study in ``folder`` holds 2 finished trials and a RUNNING one."""
    try:
        trials = study_in(folder).get_trials()
    except KeyError:  # the worker is still creating the study
        return False
    except sqlalchemy.exc.OperationalError:  # frozen in the middle of a write: the file is locked, look again later
        return False
    states = [t.state for t in trials]
    done = sum(s in (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED) for s in states)
    return done >= 2 and optuna.trial.TrialState.RUNNING in states


def test_a_study_killed_with_sigkill_resumes_to_exactly_n_trials(tmp_path):
    command = [sys.executable, "-c", RUN_CLI, "tune", *TINY[:4], "--epochs", "150", "--trials", "8", "--batch", "2",
               "--report-every", "1000", "--out", str(tmp_path), "--heartbeat", "1", "--json"]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    worker = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        worker.send_signal(signal.SIGSTOP)  # frozen, so the study cannot move on between the look and the kill
        if (tmp_path / "study.db").exists() and killable(tmp_path):
            break
        worker.send_signal(signal.SIGCONT)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    before = study_in(tmp_path).get_trials()
    running = [t.number for t in before if t.state == optuna.trial.TrialState.RUNNING]
    assert 2 <= len(finished(study_in(tmp_path))) < 8 and running
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    trials = study_in(tmp_path).get_trials()
    ended = [t for t in trials if t.state in (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)]
    assert len(ended) == 8
    kept = [t.number for t in before if t.state in (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)]
    assert set(kept) <= {t.number for t in ended}  # nothing finished was lost
    for number in running:  # the killed worker's trials were failed, and each re-asked once
        assert trials[number].state == optuna.trial.TrialState.FAIL
        retries = [t for t in ended if t.system_attrs.get("failed_trial") == number]
        # the parameters it had drawn (all, or some when killed while suggesting) are the retry's
        assert len(retries) == 1 and trials[number].params.items() <= retries[0].params.items()
    params = [tuple(sorted(t.params.items())) for t in ended]
    assert len(set(params)) == len(params)


@pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed to be used with Study.optimize")
def test_a_trial_whose_worker_died_before_marking_it_is_failed_after_the_grace_period(tmp_path, monkeypatch):
    """Killed between Optuna's ask and the worker attribute: no worker, no heartbeat. The sweep fails and re-asks
    it once it is older than the grace period (here 3 s), and leaves a marked trial of a live worker alone."""
    import datetime

    from reglab.tuning import liveness
    from reglab.tuning.storage import open_storage, open_study

    storage = open_storage(f"sqlite:///{tmp_path / 'study.db'}", heartbeat=1)
    study = open_study(storage, "orphans", {"objective": "x"}, optuna.samplers.RandomSampler(0))
    orphan, marked = study.ask(), study.ask()
    marked.set_user_attr(liveness.WORKER, liveness.worker_id())
    liveness.reap_dead_trials(study, storage)
    assert [t.state for t in study.get_trials()] == [optuna.trial.TrialState.RUNNING] * 2  # young: left alone
    later = datetime.datetime.now() + datetime.timedelta(seconds=10)
    monkeypatch.setattr(liveness, "_now", lambda: later)
    liveness.reap_dead_trials(study, storage)
    states = {t.number: t.state for t in study.get_trials()}
    assert states[orphan.number] == optuna.trial.TrialState.FAIL and states[marked.number] == optuna.trial.TrialState.RUNNING
    assert [t.system_attrs.get("failed_trial") for t in study.get_trials() if t.state == optuna.trial.TrialState.WAITING] == [orphan.number]


def test_a_trial_failed_before_this_worker_marked_it_is_left_out(tmp_path, monkeypatch):
    """Paused between ask and marking longer than the grace period, a worker finds its trial failed (and re-asked
    by another worker's sweep): it goes on without it instead of crashing."""
    from optuna.exceptions import UpdateFinishedTrialError

    from reglab.tuning.search import ask

    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 'study.db'}")
    mark = optuna.Trial.set_user_attr
    calls = []

    def failed_first(trial, key, value):
        calls.append(trial.number)
        if len(calls) == 1:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)  # what the other worker's sweep did meanwhile
            raise UpdateFinishedTrialError("finished")
        mark(trial, key, value)

    monkeypatch.setattr(optuna.Trial, "set_user_attr", failed_first)
    asked = ask(study, 2, "host:1")
    assert [t.number for t in asked] == [1] and study.trials[1].user_attrs == {"worker": "host:1"}


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = execute(list(args))
    out, err = capsys.readouterr()
    return code, out, err


LAM = "The '--lam-range' option must be LOW:HIGH with 0 < LOW <= HIGH (λ is searched on a log scale), such as 1e-5:1."
DROPOUT = "The '--dropout-range' option must be LOW:HIGH with 0 <= LOW <= HIGH < 1, such as 0:0.5."
KINDS = "The '--penalty' option must be one of none, l1, l2, l1l2, or a comma-separated list of them."
BAD = [
    (["--lam-range", "0:1"], f"{LAM} Got '0:1' instead."),
    (["--lam-range", "1:0.1"], f"{LAM} Got '1:0.1' instead."),
    (["--lam-range", "-1:1"], f"{LAM} Got '-1:1' instead."),
    (["--lam-range", "a:b"], f"{LAM} Got 'a:b' instead."),
    (["--dropout-range", "0.5:0.1"], f"{DROPOUT} Got '0.5:0.1' instead."),
    (["--penalty", "l1,l3"], f"{KINDS} Got item 'l3' of 'l1,l3' instead."),
    (["--trials", "0"], "The '--trials' option must be an int >= 1. Got '0' instead."),
    (["--sampler", "cma"], "The '--sampler' option must be one of tpe, grid, random. Got 'cma' instead."),
    (["--val-size", "0"], "The '--val-size' option must be > 0 (the search minimises the validation loss). Got '0' instead."),
    (
        ["--storage", "not a url"],
        "The '--storage' option must be a database URL such as sqlite:///study.db or postgresql://user@host:5432/db. "
        "Got 'not a url' instead.",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, args, message):
    code, out, err = cli(capsys, "tune", *TINY, "--out", str(tmp_path), *args)
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")


def test_search_space_refuses_what_the_options_refuse():
    assert parse_lam_range("1e-5:1") == (1e-5, 1.0) and parse_lam_range("0.01") == (0.01, 0.01)
    with pytest.raises(OptionError, match=r"^The 'lam' range must satisfy 0 < low <= high"):
        SearchSpace(("l2",), 0.0, 1.0)
    with pytest.raises(OptionError, match=r"^The 'dropout' range must satisfy 0 <= low <= high < 1"):
        SearchSpace(("l2",), 0.1, 1.0, 0.5, 1.0)
    with pytest.raises(OptionError, match=r"^The 'penalties' parameter must be distinct kinds"):
        SearchSpace(("l2", "l2"))


def test_an_unreachable_storage_names_the_url_without_its_password(capsys, tmp_path):
    url = "postgresql://reglab:s3cret-pw@127.0.0.1:9/nothing"
    code, out, err = cli(capsys, "tune", *TINY, "--storage", url)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "s3cret-pw" not in err and "The '--storage' option must be a reachable database (" in err
    assert err.endswith("Got 'postgresql://reglab:***@127.0.0.1:9/nothing' instead.\n")
    assert masked("postgresql://a:b@h/d") == "postgresql://a:***@h/d" and masked("nonsense://a:pw@x") == "nonsense://a:***@x"


def test_a_study_is_never_resumed_with_another_search_space(capsys, tmp_path):
    code, _, err = cli(capsys, "tune", *TINY, "--trials", "1", "--batch", "1", "--out", str(tmp_path), "--lam-range", "1e-3:1e-1")
    assert code == 0, err
    code, out, err = cli(capsys, "tune", *TINY, "--trials", "2", "--out", str(tmp_path), "--lam-range", "1e-4:1e-1")
    assert (code, out) == (2, "")
    assert err == (
        "reglab: error: The '--study' option names a study with another space (lam [0.001, 0.1], not [0.0001, 0.1]): "
        "use the same options or another --study name. Got 'reglab-tune' instead.\n"
    )
    assert len(study_in(tmp_path).trials) == 1  # nothing lost


def test_resume_needs_an_existing_study(capsys, tmp_path):
    code, out, err = cli(capsys, "tune", *TINY, "--out", str(tmp_path), "--study", "nope", "--resume")
    path = tmp_path / "study.db"
    assert (code, out) == (2, "") and not path.exists()  # no empty study file made
    assert err == (
        f"reglab: error: The '--resume' option needs an existing study, and there is no study file '{path}': "
        "run without --resume to start one.\n"
    )
    assert cli(capsys, "tune", *TINY, "--trials", "1", "--batch", "1", "--out", str(tmp_path))[0] == 0
    code, out, err = cli(capsys, "tune", *TINY, "--out", str(tmp_path), "--study", "nope", "--resume")
    assert (code, out) == (2, "")
    assert err == (
        f"reglab: error: The '--study' option must name an existing study with --resume (none in sqlite:///{path}). "
        "Got 'nope' instead.\n"
    )


def test_json_document_and_table(capsys, tmp_path):
    code, out, err = cli(capsys, "tune", *TINY, "--trials", "3", "--batch", "3", "--out", str(tmp_path), "--json")
    assert code == 0, err
    import json

    document = json.loads(out)
    assert {"schema_version", "study", "storage", "trials", "best"} <= set(document)
    assert document["storage"] == f"sqlite:///{tmp_path}/study.db" and document["finished"] == 3
    assert document["best"]["value"] == min(t["value"] for t in document["trials"] if t["state"] == "complete")
    assert all(math.isfinite(t["value"]) for t in document["trials"])
    code, out, err = cli(capsys, "tune", *TINY, "--trials", "3", "--out", str(tmp_path))
    assert code == 0 and "best trials by validation data loss" in out and "finished  3" in out
