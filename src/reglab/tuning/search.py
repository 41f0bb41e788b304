"""One worker of a tuning study: batched ask/tell, each batch trained as ONE stack.

A round of the worker:

1. reap the study (:func:`reglab.tuning.liveness.reap_dead_trials`): trials of dead workers are failed and re-asked;
2. stop when the study holds ``n_trials`` finished trials (COMPLETE or PRUNED);
3. ask ``min(batch, room)`` trials, where room is ``n_trials`` − finished − RUNNING (a worker waits
   while the RUNNING trials of others fill the study);
4. claim them (:func:`claim`): when workers asked at the same instant, the trials numbered after the
   first ``n_trials`` live ones (COMPLETE, PRUNED or RUNNING) are told FAIL untrained (user attribute
   ``surplus``), so the study never holds more than ``n_trials`` finished trials;
5. train the K seeds of every claimed trial as one :class:`reglab.engine.StackTrainer`; at the
   pruner's checks (multiples of ``report_every``, see :func:`work`) each trial reports the mean over
   its seeds of the latest validation data loss (``trial.report``); the study's pruner then answers
   every trial from one read of the study (:class:`reglab.tuning.pruning.RungView`), and a trial it stops
   leaves the stack (``StackTrainer.prune`` for each of its seeds) and is told PRUNED while the
   others train on;
6. when the batch has finished, tell each trial (a batch is the unit of work: interrupted, all its trials are
   failed and re-asked, and the resumed batch trains and prunes as the interrupted one would have): COMPLETE with
   the objective

       value = (1/K) · Σ_seeds val_data_loss(seed)      (the final weights, or the best ones with --patience)

   or +inf when a seed diverged. User attributes carry the per-seed values, the score and the config.

An interruption (Ctrl-C, an error) fails the worker's open trials and re-asks them before it propagates. A failed
trial's rung records are not evidence for the pruner (:mod:`reglab.tuning.pruning`): it trains again when re-asked.
With a seeded sampler, each round's sampler is seeded from the study's state (``sampler_for``), so that a resumed
search asks, prunes and ends as the same search uninterrupted.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.trial import FrozenTrial, TrialState

from reglab.config import DataConfig, RunConfig
from reglab.data import load
from reglab.engine import EpochReport, StackTrainer
from reglab.runs import Run
from reglab.runs.threads import GOVERNOR
from reglab.tuning.defaults import HEARTBEAT
from reglab.tuning.liveness import WORKER, Heartbeat, fail_still_running, reap_dead_trials, worker_id
from reglab.tuning.pruning import RungView
from reglab.tuning.space import SearchSpace

__all__ = ["FINISHED", "Plan", "claim", "count", "work"]

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)
Progress = Callable[[int, EpochReport | None], None]  # (finished trials known to this worker, the epoch just trained)
SamplerFor = Callable[[int], optuna.samplers.BaseSampler]  # a round's sampler from its seed key (see work)


@dataclass(frozen=True)
class Plan:
    """What a trial trains: ``base`` with the trial's penalty and dropout, on ``data``, for ``seeds`` seeds
    (seed s = base.seed + k trains on the split of data seed s when ``split_per_seed``)."""

    base: RunConfig
    data: DataConfig
    space: SearchSpace
    seeds: int = 1
    split_per_seed: bool = True

    def runs(self, params: dict[str, Any]) -> list[Run]:
        config = self.space.config(self.base, params)
        seeds = range(self.base.seed, self.base.seed + self.seeds)
        return [Run(config.replace(seed=s), self.data.replace(seed=s) if self.split_per_seed else self.data) for s in seeds]


def count(study: optuna.Study, states: Sequence[TrialState]) -> int:
    return len(study.get_trials(deepcopy=False, states=tuple(states)))


def claim(
    study: optuna.Study, asked: list[optuna.Trial], limit: int, key: Callable[[FrozenTrial], Any] | None = None
) -> list[optuna.Trial]:
    """The asked trials that fall within the first ``limit`` live trials of the study (by number) and,
    with ``key``, whose key no earlier live trial holds; the rest are told FAIL untrained (``surplus``)."""
    live = sorted(study.get_trials(deepcopy=False, states=(*FINISHED, TrialState.RUNNING)), key=lambda t: t.number)
    rank = {t.number: k for k, t in enumerate(live)}
    frozen = {t.number: t for t in live}
    kept = []
    for trial in asked:
        mine = key(frozen[trial.number]) if key is not None and trial.number in frozen else None
        taken = mine is not None and any(key(t) == mine for t in live if t.number < trial.number)
        if rank.get(trial.number, limit) < limit and not taken:
            kept.append(trial)
        else:
            trial.set_user_attr("surplus", True)
            study.tell(trial, state=TrialState.FAIL)
    return kept


def ask(study: optuna.Study, n: int, me: str) -> list[optuna.Trial]:
    """``n`` new trials, each marked with this worker's identity. A trial that another worker reaped
    before it was marked (this process was paused longer than the grace period right after asking, see
    :mod:`reglab.tuning.liveness`) has been re-asked there: it is left out here."""
    trials = []
    for _ in range(n):
        with warnings.catch_warnings():  # the heartbeat is recorded by reglab's own thread (liveness.Heartbeat)
            warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used with Study.optimize")
            trial = study.ask()
        try:
            trial.set_user_attr(WORKER, me)
        except UpdateFinishedTrialError:
            continue
        trials.append(trial)
    return trials


def work(
    study: optuna.Study,
    storage: optuna.storages.RDBStorage,
    plan: Plan,
    n_trials: int,
    *,
    batch: int = 8,
    device: str = "cpu",
    report_every: int = 10,
    prune_at: Callable[[int], bool] | None = None,
    progress: Progress | None = None,
    sampler_for: SamplerFor | None = None,
) -> int:
    """Runs rounds (see the module docstring) until the study holds ``n_trials`` finished trials;
    returns how many trials this worker trained. Trials report and the pruner is asked only at the
    multiples of ``report_every`` where ``prune_at(epoch)`` holds (default: all of them): each
    report is a write, and each question reads the whole study.

    ``sampler_for(key)``, when given, makes the sampler of each round from a seed key derived from the study's
    state at that moment (:func:`round_key`): the trials asked then depend on the study's history only, not on
    how many rounds this process ran, so a search interrupted and resumed asks what an uninterrupted one asks."""
    me, trained = worker_id(), 0
    wait = storage.get_heartbeat_interval() or HEARTBEAT
    while True:
        reap_dead_trials(study, storage)
        finished = count(study, FINISHED)
        if progress is not None:
            progress(finished, None)
        if finished >= n_trials:
            return trained
        room = n_trials - finished - count(study, (TrialState.RUNNING,))
        if room <= 0:  # the others' trials fill the study: wait for them, or for their heartbeat to go stale
            time.sleep(min(wait, 2))
            continue
        if sampler_for is not None:
            study.sampler = sampler_for(round_key(study))
        asked = ask(study, min(batch, room), me)
        with Heartbeat(storage, [t._trial_id for t in asked]) as heartbeat:
            try:
                kept = claim(study, asked, n_trials)
                if kept:
                    train_batch(study, kept, plan, heartbeat, device, report_every, prune_at, progress, finished)
            except BaseException:
                fail_still_running(study, storage, asked)
                raise
        trained += len(kept)


def round_key(study: optuna.Study) -> int:
    """A number fixed by the study's state when a round asks: its finished and running trials (the same after an
    interruption, whose trials were failed, as without one; different for two workers asking at once)."""
    finished, running = count(study, FINISHED), count(study, (TrialState.RUNNING,))
    return int(np.random.SeedSequence([finished, running]).generate_state(1)[0])


def seed_mean(values: list[float]) -> float:
    """The mean over seeds; +inf when a seed diverged (its value is NaN or infinite)."""
    return sum(values) / len(values) if all(math.isfinite(v) for v in values) else math.inf


def train_batch(
    study: optuna.Study,
    trials: list[optuna.Trial],
    plan: Plan,
    heartbeat: Heartbeat,
    device: str,
    report_every: int,
    prune_at: Callable[[int], bool] | None,
    progress: Progress | None,
    finished: int,
) -> None:
    """Trains the trials' seeds as one stack, reporting and pruning as it goes, and tells every trial at the end."""
    params = [plan.space.suggest(trial) for trial in trials]
    runs = [[run for run in plan.runs(p)] for p in params]
    members = [list(range(k * plan.seeds, (k + 1) * plan.seeds)) for k in range(len(trials))]
    flat = [run for group in runs for run in group]
    trainer = StackTrainer([r.config for r in flat], [load(r.data) for r in flat], device=device)
    open_trials = set(range(len(trials)))
    settled: list[int] = []  # trials whose seeds have all left the stack, told when the batch ends
    GOVERNOR.tick()  # the thread count follows the machine's load (reglab.runs.threads), looked at between epochs
    for report in trainer.epochs():
        GOVERNOR.tick()
        if report.epoch % report_every == 0 and (prune_at is None or prune_at(report.epoch)):
            for k in sorted(open_trials):
                latest = [trainer.history[i]["val_data_loss"][-1] for i in members[k]]
                trials[k].report(seed_mean(latest), report.epoch)
            view = RungView(study)  # one read of the study for the whole batch's questions
            for k in sorted(open_trials):
                if view.should_prune(trials[k]):
                    for i in members[k]:
                        if i in trainer.active:
                            trainer.prune(i)
        for k in sorted(open_trials):
            if all(i in trainer.outcomes for i in members[k]):
                settled.append(k)
                open_trials.discard(k)
        if progress is not None:
            progress(finished + len(settled), report)
    for k in settled:
        tell(study, trials[k], [trainer.outcomes[i] for i in members[k]], runs[k][0].config)
        heartbeat.forget(trials[k]._trial_id)


def tell(study: optuna.Study, trial: optuna.Trial, outcomes: list, config: RunConfig) -> None:
    """Tells a trial whose seeds have all left the stack: PRUNED when the pruner stopped them, else
    COMPLETE with the seed-mean validation data loss; per-seed values go to user attributes."""
    score = "r2" if "r2" in outcomes[0].val else "accuracy"
    losses = [o.val.get("data_loss", math.nan) for o in outcomes]
    scores = [o.val.get(score, math.nan) for o in outcomes]
    per_seed = {
        "seed": [config.seed + k for k in range(len(outcomes))],
        "status": [o.status for o in outcomes],
        "val_data_loss": [v if math.isfinite(v) else None for v in losses],
        f"val_{score}": [v if math.isfinite(v) else None for v in scores],
    }
    # one attribute per write: every write is a transaction of the shared storage
    trial.set_user_attr("config", config.model_dump(mode="json", by_alias=True, exclude={"seed"}))
    trial.set_user_attr("per_seed", per_seed)
    trial.set_user_attr("summary", {"epochs_run": max(o.epochs_run for o in outcomes), f"val_{score}": seed_mean(scores)})
    if any(o.status == "pruned" for o in outcomes):
        study.tell(trial, state=TrialState.PRUNED)
    else:
        study.tell(trial, seed_mean(losses))
