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
4. when that write fails (the store went down after the service answered), it is retried;
   if the store still refuses it, this process holds the new pair, serves it, refreshes it
   when it expires (only this process knows its refresh token) and writes it on every
   following call until the store takes it: the rotated refresh token is never dropped;
5. ``invalid_grant`` marks the record as needing re-authorisation, so the following calls
   raise :class:`~smartcar.exceptions.ReauthorizationRequired` at once instead of calling
   the service again.

Records are JSON objects with ISO-8601 UTC times (see :mod:`smartcar.tokens._records`).
"The current time" is :mod:`smartcar.timeutil`'s, so a running emulator's clock applies.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import logging
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol, Tuple

from .. import timeutil
from .._checks import finite, shown
from .._lease import wait_for_lease
from ..exceptions import (
    AuthenticationException,
    ReauthorizationRequired,
    SmartcarException,
    TokenStoreException,
    ValidationException,
)
from ..static import is_expired
from ..types import Access
from . import _held, _records
from ._records import REAUTH
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

_WRITE_PAUSES = (0.05, 0.25, 1.0)
"""Pauses between the attempts to store a refreshed pair, ..."""
_WRITE_BUDGET = 2.0
"""... as long as the attempts have not taken this many seconds (a store may block long)."""
_MAX_SECONDS = 1e9


class TokenNotFound(SmartcarException):
    """No token record is stored under the key asked for (save one with ``TokenManager.save``)."""


class RefreshClient(Protocol):
    """What the manager needs from :class:`smartcar.AuthClient`."""

    def exchange_refresh_token(self, refresh_token: str) -> Access:
        """Exchange a refresh token for a new access dictionary."""
        ...


def _now() -> datetime.datetime:
    """The SDK's current time (``smartcar.timeutil``, which follows a running emulator)."""
    return timeutil.now()


@atexit.register
def _flush_at_exit() -> None:
    """Write the pairs this process still holds, once more; log the keys that stay unwritten."""
    for _, held in _held.holdings():
        if held.flush is None:
            continue
        try:
            left = held.flush()
        except Exception as error:  # exiting: report, never raise
            logger.error("could not write the refreshed tokens held at exit: %s", error)
            continue
        if left:
            logger.error(
                "exiting with refreshed tokens the store never accepted, for keys %s: "
                "those users will have to connect again",
                ", ".join(repr(key) for key in left),
            )


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
        clock: returns the current time as an aware UTC datetime; default
            ``smartcar.timeutil``'s (which a running emulator sets).

    Raises:
        TypeError: ``auth_client`` has no ``exchange_refresh_token``, ``store`` is not a
            ``TokenStore``, or ``clock`` is not callable.
        ValueError: a negative ``skew`` or a non-positive ``lock_timeout``/``wait_timeout``
            (each must be a finite number of seconds).
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
        if not callable(getattr(auth_client, "exchange_refresh_token", None)):
            raise TypeError(
                "auth_client must be a smartcar.AuthClient (with exchange_refresh_token), "
                f"not {type(auth_client).__name__}"
            )
        if not isinstance(store, TokenStore):
            raise TypeError(
                "store must be a TokenStore (load, save, replace, delete, acquire, release), "
                f"such as SQLiteStore or MemoryStore, not {type(store).__name__}"
            )
        if clock is not None and not callable(clock):
            raise TypeError(f"clock must be callable, not {type(clock).__name__}")
        self.auth_client = auth_client
        self.store = store
        self.skew = _seconds("skew", skew, zero_allowed=True)
        self.lock_timeout = _seconds("lock_timeout", lock_timeout)
        self.wait_timeout = _seconds(
            "wait_timeout", 2.0 * self.lock_timeout if wait_timeout is None else wait_timeout
        )
        self.clock: Clock = clock or _now
        self._location = _held.location_of(store)

    def __repr__(self) -> str:
        return f"TokenManager(store={self.store!r}, skew={self.skew:g})"

    # Public API ---------------------------------------------------------------------------

    def save(self, key: str, access: Mapping[str, Any]) -> Dict[str, Any]:
        """Store the access dictionary of ``exchange_code`` (or ``exchange_refresh_token``).

        Replaces any record of ``key`` (including one marked as needing re-authorisation,
        and a pair this process holds for it).

        Returns:
            The stored record (times as ISO-8601 UTC strings).

        Raises:
            TypeError: ``access`` is not a mapping.
            ValueError: ``access`` lacks a token, has one that cannot be sent, or has a
                missing, unreadable or out-of-range time.
            TokenStoreException: the store failed.
        """
        check_key(key)
        if not isinstance(access, Mapping):
            raise TypeError(f"access must be an access dictionary, not {type(access).__name__}")
        try:
            record = _records.record_from_access(access, self._time())
        except (TypeError, ValueError) as error:
            raise ValueError(f"access is not a usable access dictionary: {error}") from None
        self.store.save(key, _records.dump(record))
        self._holding().pairs.pop(key, None)
        return record

    def get(self, key: str) -> Optional[Dict[str, Any]]:
        """Return the record of ``key`` (no refresh), or ``None``.

        That is the stored record, or the pair this process holds because the store did not
        accept it yet.

        Raises:
            TokenStoreException: the store failed, or the record is corrupt.
        """
        check_key(key)
        self._flush_held(key)
        pair = self._holding().pairs.get(key)
        if pair is not None:
            return dict(pair.record)
        loaded = self._load(key)
        return None if loaded is None else loaded[1]

    def delete(self, key: str) -> None:
        """Forget the tokens of ``key`` (e.g. after ``Vehicle.disconnect``).

        Raises:
            TokenStoreException: the store failed.
        """
        check_key(key)
        self._holding().pairs.pop(key, None)
        self.store.delete(key)

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

    def flush(self) -> List[str]:
        """Write the refreshed pairs this process holds (the store refused them) to the store.

        Every call of a manager of this store tries this already (the pairs belong to the
        process: every manager of the same storage sees them); call it before a planned
        shutdown. A forked child does not inherit the pairs its parent holds.

        Returns:
            The keys whose pairs the store still refuses (they stay held).
        """
        self._flush_held(None, wait=self.wait_timeout)
        return sorted(self._holding().pairs)

    # The refresh protocol ------------------------------------------------------------------

    def _fresh_record(self, key: str, rejected: Optional[str]) -> Dict[str, Any]:
        check_key(key)
        self._flush_held(key)
        served = self._serve_held(key, rejected)
        if served is not None:
            return served
        try:
            return self._fresh_stored(key, rejected)
        except TokenStoreException:
            served = self._serve_held(key, rejected)  # another thread of ours held a pair
            if served is None:
                raise
            return served

    def _fresh_stored(self, key: str, rejected: Optional[str]) -> Dict[str, Any]:
        raw, record = self._require(key)
        if self._usable(record, rejected):
            return record
        found, owner = wait_for_lease(
            self.store,
            key,
            lease_seconds=self.lock_timeout,
            wait_seconds=self.wait_timeout,
            find=lambda: self._usable_stored(key, rejected),
            waited_for=f"the refresh of key {key!r}",
        )
        if found is not None:
            return found
        try:
            raw, record = self._require(key)
            if self._usable(record, rejected):
                return record
            served = self._serve_held(key, rejected)  # our own unstored refresh, meanwhile
            if served is not None:
                return served
            return self._refresh(key, raw, record)
        finally:
            try:
                self.store.release(key, owner)
            except TokenStoreException as error:
                holding = self._holding()
                holding.unreleased[key] = owner  # released later: nobody waits for its expiry
                holding.flush = self.flush
                logger.warning("could not release the refresh lock of key %r: %s", key, error)

    def _usable_stored(self, key: str, rejected: Optional[str]) -> Optional[Dict[str, Any]]:
        _, record = self._require(key)
        return record if self._usable(record, rejected) else None

    def _refresh(self, key: str, raw: str, record: Dict[str, Any]) -> Dict[str, Any]:
        used = record["refresh_token"]
        started = self._time()
        logger.info("refreshing the access token of key %r", key)
        try:
            answer = self.auth_client.exchange_refresh_token(used)
        except (ValidationException, AuthenticationException) as error:
            if error.error != "invalid_grant" or isinstance(error, ReauthorizationRequired):
                raise
            return self._rejected_refresh(key, used, error)
        fresh = _records.record_from_refresh(answer, record, started)
        return self._store_refreshed(key, raw, used, fresh)

    def _store_refreshed(
        self, key: str, raw: str, used: str, fresh: Dict[str, Any]
    ) -> Dict[str, Any]:
        """Write ``fresh`` (retrying); if the store keeps failing, hold it and return it."""
        began = time.monotonic()
        pauses = iter(_WRITE_PAUSES)
        while True:
            try:
                return self._write(key, raw, used, fresh, restore_missing=False)
            except TokenStoreException as error:
                pause = next(pauses, None)
                if pause is None or time.monotonic() - began + pause > _WRITE_BUDGET:
                    self._hold(key, _held.Held(raw, used, fresh), error)
                    return fresh
                time.sleep(pause)

    def _write(
        self,
        key: str,
        stored: str,
        lineage: str,
        fresh: Dict[str, Any],
        *,
        restore_missing: bool,
    ) -> Dict[str, Any]:
        """Compare-and-set ``fresh`` over ``stored``; return the record that is now in force.

        ``lineage`` is the refresh token of ``stored``: a record that still carries it is ours
        to replace; one with another refresh token is a newer connection, which wins.
        """
        raw = stored
        for _ in range(3):
            if self.store.replace(key, raw, _records.dump(fresh)):
                return fresh
            loaded = self._load(key)
            if loaded is None:
                if not restore_missing:
                    raise TokenNotFound(f"the tokens of key {key!r} were deleted during a refresh")
                # The store lost the record (e.g. a Redis restarted empty): ours is the live one.
                self.store.save(key, _records.dump(fresh))
                logger.warning("the record of key %r was gone: restored its refreshed tokens", key)
                return fresh
            raw, current = loaded
            if current["refresh_token"] != lineage:
                # A new connection was saved: it wins over our refresh of the old one.
                if current.get(REAUTH):
                    raise _reauthorization(key)
                return current
            # Same lineage (e.g. marked for re-authorisation by a worker whose refresh lost
            # the race with ours): our successful refresh proves the grant is alive.
        raise TokenStoreException(f"the record of key {key!r} kept changing during a refresh")

    def _rejected_refresh(self, key: str, used: str, error: SmartcarException) -> Dict[str, Any]:
        pair = self._holding().pairs.get(key)
        if pair is not None and pair.lineage == used:
            served = self._serve_held(key, None)  # we rotated that token: our pair is live
            if served is not None:
                return served
        loaded = self._load(key)
        if loaded is None:
            raise TokenNotFound(f"no tokens stored for key {key!r}")
        raw, current = loaded
        if current["refresh_token"] != used and not current.get(REAUTH):
            return current  # another worker rotated the token first: its pair is the live one
        if not current.get(REAUTH):
            flagged = dict(current, **{REAUTH: True, "updated_at": _records.iso(self._time())})
            try:
                self.store.replace(key, raw, _records.dump(flagged))
            except TokenStoreException as failure:
                logger.warning("could not mark key %r for re-authorisation: %s", key, failure)
            logger.warning("the refresh token of key %r was rejected: re-authorisation needed", key)
        raise _reauthorization(key, error) from error

    # Pairs the store did not accept --------------------------------------------------------

    def _holding(self) -> _held.Holding:
        return _held.holding(self._location)

    def _hold(self, key: str, pair: _held.Held, error: TokenStoreException) -> None:
        holding = self._holding()
        holding.pairs[key] = pair
        holding.flush = self.flush
        logger.warning(
            "the store did not take the refreshed tokens of key %r (%s): this process keeps "
            "them and writes them on its next call",
            key,
            error,
        )

    def _flush_held(self, first: Optional[str], wait: float = 0.0) -> None:
        """Write every held pair (``first``'s first), then release the locks the store kept.

        Stops at the first store failure. Waits at most ``wait`` seconds for another thread
        that is writing or refreshing held pairs (then leaves the work to it).
        """
        holding = self._holding()
        if not (holding.pairs or holding.unreleased):
            return
        lock = holding.io
        if not (lock.acquire(timeout=wait) if wait > 0 else lock.acquire(blocking=False)):
            return
        try:
            for key in sorted(holding.pairs, key=lambda name: name != first):
                pair = holding.pairs.get(key)
                if pair is None:
                    continue
                try:
                    self._write_held(key, pair)
                except TokenStoreException as error:
                    logger.warning("the store still refuses the tokens of key %r: %s", key, error)
                    return
            for key, owner in list(holding.unreleased.items()):
                try:
                    self.store.release(key, owner)
                except TokenStoreException:
                    return
                if holding.unreleased.get(key) == owner:
                    holding.unreleased.pop(key, None)
        finally:
            lock.release()

    def _write_held(self, key: str, pair: _held.Held) -> None:
        # ReauthorizationRequired: a newer connection, already rejected, was saved: it wins.
        with contextlib.suppress(ReauthorizationRequired):
            self._write(key, pair.stored, pair.lineage, pair.record, restore_missing=True)
        pairs = self._holding().pairs
        if pairs.get(key) is pair:
            pairs.pop(key, None)
        logger.info("stored the refreshed tokens of key %r that this process held", key)

    def _serve_held(self, key: str, rejected: Optional[str]) -> Optional[Dict[str, Any]]:
        """The held pair of ``key`` (refreshed first when due), or ``None`` when none is held."""
        holding = self._holding()
        if key not in holding.pairs:
            return None
        with holding.io:
            pair = holding.pairs.get(key)
            if pair is None:
                return None
            if self._usable(pair.record, rejected):
                return pair.record
            return self._refresh_held(key, pair)

    def _refresh_held(self, key: str, pair: _held.Held) -> Dict[str, Any]:
        # Only this process knows this refresh token, so it needs no lock in the store.
        started = self._time()
        logger.info("refreshing the held access token of key %r", key)
        pairs = self._holding().pairs
        try:
            answer = self.auth_client.exchange_refresh_token(pair.record["refresh_token"])
        except (ValidationException, AuthenticationException) as error:
            if error.error != "invalid_grant" or isinstance(error, ReauthorizationRequired):
                raise
            pairs.pop(key, None)  # the grant was revoked: nothing is left to keep
            raise _reauthorization(key, error) from error
        fresh = _records.record_from_refresh(answer, pair.record, started)
        newer = _held.Held(pair.stored, pair.lineage, fresh)
        pairs[key] = newer
        try:
            self._write_held(key, newer)
        except TokenStoreException as error:
            logger.warning("the store still refuses the tokens of key %r: %s", key, error)
        return fresh

    # Reading records -----------------------------------------------------------------------

    def _time(self) -> datetime.datetime:
        now = self.clock()
        return now.replace(tzinfo=timeutil.UTC) if now.tzinfo is None else now

    def _usable(self, record: Dict[str, Any], rejected: Optional[str]) -> bool:
        if rejected is not None and record["access_token"] == rejected:
            return False
        expiration = _records.expiration_of(record, "expiration")
        return self._time() + datetime.timedelta(seconds=self.skew) < expiration

    def _require(self, key: str) -> Tuple[str, Dict[str, Any]]:
        loaded = self._load(key)
        if loaded is None:
            raise TokenNotFound(f"no tokens stored for key {key!r}")
        if loaded[1].get(REAUTH):
            raise _reauthorization(key)
        return loaded

    def _load(self, key: str) -> Optional[Tuple[str, Dict[str, Any]]]:
        raw = self.store.load(check_key(key))
        if raw is None:
            return None
        return raw, _records.parse(key, raw)


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
        TypeError: ``client`` has no ``exchange_refresh_token``, ``access`` is not a
            mapping, or ``save`` is not callable.
        ValueError: ``access`` lacks ``expiration`` (or it is not a time), or it has
            expired and lacks a ``refresh_token`` string.
        ReauthorizationRequired: the refresh token was rejected (``invalid_grant``).
        SmartcarException: the refresh failed otherwise.
    """
    if not callable(getattr(client, "exchange_refresh_token", None)):
        raise TypeError(
            "client must be a smartcar.AuthClient (with exchange_refresh_token), "
            f"not {type(client).__name__}"
        )
    if not isinstance(access, Mapping):
        raise TypeError(f"access must be an access dictionary, not {type(access).__name__}")
    if save is not None and not callable(save):
        raise TypeError(f"save must be callable, not {type(save).__name__}")
    if "expiration" not in access:
        raise ValueError("access lacks 'expiration'")
    try:
        expired = is_expired(access["expiration"])
    except (TypeError, ValueError, OverflowError):
        raise ValueError(
            "access['expiration'] must be a datetime or an ISO-8601 time within range"
        ) from None
    if not expired:
        return access
    refresh_token = access.get("refresh_token")
    if not isinstance(refresh_token, str) or not refresh_token:
        raise ValueError("access has expired and lacks a 'refresh_token' string")
    try:
        new_access = client.exchange_refresh_token(refresh_token)
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


# Helpers ------------------------------------------------------------------------------------


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


def _seconds(name: str, value: Any, zero_allowed: bool = False) -> float:
    """``value`` as a float, if it is a finite number of seconds in range, else ``ValueError``."""
    number = finite(value)
    if number is None or number < 0 or (number == 0 and not zero_allowed) or number > _MAX_SECONDS:
        bound = ">= 0" if zero_allowed else "> 0"
        raise ValueError(
            f"{name} must be a finite number of seconds {bound} (at most {_MAX_SECONDS:g}), "
            f"not {shown(value)}"
        )
    return number
