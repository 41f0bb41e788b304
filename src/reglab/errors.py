"""The one family of user errors: what the command line turns into exit code 2 and one line.

Every message follows one template: it names the option, parameter or file, the value received
and what was expected (and, where it can, the fix). Anything that is not a :class:`ReglabError`
reaching the command line is a bug in reglab: exit code 1 and an "internal error" line.
"""

from __future__ import annotations

__all__ = ["ConfigError", "DataError", "OptionError", "ReglabError"]


class ReglabError(ValueError):
    """A problem with what the user asked for; the message is the one line the user sees."""


class OptionError(ReglabError):
    """A bad command-line value."""


class DataError(ReglabError):
    """A dataset or file that cannot be used as asked."""


class ConfigError(ReglabError):
    """A configuration that fails validation (from Python, or a saved file)."""
