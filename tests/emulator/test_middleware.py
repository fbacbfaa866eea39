"""The middleware through werkzeug's test client: request log, faults, rate limits, and
the admin guard."""

from __future__ import annotations

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
