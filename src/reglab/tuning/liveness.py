"""Which RUNNING trials are still being trained, and what happens to the others.

A worker marks each trial it trains with its identity (``worker``: host and process id) and, while
the trial trains, records Optuna's heartbeat for it every ``heartbeat_interval`` seconds from a
background thread (:class:`Heartbeat`; the storage's own clock, so the machines' clocks may differ).
Before asking for trials, every worker reaps the study's dead trials (:func:`reap_dead_trials`):

* a RUNNING trial whose heartbeat is older than the storage's grace period is failed by Optuna's
  ``fail_stale_trials`` and re-asked through its ``RetryHeartbeatStaleTrialCallback`` (a WAITING copy
  with the same parameters, which the next ``ask`` of any worker takes);
* a RUNNING trial of a process of this host that no longer exists (Ctrl-C, ``kill -9``) is failed and
  re-asked at once, without waiting for the grace period;
* a RUNNING trial with neither a worker nor a heartbeat (its worker died between Optuna's ``ask`` and
  marking it, a window of milliseconds) is failed and re-asked once it is older than the grace period
  by the sweeping machine's clock: no live worker leaves a trial unmarked that long. Without this, such
  an orphan would count as running forever and the study would never reach its total.

Failing a trial is a compare-and-set in the storage: when two workers reap at once, one of them
fails it and re-asks it, the other sees it finished and leaves it.
"""

from __future__ import annotations

import copy
import datetime
import os
import socket
import threading
import warnings
from collections.abc import Iterable

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.trial import FrozenTrial, TrialState

from reglab.tuning.defaults import HEARTBEAT

__all__ = ["WORKER", "Heartbeat", "fail_and_retry", "fail_still_running", "reap_dead_trials", "worker_id"]

WORKER = "worker"  # user attribute: host:pid of the process training the trial


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def process_is_gone(worker: str) -> bool:
    """True when ``worker`` names a process of this host that no longer runs."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        return False
    return False


def retry_callback():
    """Optuna's ``RetryHeartbeatStaleTrialCallback`` (a failed trial comes back WAITING with its parameters), except
    that the copy leaves the pruner's rung records behind: Optuna copies every system attribute, and successive
    halving would take a retry for a trial past rungs it never reached in this life (it trains from epoch 0)."""
    from optuna.storages import RetryHeartbeatStaleTrialCallback  # experimental: warns when built

    class RetryFromScratch(RetryHeartbeatStaleTrialCallback):
        def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
            fresh = copy.copy(trial)
            fresh.system_attrs = {k: v for k, v in trial.system_attrs.items() if not k.startswith(RUNG_PREFIX)}
            super().__call__(study, fresh)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return RetryFromScratch()


RUNG_PREFIX = "completed_rung_"  # successive halving's record of a trial's value at a rung


def fail_and_retry(study: optuna.Study, storage: optuna.storages.RDBStorage, trial: FrozenTrial) -> bool:
    """Fails RUNNING ``trial`` and enqueues a copy with its parameters; False when another worker got there first."""
    try:
        if not storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL):
            return False
    except UpdateFinishedTrialError:
        return False
    callback = storage.get_heartbeat_stale_trial_callback()
    if callback is not None:
        callback(study, storage.get_trial(trial._trial_id))
    return True


def _now() -> datetime.datetime:
    """This machine's clock, as Optuna writes ``datetime_start``."""
    return datetime.datetime.now()


def reap_dead_trials(study: optuna.Study, storage: optuna.storages.RDBStorage) -> None:
    """Fails and re-asks the trials whose worker is gone (see the module docstring)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
    grace = datetime.timedelta(seconds=storage.grace_period or 3 * (storage.get_heartbeat_interval() or HEARTBEAT))
    now = _now()
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        worker = trial.user_attrs.get(WORKER)
        orphan = worker is None and trial.datetime_start is not None and now - trial.datetime_start > grace
        if orphan or (worker is not None and process_is_gone(worker)):
            fail_and_retry(study, storage, trial)


class Heartbeat:
    """Records the heartbeat of the given trials every ``storage.heartbeat_interval`` seconds, in a thread.

    Use as a context manager; :meth:`forget` stops beating for a trial that was told.
    """

    def __init__(self, storage: optuna.storages.RDBStorage, trial_ids: Iterable[int]) -> None:
        self.storage = storage
        self.trial_ids = set(trial_ids)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="reglab-heartbeat", daemon=True)

    def _beat(self) -> None:
        interval = self.storage.get_heartbeat_interval() or HEARTBEAT
        while True:
            with self.lock:
                ids = sorted(self.trial_ids)
            for trial_id in ids:
                self.storage.record_heartbeat(trial_id)
            if self.stop.wait(interval):
                return

    def forget(self, trial_id: int) -> None:
        with self.lock:
            self.trial_ids.discard(trial_id)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def fail_still_running(study: optuna.Study, storage: optuna.storages.RDBStorage, asked: list) -> None:
    """After a batch was interrupted: every asked trial still RUNNING is failed and re-asked."""
    for trial in asked:
        frozen = storage.get_trial(trial._trial_id)
        if frozen.state == TrialState.RUNNING:
            fail_and_retry(study, storage, frozen)
