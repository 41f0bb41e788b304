"""What identifies a data set's content, beyond its configuration: the SHA-256 of a CSV file's bytes.

A built-in dataset is fixed by its :class:`~reglab.config.DataConfig` (name, size, noise, seed); a CSV file is
not, since the file can change under the same path. Checkpoints and studies record this digest beside the
config, so that a resumed sweep or a shared study never mixes the rows of two versions of a file.
"""

from __future__ import annotations

import hashlib
import os

from reglab.config import DataConfig

__all__ = ["data_digest"]

_digests: dict[tuple[str, int, int], str] = {}  # (path, size, mtime in ns) -> digest: a file is read once per change


def data_digest(data: DataConfig) -> str:
    """``"sha256:<hex>"`` of the CSV file that ``data`` reads, or ``""`` for a built-in dataset (or a missing
    file, which reading it reports in its own words)."""
    from reglab.data.generators import DATASETS

    if data.dataset in DATASETS:
        return ""
    path = os.path.abspath(data.dataset)
    try:
        st = os.stat(path)
    except OSError:
        return ""
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _digests:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        _digests[key] = "sha256:" + digest.hexdigest()
    return _digests[key]
