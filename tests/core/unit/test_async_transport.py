"""smartcar._async_transport.send: the core's retry rule, awaited; a cancelled call sends
nothing more."""

from __future__ import annotations

import asyncio
from typing import List

import pytest

from smartcar import _async_transport, _core
from smartcar._answers import ApiResponse
from smartcar._config import Config, RetryPolicy
from smartcar._core import Request
from smartcar.exceptions import SmartcarException
from smartcar.testing import Answer, AsyncMockTransport

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(max_retries=2, backoff_base=0.001, backoff_max=0.002)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def built(method: str, *, retry: RetryPolicy = FAST) -> Request:
    return _core.build(method, "https://api.test/v3/x", token="tok", config=Config(retry=retry))


def answers(*statuses: int) -> AsyncMockTransport:
    queue: List[int] = list(statuses)

    def handler(request: Request) -> Answer:
        status = queue.pop(0)
        return Answer(status, {"ok": True} if status == 200 else {"errors": []})

    return AsyncMockTransport(handler)


async def test_a_read_is_repeated_after_a_503() -> None:
    transport = answers(503, 200)
    outcome = await _async_transport.send(built("GET"), transport)
    assert isinstance(outcome, ApiResponse) and len(transport.requests) == 2


async def test_a_command_is_never_repeated() -> None:
    transport = answers(503, 200)
    with pytest.raises(SmartcarException) as raised:
        await _async_transport.send(built("POST"), transport)
    assert raised.value.status_code == 503 and len(transport.requests) == 1


async def test_a_call_cancelled_while_it_waits_to_retry_sends_nothing_more() -> None:
    transport = AsyncMockTransport(lambda request: Answer(503, {}, {"Retry-After": "5"}))
    task = asyncio.ensure_future(_async_transport.send(built("GET"), transport))
    while not transport.requests:
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(transport.requests) == 1


async def test_request_builds_as_the_sync_transport_does() -> None:
    transport = answers(200)
    await _async_transport.request(
        transport, "GET", "https://api.test/v3/x", token="tok", params={"a": ["1", "2"]}
    )
    (sent,) = transport.requests
    assert sent.url == "https://api.test/v3/x?a=1&a=2"
    assert sent.headers["Authorization"] == "Bearer tok"
