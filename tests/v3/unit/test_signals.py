"""``smartcar.v3.Signal`` / ``parse_signal``: every documented signal variant."""

from __future__ import annotations

import copy
import dataclasses
import datetime
from typing import Any, Dict

import pytest

import smartcar
from smartcar.v3 import Signal, SignalError, parse_signal

UTC = datetime.timezone.utc

REST_SIGNAL: Dict[str, Any] = {
    "id": "charge-voltage",
    "type": "signal",
    "attributes": {
        "code": "charge-voltage",
        "name": "Voltage",
        "group": "Charge",
        "status": {"value": "SUCCESS"},
        "body": {"unit": "volts", "value": 85},
    },
    "meta": {"retrievedAt": 1696156800, "oemUpdatedAt": 1696156799},
    "links": {"self": "/vehicles/vehicle123/signals/charge-voltage"},
}

WEBHOOK_SIGNAL: Dict[str, Any] = {
    "code": "tractionbattery-stateofcharge",
    "name": "StateOfCharge",
    "group": "TractionBattery",
    "body": {"value": 78, "unit": "percent"},
    "status": {"value": "SUCCESS"},
    "meta": {"oemUpdatedAt": 1790080005073, "retrievedAt": 1790080005073},
}


def test_rest_resource_unwrapped() -> None:
    signal = parse_signal(REST_SIGNAL)
    assert signal == Signal(
        code="charge-voltage",
        name="Voltage",
        group="Charge",
        value=85,
        unit="volts",
        body={"unit": "volts", "value": 85},
        status="SUCCESS",
        error=None,
        retrieved_at=datetime.datetime(2023, 10, 1, 10, 40, tzinfo=UTC),
        oem_updated_at=datetime.datetime(2023, 10, 1, 10, 39, 59, tzinfo=UTC),
    )
    assert signal.ok


def test_rest_resource_wrapped_in_data() -> None:
    assert parse_signal({"data": REST_SIGNAL}) == parse_signal(REST_SIGNAL)


def test_webhook_flat_shape_with_millisecond_times() -> None:
    signal = parse_signal(WEBHOOK_SIGNAL)
    assert (signal.code, signal.name, signal.group) == (
        "tractionbattery-stateofcharge",
        "StateOfCharge",
        "TractionBattery",
    )
    assert (signal.value, signal.unit, signal.status) == (78, "percent", "SUCCESS")
    expected = datetime.datetime(2026, 9, 22, 12, 26, 45, 73000, tzinfo=UTC)
    assert signal.retrieved_at == signal.oem_updated_at == expected


def test_live_iso_times_and_ingested_at() -> None:
    live = copy.deepcopy(REST_SIGNAL)
    live["meta"] = {
        "ingestedAt": "2026-09-22T10:00:01.500Z",
        "retrievedAt": "2026-09-22T10:00:00.000Z",
        "oemUpdatedAt": "2026-09-22T11:59:00+02:00",
    }
    signal = parse_signal(live)
    assert signal.retrieved_at == datetime.datetime(2026, 9, 22, 10, 0, tzinfo=UTC)
    assert signal.oem_updated_at == datetime.datetime(2026, 9, 22, 9, 59, tzinfo=UTC)
    assert signal.oem_updated_at is not None and signal.oem_updated_at.tzinfo == UTC


def test_code_falls_back_to_id_and_missing_meta_gives_no_times() -> None:
    bare = {"id": "odometer-traveleddistance", "attributes": {"body": {"value": 1.5}}}
    signal = parse_signal(bare)
    assert signal.code == "odometer-traveleddistance"
    assert (signal.name, signal.group, signal.unit) == (None, None, None)
    assert signal.retrieved_at is None and signal.oem_updated_at is None
    assert signal.status == "SUCCESS"


@pytest.mark.parametrize(
    "body",
    [
        {"latitude": 32.7767, "longitude": -96.797, "locationType": "LAST_PARKED"},
        {"values": [{"row": 0, "column": 0, "isOpen": False}], "rowCount": 2, "columnCount": 2},
        {"capacity": 86, "availableCapacities": [], "source": "SMARTCAR", "unit": "kWh"},
    ],
)
def test_object_bodies_kept_raw(body: Dict[str, Any]) -> None:
    signal = parse_signal({**WEBHOOK_SIGNAL, "body": body})
    assert signal.body == body
    assert signal.value is None
    assert signal.unit == body.get("unit")


@pytest.mark.parametrize("value", ["WVGAWVEB4SH018592", True, 45.5])
def test_single_values(value: Any) -> None:
    signal = parse_signal({**WEBHOOK_SIGNAL, "body": {"value": value}})
    assert signal.value == value and signal.unit is None


SPEC_ERROR = {
    "type": "COMPATIBILITY",
    "code": "VEHICLE_NOT_CAPABLE",
    "description": "The vehicle is not capable.",
    "resolution": {"type": None},
}
LIVE_ERROR = {
    "type": "VEHICLE_STATE",
    "code": "NOT_CHARGING",
    "title": "Not charging",
    "detail": "The vehicle is not charging.",
    "resolution": {"type": "UNKNOWN_RESOLUTION_TYPE"},
}
WEBHOOK_ERROR = {"code": "VEHICLE_NOT_CAPABLE", "type": "COMPATIBILITY"}


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            SPEC_ERROR,
            SignalError(
                "COMPATIBILITY",
                "VEHICLE_NOT_CAPABLE",
                detail="The vehicle is not capable.",
                resolution={"type": None},
            ),
        ),
        (
            LIVE_ERROR,
            SignalError(
                "VEHICLE_STATE",
                "NOT_CHARGING",
                title="Not charging",
                detail="The vehicle is not charging.",
                resolution={"type": "UNKNOWN_RESOLUTION_TYPE"},
            ),
        ),
        (WEBHOOK_ERROR, SignalError("COMPATIBILITY", "VEHICLE_NOT_CAPABLE")),
    ],
)
@pytest.mark.parametrize("body", ["absent", {"value": None, "unit": "percent"}])
def test_error_shapes(error: Dict[str, Any], expected: SignalError, body: Any) -> None:
    entry: Dict[str, Any] = {
        "code": "location-isathome",
        "name": "IsAtHome",
        "group": "Location",
        "status": {"value": "ERROR", "error": error},
    }
    if body != "absent":
        entry["body"] = body
    signal = parse_signal(entry)
    assert signal.status == "ERROR" and not signal.ok
    assert signal.error == expected
    assert signal.error is not None and signal.error.raw == error
    assert signal.value is None


def test_error_without_error_object() -> None:
    signal = parse_signal({"code": "x-y", "status": {"value": "ERROR"}})
    assert signal.error == SignalError(None, None)


def test_unavailable_status() -> None:
    signal = parse_signal({"code": "x-y", "status": {"value": "UNAVAILABLE"}, "body": None})
    assert (signal.status, signal.error, signal.body, signal.value) == (
        "UNAVAILABLE",
        None,
        {},
        None,
    )
    with pytest.raises(smartcar.SmartcarException, match="x-y is unavailable"):
        signal.raise_for_status()


def test_status_as_bare_string_and_missing_status() -> None:
    assert parse_signal({"code": "a-b", "status": "success", "body": {"value": 1}}).status == (
        "SUCCESS"
    )
    assert parse_signal({"code": "a-b", "body": {"value": 1}}).status == "SUCCESS"
    assert parse_signal({"code": "a-b"}).status == "UNAVAILABLE"


def test_success_does_not_raise() -> None:
    assert parse_signal(REST_SIGNAL).raise_for_status() is None


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([], "must be a JSON object"),
        ("signal", "must be a JSON object"),
        ({"attributes": {"name": "X"}}, "without a code"),
        ({"code": "a-b", "body": [1]}, "body that is not an object"),
        ({"code": "a-b", "status": 3}, "status that is not an object"),
        ({"code": "a-b", "meta": {"retrievedAt": "soon"}}, "bad time"),
        ({"code": "a-b", "meta": {"oemUpdatedAt": True}}, "bad time"),
        ({"code": "a-b", "meta": {"retrievedAt": 10**400}}, "bad time"),
        ({"code": "a-b", "meta": {"ingestedAt": -(10**400)}}, "bad time"),
    ],
)
def test_bad_input_raises_smartcar_exception(obj: Any, message: str) -> None:
    with pytest.raises(smartcar.SmartcarException, match=message):
        parse_signal(obj)


def test_caller_chooses_the_error_class() -> None:
    class PayloadError(smartcar.SmartcarException):
        pass

    with pytest.raises(PayloadError):
        parse_signal({"name": "x"}, error_class=PayloadError)


def test_signal_is_frozen_and_hashable_fields_compare() -> None:
    signal = parse_signal(WEBHOOK_SIGNAL)
    with pytest.raises(AttributeError):
        signal.value = 1  # type: ignore[misc]
    assert parse_signal(copy.deepcopy(WEBHOOK_SIGNAL)) == signal


@pytest.mark.parametrize("obj", [REST_SIGNAL, WEBHOOK_SIGNAL, {"code": "a-b", "status": "ERROR"}])
def test_a_parsed_signal_is_the_one_its_constructor_builds(obj: Dict[str, Any]) -> None:
    parsed = parse_signal(obj)
    fields = [field.name for field in dataclasses.fields(Signal)]
    assert list(vars(parsed)) == fields
    built = Signal(**{name: getattr(parsed, name) for name in fields})
    assert (parsed, repr(parsed), vars(parsed)) == (built, repr(built), vars(built))
    assert type(parsed) is Signal


def test_signal_error_reads_like_an_exception() -> None:
    live = parse_signal({"code": "a-b", "status": {"value": "ERROR", "error": LIVE_ERROR}}).error
    assert live is not None
    assert (live.message, live.description) == ("The vehicle is not charging.", live.detail)
    bare = parse_signal({"code": "a-b", "status": {"value": "ERROR", "error": WEBHOOK_ERROR}})
    assert bare.error is not None and bare.error.message == "COMPATIBILITY:VEHICLE_NOT_CAPABLE"
    assert SignalError(None, None).message == "Unknown signal error"
    error = bare.error.exception(request_id="r-9")
    assert isinstance(error, smartcar.VehicleNotCapableException)
    assert (error.type, error.code, error.request_id) == (
        "COMPATIBILITY",
        "VEHICLE_NOT_CAPABLE",
        "r-9",
    )
