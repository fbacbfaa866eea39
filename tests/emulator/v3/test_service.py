"""The v3 service over werkzeug's test client: tokens, vehicles, signals, commands,
connections, users, webhooks and subscriptions, with their v3 error answers."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from smartcar.emulator.v3.service import rate_limited
from smartcar.emulator.v3.signals import CODES

from .conftest import CLIENT_ID, CLIENT_SECRET, OTHER_USER, USER, Harness, only_error

# ------------------------------------------------------------------ /oauth2/token


def test_token_from_a_form_lives_an_hour_without_refresh_token(v3: Harness) -> None:
    response = v3.token_response()
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    path = f"/v3/vehicles/{v3.of_kind('gas').id}"
    headers = v3.headers(None, body["access_token"])
    assert v3.client.get(path, headers=headers).status_code == 200
    v3.clock.advance(3599)
    assert v3.client.get(path, headers=headers).status_code == 200
    v3.clock.advance(1)
    expired = v3.client.get(path, headers=headers)
    assert expired.status_code == 401
    assert only_error(expired)["type"] == "AUTHENTICATION"


def test_token_from_a_json_body(v3: Harness) -> None:
    response = v3.client.post(
        "/oauth2/token",
        json={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert response.status_code == 200
    assert response.json["access_token"]


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "client_other"}, 401, "invalid_client"),
        ({"grant_type": ""}, 400, "invalid_request"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
def test_token_errors_are_oauth_bodies(
    v3: Harness, fields: Dict[str, str], status: int, error: str
) -> None:
    response = v3.token_response(**fields)
    assert response.status_code == status
    assert response.json["error"] == error
    assert "error_description" in response.json


def test_token_malformed_json_is_invalid_request(v3: Harness) -> None:
    response = v3.client.post("/oauth2/token", data="{", content_type="application/json")
    assert (response.status_code, response.json["error"]) == (400, "invalid_request")


def test_token_requests_are_counted(v3: Harness) -> None:
    before = v3.service.tokens.requests
    v3.token_response()
    v3.token_response(client_secret="wrong")
    assert v3.service.tokens.requests == before + 2
    assert v3.service.tokens.issued == 2  # the harness's own token and one more


def test_unknown_and_missing_bearer_tokens_are_401(v3: Harness) -> None:
    vehicle = v3.of_kind("gas")
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
        response = v3.client.get(f"/v3/vehicles/{vehicle.id}", headers=headers)
        assert response.status_code == 401
        assert only_error(response)["code"] == "UNAUTHORIZED"


# ------------------------------------------------------------------ vehicles and signals


def test_get_vehicle_is_wrapped_and_needs_no_user(v3: Harness) -> None:
    vehicle = v3.of_kind("electric")
    response = v3.get(f"/vehicles/{vehicle.id}", user=None)
    assert response.status_code == 200
    data = response.json["data"]
    assert (data["id"], data["type"]) == (vehicle.id, "vehicle")
    assert data["attributes"] == {
        "make": vehicle.make,
        "model": vehicle.model,
        "year": vehicle.year,
        "powertrainType": "BEV",
        "mode": "live",
    }


def test_signals_list_every_code_with_documented_meta(v3: Harness) -> None:
    vehicle = v3.of_kind("electric")
    response = v3.get(f"/vehicles/{vehicle.id}/signals")
    assert response.status_code == 200
    body = response.json
    assert [item["id"] for item in body["data"]] == list(CODES)
    # the live service's list (spec section 12 item 2)
    assert body["meta"] == {"totalCount": len(CODES), "pageSize": len(CODES), "pageNumber": 1}
    assert body["included"]["vehicle"]["id"] == vehicle.id
    assert body["links"] == {"self": f"http://localhost/v3/vehicles/{vehicle.id}/signals"}


def test_signal_bodies_follow_the_vehicle_state(v3: Harness) -> None:
    vehicle = v3.of_kind("electric")

    def body(code: str) -> Dict[str, Any]:
        response = v3.get(f"/vehicles/{vehicle.id}/signals/{code}")
        assert response.status_code == 200
        resource = response.json["data"]
        assert response.json["included"]["vehicle"]["id"] == vehicle.id
        assert resource["attributes"]["status"] == {"value": "SUCCESS"}
        return resource["attributes"]["body"]  # type: ignore[no-any-return]

    assert body("vehicleidentification-vin") == {"value": vehicle.vin}
    assert body("tractionbattery-stateofcharge") == {
        "value": round(vehicle.battery_percent * 100, 1),
        "unit": "percent",
    }
    assert body("odometer-traveleddistance")["value"] == round(vehicle.odometer_km, 1)
    tires = body("wheel-tires")
    assert (tires["rowCount"], tires["columnCount"], tires["unit"]) == (2, 2, "kPa")
    front_right = next(item for item in tires["values"] if (item["row"], item["column"]) == (0, 1))
    assert front_right["tirePressure"] == vehicle.tire_pressure_kpa["frontRight"]
    vehicle.locked = False
    assert body("closure-islocked") == {"value": False}
    assert all(door["isLocked"] is False for door in body("closure-doors")["values"])


def test_a_gas_car_battery_signal_is_a_compatibility_error(v3: Harness) -> None:
    response = v3.get(f"/vehicles/{v3.of_kind('gas').id}/signals/tractionbattery-stateofcharge")
    assert response.status_code == 200
    resource = response.json["data"]
    status = resource["attributes"]["status"]
    assert status["value"] == "ERROR"
    assert (status["error"]["type"], status["error"]["code"]) == (
        "COMPATIBILITY",
        "VEHICLE_NOT_CAPABLE",
    )
    # the live per-signal error entry and meta (spec section 12 items 3-4)
    assert set(status["error"]) == {"type", "code", "title", "detail", "resolution"}
    assert list(resource["meta"]) == ["ingestedAt"]
    assert "body" not in resource["attributes"]


@pytest.mark.parametrize(("form", "kind"), [("seconds", int), ("milliseconds", int), ("iso", str)])
def test_signal_times_in_each_form(v3: Harness, form: str, kind: type) -> None:
    v3.service.time_format = form
    vehicle = v3.of_kind("gas")
    document = v3.get(f"/vehicles/{vehicle.id}/signals/odometer-traveleddistance").json
    meta = document["data"]["meta"]
    assert isinstance(meta["retrievedAt"], kind)
    assert meta["ingestedAt"] == meta["retrievedAt"]
    if form == "milliseconds":
        assert meta["retrievedAt"] == round(v3.clock.now().timestamp() * 1000)
    if form == "seconds":
        lag = int(vehicle.data_lag_seconds)
        assert meta["retrievedAt"] - meta["oemUpdatedAt"] in (lag, lag + 1)


def test_unknown_signal_is_404_signal_not_found(v3: Harness) -> None:
    response = v3.get(f"/vehicles/{v3.of_kind('gas').id}/signals/vin")
    assert response.status_code == 404
    entry = only_error(response)
    assert (entry["type"], entry["code"]) == ("RESOURCE_NOT_FOUND", "SIGNAL_NOT_FOUND")


def test_missing_user_id_is_400_missing_parameter(v3: Harness) -> None:
    vehicle = v3.of_kind("gas")
    for response in (
        v3.get(f"/vehicles/{vehicle.id}/signals", user=None),
        v3.post(f"/vehicles/{vehicle.id}/commands/security/lock", user=None),
    ):
        assert response.status_code == 400
        entry = only_error(response)
        assert (entry["type"], entry["code"], entry["detail"]) == (
            "VALIDATION",
            "MISSING_PARAMETER",
            "missing userId",
        )
    assert vehicle.locked is not None  # nothing ran


def test_another_users_vehicle_is_refused(v3: Harness) -> None:
    vehicle = v3.of_kind("gas")
    locked = vehicle.locked
    response = v3.post(f"/vehicles/{vehicle.id}/commands/security/unlock", user=OTHER_USER)
    assert response.status_code == 403
    assert only_error(response)["type"] == "PERMISSION"
    assert vehicle.locked is locked
    assert v3.get(f"/vehicles/{vehicle.id}/signals", user=OTHER_USER).status_code == 403


def test_unknown_vehicle_is_404(v3: Harness) -> None:
    response = v3.get("/vehicles/no-such-car/signals")
    assert response.status_code == 404
    assert only_error(response)["type"] == "RESOURCE_NOT_FOUND"


def test_rate_limited_answer() -> None:
    error = rate_limited(3)
    assert (error.status, error.headers) == (429, {"Retry-After": "3"})
    assert (error.type, error.code) == ("RATE_LIMIT", "VEHICLE")


def test_unknown_route_is_a_v3_404(v3: Harness) -> None:
    response = v3.get("/nothing-here")
    assert response.status_code == 404
    assert only_error(response)["code"] == "PATH"


# ------------------------------------------------------------------ commands


def test_lock_and_unlock_change_the_vehicle(v3: Harness) -> None:
    vehicle = v3.of_kind("gas")
    response = v3.post(f"/vehicles/{vehicle.id}/commands/security/unlock")
    assert response.status_code == 200
    data = response.json["data"]
    assert data["type"] == "command-execution"
    assert data["attributes"]["commandType"] == "security-unlock"
    assert data["attributes"]["status"] == {"value": "SUCCESS"}
    assert data["attributes"]["executionMode"] == "sync"
    assert {"executedAt", "completedAt"} <= set(data["meta"])
    assert vehicle.locked is False
    assert v3.post(f"/vehicles/{vehicle.id}/commands/security/lock").status_code == 200
    assert vehicle.locked is True


def test_commands_may_answer_202(v3: Harness) -> None:
    v3.service.command_status = 202
    vehicle = v3.of_kind("gas")
    response = v3.post(f"/vehicles/{vehicle.id}/commands/security/lock")
    assert response.status_code == 202
    assert response.json["data"]["attributes"]["status"]["value"] == "SUCCESS"


def test_charging_commands(v3: Harness) -> None:
    vehicle = v3.of_kind("electric")
    vehicle.is_plugged_in, vehicle.charging, vehicle.battery_percent = True, False, 0.4
    assert v3.post(f"/vehicles/{vehicle.id}/commands/charge/start").status_code == 200
    assert vehicle.charging_state == "CHARGING"
    assert v3.post(f"/vehicles/{vehicle.id}/commands/charge/stop").status_code == 200
    assert vehicle.charging_state == "NOT_CHARGING"
    vehicle.is_plugged_in = False
    unplugged = v3.post(f"/vehicles/{vehicle.id}/commands/charge/start")
    assert unplugged.status_code == 409
    assert only_error(unplugged)["code"] == "CHARGING_PLUG_NOT_CONNECTED"
    gas = v3.post(f"/vehicles/{v3.of_kind('gas').id}/commands/charge/start")
    assert (gas.status_code, only_error(gas)["type"]) == (501, "COMPATIBILITY")


def test_set_charge_limit_range_and_state(v3: Harness) -> None:
    vehicle = v3.of_kind("electric")
    path = f"/vehicles/{vehicle.id}/commands/charge/set-limit"
    response = v3.post(path, {"data": {"attributes": {"percent": 80}}})
    assert response.status_code == 200
    assert response.json["data"]["attributes"]["parameters"] == {"percent": 80}
    assert vehicle.charge_limit == 0.8
    limits = v3.get(f"/vehicles/{vehicle.id}/signals/charge-chargelimits").json["data"]
    assert limits["attributes"]["body"]["activeLimit"] == 80
    for bad in (49, 101, "80", 80.5, None):
        refused = v3.post(path, {"data": {"attributes": {"percent": bad}}})
        assert refused.status_code == 400, bad
        assert only_error(refused)["code"] == "INVALID_INPUT_FORMAT"
    assert vehicle.charge_limit == 0.8


def test_set_destination_validates_each_coordinate(v3: Harness) -> None:
    vehicle = v3.of_kind("hybrid")
    path = f"/vehicles/{vehicle.id}/commands/navigation/set-destination"
    good = v3.post(path, {"data": {"attributes": {"latitude": 37.77, "longitude": -122.41}}})
    assert good.status_code == 200
    assert vehicle.destination == (37.77, -122.41)
    bad = v3.post(path, {"data": {"attributes": {"latitude": 91, "longitude": -181}}})
    assert bad.status_code == 400
    assert [entry["code"] for entry in bad.json["errors"]] == ["INVALID_INPUT_FORMAT"] * 2
    assert vehicle.destination == (37.77, -122.41)


def test_command_without_permission_is_403(v3: Harness) -> None:
    vehicle = v3.of_kind("gas")
    v3.service.registry.delete_user(USER)
    v3.service.registry.connect(USER, [vehicle.id], ["read_odometer"], v3.clock.now())
    response = v3.post(f"/vehicles/{vehicle.id}/commands/security/unlock")
    assert (response.status_code, only_error(response)["type"]) == (403, "PERMISSION")
    vin = v3.get(f"/vehicles/{vehicle.id}/signals/vehicleidentification-vin").json["data"]
    error = vin["attributes"]["status"]["error"]
    assert (error["type"], error["code"]) == ("PERMISSION", "UNKNOWN")  # as REST writes it


def test_unknown_command_is_404(v3: Harness) -> None:
    response = v3.post(f"/vehicles/{v3.of_kind('gas').id}/commands/climate/start")
    assert response.status_code == 404


# ------------------------------------------------------------------ connections and users


def _connect_many(v3: Harness, count: int) -> None:
    from smartcar.emulator.fleet import build_vehicle

    now = v3.clock.now()
    for index in range(count):
        vehicle = build_vehicle(0, "fleet@example.com", 100 + index, now)
        v3.vehicles[vehicle.id] = vehicle
        v3.clock.advance(1)
        v3.service.registry.connect(OTHER_USER, [vehicle.id], ["read_odometer"], v3.clock.now())


def test_connections_paginate_newest_first(v3: Harness) -> None:
    _connect_many(v3, 22)  # + the harness's 3 = 25: pages of 10, 10, 5
    first = v3.get("/connections", user=None).json
    assert first["meta"]["totalCount"] == 25
    assert (first["meta"]["pageNumber"], first["meta"]["pageSize"]) == (1, 10)
    assert first["links"]["prev"] is None and first["links"]["next"]
    seen = []
    url = first["links"]["self"]
    while url:
        page = v3.client.get(url, headers=v3.headers(None)).json
        seen.extend(item["id"] for item in page["data"])
        url = page["links"]["next"]
    assert len(seen) == len(set(seen)) == 25
    created = [v3.service.registry.connection(item).created_at for item in seen]  # type: ignore[union-attr]
    assert created == sorted(created, reverse=True)


def test_connection_resource_and_filters(v3: Harness) -> None:
    _connect_many(v3, 2)
    vehicle = v3.of_kind("electric")
    body = v3.get(f"/connections?filter[vehicleId]={vehicle.id}", user=None).json
    assert body["meta"]["totalCount"] == 1
    item = body["data"][0]
    assert item["type"] == "connection"
    assert item["relationships"]["user"]["data"] == {"id": USER, "type": "user"}
    assert item["relationships"]["vehicle"]["data"] == {"id": vehicle.id, "type": "vehicle"}
    assert item["attributes"]["vehicle"]["powertrainType"] == "BEV"
    assert {"createdAt", "updatedAt"} <= set(item["meta"])
    by_user = v3.get(f"/connections?filter[userId]={OTHER_USER}", user=None).json
    assert by_user["meta"]["totalCount"] == 2
    simulated = v3.get("/connections?filter[vehicle.mode]=simulated", user=None).json
    assert simulated["meta"]["totalCount"] == 0
    one = v3.get(f"/connections/{item['id']}", user=None).json
    assert one["data"]["id"] == item["id"]


def test_connections_by_external_id(v3: Harness) -> None:
    v3.service.registry.set_external_id(USER, "crm-42")
    body = v3.get("/connections?filter[user.externalId]=crm-42", user=None).json
    assert body["meta"]["totalCount"] == 3
    assert body["data"][0]["attributes"]["user"]["externalId"] == "crm-42"


@pytest.mark.parametrize("query", ["page[size]=101", "page[size]=0", "page[number]=x"])
def test_bad_paging_is_400(v3: Harness, query: str) -> None:
    response = v3.get(f"/connections?{query}", user=None)
    assert response.status_code == 400
    assert only_error(response)["type"] == "VALIDATION"


def test_delete_connection_and_user(v3: Harness) -> None:
    vehicle = v3.of_kind("gas")
    connection = v3.service.registry.find(USER, vehicle.id)
    assert connection is not None
    assert v3.delete(f"/connections/{connection.id}").status_code == 204
    assert v3.get(f"/connections/{connection.id}", user=None).status_code == 404
    assert v3.get(f"/vehicles/{vehicle.id}/signals").status_code == 404
    assert v3.delete(f"/users/{USER}").status_code == 204
    assert v3.get("/connections", user=None).json["meta"]["totalCount"] == 0
    assert v3.delete(f"/users/{USER}").status_code == 404


# ------------------------------------------------------------------ webhooks, subscriptions


def test_webhooks_list_filter_and_get(v3: Harness) -> None:
    hook = v3.service.add_webhook(
        "Battery Monitor",
        "http://127.0.0.1:9/hook",
        triggers=["tractionbattery-stateofcharge"],
        data=["tractionbattery-stateofcharge", "odometer-traveleddistance"],
    )
    v3.service.add_webhook("Other", "http://127.0.0.1:9/other", is_enabled=False)
    listed = v3.get("/webhooks", user=None).json
    assert listed["meta"]["totalCount"] == 2
    found = v3.get("/webhooks?filter[name]=battery", user=None).json["data"]
    assert [item["id"] for item in found] == [hook.id]
    disabled = v3.get("/webhooks?filter[isEnabled]=false", user=None).json["data"]
    assert [item["attributes"]["name"] for item in disabled] == ["Other"]
    one = v3.get(f"/webhooks/{hook.id}", user=None).json["data"]
    assert one["attributes"]["triggers"] == [
        {
            "group": "TractionBattery",
            "name": "StateOfCharge",
            "code": "tractionbattery-stateofcharge",
        },
    ]
    assert one["attributes"]["callbackUri"] == "http://127.0.0.1:9/hook"
    assert v3.get("/webhooks/nope", user=None).status_code == 404


def test_subscribe_lifecycle(v3: Harness) -> None:
    hook = v3.service.add_webhook("Hook", "http://127.0.0.1:9/hook")
    vehicle = v3.of_kind("electric")
    body = {"data": {"attributes": {"webhookId": hook.id, "userId": USER, "vehicleId": vehicle.id}}}
    created = v3.post("/subscriptions", body, user=None)
    assert created.status_code == 202
    assert created.json == {"meta": {"message": "subscription creation in progress"}}
    duplicate = v3.post("/subscriptions", body, user=None)
    assert duplicate.status_code == 409
    listed = v3.get(f"/subscriptions?filter[vehicleId]={vehicle.id}", user=None).json
    assert listed["meta"]["totalCount"] == 1
    item = listed["data"][0]
    assert item["relationships"]["webhook"]["data"] == {"type": "webhook", "id": hook.id}
    assert item["attributes"]["vehicle"]["make"] == vehicle.make
    assert v3.get(f"/subscriptions/{item['id']}", user=None).json["data"]["id"] == item["id"]
    assert v3.delete(f"/subscriptions/{item['id']}").status_code == 204
    assert v3.get(f"/subscriptions/{item['id']}", user=None).status_code == 404


def test_subscribe_errors(v3: Harness) -> None:
    hook = v3.service.add_webhook("Hook", "http://127.0.0.1:9/hook")
    vehicle = v3.of_kind("gas")
    missing = v3.post("/subscriptions", {"data": {"attributes": {"webhookId": hook.id}}}, None)
    assert missing.status_code == 400
    assert [entry["code"] for entry in missing.json["errors"]] == ["MISSING_PARAMETER"] * 2
    attrs = {"webhookId": "nope", "userId": USER, "vehicleId": vehicle.id}
    assert v3.post("/subscriptions", {"data": {"attributes": attrs}}, None).status_code == 404
    attrs = {"webhookId": hook.id, "userId": OTHER_USER, "vehicleId": vehicle.id}
    assert v3.post("/subscriptions", {"data": {"attributes": attrs}}, None).status_code == 404


def test_auto_subscribe_covers_existing_and_new_connections(v3: Harness) -> None:
    v3.service.add_webhook("All", "http://127.0.0.1:9/all", auto_subscribe=True)
    assert v3.get("/subscriptions", user=None).json["meta"]["totalCount"] == 3
    _connect_many(v3, 1)
    assert v3.get("/subscriptions", user=None).json["meta"]["totalCount"] == 4


def test_add_webhook_rejects_unknown_codes(v3: Harness) -> None:
    with pytest.raises(ValueError, match="unknown signal"):
        v3.service.add_webhook("Bad", "http://127.0.0.1:9/x", triggers=["nope"])


def test_app_tokens_never_show_in_a_repr(v3: Harness) -> None:
    token = v3.service.tokens.issue()
    assert token.token not in repr(token)
    assert v3.token not in repr(v3.service.tokens)
