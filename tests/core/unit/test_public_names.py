"""Every public name of the package, written out: adding, removing or renaming one fails this
test until the table below is changed too, so that a change of the public surface is always
deliberate and shows in review.

For each public module: the exact sorted ``__all__``; for a lazy module (one with a module-level
``__getattr__``) and for a module without ``__all__``, also the exact public part of ``dir()``,
which is what introspection and a REPL's completion see. Each module is imported alone in a
fresh interpreter, so names bound by other imports (a test's, another module's) never show.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

import pytest

import smartcar

PROBE = """
import importlib, json, sys
module = importlib.import_module(sys.argv[1])
exported = getattr(module, "__all__", None)
names = {"all": None if exported is None else sorted(exported), "dir": None}
if exported is None or "__getattr__" in vars(module):
    names["dir"] = sorted(name for name in dir(module) if not name.startswith("_"))
print(json.dumps(names))
"""


class Pinned(NamedTuple):
    """The public names of one module: ``__all__`` and, where pinned, ``dir()``."""

    all: Optional[List[str]]
    dir: Optional[List[str]] = None


# A new public module gets its entry here, in alphabetical order.
PINNED: Dict[str, Pinned] = {
    "smartcar": Pinned(
        all=[
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
        ],
        dir=[
            "Any",
            "AuthClient",
            "AuthenticationException",
            "ConnectException",
            "GatewayTimeoutException",
            "List",
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
            "TYPE_CHECKING",
            "TokenStoreException",
            "UpstreamException",
            "ValidationException",
            "Vehicle",
            "VehicleNotCapableException",
            "WebhookPayloadError",
            "WebhookSignatureError",
            "api",
            "auth_client",
            "const",
            "delete_connections",
            "exceptions",
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
            "static",
            "testing",
            "timeutil",
            "tokens",
            "types",
            "v3",
            "vehicle",
            "verify_payload",
            "webhooks",
        ],
    ),
    "smartcar.api": Pinned(
        all=[
            "ApiResponse",
            "DEFAULT_TIMEOUT",
            "POOL_SIZE",
            "RetryPolicy",
            "SmartcarException",
            "Timeout",
            "USER_AGENT",
            "body_field",
            "body_object",
            "body_with",
            "check_retries",
            "check_timeout",
            "decode_body",
            "default_retry",
            "default_timeout",
            "encode_json",
            "get_session",
            "last_request_id",
            "logger",
            "malformed",
            "parse_response",
            "request",
            "set_defaults",
            "unusable",
        ]
    ),
    "smartcar.auth_client": Pinned(
        all=[
            "AuthClient",
        ]
    ),
    "smartcar.const": Pinned(
        all=[
            "API_URL",
            "API_VERSION",
            "AUTH_URL",
            "CONNECT_URL",
            "DATA_AGE_HEADER",
            "IAM_URL",
            "MANAGEMENT_API_URL",
            "MANAGEMENT_API_V3_URL",
            "ORIGINS",
            "Origin",
            "REQUEST_ID_HEADER",
            "UNIT_SYSTEMS",
            "UNIT_SYSTEM_HEADER",
            "VEHICLE_API_V3_URL",
            "api_url",
            "resolve",
        ]
    ),
    "smartcar.contrib": Pinned(all=None, dir=[]),
    "smartcar.contrib.django": Pinned(all=[]),
    "smartcar.emulator": Pinned(
        all=[
            "Clock",
            "ConnectError",
            "DEFAULT_CLIENT_ID",
            "DEFAULT_CLIENT_SECRET",
            "DEFAULT_MANAGEMENT_TOKEN",
            "DEFAULT_PASSWORD",
            "DEFAULT_REDIRECT_URI",
            "DEFAULT_USER",
            "Emulator",
            "EmulatorApp",
            "EmulatorState",
            "Fault",
            "FaultSet",
            "RequestRecord",
            "SimVehicle",
            "connect",
        ],
        dir=[
            "Any",
            "Clock",
            "ConnectError",
            "DEFAULT_CLIENT_ID",
            "DEFAULT_CLIENT_SECRET",
            "DEFAULT_MANAGEMENT_TOKEN",
            "DEFAULT_PASSWORD",
            "DEFAULT_REDIRECT_URI",
            "DEFAULT_USER",
            "Emulator",
            "EmulatorApp",
            "EmulatorState",
            "Fault",
            "FaultSet",
            "RequestRecord",
            "SimVehicle",
            "TYPE_CHECKING",
            "WERKZEUG_MISSING",
            "annotations",
            "connect",
            "importlib",
            "is_werkzeug_missing",
        ],
    ),
    "smartcar.exceptions": Pinned(
        all=[
            "AuthenticationException",
            "ConnectException",
            "GatewayTimeoutException",
            "MonthlyLimitExceeded",
            "NetworkException",
            "PermissionException",
            "RateLimitingException",
            "ReauthorizationRequired",
            "ResourceNotFoundException",
            "ServerException",
            "SmartcarConnectionError",
            "SmartcarException",
            "SmartcarNotCapableException",
            "SmartcarTimeout",
            "StateException",
            "TokenStoreException",
            "UpstreamException",
            "ValidationException",
            "VehicleNotCapableException",
            "WebhookPayloadError",
            "WebhookSignatureError",
            "exception_class_for",
            "exception_for_response",
        ],
    ),
    "smartcar.static": Pinned(
        all=[
            "get_user_id",
            "get_vehicle_ids",
            "is_expired",
        ]
    ),
    "smartcar.testing": Pinned(
        all=[
            "Answer",
            "AsyncMockTransport",
            "MockClock",
            "MockTransport",
            "Request",
            "Transport",
            "defaults",
            "set_default_transport",
        ],
        dir=[
            "Answer",
            "Any",
            "AsyncMockTransport",
            "Iterator",
            "List",
            "MockClock",
            "MockTransport",
            "Optional",
            "Request",
            "TYPE_CHECKING",
            "Transport",
            "annotations",
            "contextlib",
            "defaults",
            "set_default_transport",
        ],
    ),
    "smartcar.timeutil": Pinned(
        all=[
            "UTC",
            "get_clock",
            "month_end",
            "month_of",
            "now",
            "parse_timestamp",
            "set_clock",
            "timestamp",
            "utcnow_naive",
        ],
    ),
    "smartcar.tokens": Pinned(
        all=[
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
        ],
        dir=[
            "Any",
            "CallMeter",
            "List",
            "ManagedTokenProvider",
            "MemoryStore",
            "RedisStore",
            "RefreshClient",
            "SQLiteStore",
            "TYPE_CHECKING",
            "TokenManager",
            "TokenNotFound",
            "TokenStore",
            "annotations",
            "get_fresh_access",
            "importlib",
        ],
    ),
    "smartcar.types": Pinned(
        all=None,
        dir=[
            "Access",
            "ActionResult",
            "Any",
            "BatchItem",
            "BatchResult",
            "Capability",
            "CommandResult",
            "Compatibility",
            "Connection",
            "DataResult",
            "DeletedConnection",
            "Dict",
            "List",
            "Optional",
            "Paging",
            "Protocol",
            "RawResponse",
            "ServiceHistoryResult",
            "StatusResult",
            "SubscribeResult",
            "TokenProvider",
            "TypedDict",
            "UnitDataResult",
            "VehicleIds",
            "VehicleInfo",
            "annotations",
            "datetime",
            "runtime_checkable",
        ],
    ),
    "smartcar.v3": Pinned(
        all=[
            "AsyncClient",
            "AsyncVehicle",
            "Client",
            "Signal",
            "SignalError",
            "Snapshot",
            "SweepProgress",
            "SweepResult",
            "Vehicle",
            "check_application_id",
            "parse_redirect",
            "parse_signal",
        ],
        dir=[
            "Any",
            "AsyncClient",
            "AsyncVehicle",
            "Client",
            "List",
            "Signal",
            "SignalError",
            "Snapshot",
            "SweepProgress",
            "SweepResult",
            "TYPE_CHECKING",
            "Vehicle",
            "check_application_id",
            "client",
            "parse_redirect",
            "parse_signal",
            "types",
            "vehicle",
        ],
    ),
    "smartcar.v3.types": Pinned(
        all=[
            "ChargeScheduleExecution",
            "CommandExecution",
            "Connection",
            "ConnectionVehicle",
            "Redirect",
            "SubscribeResult",
            "Subscription",
            "VehicleInfo",
            "Webhook",
        ]
    ),
    "smartcar.vehicle": Pinned(
        all=[
            "Vehicle",
            "check_unit_system",
        ]
    ),
    "smartcar.webhooks": Pinned(
        all=[
            "DEFAULT_TTL",
            "DeliveryMeta",
            "Event",
            "LegacyEvent",
            "MemorySeenSet",
            "Receiver",
            "RedisSeenSet",
            "SQLiteSeenSet",
            "SeenSet",
            "SeenSetError",
            "SignalRef",
            "Trigger",
            "UnknownEvent",
            "VehicleError",
            "VehicleErrorEvent",
            "VehicleStateEvent",
            "VerifyEvent",
            "WebhookPayloadError",
            "WebhookSignatureError",
            "WebhookUser",
            "WebhookVehicle",
            "challenge_response",
            "find_header",
            "hash_hmac",
            "parse_event",
            "verify_signature",
        ],
        dir=[
            "Any",
            "DEFAULT_TTL",
            "DeliveryMeta",
            "Event",
            "LegacyEvent",
            "List",
            "MemorySeenSet",
            "Receiver",
            "RedisSeenSet",
            "SQLiteSeenSet",
            "SeenSet",
            "SeenSetError",
            "SignalRef",
            "TYPE_CHECKING",
            "Trigger",
            "UnknownEvent",
            "VehicleError",
            "VehicleErrorEvent",
            "VehicleStateEvent",
            "VerifyEvent",
            "WebhookPayloadError",
            "WebhookSignatureError",
            "WebhookUser",
            "WebhookVehicle",
            "annotations",
            "challenge_response",
            "find_header",
            "hash_hmac",
            "parse_event",
            "verify_signature",
        ],
    ),
}


def public_names(module: str) -> Pinned:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return Pinned(**json.loads(done.stdout))


@pytest.mark.parametrize("module", sorted(PINNED))
def test_the_public_names_are_the_pinned_ones(module: str) -> None:
    found, pinned = public_names(module), PINNED[module]
    for field in Pinned._fields:
        now, then = getattr(found, field), getattr(pinned, field)
        assert now == then, (
            f"{module} {field}: new {sorted(set(now or ()) - set(then or ()))}, "
            f"gone {sorted(set(then or ()) - set(now or ()))} (pinned: {then is not None})"
        )


def test_every_public_module_is_pinned() -> None:
    package = Path(smartcar.__file__).parent
    modules = [path.stem for path in package.glob("*.py")]
    modules += [path.parent.name for path in package.glob("*/__init__.py")]
    public = {"smartcar", *(f"smartcar.{name}" for name in modules if not name.startswith("_"))}
    assert sorted(public - set(PINNED)) == []
