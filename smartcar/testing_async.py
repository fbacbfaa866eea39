"""An async transport for tests: every request the async client sends goes to your function.

``AsyncMockTransport(handler)`` is the async twin of the sync mock transport: pass it as
``AsyncClient(..., session=transport)`` and each attempt's
:class:`~smartcar._core.Request` (method, whole URL, headers, body bytes; ``request.json()``
parses the body) is handed to ``handler``, a plain or ``async`` function that answers
``(status, headers, body)``, as a ``responses`` callback does (``body``: bytes, text, or any
JSON value, sent as JSON). The answer is decoded by the same core as a real one, so the
results, exceptions, retries and redaction are those of the network. ``handler`` may raise a
:class:`~smartcar.exceptions.SmartcarException` to stand for a failure without an answer
(``smartcar._core.connection_failed(request)``, say).

Every request is kept in :attr:`AsyncMockTransport.requests`, in order.
"""

from __future__ import annotations

import inspect
import json
from typing import Any, Awaitable, Callable, List, Mapping, Tuple, Union

from requests.structures import CaseInsensitiveDict

from . import _core
from ._core import Outcome, Request
from .exceptions import SmartcarException

__all__ = ["AsyncMockTransport", "Handler"]

Answer = Tuple[int, Mapping[str, str], Any]
Handler = Callable[[Request], Union[Answer, Awaitable[Answer]]]


class AsyncMockTransport:
    """Answers each attempt with ``handler(request)`` (see the module docstring)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: List[Request] = []

    def __repr__(self) -> str:
        return f"AsyncMockTransport({len(self.requests)} requests)"

    async def attempt(self, request: Request) -> Outcome:
        """Record ``request`` and decode the handler's answer."""
        self.requests.append(request)
        try:
            answer = self.handler(request)
            if inspect.isawaitable(answer):
                answer = await answer
        except SmartcarException as failure:
            return failure
        status, headers, body = answer
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        content = body.encode("utf-8") if isinstance(body, str) else body
        return _core.decode(request, status, CaseInsensitiveDict(headers), content)

    async def aclose(self) -> None:
        """Nothing to release."""
