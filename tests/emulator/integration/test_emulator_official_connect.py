"""A user's end-to-end suite against the emulator, unchanged: headless Chromium clicks
through Connect in test mode by the element ids of Smartcar's hosted pages only
(``click_through_connect``), for three brands; then the official smartcar 6.19.1, in its own
venv, exchanges the codes and makes the calls such a suite makes (vehicles, reads, lock,
batch, management connections, error cases), configured only by the ``SMARTCAR_*`` lines
the emulator prints.

Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright, as in ``tests/examples``.
Without Chromium or the 6.19.1 venv (no package index) the test skips, except under ``CI``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from e2e_support import CHROMIUM_ARGS, click_through_connect, find_chromium
from emu_support import load_bench_run, official_python

from smartcar.emulator import Emulator

HERE = Path(__file__).resolve().parent

SCRIPT = HERE / "official6_script.py"
MAKES = ("CHEVROLET", "FORD", "TESLA")
EXPECTED = {
    "CHEVROLET": ("Volt", "0SCCHEV"),
    "FORD": ("Mustang Mach-E", "0SCFORD"),
    "TESLA": ("Model 3", "0SCTESL"),
}


@pytest.fixture(scope="module")
def python6(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bench = load_bench_run()
    scratch = tmp_path_factory.mktemp("official6-venv")
    return official_python(bench.DEFAULT_OFFICIAL6_VENV, "6.19.1", scratch)


@pytest.fixture(scope="module")
def chromium() -> str:
    executable = find_chromium()
    if executable is None:
        reason = "/usr/bin/chromium is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"the browser test must run in CI: {reason}")
        pytest.skip(reason)
    return executable


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(seed=5) as emulator:
        emulator.add_redirect_uri(redirect_uri(emulator))
        emulator.clock.freeze()  # the vehicles do not charge or drive between the reads
        yield emulator


def redirect_uri(emu: Emulator) -> str:
    """The app's callback: on the emulator's origin, so the browser lands somewhere real."""
    return emu.origin + "/callback"


def official(python: Path, emu: Emulator, phase: str, config: Dict[str, Any]) -> Any:
    """Run one phase of the official client's script with the printed environment only."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SMARTCAR_")}
    env.update(emu.environment())
    env.update(
        SMARTCAR_CLIENT_ID=emu.client_id,
        SMARTCAR_CLIENT_SECRET=emu.client_secret,
        SMARTCAR_REDIRECT_URI=redirect_uri(emu),
        PYTHONDONTWRITEBYTECODE="1",
    )
    done = subprocess.run(
        [str(python), str(SCRIPT), phase], input=json.dumps(config), capture_output=True,
        text=True, env=env, cwd=str(HERE), timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


def test_a_users_suite_connects_three_brands_and_calls_with_the_official_sdk(
    python6: Path, chromium: str, emu: Emulator
) -> None:
    from playwright.sync_api import sync_playwright

    auth_url = official(python6, emu, "url", {})["url"]
    assert auth_url.startswith(emu.origin + "/oauth/authorize?") and "mode=test" in auth_url
    codes: Dict[str, str] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            for make in MAKES:
                context = browser.new_context()
                context.set_default_timeout(15_000)
                page = context.new_page()
                page.goto(auth_url)
                click_through_connect(page, make, email=f"{make.lower()}-tester@example.com")
                assert page.url.startswith(redirect_uri(emu) + "?")
                query = parse_qs(urlsplit(page.url).query)
                context.close()
                assert query["state"] == ["e2e"]
                codes[make] = query["code"][0]
        finally:
            browser.close()

    spare = emu.issue_tokens()["access_token"]
    result = official(
        python6, emu, "run", {"codes": codes, "amt": emu.management_token, "spare": spare}
    )
    assert result["version"] == "6.19.1"
    for make in MAKES:
        model, vin_prefix = EXPECTED[make]
        connected = result["makes"][make]
        [(vehicle_id, calls)] = connected["vehicles"].items()
        sim = emu.vehicle(vehicle_id)
        assert calls["attributes"]["ok"]["make"] == make and sim.model == model
        assert calls["attributes"]["ok"]["model"] == model
        assert calls["vin"]["ok"]["vin"] == sim.vin and sim.vin.startswith(vin_prefix)
        assert calls["odometer"]["ok"]["distance"] == pytest.approx(sim.odometer_km, abs=0.1)
        assert calls["location"]["ok"]["latitude"] == pytest.approx(sim.latitude)
        assert calls["lock"]["ok"]["status"] == "success" and sim.locked is True
        assert calls["lock_status"] == {"ok": True}
        assert calls["batch"]["/odometer"] == {"ok": calls["odometer"]["ok"]}
        assert calls["battery"]["ok"]["percent_remaining"] == pytest.approx(sim.battery_percent)
    # each brand's test vehicle serves what its make's test vehicle serves
    chevy = next(iter(result["makes"]["CHEVROLET"]["vehicles"].values()))
    for read in ("fuel", "battery_capacity", "engine_oil", "tire_pressure", "charge"):
        assert "ok" in chevy[read], (read, chevy[read])
    assert "ok" in chevy["batch"]["/fuel"] and "ok" in chevy["batch"]["/engine/oil"]
    ford = next(iter(result["makes"]["FORD"]["vehicles"].values()))
    assert ford["fuel"]["error"]["type"] == "COMPATIBILITY"
    assert ford["fuel"]["error"]["code"] == "VEHICLE_NOT_CAPABLE"
    assert ford["batch"]["/fuel"]["error"]["status"] == 501
    # the management API lists the three connections (one user per email)
    listed = {(item["user_id"], item["vehicle_id"]) for item in result["connections"]}
    for make in MAKES:
        connected = result["makes"][make]
        for vehicle_id in connected["vehicles"]:
            assert (connected["user"], vehicle_id) in listed
    # the errors a suite checks, read by the official SDK as Smartcar sends them
    errors = result["errors"]
    assert errors["bad_code"]["error"]["type"] == "invalid_grant"
    assert errors["bad_code"]["error"]["message"] == "Invalid code: not-a-code."
    assert (errors["malformed_id"]["error"]["status"], errors["malformed_id"]["error"]["type"]) == (
        400, "VALIDATION",
    )  # fmt: skip
    assert errors["unknown_id"]["error"]["status"] == 404
    assert errors["unknown_id"]["error"]["request_id"]
