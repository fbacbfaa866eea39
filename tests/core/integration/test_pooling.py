"""The SDK against a real loopback HTTP/1.1 keep-alive server (no mocking of ``requests``):
connection reuse, no cross-talk between threads with different tokens and unit systems, and
no cookie carry-over."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Set, Tuple

import pytest
import requests

import smartcar
from smartcar import const

VEHICLE_ID = "7d2b7a6e-loopback-vehicle"
POOL_SIZE = 32


class Seen(NamedTuple):
    """What the server saw of one request."""

    client: Tuple[str, int]
    path: str
    authorization: Optional[str]
    unit_system: Optional[str]
    cookie: Optional[str]


class EchoServer(ThreadingHTTPServer):
    """Keep-alive HTTP/1.1 server that records each request and echoes its credentials."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), EchoHandler)
        self.seen: List[Seen] = []
        self.close_after_answer = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def clients(self) -> Set[Tuple[str, int]]:
        with self.lock:
            return {seen.client for seen in self.seen}


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY on the accepted socket
    server: EchoServer

    def do_GET(self) -> None:
        seen = Seen(
            client=(str(self.client_address[0]), int(self.client_address[1])),
            path=self.path,
            authorization=self.headers.get("Authorization"),
            unit_system=self.headers.get("sc-unit-system"),
            cookie=self.headers.get("Cookie"),
        )
        with self.server.lock:
            self.server.seen.append(seen)
            number = len(self.server.seen)
        body = json.dumps(
            {
                "distance": float(number),
                "echo_authorization": seen.authorization,
                "echo_unit_system": seen.unit_system,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("sc-request-id", f"req-{number}")
        self.send_header("sc-unit-system", seen.unit_system or "missing")
        self.send_header("sc-data-age", "2019-10-24T00:43:46.000Z")
        self.send_header("Set-Cookie", f"session=cookie-{number}; Path=/")
        if self.server.close_after_answer:
            self.send_header("Keep-Alive", "timeout=60")
        self.end_headers()
        self.wfile.write(body)
        if self.server.close_after_answer:
            # An idle-timeout on the server side: the socket is closed without
            # ``Connection: close``, so the client only learns of it on its next request.
            self.wfile.flush()
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def echo_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[EchoServer]:
    server = EchoServer()
    server.thread.start()
    monkeypatch.setattr(const, "API_URL", f"{server.origin}/v1.0")
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_sequential_calls_reuse_one_connection(echo_server: EchoServer) -> None:
    vehicle = smartcar.Vehicle(VEHICLE_ID, "token-sequential")
    for _ in range(100):
        result = vehicle.odometer()
        assert result["data"]["echo_authorization"] == "Bearer token-sequential"
    assert len(echo_server.seen) == 100
    assert len(echo_server.clients()) == 1
    assert {seen.path for seen in echo_server.seen} == {f"/v1.0/vehicles/{VEHICLE_ID}/odometer"}


def test_sequential_calls_from_many_objects_share_the_pool(echo_server: EchoServer) -> None:
    for number in range(20):
        smartcar.Vehicle(f"v{number}", f"token-{number}").odometer()
    assert len(echo_server.clients()) == 1


def test_threads_never_see_each_others_headers(echo_server: EchoServer) -> None:
    threads_count, calls_each = 32, 20
    barrier = threading.Barrier(threads_count)
    problems: List[str] = []
    problems_lock = threading.Lock()

    def worker(index: int) -> None:
        token = f"tok-{index}-{uuid.uuid4().hex}"
        unit_system = "metric" if index % 2 == 0 else "imperial"
        vehicle = smartcar.Vehicle(f"vehicle-{index}", token, unit_system)
        barrier.wait(timeout=30)
        for call in range(calls_each):
            try:
                result = vehicle.odometer()
            except Exception as error:  # every failure is reported below
                with problems_lock:
                    problems.append(f"thread {index} call {call}: {type(error).__name__}")
                continue
            data: Dict[str, Any] = dict(result["data"])
            if (
                data["echo_authorization"] != f"Bearer {token}"
                or data["echo_unit_system"] != unit_system
                or result["unit_system"] != unit_system
            ):
                with problems_lock:
                    problems.append(f"thread {index} call {call}: got {data}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    assert problems == []
    assert len(echo_server.seen) == threads_count * calls_each
    per_token: Dict[Optional[str], int] = {}
    for seen in echo_server.seen:
        per_token[seen.authorization] = per_token.get(seen.authorization, 0) + 1
        vehicle_index = int(seen.path.split("/")[3].split("-")[1])
        expected_unit = "metric" if vehicle_index % 2 == 0 else "imperial"
        assert seen.unit_system == expected_unit, seen
        assert seen.authorization is not None
        assert seen.authorization.startswith(f"Bearer tok-{vehicle_index}-"), seen
    assert sorted(per_token.values()) == [calls_each] * threads_count
    assert len(echo_server.clients()) <= POOL_SIZE


def test_server_cookies_are_never_sent_back(echo_server: EchoServer) -> None:
    first = smartcar.Vehicle("cookie-a", "token-a")
    second = smartcar.Vehicle("cookie-b", "token-b", "imperial")
    for _ in range(5):
        first.odometer()
        second.odometer()
    assert len(echo_server.seen) == 10
    assert [seen.cookie for seen in echo_server.seen] == [None] * 10


def test_connection_closed_by_server_while_idle_is_replaced(echo_server: EchoServer) -> None:
    """A keep-alive connection the server dropped while idle is not reused: the next call
    opens a new one and succeeds (no SmartcarConnectionError for the user)."""
    echo_server.close_after_answer = True
    vehicle = smartcar.Vehicle(VEHICLE_ID, "token-idle")
    for _ in range(5):
        assert vehicle.odometer()["data"]["echo_authorization"] == "Bearer token-idle"
        time.sleep(0.05)
    assert len(echo_server.seen) == 5
    assert len(echo_server.clients()) == 5


def _odometer_in_child(origin: str, results: Any) -> None:
    const.API_URL = f"{origin}/v1.0"
    try:
        data = smartcar.Vehicle(VEHICLE_ID, "token-child").odometer()["data"]
        results.put(data["echo_authorization"])
    except Exception as error:  # reported to the parent
        results.put(f"{type(error).__name__}: {error}")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_does_not_share_the_parents_connections(echo_server: EchoServer) -> None:
    vehicle = smartcar.Vehicle(VEHICLE_ID, "token-parent")
    vehicle.odometer()
    parent_port = echo_server.seen[-1].client
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_odometer_in_child, args=(echo_server.origin, results))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert results.get(timeout=5) == "Bearer token-child"
    child_port = echo_server.seen[-1].client
    assert child_port != parent_port
    vehicle.odometer()
    assert echo_server.seen[-1].client == parent_port
    assert [seen.authorization for seen in echo_server.seen] == [
        "Bearer token-parent",
        "Bearer token-child",
        "Bearer token-parent",
    ]


# --- requests' environment handling is kept: proxies and REQUESTS_CA_BUNDLE ------------------


@pytest.fixture
def clean_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.mark.usefixtures("clean_proxy_env")
def test_http_proxy_from_the_environment_is_used(
    monkeypatch: pytest.MonkeyPatch, echo_server: EchoServer
) -> None:
    # The API host does not resolve; only a proxy can answer for it.
    monkeypatch.setattr(const, "API_URL", "http://api.smartcar.invalid/v1.0")
    monkeypatch.setenv("HTTP_PROXY", echo_server.origin)
    resolved: List[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        resolved.append(str(host))
        if host not in ("127.0.0.1", "localhost"):
            raise OSError(f"test guard: no lookup of {host!r} off loopback")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    result = smartcar.Vehicle(VEHICLE_ID, "token-proxied").odometer()
    assert result["data"]["echo_authorization"] == "Bearer token-proxied"
    assert echo_server.seen[-1].path == (
        f"http://api.smartcar.invalid/v1.0/vehicles/{VEHICLE_ID}/odometer"
    )
    assert "api.smartcar.invalid" not in resolved


@pytest.fixture
def tls_echo_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> Iterator[Tuple[EchoServer, str]]:
    import ssl

    import trustme

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    server = EchoServer()
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.thread.start()
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setattr(const, "API_URL", f"https://127.0.0.1:{server.server_address[1]}/v1.0")
    try:
        yield server, str(bundle)
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.usefixtures("clean_proxy_env")
def test_requests_ca_bundle_is_honoured(
    monkeypatch: pytest.MonkeyPatch, tls_echo_server: Tuple[EchoServer, str]
) -> None:
    server, bundle = tls_echo_server
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle)
    vehicle = smartcar.Vehicle(VEHICLE_ID, "token-tls", max_retries=0)
    for _ in range(3):
        assert vehicle.odometer()["data"]["echo_authorization"] == "Bearer token-tls"
    assert len(server.seen) == 3
    assert len(server.clients()) == 1


@pytest.mark.usefixtures("clean_proxy_env")
def test_untrusted_certificate_is_reported_as_such(
    monkeypatch: pytest.MonkeyPatch, tls_echo_server: Tuple[EchoServer, str]
) -> None:
    server, _bundle = tls_echo_server
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    with pytest.raises(smartcar.SmartcarConnectionError) as caught:
        smartcar.Vehicle(VEHICLE_ID, "token-tls", max_retries=0).odometer()
    assert isinstance(caught.value.__cause__, requests.exceptions.SSLError)
    assert "token-tls" not in repr(caught.value)
    assert len(server.seen) == 0
    # The user must learn that TLS verification failed (a CA bundle problem), not that the
    # connection "broke before an answer arrived".
    assert re.search(r"TLS|SSL|certificate", caught.value.message, re.IGNORECASE), (
        caught.value.message
    )


def test_netrc_entry_never_replaces_the_bearer_token(
    monkeypatch: pytest.MonkeyPatch, echo_server: EchoServer, tmp_path: Any
) -> None:
    """requests applies ~/.netrc credentials to any request sent without ``auth=``, which
    overwrites a hand-set ``Authorization: Bearer`` header: every call would then 401."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    result = smartcar.Vehicle(VEHICLE_ID, "token-netrc").odometer()
    assert echo_server.seen[-1].authorization == "Bearer token-netrc"
    assert result["data"]["echo_authorization"] == "Bearer token-netrc"
