"""The one family of user errors: what the command line turns into exit code 2 and one line.

Every message follows one template: it names the option, parameter or file, the value received
and what was expected (and, where it can, the fix). Anything that is not a :class:`ReglabError`
reaching the command line is a bug in reglab: exit code 1 and an "internal error" line.
"""

from __future__ import annotations

__all__ = ["ConfigError", "DataError", "OptionError", "ReglabError", "given", "received"]


class ReglabError(ValueError):
    """A problem with what the user asked for; the message is the one line the user sees."""


class OptionError(ReglabError):
    """A bad command-line value."""


class DataError(ReglabError):
    """A dataset or file that cannot be used as asked."""


class ConfigError(ReglabError):
    """A configuration that fails validation (from Python, or a saved file)."""


def received(value: object) -> str:
    """What a misused parameter got, for its message: ``str 'moons'``, ``a DataConfig``."""
    if value is None or isinstance(value, (str, bytes, int, float)):
        return f"{type(value).__name__} {repr(value)[:60]}"
    return f"{'an' if type(value).__name__[0].lower() in 'aeiou' else 'a'} {type(value).__name__}"


def given(
    value: object, name: str, owner: str, kind: type, optional: bool = False, example: str = "RunConfig(penalty=L2(lam=0.01))"
) -> None:
    """A ConfigError naming the parameter of a Python function, what it takes and what it got, unless ``value`` is a
    ``kind`` (or None when ``optional``)."""
    if not (isinstance(value, kind) or (optional and value is None)):
        if kind.__name__ == "DataConfig":
            example = f"DataConfig(dataset={value if isinstance(value, str) else 'moons'!r})"
        raise ConfigError(f"The '{name}' parameter of {owner} must be a {kind.__name__} (e.g. {example}). Got {received(value)} instead.")
