"""Fixtures of the emulator's unit tests: the WSGI app through werkzeug's test client (no
sockets), its state, and a token with every permission."""

from __future__ import annotations

from typing import Dict

import pytest
from werkzeug.test import Client

from smartcar.emulator.app import EmulatorApp
from smartcar.emulator.state import EmulatorState


@pytest.fixture
def app() -> EmulatorApp:
    """A fresh emulator app (seed 3) on a frozen clock."""
    emulator = EmulatorApp(seed=3)
    emulator.clock.freeze()
    return emulator


@pytest.fixture
def state(app: EmulatorApp) -> EmulatorState:
    return app.state


@pytest.fixture
def client(app: EmulatorApp) -> Client:
    return Client(app)


@pytest.fixture
def token(app: EmulatorApp) -> str:
    access_token: str = app.issue_tokens()["access_token"]
    return access_token


@pytest.fixture
def bearer(token: str) -> Dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
