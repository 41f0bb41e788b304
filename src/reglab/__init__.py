"""reglab: a laboratory for regularization in neural networks.

Penalties follow Keras's convention: ``L2(λ)`` adds ``λ·Σw²`` and ``L1(λ)`` adds ``λ·Σ|w|`` to the
batch-mean data loss, on hidden kernels only (never biases). See :mod:`reglab.regularizers`.
"""

from importlib.metadata import PackageNotFoundError, version

from reglab.config import DataConfig, RunConfig
from reglab.data import DataError, Split, load
from reglab.engine import StackTrainer
from reglab.measures import layer_stats, summarize, verdict, weight_stats
from reglab.regularizers import L1, L1L2, L2, NoPenalty, make_regularizer, penalized_parameters
from reglab.runs import Run, RunResult, grid, train, train_runs

try:
    __version__ = version("reglab")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "DataConfig",
    "DataError",
    "L1",
    "L1L2",
    "L2",
    "NoPenalty",
    "Run",
    "RunConfig",
    "RunResult",
    "Split",
    "StackTrainer",
    "grid",
    "layer_stats",
    "load",
    "make_regularizer",
    "penalized_parameters",
    "summarize",
    "train",
    "train_runs",
    "verdict",
    "weight_stats",
]
