"""Helpers shared by the Flask example tests (imported by conftest and the test modules)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple, Optional
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # `examples` is not an installed package
    sys.path.insert(0, str(REPO))

if TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Page

    from smartcar.emulator import Emulator

TEST_CLIENT_CALLBACK = "http://localhost/callback"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> Optional[str]:
    """``E2E_CHROMIUM`` if set, else Debian's ``/usr/bin/chromium``, else one on the PATH."""
    wanted = os.environ.get("E2E_CHROMIUM")
    candidates = [wanted] if wanted else ["/usr/bin/chromium"]
    if not wanted:
        candidates += [shutil.which("chromium") or "", shutil.which("chromium-browser") or ""]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)
CONNECT_EMAIL = "driver@example.com"  # the emulator's default user
CONNECT_PASSWORD = "any-password"


def click_through_connect(
    page: Page,
    make: str,
    approve: bool = True,
    *,
    email: str = CONNECT_EMAIL,
    password: str = CONNECT_PASSWORD,
) -> None:
    """Click through Connect from its first page (``page`` shows the introduction) to the
    redirect, using only the element ids of Smartcar's hosted pages in test mode, so the
    same clicks work on the real service: ``button#continue-button``, the brand's
    ``button#<MAKE>.brand-list-item`` (when the brand list is shown: Connect was given no
    ``make``), ``#username``, ``#password``, ``#sign-in-button``, then
    ``#approval-button`` (or the emulator's ``#deny-button`` when ``approve`` is False).
    Returns once the redirect's page has loaded."""
    page.click("button#continue-button")
    brand = page.locator(f"button#{make.upper()}.brand-list-item")
    username = page.locator("#username")
    brand.or_(username).first.wait_for(state="visible")
    if brand.count():
        brand.click()
    username.fill(email)
    page.fill("#password", password)
    page.click("#sign-in-button")
    page.click("#approval-button" if approve else "#deny-button")
    page.wait_for_load_state()


class LiveApp(NamedTuple):
    """The example app served over loopback HTTP."""

    base: str
    app: Flask
    token_db: Path


def app_config(emu: Emulator, token_db: Path, redirect_uri: str) -> Dict[str, Any]:
    """Settings of the example app for a test against ``emu`` (its error pages stay on)."""
    return {
        "SMARTCAR_CLIENT_ID": emu.client_id,
        "SMARTCAR_CLIENT_SECRET": emu.client_secret,
        "SMARTCAR_APPLICATION_ID": emu.v3.application_id,
        "SMARTCAR_MANAGEMENT_TOKEN": emu.v3.management_token,
        "SMARTCAR_REDIRECT_URI": redirect_uri,
        "SECRET_KEY": "test-only-session-key",
        "TOKEN_DB": str(token_db),
    }


def sign(management_token: str, body: bytes) -> str:
    """``SC-Signature`` of ``body``: hex HMAC-SHA256 keyed by the management token
    (computed here, independently of the SDK and the emulator)."""
    return hmac.new(management_token.encode(), body, hashlib.sha256).hexdigest()


def state_event(
    vehicle_id: str,
    user_id: str,
    *,
    locked: bool,
    event_id: Optional[str] = None,
    delivered_at_ms: int = 1_790_000_000_000,
) -> bytes:
    """The body of a documented VEHICLE_STATE delivery (doors and odometer), as bytes."""
    payload = {
        "eventId": event_id or str(uuid.uuid4()),
        "eventType": "VEHICLE_STATE",
        "data": {
            "user": {"id": user_id},
            "vehicle": {"id": vehicle_id, "make": "TESLA", "model": "Model 3", "year": 2020},
            "signals": [
                {"code": "closure-islocked", "name": "IsLocked", "group": "Closure",
                 "body": {"value": locked}, "status": {"value": "SUCCESS"},
                 "meta": {"retrievedAt": delivered_at_ms, "oemUpdatedAt": delivered_at_ms}},
                {"code": "odometer-traveleddistance", "name": "TraveledDistance",
                 "group": "Odometer", "body": {"value": 1234.5, "unit": "km"},
                 "status": {"value": "SUCCESS"}},
            ],
        },
        "triggers": [{"type": "SIGNAL_UPDATED", "signal": {
            "name": "IsLocked", "code": "closure-islocked", "group": "Closure"}}],
        "meta": {"version": "4.0", "webhookId": "wh-1", "webhookName": "test",
                 "deliveryId": str(uuid.uuid4()), "deliveredAt": delivered_at_ms},
    }  # fmt: skip
    return json.dumps(payload).encode()


def stored_keys(token_db: Path) -> List[str]:
    """The keys that have a token record in the app's SQLite database."""
    if not token_db.exists():
        return []
    with sqlite3.connect(str(token_db)) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if "smartcar_tokens" not in tables:
            return []
        return sorted(row[0] for row in db.execute("SELECT key FROM smartcar_tokens"))


def query(url: str) -> Dict[str, str]:
    """The query parameters of ``url`` (first value of each)."""
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
