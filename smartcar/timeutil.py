"""Date and time helpers: the SDK's clock ("now"), parsing service timestamps.

Everything in the SDK that asks what time it is (token expiry, the token manager) calls
:func:`now`, so a test (or the emulator, while it runs) can move time with :func:`set_clock`.
"""

from __future__ import annotations

import calendar
import datetime
import time
from typing import Any, Callable, Optional, Tuple

__all__ = [
    "UTC",
    "get_clock",
    "month_end",
    "month_of",
    "now",
    "parse_timestamp",
    "set_clock",
    "timestamp",
    "utcnow_naive",
]

UTC = datetime.timezone.utc

_clock: Optional[Callable[[], float]] = None


def set_clock(now: Optional[Callable[[], float]]) -> None:
    """Make the SDK read the time from ``now`` (a callable returning POSIX seconds).

    ``None`` goes back to real time. The emulator installs its clock while it runs and puts
    the previous one back when it stops.

    Raises:
        TypeError: ``now`` is neither callable nor ``None``.
    """
    global _clock
    if now is not None and not callable(now):
        raise TypeError(f"now must be a callable returning POSIX seconds or None, not {now!r}")
    _clock = now


def get_clock() -> Optional[Callable[[], float]]:
    """Return the callable installed by :func:`set_clock` (``None``: real time)."""
    return _clock


def timestamp() -> float:
    """Return the current POSIX time in seconds, from the installed clock if any."""
    clock = _clock
    return time.time() if clock is None else float(clock())


def now() -> datetime.datetime:
    """Return the current time as an aware UTC datetime, from the installed clock if any."""
    clock = _clock
    if clock is None:
        return datetime.datetime.now(UTC)
    return datetime.datetime.fromtimestamp(clock(), UTC)


def utcnow_naive() -> datetime.datetime:
    """Return :func:`now` as a naive UTC datetime (smartcar 4.3's convention)."""
    return now().replace(tzinfo=None)


def parse_timestamp(value: Any) -> Optional[datetime.datetime]:
    """Parse an ISO-8601 timestamp into an aware UTC datetime, or return ``None`` if it is
    not one.

    Times without an offset are taken as UTC; times with one (``+05:00``) are converted to
    UTC, so ``tzinfo`` is always ``datetime.timezone.utc``.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    parsed: Optional[datetime.datetime]
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = _parse_with_dateutil(text)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # e.g. 0001-01-01T00:00:00+05:00
        return None


def _parse_with_dateutil(text: str) -> Optional[datetime.datetime]:
    import dateutil.parser

    try:
        return dateutil.parser.isoparse(text)
    except (ValueError, OverflowError):
        return None


_last_month: Tuple[float, float, str] = (0.0, 0.0, "")
"""The month :func:`month_of` gave last, and the epoch span it covers: a metered call asks for
the month twice, and it changes twelve times a year."""


def month_of(timestamp: float) -> str:
    """Return the calendar month (UTC) of an epoch time, as ``"YYYY-MM"``."""
    global _last_month
    start, end, month = _last_month
    if start <= timestamp < end:
        return month
    moment = datetime.datetime.fromtimestamp(timestamp, UTC)
    month = f"{moment.year:04d}-{moment.month:02d}"
    first = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    _last_month = (first.timestamp(), month_end(month), month)
    return month


def month_end(month: str) -> float:
    """Return the epoch time at which ``month`` ends (the first instant of the next month)."""
    year, number = int(month[:4]), int(month[5:7])
    if number == 12:
        year, number = year + 1, 1
    else:
        number += 1
    return float(calendar.timegm((year, number, 1, 0, 0, 0)))
