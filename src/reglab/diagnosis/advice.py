"""What the numbers mean, in sentences built from them: the decision, the verification, its power, the fit.

The decision follows the verified difference ``d = tuned − baseline`` of the test data loss: *regularize*
(use the tuned settings; the only case with settings and code to paste) when ``d < 0`` and ``p < 0.05``,
unless the task's score (accuracy, R²) is significantly *worse* at the same time; otherwise *keep the
baseline*: the tuned model is worse, or not shown better, or better in loss and worse in score.

Sentences, in order:

1. the verification: which model is ahead, by how much (both means, the interval of ``d`` at the diagnosis's level, p, the
   test and its number of fits) and the decision; when loss and score disagree, that is said;
2. its power: the smallest difference it could detect (``p < 0.05`` with 80% power, from the achieved
   standard error ``se``: :func:`reglab.measures.stats.detectable_difference`); when ``d`` is not
   significant, what would detect a difference of ``|d|`` if it is real, by the same formula: with
   ``s²`` the variance of one fit's difference (``se² = (1/J + ρ)·s²``, ``ρ = n_test/n_train``, 0 on a
   fresh sample), the fewest fits ``J'`` with ``(t_{0.975, J'−1} + t_{0.8, J'−1})·sqrt((1/J' + ρ)·s²) <= |d|``:
   seeds (at most :data:`MAX_VERIFY_SEEDS`) on a fresh sample, whole repeats of the k-fold (at most
   :data:`MAX_REPEATS`) on a table; else more rows, ``(detectable/|d|)²`` times as many (a fit's
   variance shrinks about as 1/rows). When ``|d|`` is already at least the detectable difference, that a
   real difference so large would usually have shown;
3. the fit: a *good fit* at detect needs no regularization for its gap (said, with whether it still
   helped the loss); *underfitting* is not what a penalty treats; *overfitting* that the tuned model
   does not fix is said too.
"""

from __future__ import annotations

import math
from typing import Any

from reglab.measures.stats import detectable_difference
from reglab.rules import LEVEL

__all__ = [
    "KEEP", "MAX_REPEATS", "MAX_VERIFY_SEEDS", "REGULARIZE", "advice", "decision", "fit_sentence", "power_sentence",
    "score_sentence", "verification_sentence",
]  # fmt: skip

REGULARIZE, KEEP = "regularize", "keep the baseline"
MAX_REPEATS = 20  # more repeats of k-fold than this are not advised: more rows are
MAX_VERIFY_SEEDS = 100  # likewise, seeds of a fresh sample's verification
NOTHING = "nothing is recommended"


def decision(loss: dict[str, Any], score: dict[str, Any] | None = None) -> str:
    """:data:`REGULARIZE` when the tuned model's test loss is significantly lower and its ``score`` (higher is
    better; None: not compared) not significantly lower, else :data:`KEEP`."""
    better = loss["significant"] and loss["difference"] < 0
    worse_score = score is not None and score["significant"] and score["difference"] < 0
    return REGULARIZE if better and not worse_score else KEEP


def _p(p: float | None) -> str:
    return "n/a" if p is None else f"{p:.2g}"


def verification_sentence(loss: dict[str, Any], baseline: float, tuned: float, quantity: str, test: str,
                          score: dict[str, Any] | None = None, level: float = LEVEL) -> str:  # fmt: skip
    """Which model is ahead on the verified ``quantity`` (means ``baseline`` and ``tuned``), by how much, with the
    interval of the difference at ``level``, and the decision (a significantly worse ``score`` holds it back:
    :func:`score_sentence` says why)."""
    d, (low, high) = loss["difference"], loss["ci95"]
    interval = f"{level:.0%} interval of the difference [{low:+.4f}, {high:+.4f}]"
    numbers = f"{baseline:.4f} → {tuned:.4f}; {interval}, p = {_p(loss['p_value'])}, {test}"
    if decision(loss) == REGULARIZE:
        use = ": use its settings" if decision(loss, score) == REGULARIZE else ""
        return f"The tuned model's test {quantity} is lower by {-d:.4f}, significantly ({numbers}){use}."
    if loss["significant"]:
        return f"The tuned model's test {quantity} is higher by {d:.4f}, significantly ({numbers}): keep the baseline; {NOTHING}."
    if d == 0:
        return f"The two models tie on test {quantity} ({numbers}): keep the baseline; {NOTHING}."
    ahead = "tuned model" if d < 0 else "baseline"
    return f"The {ahead} is ahead by {abs(d):.4f} in test {quantity}, but not significantly ({numbers}): keep the baseline; {NOTHING}."


def score_sentence(loss: dict[str, Any], score: dict[str, Any], name: str, quantity: str) -> str:
    """When the tuned model's loss is significantly lower but its ``name`` (accuracy, R²) significantly lower too."""
    if decision(loss) != REGULARIZE or decision(loss, score) == REGULARIZE:
        return ""
    return (f"But its test {name} is lower too, by {-score['difference']:.4f}, significantly (p = {_p(score['p_value'])}): it is more "
            f"cautious rather than better at the task, so keep the baseline, unless calibrated probabilities ({quantity}) matter more "
            f"to you than {name}.")  # fmt: skip


def fewest_fits(difference: float, s2: float, rho: float, start: int, step: int, most: int) -> int | None:
    """The fewest fits ``J' = start, start + step, …`` (at most ``most``) whose detectable difference
    ``(t_{0.975, J'−1} + t_{0.8, J'−1}) · sqrt((1/J' + rho) · s2)`` is at most ``|difference|``; None if none is."""
    for fits in range(start, most + 1, step):
        if detectable_difference(math.sqrt((1.0 / fits + rho) * s2), fits - 1) <= abs(difference):
            return fits
    return None


def fits_for(difference: float, loss: dict[str, Any], method: dict[str, Any]) -> str:
    """What would detect a difference of ``|difference|``: more seeds, more repeats of the k-fold, or more rows."""
    se, size = loss["se"], abs(difference)
    if not se or size == 0:
        return ""
    if size >= loss["detectable"]:
        return " A real difference as large as the one seen would have shown in 80% of such verifications: it may well be smaller."
    fits, rho = method["pairs"], method["correction"]
    s2 = se**2 / (1.0 / fits + rho)  # the variance of one fit's difference
    if method["name"] == "fresh sample":
        seeds = fewest_fits(difference, s2, 0.0, fits + 1, 1, MAX_VERIFY_SEEDS)
        if seeds is not None:
            return f" About {seeds} seeds (--seeds {seeds}) would detect a difference of {size:.4f}, if it is real."
    else:
        folds = method["folds"]
        found = fewest_fits(difference, s2, rho, folds * (method["repeats"] + 1), folds, folds * MAX_REPEATS)
        if found is not None:
            repeats = found // folds
            return (f" About {repeats} repeats of the {folds}-fold splitting (--repeats {repeats}, {found} fits) would detect a "
                    f"difference of {size:.4f}, if it is real.")  # fmt: skip
    factor = (loss["detectable"] / size) ** 2  # se shrinks about as 1/√rows
    rows = method.get("labelled_rows")
    more = f" ({factor * rows:,.0f} rows)" if rows else ""
    bound = "the folds' shared training rows bound the error" if rho else "the seeds' spread bounds it"
    return (f" No number of {'repeats' if rho else 'seeds'} up to {MAX_REPEATS if rho else MAX_VERIFY_SEEDS} would ({bound}); about "
            f"{factor:.1f} times as many rows{more} would detect a difference of {size:.4f}, if it is real.")  # fmt: skip


def power_sentence(loss: dict[str, Any], method: dict[str, Any], quantity: str) -> str:
    """The smallest difference the verification could detect and, when it found none, what would."""
    if loss["detectable"] is None:
        return ""
    sentence = (f"This verification ({method['pairs']} fits) could detect a difference of {loss['detectable']:.4f} or more in test "
                f"{quantity} (p < 0.05 with 80% power).")  # fmt: skip
    return sentence + (fits_for(loss["difference"], loss, method) if not loss["significant"] else "")


def fit_sentence(verdict: str, gap: float, threshold: float, score: str, loss: dict[str, Any], quantity: str) -> str:
    """What the verdict of the detection means for regularization, given the verified difference of the loss."""
    d = loss["difference"]
    if verdict == "good fit":
        helped = (f"it still lowered the test {quantity} by {-d:.4f}, significantly" if decision(loss) == REGULARIZE
                  else f"it did not lower the test {quantity} significantly")  # fmt: skip
        return (f"The baseline is a good fit (train − validation {score} gap {gap:.3f} <= {threshold:g}): regularization is not needed "
                f"to close a gap; {helped}.")  # fmt: skip
    if verdict == "underfitting":
        return ("The baseline underfits: a penalty restrains a model further and cannot fix that; try a wider or deeper model, "
                "or longer training, and diagnose again.")  # fmt: skip
    if decision(loss) == KEEP:
        return (f"The baseline overfits (train − validation {score} gap {gap:.3f} > {threshold:g}), yet the tuned model is not "
                "shown better on held-out data: a larger search (--budget), another penalty range, or more rows may find "
                "one that is.")  # fmt: skip
    return ""


def advice(verdict: str, gap: float, threshold: float, score: str, verification: dict[str, Any], level: float = LEVEL) -> dict[str, Any]:
    """The decision, the sentences that decide it (``reason``) and all the sentences (see the module docstring), from the
    detection's verdict, its mean gap of ``score`` and the gap threshold, and the verification document, whose intervals
    are at ``level``."""
    loss, method, metrics = verification["loss"], verification["method"], verification["metrics"]
    name, held_out = verification["quantity"], verification["score_difference"]
    quantity = "log loss" if name == "log_loss" else "MSE"
    score_name = "R²" if verification["score"] == "r2" else verification["score"]
    test = f"{method['test']}, {method['pairs']} fits"
    sentences = [
        verification_sentence(loss, metrics["baseline"][name], metrics["tuned"][name], quantity, test, held_out, level),
        score_sentence(loss, held_out, score_name, quantity) if held_out else "",
        power_sentence(loss, method, quantity),
        fit_sentence(verdict, gap, threshold, "R²" if score == "r2" else score, loss, quantity),
        *verification["notes"],
    ]
    reason = " ".join(s for s in sentences[:2] if s)  # what decides: the verified loss, and a score that overturns it
    return {"decision": decision(loss, held_out), "reason": reason, "sentences": [s for s in sentences if s]}
