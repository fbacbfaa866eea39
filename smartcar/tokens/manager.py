"""``TokenManager``: always-fresh access tokens, with one refresh per key at a time.

Why: the service rotates refresh tokens. When two workers refresh the same expired token,
the second is answered ``invalid_grant`` and, if its write lands last, the stored refresh
token is a dead one: the user has to connect their car again. The manager prevents this:

1. a token that expires within ``skew`` seconds is refreshed, by whoever holds the key's
   lock in the store (the lock expires after ``lock_timeout`` seconds, so a killed worker
   cannot block the others for longer);
2. the holder re-reads the record after taking the lock: when another worker refreshed in
   the meantime, its token is used and no refresh is made;
3. the new pair is written by compare-and-set against the record the refresh started from,
   before the access token is handed out;
4. ``invalid_grant`` marks the record as needing re-authorisation, so the following calls
   raise :class:`~smartcar.exceptions.ReauthorizationRequired` at once instead of calling
   the service again.

Records are JSON objects with ISO-8601 UTC times (``smartcar.is_expired`` reads them).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import random
import time
from typing import Any, Callable, Dict, Mapping, Optional, Protocol, Tuple, Union

from .. import timeutil
from ..exceptions import (
    AuthenticationException,
    ReauthorizationRequired,
    SmartcarException,
    TokenStoreException,
    ValidationException,
)
from ..static import is_expired
from ..timeutil import UTC, parse_timestamp
from ..types import Access
from .store import TokenStore, check_key

__all__ = [
    "ManagedTokenProvider",
    "RefreshClient",
    "TokenManager",
    "TokenNotFound",
    "get_fresh_access",
]

logger = logging.getLogger("smartcar.tokens")

Clock = Callable[[], datetime.datetime]
TimeValue = Union[datetime.datetime, str]

_REQUIRED = ("access_token", "refresh_token", "expiration", "refresh_expiration")
_REAUTH = "reauthorization_required"
_POLL_FIRST = 0.005
_POLL_MAX = 0.1


class TokenNotFound(SmartcarException):
    """No token record is stored under the key asked for (save one with ``TokenManager.save``)."""


class RefreshClient(Protocol):
    """What the manager needs from :class:`smartcar.AuthClient`."""

    def exchange_refresh_token(self, refresh_token: str) -> Access:
        """Exchange a refresh token for a new access dictionary."""
        ...


def _real_now() -> datetime.datetime:
    return timeutil.now()


class TokenManager:
    """Hands out valid access tokens for keys (a user id, a connection id...).

    Args:
        auth_client: the :class:`smartcar.AuthClient` that refreshes tokens.
        store: a :class:`~smartcar.tokens.MemoryStore`, :class:`~smartcar.tokens.SQLiteStore`,
            :class:`~smartcar.tokens.RedisStore` or any other ``TokenStore``.
        skew: refresh tokens that expire within this many seconds.
        lock_timeout: seconds after which a refresh lock expires even if its holder never
            released it (a crashed worker). Keep it above the time a refresh may take
            (the ``AuthClient``'s timeout and retries).
        wait_timeout: seconds a caller waits for another worker's refresh before raising
            ``TokenStoreException``; default ``2 * lock_timeout``.
        clock: returns the current time as an aware UTC datetime (for emulated clocks in tests).

    Raises:
        ValueError: a negative ``skew`` or a non-positive ``lock_timeout``/``wait_timeout``.
    """

    def __init__(
        self,
        auth_client: RefreshClient,
        store: TokenStore,
        skew: float = 60.0,
        lock_timeout: float = 30.0,
        *,
        wait_timeout: Optional[float] = None,
        clock: Optional[Clock] = None,
    ) -> None:
        if not isinstance(skew, (int, float)) or isinstance(skew, bool) or skew < 0:
            raise ValueError(f"skew must be a number of seconds >= 0, not {skew!r}")
        if not _positive(lock_timeout):
            raise ValueError(f"lock_timeout must be a positive number, not {lock_timeout!r}")
        if wait_timeout is None:
            wait_timeout = 2.0 * lock_timeout
        if not _positive(wait_timeout):
            raise ValueError(f"wait_timeout must be a positive number, not {wait_timeout!r}")
        self.auth_client = auth_client
        self.store = store
        self.skew = float(skew)
        self.lock_timeout = float(lock_timeout)
        self.wait_timeout = float(wait_timeout)
        self.clock: Clock = clock or _real_now

    def __repr__(self) -> str:
        return f"TokenManager(store={self.store!r}, skew={self.skew:g})"

    # Public API ---------------------------------------------------------------------------

    def save(self, key: str, access: Mapping[str, Any]) -> Dict[str, Any]:
        """Store the access dictionary of ``exchange_code`` (or ``exchange_refresh_token``).

        Replaces any record of ``key`` (including one marked as needing re-authorisation).

        Returns:
            The stored record (times as ISO-8601 UTC strings).

        Raises:
            ValueError: ``access`` lacks a token or has an unreadable time.
            TokenStoreException: the store failed.
        """
        check_key(key)
        try:
            record = _record_from_access(access)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not an access dictionary: {error}") from None
        self.store.save(key, _dump(record))
        return record

    def get(self, key: str) -> Optional[Dict[str, Any]]:
        """Return the stored record of ``key`` (no refresh), or ``None``.

        Raises:
            TokenStoreException: the store failed, or the record is corrupt.
        """
        loaded = self._load(key)
        return None if loaded is None else loaded[1]

    def delete(self, key: str) -> None:
        """Forget the tokens of ``key`` (e.g. after ``Vehicle.disconnect``).

        Raises:
            TokenStoreException: the store failed.
        """
        self.store.delete(check_key(key))

    def access_token(self, key: str) -> str:
        """Return a valid access token for ``key``, refreshing it first when it expires soon.

        Raises:
            TokenNotFound: nothing is stored for ``key``.
            ReauthorizationRequired: the refresh token was rejected; the user must connect again.
            TokenStoreException: the store failed, holds a corrupt record, or another
                worker's refresh did not finish within ``wait_timeout``.
            SmartcarException: the refresh failed otherwise (the stored record is unchanged).
        """
        token: str = self._fresh_record(key, rejected=None)["access_token"]
        return token

    def refresh_access_token(self, key: str, rejected: str) -> str:
        """Return an access token for ``key`` other than ``rejected`` (which the API refused).

        Refreshes only when the stored token is still ``rejected``; when another worker
        refreshed already, its token is returned.

        Raises:
            The exceptions of :meth:`access_token`.
        """
        token: str = self._fresh_record(key, rejected=rejected)["access_token"]
        return token

    def provider(self, key: str) -> ManagedTokenProvider:
        """Return a token provider for ``smartcar.Vehicle(vehicle_id, provider)``."""
        return ManagedTokenProvider(self, check_key(key))

    # The refresh protocol ------------------------------------------------------------------

    def _fresh_record(self, key: str, rejected: Optional[str]) -> Dict[str, Any]:
        raw, record = self._require(key)
        if self._usable(record, rejected):
            return record
        owner = os.urandom(16).hex()
        deadline = time.monotonic() + self.wait_timeout
        pause = _POLL_FIRST
        while not self.store.acquire(key, owner, self.lock_timeout):
            if time.monotonic() >= deadline:
                raise TokenStoreException(
                    f"timed out after {self.wait_timeout:g}s waiting for the refresh of key {key!r}"
                )
            time.sleep(random.uniform(pause / 2, pause))
            pause = min(_POLL_MAX, pause * 2)
            raw, record = self._require(key)
            if self._usable(record, rejected):
                return record
        try:
            raw, record = self._require(key)
            if self._usable(record, rejected):
                return record
            return self._refresh(key, raw, record)
        finally:
            try:
                self.store.release(key, owner)
            except TokenStoreException as error:
                logger.warning("could not release the refresh lock of key %r: %s", key, error)

    def _refresh(self, key: str, raw: str, record: Dict[str, Any]) -> Dict[str, Any]:
        used = record["refresh_token"]
        started = self.clock()
        logger.info("refreshing the access token of key %r", key)
        try:
            access = self.auth_client.exchange_refresh_token(used)
        except (ValidationException, AuthenticationException) as error:
            if error.error != "invalid_grant" or isinstance(error, ReauthorizationRequired):
                raise
            return self._rejected_refresh(key, used, error)
        fresh = _record_from_access(access, now=started)
        for _ in range(3):
            if self.store.replace(key, raw, _dump(fresh)):
                return fresh
            # Somebody wrote meanwhile (possible only once our lock had expired).
            loaded = self._load(key)
            if loaded is None:
                raise TokenNotFound(f"the tokens of key {key!r} were deleted during a refresh")
            raw, current = loaded
            if current["refresh_token"] != used:
                # A new connection was saved: it wins over our refresh of the old one.
                if current.get(_REAUTH):
                    raise _reauthorization(key)
                return current
            # Same lineage (e.g. marked for re-authorisation by a worker whose refresh lost
            # the race with ours): our successful refresh proves the grant is alive.
        raise TokenStoreException(f"the record of key {key!r} kept changing during a refresh")

    def _rejected_refresh(self, key: str, used: str, error: SmartcarException) -> Dict[str, Any]:
        loaded = self._load(key)
        if loaded is None:
            raise TokenNotFound(f"no tokens stored for key {key!r}")
        raw, current = loaded
        if current["refresh_token"] != used and not current.get(_REAUTH):
            return current  # another worker rotated the token first: its pair is the live one
        if not current.get(_REAUTH):
            flagged = dict(current, **{_REAUTH: True, "updated_at": _iso(self.clock())})
            self.store.replace(key, raw, _dump(flagged))
            logger.warning("the refresh token of key %r was rejected: re-authorisation needed", key)
        raise _reauthorization(key, error) from error

    def _usable(self, record: Dict[str, Any], rejected: Optional[str]) -> bool:
        if rejected is not None and record["access_token"] == rejected:
            return False
        expiration = parse_timestamp(record["expiration"])
        assert expiration is not None  # checked by _parse
        return self.clock() + datetime.timedelta(seconds=self.skew) < expiration

    def _require(self, key: str) -> Tuple[str, Dict[str, Any]]:
        loaded = self._load(key)
        if loaded is None:
            raise TokenNotFound(f"no tokens stored for key {key!r}")
        if loaded[1].get(_REAUTH):
            raise _reauthorization(key)
        return loaded

    def _load(self, key: str) -> Optional[Tuple[str, Dict[str, Any]]]:
        raw = self.store.load(check_key(key))
        if raw is None:
            return None
        return raw, _parse(key, raw)


class ManagedTokenProvider:
    """The :class:`smartcar.types.TokenProvider` of one key of a :class:`TokenManager`."""

    def __init__(self, manager: TokenManager, key: str) -> None:
        self.manager = manager
        self.key = key

    def __repr__(self) -> str:
        return f"ManagedTokenProvider(key={self.key!r})"

    def access_token(self) -> str:
        """Return a valid access token (see :meth:`TokenManager.access_token`)."""
        return self.manager.access_token(self.key)

    def refresh_access_token(self, rejected: str) -> str:
        """Return a token other than ``rejected`` (:meth:`TokenManager.refresh_access_token`)."""
        return self.manager.refresh_access_token(self.key, rejected)


def get_fresh_access(
    client: RefreshClient,
    access: Mapping[str, Any],
    save: Optional[Callable[[Access], Any]] = None,
) -> Any:
    """Return ``access``, or a refreshed access dictionary when ``access`` has expired.

    The seed's hand-written ``get_fresh_access`` for applications with their own database.
    ``save`` (e.g. a function writing to that database) receives the new dictionary before it
    is returned: the old refresh token stops working as soon as the service rotated it.
    This does not coordinate concurrent workers; :class:`TokenManager` does.

    Args:
        client: the :class:`smartcar.AuthClient`.
        access: a dictionary with ``expiration`` (a datetime or an ISO-8601 string) and
            ``refresh_token``.
        save: called with the new access dictionary before it is returned.

    Raises:
        ReauthorizationRequired: the refresh token was rejected (``invalid_grant``).
        SmartcarException: the refresh failed otherwise.
        KeyError: ``access`` lacks ``expiration`` or ``refresh_token``.
    """
    if not is_expired(access["expiration"]):
        return access
    try:
        new_access = client.exchange_refresh_token(access["refresh_token"])
    except (ValidationException, AuthenticationException) as error:
        if error.error == "invalid_grant" and not isinstance(error, ReauthorizationRequired):
            raise ReauthorizationRequired(
                "the refresh token was rejected (invalid_grant): the user must connect again",
                status_code=error.status_code,
                error=error.error,
                request_id=error.request_id,
                body=error.body,
            ) from error
        raise
    if save is not None:
        save(new_access)
    return new_access


# Records ------------------------------------------------------------------------------------


def _record_from_access(
    access: Mapping[str, Any], now: Optional[datetime.datetime] = None
) -> Dict[str, Any]:
    """Build a record; with ``now``, expirations are re-based on that instant."""
    access_token = access["access_token"]
    refresh_token = access["refresh_token"]
    for name, value in (("access_token", access_token), ("refresh_token", refresh_token)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string")
    expiration = _to_utc(access["expiration"], "expiration")
    refresh_expiration = _to_utc(access["refresh_expiration"], "refresh_expiration")
    expires_in = access.get("expires_in")
    if (
        now is not None
        and isinstance(expires_in, (int, float))
        and not isinstance(expires_in, bool)
    ):
        refresh_lifetime = refresh_expiration - expiration
        expiration = now + datetime.timedelta(seconds=expires_in)
        refresh_expiration = expiration + refresh_lifetime
    record: Dict[str, Any] = {
        "access_token": access_token,
        "token_type": str(access.get("token_type") or "Bearer"),
        "expires_in": expires_in,
        "refresh_token": refresh_token,
        "expiration": _iso(expiration),
        "refresh_expiration": _iso(refresh_expiration),
        "updated_at": _iso(now or _real_now()),
        _REAUTH: False,
    }
    return record


def _parse(key: str, raw: str) -> Dict[str, Any]:
    """Read a stored record; anything unreadable raises ``TokenStoreException``."""
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        raise TokenStoreException(f"the token record of key {key!r} is corrupt: not JSON") from None
    if not isinstance(record, dict):
        raise TokenStoreException(f"the token record of key {key!r} is corrupt: not an object")
    missing = [name for name in _REQUIRED if name not in record]
    if missing:
        raise TokenStoreException(
            f"the token record of key {key!r} is corrupt: missing {', '.join(missing)}"
        )
    for name in ("access_token", "refresh_token"):
        if not isinstance(record[name], str) or not record[name]:
            raise TokenStoreException(
                f"the token record of key {key!r} is corrupt: {name} is not a string"
            )
    for name in ("expiration", "refresh_expiration"):
        if parse_timestamp(record[name]) is None:
            raise TokenStoreException(
                f"the token record of key {key!r} is corrupt: {name} is not an ISO-8601 time"
            )
    if not isinstance(record.get(_REAUTH, False), bool):
        raise TokenStoreException(
            f"the token record of key {key!r} is corrupt: {_REAUTH} is not a boolean"
        )
    return record


def _reauthorization(
    key: str, cause: Optional[SmartcarException] = None
) -> ReauthorizationRequired:
    return ReauthorizationRequired(
        f"the refresh token of key {key!r} was rejected (invalid_grant): "
        "the user must connect again",
        status_code=cause.status_code if cause is not None else None,
        error="invalid_grant",
        request_id=cause.request_id if cause is not None else None,
    )


def _to_utc(value: Any, name: str) -> datetime.datetime:
    if isinstance(value, str):
        parsed = parse_timestamp(value)
        if parsed is None:
            raise ValueError(f"{name} is not an ISO-8601 time")
        return parsed.astimezone(UTC)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    raise TypeError(f"{name} must be a datetime or an ISO-8601 string")


def _iso(value: datetime.datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _dump(record: Mapping[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
