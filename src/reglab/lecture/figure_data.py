"""What the lecture's figures draw, saved beside the numbers so that the report is drawn again from ``results.json``
without training: decision-boundary grids (arrays packed by :mod:`reglab.views.report.codec`), loss curves and the
reference lines of an accuracy plot; and the boundaries' length and regions over seeds, measured on the same grids.
"""

from __future__ import annotations

import numpy as np

from reglab.data import load
from reglab.lecture.scores import test_score
from reglab.lecture.summaries import stat
from reglab.measures.boundary import boundary_complexity, boundary_grid, grid_predictions
from reglab.measures.ceiling import data_ceiling
from reglab.runs import RunResult
from reglab.views.report.codec import pack

__all__ = ["boundary_panels", "complexity_over_seeds", "curve", "raw_points", "references"]


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
