"""``Vehicle.request()`` / ``Client.request()``: any v3 endpoint, with the application token,
``sc-user-id`` for a vehicle, the same errors, and repeats only for reads."""

from __future__ import annotations

from typing import Any, Callable, List

import pytest
import responses

import smartcar
from smartcar.v3 import Client, Vehicle

from .support import MANAGEMENT, USER_ID, VEHICLE_ID, VEHICLES, calls_to, json_of, v3_error

BASE = f"{VEHICLES}/vehicles/{VEHICLE_ID}"


@pytest.fixture
def vehicle(client: Client, token_requests: List[str]) -> Vehicle:
    return client.vehicle(VEHICLE_ID, USER_ID)


def test_vehicle_request_exact_get(vehicle: Vehicle, mocked: responses.RequestsMock) -> None:
    url = f"{BASE}/signals/charge-voltage"
    mocked.add(
        responses.GET,
        f"{url}?filter%5Bx%5D=1&flag=true&many=a&many=b",
        json={"data": {"id": "charge-voltage"}},
        headers={"sc-request-id": "raw-1"},
        match=[
            responses.matchers.query_param_matcher(
                {"filter[x]": "1", "flag": "true", "many": ["a", "b"]}
            )
        ],
    )
    answer = vehicle.request(
        "get",
        "/signals/charge-voltage",
        params={"filter[x]": 1, "flag": True, "many": ["a", "b"]},
        headers={"X-Trace": "t-1"},
    )
    assert (answer.status_code, answer.body, answer.request_id) == (
        200,
        {"data": {"id": "charge-voltage"}},
        "raw-1",
    )
    (call,) = calls_to(mocked, BASE)
    assert call.request.method == "GET"
    assert call.request.headers["Authorization"] == "Bearer app-token-1"
    assert call.request.headers["sc-user-id"] == USER_ID
    assert call.request.headers["X-Trace"] == "t-1"
    assert call.request.body is None


def test_vehicle_request_exact_post_with_body(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    url = f"{BASE}/commands/climate/start"
    mocked.add(responses.POST, url, status=202, json={"data": {"id": "exec_1"}})
    answer = vehicle.request("POST", "commands/climate/start", body={"data": {"attributes": {}}})
    assert answer.status_code == 202
    (call,) = calls_to(mocked, BASE)
    assert call.request.url == url
    assert call.request.headers["Content-Type"] == "application/json"
    assert json_of(call) == {"data": {"attributes": {}}}


def test_vehicle_request_on_the_vehicle_itself(
    vehicle: Vehicle, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, BASE, json={"data": {"id": VEHICLE_ID}})
    assert vehicle.request("GET", "").body == {"data": {"id": VEHICLE_ID}}


def test_client_request_on_the_vehicle_and_management_apis(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    mocked.add(responses.GET, f"{VEHICLES}/connections", json={"data": []})
    mocked.add(responses.DELETE, f"{MANAGEMENT}/webhooks/wh_1", status=204)
    assert client.request("GET", "connections", headers={"sc-user-id": USER_ID}).body == {
        "data": []
    }
    assert client.request("DELETE", f"{MANAGEMENT}/webhooks/wh_1").status_code == 204
    first, second = [c for c in mocked.calls if "token" not in c.request.url]
    assert first.request.headers["sc-user-id"] == USER_ID
    assert first.request.headers["Authorization"] == "Bearer app-token-1"
    assert "sc-user-id" not in second.request.headers
    assert second.request.method == "DELETE"


@pytest.mark.parametrize("status", [429, 502, 503])
def test_a_write_is_never_repeated(
    vehicle: Vehicle, mocked: responses.RequestsMock, status: int
) -> None:
    url = f"{BASE}/commands/thing/do"
    mocked.add(responses.POST, url, status=status, json=v3_error(status, "UPSTREAM", "X", "no"))
    with pytest.raises(smartcar.SmartcarException):
        vehicle.request("POST", "commands/thing/do")
    assert len(calls_to(mocked, url)) == 1


def test_a_read_is_repeated_after_a_503(vehicle: Vehicle, mocked: responses.RequestsMock) -> None:
    url = f"{BASE}/signals"
    mocked.add(responses.GET, url, status=503, json=v3_error(503, "SERVER", "INTERNAL", "busy"))
    mocked.add(responses.GET, url, json={"data": []})
    assert vehicle.request("GET", "signals").body == {"data": []}
    assert len(calls_to(mocked, url)) == 2


def test_a_401_refusing_the_token_gets_a_fresh_one(
    vehicle: Vehicle, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    url = f"{BASE}/commands/thing/do"
    refused = v3_error(401, "AUTHENTICATION", "UNAUTHORIZED", "The token is invalid.")
    mocked.add(responses.POST, url, status=401, json=refused)
    mocked.add(responses.POST, url, json={"ok": True})
    assert vehicle.request("POST", "commands/thing/do").body == {"ok": True}
    auths = [c.request.headers["Authorization"] for c in calls_to(mocked, url)]
    assert auths == ["Bearer app-token-1", "Bearer app-token-2"]


def test_errors_are_the_usual_exceptions(vehicle: Vehicle, mocked: responses.RequestsMock) -> None:
    mocked.add(
        responses.GET,
        f"{BASE}/signals/x",
        status=404,
        json=v3_error(404, "RESOURCE_NOT_FOUND", "SIGNAL_NOT_FOUND", "Signal with code x"),
    )
    with pytest.raises(smartcar.ResourceNotFoundException) as caught:
        vehicle.request("GET", "signals/x")
    assert caught.value.code == "SIGNAL_NOT_FOUND"
    assert "app-token" not in str(caught.value)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda t: t.request("TRACE", "signals"), ValueError, "method"),
        (lambda t: t.request(None, "signals"), ValueError, "method"),
        (lambda t: t.request("GET", "signals?page=2"), ValueError, "params"),
        (lambda t: t.request("GET", "signals/../../users"), ValueError, r"\.\."),
        (lambda t: t.request("GET", "sig nals"), ValueError, "path"),
        (lambda t: t.request("GET", "signals/é"), ValueError, "path"),
        (lambda t: t.request("GET", 3), ValueError, "path"),
        (
            lambda t: t.request("GET", "s", headers={"Authorization": "Bearer x"}),
            ValueError,
            "Authorization",
        ),
        (
            lambda t: t.request("GET", "s", headers={"SC-User-Id": "other"}),
            ValueError,
            "SC-User-Id",
        ),
        (lambda t: t.request("GET", "s", headers={"x": 1}), TypeError, "headers"),
        (lambda t: t.request("GET", "s", headers=["x"]), TypeError, "headers"),
        (lambda t: t.request("GET", "s", params=[("a", "b")]), TypeError, "params"),
        (lambda t: t.request("GET", "s", params={"a": object()}), TypeError, "params"),
        (lambda t: t.request("POST", "s", body={"x": float("nan")}), ValueError, ""),
    ],
)
def test_bad_arguments_send_nothing(
    vehicle: Vehicle,
    mocked: responses.RequestsMock,
    call: Callable[[Any], Any],
    error: type,
    match: str,
) -> None:
    with pytest.raises(error, match=match or None):
        call(vehicle)
    assert calls_to(mocked, VEHICLES) == []


@pytest.mark.parametrize(
    "path",
    [
        "https://elsewhere.test/v3/connections",
        f"{VEHICLES}evil.test/connections",
        "http://vehicle.test/v3/connections",
    ],
)
def test_client_request_never_sends_the_token_elsewhere(
    client: Client, mocked: responses.RequestsMock, path: str
) -> None:
    with pytest.raises(ValueError, match="path"):
        client.request("GET", path)
    assert list(mocked.calls) == []
