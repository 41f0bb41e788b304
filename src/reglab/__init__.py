"""reglab: a laboratory for regularization in neural networks.

Penalties follow Keras's convention: ``L2(λ)`` adds ``λ·Σw²`` and ``L1(λ)`` adds ``λ·Σ|w|`` to the
batch-mean data loss, on hidden kernels only (never biases). See :mod:`reglab.regularizers`.

The public names are imported on first use (PEP 562), so that ``import reglab.cli`` and
``reglab --help`` do not pay for PyTorch: ``reglab.StackTrainer`` imports the engine when read.
"""

import importlib as _importlib

_HOMES = {
    "DataConfig": "reglab.config",
    "DataError": "reglab.errors",
    "Diagnosis": "reglab.diagnosis",
    "L1": "reglab.regularizers",
    "L1L2": "reglab.regularizers",
    "L2": "reglab.regularizers",
    "NoPenalty": "reglab.regularizers",
    "Run": "reglab.runs",
    "RunConfig": "reglab.config",
    "RunResult": "reglab.runs",
    "Split": "reglab.data",
    "StackTrainer": "reglab.engine",
    "diagnose": "reglab.diagnosis",
    "grid": "reglab.runs",
    "layer_stats": "reglab.measures",
    "load": "reglab.data",
    "make_regularizer": "reglab.regularizers",
    "penalized_parameters": "reglab.regularizers",
    "summarize": "reglab.runs",
    "train": "reglab.runs",
    "train_runs": "reglab.runs",
    "tune": "reglab.tuning",
    "verdict": "reglab.measures",
    "weight_stats": "reglab.measures",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name == "__version__":
        from reglab.version import installed_version

        return installed_version()
    if name not in _HOMES:
        raise AttributeError(f"module 'reglab' has no attribute {name!r}")
    value = getattr(_importlib.import_module(_HOMES[name]), name)
    globals()[name] = value  # read once
    return value


def __dir__() -> list[str]:
    """The public names (the subpackages stay importable: ``reglab.runs``, ``reglab.measures``, …)."""
    return sorted([*__all__, "__version__"])
