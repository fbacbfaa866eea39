"""The Flask example (on API v3) through Flask's test client, against a live emulator over
loopback HTTP.

The Connect pages are driven with ``smartcar.emulator.connect`` (plain form posts); the
browser test (test_browser.py) clicks through the same pages in Chromium. Webhook deliveries
are signed here with the management token (``e2e_support.sign``), except at the end of this
file, where the emulator itself delivers them to the app served on a real port.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from e2e_support import (
    TEST_CLIENT_CALLBACK,
    LiveApp,
    app_config,
    query,
    sign,
    state_event,
    stored_keys,
)
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from examples.flask_app.app import WEBHOOK_PATH, create_app, make_name
from examples.flask_app.live import LIVE_SIGNALS
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


def deliver(
    client: FlaskClient, body: bytes, signature: Optional[str], **headers: str
) -> TestResponse:
    """POST one webhook delivery (``signature`` None: no SC-Signature header)."""
    sent = {"Content-Type": "application/json", "User-Agent": "Smartcar/test", **headers}
    if signature is not None:
        sent["SC-Signature"] = signature
    return client.post(WEBHOOK_PATH, data=body, headers=sent)


def live(client: FlaskClient) -> Dict[str, Any]:
    response = client.get("/live")
    assert response.status_code == 200
    snapshot: Dict[str, Any] = response.get_json()
    return snapshot


def commands_sent(emu: Emulator) -> list[str]:
    return [
        record.path.rsplit("/", 1)[1]
        for record in emu.requests("/v3/vehicles/*/commands/security/*")
    ]


# Connect: approve, deny, state ------------------------------------------------------------


def test_index_offers_connect(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/login"' in response.get_data(as_text=True)
    assert "Connect your car" in page_text(response)


def test_login_sends_the_application_id_and_a_fresh_random_state(
    client: FlaskClient, fresh_emu: Emulator
) -> None:
    states = []
    for _ in range(2):
        url = start_connect(client)
        with client.session_transaction() as session:
            states.append(session["oauth_state"])
        params = query(url)
        assert params["state"] == states[-1]
        assert params["client_id"] == fresh_emu.v3.application_id  # not the client_… credential
        assert params["redirect_uri"] == TEST_CLIENT_CALLBACK
        assert "control_security" in params["scope"].split()
    assert states[0] != states[1]
    assert all(len(state) >= 24 for state in states)


def test_approve_keeps_the_user_id_of_the_redirect(
    client: FlaskClient, fresh_emu: Emulator, token_db: Path
) -> None:
    user_id = sign_in(client)
    assert user_id == fresh_emu.user_id(USER)
    assert fresh_emu.token_exchanges() == 0  # v3: no code exchange, no per-user tokens
    assert not any(key == user_id for key in stored_keys(token_db))


def test_state_mismatch_is_rejected(client: FlaskClient, fresh_emu: Emulator) -> None:
    redirect_url = connect(start_connect(client), approve=True, email=USER)
    response = finish(client, redirect_url, state="forged-state")
    assert response.status_code == 400
    assert "not valid" in page_text(response)
    with client.session_transaction() as session:
        assert "user_id" not in session
        assert "oauth_state" not in session  # one attempt per state: a retry must start over
    assert client.get("/vehicles").status_code == 302


def test_callback_without_a_login_in_this_browser_is_rejected(
    app: Flask, fresh_emu: Emulator
) -> None:
    # The victim's browser never started a Connect flow: an attacker's link must not log it
    # in to the attacker's car.
    attacker = app.test_client()
    redirect_url = connect(start_connect(attacker), approve=True, email="attacker@example.com")
    victim = app.test_client()
    response = finish(victim, redirect_url)
    assert response.status_code == 400
    with victim.session_transaction() as session:
        assert "user_id" not in session


def test_deny_shows_a_friendly_page(client: FlaskClient, fresh_emu: Emulator) -> None:
    redirect_url = connect(start_connect(client), approve=False, email=USER)
    assert query(redirect_url)["error"] == "access_denied"
    response = finish(client, redirect_url)
    assert response.status_code == 200
    assert "nothing was connected" in page_text(response)
    with client.session_transaction() as session:
        assert "user_id" not in session


def test_a_connect_error_is_explained_with_its_description(client: FlaskClient) -> None:
    start_connect(client)
    with client.session_transaction() as session:
        state = session["oauth_state"]
    params = {"error": "vehicle_incompatible", "error_description": "This car cannot connect.",
              "state": state, "vin": "1HGBH41JXMN109186", "make": "HONDA"}  # fmt: skip
    response = client.get(f"/callback?{urlencode(params)}")
    assert response.status_code == 400
    text = page_text(response)
    assert "Connect did not finish" in text
    assert "This car cannot connect." in text


def test_a_redirect_without_a_user_id_is_refused(client: FlaskClient) -> None:
    start_connect(client)
    with client.session_transaction() as session:
        state = session["oauth_state"]
    response = client.get(f"/callback?{urlencode({'state': state})}")
    assert response.status_code == 400
    assert "no user id" in page_text(response)


def test_a_replayed_callback_is_rejected(client: FlaskClient, fresh_emu: Emulator) -> None:
    redirect_url = connect(start_connect(client), approve=True, email=USER)
    assert finish(client, redirect_url).status_code == 302
    response = finish(client, redirect_url)
    assert response.status_code == 400


# The vehicle table ----------------------------------------------------------------------


def test_vehicles_without_a_session_go_back_to_the_start(client: FlaskClient) -> None:
    response = client.get("/vehicles")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"


def test_vehicle_table_matches_the_emulator(client: FlaskClient, fresh_emu: Emulator) -> None:
    fresh_emu.clock.freeze()
    sign_in(client)
    garage = fresh_emu.vehicles(USER)
    garage[0].locked = False
    response = client.get("/vehicles")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    table = rows(html)
    assert sorted(table) == sorted(vehicle.id for vehicle in garage)
    for vehicle in garage:
        row = table[vehicle.id]
        assert f"{vehicle.year} {make_name(vehicle.make)}</strong> {vehicle.model}" in row
        assert cell_value(row, "odometer") == pytest.approx(vehicle.odometer_km, abs=0.05)
        assert f"{vehicle.odometer_km:,.1f} km" in row
        assert cell_value(row, "location") == pytest.approx(vehicle.latitude, abs=1e-5)
        fuel, battery = cell_value(row, "fuel"), cell_value(row, "battery")
        if vehicle.has_engine:
            assert fuel == pytest.approx(vehicle.fuel_percent * 100, abs=0.05)
        else:
            assert fuel is None
        if vehicle.has_battery:
            assert battery == pytest.approx(vehicle.battery_percent * 100, abs=0.05)
        else:
            assert battery is None
        assert cell_value(row, "doors") == (1.0 if vehicle.locked else 0.0)
        assert ("Locked" if vehicle.locked else "Unlocked") in row
    assert "Not supported by this vehicle" in html  # a gas car has no battery, an EV no tank
    signal_reads = fresh_emu.requests("/v3/vehicles/*/signals*")
    assert signal_reads and all(record.status == 200 for record in signal_reads)
    assert fresh_emu.requests("/v1.0/*") == [] and fresh_emu.requests("/v2.0/*") == []


def test_a_vehicle_row_costs_two_calls(client: FlaskClient, fresh_emu: Emulator) -> None:
    sign_in(client)
    fresh_emu.request_log.clear()
    assert client.get("/vehicles").status_code == 200
    for vehicle in fresh_emu.vehicles(USER):
        calls = sorted(r.path for r in fresh_emu.requests(f"/v3/vehicles/{vehicle.id}*"))
        assert calls == [f"/v3/vehicles/{vehicle.id}", f"/v3/vehicles/{vehicle.id}/signals"]


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


def test_one_application_token_for_every_page_user_and_worker(
    app: Flask, fresh_emu: Emulator, token_db: Path
) -> None:
    fresh_emu.clock.freeze()
    first = app.test_client()
    sign_in(first)
    first.get("/vehicles")
    # A second worker process of the same app: another app object on the same SQLite file.
    other_worker = create_app(app_config(fresh_emu, token_db, TEST_CLIENT_CALLBACK))
    second = other_worker.test_client()
    sign_in(second, "second-user@example.com")
    assert second.get("/vehicles").status_code == 200
    assert fresh_emu.v3.token_requests == 1
    assert [key for key in stored_keys(token_db) if key.startswith("smartcar.v3.app-token:")]
    # An hour later (the emulator's clock, which the SDK follows) the token is renewed once.
    fresh_emu.clock.advance(3600)
    assert first.get("/vehicles").status_code == 200
    assert second.get("/vehicles").status_code == 200
    assert fresh_emu.v3.token_requests == 2


# Commands -------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client: FlaskClient, fresh_emu: Emulator) -> str:
    """Sign in and load the table once; return the CSRF token of the page."""
    sign_in(client)
    return csrf_token(client.get("/vehicles").get_data(as_text=True))


def test_lock_with_the_csrf_token_sends_the_v3_command(
    client: FlaskClient, fresh_emu: Emulator, signed_in: str
) -> None:
    vehicle = fresh_emu.vehicles(USER)[0]
    vehicle.locked = False
    response = client.post(f"/vehicles/{vehicle.id}/lock", data={"csrf_token": signed_in})
    assert response.status_code == 302
    assert fresh_emu.vehicle(vehicle.id).locked is True
    page = client.get("/vehicles")
    assert f"{vehicle.year} {make_name(vehicle.make)} {vehicle.model} is now locked." in page_text(
        page
    )
    assert cell_value(rows(page.get_data(as_text=True))[vehicle.id], "doors") == 1.0
    client.post(f"/vehicles/{vehicle.id}/unlock", data={"csrf_token": signed_in})
    assert fresh_emu.vehicle(vehicle.id).locked is False
    assert commands_sent(fresh_emu) == ["lock", "unlock"]
    sent = fresh_emu.requests("/v3/vehicles/*/commands/security/*")
    assert all(record.method == "POST" for record in sent)


def test_the_page_script_sends_commands_as_json_and_stays(
    client: FlaskClient, fresh_emu: Emulator, signed_in: str
) -> None:
    vehicle = fresh_emu.vehicles(USER)[0]
    vehicle.locked = False
    response = client.post(
        f"/vehicles/{vehicle.id}/lock",
        data={"csrf_token": signed_in},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["ok"] is True and answer["action"] == "lock"
    assert answer["message"].endswith("is now locked.")
    assert fresh_emu.vehicle(vehicle.id).locked is True
    vehicle.state_error = "ASLEEP"
    refused = client.post(
        f"/vehicles/{vehicle.id}/unlock",
        data={"csrf_token": signed_in},
        headers={"Accept": "application/json"},
    ).get_json()
    assert refused["ok"] is False and "could not unlock" in refused["message"]
    assert "is now" not in page_text(client.get("/vehicles"))  # no flash left behind


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
    assert commands_sent(fresh_emu) == []


def test_a_command_the_vehicle_refuses_is_a_message(
    client: FlaskClient, fresh_emu: Emulator, signed_in: str
) -> None:
    vehicle = fresh_emu.vehicles(USER)[0]
    vehicle.state_error = "ASLEEP"
    client.post(f"/vehicles/{vehicle.id}/lock", data={"csrf_token": signed_in})
    vehicle.state_error = None
    text = page_text(client.get("/vehicles"))
    assert "could not lock" in text
    assert "Unavailable right now" in text


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
    assert commands_sent(fresh_emu) == []


def test_unknown_command_is_not_found(client: FlaskClient, signed_in: str) -> None:
    response = client.post("/vehicles/some-id/selfdestruct", data={"csrf_token": signed_in})
    assert response.status_code == 404


# Errors become pages --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "title"),
    [
        ({"status": 429, "retry_after": 600}, 429, "Too many requests"),
        ({"status": 500}, 502, "Smartcar had a problem"),
        ({"drop": True}, 502, "Smartcar is unreachable"),
        ({"status": 403}, 403, "Permission needed"),
    ],
    ids=["429", "500", "dropped", "403"],
)
def test_api_failures_become_helpful_pages(
    client: FlaskClient,
    fresh_emu: Emulator,
    fault: Dict[str, Any],
    status: int,
    title: str,
) -> None:
    sign_in(client)
    fresh_emu.faults.add("/v3/connections", count=10, **fault)
    response = client.get("/vehicles")
    assert response.status_code == status
    text = page_text(response)
    assert title in text
    assert "Traceback" not in text


def test_refused_application_credentials_are_a_page(
    client: FlaskClient, fresh_emu: Emulator
) -> None:
    sign_in(client)
    fresh_emu.faults.add("/oauth2/token", status=401, count=10)
    response = client.get("/vehicles")
    assert response.status_code == 502
    assert "did not accept our application" in page_text(response)


def test_a_permission_not_granted_only_blanks_its_cell(
    app: Flask, client: FlaskClient, fresh_emu: Emulator
) -> None:
    app.config["SMARTCAR_SCOPE"] = "read_vehicle_info read_odometer read_security"
    sign_in(client)
    response = client.get("/vehicles")
    assert response.status_code == 200
    for row in rows(response.get_data(as_text=True)).values():
        assert cell_value(row, "location") is None
        assert "Permission not granted" in row
        assert cell_value(row, "odometer") is not None


def test_an_asleep_vehicle_blanks_its_row_not_the_page(
    client: FlaskClient, fresh_emu: Emulator
) -> None:
    sign_in(client)
    asleep, awake = fresh_emu.vehicles(USER)[:2]
    asleep.state_error = "ASLEEP"
    response = client.get("/vehicles")
    assert response.status_code == 200
    table = rows(response.get_data(as_text=True))
    assert cell_value(table[asleep.id], "odometer") is None
    assert "Unavailable right now" in table[asleep.id]
    assert cell_value(table[awake.id], "odometer") is not None


def test_unexpected_errors_are_a_page_without_a_trace(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client)

    def broken() -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(app.extensions["smartcar"].client, "access_token", broken)
    monkeypatch.setattr(app.extensions["smartcar"].client._tokens, "access_token", broken)
    response = client.get("/vehicles")
    assert response.status_code == 500
    text = page_text(response)
    assert "Something went wrong" in text
    assert "disk on fire" not in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("make", "name"),
    [("TESLA", "Tesla"), ("BMW", "BMW"), ("MERCEDES-BENZ", "Mercedes-Benz"), ("kia", "Kia")],
)
def test_make_names_read_as_people_write_them(make: str, name: str) -> None:
    assert make_name(make) == name


def test_missing_settings_are_reported(monkeypatch: pytest.MonkeyPatch, token_db: Path) -> None:
    for name in ("SMARTCAR_CLIENT_SECRET", "SMARTCAR_MANAGEMENT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match=r"SMARTCAR_CLIENT_SECRET.*SMARTCAR_MANAGEMENT_TOKEN"):
        create_app(
            {
                "SMARTCAR_CLIENT_ID": "x",
                "SMARTCAR_APPLICATION_ID": "app",
                "SMARTCAR_REDIRECT_URI": TEST_CLIENT_CALLBACK,
                "TOKEN_DB": str(token_db),
            }
        )


def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, fresh_emu: Emulator, token_db: Path
) -> None:
    for key, value in app_config(fresh_emu, token_db, TEST_CLIENT_CALLBACK).items():
        if key.startswith("SMARTCAR_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("SMARTCAR_SCOPE", "read_vehicle_info read_odometer")
    monkeypatch.setenv("SMARTCAR_MODE", "simulated")
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    monkeypatch.setenv("TOKEN_DB", str(token_db))
    app = create_app()
    assert app.secret_key == "from-env"
    url = start_connect(app.test_client())
    assert query(url)["scope"] == "read_vehicle_info read_odometer"
    assert query(url)["client_id"] == fresh_emu.v3.application_id
    assert query(url)["mode"] == "simulated"
    assert token_db.exists()


# The webhook endpoint (deliveries signed by the test) -------------------------------------


@pytest.fixture
def amt(fresh_emu: Emulator) -> str:
    token: str = fresh_emu.v3.management_token
    return token


def test_verify_is_answered_with_the_hmac_of_the_challenge(client: FlaskClient, amt: str) -> None:
    body = json.dumps(
        {
            "eventId": "v-1",
            "eventType": "VERIFY",
            "data": {"challenge": "abc123"},
            "meta": {
                "version": "4.0",
                "webhookId": "wh",
                "webhookName": "n",
                "deliveryId": "d",
                "deliveredAt": "2025-07-31T19:38:42.332Z",
            },
        }
    )
    response = deliver(client, body.encode(), sign(amt, body.encode()))
    assert response.status_code == 200
    assert response.get_json() == {"challenge": sign(amt, b"abc123")}
    assert response.headers["Content-Type"].startswith("application/json")


def test_a_signed_state_event_reaches_its_user_page_only(
    app: Flask, client: FlaskClient, fresh_emu: Emulator, amt: str
) -> None:
    user_id = sign_in(client)
    vehicle = fresh_emu.vehicles(USER)[0]
    assert live(client)["count"] == 0
    body = state_event(vehicle.id, user_id, locked=True, event_id="evt-1")
    response = deliver(client, body, sign(amt, body))
    assert (response.status_code, response.get_json()) == (200, {"status": "received"})
    snapshot = live(client)
    assert snapshot["count"] == 1
    state = snapshot["vehicles"][vehicle.id]["state"]
    assert state["event_id"] == "evt-1"
    pushed = {item["code"]: item["text"] for item in state["signals"]}
    assert pushed == {"closure-islocked": "Locked", "odometer-traveleddistance": "1,234.5 km"}
    assert [event["event_id"] for event in snapshot["recent"]] == ["evt-1"]
    stranger = app.test_client()
    sign_in(stranger, "stranger@example.com")
    assert live(stranger)["count"] == 0  # another user's vehicles are not shown


def test_a_forged_delivery_is_refused_and_changes_nothing(
    client: FlaskClient, fresh_emu: Emulator, amt: str
) -> None:
    user_id = sign_in(client)
    vehicle = fresh_emu.vehicles(USER)[0]
    body = state_event(vehicle.id, user_id, locked=False)
    for signature in (sign("not-the-management-token", body), "", "zz" * 32, None):
        response = deliver(client, body, signature)
        assert response.status_code == 401
    # Signed over other bytes (re-serialised JSON) is forged too.
    respaced = json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert deliver(client, respaced, sign(amt, body)).status_code == 401
    assert live(client)["count"] == 0


def test_a_redelivery_is_acknowledged_and_handed_over_once(
    app: Flask, client: FlaskClient, fresh_emu: Emulator, amt: str, token_db: Path
) -> None:
    user_id = sign_in(client)
    vehicle = fresh_emu.vehicles(USER)[0]
    body = state_event(vehicle.id, user_id, locked=True, event_id="evt-again")
    assert deliver(client, body, sign(amt, body)).get_json() == {"status": "received"}
    retry = state_event(vehicle.id, user_id, locked=True, event_id="evt-again",
                        delivered_at_ms=1_790_000_025_000)  # fmt: skip
    again = deliver(client, retry, sign(amt, retry))
    assert (again.status_code, again.get_json()) == (200, {"status": "duplicate"})
    # Another worker process on the same SQLite file knows the event too.
    other_worker = create_app(app_config(fresh_emu, token_db, TEST_CLIENT_CALLBACK))
    third = other_worker.test_client().post(
        WEBHOOK_PATH, data=retry, headers={"SC-Signature": sign(amt, retry)}
    )
    assert third.get_json() == {"status": "duplicate"}
    assert live(client)["count"] == 1


def test_the_latest_delivery_wins_whatever_the_arrival_order(
    client: FlaskClient, fresh_emu: Emulator, amt: str
) -> None:
    user_id = sign_in(client)
    vehicle = fresh_emu.vehicles(USER)[0]
    other = fresh_emu.vehicles(USER)[1]
    newer = state_event(vehicle.id, user_id, locked=False, delivered_at_ms=1_790_000_060_000)
    older = state_event(vehicle.id, user_id, locked=True, delivered_at_ms=1_790_000_000_000)
    elsewhere = state_event(other.id, user_id, locked=True, delivered_at_ms=1_790_000_000_000)
    for body in (newer, older, elsewhere):
        assert deliver(client, body, sign(amt, body)).status_code == 200
    snapshot = live(client)
    assert snapshot["vehicles"][vehicle.id]["state"]["signals"][0]["text"] == "Unlocked"
    assert snapshot["vehicles"][other.id]["state"]["signals"][0]["text"] == "Locked"
    assert (snapshot["count"], len(snapshot["recent"])) == (3, 3)
    assert snapshot["recent"][0]["vehicle_id"] == other.id  # newest arrival first


def test_a_vehicle_error_is_shown_until_resolved(
    client: FlaskClient, fresh_emu: Emulator, amt: str
) -> None:
    user_id = sign_in(client)
    vehicle = fresh_emu.vehicles(USER)[0]

    def error_event(state: str) -> bytes:
        error = {"type": "VEHICLE_STATE", "code": "ASLEEP", "state": state,
                 "description": "The vehicle is asleep.", "signals": []}  # fmt: skip
        data = {"user": {"id": user_id}, "vehicle": {"id": vehicle.id}, "errors": [error]}
        meta = {"version": "4.0", "deliveredAt": 1_790_000_000_000}
        payload = {"eventId": f"err-{state}", "eventType": "VEHICLE_ERROR", "data": data}
        return json.dumps({**payload, "meta": meta}).encode()

    body = error_event("ERROR")
    assert deliver(client, body, sign(amt, body)).status_code == 200
    errors = live(client)["vehicles"][vehicle.id]["errors"]
    assert [(item["code"], item["state"]) for item in errors] == [("ASLEEP", "ERROR")]
    body = error_event("RESOLVED")
    assert deliver(client, body, sign(amt, body)).status_code == 200
    assert live(client)["vehicles"][vehicle.id]["errors"] == []


def test_an_event_that_cannot_be_stored_is_retried_and_then_handed_over(
    app: Flask, client: FlaskClient, fresh_emu: Emulator, amt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = sign_in(client)
    vehicle = fresh_emu.vehicles(USER)[0]
    live_state = app.extensions["smartcar"].live
    real_record = live_state.record

    def disk_full(event: Any) -> Optional[int]:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(live_state, "record", disk_full)
    body = state_event(vehicle.id, user_id, locked=True, event_id="evt-retry")
    assert deliver(client, body, sign(amt, body)).status_code == 500
    monkeypatch.setattr(live_state, "record", real_record)
    assert deliver(client, body, sign(amt, body)).get_json() == {"status": "received"}
    assert live(client)["count"] == 1


def test_malformed_and_oversized_deliveries(client: FlaskClient, amt: str) -> None:
    not_an_event = b'{"eventId": "x", "data": {"vehicle": 7}}'
    assert deliver(client, not_an_event, sign(amt, not_an_event)).status_code == 400
    # A signed event of a known type is accepted whatever its parts; without a vehicle it
    # carries nothing to show, and nothing is stored.
    odd = b'{"eventId": "x", "eventType": "VEHICLE_STATE", "data": {"vehicle": 7}}'
    assert deliver(client, odd, sign(amt, odd)).status_code == 200
    huge = b" " * (7 * 1024 * 1024)
    assert deliver(client, huge, sign(amt, huge)).status_code == 413


def test_live_needs_a_signed_in_user(client: FlaskClient) -> None:
    response = client.get("/live")
    assert response.status_code == 401


def test_the_page_polls_its_own_endpoint_without_external_scripts(
    client: FlaskClient, signed_in: str
) -> None:
    html = client.get("/vehicles").get_data(as_text=True)
    sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
    assert sources == ["/static/live.js"]
    assert 'data-url="/live"' in html
    script = client.get("/static/live.js").get_data(as_text=True)
    assert "fetch(url" in script and "http" not in script.replace("https://", "")
    assert "innerHTML" not in script  # pushed values are written as text only


# Deliveries from the emulator to the app on a real port -----------------------------------


def add_webhook(emu: Emulator, live_app: LiveApp, **options: Any) -> Any:
    options.setdefault("auto_subscribe", True)
    return emu.v3.add_webhook(
        "Flask example", live_app.base + WEBHOOK_PATH,
        triggers=[LIVE_SIGNALS[0]], data=list(LIVE_SIGNALS), **options,
    )  # fmt: skip


def browse(live_app: LiveApp, user: str) -> requests.Session:
    """A requests session signed in to the live app as ``user``."""
    browser = requests.Session()
    login = browser.get(f"{live_app.base}/login", allow_redirects=False, timeout=10)
    redirect_url = connect(login.headers["Location"], email=user)
    assert browser.get(redirect_url, timeout=10).url == f"{live_app.base}/vehicles"
    return browser


def test_the_emulator_verifies_the_app_and_pushes_a_lock(live_app: LiveApp, emu: Emulator) -> None:
    emu.reset()
    hook = add_webhook(emu, live_app)
    assert hook.is_enabled  # the app answered VERIFY with the right HMAC
    with browse(live_app, "pushed@example.com") as browser:
        assert emu.v3.deliveries.wait(10)
        first = browser.get(f"{live_app.base}/live", timeout=10).json()
        garage = emu.vehicles("pushed@example.com")
        assert set(first["vehicles"]) == {vehicle.id for vehicle in garage}  # FIRST_DELIVERY
        target = garage[0]
        target.locked = False
        html = browser.get(f"{live_app.base}/vehicles", timeout=10).text
        token = csrf_token(html)
        browser.post(f"{live_app.base}/vehicles/{target.id}/lock", data={"csrf_token": token})
        assert emu.v3.deliveries.wait(10)
        snapshot = browser.get(f"{live_app.base}/live", timeout=10).json()
    state = snapshot["vehicles"][target.id]["state"]
    assert {item["code"]: item["text"] for item in state["signals"]}["closure-islocked"] == "Locked"
    delivered = [
        item for item in emu.v3.deliveries.log("VEHICLE_STATE") if item.state == "delivered"
    ]
    assert state["event_id"] == delivered[-1].event_id
    assert snapshot["count"] == len(delivered)


def test_subscribing_vehicles_when_the_webhook_does_not_auto_subscribe(
    emu: Emulator, live_app: LiveApp
) -> None:
    emu.reset()
    hook = add_webhook(emu, live_app, auto_subscribe=False)
    live_app.app.config["SMARTCAR_WEBHOOK_ID"] = hook.id
    try:
        with browse(live_app, "subscriber@example.com"):
            pass
    finally:
        live_app.app.config["SMARTCAR_WEBHOOK_ID"] = None
    subscribed = {item.vehicle_id for item in emu.v3.subscriptions(hook.id)}
    assert subscribed == {vehicle.id for vehicle in emu.vehicles("subscriber@example.com")}
