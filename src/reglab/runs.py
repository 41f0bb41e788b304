"""From a list of runs to a list of results: planning the stacks, training, collecting.

Runs that share an architecture, an optimiser family, a batch plan and data shapes train together
as one stack (:class:`reglab.engine.StackTrainer`, grouped by :func:`reglab.engine.stack_key`); a
sweep of 64 configurations is usually one stack. :func:`plan_stacks` decides the stacks once, and
the same plan serves progress bars and training. Results come back in the order of the runs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import BaseModel

from reglab.checkpoints import read_checkpoint, runs_fingerprint
from reglab.config import SCHEMA_VERSION, DataConfig, RunConfig
from reglab.data import Split, load
from reglab.engine import DIVERGED_HINT, EpochReport, Outcome, memory, stack_key
from reglab.engine.memory import stack_size
from reglab.engine.threads import GOVERNOR, available_cores, fixed_threads
from reglab.errors import ConfigError
from reglab.measures import FitThresholds, explain, generalization_gap, layer_stats, verdict
from reglab.workers import (
    Ledger,
    Saver,
    StackJob,
    checkpoint_files,
    read_saved,
    threaded_first,
    train_spread,
    train_stacks,
    worth_spreading,
)

__all__ = [
    "Run", "RunResult", "StackPlan", "grid", "group_runs", "check_runs_memory",
    "plan_stacks", "read_checkpoint", "runs_fingerprint", "train", "train_runs",
]


@dataclass(frozen=True)
class Run:
    """One run: a model configuration and the data it trains on."""

    config: RunConfig
    data: DataConfig = field(default_factory=DataConfig)


@dataclass
class RunResult:
    """The outcome of one run: final metrics per split part, history, weights and status."""

    config: RunConfig
    data: DataConfig
    task: str  # "binary" | "multiclass" | "regression"
    status: str  # "completed" | "early_stopped" | "pruned" | "diverged"
    epochs_run: int
    best_epoch: int | None
    diverged_epoch: int | None
    train: dict[str, float]
    val: dict[str, float]
    test: dict[str, float]
    history: dict[str, list[float]]
    kernels: list[np.ndarray]  # [fan_in, fan_out], float64
    biases: list[np.ndarray]
    majority_rate: float  # share of the most frequent training class (NaN for regression)
    split: Split | None = field(default=None, compare=False, repr=False)  # the data it trained on
    # scores on a large fresh sample of the data's generator (reglab.measures.population), when it was scored there
    population: dict[str, float] | None = field(default=None, compare=False, repr=False)

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    @property
    def stopped_early(self) -> bool:
        return self.status == "early_stopped"

    @property
    def score_name(self) -> str:
        """The headline score: ``accuracy`` for classification, ``r2`` for regression."""
        return "r2" if self.task == "regression" else "accuracy"

    @property
    def held_out(self) -> tuple[str, dict[str, float]]:
        """The part that judges fit, one that chose nothing: the fresh sample of the generator when the run was scored
        on it (:attr:`population`), else the validation set when there is one and early stopping did not use it to
        pick the epoch, else the test set."""
        if self.population is not None:
            return ("population", self.population)
        if self.val and self.config.patience is None:
            return ("validation", self.val)
        return ("test", self.test)

    @property
    def gap(self) -> float:
        """Generalization gap: train score − held-out score (validation, else test)."""
        return generalization_gap(self.train[self.score_name], self.held_out[1][self.score_name])

    def verdict(self, thresholds: FitThresholds | None = None) -> str | None:
        """``overfitting``, ``underfitting`` or ``good fit`` (reglab.measures.fit); None if diverged.

        Judged on :attr:`held_out`, against the Bayes accuracy of the data when it comes from a 2-D
        generator (reglab.measures.ceiling.data_ceiling). A classifier scored on its population is judged with
        the uncertainty of both accuracies (:mod:`reglab.measures.fit_intervals`): it may be "cannot tell"."""
        from reglab.measures.ceiling import data_ceiling

        if self.diverged:
            return None
        kind = "regression" if self.task == "regression" else "classification"
        majority = None if kind == "regression" else self.majority_rate
        score = self.score_name
        ceiling = data_ceiling(self.data, self.task)
        return verdict(self.train[score], self.held_out[1][score], kind, majority, thresholds or FitThresholds(), ceiling=ceiling,
                       **self._sizes())  # fmt: skip

    def _sizes(self) -> dict[str, int]:
        """The points behind the training and held-out accuracies, for a verdict with their uncertainty: only for a
        classifier scored on its population."""
        if self.population is None or self.task == "regression":
            return {}
        split = self.split if self.split is not None else load(self.data)
        return {"train_n": len(split.X_train), "held_out_n": int(self.population["n"])}

    def explain(self, thresholds: FitThresholds | None = None) -> str | None:
        """The verdict as one sentence with the numbers behind it; None if diverged."""
        from reglab.measures.ceiling import data_ceiling

        if self.diverged:
            return None
        kind = "regression" if self.task == "regression" else "classification"
        majority = None if kind == "regression" else self.majority_rate
        name, held_out = self.held_out
        score = self.score_name
        limits = thresholds or FitThresholds()
        ceiling = data_ceiling(self.data, self.task)
        return explain(self.train[score], held_out[score], kind, majority, limits, held_out_name=name, ceiling=ceiling, **self._sizes())

    def weight_stats(self, X: np.ndarray | None = None) -> list[dict[str, Any]]:
        """Per-layer weight statistics (and dead units on ``X`` when given)."""
        return layer_stats(self.kernels, self.biases, X=X, activation=self.config.activation)

    def to_dict(self, thresholds: FitThresholds | None = None, X: np.ndarray | None = None) -> dict[str, Any]:
        """The JSON document of one run (``reglab train --json``); NaN and inf become null.

        Dead units are counted on ``X``, by default the run's own training features. ``rows`` gives
        the rows of each part, ``classes`` the class count (0 for regression); a diverged run's
        metrics are null, and ``best_epoch`` is set only when early stopping restored that epoch.
        """
        split = self.split if self.split is not None else load(self.data)
        if X is None and not self.diverged:
            X = split.X_train
        doc = {
            "schema_version": SCHEMA_VERSION,
            "config": self.config.model_dump(mode="json", by_alias=True),
            "data": self.data.model_dump(mode="json"),
            "task": self.task,
            "classes": split.n_classes,
            "rows": {"train": len(split.X_train), "validation": len(split.X_val), "test": len(split.X_test)},
            "train": self.train,
            "val": self.val,
            "test": self.test,
            "population": self.population,
            "gap": None if self.diverged else self.gap,
            "epochs_run": self.epochs_run,
            "best_epoch": self.best_epoch,
            "stopped_early": self.stopped_early,
            "diverged": self.diverged,
            "diverged_epoch": self.diverged_epoch,
            "hint": DIVERGED_HINT if self.diverged else None,
            "status": self.status,
            "verdict": self.verdict(thresholds),
            "verdict_reason": self.explain(thresholds),
            "weights": self.weight_stats(X) if not self.diverged else [],
            "history": self.history,
        }
        return json_safe(doc)


def json_safe(value: Any) -> Any:
    """Replaces NaN and infinities by None, recursively, so the document is strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


@dataclass(frozen=True)
class StackPlan:
    """How a list of runs trains: which runs share a stack, the data of each run, each stack's epochs and precision."""

    groups: list[list[int]]  # run indices of each stack, stacks in order of first appearance
    splits: list[Split]  # one per run; runs with equal data configs share one Split object
    epochs: list[int]  # epochs of each stack (a stack may end sooner when all its runs stop early)
    dtypes: list[torch.dtype] = field(default_factory=list)  # of each stack; empty: float32 for all


def plan_stacks(runs: Sequence[Run], dtype: torch.dtype | Sequence[torch.dtype] = torch.float32) -> StackPlan:
    """Loads each distinct data config once and groups the runs by :func:`reglab.engine.stack_key` and
    ``dtype`` (one for all runs, or one per run: runs of another precision never share a stack)."""
    dtypes = _per_run(dtype, len(runs))
    loaded: dict[DataConfig, Split] = {}
    for run in runs:
        if run.data not in loaded:
            loaded[run.data] = load(run.data)
    splits = [loaded[run.data] for run in runs]
    groups: dict[Hashable, list[int]] = {}
    for i, (run, split) in enumerate(zip(runs, splits)):
        groups.setdefault((stack_key(run.config, split), dtypes[i]), []).append(i)
    members = list(groups.values())
    epochs = [runs[g[0]].config.epochs for g in members]
    return StackPlan(groups=members, splits=splits, epochs=epochs, dtypes=[dtypes[g[0]] for g in members])


def _per_run(dtype: torch.dtype | Sequence[torch.dtype], n: int) -> list[torch.dtype]:
    if isinstance(dtype, torch.dtype):
        return [dtype] * n
    dtypes = list(dtype)
    if len(dtypes) != n:
        raise ValueError(f"dtype must be one torch.dtype or one per run ({n}). Got {len(dtypes)} instead.")
    return dtypes


def group_runs(runs: Sequence[Run]) -> list[list[int]]:
    """Indices of the runs that can train as one stack, groups in order of first appearance."""
    return plan_stacks(runs).groups


def train_runs(
    runs: Sequence[Run],
    plan: StackPlan | None = None,
    *,
    device: str = "cpu",
    dtype: torch.dtype | Sequence[torch.dtype] | None = None,
    on_epoch: Callable[[int, EpochReport], None] | None = None,
    on_stack: Callable[[int, float | None], None] | None = None,
    checkpoint: str | Path | None = None,
    checkpoint_every: float = 30.0,
    keep_checkpoint: bool = False,
    check_memory: bool = True,
    workers: int = 1,
) -> list[RunResult]:
    """Trains every run, stacked by group, and returns one result per run in the same order.

    ``plan`` is :func:`plan_stacks` of ``runs`` (made here when not given, with ``dtype``: float32 by
    default, one dtype for all runs or one per run). ``on_epoch(group_index, report)`` is called after
    each epoch of each stack, groups numbered as in ``plan.groups``; ``on_stack(group_index, seconds)``
    when a stack has finished (``seconds`` None for the stacks a checkpoint already holds).

    With ``workers`` > 1 the stacks are spread over that many processes (this one and spawned ones,
    :mod:`reglab.workers`), each with an equal share of the cores (``--threads`` or the cores this
    process may use) as its fixed thread count; the results are the same as with one worker.

    Before anything is built, each stack's memory is estimated (:mod:`reglab.engine.memory`) and the
    runs are refused with :class:`reglab.engine.memory.MemoryLimitError` when the largest stack would
    not fit in the memory available on ``device`` (``check_memory=False`` skips this); workers that
    would together need more than is available are fewer.

    With ``checkpoint`` (a file path) the state is saved between epochs every ``checkpoint_every``
    seconds, after a stack (unless the last save is more recent than ten times its own cost), and on
    KeyboardInterrupt: then the state after a *completed* epoch (the
    latest, or one at most :data:`reglab.workers.SNAPSHOT_EVERY` seconds older when the interrupt arrives
    inside an epoch) is written, never a half-done epoch's, so calling again
    with the same runs and path gives bit for bit the results of an uninterrupted call. Each worker has its
    own file (``checkpoint``, ``checkpoint.worker1``, …; :func:`reglab.workers.checkpoint_files`). The files
    are removed once every run has finished, unless ``keep_checkpoint`` (a caller with later steps keeps
    them: then everything is in ``checkpoint`` and the next call returns the saved results without training).
    A file that is not a readable checkpoint of these runs is refused with :class:`reglab.errors.DataError`.
    """
    runs = runs_given(runs, "train_runs")
    if plan is None:
        plan = plan_stacks(runs, torch.float32 if dtype is None else dtype)
    elif dtype is not None:
        raise ValueError("Give the dtype to plan_stacks(runs, dtype) when a plan is given.")
    if len(plan.splits) != len(runs):
        raise ValueError(f"The plan is for {len(plan.splits)} runs but {len(runs)} runs were given: make it with plan_stacks(runs).")
    splits = plan.splits
    dtypes = plan.dtypes or [torch.float32] * len(plan.groups)
    if check_memory:
        check_runs_memory(runs, plan, device, checkpoint is not None)
    fingerprint = runs_fingerprint(runs) + _precision_mark(plan, len(runs))
    ledgers, states = read_saved(checkpoint, fingerprint)
    ledger = ledgers.get(Path(checkpoint), Ledger()) if checkpoint is not None else Ledger()  # this process's file
    done: dict[int, Outcome] = {i: o for saved in ledgers.values() for i, o in saved.done.items()}
    configs: dict[int, RunConfig] = {i: c for saved in ledgers.values() for i, c in saved.configs.items()}
    jobs = []
    for g, members in enumerate(plan.groups):
        if all(i in done for i in members):
            if on_stack is not None:
                on_stack(g, None)
            continue
        jobs.append(StackJob(g, members, [runs[i].config for i in members], [splits[i] for i in members], dtypes[g]))
    workers = min(workers, len(jobs))
    if check_memory:
        workers = _affordable_workers(workers, jobs, device, checkpoint is not None)
    here, spread = jobs, []
    if workers > 1:
        here, spread = threaded_first(jobs, fixed_threads() or GOVERNOR.free_cores())
        if not worth_spreading(spread, workers):
            here, spread = jobs, []
    saver = Saver.to(checkpoint, fingerprint, ledger, checkpoint_every)
    train_stacks(here, ledger, states, device=device, on_epoch=on_epoch, on_stack=on_stack, saver=saver)
    if spread:
        workers = min(workers, len(spread))
        threads = max(1, (fixed_threads() or available_cores()) // workers)
        trained = train_spread(
            spread, ledger, states, workers=workers, threads=threads, fingerprint=fingerprint, checkpoint=checkpoint,
            every=checkpoint_every, device=device, on_epoch=on_epoch, on_stack=on_stack,
        )  # fmt: skip
        for i, (outcome, config) in trained.items():
            done[i], configs[i] = outcome, config
    done.update(ledger.done)
    configs.update(ledger.configs)
    if checkpoint is not None:
        others = [p for p in checkpoint_files(checkpoint) if p != Path(checkpoint)]
        if keep_checkpoint and (jobs or others):
            ledger.done.update(done)
            ledger.configs.update(configs)
            Saver.to(checkpoint, fingerprint, ledger, checkpoint_every)(None, None)  # whole: the next call trains nothing
        for path in others + ([] if keep_checkpoint else [Path(checkpoint)]):
            path.unlink(missing_ok=True)
    return [_result(Run(configs[i], runs[i].data), splits[i], done[i]) for i in range(len(runs))]


def _precision_mark(plan: StackPlan, n: int) -> list:
    """What the fingerprint adds for runs not in float32 (nothing when all are: older checkpoints stay valid)."""
    per_run = ["float32"] * n
    for members, dtype in zip(plan.groups, plan.dtypes):
        for i in members:
            per_run[i] = str(dtype).removeprefix("torch.")
    return [] if set(per_run) <= {"float32"} else [("dtypes", ",".join(per_run))]


def _affordable_workers(workers: int, jobs: Sequence[StackJob], device: str, checkpoint: bool) -> int:
    """At most ``workers``, and no more than the largest stacks, trained at once, fit in the memory available."""
    available = memory.available_bytes(device)
    if workers <= 1 or available is None:
        return max(workers, 1)
    need = sorted((memory.stack_bytes(stack_size(j.configs, j.splits, j.dtype), checkpoint) for j in jobs), reverse=True)
    while workers > 1 and sum(need[:workers]) > available:
        workers -= 1
    return workers


def check_runs_memory(runs: Sequence[Run], plan: StackPlan, device: str, checkpoint: bool) -> None:
    """Refuses the runs (:class:`reglab.engine.memory.MemoryLimitError`) when their largest stack would
    not fit in the memory available on ``device`` (see :mod:`reglab.engine.memory`)."""
    dtypes = plan.dtypes or [torch.float32] * len(plan.groups)
    sizes = [stack_size([runs[i].config for i in g], [plan.splits[i] for i in g], dt) for g, dt in zip(plan.groups, dtypes)]
    memory.check_memory(sizes, memory.available_bytes(device), checkpoint=checkpoint)


def received(value: Any) -> str:
    """What a misused parameter got, for its message: ``str 'moons'``, ``a DataConfig``."""
    if value is None or isinstance(value, (str, bytes, int, float)):
        return f"{type(value).__name__} {repr(value)[:60]}"
    return f"{'an' if type(value).__name__[0].lower() in 'aeiou' else 'a'} {type(value).__name__}"


def given(value: Any, name: str, owner: str, kind: type, optional: bool = False, example: str = "RunConfig(penalty=L2(lam=0.01))") -> None:
    """A ConfigError naming the parameter, what it takes and what it got, unless ``value`` is a ``kind`` (or None when ``optional``)."""
    if not (isinstance(value, kind) or (optional and value is None)):
        if kind is DataConfig:
            example = f"DataConfig(dataset={value if isinstance(value, str) else 'moons'!r})"
        raise ConfigError(f"The '{name}' parameter of {owner} must be a {kind.__name__} (e.g. {example}). Got {received(value)} instead.")


def runs_given(runs: Any, owner: str) -> list[Run]:
    """``runs`` as a list; a ConfigError unless it is a list (or other iterable) of Run objects."""
    if isinstance(runs, (str, bytes, dict, Run, BaseModel)) or not isinstance(runs, Iterable):
        raise ConfigError(f"The 'runs' parameter of {owner} must be a list of Run (e.g. reglab.grid(RunConfig(), DataConfig(), "
                          f"seeds=range(3))). Got {received(runs)} instead.")  # fmt: skip
    runs = list(runs)
    wrong = next((i for i, run in enumerate(runs) if not isinstance(run, Run)), None)
    if wrong is not None:
        raise ConfigError(f"The 'runs' parameter of {owner} must hold only Run objects (e.g. Run(RunConfig(), DataConfig())). "
                          f"Got {received(runs[wrong])} at index {wrong} instead.")  # fmt: skip
    return runs


def train(config: RunConfig | None = None, data: DataConfig | None = None, **kwargs: Any) -> RunResult:
    """Trains one run and returns its result (keyword arguments go to :func:`train_runs`)."""
    given(config, "config", "train", RunConfig, optional=True)
    given(data, "data", "train", DataConfig, optional=True)
    return train_runs([Run(config or RunConfig(), data or DataConfig())], **kwargs)[0]


def grid(
    base: RunConfig, data: DataConfig | None = None, seeds: Iterable[int] = (0,), split_per_seed: bool = True, **axes: Sequence[Any]
) -> list[Run]:
    """The product of ``axes`` (config field -> values) × ``seeds``, each run derived from ``base``.

    With ``split_per_seed`` each seed also draws its own data and split (``data.seed``), so
    intervals over seeds cover both the initialisation and the sample; otherwise the data is fixed.
    """
    given(base, "base", "grid", RunConfig)
    given(data, "data", "grid", DataConfig, optional=True)
    data = data or DataConfig()
    names = list(axes)
    seeds = list(seeds)
    for seed in {min(seeds, default=0), max(seeds, default=0)}:  # the seeds' range, validated by the configs' own rule
        base.replace(seed=seed), data.replace(seed=seed)
    datas = {seed: data.model_copy(update={"seed": seed}) if split_per_seed else data for seed in seeds}
    runs = []
    for values in itertools.product(*(axes[n] for n in names)):
        point = base.replace(**dict(zip(names, values)))  # validated once per grid point; seeds are copied in
        for seed in seeds:
            runs.append(Run(point.model_copy(update={"seed": seed}), datas[seed]))
    return runs


def _result(run: Run, split: Split, outcome) -> RunResult:
    return RunResult(
        config=run.config,
        data=run.data,
        task=split.task,
        status=outcome.status,
        epochs_run=outcome.epochs_run,
        best_epoch=outcome.best_epoch,
        diverged_epoch=outcome.diverged_epoch,
        train=outcome.train,
        val=outcome.val,
        test=outcome.test,
        history=outcome.history,
        kernels=outcome.kernels,
        biases=outcome.biases,
        majority_rate=split.majority_rate,
        split=split,
    )
