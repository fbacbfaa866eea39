"""API v3 (``smartcar.v3``): the vehicle API under ``VEHICLE_API_V3_URL`` with the application
token (``sc-user-id`` names the user a call acts for), and the token endpoint itself.

Reads may be repeated and are replayed after a 401; commands, charge schedules and deletes
are replayed only after a 401 that refused the token (the rule of every version).
"""

from __future__ import annotations

from typing import Dict

from . import Endpoint, command, delete, read

__all__ = ["ENDPOINTS", "SERVICE"]

SERVICE = "VEHICLE_API_V3_URL"
V = "vehicles/{vehicle_id}"


def _read(path: str) -> Endpoint:
    return read(path, unit_system=False, auth="app", service=SERVICE)


def _command(path: str, method: str = "POST") -> Endpoint:
    return command(path, fields=(), method=method, auth="app", service=SERVICE)


ENDPOINTS: Dict[str, Endpoint] = {
    # The application token (client credentials in the form; no Authorization header).
    "app_token": Endpoint("POST", "", auth="none", service="IAM_URL"),
    # Vehicles.
    "vehicle": _read(V),
    "signals": _read(V + "/signals"),
    "signal": _read(V + "/signals/{code}"),
    "lock": _command(V + "/commands/security/lock"),
    "unlock": _command(V + "/commands/security/unlock"),
    "start_charge": _command(V + "/commands/charge/start"),
    "stop_charge": _command(V + "/commands/charge/stop"),
    "set_charge_limit": _command(V + "/commands/charge/set-limit"),
    "set_destination": _command(V + "/commands/navigation/set-destination"),
    "open_charge_port": _command(V + "/commands/charge-port/open"),
    "close_charge_port": _command(V + "/commands/charge-port/close"),
    "set_charge_schedule": _command(V + "/charge-schedules/{schedule}"),
    "delete_charge_schedule": _command(V + "/charge-schedules/{schedule}", "DELETE"),
    # Connections and users.
    "connections": _read("connections"),
    "connection": _read("connections/{connection_id}"),
    "delete_connection": delete("connections/{connection_id}", auth="app", service=SERVICE),
    "delete_user": delete("users/{user_id}", auth="app", service=SERVICE),
}
