"""The held-out data of the verification: a large fresh sample, or repeated k-fold splits of the whole table.

*Fresh sample* (reglab's 2-D generators): new data is free, so both models, trained on the diagnosis's
split, are scored on :data:`FRESH_ROWS` points drawn by the same generator with a seed that training
never used (:func:`reglab.measures.population.fresh_sample`, the report's own; blobs around the training
seed's own centres, which ``make_blobs`` would otherwise redraw), scaled with the training part's statistics. The test noise of
20,000 points is small beside the seeds' variation, which is what remains to test.

*Repeated k-fold* (a user's table, a shipped dataset): every labelled row of the diagnosis's split
(training, validation and test parts together, back in raw units) is dealt into ``folds`` folds,
``repeats`` times with a fresh shuffle each time. Fit ``(r, f)`` scores on fold ``f`` of repeat ``r``
and learns from the other folds, of which ``ceil(val_size · rows)`` (stratified) form its validation
part for early stopping. Features, and a regression target, are standardised with the fit's own
training rows, as :func:`reglab.data.load` does; imputed cells keep the values the diagnosis's split
gave them (the medians of its training part: a shared unit, the same for both models of a pair).

Every fit has the same shapes, so that all of them, both models each, train as ONE stack: each repeat
leaves out ``rows mod folds`` rows drawn at random (fewer than ``folds``), and the rows are dealt in
blocks of ``folds`` consecutive rows in class (or target) order, each block to the folds in a random
order, so that every fold gets the same number of rows and nearly the same share of each class (of
each stretch of the target, for regression).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from reglab.config import DataConfig
from reglab.data import GENERATORS, Split
from reglab.data.scaling import standardise, target_scaling
from reglab.errors import DataError
from reglab.measures.population import POPULATION_SIZE, fresh_sample

__all__ = [
    "FRESH_ROWS", "Fold", "check_folds", "fold_splits", "folds_of", "fresh_split", "labelled_rows",
    "uses_fresh_sample",
]  # fmt: skip

FRESH_ROWS = POPULATION_SIZE  # points of the fresh sample


def uses_fresh_sample(data: DataConfig) -> bool:
    """Whether the data comes from a generator that can draw a fresh sample."""
    return data.dataset in GENERATORS


def fresh_rows(data: DataConfig, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` raw points of ``data``'s generator, drawn from a seed training never used: the report's own fresh
    sample (:func:`reglab.measures.population.fresh_sample`), so both score a data seed on the same points."""
    X, y, _ = fresh_sample(data.dataset, float(data.noise), int(data.n_classes), int(data.seed), int(rows))
    return X.copy(), y.copy()  # the shared sample is read-only; a split's arrays become tensors


def fresh_split(split: Split, data: DataConfig, rows: int = FRESH_ROWS) -> Split:
    """``split`` with its test part replaced by a fresh sample of ``rows`` points, scaled as its training part."""
    X, y = fresh_rows(data, rows)
    if split.task == "regression":
        y = ((y - split.y_mean) / split.y_scale).astype(np.float32)
    return dataclasses.replace(split, X_test=split.transform(X), y_test=np.asarray(y, dtype=split.y_test.dtype))


def labelled_rows(split: Split) -> tuple[np.ndarray, np.ndarray]:
    """Every row of ``split`` (training, validation, test) back in raw units: ``(X float64, y)``."""
    X = np.vstack([split.X_train, split.X_val, split.X_test]).astype(np.float64)
    if split.x_mean is not None:
        X = X * split.x_scale + split.x_mean
    y = np.concatenate([split.y_train, split.y_val, split.y_test])
    if split.task == "regression":
        y = y.astype(np.float64) * split.y_scale + split.y_mean
    return X, y


def deal(y: np.ndarray, folds: int, rng: np.random.Generator) -> np.ndarray:
    """Fold numbers (−1: left out) for rows with targets ``y``: see the module docstring."""
    n = len(y)
    kept = rng.permutation(n)[: folds * (n // folds)]
    order = kept[np.argsort(y[kept], kind="stable")]  # class (or target) order, random within ties
    fold = np.full(n, -1)
    blocks = np.argsort(rng.random((len(order) // folds, folds)), axis=1)  # each block's folds, in random order
    fold[order] = blocks.ravel()
    return fold


def check_folds(rows: int, folds: int) -> None:
    """Refuses ``folds`` that would leave fewer than 2 test rows in a fold of ``rows`` labelled rows."""
    if rows // folds < 2:
        raise DataError(f"The 'folds' parameter must leave at least 2 test rows in each fold of {rows} rows: at most {rows // 2}. "
                        f"Got {folds} instead.")  # fmt: skip


@dataclass(frozen=True)
class Fold:
    """One fit of the repeated k-fold: where it sits, and its rows (indices into :func:`labelled_rows`)."""

    repeat: int
    fold: int
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


def folds_of(y: np.ndarray, classes: int, folds: int, repeats: int, val_size: float, seed: int) -> list[Fold]:
    """The ``folds · repeats`` fits of repeated k-fold over rows with targets ``y`` (``classes`` = 0 for regression)."""
    from sklearn.model_selection import train_test_split

    check_folds(len(y), folds)
    rng = np.random.default_rng(seed)
    found = []
    for r in range(repeats):
        fold = deal(y, folds, rng)
        for f in range(folds):
            learn, test = np.flatnonzero((fold != f) & (fold >= 0)), np.flatnonzero(fold == f)
            n_val = math.ceil(round(val_size * len(learn), 9))
            counts = np.bincount(y[learn], minlength=classes) if classes else np.zeros(1)
            stratify = y[learn] if classes and counts[counts > 0].min() >= 2 and n_val >= classes else None
            state = int(rng.integers(2**31))
            train, val = train_test_split(learn, test_size=n_val, random_state=state, stratify=stratify) if n_val else (learn, learn[:0])
            found.append(Fold(r, f, np.sort(train), np.sort(val), test))
    return found


def fold_split(split: Split, X: np.ndarray, y: np.ndarray, fold: Fold) -> Split:
    """The :class:`Split` of one fit: ``split``'s data and metadata, with the fit's rows, scaled by its training rows."""
    parts = [X[fold.train], X[fold.val], X[fold.test]]
    x_mean = x_scale = None
    if split.x_mean is not None:
        parts, x_mean, x_scale, _ = standardise(parts, split.feature_names, f"'{split.name}'")
    ys = [y[fold.train], y[fold.val], y[fold.test]]
    y_mean, y_scale = 0.0, 1.0
    if split.task == "regression" and split.config.standardize:
        y_mean, y_scale = target_scaling(ys[0])
        ys = [(part - y_mean) / y_scale for part in ys]
    X_train, X_val, X_test = (np.asarray(p, dtype=np.float32) for p in parts)
    y_train, y_val, y_test = (np.asarray(p, dtype=split.y_train.dtype) for p in ys)
    return dataclasses.replace(split, X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val, X_test=X_test, y_test=y_test,
                               x_mean=x_mean, x_scale=x_scale, y_mean=y_mean, y_scale=y_scale)  # fmt: skip


def fold_splits(split: Split, val_size: float, folds: int, repeats: int, seed: int) -> list[tuple[Fold, Split]]:
    """Every fit of repeated k-fold over ``split``'s labelled rows, with its :class:`Split`."""
    X, y = labelled_rows(split)
    found = folds_of(y, split.n_classes, folds, repeats, val_size, seed)
    return [(fold, fold_split(split, X, y, fold)) for fold in found]
