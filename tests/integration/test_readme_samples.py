"""The README's samples run as written, against the emulator on loopback.

* "Token lifecycle": the token-manager sample, with only its placeholders (``client_id``,
  ``client_secret``, ``redirect_uri`` and the Connect ``code``) filled in from an emulator;
  its store path must work from any working directory.
* "In-process": the emulator sample, unchanged.
* "Standalone": ``python -m smartcar.emulator`` with the README's options prints the README's
  lines, on the port the README shows (run on a free port instead, so no test ever collides).
"""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

import smartcar
from smartcar.emulator import Emulator, connect

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def sample(heading: str, language: str) -> str:
    """The first ``language`` code block under the README heading ``heading``."""
    blocks: List[str] = []
    section = None
    fence: List[str] = []
    in_code = False
    lang = ""
    for line in README.splitlines(keepends=True):
        if line.startswith("```"):
            if in_code and section == heading and lang == language:
                blocks.append("".join(fence))
            in_code, lang, fence = not in_code, line[3:].strip(), []
        elif in_code:
            fence.append(line)
        elif line.startswith("#"):
            section = line.lstrip("#").strip()
    assert blocks, f"no {language} block under the README heading {heading!r}"
    return blocks[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_token_manager_sample_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code_text = sample("Token lifecycle", "python")
    monkeypatch.chdir(tmp_path)
    with Emulator() as emu:
        connecting = smartcar.AuthClient(
            emu.client_id, emu.client_secret, emu.redirect_uri, scope=["read_odometer"]
        )
        redirect = connect(connecting.get_auth_url(state="readme"))
        namespace: Dict[str, Any] = {
            "client_id": emu.client_id,
            "client_secret": emu.client_secret,
            "redirect_uri": emu.redirect_uri,
            "code": re.search(r"[?&]code=([^&]+)", redirect).group(1),  # type: ignore[union-attr]
        }
        exec(compile(code_text, "README.md (Token lifecycle)", "exec"), namespace)
        garage = {vehicle.id for vehicle in emu.vehicles()}
        assert namespace["user_id"] == emu.user_id()
    assert isinstance(namespace["odometer"], (int, float))
    assert namespace["vehicle_ids"] and set(namespace["vehicle_ids"]) <= garage
    assert list(tmp_path.iterdir()), "the sample's token store wrote no file"


def test_the_in_process_emulator_sample_runs_as_written(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", sample("In-process", "python")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "'distance'" in done.stdout


def console_sample() -> List[str]:
    lines = sample("Standalone", "console").splitlines()
    assert lines[0].startswith("$ "), lines[0]
    return lines


def test_the_standalone_sample_listens_on_the_port_it_shows() -> None:
    command, *expected = console_sample()
    args = shlex.split(command[2:], comments=True)
    assert args[:3] == ["python", "-m", "smartcar.emulator"]
    assert "--port" in args, "without --port the emulator picks a free port"
    shown_port = args[args.index("--port") + 1]
    origins = {re.search(r"http://[\d.]+:(\d+)", line).group(1) for line in expected}  # type: ignore[union-attr]
    assert origins == {shown_port}

    port = str(free_port())
    args[args.index("--port") + 1] = port
    process = subprocess.Popen(
        [sys.executable, *args[1:]], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert process.stdout is not None
        printed = [process.stdout.readline().rstrip("\n") for _ in expected]
    finally:
        process.terminate()
        process.wait(timeout=10)
    for want, got in zip(expected, printed):
        want = want.replace(f":{shown_port}", f":{port}")
        if "..." in want:
            assert got.startswith(want.split("...")[0]), (want, got)
        else:
            assert got == want
