"""``RedisSeenSet``: event ids in Redis, shared by workers on several machines.

The ``redis`` package is imported only when a seen-set is created from a URL (install the
``redis`` extra).
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from .._redis import redis_client
from ._seen import DEFAULT_TTL, SeenSetError, check_event_id, check_mark, check_ttl

__all__ = ["RedisSeenSet"]

_T = TypeVar("_T")

# SET NX with the mark as the value; when the id is there already, it is the caller's own
# record if it holds the caller's (non-empty) mark: a retry after a lost reply.
_ADD = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
return 0
"""


class RedisSeenSet:
    """A :class:`~smartcar.webhooks.SeenSet` in Redis.

    Each id is the key ``{prefix}{event_id}``, written with ``SET ... NX PX ttl`` (its value the
    caller's mark, compared on a retry, in one Lua script): Redis makes exactly one of
    concurrent writers succeed, and forgets the id by itself when it expires.

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

    def add(self, event_id: str, mark: str = "") -> bool:
        key = self._key(event_id)
        value = _utf8(check_mark(mark))
        added = self._run("add", lambda: self.client.eval(_ADD, 1, key, value, self._milliseconds))
        return bool(added == 1)

    def discard(self, event_id: str) -> None:
        key = self._key(event_id)
        self._run("discard", lambda: self.client.delete(key))

    def _key(self, event_id: str) -> bytes:
        return _utf8(self.prefix) + _utf8(check_event_id(event_id))

    def _run(self, action: str, operation: Callable[[], _T]) -> _T:
        try:
            return operation()
        except Exception as error:
            if not _is_redis_error(error):
                raise
            raise SeenSetError(
                f"Redis seen-set: {action} failed: {type(error).__name__}: {error}"
            ) from error


def _utf8(text: str) -> bytes:
    # Lone surrogates (valid in JSON strings) are kept as their bytes, not refused.
    return text.encode("utf-8", "surrogatepass")


def _is_redis_error(error: BaseException) -> bool:
    try:
        import redis
    except ImportError:  # pragma: no cover - a client exists, so the package does too
        return False
    return isinstance(error, redis.RedisError)
