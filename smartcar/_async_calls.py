"""The async twin of :func:`smartcar._calls.call`: one call of a described endpoint, awaited.

The request is :func:`smartcar._core.build_call`'s (the endpoint tables in
``smartcar/_endpoints/``), the attempts :func:`smartcar._async_transport.send`'s, and the 401
rule :func:`smartcar._core.replays`'s: only the waiting differs. The token source is an
:class:`AsyncTokenSource` (``access_token()`` and ``refresh_access_token()`` are
coroutines).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional, Protocol, Tuple

from . import _async_transport
from ._answers import ApiResponse
from ._async_drivers import AsyncTransport
from ._config import Config
from ._core import Request, build_call, replays
from ._endpoints import Endpoint
from .exceptions import SmartcarException

__all__ = ["AsyncTokenSource", "call"]


class AsyncTokenSource(Protocol):
    """:class:`smartcar._core.TokenSource` with coroutines."""

    async def access_token(self) -> str:
        """The token to send now."""
        ...

    async def refresh_access_token(self, rejected: str) -> str:
        """A fresh token after the service answered 401 to ``rejected``."""
        ...

    def forget(self, rejected: str) -> None:
        """Stop handing out ``rejected``."""
        ...


async def call(
    described: Endpoint,
    transport: AsyncTransport,
    *,
    config: Config,
    source: Optional[AsyncTokenSource] = None,
    params: Optional[Mapping[str, Any]] = None,
    json_body: Any = None,
    form: Optional[Iterable[Tuple[str, str]]] = None,
    headers: Optional[Mapping[str, str]] = None,
    secrets: Iterable[Any] = (),
    url: Optional[str] = None,
    gate: Optional[_async_transport.AsyncGate] = None,
    raw_body: bool = False,
    **path_params: str,
) -> ApiResponse:
    """The awaitable :func:`smartcar._calls.call` (the same arguments but ``transport``, the
    same result and exceptions), and ``raw_body`` (see :class:`smartcar._core.Request`)."""

    # One dict of the request's parts, not a closure: a closure's cells are objects the garbage
    # collector tracks, held by each of a sweep's thousand calls in flight.
    parts: Dict[str, Any] = {
        "config": config,
        "params": params,
        "json_body": json_body,
        "form": form,
        "headers": headers,
        "secrets": secrets,
        "url": url,
        **path_params,
    }
    send = _async_transport.send
    if source is None:
        return await send(_built(described, None, raw_body, parts), transport, gate=gate)
    sent = await source.access_token()
    try:
        return await send(_built(described, sent, raw_body, parts), transport, gate=gate)
    except SmartcarException as error:
        if not replays(described.on_401, error):
            if error.status_code == 401:
                source.forget(sent)
            raise
    fresh = await source.refresh_access_token(sent)
    return await send(_built(described, fresh, raw_body, parts), transport, gate=gate)


def _built(
    described: Endpoint, token: Optional[str], raw_body: bool, parts: Dict[str, Any]
) -> Request:
    request = build_call(described, token=token, **parts)
    request.raw_body = raw_body
    return request
