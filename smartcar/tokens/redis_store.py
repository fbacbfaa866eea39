"""``RedisStore``: records and locks in Redis, for workers on several machines.

The ``redis`` package is imported only when a store is created from a URL, so
``import smartcar.tokens`` works without it (install the ``redis`` extra to use this store).
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple, TypeVar

from .._redis import redis_client
from ..exceptions import TokenStoreException
from .meter import check_month, check_name, check_until, month_end, month_of
from .store import check_key

__all__ = ["RedisStore"]

_T = TypeVar("_T")

# KEYS[1] = record key; ARGV[1] = expected record, ARGV[2] = new record.
_COMPARE_AND_SET = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[2])
    return 1
end
return 0
"""

# KEYS[1] = lock key; ARGV[1] = owner.
_COMPARE_AND_DELETE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


# KEYS[1] = pause key; ARGV[1] = until (epoch seconds), ARGV[2] = its expiry (epoch ms).
_HOLD_LATEST = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tonumber(ARGV[1]) > current then
    redis.call('SET', KEYS[1], ARGV[1])
    redis.call('PEXPIREAT', KEYS[1], ARGV[2])
end
return 1
"""

_KEEP_AFTER_PAUSE = 60.0
"""Seconds a pause's key outlives the pause (so a clock a little behind still sees it)."""


class RedisStore:
    """A :class:`~smartcar.tokens.store.TokenStore` and
    :class:`~smartcar.tokens.meter.CallMeter` in Redis.

    Records are strings at ``{prefix}record:{key}``. The refresh lock of a key is
    ``{prefix}lock:{key}``, taken with ``SET ... NX PX ttl`` (so it expires on its own when
    its holder dies) and released by a Lua compare-and-delete (a worker whose lock expired
    cannot release somebody else's). A refreshed record is written by a Lua compare-and-set
    against the record the refresh started from.

    A vehicle's call count is ``{prefix}calls:{month}:{vehicle id}``, counted with ``INCR``
    and set to expire when the following month ends (so the previous month stays readable);
    ``{prefix}spent:{month}:{vehicle id}`` marks it spent, with the same expiry. The app-wide
    pause is ``{prefix}hold:{scope}``, raised by a Lua max-set (a later time always wins).

    Args:
        client: a ``redis.Redis`` client (any ``decode_responses`` setting) or a URL such as
            ``"redis://localhost:6379/0"``.
        prefix: prepended to every Redis key this store uses.
        socket_timeout: connect and read timeout in seconds of a client created from a URL.

    Raises:
        TokenStoreException: a URL was given but the ``redis`` package is not installed.
    """

    def __init__(
        self,
        client: Any,
        prefix: str = "smartcar:tokens:",
        *,
        socket_timeout: float = 5.0,
    ) -> None:
        client = redis_client(client, socket_timeout, "RedisStore", TokenStoreException)
        self.client = client
        self.prefix = prefix
        # Names the data (server, database, prefix), for the pairs a manager holds.
        self.location = _location(client, prefix)
        self._compare_and_set = client.register_script(_COMPARE_AND_SET)
        self._compare_and_delete = client.register_script(_COMPARE_AND_DELETE)
        self._hold_latest = client.register_script(_HOLD_LATEST)

    def __repr__(self) -> str:
        return f"RedisStore(prefix={self.prefix!r})"

    def _record_key(self, key: str) -> str:
        return f"{self.prefix}record:{check_key(key)}"

    def _lock_key(self, key: str) -> str:
        return f"{self.prefix}lock:{check_key(key)}"

    # TokenStore ---------------------------------------------------------------------------

    def load(self, key: str) -> Optional[str]:
        value = self._run("read", key, lambda: self.client.get(self._record_key(key)))
        if value is None or isinstance(value, str):
            return value
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise TokenStoreException(
                f"the token record of key {key!r} is not UTF-8 text"
            ) from None

    def save(self, key: str, record: str) -> None:
        self._run("write", key, lambda: self.client.set(self._record_key(key), record))

    def replace(self, key: str, expected: str, record: str) -> bool:
        done = self._run(
            "write",
            key,
            lambda: self._compare_and_set(keys=[self._record_key(key)], args=[expected, record]),
        )
        return int(done) == 1

    def delete(self, key: str) -> None:
        self._run("write", key, lambda: self.client.delete(self._record_key(key)))

    def acquire(self, key: str, owner: str, ttl: float) -> bool:
        milliseconds = max(1, int(ttl * 1000))
        taken = self._run(
            "lock",
            key,
            lambda: self.client.set(self._lock_key(key), owner, nx=True, px=milliseconds),
        )
        return bool(taken)

    def release(self, key: str, owner: str) -> None:
        self._run(
            "unlock",
            key,
            lambda: self._compare_and_delete(keys=[self._lock_key(key)], args=[owner]),
        )

    # CallMeter ----------------------------------------------------------------------------

    def add_call(self, vehicle_id: str, month: str) -> int:
        key = self._meter_key("calls", vehicle_id, month)

        def count() -> int:
            pipe = self.client.pipeline(transaction=True)
            pipe.incr(key)
            pipe.expireat(key, _kept_until(month))
            return int(pipe.execute()[0])

        return self._run("count", key, count)

    def calls(self, vehicle_id: str, month: str) -> int:
        key = self._meter_key("calls", vehicle_id, month)
        value = self._run("read", key, lambda: self.client.get(key))
        return 0 if value is None else int(value)

    def mark_spent(self, vehicle_id: str, month: str) -> None:
        key = self._meter_key("spent", vehicle_id, month)

        def mark() -> None:
            pipe = self.client.pipeline(transaction=True)
            pipe.set(key, "1")
            pipe.expireat(key, _kept_until(month))
            pipe.execute()

        self._run("write", key, mark)

    def is_spent(self, vehicle_id: str, month: str) -> bool:
        key = self._meter_key("spent", vehicle_id, month)
        return bool(self._run("read", key, lambda: self.client.exists(key)))

    def hold(self, scope: str, until: float) -> None:
        key = f"{self.prefix}hold:{check_name('scope', scope)}"
        until = check_until(until)
        expires = int((until + _KEEP_AFTER_PAUSE) * 1000)
        self._run("write", key, lambda: self._hold_latest(keys=[key], args=[repr(until), expires]))

    def held_until(self, scope: str) -> float:
        key = f"{self.prefix}hold:{check_name('scope', scope)}"
        value = self._run("read", key, lambda: self.client.get(key))
        return 0.0 if value is None else float(value)

    def _meter_key(self, kind: str, vehicle_id: str, month: str) -> str:
        check_name("vehicle_id", vehicle_id)
        return f"{self.prefix}{kind}:{check_month(month)}:{vehicle_id}"

    def _run(self, action: str, key: str, operation: Callable[[], _T]) -> _T:
        check_key(key)
        try:
            return operation()
        except TokenStoreException:
            raise
        except Exception as error:
            if not _is_redis_error(error):
                raise
            raise TokenStoreException(
                f"Redis token store: {action} of key {key!r} failed: "
                f"{type(error).__name__}: {error}"
            ) from error


def _kept_until(month: str) -> int:
    """The expiry of a count of ``month``: the end of the month after it (epoch seconds)."""
    return int(month_end(month_of(month_end(month))))


def _location(client: Any, prefix: str) -> Optional[Tuple[Any, ...]]:
    """(host, port, unix socket, db, prefix) of a ``redis.Redis`` client, or ``None``."""
    kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", None)
    if not isinstance(kwargs, dict):
        return None
    names = ("host", "port", "path", "db")
    return (*(str(kwargs.get(name)) for name in names), prefix)


def _is_redis_error(error: BaseException) -> bool:
    try:
        import redis
    except ImportError:  # pragma: no cover - a client exists, so the package does too
        return False
    return isinstance(error, redis.RedisError)
