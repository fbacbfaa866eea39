"""The async drivers (smartcar/_async_drivers.py) on both libraries, against a loopback server:
whole answers, the body cap, the whole-answer deadline, every failure as an SDK exception,
and cancellation that propagates and leaves no connection behind."""

from __future__ import annotations

import asyncio
import gzip
import socket
from typing import Any, AsyncIterator

import aiohttp
import httpx
import pytest
from aiohttp import web

from smartcar import _core
from smartcar._answers import ApiResponse
from smartcar._async_drivers import AiohttpDriver, AsyncTransport, HttpxDriver, driver_for
from smartcar._config import Config
from smartcar._core import Outcome
from smartcar.exceptions import SmartcarConnectionError, SmartcarException, SmartcarTimeout

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _slow_body(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    await response.write(b'{"a": ')
    await asyncio.sleep(5)
    await response.write(b"1}")
    return response


async def _slow_sized_body(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.content_length = 8
    await response.prepare(request)
    await response.write(b'{"a": ')
    await asyncio.sleep(5)
    await response.write(b"1}")
    return response


async def _drop(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Length": "100"})
    await response.prepare(request)
    await response.write(b"{")
    assert request.transport is not None
    request.transport.close()
    return response


def _app() -> web.Application:
    async def ok(request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response(
            {"method": request.method, "query": request.query_string, "body": body.decode()},
            headers={"sc-request-id": "rid-1"},
        )

    async def zipped(request: web.Request) -> web.Response:
        return web.Response(
            body=gzip.compress(b'{"zipped": true}'),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    async def bomb(request: web.Request) -> web.Response:
        return web.Response(
            body=gzip.compress(b"0" * 5_000_000), headers={"Content-Encoding": "gzip"}
        )

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"1" * 2_000_000, content_type="application/json")

    async def slow_head(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(text="{}")

    app = web.Application()
    app.router.add_route("*", "/ok", ok)
    app.router.add_get("/zipped", zipped)
    app.router.add_get("/bomb", bomb)
    app.router.add_get("/slow-head", slow_head)
    app.router.add_get("/slow-body", _slow_body)
    app.router.add_get("/slow-sized-body", _slow_sized_body)
    app.router.add_get("/big", big)
    app.router.add_get("/drop", _drop)
    return app


@pytest.fixture
async def server() -> AsyncIterator[str]:
    runner = web.AppRunner(_app(), shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture(params=["httpx", "aiohttp"])
async def driver(request: Any) -> AsyncIterator[AsyncTransport]:
    made: AsyncTransport
    if request.param == "httpx":
        made = HttpxDriver(httpx.AsyncClient(), owned=True)
    else:
        made = AiohttpDriver(aiohttp.ClientSession(), owned=True)
    yield made
    await made.aclose()


def sent(url: str, method: str = "POST", body: Any = None, *, read: float = 2.0) -> _core.Request:
    return _core.build(
        method, url, json_body=body, timeout=(1.0, read), config=Config(max_body_size=1_000_000)
    )


async def answer(driver: AsyncTransport, request: _core.Request) -> Outcome:
    return await driver.attempt(request)


async def failure(driver: AsyncTransport, request: _core.Request) -> SmartcarException:
    outcome = await driver.attempt(request)
    assert isinstance(outcome, SmartcarException)
    return outcome


async def test_a_whole_answer_comes_back(driver: AsyncTransport, server: str) -> None:
    outcome = await answer(driver, sent(server + "/ok?x=1", "POST", "hello"))
    assert isinstance(outcome, ApiResponse) and outcome.status_code == 200
    assert outcome.headers["SC-Request-Id"] == "rid-1"  # any case, as with requests
    assert outcome.request_id == "rid-1"
    assert outcome.body == {"method": "POST", "query": "x=1", "body": '"hello"'}


async def test_a_gzip_body_is_decoded(driver: AsyncTransport, server: str) -> None:
    outcome = await answer(driver, sent(server + "/zipped", "GET"))
    assert isinstance(outcome, ApiResponse) and outcome.body == {"zipped": True}


async def test_a_decoded_body_over_the_cap_is_refused(driver: AsyncTransport, server: str) -> None:
    outcome = await failure(driver, sent(server + "/bomb", "GET"))
    assert outcome.error == "response_too_large" and outcome.status_code == 200


async def test_an_announced_body_over_the_cap_is_refused(
    driver: AsyncTransport, server: str
) -> None:
    outcome = await failure(driver, sent(server + "/big", "GET"))
    assert outcome.error == "response_too_large" and outcome.status_code == 200


@pytest.mark.parametrize("path", ["/slow-head", "/slow-body", "/slow-sized-body"])
async def test_the_whole_answer_has_one_deadline(
    driver: AsyncTransport, server: str, path: str
) -> None:
    started = asyncio.get_running_loop().time()
    outcome = await failure(driver, sent(server + path, "GET", read=0.3))
    assert asyncio.get_running_loop().time() - started < 2
    assert isinstance(outcome, SmartcarTimeout)
    assert outcome.error == "timeout" and "0.3 s read timeout" in str(outcome)
    assert _core.was_sent(outcome)


async def test_a_refused_connection_was_not_sent(driver: AsyncTransport) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = await failure(driver, sent(f"http://127.0.0.1:{port}/"))
    assert isinstance(outcome, SmartcarConnectionError)
    assert outcome.error == "connection_failed" and not _core.was_sent(outcome)


async def test_a_dropped_connection_is_a_connection_error(
    driver: AsyncTransport, server: str
) -> None:
    outcome = await failure(driver, sent(server + "/drop", "GET"))
    assert isinstance(outcome, SmartcarConnectionError)
    assert outcome.error == "connection_dropped"


async def test_cancellation_propagates_and_frees_the_connection(
    driver: AsyncTransport, server: str
) -> None:
    task = asyncio.ensure_future(driver.attempt(sent(server + "/slow-body", "GET", read=10)))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _open_connections(driver) == 0
    outcome = await answer(driver, sent(server + "/ok"))
    assert isinstance(outcome, ApiResponse)


def _open_connections(driver: AsyncTransport) -> int:
    if isinstance(driver, HttpxDriver):
        pool = driver.client._transport._pool  # type: ignore[attr-defined]
        return sum(1 for connection in pool.connections if not connection.is_idle())
    assert isinstance(driver, AiohttpDriver)
    connector = driver.session.connector
    assert connector is not None
    return len(connector._acquired)  # type: ignore[attr-defined]


async def test_driver_for_takes_either_library_and_nothing_else() -> None:
    async with httpx.AsyncClient() as client:
        assert isinstance(driver_for(client), HttpxDriver)
    async with aiohttp.ClientSession() as session:
        assert isinstance(driver_for(session), AiohttpDriver)
    with pytest.raises(TypeError, match=r"aiohttp\.ClientSession or an httpx\.AsyncClient"):
        driver_for(object())
