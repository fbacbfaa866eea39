"""Exact-request tests of ``AuthClient``: the Connect URL, both token exchanges, compatibility."""

from __future__ import annotations

import datetime
import re
import warnings
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from unit_support import (
    API,
    AUTH,
    AUTH_CODE,
    CLIENT_ID,
    CLIENT_SECRET,
    CONNECT,
    REDIRECT_URI,
    REFRESH_TOKEN,
    USER_AGENT_PATTERN,
    assert_no_secret,
    basic_auth_header,
    split_url,
)

import smartcar

BASE_QUERY = [
    ("response_type", "code"),
    ("client_id", CLIENT_ID),
    ("redirect_uri", REDIRECT_URI),
]

# (scope, test_mode, get_auth_url kwargs, expected query pairs besides BASE_QUERY)
AUTH_URL_CASES: List[
    Tuple[str, Optional[List[str]], bool, Dict[str, Any], List[Tuple[str, str]]]
] = [
    ("defaults", None, False, {}, [("approval_prompt", "auto")]),
    ("force", None, False, {"force": True}, [("approval_prompt", "force")]),
    (
        "scope joined by spaces",
        ["read_odometer", "read_vin"],
        False,
        {},
        [("approval_prompt", "auto"), ("scope", "read_odometer read_vin")],
    ),
    ("test mode", None, True, {}, [("approval_prompt", "auto"), ("mode", "test")]),
    (
        "state",
        None,
        False,
        {"state": "csrf 1/2"},
        [("approval_prompt", "auto"), ("state", "csrf 1/2")],
    ),
    (
        "make; other vehicle_info keys ignored",
        None,
        False,
        {"vehicle_info": {"make": "TESLA", "model": "S"}},
        [("approval_prompt", "auto"), ("make", "TESLA")],
    ),
    (
        "vehicle_info without make",
        None,
        False,
        {"vehicle_info": {"model": "S"}},
        [("approval_prompt", "auto")],
    ),
    (
        "single_select True",
        None,
        False,
        {"single_select": True},
        [("approval_prompt", "auto"), ("single_select", "true")],
    ),
    (
        "single_select False",
        None,
        False,
        {"single_select": False},
        [("approval_prompt", "auto"), ("single_select", "false")],
    ),
    (
        "single_select vin",
        None,
        False,
        {"single_select": {"vin": "1HGCM82633A004352"}},
        [
            ("approval_prompt", "auto"),
            ("single_select", "true"),
            ("single_select_vin", "1HGCM82633A004352"),
        ],
    ),
    (
        "single_select other value",
        None,
        False,
        {"single_select": "yes"},
        [("approval_prompt", "auto"), ("single_select", "false")],
    ),
    (
        "single_select dict without vin",
        None,
        False,
        {"single_select": {"make": "BMW"}},
        [("approval_prompt", "auto"), ("single_select", "false")],
    ),
    (
        "flags joined by spaces",
        None,
        False,
        {"flags": ["country:DE", "beta:1"]},
        [("approval_prompt", "auto"), ("flags", "country:DE beta:1")],
    ),
    (
        "everything",
        ["read_vehicle_info", "control_security"],
        True,
        {
            "force": True,
            "state": "s",
            "vehicle_info": {"make": "FORD"},
            "single_select": {"vin": "VIN1"},
            "flags": ["country:DE"],
        },
        [
            ("approval_prompt", "force"),
            ("scope", "read_vehicle_info control_security"),
            ("mode", "test"),
            ("state", "s"),
            ("make", "FORD"),
            ("single_select", "true"),
            ("single_select_vin", "VIN1"),
            ("flags", "country:DE"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("scope", "test_mode", "kwargs", "expected"),
    [case[1:] for case in AUTH_URL_CASES],
    ids=[case[0] for case in AUTH_URL_CASES],
)
def test_get_auth_url(
    scope: Optional[List[str]],
    test_mode: bool,
    kwargs: Dict[str, Any],
    expected: List[Tuple[str, str]],
) -> None:
    client = smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, scope, test_mode)
    url = client.get_auth_url(**kwargs)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == CONNECT
    assert parts.path == "/oauth/authorize"
    query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True)
    assert sorted(query) == sorted(BASE_QUERY + expected)
    assert CLIENT_SECRET not in url


def test_get_auth_url_query_is_in_4_3_5_order() -> None:
    """Byte-for-byte the URL 4.3.5 built (its dict order), except true/false in lower case."""
    client = smartcar.AuthClient(
        CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, ["read_vin", "read_odometer"], True
    )
    url = client.get_auth_url(
        force=True,
        state="st 1",
        vehicle_info={"make": "FORD"},
        single_select={"vin": "VIN1"},
        flags=["country:DE", "beta"],
    )
    assert url == (
        f"{CONNECT}/oauth/authorize?response_type=code&client_id={CLIENT_ID}"
        "&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcallback&approval_prompt=force"
        "&mode=test&scope=read_vin+read_odometer&state=st+1&make=FORD"
        "&single_select=true&single_select_vin=VIN1&flags=country%3ADE+beta"
    )


@pytest.mark.parametrize(
    ("single_select", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (1, "true"),
        (0, "false"),
        ("true", "false"),
        ({"vin": "V"}, "true"),
        ({"vin": ""}, "false"),
        ({}, "false"),
        ([], "false"),
    ],
)
def test_single_select_is_always_lower_case_true_or_false(
    client: smartcar.AuthClient, single_select: Any, expected: str
) -> None:
    query = parse_qsl(urlsplit(client.get_auth_url(single_select=single_select)).query)
    assert [v for k, v in query if k == "single_select"] == [expected]


def test_get_auth_url_follows_reassigned_connect_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smartcar.const, "CONNECT_URL", "http://127.0.0.1:9")
    url = smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI).get_auth_url()
    assert url.startswith("http://127.0.0.1:9/oauth/authorize?")


@pytest.mark.parametrize("scope", [["read_odometer"], ("read_odometer",), {"read_odometer"}])
def test_the_6x_scope_first_habit_is_a_type_error_saying_where_the_scope_goes(
    client: smartcar.AuthClient, scope: Any
) -> None:
    # In 4.3 (and here) the first positional parameter is force: a list there would ask for
    # no scope at all, and Connect would grant every permission.
    with pytest.raises(TypeError, match=r"first argument is force .*scope=\[\.\.\.\]"):
        client.get_auth_url(scope)


def test_the_6x_options_dict_is_a_type_error_naming_the_keywords(
    client: smartcar.AuthClient,
) -> None:
    with pytest.raises(TypeError, match="state=, vehicle_info=, single_select= and flags="):
        client.get_auth_url(False, {"state": "s", "make_bypass": "TESLA"})  # type: ignore[arg-type]


@pytest.mark.parametrize("development", [True, False])
def test_development_flag_is_deprecated_alias_of_test_mode(development: bool) -> None:
    with pytest.warns(DeprecationWarning, match="test_mode"):
        client = smartcar.AuthClient(
            CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, development=development
        )
    assert client.test_mode is development
    query = dict(parse_qsl(urlsplit(client.get_auth_url()).query))
    assert ("mode" in query) is development
    if development:
        assert query["mode"] == "test"


def test_no_deprecation_warning_without_development() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, test_mode=True)


def test_repr_hides_the_secret(client: smartcar.AuthClient) -> None:
    text = repr(client)
    assert CLIENT_ID in text
    assert_no_secret(text, str(client))


TOKEN_BODY = {
    "access_token": "new-access-token-value",
    "token_type": "Bearer",
    "expires_in": 7200,
    "refresh_token": "new-refresh-token-value",
}

EXCHANGES = [
    pytest.param(
        lambda c: c.exchange_code(AUTH_CODE),
        "grant_type=authorization_code&code=auth-code-CODESECRET-abcdef"
        "&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcallback",
        id="exchange_code",
    ),
    pytest.param(
        lambda c: c.exchange_refresh_token(REFRESH_TOKEN),
        "grant_type=refresh_token&refresh_token=refresh-token-REFRESHSECRET-87654321",
        id="exchange_refresh_token",
    ),
]


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


@pytest.mark.parametrize(("exchange", "form"), EXCHANGES)
@pytest.mark.parametrize(
    ("extra", "refresh_lifetime"),
    [
        ({}, datetime.timedelta(days=60)),
        ({"refresh_expires_in": 3600}, datetime.timedelta(seconds=3600)),
    ],
    ids=["default 60 days", "refresh_expires_in sent"],
)
def test_token_exchange(
    mocked: responses.RequestsMock,
    client: smartcar.AuthClient,
    exchange: Any,
    form: str,
    extra: Dict[str, Any],
    refresh_lifetime: datetime.timedelta,
) -> None:
    body = {**TOKEN_BODY, **extra}
    mocked.post(AUTH, json=body, headers={"sc-request-id": "req-token"})
    before = _utcnow()
    access = exchange(client)
    after = _utcnow()

    assert len(mocked.calls) == 1
    sent = mocked.calls[0].request
    assert sent.method == "POST"
    assert sent.url == AUTH
    assert sent.body == form
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.headers["Authorization"] == basic_auth_header(CLIENT_ID, CLIENT_SECRET)
    assert re.fullmatch(USER_AGENT_PATTERN, sent.headers["User-Agent"])
    assert "sc-unit-system" not in sent.headers

    for key, value in body.items():
        assert access[key] == value
    for key in ("expiration", "refresh_expiration"):
        assert isinstance(access[key], datetime.datetime)
        assert access[key].tzinfo is None
    expires = datetime.timedelta(seconds=7200)
    assert before + expires <= access["expiration"] <= after + expires
    assert before + refresh_lifetime <= access["refresh_expiration"] <= after + refresh_lifetime
    assert access.request_id == "req-token"
    assert set(access) == {*body, "expiration", "refresh_expiration"}


def test_is_compatible(mocked: responses.RequestsMock, client: smartcar.AuthClient) -> None:
    mocked.get(f"{API}/compatibility", json={"compatible": False})
    assert client.is_compatible("1HGCM82633A004352", ["read_odometer", "read_vin"], "DE") is False
    sent = mocked.calls[0].request
    assert sent.method == "GET"
    base, query = split_url(sent.url)
    assert base == f"{API}/compatibility"
    assert sorted(query) == sorted(
        [("vin", "1HGCM82633A004352"), ("scope", "read_odometer read_vin"), ("country", "DE")]
    )
    assert sent.headers["Authorization"] == basic_auth_header(CLIENT_ID, CLIENT_SECRET)
    assert re.fullmatch(USER_AGENT_PATTERN, sent.headers["User-Agent"])
    assert sent.body is None


def test_is_compatible_default_country_and_true(
    mocked: responses.RequestsMock, client: smartcar.AuthClient
) -> None:
    mocked.get(f"{API}/compatibility", json={"compatible": True})
    assert client.is_compatible("VIN", ["read_vin"]) is True
    assert dict(split_url(mocked.calls[0].request.url)[1])["country"] == "US"


@pytest.mark.parametrize("body", [{}, {"compatible": "yes"}, {"compatible": None}, []])
def test_is_compatible_without_a_boolean_raises(
    mocked: responses.RequestsMock, client: smartcar.AuthClient, body: Any
) -> None:
    mocked.get(f"{API}/compatibility", json=body)
    with pytest.raises(smartcar.SmartcarException) as caught:
        client.is_compatible("VIN", ["read_vin"])
    assert type(caught.value) is smartcar.SmartcarException


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"access_token": "a", "refresh_token": "r"},
        {"access_token": "a", "refresh_token": "r", "expires_in": "7200"},
        [TOKEN_BODY],
        None,
    ],
    ids=["empty", "no expires_in", "string expires_in", "array", "empty body"],
)
def test_token_answer_missing_fields_raises(
    mocked: responses.RequestsMock, client: smartcar.AuthClient, body: Any
) -> None:
    mocked.post(AUTH, json=body)
    with pytest.raises(smartcar.SmartcarException) as caught:
        client.exchange_refresh_token(REFRESH_TOKEN)
    assert type(caught.value) is smartcar.SmartcarException
    assert caught.value.status_code == 200
    assert_no_secret(str(caught.value), repr(caught.value))


@pytest.mark.parametrize(
    "body",
    [
        {"key": "value", "expires_in": 7200},
        {"refresh_token": "r", "expires_in": 7200},
        {"access_token": "a", "expires_in": 7200.5, "scope": "read_vin", "token_type": None},
    ],
    ids=["unrelated field", "no access_token", "extra fields"],
)
def test_token_answer_comes_back_as_it_came_plus_expirations(
    mocked: responses.RequestsMock, client: smartcar.AuthClient, body: Dict[str, Any]
) -> None:
    """4.3 returned the token answer as it came plus the two expirations (users' suites mock
    partial answers); only an answer without ``expires_in`` could not be built."""
    mocked.post(AUTH, json=body)
    before = _utcnow()
    access = client.exchange_code(AUTH_CODE)
    expiration = access["expiration"]
    refresh_expiration = access["refresh_expiration"]
    assert access == {
        **body,
        "expiration": expiration,
        "refresh_expiration": refresh_expiration,
    }
    assert list(access) == [*body, "expiration", "refresh_expiration"]
    assert (
        before + datetime.timedelta(seconds=7200)
        <= expiration
        <= _utcnow() + datetime.timedelta(seconds=7201)
    )
    assert refresh_expiration - expiration > datetime.timedelta(days=59)


@pytest.mark.parametrize("bad", [0.0, -1, "5", (1, 2, 3), True])
def test_auth_client_rejects_bad_timeout(bad: Any) -> None:
    with pytest.raises(ValueError):
        smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, timeout=bad)


@pytest.mark.parametrize("bad", [-1, 1.5, "2", True])
def test_auth_client_rejects_bad_max_retries(bad: Any) -> None:
    with pytest.raises(ValueError):
        smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, max_retries=bad)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"access_token":"a","refresh_token":"r","token_type":"Bearer","expires_in":1e400}',
        b'{"access_token":"a","refresh_token":"r","token_type":"Bearer","expires_in":NaN}',
        b'{"access_token":"a","refresh_token":"r","token_type":"Bearer",'
        b'"expires_in":100000000000000000000}',
        b'{"access_token":"a","refresh_token":"r","token_type":"Bearer","expires_in":-1e15}',
        b'{"access_token":"a","refresh_token":"r","token_type":"Bearer","expires_in":1'
        + b"0" * 400
        + b"}",
        b'{"access_token":"a","refresh_token":"r","token_type":"Bearer","expires_in":7200,'
        b'"refresh_expires_in":1e300}',
        b'{"access_token":"a","refresh_token":"r","token_type":"Bearer","expires_in":7200,'
        b'"refresh_expires_in":-Infinity}',
    ],
    ids=[
        "expires_in infinite",
        "expires_in NaN",
        "expires_in huge int",
        "expires_in hugely negative",
        "expires_in beyond float",
        "refresh_expires_in huge",
        "refresh_expires_in -infinite",
    ],
)
def test_token_answer_with_out_of_range_lifetime_raises_smartcar_exception(
    mocked: responses.RequestsMock, client: smartcar.AuthClient, raw: bytes
) -> None:
    """A lifetime no datetime can hold must not escape as a raw OverflowError/ValueError."""
    mocked.post(AUTH, body=raw, content_type="application/json")
    try:
        access = client.exchange_code(AUTH_CODE)
    except smartcar.SmartcarException as error:
        assert error.status_code == 200
        assert_no_secret(str(error), repr(error))
        return
    # Accepting the answer is fine too, as long as both expirations are usable datetimes.
    assert isinstance(access["expiration"], datetime.datetime)
    assert isinstance(access["refresh_expiration"], datetime.datetime)


@pytest.mark.parametrize("field", ["access_token", "refresh_token"])
@pytest.mark.parametrize("token", ["a\nb", "tökén", "a\x00b", "a\r\nSet-Cookie: x"])
def test_a_token_that_cannot_be_sent_back_is_refused(
    mocked: responses.RequestsMock, client: smartcar.AuthClient, field: str, token: str
) -> None:
    body = {"access_token": "a", "refresh_token": "r", "expires_in": 7200, field: token}
    mocked.post(AUTH, json=body)
    with pytest.raises(smartcar.SmartcarException, match=field) as caught:
        client.exchange_code(AUTH_CODE)
    assert type(caught.value) is smartcar.SmartcarException
    assert token not in str(caught.value) and token not in repr(caught.value)
    assert_no_secret(str(caught.value), repr(caught.value))
