"""``smartcar._cli._output``: strict, bounded JSON whatever a service sent; tables on one line
per row with wide values cut."""

from __future__ import annotations

import io
import json
import math
from typing import Any, Dict, List, NoReturn

import pytest

from smartcar._cli._output import (
    MAX_CELL,
    MAX_DEPTH,
    TOO_DEEP,
    ProgressBar,
    one_line,
    print_table,
    to_json,
)


def strict_loads(text: str) -> Any:
    def refuse(constant: str) -> NoReturn:
        raise AssertionError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def nested(depth: int) -> Any:
    value: Any = "bottom"
    for level in range(depth):
        value = {"level": value} if level % 2 else [value]
    return value


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_null(value: float) -> None:
    assert strict_loads(to_json({"value": value, "list": [value]})) == {
        "value": None,
        "list": [None],
    }
    assert strict_loads(to_json({"value": value}, indent=2)) == {"value": None}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 100_000])
def test_deep_values_are_cut_with_a_marker_not_a_crash(depth: int) -> None:
    for indent in (None, 2):
        decoded = strict_loads(to_json({"signal": nested(depth)}, indent=indent))
        levels = 0
        value = decoded
        while isinstance(value, (dict, list)):
            value = (
                value["signal"]
                if levels == 0
                else (value[0] if isinstance(value, list) else value["level"])
            )
            levels += 1
        assert value == TOO_DEEP
        assert levels == MAX_DEPTH


def test_values_within_the_depth_are_kept_whole() -> None:
    value = nested(MAX_DEPTH - 1)
    assert strict_loads(to_json({"signal": value})) == {"signal": value}


def test_a_cycle_is_cut_like_deep_nesting() -> None:
    looped: Dict[str, Any] = {"name": "loop"}
    looped["self"] = looped
    assert TOO_DEEP in to_json(looped)


def test_an_integer_too_long_to_print_is_described() -> None:
    huge = 10**5000
    decoded = strict_loads(to_json({"value": huge, "fine": 10**400}))
    assert decoded["fine"] == 10**400
    assert decoded["value"].startswith("[an integer of ")


def test_table_cells_are_cut_and_kept_on_one_line() -> None:
    out = io.StringIO()
    rows: List[List[Any]] = [["wide", "x" * 500], ["lines", "one\ntwo\r\x1b[2Jthree"]]
    print_table(["NAME", "VALUE"], rows, out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[1].endswith("…") and len(lines[1].split("  ", 1)[1].strip()) == MAX_CELL
    assert "\x1b" not in out.getvalue() and lines[2].split()[1:] == ["one", "two", "[2Jthree"]


def test_one_line_text_is_printable_and_encodable() -> None:
    # Service text may hold escapes (which a terminal would obey) and lone surrogates (valid
    # JSON, which no UTF-8 stream can write).
    shown = one_line("a\ud800b\x1b]0;title\x07c\n\nd")
    assert shown == "a b ]0;title c d"
    shown.encode("utf-8")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_shows_the_total_when_known_and_the_counts_so_far_otherwise() -> None:
    known = FakeTerminal()
    ProgressBar(known, total=40).update(10, 1, 25, force=True)
    assert "10/40 vehicles" in known.getvalue()
    unknown = FakeTerminal()
    ProgressBar(unknown).update(10, 1, 25, force=True)
    assert "/25" not in unknown.getvalue() and "25 listed so far" in unknown.getvalue()


def test_the_bar_is_erased_by_clear_and_close() -> None:
    terminal = FakeTerminal()
    bar = ProgressBar(terminal, total=2)
    bar.update(1, 0, 2, force=True)
    bar.clear()
    assert terminal.getvalue().endswith("\r\x1b[K")
    bar.update(2, 0, 2, force=True)
    bar.close()
    assert terminal.getvalue().endswith("\r\x1b[K") and "\n" not in terminal.getvalue()


def test_the_bar_never_wraps_a_narrow_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "30")  # what a 30-column terminal reports
    terminal = FakeTerminal()
    ProgressBar(terminal, total=12345).update(6789, 12, 7000, force=True)
    drawn = terminal.getvalue().split("\r\x1b[K")[-1]
    assert drawn.startswith("[") and len(drawn) == 29
