"""Statistics over the seeds of a sweep: one summary per configuration, and the sweep's document.

Runs that differ only in their seed (the model's and the data's) are one configuration. For each,
the test score (accuracy, or R² for regression), the training score and the generalization gap
(train score − held-out score, see :attr:`reglab.runs.results.RunResult.gap`) are summarised over seeds
with :func:`reglab.measures.summarize`: mean, std (ddof = 1) and the Student-t interval of the mean at
:data:`reglab.rules.LEVEL`. Diverged runs have no scores: they are counted in ``diverged`` and left out of
the statistics (a configuration whose runs all diverged gets None for each statistic).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from numbers import Real
from typing import Any

from reglab.config import SCHEMA_VERSION, DataConfig, RunConfig
from reglab.errors import ConfigError, received
from reglab.measures import FitThresholds
from reglab.measures import summarize as summarize_values
from reglab.runs.results import RunResult, json_safe

__all__ = ["summarize", "summarize_sweep", "sweep_document"]


def _without_seed(config: RunConfig, data: DataConfig) -> tuple[RunConfig, DataConfig]:
    return config.replace(seed=0), data.replace(seed=0)


def _statistics(values: list[float]) -> dict[str, float] | None:
    return summarize_values(values) if values else None


def _summarize_group(members: list[RunResult], thresholds: FitThresholds | None) -> dict[str, Any]:
    first = members[0]
    score = first.score_name
    kept = [r for r in members if not r.diverged]
    verdicts: dict[str, int] = {}
    for r in kept:
        name = r.verdict(thresholds)
        verdicts[name] = verdicts.get(name, 0) + 1
    config = first.config.model_dump(mode="json", by_alias=True)
    del config["seed"]
    return {
        "label": first.config.label,
        "config": config,
        "n_seeds": len(members),
        f"test_{score}": _statistics([r.test[score] for r in kept]),
        "gap": _statistics([r.gap for r in kept]),
        f"train_{score}": _statistics([r.train[score] for r in kept]),
        "verdicts": verdicts,
        "diverged": len(members) - len(kept),
    }


def summarize_sweep(results: Sequence[RunResult], thresholds: FitThresholds | None = None) -> list[dict[str, Any]]:
    """One summary per configuration (the run and data configs with the seed removed), in order of
    first appearance: ``label``, ``config`` (without seed), ``n_seeds``, ``test_<score>``, ``gap``,
    ``train_<score>`` (each ``n, mean, std, ci_low, ci_high`` or None), ``verdicts`` (verdict ->
    count, by ``thresholds``) and ``diverged`` (count). ``<score>`` is ``accuracy`` or ``r2``."""
    groups: dict[tuple[RunConfig, DataConfig], list[RunResult]] = {}
    for result in results:
        groups.setdefault(_without_seed(result.config, result.data), []).append(result)
    return [_summarize_group(members, thresholds) for members in groups.values()]


def sweep_document(results: Sequence[RunResult], thresholds: FitThresholds | None = None) -> dict[str, Any]:
    """The JSON document of a sweep (``reglab sweep --json``): every run and the summary; strict JSON
    (NaN and inf become null)."""
    return json_safe({
        "schema_version": SCHEMA_VERSION,
        "runs": [r.to_dict(thresholds) for r in results],
        "summary": summarize_sweep(results, thresholds),
    })


def summarize(values: Iterable[RunResult] | Iterable[float], *args: Any, **kwargs: Any) -> list[dict[str, Any]] | dict[str, float]:
    """Statistics over seeds of what was trained or measured: the results of :func:`reglab.train_runs` (or of
    :func:`reglab.grid`'s runs) give one summary per configuration (:func:`summarize_sweep`); numbers give their
    mean, std and interval (:func:`reglab.measures.summarize`). Anything else is refused, saying what it takes."""
    items = list(values) if isinstance(values, Iterable) and not isinstance(values, (str, bytes, Mapping)) else []
    if items and all(isinstance(v, RunResult) for v in items):
        return summarize_sweep(items, *args, **kwargs)
    number = [isinstance(v, Real) and not isinstance(v, bool) for v in items]  # NumPy's scalars are Real too
    if items and all(number):
        return summarize_values(items, *args, **kwargs)
    odd = [v for v, ok in zip(items, number) if not ok and not isinstance(v, RunResult)]
    wrong = received(odd[0]) if odd else received(values)
    raise ConfigError(
        "The 'values' parameter of summarize must be a list of RunResult (what reglab.train_runs returns) or a list of "
        f"numbers (e.g. test accuracies over seeds). Got {wrong} instead."
    )
