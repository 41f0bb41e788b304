"""Whether anyone is still watching a run: its streams, its page's heartbeats, and the idle rule.

Shared by a run trained in the server's own threads (:class:`reglab.web.session.PlaygroundRun`) and one trained in a
worker process (:class:`reglab.web.remote.RemoteRun`): a stream ``attach``es a listener called on every new frame
or change of state; a page with an owner token sends heartbeats while it is visible (``heard``). A run is idle when
its page has not been heard for ``idle_timeout`` seconds, or, without an owner, when no stream has been attached
for that long.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["Presence"]


class Presence:
    """Listeners, heartbeats and the idle rule of one run, under the run's condition ``_cond``."""

    def _watched(self, owner: str | None, idle_timeout: float) -> None:
        """Sets up the presence state (call first in ``__init__``): no listener yet, heard now."""
        self.owner, self.idle_timeout = owner, idle_timeout
        self._cond = threading.Condition()
        self._listeners: list[Callable[[], None]] = []  # called on every new frame and change of state
        self._consumers = 0  # streams attached
        self._last_seen = self._heard = time.monotonic()

    def heard(self) -> None:
        """The run's page is there and visible (a heartbeat, or a command)."""
        with self._cond:
            self._heard = time.monotonic()

    def attach(self, listener: Callable[[], None]) -> None:
        """A stream starts reading; ``listener()`` is called on every new frame and change of state."""
        with self._cond:
            self._consumers += 1
            self._listeners.append(listener)
            self._last_seen = self._heard = time.monotonic()
        listener()

    def detach(self, listener: Callable[[], None]) -> None:
        with self._cond:
            self._consumers -= 1
            self._listeners.remove(listener)
            self._last_seen = time.monotonic()

    def _gone(self) -> bool:
        """The idle rule (see the module docstring); call it holding ``_cond``."""
        now = time.monotonic()
        if self.owner is not None:
            return now - self._heard > self.idle_timeout
        return self._consumers == 0 and now - self._last_seen > self.idle_timeout

    def _notify(self) -> None:
        with self._cond:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()
