"""``reglab --help`` and every refusal of a bad value answer without importing the heavy libraries.

A property, not a timing: a fresh interpreter runs each command line with ``execute`` and reports
which of PyTorch, scikit-learn, pandas and matplotlib are in ``sys.modules`` afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("torch", "sklearn", "pandas", "matplotlib")

PROBE = """
import contextlib, io, json, sys
HEAVY = json.loads(sys.argv[2])
from reglab.cli import execute
from reglab.cli.application import app
lines = [["--help"]] + [[c.name or c.callback.__name__, "--help"] for c in app.registered_commands] + json.loads(sys.argv[1])
found = []
for argv in lines:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        code = execute(argv)
    found.append({"argv": argv, "code": code, "err": err.getvalue(), "heavy": [m for m in HEAVY if m in sys.modules]})
print(json.dumps(found))
"""

REFUSALS = [
    ["train", "--dataset", "/nope.csv", "--target", "y"],
    ["train", "--lam", "-1"],
    ["train", "--penalty", "l2", "--lam", "abc"],
    ["sweep", "--hidden", "100000"],
    ["sweep", "--dropout", "0,1"],
    ["train", "--seed", "-1", "--device", "cuda"],
    ["train", "--threads", "0"],
    ["train", "--out", "/dev/null/x"],
    ["demo", "--seeds", "0"],
    ["report", "/nope/results.json"],
    ["train", "--no-such-option"],
    ["tune", "--trials", "0"],
    ["diagnose", "--budget", "0"],
    ["serve", "--port", "0"],
]


def test_help_and_refusals_import_no_heavy_library():
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    argv = [sys.executable, "-c", PROBE, json.dumps(REFUSALS), json.dumps(HEAVY)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)  # reglab's help, each registered command's help, each refusal
    helps = {case["argv"][0] for case in found[1 : -len(REFUSALS)]}
    assert {"train", "sweep", "demo", "report", "tune", "diagnose", "serve"} <= helps
    assert [case["argv"] for case in found[-len(REFUSALS) :]] == REFUSALS
    for case in found:
        expected_code = 0 if case["argv"][-1] == "--help" else 2
        assert (case["code"], case["heavy"]) == (expected_code, []), case
        if expected_code == 2:
            assert case["err"].startswith("reglab: error: ") and case["err"].count("\n") == 1, case
