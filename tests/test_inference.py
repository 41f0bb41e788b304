"""The sign-flip permutation test and Holm's correction, against scipy and hand-worked cases; the effect sign flips detect."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from reglab.measures.inference import EXACT_UP_TO, holm, sign_flip_test, smallest_p
from reglab.measures.stats import detectable_difference


def scipy_sign_flip(d, resamples=np.inf) -> float:
    result = stats.permutation_test((np.asarray(d, dtype=float),), np.mean, permutation_type="samples", n_resamples=resamples,
                                    alternative="two-sided", random_state=0, vectorized=True, axis=-1)  # fmt: skip
    return float(result.pvalue)


@pytest.mark.parametrize(
    "d",
    [[0.1, 0.2, -0.05, 0.3, 0.15], [1.0, -1.0, 2.0, 0.5, 0.25, -0.75, 1.5], [0.02, 0.03, 0.01, 0.04, 0.02, 0.05, 0.03, 0.01, 0.02, 0.06]],
)
def test_the_exact_test_is_scipys(d):
    assert sign_flip_test(d) == pytest.approx(scipy_sign_flip(d), rel=1e-12)


def test_equal_differences_with_no_spread_are_not_certainty():
    """A cell that lost exactly 4 of 60 on all three seeds: sd 0, the t-test's p is 0; the sign flips' p is 2/8."""
    assert sign_flip_test([-4 / 60] * 3) == 0.25
    assert sign_flip_test([0.0, 0.0, 0.0]) == 1.0  # a tie
    assert sign_flip_test([0.1] * 10) == pytest.approx(2 / 2**10)


def test_ties_among_the_flipped_statistics_count_as_extreme():
    # |mean| over the 4 assignments of [1, 1]: 1, 0, 0, 1 → two of four reach the observed 1
    assert sign_flip_test([1.0, 1.0]) == 0.5
    # [1, -1] has mean 0: p = 1 whatever the magnitudes
    assert sign_flip_test([1.0, -1.0]) == 1.0
    # rounding must not split equal statistics: 0.1 + 0.2 vs 0.3
    assert sign_flip_test([0.1, 0.2, 0.3]) == sign_flip_test([0.3, 0.1, 0.2])


def test_beyond_exact_enumeration_the_random_test_agrees_with_the_exact_one():
    rng = np.random.default_rng(0)
    d = rng.normal(0.45, 1.0, EXACT_UP_TO + 4)
    p = sign_flip_test(d)
    assert p == sign_flip_test(d)  # fixed seed: the same data, the same p
    assert p == pytest.approx(scipy_sign_flip(d, 99_999), abs=0.01)


def test_non_finite_differences_are_refused():
    with pytest.raises(ValueError, match="must hold at least one finite number"):
        sign_flip_test([0.1, float("nan")])


def test_holm_by_hand():
    # sorted 0.01, 0.02, 0.04, 0.30 with m = 4: 0.04, 0.06, 0.08, 0.30 (already monotone)
    assert holm([0.04, 0.01, 0.30, 0.02]) == pytest.approx([0.08, 0.04, 0.30, 0.06])
    # step-down with m = 3: 0.01 → 0.03, 0.04 → 0.08, 0.045 → max(0.08, 0.045) = 0.08 (never below the one before)
    assert holm({"a": 0.045, "b": 0.01, "c": 0.04}) == pytest.approx({"a": 0.08, "b": 0.03, "c": 0.08})
    assert holm([0.5, 0.9]) == [1.0, 1.0]
    assert holm([None, 0.02, 0.03]) == [None, 0.04, 0.04]  # a comparison not made is not in the family


def test_holm_keeps_the_familywise_error_under_independent_nulls():
    rng = np.random.default_rng(1)
    rejections = sum(any(p < 0.05 for p in holm(list(rng.uniform(size=8)))) for _ in range(4000))
    assert rejections / 4000 <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 4000)


def test_the_power_of_a_number_of_seeds():
    assert smallest_p(5) == 0.0625 and smallest_p(6) == 0.03125 and smallest_p(10) == pytest.approx(0.001953125)
    five, ten = (detectable_difference(0.02 / math.sqrt(n), smallest_p=smallest_p(n)) for n in (5, 10))
    assert five == math.inf  # five seeds can never reach 0.05 with sign flips
    assert ten == pytest.approx((stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * 0.02 / math.sqrt(10), rel=1e-15)


def test_the_detectable_difference_with_normal_quantiles_is_the_t_one_with_endless_degrees_of_freedom():
    assert detectable_difference(1.0) == pytest.approx(stats.norm.ppf(0.975) + stats.norm.ppf(0.8), rel=1e-15)  # 2.80
    assert detectable_difference(1.0, 10**7) == pytest.approx(detectable_difference(1.0), rel=1e-6)
    assert detectable_difference(1.0, 9) > detectable_difference(1.0)  # few degrees of freedom: fatter tails
    assert detectable_difference(0.0) == 0.0 and detectable_difference(1.0, smallest_p=0.049) < math.inf


@pytest.mark.parametrize(
    ("args", "got"),
    [((-1.0,), "se=-1.0, df=inf, alpha=0.05, power=0.8"), ((math.nan,), "se=nan, df=inf, alpha=0.05, power=0.8"),
     ((1.0, 0), "se=1.0, df=0, alpha=0.05, power=0.8"), ((1.0, 9, 0.0), "se=1.0, df=9, alpha=0.0, power=0.8"),
     ((1.0, 9, 0.05, 1.0), "se=1.0, df=9, alpha=0.05, power=1.0")],
)  # fmt: skip
def test_the_detectable_difference_refuses_what_has_none(args, got):
    with pytest.raises(ValueError) as refused:
        detectable_difference(*args)
    assert str(refused.value) == (
        "detectable_difference needs a finite se >= 0, df >= 1, alpha and power in (0, 1) and smallest_p in [0, 1]. "
        f"Got {got}, smallest_p=0.0 instead."
    )
