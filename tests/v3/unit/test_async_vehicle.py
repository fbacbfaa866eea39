"""What only the async client has: one token request for 200 concurrent tasks, exact requests
through the async mock transport and through both drivers, cancellation of a command (never
repeated, no connection left behind), lazy ``async for`` pages, and ``async with``."""

from __future__ import annotations

import asyncio
import json
from typing import Any, AsyncIterator, Dict, List

import aiohttp
import httpx
import pytest
from aiohttp import web

from smartcar import const
from smartcar._async_drivers import AiohttpDriver, HttpxDriver
from smartcar._core import Request
from smartcar.testing import Answer, AsyncMockTransport
from smartcar.tokens.memory import MemoryStore
from smartcar.v3 import AsyncClient

from .support import (
    CLIENT_ID,
    CLIENT_SECRET,
    IAM,
    SEED_SIGNALS,
    USER_ID,
    VEHICLE_ID,
    VEHICLES,
    command_body,
    signal_list,
    token_body,
)
from .test_client import connection_resource, page
from .test_vehicle import (
    BAD_ODOMETERS,
    assert_bad_odometer_raises_at_first_use,
    signals_with_bad_odometer,
)

pytestmark = pytest.mark.anyio

BASE = f"{VEHICLES}/vehicles/{VEHICLE_ID}"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Service:
    """A handler for :class:`AsyncMockTransport`: tokens app-token-1, 2, ...; signals; lock."""

    def __init__(self, token_delay: float = 0.0) -> None:
        self.token_delay = token_delay
        self.tokens = 0

    async def __call__(self, request: Request) -> Any:
        if request.url == IAM:
            self.tokens += 1
            await asyncio.sleep(self.token_delay)
            return Answer(200, token_body(f"app-token-{self.tokens}"))
        if request.url == f"{BASE}/signals":
            return Answer(200, signal_list(SEED_SIGNALS), {"sc-request-id": "r1"})
        if request.url == f"{BASE}/commands/security/lock":
            return Answer(200, command_body("LOCK"))
        return Answer(404, {"errors": [{"status": "404", "type": "RESOURCE_NOT_FOUND"}]})


def client_on(handler: Any, **options: Any) -> AsyncClient:
    return AsyncClient(CLIENT_ID, CLIENT_SECRET, session=AsyncMockTransport(handler), **options)


async def test_200_tasks_at_once_make_one_token_request() -> None:
    service = Service(token_delay=0.05)
    client = client_on(service)
    vehicle = client.vehicle(VEHICLE_ID, USER_ID)
    results = await asyncio.gather(*(vehicle.signals() for _ in range(200)))
    assert service.tokens == 1
    assert all(len(signals) == len(SEED_SIGNALS) for signals in results)


async def test_a_shared_store_is_used_off_the_loop_and_still_fetches_once() -> None:
    service = Service(token_delay=0.05)
    store = MemoryStore()
    first = client_on(service, token_store=store)
    second = client_on(service, token_store=store)  # another "process" on the same store
    tokens = await asyncio.gather(*(client.access_token() for client in [first, second] * 100))
    assert set(tokens) == {"app-token-1"} and service.tokens == 1


async def test_a_command_is_sent_exactly_as_the_sync_client_sends_it() -> None:
    transport = AsyncMockTransport(Service())
    client = AsyncClient(CLIENT_ID, CLIENT_SECRET, session=transport)
    execution = await client.vehicle(VEHICLE_ID, USER_ID).lock()
    assert execution["status"] == "SUCCESS"
    token_request, lock = transport.requests
    assert token_request.method == "POST" and token_request.url == IAM
    assert lock.method == "POST" and lock.url == f"{BASE}/commands/security/lock"
    assert lock.headers["Authorization"] == "Bearer app-token-1"
    assert lock.headers["sc-user-id"] == USER_ID and lock.body is None
    assert not lock.may_repeat


async def test_connections_are_fetched_page_by_page_only_as_iterated() -> None:
    transport_requests: List[str] = []
    resources = [connection_resource(i) for i in range(7)]

    def handler(request: Request) -> Any:
        if request.url == IAM:
            return Answer(200, token_body())
        transport_requests.append(request.url)
        number = int(request.url.split("page%5Bnumber%5D=")[1].split("&")[0])
        start = (number - 1) * 3
        return Answer(200, page(resources[start : start + 3], number, 3, 7, "page"))

    client = client_on(handler)
    seen = []
    async for connection in client.connections(page_size=3):
        seen.append(connection["id"])
        if len(seen) == 2:
            break
    assert seen == ["conn-0", "conn-1"] and len(transport_requests) == 1
    assert [c["id"] async for c in client.connections(page_size=3)] == [
        f"conn-{i}" for i in range(7)
    ]


async def test_bad_arguments_raise_at_the_call_before_any_request() -> None:
    client = client_on(Service())
    with pytest.raises(ValueError):
        client.connections(page_size=0)
    with pytest.raises(ValueError):
        client.vehicle("", USER_ID)
    with pytest.raises(TypeError, match="session must be"):
        AsyncClient(CLIENT_ID, CLIENT_SECRET, session=object())


# On both drivers, against a loopback service ------------------------------------------------


class Loopback:
    """A loopback v3 service: records each request; the lock command takes ``lock_delay``."""

    def __init__(self) -> None:
        self.seen: List[Dict[str, Any]] = []
        self.lock_delay = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.seen.append(
            {
                "method": request.method,
                "path": request.path_qs,
                "headers": dict(request.headers),
                "body": body,
            }
        )
        if request.path == "/oauth2/token":
            return web.json_response(token_body())
        if request.path.endswith("/commands/security/lock"):
            await asyncio.sleep(self.lock_delay)
        if "/commands/" in request.path:
            return web.json_response(command_body("LOCK"))
        return web.json_response(signal_list(SEED_SIGNALS))


@pytest.fixture
async def loopback(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Loopback]:
    service = Loopback()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", service.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    origin = f"http://127.0.0.1:{port}"
    monkeypatch.setattr(const, "IAM_URL", f"{origin}/oauth2/token")
    monkeypatch.setattr(const, "VEHICLE_API_V3_URL", f"{origin}/v3")
    yield service
    await runner.cleanup()


@pytest.fixture(params=["httpx", "aiohttp"])
async def session(request: Any) -> AsyncIterator[Any]:
    if request.param == "httpx":
        async with httpx.AsyncClient() as client:
            yield client
    else:
        async with aiohttp.ClientSession() as made:
            yield made


def _in_use(client: AsyncClient) -> int:
    driver = client._get_driver()
    if isinstance(driver, HttpxDriver):
        pool = driver.client._transport._pool  # type: ignore[attr-defined]
        return sum(1 for connection in pool.connections if not connection.is_idle())
    assert isinstance(driver, AiohttpDriver) and driver.session.connector is not None
    return len(driver.session.connector._acquired)  # type: ignore[attr-defined]


async def test_each_driver_sends_the_same_bytes(loopback: Loopback, session: Any) -> None:
    client = AsyncClient(CLIENT_ID, CLIENT_SECRET, session=session)
    await client.vehicle(VEHICLE_ID, USER_ID).set_charge_limit(80)
    token, command = loopback.seen
    assert token["method"] == "POST" and token["path"] == "/oauth2/token"
    assert token["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert b"grant_type=client_credentials" in token["body"]
    assert command["path"] == f"/v3/vehicles/{VEHICLE_ID}/commands/charge/set-limit"
    assert command["headers"]["Authorization"] == "Bearer app-token-1"
    assert command["headers"]["sc-user-id"] == USER_ID
    assert command["headers"]["Content-Type"] == "application/json"
    assert json.loads(command["body"]) == {"data": {"attributes": {"percent": 80}}}
    assert command["headers"]["User-Agent"].startswith("Smartcar/")


async def test_a_cancelled_command_is_not_repeated_and_leaves_no_connection(
    loopback: Loopback, session: Any
) -> None:
    client = AsyncClient(CLIENT_ID, CLIENT_SECRET, session=session)
    vehicle = client.vehicle(VEHICLE_ID, USER_ID)
    await client.access_token()
    loopback.lock_delay = 5.0
    task = asyncio.ensure_future(vehicle.lock())
    while not any(seen["path"].endswith("/lock") for seen in loopback.seen):
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.1)
    locks = [seen for seen in loopback.seen if seen["path"].endswith("/lock")]
    assert len(locks) == 1
    assert _in_use(client) == 0
    loopback.lock_delay = 0.0
    assert (await vehicle.lock())["status"] == "SUCCESS"


async def test_async_with_closes_the_sdks_own_pool(loopback: Loopback) -> None:
    async with AsyncClient(CLIENT_ID, CLIENT_SECRET) as client:
        await client.vehicle(VEHICLE_ID, USER_ID).signals()
        driver = client._get_driver()
    assert isinstance(driver, AiohttpDriver) and driver.session.closed


async def test_a_callers_session_stays_open(loopback: Loopback, session: Any) -> None:
    async with AsyncClient(CLIENT_ID, CLIENT_SECRET, session=session) as client:
        await client.vehicle(VEHICLE_ID, USER_ID).signals()
    closed = session.is_closed if isinstance(session, httpx.AsyncClient) else session.closed
    assert not closed


@pytest.mark.parametrize(("part", "message"), BAD_ODOMETERS)
async def test_a_malformed_signal_part_raises_at_first_use_and_the_others_stay_usable(
    part: Dict[str, Any], message: str
) -> None:
    def handler(request: Request) -> Any:
        if request.url == IAM:
            return Answer(200, token_body())
        return Answer(200, signals_with_bad_odometer(part))

    vehicle = client_on(handler).vehicle(VEHICLE_ID, USER_ID)
    signals = await vehicle.signals()
    assert_bad_odometer_raises_at_first_use(signals, await vehicle.snapshot(), message)
