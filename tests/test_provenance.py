"""Results files carry where they came from and a checksum of their content; a changed one is refused, never reused."""

from __future__ import annotations

import json

import pytest

from reglab.errors import DataError
from reglab.provenance import check_seal, content_digest, seal, sealed_intact
from reglab.version import installed_version

TINY = ["--epochs", "2", "--n-samples", "60", "--hidden", "4"]



def test_a_sealed_document_survives_json_and_any_change_breaks_its_seal():
    document = {"b": [0.1, 1e-300, 0.9800000190734863], "a": {"accuracy": 0.8333333134651184, "n": 3}, "c": None}
    sealed = json.loads(json.dumps(seal(document, "reglab sweep", [])))
    record = {"command": "reglab sweep", "reglab": installed_version(), "data": {}, "sha256": content_digest(document)}
    assert sealed["provenance"] == record
    assert sealed_intact(sealed) and sealed_intact(document)  # a document without a record reads as before
    for change in ({"b": [0.1, 1e-300, 0.98]}, {"c": 0}, {"d": 1}):
        assert not sealed_intact({**sealed, **change})
    with pytest.raises(DataError) as refused:
        check_seal({**sealed, "c": 0}, "x/results.json")
    assert str(refused.value) == (
        "The results file 'x/results.json' changed after reglab wrote it (its content does not match the checksum in its "
        "provenance record): write it again with the command that made it, or restore the original."
    )


def test_a_sweep_records_its_command_version_and_csv_digest(cli, tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{int(i % 7 > i % 5)}\n" for i in range(60)))
    out = tmp_path / "out"
    args = ["sweep", "--dataset", str(table), "--target", "y", "--epochs", "2", "--hidden", "4", "--out", str(out)]
    assert cli(*args)[0] == 0
    document = json.loads((out / "results.json").read_text())
    record = document["provenance"]
    assert record["command"] == "reglab " + " ".join(args) and record["reglab"] == installed_version()
    assert list(record["data"]) == [str(table)] and record["data"][str(table)].startswith("sha256:")
    assert record["sha256"] == content_digest(document) and sealed_intact(document)


def test_a_results_file_changed_after_it_was_written_is_refused_by_the_next_command(cli, tmp_path, capsys):
    assert cli("sweep", *TINY, "--out", str(tmp_path))[0] == 0
    path = tmp_path / "results.json"
    document = json.loads(path.read_text())
    document["runs"][0]["test"]["accuracy"] = 1.0  # a number edited by hand
    path.write_text(json.dumps(document))
    code, out, err = cli("sweep", *TINY, "--out", str(tmp_path))
    message = (
        f"The '--out' option must be a folder whose results reglab can read. Got '{tmp_path}', whose results.json cannot be read "
        "(empty, truncated, not a reglab document, or changed after reglab wrote it): add --force to discard it and start over, "
        "or choose another --out."
    )
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")
