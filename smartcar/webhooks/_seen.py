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
from typing import Any, Callable, Protocol, Tuple, Union, runtime_checkable

from ..exceptions import SmartcarException
from ._signature import is_unicode

__all__ = [
    "DEFAULT_TTL",
    "MemorySeenSet",
    "SeenSet",
    "SeenSetError",
    "check_event_id",
    "check_mark",
    "is_own_mark",
    "storage_key",
]

DEFAULT_TTL = 7 * 24 * 3600.0
"""Seconds an event id is remembered (Smartcar's advice: keep them 7 days)."""


class SeenSetError(SmartcarException):
    """A seen-set's storage could not be reached or used."""


@runtime_checkable
class SeenSet(Protocol):
    """Remembers event ids for a while; ``add`` must be atomic across its users.

    The ``mark`` makes a retried ``add`` safe: a storage whose reply was lost may have recorded
    the id, and the caller, retrying with the same mark, is told it is its own record. The
    :class:`~smartcar.webhooks.Receiver` passes a fresh random mark per delivery.
    """

    def add(self, event_id: str, mark: str = "") -> bool:
        """Record ``event_id`` with ``mark``; return ``True`` if it was not recorded (or its
        record expired), or if it is recorded with this same non-empty ``mark`` (the caller's
        own earlier attempt); ``False`` otherwise.

        Of several concurrent calls with the same id and distinct marks, exactly one returns
        ``True``. ``mark=""`` recognises no earlier attempt.
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
        self._expiry: OrderedDict[str, Tuple[float, str]] = OrderedDict()  # id -> (expiry, mark)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemorySeenSet(ttl={self.ttl!r}, max_entries={self.max_entries!r})"

    def __len__(self) -> int:
        with self._lock:
            self._purge(self._clock())
            return len(self._expiry)

    def add(self, event_id: str, mark: str = "") -> bool:
        check_event_id(event_id)
        check_mark(mark)
        with self._lock:
            now = self._clock()
            self._purge(now)
            recorded = self._expiry.get(event_id)
            if recorded is not None and recorded[0] > now:
                return is_own_mark(recorded[1], mark)
            self._expiry.pop(event_id, None)
            self._expiry[event_id] = (now + self.ttl, mark)
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
            oldest, _ = next(iter(self._expiry.values()))
            if oldest > now:
                return
            self._expiry.popitem(last=False)


def check_event_id(event_id: Any) -> str:
    """Return ``event_id`` if it is a non-empty str, else raise ``ValueError``."""
    if not isinstance(event_id, str) or not event_id:
        raise ValueError(f"event_id must be a non-empty string, not {event_id!r}")
    return event_id


def check_mark(mark: Any) -> str:
    """Return ``mark`` if it is a str, else raise ``ValueError``."""
    if not isinstance(mark, str):
        raise ValueError(f"mark must be a string, not {type(mark).__name__}")
    return mark


def is_own_mark(recorded: Any, mark: str) -> bool:
    """Whether an id recorded with ``recorded`` was recorded by the caller holding ``mark``."""
    if isinstance(recorded, bytes):
        recorded = recorded.decode("utf-8", "surrogatepass")
    return bool(mark) and recorded == mark


def storage_key(event_id: str) -> Union[str, bytes]:
    """``event_id`` as a database stores it: the str itself, or, for a str that is not valid
    Unicode (JSON can carry a lone surrogate), its UTF-8 bytes with the surrogates kept."""
    return event_id if is_unicode(event_id) else event_id.encode("utf-8", "surrogatepass")


def check_ttl(ttl: Any) -> float:
    """Return ``ttl`` as a float if it is a positive finite number, else raise ``ValueError``."""
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not 0 < ttl < float("inf"):
        raise ValueError(f"ttl must be a positive number of seconds, not {ttl!r}")
    return float(ttl)
