"""The parts of a webhook event: delivery meta, vehicle, user, triggers, vehicle errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, Mapping, Optional, Tuple

__all__ = [
    "DeliveryMeta",
    "SignalRef",
    "Trigger",
    "VehicleError",
    "WebhookUser",
    "WebhookVehicle",
]


@dataclass(frozen=True)
class DeliveryMeta:
    """The envelope's ``meta``: which webhook sent the event, and when.

    ``delivered_at`` is an aware UTC datetime (``deliveredAt`` as epoch milliseconds or
    ISO-8601; the documentation's ``deliveryTimestamp`` and early deliveries' ``deliveryTime``
    when it is absent; ``0`` or an unreadable time is ``None``). Fields the delivery did not
    carry, or carried in another shape, are ``None``; ``raw`` is the whole object.
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
    """A signal named without a value (in a trigger or a vehicle error).

    ``code`` is the lower-case ``<group>-<name>`` form (``"odometer-traveleddistance"``), also
    when the delivery named the signal by the string ``"Odometer.TraveledDistance"`` (early
    deliveries) or by its group and name only.
    """

    code: Optional[str]
    name: Optional[str] = None
    group: Optional[str] = None


@dataclass(frozen=True)
class Trigger:
    """Why a VEHICLE_STATE event was sent.

    ``type`` is ``"SIGNAL_UPDATED"`` (``signal`` names the signal that changed) or
    ``"FIRST_DELIVERY"`` (``signal`` is ``None``). Every shape seen gives the same value:
    ``{"type": ..., "signal": {...}}``, ``{"type": ..., "signal": "Group.Name"}`` and the flat
    ``{"code", "name", "group"}`` / ``{"code": "FIRST_DELIVERY"}``.
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
    """The vehicle an event is about (``id`` is the Smartcar vehicle id, ``None`` only when a
    delivery names none)."""

    id: Optional[str]
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
