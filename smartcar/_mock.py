"""The sync mock transport behind :mod:`smartcar.testing` (see its docstring)."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Callable, List, Mapping, NamedTuple, Optional, Tuple, Type, Union

from . import _core, _transport
from ._core import Outcome, Request
from ._transport import Transport

__all__ = ["Answer", "Handler", "MockClock", "MockTransport"]


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


def _answer(value: Any) -> Answer:
    if isinstance(value, Answer):
        return value
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int):
        return Answer(value[0], value[1])
    raise TypeError(
        "a MockTransport handler returns smartcar.testing.Answer(status, body, headers) or "
        f"a (status, body) pair, not {type(value).__name__}"
    )
