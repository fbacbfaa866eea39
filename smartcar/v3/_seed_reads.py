"""The seed's (smartcar 4.3's) reads, rebuilt from v3 signals.

Which signal feeds which field is the table of ``api-v2-v3.md`` section 11; percentages become
the seed's fractions (``/100``). Values are converted by unit, read from each signal's free-text
``unit`` (``km``, ``kilometers``, ``miles``, ``kPa``, ``psi``, ``bar``...; see ``_units``):
metric results are km, liters and kPa; imperial ones miles, US gallons and psi. A signal whose
unit already is the wanted one is left alone, so a service that honoured the unit system itself
would not be converted twice. An unknown or missing unit is taken as metric.

A read uses a few signals. One that is missing, ``UNAVAILABLE`` or not capable
(``COMPATIBILITY``) while another of the read is usable leaves its field ``None``; one in
another error fails the read. When no signal of the read is usable the read fails too: with
``VehicleNotCapableException`` when the vehicle sent none of them. When several signals are in
error the most telling error wins: not capable, then vehicle state, then any other type, then
permission (a battery-electric car answers the fuel signals with
``COMPATIBILITY/VEHICLE_NOT_CAPABLE`` and sometimes ``PERMISSION/UNKNOWN`` on one of them: that
car cannot report fuel, re-connecting would not help).
"""

from __future__ import annotations

import datetime
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple

from .._checks import finite
from .._results import Result
from ..exceptions import VehicleNotCapableException
from . import _units
from ._signals import UNAVAILABLE, Signal

__all__ = ["SEED_READS", "SeedRead", "build"]

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

NOT_CAPABLE = "COMPATIBILITY"
_ERROR_RANK = {NOT_CAPABLE: 0, "VEHICLE_STATE": 1, "PERMISSION": 3}
"""Error type -> how telling it is for a read (lowest first); other types rank 2."""

UNITS = {
    "metric": {"distance": "km", "volume": "l", "pressure": "kPa"},
    "imperial": {"distance": "mi", "volume": "gal", "pressure": "psi"},
}
"""The unit of each quantity the seed's reads return, per unit system."""


def _rank(signal: Signal) -> int:
    kind = signal.error.type if signal.error is not None else None
    return _ERROR_RANK.get((kind or "").upper(), 2)


class Picked:
    """The signals one read uses, and the ones in error it met."""

    def __init__(self, signals: Mapping[str, Signal]) -> None:
        self._signals = signals
        self.used: List[Signal] = []
        self.failed: List[Signal] = []

    def get(self, code: str) -> Optional[Signal]:
        """Return the usable signal ``code``; ``None`` if missing, unavailable or in error
        (an error is kept in :attr:`failed`, for :func:`build` to judge)."""
        signal = self._signals.get(code)
        if signal is None or signal.status == UNAVAILABLE:
            return None
        if not signal.ok:
            self.failed.append(signal)
            return None
        self.used.append(signal)
        return signal

    def first(self, *codes: str) -> Optional[Signal]:
        """Return the first of ``codes`` that is usable and holds a value: alternatives, of
        which one in error matters only when none of the others serves."""
        failed: List[Signal] = []
        for code in codes:
            signal = self._signals.get(code)
            if signal is None or signal.status == UNAVAILABLE:
                continue
            if not signal.ok:
                failed.append(signal)
            elif signal.value is not None:
                self.used.append(signal)
                return signal
        self.failed.extend(failed)
        return None

    def failure(self) -> Optional[Signal]:
        """The signal whose error fails the read, or ``None`` when the read stands."""
        failed = self.failed
        if self.used:
            failed = [s for s in failed if _rank(s) != _ERROR_RANK[NOT_CAPABLE]]
        return min(failed, key=_rank) if failed else None


class SeedRead(NamedTuple):
    """One seed read: the signal codes it may use, whether it has units, and its builder."""

    codes: Tuple[str, ...]
    has_units: bool
    build: Callable[[Picked, str], Dict[str, Any]]


def _number(signal: Optional[Signal], key: str = "value") -> Optional[float]:
    if signal is None:
        return None
    return finite(signal.body.get(key))


def _fraction(signal: Optional[Signal]) -> Optional[float]:
    value = _number(signal)
    if value is None or signal is None:
        return None
    return finite(_units.convert(value, signal.unit, "percent", assume="percent") / 100.0)


def _measure(signal: Optional[Signal], quantity: str, unit_system: str) -> Optional[float]:
    value = _number(signal)
    if value is None or signal is None:
        return None
    return _in(value, signal.unit, quantity, unit_system)


def _in(value: float, unit: Optional[str], quantity: str, unit_system: str) -> Optional[float]:
    metric = UNITS["metric"][quantity]
    return finite(_units.convert(value, unit, UNITS[unit_system][quantity], assume=metric))


def _vin(picked: Picked, unit_system: str) -> Dict[str, Any]:
    signal = picked.get(VIN)
    value = signal.value if signal is not None else None
    return {"vin": value if isinstance(value, str) else None}


def _location(picked: Picked, unit_system: str) -> Dict[str, Any]:
    signal = picked.get(LOCATION)
    return {"latitude": _number(signal, "latitude"), "longitude": _number(signal, "longitude")}


def _odometer(picked: Picked, unit_system: str) -> Dict[str, Any]:
    return {"distance": _measure(picked.get(ODOMETER), "distance", unit_system)}


def _battery(picked: Picked, unit_system: str) -> Dict[str, Any]:
    return {
        "percentRemaining": _fraction(picked.get(BATTERY_LEVEL)),
        "range": _measure(picked.get(BATTERY_RANGE), "distance", unit_system),
    }


def _battery_capacity(picked: Picked, unit_system: str) -> Dict[str, Any]:
    signal = picked.get(BATTERY_CAPACITY)
    capacity = _number(signal, "capacity")
    if capacity is None:
        capacity = _number(signal)
    if capacity is None or signal is None:
        return {"capacity": None}
    return {"capacity": finite(_units.convert(capacity, signal.unit, "kWh", assume="kWh"))}


def _fuel(picked: Picked, unit_system: str) -> Dict[str, Any]:
    return {
        "range": _measure(picked.get(FUEL_RANGE), "distance", unit_system),
        "percentRemaining": _fraction(picked.get(FUEL_LEVEL)),
        "amountRemaining": _measure(picked.get(FUEL_AMOUNT), "volume", unit_system),
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
    state = picked.first(CHARGING_DETAIL, IS_CHARGING)
    plugged_value = plugged.value if plugged is not None else None
    detailed = state.value if state is not None and state.code == CHARGING_DETAIL else None
    charging = state.value if state is not None and state.code == IS_CHARGING else None
    return {
        "isPluggedIn": plugged_value if isinstance(plugged_value, bool) else None,
        "state": charge_state(detailed, charging),
    }


_TIRE_NAMES = {(0, 0): "frontLeft", (0, 1): "frontRight", (1, 0): "backLeft", (1, 1): "backRight"}


def _tire_name(row: Any, column: Any) -> Optional[str]:
    """The tire at ``(row, column)``; ``None`` for a position that is not two numbers (a
    malformed entry is skipped like any other unreadable one)."""
    position = (row, column)
    if not all(finite(part) is not None for part in position):
        return None
    return _TIRE_NAMES.get(position)


def _tire_pressure(picked: Picked, unit_system: str) -> Dict[str, Any]:
    signal = picked.get(TIRES)
    tires: Dict[str, Optional[float]] = dict.fromkeys(_TIRE_NAMES.values())
    if signal is not None:
        values = signal.body.get("values")
        for entry in values if isinstance(values, list) else []:
            if not isinstance(entry, Mapping):
                continue
            name = _tire_name(entry.get("row"), entry.get("column"))
            if name is None:
                continue
            unit = entry.get("unit")
            pressure = finite(entry.get("tirePressure"))
            if pressure is None:
                continue
            own_unit = unit if isinstance(unit, str) else signal.unit
            tires[name] = _in(pressure, own_unit, "pressure", unit_system)
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
        SmartcarException: a signal the read needs is in error (the subclass its type maps
            to; the most telling one when several are, see the module's notes).
        VehicleNotCapableException: the vehicle sent none of the signals the read needs.
    """
    read = SEED_READS[name]
    picked = Picked(signals)
    data = read.build(picked, unit_system)
    failed = picked.failure()
    if failed is not None:
        failed.raise_for_status(request_id=request_id)
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
    times = [s.oem_updated_at or s.retrieved_at or s.ingested_at for s in used]
    known = [t for t in times if t is not None]
    return min(known) if known else None
