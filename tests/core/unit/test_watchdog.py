"""``smartcar._watchdog``: the status line and headers of an answer are bounded by the read
timeout too, however slowly they drip (a real loopback server)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Iterator

import pytest
from test_body import GIVE_UP_AFTER, ScriptedServer, serve
from unit_support import ACCESS_TOKEN

from smartcar import _transport, api
from smartcar.exceptions import SmartcarTimeout

ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
    b'{"distance": 1}'
)


def drip_everything(conn: socket.socket, stop: threading.Event) -> None:
    """The whole answer, status line first, one byte every 0.1 s."""
    started = time.monotonic()
    for byte in ANSWER:
        if stop.is_set() or time.monotonic() - started > GIVE_UP_AFTER:
            return
        conn.sendall(bytes([byte]))
        time.sleep(0.1)


def prompt(conn: socket.socket, stop: threading.Event) -> None:
    """Answers at once, and keeps the connection for the next request (keep-alive)."""
    conn.sendall(ANSWER)
    pending = b""
    while not stop.is_set():
        chunk = conn.recv(65536)
        if not chunk:
            return
        pending += chunk
        while b"\r\n\r\n" in pending:
            _, _, pending = pending.partition(b"\r\n\r\n")
            conn.sendall(ANSWER)


@pytest.fixture
def dripping_head() -> Iterator[ScriptedServer]:
    yield from serve(drip_everything)


@pytest.fixture
def prompt_server() -> Iterator[ScriptedServer]:
    yield from serve(prompt)


def test_dripping_status_line_and_headers_end_at_the_read_timeout(
    dripping_head: ScriptedServer,
) -> None:
    started = time.monotonic()
    with pytest.raises(SmartcarTimeout, match="1 s read timeout") as caught:
        api.request("GET", dripping_head.url, token=ACCESS_TOKEN, timeout=(1, 1), max_retries=0)
    assert time.monotonic() - started < 1.6
    assert caught.value.error == "timeout"


def test_dripping_head_is_not_retried(dripping_head: ScriptedServer) -> None:
    with pytest.raises(SmartcarTimeout):
        api.request("GET", dripping_head.url, token=ACCESS_TOKEN, timeout=(1, 0.5), max_retries=2)
    assert len(dripping_head.connections) == 1


def test_prompt_answers_keep_their_pooled_connection(prompt_server: ScriptedServer) -> None:
    for _ in range(3):
        response = api.request("GET", prompt_server.url, token=ACCESS_TOKEN, timeout=(1, 0.3))
        assert response.body == {"distance": 1}
    time.sleep(0.5)  # past every deadline: nothing may shut the pooled connection down
    assert api.request("GET", prompt_server.url, token=ACCESS_TOKEN).body == {"distance": 1}
    assert len(prompt_server.connections) == 1


def test_the_pools_use_the_bounded_connections() -> None:
    adapter = _transport.get_session().get_adapter("https://api.smartcar.com")
    pools = adapter.poolmanager.pool_classes_by_scheme  # type: ignore[attr-defined]
    assert pools["https"].__name__ == "_HTTPSConnectionPool"


def test_cancelled_entries_do_not_pile_up() -> None:
    from smartcar._watchdog import _Watchdog

    watchdog = _Watchdog()
    far = time.monotonic() + 3600
    with socket.socket() as sock:
        for _ in range(10_000):
            watchdog.cancel(watchdog.watch(far, sock))
    assert len(watchdog._heap) <= 600
