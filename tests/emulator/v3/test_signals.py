"""The signal catalogue computed from vehicle state."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from smartcar.emulator.fleet import build_vehicle
from smartcar.emulator.permissions import KNOWN_PERMISSIONS
from smartcar.emulator.v3.signals import BY_CODE, CATALOG, signal_resource, signal_values

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
SEED_READ_CODES = {
    "odometer-traveleddistance",
    "location-preciselocation",
    "tractionbattery-stateofcharge",
    "tractionbattery-range",
    "tractionbattery-nominalcapacity",
    "internalcombustionengine-fuellevel",
    "internalcombustionengine-amountremaining",
    "internalcombustionengine-range",
    "internalcombustionengine-oillife",
    "charge-ischargingcableconnected",
    "charge-detailedchargingstatus",
    "charge-ischarging",
    "wheel-tires",
    "vehicleidentification-vin",
    "closure-islocked",
    "closure-doors",
    "charge-chargelimits",
}


def test_codes_are_lowercase_group_dash_name_and_cover_the_seed_reads() -> None:
    for signal in CATALOG:
        assert signal.code == f"{signal.group}-{signal.name}".lower()
        assert signal.group[0].isupper() and signal.name[0].isupper()
    assert set(BY_CODE) >= SEED_READ_CODES


def test_smartcar_unsupported_make_reads_as_smartcar_not_capable() -> None:
    leaf = build_vehicle(0, "a@example.com", 0, NOW, make="NISSAN", kind="electric")
    resource = signal_resource(BY_CODE["wheel-tires"], leaf, KNOWN_PERMISSIONS, NOW)
    error = resource["attributes"]["status"]["error"]
    assert (error["type"], error["code"]) == ("COMPATIBILITY", "SMARTCAR_NOT_CAPABLE")


def test_fuel_and_range_values() -> None:
    car = build_vehicle(0, "a@example.com", 0, NOW, kind="gas")
    values = signal_values(
        car,
        [
            "internalcombustionengine-fuellevel",
            "internalcombustionengine-range",
            "tractionbattery-range",
        ],
    )
    assert values["internalcombustionengine-fuellevel"]["value"] == round(car.fuel_percent * 100, 1)
    assert values["internalcombustionengine-range"]["unit"] == "km"
    assert "tractionbattery-range" not in values  # a gas car has none


def test_charging_stops_at_the_charge_limit() -> None:
    car = build_vehicle(0, "a@example.com", 0, NOW, kind="electric")
    car.is_plugged_in, car.charging, car.battery_percent, car.charge_limit = True, True, 0.5, 0.6
    car.updated_at = NOW
    charging = signal_values(car, ["charge-timetocomplete", "charge-detailedchargingstatus"])
    assert charging["charge-timetocomplete"]["value"] > 0
    assert charging["charge-detailedchargingstatus"]["value"] == "CHARGING"
    car.advance(NOW + timedelta(hours=5))
    assert round(car.battery_percent, 3) == 0.6
    assert car.charging_state == "FULLY_CHARGED"
    above = build_vehicle(0, "a@example.com", 0, NOW, kind="electric")
    above.is_plugged_in, above.charging, above.battery_percent = True, True, 0.9
    above.charge_limit, above.updated_at = 0.5, NOW
    above.advance(NOW + timedelta(hours=1))
    assert above.battery_percent == 0.9  # a lower limit never drains the battery


def test_connectivity_follows_the_state_error() -> None:
    car = build_vehicle(0, "a@example.com", 0, NOW, kind="gas")
    codes = ["connectivitystatus-isasleep", "connectivitystatus-isonline"]
    assert signal_values(car, codes) == {codes[0]: {"value": False}, codes[1]: {"value": True}}
    car.state_error = "ASLEEP"
    assert signal_values(car, codes)[codes[0]] == {"value": True}
    car.state_error = "UNREACHABLE"
    assert signal_values(car, codes)[codes[1]] == {"value": False}
