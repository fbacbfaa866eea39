"""``SQLiteStore``: the embedded default, safe across threads and processes on one machine."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from typing import Any, Callable, List, Optional, Tuple, TypeVar, Union

from ..exceptions import TokenStoreException
from ._fork import FORK_GATE
from .store import check_key

__all__ = ["SQLiteStore"]

_T = TypeVar("_T")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS smartcar_tokens ("
    " key TEXT PRIMARY KEY, record TEXT NOT NULL, updated_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS smartcar_token_locks ("
    " key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL)",
)

_FILE_MODE = 0o600
_MAX_IDLE = 8
"""Idle connections kept open for the next operations; more concurrent ones are closed after use."""


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
        self._guard = threading.Lock()
        self._idle: List[sqlite3.Connection] = []
        self._generation = 0
        FORK_GATE.register(self)
        _create_private_file(self.path)
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
        """Close the idle connections of this store; those in use close when their operation ends.

        The store stays usable: the next operation opens a connection again.
        """
        with self._guard:
            idle, self._idle = self._idle, []
            self._generation += 1
        for connection in idle:
            _close(connection)

    def after_fork_in_child(self, drained: bool) -> None:
        """In a forked child: never use the parent's connections again (see ``_fork``)."""
        idle, self._idle = self._idle, []
        self._guard = threading.Lock()
        self._generation += 1
        if drained:  # no thread was inside SQLite at the fork, so closing cannot hang
            for connection in idle:
                _close(connection)
        else:
            _ABANDONED.extend(idle)

    def _run(self, action: str, operation: Callable[[sqlite3.Connection], _T]) -> _T:
        with FORK_GATE.operation():
            try:
                db, generation = self._checkout()
            except sqlite3.Error as error:
                raise self._failure(action, error) from error
            try:
                return operation(db)
            except sqlite3.Error as error:
                raise self._failure(action, error) from error
            finally:
                self._checkin(db, generation)

    def _failure(self, action: str, error: sqlite3.Error) -> TokenStoreException:
        return TokenStoreException(f"SQLite token store {self.path!r}: {action} failed: {error}")

    def _checkout(self) -> Tuple[sqlite3.Connection, int]:
        with self._guard:
            generation = self._generation
            if self._idle:
                return self._idle.pop(), generation
        return self._open(), generation

    def _checkin(self, db: sqlite3.Connection, generation: int) -> None:
        if db.in_transaction:  # an operation that failed half-way: never hand that on
            _close(db)
            return
        with self._guard:
            if generation == self._generation and len(self._idle) < _MAX_IDLE:
                self._idle.append(db)
                return
        _close(db)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout,
            isolation_level=None,
            check_same_thread=False,  # one thread at a time, but not always the same one
        )
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            mode = db.execute("PRAGMA journal_mode").fetchall()
            if not mode or str(mode[0][0]).lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL").fetchall()
            db.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            _close(db)
            raise
        return db

    def _create_schema(self, db: sqlite3.Connection) -> None:
        with _immediate(db):
            for statement in _SCHEMA:
                db.execute(statement)


_ABANDONED: List[sqlite3.Connection] = []
"""Connections a forked child inherited while they were in use: never touched again."""


def _close(db: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        db.close()


def _create_private_file(path: str) -> None:
    """Create ``path`` with mode 0600 if it does not exist (SQLite would make it 0644)."""
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, _FILE_MODE)
    except FileExistsError:
        return
    except OSError as error:
        raise TokenStoreException(
            f"SQLite token store {path!r}: cannot create the database file: {error.strerror}"
        ) from error
    os.close(descriptor)


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
