"""Missing cells of a CSV file read with ``missing='impute'``, filled from the training part only.

A number column takes the training part's median, a text column (codes of its levels) its most
frequent level, by scikit-learn's ``SimpleImputer`` fitted on the training rows alone; a column with
no value in the training part is refused. Nothing about the validation or test rows leaks in.
"""

from __future__ import annotations

import numpy as np

from reglab.data.csv import Table
from reglab.errors import DataError

__all__ = ["impute"]


def impute(table: Table, name: str, parts: list[np.ndarray]) -> tuple[list[np.ndarray], list[str]]:
    """``parts`` (train first) with missing cells filled from the training part: the median of a
    number column, the most frequent level of a text column (scikit-learn's ``SimpleImputer``)."""
    holes = sum(int(np.isnan(part).sum()) for part in parts)
    if holes == 0:
        return parts, []
    from sklearn.impute import SimpleImputer

    parts = [part.copy() for part in parts]
    train = parts[0]
    filled = [j for j in range(train.shape[1]) if any(np.isnan(part[:, j]).any() for part in parts)]
    for j in filled:
        if np.isnan(train[:, j]).all():
            column = table.columns[j]
            raise DataError(
                f"Column '{column}' of CSV file '{name}' has no value in the training part to impute from; "
                f"expected at least one: --drop {column}."
            )
    for text, strategy in ((False, "median"), (True, "most_frequent")):
        columns = [j for j in filled if (table.levels[j] is not None) == text]
        if columns:
            imputer = SimpleImputer(strategy=strategy).fit(train[:, columns])
            for part in parts:
                if len(part):
                    part[:, columns] = imputer.transform(part[:, columns])
    names = ", ".join(table.columns[j] for j in filled)
    note = (
        f"--missing impute: filled {holes} missing cell{'s' * (holes != 1)} of column{'s' * (len(filled) != 1)} {names} "
        "with the training part's median (numbers) or most frequent value (text)"
    )
    return parts, [note]
