"""The Flask example in headless Chromium: Connect through the emulator's pages, read the
vehicle table, lock a car and watch the signed webhook change the page, refuse a forged
delivery, acknowledge a redelivery once, and deny access.

Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright (the browsers Playwright
would download are never used). Without it the tests skip on a workstation and fail in CI
(``CI`` set), where ``.ci/run`` installs it. ``E2E_CHROMIUM`` names another binary.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from typing import Iterator

import pytest
import requests
from e2e_support import (
    CHROMIUM_ARGS,
    REPO,
    LiveApp,
    click_through_connect,
    find_chromium,
    sign,
)
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from examples.flask_app.app import WEBHOOK_PATH, make_name
from examples.flask_app.live import LIVE_SIGNALS
from smartcar.emulator import Emulator
from smartcar.emulator.fleet import KM_PER_MILE, SimVehicle
from smartcar.emulator.v3.deliveries import Delivery

ARTIFACTS = REPO / "artifacts"
DRIVER = "browser-driver@example.com"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        where = os.environ.get("E2E_CHROMIUM") or "/usr/bin/chromium"
        reason = f"{where} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"the browser test must run in CI: {reason}")
        pytest.skip(f"browser test skipped: {reason}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, live_app: LiveApp, emu: Emulator) -> Iterator[Page]:
    """A fresh browser context (no cookies) on a reset emulator with a frozen clock."""
    emu.reset()
    emu.clock.freeze()
    context = browser.new_context(viewport={"width": 1320, "height": 640})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def connect_in_browser(page: Page, base: str, email: str, make: str, approve: bool) -> None:
    """Home -> Connect -> intro -> brand -> sign in -> Allow/Deny, as a user clicks it."""
    page.goto(f"{base}/")
    page.click("#connect")
    click_through_connect(page, make, approve, email=email)


def row_of(page: Page, vehicle: SimVehicle) -> Locator:
    return page.locator(f'tr[data-vehicle-id="{vehicle.id}"]')


def webhook_count(page: Page) -> int:
    return int(page.locator("#webhook-count").inner_text())


def wait_for_polls(page: Page, more: int = 2) -> None:
    """Let the page ask /live ``more`` more times (it would show any change by then)."""
    polls = int(page.locator("body").get_attribute("data-live-polls") or 0)
    page.wait_for_function(
        f"Number(document.body.getAttribute('data-live-polls') || 0) >= {polls + more}"
    )


def redelivery(emu: Emulator, delivery: Delivery) -> bytes:
    """The body Smartcar sends when it delivers ``delivery`` again: the same event (same
    ``eventId``), a new delivery id and time."""
    payload = json.loads(json.dumps(delivery.payload))
    payload["meta"]["deliveryId"] = str(uuid.uuid4())
    payload["meta"]["deliveredAt"] = int(emu.clock.now().timestamp() * 1000) + 25_000
    return json.dumps(payload).encode()


def test_connect_read_the_table_lock_and_watch_the_webhook(
    page: Page, live_app: LiveApp, emu: Emulator
) -> None:
    hook = emu.v3.add_webhook(
        "Flask example", live_app.base + WEBHOOK_PATH,
        triggers=[LIVE_SIGNALS[0]], data=list(LIVE_SIGNALS), auto_subscribe=True,
    )  # fmt: skip
    assert hook.is_enabled  # the app answered the emulator's VERIFY
    garage = emu.vehicles(DRIVER)
    target = garage[0]
    target.locked = False
    connect_in_browser(page, live_app.base, DRIVER, make="ALL", approve=True)
    assert page.url == f"{live_app.base}/vehicles"
    expect(page.locator("h1")).to_have_text("Your vehicles")
    assert len(garage) >= 3
    assert page.locator("tbody tr").count() == len(garage)

    for vehicle in garage:
        row = row_of(page, vehicle)
        title = f"{vehicle.year} {make_name(vehicle.make)} {vehicle.model}"
        expect(row.locator('[data-field="vehicle"]')).to_have_text(re.compile(re.escape(title)))
        odometer = row.locator('[data-field="odometer"] .value').inner_text()
        assert odometer == f"{vehicle.odometer_km:,.1f} km"
        location = row.locator('[data-field="location"] .value').inner_text()
        assert location == f"{vehicle.latitude:.5f}, {vehicle.longitude:.5f}"
        fuel = row.locator('[data-field="fuel"] .value').inner_text()
        battery = row.locator('[data-field="battery"] .value').inner_text()
        if vehicle.has_engine:
            assert fuel.startswith(f"{vehicle.fuel_percent * 100:.0f}%")
        else:
            assert fuel == "—"
        if vehicle.has_battery:
            assert battery == f"{vehicle.battery_percent * 100:.0f}%"
        else:
            assert battery == "—"
        doors = row.locator('[data-field="doors"] .value').inner_text()
        assert doors == ("Locked" if vehicle.locked else "Unlocked")

    # Every subscribed vehicle's first delivery arrives and is shown without a reload.
    expect(page.locator("#webhook-count")).to_have_text(str(len(garage)))
    doors = row_of(page, target).locator('[data-field="doors"] .value')
    pushed = row_of(page, target).locator('[data-field="pushed"]')
    expect(pushed.locator('[data-signal="closure-islocked"] .signal-value')).to_have_text(
        "Unlocked"
    )
    page.evaluate("window.__sameDocument = true")

    row_of(page, target).locator('button[data-action="lock"]').click()
    expect(page.locator(".flash.success")).to_contain_text("is now locked")
    assert emu.vehicle(target.id).locked is True
    # The doors change when the signed VEHICLE_STATE webhook the lock triggered arrives.
    expect(pushed.locator('[data-signal="closure-islocked"] .signal-value')).to_have_text("Locked")
    expect(doors).to_have_text("Locked")
    assert page.evaluate("window.__sameDocument") is True  # no reload, no navigation
    assert emu.v3.deliveries.wait(10)
    lock_event = [
        item for item in emu.v3.deliveries.log("VEHICLE_STATE") if item.vehicle_id == target.id
    ][-1]
    assert lock_event.state == "delivered" and lock_event.attempts[-1].status == 200
    assert lock_event.payload["triggers"][0]["signal"]["code"] == "closure-islocked"
    expect(pushed).to_have_attribute("data-event-id", lock_event.event_id)
    expect(
        page.locator(f'#webhook-events li[data-event-id="{lock_event.event_id}"]')
    ).to_have_count(1)
    count = webhook_count(page)
    assert count == len(garage) + 1
    assert [
        record.path.rsplit("/", 1)[1] for record in emu.requests("/v3/vehicles/*/commands/*")
    ] == ["lock"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "vehicles-live.png"), full_page=True)

    # A forged delivery (signed with another key) is refused, and the page does not change.
    forged = json.loads(redelivery(emu, lock_event))
    forged["eventId"] = str(uuid.uuid4())
    forged["data"]["signals"] = [
        {**signal, "body": {"value": False}} if signal["code"] == "closure-islocked" else signal
        for signal in forged["data"]["signals"]
    ]
    body = json.dumps(forged).encode()
    answer = requests.post(
        live_app.base + WEBHOOK_PATH,
        data=body,
        headers={"Content-Type": "application/json", "SC-Signature": sign("forger-key", body)},
        timeout=10,
    )
    assert answer.status_code == 401
    wait_for_polls(page)
    assert webhook_count(page) == count
    expect(doors).to_have_text("Locked")
    expect(pushed).to_have_attribute("data-event-id", lock_event.event_id)

    # Smartcar delivers the lock event again (same eventId): acknowledged, not shown twice.
    again = redelivery(emu, lock_event)
    answer = requests.post(
        live_app.base + WEBHOOK_PATH,
        data=again,
        headers={"Content-Type": "application/json",
                 "SC-Signature": sign(emu.v3.management_token, again)},
        timeout=10,
    )  # fmt: skip
    assert (answer.status_code, answer.json()) == (200, {"status": "duplicate"})
    wait_for_polls(page)
    assert webhook_count(page) == count
    expect(
        page.locator(f'#webhook-events li[data-event-id="{lock_event.event_id}"]')
    ).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True

    page.click("#units-imperial")
    odometer = row_of(page, target).locator('[data-field="odometer"] .value').inner_text()
    assert odometer == f"{target.odometer_km / KM_PER_MILE:,.1f} mi"


def test_without_javascript_lock_is_a_form_post(
    browser: Browser, live_app: LiveApp, emu: Emulator
) -> None:
    emu.reset()
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        connect_in_browser(page, live_app.base, "no-js@example.com", make="ALL", approve=True)
        target = emu.vehicles("no-js@example.com")[0]
        target.locked = False
        page.reload()
        row_of(page, target).locator('button[data-action="lock"]').click()
        expect(page.locator(".flash.success")).to_contain_text("is now locked")
        expect(row_of(page, target).locator('[data-field="doors"] .value')).to_have_text("Locked")
        assert emu.vehicle(target.id).locked is True
    finally:
        context.close()


def test_deny_connects_nothing(page: Page, live_app: LiveApp, emu: Emulator) -> None:
    connect_in_browser(page, live_app.base, "denier@example.com", make="TESLA", approve=False)
    expect(page.locator("#denied h1")).to_contain_text("nothing was connected")
    assert page.url.startswith(f"{live_app.base}/callback?")
    assert emu.v3.connections("denier@example.com") == []
    page.goto(f"{live_app.base}/vehicles")
    assert page.url == f"{live_app.base}/"  # no session: back to the start
