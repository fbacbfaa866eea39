"""Token lifecycle: always-fresh access tokens, refreshed once per key across workers.

Usage::

    from smartcar.tokens import SQLiteStore, TokenManager

    manager = TokenManager(client, SQLiteStore("tokens.db"))
    manager.save(user_id, client.exchange_code(code))      # after Connect
    vehicle = smartcar.Vehicle(vehicle_id, manager.provider(user_id))
    vehicle.odometer()                                       # refreshes when needed

Stores: :class:`MemoryStore` (one process), :class:`SQLiteStore` (processes of one machine),
:class:`RedisStore` (several machines; needs the ``redis`` extra). See
:mod:`smartcar.tokens.manager` for the refresh protocol.
"""

from .manager import (
    ManagedTokenProvider,
    RefreshClient,
    TokenManager,
    TokenNotFound,
    get_fresh_access,
)
from .memory import MemoryStore
from .redis_store import RedisStore
from .sqlite import SQLiteStore
from .store import TokenStore

__all__ = [
    "ManagedTokenProvider",
    "MemoryStore",
    "RedisStore",
    "RefreshClient",
    "SQLiteStore",
    "TokenManager",
    "TokenNotFound",
    "TokenStore",
    "get_fresh_access",
]
