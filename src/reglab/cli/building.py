"""From options to runs: the data config, the base run config, the grid of runs and the checks that
need the data, all before anything is written or trained.

``o`` is a command's options by parameter name, as typed: text (None when not given), flags as bool.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reglab.cli.parsing import (
    ARCHITECTURE_SEPARATORS,
    COUNT,
    N_CLASSES,
    N_SAMPLES,
    NON_NEGATIVE,
    OPEN_RATE,
    POSITIVE,
    RATE,
    SEED,
    UNIT,
    WIDTHS,
    Choice,
    fail,
    many,
    one,
    parse_batch_size,
    parse_device,
)
from reglab.cli.present import note
from reglab.config import ACTIVATIONS, OPTIMIZERS, DataConfig, RunConfig
from reglab.data import load
from reglab.measures import FitThresholds
from reglab.regularizers import PENALTY_KINDS, make_regularizer
from reglab.runs import Run, grid


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
