"""The verification of ``reglab diagnose`` without training a network: the corrected resampled t-test against a
hand-worked example and scipy, its false-positive rate and power on simulated fold scores (where the uncorrected
test's false-positive rate is not near its level), the detectable difference, the folds and the fresh sample,
the task's metrics, and the advice, each sentence fed numbers and compared whole."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from reglab.config import DataConfig
from reglab.data import load
from reglab.diagnosis.advice import KEEP, REGULARIZE, decision, fit_sentence, power_sentence, score_sentence, verification_sentence
from reglab.diagnosis.metrics import balanced_accuracy, majority_note, roc_auc, skew_note
from reglab.diagnosis.resample import FRESH_ROWS, fold_split, folds_of, fresh_split, labelled_rows
from reglab.measures.ceiling import blob_centres
from reglab.measures.stats import corrected_resampled_test, detectable_difference

Z = 1.959963984540054 + 0.8416212335729143  # normal quantiles at 0.975 and 0.8: 2.80 standard errors


# the corrected resampled t-test ----------------------------------------------------------------------------


def test_corrected_resampled_test_by_hand():
    # d = 1, 2, 3, 4, 5 over J = 5 fits of 80 training and 20 test rows: mean 3, s² = 2.5,
    # se = sqrt((1/5 + 20/80) · 2.5) = sqrt(1.125) = 1.0606602, t = 3 / 1.0606602 = 2√2, 4 degrees of freedom
    found = corrected_resampled_test([3, 4, 5, 6, 7], [2, 2, 2, 2, 2], n_train=80, n_test=20)
    assert (found["mean_diff"], found["df"], found["correction"]) == (3.0, 4, 0.25)
    assert found["se"] == pytest.approx(1.0606602, abs=1e-7) and found["t"] == pytest.approx(2 * math.sqrt(2), rel=1e-12)
    assert found["p_value"] == pytest.approx(2 * stats.t.sf(2 * math.sqrt(2), 4), rel=1e-12)
    assert found["p_value"] == pytest.approx(0.0474207, abs=1e-7)
    half = 2.7764451 * 1.0606602  # t_{0.975, 4} from the table
    assert (found["ci_low"], found["ci_high"]) == pytest.approx((3 - half, 3 + half), abs=1e-6)
    assert found["detectable"] == pytest.approx((stats.t.ppf(0.975, 4) + stats.t.ppf(0.8, 4)) * 1.0606602, rel=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_corrected_test_without_test_rows_is_scipys_paired_t_test(seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(0.3, 0.05, 6)
    b = a + rng.normal(0.01, 0.02, 6)
    found, reference = corrected_resampled_test(a, b, n_train=100, n_test=0), stats.ttest_rel(a, b)
    assert (found["t"], found["p_value"]) == pytest.approx((reference.statistic, reference.pvalue), rel=1e-10)
    overlapping = corrected_resampled_test(a, b, n_train=100, n_test=25)  # the correction only widens
    assert overlapping["p_value"] > found["p_value"] and overlapping["se"] == pytest.approx(found["se"] * math.sqrt(1 + 6 * 0.25))


def test_detectable_difference_by_hand_and_its_power_is_80_percent():
    assert detectable_difference(0.01, 9) == pytest.approx((2.2621572 + 0.8834039) * 0.01, abs=1e-8)  # t table, 9 d.f.
    assert detectable_difference(1.0, 10**6) == pytest.approx(Z, abs=1e-5)
    rng = np.random.default_rng(0)
    delta = detectable_difference(1 / math.sqrt(10), 9)  # 10 pairs, differences of standard deviation 1
    rejected = [corrected_resampled_test(rng.normal(delta, 1.0, 10), np.zeros(10), 1, 0)["p_value"] < 0.05 for _ in range(2000)]
    assert 0.76 <= np.mean(rejected) <= 0.84  # the noncentral t gives 0.799


def one_feature_loss(x: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> float:
    """Test MSE of a least-squares line on one feature: a tiny learner, trained in microseconds."""
    slope, intercept = np.polyfit(x[train], y[train], 1)
    return float(np.mean((slope * x[test] + intercept - y[test]) ** 2))


def simulated_p_values(rng: np.random.Generator, weight: float, n: int = 100) -> tuple[float, float]:
    """One table ``y = weight·x0 + x1 + noise``; 5-fold × 2 fits of a line on x0 against a line on x1: the
    corrected and the uncorrected p-value. With weight 1 neither learner is better over tables of n rows, yet
    on any one table one of them is, on every fold: what the overlap of the folds hides from the plain t-test."""
    X = rng.standard_normal((n, 2))
    y = weight * X[:, 0] + X[:, 1] + rng.standard_normal(n)
    fits = folds_of(y, 0, folds=5, repeats=2, val_size=0.0, seed=int(rng.integers(2**31)))
    first = [one_feature_loss(X[:, 0], y, f.train, f.test) for f in fits]
    second = [one_feature_loss(X[:, 1], y, f.train, f.test) for f in fits]
    n_train, n_test = len(fits[0].train), len(fits[0].test)
    corrected = corrected_resampled_test(first, second, n_train, n_test)["p_value"]
    return corrected, corrected_resampled_test(first, second, n_train, 0)["p_value"]


def test_false_positive_rate_of_the_corrected_test_stays_near_5_percent_on_simulated_folds():
    rng = np.random.default_rng(1)
    p = np.array([simulated_p_values(rng, weight=1.0) for _ in range(200)])
    corrected, plain = np.mean(p < 0.05, axis=0)
    assert corrected <= 0.08, corrected
    assert plain >= 0.10, plain  # the simulation holds the trap: ignoring the overlap rejects far more often


def test_the_corrected_test_detects_a_real_difference_on_simulated_folds():
    rng = np.random.default_rng(2)
    p = np.array([simulated_p_values(rng, weight=2.0)[0] for _ in range(100)])
    assert np.mean(p < 0.05) >= 0.9


# held-out data ---------------------------------------------------------------------------------------------


def test_folds_have_equal_shapes_test_each_row_once_per_repeat_and_keep_class_shares():
    y = np.array([0] * 70 + [1] * 25 + [2] * 8)  # 103 rows: 3 left out of each repeat
    fits = folds_of(y, 3, folds=5, repeats=3, val_size=0.2, seed=0)
    assert len(fits) == 15 and {(len(f.train), len(f.val), len(f.test)) for f in fits} == {(64, 16, 20)}
    for r in range(3):
        mine = [f for f in fits if f.repeat == r]
        tested = np.concatenate([f.test for f in mine])
        assert len(np.unique(tested)) == len(tested) == 100
        for f in mine:
            assert not set(f.test) & (set(f.train) | set(f.val)) and not set(f.train) & set(f.val)
            assert np.all(np.abs(np.bincount(y[f.test], minlength=3) - np.array([70, 25, 8]) / 5) <= 1.5)
    assert not np.array_equal(fits[0].test, fits[5].test)  # each repeat shuffles afresh


def test_more_folds_than_the_rows_allow_are_refused_in_one_line():
    from reglab.errors import DataError

    with pytest.raises(DataError) as err:
        folds_of(np.arange(30) % 2, 2, folds=16, repeats=1, val_size=0.2, seed=0)
    assert str(err.value) == "The 'folds' parameter must leave at least 2 test rows in each fold of 30 rows: at most 15. Got 16 instead."


def test_fold_split_is_scaled_by_its_own_training_rows_and_holds_the_raw_rows():
    split = load(DataConfig(dataset="breast_cancer", val_size=0.2))
    X, y = labelled_rows(split)
    assert X.shape == (569, 30) and np.bincount(y).tolist() == [212, 357]  # every labelled row, back in raw units
    fold = folds_of(y, 2, folds=5, repeats=1, val_size=0.2, seed=3)[0]
    part = fold_split(split, X, y, fold)
    assert part.x_mean == pytest.approx(X[fold.train].mean(axis=0)) and part.x_scale == pytest.approx(X[fold.train].std(axis=0))
    assert part.X_test * part.x_scale + part.x_mean == pytest.approx(X[fold.test], rel=1e-5, abs=1e-5)
    assert np.array_equal(part.y_val, y[fold.val]) and part.X_train.shape == (len(fold.train), 30)


def test_fresh_sample_is_new_and_scaled_as_the_training_part():
    data = DataConfig(dataset="moons", n_samples=200, val_size=0.2)
    split = load(data)
    fresh = fresh_split(split, data)
    assert fresh.X_test.shape == (FRESH_ROWS, 2) and np.mean(fresh.y_test) == 0.5
    assert fresh.X_train is split.X_train and fresh.x_mean is split.x_mean  # training and scaling untouched
    raw_fresh = fresh.X_test * split.x_scale + split.x_mean
    raw_train = split.X_train * split.x_scale + split.x_mean
    assert np.min(np.abs(raw_fresh[:, None, :] - raw_train[None, :, :]).sum(axis=2)) > 1e-4  # no training point again
    blobs = DataConfig(dataset="blobs", n_samples=200, noise=0.2, n_classes=3, seed=5, val_size=0.2)
    sample = fresh_split(load(blobs), blobs)
    raw = sample.X_test * sample.x_scale + sample.x_mean
    means = np.array([raw[sample.y_test == k].mean(axis=0) for k in range(3)])
    assert means == pytest.approx(blob_centres(3, 5), abs=0.05)  # around the training seed's own centres


# metrics ---------------------------------------------------------------------------------------------------


def test_balanced_accuracy_and_roc_auc_agree_with_scikit_learn():
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    P = rng.dirichlet(np.ones(3), 300) + 0.5 * np.eye(3)[y]
    P = P / P.sum(axis=1, keepdims=True)
    predicted = P.argmax(axis=1)
    assert balanced_accuracy(y, predicted) == pytest.approx(balanced_accuracy_score(y, predicted))
    assert roc_auc(y, P) == pytest.approx(roc_auc_score(y, P, multi_class="ovr", average="macro"))
    assert roc_auc(y % 2, P[:, 1]) == pytest.approx(roc_auc_score(y % 2, P[:, 1]))
    assert roc_auc(np.zeros(5, dtype=int), np.linspace(0, 1, 5)) is None  # one class: no curve
    always_no = np.zeros(100, dtype=int)
    assert balanced_accuracy(np.array([0] * 94 + [1] * 6), always_no) == 0.5  # 94% accurate, and knows nothing


def test_majority_note_is_built_from_the_numbers():
    within = {"difference": 0.0004, "p_value": 0.81, "significant": False}
    assert majority_note("tuned", 0.9404, 0.9400, within, 0.5123, 0.7141) == (
        "The tuned model's accuracy 0.940 is within noise of the majority rate 0.940 (always answering the most frequent class; "
        "difference +0.000, p = 0.81): accuracy tells little here; balanced accuracy 0.512; ROC AUC 0.714."
    )
    above = {"difference": 0.2, "p_value": 0.001, "significant": True}
    assert majority_note("baseline", 0.85, 0.65, above, 0.8, 0.9) is None


def test_skew_note_names_the_skewness_and_what_to_try():
    rng = np.random.default_rng(0)
    prices = np.exp(rng.normal(8, 1, 5000))
    g = stats.skew(prices)
    assert skew_note(prices, "price") == (
        f"The target 'price' is strongly skewed to the right (a long tail of large values): skewness {g:.2f} (|skewness| > 1); its "
        "largest errors dominate the squared loss, R² and RMSE. Try predicting log(price) and exponentiating the predictions (all "
        "values are positive); reglab did not transform it."
    )
    counts = np.floor(prices / 1000)
    assert "log(1 + claims)" in skew_note(counts, "claims") and skew_note(rng.normal(size=5000), "y") is None


# advice ----------------------------------------------------------------------------------------------------

BETTER = {"difference": -0.05, "ci95": [-0.08, -0.02], "p_value": 0.004, "significant": True, "se": 0.012, "detectable": 0.036}
WORSE = {"difference": 0.005, "ci95": [0.001, 0.009], "p_value": 0.02, "significant": True, "se": 0.0016, "detectable": 0.005}
# the 54k-row table: tuned worse, +0.005 [−0.0006, +0.0108], p = 0.066, from 5-fold × 2
UNSURE = {"difference": 0.005, "ci95": [-0.0006, 0.0108], "p_value": 0.066, "significant": False, "se": 0.0025,
          "detectable": 3.1455610 * 0.0025}  # fmt: skip
FOLDS = {"name": "repeated k-fold", "pairs": 10, "folds": 5, "repeats": 2, "correction": 0.25, "labelled_rows": 53940}
FRESH = {"name": "fresh sample", "pairs": 5, "correction": 0.0}


def test_verification_sentences_say_who_is_ahead_by_how_much_and_decide():
    test = "corrected resampled t-test (Nadeau and Bengio, 2003), 10 fits"
    assert verification_sentence(BETTER, 0.30, 0.25, "log loss", "paired t-test over seeds, 5 fits") == (
        "The tuned model's test log loss is lower by 0.0500, significantly (0.3000 → 0.2500; 95% interval of the difference "
        "[-0.0800, -0.0200], p = 0.004, paired t-test over seeds, 5 fits): use its settings."
    )
    assert verification_sentence(WORSE, 0.1, 0.105, "MSE", test) == (
        "The tuned model's test MSE is higher by 0.0050, significantly (0.1000 → 0.1050; 95% interval of the difference "
        f"[+0.0010, +0.0090], p = 0.02, {test}): keep the baseline; nothing is recommended."
    )
    assert verification_sentence(UNSURE, 0.2310, 0.2360, "MSE", test) == (
        "The baseline is ahead by 0.0050 in test MSE, but not significantly (0.2310 → 0.2360; 95% interval of the difference "
        f"[-0.0006, +0.0108], p = 0.066, {test}): keep the baseline; nothing is recommended."
    )
    assert (decision(BETTER), decision(WORSE), decision(UNSURE)) == (REGULARIZE, KEEP, KEEP)
    assert verification_sentence(BETTER, 0.30, 0.25, "log loss", "t", level=0.9) == (  # a diagnosis run at another level says so
        "The tuned model's test log loss is lower by 0.0500, significantly (0.3000 → 0.2500; 90% interval of the difference "
        "[-0.0800, -0.0200], p = 0.004, t): use its settings."
    )


def detectable_by_hand(fits: int, s2: float, rho: float) -> float:
    """(t_{0.975, J−1} + t_{0.8, J−1}) · sqrt((1/J + ρ) · s²), with the quantiles from scipy."""
    return (stats.t.ppf(0.975, fits - 1) + stats.t.ppf(0.8, fits - 1)) * math.sqrt((1 / fits + rho) * s2)


def test_power_sentence_says_what_would_detect_the_difference():
    s2 = 0.0025**2 / (1 / 10 + 0.25)  # one fit's variance, from se² = (1/J + ρ)·s²
    assert detectable_by_hand(100, s2, 0.25) > 0.005  # ρ alone keeps 0.005 out of reach of any repeats: more rows
    factor = (UNSURE["detectable"] / 0.005) ** 2
    assert power_sentence(UNSURE, FOLDS, "MSE") == (
        "This verification (10 fits) could detect a difference of 0.0079 or more in test MSE (p < 0.05 with 80% power). No number of "
        "repeats up to 20 would (the folds' shared training rows bound the error); about "
        f"{factor:.1f} times as many rows ({factor * 53940:,.0f} rows) would detect a difference of 0.0050, if it is real."
    )
    assert detectable_by_hand(10, s2, 0.25) > 0.0072 >= detectable_by_hand(15, s2, 0.25)  # 3 repeats of 5 folds would
    nearer = {**UNSURE, "difference": -0.0072}
    assert power_sentence(nearer, FOLDS, "MSE").endswith(
        "About 3 repeats of the 5-fold splitting (--repeats 3, 15 fits) would detect a difference of 0.0072, if it is real."
    )
    seeds = next(j for j in range(6, 100) if detectable_by_hand(j, 5 * 0.012**2, 0.0) <= 0.02)  # a fresh sample: ρ = 0
    unsure_seeds = {**BETTER, "difference": -0.02, "significant": False, "p_value": 0.2}
    assert power_sentence(unsure_seeds, FRESH, "log loss").endswith(
        f"About {seeds} seeds (--seeds {seeds}) would detect a difference of 0.0200, if it is real."
    )
    assert power_sentence(BETTER, FRESH, "log loss") == (
        "This verification (5 fits) could detect a difference of 0.0360 or more in test log loss (p < 0.05 with 80% power)."
    )
    large = {**UNSURE, "difference": 0.009}  # at least the detectable difference, yet not significant
    assert power_sentence(large, FOLDS, "MSE").endswith(
        "A real difference as large as the one seen would have shown in 80% of such verifications: it may well be smaller."
    )


def test_fit_and_score_sentences_follow_the_numbers():
    assert fit_sentence("good fit", 0.012, 0.05, "accuracy", BETTER, "log loss") == (
        "The baseline is a good fit (train − validation accuracy gap 0.012 <= 0.05): regularization is not needed to close a gap; "
        "it still lowered the test log loss by 0.0500, significantly."
    )
    assert fit_sentence("good fit", 0.004, 0.05, "R²", UNSURE, "MSE").endswith("it did not lower the test MSE significantly.")
    assert fit_sentence("overfitting", 0.09, 0.05, "accuracy", BETTER, "log loss") == ""
    worse_accuracy = {"difference": -0.051, "p_value": 0.0003, "significant": True}
    assert decision(BETTER, worse_accuracy) == KEEP
    assert score_sentence(BETTER, worse_accuracy, "accuracy", "log loss") == (
        "But its test accuracy is lower too, by 0.0510, significantly (p = 0.0003): it is more cautious rather than better at the "
        "task, so keep the baseline, unless calibrated probabilities (log loss) matter more to you than accuracy."
    )
    assert verification_sentence(BETTER, 0.30, 0.25, "log loss", "t", worse_accuracy).endswith("p = 0.004, t).")
