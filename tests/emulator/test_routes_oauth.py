"""The token endpoint through werkzeug's test client."""

from __future__ import annotations

from werkzeug.test import Client

from smartcar.emulator.app import EmulatorApp


def _token(client: Client, app: EmulatorApp, **form: str) -> object:
    return client.post("/oauth/token", data=form, auth=(app.client_id, app.client_secret))


def test_refresh_rotates(app: EmulatorApp, client: Client) -> None:
    first = app.mint_tokens()
    answer = client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=(app.client_id, app.client_secret),
    )
    assert answer.status_code == 200 and answer.json["expires_in"] == 7200
    again = client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=(app.client_id, app.client_secret),
    )
    assert again.status_code == 400 and again.json == {
        "error": "invalid_grant",
        "error_description": f"Invalid refresh_token: {first['refresh_token']}.",
    }


def test_refused_codes_are_worded_as_smartcar_does(app: EmulatorApp, client: Client) -> None:
    for code in ("never-issued", ""):
        answer = client.post(
            "/oauth/token",
            data={"grant_type": "authorization_code", "code": code or "x",
                  "redirect_uri": app.redirect_uris[0]},
            auth=(app.client_id, app.client_secret),
        )  # fmt: skip
        assert answer.status_code == 400
        assert answer.json == {
            "error": "invalid_grant",
            "error_description": f"Invalid code: {code or 'x'}.",
        }


def test_client_auth_and_body_form(app: EmulatorApp, client: Client) -> None:
    anonymous = client.post("/oauth/token", data={"grant_type": "refresh_token"})
    assert anonymous.status_code == 401 and anonymous.json["error"] == "invalid_client"
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic")
    as_json = client.post(
        "/oauth/token", json={"grant_type": "x"}, auth=(app.client_id, app.client_secret)
    )
    assert as_json.status_code == 400 and as_json.json["error"] == "invalid_request"
    unknown = client.post(
        "/oauth/token", data={"grant_type": "password"}, auth=(app.client_id, app.client_secret)
    )
    assert unknown.json["error"] == "unsupported_grant_type"
    assert client.get("/oauth/token").status_code == 405
