"""The Makefile's setup step, run on a copy of the Makefile with a stand-in Python whose pip
is noisy: ``make demo`` shows the story and one line about the install, never pip's output
(which stays in .venv/setup.log, and is shown when the install fails)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Dict

import pytest

REPO = Path(__file__).resolve().parents[2]

# The stand-in for the venv's python: a noisy pip, and a demo that prints one line.
VENV_PYTHON = """#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
    echo "WARNING: pip noise on stdout ($*)"
    echo "WARNING: pip noise on stderr" >&2
    exit "${FAKE_PIP_STATUS:-0}"
fi
if [ "$1" = "-m" ] && [ "$2" = "smartcar.emulator.demo" ]; then
    echo "THE STORY"
    exit 0
fi
echo "unexpected: $*" >&2
exit 3
"""

# The stand-in for python3: `-m venv DIR` makes DIR/bin/python the stand-in above.
SYSTEM_PYTHON = """#!/bin/sh
[ "$1" = "-m" ] && [ "$2" = "venv" ] || { echo "unexpected: $*" >&2; exit 3; }
mkdir -p "$3/bin" && cp "$(dirname "$0")/venv-python" "$3/bin/python"
"""


def executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    for name in ("setup.py", "requirements.txt", "requirements-dev.txt"):
        (tmp_path / name).write_text("")
    tools = tmp_path / "tools"
    tools.mkdir()
    executable(tools / "venv-python", VENV_PYTHON)
    executable(tools / "python3", SYSTEM_PYTHON)
    return tmp_path


def make_demo(checkout: Path, **env: str) -> subprocess.CompletedProcess[str]:
    assert shutil.which("make"), "make is not installed"
    environment: Dict[str, str] = {**os.environ, **env}
    return subprocess.run(
        ["make", "--no-print-directory", "demo", f"PYTHON={checkout / 'tools' / 'python3'}"],
        cwd=checkout, env=environment, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_make_demo_shows_the_story_and_keeps_pip_quiet(checkout: Path) -> None:
    first = make_demo(checkout)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stderr == ""
    lines = first.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("Installing into .venv")
    assert lines[1] == "THE STORY"
    log = (checkout / ".venv" / "setup.log").read_text()
    assert "pip noise on stdout" in log and "pip noise on stderr" in log
    again = make_demo(checkout)
    assert (again.returncode, again.stdout, again.stderr) == (0, "THE STORY\n", "")


def test_a_failed_install_shows_pip_output_and_fails(checkout: Path) -> None:
    failed = make_demo(checkout, FAKE_PIP_STATUS="1")
    assert failed.returncode != 0
    assert "pip noise on stderr" in failed.stderr and "setup failed" in failed.stderr
    assert "THE STORY" not in failed.stdout
    assert not (checkout / ".venv" / ".installed").exists()
