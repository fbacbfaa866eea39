"""``smartcar sweep`` on a terminal and under Ctrl-C, through the installed script against the
emulator: results never share a line with the progress bar, the bar knows the fleet's size, and
Ctrl-C ends the sweep at once however slow the reads in flight are."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import time
from typing import Dict, List

from cli_support import SCRIPT, run_on_terminal, screen_lines

from smartcar.emulator import Emulator

READ_LATENCY = 20.0
"""Seconds each signals read takes on the emulator in the Ctrl-C tests (far above 1 s)."""


def test_results_and_the_bar_on_one_terminal_never_share_a_line(
    env: Dict[str, str], fleet: List[str]
) -> None:
    written = run_on_terminal(["sweep", "--concurrency", "4"], env, stdout_too=True)
    lines = screen_lines(written)
    results = [line for line in lines if re.fullmatch(r"\S+  ok  \d+ signals", line)]
    assert {line.split()[0] for line in results} >= set(fleet)
    assert lines == [*results, lines[-1]], lines  # nothing else left on screen
    assert lines[-1].startswith(f"swept {len(results)} vehicles")
    totals = set(re.findall(r"\] \d+/(\d+) vehicles", written))
    assert totals == {str(len(results))}  # the fleet's size from the start, not "listed so far"


def start_a_slow_sweep(emu: Emulator, env: Dict[str, str]) -> subprocess.Popen[str]:
    """A sweep whose reads are all in flight (the emulator holds each for READ_LATENCY)."""
    assert SCRIPT is not None
    emu.faults.add("/v3/vehicles/*/signals", latency=READ_LATENCY, count=None)
    process = subprocess.Popen(
        [SCRIPT, "sweep", "--concurrency", "8", "--json-lines", "-"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while len(emu.requests("/v3/vehicles/*/signals")) < 8:
        assert time.monotonic() < deadline and process.poll() is None, "no reads in flight"
        time.sleep(0.05)
    return process


def interrupt(process: subprocess.Popen[str]) -> float:
    """Send SIGINT; return the seconds until the process ended."""
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=READ_LATENCY + 10)
    finally:
        process.kill()
    return time.monotonic() - started


def test_ctrl_c_ends_the_sweep_within_a_second_with_one_line(
    emu: Emulator, env: Dict[str, str], fleet: List[str]
) -> None:
    process = start_a_slow_sweep(emu, env)
    seconds = interrupt(process)
    out, err = process.communicate()
    assert seconds < 1.0, f"took {seconds:.2f} s"
    assert process.returncode == 130
    assert err.strip().splitlines() == ["smartcar: error: interrupted"]
    assert out == ""  # no read finished


def test_a_second_ctrl_c_prints_no_traceback(
    emu: Emulator, env: Dict[str, str], fleet: List[str]
) -> None:
    process = start_a_slow_sweep(emu, env)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):  # already gone: nothing left to interrupt
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=READ_LATENCY + 10)
    finally:
        process.kill()
    seconds = time.monotonic() - started
    _, err = process.communicate()
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert process.returncode == 130 and seconds < 1.0
    assert err.strip().splitlines() == ["smartcar: error: interrupted"]
