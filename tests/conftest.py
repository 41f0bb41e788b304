"""Fixtures shared by the tests of the command line."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reglab.cli import main


@pytest.fixture
def cli(capsys) -> Callable[..., tuple[int, str, str]]:
    """``cli(*args)``: the exit code, stdout and stderr of ``reglab *args``, run in-process as the console script runs it."""

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        out, err = capsys.readouterr()
        return exit_info.value.code, out, err

    return run
