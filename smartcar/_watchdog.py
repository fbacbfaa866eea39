"""A deadline for the status line and headers of an answer, however slowly they drip.

A socket read timeout bounds each ``recv``, not the whole status line and headers: a server
sending one byte a second never trips it. While the transport waits for an answer's head, the
connection's socket is registered here with the attempt's deadline; one daemon thread shuts
the socket down when the deadline passes, which ends the blocked read at once. (The body has
its own bound, in :mod:`smartcar._body`.)

The connection classes below are what the transport's pools create; they register themselves
only when the current thread has set a deadline (:func:`deadline`).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
from typing import Any, Iterator, List, Optional, Tuple

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["GRACE", "POOL_CLASSES", "deadline"]

_local = threading.local()


GRACE = 0.25
"""Seconds past the read timeout before the head is cut: a silent server trips the socket's
own read timeout first (a ``requests.ReadTimeout``); only a dripping one is cut here."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Within the block, answers read by this thread must have their head within ``seconds``
    (plus :data:`GRACE`) from now, on this module's own monotonic clock."""
    import time

    previous = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds + GRACE
    try:
        yield
    finally:
        _local.deadline = previous


class _Entry:
    __slots__ = ("active", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.active = True


class _Watchdog:
    """Shuts down the sockets whose deadline passed; one thread per process, started lazily."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: List[Tuple[float, int, _Entry]] = []
        self._order = itertools.count()
        self._thread: Optional[threading.Thread] = None
        self._cancelled = 0  # cancelled entries still in the heap (about)

    def watch(self, when: float, sock: socket.socket) -> _Entry:
        entry = _Entry(sock)
        with self._condition:
            heapq.heappush(self._heap, (when, next(self._order), entry))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="smartcar-deadlines", daemon=True
                )
                self._thread.start()
            if self._heap[0][2] is entry:
                self._condition.notify()  # a new earliest deadline; otherwise keep sleeping
        return entry

    def cancel(self, entry: _Entry) -> None:
        # Under the lock: once this returns, the socket cannot be shut down any more (it may
        # go back to the pool).
        with self._condition:
            entry.active = False
            self._cancelled += 1
            if self._cancelled > 256 and self._cancelled * 2 > len(self._heap):
                # Cancelled entries would otherwise wait for their deadline to leave the heap.
                self._heap = [item for item in self._heap if item[2].active]
                heapq.heapify(self._heap)
                self._cancelled = 0

    def _run(self) -> None:
        import time

        with self._condition:
            while True:
                while self._heap and not self._heap[0][2].active:
                    heapq.heappop(self._heap)
                    self._cancelled = max(0, self._cancelled - 1)
                if not self._heap:
                    self._condition.wait()
                    continue
                when, _, entry = self._heap[0]
                wait = when - time.monotonic()
                if wait > 0:
                    self._condition.wait(wait)
                    continue
                heapq.heappop(self._heap)
                if entry.active:
                    with contextlib.suppress(OSError):
                        entry.sock.shutdown(socket.SHUT_RDWR)


_watchdog = _Watchdog()


def _forget_after_fork() -> None:
    global _watchdog
    _watchdog = _Watchdog()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


class _DeadlineMixin:
    """``getresponse`` (status line and headers) bounded by the thread's deadline."""

    sock: Optional[socket.socket]

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        when = getattr(_local, "deadline", None)
        sock = self.sock
        entry = _watchdog.watch(when, sock) if when is not None and sock is not None else None
        try:
            return super().getresponse(*args, **kwargs)  # type: ignore[misc]
        finally:
            if entry is not None:
                _watchdog.cancel(entry)


class _HTTPConnection(_DeadlineMixin, HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineMixin, HTTPSConnection):
    pass


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


POOL_CLASSES = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}
"""``PoolManager.pool_classes_by_scheme`` for the transport's adapter."""
