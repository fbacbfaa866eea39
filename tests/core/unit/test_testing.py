"""``smartcar.testing``: the public transport seam for users' own unit tests."""

from __future__ import annotations

import json
from typing import List

import pytest

import smartcar
import smartcar.testing
from smartcar import v3
from smartcar.testing import Answer, MockTransport, Request


def test_a_vehicle_read_reaches_the_handler_exactly_and_its_answer_is_decoded() -> None:
    seen: List[Request] = []

    def service(request: Request) -> Answer:
        seen.append(request)
        return Answer(200, {"distance": 12.5}, {"sc-request-id": "r-1", "sc-unit-system": "metric"})

    vehicle = smartcar.Vehicle(
        "vehicle-1", "test-token", version="2.0", transport=MockTransport(service)
    )
    odometer = vehicle.odometer()
    assert odometer["data"] == {"distance": 12.5}
    assert odometer.request_id == "r-1"
    (request,) = seen
    assert (request.method, request.url, request.body) == (
        "GET",
        smartcar.const.api_url("2.0") + "/vehicles/vehicle-1/odometer",
        None,
    )
    assert request.headers["Authorization"] == "Bearer test-token"
    assert request.headers["sc-unit-system"] == "metric"


def test_an_error_status_raises_the_same_exception_as_over_the_network() -> None:
    body = {"type": "RESOURCE_NOT_FOUND", "code": "PATH", "description": "nope"}
    vehicle = smartcar.Vehicle(
        "vehicle-1",
        "test-token",
        version="2.0",
        transport=MockTransport(lambda request: (404, body)),
    )
    with pytest.raises(smartcar.ResourceNotFoundException) as caught:
        vehicle.vin()
    assert caught.value.code == "PATH"


def test_a_v3_command_and_the_app_token_go_through_the_handler() -> None:
    def service(request: Request) -> Answer:
        if request.url.endswith("/oauth2/token"):
            form = request.body.decode() if request.body else ""
            assert "grant_type=client_credentials" in form
            return Answer(
                200, {"access_token": "app-1", "token_type": "Bearer", "expires_in": 3600}
            )
        assert request.headers["sc-user-id"] == "user-1"
        assert json.loads(request.body or b"") == {"data": {"attributes": {"percent": 80}}}
        return Answer(
            200,
            {
                "data": {
                    "type": "command-execution",
                    "id": "c-1",
                    "attributes": {"status": {"value": "SUCCESS"}},
                }
            },
        )

    mock = MockTransport(service)
    client = v3.Client("client_1", "secret-1", transport=mock)
    result = client.vehicle("vehicle-1", "user-1").set_charge_limit(80)
    assert result["status"] == "SUCCESS"
    assert [r.method for r in mock.requests] == ["POST", "POST"]
    assert mock.requests[1].url.endswith("/vehicles/vehicle-1/commands/charge/set-limit")


def test_as_the_process_default_it_serves_objects_created_without_it() -> None:
    with MockTransport(lambda request: (200, {"id": "user-7"})) as mock:
        assert smartcar.get_user_id("test-token") == "user-7"
    assert len(mock.requests) == 1


def test_a_handler_that_answers_something_else_is_named() -> None:
    vehicle = smartcar.Vehicle("v", "t", transport=MockTransport(lambda request: "ok"))  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError, match="Answer"):
        vehicle.vin()


def test_a_retry_does_not_wait_and_its_wait_is_recorded() -> None:
    answers = [Answer(503, None, {"Retry-After": "2"}), Answer(200, {"vin": "VIN1"})]
    mock = MockTransport(lambda request: answers.pop(0))
    assert smartcar.Vehicle("v", "t", transport=mock).vin() == "VIN1"
    assert mock.clock.sleeps == [2.0]
    assert len(mock.requests) == 2
