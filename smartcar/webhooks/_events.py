"""The typed webhook events :func:`~smartcar.webhooks.parse_event` returns.

An event keeps the delivery's JSON object (``raw``) and reads each attribute from it on first
access (then keeps it): a receiver pays for the parts its app reads, when it reads them, and
not for the dozens of signals of a delivery it only stores or forwards. Events are immutable;
two events are equal when their JSON objects are.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Dict, Mapping, Optional, Tuple, Union

from ..v3._signals import Signal
from . import _parts
from ._values import DeliveryMeta, Trigger, VehicleError, WebhookUser, WebhookVehicle

if TYPE_CHECKING:
    from ..types import DataResult, UnitDataResult
    from ..v3._snapshot import Snapshot

__all__ = [
    "Event",
    "LegacyEvent",
    "UnknownEvent",
    "VehicleErrorEvent",
    "VehicleStateEvent",
    "VerifyEvent",
]


class _Delivered:
    """An event read from its delivery's JSON object ``raw``, attribute by attribute."""

    raw: Mapping[str, Any]

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.__dict__["raw"] = raw

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.raw == other.raw)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.event_id))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(event_id={self.event_id!r})"

    @cached_property
    def event_id(self) -> Optional[str]:
        """The ``eventId`` (the same on every retry of one event), or ``None`` when absent."""
        return _parts.text(self.raw.get("eventId"))

    @cached_property
    def meta(self) -> DeliveryMeta:
        """Which webhook sent the event, and when (fields not sent are ``None``)."""
        return _parts.meta(self.raw)


class VerifyEvent(_Delivered):
    """The challenge Smartcar sends when a webhook is created or its URI changes.

    Answer it with :func:`~smartcar.webhooks.challenge_response` (the
    :class:`~smartcar.webhooks.Receiver` does). ``meta.version`` is ``"2.0"`` for the legacy
    body ``{"eventName": "verify", "payload": {"challenge"}}``.
    """

    event_type: ClassVar[str] = "VERIFY"
    challenge: str

    def __init__(self, raw: Mapping[str, Any], challenge: str) -> None:
        super().__init__(raw)
        self.__dict__["challenge"] = challenge


class _VehicleEvent(_Delivered):
    """The ids a vehicle event carries, read from its ``data.vehicle`` and ``data.user``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(event_id={self.event_id!r}, vehicle_id={self.vehicle_id!r})"

    @cached_property
    def vehicle(self) -> WebhookVehicle:
        """The vehicle the event is about."""
        return _parts.vehicle(self.raw)

    @cached_property
    def user(self) -> Optional[WebhookUser]:
        """The connected user, or ``None`` for apps whose webhooks carry none (v2-era)."""
        return _parts.user(self.raw)

    @property
    def vehicle_id(self) -> Optional[str]:
        """The Smartcar vehicle id (``None`` only when the delivery names no vehicle)."""
        return self.vehicle.id

    @property
    def user_id(self) -> Optional[str]:
        """The Smartcar user id, or ``None`` when the delivery carries no user."""
        user = self.user
        return user.id if user else None

    @property
    def external_id(self) -> Optional[str]:
        """Your own id for the user (set at Connect), or ``None``."""
        user = self.user
        return user.external_id if user else None


class VehicleStateEvent(_VehicleEvent):
    """New signal values of one vehicle (every subscribed signal, not just the triggering one).

    ``signals`` are :class:`smartcar.v3.Signal` values (decoded on first access; an entry that
    names no signal is left out); ``triggers`` say why it was sent. The seed's reads
    (``odometer()``, ``battery()``, ``location()``, ``fuel()``...) give the shapes of the
    :class:`smartcar.v3.Vehicle` methods of the same names from these signals, and send
    nothing; :meth:`snapshot` gives them in imperial units too.
    """

    event_type: ClassVar[str] = "VEHICLE_STATE"

    @cached_property
    def signals(self) -> Tuple[Signal, ...]:
        """The signals the delivery carries, in its order."""
        return _parts.signals(self.raw)

    @cached_property
    def triggers(self) -> Tuple[Trigger, ...]:
        """Why the event was sent (``SIGNAL_UPDATED`` with the signal, or ``FIRST_DELIVERY``)."""
        return _parts.triggers(self.raw)

    @cached_property
    def _by_code(self) -> Dict[str, Signal]:
        return {signal.code: signal for signal in self.signals}

    def signal(self, code: str) -> Optional[Signal]:
        """Return the signal with this code (e.g. ``"tractionbattery-stateofcharge"``), or None."""
        return self._by_code.get(code)

    def snapshot(self, unit_system: str = "metric") -> Snapshot:
        """The event's signals as a :class:`smartcar.v3.Snapshot`: the seed's reads over them.

        Raises:
            ValueError: ``unit_system`` is neither ``"metric"`` nor ``"imperial"``.
        """
        from ..v3._snapshot import Snapshot

        return Snapshot(self._by_code, unit_system=unit_system)

    # The seed's reads, from the signals carried (no call; errors as the v3 Vehicle's) ------

    def vin(self) -> str:
        """The VIN (``vehicleidentification-vin``); see :meth:`smartcar.v3.Snapshot.vin`."""
        return self.snapshot().vin()

    def location(self) -> DataResult:
        """``{"data": {"latitude", "longitude"}, "age"}``."""
        return self.snapshot().location()

    def odometer(self) -> UnitDataResult:
        """``{"data": {"distance"}, "unit_system", "age"}`` (km)."""
        return self.snapshot().odometer()

    def fuel(self) -> UnitDataResult:
        """``{"data": {"range", "percentRemaining", "amountRemaining"}, "unit_system", "age"}``."""
        return self.snapshot().fuel()

    def battery(self) -> UnitDataResult:
        """``{"data": {"range", "percentRemaining"}, "unit_system", "age"}`` (km; 0..1)."""
        return self.snapshot().battery()

    def battery_capacity(self) -> DataResult:
        """``{"data": {"capacity"}, "age"}`` (kWh)."""
        return self.snapshot().battery_capacity()

    def charge(self) -> DataResult:
        """``{"data": {"isPluggedIn", "state"}, "age"}``."""
        return self.snapshot().charge()

    def oil(self) -> DataResult:
        """``{"data": {"lifeRemaining"}, "age"}`` (0..1)."""
        return self.snapshot().oil()

    def tire_pressure(self) -> UnitDataResult:
        """``{"data": {"tires": {...}}, "unit_system", "age"}`` (kPa)."""
        return self.snapshot().tire_pressure()


class VehicleErrorEvent(_VehicleEvent):
    """A vehicle went into an error state (``state == "ERROR"``) or out of it (``"RESOLVED"``).

    ``errors`` holds every entry of ``data.errors`` that is an object (empty when none is).
    """

    event_type: ClassVar[str] = "VEHICLE_ERROR"

    @cached_property
    def errors(self) -> Tuple[VehicleError, ...]:
        """The error entries, each with the signals it affects."""
        return _parts.errors(self.raw)


class LegacyEvent(_Delivered):
    """A legacy v2.0 webhook body other than ``verify`` (e.g. ``eventName: "eventBased"``).

    ``event_type`` is the payload's own type (``CHARGING_STARTED``, ``CHARGING_STOPPED``,
    ``CHARGING_COMPLETED``); ``payload`` is the whole ``payload`` object (empty when absent).
    """

    event_name: str

    def __init__(self, raw: Mapping[str, Any], event_name: str) -> None:
        super().__init__(raw)
        self.__dict__["event_name"] = event_name

    @cached_property
    def payload(self) -> Mapping[str, Any]:
        """The ``payload`` object."""
        return _parts.obj(self.raw.get("payload"))

    @cached_property
    def event_id(self) -> Optional[str]:
        """The payload's ``eventId``."""
        return _parts.text(self.payload.get("eventId"))

    @property
    def vehicle_id(self) -> Optional[str]:
        """The payload's ``vehicleId``."""
        return _parts.text(self.payload.get("vehicleId"))

    @property
    def event_type(self) -> Optional[str]:
        """The payload's ``eventType`` (``CHARGING_STARTED``...)."""
        return _parts.text(self.payload.get("eventType"))

    @cached_property
    def event_time(self) -> Optional[datetime]:
        """The payload's ``eventTime`` (``None`` when absent or unreadable)."""
        return _parts.time(self.payload.get("eventTime"))

    @property
    def mode(self) -> Optional[str]:
        """``"test"`` or ``"live"``."""
        return self.meta.mode


class UnknownEvent(_Delivered):
    """A v3 envelope whose ``eventType`` this SDK does not know yet."""

    event_type: str

    def __init__(self, raw: Mapping[str, Any], event_type: str) -> None:
        super().__init__(raw)
        self.__dict__["event_type"] = event_type


Event = Union[VerifyEvent, VehicleStateEvent, VehicleErrorEvent, LegacyEvent, UnknownEvent]
"""Any event :func:`~smartcar.webhooks.parse_event` returns."""
