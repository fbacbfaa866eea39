"""The fleet sweep as an async iterator: the guarantees of :mod:`smartcar.v3._sweep` on tasks.

At most ``concurrency`` reads in flight, each connection in the shard read once (a repeat only
as the retry rule allows, scheduled, not slept: a vehicle waiting out its ``Retry-After`` holds
no slot), each vehicle's failure a result, no read started while the application is paused,
results yielded as they complete. The connections are listed by a task of their own, a few
pages ahead of the reads, so memory is bounded by ``concurrency``, not by the fleet.

Closing the iterator early (``break``, ``aclose()``, cancellation) cancels the listing and the
reads in flight (reads only: nothing is left half done).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from .._transport import retry_delay
from ..api import RetryPolicy
from ..exceptions import SmartcarException
from ._sweep import (
    _PREFETCH,
    SweepProgress,
    SweepResult,
    _ids,
    _outcome,
    _Task,
    check_codes,
    check_concurrency,
    check_shard,
    in_shard,
)

__all__ = ["sweep"]

ReadSignals = Callable[[Any], Awaitable[Any]]
Finish = Callable[[Any, Any], Awaitable[Mapping[str, Any]]]
_DONE = object()


def sweep(
    connections: AsyncIterator[Any],
    read: ReadSignals,
    *,
    finish: Optional[Finish] = None,
    codes: Optional[Sequence[str]] = None,
    concurrency: int = 16,
    shard: Optional[Tuple[int, int]] = None,
    on_progress: Optional[Callable[[SweepProgress], None]] = None,
    policy: RetryPolicy,
    paused_until: Optional[Callable[[], Awaitable[float]]] = None,
) -> AsyncIterator[SweepResult]:
    """:func:`smartcar.v3._sweep.sweep` with an async listing, async reads and an async pause.

    ``finish(connection, answer)``, if given, turns what ``read`` returned into the signals,
    in the iterating task, just before the result is handed out. A thousand reads answered at
    the same moment then wait as what ``read`` returns (bytes, say), not as a thousand built
    results the garbage collector walks until each is handed out; a failure there is the
    vehicle's, as in ``read``.

    Raises:
        ValueError, TypeError: bad arguments (at the call, before any request).
        SmartcarException: (while iterating) listing the connections failed.
    """
    return _sweep(
        connections,
        read,
        finish,
        check_codes(codes),
        check_concurrency(concurrency),
        check_shard(shard),
        on_progress,
        policy,
        paused_until,
    )


async def _sweep(
    connections: AsyncIterator[Any],
    read: ReadSignals,
    finish: Optional[Finish],
    wanted: Optional[Tuple[str, ...]],
    concurrency: int,
    shard: Optional[Tuple[int, int]],
    on_progress: Optional[Callable[[SweepProgress], None]],
    policy: RetryPolicy,
    paused_until: Optional[Callable[[], Awaitable[float]]],
) -> AsyncIterator[SweepResult]:
    feed: asyncio.Queue[Any] = asyncio.Queue(maxsize=max(_PREFETCH, concurrency))
    lister = asyncio.ensure_future(_list(connections, shard, feed))
    finished: asyncio.Queue[Optional[asyncio.Future[Any]]] = asyncio.Queue()
    running: Dict[asyncio.Future[Any], _Task] = {}
    waiting: List[Tuple[float, int, _Task]] = []
    order = itertools.count()
    listed = done = failed = 0
    listing_error: Optional[BaseException] = None
    exhausted = False
    loop = asyncio.get_running_loop()

    def start(task: _Task) -> None:
        task.attempts += 1
        future = asyncio.ensure_future(read(task.connection))
        future.add_done_callback(finished.put_nowait)
        running[future] = task

    try:
        while True:
            paused = await _pause_left(paused_until)
            now = time.monotonic()
            while not paused and waiting and waiting[0][0] <= now and len(running) < concurrency:
                start(heapq.heappop(waiting)[2])
            while not paused and not exhausted and len(running) < concurrency:
                if feed.empty() and (running or waiting):
                    break
                item = await feed.get()
                if item is _DONE:
                    exhausted = True
                elif isinstance(item, BaseException):
                    exhausted, listing_error = True, item
                else:
                    listed += 1
                    start(item)
            if not running and not waiting and exhausted:
                break
            wake = [paused] if paused else []
            if waiting:
                wake.append(max(0.0, waiting[0][0] - time.monotonic()))
            if not exhausted and len(running) < concurrency:
                wake.append(0.05)  # more connections may have been listed
            timer = loop.call_later(min(wake), finished.put_nowait, None) if wake else None
            future = await finished.get()
            if timer is not None:
                timer.cancel()
            while future is not None:
                task = running.pop(future, None)
                if task is not None:
                    settled = future if finish is None else await _finished(future, task, finish)
                    result = _outcome(settled, task, wanted)
                    delay = (
                        None
                        if result.error is None
                        else retry_delay(True, result.error, policy, task.attempts)
                    )
                    if delay is not None:
                        heapq.heappush(waiting, (time.monotonic() + delay, next(order), task))
                    else:
                        done += 1
                        failed += result.error is not None
                        yield result
                        if on_progress is not None:
                            on_progress(
                                SweepProgress(done, failed, len(running), len(waiting), listed)
                            )
                future = None if finished.empty() else finished.get_nowait()
        if listing_error is not None:
            raise listing_error
    finally:
        lister.cancel()
        for future in running:
            future.cancel()


class _Settled:
    """A read and its finish: the signals, or the exception (``result()``, as a future's)."""

    __slots__ = ("_error", "_signals")

    def __init__(self, signals: Any, error: Optional[BaseException]) -> None:
        self._signals = signals
        self._error = error

    def result(self) -> Any:
        if self._error is not None:
            raise self._error
        return self._signals


async def _finished(future: asyncio.Future[Any], task: _Task, finish: Finish) -> _Settled:
    try:
        signals = await finish(task.connection, future.result())
    except asyncio.CancelledError:
        raise
    except BaseException as error:  # the vehicle's outcome: _outcome decides what it means
        return _Settled(None, error)
    return _Settled(signals, None)


async def _pause_left(paused_until: Optional[Callable[[], Awaitable[float]]]) -> float:
    if paused_until is None:
        return 0.0
    try:
        return max(0.0, await paused_until() - time.time())
    except SmartcarException:
        return 0.0


async def _list(
    connections: AsyncIterator[Any], shard: Optional[Tuple[int, int]], feed: asyncio.Queue[Any]
) -> None:
    try:
        async for connection in connections:
            vehicle_id, user_id = _ids(connection)
            if shard is None or in_shard(vehicle_id, shard):
                await feed.put(_Task(connection, vehicle_id, user_id))
    except asyncio.CancelledError:
        raise
    except BaseException as error:  # handed to the sweep, which raises it
        await feed.put(error)
        return
    await feed.put(_DONE)
