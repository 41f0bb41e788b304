"""``reglab train`` (one model) and ``reglab sweep`` (a grid × seeds, stacked).

A train is a sweep of one run: both commands build their runs with :func:`reglab.cli.building.prepare`
(every option checked and the data loaded first) and train them with :func:`reglab.runs.train_runs`
with progress on stderr (:mod:`reglab.cli.progress`); results go to stdout as a table, or with
``--json`` as exactly one JSON document. The library is imported inside the commands, after their
options are read (see :mod:`reglab.cli`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from reglab.cli.application import app
from reglab.cli.building import Request, prepare, read_request
from reglab.cli.folders import CHECKPOINT, no_empty_folder
from reglab.cli.options import (  # the options of both commands, then the lists that only sweep takes
    DEFAULT,
    DEFAULT_DEVICE,
    L1,
    L2,
    Activation,
    AsJson,
    BatchSize,
    Dataset,
    Device,
    Drop,
    Dropout,
    DropoutList,
    Epochs,
    FixedSplit,
    Force,
    GapThreshold,
    Hidden,
    HiddenList,
    InputNoise,
    L1List,
    L1Method,
    L2List,
    Lam,
    LamList,
    Lr,
    LrList,
    MinDelta,
    Missing,
    Momentum,
    NClasses,
    Noise,
    NSamples,
    Optimizer,
    Out,
    Patience,
    PenaltyKind,
    PenaltyList,
    RegularizeOutput,
    Seed,
    Seeds,
    Standardize,
    Target,
    Task,
    TestSize,
    Threads,
    UnderfitMargin,
    UnderfitSkill,
    ValSize,
    WeightDecay,
    WeightDecayList,
    flag,
    option,
)
from reglab.cli.outputs import claimed_folder
from reglab.cli.parsing import by, fail, name
from reglab.cli.progress import Stack, StackProgress, note, plural
from reglab.rules import COUNT, LEVEL
from reglab.tuning.defaults import SWEEP_STUDY

if TYPE_CHECKING:
    from reglab.runs import Run, RunResult

LARGE_SWEEP = 1000  # runs from which a sweep says what it does before its first stack starts
SHARED = "Shared grid"

# fmt: off
Storage = Annotated[Optional[str], option("--storage", SHARED, "URL",
    "Share the sweep's grid through this database (sqlite:///sweep.db, postgresql://…): each worker running the same "
    "command trains configurations no other worker has, until all are done.")]
StudyName = Annotated[str, option("--study", SHARED, "NAME", "Name of the shared grid in --storage.", name)]
Collect = Annotated[bool, flag("--collect", SHARED, "Train nothing: show the shared grid's results (needs --storage).")]
Batch = Annotated[int, option("--batch", SHARED, "INT", "Configurations a worker takes at a time.", by(COUNT))]
Heartbeat = Annotated[int, option("--heartbeat", SHARED, "SECONDS",
    "A worker silent for 3 heartbeats is dead: its configurations are given to another.", by(COUNT))]
# fmt: on


def train_with_progress(runs: list[Run], on: str, checkpoint: Path | None = None, command: str = "sweep") -> list[RunResult]:
    """``train_runs`` with progress over its stacks on stderr (never stdout).

    With ``checkpoint``, Ctrl-C or SIGTERM saves the state after the last finished epoch there and the
    same command resumes it exactly; without, one line says that nothing was saved and how to make
    ``reglab <command>`` resumable.
    """

    from reglab.runs import check_runs_memory, plan_stacks, train_runs
    from reglab.runs.checkpoint import read_checkpoint, runs_fingerprint

    if len(runs) >= LARGE_SWEEP:
        datasets = len({run.data for run in runs})
        note(f"planning {plural(len(runs), 'run')}: loading {plural(datasets, 'dataset')} and grouping the runs into stacks")
    try:
        plan = plan_stacks(runs)
        check_runs_memory(runs, plan, on, checkpoint is not None)  # refusals before any progress line
        read_checkpoint(checkpoint, runs_fingerprint(runs))
        groups = plan.groups
        stacks = [Stack(models=len(g), epochs=epochs) for g, epochs in zip(groups, plan.epochs)]
        with StackProgress(stacks, f"training {plural(len(runs), 'run')} in {plural(len(groups), 'stack')}") as progress:
            return train_runs(runs, plan=plan, device=on, on_epoch=progress, on_stack=progress.stack_done, checkpoint=checkpoint)
    except KeyboardInterrupt as exc:
        if checkpoint is None:
            note(f"interrupted; nothing was saved: run 'reglab {command}' with --out DIR to make it resumable")
        elif checkpoint.exists():
            note(f"interrupted; run the same command again to resume from {checkpoint}")
        else:
            note("interrupted before anything was saved; nothing to resume from")
        exc.reported = True
        raise


@app.command()
def train(
    ctx: typer.Context,
    dataset: Dataset = DEFAULT.dataset, target: Target = DEFAULT.target, task: Task = DEFAULT.task,
    n_samples: NSamples = DEFAULT.n_samples, noise: Noise = DEFAULT.noise, n_classes: NClasses = DEFAULT.n_classes,
    test_size: TestSize = DEFAULT.test_size, val_size: ValSize = None, standardize: Standardize = DEFAULT.standardize,
    missing: Missing = DEFAULT.missing, drop: Drop = None,
    hidden: Hidden = DEFAULT.hidden, activation: Activation = DEFAULT.activation, dropout: Dropout = DEFAULT.dropout,
    penalty: PenaltyKind = DEFAULT.penalty, lam: Lam = None, l1: L1 = None, l2: L2 = None, l1_method: L1Method = DEFAULT.l1_method,
    regularize_output: RegularizeOutput = DEFAULT.regularize_output, weight_decay: WeightDecay = None,
    optimizer: Optimizer = DEFAULT.optimizer, lr: Lr = DEFAULT.lr, momentum: Momentum = DEFAULT.momentum, epochs: Epochs = DEFAULT.epochs,
    batch_size: BatchSize = None, patience: Patience = None, min_delta: MinDelta = DEFAULT.min_delta,
    input_noise: InputNoise = DEFAULT.input_noise, seed: Seed = DEFAULT.seed, device: Device = DEFAULT_DEVICE, threads: Threads = None,
    gap_threshold: GapThreshold = None, underfit_skill: UnderfitSkill = None, underfit_margin: UnderfitMargin = None,
    as_json: AsJson = False, out: Out = None, force: Force = False,
) -> None:  # fmt: skip
    """Train one model; show its losses, score, fit verdict and weight range.

    With --out, an interrupted train resumes from DIR/checkpoint.pt when run again.
    """
    with no_empty_folder(out):
        request = read_request(ctx.params, sweep=False)
        with claimed_folder(out, "train", force) as folder:
            _train(request, folder, as_json)


def _train(request: Request, folder: Path | None, as_json: bool) -> None:
    runs, limits, on = prepare(request)
    from reglab.cli.present import emit_json, layer_arrays, save, show_run

    (result,) = train_with_progress(runs, on, None if folder is None else folder / CHECKPOINT, command="train")
    document = result.to_dict(limits)
    if folder is not None:
        save(folder, "result.json", document, layer_arrays(result), [result.data])
    if as_json:
        emit_json(document)
    else:
        show_run(result, limits)


SWEEP_HELP = f"""Train a grid of configurations × seeds as stacked models and summarise it over seeds.

Options that take a list sweep over it; the grid is the product of all lists. Each configuration
is shown with the mean ± std and {LEVEL:.0%} CI of its test score and gap, and its verdict counts.
With --out, an interrupted sweep resumes from DIR/checkpoint.pt when run again. With --storage,
workers running the same command share the grid; --collect then shows the whole sweep.
"""


@app.command(help=SWEEP_HELP)
def sweep(
    ctx: typer.Context,
    dataset: Dataset = DEFAULT.dataset, target: Target = DEFAULT.target, task: Task = DEFAULT.task,
    n_samples: NSamples = DEFAULT.n_samples, noise: Noise = DEFAULT.noise, n_classes: NClasses = DEFAULT.n_classes,
    test_size: TestSize = DEFAULT.test_size, val_size: ValSize = None, standardize: Standardize = DEFAULT.standardize,
    missing: Missing = DEFAULT.missing, drop: Drop = None,
    hidden: HiddenList = DEFAULT.hidden, activation: Activation = DEFAULT.activation, dropout: DropoutList = DEFAULT.dropout,
    penalty: PenaltyList = DEFAULT.penalty, lam: LamList = None, l1: L1List = None, l2: L2List = None,
    l1_method: L1Method = DEFAULT.l1_method, regularize_output: RegularizeOutput = DEFAULT.regularize_output,
    weight_decay: WeightDecayList = None, optimizer: Optimizer = DEFAULT.optimizer, lr: LrList = DEFAULT.lr,
    momentum: Momentum = DEFAULT.momentum, epochs: Epochs = DEFAULT.epochs,
    batch_size: BatchSize = None, patience: Patience = None, min_delta: MinDelta = DEFAULT.min_delta,
    input_noise: InputNoise = DEFAULT.input_noise, seed: Seed = DEFAULT.seed, seeds: Seeds = DEFAULT.seeds, fixed_split: FixedSplit = False,
    device: Device = DEFAULT_DEVICE, threads: Threads = None,
    gap_threshold: GapThreshold = None, underfit_skill: UnderfitSkill = None, underfit_margin: UnderfitMargin = None,
    as_json: AsJson = False, out: Out = None, force: Force = False, storage: Storage = None, study: StudyName = SWEEP_STUDY,
    collect: Collect = False, batch: Batch = DEFAULT.worker_batch, heartbeat: Heartbeat = DEFAULT.heartbeat,
) -> None:  # fmt: skip
    with no_empty_folder(out):
        shared = shared_grid(storage, study, collect, batch, heartbeat)
        if seeds >= LARGE_SWEEP:  # building the runs alone takes seconds: say so before
            note(f"planning a sweep of {seeds} seeds per configuration: building its runs")
        request = read_request(ctx.params, sweep=True)
        with claimed_folder(out, "sweep", force) as folder:
            _local_or_shared_sweep(request, shared, folder, as_json)


@dataclass(frozen=True)
class SharedGrid:
    """The --storage options of a sweep: where the grid is shared and how a worker takes part."""

    url: str
    name: str
    collect: bool  # train nothing: show what the grid holds
    batch: int  # configurations a worker takes at a time
    heartbeat: int  # seconds


def shared_grid(storage: str | None, study: str, collect: bool, batch: int, heartbeat: int) -> SharedGrid | None:
    """The --storage options; None without --storage (where --collect has nothing to collect)."""
    if storage is None:
        if collect:
            fail("--collect", "used with --storage URL (the database of the shared grid to collect)", "--collect")
        return None
    return SharedGrid(storage, study, collect, batch, heartbeat)


def _local_or_shared_sweep(request: Request, shared: SharedGrid | None, folder: Path | None, as_json: bool) -> None:
    runs, limits, on = prepare(request)
    from reglab.cli.present import emit_json, layer_arrays, save, show_sweep
    from reglab.runs.seeds import summarize_sweep, sweep_document

    if shared is not None:
        return _shared_sweep(runs, limits, on, shared, folder, as_json)
    results = train_with_progress(runs, on, None if folder is None else folder / CHECKPOINT)
    document = sweep_document(results, limits)
    if folder is not None:
        weights = {k: v for i, r in enumerate(results) for k, v in layer_arrays(r, f"run{i}_").items()}
        save(folder, "results.json", document, weights, [r.data for r in results])
    if as_json:
        emit_json(document)
    else:
        show_sweep(summarize_sweep(results, limits), results[0].score_name)


def _shared_sweep(runs: list[Run], limits, on: str, shared: SharedGrid, folder: Path | None, as_json: bool) -> None:
    """Works on the shared grid (unless --collect), then shows what the grid holds, as a local sweep would."""
    from reglab.cli.present import emit_json, save_document, show_sweep
    from reglab.tuning.shared_sweep import collect, work

    url, name = shared.url, shared.name
    if not shared.collect:
        note(f"working on the shared grid '{name}' of {plural(len(runs), 'run')} in {url}")
        try:
            trained = work(runs, url, name, batch=shared.batch, device=on, heartbeat=shared.heartbeat, thresholds=limits)
        except KeyboardInterrupt as exc:
            note(f"interrupted; the finished configurations are kept in {url}: run the same command again to go on")
            exc.reported = True
            raise
        note(f"this worker trained {plural(trained, 'configuration')}")
    document = collect(runs, url, name, limits)
    if document["missing"]:
        note(f"{plural(len(document['missing']), 'configuration')} of the grid not finished yet: left out")
    if folder is not None:
        save_document(folder, "results.json", document, [run.data for run in runs])
    if as_json:
        emit_json(document)
    elif document["summary"]:
        show_sweep(document["summary"], "r2" if "test_r2" in document["summary"][0] else "accuracy")
