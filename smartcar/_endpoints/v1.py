"""API v1.0, byte for byte as smartcar 4.3.5 spoke it (``shared/spec/wire-protocol.md``)."""

from __future__ import annotations

from typing import Dict

from . import Endpoint, batch, command, delete, read

__all__ = ["ENDPOINTS"]

V = "vehicles/{vehicle_id}/"

ENDPOINTS: Dict[str, Endpoint] = {
    # Module functions and AuthClient.
    "user": read("user", fields=("id",), unit_system=False),
    "vehicles": read("vehicles", unit_system=False),
    "compatibility": read("compatibility", fields=("compatible",), unit_system=False, auth="basic"),
    "token": Endpoint("POST", "", fields=("expires_in",), auth="basic", service="AUTH_URL"),
    # Vehicle reads (4.3.5 sends sc-unit-system on every one but permissions).
    "info": read(V),
    "vin": read(V + "vin", fields=("vin",)),
    "permissions": read(V + "permissions", fields=("permissions",), unit_system=False),
    "location": read(V + "location"),
    "odometer": read(V + "odometer", units=True),
    "fuel": read(V + "fuel", units=True),
    "battery": read(V + "battery", units=True),
    "battery_capacity": read(V + "battery/capacity"),
    "charge": read(V + "charge"),
    "oil": read(V + "engine/oil"),
    "tire_pressure": read(V + "tires/pressure", units=True, wrap_in="tires"),
    "batch": batch(V + "batch"),
    # Commands.
    "lock": command(V + "security", {"action": "LOCK"}),
    "unlock": command(V + "security", {"action": "UNLOCK"}),
    "start_charge": command(V + "charge", {"action": "START"}),
    "stop_charge": command(V + "charge", {"action": "STOP"}),
    "disconnect": delete(V + "application"),
}
