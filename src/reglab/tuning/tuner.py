"""``reglab.tuning.tune``: open (or create) a study, work on it until it holds N finished trials, and
return the study with its best configuration.

The pruner is Optuna's successive halving (ASHA), not the median rule. A batch trains in lockstep,
so all its trials reach an epoch together; successive halving compares a trial with every trial that
reached the same rung, RUNNING ones included, and so can stop the weak trials of the very first batch.
The median pruner compares with COMPLETE trials only: no trial of the first batch could ever be
pruned, and at most one batch's worth of trials would run in parallel per worker anyway. The rungs
are at ``report_every · 3^k`` epochs (reduction factor 3), so about a third of the trials reaching
a rung go on.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import optuna
from optuna.trial import TrialState

from reglab.config import SCHEMA_VERSION, DataConfig, RunConfig
from reglab.errors import ConfigError
from reglab.rules import VALIDATION_FRACTION
from reglab.runs import json_safe
from reglab.tuning.defaults import BATCH, HEARTBEAT, SAMPLERS, STUDY
from reglab.tuning.records import data_record, training_record
from reglab.tuning.search import Plan, Progress, SamplerFor, work
from reglab.tuning.space import SearchSpace
from reglab.tuning.storage import OBJECTIVE, default_url, masked, open_storage, open_study

__all__ = ["TuneResult", "make_sampler", "seeded_rounds", "tune"]

REDUCTION_FACTOR = 3


class SharedGridSampler(optuna.samplers.GridSampler):
    """Optuna's GridSampler, without its ``study.stop()`` after a trial: outside ``study.optimize`` that
    raises, and reglab's workers stop by counting finished trials."""

    def after_trial(self, study, trial, state, values) -> None:  # noqa: ANN001
        return None


def make_sampler(name: str, space: SearchSpace | dict[str, list[Any]], seed: int | None = None) -> optuna.samplers.BaseSampler:
    """``tpe`` (with the constant liar, since a batch asks several trials before any is told), ``grid``
    (:meth:`SearchSpace.grid`) or ``random``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if name == "tpe":
            return optuna.samplers.TPESampler(seed=seed, constant_liar=True)
        if name == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        if name == "grid":
            return SharedGridSampler(space.grid() if isinstance(space, SearchSpace) else space, seed=seed)
    raise ConfigError(f"The 'sampler' parameter must be one of {', '.join(SAMPLERS)}. Got {name!r} instead.")


def seeded_rounds(name: str, space: SearchSpace, seed: int | None) -> SamplerFor | None:
    """With a seed, each round's sampler seeded from the seed and the round's key (see :func:`reglab.tuning.search.work`):
    a resumed study asks what it would have asked uninterrupted. Without one, one unseeded sampler does."""
    if seed is None:
        return None
    return lambda key: make_sampler(name, space, int(np.random.SeedSequence([seed, key]).generate_state(1)[0]))


@dataclass
class TuneResult:
    """The study after this worker stopped, its storage URL (password masked), the best configuration
    (None when no trial completed) and how many trials this call trained."""

    study: optuna.Study
    storage: str
    best_config: RunConfig | None
    trained: int

    def importances(self) -> dict[str, float] | None:
        """Optuna's parameter importances (PED-ANOVA), or None when they cannot be computed (too few
        completed trials, or no parameter varied)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return dict(optuna.importance.get_param_importances(self.study))
            except (ValueError, RuntimeError, ZeroDivisionError):
                return None

    def document(self) -> dict[str, Any]:
        """The study as one strict-JSON document (``reglab tune --json``)."""
        trials = [trial_document(t) for t in self.study.get_trials(deepcopy=False)]
        best = best_trial(self.study)
        return json_safe({
            "schema_version": SCHEMA_VERSION,
            "study": self.study.study_name,
            "storage": self.storage,
            "objective": OBJECTIVE,
            "direction": "minimize",
            "record": dict(self.study.user_attrs),
            "finished": sum(t["state"] in ("complete", "pruned") for t in trials),
            "trials": trials,
            "best": None if best is None else {**trial_document(best), "config": self.best_config.model_dump(mode="json", by_alias=True)},
            "importances": self.importances(),
        })


def trial_document(trial: optuna.trial.FrozenTrial) -> dict[str, Any]:
    """A trial as JSON: its state, value and parameters, ``epochs_run`` and ``val_<score>`` (mean over
    seeds), the per-seed values, the worker that trained it and the trial it retries, if any."""
    attrs = trial.user_attrs
    return {
        "number": trial.number,
        "state": trial.state.name.lower(),
        "value": trial.value,
        "params": dict(trial.params),
        "epochs_run": None,
        **attrs.get("summary", {}),
        "per_seed": attrs.get("per_seed"),
        "worker": attrs.get("worker"),
        "retry_of": trial.system_attrs.get("failed_trial"),
        "surplus": bool(attrs.get("surplus", False)),
    }


def best_trial(study: optuna.Study) -> optuna.trial.FrozenTrial | None:
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    complete = [t for t in complete if t.value is not None and not math.isnan(t.value)]
    return min(complete, key=lambda t: (t.value, t.number)) if complete else None


def rungs(every: int):
    """The epochs where successive halving can stop a trial: ``every · 3^k``."""

    def at(epoch: int) -> bool:
        k, rest = divmod(epoch, every)
        while k > 1 and k % REDUCTION_FACTOR == 0:
            k //= REDUCTION_FACTOR
        return rest == 0 and k == 1

    return at


def storage_url(storage: str | Path) -> str:
    """A URL as given (text with ``://``); a folder (a Path, or text without a scheme) means the SQLite file of
    :func:`default_url` in it."""
    if not isinstance(storage, (str, Path)):
        raise ConfigError(
            "The 'storage' parameter must be a database URL (e.g. 'sqlite:///study.db') or a folder for the study's SQLite "
            f"file. Got {type(storage).__name__} {storage!r} instead."
        )
    return default_url(storage) if isinstance(storage, Path) or "://" not in storage else storage


def check_count(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"The '{name}' parameter must be an int >= {minimum}. Got {value!r} instead.")
    return value


def tune(
    data: DataConfig | None = None,
    base: RunConfig | None = None,
    space: SearchSpace | None = None,
    *,
    trials: int,
    batch: int = BATCH,
    seeds: int = 1,
    sampler: str = SAMPLERS[0],
    storage: str | Path = Path(STUDY),
    study: str = STUDY,
    resume: bool = False,
    device: str = "cpu",
    heartbeat: int = HEARTBEAT,
    report_every: int | None = None,
    sampler_seed: int | None = None,
    prune: bool = True,
    progress: Progress | None = None,
) -> TuneResult:
    """Works on study ``study`` in ``storage`` (a URL, or a folder, a Path or text without a scheme, for its SQLite file)
    until it holds ``trials`` finished trials, training ``batch`` trials × ``seeds`` seeds per stack;
    see :mod:`reglab.tuning.search` for the objective. ``data`` needs validation rows (val_size > 0,
    :data:`reglab.rules.VALIDATION_FRACTION` when left at 0). ``report_every`` (default: a tenth of the epochs) is the first rung of the
    pruner, in epochs; ``prune=False`` trains every trial to the end. Several processes may call this
    on one study at once: the trials are divided between them. A grid search stops at its grid: ``trials``
    is at most :meth:`SearchSpace.grid_size`. A study records its data (a CSV file's digest included) and
    training settings: opening it with others is refused (:mod:`reglab.tuning.records`).
    """
    data, base, space = data or DataConfig(val_size=VALIDATION_FRACTION), base or RunConfig(), space or SearchSpace()
    if data.val_size == 0:
        data = data.replace(val_size=VALIDATION_FRACTION)
    for name, value in (("trials", trials), ("batch", batch), ("seeds", seeds), ("heartbeat", heartbeat)):
        check_count(name, value)
    if sampler == "grid":
        trials = min(trials, space.grid_size())  # a grid search stops at its grid: more trials would repeat points
    every = check_count("report_every", report_every) if report_every is not None else max(1, base.epochs // 10)
    url = storage_url(storage)
    rdb = open_storage(url, heartbeat, create=not resume)
    halving = optuna.pruners.SuccessiveHalvingPruner(min_resource=every, reduction_factor=REDUCTION_FACTOR)
    pruner = halving if prune else optuna.pruners.NopPruner()
    record = {
        "objective": OBJECTIVE, "space": space.fingerprint(), "sampler": sampler,
        "data": data_record(data), "training": training_record(base),
    }  # fmt: skip
    handle = open_study(rdb, study, record, make_sampler(sampler, space, sampler_seed), pruner, must_exist=resume)
    plan = Plan(base, data, space, seeds)
    rounds = seeded_rounds(sampler, space, sampler_seed)
    trained = work(handle, rdb, plan, trials, batch=batch, device=device, report_every=every, prune_at=rungs(every), progress=progress,
                   sampler_for=rounds)  # fmt: skip
    best = best_trial(handle)
    best_config = None if best is None else RunConfig.model_validate({**best.user_attrs["config"], "seed": base.seed})
    return TuneResult(handle, masked(url), best_config, trained)

