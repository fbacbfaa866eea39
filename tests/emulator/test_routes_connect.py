"""The Connect pages through werkzeug's test client: authorize, sign in, approve, redirect."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

from werkzeug.test import Client

from smartcar.emulator.app import EmulatorApp


def _authorize(app: EmulatorApp, **extra: str) -> str:
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uris[0],
        "state": "s1",
        **extra,
    }
    return "/oauth/authorize?" + urlencode(query)


def _sid(html: str) -> str:
    found = re.search(r'name="sid" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_the_whole_flow_ends_in_a_code_that_exchanges(app: EmulatorApp, client: Client) -> None:
    page = client.get(_authorize(app, make="TESLA", scope="read_odometer"))
    assert page.status_code == 200 and 'id="login-form"' in page.text
    sid = _sid(page.text)
    grant = client.post(
        "/oauth/authorize/login", data={"sid": sid, "email": "x@example.com", "password": "p"}
    )
    vehicle_ids = re.findall(r'name="vehicle" id="vehicle-\d+" value="([^"]+)"', grant.text)
    assert vehicle_ids
    redirect = client.post(
        "/oauth/authorize/grant",
        data={"sid": sid, "decision": "approve", "vehicle": vehicle_ids[0]},
    )
    assert redirect.status_code == 302
    query = parse_qs(urlsplit(redirect.headers["Location"]).query)
    assert query["state"] == ["s1"]
    tokens = client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": app.redirect_uris[0],
        },
        auth=(app.client_id, app.client_secret),
    )
    assert tokens.status_code == 200
    assert app.state.grants()[0].vehicle_ids == [vehicle_ids[0]]


def test_deny_redirects_with_access_denied(app: EmulatorApp, client: Client) -> None:
    sid = _sid(client.get(_authorize(app, make="BMW")).text)
    client.post("/oauth/authorize/login", data={"sid": sid, "email": "y@example.com",
                                                "password": "p"})  # fmt: skip
    denied = client.post("/oauth/authorize/grant", data={"sid": sid, "decision": "deny"})
    assert "error=access_denied" in denied.headers["Location"]


def test_bad_requests_are_html_error_pages(app: EmulatorApp, client: Client) -> None:
    unknown = client.get(_authorize(app, client_id="someone-else"))
    assert unknown.status_code == 400 and 'id="error-title"' in unknown.text
    assert client.get(_authorize(app, single_select="yes")).status_code == 400
    assert client.post("/oauth/authorize/login", data={"sid": "stale"}).status_code == 400
    assert client.get("/").status_code == 200
