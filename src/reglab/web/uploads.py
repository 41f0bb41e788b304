"""Uploaded CSV tables: two numeric features and a label, checked, stored under an id.

A request never names a file: the server keeps each accepted upload in a folder of its own and
gives back a random id. A table is accepted when it is UTF-8 text of at most
``LIMITS["upload_bytes"]`` bytes with a header row and exactly three columns: two finite numeric
features, then the label (classes, or numbers for regression; see :func:`reglab.data.read_csv`),
with 20 to ``LIMITS["upload_rows"]`` rows, and each header name once (the check of the command line,
:func:`reglab.data.csv.check_header`). Anything else is refused with one line naming the problem.
"""

from __future__ import annotations

import csv
import io
import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from reglab.data.csv import check_header
from reglab.errors import DataError
from reglab.web.models import LIMITS

__all__ = ["UploadStore"]


def _header(text: str) -> list[str]:
    """The names of the first non-blank line, as written (stripped), before pandas makes them unique."""
    first = next((row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)), [])
    return [name.strip() for name in first]


def parse_table(body: bytes):
    """The uploaded table as a pandas DataFrame with columns ``x0, x1, label``, and its feature names."""
    import pandas as pd

    if len(body) > LIMITS["upload_bytes"]:
        raise DataError(f"The uploaded CSV must be at most {LIMITS['upload_bytes']} bytes. Got {len(body)} bytes instead.")
    try:
        text = body.decode("utf-8")
        frame = pd.read_csv(io.StringIO(text))
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(
            f"The uploaded file must be a UTF-8 CSV table with a header row. Got unreadable content instead ({type(exc).__name__})."
        ) from None
    check_header(_header(text), "The uploaded CSV")  # pandas would rename a second 'a' to 'a.1'
    if frame.shape[1] != 3:
        raise DataError(
            f"The uploaded CSV must have exactly 3 columns (two numeric features, then the label). Got {frame.shape[1]} columns instead."
        )
    if not LIMITS["min_rows"] <= len(frame) <= LIMITS["upload_rows"]:
        raise DataError(f"The uploaded CSV must have {LIMITS['min_rows']} to {LIMITS['upload_rows']} rows. Got {len(frame)} rows instead.")
    names = [str(c) for c in frame.columns]
    for name in names[:2]:
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column) or not np.all(np.isfinite(column.to_numpy(dtype=np.float64))):
            raise DataError(
                f"Column '{name}' of the uploaded CSV must hold finite numbers only. Got text, gaps or infinite values instead."
            )
    if frame[names[2]].isna().any():
        raise DataError(f"The label column '{names[2]}' of the uploaded CSV has missing values; fill them or drop those rows.")
    frame.columns = ["x0", "x1", "label"]
    return frame, names


def _about_upload(message: str, path: Path) -> str:
    """A refusal of the stored file worded about the upload: ``CSV file '….csv'`` becomes ``the uploaded CSV``."""
    for name in (str(path), path.name):
        message = message.replace(f"CSV file '{name}'", "the uploaded CSV").replace(name, "the uploaded CSV")
    return message[:1].upper() + message[1:]


class UploadStore:
    """Accepted uploads in a private temporary folder, the oldest dropped past ``capacity``."""

    def __init__(self, capacity: int = 16) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="reglab-uploads-"))
        self.capacity = capacity
        self._items: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, body: bytes) -> dict:
        """Checks and stores a CSV body: ``{"id", "features", "rows"}``; DataError when refused."""
        from reglab.config import DataConfig
        from reglab.data import load

        frame, names = parse_table(body)
        upload_id = secrets.token_hex(8)
        path = self.folder / f"{upload_id}.csv"
        frame.to_csv(path, index=False)
        try:
            load(DataConfig(dataset=str(path), target="label"))  # refuses what the split cannot use
        except DataError as exc:
            path.unlink(missing_ok=True)
            raise DataError(_about_upload(str(exc), path)) from None
        item = {"id": upload_id, "features": names[:2], "label": names[2], "rows": len(frame)}
        with self._lock:
            self._items[upload_id] = {**item, "path": path}
            while len(self._items) > self.capacity:
                _, old = self._items.popitem(last=False)
                old["path"].unlink(missing_ok=True)
        return item

    def path(self, upload_id: str) -> str:
        with self._lock:
            item = self._items.get(upload_id)
        if item is None:
            raise DataError(f"The 'upload' field must be the id of a stored upload. Got {upload_id!r} instead; upload the CSV again.")
        return str(item["path"])

    def features(self, upload_id: str) -> list[str]:
        with self._lock:
            return list(self._items[upload_id]["features"])

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
