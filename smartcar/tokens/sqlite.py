"""``SQLiteStore``: the embedded default, safe across threads and processes on one machine."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from typing import Any, Callable, List, Optional, TypeVar, Union

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

    The database runs in WAL mode (readers never wait for the writer). Each thread of each
    process gets its own connection (a forked child opens new ones). Refresh locks are rows of
    the ``smartcar_token_locks`` table, taken in a ``BEGIN IMMEDIATE`` transaction, with an
    expiry time, so a lock held by a killed worker is free again once it expires.

    Args:
        path: the database file (created with its tables when missing). ``":memory:"`` is
            refused: each connection would see its own database; use ``MemoryStore``.
        busy_timeout: seconds a statement waits for another process's write lock before
            :class:`~smartcar.exceptions.TokenStoreException` is raised.

    Raises:
        ValueError: ``":memory:"`` or a non-positive ``busy_timeout``.
        TokenStoreException: the file cannot be opened or is not an SQLite database.
    """

    def __init__(self, path: Union[str, os.PathLike[str]], *, busy_timeout: float = 10.0) -> None:
        self.path = os.fspath(path)
        if self.path == ":memory:" or self.path.startswith("file::memory:"):
            raise ValueError("SQLiteStore needs a database file; use MemoryStore for memory")
        if busy_timeout <= 0:
            raise ValueError(f"busy_timeout must be positive, not {busy_timeout!r}")
        self.busy_timeout = float(busy_timeout)
        self._local = threading.local()
        self._all: List[sqlite3.Connection] = []
        self._all_guard = threading.Lock()
        self._pid = os.getpid()
        self._run("open", self._create_schema)

    def __repr__(self) -> str:
        return f"SQLiteStore(path={self.path!r})"

    # TokenStore ---------------------------------------------------------------------------

    def load(self, key: str) -> Optional[str]:
        check_key(key)

        def read(db: sqlite3.Connection) -> Optional[str]:
            row = db.execute("SELECT record FROM smartcar_tokens WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            value = row[0]
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
            with _immediate(db):
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
        """Close every connection this store opened in this process."""
        with self._all_guard:
            connections, self._all = self._all, []
        for connection in connections:
            with contextlib.suppress(sqlite3.Error):
                connection.close()
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        pid = os.getpid()
        db: Optional[sqlite3.Connection] = getattr(self._local, "db", None)
        if db is not None and getattr(self._local, "pid", None) == pid:
            return db
        with self._all_guard:
            if self._pid != pid:  # a forked child never touches its parent's connections
                self._pid, self._all = pid, []
                self._local = threading.local()
        db = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            mode = db.execute("PRAGMA journal_mode").fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            db.close()
            raise
        self._local.db = db
        self._local.pid = pid
        with self._all_guard:
            self._all.append(db)
        return db

    def _create_schema(self, db: sqlite3.Connection) -> None:
        with _immediate(db):
            for statement in _SCHEMA:
                db.execute(statement)

    def _run(self, action: str, operation: Callable[[sqlite3.Connection], _T]) -> _T:
        try:
            return operation(self._connection())
        except sqlite3.Error as error:
            raise TokenStoreException(
                f"SQLite token store {self.path!r}: {action} failed: {error}"
            ) from error


class _immediate:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        if kind is None:
            self.db.execute("COMMIT")
        else:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
