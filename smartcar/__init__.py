"""Python backend SDK for the Smartcar API (drop-in compatible with smartcar 4.3).

Start with :class:`AuthClient` (the Connect flow), then :class:`Vehicle`. Every error is a
:class:`SmartcarException` subclass; see :mod:`smartcar.exceptions` for the hierarchy.
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any, List

from ._results import Result
from ._settings import get_api_version, set_api_version, set_defaults
from ._transport import last_request_id
from .exceptions import (
    AuthenticationException,
    ConnectException,
    GatewayTimeoutException,
    MonthlyLimitExceeded,
    NetworkException,
    PermissionException,
    RateLimitingException,
    ReauthorizationRequired,
    ResourceNotFoundException,
    ServerException,
    SmartcarConnectionError,
    SmartcarException,
    SmartcarNotCapableException,
    SmartcarTimeout,
    StateException,
    TokenStoreException,
    UpstreamException,
    ValidationException,
    VehicleNotCapableException,
    WebhookPayloadError,
    WebhookSignatureError,
)

if TYPE_CHECKING:
    # What the lazy loader below provides, spelled out for type checkers, which never see the
    # loader: a misspelt `smartcar.Vehicel` is then an error, not `Any`.
    from . import api as api
    from . import auth_client as auth_client
    from . import const as const
    from . import static as static
    from . import testing as testing
    from . import timeutil as timeutil
    from . import tokens as tokens
    from . import types as types
    from . import v3 as v3
    from . import vehicle as vehicle
    from . import webhooks as webhooks
    from ._compatibility import get_compatibility
    from ._management import delete_connections, get_connections
    from ._webhook_v2 import hash_challenge, verify_payload
    from .auth_client import AuthClient
    from .static import get_user_id, get_vehicle_ids, is_expired
    from .tokens import get_fresh_access
    from .vehicle import Vehicle

# Names whose modules load on first use (PEP 562), so that `import smartcar` stays light:
# an app pays for the Connect client, the vehicle API or the v2 helpers when it uses them.
_LAZY = {
    "AuthClient": ".auth_client",
    "Vehicle": ".vehicle",
    "get_user_id": ".static",
    "get_vehicle_ids": ".static",
    "is_expired": ".static",
    "get_compatibility": "._compatibility",
    "get_connections": "._management",
    "delete_connections": "._management",
    "hash_challenge": "._webhook_v2",
    "verify_payload": "._webhook_v2",
    "get_fresh_access": ".tokens",
}
# Modules reachable as attributes of `smartcar` after a plain `import smartcar`, as in 4.3
# (`smartcar.const.API_URL = ...`), imported when first touched.
_SUBMODULES = (
    "api", "auth_client", "const", "static", "testing", "timeutil", "tokens", "types", "v3",
    "vehicle", "webhooks",
)  # fmt: skip

__all__ = [
    "AuthClient",
    "AuthenticationException",
    "ConnectException",
    "GatewayTimeoutException",
    "MonthlyLimitExceeded",
    "NetworkException",
    "PermissionException",
    "RateLimitingException",
    "ReauthorizationRequired",
    "ResourceNotFoundException",
    "Result",
    "ServerException",
    "SmartcarConnectionError",
    "SmartcarException",
    "SmartcarNotCapableException",
    "SmartcarTimeout",
    "StateException",
    "TokenStoreException",
    "UpstreamException",
    "ValidationException",
    "Vehicle",
    "VehicleNotCapableException",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "__version__",
    "delete_connections",
    "get_api_version",
    "get_compatibility",
    "get_connections",
    "get_fresh_access",
    "get_user_id",
    "get_vehicle_ids",
    "hash_challenge",
    "is_expired",
    "last_request_id",
    "set_api_version",
    "set_defaults",
    "verify_payload",
]


if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        import importlib

        if name in _SUBMODULES:
            return importlib.import_module("." + name, __name__)
        module = _LAZY.get(name)
        if module is None:
            from ._six_x import MODULE_NAMES, no_attribute

            raise AttributeError(no_attribute("module 'smartcar'", name, MODULE_NAMES))
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> List[str]:
    # The lazy names are listed too, so dir(), REPL completion and introspection see them.
    return sorted({*globals(), *__all__, *_SUBMODULES})
