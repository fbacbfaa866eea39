"""``SQLiteSeenSet``: event ids in an SQLite file, shared by the processes of one machine."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from typing import Callable, TypeVar, Union

from .._sqlite import SQLitePool, create_private_file, immediate
from ._seen import (
    DEFAULT_TTL,
    SeenSetError,
    check_event_id,
    check_mark,
    check_ttl,
    is_own_mark,
    storage_key,
)

__all__ = ["SQLiteSeenSet"]

_T = TypeVar("_T")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS smartcar_webhook_events ("
    " event_id TEXT PRIMARY KEY, expires_at REAL NOT NULL, mark TEXT NOT NULL DEFAULT '')"
)
_ADD_MARK = "ALTER TABLE smartcar_webhook_events ADD COLUMN mark TEXT NOT NULL DEFAULT ''"
_PURGE_EVERY = 1000  # adds between two sweeps of the expired rows


class SQLiteSeenSet:
    """A :class:`~smartcar.webhooks.SeenSet` in an SQLite database file.

    Connections come from the same small pool as :class:`smartcar.tokens.SQLiteStore`'s
    (``smartcar._sqlite``): borrowed per operation, so short-lived threads leave none open;
    forks wait for operations in SQLite and a child opens its own; WAL mode, a busy timeout;
    a file it creates is ``0600``. An id is recorded by
    ``INSERT OR IGNORE`` inside ``BEGIN IMMEDIATE``, so of concurrent workers exactly one
    records it (with its mark; a retry carrying the same mark is told it is its own). Expired
    rows are swept every 1000 additions. The file may be the one of a
    ``SQLiteStore`` (the table names differ).

    Args:
        path: the database file (created with its table when missing); not ``":memory:"``.
        ttl: seconds an id is remembered.
        busy_timeout: seconds a statement waits for another process's write lock.
        clock: returns the current time in seconds (``time.time`` by default).

    Raises:
        ValueError: ``":memory:"``, a non-positive ``ttl`` or ``busy_timeout``.
        SeenSetError: the file cannot be opened or is not an SQLite database.
    """

    def __init__(
        self,
        path: Union[str, os.PathLike[str]],
        *,
        ttl: float = DEFAULT_TTL,
        busy_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = os.fspath(path)
        if self.path == ":memory:" or self.path.startswith("file::memory:"):
            raise ValueError("SQLiteSeenSet needs a database file; use MemorySeenSet for memory")
        self.ttl = check_ttl(ttl)
        if busy_timeout <= 0:
            raise ValueError(f"busy_timeout must be positive, not {busy_timeout!r}")
        self.busy_timeout = float(busy_timeout)
        self._clock = clock
        self._guard = threading.Lock()
        self._adds = 0
        try:
            create_private_file(self.path)
        except OSError as error:
            raise SeenSetError(
                f"SQLite seen-set {self.path!r}: cannot create the database file: {error.strerror}"
            ) from error
        self._pool = SQLitePool(self.path, self.busy_timeout)
        self._run("open", _create_table)

    def __repr__(self) -> str:
        return f"SQLiteSeenSet(path={self.path!r}, ttl={self.ttl!r})"

    def add(self, event_id: str, mark: str = "") -> bool:
        key = storage_key(check_event_id(event_id))
        stored_mark = storage_key(check_mark(mark))
        sweep = self._count_add()

        def record(db: sqlite3.Connection) -> bool:
            now = self._clock()
            with immediate(db):
                if sweep:
                    db.execute("DELETE FROM smartcar_webhook_events WHERE expires_at <= ?", (now,))
                else:
                    db.execute(
                        "DELETE FROM smartcar_webhook_events"
                        " WHERE event_id = ? AND expires_at <= ?",
                        (key, now),
                    )
                cursor = db.execute(
                    "INSERT OR IGNORE INTO smartcar_webhook_events (event_id, expires_at, mark)"
                    " VALUES (?, ?, ?)",
                    (key, now + self.ttl, stored_mark),
                )
                if cursor.rowcount == 1:
                    return True
                row = db.execute(
                    "SELECT mark FROM smartcar_webhook_events WHERE event_id = ?", (key,)
                ).fetchone()
            return row is not None and is_own_mark(row[0], mark)

        return self._run("add", record)

    def discard(self, event_id: str) -> None:
        key = storage_key(check_event_id(event_id))
        self._run(
            "discard",
            lambda db: db.execute("DELETE FROM smartcar_webhook_events WHERE event_id = ?", (key,)),
        )

    def close(self) -> None:
        """Close the idle connections; the seen-set stays usable (it reopens on demand)."""
        self._pool.close()

    def _count_add(self) -> bool:
        with self._guard:
            self._adds += 1
            return self._adds % _PURGE_EVERY == 0

    def _run(self, action: str, operation: Callable[[sqlite3.Connection], _T]) -> _T:
        try:
            return self._pool.run(operation)
        except sqlite3.Error as error:
            message = f"SQLite seen-set {self.path!r}: {action} failed: {error}"
            raise SeenSetError(message) from error


def _create_table(db: sqlite3.Connection) -> None:
    db.execute(_SCHEMA)
    columns = {row[1] for row in db.execute("PRAGMA table_info(smartcar_webhook_events)")}
    if "mark" not in columns:  # a file written before marks existed
        with contextlib.suppress(sqlite3.OperationalError):  # another process added it
            db.execute(_ADD_MARK)
