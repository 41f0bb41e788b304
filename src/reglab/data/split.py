"""From a DataConfig to a Split: generate or read, split train/validation/test, impute, standardise.

A :class:`DataConfig` names the data (a 2-D generator, a dataset shipped with scikit-learn, or a CSV
file) and how to split and scale it; :func:`load` turns it into a :class:`Split`. The split is
stratified by class for classification and fixed by ``config.seed``, and must leave at least
:data:`MIN_TRAIN_ROWS` training rows (and 2 per class). Missing cells of a CSV file read with
``missing='impute'`` are filled with the median (numbers) or the most frequent value (text) of the
training part, by scikit-learn's ``SimpleImputer``; standardisation uses the mean and the population
standard deviation (``ddof=0``) of the training part, within what float64 and float32 hold
(:mod:`reglab.data.scaling`). Nothing about the validation or test rows leaks into training. A
regression target that does not vary (in the file, or on the training rows) is refused before any
work, as the CSV reader refuses a single class. This package knows nothing of torch.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reglab.config import DataConfig
from reglab.data.compression import COMPRESSED_SUFFIXES
from reglab.data.csv import Table
from reglab.data.generators import DATASETS, GENERATORS, REAL, make_dataset, shipped_dataset
from reglab.data.imputation import impute
from reglab.data.scaling import check_feature_range, check_target, check_training_target, standardise, target_scaling
from reglab.errors import DataError

__all__ = ["MIN_TRAIN_ROWS", "Split", "load"]

MIN_TRAIN_ROWS = 10  # fewer training rows than this cannot fit, let alone be judged


@dataclass(frozen=True, eq=False)
class Split:
    """Train, validation and test parts of one dataset, scaled with training statistics.

    ``X_*`` are float32 ``[n, d]``; ``y_*`` are int64 class indices into ``class_names`` for
    classification and float32 for regression. ``X_val``/``y_val`` have 0 rows when
    ``config.val_size == 0``. Scaled features are ``(x - x_mean) / x_scale``; a regression target
    is scaled as ``(y - y_mean) / y_scale``, so raw predictions are ``y * y_scale + y_mean``.
    A Split returned by :func:`load` is cached and shared: do not modify its arrays in place.
    """

    name: str  # dataset name or CSV file name
    task: str  # "binary" | "multiclass" | "regression"
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]  # () for regression
    x_mean: np.ndarray | None  # training mean per feature; None when not standardised
    x_scale: np.ndarray | None  # training std per feature (0 replaced by 1); None when not standardised
    y_mean: float  # regression target offset (0.0 when not scaled or classification)
    y_scale: float  # regression target scale (1.0 when not scaled or classification)
    config: DataConfig
    task_reason: str = "built-in"  # how the task was decided: "built-in", "stated", or "inferred: ..." in words
    notes: tuple[str, ...] = ()  # what reading the data did that a user should know, one line each (never printed here)

    def describe(self) -> str:
        """One line: the task, its classes and the rows of each part, e.g. ``data.csv: binary (no, yes);
        rows 280 train, 70 validation, 150 test``."""
        classes = f" ({', '.join(self.class_names)})" if len(self.class_names) <= 10 else f" ({self.n_classes} classes)"
        rows = self.rows
        parts = f"{rows['train']} train, {rows['validation']} validation, {rows['test']} test"
        return f"{self.name}: {self.task}{classes if self.class_names else ''}; rows {parts}"

    @property
    def rows(self) -> dict[str, int]:
        """Rows of each part: ``{"train": …, "validation": …, "test": …}``."""
        return {"train": len(self.y_train), "validation": len(self.y_val), "test": len(self.y_test)}

    @property
    def n_features(self) -> int:
        """Number of input columns (after one-hot encoding of text features)."""
        return self.X_train.shape[1]

    @property
    def n_classes(self) -> int:
        """Number of classes; 0 for regression."""
        return len(self.class_names)

    @property
    def n_outputs(self) -> int:
        """Width of the model's output: 1 for binary (one logit) and regression, K for K > 2 classes."""
        return self.n_classes if self.task == "multiclass" else 1

    @property
    def majority_rate(self) -> float:
        """Share of the most frequent class in ``y_train`` (chance-level accuracy); NaN for regression."""
        if self.task == "regression":
            return float("nan")
        return float(np.bincount(self.y_train).max() / len(self.y_train))

    def transform(self, X_raw) -> np.ndarray:
        """Raw features ``[n, d]`` scaled as the training part was, as float32 (e.g. a boundary grid)."""
        X = np.asarray(X_raw, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise DataError(
                f"The 'X_raw' parameter must have shape [n, {self.n_features}]. Got shape {X.shape} instead."
            )
        if self.x_mean is not None:
            X = (X - self.x_mean) / self.x_scale
        return X.astype(np.float32)


def _is_csv(dataset: str) -> bool:
    return dataset.lower().endswith(tuple(".csv" + suffix for suffix in ("", *COMPRESSED_SUFFIXES))) or Path(dataset).is_file()


def _what(config: DataConfig, name: str) -> str:
    """How messages name the data: ``CSV file 'data.csv'`` or ``dataset 'moons'``."""
    return f"CSV file '{name}'" if config.dataset not in DATASETS else f"dataset '{name}'"


def _source(config: DataConfig) -> tuple[str, Table]:
    """``(name, table)`` of the raw, unsplit data; a built-in dataset's table has no text column."""
    name = config.dataset
    if name in GENERATORS:
        X, y = make_dataset(name, config.n_samples, config.noise, config.seed, config.n_classes)
        k = 0 if name == "regression" else (config.n_classes if name == "blobs" else 2)
        task = "regression" if k == 0 else ("binary" if k == 2 else "multiclass")
        return name, Table(X, y, ("x0", "x1"), (None, None), tuple(str(c) for c in range(k)), task, "built-in", ())
    if name in REAL:
        X, y, features, classes, task = shipped_dataset(name)
        return name, Table(X, y, features, (None,) * len(features), classes, task, "built-in", ())
    if _is_csv(name):
        from reglab.data.csv import read_table

        return Path(name).name, read_table(name, config.target, config.task, config.missing, config.drop)
    raise DataError(
        f"The 'dataset' parameter must be one of {', '.join(DATASETS)} or a path to a CSV file. "
        f"Got {name!r} instead."
    )


def _check_classes(y, class_names, where: str, fix: str) -> None:
    """Every class needs 2 rows for a stratified split; name the first that has fewer."""
    counts = np.bincount(y, minlength=len(class_names))
    for name, count in zip(class_names, counts.tolist()):
        if count < 2:
            raise DataError(
                f"Class '{name}' {where} has {count} row{'s' * (count != 1)}; "
                f"a stratified split needs at least 2 rows per class: {fix}."
            )


def _check_sizes(config: DataConfig, what: str, n: int, n_classes: int) -> None:
    """The training part must keep ``max(MIN_TRAIN_ROWS, 2 · classes)`` rows; say which fraction takes them."""
    need = max(MIN_TRAIN_ROWS, 2 * n_classes)
    n_test = math.ceil(round(config.test_size * n, 9))
    n_val = math.ceil(round(config.val_size * (n - n_test), 9))
    n_train = n - n_test - n_val
    if n_train >= need:
        return
    rule = f"at least {need} training rows" + (f" (2 per class, {n_classes} classes)" if need > MIN_TRAIN_ROWS else "")
    smallest = need + 1 + (config.val_size > 0)
    if n < smallest:
        what = what[0].upper() + what[1:]
        raise DataError(f"{what} has {n} rows; expected at least {smallest}, to leave {rule} besides the held-out rows.")
    param = "val_size" if config.val_size > 0 else "test_size"
    raise DataError(
        f"The '{param}' parameter must leave {rule} of the {n} rows of {what}. Got {getattr(config, param):g} instead, "
        f"which gives {n_train} training, {n_val} validation and {n_test} test rows."
    )


def _split_off(X, y, size: float, seed: int, stratify: bool, param: str, part: str, what: str):
    """Split off ``ceil(size·n)`` rows as ``part``: ``(X_keep, X_part, y_keep, y_part)``."""
    n = len(y)
    n_out = math.ceil(round(size * n, 9))
    n_keep = n - n_out
    need = len(np.unique(y)) if stratify else 1
    if min(n_keep, n_out) < need:
        per_class = " (one per class, for a stratified split)" if stratify else ""
        raise DataError(
            f"The '{param}' parameter must leave at least {need} row{'s' * (need != 1)}{per_class} "
            f"in both the training and the {part} part of {n} rows of {what}. "
            f"Got {size:g} instead, which gives {n_keep} training and {n_out} {part} rows."
        )
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=n_out, random_state=seed, stratify=y if stratify else None)


def _split(config: DataConfig, name: str, table: Table):
    """``(X_train, X_val, X_test, y_train, y_val, y_test)`` with stratified parts for classification."""
    X, y, class_names = table.X, table.y, table.class_names
    stratify = len(class_names) > 0
    csv = config.dataset not in DATASETS
    what = _what(config, name)
    if stratify:
        where = f"of target column '{config.target}' in CSV file '{name}'" if csv else f"of dataset '{name}'"
        fix = "add rows or drop that class"
        if table.task_reason.startswith("inferred") and all(c.lstrip("-").isdigit() for c in class_names):
            fix = f"add rows, drop that class, or --task regression if '{config.target}' is a quantity rather than a class"
        _check_classes(y, class_names, where, fix)
    _check_sizes(config, what, len(y), len(class_names))
    X_train, X_test, y_train, y_test = _split_off(X, y, config.test_size, config.seed, stratify, "test_size", "test", what)
    if config.val_size == 0:
        return X_train, X_train[:0], X_test, y_train, y_train[:0], y_test
    if stratify:
        fix = "lower test_size, add rows or set val_size to 0"
        where = f"in the training part of {what} split by val_size={config.val_size:g}"
        _check_classes(y_train, class_names, where, fix)
    X_train, X_val, y_train, y_val = _split_off(
        X_train, y_train, config.val_size, config.seed, stratify, "val_size", "validation", what
    )
    return X_train, X_val, X_test, y_train, y_val, y_test


def _check_task(config: DataConfig, name: str, task: str) -> None:
    """A built-in dataset's task must agree with ``config.task`` unless that is 'auto'."""
    kind = "regression" if task == "regression" else "classification"
    if config.task not in ("auto", kind):
        raise DataError(
            f"The 'task' parameter must be 'auto' or '{kind}' for dataset '{name}'. "
            f"Got {config.task!r} instead."
        )


def _file_stamp(dataset: str):
    """Identity of a CSV file's current content (path, mtime, size), so an edited file is re-read."""
    if dataset in DATASETS or not Path(dataset).is_file():
        return None
    stat = Path(dataset).stat()
    return str(Path(dataset).resolve()), stat.st_mtime_ns, stat.st_size


def load(config: DataConfig) -> Split:
    """The :class:`Split` described by ``config``: generate or read, split, impute, then standardise.

    Equal configs return the same Split object (an LRU cache; a CSV file is re-read when its
    modification time or size changes). ``config.target``, ``missing`` and ``drop`` are used by CSV
    files only, and ``n_samples``, ``noise`` and ``n_classes`` by the generators only. What reading
    did that a user should know (columns left out, rows dropped, cells imputed) is in ``Split.notes``.
    """
    return _load(config, _file_stamp(config.dataset))


@functools.lru_cache(maxsize=64)
def _load(config: DataConfig, stamp) -> Split:
    name, table = _source(config)
    task, what, target = table.task, _what(config, name), config.target or "y"
    if config.dataset in DATASETS:
        _check_task(config, name, task)
    check_target(table.y, target, what, task)
    if not config.standardize:
        check_feature_range(table.X, table.columns, what)
    X_train, X_val, X_test, y_train, y_val, y_test = _split(config, name, table)
    check_training_target(y_train, target, what, task)
    (X_train, X_val, X_test), imputed = impute(table, name, [X_train, X_val, X_test])
    X_train, X_val, X_test = (table.encode(part) for part in (X_train, X_val, X_test))
    x_mean = x_scale = None
    y_mean, y_scale = 0.0, 1.0
    scaled: list[str] = []
    if config.standardize:
        (X_train, X_val, X_test), x_mean, x_scale, scaled = standardise([X_train, X_val, X_test], table.feature_names, what)
        if task == "regression":
            y_mean, y_scale = target_scaling(y_train)
            y_train, y_val, y_test = ((part - y_mean) / y_scale for part in (y_train, y_val, y_test))
    y_type = np.float32 if task == "regression" else np.int64
    return Split(
        name=name,
        task=task,
        X_train=X_train.astype(np.float32),
        y_train=y_train.astype(y_type),
        X_val=X_val.astype(np.float32),
        y_val=y_val.astype(y_type),
        X_test=X_test.astype(np.float32),
        y_test=y_test.astype(y_type),
        feature_names=table.feature_names,
        class_names=table.class_names,
        x_mean=x_mean,
        x_scale=x_scale,
        y_mean=y_mean,
        y_scale=y_scale,
        config=config,
        task_reason=table.task_reason,
        notes=table.notes + tuple(imputed) + tuple(scaled),
    )
