"""``reglab train`` (one model) and ``reglab sweep`` (a grid × seeds, stacked).

A train is a sweep of one run: both commands build their runs with :func:`reglab.cli.building.prepare`
(every option checked and the data loaded first) and train them with :func:`reglab.runs.train_runs`
with progress on stderr (:mod:`reglab.cli.progress`); results go to stdout as a table, or with
``--json`` as exactly one JSON document. The library is imported inside the commands, after their
options are read (see :mod:`reglab.cli`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from reglab.cli.application import app
from reglab.cli.building import prepare
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
    Threads,
    UnderfitSkill,
    ValSize,
    WeightDecay,
    WeightDecayList,
)
from reglab.cli.progress import Stack, StackProgress, note, plural

if TYPE_CHECKING:
    from reglab.runs import Run, RunResult

CHECKPOINT = "checkpoint.pt"


def train_with_progress(runs: list[Run], on: str, checkpoint: Path | None = None) -> list[RunResult]:
    """``train_runs`` with progress over its stacks on stderr (never stdout).

    With ``checkpoint``, an interrupted sweep (Ctrl-C) saves its state there and the same command
    resumes it exactly.
    """
    from reglab.runs import plan_stacks, train_runs

    plan = plan_stacks(runs)
    groups = plan.groups
    stacks = [Stack(models=len(g), epochs=epochs) for g, epochs in zip(groups, plan.epochs)]
    try:
        with StackProgress(stacks, f"training {plural(len(runs), 'run')} in {plural(len(groups), 'stack')}") as on_epoch:
            return train_runs(runs, plan=plan, device=on, on_epoch=on_epoch, checkpoint=checkpoint)
    except KeyboardInterrupt:
        if checkpoint is None:
            raise
        note(f"interrupted; run the same command again to resume from {checkpoint}")
        raise typer.Exit(130) from None


@app.command()
def train(
    dataset: Dataset = DEFAULT.dataset, target: Target = DEFAULT.target, task: Task = DEFAULT.task,
    n_samples: NSamples = DEFAULT.n_samples, noise: Noise = DEFAULT.noise, n_classes: NClasses = DEFAULT.n_classes,
    test_size: TestSize = DEFAULT.test_size, val_size: ValSize = None, standardize: Standardize = DEFAULT.standardize,
    hidden: Hidden = DEFAULT.hidden, activation: Activation = DEFAULT.activation, dropout: Dropout = DEFAULT.dropout,
    penalty: PenaltyKind = DEFAULT.penalty, lam: Lam = None, l1: L1 = None, l2: L2 = None, l1_method: L1Method = DEFAULT.l1_method,
    regularize_output: RegularizeOutput = DEFAULT.regularize_output, weight_decay: WeightDecay = None,
    optimizer: Optimizer = DEFAULT.optimizer, lr: Lr = DEFAULT.lr, momentum: Momentum = DEFAULT.momentum, epochs: Epochs = DEFAULT.epochs,
    batch_size: BatchSize = None, patience: Patience = None, min_delta: MinDelta = DEFAULT.min_delta,
    input_noise: InputNoise = DEFAULT.input_noise, seed: Seed = DEFAULT.seed, device: Device = DEFAULT_DEVICE, threads: Threads = None,
    gap_threshold: GapThreshold = None, underfit_skill: UnderfitSkill = None, as_json: AsJson = False, out: Out = None,
) -> None:  # fmt: skip
    """Train one model; show its losses, score, fit verdict and weight range."""
    runs, limits, on, folder = prepare({**locals(), "seeds": "1", "fixed_split": False}, sweep=False)
    from reglab.cli.present import emit_json, layer_arrays, save, show_run

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
    dataset: Dataset = DEFAULT.dataset, target: Target = DEFAULT.target, task: Task = DEFAULT.task,
    n_samples: NSamples = DEFAULT.n_samples, noise: Noise = DEFAULT.noise, n_classes: NClasses = DEFAULT.n_classes,
    test_size: TestSize = DEFAULT.test_size, val_size: ValSize = None, standardize: Standardize = DEFAULT.standardize,
    hidden: HiddenList = DEFAULT.hidden, activation: Activation = DEFAULT.activation, dropout: DropoutList = DEFAULT.dropout,
    penalty: PenaltyList = DEFAULT.penalty, lam: LamList = None, l1: L1List = None, l2: L2List = None,
    l1_method: L1Method = DEFAULT.l1_method, regularize_output: RegularizeOutput = DEFAULT.regularize_output,
    weight_decay: WeightDecayList = None, optimizer: Optimizer = DEFAULT.optimizer, lr: LrList = DEFAULT.lr,
    momentum: Momentum = DEFAULT.momentum, epochs: Epochs = DEFAULT.epochs,
    batch_size: BatchSize = None, patience: Patience = None, min_delta: MinDelta = DEFAULT.min_delta,
    input_noise: InputNoise = DEFAULT.input_noise, seed: Seed = DEFAULT.seed, seeds: Seeds = "1", fixed_split: FixedSplit = False,
    device: Device = DEFAULT_DEVICE, threads: Threads = None,
    gap_threshold: GapThreshold = None, underfit_skill: UnderfitSkill = None, as_json: AsJson = False, out: Out = None,
) -> None:  # fmt: skip
    """Train a grid of configurations × seeds as stacked models and summarise it over seeds.

    Options that take a list sweep over it; the grid is the product of all lists. Each configuration
    is shown with the mean ± std and 95% CI of its test score and gap, and its verdict counts.
    With --out, an interrupted sweep resumes from DIR/checkpoint.pt when run again.
    """
    runs, limits, on, folder = prepare(dict(locals()), sweep=True)
    from reglab.cli.present import emit_json, layer_arrays, save, show_sweep
    from reglab.sweeps import summarize_sweep, sweep_document

    results = train_with_progress(runs, on, None if folder is None else folder / CHECKPOINT)
    document = sweep_document(results, limits)
    if folder is not None:
        weights = {k: v for i, r in enumerate(results) for k, v in layer_arrays(r, f"run{i}_").items()}
        save(folder, "results.json", document, weights)
    if as_json:
        emit_json(document)
    else:
        show_sweep(summarize_sweep(results, limits), results[0].score_name)
