"""One rule per fact: an option and the config field it fills accept the same values and refuse the
others in the same words; the CLI's defaults are the configs' defaults."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from reglab.cli.options import DEFAULT, DEFAULT_BATCH_SIZE
from reglab.cli.parsing import one
from reglab.config import (
    COUNT,
    MAX_DEPTH,
    MAX_SEED,
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
from reglab.errors import OptionError

# (option, config, field, rule)
FIELDS = [
    ("--dropout", RunConfig, "dropout", RATE),
    ("--momentum", RunConfig, "momentum", RATE),
    ("--lr", RunConfig, "lr", POSITIVE),
    ("--min-delta", RunConfig, "min_delta", NON_NEGATIVE),
    ("--input-noise", RunConfig, "input_noise", NON_NEGATIVE),
    ("--epochs", RunConfig, "epochs", COUNT),
    ("--seed", RunConfig, "seed", SEED),
    ("--noise", DataConfig, "noise", NON_NEGATIVE),
    ("--test-size", DataConfig, "test_size", OPEN_RATE),
    ("--val-size", DataConfig, "val_size", RATE),
]
VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-5, max_value=5),
    st.sampled_from([0, 1, 0.0, 1.0, 1e-300, -0.0, MAX_SEED, MAX_SEED + 1]),
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
    message = "The 'activation' parameter must be one of relu, tanh, sigmoid, gelu. Got 'swish' instead."
    assert config_verdict(RunConfig, "activation", "swish") == message


def test_cli_defaults_are_the_configs_defaults():
    run, data = RunConfig(), DataConfig()
    assert DEFAULT.hidden == "128,128" and one("--hidden", DEFAULT.hidden, WIDTHS) == run.hidden
    for name, rule in [("lr", POSITIVE), ("epochs", COUNT), ("dropout", RATE), ("momentum", RATE), ("seed", SEED)]:
        assert one(f"--{name}", getattr(DEFAULT, name), rule) == getattr(run, name), name
    for name, rule in [("noise", NON_NEGATIVE), ("test_size", OPEN_RATE)]:
        assert one(f"--{name}", getattr(DEFAULT, name), rule) == getattr(data, name), name
    assert (DEFAULT.activation, DEFAULT.optimizer, DEFAULT.dataset) == (run.activation, run.optimizer, data.dataset)
    assert DEFAULT.penalty == run.penalty.kind == "none"
    assert DEFAULT_BATCH_SIZE == run.batch_size and DEFAULT.standardize is data.standardize is True
