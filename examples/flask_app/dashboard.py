"""The vehicle table: one row per connected vehicle, read through ``smartcar.v3``.

Every call counts against the vehicle's monthly allowance, so a row costs two: ``info()`` and
one ``snapshot()`` (every signal at once). The figures come from the snapshot's seed reads
(``odometer()``, ``location()``, ``fuel()``, ``battery()``: smartcar 4.3's shapes, built by the
SDK from v3 signals and converted to the unit system asked for) and the doors from its
``closure-islocked`` signal. A value the vehicle cannot give blanks its cell, not the page.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Type

import smartcar
import smartcar.v3

__all__ = ["CELL_ERRORS", "Cell", "describe", "make_name", "vehicle_ids", "vehicle_row"]

LOCKED = "closure-islocked"
# Makes whose usual spelling is not the title case of the API's upper-case name.
MAKE_NAMES = {
    "BMW": "BMW",
    "GMC": "GMC",
    "MINI": "MINI",
    "RAM": "RAM",
    "MERCEDES-BENZ": "Mercedes-Benz",
}
UNIT_LABELS = {
    "metric": {"distance": "km", "volume": "L"},
    "imperial": {"distance": "mi", "volume": "gal"},
}
# Errors shown in one cell of the vehicle table instead of failing the whole page.
CELL_ERRORS: Dict[Type[smartcar.SmartcarException], str] = {
    smartcar.VehicleNotCapableException: "Not supported by this vehicle",
    smartcar.SmartcarNotCapableException: "Not supported by Smartcar for this make",
    smartcar.PermissionException: "Permission not granted",
    smartcar.StateException: "Unavailable right now",
    smartcar.GatewayTimeoutException: "The vehicle did not answer",
}
CELL_ERROR_TYPES = tuple(CELL_ERRORS)


class Cell(NamedTuple):
    """One value of the vehicle table, or the reason it is missing."""

    text: str
    value: Optional[float] = None
    note: Optional[str] = None


Redact = Callable[[BaseException], str]


def vehicle_ids(client: smartcar.v3.Client, user_id: str, mode: str = "live") -> List[str]:
    """The ids of the vehicles ``user_id`` connected (every page of ``/connections``)."""
    ids: List[str] = []
    for connection in client.connections(user_id=user_id, mode=mode, page_size=100):
        vehicle_id = connection["vehicle_id"]
        if vehicle_id and vehicle_id not in ids:
            ids.append(vehicle_id)
    return ids


def vehicle_row(vehicle: smartcar.v3.Vehicle, redact: Redact) -> Dict[str, Any]:
    """The row of one vehicle: its name, the seed's reads and whether it is locked.

    Raises:
        SmartcarException: ``info()`` failed (the page cannot name the vehicle); errors of
            single values are kept in their cells.
    """
    info = vehicle.info()
    units = UNIT_LABELS[vehicle.unit_system]
    failure: Optional[smartcar.SmartcarException] = None
    try:
        readings = vehicle.snapshot()
    except CELL_ERROR_TYPES as error:  # e.g. asleep: every cell says why
        failure = error

    def snapshot() -> smartcar.v3.Snapshot:
        if failure is not None:
            raise failure
        return readings

    make = make_name(info["make"] or "")
    year = info["year"] or ""
    model = info["model"] or ""
    return {
        "id": vehicle.vehicle_id,
        "label": " ".join(str(part) for part in (year, make, model) if part) or "Your vehicle",
        "make": make,
        "model": model,
        "year": year,
        "odometer": _cell(
            lambda: _distance(snapshot().odometer()["data"]["distance"], units), redact
        ),
        "location": _cell(lambda: _location(snapshot().location()["data"]), redact),
        "fuel": _cell(lambda: _fuel(snapshot().fuel()["data"], units), redact),
        "battery": _cell(lambda: _battery(snapshot().battery()["data"], units), redact),
        "doors": _cell(lambda: _doors(snapshot()), redact),
    }


def make_name(make: str) -> str:
    """How people write a make the API spells in capitals: ``TESLA`` -> ``Tesla``."""
    return MAKE_NAMES.get(make.upper(), make.title())


def describe(error: smartcar.SmartcarException, redact: Redact) -> str:
    """A short reason for a missing value or a failed command (redacted)."""
    for cls, text in CELL_ERRORS.items():
        if isinstance(error, cls):
            if isinstance(error, smartcar.StateException):
                return f"{text} ({redact(error)})"
            return text
    return redact(error)


def _cell(read: Callable[[], Cell], redact: Redact) -> Cell:
    try:
        cell: Cell = read()
    except CELL_ERROR_TYPES as error:
        return Cell("—", note=describe(error, redact))
    return cell


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise smartcar.VehicleNotCapableException("the vehicle sent no value")
    return float(value)


def _distance(distance: Any, units: Mapping[str, str]) -> Cell:
    km_or_mi = _number(distance)
    return Cell(f"{km_or_mi:,.1f} {units['distance']}", value=km_or_mi)


def _location(data: Mapping[str, Any]) -> Cell:
    latitude, longitude = _number(data["latitude"]), _number(data["longitude"])
    return Cell(f"{latitude:.5f}, {longitude:.5f}", value=latitude)


def _fuel(data: Mapping[str, Any], units: Mapping[str, str]) -> Cell:
    percent = _number(data["percentRemaining"]) * 100
    text = f"{percent:.0f}%"
    if data.get("amountRemaining") is not None:
        text += f" · {_number(data['amountRemaining']):,.1f} {units['volume']}"
    note = None
    if data.get("range") is not None:
        note = f"{_number(data['range']):,.0f} {units['distance']} range"
    return Cell(text, value=percent, note=note)


def _battery(data: Mapping[str, Any], units: Mapping[str, str]) -> Cell:
    percent = _number(data["percentRemaining"]) * 100
    note = None
    if data.get("range") is not None:
        note = f"{_number(data['range']):,.0f} {units['distance']} range"
    return Cell(f"{percent:.0f}%", value=percent, note=note)


def _doors(snapshot: smartcar.v3.Snapshot) -> Cell:
    signal = snapshot.signal(LOCKED)
    if signal is None:  # this vehicle has no such signal
        return Cell("—", note=CELL_ERRORS[smartcar.VehicleNotCapableException])
    if signal.status == "UNAVAILABLE":
        return Cell("—", note=CELL_ERRORS[smartcar.StateException])
    signal.raise_for_status()
    locked = bool(signal.value)
    return Cell("Locked" if locked else "Unlocked", value=1.0 if locked else 0.0)
