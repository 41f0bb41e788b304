"""Tests that hold with few seeds: the paired sign-flip permutation test, and Holm's correction of a family.

**Sign flips.** Two configurations trained on the same seeds give paired differences ``d_1 … d_n``. Under the null
hypothesis that the configurations do not differ, each ``d_i`` is as likely to be ``+|d_i|`` as ``−|d_i|``: the
test statistic ``T = |mean(d)|`` is compared with its value under all ``2^n`` sign assignments, and the two-sided
p-value is the share of assignments with ``T' ≥ T`` (the observed one included, so ``p ≥ 2^-n``, ``2^(1−n)`` when
every difference has the same sign). It assumes no normality and no variance: a difference of exactly 4/60 on all
three seeds (standard deviation 0) has p = 0.25, not the t-test's 0; all-zero differences have p = 1. Up to
:data:`EXACT_UP_TO` pairs every assignment is enumerated (the exact test, which ``scipy.stats.permutation_test``
also computes for these sizes); beyond, :data:`RESAMPLES` random assignments from a fixed seed are drawn and
``p = (1 + #{T' ≥ T}) / (1 + RESAMPLES)`` (an unbiased, never-zero estimate). Ties are compared with a relative
slack of 1e-12 so that rounding does not split equal statistics.

**Holm.** A family of ``m`` tests (every comparison a section of the report makes, named beside it) is corrected
by Holm's step-down method: with p-values sorted ``p_(1) ≤ … ≤ p_(m)``, the adjusted values are
``p̃_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j))``. Rejecting ``p̃ < α`` keeps the probability of any false
"higher" or "lower" in the family at most α, whatever the dependence between the tests.

**Power.** :func:`smallest_p` gives the smallest p-value ``n`` pairs can reach (``2^(1−n)``): with 5 seeds it is
0.0625 and no sign-flip test can reject at 0.05, with 6 it is 0.031, with 10 it is 0.002 (room for Holm over a
family). The mean difference a two-sided test at level α detects with power 0.8, given the standard deviation
``sd`` of the differences, is :func:`reglab.measures.stats.detectable_difference` of ``se = sd/√n`` with normal
quantiles and this ``smallest_p`` (``(z_{1−α/2} + z_{0.8})·sd/√n``; inf when ``n`` pairs cannot reach α).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["EXACT_UP_TO", "RESAMPLES", "holm", "sign_flip_test", "smallest_p"]

EXACT_UP_TO = 16  # pairs up to which all 2^n sign assignments are enumerated (65,536)
RESAMPLES = 99_999  # random sign assignments beyond that
_SEED = 20_261_202  # of the random assignments: the same data always gets the same p-value
_SLACK = 1e-12  # relative slack when comparing statistics, so that rounding does not break ties


def sign_flip_test(differences: Sequence[float]) -> float:
    """Two-sided p-value of the paired sign-flip permutation test of ``mean(d) = 0`` (see the module docstring).
    Non-finite differences are refused: leave out the pairs of diverged runs first."""
    d = np.asarray(differences, dtype=np.float64).ravel()
    if d.size == 0 or not np.all(np.isfinite(d)):
        raise ValueError(f"The 'differences' parameter must hold at least one finite number. Got {d.tolist()!r} instead.")
    observed = abs(d.mean())
    if observed == 0.0:
        return 1.0
    if d.size <= EXACT_UP_TO:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=d.size)))
        flipped = np.abs(signs @ d) / d.size
        return float(np.mean(flipped >= observed * (1 - _SLACK)))
    rng = np.random.default_rng(_SEED)
    hits = 0
    for start in range(0, RESAMPLES, 10_000):
        signs = rng.choice((1.0, -1.0), size=(min(10_000, RESAMPLES - start), d.size))
        hits += int(np.sum(np.abs(signs @ d) / d.size >= observed * (1 - _SLACK)))
    return (1 + hits) / (1 + RESAMPLES)


def holm(p_values: Mapping[str, float | None] | Sequence[float | None]) -> dict | list:
    """Holm's step-down adjusted p-values of a family (see the module docstring), in the order (or with the keys)
    given; a None (a comparison that could not be made) stays None and does not count in the family."""
    keys = list(p_values) if isinstance(p_values, Mapping) else list(range(len(p_values)))
    values = [p_values[k] for k in keys]
    present = [(p, k) for k, p in zip(keys, values) if p is not None]
    for p, _ in present:
        if not (isinstance(p, (int, float)) and 0.0 <= p <= 1.0):
            raise ValueError(f"The 'p_values' parameter must hold p-values in [0, 1] or None. Got {p!r} instead.")
    m = len(present)
    adjusted: dict = {k: None for k in keys}
    running = 0.0
    for rank, (p, k) in enumerate(sorted(present, key=lambda pk: pk[0])):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[k] = running
    return adjusted if isinstance(p_values, Mapping) else [adjusted[k] for k in keys]


def smallest_p(n: int) -> float:
    """The smallest two-sided p-value the sign-flip test can give with ``n`` pairs (exact enumeration)."""
    if n < 1:
        raise ValueError(f"The 'n' parameter must be an int >= 1. Got {n!r} instead.")
    return 2.0 ** (1 - n) if n <= EXACT_UP_TO else 1 / (1 + RESAMPLES)

