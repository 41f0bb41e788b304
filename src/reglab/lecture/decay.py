"""Weight decay vs the L2 penalty: the identity for SGD (shown to rounding in float64), and how far Adam is from it."""

from __future__ import annotations

import numpy as np

from reglab.lecture.compare import Family, describe, said, word_of
from reglab.lecture.figure_data import curve
from reglab.lecture.plan import Arm, Arms, Section, Settings
from reglab.lecture.scores import hidden_weight_stats, ok, per_seed, test_scores
from reglab.lecture.summaries import arm_summary, fmt, score_rows, stat
from reglab.regularizers import L2
from reglab.views.report import figures

__all__ = ["DECAY", "ROUNDING", "decay_arms", "decay_prose"]

# two runs whose weights differ by less than this end at the same weights up to float64 rounding (the SGD pair's precision);
# the claim of the identity and the figure's caption both read it, for the float32 Adam pair too
ROUNDING = 1e-9


def decay_arms(s: Settings) -> list[Arm]:
    """SGD with L2(λ/2) and with decay λ (float64, ``s.identity_seeds`` seeds: the identity holds to rounding on every
    seed, so it needs no more), Adam alone and with L2 λ = 0.01, and AdamW at ``s.adamw_decays``."""
    sgd = {"optimizer": "sgd", "lr": s.sgd_lr}
    return [
        Arm("sgd-l2", "SGD + L2 λ = 0.005", {**sgd, "penalty": L2(lam=0.005)}, seeds=s.identity_seeds, exact=True),
        Arm("sgd-decay", "SGD + decay 0.01", {**sgd, "weight_decay": 0.01}, seeds=s.identity_seeds, exact=True),
        Arm("adam", "Adam, no penalty"),
        Arm("adam-l2", "Adam + L2 λ = 0.01", {"penalty": L2(lam=0.01)}),
        *(Arm(f"adamw-{wd:g}", f"AdamW decay {wd:g}", {"optimizer": "adamw", "weight_decay": wd}) for wd in s.adamw_decays),
    ]


def decay_prose(sgd_diff: float, adam_diff: float, norms: dict[str, float], tests: dict, matched: str) -> str:
    """The conclusion from the largest weight differences (SGD pair; Adam + L2 vs AdamW at 2λ), the mean hidden norms by
    arm key, the family's tests (``weak``: AdamW 2λ − Adam alone; ``norm:<key>``: AdamW − Adam + L2; ``matched``: test
    accuracy of the AdamW arm closest in norm − Adam + L2) and that arm's key."""
    adamw = [k for k in norms if k.startswith("adamw-")]
    text = (
        f"SGD with an L2 penalty λ/2 = 0.005 and SGD with decoupled decay λ = 0.01 end at the same weights: the largest difference "
        f"over all parameters and seeds is {sgd_diff:.1e} (trained in float64: rounding only), because w − lr·(g + 2·(λ/2)·w) = "
        f"w − lr·λ·w − lr·g. Adam with L2 λ = 0.01 and AdamW with decay 2λ = 0.02 do not: their weights differ by up to {adam_diff:.2f}, "
        "since Adam divides the penalty's gradient by √v̂ while AdamW's decay bypasses it. Hidden-kernel norms: "
        f"Adam alone {norms['adam']:.2f}, Adam + L2 {norms['adam-l2']:.2f}, " + ", ".join(f"AdamW {k[6:]} {norms[k]:.2f}" for k in adamw)
        + f". {describe(tests['weak'], 'Norm of AdamW 0.02 minus Adam alone', 2)}. "
    )
    above = [k for k in adamw if word_of(tests[f"norm:{k}"]) == "higher"]
    below = [k for k in adamw if word_of(tests[f"norm:{k}"]) == "lower"]
    level = [k for k in adamw if k not in above and k not in below]
    if len(above) == len(adamw):
        text += "No decay tried brings the weights down to Adam + L2's norm. "
    else:
        parts = [f"{', '.join(k[6:] for k in ks)} {what}" for ks, what in ((above, "above it"), (level, "not distinguishable from it"),
                                                                          (below, "below it")) if ks]  # fmt: skip
        text += f"AdamW's norm against Adam + L2's: decay {'; '.join(parts)}. "
    return text + describe(tests["matched"], f"Test accuracy of AdamW {matched[6:]} (closest in norm) minus Adam + L2") + "."


def _max_diff(xs, ys) -> float:
    return max(float(np.max(np.abs(p - q))) for x, y in zip(ok(xs), ok(ys)) for p, q in zip(x.kernels + x.biases, y.kernels + y.biases))


def decay(arms: Arms, s: Settings) -> dict:
    sgd_diff = _max_diff(arms.results("sgd-l2"), arms.results("sgd-decay"))
    adamw = [k for k in arms if k.startswith("adamw")]
    weakest = min(adamw, key=lambda k: float(k[6:]))  # decay 2λ: Adam + L2's λ, decoupled
    adam_diff = _max_diff(arms.results("adam-l2"), arms.results(weakest))
    pairs = [{"models": [arms.label(a), arms.label(b)], "max_difference": d, "rounding": ROUNDING}
             for (a, b), d in ((("sgd-l2", "sgd-decay"), sgd_diff), (("adam-l2", weakest), adam_diff))]  # fmt: skip
    summaries = {k: arm_summary(arms.label(k), arms.results(k)) for k in arms}
    norm = {k: per_seed(arms.results(k), lambda r: hidden_weight_stats(r)["l2"]) for k in arms}
    norms = {k: float(np.nanmean(v)) for k, v in norm.items()}
    matched = min(adamw, key=lambda k: abs(np.log(norms[k] / norms["adam-l2"])))
    family = Family("weight decay")
    tests = {"weak": family.compare("hidden norm, AdamW 0.02 − Adam alone", norm["adam"], norm[weakest])}
    for k in adamw:
        tests[f"norm:{k}"] = family.compare(f"hidden norm, {arms.label(k)} − Adam + L2", norm["adam-l2"], norm[k])
    matched_test = [test_scores(arms.results(k)) for k in ("adam-l2", matched)]
    tests["matched"] = family.compare(f"test accuracy, {arms.label(matched)} − Adam + L2", *matched_test)
    adjusted = family.adjust()
    rows = [row[:5] + [fmt(stat(norm[k]), 2)] for k, row in zip(arms, score_rows(list(summaries.values())))]
    return {
        "table": {"columns": ["optimizer and regularizer", "train", "validation", "test", "Bayes rule, same points", "‖w‖₂ (hidden)"],
                  "rows": rows},  # fmt: skip
        "figures": {"curves": [curve(arms.label(k), arms.results(k)[0]) for k in arms], "pairs": pairs},
        "numbers": {"sgd_max_difference": sgd_diff, "adam_max_difference": adam_diff, "arms": list(summaries.values()),
                    "hidden_norm": norms, "matched_decay": matched, "tests": tests},  # fmt: skip
        "family": adjusted,
        "conclusion": decay_prose(sgd_diff, adam_diff, norms, tests, matched),
        "headline": f"SGD: L2(λ/2) and decay λ agree to {sgd_diff:.0e}; Adam + L2 and AdamW differ by up to {adam_diff:.2f}; "
        + "AdamW's hidden norm against Adam + L2's: " + ", ".join(f"decay {k[6:]} {said(tests[f'norm:{k}'])}" for k in adamw)
        + f"; test accuracy of the closest in norm: {said(tests['matched'])}.",
        "precision": f"the SGD pair in float64, on {s.identity_seeds} seeds (an identity to rounding, not a comparison)",
    }


DECAY = Section("decay", "Weight decay", decay_arms, decay, figures.decay)
