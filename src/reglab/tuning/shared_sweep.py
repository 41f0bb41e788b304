"""A sweep's grid divided between workers through an Optuna study, and the whole sweep collected back.

The sweep's runs are grouped into configurations (runs that differ only by their seed); trial
parameter ``configuration`` is the index of one, chosen by Optuna's ``GridSampler`` over all of them.
Each worker asks a batch of trials and trains their runs with :func:`reglab.runs.train_runs` (one
stack per architecture), then tells each trial COMPLETE with the mean held-out data loss (validation,
else test) of its runs and their JSON documents (:meth:`reglab.runs.RunResult.to_dict`, plus the
``majority_rate``) as the user attribute ``runs``. Workers stop when every configuration is complete.

Two workers asking at the same instant may be given the same configuration; :func:`claim` then keeps
it for the lower-numbered trial and tells the other FAIL untrained, so no configuration is trained
twice. A dead worker's configurations are failed and re-asked as in :mod:`reglab.tuning.liveness`.

:func:`collect` rebuilds the results from the study, in the order of the sweep's configurations, and
returns the same document as a local ``reglab sweep --json``: ``{"schema_version", "runs", "summary"}``
(runs without weights).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Sequence
from typing import Any

import optuna
from optuna.trial import TrialState

from reglab.config import SCHEMA_VERSION, DataConfig, RunConfig
from reglab.measures import FitThresholds
from reglab.runs import Run, RunResult, json_safe, train_runs
from reglab.runs.seeds import summarize_sweep
from reglab.tuning.defaults import BATCH, HEARTBEAT
from reglab.tuning.liveness import Heartbeat, fail_still_running, reap_dead_trials, worker_id
from reglab.tuning.records import data_record
from reglab.tuning.search import ask, claim, count
from reglab.tuning.storage import OBJECTIVE, open_storage, open_study
from reglab.tuning.tuner import make_sampler

__all__ = ["collect", "configurations", "work"]

PARAM = "configuration"


def configurations(runs: Sequence[Run]) -> list[list[int]]:
    """Indices of the runs of each configuration (runs equal but for their seeds), in order of first appearance."""
    groups: dict[tuple[RunConfig, DataConfig], list[int]] = {}
    for i, run in enumerate(runs):
        groups.setdefault((run.config.replace(seed=0), run.data.replace(seed=0)), []).append(i)
    return list(groups.values())


def fingerprint(runs: Sequence[Run]) -> str:
    """A digest of every run (a CSV file's digest included), kept in the study: a worker with another grid is refused."""
    text = json.dumps([[r.config.model_dump(mode="json", by_alias=True), data_record(r.data)] for r in runs], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def open_sweep(runs: Sequence[Run], url: str, name: str, heartbeat: int, must_exist: bool = False):
    storage = open_storage(url, heartbeat)
    groups = configurations(runs)
    sampler = make_sampler("grid", {PARAM: list(range(len(groups)))})
    record = {"objective": OBJECTIVE, "sweep": fingerprint(runs), "configurations": str(len(groups))}
    return storage, open_study(storage, name, record, sampler, must_exist=must_exist), groups


def work(
    runs: Sequence[Run],
    url: str,
    name: str,
    *,
    batch: int = BATCH,
    device: str = "cpu",
    heartbeat: int = HEARTBEAT,
    thresholds: FitThresholds | None = None,
) -> int:
    """Trains configurations of the shared grid until all are complete; returns how many this worker trained."""
    storage, study, groups = open_sweep(runs, url, name, heartbeat)
    me, trained = worker_id(), 0
    while True:
        reap_dead_trials(study, storage)
        done = count(study, (TrialState.COMPLETE,))
        if done >= len(groups):
            return trained
        room = len(groups) - done - count(study, (TrialState.RUNNING,))
        if room <= 0:
            time.sleep(min(heartbeat, 2))
            continue
        asked = ask(study, min(batch, room), me)
        with Heartbeat(storage, [t._trial_id for t in asked]):
            try:
                kept = claim(study, asked, len(groups), key=lambda t: t.system_attrs.get("grid_id"))
                chosen = [t.suggest_categorical(PARAM, list(range(len(groups)))) for t in kept]
                members = [[runs[i] for i in groups[c]] for c in chosen]
                results = train_runs([r for m in members for r in m], device=device) if kept else []
                at = 0
                for trial, member in zip(kept, members):
                    tell(study, trial, results[at : at + len(member)], thresholds)
                    at += len(member)
            except BaseException:
                fail_still_running(study, storage, asked)
                raise
        trained += len(kept)


def tell(study: optuna.Study, trial: optuna.Trial, results: list[RunResult], thresholds: FitThresholds | None) -> None:
    losses = [r.held_out[1].get("data_loss", math.nan) for r in results]
    finite = [v for v in losses if math.isfinite(v)]
    trial.set_user_attr("runs", [{**r.to_dict(thresholds), "majority_rate": json_safe(r.majority_rate)} for r in results])
    study.tell(trial, sum(finite) / len(finite) if len(finite) == len(losses) else math.inf)


def result_from_document(doc: dict[str, Any]) -> RunResult:
    """A RunResult from its stored document (no weights; NaN where the document holds null)."""
    scores = lambda part: {k: math.nan if v is None else v for k, v in (doc[part] or {}).items()}  # noqa: E731
    majority = doc.get("majority_rate")
    return RunResult(
        config=RunConfig.model_validate(doc["config"]), data=DataConfig.model_validate(doc["data"]), task=doc["task"],
        status=doc["status"], epochs_run=doc["epochs_run"], best_epoch=doc["best_epoch"], diverged_epoch=doc["diverged_epoch"],
        train=scores("train"), val=scores("val"), test=scores("test"), history=doc["history"], kernels=[], biases=[],
        majority_rate=math.nan if majority is None else majority,
    )  # fmt: skip


def collect(runs: Sequence[Run], url: str, name: str, thresholds: FitThresholds | None = None) -> dict[str, Any]:
    """The whole sweep's document (``reglab sweep --json``) from the study; a configuration not yet
    complete is left out, and ``missing`` lists the indices of such configurations."""
    storage, study, groups = open_sweep(runs, url, name, heartbeat=HEARTBEAT, must_exist=True)
    by_configuration = {}
    try:
        for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            by_configuration.setdefault(trial.params[PARAM], trial.user_attrs["runs"])
    finally:
        storage.engine.dispose()  # a collect holds no connection open
    documents = [doc for c in range(len(groups)) for doc in by_configuration.get(c, [])]
    results = [result_from_document(d) for d in documents]
    return json_safe({
        "schema_version": SCHEMA_VERSION,
        "runs": documents,
        "summary": summarize_sweep(results, thresholds),
        "missing": [c for c in range(len(groups)) if c not in by_configuration],
    })
