"""``smartcar.api.request``: extra headers and JSON bodies (contract C1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import responses
from unit_support import ACCESS_TOKEN, API

import smartcar
from smartcar import api

URL = f"{API}/vehicles/v1/security"


def _sent_with_requests_json(body: Any) -> requests.PreparedRequest:
    return requests.Request("POST", URL, json=body).prepare()


@pytest.mark.parametrize(
    "body",
    [
        {"action": "LOCK"},
        {"requests": [{"path": "/odometer"}, {"path": "/location"}]},
        {"name": "Zoë", "nested": {"emoji": "\U0001f697", "n": 1.5, "none": None}},
        [1, 2, 3],
    ],
)
def test_json_body_is_what_requests_json_sends(body: Any, mocked: responses.RequestsMock) -> None:
    mocked.post(URL, json={"status": "success"})
    api.request("POST", URL, token=ACCESS_TOKEN, json_body=body)
    sent = mocked.calls[0].request
    reference = _sent_with_requests_json(body)
    assert sent.body == reference.body
    assert isinstance(sent.body, bytes)
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.body) == body


def test_json_body_that_is_not_json_is_a_value_error(mocked: responses.RequestsMock) -> None:
    with pytest.raises(ValueError, match="JSON"):
        api.request("POST", URL, token=ACCESS_TOKEN, json_body={"limit": float("nan")})
    with pytest.raises(ValueError, match="JSON"):
        api.request("POST", URL, token=ACCESS_TOKEN, json_body={"when": object()})
    assert not mocked.calls


def test_extra_headers_are_sent(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, json={"ok": True})
    api.request(
        "GET", URL, token=ACCESS_TOKEN, unit_system="metric", headers={"sc-user-id": "user-42"}
    )
    sent = mocked.calls[0].request
    assert sent.headers["sc-user-id"] == "user-42"
    assert sent.headers["sc-unit-system"] == "metric"
    assert sent.headers["Authorization"] == "Bearer " + ACCESS_TOKEN


def test_extra_header_may_replace_the_unit_system(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, json={})
    api.request("GET", URL, unit_system="metric", headers={"SC-Unit-System": "imperial"})
    assert mocked.calls[0].request.headers["sc-unit-system"] == "imperial"


def test_authorization_header_replaces_the_token_and_stays_secret(
    mocked: responses.RequestsMock,
) -> None:
    secret = "management-token-MGMTSECRET-1234"
    mocked.get(URL, status=401, json={"error": "authentication_error", "message": secret})
    with pytest.raises(smartcar.SmartcarException) as caught:
        api.request("GET", URL, token=ACCESS_TOKEN, headers={"Authorization": "Bearer " + secret})
    assert mocked.calls[0].request.headers["Authorization"] == "Bearer " + secret
    assert secret not in str(caught.value) and secret not in repr(caught.value)


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({"bad name": "x"}, ValueError),
        ({"sc-user-id": "line\nbreak"}, ValueError),
        ({"sc-user-id": 5}, ValueError),
        ({"": "x"}, ValueError),
        ([("sc-user-id", "x")], TypeError),
    ],
)
def test_unsendable_headers_are_rejected_naming_the_argument(
    headers: Any, error: type, mocked: responses.RequestsMock
) -> None:
    with pytest.raises(error, match="headers"):
        api.request("GET", URL, token=ACCESS_TOKEN, headers=headers)
    assert not mocked.calls


def test_unmatched_responses_mock_is_a_dropped_connection_caused_by_the_mock(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(f"{API}/vehicles/other", json={})
    with pytest.raises(smartcar.SmartcarConnectionError) as caught:
        api.request("GET", URL, token=ACCESS_TOKEN)
    assert "doesn't match any registered mock" in str(caught.value.__cause__)
    assert caught.value.error == "connection_dropped"
    assert len(mocked.calls) == 1  # not retried
