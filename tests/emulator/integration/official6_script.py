"""What a user's test suite does after Connect, written for the official smartcar 6.19.1
and run in its venv by ``test_emulator_official_connect.py`` (an independent client of the
emulator: none of this repository's code is imported).

Phases (configuration as JSON on standard input, results as JSON on standard output)::

    python official6_script.py url   # AuthClient(mode="test").get_auth_url()
    python official6_script.py run   # exchange the codes, then the calls of a user's suite

The script's own directory comes first on ``sys.path``, so the venv's ``smartcar`` (the
official package) is the one imported. Tokens and codes are never printed.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Callable, Dict

import smartcar

SCOPE = [
    "read_vehicle_info", "read_vin", "read_odometer", "read_location", "read_battery",
    "read_charge", "read_fuel", "read_engine_oil", "read_tires", "read_security",
    "control_security", "control_charge", "read_service_history", "read_diagnostics",
]  # fmt: skip
# batch path -> the attribute the official SDK gives its answer
BATCH = {
    "/odometer": "odometer", "/battery": "battery", "/fuel": "fuel",
    "/engine/oil": "engine_oil", "/tires/pressure": "tire_pressure", "/location": "location",
}  # fmt: skip


def outcome(call: Callable[[], Any]) -> Dict[str, Any]:
    """``{"ok": value as JSON}`` or ``{"error": {status, type, code, message, request_id}}``."""
    try:
        value = call()
    except smartcar.SmartcarException as exc:
        return {
            "error": {
                "status": exc.status_code, "type": exc.type, "code": getattr(exc, "code", None),
                "message": exc.message, "request_id": getattr(exc, "request_id", None),
            }
        }  # fmt: skip
    if hasattr(value, "_asdict"):
        value = {key: item for key, item in value._asdict().items() if key != "meta"}
    return {"ok": json.loads(json.dumps(value, default=str))}


def batch_outcomes(car: Any) -> Dict[str, Any]:
    """One ``POST /batch`` of :data:`BATCH`; each path's outcome."""
    batch = car.batch(list(BATCH))
    return {path: outcome(getattr(batch, attribute)) for path, attribute in BATCH.items()}


def client() -> Any:
    return smartcar.AuthClient(mode="test")  # id, secret, redirect URI from SMARTCAR_*


def run(config: Dict[str, Any]) -> Dict[str, Any]:
    results: Dict[str, Any] = {"version": smartcar.__version__, "makes": {}}
    auth = client()
    for make, code in config["codes"].items():
        access = auth.exchange_code(code)
        token = access.access_token
        ids = smartcar.get_vehicles(token).vehicles
        user = smartcar.get_user(token).id
        cars = {}
        for vehicle_id in ids:
            car = smartcar.Vehicle(vehicle_id, token)
            cars[vehicle_id] = {
                "attributes": outcome(car.attributes),
                "vin": outcome(car.vin),
                "odometer": outcome(car.odometer),
                "location": outcome(car.location),
                "battery": outcome(car.battery),
                "battery_capacity": outcome(car.battery_capacity),
                "fuel": outcome(car.fuel),
                "charge": outcome(car.charge),
                "engine_oil": outcome(car.engine_oil),
                "tire_pressure": outcome(car.tire_pressure),
                "lock": outcome(car.lock),
                "lock_status": outcome(lambda car=car: car.lock_status().is_locked),
                "batch": batch_outcomes(car),
            }
        results["makes"][make] = {"user": user, "vehicles": cars}
    results["connections"] = [
        {"vehicle_id": item.vehicle_id, "user_id": item.user_id}
        for item in smartcar.get_connections(config["amt"], paging={"limit": 100}).connections
    ]
    results["errors"] = {
        "bad_code": outcome(lambda: auth.exchange_code("not-a-code")),
        "malformed_id": outcome(smartcar.Vehicle("not-a-vehicle-id", config["spare"]).odometer),
        "unknown_id": outcome(
            smartcar.Vehicle("00000000-0000-4000-8000-000000000000", config["spare"]).odometer
        ),
    }
    return results


def main() -> None:
    config = json.load(sys.stdin)
    if sys.argv[1] == "url":
        document: Dict[str, Any] = {"url": client().get_auth_url(SCOPE, {"state": "e2e"})}
    else:
        document = run(config)
    json.dump(document, sys.stdout)


if __name__ == "__main__":
    main()
