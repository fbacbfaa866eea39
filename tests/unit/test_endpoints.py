"""``smartcar._endpoints`` and ``smartcar._calls``: endpoints described once per version, and
the retry/replay rules taken from the description, not from the HTTP method."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from unit_support import ACCESS_TOKEN, API_ORIGIN, CLIENT_ID, CLIENT_SECRET, basic_auth_header

from smartcar import _calls, const
from smartcar._config import Config
from smartcar._endpoints import REPLAY, Endpoint, batch, command, read, table, versions
from smartcar.exceptions import ServerException, SmartcarException


@pytest.mark.parametrize("version", versions())
def test_reads_are_repeatable_and_nothing_else_is(version: str) -> None:
    for name, endpoint in table(version).items():
        if endpoint.method == "GET":
            assert endpoint.repeatable and endpoint.on_401 == REPLAY, name
        else:
            assert not endpoint.repeatable, name
    assert table(version)["batch"].on_401 == REPLAY


@pytest.mark.parametrize("version", versions())
def test_seed_endpoints_exist_in_every_version_with_the_same_paths(version: str) -> None:
    v1 = table("1.0")
    for name, endpoint in v1.items():
        other = table(version)[name]
        assert (other.method, other.path, other.body) == (
            endpoint.method,
            endpoint.path,
            endpoint.body,
        )


def test_v1_unit_system_header_as_4_3_5() -> None:
    sending = {name for name, e in table("1.0").items() if e.unit_system}
    assert sending == {
        "info", "vin", "location", "odometer", "fuel", "battery", "battery_capacity",
        "charge", "oil", "tire_pressure", "batch",
    }  # fmt: skip


def test_v2_unit_system_header_as_6_x() -> None:
    for name, e in table("2.0").items():
        vehicle_get = e.method == "GET" and e.path.startswith("vehicles/{vehicle_id}/")
        assert e.unit_system == (vehicle_get or name == "batch"), name


def test_unknown_version_has_no_table() -> None:
    with pytest.raises(ValueError, match=r"3\.0"):
        table("3.0")


def test_url_for_the_call_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(const, "API_URL")
    monkeypatch.setenv("SMARTCAR_API_ORIGIN", "http://127.0.0.1:5")
    odometer = table("1.0")["odometer"]
    assert _calls.url_for(odometer, Config(api_version="2.0"), vehicle_id="a b") == (
        "http://127.0.0.1:5/v2.0/vehicles/a%20b/odometer"
    )
    assert _calls.url_for(table("1.0")["info"], Config(api_version="1.0"), vehicle_id="v") == (
        "http://127.0.0.1:5/v1.0/vehicles/v/"
    )


def test_explicit_api_url_keeps_its_origin_for_another_version() -> None:
    const.API_URL = "http://mock.test/v1.0"  # the unit fixture puts it back
    assert _calls.url_for(read("user"), Config(api_version="1.0")) == "http://mock.test/v1.0/user"
    assert _calls.url_for(read("user"), Config(api_version="2.0")) == "http://mock.test/v2.0/user"


def test_retry_comes_from_the_endpoint_not_the_method(
    mocked: responses.RequestsMock, clock: Any
) -> None:
    url = f"{API_ORIGIN}/v1.0/thing"
    mocked.post(url, status=503, body="busy")
    repeatable_post = Endpoint("POST", "thing", repeatable=True)
    with pytest.raises(ServerException):
        _calls.call(repeatable_post, token=ACCESS_TOKEN)
    assert len(mocked.calls) == 3  # first attempt + 2 retries of the fast policy

    mocked.get(url, status=503, body="busy")
    not_repeatable_get = Endpoint("GET", "thing")
    with pytest.raises(ServerException):
        _calls.call(not_repeatable_get, token=ACCESS_TOKEN)
    assert len(mocked.calls) == 4


def test_command_body_and_credentials(mocked: responses.RequestsMock) -> None:
    url = f"{API_ORIGIN}/v1.0/vehicles/v1/security"
    mocked.post(url, json={"status": "success"})
    _calls.call(
        command("vehicles/{vehicle_id}/security", {"action": "LOCK"}),
        token=ACCESS_TOKEN,
        vehicle_id="v1",
    )
    sent = mocked.calls[0].request
    assert sent.body == b'{"action": "LOCK"}'
    assert sent.headers["Authorization"] == "Bearer " + ACCESS_TOKEN
    assert "sc-unit-system" not in sent.headers


def test_basic_and_management_auth(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{API_ORIGIN}/v1.0/compatibility", json={"compatible": True})
    _calls.call("compatibility", basic_auth=(CLIENT_ID, CLIENT_SECRET), token=ACCESS_TOKEN)
    assert mocked.calls[0].request.headers["Authorization"] == basic_auth_header(
        CLIENT_ID, CLIENT_SECRET
    )
    connections = Endpoint("GET", "connections", repeatable=True, auth="management")
    mocked.get(f"{API_ORIGIN}/v1.0/connections", json={})
    _calls.call(connections, management_token="amt-MGMTSECRET-1")
    assert mocked.calls[1].request.headers["Authorization"] == basic_auth_header(
        "default", "amt-MGMTSECRET-1"
    )


def test_answer_without_a_needed_field_is_a_smartcar_exception(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(f"{API_ORIGIN}/v1.0/vehicles/v1/vin", json={"other": 1})
    with pytest.raises(SmartcarException, match="vin"):
        _calls.call("vin", token=ACCESS_TOKEN, vehicle_id="v1")


def test_adding_an_endpoint_is_one_table_entry(
    mocked: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(table("1.0"), "lock_status", read("vehicles/{vehicle_id}/security"))
    mocked.get(f"{API_ORIGIN}/v1.0/vehicles/v1/security", json={"isLocked": True})
    response = _calls.call("lock_status", token=ACCESS_TOKEN, vehicle_id="v1", unit_system="metric")
    assert response.body == {"isLocked": True}
    assert mocked.calls[0].request.headers["sc-unit-system"] == "metric"


def test_batch_is_not_repeatable_but_replayable() -> None:
    endpoint = batch("vehicles/{vehicle_id}/batch")
    assert (endpoint.method, endpoint.repeatable, endpoint.on_401) == ("POST", False, REPLAY)


def test_unknown_endpoint_name() -> None:
    with pytest.raises(KeyError, match="nope"):
        _calls.endpoint("nope")
