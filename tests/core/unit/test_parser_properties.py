"""Property-based tests: whatever the service answers, the SDK returns a result or raises a
``SmartcarException`` subclass; never a ``KeyError``, ``JSONDecodeError``, ``RecursionError``..."""

from __future__ import annotations

import datetime
import json
import math
import os
import pickle
import re
from typing import Any, Callable, Dict, Mapping, Tuple, Union

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict
from unit_support import (
    ACCESS_TOKEN,
    API,
    AUTH,
    AUTH_CODE,
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    REFRESH_TOKEN,
    VEHICLE_ID,
    VEHICLE_URL,
    assert_no_secret,
)

import smartcar
from smartcar import api
from smartcar.exceptions import (
    NetworkException,
    SmartcarException,
    exception_class_for,
    exception_for_response,
)

SETTINGS = settings(
    # ~200 keeps the file at a few seconds; SMARTCAR_FUZZ_EXAMPLES=5000 for a deeper search.
    max_examples=int(os.environ.get("SMARTCAR_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ATTRIBUTES = ("message", "status_code", "error", "code", "request_id", "retry_after", "body")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)
ERROR_KEYS = [
    "error",
    "message",
    "code",
    "type",
    "description",
    "error_description",
    "requestId",
    "statusCode",
    "docURL",
    "resolution",
    "detail",
]
error_objects = st.dictionaries(st.sampled_from(ERROR_KEYS), json_values, max_size=8)


def _nested(depth: int, kind: str) -> bytes:
    if kind == "list":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def _encode(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


bodies = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    json_values.map(_encode),
    error_objects.map(_encode),
    st.tuples(st.integers(1, 200_000), st.sampled_from(["list", "dict"])).map(
        lambda args: _nested(*args)
    ),
    error_objects.map(_encode).flatmap(
        lambda raw: st.integers(0, max(0, len(raw) - 1)).map(lambda cut: raw[:cut])
    ),
    st.sampled_from(
        [
            b"",
            b"null",
            b"[]",
            b"{}",
            b"<html><body>502 Bad Gateway</body></html>",
            b"\xff\xfe",
            b"NaN",
            b"-Infinity",
            b"1" * 5000,
            b'"\\ud800"',
            b"\x00",
            b"  \n ",
        ]
    ),
)

RETRY_AFTER_SAMPLES = [
    "1e400",
    "nan",
    "-5",
    "inf",
    "-inf",
    "0x10",
    "1_000",
    " 5 ",
    "",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "Mon, 01 Jan 99999 00:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 +2359",
    "Mon, 01 Jan 0001 00:00:00 -2359",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "3.5",
    "9" * 400,
]
AGE_SAMPLES = [
    "2019-10-24T00:43:46.000Z",
    "2018-05-02T18:04:25+00:00",
    "0000-00-00",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+14:00",
    "2019-10-24T00:43:46.000+99:99",
    "T",
    "Z",
    "2019-W01-1",
    "20191024T004346Z",
    "1571877826",
    "-1",
]
header_names = st.one_of(
    st.sampled_from(
        [
            "sc-request-id",
            "Retry-After",
            "retry-after",
            "sc-data-age",
            "sc-unit-system",
            "Content-Type",
            "SC-Request-Id",
        ]
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12),
)
header_values = st.one_of(
    st.sampled_from(RETRY_AFTER_SAMPLES + AGE_SAMPLES + ["metric", "imperial", "METRIC"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
header_dicts = st.dictionaries(header_names, header_values, max_size=6)


def _headers(raw: Dict[str, str], case_insensitive: bool) -> Mapping[str, str]:
    return CaseInsensitiveDict(raw) if case_insensitive else raw


def _check_exception(error: SmartcarException, status: int) -> None:
    assert isinstance(error, SmartcarException)
    for name in (*ATTRIBUTES, "response"):
        assert hasattr(error, name), name
    assert isinstance(error.message, str) and error.message
    assert isinstance(str(error), str) and isinstance(repr(error), str)
    assert error.status_code == status
    assert error.retry_after is None or (
        isinstance(error.retry_after, float)
        and math.isfinite(error.retry_after)
        and error.retry_after >= 0
    )
    assert error.request_id is None or isinstance(error.request_id, str)
    assert error.error is None or isinstance(error.error, str)
    assert error.code is None or isinstance(error.code, str)


def _json_or_none(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return None


@SETTINGS
@given(
    status=st.integers(100, 599),
    content=bodies,
    raw_headers=header_dicts,
    case_insensitive=st.booleans(),
)
def test_parse_response_returns_result_or_smartcar_exception(
    status: int, content: bytes, raw_headers: Dict[str, str], case_insensitive: bool
) -> None:
    headers = _headers(raw_headers, case_insensitive)
    try:
        result: Union[api.ApiResponse, SmartcarException] = api.parse_response(
            status, headers, content
        )
    except SmartcarException as error:
        result = error
    if isinstance(result, api.ApiResponse):
        assert 200 <= status < 300
        assert result.status_code == status
        assert repr(result.body) == repr(_json_or_none(content))
        return
    _check_exception(result, status)
    if 200 <= status < 300:
        assert type(result) is SmartcarException
        assert result.error == "invalid_response"
    else:
        assert type(result) is exception_class_for(status, result.error)
    if _depth(result.body) < 400:  # deeper bodies: see test_deeply_nested_error_is_picklable
        clone = pickle.loads(pickle.dumps(result))
        assert type(clone) is type(result) and str(clone) == str(result)


def _depth(value: Any) -> int:
    depth = 0
    layer = [value]
    while layer:
        layer = [
            child
            for item in layer
            if isinstance(item, (list, dict))
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        depth += 1
    return depth


@pytest.mark.parametrize("depth", [450, 600, 900])
def test_deeply_nested_error_is_picklable(depth: int) -> None:
    """An error answer whose JSON body nests a few hundred levels deep still parses (json
    accepts up to the recursion limit), so the exception must survive pickling too (e.g. to
    cross a multiprocessing or task-queue boundary)."""
    with pytest.raises(SmartcarException) as caught:
        api.parse_response(502, {}, b"[" * depth + b"]" * depth)
    clone = pickle.loads(pickle.dumps(caught.value))
    assert type(clone) is type(caught.value)
    assert clone.status_code == 502


@SETTINGS
@given(
    status=st.integers(100, 599),
    body=st.one_of(json_values, error_objects),
    text=st.text(max_size=300),
    raw_headers=header_dicts,
    case_insensitive=st.booleans(),
    reason=st.one_of(st.none(), st.text(max_size=20)),
)
def test_exception_for_response_always_builds_an_exception(
    status: int,
    body: Any,
    text: str,
    raw_headers: Dict[str, str],
    case_insensitive: bool,
    reason: Any,
) -> None:
    error = exception_for_response(
        status, _headers(raw_headers, case_insensitive), body, text, None, reason
    )
    _check_exception(error, status)
    assert type(error) is exception_class_for(status, error.error)


@pytest.mark.parametrize("depth", [10, 900, 5000, 100_000])
def test_exception_for_deeply_nested_body(depth: int) -> None:
    body: Any = "leaf"
    for _ in range(depth):
        body = {"error": body}
    error = exception_for_response(500, {}, body, "", None, None)
    _check_exception(error, 500)
    assert type(error).__name__ == "ServerException"


VEHICLE_CALLS: Dict[str, Callable[[smartcar.Vehicle], Any]] = {
    "info": lambda v: v.info(),
    "vin": lambda v: v.vin(),
    "permissions": lambda v: v.permissions(),
    "has_permissions": lambda v: v.has_permissions(["read_vin", "required:read_odometer"]),
    "location": lambda v: v.location(),
    "odometer": lambda v: v.odometer(),
    "fuel": lambda v: v.fuel(),
    "battery": lambda v: v.battery(),
    "battery_capacity": lambda v: v.battery_capacity(),
    "charge": lambda v: v.charge(),
    "oil": lambda v: v.oil(),
    "tire_pressure": lambda v: v.tire_pressure(),
    "lock": lambda v: v.lock(),
    "start_charge": lambda v: v.start_charge(),
    "batch": lambda v: v.batch(["/odometer", "/vin"]),
    "disconnect": lambda v: v.disconnect(),
}
ANY_VEHICLE_URL = re.compile(re.escape(VEHICLE_URL) + r"(/.*)?$")
UNIT_READS = {"odometer", "fuel", "battery", "tire_pressure"}
DATA_READS = UNIT_READS | {"location", "battery_capacity", "charge", "oil"}
batch_answers = st.fixed_dictionaries(
    {
        "responses": st.lists(
            st.one_of(
                json_values,
                st.fixed_dictionaries(
                    {"path": st.sampled_from(["/odometer", "/vin"])},
                    optional={"code": json_values, "headers": json_values, "body": json_values},
                ),
            ),
            max_size=3,
        )
    }
)


@SETTINGS
@given(
    name=st.sampled_from(sorted(VEHICLE_CALLS)),
    status=st.integers(200, 299),
    content=st.one_of(bodies, batch_answers.map(_encode)),
    raw_headers=header_dicts,
    unit_system=st.sampled_from(["metric", "imperial"]),
)
def test_vehicle_read_path_end_to_end(
    name: str, status: int, content: bytes, raw_headers: Dict[str, str], unit_system: str
) -> None:
    vehicle = smartcar.Vehicle(VEHICLE_ID, ACCESS_TOKEN, unit_system, max_retries=0)
    headers = {k: v for k, v in raw_headers.items() if k.lower() != "content-type"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        for method in ("GET", "POST", "DELETE"):
            mocked.add(method, ANY_VEHICLE_URL, body=content, status=status, headers=headers)
        try:
            result = VEHICLE_CALLS[name](vehicle)
        except SmartcarException as error:
            if isinstance(error, NetworkException):
                # urllib3 refuses a body on a 204/205 ("Response may not contain content")
                assert status in (204, 205) and content, error
            else:
                assert type(error) is SmartcarException
                assert error.status_code == status
            assert_no_secret(str(error), repr(error))
            return
    if name in DATA_READS:
        assert isinstance(result["data"], dict)
        age = result["age"]
        assert age is None or (isinstance(age, datetime.datetime) and age.tzinfo is not None)
        if name in UNIT_READS:
            assert isinstance(result["unit_system"], str) and result["unit_system"]
    elif name == "vin":
        assert isinstance(result, str)
    elif name == "permissions":
        assert isinstance(result, list) and all(isinstance(p, str) for p in result)
    elif name == "has_permissions":
        assert isinstance(result, bool)
    elif name == "batch":
        assert isinstance(result, dict) and set(result) <= {"/odometer", "/vin"}
    elif name == "disconnect":
        assert result is None
    elif name in ("lock", "start_charge"):
        assert isinstance(result["status"], str)


lifetimes = st.one_of(
    st.integers(), st.floats(), st.sampled_from([7200, 0, -1, 1e400]), json_values
)
token_answers = st.fixed_dictionaries(
    {"access_token": st.text(max_size=20), "refresh_token": st.text(max_size=20)},
    optional={"token_type": json_values, "expires_in": lifetimes, "refresh_expires_in": lifetimes},
)
OTHER_CALLS: Dict[str, Tuple[str, str, Callable[[], Any]]] = {
    "exchange_code": ("POST", AUTH, lambda: _auth_client().exchange_code(AUTH_CODE)),
    "exchange_refresh_token": (
        "POST",
        AUTH,
        lambda: _auth_client().exchange_refresh_token(REFRESH_TOKEN),
    ),
    "is_compatible": (
        "GET",
        f"{API}/compatibility",
        lambda: _auth_client().is_compatible("VIN", ["read_vin"]),
    ),
    "get_vehicle_ids": ("GET", f"{API}/vehicles", lambda: smartcar.get_vehicle_ids(ACCESS_TOKEN)),
    "get_user_id": ("GET", f"{API}/user", lambda: smartcar.get_user_id(ACCESS_TOKEN)),
}


def _auth_client() -> smartcar.AuthClient:
    return smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, max_retries=0)


@SETTINGS
@given(
    name=st.sampled_from(sorted(OTHER_CALLS)),
    status=st.integers(200, 299).filter(lambda s: s not in (204, 205)),
    content=st.one_of(bodies, token_answers.map(_encode)),
    raw_headers=header_dicts,
)
def test_token_and_module_calls_end_to_end(
    name: str, status: int, content: bytes, raw_headers: Dict[str, str]
) -> None:
    method, url, call = OTHER_CALLS[name]
    headers = {k: v for k, v in raw_headers.items() if k.lower() != "content-type"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add(method, url, body=content, status=status, headers=headers)
        try:
            result = call()
        except SmartcarException as error:
            assert type(error) is SmartcarException
            assert error.status_code == status
            assert_no_secret(str(error), repr(error))
            return
    if name.startswith("exchange"):  # the answer's fields as they came, as in 4.3
        assert isinstance(result, dict) and "expires_in" in result
        assert isinstance(result["expiration"], datetime.datetime)
        assert isinstance(result["refresh_expiration"], datetime.datetime)
    elif name == "is_compatible":
        assert isinstance(result, bool)
    elif name == "get_vehicle_ids":  # the answer as it came, as in 4.3
        assert isinstance(result, dict) and "request_id" not in result
    else:
        assert isinstance(result, str)
