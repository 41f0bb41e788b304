"""Checkpoints of a sweep: what ``train_runs`` saves between epochs so that the same command resumes
exactly, and the checks that refuse a file that is broken, of another version or of other runs.

A checkpoint is one ``torch.save`` file: its kind and format version, the fingerprint of the runs it
was written for (every run's config and data, as JSON), the outcomes and configs of the runs already
finished, and the state of the stack in training after its last completed epoch.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import torch

from reglab.engine.state import outcome_state
from reglab.errors import DataError

__all__ = ["CHECKPOINT_KIND", "CHECKPOINT_VERSION", "read_checkpoint", "runs_fingerprint", "write_checkpoint"]


def runs_fingerprint(runs: Sequence) -> list[tuple[str, str]]:
    """What a checkpoint must have been written for: every run's config and data, as JSON."""
    return [(r.config.model_dump_json(by_alias=True), r.data.model_dump_json()) for r in runs]


CHECKPOINT_KIND = "reglab-checkpoint"
CHECKPOINT_VERSION = 2  # version 2: written between epochs, with kind and version


def read_checkpoint(path: str | Path | None, fingerprint: list) -> dict:
    """The saved state at ``path`` for the runs of ``fingerprint``; {} when there is no file.

    A file that cannot be read (empty, truncated, not a checkpoint), was written by another version of
    reglab or belongs to other runs is refused with :class:`reglab.errors.DataError`, saying what to do.
    """
    if path is None or not Path(path).exists():
        return {}
    start_over = "remove it to start over"
    try:
        state = torch.load(path, weights_only=True)
    except Exception:  # torch raises EOFError, RuntimeError, UnpicklingError, ... by how the file is broken
        raise DataError(f"The checkpoint '{path}' cannot be read (empty, truncated or not a reglab checkpoint): {start_over}.") from None
    if not isinstance(state, dict) or state.get("kind") != CHECKPOINT_KIND or state.get("version") != CHECKPOINT_VERSION:
        found = state.get("version") if isinstance(state, dict) and state.get("kind") == CHECKPOINT_KIND else "none"
        raise DataError(
            f"The checkpoint '{path}' was not written by this version of reglab (format {found}, expected {CHECKPOINT_VERSION}): "
            f"{start_over}."
        )
    if state.get("fingerprint") != fingerprint:
        raise DataError(
            f"The checkpoint '{path}' belongs to other runs (another command or other options): {start_over}, "
            "or run the command that wrote it."
        )
    return state


def write_checkpoint(path: str | Path, fingerprint: list, done: dict, configs: dict, group: int, state: dict | None) -> None:
    """Writes a checkpoint: kind and version, the runs' fingerprint, finished runs' outcomes and
    configs, the stack in training and its state after its last completed epoch (None between stacks).
    Through a temporary file renamed over ``path``: the file is whole or absent whenever the process stops."""
    payload = {
        "kind": CHECKPOINT_KIND,
        "version": CHECKPOINT_VERSION,
        "fingerprint": fingerprint,
        "done": {i: outcome_state(o) for i, o in done.items()},
        "configs": {i: c.model_dump(mode="json", by_alias=True) for i, c in configs.items()},
        "group": group if state is not None else None,
        "state": state,
    }
    tmp = Path(str(path) + ".tmp")
    try:
        torch.save(payload, tmp)
        os.replace(tmp, path)  # atomic: an interruption never leaves a half-written checkpoint
    finally:
        tmp.unlink(missing_ok=True)
