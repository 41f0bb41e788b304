"""The pieces of ``reglab diagnose`` that need no training: the 1-SE rule, the paired comparison, the
scaled schedule, the turning epoch, the snippets (executed on tiny random data), the recommendation and the
refusals."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from scipy import stats

import reglab.cli.diagnosing  # noqa: F401  (registers the command)
from reglab.cli import execute
from reglab.config import RunConfig
from reglab.diagnosis.choose import Candidate, one_standard_error, standard_error
from reglab.diagnosis.detect import turning_epoch
from reglab.diagnosis.recommend import advised, recommendation, snippets
from reglab.diagnosis.settings import Settings, reference_hidden, scaled_batch_size, scaled_epochs, scaled_patience
from reglab.diagnosis.verify import compare


def test_standard_error_is_the_sample_std_over_root_n():
    values = [0.30, 0.34, 0.29, 0.35]
    assert standard_error(values) == pytest.approx(np.std(values, ddof=1) / 2.0)
    assert standard_error([0.5]) == 0.0


def test_one_standard_error_rule_takes_the_most_regularized_within_one_se_of_the_best():
    # means 0.40 (se 0.02), 0.41, 0.415, 0.43, 0.39 (se 0.005): the best is the last, threshold 0.395
    cands = [
        Candidate({"penalty": "l2", "lam": 1e-4}, (0.38, 0.42)),  # mean 0.40, outside
        Candidate({"penalty": "l2", "lam": 1e-1}, (0.41, 0.41)),  # outside
        Candidate({"penalty": "l2", "lam": 1e-3, "dropout": 0.3}, (0.393, 0.395)),  # mean 0.394, inside
        Candidate({"penalty": "l2", "lam": 1e-3, "dropout": 0.1}, (0.392, 0.396)),  # mean 0.394, inside, less dropout
        Candidate({"penalty": "l2", "lam": 1e-5}, (0.385, 0.395)),  # the best: 0.39 ± 0.005
    ]
    choice = one_standard_error(cands)
    assert choice.best == 4 and choice.threshold == pytest.approx(0.395)
    assert set(choice.within) == {2, 3, 4}
    assert choice.chosen == 2  # λ 1e-3 beats 1e-5; between the two at 1e-3, the larger dropout


def test_one_standard_error_rule_with_one_seed_is_the_best_and_skips_diverged():
    cands = [Candidate({"penalty": "l1", "lam": 1.0}, (math.inf,)), Candidate({"penalty": "l1", "lam": 0.1}, (0.2,)),
             Candidate({"penalty": "none"}, (0.3,))]  # fmt: skip
    choice = one_standard_error(cands)
    assert (choice.best, choice.chosen, choice.within) == (1, 1, (1,))


def test_paired_comparison_matches_scipy_ttest_rel_and_the_t_interval():
    rng = np.random.default_rng(3)
    baseline = rng.normal(0.5, 0.05, 7)
    tuned = baseline - 0.03 + rng.normal(0, 0.01, 7)
    found = compare(list(tuned), list(baseline))
    reference = stats.ttest_rel(tuned, baseline)
    d = tuned - baseline
    half = stats.t.ppf(0.975, 6) * d.std(ddof=1) / math.sqrt(7)
    assert found["difference"] == pytest.approx(d.mean())
    assert found["p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
    assert found["ci95"] == pytest.approx([d.mean() - half, d.mean() + half])
    assert found["significant"] is True and found["losses"] == int(np.sum(tuned < baseline))


def test_paired_comparison_of_noise_is_not_significant():
    found = compare([0.50, 0.52, 0.49, 0.51], [0.51, 0.50, 0.50, 0.52])  # d = -0.01, 0.02, -0.01, -0.01
    assert found["significant"] is False
    assert found["ci95"][0] < 0 < found["ci95"][1]


@pytest.mark.parametrize(
    ("rows", "batch", "epochs", "patience"),
    # patience: 300 steps, max(5, ceil(300 / ceil(rows / batch))) epochs: 4, 10, 100, 110 and 391 steps per epoch
    [(112, 32, 200, 75), (319, 32, 157, 30), (3_200, 32, 20, 5), (28_000, 256, 20, 5), (200_000, 512, 20, 5)],
)
def test_schedule_scales_with_the_training_rows(rows, batch, epochs, patience):
    assert (scaled_batch_size(rows), scaled_epochs(rows)) == (batch, epochs)
    schedule = Settings().schedule(rows)
    assert (schedule.epochs, schedule.batch_size, schedule.patience) == (epochs, batch, patience)
    assert schedule.chosen["epochs"] == f"scaled to {rows} training rows"
    assert scaled_patience(8, 1) == 8  # never beyond the epoch cap


def test_given_schedule_is_kept_and_reference_is_wider():
    schedule = Settings(epochs=7, batch_size=None, patience=None).schedule(1000)
    assert (schedule.epochs, schedule.batch_size, schedule.patience, schedule.chosen["epochs"]) == (7, None, None, "given")
    assert reference_hidden((1,)) == (128,) and reference_hidden((100, 300)) == (200, 600)


def test_turning_epoch_on_scripted_curves():
    assert turning_epoch([1.0, 0.8, 0.6, 0.7, 0.9]) == 3
    assert turning_epoch([1.0, 0.8, 0.6, 0.61, 0.62]) is None  # ends within 5% of its minimum
    assert turning_epoch([1.0, 0.8, 0.6]) is None


def tiny_data(task: str, d: int, k: int, n: int = 24):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = rng.normal(size=n).astype(np.float32) if task == "regression" else (np.arange(n) % k)
    return {"X_train": X[: n // 2], "y_train": y[: n // 2], "X_val": X[n // 2 :], "y_val": y[n // 2 :]}


@pytest.mark.parametrize(
    ("task", "penalty", "optimizer", "activation", "outputs"),
    [("binary", {"kind": "l2", "lam": 0.01}, "adam", "relu", 1),
     ("multiclass", {"kind": "l1l2", "l1": 0.001, "l2": 0.01}, "sgd", "tanh", 3),
     ("regression", {"kind": "l1", "lam": 0.001}, "adamw", "gelu", 1),
     ("binary", {"kind": "l2", "lam": 0.01}, "sgd", "linear", 1)],
)  # fmt: skip
def test_snippets_run_as_printed_and_keras_parses(task, penalty, optimizer, activation, outputs):
    config = RunConfig(hidden=(8, 4), penalty=penalty, dropout=0.2, optimizer=optimizer, activation=activation, epochs=3, patience=2)
    code = snippets(config, n_features=5, n_outputs=outputs, task=task, batch_size=4)
    ast.parse(code["keras"])
    assert "kernel_regularizer=regularizers." in code["keras"] and "layers.Dropout(0.2)" in code["keras"]
    space = tiny_data(task, 5, max(outputs, 2))
    exec(code["pytorch"], space)
    assert space["model"][-1].out_features == outputs and len(space["kernels"]) == 2  # the output kernel is not penalised
    assert np.isfinite(space["best"])
    space = tiny_data(task, 5, max(outputs, 2), n=80)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's ConvergenceWarning after 3 epochs
        exec(code["sklearn"], space)
    assert space["model"].predict(space["X_val"]).shape == (40,)


def test_the_snippets_translate_every_name_reglab_has_and_state_its_convention_and_validation_fraction():
    from reglab.diagnosis import recommend
    from reglab.regularizers import CONVENTION
    from reglab.rules import ACTIVATIONS, OPTIMIZERS, VALIDATION_FRACTION

    assert set(recommend.TORCH_ACTIVATIONS) == set(recommend.SKLEARN_ACTIVATIONS) == set(ACTIVATIONS)
    assert set(recommend.KERAS_OPTIMIZERS) == set(recommend.TORCH_OPTIMIZERS) == set(OPTIMIZERS)
    config = RunConfig(penalty={"kind": "l2", "lam": 0.01}, patience=5, regularize_output=True)
    stopping = f"early_stopping=True, validation_fraction={VALIDATION_FRACTION:g}, n_iter_no_change=5, "
    assert stopping in snippets(config, 2, 1, "binary", 8)["sklearn"]
    found = recommendation(config, 8)
    assert found["convention"] == CONVENTION and found["where"] == "the hidden kernels and the output kernel; never a bias"


def test_nothing_is_recommended_unless_the_decision_is_to_regularize():
    config = RunConfig(penalty={"kind": "l2", "lam": 0.01}, dropout=0.1, patience=5)
    assert advised("keep the baseline", "Because.", config, 32) == {"decision": "keep the baseline", "reason": "Because."}
    found = advised("regularize", "Because.", config, 32)
    assert found == {"decision": "regularize", "reason": "Because.", **recommendation(config, 32)}


def test_recommendation_converts_lambda():
    found = recommendation(RunConfig(penalty={"kind": "l2", "lam": 0.01}, dropout=0.1, patience=5), batch_size=32)
    assert (found["penalty"], found["lam"], found["dropout"]) == ("l2", 0.01, 0.1)
    assert found["pytorch_weight_decay"] == pytest.approx(0.02) and found["sklearn_alpha"] == pytest.approx(0.64)
    assert found["reglab"] == "--penalty l2 --lam 0.01 --dropout 0.1 --patience 5"


def run(argv):
    with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()) as err:
        code = execute(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--budget", "0"], "The '--budget' option must be an int >= 1. Got '0' instead."),
        (["--seeds", "1"], "The '--seeds' option must be an int >= 2 (the verification pairs seeds). Got '1' instead."),
        (["--search-seeds", "0"], "The '--search-seeds' option must be an int >= 1. Got '0' instead."),
        (["--val-size", "0"], "The '--val-size' option must be > 0 (the gap, the search and early stopping watch the validation part). "
                              "Got '0' instead."),
        (["--lam-range", "0:1"], "The '--lam-range' option must be LOW:HIGH with 0 < LOW <= HIGH (λ is searched on a log scale), "
                                 "such as 1e-5:1. Got '0:1' instead."),
        (["--dropout-range", "0:1"], "The '--dropout-range' option must be LOW:HIGH with 0 <= LOW <= HIGH < 1, such as 0:0.5. "
                                     "Got '0:1' instead."),
        (["--penalty", "l3"], "The '--penalty' option must be one of none, l1, l2, l1l2, or a comma-separated list of them. "
                              "Got item 'l3' of 'l3' instead."),
        (["--patience", "soon"], "The '--patience' option must be an int >= 1, 'auto' or 'off'. Got 'soon' instead."),
        (["--epochs", "0"], "The '--epochs' option must be an int between 1 and 100000. Got '0' instead."),
        (["--epochs", "200000"], "The '--epochs' option must be an int between 1 and 100000. Got '200000' instead."),
        (["--batch", "0"], "The '--batch' option must be an int >= 1. Got '0' instead."),
        (["--folds", "1"], "The '--folds' option must be an int >= 2 (one fold tests, the others train). Got '1' instead."),
        (["--repeats", "0"], "The '--repeats' option must be an int >= 1. Got '0' instead."),
    ],
)  # fmt: skip
def test_refusals_are_one_line_with_exit_code_2(argv, message, tmp_path):
    code, out, err = run(["diagnose", *argv, "--out", str(tmp_path / "out")])
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")
    assert not (tmp_path / "out").exists()


def test_bad_storage_is_refused_as_tune_refuses_it(tmp_path):
    csv = tmp_path / "t.csv"
    rng = np.random.default_rng(0)
    csv.write_text("a,b,y\n" + "".join(f"{a:.3f},{b:.3f},{int(a > 0)}\n" for a, b in rng.standard_normal((60, 2))))
    code, out, err = run(["diagnose", "--dataset", str(csv), "--target", "y", "--storage", "nonsense", "--out", str(tmp_path / "o")])
    assert (code, out) == (2, "")
    assert err.startswith("reglab: error: The '--storage' option must be a database URL") and err.count("\n") == 1
    assert not (tmp_path / "o").exists()  # the refused command leaves no output folder behind


@pytest.mark.parametrize(
    ("rows", "target", "message"),
    [
        ("a,y\n" + "".join(f"{i},1\n" for i in range(30)), "y", ("'y'", "single class", "at least 2 classes")),
        ("a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(30)), "label", ("'target'", "Got 'label' instead")),
        ("a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(5)), "y", ("t.csv", "5 rows", "at least")),
    ],
)  # fmt: skip
def test_bad_data_is_refused_before_training(rows, target, message, tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text(rows)
    code, out, err = run(["diagnose", "--dataset", str(csv), "--target", target, "--out", str(tmp_path / "o")])
    assert (code, out) == (2, "")  # the words are the data reader's; here: one line, naming what is wrong
    assert err.startswith("reglab: error: ") and err.count("\n") == 1 and all(part in err for part in message), err
    assert not (tmp_path / "o").exists()


def test_more_folds_than_the_table_allows_are_refused_before_training(tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text("a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(60)))
    code, out, err = run(["diagnose", "--dataset", str(csv), "--target", "y", "--folds", "31", "--out", str(tmp_path / "o")])
    message = "The 'folds' parameter must leave at least 2 test rows in each fold of 60 rows: at most 30. Got 31 instead."
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")  # no progress line: nothing trained
    assert not (tmp_path / "o").exists()


PROBE = """
import contextlib, io, json, sys
import reglab.cli.diagnosing
from reglab.cli import execute
found = []
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = execute(argv)
    found.append([code, [m for m in ("torch", "optuna", "sklearn", "pandas", "matplotlib") if m in sys.modules]])
print(json.dumps(found))
"""


def test_help_and_refusals_import_neither_torch_nor_optuna(tmp_path):
    lines = [["diagnose", "--help"], ["diagnose", "--budget", "0"], ["diagnose", "--lam-range", "1:0"], ["diagnose", "--seeds", "x"]]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    argv = [sys.executable, "-c", PROBE, json.dumps(lines)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [[0, []], [2, []], [2, []], [2, []]]
