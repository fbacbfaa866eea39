"""``SQLiteStore``: the embedded default, safe across threads and processes on one machine."""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Any, Callable, List, Optional, Tuple, TypeVar, Union

from .._sqlite import SQLitePool, create_private_file, immediate
from ..exceptions import TokenStoreException
from .meter import check_month, check_name, check_until, previous_month
from .store import check_key

__all__ = ["SQLiteStore"]

_T = TypeVar("_T")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS smartcar_tokens ("
    " key TEXT PRIMARY KEY, record TEXT NOT NULL, updated_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS smartcar_token_locks ("
    " key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS smartcar_call_counts ("
    " vehicle_id TEXT NOT NULL, month TEXT NOT NULL, calls INTEGER NOT NULL DEFAULT 0,"
    " spent INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (vehicle_id, month))",
    "CREATE TABLE IF NOT EXISTS smartcar_holds (scope TEXT PRIMARY KEY, until REAL NOT NULL)",
)


class SQLiteStore:
    """A :class:`~smartcar.tokens.store.TokenStore` and
    :class:`~smartcar.tokens.meter.CallMeter` in an SQLite database file.

    The database runs in WAL mode (readers never wait for the writer). Operations borrow a
    connection from a small pool (at most ``8`` stay open while idle), so threads that come
    and go, such as a threaded web server's, do not leave connections behind. A fork waits
    until no operation of any ``SQLiteStore`` is inside SQLite, and the child drops the
    parent's connections and opens its own. Refresh locks are rows of the
    ``smartcar_token_locks`` table, taken in a ``BEGIN IMMEDIATE`` transaction, with an
    expiry time, so a lock held by a killed worker is free again once it expires.

    Call counts are rows of ``smartcar_call_counts`` (vehicle, month, calls, spent), counted
    up inside one ``BEGIN IMMEDIATE`` transaction, so the processes sharing the file never
    lose a call; rows of months before the previous one are deleted when a store first counts
    a newer month. The app-wide pause is a row of ``smartcar_holds``.

    A database file this store creates is readable and writable by its owner only (``0600``;
    SQLite gives its ``-wal`` and ``-shm`` files the same mode). An existing file keeps its mode.

    Args:
        path: the database file (created with its tables when missing). ``":memory:"`` is
            refused: each connection would see its own database; use ``MemoryStore``.
        busy_timeout: seconds a statement waits for another process's write lock before
            :class:`~smartcar.exceptions.TokenStoreException` is raised.

    Raises:
        ValueError: ``":memory:"`` or a non-positive ``busy_timeout``.
        TokenStoreException: the file cannot be created or opened, or is not an SQLite database.
    """

    def __init__(self, path: Union[str, os.PathLike[str]], *, busy_timeout: float = 10.0) -> None:
        self.path = os.fspath(path)
        if self.path == ":memory:" or self.path.startswith("file::memory:"):
            raise ValueError("SQLiteStore needs a database file; use MemoryStore for memory")
        if (
            not isinstance(busy_timeout, (int, float))
            or isinstance(busy_timeout, bool)
            or not 0 < busy_timeout < 1e6
        ):
            raise ValueError(
                f"busy_timeout must be a positive number of seconds, not {busy_timeout!r}"
            )
        self.busy_timeout = float(busy_timeout)
        # Names the data (two stores of one file share it), for the pairs a manager holds.
        self.location = os.path.realpath(self.path)
        try:
            create_private_file(self.path)
        except OSError as error:
            raise TokenStoreException(
                f"SQLite token store {self.path!r}: cannot create the database file: "
                f"{error.strerror}"
            ) from error
        self._pool = SQLitePool(self.path, self.busy_timeout)
        self._newest_month = ""
        self._run("open", self._create_schema)

    def __repr__(self) -> str:
        return f"SQLiteStore(path={self.path!r})"

    # TokenStore ---------------------------------------------------------------------------

    def load(self, key: str) -> Optional[str]:
        check_key(key)

        def read(db: sqlite3.Connection) -> Optional[str]:
            rows = db.execute("SELECT record FROM smartcar_tokens WHERE key = ?", (key,)).fetchall()
            if not rows:
                return None
            value = rows[0][0]
            if isinstance(value, bytes):
                try:
                    return value.decode("utf-8")
                except UnicodeDecodeError:
                    raise TokenStoreException(
                        f"the token record of key {key!r} is not UTF-8 text"
                    ) from None
            return str(value)

        return self._run("read", read)

    def save(self, key: str, record: str) -> None:
        check_key(key)
        self._run(
            "write",
            lambda db: db.execute(
                "INSERT INTO smartcar_tokens (key, record, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET record = excluded.record,"
                " updated_at = excluded.updated_at",
                (key, record, time.time()),
            ),
        )

    def replace(self, key: str, expected: str, record: str) -> bool:
        check_key(key)
        cursor = self._run(
            "write",
            lambda db: db.execute(
                "UPDATE smartcar_tokens SET record = ?, updated_at = ?"
                " WHERE key = ? AND record = ?",
                (record, time.time(), key, expected),
            ),
        )
        return cursor.rowcount == 1

    def delete(self, key: str) -> None:
        check_key(key)
        self._run(
            "write", lambda db: db.execute("DELETE FROM smartcar_tokens WHERE key = ?", (key,))
        )

    def acquire(self, key: str, owner: str, ttl: float) -> bool:
        check_key(key)

        def take(db: sqlite3.Connection) -> bool:
            now = time.time()
            with immediate(db):
                db.execute(
                    "DELETE FROM smartcar_token_locks"
                    " WHERE key = ? AND (expires_at <= ? OR owner = ?)",
                    (key, now, owner),
                )
                cursor = db.execute(
                    "INSERT OR IGNORE INTO smartcar_token_locks (key, owner, expires_at)"
                    " VALUES (?, ?, ?)",
                    (key, owner, now + ttl),
                )
                return cursor.rowcount == 1

        return self._run("lock", take)

    def release(self, key: str, owner: str) -> None:
        check_key(key)
        self._run(
            "unlock",
            lambda db: db.execute(
                "DELETE FROM smartcar_token_locks WHERE key = ? AND owner = ?", (key, owner)
            ),
        )

    # CallMeter ----------------------------------------------------------------------------

    def add_call(self, vehicle_id: str, month: str) -> int:
        check_name("vehicle_id", vehicle_id)
        check_month(month)
        purge = self._purge_due(month)

        def count(db: sqlite3.Connection) -> int:
            with immediate(db):
                if purge:
                    _purge_before(db, month)
                db.execute(
                    "INSERT INTO smartcar_call_counts (vehicle_id, month, calls) VALUES (?, ?, 1)"
                    " ON CONFLICT (vehicle_id, month) DO UPDATE SET calls = calls + 1",
                    (vehicle_id, month),
                )
                rows = db.execute(
                    "SELECT calls FROM smartcar_call_counts WHERE vehicle_id = ? AND month = ?",
                    (vehicle_id, month),
                ).fetchall()
                return int(rows[0][0])

        return self._run("count", count)

    def calls(self, vehicle_id: str, month: str) -> int:
        rows = self._meter_row(vehicle_id, month)
        return int(rows[0][0]) if rows else 0

    def mark_spent(self, vehicle_id: str, month: str) -> None:
        check_name("vehicle_id", vehicle_id)
        check_month(month)
        purge = self._purge_due(month)

        def mark(db: sqlite3.Connection) -> None:
            with immediate(db):
                if purge:
                    _purge_before(db, month)
                db.execute(
                    "INSERT INTO smartcar_call_counts (vehicle_id, month, spent) VALUES (?, ?, 1)"
                    " ON CONFLICT (vehicle_id, month) DO UPDATE SET spent = 1",
                    (vehicle_id, month),
                )

        self._run("write", mark)

    def is_spent(self, vehicle_id: str, month: str) -> bool:
        rows = self._meter_row(vehicle_id, month)
        return bool(rows and rows[0][1])

    def hold(self, scope: str, until: float) -> None:
        check_name("scope", scope)
        until = check_until(until)
        self._run(
            "write",
            lambda db: db.execute(
                "INSERT INTO smartcar_holds (scope, until) VALUES (?, ?)"
                " ON CONFLICT (scope) DO UPDATE SET until = MAX(until, excluded.until)",
                (scope, until),
            ),
        )

    def held_until(self, scope: str) -> float:
        check_name("scope", scope)
        rows = self._run(
            "read",
            lambda db: db.execute(
                "SELECT until FROM smartcar_holds WHERE scope = ?", (scope,)
            ).fetchall(),
        )
        return float(rows[0][0]) if rows else 0.0

    def _meter_row(self, vehicle_id: str, month: str) -> List[Tuple[Any, ...]]:
        check_name("vehicle_id", vehicle_id)
        check_month(month)
        rows: List[Tuple[Any, ...]] = self._run(
            "read",
            lambda db: db.execute(
                "SELECT calls, spent FROM smartcar_call_counts WHERE vehicle_id = ? AND month = ?",
                (vehicle_id, month),
            ).fetchall(),
        )
        return rows

    def _purge_due(self, month: str) -> bool:
        """Whether ``month`` is the newest this store has written (its first write purges)."""
        if month <= self._newest_month:
            return False
        self._newest_month = month
        return True

    # Connections --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the idle connections of this store; those in use close when their operation ends.

        The store stays usable: the next operation opens a connection again.
        """
        self._pool.close()

    def _run(self, action: str, operation: Callable[[sqlite3.Connection], _T]) -> _T:
        try:
            return self._pool.run(operation)
        except sqlite3.Error as error:
            raise TokenStoreException(
                f"SQLite token store {self.path!r}: {action} failed: {error}"
            ) from error

    def _create_schema(self, db: sqlite3.Connection) -> None:
        with immediate(db):
            for statement in _SCHEMA:
                db.execute(statement)


def _purge_before(db: sqlite3.Connection, month: str) -> None:
    """Delete the counts of months before the one preceding ``month``."""
    db.execute("DELETE FROM smartcar_call_counts WHERE month < ?", (previous_month(month),))
