"""The README: its quick start runs as written against the emulator, and it still says what a
first-time reader must know (install, the two make commands, the listing rule, what reads
cost, each brand's test vehicle, the example screenshots). Every sample of the README and the
site is also run, and type-checked, by ``tests/docs``.

The standalone emulator's console sample (``docs/testing.md``) listens on the port it shows.
"""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from typing import List

from smartcar.emulator.fleet import TEST_VEHICLES

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
TESTING = (REPO / "docs" / "testing.md").read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    return text.split("\n" + heading + "\n", 1)[1].split("\n## ", 1)[0]


def block(text: str, language: str) -> str:
    return text.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def test_the_quick_start_runs_as_written(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", block(section(README, "## Quick start"), "python")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines and lines[1::2] == ["SUCCESS"] * (len(lines) // 2), lines


def test_install_is_honest_and_the_two_make_commands_are_shown() -> None:
    install = section(README, "## Install")
    assert "not published yet" in install and "fails today" in install
    assert "make demo" in README and "make test" in README


def test_the_listing_rule_and_the_costs_of_reads_are_stated() -> None:
    assert "stops on a page that brings\nnothing new or repeats a page already seen" in README
    assert "an id is never yielded twice in one listing" in README
    for words in ("snapshot()", "webhook events", "monthly_limit", "calls_this_month"):
        assert words in README, words


def test_the_test_vehicle_table_is_the_emulators() -> None:
    rows = re.findall(r"^\| `([A-Z]+)` \| (\d{4}) (.+?) \(", README, re.MULTILINE)
    shown = {make: (int(year), model) for make, year, model in rows}
    expected = {make: (item.year, item.model) for make, item in TEST_VEHICLES.items()}
    assert shown == expected


def test_both_example_screenshots_are_shown() -> None:
    assert "](docs/screenshots/vehicles-live.png)" in README
    assert "](docs/screenshots/django_app.png)" in README


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def console_sample() -> List[str]:
    lines = block(section(TESTING, "## Standalone"), "console").splitlines()
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
