"""Tests of reglab.measures: weight statistics, dead units, Student-t statistics and the fit verdict."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reglab import measures
from reglab.measures import (
    FitThresholds,
    dead_relu_units,
    dead_units,
    explain,
    generalization_gap,
    hidden_activations,
    kind_of,
    layer_stats,
    paired_test,
    skill,
    summarize,
    verdict,
    weight_stats,
)
from reglab.rules import ACTIVATIONS


def test_all_is_sorted_and_complete():
    assert measures.__all__ == sorted(measures.__all__)
    public = {name for name in vars(measures) if not name.startswith("_")}
    modules = {
        "boundary", "ceiling", "fit", "forward", "stats", "weights", "annotations", "population", "inference", "fit_intervals", "judging",
    }  # fmt: skip
    assert public - modules == set(measures.__all__)


# weights ------------------------------------------------------------------------------------------


def test_weight_stats_against_numpy():
    w = np.random.default_rng(0).normal(size=(7, 5))
    w[0, :3] = 0.0
    w[1, 0] = 5e-4
    s = weight_stats(w)
    q1, median, q3 = np.percentile(w, [25, 50, 75])
    assert (s["q1"], s["median"], s["q3"]) == pytest.approx((q1, median, q3))
    assert s["l2"] == pytest.approx(np.linalg.norm(w))  # Frobenius norm
    assert s["sum_sq"] == pytest.approx(np.linalg.norm(w) ** 2)
    assert s["l1"] == pytest.approx(np.abs(w).sum())
    assert s["mean"] == pytest.approx(w.mean()) and s["std"] == pytest.approx(w.std())
    assert (s["min"], s["max"], s["n"]) == (w.min(), w.max(), 35)
    assert s["exact_zero"] == pytest.approx(3 / 35)
    assert s["near_zero"] == pytest.approx(4 / 35)  # the exact zeros and 5e-4
    assert all(type(v) in (float, int) for v in s.values())


def test_whiskers_with_an_outlier_by_hand():
    # q1 = 3, q3 = 7, IQR = 4: the whiskers reach the extreme points inside [-3, 13]
    s = weight_stats(np.array([1, 2, 3, 4, 5, 6, 7, 8, 100.0]))
    assert (s["q1"], s["median"], s["q3"]) == (3.0, 5.0, 7.0)
    assert (s["whisker_low"], s["whisker_high"]) == (1.0, 8.0)
    assert s["max"] == 100.0


@pytest.mark.parametrize("seed", range(5))
def test_whiskers_match_matplotlib_boxplot(seed):
    from matplotlib import cbook

    rng = np.random.default_rng(seed)
    w = np.concatenate([rng.standard_t(2, size=40), [0.0, 0.0]])
    expected = cbook.boxplot_stats(w)[0]
    s = weight_stats(w)
    assert s["whisker_low"] == pytest.approx(expected["whislo"])
    assert s["whisker_high"] == pytest.approx(expected["whishi"])
    assert (s["q1"], s["q3"]) == pytest.approx((expected["q1"], expected["q3"]))


def test_weight_stats_rejects_empty_and_bad_threshold():
    with pytest.raises(ValueError) as err:
        weight_stats(np.array([]))
    assert str(err.value) == (
        "The 'w' parameter must be a non-empty array of weights. Got an empty array instead."
    )
    with pytest.raises(ValueError) as err:
        weight_stats(np.ones(3), near_zero=-1.0)
    assert str(err.value) == "The 'near_zero' parameter must be a finite float >= 0. Got -1.0 instead."


def test_dead_units_hand_made_matrix():
    activations = np.array([[0.0, 1.0, 0.0, 2.0], [0.0, 0.0, 3.0, 0.0], [0.0, 0.5, 0.0, 0.0]])
    assert dead_units(activations) == 0.25  # only column 0 is zero for every sample
    assert dead_units(np.zeros((2, 3))) == 1.0
    assert dead_units(np.ones((2, 3))) == 0.0


def test_dead_units_rejects_empty():
    with pytest.raises(ValueError) as err:
        dead_units(np.zeros((0, 3)))
    assert str(err.value) == (
        "The 'activations' parameter must be a 2-D [n_samples, n_units] array with at least one "
        "sample and one unit. Got shape (0, 3) instead."
    )


# A hand-worked network: 2 inputs -> 3 -> 2 -> 1.
X = np.array([[1.0, -1.0], [2.0, -2.0]])
KERNELS = [
    np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]]),  # pre-activations [[1,-1,-1],[2,-2,-1]] with the bias
    np.array([[1.0, -1.0], [0.0, 0.0], [0.0, 0.0]]),  # relu(h1) = [[1,0,0],[2,0,0]] -> [[1,-1],[2,-2]]
    np.array([[1.0], [1.0]]),
]
BIASES = [np.array([0.0, 0.0, -1.0]), np.zeros(2), np.zeros(1)]


def test_dead_relu_units_hand_worked():
    assert dead_relu_units(X, KERNELS, BIASES) == pytest.approx([2 / 3, 1 / 2])
    # without the bias the third unit outputs exactly 0, still dead
    assert dead_relu_units(X, KERNELS) == pytest.approx([2 / 3, 1 / 2])


@pytest.mark.parametrize("activation", [a for a in ACTIVATIONS if a != "relu"])
def test_dead_units_zero_for_every_activation_but_relu(activation):
    assert dead_relu_units(X, KERNELS, BIASES, activation) == [0.0, 0.0]


def test_hidden_activations_values():
    z = np.array([[1.0, -1.0]])
    identity = [np.eye(2), np.eye(2)]
    gelu = np.array([[0.8413447460685429, -0.15865525393145707]])  # x·Φ(x) at ±1
    assert hidden_activations(z, identity, activation="gelu")[0] == pytest.approx(gelu)
    assert hidden_activations(z, identity, activation="sigmoid")[0] == pytest.approx(1 / (1 + np.exp(-z)))
    assert hidden_activations(z, identity, activation="tanh")[0] == pytest.approx(np.tanh(z))
    with pytest.raises(ValueError) as err:
        hidden_activations(z, identity, activation="elu")
    assert str(err.value) == (
        "The 'activation' parameter must be one of relu, tanh, sigmoid, gelu, linear. Got 'elu' instead."
    )


def test_every_configured_activation_has_a_numpy_form():
    from reglab.measures.forward import ACTIVATION_FUNCTIONS

    assert tuple(ACTIVATION_FUNCTIONS) == ACTIVATIONS
    z = np.linspace(-3, 3, 7)[None, :]
    for name in ACTIVATIONS:  # each is applied by hidden_activations, shape kept
        assert hidden_activations(z, [np.eye(7), np.eye(7)], activation=name)[0].shape == (1, 7)


def test_layer_stats():
    rows = layer_stats(KERNELS, BIASES, X)
    assert [r["name"] for r in rows] == ["hidden 1", "hidden 2", "output"]
    assert [r["layer"] for r in rows] == [0, 1, 2]
    assert [r["shape"] for r in rows] == [[2, 3], [3, 2], [2, 1]]
    assert [r["dead_units"] for r in rows] == pytest.approx([2 / 3, 1 / 2, None])
    assert rows[0]["l1"] == 2.0 and rows[0]["exact_zero"] == pytest.approx(4 / 6)
    assert rows[1] == {**rows[1], **weight_stats(KERNELS[1])}
    assert [r["dead_units"] for r in layer_stats(KERNELS)] == [None, None, None]


# stats --------------------------------------------------------------------------------------------

KNOWN_T_975 = [(2, 4.3026527), (4, 2.7764451), (10, 2.2281389), (30, 2.0422725)]


@pytest.mark.parametrize(("n", "t_975"), [(df + 1, t) for df, t in KNOWN_T_975])
def test_summarize_interval_uses_the_tabulated_t_quantile(n, t_975):
    values = np.arange(n, dtype=float) ** 2
    s = summarize(values)
    half = t_975 * values.std(ddof=1) / math.sqrt(n)
    assert (s["ci_low"], s["ci_high"]) == pytest.approx((values.mean() - half, values.mean() + half), rel=1e-7)


def test_summarize_and_paired_test_match_earlier_results():
    # values that reglab gave before it took the t distribution from scipy (incomplete beta by hand)
    assert summarize([0.81, 0.84, 0.79, 0.86, 0.83]) == pytest.approx(
        {"n": 5, "mean": 0.826, "std": 0.02701851217221256, "ci_low": 0.7924520861507335, "ci_high": 0.8595479138492664}, abs=1e-12
    )
    assert summarize([0.5, 0.7], confidence=0.9) == pytest.approx(
        {"n": 2, "mean": 0.6, "std": 0.14142135623730948, "ci_low": -0.03137515146750314, "ci_high": 1.231375151467503}, abs=1e-12
    )
    r = paired_test([0.91, 0.88, 0.93, 0.90], [0.87, 0.86, 0.90, 0.91])
    assert r == pytest.approx({"n": 4, "mean_diff": 0.02, "ci_low": -0.014374348818583092, "ci_high": 0.05437434881858313,
                               "t": 1.8516401995451028, "p_value": 0.16116184721351945, "wins": 3, "ties": 0, "losses": 1}, abs=1e-12)
    r = paired_test([0.8, 0.82, 0.79], [0.78, 0.8, 0.8], confidence=0.99)
    expected = (-0.08924843200918285, 0.10924843200918279, 0.4226497308103754)
    assert (r["ci_low"], r["ci_high"], r["p_value"]) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_paired_test_agrees_with_scipy(seed):
    from scipy import stats

    rng = np.random.default_rng(seed)
    a = rng.normal(0.85, 0.03, size=3 + seed)
    b = a - rng.normal(0.01, 0.02, size=a.size)
    r = paired_test(a, b)
    expected = stats.ttest_rel(a, b)
    interval = expected.confidence_interval(0.95)
    assert (r["t"], r["p_value"]) == pytest.approx((expected.statistic, expected.pvalue), rel=1e-10)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((interval.low, interval.high), rel=1e-10)


def test_paired_test_of_differences_equal_up_to_rounding_does_not_warn():
    # 0.95 − 0.9, 0.9 − 0.85 and 0.85 − 0.8 differ in the last bits: scipy's ttest_rel warns here
    r = paired_test([0.95, 0.9, 0.85], [0.9, 0.85, 0.8])
    assert r["t"] > 1e12 and r["p_value"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 95, True])
def test_summarize_rejects_a_confidence_outside_0_1(confidence):
    with pytest.raises(ValueError) as err:
        summarize([1.0, 2.0], confidence)
    assert str(err.value) == f"The 'confidence' parameter must be a float in (0, 1). Got {confidence!r} instead."


def test_summarize_by_hand():
    s = summarize([1, 2, 3, 4, 5])
    half = 2.7764451 * 1.5811388 / math.sqrt(5)
    assert s["n"] == 5 and s["mean"] == 3.0
    assert s["std"] == pytest.approx(1.5811388, abs=1e-7)
    assert (s["ci_low"], s["ci_high"]) == pytest.approx((3 - half, 3 + half), abs=1e-6)


def test_summarize_single_value_and_errors():
    assert summarize([0.7]) == {"n": 1, "mean": 0.7, "std": 0.0, "ci_low": 0.7, "ci_high": 0.7}
    with pytest.raises(ValueError) as err:
        summarize([])
    assert str(err.value) == (
        "The 'values' parameter must hold at least one number. Got an empty sequence instead."
    )
    with pytest.raises(ValueError) as err:
        summarize([1.0, float("nan")])
    assert str(err.value) == (
        "The 'values' parameter must hold finite numbers; leave diverged runs out. Got [1.0, nan] instead."
    )


def test_paired_test_by_hand():
    # d = [1, 2, 3, 4, 5]: t = 3 / (1.5811388 / sqrt 5) = 4.2426407, df = 4
    r = paired_test([3, 4, 5, 6, 7], [2, 2, 2, 2, 2])
    half = 2.7764451 * 1.5811388 / math.sqrt(5)
    assert r["n"] == 5 and r["mean_diff"] == 3.0
    assert r["t"] == pytest.approx(4.2426407, abs=1e-6)
    assert r["p_value"] == pytest.approx(0.0132356, abs=1e-7)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((3 - half, 3 + half), abs=1e-6)
    assert (r["wins"], r["ties"], r["losses"]) == (5, 0, 0)


def test_paired_test_edge_cases():
    one = paired_test([0.9], [0.8])
    assert one["p_value"] is None and one["t"] is None and one["mean_diff"] == pytest.approx(0.1)
    same = paired_test([0.5, 0.6, 0.7], [0.5, 0.6, 0.7])
    assert (same["t"], same["p_value"], same["ties"]) == (0.0, 1.0, 3)
    shifted = paired_test([1.0, 2.0, 3.0], [0.0, 1.0, 2.0])
    assert (shifted["t"], shifted["p_value"], shifted["wins"]) == (math.inf, 0.0, 3)
    mixed = paired_test([1.0, 0.0, 2.0], [0.0, 1.0, 2.0])
    assert (mixed["wins"], mixed["ties"], mixed["losses"]) == (1, 1, 1)
    with pytest.raises(ValueError) as err:
        paired_test([1.0, 2.0], [1.0])
    assert str(err.value) == "The 'a' and 'b' parameters must have the same length. Got 2 and 1 instead."


def test_paired_test_is_antisymmetric():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=6), rng.normal(size=6)
    ab, ba = paired_test(a, b), paired_test(b, a)
    assert ab["t"] == pytest.approx(-ba["t"]) and ab["p_value"] == pytest.approx(ba["p_value"])
    assert ab["wins"] == ba["losses"]


# fit ----------------------------------------------------------------------------------------------


def test_skill_and_gap():
    assert skill(0.75, "classification", 0.5) == 0.5
    assert skill(0.5, "classification", 0.5) == 0.0
    assert skill(1.0, "classification", 0.9) == pytest.approx(1.0)
    assert skill(-0.25, "regression") == -0.25
    assert generalization_gap(0.9, 0.75) == pytest.approx(0.15)


def test_skill_rejects_bad_arguments():
    with pytest.raises(ValueError) as err:
        skill(0.9, "ranking", 0.5)
    assert str(err.value) == (
        "The 'task' parameter must be one of classification, regression. Got 'ranking' instead."
    )
    with pytest.raises(ValueError) as err:
        skill(0.9, "classification")
    assert str(err.value) == (
        "The 'majority_rate' parameter must be a finite float in [0, 1) for classification "
        "(the share of the most frequent class). Got None instead."
    )


@pytest.mark.parametrize(("task", "kind"), [("binary", "classification"), ("multiclass", "classification"), ("regression", "regression")])
def test_kind_of_each_task(task, kind):
    assert kind_of(task) == kind and kind in measures.KINDS


def test_kinds_are_the_stated_task_choices_and_kind_of_rejects_a_kind():
    assert measures.KINDS == ("classification", "regression")
    with pytest.raises(ValueError) as err:
        kind_of("classification")
    assert str(err.value) == "The 'task' parameter must be one of binary, multiclass, regression. Got 'classification' instead."


VERDICT_CASES = [
    # train, held-out, task, majority rate, expected (no ceiling known: underfit_skill 0.1)
    (0.05, 0.05, "regression", None, "underfitting"),
    (0.1, 0.1, "regression", None, "good fit"),  # skill exactly at the threshold fits
    (0.35, 0.33, "regression", None, "good fit"),  # a modest R² on noisy data is not underfitting
    (0.09, -0.5, "regression", None, "underfitting"),  # underfitting wins over a large gap
    (0.75, 0.70, "regression", None, "good fit"),  # gap exactly 0.05 in decimal
    (0.75, 0.6999, "regression", None, "overfitting"),
    (0.95, 0.96, "regression", None, "good fit"),  # held-out better than train
    (0.55, 0.55, "classification", 0.5, "good fit"),  # skill 0.1, at the threshold
    (0.54, 0.54, "classification", 0.5, "underfitting"),  # skill 0.08
    (0.67, 0.66, "classification", 0.5, "good fit"),  # noisy table, best anything reaches
    (0.97, 0.86, "classification", 0.5, "overfitting"),
    (0.97, 0.92, "classification", 0.5, "good fit"),
    (0.905, 0.905, "classification", 0.9, "underfitting"),  # 90.5% on a 90/10 problem is skill 0.05
]


@pytest.mark.parametrize(("train", "held_out", "task", "majority", "expected"), VERDICT_CASES)
def test_verdict_table(train, held_out, task, majority, expected):
    assert verdict(train, held_out, task, majority) == expected
    assert expected in measures.VERDICTS


CEILING_CASES = [
    # train, held-out, ceiling, expected (underfit_margin 0.03)
    (0.857, 0.84, 0.915, "underfitting"),  # a straight boundary on moons at noise 0.3
    (0.885, 0.86, 0.915, "good fit"),  # exactly the margin below the ceiling (0.915 − 0.03 in decimal)
    (0.8849, 0.70, 0.915, "underfitting"),  # underfitting wins over a large gap
    (0.93, 0.84, 0.915, "overfitting"),
    (0.92, 0.90, 0.915, "good fit"),
    (0.60, 0.58, 0.67, "underfitting"),  # a reference reached 0.67 on held-out data
    (0.65, 0.64, 0.67, "good fit"),  # level with the reference: not underfitting, though modest
]


@pytest.mark.parametrize(("train", "held_out", "ceiling", "expected"), CEILING_CASES)
def test_verdict_against_a_ceiling(train, held_out, ceiling, expected):
    assert verdict(train, held_out, "classification", 0.5, ceiling=ceiling) == expected


def test_a_ceiling_replaces_the_skill_rule():
    # skill 0.08 would be underfitting without a ceiling; a ceiling of 0.56 says the data allows no more
    assert verdict(0.54, 0.54, "classification", 0.5) == "underfitting"
    assert verdict(0.54, 0.54, "classification", 0.5, ceiling=0.56) == "good fit"
    # skill 0.7 would fit without a ceiling; against 0.99 it is far short
    assert verdict(0.85, 0.85, "classification", 0.5) == "good fit"
    assert verdict(0.85, 0.85, "classification", 0.5, ceiling=0.99) == "underfitting"


def test_verdict_custom_thresholds():
    loose = FitThresholds(gap=0.2, underfit_skill=0.0, underfit_margin=0.2)
    assert verdict(0.97, 0.86, "classification", 0.5, loose) == "good fit"
    assert verdict(0.3, 0.3, "regression", None, loose) == "good fit"
    assert verdict(0.3, 0.05, "regression", None, loose) == "overfitting"
    assert verdict(0.80, 0.80, "classification", 0.5, loose, ceiling=0.99) == "good fit"
    assert verdict(0.78, 0.80, "classification", 0.5, loose, ceiling=0.99) == "underfitting"


@pytest.mark.parametrize(
    ("verdicts", "text"),
    [
        (["underfitting"] * 4 + ["good fit"], "underfitting in 4 of 5 seeds, good fit in 1 of 5 seeds"),
        (["good fit", None], "diverged in 1 of 2 seeds, good fit in 1 of 2 seeds"),
        (["overfitting"], "overfitting in 1 of 1 seed"),
        ([], "no runs"),
    ],
)
def test_verdict_counts_read_k_of_n_seeds(verdicts, text):
    assert measures.verdict_counts(verdicts) == text


def test_verdict_rejects_diverged_scores():
    with pytest.raises(ValueError) as err:
        verdict(float("nan"), 0.5, "regression")
    assert str(err.value) == (
        "The 'train_score' parameter must be a finite float (a diverged run has no verdict). Got nan instead."
    )


SKILL_EXPECTED = "The 'underfit_skill' threshold must be a finite float in [0, 1]."


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"gap": -1}, "The 'gap' threshold must be a finite float >= 0. Got -1 instead."),
        ({"gap": float("inf")}, "The 'gap' threshold must be a finite float >= 0. Got inf instead."),
        ({"underfit_skill": 1.5}, f"{SKILL_EXPECTED} Got 1.5 instead."),
        ({"underfit_skill": True}, f"{SKILL_EXPECTED} Got True instead."),
        ({"underfit_margin": -0.01}, "The 'underfit_margin' threshold must be a finite float in [0, 1]. Got -0.01 instead."),
    ],
)
def test_threshold_validation(kwargs, message):
    with pytest.raises(ValueError) as err:
        FitThresholds(**kwargs)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (
            (0.97, 0.86, "classification", 0.5),
            "Train accuracy 0.97 vs validation 0.86: a gap of 0.11 > 0.05, so the model is overfitting.",
        ),
        (
            (0.53, 0.54, "classification", 0.5),
            "Train accuracy 0.53 vs validation 0.54: train chance-corrected skill 0.06 (majority class 0.50) "
            "< 0.1, so the model is underfitting.",
        ),
        (
            (0.92, 0.90, "regression"),
            "Train R² 0.92 vs validation 0.90: train skill 0.92 >= 0.1 and a gap of 0.02 <= 0.05, "
            "so the model is a good fit.",
        ),
        (
            (0.7501, 0.70, "regression"),  # just past the threshold: enough digits to show it
            "Train R² 0.75 vs validation 0.70: a gap of 0.0501 > 0.05, so the model is overfitting.",
        ),
        (
            (0.0999, 0.0999, "regression"),
            "Train R² 0.10 vs validation 0.10: train skill 0.0999 < 0.1, so the model is underfitting.",
        ),
    ],
)
def test_explain(args, sentence):
    assert explain(*args) == sentence


def test_explain_names_the_held_out_set():
    assert explain(0.92, 0.90, "regression", held_out_name="test").startswith("Train R² 0.92 vs test 0.90:")


def test_explain_against_a_ceiling():
    assert explain(0.85, 0.84, "classification", 0.5, ceiling=0.915) == (
        "Train accuracy 0.85 vs validation 0.84: train accuracy 0.85 < 0.885 (ceiling 0.915 − 0.03), so the model is underfitting."
    )
    assert explain(0.90, 0.88, "classification", 0.5, held_out_name="test", ceiling=0.915) == (
        "Train accuracy 0.90 vs test 0.88: train accuracy 0.90 >= 0.885 (ceiling 0.915 − 0.03) and a gap of 0.02 <= 0.05, "
        "so the model is a good fit."
    )
