"""v3 charge schedules and charge-port commands through the service."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from .conftest import Harness, only_error

DAILY = {"location": {"latitude": 37.7749, "longitude": -122.4194},
         "startTime": "08:00", "stopTime": "10:00"}  # fmt: skip


def _body(attrs: Dict[str, Any]) -> Dict[str, Any]:
    return {"data": {"attributes": attrs}}


def test_daily_schedule_round_trip(v3: Harness) -> None:
    tesla = v3.of_kind("electric")
    created = v3.post(f"/vehicles/{tesla.id}/charge-schedules/daily", _body(DAILY))
    assert created.status_code == 200
    data = created.json["data"]
    assert data["type"] == "charge-schedule-execution"
    attributes = data["attributes"]
    assert (attributes["action"], attributes["scheduleType"]) == ("create", "daily")
    assert attributes["status"] == {"value": "SUCCESS"}
    schedule_id = attributes["scheduleId"]
    assert data["links"]["schedule"].endswith(f"/charge-schedules/{schedule_id}")
    timers = v3.get(f"/vehicles/{tesla.id}/signals/charge-chargetimers").json["data"]
    [timer] = timers["attributes"]["body"]["values"]
    assert (timer["type"], timer["scheduleType"], timer["scheduleId"]) == (
        "LOCATION", "daily", schedule_id,
    )  # fmt: skip
    assert timer["schedules"][0]["start"] == "08:00"
    deleted = v3.client.delete(
        f"/v3/vehicles/{tesla.id}/charge-schedules/{schedule_id}", headers=v3.headers()
    )
    assert deleted.status_code == 200
    assert deleted.json["data"]["attributes"]["action"] == "delete"
    assert tesla.charge_schedules == []
    again = v3.client.delete(
        f"/v3/vehicles/{tesla.id}/charge-schedules/{schedule_id}", headers=v3.headers()
    )
    assert again.status_code == 404


def test_weekly_and_workweek(v3: Harness) -> None:
    tesla = v3.of_kind("electric")
    weekly = {"location": DAILY["location"],
              "days": {"monday": {"startTime": "01:00", "stopTime": "05:00"}}}  # fmt: skip
    assert (
        v3.post(f"/vehicles/{tesla.id}/charge-schedules/weekly", _body(weekly)).status_code == 200
    )
    window = {"startTime": "22:00", "stopTime": "06:00"}
    workweek = {"location": DAILY["location"], "weekdays": window, "weekends": window}
    response = v3.post(f"/vehicles/{tesla.id}/charge-schedules/workweek", _body(workweek))
    assert response.status_code == 200
    kinds = [item["type"] for item in tesla.charge_schedules]
    assert kinds == ["weekly", "workweek"]


@pytest.mark.parametrize(
    "attrs",
    [
        {**DAILY, "startTime": "8:00"},
        {**DAILY, "stopTime": "24:00"},
        {**DAILY, "location": {"latitude": 91, "longitude": 0}},
        {"startTime": "08:00", "stopTime": "10:00"},
    ],
)
def test_daily_validation(v3: Harness, attrs: Dict[str, Any]) -> None:
    tesla = v3.of_kind("electric")
    response = v3.post(f"/vehicles/{tesla.id}/charge-schedules/daily", _body(attrs))
    assert response.status_code == 400
    assert only_error(response)["code"] == "INVALID_INPUT_FORMAT"
    assert tesla.charge_schedules == []


def test_other_makes_are_not_capable(v3: Harness) -> None:
    bmw = v3.of_kind("hybrid")
    response = v3.post(f"/vehicles/{bmw.id}/charge-schedules/daily", _body(DAILY))
    assert response.status_code == 501
    assert (only_error(response)["type"], only_error(response)["code"]) == (
        "COMPATIBILITY", "VEHICLE_NOT_CAPABLE",
    )  # fmt: skip
    unknown = v3.post(f"/vehicles/{bmw.id}/charge-schedules/monthly", _body(DAILY))
    assert unknown.status_code == 404


def test_charge_port_commands(v3: Harness) -> None:
    tesla = v3.of_kind("electric")
    opened = v3.post(f"/vehicles/{tesla.id}/commands/charge-port/open")
    assert opened.json["data"]["attributes"]["commandType"] == "charge-port-open"
    assert tesla.charge_port_open is True
    flap = v3.get(f"/vehicles/{tesla.id}/signals/charge-ischargingportflapopen").json["data"]
    assert flap["attributes"]["body"] == {"value": True}
    v3.post(f"/vehicles/{tesla.id}/commands/charge-port/close")
    assert tesla.charge_port_open is False
