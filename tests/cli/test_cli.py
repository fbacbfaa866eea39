"""The installed ``smartcar`` console script, run as a user would, against the emulator."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Dict, List
from urllib.parse import parse_qs, urlsplit

import requests
from cli_support import SCRIPT, one_error_line, run, run_on_terminal

import smartcar.v3
from smartcar._cli._output import MAX_CELL, TOO_DEEP
from smartcar.emulator import Emulator, connect
from smartcar.webhooks import hash_hmac


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
    screen = run_on_terminal(["sweep", "--json-lines", os.devnull], env, stdout_too=False)
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


# Answers a service should not send, and values that do not fit ---------------------------


def signal_resource(code: str, body: Any, **status: Any) -> Dict[str, Any]:
    group, _, name = code.partition("-")
    return {
        "id": code,
        "type": "signal",
        "attributes": {
            "code": code,
            "name": name.title(),
            "group": group.title(),
            "status": {"value": "SUCCESS", **status},
            "body": body,
        },
        "meta": {"retrievedAt": 1796622644, "oemUpdatedAt": 1796622609},
    }


def signals_answer(*signals: Dict[str, Any]) -> Dict[str, Any]:
    count = len(signals)
    return {"data": list(signals), "meta": {"page": 1, "pageSize": count, "totalCount": count}}


def deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"inner": [value]}
    return value


def strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def with_non_finite_numbers(answer: Any) -> str:
    """``answer`` as JSON text, with the strings NOT_A_NUMBER, PLUS_INFINITY and MINUS_INFINITY
    turned into NaN, Infinity and -Infinity: not JSON, but Python's decoder (and so a client)
    accepts them from a service."""
    return (
        json.dumps(answer)
        .replace('"NOT_A_NUMBER"', "NaN")
        .replace('"PLUS_INFINITY"', "Infinity")
        .replace('"MINUS_INFINITY"', "-Infinity")
    )


def answer_signals_with(emu: Emulator, vehicle: str, body: Any) -> None:
    emu.faults.add(
        f"/v3/vehicles/{vehicle}/signals", status=200, body=body, count=None, method="GET"
    )


def test_signals_json_of_deep_and_non_finite_values_is_strict_and_bounded(
    emu: Emulator, env: Dict[str, str], fleet: List[str]
) -> None:
    answer = signals_answer(
        signal_resource("odometer-traveleddistance", {"value": 1.5, "unit": "km"}),
        signal_resource("custom-deep", {"value": deep(400)}),
        signal_resource("custom-notanumber", {"value": "NOT_A_NUMBER"}),
        signal_resource("custom-infinite", {"value": ["PLUS_INFINITY", "MINUS_INFINITY"]}),
    )
    text = with_non_finite_numbers(answer)
    answer_signals_with(emu, fleet[0], text)
    done = run(["signals", fleet[0], "--user", emu.v3.user_id(), "--json"], env)
    assert done.returncode == 0, done.stderr
    signals = strict_json(done.stdout)
    assert signals["custom-notanumber"]["value"] is None
    assert signals["custom-infinite"]["value"] == [None, None]
    assert signals["odometer-traveleddistance"]["value"] == 1.5
    assert TOO_DEEP in done.stdout
    table = run(["signals", fleet[0], "--user", emu.v3.user_id()], env)
    assert table.returncode == 0, table.stderr
    assert any(line.startswith("custom-deep") for line in table.stdout.splitlines())


def test_sweep_json_lines_survive_a_vehicle_with_deep_values(
    emu: Emulator, env: Dict[str, str], fleet: List[str]
) -> None:
    answer = signals_answer(
        signal_resource("x-deep", deep(400)),
        signal_resource("x-odd", {"value": ["NOT_A_NUMBER", "PLUS_INFINITY", "MINUS_INFINITY"]}),
    )
    text = with_non_finite_numbers(answer)
    answer_signals_with(emu, fleet[3], text)
    done = run(["sweep", "--json-lines", "-"], env)
    assert done.returncode == 0, done.stderr
    records = [strict_json(line) for line in done.stdout.splitlines()]
    assert {record["vehicle_id"] for record in records} >= set(fleet)
    (bad,) = [record for record in records if record["vehicle_id"] == fleet[3]]
    assert bad["ok"] and TOO_DEEP in json.dumps(bad["signals"])
    assert bad["signals"]["x-odd"]["value"] == [None, None, None]


def test_signal_error_rows_show_type_code_and_detail(
    emu: Emulator, env: Dict[str, str], fleet: List[str]
) -> None:
    error = {
        "type": "COMPATIBILITY",
        "code": "VEHICLE_NOT_CAPABLE",
        "detail": "Not reported by this car.",
    }
    answer = signals_answer(
        signal_resource("charge-chargelimits", {}, value="ERROR", error=error),
        signal_resource("closure-islocked", {"value": True}),
    )
    answer_signals_with(emu, fleet[0], answer)
    done = run(["signals", fleet[0], "--user", emu.v3.user_id()], env)
    assert done.returncode == 0, done.stderr
    (row,) = [line for line in done.stdout.splitlines() if line.startswith("charge-chargelimits")]
    assert "COMPATIBILITY:VEHICLE_NOT_CAPABLE Not reported by this car." in row
    assert "{}" not in row and row.rstrip().endswith("ERROR")


def test_wide_values_are_cut_in_tables_and_whole_in_json(
    emu: Emulator, env: Dict[str, str], fleet: List[str]
) -> None:
    wide = "W" * 300
    answer_signals_with(emu, fleet[0], signals_answer(signal_resource("x-wide", {"value": wide})))
    table = run(["signals", fleet[0], "--user", emu.v3.user_id()], env)
    (row,) = [line for line in table.stdout.splitlines() if line.startswith("x-wide")]
    assert wide not in row and ("W" * (MAX_CELL - 1) + "…") in row
    whole = run(["signals", fleet[0], "--user", emu.v3.user_id(), "--json"], env)
    assert strict_json(whole.stdout)["x-wide"]["value"] == wide


def test_webhook_verify_of_a_body_with_a_huge_integer_is_a_result_or_one_line(
    env: Dict[str, str],
) -> None:
    huge = "1" + "0" * 400  # valid JSON, beyond float range
    event = (
        '{"eventId": "e-2", "eventType": "VEHICLE_STATE", "data": {"user": {"id": "u"},'
        ' "vehicle": {"id": "v"}, "signals": [{"code": "odometer-traveleddistance",'
        ' "body": {"value": 1}, "meta": {"retrievedAt": ' + huge + '}}]}, "meta": {"version":'
        ' "4.0", "deliveredAt": ' + huge + "}}"
    ).encode()
    token = "management-token-under-test"
    environment = dict(env, SMARTCAR_MANAGEMENT_TOKEN=token)
    done = run(["webhook", "verify", "--signature", hash_hmac(token, event)], environment, event)
    assert (done.returncode, done.stdout.strip()) == (0, "valid: VEHICLE_STATE e-2"), done.stderr
    not_an_event = ('{"eventType": ' + huge + "}").encode()
    signature = hash_hmac(token, not_an_event)
    done = run(["webhook", "verify", "--signature", signature], environment, not_an_event)
    assert done.returncode == 1, done.stderr
    assert "the signature is valid but the body" in one_error_line(done)
    assert "Traceback" not in done.stderr and token not in done.stdout + done.stderr


# The command line itself --------------------------------------------------------------


def test_version_and_help(env: Dict[str, str]) -> None:
    version = run(["--version"], env)
    assert version.returncode == 0
    assert version.stdout.split()[:2] == ["smartcar", smartcar.__version__]
    help_text = run(["--help"], env).stdout
    for variable in ("SMARTCAR_CLIENT_ID", "SMARTCAR_APPLICATION_ID", "SMARTCAR_MANAGEMENT_TOKEN"):
        assert variable in help_text
    assert "exit status" in help_text and "130" in help_text


def test_usage_errors_are_one_line(env: Dict[str, str]) -> None:
    for args in (["sweep", "--concurrency", "many"], ["no-such-command"], []):
        done = run(args, env)
        assert done.returncode == 2
        one_error_line(done)


def test_errors_never_show_the_management_token(env: Dict[str, str]) -> None:
    token = "amt-under-test-0123456789"
    done = run(["webhook", "verify", "--token", token, "--no-such-option", token], env, b"{}")
    assert done.returncode == 2 and token not in done.stderr
    one_error_line(done)


def test_connect_listens_on_the_redirect_uri_the_emulator_registers(
    emu: Emulator, env: Dict[str, str]
) -> None:
    assert SCRIPT is not None
    # The default port is a fixed one (8000): a test run in another checkout may hold it for a
    # moment, so wait for it rather than fail on that.
    for _ in range(15):
        process = subprocess.Popen(
            [SCRIPT, "connect", "--timeout", "60", "--scope", "read_odometer"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if url:
            break
        _, err = process.communicate(timeout=60)
        assert "cannot listen on 127.0.0.1:8000" in err, err
        time.sleep(2)
    assert url, "port 8000 stayed busy for 30 s"
    assert parse_qs(urlsplit(url).query)["redirect_uri"] == [emu.redirect_uri]
    redirect = connect(url)  # no add_redirect_uri: the default one is registered
    delivered: List[int] = []
    thread = threading.Thread(target=lambda: delivered.append(requests.get(redirect).status_code))
    thread.start()
    out, err = process.communicate(timeout=60)
    thread.join()
    assert process.returncode == 0, err
    assert out.strip() == smartcar.v3.parse_redirect(redirect)["user_id"]


def test_connect_on_a_busy_port_is_one_line_naming_what_to_do(env: Dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run(["connect", "--port", str(port), "--timeout", "1"], env)
    assert done.returncode == 2
    line = one_error_line(done)
    assert f"cannot listen on 127.0.0.1:{port}" in line and "--port N" in line
