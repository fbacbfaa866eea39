"""Arguments that cannot go on the wire raise ValueError before any request, without echoing
secrets; vehicle ids are one path segment whatever they contain."""

from __future__ import annotations

from typing import Callable

import pytest
import responses

import smartcar

from unit_support import API, AUTH, CLIENT_ID, REDIRECT_URI, VEHICLE_ID  # isort: skip

BAD_SECRETS = ["tok\r\nX-Injected: 1", "t\x00k", "t€k-ACCESS"]


@pytest.mark.parametrize("bad", BAD_SECRETS)
@pytest.mark.parametrize(
    "call",
    [
        lambda token: smartcar.Vehicle(VEHICLE_ID, token).odometer(),
        lambda token: smartcar.Vehicle(VEHICLE_ID, token).lock(),
        lambda token: smartcar.get_vehicle_ids(token),
        lambda token: smartcar.get_user_id(token),
    ],
    ids=["read", "command", "vehicle_ids", "user_id"],
)
def test_unsendable_access_token_raises_value_error_without_echo(
    mocked: responses.RequestsMock, call: Callable[[str], object], bad: str
) -> None:
    with pytest.raises(ValueError) as caught:
        call(bad)
    assert bad not in str(caught.value)
    assert "access token" in str(caught.value)
    assert len(mocked.calls) == 0


@pytest.mark.parametrize("bad", BAD_SECRETS)
def test_unsendable_client_secret_raises_value_error_without_echo(
    mocked: responses.RequestsMock, bad: str
) -> None:
    client = smartcar.AuthClient(CLIENT_ID, bad, REDIRECT_URI)
    with pytest.raises(ValueError) as caught:
        client.exchange_code("some-code")
    assert bad not in str(caught.value)
    assert "client secret" in str(caught.value)
    assert len(mocked.calls) == 0


@pytest.mark.parametrize(
    ("vehicle_id", "expected_segment"),
    [
        ("...", "..."),
        ("a b", "a%20b"),
        ("x=1;z&%", "x%3D1%3Bz%26%25"),
        ("é", "%C3%A9"),
    ],
)
def test_vehicle_id_is_a_single_escaped_path_segment(
    mocked: responses.RequestsMock, vehicle_id: str, expected_segment: str
) -> None:
    mocked.get(
        f"{API}/vehicles/{expected_segment}/odometer",
        json={"distance": 1.0},
        headers={"sc-unit-system": "metric"},
    )
    result = smartcar.Vehicle(vehicle_id, "token-1234").odometer()
    assert result["data"] == {"distance": 1.0}
    assert mocked.calls[0].request.url == f"{API}/vehicles/{expected_segment}/odometer"


@pytest.mark.parametrize("vehicle_id", ["", None, 42])
def test_vehicle_id_must_be_a_non_empty_string(vehicle_id: object) -> None:
    with pytest.raises(ValueError):
        smartcar.Vehicle(vehicle_id, "token-1234")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [(3, 3.0), ((5,), 5.0), ((1, 20), (1.0, 20.0)), (0.25, 0.25)],
)
def test_timeouts_are_normalised_to_what_requests_accepts(
    timeout: object, expected: object
) -> None:
    assert smartcar.Vehicle(VEHICLE_ID, "token-1234", timeout=timeout).timeout == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "timeout", [float("inf"), float("nan"), (1, float("inf")), (float("nan"), 1)]
)
def test_non_finite_timeouts_are_rejected(timeout: object) -> None:
    with pytest.raises(ValueError):
        smartcar.AuthClient(CLIENT_ID, "secret", REDIRECT_URI, timeout=timeout)  # type: ignore[arg-type]


# Bad arguments: a TypeError/ValueError naming the argument, before any request -------------

CLIENT_SECRET_VALUE = "client-secret-SUPERSECRET-9a8b7c"
REFRESH_BYTES = b"refresh-token-REFRESHSECRET-87654321"


def _client() -> smartcar.AuthClient:
    return smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET_VALUE, REDIRECT_URI)


def _vehicle() -> smartcar.Vehicle:
    return smartcar.Vehicle(VEHICLE_ID, "token-1234")


BAD_ARGUMENTS = [
    pytest.param(lambda: _client().exchange_code(123), TypeError, "code", id="exchange_code(123)"),
    pytest.param(lambda: _client().exchange_code(""), ValueError, "code", id="exchange_code('')"),
    pytest.param(
        lambda: _client().exchange_refresh_token(REFRESH_BYTES),
        TypeError,
        "refresh_token",
        id="exchange_refresh_token(bytes)",
    ),
    pytest.param(
        lambda: _client().exchange_refresh_token(None),
        TypeError,
        "refresh_token",
        id="exchange_refresh_token(None)",
    ),
    pytest.param(
        lambda: _client().get_auth_url(vehicle_info="TESLA"),
        TypeError,
        "vehicle_info",
        id="get_auth_url(vehicle_info=str)",
    ),
    pytest.param(
        lambda: _client().get_auth_url(state=5), TypeError, "state", id="get_auth_url(state=5)"
    ),
    pytest.param(
        lambda: _client().get_auth_url(flags=["a", 1]), TypeError, "flags", id="flags=[str, int]"
    ),
    pytest.param(
        lambda: _client().is_compatible("VIN", None), TypeError, "scope", id="is_compatible(None)"
    ),
    pytest.param(
        lambda: _client().is_compatible(None, ["read_vin"]),
        TypeError,
        "vin",
        id="is_compatible(vin=None)",
    ),
    pytest.param(
        lambda: _client().is_compatible("VIN", ["read_vin"], None),
        TypeError,
        "country",
        id="is_compatible(country=None)",
    ),
    pytest.param(
        lambda: smartcar.AuthClient(None, None, None),
        TypeError,
        "client_id",
        id="AuthClient(None, None, None)",
    ),
    pytest.param(
        lambda: smartcar.AuthClient(CLIENT_ID, None, REDIRECT_URI),
        TypeError,
        "client_secret",
        id="AuthClient(secret=None)",
    ),
    pytest.param(
        lambda: smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET_VALUE, None),
        TypeError,
        "redirect_uri",
        id="AuthClient(redirect_uri=None)",
    ),
    pytest.param(
        lambda: smartcar.AuthClient("", CLIENT_SECRET_VALUE, REDIRECT_URI),
        ValueError,
        "client_id",
        id="AuthClient(client_id='')",
    ),
    pytest.param(
        lambda: smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET_VALUE, REDIRECT_URI, scope=5),
        TypeError,
        "scope",
        id="AuthClient(scope=5)",
    ),
    pytest.param(
        lambda: smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET_VALUE, REDIRECT_URI, scope=[None]),
        TypeError,
        "scope",
        id="AuthClient(scope=[None])",
    ),
    pytest.param(
        lambda: _vehicle().has_permissions(None),
        TypeError,
        "permissions",
        id="has_permissions(None)",
    ),
    pytest.param(lambda: _vehicle().batch(None), TypeError, "paths", id="batch(None)"),
    pytest.param(lambda: _vehicle().batch([b"/vin"]), TypeError, "paths", id="batch([bytes])"),
    pytest.param(
        lambda: _vehicle().permissions(limit="5"), TypeError, "limit", id="permissions(limit=str)"
    ),
    pytest.param(
        lambda: _vehicle().permissions(offset=-1), ValueError, "offset", id="permissions(offset<0)"
    ),
    pytest.param(
        lambda: smartcar.get_vehicle_ids(None),
        TypeError,
        "access_token",
        id="get_vehicle_ids(None)",
    ),
    pytest.param(
        lambda: smartcar.get_vehicle_ids("token-1234", limit=None, offset="0"),
        TypeError,
        "offset",
        id="get_vehicle_ids(offset=str)",
    ),
    pytest.param(
        lambda: smartcar.get_user_id(None), TypeError, "access_token", id="get_user_id(None)"
    ),
]


@pytest.mark.parametrize(("call", "error", "argument"), BAD_ARGUMENTS)
def test_bad_argument_raises_naming_it_before_any_request(
    mocked: responses.RequestsMock,
    call: Callable[[], object],
    error: type,
    argument: str,
) -> None:
    mocked.add(responses.POST, AUTH, status=400, json={"error": "invalid_grant"})
    with pytest.raises(error) as caught:
        call()
    assert type(caught.value) is error
    message = str(caught.value)
    assert argument in message
    assert CLIENT_SECRET_VALUE not in message and "REFRESHSECRET" not in message
    assert len(mocked.calls) == 0


@pytest.mark.parametrize(
    ("make_client", "call", "name", "value"),
    [
        (
            lambda: smartcar.AuthClient(CLIENT_ID, "s", REDIRECT_URI, scope="read_odometer"),
            lambda c: c.get_auth_url(),
            "scope",
            "read_odometer",
        ),
        (
            lambda: smartcar.AuthClient(CLIENT_ID, "s", REDIRECT_URI),
            lambda c: c.get_auth_url(flags="country:DE"),
            "flags",
            "country:DE",
        ),
        (
            lambda: smartcar.AuthClient(CLIENT_ID, "s", REDIRECT_URI, scope=("a", "b")),
            lambda c: c.get_auth_url(flags=iter(["x", "y"])),
            "flags",
            "x y",
        ),
    ],
    ids=["scope string", "flags string", "tuple and iterator"],
)
def test_a_single_string_is_one_item_not_letters(
    make_client: Callable[[], smartcar.AuthClient],
    call: Callable[[smartcar.AuthClient], str],
    name: str,
    value: str,
) -> None:
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(call(make_client())).query)
    assert query[name] == [value]


def test_is_compatible_and_batch_take_a_single_string_as_one_item(
    mocked: responses.RequestsMock,
) -> None:
    import json
    from urllib.parse import parse_qs, urlsplit

    mocked.get(f"{API}/compatibility", json={"compatible": True})
    mocked.post(f"{API}/vehicles/{VEHICLE_ID}/batch", json={"responses": []})
    assert _client().is_compatible("VIN", "read_vin") is True
    assert _vehicle().batch("/odometer") == {}
    assert parse_qs(urlsplit(mocked.calls[0].request.url).query)["scope"] == ["read_vin"]
    assert json.loads(mocked.calls[1].request.body) == {"requests": [{"path": "/odometer"}]}
