"""Whatever a small CSV file holds, ``reglab train`` on it either trains (exit 0, one JSON document on
stdout) or refuses it (exit 2, one line on stderr naming the file): never a traceback, never exit 1."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reglab.cli import execute
from reglab.config import DataConfig
from reglab.data import DataError, load
from reglab.data.split import MIN_TRAIN_ROWS

KINDS = ("float", "float", "int", "text", "text", "many_texts", "counter", "numbers_with_a_typo", "dates")  # usable ones twice
WORDS = ("red", "green", "blue", "a b", 'say "hi"', "x,y", "ünï")


def cell(kind: str, i: int, draw) -> str:
    if kind == "float":
        return repr(draw(st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)))
    if kind == "int":
        return str(draw(st.integers(-50, 50)))
    if kind == "text":
        return draw(st.sampled_from(WORDS))
    if kind == "many_texts":
        return f"w{draw(st.integers(0, 40))}"
    if kind == "counter":
        return str(i)
    if kind == "numbers_with_a_typo":
        return draw(st.sampled_from(["-", "41,271", "n.a."])) if i == 3 else str(draw(st.integers(0, 99)))
    return f"2020-0{1 + i % 9}-1{i % 10}"


def quoted(text: str, sep: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in (sep, '"', "\n")) else text


@st.composite
def csv_files(draw):
    """``(file text, target name)`` of a random small table."""
    n = draw(st.integers(8, 40))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4))
    names = [f"c{j}" for j in range(len(kinds))] + ["target"]
    if draw(st.integers(0, 4)) == 0 and len(kinds) > 1:
        names[1] = names[0]  # a duplicate header
    target_kind = draw(st.sampled_from(["classes", "labels", "values"]))
    shift = draw(st.integers(0, 5))
    missing = draw(st.sampled_from([0.0, 0.0, 0.05, 0.3]))
    rows = []
    for i in range(n):
        cells = [cell(kind, i, draw) for kind in kinds]
        if target_kind == "classes":
            cells.append(str((i + shift) % 3 if draw(st.integers(0, 3)) else draw(st.integers(0, 2))))
        elif target_kind == "labels":
            cells.append(("yes", "no")[(i * shift + i) % 2])
        else:
            cells.append(repr(0.37 * i * (shift + 1) + draw(st.floats(-1, 1, allow_nan=False, allow_subnormal=False))))
        cells = ["" if draw(st.floats(0, 1, allow_subnormal=False)) < missing else c for c in cells]
        rows.append(cells)
    if draw(st.booleans()):  # R's write.csv row names
        names = [""] + names
        rows = [[str(i + 1)] + r for i, r in enumerate(rows)]
    lines = [sep.join(quoted(c, sep) for c in names)] + [sep.join(quoted(c, sep) for c in r) for r in rows]
    return "\n".join(lines) + "\n", "target"


@settings(max_examples=50, deadline=None)
@given(csv_files())
def test_a_csv_file_trains_or_is_refused_in_one_line(case):
    text, target = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        path.write_text(text, encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = execute(["train", "--dataset", str(path), "--target", target, "--epochs", "1", "--hidden", "4", "--json"])
    out, err = out.getvalue(), err.getvalue()
    assert "Traceback" not in err and code in (0, 2), (code, err, text)
    if code == 0:
        json.loads(out)  # exactly one JSON document
    else:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("reglab: error: "), (err, text)
        assert "table.csv" in lines[0], (err, text)
        assert json.loads(out) == {"error": lines[0].removeprefix("reglab: error: "), "exit_code": 2, "schema_version": 1}


@settings(max_examples=30, deadline=None)
@given(csv_files(), st.sampled_from(["drop", "impute"]))
def test_a_csv_file_with_missing_cells_loads_or_is_refused_as_data(case, missing):
    text, target = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        path.write_text(text, encoding="utf-8")
        try:
            split = load(DataConfig(dataset=str(path), target=target, missing=missing))
        except DataError as exc:
            assert "\n" not in str(exc) and "table.csv" in str(exc), str(exc)
            return
    parts = (split.X_train, split.X_val, split.X_test)
    assert all(np.isfinite(part).all() for part in parts) and len(split.y_train) >= MIN_TRAIN_ROWS
