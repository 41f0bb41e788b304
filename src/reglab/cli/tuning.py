"""``reglab tune``: penalty kind, λ (log scale) and dropout searched with Optuna, a batch of trials
trained as one stack, in a study that persists (SQLite in --out, or --storage) and that several
processes or machines can share.

The options of the model and data are those of ``train`` (:mod:`reglab.cli.options`), read with the
same builders (:mod:`reglab.cli.building`); the study's own options are declared here. The library
(:mod:`reglab.tuning`) is imported when the command runs, so that ``--help`` stays quick. Results go to
stdout (tables, or one JSON document with --json), progress to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

from reglab.cli.application import app
from reglab.cli.options import (
    DATA_PANEL,
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
    flag,
    option,
    shown,
)
from reglab.cli.outputs import claimed_folder
from reglab.cli.parsing import Choice, fail, one, parse_device
from reglab.cli.progress import note
from reglab.config import COUNT, NON_NEGATIVE, POSITIVE, RATE, WIDTHS, DataConfig, RunConfig

STUDY = "Study"
SAMPLERS = ("tpe", "grid", "random")
DEFAULT_OUT = "reglab-tune"
DATA_DEFAULTS, RUN = DataConfig(), RunConfig()  # the defaults of the options that a config field holds
DATA_TEXT = {name: shown(getattr(DATA_DEFAULTS, name)) for name in ("n_samples", "noise", "n_classes", "test_size")}
RUN_TEXT = {name: shown(getattr(RUN, name)) for name in ("hidden", "lr", "momentum", "epochs", "min_delta", "input_noise", "seed")}

# fmt: off
ValSize = Annotated[Optional[str], option("--val-size", DATA_PANEL, "FLOAT",
    "Fraction of the training rows held out for validation (default 0.2); the search minimises its loss.")]
Penalties = Annotated[str, option("--penalty", PENALTY, "LIST", "Penalty kinds searched: none, l1, l2, l1l2, comma-separated.")]
LamRange = Annotated[str, option("--lam-range", PENALTY, "LOW:HIGH", "Range of λ, searched on a log scale (0 < LOW <= HIGH).")]
DropoutRange = Annotated[str, option("--dropout-range", MODEL, "LOW:HIGH",
    "Range of the dropout rate (0 <= LOW <= HIGH < 1; equal bounds: fixed).")]
Trials = Annotated[str, option("--trials", STUDY, "INT", "Finished trials (complete or pruned) the study holds when every worker stops.")]
Batch = Annotated[str, option("--batch", STUDY, "INT", "Trials asked at once and trained as one stack (each × --seeds).")]
Sampler = Annotated[str, option("--sampler", STUDY, "NAME", "tpe, grid (5 λ × 3 dropout values × kinds) or random.")]
Storage = Annotated[Optional[str], option("--storage", STUDY, "URL",
    "Database of the study, e.g. postgresql://user:password@host:5432/db (default: sqlite in --out).")]
StudyName = Annotated[str, option("--study", STUDY, "NAME", "Name of the study; workers on one storage and name share it.")]
Resume = Annotated[bool, flag("--resume", STUDY, "Refuse to start unless the study already exists.")]
Heartbeat = Annotated[str, option("--heartbeat", STUDY, "SECONDS",
    "A worker silent for 3 heartbeats is dead: its running trials are failed and re-asked.")]
ReportEvery = Annotated[Optional[str], option("--report-every", STUDY, "EPOCHS",
    "Epochs between pruning checks (default: a tenth of --epochs).")]
Out = Annotated[Optional[str], option("--out", "Output", "DIR",
    f"Directory of the study's SQLite file and tune.json (default {DEFAULT_OUT}).")]
# fmt: on


@app.command()
def tune(
    dataset: Dataset = DATA_DEFAULTS.dataset, target: Target = DATA_DEFAULTS.target, task: Task = DATA_DEFAULTS.task,
    n_samples: NSamples = DATA_TEXT["n_samples"], noise: Noise = DATA_TEXT["noise"],
    n_classes: NClasses = DATA_TEXT["n_classes"], test_size: TestSize = DATA_TEXT["test_size"], val_size: ValSize = None,
    missing: Missing = "error", drop: Drop = None,
    standardize: Standardize = DATA_DEFAULTS.standardize, hidden: Hidden = RUN_TEXT["hidden"], activation: Activation = RUN.activation,
    dropout_range: DropoutRange = "0:0.5", penalty: Penalties = "l1,l2", lam_range: LamRange = "1e-5:1",
    l1_method: L1Method = RUN.l1_method,
    regularize_output: RegularizeOutput = RUN.regularize_output, weight_decay: WeightDecay = None, optimizer: Optimizer = RUN.optimizer,
    lr: Lr = RUN_TEXT["lr"], momentum: Momentum = RUN_TEXT["momentum"], epochs: Epochs = RUN_TEXT["epochs"], batch_size: BatchSize = None,
    patience: Patience = None, min_delta: MinDelta = RUN_TEXT["min_delta"], input_noise: InputNoise = RUN_TEXT["input_noise"],
    seed: Seed = RUN_TEXT["seed"], seeds: Seeds = "1", device: Device = "cpu", threads: Threads = None, trials: Trials = "50",
    batch: Batch = "8", sampler: Sampler = "tpe", storage: Storage = None, study: StudyName = "reglab-tune", resume: Resume = False,
    heartbeat: Heartbeat = "10", report_every: ReportEvery = None, as_json: AsJson = False, out: Out = None, force: Force = False,
) -> None:  # fmt: skip
    """Search penalty kind, λ and dropout with Optuna; each batch of trials trains as one stack.

    The objective is the validation data loss averaged over --seeds seeds. Every worker started with
    the same --storage and --study shares the study and stops once it holds --trials finished trials;
    run the same command again to resume an interrupted study. Workers may share one --out folder.
    """
    kwargs, threads_given = study_options(dict(locals()))
    if storage is not None and "://" not in storage:  # on the command line a folder is --out; --storage is a URL
        from reglab.tuning.storage import storage_error

        raise storage_error(storage, "a database URL such as sqlite:///study.db or postgresql://user@host:5432/db")
    folder_text = (out or DEFAULT_OUT) if out is not None or storage is None else None
    with claimed_folder(folder_text, "tune", force, shared=True) as folder:  # shared: tune workers share their folder
        _tune(kwargs, threads_given, storage, folder, as_json)


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


def study_options(o: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
    """Every option checked and the data loaded: the keyword arguments of :func:`reglab.tuning.tune`,
    and the --threads given."""
    from reglab.cli.building import base_config, check_batch_size, data_config
    from reglab.tuning.space import SearchSpace, parse_dropout_range, parse_lam_range, parse_penalties

    o["val_size"] = "0.2" if o["val_size"] is None else o["val_size"]
    if one("--val-size", o["val_size"], RATE) == 0:
        fail("--val-size", "> 0 (the search minimises the validation loss)", o["val_size"])
    data, base = data_config(o), base_config(o)
    decay = None if o["weight_decay"] is None else one("--weight-decay", o["weight_decay"], NON_NEGATIVE)
    base = base.replace(hidden=one("--hidden", o["hidden"], WIDTHS), lr=one("--lr", o["lr"], POSITIVE), weight_decay=decay)
    space = SearchSpace(parse_penalties(o["penalty"]), *parse_lam_range(o["lam_range"]), *parse_dropout_range(o["dropout_range"]))
    every = None if o["report_every"] is None else one("--report-every", o["report_every"], COUNT)
    study = o["study"].strip()
    if not study:
        fail("--study", "a non-empty name", o["study"])
    threads = None if o["threads"] is None else one("--threads", o["threads"], COUNT)
    counts = {name: one(f"--{name}", o[name], COUNT) for name in ("trials", "batch", "seeds", "heartbeat")}
    check_batch_size(data, o["batch_size"], base.batch_size)  # loads the data: after every cheap check
    sampler = one("--sampler", o["sampler"], Choice(SAMPLERS))
    if sampler == "grid" and counts["trials"] > space.grid_size():
        note(f"the grid has {space.grid_size()} points: a grid search stops there, not at --trials {counts['trials']}")
        counts["trials"] = space.grid_size()
    return {
        "data": data, "base": base, "space": space, **counts, "sampler": sampler,
        "study": study, "resume": o["resume"], "device": parse_device(o["device"]), "report_every": every,
    }, threads  # fmt: skip


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
