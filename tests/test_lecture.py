"""Conclusions are computed from the numbers: fabricated results steer them both ways."""

import numpy as np

from reglab.config import DataConfig, RunConfig
from reglab.lecture.lambdas import choosing_lambda
from reglab.lecture.overfitting import capacity, l2
from reglab.lecture.penalties import penalties
from reglab.lecture.plan import Arm, Arms, settings_for
from reglab.regularizers import L1, L1L2, L2, NoPenalty
from reglab.runs import RunResult

DATA = DataConfig(dataset="moons", n_samples=40, noise=0.3, standardize=False, val_size=0.25)  # Bayes ceiling 0.915
SETTINGS = settings_for(quick=True)
NO_PENALTY = NoPenalty()


def fake(train, val, test, penalty=NO_PENALTY, seed=0, zeros=0.0, near=0.0, loss=0.3):
    """A finished run with the given accuracies and a 2→8→1 model whose hidden kernel has the given sparsity."""
    rng = np.random.default_rng(seed)
    k1 = rng.normal(size=(2, 8))
    flat = k1.ravel()
    n_zero, n_near = int(round(zeros * flat.size)), int(round(near * flat.size))
    flat[:n_zero] = 0.0
    flat[n_zero : n_zero + n_near] = 1e-5
    kernels, biases = [flat.reshape(2, 8), rng.normal(size=(8, 1))], [np.zeros(8), np.zeros(1)]
    part = lambda acc: {"loss": loss, "data_loss": loss, "penalty": 0.0, "accuracy": acc}  # noqa: E731
    return RunResult(
        config=RunConfig(hidden=(8,), penalty=penalty, seed=seed), data=DATA.replace(seed=seed), task="binary",
        status="completed", epochs_run=10, best_epoch=None, diverged_epoch=None, train=part(train), val=part(val),
        test=part(test), history={"data_loss": [0.5, 0.4], "val_data_loss": [0.6, 0.5]}, kernels=kernels,
        biases=biases, majority_rate=0.5,
    )  # fmt: skip


def seeds(**kw):
    jitter = [0.0, 0.01, -0.01]
    extra = {"zeros": kw.get("zeros", 0.0), "near": kw.get("near", 0.0), "loss": kw.get("loss", 0.3)}
    return [
        fake(kw["train"] + j, kw["val"] + j, kw["test"] + j, kw.get("penalty", NO_PENALTY), seed=i, **extra)
        for i, j in enumerate(jitter)
    ]


def test_l2_conclusion_follows_the_gap():
    with_l2, plain = Arm("l2", "L2 λ=0.01", {"penalty": L2(lam=0.01)}), Arm("none", "no penalty")
    narrower = l2(Arms([
        (with_l2, seeds(train=0.93, val=0.90, test=0.90, penalty=L2(lam=0.01))),  # order does not matter: arms are read by key
        (plain, seeds(train=0.99, val=0.80, test=0.82)),
    ]), SETTINGS)
    assert "L2 narrows the gap, as the lecture shows." in narrower["conclusion"]
    wider = l2(Arms([
        (plain, seeds(train=0.93, val=0.90, test=0.90)),
        (with_l2, seeds(train=0.99, val=0.80, test=0.82, penalty=L2(lam=0.01))),
    ]), SETTINGS)
    assert "Contrary to the lecture, L2 did not narrow the gap here." in wider["conclusion"]


def test_lambda_conclusion_reads_the_verdicts_in_order():
    lams = [0.0, 0.01, 1.0]
    def arms(rows):
        penalty = [L2(lam=lam) if lam else NO_PENALTY for lam in lams]
        pairs = zip(lams, penalty, rows)
        return Arms([(Arm(f"lam-{lam:g}", f"λ={lam:g}", {"penalty": p}), seeds(**row, penalty=p)) for lam, p, row in pairs])
    overfit, good = dict(train=0.99, val=0.80, test=0.8), dict(train=0.92, val=0.90, test=0.9)
    underfit = dict(train=0.55, val=0.55, test=0.55)
    textbook = choosing_lambda(arms([{**overfit, "loss": 0.5}, {**good, "loss": 0.2}, {**underfit, "loss": 0.7}]), SETTINGS)
    assert textbook["numbers"]["chosen_lambda"] == 0.01
    assert "Verdicts (majority over seeds): overfitting for λ = 0; good fit for λ = 0.01; underfitting for λ = 1." in textbook["conclusion"]
    assert "through good fit to underfitting as λ grows, as the lecture's guide says" in textbook["conclusion"]
    upside_down = choosing_lambda(arms([underfit, good, overfit]), SETTINGS)
    assert "do not move monotonically" in upside_down["conclusion"]


def penalty_arms(l2=None, proximal=None, subgradient=None, elastic=None, ladder=None):
    """The penalties section's arms with fabricated results; ``ladder`` maps an arm key to its (val loss, test)."""
    row = dict(train=0.9, val=0.88, test=0.88)
    arms = [
        (Arm("l2", "L2 λ=0.01"), l2 or seeds(**row, penalty=L2(lam=0.01))),
        (Arm("l1-proximal", "L1 proximal"), proximal or seeds(**row, penalty=L1(lam=1e-3), zeros=0.5)),
        (Arm("l1-subgradient", "L1 subgradient"), subgradient or seeds(**row, penalty=L1(lam=1e-3), near=0.5)),
        (Arm("elastic", "elastic net"), elastic or seeds(**row, penalty=L1L2(l1=1e-3, l2=0.01))),
    ]
    for family in ("l2", "l1", "enet"):
        for lam in SETTINGS.ladder:
            key = f"{family}@{lam:g}"
            loss, test = (ladder or {}).get(key, (0.5, 0.85))
            arms.append((Arm(key, key), seeds(train=0.9, val=0.88, test=test, loss=loss)))
    return Arms(arms)


def test_penalties_conclusion_counts_exact_zeros():
    section = penalties(penalty_arms(), SETTINGS)
    assert section["conclusion"].startswith(
        "Proximal L1 sets 50% of the hidden weights exactly to zero; subgradient L1 (Keras's way) sets 0% exactly to zero "
        "but leaves 50% below 1e-3"
    )
    assert "holds for the proximal step, not for the plain subgradient" in section["conclusion"]
    row = dict(train=0.9, val=0.88, test=0.88)
    swapped = penalties(penalty_arms(proximal=seeds(**row, near=0.5), subgradient=seeds(**row, zeros=0.5)), SETTINGS)
    assert "Here even proximal L1 did not produce more exact zeros than the subgradient." in swapped["conclusion"]


# the statistics behind the words -------------------------------------------------------------------

from scipy import stats  # noqa: E402

from reglab.lecture.claims import STATUSES, checklist, claims  # noqa: E402
from reglab.lecture.compare import best_of, clip, compare, describe  # noqa: E402


def test_compare_matches_scipy_and_names_the_three_branches():
    before, after = [0.80, 0.82, 0.85, 0.81, 0.84], [0.86, 0.87, 0.90, 0.88, 0.89]
    test = compare(before, after)
    assert test["word"] == "higher"
    assert np.isclose(test["p_value"], stats.ttest_rel(after, before).pvalue)
    assert compare(after, before)["word"] == "lower"
    assert compare(before, [0.81, 0.80, 0.86, 0.82, 0.83])["word"] == "indistinguishable"
    assert compare(before, before)["word"] == "tie"
    assert compare([0.8], [0.9]) is None  # one pair: no test
    assert compare([0.8, float("nan"), 0.7], [0.9, 0.5, 0.8])["n"] == 2  # a diverged seed leaves its pair out


def test_describe_states_ties_and_intervals():
    assert describe(compare([0.9, 0.8], [0.9, 0.8]), "L1 minus L2") == "L1 minus L2: identical on every seed (a tie)"
    text = describe(compare([0.80, 0.82, 0.85], [0.86, 0.87, 0.90]), "gain")
    assert text.startswith("gain: +0.053 (95% CI [") and text.endswith("higher")
    assert describe(None, "gain") == "gain: too few seeds to compare"


def test_best_of_reports_who_cannot_be_told_apart():
    scores = {"a": [0.90, 0.92, 0.91], "b": [0.90, 0.92, 0.91], "c": [0.80, 0.81, 0.79], "d": [0.92, 0.85, 0.93]}
    best = best_of(scores)
    assert best["best"] == "a" and best["tests"]["b"]["word"] == "tie"  # exact tie: max() would have picked one
    assert best["peers"] == ["b", "d"] and best["tests"]["c"]["word"] == "lower"
    alone = best_of({"a": [0.90, 0.92, 0.91], "c": [0.80, 0.81, 0.79]})
    assert alone["best"] == "a" and alone["peers"] == []
    assert best_of({"x": [0.5, 0.4], "y": [0.3, 0.2]}, higher_is_better=False)["best"] == "y"


def test_intervals_on_accuracy_are_clipped_to_the_unit_range():
    assert clip({"mean": 0.97, "ci_low": 0.90, "ci_high": 1.04}) == {"mean": 0.97, "ci_low": 0.90, "ci_high": 1.0}


def width_arms(tests):
    """Arms of widths with per-seed (gap, test accuracy) rows."""
    return Arms([
        (Arm(f"width-{w}", f"{w} neurons", {"hidden": (w,)}), [fake(0.99, 0.99 - g, t, seed=i) for i, (g, t) in enumerate(rows)])
        for w, rows in tests
    ])


def test_capacity_prose_follows_the_tests_not_the_means():
    grows = capacity(width_arms([(1, [(0.0, 0.90), (0.01, 0.91), (0.0, 0.89)]), (8, [(0.10, 0.85), (0.12, 0.84), (0.11, 0.86)])]), SETTINGS)
    assert "), higher." in grows["conclusion"]
    assert "Highest mean test accuracy: 1 neurons (0.900), distinguishably better" in grows["conclusion"]
    noisy = capacity(width_arms([(1, [(0.0, 0.90), (0.10, 0.85), (0.0, 0.88)]), (8, [(0.10, 0.88), (0.0, 0.87), (0.05, 0.89)])]), SETTINGS)
    assert "not distinguishable from zero" in noisy["conclusion"]
    assert "Highest mean test accuracy: 8 neurons (0.880), not distinguishable from 1 neurons" in noisy["conclusion"]
    assert "as the lecture says" not in noisy["conclusion"]


def test_penalties_call_an_exact_tie_a_tie_and_compare_at_matched_strength():
    section = penalties(penalty_arms(), SETTINGS)  # every chosen rung scores the same on every seed
    assert section["tests"]["best_test"]["tests"]["l1-proximal"]["word"] == "tie"
    assert "tied exactly with" in section["conclusion"] and "no ranking of L1 against L2 holds here" in section["conclusion"]
    lo, hi = SETTINGS.ladder[0], SETTINGS.ladder[-1]
    tuned = {f"l2@{hi:g}": (0.1, 0.95), f"l1@{lo:g}": (0.2, 0.80), f"enet@{lo:g}": (0.2, 0.80)}  # lowest validation loss per family
    section = penalties(penalty_arms(ladder=tuned), SETTINGS)
    picked = {f: c["key"] for f, c in section["tests"]["matched_choice"].items()}
    assert picked == {"l2": f"l2@{hi:g}", "l1": f"l1@{lo:g}", "enet": f"enet@{lo:g}"}
    assert section["tests"]["matched_best"]["best"] == f"l2@{hi:g}" and section["tests"]["matched_best"]["peers"] == []
    assert "At matched strength one penalty is distinguishably best on this data." in section["conclusion"]


def fabricated_sections(word):
    test = {"n": 5, "mean_diff": {"higher": 0.05, "lower": -0.05, "indistinguishable": 0.01, "tie": 0.0}[word], "ci_low": -0.1,
            "ci_high": 0.1, "p_value": 0.5, "ties": 5 if word == "tie" else 0, "word": word, "t": 1.0, "wins": 0, "losses": 0}
    arm = {"label": "no penalty", "verdict_text": "overfitting in 5 of 5 seeds", "gap": {"mean": 0.1}}
    summary = {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0}
    return {
        "capacity": {"numbers": {"gap_change": test}},
        "l2": {"numbers": {"paired_test": test, "gap_difference": test, "arms": [arm, {**arm, "label": "L2"}]}},
        "dropout": {"numbers": {"add_dropout_to_l2": test}},
        "data": {"numbers": {"four_times_data": {"test": test, "gap": test, "train": test}}},
        "weights": {"numbers": {"a": {"min": {**summary, "mean": -2}, "max": {**summary, "mean": 2}},
                                "b": {"min": {**summary, "mean": -0.2}, "max": {**summary, "mean": 0.2}}},
                    "tests": {"output_std_change": test}},
    }  # fmt: skip


def test_claims_take_their_status_from_the_tests():
    status = {w: {c["claim"]: c["status"] for c in claims(fabricated_sections(w))} for w in ("higher", "lower", "indistinguishable", "tie")}
    capacity_claim = "More capacity overfits more (the gap grows with width)"
    assert [status[w][capacity_claim] for w in status] == ["confirmed", "contradicted", "not confirmed here", "not confirmed here"]
    assert status["higher"]["L2 pulls the weights toward zero (first layer [-2.78, 1.75] → [-0.5, 0.3])"] == "confirmed"  # 10× narrower
    assert status["lower"]["More data helps"] == "depends"  # the gap closes, test accuracy does not rise
    assert all(c["status"] in STATUSES for w in status for c in claims(fabricated_sections(w)))


def test_checklist_links_each_item_to_a_section_that_ran():
    items = checklist({"capacity": {}, "lambda": {}})
    assert len(items) == 9
    assert items[0] == {"item": "Identify overfitting through the train/test performance gap", "section": "capacity"}
    assert items[1]["section"] is None  # the L2 section did not run
