"""``smartcar.v3.Client``: every exact connections/users/management request, pagination,
the 401 repeat, error decoding, and client-side argument checks."""

from __future__ import annotations

import datetime
from typing import Any, Dict, List
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

import smartcar
from smartcar.v3 import Client

from .support import (
    MANAGEMENT,
    USER_ID,
    VEHICLE_ID,
    VEHICLES,
    calls_to,
    json_of,
    signal,
    signal_list,
    v3_error,
)

UTC = datetime.timezone.utc
CONNECTIONS = f"{VEHICLES}/connections"


def connection_resource(index: int) -> Dict[str, Any]:
    return {
        "id": f"conn-{index}",
        "type": "connection",
        "attributes": {
            "permissions": ["read_battery", "control_charge"],
            "vehicle": {
                "make": "TESLA",
                "model": "Model S",
                "year": 2014,
                "mode": "live",
                "powertrainType": "BEV",
            },
            "user": {"id": f"user-{index}", "externalId": f"ext-{index}"},
        },
        "relationships": {
            "vehicle": {
                "data": {"id": f"vehicle-{index}", "type": "vehicle"},
                "links": {"related": f"{VEHICLES}/vehicles/vehicle-{index}"},
            },
            "user": {"data": {"id": f"user-{index}", "type": "user"}},
        },
        "meta": {"createdAt": "2025-05-03T02:45:45.349Z", "updatedAt": "2026-06-21T02:56:21.130Z"},
        "links": {"self": f"{VEHICLES}/connections/conn-{index}"},
    }


def page(items: List[Dict[str, Any]], number: int, size: int, total: int, meta_key: str) -> Any:
    last = -(-total // size)
    return {
        "data": items,
        "meta": {meta_key: number, "pageSize": size, "totalCount": total},
        "links": {"next": f"/connections?page%5Bnumber%5D={number + 1}" if number < last else None},
    }


def query(call: Any) -> Dict[str, str]:
    return dict(parse_qsl(urlsplit(call.request.url).query))


@pytest.mark.parametrize("meta_key", ["pageNumber", "page"])
def test_connections_pages_lazily(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str], meta_key: str
) -> None:
    resources = [connection_resource(i) for i in range(7)]
    for number, start in enumerate(range(0, 7, 3), start=1):
        mocked.add(
            responses.GET,
            CONNECTIONS,
            json=page(resources[start : start + 3], number, 3, 7, meta_key),
            match=[
                responses.matchers.query_param_matcher(
                    {"page[number]": str(number), "page[size]": "3"}
                )
            ],
        )
    iterator = client.connections(page_size=3)
    assert calls_to(mocked, CONNECTIONS) == []  # nothing fetched before iterating
    first = next(iterator)
    assert len(calls_to(mocked, CONNECTIONS)) == 1
    rest = list(iterator)
    assert [c["id"] for c in [first, *rest]] == [f"conn-{i}" for i in range(7)]
    assert len(calls_to(mocked, CONNECTIONS)) == 3
    assert first == {
        "id": "conn-0",
        "vehicle_id": "vehicle-0",
        "user_id": "user-0",
        "external_id": "ext-0",
        "permissions": ["read_battery", "control_charge"],
        "vehicle": {
            "make": "TESLA",
            "model": "Model S",
            "year": 2014,
            "mode": "live",
            "powertrain_type": "BEV",
        },
        "created_at": datetime.datetime(2025, 5, 3, 2, 45, 45, 349000, tzinfo=UTC),
        "updated_at": datetime.datetime(2026, 6, 21, 2, 56, 21, 130000, tzinfo=UTC),
    }
    for call in calls_to(mocked, CONNECTIONS):
        assert call.request.headers["Authorization"] == "Bearer app-token-1"
        assert "sc-user-id" not in call.request.headers
    assert len(token_requests) == 1


def test_connections_filters_and_user_header(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    mocked.add(responses.GET, CONNECTIONS, json={"data": [], "meta": {"totalCount": 0}})
    assert (
        list(
            client.connections(
                user_id=USER_ID, vehicle_id=VEHICLE_ID, external_id="ext-1", mode="simulated"
            )
        )
        == []
    )
    (call,) = calls_to(mocked, CONNECTIONS)
    assert query(call) == {
        "filter[userId]": USER_ID,
        "filter[vehicleId]": VEHICLE_ID,
        "filter[user.externalId]": "ext-1",
        "filter[vehicle.mode]": "simulated",
        "page[number]": "1",
    }
    assert call.request.headers["sc-user-id"] == USER_ID


def test_pagination_stops_on_a_short_page_without_links_or_total(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    mocked.add(
        responses.GET,
        CONNECTIONS,
        json={"data": [connection_resource(1)], "meta": {"pageSize": 10}},
    )
    assert [c["id"] for c in client.connections()] == ["conn-1"]
    assert len(calls_to(mocked, CONNECTIONS)) == 1


@pytest.mark.parametrize("relation", ["vehicle", "user"])
def test_a_connection_without_its_vehicle_or_user_id_is_a_bad_answer(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str], relation: str
) -> None:
    # Connection["vehicle_id"] and ["user_id"] are typed str: the SDK never hands out None.
    resource = connection_resource(1)
    del resource["relationships"][relation]
    resource["attributes"].pop(relation, None)
    mocked.add(responses.GET, f"{CONNECTIONS}/conn-1", json={"data": resource})
    with pytest.raises(smartcar.SmartcarException, match=f"a connection without a {relation} id"):
        client.get_connection("conn-1")


def test_get_delete_connection_and_user(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    mocked.add(responses.GET, f"{CONNECTIONS}/conn-1", json={"data": connection_resource(1)})
    mocked.add(responses.DELETE, f"{CONNECTIONS}/conn-1", status=204)
    mocked.add(responses.DELETE, f"{VEHICLES}/users/{USER_ID}", status=204)
    assert client.get_connection("conn-1")["user_id"] == "user-1"
    assert client.delete_connection("conn-1") is None
    assert client.delete_user(USER_ID) is None
    methods = [(c.request.method, c.request.url) for c in calls_to(mocked, VEHICLES)]
    assert methods == [
        ("GET", f"{CONNECTIONS}/conn-1"),
        ("DELETE", f"{CONNECTIONS}/conn-1"),
        ("DELETE", f"{VEHICLES}/users/{USER_ID}"),
    ]


def test_ids_are_one_path_segment(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    mocked.add(responses.DELETE, f"{CONNECTIONS}/a%20..%25b", status=204)
    client.delete_connection("a ..%b")
    (call,) = calls_to(mocked, CONNECTIONS)
    assert call.request.url == f"{CONNECTIONS}/a%20..%25b"


WEBHOOK = {
    "id": "wh-1",
    "type": "webhook",
    "attributes": {
        "name": "Charging Webhook",
        "callbackUri": "https://example.com/webhook",
        "isEnabled": True,
        "triggers": [{"group": "Charge", "name": "IsCharging", "code": "charge-ischarging"}],
        "data": [{"group": "TractionBattery", "name": "StateOfCharge", "code": "x"}],
        "errorCallbackUri": "https://example.com/webhook/errors",
        "autoSubscribe": False,
    },
    "links": {"self": f"{MANAGEMENT}/webhooks/wh-1"},
    "meta": {"createdAt": "2023-11-07T05:31:56Z"},
}

SUBSCRIPTION = {
    "type": "subscription",
    "id": "sub-1",
    "attributes": {
        "vehicle": {"make": "TESLA", "model": "Model 3", "year": 2023, "mode": "live"},
    },
    "meta": {"createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-02T00:00:00Z"},
    "relationships": {
        "webhook": {"data": {"type": "webhook", "id": "wh-1"}},
        "user": {"data": {"type": "webhook", "id": USER_ID}},
        "vehicle": {"data": {"type": "webhook", "id": VEHICLE_ID}},
    },
}


def test_webhooks_and_get_webhook(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    mocked.add(
        responses.GET,
        f"{MANAGEMENT}/webhooks",
        json={"data": [WEBHOOK], "meta": {"pageNumber": 1, "pageSize": 50, "totalCount": 1}},
    )
    mocked.add(responses.GET, f"{MANAGEMENT}/webhooks/wh-1", json={"data": WEBHOOK})
    (listed,) = client.webhooks(name="charg", is_enabled=True, auto_subscribe=False, page_size=50)
    assert listed == client.get_webhook("wh-1")
    assert listed == {
        "id": "wh-1",
        "name": "Charging Webhook",
        "callback_uri": "https://example.com/webhook",
        "error_callback_uri": "https://example.com/webhook/errors",
        "is_enabled": True,
        "auto_subscribe": False,
        "triggers": WEBHOOK["attributes"]["triggers"],  # type: ignore[index]
        "data": WEBHOOK["attributes"]["data"],  # type: ignore[index]
        "created_at": datetime.datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC),
    }
    assert query(calls_to(mocked, f"{MANAGEMENT}/webhooks")[0]) == {
        "filter[name]": "charg",
        "filter[isEnabled]": "true",
        "filter[autoSubscribe]": "false",
        "page[number]": "1",
        "page[size]": "50",
    }


def test_subscribe_sends_the_json_api_body(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    mocked.add(
        responses.POST,
        f"{MANAGEMENT}/subscriptions",
        status=202,
        json={"meta": {"message": "subscription creation in progress"}},
        headers={"sc-request-id": "req-9"},
    )
    result = client.subscribe("wh-1", vehicle_id=VEHICLE_ID, user_id=USER_ID)
    assert result == {
        "status_code": 202,
        "message": "subscription creation in progress",
        "subscription": None,
    }
    assert result.request_id == "req-9"
    (call,) = calls_to(mocked, f"{MANAGEMENT}/subscriptions")
    assert call.request.headers["Content-Type"] == "application/json"
    assert call.request.headers["Authorization"] == "Bearer app-token-1"
    assert json_of(call) == {
        "data": {"attributes": {"webhookId": "wh-1", "userId": USER_ID, "vehicleId": VEHICLE_ID}}
    }


def test_subscribe_twice_raises_state_exception(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    mocked.add(
        responses.POST,
        f"{MANAGEMENT}/subscriptions",
        status=409,
        json=v3_error(409, "VALIDATION", "ALREADY_SUBSCRIBED", "Already subscribed"),
    )
    with pytest.raises(smartcar.StateException) as caught:
        client.subscribe("wh-1", vehicle_id=VEHICLE_ID, user_id=USER_ID)
    assert caught.value.code == "ALREADY_SUBSCRIBED"


def test_subscriptions_get_and_unsubscribe(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    mocked.add(
        responses.GET,
        f"{MANAGEMENT}/subscriptions",
        json={"data": [SUBSCRIPTION], "meta": {"page": 1, "pageSize": 25, "totalCount": 1}},
    )
    mocked.add(responses.GET, f"{MANAGEMENT}/subscriptions/sub-1", json={"data": SUBSCRIPTION})
    mocked.add(responses.DELETE, f"{MANAGEMENT}/subscriptions/sub-1", status=204)
    (listed,) = client.subscriptions(webhook_id="wh-1", vehicle_id=VEHICLE_ID, user_id=USER_ID)
    assert listed == client.get_subscription("sub-1")
    assert (listed["id"], listed["webhook_id"], listed["user_id"], listed["vehicle_id"]) == (
        "sub-1",
        "wh-1",
        USER_ID,
        VEHICLE_ID,
    )
    assert listed["vehicle"]["model"] == "Model 3"
    assert client.unsubscribe("sub-1") is None
    assert query(calls_to(mocked, f"{MANAGEMENT}/subscriptions")[0]) == {
        "filter[webhookId]": "wh-1",
        "filter[vehicleId]": VEHICLE_ID,
        "filter[userId]": USER_ID,
        "page[number]": "1",
    }
    assert calls_to(mocked, f"{MANAGEMENT}/subscriptions")[-1].request.method == "DELETE"


def test_a_401_gets_one_fresh_token_and_one_repeat(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    unauthorized = v3_error(401, "AUTHENTICATION", "UNAUTHORIZED", "The token is invalid.")
    mocked.add(responses.GET, f"{CONNECTIONS}/conn-1", status=401, json=unauthorized)
    mocked.add(responses.GET, f"{CONNECTIONS}/conn-1", json={"data": connection_resource(1)})
    assert client.get_connection("conn-1")["id"] == "conn-1"
    auths = [c.request.headers["Authorization"] for c in calls_to(mocked, CONNECTIONS)]
    assert auths == ["Bearer app-token-1", "Bearer app-token-2"]
    assert client.access_token() == "app-token-2"


def test_a_second_401_is_raised(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    unauthorized = v3_error(401, "AUTHENTICATION", "UNAUTHORIZED", "The token is invalid.")
    mocked.add(responses.DELETE, f"{VEHICLES}/users/u", status=401, json=unauthorized)
    with pytest.raises(smartcar.AuthenticationException) as caught:
        client.delete_user("u")
    assert caught.value.type == "AUTHENTICATION"
    assert len(calls_to(mocked, f"{VEHICLES}/users/u")) == 2
    assert len(token_requests) == 2


def test_v3_error_bodies_keep_every_field(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    body = v3_error(400, "VALIDATION", "INVALID_INPUT_FORMAT", "latitude out of range")
    body["errors"].append(dict(body["errors"][0], detail="longitude out of range"))
    mocked.add(
        responses.GET,
        f"{CONNECTIONS}/x",
        status=400,
        json=body,
        headers={"sc-request-id": "req-1"},
    )
    with pytest.raises(smartcar.ValidationException) as caught:
        client.get_connection("x")
    error = caught.value
    assert (error.type, error.code, error.request_id) == (
        "VALIDATION",
        "INVALID_INPUT_FORMAT",
        "req-1",
    )
    assert error.doc_url == "https://smartcar.com/docs/errors/x"
    assert error.resolution == {"type": "RETRY_LATER", "url": None}
    assert error.suggested_user_message == "Try later."
    assert len(error.errors) == 2


def test_rate_limit_carries_retry_after(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    mocked.add(
        responses.DELETE,
        f"{CONNECTIONS}/x",
        status=429,
        json=v3_error(429, "RATE_LIMIT", "VEHICLE", "Slow down"),
        headers={"Retry-After": "30"},
    )
    with pytest.raises(smartcar.RateLimitingException) as caught:
        client.delete_connection("x")
    assert caught.value.retry_after == 30


def test_a_bad_resource_is_a_smartcar_exception(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    mocked.add(responses.GET, f"{CONNECTIONS}/x", json={"data": {"type": "connection"}})
    with pytest.raises(smartcar.SmartcarException, match="connection"):
        client.get_connection("x")
    mocked.add(responses.GET, CONNECTIONS, json={"data": "nope"})
    with pytest.raises(smartcar.SmartcarException, match="list"):
        list(client.connections())


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.connections(user_id=""),
        lambda c: c.connections(mode="prod"),
        lambda c: c.connections(page_size=0),
        lambda c: c.connections(page_size=101),
        lambda c: c.webhooks(page_size=True),
        lambda c: c.webhooks(is_enabled="yes"),
        lambda c: c.get_connection(""),
        lambda c: c.delete_connection(None),
        lambda c: c.delete_user(""),
        lambda c: c.get_webhook(""),
        lambda c: c.subscribe("wh", vehicle_id=VEHICLE_ID, user_id=None),
        lambda c: c.subscribe("wh", vehicle_id="", user_id=USER_ID),
        lambda c: c.subscriptions(user_id=""),
        lambda c: c.get_subscription(""),
        lambda c: c.unsubscribe(""),
        lambda c: c.vehicle(VEHICLE_ID, None),
        lambda c: c.vehicle(VEHICLE_ID, ""),
        lambda c: c.vehicle(VEHICLE_ID, "bad\nid"),
        lambda c: c.vehicle("", USER_ID),
        lambda c: c.vehicle(VEHICLE_ID, USER_ID, unit_system="si"),
    ],
)
def test_bad_arguments_raise_value_error_before_any_request(
    client: Client, mocked: responses.RequestsMock, call: Any
) -> None:
    with pytest.raises(ValueError):
        call(client)
    assert list(mocked.calls) == []


def test_importing_smartcar_v3_loads_no_token_store() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, smartcar.v3; "
        "print(sorted(m for m in ('smartcar.tokens', 'sqlite3', 'redis') if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert output.strip() == "[]"


# Settings from the environment -----------------------------------------------------------

ENVIRONMENT = {
    "SMARTCAR_CLIENT_ID": "client_from_env",
    "SMARTCAR_CLIENT_SECRET": "secret-from-env",
    "SMARTCAR_APPLICATION_ID": "0c7d9a52-2f4e-4b43-a1a5-62b4e8f1d0aa",
    "SMARTCAR_REDIRECT_URI": "https://env.example.com/callback",
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Dict[str, str]:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    return ENVIRONMENT


def test_settings_fall_back_to_the_environment(
    environment: Dict[str, str], mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    client = Client()
    assert client.client_id == "client_from_env"
    assert client.application_id == environment["SMARTCAR_APPLICATION_ID"]
    assert client.redirect_uri == environment["SMARTCAR_REDIRECT_URI"]
    assert client.access_token() == "app-token-1"
    (call,) = mocked.calls
    form = dict(parse_qsl(call.request.body))
    assert (form["client_id"], form["client_secret"]) == ("client_from_env", "secret-from-env")
    assert "secret-from-env" not in repr(client)


def test_arguments_win_over_the_environment(environment: Dict[str, str]) -> None:
    client = Client(
        "client_arg", "secret-arg", application_id="app-arg", redirect_uri="https://arg/cb"
    )
    assert (client.client_id, client.application_id, client.redirect_uri) == (
        "client_arg",
        "app-arg",
        "https://arg/cb",
    )


@pytest.mark.parametrize(
    ("missing", "argument"),
    [("SMARTCAR_CLIENT_ID", "client_id"), ("SMARTCAR_CLIENT_SECRET", "client_secret")],
)
def test_a_missing_credential_names_its_variable(
    environment: Dict[str, str], monkeypatch: pytest.MonkeyPatch, missing: str, argument: str
) -> None:
    monkeypatch.setenv(missing, "")
    with pytest.raises(ValueError, match=missing) as caught:
        Client()
    assert argument in str(caught.value)


def test_without_an_application_id_connect_names_its_variable(
    environment: Dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMARTCAR_APPLICATION_ID")
    client = Client()
    assert client.application_id is None
    with pytest.raises(ValueError, match="SMARTCAR_APPLICATION_ID"):
        client.get_auth_url(["read_vin"])


def test_a_client_credential_in_the_application_id_variable_is_refused(
    environment: Dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTCAR_APPLICATION_ID", "client_from_env")
    with pytest.raises(ValueError, match="SMARTCAR_APPLICATION_ID"):
        Client()


@pytest.mark.parametrize(
    ("url", "resource", "listing"),
    [
        (CONNECTIONS, "connection", "connections"),
        (f"{MANAGEMENT}/webhooks", "webhook", "webhooks"),
        (f"{MANAGEMENT}/subscriptions", "subscription", "subscriptions"),
    ],
)
@pytest.mark.parametrize(
    "extra", [{}, {"links": {"next": "/connections?page%5Bnumber%5D=2"}}, {"meta": {}}]
)
def test_a_list_that_keeps_answering_page_one_is_read_once(
    client: Client,
    mocked: responses.RequestsMock,
    token_requests: List[str],
    url: str,
    resource: str,
    listing: str,
    extra: Dict[str, Any],
) -> None:
    items = {"connection": connection_resource(1), "webhook": WEBHOOK}.get(resource, SUBSCRIPTION)
    mocked.add(responses.GET, url, json={"data": [items, items], **extra})
    listed = list(getattr(client, listing)(page_size=2))
    assert [entry["id"] for entry in listed] == [items["id"]]
    assert len(calls_to(mocked, url)) == 2


def test_overlapping_pages_yield_each_connection_once(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    resources = [connection_resource(i) for i in range(4)]
    for number, chunk in ((1, resources[0:2]), (2, resources[1:3]), (3, resources[3:4])):
        mocked.add(
            responses.GET,
            CONNECTIONS,
            json={"data": chunk, "meta": {"pageSize": 2}},
            match=[responses.matchers.query_param_matcher({"page[number]": str(number)})],
        )
    assert [c["id"] for c in client.connections()] == [f"conn-{i}" for i in range(4)]
    assert len(calls_to(mocked, CONNECTIONS)) == 3


def test_the_sweep_reads_each_vehicle_once_when_the_listing_repeats(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    listed = [connection_resource(1), connection_resource(2)]
    mocked.add(responses.GET, CONNECTIONS, json={"data": listed, "links": {"next": "/x"}})
    for index in (1, 2):
        mocked.add(
            responses.GET,
            f"{VEHICLES}/vehicles/vehicle-{index}/signals",
            json={"data": [], "meta": {"totalCount": 0}},
        )
    results = list(client.sweep(concurrency=2))
    assert sorted(r.vehicle_id for r in results) == ["vehicle-1", "vehicle-2"]
    assert len(calls_to(mocked, f"{VEHICLES}/vehicles/")) == 2


def test_a_sweeps_signals_are_built_at_once_and_a_malformed_one_raises_at_use(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    mocked.add(responses.GET, CONNECTIONS, json={"data": [connection_resource(1)]})
    bad = signal("odometer-traveleddistance", {"value": 1.0})
    bad["attributes"]["body"] = [1]
    good = signal("tractionbattery-stateofcharge", {"value": 80, "unit": "percent"})
    mocked.add(
        responses.GET, f"{VEHICLES}/vehicles/vehicle-1/signals", json=signal_list([good, bad])
    )
    (result,) = client.sweep()
    assert result.ok and result.signals is not None
    kept = result.signals["tractionbattery-stateofcharge"]
    assert "_pending" not in vars(kept) and kept.value == 80  # built: no raw JSON held
    with pytest.raises(smartcar.SmartcarException, match="a bad signal"):
        result.signals["odometer-traveleddistance"].value  # noqa: B018


def test_a_created_at_beyond_the_float_range_reads_as_unknown(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    resource = connection_resource(1)
    resource["meta"] = {"createdAt": 10**400, "updatedAt": -(10**400)}
    webhook = {**WEBHOOK, "meta": {"createdAt": 10**400}}
    mocked.add(responses.GET, f"{CONNECTIONS}/conn-1", json={"data": resource})
    mocked.add(responses.GET, f"{MANAGEMENT}/webhooks/wh-1", json={"data": webhook})
    connection = client.get_connection("conn-1")
    assert (connection["created_at"], connection["updated_at"]) == (None, None)
    assert client.get_webhook("wh-1")["created_at"] is None


BAD_IDS = ["..", ".", "a/b", "a?b", "a#b", "a\nb", ""]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize(
    "call",
    [
        lambda c, bad: c.vehicle(bad, USER_ID).signals(),
        lambda c, bad: c.vehicle(bad, USER_ID).lock(),
        lambda c, bad: c.vehicle(bad, USER_ID).odometer(),
        lambda c, bad: c.vehicle(VEHICLE_ID, USER_ID).signal(bad),
        lambda c, bad: c.vehicle(VEHICLE_ID, USER_ID).delete_charge_schedule(bad),
        lambda c, bad: c.delete_connection(bad),
        lambda c, bad: c.get_connection(bad),
        lambda c, bad: c.delete_user(bad),
        lambda c, bad: c.get_webhook(bad),
        lambda c, bad: c.get_subscription(bad),
        lambda c, bad: c.unsubscribe(bad),
    ],
)
def test_an_id_that_would_leave_its_path_segment_is_refused_before_sending(
    client: Client,
    mocked: responses.RequestsMock,
    token_requests: List[str],
    bad: str,
    call: Any,
) -> None:
    with pytest.raises(ValueError):
        call(client, bad)
    assert calls_to(mocked, VEHICLES) == [] and calls_to(mocked, MANAGEMENT) == []


def test_digit_strings_int_cannot_read_are_no_number(
    client: Client, mocked: responses.RequestsMock, token_requests: List[str]
) -> None:
    resource = connection_resource(1)
    resource["attributes"]["vehicle"]["year"] = "²⁰²⁴"
    body = {"data": [resource], "meta": {"pageSize": "²", "totalCount": "9" * 5000}}
    mocked.add(responses.GET, CONNECTIONS, json=body)
    (listed,) = client.connections()
    assert listed["vehicle"]["year"] is None
