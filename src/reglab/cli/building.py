"""From options to runs, in two steps, so that a refusal costs nothing:

1. :func:`read_request` checks what joins several options, with the configs' own rules (each value was
   read when typer parsed the command line, :mod:`reglab.cli.parsing`); it needs pydantic and NumPy only.
   The command then claims its ``--out`` folder (:func:`reglab.cli.outputs.claimed_folder`).
2. :func:`prepare` then loads the data (scikit-learn or pandas; a bad file is refused here, before
   PyTorch is imported), checks what needs the data, and only then builds the grid of runs.

The options arrive as typed, frozen objects (:mod:`reglab.cli.asked`). A message about a value that was
read quotes it as the command line writes it (:func:`reglab.cli.parsing.written`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reglab.cli.asked import DataOptions, GridOptions, TrainingOptions
from reglab.cli.options import DEFAULT_BATCH_SIZE
from reglab.cli.parsing import BatchSize, cuda_checked, fail, written
from reglab.cli.progress import note, plural
from reglab.config import DataConfig, RunConfig
from reglab.regularizers import make_regularizer
from reglab.rules import DATASETS, MAX_SEED, VALIDATION_FRACTION

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
    batch_size_given: bool  # a given --batch-size must fit in the training rows; the default is cut to them
    validation_chosen: bool  # --val-size was not given and --patience chose VALIDATION_FRACTION


def csv_options(data: DataOptions) -> tuple[str, tuple[str, ...]]:
    """``(missing, drop)``: the options that only a CSV file takes, refused with a built-in dataset."""
    if data.dataset in DATASETS:
        why = f"left out with built-in dataset '{data.dataset}' (its columns and target are fixed; it applies to CSV files)"
        unset = DataConfig.model_fields["missing"].default
        for option, given, value in (("--target", data.target is not None, data.target), ("--missing", data.missing != unset, data.missing),
                                     ("--drop", data.drop is not None, data.drop)):  # fmt: skip
            if given:
                fail(option, why, written(value))
    return data.missing, data.drop or ()


def data_config(data: DataOptions, seed: int, val_size: float) -> DataConfig:
    """The data options as a DataConfig, with the validation fraction that the command's rule chose."""
    missing, drop = csv_options(data)
    return DataConfig(
        dataset=data.dataset,
        target=data.target,
        missing=missing,
        drop=drop,
        task=data.task,
        n_samples=data.n_samples,
        noise=data.noise,
        n_classes=data.n_classes,
        test_size=data.test_size,
        val_size=val_size,
        standardize=data.standardize,
        seed=seed,
    )


def grid_val_size(o: GridOptions) -> float:
    """--val-size of train and sweep; not given: the config's default, or VALIDATION_FRACTION with
    --patience (early stopping watches a validation part)."""
    given, patience = o.data.val_size, o.training.patience
    if given is None:
        return DataConfig.model_fields["val_size"].default if patience is None else VALIDATION_FRACTION
    if patience is not None and given == 0:
        fail("--val-size", "> 0 when --patience is given (early stopping watches the validation loss)", written(given))
    return given


def rows_per_step(size: BatchSize | None) -> int | None:
    """The config's batch size of --batch-size: the default when not given, None (full batch) for ``full``."""
    if size is None:
        return DEFAULT_BATCH_SIZE
    return None if size == "full" else size


def base_config(t: TrainingOptions, seed: int) -> RunConfig:
    """The options that a sweep never varies, as the config each run is derived from."""
    if t.momentum and t.optimizer != "sgd":
        why = f"0 with --optimizer {t.optimizer} (momentum is SGD's; Adam and AdamW keep their own moment estimates)"
        fail("--momentum", why, written(t.momentum))
    return RunConfig(
        activation=t.activation,
        l1_method=t.l1_method,
        regularize_output=t.regularize_output,
        optimizer=t.optimizer,
        momentum=t.momentum,
        epochs=t.epochs,
        batch_size=rows_per_step(t.batch_size),
        patience=t.patience,
        min_delta=t.min_delta,
        input_noise=t.input_noise,
        seed=seed,
    )


def penalties(o: GridOptions) -> list[dict[str, Any]]:
    """Every penalty of the grid: ``none`` once, ``l1``/``l2`` per λ, ``l1l2`` per (l1, l2)."""
    strengths = {k: [None] if getattr(o, k) is None else list(getattr(o, k)) for k in ("lam", "l1", "l2")}
    if o.lam is not None and set(o.penalty) == {"none"}:
        fail("--lam", "used with --penalty l1, l2 or l1l2, not --penalty none", written(o.lam))
    for k in ("l1", "l2"):
        if getattr(o, k) is not None and "l1l2" not in o.penalty:
            fail(f"--{k}", "used with --penalty l1l2 (use --lam for --penalty l1 or l2)", written(getattr(o, k)))
    found = []
    for kind in o.penalty:
        for lam, l1, l2 in itertools.product(strengths["lam"], strengths["l1"], strengths["l2"]):
            penalty = make_regularizer(kind, lam, l1, l2).model_dump(by_alias=True)
            if penalty not in found:
                found.append(penalty)
    return found


def axes(o: GridOptions) -> dict[str, list[Any]]:
    """The values of the options that a sweep varies (a single value each for train)."""
    return {
        "hidden": list(o.hidden),
        "penalty": penalties(o),
        "dropout": list(o.dropout),
        "lr": list(o.lr),
        "weight_decay": [None] if o.weight_decay is None else list(o.weight_decay),
    }


def thresholds(o: GridOptions) -> dict[str, float]:
    """The verdict thresholds given; the others keep the defaults of ``FitThresholds``."""
    given = {"gap": o.gap_threshold, "underfit_skill": o.underfit_skill, "underfit_margin": o.underfit_margin}
    return {name: value for name, value in given.items() if value is not None}


def read_request(params: Mapping[str, Any], sweep: bool) -> Request:
    """Every option checked, in the order of the help; no data read yet, no folder made. ``params``: the
    typed values of ``train``'s or ``sweep``'s options by parameter name, as typer hands them (``ctx.params``)."""
    o = GridOptions.of(params, sweep)
    data, base = data_config(o.data, o.seed, grid_val_size(o)), base_config(o.training, o.seed)
    n_seeds = seed_count(o.seeds, o.seed)
    return Request(
        data=data, base=base, axes=axes(o), seeds=range(o.seed, o.seed + n_seeds), split_per_seed=not o.fixed_split,
        thresholds=thresholds(o), device=cuda_checked(o.device), threads=o.threads,
        batch_size_given=o.training.batch_size is not None, validation_chosen=o.data.val_size is None and o.training.patience is not None,
    )  # fmt: skip


def seed_count(n_seeds: int, seed: int) -> int:
    """--seeds, such that the last seed of a sweep, --seed + --seeds − 1, is a seed too."""
    if seed + n_seeds - 1 > MAX_SEED:
        why = f"at most {MAX_SEED - seed + 1} with --seed {seed} (the seeds --seed … --seed + N − 1 must stay <= {MAX_SEED})"
        fail("--seeds", why, written(n_seeds))
    return n_seeds


def prepare(request: Request):
    """The data of ``request`` (:func:`read_request`) loaded and checked before anything is trained:
    the runs, the verdict thresholds and the device. The thread count is applied."""
    split = check_batch_size(request.data, request.base.batch_size, request.batch_size_given)
    for line in data_notes(split, request.base):
        note(line)
    if request.validation_chosen:
        note(f"--patience watches the validation loss: using --val-size {VALIDATION_FRACTION:g}")
    from reglab.measures import FitThresholds
    from reglab.runs import grid
    from reglab.runs.threads import set_threads

    set_threads(request.threads)
    r = request
    runs = list(dict.fromkeys(grid(r.base, r.data, r.seeds, split_per_seed=r.split_per_seed, **r.axes)))
    return runs, FitThresholds(**r.thresholds), r.device


def check_batch_size(data: DataConfig, size: int | None, given: bool):
    """Loads the data (DataError on bad data; the Split is cached, so the sweep's own loading of
    this config reuses it) and checks that a --batch-size ``given`` fits in its training rows (the
    default is cut to them, as Keras does). Every seed's split has as many training rows as this
    one: the part sizes depend on the row count alone. Returns the Split."""
    from reglab.data import load

    split = load(data)
    rows = len(split.X_train)
    if given and size is not None and size > rows:
        fail("--batch-size", f"at most the number of training rows ({rows}), or 'full'", written(size))
    return split


def data_notes(split, base: RunConfig) -> list[str]:
    """What reading the data did (``split.notes``), and for large data trained for more than a few
    epochs without early stopping, that --patience exists."""
    lines = list(split.notes)
    rows = len(split.y_train)
    if rows > LARGE_DATA and base.patience is None and base.epochs > QUICK_EPOCHS:
        lines.append(
            f"{rows:,} training rows × {plural(base.epochs, 'epoch')}: --patience N stops when the validation loss has not "
            f"improved for N epochs (with --val-size {VALIDATION_FRACTION:g} unless given)"
        )
    return lines
