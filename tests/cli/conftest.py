"""Fixtures of the command line tests: a fleet on the emulator and a shell pointed at it."""

from __future__ import annotations

import os
from typing import Dict, List

import pytest

from smartcar.emulator import Emulator

FLEET = 30


@pytest.fixture(scope="module")
def emulator_seed() -> int:
    """The seed of these tests' ``emulator`` (``emulator``/``emu``: tests/conftest.py)."""
    return 5


@pytest.fixture
def fleet(emu: Emulator) -> List[str]:
    """``FLEET`` vehicles connected to the emulator's v3 application."""
    return [vehicle.id for vehicle in emu.v3.add_vehicles(FLEET)]


@pytest.fixture
def env(emu: Emulator) -> Dict[str, str]:
    """The environment of a shell user pointed at the emulator."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
    base.update(emu.environment())
    base["SMARTCAR_CLIENT_ID"] = emu.client_id
    base["SMARTCAR_CLIENT_SECRET"] = emu.client_secret
    base["SMARTCAR_APPLICATION_ID"] = emu.application_id
    return base
