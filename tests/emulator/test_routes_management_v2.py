"""The v2.0 management connections API through werkzeug's test client."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from smartcar.emulator.app import EmulatorApp
from smartcar.emulator.problems import Problem
from smartcar.emulator.routes.management_v2 import decode_cursor, encode_cursor

URL = "/v2.0/management/connections"


def test_cursors_round_trip_and_reject_garbage() -> None:
    assert decode_cursor(encode_cursor(30)) == 30
    for bad in ("!!", encode_cursor(-1), "eyJ4IjoxfQ"):
        with pytest.raises(Problem):
            decode_cursor(bad)


def test_list_page_and_delete(app: EmulatorApp, client: Client) -> None:
    auth = ("default", app.management_token)
    app.issue_tokens(user="a@example.com")
    app.issue_tokens(user="b@example.com")
    first = client.get(URL, query_string={"limit": 2}, auth=auth).json
    assert len(first["connections"]) == 2 and first["paging"]["cursor"]
    rest = client.get(URL, query_string={"cursor": first["paging"]["cursor"]}, auth=auth).json
    total = len(app.vehicles("a@example.com")) + len(app.vehicles("b@example.com"))
    assert len(first["connections"]) + len(rest["connections"]) == total
    assert rest["paging"]["cursor"] is None
    user_b = app.user_id("b@example.com")
    removed = client.delete(URL, query_string={"user_id": user_b}, auth=auth).json
    assert {item["userId"] for item in removed["connections"]} == {user_b}
    assert (
        client.get(URL + "/", query_string={"user_id": user_b}, auth=auth).json["connections"] == []
    )


def test_only_the_amt_as_default_user_is_let_in(app: EmulatorApp, client: Client) -> None:
    assert client.get(URL).status_code == 401
    assert client.get(URL, auth=("default", "wrong")).status_code == 401
    assert client.get(URL, auth=(app.client_id, app.client_secret)).status_code == 401
    assert client.get(URL, auth=("default", app.management_token)).status_code == 200
    assert client.get("/v2.0/management/other", auth=("default", "x")).status_code == 404
