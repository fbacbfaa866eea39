"""From a delivery body to a typed event: verify the signature, then parse.

Every documented payload shape parses (API v3 payload version 4.0 with its variants, and the
legacy v2.0 ``verify``/``eventBased`` bodies); a body that is not one of them raises
:class:`~smartcar.exceptions.WebhookPayloadError`, never a ``KeyError``, ``TypeError`` or
``JSONDecodeError``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, TypeVar, Union

from ..exceptions import WebhookPayloadError, WebhookSignatureError
from ..v3._parse import parse_time
from ..v3._signals import Signal, parse_signal
from ._events import (
    DeliveryMeta,
    Event,
    LegacyEvent,
    SignalRef,
    Trigger,
    UnknownEvent,
    VehicleError,
    VehicleErrorEvent,
    VehicleStateEvent,
    VerifyEvent,
    WebhookUser,
    WebhookVehicle,
)
from ._signature import as_body_bytes, verify_signature

__all__ = ["parse_event", "parse_unverified"]

_T = TypeVar("_T")


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
        for a v3 ``eventType`` this SDK does not know.

    Raises:
        WebhookSignatureError: the signature is missing, malformed or does not match.
        WebhookPayloadError: the body is not UTF-8 JSON, or not a documented event shape.
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
        WebhookPayloadError: the body is not UTF-8 JSON, or not a documented event shape.
    """
    envelope = _object(_load_json(body), "the body")
    if "eventType" in envelope:
        event_type = _required_text(envelope, "eventType", "")
        parse = _V3_PARSERS.get(event_type)
        if parse is None:
            return UnknownEvent(
                event_type=event_type,
                event_id=_optional_text(envelope.get("eventId")),
                meta=_meta(envelope.get("meta")),
                raw=envelope,
            )
        return parse(envelope)
    if "eventName" in envelope:
        return _legacy(envelope)
    raise WebhookPayloadError("the body is not a webhook event: it has no eventType")


# Envelopes -----------------------------------------------------------------------------------


def _verify(envelope: Mapping[str, Any]) -> VerifyEvent:
    data = _object(envelope.get("data"), "data")
    return VerifyEvent(
        challenge=_required_text(data, "challenge", "data."),
        event_id=_optional_text(envelope.get("eventId")),
        meta=_meta(envelope.get("meta")),
        raw=envelope,
    )


def _vehicle_state(envelope: Mapping[str, Any]) -> VehicleStateEvent:
    data = _object(envelope.get("data"), "data")
    signals = _each(data.get("signals"), "data.signals", _signal)
    triggers = _each(envelope.get("triggers"), "triggers", _trigger)
    return VehicleStateEvent(
        event_id=_required_text(envelope, "eventId", ""),
        vehicle=_vehicle(envelope, data),
        signals=signals,
        triggers=triggers,
        user=_user(data.get("user")),
        meta=_meta(envelope.get("meta")),
        raw=envelope,
    )


def _vehicle_error(envelope: Mapping[str, Any]) -> VehicleErrorEvent:
    data = _object(envelope.get("data"), "data")
    if data.get("errors") is None:
        raise WebhookPayloadError("VEHICLE_ERROR event without data.errors")
    errors = _each(data.get("errors"), "data.errors", _vehicle_error_entry)
    return VehicleErrorEvent(
        event_id=_required_text(envelope, "eventId", ""),
        vehicle=_vehicle(envelope, data),
        errors=errors,
        user=_user(data.get("user")),
        meta=_meta(envelope.get("meta")),
        raw=envelope,
    )


_V3_PARSERS: Dict[str, Callable[[Mapping[str, Any]], Event]] = {
    "VERIFY": _verify,
    "VEHICLE_STATE": _vehicle_state,
    "VEHICLE_ERROR": _vehicle_error,
}


def _legacy(envelope: Mapping[str, Any]) -> Union[VerifyEvent, LegacyEvent]:
    event_name = _required_text(envelope, "eventName", "")
    payload = _object(envelope.get("payload"), "payload")
    meta = DeliveryMeta(
        version=_optional_text(envelope.get("version")),
        webhook_id=_optional_text(envelope.get("webhookId")),
        mode=_optional_text(envelope.get("mode")),
        raw={},
    )
    if event_name == "verify":
        return VerifyEvent(
            challenge=_required_text(payload, "challenge", "payload."), meta=meta, raw=envelope
        )
    return LegacyEvent(
        event_name=event_name,
        event_id=_optional_text(payload.get("eventId")),
        vehicle_id=_optional_text(payload.get("vehicleId")),
        event_type=_optional_text(payload.get("eventType")),
        event_time=_time(payload.get("eventTime")),
        mode=meta.mode,
        payload=payload,
        meta=meta,
        raw=envelope,
    )


# Parts ---------------------------------------------------------------------------------------


def _meta(value: Any) -> DeliveryMeta:
    if not isinstance(value, dict):
        return DeliveryMeta()
    count = value.get("signalCount")
    return DeliveryMeta(
        version=_optional_text(value.get("version")),
        webhook_id=_optional_text(value.get("webhookId")),
        webhook_name=_optional_text(value.get("webhookName")),
        delivery_id=_optional_text(value.get("deliveryId")),
        delivered_at=_time(value.get("deliveredAt")),
        mode=_optional_text(value.get("mode")),
        application_id=_optional_text(value.get("applicationId")),
        signal_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        raw=value,
    )


def _vehicle(envelope: Mapping[str, Any], data: Mapping[str, Any]) -> WebhookVehicle:
    raw = data.get("vehicle")
    vehicle: Mapping[str, Any] = {} if raw is None else _object(raw, "data.vehicle")
    vehicle_id = _optional_text(vehicle.get("id")) or _optional_text(envelope.get("vehicleId"))
    if vehicle_id is None:
        raise WebhookPayloadError("the event names no vehicle (data.vehicle.id or vehicleId)")
    year = vehicle.get("year")
    return WebhookVehicle(
        id=vehicle_id,
        make=_optional_text(vehicle.get("make")),
        model=_optional_text(vehicle.get("model")),
        year=year if isinstance(year, int) and not isinstance(year, bool) else None,
        mode=_optional_text(vehicle.get("mode")),
        powertrain_type=_optional_text(vehicle.get("powertrainType")),
        raw=vehicle,
    )


def _user(value: Any) -> Optional[WebhookUser]:
    if value is None:
        return None
    user = _object(value, "data.user")
    return WebhookUser(
        id=_required_text(user, "id", "data.user."),
        external_id=_optional_text(user.get("externalId")),
    )


def _signal(value: Any, path: str) -> Signal:
    entry = _object(value, path)
    try:
        return parse_signal(entry, error_class=WebhookPayloadError)
    except ArithmeticError:  # an epoch number beyond float range: that time is unknown
        return _signal(_without_unreadable_times(entry), path)
    except WebhookPayloadError as error:
        raise WebhookPayloadError(f"{path}: {error.message}") from None


def _without_unreadable_times(entry: Mapping[str, Any]) -> Dict[str, Any]:
    meta = entry.get("meta")
    readable = {
        key: value
        for key, value in (meta.items() if isinstance(meta, dict) else ())
        if _readable_time(value)
    }
    return {**entry, "meta": readable}


def _readable_time(value: Any) -> bool:
    try:
        parse_time(value)
    except (ValueError, ArithmeticError):
        return False
    return True


def _trigger(value: Any, path: str) -> Trigger:
    trigger = _object(value, path)
    kind = trigger.get("type")
    if kind is not None:
        signal = trigger.get("signal")
        return Trigger(
            type=_required_text(trigger, "type", f"{path}."),
            signal=None if signal is None else _signal_ref(signal, f"{path}.signal"),
        )
    code = _optional_text(trigger.get("code"))
    if code is None:
        raise WebhookPayloadError(f"{path} has neither a type nor a code")
    if "name" not in trigger and "group" not in trigger and _is_trigger_type(code):
        return Trigger(type=code)  # the flat {"code": "FIRST_DELIVERY"} shape
    return Trigger(type="SIGNAL_UPDATED", signal=_signal_ref(trigger, path))


def _is_trigger_type(code: str) -> bool:
    # Trigger types are UPPER_SNAKE; signal codes are lowercase "<group>-<name>".
    return code.isupper() and "-" not in code


def _signal_ref(value: Any, path: str) -> SignalRef:
    ref = _object(value, path)
    return SignalRef(
        code=_optional_text(ref.get("code")),
        name=_optional_text(ref.get("name")),
        group=_optional_text(ref.get("group")),
    )


def _vehicle_error_entry(value: Any, path: str) -> VehicleError:
    entry = _object(value, path)
    resolution = entry.get("resolution")
    return VehicleError(
        type=_optional_text(entry.get("type")),
        code=_optional_text(entry.get("code")),
        state=_optional_text(entry.get("state")) or "ERROR",
        description=_optional_text(entry.get("description")),
        doc_url=_optional_text(entry.get("docURL")) or _optional_text(entry.get("docUrl")),
        resolution=(
            {
                "type": _optional_text(resolution.get("type")),
                "url": _optional_text(resolution.get("url")),
            }
            if isinstance(resolution, dict)
            else None
        ),
        suggested_user_message=_optional_text(entry.get("suggestedUserMessage")),
        signals=_each(entry.get("signals"), f"{path}.signals", _signal_ref),
        raw=entry,
    )


# Primitives ----------------------------------------------------------------------------------


def _load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except RecursionError:
        raise WebhookPayloadError("the body is JSON nested too deeply") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise WebhookPayloadError(f"the body is not UTF-8 JSON: {error}") from None


def _object(value: Any, path: str) -> Dict[str, Any]:
    if not isinstance(value, dict):
        raise WebhookPayloadError(f"{path} must be a JSON object")
    return value


def _list(value: Any, path: str) -> List[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise WebhookPayloadError(f"{path} must be a JSON array")
    return value


def _each(value: Any, path: str, parse: Callable[[Any, str], _T]) -> Tuple[_T, ...]:
    """``parse`` applied to every item of the array ``value`` (at ``path[index]``)."""
    return tuple(parse(item, f"{path}[{index}]") for index, item in enumerate(_list(value, path)))


def _required_text(obj: Mapping[str, Any], key: str, prefix: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise WebhookPayloadError(f"{prefix}{key} must be a non-empty string")
    return value


def _optional_text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def _time(value: Any) -> Optional[datetime]:
    try:
        return parse_time(value)
    except (ValueError, ArithmeticError):  # an unreadable time is not worth refusing the event
        return None
