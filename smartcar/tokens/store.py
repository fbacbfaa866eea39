"""The interface every token store implements, and what the stores share.

A store keeps one serialized record (a JSON string) per key and one expiring lock per key.
It never interprets the record: :class:`~smartcar.tokens.TokenManager` does. The operations
are small on purpose, so a store for another database is a page of code:

* ``load``/``save``/``delete``: read, overwrite or remove a record;
* ``replace``: compare-and-set, the write succeeds only while the stored record is still
  exactly the one the caller read (and so still carries the refresh token it used);
* ``acquire``/``release``: a per-key lease that expires ``ttl`` seconds after it was taken,
  so a worker that dies while holding it blocks the others only until then.

Every failure to reach or use the backing storage raises
:class:`~smartcar.exceptions.TokenStoreException`.

A store may also have a ``location`` attribute: a hashable value equal for two store objects
that use the same data (``SQLiteStore``: the file's real path; ``RedisStore``: server,
database and prefix). Managers of one process then share the refreshed pairs they hold while
the store refuses them (see :mod:`smartcar.tokens.manager`); without it, a store object is
its own location.
"""

from __future__ import annotations

from typing import Optional, Protocol, runtime_checkable

__all__ = ["TokenStore", "check_key"]


@runtime_checkable
class TokenStore(Protocol):
    """Storage for token records and per-key refresh locks."""

    def load(self, key: str) -> Optional[str]:
        """Return the record stored for ``key``, or ``None`` when there is none."""
        ...

    def save(self, key: str, record: str) -> None:
        """Store ``record`` for ``key``, replacing any previous one."""
        ...

    def replace(self, key: str, expected: str, record: str) -> bool:
        """Store ``record`` only if the stored record equals ``expected``; return whether it did."""
        ...

    def delete(self, key: str) -> None:
        """Remove the record of ``key`` (no error when there is none)."""
        ...

    def acquire(self, key: str, owner: str, ttl: float) -> bool:
        """Take the lock of ``key`` for ``owner`` for ``ttl`` seconds, without waiting.

        Returns ``False`` when another owner holds a lock that has not expired.
        """
        ...

    def release(self, key: str, owner: str) -> None:
        """Release the lock of ``key`` if ``owner`` still holds it."""
        ...


def check_key(key: object) -> str:
    """Return ``key`` if it is a non-empty string, else raise ``ValueError``."""
    if not isinstance(key, str) or not key:
        raise ValueError(f"a token key must be a non-empty string, not {key!r}")
    return key
