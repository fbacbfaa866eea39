"""The Flask example never shows or logs a credential that a server echoes back.

A hostile (or merely chatty) Smartcar answers with the request's credentials in its error
text: the Basic ``Authorization`` header (base64 of ``client_id:client_secret``), the client
secret percent-encoded, form-encoded tokens and codes. The error page and every log record
(the app's, the SDK's) must carry none of them, in any form.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from pathlib import Path
from typing import Iterator, List
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
    return create_app(
        app_config(CLIENT_ID, CLIENT_SECRET, tmp_path / "tokens.sqlite3", TEST_CLIENT_CALLBACK)
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def approve(client: FlaskClient) -> dict[str, str]:
    """Start Connect from the app and approve; return the callback's query parameters."""
    location = client.get("/login").headers["Location"]
    return query(connect(location, approve=True, email=USER))


def echo_body(*parts: str) -> dict[str, str]:
    return {"error": "invalid_request", "error_description": "you sent: " + " ".join(parts)}


def assert_hidden(text: str, secrets: List[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret!r} leaked"


def test_a_token_endpoint_echoing_every_credential_shows_and_logs_none(
    client: FlaskClient, echo_emu: Emulator, logs: pytest.LogCaptureFixture
) -> None:
    params = approve(client)
    code = params["code"]
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    form = urlencode({"client_secret": CLIENT_SECRET, "code": code, "grant_type": "x"})
    echo_emu.faults.add(
        "/oauth/token",
        status=400,
        body=echo_body(f"Authorization: Basic {basic}", form, CLIENT_SECRET, basic.rstrip("=")),
    )
    response = client.get(f"/callback?{urlencode(params)}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Smartcar rejected the request" in page
    assert "[REDACTED]" in page  # the server's text is shown, minus the credentials
    for text in (page, logs.text):
        assert_hidden(text, [*CREDENTIAL_FORMS, *forms_of(code), basic])
    assert "ValidationException" in logs.text  # the failure was logged, redacted


def test_tokens_echoed_on_an_api_error_are_not_shown_or_logged(
    client: FlaskClient, echo_emu: Emulator, logs: pytest.LogCaptureFixture
) -> None:
    client.get(f"/callback?{urlencode(approve(client))}")
    foreign = "a-refresh/token+from=elsewhere"  # a token the SDK did not send: shape only
    echo_emu.faults.add(
        "/v1.0/vehicles",
        status=409,
        error="VEHICLE_STATE",
        code="VS_001",
        message=f"got refresh_token={quote_plus(foreign)}&access_token=abcdef "
        f'{{"refresh_token": "{foreign}"}} Bearer {foreign}',
        count=5,
    )
    response = client.get("/vehicles")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "VS_001" in page
    for text in (page, logs.text):
        assert_hidden(text, [*forms_of(foreign), "abcdef"])


def test_an_unexpected_error_is_logged_as_a_redacted_traceback(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    client.get(f"/callback?{urlencode(approve(client))}")

    def broken(key: str) -> str:
        raise RuntimeError(f"store said Authorization: Basic xyz123 and secret {CLIENT_SECRET}")

    monkeypatch.setattr(app.extensions["smartcar"].tokens, "access_token", broken)
    response = client.get("/vehicles")
    assert response.status_code == 500
    assert "Traceback" in logs.text and "RuntimeError" in logs.text
    assert all(record.exc_info is None for record in logs.records)
    assert_hidden(logs.text, [*CREDENTIAL_FORMS, "xyz123"])
    assert_hidden(response.get_data(as_text=True), [*CREDENTIAL_FORMS, "xyz123"])


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
