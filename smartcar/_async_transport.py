"""The async twin of :func:`smartcar._transport.send`: the sans-I/O core's request, awaited.

The request is built by :func:`smartcar._core.build`, each attempt's answer decoded by
:func:`smartcar._core.decode` (in the driver), and whether to try again is
:func:`smartcar._core.next_attempt`'s word, exactly as in the sync client; only the I/O
differs: an :class:`~._async_drivers.AsyncTransport` sends the attempt and the waits are
``asyncio.sleep``. A gate (the v3 call meter) is an :class:`AsyncGate`, so a store that does
I/O can do it off the event loop.

Cancellation: ``asyncio.CancelledError`` is never caught, so a cancelled call sends no further
attempt; the driver closes the connection of the attempt it cut short.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Optional, Protocol

from . import _core, _transport
from ._answers import ApiResponse
from ._async_drivers import AsyncTransport
from ._config import RetryPolicy
from ._core import Outcome, Request

__all__ = ["AsyncGate", "request", "send"]


class AsyncGate(Protocol):
    """The async form of :class:`smartcar._transport.AttemptGate`."""

    async def admit(self, policy: RetryPolicy) -> None:
        """Before each attempt: may wait, or raise so that nothing is sent."""
        ...

    async def record(self, outcome: Outcome, pause: Optional[float]) -> None:
        """After each attempt, with its outcome and the app-wide pause it calls for."""
        ...


async def request(
    transport: AsyncTransport,
    method: str,
    url: str,
    *,
    gate: Optional[AsyncGate] = None,
    **arguments: Any,
) -> ApiResponse:
    """The awaitable :func:`smartcar._transport.request`: the same arguments (passed to
    :func:`smartcar._core.build`), result and exceptions, sent through ``transport``."""
    return await send(_core.build(method, url, **arguments), transport, gate=gate)


async def send(
    request: Request, transport: AsyncTransport, *, gate: Optional[AsyncGate] = None
) -> ApiResponse:
    """The awaitable :func:`smartcar._transport.send`.

    Raises:
        SmartcarException: the outcome of the last attempt, or what ``gate`` raised.
    """
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        if gate is not None:
            await gate.admit(request.retry)
        attempt_started = time.monotonic()
        outcome = await transport.attempt(request)
        now = time.monotonic()
        _transport._log_attempt(request, outcome, now - attempt_started, attempt)
        if gate is not None:
            await gate.record(outcome, _core.app_pause(outcome, request.retry, attempt))
        if isinstance(outcome, ApiResponse):
            return outcome
        delay = _core.next_attempt(request, attempt, outcome, now - started)
        if delay is None:
            raise outcome
        _transport.logger.warning(
            "retrying %s %s in %.2fs after %s (attempt %d of %d)",
            request.method,
            request.path,
            delay,
            _transport._describe(outcome),
            attempt + 1,
            request.retry.max_retries + 1,
        )
        await asyncio.sleep(delay)
