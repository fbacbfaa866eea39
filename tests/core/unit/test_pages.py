"""The shared pager (``smartcar._pages.walk``): the listing rule on its own."""

from __future__ import annotations

from typing import Any, Dict, Hashable, List, Optional, Tuple

import pytest

from smartcar import _pages

Page = Tuple[str, List[Dict[str, Any]], Optional[Hashable]]


def _id(item: Dict[str, Any]) -> Optional[Hashable]:
    value = item.get("id")
    return value if isinstance(value, str) else None


def _walk(pages: Dict[Hashable, Page]) -> Tuple[List[Any], List[Hashable]]:
    asked: List[Hashable] = []

    def fetch(where: Hashable) -> Page:
        asked.append(where)
        return pages[where]

    items = [item["id"] for _, page in _pages.walk(1, fetch, _id) for item in page]
    return items, asked


def test_follows_pages_until_the_last() -> None:
    pages = {1: ("a", [{"id": "x"}], 2), 2: ("b", [{"id": "y"}], None)}
    assert _walk(pages) == (["x", "y"], [1, 2])


def test_stops_on_a_page_that_repeats_page_one() -> None:
    pages = {n: ("a", [{"id": "x"}, {"id": "y"}], n + 1) for n in range(1, 50)}
    assert _walk(pages) == (["x", "y"], [1, 2])


def test_never_yields_an_id_twice() -> None:
    pages = {
        1: ("a", [{"id": "x"}, {"id": "y"}, {"id": "y"}], 2),
        2: ("b", [{"id": "y"}, {"id": "z"}], 3),
        3: ("c", [{"id": "z"}, {"id": "w"}], None),
    }
    assert _walk(pages) == (["x", "y", "z", "w"], [1, 2, 3])


def test_stops_when_the_next_page_was_already_fetched() -> None:
    pages = {1: ("a", [{"id": "x"}], 2), 2: ("b", [{"id": "y"}], 1)}
    assert _walk(pages) == (["x", "y"], [1, 2])


def test_items_without_a_key_are_passed_on_but_are_not_new() -> None:
    pages = {n: ("a", [{"id": None}], n + 1) for n in range(1, 5)}
    assert _walk(pages) == ([None], [1])


def test_stops_after_max_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_pages, "MAX_PAGES", 3)
    pages = {n: ("a", [{"id": str(n)}], n + 1) for n in range(1, 10)}
    assert _walk(pages) == (["1", "2", "3"], [1, 2, 3])


def test_is_lazy() -> None:
    asked: List[Hashable] = []

    def fetch(where: Hashable) -> Page:
        asked.append(where)
        return ("a", [{"id": str(where)}], None)

    listing = _pages.walk(1, fetch, _id)
    assert asked == []
    next(listing)
    assert asked == [1]
