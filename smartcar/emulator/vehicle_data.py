"""What a vehicle answers, shared by the API versions that speak the same resources (v1.0,
v2.0): the body of each read, the permission it needs, which vehicle kinds can answer it,
and the commands that change the state. Errors are :class:`Problem` (each version words
them); unit conversion follows ``imperial``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable, Dict, List, NamedTuple, Set, Tuple

from smartcar.emulator.fleet import (
    KM_PER_MILE,
    KPA_PER_PSI,
    LITERS_PER_US_GALLON,
    SimVehicle,
)
from smartcar.emulator.problems import Problem

Body = Dict[str, object]
Reader = Callable[[SimVehicle, bool], Body]

ALL_KINDS = ("gas", "hybrid", "electric")
ENGINE_KINDS = ("gas", "hybrid")
BATTERY_KINDS = ("hybrid", "electric")


class Read(NamedTuple):
    """A GET under ``/vehicles/{id}``: permission, kinds able to answer, body, whether the
    body has units (then the answer carries ``sc-unit-system``)."""

    permission: str
    kinds: Tuple[str, ...]
    reader: Reader
    has_units: bool


class Command(NamedTuple):
    """A POST under ``/vehicles/{id}`` with ``{"action": ...}``."""

    permission: str
    kinds: Tuple[str, ...]
    actions: Tuple[str, ...]


def distance(km: float, imperial: bool) -> float:
    return round(km / KM_PER_MILE if imperial else km, 1)


def _info(vehicle: SimVehicle, imperial: bool) -> Body:
    return {"id": vehicle.id, "make": vehicle.make, "model": vehicle.model, "year": vehicle.year}


def _vin(vehicle: SimVehicle, imperial: bool) -> Body:
    return {"vin": vehicle.vin}


def _location(vehicle: SimVehicle, imperial: bool) -> Body:
    return {"latitude": vehicle.latitude, "longitude": vehicle.longitude}


def _odometer(vehicle: SimVehicle, imperial: bool) -> Body:
    return {"distance": distance(vehicle.odometer_km, imperial)}


def _fuel(vehicle: SimVehicle, imperial: bool) -> Body:
    liters = vehicle.fuel_liters
    amount = liters / LITERS_PER_US_GALLON if imperial else liters
    return {
        "range": distance(vehicle.fuel_range_km, imperial),
        "percentRemaining": round(vehicle.fuel_percent, 3),
        "amountRemaining": round(amount, 2),
    }


def _battery(vehicle: SimVehicle, imperial: bool) -> Body:
    return {
        "range": distance(vehicle.battery_range_km, imperial),
        "percentRemaining": round(vehicle.battery_percent, 3),
    }


def _capacity(vehicle: SimVehicle, imperial: bool) -> Body:
    return {"capacity": vehicle.battery_capacity_kwh}


def _charge(vehicle: SimVehicle, imperial: bool) -> Body:
    return {"isPluggedIn": vehicle.is_plugged_in, "state": vehicle.charging_state}


def _oil(vehicle: SimVehicle, imperial: bool) -> Body:
    return {"lifeRemaining": round(vehicle.oil_life, 2)}


def _tires(vehicle: SimVehicle, imperial: bool) -> Body:
    return {
        name: round(value / KPA_PER_PSI if imperial else value, 1)
        for name, value in vehicle.tire_pressure_kpa.items()
    }


# The reads of the v1.0 protocol: path under /vehicles/{id} -> Read ("" is the vehicle).
READS: Dict[str, Read] = {
    "": Read("read_vehicle_info", ALL_KINDS, _info, False),
    "/vin": Read("read_vin", ALL_KINDS, _vin, False),
    "/location": Read("read_location", ALL_KINDS, _location, False),
    "/odometer": Read("read_odometer", ALL_KINDS, _odometer, True),
    "/fuel": Read("read_fuel", ENGINE_KINDS, _fuel, True),
    "/battery": Read("read_battery", BATTERY_KINDS, _battery, True),
    "/battery/capacity": Read("read_battery", BATTERY_KINDS, _capacity, False),
    "/charge": Read("read_charge", BATTERY_KINDS, _charge, False),
    "/engine/oil": Read("read_engine_oil", ENGINE_KINDS, _oil, False),
    "/tires/pressure": Read("read_tires", ALL_KINDS, _tires, True),
}
COMMANDS: Dict[str, Command] = {
    "/security": Command("control_security", ALL_KINDS, ("LOCK", "UNLOCK")),
    "/charge": Command("control_charge", BATTERY_KINDS, ("START", "STOP")),
}


def _lock_status(vehicle: SimVehicle, imperial: bool) -> Body:
    door = "LOCKED" if vehicle.locked else "UNLOCKED"
    sides = ("frontLeft", "frontRight", "backLeft", "backRight")
    status: Body = {
        "isLocked": vehicle.locked,
        "doors": [{"type": side, "status": door} for side in sides],
        "windows": [{"type": side, "status": "CLOSED"} for side in sides],
        "sunroof": [{"type": "sunroof", "status": "CLOSED"}],
        "storage": [{"type": "rear", "status": "CLOSED"}, {"type": "front", "status": "CLOSED"}],
        "chargingPort": (
            [{"type": "chargingPort", "status": "OPEN" if vehicle.is_plugged_in else "CLOSED"}]
            if vehicle.has_battery
            else []
        ),
    }
    return status


def _charge_limit(vehicle: SimVehicle, imperial: bool) -> Body:
    return {"limit": round(vehicle.charge_limit, 2)}


def _nominal_capacity(vehicle: SimVehicle, imperial: bool) -> Body:
    nominal = vehicle.battery_capacity_kwh
    return {
        "availableCapacities": [{"capacity": nominal, "description": None}],
        "capacity": {"nominal": nominal, "source": "SMARTCAR"},
        "url": None,
    }


def _systems(vehicle: SimVehicle, imperial: bool) -> Body:
    names = ["SYSTEM_AIRBAG", "SYSTEM_ANTILOCK_BRAKES", "SYSTEM_TIRE_PRESSURE_MONITORING"]
    if vehicle.has_engine:
        names += ["SYSTEM_ENGINE", "SYSTEM_EMISSIONS"]
    if vehicle.has_battery:
        names += ["SYSTEM_EV_BATTERY", "SYSTEM_EV_CHARGING"]
    low_tire = min(vehicle.tire_pressure_kpa.values()) < 200.0
    return {
        "systems": [
            {
                "systemId": name,
                "status": "ALERT"
                if name == "SYSTEM_TIRE_PRESSURE_MONITORING" and low_tire
                else "OK",
                "description": None,
            }
            for name in names
        ]
    }


def _trouble_codes(vehicle: SimVehicle, imperial: bool) -> Body:
    codes = []
    if min(vehicle.tire_pressure_kpa.values()) < 200.0:
        moment = vehicle.updated_at
        codes.append({"code": "C0750", "timestamp": iso_time(moment) if moment else None})
    if vehicle.has_engine and vehicle.oil_life < 0.05:
        moment = vehicle.updated_at
        codes.append({"code": "P0520", "timestamp": iso_time(moment) if moment else None})
    return {"activeCodes": codes}


def iso_time(moment: datetime) -> str:
    """``2019-10-24T00:43:46.000Z``."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# The reads v2.0 adds (same resources, same bodies for the v1.0 ones).
V2_READS: Dict[str, Read] = {
    **READS,
    "/security": Read("read_security", ALL_KINDS, _lock_status, False),
    "/charge/limit": Read("read_charge", BATTERY_KINDS, _charge_limit, False),
    "/battery/nominal_capacity": Read("read_battery", BATTERY_KINDS, _nominal_capacity, False),
    "/diagnostics/system_status": Read("read_diagnostics", ALL_KINDS, _systems, False),
    "/diagnostics/dtcs": Read("read_diagnostics", ALL_KINDS, _trouble_codes, False),
}
SERVICE_HISTORY = "/service/history"
SERVICE_PERMISSION = "read_service_history"
_SERVICE_TASKS = (
    ("OIL_CHANGE", "Engine oil and filter change"),
    ("TIRE_ROTATION", "Tire rotation"),
    ("BRAKE_INSPECTION", "Brake inspection"),
    ("CABIN_FILTER", "Cabin air filter replacement"),
)
_SERVICE_INTERVAL_KM = 12000.0
_KM_PER_YEAR = 15000.0


def service_records(vehicle: SimVehicle, now: datetime, imperial: bool) -> List[Body]:
    """The vehicle's service records, oldest first: one every 12,000 km of its odometer,
    dated as if it drove 15,000 km a year from January of its model year (none after
    ``now``)."""
    start = datetime(vehicle.year, 1, 15, tzinfo=timezone.utc)
    count = int(vehicle.odometer_km // _SERVICE_INTERVAL_KM)
    records: List[Body] = []
    for index in range(1, count + 1):
        at_km = index * _SERVICE_INTERVAL_KM
        moment = start + timedelta(days=365.0 * at_km / _KM_PER_YEAR)
        if moment > now:
            break
        tasks = [_SERVICE_TASKS[1], _SERVICE_TASKS[2]]
        if vehicle.has_engine:
            tasks.insert(0, _SERVICE_TASKS[0])
        if index % 2 == 0:
            tasks.append(_SERVICE_TASKS[3])
        records.append(
            {
                "serviceId": index,
                "serviceDate": iso_time(moment),
                "odometerDistance": distance(at_km, imperial),
                "serviceTasks": [{"taskId": code, "taskDescription": text} for code, text in tasks],
                "serviceDetails": [{"type": "DEALER", "value": f"{vehicle.make} service"}],
                "serviceCost": {"totalCost": 60.0 + 35.0 * len(tasks), "currency": "USD"},
            }
        )
    return records


# The permissions each vehicle kind can honour (compatibility answers).
KIND_PERMISSIONS: Dict[str, Set[str]] = {
    kind: {read.permission for read in READS.values() if kind in read.kinds}
    | {"control_security"}
    | ({"control_charge"} if kind in BATTERY_KINDS else set())
    for kind in ALL_KINDS
}


def require_permission(scopes: Tuple[str, ...], permission: str) -> None:
    """Raise PERMISSION unless ``permission`` is among ``scopes``."""
    if permission not in scopes:
        raise Problem("PERMISSION", f"This token lacks the {permission} permission.")


def require_capable(vehicle: SimVehicle, path: str, kinds: Tuple[str, ...]) -> None:
    """Raise COMPATIBILITY (``VEHICLE_NOT_CAPABLE`` or ``SMARTCAR_NOT_CAPABLE``) when the
    vehicle, or Smartcar for its make, cannot answer ``path``."""
    if vehicle.kind not in kinds:
        article = "An" if vehicle.kind == "electric" else "A"
        raise Problem(
            "COMPATIBILITY",
            f"{article} {vehicle.kind} {vehicle.make} {vehicle.model} cannot answer {path}.",
            code="VEHICLE_NOT_CAPABLE",
        )
    if path in vehicle.smartcar_unsupported:
        raise Problem(
            "COMPATIBILITY",
            f"Smartcar does not support {path} for {vehicle.make} vehicles.",
            code="SMARTCAR_NOT_CAPABLE",
        )


def read(
    reads: Dict[str, Read], scopes: Tuple[str, ...], vehicle: SimVehicle, path: str, imperial: bool
) -> Tuple[Body, bool]:
    """The body of the read at ``path`` and whether it has units.

    Raises:
        Problem: RESOURCE_NOT_FOUND (no such read), PERMISSION, COMPATIBILITY.
    """
    spec = reads.get(path)
    if spec is None:
        raise Problem("RESOURCE_NOT_FOUND", f"Unknown vehicle path {path}.")
    require_permission(scopes, spec.permission)
    require_capable(vehicle, path, spec.kinds)
    return spec.reader(vehicle, imperial), spec.has_units


def perform(vehicle: SimVehicle, action: str) -> None:
    """Apply a command's ``action`` to the vehicle's state.

    Raises:
        Problem: VEHICLE_STATE ``CHARGING_PLUG_NOT_CONNECTED`` or ``FULLY_CHARGED`` when
            charging cannot start.
    """
    if action == "LOCK":
        vehicle.locked = True
    elif action == "UNLOCK":
        vehicle.locked = False
    elif action == "START":
        if not vehicle.is_plugged_in:
            raise Problem(
                "VEHICLE_STATE",
                "The charging cable is not plugged in.",
                code="CHARGING_PLUG_NOT_CONNECTED",
            )
        if vehicle.is_full:
            raise Problem(
                "VEHICLE_STATE", "The battery is already fully charged.", code="FULLY_CHARGED"
            )
        vehicle.charging = True
    elif action == "STOP":
        vehicle.charging = False
    else:
        raise ValueError(f"unknown action {action!r}")
