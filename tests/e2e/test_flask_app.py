"""The Flask example through Flask's test client, against a live emulator over loopback HTTP.

The Connect pages are driven with ``smartcar.emulator.connect`` (plain form posts); the
browser test (test_browser.py) clicks through the same pages in Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import urlencode, urlsplit

import pytest
from e2e_support import query, stored_keys
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from examples.flask_app.app import make_name
from smartcar.emulator import Emulator, connect
from smartcar.emulator.fleet import KM_PER_MILE

USER = "flask-tester@example.com"


def start_connect(client: FlaskClient) -> str:
    """GET /login and return the Connect URL it redirects to."""
    response = client.get("/login")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert urlsplit(location).path == "/oauth/authorize"
    return location


def finish(client: FlaskClient, redirect_url: str, state: Optional[str] = None) -> TestResponse:
    """Follow the redirect back to the app's /callback (optionally with another state)."""
    params = query(redirect_url)
    if state is not None:
        params["state"] = state
    return client.get(f"/callback?{urlencode(params)}")


def sign_in(client: FlaskClient, user: str = USER) -> str:
    """Run the whole approve flow; return the user id the app keeps in its session."""
    redirect_url = connect(start_connect(client), approve=True, email=user)
    response = finish(client, redirect_url)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/vehicles")
    with client.session_transaction() as session:
        user_id: str = session["user_id"]
    return user_id


def page_text(response: TestResponse) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def rows(html: str) -> Dict[str, str]:
    """Vehicle id -> the HTML of its table row."""
    return dict(re.findall(r'<tr data-vehicle-id="([^"]+)">(.*?)</tr>', html, re.S))


def cell_value(row_html: str, field: str) -> Optional[float]:
    match = re.search(rf'data-field="{field}"[^>]*?data-value="([^"]+)"', row_html, re.S)
    return float(match.group(1)) if match else None


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


# Connect: approve, deny, state ------------------------------------------------------------


def test_index_offers_connect(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/login"' in response.get_data(as_text=True)
    assert "Connect your car" in page_text(response)


def test_login_puts_a_fresh_random_state_in_the_session(client: FlaskClient) -> None:
    states = []
    for _ in range(2):
        url = start_connect(client)
        with client.session_transaction() as session:
            states.append(session["oauth_state"])
        assert query(url)["state"] == states[-1]
    assert states[0] != states[1]
    assert all(len(state) >= 24 for state in states)


def test_approve_stores_tokens_under_the_user_id(
    client: FlaskClient, fresh_emu: Emulator, token_db: Path
) -> None:
    user_id = sign_in(client)
    assert user_id == fresh_emu.user_id(USER)
    assert stored_keys(token_db) == [user_id]
    assert fresh_emu.token_exchanges("authorization_code") == 1


def test_state_mismatch_is_rejected_and_the_code_is_not_used(
    client: FlaskClient, fresh_emu: Emulator, token_db: Path
) -> None:
    redirect_url = connect(start_connect(client), approve=True, email=USER)
    response = finish(client, redirect_url, state="forged-state")
    assert response.status_code == 400
    assert "not valid" in page_text(response)
    assert fresh_emu.token_exchanges() == 0
    assert stored_keys(token_db) == []
    with client.session_transaction() as session:
        assert "user_id" not in session
        assert "oauth_state" not in session  # one attempt per state: a retry must start over


def test_callback_without_a_login_in_this_browser_is_rejected(
    app: Flask, fresh_emu: Emulator, token_db: Path
) -> None:
    # The victim's browser never started a Connect flow: an attacker's link must not log it
    # in to the attacker's car.
    attacker = app.test_client()
    redirect_url = connect(start_connect(attacker), approve=True, email="attacker@example.com")
    victim = app.test_client()
    response = finish(victim, redirect_url)
    assert response.status_code == 400
    assert fresh_emu.token_exchanges() == 0
    assert stored_keys(token_db) == []


def test_deny_shows_a_friendly_page_and_stores_nothing(
    client: FlaskClient, fresh_emu: Emulator, token_db: Path
) -> None:
    redirect_url = connect(start_connect(client), approve=False, email=USER)
    assert query(redirect_url)["error"] == "access_denied"
    response = finish(client, redirect_url)
    assert response.status_code == 200
    assert "nothing was connected" in page_text(response)
    assert fresh_emu.token_exchanges() == 0
    assert stored_keys(token_db) == []
    with client.session_transaction() as session:
        assert "user_id" not in session


def test_a_replayed_callback_is_rejected(client: FlaskClient, fresh_emu: Emulator) -> None:
    redirect_url = connect(start_connect(client), approve=True, email=USER)
    assert finish(client, redirect_url).status_code == 302
    response = finish(client, redirect_url)
    assert response.status_code == 400
    assert fresh_emu.token_exchanges("authorization_code") == 1


# The vehicle table ----------------------------------------------------------------------


def test_vehicles_without_a_session_go_back_to_the_start(client: FlaskClient) -> None:
    response = client.get("/vehicles")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"


def test_vehicle_table_matches_the_emulator(client: FlaskClient, fresh_emu: Emulator) -> None:
    fresh_emu.clock.freeze()
    sign_in(client)
    response = client.get("/vehicles")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = rows(html)
    garage = fresh_emu.vehicles(USER)
    assert sorted(table) == sorted(vehicle.id for vehicle in garage)
    for vehicle in garage:
        row = table[vehicle.id]
        assert f"{vehicle.year} {make_name(vehicle.make)}</strong> {vehicle.model}" in row
        assert cell_value(row, "odometer") == pytest.approx(vehicle.odometer_km, abs=0.05)
        assert f"{vehicle.odometer_km:,.1f} km" in row
        assert cell_value(row, "location") == pytest.approx(vehicle.latitude, abs=1e-6)
        fuel, battery = cell_value(row, "fuel"), cell_value(row, "battery")
        if vehicle.has_engine:
            assert fuel == pytest.approx(vehicle.fuel_percent * 100, abs=0.05)
        else:
            assert fuel is None
        if vehicle.has_battery:
            assert battery == pytest.approx(vehicle.battery_percent * 100, abs=0.05)
        else:
            assert battery is None
    assert "Not supported by this vehicle" in html  # a gas car has no battery, an EV no tank


def test_imperial_switch_shows_miles_and_is_remembered(
    client: FlaskClient, fresh_emu: Emulator
) -> None:
    fresh_emu.clock.freeze()
    sign_in(client)
    vehicle = fresh_emu.vehicles(USER)[0]
    for path in ("/vehicles?units=imperial", "/vehicles"):
        html = client.get(path).get_data(as_text=True)
        assert 'data-units="imperial"' in html
        row = rows(html)[vehicle.id]
        miles = vehicle.odometer_km / KM_PER_MILE
        assert cell_value(row, "odometer") == pytest.approx(miles, abs=0.05)
        assert " mi</span>" in row
    html = client.get("/vehicles?units=metric").get_data(as_text=True)
    assert " km</span>" in rows(html)[vehicle.id]
    assert fresh_emu.requests("/v1.0/vehicles/*/odometer")[-1].unit_system == "metric"


# Commands -------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client: FlaskClient, fresh_emu: Emulator) -> str:
    """Sign in and load the table once; return the CSRF token of the page."""
    sign_in(client)
    return csrf_token(client.get("/vehicles").get_data(as_text=True))


def test_lock_with_the_csrf_token_locks_the_vehicle(
    client: FlaskClient, fresh_emu: Emulator, signed_in: str
) -> None:
    vehicle = fresh_emu.vehicles(USER)[0]
    vehicle.locked = False
    response = client.post(f"/vehicles/{vehicle.id}/lock", data={"csrf_token": signed_in})
    assert response.status_code == 302
    assert fresh_emu.vehicle(vehicle.id).locked is True
    page = page_text(client.get("/vehicles"))
    assert f"{vehicle.year} {make_name(vehicle.make)} {vehicle.model} is now locked." in page
    response = client.post(f"/vehicles/{vehicle.id}/unlock", data={"csrf_token": signed_in})
    assert fresh_emu.vehicle(vehicle.id).locked is False


@pytest.mark.parametrize("form", [{}, {"csrf_token": "guessed"}], ids=["missing", "wrong"])
def test_lock_without_a_valid_csrf_token_is_rejected(
    client: FlaskClient, fresh_emu: Emulator, signed_in: str, form: Dict[str, str]
) -> None:
    vehicle = fresh_emu.vehicles(USER)[0]
    vehicle.locked = False
    response = client.post(f"/vehicles/{vehicle.id}/lock", data=form)
    assert response.status_code == 400
    assert "expired" in page_text(response)
    assert fresh_emu.vehicle(vehicle.id).locked is False
    assert fresh_emu.requests("/v1.0/vehicles/*/security") == []


def test_sign_out_forgets_the_user(client: FlaskClient, signed_in: str) -> None:
    assert client.post("/logout", data={}).status_code == 400
    assert client.get("/vehicles").status_code == 200
    response = client.post("/logout", data={"csrf_token": signed_in})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "user_id" not in session
    assert urlsplit(client.get("/vehicles").headers["Location"]).path == "/"


def test_commands_need_a_signed_in_user(client: FlaskClient, fresh_emu: Emulator) -> None:
    vehicle = fresh_emu.vehicles(USER)[0]
    with client.session_transaction() as session:
        session["csrf_token"] = "known"
    response = client.post(f"/vehicles/{vehicle.id}/unlock", data={"csrf_token": "known"})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    assert fresh_emu.requests("/v1.0/vehicles/*/security") == []


# Errors become pages --------------------------------------------------------------------


def test_an_expired_access_token_is_refreshed_behind_the_scenes(
    client: FlaskClient, fresh_emu: Emulator
) -> None:
    sign_in(client)
    # The emulator's clock runs ahead of the app's: the app still believes its token is
    # valid, and learns otherwise from a 401.
    fresh_emu.clock.advance(2 * 3600 + 60)
    response = client.get("/vehicles")
    assert response.status_code == 200
    assert len(rows(response.get_data(as_text=True))) == len(fresh_emu.vehicles(USER))
    assert fresh_emu.token_exchanges("refresh_token") == 1


def test_reauthorization_required_asks_to_reconnect(
    client: FlaskClient, fresh_emu: Emulator
) -> None:
    sign_in(client)
    fresh_emu.clock.advance(61 * 24 * 3600)  # both the access and the refresh token expired
    response = client.get("/vehicles")
    assert response.status_code == 401
    text = page_text(response)
    assert "Please reconnect your car" in text
    assert "expired or was revoked" in text  # ReauthorizationRequired, not any 401
    assert 'id="reconnect"' in text
    assert "Traceback" not in text
    assert fresh_emu.token_exchanges("refresh_token") == 1


@pytest.mark.parametrize(
    ("fault", "status", "title"),
    [
        ({"status": 429, "retry_after": 600}, 429, "Too many requests"),
        ({"status": 500}, 502, "Smartcar had a problem"),
        ({"drop": True}, 502, "Smartcar is unreachable"),
        ({"status": 504}, 504, "The vehicle did not answer"),
    ],
    ids=["429", "500", "dropped", "504"],
)
def test_api_failures_become_helpful_pages(
    client: FlaskClient,
    fresh_emu: Emulator,
    fault: Dict[str, Any],
    status: int,
    title: str,
) -> None:
    sign_in(client)
    fresh_emu.faults.add("/v1.0/vehicles", count=10, **fault)
    response = client.get("/vehicles")
    assert response.status_code == status
    text = page_text(response)
    assert title in text
    assert "Traceback" not in text


def test_a_failing_read_of_one_value_only_blanks_that_cell(
    client: FlaskClient, fresh_emu: Emulator
) -> None:
    sign_in(client)
    vehicle = fresh_emu.vehicles(USER)[0]
    fresh_emu.faults.add(f"/v1.0/vehicles/{vehicle.id}/location", status=504, count=10)
    response = client.get("/vehicles")
    assert response.status_code == 200
    row = rows(response.get_data(as_text=True))[vehicle.id]
    assert cell_value(row, "location") is None
    assert "The vehicle did not answer" in row
    assert cell_value(row, "odometer") is not None


def test_unexpected_errors_are_a_page_without_a_trace(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client)

    def broken(key: str) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(app.extensions["smartcar"].tokens, "access_token", broken)
    response = client.get("/vehicles")
    assert response.status_code == 500
    text = page_text(response)
    assert "Something went wrong" in text
    assert "disk on fire" not in text
    assert "Traceback" not in text


def test_unknown_command_is_not_found(client: FlaskClient, signed_in: str) -> None:
    response = client.post("/vehicles/some-id/selfdestruct", data={"csrf_token": signed_in})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("make", "name"),
    [("TESLA", "Tesla"), ("BMW", "BMW"), ("MERCEDES-BENZ", "Mercedes-Benz"), ("kia", "Kia")],
)
def test_make_names_read_as_people_write_them(make: str, name: str) -> None:
    assert make_name(make) == name


def test_missing_settings_are_reported(monkeypatch: pytest.MonkeyPatch, token_db: Path) -> None:
    from examples.flask_app.app import create_app

    for name in ("SMARTCAR_CLIENT_ID", "SMARTCAR_CLIENT_SECRET", "SMARTCAR_REDIRECT_URI"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="SMARTCAR_CLIENT_SECRET"):
        create_app({"SMARTCAR_CLIENT_ID": "x", "TOKEN_DB": str(token_db)})


def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, fresh_emu: Emulator, token_db: Path
) -> None:
    from examples.flask_app.app import create_app

    monkeypatch.setenv("SMARTCAR_CLIENT_ID", fresh_emu.client_id)
    monkeypatch.setenv("SMARTCAR_CLIENT_SECRET", fresh_emu.client_secret)
    monkeypatch.setenv("SMARTCAR_REDIRECT_URI", "http://localhost/callback")
    monkeypatch.setenv("SMARTCAR_SCOPE", "read_vehicle_info read_odometer")
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    monkeypatch.setenv("TOKEN_DB", str(token_db))
    app = create_app()
    assert app.secret_key == "from-env"
    url = start_connect(app.test_client())
    assert query(url)["scope"] == "read_vehicle_info read_odometer"
    assert query(url)["client_id"] == fresh_emu.client_id
    assert token_db.exists()
