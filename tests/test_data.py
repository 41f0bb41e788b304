"""Tests of reglab.data: generators, real datasets, CSV files, stratified splits and scaling."""

from __future__ import annotations

import numpy as np
import pytest

from reglab.config import DataConfig
from reglab.data import DATASETS, GENERATORS, REAL, DataError, Split, load, make_dataset, read_csv

CLASSIFIERS = ("moons", "circles", "xor", "spirals", "blobs")


def _sorted_rows(X):
    X = np.asarray(X)
    return X[np.lexsort(X.T[::-1])]


def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


# --- generators ---------------------------------------------------------------------------------


def test_name_tuples():
    assert DATASETS == GENERATORS + REAL
    assert len(set(DATASETS)) == 10


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_shape_and_determinism(name):
    X, y = make_dataset(name, 101, 0.2, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,)
    assert y.dtype == (np.float64 if name == "regression" else np.int64)
    X2, y2 = make_dataset(name, 101, 0.2, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make_dataset(name, 101, 0.2, seed=4)
    assert not np.allclose(X, X3)


@pytest.mark.parametrize("name", ["moons", "circles", "spirals"])
def test_two_class_generators_are_balanced(name):
    _, y = make_dataset(name, 101, 0.1, seed=0)
    assert sorted(np.bincount(y).tolist()) == [50, 51]


def test_xor_labels_are_quadrants_of_the_clean_points():
    X, y = make_dataset("xor", 2000, 0.0, seed=1)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(np.int64))
    assert np.all(np.abs(X) <= 1.0)
    assert 0.45 < y.mean() < 0.55


def test_spirals_radius_and_arms():
    X, y = make_dataset("spirals", 400, 0.0, seed=2)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() <= 2.0 + 1e-12
    # without noise the arm of a point is fixed by its radius and angle: t = r/2, angle = 3πt + π·label
    t = radius / 2
    angle = 3 * np.pi * t + np.pi * y
    expected = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    np.testing.assert_allclose(X, expected, atol=1e-12)


def test_blobs_classes_and_spread():
    _, y = make_dataset("blobs", 120, 0.0, seed=0, n_classes=4)
    assert np.bincount(y).tolist() == [30, 30, 30, 30]
    tight, _ = make_dataset("blobs", 300, 0.0, seed=0, n_classes=2)
    wide, _ = make_dataset("blobs", 300, 1.0, seed=0, n_classes=2)
    assert wide.std() > tight.std()


def test_regression_function_without_noise():
    X, y = make_dataset("regression", 50, 0.0, seed=5)
    np.testing.assert_allclose(y, np.sin(2 * X[:, 0]) + 0.5 * X[:, 1] ** 2)
    assert np.all(np.abs(X) <= 2.0)


def test_make_dataset_unknown_name():
    with pytest.raises(DataError) as err:
        make_dataset("wine", 10, 0.1, 0)
    assert str(err.value) == (
        "The 'name' parameter of make_dataset must be one of moons, circles, xor, spirals, blobs, regression. "
        "Got 'wine' instead."
    )


# --- splits and scaling ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_split_sizes_tasks_and_dtypes(name):
    split = load(DataConfig(dataset=name, n_samples=200, test_size=0.25, val_size=0.2, seed=1))
    assert isinstance(split, Split)
    assert (len(split.y_train), len(split.y_val), len(split.y_test)) == (120, 30, 50)
    for X in (split.X_train, split.X_val, split.X_test):
        assert X.dtype == np.float32 and X.shape[1] == 2
    for y in (split.y_train, split.y_val, split.y_test):
        assert y.dtype == np.int64
    k = 3 if name == "blobs" else 2
    assert split.task == ("multiclass" if k == 3 else "binary")
    assert split.n_classes == k and split.class_names == tuple(str(c) for c in range(k))
    assert split.n_outputs == (3 if k == 3 else 1)
    assert split.feature_names == ("x0", "x1") and split.n_features == 2
    assert split.majority_rate == np.bincount(split.y_train).max() / 120


def test_stratified_split_keeps_class_proportions():
    config = DataConfig(dataset="blobs", n_samples=300, n_classes=3, test_size=0.3, val_size=0.25, seed=7)
    _, y = make_dataset("blobs", 300, config.noise, 7, n_classes=3)
    share = np.bincount(y) / len(y)
    split = load(config)
    for part in (split.y_train, split.y_val, split.y_test):
        counts = np.bincount(part, minlength=3)
        assert np.all(np.abs(counts - share * len(part)) <= 1), (counts, share * len(part))


def test_standardize_uses_training_statistics_only():
    base = dict(dataset="moons", n_samples=200, val_size=0.2, seed=2)
    raw = load(DataConfig(**base, standardize=False))
    scaled = load(DataConfig(**base))
    train = raw.X_train.astype(np.float64)
    mean, std = train.mean(axis=0), train.std(axis=0)
    np.testing.assert_allclose(scaled.x_mean, mean, rtol=1e-6)
    np.testing.assert_allclose(scaled.x_scale, std, rtol=1e-6)
    np.testing.assert_allclose(scaled.X_train.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(scaled.X_train.std(axis=0), 1.0, atol=1e-6)
    np.testing.assert_allclose(scaled.X_test, (raw.X_test - mean) / std, atol=1e-5)
    np.testing.assert_allclose(scaled.X_val, (raw.X_val - mean) / std, atol=1e-5)
    assert abs(scaled.X_test.mean()) > 1e-4  # the test part was not centred on its own statistics
    np.testing.assert_array_equal(scaled.y_test, raw.y_test)
    np.testing.assert_allclose(scaled.transform(raw.X_test), scaled.X_test, atol=1e-6)


def test_standardize_false_leaves_raw_rows():
    split = load(DataConfig(dataset="circles", n_samples=90, noise=0.1, standardize=False, seed=4))
    X, y = make_dataset("circles", 90, 0.1, 4)
    together = np.concatenate([split.X_train, split.X_val, split.X_test])
    labels = np.concatenate([split.y_train, split.y_val, split.y_test])
    assert split.X_val.shape == (0, 2) and split.y_val.shape == (0,)
    np.testing.assert_array_equal(_sorted_rows(together), _sorted_rows(X.astype(np.float32)))
    rows = {tuple(r): label for r, label in zip(X.astype(np.float32).tolist(), y.tolist())}
    assert [rows[tuple(r)] for r in together.tolist()] == labels.tolist()
    assert split.x_mean is None and split.x_scale is None
    assert (split.y_mean, split.y_scale) == (0.0, 1.0)
    np.testing.assert_array_equal(split.transform(X[:3]), X[:3].astype(np.float32))


def test_constant_feature_keeps_scale_one(tmp_path):
    path = _write(tmp_path, "a,c,y\n" + "".join(f"{i * i},0.1,{i % 2}\n" for i in range(20)))
    split = load(DataConfig(dataset=str(path), target="y"))
    assert split.x_scale[1] == 1.0
    np.testing.assert_allclose(split.X_train[:, 1], 0.0, atol=1e-6)


def test_regression_target_scaling_round_trip():
    base = dict(dataset="regression", n_samples=120, val_size=0.1, seed=3)
    raw = load(DataConfig(**base, standardize=False))
    scaled = load(DataConfig(**base))
    assert scaled.task == "regression" and scaled.class_names == () and scaled.n_classes == 0
    assert scaled.n_outputs == 1 and np.isnan(scaled.majority_rate)
    assert scaled.y_train.dtype == np.float32
    assert scaled.y_mean == pytest.approx(float(raw.y_train.astype(np.float64).mean()), rel=1e-6)
    assert scaled.y_scale == pytest.approx(float(raw.y_train.astype(np.float64).std()), rel=1e-6)
    assert abs(float(scaled.y_train.mean())) < 1e-6
    for s, r in ((scaled.y_train, raw.y_train), (scaled.y_val, raw.y_val), (scaled.y_test, raw.y_test)):
        np.testing.assert_allclose(s * scaled.y_scale + scaled.y_mean, r, atol=1e-5)
    assert (raw.y_mean, raw.y_scale) == (0.0, 1.0)


def test_load_is_cached_and_deterministic():
    a = load(DataConfig(dataset="xor", n_samples=60, seed=9))
    assert load(DataConfig(dataset="xor", n_samples=60, seed=9)) is a
    other = load(DataConfig(dataset="xor", n_samples=60, seed=10))
    assert other is not a
    assert not np.array_equal(other.X_train, a.X_train)


def test_load_rereads_an_edited_csv(tmp_path):
    path = _write(tmp_path, "a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    config = DataConfig(dataset=str(path), target="y", standardize=False)
    first = load(config)
    path.write_text("a,y\n" + "".join(f"{i + 100},{i % 2}\n" for i in range(22)))
    second = load(config)
    assert second is not first
    assert second.X_train.min() >= 100


def test_too_small_test_part():
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset="moons", n_samples=40, test_size=0.01))
    assert str(err.value) == (
        "The 'test_size' parameter must leave at least 2 rows (one per class, for a stratified split) in both "
        "the training and the test part of 40 rows of dataset 'moons'. Got 0.01 instead, which gives 39 training and 1 test rows."
    )


def test_too_small_validation_part():
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset="moons", n_samples=40, test_size=0.5, val_size=0.05))
    assert str(err.value) == (
        "The 'val_size' parameter must leave at least 2 rows (one per class, for a stratified split) in both the training "
        "and the validation part of 20 rows of dataset 'moons'. Got 0.05 instead, which gives 19 training and 1 validation rows."
    )


def test_a_split_must_leave_ten_training_rows():
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset="moons", n_samples=500, val_size=0.99))
    assert str(err.value) == (
        "The 'val_size' parameter must leave at least 10 training rows of the 500 rows of dataset 'moons'. Got 0.99 instead, "
        "which gives 3 training, 347 validation and 150 test rows."
    )
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset="blobs", n_classes=8, n_samples=40, test_size=0.7))
    assert str(err.value) == (
        "The 'test_size' parameter must leave at least 16 training rows (2 per class, 8 classes) of the 40 rows of dataset 'blobs'. "
        "Got 0.7 instead, which gives 12 training, 0 validation and 28 test rows."
    )
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset="moons", n_samples=10))
    assert str(err.value) == (
        "Dataset 'moons' has 10 rows; expected at least 11, to leave at least 10 training rows besides the held-out rows."
    )
    assert len(load(DataConfig(dataset="moons", n_samples=15)).y_train) == 10


def test_class_with_too_few_rows(tmp_path):
    path = _write(tmp_path, "a,y\n1,x\n2,x\n3,z\n4,z\n5,w\n")
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(path), target="y"))
    assert str(err.value) == (
        "Class 'w' of target column 'y' in CSV file 'data.csv' has 1 row; a stratified split needs at least "
        "2 rows per class: add rows or drop that class."
    )


def test_class_with_too_few_training_rows_for_validation(tmp_path):
    path = _write(tmp_path, "a,y\n" + "".join(f"{i},{'x' if i < 2 else 'z'}\n" for i in range(40)))
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(path), target="y", test_size=0.5, val_size=0.2))
    assert str(err.value) == (
        "Class 'x' in the training part of CSV file 'data.csv' split by val_size=0.2 has 1 row; a stratified split needs at least "
        "2 rows per class: lower test_size, add rows or set val_size to 0."
    )


def test_unknown_dataset_name():
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset="foo"))
    assert str(err.value) == (
        "The 'dataset' parameter must be one of moons, circles, xor, spirals, blobs, regression, breast_cancer, "
        "wine, digits, diabetes or a path to a CSV file. Got 'foo' instead."
    )


def test_task_conflicting_with_builtin_dataset():
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset="moons", task="regression"))
    assert str(err.value) == (
        "The 'task' parameter must be 'auto' or 'classification' for dataset 'moons'. Got 'regression' instead."
    )


def test_transform_refuses_wrong_width():
    split = load(DataConfig(dataset="moons", n_samples=40))
    with pytest.raises(DataError) as err:
        split.transform(np.zeros((5, 3)))
    assert str(err.value) == "The 'X_raw' parameter must have shape [n, 2]. Got shape (5, 3) instead."


# --- real datasets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, rows, features, task, classes",
    [
        ("breast_cancer", 569, 30, "binary", 2),
        ("wine", 178, 13, "multiclass", 3),
        ("digits", 1797, 64, "multiclass", 10),
        ("diabetes", 442, 10, "regression", 0),
    ],
)
def test_real_datasets(name, rows, features, task, classes):
    split = load(DataConfig(dataset=name, test_size=0.25, n_samples=4, noise=5.0))
    assert split.task == task and split.n_classes == classes and split.name == name
    assert split.n_features == features == len(split.feature_names)
    assert len(split.y_train) + len(split.y_test) == rows
    assert len(split.y_test) == int(np.ceil(0.25 * rows))
    assert np.isfinite(split.X_train).all()


def test_breast_cancer_names():
    split = load(DataConfig(dataset="breast_cancer"))
    assert split.class_names == ("malignant", "benign")
    assert split.feature_names[0] == "mean radius"
    assert split.n_outputs == 1


# --- CSV files ------------------------------------------------------------------------------------


def test_csv_numeric_classification(tmp_path):
    rows = "".join(f"{i + 7},{i * 0.5},{i % 3}\n" for i in range(30))
    path = _write(tmp_path, "a,b,label\n" + rows)
    X, y, features, classes, task = read_csv(path, "label")
    assert X.dtype == np.float64 and X.shape == (30, 2)
    np.testing.assert_array_equal(X, np.column_stack([np.arange(30) + 7, np.arange(30) * 0.5]))
    np.testing.assert_array_equal(y, np.arange(30) % 3)
    assert (features, classes, task) == (("a", "b"), ("0", "1", "2"), "multiclass")
    split = load(DataConfig(dataset=str(path), target="label", test_size=0.2))
    assert split.name == "data.csv" and split.task == "multiclass" and split.n_outputs == 3


def test_csv_regression_auto_and_forced(tmp_path):
    rows = "".join(f"{i},{i * 0.37}\n" for i in range(30))
    path = _write(tmp_path, "a,y\n" + rows)
    _, y, _, classes, task = read_csv(path, "y")
    assert task == "regression" and classes == () and y.dtype == np.float64
    many_ints = _write(tmp_path, "a,y\n" + "".join(f"{i},{i}\n" for i in range(21)), "ints.csv")
    assert read_csv(many_ints, "y")[4] == "regression"
    few_ints = _write(tmp_path, "a,y\n" + "".join(f"{i},{i % 20}\n" for i in range(40)), "few.csv")
    assert read_csv(few_ints, "y")[4] == "multiclass"
    assert read_csv(few_ints, "y", task="regression")[4] == "regression"


def test_csv_string_target_is_label_encoded(tmp_path):
    path = _write(tmp_path, "a,kind\n1,pear\n2,apple\n3,pear\n4,fig\n")
    _, y, _, classes, task = read_csv(path, "kind")
    assert classes == ("apple", "fig", "pear") and task == "multiclass"
    np.testing.assert_array_equal(y, [2, 0, 2, 1])


def test_csv_bool_target_and_feature(tmp_path):
    path = _write(tmp_path, "flag,a,ok\nTrue,1,False\nFalse,5,True\nTRUE,3,true\n")
    X, y, features, classes, task = read_csv(path, "ok")
    assert classes == ("False", "True") and task == "binary"
    np.testing.assert_array_equal(y, [0, 1, 1])
    assert features == ("flag", "a")
    np.testing.assert_array_equal(X, [[1, 1], [0, 5], [1, 3]])


def test_csv_text_feature_is_one_hot(tmp_path):
    path = _write(tmp_path, "size,color,y\n1,red,0\n2,blue,1\n4,red,1\n3,green,0\n")
    X, _, features, _, _ = read_csv(path, "y")
    assert features == ("size", "color=blue", "color=green", "color=red")
    np.testing.assert_array_equal(X, [[1, 0, 0, 1], [2, 1, 0, 0], [4, 0, 0, 1], [3, 0, 1, 0]])


CSV_ERRORS = [
    # file text, target, task, the whole message ({path} is the file)
    ("id,y\n" + "".join(f"user{i},{i % 2}\n" for i in range(21)), "y", "auto",
     "Feature column 'id' of CSV file '{path}' is text with 21 distinct values (a different one on every row, like an ID); "
     "expected numbers or text with at most 20 distinct values (one-hot encoded): --drop id, or encode it as numbers."),
    ("", "y", "auto", "CSV file '{path}' is empty; expected a header row and at least one data row."),
    ("a,b,y\n", "y", "auto", "CSV file '{path}' has no data rows; expected a header row and at least one data row."),
    ("a,b,c\n1,2,3\n", "label", "auto",
     "The 'target' parameter must be a column of CSV file '{path}', one of: a, b, c. Got 'label' instead."),
    ("a,x,y\n1,2,0\n2,3,1\n3,,0\n4,5,\n5,,1\n6,7,0\n", "y", "auto",
     "CSV file '{path}' has 3 rows with missing values (first: line 4, column 'x'); expected none with --missing error "
     "(the default): --missing drop leaves those rows out, --missing impute fills them from the training rows."),
    ("a,y\n1,yes\n2,yes\n3,yes\n", "y", "auto",
     "Target column 'y' of CSV file '{path}' has a single class ('yes'); classification needs at least 2 classes."),
    ("y\n1\n0\n", "y", "auto",
     "CSV file '{path}' has no feature columns; expected at least one column besides the target 'y'."),
    ("a,y\n1,cat\n2,dog\n", "y", "regression",
     "The 'task' parameter is 'regression', but target column 'y' of CSV file '{path}' is not numeric; "
     "expected numbers, or task 'classification' or 'auto'."),
]


@pytest.mark.parametrize("text, target, task, message", CSV_ERRORS)
def test_csv_bad_input_is_refused_with_one_clear_line(tmp_path, text, target, task, message):
    path = _write(tmp_path, text)
    with pytest.raises(DataError) as err:
        read_csv(path, target, task=task)
    assert str(err.value) == message.format(path=path)


def test_csv_missing_file(tmp_path):
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset="nowhere.csv", target="y"))
    assert str(err.value) == "CSV file 'nowhere.csv' (dataset) does not exist."
    with pytest.raises(DataError) as err:
        read_csv(tmp_path, "y")
    assert str(err.value) == f"CSV file '{tmp_path}' (dataset) is not a file; expected a CSV file."


def test_csv_target_not_given(tmp_path):
    path = _write(tmp_path, "a,b,c\n1,2,3\n")
    with pytest.raises(DataError) as err:
        load(DataConfig(dataset=str(path)))
    assert str(err.value) == (
        f"The 'target' parameter is required for CSV file '{path}': name the column to predict, one of: a, b, c."
    )


def test_csv_classification_of_a_continuous_target(tmp_path):
    path = _write(tmp_path, "a,y\n" + "".join(f"{i},{i * 0.37}\n" for i in range(51)))
    with pytest.raises(DataError) as err:
        read_csv(path, "y", task="classification")
    assert str(err.value) == (
        f"The 'task' parameter is 'classification', but target column 'y' of CSV file '{path}' has 51 distinct "
        "non-integer values; expected at most 50 classes, or task 'regression'."
    )
    few = _write(tmp_path, "a,y\n1,0.5\n2,1.5\n3,0.5\n", "few.csv")
    assert read_csv(few, "y", task="classification")[3] == ("0.5", "1.5")


