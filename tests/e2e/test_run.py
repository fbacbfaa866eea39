"""``python -m examples.flask_app``: the command ``make example`` runs, in a subprocess."""

from __future__ import annotations

import logging
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from typing import Iterator, List

import pytest
import requests
from e2e_support import REPO, LiveApp, query

from smartcar.emulator import connect

STARTUP_SECONDS = 30


class Running:
    """The example's process and what it printed so far."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: List[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line)

    def wait_for(self, pattern: str) -> re.Match[str]:
        while True:
            try:
                line = self._queue.get(timeout=STARTUP_SECONDS)
            except queue.Empty:
                pytest.fail(f"no line matching {pattern!r}; output so far: {self.lines}")
            self.lines.append(line)
            match = re.search(pattern, line)
            if match:
                return match

    def stop(self) -> str:
        """Ctrl+C, and everything printed since."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        while not self._queue.empty():
            self.lines.append(self._queue.get())
        return "".join(self.lines)


@pytest.fixture
def example() -> Iterator[Running]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMARTCAR_", "FLASK_"))}
    env.pop("TOKEN_DB", None)
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        [sys.executable, "-m", "examples.flask_app", "--port", "0"],
        cwd=str(REPO),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = Running(process)
    try:
        yield running
    finally:
        running.stop()


def test_make_example_serves_the_app_against_an_emulator(example: Running) -> None:
    origin = example.wait_for(r"Smartcar emulator on (http://127\.0\.0\.1:\d+)").group(1)
    base = example.wait_for(r"Open (http://127\.0\.0\.1:\d+)/").group(1)
    with requests.Session() as browser:
        assert "Connect your car" in browser.get(f"{base}/", timeout=10).text
        login = browser.get(f"{base}/login", allow_redirects=False, timeout=10)
        assert login.headers["Location"].startswith(f"{origin}/oauth/authorize?")
        redirect_url = connect(login.headers["Location"], email="make-example@example.com")
        assert redirect_url.startswith(f"{base}/callback?")
        code = query(redirect_url)["code"]
        table = browser.get(redirect_url, timeout=10)
        assert table.url == f"{base}/vehicles"
        assert table.text.count("<tr data-vehicle-id=") >= 3
    output = example.stop()
    assert example.process.returncode == 0
    assert '"GET /callback" 302' in output
    assert code not in output  # the request log drops query strings


def test_real_mode_reports_missing_settings() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
    env["SMARTCAR_CLIENT_ID"] = "set-but-alone"
    result = subprocess.run(
        [sys.executable, "-m", "examples.flask_app", "--port", "0"],
        cwd=str(REPO),
        env=env,
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
    )
    assert result.returncode == 2
    assert "SMARTCAR_CLIENT_SECRET" in result.stderr
    assert "Traceback" not in result.stderr


def test_request_log_lines_carry_no_query_string(
    live_app: LiveApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="werkzeug")
    requests.get(f"{live_app.base}/callback?code=c0de-0f-the-user&state=s", timeout=10)
    assert '"GET /callback" 400' in caplog.text
    assert "c0de-0f-the-user" not in caplog.text
