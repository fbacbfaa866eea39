"""``AsyncClient.request()`` / ``AsyncVehicle.request()``: the sync checks of
:mod:`smartcar.v3._request`, with the sending awaited.

:func:`smartcar.v3._request.send` checks the method, query and headers and hands the request
to a transport; here that transport only captures what it was handed, and the async transport
sends it.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, cast

from .. import api
from .._endpoints import Endpoint
from . import _request
from ._async_http import AsyncTransport
from ._http import Transport

__all__ = ["send"]


class _Captured:
    """Stands in for the sync transport: keeps the checked call instead of sending it."""

    def call(self, described: Endpoint, **options: Any) -> Tuple[Endpoint, Dict[str, Any]]:
        return described, options


async def send(
    transport: AsyncTransport,
    method: Any,
    url: str,
    *,
    body: Any = None,
    params: Any = None,
    headers: Any = None,
    user_id: Optional[str] = None,
) -> api.ApiResponse:
    """The awaitable :func:`smartcar.v3._request.send` (the same checks and exceptions)."""
    captured = _request.send(
        cast(Transport, _Captured()),
        method,
        url,
        body=body,
        params=params,
        headers=headers,
        user_id=user_id,
    )
    described, options = cast(Tuple[Endpoint, Dict[str, Any]], captured)
    return await transport.call(described, **options)
