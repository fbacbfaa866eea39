"""Eight processes sharing a SQLite or a Redis store (a real redis-server started here) cause
one application-token request between them."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from smartcar.emulator import Emulator

from .token_workers import Job, StoreSpec, run_workers

PROCESSES = 8
THREADS = 4


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A redis-server of its own on a free loopback port (reused from the token harness)."""
    from token_harness import RedisServer, find_redis_binary

    binary = find_redis_binary()
    if binary is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(binary)
    server.start()
    try:
        yield server.url
    finally:
        server.cleanup()


def _one_request_for_everyone(emu: Emulator, store: StoreSpec) -> None:
    emu.faults.add("/oauth2/token", method="POST", latency=0.5, count=1)
    job = Job(emu.environment(), emu.client_id, emu.client_secret, store, THREADS)
    answers = run_workers(job, PROCESSES)
    errors = [answer for answer in answers if not answer.startswith("token:")]
    assert errors == []
    assert len(answers) == PROCESSES * THREADS
    assert len(set(answers)) == 1
    assert len(emu.requests("/oauth2/token", method="POST")) == 1


def test_eight_processes_sharing_sqlite_cause_one_request(emu: Emulator, tmp_path: Path) -> None:
    _one_request_for_everyone(emu, StoreSpec("sqlite", str(tmp_path / "app-token.db")))


def test_eight_processes_sharing_redis_cause_one_request(emu: Emulator, redis_url: str) -> None:
    _one_request_for_everyone(emu, StoreSpec("redis", redis_url))
