"""Fixtures of the v3 integration tests: the emulator on loopback, a v3 client of its
application, and a connected v3 user."""

from __future__ import annotations

import pytest

import smartcar.v3
from smartcar.emulator import Emulator, connect
from smartcar.emulator.permissions import OTHER_PERMISSIONS, PERMISSIONS


@pytest.fixture(scope="module")
def emulator_seed() -> int:
    """The seed of these tests' ``emulator`` (``emulator``/``emu``: tests/conftest.py)."""
    return 11


@pytest.fixture
def client(emu: Emulator) -> smartcar.v3.Client:
    return smartcar.v3.Client(
        emu.client_id,
        emu.client_secret,
        application_id=emu.application_id,
        redirect_uri=emu.redirect_uri,
    )


@pytest.fixture
def user_id(emu: Emulator, client: smartcar.v3.Client) -> str:
    """The default user, connected through the Connect pages with every permission."""
    redirect = connect(client.get_auth_url([*PERMISSIONS, *OTHER_PERMISSIONS], state="fixture"))
    user: str = smartcar.v3.parse_redirect(redirect)["user_id"]
    return user
