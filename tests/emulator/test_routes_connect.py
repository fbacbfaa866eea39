"""The Connect pages through werkzeug's test client: authorize, sign in, approve, redirect."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import List, Optional, Tuple
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
    intro = client.get(_authorize(app, make="TESLA", scope="read_odometer"))
    assert intro.status_code == 200 and 'id="continue-button"' in intro.text
    sid = _sid(intro.text)
    page = client.post("/oauth/authorize/continue", data={"sid": sid})
    assert page.status_code == 200 and 'id="login-form"' in page.text
    assert 'id="username"' in page.text and 'id="sign-in-button"' in page.text
    grant = client.post(
        "/oauth/authorize/login", data={"sid": sid, "username": "x@example.com", "password": "p"}
    )
    assert 'id="approval-button"' in grant.text
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


def _login(client: Client, url: str, email: str, make: str = "") -> str:
    """Introduction, brand (when shown), sign-in: the permission page's HTML."""
    sid = _sid(client.get(url).text)
    page = client.post("/oauth/authorize/continue", data={"sid": sid}).text
    if make and 'id="brand-form"' in page:
        page = client.post("/oauth/authorize/brand", data={"sid": sid, "make": make}).text
    grant = client.post(
        "/oauth/authorize/login", data={"sid": sid, "username": email, "password": "any"}
    )
    assert grant.status_code == 200, grant.text
    return grant.text


def test_the_brand_list_has_smartcars_ids(app: EmulatorApp, client: Client) -> None:
    sid = _sid(client.get(_authorize(app)).text)
    brands = client.post("/oauth/authorize/continue", data={"sid": sid}).text
    for make in ("AUDI", "BMW", "CHEVROLET", "FORD", "NISSAN", "TESLA", "TOYOTA", "VOLKSWAGEN"):
        assert re.search(rf'<button id="{make}" class="brand brand-list-item"', brands), make
    assert 'id="ALL"' in brands  # the emulator's own choice, outside test mode
    test_sid = _sid(client.get(_authorize(app, mode="test")).text)
    test_brands = client.post("/oauth/authorize/continue", data={"sid": test_sid}).text
    assert 'id="CHEVROLET"' in test_brands and 'id="ALL"' not in test_brands


def test_test_mode_gives_the_brands_test_vehicle_whatever_the_email(
    app: EmulatorApp, client: Client
) -> None:
    seen = []
    for email in ("first@example.com", "someone.else@example.org"):
        page = _login(client, _authorize(app, mode="test"), email, make="CHEVROLET")
        [vehicle_id] = re.findall(r'name="vehicle" id="vehicle-\d+" value="([^"]+)"', page)
        seen.append(app.vehicle(vehicle_id))
    first, second = seen
    assert first.id != second.id  # each account has its own
    for vehicle in seen:
        assert (vehicle.make, vehicle.model, vehicle.kind, vehicle.year) == (
            "CHEVROLET", "Volt", "hybrid", 2019,
        )  # fmt: skip
        assert vehicle.vin.startswith("0SCCHEV") and len(vehicle.vin) == 17
        assert vehicle.smartcar_unsupported == ()  # battery capacity served, unlike other Volts
    assert (first.odometer_km, first.battery_percent, first.fuel_percent) == (
        second.odometer_km, second.battery_percent, second.fuel_percent,
    )  # fmt: skip
    live = _login(client, _authorize(app, make="CHEVROLET"), "first@example.com")
    live_ids = re.findall(r'name="vehicle" id="vehicle-\d+" value="([^"]+)"', live)
    assert first.id not in live_ids  # live mode keeps the seeded garage


def test_test_mode_gives_several_vehicles_when_the_account_asks(
    app: EmulatorApp, client: Client
) -> None:
    page = _login(client, _authorize(app, mode="simulated", make="FORD"), "3-vehicles@smartcar.com")
    ids = re.findall(r'name="vehicle" id="vehicle-\d+" value="([^"]+)"', page)
    assert len(ids) == 3
    models = {(app.vehicle(vid).model, app.vehicle(vid).kind) for vid in ids}
    assert models == {("Mustang Mach-E", "electric")}
    assert len({app.vehicle(vid).vin for vid in ids}) == 3


def test_test_mode_single_select_vin_skips_the_brands(app: EmulatorApp, client: Client) -> None:
    url = _authorize(app, mode="test", single_select="true", single_select_vin="0SCAUDI037A5ADB1C")
    sid = _sid(client.get(url).text)
    login = client.post("/oauth/authorize/continue", data={"sid": sid}).text
    assert 'id="login-form"' in login and "Audi" in login
    page = client.post(
        "/oauth/authorize/login",
        data={"sid": sid, "username": "smartcar@successful-request.com", "password": "x"},
    ).text
    [vehicle_id] = re.findall(r'name="vehicle" id="vehicle-\d+" value="([^"]+)"', page)
    assert app.vehicle(vehicle_id).vin == "0SCAUDI037A5ADB1C"


class _Audit(HTMLParser):
    """What an accessibility check reads: the page language, headings, labelled fields,
    named buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.headings = 0
        self.fields: List[str] = []
        self.labels: List[str] = []
        self.buttons: List[str] = []
        self._button: Optional[str] = None

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        attr = dict(attrs)
        if tag == "html":
            self.lang = attr.get("lang") or ""
        elif tag == "h1":
            self.headings += 1
        elif tag == "input" and attr.get("type") != "hidden":
            self.fields.append(attr.get("id") or "")
        elif tag == "label":
            self.labels.append(attr.get("for") or "")
        elif tag == "button":
            self._button = ""

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None:
            self.buttons.append(self._button.strip())
            self._button = None


def test_every_connect_page_is_labelled(app: EmulatorApp, client: Client) -> None:
    sid = _sid(client.get(_authorize(app)).text)
    pages = [
        client.get(_authorize(app)).text,
        client.post("/oauth/authorize/continue", data={"sid": sid}).text,
        client.post("/oauth/authorize/brand", data={"sid": sid, "make": "TESLA"}).text,
        client.post(
            "/oauth/authorize/login", data={"sid": sid, "username": "a@b.c", "password": "p"}
        ).text,
        client.get(_authorize(app, client_id="nobody")).text,
    ]
    for html in pages:
        audit = _Audit()
        audit.feed(html)
        assert audit.lang == "en" and audit.headings == 1
        assert all(field and field in audit.labels for field in audit.fields), audit.fields
        assert all(audit.buttons), audit.buttons
