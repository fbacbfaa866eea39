"""The FastAPI example (examples/fastapi_app, ``AsyncClient``) against a live emulator: its
views through httpx's ASGI transport, then the whole story in headless Chromium on uvicorn
(Connect, the vehicle table, lock, the signed webhook changing the page without a reload)."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any, AsyncIterator, Dict, Iterator, NamedTuple

import httpx
import pytest
import uvicorn
from e2e_support import (
    TEST_CLIENT_CALLBACK,
    app_config,
    click_through_connect,
    query,
    sign,
    state_event,
)
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect
from test_browser import browser  # noqa: F401 (the module's Chromium, shared)

from examples.fastapi_app.app import WEBHOOK_PATH, create_app
from examples.fastapi_app.run import bind
from examples.flask_app.dashboard import make_name
from examples.flask_app.live import LIVE_SIGNALS
from smartcar.emulator import Emulator, connect

USER = "fastapi-tester@example.com"
DRIVER = "fastapi-browser@example.com"
TIMEOUT_MS = 15_000


def config(emu: Emulator, token_db: Path, redirect_uri: str) -> Dict[str, Any]:
    settings = app_config(emu, token_db, redirect_uri)
    settings["SESSION_SECRET"] = settings.pop("SECRET_KEY")
    return settings


# The views, through httpx's ASGI transport ------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def web(fresh_emu: Emulator, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(config(fresh_emu, tmp_path / "tokens.sqlite3", TEST_CLIENT_CALLBACK))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client
    await app.state.smartcar.client.aclose()


async def sign_in(web: httpx.AsyncClient, user: str = USER) -> None:
    login = await web.get("/login")
    assert login.status_code == 302
    redirect_url = await asyncio.to_thread(
        connect, login.headers["location"], approve=True, email=user
    )
    callback = await web.get("/callback", params=query(redirect_url))
    assert callback.status_code == 302, callback.text
    assert callback.headers["location"].endswith("/vehicles")


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.mark.anyio
async def test_connect_table_lock_and_webhook_views(
    web: httpx.AsyncClient, fresh_emu: Emulator
) -> None:
    assert (await web.get("/vehicles")).status_code == 302  # not signed in yet
    await sign_in(web)
    page = await web.get("/vehicles")
    assert page.status_code == 200
    garage = fresh_emu.vehicles(USER)
    ids = re.findall(r'<tr data-vehicle-id="([^"]+)">', page.text)
    assert sorted(ids) == sorted(vehicle.id for vehicle in garage)
    target = garage[0]
    assert f"{target.year} {make_name(target.make)}" in page.text
    assert f"{target.odometer_km:,.1f} km" in page.text

    token = csrf(page.text)
    refused = await web.post(f"/vehicles/{target.id}/lock", data={"csrf_token": "forged"})
    assert refused.status_code == 400 and fresh_emu.vehicle(target.id).locked is not True
    locked = await web.post(
        f"/vehicles/{target.id}/lock",
        data={"csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert locked.status_code == 200 and locked.json()["ok"] is True
    assert fresh_emu.vehicle(target.id).locked is True

    user_id = fresh_emu.user_id(USER)
    body = state_event(target.id, user_id, locked=True, event_id="evt-fastapi-1")
    signed = {"SC-Signature": sign(fresh_emu.v3.management_token, body)}
    first = await web.post(WEBHOOK_PATH, content=body, headers=signed)
    assert (first.status_code, first.json()) == (200, {"status": "received"})
    again = await web.post(WEBHOOK_PATH, content=body, headers=signed)
    assert again.json() == {"status": "duplicate"}
    forged = await web.post(WEBHOOK_PATH, content=body, headers={"SC-Signature": "0" * 64})
    assert forged.status_code == 401
    live = (await web.get("/live")).json()
    assert live["count"] == 1
    pushed = live["vehicles"][target.id]["state"]["signals"]
    assert {"code": "closure-islocked", "text": "Locked"}.items() <= pushed[0].items()


@pytest.mark.anyio
async def test_a_denial_and_a_forged_state_are_explained(
    web: httpx.AsyncClient, fresh_emu: Emulator
) -> None:
    login = await web.get("/login")
    denied_url = await asyncio.to_thread(
        connect, login.headers["location"], approve=False, email=USER
    )
    denied = await web.get("/callback", params=query(denied_url))
    assert denied.status_code == 200 and "nothing was connected" in denied.text
    assert (await web.get("/vehicles")).status_code == 302  # still not signed in
    login = await web.get("/login")
    redirect_url = await asyncio.to_thread(
        connect, login.headers["location"], approve=True, email=USER
    )
    params = query(redirect_url)
    params["state"] = "not-the-one-we-sent"
    refused = await web.get("/callback", params=params)
    assert refused.status_code == 400 and "not valid" in refused.text


# The whole story in Chromium, on uvicorn ---------------------------------------------------


class Served(NamedTuple):
    base: str
    app: FastAPI


@pytest.fixture(scope="module")
def served(emu: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    sock: socket.socket = bind("127.0.0.1", 0)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    emu.add_redirect_uri(f"{base}/callback")
    token_db = tmp_path_factory.mktemp("fastapi") / "tokens.sqlite3"
    app = create_app(config(emu, token_db, f"{base}/callback"))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="fastapi-example", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield Served(base, app)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def page(browser: Browser, served: Served, emu: Emulator) -> Iterator[Page]:  # noqa: F811
    emu.reset()
    emu.clock.freeze()
    context = browser.new_context(viewport={"width": 1320, "height": 640})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def test_in_a_browser_connect_lock_and_watch_the_webhook(
    page: Page, served: Served, emu: Emulator
) -> None:
    hook = emu.v3.add_webhook(
        "FastAPI example", served.base + WEBHOOK_PATH,
        triggers=[LIVE_SIGNALS[0]], data=list(LIVE_SIGNALS), auto_subscribe=True,
    )  # fmt: skip
    assert hook.is_enabled  # the app answered the emulator's VERIFY
    garage = emu.vehicles(DRIVER)
    target = garage[0]
    target.locked = False
    page.goto(f"{served.base}/")
    page.click("#connect")
    click_through_connect(page, "ALL", True, email=DRIVER)
    assert page.url == f"{served.base}/vehicles"
    expect(page.locator("h1")).to_have_text("Your vehicles")
    assert page.locator("tbody tr").count() == len(garage)
    row = page.locator(f'tr[data-vehicle-id="{target.id}"]')
    expect(row.locator('[data-field="odometer"] .value')).to_have_text(
        f"{target.odometer_km:,.1f} km"
    )
    doors = row.locator('[data-field="doors"] .value')
    expect(doors).to_have_text("Unlocked")
    expect(page.locator("#webhook-count")).to_have_text(str(len(garage)))
    page.evaluate("window.__sameDocument = true")

    row.locator('button[data-action="lock"]').click()
    expect(page.locator(".flash.success")).to_contain_text("is now locked")
    assert emu.vehicle(target.id).locked is True
    pushed = row.locator('[data-field="pushed"] [data-signal="closure-islocked"] .signal-value')
    expect(pushed).to_have_text("Locked")
    expect(doors).to_have_text("Locked")
    assert page.evaluate("window.__sameDocument") is True  # no reload
    expect(page.locator("#webhook-count")).to_have_text(str(len(garage) + 1))
