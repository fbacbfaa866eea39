"""Typed webhook events, and the parser from a delivery body to one of them.

Every documented payload shape parses (API v3 payload version 4.0, and the legacy v2.0
``verify``/``eventBased`` bodies); a body that is not one of them raises
:class:`~smartcar.exceptions.WebhookPayloadError`, never a ``KeyError``, ``TypeError`` or
``JSONDecodeError``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, ClassVar, Dict, List, Mapping, Optional, Tuple, Union

from ..exceptions import WebhookPayloadError, WebhookSignatureError
from ..v3._parse import parse_time
from ..v3._signals import Signal, parse_signal
from ._signature import as_body_bytes, verify_signature

__all__ = [
    "DeliveryMeta",
    "Event",
    "LegacyEvent",
    "SignalRef",
    "Trigger",
    "UnknownEvent",
    "VehicleError",
    "VehicleErrorEvent",
    "VehicleStateEvent",
    "VerifyEvent",
    "WebhookUser",
    "WebhookVehicle",
    "parse_event",
    "parse_unverified",
]


@dataclass(frozen=True)
class DeliveryMeta:
    """The envelope's ``meta``: which webhook sent the event, and when.

    ``delivered_at`` is an aware UTC datetime (sent as epoch milliseconds, or ISO-8601 on
    VERIFY). Fields the delivery did not carry are ``None``; ``raw`` is the whole object.
    """

    version: Optional[str] = None
    webhook_id: Optional[str] = None
    webhook_name: Optional[str] = None
    delivery_id: Optional[str] = None
    delivered_at: Optional[datetime] = None
    mode: Optional[str] = None
    application_id: Optional[str] = None
    signal_count: Optional[int] = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class SignalRef:
    """A signal named without a value (in a trigger or a vehicle error)."""

    code: Optional[str]
    name: Optional[str] = None
    group: Optional[str] = None


@dataclass(frozen=True)
class Trigger:
    """Why a VEHICLE_STATE event was sent.

    ``type`` is ``"SIGNAL_UPDATED"`` (``signal`` names the signal that changed) or
    ``"FIRST_DELIVERY"`` (``signal`` is ``None``). Both documented shapes give the same
    value: ``{"type": ..., "signal": {...}}`` and the flat ``{"code", "name", "group"}`` /
    ``{"code": "FIRST_DELIVERY"}``.
    """

    type: str
    signal: Optional[SignalRef] = None


@dataclass(frozen=True)
class WebhookUser:
    """The Smartcar user the vehicle is connected for; ``external_id`` is your own id, if set."""

    id: str
    external_id: Optional[str] = None


@dataclass(frozen=True)
class WebhookVehicle:
    """The vehicle an event is about (``id`` is the Smartcar vehicle id)."""

    id: str
    make: Optional[str] = None
    model: Optional[str] = None
    year: Optional[int] = None
    mode: Optional[str] = None
    powertrain_type: Optional[str] = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class VehicleError:
    """One entry of a VEHICLE_ERROR event.

    ``state`` is ``"ERROR"`` when the problem starts and ``"RESOLVED"`` when it is over;
    ``signals`` are the signals it affects. ``resolution`` is ``{"type", "url"}`` or ``None``.
    """

    type: Optional[str]
    code: Optional[str]
    state: str
    description: Optional[str] = None
    doc_url: Optional[str] = None
    resolution: Optional[Dict[str, Optional[str]]] = None
    suggested_user_message: Optional[str] = None
    signals: Tuple[SignalRef, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def resolved(self) -> bool:
        """Whether this entry reports the end of the error (``state == "RESOLVED"``)."""
        return self.state == "RESOLVED"


@dataclass(frozen=True)
class VerifyEvent:
    """The challenge Smartcar sends when a webhook is created or its URI changes.

    Answer it with :func:`~smartcar.webhooks.challenge_response` (the
    :class:`~smartcar.webhooks.Receiver` does). ``meta.version`` is ``"2.0"`` for the legacy
    body ``{"eventName": "verify", "payload": {"challenge"}}``.
    """

    event_type: ClassVar[str] = "VERIFY"

    challenge: str
    event_id: Optional[str] = None
    meta: DeliveryMeta = field(default_factory=DeliveryMeta)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class VehicleStateEvent:
    """New signal values of one vehicle (every subscribed signal, not just the triggering one).

    ``signals`` are :class:`smartcar.v3.Signal` values; ``triggers`` say why it was sent.
    ``user`` is ``None`` for apps whose webhooks carry no user (v2-era applications).
    """

    event_type: ClassVar[str] = "VEHICLE_STATE"

    event_id: str
    vehicle: WebhookVehicle
    signals: Tuple[Signal, ...]
    triggers: Tuple[Trigger, ...] = ()
    user: Optional[WebhookUser] = None
    meta: DeliveryMeta = field(default_factory=DeliveryMeta)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def vehicle_id(self) -> str:
        """The Smartcar vehicle id."""
        return self.vehicle.id

    @property
    def user_id(self) -> Optional[str]:
        """The Smartcar user id, or ``None`` when the delivery carries no user."""
        return self.user.id if self.user else None

    @property
    def external_id(self) -> Optional[str]:
        """Your own id for the user (set at Connect), or ``None``."""
        return self.user.external_id if self.user else None

    def signal(self, code: str) -> Optional[Signal]:
        """Return the signal with this code (e.g. ``"tractionbattery-stateofcharge"``), or None."""
        for signal in self.signals:
            if signal.code == code:
                return signal
        return None


@dataclass(frozen=True)
class VehicleErrorEvent:
    """A vehicle went into an error state (``state == "ERROR"``) or out of it (``"RESOLVED"``)."""

    event_type: ClassVar[str] = "VEHICLE_ERROR"

    event_id: str
    vehicle: WebhookVehicle
    errors: Tuple[VehicleError, ...]
    user: Optional[WebhookUser] = None
    meta: DeliveryMeta = field(default_factory=DeliveryMeta)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def vehicle_id(self) -> str:
        """The Smartcar vehicle id."""
        return self.vehicle.id

    @property
    def user_id(self) -> Optional[str]:
        """The Smartcar user id, or ``None`` when the delivery carries no user."""
        return self.user.id if self.user else None

    @property
    def external_id(self) -> Optional[str]:
        """Your own id for the user (set at Connect), or ``None``."""
        return self.user.external_id if self.user else None


@dataclass(frozen=True)
class LegacyEvent:
    """A legacy v2.0 webhook body other than ``verify`` (e.g. ``eventName: "eventBased"``).

    ``event_type`` is the payload's own type (``CHARGING_STARTED``, ``CHARGING_STOPPED``,
    ``CHARGING_COMPLETED``); ``payload`` is the whole ``payload`` object.
    """

    event_name: str
    event_id: Optional[str] = None
    vehicle_id: Optional[str] = None
    event_type: Optional[str] = None
    event_time: Optional[datetime] = None
    mode: Optional[str] = None
    payload: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    meta: DeliveryMeta = field(default_factory=DeliveryMeta)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class UnknownEvent:
    """A well-formed v3 envelope whose ``eventType`` this SDK does not know yet."""

    event_type: str
    event_id: Optional[str] = None
    meta: DeliveryMeta = field(default_factory=DeliveryMeta)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


Event = Union[VerifyEvent, VehicleStateEvent, VehicleErrorEvent, LegacyEvent, UnknownEvent]
"""Any event :func:`~smartcar.webhooks.parse_event` returns."""


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
    signals = tuple(
        _signal(entry, f"data.signals[{index}]")
        for index, entry in enumerate(_list(data.get("signals"), "data.signals"))
    )
    triggers = tuple(
        _trigger(entry, f"triggers[{index}]")
        for index, entry in enumerate(_list(envelope.get("triggers"), "triggers"))
    )
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
    errors = tuple(
        _vehicle_error_entry(entry, f"data.errors[{index}]")
        for index, entry in enumerate(_list(data.get("errors"), "data.errors"))
    )
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
    except WebhookPayloadError as error:
        raise WebhookPayloadError(f"{path}: {error.message}") from None


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
        signals=tuple(
            _signal_ref(ref, f"{path}.signals[{index}]")
            for index, ref in enumerate(_list(entry.get("signals"), f"{path}.signals"))
        ),
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
    except ValueError:  # an unreadable delivery time is not worth refusing the event
        return None
