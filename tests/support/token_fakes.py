"""A fake clock and a fake token endpoint that rotates refresh tokens, for the token tests."""

from __future__ import annotations

import datetime
import itertools
import threading
import time
from typing import Any, Callable, Dict, Optional

import pytest

from smartcar import SmartcarException, ValidationException
from smartcar.tokens import MemoryStore, TokenManager

__all__ = [
    "KEY",
    "LIFETIME",
    "FakeAuth",
    "FakeClock",
    "auth",
    "fake_clock",
    "first",
    "manager",
    "store",
]

UTC = datetime.timezone.utc
KEY = "user-1"
LIFETIME = 7200


class FakeClock:
    """An aware UTC clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


class FakeAuth:
    """A token endpoint that rotates refresh tokens: each one works exactly once."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.counter = itertools.count(1)
        self.live: set[str] = set()
        self.calls = 0
        self.delay = 0.0
        self.guard = threading.Lock()
        self.error: Optional[SmartcarException] = None
        self.during: Optional[Callable[[], None]] = None

    def issue(self) -> Dict[str, Any]:
        number = next(self.counter)
        access = {
            "access_token": f"access-{number}",
            "token_type": "Bearer",
            "expires_in": LIFETIME,
            "refresh_token": f"refresh-{number}",
            "expiration": (self.clock() + datetime.timedelta(seconds=LIFETIME)).replace(
                tzinfo=None
            ),
            "refresh_expiration": (self.clock() + datetime.timedelta(days=60)).replace(tzinfo=None),
            "request_id": None,
        }
        self.live.add(access["refresh_token"])
        return access

    def exchange_refresh_token(self, refresh_token: str) -> Any:
        with self.guard:
            self.calls += 1
        if self.during is not None:
            self.during()
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        with self.guard:
            if refresh_token not in self.live:
                raise ValidationException(
                    "Invalid refresh token", status_code=400, error="invalid_grant"
                )
            self.live.discard(refresh_token)
            return self.issue()


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def auth(fake_clock: FakeClock) -> FakeAuth:
    return FakeAuth(fake_clock)


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def manager(auth: FakeAuth, store: MemoryStore, fake_clock: FakeClock) -> TokenManager:
    return TokenManager(auth, store, skew=60, lock_timeout=5, clock=fake_clock)


@pytest.fixture
def first(auth: FakeAuth, manager: TokenManager) -> Dict[str, Any]:
    """The access dictionary of a connection, saved under KEY."""
    access = auth.issue()
    manager.save(KEY, access)
    return access
