"""Turns the lecture's trained runs into numbers, figure data and conclusions, section by section.

Every conclusion is computed from the results: when a run contradicts the lecture, the text says so.
Figure data is stored with the numbers (arrays packed by :mod:`reglab.views.report.codec`) so that the report can
be rebuilt from ``results.json`` without training.
"""

from __future__ import annotations

import numpy as np

from reglab.data import load
from reglab.lecture.compare import CONFIDENCE, Best, clip, compare, describe
from reglab.measures import FitThresholds, summarize, verdict_counts
from reglab.measures.boundary import boundary_complexity, boundary_grid, grid_predictions
from reglab.measures.ceiling import data_ceiling
from reglab.measures.weights import weight_stats
from reglab.runs import RunResult
from reglab.views.report.codec import pack

THRESHOLDS = FitThresholds()  # of every verdict


# small pieces ------------------------------------------------------------------------------------


def ok(results: list[RunResult]) -> list[RunResult]:
    return [r for r in results if not r.diverged]


def stat(values: list[float]) -> dict | None:
    values = [float(v) for v in values if v is not None and np.isfinite(v)]
    return summarize(values, CONFIDENCE) if values else None


def scores(results: list[RunResult], part: str) -> list[float]:
    return [getattr(r, part)[r.score_name] for r in ok(results)]


def verdicts(results: list[RunResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in results:
        v = r.verdict(THRESHOLDS) or "diverged"
        counts[v] = counts.get(v, 0) + 1
    return counts


def majority(counts: dict[str, int]) -> str:
    return max(counts, key=counts.get) if counts else "n/a"


def arm_summary(label: str, results: list[RunResult]) -> dict:
    """Scores (intervals clipped to [0, 1]), gap (train − the part that chose nothing) and verdicts of one
    arm over its seeds; ``verdict_text`` reads "k of n seeds"."""
    return {
        "label": label,
        "n": len(results),
        "diverged": sum(r.diverged for r in results),
        "train": clip(stat(scores(results, "train"))),
        "val": clip(stat(scores(results, "val"))),
        "test": clip(stat(scores(results, "test"))),
        "gap": stat([r.gap for r in ok(results)]),
        "gap_on": sorted({r.held_out[0] for r in ok(results)}),
        "epochs_run": stat([r.epochs_run for r in results]),
        "verdicts": verdicts(results),
        "verdict": majority(verdicts(results)),
        "verdict_text": verdict_counts([r.verdict(THRESHOLDS) for r in results]),
    }


def fmt(s: dict | None, digits: int = 3) -> str:
    if s is None:
        return "n/a"
    return f"{s['mean']:.{digits}f} [{s['ci_low']:.{digits}f}, {s['ci_high']:.{digits}f}]"


def mean(s: dict | None) -> float:
    return float("nan") if s is None else s["mean"]


def paired(a: list[RunResult], b: list[RunResult], part: str = "test") -> dict | None:
    """Paired comparison of b − a over seeds (same seed = same split) on ``part``'s score, with its word
    (:mod:`reglab.lecture.compare`); a diverged run leaves its pair out."""
    score = lambda r: float("nan") if r.diverged else getattr(r, part)[r.score_name]  # noqa: E731
    return compare([score(x) for x in a], [score(y) for y in b])


def per_seed(results: list[RunResult], value) -> list[float]:
    """``value(result)`` for every seed, NaN for a diverged run (so pairs stay aligned)."""
    return [float("nan") if r.diverged else float(value(r)) for r in results]


def describe_difference(test: dict | None, what: str) -> str:
    return describe(test, what)


def test_scores(results: list[RunResult]) -> list[float]:
    """Test score per seed (NaN for a diverged run)."""
    return per_seed(results, lambda r: r.test[r.score_name])


SCORE_COLUMNS = ["configuration", "train", "validation", "test", "gap", "verdict"]


def score_rows(summaries: list[dict]) -> list[list[str]]:
    return [[s["label"], fmt(s["train"]), fmt(s["val"]), fmt(s["test"]), fmt(s["gap"]), s["verdict_text"]] for s in summaries]


def best_sentence(best: Best, what: str, digits: int = 3, name=lambda key: key, most: int = 6) -> str:
    """"<what>: A (0.930), distinguishably better than every other" or "..., tied exactly with B and not
    distinguishable from C (paired tests over seeds): no single best"; ``name`` turns keys into labels, and
    more than ``most`` peers are counted rather than named."""
    head = f"{what}: {name(best['best'])} ({best['mean']:.{digits}f})"
    if not best["peers"]:
        return head + ", distinguishably better than every other (paired tests, p < 0.05)"
    ties = [k for k in best["peers"] if best["tests"][k] and best["tests"][k]["word"] == "tie"]
    rest = [k for k in best["peers"] if k not in ties]
    parts = []
    if ties:
        parts.append("tied exactly with " + ", ".join(map(name, ties)))
    if rest:
        shown = ", ".join(map(name, rest)) if len(rest) <= most else f"{len(rest)} others"
        parts.append("not distinguishable from " + shown)
    return head + ", " + " and ".join(parts) + " (paired tests over seeds): no single best"


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
        regions = f"{complexity['regions']} region{'' if complexity['regions'] == 1 else 's'}"
        field = {"proba": pack(pred["proba"], "float16")} if r.task == "binary" else {"label": pack(pred["label"], "int8")}
        panels.append(
            {
                "title": title,
                "subtitle": f"train {r.train[r.score_name]:.2f} · test {r.test[r.score_name]:.2f} · {regions}",
                **field,
                "X_train": pack(raw_points(split, "train"), "float16"),
                "y_train": pack(split.y_train, "int8"),
                "X_test": pack(raw_points(split, "test"), "float16"),
                "y_test": pack(split.y_test, "int8"),
                "complexity": complexity,
            }
        )
    x_axis, y_axis = xx[0], yy[:, 0]
    return {"x": pack(x_axis, "float32"), "y": pack(y_axis, "float32"), "panels": panels}


def complexity_over_seeds(results: list[RunResult], resolution: int) -> dict:
    lengths, regions = [], []
    for r in ok(results):
        split = load(r.data)
        pts = np.vstack([raw_points(split, "train"), raw_points(split, "test")])
        xx, yy = boundary_grid(pts, resolution=resolution, margin=0.08)
        transform = None if split.x_mean is None else split.transform
        c = boundary_complexity(grid_predictions(xx, yy, r.kernels, r.biases, r.config.activation, r.task, transform)["label"], xx, yy)
        lengths.append(c["length"])
        regions.append(c["regions"])
    return {"length": stat(lengths), "regions": stat(regions)}


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

