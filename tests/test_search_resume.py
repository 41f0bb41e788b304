"""A search interrupted anywhere and run again ends as the same search uninterrupted: same trials, same values,
same pruning, same recommendation (each round's sampler is seeded from the study's state; failed trials are no
evidence for the pruner)."""

from __future__ import annotations

import pytest
from optuna.trial import TrialState

import reglab
from reglab.config import DataConfig, RunConfig
from reglab.diagnosis.settings import Settings
from reglab.engine import StackTrainer
from reglab.tuning import SearchSpace, tune

DATA = DataConfig(n_samples=80, val_size=0.3)
BASE = RunConfig(hidden=(8,), epochs=9)
SPACE = SearchSpace(("l1", "l2"), 1e-4, 1e-1, 0.0, 0.3)


def stop_after(monkeypatch, epochs: float) -> list[int]:
    """Ctrl-C once ``epochs`` epochs of any stack have trained; returns the count of epochs trained, as it grows."""
    run_epoch = StackTrainer._run_epoch
    seen = [0]

    def counted(self):
        seen[0] += 1
        if seen[0] > epochs:
            raise KeyboardInterrupt
        return run_epoch(self)

    monkeypatch.setattr(StackTrainer, "_run_epoch", counted)
    return seen


def finished(study) -> list[tuple]:
    """The finished trials in the order they finished: parameters, state and value."""
    done = [t for t in study.get_trials() if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    return [(tuple(sorted(t.params.items())), t.state, t.value) for t in sorted(done, key=lambda t: t.datetime_complete)]


def search(folder):
    return tune(DATA, BASE, SPACE, trials=14, batch=3, storage=folder, report_every=3, sampler_seed=7)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The finished trials of the search run straight through, and how many stack epochs it trained."""
    with pytest.MonkeyPatch.context() as patched:
        epochs = stop_after(patched, float("inf"))
        study = search(tmp_path_factory.mktemp("straight")).study
    return finished(study), epochs[0]


@pytest.mark.parametrize("at", [0.05, 0.3, 0.6, 0.95])  # inside the first batch, later batches, past the random start-up
def test_a_tuning_study_resumed_after_ctrl_c_is_the_uninterrupted_one(tmp_path, monkeypatch, uninterrupted, at):
    trials, epochs = uninterrupted
    with monkeypatch.context() as patched:
        stop_after(patched, int(at * epochs))
        with pytest.raises(KeyboardInterrupt):
            search(tmp_path)
    resumed = search(tmp_path).study
    assert sorted(finished(resumed), key=repr) == sorted(trials, key=repr)
    assert any(t.state == TrialState.FAIL for t in resumed.get_trials())  # it was interrupted, and re-asked


def test_an_interrupted_diagnosis_recommends_what_an_uninterrupted_one_does(tmp_path, monkeypatch):
    settings = Settings(seeds=2, search_seeds=1, budget=12, batch=4, epochs=12)
    data, base = DataConfig(n_samples=120), RunConfig(hidden=(16,))
    straight = reglab.diagnose(data, base, settings, out=tmp_path / "straight")
    with monkeypatch.context() as patched:
        stop_after(patched, 40)
        with pytest.raises(KeyboardInterrupt):
            reglab.diagnose(data, base, settings, out=tmp_path / "again")
    resumed = reglab.diagnose(data, base, settings, out=tmp_path / "again")
    assert resumed.recommendation == straight.recommendation
    assert numberless(resumed.search) == numberless(straight.search)  # the same trials, under other numbers (retries)


def numberless(value):
    """``value`` without trial numbers, lists of records sorted: what a search found, whatever its trials were called."""
    if isinstance(value, dict):
        return {k: numberless(v) for k, v in value.items() if k not in ("trial", "number", "numbers", "storage")}
    if isinstance(value, list):
        return sorted((numberless(v) for v in value), key=repr)
    return value
