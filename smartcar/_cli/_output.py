"""How the command line prints: JSON-ready values, aligned tables and a progress bar."""

from __future__ import annotations

import dataclasses
import datetime
import json
import sys
import time
from typing import IO, Any, List, Mapping, Optional, Sequence

__all__ = ["ProgressBar", "plain", "print_json", "print_table"]


def plain(value: Any) -> Any:
    """Return ``value`` as JSON-ready data (dataclasses, mappings, datetimes, exceptions)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return {field.name: plain(getattr(value, field.name)) for field in fields}
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, BaseException):
        return {"exception": type(value).__name__, "message": str(value)}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def print_json(value: Any, out: Optional[IO[str]] = None, *, indent: Optional[int] = 2) -> None:
    """Print ``value`` as JSON (one line when ``indent`` is None)."""
    stream = out or sys.stdout
    stream.write(json.dumps(plain(value), indent=indent, sort_keys=indent is not None) + "\n")


def print_table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], out: Optional[IO[str]] = None
) -> None:
    """Print ``rows`` under ``header`` in left-aligned columns."""
    stream = out or sys.stdout
    cells: List[List[str]] = [list(header)] + [
        ["" if cell is None else str(cell) for cell in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        stream.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        stream.write("\n")


class ProgressBar:
    """A one-line progress bar on a terminal; does nothing when the stream is not a terminal."""

    def __init__(self, stream: Optional[IO[str]] = None, *, interval: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval
        self._last = 0.0
        self._started = time.monotonic()
        self._shown = False

    def update(self, done: int, failed: int, listed: int, *, force: bool = False) -> None:
        """Redraw the bar (at most every ``interval`` seconds unless ``force``)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        width = 30
        filled = width if listed == 0 else min(width, width * done // max(listed, 1))
        rate = done / max(now - self._started, 1e-9)
        line = (
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{listed} vehicles"
            f", {failed} failed, {rate:.0f}/s"
        )
        self.stream.write(line)
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """End the bar's line."""
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
