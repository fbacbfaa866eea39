"""Connect for v3 apps: ``Client.get_auth_url`` and ``smartcar.v3.parse_redirect``."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

import smartcar
from smartcar.v3 import Client, parse_redirect

from .support import APPLICATION_ID, CLIENT_ID, CLIENT_SECRET, CONNECT, REDIRECT_URI


def params(url: str) -> Any:
    return parse_qsl(urlsplit(url).query)


def test_auth_url_uses_the_application_id(client: Client) -> None:
    url = client.get_auth_url(["read_odometer", "required:control_security"], state="xyz")
    assert url.startswith(f"{CONNECT}/oauth/authorize?")
    assert params(url) == [
        ("response_type", "code"),
        ("client_id", APPLICATION_ID),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "read_odometer required:control_security"),
        ("state", "xyz"),
    ]


def test_auth_url_with_every_option(client: Client) -> None:
    url = client.get_auth_url(
        None,
        state="s",
        force=True,
        mode="simulated",
        make="TESLA",
        single_select={"vin": "5YJ3E1EA1JF000001"},
        flags={"country": "DE", "tesla_auth": True},
        external_id="owner-42",
        user="218eda3b",
    )
    assert dict(params(url)) == {
        "response_type": "code",
        "client_id": APPLICATION_ID,
        "redirect_uri": REDIRECT_URI,
        "approval_prompt": "force",
        "mode": "simulated",
        "state": "s",
        "make": "TESLA",
        "external_id": "owner-42",
        "user": "218eda3b",
        "single_select": "true",
        "single_select_vin": "5YJ3E1EA1JF000001",
        "flags": "country:DE tesla_auth:true",
    }


def test_auth_url_without_redirect_uri_or_scope() -> None:
    client = Client(CLIENT_ID, CLIENT_SECRET, application_id=APPLICATION_ID)
    assert params(client.get_auth_url(single_select=False, flags=["a:b"])) == [
        ("response_type", "code"),
        ("client_id", APPLICATION_ID),
        ("single_select", "false"),
        ("flags", "a:b"),
    ]


def test_auth_url_needs_the_application_id() -> None:
    with pytest.raises(ValueError, match="Application ID"):
        Client(CLIENT_ID, CLIENT_SECRET).get_auth_url()


@pytest.mark.parametrize("kwargs", [{"mode": "prod"}, {"scope": "read_odometer"}])
def test_auth_url_bad_arguments(client: Client, kwargs: Any) -> None:
    with pytest.raises(ValueError):
        client.get_auth_url(**kwargs)


@pytest.mark.parametrize(
    "redirect",
    [
        "https://example.com/callback?user_id=725146a3&state=0facda3319",
        "?user_id=725146a3&state=0facda3319",
        "user_id=725146a3&state=0facda3319",
        "/callback?user_id=725146a3&state=0facda3319",
    ],
)
def test_parse_redirect_url_or_query(redirect: str) -> None:
    assert parse_redirect(redirect) == {"user_id": "725146a3", "state": "0facda3319"}


def test_parse_redirect_every_field() -> None:
    query = (
        "code=c0de&user_id=u1&state=s&external_id=e1&vehicle_id=v1"
        "&virtual_key_url=https%3A%2F%2Ftesla.com%2F_ak%2Fsmartcar.com&unrelated=1"
    )
    assert parse_redirect(query) == {
        "user_id": "u1",
        "state": "s",
        "code": "c0de",
        "external_id": "e1",
        "vehicle_id": "v1",
        "virtual_key_url": "https://tesla.com/_ak/smartcar.com",
    }


def test_parse_redirect_access_denied() -> None:
    with pytest.raises(smartcar.ConnectException) as caught:
        parse_redirect(
            "https://example.com/cb?error=access_denied"
            "&error_description=User+denied+access&state=s1"
        )
    error = caught.value
    assert isinstance(error, smartcar.SmartcarException)
    assert (error.error, error.description, error.state) == (
        "access_denied",
        "User denied access",
        "s1",
    )
    assert "User denied access" in str(error)


def test_parse_redirect_vehicle_incompatible() -> None:
    with pytest.raises(smartcar.ConnectException) as caught:
        parse_redirect(
            "?error=vehicle_incompatible&error_description=No&state=s"
            "&vin=1HGCM82633A004352&make=HONDA&model=Accord&year=2003"
        )
    error = caught.value
    assert (error.vin, error.make, error.model, error.year) == (
        "1HGCM82633A004352",
        "HONDA",
        "Accord",
        2003,
    )


@pytest.mark.parametrize("value", ["https://example.com/cb?state=only", "", None, 42])
def test_parse_redirect_rejects_what_is_not_a_redirect(value: Any) -> None:
    with pytest.raises(ValueError, match="url_or_query"):
        parse_redirect(value)


# The Application ID and the API credential, where each goes --------------------------------


@pytest.mark.parametrize("value", ["client_1a2b3c4d", "CLIENT_abc", " client_x "])
def test_check_application_id_refuses_a_client_credential(value: str) -> None:
    with pytest.raises(ValueError, match="client_id") as caught:
        smartcar.v3.check_application_id(value)
    assert "application_id" in str(caught.value) and "SMARTCAR_CLIENT_ID" in str(caught.value)
    assert value.strip() not in str(caught.value)


@pytest.mark.parametrize("value", ["", "  ", None, 42])
def test_check_application_id_refuses_what_is_no_id(value: Any) -> None:
    with pytest.raises(ValueError, match="application_id"):
        smartcar.v3.check_application_id(value)


def test_check_application_id_accepts_an_application_id() -> None:
    assert smartcar.v3.check_application_id(APPLICATION_ID) == APPLICATION_ID


def test_a_client_credential_as_application_id_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="API credential"):
        Client(CLIENT_ID, CLIENT_SECRET, application_id=CLIENT_ID)


def test_a_redirect_with_a_code_and_no_user_id_says_connect_had_the_wrong_id() -> None:
    with pytest.raises(ValueError, match="Application ID") as caught:
        parse_redirect("https://example.com/callback?code=abc123&state=s1")
    assert "user_id" in str(caught.value) and "abc123" not in str(caught.value)
    assert parse_redirect("?code=abc123&user_id=u-1") == {"code": "abc123", "user_id": "u-1"}
