"""The teacher's sheet: the lecture's checklist with what was measured for each item, the λ conversion worked out, the
workflow on the lecture's data, and what to try next; all from the analysed sections (``{key: section}``)."""

from __future__ import annotations

from collections.abc import Callable

from reglab.lecture.claims import Sections, absent_section
from reglab.lecture.compare import describe, said
from reglab.lecture.summaries import mean
from reglab.regularizers import lecture_lambda_of, sklearn_alpha_of, weight_decay_of

__all__ = ["CHECKLIST", "brief", "checklist", "conversion", "next_steps", "workflow"]



def brief(test: dict | None, what: str, digits: int = 3) -> str:
    """A comparison in a line of the sheet: "<what> +0.026 [+0.005, +0.046]: distinguishably higher"."""
    if test is None:
        return f"{what}: too few seeds to compare"
    d, lo, hi = test["mean_diff"], test["ci_low"], test["ci_high"]
    return f"{what} {d:+.{digits}f} [{lo:+.{digits}f}, {hi:+.{digits}f}]: {said(test)}"


def _gap(s: Sections) -> str:
    plain = s["l2"]["numbers"]["arms"][0]
    return f"{plain['label']}: gap {mean(plain['gap']):+.3f} (train − test), {plain['verdict_text']}"


def _hidden(s: Sections) -> str:
    reg = s["l2"]["numbers"]["arms"][1]
    change = said(s["l2"]["numbers"]["gap_difference"])
    return f"{reg['label']} on both hidden kernels: gap {mean(reg['gap']):+.3f}, {reg['verdict_text']}; the gap change: {change}"


def _output(s: Sections) -> str:
    return brief(s["weights"]["tests"]["output_test"], "penalising it too changes test accuracy by")


def _start(s: Sections) -> str:
    n = s["lambda"]["numbers"]
    cost = n["cost"].get("λ = 0.01")
    return f"validation loss lowest at λ = {n['chosen_lambda']:g}" + ("" if cost is None else "; " + brief(cost, "λ = 0.01 minus it:"))


def _monitor(s: Sections) -> str:
    n = s["dropout"]["numbers"]
    return brief(n["early_stopping_gap"], "early stopping on the validation loss changes the gap by")


def _boundaries(s: Sections) -> str:
    return brief(s["l2"]["numbers"]["length_difference"], "L2 changes the boundary length by", 1)


def _weights(s: Sections) -> str:
    return brief(s["weights"]["tests"]["std"], "L2 changes the first-layer weight std by")


def _tune(s: Sections) -> str:
    n = s["lambda"]["numbers"]
    lower = [k for k, t in n["cost"].items() if t and t["word"] == "lower"]
    return f"chosen on validation loss: λ = {n['chosen_lambda']:g}; distinguishably worse on test: {', '.join(lower) or 'no other λ'}"


# the lecture's implementation checklist: (item, section with its evidence or None, what was measured)
CHECKLIST: list[tuple[str, str | None, Callable[[Sections], str] | str]] = [
    ("Identify overfitting through the train/test performance gap", "l2", _gap),
    ("Add regularization to all hidden layers", "l2", _hidden),
    ("Do NOT regularize the output layer", "weights", _output),
    ("Do NOT regularize bias terms", None, "not testable here: reglab never penalises a bias"),
    ("Start with L2 regularization and λ = 0.01", "lambda", _start),
    ("Monitor both training and validation loss", "dropout", _monitor),
    ("Visualize decision boundaries (for 2-D problems)", "l2", _boundaries),
    ("Compare weight distributions before/after", "weights", _weights),
    ("Tune λ based on results", "lambda", _tune),
]


def checklist(sections: Sections) -> list[dict]:
    """The nine checklist items, each with the anchor of the section showing its evidence (if it was run) and the
    measured result in one line."""
    out = []
    for item, key, result in CHECKLIST:
        ran = key is not None and key in sections
        try:
            measured = result if isinstance(result, str) else result(sections) if ran else "not run"
        except KeyError as missing:
            if not absent_section(missing, sections):
                raise  # a number the result reads is missing from a section that ran: a bug, never a silent gap
            measured = "not run"
        out.append({"item": item, "section": key if ran else None, "measured": measured})
    return out


def conversion(lam: float = 0.01, batch_size: int = 32, n_train: int = 105) -> dict:
    """Keras ``l2(λ)`` in every other convention, worked out at ``lam`` (reglab's is Keras's: ``λ·Σw²`` added to the
    batch-mean data loss, hidden kernels only)."""
    return {
        "lam": f"{lam:g}",
        "keras": f"kernel_regularizer=regularizers.l2({lam:g})",
        "reglab": f"L2(lam={lam:g})",
        "pytorch": f"torch.optim.SGD(..., weight_decay={weight_decay_of(lam):g})  # 2λ, for SGD only (Adam: add the penalty)",
        "sklearn": f"MLPClassifier(alpha={sklearn_alpha_of(lam, batch_size):g}, batch_size={batch_size})"
        "  # 2λ·batch; penalises the output too",
        "playground": f"TensorFlow Playground regularization rate {weight_decay_of(lam):g}  # 2λ",
        "lecture": f"(λ/2n)·Σw² with n = {n_train} training points and λ = 2n·{lam:g} = {lecture_lambda_of(lam, n_train):g}",
    }


def workflow(sections: Sections, command: str, report: str) -> list[dict]:
    """Detect → apply → tune → verify on the lecture's data, each step with the numbers that show it, and the one
    command that runs the whole workflow (``command``, writing ``report``)."""
    steps = []
    if "l2" in sections:
        steps.append({"step": "detect", "section": "l2", "text": _gap(sections)})
        steps.append({"step": "apply", "section": "l2", "text": _hidden(sections)})
    if "lambda" in sections:
        steps.append({"step": "tune", "section": "lambda", "text": _tune(sections)})
    if "l2" in sections:
        verified = describe(sections["l2"]["numbers"]["paired_test"], "test accuracy with L2 minus without")
        steps.append({"step": "verify", "section": "l2", "text": verified})
    steps.append({"step": "all four at once", "section": None, "text": f"{command} (its report would be {report}; not run by the demo)"})
    return steps


def next_steps(sections: Sections, claims: list[dict]) -> list[str]:
    """What to try next: the claims that could not be told, with the effect their family could detect, and the
    experiments the lecture suggests that this demo leaves open."""
    out = []
    families = {k: sec.get("family") for k, sec in sections.items() if sec.get("family")}
    open_claims = [c["claim"] for c in claims if c["status"] == "cannot tell" and c["section"] in families]
    if open_claims:
        seeds = max(f["seeds"] for f in families.values())
        out.append(f"Could not be told with {seeds} seeds (each section's table of comparisons gives the effect it detects): "
                   f"{'; '.join(open_claims)}. More seeds narrow it: reglab demo --seeds 20.")  # fmt: skip
    out += [
        "Your own data: reglab diagnose --dataset your.csv --target y runs detect → apply → tune → verify with the same statistics.",
        "Watch λ act on the boundary, live: reglab serve, then an L2 ladder on moons.",
        "Narrow the λ grid around the chosen λ (the grid steps by 3× to 10×), and try the exercise's datasets at higher noise.",
    ]
    return out
