"""A gate that keeps ``os.fork`` out of SQLite calls, and resets SQLite stores in the child.

A thread inside SQLite holds SQLite's mutexes. If another thread forks at that moment, the
child inherits them locked, with no thread left to unlock them: its first SQLite call (or
the clean-up of the parent's connections) then hangs forever. So every operation of an
:class:`~smartcar.tokens.SQLiteStore` passes through :data:`FORK_GATE`; a fork waits until
no operation is in progress (at most :data:`FORK_WAIT` seconds) and new operations wait
until the fork is done. In the child, each store drops the parent's connections.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import weakref
from typing import Iterator, Protocol

__all__ = ["FORK_GATE", "FORK_WAIT", "ForkAware", "ForkGate"]

logger = logging.getLogger("smartcar.tokens")

FORK_WAIT = 30.0
"""Seconds a fork waits for the SQLite operations in progress before going ahead anyway."""


class ForkAware(Protocol):
    def after_fork_in_child(self, drained: bool) -> None:
        """Forget the parent's connections; close them only when ``drained`` (none was in use)."""
        ...


class ForkGate:
    """Operations enter and leave freely, except while a fork is waiting or under way."""

    def __init__(self) -> None:
        self._members: weakref.WeakSet[ForkAware] = weakref.WeakSet()
        self._reset()

    def _reset(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._active = 0
        self._forking = False
        self._drained = True

    def register(self, member: ForkAware) -> None:
        """Call ``member.after_fork_in_child`` in every forked child (weakly referenced)."""
        self._members.add(member)

    @contextlib.contextmanager
    def operation(self) -> Iterator[None]:
        """Hold off forks for the duration of the ``with`` block."""
        with self._condition:
            while self._forking:
                self._condition.wait()
            self._active += 1
        try:
            yield
        finally:
            with self._condition:
                self._active -= 1
                if self._active == 0:
                    self._condition.notify_all()

    def before_fork(self) -> None:
        """Wait until no operation runs; keep new ones out until the fork is done."""
        self._condition.acquire()
        self._forking = True
        deadline = time.monotonic() + FORK_WAIT
        while self._active:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                logger.warning(
                    "forking while %d SQLite token store operation(s) are still running",
                    self._active,
                )
                break
            self._condition.wait(remaining)
        self._drained = self._active == 0

    def after_fork_in_parent(self) -> None:
        self._forking = False
        self._condition.notify_all()
        self._condition.release()

    def after_fork_in_child(self) -> None:
        drained = self._drained
        self._reset()  # the inherited condition is held by the parent's forking thread
        for member in list(self._members):
            member.after_fork_in_child(drained)


FORK_GATE = ForkGate()

if hasattr(os, "register_at_fork"):  # POSIX; Windows has no fork
    os.register_at_fork(
        before=FORK_GATE.before_fork,
        after_in_parent=FORK_GATE.after_fork_in_parent,
        after_in_child=FORK_GATE.after_fork_in_child,
    )
