"""A study holds one experiment: its data and training settings are recorded and a worker with others is refused;
a grid search stops at its grid; a missing, corrupt or impossible study file is one line, before any work."""

from __future__ import annotations

import optuna
import pytest

from reglab.config import DataConfig, RunConfig
from reglab.errors import OptionError
from reglab.tuning import SearchSpace, tune
from reglab.tuning.records import data_record, difference

DATA = DataConfig(n_samples=80, val_size=0.3)
BASE = RunConfig(hidden=(8,), epochs=4)
SPACE = SearchSpace(("l2",), 1e-4, 1e-1, 0.0, 0.0)


def study(tmp_path, **changes):
    options = {"data": DATA, "base": BASE, "space": SPACE, "trials": 2, "batch": 2, "storage": tmp_path, "report_every": 10_000}
    return tune(**{**options, **changes})


@pytest.mark.parametrize(
    "changes, what",
    [
        ({"data": DATA.replace(dataset="circles")}, "data (dataset 'moons', not 'circles')"),
        ({"data": DATA.replace(n_samples=60)}, "data (n_samples 80, not 60)"),
        ({"base": BASE.replace(hidden=(16,))}, "training (hidden [8], not [16])"),
    ],
)
def test_a_study_refuses_a_worker_with_other_data_or_training(tmp_path, changes, what):
    study(tmp_path)
    with pytest.raises(OptionError) as refused:
        study(tmp_path, **changes)
    assert str(refused.value) == (
        f"The '--study' option names a study with another {what}: use the same options or another --study name. "
        "Got 'reglab-tune' instead."
    )
    trials = optuna.load_study(study_name="reglab-tune", storage=f"sqlite:///{tmp_path}/study.db").get_trials()
    assert len(trials) == 2  # nothing of the refused worker reached the study


def test_a_csv_study_refuses_the_same_file_with_other_rows(tmp_path):
    table = tmp_path / "table.csv"
    table.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{int(i % 7 > i % 5)}\n" for i in range(80)))
    data = DataConfig(dataset=str(table), target="y", val_size=0.3)
    study(tmp_path, data=data)
    before = data_record(data)
    table.write_text(table.read_text() + "1,2,0\n")
    after = data_record(data)
    assert before != after
    with pytest.raises(OptionError, match=r"another data \(file_digest 'sha256:[0-9a-f]{64}', not 'sha256:[0-9a-f]{64}'\)"):
        study(tmp_path, data=data)


def test_differences_are_named_field_by_field():
    assert difference('{"a": 1, "b": "x"}', '{"a": 2, "b": "x"}') == "a 1, not 2"
    assert difference('{"a": 1}', '{"b": [1, 2]}') == "a 1, not none; b none, not [1, 2]"
    assert difference("tpe", "grid") == "tpe, not grid"


def test_a_grid_search_stops_at_its_grid(tmp_path):
    space = SearchSpace(("l1", "l2"), 1e-3, 1e-2, 0.0, 0.0)
    points = space.grid_size()
    result = study(tmp_path, space=space, sampler="grid", trials=points + 7, batch=4)
    trials = result.study.get_trials()
    assert len(trials) == points and result.trained == points
    assert len({(t.params["penalty"], t.params.get("lam")) for t in trials}) == points  # every point once


def test_resuming_a_missing_study_creates_nothing(tmp_path):
    with pytest.raises(OptionError) as refused:
        study(tmp_path / "none", resume=True)
    assert str(refused.value) == (
        f"The '--resume' option needs an existing study, and there is no study file '{tmp_path / 'none' / 'study.db'}': "
        "run without --resume to start one."
    )
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize("content", [b"\x00garbage" * 100, b"SQLite format 3\x00" + bytes(range(256)) * 40])
def test_a_corrupt_study_file_is_one_line(tmp_path, content):
    (tmp_path / "study.db").write_bytes(content)
    with pytest.raises(OptionError) as refused:
        study(tmp_path)
    message = str(refused.value)
    assert message.startswith("The '--storage' option must be a readable study database (")
    assert message.endswith(f": move the file away to start a new study). Got 'sqlite:///{tmp_path}/study.db' instead.")


def test_a_storage_path_under_a_regular_file_is_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    url = f"sqlite:///{tmp_path}/file/sub/study.db"
    with pytest.raises(OptionError) as refused:
        study(tmp_path, storage=url)
    assert str(refused.value) == (
        f"The '--storage' option must be a file whose folder can be created (Not a directory: '{tmp_path}/file/sub'). Got '{url}' instead."
    )


def test_the_command_line_says_where_a_grid_search_stops(tmp_path, capsys):
    from reglab.cli import main

    args = ["tune", "--sampler", "grid", "--trials", "40", "--penalty", "l2", "--lam-range", "1e-3:1e-1", "--dropout-range", "0:0",
            "--n-samples", "60", "--hidden", "4", "--epochs", "3", "--out", str(tmp_path), "--json"]  # fmt: skip
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    err = capsys.readouterr().err
    points = SearchSpace(("l2",), 1e-3, 1e-1, 0.0, 0.0).grid_size()
    assert exit_info.value.code == 0
    assert err.splitlines()[0] == f"reglab: the grid has {points} points: a grid search stops there, not at --trials 40"
    assert f"study: {points}/{points} trials finished" in err and "40" not in err.splitlines()[-2]


def test_the_python_api_takes_a_folder_as_text_or_path(tmp_path):
    study(str(tmp_path / "as-text"))
    assert (tmp_path / "as-text" / "study.db").is_file()
    with pytest.raises(Exception) as refused:
        study(42)
    assert str(refused.value) == (
        "The 'storage' parameter must be a database URL (e.g. 'sqlite:///study.db') or a folder for the study's SQLite file. "
        "Got int 42 instead."
    )
