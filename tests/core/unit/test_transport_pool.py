"""The pooled session grows to a sweep's concurrency (smartcar._transport.reserve_connections)
without dropping the connections it already holds."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator, List

import pytest

from smartcar import _transport


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_transport, "_session", None)


def _pools() -> Any:
    return _transport.get_session().get_adapter("http://").poolmanager


def _open() -> List[Any]:
    pools = _pools().pools
    return [pools[key] for key in pools.keys()]  # noqa: SIM118 (it cannot be iterated)


def test_the_pool_grows_and_keeps_its_open_connection(origin: str) -> None:
    _transport.get_session().get(origin + "/", timeout=5).close()
    (before,) = _open()
    _transport.reserve_connections(200)
    assert _pools().connection_pool_kw["maxsize"] == 200
    (after,) = _open()
    assert after is before and after.pool.maxsize == 200
    _transport.get_session().get(origin + "/", timeout=5).close()
    assert _open() == [before]
    assert before.num_connections == 1  # the same connection served both requests


def test_a_smaller_reservation_changes_nothing() -> None:
    _transport.reserve_connections(8)
    assert _pools().connection_pool_kw["maxsize"] == _transport.POOL_SIZE
