"""Compressed CSV files, told by their first bytes rather than by their name.

:func:`file_bytes` gives a file's text bytes: a file that starts with the magic bytes of gzip, bz2,
zip, xz or zstd (the compressions pandas reads) is decompressed first, whatever its name, so that the
encoding and the separator are guessed from the text and not from the compressed bytes. A zip archive
must hold exactly one file; zstd needs the ``zstandard`` package. The standard library does the rest.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zipfile
import zlib
from pathlib import Path

from reglab.errors import DataError

__all__ = ["COMPRESSED_SUFFIXES", "compression", "file_bytes"]

MAGIC = {
    "gzip": (b"\x1f\x8b",),
    "bz2": tuple(b"BZh" + level.encode() + block for level in "123456789" for block in (b"1AY&SY", b"\x17rE8P\x90")),  # a block or the end
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),  # a file entry, or an empty archive's directory
    "xz": (b"\xfd7zXZ\x00",),
    "zstd": (b"\x28\xb5\x2f\xfd",),
}
SUFFIXES = {"gzip": (".gz", ".gzip"), "bz2": (".bz2",), "zip": (".zip",), "xz": (".xz",), "zstd": (".zst", ".zstd")}
COMPRESSED_SUFFIXES = tuple(suffix for suffixes in SUFFIXES.values() for suffix in suffixes)


def compression(data: bytes) -> str | None:
    """The compression whose magic bytes ``data`` starts with, else None."""
    return next((kind for kind, starts in MAGIC.items() if data.startswith(starts)), None)


def _unzipped(data: bytes, file: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
        if len(members) != 1:
            names = ", ".join(m.filename for m in members) or "none"
            raise DataError(f"CSV file '{file}' is a zip archive of {len(members)} files ({names}); expected exactly one CSV file in it.")
        return archive.read(members[0])


def _unzstd(data: bytes, file: str) -> bytes:
    try:
        import zstandard
    except ImportError:
        raise DataError(
            f"CSV file '{file}' is zstd-compressed, which needs the zstandard package (not installed); "
            "expected plain text or gzip, bz2, zip or xz: pip install zstandard, or decompress it first."
        ) from None
    return zstandard.ZstdDecompressor().decompressobj().decompress(data)


def _decompressed(kind: str, data: bytes, file: str) -> bytes:
    unpack = {
        "gzip": gzip.decompress, "bz2": bz2.decompress, "xz": lzma.decompress,
        "zip": lambda packed: _unzipped(packed, file), "zstd": lambda packed: _unzstd(packed, file),
    }[kind]  # fmt: skip
    try:
        return unpack(data)
    except DataError:
        raise
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError, zipfile.BadZipFile) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(
            f"CSV file '{file}' is {kind}-compressed but could not be decompressed ({reason}); "
            f"expected a whole {kind} file: compress it again."
        ) from None


def file_bytes(path: Path, file: str) -> tuple[bytes, list[str]]:
    """``(text bytes, notes)`` of the file at ``path``: decompressed when its first bytes say it is
    compressed, with a note when its name does not say so."""
    data = path.read_bytes()
    kind = compression(data)
    if kind is None:
        return data, []
    notes = [] if file.lower().endswith(SUFFIXES[kind]) else [f"CSV file '{file}' is {kind}-compressed; read it decompressed"]
    return _decompressed(kind, data, file), notes
