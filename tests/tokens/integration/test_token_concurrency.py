"""Issue 5's proof: 8 processes x 8 threads ask for one expired token at the same instant,
through SQLite and through a real Redis, against the emulator; and a worker killed (SIGKILL)
inside a refresh leaves the store readable and its lock free once it expires."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from redis_fixture import redis_server
from token_harness import App, StoreSpec, connect_and_save, run_round, start_stuck_refresh

import smartcar
from smartcar.tokens import TokenManager

__all__ = ["redis_server"]

EXPIRE = 2 * 60 * 60 + 1  # past the emulator's access token lifetime


@pytest.fixture(params=["sqlite", "redis"])
def store_spec(request: pytest.FixtureRequest, tmp_path: Path) -> StoreSpec:
    if request.param == "sqlite":
        return StoreSpec("sqlite", str(tmp_path / "tokens.db"))
    server = request.getfixturevalue("redis_server")
    return StoreSpec("redis", server.url)


def _manager(emu: Any, spec: StoreSpec, lock_timeout: float = 10.0) -> TokenManager:
    return TokenManager(
        App.of(emu).client(), spec.open(), lock_timeout=lock_timeout, clock=emu.clock.now
    )


def _successful_refreshes(emu: Any) -> int:
    return sum(
        1
        for record in emu.requests("/oauth/token", method="POST")
        if record.grant_type == "refresh_token" and record.status == 200
    )


def test_64_callers_share_one_refresh(emu: Any, store_spec: StoreSpec) -> None:
    key = f"concurrency-{store_spec.kind}"
    manager = _manager(emu, store_spec)
    first = connect_and_save(emu, manager, key)
    emu.clock.advance(EXPIRE)

    result = run_round(emu, store_spec, key, processes=8, threads=8)

    assert [outcome.error for outcome in result.failures] == []
    assert len(result.outcomes) == 64
    assert len({outcome.pid for outcome in result.outcomes}) == 8
    assert result.refreshes == 1
    stored = manager.get(key)
    assert stored is not None
    assert set(result.tokens) == {stored["access_token"]}
    assert first["access_token"] not in result.tokens
    assert {outcome.user_id for outcome in result.outcomes} == {emu.user_id()}
    assert stored["refresh_token"] != first["refresh_token"]

    # The stored refresh token is the live one: the next expiry refreshes again, once.
    emu.clock.advance(EXPIRE)
    token = manager.access_token(key)
    assert smartcar.get_user_id(token) == emu.user_id()
    assert emu.token_exchanges("refresh_token") == 2
    assert _successful_refreshes(emu) == 2


def test_worker_killed_inside_a_refresh(emu: Any, store_spec: StoreSpec) -> None:
    key = f"crash-{store_spec.kind}"
    lock_timeout = 2.0
    manager = _manager(emu, store_spec, lock_timeout=lock_timeout)
    first = connect_and_save(emu, manager, key)
    emu.clock.advance(EXPIRE)
    store = manager.store
    before = store.load(key)

    child = start_stuck_refresh(emu, store_spec, key, lock_timeout=lock_timeout)
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    killed_at = time.monotonic()
    assert child.exitcode == -signal.SIGKILL

    # Readable and untouched; the dead worker's lock is still held...
    assert store.load(key) == before
    assert manager.get(key)["refresh_token"] == first["refresh_token"]  # type: ignore[index]
    assert not store.acquire(key, "probe", ttl=1.0)
    # ...until it expires: then the next caller refreshes.
    token = manager.access_token(key)
    waited = time.monotonic() - killed_at
    assert 0.2 < waited < lock_timeout + 1.0
    assert smartcar.get_user_id(token) == emu.user_id()
    assert _successful_refreshes(emu) == 1
    assert manager.get(key)["access_token"] == token  # type: ignore[index]
