"""``SQLiteStore``: the embedded default, safe across threads and processes on one machine."""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Callable, Optional, TypeVar, Union

from .._sqlite import SQLitePool, create_private_file, immediate
from ..exceptions import TokenStoreException
from .store import check_key

__all__ = ["SQLiteStore"]

_T = TypeVar("_T")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS smartcar_tokens ("
    " key TEXT PRIMARY KEY, record TEXT NOT NULL, updated_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS smartcar_token_locks ("
    " key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL)",
)


class SQLiteStore:
    """A :class:`~smartcar.tokens.store.TokenStore` in an SQLite database file.

    The database runs in WAL mode (readers never wait for the writer). Operations borrow a
    connection from a small pool (at most ``8`` stay open while idle), so threads that come
    and go, such as a threaded web server's, do not leave connections behind. A fork waits
    until no operation of any ``SQLiteStore`` is inside SQLite, and the child drops the
    parent's connections and opens its own. Refresh locks are rows of the
    ``smartcar_token_locks`` table, taken in a ``BEGIN IMMEDIATE`` transaction, with an
    expiry time, so a lock held by a killed worker is free again once it expires.

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
