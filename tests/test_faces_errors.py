"""No silent wrong numbers at the faces: output folders, ``--json`` errors and misuse of the Python API.

* Every command checks its ``--out`` folder before any work: writable (a probe file), not locked by
  another reglab command, and holding no other command's results nor an unreadable results file
  (``--force`` discards those, and says so).
* With ``--json``, an error is one JSON document on stdout as well as one line on stderr.
* A wrong type given to ``train``, ``train_runs``, ``grid``, ``diagnose`` or a config's ``penalty``
  is one line naming the parameter, what it takes and what it got; never an AttributeError.
* ``reglab.diagnose()`` without ``out`` leaves nothing in the temporary folder.
"""

from __future__ import annotations

import builtins
import dataclasses
import errno
import fcntl
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

import reglab
import reglab.lecture
from reglab.config import SCHEMA_VERSION, DataConfig, RunConfig, config_error
from reglab.errors import ConfigError
from reglab.lecture import settings_for

TINY = ["--epochs", "2", "--n-samples", "60", "--hidden", "4"]
TUNE = [*TINY, "--trials", "1", "--batch", "1"]
DIAGNOSE = ["--dataset", "moons", *TINY, "--seeds", "2", "--search-seeds", "1", "--budget", "1", "--batch", "1", "--penalty", "l2"]
LOCK = ".reglab.lock"


def tiny(quick=False, seeds=None, seed=0):
    return dataclasses.replace(
        settings_for(quick=True, seeds=1, seed=seed), epochs=2, lam_grid=(0.0, 1.0), lam_shown=(0.0, 1.0), widths=(1, 4),
        resolution=8, patience=2,
    )  # fmt: skip


@pytest.fixture
def tiny_demo(monkeypatch):
    monkeypatch.setattr(reglab.lecture, "settings_for", tiny)


# A.1 a folder that cannot be written ------------------------------------------------------------


def read_only(folder: Path, monkeypatch) -> None:
    """``folder`` made read-only: by its mode, and for root (whom modes do not stop) by refusing, as the
    kernel would, every write that Python code makes in it."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o555)
    if os.geteuid() != 0:
        return

    def inside(path) -> bool:
        return isinstance(path, (str, bytes, os.PathLike)) and Path(os.fsdecode(path)).resolve().is_relative_to(folder.resolve())

    def denied(path) -> PermissionError:
        return PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))

    real_os_open, real_open, real_mkdir = os.open, io.open, os.mkdir

    def os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and inside(path):
            raise denied(path)
        return real_os_open(path, flags, *args, **kwargs)

    def open_(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax+") and inside(file):
            raise denied(file)
        return real_open(file, mode, *args, **kwargs)

    def mkdir(path, *args, **kwargs):
        if inside(path) and Path(os.fsdecode(path)).resolve() != folder.resolve():
            raise denied(path)
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(io, "open", open_)
    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(os, "mkdir", mkdir)


@pytest.mark.parametrize(
    "command", [["train", *TINY], ["sweep", *TINY], ["demo"], ["tune", *TUNE], ["diagnose", *DIAGNOSE]], ids=lambda c: c[0]
)
def test_a_read_only_out_is_refused_before_any_work_naming_out(tmp_path, monkeypatch, tiny_demo, command, cli):
    folder = tmp_path / "locked-up"
    read_only(folder, monkeypatch)
    code, out, err = cli(*command, "--out", str(folder))
    message = (
        f"The '--out' option must be a folder that reglab can create and write in. Got '{folder}' instead (Permission denied): "
        "make it writable or choose another --out."
    )
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")  # no progress line: refused before any work


# A.2 another command's results ----------------------------------------------------------------


def sweep_results(folder: Path, cli) -> dict:
    """A sweep's results.json in ``folder``, alone (as a shared sweep's --out holds it)."""
    code, out, err = cli("sweep", *TINY, "--json")
    assert code == 0, err
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(out)
    return json.loads(out)


def test_demo_refuses_a_sweeps_results_and_force_discards_them(tmp_path, tiny_demo, cli):
    folder = tmp_path / "out"
    document = sweep_results(folder, cli)
    code, out, err = cli("demo", "--out", str(folder))
    message = (
        f"The '--out' option must be a folder without another command's results. Got '{folder}', which holds results.json "
        "written by 'reglab sweep': choose another --out, or add --force to discard results.json."
    )
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")
    assert json.loads((folder / "results.json").read_text()) == document  # untouched
    code, out, err = cli("demo", "--out", str(folder), "--force", "--json")
    assert code == 0, err
    assert err.startswith(f"reglab: discarded results.json (written by 'reglab sweep') from {folder} (--force)\n")
    assert json.loads((folder / "results.json").read_text())["kind"] == "reglab-lecture"


def test_force_discards_nothing_when_the_demo_refuses_the_folder_anyway(tmp_path, tiny_demo, cli):
    document = sweep_results(tmp_path, cli)
    (tmp_path / "notes.txt").write_text("mine")
    code, out, err = cli("demo", "--out", str(tmp_path), "--force")
    message = (
        f"The --out folder must be empty or hold only an earlier demo's files. Got '{tmp_path}', which also holds notes.txt: "
        "choose another folder or remove them."
    )
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")
    assert json.loads((tmp_path / "results.json").read_text()) == document


def test_sweep_and_train_refuse_a_demos_results(tmp_path, cli):
    (tmp_path / "results.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION, "kind": "reglab-lecture", "sections": []}))
    (tmp_path / "report.html").write_text("<html></html>")
    for command in ("sweep", "train"):
        code, out, err = cli(command, *TINY, "--out", str(tmp_path))
        message = (
            f"The '--out' option must be a folder without another command's results. Got '{tmp_path}', which holds results.json "
            "written by 'reglab demo': choose another --out, or add --force to discard results.json and report.html."
        )
        assert (code, out, err) == (2, "", f"reglab: error: {message}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "results.json"]


# A.3 an unreadable results file -----------------------------------------------------------------


@pytest.mark.parametrize("command", ["sweep", "demo"])
def test_an_unreadable_results_json_is_refused_and_force_starts_over(tmp_path, tiny_demo, command, cli):
    (tmp_path / "results.json").write_text('{"schema_version": 1, "runs": [')  # cut off while written by hand or by a copy
    args = [command, *(TINY if command == "sweep" else []), "--out", str(tmp_path)]
    code, out, err = cli(*args)
    message = (
        f"The '--out' option must be a folder whose results reglab can read. Got '{tmp_path}', whose results.json cannot be read "
        "(empty, truncated, not a reglab document, or changed after reglab wrote it): add --force to discard it and start over, "
        "or choose another --out."
    )
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")
    assert (tmp_path / "results.json").read_text() == '{"schema_version": 1, "runs": ['
    code, out, err = cli(*args, "--force", "--json")
    assert code == 0, err
    assert err.startswith(f"reglab: discarded results.json (unreadable) from {tmp_path} (--force)\n")
    assert json.loads((tmp_path / "results.json").read_text())["schema_version"] == SCHEMA_VERSION


# A.4 one command per folder at a time ---------------------------------------------------------------

HOLDER = """
import fcntl, json, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, json.dumps({"pid": os.getpid(), "command": "reglab sweep --out x", "started": "2026-01-01 12:00:00"}).encode())
print("held", flush=True)
time.sleep(300)
"""


def test_a_folder_in_use_is_refused_at_once_and_free_again_when_its_holder_dies(tmp_path, cli):
    with subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / LOCK)], stdout=subprocess.PIPE, text=True) as holder:
        refused_at_once(cli, holder, tmp_path)
    code, out, err = cli("sweep", *TINY, "--out", str(tmp_path), "--json")
    assert code == 0, err
    assert not (tmp_path / LOCK).exists()  # removed by the command that held it last


def refused_at_once(cli, holder: subprocess.Popen, folder: Path) -> None:
    """``reglab sweep --out folder`` while ``holder`` holds the folder's lock; then the holder is killed as kill -9 would."""
    try:
        assert holder.stdout.readline() == "held\n"
        cli("sweep", "--help")  # the command line's modules imported: what follows is the refusal alone
        start = time.perf_counter()
        code, out, err = cli("sweep", *TINY, "--out", str(folder))
        took = time.perf_counter() - start
        message = (
            f"Output folder '{folder}' is in use by another reglab command (pid {holder.pid}, 'reglab sweep --out x', "
            "started at 2026-01-01 12:00:00); wait for it or choose another --out."
        )
        assert (code, out, err) == (2, "", f"reglab: error: {message}\n")
        assert took < 1.0
    finally:
        holder.send_signal(signal.SIGKILL)  # as kill -9: the lock dies with its process
        holder.wait()


def test_a_command_holds_its_folder_while_it_works(tmp_path, monkeypatch, cli):
    import reglab.runs

    train_runs, seen = reglab.runs.train_runs, []

    def look_at_the_lock(*args, **kwargs):
        fd = os.open(tmp_path / LOCK, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            seen.append(json.loads(os.pread(fd, 4096, 0)))
        finally:
            os.close(fd)
        return train_runs(*args, **kwargs)

    monkeypatch.setattr(reglab.runs, "train_runs", look_at_the_lock)
    code, out, err = cli("train", *TINY, "--out", str(tmp_path))
    assert code == 0, err
    ((holder),) = seen
    assert holder["pid"] == os.getpid() and holder["command"] == f"reglab train {' '.join(TINY)} --out {tmp_path}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json", "weights.npz"]


# B. --json on an error -------------------------------------------------------------------------------


def test_json_errors_are_one_document_on_stdout_and_one_line_on_stderr(monkeypatch, cli):
    code, out, err = cli("train", *TINY, "--lr", "-1", "--json")
    message = "The '--lr' option must be a finite float > 0. Got '-1' instead."
    assert (code, err) == (2, f"reglab: error: {message}\n")
    assert out.count("\n") == 1 and json.loads(out) == {"error": message, "exit_code": 2, "schema_version": SCHEMA_VERSION}
    code, out, err = cli("sweep", "--json", "--no-such-option")
    message = "No such option: --no-such-option; see 'reglab sweep --help'."
    assert (code, err, json.loads(out)) == (2, f"reglab: error: {message}\n", {"error": message, "exit_code": 2, "schema_version": 1})

    def broken(*args, **kwargs):
        raise RuntimeError("the engine broke")

    monkeypatch.setattr("reglab.runs.train_runs", broken)
    monkeypatch.delenv("REGLAB_DEBUG", raising=False)
    code, out, err = cli("train", *TINY, "--json")
    line = "internal error: RuntimeError: the engine broke (run with --debug or REGLAB_DEBUG=1 for the traceback)"
    assert (code, err.splitlines()[-1]) == (1, f"reglab: {line}")
    assert json.loads(out) == {"error": line, "exit_code": 1, "schema_version": SCHEMA_VERSION}
    code, out, err = cli("train", *TINY, "--lr", "-1")  # without --json: nothing on stdout
    assert (code, out) == (2, "")


# C. the Python API misused -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: reglab.train(RunConfig(), "moons"),
         "The 'data' parameter of train must be a DataConfig (e.g. DataConfig(dataset='moons')). Got str 'moons' instead."),
        (lambda: reglab.train(DataConfig(), RunConfig()),
         "The 'config' parameter of train must be a RunConfig (e.g. RunConfig(penalty=L2(lam=0.01))). Got a DataConfig instead."),
        (lambda: reglab.train_runs(RunConfig()),
         "The 'runs' parameter of train_runs must be a list of Run (e.g. reglab.grid(RunConfig(), DataConfig(), seeds=range(3))). "
         "Got a RunConfig instead."),
        (lambda: reglab.train_runs([reglab.Run(RunConfig()), RunConfig()]),
         "The 'runs' parameter of train_runs must hold only Run objects (e.g. Run(RunConfig(), DataConfig())). "
         "Got a RunConfig at index 1 instead."),
        (lambda: reglab.grid(DataConfig()),
         "The 'base' parameter of grid must be a RunConfig (e.g. RunConfig(penalty=L2(lam=0.01))). Got a DataConfig instead."),
        (lambda: reglab.grid(RunConfig(), "wine"),
         "The 'data' parameter of grid must be a DataConfig (e.g. DataConfig(dataset='wine')). Got str 'wine' instead."),
        (lambda: reglab.diagnose("breast_cancer"),
         "The 'data' parameter of diagnose must be a DataConfig (e.g. DataConfig(dataset='breast_cancer')). "
         "Got str 'breast_cancer' instead."),
        (lambda: reglab.diagnose(DataConfig(), base=DataConfig()),
         "The 'base' parameter of diagnose must be a RunConfig (e.g. RunConfig(hidden=(64, 64))). Got a DataConfig instead."),
    ],
)  # fmt: skip
def test_a_wrong_type_in_the_python_api_is_one_line_naming_the_parameter(call, message):
    with pytest.raises(ConfigError) as info:
        call()
    assert str(info.value) == message


@pytest.mark.parametrize(
    "kind, example",
    [("l2", "L2(lam=0.01)"), ("l1", "L1(lam=0.01)"), ("l1l2", "L1L2(l1=0.01, l2=0.01)"), ("ridge", "L2(lam=0.01)")],
)
def test_a_penalty_given_as_text_names_the_objects_it_takes(kind, example):
    with pytest.raises(ValidationError) as info:
        RunConfig(penalty=kind)
    as_dict = {"L2(lam=0.01)": "{'kind': 'l2', 'lam': 0.01}", "L1(lam=0.01)": "{'kind': 'l1', 'lam': 0.01}",
               "L1L2(l1=0.01, l2=0.01)": "{'kind': 'l1l2', 'l1': 0.01, 'l2': 0.01}"}[example]  # fmt: skip
    assert config_error(info.value) == (
        f"The 'penalty' parameter must be a penalty object such as {example} (from reglab.regularizers) or a dict {as_dict}. "
        f"Got str {kind!r} instead."
    )
    assert RunConfig(penalty={"kind": "l2", "lam": 0.1}).penalty == reglab.L2(lam=0.1)  # the dict form still works


# D. diagnose's temporary study ------------------------------------------------------------------------------


def test_diagnose_without_out_leaves_nothing_in_the_temporary_folder(tmp_path, monkeypatch):
    from reglab.diagnosis import Settings
    from reglab.tuning.space import SearchSpace

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    data = DataConfig(dataset="moons", n_samples=60)
    settings = Settings(seeds=2, search_seeds=1, budget=1, batch=1, epochs=2, space=SearchSpace(("l2",), 1e-3, 1e-1, 0.0, 0.0))
    found = reglab.diagnose(data, RunConfig(hidden=(4,)), settings)
    assert found.verdict and list(scratch.iterdir()) == []

    def broken(*args, **kwargs):
        raise RuntimeError("the search broke")

    monkeypatch.setattr("reglab.diagnosis.workflow.search", broken)
    with pytest.raises(RuntimeError):
        reglab.diagnose(data, RunConfig(hidden=(4,)), settings)
    assert list(scratch.iterdir()) == []
