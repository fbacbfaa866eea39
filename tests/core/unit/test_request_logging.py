"""Logging under the ``smartcar`` logger: one DEBUG record per attempt, a WARNING per retry,
and never a secret, at any level."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from typing import Any, List

import pytest
import responses
from unit_support import (
    ACCESS_TOKEN,
    API,
    AUTH,
    AUTH_CODE,
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    REFRESH_TOKEN,
    SECRETS,
    VEHICLE_ID,
    VEHICLE_URL,
    FakeTime,
)

import smartcar
from smartcar import const

ATTEMPT_LINE = re.compile(
    r"(?P<method>GET|POST|DELETE) (?P<path>/\S*) -> (?P<status>\S+) "
    r"\(request_id=(?P<rid>\S+), [\d.]+ ms, attempt (?P<attempt>\d+)\)"
)


def _record_texts(record: logging.LogRecord) -> List[str]:
    texts = [record.getMessage(), str(record.msg), repr(record.args)]
    if record.exc_info:
        texts.append(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        texts.append(record.exc_text)
    if record.stack_info:
        texts.append(record.stack_info)
    return texts


def _expect_error(call: Any) -> None:
    with pytest.raises(smartcar.SmartcarException):
        call()


def test_records_per_attempt_and_retry_without_secrets(
    caplog: pytest.LogCaptureFixture,
    mocked: responses.RequestsMock,
    clock: FakeTime,
    monkeypatch: pytest.MonkeyPatch,
    closed_port: int,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, so urllib3/requests records are checked too
    caplog.set_level(logging.DEBUG, logger="smartcar")
    vehicle = smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN)
    client = smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
    echo = f"token={ACCESS_TOKEN} refresh={REFRESH_TOKEN} code={AUTH_CODE} secret={CLIENT_SECRET}"

    mocked.get(f"{VEHICLE_URL}/odometer", json={"distance": 1}, headers={"sc-request-id": "r-ok"})
    mocked.get(
        f"{VEHICLE_URL}/vin",
        status=503,
        body="<html>busy</html>",
        headers={"sc-request-id": "r-503"},
    )
    mocked.get(f"{VEHICLE_URL}/vin", json={"vin": "V"}, headers={"sc-request-id": "r-vin"})
    mocked.get(
        f"{VEHICLE_URL}/fuel",
        status=404,
        json={"error": "resource_not_found_error", "message": echo},
        headers={"sc-request-id": "r-404"},
    )
    mocked.post(
        f"{VEHICLE_URL}/security",
        status=401,
        json={"error": "authentication_error", "message": echo},
    )
    mocked.post(AUTH, status=400, json={"error": "invalid_grant", "error_description": echo})
    mocked.post(
        AUTH,
        json={
            "access_token": ACCESS_TOKEN,
            "refresh_token": REFRESH_TOKEN,
            "expires_in": 7200,
            "token_type": "Bearer",
        },
    )
    mocked.get(
        f"{API}/compatibility", status=401, json={"error": "authentication_error", "message": echo}
    )

    vehicle.odometer()
    assert vehicle.vin() == "V"
    _expect_error(vehicle.fuel)
    _expect_error(vehicle.lock)
    _expect_error(lambda: client.exchange_refresh_token(REFRESH_TOKEN))
    client.exchange_code(AUTH_CODE)
    _expect_error(lambda: client.is_compatible("V", ["read_vin"]))
    mocked_attempts = len(mocked.calls)

    monkeypatch.setattr(const, "API_URL", f"http://127.0.0.1:{closed_port}/v1.0")
    mocked.add_passthru(f"http://127.0.0.1:{closed_port}")
    _expect_error(vehicle.odometer)
    refused_attempts = 3

    ours = [r for r in caplog.records if r.name == "smartcar"]
    debug = [r for r in ours if r.levelno == logging.DEBUG]
    warnings = [r for r in ours if r.levelno == logging.WARNING]
    assert len(debug) == mocked_attempts + refused_attempts
    assert len(warnings) == 1 + (refused_attempts - 1)

    parsed = [ATTEMPT_LINE.fullmatch(r.getMessage()) for r in debug]
    assert all(parsed), [r.getMessage() for r in debug]
    summary = [(m["method"], m["path"], m["status"], m["rid"], m["attempt"]) for m in parsed if m]
    vehicle_path = f"/v1.0/vehicles/{VEHICLE_ID}"
    assert summary[:8] == [
        ("GET", f"{vehicle_path}/odometer", "200", "r-ok", "1"),
        ("GET", f"{vehicle_path}/vin", "503", "r-503", "1"),
        ("GET", f"{vehicle_path}/vin", "200", "r-vin", "2"),
        ("GET", f"{vehicle_path}/fuel", "404", "r-404", "1"),
        ("POST", f"{vehicle_path}/security", "401", "None", "1"),
        ("POST", "/oauth/token", "400", "None", "1"),
        ("POST", "/oauth/token", "200", "None", "1"),
        ("GET", "/v1.0/compatibility", "401", "None", "1"),
    ]
    assert [s[4] for s in summary[8:]] == ["1", "2", "3"]
    assert all(s[2] == "SmartcarConnectionError" for s in summary[8:])
    assert all(f"{vehicle_path}/vin" in w.getMessage() for w in warnings[:1])

    assert caplog.records, "nothing was captured"
    for record in caplog.records:
        for text in _record_texts(record):
            for secret in SECRETS:
                assert secret not in text, (record.name, text)
            assert "Authorization" not in text, (record.name, text)


def test_env_var_turns_on_stderr_logging(closed_port: int) -> None:
    script = (
        "import smartcar\n"
        "smartcar.set_defaults(max_retries=0)\n"
        f"smartcar.const.API_URL = 'http://127.0.0.1:{closed_port}/v1.0'\n"
        "try:\n"
        f"    smartcar.Vehicle('v1', {ACCESS_TOKEN!r}).odometer()\n"
        "except smartcar.SmartcarConnectionError:\n"
        "    pass\n"
    )
    env = {**os.environ, "SMARTCAR_LOG": "debug", "SMARTCAR_API_VERSION": "1.0"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "DEBUG smartcar GET /v1.0/vehicles/v1/odometer -> SmartcarConnectionError" in done.stderr
    assert ACCESS_TOKEN not in done.stderr
    quiet = subprocess.run(
        [sys.executable, "-c", script],
        env={k: v for k, v in os.environ.items() if k != "SMARTCAR_LOG"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
