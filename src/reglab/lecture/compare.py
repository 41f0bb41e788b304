"""The statistics behind every comparative word of the lecture report, computed apart from the sentences.

Two configurations trained on the same seeds (same seed = same data split) are compared by the paired
differences ``d_i = b_i − a_i`` (:func:`reglab.measures.paired_test`: mean, Student-t 95% interval,
two-sided p-value). The word that states the comparison is decided here, once:

- ``tie``: every difference is exactly zero (identical per-seed scores);
- ``higher`` / ``lower``: the 95% interval of the mean difference excludes zero (p < 0.05);
- ``indistinguishable``: it does not, or there are fewer than two pairs.

A "best" among several configurations is the one with the highest mean, reported with the set of
configurations *not distinguishable* from it (tie or indistinguishable against the best): a
"best" that shares its place with others is a tie among them, not a winner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from reglab.measures import paired_test

__all__ = ["CONFIDENCE", "Best", "best_of", "clip", "compare", "describe", "word"]

CONFIDENCE = 0.95  # level of every interval and test


def compare(before: Sequence[float], after: Sequence[float]) -> dict | None:
    """Paired test of ``after − before`` over seeds (the pairs in order), with its :func:`word`;
    None with fewer than two pairs. Pairs with a non-finite value (a diverged run) are left out."""
    pairs = [(float(a), float(b)) for a, b in zip(before, after) if np.isfinite(a) and np.isfinite(b)]
    if len(pairs) < 2:
        return None
    test = paired_test([b for _, b in pairs], [a for a, _ in pairs], CONFIDENCE)
    return {**test, "word": word(test)}


def word(test: dict | None) -> str:
    """``tie``, ``higher``, ``lower`` or ``indistinguishable`` (see the module docstring)."""
    if test is None:
        return "indistinguishable"
    if test["ties"] == test["n"]:
        return "tie"
    if test["ci_low"] > 0:
        return "higher"
    if test["ci_high"] < 0:
        return "lower"
    return "indistinguishable"


def describe(test: dict | None, what: str, digits: int = 3) -> str:
    """One clause: "<what>: +0.031 (95% CI [+0.004, +0.058], p = 0.03), higher"; or a tie, or too few seeds."""
    if test is None:
        return f"{what}: too few seeds to compare"
    if test["word"] == "tie":
        return f"{what}: identical on every seed (a tie)"
    d, lo, hi = test["mean_diff"], test["ci_low"], test["ci_high"]
    p = "" if test["p_value"] is None else f", p = {test['p_value']:.2g}"
    meaning = {"higher": "higher", "lower": "lower", "indistinguishable": "not distinguishable from zero"}[test["word"]]
    return f"{what}: {d:+.{digits}f} (95% CI [{lo:+.{digits}f}, {hi:+.{digits}f}]{p}), {meaning}"


class Best(dict):
    """``{"best": key, "mean": float, "peers": [keys not distinguishable from it], "tests": {key: test}}``."""

    @property
    def alone(self) -> bool:
        return not self["peers"]


def best_of(scores: Mapping[str, Sequence[float]], higher_is_better: bool = True) -> Best:
    """The key with the best mean score over seeds, and the keys whose paired difference from it is a
    tie or indistinguishable (in the order given). Keys with no finite score are left out."""
    means = {k: float(np.mean([v for v in vs if np.isfinite(v)])) for k, vs in scores.items() if any(np.isfinite(v) for v in vs)}
    sign = 1.0 if higher_is_better else -1.0
    best = max(means, key=lambda k: sign * means[k])
    tests = {k: compare(scores[best], scores[k]) for k in means if k != best}
    peers = [k for k, t in tests.items() if word(t) in ("tie", "indistinguishable")]
    return Best(best=best, mean=means[best], peers=peers, tests=tests)


def clip(summary: dict | None, low: float = 0.0, high: float = 1.0) -> dict | None:
    """A summary with its interval clipped to ``[low, high]`` (an accuracy cannot pass 1)."""
    if summary is None:
        return None
    return {**summary, "ci_low": max(low, summary["ci_low"]), "ci_high": min(high, summary["ci_high"])}
