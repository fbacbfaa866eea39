"""v3 commands (``POST /v3/vehicles/{id}/commands/...``): each one checks its input and the
vehicle's state, changes the same :class:`SimVehicle` that v1.0/v2.0 read, and answers a
``command-execution`` resource."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Collection, Dict, List, Optional, Tuple

from smartcar.emulator.fleet import SimVehicle
from smartcar.emulator.problems import Problem
from smartcar.emulator.v3.errors import invalid_input
from smartcar.emulator.v3.jsonapi import iso

Apply = Callable[[SimVehicle, Dict[str, Any]], Dict[str, Any]]

_ALL = ("gas", "hybrid", "electric")
_BATTERY = ("hybrid", "electric")


@dataclass(frozen=True)
class CommandDef:
    command_type: str  # e.g. "charge-set-limit"
    permission: str
    kinds: Tuple[str, ...]
    apply: Apply  # changes the vehicle; returns the parameters echoed in the answer


def _lock(vehicle: SimVehicle, attrs: Dict[str, Any]) -> Dict[str, Any]:
    vehicle.locked = True
    return {}


def _unlock(vehicle: SimVehicle, attrs: Dict[str, Any]) -> Dict[str, Any]:
    vehicle.locked = False
    return {}


def _start_charge(vehicle: SimVehicle, attrs: Dict[str, Any]) -> Dict[str, Any]:
    if not vehicle.is_plugged_in:
        raise Problem(
            "VEHICLE_STATE", "The charging cable is not plugged in.", "CHARGING_PLUG_NOT_CONNECTED"
        )
    if vehicle.is_full:
        raise Problem(
            "VEHICLE_STATE", "The battery is already charged to its limit.", "FULLY_CHARGED"
        )
    vehicle.charging = True
    return {}


def _stop_charge(vehicle: SimVehicle, attrs: Dict[str, Any]) -> Dict[str, Any]:
    vehicle.charging = False
    return {}


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _set_limit(vehicle: SimVehicle, attrs: Dict[str, Any]) -> Dict[str, Any]:
    percent = attrs.get("percent")
    number = _number(percent)
    if number is None or number != int(number) or not 50 <= number <= 100:
        raise invalid_input(
            "percent must be an integer from 50 to 100.", "/data/attributes/percent"
        )
    vehicle.charge_limit = int(number) / 100.0
    if vehicle.charging and vehicle.is_full:
        vehicle.charging = False
    return {"percent": int(number)}


def _set_destination(vehicle: SimVehicle, attrs: Dict[str, Any]) -> Dict[str, Any]:
    errors: List[Problem] = []
    coordinates: Dict[str, float] = {}
    for name, bound in (("latitude", 90.0), ("longitude", 180.0)):
        number = _number(attrs.get(name))
        if number is None or not -bound <= number <= bound:
            errors.append(
                invalid_input(
                    f"{name} must be a number from {-bound:g} to {bound:g}.",
                    f"/data/attributes/{name}",
                )
            )
        else:
            coordinates[name] = number
    if errors:
        raise Problem.all(errors)
    vehicle.destination = (coordinates["latitude"], coordinates["longitude"])
    return dict(coordinates)


def _open_port(vehicle: SimVehicle, attrs: Dict[str, Any]) -> Dict[str, Any]:
    vehicle.charge_port_open = True
    return {}


def _close_port(vehicle: SimVehicle, attrs: Dict[str, Any]) -> Dict[str, Any]:
    vehicle.charge_port_open = False
    return {}


# path after /v3/vehicles/{id}/commands/ -> command
COMMANDS: Dict[str, CommandDef] = {
    "security/lock": CommandDef("security-lock", "control_security", _ALL, _lock),
    "security/unlock": CommandDef("security-unlock", "control_security", _ALL, _unlock),
    "charge/start": CommandDef("charge-start", "control_charge", _BATTERY, _start_charge),
    "charge/stop": CommandDef("charge-stop", "control_charge", _BATTERY, _stop_charge),
    "charge/set-limit": CommandDef("charge-set-limit", "control_charge", _BATTERY, _set_limit),
    "charge-port/open": CommandDef("charge-port-open", "control_charge", _BATTERY, _open_port),
    "charge-port/close": CommandDef("charge-port-close", "control_charge", _BATTERY, _close_port),
    "navigation/set-destination": CommandDef(
        "navigation-set-destination", "control_navigation", _ALL, _set_destination
    ),
}


def execute(
    name: str,
    vehicle: SimVehicle,
    permissions: Collection[str],
    attrs: Dict[str, Any],
    now: datetime,
) -> Dict[str, Any]:
    """Run the command ``name`` (a :data:`COMMANDS` key) on ``vehicle`` and return its
    ``command-execution`` document. Raises :class:`~smartcar.emulator.problems.Problem`:
    404 for an unknown command, 403 PERMISSION, 501 COMPATIBILITY, 400 VALIDATION,
    409 VEHICLE_STATE."""
    command = COMMANDS.get(name)
    if command is None:
        raise Problem("RESOURCE_NOT_FOUND", f"There is no command {name}.", "PATH")
    if command.permission not in permissions:
        raise Problem("PERMISSION", f"The connection lacks the {command.permission} permission.")
    if vehicle.kind not in command.kinds:
        raise Problem(
            "COMPATIBILITY",
            f"{vehicle.summary()} ({vehicle.kind}) cannot run {command.command_type}.",
            "VEHICLE_NOT_CAPABLE",
        )
    parameters = command.apply(vehicle, attrs)
    attributes: Dict[str, Any] = {
        "commandType": command.command_type,
        "status": {"value": "SUCCESS"},
        "executionMode": "sync",
    }
    if parameters:
        attributes["parameters"] = parameters
    return {
        "data": {
            "id": f"exec_{uuid.uuid4().hex[:16]}",
            "type": "command-execution",
            "attributes": attributes,
            "meta": {"executedAt": iso(now), "completedAt": iso(now), "durationInSeconds": 0},
        }
    }
