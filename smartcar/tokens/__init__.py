"""Token lifecycle: always-fresh access tokens, refreshed once per key across workers.

Usage::

    from smartcar.tokens import SQLiteStore, TokenManager

    manager = TokenManager(client, SQLiteStore("tokens.db"))
    manager.save(user_id, client.exchange_code(code))      # after Connect
    vehicle = smartcar.Vehicle(vehicle_id, manager.provider(user_id))
    vehicle.odometer()                                       # refreshes when needed

Stores: :class:`MemoryStore` (one process), :class:`SQLiteStore` (processes of one machine),
:class:`RedisStore` (several machines; needs the ``redis`` extra). See
:mod:`smartcar.tokens.manager` for the refresh protocol. Each store is also a
:class:`CallMeter` (:mod:`smartcar.tokens.meter`): the v3 client's per-vehicle monthly call
counts and app-wide pause, shared by every worker using the store.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, List

if TYPE_CHECKING:
    from .manager import (
        ManagedTokenProvider,
        RefreshClient,
        TokenManager,
        TokenNotFound,
        get_fresh_access,
    )
    from .memory import MemoryStore
    from .meter import CallMeter
    from .redis_store import RedisStore
    from .sqlite import SQLiteStore
    from .store import TokenStore

__all__ = [
    "CallMeter",
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

# Loaded on first use, so that ``smartcar.tokens.store`` (which the v3 client imports for
# its optional shared store) costs neither the manager nor sqlite3.
_MODULES = {
    "ManagedTokenProvider": "manager",
    "RefreshClient": "manager",
    "TokenManager": "manager",
    "TokenNotFound": "manager",
    "get_fresh_access": "manager",
    "MemoryStore": "memory",
    "CallMeter": "meter",
    "RedisStore": "redis_store",
    "SQLiteStore": "sqlite",
    "TokenStore": "store",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
