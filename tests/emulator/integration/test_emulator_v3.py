"""The emulator's v3 surfaces over loopback HTTP with plain ``requests``: application
tokens, Connect for a v3 app, signals and commands on the same state as v1.0, connections
and their pages, users, management webhooks/subscriptions, faults, rate limits, latency."""

from __future__ import annotations

import threading
import time
from typing import Any, Dict, List, Optional

import pytest
import requests
from emu_support import query_of

from smartcar.emulator import Emulator, connect


class V3:
    """Raw v3 HTTP against the emulator with one application token."""

    def __init__(self, emu: Emulator, http: requests.Session) -> None:
        self.emu = emu
        self.http = http
        self.token = ""
        self.renew()

    def renew(self) -> None:
        """A fresh application token (after moving the clock past an hour)."""
        self.token = self.token_response().json()["access_token"]

    def token_response(self, **fields: str) -> requests.Response:
        body = {
            "grant_type": "client_credentials",
            "client_id": self.emu.client_id,
            "client_secret": self.emu.client_secret,
        }
        body.update(fields)
        return self.http.post(self.emu.origin + "/oauth2/token", data=body, timeout=10)

    def headers(self, user_id: Optional[str]) -> Dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if user_id is not None:
            headers["sc-user-id"] = user_id
        return headers

    def get(self, path: str, user_id: Optional[str] = None, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else self.emu.origin + "/v3" + path
        return self.http.get(url, headers=self.headers(user_id), timeout=10, **kwargs)

    def post(self, path: str, body: Any = None, user_id: Optional[str] = None) -> requests.Response:
        return self.http.post(
            self.emu.origin + "/v3" + path, json=body, headers=self.headers(user_id), timeout=10
        )

    def delete(self, path: str) -> requests.Response:
        return self.http.delete(self.emu.origin + "/v3" + path, headers=self.headers(None))


@pytest.fixture
def v3(emu: Emulator, http: requests.Session) -> V3:
    return V3(emu, http)


@pytest.fixture
def user_id(emu: Emulator) -> str:
    """The default user, with every vehicle of their garage connected (all permissions)."""
    return emu.v3.connect()


def _error(response: requests.Response) -> Dict[str, Any]:
    errors: List[Dict[str, Any]] = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]


# ------------------------------------------------------------------ token and Connect


def test_token_request_counter_and_errors(emu: Emulator, v3: V3) -> None:
    assert emu.v3.token_requests == 1
    bad = v3.token_response(client_secret="wrong")
    assert (bad.status_code, bad.json()["error"]) == (401, "invalid_client")
    malformed = v3.token_response(grant_type="")
    assert (malformed.status_code, malformed.json()["error"]) == (400, "invalid_request")
    as_json = v3.http.post(
        emu.origin + "/oauth2/token",
        json={"grant_type": "client_credentials", "client_id": emu.client_id,
              "client_secret": emu.client_secret},
        timeout=10,
    )  # fmt: skip
    assert as_json.json()["expires_in"] == 3600
    assert "refresh_token" not in as_json.json()
    assert emu.v3.token_requests == 4


def test_app_token_expires_after_an_hour_on_the_emulator_clock(
    emu: Emulator, v3: V3, user_id: str
) -> None:
    vehicle = emu.vehicles()[0]
    assert v3.get(f"/vehicles/{vehicle.id}").status_code == 200
    emu.clock.advance(3600)
    expired = v3.get(f"/vehicles/{vehicle.id}")
    assert expired.status_code == 401
    assert _error(expired)["type"] == "AUTHENTICATION"


def test_connect_a_v3_user_with_the_application_id(emu: Emulator, v3: V3) -> None:
    url = emu.auth_url_for(client_id=emu.application_id, state="s1", external_id="crm-7")
    redirect = query_of(connect(url))
    assert redirect["state"] == "s1"
    assert redirect["external_id"] == "crm-7"
    assert redirect["user_id"] == emu.user_id()
    assert redirect["code"]
    listed = v3.get("/connections", params={"filter[userId]": redirect["user_id"]}).json()
    assert listed["meta"]["totalCount"] == len(emu.vehicles())
    by_external = v3.get("/connections", params={"filter[user.externalId]": "crm-7"}).json()
    assert by_external["meta"]["totalCount"] == len(emu.vehicles())


def test_connect_response_type_none_has_no_code(emu: Emulator) -> None:
    url = emu.auth_url_for(client_id=emu.application_id, response_type="none")
    redirect = query_of(connect(url))
    assert "code" not in redirect
    assert redirect["user_id"] == emu.user_id()


def test_a_v2_connect_also_lists_the_connections(emu: Emulator, v3: V3) -> None:
    connect(emu.auth_url_for())  # the v2 Connect flow (client_id = the OAuth client id)
    listed = v3.get("/connections").json()
    assert {item["attributes"]["user"]["id"] for item in listed["data"]} == {emu.user_id()}


# ------------------------------------------------------------------ signals and commands


def test_signals_and_seed_codes(emu: Emulator, v3: V3, user_id: str) -> None:
    vehicle = next(item for item in emu.vehicles() if item.kind == "electric")
    body = v3.get(f"/vehicles/{vehicle.id}/signals", user_id).json()
    codes = {item["attributes"]["code"] for item in body["data"]}
    assert {"tractionbattery-stateofcharge", "closure-islocked", "wheel-tires",
            "location-preciselocation", "vehicleidentification-vin"} <= codes  # fmt: skip
    vin_path = f"/vehicles/{vehicle.id}/signals/vehicleidentification-vin"
    vin = v3.get(vin_path, user_id).json()["data"]
    assert vin["attributes"]["body"] == {"value": vehicle.vin}
    missing = v3.get(f"/vehicles/{vehicle.id}/signals/nope", user_id)
    assert (missing.status_code, _error(missing)["code"]) == (404, "SIGNAL_NOT_FOUND")
    no_user = v3.get(f"/vehicles/{vehicle.id}/signals")
    assert (no_user.status_code, _error(no_user)["code"]) == (400, "MISSING_PARAMETER")
    stranger = v3.get(f"/vehicles/{vehicle.id}/signals", emu.user_id("someone@example.com"))
    assert stranger.status_code == 403


def test_lock_via_v3_reads_via_v1_and_back(emu: Emulator, v3: V3, user_id: str) -> None:
    vehicle = emu.vehicles()[0]
    access = emu.issue_tokens()["access_token"]
    v1 = f"{emu.origin}/v1.0/vehicles/{vehicle.id}/security"
    unlock = v3.post(f"/vehicles/{vehicle.id}/commands/security/unlock", user_id=user_id)
    assert unlock.status_code == 200
    assert unlock.json()["data"]["attributes"]["status"]["value"] == "SUCCESS"
    assert emu.vehicle(vehicle.id).locked is False
    v3.http.post(v1, json={"action": "LOCK"}, headers={"Authorization": f"Bearer {access}"})
    locked = v3.get(f"/vehicles/{vehicle.id}/signals/closure-islocked", user_id).json()["data"]
    assert locked["attributes"]["body"] == {"value": True}


def test_charge_commands_and_limit(emu: Emulator, v3: V3, user_id: str) -> None:
    vehicle = next(item for item in emu.vehicles() if item.kind == "electric")
    vehicle.is_plugged_in, vehicle.charging, vehicle.battery_percent = True, False, 0.3
    base = f"/vehicles/{vehicle.id}/commands/charge"
    assert v3.post(f"{base}/start", user_id=user_id).status_code == 200
    status = v3.get(f"/vehicles/{vehicle.id}/signals/charge-detailedchargingstatus", user_id)
    assert status.json()["data"]["attributes"]["body"] == {"value": "CHARGING"}
    limit = v3.post(f"{base}/set-limit", {"data": {"attributes": {"percent": 50}}}, user_id)
    assert limit.status_code == 200
    emu.clock.advance(4 * 3600)
    v3.renew()
    reached = v3.get(f"/vehicles/{vehicle.id}/signals/tractionbattery-stateofcharge", user_id)
    assert reached.json()["data"]["attributes"]["body"]["value"] == 50.0
    refused = v3.post(f"{base}/set-limit", {"data": {"attributes": {"percent": 101}}}, user_id)
    assert (refused.status_code, _error(refused)["type"]) == (400, "VALIDATION")
    destination = v3.post(
        f"/vehicles/{vehicle.id}/commands/navigation/set-destination",
        {"data": {"attributes": {"latitude": 45.5, "longitude": -73.6}}},
        user_id,
    )
    assert destination.status_code == 200
    assert emu.vehicle(vehicle.id).destination == (45.5, -73.6)


# ------------------------------------------------------------------ connections, users


def test_connections_over_three_pages(emu: Emulator, v3: V3) -> None:
    emu.v3.add_vehicles(25, user="fleet@example.com")
    page = v3.get("/connections").json()
    assert page["meta"]["totalCount"] == 25
    ids: List[str] = []
    pages = 0
    url: Optional[str] = page["links"]["self"]
    while url:
        page = v3.get(url).json()
        ids.extend(item["id"] for item in page["data"])
        url = page["links"]["next"]
        pages += 1
    assert pages == 3
    assert len(set(ids)) == 25


def test_a_big_fleet_is_cheap(emu: Emulator, v3: V3) -> None:
    started = time.perf_counter()
    vehicles = emu.v3.add_vehicles(2000)
    assert time.perf_counter() - started < 5
    assert len({vehicle.id for vehicle in vehicles}) == 2000
    page = v3.get("/connections", params={"page[size]": "100", "page[number]": "20"}).json()
    assert (page["meta"]["totalCount"], len(page["data"])) == (2000, 100)
    assert page["links"]["next"] is None


def test_delete_connection_then_user(emu: Emulator, v3: V3, user_id: str) -> None:
    connections = v3.get("/connections", params={"filter[userId]": user_id}).json()["data"]
    first = connections[0]
    vehicle_id = first["relationships"]["vehicle"]["data"]["id"]
    assert v3.delete(f"/connections/{first['id']}").status_code == 204
    assert v3.get(f"/vehicles/{vehicle_id}/signals", user_id).status_code == 404
    assert v3.delete(f"/users/{user_id}").status_code == 204
    assert v3.get("/connections").json()["meta"]["totalCount"] == 0


# ------------------------------------------------------------------ management


def test_webhooks_and_subscriptions(emu: Emulator, v3: V3, user_id: str) -> None:
    hook = emu.v3.add_webhook(
        "Charging", "http://127.0.0.1:9/hook", triggers=["charge-ischarging"], verify=False
    )
    listed = v3.get("/webhooks").json()
    assert [item["id"] for item in listed["data"]] == [hook.id]
    vehicle = emu.vehicles()[0]
    body = {"data": {"attributes": {"webhookId": hook.id, "userId": user_id,
                                    "vehicleId": vehicle.id}}}  # fmt: skip
    assert v3.post("/subscriptions", body).status_code == 202
    assert v3.post("/subscriptions", body).status_code == 409
    subs = v3.get("/subscriptions", params={"filter[webhookId]": hook.id}).json()
    assert subs["meta"]["totalCount"] == 1
    assert v3.delete(f"/subscriptions/{subs['data'][0]['id']}").status_code == 204


# ------------------------------------------------------------------ faults, limits, latency


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(401, "AUTHENTICATION"), (409, "VEHICLE_STATE"), (429, "RATE_LIMIT"), (430, "BILLING"),
     (500, "SERVER"), (501, "COMPATIBILITY"), (502, "UPSTREAM"), (504, "UPSTREAM")],
)  # fmt: skip
def test_faults_on_v3_paths_answer_v3_bodies(
    emu: Emulator, v3: V3, user_id: str, status: int, error_type: str
) -> None:
    vehicle = emu.vehicles()[0]
    emu.faults.add("/v3/vehicles/*/signals", status=status)
    response = v3.get(f"/vehicles/{vehicle.id}/signals", user_id)
    assert response.status_code == status
    entry = _error(response)
    assert (entry["status"], entry["type"]) == (str(status), error_type)


def test_token_endpoint_faults_answer_oauth_bodies(emu: Emulator, v3: V3) -> None:
    emu.faults.add("/oauth2/token", status=401)
    response = v3.token_response()
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_per_vehicle_rate_limit(emu: Emulator, v3: V3, user_id: str) -> None:
    vehicle = emu.vehicles()[0]
    emu.rate_limit(vehicle.id, 1)
    emu.clock.freeze()
    assert v3.get(f"/vehicles/{vehicle.id}/signals", user_id).status_code == 200
    limited = v3.get(f"/vehicles/{vehicle.id}/signals", user_id)
    assert limited.status_code == 429
    assert (_error(limited)["type"], _error(limited)["code"]) == ("RATE_LIMIT", "VEHICLE")
    assert int(limited.headers["Retry-After"]) >= 1


def test_fixed_latency_does_not_serialise_requests(emu: Emulator, user_id: str) -> None:
    emu.latency = 0.2
    vehicle = emu.vehicles()[0]
    token = V3(emu, requests.Session()).token
    results: List[int] = []

    def read() -> None:
        with requests.Session() as http:
            response = http.get(
                f"{emu.origin}/v3/vehicles/{vehicle.id}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
            results.append(response.status_code)

    threads = [threading.Thread(target=read) for _ in range(10)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    assert results == [200] * 10
    assert 0.2 <= elapsed < 1.5  # ten 0.2 s requests at once, not one after another
