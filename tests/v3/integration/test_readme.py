"""The README's "Quick start (v3)" sample runs as written against the emulator, with only its
placeholders filled in (the app's credentials, the CSRF state and the URL Connect sent the
user back to)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import smartcar.v3
from smartcar.emulator import Emulator, connect

README = Path(__file__).resolve().parents[3] / "README.md"
HEADING = "## Quick start (v3)"


def first_python_block(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n" + heading + "\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    return block


def test_the_v3_quick_start_runs_as_written(emu: Emulator) -> None:
    code = first_python_block(HEADING)
    placeholders = {
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
        "application_id": emu.application_id,
        "redirect_uri": emu.redirect_uri,
        "csrf_state": "readme-state",
    }
    # The URL Connect redirects to: go through Connect with the URL the sample builds.
    probe = smartcar.v3.Client(
        emu.client_id,
        emu.client_secret,
        application_id=emu.application_id,
        redirect_uri=emu.redirect_uri,
    )
    scope = ["read_vehicle_info", "read_odometer", "control_security"]
    callback_url = connect(probe.get_auth_url(scope, state="readme-state"))
    namespace: Dict[str, Any] = {**placeholders, "callback_url": callback_url}
    exec(compile(code, "README.md (Quick start (v3))", "exec"), namespace)
    assert namespace["url"] == probe.get_auth_url(scope, state="readme-state")
    assert namespace["user_id"] == emu.user_id()
    garage: List[str] = [vehicle.id for vehicle in emu.vehicles()]
    assert namespace["info"]["id"] in garage
    assert isinstance(namespace["odometer"], float)
    assert namespace["execution"]["status"] == "SUCCESS"
    assert all(vehicle.locked for vehicle in emu.vehicles())


def test_the_call_meter_sample_runs_as_written(emu: Emulator) -> None:
    from smartcar.tokens import MemoryStore

    code = first_python_block("### Call meter, monthly limit and app-wide pauses")
    store = MemoryStore()
    vehicle_id = emu.v3.add_vehicles(1)[0].id
    namespace: Dict[str, Any] = {
        "smartcar": smartcar,
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
        "store": store,
        "vehicle_id": vehicle_id,
    }
    user_id = emu.v3.user_id()
    smartcar.v3.Client(emu.client_id, emu.client_secret, token_store=store).vehicle(
        vehicle_id, user_id
    ).signals()
    exec(compile(code, "README.md (Call meter)", "exec"), namespace)
    assert namespace["used"] == 1  # the call of another client sharing the store
    assert namespace["client"].monthly_limit == 450
