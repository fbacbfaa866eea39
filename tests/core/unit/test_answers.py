"""``smartcar._answers``: a 2xx answer keeps its request's redactor, so whatever is built from
it later (a malformed answer's exception, a log line) shows no echoed secret."""

from __future__ import annotations

import json
import logging
import pickle
from typing import Any

import pytest
import responses
from unit_support import ACCESS_TOKEN, AUTH, AUTH_CODE, CLIENT_ID, CLIENT_SECRET, VEHICLE_URL

import smartcar
from smartcar import api

ECHOED_FORM = f"grant_type=authorization_code&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"


def assert_hidden(error: smartcar.SmartcarException, *secrets: str) -> None:
    shown = [str(error), repr(error), json.dumps(error.body, default=str)]
    dumped = pickle.dumps(error)
    for secret in secrets:
        for text in shown:
            assert secret not in text, text
        assert secret.encode() not in dumped


@pytest.mark.parametrize("body", [ECHOED_FORM, [ECHOED_FORM], [{"echo": ECHOED_FORM}]])
def test_a_token_answer_that_is_not_an_object_hides_the_client_secret(
    mocked: responses.RequestsMock, client: smartcar.AuthClient, body: Any
) -> None:
    mocked.post(AUTH, json=body)
    with pytest.raises(smartcar.SmartcarException) as caught:
        client.exchange_code(AUTH_CODE)
    assert caught.value.body is not None
    assert_hidden(caught.value, CLIENT_SECRET, AUTH_CODE)


def test_a_read_answer_that_is_not_an_object_hides_the_access_token(
    mocked: responses.RequestsMock, vehicle: smartcar.Vehicle
) -> None:
    mocked.get(f"{VEHICLE_URL}/odometer", json=f"Bearer {ACCESS_TOKEN}")
    with pytest.raises(smartcar.SmartcarException) as caught:
        vehicle.odometer()
    assert_hidden(caught.value, ACCESS_TOKEN)


def test_an_echoed_request_id_of_a_success_is_redacted_in_the_result_and_the_log(
    mocked: responses.RequestsMock,
    vehicle: smartcar.Vehicle,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mocked.get(
        f"{VEHICLE_URL}/odometer",
        json={"distance": 1.5},
        headers={"sc-request-id": f"rid-{ACCESS_TOKEN}"},
    )
    with caplog.at_level(logging.DEBUG, logger=api.logger.name):
        result = vehicle.odometer()
    assert result["data"]["distance"] == 1.5
    assert ACCESS_TOKEN not in str(result.request_id)
    assert ACCESS_TOKEN not in str(smartcar.last_request_id())
    assert caplog.records
    assert all(ACCESS_TOKEN not in record.getMessage() for record in caplog.records)


def test_an_answer_without_secrets_is_left_alone() -> None:
    response = api.parse_response(200, {"sc-request-id": "r-1"}, b'"a text"')
    assert response.request_id == "r-1"
    assert response.redacted(["a text"]) == ["a text"]
    error = api.malformed(response, "a JSON object")
    assert error.body == "a text"
