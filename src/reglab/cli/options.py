"""The typer declarations of the options of the training commands: name, help panel, metavar, help text
and the reader of the value, with the :func:`option` and :func:`flag` helpers and help panels that every
command uses.

Every value is read by :mod:`reglab.cli.parsing` into its type (flags are bool), so that a bad value ends
as one line naming the option rather than typer's own message. The ``*List`` variants are the options
that ``sweep`` varies, which take lists. An option that fills a config field takes its help from the
field's description (:func:`about`), adding only the command line's own words (how a value is written,
the choices, a default that depends on other options), and its default from the config: a command's
signature reads ``epochs: Epochs = DEFAULT.epochs``, never a number of its own.

Typer takes no Union in an annotation: an option whose value is an int or a word (``--batch-size 64``,
``--batch-size full``) is annotated ``object``, and its reader says what it gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Annotated, Any, Optional

import typer
from pydantic import BaseModel

from reglab.cli.parsing import (
    ARCHITECTURE_SEPARATORS,
    Choice,
    Read,
    Text,
    batch_size,
    by,
    columns,
    listed,
    reader,
    written,
)
from reglab.config import DataConfig, RunConfig
from reglab.regularizers import CONVENTION, DEFAULT_STRENGTH, PENALTY_KINDS
from reglab.rules import (
    ACTIVATIONS,
    COUNT,
    DATASETS,
    EPOCHS,
    L1_METHODS,
    MISSING_RULES,
    N_CLASSES,
    N_SAMPLES,
    NON_NEGATIVE,
    OPEN_RATE,
    OPTIMIZERS,
    POSITIVE,
    RATE,
    SEED,
    SEEDS,
    TASK_CHOICES,
    UNIT,
    VALIDATION_FRACTION,
    WIDTHS,
)
from reglab.tuning.defaults import BATCH, HEARTBEAT

DEVICES = ("cpu", "cuda")
DEFAULT_DEVICE = "cpu"

DEFAULT_BATCH_SIZE = RunConfig().batch_size  # on data with fewer training rows, one batch of all of them
DEFAULT_SEEDS = 1  # seeds per configuration unless --seeds asks for more (train: always one)

# Defaults of the tuning library that the command line cannot read from its functions' signatures: the modules
# (reglab.tuning.tuner, reglab.tuning.shared_sweep) import PyTorch and Optuna, which --help must not load.
# tests/test_cli_rules.py holds them equal to the signatures' defaults.

_run, _data = RunConfig(), DataConfig()
DEFAULT = SimpleNamespace(
    **{name: written(value) for name, value in {**_data.model_dump(), **_run.model_dump(exclude={"penalty"})}.items()},
    penalty=_run.penalty.kind, seeds=written(DEFAULT_SEEDS), worker_batch=written(BATCH), heartbeat=written(HEARTBEAT),
)  # every option's default, as the command line writes it, read from the configs where a field holds it: DEFAULT.epochs == "300"


def about(model: type[BaseModel], field: str, none: str | None = None, unit: str | None = None) -> str:
    """The description of a config field as the start of a help text: ``Passes over the training set``.
    ``unit``, in parentheses after the meaning, says what the number counts; ``none`` is the command
    line's word for the field's None (``'full'``, ``not given``), whose clause is left out without it."""
    meaning, _, if_none = (model.model_fields[field].description or "").partition("; None: ")
    text = meaning + (f" ({unit})" if unit else "") + (f"; {none}: {if_none}" if if_none and none else "")
    return text[:1].upper() + text[1:]


def words(choices: Sequence[str]) -> str:
    return ", ".join(choices[:-1]) + f" or {choices[-1]}"


DATA_PANEL, MODEL, PENALTY, TRAINING, OUTPUT = "Data", "Model", "Penalty", "Training", "Output"


def option(name: str, panel: str, metavar: str, help: str, read: Read | None = None) -> Any:
    """A value option whose text ``read`` reads (default: any text but another option's name: ``--target
    --epochs 3`` reads '--epochs' as the value of --target, and says so)."""
    read = read or by(Text(metavar))
    return typer.Option(name, help=help, rich_help_panel=panel, metavar=metavar, show_default=True, parser=reader(name, read))


def flag(name: str, panel: str, help: str) -> Any:
    return typer.Option(name, help=help, rich_help_panel=panel, metavar="")  # no "<bool>" column


# the options that only a CSV file takes, and the training options that diagnose reads otherwise
MISSING_HELP = f"{about(DataConfig, 'missing')} ({words(MISSING_RULES)})."
PENALTY_HELP = f"{about(RunConfig, 'penalty')}: {words(PENALTY_KINDS)}. {CONVENTION}."

# fmt: off
Dataset = Annotated[str, option("--dataset", DATA_PANEL, "NAME|CSV", f"{about(DataConfig, 'dataset')}; built in: {', '.join(DATASETS)}.")]
Target = Annotated[Optional[str], option("--target", DATA_PANEL, "COLUMN", f"{about(DataConfig, 'target')}.")]
Task = Annotated[str, option("--task", DATA_PANEL, "TASK", f"{about(DataConfig, 'task')} ({words(TASK_CHOICES)}).",
    by(Choice(TASK_CHOICES)))]
NSamples = Annotated[int, option("--n-samples", DATA_PANEL, "INT", f"{about(DataConfig, 'n_samples')}.", by(N_SAMPLES))]
Noise = Annotated[float, option("--noise", DATA_PANEL, "FLOAT", f"{about(DataConfig, 'noise')}.", by(NON_NEGATIVE))]
NClasses = Annotated[int, option("--n-classes", DATA_PANEL, "INT", f"{about(DataConfig, 'n_classes')}.", by(N_CLASSES))]
TestSize = Annotated[float, option("--test-size", DATA_PANEL, "FLOAT", f"{about(DataConfig, 'test_size')}.", by(OPEN_RATE))]
ValSize = Annotated[Optional[float], option("--val-size", DATA_PANEL, "FLOAT",
    f"{about(DataConfig, 'val_size')} (default {DEFAULT.val_size}, or {VALIDATION_FRACTION:g} with --patience).", by(RATE))]
Standardize = Annotated[bool, flag("--standardize/--no-standardize", DATA_PANEL, f"{about(DataConfig, 'standardize')}.")]
Missing = Annotated[str, option("--missing", DATA_PANEL, "RULE", MISSING_HELP, by(Choice(MISSING_RULES)))]
Drop = Annotated[Optional[Sequence[str]], option("--drop", DATA_PANEL, "COLUMNS", f"{about(DataConfig, 'drop')}, comma-separated.",
    columns)]
Hidden = Annotated[Sequence[int], option("--hidden", MODEL, "WIDTHS", f"{about(RunConfig, 'hidden')}: {WIDTHS.expected}.", by(WIDTHS))]
Activation = Annotated[str, option("--activation", MODEL, "NAME", f"{about(RunConfig, 'activation')}; {words(ACTIVATIONS)}.",
    by(Choice(ACTIVATIONS)))]
Dropout = Annotated[float, option("--dropout", MODEL, "FLOAT", f"{about(RunConfig, 'dropout')}, {RATE.expected}.", by(RATE))]
PenaltyKind = Annotated[str, option("--penalty", PENALTY, "KIND", PENALTY_HELP, by(Choice(PENALTY_KINDS)))]
Lam = Annotated[Optional[float], option("--lam", PENALTY, "FLOAT", f"Penalty strength λ of l1 or l2 (default {DEFAULT_STRENGTH:g}).",
    by(NON_NEGATIVE))]
L1 = Annotated[Optional[float], option("--l1", PENALTY, "FLOAT", f"L1 strength of l1l2 (default: --lam, else {DEFAULT_STRENGTH:g}).",
    by(NON_NEGATIVE))]
L2 = Annotated[Optional[float], option("--l2", PENALTY, "FLOAT", f"L2 strength of l1l2 (default: --lam, else {DEFAULT_STRENGTH:g}).",
    by(NON_NEGATIVE))]
L1Method = Annotated[str, option("--l1-method", PENALTY, "METHOD", f"{about(RunConfig, 'l1_method')}.", by(Choice(L1_METHODS)))]
RegularizeOutput = Annotated[bool, flag("--regularize-output", PENALTY, f"{about(RunConfig, 'regularize_output')}.")]
WeightDecay = Annotated[Optional[float], option("--weight-decay", PENALTY, "FLOAT",
    f"{about(RunConfig, 'weight_decay', none='not given')}.", by(NON_NEGATIVE))]
Optimizer = Annotated[str, option("--optimizer", TRAINING, "NAME", f"{about(RunConfig, 'optimizer')} ({words(OPTIMIZERS)}).",
    by(Choice(OPTIMIZERS)))]
Lr = Annotated[float, option("--lr", TRAINING, "FLOAT", f"{about(RunConfig, 'lr')}.", by(POSITIVE))]
Momentum = Annotated[float, option("--momentum", TRAINING, "FLOAT", f"{about(RunConfig, 'momentum')}; {RATE.expected}.", by(RATE))]
Epochs = Annotated[int, option("--epochs", TRAINING, "INT", f"{about(RunConfig, 'epochs')}, {EPOCHS.expected}.", by(EPOCHS))]
BatchSize = Annotated[object, option("--batch-size", TRAINING, "INT|full",
    f"{about(RunConfig, 'batch_size', none=repr('full'))} (default {DEFAULT_BATCH_SIZE}, or all training rows when fewer).", batch_size)]
Patience = Annotated[Optional[int], option("--patience", TRAINING, "INT",
    f"{about(RunConfig, 'patience', none='not given', unit='epochs without improvement')}.", by(COUNT))]
MinDelta = Annotated[float, option("--min-delta", TRAINING, "FLOAT", f"{about(RunConfig, 'min_delta')}.", by(NON_NEGATIVE))]
InputNoise = Annotated[float, option("--input-noise", TRAINING, "FLOAT", f"{about(RunConfig, 'input_noise')}.", by(NON_NEGATIVE))]
Seed = Annotated[int, option("--seed", TRAINING, "INT",
    f"Seed of the model ({about(RunConfig, 'seed').lower()}) and of the data ({about(DataConfig, 'seed').lower()}), {SEED.expected}.",
    by(SEED))]
Device = Annotated[str, option("--device", TRAINING, "DEVICE", f"{words(DEVICES)}.", by(Choice(DEVICES)))]
Threads = Annotated[Optional[int], option("--threads", TRAINING, "INT",
    "Threads for training (default: automatic, fewer when other processes keep cores busy; or REGLAB_THREADS).", by(COUNT))]
GapThreshold = Annotated[Optional[float], option("--gap-threshold", OUTPUT, "FLOAT",
    "Verdict: largest train − held-out score gap that still counts as a good fit (default: reglab.measures.FitThresholds).",
    by(NON_NEGATIVE))]
UnderfitSkill = Annotated[Optional[float], option("--underfit-skill", OUTPUT, "FLOAT",
    "Verdict, used only when no ceiling is known (the 2-D generators use their Bayes accuracy): smallest training "
    "skill (chance-corrected accuracy, or R²) that is not underfitting (default: reglab.measures.FitThresholds).", by(UNIT))]
UnderfitMargin = Annotated[Optional[float], option("--underfit-margin", OUTPUT, "FLOAT",
    "Verdict: largest shortfall of the training score below the ceiling that is not underfitting "
    "(default: reglab.measures.FitThresholds).", by(UNIT))]
AsJson = Annotated[bool, flag("--json", OUTPUT, "Print one JSON document on stdout instead of a table.")]
Out = Annotated[Optional[str], option("--out", OUTPUT, "DIR", "Directory to write the JSON document and weights.npz to.")]
Force = Annotated[bool, flag("--force", OUTPUT,
    "Discard another command's results, or an unreadable results file, found in --out (never a study database), and say which.")]

# the options a sweep varies take lists
SWEEPS = " A comma-separated list sweeps over its values."
HiddenList = Annotated[Sequence[Sequence[int]], option("--hidden", MODEL, "ARCHS",
    f"{about(RunConfig, 'hidden')}, for each architecture compared: architectures separated by ';' or '/', the layers of one "
    "by commas, e.g. '64,64;128,128'.", listed(WIDTHS, ARCHITECTURE_SEPARATORS))]
DropoutList = Annotated[Sequence[float], option("--dropout", MODEL, "LIST", f"{about(RunConfig, 'dropout')}, {RATE.expected}." + SWEEPS,
    listed(RATE))]
PenaltyList = Annotated[Sequence[str], option("--penalty", PENALTY, "LIST", PENALTY_HELP + SWEEPS + " none runs once, not once per λ.",
    listed(Choice(PENALTY_KINDS)))]
LamList = Annotated[Optional[Sequence[float]], option("--lam", PENALTY, "LIST", f"λ of l1 or l2 (default {DEFAULT_STRENGTH:g})." + SWEEPS,
    listed(NON_NEGATIVE))]
L1List = Annotated[Optional[Sequence[float]], option("--l1", PENALTY, "LIST", "L1 strength of l1l2 (default: --lam)." + SWEEPS,
    listed(NON_NEGATIVE))]
L2List = Annotated[Optional[Sequence[float]], option("--l2", PENALTY, "LIST", "L2 strength of l1l2 (default: --lam)." + SWEEPS,
    listed(NON_NEGATIVE))]
WeightDecayList = Annotated[Optional[Sequence[float]], option("--weight-decay", PENALTY, "LIST",
    f"{about(RunConfig, 'weight_decay', none='not given')}." + SWEEPS, listed(NON_NEGATIVE))]
LrList = Annotated[Sequence[float], option("--lr", TRAINING, "LIST", f"{about(RunConfig, 'lr')}." + SWEEPS, listed(POSITIVE))]
Seeds = Annotated[int, option("--seeds", TRAINING, "INT",
    f"Seeds per configuration, {SEEDS.expected}: --seed, --seed + 1, … --seed + N − 1.", by(SEEDS))]
FixedSplit = Annotated[bool, flag("--fixed-split", TRAINING,
    "Keep the data and split of --seed for every seed (default: each seed draws its own).")]
# fmt: on
