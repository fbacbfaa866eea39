"""Exact-request tests of the module calls: ``is_expired``, ``get_vehicle_ids``, ``get_user_id``."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any, Dict, List, Optional

import pytest
import responses
from unit_support import ACCESS_TOKEN, API, USER_AGENT_PATTERN, split_url

import smartcar

UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)


def _naive_utc_now() -> datetime.datetime:
    return datetime.datetime.now(UTC).replace(tzinfo=None)


EXPIRED_CASES = [
    pytest.param(lambda: _naive_utc_now() - HOUR, True, id="naive past"),
    pytest.param(lambda: _naive_utc_now() + HOUR, False, id="naive future"),
    pytest.param(lambda: datetime.datetime.now(UTC) - HOUR, True, id="aware past"),
    pytest.param(lambda: datetime.datetime.now(UTC) + HOUR, False, id="aware future"),
    # An aware time in UTC+5 that is 4 hours after UTC "now" in wall-clock terms but 1 hour
    # before it in absolute terms: only a correct offset conversion gets this right.
    pytest.param(
        lambda: (datetime.datetime.now(UTC) - HOUR).astimezone(
            datetime.timezone(datetime.timedelta(hours=5))
        ),
        True,
        id="aware other offset past",
    ),
    pytest.param(
        lambda: (datetime.datetime.now(UTC) + HOUR).astimezone(
            datetime.timezone(datetime.timedelta(hours=-5))
        ),
        False,
        id="aware negative offset future",
    ),
    pytest.param(lambda: "2018-05-02T18:04:25+00:00", True, id="seed ISO string"),
    pytest.param(lambda: "2018-05-02T18:04:25Z", True, id="Z string"),
    pytest.param(lambda: "2018-05-02T18:04:25.123Z", True, id="Z string with millis"),
    pytest.param(lambda: "2999-01-01T00:00:00+00:00", False, id="future ISO string"),
    pytest.param(lambda: "2999-01-01T00:00:00Z", False, id="future Z string"),
    pytest.param(
        lambda: (datetime.datetime.now(UTC) + HOUR).isoformat(), False, id="isoformat future"
    ),
    pytest.param(lambda: (_naive_utc_now() - HOUR).isoformat(), True, id="naive isoformat past"),
]


@pytest.mark.parametrize(("make", "expected"), EXPIRED_CASES)
def test_is_expired(make: Any, expected: bool) -> None:
    assert smartcar.is_expired(make()) is expected


def test_is_expired_accepts_exchange_code_expiration() -> None:
    """The naive UTC datetimes exchange_code returns are read as UTC, not local time."""
    soon = _naive_utc_now() + datetime.timedelta(minutes=1)
    assert smartcar.is_expired(soon) is False
    assert smartcar.is_expired(soon - datetime.timedelta(minutes=2)) is True


@pytest.mark.parametrize("bad", ["", "not a date", "2018-13-45T00:00:00Z", "tomorrow"])
def test_is_expired_rejects_bad_strings(bad: str) -> None:
    with pytest.raises(ValueError):
        smartcar.is_expired(bad)


@pytest.mark.parametrize("bad", [None, 1525284265, 1525284265.0, datetime.date(2018, 5, 2), b"x"])
def test_is_expired_rejects_other_types(bad: Any) -> None:
    with pytest.raises(TypeError):
        smartcar.is_expired(bad)


@pytest.mark.parametrize(
    ("kwargs", "query"),
    [
        ({}, {"limit": "10", "offset": "0"}),
        ({"limit": 2, "offset": 4}, {"limit": "2", "offset": "4"}),
    ],
    ids=["defaults", "paged"],
)
def test_get_vehicle_ids(
    mocked: responses.RequestsMock, kwargs: Dict[str, int], query: Dict[str, str]
) -> None:
    body = {"vehicles": ["v1", "v2"], "paging": {"count": 25, "offset": 4}}
    mocked.get(f"{API}/vehicles", json=body, headers={"sc-request-id": "rid-1"})
    result = smartcar.get_vehicle_ids(ACCESS_TOKEN, **kwargs)
    assert result == body and json.dumps(result) == json.dumps(body)
    assert result.request_id == "rid-1"
    sent = mocked.calls[0].request
    base, sent_query = split_url(sent.url)
    assert sent.method == "GET"
    assert base == f"{API}/vehicles"
    assert dict(sent_query) == query
    assert sent.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert re.fullmatch(USER_AGENT_PATTERN, sent.headers["User-Agent"])
    assert "sc-unit-system" not in sent.headers
    assert not sent.body


def test_get_user_id(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{API}/user", json={"id": "user-123"})
    assert smartcar.get_user_id(ACCESS_TOKEN) == "user-123"
    sent = mocked.calls[0].request
    assert sent.method == "GET"
    assert sent.url == f"{API}/user"
    assert sent.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert re.fullmatch(USER_AGENT_PATTERN, sent.headers["User-Agent"])
    assert "sc-unit-system" not in sent.headers


@pytest.mark.parametrize(
    ("path", "call", "body"),
    [
        ("/user", lambda: smartcar.get_user_id(ACCESS_TOKEN), {}),
        ("/user", lambda: smartcar.get_user_id(ACCESS_TOKEN), {"id": None}),
        ("/user", lambda: smartcar.get_user_id(ACCESS_TOKEN), []),
        ("/vehicles", lambda: smartcar.get_vehicle_ids(ACCESS_TOKEN), None),
        ("/vehicles", lambda: smartcar.get_vehicle_ids(ACCESS_TOKEN), ["v1"]),
    ],
)
def test_module_calls_reject_answers_without_their_field(
    mocked: responses.RequestsMock, path: str, call: Any, body: Any
) -> None:
    mocked.get(f"{API}{path}", json=body)
    with pytest.raises(smartcar.SmartcarException) as caught:
        call()
    assert type(caught.value) is smartcar.SmartcarException


def test_module_calls_accept_a_timeout(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{API}/user", json={"id": "u"})
    assert smartcar.get_user_id(ACCESS_TOKEN, timeout=3.0) == "u"
    mocked.get(f"{API}/vehicles", json={"vehicles": [], "paging": {"count": 0, "offset": 0}})
    assert smartcar.get_vehicle_ids(ACCESS_TOKEN, timeout=(1.0, 2.0))["vehicles"] == []


def test_last_request_id_is_per_thread(mocked: responses.RequestsMock) -> None:
    import threading

    mocked.get(f"{API}/user", json={"id": "u"}, headers={"sc-request-id": "rid-main"})
    smartcar.get_user_id(ACCESS_TOKEN)
    assert smartcar.last_request_id() == "rid-main"

    seen_in_thread: List[Optional[str]] = []

    def other_thread() -> None:
        seen_in_thread.append(smartcar.last_request_id())
        mocked.replace(
            responses.GET, f"{API}/user", status=404, json={}, headers={"sc-request-id": "rid-t"}
        )
        try:
            smartcar.get_user_id(ACCESS_TOKEN)
        except smartcar.ResourceNotFoundException as error:
            seen_in_thread.append(error.request_id)
        seen_in_thread.append(smartcar.last_request_id())

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join(timeout=30)
    assert seen_in_thread == [None, "rid-t", "rid-t"]
    assert smartcar.last_request_id() == "rid-main"
