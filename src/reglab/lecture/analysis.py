"""Turns the lecture's trained runs into numbers, figure data and conclusions, section by section.

Every conclusion is computed from the results: when a run contradicts the lecture, the text says so.
Figure data is stored with the numbers (arrays packed by :mod:`reglab.views.report.codec`) so that the report can
be rebuilt from ``results.json`` without training.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reglab.data import load
from reglab.measures import FitThresholds, paired_test, summarize
from reglab.measures.boundary import boundary_complexity, boundary_grid, grid_predictions
from reglab.measures.weights import weight_stats
from reglab.runs import RunResult
from reglab.views.report.codec import pack

Arms = list[tuple[Any, list[RunResult]]]
CONFIDENCE = 0.95  # level of every interval over seeds
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
    """Scores, gap and verdicts of one arm over its seeds."""
    return {
        "label": label,
        "n": len(results),
        "diverged": sum(r.diverged for r in results),
        "train": stat(scores(results, "train")),
        "val": stat(scores(results, "val")),
        "test": stat(scores(results, "test")),
        "gap": stat([r.gap for r in ok(results)]),
        "epochs_run": stat([r.epochs_run for r in results]),
        "verdicts": verdicts(results),
        "verdict": majority(verdicts(results)),
    }


def fmt(s: dict | None, digits: int = 3) -> str:
    if s is None:
        return "n/a"
    return f"{s['mean']:.{digits}f} [{s['ci_low']:.{digits}f}, {s['ci_high']:.{digits}f}]"


def mean(s: dict | None) -> float:
    return float("nan") if s is None else s["mean"]


def paired(a: list[RunResult], b: list[RunResult], part: str = "test") -> dict | None:
    """Paired comparison of b − a over seeds (same seed = same split), on ``part``'s score."""
    pairs = [(x, y) for x, y in zip(a, b) if not (x.diverged or y.diverged)]
    if len(pairs) < 2:
        return None
    after = [getattr(y, part)[y.score_name] for _, y in pairs]
    before = [getattr(x, part)[x.score_name] for x, _ in pairs]
    return paired_test(after, before, CONFIDENCE)


def describe_difference(test: dict | None, what: str) -> str:
    if test is None:
        return f"{what}: too few seeds to compare"
    d, lo, hi = test["mean_diff"], test["ci_low"], test["ci_high"]
    if lo > 0:
        word = "higher"
    elif hi < 0:
        word = "lower"
    else:
        word = "not distinguishable from zero"
    p = "" if test["p_value"] is None else f", p = {test['p_value']:.3f}"
    return f"{what}: {d:+.3f} (95% CI [{lo:+.3f}, {hi:+.3f}]{p}), {word}"


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
        field = {"proba": pack(pred["proba"], "float16")} if r.task == "binary" else {"label": pack(pred["label"], "int8")}
        panels.append(
            {
                "title": title,
                "subtitle": f"train {r.train[r.score_name]:.2f} · test {r.test[r.score_name]:.2f} · {complexity['regions']} regions",
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


def hidden_weight_stats(r: RunResult) -> dict:
    """Weight statistics of all hidden kernels taken together."""
    flat = np.concatenate([k.ravel() for k in r.kernels[:-1]])
    return weight_stats(flat)

