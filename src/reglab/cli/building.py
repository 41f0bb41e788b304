"""From options to runs, in two steps, so that a refusal costs nothing:

1. :func:`read_request` checks every option, with the configs' own rules; it needs pydantic and
   NumPy only. The command then claims its ``--out`` folder (:func:`reglab.cli.outputs.claimed_folder`).
2. :func:`prepare` then loads the data (scikit-learn or pandas; a bad file is refused here, before
   PyTorch is imported), checks what needs the data, and only then builds the grid of runs.

``o`` is a command's options by parameter name, as typed: text (None when not given), flags as bool.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from reglab.cli.parsing import ARCHITECTURE_SEPARATORS, Choice, fail, many, one, parse_batch_size, parse_device
from reglab.cli.progress import note, plural
from reglab.config import (
    ACTIVATIONS,
    COUNT,
    EPOCHS,
    L1_METHODS,
    MAX_SEED,
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
    WIDTHS,
    DataConfig,
    RunConfig,
)
from reglab.data import DATASETS
from reglab.regularizers import PENALTY_KINDS, make_regularizer

LARGE_DATA = 20_000  # training rows from which a run without early stopping gets a hint that --patience exists
QUICK_EPOCHS = 10  # ... unless it trains this few epochs


@dataclass(frozen=True)
class Request:
    """A command's options, every one checked: what to train, how to judge it, where and how."""

    data: DataConfig
    base: RunConfig  # the options that a sweep never varies
    axes: dict[str, list[Any]]  # config field -> the values a sweep varies (one each for train)
    seeds: range
    split_per_seed: bool
    thresholds: dict[str, float]  # the verdict thresholds given (FitThresholds's defaults for the rest)
    device: str
    threads: int | None  # None: automatic


def csv_options(o: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """``(missing, drop)``: the options that only a CSV file takes, refused with a built-in dataset.
    (A command that does not declare them reads a CSV file by the defaults.)"""
    built_in = o["dataset"] in DATASETS
    missing = one("--missing", o.get("missing") or "error", Choice(MISSING_RULES))
    drop = o.get("drop")
    columns = () if drop is None else tuple(dict.fromkeys(c.strip() for c in drop.split(",")))
    if drop is not None and not all(columns):
        fail("--drop", "comma-separated column names, such as id,name", drop)
    why = f"left out with built-in dataset '{o['dataset']}' (its columns and target are fixed; it applies to CSV files)"
    for option, given, text in (("--target", o["target"] is not None, o["target"]), ("--missing", missing != "error", o.get("missing")),
                                ("--drop", drop is not None, drop)):  # fmt: skip
        if built_in and given:
            fail(option, why, text)
    return missing, columns


def data_config(o: dict[str, Any]) -> DataConfig:
    """The data options as a DataConfig; with --patience and no --val-size, 20 % validation."""
    val_size = o["val_size"]
    if val_size is None and o["patience"] is not None:
        val_size = "0.2"  # early stopping watches a validation part
    val = DataConfig.model_fields["val_size"].default if val_size is None else one("--val-size", val_size, RATE)
    if o["patience"] is not None and val == 0:
        fail("--val-size", "> 0 when --patience is given (early stopping watches the validation loss)", val_size)
    missing, drop = csv_options(o)
    return DataConfig(
        dataset=o["dataset"],
        target=o["target"],
        missing=missing,
        drop=drop,
        task=one("--task", o["task"], Choice(TASK_CHOICES)),
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
    optimizer, momentum = one("--optimizer", o["optimizer"], Choice(OPTIMIZERS)), one("--momentum", o["momentum"], RATE)
    if momentum and optimizer != "sgd":
        why = f"0 with --optimizer {optimizer} (momentum is SGD's; Adam and AdamW keep their own moment estimates)"
        fail("--momentum", why, o["momentum"])
    return RunConfig(
        activation=one("--activation", o["activation"], Choice(ACTIVATIONS)),
        l1_method=one("--l1-method", o["l1_method"], Choice(L1_METHODS)),
        regularize_output=o["regularize_output"],
        optimizer=optimizer,
        momentum=momentum,
        epochs=one("--epochs", o["epochs"], EPOCHS),
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


def thresholds(o: dict[str, Any]) -> dict[str, float]:
    """The verdict thresholds given; the others keep the defaults of ``FitThresholds``."""
    given = {}
    if o["gap_threshold"] is not None:
        given["gap"] = one("--gap-threshold", o["gap_threshold"], NON_NEGATIVE)
    if o["underfit_skill"] is not None:
        given["underfit_skill"] = one("--underfit-skill", o["underfit_skill"], UNIT)
    if o.get("underfit_margin") is not None:
        given["underfit_margin"] = one("--underfit-margin", o["underfit_margin"], UNIT)
    return given


def read_request(o: dict[str, Any], sweep: bool) -> Request:
    """Every option checked, in the order of the help; no data read yet, no folder made."""
    data, base = data_config(o), base_config(o)
    n_seeds = seed_count(o, base.seed) if sweep else 1
    grid_axes = axes(o, sweep)
    return Request(
        data=data, base=base, axes=grid_axes, seeds=range(base.seed, base.seed + n_seeds), split_per_seed=not o["fixed_split"],
        thresholds=thresholds(o), device=parse_device(o["device"]),
        threads=None if o["threads"] is None else one("--threads", o["threads"], COUNT),
    )  # fmt: skip


def seed_count(o: dict[str, Any], seed: int) -> int:
    """--seeds, such that the last seed of a sweep, --seed + --seeds − 1, is a seed too."""
    n_seeds = one("--seeds", o["seeds"], SEEDS)
    if seed + n_seeds - 1 > MAX_SEED:
        why = f"at most {MAX_SEED - seed + 1} with --seed {seed} (the seeds --seed … --seed + N − 1 must stay <= {MAX_SEED})"
        fail("--seeds", why, o["seeds"])
    return n_seeds


def prepare(o: dict[str, Any], request: Request):
    """The data of ``request`` (:func:`read_request` of ``o``) loaded and checked before anything is
    trained: the runs, the verdict thresholds and the device. The thread count is applied."""
    split = check_batch_size(request.data, o["batch_size"], request.base.batch_size)
    for line in data_notes(split, request.base):
        note(line)
    if o["patience"] is not None and o["val_size"] is None:
        note("--patience watches the validation loss: using --val-size 0.2")
    from reglab.measures import FitThresholds
    from reglab.runs import grid
    from reglab.runs.threads import set_threads

    set_threads(request.threads)
    r = request
    runs = list(dict.fromkeys(grid(r.base, r.data, r.seeds, split_per_seed=r.split_per_seed, **r.axes)))
    return runs, FitThresholds(**r.thresholds), r.device


def check_batch_size(data: DataConfig, text: str | None, size: int | None):
    """Loads the data (DataError on bad data; the Split is cached, so the sweep's own loading of
    this config reuses it) and checks that a --batch-size given fits in its training rows (the
    default is cut to them, as Keras does). Every seed's split has as many training rows as this
    one: the part sizes depend on the row count alone. Returns the Split."""
    from reglab.data import load

    split = load(data)
    rows = len(split.X_train)
    if text is not None and size is not None and size > rows:
        fail("--batch-size", f"at most the number of training rows ({rows}), or 'full'", text)
    return split


def data_notes(split, base: RunConfig) -> list[str]:
    """What reading the data did (``split.notes``), and for large data trained for more than a few
    epochs without early stopping, that --patience exists."""
    lines = list(split.notes)
    rows = len(split.y_train)
    if rows > LARGE_DATA and base.patience is None and base.epochs > QUICK_EPOCHS:
        lines.append(
            f"{rows:,} training rows × {plural(base.epochs, 'epoch')}: --patience N stops when the validation loss has not "
            "improved for N epochs (with --val-size 0.2 unless given)"
        )
    return lines
