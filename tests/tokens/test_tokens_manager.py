"""TokenManager against MemoryStore and a fake token endpoint that rotates refresh tokens."""

from __future__ import annotations

import datetime
import json
import logging
import threading
import time
from typing import Any, Callable, Dict, List

import pytest
from token_fakes import KEY, LIFETIME, FakeAuth, FakeClock, auth, fake_clock, first, manager, store

import smartcar
from smartcar import (
    AuthenticationException,
    ReauthorizationRequired,
    ServerException,
    SmartcarException,
    TokenStoreException,
    ValidationException,
)
from smartcar.tokens import (
    ManagedTokenProvider,
    MemoryStore,
    TokenManager,
    TokenNotFound,
    get_fresh_access,
)
from smartcar.types import TokenProvider

__all__ = ["auth", "fake_clock", "first", "manager", "store"]

UTC = datetime.timezone.utc


# Saving and reading ---------------------------------------------------------------------


def test_save_stores_json_with_iso_utc_times(
    manager: TokenManager, store: MemoryStore, first: Dict[str, Any]
) -> None:
    raw = store.load(KEY)
    assert raw is not None
    record = json.loads(raw)
    assert record["access_token"] == first["access_token"]
    assert record["refresh_token"] == first["refresh_token"]
    assert record["expiration"] == first["expiration"].replace(tzinfo=UTC).isoformat()
    assert record["expiration"].endswith("+00:00")
    assert record["reauthorization_required"] is False
    assert manager.get(KEY) == record
    assert "request_id" not in record


def test_stored_times_are_read_by_is_expired(manager: TokenManager, auth: FakeAuth) -> None:
    past = auth.issue()
    past["expiration"] = datetime.datetime(2000, 1, 1)
    manager.save("old", past)
    future = auth.issue()
    future["expiration"] = datetime.datetime.now(UTC) + datetime.timedelta(hours=1)
    manager.save("new", future)
    assert smartcar.is_expired(manager.get("old")["expiration"])  # type: ignore[index]
    assert not smartcar.is_expired(manager.get("new")["expiration"])  # type: ignore[index]


def test_save_accepts_aware_and_iso_times(manager: TokenManager, auth: FakeAuth) -> None:
    access = auth.issue()
    access["expiration"] = "2030-05-02T20:04:25+02:00"
    access["refresh_expiration"] = datetime.datetime(2030, 6, 1, tzinfo=UTC)
    record = manager.save(KEY, access)
    assert record["expiration"] == "2030-05-02T18:04:25+00:00"
    assert record["refresh_expiration"] == "2030-06-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("field", "value"),
    [("access_token", ""), ("refresh_token", None), ("expiration", "soon"), ("expiration", 5)],
)
def test_save_rejects_a_bad_access_dict(
    manager: TokenManager, auth: FakeAuth, store: MemoryStore, field: str, value: Any
) -> None:
    access = auth.issue()
    access[field] = value
    with pytest.raises(ValueError, match=field):
        manager.save(KEY, access)
    assert store.load(KEY) is None


def test_get_and_delete(manager: TokenManager, first: Dict[str, Any]) -> None:
    assert manager.get("nobody") is None
    manager.delete(KEY)
    assert manager.get(KEY) is None
    manager.delete(KEY)


def test_missing_key_raises_token_not_found(manager: TokenManager, auth: FakeAuth) -> None:
    with pytest.raises(TokenNotFound, match="no tokens stored for key 'ghost'") as raised:
        manager.access_token("ghost")
    assert isinstance(raised.value, SmartcarException)
    assert auth.calls == 0


@pytest.mark.parametrize("key", ["", None, 5])
def test_bad_keys_are_refused(manager: TokenManager, key: Any) -> None:
    with pytest.raises(ValueError, match="non-empty string"):
        manager.access_token(key)


@pytest.mark.parametrize(
    "kwargs",
    [{"skew": -1}, {"lock_timeout": 0}, {"lock_timeout": True}, {"wait_timeout": -2.0}],
)
def test_constructor_checks_its_numbers(
    auth: FakeAuth, store: MemoryStore, kwargs: Dict[str, Any]
) -> None:
    with pytest.raises(ValueError):
        TokenManager(auth, store, **kwargs)


# Refreshing -------------------------------------------------------------------------------


def test_a_fresh_token_is_returned_without_refresh(
    manager: TokenManager, auth: FakeAuth, first: Dict[str, Any]
) -> None:
    assert manager.access_token(KEY) == first["access_token"]
    assert auth.calls == 0


def test_an_expired_token_is_refreshed_and_persisted_first(
    manager: TokenManager, auth: FakeAuth, store: MemoryStore, fake_clock: FakeClock,
    first: Dict[str, Any],
) -> None:  # fmt: skip
    fake_clock.advance(LIFETIME + 1)
    token = manager.access_token(KEY)
    assert token != first["access_token"]
    assert auth.calls == 1
    record = manager.get(KEY)
    assert record is not None
    assert record["access_token"] == token
    assert record["refresh_token"] in auth.live
    assert first["refresh_token"] not in auth.live
    expected = fake_clock() + datetime.timedelta(seconds=LIFETIME)
    assert record["expiration"] == expected.isoformat()
    assert manager.access_token(KEY) == token
    assert auth.calls == 1


@pytest.mark.parametrize(("skew", "refreshes"), [(60, 1), (10, 0)])
def test_skew_refreshes_ahead_of_expiry(
    auth: FakeAuth, store: MemoryStore, fake_clock: FakeClock, skew: float, refreshes: int
) -> None:
    manager = TokenManager(auth, store, skew=skew, clock=fake_clock)
    manager.save(KEY, auth.issue())
    fake_clock.advance(LIFETIME - 30)
    manager.access_token(KEY)
    assert auth.calls == refreshes


def test_threads_share_one_refresh(
    manager: TokenManager, auth: FakeAuth, fake_clock: FakeClock, first: Dict[str, Any]
) -> None:
    auth.delay = 0.05
    fake_clock.advance(LIFETIME)
    results: List[str] = []
    errors: List[BaseException] = []
    barrier = threading.Barrier(16)

    def call() -> None:
        barrier.wait()
        try:
            results.append(manager.access_token(KEY))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert auth.calls == 1
    assert len(results) == 16
    assert set(results) == {manager.get(KEY)["access_token"]}  # type: ignore[index]
    assert first["access_token"] not in results


def test_other_refresh_errors_propagate_and_leave_the_record(
    manager: TokenManager, auth: FakeAuth, store: MemoryStore, fake_clock: FakeClock,
    first: Dict[str, Any],
) -> None:  # fmt: skip
    fake_clock.advance(LIFETIME)
    before = store.load(KEY)
    auth.error = ServerException("boom", status_code=500)
    with pytest.raises(ServerException):
        manager.access_token(KEY)
    assert store.load(KEY) == before
    auth.error = None
    assert manager.access_token(KEY) != first["access_token"]
    assert auth.calls == 2


# invalid_grant and re-authorisation ------------------------------------------------------------


@pytest.mark.parametrize("error_class", [ValidationException, AuthenticationException])
def test_invalid_grant_marks_the_record_and_stops_calling(
    manager: TokenManager, auth: FakeAuth, fake_clock: FakeClock, first: Dict[str, Any],
    error_class: type,
) -> None:  # fmt: skip
    auth.live.clear()
    auth.error = error_class("Invalid refresh token", status_code=400, error="invalid_grant")
    fake_clock.advance(LIFETIME)
    with pytest.raises(ReauthorizationRequired, match="connect again") as raised:
        manager.access_token(KEY)
    assert raised.value.error == "invalid_grant"
    assert isinstance(raised.value.__cause__, error_class)
    assert manager.get(KEY)["reauthorization_required"] is True  # type: ignore[index]
    assert manager.get(KEY)["refresh_token"] == first["refresh_token"]  # type: ignore[index]
    with pytest.raises(ReauthorizationRequired):
        manager.access_token(KEY)
    assert auth.calls == 1


def test_saving_a_new_connection_clears_the_mark(
    manager: TokenManager, auth: FakeAuth, fake_clock: FakeClock, first: Dict[str, Any]
) -> None:
    auth.live.clear()
    fake_clock.advance(LIFETIME)
    with pytest.raises(ReauthorizationRequired):
        manager.access_token(KEY)
    again = auth.issue()
    manager.save(KEY, again)
    assert manager.access_token(KEY) == again["access_token"]


def test_invalid_client_is_not_reauthorisation(
    manager: TokenManager, auth: FakeAuth, fake_clock: FakeClock, first: Dict[str, Any]
) -> None:
    auth.error = AuthenticationException("bad client", status_code=401, error="invalid_client")
    fake_clock.advance(LIFETIME)
    with pytest.raises(AuthenticationException) as raised:
        manager.access_token(KEY)
    assert not isinstance(raised.value, ReauthorizationRequired)
    assert manager.get(KEY)["reauthorization_required"] is False  # type: ignore[index]


def test_invalid_grant_after_another_worker_rotated_uses_its_tokens(
    manager: TokenManager, auth: FakeAuth, store: MemoryStore, fake_clock: FakeClock,
    first: Dict[str, Any],
) -> None:  # fmt: skip
    """A worker whose lock expired refreshed first: we lose the race but keep its pair."""
    other = TokenManager(auth, store, clock=fake_clock)

    def another_worker_refreshes() -> None:
        auth.during = None
        other._refresh(KEY, store.load(KEY), manager.get(KEY))  # type: ignore[arg-type]

    auth.during = another_worker_refreshes
    fake_clock.advance(LIFETIME)
    token = manager.access_token(KEY)
    record = manager.get(KEY)
    assert record is not None and not record["reauthorization_required"]
    assert token == record["access_token"]
    assert record["refresh_token"] in auth.live
    assert auth.calls == 2


def test_a_successful_refresh_repairs_a_mark_from_the_losing_worker(
    manager: TokenManager, auth: FakeAuth, store: MemoryStore, fake_clock: FakeClock,
    first: Dict[str, Any],
) -> None:  # fmt: skip
    def loser_marks_the_record() -> None:
        record = dict(manager.get(KEY), reauthorization_required=True)  # type: ignore[arg-type]
        store.save(KEY, json.dumps(record))

    auth.during = loser_marks_the_record
    fake_clock.advance(LIFETIME)
    token = manager.access_token(KEY)
    record = manager.get(KEY)
    assert record is not None
    assert record["reauthorization_required"] is False
    assert record["access_token"] == token
    assert record["refresh_token"] in auth.live


def test_a_new_connection_saved_during_a_refresh_wins(
    manager: TokenManager, auth: FakeAuth, store: MemoryStore, fake_clock: FakeClock,
    first: Dict[str, Any],
) -> None:  # fmt: skip
    newer: Dict[str, Any] = {}

    def user_reconnects() -> None:
        newer.update(auth.issue())
        manager.save(KEY, newer)

    auth.during = user_reconnects
    fake_clock.advance(LIFETIME)
    assert manager.access_token(KEY) == newer["access_token"]
    assert manager.get(KEY)["refresh_token"] == newer["refresh_token"]  # type: ignore[index]


def test_a_key_deleted_during_a_refresh_stays_deleted(
    manager: TokenManager, auth: FakeAuth, fake_clock: FakeClock, first: Dict[str, Any]
) -> None:
    auth.during = lambda: manager.delete(KEY)
    fake_clock.advance(LIFETIME)
    with pytest.raises(TokenNotFound):
        manager.access_token(KEY)
    assert manager.get(KEY) is None


# Locks ------------------------------------------------------------------------------------


def test_a_lock_that_is_never_released_expires(
    auth: FakeAuth, store: MemoryStore, fake_clock: FakeClock
) -> None:
    manager = TokenManager(auth, store, lock_timeout=0.3, clock=fake_clock)
    manager.save(KEY, auth.issue())
    assert store.acquire(KEY, "crashed-worker", ttl=0.3)
    fake_clock.advance(LIFETIME)
    started = time.monotonic()
    manager.access_token(KEY)
    waited = time.monotonic() - started
    assert 0.2 <= waited < 2.0
    assert auth.calls == 1


def test_waiting_longer_than_wait_timeout_raises(
    auth: FakeAuth, store: MemoryStore, fake_clock: FakeClock
) -> None:
    manager = TokenManager(auth, store, lock_timeout=5, wait_timeout=0.2, clock=fake_clock)
    manager.save(KEY, auth.issue())
    assert store.acquire(KEY, "slow-worker", ttl=5)
    fake_clock.advance(LIFETIME)
    with pytest.raises(TokenStoreException, match=r"timed out after 0\.2s"):
        manager.access_token(KEY)
    assert auth.calls == 0


class _RefreshedBeforeOurLock(MemoryStore):
    """Another worker finishes its refresh between our last read and our lock."""

    def __init__(self, other: Callable[[], None]) -> None:
        super().__init__()
        self.other = other

    def acquire(self, key: str, owner: str, ttl: float) -> bool:
        self.other()
        return super().acquire(key, owner, ttl)


def test_the_record_is_read_again_after_taking_the_lock(
    auth: FakeAuth, fake_clock: FakeClock
) -> None:
    other_manager: List[TokenManager] = []

    def other_worker() -> None:
        other = other_manager[0]
        loaded = other._load(KEY)
        assert loaded is not None
        other._refresh(KEY, *loaded)

    store = _RefreshedBeforeOurLock(other_worker)
    manager = TokenManager(auth, store, clock=fake_clock)
    other_manager.append(TokenManager(auth, store, clock=fake_clock))
    manager.save(KEY, auth.issue())
    fake_clock.advance(LIFETIME)
    token = manager.access_token(KEY)
    assert auth.calls == 1
    assert token == manager.get(KEY)["access_token"]  # type: ignore[index]


def test_the_lock_is_released_after_a_refresh(
    manager: TokenManager, store: MemoryStore, fake_clock: FakeClock, first: Dict[str, Any]
) -> None:
    fake_clock.advance(LIFETIME)
    manager.access_token(KEY)
    assert store.acquire(KEY, "next", ttl=1)


# Corrupt records -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not an object"),
        ('{"access_token": "a", "refresh_token": "r", "expiration": "x"}', "missing"),
        (
            '{"access_token": "a", "refresh_token": "r", "expiration": "tomorrow",'
            ' "refresh_expiration": "2030-01-01T00:00:00+00:00"}',
            "expiration is not an ISO-8601 time",
        ),
        (
            '{"access_token": 5, "refresh_token": "r", "expiration": "2030-01-01T00:00:00Z",'
            ' "refresh_expiration": "2030-01-01T00:00:00+00:00"}',
            "access_token is not a string",
        ),
    ],
)
def test_a_corrupt_record_raises_and_is_not_overwritten(
    manager: TokenManager, auth: FakeAuth, store: MemoryStore, raw: str, reason: str
) -> None:
    store.save(KEY, raw)
    for call in (manager.access_token, manager.get):
        with pytest.raises(TokenStoreException, match=f"key 'user-1' is corrupt: {reason}"):
            call(KEY)
    with pytest.raises(TokenStoreException):
        manager.refresh_access_token(KEY, "anything")
    assert store.load(KEY) == raw
    assert auth.calls == 0


# The provider and Vehicle ------------------------------------------------------------------


def test_provider_is_a_token_provider(manager: TokenManager, first: Dict[str, Any]) -> None:
    provider = manager.provider(KEY)
    assert isinstance(provider, ManagedTokenProvider)
    assert isinstance(provider, TokenProvider)
    assert provider.access_token() == first["access_token"]
    vehicle = smartcar.Vehicle("vehicle-1", provider)
    assert vehicle.access_token == first["access_token"]


def test_provider_refreshes_a_rejected_current_token(
    manager: TokenManager, auth: FakeAuth, first: Dict[str, Any]
) -> None:
    provider = manager.provider(KEY)
    token = provider.refresh_access_token(first["access_token"])
    assert token != first["access_token"]
    assert auth.calls == 1
    assert manager.get(KEY)["access_token"] == token  # type: ignore[index]


def test_provider_returns_the_newer_token_for_a_stale_rejection(
    manager: TokenManager, auth: FakeAuth, first: Dict[str, Any]
) -> None:
    assert manager.provider(KEY).refresh_access_token("an-older-token") == first["access_token"]
    assert auth.calls == 0


def test_concurrent_rejections_of_one_token_refresh_once(
    manager: TokenManager, auth: FakeAuth, first: Dict[str, Any]
) -> None:
    auth.delay = 0.05
    provider = manager.provider(KEY)
    results: List[str] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(provider.refresh_access_token(first["access_token"]))
        )
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert auth.calls == 1
    assert len(set(results)) == 1 and len(results) == 8


# No secrets ------------------------------------------------------------------------------


def test_no_token_in_reprs_messages_or_logs(
    manager: TokenManager, auth: FakeAuth, store: MemoryStore, fake_clock: FakeClock,
    first: Dict[str, Any], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG, logger="smartcar")
    fake_clock.advance(LIFETIME)
    new_token = manager.access_token(KEY)
    auth.live.clear()
    fake_clock.advance(LIFETIME)
    with pytest.raises(ReauthorizationRequired) as raised:
        manager.access_token(KEY)
    texts = [
        repr(manager),
        repr(manager.provider(KEY)),
        repr(store),
        str(raised.value),
        repr(raised.value),
        caplog.text,
    ]
    secrets = [first["access_token"], first["refresh_token"], new_token]
    secrets.append(manager.get(KEY)["refresh_token"])  # type: ignore[index]
    assert "refreshing" in caplog.text
    for text in texts:
        for secret in secrets:
            assert secret not in text


# get_fresh_access --------------------------------------------------------------------------


def _expired(auth: FakeAuth) -> Dict[str, Any]:
    access = auth.issue()
    access["expiration"] = datetime.datetime.now(UTC).replace(tzinfo=None) - datetime.timedelta(
        seconds=1
    )
    return access


def test_get_fresh_access_keeps_a_valid_access(auth: FakeAuth) -> None:
    access = auth.issue()
    access["expiration"] = datetime.datetime.now(UTC) + datetime.timedelta(hours=1)
    saved: List[Any] = []
    assert get_fresh_access(auth, access, saved.append) is access
    assert saved == [] and auth.calls == 0


@pytest.mark.parametrize("as_text", [False, True])
def test_get_fresh_access_refreshes_and_saves_first(auth: FakeAuth, as_text: bool) -> None:
    access = _expired(auth)
    if as_text:
        access["expiration"] = access["expiration"].replace(tzinfo=UTC).isoformat()
    saved: List[Any] = []
    fresh = get_fresh_access(auth, access, saved.append)
    assert fresh["access_token"] != access["access_token"]
    assert saved == [fresh]
    assert auth.calls == 1
    assert get_fresh_access(auth, _expired(auth))["refresh_token"] in auth.live


def test_get_fresh_access_turns_invalid_grant_into_reauthorisation(auth: FakeAuth) -> None:
    access = _expired(auth)
    auth.live.clear()
    saved: List[Any] = []
    with pytest.raises(ReauthorizationRequired) as raised:
        get_fresh_access(auth, access, saved.append)
    assert raised.value.status_code == 400
    assert saved == []


# Bad input and bad records -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (
            "expiration",
            datetime.datetime.max.replace(tzinfo=datetime.timezone(-datetime.timedelta(hours=5))),
        ),
        (
            "expiration",
            datetime.datetime.min.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=5))),
        ),
        ("refresh_expiration", "9999-12-31T23:59:59-05:00"),
        ("expiration", "0001-01-01T00:00:00+05:00"),
    ],
)
def test_save_refuses_out_of_range_times_with_value_error(
    manager: TokenManager, auth: FakeAuth, store: MemoryStore, field: str, value: Any
) -> None:
    access = auth.issue()
    access[field] = value
    with pytest.raises(ValueError, match=f"{field} is (out of range|not an ISO-8601 time)"):
        manager.save(KEY, access)
    assert store.load(KEY) is None


@pytest.mark.parametrize("token", ["access\r\nX-Injected: 1", "accès", "tab\there"])
def test_save_refuses_a_token_that_cannot_be_sent(
    manager: TokenManager, auth: FakeAuth, store: MemoryStore, token: str
) -> None:
    access = auth.issue()
    access["access_token"] = token
    with pytest.raises(ValueError, match="access_token must be printable ASCII") as raised:
        manager.save(KEY, access)
    assert token not in str(raised.value)
    assert store.load(KEY) is None


@pytest.mark.parametrize("access", [None, "access-token", ["access_token"]])
def test_save_refuses_what_is_not_a_mapping(manager: TokenManager, access: Any) -> None:
    with pytest.raises(TypeError, match="access must be an access dictionary"):
        manager.save(KEY, access)


@pytest.mark.parametrize("token", ["bad\nheader", "t\u00f6ken", "nul\x00byte"])
def test_a_stored_token_that_cannot_go_in_a_header_is_a_store_error(
    manager: TokenManager, auth: FakeAuth, store: MemoryStore, token: str
) -> None:
    record = manager.save(KEY, auth.issue())
    store.save(KEY, json.dumps(dict(record, access_token=token)))
    for call in (manager.access_token, manager.get):
        with pytest.raises(TokenStoreException, match="access_token has characters") as raised:
            call(KEY)
        assert token not in str(raised.value)
    vehicle = smartcar.Vehicle("vehicle-1", manager.provider(KEY))
    with pytest.raises(TokenStoreException):
        vehicle.odometer()
    assert auth.calls == 0


def test_the_constructor_names_a_missing_store_or_client(
    auth: FakeAuth, store: MemoryStore
) -> None:
    with pytest.raises(TypeError, match=r"store must be a TokenStore.*not NoneType"):
        TokenManager(auth, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"store must be a TokenStore.*not str"):
        TokenManager(auth, "tokens.db")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"auth_client must be a smartcar\.AuthClient"):
        TokenManager(None, store)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="clock must be callable"):
        TokenManager(auth, store, clock="now")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"skew": float("inf")},
        {"skew": float("nan")},
        {"skew": 1e300},
        {"skew": "60"},
        {"skew": 10**400},
        {"lock_timeout": float("inf")},
        {"lock_timeout": -(10**400)},
        {"wait_timeout": float("nan")},
    ],
)
def test_constructor_numbers_must_be_finite_seconds(
    auth: FakeAuth, store: MemoryStore, kwargs: Dict[str, Any]
) -> None:
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=f"{name} must be a finite number of seconds"):
        TokenManager(auth, store, **kwargs)


def test_a_refresh_answer_without_a_refresh_token_keeps_the_current_one(
    manager: TokenManager, auth: FakeAuth, fake_clock: FakeClock, first: Dict[str, Any]
) -> None:
    """No ``refresh_token`` in the answer: the service did not rotate it (RFC 6749, 6)."""
    fake_clock.advance(LIFETIME)
    original = auth.exchange_refresh_token

    def partial_answer(refresh_token: str) -> Any:
        answer = dict(original(refresh_token))
        auth.live.add(refresh_token)
        del answer["refresh_token"], answer["refresh_expiration"]
        return answer

    auth.exchange_refresh_token = partial_answer  # type: ignore[method-assign]
    token = manager.access_token(KEY)
    record = manager.get(KEY)
    assert record is not None and record["access_token"] == token
    assert record["refresh_token"] == first["refresh_token"]
    assert (
        record["refresh_expiration"] == first["refresh_expiration"].replace(tzinfo=UTC).isoformat()
    )


@pytest.mark.parametrize("expires_in", [1e300, float("inf"), 10**400, None])
def test_an_unusable_expires_in_in_a_refresh_answer_does_not_lose_the_pair(
    manager: TokenManager, auth: FakeAuth, fake_clock: FakeClock, first: Dict[str, Any],
    expires_in: Any,
) -> None:  # fmt: skip
    fake_clock.advance(LIFETIME)
    original = auth.exchange_refresh_token

    def odd_answer(refresh_token: str) -> Any:
        return dict(original(refresh_token), expires_in=expires_in)

    auth.exchange_refresh_token = odd_answer  # type: ignore[method-assign]
    token = manager.access_token(KEY)
    record = manager.get(KEY)
    assert record is not None and record["access_token"] == token
    assert record["refresh_token"] in auth.live
    assert json.loads(json.dumps(record)) == record


def test_a_refresh_answer_without_an_access_token_is_a_smartcar_exception(
    manager: TokenManager, auth: FakeAuth, store: MemoryStore, fake_clock: FakeClock,
    first: Dict[str, Any],
) -> None:  # fmt: skip
    fake_clock.advance(LIFETIME)
    auth.exchange_refresh_token = lambda refresh_token: {"expires_in": 7200}  # type: ignore[method-assign]
    before = store.load(KEY)
    with pytest.raises(SmartcarException, match="without a usable access_token"):
        manager.access_token(KEY)
    assert store.load(KEY) == before


@pytest.mark.parametrize(
    ("access", "error", "message"),
    [
        ({}, ValueError, "access lacks 'expiration'"),
        (None, TypeError, "access must be an access dictionary, not NoneType"),
        ("a-token", TypeError, "access must be an access dictionary, not str"),
        ({"expiration": "soon"}, ValueError, r"access\['expiration'\] must be a datetime"),
        ({"expiration": 5}, ValueError, r"access\['expiration'\] must be a datetime"),
        ({"expiration": "2000-01-01T00:00:00Z"}, ValueError, "lacks a 'refresh_token'"),
    ],
)
def test_get_fresh_access_names_the_bad_argument(
    auth: FakeAuth, access: Any, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        get_fresh_access(auth, access)
    assert auth.calls == 0


def test_get_fresh_access_checks_client_and_save(auth: FakeAuth) -> None:
    access = _expired(auth)
    with pytest.raises(TypeError, match=r"client must be a smartcar\.AuthClient"):
        get_fresh_access(None, access)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="save must be callable"):
        get_fresh_access(auth, access, save="db")  # type: ignore[arg-type]
    assert auth.calls == 0


# The SDK's clock -------------------------------------------------------------------------------


def test_the_default_clock_is_smartcar_timeutil(
    auth: FakeAuth, store: MemoryStore, fake_clock: FakeClock
) -> None:
    """The manager asks ``smartcar.timeutil`` (C4: a running emulator sets its clock there)."""
    from smartcar import timeutil

    manager = TokenManager(auth, store)
    access = auth.issue()  # expires two hours after fake_clock's 2026-01-01 12:00
    manager.save(KEY, access)
    previous = timeutil.get_clock()
    timeutil.set_clock(lambda: fake_clock().timestamp())
    try:
        assert manager.access_token(KEY) == access["access_token"]
        assert auth.calls == 0
        fake_clock.advance(LIFETIME)
        assert manager.access_token(KEY) != access["access_token"]
        assert auth.calls == 1
        record = manager.get(KEY)
        assert record is not None
        assert record["updated_at"] == fake_clock().isoformat()
    finally:
        timeutil.set_clock(previous)
