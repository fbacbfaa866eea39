"""How the command line prints: strict JSON, aligned tables and a progress bar.

Every JSON line or document the command line writes goes through :func:`to_json`, which never
fails on what a service sent: it writes strict JSON (``NaN`` and the infinities become
``null``), nesting deeper than :data:`MAX_DEPTH` levels is replaced by the string
:data:`TOO_DEEP`, and an integer too long to print as a number becomes a string saying so.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import os
import shutil
import sys
import time
from typing import IO, Any, List, Mapping, Optional, Sequence

__all__ = [
    "MAX_CELL",
    "MAX_DEPTH",
    "TOO_DEEP",
    "ProgressBar",
    "is_terminal",
    "one_line",
    "plain",
    "print_json",
    "print_table",
    "to_json",
]

MAX_DEPTH = 64
"""Containers nested deeper than this are replaced by :data:`TOO_DEEP` in JSON output."""

TOO_DEEP = f"[nested deeper than {MAX_DEPTH} levels: cut]"

MAX_CELL = 60
"""Characters a table cell shows at most (longer values end with ``…``; ``--json`` has all)."""

_MAX_INT_BITS = 13_000
"""Integers longer than this (about 3,900 digits) are shown as a description, not digits:
Python refuses to print integers beyond 4,300 digits."""


def plain(value: Any, depth: int = 0) -> Any:
    """Return ``value`` as JSON-ready data: dataclasses, mappings, datetimes and exceptions
    become objects and strings, non-finite floats ``None``, nesting is cut at
    :data:`MAX_DEPTH` levels (cycles included)."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        if value.bit_length() > _MAX_INT_BITS:
            return f"[an integer of {value.bit_length()} bits]"
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, BaseException):
        return {"exception": type(value).__name__, "message": str(value)}
    is_record = dataclasses.is_dataclass(value) and not isinstance(value, type)
    if not (is_record or isinstance(value, (Mapping, list, tuple))):
        return str(value)
    if depth >= MAX_DEPTH:
        return TOO_DEEP
    if is_record:
        fields = dataclasses.fields(value)
        return {field.name: plain(getattr(value, field.name), depth + 1) for field in fields}
    if isinstance(value, Mapping):
        return {str(key): plain(item, depth + 1) for key, item in value.items()}
    return [plain(item, depth + 1) for item in value]


def to_json(value: Any, *, indent: Optional[int] = None) -> str:
    """Return ``value`` as strict JSON text (one line when ``indent`` is None)."""
    return json.dumps(
        plain(value),
        indent=indent,
        sort_keys=indent is not None,
        separators=None if indent is not None else (",", ":"),
        allow_nan=False,
    )


def print_json(value: Any, out: Optional[IO[str]] = None, *, indent: Optional[int] = 2) -> None:
    """Print ``value`` as JSON (one line when ``indent`` is None)."""
    (out or sys.stdout).write(to_json(value, indent=indent) + "\n")


def one_line(text: str, limit: Optional[int] = None) -> str:
    """Return ``text`` on one line (control characters as spaces, runs of spaces as one),
    cut to ``limit`` characters with a final ``…``."""
    shown = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    if limit is not None and len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return shown


def print_table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], out: Optional[IO[str]] = None
) -> None:
    """Print ``rows`` under ``header`` in left-aligned columns, each cell on one line and at
    most :data:`MAX_CELL` characters."""
    stream = out or sys.stdout
    cells: List[List[str]] = [list(header)] + [
        ["" if cell is None else one_line(str(cell), MAX_CELL) for cell in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        stream.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        stream.write("\n")


class ProgressBar:
    """A one-line progress bar on a terminal; does nothing when the stream is not a terminal.

    With a ``total``, a bar and ``done/total``; without one, the counts so far. Call
    :meth:`clear` before writing anything else to the same terminal: the next :meth:`update`
    draws the bar again below it.
    """

    def __init__(
        self,
        stream: Optional[IO[str]] = None,
        *,
        total: Optional[int] = None,
        interval: float = 0.1,
    ) -> None:
        self.stream = stream or sys.stderr
        self.enabled = is_terminal(self.stream)
        self.total = total
        self.interval = interval
        self._last = 0.0
        self._started = time.monotonic()
        self._shown = False

    def update(self, done: int, failed: int, listed: int, *, force: bool = False) -> None:
        """Redraw the bar (at most every ``interval`` seconds unless ``force``)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and self._shown and now - self._last < self.interval:
            return
        self._last = now
        rate = done / max(now - self._started, 1e-9)
        if self.total is None:
            line = f"{done} vehicles done ({listed} listed so far), {failed} failed, {rate:.0f}/s"
        else:
            total = max(self.total, listed, done)  # the fleet may grow during the sweep
            width = 30
            filled = width if total == 0 else width * done // total
            line = (
                f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} vehicles"
                f", {failed} failed, {rate:.0f}/s"
            )
        # Wider than the terminal, the line would wrap and \r could not erase it.
        self.stream.write("\r\x1b[K" + line[: max(_columns(self.stream) - 1, 1)])
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Erase the bar's line, leaving the cursor at its start."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def close(self) -> None:
        """Erase the bar for good."""
        self.clear()
        self.enabled = False


def is_terminal(stream: IO[str]) -> bool:
    """Whether ``stream`` is a terminal (``False`` for anything without a working isatty)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def _columns(stream: IO[str]) -> int:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):  # not a terminal, or a stand-in stream
        columns = 0
    return columns or shutil.get_terminal_size().columns
