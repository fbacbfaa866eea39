"""The installed ``smartcar`` console script, run as a user would, against the emulator."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

import smartcar.v3
from smartcar.emulator import Emulator, connect
from smartcar.webhooks import hash_hmac

SCRIPT = shutil.which("smartcar", path=str(Path(sys.executable).parent))
FLEET = 30


@pytest.fixture(scope="module")
def emulator_seed() -> int:
    """The seed of these tests' ``emulator`` (``emulator``/``emu``: tests/conftest.py)."""
    return 5


@pytest.fixture
def fleet(emu: Emulator) -> List[str]:
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


def run(
    args: List[str], env: Dict[str, str], stdin: Optional[bytes] = None
) -> subprocess.CompletedProcess[str]:
    assert SCRIPT is not None, "the smartcar console script is not installed in this venv"
    done = subprocess.run(
        [SCRIPT, *args],
        env=env,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream
        secret = env.get("SMARTCAR_CLIENT_SECRET")
        if secret:
            assert secret not in stream
    return done


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("smartcar: error: ")
    return lines[0]


def test_connections_lists_the_fleet(env: Dict[str, str], fleet: List[str]) -> None:
    table = run(["connections"], env)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split()[:2] == ["VEHICLE", "USER"]
    assert all(vehicle in table.stdout for vehicle in fleet)
    lines = run(["connections", "--json"], env).stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert {record["vehicle_id"] for record in records} >= set(fleet)


def test_signals_as_a_table_and_as_json(
    emu: Emulator, env: Dict[str, str], fleet: List[str]
) -> None:
    user = emu.v3.user_id()
    table = run(["signals", fleet[0], "--user", user], env)
    assert table.returncode == 0, table.stderr
    assert "odometer-traveleddistance" in table.stdout
    signals = json.loads(run(["signals", fleet[0], "--user", user, "--json"], env).stdout)
    assert signals["odometer-traveleddistance"]["status"] == "SUCCESS"
    assert isinstance(signals["odometer-traveleddistance"]["value"], (int, float))


def test_lock_and_unlock_change_the_vehicle(
    emu: Emulator, env: Dict[str, str], fleet: List[str]
) -> None:
    user = emu.v3.user_id()
    client = smartcar.v3.Client(emu.client_id, emu.client_secret)
    for action, locked in (("unlock", False), ("lock", True)):
        done = run([action, fleet[1], "--user", user], env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"{action}: SUCCESS"
        assert client.vehicle(fleet[1], user).signal("closure-islocked").value is locked


def test_sweep_writes_one_json_line_per_vehicle(
    tmp_path: Path, env: Dict[str, str], fleet: List[str]
) -> None:
    out = tmp_path / "fleet.jsonl"
    done = run(["sweep", "--concurrency", "8", "--json-lines", str(out)], env)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["vehicle_id"] for r in records if r["vehicle_id"] in fleet) == sorted(fleet)
    assert all(r["ok"] and r["signals"] for r in records)
    assert "\r" not in done.stderr  # no progress bar when stderr is not a terminal
    assert done.stderr.strip().startswith("swept ")


def test_sweep_shards_cover_the_fleet_once(env: Dict[str, str], fleet: List[str]) -> None:
    seen: List[str] = []
    for shard in ("0/2", "1/2"):
        done = run(["sweep", "--shard", shard, "--codes", "vehicleidentification-vin",
                    "--json-lines", "-"], env)  # fmt: skip
        assert done.returncode == 0, done.stderr
        seen += [json.loads(line)["vehicle_id"] for line in done.stdout.splitlines()]
    assert sorted(v for v in seen if v in fleet) == sorted(fleet)
    assert len(seen) == len(set(seen))


def test_sweep_draws_a_progress_bar_on_a_terminal(env: Dict[str, str], fleet: List[str]) -> None:
    assert SCRIPT is not None
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [SCRIPT, "sweep", "--json-lines", os.devnull],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    chunks: List[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    screen = b"".join(chunks).decode()
    assert "\r\x1b[K[" in screen and "vehicles" in screen and "swept " in screen


def test_connect_prints_the_user_id_after_the_redirect(emu: Emulator, env: Dict[str, str]) -> None:
    assert SCRIPT is not None
    process = subprocess.Popen(
        [SCRIPT, "connect", "--port", "0", "--timeout", "60", "--scope", "read_odometer"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    redirect_uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
    assert redirect_uri.startswith("http://127.0.0.1:")
    emu.add_redirect_uri(redirect_uri)
    redirect = connect(url)
    delivered: List[int] = []
    thread = threading.Thread(target=lambda: delivered.append(requests.get(redirect).status_code))
    thread.start()
    out, err = process.communicate(timeout=60)
    thread.join()
    assert process.returncode == 0, err
    assert delivered == [200]
    assert out.strip() == smartcar.v3.parse_redirect(redirect)["user_id"]
    assert "code=" not in err and emu.client_secret not in out + err


def test_webhook_verify_reads_the_body_from_stdin(env: Dict[str, str]) -> None:
    body = json.dumps(
        {"eventId": "e-1", "eventType": "VEHICLE_STATE",
         "data": {"user": {"id": "u"}, "vehicle": {"id": "v"}, "signals": []},
         "meta": {"version": "4.0", "deliveredAt": 1761896351529}}
    ).encode()  # fmt: skip
    token = "management-token-under-test"
    signature = hash_hmac(token, body)
    good = run(["webhook", "verify", "--token", token, "--signature", signature], env, body)
    assert (good.returncode, good.stdout.strip()) == (0, "valid: VEHICLE_STATE e-1")
    bad = run(["webhook", "verify", "--token", token, "--signature", "0" * 64], env, body)
    assert bad.returncode == 1 and bad.stdout.startswith("invalid")
    printed = run(["webhook", "verify", "--token", token], env, body)
    assert printed.stdout.strip() == signature
    for done in (good, bad, printed):
        assert token not in done.stdout + done.stderr


def test_errors_are_one_line_and_exit_non_zero(
    emu: Emulator, env: Dict[str, str], fleet: List[str]
) -> None:
    missing = {k: v for k, v in env.items() if k != "SMARTCAR_CLIENT_SECRET"}
    done = run(["connections"], missing)
    assert done.returncode == 2 and "SMARTCAR_CLIENT_SECRET" in one_error_line(done)

    wrong = dict(env, SMARTCAR_CLIENT_SECRET="not-the-secret-0123456789")
    done = run(["connections"], wrong)
    assert done.returncode == 1 and "Authentication" in one_error_line(done)
    assert "not-the-secret-0123456789" not in done.stderr

    done = run(["signals", fleet[0], "--user", "00000000-0000-0000-0000-000000000000"], env)
    assert done.returncode == 1
    one_error_line(done)

    done = run(["webhook", "verify"], missing, b"{}")
    assert done.returncode == 2 and "--token" in one_error_line(done)


def test_emulator_subcommand_is_the_emulators_own(env: Dict[str, str]) -> None:
    done = run(["emulator", "--help"], env)
    assert done.returncode == 0
    assert "--port" in done.stdout and "--seed" in done.stdout
