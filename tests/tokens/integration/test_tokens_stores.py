"""The TokenStore contract, run against MemoryStore, SQLiteStore and a real redis-server;
plus what each store does when its storage is corrupt, missing or down."""

from __future__ import annotations

import datetime
import multiprocessing
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from redis_fixture import RedisServer, any_store, redis_server, redis_url, stopped_redis

from smartcar import TokenStoreException
from smartcar.tokens import (
    RedisStore,
    SQLiteStore,
    TokenManager,
    TokenNotFound,
    TokenStore,
)

__all__ = ["any_store", "redis_server", "redis_url", "stopped_redis"]

UTC = datetime.timezone.utc


def test_load_save_delete(any_store: TokenStore) -> None:
    assert any_store.load("k") is None
    any_store.save("k", '{"a": 1}')
    any_store.save("other", "x")
    assert any_store.load("k") == '{"a": 1}'
    any_store.save("k", '{"a": 2}')
    assert any_store.load("k") == '{"a": 2}'
    any_store.delete("k")
    assert any_store.load("k") is None
    assert any_store.load("other") == "x"
    any_store.delete("k")


def test_replace_is_compare_and_set(any_store: TokenStore) -> None:
    assert not any_store.replace("k", "old", "new")
    assert any_store.load("k") is None
    any_store.save("k", "old")
    assert not any_store.replace("k", "stale", "new")
    assert any_store.load("k") == "old"
    assert any_store.replace("k", "old", "new")
    assert any_store.load("k") == "new"
    assert not any_store.replace("k", "old", "newer")
    assert any_store.load("k") == "new"


def test_lock_is_exclusive_per_key_and_released_by_its_owner(any_store: TokenStore) -> None:
    assert any_store.acquire("k", "a", ttl=10)
    assert not any_store.acquire("k", "b", ttl=10)
    assert any_store.acquire("other", "b", ttl=10)
    any_store.release("k", "b")  # not b's lock: nothing happens
    assert not any_store.acquire("k", "b", ttl=10)
    any_store.release("k", "a")
    assert any_store.acquire("k", "b", ttl=10)


def test_lock_expires(any_store: TokenStore) -> None:
    assert any_store.acquire("k", "crashed", ttl=0.2)
    assert not any_store.acquire("k", "b", ttl=10)
    time.sleep(0.3)
    assert any_store.acquire("k", "b", ttl=10)
    any_store.release("k", "crashed")  # the late release of an expired owner changes nothing
    assert not any_store.acquire("k", "c", ttl=10)


def test_unicode_keys_and_records(any_store: TokenStore) -> None:
    any_store.save("usér:1 ✓", '{"name": "Zoë"}')
    assert any_store.load("usér:1 ✓") == '{"name": "Zoë"}'


@pytest.mark.parametrize(
    "raw",
    ["{not json", '{"access_token": "a", "refresh_token": "r"}', "null"],
    ids=["not-json", "missing-fields", "null"],
)
def test_corrupt_record_raises_and_is_kept(
    any_store: TokenStore, fake_client: Any, raw: str
) -> None:
    manager = TokenManager(fake_client, any_store)
    any_store.save("k", raw)
    for call in (manager.access_token, manager.get):
        with pytest.raises(TokenStoreException, match="key 'k' is corrupt"):
            call("k")
    assert any_store.load("k") == raw
    assert fake_client.calls == 0
    assert any_store.acquire("k", "next", ttl=1)  # no lock left behind


def test_missing_record_raises_token_not_found(any_store: TokenStore, fake_client: Any) -> None:
    manager = TokenManager(fake_client, any_store)
    with pytest.raises(TokenNotFound, match="no tokens stored for key 'k'"):
        manager.access_token("k")
    assert any_store.load("k") is None
    assert fake_client.calls == 0


# SQLite ------------------------------------------------------------------------------------


def test_sqlite_uses_wal_and_creates_its_tables(tmp_path: Path) -> None:
    path = tmp_path / "tokens.db"
    SQLiteStore(path).save("k", "v")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"smartcar_tokens", "smartcar_token_locks"} <= tables


def test_sqlite_refuses_memory_databases() -> None:
    with pytest.raises(ValueError, match="MemoryStore"):
        SQLiteStore(":memory:")


def test_sqlite_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "tokens.db"
    path.write_bytes(b"this is not an SQLite database, just some text " * 100)
    with pytest.raises(TokenStoreException, match="SQLite token store") as raised:
        SQLiteStore(path)
    assert isinstance(raised.value.__cause__, sqlite3.DatabaseError)
    assert path.read_bytes().startswith(b"this is not an SQLite database")


def test_sqlite_corrupt_row_raises_and_stays(tmp_path: Path, fake_client: Any) -> None:
    path = tmp_path / "tokens.db"
    manager = TokenManager(fake_client, SQLiteStore(path))
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO smartcar_tokens VALUES ('k', '{\"access_token\": ', 0)")
    with pytest.raises(TokenStoreException, match="corrupt: not JSON"):
        manager.access_token("k")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT record FROM smartcar_tokens").fetchall() == [
            ('{"access_token": ',)
        ]
    assert fake_client.calls == 0


def _hold_lock_and_die(path: str) -> None:
    store = SQLiteStore(path)
    assert store.acquire("k", "child", ttl=0.5)
    import os

    os._exit(0)  # no release, no cleanup


def test_sqlite_lock_of_a_dead_process_expires(tmp_path: Path) -> None:
    path = str(tmp_path / "tokens.db")
    store = SQLiteStore(path)
    child = multiprocessing.get_context("spawn").Process(target=_hold_lock_and_die, args=(path,))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert not store.acquire("k", "parent", ttl=10)
    time.sleep(0.6)
    assert store.acquire("k", "parent", ttl=10)


# Redis -------------------------------------------------------------------------------------


def test_redis_keys_use_the_prefix(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    store = RedisStore(client, prefix="app:")
    store.save("k", "v")
    assert store.acquire("k", "me", ttl=5)
    assert sorted(client.keys("*")) == ["app:lock:k", "app:record:k"]
    assert 0 < client.pttl("app:lock:k") <= 5000
    assert store.load("k") == "v"
    client.close()


@pytest.mark.parametrize(
    "operation",
    [
        lambda store: store.load("k"),
        lambda store: store.save("k", "v"),
        lambda store: store.replace("k", "v", "w"),
        lambda store: store.acquire("k", "me", 1.0),
        lambda store: store.release("k", "me"),
        lambda store: store.delete("k"),
    ],
    ids=["load", "save", "replace", "acquire", "release", "delete"],
)
def test_redis_down_raises_token_store_exception(
    stopped_redis: RedisServer, operation: Callable[[RedisStore], Any]
) -> None:
    store = RedisStore(stopped_redis.url, socket_timeout=1.0)
    stopped_redis.stop()
    with pytest.raises(TokenStoreException, match=r"Redis token store: .* of key 'k' failed"):
        operation(store)


def test_redis_down_manager_fails_clearly_without_refreshing(
    stopped_redis: RedisServer, fake_client: Any
) -> None:
    import redis

    store = RedisStore(stopped_redis.url, socket_timeout=1.0)
    manager = TokenManager(fake_client, store)
    manager.save("k", fake_client.expired_access())
    stopped_redis.stop()
    for call in (manager.access_token, manager.get, manager.delete):
        with pytest.raises(TokenStoreException) as raised:
            call("k")
        assert isinstance(raised.value.__cause__, redis.ConnectionError)
    assert fake_client.calls == 0


def test_redis_stopped_during_a_refresh(stopped_redis: RedisServer, fake_client: Any) -> None:
    """The refresh answered before Redis stopped: its pair is served and held, not lost."""
    store = RedisStore(stopped_redis.url, socket_timeout=1.0)
    manager = TokenManager(fake_client, store)
    manager.save("k", fake_client.expired_access())
    fake_client.during = stopped_redis.stop
    assert manager.access_token("k") == "access-1"
    assert manager.access_token("k") == "access-1"
    assert manager.flush() == ["k"]
    assert fake_client.calls == 1


def test_redis_undecodable_record(redis_url: str, fake_client: Any) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.set("smartcar:tokens:record:k", b"\xff\xfe not utf-8")
    manager = TokenManager(fake_client, RedisStore(client))
    with pytest.raises(TokenStoreException, match="not UTF-8"):
        manager.get("k")
    assert client.get("smartcar:tokens:record:k") == b"\xff\xfe not utf-8"
    client.close()


# A minimal token endpoint for the manager -------------------------------------------------------


class _FakeClient:
    def __init__(self) -> None:
        self.calls = 0
        self.during: Callable[[], None] | None = None

    def expired_access(self) -> Any:
        past = datetime.datetime.now(UTC) - datetime.timedelta(minutes=5)
        return {
            "access_token": "access-0",
            "refresh_token": "refresh-0",
            "expires_in": 7200,
            "expiration": past,
            "refresh_expiration": past + datetime.timedelta(days=60),
        }

    def exchange_refresh_token(self, refresh_token: str) -> Any:
        self.calls += 1
        if self.during is not None:
            self.during()
        now = datetime.datetime.now(UTC)
        return {
            "access_token": f"access-{self.calls}",
            "refresh_token": f"refresh-{self.calls}",
            "expires_in": 7200,
            "expiration": now + datetime.timedelta(hours=2),
            "refresh_expiration": now + datetime.timedelta(days=60),
        }


@pytest.fixture
def fake_client() -> _FakeClient:
    return _FakeClient()
