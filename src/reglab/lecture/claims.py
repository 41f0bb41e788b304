"""The lecture's claims against what was measured, its checklist and its workflow, from the analysed sections.

Every status is decided from the sections' numbers (paired tests of :mod:`reglab.lecture.compare`),
never typed in: ``confirmed``, ``not confirmed here`` (the data cannot tell, or the claim was not
tested), ``contradicted``, or ``depends`` (true under a condition the evidence names). The functions
read a ``{key: section}`` mapping, so they are tested by feeding them fabricated sections.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reglab.lecture.compare import describe

__all__ = ["CHECKLIST", "STATUSES", "checklist", "claims", "workflow"]

STATUSES = ("confirmed", "not confirmed here", "contradicted", "depends")
Sections = Mapping[str, dict]


def _word(test: dict | None) -> str:
    return "indistinguishable" if test is None else test["word"]


def _by_word(test: dict | None, good: str = "higher") -> str:
    bad = "lower" if good == "higher" else "higher"
    return {good: "confirmed", bad: "contradicted"}.get(_word(test), "not confirmed here")


def _mean(summary: dict | None) -> float:
    return float("nan") if summary is None else summary["mean"]


def _capacity(s: Sections) -> tuple[str, str]:
    t = s["capacity"]["numbers"]["gap_change"]
    return _by_word(t), describe(t, "gap of the widest minus the narrowest model")


def _l2_test(s: Sections) -> tuple[str, str]:
    n = s["l2"]["numbers"]
    return _by_word(n["paired_test"]), describe(n["paired_test"], "test accuracy with L2 minus without") + "; " + describe(
        n["gap_difference"], "gap with L2 minus without"
    )


def _weights_near_zero(s: Sections) -> tuple[str, str]:
    n = s["weights"]["numbers"]
    (l0, a), (l1, b) = list(n.items())[:2]
    w0, w1 = _mean(a["max"]) - _mean(a["min"]), _mean(b["max"]) - _mean(b["min"])
    ratio = w0 / w1 if w1 > 0 else float("inf")
    evidence = (
        f"first-layer range [{_mean(a['min']):.2f}, {_mean(a['max']):.2f}] ({l0}) → [{_mean(b['min']):.2f}, {_mean(b['max']):.2f}] "
        f"({l1}), {ratio:.1f}× narrower; the lecture quotes [-2.78, 1.75] → [-0.5, 0.3], 6× narrower"
    )
    if ratio <= 1.2:
        return "contradicted", evidence
    if ratio >= 4:
        return "confirmed", evidence
    return "depends", evidence + " (narrower, but less than quoted: training length and data differ)"


def _l1_zeros(s: Sections) -> tuple[str, str]:
    n = s["penalties"]["numbers"]
    prox = next((v for k, v in n.items() if "proximal" in k), None)
    sub = next((v for k, v in n.items() if "subgradient" in k), None)
    if prox is None or sub is None:
        return "not confirmed here", "no L1 arms"
    p, q = _mean(prox["exact_zero"]), _mean(sub["exact_zero"])
    evidence = f"exact zeros: proximal L1 {p:.0%}, subgradient L1 (Keras's way) {q:.0%} (near zeros {_mean(sub['near_zero']):.0%})"
    if p > 0.1 and q < 0.01:
        return "depends", evidence + ": on the optimiser's L1 step"
    return ("confirmed" if p > 0.1 and q > 0.1 else "contradicted"), evidence


def _l2_preferred(s: Sections) -> tuple[str, str]:
    tests = s["penalties"]["tests"]
    best = tests.get("matched_best", tests["best_test"])
    peers = best["peers"]
    evidence = f"at matched strength (λ per penalty chosen on validation), highest mean test accuracy {best['best']} ({best['mean']:.3f})"
    evidence += f", not distinguishable from {', '.join(peers)}" if peers else ", distinguishably above the others"
    return ("confirmed" if best["best"].startswith("l2") and not peers else "not confirmed here"), evidence


def _lambda_start(s: Sections) -> tuple[str, str]:
    n = s["lambda"]["numbers"]
    chosen, peers = n["chosen_lambda"], n["lowest_val_loss"]["peers"]
    fine = chosen == 0.01 or "λ=0.01" in peers
    evidence = f"lowest validation loss at λ = {chosen:g}" + (f"; not distinguishable: {', '.join(peers)}" if peers else "")
    return ("confirmed" if fine else "contradicted"), evidence


def _lambda_range(s: Sections) -> tuple[str, str]:
    n = s["lambda"]["numbers"]
    hurt = {k: t for k, t in n["cost"].items() if _word(t) == "lower"}
    top = hurt.get("λ=0.1")
    if top is None:
        return "confirmed", "λ = 0.1 is not distinguishably worse than the chosen λ"
    return "depends", describe(top, f"λ = 0.1 minus λ = {n['chosen_lambda']:g}") + ": the top of the range already costs accuracy here"


def _decay_rule(s: Sections) -> tuple[str, str]:
    n = s["decay"]["numbers"]
    sgd, adam = n["sgd_max_difference"], n["adam_max_difference"]
    evidence = f"SGD: L2(λ/2) and decay λ differ by {sgd:.1e}; Adam + L2 vs AdamW by {adam:.2f}"
    return ("depends" if sgd < 1e-6 and adam > 1e-3 else "confirmed" if sgd < 1e-6 else "contradicted"), evidence + " (holds for SGD only)"


def _dropout_l2(s: Sections) -> tuple[str, str]:
    t = s["dropout"]["numbers"]["add_dropout_to_l2"]
    return _by_word(t), describe(t, "test accuracy of dropout 0.3 + L2 minus L2 alone")


def _more_data(s: Sections) -> tuple[str, str]:
    four = s["data"]["numbers"]["four_times_data"]
    evidence = describe(four["test"], "test accuracy with 4× data minus 1×") + "; " + describe(four["gap"], "gap")
    if _word(four["test"]) == "higher":
        return "confirmed", evidence
    if _word(four["gap"]) == "lower":
        return "depends", evidence + ": more data closes the gap, but test accuracy does not rise distinguishably"
    return _by_word(four["test"]), evidence


def _output_layer(s: Sections) -> tuple[str, str]:
    t = s["weights"].get("tests", {}).get("output_std_change")
    evidence = "no arm penalises the output layer; " + describe(t, "output-layer weight std under hidden-only L2 minus without", 2)
    grows = ": the output layer grows to carry the scale the penalty takes away" if _word(t) == "higher" else ""
    return "not confirmed here", evidence + grows


# (claim of the lecture, section that holds the evidence, how it is judged)
CLAIMS: list[tuple[str, str, Callable[[Sections], tuple[str, str]]]] = [
    ("More capacity overfits more (the gap grows with width)", "capacity", _capacity),
    ("L2 gives a smoother boundary and better test accuracy", "l2", _l2_test),
    ("L2 pulls the weights toward zero (first layer [-2.78, 1.75] → [-0.5, 0.3])", "weights", _weights_near_zero),
    ("L1 drives weights to exact zeros", "penalties", _l1_zeros),
    ("L2 is preferred over L1 in deep learning", "penalties", _l2_preferred),
    ("Start with λ = 0.01", "lambda", _lambda_start),
    ("The common range of λ is 0.001 to 0.1", "lambda", _lambda_range),
    ("L2 regularization is weight decay: w ← (1 − αλ)w − α·g", "decay", _decay_rule),
    ("Dropout and L2 together (the lecture asks)", "dropout", _dropout_l2),
    ("More data helps", "data", _more_data),
    ("Do not regularize the output layer", "weights", _output_layer),
]


def claims(sections: Sections) -> list[dict]:
    """``[{"claim", "section", "status", "evidence"}]`` for every claim whose section was run."""
    out = []
    for claim, key, judge in CLAIMS:
        if key in sections:
            status, evidence = judge(sections)
            assert status in STATUSES, status
            out.append({"claim": claim, "section": key, "status": status, "evidence": evidence})
    return out


# the lecture's implementation checklist, each item with the section that shows it
CHECKLIST = [
    ("Identify overfitting through the train/test performance gap", "capacity"),
    ("Add regularization to all hidden layers", "l2"),
    ("Do NOT regularize the output layer", "weights"),
    ("Do NOT regularize bias terms", "setup"),
    ("Start with L2 regularization and λ = 0.01", "lambda"),
    ("Monitor both training and validation loss", "l2"),
    ("Visualize decision boundaries (for 2-D problems)", "lambda"),
    ("Compare weight distributions before/after", "weights"),
    ("Tune λ based on results", "lambda"),
]


def checklist(sections: Sections) -> list[dict]:
    """The nine checklist items, each with the anchor of the section showing its evidence (if it was run)."""
    return [{"item": item, "section": key if key == "setup" or key in sections else None} for item, key in CHECKLIST]


def workflow(sections: Sections, command: str, report: str) -> list[dict]:
    """Detect → apply → tune → verify on the lecture's data, each step with the numbers that show it, and
    the one command that runs the whole workflow (``command``, writing ``report``)."""
    steps = []
    if "l2" in sections:
        base, reg = sections["l2"]["numbers"]["arms"]
        steps.append({"step": "detect", "section": "l2", "text": f"{base['label']}: {base['verdict_text']}; gap {_mean(base['gap']):+.3f}"})
        steps.append({"step": "apply", "section": "l2", "text": f"{reg['label']} on the hidden kernels: {reg['verdict_text']}"})
    if "lambda" in sections:
        n = sections["lambda"]["numbers"]
        steps.append({"step": "tune", "section": "lambda", "text": f"λ by the lowest validation loss: {n['chosen_lambda']:g}"})
    if "l2" in sections:
        verified = describe(sections["l2"]["numbers"]["paired_test"], "test accuracy, paired")
        steps.append({"step": "verify", "section": "l2", "text": verified})
    steps.append({"step": "all four at once", "section": None, "text": f"{command} (its report would be {report}; not run by the demo)"})
    return steps
