"""Conclusions are computed from the numbers: fabricated results steer them both ways."""

import numpy as np

from reglab.config import DataConfig, RunConfig
from reglab.lecture.plan import Arm, command, settings_for
from reglab.lecture.sections import choosing_lambda, l2, penalties
from reglab.regularizers import L1, L2, NoPenalty
from reglab.runs import RunResult

DATA = DataConfig(dataset="moons", n_samples=40, noise=0.2, standardize=False, val_size=0.25)
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
    with_l2 = Arm("L2 λ=0.01", {"penalty": L2(lam=0.01)})
    narrower = l2([
        (Arm("no penalty"), seeds(train=0.99, val=0.80, test=0.82)),
        (with_l2, seeds(train=0.93, val=0.90, test=0.90, penalty=L2(lam=0.01))),
    ], SETTINGS)
    assert "L2 narrows the gap, as the lecture shows." in narrower["conclusion"]
    wider = l2([
        (Arm("no penalty"), seeds(train=0.93, val=0.90, test=0.90)),
        (with_l2, seeds(train=0.99, val=0.80, test=0.82, penalty=L2(lam=0.01))),
    ], SETTINGS)
    assert "Contrary to the lecture, L2 did not narrow the gap here." in wider["conclusion"]


def test_lambda_conclusion_reads_the_verdicts_in_order():
    lams = [0.0, 0.01, 1.0]
    def arms(rows):
        penalty = [L2(lam=lam) if lam else NO_PENALTY for lam in lams]
        return [(Arm(f"λ={lam:g}", {"penalty": p}), seeds(**row, penalty=p)) for lam, p, row in zip(lams, penalty, rows)]
    overfit, good = dict(train=0.99, val=0.80, test=0.8), dict(train=0.92, val=0.90, test=0.9)
    underfit = dict(train=0.55, val=0.55, test=0.55)
    textbook = choosing_lambda(arms([{**overfit, "loss": 0.5}, {**good, "loss": 0.2}, {**underfit, "loss": 0.7}]), SETTINGS)
    assert textbook["numbers"]["chosen_lambda"] == 0.01
    assert "Verdicts: overfitting for λ = 0; good fit for λ = 0.01; underfitting for λ = 1." in textbook["conclusion"]
    assert "through good fit to underfitting as λ grows, as the lecture's guide says" in textbook["conclusion"]
    upside_down = choosing_lambda(arms([underfit, good, overfit]), SETTINGS)
    assert "do not move monotonically" in upside_down["conclusion"]


def test_penalties_conclusion_counts_exact_zeros():
    arms = [
        (Arm("L2 λ=0.01"), seeds(train=0.9, val=0.88, test=0.88, penalty=L2(lam=0.01))),
        (Arm("L1 proximal"), seeds(train=0.9, val=0.88, test=0.88, penalty=L1(lam=1e-3), zeros=0.5)),
        (Arm("L1 subgradient"), seeds(train=0.9, val=0.88, test=0.88, penalty=L1(lam=1e-3), near=0.5)),
        (Arm("elastic net"), seeds(train=0.9, val=0.88, test=0.88, penalty=L2(lam=0.01))),
    ]
    section = penalties(arms, SETTINGS)
    assert section["conclusion"].startswith(
        "Proximal L1 sets 50% of the hidden weights exactly to zero; subgradient L1 (Keras's way) sets 0% exactly to zero "
        "but leaves 50% below 1e-3"
    )
    assert "holds for the proximal step, not for the plain subgradient" in section["conclusion"]
    swapped = penalties([arms[0], arms[2], arms[1], arms[3]], SETTINGS)
    assert "Here even proximal L1 did not produce more exact zeros than the subgradient." in swapped["conclusion"]


def test_command_folds_arms_that_differ_in_one_value():
    arms = [Arm(f"λ={lam:g}", {"penalty": L2(lam=lam) if lam else NoPenalty()}) for lam in (0.0, 0.01, 0.1)]
    (line,) = command(SETTINGS, arms).splitlines()
    assert "--penalty l2 --lam 0,0.01,0.1" in line
    widths = [Arm(f"{w}", {"hidden": (w,)}) for w in (1, 10)]
    assert "--hidden '1;10'" in command(SETTINGS, widths)
