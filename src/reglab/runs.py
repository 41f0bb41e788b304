"""From a list of runs to a list of results: planning the stacks, training, collecting.

Runs that share an architecture, an optimiser family, a batch plan and data shapes train together
as one stack (:class:`reglab.engine.StackTrainer`, grouped by :func:`reglab.engine.stack_key`); a
sweep of 64 configurations is usually one stack. :func:`plan_stacks` decides the stacks once, and
the same plan serves progress bars and training. Results come back in the order of the runs.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from reglab.checkpoints import read_checkpoint, runs_fingerprint, write_checkpoint
from reglab.config import SCHEMA_VERSION, DataConfig, RunConfig
from reglab.data import Split, load
from reglab.engine import DIVERGED_HINT, EpochReport, Outcome, StackTrainer, memory, stack_key
from reglab.engine.memory import stack_size
from reglab.engine.state import outcome_from_state
from reglab.measures import FitThresholds, explain, generalization_gap, layer_stats, verdict

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
        """The part that judges fit, one that chose nothing: the validation set when there is one and
        early stopping did not use it to pick the epoch, else the test set."""
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
        generator (reglab.measures.ceiling.data_ceiling)."""
        from reglab.measures.ceiling import data_ceiling

        if self.diverged:
            return None
        kind = "regression" if self.task == "regression" else "classification"
        majority = None if kind == "regression" else self.majority_rate
        score = self.score_name
        ceiling = data_ceiling(self.data, self.task)
        return verdict(self.train[score], self.held_out[1][score], kind, majority, thresholds or FitThresholds(), ceiling=ceiling)

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
        return explain(self.train[score], held_out[score], kind, majority, limits, held_out_name=name, ceiling=ceiling)

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
    """How a list of runs trains: which runs share a stack, and the data of each run."""

    groups: list[list[int]]  # run indices of each stack, stacks in order of first appearance
    splits: list[Split]  # one per run; runs with equal data configs share one Split object
    epochs: list[int]  # epochs of each stack (a stack may end sooner when all its runs stop early)


def plan_stacks(runs: Sequence[Run]) -> StackPlan:
    """Loads each distinct data config once and groups the runs by :func:`reglab.engine.stack_key`."""
    loaded: dict[DataConfig, Split] = {}
    for run in runs:
        if run.data not in loaded:
            loaded[run.data] = load(run.data)
    splits = [loaded[run.data] for run in runs]
    groups: dict[Hashable, list[int]] = {}
    for i, (run, split) in enumerate(zip(runs, splits)):
        groups.setdefault(stack_key(run.config, split), []).append(i)
    members = list(groups.values())
    return StackPlan(groups=members, splits=splits, epochs=[runs[g[0]].config.epochs for g in members])


def group_runs(runs: Sequence[Run]) -> list[list[int]]:
    """Indices of the runs that can train as one stack, groups in order of first appearance."""
    return plan_stacks(runs).groups


def train_runs(
    runs: Sequence[Run],
    plan: StackPlan | None = None,
    *,
    device: str = "cpu",
    dtype: torch.dtype = torch.float32,
    on_epoch: Callable[[int, EpochReport], None] | None = None,
    checkpoint: str | Path | None = None,
    checkpoint_every: float = 30.0,
    keep_checkpoint: bool = False,
    check_memory: bool = True,
) -> list[RunResult]:
    """Trains every run, stacked by group, and returns one result per run in the same order.

    ``plan`` is :func:`plan_stacks` of ``runs`` (made here when not given). ``on_epoch(group_index,
    report)`` is called after each epoch of each stack, groups numbered as in ``plan.groups``.

    Before anything is built, each stack's memory is estimated (:mod:`reglab.engine.memory`) and the
    runs are refused with :class:`reglab.engine.memory.MemoryLimitError` when the largest stack would
    not fit in the memory available on ``device`` (``check_memory=False`` skips this).

    With ``checkpoint`` (a file path) the state is saved between epochs every ``checkpoint_every``
    seconds, after a stack (unless the last save is more recent than ten times its own cost), and on
    KeyboardInterrupt: then the state after a *completed* epoch (the
    latest, or one at most :data:`SNAPSHOT_EVERY` seconds older when the interrupt arrives inside an
    epoch) is written, never a half-done epoch's, so calling again
    with the same runs and path gives bit for bit the results of an uninterrupted call. The file is
    removed once every run has finished, unless ``keep_checkpoint`` (a caller with later phases keeps
    it, and the next call returns the saved results without training). A file that is not a readable
    checkpoint of these runs is refused with :class:`reglab.errors.DataError`.
    """
    runs = list(runs)
    plan = plan or plan_stacks(runs)
    if len(plan.splits) != len(runs):
        raise ValueError(f"The plan is for {len(plan.splits)} runs but {len(runs)} runs were given: make it with plan_stacks(runs).")
    splits = plan.splits
    if check_memory:
        check_runs_memory(runs, plan, device, dtype, checkpoint is not None)
    fingerprint = runs_fingerprint(runs)
    saved = read_checkpoint(checkpoint, fingerprint)
    done: dict[int, Outcome] = {int(i): outcome_from_state(o) for i, o in saved.get("done", {}).items()}
    configs: dict[int, RunConfig] = {int(i): RunConfig.model_validate(c) for i, c in saved.get("configs", {}).items()}
    write = functools.partial(write_checkpoint, checkpoint, fingerprint, done, configs)
    saver = None if checkpoint is None else _Saver(write, checkpoint_every)
    trained = False
    for g, members in enumerate(plan.groups):
        if all(i in done for i in members):
            continue
        trainer = StackTrainer([runs[i].config for i in members], [splits[i] for i in members], device=device, dtype=dtype)
        if saved.get("group") == g:
            trainer.load_state_dict(saved["state"])
        _train_stack(trainer, g, on_epoch, saver)
        trained = True
        for k, i in enumerate(members):
            done[i] = trainer.outcomes[k]
            configs[i] = trainer.configs[k]
        if saver is not None and saver.worth():
            saver(None, None)
    if saver is not None and keep_checkpoint and trained:
        saver(None, None)  # whole: the next call returns these results without training
    if checkpoint is not None and not keep_checkpoint:
        Path(checkpoint).unlink(missing_ok=True)
    return [_result(Run(configs[i], runs[i].data), splits[i], done[i]) for i in range(len(runs))]


def check_runs_memory(runs: Sequence[Run], plan: StackPlan, device: str, dtype: torch.dtype, checkpoint: bool) -> None:
    """Refuses the runs (:class:`reglab.engine.memory.MemoryLimitError`) when their largest stack would
    not fit in the memory available on ``device`` (see :mod:`reglab.engine.memory`)."""
    sizes = [stack_size([runs[i].config for i in g], [plan.splits[i] for i in g], dtype) for g in plan.groups]
    memory.check_memory(sizes, memory.available_bytes(device), checkpoint=checkpoint)


SNAPSHOT_EVERY = 0.5  # seconds of training an interruption may cost: the state is copied at most this often


class _Saver:
    """Writes the checkpoint (finished runs, and the state of the stack in training or None) and remembers when.

    :meth:`due` once ``every`` seconds have passed since the last write; :meth:`worth` after a stack: when
    nothing was written yet, or when the training since the last write took ten times what that write did
    (a finished stack is kept at a cost of at most a tenth of the training; many tiny stacks share a write).
    """

    def __init__(self, write: Callable[[int | None, dict | None], None], every: float) -> None:
        self.write, self.every = write, every
        self.last, self.cost, self.writes = time.monotonic(), 0.0, 0

    def due(self) -> bool:
        return time.monotonic() - self.last > self.every

    def worth(self) -> bool:
        return self.writes == 0 or self.due() or time.monotonic() - self.last > 10 * self.cost

    def __call__(self, group: int | None, state: dict | None) -> None:
        start = time.monotonic()
        self.write(group, state)
        self.last = time.monotonic()
        self.cost, self.writes = self.last - start, self.writes + 1


def _train_stack(trainer: StackTrainer, g: int, on_epoch, saver: _Saver | None) -> None:
    """Trains one stack; with ``saver``, checkpoints between epochs when it is due and writes the latest
    consistent state on KeyboardInterrupt: the state now when the interrupt arrives between epochs (in
    ``on_epoch``), else the last snapshot. Snapshots are taken between epochs at most every
    :data:`SNAPSHOT_EVERY` seconds (a copy of the weights and moments costs about a tenth of a small
    epoch) and before each save; a resumed run retrains from the snapshot's epoch to the same numbers."""
    taken = time.monotonic()
    snapshot = trainer.snapshot() if saver is not None else None
    between = False  # True while the trainer rests between two epochs
    try:
        for report in trainer.epochs():
            between = True
            if on_epoch is not None:
                on_epoch(g, report)
            if saver is not None:
                now = time.monotonic()
                if now - taken >= SNAPSHOT_EVERY or saver.due():
                    snapshot, taken = trainer.snapshot(), now
                if saver.due():
                    saver(g, snapshot.state_dict())
            between = False
    except KeyboardInterrupt:
        if saver is not None:
            saver(g, (trainer.snapshot() if between else snapshot).state_dict())
        raise


def train(config: RunConfig | None = None, data: DataConfig | None = None, **kwargs: Any) -> RunResult:
    """Trains one run and returns its result (keyword arguments go to :func:`train_runs`)."""
    return train_runs([Run(config or RunConfig(), data or DataConfig())], **kwargs)[0]


def grid(
    base: RunConfig, data: DataConfig | None = None, seeds: Iterable[int] = (0,), split_per_seed: bool = True, **axes: Sequence[Any]
) -> list[Run]:
    """The product of ``axes`` (config field -> values) × ``seeds``, each run derived from ``base``.

    With ``split_per_seed`` each seed also draws its own data and split (``data.seed``), so
    intervals over seeds cover both the initialisation and the sample; otherwise the data is fixed.
    """
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
