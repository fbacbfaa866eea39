"""v3 charge schedules: the exact request of each kind and of a deletion, the bodies checked
before anything is sent, and the execution read back (never sent twice)."""

from __future__ import annotations

import datetime
from typing import Any, Callable, Dict, List

import pytest
import responses

import smartcar
from smartcar.v3 import Client, Vehicle

from .support import USER_ID, VEHICLE_ID, VEHICLES, calls_to, json_of, v3_error

UTC = datetime.timezone.utc
SCHEDULES = f"{VEHICLES}/vehicles/{VEHICLE_ID}/charge-schedules"
HOME = {"latitude": 37.7749, "longitude": -122.4194}


@pytest.fixture
def vehicle(client: Client, token_requests: List[str]) -> Vehicle:
    return client.vehicle(VEHICLE_ID, USER_ID)


def execution(action: str, kind: str, parameters: Dict[str, Any], status: str = "SUCCESS") -> Any:
    return {
        "data": {
            "id": "exec_1234",
            "type": "charge-schedule-execution",
            "attributes": {
                "action": action,
                "scheduleType": kind,
                "status": {"value": status},
                "executionMode": "sync",
                "scheduleId": "sched_abc123",
                "parameters": parameters,
            },
            "links": {"schedule": f"/vehicles/{VEHICLE_ID}/charge-schedules/sched_abc123"},
            "meta": {
                "executedAt": "2026-01-01T12:00:00Z",
                "completedAt": "2026-01-01T12:00:01Z",
                "durationInSeconds": 1,
            },
        }
    }


CASES = [
    (
        "daily",
        lambda v: v.set_daily_charge_schedule(37.7749, -122.4194, "08:00", datetime.time(10, 0)),
        {"location": HOME, "startTime": "08:00", "stopTime": "10:00"},
    ),
    (
        "weekly",
        lambda v: v.set_weekly_charge_schedule(
            37.7749, -122.4194, {"Monday": ("01:00", "05:30"), "saturday": ("22:00", "23:59")}
        ),
        {
            "location": HOME,
            "days": {
                "monday": {"startTime": "01:00", "stopTime": "05:30"},
                "saturday": {"startTime": "22:00", "stopTime": "23:59"},
            },
        },
    ),
    (
        "workweek",
        lambda v: v.set_workweek_charge_schedule(
            37.7749, -122.4194, ("00:30", "06:00"), ["09:00", "12:00"]
        ),
        {
            "location": HOME,
            "weekdays": {"startTime": "00:30", "stopTime": "06:00"},
            "weekends": {"startTime": "09:00", "stopTime": "12:00"},
        },
    ),
]


@pytest.mark.parametrize(("kind", "call", "attributes"), CASES)
@pytest.mark.parametrize("status", [200, 202])
def test_set_schedule_exact_request(
    vehicle: Vehicle,
    mocked: responses.RequestsMock,
    kind: str,
    call: Callable[[Vehicle], Any],
    attributes: Dict[str, Any],
    status: int,
) -> None:
    url = f"{SCHEDULES}/{kind}"
    mocked.add(
        responses.POST,
        url,
        status=status,
        json=execution("create", kind, attributes),
        headers={"sc-request-id": "sched-1"},
    )
    result = call(vehicle)
    assert result == {
        "id": "exec_1234",
        "action": "create",
        "schedule_type": kind,
        "schedule_id": "sched_abc123",
        "status": "SUCCESS",
        "execution_mode": "sync",
        "parameters": attributes,
        "executed_at": datetime.datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
        "completed_at": datetime.datetime(2026, 1, 1, 12, 0, 1, tzinfo=UTC),
        "duration_seconds": 1.0,
        "status_code": status,
    }
    assert result.request_id == "sched-1"
    (sent,) = calls_to(mocked, url)
    assert sent.request.method == "POST"
    assert sent.request.headers["sc-user-id"] == USER_ID
    assert sent.request.headers["Authorization"] == "Bearer app-token-1"
    assert sent.request.headers["Content-Type"] == "application/json"
    assert json_of(sent) == {"data": {"attributes": attributes}}


def test_delete_schedule_exact_request(vehicle: Vehicle, mocked: responses.RequestsMock) -> None:
    url = f"{SCHEDULES}/sched_abc%3B123"
    mocked.add(responses.DELETE, url, json=execution("delete", "daily", {"location": HOME}))
    result = vehicle.delete_charge_schedule("sched_abc;123")
    assert (result["action"], result["schedule_id"], result["status"]) == (
        "delete",
        "sched_abc123",
        "SUCCESS",
    )
    (sent,) = calls_to(mocked, SCHEDULES)
    assert (sent.request.method, sent.request.url, sent.request.body) == ("DELETE", url, None)
    assert sent.request.headers["sc-user-id"] == USER_ID


def test_delete_answered_204_without_a_body(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.DELETE, f"{SCHEDULES}/sched_1", status=204)
    result = vehicle.delete_charge_schedule("sched_1")
    assert (result["action"], result["schedule_id"], result["status"], result["status_code"]) == (
        "delete",
        "sched_1",
        "SUCCESS",
        204,
    )


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda v: v.set_daily_charge_schedule(91, 0, "08:00", "10:00"), "latitude"),
        (lambda v: v.set_daily_charge_schedule(0, -181, "08:00", "10:00"), "longitude"),
        (lambda v: v.set_daily_charge_schedule(0, 0, "8:00", "10:00"), "start_time"),
        (lambda v: v.set_daily_charge_schedule(0, 0, "08:00", "24:00"), "stop_time"),
        (lambda v: v.set_daily_charge_schedule(0, 0, datetime.time(8, 0, 30), "10:00"), "start"),
        (lambda v: v.set_daily_charge_schedule(0, 0, 800, "10:00"), "start_time"),
        (lambda v: v.set_weekly_charge_schedule(0, 0, {}), "days"),
        (lambda v: v.set_weekly_charge_schedule(0, 0, [("08:00", "10:00")]), "days"),
        (lambda v: v.set_weekly_charge_schedule(0, 0, {"funday": ("08:00", "10:00")}), "days"),
        (lambda v: v.set_weekly_charge_schedule(0, 0, {"monday": "08:00-10:00"}), "monday"),
        (
            lambda v: v.set_workweek_charge_schedule(0, 0, ("08:00",), ("08:00", "09:00")),
            "weekdays",
        ),
        (lambda v: v.set_workweek_charge_schedule(0, 0, ("08:00", "09:00"), None), "weekends"),
        (lambda v: v.delete_charge_schedule(""), "schedule_id"),
    ],
)
def test_bad_bodies_are_refused_before_sending(
    vehicle: Vehicle, mocked: responses.RequestsMock, call: Callable[[Vehicle], Any], argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        call(vehicle)
    assert calls_to(mocked, SCHEDULES) == []


def test_an_unsupported_make_is_not_capable_and_never_repeated(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    url = f"{SCHEDULES}/weekly"
    mocked.add(
        responses.POST,
        url,
        status=501,
        json=v3_error(501, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE", "Weekly schedules: Tesla"),
    )
    with pytest.raises(smartcar.VehicleNotCapableException):
        vehicle.set_weekly_charge_schedule(0, 0, {"monday": ("08:00", "10:00")})
    assert len(calls_to(mocked, url)) == 1


@pytest.mark.parametrize("status", [502, 503])
def test_a_schedule_is_never_sent_twice(
    vehicle: Vehicle, mocked: responses.RequestsMock, status: int
) -> None:
    url = f"{SCHEDULES}/daily"
    mocked.add(responses.POST, url, status=status, json=v3_error(status, "UPSTREAM", "x", "y"))
    with pytest.raises(smartcar.SmartcarException):
        vehicle.set_daily_charge_schedule(0, 0, "08:00", "10:00")
    assert len(calls_to(mocked, url)) == 1


def test_a_failed_schedule_execution_raises(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    mocked.add(
        responses.POST,
        f"{SCHEDULES}/daily",
        json=execution("create", "daily", {}, status="ERROR"),
    )
    with pytest.raises(smartcar.SmartcarException, match="ERROR"):
        vehicle.set_daily_charge_schedule(0, 0, "08:00", "10:00")
