"""The emulated Connect pages and the programmatic user, over real HTTP."""

from __future__ import annotations

import re

import pytest
import requests
from emu_support import query_of, token_request

from smartcar.emulator import ConnectError, Emulator, connect


def test_approve_redirects_with_code_and_state(emu: Emulator) -> None:
    url = emu.auth_url_for(scope="read_odometer read_vehicle_info", state="s-123")
    redirect = connect(url)
    assert redirect.startswith(emu.redirect_uri + "?")
    query = query_of(redirect)
    assert set(query) == {"code", "state"}
    assert query["state"] == "s-123"


def test_deny_redirects_with_access_denied(emu: Emulator) -> None:
    redirect = connect(emu.auth_url_for(scope="read_odometer", state="abc"), approve=False)
    query = query_of(redirect)
    assert query["error"] == "access_denied"
    assert query["error_description"]
    assert query["state"] == "abc"
    assert "code" not in query
    assert emu.token_exchanges() == 0


def test_state_is_omitted_when_not_given(emu: Emulator) -> None:
    assert "state" not in query_of(connect(emu.auth_url_for()))


def test_code_covers_the_vehicles_and_scopes_approved(
    emu: Emulator, http: requests.Session
) -> None:
    redirect = connect(emu.auth_url_for(scope="required:read_odometer read_vin"), email="a@b.co")
    response = token_request(
        emu,
        http,
        grant_type="authorization_code",
        code=query_of(redirect)["code"],
        redirect_uri=emu.redirect_uri,
    )
    token = response.json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    listing = http.get(emu.origin + "/v1.0/vehicles", headers=headers).json()
    assert sorted(listing["vehicles"]) == sorted(v.id for v in emu.vehicles("a@b.co"))
    vehicle_id = listing["vehicles"][0]
    permissions = http.get(
        f"{emu.origin}/v1.0/vehicles/{vehicle_id}/permissions", headers=headers
    ).json()
    assert permissions["permissions"] == ["read_vin", "read_odometer"]


def after_intro(emu: Emulator, http: requests.Session, url: str) -> requests.Response:
    """Open Connect at ``url`` and press Continue on the introduction."""
    intro = http.get(url)
    assert intro.status_code == 200 and 'id="continue-button"' in intro.text
    sid = re.search(r'name="sid" value="([^"]+)"', intro.text)
    assert sid is not None
    return http.post(emu.origin + "/oauth/authorize/continue", data={"sid": sid.group(1)})


def test_intro_then_brand_page_then_login_then_grant(
    emu: Emulator, http: requests.Session
) -> None:
    page = after_intro(emu, http, emu.auth_url_for(scope="read_odometer"))
    assert page.status_code == 200
    assert 'id="brand-form"' in page.text
    for make in ("TESLA", "FORD", "BMW", "TOYOTA", "NISSAN", "CHEVROLET", "VOLKSWAGEN", "AUDI"):
        assert f'<button id="{make}" class="brand brand-list-item"' in page.text
    sid = re.search(r'name="sid" value="([^"]+)"', page.text)
    assert sid is not None
    login = http.post(
        emu.origin + "/oauth/authorize/brand", data={"sid": sid.group(1), "make": "TESLA"}
    )
    assert 'id="login-form"' in login.text
    assert 'id="username"' in login.text and 'id="password"' in login.text
    assert 'id="sign-in-button"' in login.text
    assert "Tesla" in login.text
    grant = http.post(
        emu.origin + "/oauth/authorize/login",
        data={"sid": sid.group(1), "username": "elon@example.com", "password": "x"},
    )
    assert 'id="grant-form"' in grant.text
    assert 'id="approval-button"' in grant.text and 'id="deny-button"' in grant.text
    assert 'data-scope="read_odometer"' in grant.text
    vehicles = re.findall(r'name="vehicle" id="[^"]+" value="([^"]+)"', grant.text)
    assert vehicles and all(emu.vehicle(v).make == "TESLA" for v in vehicles)


def test_make_skips_brand_selection_and_limits_vehicles(
    emu: Emulator, http: requests.Session
) -> None:
    page = after_intro(emu, http, emu.auth_url_for(make="ford"))
    assert 'id="login-form"' in page.text and 'id="brand-form"' not in page.text
    redirect = connect(emu.auth_url_for(make="FORD"), email="f@example.com")
    code = query_of(redirect)["code"]
    token = token_request(
        emu, http, grant_type="authorization_code", code=code, redirect_uri=emu.redirect_uri
    ).json()["access_token"]
    ids = http.get(
        emu.origin + "/v1.0/vehicles", headers={"Authorization": f"Bearer {token}"}
    ).json()["vehicles"]
    assert ids and all(emu.vehicle(v).make == "FORD" for v in ids)


def test_connect_picks_the_brand_on_the_brand_page(emu: Emulator, http: requests.Session) -> None:
    redirect = connect(emu.auth_url_for(), make="nissan", email="n@example.com")
    token = token_request(
        emu,
        http,
        grant_type="authorization_code",
        code=query_of(redirect)["code"],
        redirect_uri=emu.redirect_uri,
    ).json()["access_token"]
    ids = http.get(
        emu.origin + "/v1.0/vehicles", headers={"Authorization": f"Bearer {token}"}
    ).json()["vehicles"]
    assert {emu.vehicle(v).make for v in ids} == {"NISSAN"}


def test_single_select_shows_radio_buttons_and_grants_one(
    emu: Emulator, http: requests.Session
) -> None:
    page = after_intro(emu, http, emu.auth_url_for(single_select="true", make="ALL"))
    # ALL is not a make name: the brand page is shown
    assert 'id="brand-form"' in page.text
    redirect = connect(emu.auth_url_for(single_select="true"))
    token = token_request(
        emu,
        http,
        grant_type="authorization_code",
        code=query_of(redirect)["code"],
        redirect_uri=emu.redirect_uri,
    ).json()["access_token"]
    listing = http.get(
        emu.origin + "/v1.0/vehicles", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert listing["paging"]["count"] == 1


def test_single_select_vin_authorizes_that_vehicle(emu: Emulator, http: requests.Session) -> None:
    target = emu.vehicles()[1]
    redirect = connect(emu.auth_url_for(single_select="true", single_select_vin=target.vin))
    token = token_request(
        emu,
        http,
        grant_type="authorization_code",
        code=query_of(redirect)["code"],
        redirect_uri=emu.redirect_uri,
    ).json()["access_token"]
    listing = http.get(
        emu.origin + "/v1.0/vehicles", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert listing["vehicles"] == [target.id]


def test_single_select_vin_not_in_account(emu: Emulator) -> None:
    redirect = connect(
        emu.auth_url_for(single_select="true", single_select_vin="1M8GDM9AXKP042788")
    )
    assert query_of(redirect)["error"] == "no_vehicles"


@pytest.mark.parametrize(
    ("params", "title"),
    [
        ({"client_id": "someone-else"}, "Unknown application"),
        ({"redirect_uri": "http://evil.example/cb"}, "Invalid redirect URI"),
        ({"response_type": "token"}, "Invalid request"),
        ({"scope": "read_odometer read_minds"}, "Invalid scope"),
        ({"single_select": "True"}, "Invalid request"),
        ({"approval_prompt": "always"}, "Invalid request"),
        ({"mode": "production"}, "Invalid request"),
        ({"single_select_vin": "short"}, "Invalid request"),
    ],
)
def test_bad_requests_get_an_error_page(
    emu: Emulator, http: requests.Session, params: dict[str, str], title: str
) -> None:
    response = http.get(emu.auth_url_for(**params), allow_redirects=False)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert f'<h1 id="error-title">{title}</h1>' in response.text
    with pytest.raises(ConnectError) as caught:
        connect(emu.auth_url_for(**params))
    assert caught.value.status == 400


def test_missing_client_id_is_an_error_page(emu: Emulator, http: requests.Session) -> None:
    response = http.get(emu.origin + "/oauth/authorize?response_type=code")
    assert response.status_code == 400
    assert "error-message" in response.text


def test_registered_redirect_uris(emu: Emulator) -> None:
    emu.add_redirect_uri("https://app.example/callback?tenant=7")
    redirect = connect(emu.auth_url_for(redirect_uri="https://app.example/callback?tenant=7"))
    assert redirect.startswith("https://app.example/callback?tenant=7&code=")


def test_returning_user_skips_the_grant_page_unless_forced(
    emu: Emulator, http: requests.Session
) -> None:
    connect(emu.auth_url_for(scope="read_odometer", make="TESLA"), email="again@example.com")
    page = http.get(emu.auth_url_for(scope="read_odometer", make="TESLA"))
    sid = re.search(r'name="sid" value="([^"]+)"', page.text)
    assert sid is not None
    login = http.post(
        emu.origin + "/oauth/authorize/login",
        data={"sid": sid.group(1), "email": "again@example.com", "password": "pw"},
        allow_redirects=False,
    )
    assert login.status_code == 302
    assert "code=" in login.headers["Location"]
    forced = http.get(
        emu.auth_url_for(scope="read_odometer", make="TESLA", approval_prompt="force")
    )
    sid = re.search(r'name="sid" value="([^"]+)"', forced.text)
    assert sid is not None
    login = http.post(
        emu.origin + "/oauth/authorize/login",
        data={"sid": sid.group(1), "email": "again@example.com", "password": "pw"},
    )
    assert 'id="grant-form"' in login.text


def test_empty_login_is_refused(emu: Emulator) -> None:
    with pytest.raises(ConnectError, match="email and password"):
        connect(emu.auth_url_for(make="BMW"), email="", password="")


def test_test_mode_banner(emu: Emulator, http: requests.Session) -> None:
    assert "TEST MODE" in http.get(emu.auth_url_for(mode="test", make="BMW")).text


def test_expired_connect_session(emu: Emulator, http: requests.Session) -> None:
    page = http.get(emu.auth_url_for(make="BMW"))
    sid = re.search(r'name="sid" value="([^"]+)"', page.text)
    assert sid is not None
    emu.clock.advance(2 * 3600)
    response = http.post(
        emu.origin + "/oauth/authorize/login",
        data={"sid": sid.group(1), "email": "x@example.com", "password": "pw"},
    )
    assert response.status_code == 400
    assert "Session expired" in response.text


def test_same_email_same_fleet_and_seed_determinism() -> None:
    with Emulator(seed=3) as one:
        first = [(v.id, v.vin, v.model) for v in one.vehicles("x@example.com")]
    with Emulator(seed=3) as two:
        again = [(v.id, v.vin, v.model) for v in two.vehicles("X@Example.com ")]
    with Emulator(seed=4) as three:
        other = [(v.id, v.vin, v.model) for v in three.vehicles("x@example.com")]
    assert first == again
    assert first != other
