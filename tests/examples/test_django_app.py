"""The Django example (examples/django_app) in headless Chromium: sign in, Connect through
the emulator's pages (the Smartcar app's Connect views store the user id against the Django
user), read the vehicle table, lock a car and watch the signed webhook change the page, and
refuse a forged delivery. A screenshot goes to docs/screenshots/django_app.png.

The example runs in a process of its own (Django is configured once per process), on an
SQLite file, pointed at this test's emulator through the ``SMARTCAR_*`` variables.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import requests
from e2e_support import REPO, click_through_connect, sign
from playwright.sync_api import Browser, Page, expect
from test_browser import browser, redelivery, row_of, wait_for_polls, webhook_count

from examples.django_app.run import CALLBACK_PATH, WEBHOOK_PATH, emulator_environment
from examples.flask_app.live import LIVE_SIGNALS
from smartcar.emulator import Emulator
from smartcar.emulator.server import ORIGIN_CONSTANTS

__all__ = ["browser"]

DRIVER = "django-driver@example.com"
SCREENSHOT = REPO / "docs" / "screenshots" / "django_app.png"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def django_app(emu: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m examples.django_app`` on a free port, wired to ``emu``; its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    emu.add_redirect_uri(base + CALLBACK_PATH)
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(emulator_environment(emu, base + CALLBACK_PATH))
    env.update({variable: emu.origin for variable, _ in ORIGIN_CONSTANTS.values()})
    env["EXAMPLE_DB"] = str(tmp_path_factory.mktemp("django-example") / "example.sqlite3")
    env["DJANGO_SECRET_KEY"] = "e2e-only"
    env["PYTHONPATH"] = str(REPO)
    process = subprocess.Popen(
        [sys.executable, "-m", "examples.django_app", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        seen = []
        for line in process.stdout:
            seen.append(line)
            if line.startswith("Open "):
                break
        else:
            pytest.fail("the Django example did not start:\n" + "".join(seen))
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def page(browser: Browser, django_app: str, emu: Emulator) -> Iterator[Page]:
    emu.reset()
    emu.add_redirect_uri(django_app + CALLBACK_PATH)
    context = browser.new_context(viewport={"width": 1320, "height": 640})
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_connect_read_the_table_lock_and_watch_the_webhook(
    page: Page, django_app: str, emu: Emulator
) -> None:
    hook = emu.v3.add_webhook(
        "Django example", django_app + WEBHOOK_PATH,
        triggers=[LIVE_SIGNALS[0]], data=list(LIVE_SIGNALS), auto_subscribe=True,
    )  # fmt: skip
    assert hook.is_enabled  # the app answered the emulator's VERIFY
    garage = emu.vehicles(DRIVER)
    target = garage[0]
    target.locked = False

    page.goto(django_app + "/")
    page.fill("#name", "ada")
    page.click("#sign-in")
    page.click("#connect")
    click_through_connect(page, "ALL", approve=True, email=DRIVER)
    assert page.url == f"{django_app}/vehicles/"
    expect(page.locator("h1")).to_have_text("Your vehicles")
    assert page.locator("tbody tr").count() == len(garage) >= 2
    for vehicle in garage:
        row = row_of(page, vehicle)
        odometer = row.locator('[data-field="odometer"] .value').inner_text()
        assert odometer == f"{vehicle.odometer_km:,.1f} km"
        doors = row.locator('[data-field="doors"] .value').inner_text()
        assert doors == ("Locked" if vehicle.locked else "Unlocked")

    # Each vehicle's first delivery arrives and is shown without a reload.
    expect(page.locator("#webhook-count")).to_have_text(str(len(garage)))
    doors = row_of(page, target).locator('[data-field="doors"] .value')
    pushed = row_of(page, target).locator('[data-field="pushed"]')
    expect(pushed.locator('[data-signal="closure-islocked"]')).to_have_text("Doors: Unlocked")
    page.evaluate("window.__sameDocument = true")

    row_of(page, target).locator('button[data-action="lock"]').click()
    expect(page.locator("#message")).to_contain_text("is now locked")
    assert emu.vehicle(target.id).locked is True
    # The signed VEHICLE_STATE delivery the lock triggered changes the page.
    expect(pushed.locator('[data-signal="closure-islocked"]')).to_have_text("Doors: Locked")
    expect(doors).to_have_text("Locked")
    expect(page.locator("#webhook-count")).to_have_text(str(len(garage) + 1))
    assert page.evaluate("window.__sameDocument") is True  # no reload
    assert emu.v3.deliveries.wait(10)
    lock_event = [
        item for item in emu.v3.deliveries.log("VEHICLE_STATE") if item.vehicle_id == target.id
    ][-1]
    expect(pushed).to_have_attribute("data-event-id", lock_event.event_id)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # A forged delivery (signed with another key) is refused; the page does not change.
    forged = json.loads(redelivery(emu, lock_event))
    forged["eventId"] = str(uuid.uuid4())
    forged["data"]["signals"] = [
        {**signal, "body": {"value": False}} if signal["code"] == "closure-islocked" else signal
        for signal in forged["data"]["signals"]
    ]
    body = json.dumps(forged).encode()
    answer = requests.post(
        django_app + WEBHOOK_PATH,
        data=body,
        headers={"Content-Type": "application/json", "SC-Signature": sign("forger", body)},
        timeout=10,
    )
    assert answer.status_code == 401
    wait_for_polls(page)
    assert webhook_count(page) == len(garage) + 1
    expect(doors).to_have_text("Locked")
    expect(pushed).to_have_attribute("data-event-id", lock_event.event_id)


def test_the_screenshot_is_committed() -> None:
    assert Path(SCREENSHOT).stat().st_size > 10_000


def test_database_url_selects_postgresql() -> None:
    from examples.django_app.settings import database_from_url

    assert database_from_url("postgresql://ada:p%40ss@db.local:5433/cars") == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "cars",
        "USER": "ada",
        "PASSWORD": "p@ss",
        "HOST": "db.local",
        "PORT": "5433",
    }
    assert database_from_url("postgres://localhost/cars")["PORT"] == ""
    for wrong in ("mysql://localhost/cars", "postgresql://localhost/"):
        with pytest.raises(ValueError, match="DATABASE_URL"):
            database_from_url(wrong)
