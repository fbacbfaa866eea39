"""Arguments that cannot go on the wire raise ValueError before any request, without echoing
secrets; vehicle ids are one path segment whatever they contain."""

from __future__ import annotations

from typing import Callable

import pytest
import responses

import smartcar

from unit_support import API, CLIENT_ID, REDIRECT_URI, VEHICLE_ID  # isort: skip

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
        ("../../user", "..%2F..%2Fuser"),
        ("a b", "a%20b"),
        ("x?y=1#z", "x%3Fy%3D1%23z"),
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
