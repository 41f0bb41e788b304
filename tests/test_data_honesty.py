"""No silent wrong numbers: what a hostile user's table does to the statistics, and what reglab says.

Columns at 1e±300 (standardisation would overflow), values float32 cannot hold, compressed files
read by their bytes, a constant target, an empty column, duplicate headers in an upload, and a
password that must stay out of a storage error. Every refusal and note is asserted whole.
"""

from __future__ import annotations

import bz2
import gzip
import importlib.util
import io
import lzma
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from reglab.config import DataConfig
from reglab.data import DataError, load
from reglab.data.compression import compression
from reglab.data.csv import read_table
from reglab.data.scaling import standardise
from reglab.tuning.storage import masked, open_storage, storage_error
from reglab.web.uploads import UploadStore, parse_table

RNG = np.random.default_rng(7)
U = RNG.random((40, 2))  # two features in [0, 1); the class is whether the first is above 0.5


def _write(tmp_path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _table(first: float = 1.0, target=None) -> str:
    """``a,b,y``: ``a`` (times ``first``) decides the class, ``b`` is noise; ``target`` replaces y."""
    ys = target if target is not None else [int(a > 0.5) for a, _ in U]
    return "a,b,y\n" + "".join(f"{float(a * first)!r},{float(b)!r},{y}\n" for (a, b), y in zip(U, ys))


# --- 1. scales that float64 statistics or float32 training cannot hold --------------------------


@pytest.mark.parametrize("factor", [1e300, 1e-300])
def test_a_feature_at_an_extreme_scale_is_divided_by_its_largest_value_and_standardised_exactly(tmp_path, factor):
    plain = load(DataConfig(dataset=str(_write(tmp_path, _table(), "plain.csv")), target="y"))
    extreme = load(DataConfig(dataset=str(_write(tmp_path, _table(factor), "extreme.csv")), target="y"))
    way = "overflow" if factor > 1 else "underflow"
    size = f"{float(extreme.x_scale[0] * extreme.X_train[:, 0].max() + extreme.x_mean[0]):.3g}"  # the training part's largest
    assert extreme.notes == (
        f"standardised column 'a' after dividing it by its largest |value| ({size}): "
        f"its mean and standard deviation would {way} float64 otherwise",
    )
    for part in ("X_train", "X_val", "X_test"):
        np.testing.assert_allclose(getattr(extreme, part), getattr(plain, part), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(extreme.x_scale / [factor, 1.0], plain.x_scale, rtol=1e-12)
    np.testing.assert_allclose(extreme.x_mean / [factor, 1.0], plain.x_mean, rtol=1e-12)
    raw = np.column_stack([U[:5, 0] * factor, U[:5, 1]])
    np.testing.assert_allclose(extreme.transform(raw), plain.transform(U[:5]), rtol=1e-5, atol=1e-6)


def test_a_value_far_outside_the_training_part_is_refused_once_standardised():
    train = np.array([[0.0], [1.0], [2.0], [3.0]])
    with pytest.raises(DataError) as err:
        standardise([train, train[:0], np.array([[1e300]])], ("x",), "CSV file 'data.csv'")
    assert str(err.value) == (
        "Column 'x' of CSV file 'data.csv' holds 1e+300 in the test part, which is 8.94e+299 standard deviations of the "
        "training part from its mean, beyond float32's range (3.4e+38); expected values near the training part's: "
        "rescale the column (such as by its logarithm), or --drop x."
    )


def _out_of_range(largest: float) -> str:
    if largest > 1:
        return f"holds values up to {largest:.3g} in size; expected at most 3.4e+38"
    return f"holds no value larger than {largest:.3g} in size; expected at least 1.18e-38"


@pytest.mark.parametrize("factor", [1e300, 1e-300])
def test_without_standardising_a_feature_float32_cannot_hold_is_refused(tmp_path, factor):
    size = _out_of_range(float(np.abs(U[:, 0] * factor).max()))
    path = _write(tmp_path, _table(factor))
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(path), target="y", standardize=False))
    assert str(err.value) == (
        f"Column 'a' of CSV file 'data.csv' {size} (float32's range, in which reglab trains) with --no-standardize: "
        "--standardize, or rescale the column."
    )


@pytest.mark.parametrize("factor", [1e300, 1e-300])
@pytest.mark.parametrize("standardize", [True, False])
def test_a_regression_target_float32_cannot_hold_is_refused(tmp_path, factor, standardize):
    size = _out_of_range(float(np.abs(U[:, 0] * factor).max()))
    path = _write(tmp_path, _table(target=[float(a * factor) for a, _ in U]))
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(path), target="y", standardize=standardize))
    assert str(err.value) == (
        f"Target column 'y' of CSV file 'data.csv' {size} (float32's range, in which reglab trains and scores): "
        "rescale the column, such as to other units."
    )


@pytest.mark.parametrize("column", ["a", "y"])
def test_an_infinite_cell_is_refused_naming_its_column_and_line(tmp_path, column):
    text = _table().splitlines()
    cells = text[6].split(",")
    cells["aby".index(column)] = "inf"
    text[6] = ",".join(cells)
    path = _write(tmp_path, "\n".join(text) + "\n")
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(path), target="y"))
    assert str(err.value) == (
        f"Column '{column}' of CSV file '{path}' holds numbers but 1 cell is not a number (line 7, 'inf'); expected numbers: "
        f"fix it, empty it to mark it missing (see --missing), or --drop {column}."
    )


# --- 2. compressed files, found by their bytes --------------------------------------------------


def _labelled(encoding: str) -> bytes:
    rows = "".join(f"{float(a)!r},{float(b)!r},{'über' if a > 0.5 else 'non-ü'}\n" for a, b in U)
    return ("a,b,label\n" + rows).encode(encoding)


def _zipped(data: bytes, names=("data.csv",)) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, data)
    return buffer.getvalue()


COMPRESS = {"gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress, "zip": _zipped}


@pytest.mark.parametrize("kind", COMPRESS)
@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_a_compressed_file_is_decompressed_before_its_encoding_is_guessed(tmp_path, kind, encoding):
    suffix = {"gzip": "gz"}.get(kind, kind)
    path = tmp_path / f"data.csv.{suffix}"
    path.write_bytes(COMPRESS[kind](_labelled(encoding)))
    table = read_table(path, "label")
    assert table.class_names == ("non-ü", "über") and table.columns == ("a", "b")
    first_non_ascii = _labelled("latin-1").index("ü".encode("latin-1"))
    latin = (f"CSV file '{path}' is not UTF-8 (byte {first_non_ascii}); read it as Latin-1",)
    assert table.notes == (latin if encoding == "latin-1" else ())


@pytest.mark.parametrize("kind", COMPRESS)
def test_a_compressed_file_whose_name_does_not_say_so_is_read_with_a_note(tmp_path, kind):
    path = tmp_path / "data.csv"
    path.write_bytes(COMPRESS[kind](_labelled("utf-8")))
    table = read_table(path, "label")
    assert table.class_names == ("non-ü", "über")
    assert table.notes == (f"CSV file '{path}' is {kind}-compressed; read it decompressed",)


def test_a_zip_archive_of_two_files_and_a_truncated_gzip_file_are_refused(tmp_path):
    two = tmp_path / "two.zip"
    two.write_bytes(_zipped(_labelled("utf-8"), ("a.csv", "b.csv")))
    with pytest.raises(DataError) as err:
        read_table(two, "label")
    assert str(err.value) == f"CSV file '{two}' is a zip archive of 2 files (a.csv, b.csv); expected exactly one CSV file in it."
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(gzip.compress(_labelled("utf-8"))[:60])
    with pytest.raises(DataError) as err:
        read_table(cut, "label")
    assert str(err.value) == (
        f"CSV file '{cut}' is gzip-compressed but could not be decompressed (Compressed file ended before the end-of-stream "
        "marker was reached); expected a whole gzip file: compress it again."
    )


def test_text_that_starts_like_a_magic_number_is_not_taken_for_a_compressed_file():
    assert compression(b"BZh9,x,y\n1,2,0\n") is None and compression(b"PK,x,y\n") is None
    assert compression(bz2.compress(b"x,y\n")) == "bz2" and compression(bz2.compress(b"")) == "bz2"


@pytest.mark.skipif(importlib.util.find_spec("zstandard") is not None, reason="zstandard is installed")
def test_a_zstd_file_without_the_zstandard_package_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "data.csv.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfd" + bytes(20))
    with pytest.raises(DataError) as err:
        read_table(path, "y")
    assert str(err.value) == (
        f"CSV file '{path}' is zstd-compressed, which needs the zstandard package (not installed); expected plain text or gzip, "
        "bz2, zip or xz: pip install zstandard, or decompress it first."
    )


def test_a_compressed_dataset_that_does_not_exist_is_named_as_a_csv_file(tmp_path):
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(tmp_path / "gone.csv.gz"), target="y"))
    assert str(err.value) == f"CSV file '{tmp_path / 'gone.csv.gz'}' (dataset) does not exist."


# --- 3. a target that does not vary -------------------------------------------------------------


def test_a_constant_regression_target_is_refused_before_any_work(tmp_path):
    path = _write(tmp_path, _table(target=[3.5] * 40))
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(path), target="y"))
    assert str(err.value) == (
        "Target column 'y' of CSV file 'data.csv' holds one value (3.5) on every row; expected values that vary, to predict."
    )


def test_a_regression_target_constant_on_the_training_rows_is_refused(tmp_path):
    # one row differs; with this seed it lands in the test part, and the training rows are all 3.5
    ys = [3.5] * 40
    ys[int(np.flatnonzero(_test_rows(40, seed=0))[0])] = 7.25
    path = _write(tmp_path, _table(target=ys))
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(path), target="y", seed=0, test_size=0.25))
    assert str(err.value) == (
        "Target column 'y' of CSV file 'data.csv' holds one value (3.5) on all 30 training rows of the split; expected values "
        "that vary there: add rows, or another seed, test_size or val_size."
    )


def _test_rows(n: int, seed: int) -> np.ndarray:
    """Which rows :func:`reglab.data.load` puts in the test part of an unstratified split (test_size 0.25)."""
    from sklearn.model_selection import train_test_split

    _, test = train_test_split(np.arange(n), test_size=10, random_state=seed)
    return np.isin(np.arange(n), test)


def test_a_constant_target_reaches_the_command_line_as_one_line_and_exit_code_2(tmp_path):
    path = _write(tmp_path, _table(target=[3.5] * 40))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    reglab = Path(sys.executable).parent / "reglab"
    done = subprocess.run(
        [str(reglab), "train", "--dataset", str(path), "--target", "y", "--epochs", "2"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "reglab: error: Target column 'y' of CSV file 'data.csv' holds one value (3.5) on every row; expected values that vary, "
        "to predict.\n"
    )


def test_an_upload_with_a_constant_label_is_refused_in_the_words_of_an_upload():
    store = UploadStore()
    try:
        with pytest.raises(DataError) as err:
            store.add(_table(target=[3.5] * 40).replace("a,b,y", "a,b,label").encode())
    finally:
        store.close()
    assert str(err.value) == (
        "Target column 'label' of the uploaded CSV holds one value (3.5) on every row; expected values that vary, to predict."
    )


# --- 4. the most specific hint first ------------------------------------------------------------


@pytest.mark.parametrize("missing", ["error", "drop", "impute"])
def test_an_empty_column_is_refused_with_drop_as_the_first_hint(tmp_path, missing):
    path = _write(tmp_path, "a,e,y\n" + "".join(f"{float(a)!r},,{int(a > 0.5)}\n" for a, _ in U))
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(path), target="y", missing=missing))
    assert str(err.value) == f"Column 'e' of CSV file '{path}' is empty (no value in its 40 rows); expected values: --drop e."


def test_an_empty_target_column_is_refused(tmp_path):
    path = _write(tmp_path, "a,b,y\n" + "".join(f"{float(a)!r},{float(b)!r},\n" for a, b in U))
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(path), target="y", missing="impute"))
    assert str(err.value) == (
        f"Target column 'y' of CSV file '{path}' is empty (no value in its 40 rows); expected values to predict: choose another target."
    )


# --- 5. uploads refuse duplicate headers as the command line does ------------------------------


def test_an_upload_with_duplicate_headers_is_refused_as_the_command_line_refuses_a_file(tmp_path):
    text = "a,a,label\n" + "".join(f"{float(a)!r},{float(b)!r},{int(a > 0.5)}\n" for a, b in U)
    with pytest.raises(DataError) as err:
        parse_table(text.encode())
    assert str(err.value) == "The uploaded CSV has duplicate column names: 'a' (columns 1, 2); expected each name once: rename them."
    path = _write(tmp_path, text)
    with pytest.raises(DataError) as err:
        read_table(path, "label")
    assert str(err.value) == f"CSV file '{path}' has duplicate column names: 'a' (columns 1, 2); expected each name once: rename them."


# --- 6. a storage error never spells out the password -------------------------------------------


def test_the_password_mask_replaces_the_password_component_only():
    assert masked("postgresql://p:p@postgresql/p") == "postgresql://p:***@postgresql/p"
    assert masked("postgresql://admin:admin@admin-host:5432/admin") == "postgresql://admin:***@admin-host:5432/admin"
    assert masked("postgresql://u:p@h:notaport/p") == "postgresql://u:***@h:notaport/p"  # SQLAlchemy cannot parse this port
    assert masked("sqlite:///p/study.db") == "sqlite:///p/study.db"


def test_a_storage_error_masks_the_url_and_leaves_the_other_words_alone():
    url = "postgresql+nodriver://p:p@postgresql/p"
    with pytest.raises(Exception) as err:
        open_storage(url, 10)
    assert str(err.value) == (
        "The '--storage' option must be a database URL that SQLAlchemy accepts (Can't load plugin: "
        "sqlalchemy.dialects:postgresql.nodriver). Got 'postgresql+nodriver://p:***@postgresql/p' instead."
    )
    url = "postgresql://admin:admin@admin-host/admin"
    why = f"a reachable database (cannot reach {url} or postgresql+psycopg://admin:admin@admin-host/admin as admin)"
    assert str(storage_error(url, why)) == (
        "The '--storage' option must be a reachable database (cannot reach postgresql://admin:***@admin-host/admin or "
        "postgresql+psycopg://admin:***@admin-host/admin as admin). Got 'postgresql://admin:***@admin-host/admin' instead."
    )
