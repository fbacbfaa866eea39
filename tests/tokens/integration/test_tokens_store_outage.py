"""Issue 9: a store that fails after the service rotated the refresh token must not lose it.

Against the emulator (which rotates refresh tokens: a used one is answered invalid_grant),
a real redis-server is SIGKILLed, and another process write-locks the SQLite file past its
busy timeout, between the refresh answer and the write of the new pair. The caller still
gets a working token, the next calls use the held pair, and once the store is back the pair
is written: another worker then refreshes from the store without ReauthorizationRequired.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional

import pytest
from redis_fixture import RedisServer, running_redis
from token_harness import App, connect_and_save

import smartcar
from smartcar.tokens import RedisStore, SQLiteStore, TokenManager, TokenStore

KEY = "driver"
EXPIRE = 2 * 60 * 60 + 1  # past the emulator's access token lifetime


class AfterTheAnswer:
    """An ``AuthClient`` that runs ``then`` once, right after a refresh answer arrived."""

    def __init__(self, client: smartcar.AuthClient, then: Callable[[], None]) -> None:
        self.client = client
        self.then: Optional[Callable[[], None]] = then

    def exchange_refresh_token(self, refresh_token: str) -> Any:
        access = self.client.exchange_refresh_token(refresh_token)
        then, self.then = self.then, None
        if then is not None:
            then()
        return access


class SQLiteWriteLock:
    """Another process holding the write lock of an SQLite file until released."""

    _SCRIPT = (
        "import sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n"
        "db.execute('ROLLBACK')\n"
    )

    def __init__(self, path: str) -> None:
        self.path = path
        self.process: Optional[subprocess.Popen[str]] = None

    def take(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", self._SCRIPT, self.path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            assert process.stdin is not None
            process.stdin.close()
            assert process.wait(timeout=10) == 0


def _stored(store: TokenStore) -> Optional[Dict[str, Any]]:
    raw = store.load(KEY)
    return None if raw is None else dict(json.loads(raw))


def _successful_refreshes(emu: Any) -> int:
    return sum(
        1
        for record in emu.requests("/oauth/token", method="POST")
        if record.grant_type == "refresh_token" and record.status == 200
    )


def _another_worker_refreshes(emu: Any, store: TokenStore) -> None:
    """A manager with nothing held expires and refreshes from the store: must work."""
    other = TokenManager(App.of(emu).client(), store, clock=emu.clock.now)
    emu.clock.advance(EXPIRE)
    token = other.access_token(KEY)
    assert smartcar.get_user_id(token) == emu.user_id()
    assert _stored(store)["access_token"] == token  # type: ignore[index]


# Redis ----------------------------------------------------------------------------------------


@pytest.fixture(params=[True, False], ids=["redis-with-aof", "redis-restarts-empty"])
def redis(request: pytest.FixtureRequest) -> Iterator[RedisServer]:
    with running_redis(persistent=request.param) as server:
        yield server


def test_redis_killed_mid_refresh_keeps_the_rotated_pair(emu: Any, redis: RedisServer) -> None:
    store = RedisStore(redis.url, socket_timeout=1.0)
    client = AfterTheAnswer(App.of(emu).client(), then=redis.kill)
    manager = TokenManager(client, store, lock_timeout=5, clock=emu.clock.now)
    first = connect_and_save(emu, manager, KEY)
    emu.clock.advance(EXPIRE)

    token = manager.access_token(KEY)  # the answer arrived, then Redis died
    assert smartcar.get_user_id(token) == emu.user_id()
    assert manager.access_token(KEY) == token  # Redis still down: the held pair
    assert manager.flush() == [KEY]
    assert _successful_refreshes(emu) == 1

    redis.start()  # same port; with the old record (AOF) or with nothing
    before = _stored(store)
    assert before is None or before["refresh_token"] == first["refresh_token"]
    assert manager.access_token(KEY) == token  # this call writes the held pair
    stored = _stored(store)
    assert stored is not None and stored["access_token"] == token
    assert stored["refresh_token"] != first["refresh_token"]
    assert manager.flush() == []
    assert store.acquire(KEY, "probe", ttl=1)  # the lock Redis kept was released too

    _another_worker_refreshes(emu, store)
    assert _successful_refreshes(emu) == 2


def test_a_held_pair_is_refreshed_while_redis_is_down(emu: Any) -> None:
    with running_redis(persistent=True) as redis:
        store = RedisStore(redis.url, socket_timeout=1.0)
        client = AfterTheAnswer(App.of(emu).client(), then=redis.kill)
        manager = TokenManager(client, store, lock_timeout=5, clock=emu.clock.now)
        connect_and_save(emu, manager, KEY)
        emu.clock.advance(EXPIRE)
        token = manager.access_token(KEY)

        emu.clock.advance(EXPIRE)  # the held pair expires too, with Redis still down
        newer = manager.access_token(KEY)
        assert newer != token
        assert smartcar.get_user_id(newer) == emu.user_id()
        assert _successful_refreshes(emu) == 2

        redis.start()
        assert manager.access_token(KEY) == newer
        assert _stored(store)["access_token"] == newer  # type: ignore[index]
        _another_worker_refreshes(emu, store)
        assert _successful_refreshes(emu) == 3


# SQLite ---------------------------------------------------------------------------------------


def test_sqlite_write_locked_mid_refresh_keeps_the_rotated_pair(emu: Any, tmp_path: Path) -> None:
    path = str(tmp_path / "tokens.db")
    store = SQLiteStore(path, busy_timeout=0.2)
    lock = SQLiteWriteLock(path)
    client = AfterTheAnswer(App.of(emu).client(), then=lock.take)
    manager = TokenManager(client, store, lock_timeout=5, clock=emu.clock.now)
    first = connect_and_save(emu, manager, KEY)
    emu.clock.advance(EXPIRE)
    try:
        token = manager.access_token(KEY)  # the answer arrived, then the file got locked
        assert smartcar.get_user_id(token) == emu.user_id()
        assert manager.access_token(KEY) == token  # still locked: the held pair
        assert _stored(store)["refresh_token"] == first["refresh_token"]  # type: ignore[index]
        assert manager.flush() == [KEY]
    finally:
        lock.release()

    # A manager made per request (new store object, same file) writes the process's pair.
    next_request = TokenManager(App.of(emu).client(), SQLiteStore(path), clock=emu.clock.now)
    assert next_request.access_token(KEY) == token
    assert manager.flush() == []
    stored = _stored(store)
    assert stored is not None and stored["access_token"] == token
    assert stored["refresh_token"] != first["refresh_token"]
    assert store.acquire(KEY, "probe", ttl=1)  # the refresh lock is free again
    store.release(KEY, "probe")
    assert _successful_refreshes(emu) == 1

    _another_worker_refreshes(emu, SQLiteStore(path))
    assert _successful_refreshes(emu) == 2
