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
from typing import TYPE_CHECKING, Any, Iterator, List, Optional

from . import _config, _transport
from ._core import Request
from ._mock import Answer, MockClock, MockTransport
from ._transport import Transport

if TYPE_CHECKING:
    from ._mock_async import AsyncMockTransport

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


def set_default_transport(transport: Optional[Transport]) -> None:
    """Send every call that names no transport through ``transport`` (``None``: the
    network again)."""
    _transport.set_default_transport(transport)


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
    # The async twin lives in smartcar._mock_async; it is loaded when first asked for.
    if name == "AsyncMockTransport":
        from ._mock_async import AsyncMockTransport

        return AsyncMockTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> List[str]:
    return sorted({*globals(), *__all__})
