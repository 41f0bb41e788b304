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
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Callable, NoReturn, Optional, Sequence

import numpy as np
import torch
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reglab.config import ACTIVATIONS, OPTIMIZERS, DataConfig, RunConfig, config_error
from reglab.data import load
from reglab.measures import FitThresholds
from reglab.regularizers import PENALTY_KINDS, make_regularizer
from reglab.runs import Run, RunResult, grid, group_runs, train_runs
from reglab.summary import summarize_sweep, sweep_document

__all__ = ["app", "execute", "main"]


# parsing: every value is text until a rule accepts it ------------------------------------------


class OptionError(ValueError):
    """A bad command-line value; the message is the one line the user sees."""


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
        return value if np.isfinite(value) and self.ok(value) else None


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
        widths = [WIDTH.parse(item) for item in text.split(",")]
        return None if None in widths else tuple(widths)


NON_NEGATIVE = Number(float, "a finite float >= 0", lambda v: v >= 0)
POSITIVE = Number(float, "a finite float > 0", lambda v: v > 0)
RATE = Number(float, "a float in [0, 1)", lambda v: 0 <= v < 1)
OPEN_RATE = Number(float, "a float in (0, 1)", lambda v: 0 < v < 1)
UNIT = Number(float, "a float in [0, 1]", lambda v: 0 <= v <= 1)
COUNT = Number(int, "an int >= 1", lambda v: v >= 1)
WIDTH = COUNT
SEED = Number(int, "an int >= 0", lambda v: v >= 0)
N_SAMPLES = Number(int, "an int >= 4", lambda v: v >= 4)
N_CLASSES = Number(int, "an int >= 2", lambda v: v >= 2)
WIDTHS = Widths()
ARCHITECTURE_SEPARATORS = (";", "/")


def fail(option: str, expected: str, got: str) -> NoReturn:
    raise OptionError(f"The '{option}' option must be {expected}. Got {got!r} instead.")


def one(option: str, text: str, rule) -> Any:
    """The value of ``text`` by ``rule``, or an OptionError naming ``option``."""
    value = rule.parse(text)
    if value is None:
        fail(option, rule.expected, text)
    return value


def many(option: str, text: str, rule, separators: Sequence[str] = (",",)) -> list[Any]:
    """The values of a list such as ``0.01,0.1``, each by ``rule``; the error names the bad item."""
    joined = text
    for sep in separators[1:]:
        joined = joined.replace(sep, separators[0])
    values = []
    for item in joined.split(separators[0]):
        value = rule.parse(item)
        if value is None:
            listed = " or ".join(repr(s) for s in separators)
            raise OptionError(
                f"The '{option}' option must be {rule.expected}, or a list of them separated by {listed}. "
                f"Got item {item!r} of {text!r} instead."
            )
        values.append(value)
    return list(dict.fromkeys(values))  # in order, without repeats


def parse_batch_size(text: str) -> int | None:
    """``full`` (None: one batch of all training rows) or an int >= 1."""
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


def note(message: str) -> None:
    sys.stderr.write(f"reglab: {message}\n")


def data_config(o: dict[str, Any]) -> DataConfig:
    """The data options as a DataConfig; with --patience and no --val-size, 20 % validation."""
    val_size = o["val_size"]
    if o["patience"] is not None and val_size is None:
        note("--patience watches the validation loss: using --val-size 0.2")
        val_size = "0.2"
    val = one("--val-size", "0" if val_size is None else val_size, RATE)
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
        fail("--lam", "used with --penalty l1, l2 or l1l2, not with --penalty none alone", o["lam"])
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


def check_batch_size(runs: Sequence[Run], text: str) -> None:
    """Loads the data of every run (DataError on bad data) and checks the batch fits in it."""
    rows = min(len(load(data).X_train) for data in {r.data for r in runs})
    size = runs[0].config.batch_size
    if size is not None and size > rows:
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
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        what = f"training {len(runs)} run{'s' * (len(runs) != 1)} in {len(groups)} stack{'s' * (len(groups) != 1)}"
        task = progress.add_task(what, total=sum(epochs))

        def on_epoch(group: int, report) -> None:
            progress.update(task, completed=before[group] + report.epoch)

        return train_runs(runs, device=on, on_epoch=on_epoch)


# presenting results ---------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def show_run(result: RunResult, limits: FitThresholds) -> None:
    """A table of the split parts, then the verdict, gap, epochs and first-layer weight range."""
    console = Console()
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
        facts.add_row("first-layer weights", f"min {kernel.min():+.4f}, max {kernel.max():+.4f}")
    stopped = f", stopped early (best epoch {result.best_epoch})" if result.stopped_early else ""
    facts.add_row("epochs run", f"{result.epochs_run}{stopped}")
    console.print(facts)


def mean_std(stats: dict | None) -> tuple[str, str]:
    if stats is None:
        return "-", "-"
    return f"{stats['mean']:.4f} ± {stats['std']:.4f}", f"{stats['ci_low']:.4f} – {stats['ci_high']:.4f}"


def show_sweep(summary: list[dict], score: str) -> None:
    """One row per configuration: test score and gap as mean ± std and 95 % CI, and verdict counts."""
    varying = [k for k in ("hidden", "lr") if len({json.dumps(s["config"][k]) for s in summary}) > 1]
    table = Table(title=f"{len(summary)} configuration{'s' * (len(summary) != 1)}, mean ± std over seeds")
    for column in ("configuration", "seeds", f"test {score}", "95% CI", "gap", "95% CI", "verdicts"):
        table.add_column(column, justify="left" if column in ("configuration", "verdicts") else "right")
    for s in summary:
        extra = "".join(f", {k}={','.join(map(str, s['config'][k])) if k == 'hidden' else s['config'][k]}" for k in varying)
        verdicts = [f"{name} {count}" for name, count in s["verdicts"].items()]
        verdicts += [f"diverged {s['diverged']}"] if s["diverged"] else []
        table.add_row(s["label"] + extra, str(s["n_seeds"]), *mean_std(s[f"test_{score}"]), *mean_std(s["gap"]), ", ".join(verdicts))
    Console().print(table)


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


def option(name: str, help: str, panel: str, metavar: str | None = None) -> Any:
    return typer.Option(name, help=help, rich_help_panel=panel, metavar=metavar, show_default=True)


Dataset = Annotated[str, option("--dataset", "A built-in dataset (moons, circles, xor, spirals, blobs, regression, breast_cancer, wine, digits, diabetes) or a CSV file.", DATA, "NAME|CSV")]
Target = Annotated[Optional[str], option("--target", "Target column of a CSV file.", DATA, "COLUMN")]
Task = Annotated[str, option("--task", "auto, classification or regression (auto: from the target column).", DATA, "TASK")]
NSamples = Annotated[str, option("--n-samples", "Points drawn by a 2-D generator.", DATA, "INT")]
Noise = Annotated[str, option("--noise", "Noise level of a 2-D generator.", DATA, "FLOAT")]
NClasses = Annotated[str, option("--n-classes", "Classes of the blobs generator.", DATA, "INT")]
TestSize = Annotated[str, option("--test-size", "Fraction of all rows held out for test.", DATA, "FLOAT")]
ValSize = Annotated[Optional[str], option("--val-size", "Fraction of the training rows held out for validation (default 0, or 0.2 with --patience).", DATA, "FLOAT")]
Standardize = Annotated[bool, typer.Option("--standardize/--no-standardize", help="Scale features with training statistics.", rich_help_panel=DATA)]
Hidden = Annotated[str, option("--hidden", "Hidden layer widths, comma-separated.", MODEL, "WIDTHS")]
Activation = Annotated[str, option("--activation", f"One of {', '.join(ACTIVATIONS)}.", MODEL, "NAME")]
Dropout = Annotated[str, option("--dropout", "Dropout rate after each hidden layer, in [0, 1).", MODEL, "FLOAT")]
PenaltyKind = Annotated[str, option("--penalty", "none, l1, l2 or l1l2 (added to the batch-mean loss, Keras convention: l2 adds λ·Σw²).", PENALTY, "KIND")]
Lam = Annotated[Optional[str], option("--lam", "Penalty strength λ for l1 or l2 (default 0.01).", PENALTY, "FLOAT")]
L1 = Annotated[Optional[str], option("--l1", "L1 strength of l1l2 (default: --lam, else 0.01).", PENALTY, "FLOAT")]
L2 = Annotated[Optional[str], option("--l2", "L2 strength of l1l2 (default: --lam, else 0.01).", PENALTY, "FLOAT")]
L1Method = Annotated[str, option("--l1-method", "proximal (exact zeros) or subgradient (as Keras).", PENALTY, "METHOD")]
RegularizeOutput = Annotated[bool, typer.Option("--regularize-output", help="Also penalise the output kernel (biases never).", rich_help_panel=PENALTY)]
WeightDecay = Annotated[Optional[str], option("--weight-decay", "Decoupled weight decay w ← w − lr·wd·w (default 0.01 for adamw, else 0).", PENALTY, "FLOAT")]
Optimizer = Annotated[str, option("--optimizer", f"One of {', '.join(OPTIMIZERS)}.", TRAINING, "NAME")]
Lr = Annotated[str, option("--lr", "Learning rate.", TRAINING, "FLOAT")]
Momentum = Annotated[str, option("--momentum", "SGD momentum, in [0, 1).", TRAINING, "FLOAT")]
Epochs = Annotated[str, option("--epochs", "Passes over the training rows.", TRAINING, "INT")]
BatchSize = Annotated[str, option("--batch-size", "Rows per step, or 'full' for full batch.", TRAINING, "INT|full")]
Patience = Annotated[Optional[str], option("--patience", "Early stopping: epochs without improvement of the validation loss.", TRAINING, "INT")]
MinDelta = Annotated[str, option("--min-delta", "Smallest decrease of the validation loss that counts as improvement.", TRAINING, "FLOAT")]
InputNoise = Annotated[str, option("--input-noise", "Std of Gaussian jitter added to training inputs each epoch.", TRAINING, "FLOAT")]
Seed = Annotated[str, option("--seed", "Seed of the model and of the data and split.", TRAINING, "INT")]
Device = Annotated[str, option("--device", "cpu or cuda.", TRAINING, "DEVICE")]
GapThreshold = Annotated[str, option("--gap-threshold", "Verdict: largest train − held-out score gap that still counts as a good fit.", OUTPUT, "FLOAT")]
UnderfitSkill = Annotated[str, option("--underfit-skill", "Verdict: smallest training skill (chance-corrected accuracy or R²) that is not underfitting.", OUTPUT, "FLOAT")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout instead of a table.", rich_help_panel=OUTPUT)]
Out = Annotated[Optional[str], option("--out", "Directory to write the JSON document and weights.npz to.", OUTPUT, "DIR")]

LIST = " A comma-separated list sweeps over it."
HiddenList = Annotated[str, option("--hidden", "Architectures to compare, separated by ';' or '/' (commas separate the layers of one architecture), e.g. '64,64;128,128'.", MODEL, "ARCHS")]
DropoutList = Annotated[str, option("--dropout", "Dropout rate(s) in [0, 1)." + LIST, MODEL, "LIST")]
PenaltyList = Annotated[str, option("--penalty", "Penalty kind(s): none, l1, l2, l1l2." + LIST + " none runs once, not once per λ.", PENALTY, "LIST")]
LamList = Annotated[Optional[str], option("--lam", "λ value(s) for l1 or l2 (default 0.01)." + LIST, PENALTY, "LIST")]
L1List = Annotated[Optional[str], option("--l1", "L1 strength(s) of l1l2 (default: --lam)." + LIST, PENALTY, "LIST")]
L2List = Annotated[Optional[str], option("--l2", "L2 strength(s) of l1l2 (default: --lam)." + LIST, PENALTY, "LIST")]
WeightDecayList = Annotated[Optional[str], option("--weight-decay", "Decoupled weight decay(s) (default 0.01 for adamw, else 0)." + LIST, PENALTY, "LIST")]
LrList = Annotated[str, option("--lr", "Learning rate(s)." + LIST, TRAINING, "LIST")]
Seeds = Annotated[str, option("--seeds", "Number of seeds per configuration: --seed … --seed + N − 1.", TRAINING, "INT")]
FixedSplit = Annotated[bool, typer.Option("--fixed-split", help="Keep the data and split of --seed for every seed (default: each seed draws its own).", rich_help_panel=TRAINING)]

app = typer.Typer(
    name="reglab",
    help="reglab: a laboratory for regularization in neural networks.",
    add_completion=False,
    no_args_is_help=True,
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
    epochs: Epochs = "300", batch_size: BatchSize = "32", patience: Patience = None, min_delta: MinDelta = "0",
    input_noise: InputNoise = "0", seed: Seed = "0", device: Device = "cpu", gap_threshold: GapThreshold = "0.05",
    underfit_skill: UnderfitSkill = "0.6", as_json: AsJson = False, out: Out = None,
) -> None:
    """Train one model; show its losses, score, fit verdict and weight range."""
    o = {**locals(), "seeds": "1", "fixed_split": False}
    limits, on, folder = thresholds(o), parse_device(device), out_dir(out)
    (result,) = train_with_progress(build_runs(o, sweep=False), on)
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
    momentum: Momentum = "0", epochs: Epochs = "300", batch_size: BatchSize = "32", patience: Patience = None,
    min_delta: MinDelta = "0", input_noise: InputNoise = "0", seed: Seed = "0", seeds: Seeds = "1",
    fixed_split: FixedSplit = False, device: Device = "cpu", gap_threshold: GapThreshold = "0.05",
    underfit_skill: UnderfitSkill = "0.6", as_json: AsJson = False, out: Out = None,
) -> None:
    """Train the grid of every listed value × seeds as stacked models; summarise each configuration
    over seeds (mean ± std and 95% CI of the test score and the gap, verdict counts)."""
    o = dict(locals())
    limits, on, folder = thresholds(o), parse_device(device), out_dir(out)
    results = train_with_progress(build_runs(o, sweep=True), on)
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
        if os.environ.get("REGLAB_DEBUG") == "1":
            traceback.print_exc()
        first = (str(exc).strip().splitlines() or [""])[0]
        sys.stderr.write(f"reglab: unexpected error: {type(exc).__name__}: {first} (set REGLAB_DEBUG=1 for the traceback)\n")
        return 1
    return code if isinstance(code, int) else 0


def typer_error(exc: typer.TyperException, args: list[str]) -> int:
    """A usage error found by typer as one line; anything else typer raises is unexpected."""
    if getattr(exc, "exit_code", 1) != 2:
        raise exc
    if not args:  # typer's message would be the whole help
        commands = ", ".join(c.name or c.callback.__name__ for c in app.registered_commands)
        return usage_error(f"Expected a command, one of {commands}. Got nothing instead (see 'reglab --help').")
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "reglab"
    return usage_error(f"{exc.format_message()} (see '{where} --help').")


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``reglab`` console script."""
    sys.exit(execute(argv))
