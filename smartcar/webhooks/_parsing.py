"""From a delivery body to a typed event: verify the signature, then parse.

A body is an event when it is a JSON object with an event type (``eventType``, or the legacy
v2.0 ``eventName``); its parts are read when the app reads them (see ``_events``), in
whatever shape they came (``_parts``). Anything else raises
:class:`~smartcar.exceptions.WebhookPayloadError`, never a ``KeyError``, ``TypeError``,
``OverflowError`` or ``JSONDecodeError``.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Mapping

from ..exceptions import WebhookPayloadError, WebhookSignatureError
from ._events import (
    Event,
    LegacyEvent,
    UnknownEvent,
    VehicleErrorEvent,
    VehicleStateEvent,
    VerifyEvent,
)
from ._parts import data_of, obj, text
from ._signature import as_body_bytes, verify_signature

__all__ = ["parse_event", "parse_unverified"]


def parse_event(body: bytes, *, signature: Any, management_token: str) -> Event:
    """Verify a delivery's signature, then return its typed event.

    The signature is checked first, over the raw bytes; no JSON is parsed unless it matches.
    A VERIFY event needs a valid signature here too (the :class:`~smartcar.webhooks.Receiver`
    also answers unsigned VERIFY events, since whether Smartcar signs them is not documented).

    Args:
        body: the request body exactly as received (bytes).
        signature: the ``SC-Signature`` header value.
        management_token: the application management token that signs the deliveries.

    Returns:
        A :class:`VerifyEvent`, :class:`VehicleStateEvent` or :class:`VehicleErrorEvent`; a
        :class:`LegacyEvent` for a v2.0 body other than ``verify``; an :class:`UnknownEvent`
        for a v3 ``eventType`` this SDK does not know. Parts of unexpected shapes are read as
        far as they can be (``None``, empty, or left out); ``raw`` keeps the whole body.

    Raises:
        WebhookSignatureError: the signature is missing, malformed or does not match.
        WebhookPayloadError: the body is not an event at all: not UTF-8 JSON, not a JSON
            object, no event type, or a VERIFY without a challenge string to answer.
        TypeError: ``body`` is a str (pass the raw bytes) or not bytes-like.
        TypeError, ValueError: ``management_token`` is not a non-empty str.
    """
    raw = as_body_bytes(body)
    if not verify_signature(management_token, raw, signature):
        raise WebhookSignatureError(
            "the webhook signature does not match the body: check the management token, and "
            "pass the body bytes exactly as received"
        )
    return parse_unverified(raw)


def parse_unverified(body: bytes) -> Event:
    """Parse a delivery body WITHOUT checking its signature (callers verify first).

    Raises:
        WebhookPayloadError: the body is not an event (see :func:`parse_event`).
    """
    envelope = _load_json(body)
    if not isinstance(envelope, dict):
        raise WebhookPayloadError("the body is not a webhook event: not a JSON object")
    event_type = text(envelope.get("eventType"))
    if event_type is not None:
        make = _V3_EVENTS.get(event_type)
        return UnknownEvent(envelope, event_type) if make is None else make(envelope)
    event_name = text(envelope.get("eventName"))
    if event_name == "verify":
        return _verify(envelope, obj(envelope.get("payload")), "payload.challenge")
    if event_name is not None:
        return LegacyEvent(envelope, event_name)
    raise WebhookPayloadError("the body is not a webhook event: it has no eventType")


def _verify(envelope: Dict[str, Any], holder: Mapping[str, Any], path: str) -> VerifyEvent:
    challenge = holder.get("challenge")
    if not isinstance(challenge, str) or not challenge:
        raise WebhookPayloadError(f"a VERIFY event without a challenge: {path} must be a string")
    return VerifyEvent(envelope, challenge)


_V3_EVENTS: Dict[str, Callable[[Dict[str, Any]], Event]] = {
    "VERIFY": lambda envelope: _verify(envelope, data_of(envelope), "data.challenge"),
    "VEHICLE_STATE": VehicleStateEvent,
    "VEHICLE_ERROR": VehicleErrorEvent,
}


def _load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except RecursionError:
        raise WebhookPayloadError("the body is JSON nested too deeply") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise WebhookPayloadError(f"the body is not UTF-8 JSON: {error}") from None
