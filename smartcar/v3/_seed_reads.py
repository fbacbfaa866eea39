"""The seed's (smartcar 4.3's) reads, rebuilt from v3 signals.

Which signal feeds which field is the table of ``api-v2-v3.md`` section 11; percentages become
the seed's fractions (``/100``). Values are converted by unit, read from each signal's ``unit``:
metric results are km, liters and kPa; imperial ones miles, US gallons and psi. A signal whose
unit already is the wanted one is left alone, so a service that honoured the unit system
itself would not be converted twice. An unknown or missing unit is taken as metric.

A read fails when a signal it uses is in error (the exception its error type maps to), or when
the vehicle sent none of the signals it needs (``VehicleNotCapableException``). A signal that
is missing or ``UNAVAILABLE`` while others of the same read are present leaves its field
``None``.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable, Collection, Dict, List, Mapping, NamedTuple, Optional, Tuple

from .._results import Result
from ..exceptions import VehicleNotCapableException
from ._signals import ERROR, UNAVAILABLE, Signal

__all__ = ["SEED_READS", "SeedRead", "build"]

KM_PER_MILE = 1.609344
LITERS_PER_US_GALLON = 3.785411784
KPA_PER_PSI = 6.894757293168361
KPA_PER_BAR = 100.0

_MILES = {"mi", "mile", "miles"}
_GALLONS = {"gal", "gallon", "gallons", "us gallons", "gal_us"}
_PSI = {"psi"}
_BAR = {"bar"}

VIN = "vehicleidentification-vin"
LOCATION = "location-preciselocation"
ODOMETER = "odometer-traveleddistance"
BATTERY_LEVEL = "tractionbattery-stateofcharge"
BATTERY_RANGE = "tractionbattery-range"
BATTERY_CAPACITY = "tractionbattery-nominalcapacity"
FUEL_LEVEL = "internalcombustionengine-fuellevel"
FUEL_AMOUNT = "internalcombustionengine-amountremaining"
FUEL_RANGE = "internalcombustionengine-range"
OIL_LIFE = "internalcombustionengine-oillife"
PLUGGED_IN = "charge-ischargingcableconnected"
CHARGING_DETAIL = "charge-detailedchargingstatus"
IS_CHARGING = "charge-ischarging"
TIRES = "wheel-tires"


class Picked:
    """The signals one read uses, with each field's value computed from them."""

    def __init__(self, signals: Mapping[str, Signal], request_id: Optional[str]) -> None:
        self._signals = signals
        self._request_id = request_id
        self.used: List[Signal] = []

    def get(self, code: str) -> Optional[Signal]:
        """Return the usable signal ``code``, ``None`` if missing or unavailable.

        Raises:
            SmartcarException: the signal is in error (the subclass its error type maps to).
        """
        signal = self._signals.get(code)
        if signal is None or signal.status == UNAVAILABLE:
            return None
        if signal.status == ERROR or not signal.ok:
            signal.raise_for_status(request_id=self._request_id)
        self.used.append(signal)
        return signal


class SeedRead(NamedTuple):
    """One seed read: the signal codes it may use, whether it has units, and its builder."""

    codes: Tuple[str, ...]
    has_units: bool
    build: Callable[[Picked, str], Dict[str, Any]]


def _number(signal: Optional[Signal], key: str = "value") -> Optional[float]:
    if signal is None:
        return None
    value = signal.body.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _unit(signal: Signal) -> str:
    unit = signal.unit or ""
    return unit.strip().lower()


def _fraction(signal: Optional[Signal]) -> Optional[float]:
    value = _number(signal)
    return None if value is None else value / 100.0


def _distance(signal: Optional[Signal], unit_system: str) -> Optional[float]:
    return _in_units(signal, unit_system, _MILES, KM_PER_MILE)


def _volume(signal: Optional[Signal], unit_system: str) -> Optional[float]:
    return _in_units(signal, unit_system, _GALLONS, LITERS_PER_US_GALLON)


def _in_units(
    signal: Optional[Signal], unit_system: str, imperial_units: Collection[str], factor: float
) -> Optional[float]:
    """The signal's number in ``unit_system``: ``factor`` metric units make one imperial unit
    (a signal in one of ``imperial_units`` counts as imperial)."""
    value = _number(signal)
    if value is None or signal is None:
        return None
    is_imperial = _unit(signal) in imperial_units
    if unit_system == "imperial" and not is_imperial:
        return value / factor
    if unit_system == "metric" and is_imperial:
        return value * factor
    return value


def _pressure(value: Any, unit: str, unit_system: str) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if unit in _PSI:
        kpa = value * KPA_PER_PSI
    elif unit in _BAR:
        kpa = value * KPA_PER_BAR
    else:
        kpa = float(value)
    if unit_system == "imperial":
        return value if unit in _PSI else kpa / KPA_PER_PSI
    return kpa


def _vin(picked: Picked, unit_system: str) -> Dict[str, Any]:
    signal = picked.get(VIN)
    value = signal.value if signal is not None else None
    return {"vin": value if isinstance(value, str) else None}


def _location(picked: Picked, unit_system: str) -> Dict[str, Any]:
    signal = picked.get(LOCATION)
    return {"latitude": _number(signal, "latitude"), "longitude": _number(signal, "longitude")}


def _odometer(picked: Picked, unit_system: str) -> Dict[str, Any]:
    return {"distance": _distance(picked.get(ODOMETER), unit_system)}


def _battery(picked: Picked, unit_system: str) -> Dict[str, Any]:
    return {
        "percentRemaining": _fraction(picked.get(BATTERY_LEVEL)),
        "range": _distance(picked.get(BATTERY_RANGE), unit_system),
    }


def _battery_capacity(picked: Picked, unit_system: str) -> Dict[str, Any]:
    signal = picked.get(BATTERY_CAPACITY)
    capacity = _number(signal, "capacity")
    return {"capacity": capacity if capacity is not None else _number(signal)}


def _fuel(picked: Picked, unit_system: str) -> Dict[str, Any]:
    return {
        "range": _distance(picked.get(FUEL_RANGE), unit_system),
        "percentRemaining": _fraction(picked.get(FUEL_LEVEL)),
        "amountRemaining": _volume(picked.get(FUEL_AMOUNT), unit_system),
    }


def _oil(picked: Picked, unit_system: str) -> Dict[str, Any]:
    return {"lifeRemaining": _fraction(picked.get(OIL_LIFE))}


def charge_state(detailed: Any, is_charging: Any) -> Optional[str]:
    """Return ``CHARGING``, ``FULLY_CHARGED`` or ``NOT_CHARGING`` from the charge signals.

    ``detailed`` (``charge-detailedchargingstatus``) wins; ``is_charging``
    (``charge-ischarging``, a bool) is the fallback. ``None`` when neither says anything.
    """
    if isinstance(detailed, str) and detailed.strip():
        text = detailed.strip().upper().replace(" ", "_").replace("-", "_")
        if "FULL" in text or "COMPLETE" in text or text == "DONE":
            return "FULLY_CHARGED"
        negative = ("NOT", "STOP", "DISCONNECT", "IDLE", "ERROR", "FAULT", "PAUSE", "WAIT", "NO_")
        if any(word in text for word in negative):
            return "NOT_CHARGING"
        if "CHARGING" in text:
            return "CHARGING"
        return "NOT_CHARGING"
    if isinstance(is_charging, bool):
        return "CHARGING" if is_charging else "NOT_CHARGING"
    return None


def _charge(picked: Picked, unit_system: str) -> Dict[str, Any]:
    plugged = picked.get(PLUGGED_IN)
    detailed = picked.get(CHARGING_DETAIL)
    charging = None if detailed is not None and detailed.value else picked.get(IS_CHARGING)
    plugged_value = plugged.value if plugged is not None else None
    return {
        "isPluggedIn": plugged_value if isinstance(plugged_value, bool) else None,
        "state": charge_state(
            detailed.value if detailed is not None else None,
            charging.value if charging is not None else None,
        ),
    }


_TIRE_NAMES = {(0, 0): "frontLeft", (0, 1): "frontRight", (1, 0): "backLeft", (1, 1): "backRight"}


def _tire_pressure(picked: Picked, unit_system: str) -> Dict[str, Any]:
    signal = picked.get(TIRES)
    tires: Dict[str, Optional[float]] = dict.fromkeys(_TIRE_NAMES.values())
    if signal is not None:
        default_unit = _unit(signal)
        values = signal.body.get("values")
        for entry in values if isinstance(values, list) else []:
            if not isinstance(entry, Mapping):
                continue
            name = _TIRE_NAMES.get((entry.get("row"), entry.get("column")))  # type: ignore[arg-type]
            if name is None:
                continue
            unit = entry.get("unit")
            unit_text = unit.strip().lower() if isinstance(unit, str) else default_unit
            tires[name] = _pressure(entry.get("tirePressure"), unit_text, unit_system)
    return {"tires": tires}


SEED_READS: Dict[str, SeedRead] = {
    "vin": SeedRead((VIN,), False, _vin),
    "location": SeedRead((LOCATION,), False, _location),
    "odometer": SeedRead((ODOMETER,), True, _odometer),
    "battery": SeedRead((BATTERY_LEVEL, BATTERY_RANGE), True, _battery),
    "battery_capacity": SeedRead((BATTERY_CAPACITY,), False, _battery_capacity),
    "fuel": SeedRead((FUEL_LEVEL, FUEL_AMOUNT, FUEL_RANGE), True, _fuel),
    "oil": SeedRead((OIL_LIFE,), False, _oil),
    "charge": SeedRead((PLUGGED_IN, CHARGING_DETAIL, IS_CHARGING), False, _charge),
    "tire_pressure": SeedRead((TIRES,), True, _tire_pressure),
}
"""Seed read name -> how to build it (section 11 of the wire notes)."""


def build(
    name: str,
    signals: Mapping[str, Signal],
    unit_system: str,
    request_id: Optional[str],
) -> Result:
    """Return the seed's result dict of read ``name`` from ``signals``.

    ``{"data": {...}, "age"}``, plus ``"unit_system"`` for reads with units, as a
    :class:`smartcar.Result` whose ``request_id`` is ``request_id``.
    ``age`` is the oldest manufacturer time (else retrieval time) of the signals used.

    Raises:
        SmartcarException: a signal used is in error (the subclass its type maps to).
        VehicleNotCapableException: the vehicle sent none of the signals the read needs.
    """
    read = SEED_READS[name]
    picked = Picked(signals, request_id)
    data = read.build(picked, unit_system)
    if not picked.used:
        raise VehicleNotCapableException(
            f"The vehicle sent no {' or '.join(read.codes)} signal, which {name}() reads "
            "(a vehicle not yet subscribed to a webhook may send no signals at all)",
            error="COMPATIBILITY",
            type="COMPATIBILITY",
            code="VEHICLE_NOT_CAPABLE",
            request_id=request_id,
        )
    result = Result({"data": data}, request_id)
    if read.has_units:
        result["unit_system"] = unit_system
    result["age"] = _age(picked.used)
    return result


def _age(used: List[Signal]) -> Optional[datetime.datetime]:
    times = [s.oem_updated_at or s.retrieved_at for s in used]
    known = [t for t in times if t is not None]
    return min(known) if known else None
