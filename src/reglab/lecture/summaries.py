"""A configuration of the lecture over its seeds: the intervals of its scores, its verdict, its row of a table, and
the sentences that name a chosen best or a score above the Bayes rule.

Every interval is the Student-t interval of the mean at :data:`reglab.rules.LEVEL` (:func:`reglab.measures.summarize`);
accuracies' intervals are clipped to [0, 1].
"""

from __future__ import annotations

import numpy as np

from reglab.lecture.compare import Best, clip
from reglab.lecture.scores import bayes_score, ok, scores, test_part
from reglab.measures import FitThresholds, summarize
from reglab.measures.ceiling import data_ceiling
from reglab.measures.fit_intervals import verdict_over_seeds
from reglab.measures.population import POPULATION_SIZE
from reglab.runs import RunResult

__all__ = [
    "SCORE_COLUMNS", "THRESHOLDS", "above_bayes", "arm_fit", "arm_summary", "chosen_sentence", "fmt", "mean", "score_rows", "stat",
    "verdict_words", "verdicts",
]  # fmt: skip

THRESHOLDS = FitThresholds()  # of every verdict


def stat(values: list[float]) -> dict | None:
    values = [float(v) for v in values if v is not None and np.isfinite(v)]
    return summarize(values) if values else None


def verdicts(results: list[RunResult]) -> dict[str, int]:
    """Per-seed verdicts (with the uncertainty of each run's scores where it was scored on its population), counted."""
    counts: dict[str, int] = {}
    for r in results:
        v = r.verdict(THRESHOLDS) or "diverged"
        counts[v] = counts.get(v, 0) + 1
    return counts


def arm_fit(results: list[RunResult]) -> dict:
    """The verdict of a configuration over its seeds (:func:`reglab.measures.fit_intervals.verdict_over_seeds`): mean
    training score and mean gap (train − held-out, the fresh sample where scored), each with its interval."""
    good = ok(results)
    if not good:
        return {"verdict": "diverged", "gap": None, "seeds": None}
    task = good[0].task
    majority = None if task == "regression" else float(np.mean([r.majority_rate for r in good]))
    train = [r.train[r.score_name] for r in good]
    held = [r.held_out[1][r.score_name] for r in good]
    return verdict_over_seeds(train, held, task, majority, THRESHOLDS, ceiling=data_ceiling(good[0].data, task))


def verdict_words(fit: dict, n: int) -> str:
    """"overfitting", or "cannot tell with 10 seeds (about 24 would tell)"."""
    if fit["verdict"] != "cannot tell":
        return fit["verdict"]
    if n < 2:
        return "cannot tell with one seed"
    would = f" (about {fit['seeds']} would tell)" if fit.get("seeds") else " (a score sits on its threshold)"
    return f"cannot tell with {n} seeds{would}"


def arm_summary(label: str, results: list[RunResult]) -> dict:
    """Scores (intervals clipped to [0, 1]; test on the fresh sample where scored, with the Bayes rule's score on the same
    points), gap (train − held-out part), the verdict over seeds and the per-seed verdicts of one arm."""
    good = ok(results)
    fit = arm_fit(results)
    return {
        "label": label,
        "n": len(results),
        "diverged": len(results) - len(good),
        "train": clip(stat(scores(results, "train"))),
        "val": clip(stat(scores(results, "val"))),
        "test": clip(stat(scores(results, "test"))),
        "test_on": test_part(results),
        "bayes": clip(stat([bayes_score(r) for r in good if bayes_score(r) is not None])),
        "split_test": clip(stat([r.test[r.score_name] for r in good])),  # the small test split, for reference
        "gap": fit["gap"],
        "gap_on": sorted({r.held_out[0] for r in good}),
        "epochs_run": stat([r.epochs_run for r in results]),
        "verdicts": verdicts(results),
        "verdict": fit["verdict"],
        "verdict_text": verdict_words(fit, len(good)),
    }


def fmt(s: dict | None, digits: int = 3) -> str:
    if s is None:
        return "n/a"
    return f"{s['mean']:.{digits}f} [{s['ci_low']:.{digits}f}, {s['ci_high']:.{digits}f}]"


def mean(s: dict | None) -> float:
    return float("nan") if s is None else s["mean"]


SCORE_COLUMNS = ["configuration", "train", "validation", "test", "Bayes rule, same points", "gap (train − test)", "verdict over seeds"]


def score_rows(summaries: list[dict]) -> list[list[str]]:
    return [[s["label"], fmt(s["train"]), fmt(s["val"]), fmt(s["test"]), fmt(s["bayes"]), fmt(s["gap"]), s["verdict_text"]]
            for s in summaries]  # fmt: skip


def above_bayes(summaries: list[dict]) -> str:
    """A sentence for every arm whose mean test accuracy is above the Bayes rule's on the same points (or, on a small
    test split, above the ceiling); empty when none is."""
    high = [s for s in summaries if s.get("bayes") and s.get("test") and s["test"]["mean"] > s["bayes"]["mean"]]
    if not high:
        return ""
    named = ", ".join(f"{s['label']} ({s['test']['mean']:.4f} vs {s['bayes']['mean']:.4f})" for s in high)
    return (
        f" Above the Bayes rule on the same points: {named}. The Bayes rule is the best rule in expectation, not on every "
        f"sample: on {POPULATION_SIZE:,} points two rules that disagree on a few percent of them differ by chance by a few thousandths."
    )


def chosen_sentence(best: Best, what: str, name=lambda key: key, digits: int = 3, most: int = 6) -> str:
    """"<what>, chosen on <chosen_on>: A (0.930 on the fresh sample); against it, B and C lower, D not distinguishable"."""
    head = f"{what}, chosen on {best['chosen_on']}: {name(best['best'])} ({best['mean']:.{digits}f} on the test part)"
    groups = {
        "distinguishably lower": [k for k, t in best["tests"].items() if t and t["word"] == "lower"],
        "tied exactly": [k for k, t in best["tests"].items() if t and t["word"] == "tie"],
        "not distinguishable": [k for k in best["peers"] if best["tests"][k] is None or best["tests"][k]["word"] != "tie"],
        "distinguishably higher": list(best["above"]),
    }
    listed = lambda keys: ", ".join(map(name, keys)) if len(keys) <= most else f"{len(keys)} others"  # noqa: E731
    parts = [f"{word}: {listed(keys)}" for word, keys in groups.items() if keys]
    return head + "; against it " + "; ".join(parts) if parts else head
