"""Running the sync client's test cases on the async client.

:class:`Blocking` shows an :class:`~smartcar.v3.AsyncClient` (or an ``AsyncVehicle``) with the
sync client's surface: each awaitable is run to completion on one event loop, each async
iterator is stepped lazily (one page at a time, as the sync one is). The async client sends
through :class:`RequestsDriver`, the sync ``requests`` driver behind the async transport
interface, so a test's ``responses`` mock sees the async client's exact requests.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Iterator

from smartcar._core import Outcome, Request
from smartcar._transport import RequestsTransport
from smartcar.v3.async_vehicle import AsyncVehicle


class RequestsDriver:
    """The async transport interface over the sync driver (for ``responses`` mocks)."""

    def __init__(self) -> None:
        self.attempts = 0

    async def attempt(self, request: Request) -> Outcome:
        self.attempts += 1
        return RequestsTransport().attempt(request)

    async def aclose(self) -> None:
        return None


class Blocking:
    """An async object driven from sync code on ``loop``."""

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._target = target
        self._loop = loop

    def __repr__(self) -> str:
        return repr(self._target)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if inspect.isclass(value):
            return value
        if not callable(value):
            return Blocking(value, self._loop) if _is_async_part(value) else value

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._wrap(value(*args, **kwargs))

        return call

    def _wrap(self, result: Any) -> Any:
        if inspect.isawaitable(result):
            return self._wrap(self._loop.run_until_complete(result))
        if hasattr(result, "__anext__"):
            return self._steps(result)
        if _is_async_part(result):
            return Blocking(result, self._loop)
        return result

    def _steps(self, iterator: Any) -> Iterator[Any]:
        while True:
            try:
                yield self._loop.run_until_complete(iterator.__anext__())
            except StopAsyncIteration:
                return


def _is_async_part(value: Any) -> bool:
    """An object of the async client's own (a vehicle, its transport, its token source)."""
    return isinstance(value, AsyncVehicle) or type(value).__module__.startswith(
        "smartcar.v3._async"
    )
