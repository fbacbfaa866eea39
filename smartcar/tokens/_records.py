"""Token records: the JSON object a store keeps per key, built from access dicts, read back.

A record holds ``access_token``, ``token_type``, ``expires_in``, ``refresh_token``,
``expiration``, ``refresh_expiration`` and ``updated_at`` (ISO-8601 UTC times, so
``smartcar.is_expired`` reads them) and ``reauthorization_required``.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, Dict, Mapping, Optional

from .._checks import finite, sendable
from ..exceptions import SmartcarException, TokenStoreException
from ..timeutil import UTC, parse_timestamp

__all__ = [
    "REAUTH",
    "dump",
    "expiration_of",
    "iso",
    "parse",
    "record_from_access",
    "record_from_refresh",
]

REAUTH = "reauthorization_required"
_REQUIRED = ("access_token", "refresh_token", "expiration", "refresh_expiration")


def record_from_access(access: Mapping[str, Any], now: datetime.datetime) -> Dict[str, Any]:
    """Build the record of an access dictionary given to ``TokenManager.save``.

    Raises:
        TypeError: ``access`` is not a mapping.
        ValueError: a token is missing or cannot be sent, or a time is missing, unreadable
            or out of range (the message names the field, never its value).
    """
    if not isinstance(access, Mapping):
        raise TypeError(f"access must be an access dictionary, not {type(access).__name__}")
    for name in _REQUIRED:
        if name not in access:
            raise ValueError(f"access lacks {name!r}")
    return _build(
        access["access_token"],
        access["refresh_token"],
        _to_utc(access["expiration"], "expiration"),
        _to_utc(access["refresh_expiration"], "refresh_expiration"),
        access.get("token_type"),
        access.get("expires_in"),
        now,
    )


def record_from_refresh(
    answer: Mapping[str, Any], previous: Mapping[str, Any], started: datetime.datetime
) -> Dict[str, Any]:
    """Build the record of a refresh answer, with its times counted from ``started``.

    When the answer has no ``refresh_token``, the service did not rotate it: the previous
    one stays. Missing or unusable times fall back to the answer's computed ones, then to
    the previous record's lifetimes.

    Raises:
        SmartcarException: the answer has no access token that can be sent.
    """
    if not isinstance(answer, Mapping):
        raise SmartcarException("the token endpoint's answer is not an access dictionary")
    access_token = answer.get("access_token")
    if not sendable(access_token):
        raise SmartcarException("the token endpoint answered without a usable access_token")
    refresh_token = answer.get("refresh_token")
    if not sendable(refresh_token):
        refresh_token = previous["refresh_token"]
    answer_expiration = _optional_utc(answer.get("expiration"))
    answer_refresh_expiration = _optional_utc(answer.get("refresh_expiration"))
    expires_in = answer.get("expires_in")
    # Without any lifetime the pair is stored as already due, so the next call refreshes.
    expiration = _after(started, expires_in) or answer_expiration or started
    if refresh_token == previous["refresh_token"]:
        refresh_expiration = expiration_of(previous, "refresh_expiration")
    else:
        if answer_expiration is not None and answer_refresh_expiration is not None:
            lifetime = answer_refresh_expiration - answer_expiration
        else:
            lifetime = expiration_of(previous, "refresh_expiration") - expiration_of(
                previous, "expiration"
            )
        refresh_expiration = (
            _plus(expiration, lifetime)
            or answer_refresh_expiration
            or expiration_of(previous, "refresh_expiration")
        )
    return _build(
        access_token,
        refresh_token,
        expiration,
        refresh_expiration,
        answer.get("token_type"),
        expires_in,
        started,
    )


def parse(key: str, raw: str) -> Dict[str, Any]:
    """Read a stored record; anything unreadable raises ``TokenStoreException``."""
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        raise _corrupt(key, "not JSON") from None
    if not isinstance(record, dict):
        raise _corrupt(key, "not an object")
    missing = [name for name in _REQUIRED if name not in record]
    if missing:
        raise _corrupt(key, f"missing {', '.join(missing)}")
    for name in ("access_token", "refresh_token"):
        if not isinstance(record[name], str) or not record[name]:
            raise _corrupt(key, f"{name} is not a string")
        if not sendable(record[name]):
            raise _corrupt(key, f"{name} has characters an HTTP request cannot carry")
    for name in ("expiration", "refresh_expiration"):
        try:
            expiration_of(record, name)
        except ValueError:
            raise _corrupt(key, f"{name} is not an ISO-8601 time") from None
    if not isinstance(record.get(REAUTH, False), bool):
        raise _corrupt(key, f"{REAUTH} is not a boolean")
    return record


def expiration_of(record: Mapping[str, Any], name: str) -> datetime.datetime:
    """The time ``record[name]`` as an aware UTC datetime.

    Raises:
        ValueError: it is not an ISO-8601 time within the range of ``datetime``.
    """
    parsed = parse_timestamp(record[name])
    if parsed is None:
        raise ValueError(f"{name} is not an ISO-8601 time")
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(f"{name} is out of range") from None


def iso(value: datetime.datetime) -> str:
    """``value`` as an ISO-8601 UTC string, to the second."""
    return value.astimezone(UTC).isoformat(timespec="seconds")


def dump(record: Mapping[str, Any]) -> str:
    """The stored form of ``record`` (stable, so compare-and-set can compare strings)."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


# Helpers -----------------------------------------------------------------------------------


def _build(
    access_token: Any,
    refresh_token: Any,
    expiration: datetime.datetime,
    refresh_expiration: datetime.datetime,
    token_type: Any,
    expires_in: Any,
    now: datetime.datetime,
) -> Dict[str, Any]:
    for name, value in (("access_token", access_token), ("refresh_token", refresh_token)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string")
        if not sendable(value):
            raise ValueError(f"{name} must be printable ASCII (it is sent in HTTP requests)")
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)):
        expires_in = None
    return {
        "access_token": access_token,
        "token_type": token_type if isinstance(token_type, str) and token_type else "Bearer",
        "expires_in": expires_in if expires_in is None or abs(expires_in) < 1e15 else None,
        "refresh_token": refresh_token,
        "expiration": iso(expiration),
        "refresh_expiration": iso(refresh_expiration),
        "updated_at": iso(now),
        REAUTH: False,
    }


def _to_utc(value: Any, name: str) -> datetime.datetime:
    if isinstance(value, str):
        return expiration_of({name: value}, name)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValueError(f"{name} is out of range") from None
    raise TypeError(f"{name} must be a datetime or an ISO-8601 string")


def _optional_utc(value: Any) -> Optional[datetime.datetime]:
    try:
        return _to_utc(value, "time")
    except (TypeError, ValueError):
        return None


def _after(start: datetime.datetime, seconds: Any) -> Optional[datetime.datetime]:
    number = finite(seconds)
    if number is None:
        return None
    try:
        return _plus(start, datetime.timedelta(seconds=number))
    except (OverflowError, ValueError):
        return None


def _plus(start: datetime.datetime, delta: datetime.timedelta) -> Optional[datetime.datetime]:
    try:
        return start + delta
    except OverflowError:
        return None


def _corrupt(key: str, reason: str) -> TokenStoreException:
    return TokenStoreException(f"the token record of key {key!r} is corrupt: {reason}")
