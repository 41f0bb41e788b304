"""The typer declarations of the options of ``train`` and ``sweep``: name, help panel, metavar and help
text, with the :func:`option` and :func:`flag` helpers and help panels that every command uses.

Every value is declared as text (flags as bool) and parsed by :mod:`reglab.cli.parsing`, so that a bad
value ends as one line naming the option rather than typer's own message. The ``*List`` variants are
the options that ``sweep`` varies, which take lists. Defaults come from the configs: a command's
signature reads ``epochs: Epochs = shown(RUN.epochs)``, never a number of its own.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated, Any, Optional

import typer

from reglab.config import (
    ACTIVATIONS,
    ADAMW_DEFAULT_DECAY,
    EPOCHS,
    L1_METHODS,
    MISSING_RULES,
    OPTIMIZERS,
    RATE,
    SEED,
    SEEDS,
    TASK_CHOICES,
    WIDTHS,
    DataConfig,
    RunConfig,
)
from reglab.data import DATASETS
from reglab.errors import OptionError
from reglab.regularizers import DEFAULT_STRENGTH, PENALTY_KINDS

DEVICES = ("cpu", "cuda")
DEFAULT_DEVICE = "cpu"


def shown(value: Any) -> Any:
    """A config default as option text: ``(128, 128)`` as ``128,128``, ``0.001`` as ``0.001``; words,
    flags and None as they are."""
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        return f"{value:g}"
    return value


_run, _data = RunConfig(), DataConfig()
DEFAULT = SimpleNamespace(
    **{name: shown(value) for name, value in {**_data.model_dump(), **_run.model_dump(exclude={"penalty"})}.items()},
    penalty=_run.penalty.kind,
)  # every option's default that a config field holds, read from the configs: DEFAULT.epochs == "300"
DEFAULT_BATCH_SIZE = _run.batch_size  # on data with fewer training rows, one batch of all of them


def words(choices: tuple[str, ...]) -> str:
    return ", ".join(choices[:-1]) + f" or {choices[-1]}"

DATA_PANEL, MODEL, PENALTY, TRAINING, OUTPUT = "Data", "Model", "Penalty", "Training", "Output"


def option(name: str, panel: str, metavar: str | None, help: str, expected: str | None = None) -> Any:
    """A value option; ``expected`` (what its value must be, in words) names it when another option
    takes its place: ``--epochs --hidden 4`` reads '--hidden' as the value of --epochs."""
    return typer.Option(
        name, help=help, rich_help_panel=panel, metavar=metavar, show_default=True, callback=refuse_option_as_value(name, metavar, expected)
    )


def refuse_option_as_value(name: str, metavar: str | None, expected: str | None):
    """A callback that refuses a value that is another option's name, in the words of the option's rule.

    It runs while the command line is parsed, before the check for extra arguments, so that the
    user reads about the value that went missing rather than about the argument left over."""
    expected = expected or f"followed by its value ({metavar or 'TEXT'})"

    def refuse(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("--") and len(value) > 2 and not value[2].isdigit():
            raise OptionError(f"The '{name}' option must be {expected}. Got {value!r} instead.")
        return value

    return refuse


def flag(name: str, panel: str, help: str) -> Any:
    return typer.Option(name, help=help, rich_help_panel=panel, metavar="")  # no "<bool>" column


# fmt: off
Dataset = Annotated[str, option("--dataset", DATA_PANEL, "NAME|CSV", f"A built-in dataset ({', '.join(DATASETS)}) or a CSV file.")]
Target = Annotated[Optional[str], option("--target", DATA_PANEL, "COLUMN", "Target column of a CSV file.")]
Task = Annotated[str, option("--task", DATA_PANEL, "TASK", f"{words(TASK_CHOICES)} (auto: from the target column).")]
NSamples = Annotated[str, option("--n-samples", DATA_PANEL, "INT", "Points drawn by a 2-D generator.")]
Noise = Annotated[str, option("--noise", DATA_PANEL, "FLOAT", "Noise level of a 2-D generator.")]
NClasses = Annotated[str, option("--n-classes", DATA_PANEL, "INT", "Classes of the blobs generator.")]
TestSize = Annotated[str, option("--test-size", DATA_PANEL, "FLOAT", "Fraction of all rows held out for test.")]
ValSize = Annotated[Optional[str], option("--val-size", DATA_PANEL, "FLOAT",
    "Fraction of the training rows held out for validation (default 0, or 0.2 with --patience).")]
Standardize = Annotated[bool, flag("--standardize/--no-standardize", DATA_PANEL, "Scale features with training statistics.")]
Missing = Annotated[str, option("--missing", DATA_PANEL, "RULE",
    f"Missing cells of a CSV file: {words(MISSING_RULES)} (error: refuse the file; drop: leave out their rows; "
    "impute: the median, or most frequent text, of the training rows).")]
Drop = Annotated[Optional[str], option("--drop", DATA_PANEL, "COLUMNS", "Columns of a CSV file to leave out, comma-separated.")]
Hidden = Annotated[str, option("--hidden", MODEL, "WIDTHS", f"Hidden layer widths: {WIDTHS.expected}.", WIDTHS.expected)]
Activation = Annotated[str, option("--activation", MODEL, "NAME", f"One of {', '.join(ACTIVATIONS)}.")]
Dropout = Annotated[str, option("--dropout", MODEL, "FLOAT", f"Dropout rate after each hidden layer, {RATE.expected}.")]
PenaltyKind = Annotated[str, option("--penalty", PENALTY, "KIND",
    f"{words(PENALTY_KINDS)}, added to the batch-mean loss with Keras's convention (l2 adds λ·Σw²).")]
Lam = Annotated[Optional[str], option("--lam", PENALTY, "FLOAT", f"Penalty strength λ of l1 or l2 (default {DEFAULT_STRENGTH:g}).")]
L1 = Annotated[Optional[str], option("--l1", PENALTY, "FLOAT", f"L1 strength of l1l2 (default: --lam, else {DEFAULT_STRENGTH:g}).")]
L2 = Annotated[Optional[str], option("--l2", PENALTY, "FLOAT", f"L2 strength of l1l2 (default: --lam, else {DEFAULT_STRENGTH:g}).")]
L1Method = Annotated[str, option("--l1-method", PENALTY, "METHOD",
    f"{words(L1_METHODS)}: proximal gives exact zeros, subgradient is Keras's.")]
RegularizeOutput = Annotated[bool, flag("--regularize-output", PENALTY, "Also penalise the output kernel (biases never).")]
WeightDecay = Annotated[Optional[str], option("--weight-decay", PENALTY, "FLOAT",
    f"Decoupled weight decay w ← w − lr·wd·w (default {ADAMW_DEFAULT_DECAY:g} for adamw, else 0).")]
Optimizer = Annotated[str, option("--optimizer", TRAINING, "NAME", f"One of {', '.join(OPTIMIZERS)}.")]
Lr = Annotated[str, option("--lr", TRAINING, "FLOAT", "Learning rate.")]
Momentum = Annotated[str, option("--momentum", TRAINING, "FLOAT", f"SGD momentum, {RATE.expected}.")]
Epochs = Annotated[str, option("--epochs", TRAINING, "INT", f"Passes over the training rows, {EPOCHS.expected}.", EPOCHS.expected)]
BatchSize = Annotated[Optional[str], option("--batch-size", TRAINING, "INT|full",
    f"Rows per step, or 'full' for full batch (default {DEFAULT_BATCH_SIZE}, or all training rows when fewer).")]
Patience = Annotated[Optional[str], option("--patience", TRAINING, "INT",
    "Early stopping: epochs without improvement of the validation loss.")]
MinDelta = Annotated[str, option("--min-delta", TRAINING, "FLOAT",
    "Smallest decrease of the validation loss that counts as improvement.")]
InputNoise = Annotated[str, option("--input-noise", TRAINING, "FLOAT",
    "Std of Gaussian jitter added to the training inputs, fresh each epoch.")]
Seed = Annotated[str, option("--seed", TRAINING, "INT", f"Seed of the model and of the data and split, {SEED.expected}.", SEED.expected)]
Device = Annotated[str, option("--device", TRAINING, "DEVICE", f"{words(DEVICES)}.")]
Threads = Annotated[Optional[str], option("--threads", TRAINING, "INT",
    "Threads for training (default: automatic, fewer when other processes keep cores busy; or REGLAB_THREADS).")]
GapThreshold = Annotated[Optional[str], option("--gap-threshold", OUTPUT, "FLOAT",
    "Verdict: largest train − held-out score gap that still counts as a good fit (default: reglab.measures.FitThresholds).")]
UnderfitSkill = Annotated[Optional[str], option("--underfit-skill", OUTPUT, "FLOAT",
    "Verdict, used only when no ceiling is known (the 2-D generators use their Bayes accuracy): smallest training "
    "skill (chance-corrected accuracy, or R²) that is not underfitting (default: reglab.measures.FitThresholds).")]
UnderfitMargin = Annotated[Optional[str], option("--underfit-margin", OUTPUT, "FLOAT",
    "Verdict: largest shortfall of the training score below the ceiling that is not underfitting "
    "(default: reglab.measures.FitThresholds).")]
AsJson = Annotated[bool, flag("--json", OUTPUT, "Print one JSON document on stdout instead of a table.")]
Out = Annotated[Optional[str], option("--out", OUTPUT, "DIR", "Directory to write the JSON document and weights.npz to.")]
Force = Annotated[bool, flag("--force", OUTPUT,
    "Discard another command's results, or an unreadable results file, found in --out (never a study database), and say which.")]

# the options a sweep varies take lists
SWEEPS = " A comma-separated list sweeps over its values."
HiddenList = Annotated[str, option("--hidden", MODEL, "ARCHS",
    "Architectures to compare, separated by ';' or '/' (commas separate the layers of one architecture), "
    "e.g. '64,64;128,128'.")]
DropoutList = Annotated[str, option("--dropout", MODEL, "LIST", f"Dropout rate, {RATE.expected}." + SWEEPS)]
PenaltyList = Annotated[str, option("--penalty", PENALTY, "LIST",
    f"{words(PENALTY_KINDS)}." + SWEEPS + " none runs once, not once per λ.")]
LamList = Annotated[Optional[str], option("--lam", PENALTY, "LIST", f"λ of l1 or l2 (default {DEFAULT_STRENGTH:g})." + SWEEPS)]
L1List = Annotated[Optional[str], option("--l1", PENALTY, "LIST", "L1 strength of l1l2 (default: --lam)." + SWEEPS)]
L2List = Annotated[Optional[str], option("--l2", PENALTY, "LIST", "L2 strength of l1l2 (default: --lam)." + SWEEPS)]
WeightDecayList = Annotated[Optional[str], option("--weight-decay", PENALTY, "LIST",
    f"Decoupled weight decay (default {ADAMW_DEFAULT_DECAY:g} for adamw, else 0)." + SWEEPS)]
LrList = Annotated[str, option("--lr", TRAINING, "LIST", "Learning rate." + SWEEPS)]
Seeds = Annotated[str, option("--seeds", TRAINING, "INT",
    f"Seeds per configuration, {SEEDS.expected}: --seed, --seed + 1, … --seed + N − 1.", SEEDS.expected)]
FixedSplit = Annotated[bool, flag("--fixed-split", TRAINING,
    "Keep the data and split of --seed for every seed (default: each seed draws its own).")]
# fmt: on
