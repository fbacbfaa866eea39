"""Seen-sets: memory (bounded, expiring), SQLite and Redis (shared by workers)."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any, Iterator, List

import pytest

from smartcar.exceptions import SmartcarException
from smartcar.webhooks import (
    DEFAULT_TTL,
    MemorySeenSet,
    RedisSeenSet,
    SeenSet,
    SeenSetError,
    SQLiteSeenSet,
    _seen_sqlite,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "seen.db"


@pytest.fixture
def sqlite_seen(sqlite_path: Path, clock: FakeClock) -> Iterator[SQLiteSeenSet]:
    seen = SQLiteSeenSet(sqlite_path, ttl=60, clock=clock)
    yield seen
    seen.close()


def test_default_ttl_is_seven_days() -> None:
    assert DEFAULT_TTL == 7 * 24 * 3600
    assert MemorySeenSet().ttl == DEFAULT_TTL


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_ids_expire_after_the_ttl(kind: str, clock: FakeClock, sqlite_path: Path) -> None:
    seen: Any = (
        MemorySeenSet(60, clock=clock)
        if kind == "memory"
        else SQLiteSeenSet(sqlite_path, ttl=60, clock=clock)
    )
    assert isinstance(seen, SeenSet)
    assert seen.add("e1") is True
    assert seen.add("e1") is False
    clock.now += 59.9
    assert seen.add("e1") is False
    clock.now += 0.2
    assert seen.add("e1") is True
    assert seen.add("e1") is False


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_discard_forgets(kind: str, clock: FakeClock, sqlite_path: Path) -> None:
    seen: Any = MemorySeenSet(clock=clock) if kind == "memory" else SQLiteSeenSet(sqlite_path)
    assert seen.add("e1")
    seen.discard("e1")
    seen.discard("never-seen")
    assert seen.add("e1")


def test_memory_seen_set_is_bounded(clock: FakeClock) -> None:
    seen = MemorySeenSet(max_entries=3, clock=clock)
    for n in range(4):
        assert seen.add(f"e{n}")
        clock.now += 1
    assert len(seen) == 3
    assert seen.add("e0") is True  # the oldest went first
    assert seen.add("e3") is False


def test_memory_seen_set_drops_expired_ids(clock: FakeClock) -> None:
    seen = MemorySeenSet(10, clock=clock)
    for n in range(100):
        seen.add(f"e{n}")
    clock.now += 11
    assert len(seen) == 0


@pytest.mark.parametrize("bad", ["", None, 5])
def test_event_id_must_be_a_non_empty_string(bad: Any, sqlite_seen: SQLiteSeenSet) -> None:
    for seen in (MemorySeenSet(), sqlite_seen):
        with pytest.raises(ValueError, match="event_id"):
            seen.add(bad)


@pytest.mark.parametrize("ttl", [0, -1, float("inf"), float("nan"), "7d", True])
def test_ttl_must_be_positive(ttl: Any, sqlite_path: Path) -> None:
    with pytest.raises(ValueError, match="ttl"):
        MemorySeenSet(ttl)
    with pytest.raises(ValueError, match="ttl"):
        SQLiteSeenSet(sqlite_path, ttl=ttl)
    with pytest.raises(ValueError, match="ttl"):
        RedisSeenSet(object(), ttl=ttl)


def test_max_entries_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        MemorySeenSet(max_entries=0)


# SQLite ----------------------------------------------------------------------------------------


def test_sqlite_ids_are_shared_by_instances(sqlite_path: Path) -> None:
    first, second = SQLiteSeenSet(sqlite_path), SQLiteSeenSet(sqlite_path)
    assert first.add("shared")
    assert not second.add("shared")
    first.close()
    second.close()


def _add_in_child(path: str, event_id: str, queue: Any) -> None:
    seen = SQLiteSeenSet(path)
    queue.put(seen.add(event_id))
    seen.close()


def test_sqlite_ids_are_shared_by_processes(sqlite_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    children = [
        context.Process(target=_add_in_child, args=(str(sqlite_path), "across", queue))
        for _ in range(4)
    ]
    for child in children:
        child.start()
    results = [queue.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=30)
    assert sorted(results) == [False, False, False, True]


def test_sqlite_sweeps_expired_rows(
    sqlite_seen: SQLiteSeenSet, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_seen_sqlite, "_PURGE_EVERY", 5)
    for n in range(4):
        sqlite_seen.add(f"old{n}")
    clock.now += 61
    sqlite_seen.add("fresh")  # the fifth add sweeps
    rows = sqlite_seen._run(
        "read", lambda db: db.execute("SELECT event_id FROM smartcar_webhook_events").fetchall()
    )
    assert rows == [("fresh",)]


def test_sqlite_refuses_memory_databases() -> None:
    with pytest.raises(ValueError, match="database file"):
        SQLiteSeenSet(":memory:")


def test_sqlite_unusable_file_is_a_seen_set_error(tmp_path: Path) -> None:
    path = tmp_path / "not-a-db"
    path.write_bytes(b"this is not an SQLite database, just some text" * 20)
    with pytest.raises(SeenSetError, match="SQLite seen-set") as caught:
        SQLiteSeenSet(path)
    assert isinstance(caught.value, SmartcarException)


def test_sqlite_shares_a_file_with_the_token_store(sqlite_path: Path) -> None:
    from smartcar.tokens import SQLiteStore

    store = SQLiteStore(sqlite_path)
    store.save("user", "{}")
    seen = SQLiteSeenSet(sqlite_path)
    assert seen.add("e1") and not seen.add("e1")
    assert store.load("user") == "{}"
    seen.close()
    store.close()


# Redis -----------------------------------------------------------------------------------------


def test_redis_add_sets_a_key_that_expires(redis_client: Any) -> None:
    seen = RedisSeenSet(redis_client, ttl=120)
    assert seen.add("e1") is True
    assert seen.add("e1") is False
    ttl_ms = redis_client.pttl("smartcar:webhooks:seen:e1")
    assert 119_000 < ttl_ms <= 120_000


def test_redis_default_ttl_is_seven_days(redis_client: Any) -> None:
    RedisSeenSet(redis_client).add("week")
    assert redis_client.ttl("smartcar:webhooks:seen:week") > 7 * 24 * 3600 - 5


def test_redis_expired_id_is_accepted_again(redis_client: Any) -> None:
    seen = RedisSeenSet(redis_client, prefix="t:")
    assert seen.add("e1")
    redis_client.pexpire("t:e1", 1)  # Redis expires it in 1 ms instead of 7 days
    deadline = time.monotonic() + 5
    while redis_client.exists("t:e1") and time.monotonic() < deadline:
        time.sleep(0.001)
    assert seen.add("e1")
    assert not seen.add("e1")


def test_redis_from_url_and_discard(redis_url: str, redis_client: Any) -> None:
    seen = RedisSeenSet(redis_url, prefix="p:")
    other = RedisSeenSet(redis_url, prefix="p:")
    assert seen.add("e1")
    assert not other.add("e1")
    other.discard("e1")
    assert redis_client.exists("p:e1") == 0
    assert seen.add("e1")


def test_redis_works_with_decoded_responses(redis_url: str, redis_client: Any) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    seen = RedisSeenSet(client)
    assert seen.add("text") and not seen.add("text")
    client.close()


def test_redis_unreachable_is_a_seen_set_error() -> None:
    import socket

    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    seen = RedisSeenSet(f"redis://127.0.0.1:{port}/0", socket_timeout=0.5)
    with pytest.raises(SeenSetError, match="Redis seen-set: add failed"):
        seen.add("e1")


def test_reprs() -> None:
    reprs: List[str] = [repr(MemorySeenSet(5)), repr(RedisSeenSet(object(), ttl=5))]
    assert reprs == [
        "MemorySeenSet(ttl=5.0, max_entries=100000)",
        "RedisSeenSet(prefix='smartcar:webhooks:seen:', ttl=5.0)",
    ]


def test_sqlite_short_lived_threads_leave_no_descriptors_behind(sqlite_path: Path) -> None:
    """A threaded web server's receiver adds each event from a new thread."""
    import gc
    import os
    import threading

    seen = SQLiteSeenSet(sqlite_path)
    seen.add("warm-up")
    gc.collect()
    before = len(os.listdir("/proc/self/fd"))
    added: List[bool] = []

    def deliver(number: int) -> None:
        added.append(seen.add(f"event-{number}"))

    for batch in range(30):  # 300 threads, 10 at a time
        threads = [threading.Thread(target=deliver, args=(batch * 10 + n,)) for n in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    gc.collect()
    assert added == [True] * 300
    assert len(os.listdir("/proc/self/fd")) - before <= 2 * 8  # at most the idle pool
    seen.close()


def test_sqlite_file_is_created_private(tmp_path: Path) -> None:
    import os
    import stat

    path = tmp_path / "seen.db"
    SQLiteSeenSet(path).add("e")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


# Marks: a retried add recognises its own record (issue 16) ---------------------------------------


@pytest.fixture(params=["memory", "sqlite", "redis"])
def any_seen(request: pytest.FixtureRequest, sqlite_path: Path) -> Iterator[Any]:
    if request.param == "memory":
        yield MemorySeenSet()
    elif request.param == "sqlite":
        seen = SQLiteSeenSet(sqlite_path)
        yield seen
        seen.close()
    else:
        yield RedisSeenSet(request.getfixturevalue("redis_client"))


def test_an_add_with_the_same_mark_is_the_callers_own_record(any_seen: Any) -> None:
    assert any_seen.add("e1", "mark-a") is True
    assert any_seen.add("e1", "mark-a") is True  # the retry of a call whose reply was lost
    assert any_seen.add("e1", "mark-b") is False
    assert any_seen.add("e1") is False
    assert any_seen.add("e1", "") is False


def test_no_mark_recognises_no_earlier_attempt(any_seen: Any) -> None:
    assert any_seen.add("e2") is True
    assert any_seen.add("e2") is False
    assert any_seen.add("e2", "") is False
    assert any_seen.add("e2", "any") is False


def test_discard_forgets_the_mark(any_seen: Any) -> None:
    assert any_seen.add("e3", "m")
    any_seen.discard("e3")
    assert any_seen.add("e3", "n") is True
    assert any_seen.add("e3", "m") is False


@pytest.mark.parametrize("mark", [None, 5, b"m"])
def test_mark_must_be_a_string(any_seen: Any, mark: Any) -> None:
    with pytest.raises(ValueError, match="mark"):
        any_seen.add("e4", mark)


def test_memory_mark_expires_with_the_id(clock: FakeClock) -> None:
    seen = MemorySeenSet(60, clock=clock)
    assert seen.add("e1", "m")
    clock.now += 61
    assert seen.add("e1", "n") is True
    assert seen.add("e1", "m") is False


def test_sqlite_file_written_before_marks_is_upgraded(sqlite_path: Path) -> None:
    import sqlite3

    db = sqlite3.connect(sqlite_path)
    db.execute(
        "CREATE TABLE smartcar_webhook_events (event_id TEXT PRIMARY KEY, expires_at REAL NOT NULL)"
    )
    db.execute("INSERT INTO smartcar_webhook_events VALUES ('old', 4102444800)")
    db.commit()
    db.close()
    seen = SQLiteSeenSet(sqlite_path)
    assert seen.add("old", "m") is False
    assert seen.add("new", "m") is True and seen.add("new", "m") is True
    seen.close()


@pytest.mark.parametrize("client_retries", [True, False], ids=["client-retries", "no-retries"])
def test_redis_lost_reply_of_an_add_is_recognised_on_retry(
    redis_url: str, redis_client: Any, client_retries: bool
) -> None:
    """The SET NX took effect but its reply was lost: the event is still handed over once."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from smartcar.webhooks import Receiver

    from .support import MANAGEMENT_TOKEN, ReplyDroppingProxy, encode, sign, vehicle_state

    host, port = (
        redis_client.connection_pool.connection_kwargs["host"],
        redis_client.connection_pool.connection_kwargs["port"],
    )
    proxy = ReplyDroppingProxy(host, port, marker=b"lost-reply-event")
    retry = Retry(NoBackoff(), 2 if client_retries else 0)
    client = redis.Redis(host="127.0.0.1", port=proxy.port, socket_timeout=5, retry=retry)
    try:
        receiver = Receiver(MANAGEMENT_TOKEN, seen=RedisSeenSet(client))
        body = encode(vehicle_state("lost-reply-event"))
        headers = {"SC-Signature": sign(body)}
        status, answer, event = receiver.handle(headers, body)
        assert proxy.dropped == 1
        assert redis_client.exists("smartcar:webhooks:seen:lost-reply-event") == 1
        assert (status, answer) == (200, {"status": "received"})
        assert event is not None and event.event_id == "lost-reply-event"
        assert receiver.handle(headers, body)[:2] == (200, {"status": "duplicate"})
    finally:
        client.close()
        proxy.close()
