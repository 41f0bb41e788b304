"""Compact, JSON-safe encoding of NumPy arrays inside the results document that the report draws from.

The lecture packs its figure data with :func:`pack`; the report unpacks it with :func:`unpack`.

An array becomes ``{"dtype": "float16", "shape": [120, 120], "base64": "..."}``: about a fifth of
the size of a JSON list of numbers, exact for the chosen dtype, and decodable without reglab.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

__all__ = ["pack", "unpack"]


def pack(array: Any, dtype: str = "float32") -> dict[str, Any]:
    """Encodes ``array`` as little-endian ``dtype`` bytes in base64."""
    a = np.ascontiguousarray(np.asarray(array), dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": dtype, "shape": list(a.shape), "base64": base64.b64encode(a.tobytes()).decode("ascii")}


def unpack(packed: dict[str, Any]) -> np.ndarray:
    """The array that :func:`pack` encoded (as a new, writable array)."""
    raw = base64.b64decode(packed["base64"])
    a = np.frombuffer(raw, dtype=np.dtype(packed["dtype"]).newbyteorder("<"))
    return a.reshape(packed["shape"]).astype(packed["dtype"])
