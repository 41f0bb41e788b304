"""The lecture's workflow on a user's data: detect → apply and tune → verify → recommend.

:func:`diagnose` runs it and returns a :class:`Diagnosis`, whose fields are those of the JSON document
(``reglab diagnose --json``, ``DIR/results.json``) plus the trained runs. The phases live in their
modules: ``settings`` (defaults scaled to the data), ``detect`` (baseline, ceiling, verdict),
``search`` (the tuning study), ``choose`` (the one-standard-error rule), ``resample`` (the held-out data:
a generator's fresh sample, or repeated k-fold over a table), ``verify`` (both models on every fit, as one
stack, and the tests), ``metrics`` (the task's metrics and their notes), ``advice`` (the decision and its
sentences, built from the numbers), ``recommend`` (settings and snippets), ``report`` (the HTML page) and
``workflow`` (the phases in order).

The package imports its modules when a name is first read, so that the command line can check its
options (:mod:`reglab.diagnosis.settings`) without loading PyTorch or Optuna.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["Diagnosis", "Settings", "diagnose"]
WHERE = {"Diagnosis": "reglab.diagnosis.workflow", "Settings": "reglab.diagnosis.settings", "diagnose": "reglab.diagnosis.workflow"}


def __getattr__(name: str) -> Any:
    if name not in WHERE:
        raise AttributeError(f"module 'reglab.diagnosis' has no attribute {name!r}")
    return getattr(import_module(WHERE[name]), name)
