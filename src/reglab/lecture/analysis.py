"""Turns the lecture's trained runs into numbers, figure data and conclusions, section by section.

Every conclusion is computed from the results: when a run contradicts the lecture, the text says so.
Figure data is stored with the numbers (arrays packed by :mod:`reglab.views.report.codec`) so that the report can
be rebuilt from ``results.json`` without training.
"""

from __future__ import annotations

import numpy as np

from reglab.data import load
from reglab.lecture.compare import CONFIDENCE, Best, clip
from reglab.measures import FitThresholds, summarize
from reglab.measures.boundary import boundary_complexity, boundary_grid, grid_predictions
from reglab.measures.ceiling import data_ceiling
from reglab.measures.fit_intervals import verdict_over_seeds
from reglab.measures.population import population_scores
from reglab.measures.weights import weight_stats
from reglab.runs import RunResult
from reglab.views.report.codec import pack

THRESHOLDS = FitThresholds()  # of every verdict


# the fresh sample ---------------------------------------------------------------------------------


def score_on_population(results: list[RunResult]) -> None:
    """Scores every finished run on the fresh sample of its generator (:func:`reglab.measures.population.population_scores`,
    20,000 points beside the Bayes rule's on the same points), in place; a run on data no generator
    draws again keeps None. Runs are visited by data seed, so that each fresh sample is drawn once; the layers are
    computed in float32, the precision the models trained in (half the time of float64)."""
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


# small pieces ------------------------------------------------------------------------------------


def ok(results: list[RunResult]) -> list[RunResult]:
    return [r for r in results if not r.diverged]


def stat(values: list[float]) -> dict | None:
    values = [float(v) for v in values if v is not None and np.isfinite(v)]
    return summarize(values, CONFIDENCE) if values else None


def scores(results: list[RunResult], part: str) -> list[float]:
    return [test_score(r) if part == "test" else getattr(r, part)[r.score_name] for r in ok(results)]


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
    return verdict_over_seeds(train, held, task, majority, THRESHOLDS, ceiling=data_ceiling(good[0].data, task), confidence=CONFIDENCE)


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
        "sample: on 20,000 points two rules that disagree on a few percent of them differ by chance by a few thousandths."
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


# boundaries ---------------------------------------------------------------------------------------


def raw_points(split, part: str) -> np.ndarray:
    X = getattr(split, f"X_{part}").astype(np.float64)
    return X if split.x_mean is None else X * split.x_scale + split.x_mean


def boundary_panels(entries: list[tuple[str, RunResult]], resolution: int) -> dict:
    """Boundary grids of the given runs on one shared grid, with their points and complexity."""
    splits = [load(r.data) for _, r in entries]
    allpoints = np.vstack([np.vstack([raw_points(s, "train"), raw_points(s, "test")]) for s in splits])
    xx, yy = boundary_grid(allpoints, resolution=resolution, margin=0.08)
    panels = []
    for (title, r), split in zip(entries, splits):
        transform = None if split.x_mean is None else split.transform
        pred = grid_predictions(xx, yy, r.kernels, r.biases, r.config.activation, r.task, transform)
        complexity = boundary_complexity(pred["label"], xx, yy)
        constant = bool(np.all(pred["label"] == pred["label"].flat[0]))
        regions = "constant output" if constant else f"{complexity['regions']} region{'' if complexity['regions'] == 1 else 's'}"
        field = {"proba": pack(pred["proba"], "float16")} if r.task == "binary" else {"label": pack(pred["label"], "int8")}
        panels.append(
            {
                "title": title,
                "subtitle": f"train {r.train[r.score_name]:.2f} · test {test_score(r):.2f} · {regions}",
                **field,
                "X_train": pack(raw_points(split, "train"), "float16"),
                "y_train": pack(split.y_train, "int8"),
                "X_test": pack(raw_points(split, "test"), "float16"),
                "y_test": pack(split.y_test, "int8"),
                "complexity": complexity,
                "constant": constant,
            }
        )
    x_axis, y_axis = xx[0], yy[:, 0]
    return {"x": pack(x_axis, "float32"), "y": pack(y_axis, "float32"), "panels": panels}


def complexity_over_seeds(results: list[RunResult], resolution: int) -> dict:
    """Boundary length and regions of every seed (NaN for a diverged run, so that pairs stay aligned) on a grid over its
    own points, and their summaries."""
    lengths, regions = [], []
    for r in results:
        if r.diverged:
            lengths.append(float("nan"))
            regions.append(float("nan"))
            continue
        split = load(r.data)
        pts = np.vstack([raw_points(split, "train"), raw_points(split, "test")])
        xx, yy = boundary_grid(pts, resolution=resolution, margin=0.08)
        transform = None if split.x_mean is None else split.transform
        c = boundary_complexity(grid_predictions(xx, yy, r.kernels, r.biases, r.config.activation, r.task, transform)["label"], xx, yy)
        lengths.append(float(c["length"]))
        regions.append(float(c["regions"]))
    return {"length": stat(lengths), "regions": stat(regions), "per_seed": {"length": lengths, "regions": regions}}


def curve(label: str, r: RunResult) -> dict:
    h = r.history
    return {
        "label": label,
        "train": h.get("data_loss", []),
        "val": h.get("val_data_loss"),
        "stop_epoch": r.epochs_run if r.stopped_early else None,
        "best_epoch": r.best_epoch,
    }


def references(results: list[RunResult]) -> dict[str, float]:
    """Reference lines of an accuracy plot: chance (the majority class's share, mean over seeds) and, for a 2-D
    generator, its Bayes ceiling (:func:`reglab.measures.ceiling.data_ceiling`)."""
    out = {"chance": float(np.mean([r.majority_rate for r in results]))}
    ceiling = data_ceiling(results[0].data, results[0].task)
    if ceiling is not None:
        out["Bayes ceiling"] = ceiling
    return out


def hidden_weight_stats(r: RunResult) -> dict:
    """Weight statistics of all hidden kernels taken together."""
    flat = np.concatenate([k.ravel() for k in r.kernels[:-1]])
    return weight_stats(flat)

