"""ASGI guards in front of the playground: which hosts it answers, and how large a request body may be.

:class:`HostGuard` refuses (400) a request whose ``Host`` header names none of the server's own names.
A page of another site whose name the attacker points at 127.0.0.1 (DNS rebinding) sends its own
name there, so it cannot drive or read a playground that listens on this machine.

:class:`BodyLimit` refuses (413) a request body over its path's limit: before reading it when its
``Content-Length`` tells, otherwise as soon as the bytes received pass the limit.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reglab.web.refusals import refusal, shown

__all__ = ["LOOPBACK_NAMES", "BodyLimit", "HostGuard", "host_name", "is_host_name"]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")  # the names of this machine that every server answers to
_HOST_HEADER = re.compile(r"(?:\[(?P<address>[0-9a-f:.]+)\]|(?P<name>[a-z0-9_.-]+))(?::\d{1,5})?")
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_DNS_NAME = re.compile(rf"{_LABEL}(\.{_LABEL})*\.?")


def host_name(name: str) -> str:
    """``name`` as hosts are compared: lower case, without IPv6 brackets or a final dot."""
    return name.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")


def is_host_name(name: str) -> bool:
    """True for a DNS name or an IP address, without scheme or port: ``raspberrypi.local``, ``[::1]``."""
    name = host_name(name)
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return _DNS_NAME.fullmatch(name) is not None


def named_host(header: str) -> str | None:
    """The host a ``Host`` header names, port left out (``[::1]:8000`` → ``::1``); None when malformed."""
    match = _HOST_HEADER.fullmatch(header.strip().lower())
    return None if match is None else host_name(match["address"] or match["name"])


class HostGuard:
    """Passes on HTTP requests whose ``Host`` header names one of ``allowed`` (any port); refuses others with 400."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(host_name(name) for name in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = Headers(scope=scope).get("host")
            if header is None or named_host(header) not in self.allowed:
                got = "no Host header" if header is None else shown(header)
                names = ", ".join(sorted(self.allowed))
                message = f"The Host header must name this server ({names}; reglab serve --allow-host adds a name). Got {got} instead."
                await refusal(400, message)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyTooLarge(HTTPException):
    """A request body passed its limit while it was read."""

    def __init__(self, message: str) -> None:
        super().__init__(413, message)


class BodyLimit:
    """Refuses (413) a request body longer than its path's limit: ``paths`` maps a path to its
    ``(bytes, what)``, ``default`` is every other path's; ``what`` names the body in the message."""

    def __init__(self, app: ASGIApp, default: tuple[int, str], paths: Mapping[str, tuple[int, str]]) -> None:
        self.app, self.default, self.paths = app, default, dict(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, what = self.paths.get(scope["path"], self.default)
        length = _content_length(scope)
        if length is not None and length > limit:
            await refusal(413, _too_large(what, limit, f"{length} bytes"))(scope, receive, send)
            return
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b"")) if message["type"] == "http.request" else 0
            if received > limit:
                raise BodyTooLarge(_too_large(what, limit, "more"))
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as exc:  # raised where no exception handler answered it
            if started:
                raise
            await refusal(413, exc.detail)(scope, receive, send)


def _too_large(what: str, limit: int, got: str) -> str:
    return f"The {what} must be at most {limit} bytes. Got {got} instead."


def _content_length(scope: Scope) -> int | None:
    try:
        return int(Headers(scope=scope)["content-length"])
    except (KeyError, ValueError):
        return None
