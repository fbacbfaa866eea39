"""The Connect views and helpers: the redirect to Connect with a state kept in the session,
and the callback storing the Smartcar user id against the signed-in Django user."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client

from smartcar.contrib.django.connect import smartcar_user_ids
from smartcar.contrib.django.models import Connection

from .conftest import SMARTCAR


@pytest.fixture
def user(alias: str) -> Any:
    return User.objects.create_user("driver", password="pw")


@pytest.fixture
def web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _start(web: Client) -> str:
    response = web.get("/smartcar/connect/")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["client_id"] == [SMARTCAR["APPLICATION_ID"]]
    assert query["redirect_uri"] == [SMARTCAR["REDIRECT_URI"]]
    return query["state"][0]


def test_connect_needs_a_signed_in_user(alias: str) -> None:
    response = Client().get("/smartcar/connect/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_callback_stores_the_user_id(alias: str, web: Client, user: Any) -> None:
    state = _start(web)
    response = web.get("/smartcar/callback/", {"state": state, "user_id": "sc-user-1"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert smartcar_user_ids(user) == ["sc-user-1"]
    state = _start(web)  # connecting again keeps one row per Smartcar user
    web.get("/smartcar/callback/", {"state": state, "user_id": "sc-user-1"})
    assert Connection.objects.count() == 1


def test_a_state_that_is_not_this_browsers_is_refused(alias: str, web: Client, user: Any) -> None:
    _start(web)
    response = web.get("/smartcar/callback/", {"state": "forged", "user_id": "sc-user-1"})
    assert response.status_code == 400
    assert "does not belong" in response.content.decode()
    assert smartcar_user_ids(user) == []


def test_a_used_state_is_refused(alias: str, web: Client) -> None:
    state = _start(web)
    web.get("/smartcar/callback/", {"state": state, "user_id": "sc-user-1"})
    again = web.get("/smartcar/callback/", {"state": state, "user_id": "sc-user-2"})
    assert again.status_code == 400


def test_a_denial_is_403(alias: str, web: Client, user: Any) -> None:
    state = _start(web)
    response = web.get("/smartcar/callback/", {"state": state, "error": "access_denied"})
    assert response.status_code == 403
    assert smartcar_user_ids(user) == []


def test_a_redirect_without_user_id_is_400(alias: str, web: Client) -> None:
    state = _start(web)
    assert web.get("/smartcar/callback/", {"state": state}).status_code == 400


def test_success_url_comes_from_the_settings(alias: str, web: Client, settings: Any) -> None:
    settings.SMARTCAR = {**settings.SMARTCAR, "CONNECT_SUCCESS_URL": "/cars/"}
    state = _start(web)
    response = web.get("/smartcar/callback/", {"state": state, "user_id": "u"})
    assert response["Location"] == "/cars/"
