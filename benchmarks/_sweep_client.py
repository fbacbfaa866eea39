"""The async sweep benchmark's client process: one sweep, or a run of single reads, one way.

Prints one JSON line: wall time, CPU seconds, peak RSS, results and failures. Run by
``benchmarks/async_sweep.py``; the environment points the SDK at the fixture
(``SMARTCAR_*_ORIGIN``).

Sweeps (``--concurrency`` reads in flight):

* ``async``: ``AsyncClient.sweep()`` on the SDK's own client;
* ``async-aiohttp`` / ``async-httpx``: the same on a caller's session of that library;
* ``bare-aiohttp`` / ``bare-httpx``: the same reads written directly on that library;
* ``threaded``: ``Client.sweep()``.

Single reads (``--reads`` calls of ``GET /v3/vehicles/{id}/signals``, one at a time):
``read-async-aiohttp``, ``read-async-httpx``, ``read-sync`` and their bare counterparts
``read-bare-aiohttp``, ``read-bare-httpx``, ``read-bare-requests``. ``--standard-json`` keeps
msgspec out, so the SDK parses answers with ``json`` as the bare clients do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional

CLIENT_ID = "client_bench"
CLIENT_SECRET = "bench-secret"
VEHICLE = "vehicle-0"
USER = "user-0"


def peak_rss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _origin() -> str:
    return os.environ["SMARTCAR_VEHICLE_API_V3_ORIGIN"]


def _aiohttp_session(concurrency: int) -> Any:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())


def _httpx_client(concurrency: int) -> Any:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(limits=limits)


def _checked(status: int, content: bytes) -> Any:
    """What a caller's bare code must do with an answer: check its status, parse its body."""
    if not 200 <= status < 300:
        raise RuntimeError(f"HTTP {status}")
    return json.loads(content)


# Sweeps -------------------------------------------------------------------------------------


async def sdk_sweep(session: Any, concurrency: int) -> Dict[str, Any]:
    import smartcar.v3

    cpu, wall = time.process_time(), time.perf_counter()
    async with smartcar.v3.AsyncClient(CLIENT_ID, CLIENT_SECRET, session=session) as client:
        await client.access_token()
        read = failed = 0
        async for result in client.sweep(concurrency=concurrency):
            read += 1
            failed += not result.ok
    done = {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}
    if session is not None:
        await session.close() if hasattr(session, "closed") else await session.aclose()
    return {"results": read, "failed": failed, **done}


async def bare_sweep(library: str, concurrency: int) -> Dict[str, Any]:
    """The same reads, directly on the library: token, pages of connections, then each
    vehicle's signals with ``concurrency`` in flight, every body parsed."""
    origin = _origin()
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET}  # fmt: skip
    session = _aiohttp_session(concurrency) if library == "aiohttp" else _httpx_client(concurrency)
    cpu, wall = time.process_time(), time.perf_counter()

    async def get(url: str, headers: Dict[str, str]) -> Any:
        if library == "aiohttp":
            async with session.get(url, headers=headers) as response:
                return _checked(response.status, await response.read())
        response = await session.get(url, headers=headers)
        return _checked(response.status_code, response.content)

    if library == "aiohttp":
        async with session.post(f"{origin}/oauth2/token", data=form) as response:
            token = _checked(response.status, await response.read())["access_token"]
    else:
        answer = await session.post(f"{origin}/oauth2/token", data=form)
        token = _checked(answer.status_code, answer.content)["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    pending: List[Any] = []
    number = 1
    while True:
        page = await get(f"{origin}/v3/connections?page[number]={number}&page[size]=100", auth)
        pending.extend(page["data"])
        if len(page["data"]) < 100:
            break
        number += 1
    read = failed = 0

    async def worker() -> None:
        nonlocal read, failed
        while pending:
            item = pending.pop()
            vehicle = item["relationships"]["vehicle"]["data"]["id"]
            user = item["relationships"]["user"]["data"]["id"]
            try:
                body = await get(f"{origin}/v3/vehicles/{vehicle}/signals",
                                 {**auth, "sc-user-id": user})  # fmt: skip
                failed += not isinstance(body.get("data"), list)
            except Exception:
                failed += 1
            read += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    done = {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}
    await session.close() if library == "aiohttp" else await session.aclose()
    return {"results": read, "failed": failed, **done}


def threaded_sweep(concurrency: int) -> Dict[str, Any]:
    import smartcar.v3

    cpu, wall = time.process_time(), time.perf_counter()
    client = smartcar.v3.Client(CLIENT_ID, CLIENT_SECRET)
    client.access_token()
    read = failed = 0
    for result in client.sweep(concurrency=concurrency):
        read += 1
        failed += not result.ok
    done = {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}
    return {"results": read, "failed": failed, **done}


# Single reads -------------------------------------------------------------------------------


async def sdk_reads(session: Any) -> Callable[[], Awaitable[Any]]:
    import smartcar.v3

    client = smartcar.v3.AsyncClient(CLIENT_ID, CLIENT_SECRET, session=session)
    vehicle = client.vehicle(VEHICLE, USER)
    return vehicle.signals


async def bare_reads(library: str) -> Callable[[], Awaitable[Any]]:
    url = f"{_origin()}/v3/vehicles/{VEHICLE}/signals"
    headers = {"Authorization": "Bearer bench-token", "sc-user-id": USER}
    if library == "aiohttp":
        session = _aiohttp_session(8)

        async def read_aiohttp() -> Any:
            async with session.get(url, headers=headers) as response:
                return _checked(response.status, await response.read())

        return read_aiohttp
    client = _httpx_client(8)

    async def read_httpx() -> Any:
        response = await client.get(url, headers=headers)
        return _checked(response.status_code, response.content)

    return read_httpx


async def time_async_reads(
    make: Awaitable[Callable[[], Awaitable[Any]]], reads: int
) -> Dict[str, Any]:
    call = await make
    for _ in range(20):  # warm up: the token, the connection, imports
        await call()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(reads):
        await call()
    return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall,
            "results": reads, "failed": 0}  # fmt: skip


def time_sync_reads(bare: bool, reads: int) -> Dict[str, Any]:
    if bare:
        import requests

        session = requests.Session()
        url = f"{_origin()}/v3/vehicles/{VEHICLE}/signals"
        headers = {"Authorization": "Bearer bench-token", "sc-user-id": USER}

        def call() -> Any:
            response = session.get(url, headers=headers, timeout=10)
            return _checked(response.status_code, response.content)

    else:
        import smartcar.v3

        call = smartcar.v3.Client(CLIENT_ID, CLIENT_SECRET).vehicle(VEHICLE, USER).signals
    for _ in range(20):
        call()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(reads):
        call()
    return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall,
            "results": reads, "failed": 0}  # fmt: skip


def run(kind: str, args: argparse.Namespace) -> Dict[str, Any]:
    c = args.concurrency
    if kind == "threaded":
        return threaded_sweep(c)
    if kind == "read-sync":
        return time_sync_reads(False, args.reads)
    if kind == "read-bare-requests":
        return time_sync_reads(True, args.reads)
    if kind.startswith("read-"):
        library = kind.rsplit("-", 1)[1]
        if kind.startswith("read-bare-"):
            return asyncio.run(time_async_reads(bare_reads(library), args.reads))

        async def sdk() -> Dict[str, Any]:
            session = _aiohttp_session(8) if library == "aiohttp" else _httpx_client(8)
            return await time_async_reads(sdk_reads(session), args.reads)

        return asyncio.run(sdk())
    if kind == "async":
        return asyncio.run(sdk_sweep(None, c))
    if kind.startswith("bare-"):
        return asyncio.run(bare_sweep(kind[5:], c))

    async def on_session() -> Dict[str, Any]:
        library = kind[6:]
        session = _aiohttp_session(c) if library == "aiohttp" else _httpx_client(c)
        return await sdk_sweep(session, c)

    return asyncio.run(on_session())


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind")
    parser.add_argument("--concurrency", type=int, default=1024)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--standard-json", action="store_true", help="keep msgspec out")
    args = parser.parse_args(argv)
    if args.standard_json:
        sys.modules["msgspec"] = None  # type: ignore[assignment]  # its import now fails
    cpu, wall = time.process_time(), time.perf_counter()
    outcome = run(args.kind, args)
    outcome.setdefault("cpu", time.process_time() - cpu)
    outcome.setdefault("wall", time.perf_counter() - wall)
    outcome["peak_rss_kib"] = peak_rss_kib()
    print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
