"""Receive Smartcar webhooks: verify signatures, answer VERIFY, parse typed events, dedupe.

Usage::

    from smartcar.webhooks import Receiver

    receiver = Receiver(management_token)           # in memory; SQLiteSeenSet/RedisSeenSet
    status, body, event = receiver.handle(request.headers, request.get_data())
    # answer `body` as JSON with `status`; process `event` when it is not None

Lower level: :func:`verify_signature` (HMAC-SHA256 of the raw body, constant-time),
:func:`challenge_response` (the VERIFY answer), :func:`parse_event` (verify, then parse into
:class:`VerifyEvent`, :class:`VehicleStateEvent`, :class:`VehicleErrorEvent`, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List

from ..exceptions import WebhookPayloadError, WebhookSignatureError
from ._events import (
    Event,
    LegacyEvent,
    UnknownEvent,
    VehicleErrorEvent,
    VehicleStateEvent,
    VerifyEvent,
)
from ._parsing import parse_event
from ._receiver import Receiver, find_header
from ._seen import DEFAULT_TTL, MemorySeenSet, SeenSet, SeenSetError
from ._seen_redis import RedisSeenSet
from ._signature import challenge_response, hash_hmac, verify_signature
from ._values import (
    DeliveryMeta,
    SignalRef,
    Trigger,
    VehicleError,
    WebhookUser,
    WebhookVehicle,
)

if TYPE_CHECKING:
    from ._seen_sqlite import SQLiteSeenSet

__all__ = [
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
]


def __getattr__(name: str) -> Any:
    # SQLiteSeenSet imports sqlite3, which a receiver with another seen-set never needs.
    if name == "SQLiteSeenSet":
        from ._seen_sqlite import SQLiteSeenSet

        return SQLiteSeenSet
    raise AttributeError(f"module 'smartcar.webhooks' has no attribute {name!r}")


def __dir__() -> List[str]:
    # SQLiteSeenSet is loaded on first use but listed (dir(), REPL completion, introspection).
    return sorted({*globals(), *__all__})
