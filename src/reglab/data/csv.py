"""CSV files as they come: a header row, a separator to detect, row indices, IDs, missing cells.

:func:`read_table` reads a file into a :class:`Table` by these rules, each refusal one line naming the
file (and the column, line and cell where there is one):

* A compressed file (gzip, bz2, zip, xz, zstd: told by its first bytes, whatever its name) is
  decompressed first, by :mod:`reglab.data.compression`.
* Text is UTF-8 (a byte-order mark allowed), else read as Latin-1 with a note.
* The separator is the one of comma, semicolon and tab that splits the header and the first 50 lines
  into the same number of fields, the most fields when several do; a file that none splits is
  refused with what its header line holds.
* Header names must be unique (pandas would rename a second ``a`` to ``a.1``: the header is read as
  text here). An unnamed column with no value at all (a separator at the end of every line) is left out;
  a named one is refused, with ``--drop`` as the hint (no missing-cell rule can fill it).
* A column that numbers the rows (0 … n−1 or 1 … n, in file order) is left out with a note, and so is a
  leading unnamed column of distinct values (row names of R's ``write.csv``); a counting column that
  is the only feature is kept, with a note. ``drop`` leaves out more columns; a column of distinct
  whole numbers named like an ID (or a shuffled row count) gets a note suggesting ``--drop``.
* Missing cells (see :data:`~reglab.data.columns.MISSING_CELLS`) follow ``missing``: 'error' refuses
  the file, 'drop' leaves out every row that has one (with a note of how many), 'impute' leaves out
  only rows without a target and keeps NaN in the features, for :func:`reglab.data.load` to fill
  with statistics of the training part.

pandas is imported once the file is known to exist, so that a wrong path is refused at once.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reglab.data.columns import Column, check_feature, encode_target, one_hot, read_column
from reglab.data.compression import file_bytes
from reglab.errors import DataError

__all__ = ["MISSING_MODES", "Table", "check_header", "read_csv", "read_table"]

MISSING_MODES = ("error", "drop", "impute")
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
SNIFF_LINES = 50
UNNAMED = re.compile(r"(Unnamed: ?\d+)?|X|V1|rownames|row\.names", re.IGNORECASE)  # names written for an index
ID_NAME = re.compile(r"(^|[^a-z])(id|key|no|nr|num|number|code)([^a-z]|$)|id$", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class Table:
    """A CSV file read by :func:`read_table`: one value per row and column, ready to split.

    ``X`` is float64 ``[n, columns]``: numbers, true/false as 1/0, text as the index of its level;
    NaN where a cell is missing (only with ``missing='impute'``). :meth:`encode` one-hot encodes it.
    """

    X: np.ndarray
    y: np.ndarray  # int64 class indices, or float64 values for regression
    columns: tuple[str, ...]  # feature column names
    levels: tuple[tuple[str, ...] | None, ...]  # sorted levels of each text column; None for the others
    class_names: tuple[str, ...]  # () for regression
    task: str  # "binary" | "multiclass" | "regression"
    task_reason: str  # "stated", or how the task was inferred, in words
    notes: tuple[str, ...]  # what was done that the user should know, one line each

    def encode(self, X: np.ndarray) -> np.ndarray:
        """Rows of ``X`` (no NaN) with each text column one-hot encoded (one 0/1 column per level)."""
        return one_hot(X, self.levels, self.columns)[0]

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The names of :meth:`encode`'s columns: a text column ``c`` becomes ``c=level`` per level."""
        return one_hot(self.X[:0], self.levels, self.columns)[1]


def _head(data: bytes, file: str) -> tuple[str, str, list[str]]:
    """``(first lines, encoding, notes)`` of the file's bytes: UTF-8, or Latin-1 when they are not UTF-8."""
    try:
        data.decode("utf-8-sig")
        encoding, notes = "utf-8-sig", []
    except UnicodeDecodeError as exc:
        encoding = "latin-1"
        notes = [f"CSV file '{file}' is not UTF-8 (byte {exc.start}); read it as Latin-1"]
    lines = [line for line in data[: 1 << 16].decode(encoding, errors="replace").splitlines() if line.strip()]
    return "\n".join(lines[: SNIFF_LINES + 1]), encoding, notes


def _separator(head: str) -> str:
    """The separator that splits every sampled line into the header's number of fields (> 1), else
    the one that splits the header into the most fields."""
    fields = {sep: [len(row) for row in csv.reader(io.StringIO(head), delimiter=sep)] for sep in SEPARATORS}
    consistent = [sep for sep, counts in fields.items() if counts[0] > 1 and len(set(counts)) == 1]
    if consistent:
        return max(consistent, key=lambda sep: fields[sep][0])
    widest = max(SEPARATORS, key=lambda sep: fields[sep][0])
    return widest  # rows of other lengths are refused or read as missing cells, with their line


def _cells(data: bytes, file: str, sep: str, encoding: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``(header, cells [rows, columns] of stripped text, line number of each row)``; blank lines left out."""
    import pandas as pd

    try:
        frame = pd.read_csv(
            io.BytesIO(data), sep=sep, header=None, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding=encoding
        )
    except pd.errors.ParserError as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        reason = reason.removeprefix("Error tokenizing data. C error: ")
        raise DataError(f"CSV file '{file}' could not be read as {SEPARATORS[sep]}-separated values: {reason}.") from None
    cells = np.char.strip(frame.to_numpy(dtype=str))
    header = [str(name) for name in cells[0]]
    body, lines = cells[1:], np.arange(2, len(cells) + 1)
    filled = (body != "").any(axis=1)
    return header, body[filled], lines[filled]


def check_header(header: list[str], source: str) -> None:
    """Each name once; ``source`` names the table in the message, e.g. ``CSV file 'data.csv'``."""
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(header, start=1):
        seen.setdefault(name, []).append(i)
    repeated = [f"'{name}' (columns {', '.join(map(str, at))})" for name, at in seen.items() if len(at) > 1]
    if repeated:
        raise DataError(
            f"{source} has duplicate column names: {'; '.join(repeated)}; expected each name once: rename them."
        )


def _row_indices(columns: dict[str, Column], target: str, notes: list[str]) -> None:
    """Leaves out (in place) the columns that number the rows, and a leading unnamed one of row names."""
    first = next(iter(columns))
    for name, column in list(columns.items()):
        row_names = name == first and UNNAMED.fullmatch(name) and column.kind != "bool" and column.unique_per_row()
        if name == target or not (column.counts_rows() or row_names):
            continue
        counts = f"numbers the rows {int(column.values[0])}, {int(column.values[1])}, …" if column.counts_rows() else "names the rows"
        if len(columns) == 2:
            notes.append(f"column '{name}' {counts}, like a row index; kept, as the only feature")
            continue
        del columns[name]
        notes.append(f"left out column '{name}': it {counts}")


def _id_notes(columns: dict[str, Column], target: str, notes: list[str]) -> None:
    for name, column in columns.items():
        if name == target or column.counts_rows() or not (column.integral and column.unique_per_row() and len(column.values) >= 10):
            continue
        shuffled_count = np.ptp(column.values) == len(column.values) - 1
        if ID_NAME.search(name) or shuffled_count:
            notes.append(f"column '{name}' holds a different whole number on every row, like an ID: if it is one, --drop {name}")


def _check_filled(columns: dict[str, Column], target: str, file: str) -> None:
    """A column with no value at all can only be left out (or, for the target, replaced): say so first."""
    for name, column in columns.items():
        if column.missing.all():
            rows = f"is empty (no value in its {len(column.values)} rows)"
            if name == target:
                raise DataError(f"Target column '{name}' of CSV file '{file}' {rows}; expected values to predict: choose another target.")
            raise DataError(f"Column '{name}' of CSV file '{file}' {rows}; expected values: --drop {name}.")


def _missing_rows(columns: dict[str, Column], target: str, lines, file: str, missing: str, notes: list[str]) -> np.ndarray:
    """The rows to keep by the ``missing`` rule."""
    names = list(columns)
    holes = np.column_stack([columns[n].missing for n in names])
    bad = holes.any(axis=1)
    if not bad.any():
        return np.ones(len(bad), dtype=bool)
    first, count = int(np.argmax(bad)), int(bad.sum())
    where = f"first: line {int(lines[first])}, column '{names[int(np.argmax(holes[first]))]}'"
    rows = f"{count} row{'s' * (count != 1)} with missing values ({where})"
    if missing == "error":
        raise DataError(
            f"CSV file '{file}' has {rows}; expected none with --missing error (the default): "
            "--missing drop leaves those rows out, --missing impute fills them from the training rows."
        )
    if missing == "drop":
        notes.append(f"--missing drop: left out {count} of {len(bad)} rows with missing values ({where})")
        return ~bad
    no_target = columns[target].missing
    if no_target.any():
        notes.append(f"--missing impute: left out {int(no_target.sum())} of {len(bad)} rows with no value of target '{target}'")
    return ~no_target


def _take(column: Column, rows: np.ndarray) -> Column:
    """The column on ``rows``, text levels that no longer occur left out."""
    values = column.values[rows]
    if column.kind != "text":
        return Column(column.name, column.kind, values, column.levels, column.decimal_comma)
    present = ~np.isnan(values)
    used, codes = np.unique(values[present].astype(np.int64), return_inverse=True)
    values = values.copy()
    values[present] = codes
    return Column(column.name, "text", values, tuple(column.levels[i] for i in used))


def read_table(path: str | Path, target: str | None, task: str = "auto", missing: str = "error", drop=()) -> Table:
    """Read a CSV file with a header row into a :class:`Table`, by the rules of this module."""
    file, path = str(path), Path(path)
    if task not in ("auto", "classification", "regression"):
        raise DataError(f"The 'task' parameter must be one of auto, classification, regression. Got {task!r} instead.")
    if missing not in MISSING_MODES:
        raise DataError(f"The 'missing' parameter must be one of {', '.join(MISSING_MODES)}. Got {missing!r} instead.")
    if not path.exists():
        raise DataError(f"CSV file '{file}' (dataset) does not exist.")
    if not path.is_file():
        raise DataError(f"CSV file '{file}' (dataset) is not a file; expected a CSV file.")
    data, notes = file_bytes(path, file)
    head, encoding, read_notes = _head(data, file)
    notes += read_notes
    if not head:
        raise DataError(f"CSV file '{file}' is empty; expected a header row and at least one data row.")
    sep = _separator(head)
    header, cells, lines = _cells(data, file, sep, encoding)
    if len(cells) == 0:
        raise DataError(f"CSV file '{file}' has no data rows; expected a header row and at least one data row.")
    kept = [j for j, name in enumerate(header) if name or (cells[:, j] != "").any()]  # a trailing separator's empty column
    header, cells = [header[j] for j in kept], cells[:, kept]
    check_header(header, f"CSV file '{file}'")
    if len(header) == 1 and target != header[0]:
        raise DataError(
            f"CSV file '{file}' has a single column: its header line {head.splitlines()[0][:80]!r} holds no comma, "
            "semicolon or tab; expected columns separated by one of them."
        )
    listed = ", ".join(header)
    if target is None:
        raise DataError(f"The 'target' parameter is required for CSV file '{file}': name the column to predict, one of: {listed}.")
    if target not in header:
        raise DataError(f"The 'target' parameter must be a column of CSV file '{file}', one of: {listed}. Got {target!r} instead.")
    for name in drop:
        if name not in header or name == target:
            others = ", ".join(h for h in header if h != target)
            raise DataError(f"The 'drop' parameter must name feature columns of CSV file '{file}', of: {others}. Got {name!r} instead.")
    if sep != ",":
        notes.append(f"CSV file '{file}' is {SEPARATORS[sep]}-separated")
    columns = {
        name: read_column(name, cells[:, j], lines, file, commas_may_be_decimal=sep != ",")
        for j, name in enumerate(header)
        if name not in drop
    }
    decimal = [name for name, column in columns.items() if column.decimal_comma]
    if decimal:
        notes.append(f"read decimal commas in column{'s' * (len(decimal) > 1)} {', '.join(decimal)}")
    _row_indices(columns, target, notes)
    if len(columns) == 1:
        raise DataError(f"CSV file '{file}' has no feature columns; expected at least one column besides the target '{target}'.")
    _id_notes(columns, target, notes)
    features = [column for name, column in columns.items() if name != target]
    for column in features:
        check_feature(column, file)
    _check_filled(columns, target, file)
    rows = _missing_rows(columns, target, lines, file, missing, notes)
    if not rows.any():
        raise DataError(f"CSV file '{file}' has no row without missing values; expected at least one: --missing impute fills them.")
    y, class_names, kind, reason = encode_target(_take(columns[target], rows), file, task)
    if kind == "classification" and len(class_names) < 2:
        raise DataError(
            f"Target column '{target}' of CSV file '{file}' has a single class ({class_names[0]!r}); "
            "classification needs at least 2 classes."
        )
    features = [_take(column, rows) for column in features]
    if kind == "classification":
        kind = "binary" if len(class_names) == 2 else "multiclass"
    return Table(
        X=np.column_stack([column.values for column in features]),
        y=y,
        columns=tuple(column.name for column in features),
        levels=tuple(column.levels if column.kind == "text" else None for column in features),
        class_names=class_names,
        task=kind,
        task_reason=reason,
        notes=tuple(notes),
    )


def read_csv(path: str | Path, target: str | None, task: str = "auto", missing: str = "error", drop=()):
    """Read a CSV file into ``(X, y, feature_names, class_names, task)`` by :func:`read_table`'s rules.

    X is float64 ``[n, d]``: numeric and true/false columns as numbers, text columns one-hot encoded
    (one 0/1 column per distinct value, named ``column=value``). The task is "binary", "multiclass" or
    "regression" (y float64), inferred by :func:`reglab.data.columns.encode_target`'s rule when 'auto'.
    ``missing`` is 'error' or 'drop' here: imputing needs a split, see :func:`reglab.data.load`.
    """
    if missing == "impute":
        raise DataError("The 'missing' parameter of read_csv must be 'error' or 'drop'; imputation uses training statistics: "
                        "use reglab.data.load. Got 'impute' instead.")  # fmt: skip
    table = read_table(path, target, task, missing, drop)
    return table.encode(table.X), table.y, table.feature_names, table.class_names, table.task
