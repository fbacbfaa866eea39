"""Date and time helpers: parsing service timestamps, naive-UTC "now"."""

from __future__ import annotations

import datetime
from typing import Any, Optional

UTC = datetime.timezone.utc


def utcnow_naive() -> datetime.datetime:
    """Return the current UTC time as a naive datetime (smartcar 4.3's convention)."""
    return datetime.datetime.now(UTC).replace(tzinfo=None)


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
