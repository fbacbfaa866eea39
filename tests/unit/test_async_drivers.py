"""The async drivers (smartcar/_async_drivers.py) on both libraries, against a loopback server:
whole answers, the body cap, the whole-answer deadline, every failure as an SDK exception,
and cancellation that propagates and leaves no connection behind."""

from __future__ import annotations

import asyncio
import gzip
import socket
from typing import Any, AsyncIterator, Awaitable, Callable

import aiohttp
import httpx
import pytest
from aiohttp import web

from smartcar import _transport
from smartcar._async_drivers import (
    AiohttpDriver,
    AsyncDriver,
    HttpxDriver,
    SentRequest,
    driver_for,
)
from smartcar.exceptions import SmartcarConnectionError, SmartcarException, SmartcarTimeout

pytestmark = pytest.mark.anyio

MakeDriver = Callable[[], Awaitable[AsyncDriver]]


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

    async def slow_head(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(text="{}")

    app = web.Application()
    app.router.add_route("*", "/ok", ok)
    app.router.add_get("/zipped", zipped)
    app.router.add_get("/bomb", bomb)
    app.router.add_get("/slow-head", slow_head)
    app.router.add_get("/slow-body", _slow_body)
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
async def driver(request: Any) -> AsyncIterator[AsyncDriver]:
    made: AsyncDriver
    if request.param == "httpx":
        made = HttpxDriver(httpx.AsyncClient(), owned=True)
    else:
        made = AiohttpDriver(aiohttp.ClientSession(), owned=True)
    yield made
    await made.aclose()


def sent(url: str, method: str = "GET", body: bytes = b"", *, read: float = 2.0) -> SentRequest:
    headers = {"User-Agent": _transport.USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    return SentRequest(method, url, headers, body or None, 1.0, read, 1_000_000)


async def test_a_whole_answer_comes_back(driver: AsyncDriver, server: str) -> None:
    answer = await driver.send(sent(server + "/ok?x=1", "POST", b"hello"))
    assert answer.status == 200 and answer.reason == "OK"
    assert answer.headers["SC-Request-Id"] == "rid-1"  # any case, as with requests
    assert b'"method": "POST"' in answer.body and b'"body": "hello"' in answer.body
    assert b'"query": "x=1"' in answer.body


async def test_a_gzip_body_is_decoded(driver: AsyncDriver, server: str) -> None:
    answer = await driver.send(sent(server + "/zipped"))
    assert answer.body == b'{"zipped": true}'


async def test_a_decoded_body_over_the_cap_is_refused(driver: AsyncDriver, server: str) -> None:
    with pytest.raises(SmartcarException) as raised:
        await driver.send(sent(server + "/bomb"))
    assert raised.value.error == "response_too_large"


@pytest.mark.parametrize("path", ["/slow-head", "/slow-body"])
async def test_the_whole_answer_has_one_deadline(
    driver: AsyncDriver, server: str, path: str
) -> None:
    started = asyncio.get_running_loop().time()
    with pytest.raises(SmartcarTimeout) as raised:
        await driver.send(sent(server + path, read=0.3))
    assert asyncio.get_running_loop().time() - started < 2
    assert raised.value.error == "timeout" and "0.3 s read timeout" in str(raised.value)
    assert _transport.was_sent(raised.value)


async def test_a_refused_connection_was_not_sent(driver: AsyncDriver) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SmartcarConnectionError) as raised:
        await driver.send(sent(f"http://127.0.0.1:{port}/"))
    assert raised.value.error == "connection_failed"
    assert not _transport.was_sent(raised.value)


async def test_a_dropped_connection_is_a_connection_error(driver: AsyncDriver, server: str) -> None:
    with pytest.raises(SmartcarConnectionError) as raised:
        await driver.send(sent(server + "/drop"))
    assert raised.value.error == "connection_dropped"


async def test_cancellation_propagates_and_frees_the_connection(
    driver: AsyncDriver, server: str
) -> None:
    task = asyncio.ensure_future(driver.send(sent(server + "/slow-body", read=10)))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _open_connections(driver) == 0
    answer = await driver.send(sent(server + "/ok"))
    assert answer.status == 200


def _open_connections(driver: AsyncDriver) -> int:
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
