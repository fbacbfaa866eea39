"""``smartcar.testing.AsyncMockTransport``: the async twin of
:class:`smartcar.testing.MockTransport`, for tests of ``asyncio`` code.

``AsyncMockTransport(handler)`` takes the same handler as ``MockTransport`` (it receives the
exact :class:`~smartcar._core.Request` and returns a :class:`~smartcar.testing.Answer` or a
``(status, json_body)`` pair), or an ``async`` one; give it to the async client as its
session::

    from smartcar.testing import Answer, AsyncMockTransport

    async def service(request):
        if request.url.endswith("/oauth2/token"):
            return Answer(200, {"access_token": "t", "token_type": "Bearer", "expires_in": 3600})
        return Answer(200, {"data": []})

    client = smartcar.v3.AsyncClient(client_id, client_secret,
                                     session=AsyncMockTransport(service))

The answer is decoded by the sync mock (the same decoder as a real answer), so results,
exceptions, retries and 401 replays are those of the network. A handler may raise a
:class:`~smartcar.exceptions.SmartcarException` to stand for a failure without an answer
(``smartcar._core.connection_failed(request)``, say). ``requests`` lists every request.
"""

from __future__ import annotations

import inspect
from typing import Any, Awaitable, Callable, List, Tuple, Union

from ._core import Outcome, Request
from ._mock import Answer, MockTransport
from .exceptions import SmartcarException

__all__ = ["AsyncHandler", "AsyncMockTransport"]

AsyncHandler = Callable[
    [Request], Union[Answer, Tuple[int, Any], Awaitable[Union[Answer, Tuple[int, Any]]]]
]


class AsyncMockTransport:
    """Answers each attempt with ``handler(request)`` (see the module docstring)."""

    def __init__(self, handler: AsyncHandler) -> None:
        if not callable(handler):
            raise TypeError(f"handler must be callable, not {type(handler).__name__}")
        self.handler = handler
        self._answer: Any = None
        self._decoder = MockTransport(self._held_answer)

    def __repr__(self) -> str:
        return f"AsyncMockTransport({getattr(self.handler, '__name__', 'handler')})"

    @property
    def requests(self) -> List[Request]:
        """Every request received, in order."""
        return self._decoder.requests

    async def attempt(self, request: Request) -> Outcome:
        """Answer ``request`` with the handler's answer, decoded as a real one would be."""
        try:
            answer = self.handler(request)
            if inspect.isawaitable(answer):
                answer = await answer
        except SmartcarException as failure:
            self._decoder.requests.append(request)
            return failure
        # Handed over and decoded with no await in between: no other task can interleave.
        self._answer = answer
        return self._decoder.attempt(request)

    async def aclose(self) -> None:
        """Nothing to release."""

    def _held_answer(self, request: Request) -> Any:
        return self._answer
