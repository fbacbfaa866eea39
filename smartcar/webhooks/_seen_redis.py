"""``RedisSeenSet``: event ids in Redis, shared by workers on several machines.

The ``redis`` package is imported only when a seen-set is created from a URL (install the
``redis`` extra).
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from .._redis import redis_client
from ._seen import DEFAULT_TTL, SeenSetError, check_event_id, check_ttl

__all__ = ["RedisSeenSet"]

_T = TypeVar("_T")


class RedisSeenSet:
    """A :class:`~smartcar.webhooks.SeenSet` in Redis.

    Each id is the key ``{prefix}{event_id}``, written with ``SET ... NX PX ttl``: Redis makes
    exactly one of concurrent writers succeed, and forgets the id by itself when it expires.

    Args:
        client: a ``redis.Redis`` client (any ``decode_responses`` setting) or a URL such as
            ``"redis://localhost:6379/0"``, as for :class:`smartcar.tokens.RedisStore`.
        prefix: prepended to every key this seen-set writes.
        ttl: seconds an id is remembered.
        socket_timeout: connect and read timeout in seconds of a client created from a URL.

    Raises:
        ValueError: a non-positive ``ttl``.
        SeenSetError: a URL was given but the ``redis`` package is not installed.
    """

    def __init__(
        self,
        client: Any,
        prefix: str = "smartcar:webhooks:seen:",
        *,
        ttl: float = DEFAULT_TTL,
        socket_timeout: float = 5.0,
    ) -> None:
        self.ttl = check_ttl(ttl)
        client = redis_client(client, socket_timeout, "RedisSeenSet", SeenSetError)
        self.client = client
        self.prefix = prefix
        self._milliseconds = max(1, int(self.ttl * 1000))

    def __repr__(self) -> str:
        return f"RedisSeenSet(prefix={self.prefix!r}, ttl={self.ttl!r})"

    def add(self, event_id: str) -> bool:
        key = self.prefix + check_event_id(event_id)
        return bool(
            self._run("add", lambda: self.client.set(key, b"1", nx=True, px=self._milliseconds))
        )

    def discard(self, event_id: str) -> None:
        key = self.prefix + check_event_id(event_id)
        self._run("discard", lambda: self.client.delete(key))

    def _run(self, action: str, operation: Callable[[], _T]) -> _T:
        try:
            return operation()
        except Exception as error:
            if not _is_redis_error(error):
                raise
            raise SeenSetError(
                f"Redis seen-set: {action} failed: {type(error).__name__}: {error}"
            ) from error


def _is_redis_error(error: BaseException) -> bool:
    try:
        import redis
    except ImportError:  # pragma: no cover - a client exists, so the package does too
        return False
    return isinstance(error, redis.RedisError)
