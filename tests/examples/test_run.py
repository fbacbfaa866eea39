"""``python -m examples.flask_app``: the command ``make example`` runs, in a subprocess."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests
from e2e_support import REPO, LiveApp, query, stored_keys

from smartcar.emulator import Emulator, connect

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


def clean_env(**extra: str) -> Dict[str, str]:
    """This process's environment without the example's settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMARTCAR_", "FLASK_"))}
    env.pop("TOKEN_DB", None)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@contextlib.contextmanager
def run_example(env: Dict[str, str], port: int = 0) -> Iterator[Running]:
    process = subprocess.Popen(
        [sys.executable, "-m", "examples.flask_app", "--port", str(port)],
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


def connect_and_list(base: str, connect_origin: str, email: str) -> str:
    """Connect through the app over HTTP; return the user id of the redirect."""
    with requests.Session() as browser:
        assert "Connect your car" in browser.get(f"{base}/", timeout=10).text
        login = browser.get(f"{base}/login", allow_redirects=False, timeout=10)
        assert login.headers["Location"].startswith(f"{connect_origin}/oauth/authorize?")
        redirect_url = connect(login.headers["Location"], email=email)
        assert redirect_url.startswith(f"{base}/callback?")
        table = browser.get(redirect_url, timeout=10)
        assert table.url == f"{base}/vehicles"
        assert table.text.count("<tr data-vehicle-id=") >= 3
        return query(redirect_url)["user_id"]


def test_make_example_serves_the_app_against_an_emulator() -> None:
    with run_example(clean_env()) as example:
        origin = example.wait_for(r"Smartcar emulator on (http://127\.0\.0\.1:\d+)").group(1)
        base = example.wait_for(r"Open (http://127\.0\.0\.1:\d+)/").group(1)
        user_id = connect_and_list(base, origin, "make-example@example.com")
        # The emulator's webhook (verified at start, auto-subscribing) pushes the new vehicles.
        example.wait_for(r'"POST /webhooks/smartcar" 200')
        output = example.stop()
    assert example.process.returncode == 0
    assert '"GET /callback" 302' in output
    assert user_id not in output  # the request log drops query strings
    assert "did not answer the webhook's VERIFY" not in output


def test_with_credentials_the_app_uses_the_configured_origins(
    fresh_emu: Emulator, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a free port, for the redirect URI set before the start
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    fresh_emu.add_redirect_uri(f"{base}/callback")
    env = clean_env(
        SMARTCAR_CLIENT_ID=fresh_emu.client_id,
        SMARTCAR_CLIENT_SECRET=fresh_emu.client_secret,
        SMARTCAR_APPLICATION_ID=fresh_emu.v3.application_id,
        SMARTCAR_MANAGEMENT_TOKEN=fresh_emu.v3.management_token,
        SMARTCAR_REDIRECT_URI=f"{base}/callback",
        FLASK_SECRET_KEY="test-only",
        TOKEN_DB=str(tmp_path / "tokens.sqlite3"),
        **fresh_emu.environment(),
    )
    with run_example(env, port) as example:
        example.wait_for(rf"Open {re.escape(base)}/ \(Smartcar credentials")
        user_id = connect_and_list(base, fresh_emu.origin, "credentials@example.com")
    assert user_id == fresh_emu.user_id("credentials@example.com")
    assert fresh_emu.token_exchanges() == 0  # v3: no code exchange
    assert fresh_emu.v3.token_requests == 1  # one application token, kept in the store
    keys = stored_keys(tmp_path / "tokens.sqlite3")
    assert len(keys) == 1 and keys[0].startswith("smartcar.v3.app-token:")


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
