"""The command line: ``reglab train`` (one model) and ``reglab sweep`` (a grid × seeds, stacked).

Every option value arrives as text and is parsed here, so that any mistake ends as one line on
stderr naming the option, the value received and what was expected, with exit code 2 (typer's own
errors included, see :func:`execute`). Results go to stdout: a table, or with ``--json`` exactly one
JSON document; progress and notes go to stderr. A train is a sweep of one run: both commands build
their runs with :func:`reglab.runs.grid` and train them with :func:`reglab.runs.train_runs`.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Callable, NoReturn, Optional, Protocol, Sequence

import numpy as np
import torch
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reglab.config import ACTIVATIONS, OPTIMIZERS, DataConfig, RunConfig, config_error
from reglab.data import DATASETS, load
from reglab.measures import FitThresholds
from reglab.regularizers import PENALTY_KINDS, make_regularizer
from reglab.runs import Run, RunResult, grid, group_runs, train_runs
from reglab.summary import summarize_sweep, sweep_document
from reglab.train import EpochReport

__all__ = ["app", "execute", "main"]


# parsing: every value is text until a rule accepts it ------------------------------------------


class OptionError(ValueError):
    """A bad command-line value; the message is the one line the user sees."""


class Rule(Protocol):
    """How to read one value: ``parse`` gives the value, or None when ``text`` is not acceptable."""

    expected: str  # what is acceptable, in words: "a finite float >= 0"

    def parse(self, text: str) -> Any: ...


@dataclass(frozen=True)
class Number:
    """An int or a finite float that satisfies ``ok``; ``expected`` says so in words."""

    kind: type
    expected: str
    ok: Callable[[float], bool]

    def parse(self, text: str) -> int | float | None:
        try:
            value = self.kind(text.strip())
        except ValueError:
            return None
        finite = self.kind is int or math.isfinite(value)
        return value if finite and self.ok(value) else None


@dataclass(frozen=True)
class Choice:
    """One of a few words."""

    choices: tuple[str, ...]

    @property
    def expected(self) -> str:
        return f"one of {', '.join(self.choices)}"

    def parse(self, text: str) -> str | None:
        return text.strip() if text.strip() in self.choices else None


@dataclass(frozen=True)
class Widths:
    """Comma-separated hidden-layer widths, such as ``128,128``."""

    expected: str = "comma-separated layer widths >= 1, such as 128,128"

    def parse(self, text: str) -> tuple[int, ...] | None:
        widths = [COUNT.parse(item) for item in text.split(",")]
        return None if None in widths else tuple(widths)


NON_NEGATIVE = Number(float, "a finite float >= 0", lambda v: v >= 0)
POSITIVE = Number(float, "a finite float > 0", lambda v: v > 0)
RATE = Number(float, "a float in [0, 1)", lambda v: 0 <= v < 1)
OPEN_RATE = Number(float, "a float in (0, 1)", lambda v: 0 < v < 1)
UNIT = Number(float, "a float in [0, 1]", lambda v: 0 <= v <= 1)
COUNT = Number(int, "an int >= 1", lambda v: v >= 1)
SEED = Number(int, "an int >= 0", lambda v: v >= 0)
N_SAMPLES = Number(int, "an int >= 4", lambda v: v >= 4)
N_CLASSES = Number(int, "an int >= 2", lambda v: v >= 2)
WIDTHS = Widths()
ARCHITECTURE_SEPARATORS = (";", "/")
DEFAULT_BATCH_SIZE = 32  # on data with fewer training rows, one batch of all of them


def fail(option: str, expected: str, got: str) -> NoReturn:
    raise OptionError(f"The '{option}' option must be {expected}. Got {got!r} instead.")


def one(option: str, text: str, rule: Rule) -> Any:
    """The value of ``text`` by ``rule``, or an OptionError naming ``option``."""
    value = rule.parse(text)
    if value is None:
        fail(option, rule.expected, text)
    return value


def many(option: str, text: str, rule: Rule, separators: Sequence[str] = (",",)) -> list[Any]:
    """The values of a list such as ``0.01,0.1``, each by ``rule``, in order without repeats; the
    error names the bad item."""
    values = []
    for item in re.split("|".join(map(re.escape, separators)), text):
        value = rule.parse(item)
        if value is None:
            listed = " or ".join(map(repr, separators))
            listed = "a comma-separated list of them" if separators == (",",) else f"a list of them separated by {listed}"
            raise OptionError(
                f"The '{option}' option must be {rule.expected}, or {listed}. Got item {item!r} of {text!r} instead."
            )
        values.append(value)
    return list(dict.fromkeys(values))


def parse_batch_size(text: str | None) -> int | None:
    """``full`` (None: one batch of all training rows) or an int >= 1; 32 when not given."""
    if text is None:
        return DEFAULT_BATCH_SIZE
    if text.strip() == "full":
        return None
    value = COUNT.parse(text)
    if value is None:
        fail("--batch-size", "an int >= 1 or 'full'", text)
    return value


def parse_device(text: str) -> str:
    name = one("--device", text, Choice(("cpu", "cuda")))
    if name == "cuda" and not torch.cuda.is_available():
        fail("--device", "'cpu' on this machine (no CUDA GPU is available)", text)
    return name


# from options to runs ---------------------------------------------------------------------------
# ``o`` is a command's options by parameter name, as typed: text (None when not given), flags as bool.


def note(message: str) -> None:
    sys.stderr.write(f"reglab: {message}\n")


def data_config(o: dict[str, Any]) -> DataConfig:
    """The data options as a DataConfig; with --patience and no --val-size, 20 % validation."""
    val_size = o["val_size"]
    if val_size is None:
        val_size = "0.2" if o["patience"] is not None else "0"
    val = one("--val-size", val_size, RATE)
    if o["patience"] is not None and val == 0:
        fail("--val-size", "> 0 when --patience is given (early stopping watches the validation loss)", val_size)
    return DataConfig(
        dataset=o["dataset"],
        target=o["target"],
        task=one("--task", o["task"], Choice(("auto", "classification", "regression"))),
        n_samples=one("--n-samples", o["n_samples"], N_SAMPLES),
        noise=one("--noise", o["noise"], NON_NEGATIVE),
        n_classes=one("--n-classes", o["n_classes"], N_CLASSES),
        test_size=one("--test-size", o["test_size"], OPEN_RATE),
        val_size=val,
        standardize=o["standardize"],
        seed=one("--seed", o["seed"], SEED),
    )


def base_config(o: dict[str, Any]) -> RunConfig:
    """The options that a sweep never varies, as the config each run is derived from."""
    optional = lambda name, option, rule: None if o[name] is None else one(option, o[name], rule)  # noqa: E731
    return RunConfig(
        activation=one("--activation", o["activation"], Choice(ACTIVATIONS)),
        l1_method=one("--l1-method", o["l1_method"], Choice(("proximal", "subgradient"))),
        regularize_output=o["regularize_output"],
        optimizer=one("--optimizer", o["optimizer"], Choice(OPTIMIZERS)),
        momentum=one("--momentum", o["momentum"], RATE),
        epochs=one("--epochs", o["epochs"], COUNT),
        batch_size=parse_batch_size(o["batch_size"]),
        patience=optional("patience", "--patience", COUNT),
        min_delta=one("--min-delta", o["min_delta"], NON_NEGATIVE),
        input_noise=one("--input-noise", o["input_noise"], NON_NEGATIVE),
        seed=one("--seed", o["seed"], SEED),
    )


def penalties(o: dict[str, Any], read) -> list[dict[str, Any]]:
    """Every penalty of the grid: ``none`` once, ``l1``/``l2`` per λ, ``l1l2`` per (l1, l2)."""
    kinds = read("--penalty", o["penalty"], Choice(PENALTY_KINDS))
    strengths = {k: [None] if o[k] is None else read(f"--{k}", o[k], NON_NEGATIVE) for k in ("lam", "l1", "l2")}
    if o["lam"] is not None and set(kinds) == {"none"}:
        fail("--lam", "used with --penalty l1, l2 or l1l2, not --penalty none", o["lam"])
    for k in ("l1", "l2"):
        if o[k] is not None and "l1l2" not in kinds:
            fail(f"--{k}", "used with --penalty l1l2 (use --lam for --penalty l1 or l2)", o[k])
    found = []
    for kind in kinds:
        for lam, l1, l2 in itertools.product(strengths["lam"], strengths["l1"], strengths["l2"]):
            penalty = make_regularizer(kind, lam, l1, l2).model_dump(by_alias=True)
            if penalty not in found:
                found.append(penalty)
    return found


def axes(o: dict[str, Any], sweep: bool) -> dict[str, list[Any]]:
    """The values of the options that a sweep varies (a single value each for train)."""
    read = many if sweep else (lambda option, text, rule: [one(option, text, rule)])
    hidden = many("--hidden", o["hidden"], WIDTHS, ARCHITECTURE_SEPARATORS) if sweep else [one("--hidden", o["hidden"], WIDTHS)]
    return {
        "hidden": hidden,
        "penalty": penalties(o, read),
        "dropout": read("--dropout", o["dropout"], RATE),
        "lr": read("--lr", o["lr"], POSITIVE),
        "weight_decay": [None] if o["weight_decay"] is None else read("--weight-decay", o["weight_decay"], NON_NEGATIVE),
    }


def build_runs(o: dict[str, Any], sweep: bool) -> list[Run]:
    """The grid of the options × seeds, without repeated runs, with every data config loaded once."""
    data, base = data_config(o), base_config(o)
    n_seeds = one("--seeds", o["seeds"], COUNT) if sweep else 1
    seeds = range(base.seed, base.seed + n_seeds)
    runs = list(dict.fromkeys(grid(base, data, seeds, split_per_seed=not o["fixed_split"], **axes(o, sweep))))
    check_batch_size(runs, o["batch_size"])
    return runs


def prepare(o: dict[str, Any], sweep: bool) -> tuple[list[Run], FitThresholds, str, Path | None]:
    """Every option checked and the data loaded before anything is written or trained: the runs,
    the verdict thresholds, the device and the --out directory (created)."""
    runs, limits, on = build_runs(o, sweep), thresholds(o), parse_device(o["device"])
    folder = out_dir(o["out"])
    if o["patience"] is not None and o["val_size"] is None:
        note("--patience watches the validation loss: using --val-size 0.2")
    return runs, limits, on, folder


def check_batch_size(runs: Sequence[Run], text: str | None) -> None:
    """Loads the data of every run (DataError on bad data) and checks that a --batch-size given
    fits in it (the default is cut to the training rows, as Keras does)."""
    rows = min(len(load(data).X_train) for data in {r.data for r in runs})
    size = runs[0].config.batch_size
    if text is not None and size is not None and size > rows:
        fail("--batch-size", f"at most the number of training rows ({rows}), or 'full'", text)


def thresholds(o: dict[str, Any]) -> FitThresholds:
    return FitThresholds(
        gap=one("--gap-threshold", o["gap_threshold"], NON_NEGATIVE),
        underfit_skill=one("--underfit-skill", o["underfit_skill"], UNIT),
    )


def out_dir(text: str | None) -> Path | None:
    """The --out directory, created now so that a bad path fails before training."""
    if text is None:
        return None
    path = Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail("--out", f"a directory that can be created ({exc.strerror})", text)
    return path


# training with a progress bar on stderr -----------------------------------------------------------


def train_with_progress(runs: list[Run], on: str) -> list[RunResult]:
    """``train_runs`` with a progress bar over the epochs of all stacks (on stderr, never stdout)."""
    groups = group_runs(runs)
    epochs = [runs[g[0]].config.epochs for g in groups]
    before = [sum(epochs[:g]) for g in range(len(groups))]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        what = f"training {len(runs)} run{'s' * (len(runs) != 1)} in {len(groups)} stack{'s' * (len(groups) != 1)}"
        task = progress.add_task(what, total=sum(epochs))

        def on_epoch(group: int, report: EpochReport) -> None:
            progress.update(task, completed=before[group] + report.epoch)

        return train_runs(runs, device=on, on_epoch=on_epoch)


# presenting results ---------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def show_run(result: RunResult, limits: FitThresholds) -> None:
    """A table of the split parts, then the verdict, gap, epochs and first-layer weight range."""
    console = stdout_console()
    score_names = ["r2", "rmse"] if result.task == "regression" else ["accuracy"]
    table = Table(title=f"{result.data.dataset}: {result.config.label}, hidden {','.join(map(str, result.config.hidden))}")
    for column in ("part", "loss", "data_loss", "penalty", *score_names):
        table.add_column(column, justify="left" if column == "part" else "right")
    parts = (("train", result.train), ("validation", result.val), ("test", result.test))
    for name, metrics in parts:
        if metrics:
            table.add_row(name, *(fmt(metrics[k]) for k in ("loss", "data_loss", "penalty", *score_names)))
    console.print(table)
    facts = Table.grid(padding=(0, 2))
    if result.diverged:
        facts.add_row("status", f"diverged at epoch {result.diverged_epoch}")
    else:
        kernel = result.kernels[0]
        facts.add_row("verdict", f"{result.verdict(limits)} (gap {result.gap:+.4f}, train − {result.held_out[0]})")
        facts.add_row("first-layer weights", f"[{kernel.min():.4f}, {kernel.max():.4f}]")
    stopped = f", stopped early (best epoch {result.best_epoch})" if result.stopped_early else ""
    facts.add_row("epochs run", f"{result.epochs_run}{stopped}")
    console.print(facts)


def mean_std(stats: dict | None) -> tuple[str, str]:
    if stats is None:
        return "-", "-"
    return f"{stats['mean']:.3f} ± {stats['std']:.3f}", f"[{stats['ci_low']:.3f}, {stats['ci_high']:.3f}]"


def describe(summary: dict, varying: list[str]) -> str:
    """The configuration's label, plus hidden widths or learning rate when they differ between rows."""
    config = summary["config"]
    extra = {"hidden": lambda: ",".join(map(str, config["hidden"])), "lr": lambda: f"{config['lr']:g}"}
    return ", ".join([summary["label"], *(f"{k}={extra[k]()}" for k in varying)])


def show_sweep(summary: list[dict], score: str) -> None:
    """One row per configuration: test score and gap as mean ± std and 95 % CI, and verdict counts."""
    varying = [k for k in ("hidden", "lr") if len({json.dumps(s["config"][k]) for s in summary}) > 1]
    table = Table(title=f"{len(summary)} configuration{'s' * (len(summary) != 1)}: mean ± std over seeds, 95% CI")
    for column in ("configuration", "seeds", f"test {score}", "95% CI", "gap", "95% CI", "verdicts"):
        table.add_column(column, justify="left" if column in ("configuration", "verdicts") else "right")
    for s in summary:
        verdicts = [f"{name} {count}" for name, count in s["verdicts"].items()]
        verdicts += [f"diverged {s['diverged']}"] if s["diverged"] else []
        table.add_row(describe(s, varying), str(s["n_seeds"]), *mean_std(s[f"test_{score}"]), *mean_std(s["gap"]), ", ".join(verdicts))
    stdout_console().print(table)


def stdout_console() -> Console:
    """Rich on stdout: the terminal's width, or wide enough for a table not to wrap in a file or pipe."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def emit_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, allow_nan=False) + "\n")


def save(folder: Path, name: str, document: dict[str, Any], weights: dict[str, np.ndarray]) -> None:
    (folder / name).write_text(json.dumps(document, allow_nan=False, indent=2) + "\n")
    np.savez(folder / "weights.npz", **weights)
    note(f"wrote {folder / name} and {folder / 'weights.npz'}")


def layer_arrays(result: RunResult, prefix: str = "") -> dict[str, np.ndarray]:
    arrays = {f"{prefix}kernel_{i}": k for i, k in enumerate(result.kernels)}
    arrays.update({f"{prefix}bias_{i}": b for i, b in enumerate(result.biases)})
    return arrays


# the commands -----------------------------------------------------------------------------------------

DATA, MODEL, PENALTY, TRAINING, OUTPUT = "Data", "Model", "Penalty", "Training", "Output"


def option(name: str, panel: str, metavar: str | None, help: str) -> Any:
    return typer.Option(name, help=help, rich_help_panel=panel, metavar=metavar, show_default=True)


def flag(name: str, panel: str, help: str) -> Any:
    return typer.Option(name, help=help, rich_help_panel=panel)


# fmt: off
Dataset = Annotated[str, option("--dataset", DATA, "NAME|CSV", f"A built-in dataset ({', '.join(DATASETS)}) or a CSV file.")]
Target = Annotated[Optional[str], option("--target", DATA, "COLUMN", "Target column of a CSV file.")]
Task = Annotated[str, option("--task", DATA, "TASK", "auto, classification or regression (auto: from the target column).")]
NSamples = Annotated[str, option("--n-samples", DATA, "INT", "Points drawn by a 2-D generator.")]
Noise = Annotated[str, option("--noise", DATA, "FLOAT", "Noise level of a 2-D generator.")]
NClasses = Annotated[str, option("--n-classes", DATA, "INT", "Classes of the blobs generator.")]
TestSize = Annotated[str, option("--test-size", DATA, "FLOAT", "Fraction of all rows held out for test.")]
ValSize = Annotated[Optional[str], option("--val-size", DATA, "FLOAT",
    "Fraction of the training rows held out for validation (default 0, or 0.2 with --patience).")]
Standardize = Annotated[bool, flag("--standardize/--no-standardize", DATA, "Scale features with training statistics.")]
Hidden = Annotated[str, option("--hidden", MODEL, "WIDTHS", "Hidden layer widths, comma-separated.")]
Activation = Annotated[str, option("--activation", MODEL, "NAME", f"One of {', '.join(ACTIVATIONS)}.")]
Dropout = Annotated[str, option("--dropout", MODEL, "FLOAT", "Dropout rate after each hidden layer, in [0, 1).")]
PenaltyKind = Annotated[str, option("--penalty", PENALTY, "KIND",
    "none, l1, l2 or l1l2, added to the batch-mean loss with Keras's convention (l2 adds λ·Σw²).")]
Lam = Annotated[Optional[str], option("--lam", PENALTY, "FLOAT", "Penalty strength λ of l1 or l2 (default 0.01).")]
L1 = Annotated[Optional[str], option("--l1", PENALTY, "FLOAT", "L1 strength of l1l2 (default: --lam, else 0.01).")]
L2 = Annotated[Optional[str], option("--l2", PENALTY, "FLOAT", "L2 strength of l1l2 (default: --lam, else 0.01).")]
L1Method = Annotated[str, option("--l1-method", PENALTY, "METHOD", "proximal (exact zeros) or subgradient (as Keras).")]
RegularizeOutput = Annotated[bool, flag("--regularize-output", PENALTY, "Also penalise the output kernel (biases never).")]
WeightDecay = Annotated[Optional[str], option("--weight-decay", PENALTY, "FLOAT",
    "Decoupled weight decay w ← w − lr·wd·w (default 0.01 for adamw, else 0).")]
Optimizer = Annotated[str, option("--optimizer", TRAINING, "NAME", f"One of {', '.join(OPTIMIZERS)}.")]
Lr = Annotated[str, option("--lr", TRAINING, "FLOAT", "Learning rate.")]
Momentum = Annotated[str, option("--momentum", TRAINING, "FLOAT", "SGD momentum, in [0, 1).")]
Epochs = Annotated[str, option("--epochs", TRAINING, "INT", "Passes over the training rows.")]
BatchSize = Annotated[Optional[str], option("--batch-size", TRAINING, "INT|full",
    f"Rows per step, or 'full' for full batch (default {DEFAULT_BATCH_SIZE}, or all training rows when fewer).")]
Patience = Annotated[Optional[str], option("--patience", TRAINING, "INT",
    "Early stopping: epochs without improvement of the validation loss.")]
MinDelta = Annotated[str, option("--min-delta", TRAINING, "FLOAT",
    "Smallest decrease of the validation loss that counts as improvement.")]
InputNoise = Annotated[str, option("--input-noise", TRAINING, "FLOAT",
    "Std of Gaussian jitter added to the training inputs, fresh each epoch.")]
Seed = Annotated[str, option("--seed", TRAINING, "INT", "Seed of the model and of the data and split.")]
Device = Annotated[str, option("--device", TRAINING, "DEVICE", "cpu or cuda.")]
GapThreshold = Annotated[str, option("--gap-threshold", OUTPUT, "FLOAT",
    "Verdict: largest train − held-out score gap that still counts as a good fit.")]
UnderfitSkill = Annotated[str, option("--underfit-skill", OUTPUT, "FLOAT",
    "Verdict: smallest training skill (chance-corrected accuracy, or R²) that is not underfitting.")]
AsJson = Annotated[bool, flag("--json", OUTPUT, "Print one JSON document on stdout instead of a table.")]
Out = Annotated[Optional[str], option("--out", OUTPUT, "DIR", "Directory to write the JSON document and weights.npz to.")]

# the options a sweep varies take lists
SWEEPS = " A comma-separated list sweeps over its values."
HiddenList = Annotated[str, option("--hidden", MODEL, "ARCHS",
    "Architectures to compare, separated by ';' or '/' (commas separate the layers of one architecture), "
    "e.g. '64,64;128,128'.")]
DropoutList = Annotated[str, option("--dropout", MODEL, "LIST", "Dropout rate in [0, 1)." + SWEEPS)]
PenaltyList = Annotated[str, option("--penalty", PENALTY, "LIST",
    "none, l1, l2 or l1l2." + SWEEPS + " none runs once, not once per λ.")]
LamList = Annotated[Optional[str], option("--lam", PENALTY, "LIST", "λ of l1 or l2 (default 0.01)." + SWEEPS)]
L1List = Annotated[Optional[str], option("--l1", PENALTY, "LIST", "L1 strength of l1l2 (default: --lam)." + SWEEPS)]
L2List = Annotated[Optional[str], option("--l2", PENALTY, "LIST", "L2 strength of l1l2 (default: --lam)." + SWEEPS)]
WeightDecayList = Annotated[Optional[str], option("--weight-decay", PENALTY, "LIST",
    "Decoupled weight decay (default 0.01 for adamw, else 0)." + SWEEPS)]
LrList = Annotated[str, option("--lr", TRAINING, "LIST", "Learning rate." + SWEEPS)]
Seeds = Annotated[str, option("--seeds", TRAINING, "INT", "Seeds per configuration: --seed, --seed + 1, … --seed + N − 1.")]
FixedSplit = Annotated[bool, flag("--fixed-split", TRAINING,
    "Keep the data and split of --seed for every seed (default: each seed draws its own).")]
# fmt: on

app = typer.Typer(
    name="reglab",
    help="reglab: a laboratory for regularization in neural networks.",
    add_completion=False,
    no_args_is_help=False,  # True would print the help on stdout; a missing command is a usage error
    pretty_exceptions_enable=False,
)


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
    """
    runs, limits, on, folder = prepare(dict(locals()), sweep=True)
    results = train_with_progress(runs, on)
    document = sweep_document(results, limits)
    if folder is not None:
        weights = {k: v for i, r in enumerate(results) for k, v in layer_arrays(r, f"run{i}_").items()}
        save(folder, "results.json", document, weights)
    if as_json:
        emit_json(document)
    else:
        show_sweep(summarize_sweep(results, limits), results[0].score_name)


# entry point: every user error is one line on stderr and exit code 2 -----------------------------------


def usage_error(message: str) -> int:
    sys.stderr.write(f"reglab: error: {' '.join(message.split())}\n")
    return 2


def execute(argv: Sequence[str] | None = None) -> int:
    """Runs the command line ``argv`` (default: ``sys.argv[1:]``) and returns the exit code."""
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = command.main(args=args, prog_name="reglab", standalone_mode=False)
    except ValidationError as exc:
        return usage_error(config_error(exc))
    except ValueError as exc:  # OptionError, DataError and the library's validation
        return usage_error(str(exc))
    except typer.TyperException as exc:  # typer's own parsing: unknown option, missing value, ...
        return typer_error(exc, args)
    except Exception as exc:
        return unexpected(exc)
    return code if isinstance(code, int) else 0


def unexpected(exc: BaseException) -> int:
    """Exit code 1 and one line; the traceback too when REGLAB_DEBUG=1."""
    if os.environ.get("REGLAB_DEBUG") == "1":
        traceback.print_exception(exc)
    first = (str(exc).strip().splitlines() or [""])[0]
    what = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    sys.stderr.write(f"reglab: unexpected error: {what} (set REGLAB_DEBUG=1 for the traceback)\n")
    return 1


def typer_error(exc: typer.TyperException, args: list[str]) -> int:
    """A usage error found by typer as one line; anything else typer raises is unexpected."""
    if getattr(exc, "exit_code", 1) != 2:
        return unexpected(exc)
    if not args:
        commands = ", ".join(c.name or c.callback.__name__ for c in app.registered_commands)
        return usage_error(f"Expected a command, one of {commands}; see 'reglab --help'.")
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else " ".join(["reglab", *args[:1]])
    return usage_error(f"{exc.format_message().rstrip('.')}; see '{where} --help'.")


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``reglab`` console script."""
    sys.exit(execute(argv))


# the lecture's commands register themselves on ``app``
from reglab.cli import lecture as _lecture  # noqa: E402,F401
