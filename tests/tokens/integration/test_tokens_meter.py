"""The CallMeter contract (per-vehicle monthly call counts, spent marks, the app-wide pause),
run against MemoryStore, SQLiteStore and a real redis-server; and two processes sharing one
SQLite file or one Redis server."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, List

import pytest
from redis_fixture import RedisServer, any_store, redis_server, redis_url, stopped_redis
from token_harness import StoreSpec, process_context

from smartcar import TokenStoreException
from smartcar.tokens import RedisStore, SQLiteStore
from smartcar.tokens.meter import CallMeter, month_end, month_of, previous_month

__all__ = ["any_store", "redis_server", "redis_url", "stopped_redis"]

# Months whose counts are live (a Redis count expires when the month after it ends).
THIS = month_of(time.time())
NEXT = month_of(month_end(THIS))


def test_every_store_is_a_call_meter(any_store: Any) -> None:
    assert isinstance(any_store, CallMeter)


def test_calls_are_counted_per_vehicle_and_month(any_store: CallMeter) -> None:
    assert any_store.calls("v1", THIS) == 0
    assert [any_store.add_call("v1", THIS) for _ in range(3)] == [1, 2, 3]
    assert any_store.add_call("v2", THIS) == 1
    assert any_store.add_call("v1", NEXT) == 1
    assert any_store.calls("v1", THIS) == 3
    assert any_store.calls("v2", THIS) == 1
    assert any_store.calls("v1", NEXT) == 1
    assert any_store.calls("v3", NEXT) == 0


def test_spent_marks_last_for_their_month_only(any_store: CallMeter) -> None:
    assert not any_store.is_spent("v1", THIS)
    any_store.add_call("v1", THIS)
    any_store.mark_spent("v1", THIS)
    any_store.mark_spent("v1", THIS)
    assert any_store.is_spent("v1", THIS)
    assert any_store.calls("v1", THIS) == 1  # marking does not count a call
    assert not any_store.is_spent("v1", NEXT)
    assert not any_store.is_spent("v2", THIS)
    any_store.mark_spent("v9", THIS)  # a vehicle never counted can be spent
    assert any_store.is_spent("v9", THIS)
    assert any_store.calls("v9", THIS) == 0


def test_a_hold_keeps_the_latest_time_per_scope(any_store: CallMeter) -> None:
    now = time.time()
    assert any_store.held_until("app") == 0.0
    any_store.hold("app", now + 5.25)
    any_store.hold("app", now + 1)  # an earlier time never shortens a pause
    assert any_store.held_until("app") == pytest.approx(now + 5.25, abs=1e-6)
    any_store.hold("app", now + 9)
    assert any_store.held_until("app") == pytest.approx(now + 9, abs=1e-6)
    assert any_store.held_until("other") == 0.0


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (lambda store: store.add_call("", THIS), "vehicle_id must be a non-empty string"),
        (lambda store: store.calls(None, THIS), "vehicle_id must be a non-empty string"),
        (lambda store: store.add_call("v", "2026-13"), "month must be a 'YYYY-MM' string"),
        (lambda store: store.is_spent("v", "March"), "month must be a 'YYYY-MM' string"),
        (lambda store: store.mark_spent("v", 202603), "month must be a 'YYYY-MM' string"),
        (lambda store: store.hold("", 1.0), "scope must be a non-empty string"),
        (lambda store: store.hold("app", float("nan")), "until must be a finite number"),
        (lambda store: store.hold("app", True), "until must be a finite number"),
        (lambda store: store.hold("app", 10**400), "until must be a finite number"),
        (lambda store: store.held_until(3), "scope must be a non-empty string"),
    ],
)
def test_bad_arguments_are_value_errors(
    any_store: CallMeter, operation: Callable[[Any], Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        operation(any_store)


@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
def test_months_before_the_previous_one_are_forgotten(store_kind: str, tmp_path: Path) -> None:
    from smartcar.tokens import MemoryStore

    store: Any = MemoryStore() if store_kind == "memory" else SQLiteStore(tmp_path / "t.db")
    store.add_call("v1", "2026-01")
    store.mark_spent("v2", "2026-01")
    store.add_call("v1", "2026-02")
    assert store.calls("v1", "2026-01") == 1  # the previous month is kept
    store.add_call("v3", "2026-03")
    assert store.calls("v1", "2026-01") == 0
    assert not store.is_spent("v2", "2026-01")
    assert store.calls("v1", "2026-02") == 1
    if store_kind == "sqlite":
        rows = sqlite3.connect(store.path).execute(
            "SELECT DISTINCT month FROM smartcar_call_counts ORDER BY month"
        )
        assert [row[0] for row in rows] == ["2026-02", "2026-03"]


def test_redis_counts_expire_after_the_following_month(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    store = RedisStore(client, prefix="app:")
    month = month_of(time.time())
    store.add_call("v1", month)
    store.mark_spent("v1", month)
    store.hold("fleet", time.time() + 30)
    assert sorted(client.keys("*")) == [
        f"app:calls:{month}:v1",
        "app:hold:fleet",
        f"app:spent:{month}:v1",
    ]
    following_end = month_end(month_of(month_end(month)))
    for key in (f"app:calls:{month}:v1", f"app:spent:{month}:v1"):
        assert client.expiretime(key) == int(following_end)
    assert 30 < client.ttl("app:hold:fleet") <= 30 + 60  # the pause's key outlives it a minute
    client.close()


def test_month_helpers() -> None:
    assert month_of(0) == "1970-01"
    assert month_of(month_end("2026-12") - 0.001) == "2026-12"
    assert month_of(month_end("2026-12")) == "2027-01"
    assert previous_month("2026-01") == "2025-12"
    assert previous_month("2026-10") == "2026-09"


def test_sqlite_database_written_by_an_older_version_gets_the_meter_tables(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE smartcar_tokens (key TEXT PRIMARY KEY, record TEXT, updated_at REAL)")
    db.execute("INSERT INTO smartcar_tokens VALUES ('k', 'r', 0)")
    db.commit()
    db.close()
    store = SQLiteStore(path)
    assert store.add_call("v", "2026-03") == 1
    assert store.load("k") == "r"


# Storage failures ----------------------------------------------------------------------------

_METER_OPERATIONS = [
    lambda store: store.add_call("v", THIS),
    lambda store: store.calls("v", THIS),
    lambda store: store.mark_spent("v", THIS),
    lambda store: store.is_spent("v", THIS),
    lambda store: store.hold("app", 1.0),
    lambda store: store.held_until("app"),
]
_METER_IDS = ["add_call", "calls", "mark_spent", "is_spent", "hold", "held_until"]


@pytest.mark.parametrize("operation", _METER_OPERATIONS, ids=_METER_IDS)
def test_redis_down_raises_token_store_exception(
    stopped_redis: RedisServer, operation: Callable[[RedisStore], Any]
) -> None:
    store = RedisStore(stopped_redis.url, socket_timeout=1.0)
    stopped_redis.stop()
    with pytest.raises(TokenStoreException, match=r"Redis token store: .* failed"):
        operation(store)


@pytest.mark.parametrize("operation", _METER_OPERATIONS, ids=_METER_IDS)
def test_sqlite_tables_gone_raise_token_store_exception(
    tmp_path: Path, operation: Callable[[SQLiteStore], Any]
) -> None:
    store = SQLiteStore(tmp_path / "t.db")
    db = sqlite3.connect(store.path)
    db.execute("DROP TABLE smartcar_call_counts")
    db.execute("DROP TABLE smartcar_holds")
    db.commit()
    db.close()
    with pytest.raises(TokenStoreException, match=r"SQLite token store .* failed: no such table"):
        operation(store)


# Two processes sharing one store --------------------------------------------------------------

CALLS_PER_THREAD = 50
THREADS = 4


def _count_calls(spec: StoreSpec, base: float, start: Any, out: Any) -> None:
    """Count calls on THREADS threads; each also holds the pause until ``base`` + its counts."""
    store = spec.open()
    seen: List[int] = []
    guard = threading.Lock()

    def run() -> None:
        start.wait(30)
        counts = [store.add_call("shared-vehicle", THIS) for _ in range(CALLS_PER_THREAD)]
        for count in counts:
            store.hold("app", base + count)
        with guard:
            seen.extend(counts)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(seen)


def _shared_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> StoreSpec:
    if kind == "sqlite":
        return StoreSpec("sqlite", str(tmp_path / "shared.db"))
    return StoreSpec("redis", request.getfixturevalue("redis_url"))


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_two_processes_share_one_count(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    spec = _shared_store(kind, tmp_path, request)
    context = process_context()
    start = context.Event()
    out = context.Queue()
    base = time.time() + 600
    children = [
        context.Process(target=_count_calls, args=(spec, base, start, out)) for _ in range(2)
    ]
    for child in children:
        child.start()
    start.set()
    counts = [out.get(timeout=120) for _ in children]
    for child in children:
        child.join(30)
        assert child.exitcode == 0
    total = 2 * THREADS * CALLS_PER_THREAD
    # Every increment was seen by exactly one caller: no call lost, none counted twice.
    assert sorted(counts[0] + counts[1]) == list(range(1, total + 1))
    store = spec.open()
    assert store.calls("shared-vehicle", THIS) == total
    # The holds raced too: the latest time stayed.
    assert store.held_until("app") == base + total


def _mark_and_hold(spec: StoreSpec, until: float) -> None:
    store = spec.open()
    store.mark_spent("spent-vehicle", THIS)
    store.hold("app", until)


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_a_spent_mark_and_a_pause_of_one_process_reach_the_other(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    spec = _shared_store(kind, tmp_path, request)
    mine = spec.open()
    assert not mine.is_spent("spent-vehicle", THIS)
    assert mine.held_until("app") == 0.0
    until = time.time() + 42.5
    child = process_context().Process(target=_mark_and_hold, args=(spec, until))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert mine.is_spent("spent-vehicle", THIS)
    assert mine.held_until("app") == pytest.approx(until, abs=1e-6)
