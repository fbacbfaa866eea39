"""``smartcar._body``: what one answer may cost is bounded (issue 9, "Hostile answers").

A slow or endless body ends in ``SmartcarTimeout`` near the read timeout; a body (or a
decompressed body) past the size limit ends in ``SmartcarException``; ``e.body`` stays small.
The slow servers are real loopback sockets: the bound must hold on a real connection.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from typing import Callable, Iterator, List

import pytest
import responses
from unit_support import ACCESS_TOKEN, VEHICLE_URL

from smartcar import _config, _errors, api
from smartcar.exceptions import SmartcarException, SmartcarTimeout

Script = Callable[[socket.socket, threading.Event], None]
GIVE_UP_AFTER = 8.0
"""Seconds after which the slow servers stop on their own (so old code fails, not hangs)."""


class ScriptedServer:
    """A loopback HTTP server that reads each request head, then runs ``script`` on it."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.port: int = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.connections: List[socket.socket] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1.0/vehicles/v1/odometer"

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            self.script(conn, self.stop)
        except OSError:
            pass

    def close(self) -> None:
        self.stop.set()
        self._thread.join(timeout=2)
        for conn in self.connections:
            conn.close()
        self.sock.close()


def serve(script: Script) -> Iterator[ScriptedServer]:
    server = ScriptedServer(script)
    try:
        yield server
    finally:
        server.close()


def drip(conn: socket.socket, stop: threading.Event) -> None:
    """A 1000-byte body, one byte every 0.2 s."""
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    started = time.monotonic()
    while not stop.is_set() and time.monotonic() - started < GIVE_UP_AFTER:
        conn.sendall(b" ")
        time.sleep(0.2)


def endless_chunks(conn: socket.socket, stop: threading.Event) -> None:
    """A chunked body that never ends: one small chunk every 0.1 s."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    started = time.monotonic()
    while not stop.is_set() and time.monotonic() - started < GIVE_UP_AFTER:
        conn.sendall(b"1\r\n \r\n")
        time.sleep(0.1)


def fast_endless_chunks(conn: socket.socket, stop: threading.Event) -> None:
    """A chunked body that does not end, as fast as the client reads (64 MiB at most)."""
    conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
    for _ in range(1024):
        if stop.is_set():
            break
        conn.sendall(chunk)


@pytest.fixture
def dripping() -> Iterator[ScriptedServer]:
    yield from serve(drip)


@pytest.fixture
def endless() -> Iterator[ScriptedServer]:
    yield from serve(endless_chunks)


@pytest.fixture
def flood() -> Iterator[ScriptedServer]:
    yield from serve(fast_endless_chunks)


@pytest.fixture
def small_limit(smartcar_defaults: Callable[..., None]) -> int:
    limit = 1024 * 1024
    smartcar_defaults(max_body_size=limit)
    return limit


def _timed_call(url: str) -> float:
    started = time.monotonic()
    with pytest.raises(SmartcarTimeout) as caught:
        api.request("GET", url, token=ACCESS_TOKEN, timeout=(1, 1), max_retries=0)
    assert "1 s read timeout" in str(caught.value)
    return time.monotonic() - started


def test_dripping_body_ends_at_the_read_timeout(dripping: ScriptedServer) -> None:
    assert _timed_call(dripping.url) < 1.6


def test_endless_chunked_body_ends_at_the_read_timeout(endless: ScriptedServer) -> None:
    assert _timed_call(endless.url) < 1.6


def test_endless_fast_body_stops_at_the_size_limit(flood: ScriptedServer, small_limit: int) -> None:
    started = time.monotonic()
    with pytest.raises(SmartcarException) as caught:
        api.request("GET", flood.url, token=ACCESS_TOKEN, timeout=(1, 5), max_retries=0)
    assert type(caught.value) is SmartcarException
    assert caught.value.error == "response_too_large"
    assert caught.value.status_code == 500
    assert str(small_limit) in str(caught.value)
    assert time.monotonic() - started < 3


def _gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped, built without holding them in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + compressor.flush()


BOMB = _gzip_bomb(256 * 1024 * 1024)


@pytest.mark.parametrize("status", [200, 500])
def test_decompression_bomb_is_refused_without_inflating_it(
    status: int, mocked: responses.RequestsMock
) -> None:
    assert len(BOMB) < 1024 * 1024
    url = f"{VEHICLE_URL}/odometer"
    mocked.get(url, status=status, body=BOMB, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(SmartcarException) as caught:
            api.request("GET", url, token=ACCESS_TOKEN, max_retries=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.error == "response_too_large"
    assert peak < 3 * _config.DEFAULT_MAX_BODY_SIZE
    assert caught.value.body is None


def test_limit_is_configurable_and_exact(mocked: responses.RequestsMock) -> None:
    url = f"{VEHICLE_URL}/odometer"
    payload = b'{"distance": 1' + b"0" * 100 + b"}"
    api.set_defaults(max_body_size=len(payload))
    try:
        mocked.get(url, body=gzip.compress(payload), headers={"Content-Encoding": "gzip"})
        mocked.get(url, body=gzip.compress(payload + b" "), headers={"Content-Encoding": "gzip"})
        first = api.request("GET", url, token=ACCESS_TOKEN)
        assert first.body == {"distance": int("1" + "0" * 100)}
        with pytest.raises(SmartcarException, match=str(len(payload))):
            api.request("GET", url, token=ACCESS_TOKEN)
    finally:
        api.set_defaults(max_body_size=_config.DEFAULT_MAX_BODY_SIZE)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "16"])
def test_limit_must_be_a_positive_integer(bad: object) -> None:
    with pytest.raises(ValueError, match="max_body_size"):
        api.set_defaults(max_body_size=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers
        ("gzip", lambda data: gzip.compress(data[:5]) + gzip.compress(data[5:])),  # 2 members
        ("identity", lambda data: data),
    ],
)
def test_encoded_bodies_are_decoded(
    encoding: str, encode: Callable[[bytes], bytes], mocked: responses.RequestsMock
) -> None:
    url = f"{VEHICLE_URL}/odometer"
    mocked.get(url, body=encode(b'{"distance": 42.5}'), headers={"Content-Encoding": encoding})
    assert api.request("GET", url, token=ACCESS_TOKEN).body == {"distance": 42.5}


def test_body_that_does_not_decode_is_a_smartcar_exception(
    mocked: responses.RequestsMock,
) -> None:
    url = f"{VEHICLE_URL}/odometer"
    mocked.get(url, body=b"not gzip at all", headers={"Content-Encoding": "gzip"})
    with pytest.raises(SmartcarException) as caught:
        api.request("GET", url, token=ACCESS_TOKEN)
    assert caught.value.error == "invalid_response"


def test_error_body_kept_on_the_exception_is_bounded(mocked: responses.RequestsMock) -> None:
    url = f"{VEHICLE_URL}/odometer"
    huge = "<html>" + "x" * (2 * 1024 * 1024) + "</html>"
    mocked.get(url, status=500, body=huge)
    with pytest.raises(SmartcarException) as caught:
        api.request("GET", url, token=ACCESS_TOKEN, max_retries=0)
    shown = caught.value.body
    assert isinstance(shown, str) and len(shown) <= _errors.MAX_SHOWN_BODY + 20
    assert len(str(caught.value)) <= _errors.MAX_MESSAGE_LENGTH + 50


def test_large_json_error_body_keeps_its_fields_and_a_bounded_body(
    mocked: responses.RequestsMock,
) -> None:
    url = f"{VEHICLE_URL}/odometer"
    mocked.get(
        url,
        status=409,
        json={
            "type": "VEHICLE_STATE",
            "code": "ASLEEP",
            "description": "Zzz",
            "detail": ["x" * 99999],
        },
    )
    with pytest.raises(SmartcarException) as caught:
        api.request("GET", url, token=ACCESS_TOKEN)
    assert caught.value.code == "ASLEEP"
    assert isinstance(caught.value.body, str) and caught.value.body.endswith("[truncated]")
    assert len(caught.value.body) <= _errors.MAX_SHOWN_BODY + 20


def test_connection_is_reused_after_a_bounded_read(mocked: responses.RequestsMock) -> None:
    url = f"{VEHICLE_URL}/odometer"
    mocked.get(url, json={"distance": 1})
    response = api.request("GET", url, token=ACCESS_TOKEN)
    assert response.body == {"distance": 1}
