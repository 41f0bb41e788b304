"""The lecture's claims against what was measured, one claim per row, each status decided from the sections' numbers.

The rule, stated on the page (:data:`RULE`): a claim is ``confirmed`` when the comparison that tests it is
distinguishable in the lecture's direction (exact sign-flip test over seeds, Holm-adjusted within its section's
family), ``contradicted`` when it is distinguishable the other way, ``depends`` when it holds under one named
condition and not under another (the condition is named: the optimiser's L1 step, the dataset, the penalty), and
``cannot tell`` when no comparison decides at this number of seeds (or nothing here can test it, said why). The
judges read a ``{key: section}`` mapping, so they are tested by feeding them fabricated sections.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reglab.lecture.compare import describe, word_of
from reglab.lecture.contents import SECTIONS
from reglab.lecture.decay import ROUNDING
from reglab.lecture.summaries import mean

__all__ = ["CLAIMS", "RULE", "CLAIM_STATUSES", "claims"]

CLAIM_STATUSES = ("confirmed", "contradicted", "depends", "cannot tell")
RULE = (
    "confirmed: the comparison that tests the claim is distinguishable in the lecture's direction (exact sign-flip test over "
    "seeds, Holm-adjusted within its section's family, p < 0.05); contradicted: distinguishable the other way; depends: it "
    "holds under the named condition and not under another; cannot tell: no comparison decides at this number of seeds, or "
    "nothing here can test it (said why)."
)
Sections = Mapping[str, dict]
Judged = tuple[str, str, str]  # (status, condition or "", evidence)


def by_word(test: dict | None, good: str) -> str:
    """``confirmed`` when the test's word is ``good``, ``contradicted`` when it is the opposite, else ``cannot tell``."""
    bad = {"higher": "lower", "lower": "higher"}[good]
    return {good: "confirmed", bad: "contradicted"}.get(word_of(test), "cannot tell")


def absent_section(missing: KeyError, sections: Sections) -> bool:
    """Whether a judge's KeyError names a section that was not run (then its claim is left out); any other missing
    key is a bug in the judge or its section."""
    return bool(missing.args) and missing.args[0] in SECTIONS and missing.args[0] not in sections


def _tested(section: str, key: str, good: str, what: str, digits: int = 3) -> Callable[[Sections], Judged]:
    """A judge of one comparison of ``section``'s numbers (``key`` a path through dicts, split at '/')."""

    def judge(s: Sections) -> Judged:
        test = s[section]
        for part in key.split("/"):
            test = test[part]
        return by_word(test, good), "", describe(test, what, digits)

    return judge


def _small_not_zero(s: Sections) -> Judged:
    w = s["weights"]
    exact, near = mean(w["l2_zeros"]["exact_zero"]), mean(w["l2_zeros"]["near_zero"])
    std = w["tests"]["std"]
    evidence = f"{describe(std, 'first-layer std, L2 minus none')}; under L2 {exact:.1%} of hidden weights are 0, {near:.1%} below 1e-3"
    if exact >= 0.01:
        return "contradicted", "", evidence
    return by_word(std, "lower"), "", evidence


def _l1_zeros(s: Sections) -> Judged:
    p = s["penalties"]
    prox, sub = p["numbers"]["l1@0.001"], p["numbers"]["l1-subgradient"]
    a, b = mean(prox["exact_zero"]), mean(sub["exact_zero"])
    evidence = f"exact zeros at λ = 0.001: proximal step {a:.0%}, subgradient step (Keras's) {b:.0%}; " + describe(
        p["tests"]["prox_zeros"], "proximal minus subgradient"
    )
    if word_of(p["tests"]["prox_zeros"]) != "higher":  # the step's difference itself is not established
        return ("contradicted" if word_of(p["tests"]["prox_zeros"]) == "lower" else "cannot tell"), "", evidence
    if a > 0.1 and b < 0.01:
        return "depends", "on the optimiser's L1 step: proximal yes, subgradient no", evidence
    return ("confirmed" if a > 0.1 else "contradicted"), "", evidence


def _l2_beats_l1(s: Sections) -> Judged:
    words = {"moons (matched strength)": s["penalties"]["tests"]["l1_vs_l2"]}
    flipped = {"lower": "higher", "higher": "lower"}  # L1 − L2 there; L2 − L1 in the exercise
    words = {k: flipped.get(word_of(t), word_of(t)) for k, t in words.items()}
    evidence = [describe(s["penalties"]["tests"]["l1_vs_l2"], "moons, L1 minus L2 at matched strength")]
    for d, f in s.get("datasets", {}).get("numbers", {}).get("findings", {}).get("datasets", {}).items():
        words[f"{d} (exercise)"] = word_of(f.get("l2_vs_l1"))
        evidence.append(describe(f.get("l2_vs_l1"), f"{d} (exercise), L2 minus L1, each λ chosen on validation"))
    better, worse = [k for k, w in words.items() if w == "higher"], [k for k, w in words.items() if w == "lower"]
    text = "; ".join(evidence)
    if better and worse:
        return "depends", f"on the dataset: L2 better on {', '.join(better)}, worse on {', '.join(worse)}", text
    return ("confirmed" if better else "contradicted" if worse else "cannot tell"), "", text


def _elastic(s: Sections) -> Judged:
    t = s["penalties"]["tests"]
    zeros, shrink = by_word(t["enet_zeros"], "higher"), by_word(t["enet_norm"], "lower")
    evidence = describe(t["enet_zeros"], "exact zeros, elastic net minus L2") + "; "
    evidence += describe(t["enet_norm"], "‖w‖₂, elastic net minus L1", 2)
    if "contradicted" in (zeros, shrink):
        return "contradicted", "", evidence
    return ("confirmed" if zeros == shrink == "confirmed" else "cannot tell"), "", evidence


def _weight_decay(s: Sections) -> Judged:
    n = s["decay"]["numbers"]
    sgd, adam = n["sgd_max_difference"], n["adam_max_difference"]
    evidence = f"SGD + L2(λ/2) and SGD + decay λ differ by at most {sgd:.1e} (float64); Adam + L2 and AdamW by up to {adam:.2f}"
    return ("confirmed" if sgd < ROUNDING else "contradicted"), "", evidence + " (the identity is SGD's, the update the lecture writes)"


def _biases(s: Sections) -> Judged:
    return "cannot tell", "", (
        "not run: reglab never penalises a bias (one function decides which tensors are penalised, and a test holds it), "
        "so no arm can compare; the lecture's rule is reglab's default"
    )


def _picture(s: Sections) -> Judged:
    picture = s["lambda"]["numbers"]["picture"]
    shown = "; ".join(f"λ = {lam}: {measured} (sketch: {word})" for lam, (word, measured, _) in picture.items())
    agrees = [a for _, _, a in picture.values()]
    if False in agrees:
        return "contradicted", "", shown
    return ("confirmed" if len(agrees) == 4 and all(agrees) else "cannot tell"), "", shown


def _start(s: Sections) -> Judged:
    n = s["lambda"]["numbers"]
    chosen, cost = n["chosen_lambda"], n["cost"].get("λ = 0.01")
    evidence = f"lowest validation loss at λ = {chosen:g}"
    evidence += "" if chosen == 0.01 else "; " + describe(cost, f"λ = 0.01 minus λ = {chosen:g}")
    worse = [k for k, t in n["cost"].items() if word_of(t) == "lower"]
    evidence += f"; distinguishably worse on test: {', '.join(worse) or 'no λ'}"
    if word_of(cost) == "lower":
        return "contradicted", "", evidence
    if not worse:  # the choice distinguishes nothing: these seeds cannot back any starting point
        return "cannot tell", "", evidence
    return "confirmed", "", evidence


def _range(s: Sections) -> Judged:
    n = s["lambda"]["numbers"]
    costs = {"moons with L2": word_of(n["cost"]["λ = 0.1"])} if "λ = 0.1" in n["cost"] else {}
    exercise = s.get("datasets", {}).get("numbers", {})
    for d, f in exercise.get("findings", {}).get("datasets", {}).items():
        costs.update({f"{d} with {k.upper()}": word_of(t) for k, t in f["strong_cost"].items()})
    hurt, fine = [k for k, w in costs.items() if w == "lower"], [k for k, w in costs.items() if w != "lower"]
    flat = [d for d, c in exercise.get("collapsed", {}).items() if c]
    inside = 0.001 <= n["chosen_lambda"] <= 0.1
    evidence = f"validation chooses λ = {n['chosen_lambda']:g} on moons; λ = 0.1 costs test accuracy (against that λ on moons, "
    evidence += f"against 0.001 in the exercise) on {', '.join(hurt) or 'none'}"
    evidence += f"; not distinguishably on {', '.join(fine)}" if fine else ""
    evidence += f"; L1 at 0.1 outputs a constant on {', '.join(flat)}" if flat else ""
    if not inside:
        return "contradicted", "", evidence
    if not hurt and all(w in ("indistinguishable", "tie") for w in costs.values()):
        return "cannot tell", "", evidence
    if hurt:
        where = "every dataset and penalty tried" if not fine else "the datasets and penalties named"
        return "depends", f"on where in the range: the chosen λ lies inside it, but its top (0.1) is too strong on {where}", evidence
    return "confirmed", "", evidence


def _complexity(s: Sections) -> Judged:
    across = s["datasets"]["numbers"]["across"]
    evidence = "; ".join(describe(t, what) for what, t in across["tests"].items())
    differ = [what for what, t in across["tests"].items() if word_of(t) in ("higher", "lower")]
    if differ:
        return "confirmed", "", evidence
    return "cannot tell", "", evidence + ": no dataset's cost differs distinguishably from moons' here"


CAPACITY = _tested("capacity", "numbers/gap_change", "higher", "gap, widest minus narrowest")
MORE_DATA = _tested("data", "numbers/tests/gap4", "lower", "gap, 4× data minus 1×")
JITTER = _tested("data", "numbers/tests/jitter_gap", "lower", "gap, jitter minus none")
DROPOUT = _tested("dropout", "numbers/dropout_gap", "lower", "gap, dropout 0.3 minus nothing")
EARLY = _tested("dropout", "numbers/early_stopping_gap", "lower", "gap, early stopping minus nothing")
L2_GAP = _tested("l2", "numbers/gap_difference", "lower", "gap, L2 minus none")
L2_SMOOTH = _tested("l2", "numbers/length_difference", "lower", "boundary length, L2 minus none", 1)
L2_TEST = _tested("l2", "numbers/paired_test", "higher", "test accuracy, L2 minus none")
L2_ZERO = _tested("weights", "tests/std", "lower", "first-layer std, L2 minus none")
OUTPUT = _tested("weights", "tests/output_test", "lower", "test accuracy, output layer penalised too minus hidden only")
WITH_L2 = _tested("dropout", "numbers/add_dropout_to_l2", "higher", "test accuracy, dropout + L2 minus L2")

# (claim of the lecture, section that holds the evidence, how it is judged)
CLAIMS: list[tuple[str, str, Callable[[Sections], Judged]]] = [
    ("More capacity overfits more: the gap grows with width", "capacity", CAPACITY),
    ("More data reduces overfitting", "data", MORE_DATA),
    ("Data augmentation reduces overfitting (here: input jitter)", "data", JITTER),
    ("Dropout reduces overfitting", "dropout", DROPOUT),
    ("Early stopping reduces overfitting", "dropout", EARLY),
    ("L2 narrows the train/test gap", "l2", L2_GAP),
    ("L2 gives a smoother decision boundary", "l2", L2_SMOOTH),
    ("L2 gives better test accuracy", "l2", L2_TEST),
    ("L2 pulls the weights toward zero (first layer [-2.78, 1.75] → [-0.5, 0.3])", "weights", L2_ZERO),
    ("L2 makes the weights small but not zero", "weights", _small_not_zero),
    ("L1 drives weights to exact zeros", "penalties", _l1_zeros),
    ("L2 gives better results than L1 in deep learning", "penalties", _l2_beats_l1),
    ("Elastic net combines both: L1's zeros and L2's shrinkage", "penalties", _elastic),
    ("For SGD, L2 is weight decay: w ← w(1 − αλ) − α·∂L/∂w", "decay", _weight_decay),
    ("Do not regularize the output layer", "weights", OUTPUT),
    ("Do not regularize bias terms", "setup", _biases),
    ("λ = 0 overfits, 0.01 balances, 0.1 is smooth, 1 underfits", "lambda", _picture),
    ("Start with λ = 0.01", "lambda", _start),
    ("The common range of λ is 0.001 to 0.1", "lambda", _range),
    ("Dropout with L2: beneficial or redundant? (the lecture asks)", "dropout", WITH_L2),
    ("How much regularization helps depends on the dataset's complexity", "datasets", _complexity),
]


def claims(sections: Sections) -> list[dict]:
    """``[{"claim", "section", "status", "condition", "evidence"}]`` for every claim whose sections were run."""
    out = []
    for claim, key, judge in CLAIMS:
        if key != "setup" and key not in sections:
            continue
        try:
            status, condition, evidence = judge(sections)
        except KeyError as missing:
            if not absent_section(missing, sections):
                raise  # a number the judge reads is missing from a section that ran: a bug, never a silent gap
            continue
        assert status in CLAIM_STATUSES, status
        out.append({"claim": claim, "section": key, "status": status, "condition": condition, "evidence": evidence})
    return out
