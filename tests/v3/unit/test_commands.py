"""``smartcar.v3._commands`` and the other paths that build an exception from a 2xx v3 answer:
an application token (or client secret) the service echoes never reaches the exception's
message, repr, pickle or ``body``, nor a DEBUG log line."""

from __future__ import annotations

import json
import logging
import pickle
from typing import Any, Dict, List

import pytest
import responses

import smartcar
from smartcar import api
from smartcar.v3 import Client, Vehicle

from .support import (
    APP_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    IAM,
    USER_ID,
    VEHICLE_ID,
    VEHICLES,
    command_body,
    signal,
    single_signal,
)

BASE = f"{VEHICLES}/vehicles/{VEHICLE_ID}"
LOCK = f"{BASE}/commands/security/lock"
ECHO = f"your token was Bearer {APP_TOKEN} (sent as Authorization)"


@pytest.fixture
def vehicle(client: Client, token_requests: List[str]) -> Vehicle:
    return client.vehicle(VEHICLE_ID, USER_ID)


def assert_hidden(error: BaseException, *secrets: str) -> None:
    assert isinstance(error, smartcar.SmartcarException)
    shown = [str(error), repr(error), json.dumps(error.body, default=str), str(error.request_id)]
    dumped = pickle.dumps(error)
    for secret in secrets:
        for text in shown:
            assert secret not in text, text
        assert secret.encode() not in dumped


def _echoing_error() -> Dict[str, Any]:
    return {"type": "VEHICLE_STATE", "code": "ASLEEP", "title": ECHO, "detail": ECHO}


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"errors": [{"status": "409", **_echoing_error()}]}),
        (202, command_body("security-lock", status="FAILED", error=_echoing_error())),
        (202, command_body("security-lock", status=f"FAILED:{APP_TOKEN}")),
        (200, ECHO),
        (200, [ECHO]),
        (200, {"data": {"id": "x", "attributes": {"status": {"value": {"v": ECHO}}}}}),
    ],
    ids=["errors array", "failed with error", "failed status", "string", "list", "odd status"],
)
def test_a_failed_command_answer_hides_the_echoed_token(
    vehicle: Vehicle, mocked: responses.RequestsMock, status: int, body: Any
) -> None:
    mocked.add(responses.POST, LOCK, status=status, json=body, headers={"sc-request-id": ECHO})
    with pytest.raises(smartcar.SmartcarException) as caught:
        vehicle.lock()
    assert_hidden(caught.value, APP_TOKEN)


def test_a_signal_in_error_hides_the_echoed_token(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    code = "odometer-traveleddistance"
    failed = signal(code, status="ERROR", error=_echoing_error())
    mocked.add(responses.GET, f"{BASE}/signals/{code}", json=single_signal(failed))
    with pytest.raises(smartcar.StateException) as caught:
        vehicle.odometer()
    assert_hidden(caught.value, APP_TOKEN)


@pytest.mark.parametrize(
    "body",
    [
        f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}",
        [f"client_secret={CLIENT_SECRET}"],
    ],
)
def test_an_app_token_answer_that_is_not_an_object_hides_the_client_secret(
    client: Client, mocked: responses.RequestsMock, body: Any
) -> None:
    mocked.add(responses.POST, IAM, json=body)
    with pytest.raises(smartcar.SmartcarException) as caught:
        client.access_token()
    assert caught.value.body is not None
    assert_hidden(caught.value, CLIENT_SECRET)


def test_a_successful_answer_echoing_the_token_in_its_request_id_is_logged_redacted(
    vehicle: Vehicle, mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    mocked.add(
        responses.POST, LOCK, json=command_body("security-lock"), headers={"sc-request-id": ECHO}
    )
    with caplog.at_level(logging.DEBUG, logger=api.logger.name):
        result = vehicle.lock()
    assert result["status"] == "SUCCESS"
    assert APP_TOKEN not in str(result.request_id)
    assert caplog.records
    assert all(APP_TOKEN not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("status", ["²⁰⁰", "9" * 5000, "٤٠٩"])
def test_an_error_status_int_cannot_read_still_gives_a_smartcar_exception(
    vehicle: Vehicle, mocked: responses.RequestsMock, status: str
) -> None:
    body = {"errors": [{"status": status, "type": "VEHICLE_STATE", "code": "ASLEEP"}]}
    mocked.add(responses.POST, LOCK, json=body)
    with pytest.raises(smartcar.StateException):
        vehicle.lock()
