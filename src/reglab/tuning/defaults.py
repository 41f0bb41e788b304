"""The defaults of tuning and of shared sweeps, stated once and importable without Optuna or PyTorch.

The library's signatures (:func:`reglab.tuning.tune`, :func:`reglab.tuning.shared_sweep.work`) and the command line's
options both read them, so that ``reglab tune --help`` shows what ``tune()`` does without loading either.
"""

from __future__ import annotations

__all__ = ["BATCH", "HEARTBEAT", "SAMPLERS", "STUDY", "STUDY_FILE", "SWEEP_STUDY"]

SAMPLERS = ("tpe", "grid", "random")  # Optuna's samplers reglab offers; the first is the default
STUDY = "reglab-tune"  # the default study name, and the default folder of its SQLite file
STUDY_FILE = "study.db"  # the SQLite file of a study in its output folder
SWEEP_STUDY = "reglab-sweep"  # the default name of a sweep's grid shared through a study
BATCH = 8  # trials (or a shared sweep's configurations) a worker trains as one stack per round
HEARTBEAT = 10  # seconds between a worker's signs of life in a shared study (Optuna's heartbeat interval)
