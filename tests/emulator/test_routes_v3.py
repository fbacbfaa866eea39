"""The v3 surfaces inside the assembled app (werkzeug's test client): Connect for v3 apps,
connections that follow grants, OAuth-shaped faults on /oauth2/token, latency, reset."""

from __future__ import annotations

import re
import time
from typing import Dict
from urllib.parse import parse_qs, urlsplit

from werkzeug.test import Client

from smartcar.emulator.app import EmulatorApp


def _app_token(client: Client, app: EmulatorApp) -> Dict[str, str]:
    response = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": app.client_id,
              "client_secret": app.client_secret},
    )  # fmt: skip
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def _connect(client: Client, query: str) -> Dict[str, str]:
    """Sign in (and approve when asked); the redirect's query."""
    page = client.get(f"/oauth/authorize?{query}&make=TESLA")
    sid = page.get_data(as_text=True).split('name="sid" value="')[1].split('"')[0]
    grant = client.post(
        "/oauth/authorize/login", data={"sid": sid, "email": "v3@example.com", "password": "x"}
    )
    done = grant  # a returning user who approved before skips the permission page
    if grant.status_code == 200:
        vehicle = re.findall(r'name="vehicle" id="vehicle-\d+" value="([^"]+)"', grant.text)[0]
        done = client.post(
            "/oauth/authorize/grant", data={"sid": sid, "vehicle": vehicle, "decision": "approve"}
        )
    assert done.status_code == 302, done.get_data(as_text=True)
    return {key: values[0] for key, values in parse_qs(urlsplit(done.location).query).items()}


def test_v3_connect_redirect_and_connection(app: EmulatorApp, client: Client) -> None:
    redirect = _connect(client, f"client_id={app.application_id}&state=st&external_id=crm-1")
    assert redirect["user_id"] == app.user_id("v3@example.com")
    assert (redirect["state"], redirect["external_id"]) == ("st", "crm-1")
    assert "code" in redirect
    headers = _app_token(client, app)
    listed = client.get("/v3/connections?filter[user.externalId]=crm-1", headers=headers).json
    assert listed["meta"]["totalCount"] == 1
    assert listed["data"][0]["attributes"]["user"]["id"] == redirect["user_id"]


def test_v3_connect_without_code_or_redirect_uri(app: EmulatorApp, client: Client) -> None:
    redirect = _connect(client, f"application_id={app.application_id}&response_type=none")
    assert "code" not in redirect
    assert redirect["user_id"]
    refused = client.get(f"/oauth/authorize?client_id={app.client_id}&response_type=none")
    assert refused.status_code == 400  # a v2 app still needs response_type=code


def test_external_id_null_clears_it(app: EmulatorApp, client: Client) -> None:
    _connect(client, f"client_id={app.application_id}&external_id=crm-1")
    redirect = _connect(client, f"client_id={app.application_id}&external_id=null")
    assert "external_id" not in redirect
    assert app.v3.service.registry.external_id(redirect["user_id"]) is None


def test_minted_tokens_connect_and_deleting_the_connection_revokes_them(
    app: EmulatorApp, client: Client
) -> None:
    tokens = app.issue_tokens()
    headers = _app_token(client, app)
    listed = client.get(f"/v3/connections?filter[userId]={app.user_id()}", headers=headers).json
    assert listed["meta"]["totalCount"] == len(app.vehicles())
    connection = listed["data"][0]
    vehicle_id = connection["relationships"]["vehicle"]["data"]["id"]
    v1 = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get(f"/v1.0/vehicles/{vehicle_id}/odometer", headers=v1).status_code == 200
    assert client.delete(f"/v3/connections/{connection['id']}", headers=headers).status_code == 204
    assert client.get(f"/v1.0/vehicles/{vehicle_id}/odometer", headers=v1).status_code == 401


def test_a_v1_disconnect_removes_the_v3_connection_and_the_management_row(
    app: EmulatorApp, client: Client
) -> None:
    tokens = app.issue_tokens()
    v1 = {"Authorization": f"Bearer {tokens['access_token']}"}
    vehicle_id = client.get("/v1.0/vehicles", headers=v1).json["vehicles"][0]
    deleted = client.delete(f"/v1.0/vehicles/{vehicle_id}/application", headers=v1)
    assert deleted.status_code == 200
    assert vehicle_id not in client.get("/v1.0/vehicles", headers=v1).json["vehicles"]
    headers = _app_token(client, app)
    listed = client.get(f"/v3/connections?filter[vehicleId]={vehicle_id}", headers=headers)
    assert listed.json["data"] == []
    management = [item.vehicle_id for item in app.state.connections()]
    assert vehicle_id not in management


def test_reset_keeps_the_connections_of_kept_tokens(app: EmulatorApp, client: Client) -> None:
    app.issue_tokens()
    app.v3.add_vehicles(3)
    app.reset(keep_tokens=True)
    assert len(app.v3.connections()) == len(app.vehicles())
    app.reset()
    assert app.v3.connections() == []


def test_token_faults_are_oauth_and_v3_faults_are_v3(app: EmulatorApp, client: Client) -> None:
    app.faults.add("*", status=401, count=2)
    token = client.post("/oauth2/token", data={"grant_type": "client_credentials"})
    assert token.json["error"] == "invalid_client"
    v3 = client.get("/v3/connections")
    assert v3.json["errors"][0]["type"] == "AUTHENTICATION"


def test_requests_to_v3_vehicles_are_logged_with_their_vehicle(
    app: EmulatorApp, client: Client
) -> None:
    headers = _app_token(client, app)
    client.get("/v3/vehicles/abc/signals", headers=headers)
    record = app.requests("/v3/vehicles/*")[-1]
    assert (record.vehicle_id, record.status) == ("abc", 400)


def test_latency_applies_to_every_request(app: EmulatorApp, client: Client) -> None:
    app.latency = 0.05
    started = time.perf_counter()
    client.get("/v3/connections")
    assert time.perf_counter() - started >= 0.05
    app.reset()
    assert app.latency == 0.0


def test_admin_webhooks_deliveries_fleet_and_latency(app: EmulatorApp, client: Client) -> None:
    created = client.post(
        "/_emulator/webhooks",
        json={"name": "W", "callback_uri": "http://127.0.0.1:9/w",
              "triggers": ["closure-islocked"], "verify": False},
    )  # fmt: skip
    assert created.status_code == 201
    assert created.json["is_enabled"] is True
    assert created.json["data"] == ["closure-islocked"]  # data defaults to the triggers
    listed = client.get("/_emulator/webhooks").json["webhooks"]
    assert [item["id"] for item in listed] == [created.json["id"]]
    bad = client.post("/_emulator/webhooks", json={"name": "W", "callback_uri": "x", "oops": 1})
    assert bad.status_code == 400
    reverify = client.post(f"/_emulator/webhooks/{created.json['id']}", json={})
    assert reverify.json["is_enabled"] is False  # nothing listens on port 9
    assert client.post("/_emulator/webhooks/nope", json={}).status_code == 404
    deliveries = client.get("/_emulator/deliveries").json["deliveries"]
    assert [item["event_type"] for item in deliveries] == ["VERIFY"]
    fleet = client.post("/_emulator/v3/vehicles", json={"count": 3}).json
    assert len(fleet["vehicle_ids"]) == 3 and fleet["user_id"] == app.v3.user_id()
    connected = client.post("/_emulator/v3/connect", json={"external_id": "e"}).json
    assert connected["user_id"] == app.user_id()
    assert client.post("/_emulator/latency", json={"seconds": 0.01}).json == {"seconds": 0.01}
    assert app.latency == 0.01
    assert client.post("/_emulator/latency", json={"seconds": -1}).status_code == 400
    app.close()


def test_v2_subscribe_and_disconnect_reach_v3(app: EmulatorApp, client: Client) -> None:
    tokens = app.issue_tokens()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    hook = app.v3.add_webhook("V2", "http://127.0.0.1:9/v2", verify=False)
    vehicle_id = app.vehicles()[0].id
    subscribed = client.post(f"/v2.0/vehicles/{vehicle_id}/webhooks/{hook.id}", headers=bearer)
    assert subscribed.status_code == 200
    assert [item.vehicle_id for item in app.v3.subscriptions(hook.id)] == [vehicle_id]
    amt = {"Authorization": f"Bearer {app.management_token}"}
    gone = client.delete(f"/v2.0/vehicles/{vehicle_id}/webhooks/{hook.id}", headers=amt)
    assert gone.status_code == 200
    assert app.v3.subscriptions(hook.id) == []
    assert (
        client.delete(f"/v1.0/vehicles/{vehicle_id}/application", headers=bearer).status_code == 200
    )
    assert vehicle_id not in {item.vehicle_id for item in app.v3.connections()}
    app.close()
