"""Tuning the penalty, λ and dropout with Optuna, a batch of trials trained as one stack.

``space`` is what is searched, ``storage`` where a study lives (SQLite by default, PostgreSQL for
several machines), ``liveness`` what happens to the trials of a worker that died, ``search`` one
worker's batched ask/tell, ``tuner`` the public :func:`tune`, and ``shared_sweep`` a sweep's grid
divided between workers through a study.

The package imports its modules when first asked for a name, so that the command line can read the
search space's options without loading Optuna or PyTorch.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["SearchSpace", "TuneResult", "tune"]
WHERE = {"SearchSpace": "reglab.tuning.space", "TuneResult": "reglab.tuning.tuner", "tune": "reglab.tuning.tuner"}


def __getattr__(name: str) -> Any:
    if name not in WHERE:
        raise AttributeError(f"module 'reglab.tuning' has no attribute {name!r}")
    return getattr(import_module(WHERE[name]), name)
