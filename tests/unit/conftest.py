"""Shared fixtures of the unit tests: fixed origins, a ``responses`` mock, a fake clock for
the retry policy, and two tiny loopback sockets (a closed port and a server that never answers).
"""

from __future__ import annotations

import socket
from typing import Callable, Iterator

import pytest
import responses
from unit_support import (
    ACCESS_TOKEN,
    API,
    AUTH,
    CLIENT_ID,
    CLIENT_SECRET,
    CONNECT,
    FAST_POLICY,
    REDIRECT_URI,
    VEHICLE_ID,
    DroppingServer,
    FakeTime,
    FullBacklogServer,
    SilentServer,
)

import smartcar
from smartcar import _transport, api, const
from smartcar.testing import set_default_transport


@pytest.fixture(autouse=True)
def _origins_and_defaults(
    monkeypatch: pytest.MonkeyPatch, smartcar_defaults: Callable[..., None]
) -> None:
    """Point the SDK at fixed fake origins, API v1.0 (these are 4.3.5 wire tests; the v2.0 ones
    choose 2.0) and a fast retry policy; restore all of it afterwards."""
    monkeypatch.setattr(const, "API_URL", API)
    monkeypatch.setattr(const, "AUTH_URL", AUTH)
    monkeypatch.setattr(const, "CONNECT_URL", CONNECT)
    smartcar_defaults(retry=FAST_POLICY, timeout=api.DEFAULT_TIMEOUT, api_version="1.0")


@pytest.fixture
def clock() -> Iterator[FakeTime]:
    """The network transport on a fake clock: retries do not wait, and waits are recorded."""
    fake = FakeTime()
    previous = _transport.default_transport()
    set_default_transport(_transport.RequestsTransport(clock=fake))
    yield fake
    set_default_transport(previous)


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    """A strict ``responses`` mock: unregistered URLs fail, every call is recorded."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def vehicle() -> smartcar.Vehicle:
    return smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN)


@pytest.fixture
def client() -> smartcar.AuthClient:
    return smartcar.AuthClient(
        CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, scope=["read_odometer", "read_vin"]
    )


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def full_backlog_server() -> Iterator[FullBacklogServer]:
    server = FullBacklogServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def dropping_server() -> Iterator[DroppingServer]:
    server = DroppingServer()
    try:
        yield server
    finally:
        server.close()
