"""The verdict with the uncertainty of its scores: hand-worked intervals, the size that would tell, and the Bayes rule
itself, judged on splits of the lecture's sizes, almost never called over- or underfitting."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from reglab.config import DataConfig
from reglab.data import load
from reglab.measures import explain, verdict
from reglab.measures.ceiling import bayes_accuracy, class_densities
from reglab.measures.fit import UNDECIDED
from reglab.measures.fit_intervals import fit_evidence, verdict_over_seeds


def test_the_binomial_interval_is_agresti_coulls_by_hand():
    evidence = fit_evidence(0.9, 0.9, "classification", 0.5, ceiling=0.915, train_n=100, held_out_n=100)
    z = stats.norm.ppf(0.975)
    p = (90 + z * z / 2) / (100 + z * z)
    half = z * math.sqrt(p * (1 - p) / (100 + z * z))
    assert evidence["train"] == pytest.approx([0.9, p - half, p + half])
    assert evidence["gap"] == pytest.approx([0.0, -math.hypot(half, half), math.hypot(half, half)])
    assert fit_evidence(1.0, 1.0, "classification", 0.5, train_n=20, held_out_n=20)["train"][2] == 1.0  # clipped, not 1.02


@pytest.mark.parametrize(
    ("train", "held_out", "n_train", "n_held", "expected"),
    [
        (0.99, 0.80, 105, 20_000, "overfitting"),  # gap 0.19, its interval well above 0.05
        (0.97, 0.91, 105, 20_000, UNDECIDED),  # gap 0.06: one point of 105 is 0.0095, the interval straddles 0.05
        (0.97, 0.91, 20_000, 20_000, "overfitting"),  # the same scores on large samples decide
        (0.70, 0.70, 105, 20_000, "underfitting"),  # far below 0.885 even at its interval's top
        (0.93, 0.925, 20_000, 20_000, "good fit"),
        (0.93, 0.925, 105, 60, UNDECIDED),  # the same model on the lecture's small splits: cannot tell
    ],
)
def test_over_and_underfitting_only_when_the_interval_clears(train, held_out, n_train, n_held, expected):
    assert verdict(train, held_out, "classification", 0.5, ceiling=0.915, train_n=n_train, held_out_n=n_held) == expected
    plain = verdict(train, held_out, "classification", 0.5, ceiling=0.915)  # the point rule: the same thresholds, no doubt
    short, gap = train < 0.915 - 0.03 - 1e-9, train - held_out > 0.05 + 1e-9
    assert plain == ("underfitting" if short else "overfitting" if gap else "good fit")


def test_cannot_tell_names_the_size_that_would_tell():
    evidence = fit_evidence(0.97, 0.91, "classification", 0.5, ceiling=0.915, train_n=105, held_out_n=20_000)
    assert evidence["verdict"] == UNDECIDED and evidence["scale"] > 1
    n_train, n_held = evidence["sizes"]
    grown = fit_evidence(0.97, 0.91, "classification", 0.5, ceiling=0.915, train_n=n_train + 1, held_out_n=n_held + 1)
    assert grown["verdict"] == "overfitting"  # at the size it names, the same scores are decided
    on_the_line = fit_evidence(0.95, 0.90, "classification", 0.5, ceiling=0.915, train_n=105, held_out_n=20_000)
    assert on_the_line["scale"] == math.inf and on_the_line["sizes"] is None  # a gap of exactly 0.05: no size tells
    text = explain(0.97, 0.91, "classification", 0.5, held_out_name="population", ceiling=0.915, train_n=105, held_out_n=20_000)
    assert text.startswith("Train accuracy 0.970 [") and text.endswith(f"({n_train:,} training, {n_held:,} held out) would.")


def test_the_sample_sizes_are_for_accuracies_only():
    with pytest.raises(ValueError) as err:
        verdict(0.9, 0.8, "regression", train_n=100, held_out_n=100)
    assert str(err.value) == (
        "The 'task' parameter must be 'classification' when sample sizes are given (binomial intervals). Got 'regression' instead."
    )
    with pytest.raises(ValueError) as err:
        verdict(0.9, 0.8, "classification", 0.5, train_n=0, held_out_n=100)
    assert str(err.value) == "The 'train_n' parameter must be an int >= 1 (the points behind the accuracy). Got 0 instead."


def test_over_seeds_the_t_intervals_decide_and_count_the_seeds_that_would_tell():
    overfit = verdict_over_seeds([0.99, 0.98, 1.0, 0.99], [0.86, 0.87, 0.85, 0.86], "binary", 0.5, ceiling=0.915)
    assert overfit["verdict"] == "overfitting" and overfit["seeds"] is None
    close = verdict_over_seeds([0.93, 0.94, 0.95, 0.92], [0.90, 0.905, 0.90, 0.91], "binary", 0.5, ceiling=0.915)
    assert close["verdict"] == UNDECIDED and close["seeds"] > 4  # gap 0.031 [0.005, 0.058]: straddles 0.05
    assert close["gap"]["mean"] == pytest.approx(0.03125)
    assert verdict_over_seeds([0.9], [0.9], "binary", 0.5, ceiling=0.915)["verdict"] == UNDECIDED  # one seed: no interval
    with pytest.raises(ValueError, match="same length >= 1. Got 2 and 5 instead"):
        verdict_over_seeds([0.9, 0.91], [0.9, 0.9, 0.9, 0.9, 0.9], "binary", 0.5)


SPLITS = {"moons": 0.3, "circles": 0.1, "xor": 0.15}  # the lecture's moons and the exercise's noise levels


def bayes_rule_scores(name: str, noise: float, seed: int) -> tuple[float, float, int, int, float]:
    """The Bayes rule's accuracy on the training and validation parts of one split of the lecture's sizes."""
    split = load(DataConfig(dataset=name, n_samples=200, noise=noise, standardize=False, test_size=0.3, val_size=0.25, seed=seed))
    rule = lambda X: np.argmax(class_densities(name, X, noise), axis=1)  # noqa: E731
    train, val = np.mean(rule(split.X_train) == split.y_train), np.mean(rule(split.X_val) == split.y_val)
    return float(train), float(val), len(split.y_train), len(split.y_val), split.majority_rate


def test_the_bayes_rule_is_almost_never_called_over_or_underfitting():
    """Property: the best possible classifier, judged on a split of the lecture's sizes (105 training, 35 validation
    points) against its own ceiling, is called over- or underfitting in at most 5% of seeds; the plain rule is not."""
    wrong_with, wrong_without = [], []
    for name, noise in SPLITS.items():
        ceiling = bayes_accuracy(name, noise)
        for seed in range(150):
            train, val, n_train, n_val, majority = bayes_rule_scores(name, noise, seed)
            sized = verdict(train, val, "classification", majority, ceiling=ceiling, train_n=n_train, held_out_n=n_val)
            wrong_with.append(sized in ("overfitting", "underfitting"))
            wrong_without.append(verdict(train, val, "classification", majority, ceiling=ceiling) != "good fit")
    assert np.mean(wrong_with) <= 0.05
    assert np.mean(wrong_without) > 0.10  # the property can fail: the rule without intervals fails it
