"""The Flask example never shows or logs a credential that a server echoes back.

A hostile (or merely chatty) Smartcar answers with the request's credentials in its error
text: the Basic ``Authorization`` header (base64 of ``client_id:client_secret``), the client
secret percent-encoded, the application token, the management token that signs webhooks,
form-encoded tokens. The error page, the flash messages and every log record (the app's, the
SDK's) must carry none of them, in any form.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List
from urllib.parse import quote, quote_plus, urlencode

import pytest
from e2e_support import TEST_CLIENT_CALLBACK, app_config, query
from flask import Flask
from flask.testing import FlaskClient

from examples.flask_app.app import create_app
from examples.flask_app.redaction import ErrorText
from smartcar.emulator import Emulator, connect

CLIENT_ID = "redaction-client"
# Characters that URL, form and JSON encodings all change.
CLIENT_SECRET = 'shh/its+a=secret "q"&more'
USER = "echo@example.com"


def forms_of(secret: str) -> List[str]:
    """Every way a server could echo ``secret``, as the test looks for it."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    forms |= {form.lower() for form in forms if "%" in form}
    return sorted(form for form in forms if len(form) >= 4)


def basic_forms(user: str, password: str) -> List[str]:
    raw = f"{user}:{password}".encode()
    encoded = [base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()]
    return sorted({*encoded, *(text.rstrip("=") for text in encoded), f"{user}:{password}"})


CREDENTIAL_FORMS = forms_of(CLIENT_SECRET) + basic_forms(CLIENT_ID, CLIENT_SECRET)


@pytest.fixture(scope="module")
def echo_emu() -> Iterator[Emulator]:
    with Emulator(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[TEST_CLIENT_CALLBACK]
    ) as emulator:
        yield emulator


@pytest.fixture
def app(echo_emu: Emulator, tmp_path: Path) -> Flask:
    echo_emu.reset()
    return create_app(app_config(echo_emu, tmp_path / "app.sqlite3", TEST_CLIENT_CALLBACK))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def sign_in(client: FlaskClient) -> Dict[str, str]:
    """Connect from the app, approve, come back; return the callback's query parameters."""
    location = client.get("/login").headers["Location"]
    params = query(connect(location, approve=True, email=USER))
    assert client.get(f"/callback?{urlencode(params)}").status_code == 302
    return params


def echo_body(*parts: str) -> Dict[str, str]:
    return {"error": "invalid_request", "error_description": "you sent: " + " ".join(parts)}


def v3_error(detail: str, status: int = 409) -> Dict[str, Any]:
    """A v3 error body whose ``detail`` is ``detail``."""
    return {"errors": [{"status": str(status), "type": "VEHICLE_STATE", "code": "ASLEEP",
                        "title": "Vehicle asleep", "detail": detail}]}  # fmt: skip


def assert_hidden(text: str, secrets: List[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret!r} leaked"


def test_a_token_endpoint_echoing_every_credential_shows_and_logs_none(
    client: FlaskClient, echo_emu: Emulator, logs: pytest.LogCaptureFixture
) -> None:
    sign_in(client)
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    form = urlencode({"client_secret": CLIENT_SECRET, "grant_type": "client_credentials"})
    echo_emu.faults.add(
        "/oauth2/token",
        status=400,
        body=echo_body(f"Authorization: Basic {basic}", form, CLIENT_SECRET, basic.rstrip("=")),
    )
    response = client.get("/vehicles")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Smartcar rejected the request" in page
    assert "[REDACTED]" in page  # the server's text is shown, minus the credentials
    for text in (page, logs.text):
        assert_hidden(text, [*CREDENTIAL_FORMS, basic])
    assert "ValidationException" in logs.text  # the failure was logged, redacted


def test_tokens_and_the_management_token_echoed_on_an_api_error_are_hidden(
    app: Flask, client: FlaskClient, echo_emu: Emulator, logs: pytest.LogCaptureFixture
) -> None:
    sign_in(client)
    amt = echo_emu.v3.management_token
    app_token = app.extensions["smartcar"].client.access_token()
    foreign = "a-refresh/token+from=elsewhere"  # a token the SDK did not send: shape only
    detail = (
        f"got refresh_token={quote_plus(foreign)}&access_token=abcdef "
        f'{{"refresh_token": "{foreign}"}} Bearer {foreign} key {amt} and {app_token}'
    )
    echo_emu.faults.add("/v3/connections", status=409, body=v3_error(detail), count=5)
    response = client.get("/vehicles")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The vehicle is busy" in page
    for text in (page, logs.text):
        assert_hidden(text, [*forms_of(foreign), "abcdef", *forms_of(amt), app_token])


def test_a_failed_command_message_is_redacted(
    app: Flask, client: FlaskClient, echo_emu: Emulator, logs: pytest.LogCaptureFixture
) -> None:
    sign_in(client)
    html = client.get("/vehicles").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token is not None
    vehicle = echo_emu.vehicles(USER)[0]
    detail = f"the vehicle saw secret {CLIENT_SECRET} and {echo_emu.v3.management_token}"
    echo_emu.faults.add("/v3/vehicles/*/commands/*", status=409, body=v3_error(detail))
    client.post(f"/vehicles/{vehicle.id}/lock", data={"csrf_token": token.group(1)})
    page = client.get("/vehicles").get_data(as_text=True)
    assert "could not lock" in page
    assert_hidden(page, [*CREDENTIAL_FORMS, *forms_of(echo_emu.v3.management_token)])


def test_an_unexpected_error_is_logged_as_a_redacted_traceback(
    app: Flask,
    client: FlaskClient,
    echo_emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    logs: pytest.LogCaptureFixture,
) -> None:
    sign_in(client)
    amt = echo_emu.v3.management_token

    def broken() -> str:
        raise RuntimeError(
            f"store said Authorization: Basic xyz123 and secret {CLIENT_SECRET}, key {amt}"
        )

    monkeypatch.setattr(app.extensions["smartcar"].client._tokens, "access_token", broken)
    response = client.get("/vehicles")
    assert response.status_code == 500
    assert "Traceback" in logs.text and "RuntimeError" in logs.text
    assert all(record.exc_info is None for record in logs.records)
    for text in (logs.text, response.get_data(as_text=True)):
        assert_hidden(text, [*CREDENTIAL_FORMS, "xyz123", *forms_of(amt)])


def test_a_refused_webhook_logs_no_signature_or_token(
    client: FlaskClient, echo_emu: Emulator, logs: pytest.LogCaptureFixture
) -> None:
    amt = echo_emu.v3.management_token
    body = b'{"eventId": "e", "eventType": "VEHICLE_STATE", "data": {}}'
    forged = "ab" * 32
    response = client.post("/webhooks/smartcar", data=body, headers={"SC-Signature": forged})
    assert response.status_code == 401
    assert "invalid signature" in logs.text
    assert_hidden(logs.text, [forged, *forms_of(amt)])


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("Authorization: Bearer tok.en-1", "tok.en-1", "Authorization: Bearer [REDACTED]"),
        ("basic QUJDOkRFRg==", "QUJDOkRFRg==", "basic [REDACTED]"),
        ("refresh_token=a%2Fb&x=1", "a%2Fb", "refresh_token=[REDACTED]&x=1"),
        ("code=abc123&state=s", "abc123", "code=[REDACTED]&state=s"),
        ('{"access_token": "v\\"x"}', 'v\\"x', '{"access_token": "[REDACTED]"}'),
        ("{'client_secret': 'zz'}", "zz'", "{'client_secret': '[REDACTED]'}"),
    ],
)
def test_credentials_recognised_by_their_shape(text: str, hidden: str, kept: str) -> None:
    shown = ErrorText("id", "unrelated-secret").text(text)
    assert hidden not in shown
    assert shown == kept


def test_error_codes_and_ordinary_text_survive() -> None:
    errors = ErrorText(CLIENT_ID, CLIENT_SECRET)
    text = 'VS_003: Vehicle is not plugged in ({"code": "VS_003"}) error_code=E1'
    assert errors.text(text) == text
    assert re.fullmatch(r"ErrorText\(<redacting>\)", repr(errors))
