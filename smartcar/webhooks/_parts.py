"""Reading the parts of a delivery: whatever shape a part has, what can be read of it.

Every function here takes parsed JSON of any shape and never raises: a part of the wrong
type, or a value that cannot be read (a time beyond any calendar, an unnamed signal), gives
``None``, an empty tuple, or is left out. The shapes are those of ``api-v2-v3.md`` sections
5.3 and 12: the documented envelope, its variants (``meta`` and ``triggers`` nested in
``data``), the 2025 deliveries (signals named ``"Group.Name"``, signals without ``status``) and
the 2026 ones (``0`` for the times of static attributes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, TypeVar

from ..exceptions import WebhookPayloadError
from ..v3._parse import parse_time
from ..v3._signals import Signal, parse_signal
from ._values import (
    DeliveryMeta,
    SignalRef,
    Trigger,
    VehicleError,
    WebhookUser,
    WebhookVehicle,
)

__all__ = [
    "data_of",
    "errors",
    "meta",
    "signals",
    "text",
    "time",
    "triggers",
    "user",
    "vehicle",
]

_T = TypeVar("_T")

_NO_OBJECT: Mapping[str, Any] = {}
_DELIVERY_TIMES = ("deliveredAt", "deliveryTimestamp", "deliveryTime")
_SIGNAL_TIMES = ("retrievedAt", "oemUpdatedAt", "ingestedAt")


def text(value: Any) -> Optional[str]:
    """``value`` if it is a non-empty str, else ``None``."""
    return value if isinstance(value, str) and value else None


def integer(value: Any) -> Optional[int]:
    """``value`` as an int if it is one (not a bool) or a string of digits, else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def time(value: Any) -> Optional[datetime]:
    """An aware UTC datetime, or ``None`` when absent, ``0`` ("unknown") or unreadable."""
    try:
        return parse_time(value)
    except (ValueError, ArithmeticError):  # an unreadable time is not worth refusing an event
        return None


def obj(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else _NO_OBJECT


def data_of(envelope: Mapping[str, Any]) -> Mapping[str, Any]:
    """The envelope's ``data`` object (empty when absent or not an object)."""
    return obj(envelope.get("data"))


def _each(value: Any, read: Callable[[Any], Optional[_T]]) -> Tuple[_T, ...]:
    """``read`` of every item of the array ``value``, the unreadable ones left out."""
    if not isinstance(value, list):
        return ()
    read_items = (read(item) for item in value)
    return tuple(item for item in read_items if item is not None)


def _top_or_data(envelope: Mapping[str, Any], key: str) -> Any:
    # The documentation's own example nests "meta" and "triggers" inside "data".
    value = envelope.get(key)
    return data_of(envelope).get(key) if value is None else value


# The envelope's parts -----------------------------------------------------------------------


def meta(envelope: Mapping[str, Any]) -> DeliveryMeta:
    """The delivery's ``meta`` (at the top, or in ``data``); a legacy v2.0 body's top-level
    ``version``, ``webhookId`` and ``mode``."""
    if "eventName" in envelope and "eventType" not in envelope:
        return DeliveryMeta(
            version=text(envelope.get("version")),
            webhook_id=text(envelope.get("webhookId")),
            mode=text(envelope.get("mode")),
        )
    value = obj(_top_or_data(envelope, "meta"))
    delivered = (time(value.get(key)) for key in _DELIVERY_TIMES if value.get(key) is not None)
    return DeliveryMeta(
        version=text(value.get("version")),
        webhook_id=text(value.get("webhookId")),
        webhook_name=text(value.get("webhookName")),
        delivery_id=text(value.get("deliveryId")),
        delivered_at=next((at for at in delivered if at is not None), None),
        mode=text(value.get("mode")),
        application_id=text(value.get("applicationId")),
        signal_count=integer(value.get("signalCount")),
        raw=value,
    )


def vehicle(envelope: Mapping[str, Any]) -> WebhookVehicle:
    """``data.vehicle`` (its id, else the top-level ``vehicleId``)."""
    value = obj(data_of(envelope).get("vehicle"))
    return WebhookVehicle(
        id=text(value.get("id")) or text(envelope.get("vehicleId")),
        make=text(value.get("make")),
        model=text(value.get("model")),
        year=integer(value.get("year")),
        mode=text(value.get("mode")),
        powertrain_type=text(value.get("powertrainType")),
        raw=value,
    )


def user(envelope: Mapping[str, Any]) -> Optional[WebhookUser]:
    """``data.user``, or ``None`` when the delivery names no user."""
    value = obj(data_of(envelope).get("user"))
    user_id = text(value.get("id"))
    if user_id is None:
        return None
    return WebhookUser(id=user_id, external_id=text(value.get("externalId")))


# Signals ------------------------------------------------------------------------------------


def signals(envelope: Mapping[str, Any]) -> Tuple[Signal, ...]:
    """``data.signals``: every entry that names a signal, as a :class:`smartcar.v3.Signal`."""
    return _each(data_of(envelope).get("signals"), _signal)


def _signal(value: Any) -> Optional[Signal]:
    if not isinstance(value, dict):
        return None
    try:
        return parse_signal(value, error_class=WebhookPayloadError)
    except (WebhookPayloadError, ArithmeticError):
        pass
    # Keep what can be read: a body or status of another shape, or an unreadable time, is
    # left out. Without a code nothing names the signal.
    readable = {key: value[key] for key in ("code", "name", "group") if key in value}
    if isinstance(value.get("body"), dict):
        readable["body"] = value["body"]
    if isinstance(value.get("status"), (dict, str)):
        readable["status"] = value["status"]
    times = obj(value.get("meta"))
    readable["meta"] = {key: times[key] for key in _SIGNAL_TIMES if time(times.get(key))}
    try:
        return parse_signal(readable, error_class=WebhookPayloadError)
    except (WebhookPayloadError, ArithmeticError):
        return None


def signal_ref(value: Any) -> Optional[SignalRef]:
    """A signal named by an object (``code``, ``name``, ``group``) or by a string: a code, or
    ``"Group.Name"`` (early deliveries)."""
    if isinstance(value, str):
        head, dot, tail = value.partition(".")
        if dot and head and tail:
            return SignalRef(code=_code(head, tail), name=tail, group=head)
        return SignalRef(code=value) if value else None
    if not isinstance(value, dict):
        return None
    name, group = text(value.get("name")), text(value.get("group"))
    code = text(value.get("code")) or (_code(group, name) if group and name else None)
    if code is None and name is None and group is None:
        return None
    return SignalRef(code=code, name=name, group=group)


def _code(group: str, name: str) -> str:
    # The service's codes are "<group>-<name>" in lower case: tractionbattery-stateofcharge.
    return f"{group}-{name}".lower()


# Triggers -----------------------------------------------------------------------------------


def triggers(envelope: Mapping[str, Any]) -> Tuple[Trigger, ...]:
    """``triggers`` (at the top, or in ``data``), in any of their shapes."""
    return _each(_top_or_data(envelope, "triggers"), _trigger)


def _trigger(value: Any) -> Optional[Trigger]:
    if isinstance(value, str):
        return _flat_trigger(value, value)
    if not isinstance(value, dict):
        return None
    kind = text(value.get("type"))
    if kind is not None:
        return Trigger(type=kind, signal=signal_ref(value.get("signal")))
    code = text(value.get("code"))
    if code is not None and "name" not in value and "group" not in value:
        return _flat_trigger(code, value)
    ref = signal_ref(value)
    return None if ref is None else Trigger(type="SIGNAL_UPDATED", signal=ref)


def _flat_trigger(code: str, value: Any) -> Optional[Trigger]:
    # Trigger types are UPPER_SNAKE ({"code": "FIRST_DELIVERY"}); anything else names a signal.
    if code.isupper() and "-" not in code and "." not in code:
        return Trigger(type=code)
    ref = signal_ref(value)
    return None if ref is None else Trigger(type="SIGNAL_UPDATED", signal=ref)


# Vehicle errors -----------------------------------------------------------------------------


def errors(envelope: Mapping[str, Any]) -> Tuple[VehicleError, ...]:
    """``data.errors`` of a VEHICLE_ERROR event: every entry that is an object."""
    return _each(data_of(envelope).get("errors"), _vehicle_error)


def _vehicle_error(value: Any) -> Optional[VehicleError]:
    if not isinstance(value, dict):
        return None
    resolution = value.get("resolution")
    readable_resolution: Optional[Dict[str, Optional[str]]] = None
    if isinstance(resolution, dict):
        readable_resolution = {
            "type": text(resolution.get("type")),
            "url": text(resolution.get("url")),
        }
    return VehicleError(
        type=text(value.get("type")),
        code=text(value.get("code")),
        state=text(value.get("state")) or "ERROR",
        description=text(value.get("description")),
        doc_url=text(value.get("docURL")) or text(value.get("docUrl")),
        resolution=readable_resolution,
        suggested_user_message=text(value.get("suggestedUserMessage")),
        signals=_each(value.get("signals"), signal_ref),
        raw=value,
    )
