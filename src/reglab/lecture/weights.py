"""The weight-distribution section: first-layer ranges against the lecture's, and the unpenalised output layer."""

from __future__ import annotations

import numpy as np

from reglab.lecture.analysis import fmt, mean, ok, per_seed, stat
from reglab.lecture.compare import compare, describe
from reglab.lecture.overfitting import with_without_l2
from reglab.lecture.plan import Arms, Section, Settings
from reglab.views.report import figures
from reglab.views.report.codec import pack

__all__ = ["WEIGHTS", "weights_prose"]

LECTURE_RANGES = {"none": (-2.78, 1.75), "l2": (-0.5, 0.3)}  # first-layer weights in the lecture's figure, by arm


def layer_stats(results) -> list[dict]:
    """Per kernel: min, max and std, each summarised over seeds."""
    good = ok(results)
    return [
        {key: stat([float(getattr(np, key)(r.kernels[k])) for r in good]) for key in ("min", "max", "std")}
        for k in range(len(good[0].kernels))
    ]


def weights_prose(n0: dict, n1: dict, out_std: dict | None) -> str:
    """The conclusion from the first-layer summaries without (``n0``) and with L2 (``n1``), and the paired
    test of the output-layer std (with − without)."""
    width0, width1 = mean(n0["max"]) - mean(n0["min"]), mean(n1["max"]) - mean(n1["min"])
    ratio = width0 / width1 if width1 > 0 else float("inf")
    text = (
        f"First-layer weights span [{mean(n0['min']):.2f}, {mean(n0['max']):.2f}] without a penalty and "
        f"[{mean(n1['min']):.2f}, {mean(n1['max']):.2f}] with L2 λ=0.01 (means over seeds): a range {ratio:.1f}× narrower, "
        f"standard deviation {mean(n0['std']):.3f} → {mean(n1['std']):.3f}. The lecture reports [-2.78, 1.75] and [-0.5, 0.3] "
        f"(6× narrower) for its own data and training length. "
    )
    text += (
        "L2 concentrates the first-layer weights near zero, as the lecture says. "
        if ratio > 1.2
        else "Contrary to the lecture, L2 did not visibly narrow the first-layer weights here. "
    )
    out0, out1 = mean(n0["layers"][-1]["std"]), mean(n1["layers"][-1]["std"])
    text += describe(out_std, "Output-layer weight std with L2 minus without", 2) + " "
    if out_std and out_std["word"] == "higher":
        return text + (
            f"({out0:.2f} → {out1:.2f}): the output layer, which the penalty does not touch, grows to compensate for the shrunken "
            "hidden layers, so not every weight moves toward zero. This is why the lecture leaves the output layer unpenalised: "
            "the network keeps its output scale."
        )
    return text + f"({out0:.2f} → {out1:.2f}): the unpenalised output layer did not distinguishably grow here."


def weights(arms: Arms, s: Settings) -> dict:
    rows, numbers, distributions, layers = [], {}, {}, {}
    for key in arms:
        label, results = arms.label(key), arms.results(key)
        per_layer = layer_stats(results)
        for k, entry in enumerate(per_layer):
            lecture = LECTURE_RANGES.get(key) if k == 0 else None
            name = "output" if k == len(per_layer) - 1 else f"hidden {k + 1}"
            shown = f"[{lecture[0]}, {lecture[1]}]" if lecture else "—"
            rows.append([label, name, fmt(entry["min"]), fmt(entry["max"]), fmt(entry["std"]), shown])
        numbers[label] = {**per_layer[0], "layers": per_layer}
        distributions[label] = pack(results[0].kernels[0].ravel(), "float32")
        layers[label] = [pack(k.ravel(), "float32") for k in results[0].kernels]
    plain, reg = arms.results("none"), arms.results("l2")
    n0, n1 = numbers[arms.label("none")], numbers[arms.label("l2")]
    output_std = lambda r: np.std(r.kernels[-1])  # noqa: E731
    out_std = compare(per_seed(plain, output_std), per_seed(reg, output_std))
    ratio = (mean(n0["max"]) - mean(n0["min"])) / max(mean(n1["max"]) - mean(n1["min"]), 1e-12)
    return {
        "tests": {"output_std_change": out_std},
        "table": {"columns": ["model", "layer", "min", "max", "std", "lecture's range"], "rows": rows},
        "figures": {
            "first_layer": distributions, "layers": layers,
            "output_std": [per_seed(plain, output_std), per_seed(reg, output_std)],  # per seed, for a paired figure
            "references": {"lecture's max |w|, no penalty": 2.78, "with L2": 0.5},
        },  # fmt: skip
        "numbers": numbers,
        "conclusion": weights_prose(n0, n1, out_std),
        "headline": (
            f"First-layer range [{mean(n0['min']):.2f}, {mean(n0['max']):.2f}] → [{mean(n1['min']):.2f}, {mean(n1['max']):.2f}] "
            f"with L2 ({ratio:.1f}× narrower)."
        ),
    }


WEIGHTS = Section("weights", "Weight distributions", with_without_l2, weights, figures.weights)
