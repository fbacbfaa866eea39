"""Checks for the numbers tests and admin calls hand the emulator (clock advances,
latencies, rate limits, fault counts): every one is validated before any state changes, so
a bad value is a ``ValueError`` naming it, never a clock or server broken until reset."""

from __future__ import annotations

import math
from typing import Any, Optional
from urllib.parse import urlsplit

# An hour: longer waits are a test's mistake (and overflow the sleep and timers).
MAX_WAIT_SECONDS = 3600.0
# A century: the emulated clock stays within the calendar datetime can write.
MAX_CLOCK_ADVANCE = 100 * 366 * 24 * 3600.0
MAX_PER_SECOND = 1_000_000.0
MAX_VEHICLES_ADDED = 100_000  # per call: 2,000 take well under a second


def number(value: Any, name: str, minimum: float, maximum: float) -> float:
    """``value`` as a float from ``minimum`` to ``maximum`` (both included).

    Raises:
        TypeError: ``value`` is not a number (a bool is not one either).
        ValueError: it is not finite or not in range.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    try:
        result = float(value)
    except OverflowError:
        result = math.inf
    if not math.isfinite(result) or not minimum <= result <= maximum:
        raise ValueError(f"{name} must be a number from {minimum:g} to {maximum:g}")
    return result


def seconds(value: Any, name: str, maximum: float = MAX_WAIT_SECONDS) -> float:
    """A duration in seconds: finite, from 0 to ``maximum``."""
    return number(value, name, 0.0, maximum)


def integer(value: Any, name: str, minimum: int, maximum: int) -> int:
    """``value`` as an int from ``minimum`` to ``maximum`` (a bool is not one).

    Raises:
        TypeError: ``value`` is not an int.
        ValueError: it is out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}")
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be an integer from {minimum} to {maximum}")
    return value


def count(value: Optional[Any], name: str) -> Optional[int]:
    """How many requests a fault applies to: at least 1 (None: every one)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer or None")
    if value < 1:
        raise ValueError(f"{name} must be >= 1 (or None for every matching request)")
    return value


def callback_url(value: Any, name: str) -> str:
    """An ``http``/``https`` URL with a host and a valid port (a webhook's callback).

    Raises:
        ValueError: it is not such a URL.
    """
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty URL")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
    except ValueError as exc:
        raise ValueError(f"{name} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an http or https URL with a host")
    return value
