"""``smartcar.v3._parse``: the three time forms and the JSON:API resource variants."""

from __future__ import annotations

import datetime
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcar.v3 import _parse

UTC = datetime.timezone.utc
OCT_1 = datetime.datetime(2023, 10, 1, 10, 40, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        1696156800,  # epoch seconds (docs example)
        1696156800.0,
        "1696156800",
        1696156800000,  # epoch milliseconds (webhooks, Java fixture)
        "1696156800000",
        "2023-10-01T10:40:00Z",  # ISO-8601 (live REST)
        "2023-10-01T10:40:00.000Z",
        "2023-10-01T12:40:00+02:00",
        "2023-10-01T10:40:00",  # no offset: UTC
    ],
)
def test_parse_time_reads_every_form_as_aware_utc(value: Any) -> None:
    parsed = _parse.parse_time(value)
    assert parsed == OCT_1
    assert parsed is not None and parsed.utcoffset() == datetime.timedelta(0)


def test_parse_time_keeps_milliseconds() -> None:
    assert _parse.parse_time(1752104218549) == datetime.datetime(
        2025, 7, 9, 23, 36, 58, 549000, tzinfo=UTC
    )


def test_parse_time_none_is_none() -> None:
    assert _parse.parse_time(None) is None


@pytest.mark.parametrize("value", [0, 0.0, "0", " 0 ", "0.0", -0.0])
def test_parse_time_zero_is_unknown_not_1970(value: Any) -> None:
    assert _parse.parse_time(value) is None


@pytest.mark.parametrize(
    "value",
    [
        *(True, "yesterday", "", float("nan"), float("inf"), [], {}, 1e30),
        pytest.param(10**400, id="10**400"),
        pytest.param("1" + "0" * 400, id="'1' + '0' * 400"),
    ],
)
def test_parse_time_rejects_what_is_not_a_time(value: Any) -> None:
    with pytest.raises(ValueError, match="not a time"):
        _parse.parse_time(value)


class _Text(str):
    """A ``str`` subclass, as a caller's own JSON decoder might hand out."""


@pytest.mark.parametrize(
    "text",
    [
        "2023-10-01T10:40:00.000Z",
        " 2023-10-01T12:40:00+02:00 ",
        "1696156800",
        _Text("2023-10-01T10:40:00Z"),
    ],
)
def test_parse_time_of_a_repeated_text_is_the_first_answer_shared(text: str) -> None:
    # The live service repeats the same ISO times in every signal of an answer: each text is
    # parsed once, and its (immutable) datetime shared.
    first = _parse.parse_time(text)
    assert first == OCT_1
    assert _parse.parse_time(text) is first
    assert _parse.parse_time(str(text)) is first


@pytest.mark.parametrize("text", ["yesterday", "", "1" + "0" * 400])
def test_parse_time_refuses_a_repeated_bad_text_every_time(text: str) -> None:
    for _ in range(3):
        with pytest.raises(ValueError, match="not a time"):
            _parse.parse_time(text)


@given(st.text(max_size=40) | st.datetimes().map(datetime.datetime.isoformat))
def test_parse_time_of_text_is_that_of_the_uncached_parse(text: str) -> None:
    expected: Any
    try:
        expected = _parse._text_time.__wrapped__(text)
    except ValueError as error:
        expected = str(error)
    for _ in range(2):  # the second read comes from the cache
        try:
            got: Any = _parse.parse_time(text)
        except ValueError as error:
            got = str(error)
        assert got == expected


VEHICLE = {"id": "v1", "type": "vehicle", "attributes": {"make": "TESLA"}}


@pytest.mark.parametrize("body", [{"data": VEHICLE}, VEHICLE])
def test_resource_accepts_wrapped_and_bare(body: Any) -> None:
    assert _parse.resource(body, "vehicle") == VEHICLE


@pytest.mark.parametrize("body", [None, [], {"data": None}, {"errors": []}, "text"])
def test_resource_rejects_bodies_without_one(body: Any) -> None:
    with pytest.raises(ValueError, match="no vehicle resource"):
        _parse.resource(body, "vehicle")


def test_resource_list() -> None:
    assert _parse.resource_list({"data": [VEHICLE]}, "vehicle") == [VEHICLE]
    with pytest.raises(ValueError, match="no list of vehicle"):
        _parse.resource_list({"data": [1]}, "vehicle")
    with pytest.raises(ValueError, match="no list of vehicle"):
        _parse.resource_list({}, "vehicle")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"meta": {"page": 1, "pageSize": 10, "totalCount": 5}, "links": {"next": "/x?p=2"}},
            _parse.PageInfo(1, 10, 5, True),
        ),
        (
            {"meta": {"pageNumber": 2, "pageSize": 25, "totalCount": 25}},
            _parse.PageInfo(2, 25, 25, None),
        ),
        (
            {"meta": {"pageNumber": "3"}, "links": {"next": None}},
            _parse.PageInfo(3, None, None, False),
        ),
        ({}, _parse.PageInfo(None, None, None, None)),
    ],
)
def test_page_info_reads_both_metas(body: Any, expected: _parse.PageInfo) -> None:
    assert _parse.page_info(body) == expected


def test_related_id() -> None:
    item = {"relationships": {"user": {"data": {"id": "u1", "type": "user"}}}}
    assert _parse.related_id(item, "user") == "u1"
    assert _parse.related_id(item, "vehicle") is None
    assert _parse.related_id({"relationships": []}, "user") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [({}, True), (MappingProxyType({"a": 1}), True), (None, False), ([], False), ("{}", False)],
)
def test_is_object_takes_any_mapping_and_nothing_else(value: Any, expected: bool) -> None:
    assert _parse.is_object(value) is expected
