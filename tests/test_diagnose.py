"""``reglab diagnose`` end to end on small cases whose answer is known: a wide net on a few noisy moons
overfits, and λ > 0 lowers its test loss significantly; a 1-unit net on spirals underfits; clean
blobs fit well; a noisy table that no model does better on is not called underfitting.

Small budgets: 3 seeds, 2 per searched configuration, a grid of 5 λ (L2 only), short schedules.
"""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import optuna
import pytest

import reglab.cli.diagnosing  # noqa: F401  (registers the command)
from reglab.cli import execute
from reglab.config import DataConfig, RunConfig
from reglab.diagnosis import Settings, diagnose
from reglab.measures import skill
from reglab.tuning.space import SearchSpace

optuna.logging.set_verbosity(optuna.logging.WARNING)
SMALL = {"seeds": 3, "search_seeds": 2, "budget": 5, "space": SearchSpace(("l2",), 1e-4, 1.0, 0.0, 0.0)}
DOCUMENT_KEYS = {"schema_version", "data", "settings", "baseline", "verdict", "verdict_reason", "search", "recommendation", "verification",
                 "snippets"}  # fmt: skip


def test_wide_net_on_few_noisy_moons_overfits_and_l2_lowers_the_test_loss_significantly(tmp_path):
    argv = ["diagnose", "--dataset", "moons", "--n-samples", "150", "--noise", "0.35", "--test-size", "0.4", "--val-size", "0.3",
            "--hidden", "256,256", "--epochs", "300", "--seeds", "3", "--search-seeds", "2", "--budget", "5", "--penalty", "l2",
            "--lam-range", "1e-4:1", "--dropout-range", "0:0", "--out", str(tmp_path), "--json"]  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()) as err:
        code = execute(argv)
    assert code == 0, err.getvalue()
    doc = json.loads(out.getvalue())
    assert DOCUMENT_KEYS <= set(doc) and doc == json.loads((tmp_path / "results.json").read_text())
    assert doc["verdict"] == "overfitting"
    assert doc["baseline"]["gap"]["ci_low"] > 0
    assert doc["search"]["mode"] == "grid" and doc["search"]["trials"] == 5 and "one-standard-error" in doc["search"]["rule"]
    assert doc["recommendation"]["penalty"] == "l2" and doc["recommendation"]["lam"] > 0
    ver = doc["verification"]
    assert ver["significant"] and ver["difference"] < 0 and ver["ci95"][1] < 0 and ver["p_value"] < 0.05
    assert ver["boundary_length"]["tuned"]["mean"] > 0 and len(ver["shrinkage"]) == 3
    assert set(doc["snippets"]) == {"keras", "pytorch", "sklearn"}
    page = (tmp_path / "report.html").read_text()
    assert "one-standard-error rule" in page and "data:image/png;base64," in page and "http" not in page.replace("https://", "")
    assert "search" in err.getvalue() and "verify" in err.getvalue()


def test_one_unit_on_spirals_underfits():
    found = diagnose(DataConfig(dataset="spirals", n_samples=300, noise=0.1), RunConfig(hidden=(1,)), Settings(**SMALL, epochs=100))
    assert found.verdict == "underfitting", found.verdict_reason
    assert found.baseline["ceiling"]["source"] == "bayes" and found.baseline["train"]["mean"] < found.baseline["ceiling"]["value"] - 0.2


def test_clean_blobs_are_a_good_fit():
    data = DataConfig(dataset="blobs", n_samples=200, noise=0.0, n_classes=2)
    found = diagnose(data, RunConfig(hidden=(16,)), Settings(**SMALL, epochs=60))
    assert found.verdict == "good fit", found.verdict_reason
    assert found.runs["tuned"] and len(found.runs["baseline"]) == 3
    assert found.document()["verdict"] == "good fit"


def test_noisy_table_that_nothing_does_better_on_is_not_underfitting(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 4))
    y = (X[:, 0] + 2.5 * rng.standard_normal(300) > 0).astype(int)  # the best accuracy on new data is about 0.63
    csv = tmp_path / "noisy.csv"
    csv.write_text("a,b,c,d,y\n" + "".join(f"{r[0]:.4f},{r[1]:.4f},{r[2]:.4f},{r[3]:.4f},{t}\n" for r, t in zip(X, y)))
    found = diagnose(DataConfig(dataset=str(csv), target="y"), RunConfig(hidden=(16,)), Settings(**SMALL, epochs=80))
    train, majority = found.baseline["train"]["mean"], found.data["majority_rate"]
    assert skill(train, "classification", majority) < 0.6  # the rule without a ceiling would call this underfitting
    assert found.verdict != "underfitting", found.verdict_reason
    assert found.baseline["ceiling"]["source"] == "reference"
    assert found.baseline["ceiling"]["value"] == pytest.approx(found.baseline["ceiling"]["reference"]["mean"])
