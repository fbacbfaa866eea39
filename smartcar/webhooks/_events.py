"""The typed webhook events :func:`~smartcar.webhooks.parse_event` returns (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Dict, Mapping, Optional, Tuple, Union

from ..v3._signals import Signal

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


class _VehicleEventIds:
    """The ids a vehicle event carries, read from its ``vehicle`` and ``user``."""

    vehicle: WebhookVehicle
    user: Optional[WebhookUser]

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
class VehicleStateEvent(_VehicleEventIds):
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

    def signal(self, code: str) -> Optional[Signal]:
        """Return the signal with this code (e.g. ``"tractionbattery-stateofcharge"``), or None."""
        for signal in self.signals:
            if signal.code == code:
                return signal
        return None


@dataclass(frozen=True)
class VehicleErrorEvent(_VehicleEventIds):
    """A vehicle went into an error state (``state == "ERROR"``) or out of it (``"RESOLVED"``)."""

    event_type: ClassVar[str] = "VEHICLE_ERROR"

    event_id: str
    vehicle: WebhookVehicle
    errors: Tuple[VehicleError, ...]
    user: Optional[WebhookUser] = None
    meta: DeliveryMeta = field(default_factory=DeliveryMeta)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


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
