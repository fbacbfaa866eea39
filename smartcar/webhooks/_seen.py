"""Seen-sets: which event ids were already handed to the app, so a redelivery is not.

Smartcar delivers at least once and keeps the ``eventId`` across retries, so a receiver
remembers the ids it accepted (7 days by default, as Smartcar advises). A seen-set is any
object with the two methods of :class:`SeenSet`; :class:`MemorySeenSet` serves one process,
:class:`~smartcar.webhooks.SQLiteSeenSet` the processes of one machine and
:class:`~smartcar.webhooks.RedisSeenSet` workers on several machines.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Protocol, runtime_checkable

from ..exceptions import SmartcarException

__all__ = ["DEFAULT_TTL", "MemorySeenSet", "SeenSet", "SeenSetError", "check_event_id"]

DEFAULT_TTL = 7 * 24 * 3600.0
"""Seconds an event id is remembered (Smartcar's advice: keep them 7 days)."""


class SeenSetError(SmartcarException):
    """A seen-set's storage could not be reached or used."""


@runtime_checkable
class SeenSet(Protocol):
    """Remembers event ids for a while; ``add`` must be atomic across its users."""

    def add(self, event_id: str) -> bool:
        """Record ``event_id``; return ``True`` if it was not already recorded (and unexpired).

        Of several concurrent calls with the same id, exactly one returns ``True``.
        """
        ...

    def discard(self, event_id: str) -> None:
        """Forget ``event_id`` (no error when unknown), so its next delivery is accepted."""
        ...


class MemorySeenSet:
    """A :class:`SeenSet` in this process's memory, safe across threads.

    Args:
        ttl: seconds an id is remembered.
        max_entries: at most this many ids are kept; past it the oldest are forgotten early
            (so memory stays bounded whatever the delivery rate).
        clock: returns the current time in seconds (``time.time`` by default).

    Raises:
        ValueError: a non-positive ``ttl`` or ``max_entries``.
    """

    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        *,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ttl = check_ttl(ttl)
        if not isinstance(max_entries, int) or isinstance(max_entries, bool) or max_entries < 1:
            raise ValueError(f"max_entries must be a positive int, not {max_entries!r}")
        self.max_entries = max_entries
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemorySeenSet(ttl={self.ttl!r}, max_entries={self.max_entries!r})"

    def __len__(self) -> int:
        with self._lock:
            self._purge(self._clock())
            return len(self._expiry)

    def add(self, event_id: str) -> bool:
        check_event_id(event_id)
        with self._lock:
            now = self._clock()
            self._purge(now)
            expires = self._expiry.get(event_id)
            if expires is not None and expires > now:
                return False
            self._expiry.pop(event_id, None)
            self._expiry[event_id] = now + self.ttl
            while len(self._expiry) > self.max_entries:
                self._expiry.popitem(last=False)
            return True

    def discard(self, event_id: str) -> None:
        check_event_id(event_id)
        with self._lock:
            self._expiry.pop(event_id, None)

    def _purge(self, now: float) -> None:
        # Every id gets the same ttl, so insertion order is expiry order.
        while self._expiry:
            oldest = next(iter(self._expiry.values()))
            if oldest > now:
                return
            self._expiry.popitem(last=False)


def check_event_id(event_id: Any) -> str:
    """Return ``event_id`` if it is a non-empty str, else raise ``ValueError``."""
    if not isinstance(event_id, str) or not event_id:
        raise ValueError(f"event_id must be a non-empty string, not {event_id!r}")
    return event_id


def check_ttl(ttl: Any) -> float:
    """Return ``ttl`` as a float if it is a positive finite number, else raise ``ValueError``."""
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not 0 < ttl < float("inf"):
        raise ValueError(f"ttl must be a positive number of seconds, not {ttl!r}")
    return float(ttl)
