"""A small pool of SQLite connections to one database file, for the SDK's SQLite stores.

Used by :class:`smartcar.tokens.SQLiteStore` and :class:`smartcar.webhooks.SQLiteSeenSet`.
Operations borrow a connection (at most :data:`MAX_IDLE` stay open while idle), so threads
that come and go, such as a threaded web server's, leave no connection behind. Every
operation passes through :data:`smartcar.tokens._fork.FORK_GATE`: a fork waits until no
operation is inside SQLite, and the child drops the parent's connections and opens its own.
Connections run in WAL mode with a busy timeout. A database file the pool creates is
readable and writable by its owner only (``0600``; SQLite gives its ``-wal`` and ``-shm``
files the same mode).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from typing import Any, Callable, List, Tuple, TypeVar

from .tokens._fork import FORK_GATE

__all__ = ["MAX_IDLE", "SQLitePool", "create_private_file", "immediate"]

_T = TypeVar("_T")

FILE_MODE = 0o600
MAX_IDLE = 8
"""Idle connections kept open for the next operations; more concurrent ones are closed after use."""

_ABANDONED: List[sqlite3.Connection] = []
"""Connections a forked child inherited while they were in use: never touched again."""


class SQLitePool:
    """Connections to the database file ``path``, borrowed one operation at a time.

    Args:
        path: the database file (not created here: see :func:`create_private_file`).
        busy_timeout: seconds a statement waits for another process's write lock.
    """

    def __init__(self, path: str, busy_timeout: float) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self._guard = threading.Lock()
        self._idle: List[sqlite3.Connection] = []
        self._generation = 0
        FORK_GATE.register(self)

    def run(self, operation: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``operation`` on a borrowed connection and return its result.

        Raises:
            sqlite3.Error: opening a connection or the operation failed (the caller words it).
        """
        with FORK_GATE.operation():
            db, generation = self._checkout()
            try:
                return operation(db)
            finally:
                self._checkin(db, generation)

    def close(self) -> None:
        """Close the idle connections; those in use close when their operation ends.

        The pool stays usable: the next operation opens a connection again.
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
            if generation == self._generation and len(self._idle) < MAX_IDLE:
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
            self._use_wal(db)
            db.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            _close(db)
            raise
        return db

    def _use_wal(self, db: sqlite3.Connection) -> None:
        # Switching a new file to WAL needs its exclusive lock, and SQLite answers "database is
        # locked" at once, without its busy handler, when other processes open the same new
        # file at the same moment: wait for them here, up to the busy timeout.
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                mode = db.execute("PRAGMA journal_mode").fetchall()
                if not mode or str(mode[0][0]).lower() != "wal":
                    db.execute("PRAGMA journal_mode = WAL").fetchall()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
            time.sleep(0.005)


def _close(db: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        db.close()


def create_private_file(path: str) -> None:
    """Create ``path`` with mode 0600 if it does not exist (SQLite would make it 0644).

    Raises:
        OSError: the file cannot be created.
    """
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(descriptor)


class immediate:
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
