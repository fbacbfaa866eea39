"""Exact-request tests of ``smartcar.get_compatibility`` (v2 capabilities)."""

from __future__ import annotations

from typing import Any, Callable

import pytest
import responses
from unit_support import API_ORIGIN, CLIENT_ID, CLIENT_SECRET, basic_auth_header, split_url

import smartcar

V2 = API_ORIGIN + "/v2.0"
VIN = "5YJSA1CN5DFP00101"
ANSWER = {
    "compatible": True,
    "reason": None,
    "capabilities": [
        {"permission": "read_odometer", "endpoint": "/odometer", "capable": True, "reason": None}
    ],
}


@pytest.fixture(autouse=True)
def _v2(monkeypatch: pytest.MonkeyPatch, smartcar_defaults: Callable[..., None]) -> None:
    smartcar_defaults(api_version="2.0")
    monkeypatch.setattr(smartcar.const, "API_URL", V2)
    monkeypatch.delenv("SMARTCAR_CLIENT_ID", raising=False)
    monkeypatch.delenv("SMARTCAR_CLIENT_SECRET", raising=False)


def test_get_compatibility_with_explicit_credentials(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{V2}/compatibility", json=ANSWER, headers={"sc-request-id": "rid-c"})
    result = smartcar.get_compatibility(
        VIN, ["read_odometer", "read_vin"], "DE", client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    assert result == ANSWER and result.request_id == "rid-c"
    sent = mocked.calls[0].request
    assert sent.method == "GET"
    assert split_url(sent.url) == (
        f"{V2}/compatibility",
        [("vin", VIN), ("scope", "read_odometer read_vin"), ("country", "DE")],
    )
    assert sent.headers["Authorization"] == basic_auth_header(CLIENT_ID, CLIENT_SECRET)
    assert "sc-unit-system" not in sent.headers
    assert not sent.body


def test_get_compatibility_credentials_from_the_environment(
    mocked: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTCAR_CLIENT_ID", "env-id")
    monkeypatch.setenv("SMARTCAR_CLIENT_SECRET", "env-secret")
    mocked.get(
        f"{V2}/compatibility",
        json={"compatible": False, "reason": "VEHICLE_NOT_COMPATIBLE", "capabilities": []},
    )
    result = smartcar.get_compatibility(VIN, "read_odometer")
    assert result["compatible"] is False
    sent = mocked.calls[0].request
    assert sent.headers["Authorization"] == basic_auth_header("env-id", "env-secret")
    assert dict(split_url(sent.url)[1]) == {"vin": VIN, "scope": "read_odometer", "country": "US"}


@pytest.mark.parametrize(
    ("flags", "sent"),
    [
        (["country:DE", "beta:true"], "country:DE beta:true"),
        ({"country": "DE", "beta": True}, "country:DE beta:true"),
        ("country:DE", "country:DE"),
    ],
)
def test_get_compatibility_flags(mocked: responses.RequestsMock, flags: Any, sent: str) -> None:
    mocked.get(f"{V2}/compatibility", json=ANSWER)
    smartcar.get_compatibility(
        VIN, ["read_vin"], client_id=CLIENT_ID, client_secret=CLIENT_SECRET, flags=flags
    )
    query = split_url(mocked.calls[0].request.url)[1]
    assert query[-1] == ("flags", sent) and [k for k, _ in query] == [
        "vin",
        "scope",
        "country",
        "flags",
    ]


def test_get_compatibility_passes_unexpected_answers_on(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{V2}/compatibility", json={"compatible": True})
    result = smartcar.get_compatibility(
        VIN, ["read_vin"], client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    assert result == {"compatible": True}


@pytest.mark.parametrize("body", [b"[]", b"<html>", b""])
def test_get_compatibility_non_object_answer_raises(
    mocked: responses.RequestsMock, body: bytes
) -> None:
    mocked.get(f"{V2}/compatibility", body=body)
    with pytest.raises(smartcar.SmartcarException) as caught:
        smartcar.get_compatibility(
            VIN, ["read_vin"], client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        )
    assert type(caught.value) is smartcar.SmartcarException
    assert CLIENT_SECRET not in str(caught.value)


def test_auth_client_is_compatible_still_returns_a_bool(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{V2}/compatibility", json=ANSWER)
    client = smartcar.AuthClient(CLIENT_ID, CLIENT_SECRET, "https://app.example.test/cb")
    assert client.is_compatible(VIN, ["read_odometer"]) is True


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [
        (lambda: smartcar.get_compatibility(VIN, ["read_vin"]), ValueError, "client_id"),
        (
            lambda: smartcar.get_compatibility(VIN, ["read_vin"], client_id=CLIENT_ID),
            ValueError,
            "client_secret",
        ),
        (
            lambda: smartcar.get_compatibility(
                None, ["read_vin"], client_id=CLIENT_ID, client_secret=CLIENT_SECRET
            ),
            TypeError,
            "vin",
        ),
        (
            lambda: smartcar.get_compatibility(
                VIN, None, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
            ),
            TypeError,
            "scope",
        ),
        (
            lambda: smartcar.get_compatibility(
                VIN, ["read_vin"], 5, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
            ),
            TypeError,
            "country",
        ),
        (
            lambda: smartcar.get_compatibility(
                VIN, ["read_vin"], client_id=CLIENT_ID, client_secret=5
            ),
            TypeError,
            "client_secret",
        ),
    ],
)
def test_get_compatibility_bad_arguments(
    mocked: responses.RequestsMock, call: Callable[[], object], error: type, argument: str
) -> None:
    with pytest.raises(error) as caught:
        call()
    assert argument in str(caught.value) and CLIENT_SECRET not in str(caught.value)
    assert len(mocked.calls) == 0
