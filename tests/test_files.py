"""Every file reglab reads back is refused clearly when broken, and output folders stay clean.

A broken checkpoint or results.json ends with exit code 2 and one line naming the file and what to
do; a failed command leaves no empty --out folder; a demo never writes beside files it did not write,
and never leaves an earlier run's figures beside new ones.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

import reglab.lecture
from reglab.config import SCHEMA_VERSION
from reglab.lecture import settings_for
from reglab.runs.checkpoint import write_checkpoint

TINY = ["--epochs", "3", "--n-samples", "60", "--hidden", "8"]



def json_error(message: str) -> str:
    """What --json prints on stdout for a user error: one document."""
    return json.dumps({"error": message, "exit_code": 2, "schema_version": SCHEMA_VERSION}) + "\n"


def broken_checkpoints(path):
    """Name -> a function writing that kind of broken checkpoint at ``path``."""

    def truncated():
        torch.save({"kind": "reglab-checkpoint", "version": 2, "state": torch.zeros(1000)}, path)
        path.write_bytes(path.read_bytes()[:300])

    return {
        "empty": lambda: path.write_bytes(b""),
        "truncated": truncated,
        "garbage": lambda: path.write_bytes(b"\x00\x01 not a checkpoint at all" * 10),
    }


@pytest.mark.parametrize("kind", ["empty", "truncated", "garbage"])
def test_unreadable_checkpoint_is_one_line(cli, tmp_path, capsys, kind):
    path = tmp_path / "checkpoint.pt"
    broken_checkpoints(path)[kind]()
    code, out, err = cli("sweep", *TINY, "--out", str(tmp_path))
    message = f"The checkpoint '{path}' cannot be read (empty, truncated or not a reglab checkpoint): remove it to start over."
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")


def test_checkpoint_of_another_version_or_command_is_one_line(cli, tmp_path, capsys):
    path = tmp_path / "checkpoint.pt"
    torch.save({"fingerprint": [], "done": {}, "configs": {}, "group": None, "state": None}, path)  # before checkpoints had a version
    code, out, err = cli("sweep", *TINY, "--out", str(tmp_path))
    message = f"The checkpoint '{path}' was not written by this version of reglab (format none, expected 3): remove it to start over."
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")
    path.unlink()
    assert cli("sweep", *TINY, "--out", str(tmp_path), "--json")[0] == 0
    torch.save({"kind": "reglab-checkpoint", "version": 2, "fingerprint": [["x", "y"]]}, path)  # the format before checksums
    code, out, err = cli("train", *TINY, "--out", str(tmp_path), "--force")  # --force: the sweep's results go, its folder stays
    message = f"The checkpoint '{path}' was not written by this version of reglab (format 2, expected 3): remove it to start over."
    discarded = f"reglab: discarded results.json (written by 'reglab sweep'), weights.npz from {tmp_path} (--force)\n"
    assert (code, out, err) == (2, "", f"{discarded}reglab: error: {message}\n")
    write_checkpoint(path, [("x", "y")], {}, {}, 0, None)  # another command's runs
    code, out, err = cli("train", *TINY, "--out", str(tmp_path))
    message = (
        f"The checkpoint '{path}' belongs to other runs (another command or other options): remove it to start over, "
        "or run the command that wrote it."
    )
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")


def interrupted(cli, monkeypatch, *args: str) -> None:
    """Runs the command until its second epoch, then stops it as Ctrl-C would: it leaves its checkpoint."""
    from reglab.engine import StackTrainer

    epoch = StackTrainer._run_epoch

    def stop_at_second(self):
        if self.epoch == 1:
            raise KeyboardInterrupt
        return epoch(self)

    with monkeypatch.context() as patched:
        patched.setattr(StackTrainer, "_run_epoch", stop_at_second)
        assert cli(*args)[0] == 130


def test_a_checkpoint_changed_on_disk_is_refused_not_resumed(cli, tmp_path, capsys, monkeypatch):
    """64 bytes inverted in the middle of a sweep's checkpoint: refused by its checksum (it used to resume silently,
    with thousands of values changed)."""
    path = tmp_path / "checkpoint.pt"
    interrupted(cli, monkeypatch, "sweep", *TINY, "--out", str(tmp_path), "--json")
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2
    raw[middle:middle + 64] = bytes(255 - b for b in raw[middle:middle + 64])
    path.write_bytes(bytes(raw))
    code, out, err = cli("sweep", *TINY, "--out", str(tmp_path), "--json")
    body = len(raw) - raw.index(b"\n") - 1
    message = (
        f"The checkpoint '{path}' is corrupt: its bytes do not match the checksum written with them ({body} of {body} bytes; "
        "changed on disk or copied badly): remove it to start over."
    )
    assert (code, out, err) == (2, json_error(message), f"reglab: error: {message}\n")


def test_a_checkpoint_of_a_csv_file_that_changed_since_is_refused(cli, tmp_path, capsys, monkeypatch):
    rng = np.random.default_rng(0)
    table = tmp_path / "table.csv"
    rows = lambda n: "".join(f"{a:.3f},{b:.3f},{int(a > b)}\n" for a, b in rng.normal(size=(n, 2)))  # noqa: E731
    table.write_text("a,b,y\n" + rows(60))
    out = tmp_path / "out"
    command = ["sweep", "--dataset", str(table), "--target", "y", "--epochs", "3", "--hidden", "4", "--out", str(out), "--json"]
    interrupted(cli, monkeypatch, *command)
    table.write_text(table.read_text() + rows(1))  # one row more, under the same name and options
    code, stdout, err = cli(*command)
    message = (
        f"The checkpoint '{out / 'checkpoint.pt'}' was written for other contents of the data file '{table}' (it changed since): "
        "remove it to start over, or put back the file it was written for."
    )
    assert (code, stdout, err) == (2, json_error(message), f"reglab: error: {message}\n")


def test_a_checkpoint_of_another_reglab_version_is_refused(cli, tmp_path, capsys, monkeypatch):
    path = tmp_path / "checkpoint.pt"
    interrupted(cli, monkeypatch, "sweep", *TINY, "--out", str(tmp_path), "--json")
    monkeypatch.setattr("reglab.runs.checkpoint._reglab_version", lambda: "99.0")
    code, out, err = cli("sweep", *TINY, "--out", str(tmp_path), "--json")
    written = path.read_bytes().split(b"reglab=")[1].split(b"\n")[0].decode()
    message = (
        f"The checkpoint '{path}' was written by reglab {written}, this is reglab 99.0: resume it with that version, "
        "or remove it to start over."
    )
    assert (code, out, err) == (2, json_error(message), f"reglab: error: {message}\n")


def results(tmp_path, doc) -> str:
    path = tmp_path / "results.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


DEMO = {"schema_version": SCHEMA_VERSION, "kind": "reglab-lecture", "settings": {}, "runs": [], "sections": []}


@pytest.mark.parametrize(
    "doc, expected",
    [
        ("{not json", "The RESULTS file must be valid JSON. Got '{path}', which is not (line 1, column 2)."),
        (
            {"schema_version": 1, "runs": []},
            "The RESULTS file must be the results.json of 'reglab demo' (kind 'reglab-lecture'). Got '{path}' instead.",
        ),
        (
            {**DEMO, "schema_version": 99},
            f"The RESULTS file must have schema version {SCHEMA_VERSION}. "
            "Got '{path}' with version 99: write it again with 'reglab demo'.",
        ),
        (
            {**DEMO, "sections": [{"key": "weights", "title": "Weights"}], "runs": None} | {"settings": None},
            "The RESULTS file must hold every field of a demo's results.json. Got '{path}', which lacks sections[0].conclusion: "
            "write it again with 'reglab demo'.",
        ),
        (
            {k: v for k, v in DEMO.items() if k != "settings"},
            "The RESULTS file must hold every field of a demo's results.json. Got '{path}', which lacks settings: "
            "write it again with 'reglab demo'.",
        ),
    ],
)  # fmt: skip
def test_broken_results_json_is_one_line_and_leaves_no_folder(cli, tmp_path, capsys, doc, expected):
    path = results(tmp_path, doc)
    out_dir = tmp_path / "new" / "page"
    code, out, err = cli("report", path, "--out", str(out_dir))
    assert (code, out, err) == (2, "", f"reglab: error: {expected.format(path=path)}\n")
    assert not (tmp_path / "new").exists()


def test_results_json_missing_a_deeper_field_is_one_line(cli, tmp_path, capsys):
    path = results(tmp_path, {**DEMO, "sections": [{"key": "weights", "title": "Weights", "conclusion": "x"}]})
    code, out, err = cli("report", path, "--out", str(tmp_path / "page"))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"reglab: error: The RESULTS file '{path}' lacks ") and err.endswith(" write it again with 'reglab demo'.\n")
    assert not (tmp_path / "page").exists()


def test_a_refused_command_leaves_no_empty_out_folder(cli, tmp_path, capsys):
    out_dir = tmp_path / "a" / "b"
    code, _, err = cli("train", *TINY, "--batch-size", "1000", "--out", str(out_dir))
    assert code == 2 and err.startswith("reglab: error: ")
    assert not (tmp_path / "a").exists()


# the demo's folder ---------------------------------------------------------------------------


def tiny(quick=False, seeds=None, seed=0):
    return dataclasses.replace(
        settings_for(quick=True, seeds=1, seed=seed), epochs=3, lam_grid=(0.0, 1.0), lam_shown=(0.0, 1.0), widths=(1, 4),
        resolution=8, patience=2,
    )  # fmt: skip


@pytest.fixture
def tiny_demo(monkeypatch):
    monkeypatch.setattr(reglab.lecture, "settings_for", tiny)


def test_demo_refuses_a_folder_with_files_it_did_not_write(cli, tmp_path, capsys, tiny_demo):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "data.csv").write_text("mine too")
    code, out, err = cli("demo", "--out", str(tmp_path))
    message = (
        f"The --out folder must be empty or hold only an earlier demo's files. Got '{tmp_path}', which also holds "
        "figures/data.csv, notes.txt: choose another folder or remove them."
    )
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["data.csv", "figures", "notes.txt"]


def test_demo_reuses_its_results_then_cleans_them_for_other_options(cli, tmp_path, capsys, tiny_demo):
    assert cli("demo", "--out", str(tmp_path), "--json")[0] == 0
    first = json.loads((tmp_path / "results.json").read_text())
    svgs = sorted(p.name for p in (tmp_path / "figures").glob("*.svg"))
    assert svgs and not (tmp_path / "checkpoint.pt").exists()
    code, _, err = cli("demo", "--out", str(tmp_path), "--no-svg", "--json")
    assert code == 0 and f"reglab: reusing {tmp_path / 'results.json'} (same options): drawing the figures again without training\n" in err
    assert "training" not in err.replace("without training", "")
    assert json.loads((tmp_path / "results.json").read_text()) == first
    assert list((tmp_path / "figures").glob("*.svg")) == []  # no stale SVG beside the new PNGs
    pngs = len(list((tmp_path / "figures").glob("*.png")))
    code, _, err = cli("demo", "--out", str(tmp_path), "--seed", "1", "--json")
    assert code == 0
    removed = f"results.json, report.html, {pngs} figures from {tmp_path}"
    assert f"reglab: removed the earlier demo's {removed} (other options or another version)\n" in err
    assert json.loads((tmp_path / "results.json").read_text())["settings"]["seed"] == 1
