"""Conclusions are computed from the numbers: fabricated results steer them both ways; the statistics behind the words."""

import numpy as np
import pytest
from scipy import stats

from reglab.config import DataConfig, RunConfig
from reglab.lecture.claims import CLAIM_STATUSES, CLAIMS, RULE, claims
from reglab.lecture.compare import Family, clip, compare, describe, detectable
from reglab.lecture.lambdas import choosing_lambda
from reglab.lecture.overfitting import capacity, l2
from reglab.lecture.penalties import penalties, penalty_arms
from reglab.lecture.plan import Arm, Arms, settings_for
from reglab.lecture.sheet import checklist, conversion
from reglab.lecture.summaries import above_bayes, arm_summary
from reglab.regularizers import L2, NoPenalty
from reglab.runs import RunResult

DATA = DataConfig(dataset="moons", n_samples=40, noise=0.3, standardize=False, val_size=0.25)  # Bayes ceiling 0.915
SETTINGS = settings_for(quick=True)
NO_PENALTY = NoPenalty()
JITTER = [0.0, 0.01, -0.01, 0.005, -0.005, 0.002, -0.002, 0.007]  # eight seeds: enough for a family of three


def fake(train, val, test, penalty=NO_PENALTY, seed=0, zeros=0.0, near=0.0, loss=0.3, population=None):
    """A finished run with the given accuracies and a 2→8→1 model whose hidden kernel has the given sparsity;
    ``population`` (accuracy, Bayes rule's accuracy) scores it on a fresh sample too."""
    rng = np.random.default_rng(seed)
    k1 = rng.normal(size=(2, 8))
    flat = k1.ravel()
    n_zero, n_near = int(round(zeros * flat.size)), int(round(near * flat.size))
    flat[:n_zero] = 0.0
    flat[n_zero : n_zero + n_near] = 1e-5
    kernels, biases = [flat.reshape(2, 8), rng.normal(size=(8, 1))], [np.zeros(8), np.zeros(1)]
    part = lambda acc: {"loss": loss, "data_loss": loss, "penalty": 0.0, "accuracy": acc}  # noqa: E731
    scored = None if population is None else {"n": 20_000, "accuracy": population[0], "data_loss": loss, "bayes_accuracy": population[1]}
    return RunResult(
        config=RunConfig(hidden=(8,), penalty=penalty, seed=seed), data=DATA.replace(seed=seed), task="binary",
        status="completed", epochs_run=10, best_epoch=None, diverged_epoch=None, train=part(train), val=part(val),
        test=part(test), history={"data_loss": [0.5, 0.4], "val_data_loss": [0.6, 0.5]}, kernels=kernels,
        biases=biases, majority_rate=0.5, population=scored,
    )  # fmt: skip


def seeds(n=8, **kw):
    extra = {"zeros": kw.get("zeros", 0.0), "near": kw.get("near", 0.0), "loss": kw.get("loss", 0.3)}
    return [
        fake(kw["train"] + j, kw["val"] + j, kw["test"] + j, kw.get("penalty", NO_PENALTY), seed=i, **extra)
        for i, j in enumerate(JITTER[:n])
    ]


def test_l2_conclusion_follows_the_gap():
    with_l2, plain = Arm("l2", "L2 λ = 0.01", {"penalty": L2(lam=0.01)}), Arm("none", "no penalty")
    narrower = l2(Arms([
        (with_l2, seeds(train=0.93, val=0.90, test=0.90, penalty=L2(lam=0.01))),  # order does not matter: arms are read by key
        (plain, seeds(train=0.99, val=0.80, test=0.82)),
    ]), SETTINGS)  # fmt: skip
    assert "L2 narrows the gap, as the lecture shows." in narrower["conclusion"]
    assert narrower["family"]["name"] == "without vs with L2" and narrower["family"]["size"] == 3
    wider = l2(Arms([
        (plain, seeds(train=0.93, val=0.90, test=0.90)),
        (with_l2, seeds(train=0.99, val=0.80, test=0.82, penalty=L2(lam=0.01))),
    ]), SETTINGS)  # fmt: skip
    assert "Contrary to the lecture, L2 did not narrow the gap here." in wider["conclusion"]
    few = l2(Arms([(plain, seeds(3, train=0.99, val=0.80, test=0.82)), (with_l2, seeds(3, train=0.93, val=0.9, test=0.9))]), SETTINGS)
    assert "not distinguishably at this number of seeds" in few["conclusion"]  # three seeds: p >= 0.25, nothing is called


def test_lambda_conclusion_reads_the_verdicts_in_order():
    lams = [0.0, 0.01, 1.0]

    def arms(rows):
        penalty = [L2(lam=lam) if lam else NO_PENALTY for lam in lams]
        pairs = zip(lams, penalty, rows)
        return Arms([(Arm(f"lam-{lam:g}", f"λ = {lam:g}", {"penalty": p}), seeds(**row, penalty=p)) for lam, p, row in pairs])

    overfit, good = dict(train=0.99, val=0.80, test=0.8), dict(train=0.92, val=0.91, test=0.91)
    underfit = dict(train=0.55, val=0.55, test=0.55)
    textbook = choosing_lambda(arms([{**overfit, "loss": 0.5}, {**good, "loss": 0.2}, {**underfit, "loss": 0.7}]), SETTINGS)
    assert textbook["numbers"]["chosen_lambda"] == 0.01
    assert "Verdicts over seeds: overfitting for λ = 0; good fit for λ = 0.01; underfitting for λ = 1." in textbook["conclusion"]
    assert "through good fit to underfitting as λ grows, as the lecture's guide says" in textbook["conclusion"]
    assert textbook["numbers"]["picture"] == {"0": ["overfitting", "overfitting", True], "0.01": ["good balance", "good fit", True],
                                              "1": ["underfitting", "underfitting", True]}  # fmt: skip
    assert "distinguishably lower at λ = 0, λ = 1" in textbook["conclusion"]
    upside_down = choosing_lambda(arms([underfit, good, overfit]), SETTINGS)
    assert "do not run from overfitting to underfitting" in upside_down["conclusion"]


def fabricated_penalties(zeros_prox=0.5, zeros_sub=0.0, ladder=None):
    """The penalties section's arms with fabricated results; ``ladder`` maps an arm key to its (val loss, test)."""
    arms = []
    for arm in penalty_arms(SETTINGS):
        loss, test = (ladder or {}).get(arm.key, (0.5, 0.85))
        zeros = {"l1@0.001": zeros_prox, "l1-subgradient": zeros_sub}.get(arm.key, 0.3 if arm.key.startswith("enet") else 0.0)
        arms.append((arm, seeds(train=0.9, val=0.88, test=test, loss=loss, zeros=zeros, near=0.5 if arm.key == "l1-subgradient" else 0.0)))
    return Arms(arms)


def test_penalties_conclusion_counts_exact_zeros():
    section = penalties(fabricated_penalties(), SETTINGS)
    assert section["conclusion"].startswith(
        "Proximal L1 (λ = 0.001) sets 50% of the hidden weights exactly to zero; the subgradient step (Keras's) sets 0% exactly "
        "to zero and leaves 50% below 1e-3"
    )
    assert "holds for the proximal step, not for the plain subgradient" in section["conclusion"]
    swapped = penalties(fabricated_penalties(zeros_prox=0.0, zeros_sub=0.5), SETTINGS)
    assert "Here the proximal step did not produce distinguishably more exact zeros than the subgradient." in swapped["conclusion"]


def test_penalties_compare_at_matched_strength_with_each_lambda_chosen_on_validation():
    section = penalties(fabricated_penalties(), SETTINGS)  # every rung scores the same on every seed: ties
    assert section["tests"]["l1_vs_l2"]["word"] == "tie"
    assert "At matched strength L1 and L2 cannot be told apart on this data." in section["conclusion"]
    tuned = {"l2@0.01": (0.1, 0.95), "l1@0.0001": (0.2, 0.80), "enet-lecture": (0.2, 0.80)}  # lowest validation loss per family
    section = penalties(fabricated_penalties(ladder=tuned), SETTINGS)
    picked = {f: c["key"] for f, c in section["tests"]["matched_choice"].items()}
    assert picked == {"l2": "l2@0.01", "l1": "l1@0.0001", "enet": "enet-lecture"}  # the lecture's l1_l2 is a rung of its ladder
    assert section["tests"]["l1_vs_l2"]["word"] == "lower"
    assert section["conclusion"].endswith("L2 beats L1 at matched strength here, as the lecture's instructor finds.")


# the statistics behind the words -------------------------------------------------------------------


def test_compare_uses_the_exact_sign_flip_test_and_names_the_branches():
    before = [0.80, 0.82, 0.85, 0.81, 0.84, 0.83, 0.80, 0.82]
    after = [b + d for b, d in zip(before, [0.06, 0.05, 0.05, 0.07, 0.05, 0.06, 0.04, 0.06])]
    test = compare(before, after)
    d = np.subtract(after, before)
    scipy = stats.permutation_test((d,), np.mean, permutation_type="samples", n_resamples=np.inf, alternative="two-sided")
    assert test["p_value"] == pytest.approx(scipy.pvalue) and test["p_value"] == pytest.approx(2 / 256)
    assert test["word"] == "higher" and compare(after, before)["word"] == "lower"
    assert compare(before, before)["word"] == "tie"
    assert compare([0.9] * 3, [0.9 - 4 / 60] * 3)["word"] == "indistinguishable"  # no spread, three seeds: p = 0.25, not 0
    assert compare([0.8], [0.9]) is None  # one pair: no test
    assert compare([0.8, float("nan"), 0.7], [0.9, 0.5, 0.8])["n"] == 2  # a diverged seed leaves its pair out


def test_a_family_adjusts_its_comparisons_together_by_holm():
    before = [0.80, 0.82, 0.85, 0.81, 0.84, 0.83, 0.80, 0.82]
    up = [b + d for b, d in zip(before, [0.06, 0.05, 0.05, 0.07, 0.05, 0.06, 0.04, 0.06])]  # p = 2/256 alone
    family = Family("a family")
    tests = [family.compare(f"comparison {i}", before, up) for i in range(6)]
    assert all(t["word"] == "higher" for t in tests)  # alone, each would be called
    summary = family.adjust()
    assert all(t["p_adjusted"] == pytest.approx(6 * 2 / 256) and t["word"] == "higher" for t in tests)  # 0.047 < 0.05
    assert summary["size"] == 6 and summary["correction"] == "Holm" and summary["seeds"] == 8
    assert describe(tests[0], "gain") == "gain: +0.055 [+0.047, +0.063] (p = 0.0078, Holm over 6: 0.047), higher"
    seven = Family("seven")
    more = [seven.compare(f"c{i}", before, up) for i in range(7)]
    seven.adjust()
    assert all(t["word"] == "indistinguishable" for t in more)  # 7 × 2/256 = 0.055: no longer called
    sd = tests[0]["sd"]  # each comparison's detectable effect: normal quantiles at Holm's strictest step, 0.05/6
    expected = (stats.norm.ppf(1 - 0.05 / 12) + stats.norm.ppf(0.8)) * sd / np.sqrt(8)
    assert [row["detectable"] for row in summary["comparisons"]] == pytest.approx([expected] * 6, rel=1e-12)
    assert detectable(sd, 8, 6) == pytest.approx(expected, rel=1e-15)
    assert detectable(sd, 6, 6) == np.inf  # six seeds' smallest p, 1/32, is not below 0.05/6: nothing is detectable


def test_a_best_is_chosen_on_validation_and_tested_on_the_test_part():
    family = Family("choice")
    validation = {"a": [0.9] * 8, "b": [0.8] * 8, "c": [0.85] * 8}
    test = {"a": [0.90 + j for j in JITTER], "b": [0.95 + j for j in JITTER], "c": [0.90 + j / 2 for j in JITTER]}
    best = family.choose("validation accuracy", validation, test)
    family.adjust()
    assert best["best"] == "a" and best["chosen_on"] == "validation accuracy"  # chosen on validation, though b scores higher
    assert best["above"] == ["b"] and best["peers"] == ["c"]


def test_intervals_on_accuracy_are_clipped_to_the_unit_range():
    assert clip({"mean": 0.97, "ci_low": 0.90, "ci_high": 1.04}) == {"mean": 0.97, "ci_low": 0.90, "ci_high": 1.0}


def test_the_test_column_is_the_fresh_sample_beside_the_bayes_rule():
    runs = [fake(0.95, 0.9, 0.80, seed=i, population=(0.90 + j, 0.912)) for i, j in enumerate(JITTER)]
    summary = arm_summary("model", runs)
    assert summary["test"]["mean"] == pytest.approx(0.90 + np.mean(JITTER)) and summary["split_test"]["mean"] == pytest.approx(0.80)
    assert summary["bayes"]["mean"] == pytest.approx(0.912) and summary["test_on"] == {"name": "fresh sample", "n": 20_000}
    assert summary["gap_on"] == ["population"]
    assert above_bayes([summary]) == ""
    lucky = arm_summary("lucky", [fake(0.95, 0.9, 0.9, seed=i, population=(0.915, 0.912)) for i in range(8)])
    assert above_bayes([lucky]).startswith(" Above the Bayes rule on the same points: lucky (0.9150 vs 0.9120).")


def width_arms(tests):
    """Arms of widths with per-seed (gap, test accuracy) rows."""
    return Arms([
        (Arm(f"width-{w}", f"{w} neurons", {"hidden": (w,)}), [fake(0.99, 0.99 - g, t, seed=i) for i, (g, t) in enumerate(rows)])
        for w, rows in tests
    ])  # fmt: skip


def test_capacity_prose_follows_the_tests_not_the_means():
    narrow = [(0.0 + j, 0.90 + j) for j in JITTER]
    wide = [(0.10 + j, 0.85 + j) for j in JITTER]
    grows = capacity(width_arms([(1, narrow), (8, wide)]), SETTINGS)
    assert "Gap (train − test), 8 neurons minus 1 neurons: +0.100" in grows["conclusion"]
    assert grows["numbers"]["gap_change"]["word"] == "higher"
    noisy = capacity(width_arms([(1, [(0.0, 0.90), (0.10, 0.85), (0.0, 0.88)]), (8, [(0.10, 0.88), (0.0, 0.87), (0.05, 0.89)])]), SETTINGS)
    assert "not distinguishable from zero" in noisy["conclusion"]
    assert "as the lecture says" not in noisy["conclusion"]


# the claims table, generated from numbers ------------------------------------------------------------------------


def result(word):
    mean = {"higher": 0.05, "lower": -0.05, "indistinguishable": 0.01, "tie": 0.0}[word]
    return {"n": 10, "mean_diff": mean, "sd": 0.01, "ci_low": -0.1, "ci_high": 0.1, "p_value": 0.5, "p_adjusted": 0.5, "family_size": 3,
            "ties": 10 if word == "tie" else 0, "word": word}  # fmt: skip


def fabricated_sections(word, **overrides):
    """Every section the claims read, each comparison carrying ``word``."""
    t = result(word)
    summary = {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0}
    arm = {"label": "no penalty", "verdict_text": "overfitting", "gap": {"mean": 0.1}}
    family = {"name": "f", "seeds": 10, "detectable": 0.02, "size": 3}
    sections = {
        "capacity": {"numbers": {"gap_change": t}, "family": family},
        "l2": {"numbers": {"paired_test": t, "gap_difference": t, "length_difference": t, "arms": [arm, {**arm, "label": "L2"}]}},
        "dropout": {"numbers": {"dropout_gap": t, "early_stopping_gap": t, "add_dropout_to_l2": t, "early_stopping": t}},
        "data": {"numbers": {"tests": {"gap4": t, "jitter_gap": t}}},
        "weights": {"tests": {"std": t, "output_test": t}, "l2_zeros": {"exact_zero": {**summary, "mean": 0.001}, "near_zero": summary}},
        "penalties": {"numbers": {"l1@0.001": {"exact_zero": {"mean": 0.6}}, "l1-subgradient": {"exact_zero": {"mean": 0.0}}},
                      "tests": {"prox_zeros": t, "l1_vs_l2": t, "enet_zeros": t, "enet_norm": t}},
        "decay": {"numbers": {"sgd_max_difference": 1e-16, "adam_max_difference": 1.3}},
        "lambda": {"numbers": {"chosen_lambda": 0.01, "cost": {"λ = 0.1": t}, "picture": {"0": ["overfitting", "overfitting", True]}}},
        "datasets": {"numbers": {"collapsed": {"xor": True}, "across": {"tests": {"cost, xor − circles": t}}, "findings": {"datasets": {
            "xor": {"strong_cost": {"l1": t, "l2": t}, "l2_vs_l1": t},
            "circles": {"strong_cost": {"l1": t, "l2": result("tie")}, "l2_vs_l1": t},
        }}}},
    }  # fmt: skip
    sections.update(overrides)
    return sections


def test_claims_take_their_status_from_the_tests():
    words = ("higher", "lower", "indistinguishable", "tie")
    status = {w: {c["claim"]: c["status"] for c in claims(fabricated_sections(w))} for w in words}
    grows = "More capacity overfits more: the gap grows with width"
    assert [status[w][grows] for w in status] == ["confirmed", "contradicted", "cannot tell", "cannot tell"]
    narrows = "L2 narrows the train/test gap"
    assert [status[w][narrows] for w in status] == ["contradicted", "confirmed", "cannot tell", "cannot tell"]
    assert status["lower"]["L2 pulls the weights toward zero (first layer [-2.78, 1.75] → [-0.5, 0.3])"] == "confirmed"
    assert status["lower"]["Do not regularize the output layer"] == "confirmed"  # penalising it costs accuracy
    assert status["higher"]["Dropout with L2: beneficial or redundant? (the lecture asks)"] == "confirmed"
    assert all(s in CLAIM_STATUSES for w in status for s in status[w].values())
    assert len(status["higher"]) == 21  # one row per claim of the lecture


def test_conditional_claims_name_their_condition():
    sections = fabricated_sections("lower")
    sections["penalties"]["tests"]["prox_zeros"] = result("higher")  # the proximal step distinguishably sparser
    rows = {c["claim"]: c for c in claims(sections)}
    l1 = rows["L1 drives weights to exact zeros"]
    assert l1["status"] == "depends" and l1["condition"] == "on the optimiser's L1 step: proximal yes, subgradient no"
    assert rows["For SGD, L2 is weight decay: w ← w(1 − αλ) − α·∂L/∂w"]["status"] == "confirmed"
    spread = rows["The common range of λ is 0.001 to 0.1"]
    assert spread["status"] == "depends" and spread["condition"].startswith("on where in the range: the chosen λ lies inside it")
    assert "not distinguishably on circles with L2" in spread["evidence"] and "L1 at 0.1 outputs a constant on xor" in spread["evidence"]
    assert rows["How much regularization helps depends on the dataset's complexity"]["status"] == "confirmed"
    outside = fabricated_sections("lower")
    outside["lambda"]["numbers"]["chosen_lambda"] = 1.0
    assert {c["claim"]: c["status"] for c in claims(outside)}["The common range of λ is 0.001 to 0.1"] == "contradicted"
    smooth = fabricated_sections("lower")
    smooth["lambda"]["numbers"]["picture"] = {"0": ["overfitting", "overfitting", True], "0.01": ["good balance", "good fit", True],
                                              "0.1": ["smooth", "underfitting", True], "1": ["underfitting", "underfitting", True]}
    assert {c["claim"]: c["status"] for c in claims(smooth)}["λ = 0 overfits, 0.01 balances, 0.1 is smooth, 1 underfits"] == "confirmed"
    biases = rows["Do not regularize bias terms"]
    assert biases["status"] == "cannot tell" and biases["evidence"].startswith("not run:")
    undecided = {c["claim"]: c["status"] for c in claims(fabricated_sections("indistinguishable"))}
    assert undecided["L1 drives weights to exact zeros"] == "cannot tell"  # 60% against 0%, but not established
    assert undecided["Start with λ = 0.01"] == "cannot tell"  # chosen, but no λ is distinguishably worse
    assert undecided["The common range of λ is 0.001 to 0.1"] == "cannot tell"
    mixed = fabricated_sections("higher")
    mixed["datasets"]["numbers"]["findings"]["datasets"]["circles"]["l2_vs_l1"] = result("lower")
    better = {c["claim"]: c for c in claims(mixed)}["L2 gives better results than L1 in deep learning"]
    assert better["status"] == "depends" and better["condition"].startswith("on the dataset: L2 better on xor (exercise), worse on")
    assert "Holm" in RULE and "sign-flip" in RULE


def test_checklist_has_a_measured_result_and_a_link_for_each_item():
    items = checklist(fabricated_sections("lower"))
    assert len(items) == 9
    assert items[0] == {"item": "Identify overfitting through the train/test performance gap", "section": "l2",
                        "measured": "no penalty: gap +0.100 (train − test), overfitting"}  # fmt: skip
    assert items[3]["section"] is None and items[3]["measured"].startswith("not testable here")
    partial = checklist({"l2": fabricated_sections("lower")["l2"]})
    assert partial[2] == {"item": "Do NOT regularize the output layer", "section": None, "measured": "not run"}
    assert all(i["measured"] != "not run" for i in items)  # every section ran: every item has its measured result
    assert all(i["section"] is not None for k, i in enumerate(items) if k != 3)
    assert len(claims(fabricated_sections("lower"))) == len(CLAIMS)


def test_a_number_missing_from_a_section_that_ran_is_a_bug_not_a_gap():
    """A judge that reads a section which was not run leaves its claim out; one whose number is missing from a
    section that ran raises, rather than silently dropping a claim or calling an item "not run"."""
    broken = fabricated_sections("lower")
    del broken["l2"]["numbers"]["gap_difference"]
    with pytest.raises(KeyError, match="gap_difference"):
        claims(broken)
    with pytest.raises(KeyError, match="gap_difference"):
        checklist(broken)


def test_the_lambda_conversion_is_worked_out_at_the_lectures_value():
    c = conversion(0.01, 32, 105)
    assert c["keras"] == "kernel_regularizer=regularizers.l2(0.01)" and c["reglab"] == "L2(lam=0.01)"
    assert c["pytorch"].startswith("torch.optim.SGD(..., weight_decay=0.02)")
    assert c["sklearn"].startswith("MLPClassifier(alpha=0.64, batch_size=32)")
    assert c["lecture"] == "(λ/2n)·Σw² with n = 105 training points and λ = 2n·0.01 = 2.1"
