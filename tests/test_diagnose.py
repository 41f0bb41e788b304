"""``reglab diagnose`` end to end on small cases whose answer is known: the lecture's case (a 256×256 net on 200
noisy moons) overfits, and the L2 penalty the workflow tunes lowers the log loss on a fresh sample significantly;
a table that a small model already fits is told to keep its baseline, with nothing recommended; a 1-unit net on
spirals underfits; clean blobs fit well; a noisy table that no model does better on is not called underfitting.

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
from reglab.data import load
from reglab.diagnosis import Settings, diagnose
from reglab.measures import skill
from reglab.rules import LEVEL
from reglab.tuning.space import SearchSpace

optuna.logging.set_verbosity(optuna.logging.WARNING)
SMALL = {"seeds": 3, "search_seeds": 2, "budget": 5, "space": SearchSpace(("l2",), 1e-4, 1.0, 0.0, 0.0)}
DOCUMENT_KEYS = {"schema_version", "data", "advice", "settings", "baseline", "verdict", "verdict_reason", "search", "recommendation",
                 "verification", "snippets"}  # fmt: skip


def run(argv: list[str]) -> tuple[int, str, str]:
    with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()) as err:
        code = execute(argv)
    return code, out.getvalue(), err.getvalue()


def test_lecture_case_overfits_and_the_tuned_l2_is_verified_better_on_a_fresh_sample(tmp_path):
    argv = ["diagnose", "--dataset", "moons", "--n-samples", "200", "--hidden", "256,256", "--seeds", "3", "--search-seeds", "2",
            "--budget", "5", "--penalty", "l2", "--lam-range", "1e-4:1", "--dropout-range", "0:0", "--out", str(tmp_path),
            "--json"]  # fmt: skip
    code, out, err = run(argv)
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == DOCUMENT_KEYS and doc == json.loads((tmp_path / "results.json").read_text()) and doc["schema_version"] == 2
    assert doc["verdict"] == "overfitting" and doc["baseline"]["gap"]["ci_low"] > 0
    assert doc["search"]["mode"] == "grid" and doc["search"]["trials"] == 5 and "one-standard-error" in doc["search"]["rule"]
    ver = doc["verification"]
    method = ver["method"]
    assert (method["name"], method["fits"], method["rows"]["test"]) == ("fresh sample", 3, 20_000)
    assert method["test"] == "paired t-test over seeds"
    assert ver["significant"] and ver["difference"] < 0 and ver["ci95"][1] < 0 and ver["p_value"] < 0.05
    assert 0 < method["detectable"] < -ver["difference"]
    tuned, baseline = ver["metrics"]["tuned"], ver["metrics"]["baseline"]
    assert set(tuned) == {"log_loss", "accuracy", "balanced_accuracy", "roc_auc"} and ver["metrics"]["majority_rate"] == 0.5
    assert tuned["log_loss"] == pytest.approx(baseline["log_loss"] + ver["difference"])
    fits = ver["per_fit"]
    assert [r["difference"] for r in fits] == pytest.approx([r["tuned"]["log_loss"] - r["baseline"]["log_loss"] for r in fits])
    assert doc["advice"]["decision"] == "regularize"
    assert doc["advice"]["sentences"][0].startswith("The tuned model's test log loss is lower by")
    recommended = doc["recommendation"]
    assert (recommended["decision"], recommended["penalty"]) == ("regularize", "l2") and recommended["lam"] > 0
    assert ver["boundary_length"]["tuned"]["mean"] > 0 and len(ver["shrinkage"]) == 3
    assert set(doc["snippets"]) == {"keras", "pytorch", "sklearn"}
    page = (tmp_path / "report.html").read_text()
    assert page.index('id="advice"') < page.index('id="metrics"') < page.index('id="detect"')
    assert "paired differences" in page and "data:image/png;base64," in page and "http" not in page.replace("https://", "")
    assert doc["settings"]["confidence"] == LEVEL and f"tuned − baseline ({LEVEL:.0%} interval)" in page
    from reglab.diagnosis.report import write_outputs

    other = write_outputs({**doc, "settings": {**doc["settings"], "confidence": 0.9}}, tmp_path / "at 0.9")[1].read_text()
    assert "tuned − baseline (90% interval)" in other and "train − validation (90% interval)" in other
    assert "their mean and its 90% interval (paired t-test over seeds)." in other  # the figure's caption
    assert err.count("\n") <= 8 and "verify: the baseline and the chosen configuration on 3 fits (a fresh sample)" in err


def test_a_table_that_a_small_model_fits_keeps_its_baseline_and_nothing_is_recommended(tmp_path, monkeypatch):
    import reglab.diagnosis.verify as verify

    stacks = []
    real = verify.train_runs
    monkeypatch.setattr(verify, "train_runs", lambda runs, plan, **kw: stacks.append(len(plan.groups)) or real(runs, plan, **kw))
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 3))
    y = (X[:, 0] - X[:, 1] + 0.7 * rng.standard_normal(400) > 0).astype(int)  # a straight boundary: 8 units fit it
    csv = tmp_path / "linear.csv"
    csv.write_text("a,b,c,y\n" + "".join(f"{r[0]:.4f},{r[1]:.4f},{r[2]:.4f},{t}\n" for r, t in zip(X, y)))
    found = diagnose(DataConfig(dataset=str(csv), target="y"), RunConfig(hidden=(8,)), Settings(**SMALL, epochs=40))
    ver = found.verification
    assert found.verdict == "good fit", found.verdict_reason
    assert (ver["method"]["name"], ver["method"]["fits"], ver["method"]["folds"], ver["method"]["repeats"]) == ("repeated k-fold", 10, 5, 2)
    assert ver["method"]["rows"] == {"train": 256, "val": 64, "test": 80} and ver["method"]["correction"] == 0.25
    assert not (ver["significant"] and ver["difference"] < 0)
    assert found.advice["decision"] == "keep the baseline" and found.recommendation == {"decision": "keep the baseline",
                                                                                       "reason": found.advice["reason"]}  # fmt: skip
    assert found.snippets == {} and "nothing is recommended" in found.advice["sentences"][0]
    assert any(s.startswith("The baseline is a good fit") and "regularization is not needed" in s for s in found.advice["sentences"])
    assert len(found.runs["tuned"]) == 10 and {len(r.split.X_test) for r in found.runs["tuned"]} == {80}
    assert stacks == [1]  # both models on every fold: one stack of 20


def test_a_skewed_regression_table_is_scored_in_its_units_and_told_about_its_skew(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 3))
    price = np.exp(6 + 0.8 * X[:, 0] + 0.3 * rng.standard_normal(300))  # log-normal: skewness about 3
    csv = tmp_path / "prices.csv"
    csv.write_text("a,b,c,price\n" + "".join(f"{r[0]:.4f},{r[1]:.4f},{r[2]:.4f},{t:.2f}\n" for r, t in zip(X, price)))
    data = DataConfig(dataset=str(csv), target="price")
    found = diagnose(data, RunConfig(hidden=(8,)), Settings(**SMALL, epochs=30))
    ver = found.verification
    assert ver["quantity"] == "mse" and set(ver["metrics"]["tuned"]) == {"mse", "r2", "rmse"} and "majority_rate" not in ver["metrics"]
    y_scale = load(data.replace(val_size=0.2)).y_scale  # the diagnosis's split: its training part's std of price
    for r in ver["per_fit"]:  # the MSE in the diagnosis's standardised units, the RMSE in the target's own
        assert r["tuned"]["mse"] == pytest.approx((r["tuned"]["rmse"] / y_scale) ** 2, rel=1e-4)
    assert any(s.startswith("The target 'price' is strongly skewed to the right") and "log(price)" in s for s in found.advice["sentences"])


def test_a_multiclass_table_has_a_macro_one_vs_rest_auc():
    found = diagnose(DataConfig(dataset="wine"), RunConfig(hidden=(8,)), Settings(**SMALL, epochs=30))
    metrics = found.verification["metrics"]
    assert set(metrics["tuned"]) == {"log_loss", "accuracy", "balanced_accuracy", "roc_auc"}
    assert 0.5 < metrics["tuned"]["roc_auc"] <= 1 and metrics["majority_rate"] == pytest.approx(0.4, abs=0.05)
    assert all(r["tuned"]["roc_auc"] is not None for r in found.verification["per_fit"])


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
