"""v3 charge schedules (``POST /v3/vehicles/{id}/charge-schedules/{daily|weekly|workweek}``,
``DELETE .../charge-schedules/{scheduleId}``): checked, kept on the :class:`SimVehicle`,
read back through the ``charge-chargetimers`` signal (spec section 3.4).

Smartcar supports them on Tesla (all three kinds) and Volvo (daily); other makes answer 501
COMPATIBILITY/VEHICLE_NOT_CAPABLE. The daily body is documented; the weekly (``days``
keyed by weekday) and workweek (``weekdays``/``weekends``) bodies follow the third-party
summary the spec cites, each value being ``{"startTime", "stopTime"}``.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Collection, Dict, List, Optional, Tuple

from smartcar.emulator.fleet import SimVehicle
from smartcar.emulator.problems import Problem
from smartcar.emulator.v3.errors import invalid_input
from smartcar.emulator.v3.jsonapi import iso

KINDS = ("daily", "weekly", "workweek")
SUPPORTED: Dict[str, Tuple[str, ...]] = {"TESLA": KINDS, "VOLVO": ("daily",)}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _location(attrs: Dict[str, Any], errors: List[Problem]) -> Dict[str, float]:
    location = attrs.get("location")
    if not isinstance(location, dict):
        errors.append(
            invalid_input("location must be {latitude, longitude}.", "/data/attributes/location")
        )
        return {}
    found: Dict[str, float] = {}
    for name, bound in (("latitude", 90.0), ("longitude", 180.0)):
        number = _number(location.get(name))
        if number is None or not -bound <= number <= bound:
            errors.append(
                invalid_input(f"location.{name} must be a number from {-bound:g} to {bound:g}.",
                         f"/data/attributes/location/{name}")
            )  # fmt: skip
        else:
            found[name] = number
    return found


def _window(value: Any, pointer: str, errors: List[Problem]) -> Dict[str, str]:
    window = value if isinstance(value, dict) else {}
    found: Dict[str, str] = {}
    for name in ("startTime", "stopTime"):
        text = window.get(name)
        if not isinstance(text, str) or not _TIME.match(text):
            errors.append(invalid_input(f"{name} must be HH:MM (24 h).", f"{pointer}/{name}"))
        else:
            found[name] = text
    return found


def _parameters(kind: str, attrs: Dict[str, Any]) -> Dict[str, Any]:
    errors: List[Problem] = []
    parameters: Dict[str, Any] = {"location": _location(attrs, errors)}
    base = "/data/attributes"
    if kind == "daily":
        parameters.update(_window(attrs, base, errors))
    elif kind == "weekly":
        days = attrs.get("days")
        if not isinstance(days, dict) or not days or set(days) - set(WEEKDAYS):
            errors.append(invalid_input("days must map weekday names to {startTime, stopTime}.",
                                   f"{base}/days"))  # fmt: skip
        else:
            parameters["days"] = {
                day: _window(days[day], f"{base}/days/{day}", errors) for day in days
            }
    else:
        for name in ("weekdays", "weekends"):
            parameters[name] = _window(attrs.get(name), f"{base}/{name}", errors)
    if errors:
        raise Problem.all(errors)
    return parameters


def _execution(
    vehicle: SimVehicle, action: str, kind: str, schedule_id: str, parameters: Dict[str, Any],
    now: datetime,
) -> Dict[str, Any]:  # fmt: skip
    return {
        "data": {
            "id": f"exec_{uuid.uuid4().hex[:16]}",
            "type": "charge-schedule-execution",
            "attributes": {
                "action": action,
                "scheduleType": kind,
                "status": {"value": "SUCCESS"},
                "executionMode": "sync",
                "scheduleId": schedule_id,
                "parameters": parameters,
            },
            "links": {"schedule": f"/vehicles/{vehicle.id}/charge-schedules/{schedule_id}"},
            "meta": {"executedAt": iso(now), "completedAt": iso(now), "durationInSeconds": 0},
        }
    }


def _check(vehicle: SimVehicle, permissions: Collection[str], kind: str) -> None:
    if "control_charge" not in permissions:
        raise Problem("PERMISSION", "The connection lacks the control_charge permission.")
    if vehicle.kind == "gas" or kind not in SUPPORTED.get(vehicle.make, ()):
        raise Problem(
            "COMPATIBILITY",
            f"{vehicle.summary()} does not support {kind} charge schedules.",
            "VEHICLE_NOT_CAPABLE",
        )


def create(
    kind: str,
    vehicle: SimVehicle,
    permissions: Collection[str],
    attrs: Dict[str, Any],
    now: datetime,
) -> Dict[str, Any]:
    """Create a ``kind`` schedule and return its ``charge-schedule-execution`` document.

    Raises:
        Problem: 404 for an unknown kind, 403, 501 (make or vehicle not capable), 400.
    """
    if kind not in KINDS:
        raise Problem("RESOURCE_NOT_FOUND", f"There are no {kind} charge schedules.", "PATH")
    _check(vehicle, permissions, kind)
    parameters = _parameters(kind, attrs)
    schedule_id = f"sched_{uuid.uuid4().hex[:12]}"
    vehicle.charge_schedules.append({"id": schedule_id, "type": kind, "parameters": parameters})
    return _execution(vehicle, "create", kind, schedule_id, parameters, now)


def delete(
    vehicle: SimVehicle, permissions: Collection[str], schedule_id: str, now: datetime
) -> Dict[str, Any]:
    """Delete a schedule; its ``charge-schedule-execution`` document (404 when unknown)."""
    found = next((item for item in vehicle.charge_schedules if item["id"] == schedule_id), None)
    if found is None:
        raise Problem("RESOURCE_NOT_FOUND", f"No charge schedule {schedule_id}.", "PATH")
    _check(vehicle, permissions, found["type"])
    vehicle.charge_schedules.remove(found)
    return _execution(vehicle, "delete", found["type"], schedule_id, found["parameters"], now)


def timers_body(vehicle: SimVehicle) -> Dict[str, Any]:
    """The ``charge-chargetimers`` signal body: one LOCATION timer per schedule."""
    values = []
    for item in vehicle.charge_schedules:
        parameters = item["parameters"]
        if item["type"] == "daily":
            windows = [(list(WEEKDAYS), parameters)]
        elif item["type"] == "weekly":
            windows = [([day], window) for day, window in parameters["days"].items()]
        else:
            windows = [(list(WEEKDAYS[:5]), parameters["weekdays"]),
                       (list(WEEKDAYS[5:]), parameters["weekends"])]  # fmt: skip
        values.append(
            {
                "type": "LOCATION",
                "scheduleType": item["type"],
                "scheduleId": item["id"],
                "condition": dict(parameters["location"]),
                "schedules": [
                    {"start": window["startTime"], "end": window["stopTime"], "days": days}
                    for days, window in windows
                ],
            }
        )
    return {"values": values}
