"""smartcar.testing.AsyncMockTransport: the sync mock's handler shape, awaited."""

from __future__ import annotations

import pytest

from smartcar import _core
from smartcar._answers import ApiResponse
from smartcar._core import Request
from smartcar.exceptions import ResourceNotFoundException, SmartcarConnectionError
from smartcar.testing import Answer, AsyncMockTransport

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def request(url: str = "https://api.test/v3/x") -> Request:
    return _core.build("GET", url, token="tok")


async def test_a_plain_or_async_handler_answers_through_the_decoder() -> None:
    def plain(sent: Request) -> Answer:
        return Answer(200, {"ok": True}, {"sc-request-id": "r-1"})

    async def awaited(sent: Request) -> tuple:  # type: ignore[type-arg]
        return 404, {"errors": [{"status": "404", "type": "RESOURCE_NOT_FOUND"}]}

    outcome = await AsyncMockTransport(plain).attempt(request())
    assert isinstance(outcome, ApiResponse) and outcome.body == {"ok": True}
    assert outcome.request_id == "r-1"
    missing = await AsyncMockTransport(awaited).attempt(request())
    assert isinstance(missing, ResourceNotFoundException)


async def test_a_raised_failure_stands_for_no_answer_and_requests_are_kept() -> None:
    def down(sent: Request) -> Answer:
        raise _core.connection_failed(sent)

    transport = AsyncMockTransport(down)
    sent = request()
    outcome = await transport.attempt(sent)
    assert isinstance(outcome, SmartcarConnectionError) and not _core.was_sent(outcome)
    assert transport.requests == [sent]


def test_the_handler_must_be_callable() -> None:
    with pytest.raises(TypeError, match="handler must be callable"):
        AsyncMockTransport("nope")  # type: ignore[arg-type]
