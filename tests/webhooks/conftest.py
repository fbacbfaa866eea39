"""Fixtures of the webhook tests: the management token and a Redis server of their own."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from redis_fixture import running_redis

from .support import MANAGEMENT_TOKEN


@pytest.fixture
def amt() -> str:
    return MANAGEMENT_TOKEN


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A redis-server for the webhook tests, started on a free loopback port."""
    with running_redis() as server:
        yield server.url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[Any]:
    """A client of that server, its database emptied first."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    try:
        yield client
    finally:
        client.close()
