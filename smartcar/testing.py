"""Unit-testing your own code without the network: :class:`MockTransport`.

A ``MockTransport`` hands every request the SDK would send to a function of yours and turns
what it returns into the answer, through the same decoder as a real answer (so an error
status raises the same exception, a missing field the same ``SmartcarException``)::

    from smartcar import Vehicle
    from smartcar.testing import Answer, MockTransport

    def service(request):
        assert request.headers["Authorization"] == "Bearer test-token"
        return Answer(200, {"distance": 1234.5})

    vehicle = Vehicle("vehicle-1", "test-token", transport=MockTransport(service))
    assert vehicle.odometer()["data"]["distance"] == 1234.5

Give it as ``transport=`` to ``smartcar.Vehicle``, ``smartcar.AuthClient`` or
``smartcar.v3.Client``, or make it the process default for code that creates its own objects
(``with MockTransport(service):`` ... , or :func:`set_default_transport`).

The function receives the exact :class:`Request`: ``method``, ``url`` (with its query),
``headers`` (every header the SDK sets, ``Authorization`` included), ``body`` (bytes, or
``None``) and ``json()``. It returns an :class:`Answer`, or a ``(status, json_body)`` pair.
Retries and 401 replays happen as they would over the network (the handler is called
again), but a retry does not wait: its wait is recorded in ``mock.clock.sleeps``.
"""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Iterator,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Tuple,
    Type,
    Union,
)

from . import _config, _core, _transport
from ._core import Outcome, Request
from ._transport import Transport

if TYPE_CHECKING:
    from .testing_async import AsyncMockTransport

__all__ = [
    "Answer",
    "AsyncMockTransport",
    "MockClock",
    "MockTransport",
    "Request",
    "Transport",
    "defaults",
    "set_default_transport",
]


class Answer(NamedTuple):
    """What the service answers: ``status``, a JSON ``body`` (``None``: an empty body),
    ``headers`` (``sc-request-id``, ``Retry-After``, ``sc-data-age``...), and ``content``:
    raw bytes sent instead of ``body`` (for an answer that is not JSON)."""

    status: int = 200
    body: Any = None
    headers: Optional[Mapping[str, str]] = None
    content: Optional[bytes] = None


Handler = Callable[[Request], Union[Answer, Tuple[int, Any]]]


class MockClock:
    """A clock whose waits pass at once: ``sleep`` records the wait in ``sleeps`` and moves
    ``monotonic`` on by it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: List[float] = []

    def monotonic(self) -> float:
        """Seconds since the clock was made, waits included."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record the wait; do not wait."""
        self.sleeps.append(seconds)
        self.now += seconds


class MockTransport:
    """Answers every request with ``handler(request)`` (see the module docstring).

    ``requests`` lists every request it received, in order; ``clock`` (a
    :class:`MockClock`) the waits before retries, none of them slept.

    Raises (from a call):
        TypeError: ``handler`` returned something that is not an ``Answer`` or a
            ``(status, body)`` pair.
        ValueError: the answer's ``body`` cannot be JSON (``NaN``, an object).
    """

    def __init__(self, handler: Handler) -> None:
        if not callable(handler):
            raise TypeError(f"handler must be callable, not {type(handler).__name__}")
        self.handler = handler
        self.requests: List[Request] = []
        self.clock = MockClock()
        self._previous: List[Transport] = []

    def __repr__(self) -> str:
        return f"MockTransport({getattr(self.handler, '__name__', 'handler')})"

    def attempt(self, request: Request) -> Outcome:
        """Answer ``request`` with the handler's answer, decoded as a real one would be."""
        self.requests.append(request)
        answer = _answer(self.handler(request))
        content = answer.content
        if content is None:
            content = b"" if answer.body is None else _core.encode_json(answer.body)
        from requests.structures import CaseInsensitiveDict

        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(answer.headers or {})
        if answer.content is None and answer.body is not None:
            headers.setdefault("Content-Type", "application/json")
        return _core.decode(request, answer.status, headers, content)

    def __enter__(self) -> MockTransport:
        self._previous.append(_transport.default_transport())
        _transport.set_default_transport(self)
        return self

    def __exit__(
        self,
        kind: Optional[Type[BaseException]],
        value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        _transport.set_default_transport(self._previous.pop())


def set_default_transport(transport: Optional[Transport]) -> None:
    """Send every call that names no transport through ``transport`` (``None``: the
    network again)."""
    _transport.set_default_transport(transport)


def _answer(value: Any) -> Answer:
    if isinstance(value, Answer):
        return value
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int):
        return Answer(value[0], value[1])
    raise TypeError(
        "a MockTransport handler returns smartcar.testing.Answer(status, body, headers) or "
        f"a (status, body) pair, not {type(value).__name__}"
    )


@contextlib.contextmanager
def defaults(**settings: Any) -> Iterator[None]:
    """Use other process-wide defaults inside the ``with`` block, and put every one back after
    it: ``retry`` (a ``RetryPolicy``, e.g. one that backs off for milliseconds), ``timeout``,
    ``max_body_size``, ``api_version`` (``None``: follow ``SMARTCAR_API_VERSION``). The
    pytest fixture ``smartcar_defaults`` does the same for one test.

    Raises:
        TypeError, ValueError: an unknown setting or a value it does not take.
    """
    undo = _config.override(**settings)
    try:
        yield
    finally:
        undo()


def __getattr__(name: str) -> Any:
    # The async twin lives in smartcar.testing_async; it is loaded when first asked for.
    if name == "AsyncMockTransport":
        from .testing_async import AsyncMockTransport

        return AsyncMockTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> List[str]:
    return sorted({*globals(), *__all__})
