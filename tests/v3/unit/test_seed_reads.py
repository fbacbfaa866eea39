"""``_seed_reads.build`` over a ``{code: Signal}`` mapping: which signals a read needs, and
which error wins when several of them are in error."""

from __future__ import annotations

import itertools
from typing import Any, Dict, List, Optional

import pytest

import smartcar
from smartcar.v3 import Signal, parse_signal
from smartcar.v3._seed_reads import build

FUEL = (
    "internalcombustionengine-fuellevel",
    "internalcombustionengine-amountremaining",
    "internalcombustionengine-range",
)
NOT_CAPABLE = {"type": "COMPATIBILITY", "code": "VEHICLE_NOT_CAPABLE", "title": "Not capable"}
PERMISSION = {"type": "PERMISSION", "code": "UNKNOWN", "detail": "Missing permission"}
ASLEEP = {"type": "VEHICLE_STATE", "code": "ASLEEP", "detail": "The vehicle is asleep"}
UPSTREAM = {"type": "UPSTREAM", "code": "NO_RESPONSE", "detail": "No answer"}


def ok(code: str, body: Dict[str, Any]) -> Signal:
    return parse_signal({"code": code, "status": {"value": "SUCCESS"}, "body": body})


def failed(code: str, error: Dict[str, Any]) -> Signal:
    return parse_signal({"code": code, "status": {"value": "ERROR", "error": error}})


def mapping(*signals: Signal) -> Dict[str, Signal]:
    return {signal.code: signal for signal in signals}


@pytest.mark.parametrize("permission_on", FUEL)
def test_fuel_on_an_electric_car_is_not_capable_not_a_permission_problem(
    permission_on: str,
) -> None:
    signals = mapping(
        *(failed(code, PERMISSION if code == permission_on else NOT_CAPABLE) for code in FUEL)
    )
    with pytest.raises(smartcar.VehicleNotCapableException) as caught:
        build("fuel", signals, "metric", "req-1")
    assert caught.value.code == "VEHICLE_NOT_CAPABLE"
    assert caught.value.request_id == "req-1"


@pytest.mark.parametrize("order", list(itertools.permutations([PERMISSION, ASLEEP, UPSTREAM])))
def test_vehicle_state_beats_other_types_which_beat_permission(order: Any) -> None:
    signals = mapping(*(failed(code, error) for code, error in zip(FUEL, order)))
    with pytest.raises(smartcar.StateException):
        build("fuel", signals, "metric", None)


def test_another_type_beats_permission() -> None:
    signals = mapping(failed(FUEL[0], PERMISSION), failed(FUEL[1], UPSTREAM))
    with pytest.raises(smartcar.SmartcarException) as caught:
        build("fuel", signals, "metric", None)
    assert not isinstance(caught.value, smartcar.PermissionException)
    assert caught.value.code == "NO_RESPONSE"


def test_a_not_capable_field_beside_a_usable_one_is_none() -> None:
    signals = mapping(
        ok("tractionbattery-stateofcharge", {"value": 80, "unit": "percent"}),
        failed("tractionbattery-range", NOT_CAPABLE),
    )
    assert build("battery", signals, "metric", None)["data"] == {
        "percentRemaining": 0.8,
        "range": None,
    }


@pytest.mark.parametrize("error", [PERMISSION, ASLEEP])
def test_a_needed_signal_in_another_error_fails_the_read(error: Dict[str, Any]) -> None:
    signals = mapping(
        ok("tractionbattery-stateofcharge", {"value": 80, "unit": "percent"}),
        failed("tractionbattery-range", error),
        failed("tractionbattery-nominalcapacity", NOT_CAPABLE),
    )
    with pytest.raises(smartcar.SmartcarException) as caught:
        build("battery", signals, "metric", None)
    assert caught.value.code == error["code"]


def test_signals_a_read_does_not_need_never_fail_it() -> None:
    signals = mapping(
        ok("odometer-traveleddistance", {"value": 12.5, "unit": "km"}),
        failed("internalcombustionengine-fuellevel", PERMISSION),
        failed("tractionbattery-range", ASLEEP),
    )
    assert build("odometer", signals, "metric", None)["data"] == {"distance": 12.5}


@pytest.mark.parametrize(
    ("detailed", "is_charging", "state"),
    [
        (
            failed("charge-detailedchargingstatus", ASLEEP),
            ok("charge-ischarging", {"value": True}),
            "CHARGING",
        ),
        (
            ok("charge-detailedchargingstatus", {"value": "FULLY_CHARGED"}),
            failed("charge-ischarging", PERMISSION),
            "FULLY_CHARGED",
        ),
    ],
)
def test_charge_state_alternatives_fail_only_when_neither_serves(
    detailed: Signal, is_charging: Signal, state: str
) -> None:
    signals = mapping(ok("charge-ischargingcableconnected", {"value": True}), detailed, is_charging)
    assert build("charge", signals, "metric", None)["data"] == {"isPluggedIn": True, "state": state}


def test_charge_state_alternatives_both_in_error_fail_the_read() -> None:
    signals = mapping(
        ok("charge-ischargingcableconnected", {"value": True}),
        failed("charge-detailedchargingstatus", ASLEEP),
        failed("charge-ischarging", PERMISSION),
    )
    with pytest.raises(smartcar.StateException):
        build("charge", signals, "metric", None)


@pytest.mark.parametrize(
    ("signals", "message"),
    [
        ([], "sent no odometer-traveleddistance"),
        ([failed("odometer-traveleddistance", NOT_CAPABLE)], "Not capable"),
    ],
)
def test_nothing_usable_is_not_capable(signals: List[Signal], message: str) -> None:
    with pytest.raises(smartcar.VehicleNotCapableException, match=message):
        build("odometer", mapping(*signals), "metric", None)


@pytest.mark.parametrize(
    ("pressure_unit", "metric", "imperial"),
    [("kPa", 240.0, 34.81), ("psi", 240.0 * 6.894757, 240.0), ("bar", 24000.0, 3480.9)],
)
def test_tire_pressure_units(pressure_unit: str, metric: float, imperial: float) -> None:
    tires = ok(
        "wheel-tires",
        {"values": [{"row": 0, "column": 0, "tirePressure": 240}], "unit": pressure_unit},
    )
    front_left: Optional[float] = build("tire_pressure", mapping(tires), "metric", None)["data"][
        "tires"
    ]["frontLeft"]
    assert front_left == pytest.approx(metric, rel=1e-3)
    result = build("tire_pressure", mapping(tires), "imperial", None)
    assert result["data"]["tires"]["frontLeft"] == pytest.approx(imperial, rel=1e-3)


@pytest.mark.parametrize("position", [([0], 0), (0, {"x": 1}), ([], []), (True, False)])
def test_a_tire_at_a_position_that_is_not_numbers_is_skipped(position: Any) -> None:
    row, column = position
    tires = ok(
        "wheel-tires",
        {
            "values": [
                {"row": row, "column": column, "tirePressure": 200},
                {"row": 1, "column": 1, "tirePressure": 240},
            ],
            "unit": "kPa",
        },
    )
    result = build("tire_pressure", mapping(tires), "metric", None)["data"]["tires"]
    assert result == {"frontLeft": None, "frontRight": None, "backLeft": None, "backRight": 240}


@pytest.mark.parametrize(
    ("read", "code", "body", "field"),
    [
        ("odometer", "odometer-traveleddistance", {"value": 10**400, "unit": "km"}, "distance"),
        ("odometer", "odometer-traveleddistance", {"value": 1.7e308, "unit": "mi"}, "distance"),
        ("oil", "internalcombustionengine-oillife", {"value": 10**400}, "lifeRemaining"),
        (
            "battery_capacity",
            "tractionbattery-nominalcapacity",
            {"capacity": 10**400, "unit": "kWh"},
            "capacity",
        ),
        (
            "tire_pressure",
            "wheel-tires",
            {"values": [{"row": 0, "column": 0, "tirePressure": 10**400}], "unit": "kPa"},
            "tires",
        ),
    ],
)
def test_a_number_beyond_the_float_range_reads_as_unknown(
    read: str, code: str, body: Dict[str, Any], field: str
) -> None:
    value = build(read, mapping(ok(code, body)), "metric", None)["data"][field]
    assert value is None or value == {
        "frontLeft": None,
        "frontRight": None,
        "backLeft": None,
        "backRight": None,
    }
