"""CSV files as public packages ship them: R's write.csv, semicolons with decimal commas, tabs, a missing
cell in a survey, typos in a column of numbers, duplicate headers, dates, IDs. Every refusal is asserted
whole; every note too."""

from __future__ import annotations

import numpy as np
import pytest

from reglab.config import DataConfig
from reglab.data import DataError, load, read_csv
from reglab.data.csv import read_table


def _write(tmp_path, text: str, name: str = "data.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def r_write_csv(n: int = 40) -> str:
    """What R's ``write.csv(df)`` writes: a leading unnamed column of row names "1" … "n", quoted strings."""
    rows = [f'"{i + 1}",{20 + (7 * i) % 31},"{"ab"[i % 2]}",{(i * 37) % 11 / 10},"{"no" if i % 3 else "yes"}"' for i in range(n)]
    return '"","age","group","score","smoker"\n' + "\n".join(rows) + "\n"


def test_r_write_csv_row_names_are_left_out_with_a_note(tmp_path):
    path = _write(tmp_path, r_write_csv())
    table = read_table(path, "smoker")
    assert table.columns == ("age", "group", "score")
    assert table.notes == ("left out column '': it numbers the rows 1, 2, …",)
    assert table.feature_names == ("age", "group=a", "group=b", "score")
    assert table.class_names == ("no", "yes") and table.task == "binary"


def test_pandas_index_column_and_a_counting_id_are_left_out(tmp_path):
    rows = "".join(f"{i},{i + 1},{(i * 13) % 7},{i % 2}\n" for i in range(30))
    path = _write(tmp_path, "Unnamed: 0,id,x,y\n" + rows)
    table = read_table(path, "y")
    assert table.columns == ("x",)
    assert table.notes == (
        "left out column 'Unnamed: 0': it numbers the rows 0, 1, …",
        "left out column 'id': it numbers the rows 1, 2, …",
    )


def test_a_counting_column_that_is_the_only_feature_is_kept(tmp_path):
    path = _write(tmp_path, "x,y\n" + "".join(f"{i},{i * i}\n" for i in range(30)))
    table = read_table(path, "y")
    assert table.columns == ("x",)
    assert table.notes == ("column 'x' numbers the rows 0, 1, …, like a row index; kept, as the only feature",)


def test_id_like_integers_get_a_note_and_drop_leaves_them_out(tmp_path):
    ids = np.random.default_rng(0).permutation(30) + 1000
    path = _write(tmp_path, "customer_id,x,y\n" + "".join(f"{k},{(i * 7) % 5},{i % 2}\n" for i, k in enumerate(ids)))
    assert read_table(path, "y").notes == (
        "column 'customer_id' holds a different whole number on every row, like an ID: if it is one, --drop customer_id",
    )
    table = read_table(path, "y", drop=("customer_id",))
    assert (table.columns, table.notes) == (("x",), ())


def test_drop_must_name_a_feature_column(tmp_path):
    path = _write(tmp_path, "a,b,y\n1,2,0\n3,5,1\n")
    for name in ("zz", "y"):
        with pytest.raises(DataError) as err:
            read_table(path, "y", drop=(name,))
        assert str(err.value) == f"The 'drop' parameter must name feature columns of CSV file '{path}', of: a, b. Got {name!r} instead."


def test_semicolons_with_decimal_commas(tmp_path):
    rows = "".join(f"{i % 4},{i % 10};{3 * i % 7};{'A' if i % 2 else 'B'}\n" for i in range(24))
    path = _write(tmp_path, "length;width;species\n" + rows)
    X, y, features, classes, task = read_csv(path, "species")
    assert features == ("length", "width") and classes == ("A", "B")
    np.testing.assert_allclose(X[:3, 0], [0.0, 1.1, 2.2])
    assert read_table(path, "species").notes == (
        f"CSV file '{path}' is semicolon-separated",
        "read decimal commas in column length",
    )


def test_tab_separated(tmp_path):
    path = _write(tmp_path, "a\tb\ty\n" + "".join(f"{i * 3 % 7}\t{i % 5}.5\t{i % 2}\n" for i in range(20)))
    X, _, features, _, _ = read_csv(path, "y")
    assert features == ("a", "b") and X.shape == (20, 2) and X[1, 1] == 1.5


def test_a_file_with_no_known_separator_says_what_it_found(tmp_path):
    path = _write(tmp_path, "a|b|y\n1|2|0\n")
    with pytest.raises(DataError) as err:
        read_table(path, "y")
    assert str(err.value) == (
        f"CSV file '{path}' has a single column: its header line 'a|b|y' holds no comma, semicolon or tab; "
        "expected columns separated by one of them."
    )


def test_a_line_with_too_many_fields(tmp_path):
    path = _write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n5,6,0,9\n")
    with pytest.raises(DataError) as err:
        read_table(path, "y")
    assert str(err.value) == f"CSV file '{path}' could not be read as comma-separated values: Expected 3 fields in line 4, saw 4."


def survey(n: int = 200, hole: int = 117) -> str:
    """A survey-like file: one missing cell (income of row ``hole``) in ``n`` rows."""
    lines = ["respondent,region,income,satisfied"]
    for i in range(n):
        income = "" if i == hole else str(1000 + (i * 7919) % 3001)
        lines.append(f"{3 * i + 11},{'north south east west'.split()[i % 4]},{income},{'yes' if (i * 31) % 5 < 2 else 'no'}")
    return "\n".join(lines) + "\n"


def test_a_missing_cell_is_refused_naming_the_option(tmp_path):
    path = _write(tmp_path, survey())
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(path), target="satisfied"))
    assert str(err.value) == (
        "CSV file '" + str(path) + "' has 1 row with missing values (first: line 119, column 'income'); expected none with "
        "--missing error (the default): --missing drop leaves those rows out, --missing impute fills them from the training rows."
    )


def test_missing_drop_says_how_many_rows_went(tmp_path):
    path = _write(tmp_path, survey())
    split = load(DataConfig(dataset=str(path), target="satisfied", missing="drop"))
    assert sum(split.rows.values()) == 199
    assert split.notes[-1] == "--missing drop: left out 1 of 200 rows with missing values (first: line 119, column 'income')"


def test_missing_impute_uses_the_training_part_only(tmp_path):
    n = 60
    lines = ["key,size,color,y"]
    for i in range(n):
        size = "" if i % 6 == 0 else str((i * 37) % 101)
        color = "NA" if i % 9 == 4 else ("red", "red", "blue")[i % 3]
        lines.append(f"{3 * i + 7},{size},{color},{i % 2}")
    path = _write(tmp_path, "\n".join(lines) + "\n")
    split = load(DataConfig(dataset=str(path), target="y", missing="impute", standardize=False, seed=3))
    keys = [np.rint(part[:, 0]).astype(int) for part in (split.X_train, split.X_test)]
    rows = {int(k): i for i, k in enumerate(keys[0])}
    observed = [(i * 37) % 101 for i in range(n) if i % 6 and 3 * i + 7 in rows]
    median = float(np.median(observed))  # the oracle: the training rows' median, test rows not counted
    assert median != float(np.median([(i * 37) % 101 for i in range(n) if i % 6]))
    for part, part_keys in zip((split.X_train, split.X_test), keys):
        for row, key in enumerate(part_keys):
            i = (key - 7) // 3
            assert part[row, 1] == pytest.approx(median if i % 6 == 0 else (i * 37) % 101)
            if i % 9 == 4:  # the training part's most frequent colour is red
                assert tuple(part[row, 2:]) == (0.0, 1.0)
    assert split.feature_names == ("key", "size", "color=blue", "color=red")
    assert split.notes[-1] == (
        "--missing impute: filled 17 missing cells of columns size, color with the training part's median (numbers) "
        "or most frequent value (text)"
    )


def test_impute_leaves_out_rows_without_a_target(tmp_path):
    path = _write(tmp_path, "a,b,y\n" + "".join(f"{i * i},{'' if i == 5 else i % 3},{'' if i == 8 else i % 2}\n" for i in range(30)))
    split = load(DataConfig(dataset=str(path), target="y", missing="impute"))
    assert sum(split.rows.values()) == 29
    assert split.notes[0] == "--missing impute: left out 1 of 30 rows with no value of target 'y'"


@pytest.mark.parametrize(
    "cell, message",
    [
        ("-", "1 cell is not a number (line 9, '-')"),
        ('"41,271"', "1 cell is not a number (line 9, '41,271')"),
    ],
)
def test_a_typo_in_a_column_of_numbers_is_pointed_at(tmp_path, cell, message):
    lines = [f"{(i * 7) % 90 + 0.5},{i % 2}" if i != 7 else f"{cell},1" for i in range(60)]
    path = _write(tmp_path, "income,y\n" + "\n".join(lines) + "\n")
    with pytest.raises(DataError) as err:
        read_table(path, "y")
    assert str(err.value) == (
        f"Column 'income' of CSV file '{path}' holds numbers but {message}; expected numbers: "
        "fix it, empty it to mark it missing (see --missing), or --drop income."
    )


def test_several_typos_are_counted(tmp_path):
    lines = [f"{i}.5,{'?' if i in (3, 10, 11) else i},{i % 2}" for i in range(30)]
    path = _write(tmp_path, "a,b,y\n" + "\n".join(lines) + "\n")
    with pytest.raises(DataError) as err:
        read_table(path, "y")
    assert str(err.value) == (
        f"Column 'b' of CSV file '{path}' holds numbers but 3 cells are not numbers (first: line 5, '?'); expected numbers: "
        "fix them, empty them to mark them missing (see --missing), or --drop b."
    )


def test_duplicate_column_names_are_refused_with_their_names(tmp_path):
    path = _write(tmp_path, "a,b,a,y,b\n1,2,3,0,4\n")
    with pytest.raises(DataError) as err:
        read_table(path, "y")
    assert str(err.value) == (
        f"CSV file '{path}' has duplicate column names: 'a' (columns 1, 3); 'b' (columns 2, 5); expected each name once: rename them."
    )


def test_a_column_of_dates_is_refused_with_a_hint(tmp_path):
    path = _write(tmp_path, "day,x,y\n" + "".join(f"2021-03-{i + 1:02d},{i % 5},{i % 2}\n" for i in range(20)))
    with pytest.raises(DataError) as err:
        read_table(path, "y")
    assert str(err.value) == (
        f"Column 'day' of CSV file '{path}' holds dates (first: line 2, '2021-03-01'); expected numbers or text categories: "
        "--drop day, or turn the dates into numbers (such as the year, or days since a start) before reading."
    )


def test_the_task_rule_is_reported(tmp_path):
    path = _write(tmp_path, "a,grade\n" + "".join(f"{i * i % 17},{i % 3 + 1}\n" for i in range(30)))
    split = load(DataConfig(dataset=str(path), target="grade"))
    assert split.task_reason == "inferred: the target holds 3 distinct whole numbers (classes when whole and at most 20)"
    assert split.describe() == "data.csv: multiclass (1, 2, 3); rows 21 train, 0 validation, 9 test"
    assert load(DataConfig(dataset=str(path), target="grade", task="regression")).task_reason == "stated"
    assert load(DataConfig(dataset="moons", val_size=0.2)).describe() == "moons: binary (0, 1); rows 280 train, 70 validation, 150 test"


def test_a_rare_whole_number_suggests_task_regression(tmp_path):
    ages = [23, 31, 31, 40, 40, 52, 52, 23, 31, 40, 52, 40, 31, 67, 23, 31, 40, 52, 23, 40]
    path = _write(tmp_path, "x,age\n" + "".join(f"{i * 3 % 11},{a}\n" for i, a in enumerate(ages)))
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(path), target="age"))
    assert str(err.value) == (
        "Class '67' of target column 'age' in CSV file 'data.csv' has 1 row; a stratified split needs at least 2 rows per "
        "class: add rows, drop that class, or --task regression if 'age' is a quantity rather than a class."
    )
    assert load(DataConfig(dataset=str(path), target="age", task="regression")).task == "regression"


def test_latin_1_is_read_with_a_note(tmp_path):
    path = _write(tmp_path, "città,y\n" + "".join(f"{'Zürich' if i % 2 else 'Genève'},{i % 2}\n" for i in range(6)), encoding="latin-1")
    table = read_table(path, "y")
    assert table.feature_names == ("città=Genève", "città=Zürich")
    assert table.notes == (f"CSV file '{path}' is not UTF-8 (byte 4); read it as Latin-1",)


def test_blank_lines_and_a_trailing_separator_are_ignored_and_lines_stay_exact(tmp_path):
    path = _write(tmp_path, "a,b,y,\n1,2,0,\n\n3,4,1,\n5,,0,\n")
    with pytest.raises(DataError) as err:
        read_table(path, "y")
    assert str(err.value).startswith(f"CSV file '{path}' has 1 row with missing values (first: line 5, column 'b');")
