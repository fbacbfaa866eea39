"""The sans-I/O core (``smartcar._core``): requests built, answers decoded and retries decided
from their inputs alone, with no socket, clock or session."""

from __future__ import annotations

import json

import pytest

from smartcar import _core
from smartcar._answers import ApiResponse, parsed
from smartcar._config import Config, RetryPolicy
from smartcar._endpoints import command, read
from smartcar.exceptions import (
    RateLimitingException,
    ResourceNotFoundException,
    SmartcarException,
)

TOKEN = "access-token-SECRET-0123"
POLICY = RetryPolicy(max_retries=2, backoff_base=0.5, backoff_max=8.0, max_elapsed=60.0)


def _config() -> Config:
    return Config(api_version="2.0", timeout=(1.0, 7.0), retry=POLICY, max_body_size=4096)


def test_build_sets_every_header_query_and_body_byte() -> None:
    request = _core.build(
        "POST",
        "https://api.example.test/v2.0/vehicles/v1/charge/limit",
        token=TOKEN,
        unit_system="metric",
        params={"a": "x y", "many": ["1", "2"], "gone": None},
        json_body={"limit": 0.8},
        headers={"sc-user-id": "user-1"},
        config=_config(),
    )
    assert request.method == "POST"
    assert request.url == (
        "https://api.example.test/v2.0/vehicles/v1/charge/limit?a=x+y&many=1&many=2"
    )
    assert list(request.headers.items()) == [
        ("User-Agent", _core.USER_AGENT),
        ("Accept-Encoding", "gzip, deflate"),
        ("sc-unit-system", "metric"),
        ("Content-Type", "application/json"),
        ("sc-user-id", "user-1"),
        ("Authorization", "Bearer " + TOKEN),
    ]
    assert request.body == b'{"limit": 0.8}'
    assert (request.timeout, request.read_timeout, request.max_body_size) == ((1.0, 7.0), 7.0, 4096)
    assert request.may_repeat is False  # a POST, unless its endpoint says it is a read
    assert TOKEN not in repr(request)


def test_build_call_takes_what_the_endpoint_describes() -> None:
    lock = command("vehicles/{vehicle_id}/security", {"action": "LOCK"})
    config = _config()
    request = _core.build_call(
        lock, config=config, token=TOKEN, unit_system="metric", vehicle_id="v1"
    )
    assert request.url == config.url("API_URL") + "/vehicles/v1/security"
    assert "sc-unit-system" not in request.headers
    assert request.json() == {"action": "LOCK"}
    assert (request.may_repeat, request.fields) == (False, ("status",))

    basic = read("compatibility", auth="basic", unit_system=False)
    request = _core.build_call(basic, config=config, token=TOKEN, basic_auth=("id", "secret"))
    assert request.headers["Authorization"] == "Basic aWQ6c2VjcmV0"
    assert request.may_repeat is True


def test_decode_returns_the_answer_or_the_exception_never_raises() -> None:
    request = _core.build_call(
        read("vehicles/{vehicle_id}/vin", fields=("vin",)),
        config=_config(),
        token=TOKEN,
        vehicle_id="v1",
    )
    headers = {"sc-request-id": "r-1"}
    answer = _core.decode(request, 200, headers, b'{"vin": "X"}')
    assert isinstance(answer, ApiResponse) and answer.body == {"vin": "X"}
    missing = _core.decode(request, 200, headers, b"{}")
    assert isinstance(missing, SmartcarException) and missing.error == "invalid_response"
    echoed = json.dumps({"error": "x", "message": "bad token " + TOKEN}).encode()
    refused = _core.decode(request, 404, headers, echoed)
    assert isinstance(refused, ResourceNotFoundException)
    assert TOKEN not in str(refused) and refused.request_id == "r-1"


def test_a_raw_body_request_keeps_a_2xx_body_as_bytes_for_parsed_to_read() -> None:
    request = _core.build_call(
        read("vehicles/{vehicle_id}/vin", fields=("vin",)),
        config=_config(),
        token=TOKEN,
        vehicle_id="v1",
    )
    request.raw_body = True
    headers = {"sc-request-id": "echo " + TOKEN}
    raw = _core.decode(request, 200, headers, b'{"vin": "X"}')
    assert isinstance(raw, ApiResponse) and raw.body == b'{"vin": "X"}'
    assert raw.request_id == "echo [REDACTED]"
    answer = parsed(raw, request.fields)
    assert answer.body == {"vin": "X"} and answer.request_id == raw.request_id
    assert parsed(answer) is answer
    for content, what in ((b'{"other": 1}', "'vin'"), (b"oops " + TOKEN.encode(), "not JSON")):
        with pytest.raises(SmartcarException) as raised:
            parsed(_core.decode(request, 200, headers, content), request.fields)
        assert raised.value.error == "invalid_response" and what in str(raised.value)
        assert TOKEN not in repr(raised.value.__dict__)
    # an error answer is decoded at once, as without raw_body
    refused = _core.decode(request, 404, headers, b'{"error": "x", "message": "gone"}')
    assert isinstance(refused, ResourceNotFoundException)


def test_next_attempt_is_the_one_retry_rule() -> None:
    config = _config()
    get = _core.build("GET", "https://api.example.test/x", config=config)
    post = _core.build("POST", "https://api.example.test/x", config=config)
    limited = RateLimitingException("slow down", status_code=429, retry_after=3.0)
    assert _core.next_attempt(get, 1, limited, elapsed=0.0) == 3.0
    assert _core.next_attempt(post, 1, limited, elapsed=0.0) is None
    assert _core.next_attempt(get, 3, limited, elapsed=0.0) is None  # count used up
    assert _core.next_attempt(get, 1, limited, elapsed=58.0) is None  # max_elapsed
    unsent = _core.connection_failed(post)
    assert not _core.was_sent(unsent)
    delay = _core.next_attempt(post, 1, unsent, elapsed=0.0)
    assert delay is not None and 0 <= delay <= 0.5
    assert _core.next_attempt(get, 1, _core.timed_out(get), elapsed=0.0) is None
    assert not _core.was_sent(_core.timed_out(post, connecting=True))


@pytest.mark.parametrize("bad", [{"x": float("nan")}, {"x": object()}])
def test_build_refuses_a_body_that_is_not_json(bad: object) -> None:
    with pytest.raises(ValueError, match="cannot be sent as JSON"):
        _core.build("POST", "https://api.example.test/x", json_body=bad)


def test_a_form_body_is_not_json() -> None:
    request = _core.build("POST", "https://auth.example.test/token", form=[("a", "b")])
    assert request.body == b"a=b"
    with pytest.raises(ValueError, match="not JSON") as caught:
        request.json()
    assert type(caught.value) is ValueError
