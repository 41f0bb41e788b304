"""``reglab tune``: penalty kind, λ (log scale) and dropout searched with Optuna, a batch of trials
trained as one stack, in a study that persists (SQLite in --out, or --storage) and that several
processes or machines can share.

The options of the model and data are those of ``train`` (:mod:`reglab.cli.options`), read with the
same builders (:mod:`reglab.cli.building`); the study's own options are declared here. The library
(:mod:`reglab.tuning`) is imported when the command runs, so that ``--help`` stays quick. Results go to
stdout (tables, or one JSON document with --json), progress to stderr.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, Optional

import typer

from reglab.cli.application import app
from reglab.cli.asked import DataOptions, TrainingOptions, picked
from reglab.cli.options import (
    DATA_PANEL,
    DEFAULT,
    DEFAULT_DEVICE,
    MODEL,
    PENALTY,
    Activation,
    AsJson,
    BatchSize,
    Dataset,
    Device,
    Drop,
    Epochs,
    Force,
    Hidden,
    InputNoise,
    L1Method,
    Lr,
    MinDelta,
    Missing,
    Momentum,
    NClasses,
    Noise,
    NSamples,
    Optimizer,
    Patience,
    RegularizeOutput,
    Seed,
    Seeds,
    Standardize,
    Target,
    Task,
    TestSize,
    Threads,
    WeightDecay,
    about,
    flag,
    option,
    words,
)
from reglab.cli.outputs import claimed_folder
from reglab.cli.parsing import Choice, by, cuda_checked, fail, name, written
from reglab.cli.progress import note
from reglab.config import DataConfig
from reglab.regularizers import PENALTY_KINDS
from reglab.rules import COUNT, RATE, VALIDATION_FRACTION
from reglab.tuning.defaults import SAMPLERS, STUDY
from reglab.tuning.space import DROPOUT_GRID_POINTS, LAM_GRID_POINTS, SearchSpace, parse_dropout_range, parse_lam_range, parse_penalties

STUDY_PANEL = "Study"
# Defaults of reglab.tuning.tuner.tune, which imports PyTorch and Optuna (see reglab.cli.options): held equal by tests/test_cli_rules.py
DEFAULT_OUT = STUDY  # the folder of tune()'s storage= by default
TRIALS = 50  # the command line's own: tune() asks for trials=
DROPOUT_RANGE = (0.0, 0.5)  # the command line's own: SearchSpace fixes dropout unless asked
SPACE = SearchSpace()  # the kinds and λ range searched unless asked


def bounds(low: float, high: float) -> str:
    return f"{written(low)}:{written(high)}"


TUNE_DEFAULT = SimpleNamespace(
    penalty=written(SPACE.penalties), lam_range=bounds(SPACE.lam_low, SPACE.lam_high), dropout_range=bounds(*DROPOUT_RANGE),
    trials=written(TRIALS), sampler=SAMPLERS[0],
)  # the defaults of the study's own options, as the command line writes them


# fmt: off
ValSize = Annotated[Optional[float], option("--val-size", DATA_PANEL, "FLOAT",
    f"{about(DataConfig, 'val_size')} (default {VALIDATION_FRACTION:g}); the search minimises its loss.", by(RATE))]
Penalties = Annotated[Sequence[str], option("--penalty", PENALTY, "LIST",
    f"Penalty kinds searched ({words(PENALTY_KINDS)}), comma-separated.", lambda option, text: parse_penalties(text))]
LamRange = Annotated[Sequence[float], option("--lam-range", PENALTY, "LOW:HIGH",
    "Range of λ, searched on a log scale (0 < LOW <= HIGH).", lambda option, text: parse_lam_range(text))]
DropoutRange = Annotated[Sequence[float], option("--dropout-range", MODEL, "LOW:HIGH",
    "Range of the dropout rate (0 <= LOW <= HIGH < 1; equal bounds: fixed).", lambda option, text: parse_dropout_range(text))]
Trials = Annotated[int, option("--trials", STUDY_PANEL, "INT",
    "Finished trials (complete or pruned) the study holds when every worker stops.", by(COUNT))]
Batch = Annotated[int, option("--batch", STUDY_PANEL, "INT", "Trials asked at once and trained as one stack (each × --seeds).", by(COUNT))]
Sampler = Annotated[str, option("--sampler", STUDY_PANEL, "NAME",
    f"{words(SAMPLERS)}; grid: {LAM_GRID_POINTS} λ × {DROPOUT_GRID_POINTS} dropout values × kinds.", by(Choice(SAMPLERS)))]
Storage = Annotated[Optional[str], option("--storage", STUDY_PANEL, "URL",
    "Database of the study, e.g. postgresql://user:password@host:5432/db (default: sqlite in --out).")]
StudyName = Annotated[Optional[str], option("--study", STUDY_PANEL, "NAME", "Name of the study; workers on one storage and name share it.",
    name)]
Resume = Annotated[bool, flag("--resume", STUDY_PANEL, "Refuse to start unless the study already exists.")]
Heartbeat = Annotated[int, option("--heartbeat", STUDY_PANEL, "SECONDS",
    "A worker silent for 3 heartbeats is dead: its running trials are failed and re-asked.", by(COUNT))]
ReportEvery = Annotated[Optional[int], option("--report-every", STUDY_PANEL, "EPOCHS",
    "Epochs between pruning checks (default: a tenth of --epochs).", by(COUNT))]
Out = Annotated[Optional[str], option("--out", "Output", "DIR",
    f"Directory of the study's SQLite file and tune.json (default {DEFAULT_OUT}).")]
# fmt: on


@app.command()
def tune(
    ctx: typer.Context,
    dataset: Dataset = DEFAULT.dataset, target: Target = DEFAULT.target, task: Task = DEFAULT.task,
    n_samples: NSamples = DEFAULT.n_samples, noise: Noise = DEFAULT.noise,
    n_classes: NClasses = DEFAULT.n_classes, test_size: TestSize = DEFAULT.test_size, val_size: ValSize = None,
    missing: Missing = DEFAULT.missing, drop: Drop = None,
    standardize: Standardize = DEFAULT.standardize, hidden: Hidden = DEFAULT.hidden, activation: Activation = DEFAULT.activation,
    dropout_range: DropoutRange = TUNE_DEFAULT.dropout_range, penalty: Penalties = TUNE_DEFAULT.penalty,
    lam_range: LamRange = TUNE_DEFAULT.lam_range, l1_method: L1Method = DEFAULT.l1_method,
    regularize_output: RegularizeOutput = DEFAULT.regularize_output, weight_decay: WeightDecay = None,
    optimizer: Optimizer = DEFAULT.optimizer, lr: Lr = DEFAULT.lr, momentum: Momentum = DEFAULT.momentum, epochs: Epochs = DEFAULT.epochs,
    batch_size: BatchSize = None, patience: Patience = None, min_delta: MinDelta = DEFAULT.min_delta,
    input_noise: InputNoise = DEFAULT.input_noise, seed: Seed = DEFAULT.seed, seeds: Seeds = DEFAULT.seeds,
    device: Device = DEFAULT_DEVICE, threads: Threads = None, trials: Trials = TUNE_DEFAULT.trials, batch: Batch = DEFAULT.worker_batch,
    sampler: Sampler = TUNE_DEFAULT.sampler, storage: Storage = None, study: StudyName = STUDY, resume: Resume = False,
    heartbeat: Heartbeat = DEFAULT.heartbeat, report_every: ReportEvery = None, as_json: AsJson = False, out: Out = None,
    force: Force = False,
) -> None:  # fmt: skip
    """Search penalty kind, λ and dropout with Optuna; each batch of trials trains as one stack.

    The objective is the validation data loss averaged over --seeds seeds. Every worker started with
    the same --storage and --study shares the study and stops once it holds --trials finished trials;
    run the same command again to resume an interrupted study. Workers may share one --out folder.
    """
    kwargs = study_options(ctx.params)
    if storage is not None and "://" not in storage:  # on the command line a folder is --out; --storage is a URL
        from reglab.tuning.storage import storage_error

        raise storage_error(storage, "a database URL such as sqlite:///study.db or postgresql://user@host:5432/db")
    folder_text = (out or DEFAULT_OUT) if out is not None or storage is None else None
    with claimed_folder(folder_text, "tune", force, shared=True) as folder:  # shared: tune workers share their folder
        _tune(kwargs, threads, storage, folder, as_json)


def _tune(kwargs: dict[str, Any], threads_given: int | None, storage: str | None, folder: Path | None, as_json: bool) -> None:
    url = storage if storage is not None else folder  # a folder: the study's SQLite file in it
    import optuna

    from reglab.cli.present import emit_json
    from reglab.runs.threads import set_threads
    from reglab.tuning import tune as run_study

    set_threads(threads_given)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    result = with_progress(lambda progress: run_study(storage=url, progress=progress, **kwargs), kwargs["trials"])
    document = result.document()
    if folder is not None:
        write_document(folder, document)
    if as_json:
        emit_json(document)
    else:
        show_study(document, result.trained)


@dataclass(frozen=True)
class StudyOptions:
    """What ``tune`` was asked besides its data and training options, typed."""

    seed: int
    hidden: tuple[int, ...]
    lr: float
    weight_decay: float | None
    penalty: tuple[str, ...]
    lam_range: tuple[float, float]
    dropout_range: tuple[float, float]
    trials: int
    batch: int
    seeds: int
    heartbeat: int
    sampler: str
    study: str
    resume: bool
    device: str
    report_every: int | None  # None: a tenth of --epochs


def study_options(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every option checked and the data loaded: the keyword arguments of :func:`reglab.tuning.tune`.
    ``params``: ``tune``'s typed option values by parameter name (``ctx.params``)."""
    from reglab.cli.building import base_config, check_batch_size, data_config

    asked, s, training = DataOptions.of(params), picked(StudyOptions, params), TrainingOptions.of(params)
    val_size = VALIDATION_FRACTION if asked.val_size is None else asked.val_size
    if val_size == 0:
        fail("--val-size", "> 0 (the search minimises the validation loss)", written(val_size))
    data = data_config(asked, s.seed, val_size)
    base = base_config(training, s.seed).replace(hidden=s.hidden, lr=s.lr, weight_decay=s.weight_decay)
    space = SearchSpace(s.penalty, *s.lam_range, *s.dropout_range)
    check_batch_size(data, base.batch_size, training.batch_size is not None)  # loads the data: after every cheap check
    trials = s.trials
    if s.sampler == "grid" and trials > space.grid_size():
        note(f"the grid has {space.grid_size()} points: a grid search stops there, not at --trials {trials}")
        trials = space.grid_size()
    return {
        "data": data, "base": base, "space": space, "trials": trials, "batch": s.batch, "seeds": s.seeds, "heartbeat": s.heartbeat,
        "sampler": s.sampler, "study": s.study, "resume": s.resume, "device": cuda_checked(s.device), "report_every": s.report_every,
    }  # fmt: skip


def with_progress(work, total: int):
    """``work(progress)`` with the study's finished trials on stderr: a bar on a terminal, else one
    line per finished trial. Nothing is shown before the study is open (a refusal stays one line)."""
    from reglab.cli.progress import on_terminal

    shown_count, bar = [0], []

    def progress(finished: int, report) -> None:
        if not on_terminal():
            if finished > shown_count[0]:
                note(f"study: {min(finished, total)}/{total} trials finished")
                shown_count[0] = finished
            return
        if not bar:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            bar.append(Progress(*columns, console=Console(stderr=True)))
            bar[0].__enter__()
            bar.append(bar[0].add_task("finished trials", total=total))
        epoch = "" if report is None else f" (stack at epoch {report.epoch})"
        bar[0].update(bar[1], completed=min(finished, total), description=f"finished trials{epoch}")

    try:
        return work(progress)
    except KeyboardInterrupt:
        note("interrupted; the running trials were failed and will be re-asked: run the same command again to resume")
        raise
    finally:
        if bar:
            bar[0].__exit__(None, None, None)


def write_document(folder: Path, document: dict[str, Any]) -> None:
    """Writes ``folder/tune.json`` whole, through a file of this process's own: workers sharing the folder write it in turn."""
    import os

    path, tmp = folder / "tune.json", folder / f"tune.json.{os.getpid()}.tmp"
    from reglab.cli.present import sealed_json

    tmp.write_text(sealed_json(document, indent=2))
    os.replace(tmp, path)
    note(f"wrote {path}")


def show_study(document: dict[str, Any], trained: int) -> None:
    """The best trials, the study's history in counts, and the parameters' importances."""
    from rich.table import Table

    from reglab.cli.present import fmt, stdout_console

    console = stdout_console()
    trials = document["trials"]
    complete = sorted((t for t in trials if t["state"] == "complete" and t["value"] is not None), key=lambda t: (t["value"], t["number"]))
    score = next((k[4:] for k in (complete[0] if complete else {}) if k in ("val_accuracy", "val_r2")), None)
    table = Table(title=f"study {document['study']} in {document['storage']}: best trials by validation data loss (mean over seeds)")
    for column in ("trial", "penalty", "λ", "dropout", "val data loss", *([f"val {score}"] if score else []), "epochs"):
        table.add_column(column, justify="left" if column == "penalty" else "right")
    for t in complete[:10]:
        p = t["params"]
        extra = [fmt(t.get(f"val_{score}"))] if score else []
        lam = f"{p['lam']:.3g}" if "lam" in p else "-"
        table.add_row(str(t["number"]), p["penalty"], lam, fmt(p.get("dropout"), 3), fmt(t["value"]), *extra, str(t["epochs_run"]))
    console.print(table)
    states = {s: sum(t["state"] == s for t in trials) for s in ("complete", "pruned", "fail", "running", "waiting")}
    retried = sum(t["retry_of"] is not None for t in trials)
    facts = Table.grid(padding=(0, 2))
    finished = f"{document['finished']} ({states['complete']} complete, {states['pruned']} pruned)"
    facts.add_row("finished", f"{finished}; this worker trained {trained}")
    facts.add_row("failed", f"{states['fail']} (re-asked: {retried})")
    if document["best"] is not None:
        best = document["best"]
        facts.add_row("best", f"trial {best['number']}: {best['params']} → val data loss {fmt(best['value'])}")
    console.print(facts)
    if document["importances"]:
        importances = Table(title="parameter importances (Optuna, PED-ANOVA)")
        importances.add_column("parameter")
        importances.add_column("importance", justify="right")
        for name, value in document["importances"].items():
            importances.add_row(name, fmt(value, 3))
        console.print(importances)
