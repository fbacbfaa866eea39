"""``smartcar emulator`` and ``python -m smartcar.emulator`` refuse bad options and addresses
with one line and exit status 2, before serving anything."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Dict, List

import pytest
from cli_support import SCRIPT, one_error_line, run

COMMANDS = {
    "smartcar emulator": ([str(SCRIPT), "emulator"], "smartcar emulator"),
    "python -m smartcar.emulator": ([sys.executable, "-m", "smartcar.emulator"],
                                    "python -m smartcar.emulator"),
}  # fmt: skip


@pytest.fixture(params=sorted(COMMANDS))
def command(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def refused(command: str, args: List[str], env: Dict[str, str]) -> str:
    argv, prefix = COMMANDS[command]
    done = run(args, env, command=argv)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "SMARTCAR_API_ORIGIN" not in done.stdout  # it never started serving
    return one_error_line(done, prefix)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--port", "-1"], "must be 0-65535"),
        (["--port", "99999"], "must be 0-65535"),
        (["--port", "eighty"], "not an integer"),
        (["--latency", "-5"], "must be seconds from 0 to 3600"),
        (["--latency", "nan"], "must be seconds from 0 to 3600"),
        (["--latency", "1e999"], "must be seconds from 0 to 3600"),
        (["--cert", "/nonexistent/cert.pem", "--key", "/nonexistent/key.pem"], "no readable file"),
        (["--host", "256.1.1.1"], "cannot serve on 256.1.1.1:0"),
        (["--client-id", ""], "argument --client-id: must not be empty"),
        (["--management-token", " "], "argument --management-token: must not be empty"),
        (["--redirect-uri", "callback"], "must be an http(s) URL, not 'callback'"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    command: str, args: List[str], reason: str, env: Dict[str, str]
) -> None:
    assert reason in refused(command, args, env)


def test_cert_without_key_and_a_file_that_is_no_certificate(
    command: str, env: Dict[str, str], tmp_path: Path
) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    assert "--cert and --key go together" in refused(command, ["--cert", str(junk)], env)
    line = refused(command, ["--cert", str(junk), "--key", str(junk)], env)
    assert "cannot serve on 127.0.0.1:0" in line


def test_a_busy_port_is_one_line_and_exit_2(command: str, env: Dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = refused(command, ["--port", str(port)], env)
    assert f"cannot serve on 127.0.0.1:{port}" in line and "in use" in line
