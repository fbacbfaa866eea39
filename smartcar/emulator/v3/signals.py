"""The v3 signal catalogue, computed from the same :class:`SimVehicle` state that v1.0 and
v2.0 read (metric values; percentages as 0-100, where v1/v2 give fractions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Collection, Dict, List, Optional, Tuple

from smartcar.emulator.fleet import SimVehicle
from smartcar.emulator.v3.errors import error_entry
from smartcar.emulator.v3.jsonapi import timestamp
from smartcar.emulator.v3.schedules import timers_body

_ALL = ("gas", "hybrid", "electric")
_ENGINE = ("gas", "hybrid")
_BATTERY = ("hybrid", "electric")
_TIRES = (("frontLeft", 0, 0), ("frontRight", 0, 1), ("backLeft", 1, 0), ("backRight", 1, 1))

Body = Callable[[SimVehicle], Dict[str, Any]]


@dataclass(frozen=True)
class SignalDef:
    """One signal: where it sits in the schema, who may read it, and its body."""

    group: str  # PascalCase, e.g. "TractionBattery"
    name: str  # PascalCase, e.g. "StateOfCharge"
    permissions: Tuple[str, ...]  # any one of these lets a connection read it
    kinds: Tuple[str, ...]  # vehicle kinds that have it
    body: Body
    v1_path: Optional[str] = None  # the v1 endpoint whose "Smartcar does not support" applies

    @property
    def code(self) -> str:
        return f"{self.group.lower()}-{self.name.lower()}"


def _percent(fraction: float) -> float:
    return round(fraction * 100.0, 1)


def _unit(value: Any, unit: str) -> Dict[str, Any]:
    return {"value": value, "unit": unit}


def _doors(vehicle: SimVehicle) -> Dict[str, Any]:
    values = [
        {"row": row, "column": column, "isOpen": False, "isLocked": vehicle.locked}
        for _, row, column in _TIRES
    ]
    return {"values": values, "rowCount": 2, "columnCount": 2}


def _tires(vehicle: SimVehicle) -> Dict[str, Any]:
    values = [
        {"row": row, "column": column, "tirePressure": round(vehicle.tire_pressure_kpa[name], 1)}
        for name, row, column in _TIRES
    ]
    return {"values": values, "rowCount": 2, "columnCount": 2, "unit": "kPa"}


def _charge_limits(vehicle: SimVehicle) -> Dict[str, Any]:
    limit = round(vehicle.charge_limit * 100)
    return {"values": [{"type": "GLOBAL", "limit": limit}], "activeLimit": limit, "unit": "percent"}


def _range(km: float) -> Dict[str, Any]:
    return {"value": round(km, 1), "unit": "km", "type": "DEFAULT", "additionalValues": []}


_INFO = ("read_vehicle_info",)
_SECURITY = ("read_security", "control_security")
_CHARGE = ("read_charge", "control_charge")

CATALOG: Tuple[SignalDef, ...] = (
    SignalDef("VehicleIdentification", "Vin", ("read_vin",), _ALL, lambda v: {"value": v.vin}),
    SignalDef("Odometer", "TraveledDistance", ("read_odometer",), _ALL,
              lambda v: _unit(round(v.odometer_km, 1), "km")),
    SignalDef("Location", "PreciseLocation", ("read_location",), _ALL,
              lambda v: {"latitude": v.latitude, "longitude": v.longitude,
                         "locationType": "LAST_PARKED"}),
    SignalDef("TractionBattery", "StateOfCharge", ("read_battery",), _BATTERY,
              lambda v: _unit(_percent(v.battery_percent), "percent")),
    SignalDef("TractionBattery", "Range", ("read_battery",), _BATTERY,
              lambda v: _range(v.battery_range_km)),
    SignalDef("TractionBattery", "NominalCapacity", ("read_battery",), _BATTERY,
              lambda v: {"capacity": v.battery_capacity_kwh, "availableCapacities": [],
                         "source": "SMARTCAR", "unit": "kWh"}, "/battery/capacity"),
    SignalDef("InternalCombustionEngine", "FuelLevel", ("read_fuel",), _ENGINE,
              lambda v: _unit(_percent(v.fuel_percent), "percent")),
    SignalDef("InternalCombustionEngine", "AmountRemaining", ("read_fuel",), _ENGINE,
              lambda v: _unit(round(v.fuel_liters, 2), "liters")),
    SignalDef("InternalCombustionEngine", "Range", ("read_fuel",), _ENGINE,
              lambda v: _range(v.fuel_range_km)),
    SignalDef("InternalCombustionEngine", "OilLife", ("read_engine_oil",), _ENGINE,
              lambda v: _unit(_percent(v.oil_life), "percent"), "/engine/oil"),
    SignalDef("Charge", "IsChargingCableConnected", _CHARGE, _BATTERY,
              lambda v: {"value": v.is_plugged_in}),
    SignalDef("Charge", "IsCharging", _CHARGE, _BATTERY,
              lambda v: {"value": v.charging_state == "CHARGING"}),
    SignalDef("Charge", "DetailedChargingStatus", _CHARGE, _BATTERY,
              lambda v: {"value": v.charging_state}),
    SignalDef("Charge", "ChargeLimits", _CHARGE, _BATTERY, _charge_limits),
    SignalDef("Charge", "IsChargingPortFlapOpen", _CHARGE, _BATTERY,
              lambda v: {"value": v.charge_port_open}),
    SignalDef("Charge", "ChargeTimers", _CHARGE, _BATTERY, timers_body),
    SignalDef("Charge", "TimeToComplete", _CHARGE, _BATTERY,
              lambda v: _unit(v.minutes_to_limit, "minutes")),
    SignalDef("Closure", "IsLocked", _SECURITY, _ALL, lambda v: {"value": v.locked}),
    SignalDef("Closure", "Doors", _SECURITY, _ALL, _doors),
    SignalDef("Wheel", "Tires", ("read_tires",), _ALL, _tires, "/tires/pressure"),
    SignalDef("ConnectivityStatus", "IsOnline", _INFO, _ALL,
              lambda v: {"value": v.state_error != "UNREACHABLE"}),
    SignalDef("ConnectivityStatus", "IsAsleep", _INFO, _ALL,
              lambda v: {"value": v.state_error == "ASLEEP"}),
)  # fmt: skip
BY_CODE: Dict[str, SignalDef] = {signal.code: signal for signal in CATALOG}
CODES: Tuple[str, ...] = tuple(BY_CODE)
POWERTRAINS = {"gas": "ICE", "hybrid": "PHEV", "electric": "BEV"}


# Attributes that do not change: webhooks give their times as 0, "unknown" (spec section 12,
# item 10).
STATIC_CODES = frozenset({"vehicleidentification-vin", "tractionbattery-nominalcapacity"})
# The fields of a per-signal error entry as the live service writes them (2026-09).
_SIGNAL_ERROR_FIELDS = ("type", "code", "title", "detail", "resolution")


def _status_error(signal: SignalDef, vehicle: SimVehicle, permissions: Collection[str]) -> Any:
    """The error entry a signal reads as for this vehicle and connection (or None):
    ``{type, code, title, detail, resolution}``."""
    entry = _full_status_error(signal, vehicle, permissions)
    if entry is None:
        return None
    return {name: entry[name] for name in _SIGNAL_ERROR_FIELDS}


def _full_status_error(signal: SignalDef, vehicle: SimVehicle, permissions: Collection[str]) -> Any:
    if vehicle.kind not in signal.kinds:
        return error_entry(
            "COMPATIBILITY",
            "VEHICLE_NOT_CAPABLE",
            f"{vehicle.summary()} ({vehicle.kind}) has no {signal.code} signal.",
        )
    if signal.v1_path is not None and signal.v1_path in vehicle.smartcar_unsupported:
        return error_entry(
            "COMPATIBILITY",
            "SMARTCAR_NOT_CAPABLE",
            f"Smartcar does not support {signal.code} for {vehicle.make} vehicles.",
        )
    if not any(name in permissions for name in signal.permissions):
        return error_entry(
            "PERMISSION",
            "UNKNOWN",
            f"The connection lacks the {' or '.join(signal.permissions)} permission.",
        )
    return None


def signal_resource(
    signal: SignalDef,
    vehicle: SimVehicle,
    permissions: Collection[str],
    now: datetime,
    time_format: str = "iso",
) -> Dict[str, Any]:
    """One signal resource as the REST API writes it: ``meta`` with ``retrievedAt``,
    ``oemUpdatedAt`` and ``ingestedAt`` (an error signal only ``ingestedAt``), a
    per-signal error as ``{type, code, title, detail, resolution}`` (``PERMISSION`` with
    code ``UNKNOWN``)."""
    attributes: Dict[str, Any] = {"code": signal.code, "name": signal.name, "group": signal.group}
    error = _status_error(signal, vehicle, permissions)
    meta: Dict[str, Any] = {}
    if error is None:
        attributes["status"] = {"value": "SUCCESS"}
        attributes["body"] = signal.body(vehicle)
        meta["retrievedAt"] = timestamp(now, time_format)
        meta["oemUpdatedAt"] = timestamp(vehicle.data_age(now), time_format)
    else:
        attributes["status"] = {"value": "ERROR", "error": error}
    meta["ingestedAt"] = timestamp(now, time_format)
    self_path = f"/vehicles/{vehicle.id}/signals/{signal.code}"
    return {
        "id": signal.code,
        "type": "signal",
        "attributes": attributes,
        "meta": meta,
        "links": {"self": self_path, "vehicle": f"/vehicles/{vehicle.id}"},
    }


def webhook_signal(
    signal: SignalDef, vehicle: SimVehicle, permissions: Collection[str], now: datetime
) -> Dict[str, Any]:
    """One signal as a webhook delivery carries it (flat, spec section 12 items 9-10):
    times in epoch milliseconds, ``0`` for static attributes; an error as ``{code, type}``
    (``PERMISSION`` with code null)."""
    item: Dict[str, Any] = {"code": signal.code, "name": signal.name, "group": signal.group}
    error = _status_error(signal, vehicle, permissions)
    if error is None:
        item["body"] = signal.body(vehicle)
        item["status"] = {"value": "SUCCESS"}
    else:
        code = None if error["type"] == "PERMISSION" else error["code"]
        item["status"] = {"value": "ERROR", "error": {"code": code, "type": error["type"]}}
    if signal.code in STATIC_CODES:
        item["meta"] = {"retrievedAt": 0, "oemUpdatedAt": 0}
    else:
        item["meta"] = {
            "retrievedAt": timestamp(now, "milliseconds"),
            "oemUpdatedAt": timestamp(vehicle.data_age(now), "milliseconds"),
        }
    return item


def vehicle_resource(vehicle: SimVehicle, mode: str = "live") -> Dict[str, Any]:
    """The vehicle resource (``GET /v3/vehicles/{id}`` wraps it in ``data``)."""
    return {
        "id": vehicle.id,
        "type": "vehicle",
        "attributes": {
            "make": vehicle.make,
            "model": vehicle.model,
            "year": vehicle.year,
            "powertrainType": POWERTRAINS.get(vehicle.kind, "ICE"),
            "mode": mode,
        },
        "links": {"self": f"/vehicles/{vehicle.id}"},
    }


def signals_document(
    vehicle: SimVehicle,
    permissions: Collection[str],
    now: datetime,
    time_format: str = "iso",
    mode: str = "live",
    base_url: str = "",
) -> Dict[str, Any]:
    """``GET /v3/vehicles/{id}/signals`` as the live service answers (spec section 12
    item 2): every catalogue signal on one page, ``meta`` ``{totalCount, pageSize,
    pageNumber}``, an absolute ``links.self`` (``base_url``: ``https://host/v3``) and no
    next/prev links, the vehicle in ``included``."""
    data: List[Dict[str, Any]] = [
        signal_resource(signal, vehicle, permissions, now, time_format) for signal in CATALOG
    ]
    return {
        "data": data,
        "meta": {"totalCount": len(data), "pageSize": len(data), "pageNumber": 1},
        "links": {"self": f"{base_url}/vehicles/{vehicle.id}/signals"},
        "included": {"vehicle": vehicle_resource(vehicle, mode)},
    }


def signal_document(
    signal: SignalDef,
    vehicle: SimVehicle,
    permissions: Collection[str],
    now: datetime,
    time_format: str = "iso",
    mode: str = "live",
) -> Dict[str, Any]:
    """``GET /v3/vehicles/{id}/signals/{code}`` as the live service answers (spec
    section 12 item 1): the signal wrapped in ``data``, the vehicle in ``included``."""
    return {
        "data": signal_resource(signal, vehicle, permissions, now, time_format),
        "included": {"vehicle": vehicle_resource(vehicle, mode)},
    }


def signal_values(vehicle: SimVehicle, codes: Collection[str]) -> Dict[str, Any]:
    """The bodies of ``codes`` that this vehicle has (for change detection and webhooks)."""
    values: Dict[str, Any] = {}
    for code in codes:
        signal = BY_CODE.get(code)
        if signal is not None and vehicle.kind in signal.kinds:
            values[code] = signal.body(vehicle)
    return values
