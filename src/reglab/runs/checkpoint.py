"""Checkpoints of a sweep: what ``train_runs`` saves between epochs so that the same command resumes
exactly, the checks that refuse a file that is broken, of another version or of other runs, and the ledger of
what each worker finished.

A checkpoint is one file: a header line (``reglab-checkpoint 3 sha256=<hex> bytes=<n> reglab=<version>``), then
the ``torch.save`` bytes of its payload: the fingerprint of the runs it was written for (every run's config and
data as JSON, with the SHA-256 of a CSV file's bytes), the outcomes and configs of the runs already finished, and
the state of the stack in training after its last completed epoch. Each worker process keeps its own file
(:func:`worker_path`: the caller's path for this process, ``path.worker1``, … for the others); a resumed call reads
every file of the path (:func:`read_saved`), with any number of workers. The checksum covers every payload byte: a
file changed on disk (a flipped bit, a bad copy) is refused, never resumed from. Files of format 2 (a bare
``torch.save`` with kind and version inside) are recognised and refused as another version's.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from reglab.config import RunConfig
from reglab.data.digest import data_digest
from reglab.engine import Outcome
from reglab.engine.state import outcome_from_state, outcome_state
from reglab.errors import DataError
from reglab.version import installed_version

__all__ = [
    "CHECKPOINT_KIND", "CHECKPOINT_VERSION", "Ledger", "Saver", "checkpoint_files", "read_checkpoint", "read_saved",
    "runs_fingerprint", "worker_of", "worker_path", "write_checkpoint",
]  # fmt: skip


def runs_fingerprint(runs: Sequence) -> list[tuple[str, ...]]:
    """What a checkpoint must have been written for: every run's config and data as JSON, and for a CSV file the
    digest of its bytes (:func:`reglab.data.digest.data_digest`)."""
    out: list[tuple[str, ...]] = []
    for r in runs:
        row = (r.config.model_dump_json(by_alias=True), r.data.model_dump_json())
        digest = data_digest(r.data)
        out.append((*row, digest) if digest else row)
    return out


CHECKPOINT_KIND = "reglab-checkpoint"
CHECKPOINT_VERSION = 3  # 3: a header line with the payload's checksum and reglab's version; 2: a bare torch.save


def _reglab_version() -> str:
    return installed_version()


def _header(body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return f"{CHECKPOINT_KIND} {CHECKPOINT_VERSION} sha256={digest} bytes={len(body)} reglab={_reglab_version()}\n".encode()


def read_checkpoint(path: str | Path | None, fingerprint: list) -> dict:
    """The saved state at ``path`` for the runs of ``fingerprint``; {} when there is no file.

    A file that cannot be read (empty, truncated, not a checkpoint), whose bytes do not match its checksum, was
    written by another version of reglab or belongs to other runs is refused with :class:`reglab.errors.DataError`,
    saying what to do.
    """
    if path is None or not Path(path).exists():
        return {}
    raw = Path(path).read_bytes()
    if not raw.startswith(CHECKPOINT_KIND.encode() + b" "):
        _refuse_unframed(path, raw)
    state = _payload(path, raw)
    saved = state.get("fingerprint")
    if saved != fingerprint and _without_digests(saved) == _without_digests(fingerprint):
        changed = next(json.loads(row[1])["dataset"] for row, old in zip(fingerprint, saved) if tuple(row) != tuple(old))
        raise DataError(
            f"The checkpoint '{path}' was written for other contents of the data file '{changed}' (it changed since): "
            f"{START_OVER}, or put back the file it was written for."
        )
    if saved != fingerprint:
        raise DataError(
            f"The checkpoint '{path}' belongs to other runs (another command or other options): {START_OVER}, "
            "or run the command that wrote it."
        )
    return state


START_OVER = "remove it to start over"


def _without_digests(fingerprint) -> list | None:
    """The configs and data of a fingerprint, without the files' digests."""
    if not isinstance(fingerprint, list):
        return None
    return [tuple(row[:2]) if isinstance(row, (list, tuple)) else row for row in fingerprint]


def _payload(path: str | Path, raw: bytes) -> dict:
    """The payload of a framed checkpoint, its header and checksum checked."""
    end = raw.find(b"\n")
    fields = raw[:end].decode("ascii", "replace").split() if end > 0 else []
    info = dict(f.split("=", 1) for f in fields[2:] if "=" in f)
    if len(fields) < 2 or not {"sha256", "bytes"} <= set(info):
        raise DataError(f"The checkpoint '{path}' cannot be read (its header line is damaged): {START_OVER}.")
    if fields[1] != str(CHECKPOINT_VERSION):
        raise DataError(
            f"The checkpoint '{path}' was not written by this version of reglab (format {fields[1]}, expected "
            f"{CHECKPOINT_VERSION}): {START_OVER}."
        )
    body = raw[end + 1:]
    if str(len(body)) != info["bytes"] or hashlib.sha256(body).hexdigest() != info["sha256"]:
        raise DataError(
            f"The checkpoint '{path}' is corrupt: its bytes do not match the checksum written with them "
            f"({len(body)} of {info['bytes']} bytes; changed on disk or copied badly): {START_OVER}."
        )
    if info.get("reglab") != _reglab_version():
        raise DataError(
            f"The checkpoint '{path}' was written by reglab {info.get('reglab', 'unknown')}, this is reglab "
            f"{_reglab_version()}: resume it with that version, or {START_OVER}."
        )
    state = torch.load(io.BytesIO(body), weights_only=True)
    if not isinstance(state, dict):
        raise DataError(f"The checkpoint '{path}' cannot be read (empty, truncated or not a reglab checkpoint): {START_OVER}.")
    return state


def _refuse_unframed(path: str | Path, raw: bytes) -> None:
    """Refuses a file without the header line: an older format's checkpoint, or no checkpoint at all."""
    try:
        state = torch.load(io.BytesIO(raw), weights_only=True)
    except Exception:  # torch raises EOFError, RuntimeError, UnpicklingError, ... by how the file is broken
        raise DataError(f"The checkpoint '{path}' cannot be read (empty, truncated or not a reglab checkpoint): {START_OVER}.") from None
    found = state.get("version") if isinstance(state, dict) and state.get("kind") == CHECKPOINT_KIND else "none"
    raise DataError(
        f"The checkpoint '{path}' was not written by this version of reglab (format {found}, expected {CHECKPOINT_VERSION}): "
        f"{START_OVER}."
    )


def write_checkpoint(path: str | Path, fingerprint: list, done: dict, configs: dict, group: int, state: dict | None) -> None:
    """Writes a checkpoint: kind and version, the runs' fingerprint, finished runs' outcomes and
    configs, the stack in training and its state after its last completed epoch (None between stacks).
    Through a temporary file renamed over ``path``: the file is whole or absent whenever the process stops."""
    payload = {
        "fingerprint": fingerprint,
        "done": {i: outcome_state(o) for i, o in done.items()},
        "configs": {i: c.model_dump(mode="json", by_alias=True) for i, c in configs.items()},
        "group": group if state is not None else None,
        "state": state,
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    body = buffer.getvalue()
    tmp = Path(str(path) + ".tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(_header(body))
            f.write(body)
        os.replace(tmp, path)  # atomic: an interruption never leaves a half-written checkpoint
    finally:
        tmp.unlink(missing_ok=True)


@dataclass
class Ledger:
    """What one checkpoint file holds: outcomes and configs of finished runs (by run index)."""

    done: dict[int, Outcome] = field(default_factory=dict)
    configs: dict[int, RunConfig] = field(default_factory=dict)


def worker_path(checkpoint: str | Path, worker: int) -> Path:
    """The checkpoint file of ``worker``: the caller's path for worker 0 (this process), ``path.worker<k>`` else."""
    return Path(checkpoint) if worker == 0 else Path(f"{checkpoint}.worker{worker}")


def worker_of(name: str, checkpoint_name: str) -> int | None:
    """The worker whose checkpoint file is called ``name`` (0 for ``checkpoint_name`` itself), else None."""
    if name == checkpoint_name:
        return 0
    number = name.removeprefix(f"{checkpoint_name}.worker")
    return int(number) if number != name and number.isdigit() else None


def checkpoint_files(checkpoint: str | Path) -> list[Path]:
    """The existing checkpoint files of ``checkpoint``: its own, then the workers' in order."""
    path = Path(checkpoint)
    found = [(worker_of(p.name, path.name), p) for p in path.parent.glob(f"{path.name}*") if p.is_file()]
    return [p for k, p in sorted((k, p) for k, p in found if k is not None)]


def read_saved(checkpoint: str | Path | None, fingerprint: list) -> tuple[dict[Path, Ledger], dict[int, dict]]:
    """Every checkpoint file of ``checkpoint`` (each refused as :func:`read_checkpoint` says):
    what each holds, and the saved states of stacks in training by group (the furthest when two files hold one)."""
    ledgers: dict[Path, Ledger] = {}
    states: dict[int, dict] = {}
    for path in [] if checkpoint is None else checkpoint_files(checkpoint):
        saved = read_checkpoint(path, fingerprint)
        ledgers[path] = _ledger(saved)
        group, state = saved.get("group"), saved.get("state")
        if state is not None and (group not in states or state["epoch"] > states[group]["epoch"]):
            states[group] = state
    return ledgers, states


def _ledger(saved: dict) -> Ledger:
    return Ledger(
        {int(i): outcome_from_state(o) for i, o in saved.get("done", {}).items()},
        {int(i): RunConfig.model_validate(c) for i, c in saved.get("configs", {}).items()},
    )


class Saver:
    """Writes the checkpoint (finished runs, and the state of the stack in training or None) and remembers when.

    :meth:`due` once ``every`` seconds have passed since the last write; :meth:`worth` after a stack: when
    nothing was written yet, or when the training since the last write took ten times what that write did
    (a finished stack is kept at a cost of at most a tenth of the training; many tiny stacks share a write).
    """

    def __init__(self, write: Callable[[int | None, dict | None], None], every: float) -> None:
        self.write, self.every = write, every
        self.last, self.cost, self.writes = time.monotonic(), 0.0, 0

    @classmethod
    def to(cls, path: str | Path | None, fingerprint: list, ledger: Ledger, every: float) -> Saver | None:
        """A saver of ``ledger`` to ``path`` (None without a path)."""
        if path is None:
            return None
        return cls(functools.partial(write_checkpoint, path, fingerprint, ledger.done, ledger.configs), every)

    def due(self) -> bool:
        return time.monotonic() - self.last > self.every

    def worth(self) -> bool:
        return self.writes == 0 or self.due() or time.monotonic() - self.last > 10 * self.cost

    def __call__(self, group: int | None, state: dict | None) -> None:
        start = time.monotonic()
        self.write(group, state)
        self.last = time.monotonic()
        self.cost, self.writes = self.last - start, self.writes + 1
