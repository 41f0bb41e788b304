"""The weight-distribution section: first-layer ranges against the lecture's, L2's small-but-not-zero weights, the
unpenalised output layer, and an arm that penalises the output layer too."""

from __future__ import annotations

import numpy as np

from reglab.lecture.compare import Family, describe, said, word_of
from reglab.lecture.overfitting import with_without_l2
from reglab.lecture.plan import Arm, Arms, Section, Settings
from reglab.lecture.scores import hidden_weight_stats, ok, per_seed, test_scores
from reglab.lecture.summaries import arm_summary, fmt, mean, stat
from reglab.measures.weights import FLOAT32_TINY
from reglab.regularizers import L2
from reglab.views.report import figures
from reglab.views.report.codec import pack

__all__ = ["WEIGHTS", "weights_arms", "weights_prose"]

LECTURE_RANGES = {"none": (-2.78, 1.75), "l2": (-0.5, 0.3)}  # first-layer weights in the lecture's figure, by arm


def weights_arms(s: Settings) -> list[Arm]:
    """The pair, and L2 on the output kernel too (biases are never penalised: reglab has no switch for it)."""
    output = Arm("l2-output", "L2 λ = 0.01, output layer penalised too", {"penalty": L2(lam=0.01), "regularize_output": True})
    return with_without_l2(s) + [output]


def layer_stats(results) -> list[dict]:
    """Per kernel: min, max and std, each summarised over seeds."""
    good = ok(results)
    return [
        {key: stat([float(getattr(np, key)(r.kernels[k])) for r in good]) for key in ("min", "max", "std")}
        for k in range(len(good[0].kernels))
    ]


def _zeros(results) -> dict:
    """Exact zeros and near zeros (|w| < 1e-3) of the hidden kernels, over seeds."""
    stats = [hidden_weight_stats(r) for r in ok(results)]
    return {k: stat([w[k] for w in stats]) for k in ("exact_zero", "near_zero")}


def weights_prose(n0: dict, n1: dict, tests: dict, zeros: dict, output: dict | None) -> str:
    """The conclusion from the first-layer summaries without (``n0``) and with L2 (``n1``), the family's tests (``std``,
    ``range``, ``output_std``: L2 − none; ``output_test``: output penalised − hidden only), L2's zeros (``zeros``) and
    the output-penalised arm's summary."""
    width0, width1 = mean(n0["max"]) - mean(n0["min"]), mean(n1["max"]) - mean(n1["min"])
    ratio = width0 / width1 if width1 > 0 else float("inf")
    text = (
        f"First-layer weights span [{mean(n0['min']):.2f}, {mean(n0['max']):.2f}] without a penalty and "
        f"[{mean(n1['min']):.2f}, {mean(n1['max']):.2f}] with L2 λ = 0.01 (means over seeds): {ratio:.1f}× narrower. The lecture "
        f"reports [-2.78, 1.75] and [-0.5, 0.3] (6× narrower) for its own data and training length. "
        f"{describe(tests['std'], 'First-layer standard deviation with L2 minus without')}. "
        f"{describe(tests['range'], 'First-layer range (max − min) with L2 minus without', 2)}. "
    )
    pulled = word_of(tests["std"]) == "lower"
    text += "L2 pulls the first-layer weights toward zero, as the lecture says. " if pulled else "L2 did not shrink them distinguishably. "
    exact, near = mean(zeros["exact_zero"]), mean(zeros["near_zero"])
    text += (
        f"Under L2, {exact:.1%} of the hidden weights are exactly zero and {near:.1%} are below 1e-3: small but not zero, as the lecture "
        f"says (L2 never sets a weight to zero; an exact zero there is a weight that shrank below {FLOAT32_TINY:.1e} and was flushed). "
    )
    out0, out1 = mean(n0["layers"][-1]["std"]), mean(n1["layers"][-1]["std"])
    text += describe(tests["output_std"], f"Output-layer weight std, L2 on the hidden layers minus none ({out0:.2f} → {out1:.2f})", 2)
    text += (
        ": the unpenalised output layer grows to carry the scale the penalty takes from the hidden layers. "
        if word_of(tests["output_std"]) == "higher" else ": the unpenalised output layer did not distinguishably grow. "
    )  # fmt: skip
    if output is None:
        return text
    effect = {"lower": "penalising it costs test accuracy here", "higher": "penalising it raises test accuracy here"}
    return text + (
        f"With the output layer penalised too: {describe(tests['output_test'], 'test accuracy minus hidden-only L2')}; "
        f"{effect.get(word_of(tests['output_test']), 'penalising it makes no distinguishable difference to test accuracy here')}."
    )


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
        if key in LECTURE_RANGES:
            distributions[label] = pack(results[0].kernels[0].ravel(), "float32")
        layers[label] = [pack(k.ravel(), "float32") for k in results[0].kernels]
    plain, reg = arms.results("none"), arms.results("l2")
    first_std, first_range = (lambda r: np.std(r.kernels[0])), (lambda r: np.ptp(r.kernels[0]))
    output_std = lambda r: np.std(r.kernels[-1])  # noqa: E731
    family = Family("weights")
    tests = {
        "std": family.compare("first-layer std, L2 − none", per_seed(plain, first_std), per_seed(reg, first_std)),
        "range": family.compare("first-layer range, L2 − none", per_seed(plain, first_range), per_seed(reg, first_range)),
        "output_std": family.compare("output-layer std, L2 − none", per_seed(plain, output_std), per_seed(reg, output_std)),
        "output_test": None,
    }
    output = None
    if "l2-output" in arms:
        output = arm_summary(arms.label("l2-output"), arms.results("l2-output"))
        with_output = test_scores(arms.results("l2-output"))
        tests["output_test"] = family.compare("test accuracy, output penalised − hidden only", test_scores(reg), with_output)
    adjusted = family.adjust()
    n0, n1 = numbers[arms.label("none")], numbers[arms.label("l2")]
    zeros = _zeros(reg)
    ratio = (mean(n0["max"]) - mean(n0["min"])) / max(mean(n1["max"]) - mean(n1["min"]), 1e-12)
    return {
        "tests": {"output_std_change": tests["output_std"], **tests},
        "table": {"columns": ["model", "layer", "min", "max", "std", "lecture's range"], "rows": rows},
        "figures": {
            "first_layer": distributions, "layers": layers,
            "output_std": [per_seed(plain, output_std), per_seed(reg, output_std)],  # per seed, for a paired figure
            "references": {"lecture's max |w|, no penalty": 2.78, "with L2": 0.5},
        },  # fmt: skip
        "numbers": numbers,
        "l2_zeros": zeros,
        "output_arm": output,
        "family": adjusted,
        "conclusion": weights_prose(n0, n1, tests, zeros, output),
        "headline": (
            f"First-layer range [{mean(n0['min']):.2f}, {mean(n0['max']):.2f}] → [{mean(n1['min']):.2f}, {mean(n1['max']):.2f}] "
            f"with L2 ({ratio:.1f}× narrower, the lecture's 6×: range {said(tests['range'])}, std {said(tests['std'])}); "
            f"output-layer std {said(tests['output_std'])}; "
            f"penalising the output layer too: test accuracy {said(tests['output_test'])}."
        ),
    }


WEIGHTS = Section("weights", "Weight distributions", weights_arms, weights, figures.weights)
