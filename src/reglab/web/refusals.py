"""How the playground words a refused request: one line naming the field, the value received and what
was expected, in a JSON reply ``{"detail": ..., "message": ...}`` that the page shows as it is.

A reply never echoes the request back: a value is quoted cut to :data:`SHOWN_CHARS` characters, and a
422's ``detail`` (pydantic's list of errors) carries each error's type, place and words, not its input.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

__all__ = ["SHOWN_CHARS", "error_detail", "one_line", "refusal", "shown"]

SHOWN_CHARS = 60  # a longer value is cut in a message, so that a large body is never sent back


def refusal(status_code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The reply to a refused request: ``message`` as both ``detail`` and ``message``."""
    return JSONResponse({"detail": message, "message": message}, status_code=status_code, headers=headers)


def shown(value: Any) -> str:
    """``value`` as a message quotes it: NaN and ±Infinity in JSON's spelling (what the client sent; a
    number too large for a float, such as 1e999, arrives as Infinity), anything else as its repr, cut to
    :data:`SHOWN_CHARS` characters."""
    text = json.dumps(value) if isinstance(value, float) and not math.isfinite(value) else repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def field_name(loc: Sequence[Any]) -> str:
    """A field's place in the request as the page names it: ``models.0.lam``; ``body`` for the whole body."""
    return ".".join(str(part) for part in loc if part != "body") or "body"


def one_line(exc: RequestValidationError) -> str:
    """The first error of ``exc`` in one line: the field, what it must be and the value received."""
    error = exc.errors()[0]
    if error["type"] == "json_invalid":
        return json_syntax(exc)
    field, got = field_name(error.get("loc", ())), shown(error.get("input"))
    if error["type"] == "finite_number":
        return f"The '{field}' field must be a finite number. Got {got} instead."
    if error["type"] == "missing" and field == "body":
        return "The request body must be a JSON object. Got an empty body instead."
    words = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return words if "Got" in words else f"The '{field}' field is invalid: {words}. Got {got} instead."


def json_syntax(exc: RequestValidationError) -> str:
    """A JSON syntax error in words, placed by line and column (FastAPI gives a character offset)."""
    error = exc.errors()[0]
    reason = error.get("ctx", {}).get("error", "unreadable")
    offset = error["loc"][-1] if isinstance(error["loc"][-1], int) else 0
    text = exc.body if isinstance(exc.body, str) else ""
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return f"The request body is not valid JSON: {reason} at line {line}, column {column}."


def error_detail(exc: RequestValidationError) -> list[dict]:
    """pydantic's list of errors without the inputs; a JSON syntax error is placed on the body."""
    return [
        {"type": "json_invalid", "loc": ["body"], "msg": json_syntax(exc)}
        if error["type"] == "json_invalid"
        else {"type": error["type"], "loc": list(error.get("loc", ())), "msg": str(error.get("msg", ""))}
        for error in exc.errors()
    ]
