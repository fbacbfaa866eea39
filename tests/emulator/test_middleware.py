"""The middleware through werkzeug's test client: request log, faults, rate limits, and
the admin guard."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Dict

from werkzeug.test import Client

from smartcar.emulator.app import EmulatorApp


def test_the_log_records_each_request_without_secrets(
    app: EmulatorApp, client: Client, bearer: Dict[str, str], token: str
) -> None:
    vehicle = app.vehicles()[0]
    client.get(f"/v1.0/vehicles/{vehicle.id}/odometer", headers=bearer)
    client.post(f"/v1.0/vehicles/{vehicle.id}/security", json={"action": "LOCK"}, headers=bearer)
    client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "r"},
        query_string={"access_token": token},
    )
    read, command, exchange = app.request_log
    assert (read.status, read.vehicle_id, read.method) == (200, vehicle.id, "GET")
    assert read.request_id and command.action == "LOCK"
    assert exchange.grant_type == "refresh_token" and exchange.status == 401
    assert exchange.query == {"access_token": "[redacted]"}
    assert token not in repr(app.request_log)
    client.get("/_emulator")
    assert len(app.request_log) == 3  # admin calls are not logged


def test_every_answer_gets_a_request_id(app: EmulatorApp, client: Client) -> None:
    answer = client.get("/v1.0/user")
    assert answer.headers["sc-request-id"] == app.request_log[-1].request_id


def test_a_status_fault_answers_in_the_surface_form(app: EmulatorApp, client: Client) -> None:
    app.faults.add("/v1.0/*", status=409, code="VS_002")
    app.faults.add("/oauth/token", status=400)
    v1 = client.get("/v1.0/user")
    assert v1.status_code == 409 and v1.json["code"] == "VS_002"
    oauth = client.post("/oauth/token")
    assert oauth.json["error"] == "invalid_grant"
    assert app.request_log[0].fault == "409"


def test_a_header_only_fault_decorates_the_real_answer(
    app: EmulatorApp, client: Client, bearer: Dict[str, str]
) -> None:
    app.faults.add("/v1.0/user", retry_after=3, headers={"sc-data-age": "bogus"})
    answer = client.get("/v1.0/user", headers=bearer)
    assert answer.status_code == 200 and answer.json == {"id": app.user_id()}
    assert answer.headers["Retry-After"] == "3" and answer.headers["sc-data-age"] == "bogus"


def test_a_drop_fault_marks_the_record(app: EmulatorApp, client: Client) -> None:
    app.faults.add("/v1.0/user", drop=True)
    client.get("/v1.0/user")
    record = app.request_log[0]
    assert record.dropped and record.status is None


def test_rate_limits_answer_429_with_retry_after(
    app: EmulatorApp, client: Client, bearer: Dict[str, str]
) -> None:
    first, second = app.vehicles()[:2]
    app.rate_limit(first.id, per_second=1)
    assert client.get(f"/v1.0/vehicles/{first.id}/vin", headers=bearer).status_code == 200
    limited = client.get(f"/v1.0/vehicles/{first.id}/vin", headers=bearer)
    assert limited.status_code == 429 and limited.json["error"] == "rate_limit_error"
    assert limited.headers["Retry-After"] == "1"
    assert client.get(f"/v1.0/vehicles/{second.id}/vin", headers=bearer).status_code == 200
    app.clock.advance(1.5)
    assert client.get(f"/v1.0/vehicles/{first.id}/vin", headers=bearer).status_code == 200


def test_the_admin_guard(app: EmulatorApp, client: Client) -> None:
    evil = client.post(
        "/_emulator/reset",
        data="{}",
        headers={"Origin": "https://evil.example", "Content-Type": "text/plain"},
    )
    assert evil.status_code == 403
    rebound = client.get("/_emulator", headers={"Host": "evil.example"})
    assert rebound.status_code == 403
    assert client.get("/_emulator", headers={"Host": "localhost:9"}).status_code == 200
    trusted = EmulatorApp(trusted_hosts=["emu.internal"])
    assert Client(trusted).get("/_emulator", headers={"Host": "emu.internal"}).status_code == 200


def _v3_token(app: EmulatorApp, client: Client) -> Dict[str, str]:
    user_id = app.v3.connect()
    answer = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": app.client_id,
              "client_secret": app.client_secret},
    )  # fmt: skip
    return {"Authorization": f"Bearer {answer.json['access_token']}", "sc-user-id": user_id}


def test_the_app_wide_limit_answers_429_smartcar_api_in_every_shape(
    app: EmulatorApp, client: Client, bearer: Dict[str, str]
) -> None:
    v3_headers = _v3_token(app, client)
    vehicle = app.vehicles()[0]
    app.app_rate_limit(3, refill_per_minute=2)
    paths = (
        (f"/v1.0/vehicles/{vehicle.id}/odometer", bearer),
        (f"/v2.0/vehicles/{vehicle.id}/odometer", bearer),
        (f"/v3/vehicles/{vehicle.id}/signals", v3_headers),
    )
    for path, headers in paths:
        assert client.get(path, headers=headers).status_code == 200
    v1, v2, v3 = (client.get(path, headers=headers) for path, headers in paths)
    for answer in (v1, v2, v3):
        assert answer.status_code == 429 and answer.headers["Retry-After"] == "30"
    assert v1.json["error"] == "rate_limit_error"
    assert (v2.json["type"], v2.json["code"]) == ("RATE_LIMIT", "SMARTCAR_API")
    entry = v3.json["errors"][0]
    assert (entry["status"], entry["type"], entry["code"]) == ("429", "RATE_LIMIT", "SMARTCAR_API")
    # Connect and the token endpoints are not API requests: they still answer
    assert client.get("/oauth/authorize").status_code == 400
    app.clock.advance(30)  # one request refilled
    assert client.get(paths[0][0], headers=bearer).status_code == 200
    assert client.get(paths[0][0], headers=bearer).status_code == 429
    app.app_rate_limit(None)
    assert client.get(paths[0][0], headers=bearer).status_code == 200


def test_a_spent_monthly_allowance_answers_430_until_the_month_ends(
    app: EmulatorApp, client: Client, bearer: Dict[str, str]
) -> None:
    app.clock.freeze(datetime(2026, 11, 30, 23, 0, tzinfo=timezone.utc))
    v3_headers = _v3_token(app, client)
    vehicle, other = app.vehicles()[:2]
    app.monthly_limit(4)
    odometer = f"/v1.0/vehicles/{vehicle.id}/odometer"
    assert client.get(odometer, headers=bearer).status_code == 200
    batch = client.post(
        f"/v2.0/vehicles/{vehicle.id}/batch", headers=bearer,
        json={"requests": [{"path": "/odometer"}, {"path": "/location"}]},
    )  # fmt: skip
    assert batch.status_code == 200 and app.calls(vehicle.id) == 3
    assert client.get(f"/v3/vehicles/{vehicle.id}/signals", headers=v3_headers).status_code == 200
    assert app.calls(vehicle.id) == 4
    v1 = client.get(odometer, headers=bearer)
    v2 = client.get(f"/v2.0/vehicles/{vehicle.id}/odometer", headers=bearer)
    v3 = client.get(f"/v3/vehicles/{vehicle.id}/signals", headers=v3_headers)
    assert (v1.status_code, v1.json["error"]) == (430, "monthly_limit_exceeded")
    assert (v2.status_code, v2.json["type"], v2.json["code"]) == (
        430, "BILLING", "VEHICLE_REQUEST_LIMIT",
    )  # fmt: skip
    entry = v3.json["errors"][0]
    assert (v3.status_code, entry["type"], entry["code"]) == (
        430, "BILLING", "VEHICLE_REQUEST_LIMIT",
    )  # fmt: skip
    assert app.calls(vehicle.id) == 4  # refused calls are not billed
    assert client.get(f"/v1.0/vehicles/{other.id}/odometer", headers=bearer).status_code == 200
    app.clock.advance(3600)  # December
    assert client.get(odometer, headers=bearer).status_code == 200
    assert app.calls(vehicle.id) == 1 and app.calls(vehicle.id, "2026-11") == 4


def test_the_limits_over_the_admin_api(
    app: EmulatorApp, client: Client, bearer: Dict[str, str]
) -> None:
    vehicle = app.vehicles()[0]
    assert client.post("/_emulator/monthly-limit", json={"calls": 1}).status_code == 200
    assert client.post("/_emulator/app-rate-limit", json={"capacity": 10}).status_code == 200
    path = f"/v1.0/vehicles/{vehicle.id}/odometer"
    assert [client.get(path, headers=bearer).status_code for _ in range(2)] == [200, 430]
    calls = client.get("/_emulator/calls", query_string={"vehicle_id": vehicle.id}).json
    assert calls == {"vehicle_id": vehicle.id, "calls": 1}
    assert client.post("/_emulator/monthly-limit", json={"calls": -1}).status_code == 400
    assert client.post("/_emulator/app-rate-limit", json={"capacity": 1.5}).status_code == 400
    client.post("/_emulator/reset", json={})
    assert client.get(path, headers=bearer).status_code == 401  # tokens forgotten, no 430
