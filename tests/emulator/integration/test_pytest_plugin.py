"""The installed pytest plugin (entry point ``smartcar_emulator`` -> ``pytest_smartcar``),
seen from a user's project of its own: a temporary directory with its own ``conftest.py``
and test file, run by this venv's pytest in a subprocess.

The user's conftest sets ``SMARTCAR_API_ORIGIN`` to a loopback HTTP server started here, and
records which modules were loaded when it ran; the user's test calls the SDK, which must reach
that server. A second run blocks werkzeug (a plain install without the ``emulator`` extra):
the plugin must still load, and only the fixture may complain, naming the install command.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List, NamedTuple

import pytest

import pytest_smartcar

USER_CONFTEST = """
import json, os, sys

os.environ["SMARTCAR_API_ORIGIN"] = os.environ["USER_PROJECT_ORIGIN"]

with open(os.environ["USER_PROJECT_REPORT"], "w") as report:
    json.dump(
        {
            "plugin_loaded": "pytest_smartcar" in sys.modules,
            "sdk_modules": sorted(
                name for name in sys.modules if name == "smartcar" or name.startswith("smartcar.")
            ),
            "werkzeug_loaded": sys.modules.get("werkzeug") is not None,
        },
        report,
    )
"""

USER_TESTS = """
import smartcar


def test_the_sdk_calls_the_origin_set_in_conftest():
    assert smartcar.get_vehicle_ids("user-token")["vehicles"] == ["from-the-user-origin"]


def test_the_fixture_is_offered(smartcar_emulator):
    assert smartcar_emulator.running
"""

RUN_WITHOUT_WERKZEUG = (
    "import sys; sys.modules['werkzeug'] = None; import pytest; raise SystemExit(pytest.main())"
)


class Recorded(NamedTuple):
    path: str
    authorization: str


class OriginServer(NamedTuple):
    origin: str
    requests: List[Recorded]


@pytest.fixture
def origin_server() -> Iterator[OriginServer]:
    """A loopback HTTP server answering every GET with one vehicle id, recording requests."""
    recorded: List[Recorded] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            recorded.append(Recorded(self.path, self.headers.get("Authorization", "")))
            body = json.dumps(
                {"vehicles": ["from-the-user-origin"], "paging": {"count": 1, "offset": 0}}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield OriginServer(f"http://127.0.0.1:{server.server_port}", recorded)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class UserRun(NamedTuple):
    returncode: int
    output: str
    report: Dict[str, Any]


def run_user_project(tmp_path: Path, origin: str, *python_args: str) -> UserRun:
    project = tmp_path / "user_project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (project / "conftest.py").write_text(textwrap.dedent(USER_CONFTEST), encoding="utf-8")
    (project / "test_user.py").write_text(textwrap.dedent(USER_TESTS), encoding="utf-8")
    report = tmp_path / "report.json"
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SMARTCAR_", "PYTEST_"))
    }
    env.update(USER_PROJECT_ORIGIN=origin, USER_PROJECT_REPORT=str(report))
    done = subprocess.run(
        [sys.executable, *python_args, "-p", "no:cacheprovider", "-rA"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert report.exists(), f"the user's conftest did not run:\n{output}"
    return UserRun(done.returncode, output, json.loads(report.read_text(encoding="utf-8")))


def test_a_users_conftest_sets_the_origin_before_the_sdk_loads(
    tmp_path: Path, origin_server: OriginServer
) -> None:
    run = run_user_project(tmp_path, origin_server.origin, "-m", "pytest")
    assert run.returncode == 0, run.output
    assert "2 passed" in run.output, run.output
    assert run.report == {"plugin_loaded": True, "sdk_modules": [], "werkzeug_loaded": False}
    [request] = origin_server.requests
    assert request.authorization == "Bearer user-token"
    assert request.path.split("?")[0].endswith("/vehicles"), request.path


def test_the_plugin_loads_without_werkzeug_and_the_fixture_names_the_install(
    tmp_path: Path, origin_server: OriginServer
) -> None:
    run = run_user_project(tmp_path, origin_server.origin, "-c", RUN_WITHOUT_WERKZEUG)
    assert run.returncode == 1, run.output
    assert "1 passed, 1 error" in run.output, run.output  # the fixture fails its test
    assert run.report == {"plugin_loaded": True, "sdk_modules": [], "werkzeug_loaded": False}
    assert "needs werkzeug" in run.output
    assert pytest_smartcar.INSTALL_HINT in run.output
    assert len(origin_server.requests) == 1
