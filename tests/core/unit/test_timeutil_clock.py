"""smartcar.timeutil's clock (contract C4): set_clock/now, and the SDK's expiry checks follow it."""

from __future__ import annotations

import datetime
from typing import Iterator

import pytest

import smartcar
from smartcar import timeutil

UTC = datetime.timezone.utc


@pytest.fixture(autouse=True)
def _real_time_afterwards() -> Iterator[None]:
    saved = timeutil.get_clock()
    yield
    timeutil.set_clock(saved)


def test_now_is_aware_utc_real_time_by_default() -> None:
    timeutil.set_clock(None)
    before = datetime.datetime.now(UTC)
    now = timeutil.now()
    assert now.tzinfo is not None and now.utcoffset() == datetime.timedelta(0)
    assert before <= now <= datetime.datetime.now(UTC)


def test_set_clock_moves_now_and_utcnow_naive() -> None:
    timeutil.set_clock(lambda: 1_000_000_000.5)
    assert timeutil.now() == datetime.datetime(2001, 9, 9, 1, 46, 40, 500000, tzinfo=UTC)
    assert timeutil.utcnow_naive() == datetime.datetime(2001, 9, 9, 1, 46, 40, 500000)
    assert timeutil.get_clock() is not None
    timeutil.set_clock(None)
    assert timeutil.now().year >= 2024


def test_set_clock_rejects_a_non_callable() -> None:
    with pytest.raises(TypeError, match="callable"):
        timeutil.set_clock(12.0)  # type: ignore[arg-type]


def test_is_expired_follows_the_clock() -> None:
    expiration = datetime.datetime(2030, 1, 1, 12, 0, 0)  # naive UTC, as exchange_code gives
    timeutil.set_clock(lambda: expiration.replace(tzinfo=UTC).timestamp() - 1)
    assert smartcar.is_expired(expiration) is False
    timeutil.set_clock(lambda: expiration.replace(tzinfo=UTC).timestamp() + 1)
    assert smartcar.is_expired(expiration) is True
