"""The statistics behind every comparative word of the lecture report, computed apart from the sentences.

Two configurations trained on the same seeds (same seed = same data split) are compared by their paired
differences ``d_i = b_i − a_i``: the mean, its Student-t interval at :data:`reglab.rules.LEVEL` (a description of the
spread, not the test) and the two-sided p-value of the exact sign-flip permutation test over seeds
(:func:`reglab.measures.inference.sign_flip_test`: no normality assumed, differences with no spread handled).

Every comparison a section makes belongs to the section's :class:`Family`, named on the page beside it. Once
all of them are made, :meth:`Family.adjust` corrects their p-values together by Holm's step-down method
(:func:`reglab.measures.inference.holm`), so that the chance of any false "higher" or "lower" in the family is at
most 5%. The word is decided from the adjusted p-value, once, here:

- ``tie``: every difference is exactly zero (identical per-seed scores);
- ``higher`` / ``lower``: Holm-adjusted p < 0.05, by the sign of the mean difference;
- ``indistinguishable``: otherwise, or fewer than two pairs.

A comparison made outside a family (:func:`compare`) is a family of one: its word comes from its own p-value.

A "best" is never picked on the numbers that then test it: :meth:`Family.choose` takes the configuration with the
best mean on the *validation* part (the part a practitioner may use to choose), and tests it on the fresh sample
against each of the others, inside the family; the page says it was chosen, and on what.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from reglab.measures import summarize
from reglab.measures.inference import holm, sign_flip_test, smallest_p
from reglab.measures.stats import detectable_difference
from reglab.rules import ALPHA, POWER

__all__ = ["ALPHA", "Best", "Family", "clip", "compare", "describe", "detectable", "said", "word", "word_of"]

TEST_NAME = "exact sign-flip permutation test over seeds"
CORRECTION = "Holm"


def compare(before: Sequence[float], after: Sequence[float]) -> dict | None:
    """The paired comparison of ``after − before`` over seeds (the pairs in order), as a family of one; None with fewer
    than two pairs. Pairs with a non-finite value (a diverged run) are left out."""
    pairs = [(float(a), float(b)) for a, b in zip(before, after) if np.isfinite(a) and np.isfinite(b)]
    if len(pairs) < 2:
        return None
    d = np.array([b - a for a, b in pairs])
    spread = summarize(d)  # the interval at reglab.rules.LEVEL
    test = {
        "n": len(pairs), "mean_diff": spread["mean"], "sd": spread["std"], "ci_low": spread["ci_low"], "ci_high": spread["ci_high"],
        "p_value": sign_flip_test(d), "wins": int(np.sum(d > 0)), "ties": int(np.sum(d == 0)), "losses": int(np.sum(d < 0)),
    }  # fmt: skip
    test.update(p_adjusted=test["p_value"], family=None, family_size=1)
    test["word"] = word(test)
    return test


def detectable(sd: float, n: int, family: int = 1) -> float:
    """The mean difference the sign-flip test over ``n`` seeds detects with :data:`POWER` at Holm's strictest step in a
    family of ``family`` comparisons (level ``ALPHA / family``), for differences of standard deviation ``sd``:
    :func:`reglab.measures.stats.detectable_difference` with normal quantiles, ``se = sd/√n`` and the smallest p-value
    ``n`` seeds can give (inf when that is not below the level)."""
    return detectable_difference(sd / math.sqrt(n), alpha=ALPHA / family, power=POWER, smallest_p=smallest_p(n))


def word(test: dict | None) -> str:
    """``tie``, ``higher``, ``lower`` or ``indistinguishable`` (see the module docstring)."""
    if test is None:
        return "indistinguishable"
    if test["ties"] == test["n"]:
        return "tie"
    if test["p_adjusted"] < ALPHA:
        return "higher" if test["mean_diff"] > 0 else "lower"
    return "indistinguishable"


def said(test: dict | None) -> str:
    """A comparison's word as a headline says it: "distinguishably higher", "not distinguishable", "identical"."""
    words = {"higher": "distinguishably higher", "lower": "distinguishably lower", "tie": "identical"}
    return words.get(word_of(test), "not distinguishable")


def word_of(test: dict | None) -> str:
    """The word a comparison was given (``indistinguishable`` for None: too few seeds)."""
    return "indistinguishable" if test is None else test["word"]


def _p(value: float) -> str:
    return f"{value:.2g}" if value >= 0.001 else f"{value:.0e}"


def describe(test: dict | None, what: str, digits: int = 3) -> str:
    """One clause: "<what>: +0.031 [+0.004, +0.058], p = 0.002 (Holm, 5 comparisons: 0.01), higher"; or a tie, or too
    few seeds. The interval is the t-interval of the mean difference (at :data:`reglab.rules.LEVEL`); the word follows
    the adjusted p."""
    if test is None:
        return f"{what}: too few seeds to compare"
    if test["word"] == "tie":
        return f"{what}: identical on every seed (a tie)"
    d, lo, hi = test["mean_diff"], test["ci_low"], test["ci_high"]
    p = f"p = {_p(test['p_value'])}"
    if test["family_size"] > 1:
        p += f", Holm over {test['family_size']}: {_p(test['p_adjusted'])}"
    meaning = {"higher": "higher", "lower": "lower", "indistinguishable": "not distinguishable from zero"}[test["word"]]
    return f"{what}: {d:+.{digits}f} [{lo:+.{digits}f}, {hi:+.{digits}f}] ({p}), {meaning}"


class Best(dict):
    """``{"best": key, "chosen_on": what chose it, "mean": its mean on the test part, "tests": {key: test of key − best},
    "peers": [keys not distinguishable from it], "above": [keys distinguishably better]}``; the peers and those above
    are filled when the family is adjusted."""

    @property
    def alone(self) -> bool:
        return not self["peers"] and not self["above"]

    def settle(self) -> None:
        words = {k: word(t) for k, t in self["tests"].items()}
        self["peers"] = [k for k, w in words.items() if w in ("tie", "indistinguishable")]
        self["above"] = [k for k, w in words.items() if w == "higher"]


class Family:
    """A section's comparisons, corrected together: :meth:`compare` adds one, :meth:`adjust` corrects them all once."""

    def __init__(self, name: str):
        self.name = name
        self.tests: dict[str, dict | None] = {}
        self.chosen: list[Best] = []
        self.adjusted = False

    def compare(self, what: str, before: Sequence[float], after: Sequence[float]) -> dict | None:
        """The paired comparison of ``after − before``, named ``what`` in the family (its word waits for :meth:`adjust`)."""
        if self.adjusted:
            raise RuntimeError(f"The family {self.name!r} is already adjusted: make every comparison before adjust().")
        if what in self.tests:
            raise ValueError(f"The comparison {what!r} is already in the family {self.name!r}.")
        test = compare(before, after)
        if test is not None:
            test["family"] = self.name
        self.tests[what] = test
        return test

    def choose(
        self, chosen_on: str, by: Mapping[str, Sequence[float]], test: Mapping[str, Sequence[float]], name=str, lower_is_better=False
    ) -> Best:
        """The key with the best mean of ``by`` (validation scores, or losses with ``lower_is_better``), tested on
        ``test`` against every other key (``other − chosen``) inside the family; ``name`` turns keys into labels."""
        means = {k: float(np.nanmean(v)) for k, v in by.items() if any(np.isfinite(v))}
        best = (min if lower_is_better else max)(means, key=means.get)
        tests = {k: self.compare(f"{name(k)} − {name(best)} (chosen)", test[best], test[k]) for k in test if k != best}
        values = [v for v in test[best] if np.isfinite(v)]
        average = float(np.mean(values)) if values else float("nan")
        chosen = Best(best=best, chosen_on=chosen_on, mean=average, tests=tests, peers=[], above=[])
        self.chosen.append(chosen)
        return chosen

    def adjust(self) -> dict:
        """Holm's correction over every comparison of the family (None entries do not count); sets each test's adjusted
        p-value, family size and word, and the peers of every chosen best. Returns :meth:`summary`."""
        present = {k: t["p_value"] for k, t in self.tests.items() if t is not None}
        adjusted = holm(present)
        for k, p in adjusted.items():
            test = self.tests[k]
            test.update(p_adjusted=p, family_size=len(present))
            test["word"] = word(test)
        for best in self.chosen:
            best.settle()
        self.adjusted = True
        return self.summary()

    def summary(self) -> dict:
        """The family as the page lists it: name, test, correction, size, seeds, whether its seeds can call anything at
        Holm's strictest step, and each comparison with the effect it would detect there (80% power, from its own spread)."""
        present = [t for t in self.tests.values() if t is not None]
        m = len(present)
        n = min((t["n"] for t in present), default=0)
        fields = ("n", "mean_diff", "ci_low", "ci_high", "p_value", "p_adjusted", "word")
        rows = []
        for k, t in self.tests.items():
            row = {"what": k}
            if t is not None:
                # the mean difference this comparison would detect with 80% power at Holm's strictest step, from its own spread
                row.update({f: t[f] for f in fields}, detectable=detectable(t["sd"], t["n"], m))
            rows.append(row)
        return {
            "name": self.name, "test": TEST_NAME, "correction": CORRECTION, "alpha": ALPHA, "power": POWER, "size": m, "seeds": n,
            "smallest_p": smallest_p(n) if n else None, "callable": bool(n) and smallest_p(n) < ALPHA / max(m, 1), "comparisons": rows,
        }  # fmt: skip


def clip(summary: dict | None, low: float = 0.0, high: float = 1.0) -> dict | None:
    """A summary with its interval clipped to ``[low, high]`` (an accuracy cannot pass 1)."""
    if summary is None:
        return None
    return {**summary, "ci_low": max(low, summary["ci_low"]), "ci_high": min(high, summary["ci_high"])}
