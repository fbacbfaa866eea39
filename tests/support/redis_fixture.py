"""pytest fixtures for a real ``redis-server``, started on a free loopback port, and
``any_store`` (each token store: memory, SQLite, Redis).

Import them into a test module (``from redis_fixture import redis_server, redis_url``).
Without the binary the tests are skipped with a message, except under CI (``CI`` set), where
they fail: CI installs redis-server, so its absence there is a broken build.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Iterator

import pytest
from token_harness import RedisServer, find_redis_binary

__all__ = [
    "RedisServer",
    "any_store",
    "redis_server",
    "redis_url",
    "require_redis_binary",
    "stopped_redis",
]


def require_redis_binary() -> str:
    """Return the redis-server binary; skip without it, but fail when running under CI."""
    binary = find_redis_binary()
    if binary is None:
        message = (
            "redis-server is not installed (apt-get install redis-server); "
            "the Redis token store tests cannot run"
        )
        if os.environ.get("CI"):
            pytest.fail(message + " and CI is set, so this is an error", pytrace=False)
        pytest.skip(message)
    return binary


@contextlib.contextmanager
def running_redis(persistent: bool = False) -> Iterator[RedisServer]:
    """A redis-server of its own on a free loopback port, cleaned up on exit."""
    server = RedisServer(require_redis_binary(), persistent=persistent)
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A running redis-server for the whole session, stopped at the end."""
    with running_redis() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """The session server's URL; its database is emptied after each test."""
    yield redis_server.url
    import redis

    client = redis.Redis.from_url(redis_server.url)
    try:
        client.flushdb()
    finally:
        client.close()


@pytest.fixture
def stopped_redis() -> Iterator[RedisServer]:
    """A redis-server of its own, which the test stops."""
    with running_redis() as server:
        yield server


@pytest.fixture(params=["memory", "sqlite", "redis"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Each token store in turn: ``MemoryStore``, ``SQLiteStore`` (a file of the test's own),
    ``RedisStore`` (prefix ``test:``, on the session's redis-server)."""
    from smartcar.tokens import MemoryStore, RedisStore, SQLiteStore

    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite":
        store = SQLiteStore(tmp_path / "tokens.db")
        yield store
        store.close()
    else:
        url = request.getfixturevalue("redis_url")
        yield RedisStore(url, prefix="test:")
