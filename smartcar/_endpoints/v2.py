"""API v2.0, as the official Python SDK 6.x sends it (``shared/spec/api-v2-v3.md`` 7.2).

The seed's calls keep their v1.0 paths and bodies; 6.x sends ``sc-unit-system`` on every
vehicle GET and on batch, never on commands or DELETE.
"""

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
    # Vehicle reads.
    "info": read(V),
    "vin": read(V + "vin", fields=("vin",)),
    "permissions": read(V + "permissions", fields=("permissions",)),
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
    # What the official 6.x SDK adds on v2.0 (reads send sc-unit-system, commands do not).
    "lock_status": read(V + "security"),
    "get_charge_limit": read(V + "charge/limit"),
    "service_history": read(V + "service/history", units=True),
    "diagnostic_system_status": read(V + "diagnostics/system_status"),
    "diagnostic_trouble_codes": read(V + "diagnostics/dtcs"),
    "nominal_capacity": read(V + "battery/nominal_capacity"),
    "set_charge_limit": command(V + "charge/limit"),
    "send_destination": command(V + "navigation/destination"),
    "subscribe": command(V + "webhooks/{webhook_id}", fields=()),
    "unsubscribe": delete(V + "webhooks/{webhook_id}"),
}
