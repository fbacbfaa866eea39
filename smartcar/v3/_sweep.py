"""Fleet sweep: read the signals of every connected vehicle with a bounded number in flight.

:func:`sweep` (also :meth:`smartcar.v3.Client.sweep`) pages through the connections lazily on a
background thread, reads each vehicle's signals on a thread pool of ``concurrency`` workers that
share the SDK's pooled connections, and yields one :class:`SweepResult` per connection as soon as
it completes. Memory is bounded by ``concurrency`` (a few pages of connections are buffered ahead,
results are handed out, never kept), not by the size of the fleet.

Retries follow the SDK's retry policy, but by scheduling instead of sleeping: the reads are
sent with no retries of their own, and a read answered 429 with a ``Retry-After`` (within the
policy's cap) is put aside until that time, without holding a worker, so the other vehicles
keep going; a failed connection or a 502/503 is put aside for the policy's backoff. Every other
failure of one vehicle becomes that vehicle's result: it never stops the sweep.

While the application is paused by an app-wide rate limit (``paused_until``), no read is
started: the reads in flight finish, the others wait for the pause to end. A vehicle the call
meter refuses (spent this month, or at the client's ``monthly_limit``) fails with
``MonthlyLimitExceeded`` without a request.

Stopping early (closing the iterator, ``break``, or an exception such as ``KeyboardInterrupt``
raised while the consumer waits) returns at once: reads not started are dropped, and reads in
flight are abandoned. Their workers are daemon threads that end when their answer or read timeout
comes, so they never hold the caller, nor the process at exit.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import queue
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Tuple,
)

from .._config import RetryPolicy, default_retry
from .._core import retry_delay
from ..exceptions import SmartcarException

__all__ = ["SweepProgress", "SweepResult", "in_shard", "sweep"]

_PREFETCH = 256
"""Connections buffered ahead of the workers (about two pages of 100)."""


@dataclass(frozen=True)
class SweepResult:
    """The outcome for one connection: its signals, or the exception that stopped its read.

    Attributes:
        connection: the connection (as :meth:`smartcar.v3.Client.connections` yields it).
        vehicle_id: the connection's vehicle id.
        user_id: the connection's user id.
        signals: the signals read (code -> ``Signal``), restricted to the codes asked for;
            ``None`` when the read failed.
        error: the exception for this vehicle, or ``None``.
        attempts: how many reads were sent for this vehicle (more than 1 after a 429).
    """

    connection: Any
    vehicle_id: str
    user_id: str
    signals: Optional[Mapping[str, Any]]
    error: Optional[SmartcarException]
    attempts: int

    @property
    def ok(self) -> bool:
        """Whether the signals were read."""
        return self.error is None


@dataclass(frozen=True)
class SweepProgress:
    """Counts passed to ``on_progress`` after each result.

    Attributes:
        done: results handed out so far.
        failed: of those, how many carry an error.
        in_flight: reads being sent right now.
        waiting: vehicles put aside by a 429 until their ``Retry-After``.
        listed: connections taken from the listing so far (in this shard).
    """

    done: int
    failed: int
    in_flight: int
    waiting: int
    listed: int


def in_shard(vehicle_id: str, shard: Tuple[int, int]) -> bool:
    """Return whether ``vehicle_id`` belongs to shard ``(k, n)``.

    Stable across processes, machines and Python versions (SHA-256 of the id, not ``hash()``),
    so ``n`` workers each taking one ``k`` cover a fleet exactly once.
    """
    index, count = shard
    digest = hashlib.sha256(vehicle_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count == index


def check_shard(shard: Any) -> Optional[Tuple[int, int]]:
    """Return ``shard`` as ``(k, n)`` with ``0 <= k < n``, or ``None``.

    Raises:
        ValueError: anything else.
    """
    if shard is None:
        return None
    if (
        isinstance(shard, (tuple, list))
        and len(shard) == 2
        and all(isinstance(part, int) and not isinstance(part, bool) for part in shard)
        and 0 <= shard[0] < shard[1]
    ):
        return (shard[0], shard[1])
    raise ValueError(f"shard must be a pair (k, n) of integers with 0 <= k < n, not {shard!r}")


def check_concurrency(concurrency: Any) -> int:
    """Return ``concurrency`` if it is an integer from 1 to 1024.

    Raises:
        ValueError: anything else.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int):
        raise ValueError(f"concurrency must be an integer from 1 to 1024, not {concurrency!r}")
    if not 1 <= concurrency <= 1024:
        raise ValueError(f"concurrency must be an integer from 1 to 1024, not {concurrency!r}")
    return concurrency


def check_codes(codes: Any) -> Optional[Tuple[str, ...]]:
    """Return the signal codes as a tuple of non-empty strings, or ``None`` for all signals.

    Raises:
        TypeError: a single string (pass a list) or something that is not a list of strings.
        ValueError: an empty code.
    """
    if codes is None:
        return None
    if isinstance(codes, str) or not isinstance(codes, Iterable):
        raise TypeError(f"codes must be a list of signal codes, not {type(codes).__name__}")
    checked = tuple(codes)
    for code in checked:
        if not isinstance(code, str):
            raise TypeError(f"codes must be strings, not {type(code).__name__}")
        if not code:
            raise ValueError("codes must not contain an empty string")
    return checked


ReadSignals = Callable[[Any], Mapping[str, Any]]
"""Reads one connection's signals (one request; raises SmartcarException)."""


@dataclass
class _Task:
    connection: Any
    vehicle_id: str
    user_id: str
    attempts: int = 0


_DONE = object()


def sweep(
    connections: Iterable[Any],
    read: ReadSignals,
    *,
    codes: Optional[Sequence[str]] = None,
    concurrency: int = 16,
    shard: Optional[Tuple[int, int]] = None,
    on_progress: Optional[Callable[[SweepProgress], None]] = None,
    policy: Optional[RetryPolicy] = None,
    paused_until: Optional[Callable[[], float]] = None,
) -> Iterator[SweepResult]:
    """Read every connection's signals, ``concurrency`` at a time; yield results as they finish.

    Args:
        connections: the connections to read (consumed lazily on a background thread).
        read: called on a worker thread with one connection; returns its signals.
        codes: keep only these signal codes (all when ``None``).
        concurrency: reads in flight at most.
        shard: ``(k, n)``: only the connections whose vehicle is in shard ``k`` of ``n``.
        on_progress: called (on the consuming thread) after each result.
        policy: the retry policy (the process default when ``None``): how often one
            vehicle's read is repeated after an answer that certainly did not take effect,
            how long to back off, the longest ``Retry-After`` worth waiting for.
        paused_until: returns the epoch time an app-wide pause ends (a past time: none); no
            read starts before it.

    Yields:
        One :class:`SweepResult` per connection in the shard, in completion order.

    Raises:
        SmartcarException: listing the connections failed (after the reads already started
            have finished and been handed out).
        ValueError, TypeError: bad arguments (checked at the call, before any request).
    """
    return _sweep(
        connections,
        read,
        check_codes(codes),
        check_concurrency(concurrency),
        check_shard(shard),
        on_progress,
        policy if policy is not None else default_retry(),
        paused_until,
    )


def _sweep(
    connections: Iterable[Any],
    read: ReadSignals,
    wanted: Optional[Tuple[str, ...]],
    concurrency: int,
    shard: Optional[Tuple[int, int]],
    on_progress: Optional[Callable[[SweepProgress], None]],
    policy: RetryPolicy,
    paused_until: Optional[Callable[[], float]],
) -> Iterator[SweepResult]:
    feed: queue.Queue[Any] = queue.Queue(maxsize=max(_PREFETCH, concurrency))
    stop = threading.Event()
    lister = threading.Thread(
        target=_list_connections,
        args=(connections, shard, feed, stop),
        name="smartcar-sweep-list",
        daemon=True,
    )
    lister.start()
    pool = _Workers(concurrency)
    running: Dict[Future[Mapping[str, Any]], _Task] = {}
    waiting: List[Tuple[float, int, _Task]] = []
    order = itertools.count()
    listed = done = failed = 0
    listing_error: Optional[BaseException] = None
    exhausted = False
    try:
        while True:
            now = time.monotonic()
            paused = _pause_left(paused_until)
            while not paused and waiting and waiting[0][0] <= now and len(running) < concurrency:
                _submit(pool, running, read, heapq.heappop(waiting)[2])
            while not paused and not exhausted and len(running) < concurrency:
                try:
                    item = feed.get(block=not running and not waiting, timeout=0.5)
                except queue.Empty:
                    break
                if item is _DONE:
                    exhausted = True
                elif isinstance(item, BaseException):
                    exhausted = True
                    listing_error = item
                else:
                    listed += 1
                    _submit(pool, running, read, item)
            if not running:
                if paused:
                    time.sleep(paused)
                    continue
                if waiting:
                    time.sleep(min(0.05, max(0.0, waiting[0][0] - time.monotonic())))
                    continue
                if exhausted:
                    break
                continue
            timeout = max(0.0, waiting[0][0] - now) if waiting else None
            if not exhausted and timeout is None:
                timeout = 0.05 if len(running) < concurrency else None
            if paused:
                timeout = paused if timeout is None else min(timeout, paused)
            finished, _ = wait(list(running), timeout=timeout, return_when=FIRST_COMPLETED)
            for future in finished:
                task = running.pop(future)
                result = _outcome(future, task, wanted)
                # The request helper's rule for a read, scheduled instead of slept.
                delay = (
                    None
                    if result.error is None
                    else retry_delay(True, result.error, policy, task.attempts)
                )
                if delay is not None:
                    heapq.heappush(waiting, (time.monotonic() + delay, next(order), task))
                    continue
                done += 1
                failed += result.error is not None
                yield result
                if on_progress is not None:
                    on_progress(SweepProgress(done, failed, len(running), len(waiting), listed))
        if listing_error is not None:
            raise listing_error
    finally:
        stop.set()
        pool.abandon()


def _pause_left(paused_until: Optional[Callable[[], float]]) -> float:
    """Seconds left of the application's pause (0 when none, or when it cannot be read: the
    reads' own checks then report the store's failure for each vehicle)."""
    if paused_until is None:
        return 0.0
    try:
        return max(0.0, paused_until() - time.time())
    except SmartcarException:
        return 0.0


def _list_connections(
    connections: Iterable[Any],
    shard: Optional[Tuple[int, int]],
    feed: queue.Queue[Any],
    stop: threading.Event,
) -> None:
    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                feed.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    try:
        for connection in connections:
            vehicle_id, user_id = _ids(connection)
            if shard is not None and not in_shard(vehicle_id, shard):
                continue
            if not put(_Task(connection, vehicle_id, user_id)):
                return
    except BaseException as error:  # handed to the consuming thread, which raises it
        put(error)
        return
    put(_DONE)


def _ids(connection: Any) -> Tuple[str, str]:
    if isinstance(connection, Mapping):
        return str(connection.get("vehicle_id", "")), str(connection.get("user_id", ""))
    return str(getattr(connection, "vehicle_id", "")), str(getattr(connection, "user_id", ""))


class _Workers:
    """Up to ``size`` daemon threads running the reads, started as needed.

    Unlike a ``ThreadPoolExecutor``, nothing waits for them: :meth:`abandon` returns at once
    and the interpreter does not join them at exit, so a read in flight never delays a stop.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._threads: List[threading.Thread] = []
        self._jobs: queue.SimpleQueue[Optional[Tuple[Future[Any], ReadSignals, Any]]] = (
            queue.SimpleQueue()
        )
        self._abandoned = threading.Event()

    def submit(self, read: ReadSignals, connection: Any) -> Future[Mapping[str, Any]]:
        future: Future[Mapping[str, Any]] = Future()
        self._jobs.put((future, read, connection))
        if len(self._threads) < self._size:
            thread = threading.Thread(
                target=self._work, name=f"smartcar-sweep-{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
            thread.start()
        return future

    def abandon(self) -> None:
        """Drop the reads not started; leave those in flight to end on their own."""
        self._abandoned.set()
        for _ in self._threads:
            self._jobs.put(None)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None or self._abandoned.is_set():
                return
            future, read, connection = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(read(connection))
            except BaseException as error:  # handed over with the result, as an executor does
                future.set_exception(error)


def _submit(
    pool: _Workers,
    running: Dict[Future[Mapping[str, Any]], _Task],
    read: ReadSignals,
    task: _Task,
) -> None:
    task.attempts += 1
    running[pool.submit(read, task.connection)] = task


class _Read(Protocol):
    """A finished read (a future, or the async sweep's finished answer)."""

    def result(self) -> Any:
        """The signals read, or raise what stopped the read."""
        ...


def _outcome(future: _Read, task: _Task, wanted: Optional[Tuple[str, ...]]) -> SweepResult:
    try:
        signals = future.result()
    except SmartcarException as error:
        return SweepResult(
            task.connection, task.vehicle_id, task.user_id, None, error, task.attempts
        )
    except Exception as error:  # a bug in a caller-supplied reader must not stop the fleet
        wrapped = SmartcarException(
            f"Reading vehicle {task.vehicle_id} failed: {type(error).__name__}",
            error="sweep_read_failed",
        )
        wrapped.__cause__ = error
        return SweepResult(
            task.connection, task.vehicle_id, task.user_id, None, wrapped, task.attempts
        )
    if wanted is not None:
        signals = {code: signals[code] for code in wanted if code in signals}
    return SweepResult(task.connection, task.vehicle_id, task.user_id, signals, None, task.attempts)
