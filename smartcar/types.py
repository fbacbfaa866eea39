"""Shapes of the values the SDK returns, and the token provider protocol.

At run time every dict below is a :class:`smartcar.Result`: a ``dict`` with exactly the keys
smartcar 4.3 returned (bodies are passed on as the service sent them, so a field the service
left out is absent) and the answer's ``sc-request-id`` as the ``request_id`` attribute, never
as a key.
"""

from __future__ import annotations

import datetime
from typing import Any, Dict, List, Optional, Protocol, TypedDict, runtime_checkable


class Paging(TypedDict):
    count: int
    offset: int


class VehicleIds(TypedDict):
    """Returned by :func:`smartcar.get_vehicle_ids`."""

    vehicles: List[str]
    paging: Paging


class VehicleInfo(TypedDict):
    """Returned by ``Vehicle.info``."""

    id: str
    make: str
    model: str
    year: int


class Access(TypedDict):
    """Returned by ``AuthClient.exchange_code`` and ``exchange_refresh_token``.

    ``expiration`` and ``refresh_expiration`` are naive UTC datetimes, as in smartcar 4.3.
    """

    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    expiration: datetime.datetime
    refresh_expiration: datetime.datetime


class _DataResult(TypedDict):
    data: Dict[str, Any]
    age: Optional[datetime.datetime]


class DataResult(_DataResult):
    """A read without units: ``location``, ``charge``, ``oil``, ``battery_capacity``."""


class UnitDataResult(_DataResult):
    """A read with units: ``odometer``, ``fuel``, ``battery``, ``tire_pressure``."""

    unit_system: str


class ActionResult(TypedDict):
    """Returned by ``lock``, ``unlock``, ``start_charge``, ``stop_charge``."""

    status: str


class ServiceHistoryResult(TypedDict):
    """Returned by ``Vehicle.service_history``: the records as they came."""

    data: List[Dict[str, Any]]
    unit_system: str
    age: Optional[datetime.datetime]


class CommandResult(TypedDict, total=False):
    """Returned by ``set_charge_limit`` and ``send_destination``: the answer as it came."""

    status: str
    message: str


class SubscribeResult(TypedDict, total=False):
    """Returned by ``Vehicle.subscribe``."""

    webhookId: str
    vehicleId: str


class StatusResult(TypedDict, total=False):
    """Returned by ``Vehicle.unsubscribe``."""

    status: str


class RawResponse(TypedDict):
    """Returned by ``Vehicle.request``: the status, the headers (names in lower case) and
    the parsed JSON body (``None`` if empty)."""

    code: int
    headers: Dict[str, str]
    body: Any


class Capability(TypedDict, total=False):
    permission: str
    endpoint: str
    capable: bool
    reason: Optional[str]


class Compatibility(TypedDict, total=False):
    """Returned by :func:`smartcar.get_compatibility` (API v2.0): the answer as it came."""

    compatible: bool
    reason: Optional[str]
    capabilities: List[Capability]


class Connection(TypedDict, total=False):
    """One entry of :func:`smartcar.get_connections`."""

    userId: str
    vehicleId: str
    connectedAt: str
    mode: str


class DeletedConnection(TypedDict, total=False):
    """One entry of :func:`smartcar.delete_connections`."""

    userId: str
    vehicleId: str


class BatchItem(TypedDict):
    code: int
    headers: Dict[str, Any]
    body: Any


BatchResult = Dict[str, BatchItem]


@runtime_checkable
class TokenProvider(Protocol):
    """Supplies access tokens to a :class:`smartcar.Vehicle` (see ``smartcar.tokens``)."""

    def access_token(self) -> str:
        """Return an access token believed to be valid."""
        ...

    def refresh_access_token(self, rejected: str) -> str:
        """Return a new access token after the service rejected ``rejected``."""
        ...
