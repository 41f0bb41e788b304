"""Datasets, CSV files, train/validation/test splits and feature scaling: the inputs of reglab.

``generators`` draws the 2-D datasets of the lecture and loads those shipped with scikit-learn;
``csv`` reads a user's table as it comes (separator, row indices, IDs, missing cells) and ``columns``
reads each of its columns; ``split`` turns a :class:`~reglab.config.DataConfig` into a :class:`Split`
(stratified, seeded, imputed and standardised with training statistics only; what reading did that
a user should know is in ``Split.notes``, for the caller to show). Nothing here
imports torch, and scikit-learn and pandas are imported only when data is actually read.
"""

from reglab.data.generators import DATASETS, GENERATORS, REAL, make_dataset
from reglab.data.split import Split, load
from reglab.errors import DataError


def read_csv(*args, **kwargs):
    """See :func:`reglab.data.csv.read_csv` (imported on use: pandas is heavy)."""
    from reglab.data.csv import read_csv as read

    return read(*args, **kwargs)


__all__ = ["DATASETS", "DataError", "GENERATORS", "REAL", "Split", "load", "make_dataset", "read_csv"]
