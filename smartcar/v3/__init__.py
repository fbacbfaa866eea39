"""Smartcar API v3: one application token for every vehicle, acting for a user by id.

Usage::

    import smartcar.v3

    client = smartcar.v3.Client(client_id, client_secret,
                                application_id=application_id, redirect_uri=redirect_uri)
    url = client.get_auth_url(["read_odometer", "control_security"], state=csrf_state)
    # ... Smartcar Connect redirects back to redirect_uri?user_id=...&state=...
    user_id = smartcar.v3.parse_redirect(redirect_url)["user_id"]
    for connection in client.connections(user_id=user_id):
        vehicle = client.vehicle(connection["vehicle_id"], user_id)
        vehicle.odometer()          # the seed's shape: {"data": {"distance"}, "unit_system", "age"}
        snapshot = vehicle.snapshot()   # one call for every signal, then reads cost nothing
        snapshot.battery(), snapshot.location()
        vehicle.signals()           # {code: Signal}
        vehicle.lock()              # the command execution

For ``asyncio``: :class:`AsyncClient` and its :class:`AsyncVehicle` (loaded on first use; see
docs/async.md).

Names: :class:`Client`, :class:`Vehicle`, :class:`Signal` (one signal reading, as
``Vehicle.signals()`` returns it and webhook payloads carry it), :class:`SignalError`,
:class:`Snapshot` (the seed's reads over signals already fetched), :func:`parse_signal`,
:func:`parse_redirect`, :func:`check_application_id`; result shapes in
:mod:`smartcar.v3.types`.
"""

from typing import TYPE_CHECKING, Any, List

from ._connect import check_application_id, parse_redirect
from ._signals import Signal, SignalError, parse_signal
from ._snapshot import Snapshot
from ._sweep import SweepProgress, SweepResult
from .client import Client
from .vehicle import Vehicle

if TYPE_CHECKING:
    from .async_client import AsyncClient
    from .async_vehicle import AsyncVehicle

__all__ = [
    "AsyncClient",
    "AsyncVehicle",
    "Client",
    "Signal",
    "SignalError",
    "Snapshot",
    "SweepProgress",
    "SweepResult",
    "Vehicle",
    "check_application_id",
    "parse_redirect",
    "parse_signal",
]


def __getattr__(name: str) -> Any:
    """``AsyncClient`` and ``AsyncVehicle``, imported on first use."""
    if name == "AsyncClient":
        from .async_client import AsyncClient

        return AsyncClient
    if name == "AsyncVehicle":
        from .async_vehicle import AsyncVehicle

        return AsyncVehicle
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> List[str]:
    # The async names are loaded on first use but listed (dir(), REPL completion).
    return sorted({*globals(), *__all__})
