"""``smartcar._errors``: every error body family decoded into its exception (contract C3).

The v2.0 rows are the spec's table 7.3 and the v3 rows its taxonomy 6.1
(``shared/spec/api-v2-v3.md``).
"""

from __future__ import annotations

import pickle
from typing import Any, Dict, List, Optional, Tuple, Type

import pytest
import responses
from unit_support import ACCESS_TOKEN, VEHICLE_URL

import smartcar
from smartcar import _errors, api
from smartcar.exceptions import (
    AuthenticationException,
    MonthlyLimitExceeded,
    PermissionException,
    RateLimitingException,
    ResourceNotFoundException,
    ServerException,
    SmartcarException,
    SmartcarNotCapableException,
    StateException,
    UpstreamException,
    ValidationException,
    VehicleNotCapableException,
)

V2_TABLE: List[Tuple[str, int, List[Optional[str]]]] = [
    (
        "CONNECTED_SERVICES_ACCOUNT",
        400,
        [
            "ACCOUNT_ISSUE",
            "AUTHENTICATION_FAILED",
            "NO_VEHICLES",
            "PERMISSION",
            "SUBSCRIPTION",
            "VEHICLE_MISSING",
            "VIRTUAL_KEY_REQUIRED",
        ],
    ),
    ("VALIDATION", 400, [None, "PARAMETER"]),
    ("AUTHENTICATION", 401, [None]),
    ("PERMISSION", 403, [None]),
    ("RESOURCE_NOT_FOUND", 404, ["PATH", "VERSION"]),
    (
        "VEHICLE_STATE",
        409,
        [
            "ASLEEP",
            "CHARGING_IN_PROGRESS",
            "CHARGING_PLUG_CONNECTED",
            "CHARGING_PLUG_NOT_CONNECTED",
            "DOOR_OPEN",
            "FULLY_CHARGED",
            "HOOD_OPEN",
            "IGNITION_ON",
            "IN_MOTION",
            "NOT_CHARGING",
            "REMOTE_ACCESS_DISABLED",
            "TRUNK_OPEN",
            "UNKNOWN",
            "UNREACHABLE",
            "VEHICLE_OFFLINE_FOR_SERVICE",
            "LOW_BATTERY",
            "CHARGE_FAULT",
        ],
    ),
    ("RATE_LIMIT", 429, ["SMARTCAR_API", "VEHICLE"]),
    (
        "BILLING",
        430,
        ["INVALID_PLAN", "VEHICLE_LIMIT", "VEHICLE_REQUEST_LIMIT", "ACCOUNT_SUSPENDED"],
    ),
    ("SERVER", 500, ["INTERNAL", "MULTIPLE_RECORDS_FOUND", "RECORD_NOT_FOUND"]),
    ("COMPATIBILITY", 501, ["MAKE_NOT_COMPATIBLE", "SMARTCAR_NOT_CAPABLE", "VEHICLE_NOT_CAPABLE"]),
    (
        "UPSTREAM",
        502,
        ["INVALID_DATA", "KNOWN_ISSUE", "NO_RESPONSE", "RATE_LIMIT", "UNKNOWN_ISSUE"],
    ),
]

V3_TABLE: List[Tuple[str, int, List[Optional[str]]]] = [
    ("AUTHENTICATION", 401, ["UNAUTHORIZED"]),
    ("AUTHENTICATION", 403, ["ACCESS_DENIED"]),
    ("VALIDATION", 400, ["INVALID_INPUT_FORMAT", "BAD_REQUEST", "MISSING_PARAMETER"]),
    (
        "CONNECTED_SERVICES_ACCOUNT",
        400,
        [
            "ACCOUNT_ISSUE",
            "AUTHENTICATION_FAILED",
            "NO_VEHICLES",
            "SUBSCRIPTION",
            "VEHICLE_MISSING",
            "PERMISSION",
            "VIRTUAL_KEY_REQUIRED",
        ],
    ),
    ("PERMISSION", 403, [None]),
    ("RESOURCE_NOT_FOUND", 404, ["PATH", "VERSION", "SIGNAL_NOT_FOUND"]),
    (
        "VEHICLE_STATE",
        409,
        [
            "ASLEEP",
            "CHARGING_IN_PROGRESS",
            "CHARGING_PLUG_CONNECTED",
            "CHARGING_PLUG_NOT_CONNECTED",
            "DOOR_OPEN",
            "FULLY_CHARGED",
            "NOT_CHARGING",
            "CHARGE_FAULT",
            "HOOD_OPEN",
            "IGNITION_ON",
            "IN_MOTION",
            "REMOTE_ACCESS_DISABLED",
            "TRUNK_OPEN",
            "UNKNOWN",
            "UNREACHABLE",
            "VEHICLE_OFFLINE_FOR_SERVICE",
            "DEVICE_PAIRING_REQUIRED",
        ],
    ),
    ("RATE_LIMIT", 429, ["SMARTCAR_API", "VEHICLE"]),
    (
        "BILLING",
        430,
        ["INVALID_PLAN", "VEHICLE_LIMIT", "VEHICLE_REQUEST_LIMIT", "ACCOUNT_SUSPENDED"],
    ),
    ("SERVER", 500, ["INTERNAL", "MULTIPLE_RECORDS_FOUND", "RECORD_NOT_FOUND"]),
    (
        "COMPATIBILITY",
        501,
        [
            "MAKE_NOT_COMPATIBLE",
            "SMARTCAR_NOT_CAPABLE",
            "VEHICLE_NOT_CAPABLE",
            "PLATFORM_NOT_CAPABLE",
        ],
    ),
    (
        "UPSTREAM",
        502,
        ["INVALID_DATA", "KNOWN_ISSUE", "NO_RESPONSE", "RATE_LIMIT", "UNKNOWN_ISSUE"],
    ),
]

CLASS_BY_TYPE: Dict[str, Type[SmartcarException]] = {
    "CONNECTED_SERVICES_ACCOUNT": ValidationException,
    "VALIDATION": ValidationException,
    "AUTHENTICATION": AuthenticationException,
    "PERMISSION": PermissionException,
    "RESOURCE_NOT_FOUND": ResourceNotFoundException,
    "VEHICLE_STATE": StateException,
    "RATE_LIMIT": RateLimitingException,
    "BILLING": MonthlyLimitExceeded,
    "SERVER": ServerException,
    "COMPATIBILITY": VehicleNotCapableException,
    "UPSTREAM": UpstreamException,
}


def expected_class(error_type: str, status: int, code: Optional[str]) -> Type[SmartcarException]:
    if code == "SMARTCAR_NOT_CAPABLE":
        return SmartcarNotCapableException
    if status == 403:
        return PermissionException
    return CLASS_BY_TYPE[error_type]


def _rows(table: List[Tuple[str, int, List[Optional[str]]]]) -> List[Any]:
    return [
        pytest.param(error_type, status, code, id=f"{error_type}-{code}")
        for error_type, status, codes in table
        for code in codes
    ]


def v2_body(error_type: str, status: int, code: Optional[str]) -> Dict[str, Any]:
    return {
        "type": error_type,
        "code": code,
        "description": f"Description of {error_type}:{code}.",
        "docURL": f"https://smartcar.com/docs/errors/api-errors/x#{(code or 'none').lower()}",
        "statusCode": status,
        "requestId": "body-request-id-0001",
        "resolution": {"type": "REAUTHENTICATE", "url": "https://connect.example/reauth"}
        if error_type == "AUTHENTICATION"
        else {"type": "RETRY_LATER"},
        "detail": [{"field": "vin", "message": "must be 17 characters"}]
        if error_type == "VALIDATION"
        else None,
        "suggestedUserMessage": f"Please try again ({code}).",
    }


def v3_entry(error_type: str, status: int, code: Optional[str], n: int = 0) -> Dict[str, Any]:
    return {
        "status": str(status),
        "type": error_type,
        "code": code,
        "title": f"Title {status}",
        "detail": f"Detail {n} of {error_type}:{code}.",
        "links": {"about": f"https://smartcar.com/docs/errors/v3#{(code or 'none').lower()}"},
        "resolution": {"type": "RETRY_LATER"},
        "suggestedUserMessage": f"User message {n}.",
        "meta": {"debug": n},
    }


@pytest.mark.parametrize(("error_type", "status", "code"), _rows(V2_TABLE))
def test_every_v2_error_fills_every_attribute(
    error_type: str, status: int, code: Optional[str], mocked: responses.RequestsMock
) -> None:
    body = v2_body(error_type, status, code)
    headers = {"Retry-After": "7"} if error_type == "RATE_LIMIT" else {}
    mocked.get(f"{VEHICLE_URL}/odometer", status=status, json=body, headers=headers)
    with pytest.raises(SmartcarException) as caught:
        api.request("GET", f"{VEHICLE_URL}/odometer", token=ACCESS_TOKEN, max_retries=0)
    error = caught.value
    assert type(error) is expected_class(error_type, status, code)
    assert error.status_code == status
    assert error.type == error_type == error.error
    assert error.code == code
    assert error.description == body["description"] == error.message
    assert error.doc_url == body["docURL"]
    assert error.resolution == {
        "type": body["resolution"]["type"],
        "url": body["resolution"].get("url"),
    }
    assert error.detail == body["detail"]
    assert error.suggested_user_message == body["suggestedUserMessage"]
    assert error.request_id == "body-request-id-0001"
    assert error.retry_after == (7.0 if error_type == "RATE_LIMIT" else None)
    assert error.errors == []
    assert error.body == body
    if error_type == "VEHICLE_STATE":
        assert str(error) == f"{code}: {body['description']}"


def test_v2_request_id_header_wins_over_body() -> None:
    body = v2_body("VEHICLE_STATE", 409, "ASLEEP")
    error = _errors.decode_error(409, {"sc-request-id": "header-id"}, body, "")
    assert error.request_id == "header-id"


def test_v2_asleep_with_null_resolution_type() -> None:
    body = dict(v2_body("VEHICLE_STATE", 409, "ASLEEP"), resolution={"type": None})
    error = _errors.decode_error(409, {}, body, "")
    assert isinstance(error, StateException) and error.code == "ASLEEP"
    assert error.resolution == {"type": None, "url": None}


def test_v2_resolution_given_as_a_bare_string_is_kept() -> None:
    body = dict(v2_body("SERVER", 500, "INTERNAL"), resolution="RETRY_LATER")
    assert _errors.decode_error(500, {}, body, "").resolution == {
        "type": "RETRY_LATER",
        "url": None,
    }


def test_v2_without_resolution_is_none() -> None:
    body = {"type": "SERVER", "code": "INTERNAL", "description": "Boom"}
    error = _errors.decode_error(500, {}, body, "")
    assert error.resolution is None and error.doc_url is None and error.detail is None


@pytest.mark.parametrize(("error_type", "status", "code"), _rows(V3_TABLE))
def test_every_v3_error_with_several_entries(
    error_type: str, status: int, code: Optional[str]
) -> None:
    entries = [v3_entry(error_type, status, code, n) for n in range(2)]
    error = _errors.decode_error(status, {"sc-request-id": "v3-req"}, {"errors": entries}, "")
    assert type(error) is expected_class(error_type, status, code)
    assert error.status_code == status
    assert error.type == error_type and error.code == code
    assert error.title == f"Title {status}"
    assert error.detail == entries[0]["detail"] == error.description
    assert error.message == f"{entries[0]['detail']}; {entries[1]['detail']}"
    assert error.doc_url == entries[0]["links"]["about"]
    assert error.resolution == {"type": "RETRY_LATER", "url": None}
    assert error.suggested_user_message == "User message 0."
    assert error.request_id == "v3-req"
    assert error.errors == entries


@pytest.mark.parametrize(("error_type", "status", "code"), _rows(V3_TABLE))
def test_exception_from_v3_entry_picks_the_class_from_the_entry(
    error_type: str, status: int, code: Optional[str]
) -> None:
    entry = v3_entry(error_type, status, code)
    error = _errors.exception_from_v3_entry(entry, request_id="rid")
    assert type(error) is expected_class(error_type, status, code)
    assert error.status_code == status and error.request_id == "rid"
    assert error.errors == [entry]
    # Without a status, the type (and code) decide.
    no_status = {key: value for key, value in entry.items() if key != "status"}
    typed = _errors.exception_from_v3_entry(no_status)
    if status == 403 and error_type == "AUTHENTICATION":
        assert type(typed) is PermissionException
    elif status != 403:
        assert type(typed) is expected_class(error_type, status, code)
    assert typed.status_code is None


def test_exception_from_v3_entry_uses_the_answer_status_when_the_entry_has_none() -> None:
    error = _errors.exception_from_v3_entry(
        {"type": "VEHICLE_STATE", "code": "ASLEEP", "detail": "Zzz"}, status_code=409
    )
    assert isinstance(error, StateException) and error.status_code == 409
    assert str(error) == "ASLEEP: Zzz"


def test_exception_from_v3_entry_of_a_202_command_uses_the_entry_status() -> None:
    entry = {"status": "502", "type": "UPSTREAM", "code": "NO_RESPONSE", "title": "Bad Gateway"}
    error = _errors.exception_from_v3_entry(entry, status_code=202)
    assert isinstance(error, UpstreamException) and error.status_code == 502
    assert error.message == "Bad Gateway"


@pytest.mark.parametrize("entry", [None, "oops", 5, [], {}])
def test_exception_from_v3_entry_accepts_anything(entry: Any) -> None:
    error = _errors.exception_from_v3_entry(entry)
    assert type(error) is SmartcarException and error.message


def test_v1_body() -> None:
    body = {"error": "vehicle_state_error", "message": "Vehicle is asleep", "code": "VS_003"}
    error = _errors.decode_error(409, {"sc-request-id": "r1"}, body, "")
    assert isinstance(error, StateException)
    assert (error.error, error.type, error.code) == ("vehicle_state_error",) * 2 + ("VS_003",)
    assert str(error) == "VS_003: Vehicle is asleep" and error.request_id == "r1"
    assert error.resolution is None and error.errors == []


def test_v1_smartcar_not_capable() -> None:
    body = {"error": "smartcar_not_capable_error", "message": "No", "code": None}
    assert type(_errors.decode_error(501, {}, body, "")) is SmartcarNotCapableException


def test_oauth_body() -> None:
    body = {"error": "invalid_grant", "error_description": "Unauthorized redirect_uri"}
    error = _errors.decode_error(400, {}, body, "")
    assert isinstance(error, ValidationException)
    assert error.error == error.type == "invalid_grant"
    assert error.message == error.description == "Unauthorized redirect_uri"


def test_plain_502_from_a_gateway_is_a_server_exception_not_upstream() -> None:
    error = _errors.decode_error(502, {}, None, "<html>Bad Gateway</html>", reason="Bad Gateway")
    assert type(error) is ServerException
    assert error.message == "HTTP 502 Bad Gateway"


def test_upstream_is_a_server_exception_exported_from_smartcar() -> None:
    assert issubclass(smartcar.UpstreamException, smartcar.ServerException)
    for name in (
        "ConnectException",
        "WebhookSignatureError",
        "WebhookPayloadError",
        "UpstreamException",
    ):
        assert issubclass(getattr(smartcar, name), smartcar.SmartcarException), name


def test_connect_exception_attributes_survive_pickling() -> None:
    error = smartcar.ConnectException(
        "Vehicle incompatible",
        error="vehicle_incompatible",
        description="Vehicle incompatible",
        state="xyz",
        vin="1HGCM82633A004352",
        make="HONDA",
        model="Accord",
        year=2003,
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is smartcar.ConnectException
    for name in ("error", "description", "state", "vin", "make", "model", "year", "message"):
        assert getattr(copy, name) == getattr(error, name), name


@pytest.mark.parametrize(
    "body",
    [
        v2_body("VALIDATION", 400, "PARAMETER"),
        {"errors": [v3_entry("VEHICLE_STATE", 409, "ASLEEP", n) for n in range(3)]},
    ],
)
def test_every_attribute_survives_pickling(body: Dict[str, Any]) -> None:
    status = 400 if "type" in body else 409
    error = _errors.decode_error(status, {"sc-request-id": "r", "Retry-After": "3"}, body, "")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    for name in (
        "message",
        "status_code",
        "error",
        "type",
        "code",
        "request_id",
        "retry_after",
        "description",
        "doc_url",
        "resolution",
        "detail",
        "suggested_user_message",
        "title",
        "errors",
        "body",
    ):
        assert getattr(copy, name) == getattr(error, name), name
    assert str(copy) == str(error)


# smartcar 4.3's constructors: ``XException(response)`` ------------------------------------


class ResponseLike:
    """What 4.3-era test suites pass: an object whose ``.json()`` gives the error body."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def json(self) -> Any:
        return self._body


def test_state_exception_from_a_response_like_object_reads_as_in_4_3() -> None:
    error = StateException(
        ResponseLike(
            {
                "error": "vehicle_state_error",
                "message": "Vehicle is not plugged in",
                "code": "VS_003",
            }
        )
    )
    assert type(error) is StateException
    assert str(error) == "VS_003: Vehicle is not plugged in"
    assert error.code == "VS_003" and error.message == "Vehicle is not plugged in"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error": "validation_error", "message": "Bad vin"}, "Bad vin"),
        ({"error": "invalid_grant", "error_description": "Code expired"}, "Code expired"),
        ({"something": "else"}, "Unknown error"),
    ],
)
def test_base_exception_from_a_response_like_object(body: Dict[str, Any], message: str) -> None:
    for cls in (SmartcarException, ValidationException, ServerException):
        error = cls(ResponseLike(body))
        assert type(error) is cls and str(error) == message


def test_exception_from_a_requests_response() -> None:
    import requests

    response = requests.Response()
    response.status_code = 409
    response._content = b'{"error":"vehicle_state_error","message":"Asleep","code":"VS_001"}'
    response.headers["sc-request-id"] = "rid-1"
    error = StateException(response)
    assert str(error) == "VS_001: Asleep"
    assert error.status_code == 409 and error.request_id == "rid-1"
    assert error.response is response


def test_gateway_timeout_from_a_response_with_a_text_body() -> None:
    import requests

    response = requests.Response()
    response.status_code = 504
    response._content = b"Gateway timed out"
    error = smartcar.GatewayTimeoutException(response)
    assert str(error) == "Gateway timed out"


def test_response_whose_json_raises_is_still_accepted() -> None:
    class Broken:
        text = "plain failure"

        def json(self) -> Any:
            raise ValueError("not JSON")

    assert str(ServerException(Broken())) == "plain failure"


# Retry-After --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7.0), (" 2.5 ", 2.5), ("-5", 0.0), ("soon", None), ("", None), ("nan", None)],
)
def test_retry_after_values(value: str, expected: Optional[float]) -> None:
    assert _errors.parse_retry_after(value) == expected


def test_retry_after_date_in_the_past_is_zero() -> None:
    assert _errors.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


@pytest.mark.parametrize(
    "value", ["9" * 400, "1e309", "inf", "1e400", "Mon, 01 Jan 99999 00:00:00 GMT"]
)
def test_retry_after_too_large_to_parse_is_longer_than_any_cap(value: str) -> None:
    assert _errors.parse_retry_after(value) == _errors.MAX_RETRY_AFTER


@pytest.mark.parametrize("status", [429, 502, 503])
@pytest.mark.parametrize("value", ["9" * 400, "1e309", "Mon, 01 Jan 99999 00:00:00 GMT"])
def test_retry_after_too_large_to_parse_means_no_retry(
    status: int, value: str, mocked: responses.RequestsMock, clock: Any
) -> None:
    url = f"{VEHICLE_URL}/odometer"
    mocked.get(
        url, status=status, json={"error": "x", "message": "later"}, headers={"Retry-After": value}
    )
    with pytest.raises(SmartcarException) as caught:
        api.request("GET", url, token=ACCESS_TOKEN, max_retries=2)
    assert len(mocked.calls) == 1
    assert clock.sleeps == []
    assert caught.value.retry_after == _errors.MAX_RETRY_AFTER
