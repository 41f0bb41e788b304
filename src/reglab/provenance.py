"""Where a results document came from, and that it is whole: a provenance record with a checksum.

Every results file the command line writes (``result.json``, ``results.json`` of train, sweep and demo, ``tune.json``)
carries ``"provenance": {"command", "reglab", "data", "sha256"}``: the command line that wrote it, reglab's version,
the digest of each CSV file it read (:func:`reglab.data.digest.data_digest`), and the SHA-256 of the document
without its provenance record, as canonical JSON (keys sorted, no spaces; floats as Python writes them, which read
back to the same numbers). Reading a document back (``reglab report``, a demo reusing its results, a command
looking at what holds its folder) checks the sum: a document whose content changed after it was written is refused
with one line naming the file, never drawn or reused. A document without the record (written before it existed, or
by another program) is read as before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reglab.config import DataConfig
from reglab.data.digest import data_digest
from reglab.errors import DataError
from reglab.version import installed_version

__all__ = ["PROVENANCE", "check_seal", "content_digest", "seal", "sealed_intact"]

PROVENANCE = "provenance"


def content_digest(document: dict[str, Any]) -> str:
    """SHA-256 (hex) of ``document`` without its provenance record, as canonical JSON."""
    body = {k: v for k, v in document.items() if k != PROVENANCE}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(document: dict[str, Any], command: str | None, data: Iterable[DataConfig] = ()) -> dict[str, Any]:
    """``document`` with its provenance record (see the module docstring); ``data``: the data configs it used."""
    files = {d.dataset: data_digest(d) for d in data}
    record = {"command": command, "reglab": installed_version(), "data": {k: v for k, v in sorted(files.items()) if v}}
    return {**{k: v for k, v in document.items() if k != PROVENANCE}, PROVENANCE: {**record, "sha256": content_digest(document)}}


def sealed_intact(document: Any) -> bool:
    """False only for a document whose provenance record's checksum does not match its content."""
    if not isinstance(document, dict) or not isinstance(document.get(PROVENANCE), dict):
        return True
    try:
        return document[PROVENANCE].get("sha256") == content_digest(document)
    except (TypeError, ValueError):  # content that JSON cannot write canonically was not written by reglab
        return False


def check_seal(document: Any, path: str | Path) -> None:
    """Refuses (DataError) a document whose content changed after reglab wrote it."""
    if not sealed_intact(document):
        raise DataError(
            f"The results file '{path}' changed after reglab wrote it (its content does not match the checksum in its "
            "provenance record): write it again with the command that made it, or restore the original."
        )
