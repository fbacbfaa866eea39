"""Exact-request tests of the ``Vehicle`` calls the official 6.x SDK offers on API v2.0."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any, Callable, Dict, NamedTuple, Optional

import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st
from test_parser_properties import SETTINGS, bodies, header_dicts
from unit_support import (
    ACCESS_TOKEN,
    API_ORIGIN,
    USER_AGENT_PATTERN,
    VEHICLE_ID,
    assert_no_secret,
    split_url,
)

import smartcar

V2 = API_ORIGIN + "/v2.0"
V2_VEHICLE = f"{V2}/vehicles/{VEHICLE_ID}"
AGE_HEADER = "2025-03-01T10:00:00.000Z"
AGE = datetime.datetime(2025, 3, 1, 10, 0, tzinfo=datetime.timezone.utc)
REQUEST_ID = "v2-request-id"
MANAGEMENT_TOKEN = "amt-MANAGEMENTSECRET-0123456789"

LOCK_STATUS = {
    "isLocked": True,
    "doors": [{"type": "frontLeft", "status": "CLOSED"}],
    "windows": [],
    "sunroof": [],
    "storage": [{"type": "rear", "status": "CLOSED"}],
    "chargingPort": [{"type": "chargingPort", "status": "CLOSED"}],
}
SERVICE_HISTORY = [
    {
        "serviceId": 1,
        "serviceDate": "2024-06-01T00:00:00.000Z",
        "odometerDistance": 12000.5,
        "serviceTasks": [{"taskId": "t1", "taskDescription": "Oil change"}],
        "serviceDetails": [],
        "serviceCost": {"totalCost": 120, "currency": "USD"},
    }
]
SYSTEMS = {"systems": [{"systemId": "SYSTEM_ABS", "status": "OK", "description": None}]}
DTCS = {"activeCodes": [{"code": "P302D", "timestamp": "2024-09-05T14:48:00.000Z"}]}
NOMINAL = {
    "availableCapacities": [{"capacity": 70.9, "description": None}],
    "capacity": {"nominal": 70.9, "source": "USER_SELECTED"},
    "url": None,
}
SENT = {"status": "success", "message": "Successfully sent request to vehicle"}


class Call(NamedTuple):
    """One v2 call: how to invoke it, what must go over the wire, what it returns."""

    run: Callable[[smartcar.Vehicle], Any]
    method: str
    path: str
    answer: Any
    expected: Callable[[str], Any]
    unit_header: bool = True
    query: Optional[Dict[str, str]] = None
    sent_json: Any = None
    authorization: str = f"Bearer {ACCESS_TOKEN}"


def _data(body: Any, *, units: bool = False) -> Callable[[str], Any]:
    def expected(unit_system: str) -> Dict[str, Any]:
        result: Dict[str, Any] = {"data": body}
        if units:
            result["unit_system"] = unit_system
        result["age"] = AGE
        return result

    return expected


def _same(value: Any) -> Callable[[str], Any]:
    return lambda _unit_system: value


CALLS: Dict[str, Call] = {
    "attributes": Call(
        lambda v: v.attributes(),
        "GET",
        "/",
        {"id": VEHICLE_ID, "make": "TESLA", "model": "Model 3", "year": 2020},
        _same({"id": VEHICLE_ID, "make": "TESLA", "model": "Model 3", "year": 2020}),
    ),
    "lock_status": Call(
        lambda v: v.lock_status(), "GET", "/security", LOCK_STATUS, _data(LOCK_STATUS)
    ),
    "get_charge_limit": Call(
        lambda v: v.get_charge_limit(),
        "GET",
        "/charge/limit",
        {"limit": 0.8},
        _data({"limit": 0.8}),
    ),
    "service_history": Call(
        lambda v: v.service_history("2024-01-01", "2024-12-31T23:59:59.000Z"),
        "GET",
        "/service/history",
        SERVICE_HISTORY,
        _data(SERVICE_HISTORY, units=True),
        query={"startDate": "2024-01-01", "endDate": "2024-12-31T23:59:59.000Z"},
    ),
    "service_history dates": Call(
        lambda v: v.service_history(
            datetime.date(2024, 1, 1),
            datetime.datetime(2024, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc),
        ),
        "GET",
        "/service/history",
        SERVICE_HISTORY,
        _data(SERVICE_HISTORY, units=True),
        query={"startDate": "2024-01-01", "endDate": "2024-12-31T23:59:59.000Z"},
    ),
    "service_history no range": Call(
        lambda v: v.service_history(),
        "GET",
        "/service/history",
        [],
        _data([], units=True),
    ),
    "diagnostic_system_status": Call(
        lambda v: v.diagnostic_system_status(),
        "GET",
        "/diagnostics/system_status",
        SYSTEMS,
        _data(SYSTEMS),
    ),
    "diagnostic_trouble_codes": Call(
        lambda v: v.diagnostic_trouble_codes(), "GET", "/diagnostics/dtcs", DTCS, _data(DTCS)
    ),
    "nominal_capacity": Call(
        lambda v: v.nominal_capacity(), "GET", "/battery/nominal_capacity", NOMINAL, _data(NOMINAL)
    ),
    "set_charge_limit": Call(
        lambda v: v.set_charge_limit(0.8),
        "POST",
        "/charge/limit",
        SENT,
        _same(SENT),
        unit_header=False,
        sent_json={"limit": 0.8},
    ),
    "send_destination": Call(
        lambda v: v.send_destination(37.4292, -122.1381),
        "POST",
        "/navigation/destination",
        SENT,
        _same(SENT),
        unit_header=False,
        sent_json={"latitude": 37.4292, "longitude": -122.1381},
    ),
    "subscribe": Call(
        lambda v: v.subscribe("webhook-1"),
        "POST",
        "/webhooks/webhook-1",
        {"webhookId": "webhook-1", "vehicleId": VEHICLE_ID},
        _same({"webhookId": "webhook-1", "vehicleId": VEHICLE_ID}),
        unit_header=False,
    ),
    "unsubscribe": Call(
        lambda v: v.unsubscribe(MANAGEMENT_TOKEN, "webhook-1"),
        "DELETE",
        "/webhooks/webhook-1",
        {"status": "success"},
        _same({"status": "success"}),
        unit_header=False,
        authorization=f"Bearer {MANAGEMENT_TOKEN}",
    ),
    "request GET": Call(
        lambda v: v.request("GET", "tesla/charge/ammeter"),
        "GET",
        "/tesla/charge/ammeter",
        {"ammeter": 32},
        _same(
            {
                "code": 200,
                "headers": {
                    "sc-data-age": AGE_HEADER,
                    "sc-unit-system": "metric",
                    "sc-request-id": REQUEST_ID,
                    "content-type": "application/json",
                },
                "body": {"ammeter": 32},
            }
        ),
    ),
    "request POST with body and headers": Call(
        lambda v: v.request(
            "POST", "/tesla/charge/ammeter", {"amperage": 16}, {"sc-user-id": "user-1"}
        ),
        "POST",
        "/tesla/charge/ammeter",
        SENT,
        lambda _u: {
            "code": 200,
            "headers": {
                "sc-data-age": AGE_HEADER,
                "sc-unit-system": "metric",
                "sc-request-id": REQUEST_ID,
                "content-type": "application/json",
            },
            "body": SENT,
        },
        sent_json={"amperage": 16},
    ),
}


@pytest.fixture(autouse=True)
def _v2(monkeypatch: pytest.MonkeyPatch, smartcar_defaults: Callable[..., None]) -> None:
    smartcar_defaults(api_version="2.0")
    monkeypatch.setattr(smartcar.const, "API_URL", V2)


def _register(mocked: responses.RequestsMock, call: Call, headers: Dict[str, str]) -> None:
    mocked.add(
        call.method,
        V2_VEHICLE + call.path,
        body=json.dumps(call.answer).encode(),
        status=200,
        headers=headers,
        content_type="application/json",
    )


@pytest.mark.parametrize("name", list(CALLS))
def test_v2_call_exact_request_and_result(mocked: responses.RequestsMock, name: str) -> None:
    call = CALLS[name]
    headers = {"sc-data-age": AGE_HEADER, "sc-unit-system": "metric", "sc-request-id": REQUEST_ID}
    _register(mocked, call, headers)
    vehicle = smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN)

    result = call.run(vehicle)

    assert result == call.expected("metric")
    assert "request_id" not in result and result.request_id == REQUEST_ID
    assert len(mocked.calls) == 1
    sent = mocked.calls[0].request
    base, query = split_url(sent.url)
    assert sent.method == call.method
    assert base == V2_VEHICLE + call.path
    assert query == list((call.query or {}).items())
    assert sent.headers["Authorization"] == call.authorization
    assert re.fullmatch(USER_AGENT_PATTERN, sent.headers["User-Agent"])
    if call.unit_header:
        assert sent.headers["sc-unit-system"] == "metric"
    else:
        assert "sc-unit-system" not in sent.headers
    if call.sent_json is None:
        assert not sent.body
        assert "Content-Type" not in sent.headers
    else:  # as requests' json= sends it (the official SDK's wire)
        assert sent.headers["Content-Type"] == "application/json"
        assert sent.body == json.dumps(call.sent_json).encode("utf-8")


def test_imperial_reads_send_and_report_imperial(mocked: responses.RequestsMock) -> None:
    call = CALLS["service_history"]
    _register(mocked, call, {"sc-data-age": AGE_HEADER, "sc-unit-system": "imperial"})
    result = call.run(smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, "imperial"))
    assert result == call.expected("imperial")
    assert mocked.calls[0].request.headers["sc-unit-system"] == "imperial"


def test_request_with_its_own_authorization_sends_only_the_given_headers(
    mocked: responses.RequestsMock,
) -> None:
    """As the official SDK: a caller's Authorization replaces the vehicle token, and then no
    generated header (``sc-unit-system``) is added."""
    mocked.get(f"{V2_VEHICLE}/custom", json={"ok": True})
    vehicle = smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN)
    result = vehicle.request("GET", "custom", headers={"Authorization": "Bearer other-token"})
    assert result["body"] == {"ok": True} and result["code"] == 200
    sent = mocked.calls[0].request
    assert sent.headers["Authorization"] == "Bearer other-token"
    assert "sc-unit-system" not in sent.headers


def test_request_keeps_a_given_unit_header(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{V2_VEHICLE}/custom", json={})
    smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).request(
        "GET", "custom", headers={"sc-unit-system": "imperial"}
    )
    sent = mocked.calls[0].request
    assert sent.headers["sc-unit-system"] == "imperial"
    assert sent.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"


@pytest.mark.parametrize(
    "name", ["set_charge_limit", "send_destination", "subscribe", "unsubscribe"]
)
@pytest.mark.parametrize("status", [429, 502, 503])
def test_a_command_is_never_repeated_once_sent(
    mocked: responses.RequestsMock, name: str, status: int
) -> None:
    call = CALLS[name]
    mocked.add(
        call.method,
        V2_VEHICLE + call.path,
        status=status,
        json={"type": "SERVER", "code": None, "description": "busy", "statusCode": status},
        headers={"Retry-After": "0"},
    )
    with pytest.raises(smartcar.SmartcarException):
        call.run(smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN))
    assert len(mocked.calls) == 1


def test_request_post_is_never_repeated(mocked: responses.RequestsMock) -> None:
    mocked.post(f"{V2_VEHICLE}/tesla/x", status=503, json={})
    with pytest.raises(smartcar.SmartcarException):
        smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).request("POST", "tesla/x", {"a": 1})
    assert len(mocked.calls) == 1


def test_v2_reads_are_lenient_like_the_seed_reads(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{V2_VEHICLE}/security", json={"unexpected": 1})
    result = smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).lock_status()
    assert result == {"data": {"unexpected": 1}, "age": None}


@pytest.mark.parametrize("body", [b"<html>", b""])
def test_v2_non_json_answer_raises_base_exception(
    mocked: responses.RequestsMock, body: bytes
) -> None:
    mocked.get(f"{V2_VEHICLE}/charge/limit", body=body, status=200)
    with pytest.raises(smartcar.SmartcarException) as caught:
        smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).get_charge_limit()
    assert type(caught.value) is smartcar.SmartcarException


def test_unsubscribe_error_never_shows_the_management_token(
    mocked: responses.RequestsMock,
) -> None:
    mocked.delete(
        f"{V2_VEHICLE}/webhooks/webhook-1",
        status=401,
        json={"type": "AUTHENTICATION", "description": f"bad token {MANAGEMENT_TOKEN}"},
    )
    with pytest.raises(smartcar.AuthenticationException) as caught:
        smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).unsubscribe(MANAGEMENT_TOKEN, "webhook-1")
    for text in (str(caught.value), repr(caught.value), caught.value.body):
        assert MANAGEMENT_TOKEN not in str(text)
    assert_no_secret(str(caught.value))


@pytest.mark.parametrize("webhook_id", ["../application", "..", ".", "a?b", "a#b", "a\nb"])
def test_a_webhook_id_that_would_leave_its_path_segment_is_refused(
    mocked: responses.RequestsMock, webhook_id: str
) -> None:
    with pytest.raises(ValueError, match="webhook_id"):
        smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).subscribe(webhook_id)
    assert len(mocked.calls) == 0


@pytest.mark.parametrize("vehicle_id", ["..", ".", "a/b", "a?b", "a#b", "a\x00b"])
def test_a_vehicle_id_that_would_leave_its_path_segment_is_refused(
    mocked: responses.RequestsMock, vehicle_id: str
) -> None:
    vehicle = smartcar.Vehicle(vehicle_id, ACCESS_TOKEN)
    for call in (vehicle.odometer, vehicle.lock, lambda: vehicle.set_charge_limit(0.8)):
        with pytest.raises(ValueError, match="vehicle_id"):
            call()
    assert len(mocked.calls) == 0


def test_an_id_with_spaces_or_percent_stays_one_escaped_segment(
    mocked: responses.RequestsMock,
) -> None:
    mocked.post(f"{V2_VEHICLE}/webhooks/a%20b%252e", json={"webhookId": "x"})
    smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).subscribe("a b%2e")
    assert mocked.calls[0].request.url == f"{V2_VEHICLE}/webhooks/a%20b%252e"


def _vehicle() -> smartcar.Vehicle:
    return smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN)


BAD_ARGUMENTS = [
    pytest.param(lambda: _vehicle().set_charge_limit("0.8"), TypeError, "limit", id="limit str"),
    pytest.param(lambda: _vehicle().set_charge_limit(True), TypeError, "limit", id="limit bool"),
    pytest.param(lambda: _vehicle().set_charge_limit(80), ValueError, "limit", id="limit 80"),
    pytest.param(
        lambda: _vehicle().set_charge_limit(float("nan")), ValueError, "limit", id="limit nan"
    ),
    pytest.param(
        lambda: _vehicle().set_charge_limit(10**400), ValueError, "limit", id="limit 10**400"
    ),
    pytest.param(
        lambda: _vehicle().send_destination(10**400, 1.0), ValueError, "latitude", id="lat huge"
    ),
    pytest.param(
        lambda: _vehicle().send_destination(None, 1.0), TypeError, "latitude", id="lat None"
    ),
    pytest.param(lambda: _vehicle().send_destination(91, 1.0), ValueError, "latitude", id="lat 91"),
    pytest.param(
        lambda: _vehicle().send_destination(1.0, -180.5), ValueError, "longitude", id="lon"
    ),
    pytest.param(
        lambda: _vehicle().send_destination(1.0, "2"), TypeError, "longitude", id="lon str"
    ),
    pytest.param(
        lambda: _vehicle().service_history(20240101), TypeError, "start_date", id="start int"
    ),
    pytest.param(
        lambda: _vehicle().service_history("2024-01-01", "last week"),
        ValueError,
        "end_date",
        id="end not a date",
    ),
    pytest.param(lambda: _vehicle().subscribe(None), TypeError, "webhook_id", id="subscribe"),
    pytest.param(lambda: _vehicle().subscribe(""), ValueError, "webhook_id", id="subscribe ''"),
    pytest.param(
        lambda: _vehicle().unsubscribe(None, "w"),
        TypeError,
        "management_token",
        id="unsubscribe token",
    ),
    pytest.param(
        lambda: _vehicle().unsubscribe(MANAGEMENT_TOKEN, 5),
        TypeError,
        "webhook_id",
        id="unsubscribe id",
    ),
    pytest.param(lambda: _vehicle().request(5, "x"), TypeError, "method", id="method int"),
    pytest.param(lambda: _vehicle().request("FETCH", "x"), ValueError, "method", id="method"),
    pytest.param(lambda: _vehicle().request("GET", None), TypeError, "path", id="path None"),
    pytest.param(
        lambda: _vehicle().request("GET", "../../user"), ValueError, "path", id="path dots"
    ),
    pytest.param(
        lambda: _vehicle().request("GET", "x", headers=["a"]), TypeError, "headers", id="headers"
    ),
    pytest.param(
        lambda: _vehicle().request("GET", "x", headers={1: "a"}),
        ValueError,
        "headers",
        id="header name int",
    ),
    pytest.param(
        lambda: _vehicle().request("POST", "x", body={"a": float("nan")}),
        ValueError,
        "body",
        id="body nan",
    ),
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD_ARGUMENTS)
def test_bad_argument_raises_naming_it_before_any_request(
    mocked: responses.RequestsMock, call: Callable[[], object], error: type, argument: str
) -> None:
    with pytest.raises(error) as caught:
        call()
    assert argument in str(caught.value)
    assert MANAGEMENT_TOKEN not in str(caught.value)
    assert len(mocked.calls) == 0


def test_v2_additions_on_v1_raise_a_clear_error(
    mocked: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
    smartcar_defaults: Callable[..., None],
) -> None:
    smartcar_defaults(api_version="1.0")
    with pytest.raises(ValueError, match=r"lock_status\(\) needs API v2\.0"):
        smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).lock_status()
    assert len(mocked.calls) == 0


def test_request_get_is_a_read_repeated_after_a_gateway_error(
    mocked: responses.RequestsMock, clock: Any
) -> None:
    mocked.get(f"{V2_VEHICLE}/tesla/x", status=503, json={})
    mocked.get(f"{V2_VEHICLE}/tesla/x", json={"ok": 1})
    result = smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).request("get", "tesla/x")
    assert result["body"] == {"ok": 1} and len(mocked.calls) == 2
    assert mocked.calls[1].request.method == "GET"


def test_request_path_braces_are_sent_as_given(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{V2_VEHICLE}/odd%7Bname%7D", json={})
    smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN).request("GET", "odd{name}")
    assert mocked.calls[0].request.url == f"{V2_VEHICLE}/odd%7Bname%7D"


# Any 2xx answer to a v2 addition: a result, or the base SmartcarException; never a raw error.

ANY_V2_VEHICLE_URL = re.compile(re.escape(V2_VEHICLE) + r"(/.*)?$")


@SETTINGS
@given(
    name=st.sampled_from(sorted(CALLS)),
    status=st.integers(200, 299).filter(lambda s: s not in (204, 205)),
    content=bodies,
    raw_headers=header_dicts,
)
def test_any_2xx_answer_gives_a_result_or_smartcar_exception(
    name: str, status: int, content: bytes, raw_headers: Dict[str, str]
) -> None:
    headers = {k: v for k, v in raw_headers.items() if k.lower() != "content-type"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        for method in ("GET", "POST", "DELETE"):
            mocked.add(method, ANY_V2_VEHICLE_URL, body=content, status=status, headers=headers)
        try:
            result = CALLS[name].run(smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, max_retries=0))
        except smartcar.SmartcarException as error:
            assert type(error) is smartcar.SmartcarException and error.status_code == status
            assert_no_secret(str(error), repr(error))
            return
    assert isinstance(result, dict) and "request_id" not in result
    if "age" in result:
        assert result["age"] is None or result["age"].tzinfo is datetime.timezone.utc
