"""JSON:API pieces of the v3 answers: ``page[number]``/``page[size]`` paging with its ``meta``
and ``links``, filters, request bodies and the three timestamp forms."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence, TypeVar
from urllib.parse import urlencode

from smartcar.emulator.problems import Problem
from smartcar.emulator.v3.errors import invalid_input
from smartcar.emulator.web import BadJson, parse_json

T = TypeVar("T")

TIME_FORMATS = ("seconds", "milliseconds", "iso")


def iso(moment: datetime) -> str:
    """``2024-01-01T12:00:02.000Z``"""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def timestamp(moment: datetime, form: str = "seconds") -> Any:
    """``moment`` as epoch seconds (int), epoch milliseconds (int) or an ISO-8601 string."""
    if form == "seconds":
        return int(moment.timestamp())
    if form == "milliseconds":
        return round(moment.timestamp() * 1000)
    if form == "iso":
        return iso(moment)
    raise ValueError(f"time format must be one of {TIME_FORMATS}, not {form!r}")


@dataclass(frozen=True)
class Page:
    """A requested page: 1-based ``number`` and ``size``."""

    number: int
    size: int

    def slice(self, items: Sequence[T]) -> List[T]:
        start = (self.number - 1) * self.size
        return list(items[start : start + self.size])


def parse_page(args: Mapping[str, str], default_size: int, max_size: int = 100) -> Page:
    """``page[number]`` (default 1) and ``page[size]`` (default ``default_size``, at most
    ``max_size``) from the query; 400 VALIDATION/INVALID_INPUT_FORMAT when out of range."""
    entries = []
    values = {}
    for name, default, upper in (
        ("page[number]", 1, None),
        ("page[size]", default_size, max_size),
    ):
        raw = args.get(name)
        try:
            value = default if raw is None else int(raw)
        except ValueError:
            value = 0
        if value < 1 or (upper is not None and value > upper):
            limit = f"1 to {upper}" if upper is not None else "at least 1"
            entries.append(
                invalid_input(f"{name} must be an integer from {limit}; got {raw!r}.", name)
            )
        values[name] = value
    if entries:
        raise Problem.all(entries)
    return Page(values["page[number]"], values["page[size]"])


def page_links(
    base_url: str,
    page: Page,
    total: int,
    params: Mapping[str, str],
    previous_key: str = "prev",
) -> Dict[str, Optional[str]]:
    """``self``/``first``/``last``/``next``/``prev`` URLs (nulls at the ends); ``params``
    are the other query parameters (filters) the links keep."""
    last = max(1, math.ceil(total / page.size))

    def url(number: int) -> str:
        query = dict(params)
        query["page[number]"] = str(number)
        query["page[size]"] = str(page.size)
        return f"{base_url}?{urlencode(query)}"

    return {
        "self": url(page.number),
        "first": url(1),
        "last": url(last),
        "next": url(page.number + 1) if page.number < last else None,
        previous_key: url(page.number - 1) if page.number > 1 else None,
    }


def list_document(
    data: List[Dict[str, Any]],
    base_url: str,
    page: Page,
    total: int,
    params: Mapping[str, str],
    extra_meta: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    """A paged list: ``{"data", "meta": {pageNumber, pageSize, totalCount, ...}, "links"}``."""
    meta: Dict[str, Any] = {"pageNumber": page.number, "pageSize": page.size, "totalCount": total}
    meta.update(extra_meta or {})
    return {"data": data, "meta": meta, "links": page_links(base_url, page, total, params)}


def filters(args: Mapping[str, str]) -> Dict[str, str]:
    """The ``filter[...]`` parameters of a query, keyed by the name inside the brackets."""
    found = {}
    for key, value in args.items():
        if key.startswith("filter[") and key.endswith("]"):
            found[key[len("filter[") : -1]] = value
    return found


def kept_params(args: Mapping[str, str]) -> Dict[str, str]:
    """The query parameters a page link repeats (everything but the paging)."""
    return {key: value for key, value in args.items() if not key.startswith("page[")}


def attributes(raw: bytes) -> Dict[str, Any]:
    """``data.attributes`` of a JSON:API request body (``{}`` for an empty body); 400
    VALIDATION/INVALID_INPUT_FORMAT when the body is not such a document."""
    if not raw.strip():
        return {}
    try:
        document = parse_json(raw)
    except BadJson as exc:
        raise Problem("VALIDATION", f"The body is {exc}.", "INVALID_INPUT_FORMAT") from None
    data = document.get("data") if isinstance(document, dict) else None
    attrs = data.get("attributes", {}) if isinstance(data, dict) else None
    if not isinstance(attrs, dict):
        raise Problem(
            "VALIDATION",
            'The body must be a JSON:API document {"data": {"attributes": {...}}}.',
            "INVALID_INPUT_FORMAT",
        )
    return attrs
