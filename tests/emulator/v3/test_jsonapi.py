"""Paging, links, filters and timestamps of the v3 JSON:API answers."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from smartcar.emulator.problems import Problem
from smartcar.emulator.v3.jsonapi import (
    Page,
    attributes,
    filters,
    page_links,
    parse_page,
    timestamp,
)


def test_parse_page_defaults_and_bounds() -> None:
    assert parse_page({}, 10) == Page(1, 10)
    assert parse_page({"page[number]": "3", "page[size]": "100"}, 10) == Page(3, 100)
    with pytest.raises(Problem) as caught:
        parse_page({"page[number]": "0", "page[size]": "500"}, 10)
    assert len(caught.value.each()) == 2


def test_links_have_nulls_at_the_ends_and_keep_filters() -> None:
    links = page_links("http://h/v3/connections", Page(1, 10), 25, {"filter[userId]": "u"})
    assert links["prev"] is None
    assert links["next"] is not None and "page%5Bnumber%5D=2" in links["next"]
    assert "filter%5BuserId%5D=u" in links["self"]
    assert "page%5Bnumber%5D=3" in str(links["last"])
    last = page_links("http://h/v3/connections", Page(3, 10), 25, {})
    assert last["next"] is None and last["prev"] is not None
    empty = page_links("http://h/v3/connections", Page(1, 10), 0, {})
    assert empty["next"] is None and empty["last"] == empty["first"]


def test_filters_and_attributes() -> None:
    assert filters({"filter[vehicle.mode]": "live", "page[size]": "2"}) == {"vehicle.mode": "live"}
    assert attributes(b'{"data": {"attributes": {"percent": 80}}}') == {"percent": 80}
    assert attributes(b"") == {}
    for bad in (b"{", b"[]", b'{"data": {"attributes": 3}}'):
        with pytest.raises(Problem):
            attributes(bad)


def test_timestamps() -> None:
    moment = datetime(2024, 1, 1, 12, 0, 2, 500000, tzinfo=timezone.utc)
    assert timestamp(moment) == 1704110402
    assert timestamp(moment, "milliseconds") == 1704110402500
    assert timestamp(moment, "iso") == "2024-01-01T12:00:02.500Z"
    with pytest.raises(ValueError):
        timestamp(moment, "days")
