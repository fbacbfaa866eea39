"""``make demo`` (``python -m smartcar.emulator.demo``) in a subprocess: it tells the four parts
of the story in order, within a minute, on loopback only, and ends with a verified webhook."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import List

import pytest

from smartcar import _config
from smartcar.emulator import demo

REPO = Path(__file__).resolve().parents[2]
BUDGET_SECONDS = 60


def run_demo(**extra_env: str) -> List[str]:
    """The lines ``make demo``'s module prints, run as ``make demo`` runs it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SMARTCAR_")}
    env.update(PYTHONUNBUFFERED="1", NO_PROXY="*", HTTP_PROXY="", HTTPS_PROXY="", **extra_env)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "smartcar.emulator.demo"],
        cwd=str(REPO),
        env=env,
        capture_output=True,
        text=True,
        timeout=BUDGET_SECONDS,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stderr == ""
    assert elapsed < BUDGET_SECONDS
    return done.stdout.splitlines()


@pytest.fixture(scope="module")
def output() -> List[str]:
    return run_demo()


def _index(lines: List[str], text: str) -> int:
    found = [number for number, line in enumerate(lines) if text in line]
    assert found, f"{text!r} not in the demo's output"
    return found[0]


def test_the_four_parts_in_order(output: List[str]) -> None:
    titles = [demo.PARTS[0].format(version=_config.DEFAULT_API_VERSION), *demo.PARTS[1:]]
    positions = [_index(output, title) for title in titles]
    assert positions == sorted(positions)
    assert "seed's story" in titles[0] and "(the default)" in titles[0]
    assert 'set_api_version("1.0")' in titles[1]
    assert "v3" in titles[2] and "Webhooks" in titles[3]
    assert re.fullmatch(r"Done in \d+\.\d s\.", output[-1])


def _part(output: List[str], number: int) -> List[str]:
    start = _index(output, f"Part {number}.")
    end = _index(output, f"Part {number + 1}.") if number < len(demo.PARTS) else len(output)
    return output[start:end]


def test_part_1_runs_the_seed_story_on_the_default_version(output: List[str]) -> None:
    part = "\n".join(_part(output, 1))
    for step in ("get_auth_url", "exchange_code", "get_vehicle_ids", "Every read",
                 "lock, unlock", "exchange_refresh_token", "One handled exception"):  # fmt: skip
        assert step in part
    assert f"/v{_config.DEFAULT_API_VERSION}/..." in part
    assert "SmartcarTimeout" in part and "StateException" in part


def test_part_2_pins_v1_and_shares_the_state(output: List[str]) -> None:
    part = _part(output, 2)
    served = [line.split() for line in part if re.match(r"\s+(GET|POST)\s+/v", line)]
    assert [row[0] for row in served[:2]] == ["GET", "POST"]
    assert all(row[1].startswith("/v1.0/") and row[2] == "200" for row in served[:2])
    assert {row[1].split("/")[1] for row in served[2:]} == {"v1.0", "v2.0"}
    assert any("get_api_version() -> '1.0'" in line for line in part)
    assert any("agree: True" in line for line in part)


def test_part_3_v3_token_user_signals_command(output: List[str]) -> None:
    part = "\n".join(_part(output, 3))
    assert "requested 1 time(s)" in part
    assert re.search(r"redirected with user_id [0-9a-f-]{36}, state demo-v3", part)
    assert re.search(r"\d+ signals; a few of them", part)
    changed = re.search(r"before: (True|False)\n.*SUCCESS.*\n.*after:  (True|False)", part)
    assert changed is not None and changed.group(1) != changed.group(2)


def test_part_4_ends_with_a_verified_webhook(output: List[str]) -> None:
    part = "\n".join(_part(output, 4))
    assert "webhook enabled: True" in part
    assert re.search(r"-> 200; SC-Signature verified over the raw \d+ bytes: True", part)
    assert "after lock(): 1 more" in part or "after unlock(): 1 more" in part
    assert "wrong SC-Signature -> 401; events handed over: 0" in part
    log = [line.split() for line in _part(output, 4) if line.startswith("   VEHICLE_STATE ")]
    assert log and all(row[1] == "delivered" for row in log)


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_the_seed_story_on_either_default(version: str) -> None:
    """With ``SMARTCAR_API_VERSION`` the seed's story runs on that version (v2.0 error bodies
    on v2.0), pinning still shows v1.0, and the story still ends with the verified webhook."""
    lines = run_demo(SMARTCAR_API_VERSION=version)
    part = "\n".join(_part(lines, 1))
    assert demo.PARTS[0].format(version=version) in part
    assert f"/v{version}/..." in part
    assert ("UpstreamException" in part) is (version == "2.0")
    assert ("VEHICLE_STATE code=CHARGING_PLUG_NOT_CONNECTED" in part) is (version == "2.0")
    assert f"back to the default: get_api_version() -> '{version}'" in "\n".join(_part(lines, 2))
    assert any("verified over the raw" in line and line.endswith("True") for line in lines)


def test_every_address_it_names_is_loopback(output: List[str]) -> None:
    hosts = set(re.findall(r"https?://([^/:\s]+)", "\n".join(output)))
    assert hosts and hosts <= {"127.0.0.1"}
