"""Datasets, CSV files, train/validation/test splits and feature scaling: the inputs of reglab.

A :class:`DataConfig` names the data (a 2-D generator, a dataset shipped with scikit-learn, or a CSV
file) and how to split and scale it; :func:`load` turns it into a :class:`Split`. The split is
stratified by class for classification and fixed by ``config.seed``. Standardisation uses the mean
and the population standard deviation (``ddof=0``) of the training part only, so nothing about the
validation or test rows leaks into training. This module knows nothing of torch.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import datasets as skdata
from sklearn.model_selection import train_test_split

from reglab.config import DataConfig

__all__ = ["DATASETS", "DataError", "GENERATORS", "REAL", "Split", "load", "make_dataset", "read_csv"]

GENERATORS = ("moons", "circles", "xor", "spirals", "blobs", "regression")  # 2-D synthetic
REAL = ("breast_cancer", "wine", "digits", "diabetes")  # shipped with scikit-learn, no download
DATASETS = GENERATORS + REAL
MAX_ONE_HOT = 20  # a text feature with at most this many distinct values is one-hot encoded
MAX_AUTO_CLASSES = 20  # an integer target with more distinct values is taken as regression
MAX_FLOAT_CLASSES = 50  # a non-integer target with more distinct values cannot be classes


class DataError(ValueError):
    """User-facing data problem; the message is one line naming the argument or file, the value
    received and what was expected."""


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


def make_dataset(name: str, n_samples: int, noise: float, seed: int, n_classes: int = 3):
    """Raw ``(X, y)`` of a 2-D generator: X float64 ``[n_samples, 2]``, y int64 labels (float64 for
    'regression'). Everything is drawn from ``seed``; ``noise`` is the std of Gaussian noise.

    * moons, circles: scikit-learn's ``make_moons`` / ``make_circles(factor=0.5)`` with ``noise``.
    * xor: x uniform in [-1, 1]², label ``x0·x1 > 0`` of the clean point, then noise on x.
    * spirals: two arms of 1.5 turns, ``t = √u``, radius ``2t``, angle ``3πt + π·label``, noise on x.
    * blobs: ``make_blobs`` with ``n_classes`` centres in [-10, 10]², ``cluster_std = 1 + 3·noise``.
    * regression: x uniform in [-2, 2]², ``y = sin(2·x0) + 0.5·x1² + noise·N(0, 1)``.
    """
    rng = np.random.default_rng(seed)
    if name == "moons":
        X, y = skdata.make_moons(n_samples, noise=noise, random_state=seed)
    elif name == "circles":
        X, y = skdata.make_circles(n_samples, noise=noise, factor=0.5, random_state=seed)
    elif name == "xor":
        clean = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
        y = (clean[:, 0] * clean[:, 1] > 0).astype(np.int64)
        X = clean + noise * rng.standard_normal((n_samples, 2))
    elif name == "spirals":
        y = rng.permutation(np.arange(n_samples) % 2)
        t = np.sqrt(rng.uniform(0.0, 1.0, n_samples))
        angle = 3.0 * np.pi * t + np.pi * y
        X = 2.0 * t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
        X = X + noise * rng.standard_normal((n_samples, 2))
    elif name == "blobs":
        spread = 1.0 + 3.0 * noise
        X, y = skdata.make_blobs(n_samples, centers=n_classes, cluster_std=spread, random_state=seed)
    elif name == "regression":
        X = rng.uniform(-2.0, 2.0, size=(n_samples, 2))
        y = np.sin(2.0 * X[:, 0]) + 0.5 * X[:, 1] ** 2 + noise * rng.standard_normal(n_samples)
        return X, y.astype(np.float64)
    else:
        raise DataError(
            f"The 'name' parameter of make_dataset must be one of {', '.join(GENERATORS)}. "
            f"Got {name!r} instead."
        )
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)


def _encode_target(column: pd.Series, file: str, task: str):
    """``(y, class_names, task)`` of a target column; y int64 class indices or float64 values."""
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if not numeric:
        if task == "regression":
            raise DataError(
                f"The 'task' parameter is 'regression', but target column '{column.name}' of CSV file "
                f"'{file}' is not numeric; expected numbers, or task 'classification' or 'auto'."
            )
        names, y = np.unique(column.astype(str).to_numpy(), return_inverse=True)
        return y.astype(np.int64), tuple(str(n) for n in names), "classification"
    values = column.to_numpy(dtype=np.float64)
    distinct = np.unique(values)
    integral = bool(np.all(distinct == np.round(distinct)))
    if task == "auto":
        task = "classification" if integral and len(distinct) <= MAX_AUTO_CLASSES else "regression"
    if task == "regression":
        return values, (), "regression"
    if not integral and len(distinct) > MAX_FLOAT_CLASSES:
        raise DataError(
            f"The 'task' parameter is 'classification', but target column '{column.name}' of CSV file "
            f"'{file}' has {len(distinct)} distinct non-integer values; expected at most "
            f"{MAX_FLOAT_CLASSES} classes, or task 'regression'."
        )
    y = np.searchsorted(distinct, values).astype(np.int64)
    names = tuple(str(int(v)) if integral else repr(float(v)) for v in distinct)
    return y, names, "classification"


def _encode_features(frame: pd.DataFrame, file: str):
    """``(X float64, feature_names)``: numbers as they are, booleans as 0/1, text one-hot (all levels)."""
    parts, names = [], []
    for col in frame.columns:
        column = frame[col]
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            parts.append(column.to_numpy(dtype=np.float64)[:, None])
            names.append(str(col))
            continue
        text = column.astype(str)
        levels = sorted(text.unique())
        if len(levels) > MAX_ONE_HOT:
            raise DataError(
                f"Feature column '{col}' of CSV file '{file}' is text with {len(levels)} distinct values; "
                f"expected numbers or text with at most {MAX_ONE_HOT} distinct values (one-hot encoded): "
                "drop the column or encode it as numbers."
            )
        parts.append(np.stack([(text == level).to_numpy(dtype=np.float64) for level in levels], axis=1))
        names.extend(f"{col}={level}" for level in levels)
    return np.concatenate(parts, axis=1), tuple(names)


def _read_frame(path: str | Path) -> pd.DataFrame:
    """The CSV file as a DataFrame with at least one data row and no missing values."""
    file = str(path)
    if not Path(path).exists():
        raise DataError(f"CSV file '{file}' (dataset) does not exist.")
    if not Path(path).is_file():
        raise DataError(f"CSV file '{file}' (dataset) is not a file; expected a CSV file.")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DataError(
            f"CSV file '{file}' is empty; expected a header row and at least one data row."
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"CSV file '{file}' could not be read as CSV: {reason}") from None
    if len(frame) == 0:
        raise DataError(
            f"CSV file '{file}' has no data rows; expected a header row and at least one data row."
        )
    missing = frame.isna()
    bad_rows = missing.any(axis=1).to_numpy()
    if bad_rows.any():
        first, count = int(np.argmax(bad_rows)), int(bad_rows.sum())
        column = frame.columns[int(np.argmax(missing.iloc[first].to_numpy()))]
        raise DataError(
            f"CSV file '{file}' has {count} row{'s' * (count != 1)} with missing values "
            f"(first: line {first + 2}, column '{column}'); drop or fill them."
        )
    return frame


def read_csv(path: str | Path, target: str | None, task: str = "auto"):
    """Read a CSV file with a header row into ``(X, y, feature_names, class_names, task)``.

    X is float64 ``[n, d]``: numeric and boolean columns as numbers, text columns one-hot encoded
    (one 0/1 column per distinct value, named ``column=value``). ``task`` 'auto' takes the target as
    regression when it is numeric and either not all integers or has more than 20 distinct values;
    otherwise as classification, with classes sorted (numbers by value, text alphabetically) and y
    their int64 index. The returned task is "binary", "multiclass" or "regression" (y float64).
    Missing values are refused; the message gives the first one's line in the file (the header is
    line 1; exact when the file has no blank lines, which pandas skips).
    """
    file = str(path)
    if task not in ("auto", "classification", "regression"):
        raise DataError(
            f"The 'task' parameter must be one of auto, classification, regression. Got {task!r} instead."
        )
    frame = _read_frame(path)
    columns = ", ".join(str(c) for c in frame.columns)
    if target is None:
        raise DataError(
            f"The 'target' parameter is required for CSV file '{file}': "
            f"name the column to predict, one of: {columns}."
        )
    if target not in frame.columns:
        raise DataError(
            f"The 'target' parameter must be a column of CSV file '{file}', one of: {columns}. "
            f"Got {target!r} instead."
        )
    features = frame.drop(columns=[target])
    if features.shape[1] == 0:
        raise DataError(
            f"CSV file '{file}' has no feature columns; "
            f"expected at least one column besides the target '{target}'."
        )
    y, class_names, kind = _encode_target(frame[target], file, task)
    if kind == "classification" and len(class_names) < 2:
        raise DataError(
            f"Target column '{target}' of CSV file '{file}' has a single class ({class_names[0]!r}); "
            "classification needs at least 2 classes."
        )
    X, feature_names = _encode_features(features, file)
    if kind == "classification":
        kind = "binary" if len(class_names) == 2 else "multiclass"
    return X, y, feature_names, class_names, kind


def _is_csv(dataset: str) -> bool:
    return dataset.lower().endswith(".csv") or Path(dataset).is_file()


def _source(config: DataConfig):
    """``(name, X, y, feature_names, class_names, task)`` of the raw, unsplit data."""
    name = config.dataset
    if name in GENERATORS:
        X, y = make_dataset(name, config.n_samples, config.noise, config.seed, config.n_classes)
        k = 0 if name == "regression" else (config.n_classes if name == "blobs" else 2)
        task = "regression" if k == 0 else ("binary" if k == 2 else "multiclass")
        return name, X, y, ("x0", "x1"), tuple(str(c) for c in range(k)), task
    if name in REAL:
        bunch = getattr(skdata, f"load_{name}")()
        regression = name == "diabetes"
        y = bunch.target.astype(np.float64 if regression else np.int64)
        classes = () if regression else tuple(str(c) for c in bunch.target_names)
        task = "regression" if regression else ("binary" if len(classes) == 2 else "multiclass")
        features = tuple(str(f) for f in bunch.feature_names)
        return name, bunch.data.astype(np.float64), y, features, classes, task
    if _is_csv(name):
        X, y, features, classes, task = read_csv(name, config.target, config.task)
        return Path(name).name, X, y, features, classes, task
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


def _split_off(X, y, size: float, seed: int, stratify: bool, param: str, part: str):
    """Split off ``ceil(size·n)`` rows as ``part``: ``(X_keep, X_part, y_keep, y_part)``."""
    n = len(y)
    n_out = math.ceil(round(size * n, 9))
    n_keep = n - n_out
    need = len(np.unique(y)) if stratify else 1
    if min(n_keep, n_out) < need:
        per_class = " (one per class, for a stratified split)" if stratify else ""
        raise DataError(
            f"The '{param}' parameter must leave at least {need} row{'s' * (need != 1)}{per_class} "
            f"in both the training and the {part} part of {n} rows. "
            f"Got {size:g} instead, which gives {n_keep} training and {n_out} {part} rows."
        )
    return train_test_split(X, y, test_size=n_out, random_state=seed, stratify=y if stratify else None)


def _split(config: DataConfig, name: str, X, y, class_names):
    """``(X_train, X_val, X_test, y_train, y_val, y_test)`` with stratified parts for classification."""
    stratify = len(class_names) > 0
    if stratify:
        csv = config.dataset not in DATASETS
        where = f"of target column '{config.target}' in CSV file '{name}'" if csv else f"of dataset '{name}'"
        _check_classes(y, class_names, where, "add rows or drop that class")
    X_train, X_test, y_train, y_test = _split_off(
        X, y, config.test_size, config.seed, stratify, "test_size", "test"
    )
    if config.val_size == 0:
        return X_train, X_train[:0], X_test, y_train, y_train[:0], y_test
    if stratify:
        fix = "lower test_size, add rows or set val_size to 0"
        where = f"in the training part split by val_size={config.val_size:g}"
        _check_classes(y_train, class_names, where, fix)
    X_train, X_val, y_train, y_val = _split_off(
        X_train, y_train, config.val_size, config.seed, stratify, "val_size", "validation"
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
    """The :class:`Split` described by ``config``: generate or read, split, then standardise.

    Equal configs return the same Split object (an LRU cache; a CSV file is re-read when its
    modification time or size changes). ``config.target`` is used by CSV files only, and
    ``n_samples``, ``noise`` and ``n_classes`` by the generators only.
    """
    return _load(config, _file_stamp(config.dataset))


@functools.lru_cache(maxsize=64)
def _load(config: DataConfig, stamp) -> Split:
    name, X, y, feature_names, class_names, task = _source(config)
    if config.dataset in DATASETS:
        _check_task(config, name, task)
    X_train, X_val, X_test, y_train, y_val, y_test = _split(config, name, X, y, class_names)
    x_mean = x_scale = None
    y_mean, y_scale = 0.0, 1.0
    if config.standardize:
        x_mean = X_train.mean(axis=0)
        # a constant column keeps scale 1 (its float std can be a tiny nonzero rounding error)
        x_scale = np.where(np.ptp(X_train, axis=0) == 0, 1.0, X_train.std(axis=0))
        X_train, X_val, X_test = ((part - x_mean) / x_scale for part in (X_train, X_val, X_test))
        if task == "regression":
            y_mean = float(y_train.mean())
            y_scale = float(y_train.std()) if np.ptp(y_train) > 0 else 1.0
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
        feature_names=feature_names,
        class_names=class_names,
        x_mean=x_mean,
        x_scale=x_scale,
        y_mean=y_mean,
        y_scale=y_scale,
        config=config,
    )
