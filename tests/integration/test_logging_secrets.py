"""No secret reaches a log record, at any level, from any logger; ``SMARTCAR_LOG`` works.

A full flow runs against the emulator (Connect, code exchange, reads, a command, errors, a
retried GET, a dropped connection, a refresh) while a handler on the root, ``smartcar`` and
``urllib3`` loggers keeps every record at DEBUG. Each record's formatted message, raw ``msg``,
``args`` and exception text is then searched for the access and refresh tokens, the code, the
client secret and ``Authorization``.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap
import uuid
from typing import Any, Callable, Dict, Iterator, List, Tuple
from urllib.parse import parse_qs, urlsplit

import pytest

import smartcar
from smartcar import api
from smartcar.emulator import Emulator, connect

USER = "log-secrets@example.com"
CLIENT_SECRET = "cs-" + uuid.uuid4().hex
FAST_POLICY = api.RetryPolicy(max_retries=2, backoff_base=0.002, backoff_max=0.01)
LOGGERS = ("", "smartcar", "urllib3", "werkzeug")


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(client_secret=CLIENT_SECRET, users={USER: ["TESLA", "gas"]}) as server:
        yield server


@pytest.fixture(autouse=True)
def fast_retries(smartcar_defaults: Callable[..., None]) -> None:
    smartcar_defaults(retry=FAST_POLICY)


class KeepAll(logging.Handler):
    """Keeps every record it sees (once, even when attached to several loggers)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: List[logging.LogRecord] = []
        self._seen: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if id(record) not in self._seen:
            self._seen.add(id(record))
            self.records.append(record)


@pytest.fixture
def every_record() -> Iterator[KeepAll]:
    handler = KeepAll()
    saved: List[Tuple[logging.Logger, int]] = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger, level in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)


def texts_of(record: logging.LogRecord) -> List[str]:
    """Everything a handler or formatter could print from the record."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    texts = [formatter.format(record), str(record.msg), repr(record.args)]
    if record.exc_info:
        texts.append(formatter.formatException(record.exc_info))
    texts.extend(repr(value) for value in vars(record).values())
    return texts


def leaks(texts: List[str], secrets: Dict[str, str]) -> List[str]:
    found = []
    for text in texts:
        for label, secret in secrets.items():
            if secret in text:
                found.append(f"{label} in {text[:160]!r}")
        if "Authorization" in text or "Bearer " in text:
            found.append(f"Authorization in {text[:160]!r}")
    return found


def test_no_secret_in_any_record_of_a_full_flow(emu: Emulator, every_record: KeepAll) -> None:
    client = smartcar.AuthClient(
        emu.client_id, CLIENT_SECRET, emu.redirect_uri, scope=["read_odometer", "read_vin"]
    )
    redirect = connect(client.get_auth_url(state="s-1"), email=USER)
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    access = client.exchange_code(code)
    errors: List[smartcar.SmartcarException] = []

    with pytest.raises(smartcar.ValidationException) as reused:  # the code is single-use
        client.exchange_code(code)
    errors.append(reused.value)

    vehicle_id = smartcar.get_vehicle_ids(access["access_token"])["vehicles"][0]
    vehicle = smartcar.Vehicle(vehicle_id, access["access_token"])
    assert vehicle.odometer()["data"]["distance"] > 0

    emu.faults.add(f"/v1.0/vehicles/{vehicle_id}/vin", status=503)  # retried, then answered
    assert len(vehicle.vin()) == 17
    emu.faults.add(f"/v1.0/vehicles/{vehicle_id}/odometer", status=403)
    emu.faults.add(f"/v1.0/vehicles/{vehicle_id}/vin", drop=True)
    emu.faults.add("/oauth/token", status=500)
    for failing in (vehicle.odometer, vehicle.vin, vehicle.lock):  # lock: not in the scope
        with pytest.raises(smartcar.SmartcarException) as raised:
            failing()
        errors.append(raised.value)
    with pytest.raises(smartcar.ServerException) as server_error:
        client.exchange_refresh_token(access["refresh_token"])
    errors.append(server_error.value)

    refreshed = client.exchange_refresh_token(access["refresh_token"])
    assert smartcar.get_user_id(refreshed["access_token"]) == emu.user_id(USER)
    rejected = "rejected-" + uuid.uuid4().hex
    with pytest.raises(smartcar.AuthenticationException) as bad_token:
        smartcar.Vehicle(vehicle_id, rejected).vin()
    errors.append(bad_token.value)

    secrets = {
        "code": code,
        "client secret": CLIENT_SECRET,
        "access token": access["access_token"],
        "refresh token": access["refresh_token"],
        "new access token": refreshed["access_token"],
        "new refresh token": refreshed["refresh_token"],
        "rejected token": rejected,
    }
    records = every_record.records
    by_logger = {record.name for record in records}
    assert {"smartcar", "urllib3.connectionpool"} <= by_logger  # the capture really works
    attempts = [r for r in records if r.name == "smartcar" and r.levelno == logging.DEBUG]
    assert len(attempts) >= 13 and any(r.levelno == logging.WARNING for r in records)
    found = [leak for record in records for leak in leaks(texts_of(record), secrets)]
    assert found == []
    # The exceptions raised on the way are clean too (str, repr, and their args).
    assert [type(e).__name__ for e in errors] == [
        "ValidationException",
        "PermissionException",
        "SmartcarConnectionError",
        "PermissionException",
        "ServerException",
        "AuthenticationException",
    ]
    for error in errors:
        assert leaks([str(error), repr(error), repr(error.args)], secrets) == []


def test_leak_detector_finds_a_leak() -> None:
    """The check above can fail: a record carrying a token in its args is reported."""
    token = str(uuid.uuid4())
    record = logging.LogRecord("x", logging.DEBUG, __file__, 1, "sent %s", (token,), None)
    assert leaks(texts_of(record), {"access token": token}) != []
    header = logging.LogRecord("x", logging.DEBUG, __file__, 1, "%s", ({"Authorization": 1},), None)
    assert leaks(texts_of(header), {}) != []


CHILD = textwrap.dedent(
    """
    import sys
    import smartcar
    from smartcar import api, testing

    testing.defaults(retry=api.RetryPolicy(backoff_base=0.002, backoff_max=0.01)).__enter__()
    token, refresh_token, secret, vehicle_id, redirect_uri = sys.argv[1:6]
    vehicle = smartcar.Vehicle(vehicle_id, token)
    vehicle.odometer()
    vehicle.vin()  # answered 502 once: retried
    try:
        vehicle.lock()  # answered 409
    except smartcar.StateException:
        pass
    smartcar.AuthClient("{client_id}", secret, redirect_uri).exchange_refresh_token(refresh_token)
    """
)
LINE = re.compile(
    r"\bDEBUG\b.*\bsmartcar\b.*?(?P<method>GET|POST|DELETE) (?P<path>/\S*) -> (?P<status>\S+) "
    r"\(request_id=(?P<request_id>\S+), [\d.]+ ms, attempt (?P<attempt>\d+)\)"
)


def test_smartcar_log_env_prints_one_debug_line_per_attempt(emu: Emulator) -> None:
    emu.reset()
    tokens = emu.issue_tokens(user=USER)
    vehicle = next(v for v in emu.vehicles(USER) if v.kind == "gas")
    emu.faults.add(f"/v1.0/vehicles/{vehicle.id}/vin", status=502)
    emu.faults.add(f"/v1.0/vehicles/{vehicle.id}/security", status=409, code="VS_001")
    env = dict(os.environ, SMARTCAR_LOG="debug", SMARTCAR_API_VERSION="1.0", **emu.environment())
    script = CHILD.replace("{client_id}", emu.client_id)
    arguments = [tokens["access_token"], tokens["refresh_token"], CLIENT_SECRET, vehicle.id]
    child = subprocess.run(
        [sys.executable, "-c", script, *arguments, emu.redirect_uri],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr
    lines = child.stderr.splitlines()
    parsed = [match.groupdict() for match in map(LINE.search, lines) if match]
    seen: List[Dict[str, Any]] = [
        {
            "method": record.method,
            "path": record.path,
            "status": str(record.status),
            "request_id": record.request_id,
        }
        for record in emu.request_log
    ]
    assert [{k: v for k, v in p.items() if k != "attempt"} for p in parsed] == seen
    assert [p["attempt"] for p in parsed] == ["1", "1", "2", "1", "1"]
    assert [p["status"] for p in parsed] == ["200", "502", "200", "409", "200"]
    assert sum("WARNING" in line and "retrying GET" in line for line in lines) == 1
    secrets = {
        "access token": tokens["access_token"],
        "refresh token": tokens["refresh_token"],
        "client secret": CLIENT_SECRET,
    }
    assert leaks(lines, secrets) == []


def test_no_log_output_without_smartcar_log(emu: Emulator) -> None:
    emu.reset()
    tokens = emu.issue_tokens(user=USER)
    env = {k: v for k, v in os.environ.items() if k != "SMARTCAR_LOG"}
    env.update(emu.environment())
    script = "import smartcar, sys; print(smartcar.get_user_id(sys.argv[1]))"
    child = subprocess.run(
        [sys.executable, "-c", script, tokens["access_token"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == emu.user_id(USER)
    assert child.stderr == ""
