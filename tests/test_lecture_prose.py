"""Every section's sentences follow the paired tests fed to them: significant, indistinguishable and tie branches."""

import pytest

from reglab.lecture.compare import Best
from reglab.lecture.exercise import crossed_findings, crossed_prose, crossed_table
from reglab.lecture.lambdas import strongest_prose
from reglab.lecture.overfitting import capacity_prose, l2_prose
from reglab.lecture.penalties import decay_prose, matched_prose
from reglab.lecture.remedies import dropout_prose, more_data_prose
from reglab.lecture.weights import weights_prose

DIFF = {"higher": 0.05, "lower": -0.05, "indistinguishable": 0.01, "tie": 0.0}


def paired_result(word):
    """A fabricated paired test whose word is ``word``."""
    lo, hi = {"higher": (0.01, 0.09), "lower": (-0.09, -0.01)}.get(word, (-0.04, 0.06))
    return {"n": 5, "mean_diff": DIFF[word], "ci_low": lo, "ci_high": hi, "p_value": 0.02 if word in ("higher", "lower") else 0.5,
            "ties": 5 if word == "tie" else 0, "word": word}  # fmt: skip




def summary(m):
    return {"mean": m, "ci_low": m - 0.01, "ci_high": m + 0.01}


def best(peers=(), tie=False):
    tests = {p: paired_result("tie" if tie else "indistinguishable") for p in peers}
    return Best(best="a", mean=0.9, peers=list(peers), tests=tests)


WORDS = ["higher", "lower", "indistinguishable", "tie"]


@pytest.mark.parametrize("word", WORDS)
def test_capacity_claims_growth_only_when_the_gap_test_says_higher(word):
    first, last = {"label": "1 neuron", "train": summary(0.8)}, {"label": "1000 neurons", "train": summary(1.0)}
    text = capacity_prose(first, last, [{"length": summary(3.0)}, {"length": summary(9.0)}], best(["b"]), paired_result(word), str)
    assert ("as the lecture says" in text) == (word == "higher")
    assert ("not distinguishable from noise" in text) == (word != "higher")
    assert "not distinguishable from b" in text


@pytest.mark.parametrize("word", WORDS)
def test_l2_narrows_the_gap_only_when_the_test_says_lower(word):
    text = l2_prose([summary(0.15), summary(0.05)], paired_result("indistinguishable"), paired_result(word))
    if word == "lower":
        assert text.endswith("as the lecture shows, though the test gain is not distinguishable from the spread over seeds.")
    else:
        assert text.endswith("L2 narrows the gap on average, but not distinguishably from the spread over seeds.")


@pytest.mark.parametrize("word", WORDS)
def test_the_output_layer_grows_only_when_its_test_says_higher(word):
    n = lambda lo, hi, out: {"min": summary(lo), "max": summary(hi), "std": summary(0.1), "layers": [{}, {"std": summary(out)}]}  # noqa: E731
    text = weights_prose(n(-0.8, 0.6, 0.48), n(-0.3, 0.3, 0.83), paired_result(word))
    assert ("grows to compensate" in text) == (word == "higher")
    assert ("did not distinguishably grow" in text) == (word != "higher")


def test_the_largest_lambda_is_called_constant_only_when_every_weight_is_near_zero():
    assert "the network outputs a constant and predicts one class everywhere" in strongest_prose(1.0, 3e-5, 0.50, 0.50)
    assert "it still draws a boundary" in strongest_prose(1.0, 0.4, 0.80, 0.50)


@pytest.mark.parametrize("tie", [True, False])
def test_matched_strength_names_no_winner_among_peers(tie):
    chosen = {"l2": "l2@0.01", "l1": "l1@0.001", "enet": "enet@0.01"}
    text = matched_prose(chosen, best(["l1@0.001"], tie=tie), paired_result("lower"), str)
    assert ("tied exactly with l1@0.001" in text) == tie
    assert text.endswith("no ranking of L1 against L2 holds here.")
    assert "test accuracy of elastic net minus L2: -0.050" in text and "lower" in text
    assert matched_prose(chosen, best(), paired_result("tie"), str).endswith("one penalty is distinguishably best on this data.")


@pytest.mark.parametrize("word", WORDS)
def test_adamw_at_001_is_called_weak_when_it_barely_moves_the_norm(word):
    norms = {"adam": 33.7, "adam-l2": 3.3, "adamw-0.01": 33.2, "adamw-0.1": 20.0, "adamw-0.5": 5.0}
    shrink = {**paired_result(word), "mean_diff": -0.5 if word != "tie" else 0.0}
    text = decay_prose(1e-14, 2.9, norms, "adamw-0.5", shrink, paired_result(word))
    assert "at 0.01 the decay barely regularizes here" in text
    assert "No decay tried reaches Adam + L2's norm: the closest, 0.5 (5.00), still leaves the weights larger" in text
    assert "Decay 0.5 (3.30) matches Adam + L2's norm" in decay_prose(1e-14, 2.9, {**norms, "adamw-0.5": 3.3}, "adamw-0.5", shrink, None)
    strong = decay_prose(1e-14, 2.9, norms, "adamw-0.5", {**paired_result("lower"), "mean_diff": -20.0}, None)
    assert "the decay shrinks the weights noticeably" in strong and "too few seeds to compare" in strong


@pytest.mark.parametrize("word", WORDS)
def test_dropout_prose_says_helps_only_for_a_higher_test(word):
    tests = {k: paired_result(word) for k in ("add_dropout_to_l2", "add_l2_to_dropout", "early_stopping", "early_stopping_with_both")}
    text = dropout_prose(best(), tests, str)
    expected = {"higher": "helps", "lower": "hurts"}.get(word, "is redundant or too small to tell")
    assert f"combining dropout with L2 {expected} compared with L2 alone, and early stopping added to both {expected}." in text


@pytest.mark.parametrize("word", WORDS)
def test_more_data_closes_the_gap_by_lowering_training_accuracy(word):
    labels = {"1x": "200 points", "4x": "800 points", "jitter": "jitter", "l2": "L2"}
    gaps, tests = dict.fromkeys(labels, 0.1), dict.fromkeys(labels, 0.9)
    four = {"gap": paired_result("lower"), "train": paired_result("lower"), "test": paired_result(word)}
    text = more_data_prose(labels, gaps, tests, four, paired_result(word))
    assert ("not because test accuracy rises" in text) == (word != "higher")
    assert ("More data raises test accuracy" in text) == (word == "higher")
    assert ("neither narrows the gap distinguishably more" in text) == (word in ("tie", "indistinguishable"))


# the crossed exercise on a tiny fabricated result set ------------------------------------------------------------


def cells():
    """Two datasets × {L1, L2} × λ {0.001, 0.1} × dropout {0, 0.3}, three seeds each: λ = 0.1 costs 0.2 on 'hard' only."""
    out = {}
    for d in ("easy", "hard"):
        for kind in ("l1", "l2"):
            for lam in (0.001, 0.1):
                for rate in (0.0, 0.3):
                    base = 0.9 - (0.2 if d == "hard" and lam == 0.1 else 0.0) + (0.01 if kind == "l2" else 0.0)
                    out[(d, kind, lam, rate)] = [base + j for j in (0.0, 0.01, -0.01)]
    return out


def test_the_crossed_table_has_one_row_per_penalty_cell_with_both_dropout_rates():
    table = crossed_table(cells(), {"easy": 0.95, "hard": 0.99})
    assert len(table["rows"]) == 8
    assert table["rows"][0] == ["easy (ceiling 0.950)", "L1", "0.001", table["rows"][0][3], table["rows"][0][4]]
    assert table["rows"][0][3].startswith("0.900 [") and table["rows"][0][3] == table["rows"][0][4]  # dropout changes nothing here
    high = crossed_table({("x", "l2", 0.01, 0.0): [0.99, 1.0, 0.97], ("x", "l2", 0.01, 0.3): [1.0, 1.0, 0.95]}, {"x": 1.0})
    assert all(float(cell.split(", ")[1].rstrip("]")) <= 1.0 for cell in high["rows"][0][3:])  # intervals clipped to 1


def test_the_crossed_findings_and_prose_follow_the_tests():
    findings = crossed_findings(cells())
    assert findings["strong_cost"]["hard·l1"]["word"] == "lower" and findings["strong_cost"]["easy·l2"]["word"] == "tie"
    assert findings["dropout"]["easy"] == {"higher": 0, "lower": 0, "indistinguishable": 0, "tie": 4}
    text = crossed_prose(findings, {"easy": 0.95, "hard": 0.99})
    assert "costs test accuracy distinguishably against λ = 0.001 on hard with L1, hard with L2, and not distinguishably on easy" in text
    assert "On easy (Bayes ceiling 0.950), the highest mean test accuracy: L2 λ=0.001 (0.910), tied exactly with" in text
    assert "Dropout 0.3 added to each penalty cell: easy 0 up, 0 down, 4 not distinguishable" in text
