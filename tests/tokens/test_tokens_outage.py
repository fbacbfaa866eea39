"""TokenManager when the store fails after the service rotated the refresh token: the new
pair is retried, held in the process, served, refreshed and written later; never dropped."""

from __future__ import annotations

import gc
import json
import logging
import os
import time
from typing import Any, Dict, Optional

import pytest
from token_fakes import KEY, LIFETIME, FakeAuth, FakeClock, auth, fake_clock

from smartcar import ReauthorizationRequired, TokenStoreException
from smartcar.tokens import MemoryStore, TokenManager, TokenNotFound

__all__ = ["auth", "fake_clock"]


class FlakyStore(MemoryStore):
    """A MemoryStore that can go down (every operation fails) or refuse a number of writes."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.failing_writes = 0
        self.writes = 0

    def _check(self, write: bool = False) -> None:
        if self.down:
            raise TokenStoreException("store down")
        if write:
            self.writes += 1
            if self.failing_writes:
                self.failing_writes -= 1
                raise TokenStoreException("write refused")

    def load(self, key: str) -> Optional[str]:
        self._check()
        return super().load(key)

    def save(self, key: str, record: str) -> None:
        self._check(write=True)
        super().save(key, record)

    def replace(self, key: str, expected: str, record: str) -> bool:
        self._check(write=True)
        return super().replace(key, expected, record)

    def delete(self, key: str) -> None:
        self._check(write=True)
        super().delete(key)

    def acquire(self, key: str, owner: str, ttl: float) -> bool:
        self._check()
        return super().acquire(key, owner, ttl)

    def release(self, key: str, owner: str) -> None:
        self._check()
        super().release(key, owner)

    def refresh_token(self, key: str = KEY) -> str:
        raw = MemoryStore.load(self, key)
        assert raw is not None
        token: str = json.loads(raw)["refresh_token"]
        return token


class SameData:
    """Another store object on the data of ``store``, with no ``location``: what a manager
    in another process sees (it shares no held pairs with this one)."""

    def __init__(self, store: FlakyStore) -> None:
        self.load, self.save, self.replace = store.load, store.save, store.replace
        self.delete, self.acquire, self.release = store.delete, store.acquire, store.release


@pytest.fixture
def flaky() -> FlakyStore:
    return FlakyStore()


@pytest.fixture
def manager(auth: FakeAuth, flaky: FlakyStore, fake_clock: FakeClock) -> TokenManager:
    return TokenManager(auth, flaky, skew=60, lock_timeout=5, clock=fake_clock)


@pytest.fixture
def first(auth: FakeAuth, manager: TokenManager, fake_clock: FakeClock) -> Dict[str, Any]:
    """A connection saved under KEY, already expired; the store goes down mid-refresh."""
    access = auth.issue()
    manager.save(KEY, access)
    fake_clock.advance(LIFETIME)
    return access


@pytest.fixture(autouse=True)
def _no_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pauses between the attempts to write a refreshed pair."""
    monkeypatch.setattr("smartcar.tokens.manager._WRITE_PAUSES", (0.0, 0.0, 0.0), raising=False)


def _store_dies_during_the_refresh(auth: FakeAuth, flaky: FlakyStore) -> None:
    def die() -> None:
        auth.during = None
        flaky.down = True

    auth.during = die


@pytest.mark.parametrize("failures", [1, 3])
def test_a_write_that_fails_is_retried(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, first: Dict[str, Any],
    failures: int,
) -> None:  # fmt: skip
    flaky.failing_writes = failures
    flaky.writes = 0
    token = manager.access_token(KEY)
    assert flaky.writes == failures + 1
    assert manager.flush() == []
    assert flaky.refresh_token() in auth.live
    assert manager.get(KEY)["access_token"] == token  # type: ignore[index]


def test_the_write_retries_are_bounded_in_time(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, first: Dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr("smartcar.tokens.manager._WRITE_PAUSES", (0.05, 0.25, 1.0))
    monkeypatch.setattr("smartcar.tokens.manager._WRITE_BUDGET", 0.2)
    flaky.failing_writes = 2
    flaky.writes = 0
    started = time.monotonic()
    token = manager.access_token(KEY)
    assert time.monotonic() - started < 0.2
    assert flaky.writes == 2  # the 0.25 s pause would pass the budget: held instead
    assert manager.flush() == []  # writes work again
    assert manager.get(KEY)["access_token"] == token  # type: ignore[index]


def test_the_pair_is_held_served_and_written_once_the_store_is_back(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, fake_clock: FakeClock,
    first: Dict[str, Any], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    _store_dies_during_the_refresh(auth, flaky)
    token = manager.access_token(KEY)  # the refresh answered: its token is good to use
    assert auth.calls == 1
    assert token != first["access_token"]
    assert "keeps them" in caplog.text
    # The store is still down: the next calls get the held pair, not an error.
    assert manager.access_token(KEY) == token
    assert manager.get(KEY)["access_token"] == token  # type: ignore[index]
    assert manager.flush() == [KEY]
    assert flaky.refresh_token() == first["refresh_token"]  # (dead) what the store still has
    # Back up: the next call writes the pair.
    flaky.down = False
    assert manager.access_token(KEY) == token
    assert manager.flush() == []
    assert flaky.refresh_token() in auth.live
    # Another worker (no held pair) refreshes from the store with the live refresh token.
    other = TokenManager(auth, flaky, clock=fake_clock)
    fake_clock.advance(LIFETIME)
    assert other.access_token(KEY) not in (token, first["access_token"])
    assert auth.calls == 2
    for secret in (token, first["refresh_token"], flaky.refresh_token()):
        assert secret not in caplog.text


def test_a_held_pair_that_expires_is_refreshed_with_its_own_refresh_token(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, fake_clock: FakeClock,
    first: Dict[str, Any],
) -> None:  # fmt: skip
    _store_dies_during_the_refresh(auth, flaky)
    token = manager.access_token(KEY)
    fake_clock.advance(LIFETIME)
    newer = manager.access_token(KEY)  # no store, no lock: only we know that refresh token
    assert newer != token and auth.calls == 2
    assert manager.refresh_access_token(KEY, newer) not in (token, newer)
    assert auth.calls == 3
    flaky.down = False
    latest = manager.access_token(KEY)
    assert flaky.refresh_token() in auth.live
    assert manager.get(KEY)["access_token"] == latest  # type: ignore[index]


def test_a_mark_from_a_worker_that_used_the_dead_token_is_repaired(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, fake_clock: FakeClock,
    first: Dict[str, Any],
) -> None:  # fmt: skip
    _store_dies_during_the_refresh(auth, flaky)
    token = manager.access_token(KEY)
    flaky.down = False
    other = TokenManager(auth, SameData(flaky), clock=fake_clock)  # type: ignore[arg-type]
    with pytest.raises(ReauthorizationRequired):  # the store's refresh token is dead
        other._refresh(KEY, *other._load(KEY))  # type: ignore[misc]
    assert manager.access_token(KEY) == token
    record = other.get(KEY)
    assert record is not None and record["reauthorization_required"] is False
    assert record["refresh_token"] in auth.live


def test_our_own_worker_meeting_the_dead_token_serves_the_held_pair(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, first: Dict[str, Any]
) -> None:
    _store_dies_during_the_refresh(auth, flaky)
    token = manager.access_token(KEY)
    flaky.down = False
    # A thread of ours that read the store before the pair was held refreshes with the
    # stored (dead) token: it must get the held pair, and nothing is marked.
    assert manager._refresh(KEY, *manager._load(KEY))["access_token"] == token  # type: ignore[misc]
    assert manager.flush() == []
    assert flaky.refresh_token() in auth.live


def test_a_record_lost_by_the_store_is_restored(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, first: Dict[str, Any]
) -> None:
    _store_dies_during_the_refresh(auth, flaky)
    token = manager.access_token(KEY)
    flaky.down = False
    MemoryStore.delete(flaky, KEY)  # e.g. a Redis without persistence restarted empty
    assert manager.access_token(KEY) == token
    assert flaky.refresh_token() in auth.live


def test_a_new_connection_saved_elsewhere_wins_over_the_held_pair(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, fake_clock: FakeClock,
    first: Dict[str, Any],
) -> None:  # fmt: skip
    _store_dies_during_the_refresh(auth, flaky)
    manager.access_token(KEY)
    flaky.down = False
    again = auth.issue()
    TokenManager(auth, flaky, clock=fake_clock).save(KEY, again)
    assert manager.access_token(KEY) == again["access_token"]
    assert manager.flush() == []
    assert flaky.refresh_token() == again["refresh_token"]


def test_save_and_delete_replace_the_held_pair(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, first: Dict[str, Any]
) -> None:
    _store_dies_during_the_refresh(auth, flaky)
    manager.access_token(KEY)
    flaky.down = False
    again = auth.issue()
    manager.save(KEY, again)
    assert manager.flush() == []
    assert manager.access_token(KEY) == again["access_token"]
    _store_dies_during_the_refresh(auth, flaky)
    manager.refresh_access_token(KEY, again["access_token"])
    assert manager.flush() == [KEY]
    flaky.down = False
    manager.delete(KEY)
    assert manager.flush() == []
    with pytest.raises(TokenNotFound):
        manager.access_token(KEY)


def test_the_held_pair_belongs_to_the_process_not_to_one_manager(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, fake_clock: FakeClock,
    first: Dict[str, Any],
) -> None:  # fmt: skip
    """A manager built per request, then dropped, must not take the live pair with it."""
    _store_dies_during_the_refresh(auth, flaky)
    token = manager.access_token(KEY)
    del manager
    gc.collect()
    next_request = TokenManager(auth, flaky, clock=fake_clock)
    assert next_request.access_token(KEY) == token  # store still down: the held pair
    flaky.down = False
    assert TokenManager(auth, flaky, clock=fake_clock).access_token(KEY) == token
    assert flaky.refresh_token() in auth.live
    assert next_request.flush() == []


def test_a_held_pair_whose_grant_was_revoked_is_dropped(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, fake_clock: FakeClock,
    first: Dict[str, Any],
) -> None:  # fmt: skip
    _store_dies_during_the_refresh(auth, flaky)
    manager.access_token(KEY)
    auth.live.clear()  # the user revoked the app
    fake_clock.advance(LIFETIME)
    with pytest.raises(ReauthorizationRequired):
        manager.access_token(KEY)
    assert manager.flush() == []


def test_held_pairs_of_other_keys_are_written_by_any_call(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, first: Dict[str, Any]
) -> None:
    manager.save("other", auth.issue())
    _store_dies_during_the_refresh(auth, flaky)
    manager.access_token(KEY)
    flaky.down = False
    manager.access_token("other")
    assert manager.flush() == []
    assert flaky.refresh_token(KEY) in auth.live


def test_the_interpreter_exit_hook_writes_held_pairs(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, first: Dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    from smartcar.tokens import manager as manager_module

    _store_dies_during_the_refresh(auth, flaky)
    manager.access_token(KEY)
    manager_module._flush_at_exit()
    assert "never accepted, for keys 'user-1'" in caplog.text
    flaky.down = False
    manager_module._flush_at_exit()
    assert flaky.refresh_token() in auth.live


def test_a_forked_child_does_not_inherit_held_pairs(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, first: Dict[str, Any]
) -> None:
    _store_dies_during_the_refresh(auth, flaky)
    manager.access_token(KEY)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent alone may use (and refresh) that refresh token
        os.close(read)
        os.write(write, ",".join(manager._holding().pairs).encode() or b"-")
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        held_in_child = pipe.read()
    os.waitpid(pid, 0)
    assert held_in_child == b"-"
    assert manager.flush() == [KEY]


def test_no_secret_in_the_outage_logs(
    manager: TokenManager, auth: FakeAuth, flaky: FlakyStore, fake_clock: FakeClock,
    first: Dict[str, Any], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG, logger="smartcar")
    _store_dies_during_the_refresh(auth, flaky)
    token = manager.access_token(KEY)
    fake_clock.advance(LIFETIME)
    newer = manager.access_token(KEY)
    flaky.down = False
    manager.access_token(KEY)
    assert "held" in caplog.text
    for secret in (first["refresh_token"], token, newer, flaky.refresh_token()):
        assert secret not in caplog.text
