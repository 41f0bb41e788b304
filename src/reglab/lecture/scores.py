"""What each trained run of the lecture measured, seed by seed: its scores (the test score on the fresh sample of its
generator where it was scored there), its gap and its hidden weights.

Per-seed lists keep NaN for a diverged run, so that the seeds of two configurations stay paired
(:mod:`reglab.lecture.compare` leaves such pairs out).
"""

from __future__ import annotations

import numpy as np

from reglab.data import load
from reglab.measures.population import population_scores
from reglab.measures.weights import weight_stats
from reglab.runs import RunResult

__all__ = [
    "bayes_score", "gaps", "hidden_weight_stats", "ok", "per_seed", "score_on_population", "scores", "test_part", "test_score",
    "test_scores", "val_scores",
]  # fmt: skip


def score_on_population(results: list[RunResult]) -> None:
    """Scores every finished run on the fresh sample of its generator (:func:`reglab.measures.population.population_scores`,
    20,000 points beside the Bayes rule's on the same points), in place; a run on data no generator
    draws again keeps None. Runs are visited by data seed, so that each fresh sample is drawn once; the layers are
    computed in float32, the precision the models trained in."""
    order = sorted(range(len(results)), key=lambda i: (results[i].data.dataset, results[i].data.noise, results[i].data.seed))
    for i in order:
        r = results[i]
        if r.diverged:
            continue
        split = r.split if r.split is not None else load(r.data)
        transform = None if split.x_mean is None else split.transform
        r.population = population_scores(r.data, r.task, r.kernels, r.biases, r.config.activation, transform,
                                          target_scale=(split.y_mean, split.y_scale), dtype=np.float32)  # fmt: skip


def test_score(r: RunResult) -> float:
    """The reported test score: on the fresh sample when the run was scored there, else on its test split."""
    return (r.population or r.test)[r.score_name]


def bayes_score(r: RunResult) -> float | None:
    """The Bayes rule's accuracy on the run's fresh sample (None without one)."""
    return None if r.population is None else r.population.get("bayes_accuracy")


def test_part(results: list[RunResult]) -> dict:
    """What the test column is: ``{"name": "fresh sample" | "test split", "n": points}``."""
    scored = [r for r in ok(results) if r.population is not None]
    if scored:
        return {"name": "fresh sample", "n": int(scored[0].population["n"])}
    good = ok(results)
    return {"name": "test split", "n": len(load(good[0].data).y_test) if good else 0}


def ok(results: list[RunResult]) -> list[RunResult]:
    return [r for r in results if not r.diverged]


def scores(results: list[RunResult], part: str) -> list[float]:
    return [test_score(r) if part == "test" else getattr(r, part)[r.score_name] for r in ok(results)]


def per_seed(results: list[RunResult], value) -> list[float]:
    """``value(result)`` for every seed, NaN for a diverged run (so pairs stay aligned)."""
    return [float("nan") if r.diverged else float(value(r)) for r in results]


def test_scores(results: list[RunResult]) -> list[float]:
    """Test score per seed, on the fresh sample where scored (NaN for a diverged run)."""
    return per_seed(results, test_score)


def val_scores(results: list[RunResult]) -> list[float]:
    """Validation score per seed (NaN for a diverged run): what a "best" is chosen on."""
    return per_seed(results, lambda r: r.val[r.score_name])


def gaps(results: list[RunResult]) -> list[float]:
    return per_seed(results, lambda r: r.gap)


def hidden_weight_stats(r: RunResult) -> dict:
    """Weight statistics of all hidden kernels taken together."""
    flat = np.concatenate([k.ravel() for k in r.kernels[:-1]])
    return weight_stats(flat)
