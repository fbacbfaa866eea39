"""The emulated token endpoint: client auth, codes, expiry, refresh rotation."""

from __future__ import annotations

from typing import Any, Dict

import requests
from emu_support import query_of, token_request

from smartcar.emulator import Emulator, connect


def _code(emu: Emulator, scope: str = "read_odometer read_vehicle_info") -> str:
    return query_of(connect(emu.auth_url_for(scope=scope)))["code"]


def _exchange(emu: Emulator, http: requests.Session, code: str) -> requests.Response:
    return token_request(
        emu, http, grant_type="authorization_code", code=code, redirect_uri=emu.redirect_uri
    )


def _refresh(emu: Emulator, http: requests.Session, token: str) -> requests.Response:
    return token_request(emu, http, grant_type="refresh_token", refresh_token=token)


def _user(emu: Emulator, http: requests.Session, access: str) -> requests.Response:
    return http.get(emu.origin + "/v1.0/user", headers={"Authorization": f"Bearer {access}"})


def test_code_exchange_returns_a_token_response(emu: Emulator, http: requests.Session) -> None:
    response = _exchange(emu, http, _code(emu))
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 7200
    assert body["refresh_expires_in"] == 60 * 24 * 3600
    assert body["access_token"] and body["refresh_token"]
    assert "sc-request-id" in response.headers
    assert _user(emu, http, body["access_token"]).json() == {"id": emu.user_id()}
    assert emu.token_exchanges("authorization_code") == 1
    assert emu.token_exchanges("refresh_token") == 0


def test_codes_are_single_use(emu: Emulator, http: requests.Session) -> None:
    code = _code(emu)
    assert _exchange(emu, http, code).status_code == 200
    again = _exchange(emu, http, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert again.json()["error_description"]


def test_codes_expire_after_ten_minutes(emu: Emulator, http: requests.Session) -> None:
    code = _code(emu)
    emu.clock.advance(601)
    response = _exchange(emu, http, code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_code_needs_the_same_redirect_uri(emu: Emulator, http: requests.Session) -> None:
    emu.add_redirect_uri("http://localhost:9000/other")
    code = _code(emu)
    response = token_request(
        emu,
        http,
        grant_type="authorization_code",
        code=code,
        redirect_uri="http://localhost:9000/other",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert _exchange(emu, http, code).status_code == 200  # a mismatch does not burn the code


def test_bad_client_credentials(emu: Emulator, http: requests.Session) -> None:
    for auth in [(emu.client_id, "wrong"), ("other", emu.client_secret)]:
        response = token_request(
            emu, http, auth=auth, grant_type="refresh_token", refresh_token="x"
        )
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
        assert response.headers["WWW-Authenticate"].startswith("Basic")
    no_auth = http.post(emu.origin + "/oauth/token", data={"grant_type": "refresh_token"})
    assert no_auth.status_code == 401


def test_grant_type_and_body_validation(emu: Emulator, http: requests.Session) -> None:
    response = token_request(emu, http, grant_type="password")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert token_request(emu, http).json()["error"] == "invalid_request"
    as_json = http.post(
        emu.origin + "/oauth/token",
        json={"grant_type": "refresh_token", "refresh_token": "x"},
        auth=(emu.client_id, emu.client_secret),
    )
    assert as_json.status_code == 400
    assert as_json.json()["error"] == "invalid_request"
    assert http.get(emu.origin + "/oauth/token").status_code == 405


def test_access_tokens_expire_after_two_hours(emu: Emulator, http: requests.Session) -> None:
    tokens = emu.issue_tokens()
    emu.clock.advance(7199)
    assert _user(emu, http, tokens["access_token"]).status_code == 200
    emu.clock.advance(2)
    expired = _user(emu, http, tokens["access_token"])
    assert expired.status_code == 401
    assert expired.json()["error"] == "authentication_error"


def test_refresh_rotates_and_the_old_refresh_token_dies(
    emu: Emulator, http: requests.Session
) -> None:
    first = _exchange(emu, http, _code(emu)).json()
    emu.clock.advance(7300)
    second = _refresh(emu, http, first["refresh_token"])
    assert second.status_code == 200
    renewed: Dict[str, Any] = second.json()
    assert renewed["refresh_token"] != first["refresh_token"]
    assert renewed["access_token"] != first["access_token"]
    assert _user(emu, http, renewed["access_token"]).status_code == 200
    reused = _refresh(emu, http, first["refresh_token"])
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    third = _refresh(emu, http, renewed["refresh_token"])
    assert third.status_code == 200
    assert emu.token_exchanges("refresh_token") == 3
    assert emu.token_exchanges("authorization_code") == 1
    assert emu.token_exchanges() == 4


def test_refreshed_tokens_keep_scopes_and_vehicles(emu: Emulator, http: requests.Session) -> None:
    tokens = emu.issue_tokens(scope=["read_odometer"], make="TESLA")
    renewed = _refresh(emu, http, tokens["refresh_token"]).json()
    headers = {"Authorization": f"Bearer {renewed['access_token']}"}
    ids = http.get(emu.origin + "/v1.0/vehicles", headers=headers).json()["vehicles"]
    assert {emu.vehicle(v).make for v in ids} == {"TESLA"}
    permissions = http.get(f"{emu.origin}/v1.0/vehicles/{ids[0]}/permissions", headers=headers)
    assert permissions.json()["permissions"] == ["read_odometer"]


def test_old_access_token_lives_until_it_expires(emu: Emulator, http: requests.Session) -> None:
    tokens = emu.issue_tokens()
    _refresh(emu, http, tokens["refresh_token"])
    assert _user(emu, http, tokens["access_token"]).status_code == 200


def test_refresh_tokens_expire_after_sixty_days(emu: Emulator, http: requests.Session) -> None:
    tokens = emu.issue_tokens()
    emu.clock.advance(60 * 24 * 3600 + 1)
    response = _refresh(emu, http, tokens["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_unknown_and_missing_bearer_tokens(emu: Emulator, http: requests.Session) -> None:
    assert _user(emu, http, "not-a-token").status_code == 401
    missing = http.get(emu.origin + "/v1.0/user")
    assert missing.status_code == 401
    assert missing.json() == {
        "error": "authentication_error",
        "message": "Missing bearer access token.",
        "statusCode": 401,
        "requestId": missing.headers["sc-request-id"],
    }


def test_reset_forgets_tokens_unless_kept(emu: Emulator, http: requests.Session) -> None:
    tokens = emu.issue_tokens()
    emu.reset(keep_tokens=True)
    assert _user(emu, http, tokens["access_token"]).status_code == 200
    emu.reset()
    assert _user(emu, http, tokens["access_token"]).status_code == 401
