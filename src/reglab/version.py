"""reglab's version as installed: what checkpoints and results record, and ``reglab.__version__``."""

from __future__ import annotations

__all__ = ["installed_version"]


def installed_version() -> str:
    """The installed distribution's version; ``0+unknown`` in a source tree that was never installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("reglab")
    except PackageNotFoundError:
        return "0+unknown"
