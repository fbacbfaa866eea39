"""The request body as every surface reads it (``web.parse_json``), and the surfaces' 400
answers to bodies it refuses: JSON nested 100,000 deep, NaN, Infinity, 400-digit numbers."""

from __future__ import annotations

import json
from typing import Dict

import pytest
from werkzeug.test import Client

from smartcar.emulator.app import EmulatorApp
from smartcar.emulator.web import MAX_JSON_DEPTH, BadJson, parse_json

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
HUGE = b"1" + b"0" * 400


def test_parse_json_reads_ordinary_documents() -> None:
    assert parse_json(b'{"limit": 0.8, "n": 12, "s": "x", "l": [null, true]}') == {
        "limit": 0.8, "n": 12, "s": "x", "l": [None, True],
    }  # fmt: skip
    nested = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert parse_json(nested) is not None


@pytest.mark.parametrize(
    "raw",
    [
        DEEP,
        DEEP_OBJECT,
        b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
        b'{"limit": NaN}',
        b'{"limit": Infinity}',
        b'{"limit": -Infinity}',
        b'{"limit": 1e999}',
        b'{"limit": ' + HUGE + b"}",
        b'{"limit": -' + HUGE + b"}",
        b"{",
        b"\xff\xfe",
    ],
    ids=[
        "deep-array", "deep-object", "one-too-deep", "nan", "infinity", "-infinity",
        "1e999", "400-digits", "-400-digits", "truncated", "not-utf8",
    ],
)
def test_parse_json_refuses_what_the_service_cannot_mean(raw: bytes) -> None:
    with pytest.raises(BadJson):
        parse_json(raw)


def _v3_headers(app: EmulatorApp, client: Client) -> Dict[str, str]:
    user_id = app.v3.connect(user="v3-bad-input@example.com")
    token = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": app.client_id,
              "client_secret": app.client_secret},
    ).json["access_token"]  # fmt: skip
    return {"Authorization": f"Bearer {token}", "sc-user-id": user_id}


@pytest.mark.parametrize("raw", [DEEP, b'{"limit": NaN}', b'{"limit": ' + HUGE + b"}"])
def test_v1_and_v2_answer_400_in_their_shapes(
    app: EmulatorApp, client: Client, bearer: Dict[str, str], raw: bytes
) -> None:
    vehicle_id = app.vehicles()[0].id
    for path in (
        f"/v1.0/vehicles/{vehicle_id}/batch",
        f"/v2.0/vehicles/{vehicle_id}/batch",
        f"/v2.0/vehicles/{vehicle_id}/navigation/destination",
    ):
        answer = client.post(path, data=raw, headers=bearer, content_type="application/json")
        assert answer.status_code == 400, (path, answer.get_data())
        body = answer.json
        assert body.get("error") == "validation_error" or body.get("type") == "VALIDATION"
    electric = next(vehicle for vehicle in app.vehicles() if vehicle.has_battery)
    limit = client.post(
        f"/v2.0/vehicles/{electric.id}/charge/limit", data=raw, headers=bearer,
        content_type="application/json",
    )  # fmt: skip
    assert limit.status_code == 400 and limit.json["type"] == "VALIDATION"


@pytest.mark.parametrize(
    "raw",
    [
        DEEP,
        b'{"data": {"attributes": {"percent": NaN, "latitude": Infinity, "longitude": 1}}}',
        b'{"data": {"attributes": {"percent": ' + HUGE + b', "latitude": 1, "longitude": '
        + HUGE + b"}}}",
    ],
    ids=["deep", "nan-infinity", "400-digits"],
)
def test_v3_answers_400_validation(app: EmulatorApp, client: Client, raw: bytes) -> None:
    headers = _v3_headers(app, client)
    vehicle = next(
        vehicle for vehicle in app.vehicles("v3-bad-input@example.com") if vehicle.has_battery
    )
    for path in (
        f"/v3/vehicles/{vehicle.id}/commands/charge/set-limit",
        f"/v3/vehicles/{vehicle.id}/commands/navigation/set-destination",
        f"/v3/vehicles/{vehicle.id}/charge-schedules/daily",
        "/v3/subscriptions",
    ):
        answer = client.post(path, data=raw, headers=headers, content_type="application/json")
        assert answer.status_code == 400, (path, answer.get_data())
        assert answer.json["errors"][0]["type"] == "VALIDATION"


def test_token_endpoints_answer_oauth_400(app: EmulatorApp, client: Client) -> None:
    v3 = client.post("/oauth2/token", data=DEEP, content_type="application/json")
    assert v3.status_code == 400 and v3.json["error"] == "invalid_request"
    v1 = client.post(
        "/oauth/token", data=DEEP, content_type="application/json",
        headers={"Authorization": "Basic ZW11bGF0b3ItY2xpZW50LWlkOmVtdWxhdG9yLWNsaWVudC1zZWNyZXQ="},
    )  # fmt: skip
    assert v1.status_code == 400 and v1.json["error"] == "invalid_request"
    # the request log read the body too (for its grant_type/action columns) without failing
    assert [record.status for record in app.request_log] == [400, 400]


def test_a_good_batch_body_still_reads(app: EmulatorApp, client: Client) -> None:
    body = json.dumps({"requests": [{"path": "/odometer"}]})
    token = app.issue_tokens()["access_token"]
    vehicle_id = app.vehicles()[0].id
    answer = client.post(
        f"/v1.0/vehicles/{vehicle_id}/batch", data=body,
        headers={"Authorization": f"Bearer {token}"}, content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 200 and answer.json["responses"][0]["code"] == 200
