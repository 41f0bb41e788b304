"""Tests of the command line (reglab.cli) and of the sweep summary (reglab.runs.seeds).

Most tests call ``main`` in-process (the ``cli`` fixture of conftest.py); a few run ``python -m reglab``
end to end to hold the contracts other tools rely on: exit codes, one error line on stderr, and
exactly one JSON document on stdout.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from reglab.cli import app, execute
from reglab.config import DataConfig, RunConfig
from reglab.regularizers import L2
from reglab.runs import RunResult
from reglab.runs.seeds import summarize_sweep, sweep_document

TINY = ["--epochs", "3", "--n-samples", "60", "--hidden", "8"]
TRAIN_KEYS = {"schema_version", "config", "train", "test", "epochs_run", "stopped_early", "diverged", "verdict", "weights", "history"}


@pytest.fixture
def cli_json(cli):
    """``cli_json(*args)``: the one JSON document of ``reglab *args --json``, which must succeed."""

    def run(*args: str) -> dict:
        code, out, err = cli(*args, "--json")
        assert code == 0, err
        return json.loads(out)

    return run


def subprocess_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "OMP_NUM_THREADS": "1", **env}
    return subprocess.run([sys.executable, "-m", "reglab", *args], capture_output=True, text=True, env=environment, timeout=300)


# --- user errors: exactly one line on stderr, exit code 2, nothing on stdout -----------------------

WIDTHS = "comma-separated widths between 1 and 65536, at most 16 layers, such as 128,128"
BAD_INPUTS = [
    (["train", "--penalty", "l2", "--lam", "-0.1"], "The '--lam' option must be a finite float >= 0. Got '-0.1' instead."),
    (["train", "--penalty", "l2", "--lam", "nan"], "The '--lam' option must be a finite float >= 0. Got 'nan' instead."),
    (["train", "--penalty", "l2", "--lam", "abc"], "The '--lam' option must be a finite float >= 0. Got 'abc' instead."),
    (["train", "--penalty", "l2", "--lam", "0.1,0.2"], "The '--lam' option must be a finite float >= 0. Got '0.1,0.2' instead."),
    (
        ["sweep", "--penalty", "l2", "--lam", "0.01,abc,1"],
        "The '--lam' option must be a finite float >= 0, or a comma-separated list of them. Got item 'abc' of '0.01,abc,1' instead.",
    ),
    (
        ["sweep", "--penalty", "l2", "--lam", "0.01,-1"],
        "The '--lam' option must be a finite float >= 0, or a comma-separated list of them. Got item '-1' of '0.01,-1' instead.",
    ),
    (["train", "--hidden", "0"], f"The '--hidden' option must be {WIDTHS}. Got '0' instead."),
    (["train", "--hidden", "-5"], f"The '--hidden' option must be {WIDTHS}. Got '-5' instead."),
    (["train", "--hidden", "abc"], f"The '--hidden' option must be {WIDTHS}. Got 'abc' instead."),
    (["train", "--hidden", "64,"], f"The '--hidden' option must be {WIDTHS}. Got '64,' instead."),
    (
        ["sweep", "--hidden", "8,8;0/4"],
        f"The '--hidden' option must be {WIDTHS}, or a list of them "
        "separated by ';' or '/'. Got item '0' of '8,8;0/4' instead.",
    ),
    (["train", "--dropout", "1.0"], "The '--dropout' option must be a float in [0, 1). Got '1.0' instead."),
    (
        ["sweep", "--dropout", "0,1"],
        "The '--dropout' option must be a float in [0, 1), or a comma-separated list of them. Got item '1' of '0,1' instead.",
    ),
    (
        ["train", "--dataset", "nope"],
        "The 'dataset' parameter must be one of moons, circles, xor, spirals, blobs, regression, breast_cancer, wine, "
        "digits, diabetes or a path to a CSV file. Got 'nope' instead.",
    ),
    (["train", "--epochs", "0"], "The '--epochs' option must be an int between 1 and 100000. Got '0' instead."),
    (["train", "--epochs", "2.5"], "The '--epochs' option must be an int between 1 and 100000. Got '2.5' instead."),
    (
        ["train", "--batch-size", "1000"],
        "The '--batch-size' option must be at most the number of training rows (350), or 'full'. Got '1000' instead.",
    ),
    (
        ["sweep", "--n-samples", "60", "--batch-size", "43", "--seeds", "2"],
        "The '--batch-size' option must be at most the number of training rows (42), or 'full'. Got '43' instead.",
    ),
    (["train", "--batch-size", "half"], "The '--batch-size' option must be an int >= 1 or 'full'. Got 'half' instead."),
    (["train", "--penalty", "l3"], "The '--penalty' option must be one of none, l1, l2, l1l2. Got 'l3' instead."),
    (
        ["sweep", "--penalty", "none,l3"],
        "The '--penalty' option must be one of none, l1, l2, l1l2, or a comma-separated list of them. Got item 'l3' of 'none,l3' instead.",
    ),
    (
        ["train", "--lam", "0.1"],
        "The '--lam' option must be used with --penalty l1, l2 or l1l2, not --penalty none. Got '0.1' instead.",
    ),
    (
        ["sweep", "--penalty", "none", "--lam", "0.1,1"],
        "The '--lam' option must be used with --penalty l1, l2 or l1l2, not --penalty none. Got '0.1,1' instead.",
    ),
    (
        ["train", "--penalty", "l2", "--l1", "0.1"],
        "The '--l1' option must be used with --penalty l1l2 (use --lam for --penalty l1 or l2). Got '0.1' instead.",
    ),
    (
        ["train", "--activation", "swish"],
        "The '--activation' option must be one of relu, tanh, sigmoid, gelu, linear. Got 'swish' instead.",
    ),
    (["train", "--optimizer", "rmsprop"], "The '--optimizer' option must be one of sgd, adam, adamw. Got 'rmsprop' instead."),
    (["train", "--lr", "0"], "The '--lr' option must be a finite float > 0. Got '0' instead."),
    (["train", "--test-size", "1"], "The '--test-size' option must be a float in (0, 1). Got '1' instead."),
    (["train", "--n-samples", "3"], "The '--n-samples' option must be an int >= 4. Got '3' instead."),
    (["train", "--seed", "-1"], "The '--seed' option must be an int between 0 and 4294967295. Got '-1' instead."),
    (["train", "--seed", str(2**32)], "The '--seed' option must be an int between 0 and 4294967295. Got '4294967296' instead."),
    (["train", "--threads", "0"], "The '--threads' option must be an int >= 1. Got '0' instead."),
    (["demo", "--threads", "two"], "The '--threads' option must be an int >= 1. Got 'two' instead."),
    (["sweep", "--seeds", "0"], "The '--seeds' option must be an int between 1 and 10000. Got '0' instead."),
    (
        ["train", "--patience", "5", "--val-size", "0"],
        "The '--val-size' option must be > 0 when --patience is given (early stopping watches the validation loss). Got '0' instead.",
    ),
    (  # checked before the note that --patience picks a validation part, so still one line
        ["train", "--patience", "3", "--penalty", "l2", "--lam", "-1"],
        "The '--lam' option must be a finite float >= 0. Got '-1' instead.",
    ),
    (["train", "--gap-threshold", "-1"], "The '--gap-threshold' option must be a finite float >= 0. Got '-1' instead."),
    (["train", "--underfit-skill", "2"], "The '--underfit-skill' option must be a float in [0, 1]. Got '2' instead."),
    (
        ["train", "--hidden", "100000"],
        f"The '--hidden' option must be {WIDTHS}. Got '100000' instead.",
    ),
    (
        ["train", "--hidden", ",".join(["4"] * 17)],
        f"The '--hidden' option must be {WIDTHS}. Got '{','.join(['4'] * 17)}' instead.",
    ),
    (["train", "--frobnicate"], "No such option: --frobnicate (Possible options: --force); see 'reglab train --help'."),
    (["train", "--lam"], "Option '--lam' requires an argument; see 'reglab train --help'."),
    (["fit"], "No such command 'fit'; see 'reglab --help'."),
]


@pytest.mark.parametrize("args, message", BAD_INPUTS, ids=[" ".join(a) or "no-args" for a, _ in BAD_INPUTS])
def test_user_error_is_one_line_and_exit_code_2(args, message, cli):
    code, out, err = cli(*args)
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")


@pytest.mark.parametrize("args", [[], ["--debug"]])
def test_no_command_is_a_usage_error_that_lists_the_commands(args, cli):
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert names[:4] == ["train", "sweep", "demo", "report"]  # then any command registered since (tune, serve)
    code, out, err = cli(*args)
    assert (code, out, err) == (2, "", f"reglab: error: Expected a command, one of {', '.join(names)}; see 'reglab --help'.\n")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_cuda_without_a_gpu_is_a_usage_error(cli):
    code, out, err = cli("train", *TINY, "--device", "cuda")
    message = "The '--device' option must be 'cpu' on this machine (no CUDA GPU is available). Got 'cuda' instead."
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_csv_errors_are_one_line_and_exit_code_2(tmp_path, cli):
    many_texts = "a,b,y\n" + "".join(f"{i},w{i},{i % 2}\n" for i in range(30))
    cases = [
        (str(tmp_path / "missing.csv"), "y", f"CSV file '{tmp_path / 'missing.csv'}' (dataset) does not exist."),
        (
            _write(tmp_path, "empty.csv", ""), "y",
            f"CSV file '{tmp_path / 'empty.csv'}' is empty; expected a header row and at least one data row.",
        ),
        (
            _write(tmp_path, "one.csv", "a,b,y\n1,2,0\n3,4,0\n5,6,0\n"), "y",
            f"Target column 'y' of CSV file '{tmp_path / 'one.csv'}' has a single class ('0'); classification needs at least 2 classes.",
        ),
        (
            str(tmp_path / "one.csv"), "z",
            f"The 'target' parameter must be a column of CSV file '{tmp_path / 'one.csv'}', one of: a, b, y. Got 'z' instead.",
        ),
        (
            _write(tmp_path, "nan.csv", "a,b,y\n1,2,0\n3,,1\n5,6,0\n"), "y",
            f"CSV file '{tmp_path / 'nan.csv'}' has 1 row with missing values (first: line 3, column 'b'); expected none with "
            "--missing error (the default): --missing drop leaves those rows out, --missing impute fills them from the training rows.",
        ),
        (
            _write(tmp_path, "text.csv", many_texts), "y",
            f"Feature column 'b' of CSV file '{tmp_path / 'text.csv'}' is text with 30 distinct values (a different one on every row, "
            "like an ID); expected numbers or text with at most 20 distinct values (one-hot encoded): --drop b, or encode it as numbers.",
        ),
    ]  # fmt: skip
    for path, target, message in cases:
        code, out, err = cli("train", *TINY, "--dataset", path, "--target", target)
        assert (code, out, err) == (2, "", f"reglab: error: {message}\n")


def test_end_to_end_error_has_no_traceback_and_nothing_on_stdout_but_its_json_document():
    proc = subprocess_cli("sweep", "--penalty", "l2", "--lam", "0.1,-2", "--json")
    expected = "The '--lam' option must be a finite float >= 0, or a comma-separated list of them. Got item '-2' of '0.1,-2' instead."
    assert (proc.returncode, proc.stderr) == (2, f"reglab: error: {expected}\n")
    assert proc.stdout.count("\n") == 1 and json.loads(proc.stdout) == {"error": expected, "exit_code": 2, "schema_version": 1}
    proc = subprocess_cli("train", "--no-such-thing")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "reglab: error: No such option: --no-such-thing; see 'reglab train --help'.\n"


@pytest.mark.parametrize("error", [RuntimeError("the engine broke\nsecond line"), ValueError("the engine broke")])
def test_a_bug_exits_1_with_one_line_and_the_traceback_only_in_debug(monkeypatch, error, cli):
    """Anything but a ReglabError is a bug, a plain ValueError of library code included."""

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr("reglab.runs.train_runs", broken)
    monkeypatch.delenv("REGLAB_DEBUG", raising=False)
    code, out, err = cli("train", *TINY)
    assert (code, out) == (1, "")
    line = f"reglab: internal error: {type(error).__name__}: the engine broke (run with --debug or REGLAB_DEBUG=1 for the traceback)"
    assert err.splitlines()[-1] == line
    assert "Traceback" not in err
    code, out, err = cli("--debug", "train", *TINY)
    assert (code, out, err.splitlines()[-1]) == (1, "", line)
    assert "Traceback (most recent call last)" in err
    code, out, err = cli("train", *TINY)  # --debug lasts one command line
    assert "Traceback" not in err
    monkeypatch.setenv("REGLAB_DEBUG", "1")
    code, out, err = cli("train", *TINY)
    assert (code, out) == (1, "")
    assert "Traceback (most recent call last)" in err


def test_help_exits_0_and_documents_architecture_separators(cli):
    code, out, err = cli("sweep", "--help")
    assert code == 0
    assert "separated by ';' or '/'" in " ".join(out.replace("│", " ").split())
    assert cli("--help")[0] == 0
    assert cli("train", "--help")[0] == 0


# --- train -----------------------------------------------------------------------------------------------


def test_train_json_end_to_end_is_exactly_one_document():
    proc = subprocess_cli("train", *TINY, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)  # the whole of stdout is one document
    assert TRAIN_KEYS <= set(doc)
    assert doc["epochs_run"] == 3 and doc["stopped_early"] is False and doc["diverged"] is False
    assert doc["verdict"] in ("overfitting", "good fit", "underfitting")


def test_train_metric_keys_for_classification_and_regression(cli_json):
    doc = cli_json("train", *TINY)
    for part in ("train", "test"):
        assert set(doc[part]) == {"loss", "data_loss", "penalty", "accuracy"}
    assert doc["val"] == {}
    assert [len(v) for v in doc["history"].values()] == [3] * len(doc["history"])
    doc = cli_json("train", *TINY, "--dataset", "regression")
    for part in ("train", "test"):
        assert set(doc[part]) == {"loss", "data_loss", "penalty", "r2", "rmse"}


def test_train_options_reach_the_configs(cli_json):
    doc = cli_json(
        "train", *TINY, "--seed", "3", "--penalty", "l1l2", "--l1", "0.001", "--l2", "0.002", "--dropout", "0.1",
        "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9", "--batch-size", "full", "--activation", "tanh",
        "--regularize-output", "--l1-method", "subgradient", "--no-standardize", "--test-size", "0.25",
    )  # fmt: skip
    config, data = doc["config"], doc["data"]
    assert config["penalty"] == {"kind": "l1l2", "l1": 0.001, "l2": 0.002}
    assert (config["seed"], data["seed"]) == (3, 3)  # --seed fixes both the model and the data
    assert (config["dropout"], config["optimizer"], config["lr"], config["momentum"]) == (0.1, "sgd", 0.05, 0.9)
    assert (config["batch_size"], config["activation"], config["regularize_output"]) == (None, "tanh", True)
    assert (config["l1_method"], data["standardize"], data["test_size"]) == ("subgradient", False, 0.25)
    assert doc["train"]["penalty"] > 0
    assert cli_json("train", *TINY, "--penalty", "l2")["config"]["penalty"] == {"kind": "l2", "lam": 0.01}


def test_default_batch_size_is_cut_to_small_data_but_a_given_one_is_checked(cli_json, cli):
    doc = cli_json("train", "--epochs", "2", "--n-samples", "40", "--hidden", "4")  # 28 training rows
    assert doc["config"]["batch_size"] == 32 and doc["epochs_run"] == 2
    code, out, err = cli("train", "--epochs", "2", "--n-samples", "40", "--batch-size", "32")
    message = "The '--batch-size' option must be at most the number of training rows (28), or 'full'. Got '32' instead."
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")


def test_patience_without_val_size_uses_a_fifth_for_validation_and_says_so(cli):
    code, out, err = cli("train", *TINY, "--patience", "2", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["data"]["val_size"] == 0.2 and doc["config"]["patience"] == 2
    assert set(doc["val"]) == {"loss", "data_loss", "penalty", "accuracy"}
    assert err.splitlines()[0] == "reglab: --patience watches the validation loss: using --val-size 0.2"


def test_train_table_shows_parts_verdict_and_weight_range(cli):
    code, out, err = cli("train", *TINY, "--val-size", "0.2")
    assert code == 0
    for text in ("train", "validation", "test", "data_loss", "penalty", "accuracy", "verdict", "epochs", "first-layer weights"):
        assert text in out
    assert "training 1 run in 1 stack" in err and "training" not in out  # progress on stderr only


def test_train_out_writes_result_and_weights(tmp_path, cli):
    folder = tmp_path / "new" / "run"
    code, out, err = cli("train", *TINY, "--hidden", "8,4", "--out", str(folder))
    assert code == 0
    doc = json.loads((folder / "result.json").read_text())
    assert TRAIN_KEYS <= set(doc)
    with np.load(folder / "weights.npz") as weights:
        shapes = {k: weights[k].shape for k in weights.files}
        first = weights["kernel_0"]
    assert shapes == {"kernel_0": (2, 8), "bias_0": (8,), "kernel_1": (8, 4), "bias_1": (4,), "kernel_2": (4, 1), "bias_2": (1,)}
    assert (first.min(), first.max()) == (doc["weights"][0]["min"], doc["weights"][0]["max"])
    assert f"reglab: wrote {folder / 'result.json'} and {folder / 'weights.npz'}" in err


def test_out_that_cannot_be_a_directory_is_a_usage_error(tmp_path, cli):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = cli("train", *TINY, "--out", str(blocker))
    message = (
        f"The '--out' option must be a folder that reglab can create and write in. Got '{blocker}' instead (File exists): "
        "a file stands in the way: choose another --out."
    )
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")


def test_l2_narrows_the_first_layer_weight_range(cli_json):
    ranges = {}
    for penalty in (["--penalty", "none"], ["--penalty", "l2", "--lam", "0.01"]):
        doc = cli_json("train", "--epochs", "100", *penalty)
        first = doc["weights"][0]
        assert first["name"] == "hidden 1" and first["shape"] == [2, 128]
        ranges[penalty[1]] = first["max"] - first["min"]
    assert ranges["l2"] < 0.9 * ranges["none"]


# --- sweep -----------------------------------------------------------------------------------------------


def test_sweep_json_end_to_end_runs_the_grid_times_seeds():
    args = ["sweep", *TINY, "--penalty", "l2", "--lam", "0.01,0.1", "--dropout", "0,0.2", "--seeds", "2", "--json"]
    proc = subprocess_cli(*args)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert set(doc) == {"schema_version", "runs", "summary"}
    assert len(doc["runs"]) == 2 * 2 * 2
    assert len(doc["summary"]) == 4 and [s["n_seeds"] for s in doc["summary"]] == [2, 2, 2, 2]
    lams_dropouts = [(s["config"]["penalty"]["lam"], s["config"]["dropout"]) for s in doc["summary"]]
    assert lams_dropouts == [(0.01, 0.0), (0.01, 0.2), (0.1, 0.0), (0.1, 0.2)]
    assert [r["config"]["seed"] for r in doc["runs"]] == [0, 1] * 4
    assert [r["data"]["seed"] for r in doc["runs"]] == [0, 1] * 4  # each seed draws its own split
    summary = doc["summary"][0]
    assert set(summary) == {"label", "config", "n_seeds", "test_accuracy", "gap", "train_accuracy", "verdicts", "diverged"}
    assert "seed" not in summary["config"]
    assert set(summary["test_accuracy"]) == {"n", "mean", "std", "ci_low", "ci_high"}
    assert sum(summary["verdicts"].values()) + summary["diverged"] == 2


def test_sweep_penalty_none_runs_once_not_once_per_lam(cli_json):
    doc = cli_json("sweep", *TINY, "--penalty", "none,l2", "--lam", "0.01,0.1", "--seeds", "2")
    assert [s["label"] for s in doc["summary"]] == ["none", "l2(λ=0.01)", "l2(λ=0.1)"]
    assert len(doc["runs"]) == 3 * 2


def test_sweep_architectures_learning_rates_and_fixed_split(cli_json):
    doc = cli_json("sweep", *TINY, "--hidden", "8;4,4/8", "--lr", "0.01,0.001", "--seeds", "2", "--fixed-split")
    assert [s["config"]["hidden"] for s in doc["summary"]] == [[8], [8], [4, 4], [4, 4]]
    assert [s["config"]["lr"] for s in doc["summary"]] == [0.01, 0.001] * 2
    assert [r["data"]["seed"] for r in doc["runs"]] == [0] * 8  # one split for every seed
    assert [r["config"]["seed"] for r in doc["runs"]] == [0, 1] * 4


def test_sweep_regression_summary_uses_r2(cli_json):
    doc = cli_json("sweep", *TINY, "--dataset", "regression", "--seeds", "2")
    assert {"test_r2", "train_r2", "gap"} <= set(doc["summary"][0])
    assert set(doc["runs"][0]["test"]) == {"loss", "data_loss", "penalty", "r2", "rmse"}


def test_sweep_table_and_out(tmp_path, cli):
    code, out, err = cli("sweep", *TINY, "--penalty", "l2", "--lam", "0.01,0.1", "--seeds", "3", "--out", str(tmp_path))
    assert code == 0
    for text in ("l2(λ=0.01)", "l2(λ=0.1)", "test accuracy", "95% CI", "gap", "verdicts", " ± "):
        assert text in out
    doc = json.loads((tmp_path / "results.json").read_text())
    assert len(doc["runs"]) == 6
    with np.load(tmp_path / "weights.npz") as weights:
        assert len(weights.files) == 6 * 4
        assert weights["run5_kernel_0"].shape == (2, 8) and weights["run5_bias_1"].shape == (1,)


# --- summary: a hand-worked example -------------------------------------------------------------------


def _result(seed: int, test: float, train: float, lam: float = 0.01, status: str = "completed") -> RunResult:
    return RunResult(
        config=RunConfig(hidden=(4,), penalty=L2(lam=lam), seed=seed), data=DataConfig(seed=seed), task="binary",
        status=status, epochs_run=10, best_epoch=None, diverged_epoch=10 if status == "diverged" else None,
        train={"accuracy": train}, val={}, test={"accuracy": test}, history={},
        kernels=[np.zeros((2, 4)), np.zeros((4, 1))], biases=[np.zeros(4), np.zeros(1)], majority_rate=0.5,
    )  # fmt: skip


def test_summarize_sweep_groups_by_config_without_seed_and_leaves_diverged_runs_out():
    nan = float("nan")
    results = [
        _result(0, test=0.80, train=0.90),
        _result(0, test=0.70, train=0.70, lam=0.1),
        _result(1, test=0.90, train=0.92),
        _result(2, test=nan, train=nan, status="diverged"),
        _result(1, test=nan, train=nan, lam=0.1, status="diverged"),
    ]
    first, second = summarize_sweep(results)
    assert (first["label"], first["n_seeds"], first["diverged"]) == ("l2(λ=0.01)", 3, 1)
    assert first["test_accuracy"]["n"] == 2 and math.isclose(first["test_accuracy"]["mean"], 0.85)
    assert math.isclose(first["test_accuracy"]["std"], math.sqrt(0.005))
    assert math.isclose(first["gap"]["mean"], (0.10 + 0.02) / 2)
    assert math.isclose(first["train_accuracy"]["mean"], 0.91)
    assert first["verdicts"] == {"overfitting": 1, "good fit": 1}
    assert (second["label"], second["n_seeds"], second["diverged"]) == ("l2(λ=0.1)", 2, 1)
    assert second["test_accuracy"] == {"n": 1, "mean": 0.70, "std": 0.0, "ci_low": 0.70, "ci_high": 0.70}
    assert second["verdicts"] == {"underfitting": 1}
    doc = sweep_document(results)
    json.dumps(doc, allow_nan=False)  # strict JSON although two runs diverged
    assert len(doc["runs"]) == 5 and doc["runs"][3]["test"] == {"accuracy": None}


def test_summarize_sweep_when_every_seed_diverged():
    nan = float("nan")
    (only,) = summarize_sweep([_result(s, test=nan, train=nan, status="diverged") for s in range(2)])
    assert (only["n_seeds"], only["diverged"], only["verdicts"]) == (2, 2, {})
    assert only["test_accuracy"] is None and only["gap"] is None and only["train_accuracy"] is None


def test_interrupted_sweep_resumes_from_its_out_dir(tmp_path, monkeypatch, capsys):
    import reglab.runs

    argv = ["sweep", "--epochs", "4", "--n-samples", "60", "--hidden", "8", "--seeds", "2", "--out", str(tmp_path), "--json"]
    real = reglab.runs.train_runs

    def interrupted(runs, **kw):
        def stop(group, report):
            if report.epoch == 2:
                raise KeyboardInterrupt
        return real(runs, **{**kw, "on_epoch": stop})

    monkeypatch.setattr("reglab.runs.train_runs", interrupted)
    assert execute(argv) == 130
    captured = capsys.readouterr()
    resume = f"reglab: interrupted; run the same command again to resume from {tmp_path / 'checkpoint.pt'}\n"
    assert captured.out == "" and captured.err.endswith(resume)
    assert (tmp_path / "checkpoint.pt").exists()
    monkeypatch.setattr("reglab.runs.train_runs", real)
    assert execute(argv) == 0
    resumed = json.loads(capsys.readouterr().out)
    assert execute(argv[:-3] + ["--json"]) == 0  # the same sweep uninterrupted, without --out
    straight = json.loads(capsys.readouterr().out)
    assert [r["history"] for r in resumed["runs"]] == [r["history"] for r in straight["runs"]]
    assert not (tmp_path / "checkpoint.pt").exists()


def test_shared_grid_sweep_is_shared_by_workers_and_collects_like_a_local_sweep(tmp_path, monkeypatch, cli_json, cli):
    import reglab.tuning.shared_sweep as shared

    grid = ["sweep", *TINY, "--penalty", "l2", "--lam", "0,0.01,0.1", "--seeds", "2", "--json"]
    url = f"sqlite:///{tmp_path / 'grid.db'}"
    local = cli_json(*grid)
    train_runs, calls = shared.train_runs, []

    def first_worker_stops(runs, **kwargs):  # the first worker is stopped after one configuration
        calls.append(len(runs))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return train_runs(runs, **kwargs)

    monkeypatch.setattr(shared, "train_runs", first_worker_stops)
    code, out, err = cli(*grid, "--storage", url, "--batch", "1")
    assert (code, out) == (130, "")
    assert err.endswith(f"reglab: interrupted; the finished configurations are kept in {url}: run the same command again to go on\n")
    monkeypatch.setattr(shared, "train_runs", train_runs)
    code, out, err = cli(*grid, "--storage", url, "--batch", "1")
    assert code == 0 and "reglab: this worker trained 2 configurations\n" in err
    collected = cli_json(*grid, "--storage", url, "--collect")
    assert collected["summary"] == local["summary"] and collected["missing"] == []
    assert [r["history"] for r in collected["runs"]] == [r["history"] for r in local["runs"]]


def test_collect_needs_storage(cli):
    code, out, err = cli("sweep", *TINY, "--collect")
    message = (
        "The '--collect' option must be used with --storage URL (the database of the shared grid to collect). Got '--collect' instead."
    )
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")


def test_train_table_states_task_rows_optimiser_and_the_restored_epoch(cli_json, cli):
    code, out, err = cli("train", "--epochs", "60", "--n-samples", "100", "--hidden", "8", "--patience", "3", "--lr", "0.05")
    assert code == 0
    doc = cli_json("train", "--epochs", "60", "--n-samples", "100", "--hidden", "8", "--patience", "3", "--lr", "0.05")
    facts = {line[:21].strip(): line[21:] for line in out.splitlines() if line[:1].isalpha()}
    assert facts["task"] == "binary classification, 2 classes" and (doc["task"], doc["classes"]) == ("binary", 2)
    assert facts["rows"] == "train 56, validation 14, test 30" and doc["rows"] == {"train": 56, "validation": 14, "test": 30}
    assert facts["optimiser"] == "adam, learning rate 0.05" and (doc["config"]["optimizer"], doc["config"]["lr"]) == ("adam", 0.05)
    ran, best = doc["epochs_run"], doc["best_epoch"]
    assert doc["stopped_early"] and best is not None and best < ran
    assert facts["epochs"] == f"stopped early at {ran} of 60; best epoch {best} of {ran} restored"
    assert all(line == line.rstrip() for line in out.splitlines())  # no padding when piped


def test_startup_interrupted_is_one_line(monkeypatch, cli):
    import builtins

    real_import = builtins.__import__

    def interrupted_import(name, *args, **kwargs):
        if name == "reglab.cli.running":
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted_import)
    assert cli("train") == (130, "", "reglab: interrupted\n")
