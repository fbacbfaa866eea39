"""Shapes of the values ``smartcar.v3`` returns (plain dicts, typed for checkers).

Keys are snake_case; times are aware UTC datetimes (``None`` when the service sent none).
At run time each dict is a :class:`smartcar.Result`, as in the rest of the SDK: the answer's
``sc-request-id`` is its ``request_id`` attribute, never a key. Signals are
:class:`smartcar.v3.Signal` objects.
"""

from __future__ import annotations

import datetime
from typing import Any, Dict, List, Optional, TypedDict

__all__ = [
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


class VehicleInfo(TypedDict):
    """Returned by ``Vehicle.info()`` (``GET /vehicles/{id}``)."""

    id: str
    make: Optional[str]
    model: Optional[str]
    year: Optional[int]
    powertrain_type: Optional[str]
    """``"ICE"``, ``"BEV"``, ``"PHEV"``, ``"HEV"``..."""
    mode: Optional[str]
    """``"live"``, ``"simulated"`` or ``"test"``."""


class ConnectionVehicle(TypedDict):
    """The vehicle summary inside a connection or subscription."""

    make: Optional[str]
    model: Optional[str]
    year: Optional[int]
    mode: Optional[str]
    powertrain_type: Optional[str]


class Connection(TypedDict):
    """One connection (a user granted the application access to one vehicle).

    ``id``, ``vehicle_id`` and ``user_id`` are always present: a connection the service sent
    without them is refused as a bad answer.
    """

    id: str
    vehicle_id: str
    user_id: str
    """The value ``Client.vehicle(vehicle_id, user_id)`` needs (``sc-user-id``)."""
    external_id: Optional[str]
    """Your own id for the user, when Connect was given ``external_id``."""
    permissions: List[str]
    vehicle: ConnectionVehicle
    created_at: Optional[datetime.datetime]
    updated_at: Optional[datetime.datetime]


class Webhook(TypedDict):
    """A webhook configured in the Dashboard (``GET /webhooks[/{id}]``)."""

    id: str
    name: Optional[str]
    callback_uri: Optional[str]
    error_callback_uri: Optional[str]
    is_enabled: Optional[bool]
    auto_subscribe: Optional[bool]
    triggers: List[Dict[str, Any]]
    """As sent: ``[{"group", "name", "code"}]`` or ``[{"type", "signal": {...}}]``."""
    data: List[Dict[str, Any]]
    """The signals every delivery carries, ``[{"group", "name", "code"}]``."""
    created_at: Optional[datetime.datetime]


class Subscription(TypedDict):
    """A vehicle's subscription to a webhook (``GET /subscriptions[/{id}]``)."""

    id: str
    webhook_id: Optional[str]
    vehicle_id: Optional[str]
    user_id: Optional[str]
    vehicle: ConnectionVehicle
    created_at: Optional[datetime.datetime]
    updated_at: Optional[datetime.datetime]


class SubscribeResult(TypedDict):
    """Returned by ``Client.subscribe``: the service accepted the subscription request.

    The service answers 202 ``{"meta": {"message": "subscription creation in progress"}}``;
    ``subscription`` is filled only when it answered with the subscription resource itself.
    """

    status_code: int
    message: Optional[str]
    subscription: Optional[Subscription]


class CommandExecution(TypedDict):
    """Returned by every ``Vehicle`` command (a ``command-execution`` resource)."""

    id: Optional[str]
    command_type: Optional[str]
    """e.g. ``"security-lock"``, ``"charge-set-limit"``."""
    status: str
    """``"SUCCESS"`` (any other status raises instead of returning)."""
    execution_mode: Optional[str]
    """``"sync"`` (200) or, for long-running commands, what the service says (202)."""
    parameters: Dict[str, Any]
    executed_at: Optional[datetime.datetime]
    completed_at: Optional[datetime.datetime]
    duration_seconds: Optional[float]
    status_code: int
    """200, or 202 when the command was long-running (the body still holds the outcome)."""


class ChargeScheduleExecution(TypedDict):
    """Returned by ``Vehicle.set_*_charge_schedule()`` and ``delete_charge_schedule()`` (a
    ``charge-schedule-execution`` resource)."""

    id: Optional[str]
    action: Optional[str]
    """``"create"`` or ``"delete"``."""
    schedule_type: Optional[str]
    """``"daily"``, ``"weekly"`` or ``"workweek"``."""
    schedule_id: Optional[str]
    """The id ``delete_charge_schedule()`` takes (also in the ``charge-chargetimers`` signal)."""
    status: str
    """``"SUCCESS"`` (any other status raises instead of returning)."""
    execution_mode: Optional[str]
    parameters: Dict[str, Any]
    executed_at: Optional[datetime.datetime]
    completed_at: Optional[datetime.datetime]
    duration_seconds: Optional[float]
    status_code: int


class Redirect(TypedDict, total=False):
    """Returned by :func:`smartcar.v3.parse_redirect`: the parameters present in the redirect."""

    user_id: str
    state: str
    code: str
    external_id: str
    vehicle_id: str
    virtual_key_url: str
