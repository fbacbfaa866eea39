"""The Flask example in headless Chromium: Connect through the emulator's pages, read the
vehicle table, lock a car, and deny access.

Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright (the browsers Playwright
would download are never used). Without it the tests skip on a workstation and fail in CI
(``CI`` set), where ``.ci/run`` installs it. ``E2E_CHROMIUM`` names another binary.
"""

from __future__ import annotations

import os
import re
import shutil
from typing import Iterator, Optional

import pytest
from e2e_support import REPO, LiveApp, stored_keys
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from examples.flask_app.app import make_name
from smartcar.emulator import Emulator
from smartcar.emulator.fleet import KM_PER_MILE, SimVehicle


def find_chromium() -> Optional[str]:
    """``E2E_CHROMIUM`` if set, else Debian's ``/usr/bin/chromium``, else one on the PATH."""
    wanted = os.environ.get("E2E_CHROMIUM")
    candidates = [wanted] if wanted else ["/usr/bin/chromium"]
    if not wanted:
        candidates += [shutil.which("chromium") or "", shutil.which("chromium-browser") or ""]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
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
    context = browser.new_context(viewport={"width": 1200, "height": 640})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def connect_in_browser(page: Page, base: str, email: str, make: str, approve: bool) -> None:
    """Home -> Connect -> brand -> sign in -> Allow/Deny, as a user clicks it."""
    page.goto(f"{base}/")
    page.click("#connect")
    page.click(f"button[data-make={make}]")
    page.fill("#email", email)
    page.fill("#password", "any-password")
    page.click("#sign-in")
    expect(page.locator("#approve")).to_be_visible()
    page.click("#approve" if approve else "#deny")
    page.wait_for_load_state()


def row_of(page: Page, vehicle: SimVehicle) -> Locator:
    return page.locator(f'tr[data-vehicle-id="{vehicle.id}"]')


def test_connect_read_the_table_and_lock(page: Page, live_app: LiveApp, emu: Emulator) -> None:
    connect_in_browser(page, live_app.base, DRIVER, make="ALL", approve=True)
    assert page.url == f"{live_app.base}/vehicles"
    expect(page.locator("h1")).to_have_text("Your vehicles")
    garage = emu.vehicles(DRIVER)
    assert len(garage) >= 3
    assert page.locator("tbody tr").count() == len(garage)
    assert stored_keys(live_app.token_db) == [emu.user_id(DRIVER)]

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

    target = garage[0]
    target.locked = False
    row_of(page, target).locator('button[data-action="lock"]').click()
    expect(page.locator(".flash.success")).to_contain_text("is now locked")
    assert emu.vehicle(target.id).locked is True
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "vehicles.png"), full_page=True)
    row_of(page, target).locator('button[data-action="unlock"]').click()
    expect(page.locator(".flash.success")).to_contain_text("is now unlocked")
    assert emu.vehicle(target.id).locked is False
    assert [record.action for record in emu.requests("/v1.0/vehicles/*/security")] == [
        "LOCK",
        "UNLOCK",
    ]

    page.click("#units-imperial")
    odometer = row_of(page, target).locator('[data-field="odometer"] .value').inner_text()
    assert odometer == f"{target.odometer_km / KM_PER_MILE:,.1f} mi"


def test_deny_stores_nothing(page: Page, live_app: LiveApp, emu: Emulator) -> None:
    before = stored_keys(live_app.token_db)
    connect_in_browser(page, live_app.base, "denier@example.com", make="TESLA", approve=False)
    expect(page.locator("#denied h1")).to_contain_text("nothing was connected")
    assert page.url.startswith(f"{live_app.base}/callback?")
    assert emu.token_exchanges() == 0
    assert stored_keys(live_app.token_db) == before
    assert emu.user_id("denier@example.com") not in before
    page.goto(f"{live_app.base}/vehicles")
    assert page.url == f"{live_app.base}/"  # no session: back to the start
