"""``DjangoSeenSet``: the webhook event ids handed over, in the project's database."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Callable

from smartcar.webhooks import DEFAULT_TTL, SeenSetError
from smartcar.webhooks._seen import check_event_id, check_ttl

from ._db import Database
from .models import SeenEvent

__all__ = ["DjangoSeenSet", "digest"]

_PURGE_EVERY = 1000  # adds between two sweeps of the expired rows


def digest(text: str) -> str:
    """The SHA-256 (hex) of ``text``; lone surrogates are hashed too, not refused."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class DjangoSeenSet:
    """A :class:`~smartcar.webhooks.SeenSet` on a Django database, shared by every worker.

    An id is recorded by inserting its row (after deleting the row of the same id once it has
    expired) in one transaction, so of the workers that receive one delivery at the same
    time, exactly one inserts it. Rows hold the SHA-256 of the id, so any str is an id.
    Expired rows are swept every 1000 additions.

    ``add(event_id, mark)`` returns ``True`` when the id was not recorded (or had expired), or
    when it was recorded with the same non-empty ``mark``: the caller's own earlier attempt,
    whose answer was lost. Any other time ``False``.

    Args:
        using: the database alias (``"default"``).
        ttl: seconds an id is remembered (7 days).
        clock: returns the current time in seconds (``time.time`` by default).

    Raises:
        ValueError: an empty ``using`` or a non-positive ``ttl``.
    """

    def __init__(
        self,
        using: str = "default",
        *,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = Database(using, SeenSetError, "Django seen-set")
        self.using = using
        self.ttl = check_ttl(ttl)
        self._clock = clock
        self._guard = threading.Lock()
        self._adds = 0

    def __repr__(self) -> str:
        return f"DjangoSeenSet(using={self.using!r}, ttl={self.ttl!r})"

    def add(self, event_id: str, mark: str = "") -> bool:
        check_event_id(event_id)
        if not isinstance(mark, str):
            raise ValueError(f"mark must be a str, not {type(mark).__name__}")
        key = digest(event_id)
        stamp = digest(mark) if mark else ""
        sweep = self._count_add()

        def record() -> bool:
            now = self._clock()
            rows = SeenEvent.objects.using(self.using)
            if sweep:
                rows.filter(expires_at__lte=now).delete()
            else:
                rows.filter(digest=key, expires_at__lte=now).delete()
            if self._db.insert(SeenEvent(digest=key, mark=stamp, expires_at=now + self.ttl)):
                return True
            if not stamp:
                return False
            return bool(rows.filter(digest=key, mark=stamp).exists())

        return self._db.run("add", record)

    def discard(self, event_id: str) -> None:
        check_event_id(event_id)
        key = digest(event_id)
        self._db.run(
            "discard", lambda: SeenEvent.objects.using(self.using).filter(digest=key).delete()
        )

    def _count_add(self) -> bool:
        with self._guard:
            self._adds += 1
            return self._adds % _PURGE_EVERY == 0
