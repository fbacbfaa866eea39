"""The management commands' tests: the project's settings point at the emulator."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def project(alias: str, emu: Any, settings: Any) -> Any:
    """The emulator, with 5 connected vehicles, as the project's Smartcar."""
    settings.SMARTCAR = {
        **settings.SMARTCAR,
        "CLIENT_ID": emu.client_id,
        "CLIENT_SECRET": emu.client_secret,
        "APPLICATION_ID": emu.v3.application_id,
        "MANAGEMENT_TOKEN": emu.v3.management_token,
    }
    emu.v3.add_vehicles(5)
    return emu
