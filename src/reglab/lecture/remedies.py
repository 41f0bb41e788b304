"""Remedies beside the penalty: dropout and early stopping (with and without L2), more data and input jitter."""

from __future__ import annotations

from reglab.lecture.analysis import (
    SCORE_COLUMNS,
    arm_summary,
    best_sentence,
    boundary_panels,
    curve,
    fmt,
    mean,
    paired,
    per_seed,
    score_rows,
    test_scores,
)
from reglab.lecture.compare import best_of, compare, describe
from reglab.lecture.plan import Arm, Arms, Section, Settings
from reglab.regularizers import L2, NoPenalty
from reglab.views.report import figures

__all__ = ["DATA", "DROPOUT", "dropout_prose", "more_data_prose"]


def dropout_key(rate: float, lam: float, early: bool) -> str:
    return f"dropout-{rate:g}·l2-{lam:g}·{'early' if early else 'full'}"


def dropout_arms(s: Settings) -> list[Arm]:
    arms = []
    for early in (False, True):
        for rate in (0.0, 0.3):
            for lam in (0.0, 0.01):
                label = f"dropout {rate:g} · L2 {lam:g} · {'early stop' if early else 'no early stop'}"
                config = {"dropout": rate, "penalty": L2(lam=lam) if lam else NoPenalty(), "patience": s.patience if early else None}
                arms.append(Arm(dropout_key(rate, lam, early), label, config))
    return arms


def effect_word(t: dict | None) -> str:
    return {"higher": "helps", "lower": "hurts"}.get(t["word"] if t else "", "is redundant or too small to tell")


def dropout_prose(best, tests: dict, name) -> str:
    """The conclusion from the best-of test on test accuracy and the paired tests ``add_dropout_to_l2``,
    ``add_l2_to_dropout``, ``early_stopping`` and ``early_stopping_with_both`` (each: with − without)."""
    return (
        f"{best_sentence(best, 'Highest mean test accuracy', name=name)}. "
        f"{describe(tests['add_dropout_to_l2'], 'Adding dropout 0.3 to L2')}; "
        f"{describe(tests['add_l2_to_dropout'], 'adding L2 to dropout')}; "
        f"{describe(tests['early_stopping'], 'early stopping alone vs nothing')}; "
        f"{describe(tests['early_stopping_with_both'], 'early stopping added to dropout + L2')}. "
        f"On the lecture's open question: on this data, combining dropout with L2 {effect_word(tests['add_dropout_to_l2'])} "
        f"compared with L2 alone, and early stopping added to both {effect_word(tests['early_stopping_with_both'])}."
    )


def dropout(arms: Arms, s: Settings) -> dict:
    summaries = [arm_summary(arms.label(k), arms.results(k)) for k in arms]
    rows = [row + [fmt(x["epochs_run"], 0)] for row, x in zip(score_rows(summaries), summaries)]
    at = lambda rate, lam, early: arms.results(dropout_key(rate, lam, early))  # noqa: E731
    tests = {
        "add_dropout_to_l2": paired(at(0, 0.01, False), at(0.3, 0.01, False)),
        "add_l2_to_dropout": paired(at(0.3, 0, False), at(0.3, 0.01, False)),
        "early_stopping": paired(at(0, 0, False), at(0, 0, True)),
        "early_stopping_with_both": paired(at(0.3, 0.01, False), at(0.3, 0.01, True)),
    }
    best = best_of({k: test_scores(arms.results(k)) for k in arms})
    early = [k for k in arms if arms[k][0].config.get("patience")]
    return {
        "table": {"columns": SCORE_COLUMNS + ["epochs run"], "rows": rows},
        "figures": {
            "curves": [curve(arms.label(k), arms.results(k)[0]) for k in early],
            "bars": {"labels": [arms.label(k) for k in arms], "test": [x["test"] for x in summaries]},
        },
        "numbers": {"arms": summaries, **tests, "best_test": best},
        "conclusion": dropout_prose(best, tests, arms.label),
        "headline": f"Highest mean test accuracy: {arms.label(best['best'])} ({best['mean']:.3f}, {len(best['peers'])} others not "
        f"distinguishable); adding dropout to L2 {effect_word(tests['add_dropout_to_l2'])}.",
    }


def data_arms(s: Settings) -> list[Arm]:
    n = s.n_samples
    return [
        Arm("1x", f"{n} points"),
        Arm("2x", f"{2 * n} points (2×)", {}, {"n_samples": 2 * n}),
        Arm("4x", f"{4 * n} points (4×)", {}, {"n_samples": 4 * n}),
        Arm("jitter", f"{n} points + jitter 0.15", {"input_noise": 0.15}),
        Arm("l2", f"{n} points + L2 λ=0.01", {"penalty": L2(lam=0.01)}),
    ]


def more_data_prose(labels: dict[str, str], gaps: dict[str, float], tests: dict[str, float], four: dict, remedies: dict | None) -> str:
    """The conclusion from the mean gaps and test accuracies by arm key, the paired tests of 4× − 1× data
    (``four``: train, test, gap) and of the gap of L2 − jitter."""
    text = (
        "Gap by setting: " + ", ".join(f"{labels[k]}: {g:+.3f}" for k, g in gaps.items()) + ". "
        "Test accuracy: " + ", ".join(f"{labels[k]}: {t:.3f}" for k, t in tests.items()) + ". "
    )
    text += describe(four["gap"], "Gap of " + labels["4x"] + " minus " + labels["1x"]) + "; "
    text += describe(four["train"], "its training accuracy") + "; " + describe(four["test"], "its test accuracy") + ". "
    words = {k: (t or {}).get("word") for k, t in four.items()}
    if words["gap"] == "lower" and words["train"] == "lower" and words["test"] != "higher":
        text += "More data closes the gap because training accuracy falls toward what the data allows, not because test accuracy rises. "
    elif words["test"] == "higher":
        text += "More data raises test accuracy, as the lecture says. "
    text += describe(remedies, f"Gap of {labels['l2']} minus {labels['jitter']}")
    if remedies is None or remedies["word"] in ("tie", "indistinguishable"):
        return text + ": of the remedies that need no new data, neither narrows the gap distinguishably more."
    return text + f": {labels['l2'] if remedies['word'] == 'lower' else labels['jitter']} narrows it more."


def more_data(arms: Arms, s: Settings) -> dict:
    summaries = {k: arm_summary(arms.label(k), arms.results(k)) for k in arms}
    score = lambda part: (lambda r: getattr(r, part)[r.score_name])  # noqa: E731
    base, four_x = arms.results("1x"), arms.results("4x")
    four = {part: compare(per_seed(base, score(part)), per_seed(four_x, score(part))) for part in ("train", "test")}
    four["gap"] = compare(per_seed(base, lambda r: r.gap), per_seed(four_x, lambda r: r.gap))
    remedies = compare(*(per_seed(arms.results(k), lambda r: r.gap) for k in ("jitter", "l2")))
    labels = {k: arms.label(k) for k in arms}
    gaps, tests = {k: mean(x["gap"]) for k, x in summaries.items()}, {k: mean(x["test"]) for k, x in summaries.items()}
    return {
        "table": {"columns": SCORE_COLUMNS, "rows": score_rows(list(summaries.values()))},
        "figures": {"boundaries": boundary_panels([(arms.label(k), arms.results(k)[0]) for k in arms], s.resolution)},
        "numbers": {"arms": list(summaries.values()), "four_times_data": four, "remedies": remedies},
        "conclusion": more_data_prose(labels, gaps, tests, four, remedies),
        "headline": "Gap: " + ", ".join(f"{labels[k]} {g:+.3f}" for k, g in gaps.items()) + ".",
    }


DROPOUT = Section("dropout", "Dropout and early stopping, with and without L2", dropout_arms, dropout, figures.dropout)
DATA = Section("data", "More data and augmentation", data_arms, more_data, figures.more_data)
