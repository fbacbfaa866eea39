"""Helpers of the command line tests: the installed ``smartcar`` script, run as a user would."""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

SCRIPT = shutil.which("smartcar", path=str(Path(sys.executable).parent))


def run(
    args: Sequence[str],
    env: Dict[str, str],
    stdin: Optional[bytes] = None,
    *,
    command: Optional[Sequence[str]] = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``smartcar ARGS`` (or ``command`` + ARGS) to the end; no traceback, no secret."""
    assert SCRIPT is not None, "the smartcar console script is not installed in this venv"
    done = subprocess.run(
        [*(command or [SCRIPT]), *args],
        env=env,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream
        secret = env.get("SMARTCAR_CLIENT_SECRET")
        if secret:
            assert secret not in stream
    return done


def one_error_line(done: subprocess.CompletedProcess[str], prefix: str = "smartcar") -> str:
    """The only line on stderr, which must be ``PREFIX: error: ...``."""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"{prefix}: error: "), lines[0]
    return lines[0]


def run_on_terminal(args: Sequence[str], env: Dict[str, str], *, stdout_too: bool) -> str:
    """Run ``smartcar ARGS`` with stderr (and stdout when ``stdout_too``) on a pty; return
    everything written to the terminal."""
    assert SCRIPT is not None
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [SCRIPT, *args],
        env=env,
        stdout=follower if stdout_too else subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    chunks: List[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    return b"".join(chunks).decode()


_ERASE_LINE = "\x1b[K"


def screen_lines(written: str) -> List[str]:
    """The lines a terminal shows after ``written``: ``\\r`` returns to the line's start,
    ``ESC [K`` erases the rest of the line, a later character overwrites an earlier one."""
    lines: List[str] = []
    for raw in written.replace("\r\n", "\n").split("\n"):
        line: List[str] = []
        column = 0
        for token in re.split(r"(\r|\x1b\[K)", raw):
            if token == "\r":
                column = 0
            elif token == _ERASE_LINE:
                del line[column:]
            else:
                for char in token:
                    if column < len(line):
                        line[column] = char
                    else:
                        line.append(char)
                    column += 1
        lines.append("".join(line))
    return [line for line in lines if line]
