"""The driver interface: :class:`Request` (one request, ready to send), :data:`Outcome` (what
one attempt gave) and the :class:`Transport` and :class:`Clock` protocols a driver implements.
Building requests and decoding answers is :mod:`smartcar._core`'s; sending them,
:mod:`smartcar._transport`'s."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, Optional, Protocol, Tuple, Union
from urllib.parse import urlsplit

from ._answers import ApiResponse
from ._settings import RetryPolicy, Timeout
from .exceptions import SmartcarException

if TYPE_CHECKING:
    from ._redact import Redactor

__all__ = ["Clock", "Outcome", "Request", "Transport"]

Outcome = Union[ApiResponse, SmartcarException]
"""What one attempt gave: a 2xx answer or the exception it maps to."""


class Request:
    """One request, ready to send: every byte of it, and how to treat its answer.

    Attributes:
        method: the HTTP method.
        url: the absolute URL, its query included.
        headers: every header the SDK sets, in order (``User-Agent``, ``Accept-Encoding``,
            ``sc-unit-system``, ``Content-Type``, extra headers, ``Authorization``).
        body: the body's bytes, or ``None``.
        timeout: seconds, or ``(connect, read)``.
        may_repeat: a read without effects: 429/502/503 may be answered by sending it again.
        retry: the retry policy of this request.
        max_body_size: the most bytes of decoded body its answer may have.
        fields: the answer fields a 2xx body must hold (checked by
            :func:`smartcar._core.decode`).
        redactor: the request's secrets, kept out of every exception.
        raw_body: a 2xx answer keeps its body's bytes, undecoded (and its ``fields``
            unchecked), for :func:`smartcar._answers.parsed` to read when the caller needs it:
            the sweep's reads, whose answers may wait a while before being used.
    """

    __slots__ = (
        "body",
        "fields",
        "headers",
        "max_body_size",
        "may_repeat",
        "method",
        "raw_body",
        "redactor",
        "retry",
        "timeout",
        "url",
    )

    def __init__(
        self,
        method: str,
        url: str,
        headers: Dict[str, str],
        body: Optional[bytes],
        *,
        timeout: Timeout,
        may_repeat: bool,
        retry: RetryPolicy,
        max_body_size: int,
        redactor: Redactor,
        fields: Tuple[str, ...] = (),
        raw_body: bool = False,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.may_repeat = may_repeat
        self.retry = retry
        self.max_body_size = max_body_size
        self.redactor = redactor
        self.fields = fields
        self.raw_body = raw_body

    def __repr__(self) -> str:
        # The URL is shown without its query, the headers by name only: no secret is shown.
        return f"Request({self.method} {self.url.split('?')[0]}, headers={list(self.headers)})"

    @property
    def read_timeout(self) -> float:
        """Seconds the whole answer (head and body) may take."""
        return self.timeout[1] if isinstance(self.timeout, tuple) else self.timeout

    @property
    def host(self) -> str:
        """``host[:port]`` of the URL (for messages)."""
        return urlsplit(self.url).netloc

    @property
    def path(self) -> str:
        """The URL's path (for log lines: never the query)."""
        return urlsplit(self.url).path or "/"

    def json(self) -> Any:
        """The body parsed as JSON (``None`` without a body).

        Raises:
            ValueError: the body is not JSON (a form).
        """
        if self.body is None:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            raise ValueError(f"the body of {self!r} is not JSON") from None


class Clock(Protocol):
    """The time a :class:`Transport`'s attempts run on: when they start, how long the wait
    before a retry is (the ``time`` module, or a test's clock that only records waits)."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` before the next attempt."""
        ...


class Transport(Protocol):
    """What sends one attempt of a :class:`Request` and reads its answer,
    and the :class:`Clock` the waits between attempts run on.

    :class:`~smartcar._transport.RequestsTransport` (the default) does it over the network;
    :class:`smartcar.testing.MockTransport` hands the request to a function.
    """

    @property
    def clock(self) -> Clock:
        """The clock of the retry loop (:func:`smartcar._transport.send`)."""
        ...

    def attempt(self, request: Request) -> Outcome:
        """Send ``request`` once; return its decoded answer (:func:`smartcar._core.decode`)
        or the exception for a failure without one (never raise it)."""
        ...
