"""The columns of a CSV file, from text cells to numbers: what each column holds, and how the target
and the text features are encoded.

A column is read by :func:`read_column` as one of three kinds:

* ``bool``: every present cell is true or false (any case); values 1.0 and 0.0.
* ``number``: every present cell is a finite number (with decimal commas in a file not separated by
  commas, when that reads more of them); values as float64.
* ``text``: anything else; values are the index of the cell's level among the sorted distinct texts.

A cell is missing when it is empty or one of :data:`MISSING_CELLS` (NaN in the values). A column whose
present cells are mostly numbers (at least half) but not all is refused, naming the first other cell:
"-" or "41,271" in a column of numbers is a typo to fix, not a category. So is a column of dates.
pandas is imported by the caller; this module needs NumPy alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from reglab.errors import DataError

__all__ = ["MAX_AUTO_CLASSES", "MAX_FLOAT_CLASSES", "MAX_ONE_HOT", "MISSING_CELLS", "Column", "encode_target", "read_column"]

MAX_ONE_HOT = 20  # a text feature with at most this many distinct values is one-hot encoded
MAX_AUTO_CLASSES = 20  # an integer target with more distinct values is taken as regression
MAX_FLOAT_CLASSES = 50  # a non-integer target with more distinct values cannot be classes
MISSING_CELLS = frozenset(
    {"", "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "null", "NULL", "Null", "None", "none", "#N/A", "<NA>", "."}
)  # what R, pandas, Excel and SAS write for a missing value
BOOLEANS = {"true": 1.0, "false": 0.0}
DATE = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?"
)


@dataclass(frozen=True, eq=False)
class Column:
    """One column of a CSV file read as numbers: ``values`` float64 ``[n]``, NaN where missing."""

    name: str
    kind: str  # "bool" | "number" | "text"
    values: np.ndarray  # numbers, 0/1, or text levels' indices
    levels: tuple[str, ...] = ()  # the sorted distinct texts of a text column; ("False", "True") of a bool column
    decimal_comma: bool = False  # read with decimal commas

    @property
    def missing(self) -> np.ndarray:
        return np.isnan(self.values)

    @property
    def integral(self) -> bool:
        """Numbers that are all whole (missing cells aside)."""
        present = self.values[~self.missing]
        return self.kind == "number" and bool(np.all(present == np.round(present)))

    def counts_rows(self) -> bool:
        """Exactly 0, 1, … n−1 or 1, 2, … n in file order: a row index, not a measurement."""
        n = len(self.values)
        return self.kind == "number" and n > 1 and any(np.array_equal(self.values, np.arange(n) + start) for start in (0, 1))

    def unique_per_row(self) -> bool:
        """A different value on every row, none missing (an ID, when the values are text or integers)."""
        return not self.missing.any() and len(np.unique(self.values)) == len(self.values)


def _numbers(cells: np.ndarray, decimal_comma: bool) -> np.ndarray:
    """Each cell as a finite float64, NaN where it is not one."""
    import pandas as pd

    text = pd.Series(cells, dtype=object)
    if decimal_comma:
        text = text.str.replace(",", ".", regex=False)
    values = np.array(pd.to_numeric(text, errors="coerce"), dtype=np.float64)  # a copy: pandas may hand out read-only views
    values[~np.isfinite(values)] = np.nan
    return values


def read_column(name: str, cells: np.ndarray, lines: np.ndarray, file: str, commas_may_be_decimal: bool) -> Column:
    """The column ``name`` from its text ``cells`` (stripped; ``lines`` are their line numbers in the file)."""
    missing = np.array([c in MISSING_CELLS for c in cells], dtype=bool)
    present = cells[~missing]
    if len(present) and all(c.lower() in BOOLEANS for c in present):
        values = np.array([np.nan if m else BOOLEANS[c.lower()] for c, m in zip(cells, missing)])
        return Column(name, "bool", values, ("False", "True"))
    values, decimal_comma = _numbers(cells, False), False
    if commas_may_be_decimal:
        with_commas = _numbers(cells, True)
        if np.isnan(with_commas).sum() < np.isnan(values).sum():
            values, decimal_comma = with_commas, True
    bad = ~missing & np.isnan(values)
    if not bad.any():
        return Column(name, "number", values, decimal_comma=decimal_comma)
    first, count = int(np.argmax(bad)), int(bad.sum())
    cell = f"line {int(lines[first])}, {str(cells[first])!r}"
    if 2 * count <= len(present):
        them = "them" if count != 1 else "it"
        what = f"{count} cells are not numbers (first: {cell})" if count != 1 else f"1 cell is not a number ({cell})"
        raise DataError(
            f"Column '{name}' of CSV file '{file}' holds numbers but {what}; expected numbers: "
            f"fix {them}, empty {them} to mark {them} missing (see --missing), or --drop {name}."
        )
    dates = np.array([bool(DATE.fullmatch(c)) for c in present])
    if 2 * int(dates.sum()) > len(present):
        first_date = int(np.flatnonzero(~missing)[int(np.argmax(dates))])
        raise DataError(
            f"Column '{name}' of CSV file '{file}' holds dates (first: line {int(lines[first_date])}, "
            f"{str(cells[first_date])!r}); expected numbers or text categories: --drop {name}, or turn the dates "
            "into numbers (such as the year, or days since a start) before reading."
        )
    levels, codes = np.unique(present, return_inverse=True)
    values = np.full(len(cells), np.nan)
    values[~missing] = codes
    return Column(name, "text", values, tuple(str(v) for v in levels))


def encode_target(column: Column, file: str, task: str):
    """``(y, class_names, task, reason)`` of the target column (no cell missing).

    The rule when ``task`` is 'auto': text and true/false targets are classes; a numeric target is
    classes when all its values are whole numbers and there are at most :data:`MAX_AUTO_CLASSES` of
    them, regression otherwise. ``reason`` says in words which rule decided. Classes are sorted
    (numbers by value, text alphabetically) and y is their int64 index; regression y is float64.
    """
    if column.kind != "number":
        if task == "regression":
            raise DataError(
                f"The 'task' parameter is 'regression', but target column '{column.name}' of CSV file "
                f"'{file}' is not numeric; expected numbers, or task 'classification' or 'auto'."
            )
        reason = "stated" if task == "classification" else f"inferred: the target is {'text' if column.kind == 'text' else 'true/false'}"
        return column.values.astype(np.int64), column.levels, "classification", reason
    values = column.values
    distinct = np.unique(values)
    integral = column.integral
    reason = "stated"
    if task == "auto":
        few = integral and len(distinct) <= MAX_AUTO_CLASSES
        task = "classification" if few else "regression"
        what = "whole numbers" if integral else "numbers, not all whole"
        reason = f"inferred: the target holds {len(distinct)} distinct {what} (classes when whole and at most {MAX_AUTO_CLASSES})"
    if task == "regression":
        return values, (), "regression", reason
    if not integral and len(distinct) > MAX_FLOAT_CLASSES:
        raise DataError(
            f"The 'task' parameter is 'classification', but target column '{column.name}' of CSV file "
            f"'{file}' has {len(distinct)} distinct non-integer values; expected at most "
            f"{MAX_FLOAT_CLASSES} classes, or task 'regression'."
        )
    y = np.searchsorted(distinct, values).astype(np.int64)
    names = tuple(str(int(v)) if integral else repr(float(v)) for v in distinct)
    return y, names, "classification", reason


def check_feature(column: Column, file: str) -> None:
    """A text feature must have at most :data:`MAX_ONE_HOT` levels to be one-hot encoded."""
    if column.kind == "text" and len(column.levels) > MAX_ONE_HOT:
        like_id = " (a different one on every row, like an ID)" if column.unique_per_row() else ""
        raise DataError(
            f"Feature column '{column.name}' of CSV file '{file}' is text with {len(column.levels)} distinct values{like_id}; "
            f"expected numbers or text with at most {MAX_ONE_HOT} distinct values (one-hot encoded): "
            f"--drop {column.name}, or encode it as numbers."
        )


def one_hot(X: np.ndarray, levels: tuple[tuple[str, ...] | None, ...], names: tuple[str, ...]):
    """``(X, feature_names)`` with each text column (``levels`` not None) of codes ``X[:, j]`` replaced
    by one 0/1 column per level, named ``column=level``; other columns as they are."""
    parts, features = [], []
    for j, (name, column_levels) in enumerate(zip(names, levels)):
        if column_levels is None:
            parts.append(X[:, j : j + 1])
            features.append(name)
        else:
            parts.append((X[:, j : j + 1] == np.arange(len(column_levels))).astype(np.float64))
            features.extend(f"{name}={level}" for level in column_levels)
    return np.concatenate(parts, axis=1), tuple(features)
