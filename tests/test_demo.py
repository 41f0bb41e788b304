"""The lecture demo end to end: the quick run, its report in Chromium, determinism and reproducibility."""

import dataclasses
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from reglab.cli import execute
from reglab.lecture import SECTIONS, run_lecture, settings_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def tiny():
    """Every section, as small as it gets: for determinism and command checks, not for science."""
    return dataclasses.replace(
        settings_for(quick=True, seeds=1), epochs=4, lam_grid=(0.0, 0.01, 1.0), lam_shown=(0.0, 1.0), widths=(1, 4), resolution=16,
        patience=2,
    )  # fmt: skip


@pytest.fixture(scope="module")
def quick_demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    proc = subprocess.run(
        [sys.executable, "-m", "reglab", "demo", "--quick", "--out", str(out), "--json"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out, json.loads(proc.stdout)


def test_quick_demo_writes_every_section(quick_demo):
    out, printed = quick_demo
    assert printed["report"] == str(out / "report.html")
    doc = json.loads((out / "results.json").read_text())
    assert doc["schema_version"] == 1 and doc["kind"] == "reglab-lecture"
    assert [s["key"] for s in doc["sections"]] == list(SECTIONS)
    for section in doc["sections"]:
        assert section["conclusion"] and section["table"]["rows"], section["key"]
        assert section["command"].startswith("reglab sweep ")
    assert len(doc["runs"]) == doc["timing"]["n_runs"] > 50
    pngs = {p.stem for p in (out / "figures").glob("*.png")}
    assert {
        "capacity_boundaries", "l2_curves", "weights_first_layer", "lambda_accuracy", "penalties_sparsity", "decay_curves",
        "dropout_scores", "data_boundaries", "datasets_spirals",
    } <= pngs  # fmt: skip
    assert (out / "figures" / "lambda_accuracy.svg").exists()
    assert set(printed["headline"]) == {"first_layer_range", "chosen_lambda", "exact_zero"}
    assert not (out / "checkpoint.pt").exists()


@pytest.mark.skipif(CHROMIUM is None and os.environ.get("REGLAB_SKIP_BROWSER") == "1", reason="REGLAB_SKIP_BROWSER=1")
def test_report_renders_in_chromium_offline(quick_demo):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "Chromium is not installed: scripts/test.sh installs Debian's chromium"
    out, _ = quick_demo
    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto((out / "report.html").as_uri())
        page.wait_for_load_state("load")
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
        headings = page.eval_on_selector_all("section h2", "els => els.map(e => e.textContent)")
        page.screenshot(path=str(out / "report.png"), full_page=False)
        browser.close()
    assert errors == []
    assert len(images) >= 20 and all(done and width > 100 for done, width in images)
    assert len(headings) == len(SECTIONS)
    assert all(url.startswith(("file:", "data:")) for url in requests), [u for u in requests if not u.startswith(("file:", "data:"))]


def visible_text(page: str) -> str:
    """The words a reader sees: no style, no tags, no attribute values (anchors and image data)."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", " ", page, flags=re.S))


def test_the_page_names_no_internal_key_and_states_its_sample_and_corrections(quick_demo):
    out, _ = quick_demo
    doc = json.loads((out / "results.json").read_text())
    text = visible_text((out / "report.html").read_text())
    keys = {arm["key"] for section in doc["sections"] for arm in section["grid"]["arms"]}
    internal = {k for k in keys if re.search(r"[@·\-]", k)}  # plain words such as "none" or "l2" are also English
    assert internal and not [k for k in internal if k in text]
    assert "20,000 fresh points" in text and "Bayes rule" in text
    families = [f for s in doc["sections"] for f in (s.get("families") or [s["family"]])]
    assert len(families) >= len(SECTIONS) and all(f"Comparisons of the family \"{f['name']}\"" in text for f in families)
    assert text.count("Holm-corrected together") == len(families)
    assert "with 2 seeds the smallest p-value a comparison can reach is 0.5, so no comparison on this page can be called" in text


def test_report_rebuilds_from_saved_results(quick_demo, tmp_path):
    out, _ = quick_demo
    assert execute(["report", str(out / "results.json"), "--out", str(tmp_path), "--no-svg"]) == 0
    page = (tmp_path / "report.html").read_text()
    doc = json.loads((out / "results.json").read_text())
    for section in doc["sections"]:
        assert section["title"].replace("&", "&amp;") in page
    assert {p.name for p in (tmp_path / "figures").glob("*.png")} == {p.name for p in (out / "figures").glob("*.png")}


def test_lecture_is_deterministic():
    a, b = run_lecture(tiny()), run_lecture(tiny())
    for x, y in zip(a["sections"], b["sections"]):
        assert x["numbers"] == y["numbers"] and x["conclusion"] == y["conclusion"], x["key"]
    assert [r["test"] for r in a["runs"]] == [r["test"] for r in b["runs"]]


def test_a_section_command_reproduces_its_numbers(capsys):
    settings = dataclasses.replace(tiny(), snapshots=(2, 4))  # the pair, and both retrained to epoch 2 for the strip
    doc = run_lecture(settings)
    section = next(s for s in doc["sections"] if s["key"] == "l2")
    summaries = []
    for line in section["command"].splitlines():  # one line per grid that builds exactly the section's runs
        assert execute(shlex.split(line)[1:] + ["--json"]) == 0
        summaries += json.loads(capsys.readouterr().out)["summary"]
    assert len(summaries) == len(section["grid"]["arms"]) == 4
    full = [s["test_accuracy"]["mean"] for s in summaries if s["config"]["epochs"] == settings.epochs]  # the table's two arms
    lecture_tests = [arm["split_test"]["mean"] for arm in section["numbers"]["arms"]]  # the sweep scores its test split
    assert full == pytest.approx(lecture_tests, abs=1e-6)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["demo", "--seeds", "0"], "reglab: error: The '--seeds' option must be an int between 1 and 10000. Got '0' instead.\n"),
        (
            ["report", "missing.json"],
            "reglab: error: The RESULTS file must be an existing results.json written by 'reglab demo'. Got 'missing.json' instead.\n",
        ),
    ],
)
def test_bad_demo_and_report_input(argv, message, capsys):
    assert execute(argv) == 2
    captured = capsys.readouterr()
    assert captured.err == message and captured.out == ""


def test_report_refuses_other_json(tmp_path, capsys):
    path = tmp_path / "other.json"
    path.write_text('{"runs": []}')
    assert execute(["report", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"reglab: error: The RESULTS file must be the results.json of 'reglab demo' (kind 'reglab-lecture'). Got '{path}' instead.\n"
    )
    path.write_text("{not json")
    assert execute(["report", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"reglab: error: The RESULTS file must be valid JSON. Got '{path}', which is not (line 1, column 2).\n"
    )
