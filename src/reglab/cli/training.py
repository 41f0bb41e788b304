"""``reglab train`` (one model) and ``reglab sweep`` (a grid × seeds, stacked).

A train is a sweep of one run: both commands build their runs with :func:`reglab.cli.building.prepare`
(every option checked and the data loaded first) and train them with :func:`reglab.runs.train_runs`
under a progress bar on stderr; results go to stdout as a table, or with ``--json`` as exactly one
JSON document.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reglab.cli.application import app
from reglab.cli.building import prepare
from reglab.cli.options import (  # the options of both commands, then the lists that only sweep takes
    L1,
    L2,
    Activation,
    AsJson,
    BatchSize,
    Dataset,
    Device,
    Dropout,
    DropoutList,
    Epochs,
    FixedSplit,
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
    UnderfitSkill,
    ValSize,
    WeightDecay,
    WeightDecayList,
)
from reglab.cli.present import emit_json, layer_arrays, note, save, show_run, show_sweep
from reglab.engine.trainer import EpochReport
from reglab.runs import Run, RunResult, group_runs, train_runs
from reglab.sweeps import summarize_sweep, sweep_document

CHECKPOINT = "checkpoint.pt"


def train_with_progress(runs: list[Run], on: str, checkpoint: Path | None = None) -> list[RunResult]:
    """``train_runs`` with a progress bar over the epochs of all stacks (on stderr, never stdout).

    With ``checkpoint``, an interrupted sweep (Ctrl-C) saves its state there and the same command
    resumes it exactly.
    """
    groups = group_runs(runs)
    epochs = [runs[g[0]].config.epochs for g in groups]
    before = [sum(epochs[:g]) for g in range(len(groups))]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=Console(stderr=True)) as progress:
            what = f"training {len(runs)} run{'s' * (len(runs) != 1)} in {len(groups)} stack{'s' * (len(groups) != 1)}"
            task = progress.add_task(what, total=sum(epochs))

            def on_epoch(group: int, report: EpochReport) -> None:
                progress.update(task, completed=before[group] + report.epoch)

            results = train_runs(runs, device=on, on_epoch=on_epoch, checkpoint=checkpoint)
            progress.update(task, completed=sum(epochs))  # runs that stopped early end the bar too
            return results
    except KeyboardInterrupt:
        if checkpoint is None:
            raise
        note(f"interrupted; run the same command again to resume from {checkpoint}")
        raise typer.Exit(130) from None


@app.command()
def train(
    dataset: Dataset = "moons", target: Target = None, task: Task = "auto", n_samples: NSamples = "500",
    noise: Noise = "0.3", n_classes: NClasses = "3", test_size: TestSize = "0.3", val_size: ValSize = None,
    standardize: Standardize = True, hidden: Hidden = "128,128", activation: Activation = "relu",
    dropout: Dropout = "0", penalty: PenaltyKind = "none", lam: Lam = None, l1: L1 = None, l2: L2 = None,
    l1_method: L1Method = "proximal", regularize_output: RegularizeOutput = False,
    weight_decay: WeightDecay = None, optimizer: Optimizer = "adam", lr: Lr = "0.001", momentum: Momentum = "0",
    epochs: Epochs = "300", batch_size: BatchSize = None, patience: Patience = None, min_delta: MinDelta = "0",
    input_noise: InputNoise = "0", seed: Seed = "0", device: Device = "cpu", gap_threshold: GapThreshold = "0.05",
    underfit_skill: UnderfitSkill = "0.6", as_json: AsJson = False, out: Out = None,
) -> None:
    """Train one model; show its losses, score, fit verdict and weight range."""
    runs, limits, on, folder = prepare({**locals(), "seeds": "1", "fixed_split": False}, sweep=False)
    (result,) = train_with_progress(runs, on)
    document = result.to_dict(limits)
    if folder is not None:
        save(folder, "result.json", document, layer_arrays(result))
    if as_json:
        emit_json(document)
    else:
        show_run(result, limits)


@app.command()
def sweep(
    dataset: Dataset = "moons", target: Target = None, task: Task = "auto", n_samples: NSamples = "500",
    noise: Noise = "0.3", n_classes: NClasses = "3", test_size: TestSize = "0.3", val_size: ValSize = None,
    standardize: Standardize = True, hidden: HiddenList = "128,128", activation: Activation = "relu",
    dropout: DropoutList = "0", penalty: PenaltyList = "none", lam: LamList = None, l1: L1List = None,
    l2: L2List = None, l1_method: L1Method = "proximal", regularize_output: RegularizeOutput = False,
    weight_decay: WeightDecayList = None, optimizer: Optimizer = "adam", lr: LrList = "0.001",
    momentum: Momentum = "0", epochs: Epochs = "300", batch_size: BatchSize = None, patience: Patience = None,
    min_delta: MinDelta = "0", input_noise: InputNoise = "0", seed: Seed = "0", seeds: Seeds = "1",
    fixed_split: FixedSplit = False, device: Device = "cpu", gap_threshold: GapThreshold = "0.05",
    underfit_skill: UnderfitSkill = "0.6", as_json: AsJson = False, out: Out = None,
) -> None:
    """Train a grid of configurations × seeds as stacked models and summarise it over seeds.

    Options that take a list sweep over it; the grid is the product of all lists. Each configuration
    is shown with the mean ± std and 95% CI of its test score and gap, and its verdict counts.
    With --out, an interrupted sweep resumes from DIR/checkpoint.pt when run again.
    """
    runs, limits, on, folder = prepare(dict(locals()), sweep=True)
    results = train_with_progress(runs, on, None if folder is None else folder / CHECKPOINT)
    document = sweep_document(results, limits)
    if folder is not None:
        weights = {k: v for i, r in enumerate(results) for k, v in layer_arrays(r, f"run{i}_").items()}
        save(folder, "results.json", document, weights)
    if as_json:
        emit_json(document)
    else:
        show_sweep(summarize_sweep(results, limits), results[0].score_name)
