"""Exact-request tests of the v2 management calls (``get_connections``,
``delete_connections``) and the v2 webhook helpers (``hash_challenge``, ``verify_payload``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, Callable, Dict, List

import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st
from test_parser_properties import SETTINGS, bodies, header_dicts, json_values
from unit_support import USER_AGENT_PATTERN, split_url

import smartcar

MANAGEMENT = "https://management.smartcar.test/v2.0/management"
CONNECTIONS = f"{MANAGEMENT}/connections/"  # the official 6.x URL, trailing slash included
AMT = "amt-MANAGEMENTSECRET-0123456789"
BASIC = "Basic " + base64.b64encode(f"default:{AMT}".encode()).decode()


@pytest.fixture(autouse=True)
def _management_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smartcar.const, "MANAGEMENT_API_URL", MANAGEMENT)


def _connection(number: int) -> Dict[str, Any]:
    return {
        "userId": f"user-{number}",
        "vehicleId": f"vehicle-{number}",
        "connectedAt": f"2024-01-0{number}T00:00:00.000Z",
        "mode": "live",
    }


def test_get_connections_follows_every_cursor_page(mocked: responses.RequestsMock) -> None:
    pages = [
        {"connections": [_connection(1), _connection(2)], "paging": {"cursor": "c-2"}},
        {"connections": [_connection(3)], "paging": {"cursor": "c-3"}},
        {"connections": [], "paging": {"cursor": None}},
    ]
    for page in pages:
        mocked.get(CONNECTIONS, json=page, headers={"sc-request-id": "rid"})

    result = smartcar.get_connections(AMT, user_id="user-1", limit=2)

    assert result == [_connection(1), _connection(2), _connection(3)]
    queries = [split_url(call.request.url) for call in mocked.calls]
    assert queries == [
        (CONNECTIONS, [("user_id", "user-1"), ("limit", "2")]),
        (CONNECTIONS, [("user_id", "user-1"), ("cursor", "c-2"), ("limit", "2")]),
        (CONNECTIONS, [("user_id", "user-1"), ("cursor", "c-3"), ("limit", "2")]),
    ]
    for call in mocked.calls:
        assert call.request.method == "GET"
        assert call.request.headers["Authorization"] == BASIC
        assert "sc-unit-system" not in call.request.headers
        assert not call.request.body
    assert smartcar.last_request_id() == "rid"


@pytest.mark.parametrize(
    ("kwargs", "query"),
    [
        ({}, []),
        ({"vehicle_id": "v-1"}, [("vehicle_id", "v-1")]),
        ({"user_id": "u", "vehicle_id": "v"}, [("user_id", "u"), ("vehicle_id", "v")]),
        ({"mode": "test", "limit": 100}, [("mode", "test"), ("limit", "100")]),
    ],
)
def test_get_connections_one_page(
    mocked: responses.RequestsMock, kwargs: Dict[str, Any], query: List[Any]
) -> None:
    mocked.get(CONNECTIONS, json={"connections": [_connection(1)], "paging": {}})
    assert smartcar.get_connections(AMT, **kwargs) == [_connection(1)]
    assert split_url(mocked.calls[0].request.url) == (CONNECTIONS, query)


def test_get_connections_without_paging_is_one_page(mocked: responses.RequestsMock) -> None:
    mocked.get(CONNECTIONS, json={"connections": [_connection(1)]})
    assert smartcar.get_connections(AMT) == [_connection(1)]
    assert len(mocked.calls) == 1


def test_get_connections_stops_on_a_repeated_cursor(mocked: responses.RequestsMock) -> None:
    mocked.get(CONNECTIONS, json={"connections": [_connection(1)], "paging": {"cursor": "c-2"}})
    mocked.get(CONNECTIONS, json={"connections": [_connection(2)], "paging": {"cursor": "c-2"}})
    assert smartcar.get_connections(AMT) == [_connection(1), _connection(2)]
    assert len(mocked.calls) == 2


def test_get_connections_stops_on_a_page_with_nothing_new(mocked: responses.RequestsMock) -> None:
    for cursor in ("c-2", "c-3", "c-4"):
        body = {"connections": [_connection(1)], "paging": {"cursor": cursor}}
        mocked.get(CONNECTIONS, json=body)
    assert smartcar.get_connections(AMT) == [_connection(1)]
    assert len(mocked.calls) == 2


def test_get_connections_yields_an_overlapping_connection_once(
    mocked: responses.RequestsMock,
) -> None:
    pages = [
        {"connections": [_connection(1), _connection(2)], "paging": {"cursor": "c-2"}},
        {"connections": [_connection(2), _connection(3)], "paging": {"cursor": None}},
    ]
    for body in pages:
        mocked.get(CONNECTIONS, json=body)
    assert smartcar.get_connections(AMT) == [_connection(1), _connection(2), _connection(3)]


def test_get_connections_refuses_a_cursor_that_is_not_a_string(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(CONNECTIONS, json={"connections": [_connection(1)], "paging": {"cursor": 7}})
    with pytest.raises(smartcar.SmartcarException) as caught:
        smartcar.get_connections(AMT)
    assert type(caught.value) is smartcar.SmartcarException


@pytest.mark.parametrize("body", [[], {"connections": "x"}, {"connections": [1]}, None])
def test_get_connections_malformed_answer_raises(mocked: responses.RequestsMock, body: Any) -> None:
    mocked.get(CONNECTIONS, json=body)
    with pytest.raises(smartcar.SmartcarException) as caught:
        smartcar.get_connections(AMT)
    assert type(caught.value) is smartcar.SmartcarException


@pytest.mark.parametrize(
    ("kwargs", "query"),
    [
        ({"user_id": "u-1"}, [("user_id", "u-1")]),
        ({"vehicle_id": "v-1"}, [("vehicle_id", "v-1")]),
        ({"user_id": "u-1", "vehicle_id": "v-1"}, [("user_id", "u-1"), ("vehicle_id", "v-1")]),
    ],
)
def test_delete_connections(
    mocked: responses.RequestsMock, kwargs: Dict[str, str], query: List[Any]
) -> None:
    deleted = [{"userId": "u-1", "vehicleId": "v-1"}]
    mocked.delete(CONNECTIONS, json={"connections": deleted}, headers={"sc-request-id": "d"})
    assert smartcar.delete_connections(AMT, **kwargs) == deleted
    sent = mocked.calls[0].request
    assert sent.method == "DELETE"
    assert split_url(sent.url) == (CONNECTIONS, query)
    assert sent.headers["Authorization"] == BASIC
    assert not sent.body


@pytest.mark.parametrize("status", [500, 502, 503])
def test_delete_connections_is_never_repeated(mocked: responses.RequestsMock, status: int) -> None:
    mocked.delete(CONNECTIONS, status=status, json={})
    with pytest.raises(smartcar.SmartcarException):
        smartcar.delete_connections(AMT, user_id="u")
    assert len(mocked.calls) == 1


def test_management_error_never_shows_the_token(mocked: responses.RequestsMock) -> None:
    echo = f"bad credentials {AMT} {BASIC}"
    mocked.get(CONNECTIONS, status=401, json={"type": "AUTHENTICATION", "description": echo})
    with pytest.raises(smartcar.AuthenticationException) as caught:
        smartcar.get_connections(AMT)
    for text in (str(caught.value), repr(caught.value), str(caught.value.body)):
        assert AMT not in text and BASIC.split()[1] not in text


BAD = [
    pytest.param(lambda: smartcar.get_connections(None), TypeError, "management_token", id="amt"),
    pytest.param(lambda: smartcar.get_connections(""), ValueError, "management_token", id="''"),
    pytest.param(lambda: smartcar.get_connections(AMT, user_id=5), TypeError, "user_id", id="u"),
    pytest.param(lambda: smartcar.get_connections(AMT, limit="5"), TypeError, "limit", id="lim"),
    pytest.param(lambda: smartcar.get_connections(AMT, limit=0), ValueError, "limit", id="0"),
    pytest.param(lambda: smartcar.get_connections(AMT, mode="LIVE"), ValueError, "mode", id="m"),
    pytest.param(
        lambda: smartcar.delete_connections(AMT), ValueError, "user_id", id="delete nothing"
    ),
    pytest.param(
        lambda: smartcar.delete_connections(AMT, vehicle_id=1),
        TypeError,
        "vehicle_id",
        id="delete vehicle_id int",
    ),
    pytest.param(
        lambda: smartcar.delete_connections(b"amt", user_id="u"),
        TypeError,
        "management_token",
        id="delete bytes token",
    ),
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD)
def test_bad_management_arguments(
    mocked: responses.RequestsMock, call: Callable[[], object], error: type, argument: str
) -> None:
    with pytest.raises(error) as caught:
        call()
    assert argument in str(caught.value) and AMT not in str(caught.value)
    assert len(mocked.calls) == 0


def test_user_agent_on_management_calls(mocked: responses.RequestsMock) -> None:
    import re

    mocked.get(CONNECTIONS, json={"connections": []})
    smartcar.get_connections(AMT)
    assert re.fullmatch(USER_AGENT_PATTERN, mocked.calls[0].request.headers["User-Agent"])


# --- v2 webhook helpers -------------------------------------------------------------------

BODY = '{"version":"2.0","webhookId":"w","eventName":"verify","payload":{"challenge":"abc"}}'


def _hmac(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def test_hash_challenge_is_the_hex_hmac_of_the_challenge() -> None:
    assert smartcar.hash_challenge(AMT, "challenge-123") == _hmac(AMT, "challenge-123")


@pytest.mark.parametrize(
    ("body", "signature", "expected"),
    [
        (BODY, _hmac(AMT, BODY), True),
        (BODY.encode(), _hmac(AMT, BODY), True),
        (BODY, _hmac(AMT, BODY).upper(), True),
        (BODY, _hmac(AMT, BODY + " "), False),
        (BODY, _hmac("other", BODY), False),
        (BODY, "", False),
        (BODY, None, False),
        (BODY, "zz", False),
    ],
)
def test_verify_payload_official_argument_order(body: Any, signature: Any, expected: bool) -> None:
    assert smartcar.verify_payload(AMT, signature, body) is expected


def test_verify_payload_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: List[Any] = []
    original = hmac.compare_digest

    def recording(a: Any, b: Any) -> bool:
        seen.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    assert smartcar.verify_payload(AMT, _hmac(AMT, BODY), BODY) is True
    assert seen, "verify_payload must compare with hmac.compare_digest"


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [
        (lambda: smartcar.hash_challenge(None, "c"), TypeError, "management_token"),
        (lambda: smartcar.hash_challenge(AMT, None), TypeError, "challenge"),
        (lambda: smartcar.verify_payload(AMT, "sig", None), TypeError, "body"),
        (lambda: smartcar.verify_payload(None, "sig", BODY), TypeError, "management_token"),
    ],
)
def test_webhook_helpers_reject_bad_arguments(
    call: Callable[[], object], error: type, argument: str
) -> None:
    with pytest.raises(error) as caught:
        call()
    assert argument in str(caught.value) and AMT not in str(caught.value)


def test_delete_answer_is_passed_on(mocked: responses.RequestsMock) -> None:
    mocked.delete(CONNECTIONS, body=json.dumps({"connections": []}))
    assert smartcar.delete_connections(AMT, vehicle_id="v") == []


@SETTINGS
@given(
    delete=st.booleans(),
    status=st.integers(200, 299).filter(lambda s: s not in (204, 205)),
    content=st.one_of(
        bodies,
        st.fixed_dictionaries(
            {"connections": st.lists(json_values, max_size=3)},
            optional={"paging": json_values},
        ).map(lambda body: json.dumps(body).encode()),
    ),
    raw_headers=header_dicts,
)
def test_any_2xx_management_answer_gives_a_list_or_smartcar_exception(
    delete: bool, status: int, content: bytes, raw_headers: Dict[str, str]
) -> None:
    headers = {k: v for k, v in raw_headers.items() if k.lower() != "content-type"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add("DELETE" if delete else "GET", CONNECTIONS, body=content, status=status,
                   headers=headers)  # fmt: skip
        try:
            if delete:
                result = smartcar.delete_connections(AMT, user_id="u")
            else:
                result = smartcar.get_connections(AMT)
        except smartcar.SmartcarException as error:
            assert type(error) is smartcar.SmartcarException and error.status_code == status
            assert AMT not in str(error) + repr(error)
            return
    assert isinstance(result, list) and all(isinstance(item, dict) for item in result)
