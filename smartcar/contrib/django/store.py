"""``DjangoTokenStore``: token records, refresh locks and the call meter in the project's
database, through the ORM (the tables of :mod:`smartcar.contrib.django.models`)."""

from __future__ import annotations

import time
from typing import Optional, Tuple

from django.db.models import F

from smartcar.exceptions import TokenStoreException
from smartcar.tokens.meter import check_month, check_name, check_until, previous_month
from smartcar.tokens.store import check_key

from ._db import Database
from .models import CallCount, Hold, Token, TokenLock

__all__ = ["DjangoTokenStore"]


class DjangoTokenStore:
    """A :class:`~smartcar.tokens.store.TokenStore` and
    :class:`~smartcar.tokens.meter.CallMeter` on a Django database (PostgreSQL, SQLite, ...).

    Every operation is one transaction. ``replace`` is an ``UPDATE ... WHERE record =
    expected``; a lock is a ``smartcar_token_lock`` row with an expiry, taken by deleting an
    expired (or the owner's own) row and inserting, so of concurrent workers exactly one gets
    it, and a lock of a killed worker is free once it expires. Call counts are incremented in
    the database (``calls = calls + 1``), so no worker's call is lost.

    Use it outside a transaction of your own (or on a database alias of its own, pointing at
    the same database): inside one, a rolled-back request would take a rotated refresh token
    with it.

    Args:
        using: the database alias (``"default"``).

    Raises:
        ValueError: ``using`` is not a non-empty str.
    """

    def __init__(self, using: str = "default") -> None:
        self._db = Database(using, TokenStoreException, "Django token store")
        self.using = using
        # Two stores on one alias share the data (see smartcar.tokens.store).
        self.location: Tuple[str, str] = ("django", using)
        self._newest_month = ""

    def __repr__(self) -> str:
        return f"DjangoTokenStore(using={self.using!r})"

    # TokenStore ---------------------------------------------------------------------------

    def load(self, key: str) -> Optional[str]:
        check_key(key)
        rows = self._db.run(
            "read",
            lambda: list(
                Token.objects.using(self.using).filter(key=key).values_list("record", flat=True)
            ),
        )
        return str(rows[0]) if rows else None

    def save(self, key: str, record: str) -> None:
        check_key(key)

        def write() -> None:
            now = time.time()
            rows = Token.objects.using(self.using).filter(key=key)
            if rows.update(record=record, updated_at=now):
                return
            if not self._db.insert(Token(key=key, record=record, updated_at=now)):
                rows.update(record=record, updated_at=now)

        self._db.run("write", write)

    def replace(self, key: str, expected: str, record: str) -> bool:
        check_key(key)
        changed: int = self._db.run(
            "write",
            lambda: (
                Token.objects.using(self.using)
                .filter(key=key, record=expected)
                .update(record=record, updated_at=time.time())
            ),
        )
        return changed == 1

    def delete(self, key: str) -> None:
        check_key(key)
        self._db.run("write", lambda: Token.objects.using(self.using).filter(key=key).delete())

    def acquire(self, key: str, owner: str, ttl: float) -> bool:
        check_key(key)

        def take() -> bool:
            now = time.time()
            locks = TokenLock.objects.using(self.using)
            locks.filter(key=key, expires_at__lte=now).delete()
            locks.filter(key=key, owner=owner).delete()
            return self._db.insert(TokenLock(key=key, owner=owner, expires_at=now + ttl))

        return self._db.run("lock", take)

    def release(self, key: str, owner: str) -> None:
        check_key(key)
        self._db.run(
            "unlock",
            lambda: TokenLock.objects.using(self.using).filter(key=key, owner=owner).delete(),
        )

    # CallMeter ----------------------------------------------------------------------------

    def add_call(self, vehicle_id: str, month: str) -> int:
        check_name("vehicle_id", vehicle_id)
        check_month(month)
        purge = self._purge_due(month)

        def count() -> int:
            if purge:
                self._purge_before(month)
            self._upsert_count(vehicle_id, month, calls=True)
            return int(
                CallCount.objects.using(self.using)
                .filter(vehicle_id=vehicle_id, month=month)
                .values_list("calls", flat=True)[0]
            )

        return self._db.run("count", count)

    def calls(self, vehicle_id: str, month: str) -> int:
        row = self._meter_row(vehicle_id, month)
        return int(row[0]) if row else 0

    def mark_spent(self, vehicle_id: str, month: str) -> None:
        check_name("vehicle_id", vehicle_id)
        check_month(month)
        purge = self._purge_due(month)

        def mark() -> None:
            if purge:
                self._purge_before(month)
            self._upsert_count(vehicle_id, month, calls=False)

        self._db.run("write", mark)

    def is_spent(self, vehicle_id: str, month: str) -> bool:
        row = self._meter_row(vehicle_id, month)
        return bool(row and row[1])

    def hold(self, scope: str, until: float) -> None:
        check_name("scope", scope)
        until = check_until(until)

        def write() -> None:
            holds = Hold.objects.using(self.using)
            if not self._db.insert(Hold(scope=scope, until=until)):
                holds.filter(scope=scope, until__lt=until).update(until=until)

        self._db.run("write", write)

    def held_until(self, scope: str) -> float:
        check_name("scope", scope)
        rows = self._db.run(
            "read",
            lambda: list(
                Hold.objects.using(self.using).filter(scope=scope).values_list("until", flat=True)
            ),
        )
        return float(rows[0]) if rows else 0.0

    def _upsert_count(self, vehicle_id: str, month: str, *, calls: bool) -> None:
        """Count a call (``calls``) or mark the month spent, creating the row when missing."""
        rows = CallCount.objects.using(self.using).filter(vehicle_id=vehicle_id, month=month)
        change = {"calls": F("calls") + 1} if calls else {"spent": True}
        if rows.update(**change):
            return
        row = CallCount(vehicle_id=vehicle_id, month=month, calls=int(calls), spent=not calls)
        if not self._db.insert(row):
            rows.update(**change)

    def _meter_row(self, vehicle_id: str, month: str) -> Optional[Tuple[int, bool]]:
        check_name("vehicle_id", vehicle_id)
        check_month(month)
        rows = self._db.run(
            "read",
            lambda: list(
                CallCount.objects.using(self.using)
                .filter(vehicle_id=vehicle_id, month=month)
                .values_list("calls", "spent")
            ),
        )
        return (int(rows[0][0]), bool(rows[0][1])) if rows else None

    def _purge_due(self, month: str) -> bool:
        """Whether ``month`` is the newest this store has written (its first write purges)."""
        if month <= self._newest_month:
            return False
        self._newest_month = month
        return True

    def _purge_before(self, month: str) -> None:
        CallCount.objects.using(self.using).filter(month__lt=previous_month(month)).delete()
