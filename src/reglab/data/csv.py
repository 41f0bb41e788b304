"""CSV files with a header row: target encoding, text features one-hot, clear refusals.

pandas is imported once the file is known to exist, so that a wrong path is refused at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from reglab.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MAX_AUTO_CLASSES", "MAX_FLOAT_CLASSES", "MAX_ONE_HOT", "read_csv"]

MAX_ONE_HOT = 20  # a text feature with at most this many distinct values is one-hot encoded
MAX_AUTO_CLASSES = 20  # an integer target with more distinct values is taken as regression
MAX_FLOAT_CLASSES = 50  # a non-integer target with more distinct values cannot be classes


def _encode_target(column: pd.Series, file: str, task: str):
    """``(y, class_names, task)`` of a target column; y int64 class indices or float64 values."""
    import pandas as pd

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
    import pandas as pd

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
    import pandas as pd

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
