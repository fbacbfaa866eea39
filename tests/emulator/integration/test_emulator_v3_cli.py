"""``python -m smartcar.emulator`` with the v3 options: Application ID, management token,
latency."""

from __future__ import annotations

import subprocess
import sys
import time

import requests


def test_cli_v3_options() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "smartcar.emulator", "--application-id", "app-123",
         "--management-token", "amt-xyz", "--latency", "0.05"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        lines = []
        while True:
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else "no output"
            lines.append(line)
            if line.startswith("Smartcar emulator ready on"):
                break
        banner = lines[-1]
        assert "application id app-123" in banner
        assert "amt-xyz" not in banner  # the management token is a secret
        origin = banner.split()[4]
        assert requests.get(origin + "/_emulator/latency", timeout=10).json() == {"seconds": 0.05}
        started = time.perf_counter()
        requests.get(origin + "/v3/connections", timeout=10)
        assert time.perf_counter() - started >= 0.05
    finally:
        process.terminate()
        process.wait(timeout=10)
