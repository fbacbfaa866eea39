"""How the async client sends a v3 call: :class:`smartcar.v3._http.Transport`'s rules, awaited.

The endpoint described in ``smartcar/_endpoints/v3.py`` or ``v3_management.py``, the
application token, ``sc-user-id``, the endpoint's 401 rule (:func:`smartcar._async_calls.call`),
the call meter around every attempt, and the lazy pages of a listing (the rule of
:mod:`smartcar._pages`). The call meter's store may do I/O: its work runs on a worker thread
unless the meter lives in this process's memory and no pause is on.
"""

from __future__ import annotations

import asyncio
from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Hashable,
    List,
    Mapping,
    Optional,
    Tuple,
    Union,
)

from .. import _async_calls, _async_drivers, _pages, api
from .._config import Config, RetryPolicy
from .._core import Outcome
from .._endpoints import Endpoint
from ._async_token import AsyncAppTokenSource
from ._http import _resource_id, next_page, page_query, resolve
from ._metering import Gate, Metering

__all__ = ["AsyncTransport"]


class _OffLoopGate:
    """A call meter :class:`~smartcar.v3._metering.Gate` as an ``AsyncGate``."""

    def __init__(self, gate: Gate, in_memory: bool) -> None:
        self._gate = gate
        self._in_memory = in_memory

    async def admit(self, policy: RetryPolicy) -> None:
        if self._in_memory:
            pause = self._gate.check(policy)  # no I/O: not worth a thread
        else:
            pause = await asyncio.to_thread(self._gate.check, policy)
        if pause > 0:
            await asyncio.sleep(pause)

    async def record(self, outcome: Outcome, pause: Optional[float]) -> None:
        if self._in_memory:
            self._gate.record(outcome, pause)
        else:
            await asyncio.to_thread(self._gate.record, outcome, pause)


class AsyncTransport:
    """Sends v3 calls for one :class:`~smartcar.v3.AsyncClient`."""

    def __init__(
        self,
        tokens: AsyncAppTokenSource,
        metering: Metering,
        config: Config,
        driver: Callable[[], _async_drivers.AsyncTransport],
    ) -> None:
        from ..tokens.memory import MemoryStore

        self.tokens = tokens
        self.metering = metering
        self.config = config
        self.driver = driver
        self._in_memory = isinstance(metering.meter, MemoryStore)

    def with_config(self, config: Config) -> AsyncTransport:
        """The same transport with other settings (the sweep's reads: no retries of their own)."""
        return AsyncTransport(self.tokens, self.metering, config, self.driver)

    async def off_loop(self, call: Callable[..., Any], *args: Any) -> Any:
        """Run a call meter read (``calls``, ``paused_until``) without blocking the loop."""
        if self._in_memory:
            return call(*args)
        return await asyncio.to_thread(call, *args)

    def call(
        self,
        name: Union[str, Endpoint],
        *,
        user_id: Optional[str] = None,
        params: Optional[Mapping[str, Any]] = None,
        json_body: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        url: Optional[str] = None,
        path: Optional[Mapping[str, str]] = None,
        raw_body: bool = False,
    ) -> Awaitable[api.ApiResponse]:
        """The awaitable :meth:`Transport.call <smartcar.v3._http.Transport.call>` (a plain
        function returning the call's coroutine: one frame less held while a read is in
        flight, a thousand of them in a sweep); ``raw_body``: see
        :class:`smartcar._core.Request`."""
        call = resolve(name, self.config, user_id, headers, url, path)
        return _async_calls.call(
            call.described,
            self.driver(),
            config=self.config,
            source=self.tokens,
            params=params,
            json_body=json_body,
            headers=call.headers,
            url=call.url,
            gate=_OffLoopGate(self.metering.gate(call.vehicle_id), self._in_memory),
            raw_body=raw_body,
        )

    def pages(
        self,
        name: str,
        params: Mapping[str, Any],
        *,
        page_size: Optional[int] = None,
        user_id: Optional[str] = None,
    ) -> AsyncIterator[Tuple[api.ApiResponse, List[Mapping[str, Any]]]]:
        """The async :meth:`Transport.pages <smartcar.v3._http.Transport.pages>`."""
        from ._resources import many

        listed = 0

        async def fetch(number: Hashable) -> Tuple[api.ApiResponse, List[Mapping[str, Any]], Any]:
            nonlocal listed
            query = page_query(params, number, page_size)
            response = await self.call(name, params=query, user_id=user_id)
            items = many(response, "list")
            listed += len(items)
            return response, items, next_page(response.body, items, number, listed, page_size)

        return _pages.walk_async(1, fetch, _resource_id)
