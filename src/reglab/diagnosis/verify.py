"""Verify: retrain the baseline and the chosen configuration on fresh seeds, pair them, test the difference.

For each fresh seed ``s`` both models train on the same split (the one every phase used) with the
same seed, and are evaluated on its test part, which nothing before has seen. With
``d_s = tuned_s − baseline_s`` for the test score and for the test data loss, the report gives the
mean of ``d``, its Student-t 95% interval and the two-sided p-value of the paired t-test
(:func:`reglab.measures.paired_test`); the difference is *significant* when ``p < 0.05``. A seed on
which either model diverged is left out of the pairs.

Also: the shrinkage of the weights, per layer (range, L2 norm ``√Σw²`` and mean ``|w|`` of each
kernel, averaged over seeds, before and after, and their ratio), and for 2-D classification the
length of the decision boundary (:func:`reglab.measures.boundary_length` on a 200-point grid over the
training and test points, in raw units).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from reglab.config import DataConfig, RunConfig
from reglab.measures import boundary_grid, boundary_length, grid_predictions, paired_test, summarize
from reglab.runs import Run, RunResult, train_runs

__all__ = ["ALPHA", "Verification", "advice", "boundary_lengths", "compare", "shrinkage", "verify"]

ALPHA = 0.05  # significance level of the paired test
RESOLUTION = 200  # grid points along the longer side, for boundary lengths


@dataclass
class Verification:
    baseline: list[RunResult]
    tuned: list[RunResult]
    document: dict[str, Any]


def compare(tuned: list[float], baseline: list[float], confidence: float = 0.95) -> dict[str, Any]:
    """The paired difference ``tuned − baseline``: mean, interval, p-value and whether it is significant."""
    test = paired_test(tuned, baseline, confidence)
    p = test["p_value"]
    return {
        "difference": test["mean_diff"], "ci95": [test["ci_low"], test["ci_high"]], "p_value": p,
        "significant": p is not None and p < ALPHA, "t": test["t"], "n": test["n"], "wins": test["wins"], "losses": test["losses"],
    }  # fmt: skip


def layer_shrinkage(results: list[RunResult]) -> list[dict[str, float]]:
    """Per layer, averaged over seeds: the kernel's min, max, L2 norm and mean |w|."""
    rows = []
    for layer in range(len(results[0].kernels)):
        kernels = [np.asarray(r.kernels[layer], dtype=np.float64) for r in results]
        rows.append({
            "min": float(np.mean([k.min() for k in kernels])), "max": float(np.mean([k.max() for k in kernels])),
            "l2": float(np.mean([np.sqrt(np.sum(k * k)) for k in kernels])),
            "mean_abs": float(np.mean([np.abs(k).mean() for k in kernels])),
        })  # fmt: skip
    return rows


def shrinkage(baseline: list[RunResult], tuned: list[RunResult]) -> list[dict[str, Any]]:
    """Each layer's weights before (baseline) and after (tuned), and the ratio of L2 norms after/before."""
    before, after = layer_shrinkage(baseline), layer_shrinkage(tuned)
    n = len(before)
    return [
        {"layer": "output" if i == n - 1 else f"hidden {i + 1}", "before": b, "after": a,
         "l2_ratio": a["l2"] / b["l2"] if b["l2"] else None}
        for i, (b, a) in enumerate(zip(before, after))
    ]


def raw(split, X: np.ndarray) -> np.ndarray:
    return X if split.x_mean is None else X * split.x_scale + split.x_mean


def boundary_lengths(results: list[RunResult]) -> list[float]:
    """The decision boundary's length of each run, on one grid over its split's training and test points."""
    split = results[0].split
    xx, yy = boundary_grid(np.vstack([raw(split, split.X_train), raw(split, split.X_test)]), RESOLUTION)
    lengths = []
    for r in results:
        labels = grid_predictions(xx, yy, r.kernels, r.biases, r.config.activation, r.task, transform=r.split.transform)["label"]
        lengths.append(boundary_length(labels, xx, yy))
    return lengths


def advice(loss: dict[str, Any], n_train: int) -> str:
    """What the verification means, in a sentence; what would help when it is not significant."""
    low, high = loss["ci95"]
    if loss["significant"] and loss["difference"] < 0:
        where = f"p = {loss['p_value']:.2g}, 95% interval [{low:.4f}, {high:.4f}]"
        return f"The tuned model's test loss is lower on fresh seeds, significantly ({where})."
    if loss["significant"]:
        return (f"The tuned model's test loss is higher on fresh seeds (p = {loss['p_value']:.2g}): keep the baseline, "
                "or search again with a wider budget.")  # fmt: skip
    return (
        f"The difference is not significant (p = {loss['p_value'] if loss['p_value'] is None else round(loss['p_value'], 3)}, "
        f"95% interval [{low:.4f}, {high:.4f}] includes 0): the gain may be noise. More seeds (--seeds) narrow the interval; "
        f"more data than {n_train} training rows would let a real effect show."
    )


def verify(
    data: DataConfig,
    baseline: RunConfig,
    tuned: RunConfig,
    seeds: range,
    *,
    device: str = "cpu",
    confidence: float = 0.95,
    progress: Callable[[str], None] | None = None,
) -> Verification:
    """Trains both models on every seed of ``seeds`` and compares them; see the module docstring."""
    if progress:
        progress(f"verify: retraining the baseline and the chosen configuration on {len(seeds)} fresh seeds ({seeds[0]}…{seeds[-1]})")
    runs = [Run(c.replace(seed=s), data) for s in seeds for c in (baseline, tuned)]
    results = train_runs(runs, device=device)
    pairs = [(b, t) for b, t in zip(results[0::2], results[1::2]) if not (b.diverged or t.diverged)]
    if len(pairs) < 2:
        raise ValueError(f"The verification needs at least 2 seeds on which neither model diverged. Got {len(pairs)} instead.")
    before, after = [b for b, _ in pairs], [t for _, t in pairs]
    score = before[0].score_name
    side = lambda rs, key: summarize([r.test[key] for r in rs], confidence)  # noqa: E731
    tests = {arm: {"score": side(rs, score), "loss": side(rs, "data_loss")} for arm, rs in (("baseline", before), ("tuned", after))}
    loss = compare([r.test["data_loss"] for r in after], [r.test["data_loss"] for r in before], confidence)
    gain = compare([r.test[score] for r in after], [r.test[score] for r in before], confidence)
    document = {
        "seeds": list(seeds), "pairs": len(pairs), "score": score,
        "baseline_test": tests["baseline"], "tuned_test": tests["tuned"],
        **{k: loss[k] for k in ("difference", "ci95", "p_value", "significant")}, "measure": "test data loss, tuned − baseline",
        "loss": loss, "score_difference": gain, "advice": advice(loss, len(before[0].split.X_train)),
        "shrinkage": shrinkage(before, after), "boundary_length": None,
        "per_seed": [{"seed": b.config.seed, "baseline": {"score": b.test[score], "loss": b.test["data_loss"]},
                      "tuned": {"score": t.test[score], "loss": t.test["data_loss"]}} for b, t in pairs],
    }  # fmt: skip
    if before[0].task != "regression" and before[0].split.n_features == 2:
        lb, la = boundary_lengths(before), boundary_lengths(after)
        lengths = {"baseline": summarize(lb, confidence), "tuned": summarize(la, confidence)}
        document["boundary_length"] = {**lengths, **compare(la, lb, confidence)}
    return Verification(before, after, document)
