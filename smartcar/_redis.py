"""Connecting to Redis for the Redis-backed stores (tokens, webhook seen-sets)."""

from __future__ import annotations

from typing import Any, Type

from .exceptions import SmartcarException


def redis_client(
    client: Any, socket_timeout: float, owner: str, error: Type[SmartcarException]
) -> Any:
    """Return ``client``, or a ``redis.Redis`` for it when it is a ``redis://`` URL.

    Raises:
        SmartcarException: ``error`` (naming ``owner``) when the URL needs the missing
            ``redis`` package.
    """
    if not isinstance(client, str):
        return client
    try:
        import redis
    except ImportError as exc:
        raise error(
            f"{owner} needs the 'redis' package: pip install 'smartcar-sdk-next[redis]'"
        ) from exc
    return redis.Redis.from_url(
        client, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout
    )
