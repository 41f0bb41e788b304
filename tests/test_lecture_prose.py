"""Every section's sentences follow the comparisons fed to them: the higher, lower, not distinguishable and tie branches."""

import pytest

from reglab.lecture.compare import Best
from reglab.lecture.decay import decay_prose
from reglab.lecture.exercise import crossed_findings, crossed_prose, crossed_table
from reglab.lecture.lambdas import strongest_prose
from reglab.lecture.overfitting import capacity_prose, l2_prose
from reglab.lecture.penalties import matched_prose
from reglab.lecture.remedies import dropout_prose, more_data_prose
from reglab.lecture.weights import weights_prose

DIFF = {"higher": 0.05, "lower": -0.05, "indistinguishable": 0.01, "tie": 0.0}
WORDS = ["higher", "lower", "indistinguishable", "tie"]


def paired_result(word):
    """A fabricated comparison (after its family's adjustment) whose word is ``word``."""
    lo, hi = {"higher": (0.01, 0.09), "lower": (-0.09, -0.01)}.get(word, (-0.04, 0.06))
    p = 0.002 if word in ("higher", "lower") else 0.5
    return {"n": 10, "mean_diff": DIFF[word], "sd": 0.02, "ci_low": lo, "ci_high": hi, "p_value": p,
            "p_adjusted": 3 * p if p < 0.5 else 1.0, "family_size": 3, "family": "f", "ties": 10 if word == "tie" else 0,
            "word": word}  # fmt: skip


def summary(m):
    return {"mean": m, "ci_low": m - 0.01, "ci_high": m + 0.01}


def best(peers=(), tie=False):
    tests = {p: paired_result("tie" if tie else "indistinguishable") for p in peers}
    return Best(best="a", chosen_on="validation accuracy", mean=0.9, peers=list(peers), above=[], tests=tests)


@pytest.mark.parametrize("word", WORDS)
def test_capacity_claims_growth_only_when_the_gap_test_says_higher(word):
    first, last = {"label": "1 neuron", "train": summary(0.8)}, {"label": "1000 neurons", "train": summary(1.0)}
    text = capacity_prose(first, last, best(["b"]), paired_result(word), paired_result("higher"), str)
    assert ("as the lecture says" in text) == (word == "higher")
    assert ("Contrary to the lecture" in text) == (word == "lower")
    assert "The width, chosen on validation accuracy: a (0.900 on the test part); against it not distinguishable: b" in text
    assert "Holm over 3" in text  # every comparison names its correction


@pytest.mark.parametrize("word", WORDS)
def test_l2_narrows_the_gap_only_when_the_test_says_lower(word):
    plain = {"label": "no penalty", "gap": summary(0.15), "test": summary(0.88), "bayes": summary(0.915)}
    reg = {"label": "L2 λ = 0.01", "gap": summary(0.05), "test": summary(0.90), "bayes": summary(0.915)}
    tests = {"gap": paired_result(word), "test": paired_result("indistinguishable"), "length": paired_result("lower")}
    text = l2_prose([plain, reg], tests)
    assert ("L2 narrows the gap, as the lecture shows." in text) == (word == "lower")
    assert ("not distinguishably at this number of seeds" in text) == (word != "lower")
    assert "Its boundary is shorter: smoother, as the lecture says." in text
    assert text.endswith("it is already within 0.015 of the Bayes rule on the same points, little room to rise.")


@pytest.mark.parametrize("word", WORDS)
def test_the_output_layer_grows_only_when_its_test_says_higher(word):
    n = lambda lo, hi, out: {"min": summary(lo), "max": summary(hi), "std": summary(0.1), "layers": [{}, {"std": summary(out)}]}  # noqa: E731
    tests = {"std": paired_result("lower"), "range": paired_result("lower"), "output_std": paired_result(word),
             "output_test": paired_result(word)}  # fmt: skip
    zeros = {"exact_zero": summary(0.0), "near_zero": summary(0.02)}
    text = weights_prose(n(-0.8, 0.6, 0.48), n(-0.3, 0.3, 0.83), tests, zeros, {"label": "output too"})
    assert ("grows to carry the scale" in text) == (word == "higher")
    assert ("penalising it costs test accuracy here" in text) == (word == "lower")
    assert "L2 pulls the first-layer weights toward zero, as the lecture says." in text
    assert "This is why" not in text  # no reason the runs did not test


def test_the_largest_lambda_is_called_constant_only_when_every_weight_is_near_zero():
    assert "the network outputs a constant and predicts one class everywhere" in strongest_prose(1.0, 3e-5, 0.50, 0.50)
    assert "it still draws a boundary" in strongest_prose(1.0, 0.4, 0.80, 0.50)


@pytest.mark.parametrize("word", WORDS)
def test_l1_against_l2_at_matched_strength_follows_its_test(word):
    tests = {"l1_vs_l2": paired_result(word), "enet_vs_l2": paired_result("tie"), "lecture_enet": paired_result("lower")}
    text = matched_prose({"l2": "L2 λ = 0.01", "l1": "L1 λ = 0.001"}, tests, str)
    expected = {
        "lower": "L2 beats L1 at matched strength here, as the lecture's instructor finds.",
        "higher": "Contrary to the lecture's instructor, L1 beats L2 at matched strength here.",
    }
    assert text.endswith(expected.get(word, "At matched strength L1 and L2 cannot be told apart on this data."))
    assert "elastic net minus L2: identical on every seed (a tie)" in text
    assert "l1_l2(l1=0.01, l2=0.01) minus L2 λ = 0.01: -0.050" in text


@pytest.mark.parametrize("word", WORDS)
def test_adamw_reaches_l2s_norm_only_where_its_test_says_so(word):
    norms = {"adam": 33.7, "adam-l2": 3.3, "adamw-0.02": 33.2, "adamw-2": 10.0, "adamw-10": 3.0}
    tests = {"weak": paired_result("lower"), "norm:adamw-0.02": paired_result("higher"), "norm:adamw-2": paired_result("higher"),
             "norm:adamw-10": paired_result(word), "matched": paired_result("indistinguishable")}  # fmt: skip
    text = decay_prose(1e-16, 2.9, norms, tests, "adamw-10")
    if word == "higher":
        assert "No decay tried brings the weights down to Adam + L2's norm." in text
    else:
        expected = {"lower": "10 below it", "indistinguishable": "10 not distinguishable from it", "tie": "10 not distinguishable from it"}
        assert f"AdamW's norm against Adam + L2's: decay 0.02, 2 above it; {expected[word]}." in text
    assert "Test accuracy of AdamW 10 (closest in norm) minus Adam + L2" in text


@pytest.mark.parametrize("word", WORDS)
def test_dropout_prose_says_helps_only_for_a_higher_test(word):
    keys = ("dropout", "dropout_gap", "add_dropout_to_l2", "add_l2_to_dropout", "early_stopping", "early_stopping_gap",
            "early_stopping_with_both")
    text = dropout_prose({k: paired_result(word) for k in keys})
    expected = {"higher": "helps", "lower": "hurts", "tie": "changes nothing"}.get(word, "makes no distinguishable difference")
    assert f"dropout added to L2 {expected} to test accuracy, and early stopping added to both {expected}." in text
    assert "redundant" not in text  # "not distinguishable" is not "redundant"


@pytest.mark.parametrize("word", WORDS)
def test_more_data_raises_test_accuracy_only_when_its_test_says_higher(word):
    labels = {"1x": "200 points", "2x": "400 points", "4x": "800 points", "jitter": "jitter", "l2": "L2"}
    summaries = {k: {"gap": summary(0.1), "test": summary(0.89), "bayes": summary(0.915)} for k in labels}
    tests = {"test2": paired_result(word), "test4": paired_result(word), "gap4": paired_result("lower"), "train4": paired_result("lower"),
             "jitter_test": paired_result(word), "jitter_gap": paired_result(word), "l2_vs_jitter": paired_result(word)}  # fmt: skip
    text = more_data_prose(labels, summaries, tests)
    assert ("More data raises test accuracy, as the lecture says." in text) == (word == "higher")
    assert ("mostly by lowering training accuracy" in text) == (word != "higher")
    assert ("200 points is already within 0.025 of the Bayes rule on the same points" in text) == (word != "higher")
    assert ("neither narrows the gap distinguishably more" in text) == (word in ("tie", "indistinguishable"))


# the crossed exercise on a tiny fabricated result set ------------------------------------------------------------


def cells(seeds=8):
    """Two datasets × {L1, L2} × λ {0.001, 0.1}, ``seeds`` seeds each: λ = 0.1 costs 0.2 on 'hard' only."""
    test, val = {}, {}
    jitter = [0.001 * ((i * 7) % 5 - 2) for i in range(seeds)]
    for d in ("easy", "hard"):
        for kind in ("l1", "l2"):
            for lam in (0.001, 0.1):
                base = 0.9 - (0.2 if d == "hard" and lam == 0.1 else 0.0) + (0.01 if kind == "l2" else 0.0)
                test[(d, kind, lam)] = [base + j for j in jitter]
                val[(d, kind, lam)] = [base + 0.01 * (lam == 0.001 and kind == "l2") + j for j in jitter]
    bayes = {d: [0.95] * seeds for d in ("easy", "hard")}
    return test, val, bayes


def test_the_crossed_table_has_one_row_per_cell_with_the_bayes_rule_beside_it():
    test, _, bayes = cells()
    table = crossed_table(test, bayes, {"easy": 0.95, "hard": 0.99})
    assert len(table["rows"]) == 8
    assert table["rows"][0][:3] == ["easy (ceiling 0.950)", "L1", "0.001"] and table["rows"][0][4] == "0.950"
    high = crossed_table({("x", "l2", 0.01): [0.99, 1.0, 0.97]}, {"x": [1.0, 1.0, 1.0]}, {"x": 1.0})
    assert float(high["rows"][0][3].split(", ")[1].rstrip("]")) <= 1.0  # intervals clipped to 1


def test_the_crossed_findings_and_prose_follow_the_tests_per_dataset_family():
    test, val, bayes = cells()
    findings = crossed_findings(test, val, bayes)
    hard, easy = findings["datasets"]["hard"], findings["datasets"]["easy"]
    assert hard["strong_cost"]["l1"]["word"] == "lower" and easy["strong_cost"]["l2"]["word"] == "tie"
    assert hard["family"]["name"] == "exercise: hard" and hard["family"]["size"] == 4  # its own family of four
    assert easy["best"] == "easy·l2-0.001" and easy["best_vs_bayes"]["word"] == "lower"
    text = crossed_prose(findings, {"easy": 0.95, "hard": 0.99}, {"easy": False, "hard": True})
    assert "costs test accuracy on hard with L1, hard with L2, and not distinguishably on easy with L1, easy with L2." in text
    assert "On easy (Bayes ceiling 0.950): chosen on validation accuracy, L2 λ = 0.001;" in text
    assert text.endswith("L1 at λ = 0.1 outputs a constant (one class everywhere) on hard.")
    few = crossed_findings(*cells(seeds=3))  # three seeds: the smallest p is 0.25, nothing can be called
    assert few["datasets"]["hard"]["strong_cost"]["l1"]["word"] == "indistinguishable"
