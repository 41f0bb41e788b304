"""Remedies beside the penalty: dropout and early stopping (with and without L2), more data and input jitter."""

from __future__ import annotations

import math

from reglab.data import load
from reglab.lecture.compare import Family, describe, said, word_of
from reglab.lecture.figure_data import boundary_panels, curve, references
from reglab.lecture.plan import Arm, Arms, Section, Settings
from reglab.lecture.scores import gaps, per_seed, test_scores
from reglab.lecture.summaries import SCORE_COLUMNS, above_bayes, arm_summary, fmt, mean, score_rows
from reglab.regularizers import L2, NoPenalty
from reglab.views.report import figures

__all__ = ["DATA", "DROPOUT", "COMBINATIONS", "dropout_prose", "effect_word", "more_data_prose"]

COMBINATIONS = ((0.0, 0.0, False), (0.0, 0.01, False), (0.3, 0.0, False), (0.3, 0.01, False), (0.0, 0.0, True), (0.3, 0.01, True))


def dropout_key(rate: float, lam: float, early: bool) -> str:
    return f"dropout-{rate:g}·l2-{lam:g}·{'early' if early else 'full'}"


def dropout_label(rate: float, lam: float, early: bool) -> str:
    parts = ([f"dropout {rate:g}"] if rate else []) + ([f"L2 λ = {lam:g}"] if lam else []) + (["early stopping"] if early else [])
    return " + ".join(parts) or "nothing"


def dropout_arms(s: Settings) -> list[Arm]:
    """Nothing, L2, dropout, both, early stopping alone, and early stopping added to both."""
    arms = []
    for rate, lam, early in COMBINATIONS:
        config = {"dropout": rate, "penalty": L2(lam=lam) if lam else NoPenalty(), "patience": s.patience if early else None}
        arms.append(Arm(dropout_key(rate, lam, early), dropout_label(rate, lam, early), config))
    return arms


def effect_word(t: dict | None) -> str:
    return {"higher": "helps", "lower": "hurts", "tie": "changes nothing"}.get(word_of(t), "makes no distinguishable difference")


def dropout_prose(tests: dict) -> str:
    """The conclusion from the family's paired tests (each: with − without): ``dropout``, ``dropout_gap``, ``add_dropout_to_l2``,
    ``add_l2_to_dropout``, ``early_stopping``, ``early_stopping_gap``, ``early_stopping_with_both``."""
    return (
        f"{describe(tests['dropout'], 'Test accuracy with dropout 0.3 minus nothing')}; "
        f"{describe(tests['dropout_gap'], 'its gap')}. "
        f"{describe(tests['add_dropout_to_l2'], 'Adding dropout 0.3 to L2')}; "
        f"{describe(tests['add_l2_to_dropout'], 'adding L2 to dropout')}. "
        f"{describe(tests['early_stopping'], 'Test accuracy with early stopping minus nothing')}; "
        f"{describe(tests['early_stopping_gap'], 'its gap')}; "
        f"{describe(tests['early_stopping_with_both'], 'early stopping added to dropout + L2')}. "
        f"On the lecture's open question, on this data: dropout added to L2 {effect_word(tests['add_dropout_to_l2'])} to test "
        f"accuracy, and early stopping added to both {effect_word(tests['early_stopping_with_both'])}."
    )


def dropout(arms: Arms, s: Settings) -> dict:
    summaries = [arm_summary(arms.label(k), arms.results(k)) for k in arms]
    rows = [row + [fmt(x["epochs_run"], 0)] for row, x in zip(score_rows(summaries), summaries)]
    at = lambda rate, lam, early: arms.results(dropout_key(rate, lam, early))  # noqa: E731
    test, gap = (lambda *a: test_scores(at(*a))), (lambda *a: gaps(at(*a)))
    family = Family("dropout and early stopping")
    tests = {
        "dropout": family.compare("test accuracy, dropout − nothing", test(0, 0, False), test(0.3, 0, False)),
        "dropout_gap": family.compare("gap, dropout − nothing", gap(0, 0, False), gap(0.3, 0, False)),
        "add_dropout_to_l2": family.compare("test accuracy, dropout + L2 − L2", test(0, 0.01, False), test(0.3, 0.01, False)),
        "add_l2_to_dropout": family.compare("test accuracy, dropout + L2 − dropout", test(0.3, 0, False), test(0.3, 0.01, False)),
        "early_stopping": family.compare("test accuracy, early stopping − nothing", test(0, 0, False), test(0, 0, True)),
        "early_stopping_gap": family.compare("gap, early stopping − nothing", gap(0, 0, False), gap(0, 0, True)),
        "early_stopping_with_both": family.compare("test accuracy, early stopping added to dropout + L2", test(0.3, 0.01, False),
                                                   test(0.3, 0.01, True)),  # fmt: skip
    }
    adjusted = family.adjust()
    early = [k for k in arms if arms[k][0].config.get("patience")]
    return {
        "table": {"columns": SCORE_COLUMNS + ["epochs run"], "rows": rows},
        "figures": {
            "curves": [curve(arms.label(k), arms.results(k)[0]) for k in early],
            "bars": {"labels": [arms.label(k) for k in arms], "test": [x["test"] for x in summaries],
                     "references": references(arms.results(next(iter(arms))))},  # fmt: skip
        },
        "numbers": {"arms": summaries, **tests},
        "family": adjusted,
        "conclusion": dropout_prose(tests) + above_bayes(summaries),
        "headline": f"Test accuracy: dropout alone {said(tests['dropout'])}, dropout added to L2 {said(tests['add_dropout_to_l2'])}, "
        f"early stopping alone {said(tests['early_stopping'])} (gap {said(tests['early_stopping_gap'])}).",
    }


def steps_per_epoch(s: Settings, n_samples: int) -> int:
    """Optimiser steps in one epoch over the training part of ``n_samples`` points (batches of ``s.batch_size``)."""
    return math.ceil(len(load(s.data(s.seed, n_samples=n_samples)).y_train) / s.batch_size)


def data_arms(s: Settings) -> list[Arm]:
    """The lecture's data, 2× and 4× as much, jitter and L2. Every arm takes the same number of optimiser steps as the
    base (1000 epochs of 4 batches: 571 epochs at 2×, 286 at 4×), so that more data is not also more training."""
    n, base = s.n_samples, steps_per_epoch(s, s.n_samples)
    arms = [Arm("1x", f"{n} points")]
    for k in (2, 4):
        epochs = round(s.epochs * base / steps_per_epoch(s, k * n))
        arms.append(Arm(f"{k}x", f"{k * n} points ({k}×, {epochs} epochs)", {"epochs": epochs}, {"n_samples": k * n}))
    return arms + [
        Arm("jitter", f"{n} points + input jitter 0.15", {"input_noise": 0.15}),
        Arm("l2", f"{n} points + L2 λ = 0.01", {"penalty": L2(lam=0.01)}),
    ]


def more_data_prose(labels: dict[str, str], summaries: dict[str, dict], tests: dict) -> str:
    """The conclusion from the arms' summaries (by key) and the family's tests: ``test2``, ``test4``, ``gap4``, ``train4``
    (2× or 4× − 1×), ``jitter_test``, ``jitter_gap`` (jitter − 1×) and ``l2_vs_jitter`` (gap of L2 − jitter)."""
    one, two, four, jitter, l2 = (labels[k] for k in ("1x", "2x", "4x", "jitter", "l2"))
    base = summaries["1x"]
    headroom = mean(base["bayes"]) - mean(base["test"]) if base.get("bayes") else None
    text = "Every setting takes the same number of optimiser steps, so more data is not also more training. "
    text += "Gap by setting: " + ", ".join(f"{labels[k]} {mean(x['gap']):+.3f}" for k, x in summaries.items()) + ". "
    text += (
        f"{describe(tests['test4'], f'Test accuracy, {four} minus {one}')}; {describe(tests['gap4'], 'its gap')}; "
        f"{describe(tests['train4'], 'its training accuracy')}; {describe(tests['test2'], f'test accuracy, {two} minus {one}')}. "
    )
    gap, train, test = (word_of(tests[k]) for k in ("gap4", "train4", "test4"))
    if test == "higher":
        text += "More data raises test accuracy, as the lecture says. "
    elif gap == "lower" and train == "lower":
        room = f" ({one} is already within {headroom:.3f} of the Bayes rule on the same points)" if headroom is not None else ""
        text += f"More data closes the gap mostly by lowering training accuracy toward what the data allows{room}. "
    elif gap == "lower":
        text += "More data closes the gap, though test accuracy does not rise distinguishably. "
    text += (
        f"{describe(tests['jitter_test'], f'Test accuracy, {jitter} minus {one}')}; {describe(tests['jitter_gap'], 'its gap')}. "
        f"{describe(tests['l2_vs_jitter'], f'Gap of {l2} minus {jitter}')}"
    )
    if word_of(tests["l2_vs_jitter"]) in ("tie", "indistinguishable"):
        return text + ": of the remedies that need no new data, neither narrows the gap distinguishably more."
    return text + f": {l2 if word_of(tests['l2_vs_jitter']) == 'lower' else jitter} narrows it more."


def more_data(arms: Arms, s: Settings) -> dict:
    summaries = {k: arm_summary(arms.label(k), arms.results(k)) for k in arms}
    r = arms.results
    family = Family("more data and augmentation")
    train = lambda k: per_seed(r(k), lambda x: x.train[x.score_name])  # noqa: E731
    tests = {
        "test2": family.compare("test accuracy, 2× − 1× data", test_scores(r("1x")), test_scores(r("2x"))),
        "test4": family.compare("test accuracy, 4× − 1× data", test_scores(r("1x")), test_scores(r("4x"))),
        "gap4": family.compare("gap, 4× − 1× data", gaps(r("1x")), gaps(r("4x"))),
        "train4": family.compare("training accuracy, 4× − 1× data", train("1x"), train("4x")),
        "jitter_test": family.compare("test accuracy, jitter − none", test_scores(r("1x")), test_scores(r("jitter"))),
        "jitter_gap": family.compare("gap, jitter − none", gaps(r("1x")), gaps(r("jitter"))),
        "l2_vs_jitter": family.compare("gap, L2 − jitter", gaps(r("jitter")), gaps(r("l2"))),
    }
    adjusted = family.adjust()
    labels = {k: arms.label(k) for k in arms}
    return {
        "table": {"columns": SCORE_COLUMNS, "rows": score_rows(list(summaries.values()))},
        "figures": {"boundaries": boundary_panels([(arms.label(k), arms.results(k)[0]) for k in arms], s.resolution)},
        "numbers": {"arms": list(summaries.values()), "four_times_data": {"test": tests["test4"], "gap": tests["gap4"],
                    "train": tests["train4"]}, "tests": tests},  # fmt: skip
        "family": adjusted,
        "conclusion": more_data_prose(labels, summaries, tests) + above_bayes(list(summaries.values())),
        "headline": f"4× data: test accuracy {said(tests['test4'])}, gap {said(tests['gap4'])}; input jitter: test accuracy "
        f"{said(tests['jitter_test'])}, gap {said(tests['jitter_gap'])}.",
    }


DROPOUT = Section("dropout", "Dropout and early stopping, with and without L2", dropout_arms, dropout, figures.dropout)
DATA = Section("data", "More data and augmentation", data_arms, more_data, figures.more_data)
