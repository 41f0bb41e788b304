"""Apply and tune: penalty kind, λ and dropout searched through reglab's tuning machinery.

The study is a :mod:`reglab.tuning` study (its storage, liveness, batched ask/tell and pruning), so
``storage``/``study`` let several processes or machines share one diagnosis. Two modes:

* ``grid``: when the space's grid (:meth:`SearchSpace.grid`: 5 λ × 3 dropout rates × kinds) has at most
  ``budget`` points, every point is trained, all in one stack, without pruning;
* ``tpe``: otherwise ``budget`` trials of Optuna's TPE, ``batch`` trials per stack, with successive
  halving pruning (:func:`reglab.tuning.tuner.rungs`).

Unlike ``reglab tune``, every seed trains on the *same* split (``Plan(split_per_seed=False)``): the
test rows stay unseen until the verification. The objective is the tuner's: the validation data loss
averaged over ``search_seeds`` seeds (at the best epoch, with early stopping).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from reglab.config import DataConfig, RunConfig
from reglab.diagnosis.choose import Candidate
from reglab.diagnosis.settings import Settings
from reglab.tuning.records import data_record
from reglab.tuning.search import Plan, work
from reglab.tuning.storage import OBJECTIVE, default_url, masked, open_storage, open_study
from reglab.tuning.tuner import REDUCTION_FACTOR, make_sampler, rungs, seeded_rounds

__all__ = ["Search", "Study", "grid_size", "open_search", "search", "study_name"]


@dataclass
class Search:
    """The finished trials of a diagnosis's study, as candidates of the 1-SE rule."""

    mode: str  # "grid" | "tpe"
    study: optuna.Study
    storage: str  # password masked
    candidates: list[Candidate]  # complete trials, in trial order
    numbers: list[int]  # their trial numbers
    pruned: int

    def history(self) -> list[dict[str, Any]]:
        """Every finished trial: number, state, parameters, mean validation data loss and per-seed losses."""
        rows = []
        for t in self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)):
            per_seed = t.user_attrs.get("per_seed", {})
            epochs = t.user_attrs.get("summary", {}).get("epochs_run")
            rows.append({"number": t.number, "state": t.state.name.lower(), "params": dict(t.params), "value": t.value,
                         "losses": per_seed.get("val_data_loss"), "epochs_run": epochs})  # fmt: skip
        return rows


def grid_size(settings: Settings) -> int:
    return math.prod(len(values) for values in settings.space.grid().values())


def study_name(data: DataConfig, base: RunConfig, settings: Settings) -> str:
    """A name that changes with anything that changes the trials (a CSV file's content included): the same command
    on the same data resumes its study."""
    what = {
        "data": data_record(data), "base": base.model_dump(mode="json", by_alias=True),
        "space": settings.space.fingerprint(), "seeds": settings.search_seeds,
    }  # fmt: skip
    return "reglab-diagnose-" + hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:12]


def candidates_of(study: optuna.Study, space_params: dict[str, Any]) -> tuple[list[Candidate], list[int]]:
    found, numbers = [], []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        losses = t.user_attrs.get("per_seed", {}).get("val_data_loss") or []
        if t.value is None or not math.isfinite(t.value) or any(v is None for v in losses):
            continue
        found.append(Candidate({**space_params, **t.params}, tuple(float(v) for v in losses)))
        numbers.append(t.number)
    return found, numbers


@dataclass
class Study:
    """An open study of a diagnosis, before its trials are trained."""

    mode: str
    trials: int  # finished trials to reach
    batch: int
    every: int  # epochs between pruning checks
    url: str
    storage: optuna.storages.RDBStorage
    study: optuna.Study
    plan: Plan


def open_search(data: DataConfig, base: RunConfig, settings: Settings, folder: Path) -> Study:
    """Opens (or creates) the study, so that a bad ``storage`` or ``study`` is refused before anything trains."""
    space = settings.space
    mode = "grid" if grid_size(settings) <= settings.budget else "tpe"
    trials = grid_size(settings) if mode == "grid" else settings.budget
    url = settings.storage or default_url(folder)
    rdb = open_storage(url, settings.heartbeat)
    every = max(1, base.epochs // 10)
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=every, reduction_factor=REDUCTION_FACTOR) if mode == "tpe" else None
    record = {"objective": OBJECTIVE, "space": space.fingerprint(), "sampler": mode, "split": "fixed", "data": data_record(data)}
    name = settings.study or study_name(data, base, settings)
    study = open_study(rdb, name, record, make_sampler(mode, space, base.seed), pruner or optuna.pruners.NopPruner())
    plan = Plan(base, data, space, settings.search_seeds, split_per_seed=False)
    return Study(mode, trials, trials if mode == "grid" else settings.batch, every, url, rdb, study, plan)


def search(opened: Study, *, device: str = "cpu", progress: Callable[[str], None] | None = None) -> Search:
    """Works on the study until it holds its finished trials (``budget``, or the whole grid); see the module docstring."""
    mode, trials, study, space = opened.mode, opened.trials, opened.study, opened.plan.space
    shown = [-1]

    def on_progress(finished: int, report) -> None:
        quarter = min(finished, trials) * 4 // trials  # a line per quarter of the trials: the output stays short
        if progress is None or quarter == shown[0]:
            return
        shown[0] = quarter
        complete = [t.value for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if t.value is not None]
        best = f", best validation data loss so far {min(complete):.4f}" if complete else ""
        progress(f"search ({mode}): {min(finished, trials)}/{trials} trials finished{best}")

    every = opened.every
    rounds = seeded_rounds(mode, space, opened.plan.base.seed)
    work(study, opened.storage, opened.plan, trials, batch=opened.batch, device=device, report_every=every, prune_at=rungs(every),
         progress=on_progress, sampler_for=rounds)  # fmt: skip
    fixed = {} if space.searches_dropout else {"dropout": space.dropout_low}
    candidates, numbers = candidates_of(study, fixed)
    pruned = len(study.get_trials(deepcopy=False, states=(TrialState.PRUNED,)))
    return Search(mode, study, masked(opened.url), candidates, numbers, pruned)
