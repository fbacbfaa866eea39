"""How the async client sends a v3 request: :class:`smartcar.v3._http.Transport`'s rules,
awaited.

The application token, ``sc-user-id``, one fresh token and one repeat after a 401 that refused
the token (a command only then), the call meter around every attempt, and the lazy pages of a
listing (the rule of :mod:`smartcar._pages`). The call meter's store may do I/O: its work runs
on a worker thread unless the meter lives in this process's memory and no pause is on.
"""

from __future__ import annotations

import asyncio
import time
from typing import (
    Any,
    AsyncIterator,
    Callable,
    Dict,
    Hashable,
    List,
    Mapping,
    Optional,
    Tuple,
    Union,
    cast,
)

from .. import _async_drivers, _async_transport, _pages, api
from .._config import RetryPolicy
from .._core import token_refused
from ..exceptions import AuthenticationException, SmartcarException
from . import _parse
from ._async_token import AsyncAppTokenSource
from ._http import USER_ID_HEADER, _resource_id
from ._metering import Gate, Metering, vehicle_of

__all__ = ["AsyncTransport"]


class _OffLoopGate:
    """A call meter :class:`~smartcar.v3._metering.Gate` as an ``AsyncGate``."""

    def __init__(self, gate: Gate, in_memory: bool) -> None:
        self._gate = gate
        self._in_memory = in_memory

    async def admit(self, policy: RetryPolicy) -> None:
        if self._in_memory and self._gate.metering.paused_until() <= time.time():
            self._gate.admit(policy)  # no I/O and no wait: not worth a thread
        else:
            await asyncio.to_thread(self._gate.admit, policy)

    async def record(
        self, outcome: Union[api.ApiResponse, SmartcarException], pause: Optional[float]
    ) -> None:
        if self._in_memory:
            self._gate.record(outcome, pause)
        else:
            await asyncio.to_thread(self._gate.record, outcome, pause)


class AsyncTransport:
    """Sends v3 requests for one :class:`~smartcar.v3.AsyncClient`."""

    def __init__(
        self,
        tokens: AsyncAppTokenSource,
        metering: Metering,
        driver: Callable[[], _async_drivers.AsyncTransport],
        *,
        timeout: Optional[api.Timeout] = None,
        max_retries: Optional[int] = None,
    ) -> None:
        from ..tokens.memory import MemoryStore

        self.tokens = tokens
        self.metering = metering
        self.driver = driver
        self.timeout = timeout
        self.max_retries = max_retries
        self._in_memory = isinstance(metering.meter, MemoryStore)

    def with_retries(self, max_retries: Optional[int]) -> AsyncTransport:
        """The same transport with another retry count (the sweep's reads: 0)."""
        return AsyncTransport(
            self.tokens, self.metering, self.driver, timeout=self.timeout, max_retries=max_retries
        )

    async def off_loop(self, call: Callable[..., Any], *args: Any) -> Any:
        """Run a call meter read (``calls``, ``paused_until``) without blocking the loop."""
        if self._in_memory:
            return call(*args)
        return await asyncio.to_thread(call, *args)

    async def send(
        self,
        method: str,
        url: str,
        *,
        user_id: Optional[str] = None,
        params: Optional[Mapping[str, Any]] = None,
        json_body: Any = None,
        command: bool = False,
        headers: Optional[Mapping[str, str]] = None,
    ) -> api.ApiResponse:
        """The awaitable :meth:`Transport.send <smartcar.v3._http.Transport.send>`."""
        if user_id is not None:
            headers = {**(headers or {}), USER_ID_HEADER: user_id}
        token = await self.tokens.get()
        options: Dict[str, Any] = {
            "params": params,
            "json_body": json_body,
            "headers": headers,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "gate": _OffLoopGate(self.metering.gate(vehicle_of(url)), self._in_memory),
        }
        driver = self.driver()
        try:
            return await _async_transport.request(driver, method, url, token=token, **options)
        except AuthenticationException as error:
            if error.status_code != 401:
                raise
            if command and not token_refused(error):
                self.tokens.forget(token)
                raise
            fresh = await self.tokens.renew(token)
            return await _async_transport.request(driver, method, url, token=fresh, **options)

    def pages(
        self,
        url: str,
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
            query = dict(params)
            query["page[number]"] = number
            if page_size is not None:
                query["page[size]"] = page_size
            response = await self.send("GET", url, params=query, user_id=user_id)
            items = many(response, "list")
            listed += len(items)
            return response, items, _next_page(response.body, items, number, listed, page_size)

        return _pages.walk_async(1, fetch, _resource_id)


def _next_page(
    body: Any, items: List[Any], number: Hashable, listed: int, page_size: Optional[int]
) -> Optional[int]:
    """The next page's number, or ``None`` after the last page (the sync pager's test)."""
    info = _parse.page_info(body)
    size = info.size or page_size
    last = (
        not items
        or info.has_next is False
        or (info.total is not None and listed >= info.total)
        or (info.has_next is None and size is not None and len(items) < size)
    )
    return None if last else cast(int, number) + 1
