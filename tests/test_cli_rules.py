"""One rule per fact: an option and the config field it fills accept the same values and refuse the
others in the same words; the CLI's defaults are the configs' defaults (or the library's), its help
their descriptions; the values are handed on typed."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from reglab.cli import app
from reglab.cli.asked import DataOptions, GridOptions
from reglab.cli.building import LARGE_DATA, QUICK_EPOCHS, csv_options, data_notes, seed_count
from reglab.cli.options import DEFAULT, DEFAULT_BATCH_SIZE, DEFAULT_SEEDS
from reglab.cli.parsing import one
from reglab.cli.tuning import DEFAULT_OUT, TUNE_DEFAULT
from reglab.config import (
    EPOCHS,
    MAX_DEPTH,
    MAX_EPOCHS,
    MAX_SEED,
    MAX_SEEDS,
    MAX_WIDTH,
    NON_NEGATIVE,
    OPEN_RATE,
    POSITIVE,
    RATE,
    SEED,
    WIDTHS,
    DataConfig,
    RunConfig,
    config_error,
)
from reglab.diagnosis.settings import Settings
from reglab.errors import OptionError
from reglab.regularizers import CONVENTION
from reglab.rules import LEVEL, VALIDATION_FRACTION
from reglab.tuning.defaults import BATCH, HEARTBEAT, STUDY, SWEEP_STUDY

# (option, config, field, rule)
FIELDS = [
    ("--dropout", RunConfig, "dropout", RATE),
    ("--momentum", functools.partial(RunConfig, optimizer="sgd"), "momentum", RATE),  # momentum is SGD's
    ("--lr", RunConfig, "lr", POSITIVE),
    ("--min-delta", RunConfig, "min_delta", NON_NEGATIVE),
    ("--input-noise", RunConfig, "input_noise", NON_NEGATIVE),
    ("--epochs", RunConfig, "epochs", EPOCHS),
    ("--seed", RunConfig, "seed", SEED),
    ("--noise", DataConfig, "noise", NON_NEGATIVE),
    ("--test-size", DataConfig, "test_size", OPEN_RATE),
    ("--val-size", DataConfig, "val_size", RATE),
]
VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=False),  # reglab flushes subnormals (engine.floats)
    st.integers(min_value=-5, max_value=5),
    st.sampled_from([0, 1, 0.0, 1.0, 1e-300, -0.0, MAX_SEED, MAX_SEED + 1, MAX_EPOCHS, MAX_EPOCHS + 1]),
)


def config_verdict(model, field: str, value) -> str | None:
    """None when the config accepts ``value``, else its one-line message."""
    try:
        model(**{field: value})
    except ValidationError as exc:
        return config_error(exc)
    return None


@pytest.mark.parametrize("option, model, field, rule", FIELDS, ids=[f[0] for f in FIELDS])
@given(value=VALUES)
def test_option_and_config_accept_the_same_values_in_the_same_words(option, model, field, rule, value):
    if rule.kind is int and isinstance(value, float):
        value = int(value) if math.isfinite(value) else 0
    text = repr(value)
    try:
        parsed, refusal = one(option, text, rule), None
    except OptionError as exc:
        parsed, refusal = None, str(exc)
    message = config_verdict(model, field, value)
    assert (refusal is None) == (message is None), (text, refusal, message)
    if refusal is None:
        assert parsed == getattr(model(**{field: value}), field)
    else:
        assert refusal == f"The '{option}' option must be {rule.expected}. Got {text!r} instead."
        assert message == f"The '{field}' parameter must be {rule.expected}. Got {value!r} instead."


@pytest.mark.parametrize(
    "text, widths",
    [("128,128", (128, 128)), (" 4, 8 ", (4, 8)), (str(MAX_WIDTH), (MAX_WIDTH,)), (",".join(["1"] * MAX_DEPTH), (1,) * MAX_DEPTH)],
)
def test_widths_at_the_limits_are_accepted_by_both(text, widths):
    assert one("--hidden", text, WIDTHS) == widths == RunConfig(hidden=text).hidden == RunConfig(hidden=list(widths)).hidden


@pytest.mark.parametrize("text", ["0", str(MAX_WIDTH + 1), ",".join(["1"] * (MAX_DEPTH + 1)), "64,", "", "8.5", "abc"])
def test_widths_beyond_the_limits_are_refused_by_both_with_the_limits(text):
    expected = f"comma-separated widths between 1 and {MAX_WIDTH}, at most {MAX_DEPTH} layers, such as 128,128"
    with pytest.raises(OptionError) as refused:
        one("--hidden", text, WIDTHS)
    assert str(refused.value) == f"The '--hidden' option must be {expected}. Got {text!r} instead."
    assert config_verdict(RunConfig, "hidden", text) == f"The 'hidden' parameter must be {expected}. Got {text!r} instead."


def test_choices_of_a_config_are_refused_in_the_template():
    message = "The 'activation' parameter must be one of relu, tanh, sigmoid, gelu, linear. Got 'swish' instead."
    assert config_verdict(RunConfig, "activation", "swish") == message


def test_cli_defaults_are_the_configs_defaults():
    run, data = RunConfig(), DataConfig()
    assert DEFAULT.hidden == "128,128" and one("--hidden", DEFAULT.hidden, WIDTHS) == run.hidden
    for name, rule in [("lr", POSITIVE), ("epochs", EPOCHS), ("dropout", RATE), ("momentum", RATE), ("seed", SEED)]:
        assert one(f"--{name}", getattr(DEFAULT, name), rule) == getattr(run, name), name
    for name, rule in [("noise", NON_NEGATIVE), ("test_size", OPEN_RATE)]:
        assert one(f"--{name}", getattr(DEFAULT, name), rule) == getattr(data, name), name
    assert (DEFAULT.activation, DEFAULT.optimizer, DEFAULT.dataset) == (run.activation, run.optimizer, data.dataset)
    assert DEFAULT.penalty == run.penalty.kind == "none"
    assert DEFAULT_BATCH_SIZE == run.batch_size and DEFAULT.standardize is data.standardize is True


def command(name: str) -> typer.core.TyperCommand:
    group = typer.main.get_command(app)
    return group.get_command(group.make_context("reglab", [name]), name)


def params_of(name: str, *args: str) -> dict:
    """The typed values that typer hands the command ``name`` for the command line ``args``."""
    return command(name).make_context(name, list(args)).params


RUN_FIELDS = ("hidden", "activation", "l1_method", "regularize_output", "dropout", "optimizer", "lr", "momentum", "epochs",
              "min_delta", "input_noise", "seed")  # fmt: skip
DATA_FIELDS = ("dataset", "target", "task", "n_samples", "noise", "n_classes", "test_size", "standardize", "missing", "seed")


@pytest.mark.parametrize("name", ["train", "sweep", "tune", "diagnose"])
def test_typed_defaults_are_the_configs_defaults(name):
    params, run, data = params_of(name), RunConfig(), DataConfig()
    listed = (lambda value: (value,)) if name == "sweep" else (lambda value: value)
    scaled = ("epochs",) if name == "diagnose" else ()  # diagnose scales the schedule to the data (its Settings)
    for field in (f for f in RUN_FIELDS if f in params and f not in scaled):  # tune and diagnose search dropout
        assert params[field] == (listed(getattr(run, field)) if field in ("hidden", "dropout", "lr") else getattr(run, field)), field
    for field in DATA_FIELDS:
        if (name, field) != ("diagnose", "dataset"):  # diagnose starts from a table
            assert params[field] == getattr(data, field), field
    if name in ("train", "sweep"):
        assert params["penalty"] == listed(run.penalty.kind) and params["val_size"] is None and params["batch_size"] is None


def test_search_and_study_defaults_are_the_librarys():
    from reglab.tuning import shared_sweep, tuner

    tune_defaults = {n: p.default for n, p in inspect.signature(tuner.tune).parameters.items()}
    work_defaults = {n: p.default for n, p in inspect.signature(shared_sweep.work).parameters.items()}
    in_tune, in_work = (tune_defaults["batch"], tune_defaults["heartbeat"]), (work_defaults["batch"], work_defaults["heartbeat"])
    assert (BATCH, HEARTBEAT) == in_tune == in_work
    assert (STUDY, Path(DEFAULT_OUT), TUNE_DEFAULT.sampler, DEFAULT_SEEDS) == tuple(
        tune_defaults[n] for n in ("study", "storage", "sampler", "seeds")
    )
    tune, sweep = params_of("tune"), params_of("sweep")
    assert (tune["batch"], tune["heartbeat"], tune["study"], tune["seeds"], tune["val_size"]) == (BATCH, HEARTBEAT, STUDY, 1, None)
    assert (sweep["batch"], sweep["heartbeat"], sweep["seeds"], sweep["study"]) == (BATCH, HEARTBEAT, 1, SWEEP_STUDY)
    diagnose, settings = params_of("diagnose"), Settings()
    for name in ("seeds", "search_seeds", "budget", "batch", "heartbeat", "folds", "repeats", "epochs", "batch_size", "patience", "study"):
        assert diagnose[name] == getattr(settings, name), name
    space = settings.space
    assert (tuple(diagnose["penalty"]), tuple(diagnose["lam_range"]), tuple(diagnose["dropout_range"])) == (
        space.penalties, (space.lam_low, space.lam_high), (space.dropout_low, space.dropout_high)
    )
    assert diagnose["val_size"] == VALIDATION_FRACTION


@pytest.mark.parametrize("name", ["train", "sweep", "tune", "diagnose"])
def test_the_help_of_an_option_that_fills_a_config_field_is_the_fields_description(name):
    helps = {param.name: param.help for param in command(name).params}
    for fields in (RunConfig.model_fields, DataConfig.model_fields):
        for field, info in fields.items():
            if field in helps and (name, field) not in (("tune", "penalty"), ("diagnose", "penalty")):  # those search kinds
                meaning = info.description.partition("; None: ")[0]
                assert meaning.lower() in helps[field].lower(), (field, helps[field])
                assert "None" not in helps[field], field  # the command line's word for it instead
    if name in ("train", "sweep"):
        assert CONVENTION in helps["penalty"]
        assert f"{VALIDATION_FRACTION:g} with --patience" in helps["val_size"]


def test_sweep_states_its_confidence_level():
    assert f"{LEVEL:.0%} CI" in command("sweep").help


def test_options_are_handed_on_typed():
    train = params_of("train", "--epochs", "3", "--hidden", " 8, 4", "--lam", "1e-1", "--batch-size", "full", "--dataset", "x.csv",
                      "--drop", "a, b,a", "--seed", "7")  # fmt: skip
    assert (train["epochs"], train["hidden"], train["lam"], train["batch_size"], train["drop"]) == (3, (8, 4), 0.1, "full", ("a", "b"))
    sweep = params_of("sweep", "--lam", "0.1,1,0.1", "--hidden", "8;4,4", "--penalty", "l2,none", "--seeds", "3")
    assert (sweep["lam"], sweep["hidden"], sweep["penalty"], sweep["seeds"]) == ((0.1, 1.0), ((8,), (4, 4)), ("l2", "none"), 3)
    one_run = GridOptions.of(train, sweep=False)  # train's single values as lists of one
    assert (one_run.hidden, one_run.lam, one_run.l1, one_run.seeds, one_run.data.drop) == (((8, 4),), (0.1,), None, 1, ("a", "b"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        one_run.seed = 1  # type: ignore[misc]


# --- refused before any work starts, in the words of the option typed -------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--epochs", "--hidden", "4"], "The '--epochs' option must be an int between 1 and 100000. Got '--hidden' instead."),
        (["train", "--epochs", "100001"], "The '--epochs' option must be an int between 1 and 100000. Got '100001' instead."),
        (["train", "--target", "--epochs", "3"], "The '--target' option must be followed by its value (COLUMN). Got '--epochs' instead."),
        (["train", "--seed", "4294967296"], "The '--seed' option must be an int between 0 and 4294967295. Got '4294967296' instead."),
        (
            ["sweep", "--seed", "4294967295", "--seeds", "2"],
            "The '--seeds' option must be at most 1 with --seed 4294967295 (the seeds --seed … --seed + N − 1 must stay "
            "<= 4294967295). Got '2' instead.",
        ),
        (
            ["train", "--momentum", "0.9"],
            "The '--momentum' option must be 0 with --optimizer adam (momentum is SGD's; Adam and AdamW keep their own "
            "moment estimates). Got '0.9' instead.",
        ),
        (
            ["train", "--dataset", "wine", "--target", "y"],
            "The '--target' option must be left out with built-in dataset 'wine' (its columns and target are fixed; "
            "it applies to CSV files). Got 'y' instead.",
        ),
        (
            ["train", "--val-size", "0.99"],
            "The 'val_size' parameter must leave at least 10 training rows of the 500 rows of dataset 'moons'. Got 0.99 instead, "
            "which gives 3 training, 347 validation and 150 test rows.",
        ),
    ],
)
def test_refused_before_work_starts_with_one_line(args, message, cli):
    assert cli(*args) == (2, "", f"reglab: error: {message}\n")


def test_the_number_of_seeds_has_a_stated_limit(cli):
    message = f"The '--seeds' option must be an int between 1 and {MAX_SEEDS}. Got '100000' instead."
    assert cli("sweep", "--seeds", "100000") == (2, "", f"reglab: error: {message}\n")
    assert seed_count(MAX_SEEDS, 0) == MAX_SEEDS
    assert seed_count(1, MAX_SEED) == 1


@pytest.mark.parametrize("option, text", [("--missing", "impute"), ("--drop", "id")])
def test_csv_options_are_refused_with_a_built_in_dataset(option, text):
    with pytest.raises(OptionError) as refused:
        csv_options(DataOptions.of(params_of("train", option, text)))
    assert str(refused.value) == (
        f"The '{option}' option must be left out with built-in dataset 'moons' (its columns and target are fixed; "
        f"it applies to CSV files). Got {text!r} instead."
    )
    csv_file = DataOptions.of(params_of("train", "--dataset", "a.csv", "--target", "y", "--missing", "drop", "--drop", " id, name,id"))
    assert csv_options(csv_file) == ("drop", ("id", "name"))


def test_configs_refuse_options_that_would_have_no_effect():
    assert config_verdict(RunConfig, "momentum", 0.9) == (
        "The 'momentum' parameter must be 0 with optimizer 'adam' (momentum is SGD's; Adam and AdamW keep their own "
        "moment estimates). Got 0.9 instead."
    )
    assert RunConfig(optimizer="sgd", momentum=0.9).momentum == 0.9
    for field, value in [("target", "y"), ("missing", "drop"), ("drop", ("a",))]:
        unset = DataConfig.model_fields[field].default
        assert config_verdict(DataConfig, field, value) == (
            f"The '{field}' parameter must be {unset!r} for built-in dataset 'moons' (it applies to CSV files only). "
            f"Got {value!r} instead."
        )
        assert getattr(DataConfig(dataset="x.csv", **{field: value}), field) == value


def test_large_data_without_early_stopping_hears_of_patience():
    split = SimpleNamespace(notes=("left out column 'id': it numbers the rows 1, 2, …",), y_train=np.zeros(LARGE_DATA + 1))
    assert data_notes(split, RunConfig()) == [
        "left out column 'id': it numbers the rows 1, 2, …",
        "20,001 training rows × 300 epochs: --patience N stops when the validation loss has not improved for N epochs "
        "(with --val-size 0.2 unless given)",
    ]
    assert data_notes(split, RunConfig(patience=5)) == list(split.notes) == data_notes(split, RunConfig(epochs=QUICK_EPOCHS))
    assert data_notes(SimpleNamespace(notes=(), y_train=np.zeros(LARGE_DATA)), RunConfig()) == []


def test_a_sweep_loads_each_distinct_dataset_once(monkeypatch, cli):
    import reglab.data.split as split_module

    calls = []
    source = split_module._source
    monkeypatch.setattr(split_module, "_source", lambda config: calls.append(config.seed) or source(config))
    split_module._load.cache_clear()
    code, out, err = cli("sweep", "--n-samples", "40", "--seed", "7", "--seeds", "3", "--lr", "0.01,0.1", "--epochs", "1",
                             "--hidden", "4", "--json")  # fmt: skip
    assert code == 0, err
    assert sorted(calls) == [7, 8, 9]


def test_the_demo_help_states_the_lectures_seeds():
    from reglab.cli.lecture import DEMO_SEEDS
    from reglab.lecture.plan import settings_for

    full, quick = settings_for(), settings_for(quick=True)
    assert DEMO_SEEDS == (full.seeds, full.exercise_seeds, quick.seeds)
    assert settings_for(seeds=4).exercise_seeds == 4 and settings_for(quick=True, seeds=3).exercise_seeds == 3
    helps = {param.name: param.help for param in command("demo").params}
    assert helps["seeds"] == "Seeds per configuration, and per cell of the crossed exercise (default {}, exercise {}; quick {}).".format(
        *DEMO_SEEDS
    )
    assert params_of("demo")["seed"] == full.seed


def test_the_demo_refuses_more_seeds_than_a_configuration_may_have(cli, tmp_path):
    code, out, err = cli("demo", "--seeds", str(MAX_SEEDS + 1), "--out", str(tmp_path / "d"))
    assert (code, out) == (2, "")
    assert err == f"reglab: error: The '--seeds' option must be an int between 1 and {MAX_SEEDS}. Got '{MAX_SEEDS + 1}' instead.\n"
    assert not (tmp_path / "d").exists()
